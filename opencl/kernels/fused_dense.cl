// Whole training steps of a small dense network in one launch (see engine/fused.py).
//
// One work-group runs `nsteps` steps back to back: each step takes its batch from the
// device-side epoch order, runs forward, loss and backward, and updates every parameter
// with SGD (plain, momentum, Nesterov) or Adam.
//
// Bit for bit the general path. Every number is computed by the same operations in the
// same order as the general path's kernels compute it (nn_*.cl, the matmul kernels,
// elementwise.cl), so a fused step and a general (or traced) step agree exactly:
//   z        sum_i W[o, i] a[i] as one FMA chain in i order (k_mm_naive, and k_mm_reg's
//            one 256-long slice), then + b (k_add_bias)
//   da_prev  sum_o W[o, i] dz[o] as one FMA chain in o order (the dx matmul)
//   dW       sum over the batch of dz[o] a[i] as FMA chains in sample order, restarted
//            every KC samples with the slices added up when the general path would use
//            the register kernel (k_mm_reg) for it, else one chain (k_mm_naive, k_mm_local)
//   db       plain sums in sample order (k_bias_grad)
//   losses   the two-stage reductions of nn_loss.cl and k_sum_partials: up to 1024
//            partial sums over a stride, added in order, times the host's scale
//   penalty  likewise (k_regularize), per layer, added to the loss layer by layer
//   updates  nn_optim.cl's formulas, with Adam's bias corrections from the host
// The general path's FMAs come from contraction within a statement (the default); sums
// whose terms it rounds first are written under contract(off) here.
//
// Work is shared two ways per step, with a barrier after each:
//   phase A, by sample: work-item `lid` takes groups of VS samples (g = lid, lid + LSIZE,
//            ...), one sample per vector lane, and runs its forward pass, loss terms and
//            deltas; activations and deltas go to the scratch buffer twice: feature-major
//            (row f holds the batch's values of feature f: phase A reads them back as
//            vectors) and sample-major (row n holds sample n's values: phase B runs
//            down the samples with VS neighbouring parameters in the lanes).
//   phase B, by parameter: work-item 0 sums the step's loss first; then work-item `lid`
//            takes units lid, lid + LSIZE, ... (two rows of W by four vectors of VS
//            weights, or four vectors of biases), sums their gradients over the batch,
//            adds the penalty's gradient and applies the optimizer's update.
// Products run several independent FMA chains side by side (four outputs, four inputs,
// two by four weights): one chain alone would wait out the FMA's latency at each term.
// On a CPU device the host picks LSIZE = 1: one core runs the steps as plain loops and
// the barriers cost nothing. The loops over the layers stay loops (nounroll): unrolled
// they ran no faster and took half as long again to compile (a build is about a second,
// once per network shape; PoCL keeps it on disk after that).
//
// The network, fixed per build (-D):
//   NL        number of layers;  DIMS  NL + 1 widths, input first;  ACTS  NL activation
//             codes (0 linear, 1 relu, 2 leaky_relu, 3 tanh, 4 sigmoid, 5 softmax)
//   LOSS      0 mse, 1 bce (from the logits), 2 softmax_ce (from the logits)
//   REG       0 none, 1 l1, 2 l2;  OPT  0 sgd, 1 sgd with momentum, 2 adam
//   WOFF, BOFF  where W and b of each layer start in the parameter buffer (the gradient
//             and optimizer-state buffers share the layout)
//   AOFF, DOFF, ZOFF  feature-major scratch: each layer's input and the last output,
//             each layer's delta, the last z (rows of BPAD, the batch rounded up to VS)
//   ASOFF, DSOFF, TOFF  sample-major scratch: each layer's input (rows of DIM rounded up
//             to VS), each layer's delta (likewise), the loss terms (one per element)
//   BMAX      the batch size;  VS  samples per vector (8 floats or 4 doubles);  LSIZE
//   MM_CPU    the general path multiplies with k_mm_reg above MM_NAIVE_WORK (M·N·K) and
//             cuts K into MM_KC slices there;  NN_LOCAL, NN_MAX_PARTS  cl_nn's reductions

#ifndef LSIZE
#define LSIZE 1
#endif

#if defined(REAL_IS_DOUBLE) && REAL_IS_DOUBLE
#define VREAL_(n) double##n
#define VMASK_(n) long##n
#else
#define VREAL_(n) float##n
#define VMASK_(n) int##n
#endif
#define VREAL(n) VREAL_(n)
#define VMASK(n) VMASK_(n)
typedef VREAL(VS) vreal;
typedef VMASK(VS) vmask;

// No fp contract pragma: the default (a*b + c within one statement becomes an FMA) is
// what the general path's nn_*.cl kernels are built with, so the same expression gets the
// same fusing here; the matmul chains are single statements, fused alike under either.

__constant int DIM[NL + 1] = {DIMS};
__constant int ACT[NL] = {ACTS};
__constant int W_OFF[NL] = {WOFF};
__constant int B_OFF[NL] = {BOFF};
__constant int A_OFF[NL + 1] = {AOFF};
__constant int D_OFF[NL] = {DOFF};
__constant int AS_OFF[NL] = {ASOFF};
__constant int DS_OFF[NL] = {DSOFF};

#define NIN DIM[0]
#define NOUT DIM[NL]
// rows of the sample-major scratch are padded to whole vectors
#define RPAD(w) (((w) + VS - 1) / VS * VS)
// group g of feature row `row` of a feature-major region, as a vector
#define SV(off, row, g) (*(__global vreal *)(scr + (off) + (long)(row) * BPAD + (g) * VS))
// VS values of sample n's row of a sample-major region (row length rp), from column c
#define SM(off, rp, n, c) (*(__global vreal *)(scr + (off) + (long)(n) * (rp) + (c)))

typedef union { vreal v; REAL s[VS]; } lanes_t;

// Plain-C forms of min, select (a vector ?:) and fabs (the sign bit cleared), exactly
// the builtins' results: PoCL calls its builtins out of line here, and a call costs more
// than the operation.
#define FD_MIN(a, b) ((a) < (b) ? (a) : (b))
#if defined(REAL_IS_DOUBLE) && REAL_IS_DOUBLE
#define FD_AS_BITS_(n) as_long##n
#define FD_AS_REAL_(n) as_double##n
#define FD_SIGN_OFF 0x7fffffffffffffffL
#else
#define FD_AS_BITS_(n) as_int##n
#define FD_AS_REAL_(n) as_float##n
#define FD_SIGN_OFF 0x7fffffff
#endif
#define FD_AS_BITS(n) FD_AS_BITS_(n)
#define FD_AS_REAL(n) FD_AS_REAL_(n)
#define fd_fabs(v) FD_AS_REAL(VS)(FD_AS_BITS(VS)(v) & (vmask)(FD_SIGN_OFF))


// The transcendental functions lane by lane: PoCL's vector exp, tanh, log and log1p
// round differently from its scalar ones in some lanes, and the general path's kernels
// call the scalar ones.
#define FD_LANEWISE(name)                       \
    inline vreal fd_##name(vreal v)              \
    {                                           \
        lanes_t u;                              \
        u.v = v;                                \
        for (int j = 0; j < VS; ++j)            \
            u.s[j] = name(u.s[j]);              \
        return u.v;                             \
    }
FD_LANEWISE(exp)
FD_LANEWISE(tanh)
FD_LANEWISE(log)
FD_LANEWISE(log1p)

inline vreal fd_act(int kind, vreal z, REAL alpha)
{
    switch (kind) {
    case 1: return ((z < (vreal)(0)) ? ((vreal)(0)) : (z));  // NaN stays NaN, as k_act_fwd
    case 2: return ((z > (vreal)(0)) ? (z) : (alpha * z));
    case 3: return fd_tanh(z);
    case 4: {
        vreal e = fd_exp(-fd_fabs(z));
        return ((z >= (vreal)(0)) ? ((vreal)(1) / ((vreal)(1) + e)) : (e / ((vreal)(1) + e)));
    }
    default: return z;  // linear (softmax is applied over the layer by the caller)
    }
}

// dz = f'(z) * da from the saved output a, as k_act_bwd (relu and leaky_relu test
// a > 0 where it tests z > 0: the same lanes)
inline vreal fd_act_grad(int kind, vreal a, vreal da, REAL alpha)
{
    switch (kind) {
    case 1: return ((a > (vreal)(0)) ? (da) : ((vreal)(0)));
    case 2: return ((a > (vreal)(0)) ? (da) : (da * alpha));
    case 3: return da * ((vreal)(1) - a * a);
    case 4: return da * a * ((vreal)(1) - a);
    default: return da;
    }
}

// The lanes of v that hold samples of the batch into column c of a sample-major region.
inline void fd_scatter(__global REAL *scr, int off, int rp, int n0, int valid, int c, vreal v)
{
    lanes_t u;
    u.v = v;
    for (int j = 0; j < valid; ++j)
        scr[off + (long)(n0 + j) * rp + c] = u.s[j];
}

// cl_nn's reductions: min(round_up(n, NN_LOCAL), NN_MAX_PARTS) strided partial sums
inline int fd_parts(int n)
{
    return FD_MIN((n + NN_LOCAL - 1) / NN_LOCAL * NN_LOCAL, NN_MAX_PARTS);
}

// The sum k_mse / k_regularize(l2) make of the squares of v[0..n): per part an FMA
// chain, parts added in order.
inline REAL fd_sum_squares(__global const REAL *v, int n)
{
#pragma clang fp contract(off)
    int parts = fd_parts(n);
    REAL total = (REAL)0;
    for (int p = 0; p < parts && p < n; ++p) {
        REAL acc = v[p] * v[p];  // a one-term chain is the rounded square
        for (int i = p + parts; i < n; i += parts)
            acc = fma(v[i], v[i], acc);
        total = total + acc;
    }
    return total;
}

// The sum the other reductions make of v[0..n) (|v| with `absolute`): plain adds.
inline REAL fd_sum(__global const REAL *v, int n, int absolute)
{
#pragma clang fp contract(off)
    int parts = fd_parts(n);
    REAL total = (REAL)0;
    for (int p = 0; p < parts && p < n; ++p) {
        REAL acc = absolute ? fabs(v[p]) : v[p];
        for (int i = p + parts; i < n; i += parts)
            acc = acc + (absolute ? fabs(v[i]) : v[i]);
        total = total + acc;
    }
    return total;
}

// The optimizer's settings for one step.
typedef struct {
    REAL lr, mu, beta1, beta2, eps, rate, step_size, bc2_sqrt;
    int nesterov, last_step;
} fd_opt_t;

// Update `count` parameters from par[at] on, whose gradients are the lanes of g: add the
// penalty's gradient (weights only), keep the gradient on the launch's last step, and
// apply the optimizer (nn_optim.cl's formulas, k_regularize's for the penalty).
inline void fd_update(__global REAL *par, __global REAL *grad, __global REAL *st1, __global REAL *st2,
                      int at, int count, int is_weight, vreal g, fd_opt_t o)
{
    lanes_t u;
    u.v = g;
    for (int j = 0; j < count; ++j) {
        int k = at + j;
        REAL gr = u.s[j];
        REAL w = par[k];
#if REG == 2
        if (is_weight)
            gr += o.rate * w;
#elif REG == 1
        if (is_weight)
            gr += o.rate * (w > (REAL)0 ? (REAL)1 : (w < (REAL)0 ? (REAL)-1 : (REAL)0));
#endif
        if (o.last_step)
            grad[k] = gr;
#if OPT == 0
        par[k] = w - o.lr * gr;
#elif OPT == 1
        REAL vi = o.mu * st1[k] + gr;
        st1[k] = vi;
        REAL d = o.nesterov ? o.mu * vi + gr : vi;
        par[k] = w - o.lr * d;
#else
        REAL mi = st1[k];
        mi = mi + ((REAL)1 - o.beta1) * (gr - mi);
        REAL vi = o.beta2 * st2[k] + ((REAL)1 - o.beta2) * gr * gr;
        st1[k] = mi;
        st2[k] = vi;
        REAL denom = sqrt(vi) / o.bc2_sqrt + o.eps;
        par[k] = w - o.step_size * (mi / denom);
#endif
    }
}

__kernel __attribute__((reqd_work_group_size(LSIZE, 1, 1)))
void k_fused_train(__global REAL *par, __global REAL *grad, __global REAL *st1, __global REAL *st2,
                   __global const REAL *x, __global const REAL *y, __global const int *labels,
                   __global const int *perm, __global const REAL *coef, __global REAL *scr,
                   __global REAL *acc, int n_train, int batch, int pos0, int nsteps,
                   REAL lr, REAL mu, int nesterov, REAL beta1, REAL beta2, REAL eps, REAL rate, REAL alpha,
                   REAL scale_full, REAL gscale_full, REAL scale_rest, REAL gscale_rest, REAL pen_scale)
{
    int lid = get_local_id(0);
    int nb = (n_train + batch - 1) / batch;  // batches per epoch, the last one may be short
    lanes_t ids;
    for (int j = 0; j < VS; ++j)
        ids.s[j] = (REAL)j;
    REAL run = lid == 0 ? acc[0] : (REAL)0;  // the running loss total, as the host's axpy adds it
    REAL pen[NL];

    for (int s = 0; s < nsteps; ++s) {
        int bi = pos0 + s;
        int e = bi / nb;
        int p = bi - e * nb;
        int start = p * batch;
        int bsz = FD_MIN(batch, n_train - start);
        __global const int *order = perm + (long)e * n_train + start;
        int ngroups = (bsz + VS - 1) / VS;
        REAL scale = bsz == batch ? scale_full : scale_rest;
        REAL gscale = bsz == batch ? gscale_full : gscale_rest;

        // ------------------------------------------------ phase A: by sample
        // the penalties of the weights before this step's update, as k_regularize sums them
#if REG
        if (lid == 0) {
#pragma nounroll
            for (int l = 0; l < NL; ++l) {
#if REG == 2
                pen[l] = fd_sum_squares(par + W_OFF[l], DIM[l] * DIM[l + 1]) * pen_scale;
#else
                pen[l] = fd_sum(par + W_OFF[l], DIM[l] * DIM[l + 1], 1) * pen_scale;
#endif
            }
        }
#endif
        for (int g = lid; g < ngroups; g += LSIZE) {
            int n0 = g * VS;
            int nvalid = FD_MIN(VS, bsz - n0);
            vmask valid = ids.v < (vreal)((REAL)nvalid);
            int idx[VS];
            for (int j = 0; j < VS; ++j)
                idx[j] = order[FD_MIN(n0 + j, bsz - 1)];  // spare lanes repeat the last sample
            for (int i = 0; i < NIN; ++i) {
                lanes_t u;
                for (int j = 0; j < VS; ++j)
                    u.s[j] = x[(long)idx[j] * NIN + i];
                SV(A_OFF[0], i, g) = u.v;
                fd_scatter(scr, AS_OFF[0], RPAD(NIN), n0, nvalid, i, u.v);
            }
#pragma nounroll
            for (int l = 0; l < NL; ++l) {
                int din = DIM[l], dout = DIM[l + 1];
                __global const REAL *W = par + W_OFF[l];
                __global const REAL *b = par + B_OFF[l];
                int last = l == NL - 1;
                // the logit losses start from z: the last activation is not needed
                int keep_a = LOSS == 0 ? 1 : !last;
                for (int o0 = 0; o0 < dout; o0 += 4) {
                    // four rows of W at once: four independent FMA chains (one alone
                    // would wait on the FMA's latency at every step); rows past the
                    // last repeat it and are not stored
                    __global const REAL *w0 = W + o0 * din;
                    __global const REAL *w1 = W + FD_MIN(o0 + 1, dout - 1) * din;
                    __global const REAL *w2 = W + FD_MIN(o0 + 2, dout - 1) * din;
                    __global const REAL *w3 = W + FD_MIN(o0 + 3, dout - 1) * din;
                    vreal z0 = (vreal)(0), z1 = (vreal)(0), z2 = (vreal)(0), z3 = (vreal)(0);
                    for (int i = 0; i < din; ++i) {
                        vreal a = SV(A_OFF[l], i, g);
                        z0 = (vreal)(w0[i]) * a + z0;
                        z1 = (vreal)(w1[i]) * a + z1;
                        z2 = (vreal)(w2[i]) * a + z2;
                        z3 = (vreal)(w3[i]) * a + z3;
                    }
                    vreal zs[4] = {z0, z1, z2, z3};
                    for (int k = 0; k < 4 && o0 + k < dout; ++k) {
                        int o = o0 + k;
                        vreal z = zs[k] + (vreal)(b[o]);
                        if (last)
                            SV(ZOFF, o, g) = z;
                        if (keep_a)
                            SV(A_OFF[l + 1], o, g) = fd_act(ACT[l], z, alpha);
                    }
                }
                if (ACT[l] == 5 && keep_a) {  // softmax over the layer, max-shifted as k_softmax_fwd
                    vreal m = SV(A_OFF[l + 1], 0, g);
                    for (int o = 1; o < dout; ++o)
                        m = fmax(m, SV(A_OFF[l + 1], o, g));
                    vreal t = (vreal)(0);
                    for (int o = 0; o < dout; ++o) {
                        vreal ex = fd_exp(SV(A_OFF[l + 1], o, g) - m);
                        SV(A_OFF[l + 1], o, g) = ex;
                        t += ex;
                    }
                    vreal inv = (vreal)(1) / t;
                    for (int o = 0; o < dout; ++o)
                        SV(A_OFF[l + 1], o, g) = SV(A_OFF[l + 1], o, g) * inv;
                }
                if (!last)
                    for (int o = 0; o < dout; ++o)
                        fd_scatter(scr, AS_OFF[l + 1], RPAD(dout), n0, nvalid, o, SV(A_OFF[l + 1], o, g));
            }

            // loss terms (sample-major, one per element) and the last layer's delta
            int dl = D_OFF[NL - 1];
#if LOSS == 0
            // mse: d = a - y (the reduction squares it), da = d * 2/n, then the last activation'
            for (int o = 0; o < NOUT; ++o) {
                lanes_t u;
                for (int j = 0; j < VS; ++j)
                    u.s[j] = y[(long)idx[j] * NOUT + o];
                vreal d = SV(A_OFF[NL], o, g) - u.v;
                fd_scatter(scr, TOFF, NOUT, n0, nvalid, o, d);
                SV(dl, o, g) = d * gscale;
            }
            if (ACT[NL - 1] == 5) {  // the softmax Jacobian-vector product, as k_softmax_bwd
                vreal t = (vreal)(0);
                for (int o = 0; o < NOUT; ++o)
                    t = SV(dl, o, g) * SV(A_OFF[NL], o, g) + t;
                for (int o = 0; o < NOUT; ++o)
                    SV(dl, o, g) = ((valid) ? (SV(A_OFF[NL], o, g) * (SV(dl, o, g) - t)) : ((vreal)(0)));
            } else {
                for (int o = 0; o < NOUT; ++o)
                    SV(dl, o, g) = ((valid) ? (fd_act_grad(ACT[NL - 1], SV(A_OFF[NL], o, g), SV(dl, o, g), alpha)) : ((vreal)(0)));
            }
#elif LOSS == 1
            // bce from logits: max(z, 0) - z*y + fd_log(1 + e^-|z|), dz = (sigmoid(z) - y) / n
            for (int o = 0; o < NOUT; ++o) {
                lanes_t u;
                for (int j = 0; j < VS; ++j)
                    u.s[j] = y[(long)idx[j] * NOUT + o];
                vreal z = SV(ZOFF, o, g), t = u.v;
                vreal ex = fd_exp(-fd_fabs(z));
                vreal sg = ((z >= (vreal)(0)) ? ((vreal)(1) / ((vreal)(1) + ex)) : (ex / ((vreal)(1) + ex)));
                fd_scatter(scr, TOFF, NOUT, n0, nvalid, o, ((z > (vreal)(0)) ? z : (vreal)(0)) - z * t + fd_log1p(ex));
                SV(dl, o, g) = ((valid) ? ((sg - t) * gscale) : ((vreal)(0)));
            }
#else
            // softmax cross-entropy from logits, as k_softmax_ce
            {
                lanes_t u;
                for (int j = 0; j < VS; ++j)
                    u.s[j] = (REAL)labels[idx[j]];
                vreal lab = u.v;
                vreal m = SV(ZOFF, 0, g);
                for (int o = 1; o < NOUT; ++o)
                    m = fmax(m, SV(ZOFF, o, g));
                vreal t = (vreal)(0);
                vreal zl = (vreal)(0);
                for (int o = 0; o < NOUT; ++o) {
                    vreal z = SV(ZOFF, o, g);
                    t += fd_exp(z - m);
                    zl = ((lab == (vreal)((REAL)o)) ? (z) : (zl));
                }
                vreal inv = (vreal)(1) / t;
                for (int o = 0; o < NOUT; ++o) {
                    vreal pr = fd_exp(SV(ZOFF, o, g) - m) * inv;
                    vreal dz = ((lab == (vreal)((REAL)o)) ? (pr - (vreal)(1)) : (pr)) * gscale;
                    SV(dl, o, g) = ((valid) ? (dz) : ((vreal)(0)));
                }
                fd_scatter(scr, TOFF, 1, n0, nvalid, 0, fd_log(t) - (zl - m));
            }
#endif
            for (int o = 0; o < NOUT; ++o)
                fd_scatter(scr, DS_OFF[NL - 1], RPAD(NOUT), n0, nvalid, o, SV(dl, o, g));

            // deltas of the hidden layers: da = sum_o W[o, i] dz[o] (in o order), then f'
#pragma nounroll
            for (int l = NL - 1; l > 0; --l) {
                int din = DIM[l], dout = DIM[l + 1];
                __global const REAL *W = par + W_OFF[l];
                for (int i0 = 0; i0 < din; i0 += 4) {
                    // four inputs at once, as the forward pass takes four outputs
                    int i1 = FD_MIN(i0 + 1, din - 1), i2 = FD_MIN(i0 + 2, din - 1), i3 = FD_MIN(i0 + 3, din - 1);
                    vreal d0 = (vreal)(0), d1 = (vreal)(0), d2 = (vreal)(0), d3 = (vreal)(0);
                    for (int o = 0; o < dout; ++o) {
                        vreal dz = SV(D_OFF[l], o, g);
                        __global const REAL *wr = W + o * din;
                        d0 = dz * (vreal)(wr[i0]) + d0;
                        d1 = dz * (vreal)(wr[i1]) + d1;
                        d2 = dz * (vreal)(wr[i2]) + d2;
                        d3 = dz * (vreal)(wr[i3]) + d3;
                    }
                    vreal ds[4] = {d0, d1, d2, d3};
                    for (int k = 0; k < 4 && i0 + k < din; ++k) {
                        int i = i0 + k;
                        vreal dz = fd_act_grad(ACT[l - 1], SV(A_OFF[l], i, g), ds[k], alpha);
                        SV(D_OFF[l - 1], i, g) = dz;
                        fd_scatter(scr, DS_OFF[l - 1], RPAD(din), n0, nvalid, i, dz);
                    }
                }
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);

        // ------------------------------------------------ phase B: by parameter
        if (lid == 0) {  // the step's loss: mean data loss, then each layer's penalty
#if LOSS == 0
            REAL total = fd_sum_squares(scr + TOFF, bsz * NOUT) * scale;
#elif LOSS == 1
            REAL total = fd_sum(scr + TOFF, bsz * NOUT, 0) * scale;
#else
            REAL total = fd_sum(scr + TOFF, bsz, 0) * scale;
#endif
#if REG
            for (int l = 0; l < NL; ++l)
                total = total + pen[l];
#endif
            run = run + total;
        }
        fd_opt_t opt;
        opt.lr = lr;
        opt.mu = mu;
        opt.nesterov = nesterov;
        opt.beta1 = beta1;
        opt.beta2 = beta2;
        opt.eps = eps;
        opt.rate = rate;
        opt.last_step = s == nsteps - 1;
#if OPT == 2
        opt.step_size = coef[2 * s];
        opt.bc2_sqrt = coef[2 * s + 1];
#endif
#pragma nounroll
        for (int l = 0; l < NL; ++l) {
            int din = DIM[l], dout = DIM[l + 1];
            int rpi = RPAD(din), rpo = RPAD(dout);
            int nvi = rpi / VS, nvo = rpo / VS;  // vectors per sample-major row
            // a unit of dW: two rows of W times four vectors of a row (eight independent
            // FMA chains down the batch); a unit of db: four vectors of biases
            int ncb = (nvi + 3) / 4;
            int wunits = (dout + 1) / 2 * ncb;
            int bunits = (nvo + 3) / 4;
            // the dW product's K is the batch: chains restart every kc samples where
            // the general path would multiply with the register kernel
            int kc = MM_CPU && dout * din * bsz >= MM_NAIVE_WORK ? MM_KC : bsz;
            __global const REAL *dsl = scr + DS_OFF[l];
            for (int q = lid; q < wunits + bunits; q += LSIZE) {
                if (q < wunits) {
                    int ob = q / ncb;
                    int v0 = (q - ob * ncb) * 4;
                    int oa = 2 * ob, obb = FD_MIN(oa + 1, dout - 1);
                    int ca = v0 * VS, cb = FD_MIN(v0 + 1, nvi - 1) * VS;
                    int cc = FD_MIN(v0 + 2, nvi - 1) * VS, cd = FD_MIN(v0 + 3, nvi - 1) * VS;
                    vreal sm[8];
                    for (int k0 = 0; k0 < bsz; k0 += kc) {
                        vreal c0 = (vreal)(0), c1 = (vreal)(0), c2 = (vreal)(0), c3 = (vreal)(0);
                        vreal c4 = (vreal)(0), c5 = (vreal)(0), c6 = (vreal)(0), c7 = (vreal)(0);
                        int k1 = FD_MIN(bsz, k0 + kc);
                        for (int n = k0; n < k1; ++n) {
                            vreal da = (vreal)(dsl[(long)n * rpo + oa]), db = (vreal)(dsl[(long)n * rpo + obb]);
                            vreal xa = SM(AS_OFF[l], rpi, n, ca), xb = SM(AS_OFF[l], rpi, n, cb);
                            vreal xc = SM(AS_OFF[l], rpi, n, cc), xd = SM(AS_OFF[l], rpi, n, cd);
                            c0 = da * xa + c0;
                            c1 = da * xb + c1;
                            c2 = da * xc + c2;
                            c3 = da * xd + c3;
                            c4 = db * xa + c4;
                            c5 = db * xb + c5;
                            c6 = db * xc + c6;
                            c7 = db * xd + c7;
                        }
                        vreal cs[8] = {c0, c1, c2, c3, c4, c5, c6, c7};
                        for (int k = 0; k < 8; ++k)
                            sm[k] = k0 ? cs[k] + sm[k] : cs[k];
                    }
                    for (int r = 0; r < 2 && oa + r < dout; ++r)
                        for (int k = 0; k < 4 && v0 + k < nvi; ++k) {
                            int c = (v0 + k) * VS;
                            fd_update(par, grad, st1, st2, W_OFF[l] + (oa + r) * din + c, FD_MIN(VS, din - c), 1,
                                      sm[4 * r + k], opt);
                        }
                } else {
                    int v0 = (q - wunits) * 4;
                    int ca = v0 * VS, cb = FD_MIN(v0 + 1, nvo - 1) * VS;
                    int cc = FD_MIN(v0 + 2, nvo - 1) * VS, cd = FD_MIN(v0 + 3, nvo - 1) * VS;
                    vreal s0 = (vreal)(0), s1 = (vreal)(0), s2 = (vreal)(0), s3 = (vreal)(0);
                    {
#pragma clang fp contract(off)
                        for (int n = 0; n < bsz; ++n) {
                            s0 = s0 + SM(DS_OFF[l], rpo, n, ca);
                            s1 = s1 + SM(DS_OFF[l], rpo, n, cb);
                            s2 = s2 + SM(DS_OFF[l], rpo, n, cc);
                            s3 = s3 + SM(DS_OFF[l], rpo, n, cd);
                        }
                    }
                    vreal ss[4] = {s0, s1, s2, s3};
                    for (int k = 0; k < 4 && v0 + k < nvo; ++k) {
                        int c = (v0 + k) * VS;
                        fd_update(par, grad, st1, st2, B_OFF[l] + c, FD_MIN(VS, dout - c), 0, ss[k], opt);
                    }
                }
            }
        }
        barrier(CLK_GLOBAL_MEM_FENCE);
    }
    if (lid == 0)
        acc[0] = run;
}
