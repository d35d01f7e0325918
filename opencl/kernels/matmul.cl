// C (M x N) = op(A) (M x K) . op(B) (K x N), op = transpose when trans_a / trans_b is set.
// With `accumulate` the product is added to C instead of replacing it.
//
// Three variants; the host picks one by problem size and device kind:
//   k_mm_naive  one work-item per element of C. For small products, where launching
//               one kernel costs more than the arithmetic.
//   k_mm_local  for GPUs: TILE x TILE work-groups stage tiles of A and B in local memory
//               between barriers, so each global element is read once per tile.
//   k_mm_reg    for CPUs: no local memory and no barriers (both are emulated, slowly,
//               on CPU devices). Each work-item keeps a TM x TN block of C in vector
//               registers, reading TM rows of A in place and B from contiguous,
//               zero-padded panels packed by k_mm_pack_b, so its inner loop has no
//               bounds checks and only sequential reads.
//
// Dimension 0 of every launch runs along the columns of C.

#ifndef TILE
#define TILE 16
#endif
#ifndef TM
#define TM 4
#endif
#ifndef VW
#define VW 8
#endif
#ifndef NV
#define NV 2
#endif
// TN columns per block: NV vectors of VW elements. Vectors stay at 256 bits (float8,
// double4): wider ones cross the calling convention of CPU builds without AVX-512,
// which PoCL warns about and, once cached, loads back as a program with no kernels.
#define TN (VW * NV)

// REAL is a typedef, so vector types and vloadn/vstoren are spelled through macros.
#if defined(REAL_IS_DOUBLE) && REAL_IS_DOUBLE
#define REALV_(n) double##n
#else
#define REALV_(n) float##n
#endif
#define REALV(n) REALV_(n)
#define VLOAD_(n) vload##n
#define VLOAD(n) VLOAD_(n)
#define VSTORE_(n) vstore##n
#define VSTORE(n) VSTORE_(n)

// Let the compiler fuse a*b + c into one FMA instruction: without this PoCL keeps a
// separate multiply and add (and fma()/mad() become library calls), halving throughput.
#pragma clang fp contract(fast)

typedef REALV(VW) realv;

__kernel void k_mm_naive(__global const REAL *a, __global const REAL *b, __global REAL *c,
                         int M, int N, int K, int trans_a, int trans_b, int accumulate)
{
    int j = get_global_id(0), i = get_global_id(1);
    if (i >= M || j >= N) return;
    // op(A)[i, k] = a[a0 + k * sa], op(B)[k, j] = b[b0 + k * sb]
    long a0 = trans_a ? (long)i : (long)i * K;
    long sa = trans_a ? (long)M : 1;
    long b0 = trans_b ? (long)j * K : (long)j;
    long sb = trans_b ? 1 : (long)N;
    REAL acc = (REAL)0;
    for (int k = 0; k < K; ++k)
        acc = a[a0 + k * sa] * b[b0 + k * sb] + acc;
    long o = (long)i * N + j;
    c[o] = accumulate ? c[o] + acc : acc;
}

// Needs a TILE x TILE work-group. The tile loads are arranged so that neighbouring
// work-items read neighbouring addresses whichever way A and B are stored.
__kernel __attribute__((reqd_work_group_size(TILE, TILE, 1)))
void k_mm_local(__global const REAL *a, __global const REAL *b, __global REAL *c,
                int M, int N, int K, int trans_a, int trans_b, int accumulate)
{
    __local REAL As[TILE][TILE + 1];  // As[r][k] = op(A)[row0 + r, k0 + k]; +1 avoids bank conflicts
    __local REAL Bs[TILE][TILE + 1];  // Bs[k][s] = op(B)[k0 + k, col0 + s]
    int tx = get_local_id(0), ty = get_local_id(1);
    int row0 = get_group_id(1) * TILE, col0 = get_group_id(0) * TILE;
    REAL acc = (REAL)0;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        if (trans_a) {  // a is K x M: tx runs along a's rows
            int r = row0 + tx, k = k0 + ty;
            As[tx][ty] = (r < M && k < K) ? a[(long)k * M + r] : (REAL)0;
        } else {        // a is M x K
            int r = row0 + ty, k = k0 + tx;
            As[ty][tx] = (r < M && k < K) ? a[(long)r * K + k] : (REAL)0;
        }
        if (trans_b) {  // b is N x K
            int s = col0 + ty, k = k0 + tx;
            Bs[tx][ty] = (s < N && k < K) ? b[(long)s * K + k] : (REAL)0;
        } else {        // b is K x N
            int s = col0 + tx, k = k0 + ty;
            Bs[ty][tx] = (s < N && k < K) ? b[(long)k * N + s] : (REAL)0;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE; ++k)
            acc = As[ty][k] * Bs[k][tx] + acc;
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    int i = row0 + ty, j = col0 + tx;
    if (i < M && j < N) {
        long o = (long)i * N + j;
        c[o] = accumulate ? c[o] + acc : acc;
    }
}

// bp[(q * K + k) * TN + s] = op(B)[k, q * TN + s], zero for columns past N: panels of TN
// columns, each K x TN and contiguous. Work-item (col, k); np_ is N rounded up to TN.
__kernel void k_mm_pack_b(__global const REAL *b, __global REAL *bp, int N, int K, int np_, int trans_b)
{
    int col = get_global_id(0), k = get_global_id(1);
    if (col >= np_ || k >= K) return;
    REAL v = (REAL)0;
    if (col < N)
        v = trans_b ? b[(long)col * K + k] : b[(long)k * N + col];
    // q and s without the % operator: the compiler turns a / and % pair into a `freeze`
    // instruction that Oclgrind's uninitialised-value checker cannot run.
    int q = col / TN, s = col - q * TN;
    bp[((long)q * K + k) * TN + s] = v;
}

// One work-item per TM x TN block of C: work-item (q, p) covers rows p*TM.. and columns
// q*TN.. ; nq and np_ count the column panels and the row blocks. A is read in place
// (TM sequential streams, or one when transposed); B comes packed by k_mm_pack_b.
__kernel void k_mm_reg(__global const REAL *a, __global const REAL *bp, __global REAL *c,
                       int M, int N, int K, int nq, int np_, int trans_a, int accumulate)
{
    int q = get_global_id(0), p = get_global_id(1);
    if (q >= nq || p >= np_) return;
    // op(A)[row, k] = ar[k * astep]. Rows past M read the last row instead, so the
    // loop needs no bounds checks; their results are never stored.
    long astep = trans_a ? (long)M : 1;
    __global const REAL *ar[TM];
#pragma unroll
    for (int r = 0; r < TM; ++r) {
        int row = min(p * TM + r, M - 1);
        ar[r] = a + (trans_a ? (long)row : (long)row * K);
    }
    __global const REAL *pb = bp + (long)q * K * TN;
    realv acc[TM][NV];
#pragma unroll
    for (int r = 0; r < TM; ++r)
#pragma unroll
        for (int v = 0; v < NV; ++v)
            acc[r][v] = (realv)(0);
    for (int k = 0; k < K; ++k) {
        // A plain vector read, not vloadn: PoCL leaves vloadn as a function call, and a
        // call in this loop spills every accumulator. The panels are aligned (each
        // starts a multiple of TN elements into a buffer aligned for any vector type).
        realv bv[NV];
#pragma unroll
        for (int v = 0; v < NV; ++v)
            bv[v] = ((__global const realv *)pb)[v];
#pragma unroll
        for (int r = 0; r < TM; ++r) {
            realv av = (realv)(*ar[r]);
            ar[r] += astep;
#pragma unroll
            for (int v = 0; v < NV; ++v)
                acc[r][v] = av * bv[v] + acc[r][v];
        }
        pb += TN;
    }
    int col0 = q * TN;
    for (int r = 0; r < TM; ++r) {
        int row = p * TM + r;
        if (row >= M) break;
        __global REAL *crow = c + (long)row * N + col0;
        if (col0 + TN <= N) {
#pragma unroll
            for (int v = 0; v < NV; ++v) {
                realv x = acc[r][v];
                if (accumulate) x += VLOAD(VW)(v, crow);
                VSTORE(VW)(x, v, crow);
            }
        } else {  // the last, partial panel: element by element
            REAL tmp[TN];
#pragma unroll
            for (int v = 0; v < NV; ++v)
                VSTORE(VW)(acc[r][v], v, tmp);
            for (int s = 0; s < N - col0; ++s)
                crow[s] = accumulate ? crow[s] + tmp[s] : tmp[s];
        }
    }
}
