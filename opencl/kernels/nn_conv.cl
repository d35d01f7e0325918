// Direct 2-D convolution (cross-correlation, as PyTorch): x (N, C, H, W), w (F, C, K, K),
// z (N, F, OH, OW), with any stride >= 1 and zero padding >= 0. Every kernel gathers:
// one work-item owns one output element and reads everything that feeds it, so no
// atomics and no races, whatever the stride.

// z[n, f, oh, ow] = b[f] + sum_{c, i, j} x[n, c, oh*s + i - pad, ow*s + j - pad] * w[f, c, i, j]
__kernel void k_conv2d_fwd(__global const REAL *x, __global const REAL *w, __global const REAL *b,
                           __global REAL *z, int n, int c, int h, int wd, int f, int k,
                           int oh, int ow, int stride, int pad)
{
    int gid = get_global_id(0);
    if (gid >= n * f * oh * ow) return;
    // quotient and remainder as q = a / b, r = a - q*b: Oclgrind cannot check the
    // `freeze` LLVM inserts when it pairs a / b with a % b
    int t = gid / ow;
    int q = gid - t * ow;
    int t2 = t / oh;
    int p = t - t2 * oh;
    int ni = t2 / f;
    int fi = t2 - ni * f;
    int h0 = p * stride - pad, w0 = q * stride - pad;
    REAL acc = b[fi];
    for (int ci = 0; ci < c; ++ci) {
        __global const REAL *xp = x + ((long)ni * c + ci) * h * wd;
        __global const REAL *wp = w + ((long)fi * c + ci) * k * k;
        for (int i = 0; i < k; ++i) {
            int hi = h0 + i;
            if (hi < 0 || hi >= h) continue;
            for (int j = 0; j < k; ++j) {
                int wi = w0 + j;
                if (wi < 0 || wi >= wd) continue;
                acc = xp[hi * wd + wi] * wp[i * k + j] + acc;
            }
        }
    }
    z[gid] = acc;
}

// dx[n, c, hi, wi] = sum over the filters f and taps (i, j) whose output position
// (oh, ow) = ((hi + pad - i) / s, (wi + pad - j) / s) exists and divides exactly.
__kernel void k_conv2d_bwd_dx(__global const REAL *dz, __global const REAL *w, __global REAL *dx,
                              int n, int c, int h, int wd, int f, int k,
                              int oh, int ow, int stride, int pad)
{
    int gid = get_global_id(0);
    if (gid >= n * c * h * wd) return;
    int t = gid / wd;
    int wi = gid - t * wd;
    int t2 = t / h;
    int hi = t - t2 * h;
    int ni = t2 / c;
    int ci = t2 - ni * c;
    int hp = hi + pad, wp = wi + pad;
    REAL acc = (REAL)0;
    for (int i = 0; i < k; ++i) {
        int dh = hp - i;
        if (dh < 0) continue;
        int p = dh / stride;
        if (p * stride != dh || p >= oh) continue;
        for (int j = 0; j < k; ++j) {
            int dw = wp - j;
            if (dw < 0) continue;
            int q = dw / stride;
            if (q * stride != dw || q >= ow) continue;
            for (int fi = 0; fi < f; ++fi)
                acc = dz[(((long)ni * f + fi) * oh + p) * ow + q] * w[(((long)fi * c + ci) * k + i) * k + j] + acc;
        }
    }
    dx[gid] = acc;
}

// dw[f, c, i, j] = sum over n, oh, ow of dz[n, f, oh, ow] * x[n, c, oh*s + i - pad, ow*s + j - pad]
__kernel void k_conv2d_bwd_dw(__global const REAL *x, __global const REAL *dz, __global REAL *dw,
                              int n, int c, int h, int wd, int f, int k,
                              int oh, int ow, int stride, int pad)
{
    int gid = get_global_id(0);
    if (gid >= f * c * k * k) return;
    int t = gid / k;
    int j = gid - t * k;
    int t2 = t / k;
    int i = t - t2 * k;
    int fi = t2 / c;
    int ci = t2 - fi * c;
    REAL acc = (REAL)0;
    for (int ni = 0; ni < n; ++ni) {
        __global const REAL *xp = x + ((long)ni * c + ci) * h * wd;
        __global const REAL *dp = dz + ((long)ni * f + fi) * oh * ow;
        for (int p = 0; p < oh; ++p) {
            int hi = p * stride + i - pad;
            if (hi < 0 || hi >= h) continue;
            for (int q = 0; q < ow; ++q) {
                int wi = q * stride + j - pad;
                if (wi < 0 || wi >= wd) continue;
                acc = dp[p * ow + q] * xp[hi * wd + wi] + acc;
            }
        }
    }
    dw[gid] = acc;
}
