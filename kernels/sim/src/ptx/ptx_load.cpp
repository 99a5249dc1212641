// PTX module loader: module and function directives, declarations, labels, and the statements
// handed to the decoder (ptx_decode.cpp).
#include "ptx/ptx_internal.h"

#include <map>
#include <unordered_map>

namespace jgsim::ptx {

namespace {

uint32_t align_up(uint32_t v, uint32_t a) { return a ? (v + a - 1) / a * a : v; }

struct SharedVar {
    uint32_t align, bytes;
    bool external;  // .extern: dynamic shared memory, placed after all static arrays
};

// Declared registers of one scope: plain names ("%temp") and ranges ("%r<275>" is %r0..%r274).
struct Scope {
    std::unordered_map<std::string_view, Type> singles;
    std::unordered_map<std::string_view, std::pair<Type, uint32_t>> ranges;  // prefix -> (type, count)
};

class Loader final : public SlotResolver {
public:
    Loader(std::string_view text, const std::vector<Token>& toks) : text_(text), t_(toks) {}

    std::unique_ptr<ModuleImpl> module() {
        auto m = std::make_unique<ModuleImpl>();
        while (peek().kind != Tok::End) {
            std::string_view d = peek().text;
            if (d == ".version" || d == ".address_size") {
                std::string_view directive = next().text;
                const Token& v = next();
                if (v.kind != Tok::Number) return fail(v, "expected a number after " + std::string(directive));
                if (directive == ".address_size" && v.text != "64")
                    return fail(v, "only .address_size 64 is supported");
            } else if (d == ".target") {
                next();
                do {
                    if (next().kind != Tok::Ident) return fail(t_[pos_ - 1], "expected a target name");
                } while (accept(","));
            } else if (d == ".extern" || d == ".shared") {
                if (!shared_decl(module_shared_)) return nullptr;
            } else if (d == ".visible" || d == ".entry") {
                if (d == ".visible") next();
                if (peek().text != ".entry") return fail(peek(), "unsupported directive '" + std::string(peek().text) + "'");
                next();
                auto k = entry();
                if (!k) return nullptr;
                for (auto& other : m->kernels)
                    if (other->info.name == k->info.name) return fail(t_[pos_ - 1], "duplicate .entry " + k->info.name);
                m->kernels.push_back(std::move(k));
            } else if (d == ".file" || d == ".loc") {
                skip_line();  // debug information: not needed to run
            } else {
                return fail(peek(), peek().kind == Tok::Ident && d[0] == '.'
                                        ? "unsupported directive '" + std::string(d) + "'"
                                        : "unexpected '" + std::string(d) + "' at module scope");
            }
        }
        return m;
    }

    std::string error;

    // ---- SlotResolver ----
    bool reg(std::string_view name, uint32_t* slot, Type* declared, std::string* err) override {
        if (name.size() > 1 && name[0] == '%') {
            static const std::pair<std::string_view, Special> specials[] = {
                {"%tid.x", Special::TidX},       {"%tid.y", Special::TidY},       {"%tid.z", Special::TidZ},
                {"%ntid.x", Special::NtidX},     {"%ntid.y", Special::NtidY},     {"%ntid.z", Special::NtidZ},
                {"%ctaid.x", Special::CtaidX},   {"%ctaid.y", Special::CtaidY},   {"%ctaid.z", Special::CtaidZ},
                {"%nctaid.x", Special::NctaidX}, {"%nctaid.y", Special::NctaidY}, {"%nctaid.z", Special::NctaidZ}};
            for (auto& [sname, which] : specials) {
                if (name != sname) continue;
                auto it = special_slot_.find(name);
                if (it == special_slot_.end()) {
                    it = special_slot_.emplace(name, new_slot(0)).first;
                    kernel_->specials.push_back({it->second, which});
                }
                *slot = it->second;
                *declared = Type::U32;
                return true;
            }
        }
        // Innermost scope first: a nested { .reg .b32 %temp; } shadows an outer %temp.
        for (size_t s = scopes_.size(); s-- > 0;) {
            const Scope& sc = scopes_[s];
            Type type = Type::None;
            if (auto it = sc.singles.find(name); it != sc.singles.end()) {
                type = it->second;
            } else {
                size_t d = name.size();
                while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9') d--;
                if (d < name.size() && d > 0 && (name.size() - d == 1 || name[d] != '0')) {
                    auto it2 = sc.ranges.find(name.substr(0, d));
                    if (it2 != sc.ranges.end() && std::stoul(std::string(name.substr(d))) < it2->second.second)
                        type = it2->second.first;
                }
            }
            if (type == Type::None) continue;
            auto key = std::make_pair(s, name);
            auto it = reg_slot_.find(key);
            if (it == reg_slot_.end()) it = reg_slot_.emplace(key, new_slot(0)).first;
            *slot = it->second;
            *declared = type;
            return true;
        }
        *err = "undeclared register '" + std::string(name) + "'";
        return false;
    }

    uint32_t constant(uint64_t value) override {
        auto it = const_slot_.find(value);
        if (it == const_slot_.end()) it = const_slot_.emplace(value, new_slot(value)).first;
        return it->second;
    }

    bool symbol(std::string_view name, Space* space, uint32_t* slot, std::string* err) override {
        for (size_t i = 0; i < kernel_->info.params.size(); i++) {
            if (kernel_->info.params[i].name == name) {
                *space = Space::Param;
                *slot = constant(kernel_->param_offsets[i]);
                return true;
            }
        }
        auto it = shared_offset_.find(name);
        if (it != shared_offset_.end()) {
            *space = Space::Shared;
            *slot = constant(it->second);
            return true;
        }
        *err = "unknown symbol '" + std::string(name) + "'";
        return false;
    }

private:
    std::string_view text_;
    const std::vector<Token>& t_;
    size_t pos_ = 0;
    std::vector<std::pair<std::string_view, SharedVar>> module_shared_;
    // Per function being loaded:
    KernelImpl* kernel_ = nullptr;
    std::vector<Scope> scopes_;
    std::map<std::pair<size_t, std::string_view>, uint32_t> reg_slot_;
    std::unordered_map<uint64_t, uint32_t> const_slot_;
    std::unordered_map<std::string_view, uint32_t> special_slot_;
    std::unordered_map<std::string_view, uint32_t> shared_offset_;

    const Token& peek(size_t ahead = 0) const { return t_[std::min(pos_ + ahead, t_.size() - 1)]; }
    const Token& next() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
    bool accept(std::string_view s) {
        if (peek().kind != Tok::End && peek().kind != Tok::String && peek().text == s) {
            pos_++;
            return true;
        }
        return false;
    }
    std::nullptr_t fail(const Token& at, const std::string& what) {
        if (error.empty()) error = "line " + std::to_string(at.line) + ": " + what;
        return nullptr;
    }
    bool expect(std::string_view s) {
        if (accept(s)) return true;
        fail(peek(), "expected '" + std::string(s) + "' but found '" + std::string(peek().text) + "'");
        return false;
    }
    void skip_line() {
        uint32_t line = peek().line;
        while (peek().kind != Tok::End && peek().line == line) pos_++;
    }
    uint32_t new_slot(uint64_t init) {
        kernel_->initial_slots.push_back(init);
        return (uint32_t)kernel_->initial_slots.size() - 1;
    }

    // [.extern] .shared [.align N] .TYPE name[SIZE]?;
    bool shared_decl(std::vector<std::pair<std::string_view, SharedVar>>& into) {
        bool external = accept(".extern");
        if (!expect(".shared")) return false;
        uint32_t align = 0;
        if (accept(".align")) {
            const Token& a = next();
            Literal lit;
            if (a.kind != Tok::Number || !parse_literal(a.text, false, &lit) || lit.kind != Literal::Int ||
                lit.bits == 0 || (lit.bits & (lit.bits - 1)))
                return fail(a, "bad .align value"), false;
            align = (uint32_t)lit.bits;
        }
        const Token& ty = next();
        Type type = ty.text.size() > 1 ? parse_type(ty.text.substr(1)) : Type::None;
        if (ty.text[0] != '.' || type == Type::None || type == Type::Pred)
            return fail(ty, "unknown type '" + std::string(ty.text) + "' in .shared declaration"), false;
        const Token& name = next();
        if (name.kind != Tok::Ident) return fail(name, "expected a name in .shared declaration"), false;
        uint32_t count = 1;
        bool unsized = false;
        if (accept("[")) {
            if (accept("]")) {
                unsized = true;
            } else {
                const Token& c = next();
                Literal lit;
                if (c.kind != Tok::Number || !parse_literal(c.text, false, &lit) || lit.kind != Literal::Int ||
                    lit.bits > (1u << 24))
                    return fail(c, "bad array size"), false;
                count = (uint32_t)lit.bits;
                if (!expect("]")) return false;
            }
        }
        if (unsized != external) return fail(name, "only .extern .shared arrays may be unsized (and must be)"), false;
        if (!expect(";")) return false;
        uint32_t elem = type_bytes(type);
        into.push_back({name.text, {std::max(align, elem), unsized ? 0 : count * elem, external}});
        return true;
    }

    // .entry name ( .param ... ) [.maxntid x,y,z] [.reqntid x,y,z] [.minnctapersm n] { body }
    std::unique_ptr<KernelImpl> entry() {
        auto k = std::make_unique<KernelImpl>();
        kernel_ = k.get();
        scopes_.clear();
        reg_slot_.clear();
        const_slot_.clear();
        special_slot_.clear();
        shared_offset_.clear();
        new_slot(1);  // TRUE_SLOT
        const Token& name = next();
        if (name.kind != Tok::Ident) return fail(name, "expected a kernel name after .entry");
        k->info.name = std::string(name.text);
        if (!expect("(")) return nullptr;
        uint32_t offset = 0;
        while (!accept(")")) {
            if (!k->info.params.empty() && !expect(",")) return nullptr;
            if (!expect(".param")) return nullptr;
            uint32_t align = 0;
            if (accept(".align")) {
                Literal lit;
                const Token& a = next();
                if (a.kind != Tok::Number || !parse_literal(a.text, false, &lit) || lit.kind != Literal::Int ||
                    lit.bits == 0 || (lit.bits & (lit.bits - 1)))
                    return fail(a, "bad .align value");
                align = (uint32_t)lit.bits;
            }
            const Token& ty = next();
            Type type = ty.text.size() > 1 && ty.text[0] == '.' ? parse_type(ty.text.substr(1)) : Type::None;
            if (type == Type::None || type == Type::Pred) return fail(ty, "unknown parameter type '" + std::string(ty.text) + "'");
            if (accept(".ptr")) return fail(t_[pos_ - 1], "unsupported parameter attribute .ptr");
            const Token& pname = next();
            if (pname.kind != Tok::Ident) return fail(pname, "expected a parameter name");
            uint32_t bytes = type_bytes(type);
            if (accept("[")) {
                Literal lit;
                const Token& c = next();
                if (c.kind != Tok::Number || !parse_literal(c.text, false, &lit) || lit.kind != Literal::Int ||
                    lit.bits == 0 || lit.bits > 4096)
                    return fail(c, "bad parameter array size");
                bytes *= (uint32_t)lit.bits;
                if (!expect("]")) return nullptr;
            }
            align = std::max(align, type_bytes(type));
            offset = align_up(offset, align);
            k->info.params.push_back({std::string(pname.text), bytes, align});
            k->param_offsets.push_back(offset);
            offset += bytes;
        }
        k->param_space_bytes = offset;
        while (peek().text != "{") {
            const Token& d = next();
            if (d.text == ".maxntid" || d.text == ".reqntid") {
                uint32_t product = 1;
                for (int i = 0; i < 3; i++) {
                    Literal lit;
                    const Token& v = next();
                    if (v.kind != Tok::Number || !parse_literal(v.text, false, &lit) || lit.kind != Literal::Int ||
                        lit.bits == 0 || lit.bits > 1024)
                        return fail(v, "bad " + std::string(d.text) + " value");
                    product *= (uint32_t)lit.bits;
                    if (!accept(",")) break;
                }
                k->info.max_threads = product;
                k->exact_threads = d.text == ".reqntid";
            } else if (d.text == ".minnctapersm" || d.text == ".maxnreg" || d.text == ".maxnctapersm") {
                if (next().kind != Tok::Number) return fail(t_[pos_ - 1], "bad " + std::string(d.text) + " value");
            } else {
                return fail(d, "unsupported directive '" + std::string(d.text) + "' before the kernel body");
            }
        }
        if (!body()) return nullptr;
        kernel_ = nullptr;
        return k;
    }

    // Lays out the static shared arrays (module's first, then the function's) and places the
    // .extern ones after them; records each name's offset.
    void layout_shared(const std::vector<std::pair<std::string_view, SharedVar>>& function_shared) {
        uint32_t offset = 0, dyn_align = 16;
        std::vector<std::string_view> externs;
        using SharedList = std::vector<std::pair<std::string_view, SharedVar>>;
        const SharedList* lists[] = {&module_shared_, &function_shared};
        for (const SharedList* list : lists) {
            for (auto& [name, v] : *list) {
                if (v.external) {
                    dyn_align = std::max(dyn_align, v.align);
                    externs.push_back(name);
                    continue;
                }
                offset = align_up(offset, v.align);
                shared_offset_[name] = offset;
                offset += v.bytes;
            }
        }
        kernel_->info.static_shared_bytes = offset;
        kernel_->dynamic_shared_offset = align_up(offset, dyn_align);
        for (auto name : externs) shared_offset_[name] = kernel_->dynamic_shared_offset;
    }

    bool body() {
        if (!expect("{")) return false;
        scopes_.emplace_back();
        std::vector<std::pair<std::string_view, SharedVar>> function_shared;
        uint32_t stmts = 0;
        std::unordered_map<std::string_view, uint32_t> labels;  // label -> statement index
        while (!scopes_.empty()) {
            const Token& tok = peek();
            if (tok.kind == Tok::End) return fail(tok, "unexpected end of text inside kernel " + kernel_->info.name), false;
            if (accept("{")) {
                scopes_.emplace_back();
            } else if (accept("}")) {
                // Scopes only limit register names; instructions stay in one flat list.
                if (scopes_.size() > 1) {
                    scopes_.pop_back();
                } else {
                    break;
                }
            } else if (tok.text == ".reg") {
                if (!reg_decl()) return false;
            } else if (tok.text == ".shared" || tok.text == ".extern") {
                if (stmts) return fail(tok, ".shared declaration after the first instruction is not supported"), false;
                if (!shared_decl(function_shared)) return false;
            } else if (tok.text == ".pragma") {
                next();
                if (next().kind != Tok::String || !expect(";")) return fail(tok, "bad .pragma"), false;
            } else if (tok.kind == Tok::Ident && peek(1).text == ":" && tok.text[0] != '.') {
                if (!labels.emplace(tok.text, stmts).second)
                    return fail(tok, "duplicate label " + std::string(tok.text)), false;
                pos_ += 2;
            } else if (tok.kind == Tok::Ident && tok.text[0] == '.') {
                return fail(tok, "unsupported directive '" + std::string(tok.text) + "'"), false;
            } else {
                // .shared arrays precede the instructions (checked above), so their offsets are
                // known from the first instruction on.
                if (!laid_out_) layout_shared(function_shared), laid_out_ = true;
                Statement st;
                if (!statement(&st)) return false;
                // Register names resolve now, while the statement's scope is open.
                if (!decode_into(st)) return false;
                stmts++;
            }
        }
        scopes_.pop_back();
        if (!laid_out_) layout_shared(function_shared);
        laid_out_ = false;
        // Branch targets may refer forward: resolved once the whole body is read.
        for (auto& [index, label] : pending_) {
            auto it = labels.find(label);
            if (it == labels.end()) {
                error = "line " + std::to_string(kernel_->code[index].line) + ": unknown label '" +
                        std::string(label) + "' in `" + kernel_->text[index] + "`";
                return false;
            }
            kernel_->code[index].imm = it->second;
        }
        pending_.clear();
        {
            // Falling off the end of the body (or branching to a label after the last
            // instruction) ends the thread, as an implicit ret; it also keeps pc inside the code.
            Instr ret{};
            ret.op = EXIT;
            ret.guard = TRUE_SLOT;
            ret.line = t_[pos_ - 1].line;
            kernel_->code.push_back(ret);
            kernel_->text.push_back("} (end of kernel)");
        }
        return true;
    }

    std::vector<std::pair<uint32_t, std::string_view>> pending_;  // BRA index -> label
    bool laid_out_ = false;

    bool decode_into(const Statement& s) {
        Instr in{};
        std::string_view label;
        std::string err;
        if (!decode(s, *this, &in, &label, &err)) {
            error = "line " + std::to_string(s.line) + ": " + err + " in `" + s.text + "`";
            return false;
        }
        in.line = s.line;
        if (!label.empty()) pending_.push_back({(uint32_t)kernel_->code.size(), label});
        kernel_->code.push_back(in);
        kernel_->text.push_back(s.text);
        return true;
    }

    // .reg .TYPE %a<N>; or .reg .TYPE %a, %b;
    bool reg_decl() {
        next();
        const Token& ty = next();
        Type type = ty.text.size() > 1 && ty.text[0] == '.' ? parse_type(ty.text.substr(1)) : Type::None;
        if (type == Type::None || type == Type::F16)
            return fail(ty, "unknown register type '" + std::string(ty.text) + "'"), false;
        do {
            const Token& name = next();
            if (name.kind != Tok::Ident || name.text[0] != '%') return fail(name, "expected a register name"), false;
            if (accept("<")) {
                const Token& c = next();
                Literal lit;
                if (c.kind != Tok::Number || !parse_literal(c.text, false, &lit) || lit.kind != Literal::Int ||
                    lit.bits > 1000000)
                    return fail(c, "bad register count"), false;
                if (!expect(">")) return false;
                scopes_.back().ranges[name.text] = {type, (uint32_t)lit.bits};
            } else {
                scopes_.back().singles[name.text] = type;
            }
        } while (accept(","));
        return expect(";");
    }

    // [@[!]%p] opcode operand, operand, ...;
    bool statement(Statement* s) {
        const Token& first = peek();
        s->line = first.line;
        if (accept("@")) {
            s->guard_negated = accept("!");
            const Token& g = next();
            if (g.kind != Tok::Ident || g.text[0] != '%') return fail(g, "expected a predicate after @"), false;
            s->guard = g.text;
        }
        const Token& op = next();
        if (op.kind != Tok::Ident || op.text[0] == '%' || op.text[0] == '.')
            return fail(op, "expected an instruction but found '" + std::string(op.text) + "'"), false;
        s->opcode = op.text;
        if (!accept(";")) {
            do {
                s->ops.emplace_back();
                if (!operand(&s->ops.back())) return false;
            } while (accept(","));
            if (!expect(";")) return false;
        }
        // The statement's text with runs of whitespace collapsed, for messages.
        std::string_view src = text_.substr(first.offset, t_[pos_ - 1].offset + 1 - first.offset);
        bool space = false;
        for (char c : src) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                space = true;
            } else {
                if (space && !s->text.empty()) s->text += ' ';
                space = false;
                s->text += c;
            }
        }
        return true;
    }

    bool operand(Operand* o) {
        const Token& tok = peek();
        if (accept("[")) {
            // [%rd1], [%rd1+16], [%rd1+-16], [%rd1-16], [name], [name+8], [16]
            o->kind = Operand::Addr;
            if (peek().kind == Tok::Ident) {
                o->name = next().text;
            } else if (peek().kind != Tok::Number) {
                return fail(peek(), "bad address"), false;
            }
            bool plus = o->name.empty() || accept("+");
            bool minus = accept("-");
            if (plus || minus) {
                const Token& n = next();
                Literal lit;
                if (n.kind != Tok::Number || !parse_literal(n.text, minus, &lit) || lit.kind != Literal::Int)
                    return fail(n, "bad address offset"), false;
                o->offset = (int64_t)lit.bits;
            }
            return expect("]");
        }
        if (accept("{")) {
            o->kind = Operand::Vec;
            do {
                const Token& r = next();
                if (r.kind != Tok::Ident || (r.text[0] != '%' && r.text != "_"))
                    return fail(r, "expected a register in a vector operand"), false;
                o->elems.push_back(r.text);
            } while (accept(","));
            return expect("}");
        }
        bool negative = accept("-");
        const Token& v = next();
        if (v.kind == Tok::Number) {
            o->kind = Operand::Imm;
            if (!parse_literal(v.text, negative, &o->lit)) return fail(v, "bad number '" + std::string(v.text) + "'"), false;
            return true;
        }
        if (negative || v.kind != Tok::Ident) return fail(tok, "bad operand '" + std::string(v.text) + "'"), false;
        o->name = v.text;
        o->kind = v.text[0] == '%' ? Operand::Reg : v.text[0] == '$' ? Operand::Label : Operand::Sym;
        return true;
    }
};

}  // namespace

const KernelInfo* ModuleImpl::kernel(const std::string& name) const {
    for (auto& k : kernels)
        if (k->info.name == name) return &k->info;
    return nullptr;
}

std::vector<std::string> ModuleImpl::kernel_names() const {
    std::vector<std::string> names;
    for (auto& k : kernels) names.push_back(k->info.name);
    return names;
}

const KernelImpl* ModuleImpl::impl_of(const KernelInfo* info) const {
    for (auto& k : kernels)
        if (&k->info == info) return k.get();
    return nullptr;
}

std::unique_ptr<Module> load(const std::string& ptx_text, std::string* error) {
    std::vector<Token> toks;
    std::string err;
    if (!tokenize(ptx_text, &toks, &err)) {
        if (error) *error = err;
        return nullptr;
    }
    Loader loader(ptx_text, toks);
    auto m = loader.module();
    if (!m && error) *error = loader.error.empty() ? "line 1: cannot load module" : loader.error;
    return m;
}

}  // namespace jgsim::ptx
