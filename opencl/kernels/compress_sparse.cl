// Sparse × dense products with the sparse matrix in CSR (compressed sparse rows):
// row i's non-zeros are values[indptr[i] .. indptr[i+1]), in columns indices[...].
//
// C (M x N) = A (M x K, CSR) . B (K x N, dense row-major). One work-item per row i of C
// and block of TN columns (dimension 0 along the column blocks). It walks row i's
// non-zeros once, and for each a_ik adds a_ik times TN neighbouring entries of row k of
// B into TN accumulators held in registers: contiguous reads that the compiler turns
// into vector loads and multiply-adds. (One work-item per element of C, the obvious
// version, re-reads the row's index list for every column and ran 10 times slower on a
// CPU device.) With N = 1 this is SpMV: one work-item per row.
//
// Only the non-zeros are touched: the work is nnz·N multiply-adds against M·K·N for the
// dense product, but every one of them follows an index, which is why sparse only wins
// below some density.

#ifndef TN
#define TN 16
#endif

#pragma clang fp contract(fast)

__kernel void k_csr_mm(__global const int *indptr, __global const int *indices,
                       __global const REAL *values, __global const REAL *b, __global REAL *c,
                       int M, int N)
{
    int q = get_global_id(0), i = get_global_id(1);
    int col0 = q * TN;
    if (i >= M || col0 >= N) return;
    int start = indptr[i], stop = indptr[i + 1];
    REAL acc[TN];
#pragma unroll
    for (int s = 0; s < TN; ++s)
        acc[s] = (REAL)0;
    __global REAL *crow = c + (long)i * N + col0;
    if (col0 + TN <= N) {  // a whole block: fixed trip counts, fully unrolled
        for (int p = start; p < stop; ++p) {
            REAL v = values[p];
            __global const REAL *brow = b + (long)indices[p] * N + col0;
#pragma unroll
            for (int s = 0; s < TN; ++s)
                acc[s] = v * brow[s] + acc[s];
        }
#pragma unroll
        for (int s = 0; s < TN; ++s)
            crow[s] = acc[s];
    } else {               // the last, partial block
        int width = N - col0;
        for (int p = start; p < stop; ++p) {
            REAL v = values[p];
            __global const REAL *brow = b + (long)indices[p] * N + col0;
            for (int s = 0; s < width; ++s)
                acc[s] = v * brow[s] + acc[s];
        }
        for (int s = 0; s < width; ++s)
            crow[s] = acc[s];
    }
}
