// jgrad.cpu.VecMath.exp(float) and sigmoid, transcribed from Java operation for operation: the
// bitwise references for common.cuh's jg_exp / jg_sigmoid, shared by the CPU-emulated kernel tests
// (kernels/emu) and the simulator's PTX tests (kernels/sim/test). Both build with -ffp-contract=off,
// as the PTX with -fmad=false, so a*b+c rounds twice here too and fmaf stays fused.
#pragma once

#include <bit>
#include <cmath>

namespace javamath {

inline float exp(float x) {
    if (x != x) return x;  // Java's Math.max/min propagate NaN; fmin/fmax would drop it
    x = std::fmin(std::fmax(x, -87.3365447504f), 88.3762626647949f);
    float t = std::fmaf(x, 1.44269504088896341f, 12582912.0f);
    float n = t - 12582912.0f;
    float r = std::fmaf(n, -0.693359375f, x);
    r = std::fmaf(n, 2.12194440e-4f, r);
    float p = std::fmaf(r, 1.9875691500E-4f, 1.3981999507E-3f);
    p = std::fmaf(p, r, 8.3334519073E-3f);
    p = std::fmaf(p, r, 4.1665795894E-2f);
    p = std::fmaf(p, r, 1.6666665459E-1f);
    p = std::fmaf(p, r, 5.0000001201E-1f);
    p = p * (r * r) + r + 1.0f;
    float scale = std::bit_cast<float>((std::bit_cast<int>(t) - (0x4B400000 - 127)) << 23);
    return p * scale;
}

inline float sigmoid(float x) { return 1.0f / (exp(-x) + 1.0f); }

}  // namespace javamath
