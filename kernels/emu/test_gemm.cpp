// sgemm_tiled (gemm.cu) against a double-precision reference: every transpose combination, sizes
// from 1×1×1 to several blocks with ragged edges in m, n and k, padded leading dimensions whose
// padding holds NaN (a read of it would poison the result), pointers that are not 16-byte aligned
// (the scalar load path), alpha/beta, and beta == 0 with NaN in C (C must not be read). Elements
// of C outside m×n (the ldc padding) must stay untouched.
#include "cuda_emu.h"
#include "gemm.cu"
#include "emu_test.h"

#include <limits>

using emutest::Rng;

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();
const float SENTINEL = 12345.0f;

struct Case {
    int m, n, k;
    bool transA, transB;
    int padA = 0, padB = 0, padC = 0;  // extra floats per row beyond the logical width
    int offA = 0, offB = 0, offC = 0;  // floats from a 16-byte aligned allocation start
    float alpha = 1.0f, beta = 0.0f;
    bool integers = true;  // small integer data: the result is exact, compared bit for bit
};

// A row-major matrix of rows×cols with row stride cols + pad, placed off floats into a buffer that
// ends exactly at its last element (AddressSanitizer then flags any read past it). Padding is NaN.
struct Matrix {
    std::vector<float> buf;
    int rows, cols, ld, off;

    Matrix(int rows_, int cols_, int pad, int off_) : rows(rows_), cols(cols_), ld(cols_ + pad), off(off_) {
        buf.assign((size_t)off + (size_t)(rows - 1) * ld + cols, NaN);
    }
    float* ptr() { return buf.data() + off; }
    float& at(int r, int c) { return buf[(size_t)off + (size_t)r * ld + c]; }
    void fill(const std::vector<float>& v) {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) at(r, c) = v[(size_t)r * cols + c];
    }
};

std::string describe(const Case& c) {
    char s[240];
    std::snprintf(s, sizeof s, "sgemm [%s] m=%d n=%d k=%d %c%c pad=%d/%d/%d off=%d/%d/%d alpha=%g beta=%g %s",
                  emu::name(emu::Runner::get().schedule), c.m, c.n,
                  c.k, c.transA ? 'T' : 'N', c.transB ? 'T' : 'N', c.padA, c.padB, c.padC, c.offA, c.offB, c.offC,
                  c.alpha, c.beta, c.integers ? "ints" : "floats");
    return s;
}

void run(const Case& c, Rng& rng) {
    Matrix a(c.transA ? c.k : c.m, c.transA ? c.m : c.k, c.padA, c.offA);
    Matrix b(c.transB ? c.n : c.k, c.transB ? c.k : c.n, c.padB, c.offB);
    Matrix cm(c.m, c.n, c.padC, c.offC);
    auto data = [&](int count) { return c.integers ? rng.small_ints(count, -3, 3) : rng.uniform(count, -1, 1); };
    a.fill(data(a.rows * a.cols));
    b.fill(data(b.rows * b.cols));
    // beta == 0: C holds NaN and must be overwritten without being read.
    std::vector<float> c0 = c.beta == 0.0f ? std::vector<float>((size_t)c.m * c.n, NaN) : data(c.m * c.n);
    cm.fill(c0);
    for (int r = 0; r + 1 < c.m; r++)
        for (int q = c.n; q < cm.ld; q++) cm.at(r, q) = SENTINEL;

    std::vector<double> want((size_t)c.m * c.n);
    double scale = 0;  // max over C of |alpha|·Σ|a·b| + |beta·c|: bounds the float rounding error
    for (int i = 0; i < c.m; i++) {
        for (int j = 0; j < c.n; j++) {
            double s = 0, sa = 0;
            for (int p = 0; p < c.k; p++) {
                double x = c.transA ? a.at(p, i) : a.at(i, p);
                double y = c.transB ? b.at(j, p) : b.at(p, j);
                s += x * y;
                sa += std::fabs(x * y);
            }
            double old = c.beta == 0.0f ? 0.0 : (double)c.beta * c0[(size_t)i * c.n + j];
            want[(size_t)i * c.n + j] = c.alpha * s + old;
            scale = std::max(scale, std::fabs(c.alpha) * sa + std::fabs(old));
        }
    }

    dim3 grid((c.n + 127) / 128, (c.m + 127) / 128);
    emu_launch(sgemm_tiled, grid, dim3(256), 0, (int)c.transA, (int)c.transB, c.m, c.n, c.k, c.alpha, a.ptr(),
               a.ld, b.ptr(), b.ld, c.beta, cm.ptr(), cm.ld);

    std::vector<float> got((size_t)c.m * c.n);
    bool padIntact = true;
    for (int i = 0; i < c.m; i++) {
        for (int j = 0; j < c.n; j++) got[(size_t)i * c.n + j] = cm.at(i, j);
        for (int q = c.n; i + 1 < c.m && q < cm.ld; q++) padIntact &= cm.at(i, q) == SENTINEL;
    }
    double atol = c.integers ? 0.0 : 1.2e-7 * (c.k + 2) * scale;
    std::string what = describe(c);
    emutest::expect_close(what, got.data(), want.data(), got.size(), atol, c.integers ? 0.0 : 1e-6);
    if (c.padC) emutest::expect_true(what + ": ldc padding untouched", padIntact);
}

// Padding that makes cols + pad a multiple of 4, with at least 4 floats of it.
int pad_to_4(int cols) { return (4 - cols % 4) % 4 + 4; }

struct Size {
    int m, n, k;
};

}  // namespace

int main() {
    const Size sizes[] = {{1, 1, 1},     {1, 1, 9},     {3, 5, 7},      {2, 130, 4},   {129, 67, 255},
                          {300, 200, 17}, {128, 128, 8}, {128, 128, 16}, {256, 256, 40}, {127, 129, 13},
                          {65, 1, 300},  {1, 200, 33},  {260, 131, 12}, {4, 4, 4}};
    Rng rng(42);
    // Every size, transpose combination and layout variant, one thread at a time between barriers
    // in both orders: a missing or misplaced __syncthreads (a shared buffer overwritten while
    // another thread still reads it, or read before it is written) fails in one of them.
    for (emu::Schedule s : {emu::Schedule::Ascending, emu::Schedule::Descending}) {
        emu::set_schedule(s);
        for (const Size& z : sizes) {
            for (int t = 0; t < 4; t++) {
                bool ta = t & 1, tb = t & 2;
                // Tight, aligned: the float4 path wherever the sizes allow it.
                run({z.m, z.n, z.k, ta, tb}, rng);
                // Padded leading dimensions and misaligned pointers: the scalar path; alpha/beta.
                run({z.m, z.n, z.k, ta, tb, 3, 5, 2, 1, 2, 3, 1.5f, 0.5f}, rng);
                // Leading dimensions rounded up to a multiple of 4 (plus 4): float4 loads are
                // allowed, so ragged edges must still fall back to scalar loads, and any read past
                // a row's end hits NaN. Beta == 1, random floats.
                int padA = pad_to_4(ta ? z.m : z.k), padB = pad_to_4(tb ? z.k : z.n), padC = pad_to_4(z.n);
                run({z.m, z.n, z.k, ta, tb, padA, padB, padC, 4, 0, 8, -0.75f, 1.0f, false}, rng);
            }
        }
    }
    // All 256 threads at once (real threads, std::barrier): several blocks and k tiles, ragged
    // edges, both load paths.
    emu::set_schedule(emu::Schedule::Concurrent);
    const Size concurrent[] = {{129, 67, 255}, {300, 200, 17}, {3, 5, 7}, {260, 131, 12}};
    for (const Size& z : concurrent) {
        for (int t = 0; t < 4; t++) {
            bool ta = t & 1, tb = t & 2;
            run({z.m, z.n, z.k, ta, tb}, rng);
            run({z.m, z.n, z.k, ta, tb, 3, 5, 2, 1, 2, 3, 1.5f, 0.5f}, rng);
        }
    }
    return emutest::finish("test_gemm");
}
