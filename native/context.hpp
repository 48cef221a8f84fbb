// Neighbour evidence for words that collapse onto each other without their dots: svfix/context.py.
#pragma once

#include <array>
#include <optional>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "search.hpp"
#include "text.hpp"

namespace svfix {

// Positions, in context.py's names: L1 R1 L2 R2 and their ending classes L1s R1s L2s R2s.
enum Pos { L1 = 0, R1, L2, R2, L1s, R1s, L2s, R2s, kPositions };

struct ContextEntry {
    long n = 0;
    bool has_n = false;              // entry.get("n") is truthy
    std::array<long, kPositions> T{};  // 0: absent
    std::array<UMap<long>, kPositions> seen;
    std::array<bool, kPositions> has_pos{};
};

using Neighbours = std::array<std::optional<ustr>, 4>;  // left2, left1, right1, right2

class ContextModel {
public:
    ContextModel(const Config& config, long background_denominator);
    void add_word(const ustr& word, ContextEntry entry) { words_.emplace(word, std::move(entry)); }
    void add_total(const ustr& neighbour, long total) { totals_.emplace(neighbour, total); }

    bool knows(const ustr& word) const { return words_.count(word) > 0; }
    // context.covers: at least two distinct words the model holds
    bool covers(const std::vector<ustr>& words) const;
    // context.score: log10 evidence per candidate the model knows, centred on their mean
    std::vector<std::pair<ustr, double>> score(const std::vector<ustr>& candidates, const Neighbours& n) const;

private:
    double background(const ustr& neighbour) const;
    Config config_;  // a copy: the model is built before the engine that owns it
    long denominator_;
    UMap<ContextEntry> words_;
    UMap<long> totals_;
};

std::optional<ustr> suffix_class(const ustr& token, const Config& config);

}  // namespace svfix
