// Strings as code points, and Python's own idea of what a character is.
//
// The engine must give exactly the answers of the Python reference pipeline, on any input
// (the differential tests feed it arbitrary Unicode). So every character class comes from
// CPython's own tables (Py_UNICODE_IS*), string predicates follow the definitions of
// str.isupper() and friends, and lowercasing beyond Latin-1 is done by str.lower() itself
// (full case mappings can change a string's length; Latin-1 has none).
#pragma once

#include <Python.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace svfix {

using ustr = std::u32string;
using uview = std::u32string_view;

// Hash and equality that let a map keyed by ustr be asked with a view (no allocation).
struct UstrHash {
    using is_transparent = void;
    size_t operator()(uview s) const noexcept { return std::hash<uview>()(s); }
};
struct UstrEq {
    using is_transparent = void;
    bool operator()(uview a, uview b) const noexcept { return a == b; }
};
template <class V>
using UMap = std::unordered_map<ustr, V, UstrHash, UstrEq>;
using UstrSet = std::unordered_set<ustr, UstrHash, UstrEq>;

inline ustr from_py(PyObject* obj) {
    // A Python str as code points (no copy of the object itself; one pass over its data).
    Py_ssize_t n = PyUnicode_GET_LENGTH(obj);
    int kind = PyUnicode_KIND(obj);
    const void* data = PyUnicode_DATA(obj);
    ustr out(static_cast<size_t>(n), U'\0');
    for (Py_ssize_t i = 0; i < n; ++i) out[i] = PyUnicode_READ(kind, data, i);
    return out;
}

inline PyObject* to_py(const ustr& s) {  // new reference
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s.data(), static_cast<Py_ssize_t>(s.size()));
}

// UTF-8 as code points, decoded here, not by Python: the lexicon is built, and its register
// read, on a thread without the GIL while the main thread parses the context model, and a
// Python call there corrupted the heap (a segfault in json.load, now and then). Strict, as
// bytes.decode("utf-8") is: an invalid, overlong, surrogate or out-of-range sequence gives
// the empty string.
inline ustr from_utf8(const std::string& s) {
    static constexpr char32_t kLeast[5] = {0, 0, 0x80, 0x800, 0x10000};  // below these: overlong
    ustr out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        const unsigned char lead = static_cast<unsigned char>(s[i]);
        size_t length;
        char32_t c;
        if (lead < 0x80) { c = lead; length = 1; }
        else if ((lead & 0xE0) == 0xC0) { c = lead & 0x1F; length = 2; }
        else if ((lead & 0xF0) == 0xE0) { c = lead & 0x0F; length = 3; }
        else if ((lead & 0xF8) == 0xF0) { c = lead & 0x07; length = 4; }
        else return ustr();
        if (i + length > s.size()) return ustr();
        for (size_t k = 1; k < length; ++k) {
            const unsigned char next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return ustr();
            c = (c << 6) | (next & 0x3F);
        }
        if (c < kLeast[length] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return ustr();
        out.push_back(c);
        i += length;
    }
    return out;
}

inline ustr U(const char* utf8) { return from_utf8(std::string(utf8)); }

// --- characters ----------------------------------------------------------------------------

// CPython's answers for the first 256 code points, read once (a call into libpython per
// character costs more than the rest of the tokenizer).
enum : uint8_t { C_ALPHA = 1, C_DIGIT = 2, C_ALNUM = 4, C_SPACE = 8, C_UPPER = 16, C_LOWER = 32, C_TITLE = 64, C_DECIMAL = 128 };
struct Latin1Classes {
    uint8_t bits[256];
    char32_t lower[256];
    Latin1Classes() {
        for (char32_t c = 0; c < 256; ++c) {
            bits[c] = (Py_UNICODE_ISALPHA(c) ? C_ALPHA : 0) | (Py_UNICODE_ISDIGIT(c) ? C_DIGIT : 0)
                      | (Py_UNICODE_ISALNUM(c) ? C_ALNUM : 0) | (Py_UNICODE_ISSPACE(c) ? C_SPACE : 0)
                      | (Py_UNICODE_ISUPPER(c) ? C_UPPER : 0) | (Py_UNICODE_ISLOWER(c) ? C_LOWER : 0)
                      | (Py_UNICODE_ISTITLE(c) ? C_TITLE : 0) | (Py_UNICODE_ISDECIMAL(c) ? C_DECIMAL : 0);
            lower[c] = Py_UNICODE_TOLOWER(c);
        }
    }
};
inline const Latin1Classes& latin1_classes() {
    static const Latin1Classes table;
    return table;
}
inline bool has_class(char32_t c, uint8_t bit) { return (latin1_classes().bits[c] & bit) != 0; }

inline bool is_alpha(char32_t c) { return c < 256 ? has_class(c, C_ALPHA) : Py_UNICODE_ISALPHA(c); }
inline bool is_digit(char32_t c) { return c < 256 ? has_class(c, C_DIGIT) : Py_UNICODE_ISDIGIT(c); }
inline bool is_decimal(char32_t c) { return c < 256 ? has_class(c, C_DECIMAL) : Py_UNICODE_ISDECIMAL(c); }
inline bool is_alnum(char32_t c) { return c < 256 ? has_class(c, C_ALNUM) : Py_UNICODE_ISALNUM(c); }
inline bool is_space(char32_t c) { return c < 256 ? has_class(c, C_SPACE) : Py_UNICODE_ISSPACE(c); }
inline bool is_upper_c(char32_t c) { return c < 256 ? has_class(c, C_UPPER) : Py_UNICODE_ISUPPER(c); }
inline bool is_lower_c(char32_t c) { return c < 256 ? has_class(c, C_LOWER) : Py_UNICODE_ISLOWER(c); }
inline bool is_title_c(char32_t c) { return c < 256 ? has_class(c, C_TITLE) : Py_UNICODE_ISTITLE(c); }

// --- str predicates, as CPython defines them ------------------------------------------------

inline bool str_isupper(const char32_t* s, size_t n) {
    if (n == 1) return is_upper_c(s[0]);
    bool cased = false;
    for (size_t i = 0; i < n; ++i) {
        char32_t c = s[i];
        if (is_lower_c(c) || is_title_c(c)) return false;
        if (!cased && is_upper_c(c)) cased = true;
    }
    return cased;
}
inline bool str_isupper(const ustr& s) { return str_isupper(s.data(), s.size()); }

inline bool str_islower(const char32_t* s, size_t n) {
    if (n == 1) return is_lower_c(s[0]);
    bool cased = false;
    for (size_t i = 0; i < n; ++i) {
        char32_t c = s[i];
        if (is_upper_c(c) || is_title_c(c)) return false;
        if (!cased && is_lower_c(c)) cased = true;
    }
    return cased;
}
inline bool str_islower(const ustr& s) { return str_islower(s.data(), s.size()); }

inline bool str_istitle(const ustr& s) {
    if (s.size() == 1) return is_title_c(s[0]) || is_upper_c(s[0]);
    bool cased = false, previous_is_cased = false;
    for (char32_t c : s) {
        if (is_upper_c(c) || is_title_c(c)) {
            if (previous_is_cased) return false;
            previous_is_cased = cased = true;
        } else if (is_lower_c(c)) {
            if (!previous_is_cased) return false;
            previous_is_cased = cased = true;
        } else {
            previous_is_cased = false;
        }
    }
    return cased;
}

inline bool str_isalpha(const char32_t* s, size_t n) {
    if (n == 0) return false;
    for (size_t i = 0; i < n; ++i) if (!is_alpha(s[i])) return false;
    return true;
}
inline bool str_isalpha(const ustr& s) { return str_isalpha(s.data(), s.size()); }

inline bool has_digit(const ustr& s) {
    for (char32_t c : s) if (is_digit(c)) return true;
    return false;
}

inline bool latin1(const ustr& s) {
    for (char32_t c : s) if (c > 0xFF) return false;
    return true;
}

ustr py_lower_slow(const ustr& s);  // str.lower() through Python (text.cpp)
ustr py_upper(const ustr& s);       // str.upper() through Python

// str.lower(): per character within Latin-1, where no full case mapping differs from the
// simple one; through Python otherwise.
inline ustr lower(const ustr& s) {
    if (!latin1(s)) return py_lower_slow(s);
    ustr out(s);
    const Latin1Classes& t = latin1_classes();
    for (auto& c : out) c = t.lower[c];
    return out;
}

// str.lower() of one character: its first character (the whole of it within Latin-1), and
// whether it is `l` and nothing more; without a string for the common case.
inline char32_t lower_first(char32_t c) { return c < 256 ? latin1_classes().lower[c] : py_lower_slow(ustr(1, c))[0]; }
inline bool lowers_to(char32_t c, char32_t l) {
    if (c < 256) return latin1_classes().lower[c] == l;
    ustr low = py_lower_slow(ustr(1, c));
    return low.size() == 1 && low[0] == l;
}

inline bool contains(const ustr& s, char32_t c) { return s.find(c) != ustr::npos; }

// Python's slice s[a:b] with non-negative bounds clamped as Python clamps them.
inline ustr slice(const ustr& s, size_t a, size_t b) {
    if (a >= s.size() || b <= a) return ustr();
    return s.substr(a, (b > s.size() ? s.size() : b) - a);
}

}  // namespace svfix
