// Activations and their backward passes. kind: 0 linear, 1 relu, 2 leaky_relu,
// 3 tanh, 4 sigmoid (softmax has its own row-wise kernels below). The kind is a
// run-time argument rather than a -D option: the branch is uniform over the launch,
// and one program serves every layer.

// nn_sigmoid and nn_act (the activation of a kind code) are in prelude.cl.

// Chunked: PER_ITEM elements per work-item (see prelude.cl).
__kernel void k_act_fwd(__global const REAL *z, __global REAL *a, int n, int kind, REAL alpha)
{
    for (EACH_ELEMENT(i, n))
        a[i] = nn_act(z[i], kind, alpha);
}

// z (rows, units) += b, then a = f(z): a dense layer's bias and activation in one pass.
// Work-item (u, r): unit u of row r.
__kernel void k_bias_act(__global REAL *z, __global const REAL *b, __global REAL *a,
                         int rows, int units, int kind, REAL alpha)
{
    int u = get_global_id(0), r = get_global_id(1);
    if (u >= units || r >= rows) return;
    long o = (long)r * units + u;
    REAL v = z[o] + b[u];
    z[o] = v;
    a[o] = nn_act(v, kind, alpha);
}

// dz = f'(z) * da; relu and leaky_relu read z (f'(0) = 0 / alpha, as PyTorch),
// tanh and sigmoid read the saved output a.
// (chunked, with the kind's loop chosen once rather than a switch per element)
__kernel void k_act_bwd(__global const REAL *z, __global const REAL *a, __global const REAL *da,
                        __global REAL *dz, int n, int kind, REAL alpha)
{
    switch (kind) {
    case 1:
        for (EACH_ELEMENT(i, n))
            dz[i] = z[i] > (REAL)0 ? da[i] : (REAL)0;
        break;
    case 2:
        for (EACH_ELEMENT(i, n))
            dz[i] = z[i] > (REAL)0 ? da[i] : da[i] * alpha;
        break;
    case 3:
        for (EACH_ELEMENT(i, n)) {
            REAL y = a[i];
            dz[i] = da[i] * ((REAL)1 - y * y);
        }
        break;
    case 4:
        for (EACH_ELEMENT(i, n)) {
            REAL y = a[i];
            dz[i] = da[i] * y * ((REAL)1 - y);
        }
        break;
    default:
        for (EACH_ELEMENT(i, n))
            dz[i] = da[i];
    }
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
        m = zr[j] > m ? zr[j] : m;  // not fmax: a call on some CPU compilers
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
