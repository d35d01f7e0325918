// Reductions of the linear-algebra ops, in two stages without local memory or barriers
// (both slow on CPU devices): the first stage's `parts` work-items each reduce a
// strided share (so neighbouring work-items read neighbouring elements), the second
// stage is a single work-item over the partials.

// partials[g] = sum over i = g, g + parts, ... of u[i] * v[i]
__kernel void k_dot_parts(__global const REAL *u, __global const REAL *v, __global REAL *partials,
                          int n, int parts)
{
    int g = get_global_id(0);
    if (g >= parts) return;
    REAL acc = (REAL)0;
    for (int i = g; i < n; i += parts)
        acc = u[i] * v[i] + acc;
    partials[g] = acc;
}

// partials[g] = max over i = g, g + parts, ... of |a[i]| (0 for a share with no element)
__kernel void k_absmax_parts(__global const REAL *a, __global REAL *partials, int n, int parts)
{
    int g = get_global_id(0);
    if (g >= parts) return;
    REAL m = (REAL)0;
    for (int i = g; i < n; i += parts)
        m = fmax(m, fabs(a[i]));
    partials[g] = m;
}

// out[0] = sum of the partials (second stage of k_dot_parts).
__kernel void k_sum_parts(__global const REAL *partials, __global REAL *out, int parts)
{
    if (get_global_id(0) != 0) return;
    REAL acc = (REAL)0;
    for (int i = 0; i < parts; ++i)
        acc += partials[i];
    out[0] = acc;
}
