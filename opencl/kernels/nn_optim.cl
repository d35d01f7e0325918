// Optimiser steps, in place, PER_ITEM parameter elements per work-item (see prelude.cl);
// the same arithmetic as torch.optim.SGD and torch.optim.Adam (single-tensor path).

// p -= lr * g
__kernel void k_sgd_plain(__global REAL *p, __global const REAL *g, int n, REAL lr)
{
    for (EACH_ELEMENT(i, n))
        p[i] -= lr * g[i];
}

// v = mu*v + g; p -= lr * (nesterov ? g + mu*v : v)
__kernel void k_sgd_momentum(__global REAL *p, __global const REAL *g, __global REAL *v,
                             int n, REAL lr, REAL mu, int nesterov)
{
    for (EACH_ELEMENT(i, n)) {
        REAL gi = g[i];
        REAL vi = mu * v[i] + gi;
        v[i] = vi;
        REAL d = nesterov ? mu * vi + gi : vi;
        p[i] -= lr * d;
    }
}

// One element of Adam's step (k_adam and k_adam4).
inline void opt_adam(__global REAL *p, __global const REAL *g, __global REAL *m, __global REAL *v, int i,
                     REAL step_size, REAL beta1, REAL beta2, REAL eps, REAL bc2_sqrt)
{
    REAL gi = g[i];
    REAL mi = m[i];
    mi = mi + ((REAL)1 - beta1) * (gi - mi);
    REAL vi = beta2 * v[i] + ((REAL)1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    REAL denom = sqrt(vi) / bc2_sqrt + eps;
    p[i] -= step_size * (mi / denom);
}

// m += (1 - b1)(g - m); v = b2*v + (1 - b2) g^2; p -= step_size * m / (sqrt(v)/bc2_sqrt + eps)
// with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) computed on the host.
__kernel void k_adam(__global REAL *p, __global const REAL *g, __global REAL *m, __global REAL *v,
                     int n, REAL step_size, REAL beta1, REAL beta2, REAL eps, REAL bc2_sqrt)
{
    for (EACH_ELEMENT(i, n)) {
        opt_adam(p, g, m, v, i, step_size, beta1, beta2, eps, bc2_sqrt);
    }
}

// The same updates for up to four parameters in one launch (a network's W and b of two
// layers, say): each launch costs the host and the device a few microseconds, more than
// the update of a small tensor. Work-items first cover tensor 0 (PER_ITEM elements
// each), then tensor 1, and so on; an unused slot has n = 0.
inline int opt_items(int n) { return (n + PER_ITEM - 1) / PER_ITEM; }

__kernel void k_sgd_plain4(__global REAL *p0, __global const REAL *g0, __global REAL *p1, __global const REAL *g1,
                           __global REAL *p2, __global const REAL *g2, __global REAL *p3, __global const REAL *g3,
                           int n0, int n1, int n2, int n3, REAL lr)
{
    int item = get_global_id(0);
    __global REAL *p;
    __global const REAL *g;
    int n;
    int c0 = opt_items(n0), c1 = opt_items(n1), c2 = opt_items(n2), c3 = opt_items(n3);
    if (item < c0) { p = p0; g = g0; n = n0; }
    else if ((item -= c0) < c1) { p = p1; g = g1; n = n1; }
    else if ((item -= c1) < c2) { p = p2; g = g2; n = n2; }
    else if ((item -= c2) < c3) { p = p3; g = g3; n = n3; }
    else return;
    int i0 = item * PER_ITEM, i1 = n - i0 < PER_ITEM ? n : i0 + PER_ITEM;
    for (int i = i0; i < i1; ++i)
        p[i] -= lr * g[i];
}

__kernel void k_adam4(__global REAL *p0, __global const REAL *g0, __global REAL *m0, __global REAL *v0,
                      __global REAL *p1, __global const REAL *g1, __global REAL *m1, __global REAL *v1,
                      __global REAL *p2, __global const REAL *g2, __global REAL *m2, __global REAL *v2,
                      __global REAL *p3, __global const REAL *g3, __global REAL *m3, __global REAL *v3,
                      int n0, int n1, int n2, int n3,
                      REAL step_size, REAL beta1, REAL beta2, REAL eps, REAL bc2_sqrt)
{
    int item = get_global_id(0);
    __global REAL *p, *m, *v;
    __global const REAL *g;
    int n;
    int c0 = opt_items(n0), c1 = opt_items(n1), c2 = opt_items(n2), c3 = opt_items(n3);
    if (item < c0) { p = p0; g = g0; m = m0; v = v0; n = n0; }
    else if ((item -= c0) < c1) { p = p1; g = g1; m = m1; v = v1; n = n1; }
    else if ((item -= c1) < c2) { p = p2; g = g2; m = m2; v = v2; n = n2; }
    else if ((item -= c2) < c3) { p = p3; g = g3; m = m3; v = v3; n = n3; }
    else return;
    int i0 = item * PER_ITEM, i1 = n - i0 < PER_ITEM ? n : i0 + PER_ITEM;
    for (int i = i0; i < i1; ++i) {
        opt_adam(p, g, m, v, i, step_size, beta1, beta2, eps, bc2_sqrt);
    }
}
