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
