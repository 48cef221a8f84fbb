// Scoring and deciding: svfix/rank.py, and the numbers of svfix/document.py (the page's damage
// profile, its shape, its own spellings). Floating point follows the Python expressions term by
// term, in their order, so that both implementations reach the same decisions to the last bit.
#pragma once

#include <array>
#include <optional>
#include <unordered_set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "channel.hpp"
#include "config.hpp"
#include "lexicon.hpp"
#include "search.hpp"

namespace svfix {

enum class Reason : int { Confusion = 0, Context, Document, Compound, Name, Fuzzy };

using Form = int;                                   // a damage form's number (Channel::form)
using Shape = std::vector<std::pair<Form, double>>;  // sorted, as Profile.shape_for sorts
// A set of damage forms (there are about a hundred; Channel::finish refuses more than 256).
struct Forms {
    std::array<uint64_t, 4> bits{};
    void add(Form f) { bits[f >> 6] |= uint64_t{1} << (f & 63); }
    bool has(Form f) const { return (bits[f >> 6] >> (f & 63)) & 1; }
};

// Letters whose damage rate is measured: å, ä, ö (index 0, 1, 2).
int letter_index(char32_t lowercase);

struct Profile {
    std::array<double, 3> rates{};
    std::array<double, 3> log10_rates{};
    Shape shape;  // empty: the table as it is
    double noise = 0.0;  // document.Profile.noise: log10 boost of a fuzzy match's edits on this page
    double log10_rate(const ustr& truth) const;
    double log10_shape(Form form) const;
};

Profile make_profile(std::array<double, 3> rates, double noise = 0.0, Shape shape = {});
double quantise(double rate);

// shape_evidence: per damage form, in insertion order: its letter, the count, the table's log10 q
struct EvidenceItem {
    Form form;
    int letter;
    double n, q;
};
using Evidence = std::vector<EvidenceItem>;
void add_evidence(Evidence& evidence, const Reading& proof, long count, const Channel& channel);
// Per letter, the å/ä/ö the proofs put back (sums of whole counts: exact in any order).
std::array<double, 3> lost_letters(const Evidence& evidence);

struct Survivors { std::array<long, 3> n{}; };

Profile measure_profile(const Config& C, const Survivors& survived, const std::array<double, 3>& damaged, long letters,
                        double noise);
double noise_log10(const Config& C, long unexplained, long tokens);
Shape measure_shape(const Config& C, const Evidence& evidence);

struct Scored {
    bool keep;  // "keep the token as an unknown word" (word None)
    const Reading* reading;  // null for keep
    double prior, channel, context;
    double total() const { return prior + channel + context; }
    const ustr& word() const { return reading->word; }  // (not for keep)
};

struct Decision {
    bool has_word = false;
    ustr word;
    double confidence = 1.0;
    Reason reason = Reason::Confusion;
    bool apply = false;
    uint32_t form = UINT32_MAX;  // `word` in the engine's form table, once it has been asked
};

// The document's own å/ä/ö spellings (svfix.document.DocumentVocabulary), or an extension of
// them (the words a page's proofs restore), which names them as its base and stands after them.
struct Vocabulary {
    bool extension = false;
    Vocabulary* base = nullptr;  // (its skeletons are made when first needed)
    std::vector<std::pair<ustr, long>> counts;  // insertion order
    std::vector<uint32_t> forms;                // the engine's form id of each, same order
    UMap<size_t> index;
    long total = 0;
    std::unordered_map<uint32_t, std::vector<size_t>> by_key;  // by the form id of the wild key
    bool skeletons_made = false;
    std::vector<ustr> skeletons;
    std::vector<uint64_t> letter_sets;  // letters_of each skeleton
    long count(const ustr& w) const {
        if (extension) {  // (asked a word or two a page: it keeps no index)
            for (const auto& [word, n] : counts)
                if (word == w) return n;
            return base ? base->count(w) : 0;
        }
        auto it = index.find(w);
        return it == index.end() ? 0 : counts[it->second].second;
    }
};

class Model {
public:
    Model(const Lexicon& lexicon, const Channel& channel, const Config& config, const Search& search,
          const UstrSet& trigrams);

    double unknown_prior(const ustr& token) const;
    int unseen_trigrams(const ustr& word) const;
    double lexical_prior(const Reading& r) const;
    double register_correction(double prior, long count) const;
    // `low`: the token, lowercase (a fuzzy match to another word pays the page's noise)
    double channel_log10(const Reading& r, const Profile& p, const ustr& low) const;
    std::vector<Scored> score(const ustr& token, const std::vector<Reading>& readings, const Profile& profile,
                              const Vocabulary* vocab, bool name_like,
                              bool before_surname = false) const;
    static std::vector<double> posteriors(const std::vector<Scored>& scored);
    Decision decide(const ustr& token, const std::vector<Scored>& scored, const Vocabulary* vocab) const;
    Forms within_reach(const std::vector<Scored>& scored) const;
    static int inner_capitals(const ustr& token);

    // svfix.document
    char32_t wild(char32_t c) const;
    ustr wild_key(const ustr& w) const;
    // readings of `token` as the page's own spellings `candidates` (indexes into vocab.counts)
    std::vector<Reading> document_readings(const ustr& token, const ustr& low, const std::vector<size_t>& candidates,
                                           const Vocabulary& vocab) const;
    std::vector<Reading> fuzzy_document_readings(const ustr& token, Vocabulary& vocab) const;

    const Lexicon& lexicon() const { return lexicon_; }
    const Channel& channel() const { return channel_; }
    const Config& config() const { return config_; }

private:
    Reason reason(const Scored& best, const Vocabulary* vocab, bool flipped) const;
    bool names_a_place(const Reading& r) const;

    const Lexicon& lexicon_;
    const Channel& channel_;
    const Config& config_;
    const Search& search_;
    std::unordered_set<uint64_t> trigrams_;  // three code points packed in 63 bits
    int32_t key_of(const Reading& r) const { return r.key != Reading::kUnasked ? r.key : lexicon_.key_id(r.word); }
    int32_t part_key(const Reading& r, size_t k) const {
        return r.part_key[k] != Reading::kUnasked ? r.part_key[k] : lexicon_.trie().key_at(lexicon_.trie().walk(Trie::kRoot, r.part(k).data(), r.part(k).size()));
    }
    std::unordered_map<char32_t, bool> wild_;
};

// Levenshtein and Indel distances (rapidfuzz's, uniform weights)
size_t levenshtein(uview a, uview b);
size_t indel(const ustr& a, const ustr& b);

// The letters a word holds, as a set of 64 bits (a–z their own, any other letter a shared one
// by its code): each letter one word holds and the other lacks costs an insertion or a
// deletion, so the bits the two sets differ in bound their Indel distance from below.
uint64_t letters_of(const ustr& s);

// One string's Indel distance to many: its letters' bit masks are made once, in a table for
// Latin-1 (every Swedish letter) and a short list for the rest, not a hash map per pair.
class IndelQuery {
public:
    explicit IndelQuery(const ustr& a);
    size_t distance(const ustr& b) const;

private:
    uint64_t mask(char32_t c) const;
    const ustr& a_;
    uint64_t latin1_[256] = {};
    std::vector<std::pair<char32_t, uint64_t>> other_;
};

}  // namespace svfix
