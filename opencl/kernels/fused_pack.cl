// dst[at + i] = src[i] for i < n: places one tensor inside a packed buffer
// (engine.fused packs a network's parameters, gradients and optimizer state).
// A kernel rather than clEnqueueCopyBuffer with a destination offset: Oclgrind's
// uninitialised-memory checker does not see such a copy's bytes as written, and would
// report every later read of them.
__kernel void k_pack(__global const REAL *src, __global REAL *dst, int n, int at)
{
    int i = get_global_id(0);
    if (i < n)
        dst[at + i] = src[i];
}
