#include "fuzzy.hpp"

#include <algorithm>

#include "lexicon.hpp"
#include "model.hpp"

namespace svfix {

ustr skeleton(const ustr& s) {
    ustr out(s);
    for (auto& c : out) {
        switch (c) {
            case U'\u00e5': case U'\u00e4': c = U'a'; break;
            case U'\u00f6': case U'6': case U'0': c = U'o'; break;
            case U'\u00e9': c = U'e'; break;
            default: break;
        }
    }
    return out;
}

namespace {
// The Levenshtein distance of a and b when it is 0 or 1, else 2 (in one pass, no allocation).
long apart(const ustr& a, const ustr& b) {
    if (a.size() == b.size()) {
        long differ = 0;
        for (size_t i = 0; i < a.size() && differ < 2; ++i) differ += a[i] != b[i];
        return differ;
    }
    const ustr& longer = a.size() > b.size() ? a : b;
    const ustr& shorter = a.size() > b.size() ? b : a;
    if (longer.size() != shorter.size() + 1) return 2;
    size_t i = 0;
    while (i < shorter.size() && shorter[i] == longer[i]) ++i;
    for (size_t j = i; j < shorter.size(); ++j)  // the rest matches one place on
        if (shorter[j] != longer[j + 1]) return 2;
    return 1;
}

bool dotted(char32_t c) { return c == U'\u00e5' || c == U'\u00e4' || c == U'\u00f6'; }

// What `lower` costs as a scan of `word`, their skeletons `other` (0 or 1) edits apart, and how
// many of the word's å, ä, ö it lost or misread as its skeleton's letter ("6" for ö). Walked
// letter by letter: the one skeleton edit stands where the skeletons first part (in a run of
// one letter every place gives the same pair); at every other place the letters agree, or the
// word's å/ä/ö lost its dots (`diacritic_log10` each), or the OCR added a mark the word does
// not have ("é" for e, "ö" for o), which the table prices like any edit.
double price(const ustr& word, const ustr& word_skeleton, const ustr& lower, const ustr& lower_skeleton, long other,
             const LetterCosts& letters, double diacritic_log10, long& dots) {
    size_t part = ustr::npos;
    if (other == 1) {
        part = 0;
        while (part < word_skeleton.size() && part < lower_skeleton.size()
               && word_skeleton[part] == lower_skeleton[part])
            ++part;
    }
    double cost = 0.0;
    dots = 0;
    size_t i = 0, j = 0;  // in word, in lower
    while (i < word.size() || j < lower.size()) {
        if (i == part) {
            if (word.size() == lower.size()) cost += letters(word[i++], lower[j++]);
            else if (lower.size() > word.size()) cost += letters(0, lower[j++]);  // the OCR added a letter
            else cost += letters(word[i++], 0);                                  // the OCR lost one
            part = ustr::npos;
            continue;
        }
        if (word[i] != lower[j]) {
            if (dotted(word[i])) {
                ++dots;
                cost += diacritic_log10;
            } else {
                cost += letters(word[i], lower[j]);
            }
        }
        ++i;
        ++j;
    }
    return cost;
}
}  // namespace

LetterCosts::LetterCosts(const std::vector<std::tuple<char32_t, char32_t, double>>& edits, double floor, double cap)
    : floor_(floor) {
    for (const auto& [truth, observed, log10] : edits) log10_[pair(truth, observed)] = std::clamp(log10, floor, cap);
}

double LetterCosts::operator()(char32_t truth, char32_t observed) const {
    auto it = log10_.find(pair(truth, observed));
    return it == log10_.end() ? floor_ : it->second;
}

uint64_t FuzzyIndex::key(const char32_t* s, size_t n, size_t skip) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the code points, one left out
    for (size_t i = 0; i < n; ++i) {
        if (i == skip) continue;
        h = (h ^ static_cast<uint64_t>(s[i])) * 0x100000001b3ull;
    }
    h ^= n - (skip < n ? 1 : 0);  // the length too: "ab" without b is not "a" without nothing
    return h ? h : 1;
}

std::pair<const uint32_t*, const uint32_t*> FuzzyIndex::find(uint64_t key) const {
    if (slots_.empty()) return {nullptr, nullptr};
    const size_t mask = slots_.size() - 1;
    for (size_t at = key & mask;; at = (at + 1) & mask) {
        const Slot& slot = slots_[at];
        if (slot.key == key) return {ids_.data() + slot.begin, ids_.data() + slot.end};
        if (slot.key == 0) return {nullptr, nullptr};
    }
}

FuzzyIndex::FuzzyIndex(const Lexicon& lexicon, double min_zipf, double plain_min_zipf, long min_length)
    : min_zipf_(min_zipf), plain_min_zipf_(plain_min_zipf), min_length_(min_length) {
    const size_t shortest = static_cast<size_t>(std::max(1L, min_length - 1));
    std::vector<std::pair<uint64_t, uint32_t>> keyed;  // (key, target)
    lexicon.trie().for_each_key([&](int32_t id, const ustr& word) {
        if (word.size() < shortest || lexicon.zipf_of(id) < min_zipf || !lexicon.is_valid_id(id)) return;
        if (!contains(word, U'\u00e5') && !contains(word, U'\u00e4') && !contains(word, U'\u00f6')
            && lexicon.zipf_of(id) < plain_min_zipf) return;
        if (!str_isalpha(word)) return;
        const uint32_t at = static_cast<uint32_t>(targets_.size());
        targets_.push_back(Target{word, skeleton(word), lexicon.zipf_of(id)});
        const ustr& sk = targets_.back().skeleton;
        for (size_t skip = 0; skip <= sk.size(); ++skip)  // skip == size: the skeleton itself
            keyed.emplace_back(key(sk.data(), sk.size(), skip), at);
    });
    std::sort(keyed.begin(), keyed.end());
    keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());  // "kaffe" less either f: once
    size_t distinct = 0;
    for (size_t i = 0; i < keyed.size(); ++i) distinct += (i == 0 || keyed[i].first != keyed[i - 1].first);
    size_t capacity = 16;
    while (capacity < 2 * distinct) capacity *= 2;
    slots_.assign(capacity, Slot{});
    ids_.reserve(keyed.size());
    for (size_t i = 0; i < keyed.size();) {
        const uint64_t k = keyed[i].first;
        Slot slot{k, static_cast<uint32_t>(ids_.size()), 0};
        for (; i < keyed.size() && keyed[i].first == k; ++i) ids_.push_back(keyed[i].second);
        slot.end = static_cast<uint32_t>(ids_.size());
        size_t at = k & (capacity - 1);
        while (slots_[at].key != 0) at = (at + 1) & (capacity - 1);
        slots_[at] = slot;
    }
}

std::optional<FuzzyMatch> FuzzyIndex::best(const ustr& lower, const LetterCosts& letters, double diacritic_log10) const {
    if (static_cast<long>(lower.size()) < min_length_ || targets_.empty()) return std::nullopt;
    const ustr query = skeleton(lower);
    std::vector<uint32_t> seen;
    const Target* best = nullptr;
    double best_score = 0.0, best_cost = 0.0;
    long best_other = 0, best_dots = 0;
    for (size_t skip = 0; skip <= query.size(); ++skip) {
        auto [first, last] = find(key(query.data(), query.size(), skip));
        for (const uint32_t* it = first; it != last; ++it) {
            const uint32_t at = *it;
            if (std::find(seen.begin(), seen.end(), at) != seen.end()) continue;
            seen.push_back(at);
            const Target& t = targets_[at];
            const long other = apart(query, t.skeleton);
            if (other > 1) continue;  // a hash collision, or two letters apart
            long dots = 0;
            const double cost = price(t.word, t.skeleton, lower, query, other, letters, diacritic_log10, dots);
            const double score = t.zipf + cost;
            if (best == nullptr || score > best_score || (score == best_score && t.word < best->word)) {
                best = &t;
                best_score = score;
                best_cost = cost;
                best_other = other;
                best_dots = dots;
            }
        }
    }
    if (best == nullptr) return std::nullopt;
    return FuzzyMatch{best->word, best_other, best_dots, best_cost};
}

}  // namespace svfix
