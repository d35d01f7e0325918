// Gaussian elimination with partial pivoting on the augmented matrix m = [A | B]
// (n rows, w = n + nb columns, row-major). The host queues, for each column c:
//   k_gauss_pivot  (one work-item) finds the row of largest |m[r, c]|, r >= c, and
//                  records it, or flags the column as singular;
//   k_gauss_swap   swaps that row with row c and divides row c by the pivot;
//   k_gauss_elim   subtracts multiples of row c from the other rows (all of them for
//                  Gauss-Jordan, only those below c for a determinant).
// Nothing waits for the device in between: once a column is flagged singular every
// later kernel returns at once, and the host reads the flag a single time at the end.
//
// info[0]: 0, or 1 + the first column with no usable pivot
// info[1]: the pivot row of the current column
// info[2]: the number of row swaps so far (the sign of the determinant)

// m[r, j] = a[r, j] for j < n, b[r, j - n] after.
__kernel void k_gauss_pack(__global const REAL *a, __global const REAL *b, __global REAL *m,
                           int n, int nb)
{
    int j = get_global_id(0), r = get_global_id(1);
    int w = n + nb;
    if (r >= n || j >= w) return;
    m[(long)r * w + j] = j < n ? a[(long)r * n + j] : b[(long)r * nb + (j - n)];
}

// x[r, k] = m[r, n + k]: the right-hand side after Gauss-Jordan holds the solution.
__kernel void k_gauss_unpack(__global const REAL *m, __global REAL *x, int n, int nb)
{
    int k = get_global_id(0), r = get_global_id(1);
    if (r >= n || k >= nb) return;
    x[(long)r * nb + k] = m[(long)r * (n + nb) + n + k];
}

// Second stage of the |a| maximum: tol[0] = scale * max(partials), scale = n * eps.
// Also resets info, so one launch prepares a whole elimination.
__kernel void k_gauss_start(__global const REAL *partials, int parts, REAL scale,
                            __global REAL *tol, __global int *info)
{
    if (get_global_id(0) != 0) return;
    REAL mx = (REAL)0;
    for (int i = 0; i < parts; ++i)
        mx = fmax(mx, partials[i]);
    tol[0] = scale * mx;
    info[0] = 0;
    info[1] = 0;
    info[2] = 0;
}

// One work-item: a column holds at most a few thousand entries, and a serial scan
// needs no synchronisation. The first of equal maxima wins, as numpy's argmax.
__kernel void k_gauss_pivot(__global const REAL *m, int n, int w, int c,
                            __global const REAL *tol, __global int *info, __global REAL *pivots)
{
    if (get_global_id(0) != 0 || info[0] != 0) return;
    int best = c;
    REAL big = fabs(m[(long)c * w + c]);
    for (int r = c + 1; r < n; ++r) {
        REAL v = fabs(m[(long)r * w + c]);
        if (v > big) { big = v; best = r; }
    }
    // "not >" rather than "<=" so that a NaN pivot also counts as missing
    if (!(big > tol[0])) {
        info[0] = c + 1;
        return;
    }
    info[1] = best;
    if (best != c) info[2] += 1;
    pivots[c] = m[(long)best * w + c];
}

// Swap rows c and info[1] from column c on, dividing the new row c by the pivot.
// Columns left of c are zero in both rows (already eliminated), so they need no swap.
__kernel void k_gauss_swap(__global REAL *m, int w, int c,
                           __global const int *info, __global const REAL *pivots)
{
    int j = c + get_global_id(0);
    if (j >= w || info[0] != 0) return;
    int p = info[1];
    REAL piv = pivots[c];
    long oc = (long)c * w + j, op = (long)p * w + j;
    REAL t = m[op];
    m[op] = m[oc];
    m[oc] = t / piv;
}

// m[r, j] -= m[r, c] * m[c, j] for r != c (r > c when below_only) and j > c.
// Column c itself is left as it is: later steps never read it, and not writing it means
// no work-item overwrites a multiplier another one still needs.
__kernel void k_gauss_elim(__global REAL *m, int n, int w, int c, int below_only,
                           __global const int *info)
{
    int j = c + 1 + get_global_id(0), r = get_global_id(1);
    if (below_only) r += c + 1;
    if (j >= w || r >= n || r == c || info[0] != 0) return;
    REAL f = m[(long)r * w + c];
    m[(long)r * w + j] = m[(long)r * w + j] - f * m[(long)c * w + j];
}
