// Test helpers for the emulated kernels: result comparison with atol + rtol·|ref| that prints the
// first mismatches, deterministic random data, and the pass/fail tally each test binary returns.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace emutest {

struct Tally {
    int passed = 0;
    int failed = 0;
};

inline Tally& tally() {
    static Tally t;
    return t;
}

inline bool same_bits_or_both_nan(double got, double want) {
    return (std::isnan(got) && std::isnan(want)) || got == want;
}

// Compares n values; both NaN counts as equal (kernels propagate NaN on purpose), an infinity
// must match exactly. Prints up to five mismatches as (index, got, want).
template <class G, class W>
bool expect_close(const std::string& what, const G* got, const W* want, size_t n, double atol, double rtol) {
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        double g = (double)got[i], w = (double)want[i];
        bool ok = same_bits_or_both_nan(g, w)
                  || (std::isfinite(g) && std::isfinite(w) && std::fabs(g - w) <= atol + rtol * std::fabs(w));
        if (!ok) {
            if (bad < 5) {
                std::printf("  FAIL %s: [%zu] got %.9g want %.9g (|diff| %.3g, tol %.3g)\n", what.c_str(), i, g, w,
                            std::fabs(g - w), atol + rtol * std::fabs(w));
            }
            bad++;
        }
    }
    if (bad) {
        std::printf("  FAIL %s: %zu of %zu values differ\n", what.c_str(), bad, n);
        tally().failed++;
        return false;
    }
    tally().passed++;
    return true;
}

template <class G, class W>
bool expect_close(const std::string& what, const std::vector<G>& got, const std::vector<W>& want, double atol,
                  double rtol) {
    if (got.size() != want.size()) {
        std::printf("  FAIL %s: %zu values, want %zu\n", what.c_str(), got.size(), want.size());
        tally().failed++;
        return false;
    }
    return expect_close(what, got.data(), want.data(), got.size(), atol, rtol);
}

// Same float32 bits (any NaN matches any NaN; +0 and -0 differ). Prints up to five mismatches.
inline bool expect_bitwise(const std::string& what, const std::vector<float>& got, const std::vector<float>& want) {
    size_t bad = 0, n = std::min(got.size(), want.size());
    for (size_t i = 0; i < n; i++) {
        uint32_t g, w;
        std::memcpy(&g, &got[i], 4);
        std::memcpy(&w, &want[i], 4);
        if (g != w && !(std::isnan(got[i]) && std::isnan(want[i]))) {
            if (bad < 5) std::printf("  FAIL %s: [%zu] got %.9g (0x%08x) want %.9g (0x%08x)\n", what.c_str(), i, got[i], g, want[i], w);
            bad++;
        }
    }
    if (bad || got.size() != want.size()) {
        std::printf("  FAIL %s: %zu of %zu values differ in bits (sizes %zu, %zu)\n", what.c_str(), bad, n, got.size(), want.size());
        tally().failed++;
        return false;
    }
    tally().passed++;
    return true;
}

inline bool expect_true(const std::string& what, bool ok) {
    if (ok) {
        tally().passed++;
    } else {
        std::printf("  FAIL %s\n", what.c_str());
        tally().failed++;
    }
    return ok;
}

// Deterministic data: uniform floats in [lo, hi), or small integers (sums of their products stay
// exact in float32, so a GEMM can be checked bit for bit).
struct Rng {
    std::mt19937_64 gen;
    explicit Rng(unsigned long long seed) : gen(seed) {}

    std::vector<float> uniform(size_t n, float lo, float hi) {
        std::uniform_real_distribution<float> d(lo, hi);
        std::vector<float> v(n);
        for (auto& x : v) x = d(gen);
        return v;
    }

    std::vector<float> small_ints(size_t n, int lo, int hi) {
        std::uniform_int_distribution<int> d(lo, hi);
        std::vector<float> v(n);
        for (auto& x : v) x = (float)d(gen);
        return v;
    }

    int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(gen); }
};

inline int finish(const char* suite) {
    std::printf("%s: %d passed, %d failed\n", suite, tally().passed, tally().failed);
    return tally().failed ? 1 : 0;
}

}  // namespace emutest
