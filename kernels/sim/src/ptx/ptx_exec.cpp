// The interpreter's inner loop: runs one thread context until bar.sync, exit or a fault.
// Every instruction is one case of one switch over pre-decoded operand slots (see
// ptx_internal.h); the memory checks sit in small inline helpers with their slow paths outlined.
#include "ptx/ptx_internal.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <type_traits>

namespace jgsim::ptx {

namespace {

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    return buf;
}

std::string access(bool write, uint32_t size, const char* space, uint64_t addr) {
    return std::string(write ? "store" : "load") + " of " + std::to_string(size) + (size == 1 ? " byte at " : " bytes at ") + space + hex(addr);
}

uint64_t address_of(const Instr& in, const uint64_t* R) {
    uint64_t base = R[in.r[4]];
    if (in.flags & ADDR32) base = (uint32_t)base;
    return base + (uint64_t)in.imm;
}

__attribute__((noinline)) uint8_t* global_slow(BlockEnv& env, uint64_t addr, uint32_t size, bool write) {
    if (addr & (size - 1)) {
        env.fault = "misaligned " + access(write, size, "", addr) + ": the address must be a multiple of " + std::to_string(size);
        return nullptr;
    }
    std::string why;
    uint8_t* p = env.memory->resolve(addr, size, write, &why);
    if (!p) {
        env.fault = access(write, size, "", addr) + ": " + (why.empty() ? "not inside a live allocation" : why);
        return nullptr;
    }
    GlobalCacheEntry e;
    if (env.memory->allocation(addr, &e.begin, &e.end, &e.host) && e.begin <= addr && addr + size <= e.end) {
        env.cache[env.cache_next] = e;
        env.cache_next = (env.cache_next + 1) % 4;
    }
    return p;
}

// Host address of a global access, or nullptr with env.fault set.
inline uint8_t* global_ptr(BlockEnv& env, uint64_t addr, uint32_t size, bool write) {
    if ((addr & (size - 1)) == 0) {
        for (const GlobalCacheEntry& e : env.cache)
            if (addr >= e.begin && addr - e.begin + size <= e.end - e.begin) return e.host + (addr - e.begin);
    }
    return global_slow(env, addr, size, write);
}

__attribute__((noinline)) uint8_t* shared_fault(BlockEnv& env, uint64_t addr, uint32_t size, bool write) {
    std::string what = "shared " + access(write, size, "offset ", addr);
    if (addr & (size - 1)) {
        env.fault = "misaligned " + what + ": the address must be a multiple of " + std::to_string(size);
    } else if (addr >= env.shared_bytes || size > env.shared_bytes - addr) {
        const KernelImpl& k = *env.kernel;
        env.fault = what + ": outside the block's " + std::to_string(env.shared_bytes) + " bytes of shared memory (" +
                    std::to_string(k.info.static_shared_bytes) + " static, dynamic from offset " +
                    std::to_string(k.dynamic_shared_offset) + ")";
    } else {
        uint32_t i = 0;
        while (i < size && env.shadow[addr + i]) i++;
        env.fault = what + ": byte " + hex(addr + i) + " was never written by any thread of this block";
    }
    return nullptr;
}

// Every one of `size` (1, 2, 4, 8 or 16, aligned) shadow bytes is set.
inline bool all_written(const uint8_t* s, uint32_t size) {
    uint64_t a, b;
    switch (size) {
        case 1: return s[0];
        case 2: return s[0] & s[1];
        case 4: std::memcpy(&a, s, 4); return (uint32_t)a == 0x01010101u;
        case 8: std::memcpy(&a, s, 8); return a == 0x0101010101010101ull;
        default: std::memcpy(&a, s, 8); std::memcpy(&b, s + 8, 8); return (a & b) == 0x0101010101010101ull;
    }
}

// Host address of a shared access, or nullptr with env.fault set. A store marks its bytes as
// written; a load of a byte no thread of the block wrote yet is a fault (uninitialized read).
inline uint8_t* shared_ptr(BlockEnv& env, uint64_t addr, uint32_t size, bool write) {
    if ((addr & (size - 1)) || addr >= env.shared_bytes || size > env.shared_bytes - addr)
        return shared_fault(env, addr, size, write);
    if (write) {
        std::memset(env.shadow + addr, 1, size);
    } else if (!all_written(env.shadow + addr, size)) {
        return shared_fault(env, addr, size, write);
    }
    return env.shared + addr;
}

template <unsigned SIZE, bool SIGNED>
inline uint64_t load_scalar(const uint8_t* p) {
    if constexpr (SIZE == 1) {
        return SIGNED ? (uint64_t)(int64_t)(int8_t)p[0] : p[0];
    } else if constexpr (SIZE == 2) {
        uint16_t v;
        std::memcpy(&v, p, 2);
        return SIGNED ? (uint64_t)(int64_t)(int16_t)v : v;
    } else if constexpr (SIZE == 4) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return SIGNED ? (uint64_t)(int64_t)(int32_t)v : v;
    } else {
        uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
}
template <unsigned SIZE>
inline void store_scalar(uint8_t* p, uint64_t v) {
    std::memcpy(p, &v, SIZE);  // little endian: the low SIZE bytes
}

// Integer division as the GPU defines the corner cases (no trap): x/0 gives all ones, x%0 gives
// x, and the overflowing MIN/-1 wraps to MIN (remainder 0).
template <class T>
inline T int_div(T a, T b) {
    if (b == 0) return (T)~(T)0;
    if constexpr (std::is_signed_v<T>)
        if (b == -1) return (T)(0 - (std::make_unsigned_t<T>)a);
    return a / b;
}
template <class T>
inline T int_rem(T a, T b) {
    if (b == 0) return a;
    if constexpr (std::is_signed_v<T>)
        if (b == -1) return 0;
    return a % b;
}
template <class T>
inline uint64_t int_abs(T a) {
    using U = std::make_unsigned_t<T>;
    return (U)(a < 0 ? (U)0 - (U)a : (U)a);
}

}  // namespace

Stop run_thread(BlockEnv& env, uint64_t* R, uint32_t* pc_io) {
    const Instr* code = env.kernel->code.data();
    uint32_t pc = *pc_io;
    uint64_t executed = 0;
    Stop stop;
#define D R[in.r[0]]
#define A R[in.r[1]]
#define B R[in.r[2]]
#define C R[in.r[3]]
#define FA as_f32(A)
#define FB as_f32(B)
#define FC as_f32(C)
#define DA as_f64(A)
#define DB as_f64(B)
#define DC as_f64(C)
#define INT6(P, EXPR)                                                                           \
    case P##_S16: { using T = int16_t; D = (uint16_t)(EXPR); break; }                          \
    case P##_U16: { using T = uint16_t; D = (uint16_t)(EXPR); break; }                         \
    case P##_S32: { using T = int32_t; D = (uint32_t)(EXPR); break; }                          \
    case P##_U32: { using T = uint32_t; D = (uint32_t)(EXPR); break; }                         \
    case P##_S64: { using T = int64_t; D = (uint64_t)(EXPR); break; }                          \
    case P##_U64: { using T = uint64_t; D = (uint64_t)(EXPR); break; }
#define ICMP(TY, CT)                                                                            \
    case SETP_EQ_##TY: D = (CT)A == (CT)B; break;                                              \
    case SETP_NE_##TY: D = (CT)A != (CT)B; break;                                              \
    case SETP_LT_##TY: D = (CT)A < (CT)B; break;                                               \
    case SETP_LE_##TY: D = (CT)A <= (CT)B; break;                                              \
    case SETP_GT_##TY: D = (CT)A > (CT)B; break;                                               \
    case SETP_GE_##TY: D = (CT)A >= (CT)B; break;
    // C++ comparisons are the ordered ones (false on NaN) except !=; the unordered forms are
    // the negations of the opposite ordered comparison.
#define FCMP(TY, X, Y)                                                                          \
    case SETP_EQ_##TY: D = X == Y; break;                                                      \
    case SETP_NE_##TY: D = X < Y || X > Y; break;                                              \
    case SETP_LT_##TY: D = X < Y; break;                                                       \
    case SETP_LE_##TY: D = X <= Y; break;                                                      \
    case SETP_GT_##TY: D = X > Y; break;                                                       \
    case SETP_GE_##TY: D = X >= Y; break;                                                      \
    case SETP_EQU_##TY: D = !(X < Y || X > Y); break;                                          \
    case SETP_NEU_##TY: D = X != Y; break;                                                     \
    case SETP_LTU_##TY: D = !(X >= Y); break;                                                  \
    case SETP_LEU_##TY: D = !(X > Y); break;                                                   \
    case SETP_GTU_##TY: D = !(X <= Y); break;                                                  \
    case SETP_GEU_##TY: D = !(X < Y); break;                                                   \
    case SETP_NUM_##TY: D = X == X && Y == Y; break;                                           \
    case SETP_NAN_##TY: D = X != X || Y != Y; break;
#define LDST(SP, PTR)                                                                           \
    case LD##SP##_U8: { uint8_t* p = PTR(1, false); if (!p) goto fault; D = load_scalar<1, false>(p); break; } \
    case LD##SP##_S8: { uint8_t* p = PTR(1, false); if (!p) goto fault; D = load_scalar<1, true>(p); break; }  \
    case LD##SP##_U16: { uint8_t* p = PTR(2, false); if (!p) goto fault; D = load_scalar<2, false>(p); break; } \
    case LD##SP##_S16: { uint8_t* p = PTR(2, false); if (!p) goto fault; D = load_scalar<2, true>(p); break; }  \
    case LD##SP##_U32: { uint8_t* p = PTR(4, false); if (!p) goto fault; D = load_scalar<4, false>(p); break; } \
    case LD##SP##_S32: { uint8_t* p = PTR(4, false); if (!p) goto fault; D = load_scalar<4, true>(p); break; }  \
    case LD##SP##_64: { uint8_t* p = PTR(8, false); if (!p) goto fault; D = load_scalar<8, false>(p); break; }  \
    case LD##SP##_V2_32: {                                                                      \
        uint8_t* p = PTR(8, false); if (!p) goto fault;                                         \
        uint64_t v0 = load_scalar<4, false>(p), v1 = load_scalar<4, false>(p + 4);              \
        R[in.r[0]] = v0; R[in.r[1]] = v1; break; }                                              \
    case LD##SP##_V4_32: {                                                                      \
        uint8_t* p = PTR(16, false); if (!p) goto fault;                                        \
        uint64_t v0 = load_scalar<4, false>(p), v1 = load_scalar<4, false>(p + 4);              \
        uint64_t v2 = load_scalar<4, false>(p + 8), v3 = load_scalar<4, false>(p + 12);         \
        R[in.r[0]] = v0; R[in.r[1]] = v1; R[in.r[2]] = v2; R[in.r[3]] = v3; break; }            \
    case LD##SP##_V2_64: {                                                                      \
        uint8_t* p = PTR(16, false); if (!p) goto fault;                                        \
        uint64_t v0 = load_scalar<8, false>(p), v1 = load_scalar<8, false>(p + 8);             \
        R[in.r[0]] = v0; R[in.r[1]] = v1; break; }                                              \
    case ST##SP##_8: { uint8_t* p = PTR(1, true); if (!p) goto fault; store_scalar<1>(p, D); break; }  \
    case ST##SP##_16: { uint8_t* p = PTR(2, true); if (!p) goto fault; store_scalar<2>(p, D); break; } \
    case ST##SP##_32: { uint8_t* p = PTR(4, true); if (!p) goto fault; store_scalar<4>(p, D); break; } \
    case ST##SP##_64: { uint8_t* p = PTR(8, true); if (!p) goto fault; store_scalar<8>(p, D); break; } \
    case ST##SP##_V2_32: {                                                                      \
        uint8_t* p = PTR(8, true); if (!p) goto fault;                                          \
        store_scalar<4>(p, R[in.r[0]]); store_scalar<4>(p + 4, R[in.r[1]]); break; }            \
    case ST##SP##_V4_32: {                                                                      \
        uint8_t* p = PTR(16, true); if (!p) goto fault;                                         \
        store_scalar<4>(p, R[in.r[0]]); store_scalar<4>(p + 4, R[in.r[1]]);                     \
        store_scalar<4>(p + 8, R[in.r[2]]); store_scalar<4>(p + 12, R[in.r[3]]); break; }        \
    case ST##SP##_V2_64: {                                                                      \
        uint8_t* p = PTR(16, true); if (!p) goto fault;                                         \
        store_scalar<8>(p, R[in.r[0]]); store_scalar<8>(p + 8, R[in.r[1]]); break; }
#define GPTR(SIZE, WRITE) global_ptr(env, address_of(in, R), SIZE, WRITE)
#define SPTR(SIZE, WRITE) shared_ptr(env, address_of(in, R), SIZE, WRITE)

    for (;;) {
        const Instr& in = code[pc++];
        executed++;
        if ((R[in.guard] & 1) == in.guard_negated) continue;  // predicated off
        switch (in.op) {
            case BRA: pc = (uint32_t)in.imm; break;
            case BAR: stop = Stop::Barrier; goto done;
            case EXIT: stop = Stop::Exit; goto done;

            case MOV: D = A; break;
            case PACK64: D = (uint32_t)A | (uint64_t)(uint32_t)B << 32; break;
            case UNPACK64: { uint64_t v = R[in.r[2]]; R[in.r[0]] = (uint32_t)v; R[in.r[1]] = v >> 32; break; }
            case PACK32: D = (uint16_t)A | (uint32_t)(uint16_t)B << 16; break;
            case UNPACK32: { uint64_t v = R[in.r[2]]; R[in.r[0]] = (uint16_t)v; R[in.r[1]] = (uint16_t)(v >> 16); break; }
            case SELP: D = (C & 1) ? A : B; break;
            case AND: D = A & B; break;
            case OR: D = A | B; break;
            case XOR: D = A ^ B; break;
            case NOT: D = ~A; break;
            case NOT_PRED: D = A ^ 1; break;

            // Low bits of these do not depend on operand width (readers take the bits they need).
            case ADD: D = A + B; break;
            case SUB: D = A - B; break;
            case MUL_LO: D = A * B; break;
            case MAD_LO: D = A * B + C; break;
            case NEG: D = 0 - A; break;
            case SHL: { uint64_t k = (uint32_t)B; D = k >= 64 ? 0 : A << k; break; }  // clamped shift
            case SHR_U16: { uint32_t k = (uint32_t)B; D = k >= 16 ? 0 : (uint16_t)A >> k; break; }
            case SHR_S16: { uint32_t k = std::min((uint32_t)B, 15u); D = (uint16_t)((int16_t)A >> k); break; }
            case SHR_U32: { uint32_t k = (uint32_t)B; D = k >= 32 ? 0 : (uint32_t)A >> k; break; }
            case SHR_S32: { uint32_t k = std::min((uint32_t)B, 31u); D = (uint32_t)((int32_t)A >> k); break; }
            case SHR_U64: { uint32_t k = (uint32_t)B; D = k >= 64 ? 0 : A >> k; break; }
            case SHR_S64: { uint32_t k = std::min((uint32_t)B, 63u); D = (uint64_t)((int64_t)A >> k); break; }
            case MULHI_S32: D = (uint32_t)((int64_t)(int32_t)A * (int32_t)B >> 32); break;
            case MULHI_U32: D = (uint32_t)((uint64_t)(uint32_t)A * (uint32_t)B >> 32); break;
            case MULHI_S64: D = (uint64_t)((__int128)(int64_t)A * (int64_t)B >> 64); break;
            case MULHI_U64: D = (uint64_t)((unsigned __int128)A * B >> 64); break;
            case MULWIDE_S16: D = (uint32_t)((int32_t)(int16_t)A * (int16_t)B); break;
            case MULWIDE_U16: D = (uint32_t)(uint16_t)A * (uint16_t)B; break;
            case MULWIDE_S32: D = (uint64_t)((int64_t)(int32_t)A * (int32_t)B); break;
            case MULWIDE_U32: D = (uint64_t)(uint32_t)A * (uint32_t)B; break;
            case MADWIDE_S32: D = (uint64_t)((int64_t)(int32_t)A * (int32_t)B) + C; break;
            case MADWIDE_U32: D = (uint64_t)(uint32_t)A * (uint32_t)B + C; break;
            INT6(DIV, int_div<T>((T)A, (T)B))
            INT6(REM, int_rem<T>((T)A, (T)B))
            INT6(MIN, std::min<T>((T)A, (T)B))
            INT6(MAX, std::max<T>((T)A, (T)B))
            case ABS_S16: D = int_abs((int16_t)A); break;
            case ABS_S32: D = int_abs((int32_t)A); break;
            case ABS_S64: D = int_abs((int64_t)A); break;
            ICMP(S16, int16_t) ICMP(U16, uint16_t) ICMP(S32, int32_t) ICMP(U32, uint32_t)
            ICMP(S64, int64_t) ICMP(U64, uint64_t)
            FCMP(F32, FA, FB) FCMP(F64, DA, DB)

            // Each float instruction rounds once (the build uses -ffp-contract=off, so the host
            // compiler never fuses these); fma is std::fma, fused as PTX says.
            case ADD_F32: D = bits_of(FA + FB); break;
            case SUB_F32: D = bits_of(FA - FB); break;
            case MUL_F32: D = bits_of(FA * FB); break;
            case FMA_F32: D = bits_of(std::fmaf(FA, FB, FC)); break;
            case DIV_F32: D = bits_of(FA / FB); break;
            case NEG_F32: D = (uint32_t)A ^ 0x80000000u; break;  // sign flip, NaN payload kept
            case ABS_F32: D = (uint32_t)A & 0x7FFFFFFFu; break;
            case MIN_F32: D = bits_of(ptx_min(FA, FB)); break;
            case MAX_F32: D = bits_of(ptx_max(FA, FB)); break;
            case SQRT_F32: D = bits_of(std::sqrt(FA)); break;
            case RCP_F32: D = bits_of(1.0f / FA); break;
            case ADD_F64: D = bits_of(DA + DB); break;
            case SUB_F64: D = bits_of(DA - DB); break;
            case MUL_F64: D = bits_of(DA * DB); break;
            case FMA_F64: D = bits_of(std::fma(DA, DB, DC)); break;
            case DIV_F64: D = bits_of(DA / DB); break;
            case NEG_F64: D = A ^ 0x8000000000000000ull; break;
            case ABS_F64: D = A & 0x7FFFFFFFFFFFFFFFull; break;
            case MIN_F64: D = bits_of(ptx_min(DA, DB)); break;
            case MAX_F64: D = bits_of(ptx_max(DA, DB)); break;
            case SQRT_F64: D = bits_of(std::sqrt(DA)); break;
            case RCP_F64: D = bits_of(1.0 / DA); break;
            case F32_SLOW: D = exec_f32_slow((SlowOp)(in.imm & 0xff), (in.imm >> 8) & 1, (uint32_t)A, (uint32_t)B, (uint32_t)C); break;
            case F64_SLOW: D = exec_f64_slow((SlowOp)(in.imm & 0xff), (in.imm >> 8) & 1, A, B, C); break;

            case CVT_S64_S32: D = (uint64_t)(int64_t)(int32_t)A; break;
            case CVT_U64_U32: D = (uint32_t)A; break;
            case CVT_U32_U64: D = (uint32_t)A; break;
            case CVT: D = exec_cvt(in.imm, A); break;

            case LDP: {
                // The param space holds the launch's arguments at the kernel's offsets.
                uint64_t addr = address_of(in, R);
                uint32_t size = in.r[1];
                if (addr > env.param_bytes || size > env.param_bytes - addr) {
                    env.fault = "ld.param of " + std::to_string(size) + " bytes at parameter offset " + std::to_string(addr) +
                                " is past the end of the kernel's " + std::to_string(env.param_bytes) + " bytes of parameters";
                    goto fault;
                }
                const uint8_t* p = env.params + addr;
                D = size == 1 ? (in.r[2] ? load_scalar<1, true>(p) : load_scalar<1, false>(p))
                  : size == 2 ? (in.r[2] ? load_scalar<2, true>(p) : load_scalar<2, false>(p))
                  : size == 4 ? (in.r[2] ? load_scalar<4, true>(p) : load_scalar<4, false>(p))
                              : load_scalar<8, false>(p);
                break;
            }
            LDST(G, GPTR)
            LDST(S, SPTR)
            default:
                env.fault = "internal error: no executor for op " + std::to_string(in.op);
                goto fault;
        }
    }
fault:
    stop = Stop::Fault;
done:
    env.instructions += executed;
    *pc_io = pc;
    return stop;
}

}  // namespace jgsim::ptx
