// The slow paths of float execution: the generic cvt, .ftz variants and .approx functions.
//
// The approximate instructions are computed exactly (correctly rounded from a double result)
// rather than imitating the hardware's error, so results here are at least as accurate as on a
// GPU; code that relies on the exact bits of an approximation would not be caught. The GPU's
// documented bounds (PTX ISA, "Floating-Point Instructions"):
//   rcp.approx.f32      max 1 ulp            sqrt.approx.f32   max relative error 2^-23
//   rsqrt.approx.f32    max rel. 2^-22.9     div.approx.f32    max 2 ulp (|b| in [2^-126, 2^126])
//   div.full.f32        max 2 ulp            ex2.approx.f32    max 2 ulp (full range)
//   lg2.approx.f32      max abs. 2^-22.6 for x in (0.5, 2), else rel. 2^-22
//   sin/cos.approx.f32  max abs. 2^-20.9 in [-pi, pi]
//   rcp.approx.ftz.f64  only the upper ~20 bits of 1/x are exact (nvcc follows it with Newton
//                       steps, so the refined quotient comes out correctly rounded either way)
//   rsqrt.approx.f64    relative error about 2^-22 (likewise only a starting point)
#include "ptx/ptx_internal.h"

#include <limits>

namespace jgsim::ptx {

namespace {

// .ftz: subnormal inputs and results become zero of the same sign.
float flush(float x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0f, x) : x; }
double flush(double x) { return std::fpclassify(x) == FP_SUBNORMAL ? std::copysign(0.0, x) : x; }

// Rounds x (exact: an integer or a double held in long double's 64-bit mantissa) to F with a
// directed mode, from the round-to-nearest conversion and one step where that went the wrong way.
template <class F>
F round_to(long double x, Rnd mode) {
    F r = (F)x;
    if (std::isnan(r) || (long double)r == x) return r;
    switch (mode) {
        case Rnd::Rz:
            if (std::fabs((long double)r) > std::fabs(x)) r = std::nextafter(r, (F)0);
            break;
        case Rnd::Rm:
            if ((long double)r > x) r = std::nextafter(r, -std::numeric_limits<F>::infinity());
            break;
        case Rnd::Rp:
            if ((long double)r < x) r = std::nextafter(r, std::numeric_limits<F>::infinity());
            break;
        default:
            break;
    }
    return r;
}

// Round to an integral value by one of the integer rounding modes.
double round_integral(double x, Rnd mode) {
    switch (mode) {
        case Rnd::Rzi: return std::trunc(x);
        case Rnd::Rmi: return std::floor(x);
        case Rnd::Rpi: return std::ceil(x);
        default: return std::nearbyint(x);  // Rni: nearest, ties to even (the default host mode)
    }
}

__int128 int_min(Type t) {
    unsigned bits = 8 * type_bytes(t);
    return type_signed(t) ? -((__int128)1 << (bits - 1)) : 0;
}
__int128 int_max(Type t) {
    unsigned bits = 8 * type_bytes(t);
    return type_signed(t) ? ((__int128)1 << (bits - 1)) - 1 : ((__int128)1 << bits) - 1;
}

// The register value of an integer of type t: sign-extended for signed types, else zero-extended.
uint64_t int_bits(__int128 v, Type t) {
    unsigned bits = 8 * type_bytes(t);
    uint64_t u = (uint64_t)v;
    if (bits == 64) return u;
    u &= (1ull << bits) - 1;
    if (type_signed(t) && (u >> (bits - 1))) u |= ~0ull << bits;
    return u;
}

}  // namespace

uint64_t exec_cvt(int64_t desc, uint64_t src) {
    Type d = (Type)(desc & 0xff), s = (Type)((desc >> 8) & 0xff);
    Rnd rnd = (Rnd)((desc >> 16) & 0xff);
    bool sat = (desc >> 24) & 1, ftz = (desc >> 25) & 1;
    if (type_float(s)) {
        double x = s == Type::F32 ? (double)(ftz ? flush(as_f32(src)) : as_f32(src)) : as_f64(src);
        if (type_float(d)) {
            double r = rnd >= Rnd::Rni ? round_integral(x, rnd) : x;
            if (sat) r = r != r ? 0.0 : std::fmin(std::fmax(r, 0.0), 1.0);  // .sat: [0, 1], NaN -> 0
            if (d == Type::F64) return bits_of(r);
            float f = round_to<float>(r, rnd);  // f64 -> f32 rounds once, by the given mode
            return bits_of(ftz ? flush(f) : f);
        }
        // Float to integer always saturates to the destination range; NaN gives 0.
        if (x != x) return 0;
        double r = round_integral(x, rnd);
        __int128 lo = int_min(d), hi = int_max(d);
        __int128 v = r <= (double)lo ? lo : r >= (double)hi ? hi : (__int128)r;
        return int_bits(v, d);
    }
    unsigned sbits = 8 * type_bytes(s);
    uint64_t raw = sbits == 64 ? src : src & ((1ull << sbits) - 1);
    if (type_signed(s) && sbits < 64 && (raw >> (sbits - 1))) raw |= ~0ull << sbits;  // sign-extend
    __int128 v = type_signed(s) ? (__int128)(int64_t)raw : (__int128)raw;
    if (type_float(d)) {
        // long double holds any 64-bit integer exactly, so only the final conversion rounds.
        long double x = type_signed(s) ? (long double)(int64_t)v : (long double)(uint64_t)v;
        if (d == Type::F64) {
            double r = round_to<double>(x, rnd);
            if (sat) r = std::fmin(std::fmax(r, 0.0), 1.0);
            return bits_of(r);
        }
        float f = round_to<float>(x, rnd);
        if (sat) f = std::fmin(std::fmax(f, 0.0f), 1.0f);
        return bits_of(ftz ? flush(f) : f);
    }
    if (sat) v = std::min(std::max(v, int_min(d)), int_max(d));
    return int_bits(v, d);
}

uint32_t exec_f32_slow(SlowOp op, bool ftz, uint32_t ab, uint32_t bb, uint32_t cb) {
    float a = as_f32(ab), b = as_f32(bb), c = as_f32(cb), r;
    if (ftz) a = flush(a), b = flush(b), c = flush(c);
    switch (op) {
        case SlowOp::Add: r = a + b; break;
        case SlowOp::Sub: r = a - b; break;
        case SlowOp::Mul: r = a * b; break;
        case SlowOp::Fma: r = std::fmaf(a, b, c); break;
        case SlowOp::Div: r = a / b; break;
        case SlowOp::Neg: r = -a; break;
        case SlowOp::Abs: r = std::fabs(a); break;
        case SlowOp::Min: r = ptx_min(a, b); break;
        case SlowOp::Max: r = ptx_max(a, b); break;
        case SlowOp::Sqrt: r = std::sqrt(a); break;
        case SlowOp::Rcp: r = 1.0f / a; break;
        case SlowOp::Ex2: r = (float)std::exp2((double)a); break;
        case SlowOp::Lg2: r = (float)std::log2((double)a); break;
        case SlowOp::Rsqrt: r = (float)(1.0 / std::sqrt((double)a)); break;
        case SlowOp::Sin: r = (float)std::sin((double)a); break;
        case SlowOp::Cos: r = (float)std::cos((double)a); break;
        default: r = canonical_nan<float>(); break;
    }
    if (ftz) r = flush(r);
    return (uint32_t)bits_of(r);
}

uint64_t exec_f64_slow(SlowOp op, bool ftz, uint64_t ab, uint64_t bb, uint64_t cb) {
    double a = as_f64(ab), b = as_f64(bb), c = as_f64(cb), r;
    if (ftz) a = flush(a), b = flush(b), c = flush(c);
    switch (op) {
        case SlowOp::Rcp: r = 1.0 / a; break;
        case SlowOp::Rsqrt: r = 1.0 / std::sqrt(a); break;
        case SlowOp::Fma: r = std::fma(a, b, c); break;
        default: r = canonical_nan<double>(); break;
    }
    if (ftz) r = flush(r);
    return bits_of(r);
}

}  // namespace jgsim::ptx
