// Small neural-network helpers: bias broadcast and its gradient, time-step slicing of
// sequences, the non-finite counter, and the second stage of every reduction.
// One work-item per output element; the global size is rounded up, so each kernel
// checks its index against the true size.

// z[(n*U + c)*inner + i] += b[c]: z is (N, U) (inner = 1) or (N, C, H, W) (inner = H*W).
__kernel void k_add_bias(__global REAL *z, __global const REAL *b, int total, int units, int inner)
{
    int gid = get_global_id(0);
    if (gid >= total) return;
    z[gid] += b[(gid / inner) % units];
}

// out[c] = sum over n and the inner positions of g[n, c, ...]. One work-item per channel:
// a gather, so no two work-items ever write the same element.
__kernel void k_bias_grad(__global const REAL *g, __global REAL *out, int n, int units, int inner)
{
    int c = get_global_id(0);
    if (c >= units) return;
    REAL acc = (REAL)0;
    for (int s = 0; s < n; ++s) {
        __global const REAL *row = g + ((long)s * units + c) * inner;
        for (int i = 0; i < inner; ++i)
            acc += row[i];
    }
    out[c] = acc;
}

// dst[r, :] = src[idx[start + r], :] for r < count, rows of feat values: a batch picked from
// the training set by the epoch's order. Work-item (j, r) copies PER_ITEM values of row r
// (a vectorisable loop on CPUs; one value per work-item on GPUs, see prelude.cl).
#define GATHER_ROWS(name, T)                                                              \
__kernel void name(__global const T *src, __global const int *idx, __global T *dst,       \
                   int start, int count, int feat)                                        \
{                                                                                         \
    int r = get_global_id(1);                                                             \
    if (r >= count) return;                                                               \
    __global const T *from = src + (long)idx[start + r] * feat;                           \
    __global T *to = dst + (long)r * feat;                                                \
    for (EACH_ELEMENT(j, feat))                                                           \
        to[j] = from[j];                                                                  \
}
GATHER_ROWS(k_gather_rows, REAL)
GATHER_ROWS(k_gather_rows_int, int)

// out (N, F) = x[:, t, :] of x (N, T, F).
__kernel void k_time_slice(__global const REAL *x, __global REAL *out, int n, int steps, int feat, int t)
{
    int gid = get_global_id(0);
    if (gid >= n * feat) return;
    int s = gid / feat, f = gid - s * feat;
    out[gid] = x[((long)s * steps + t) * feat + f];
}

// dst[:, t, :] = src: dst (N, T, U), src (N, U).
__kernel void k_time_store(__global REAL *dst, __global const REAL *src, int n, int steps, int units, int t)
{
    int gid = get_global_id(0);
    if (gid >= n * units) return;
    int s = gid / units, u = gid - s * units;
    dst[((long)s * steps + t) * units + u] = src[gid];
}

// counter[0] += number of NaN/inf in a. Each work-item counts a strided share first, so
// the atomic is touched at most once per work-item (and not at all for finite data).
__kernel void k_count_nonfinite(__global const REAL *a, int n, int parts, __global int *counter)
{
    int gid = get_global_id(0);
    int count = 0;
    for (int i = gid; i < n; i += parts)
        count += isfinite(a[i]) ? 0 : 1;
    if (count)
        atomic_add(counter, count);
}

// Second stage of a reduction: out[0] = scale * sum of the `parts` partial sums that the
// first stage wrote, one per work-item. A single work-item does it: parts is at most a
// few thousand, and there is nothing to synchronise.
__kernel void k_sum_partials(__global const REAL *partials, int parts, __global REAL *out, REAL scale)
{
    if (get_global_id(0) != 0) return;
    REAL acc = (REAL)0;
    for (int i = 0; i < parts; ++i)
        acc += partials[i];
    out[0] = acc * scale;
}

// In place dw += d penalty / dw, and per-work-item partial sums of the penalty (before
// the rate: the second stage scales). kind 2 = L2 (sum w^2, gradient rate*w),
// kind 1 = L1 (sum |w|, gradient rate*sign(w), sign(0) = 0).
__kernel void k_regularize(__global const REAL *w, __global REAL *dw, __global REAL *partials,
                           int n, int parts, int kind, REAL rate)
{
    int gid = get_global_id(0);
    if (gid >= parts) return;
    REAL acc = (REAL)0;
    for (int i = gid; i < n; i += parts) {
        REAL v = w[i];
        if (kind == 2) {
            dw[i] += rate * v;
            acc = v * v + acc;
        } else {
            REAL sg = v > (REAL)0 ? (REAL)1 : (v < (REAL)0 ? (REAL)-1 : (REAL)0);
            dw[i] += rate * sg;
            acc += fabs(v);
        }
    }
    partials[gid] = acc;
}
