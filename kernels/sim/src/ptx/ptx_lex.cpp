// PTX tokenizer and numeric literals.
#include "ptx/ptx_internal.h"

#include <cstdlib>

namespace jgsim::ptx {

namespace {

// Identifiers cover opcodes with their dotted modifiers ("ld.global.v4.f32"), directives
// (".reg"), registers ("%rd1", "%tid.x"), labels ("$L__BB0_3") and mangled names.
bool ident_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c == '%' || c == '.';
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool tokenize(std::string_view text, std::vector<Token>* out, std::string* error) {
    out->clear();
    uint32_t line = 1;
    size_t i = 0, n = text.size();
    while (i < n) {
        char c = text[i];
        if (c == '\n') {
            line++;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            i++;
        } else if (c == '/' && i + 1 < n && text[i + 1] == '/') {
            while (i < n && text[i] != '\n') i++;
        } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
            uint32_t start = line;
            i += 2;
            while (i + 1 < n && !(text[i] == '*' && text[i + 1] == '/')) {
                if (text[i] == '\n') line++;
                i++;
            }
            if (i + 1 >= n) {
                *error = "line " + std::to_string(start) + ": unterminated /* comment";
                return false;
            }
            i += 2;
        } else if (c == '"') {
            size_t j = i + 1;
            while (j < n && text[j] != '"' && text[j] != '\n') j++;
            if (j >= n || text[j] != '"') {
                *error = "line " + std::to_string(line) + ": unterminated string";
                return false;
            }
            out->push_back({Tok::String, text.substr(i, j + 1 - i), line, (uint32_t)i});
            i = j + 1;
        } else if (digit(c)) {
            // Numbers run on through letters and dots: 0f3F800000, 0x1F, 8.0, 1.5e3.
            size_t j = i + 1;
            while (j < n && (ident_char(text[j]))) j++;
            out->push_back({Tok::Number, text.substr(i, j - i), line, (uint32_t)i});
            i = j;
        } else if (ident_start(c)) {
            size_t j = i + 1;
            while (j < n && ident_char(text[j])) j++;
            out->push_back({Tok::Ident, text.substr(i, j - i), line, (uint32_t)i});
            i = j;
        } else if (std::string_view(",;:[](){}<>+-@!|=").find(c) != std::string_view::npos) {
            out->push_back({Tok::Punct, text.substr(i, 1), line, (uint32_t)i});
            i++;
        } else {
            *error = "line " + std::to_string(line) + ": unexpected character '" + std::string(1, c) + "'";
            return false;
        }
    }
    out->push_back({Tok::End, {}, line, (uint32_t)n});
    return true;
}

namespace {

bool hex_value(std::string_view digits, uint64_t* out) {
    if (digits.empty() || digits.size() > 16) return false;
    uint64_t v = 0;
    for (char c : digits) {
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return false;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return true;
}

}  // namespace

bool parse_literal(std::string_view t, bool negative, Literal* out) {
    if (t.size() >= 2 && t[0] == '0' && (t[1] == 'f' || t[1] == 'F')) {
        // 0fXXXXXXXX: exactly the 8 hex digits of an IEEE single.
        uint64_t v;
        if (t.size() != 10 || !hex_value(t.substr(2), &v)) return false;
        *out = {Literal::F32, v ^ (negative ? 0x80000000ull : 0)};
        return true;
    }
    if (t.size() >= 2 && t[0] == '0' && (t[1] == 'd' || t[1] == 'D')) {
        uint64_t v;
        if (t.size() != 18 || !hex_value(t.substr(2), &v)) return false;
        *out = {Literal::F64, v ^ (negative ? 0x8000000000000000ull : 0)};
        return true;
    }
    std::string_view body = t;
    if (!body.empty() && (body.back() == 'U' || body.back() == 'u')) body.remove_suffix(1);  // 10U
    uint64_t v = 0;
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
        if (!hex_value(body.substr(2), &v)) return false;
    } else if (body.find_first_of(".eE") != std::string_view::npos) {
        // Decimal float literal (nvcc never emits these; accepted as a double).
        std::string s(body);
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (end != s.c_str() + s.size()) return false;
        uint64_t b;
        std::memcpy(&b, &d, 8);
        *out = {Literal::F64, b ^ (negative ? 0x8000000000000000ull : 0)};
        return true;
    } else {
        bool octal = body.size() > 1 && body[0] == '0';  // PTX follows C: a leading 0 is octal
        for (char c : body) {
            unsigned d = (unsigned)(c - '0');
            if (d > (octal ? 7u : 9u)) return false;
            v = v * (octal ? 8 : 10) + d;
        }
    }
    *out = {Literal::Int, negative ? (uint64_t)0 - v : v};
    return true;
}

Type parse_type(std::string_view s) {
    static const std::pair<std::string_view, Type> names[] = {
        {"pred", Type::Pred}, {"b8", Type::B8},   {"b16", Type::B16}, {"b32", Type::B32}, {"b64", Type::B64},
        {"u8", Type::U8},     {"u16", Type::U16}, {"u32", Type::U32}, {"u64", Type::U64}, {"s8", Type::S8},
        {"s16", Type::S16},   {"s32", Type::S32}, {"s64", Type::S64}, {"f16", Type::F16}, {"f32", Type::F32},
        {"f64", Type::F64}};
    for (auto& [name, type] : names)
        if (s == name) return type;
    return Type::None;
}

}  // namespace jgsim::ptx
