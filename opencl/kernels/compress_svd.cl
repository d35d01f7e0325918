// One-sided Jacobi SVD (Hestenes). The host keeps G = A^T (n x m, row j = column j of A,
// contiguous) and W = V^T (n x n, starting as the identity). A sweep visits every pair
// of columns (p, q) once; the rotation that makes columns p and q of A orthogonal is
// applied to rows p and q of G and of W. When no pair is left far from orthogonal,
// the row norms of G are the singular values, the normalised rows of G are U^T and W
// is V^T.
//
// A sweep is n2 - 1 rounds (n2 = n rounded up to even) of n2/2 disjoint pairs, one
// work-item per pair, in the round-robin ("circle") order: pair 0 is (r, n2-1), pair g
// is ((r + g) mod (n2-1), (r - g) mod (n2-1)). Disjoint pairs touch disjoint rows, so a
// round needs no synchronisation inside; the in-order queue orders the rounds. A pair
// with an index >= n (the dummy column of odd n) does nothing.
//
// off[g] collects, over the sweep, the largest |cos| of the angle between the columns
// that work-item g saw before rotating them: |γ| / sqrt(α β). Round 0 overwrites it, so
// the host needs no reset. The host reads `off` once per sweep to decide whether to
// go on.

#pragma clang fp contract(fast)

__kernel void k_jacobi_round(__global REAL *g, __global REAL *w, __global REAL *off,
                             int n, int m, int n2, int round, REAL tol)
{
    int k = get_global_id(0);
    int npairs = n2 / 2;
    if (k >= npairs) return;
    int last = n2 - 1;
    int p, q;
    if (k == 0) {
        p = round;
        q = last;
    } else {
        p = round + k;
        if (p >= last) p -= last;
        q = round - k;
        if (q < 0) q += last;
    }
    REAL measure = (REAL)0;
    if (p < n && q < n) {
        __global REAL *gp = g + (long)p * m;
        __global REAL *gq = g + (long)q * m;
        REAL alpha = (REAL)0, beta = (REAL)0, gamma = (REAL)0;
        for (int i = 0; i < m; ++i) {
            REAL x = gp[i], y = gq[i];
            alpha = x * x + alpha;
            beta = y * y + beta;
            gamma = x * y + gamma;
        }
        if (alpha > (REAL)0 && beta > (REAL)0) {
            measure = fabs(gamma) / sqrt(alpha) / sqrt(beta);
            if (measure > tol) {
                REAL zeta = (beta - alpha) / ((REAL)2 * gamma);
                // the smaller of the two roots of t² + 2ζt − 1 = 0: a rotation of at most 45°
                REAL t = (zeta >= (REAL)0 ? (REAL)1 : (REAL)-1) / (fabs(zeta) + sqrt((REAL)1 + zeta * zeta));
                REAL c = (REAL)1 / sqrt((REAL)1 + t * t);
                REAL s = c * t;
                for (int i = 0; i < m; ++i) {
                    REAL x = gp[i], y = gq[i];
                    gp[i] = c * x - s * y;
                    gq[i] = s * x + c * y;
                }
                __global REAL *wp = w + (long)p * n;
                __global REAL *wq = w + (long)q * n;
                for (int i = 0; i < n; ++i) {
                    REAL x = wp[i], y = wq[i];
                    wp[i] = c * x - s * y;
                    wq[i] = s * x + c * y;
                }
            }
        }
    }
    off[k] = round == 0 ? measure : fmax(off[k], measure);
}

// s[j] = |row j of G|, and row j of G divided by it (a zero row stays zero): G becomes
// U^T. One work-item per row.
__kernel void k_jacobi_norms(__global REAL *g, __global REAL *s, int n, int m)
{
    int j = get_global_id(0);
    if (j >= n) return;
    __global REAL *row = g + (long)j * m;
    REAL acc = (REAL)0;
    for (int i = 0; i < m; ++i)
        acc = row[i] * row[i] + acc;
    REAL norm = sqrt(acc);
    s[j] = norm;
    if (norm > (REAL)0) {
        REAL inv = (REAL)1 / norm;
        for (int i = 0; i < m; ++i)
            row[i] *= inv;
    }
}

// W = I (n x n), the starting V^T.
__kernel void k_jacobi_eye(__global REAL *w, int n)
{
    int j = get_global_id(0), i = get_global_id(1);
    if (i >= n || j >= n) return;
    w[(long)i * n + j] = i == j ? (REAL)1 : (REAL)0;
}
