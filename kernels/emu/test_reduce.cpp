// reduce.cu against references: sum_rows bitwise against CpuOps.sumRows (float, rows in order) and
// close to the double sum; sum_all against the double sum for several power-of-two block sizes
// (the fixed tree in common.cuh); argmax_rows with ties, NaN and infinities; flag_nonfinite against
// CpuOps.flagNonFinite (NaN, ±∞ anywhere; the largest float, denormals and -0 are finite).
#include "cuda_emu.h"
#include "reduce.cu"
#include "emu_test.h"

#include <limits>

using emutest::expect_close;

namespace {

// 1024-thread blocks run only concurrently: one-at-a-time schedules cost a thread hand-off per
// thread and barrier, and 256 threads already take every step of the reduction trees.
unsigned block_for_schedule(unsigned block) {
    return emu::Runner::get().schedule == emu::Schedule::Concurrent ? block : std::min(block, 256u);
}

const float NaN = std::numeric_limits<float>::quiet_NaN();
const float Inf = std::numeric_limits<float>::infinity();

void sum_rows_tests(emutest::Rng& rng, const std::string& tag) {
    struct S { int m, n; unsigned grid, block; };
    for (S s : {S{1, 1, 1, 1}, S{7, 33, 2, 8}, S{50, 300, 3, 128}, S{0, 5, 1, 32}, S{129, 17, 1, 256}}) {
        for (int accumulate = 0; accumulate <= 1; accumulate++) {
            std::vector<float> x = rng.uniform((size_t)s.m * s.n, -1, 1);
            std::vector<float> out0 = accumulate ? rng.uniform(s.n, -1, 1) : std::vector<float>(s.n, NaN);
            std::vector<float> out = out0;
            emu_launch(sum_rows, dim3(s.grid), dim3(s.block), 0, x.data(), out.data(), s.m, s.n, accumulate);
            std::vector<float> java(s.n);
            std::vector<double> exact(s.n);
            for (int j = 0; j < s.n; j++) {
                float acc = accumulate ? out0[j] : 0.0f;
                double e = accumulate ? out0[j] : 0.0;
                for (int r = 0; r < s.m; r++) {
                    acc += x[(size_t)r * s.n + j];
                    e += x[(size_t)r * s.n + j];
                }
                java[j] = acc;
                exact[j] = e;
            }
            std::string what = tag + " sum_rows m=" + std::to_string(s.m) + " n=" + std::to_string(s.n) +
                               (accumulate ? " +=" : " =");
            emutest::expect_bitwise(what + " vs CpuOps", out, java);
            expect_close(what + " vs double", out.data(), exact.data(), s.n, 1e-7 * (s.m + 1), 1e-6);
        }
    }
}

void sum_all_tests(emutest::Rng& rng, const std::string& tag) {
    for (unsigned block : {1u, 2u, 32u, 256u, 1024u}) {
        if (block_for_schedule(block) != block) continue;
        for (int n : {0, 1, 5, 1000, 40003}) {
            std::vector<float> x = rng.uniform(n, -1, 1);
            float out = NaN;
            emu_launch(sum_all, dim3(1), dim3(block), block * sizeof(double), x.data(), &out, n);
            double s = 0;
            for (float v : x) s += v;
            float want = (float)s;
            // Different summation order in double, rounded once to float: at most one float ulp apart.
            expect_close(tag + " sum_all block=" + std::to_string(block) + " n=" + std::to_string(n), &out, &want, 1,
                         1e-12, 1.2e-7);
        }
    }
}

void argmax_tests(emutest::Rng& rng, const std::string& tag) {
    const int n = 9;
    std::vector<std::vector<float>> rows = {
        {1, 5, 3, 5, 0, 0, 0, 0, 0},               // tie: the first maximum
        {NaN, 1, 2, 3, 4, 5, 6, 7, 8},             // NaN first: nothing is > NaN, stays 0
        {0, NaN, 2, 1, 0, 0, 0, 0, 0},             // NaN later never wins
        {-Inf, -Inf, -Inf, -Inf, -Inf, -Inf, -Inf, -Inf, -Inf},
        {-1, -2, Inf, 3, Inf, 0, 0, 0, 0},
        {0, 0, 0, 0, 0, 0, 0, 0, 7},
    };
    for (int r = 0; r < 40; r++) rows.push_back(rng.uniform(n, -10, 10));
    int m = (int)rows.size();
    std::vector<float> x;
    for (auto& row : rows) x.insert(x.end(), row.begin(), row.end());
    std::vector<float> out(m, NaN), want(m);
    emu_launch(argmax_rows, dim3(3), dim3(8), 0, x.data(), out.data(), m, n);
    for (int i = 0; i < m; i++) {
        int best = 0;
        for (int j = 1; j < n; j++)
            if (x[(size_t)i * n + j] > x[(size_t)i * n + best]) best = j;  // CpuNnKernels.argmaxRows
        want[i] = (float)best;
    }
    emutest::expect_bitwise(tag + " argmax_rows", out, want);
    std::vector<float> one = {3.0f}, o1 = {NaN};
    emu_launch(argmax_rows, dim3(1), dim3(4), 0, one.data(), o1.data(), 1, 1);
    emutest::expect_bitwise(tag + " argmax_rows n=1", o1, std::vector<float>{0.0f});
}

// CpuOps.flagNonFinite: flags[slot] = min(flags[slot], code) when any of x[0, n) is NaN or ±∞.
void flag_reference(const std::vector<float>& x, int n, std::vector<float>& flags, int slot, float code) {
    bool bad = false;
    for (int i = 0; i < n; i++) bad |= !std::isfinite(x[i]);
    if (bad && code < flags[slot]) flags[slot] = code;
}

void flag_nonfinite_tests(emutest::Rng& rng, const std::string& tag) {
    const float Max = std::numeric_limits<float>::max();
    const float Denormal = std::numeric_limits<float>::denorm_min();
    struct S { int n; unsigned grid, block; };
    for (S s : {S{0, 1, 32}, S{1, 1, 1}, S{37, 2, 8}, S{1000, 3, 64}, S{5000, 4, 256}}) {
        // Where the bad value sits: nowhere, first, last, middle (not at a block or grid boundary).
        std::vector<int> places = {-1};
        if (s.n > 0) places.insert(places.end(), {0, s.n - 1, s.n / 2 + 1 < s.n ? s.n / 2 + 1 : 0});
        for (float badValue : {NaN, Inf, -Inf}) {
            for (int at : places) {
                std::vector<float> x = rng.uniform(s.n, -1e3f, 1e3f);
                if (s.n > 2) {
                    x[s.n / 3] = Max;  // finite extremes must not be flagged
                    x[s.n / 3 + 1] = -Denormal;
                    x[s.n / 3 + 2] = -0.0f;
                }
                if (at >= 0) x[at] = badValue;
                std::string what = tag + " flag_nonfinite n=" + std::to_string(s.n) + " bad at " +
                                   std::to_string(at) + " (" + std::to_string(badValue) + ")";
                // Slot 2 of 4, starting clean (+inf), then already holding a lower and a higher code.
                for (float before : {Inf, 1.0f, 7.0f}) {
                    std::vector<float> flags = {-5.0f, 9.0f, before, 11.0f};
                    std::vector<float> want = flags;
                    emu_launch(flag_nonfinite, dim3(s.grid), dim3(s.block), 0, x.data(), s.n, flags.data(), 2, 3.0f);
                    flag_reference(x, s.n, want, 2, 3.0f);
                    emutest::expect_bitwise(what + " flag before " + std::to_string(before), flags, want);
                }
            }
        }
    }
    // The trainer's use: one launch per gradient with codes 0, 1, 2, … leaves the first bad index.
    std::vector<std::vector<float>> grads = {rng.uniform(300, -1, 1), rng.uniform(50, -1, 1),
                                             rng.uniform(700, -1, 1), rng.uniform(9, -1, 1)};
    grads[2][699] = NaN;
    grads[3][0] = -Inf;
    std::vector<float> flags = {Inf};
    for (int p = 0; p < (int)grads.size(); p++) {
        emu_launch(flag_nonfinite, dim3(2), dim3(64), 0, grads[p].data(), (int)grads[p].size(), flags.data(), 0,
                   (float)p);
    }
    emutest::expect_bitwise(tag + " flag_nonfinite first bad of four", flags, std::vector<float>{2.0f});
}

}  // namespace

int main() {
    emutest::Rng rng(11);
    for (emu::Schedule s : {emu::Schedule::Concurrent, emu::Schedule::Ascending, emu::Schedule::Descending}) {
        emu::set_schedule(s);
        std::string tag = std::string("[") + emu::name(s) + "]";
        sum_rows_tests(rng, tag);
        sum_all_tests(rng, tag);
        argmax_tests(rng, tag);
        flag_nonfinite_tests(rng, tag);
    }
    return emutest::finish("test_reduce");
}
