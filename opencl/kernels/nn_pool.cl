// Max and average pooling over size x size windows at a stride (no padding), on
// (N, C, H, W) images; outputs (N, C, OH, OW). "plane" below is one (n, c) image.
// Backward kernels gather: one work-item per input element sums the dy of every window
// that covers it, so overlapping windows (stride < size) need no atomics.

// y = max of each window; argmax = flat h*W + w of the first maximum in the plane
// (first in row-major order, as PyTorch; a NaN wins, the first one).
__kernel void k_maxpool_fwd(__global const REAL *x, __global REAL *y, __global int *argmax,
                            int planes, int h, int wd, int oh, int ow, int size, int stride)
{
    int gid = get_global_id(0);
    if (gid >= planes * oh * ow) return;
    // q = a / b, r = a - q*b rather than a % b: see nn_conv.cl
    int t = gid / ow;
    int q = gid - t * ow;
    int plane = t / oh;
    int p = t - plane * oh;
    __global const REAL *xp = x + (long)plane * h * wd;
    int h0 = p * stride, w0 = q * stride;
    int best_i = h0 * wd + w0;
    REAL best = xp[best_i];
    for (int i = 0; i < size; ++i) {
        for (int j = 0; j < size; ++j) {
            int idx = (h0 + i) * wd + (w0 + j);
            REAL v = xp[idx];
            if (v > best || (isnan(v) && !isnan(best))) {
                best = v;
                best_i = idx;
            }
        }
    }
    y[gid] = best;
    argmax[gid] = best_i;
}

// The windows covering input row hi are p = ceil((hi - size + 1) / stride) .. hi / stride,
// clipped to 0 .. oh - 1 (likewise for columns).
inline int nn_first_window(int hi, int size, int stride)
{
    int d = hi - size + 1;
    return d <= 0 ? 0 : (d + stride - 1) / stride;
}

__kernel void k_maxpool_bwd(__global const REAL *dy, __global const int *argmax, __global REAL *dx,
                            int planes, int h, int wd, int oh, int ow, int size, int stride)
{
    int gid = get_global_id(0);
    if (gid >= planes * h * wd) return;
    int plane = gid / (h * wd);
    int flat = gid - plane * (h * wd);
    int hi = flat / wd, wi = flat - hi * wd;
    int p0 = nn_first_window(hi, size, stride), p1 = min(hi / stride, oh - 1);
    int q0 = nn_first_window(wi, size, stride), q1 = min(wi / stride, ow - 1);
    long base = (long)plane * oh * ow;
    REAL acc = (REAL)0;
    for (int p = p0; p <= p1; ++p)
        for (int q = q0; q <= q1; ++q) {
            long o = base + p * ow + q;
            if (argmax[o] == flat)
                acc += dy[o];
        }
    dx[gid] = acc;
}

// The same without the window geometry (when the caller does not pass size and stride):
// one work-item per (n, c) plane clears its plane of dx, then adds each dy of the plane to
// its winner in output order. Only that work-item touches the plane, so there is no race.
__kernel void k_maxpool_bwd_plane(__global const REAL *dy, __global const int *argmax, __global REAL *dx,
                                  int planes, int plane_in, int plane_out)
{
    int plane = get_global_id(0);
    if (plane >= planes) return;
    __global REAL *dp = dx + (long)plane * plane_in;
    long base = (long)plane * plane_out;
    for (int i = 0; i < plane_in; ++i)
        dp[i] = (REAL)0;
    for (int o = 0; o < plane_out; ++o)
        dp[argmax[base + o]] += dy[base + o];
}

__kernel void k_avgpool_fwd(__global const REAL *x, __global REAL *y,
                            int planes, int h, int wd, int oh, int ow, int size, int stride)
{
    int gid = get_global_id(0);
    if (gid >= planes * oh * ow) return;
    // q = a / b, r = a - q*b rather than a % b: see nn_conv.cl
    int t = gid / ow;
    int q = gid - t * ow;
    int plane = t / oh;
    int p = t - plane * oh;
    __global const REAL *xp = x + (long)plane * h * wd + (p * stride) * wd + q * stride;
    REAL acc = (REAL)0;
    for (int i = 0; i < size; ++i)
        for (int j = 0; j < size; ++j)
            acc += xp[i * wd + j];
    y[gid] = acc / (REAL)(size * size);
}

__kernel void k_avgpool_bwd(__global const REAL *dy, __global REAL *dx,
                            int planes, int h, int wd, int oh, int ow, int size, int stride)
{
    int gid = get_global_id(0);
    if (gid >= planes * h * wd) return;
    int plane = gid / (h * wd);
    int flat = gid - plane * (h * wd);
    int hi = flat / wd, wi = flat - hi * wd;
    int p0 = nn_first_window(hi, size, stride), p1 = min(hi / stride, oh - 1);
    int q0 = nn_first_window(wi, size, stride), q1 = min(wi / stride, ow - 1);
    long base = (long)plane * oh * ow;
    REAL acc = (REAL)0;
    for (int p = p0; p <= p1; ++p)
        for (int q = q0; q <= q1; ++q)
            acc += dy[base + p * ow + q];
    dx[gid] = acc / (REAL)(size * size);
}

// Row kernels: the fast path on CPU devices (see the row kernels of nn_conv.cl). One
// work-item per row, one-item work-groups over exact global sizes.

// Work-item (p, plane): output row p, the same results as k_maxpool_fwd.
__kernel void k_maxpool_fwd_rows(__global const REAL *x, __global REAL *y, __global int *argmax,
                                 int planes, int h, int wd, int oh, int ow, int size, int stride)
{
    int p = get_global_id(0), plane = get_global_id(1);
    __global const REAL *xp = x + (long)plane * h * wd;
    long o = ((long)plane * oh + p) * ow;
    int h0 = p * stride;
    for (int q = 0; q < ow; ++q) {
        int w0 = q * stride;
        int best_i = h0 * wd + w0;
        REAL best = xp[best_i];
        for (int i = 0; i < size; ++i) {
            __global const REAL *xr = xp + (h0 + i) * wd + w0;
            for (int j = 0; j < size; ++j) {
                REAL v = xr[j];
                // v != v: NaN (isnan is a function call on some CPU compilers)
                if (v > best || (v != v && best == best)) {
                    best = v;
                    best_i = (h0 + i) * wd + w0 + j;
                }
            }
        }
        y[o + q] = best;
        argmax[o + q] = best_i;
    }
}

// Work-item (hi, plane): input row hi of dx when windows do not overlap (stride >= size),
// so each input is in at most one window: dy goes to its winner, every other input gets 0.
__kernel void k_maxpool_bwd_rows(__global const REAL *dy, __global const int *argmax, __global REAL *dx,
                                 int planes, int h, int wd, int oh, int ow, int size, int stride)
{
    int hi = get_global_id(0), plane = get_global_id(1);
    __global REAL *dr = dx + ((long)plane * h + hi) * wd;
    int p = hi / stride;
    int wi = 0;
    if (p < oh && hi - p * stride < size) {
        long base = ((long)plane * oh + p) * ow;
        int row0 = hi * wd;
        for (int q = 0; q < ow; ++q) {
            REAL g = dy[base + q];
            int won = argmax[base + q] - row0;  // the winner's column if it is in this row
            for (int j = 0; j < stride && wi < wd; ++j, ++wi)
                dr[wi] = (j < size && won == wi) ? g : (REAL)0;
        }
    }
    for (; wi < wd; ++wi)
        dr[wi] = (REAL)0;
}
