// Activations and their backward passes. kind: 0 linear, 1 relu, 2 leaky_relu,
// 3 tanh, 4 sigmoid (softmax has its own row-wise kernels below). The kind is a
// run-time argument rather than a -D option: the branch is uniform over the launch,
// and one program serves every layer.

inline REAL nn_sigmoid(REAL z)
{
    // exp(-|z|) never overflows, and each branch divides by a number >= 1
    REAL e = exp(-fabs(z));
    return z >= (REAL)0 ? (REAL)1 / ((REAL)1 + e) : e / ((REAL)1 + e);
}

__kernel void k_act_fwd(__global const REAL *z, __global REAL *a, int n, int kind, REAL alpha)
{
    int gid = get_global_id(0);
    if (gid >= n) return;
    REAL v = z[gid];
    REAL r;
    switch (kind) {
    case 1: r = v < (REAL)0 ? (REAL)0 : v; break;  // NaN stays NaN, as PyTorch
    case 2: r = v > (REAL)0 ? v : alpha * v; break;
    case 3: r = tanh(v); break;
    case 4: r = nn_sigmoid(v); break;
    default: r = v;
    }
    a[gid] = r;
}

// dz = f'(z) * da; relu and leaky_relu read z (f'(0) = 0 / alpha, as PyTorch),
// tanh and sigmoid read the saved output a.
__kernel void k_act_bwd(__global const REAL *z, __global const REAL *a, __global const REAL *da,
                        __global REAL *dz, int n, int kind, REAL alpha)
{
    int gid = get_global_id(0);
    if (gid >= n) return;
    REAL g = da[gid];
    REAL r;
    switch (kind) {
    case 1: r = z[gid] > (REAL)0 ? g : (REAL)0; break;
    case 2: r = z[gid] > (REAL)0 ? g : g * alpha; break;
    case 3: { REAL y = a[gid]; r = g * ((REAL)1 - y * y); } break;
    case 4: { REAL y = a[gid]; r = g * y * ((REAL)1 - y); } break;
    default: r = g;
    }
    dz[gid] = r;
}

// Softmax over each row of z (rows, cols): one work-item per row, max-shifted.
__kernel void k_softmax_fwd(__global const REAL *z, __global REAL *a, int rows, int cols)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    __global const REAL *zr = z + (long)r * cols;
    __global REAL *ar = a + (long)r * cols;
    REAL m = zr[0];
    for (int j = 1; j < cols; ++j)
        m = fmax(m, zr[j]);
    REAL s = (REAL)0;
    for (int j = 0; j < cols; ++j) {
        REAL e = exp(zr[j] - m);
        ar[j] = e;
        s += e;
    }
    REAL inv = (REAL)1 / s;
    for (int j = 0; j < cols; ++j)
        ar[j] *= inv;
}

// dz = a * (da - sum(da * a)) per row: the softmax Jacobian-vector product.
__kernel void k_softmax_bwd(__global const REAL *a, __global const REAL *da, __global REAL *dz,
                            int rows, int cols)
{
    int r = get_global_id(0);
    if (r >= rows) return;
    long base = (long)r * cols;
    REAL s = (REAL)0;
    for (int j = 0; j < cols; ++j)
        s = da[base + j] * a[base + j] + s;
    for (int j = 0; j < cols; ++j)
        dz[base + j] = a[base + j] * (da[base + j] - s);
}
