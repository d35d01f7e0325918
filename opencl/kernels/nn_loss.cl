// Losses, first stage: each of `parts` work-items handles a strided share of the
// elements (or rows), writes their gradient, and stores its partial loss sum in
// partials[gid]. k_sum_partials (nn_misc.cl) then adds the partials and takes the mean.
// No work-item writes what another reads, so there is nothing to race.

// mse: d = a - y, da = d * 2/n, loss terms d^2.
__kernel void k_mse(__global const REAL *a, __global const REAL *y, __global REAL *da,
                    __global REAL *partials, int n, int parts, REAL grad_scale)
{
    int gid = get_global_id(0);
    if (gid >= parts) return;
    REAL acc = (REAL)0;
    for (int i = gid; i < n; i += parts) {
        REAL d = a[i] - y[i];
        da[i] = d * grad_scale;
        acc = d * d + acc;
    }
    partials[gid] = acc;
}

// bce from logits: max(z, 0) - z*y + log(1 + e^-|z|); dz = (sigmoid(z) - y) / n.
__kernel void k_bce(__global const REAL *z, __global const REAL *y, __global REAL *dz,
                    __global REAL *partials, int n, int parts, REAL grad_scale)
{
    int gid = get_global_id(0);
    if (gid >= parts) return;
    REAL acc = (REAL)0;
    for (int i = gid; i < n; i += parts) {
        REAL v = z[i], t = y[i];
        REAL e = exp(-fabs(v));
        REAL s = v >= (REAL)0 ? (REAL)1 / ((REAL)1 + e) : e / ((REAL)1 + e);
        acc += fmax(v, (REAL)0) - v * t + log1p(e);
        dz[i] = (s - t) * grad_scale;
    }
    partials[gid] = acc;
}

// softmax cross-entropy from logits z (rows, cols) and int labels: one row at a time,
// loss term log(sum e^(z - max)) - (z[label] - max), dz = (softmax - onehot) / rows.
// A label outside 0..cols-1 makes the loss NaN (the host cannot check without waiting).
__kernel void k_softmax_ce(__global const REAL *z, __global const int *labels, __global REAL *dz,
                           __global REAL *partials, int rows, int cols, int parts, REAL grad_scale)
{
    int gid = get_global_id(0);
    if (gid >= parts) return;
    REAL acc = (REAL)0;
    for (int r = gid; r < rows; r += parts) {
        __global const REAL *zr = z + (long)r * cols;
        __global REAL *dr = dz + (long)r * cols;
        int label = labels[r];
        REAL m = zr[0];
        for (int j = 1; j < cols; ++j)
            m = zr[j] > m ? zr[j] : m;  // not fmax: a call on some CPU compilers
        REAL s = (REAL)0;
        for (int j = 0; j < cols; ++j) {
            REAL e = exp(zr[j] - m);  // each exponential once: kept in dz until s is known
            dr[j] = e;
            s += e;
        }
        REAL inv = (REAL)1 / s;
        for (int j = 0; j < cols; ++j) {
            REAL p = dr[j] * inv;
            dr[j] = (j == label ? p - (REAL)1 : p) * grad_scale;
        }
        if (label >= 0 && label < cols)
            acc += log(s) - (zr[label] - m);
        else
            acc += NAN;
    }
    partials[gid] = acc;
}
