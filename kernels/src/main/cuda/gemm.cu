// The own-kernel GEMM (the vendor path is cublasSgemm): C[m×n] = alpha·op(A)·op(B) + beta·C, all
// row-major. op(A) is m×k: A is m×k or, when transA, k×m; op(B) is k×n: B is k×n or, when transB,
// n×k; lda/ldb/ldc are the row strides of A, B, C as stored. beta == 0 overwrites C without
// reading it (C may hold NaN garbage), as the BLAS convention and the CPU's Sgemm do.
//
// Launch: grid (ceil(n/128), ceil(m/128)), block 256, no dynamic shared memory. Any m, n, k ≥ 1.
//
// Design (the CUTLASS "128×128×8" SGEMM; siboehm's kernels 6–10 walk through the same steps):
// - Each block computes a 128×128 tile of C, each of its 256 threads an 8×8 micro-tile: 64
//   accumulators in registers, and per k step four float4 shared-memory reads feed 64 FMAs.
// - Warp tiling: a warp owns a 32×64 block of the tile, its lanes a 4×8 grid, each lane two 4×4
//   sub-tiles 16 rows and 32 columns apart. Per read a warp then touches 4 distinct float4 of A
//   and 8 contiguous float4 of B (128 bytes): one shared-memory wavefront each, broadcast to the
//   lanes that share them, where a plain 16×16 thread grid needs 16 float4 of B per read. C is
//   written as 8 lanes × float4 = one 128-byte line per row.
// - k advances 8 at a time (BK = 8): the two tiles are 128×8 each, 4 floats per thread, one
//   float4 global load per operand and thread. Both tiles sit in shared memory k-major
//   (S[p][i]), so the inner loop reads a row of each; a source that is contiguous along k
//   (A as stored, Bᵀ) is transposed on the store. Rows are padded to 132 floats: the transposing
//   scalar stores then hit 32 distinct banks, and rows stay 16-byte aligned for float4.
// - Two shared buffers and a register prefetch: the global loads of tile t+1 are issued before
//   the FMAs of tile t and stored into the other buffer after them, so memory latency hides
//   behind arithmetic and one __syncthreads per tile suffices.
// - 64 accumulators + 16 fragment values + 8 prefetched values fit in ≤ 128 registers, so two
//   blocks (16 warps) share an SM; shared memory is 16.5 KiB per block.
// - Edges: a thread's 4 global elements are contiguous in memory whichever the layout, so one
//   count (0..4 elements in range) decides: all 4 and float4-able (pointer 16-byte aligned and
//   leading dimension a multiple of 4, checked at run time) → one float4 load; otherwise scalar
//   loads of the in-range elements, zeros for the rest. Out-of-range rows and columns of C are
//   not written. Interior blocks of aligned matrices take the float4 branch every time.
// The inner product uses explicit fmaf (kept fused under -fmad=false): the CPU reference is not
// bitwise here anyway (different summation order), and fma is faster and more accurate.
#include "common.cuh"

#define SG_BM 128  // rows of C per block
#define SG_BN 128  // columns of C per block
#define SG_BK 8    // k per shared tile
#define SG_LD 132  // shared row length: 128 + 4 padding (see above)

// One operand's tile loader, per thread: 4 contiguous floats at p per tile.
struct SgTile {
    const float* p;   // this thread's first element in the current tile (valid only if in range)
    long long step;   // elements from one k tile to the next
    int kIdx;         // k index of this thread's (first) element in the current tile
    int kLimit;       // k
    int contigK;      // 1: the 4 elements run along k (store transposes), 0: along m or n
    int mnIdx;        // m (or n) index of the thread's first element
    int mnLimit;      // m (or n)
    int vec;          // float4 loads allowed
};

// contigK: element (mn, kk) of op(X) is X[mn·ld + kk]; else X[kk·ld + mn]. rowBase is the block's
// first m (or n) index.
__device__ __forceinline__ SgTile sg_tile(const float* X, int ld, int contigK, int rowBase, int mnLimit,
                                          int kLimit, int tid) {
    SgTile t;
    if (contigK) {
        t.mnIdx = rowBase + tid / 2;   // 128 rows × 2 float4 along k
        t.kIdx = (tid % 2) * 4;
        t.p = X + (long long)t.mnIdx * ld + t.kIdx;
        t.step = SG_BK;
    } else {
        t.kIdx = tid / 32;             // 8 k rows × 32 float4 along m (or n)
        t.mnIdx = rowBase + (tid % 32) * 4;
        t.p = X + (long long)t.kIdx * ld + t.mnIdx;
        t.step = (long long)SG_BK * ld;
    }
    t.kLimit = kLimit;
    t.contigK = contigK;
    t.mnLimit = mnLimit;
    t.vec = ((unsigned long long)X % 16 == 0) && ld % 4 == 0;
    return t;
}

__device__ __forceinline__ float4 sg_load(const SgTile& t) {
    int avail;  // how many of the 4 contiguous elements lie inside the matrix
    if (t.contigK) avail = t.mnIdx < t.mnLimit ? min(4, t.kLimit - t.kIdx) : 0;
    else avail = t.kIdx < t.kLimit ? min(4, t.mnLimit - t.mnIdx) : 0;
    if (avail >= 4 && t.vec) return *reinterpret_cast<const float4*>(t.p);
    float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    if (avail > 0) v.x = t.p[0];
    if (avail > 1) v.y = t.p[1];
    if (avail > 2) v.z = t.p[2];
    if (avail > 3) v.w = t.p[3];
    return v;
}

__device__ __forceinline__ void sg_advance(SgTile& t) {
    t.p += t.step;
    t.kIdx += SG_BK;
}

// Stores this thread's 4 values k-major: S[p][i].
__device__ __forceinline__ void sg_store(float (*S)[SG_LD], const SgTile& t, float4 v, int tid) {
    if (t.contigK) {
        int i = tid / 2, p = (tid % 2) * 4;
        S[p][i] = v.x;
        S[p + 1][i] = v.y;
        S[p + 2][i] = v.z;
        S[p + 3][i] = v.w;
    } else {
        *reinterpret_cast<float4*>(&S[tid / 32][(tid % 32) * 4]) = v;
    }
}

// C[row][col..col+3] = alpha·acc + beta·C for the in-range columns; beta == 0 never reads C.
__device__ __forceinline__ void sg_store_c(float* c, int avail, int vec, float alpha, float beta, float a0,
                                           float a1, float a2, float a3) {
    if (avail >= 4 && vec) {
        float4 v = make_float4(alpha * a0, alpha * a1, alpha * a2, alpha * a3);
        if (beta != 0.0f) {
            float4 old = *reinterpret_cast<const float4*>(c);
            v = make_float4(fmaf(beta, old.x, v.x), fmaf(beta, old.y, v.y), fmaf(beta, old.z, v.z),
                            fmaf(beta, old.w, v.w));
        }
        *reinterpret_cast<float4*>(c) = v;
        return;
    }
    float v[4] = {alpha * a0, alpha * a1, alpha * a2, alpha * a3};
#pragma unroll
    for (int q = 0; q < 4; q++) {
        if (q < avail) c[q] = beta == 0.0f ? v[q] : fmaf(beta, c[q], v[q]);
    }
}

extern "C" __global__ void __launch_bounds__(256, 2)
sgemm_tiled(int transA, int transB, int m, int n, int k, float alpha, const float* A, int lda, const float* B,
            int ldb, float beta, float* C, int ldc) {
    __shared__ __align__(16) float As[2][SG_BK][SG_LD];  // As[buf][p][i] = op(A)[row0 + i][k0 + p]
    __shared__ __align__(16) float Bs[2][SG_BK][SG_LD];  // Bs[buf][p][j] = op(B)[k0 + p][col0 + j]
    const int tid = threadIdx.x;
    const int row0 = blockIdx.y * SG_BM, col0 = blockIdx.x * SG_BN;
    // Warp w covers rows (w/2)·32 .. +31 and columns (w%2)·64 .. +63 of the tile; its lanes form
    // a 4×8 grid, each lane two 4-row groups 16 apart and two 4-column groups 32 apart.
    const int warp = tid / 32, lane = tid % 32;
    const int rowT = (warp / 2) * 32 + (lane / 8) * 4;
    const int colT = (warp % 2) * 64 + (lane % 8) * 4;

    SgTile ta = sg_tile(A, lda, !transA, row0, m, k, tid);
    SgTile tb = sg_tile(B, ldb, transB, col0, n, k, tid);

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;

    float4 ra = sg_load(ta), rb = sg_load(tb);
    sg_store(As[0], ta, ra, tid);
    sg_store(Bs[0], tb, rb, tid);
    __syncthreads();

    const int tiles = (k + SG_BK - 1) / SG_BK;
    for (int t = 0; t < tiles; t++) {
        const int cur = t & 1;
        const bool more = t + 1 < tiles;
        if (more) {  // issue the next tile's global loads now; they land while we compute
            sg_advance(ta);
            sg_advance(tb);
            ra = sg_load(ta);
            rb = sg_load(tb);
        }
#pragma unroll
        for (int p = 0; p < SG_BK; p++) {
            float4 a0 = *reinterpret_cast<const float4*>(&As[cur][p][rowT]);
            float4 a1 = *reinterpret_cast<const float4*>(&As[cur][p][rowT + 16]);
            float4 b0 = *reinterpret_cast<const float4*>(&Bs[cur][p][colT]);
            float4 b1 = *reinterpret_cast<const float4*>(&Bs[cur][p][colT + 32]);
            const float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        if (more) {  // the other buffer: nobody reads it until after the barrier below
            sg_store(As[cur ^ 1], ta, ra, tid);
            sg_store(Bs[cur ^ 1], tb, rb, tid);
        }
        __syncthreads();
    }

    const int vecC = ((unsigned long long)C % 16 == 0) && ldc % 4 == 0;
#pragma unroll
    for (int i = 0; i < 8; i++) {
        const int row = row0 + rowT + (i < 4 ? i : 12 + i);  // i ≥ 4: rowT + 16 + (i − 4)
        if (row < m) {
            float* crow = C + (long long)row * ldc;
#pragma unroll
            for (int h = 0; h < 2; h++) {
                const int col = col0 + colT + h * 32;
                if (col < n) {
                    sg_store_c(crow + col, n - col, vecC, alpha, beta, acc[i][h * 4], acc[i][h * 4 + 1],
                               acc[i][h * 4 + 2], acc[i][h * 4 + 3]);
                }
            }
        }
    }
}
