// A damaged token that no channel edit explains, matched by string similarity against the
// lexicon's frequent words, those with å, ä or ö first of all (svfix.document.fuzzy_lexicon_readings
// asks it; the Python reference and the engine share this one implementation, as they share
// the trie).
//
// Real scans damage more than the diacritic: "samballe" (h read as b), "UPPFOLINING" (j read
// as i), "meltan" (l read as t). Undotted, such a token is one edit from a frequent word. The
// index holds every target's undotted skeleton and each skeleton with one letter deleted
// (symmetric deletion, as SymSpell does it), so a query costs one lookup per letter of the
// token, and each candidate it finds is checked with a true Levenshtein distance.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "text.hpp"

namespace svfix {

class Lexicon;

// document._SKELETON: å, ä → a; ö, 6, 0 → o; é → e (the forms dropped dots and misreads take)
ustr skeleton(const ustr& s);

struct FuzzyMatch {
    ustr word;    // the listed word (lowercase)
    long other;   // letters beyond the diacritics: Levenshtein distance of the skeletons
    long dots;    // the diacritics: the rest of the Levenshtein distance to the word itself
    double cost;  // log10: other·edit_log10 + dots·diacritic_log10 (the reading's one edit)
};

class FuzzyIndex {
public:
    // Targets: standalone valid words of letters only, at least `min_length` - 1 long (a token
    // is `min_length` or more, one deleted letter apart at most), whose Zipf frequency is at
    // least `min_zipf` if they have å, ä or ö, else at least `plain_min_zipf`.
    FuzzyIndex(const Lexicon& lexicon, double min_zipf, double plain_min_zipf, long min_length);

    // The target one letter (of the skeleton) or less from `lower`'s skeleton that scores best:
    // zipf + cost, ties to the alphabetically first word.
    std::optional<FuzzyMatch> best(const ustr& lower, double edit_log10, double diacritic_log10) const;

    double min_zipf() const { return min_zipf_; }
    double plain_min_zipf() const { return plain_min_zipf_; }
    long min_length() const { return min_length_; }
    size_t size() const { return targets_.size(); }

private:
    struct Target {
        ustr word, skeleton;
        double zipf;
    };
    static uint64_t key(const char32_t* s, size_t n, size_t skip);  // hash of s without s[skip], never 0
    // the targets whose skeleton, or the skeleton less one letter, hashes to `key`
    std::pair<const uint32_t*, const uint32_t*> find(uint64_t key) const;
    std::vector<Target> targets_;
    // An open-addressing table of the keys (0: empty), each naming its run of `ids_`: 16 bytes a
    // key instead of a node and a vector, and one cache line a lookup.
    struct Slot {
        uint64_t key = 0;
        uint32_t begin = 0, end = 0;
    };
    std::vector<Slot> slots_;
    std::vector<uint32_t> ids_;
    double min_zipf_, plain_min_zipf_;
    long min_length_;
};

}  // namespace svfix
