// C (M x N) = op(A) (M x K) . op(B) (K x N), op = transpose when trans_a / trans_b is set.
// With `accumulate` the product is added to C instead of replacing it.
//
// Three variants; the host picks one by problem size and device kind:
//   k_mm_naive  one work-item per element of C. For small products, where launching
//               one kernel costs more than the arithmetic.
//   k_mm_local  for GPUs: TILE x TILE work-groups stage tiles of A and B in local memory
//               between barriers, so each global element is read once per tile.
//   k_mm_reg    for CPUs: no local memory and no barriers (both are emulated, slowly,
//               on CPU devices). A work-item computes a strip of rows of one TN-column
//               panel of C, TM x TN at a time in vector registers (6 x 16 floats: 12
//               accumulators, the shape of OpenBLAS's AVX2 kernel), over K in slices
//               whose panel of B stays in L1. B comes as contiguous zero-padded panels
//               packed by k_mm_pack_b (or read in place when small and panel-aligned), A
//               in place (or packed by k_mm_pack_a for large products), so the inner
//               loop has no bounds checks and only sequential reads. Within a slice each
//               element of C is one FMA chain in k order, as in k_mm_naive.
//
// Dimension 0 of every launch runs along the columns of C.

#ifndef TILE
#define TILE 16
#endif
#ifndef TM
#define TM 6
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
// columns, each K x TN and contiguous. One work-item per panel row (q, k), so a launch
// has few, large work-groups (each group costs PoCL far more than one element's copy).
// Work-item gid: q = gid / K, k = gid - q * K, so consecutive work-items walk down one
// panel and, when B is transposed, read neighbouring addresses.
__kernel void k_mm_pack_b(__global const REAL *b, __global REAL *bp, int N, int K, int nq, int trans_b)
{
    int gid = get_global_id(0);
    if (gid >= nq * K) return;
    // q and k without the % operator: the compiler turns a / and % pair into a `freeze`
    // instruction that Oclgrind's uninitialised-value checker cannot run.
    int q = gid / K, k = gid - q * K;
    int col0 = q * TN;
    __global REAL *dst = bp + (long)gid * TN;
    if (trans_b) {
        __global const REAL *src = b + (long)col0 * K + k;
        for (int s = 0; s < TN; ++s)
            dst[s] = col0 + s < N ? src[(long)s * K] : (REAL)0;
    } else {
        __global const REAL *src = b + (long)k * N + col0;
        for (int s = 0; s < TN; ++s)
            dst[s] = col0 + s < N ? src[s] : (REAL)0;
    }
}

// ap[(blk * K + k) * TM + r] = A[blk * TM + r, k] for A stored M x K (not transposed):
// blocks of TM rows, each K x TM and contiguous, rows past M repeating the last one. For
// large products: read in place, the TM rows of a block are
// TM streams K elements apart, and at power-of-two K they fall into one cache set.
__kernel void k_mm_pack_a(__global const REAL *a, __global REAL *ap, int M, int K, int nblocks)
{
    // work-item (kc, blk): PER_ITEM consecutive k of block blk (see EACH_ELEMENT in
    // prelude.cl), TM row pointers set up once (the last rows repeat row M - 1)
    int blk = get_global_id(1);
    if (blk >= nblocks) return;
    __global const REAL *rows[TM];
#pragma unroll
    for (int r = 0; r < TM; ++r) {
        int row = blk * TM + r;
        row = row < M ? row : M - 1;  // not min(): PoCL calls it out of line
        rows[r] = a + (long)row * K;
    }
    __global REAL *dst = ap + (long)blk * K * TM;
    for (EACH_ELEMENT(k, K)) {
#pragma unroll
        for (int r = 0; r < TM; ++r)
            dst[(long)k * TM + r] = rows[r][k];
    }
}

// C = op(A) . B where B is read as TN-column panels: column panel q starts at
// bp + q * panel_stride and its row k is TN contiguous values row_stride further on
// per k. Packed by k_mm_pack_b: panel_stride = K * TN, row_stride = TN. B read in place
// (not transposed, N a multiple of TN): panel_stride = TN, row_stride = N.
//
// Work-item (q, g) computes columns q*TN.. of rows g*rows_per_item.. (rows_per_item a
// multiple of TM), one TM x TN block at a time, with the loop over K cut into slices of
// kc rows: the slice of the B panel (kc x TN, 16 KiB for floats at kc = 256) stays in
// the L1 cache while every block of the work-item's rows streams past it, and the rows
// of A (rows_per_item x kc) stay in L2 for the next work-item, which shares them. C is
// read back and added to from the second slice on (the same work-item wrote it).
// a_mode: 0 A is M x K, 1 A is K x M (op(A) = its transpose), 2 A packed by k_mm_pack_a.
__kernel void k_mm_reg(__global const REAL *a, __global const REAL *bp, __global REAL *c,
                       int M, int N, int K, int nq, int ngroups, int rows_per_item, int kc,
                       int a_mode, int accumulate, int panel_stride, int row_stride)
{
    int q = get_global_id(0), g = get_global_id(1);
    if (q >= nq || g >= ngroups) return;
    int col0 = q * TN;
    int row_lo = g * rows_per_item;
    int row_hi = min(row_lo + rows_per_item, M);
    __global const REAL *panel = bp + (long)q * panel_stride;
    // op(A)[row, k] = a[row * K + k], a[k * M + row] (transposed), or
    // a[((row / TM) * K + k) * TM + row % TM] (packed)
    long astep = a_mode == 1 ? (long)M : (a_mode == 2 ? TM : 1);
    for (int k0 = 0; k0 < K; k0 += kc) {
        int kn = min(kc, K - k0);
        int add = accumulate || k0 > 0;
        for (int row0 = row_lo; row0 < row_hi; row0 += TM) {
            // Rows past M read the last row instead, so the loop needs no bounds checks;
            // their results are never stored.
            __global const REAL *ar[TM];
#pragma unroll
            for (int r = 0; r < TM; ++r) {
                int row = min(row0 + r, M - 1);
                if (a_mode == 2)
                    ar[r] = a + ((long)(row0 / TM) * K + k0) * TM + r;
                else
                    ar[r] = a + (a_mode == 1 ? (long)k0 * M + row : (long)row * K + k0);
            }
            __global const REAL *pb = panel + (long)k0 * row_stride;
            realv acc[TM][NV];
#pragma unroll
            for (int r = 0; r < TM; ++r)
#pragma unroll
                for (int v = 0; v < NV; ++v)
                    acc[r][v] = (realv)(0);
            for (int k = 0; k < kn; ++k) {
                // A plain vector read, not vloadn: PoCL leaves vloadn as a function call,
                // and a call in this loop spills every accumulator. Panel rows are aligned:
                // each starts a multiple of VW elements into a buffer aligned for any vector.
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
                pb += row_stride;
            }
            int rows = min(TM, M - row0);
            for (int r = 0; r < rows; ++r) {
                __global REAL *crow = c + (long)(row0 + r) * N + col0;
                if (col0 + TN <= N) {
#pragma unroll
                    for (int v = 0; v < NV; ++v) {
                        realv x = acc[r][v];
                        if (add) x += VLOAD(VW)(v, crow);
                        VSTORE(VW)(x, v, crow);
                    }
                } else {  // the last, partial panel: element by element
                    REAL tmp[TN];
#pragma unroll
                    for (int v = 0; v < NV; ++v)
                        VSTORE(VW)(acc[r][v], v, tmp);
                    for (int s = 0; s < N - col0; ++s)
                        crow[s] = add ? crow[s] + tmp[s] : tmp[s];
                }
            }
        }
    }
}
