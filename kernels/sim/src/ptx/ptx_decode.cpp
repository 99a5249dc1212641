// PTX instruction decoder: opcode, modifiers and operands of one statement -> one Instr.
// Whatever it does not know (opcode, modifier, type, operand form) fails the load: a simulator
// that guessed would hide exactly the bugs it exists to find.
#include "ptx/ptx_internal.h"

namespace jgsim::ptx {

namespace {

// Index of an integer type in the JGSIM_INT6 / JGSIM_ICMP families: S16 U16 S32 U32 S64 U64,
// -1 for others. Bit types count as unsigned.
int int6_index(Type t) {
    switch (t) {
        case Type::S16: return 0;
        case Type::U16: case Type::B16: return 1;
        case Type::S32: return 2;
        case Type::U32: case Type::B32: return 3;
        case Type::S64: return 4;
        case Type::U64: case Type::B64: return 5;
        default: return -1;
    }
}

Operand reg_operand(std::string_view name) {
    Operand o;
    o.kind = Operand::Reg;
    o.name = name;
    return o;
}

class Decoder {
public:
    Decoder(const Statement& s, SlotResolver& slots, Instr* in, std::string* err) : s_(s), slots_(slots), in_(in), err_(err) {
        std::string_view rest = s.opcode;
        size_t dot = rest.find('.');
        base_ = rest.substr(0, dot);
        while (dot != std::string_view::npos) {
            rest = rest.substr(dot + 1);
            dot = rest.find('.');
            std::string_view part = rest.substr(0, dot);
            Type t = parse_type(part);
            if (t != Type::None) {
                types_.push_back(t);
            } else {
                mods_.push_back(part);
            }
        }
    }

    bool run(std::string_view* label);

private:
    const Statement& s_;
    SlotResolver& slots_;
    Instr* in_;
    std::string* err_;
    std::string_view base_;
    std::vector<std::string_view> mods_;
    std::vector<Type> types_;

    bool fail(const std::string& what) {
        *err_ = what;
        return false;
    }
    // Removes the modifier when present.
    bool take(std::string_view m) {
        for (size_t i = 0; i < mods_.size(); i++) {
            if (mods_[i] == m) {
                mods_.erase(mods_.begin() + (long)i);
                return true;
            }
        }
        return false;
    }
    // Every modifier must have been understood by the handler.
    bool done() {
        if (!mods_.empty()) return fail("unsupported modifier '." + std::string(mods_[0]) + "' of '" + std::string(s_.opcode) + "'");
        return true;
    }
    bool one_type(Type* t) {
        if (types_.size() != 1) return fail("'" + std::string(s_.opcode) + "' needs exactly one type");
        *t = types_[0];
        if (*t == Type::F16 || *t == Type::B8 || *t == Type::U8 || *t == Type::S8)
            if (base_ != "ld" && base_ != "st") return fail("unsupported type '." + std::string(s_.opcode.substr(s_.opcode.rfind('.') + 1)) + "' of '" + std::string(s_.opcode) + "'");
        return true;
    }
    bool bad_type() { return fail("unsupported type in '" + std::string(s_.opcode) + "'"); }
    bool count(size_t n) {
        if (s_.ops.size() != n)
            return fail("'" + std::string(s_.opcode) + "' takes " + std::to_string(n) + " operands, not " + std::to_string(s_.ops.size()));
        return true;
    }

    bool reg(std::string_view name, uint32_t* slot, Type* declared = nullptr) {
        Type d;
        if (!slots_.reg(name, slot, &d, err_)) return false;
        if (declared) *declared = d;
        return true;
    }
    // A destination register.
    bool dst(const Operand& o, uint32_t* slot, bool pred = false) {
        if (o.kind != Operand::Reg) return fail("destination must be a register");
        if (o.name.find('.') != std::string_view::npos) return fail("special register '" + std::string(o.name) + "' is read-only");
        Type d;
        if (!reg(o.name, slot, &d)) return false;
        if ((d == Type::Pred) != pred) return fail("register '" + std::string(o.name) + (pred ? "' is not a predicate" : "' is a predicate"));
        return true;
    }
    // A source operand of type t: register, immediate (normalized to t) or shared-array name.
    bool src(const Operand& o, Type t, uint32_t* slot) {
        if (o.kind == Operand::Reg) {
            Type d;
            if (!reg(o.name, slot, &d)) return false;
            if ((d == Type::Pred) != (t == Type::Pred))
                return fail("register '" + std::string(o.name) + (t == Type::Pred ? "' is not a predicate" : "' is a predicate"));
            return true;
        }
        if (o.kind == Operand::Sym) {
            SlotResolver::Space space;
            if (!slots_.symbol(o.name, &space, slot, err_)) return false;
            if (space != SlotResolver::Space::Shared || type_bytes(t) < 4)
                return fail("'" + std::string(o.name) + "' cannot be used as a value here");
            return true;
        }
        if (o.kind != Operand::Imm) return fail("bad source operand");
        uint64_t v = o.lit.bits;
        const Literal& l = o.lit;
        if (t == Type::F32) {
            v = l.kind == Literal::F32 ? l.bits : bits_of(l.kind == Literal::F64 ? (float)as_f64(l.bits) : (float)(int64_t)l.bits);
        } else if (t == Type::F64) {
            v = l.kind == Literal::F64 ? l.bits : bits_of(l.kind == Literal::F32 ? (double)as_f32(l.bits) : (double)(int64_t)l.bits);
        } else if (l.kind != Literal::Int) {
            return fail("float literal for an integer operand");
        } else if (t == Type::Pred) {
            v = v != 0;
        } else if (type_bytes(t) < 8) {
            v &= (1ull << (8 * type_bytes(t))) - 1;
        }
        *slot = slots_.constant(v);
        return true;
    }
    // [base+offset] of the given space.
    bool address(const Operand& o, SlotResolver::Space space) {
        if (o.kind != Operand::Addr) return fail("expected an address operand");
        in_->imm = o.offset;
        if (o.name.empty()) {
            in_->r[4] = slots_.constant(0);
        } else if (o.name[0] == '%') {
            Type d;
            if (!reg(o.name, &in_->r[4], &d)) return false;
            if (type_bytes(d) != 4 && type_bytes(d) != 8) return fail("address register '" + std::string(o.name) + "' must be 32 or 64 bits");
            if (type_bytes(d) == 4) in_->flags |= ADDR32;
        } else {
            SlotResolver::Space sym_space;
            if (!slots_.symbol(o.name, &sym_space, &in_->r[4], err_)) return false;
            if (sym_space != space) return fail("'" + std::string(o.name) + "' is not in the instruction's state space");
        }
        return true;
    }

    bool arith();
    bool mul_mad();
    bool float_unary();
    bool setp();
    bool logic();
    bool shift();
    bool cvt();
    bool mov();
    bool ld_st();
};

// Binary/ternary float operation: the fast form, or the slow path for .ftz / .approx.
bool float_op(Type t, bool ftz, bool approx, Op fast32, Op fast64, SlowOp slow, Instr* in) {
    if (t == Type::F32) {
        in->op = ftz || approx ? F32_SLOW : fast32;
    } else {
        in->op = ftz || approx ? F64_SLOW : fast64;
    }
    in->imm = (int64_t)slow | (int64_t)ftz << 8;
    return true;
}

bool Decoder::arith() {
    Type t;
    if (!one_type(&t)) return false;
    bool ternary = base_ == "fma";
    if (!count(ternary ? 4 : 3) || !dst(s_.ops[0], &in_->r[0])) return false;
    for (size_t i = 1; i < s_.ops.size(); i++)
        if (!src(s_.ops[i], t, &in_->r[i])) return false;
    if (type_float(t)) {
        if (t == Type::F16) return bad_type();
        bool rn = take("rn");
        bool approx = take("approx"), full = take("full");
        bool ftz = take("ftz");
        if ((base_ == "fma" || (base_ == "div" && t == Type::F64)) && !rn) return fail("'" + std::string(s_.opcode) + "' needs .rn");
        if (base_ == "div" && t == Type::F32 && !rn && !approx && !full) return fail("div.f32 needs .rn, .full or .approx");
        if ((approx || full) && (base_ != "div" || t != Type::F32)) return fail("unsupported modifier in '" + std::string(s_.opcode) + "'");
        if (ftz && t == Type::F64) return fail("unsupported modifier '.ftz' of '" + std::string(s_.opcode) + "'");
        if (!done()) return false;
        if (base_ == "add") return float_op(t, ftz, false, ADD_F32, ADD_F64, SlowOp::Add, in_);
        if (base_ == "sub") return float_op(t, ftz, false, SUB_F32, SUB_F64, SlowOp::Sub, in_);
        if (base_ == "fma") return float_op(t, ftz, false, FMA_F32, FMA_F64, SlowOp::Fma, in_);
        if (base_ == "div") return float_op(t, ftz, approx || full, DIV_F32, DIV_F64, SlowOp::Div, in_);
        if (base_ == "min") return float_op(t, ftz, false, MIN_F32, MIN_F64, SlowOp::Min, in_);
        if (base_ == "max") return float_op(t, ftz, false, MAX_F32, MAX_F64, SlowOp::Max, in_);
        return fail("'" + std::string(s_.opcode) + "' is not supported");
    }
    int i6 = int6_index(t);
    if (i6 < 0 || t == Type::B16 || t == Type::B32 || t == Type::B64) return bad_type();
    if (!done()) return false;
    if (base_ == "add") in_->op = ADD;
    else if (base_ == "sub") in_->op = SUB;
    else if (base_ == "div") in_->op = (uint16_t)(DIV_S16 + i6);
    else if (base_ == "rem") in_->op = (uint16_t)(REM_S16 + i6);
    else if (base_ == "min") in_->op = (uint16_t)(MIN_S16 + i6);
    else if (base_ == "max") in_->op = (uint16_t)(MAX_S16 + i6);
    else return fail("'" + std::string(s_.opcode) + "' needs a float type");
    return true;
}

bool Decoder::mul_mad() {
    Type t;
    if (!one_type(&t)) return false;
    bool mad = base_ == "mad";
    if (!count(mad ? 4 : 3)) return false;
    if (type_float(t)) {
        if (t == Type::F16) return bad_type();
        bool rn = take("rn"), ftz = take("ftz");
        if (mad && !rn) return fail("'" + std::string(s_.opcode) + "' needs .rn");
        if (ftz && t == Type::F64) return fail("unsupported modifier '.ftz' of '" + std::string(s_.opcode) + "'");
        if (!done() || !dst(s_.ops[0], &in_->r[0])) return false;
        for (size_t i = 1; i < s_.ops.size(); i++)
            if (!src(s_.ops[i], t, &in_->r[i])) return false;
        // mad.rn.fXX is a fused multiply-add, exactly fma.rn.fXX.
        if (mad) return float_op(t, ftz, false, FMA_F32, FMA_F64, SlowOp::Fma, in_);
        return float_op(t, ftz, false, MUL_F32, MUL_F64, SlowOp::Mul, in_);
    }
    int i6 = int6_index(t);
    if (i6 < 0 || t == Type::B16 || t == Type::B32 || t == Type::B64) return bad_type();
    bool lo = take("lo"), hi = take("hi"), wide = take("wide");
    if (lo + hi + wide != 1) return fail("'" + std::string(s_.opcode) + "' needs one of .lo, .hi, .wide");
    if (!done()) return false;
    Type dtype = t;
    if (lo) {
        in_->op = mad ? MAD_LO : MUL_LO;
    } else if (hi && !mad && i6 >= 2) {
        in_->op = (uint16_t)(MULHI_S32 + (i6 - 2));
    } else if (wide && !mad && i6 < 4) {
        in_->op = (uint16_t)(MULWIDE_S16 + i6);
    } else if (wide && mad && (i6 == 2 || i6 == 3)) {
        in_->op = (uint16_t)(MADWIDE_S32 + (i6 - 2));
    } else {
        return bad_type();
    }
    if (wide) dtype = i6 < 2 ? Type::U32 : Type::U64;
    if (!dst(s_.ops[0], &in_->r[0]) || !src(s_.ops[1], t, &in_->r[1]) || !src(s_.ops[2], t, &in_->r[2])) return false;
    return !mad || src(s_.ops[3], dtype, &in_->r[3]);
}

// neg, abs, sqrt, rcp and the .approx functions.
bool Decoder::float_unary() {
    Type t;
    if (!one_type(&t) || !count(2) || !dst(s_.ops[0], &in_->r[0]) || !src(s_.ops[1], t, &in_->r[1])) return false;
    if (!type_float(t)) {
        if (!done()) return false;
        if (base_ == "neg" && int6_index(t) >= 0 && !(t == Type::B16 || t == Type::B32 || t == Type::B64)) {
            in_->op = NEG;
            return true;
        }
        if (base_ == "abs" && type_signed(t) && t != Type::S8) {
            in_->op = t == Type::S16 ? ABS_S16 : t == Type::S32 ? ABS_S32 : ABS_S64;
            return true;
        }
        return bad_type();
    }
    if (t == Type::F16) return bad_type();
    bool rn = take("rn"), approx = take("approx"), ftz = take("ftz");
    bool f64 = t == Type::F64;
    if (!done()) return false;
    auto bad = [&] { return fail("unsupported combination of modifiers in '" + std::string(s_.opcode) + "'"); };
    if (base_ == "neg" || base_ == "abs") {
        if (rn || approx || (ftz && f64)) return bad();
        return float_op(t, ftz, false, base_ == "neg" ? NEG_F32 : ABS_F32, base_ == "neg" ? NEG_F64 : ABS_F64,
                        base_ == "neg" ? SlowOp::Neg : SlowOp::Abs, in_);
    }
    if (base_ == "sqrt" || base_ == "rcp") {
        // f64 accepts .ftz only with .approx (rcp.approx.ftz.f64).
        if (rn == approx || (f64 && ftz && !approx) || (f64 && approx && base_ == "sqrt")) return bad();
        bool sq = base_ == "sqrt";
        return float_op(t, ftz, approx, sq ? SQRT_F32 : RCP_F32, sq ? SQRT_F64 : RCP_F64, sq ? SlowOp::Sqrt : SlowOp::Rcp, in_);
    }
    // ex2, lg2, rsqrt, sin, cos: .approx only (computed exactly, see ptx_float.cpp).
    if (!approx || rn || (f64 && base_ != "rsqrt")) return bad();
    SlowOp op = base_ == "ex2" ? SlowOp::Ex2 : base_ == "lg2" ? SlowOp::Lg2 : base_ == "rsqrt" ? SlowOp::Rsqrt
              : base_ == "sin" ? SlowOp::Sin : SlowOp::Cos;
    return float_op(t, ftz, true, F32_SLOW, F64_SLOW, op, in_);
}

bool Decoder::setp() {
    Type t;
    if (!one_type(&t)) return false;
    if (s_.ops.size() == 4) return fail("setp with a combining predicate is not supported");
    if (!count(3) || !dst(s_.ops[0], &in_->r[0], true) || !src(s_.ops[1], t, &in_->r[1]) || !src(s_.ops[2], t, &in_->r[2]))
        return false;
    static const char* fcmp[] = {"eq", "ne", "lt", "le", "gt", "ge", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan"};
    static const char* ucmp[] = {"eq", "ne", "lo", "ls", "hi", "hs"};  // unsigned aliases of lt le gt ge
    int cmp = -1;
    for (int i = 0; i < 14 && cmp < 0; i++)
        if (take(fcmp[i])) cmp = i;
    for (int i = 0; i < 6 && cmp < 0; i++)
        if (take(ucmp[i])) cmp = i;
    if (cmp < 0) return fail("'" + std::string(s_.opcode) + "' has no comparison");
    if (!done()) return false;
    if (t == Type::F32 || t == Type::F64) {
        in_->op = (uint16_t)((t == Type::F32 ? SETP_EQ_F32 : SETP_EQ_F64) + cmp);
        return true;
    }
    int i6 = int6_index(t);
    bool bits = t == Type::B16 || t == Type::B32 || t == Type::B64;
    if (i6 < 0 || cmp >= 6 || (bits && cmp >= 2)) return bad_type();
    in_->op = (uint16_t)(SETP_EQ_S16 + 6 * i6 + cmp);
    return true;
}

bool Decoder::logic() {
    Type t;
    if (!one_type(&t)) return false;
    if (t != Type::Pred && t != Type::B16 && t != Type::B32 && t != Type::B64) return bad_type();
    if (!done()) return false;
    bool pred = t == Type::Pred;
    if (base_ == "not") {
        in_->op = pred ? NOT_PRED : NOT;
        return count(2) && dst(s_.ops[0], &in_->r[0], pred) && src(s_.ops[1], t, &in_->r[1]);
    }
    in_->op = base_ == "and" ? AND : base_ == "or" ? OR : XOR;
    return count(3) && dst(s_.ops[0], &in_->r[0], pred) && src(s_.ops[1], t, &in_->r[1]) && src(s_.ops[2], t, &in_->r[2]);
}

bool Decoder::shift() {
    Type t;
    if (!one_type(&t) || !done()) return false;
    int bytes = (int)type_bytes(t);
    if (type_float(t) || t == Type::Pred || bytes < 2) return bad_type();
    if (base_ == "shl") {
        if (!(t == Type::B16 || t == Type::B32 || t == Type::B64)) return bad_type();
        in_->op = SHL;
    } else {
        bool s = type_signed(t);
        in_->op = bytes == 2 ? (s ? SHR_S16 : SHR_U16) : bytes == 4 ? (s ? SHR_S32 : SHR_U32) : (s ? SHR_S64 : SHR_U64);
    }
    return count(3) && dst(s_.ops[0], &in_->r[0]) && src(s_.ops[1], t, &in_->r[1]) && src(s_.ops[2], Type::U32, &in_->r[2]);
}

bool Decoder::cvt() {
    if (types_.size() != 2) return fail("cvt needs a destination and a source type");
    Type d = types_[0], sr = types_[1];
    if (d == Type::F16 || sr == Type::F16 || d == Type::Pred || sr == Type::Pred) return bad_type();
    static const std::pair<const char*, Rnd> rnds[] = {{"rn", Rnd::Rn},   {"rz", Rnd::Rz},   {"rm", Rnd::Rm},
                                                       {"rp", Rnd::Rp},   {"rni", Rnd::Rni}, {"rzi", Rnd::Rzi},
                                                       {"rmi", Rnd::Rmi}, {"rpi", Rnd::Rpi}};
    Rnd rnd = Rnd::None;
    for (auto& [name, r] : rnds)
        if (take(name)) rnd = r;
    bool sat = take("sat"), ftz = take("ftz");
    if (!done() || !count(2) || !dst(s_.ops[0], &in_->r[0]) || !src(s_.ops[1], sr, &in_->r[1])) return false;
    bool int_rnd = rnd >= Rnd::Rni, fp_rnd = rnd != Rnd::None && !int_rnd;
    bool df = type_float(d), sf = type_float(sr);
    // PTX: float->int needs an integer rounding, int->float and f64->f32 a float rounding,
    // float->same-size float only an integer rounding (round to integral), f32->f64 none.
    bool ok = df && sf ? (d == sr ? int_rnd : d == Type::F32 ? fp_rnd : !fp_rnd)
            : sf ? int_rnd : df ? fp_rnd : rnd == Rnd::None;
    if (!ok) return fail("rounding modifier does not fit '" + std::string(s_.opcode) + "'");
    if (ftz && !(sf && sr == Type::F32) && !(df && d == Type::F32)) return fail("'.ftz' needs an f32 operand in '" + std::string(s_.opcode) + "'");
    if (!sat && !ftz && rnd == Rnd::None) {
        if (d == Type::S64 && sr == Type::S32) return in_->op = CVT_S64_S32, true;
        if (d == Type::U64 && sr == Type::U32) return in_->op = CVT_U64_U32, true;
        if ((d == Type::U32 || d == Type::S32) && (sr == Type::U64 || sr == Type::S64)) return in_->op = CVT_U32_U64, true;
    }
    in_->op = CVT;
    in_->imm = cvt_desc(d, sr, rnd, sat, ftz);
    return true;
}

bool Decoder::mov() {
    Type t;
    if (!one_type(&t) || !done() || !count(2)) return false;
    const Operand &a = s_.ops[0], &b = s_.ops[1];
    // mov.b64 {lo, hi}, x / mov.b64 x, {lo, hi}: 32-bit halves (and 16-bit halves of a b32).
    if (a.kind == Operand::Vec || b.kind == Operand::Vec) {
        const Operand& v = a.kind == Operand::Vec ? a : b;
        if (v.elems.size() != 2 || (t != Type::B64 && t != Type::B32)) return fail("only two-element vectors of mov.b64/mov.b32 are supported");
        Type half = t == Type::B64 ? Type::B32 : Type::B16;
        if (a.kind == Operand::Vec) {
            in_->op = t == Type::B64 ? UNPACK64 : UNPACK32;
            for (int i = 0; i < 2; i++)
                if (!dst(reg_operand(v.elems[(size_t)i]), &in_->r[i])) return false;
            return src(b, t, &in_->r[2]);
        }
        in_->op = t == Type::B64 ? PACK64 : PACK32;
        for (int i = 0; i < 2; i++)
            if (!src(reg_operand(v.elems[(size_t)i]), half, &in_->r[1 + i])) return false;
        return dst(a, &in_->r[0]);
    }
    in_->op = MOV;
    return dst(a, &in_->r[0], t == Type::Pred) && src(b, t, &in_->r[1]);
}

bool Decoder::ld_st() {
    bool load = base_ == "ld";
    bool param = take("param"), global = take("global"), shared = take("shared");
    if (param + global + shared != 1) {
        if (take("local") || take("const")) return fail("state space of '" + std::string(s_.opcode) + "' is not supported");
        return fail("generic addressing ('" + std::string(s_.opcode) + "' without .global/.shared/.param) is not supported");
    }
    for (auto cache : {"ca", "cg", "cs", "lu", "cv", "wb", "wt", "nc", "volatile"}) take(cache);
    int vec = take("v2") ? 2 : take("v4") ? 4 : 1;
    Type t;
    if (!one_type(&t) || !done() || !count(2)) return false;
    if (t == Type::Pred || t == Type::F16) return bad_type();
    unsigned bytes = type_bytes(t);
    const Operand& data = s_.ops[load ? 0 : 1];
    const Operand& where = s_.ops[load ? 1 : 0];
    if (global && where.kind == Operand::Addr && !where.name.empty() && where.name[0] != '%')
        return fail("module-scope .global variables are not supported");
    if (!address(where, param ? SlotResolver::Space::Param : SlotResolver::Space::Shared)) return false;
    if (param) {
        if (!load || vec != 1) return fail("'" + std::string(s_.opcode) + "' is not supported");
        in_->op = LDP;
        in_->r[1] = bytes;
        in_->r[2] = type_signed(t);
        return dst(data, &in_->r[0]);
    }
    // Shape of the access: scalar width (with sign extension of narrow loads) or vector.
    int shape;  // index into the JGSIM_LDST family order
    if (vec == 1) {
        bool s = type_signed(t);
        shape = load ? (bytes == 1 ? (s ? 1 : 0) : bytes == 2 ? (s ? 3 : 2) : bytes == 4 ? (s ? 5 : 4) : 6)
                     : (bytes == 1 ? 10 : bytes == 2 ? 11 : bytes == 4 ? 12 : 13);
    } else {
        if (bytes < 4 || (vec == 4 && bytes == 8)) return bad_type();
        shape = (load ? 7 : 14) + (vec == 4 ? 1 : bytes == 8 ? 2 : 0);
    }
    in_->op = (uint16_t)((global ? LDG_U8 : LDS_U8) + shape);
    if (vec == 1) {
        return load ? dst(data, &in_->r[0]) : src(data, t, &in_->r[0]);
    }
    if (data.kind != Operand::Vec || data.elems.size() != (size_t)vec) return fail("expected a " + std::to_string(vec) + "-element vector");
    for (int i = 0; i < vec; i++) {
        Operand r = reg_operand(data.elems[(size_t)i]);
        if (!(load ? dst(r, &in_->r[i]) : src(r, t, &in_->r[i]))) return false;
    }
    return true;
}

bool Decoder::run(std::string_view* label) {
    in_->guard = TRUE_SLOT;
    if (!s_.guard.empty()) {
        Type d;
        if (!reg(s_.guard, &in_->guard, &d)) return false;
        if (d != Type::Pred) return fail("guard '" + std::string(s_.guard) + "' is not a predicate");
        in_->guard_negated = s_.guard_negated;
    }
    std::string_view b = base_;
    if (b == "add" || b == "sub" || b == "div" || b == "rem" || b == "min" || b == "max" || b == "fma") return arith();
    if (b == "mul" || b == "mad") return mul_mad();
    if (b == "neg" || b == "abs" || b == "sqrt" || b == "rcp" || b == "ex2" || b == "lg2" || b == "rsqrt" || b == "sin" ||
        b == "cos")
        return float_unary();
    if (b == "setp") return setp();
    if (b == "selp") {
        Type t;
        if (!one_type(&t) || !done() || !count(4)) return false;
        in_->op = SELP;
        return dst(s_.ops[0], &in_->r[0]) && src(s_.ops[1], t, &in_->r[1]) && src(s_.ops[2], t, &in_->r[2]) &&
               src(s_.ops[3], Type::Pred, &in_->r[3]);
    }
    if (b == "and" || b == "or" || b == "xor" || b == "not") return logic();
    if (b == "shl" || b == "shr") return shift();
    if (b == "cvt") return cvt();
    if (b == "cvta") {
        // Global addresses are generic addresses here, so the conversion is the identity.
        Type t;
        bool to = take("to");
        if (!take("global")) return fail("'" + std::string(s_.opcode) + "' is not supported (only cvta[.to].global)");
        (void)to;
        if (!one_type(&t) || !done() || !count(2)) return false;
        if (t != Type::U64) return bad_type();
        in_->op = MOV;
        return dst(s_.ops[0], &in_->r[0]) && src(s_.ops[1], t, &in_->r[1]);
    }
    if (b == "mov") return mov();
    if (b == "ld" || b == "st") return ld_st();
    if (b == "bra") {
        take("uni");
        if (!done() || !types_.empty() || !count(1)) return false;
        if (s_.ops[0].kind != Operand::Label && s_.ops[0].kind != Operand::Sym) return fail("bra needs a label");
        in_->op = BRA;
        *label = s_.ops[0].name;
        return true;
    }
    if (b == "bar" || b == "barrier") {
        take("aligned");
        if (!take("sync") || !done() || !types_.empty()) return fail("'" + std::string(s_.opcode) + "' is not supported (only bar.sync)");
        if (s_.ops.size() == 2) return fail("bar.sync with a thread count is not supported");
        if (!count(1)) return false;
        if (s_.ops[0].kind != Operand::Imm || s_.ops[0].lit.kind != Literal::Int || s_.ops[0].lit.bits > 15)
            return fail("bar.sync needs an immediate barrier number 0..15");
        in_->op = BAR;
        in_->imm = (int64_t)s_.ops[0].lit.bits;
        return true;
    }
    if (b == "ret" || b == "exit") {
        take("uni");
        if (!done() || !count(0)) return false;
        in_->op = EXIT;
        return true;
    }
    for (auto family : {"atom", "red", "shfl", "vote", "match", "activemask", "membar", "fence", "call", "tex", "suld", "sust"})
        if (b == family) return fail("unsupported opcode '" + std::string(s_.opcode) + "' (not simulated)");
    return fail("unknown opcode '" + std::string(s_.opcode) + "'");
}

}  // namespace

bool decode(const Statement& s, SlotResolver& slots, Instr* out, std::string_view* branch_label, std::string* error) {
    Decoder d(s, slots, out, error);
    return d.run(branch_label);
}

}  // namespace jgsim::ptx
