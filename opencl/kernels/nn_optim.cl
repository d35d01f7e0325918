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

// m += (1 - b1)(g - m); v = b2*v + (1 - b2) g^2; p -= step_size * m / (sqrt(v)/bc2_sqrt + eps)
// with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) computed on the host.
__kernel void k_adam(__global REAL *p, __global const REAL *g, __global REAL *m, __global REAL *v,
                     int n, REAL step_size, REAL beta1, REAL beta2, REAL eps, REAL bc2_sqrt)
{
    for (EACH_ELEMENT(i, n)) {
        REAL gi = g[i];
        REAL mi = m[i];
        mi = mi + ((REAL)1 - beta1) * (gi - mi);
        REAL vi = beta2 * v[i] + ((REAL)1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        REAL denom = sqrt(vi) / bc2_sqrt + eps;
        p[i] -= step_size * (mi / denom);
    }
}
