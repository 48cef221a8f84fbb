// Neighbour evidence for words that collapse onto each other without their dots: svfix/context.py.
//
// Every neighbour string the model holds (a word, a class such as <YEAR>, an ending such as
// "~dor") is numbered when the model loads; a member's neighbour counts are then tables by
// number, and the engine asks with numbers it keeps for its own words.
#pragma once

#include <array>
#include <optional>
#include <unordered_map>
#include <vector>

#include "config.hpp"
#include "flat_map.hpp"
#include "search.hpp"
#include "text.hpp"

namespace svfix {

// Positions, in context.py's names: L1 R1 L2 R2 and their ending classes L1s R1s L2s R2s.
enum Pos { L1 = 0, R1, L2, R2, L1s, R1s, L2s, R2s, kPositions };

// How often a member was seen beside each neighbour (by number), asked a few times for
// every occurrence the context model scores.
class NeighbourCounts {
public:
    void reserve(size_t n) { counts_.reserve(n); }
    void add(uint32_t neighbour, long count) { counts_.insert(neighbour, count); }
    long get(uint32_t neighbour) const {
        const long* found = counts_.find(neighbour);
        return found != nullptr ? *found : 0;
    }
    bool has(uint32_t neighbour) const { return counts_.find(neighbour) != nullptr; }

private:
    struct Spread {  // Fibonacci hashing: a neighbour number's bits spread over the word
        size_t operator()(uint32_t neighbour) const { return (uint64_t{neighbour} * 0x9E3779B97F4A7C15ull) >> 32; }
    };
    FlatMap<uint32_t, long, Spread> counts_;
};

struct ContextEntry {
    long n = 0;
    bool has_n = false;                // entry.get("n") is truthy
    std::array<long, kPositions> T{};  // 0: absent
    std::array<NeighbourCounts, kPositions> seen;  // by neighbour number
};

// A neighbour as the model knows it: its number (kUnknown when the model never saw it) and
// the number of its ending class (kUnknown when it has none or the model never saw it).
struct Neighbour {
    static constexpr uint32_t kUnknown = UINT32_MAX;
    uint32_t id = kUnknown, ending = kUnknown;
    uint32_t word_class = kUnknown;  // its closed word class (context.WORD_CLASSES), if any
    bool present = false;  // False: None (no neighbour)
};
using Neighbours = std::array<Neighbour, 4>;  // left2, left1, right1, right2

// A set of candidates resolved against the model once (context.score's first half), so that
// each occurrence of a word scores only its neighbours: `names` is the order context.score
// returns them in, the members it knows without counts first when they count against the rest.
struct ContextPlan {
    std::vector<const ustr*> names;                                  // the model's own strings
    std::vector<std::pair<const ustr*, const ContextEntry*>> entries;  // members with counts, sorted
    std::vector<const ustr*> unseen;                                 // members known without counts
    bool against = false;
};

class ContextModel {
public:
    ContextModel(const Config& config, long background_denominator);
    void add_word(const ustr& word, ContextEntry entry);
    uint32_t neighbour_id(const ustr& s);  // numbered on first sight (while loading)
    void add_total(uint32_t neighbour, long total);
    // a closed word class (context.WORD_CLASSES), added after the totals
    void add_class(const std::vector<ustr>& members);

    // what the model knows of a neighbour string (svfix.context._token already applied)
    Neighbour neighbour(const ustr& s) const;
    // context.covers: at least two distinct words the model holds
    bool covers(const std::vector<ustr>& words) const;
    // context.score: log10 evidence per candidate the model knows, centred on their mean
    std::vector<std::pair<ustr, double>> score(const std::vector<ustr>& candidates, const Neighbours& n) const;
    // the same in two halves: the candidates once, then each occurrence's neighbours; the
    // scores come in `plan.names` order, or empty when fewer than two are known
    ContextPlan plan(const std::vector<ustr>& candidates) const;
    void score(const ContextPlan& plan, const Neighbours& n, std::vector<double>& scores) const;

private:
    double background(uint32_t neighbour) const;
    Config config_;  // a copy: the model is built before the engine that owns it
    long denominator_;
    UMap<ContextEntry> words_;
    UMap<uint32_t> ids_;
    std::vector<long> totals_;  // by neighbour number
    struct WordClass {
        std::vector<uint32_t> members;  // the numbers of the members the model knows
        double background;              // of the class as one neighbour
    };
    std::vector<WordClass> classes_;
    UMap<uint32_t> class_of_;  // member word -> class
};

std::optional<ustr> suffix_class(const ustr& token, const Config& config);

}  // namespace svfix
