// Shared device helpers. Everything here mirrors a CPU reference function bit for bit where the
// CPU side is exactly rounded (jgrad.cpu.VecMath, jgrad.cpu.CpuNnKernels.uniform).
//
// Built with -fmad=false (see build-ptx.sh): Java never fuses a*b+c on its own, so the GPU must
// not either, or elementwise results would differ in the last bit. Where the CPU uses Math.fma
// we call fmaf explicitly, which stays fused under -fmad=false.
#pragma once

// Grid-stride loop over [0, n): any launch size covers any n.
#define JG_FOR(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (long long)(n); \
         i += (long long)blockDim.x * gridDim.x)

// The same loop with an index of type I: unsigned where jg_fits_u32 allows, so the kernels that
// split a flat index into (n, c, h, w) divide in 32 bits. A 64-bit division is a software routine
// of ~70 instructions on every NVIDIA GPU; the 32-bit one is a handful.
#define JG_FOR_T(I, i, n) \
    for (I i = (I)blockIdx.x * blockDim.x + threadIdx.x; i < (I)(n); i += (I)blockDim.x * gridDim.x)

// True when a grid-stride loop over [0, n) never leaves unsigned 32-bit range, increments included.
// kernels/emu builds test_conv a second time with JG_INDEX_64, which takes the 64-bit path always:
// no test can allocate the 4 Gi elements that would reach it on its own.
__device__ __forceinline__ bool jg_fits_u32(long long n) {
#ifdef JG_INDEX_64
    return false;
#else
    return n + (long long)blockDim.x * gridDim.x <= 0xffffffffLL;
#endif
}

// Must match UnaryOp.ordinal() and BinaryOp.ordinal() on the Java side.
enum { U_RELU = 0, U_SIGMOID, U_TANH, U_EXP, U_LOG, U_NEG, U_SQUARE, U_SQRT };
enum { B_ADD = 0, B_SUB, B_MUL, B_DIV };

// VecMath.exp(float): Cephes expf (clamp, reduction by ln 2, degree-6 polynomial, exponent from
// bits). The same operation sequence gives the same bits as the CPU; expf would be 1-2 ulp off.
__device__ __forceinline__ float jg_exp(float x) {
    if (x != x) return x;  // Java's min/max propagate NaN; fminf/fmaxf would drop it.
    x = fminf(fmaxf(x, -87.3365447504f), 88.3762626647949f);
    float t = fmaf(x, 1.44269504088896341f, 12582912.0f);
    float n = t - 12582912.0f;
    float r = fmaf(n, -0.693359375f, x);
    r = fmaf(n, 2.12194440e-4f, r);
    float p = fmaf(r, 1.9875691500E-4f, 1.3981999507E-3f);
    p = fmaf(p, r, 8.3334519073E-3f);
    p = fmaf(p, r, 4.1665795894E-2f);
    p = fmaf(p, r, 1.6666665459E-1f);
    p = fmaf(p, r, 5.0000001201E-1f);
    p = p * (r * r) + r + 1.0f;
    float scale = __int_as_float((__float_as_int(t) - (0x4B400000 - 127)) << 23);
    return p * scale;
}

// VecMath.sigmoid(float) = 1/(exp(-x)+1).
__device__ __forceinline__ float jg_sigmoid(float x) {
    return 1.0f / (jg_exp(-x) + 1.0f);
}

// CpuNnKernels.uniform: splitmix64 of (seed, i), top 24 bits as a float in [0, 1). Unsigned
// arithmetic wraps exactly like Java's long; >> on unsigned is Java's >>>.
__device__ __forceinline__ float jg_uniform(unsigned long long seed, unsigned long long i) {
    unsigned long long z = seed + (i + 1ULL) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * 0x1.0p-24f;
}

// Class index stored as a float (labels, gather indices): -1 when it is not an integer in
// [0, limit). Kernels cannot throw, so callers turn -1 into a NaN result instead of a crash.
__device__ __forceinline__ int jg_index(float v, int limit) {
    if (!(v >= 0.0f) || v >= (float)limit) return -1;
    int k = (int)v;
    return (float)k == v && k < limit ? k : -1;
}

// Deterministic block reduction of doubles: a fixed tree over shared memory, so the result
// depends only on blockDim, never on scheduling. buf holds blockDim.x doubles (a power of two).
__device__ __forceinline__ double jg_block_sum(double v, double* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) buf[threadIdx.x] += buf[threadIdx.x + s];
        __syncthreads();
    }
    double r = buf[0];
    __syncthreads();
    return r;
}

__device__ __forceinline__ float jg_block_max(float v, float* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) buf[threadIdx.x] = fmaxf(buf[threadIdx.x], buf[threadIdx.x + s]);
        __syncthreads();
    }
    float r = buf[0];
    __syncthreads();
    return r;
}
