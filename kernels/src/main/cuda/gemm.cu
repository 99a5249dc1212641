// The own-kernel GEMM (the vendor path is cublasSgemm): C[m×n] = alpha·op(A)·op(B) + beta·C, all
// row-major. op(A) is m×k: A is m×k (lda = k) or, when transA, k×m (lda = m); op(B) is k×n:
// B is k×n (ldb = n) or, when transB, n×k (ldb = k). beta == 0 overwrites C without reading it
// (C may hold NaN garbage), as the BLAS convention and the CPU's Sgemm do.
//
// Tiling: a 64×64 block of C per 256-thread block, each thread a 4×4 micro-tile, k in steps of
// 16 through shared memory. Tiles are loaded with bounds checks (zero padding), so any m, n, k
// works, including 1 and odd sizes. Both shared tiles are stored k-major, so the inner loop reads
// one row of each per step. The product uses explicit fmaf (kept fused under -fmad=false): the
// CPU reference is not bitwise here anyway (different summation order), and fma is faster.
#include "common.cuh"

#define BM 64
#define BN 64
#define BK 16
#define TM 4
#define TN 4

// Launch: grid (ceil(n/64), ceil(m/64)), block 256.
extern "C" __global__ void __launch_bounds__(256) sgemm_tiled(int transA, int transB, int m, int n, int k,
                                                              float alpha, const float* A, int lda,
                                                              const float* B, int ldb, float beta,
                                                              float* C, int ldc) {
    __shared__ float As[BK][BM + 1];  // As[p][i] = op(A)[row0 + i][p0 + p]; +1 breaks bank conflicts
    __shared__ float Bs[BK][BN];      // Bs[p][j] = op(B)[p0 + p][col0 + j]
    int tid = threadIdx.x;
    int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    int ty = tid / (BN / TN), tx = tid % (BN / TN);  // 16×16 threads
    float acc[TM][TN];
#pragma unroll
    for (int a = 0; a < TM; a++)
#pragma unroll
        for (int b = 0; b < TN; b++) acc[a][b] = 0.0f;

    for (int p0 = 0; p0 < k; p0 += BK) {
        // 64×16 = 1024 elements per tile, 4 per thread. The index order follows the memory order
        // of the source matrix so global loads are coalesced in both layouts.
        for (int e = tid; e < BM * BK; e += 256) {
            int i, p;
            if (transA) { p = e / BM; i = e % BM; } else { i = e / BK; p = e % BK; }
            int gi = row0 + i, gp = p0 + p;
            float v = 0.0f;
            if (gi < m && gp < k) v = transA ? A[(long long)gp * lda + gi] : A[(long long)gi * lda + gp];
            As[p][i] = v;
        }
        for (int e = tid; e < BK * BN; e += 256) {
            int p, j;
            if (transB) { j = e / BK; p = e % BK; } else { p = e / BN; j = e % BN; }
            int gp = p0 + p, gj = col0 + j;
            float v = 0.0f;
            if (gp < k && gj < n) v = transB ? B[(long long)gj * ldb + gp] : B[(long long)gp * ldb + gj];
            Bs[p][j] = v;
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < BK; p++) {
            float a[TM], b[TN];
#pragma unroll
            for (int r = 0; r < TM; r++) a[r] = As[p][ty * TM + r];
#pragma unroll
            for (int q = 0; q < TN; q++) b[q] = Bs[p][tx + q * (BN / TN)];  // strided: no bank conflicts
#pragma unroll
            for (int r = 0; r < TM; r++)
#pragma unroll
                for (int q = 0; q < TN; q++) acc[r][q] = fmaf(a[r], b[q], acc[r][q]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int r = 0; r < TM; r++) {
        int gi = row0 + ty * TM + r;
        if (gi >= m) continue;
#pragma unroll
        for (int q = 0; q < TN; q++) {
            int gj = col0 + tx + q * (BN / TN);
            if (gj >= n) continue;
            float* c = C + (long long)gi * ldc + gj;
            float v = alpha * acc[r][q];
            *c = beta == 0.0f ? v : fmaf(beta, *c, v);
        }
    }
}
