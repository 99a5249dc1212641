// Elementwise primitives of jgrad.device.DeviceOps. Each mirrors jgrad.cpu.CpuOps: same
// expression, same operation order, so results match the CPU bit for bit (see common.cuh on
// -fmad=false). All buffers are float32; n is an element count; launches may use any grid.
#include "common.cuh"

// Java's Math.max(v, 0f): NaN stays NaN and -0 becomes +0 (fmaxf would turn NaN into 0).
__device__ __forceinline__ float jg_relu(float v) { return v > 0.0f ? v : (v != v ? v : 0.0f); }

__device__ __forceinline__ float unary_f(int op, float v) {
    switch (op) {
        case U_RELU: return jg_relu(v);
        case U_SIGMOID: return jg_sigmoid(v);
        case U_TANH: return jg_sigmoid(v * 2.0f) * 2.0f - 1.0f;  // CpuOps computes tanh this way
        case U_EXP: return jg_exp(v);
        case U_LOG: return logf(v);  // the CPU uses the JDK's log: both within 1 ulp, not bitwise
        case U_NEG: return -v;
        case U_SQUARE: return v * v;
        default: return sqrtf(v);  // U_SQRT; IEEE-rounded (-prec-sqrt=true)
    }
}

// g is dy; s is the saved tensor (y for SIGMOID/TANH/EXP/SQRT, x otherwise).
__device__ __forceinline__ float unary_b(int op, float s, float g) {
    switch (op) {
        case U_RELU: return s <= 0.0f ? 0.0f : g;
        case U_SIGMOID: return g * (s * (-s + 1.0f));
        case U_TANH: return g * (-(s * s) + 1.0f);
        case U_EXP: return g * s;
        case U_LOG: return g / s;
        case U_NEG: return -g;
        case U_SQUARE: return g * (s * 2.0f);
        default: return g / (s * 2.0f);  // U_SQRT
    }
}

// x[i] = value for i < n.
extern "C" __global__ void fill_f32(float* x, float value, int n) {
    JG_FOR(i, n) x[i] = value;
}

// dst[dstOff + i] = src[srcOff + i] for i < n. Offsets are element counts; src and dst may be
// the same buffer only if the ranges do not overlap (as System.arraycopy would allow, we do not).
extern "C" __global__ void copy_f32(const float* src, int srcOff, float* dst, int dstOff, int n) {
    JG_FOR(i, n) dst[dstOff + i] = src[srcOff + i];
}

// y = f(x); op is UnaryOp.ordinal().
extern "C" __global__ void unary_forward(int op, const float* x, float* y, int n) {
    JG_FOR(i, n) y[i] = unary_f(op, x[i]);
}

// dx (= or +=) f'(saved)·dy; accumulate != 0 adds to dx.
extern "C" __global__ void unary_backward(int op, const float* saved, const float* dy, float* dx, int n,
                                          int accumulate) {
    JG_FOR(i, n) {
        float d = unary_b(op, saved[i], dy[i]);
        dx[i] = accumulate ? dx[i] + d : d;
    }
}

// out = a (op) b; op is BinaryOp.ordinal().
extern "C" __global__ void binary_op(int op, const float* a, const float* b, float* out, int n) {
    JG_FOR(i, n) {
        float x = a[i], y = b[i];
        out[i] = op == B_ADD ? x + y : op == B_SUB ? x - y : op == B_MUL ? x * y : x / y;
    }
}

// y = alpha·x + beta·y; beta == 0 never reads y (it may hold NaN garbage). Same rounding as
// CpuOps: v = x·alpha, then fma(y, beta, v).
extern "C" __global__ void axpby(float alpha, const float* x, float beta, float* y, int n) {
    JG_FOR(i, n) {
        float v = x[i] * alpha;
        y[i] = beta != 0.0f ? fmaf(y[i], beta, v) : v;
    }
}

// out[i][j] = x[i][j] + bias[j] for an m×n row-major matrix.
extern "C" __global__ void add_row_vector(const float* x, const float* bias, float* out, int m, int n) {
    long long total = (long long)m * n;
    JG_FOR(t, total) out[t] = x[t] + bias[t % n];
}
