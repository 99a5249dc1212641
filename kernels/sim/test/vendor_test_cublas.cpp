// cuBLAS: cublasSgemm_v2 against a naive column-major double loop for every transpose pair,
// alpha/beta, beta == 0 over NaN, quick returns, documented argument errors, device pointer mode,
// TF32 math, out-of-range buffers; handle settings and versions.
#include "cublas/cublas_types.h"
#include "vendor_test.h"

#include <cmath>
#include <cstring>
#include <limits>

extern "C" {
cublasStatus_t cublasCreate_v2(cublasHandle_t* handle);
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle);
cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int* version);
cublasStatus_t cublasGetProperty(libraryPropertyType type, int* value);
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream);
cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t* stream);
cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode);
cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t* mode);
cublasStatus_t cublasSetAtomicsMode(cublasHandle_t handle, cublasAtomicsMode_t mode);
cublasStatus_t cublasGetAtomicsMode(cublasHandle_t handle, cublasAtomicsMode_t* mode);
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);
cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode);
cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                              int k, const float* alpha, const float* A, int lda, const float* B, int ldb,
                              const float* beta, float* C, int ldc);
}

namespace {

cublasOperation_t op(int t) { return static_cast<cublasOperation_t>(t); }

// Element (i, j) of op(X) for a column-major X with leading dimension ld.
double elem(const std::vector<float>& x, int ld, bool trans, int i, int j) {
    return trans ? x[j + i * ld] : x[i + j * ld];
}

float tf32(float x) {
    // Independent of the library's rounding: keep 10 mantissa bits by nearest-even via double math.
    if (!std::isfinite(x) || x == 0.0f) return x;
    int e;
    double m = std::frexp(static_cast<double>(x), &e);  // x = m * 2^e, 0.5 <= |m| < 1
    double scaled = std::nearbyint(m * 2048.0);  // 11 significant bits: 1 implicit + 10
    return static_cast<float>(std::ldexp(scaled / 2048.0, e));
}

// Runs one Sgemm on padded column-major matrices and compares every element of C, padding included.
void gemm_case(cublasHandle_t h, int ta, int tb, int m, int n, int k, float alpha, float beta, bool nanC,
               bool useTf32, uint32_t seed) {
    bool tA = ta != CUBLAS_OP_N, tB = tb != CUBLAS_OP_N;
    int ra = tA ? k : m, ca = tA ? m : k, rb = tB ? n : k, cb = tB ? k : n;
    int lda = ra + 2, ldb = rb + 1, ldc = m + 3;
    auto a = randv((size_t)lda * ca, seed);
    auto b = randv((size_t)ldb * cb, seed + 1);
    auto c = nanC ? std::vector<float>((size_t)ldc * n, std::numeric_limits<float>::quiet_NaN())
                  : randv((size_t)ldc * n, seed + 2);
    std::vector<double> want(c.begin(), c.end());
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            double sum = 0;
            for (int l = 0; l < k; l++) {
                double x = elem(a, lda, tA, i, l), y = elem(b, ldb, tB, l, j);
                if (useTf32) {
                    x = tf32(static_cast<float>(x));
                    y = tf32(static_cast<float>(y));
                }
                sum += x * y;
            }
            want[i + j * ldc] = alpha * sum + (beta == 0.0f ? 0.0 : beta * (double)c[i + j * ldc]);
        }
    }
    DevBuf da(a), db(b), dc(c);
    cublasStatus_t st = cublasSgemm_v2(h, op(ta), op(tb), m, n, k, &alpha, (const float*)da.ptr(), lda,
                                       (const float*)db.ptr(), ldb, &beta, (float*)dc.ptr(), ldc);
    CHECK(st == CUBLAS_STATUS_SUCCESS, "sgemm ta=%d tb=%d status %d", ta, tb, st);
    auto got = dc.get();
    // NaN padding stays NaN: compare only the m x n block there, the rest must be untouched bits.
    bool ok = true;
    for (int j = 0; j < n && ok; j++) {
        for (int i = 0; i < ldc && ok; i++) {
            size_t at = i + (size_t)j * ldc;
            if (i >= m) {
                ok = std::memcmp(&got[at], &c[at], 4) == 0;
                if (!ok) std::fprintf(stderr, "  padding of C at %zu changed\n", at);
            } else {
                ok = close(got[at], want[at], 1e-5);
                if (!ok) std::fprintf(stderr, "  C(%d,%d) = %.9g, expected %.9g\n", i, j, got[at], want[at]);
            }
        }
    }
    CHECK(ok, "sgemm ta=%d tb=%d m=%d n=%d k=%d alpha=%g beta=%g nanC=%d tf32=%d", ta, tb, m, n, k, alpha, beta, nanC,
          useTf32);
}

bool out_of_range_A() {
    cublasHandle_t h;
    cublasCreate_v2(&h);
    DevBuf a(10, 1.0f), b(12, 1.0f), c(12, 0.0f);  // A needs lda * (k - 1) + m = 4 * 2 + 4 = 12 floats
    float one = 1.0f, zero = 0.0f;
    cublasStatus_t st = cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 3, 3, &one, (const float*)a.ptr(), 4,
                                       (const float*)b.ptr(), 4, &zero, (float*)c.ptr(), 4);
    std::string msg = last_sim_error();
    bool ok = st == CUBLAS_STATUS_EXECUTION_FAILED && msg.find("cublasSgemm_v2") != std::string::npos &&
              msg.find("argument A") != std::string::npos;
    if (!ok) std::fprintf(stderr, "  status %d, message '%s'\n", st, msg.c_str());
    return ok;
}

bool out_of_range_C() {
    cublasHandle_t h;
    cublasCreate_v2(&h);
    DevBuf a(12, 1.0f), b(12, 1.0f), c(11, 0.0f);  // C needs ldc * (n - 1) + m = 4 * 2 + 4 = 12 floats
    float one = 1.0f, zero = 0.0f;
    cublasStatus_t st = cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 4, 3, 3, &one, (const float*)a.ptr(), 4,
                                       (const float*)b.ptr(), 4, &zero, (float*)c.ptr(), 4);
    std::string msg = last_sim_error();
    bool ok = st == CUBLAS_STATUS_EXECUTION_FAILED && msg.find("argument C") != std::string::npos;
    if (!ok) std::fprintf(stderr, "  status %d, message '%s'\n", st, msg.c_str());
    return ok;
}

}  // namespace

void test_cublas() {
    cublasHandle_t h = nullptr;
    CHECK(cublasCreate_v2(&h) == CUBLAS_STATUS_SUCCESS && h != nullptr, "cublasCreate_v2");
    int v = 0;
    CHECK(cublasGetVersion_v2(h, &v) == CUBLAS_STATUS_SUCCESS && v == 120604, "version %d", v);
    int parts[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) cublasGetProperty(static_cast<libraryPropertyType>(i), &parts[i]);
    CHECK(parts[0] == 12 && parts[1] == 6 && parts[2] == 4, "properties %d.%d.%d", parts[0], parts[1], parts[2]);

    cudaStream_t s = reinterpret_cast<cudaStream_t>(0x1234), s2 = nullptr;
    CHECK(cublasSetStream_v2(h, s) == 0 && cublasGetStream_v2(h, &s2) == 0 && s2 == s, "stream round trip");
    cublasPointerMode_t pm;
    CHECK(cublasGetPointerMode_v2(h, &pm) == 0 && pm == CUBLAS_POINTER_MODE_HOST, "default pointer mode host");
    cublasAtomicsMode_t am;
    CHECK(cublasSetAtomicsMode(h, CUBLAS_ATOMICS_ALLOWED) == 0 && cublasGetAtomicsMode(h, &am) == 0 &&
              am == CUBLAS_ATOMICS_ALLOWED, "atomics round trip");
    cublasSetAtomicsMode(h, CUBLAS_ATOMICS_NOT_ALLOWED);
    cublasMath_t mm;
    CHECK(cublasGetMathMode(h, &mm) == 0 && mm == CUBLAS_DEFAULT_MATH, "default math mode");
    CHECK(cublasSetMathMode(h, static_cast<cublasMath_t>(7)) == CUBLAS_STATUS_INVALID_VALUE, "bad math mode");
    CHECK(cublasSetPointerMode_v2(h, static_cast<cublasPointerMode_t>(2)) == CUBLAS_STATUS_INVALID_VALUE,
          "bad pointer mode");

    // Every transpose pair (C == T for real data), odd sizes, padded leading dimensions.
    uint32_t seed = 10;
    for (int ta : {0, 1, 2}) {
        for (int tb : {0, 1, 2}) {
            gemm_case(h, ta, tb, 5, 7, 3, 1.0f, 0.0f, false, false, seed += 3);
            gemm_case(h, ta, tb, 9, 4, 13, 1.5f, -0.75f, false, false, seed += 3);
        }
    }
    // beta == 0 must not read C: NaN in C (and in its padding) does not reach the result.
    gemm_case(h, 1, 0, 6, 5, 4, 2.0f, 0.0f, true, false, 99);
    gemm_case(h, 0, 1, 6, 5, 4, -1.0f, 0.0f, true, false, 98);
    // k == 0: C = beta * C.
    gemm_case(h, 0, 0, 4, 3, 0, 1.0f, 0.5f, false, false, 97);
    // TF32 math rounds the inputs.
    CHECK(cublasSetMathMode(h, CUBLAS_TF32_TENSOR_OP_MATH) == 0, "set TF32");
    gemm_case(h, 0, 1, 8, 6, 37, 1.0f, 0.0f, false, true, 96);
    cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);

    // alpha == 0, beta == 1 returns at once, touching nothing (A, B, C may be anything).
    float zero = 0.0f, one = 1.0f, two = 2.0f;
    const float* bogus = reinterpret_cast<const float*>(16);
    CHECK(cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 3, 3, 3, &zero, bogus, 3, bogus, 3, &one, (float*)bogus, 3) == 0,
          "alpha 0 beta 1 quick return");
    CHECK(cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 0, 3, 3, &one, bogus, 1, bogus, 3, &one, (float*)bogus, 1) == 0,
          "m == 0 quick return");
    {  // alpha == 0, beta == 2: C doubled, A and B not read.
        DevBuf c(std::vector<float>{1, 2, 3, 4});
        CHECK(cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 5, &zero, bogus, 2, bogus, 5, &two,
                             (float*)c.ptr(), 2) == 0 && c.get() == std::vector<float>({2, 4, 6, 8}),
              "alpha 0 scales C without reading A, B");
    }

    // Documented argument errors.
    DevBuf a(64, 1.0f), b(64, 1.0f), c(64, 0.0f);
    const float* A = (const float*)a.ptr();
    const float* B = (const float*)b.ptr();
    float* C = (float*)c.ptr();
    auto gemm = [&](cublasHandle_t hh, int ta, int tb, int m, int n, int k, int lda, int ldb, int ldc) {
        return cublasSgemm_v2(hh, op(ta), op(tb), m, n, k, &one, A, lda, B, ldb, &zero, C, ldc);
    };
    CHECK(gemm(h, 0, 0, -1, 2, 2, 2, 2, 2) == CUBLAS_STATUS_INVALID_VALUE, "m < 0");
    CHECK(gemm(h, 0, 0, 2, -1, 2, 2, 2, 2) == CUBLAS_STATUS_INVALID_VALUE, "n < 0");
    CHECK(gemm(h, 0, 0, 2, 2, -1, 2, 2, 2) == CUBLAS_STATUS_INVALID_VALUE, "k < 0");
    CHECK(gemm(h, 0, 0, 4, 2, 2, 3, 2, 4) == CUBLAS_STATUS_INVALID_VALUE, "lda < m (N)");
    CHECK(gemm(h, 1, 0, 4, 2, 3, 2, 3, 4) == CUBLAS_STATUS_INVALID_VALUE, "lda < k (T)");
    CHECK(gemm(h, 0, 0, 4, 2, 3, 4, 2, 4) == CUBLAS_STATUS_INVALID_VALUE, "ldb < k (N)");
    CHECK(gemm(h, 0, 1, 4, 3, 2, 4, 2, 4) == CUBLAS_STATUS_INVALID_VALUE, "ldb < n (T)");
    CHECK(gemm(h, 0, 0, 4, 2, 2, 4, 2, 3) == CUBLAS_STATUS_INVALID_VALUE, "ldc < m");
    CHECK(gemm(h, 0, 0, 0, 2, 2, 0, 2, 1) == CUBLAS_STATUS_INVALID_VALUE, "lda 0 with m 0");
    CHECK(gemm(h, 5, 0, 2, 2, 2, 2, 2, 2) == CUBLAS_STATUS_INVALID_VALUE, "invalid transa");
    CHECK(gemm(h, 0, 3, 2, 2, 2, 2, 2, 2) == CUBLAS_STATUS_INVALID_VALUE, "CONJG transb");
    CHECK(gemm(nullptr, 0, 0, 2, 2, 2, 2, 2, 2) == CUBLAS_STATUS_NOT_INITIALIZED, "NULL handle");
    cublasHandle_t dead;
    cublasCreate_v2(&dead);
    cublasDestroy_v2(dead);
    CHECK(gemm(dead, 0, 0, 2, 2, 2, 2, 2, 2) == CUBLAS_STATUS_NOT_INITIALIZED, "destroyed handle");
    CHECK(cublasDestroy_v2(dead) == CUBLAS_STATUS_NOT_INITIALIZED, "double destroy");

    // Device pointer mode: alpha and beta read from device memory.
    {
        DevBuf alpha(std::vector<float>{2.0f}), beta(std::vector<float>{1.0f});
        DevBuf x(std::vector<float>{1, 2, 3, 4}), y(std::vector<float>{1, 0, 0, 1}), z(std::vector<float>{1, 1, 1, 1});
        CHECK(cublasSetPointerMode_v2(h, CUBLAS_POINTER_MODE_DEVICE) == 0, "set device mode");
        cublasStatus_t st = cublasSgemm_v2(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 2, 2, (const float*)alpha.ptr(),
                                           (const float*)x.ptr(), 2, (const float*)y.ptr(), 2,
                                           (const float*)beta.ptr(), (float*)z.ptr(), 2);
        CHECK(st == 0 && z.get() == std::vector<float>({3, 5, 7, 9}), "device pointer mode alpha/beta");
        cublasSetPointerMode_v2(h, CUBLAS_POINTER_MODE_HOST);
    }

    CHECK(in_child(out_of_range_A), "A shorter than lda * (k - 1) + m is caught and named");
    CHECK(in_child(out_of_range_C), "C shorter than ldc * (n - 1) + m is caught and named");
    CHECK(cublasDestroy_v2(h) == CUBLAS_STATUS_SUCCESS, "destroy");
}
