// Filling buffers with a kernel rather than clEnqueueFillBuffer: same speed here, and
// the Oclgrind simulator then sees the memory as written (it does not track fills).
__kernel void k_fill(__global REAL *out, const REAL value, const int n)
{
    const int i = get_global_id(0);
    if (i < n)
        out[i] = value;
}

__kernel void k_fill_int(__global int *out, const int value, const int n)
{
    const int i = get_global_id(0);
    if (i < n)
        out[i] = value;
}
