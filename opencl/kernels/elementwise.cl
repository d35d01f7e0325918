// Elementwise linear-algebra kernels and the transpose.
// One work-item per element; the host rounds the global size up to a multiple of the
// work-group size, so every kernel checks its index against the true element count.

__kernel void k_add(__global const REAL *a, __global const REAL *b, __global REAL *out, int n)
{
    int i = get_global_id(0);
    if (i < n) out[i] = a[i] + b[i];
}

__kernel void k_sub(__global const REAL *a, __global const REAL *b, __global REAL *out, int n)
{
    int i = get_global_id(0);
    if (i < n) out[i] = a[i] - b[i];
}

__kernel void k_mul(__global const REAL *a, __global const REAL *b, __global REAL *out, int n)
{
    int i = get_global_id(0);
    if (i < n) out[i] = a[i] * b[i];
}

__kernel void k_scale(__global const REAL *a, __global REAL *out, int n, REAL s)
{
    int i = get_global_id(0);
    if (i < n) out[i] = s * a[i];
}

// In place y += alpha * x.
__kernel void k_axpy(__global const REAL *x, __global REAL *y, int n, REAL alpha)
{
    int i = get_global_id(0);
    if (i < n) y[i] = alpha * x[i] + y[i];
}

// out (cols x rows) = transpose of a (rows x cols). Dimension 0 runs along a's rows so
// that neighbouring work-items write neighbouring elements of out (the write side is
// the one that costs more when it is scattered).
__kernel void k_transpose(__global const REAL *a, __global REAL *out, int rows, int cols)
{
    int i = get_global_id(0), j = get_global_id(1);
    if (i < rows && j < cols)
        out[(long)j * rows + i] = a[(long)i * cols + j];
}
