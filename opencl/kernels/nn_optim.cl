// Optimiser steps, in place, one work-item per parameter element; the same arithmetic
// as torch.optim.SGD and torch.optim.Adam (single-tensor path).

// p -= lr * g
__kernel void k_sgd_plain(__global REAL *p, __global const REAL *g, int n, REAL lr)
{
    int gid = get_global_id(0);
    if (gid >= n) return;
    p[gid] -= lr * g[gid];
}

// v = mu*v + g; p -= lr * (nesterov ? g + mu*v : v)
__kernel void k_sgd_momentum(__global REAL *p, __global const REAL *g, __global REAL *v,
                             int n, REAL lr, REAL mu, int nesterov)
{
    int gid = get_global_id(0);
    if (gid >= n) return;
    REAL gi = g[gid];
    REAL vi = mu * v[gid] + gi;
    v[gid] = vi;
    REAL d = nesterov ? mu * vi + gi : vi;
    p[gid] -= lr * d;
}

// m += (1 - b1)(g - m); v = b2*v + (1 - b2) g^2; p -= step_size * m / (sqrt(v)/bc2_sqrt + eps)
// with step_size = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) computed on the host.
__kernel void k_adam(__global REAL *p, __global const REAL *g, __global REAL *m, __global REAL *v,
                     int n, REAL step_size, REAL beta1, REAL beta2, REAL eps, REAL bc2_sqrt)
{
    int gid = get_global_id(0);
    if (gid >= n) return;
    REAL gi = g[gid];
    REAL mi = m[gid];
    mi = mi + ((REAL)1 - beta1) * (gi - mi);
    REAL vi = beta2 * v[gid] + ((REAL)1 - beta2) * gi * gi;
    m[gid] = mi;
    v[gid] = vi;
    REAL denom = sqrt(vi) / bc2_sqrt + eps;
    p[gid] -= step_size * (mi / denom);
}
