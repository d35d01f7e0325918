// int8 × int8 -> int32 matrix product, exact: every product of two int8 values fits in
// 15 bits, and the host refuses K large enough for a sum of them to leave int32.
//
// C (M x N) = A (M x K) . Bt (N x K)^T, both operands row-major with K contiguous and
// zero-padded to KP, a multiple of 16 (zeros add nothing), so that a row is a whole
// number of char8 vectors and every row starts aligned for them.
//
// One work-item per TM x TN block of C (dimension 0 along C's columns). Each step of
// its loop reads one char8 from each of TM rows of A and TN rows of Bt, widens them to
// int8 and does TM·TN vector multiply-adds: 8 products at a time, the lanes summed at
// the end. Vectors stay at 256 bits: wider ones (int16) cross the calling convention
// of CPU builds without AVX-512, which PoCL warns about and which makes each widening
// a function call. Rows past M (or N) read the last row instead, so the loop has no bounds checks;
// their results are never stored.

#ifndef TM
#define TM 4
#endif
// char8 -> int8, lane by lane. convert_int8() does the same, but Oclgrind's
// uninitialised-value checker crashes on it.
#define WIDEN(v) ((int8)((v).s0, (v).s1, (v).s2, (v).s3, (v).s4, (v).s5, (v).s6, (v).s7))
#ifndef TN
#define TN 4
#endif

__kernel void k_i8_mm(__global const char *a, __global const char *bt, __global int *c,
                      int M, int N, int KP)
{
    int q = get_global_id(0), p = get_global_id(1);
    int col0 = q * TN, row0 = p * TM;
    if (row0 >= M || col0 >= N) return;
    int nv = KP / 8;
    __global const char8 *ar[TM];
    __global const char8 *br[TN];
    for (int r = 0; r < TM; ++r)
        ar[r] = (__global const char8 *)(a + (long)min(row0 + r, M - 1) * KP);
    for (int s = 0; s < TN; ++s)
        br[s] = (__global const char8 *)(bt + (long)min(col0 + s, N - 1) * KP);
    int8 acc[TM][TN];
    for (int r = 0; r < TM; ++r)
        for (int s = 0; s < TN; ++s)
            acc[r][s] = (int8)(0);
    for (int v = 0; v < nv; ++v) {
        int8 bv[TN];
        for (int s = 0; s < TN; ++s)
            bv[s] = WIDEN(br[s][v]);
        for (int r = 0; r < TM; ++r) {
            int8 av = WIDEN(ar[r][v]);
            for (int s = 0; s < TN; ++s)
                acc[r][s] = av * bv[s] + acc[r][s];
        }
    }
    for (int r = 0; r < TM; ++r) {
        int row = row0 + r;
        if (row >= M) break;
        for (int s = 0; s < TN; ++s) {
            int col = col0 + s;
            if (col >= N) break;
            // through private memory rather than .lo/.hi: Oclgrind's uninitialised-value
            // checker crashes on lanes extracted from the result of vector arithmetic
            int lanes[8];
            vstore8(acc[r][s], 0, lanes);
            int sum = 0;
            for (int l = 0; l < 8; ++l)
                sum += lanes[l];
            c[(long)row * N + col] = sum;
        }
    }
}
