// Accumulated rounding: three ways to add up the same n terms (float terms, summed in
// REAL). The first two run on a single work-item on purpose: a running sum, one term
// after another, is exactly the computation whose rounding errors pile up.
//
// Both write the running sum after checkpoint[c] terms into out[c] (checkpoints
// ascending, the last one <= n), so one pass gives the error as it grows.

// sum = sum + x[i], rounded to REAL after every addition.
__kernel void k_sum_naive(__global const float *x, __global const int *checkpoint,
                          __global REAL *out, int n, int ncheck)
{
    if (get_global_id(0) != 0) return;
    REAL sum = (REAL)0;
    int c = 0;
    for (int i = 0; i < n && c < ncheck; ++i) {
        sum = sum + (REAL)x[i];
        while (c < ncheck && checkpoint[c] == i + 1)
            out[c++] = sum;
    }
}

// Kahan's compensated sum: `comp` carries the low-order bits each addition lost and
// feeds them back into the next term, so the error stays near one rounding whatever n.
// (No multiplications here, so floating-point contraction cannot reorder it.)
__kernel void k_sum_kahan(__global const float *x, __global const int *checkpoint,
                          __global REAL *out, int n, int ncheck)
{
    if (get_global_id(0) != 0) return;
    REAL sum = (REAL)0, comp = (REAL)0;
    int c = 0;
    for (int i = 0; i < n && c < ncheck; ++i) {
        REAL y = (REAL)x[i] - comp;
        REAL t = sum + y;
        comp = (t - sum) - y;
        sum = t;
        while (c < ncheck && checkpoint[c] == i + 1)
            out[c++] = sum;
    }
}

// One level of pairwise (tree) summation: out[i] = in[2i] + in[2i+1] (the odd last one
// carried over). log2(n) levels add n terms with each term going through only log2(n)
// roundings, which is why parallel reductions are also the accurate ones.
__kernel void k_sum_pairs_first(__global const float *x, __global REAL *out, int n)
{
    int i = get_global_id(0);
    int half_n = (n + 1) / 2;
    if (i >= half_n) return;
    REAL v = (REAL)x[2 * i];
    if (2 * i + 1 < n)
        v = v + (REAL)x[2 * i + 1];
    out[i] = v;
}

__kernel void k_sum_pairs(__global const REAL *in, __global REAL *out, int n)
{
    int i = get_global_id(0);
    int half_n = (n + 1) / 2;
    if (i >= half_n) return;
    REAL v = in[2 * i];
    if (2 * i + 1 < n)
        v = v + in[2 * i + 1];
    out[i] = v;
}
