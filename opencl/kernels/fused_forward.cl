// Every layer's output of a small dense network for a batch of samples, in one launch
// (engine.fused.fused_evaluate: Model.evaluate's fast path, e.g. a decision-boundary grid).
//
// Each work-item runs VS samples through all the layers, with the general path's
// arithmetic: z = (sum_i W[o, i] a[i]) + b[o] summed in i order, as k_mm_naive and
// k_add_bias, then the activation as k_act_fwd / k_softmax_fwd.
//
// -D NL, DIMS, ACTS, WOFF, BOFF as fused_dense.cl; MAXW the widest layer (input included);
// VS samples per vector (8 floats or 4 doubles).
// out holds, layer after layer, a (n x units) then, with `with_z`, z (n x units).

#if defined(REAL_IS_DOUBLE) && REAL_IS_DOUBLE
#define VREAL_(n) double##n
#else
#define VREAL_(n) float##n
#endif
#define VREAL(n) VREAL_(n)
typedef VREAL(VS) vreal;
typedef union { vreal v; REAL s[VS]; } lanes_t;

#pragma clang fp contract(fast)

__constant int DIM[NL + 1] = {DIMS};
__constant int ACT[NL] = {ACTS};
__constant int W_OFF[NL] = {WOFF};
__constant int B_OFF[NL] = {BOFF};

inline vreal ff_act(int kind, vreal z, REAL alpha)
{
    switch (kind) {
    case 1: return select(z, (vreal)(0), z < (vreal)(0));
    case 2: return select(alpha * z, z, z > (vreal)(0));
    case 3: return tanh(z);
    case 4: {
        vreal e = exp(-fabs(z));
        return select(e / ((vreal)(1) + e), (vreal)(1) / ((vreal)(1) + e), z >= (vreal)(0));
    }
    default: return z;
    }
}

// The lanes of v that hold samples (n0 + j < n) into column o of a (n x dout) block.
inline void ff_store(__global REAL *dst, vreal v, int n0, int n, int dout, int o)
{
    lanes_t u;
    u.v = v;
    for (int j = 0; j < VS && n0 + j < n; ++j)
        dst[(long)(n0 + j) * dout + o] = u.s[j];
}

// Work-item g takes samples g*VS .. g*VS + VS-1, one per vector lane (the transcendental
// activations cost most, and run VS at a time).
__kernel void k_fused_forward(__global const REAL *par, __global const REAL *x, __global REAL *out,
                              int n, int with_z, REAL alpha)
{
    int g = get_global_id(0);
    int n0 = g * VS;
    if (n0 >= n) return;
    vreal h[2][MAXW];
    for (int i = 0; i < DIM[0]; ++i) {
        lanes_t u;
        for (int j = 0; j < VS; ++j)
            u.s[j] = x[(long)min(n0 + j, n - 1) * DIM[0] + i];  // spare lanes repeat the last sample
        h[0][i] = u.v;
    }
    long region = 0;  // where this layer's outputs start in `out`
    for (int l = 0; l < NL; ++l) {
        int din = DIM[l], dout = DIM[l + 1];
        int cur = l & 1;
        __global const REAL *W = par + W_OFF[l];
        __global const REAL *b = par + B_OFF[l];
        __global REAL *a_out = out + region;
        __global REAL *z_out = out + region + (long)n * dout;
        for (int o = 0; o < dout; ++o) {
            vreal z = (vreal)(0);
            for (int i = 0; i < din; ++i)
                z = (vreal)(W[o * din + i]) * h[cur][i] + z;
            z = z + (vreal)(b[o]);
            if (with_z)
                ff_store(z_out, z, n0, n, dout, o);
            h[1 - cur][o] = ff_act(ACT[l], z, alpha);
        }
        if (ACT[l] == 5) {
            vreal m = h[1 - cur][0];
            for (int o = 1; o < dout; ++o)
                m = fmax(m, h[1 - cur][o]);
            vreal t = (vreal)(0);
            for (int o = 0; o < dout; ++o) {
                vreal e = exp(h[1 - cur][o] - m);
                h[1 - cur][o] = e;
                t += e;
            }
            vreal inv = (vreal)(1) / t;
            for (int o = 0; o < dout; ++o)
                h[1 - cur][o] *= inv;
        }
        for (int o = 0; o < dout; ++o)
            ff_store(a_out, h[1 - cur][o], n0, n, dout, o);
        region += (long)n * dout * (with_z ? 2 : 1);
    }
}
