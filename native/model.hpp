// Scoring and deciding: svfix/rank.py, and the numbers of svfix/document.py (the page's damage
// profile, its shape, its own spellings). Floating point follows the Python expressions term by
// term, in their order, so that both implementations reach the same decisions to the last bit.
#pragma once

#include <array>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "channel.hpp"
#include "config.hpp"
#include "lexicon.hpp"
#include "search.hpp"

namespace svfix {

enum class Reason : int { Confusion = 0, Context, Document, Compound, Name, Fuzzy };

using Form = std::pair<ustr, ustr>;  // (å/ä/ö, what the page shows), lowercase
struct FormHash {
    size_t operator()(const Form& f) const noexcept {
        return std::hash<ustr>()(f.first) * 31 + std::hash<ustr>()(f.second);
    }
};
using Shape = std::vector<std::pair<Form, double>>;  // sorted, as Profile.shape_for sorts
using Forms = std::vector<Form>;                     // sorted and unique

// Letters whose damage rate is measured: å, ä, ö (index 0, 1, 2).
int letter_index(char32_t lowercase);

struct Profile {
    std::array<double, 3> rates{};
    std::array<double, 3> log10_rates{};
    Shape shape;  // empty: the table as it is
    double log10_rate(const ustr& truth) const;
    double log10_shape(const Edit& e) const;
};

Profile make_profile(std::array<double, 3> rates, Shape shape = {});
double quantise(double rate);

// shape_evidence: (letter, form) -> (count, log10 q), in insertion order
using Evidence = std::vector<std::pair<Form, std::pair<double, double>>>;
void add_evidence(Evidence& evidence, const Reading& proof, long count, const Channel& channel);
// Per letter, the å/ä/ö the proofs put back (sums of whole counts: exact in any order).
std::array<double, 3> lost_letters(const Evidence& evidence);

struct Survivors { std::array<long, 3> n{}; };

Profile measure_profile(const Config& C, const Survivors& survived, const std::array<double, 3>& damaged, long letters);
Shape measure_shape(const Config& C, const Evidence& evidence);

struct Scored {
    bool keep;  // "keep the token as an unknown word" (word None)
    const Reading* reading;  // null for keep
    ustr word;
    double prior, channel, context;
    double total() const { return prior + channel + context; }
};

struct Decision {
    bool has_word = false;
    ustr word;
    double confidence = 1.0;
    Reason reason = Reason::Confusion;
    bool apply = false;
    uint32_t form = UINT32_MAX;  // `word` in the engine's form table, once it has been asked
};

// The document's own å/ä/ö spellings (svfix.document.DocumentVocabulary).
struct Vocabulary {
    std::vector<std::pair<ustr, long>> counts;  // insertion order
    std::vector<uint32_t> forms;                // the engine's form id of each, same order
    UMap<size_t> index;
    long total = 0;
    std::unordered_map<uint32_t, std::vector<size_t>> by_key;  // by the form id of the wild key
    bool skeletons_made = false;
    std::vector<ustr> skeletons;
    long count(const ustr& w) const {
        auto it = index.find(w);
        return it == index.end() ? 0 : counts[it->second].second;
    }
};

class Model {
public:
    Model(const Lexicon& lexicon, const Channel& channel, const Config& config, const Search& search,
          UstrSet trigrams);

    double unknown_prior(const ustr& token) const;
    int unseen_trigrams(const ustr& word) const;
    double lexical_prior(const Reading& r) const;
    double channel_log10(const Reading& r, const Profile& p) const;
    std::vector<Scored> score(const ustr& token, const std::vector<Reading>& readings, const Profile& profile,
                              const Vocabulary* vocab, bool name_like) const;
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
    UstrSet trigrams_;
    std::unordered_map<char32_t, bool> wild_;
};

// Levenshtein and Indel distances (rapidfuzz's, uniform weights)
size_t levenshtein(const ustr& a, const ustr& b);
size_t indel(const ustr& a, const ustr& b);

}  // namespace svfix
