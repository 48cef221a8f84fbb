// tokenize.transfer_case, compiled for the words it nearly always meets: a restoration is
// written in the case pattern of its OCR token once per distinct (token, word), and a call into
// Python for each cost more than the rest of choosing the casing.
#pragma once

#include <optional>

#include "text.hpp"

namespace svfix {

// tokenize.transfer_case(token, word) with its CAPITALS_ENDING_MAX and CAPITALS_MIN, when every
// character of both is Latin-1 and every letter of `word` has a one-character Latin-1 capital
// (all of Swedish; not ß, µ or ÿ); nullopt otherwise, and Python answers.
std::optional<ustr> transfer_case_latin1(const ustr& token, const ustr& word, long ending_max, long capitals_min);

}  // namespace svfix
