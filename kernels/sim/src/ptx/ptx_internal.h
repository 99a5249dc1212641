// Internals of the PTX interpreter shared by its source files: the pre-decoded instruction form,
// the loaded kernel and module, and the entry points between loader, decoder and executor.
//
// Register model: every PTX register (and every immediate, special register and symbol address
// an instruction uses) is a 64-bit slot in one flat per-thread array, so an operand is just a slot
// index and execution never asks "register or immediate?". An instruction reads the low bits its
// type names (sign- or zero-extending as the type says); upper bits of a narrow register are never
// observed by a correct reader, so width-independent operations (add, and, mov, selp, ...) work
// on the raw 64 bits.
#pragma once

#include "ptx/ptx.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace jgsim::ptx {

// PTX scalar types as they appear in instruction suffixes and declarations.
enum class Type : uint8_t { None, Pred, B8, B16, B32, B64, U8, U16, U32, U64, S8, S16, S32, S64, F16, F32, F64 };

inline unsigned type_bytes(Type t) {
    switch (t) {
        case Type::B8: case Type::U8: case Type::S8: return 1;
        case Type::B16: case Type::U16: case Type::S16: case Type::F16: return 2;
        case Type::B32: case Type::U32: case Type::S32: case Type::F32: return 4;
        case Type::B64: case Type::U64: case Type::S64: case Type::F64: return 8;
        default: return 0;
    }
}
inline bool type_signed(Type t) { return t == Type::S8 || t == Type::S16 || t == Type::S32 || t == Type::S64; }
inline bool type_float(Type t) { return t == Type::F16 || t == Type::F32 || t == Type::F64; }
Type parse_type(std::string_view suffix);  // "f32" -> F32; None when not a type name

// Every executable form. Names: OP_TYPE; integer ops whose low result bits do not depend on width
// or signedness (add, sub, mul.lo, mad.lo, neg, shl, and/or/xor/not, mov, selp) have one form.
#define JGSIM_INT6(X, P) X(P##_S16) X(P##_U16) X(P##_S32) X(P##_U32) X(P##_S64) X(P##_U64)
#define JGSIM_FCMP(X, T)                                                                              \
    X(SETP_EQ_##T) X(SETP_NE_##T) X(SETP_LT_##T) X(SETP_LE_##T) X(SETP_GT_##T) X(SETP_GE_##T)       \
    X(SETP_EQU_##T) X(SETP_NEU_##T) X(SETP_LTU_##T) X(SETP_LEU_##T) X(SETP_GTU_##T) X(SETP_GEU_##T) \
    X(SETP_NUM_##T) X(SETP_NAN_##T)
#define JGSIM_ICMP(X, T) \
    X(SETP_EQ_##T) X(SETP_NE_##T) X(SETP_LT_##T) X(SETP_LE_##T) X(SETP_GT_##T) X(SETP_GE_##T)
#define JGSIM_LDST(X, S)                                                                        \
    X(LD##S##_U8) X(LD##S##_S8) X(LD##S##_U16) X(LD##S##_S16) X(LD##S##_U32) X(LD##S##_S32)   \
    X(LD##S##_64) X(LD##S##_V2_32) X(LD##S##_V4_32) X(LD##S##_V2_64)                          \
    X(ST##S##_8) X(ST##S##_16) X(ST##S##_32) X(ST##S##_64) X(ST##S##_V2_32) X(ST##S##_V4_32)  \
    X(ST##S##_V2_64)
#define JGSIM_OPS(X)                                                                              \
    X(BRA) X(BAR) X(EXIT)                                                                         \
    X(MOV) X(PACK64) X(UNPACK64) X(PACK32) X(UNPACK32) X(SELP)                                   \
    X(AND) X(OR) X(XOR) X(NOT) X(NOT_PRED)                                                        \
    X(ADD) X(SUB) X(MUL_LO) X(MAD_LO) X(NEG) X(SHL)                                               \
    X(SHR_U16) X(SHR_S16) X(SHR_U32) X(SHR_S32) X(SHR_U64) X(SHR_S64)                             \
    X(MULHI_S32) X(MULHI_U32) X(MULHI_S64) X(MULHI_U64)                                           \
    X(MULWIDE_S16) X(MULWIDE_U16) X(MULWIDE_S32) X(MULWIDE_U32) X(MADWIDE_S32) X(MADWIDE_U32)     \
    JGSIM_INT6(X, DIV) JGSIM_INT6(X, REM) JGSIM_INT6(X, MIN) JGSIM_INT6(X, MAX)                   \
    X(ABS_S16) X(ABS_S32) X(ABS_S64)                                                              \
    JGSIM_ICMP(X, S16) JGSIM_ICMP(X, U16) JGSIM_ICMP(X, S32) JGSIM_ICMP(X, U32)                   \
    JGSIM_ICMP(X, S64) JGSIM_ICMP(X, U64) JGSIM_FCMP(X, F32) JGSIM_FCMP(X, F64)                   \
    X(ADD_F32) X(SUB_F32) X(MUL_F32) X(FMA_F32) X(DIV_F32) X(NEG_F32) X(ABS_F32) X(MIN_F32)      \
    X(MAX_F32) X(SQRT_F32) X(RCP_F32)                                                             \
    X(ADD_F64) X(SUB_F64) X(MUL_F64) X(FMA_F64) X(DIV_F64) X(NEG_F64) X(ABS_F64) X(MIN_F64)      \
    X(MAX_F64) X(SQRT_F64) X(RCP_F64)                                                             \
    X(F32_SLOW) X(F64_SLOW)                                                                       \
    X(CVT_S64_S32) X(CVT_U64_U32) X(CVT_U32_U64) X(CVT)                                           \
    X(LDP) JGSIM_LDST(X, G) JGSIM_LDST(X, S)

enum Op : uint16_t {
#define JGSIM_ENUM(name) name,
    JGSIM_OPS(JGSIM_ENUM)
#undef JGSIM_ENUM
    OP_COUNT
};

// The rarely executed float operations (.ftz variants and .approx functions) run through one
// slow-path function each for f32 and f64; the sub-operation is in Instr::imm.
enum class SlowOp : uint8_t {
    Add, Sub, Mul, Fma, Div, Neg, Abs, Min, Max, Sqrt, Rcp, Ex2, Lg2, Rsqrt, Sin, Cos
};

// Rounding modifiers of cvt (and the integer-rounding ones of float-to-float cvt).
enum class Rnd : uint8_t { None, Rn, Rz, Rm, Rp, Rni, Rzi, Rmi, Rpi };

// Slot 0 always holds 1: an unguarded instruction's guard.
constexpr uint32_t TRUE_SLOT = 0;

// One decoded instruction. Operand slots r[]: destinations first, then sources; memory
// instructions keep the address base in r[4] (the offset in imm) and data in r[0..3].
struct Instr {
    uint16_t op;
    uint8_t guard_negated;  // 1 for @!%p
    uint8_t flags;          // ADDR32: the address base is a 32-bit register
    uint32_t guard;         // predicate slot, TRUE_SLOT when unguarded
    uint32_t r[6];
    int64_t imm;            // address offset, branch target, barrier id, CVT/slow-op descriptor
    uint32_t line;          // 1-based line in the module text
};
constexpr uint8_t ADDR32 = 1;

// CVT descriptor packed into Instr::imm.
inline int64_t cvt_desc(Type dst, Type src, Rnd rnd, bool sat, bool ftz) {
    return (int64_t)dst | (int64_t)src << 8 | (int64_t)rnd << 16 | (int64_t)sat << 24 | (int64_t)ftz << 25;
}

enum class Special : uint8_t { TidX, TidY, TidZ, NtidX, NtidY, NtidZ, CtaidX, CtaidY, CtaidZ, NctaidX, NctaidY, NctaidZ };

struct KernelImpl {
    KernelInfo info;
    bool exact_threads = false;          // .reqntid: the block must have exactly info.max_threads
    std::vector<uint32_t> param_offsets;  // byte offset of each .param in the param space
    uint32_t param_space_bytes = 0;
    uint32_t dynamic_shared_offset = 0;  // where .extern .shared arrays start (aligned static end)
    std::vector<Instr> code;
    std::vector<std::string> text;       // each instruction's source, whitespace collapsed
    std::vector<uint64_t> initial_slots;  // the register file at thread start: constants, zeros
    std::vector<std::pair<uint32_t, Special>> specials;  // slots filled per thread/block
};

class ModuleImpl final : public Module {
public:
    std::vector<std::unique_ptr<KernelImpl>> kernels;
    const KernelInfo* kernel(const std::string& name) const override;
    std::vector<std::string> kernel_names() const override;
    const KernelImpl* impl_of(const KernelInfo* info) const;
};

// ---- Lexer (ptx_lex.cpp) ----
enum class Tok : uint8_t { Ident, Number, String, Punct, End };
struct Token {
    Tok kind;
    std::string_view text;
    uint32_t line;
    uint32_t offset;  // into the module text
};
// Splits the module text into tokens, dropping comments. Fails only on an unterminated comment
// or string or a character PTX never uses.
bool tokenize(std::string_view text, std::vector<Token>* out, std::string* error);

// A numeric literal: integer, or the bits of a 0f/0d (or decimal) float literal.
struct Literal {
    enum Kind { Int, F32, F64 } kind;
    uint64_t bits;  // Int: two's-complement value; F32/F64: IEEE bits
};
bool parse_literal(std::string_view text, bool negative, Literal* out);

// ---- Operands as parsed (ptx_load.cpp) and decoded (ptx_decode.cpp) ----
struct Operand {
    enum Kind { Reg, Imm, Sym, Addr, Vec, Label } kind;
    std::string_view name;          // Reg/Sym/Label; Addr: base register or symbol
    Literal lit{};                  // Imm
    int64_t offset = 0;             // Addr
    std::vector<std::string_view> elems;  // Vec: register names
};

struct Statement {
    uint32_t line;
    std::string_view opcode;  // "ld.global.v4.f32"
    std::string_view guard;   // "%p1" or empty
    bool guard_negated = false;
    std::vector<Operand> ops;
    std::string text;  // source, whitespace collapsed, for messages
};

// What the decoder needs from the function being loaded: slots for registers, constants,
// special registers and symbols. Each returns false with *error set when the name is unknown.
class SlotResolver {
public:
    virtual ~SlotResolver() = default;
    virtual bool reg(std::string_view name, uint32_t* slot, Type* declared, std::string* error) = 0;
    virtual uint32_t constant(uint64_t value) = 0;
    // Shared-array or parameter name: its address (shared offset or param-space offset).
    enum class Space { Shared, Param };
    virtual bool symbol(std::string_view name, Space* space, uint32_t* slot, std::string* error) = 0;
};

// Decodes one statement (labels still symbolic: BRA's imm is filled by the loader, which gets
// the label name through *branch_label). Fails with a message without the "line N: " prefix.
bool decode(const Statement& s, SlotResolver& slots, Instr* out, std::string_view* branch_label,
            std::string* error);

// ---- Execution (ptx_exec.cpp) ----
// The per-worker, per-block state one thread context runs against.
struct GlobalCacheEntry {
    uint64_t begin = 0, end = 0;  // [begin, end): one live allocation
    uint8_t* host = nullptr;
};
struct BlockEnv {
    const KernelImpl* kernel = nullptr;
    GlobalMemory* memory = nullptr;
    uint8_t* shared = nullptr;
    uint8_t* shadow = nullptr;    // 1 per shared byte some thread of this block wrote
    uint64_t shared_bytes = 0;
    const uint8_t* params = nullptr;
    uint32_t param_bytes = 0;
    GlobalCacheEntry cache[4];    // recently used allocations, valid for this launch
    unsigned cache_next = 0;
    uint64_t instructions = 0;
    std::string fault;            // what went wrong (without the kernel/block/thread prefix)
};

enum class Stop : uint8_t { Barrier, Exit, Fault };
// Runs one thread from *pc until it reaches bar.sync (pc then points after it), exits, or faults
// (pc then points after the faulting instruction; env.fault says what).
Stop run_thread(BlockEnv& env, uint64_t* slots, uint32_t* pc);

// Slow paths (ptx_float.cpp).
uint64_t exec_cvt(int64_t desc, uint64_t src);
uint32_t exec_f32_slow(SlowOp op, bool ftz, uint32_t a, uint32_t b, uint32_t c);
uint64_t exec_f64_slow(SlowOp op, bool ftz, uint64_t a, uint64_t b, uint64_t c);

// The NaN the GPU produces for invalid operations: 0x7FFFFFFF (f32), 0x7FFFFFFFFFFFFFFF (f64).
template <class F>
inline F canonical_nan() {
    F f;
    if constexpr (sizeof(F) == 4) {
        uint32_t u = 0x7FFFFFFFu;
        std::memcpy(&f, &u, 4);
    } else {
        uint64_t u = 0x7FFFFFFFFFFFFFFFull;
        std::memcpy(&f, &u, 8);
    }
    return f;
}

// PTX min/max.f32/f64: a NaN operand is ignored, NaN (the canonical one) only when both are;
// -0 counts as smaller than +0 (IEEE 754-2019 minimumNumber/maximumNumber).
template <class F>
inline F ptx_min(F a, F b) {
    if (a != a || b != b) return a != a && b != b ? canonical_nan<F>() : a != a ? b : a;
    if (a == b) return std::signbit(a) ? a : b;
    return a < b ? a : b;
}
template <class F>
inline F ptx_max(F a, F b) {
    if (a != a || b != b) return a != a && b != b ? canonical_nan<F>() : a != a ? b : a;
    if (a == b) return std::signbit(a) ? b : a;
    return a > b ? a : b;
}

inline float as_f32(uint64_t v) {
    float f;
    uint32_t u = (uint32_t)v;
    std::memcpy(&f, &u, 4);
    return f;
}
inline double as_f64(uint64_t v) {
    double d;
    std::memcpy(&d, &v, 8);
    return d;
}
inline uint64_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline uint64_t bits_of(double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}

}  // namespace jgsim::ptx
