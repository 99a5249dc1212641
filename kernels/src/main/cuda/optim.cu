// Optimizer updates of jgrad.device.DeviceOps, the same float expressions in the same order as
// jgrad.cpu.CpuOptimKernels (no contraction: -fmad=false), so parameters stay bitwise equal to a
// CPU run step after step. Hyper-parameters derived from the step count (Adam's bias
// corrections) are computed once on the host, exactly as the CPU computes them.
#include "common.cuh"

// w −= lr·(g + wd·w).
extern "C" __global__ void sgd_update(float* w, const float* g, int n, float lr, float wd) {
    JG_FOR(i, n) w[i] -= lr * (g[i] + wd * w[i]);
}

// v = μ·v − lr·(g + wd·w); w += v.
extern "C" __global__ void momentum_update(float* w, const float* g, float* v, int n, float lr, float mu,
                                           float wd) {
    JG_FOR(i, n) {
        float vi = mu * v[i] - lr * (g[i] + wd * w[i]);
        v[i] = vi;
        w[i] += vi;
    }
}

// g' = g + wd·w; h += g'²; w −= lr·g'/(√h + eps).
extern "C" __global__ void adagrad_update(float* w, const float* g, float* h, int n, float lr, float eps,
                                          float wd) {
    JG_FOR(i, n) {
        float gi = g[i] + wd * w[i];
        float hi = h[i] + gi * gi;
        h[i] = hi;
        w[i] -= lr * gi / (sqrtf(hi) + eps);
    }
}

// Adam with stepSize = lr/(1−β1ᵗ) and invSqrtC2 = 1/√(1−β2ᵗ) from the host:
// m = β1·m + (1−β1)·g', v = β2·v + (1−β2)·g'·g', w −= stepSize·m/(√v·invSqrtC2 + eps).
extern "C" __global__ void adam_update(float* w, const float* g, float* m, float* v, int n, float beta1,
                                       float beta2, float eps, float stepSize, float invSqrtC2, float wd) {
    JG_FOR(i, n) {
        float gi = g[i] + wd * w[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * gi;
        float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= stepSize * mi / (sqrtf(vi) * invSqrtC2 + eps);
    }
}
