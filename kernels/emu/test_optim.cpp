// optim.cu against jgrad.cpu.CpuOptimKernels: bitwise against a float transcription of the Java
// loops (the kernels promise CPU-equal parameters step after step), and close to a double
// evaluation of the same formulas. Several steps in a row, weight decay on and off.
#include "cuda_emu.h"
#include "optim.cu"
#include "emu_test.h"

#include <cmath>

using emutest::expect_bitwise;
using emutest::expect_close;

namespace {

const int N = 1003;
const int STEPS = 3;

struct State {
    std::vector<float> w, g, a, b;  // a, b: optimizer slots (v / h / m, v)
};

State fresh(emutest::Rng& rng, bool positiveSlots) {
    State s{rng.uniform(N, -1, 1), rng.uniform(N, -1, 1), rng.uniform(N, -0.1f, 0.1f), rng.uniform(N, 0, 0.1f)};
    if (positiveSlots) s.a = rng.uniform(N, 0, 0.1f);
    return s;
}

void check(const std::string& what, const State& got, const State& java, const std::vector<double>& exactW) {
    expect_bitwise(what + " w vs CpuOptimKernels", got.w, java.w);
    expect_bitwise(what + " slot 1 vs CpuOptimKernels", got.a, java.a);
    expect_bitwise(what + " slot 2 vs CpuOptimKernels", got.b, java.b);
    expect_close(what + " w vs double", got.w.data(), exactW.data(), N, 1e-6, 1e-5);
}

void run_all(emutest::Rng& rng, const std::string& tag) {
    const dim3 grid(3), block(128);
    for (float wd : {0.0f, 0.01f}) {
        std::string sfx = " wd=" + std::to_string(wd);
        {  // SGD: w −= lr·(g + wd·w)
            State s = fresh(rng, false), j = s;
            std::vector<double> e(s.w.begin(), s.w.end());
            for (int t = 0; t < STEPS; t++) {
                emu_launch(sgd_update, grid, block, 0, s.w.data(), s.g.data(), N, 0.1f, wd);
                for (int i = 0; i < N; i++) {
                    j.w[i] -= 0.1f * (j.g[i] + wd * j.w[i]);
                    e[i] -= 0.1 * ((double)s.g[i] + (double)wd * e[i]);
                }
            }
            check(tag + " sgd_update" + sfx, s, j, e);
        }
        {  // Momentum: v = μ·v − lr·(g + wd·w); w += v
            State s = fresh(rng, false), j = s;
            std::vector<double> e(s.w.begin(), s.w.end()), ev(s.a.begin(), s.a.end());
            for (int t = 0; t < STEPS; t++) {
                emu_launch(momentum_update, grid, block, 0, s.w.data(), s.g.data(), s.a.data(), N, 0.01f, 0.9f, wd);
                for (int i = 0; i < N; i++) {
                    j.a[i] = 0.9f * j.a[i] - 0.01f * (j.g[i] + wd * j.w[i]);
                    j.w[i] += j.a[i];
                    ev[i] = (double)0.9f * ev[i] - (double)0.01f * ((double)s.g[i] + (double)wd * e[i]);
                    e[i] += ev[i];
                }
            }
            check(tag + " momentum_update" + sfx, s, j, e);
        }
        {  // AdaGrad: h += g'²; w −= lr·g'/(√h + eps)
            State s = fresh(rng, true), j = s;
            std::vector<double> e(s.w.begin(), s.w.end()), eh(s.a.begin(), s.a.end());
            for (int t = 0; t < STEPS; t++) {
                emu_launch(adagrad_update, grid, block, 0, s.w.data(), s.g.data(), s.a.data(), N, 0.01f, 1e-7f, wd);
                for (int i = 0; i < N; i++) {
                    float gi = j.g[i] + wd * j.w[i];
                    j.a[i] += gi * gi;
                    j.w[i] -= 0.01f * gi / ((float)std::sqrt(j.a[i]) + 1e-7f);
                    double ge = s.g[i] + (double)wd * e[i];
                    eh[i] += ge * ge;
                    e[i] -= (double)0.01f * ge / (std::sqrt(eh[i]) + (double)1e-7f);
                }
            }
            check(tag + " adagrad_update" + sfx, s, j, e);
        }
        {  // Adam with the host-side bias corrections of CpuOptimKernels.adam
            State s = fresh(rng, false), j = s;
            std::vector<double> e(s.w.begin(), s.w.end()), em(s.a.begin(), s.a.end()), ev(s.b.begin(), s.b.end());
            const float lr = 0.001f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
            for (int t = 1; t <= STEPS; t++) {
                float c1 = (float)(1 - std::pow((double)b1, t));
                float c2 = (float)(1 - std::pow((double)b2, t));
                float stepSize = lr / c1;
                float invSqrtC2 = (float)(1 / std::sqrt((double)c2));
                emu_launch(adam_update, grid, block, 0, s.w.data(), s.g.data(), s.a.data(), s.b.data(), N, b1, b2, eps,
                           stepSize, invSqrtC2, wd);
                for (int i = 0; i < N; i++) {
                    float gi = j.g[i] + wd * j.w[i];
                    j.a[i] = b1 * j.a[i] + (1 - b1) * gi;
                    j.b[i] = b2 * j.b[i] + (1 - b2) * gi * gi;
                    j.w[i] -= stepSize * j.a[i] / ((float)std::sqrt(j.b[i]) * invSqrtC2 + eps);
                    double ge = s.g[i] + (double)wd * e[i];
                    em[i] = (double)b1 * em[i] + (1 - (double)b1) * ge;
                    ev[i] = (double)b2 * ev[i] + (1 - (double)b2) * ge * ge;
                    double mhat = em[i] / (1 - std::pow((double)b1, t)), vhat = ev[i] / (1 - std::pow((double)b2, t));
                    e[i] -= (double)lr * mhat / (std::sqrt(vhat) + (double)eps);
                }
            }
            check(tag + " adam_update" + sfx, s, j, e);
        }
    }
}

}  // namespace

int main() {
    emutest::Rng rng(5);
    for (emu::Schedule s : {emu::Schedule::Concurrent, emu::Schedule::Ascending, emu::Schedule::Descending}) {
        emu::set_schedule(s);
        run_all(rng, std::string("[") + emu::name(s) + "]");
    }
    return emutest::finish("test_optim");
}
