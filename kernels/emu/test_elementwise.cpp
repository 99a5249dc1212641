// elementwise.cu against references: each kernel once against double precision (tolerance), and,
// where the kernel claims to match jgrad.cpu.CpuOps bit for bit, against a float transcription of
// the Java code (exact). Launch shapes cover one thread, fewer threads than elements (grid-stride
// loop) and more threads than elements; every schedule runs.
#include "cuda_emu.h"
#include "elementwise.cu"
#include "emu_test.h"
#include "java_math.h"

#include <limits>

using emutest::expect_close;

namespace {

const float NaN = std::numeric_limits<float>::quiet_NaN();
const float Inf = std::numeric_limits<float>::infinity();

struct Shape {
    unsigned grid, block;
};
const Shape SHAPES[] = {{1, 1}, {2, 64}, {7, 256}};

// CpuOps.forward(UnaryOp, float); LOG is left out (the JDK's log is not transcribable).
float java_forward(int op, float v) {
    switch (op) {
        case U_RELU: return v != v ? v : (v > 0.0f ? v : 0.0f);  // Math.max(v, 0f)
        case U_SIGMOID: return javamath::sigmoid(v);
        case U_TANH: return javamath::sigmoid(v * 2.0f) * 2.0f - 1.0f;
        case U_EXP: return javamath::exp(v);
        case U_NEG: return -v;
        case U_SQUARE: return v * v;
        default: return std::sqrt(v);
    }
}

float java_backward(int op, float s, float g) {
    switch (op) {
        case U_RELU: return s <= 0.0f ? 0.0f : g;
        case U_SIGMOID: return g * (s * (-s + 1.0f));
        case U_TANH: return g * (-(s * s) + 1.0f);
        case U_EXP: return g * s;
        case U_LOG: return g / s;
        case U_NEG: return -g;
        case U_SQUARE: return g * (s * 2.0f);
        default: return g / (s * 2.0f);
    }
}

double exact_forward(int op, double v) {
    switch (op) {
        case U_RELU: return v > 0 ? v : 0;
        case U_SIGMOID: return 1 / (1 + std::exp(-v));
        case U_TANH: return std::tanh(v);
        case U_EXP: return std::exp(v);
        case U_LOG: return std::log(v);
        case U_NEG: return -v;
        case U_SQUARE: return v * v;
        default: return std::sqrt(v);
    }
}

const char* UNARY[] = {"relu", "sigmoid", "tanh", "exp", "log", "neg", "square", "sqrt"};

void unary_tests(emutest::Rng& rng, Shape sh, const std::string& tag) {
    const int n = 1500;
    for (int op = U_RELU; op <= U_SQRT; op++) {
        bool positive = op == U_LOG || op == U_SQRT;
        std::vector<float> x = positive ? rng.uniform(n, 1e-3f, 50.0f) : rng.uniform(n, -15.0f, 15.0f);
        std::vector<float> y(n, NaN);
        emu_launch(unary_forward, dim3(sh.grid), dim3(sh.block), 0, op, x.data(), y.data(), n);
        std::vector<double> want(n);
        for (int i = 0; i < n; i++) want[i] = exact_forward(op, x[i]);
        // Cephes exp is within 2 ulp; tanh as 2·sigmoid(2x)−1 loses relative accuracy near 0.
        double atol = op == U_TANH ? 3e-7 : 0.0, rtol = op == U_LOG || op >= U_NEG ? 1.2e-7 : 5e-7;
        expect_close(tag + " unary_forward " + UNARY[op] + " vs double", y.data(), want.data(), n, atol, rtol);

        // Bitwise against the Java scalar code, special values included.
        std::vector<float> sx = {0.0f, -0.0f, 1.0f, -1.0f, 88.5f, -88.0f, 100.0f, -100.0f, 1e-30f, -1e-30f,
                                 1e-40f, NaN, Inf, -Inf, 0.5f, 20.0f, -20.0f};
        sx.insert(sx.end(), x.begin(), x.begin() + 200);
        std::vector<float> sy(sx.size(), NaN);
        emu_launch(unary_forward, dim3(sh.grid), dim3(sh.block), 0, op, sx.data(), sy.data(), (int)sx.size());
        if (op != U_LOG) {
            std::vector<float> sw(sx.size());
            for (size_t i = 0; i < sx.size(); i++) sw[i] = java_forward(op, sx[i]);
            emutest::expect_bitwise(tag + " unary_forward " + UNARY[op] + " vs CpuOps", sy, sw);
        }

        // Backward: saved is y for sigmoid/tanh/exp/sqrt, x otherwise; = and +=.
        bool usesOutput = op == U_SIGMOID || op == U_TANH || op == U_EXP || op == U_SQRT;
        std::vector<float> saved = usesOutput ? y : x;
        std::vector<float> dy = rng.uniform(n, -2.0f, 2.0f);
        for (int accumulate = 0; accumulate <= 1; accumulate++) {
            std::vector<float> dx0 = accumulate ? rng.uniform(n, -1.0f, 1.0f) : std::vector<float>(n, NaN);
            std::vector<float> dx = dx0;
            emu_launch(unary_backward, dim3(sh.grid), dim3(sh.block), 0, op, saved.data(), dy.data(), dx.data(), n,
                       accumulate);
            std::vector<float> bw(n);
            std::vector<double> bd(n);
            for (int i = 0; i < n; i++) {
                float d = java_backward(op, saved[i], dy[i]);
                bw[i] = accumulate ? dx0[i] + d : d;
                double s = saved[i], g = dy[i];
                double e = op == U_RELU ? (s <= 0 ? 0 : g) : op == U_SIGMOID ? g * s * (1 - s)
                           : op == U_TANH ? g * (1 - s * s) : op == U_EXP ? g * s : op == U_LOG ? g / s
                           : op == U_NEG ? -g : op == U_SQUARE ? 2 * g * s : g / (2 * s);
                bd[i] = accumulate ? dx0[i] + e : e;
            }
            std::string what = tag + " unary_backward " + UNARY[op] + (accumulate ? " +=" : " =");
            expect_close(what + " vs double", dx.data(), bd.data(), n, 1e-6, 1e-6);
            emutest::expect_bitwise(what + " vs CpuOps", dx, bw);
        }
    }
}

void other_tests(emutest::Rng& rng, Shape sh, const std::string& tag) {
    const dim3 g(sh.grid), b(sh.block);
    {
        const int n = 777;
        std::vector<float> x(n + 5, -1.0f);
        emu_launch(fill_f32, g, b, 0, x.data(), 2.5f, n);
        std::vector<float> want(n + 5, 2.5f);
        for (int i = n; i < n + 5; i++) want[i] = -1.0f;  // past n: untouched
        emutest::expect_bitwise(tag + " fill_f32", x, want);
    }
    {
        std::vector<float> src = rng.uniform(500, -1, 1), dst(400, 7.0f);
        emu_launch(copy_f32, g, b, 0, src.data(), 13, dst.data(), 21, 300);
        std::vector<float> want(400, 7.0f);
        for (int i = 0; i < 300; i++) want[21 + i] = src[13 + i];
        emutest::expect_bitwise(tag + " copy_f32 with offsets", dst, want);
    }
    const char* names[] = {"add", "sub", "mul", "div"};
    for (int op = B_ADD; op <= B_DIV; op++) {
        const int n = 1001;
        std::vector<float> a = rng.uniform(n, -4, 4), bb = rng.uniform(n, 0.5f, 3), out(n, NaN);
        emu_launch(binary_op, g, b, 0, op, a.data(), bb.data(), out.data(), n);
        std::vector<double> want(n);
        for (int i = 0; i < n; i++) {
            double x = a[i], y = bb[i];
            want[i] = op == B_ADD ? x + y : op == B_SUB ? x - y : op == B_MUL ? x * y : x / y;
        }
        expect_close(tag + " binary_op " + names[op], out.data(), want.data(), n, 0.0, 6e-8);
    }
    for (float beta : {0.0f, 0.75f}) {
        const int n = 999;
        std::vector<float> x = rng.uniform(n, -3, 3);
        std::vector<float> y0 = beta == 0.0f ? std::vector<float>(n, NaN) : rng.uniform(n, -3, 3), y = y0;
        emu_launch(axpby, g, b, 0, -1.25f, x.data(), beta, y.data(), n);
        std::vector<double> want(n);
        std::vector<float> javaWant(n);
        for (int i = 0; i < n; i++) {
            want[i] = -1.25 * x[i] + (beta == 0.0f ? 0.0 : (double)beta * y0[i]);
            float v = x[i] * -1.25f;
            javaWant[i] = beta != 0.0f ? std::fmaf(y0[i], beta, v) : v;
        }
        std::string what = tag + " axpby beta=" + std::to_string(beta);
        expect_close(what + " vs double", y.data(), want.data(), n, 1e-6, 1e-6);
        emutest::expect_bitwise(what + " vs CpuOps", y, javaWant);
    }
    {
        const int m = 37, n = 29;
        std::vector<float> x = rng.uniform(m * n, -2, 2), bias = rng.uniform(n, -1, 1), out(m * n, NaN);
        emu_launch(add_row_vector, g, b, 0, x.data(), bias.data(), out.data(), m, n);
        std::vector<double> want(m * n);
        for (int i = 0; i < m * n; i++) want[i] = (double)x[i] + bias[i % n];
        expect_close(tag + " add_row_vector", out.data(), want.data(), want.size(), 0.0, 6e-8);
    }
}

}  // namespace

int main() {
    emutest::Rng rng(7);
    for (emu::Schedule s : {emu::Schedule::Concurrent, emu::Schedule::Ascending, emu::Schedule::Descending}) {
        emu::set_schedule(s);
        for (Shape sh : SHAPES) {
            std::string tag = std::string("[") + emu::name(s) + " " + std::to_string(sh.grid) + "x" +
                              std::to_string(sh.block) + "]";
            unary_tests(rng, sh, tag);
            other_tests(rng, sh, tag);
        }
    }
    return emutest::finish("test_elementwise");
}
