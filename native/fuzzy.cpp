#include "fuzzy.hpp"

#include <algorithm>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "bits.hpp"
#include "lexicon.hpp"
#include "model.hpp"

namespace svfix {

namespace {
// document._SKELETON for one letter: å, ä → a; ö, 6, 0 → o; é → e
char32_t skeleton_letter(char32_t c) {
    switch (c) {
        case U'\u00e5': case U'\u00e4': return U'a';
        case U'\u00f6': case U'6': case U'0': return U'o';
        case U'\u00e9': return U'e';
        default: return c;
    }
}

// The Levenshtein distance of a and b when it is 0 or 1, else 2 (in one pass, no allocation).
long apart(uview a, uview b) {
    if (a.size() == b.size()) {
        long differ = 0;
        for (size_t i = 0; i < a.size() && differ < 2; ++i) differ += a[i] != b[i];
        return differ;
    }
    const uview longer = a.size() > b.size() ? a : b;
    const uview shorter = a.size() > b.size() ? b : a;
    if (longer.size() != shorter.size() + 1) return 2;
    size_t i = 0;
    while (i < shorter.size() && shorter[i] == longer[i]) ++i;
    for (size_t j = i; j < shorter.size(); ++j)  // the rest matches one place on
        if (shorter[j] != longer[j + 1]) return 2;
    return 1;
}

bool dotted(char32_t c) { return c == U'\u00e5' || c == U'\u00e4' || c == U'\u00f6'; }

// The keys an index is built from (tens of MB for the two-edit ones) are freed once it is made,
// but glibc keeps the freed heap; a batch's workers are forked from the process that built it
// and would each carry those pages. Hand them back to the system.
void release_freed_memory() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

// What `lower` costs as a scan of `word`, their skeletons `other` (0 or 1) edits apart, and how
// many of the word's å, ä, ö it lost or misread as its skeleton's letter ("6" for ö). Walked
// letter by letter: the one skeleton edit stands where the skeletons first part (in a run of
// one letter every place gives the same pair); at every other place the letters agree, or the
// word's å/ä/ö lost its dots (`diacritic_log10` each), or the OCR added a mark the word does
// not have ("é" for e, "ö" for o), which the table prices like any edit.
double price(uview word, uview word_skeleton, const ustr& lower, const ustr& lower_skeleton, long other,
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

// The log10 probability of the likeliest alignment of `word` (the truth) with `lower` (what the
// OCR wrote): a dynamic programme over letter pairs priced as `price` prices them (the word's
// å/ä/ö undotted or read as its skeleton's letter at `diacritic_log10`, every other pair, lost
// letter or added letter by `letters`) and over the table's slips of letter groups (m read as
// "in": `LetterCosts::groups`), and how many of the word's å, ä, ö its path undots.
double price_two(uview word, const ustr& lower, const LetterCosts& letters, double diacritic_log10,
                 long& dots) {
    const size_t n = word.size(), m = lower.size();
    static const std::pair<double, long> worst{-1e300, 0};
    thread_local std::vector<std::pair<double, long>> at;  // (log10, dots) to (i, j); one allocation a thread
    at.assign((n + 1) * (m + 1), worst);
    auto cell = [&](size_t i, size_t j) -> std::pair<double, long>& { return at[i * (m + 1) + j]; };
    auto offer = [](std::pair<double, long>& to, double cost, long d) {
        if (cost > to.first) to = {cost, d};
    };
    cell(0, 0) = {0.0, 0};
    for (size_t i = 0; i <= n; ++i)
        for (size_t j = 0; j <= m; ++j) {
            const auto [cost, d] = cell(i, j);
            if (cost <= worst.first) continue;
            if (i < n && j < m) {
                const char32_t t = word[i], o = lower[j];
                if (t == o) offer(cell(i + 1, j + 1), cost, d);
                else if (dotted(t) && skeleton_letter(t) == skeleton_letter(o))
                    offer(cell(i + 1, j + 1), cost + diacritic_log10, d + 1);
                else offer(cell(i + 1, j + 1), cost + letters(t, o), d);
            }
            if (i < n) offer(cell(i + 1, j), cost + letters(word[i], 0), d);   // the OCR lost it
            if (j < m) offer(cell(i, j + 1), cost + letters(0, lower[j]), d);  // the OCR added it
            if (i < n) {  // a slip of a letter group: the OCR misread it, or lost it
                auto slips = [&](const std::vector<LetterGroup>& groups) {
                    for (const LetterGroup& g : groups)
                        if (word.compare(i, g.truth.size(), g.truth) == 0
                            && lower.compare(j, g.observed.size(), g.observed) == 0)
                            offer(cell(i + g.truth.size(), j + g.observed.size()), cost + g.cost, d);
                };
                if (j < m) slips(letters.groups(word[i], lower[j]));
                slips(letters.groups(word[i], 0));
            }
        }
    dots = cell(n, m).second;
    return cell(n, m).first;
}

// The best match offered so far: the highest zipf + cost, ties to the alphabetically first word.
struct Leader {
    const char32_t* word = nullptr;  // (its view: `word`, `length`)
    size_t length = 0;
    double score = 0.0, cost = 0.0;
    long other = 0, dots = 0;
    void offer(uview w, double zipf, long w_other, long w_dots, double w_cost) {
        const double s = zipf + w_cost;
        if (word != nullptr && (s < score || (s == score && !(w < uview(word, length))))) return;
        word = w.data();
        length = w.size();
        score = s;
        cost = w_cost;
        other = w_other;
        dots = w_dots;
    }
    FuzzyMatch match() const { return FuzzyMatch{ustr(word, length), other, dots, cost}; }
};
}  // namespace

ustr skeleton(const ustr& s) {
    ustr out(s);
    for (auto& c : out) c = skeleton_letter(c);
    return out;
}

int LetterCosts::slot(char32_t c) {
    if (c == 0) return 0;
    if (c >= U'a' && c <= U'z') return 1 + static_cast<int>(c - U'a');
    if (c >= U'0' && c <= U'9') return 27 + static_cast<int>(c - U'0');
    switch (c) {
        case U'\u00e5': return 37;
        case U'\u00e4': return 38;
        case U'\u00f6': return 39;
        case U'\u00e9': return 40;
        default: return -1;
    }
}

LetterCosts::LetterCosts(const std::vector<std::tuple<char32_t, char32_t, double>>& edits, double floor, double cap,
                         std::vector<LetterGroup> groups)
    : floor_(floor), cap_(cap) {
    dense_.fill(floor);
    for (const auto& [truth, observed, log10] : edits) {
        const double cost = std::clamp(log10, floor, cap);
        const int t = slot(truth), o = slot(observed);
        if (t >= 0 && o >= 0) dense_[t * kSlots + o] = cost;
        else log10_[pair(truth, observed)] = cost;
    }
    dense_groups_.resize(kSlots * kSlots);
    for (LetterGroup& g : groups) {
        if (g.truth.empty()) continue;
        g.cost = std::min(g.cost, cap);
        const char32_t t = g.truth[0], o = g.observed.empty() ? 0 : g.observed[0];
        const int ts = slot(t), os = slot(o);
        (ts >= 0 && os >= 0 ? dense_groups_[ts * kSlots + os] : groups_[pair(t, o)]).push_back(std::move(g));
    }
}

const std::vector<LetterGroup>& LetterCosts::groups(char32_t truth, char32_t observed) const {
    const int ts = slot(truth), os = slot(observed);
    if (ts >= 0 && os >= 0) return dense_groups_[ts * kSlots + os];
    static const std::vector<LetterGroup> none;
    auto it = groups_.find(pair(truth, observed));
    return it == groups_.end() ? none : it->second;
}

double LetterCosts::operator()(char32_t truth, char32_t observed) const {
    const int t = slot(truth), o = slot(observed);
    if (t >= 0 && o >= 0) return dense_[t * kSlots + o];
    auto it = log10_.find(pair(truth, observed));
    return it == log10_.end() ? floor_ : it->second;
}

uint64_t FuzzyIndex::key(const char32_t* s, size_t n, size_t skip, size_t also) {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the code points, those skipped left out
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i) {
        if (i == skip || i == also) continue;
        h = (h ^ static_cast<uint64_t>(s[i])) * 0x100000001b3ull;
        ++kept;
    }
    h ^= kept;  // the length too: "ab" without b is not "a" without nothing
    return h ? h : 1;
}

void FuzzyIndex::KeyTable::build(std::vector<std::pair<uint64_t, uint32_t>>& keyed) {
    std::sort(keyed.begin(), keyed.end());
    keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());  // "kaffe" less either f: once
    size_t distinct = 0;
    for (size_t i = 0; i < keyed.size(); ++i) distinct += (i == 0 || keyed[i].first != keyed[i - 1].first);
    size_t capacity = 16;  // (at most three quarters full: a missed lookup, the usual one, probes ~3 slots)
    while (3 * capacity < 4 * distinct) capacity *= 2;
    slots.assign(capacity, Slot{});
    ids.reserve(keyed.size());
    for (size_t i = 0; i < keyed.size();) {
        const uint64_t k = keyed[i].first;
        Slot slot{k, static_cast<uint32_t>(ids.size()), 0};
        for (; i < keyed.size() && keyed[i].first == k; ++i) ids.push_back(keyed[i].second);
        slot.end = static_cast<uint32_t>(ids.size());
        size_t at = k & (capacity - 1);
        while (slots[at].key != 0) at = (at + 1) & (capacity - 1);
        slots[at] = slot;
    }
}

std::pair<const uint32_t*, const uint32_t*> FuzzyIndex::KeyTable::find(uint64_t key) const {
    if (slots.empty()) return {nullptr, nullptr};
    const size_t mask = slots.size() - 1;
    for (size_t at = key & mask;; at = (at + 1) & mask) {
        const Slot& slot = slots[at];
        if (slot.key == key) return {ids.data() + slot.begin, ids.data() + slot.end};
        if (slot.key == 0) return {nullptr, nullptr};
    }
}

void FuzzyIndex::BucketedKeys::build(std::vector<std::pair<uint64_t, uint32_t>>& keyed) {
    std::sort(keyed.begin(), keyed.end());
    keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());
    starts.assign((size_t{1} << kBucketBits) + 1, 0);
    checks.reserve(keyed.size());
    ids.reserve(keyed.size());
    for (const auto& [k, at] : keyed) {
        ++starts[bucket(k) + 1];
        checks.push_back(check(k));
        ids.push_back(at);
    }
    for (size_t b = 1; b < starts.size(); ++b) starts[b] += starts[b - 1];
}

void FuzzyIndex::BucketedKeys::find(uint64_t key, std::vector<uint32_t>& out) const {
    if (ids.empty()) return;
    const uint32_t b = bucket(key);
    const uint16_t c = check(key);
    for (uint32_t at = starts[b]; at < starts[b + 1]; ++at)
        if (checks[at] == c) out.push_back(ids[at]);
}

FuzzyIndex::FuzzyIndex(const Lexicon& lexicon, double min_zipf, double plain_min_zipf, long min_length)
    : min_zipf_(min_zipf), plain_min_zipf_(plain_min_zipf), min_length_(min_length) {
    const size_t shortest = static_cast<size_t>(std::max(1L, min_length - 1));
    std::vector<std::pair<uint64_t, uint32_t>> one;  // (key, target)
    lexicon.trie().for_each_key([&](int32_t id, const ustr& word) {
        if (word.size() < shortest || lexicon.zipf_of(id) < min_zipf || !lexicon.is_valid_id(id)) return;
        if (!contains(word, U'\u00e5') && !contains(word, U'\u00e4') && !contains(word, U'\u00f6')
            && lexicon.zipf_of(id) < plain_min_zipf) return;
        if (!str_isalpha(word)) return;
        const uint32_t at = static_cast<uint32_t>(targets_.size());
        const ustr sk = skeleton(word);
        targets_.push_back(Target{static_cast<uint32_t>(chars_.size()), static_cast<uint32_t>(word.size()),
                                  lexicon.zipf_of(id)});
        chars_.insert(chars_.end(), word.begin(), word.end());
        chars_.insert(chars_.end(), sk.begin(), sk.end());
        for (size_t skip = 0; skip <= sk.size(); ++skip)  // skip == size: the skeleton itself
            one.emplace_back(key(sk.data(), sk.size(), skip), at);
    });
    targets_.shrink_to_fit();
    chars_.shrink_to_fit();
    one_.build(one);
    one = {};
    release_freed_memory();
}

void FuzzyIndex::prepare_two_edits() const {
    std::call_once(two_made_, [this] {
        std::vector<std::pair<uint64_t, uint32_t>> two;  // (key, target)
        for (uint32_t at = 0; at < targets_.size(); ++at) {
            const uview sk = skeleton_of(targets_[at]);
            if (sk.size() < 4) continue;
            // the skeleton less none, one or two letters (skip or also past the end: none)
            for (size_t skip = 0; skip <= sk.size(); ++skip)
                for (size_t also = skip + 1; also <= sk.size() + (skip == sk.size()); ++also)
                    two.emplace_back(key(sk.data(), sk.size(), skip, also), at);
        }
        two_.build(two);
        two = {};
        release_freed_memory();
    });
}

std::vector<FuzzyMatch> FuzzyIndex::best(const ustr& lower, const LetterCosts& letters, double diacritic_log10,
                                         bool two_edits) const {
    if (static_cast<long>(lower.size()) < min_length_ || targets_.empty()) return {};
    const ustr query = skeleton(lower);
    std::vector<uint32_t> seen;
    Leader best, beyond_dots;  // (beyond_dots: the best of those another letter apart)
    for (size_t skip = 0; skip <= query.size(); ++skip) {
        auto [first, last] = one_.find(key(query.data(), query.size(), skip));
        for (const uint32_t* it = first; it != last; ++it) {
            const uint32_t at = *it;
            if (std::find(seen.begin(), seen.end(), at) != seen.end()) continue;
            seen.push_back(at);
            const Target& t = targets_[at];
            const uview word = this->word(t), sk = skeleton_of(t);
            if (word == lower) continue;  // the token itself
            const long other = apart(query, sk);
            if (other > 1) continue;  // a hash collision, or two letters apart
            long dots = 0;
            const double cost = price(word, sk, lower, query, other, letters, diacritic_log10, dots);
            best.offer(word, t.zipf, other, dots, cost);
            if (other == 1) beyond_dots.offer(word, t.zipf, other, dots, cost);
        }
    }
    if (best.word == nullptr) {
        if (!two_edits) return {};
        std::optional<FuzzyMatch> two = best_two_apart(lower, query, letters, diacritic_log10);
        if (!two) return {};
        return {*two};
    }
    std::vector<FuzzyMatch> found{best.match()};
    if (best.other == 0 && beyond_dots.word != nullptr) found.push_back(beyond_dots.match());
    return found;
}

std::optional<FuzzyMatch> FuzzyIndex::best_two_apart(const ustr& lower, const ustr& query, const LetterCosts& letters,
                                                     double diacritic_log10) const {
    // Two edits apart, the skeletons agree once each has lost at most two letters: the query less
    // none, one or two letters is looked up among the skeletons less none, one or two (`two_`).
    prepare_two_edits();
    std::vector<uint32_t> found;
    const size_t n = query.size();
    for (size_t skip = 0; skip <= n; ++skip)
        for (size_t also = skip + 1; also <= n + (skip == n); ++also) two_.find(key(query.data(), n, skip, also), found);
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    // the most frequent first: a word two letters off costs at least one edit at the cap, so
    // once a match scores above what a rarer word could, the rest need no pricing
    std::stable_sort(found.begin(), found.end(),
                     [&](uint32_t a, uint32_t b) { return targets_[a].zipf > targets_[b].zipf; });
    Leader best;
    for (const uint32_t at : found) {
        const Target& t = targets_[at];
        if (best.word != nullptr && t.zipf + letters.cap() < best.score) break;
        if (levenshtein(query, skeleton_of(t)) != 2) continue;  // a hash collision, or nearer, or farther
        long dots = 0;
        const double cost = price_two(word(t), lower, letters, diacritic_log10, dots);
        best.offer(word(t), t.zipf, 2, dots, cost);
    }
    if (best.word == nullptr) return std::nullopt;
    return best.match();
}

}  // namespace svfix
