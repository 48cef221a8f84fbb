// Candidate generation: svfix/candidates.py, step for step (see its docstrings for the why).
#pragma once

#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "channel.hpp"
#include "config.hpp"
#include "lexicon.hpp"

namespace svfix {

struct Reading {
    ustr word;                 // lowercase
    std::vector<ustr> parts;   // compound parts as written in `word`
    std::vector<int> edits;    // channel edit ids
    bool fuzzy = false;        // found by string similarity: one edit outside the channel,
    double fuzzy_q = 0.0;      //   Edit(word, token.lower(), fuzzy_q, adaptive=False)
    ustr fuzzy_observed;
    bool unknown_head = false;
    uint32_t form = UINT32_MAX;  // `word` in the engine's form table (set by the engine)
    // lexicon ids of `word` and of each part (-1: not listed), as the search found them; kUnasked
    // when a reading was made without the trie at hand
    static constexpr int32_t kUnasked = -2;
    int32_t key = kUnasked;
    std::vector<int32_t> part_keys;
    size_t n_edits() const { return fuzzy ? 1 : edits.size(); }
};

class Search {
public:
    Search(const Lexicon& lexicon, const Channel& channel, const Config& config, UstrSet place_elements);

    std::vector<Reading> dot_readings(const ustr& token) const;
    std::vector<Reading> name_tail_readings(const ustr& token) const;
    std::vector<Reading> readings(const ustr& token, bool compounds) const;
    const UstrSet& place_elements() const { return elements_; }
    uint32_t part_flags(const ustr& part) const { return lexicon_.flags(part); }

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
    mutable std::unordered_map<char32_t, std::vector<std::pair<ustr, int>>> dots_;
    std::vector<std::tuple<ustr, double, int>> dropped_;  // adaptive explanations of ""
};

ustr undotted(const ustr& s);  // åäöé6 -> aaooo

}  // namespace svfix
