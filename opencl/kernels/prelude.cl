// Prepended to every kernel file by opencl.runtime: the element type of the program.
// REAL is float unless the program is built with -DREAL_IS_DOUBLE=1.
#if defined(REAL_IS_DOUBLE) && REAL_IS_DOUBLE
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double REAL;
#else
typedef float REAL;
#endif

// Chunked elementwise kernels: each work-item takes PER_ITEM consecutive elements (a loop
// the CPU compiler vectorises; one element per work-item, with a bounds check, is not).
// The host defines PER_ITEM per device: 1 on GPUs, where neighbouring work-items should
// touch neighbouring elements. `for (EACH_ELEMENT(i, n)) ...` visits this work-item's.
#ifndef PER_ITEM
#define PER_ITEM 1
#endif
#define EACH_ELEMENT(i, n) \
    int i = get_global_id(0) * PER_ITEM, i##_end = (n) - i < PER_ITEM ? (n) : i + PER_ITEM; i < i##_end; ++i

// Activations by kind code (0 linear, 1 relu, 2 leaky_relu, 3 tanh, 4 sigmoid), shared by
// nn_activation.cl and the fused epilogues of nn_conv.cl; unused inline functions cost nothing.
inline REAL nn_sigmoid(REAL z)
{
    // exp(-|z|) never overflows, and each branch divides by a number >= 1
    REAL e = exp(-fabs(z));
    return z >= (REAL)0 ? (REAL)1 / ((REAL)1 + e) : e / ((REAL)1 + e);
}

inline REAL nn_act(REAL v, int kind, REAL alpha)
{
    switch (kind) {
    case 1: return v < (REAL)0 ? (REAL)0 : v;  // NaN stays NaN, as PyTorch
    case 2: return v > (REAL)0 ? v : alpha * v;
    case 3: return tanh(v);
    case 4: return nn_sigmoid(v);
    default: return v;
    }
}
