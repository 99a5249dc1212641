// Shipped kernels run through the interpreter against C++ reference loops, launched as jgrad's
// CudaOps launches them (grid-stride: 256 threads, grid ceil(n/256); reductions: one block per
// row/channel with blockDim·8 bytes of dynamic shared memory; sgemm_tiled: 128×128 tiles).
#include "ptx_test.h"

#include "../../emu/java_math.h"  // the bitwise references of jg_exp / jg_sigmoid

#include <algorithm>
#include <chrono>
#include <random>

namespace ptxtest {

namespace {

std::mt19937 rng(12345);

}  // namespace

void test_elementwise() {
    auto m = load_file("elementwise.ptx");
    if (!m) return;
    for (int n : {1, 1000, 70000}) {
        TestMemory mem;
        std::vector<float> x = uniform(rng, (size_t)n, -20, 20), y2 = uniform(rng, (size_t)n, 0.5f, 3);
        if (n > 3) x[0] = std::nanf(""), x[1] = -0.0f, x[2] = 100.0f;
        uint64_t dx = mem.upload(x), dy = mem.upload(y2), dout = mem.alloc((size_t)n * 4);
        std::string where;
        for (int op : {0, 1}) {  // U_RELU, U_SIGMOID
            Args a;
            a.i32(op).ptr(dx).ptr(dout).i32(n);
            std::string err = launch(*m, "unary_forward", grid_for(n), {256, 1, 1}, 0, a, mem);
            check(err.empty(), "unary_forward: " + err);
            std::vector<float> want(x.size());
            for (size_t i = 0; i < x.size(); i++) {
                float v = x[i];
                want[i] = op == 0 ? (v > 0.0f ? v : (v != v ? v : 0.0f)) : javamath::sigmoid(v);
            }
            check(bitwise(mem.download<float>(dout, x.size()), want, &where),
                  std::string(op ? "sigmoid" : "relu") + " n=" + std::to_string(n) + " bitwise: " + where);
        }
        for (int op : {0, 3}) {  // B_ADD, B_DIV
            Args a;
            a.i32(op).ptr(dx).ptr(dy).ptr(dout).i32(n);
            std::string err = launch(*m, "binary_op", grid_for(n), {256, 1, 1}, 0, a, mem);
            check(err.empty(), "binary_op: " + err);
            std::vector<float> want(x.size());
            for (size_t i = 0; i < x.size(); i++) want[i] = op == 0 ? x[i] + y2[i] : x[i] / y2[i];
            check(bitwise(mem.download<float>(dout, x.size()), want, &where), "binary_op " + std::to_string(op) + ": " + where);
        }
        // axpby: v = x·alpha, y = fma(y, beta, v).
        Args a;
        a.f32(0.75f).ptr(dx).f32(-1.25f).ptr(dy).i32(n);
        std::string err = launch(*m, "axpby", grid_for(n), {256, 1, 1}, 0, a, mem);
        check(err.empty(), "axpby: " + err);
        std::vector<float> want(x.size());
        for (size_t i = 0; i < x.size(); i++) want[i] = std::fmaf(y2[i], -1.25f, x[i] * 0.75f);
        check(bitwise(mem.download<float>(dy, x.size()), want, &where), "axpby: " + where);
    }
}

void test_reduce() {
    auto m = load_file("reduce.ptx");
    if (!m) return;
    struct S { int m, n; };
    for (S s : {S{1, 1}, S{7, 300}, S{100, 1000}}) {
        TestMemory mem;
        std::vector<float> x = uniform(rng, (size_t)s.m * s.n, -1, 1), out0 = uniform(rng, (size_t)s.n, -1, 1);
        uint64_t dx = mem.upload(x), dout = mem.upload(out0);
        for (int acc : {0, 1}) {
            std::vector<float> before = mem.download<float>(dout, (size_t)s.n);
            Args a;
            a.ptr(dx).ptr(dout).i32(s.m).i32(s.n).i32(acc);
            std::string err = launch(*m, "sum_rows", grid_for(s.n), {256, 1, 1}, 0, a, mem);
            check(err.empty(), "sum_rows: " + err);
            std::vector<float> want((size_t)s.n);
            for (int j = 0; j < s.n; j++) {
                float v = acc ? before[(size_t)j] : 0.0f;
                for (int r = 0; r < s.m; r++) v += x[(size_t)r * s.n + j];
                want[(size_t)j] = v;
            }
            std::string where;
            check(bitwise(mem.download<float>(dout, (size_t)s.n), want, &where),
                  "sum_rows m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) + " bitwise: " + where);
        }
        // sum_all: one block of 1024 threads, 8 KiB of dynamic shared memory, double tree.
        uint64_t dsum = mem.alloc(4);
        Args a;
        a.ptr(dx).ptr(dsum).i32(s.m * s.n);
        std::string err = launch(*m, "sum_all", {1, 1, 1}, {1024, 1, 1}, 1024 * 8, a, mem);
        check(err.empty(), "sum_all: " + err);
        double want = 0;
        for (float v : x) want += v;
        std::string where;
        check(close(mem.download<float>(dsum, 1).data(), &want, 1, 1e-6, 1e-6, &where), "sum_all: " + where);
    }
}

void test_gemm() {
    auto mod = load_file("gemm.ptx");
    if (!mod) return;
    struct S { bool ta, tb; int m, n, k; float alpha, beta; bool timed; };
    for (S s : {S{false, false, 100, 100, 784, 1.0f, 0.0f, true}, S{true, false, 37, 53, 19, 0.5f, 0.0f, false},
                S{false, true, 130, 129, 17, 1.0f, 0.5f, false}, S{true, true, 1, 1, 1, 2.0f, -1.0f, false},
                S{false, false, 256, 200, 64, 1.0f, 1.0f, false}}) {
        TestMemory mem;
        std::vector<float> A = uniform(rng, (size_t)s.m * s.k, -1, 1), B = uniform(rng, (size_t)s.k * s.n, -1, 1),
                           C = uniform(rng, (size_t)s.m * s.n, -1, 1);
        if (s.beta == 0.0f) std::fill(C.begin(), C.end(), std::nanf(""));  // beta = 0 never reads C
        uint64_t dA = mem.upload(A), dB = mem.upload(B), dC = mem.upload(C);
        int lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
        Args a;
        a.i32(s.ta).i32(s.tb).i32(s.m).i32(s.n).i32(s.k).f32(s.alpha).ptr(dA).i32(lda).ptr(dB).i32(ldb).f32(s.beta).ptr(dC).i32(s.n);
        Dim3 grid{(uint32_t)(s.n + 127) / 128, (uint32_t)(s.m + 127) / 128, 1};
        uint64_t instr = 0;
        auto t0 = std::chrono::steady_clock::now();
        std::string err = launch(*mod, "sgemm_tiled", grid, {256, 1, 1}, 0, a, mem, &instr);
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::string what = "sgemm_tiled " + std::string(s.ta ? "T" : "N") + (s.tb ? "T" : "N") + " m=" + std::to_string(s.m) +
                           " n=" + std::to_string(s.n) + " k=" + std::to_string(s.k);
        check(err.empty(), what + ": " + err);
        std::vector<double> want((size_t)s.m * s.n);
        for (int i = 0; i < s.m; i++) {
            for (int j = 0; j < s.n; j++) {
                double acc = 0;
                for (int p = 0; p < s.k; p++) {
                    double av = s.ta ? A[(size_t)p * lda + i] : A[(size_t)i * lda + p];
                    double bv = s.tb ? B[(size_t)j * ldb + p] : B[(size_t)p * ldb + j];
                    acc += av * bv;
                }
                want[(size_t)i * s.n + j] = s.alpha * acc + (s.beta != 0.0f ? s.beta * (double)C[(size_t)i * s.n + j] : 0.0);
            }
        }
        std::string where;
        check(close(mem.download<float>(dC, want.size()).data(), want.data(), want.size(), 1e-4, 1e-5, &where), what + ": " + where);
        if (s.timed)
            std::printf("  %s: %.3f s, %llu PTX instructions, %.1f M instructions/s\n", what.c_str(), secs,
                        (unsigned long long)instr, instr / secs / 1e6);
    }
}

void test_nn() {
    auto mod = load_file("nn.ptx");
    if (!mod) return;
    // Softmax cross-entropy, both passes; the last row's label is invalid (NaN loss).
    struct S { int m, c; };
    for (S s : {S{4, 10}, S{3, 1000}, S{64, 10}}) {
        TestMemory mem;
        std::vector<float> logits = uniform(rng, (size_t)s.m * s.c, -8, 8), labels((size_t)s.m);
        for (int i = 0; i < s.m; i++) labels[(size_t)i] = (float)(rng() % (unsigned)s.c);
        labels[(size_t)s.m - 1] = 0.5f;
        uint64_t dl = mem.upload(logits), dlab = mem.upload(labels), dp = mem.alloc(logits.size() * 4),
                 drow = mem.alloc((size_t)s.m * 8), dloss = mem.alloc(4);
        uint32_t threads = 32;
        while ((int)threads < s.c && threads < 256) threads <<= 1;
        Args a;
        a.ptr(dl).ptr(dlab).ptr(dp).ptr(drow).i32(s.m).i32(s.c);
        std::string err = launch(*mod, "softmax_xent_rows", {(uint32_t)s.m, 1, 1}, {threads, 1, 1}, threads * 8, a, mem);
        check(err.empty(), "softmax_xent_rows: " + err);
        Args b;
        b.ptr(drow).ptr(dloss).i32(s.m);
        err = launch(*mod, "softmax_xent_mean", {1, 1, 1}, {1024, 1, 1}, 1024 * 8, b, mem);
        check(err.empty(), "softmax_xent_mean: " + err);
        std::vector<double> wantP(logits.size()), wantRow((size_t)s.m);
        double total = 0;
        for (int i = 0; i < s.m; i++) {
            const float* row = &logits[(size_t)i * s.c];
            double mx = row[0], sum = 0;
            for (int j = 0; j < s.c; j++) mx = std::max(mx, (double)row[j]);
            for (int j = 0; j < s.c; j++) sum += std::exp(row[j] - mx);
            for (int j = 0; j < s.c; j++) wantP[(size_t)i * s.c + j] = std::exp(row[j] - mx) / sum;
            wantRow[(size_t)i] = i == s.m - 1 ? std::nan("") : std::log(sum) + mx - row[(int)labels[(size_t)i]];
            total += wantRow[(size_t)i];
        }
        double wantLoss = total / s.m;
        std::string where, what = "softmax_xent m=" + std::to_string(s.m) + " c=" + std::to_string(s.c);
        check(close(mem.download<float>(dp, wantP.size()).data(), wantP.data(), wantP.size(), 1e-7, 1e-6, &where),
              what + " probs: " + where);
        auto rows = mem.download<double>(drow, (size_t)s.m);
        bool rows_ok = true;
        for (int i = 0; i < s.m; i++)
            rows_ok &= std::isnan(wantRow[(size_t)i]) ? std::isnan(rows[(size_t)i])
                                                      : std::fabs(rows[(size_t)i] - wantRow[(size_t)i]) <= 1e-5;
        check(rows_ok, what + " row losses");
        check(close(mem.download<float>(dloss, 1).data(), &wantLoss, 1, 1e-6, 1e-6, &where), what + " mean loss: " + where);
    }
    // Batch norm forward, training: one block per channel, 256 threads, 2 KiB shared.
    {
        TestMemory mem;
        const int m = 8, c = 3, sp = 50;
        std::vector<float> x = uniform(rng, (size_t)m * c * sp, -2, 3), gamma = uniform(rng, c, 0.5f, 2), beta = uniform(rng, c, -1, 1);
        std::vector<float> rmean = uniform(rng, c, -0.1f, 0.1f), rvar = uniform(rng, c, 0.9f, 1.1f);
        uint64_t dx = mem.upload(x), dg = mem.upload(gamma), db = mem.upload(beta), dy = mem.alloc(x.size() * 4),
                 dsm = mem.alloc(c * 4), dsi = mem.alloc(c * 4), drm = mem.upload(rmean), drv = mem.upload(rvar);
        const float momentum = 0.1f, eps = 1e-5f;
        Args a;
        a.ptr(dx).ptr(dg).ptr(db).ptr(dy).ptr(dsm).ptr(dsi).ptr(drm).ptr(drv).i32(m).i32(c).i32(sp).f32(momentum).f32(eps).i32(1);
        std::string err = launch(*mod, "batchnorm_forward", {c, 1, 1}, {256, 1, 1}, 256 * 8, a, mem);
        check(err.empty(), "batchnorm_forward: " + err);
        std::vector<double> wantY(x.size()), wantMean(c), wantRm(c), wantRv(c);
        double count = (double)m * sp;
        for (int ch = 0; ch < c; ch++) {
            double s = 0, ss = 0;
            for (int i = 0; i < m; i++)
                for (int t = 0; t < sp; t++) s += x[((size_t)i * c + ch) * sp + t];
            double mean = s / count;
            for (int i = 0; i < m; i++)
                for (int t = 0; t < sp; t++) ss += std::pow(x[((size_t)i * c + ch) * sp + t] - mean, 2);
            double var = ss / count, inv = 1 / std::sqrt(var + eps);
            wantMean[(size_t)ch] = mean;
            wantRm[(size_t)ch] = (1 - momentum) * rmean[(size_t)ch] + momentum * mean;
            wantRv[(size_t)ch] = (1 - momentum) * rvar[(size_t)ch] + momentum * var * count / (count - 1);
            for (int i = 0; i < m; i++)
                for (int t = 0; t < sp; t++) {
                    size_t k = ((size_t)i * c + ch) * sp + t;
                    wantY[k] = (x[k] - mean) * inv * gamma[(size_t)ch] + beta[(size_t)ch];
                }
        }
        std::string where;
        check(close(mem.download<float>(dy, x.size()).data(), wantY.data(), x.size(), 1e-5, 1e-5, &where), "batchnorm y: " + where);
        check(close(mem.download<float>(dsm, c).data(), wantMean.data(), c, 1e-6, 1e-6, &where), "batchnorm saveMean: " + where);
        check(close(mem.download<float>(drm, c).data(), wantRm.data(), c, 1e-6, 1e-6, &where), "batchnorm runningMean: " + where);
        check(close(mem.download<float>(drv, c).data(), wantRv.data(), c, 1e-6, 1e-6, &where), "batchnorm runningVar: " + where);
    }
}

}  // namespace ptxtest
