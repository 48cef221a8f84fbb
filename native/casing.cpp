#include "casing.hpp"

#include <algorithm>

namespace svfix {

namespace {

// str.upper() of each Latin-1 character, or 0 where it is not one Latin-1 character. str.upper()
// uses the full case mapping; within Latin-1 it agrees with the simple one (Py_UNICODE_TOUPPER)
// except for ß -> "SS", µ -> U+039C and ÿ -> U+0178.
struct Latin1Upper {
    char32_t upper[256];
    Latin1Upper() {
        for (char32_t c = 0; c < 256; ++c) {
            char32_t u = Py_UNICODE_TOUPPER(c);
            upper[c] = (u < 256 && c != U'\u00df') ? u : 0;
        }
    }
};

const Latin1Upper& latin1_upper() {
    static const Latin1Upper table;
    return table;
}

// s[a:b], negative bounds counting from the end as in Python
ustr py_slice(const ustr& s, long a, long b) {
    const long n = static_cast<long>(s.size());
    auto clamp = [n](long i) { return i < 0 ? std::max(0L, n + i) : std::min(n, i); };
    const long lo = clamp(a), hi = clamp(b);
    return hi > lo ? s.substr(static_cast<size_t>(lo), static_cast<size_t>(hi - lo)) : ustr();
}

ustr upper(const ustr& s) {
    ustr out(s);
    for (char32_t& c : out) c = latin1_upper().upper[c];
    return out;
}

}  // namespace

std::optional<ustr> transfer_case_latin1(const ustr& token, const ustr& word, long ending_max, long capitals_min) {
    if (!latin1(token) || !latin1(word)) return std::nullopt;
    for (char32_t c : word)
        if (latin1_upper().upper[c] == 0) return std::nullopt;
    const long n_token = static_cast<long>(token.size()), n_word = static_cast<long>(word.size());
    ustr letters;
    for (char32_t c : token)
        if (is_alpha(c)) letters.push_back(c);
    const long n_letters = static_cast<long>(letters.size());
    auto all_upper = [&](long count) {  // all(c.isupper() for c in letters[:count])
        for (long i = 0; i < count; ++i)
            if (!is_upper_c(letters[static_cast<size_t>(i)])) return false;
        return true;
    };
    if (n_letters > 1 && all_upper(n_letters)) return upper(word);
    long ending = n_letters;  // the lowercase letters at the end
    for (long k = 0; k < n_letters; ++k)
        if (!is_lower_c(letters[static_cast<size_t>(n_letters - 1 - k)])) {
            ending = k;
            break;
        }
    if (0 < ending && ending <= ending_max && n_letters - ending >= capitals_min && all_upper(n_letters - ending)
        && py_slice(word, -ending, n_word) == py_slice(token, -ending, n_token))
        return upper(py_slice(word, 0, -ending)) + py_slice(word, -ending, n_word);
    ustr out(word);
    const bool first_upper = n_token > 0 && is_upper_c(token[0]);
    const bool first_alpha = n_token > 0 && is_alpha(token[0]);
    if (first_upper || (!first_alpha && n_letters > 0 && is_upper_c(letters[0])))
        if (!out.empty()) out[0] = latin1_upper().upper[out[0]];
    if (n_token == n_word && !str_islower(token.data() + (n_token > 0 ? 1 : 0), n_token > 0 ? token.size() - 1 : 0))
        for (size_t i = 1; i < token.size(); ++i)
            if (is_upper_c(token[i]) && lowers_to(token[i], out[i]) && i + 1 < token.size() && is_lower_c(token[i + 1]))
                out[i] = latin1_upper().upper[out[i]];
    return out;
}

}  // namespace svfix
