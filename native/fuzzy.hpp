// A damaged token that no channel edit explains, matched by string similarity against the
// lexicon's frequent words, those with å, ä or ö first of all (svfix.document.fuzzy_lexicon_readings
// asks it; the Python reference and the engine share this one implementation, as they share
// the trie).
//
// Real scans damage more than the diacritic: "samballe" (h read as b), "UPPFOLINING" (j read
// as i), "meltan" (l read as t). Undotted, such a token is one edit from a frequent word. The
// index holds every target's undotted skeleton and each skeleton with one letter deleted
// (symmetric deletion, as SymSpell does it), so a query costs one lookup per letter of the
// token, and each candidate it finds is checked against the skeleton, then priced letter by
// letter.
//
// The one edit beyond the diacritic costs what the scans made it cost: the confusion table's
// P(observed | truth) for that letter pair (h read as b, l as t, a t lost), between a floor
// for edits the scans never showed and a cap. An author's own slip ("kontruktion") is seldom
// an edit OCR makes often; "sholan" for "skolan" is. A mark the OCR would have had to add is
// priced the same way: "Jöran" is not a damaged "Johan" with its dots lost, and "idéella"
// costs as an e read as é, not as lost dots. A long lowercase token may also be matched to a
// word two letters away (`best`'s `two_edits`), through the skeletons less two letters.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <tuple>
#include <unordered_map>
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
    long dots;    // the word's å, ä, ö the token lost or misread as its skeleton's letter
    double cost;  // log10: dots·diacritic_log10 + LetterCosts of the other edit and of marks the OCR added
};

// One edit of a letter group, as the confusion table learned it (svfix.channel.Channel.
// letter_groups): m read as "in", "rn" as m, "ll" lost. Its cost is log10 P(observed | truth),
// capped like a letter's.
struct LetterGroup {
    ustr truth, observed;
    double cost;
};

// log10 P(observed | truth) of one letter edit, as the confusion table learned it
// (svfix.channel.Channel.letters): a substitution, or with 0 for the missing side an
// insertion (truth 0) or a loss (observed 0). Clamped to [floor, cap]; an unlisted pair costs
// the floor. Beside them the edits of letter groups, which `price_two` takes as one step: a
// word two letters from the token by one such slip costs what the scans made the slip cost,
// not two edits.
class LetterCosts {
public:
    LetterCosts(const std::vector<std::tuple<char32_t, char32_t, double>>& edits, double floor, double cap,
                std::vector<LetterGroup> groups = {});
    double operator()(char32_t truth, char32_t observed) const;
    // the group edits whose truth starts with `truth` and whose observed side starts with
    // `observed` (0: those where the OCR lost the group)
    const std::vector<LetterGroup>& groups(char32_t truth, char32_t observed) const;
    // the most (log10) any edit costs
    double cap() const { return cap_; }

private:
    // none, a–z, 0–9, å, ä, ö, é: one table for the letters nearly every pair has (asked in the
    // inner loop of `price_two`); the rest in a hash map
    static constexpr int kSlots = 41;
    static int slot(char32_t c);  // -1: not in the table
    static uint64_t pair(char32_t truth, char32_t observed) { return (uint64_t{truth} << 32) | observed; }
    std::array<double, kSlots * kSlots> dense_;
    std::unordered_map<uint64_t, double> log10_;
    double floor_, cap_;
    // by the first letters of truth and observed side: their slots (asked in `price_two`'s inner
    // loop), or the map
    std::vector<std::vector<LetterGroup>> dense_groups_;
    std::unordered_map<uint64_t, std::vector<LetterGroup>> groups_;
};

class FuzzyIndex {
public:
    // Targets: standalone valid words of letters only, at least `min_length` - 1 long (a token
    // is `min_length` or more, one deleted letter apart at most), whose Zipf frequency is at
    // least `min_zipf` if they have å, ä or ö, else at least `plain_min_zipf`.
    FuzzyIndex(const Lexicon& lexicon, double min_zipf, double plain_min_zipf, long min_length);

    // The targets one letter (of the skeleton) or less from `lower`'s skeleton that score best:
    // zipf + cost, ties to the alphabetically first word; the token itself is no match. The
    // first is the best of them; when it differs from the token in diacritics only ("åt" for
    // "at"), the best that differs in another letter too ("att") follows it, for the ranker and
    // the context to weigh: the channel reads the token with its dots already, and the likelier
    // other word would otherwise never be asked. With `two_edits`, when no target is that close,
    // the best of those two letters away, each priced along its likeliest alignment (`price_two`).
    std::vector<FuzzyMatch> best(const ustr& lower, const LetterCosts& letters, double diacritic_log10,
                                 bool two_edits = false) const;

    // Make the two-edit keys now (0.15 s); otherwise the first query with `two_edits` does.
    void prepare_two_edits() const;

    double min_zipf() const { return min_zipf_; }
    double plain_min_zipf() const { return plain_min_zipf_; }
    long min_length() const { return min_length_; }
    size_t size() const { return targets_.size(); }

private:
    // A target's word and then its skeleton (as long as the word) in `chars_`: one buffer, not
    // two strings a target (half the index's memory besides its keys).
    struct Target {
        uint32_t at, length;
        double zipf;
    };
    uview word(const Target& t) const { return uview(chars_.data() + t.at, t.length); }
    uview skeleton_of(const Target& t) const { return uview(chars_.data() + t.at + t.length, t.length); }
    // An open-addressing table of keys (0: empty), each naming its run of `ids`: 16 bytes a key
    // instead of a node and a vector, and one cache line a lookup.
    struct KeyTable {
        struct Slot {
            uint64_t key = 0;
            uint32_t begin = 0, end = 0;
        };
        std::vector<Slot> slots;
        std::vector<uint32_t> ids;
        void build(std::vector<std::pair<uint64_t, uint32_t>>& keyed);  // (key, target), in any order
        std::pair<const uint32_t*, const uint32_t*> find(uint64_t key) const;
    };
    // The same for the two-edit keys, which are five times as many and seldom asked, in 6 bytes
    // a (key, target) pair: sorted by key, found through the key's top 19 bits (`starts`: about
    // four pairs a bucket), and told apart by 16 more bits of it. Two cache misses a lookup.
    struct BucketedKeys {
        static constexpr int kBucketBits = 19;
        std::vector<uint32_t> starts;  // starts[b]: the first pair whose key's top bits are b or more
        std::vector<uint16_t> checks;  // the next 16 bits of each pair's key
        std::vector<uint32_t> ids;
        void build(std::vector<std::pair<uint64_t, uint32_t>>& keyed);
        // the targets whose key matches `key` (a 2^-35 chance of a stranger, which the caller's
        // distance check turns away), appended to `out`
        void find(uint64_t key, std::vector<uint32_t>& out) const;
        static uint32_t bucket(uint64_t key) { return static_cast<uint32_t>(key >> (64 - kBucketBits)); }
        static uint16_t check(uint64_t key) { return static_cast<uint16_t>(key >> (64 - kBucketBits - 16)); }
    };
    static constexpr size_t kNone = static_cast<size_t>(-1);
    // hash of s without s[skip] and s[also] (either may be kNone), never 0
    static uint64_t key(const char32_t* s, size_t n, size_t skip, size_t also = kNone);
    std::optional<FuzzyMatch> best_two_apart(const ustr& lower, const ustr& query, const LetterCosts& letters,
                                             double diacritic_log10) const;
    std::vector<Target> targets_;
    std::vector<char32_t> chars_;
    KeyTable one_;  // each skeleton, and each skeleton less one letter
    // made on first use (a CLI run that never needs two edits does not wait for them)
    mutable std::once_flag two_made_;
    mutable BucketedKeys two_;  // skeletons of 4 or more (a token of 6 is 2 from them), each less none, one or two letters
    double min_zipf_, plain_min_zipf_;
    long min_length_;
};

}  // namespace svfix
