// Reductions of jgrad.device.DeviceOps. No atomics anywhere: every sum has a fixed order, so a
// run gives the same bits every time (and, for sum_rows, the same bits as the CPU).
#include "common.cuh"

// out[j] (= or +=) Σ_i x[i][j] for an m×n matrix. One thread per column walks the rows in order,
// exactly like CpuOps.sumRows (float accumulator, rows ascending), so results are bitwise equal.
// Neighbouring threads read neighbouring columns: loads are coalesced.
extern "C" __global__ void sum_rows(const float* x, float* out, int m, int n, int accumulate) {
    JG_FOR(j, n) {
        float acc = accumulate ? out[j] : 0.0f;
        for (int r = 0; r < m; r++) acc += x[(long long)r * n + j];
        out[j] = acc;
    }
}

// out[0] = Σ x in double, rounded once to float (CpuOps.sumAll accumulates in double too).
// Launch as ONE block of a power-of-two size ≤ 1024 with blockDim·8 bytes of dynamic shared
// memory: each thread sums a strided slice, then a fixed tree combines them.
extern "C" __global__ void sum_all(const float* x, float* out, int n) {
    extern __shared__ double sbuf[];
    double s = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += x[i];
    s = jg_block_sum(s, sbuf);
    if (threadIdx.x == 0) out[0] = (float)s;
}

// out[i] = index of the first maximum of row i, as a float (CpuNnKernels.argmaxRows: strict >
// against the best so far, so ties and NaN behave exactly as on the CPU). One thread per row.
extern "C" __global__ void argmax_rows(const float* x, float* out, int m, int n) {
    JG_FOR(i, m) {
        const float* row = x + i * (long long)n;
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (row[j] > row[best]) best = j;
        }
        out[i] = (float)best;
    }
}

// Folds "is any of x[0, n) NaN or ±∞" into one flag: if so, flags[slot] = min(flags[slot], code)
// (jgrad.cpu.CpuOps.flagNonFinite). The trainer fills a step's flag with +∞ and flags the step's
// gradients with codes 0, 1, … in parameter order, leaving the index of the first bad one.
// A bit test (all exponent bits set), not isfinite(), so no math flag can fold it away. No
// atomics: every writer of one launch writes the same code, and launches on the stream run one
// after another, so the result is the same on every run.
extern "C" __global__ void flag_nonfinite(const float* x, int n, float* flags, int slot, float code) {
    bool bad = false;
    JG_FOR(i, n) {
        bad |= (__float_as_uint(x[i]) & 0x7f800000u) == 0x7f800000u;
    }
    if (bad && code < flags[slot]) flags[slot] = code;
}
