// cublasSgemm_v2 (and its _64 twin): C = alpha * op(A) * op(B) + beta * C, column-major, as the
// cuBLAS documentation defines cublas<t>gemm. A reference computation, not a fast one:
//   - op(A) is m x k, op(B) is k x n, C is m x n; A is stored lda-strided with (transa == N ? m : k)
//     rows, B with (transb == N ? k : n) rows; CUBLAS_OP_C equals CUBLAS_OP_T for real data.
//   - each element's dot product is accumulated in double and alpha * sum + beta * c rounded to
//     float once, so the simulator is at least as accurate as any GPU kernel (a GPU's float
//     accumulation differs from this in the last bits; tolerances must allow for that).
//   - beta == 0: C is only written, never read, so NaN or Inf already in C does not propagate
//     (the BLAS rule the documentation states). alpha == 0 or k == 0: A and B are not read.
//   - math mode CUBLAS_TF32_TENSOR_OP_MATH rounds every A and B element to TF32 (10 mantissa bits,
//     nearest even) before multiplying, as the TF32 tensor cores do; the other modes compute FP32.
// Argument checks, in the documented order: a handle that is not live -> NOT_INITIALIZED; m, n or
// k < 0, a transa/transb other than N, T, C, lda < max(1, rows of A), ldb < max(1, rows of B),
// ldc < max(1, m) -> INVALID_VALUE. Then m == 0 or n == 0, or (alpha == 0 or k == 0) with beta == 1,
// returns at once. Each matrix's exact extent, ld * (cols - 1) + rows floats, is resolved through
// jgsim_device_range before anything is computed; one not inside a live allocation is reported
// naming the function and the argument, and the call returns CUBLAS_STATUS_EXECUTION_FAILED (on a
// GPU the kernel would fault with an illegal address).
#include "cublas_types.h"
#include "sim_api.h"

#include <cstdio>
#include <vector>

namespace {

struct Matrix {
    const char* name;
    int64_t rows;
    int64_t cols;
    int64_t ld;
};

bool valid_op(int op) {
    return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C;
}

// The matrix's bytes from addr, or nullptr (already reported) when they are not device memory.
void* resolve(const char* fn, const Matrix& mat, const void* addr) {
    uint64_t elems = static_cast<uint64_t>(mat.ld) * static_cast<uint64_t>(mat.cols - 1) + static_cast<uint64_t>(mat.rows);
    char who[160];
    std::snprintf(who, sizeof who, "%s argument %s (%lld x %lld, ld %lld)", fn, mat.name, (long long)mat.rows,
                  (long long)mat.cols, (long long)mat.ld);
    return jgsim_device_range(reinterpret_cast<uint64_t>(addr), elems * sizeof(float), who);
}

// alpha or beta: read from host memory, or in CUBLAS_POINTER_MODE_DEVICE from device memory.
bool scalar(const char* fn, const char* name, cublasHandle_t h, const float* p, float* out) {
    if (h->pointerMode == CUBLAS_POINTER_MODE_HOST) {
        *out = *p;
        return true;
    }
    char who[96];
    std::snprintf(who, sizeof who, "%s argument %s (device pointer mode)", fn, name);
    const void* host = jgsim_device_range(reinterpret_cast<uint64_t>(p), sizeof(float), who);
    if (host == nullptr) return false;
    *out = *static_cast<const float*>(host);
    return true;
}

// op(X) of one operand packed so that the k values one output element needs are contiguous:
// row i of op(A) (for A) or column j of op(B) (for B), each k doubles, TF32-rounded if asked.
std::vector<double> pack(const float* x, int64_t ld, bool trans, int64_t count, int64_t k, bool a, bool tf32) {
    std::vector<double> out(static_cast<size_t>(count * k));
    for (int64_t i = 0; i < count; i++) {
        for (int64_t l = 0; l < k; l++) {
            // A: op(A)(i, l) is A[i + l*lda] untransposed, A[l + i*lda] transposed.
            // B: op(B)(l, j) is B[l + j*ldb] untransposed, B[j + l*ldb] transposed.
            bool strided = a ? !trans : trans;
            float v = strided ? x[i + l * ld] : x[l + i * ld];
            out[static_cast<size_t>(i * k + l)] = tf32 ? cublas_round_tf32(v) : v;
        }
    }
    return out;
}

cublasStatus_t gemm(const char* fn, cublasHandle_t handle, int transa, int transb, int64_t m, int64_t n, int64_t k,
                    const float* alpha, const float* A, int64_t lda, const float* B, int64_t ldb, const float* beta,
                    float* C, int64_t ldc) {
    jgsim_count("cublasSgemm", 1);
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (!valid_op(transa) || !valid_op(transb) || m < 0 || n < 0 || k < 0) return CUBLAS_STATUS_INVALID_VALUE;
    bool ta = transa != CUBLAS_OP_N;
    bool tb = transb != CUBLAS_OP_N;
    Matrix ma{"A", ta ? k : m, ta ? m : k, lda};
    Matrix mb{"B", tb ? n : k, tb ? k : n, ldb};
    Matrix mc{"C", m, n, ldc};
    auto ld_ok = [](const Matrix& x) { return x.ld >= (x.rows > 1 ? x.rows : 1); };
    if (!ld_ok(ma) || !ld_ok(mb) || !ld_ok(mc)) return CUBLAS_STATUS_INVALID_VALUE;
    if (alpha == nullptr || beta == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    if (m == 0 || n == 0) return CUBLAS_STATUS_SUCCESS;
    float al, be;
    if (!scalar(fn, "alpha", handle, alpha, &al) || !scalar(fn, "beta", handle, beta, &be)) {
        return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    bool products = k > 0 && al != 0.0f;
    if (!products && be == 1.0f) return CUBLAS_STATUS_SUCCESS;

    const float* a = nullptr;
    const float* b = nullptr;
    if (products) {
        a = static_cast<const float*>(resolve(fn, ma, A));
        if (a == nullptr) return CUBLAS_STATUS_EXECUTION_FAILED;
        b = static_cast<const float*>(resolve(fn, mb, B));
        if (b == nullptr) return CUBLAS_STATUS_EXECUTION_FAILED;
    }
    float* c = static_cast<float*>(resolve(fn, mc, C));
    if (c == nullptr) return CUBLAS_STATUS_EXECUTION_FAILED;

    bool tf32 = (handle->mathMode & ~CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION) == CUBLAS_TF32_TENSOR_OP_MATH;
    std::vector<double> pa, pb;
    if (products) {
        pa = pack(a, lda, ta, m, k, true, tf32);
        pb = pack(b, ldb, tb, n, k, false, tf32);
    }
    for (int64_t j = 0; j < n; j++) {
        for (int64_t i = 0; i < m; i++) {
            double sum = 0.0;
            if (products) {
                const double* ra = &pa[static_cast<size_t>(i * k)];
                const double* cb = &pb[static_cast<size_t>(j * k)];
                for (int64_t l = 0; l < k; l++) sum += ra[l] * cb[l];
            }
            float& out = c[i + j * ldc];
            double v = static_cast<double>(al) * sum;
            if (be != 0.0f) v += static_cast<double>(be) * out;
            out = static_cast<float>(v);
        }
    }
    return CUBLAS_STATUS_SUCCESS;
}

}  // namespace

CUBLAS_EXPORT cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb,
                                            int m, int n, int k, const float* alpha, const float* A, int lda,
                                            const float* B, int ldb, const float* beta, float* C, int ldc) {
    return gemm("cublasSgemm_v2", handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

CUBLAS_EXPORT cublasStatus_t cublasSgemm_v2_64(cublasHandle_t handle, cublasOperation_t transa,
                                               cublasOperation_t transb, int64_t m, int64_t n, int64_t k,
                                               const float* alpha, const float* A, int64_t lda, const float* B,
                                               int64_t ldb, const float* beta, float* C, int64_t ldc) {
    return gemm("cublasSgemm_v2_64", handle, transa, transb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
