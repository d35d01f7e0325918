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

// ---------------------------------------------------------------------------------------
// Row kernels: the fast path on CPU devices. One work-item computes whole rows, with the
// input rows it reads copied (zero-padded) into private arrays first, so every inner loop
// runs a fixed count over contiguous private data: no bounds checks, no index division,
// and the compiler may vectorise it. Launched with one-item work-groups over exact global
// sizes, so there is no bounds check on the ids either. The host uses them only while
// the rows fit the private arrays below (see engine/backend/cl_nn.py), else the gathers
// above.

#define CONV_MAXW 64                         // widest output row
#define CONV_MAXK 7                          // largest kernel side
#define CONV_ROW (2 * CONV_MAXW + CONV_MAXK + 2)  // input columns read by one row, stride <= 2
#define CONV_ACC 512                         // accumulators of one work-item (forward)
#define CONV_ACC_Q 2048                      // per-column accumulators of one dw work-item

// Copy input row hi of plane xp into row[0 .. len), column t holding x[hi, t - pad]
// (zero outside the image, and the whole row zero when hi is outside).
inline void conv_load_row(__global const REAL *xp, int hi, int h, int wd, int pad, int len, REAL *row)
{
    if (hi < 0 || hi >= h) {
        for (int t = 0; t < len; ++t)
            row[t] = (REAL)0;
        return;
    }
    __global const REAL *xr = xp + (long)hi * wd;
    for (int t = 0; t < len; ++t) {
        int wi = t - pad;
        row[t] = (wi >= 0 && wi < wd) ? xr[wi] : (REAL)0;
    }
}

// Work-item (p, n, g): output row p of sample n for filters g*fb .. g*fb + fb - 1. With
// kind > 0 it also writes a = f(z) (the layer's activation, see nn_act in prelude.cl).
__kernel void k_conv2d_fwd_rows(__global const REAL *x, __global const REAL *w, __global const REAL *b,
                                __global REAL *z, __global REAL *a_out, int n, int c, int h, int wd,
                                int f, int k, int oh, int ow, int stride, int pad, int fb,
                                int kind, REAL alpha)
{
    int p = get_global_id(0), ni = get_global_id(1), f0 = get_global_id(2) * fb;
    int nf = min(fb, f - f0);
    int span = (ow - 1) * stride + k;
    REAL acc[CONV_ACC];
    REAL row[CONV_ROW];
    for (int fi = 0; fi < nf; ++fi) {
        REAL bias = b[f0 + fi];
        for (int q = 0; q < ow; ++q)
            acc[fi * ow + q] = bias;
    }
    for (int ci = 0; ci < c; ++ci) {
        __global const REAL *xp = x + ((long)ni * c + ci) * h * wd;
        for (int i = 0; i < k; ++i) {
            int hi = p * stride - pad + i;
            if (hi < 0 || hi >= h)
                continue;  // a padding row adds nothing
            conv_load_row(xp, hi, h, wd, pad, span, row);
            for (int fi = 0; fi < nf; ++fi) {
                __global const REAL *wr = w + (((long)(f0 + fi) * c + ci) * k + i) * k;
                REAL *a = acc + fi * ow;
                for (int j = 0; j < k; ++j) {
                    REAL wv = wr[j];
                    if (stride == 1) {
                        for (int q = 0; q < ow; ++q)
                            a[q] = row[q + j] * wv + a[q];
                    } else {
                        for (int q = 0; q < ow; ++q)
                            a[q] = row[q * stride + j] * wv + a[q];
                    }
                }
            }
        }
    }
    for (int fi = 0; fi < nf; ++fi) {
        long o = (((long)ni * f + f0 + fi) * oh + p) * ow;
        for (int q = 0; q < ow; ++q)
            z[o + q] = acc[fi * ow + q];
        if (kind > 0)
            for (int q = 0; q < ow; ++q)
                a_out[o + q] = nn_act(acc[fi * ow + q], kind, alpha);
    }
}

// Work-item (hi, ci, n): row hi of dx for channel ci of sample n, gathered from every
// output row p with p*stride + i - pad = hi. acc[t] holds dx[hi, t - pad].
__kernel void k_conv2d_bwd_dx_rows(__global const REAL *dz, __global const REAL *w, __global REAL *dx,
                                   int n, int c, int h, int wd, int f, int k,
                                   int oh, int ow, int stride, int pad)
{
    int hi = get_global_id(0), ci = get_global_id(1), ni = get_global_id(2);
    int len = max((ow - 1) * stride + k, wd + pad);
    REAL acc[CONV_ROW];
    for (int t = 0; t < len; ++t)
        acc[t] = (REAL)0;
    for (int i = 0; i < k; ++i) {
        int d = hi + pad - i;
        if (d < 0)
            break;  // d only falls as i grows
        int p = d / stride;
        if (p * stride != d || p >= oh)
            continue;
        for (int fi = 0; fi < f; ++fi) {
            __global const REAL *dzr = dz + (((long)ni * f + fi) * oh + p) * ow;
            __global const REAL *wr = w + (((long)fi * c + ci) * k + i) * k;
            for (int j = 0; j < k; ++j) {
                REAL wv = wr[j];
                if (stride == 1) {
                    for (int q = 0; q < ow; ++q)
                        acc[q + j] = dzr[q] * wv + acc[q + j];
                } else {
                    for (int q = 0; q < ow; ++q)
                        acc[q * stride + j] = dzr[q] * wv + acc[q * stride + j];
                }
            }
        }
    }
    __global REAL *dr = dx + (((long)ni * c + ci) * h + hi) * wd;
    for (int t = 0; t < wd; ++t)
        dr[t] = acc[t + pad];
}

// First stage of dw and db. Work-item (g, ci, fg) sums samples g*per .. g*per + per - 1
// for channel ci and filters fg*fb .. into part[g * L + e], L = f*c*k*k + f, with
// e = ((fi*c + ci)*k + i)*k + j for dw and f*c*k*k + fi for db (written by ci = 0 only).
// The products are summed per output column q first (acc[(e*ow + q]: a loop over q with
// no reduction in it, which the compiler can vectorise) and over q at the end.
__kernel void k_conv2d_bwd_dw_rows(__global const REAL *x, __global const REAL *dz, __global REAL *part,
                                   int n, int c, int h, int wd, int f, int k,
                                   int oh, int ow, int stride, int pad, int fb, int per)
{
    int g = get_global_id(0), ci = get_global_id(1), f0 = get_global_id(2) * fb;
    int nf = min(fb, f - f0);
    int kk = k * k;
    int span = (ow - 1) * stride + k;
    long L = (long)f * c * kk + f;
    REAL acc[CONV_ACC_Q];
    REAL dbacc[CONV_ACC_Q];
    REAL rows[CONV_MAXK * CONV_ROW];
    REAL dzr[CONV_MAXW];
    for (int e = 0; e < nf * kk * ow; ++e)
        acc[e] = (REAL)0;
    for (int e = 0; e < nf * ow; ++e)
        dbacc[e] = (REAL)0;
    int n1 = min(n, (g + 1) * per);
    for (int ni = g * per; ni < n1; ++ni) {
        __global const REAL *xp = x + ((long)ni * c + ci) * h * wd;
        for (int p = 0; p < oh; ++p) {
            for (int i = 0; i < k; ++i)
                conv_load_row(xp, p * stride - pad + i, h, wd, pad, span, rows + i * CONV_ROW);
            for (int fi = 0; fi < nf; ++fi) {
                __global const REAL *dzg = dz + (((long)ni * f + f0 + fi) * oh + p) * ow;
                for (int q = 0; q < ow; ++q)
                    dzr[q] = dzg[q];
                for (int i = 0; i < k; ++i) {
                    const REAL *row = rows + i * CONV_ROW;
                    for (int j = 0; j < k; ++j) {
                        REAL *a = acc + ((fi * k + i) * k + j) * ow;
                        if (stride == 1) {
                            for (int q = 0; q < ow; ++q)
                                a[q] = dzr[q] * row[q + j] + a[q];
                        } else {
                            for (int q = 0; q < ow; ++q)
                                a[q] = dzr[q] * row[q * stride + j] + a[q];
                        }
                    }
                }
                if (ci == 0) {
                    REAL *a = dbacc + fi * ow;
                    for (int q = 0; q < ow; ++q)
                        a[q] += dzr[q];
                }
            }
        }
    }
    __global REAL *out = part + g * L;
    for (int fi = 0; fi < nf; ++fi)
        for (int e = 0; e < kk; ++e) {
            REAL *a = acc + (fi * kk + e) * ow;
            REAL s = (REAL)0;
            for (int q = 0; q < ow; ++q)
                s += a[q];
            out[((long)(f0 + fi) * c + ci) * kk + e] = s;
        }
    if (ci == 0)
        for (int fi = 0; fi < nf; ++fi) {
            REAL s = (REAL)0;
            for (int q = 0; q < ow; ++q)
                s += dbacc[fi * ow + q];
            out[(long)f * c * kk + f0 + fi] = s;
        }
}

// Second stage: dw[e] (e < fckk) or db[e - fckk] = the sum over the groups of part[g * L + e].
__kernel void k_conv2d_bwd_reduce(__global const REAL *part, __global REAL *dw, __global REAL *db,
                                  int groups, int fckk, int f)
{
    int e = get_global_id(0);
    int L = fckk + f;
    if (e >= L) return;
    REAL s = (REAL)0;
    for (int g = 0; g < groups; ++g)
        s += part[(long)g * L + e];
    if (e < fckk)
        dw[e] = s;
    else
        db[e - fckk] = s;
}
