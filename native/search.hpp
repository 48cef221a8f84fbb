// Candidate generation: svfix/candidates.py, step for step (see its docstrings for the why).
#pragma once

#include <array>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "channel.hpp"
#include "config.hpp"
#include "lexicon.hpp"

namespace svfix {

// One way to read a token: the word it restores to, its compound parts and the channel edits
// that got there. Compact (one heap block, the word's, and the edits' past seven): a batch keeps
// the readings of every suspicious word it has met.
struct Reading {
    static constexpr size_t kMaxParts = 6;
    static constexpr int32_t kUnasked = -2;  // a lexicon id not yet looked up

    ustr word;                 // lowercase
    std::u16string edits;      // channel edit ids (empty: the token read as it stands)
    double fuzzy_q = 0.0;      // fuzzy: one edit outside the channel, Edit(word, token.lower(), fuzzy_q, False)
    uint32_t part_start[kMaxParts], part_len[kMaxParts];  // compound parts, as ranges of `word`
    int32_t part_key[kMaxParts];                            // their lexicon ids (kUnasked: not looked up)
    int32_t key = kUnasked;    // the lexicon id of `word` (-1: not listed)
    uint32_t form = UINT32_MAX;  // `word` in the engine's form table (set by the engine)
    uint8_t n_parts = 0;
    bool fuzzy = false;        // found by string similarity, not by the channel
    bool unknown_head = false; // parts[0] is a name no list has, kept as written
    uint8_t fuzzy_letters = 1; // a lexicon match's letters beyond the diacritics: the page's noise is charged for each

    uview part(size_t k) const { return uview(word).substr(part_start[k], part_len[k]); }
    void add_part(size_t start, size_t len, int32_t k) {
        part_start[n_parts] = static_cast<uint32_t>(start);
        part_len[n_parts] = static_cast<uint32_t>(len);
        part_key[n_parts] = k;
        ++n_parts;
    }
    // a simple word: one part, the word itself
    static Reading simple(ustr word, std::u16string edits, int32_t key) {
        Reading r;
        r.word = std::move(word);
        r.edits = std::move(edits);
        r.key = key;
        r.add_part(0, r.word.size(), key);
        return r;
    }
};

inline std::u16string edit_ids(const std::vector<int>& ids) {
    std::u16string out;
    for (int id : ids) out.push_back(static_cast<char16_t>(id));
    return out;
}

class Search {
public:
    Search(const Lexicon& lexicon, const Channel& channel, const Config& config, UstrSet place_elements);

    std::vector<Reading> dot_readings(const ustr& token) const;
    std::vector<Reading> name_tail_readings(const ustr& token) const;
    std::vector<Reading> readings(const ustr& token, bool compounds) const;
    const UstrSet& place_elements() const { return elements_; }

    struct Step {
        int k;         // length of the observed string
        ustr truth;    // lowercase
        double q;
        bool adaptive;
        int edit;
    };
    const std::vector<Step>& steps(const ustr& observed) const;
    const std::vector<Step>& steps1(char32_t c) const;                // steps(ustr(1, c))
    const std::vector<Step>& steps2(char32_t a, char32_t b) const;    // steps of the pair
    const UstrSet& heads() const { return heads_; }
    const std::vector<std::tuple<ustr, double, int>>& dropped() const { return dropped_; }
    const Lexicon& lexicon() const { return lexicon_; }
    const Channel& channel() const { return channel_; }
    const Config& config() const { return config_; }

private:
    const std::vector<std::pair<ustr, int>>& dot_options(char32_t c) const;

    const Lexicon& lexicon_;
    const Channel& channel_;
    const Config& config_;
    UstrSet elements_;
    UstrSet heads_;  // first two letters of each element, undotted
    mutable UMap<std::vector<Step>> steps_;
    mutable std::unordered_map<uint64_t, const std::vector<Step>*> steps_by_code_;
    mutable std::array<const std::vector<Step>*, 256> steps1_latin1_{};  // steps1 of Latin-1, once asked
    mutable std::unordered_map<char32_t, std::vector<std::pair<ustr, int>>> dots_;
    std::vector<std::tuple<ustr, double, int>> dropped_;  // adaptive explanations of ""
};

ustr undotted(const ustr& s);  // åäöé6 -> aaooo

}  // namespace svfix
