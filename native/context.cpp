#include "context.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace svfix {

ContextModel::ContextModel(const Config& config, long background_denominator)
    : config_(config), denominator_(background_denominator) {}

uint32_t ContextModel::neighbour_id(const ustr& s) {
    auto [it, inserted] = ids_.emplace(s, static_cast<uint32_t>(totals_.size()));
    if (inserted) totals_.push_back(0);
    return it->second;
}

void ContextModel::add_word(const ustr& word, ContextEntry entry) { words_.emplace(word, std::move(entry)); }

void ContextModel::add_total(uint32_t neighbour, long total) { totals_[neighbour] = total; }

void ContextModel::add_class(const std::vector<ustr>& members) {
    WordClass c;
    long total = 0;
    for (const ustr& m : members) {
        class_of_.emplace(m, static_cast<uint32_t>(classes_.size()));
        auto it = ids_.find(m);
        if (it == ids_.end()) continue;
        c.members.push_back(it->second);
        total += totals_[it->second];
    }
    c.background = static_cast<double>(total + 1) / static_cast<double>(denominator_);
    classes_.push_back(std::move(c));
}

Neighbour ContextModel::neighbour(const ustr& s) const {
    Neighbour n;
    n.present = true;
    auto it = ids_.find(s);
    if (it != ids_.end()) n.id = it->second;
    auto cls = class_of_.find(s);
    if (cls != class_of_.end()) n.word_class = cls->second;
    std::optional<ustr> ending = suffix_class(s, config_);
    if (ending) {
        auto e = ids_.find(*ending);
        if (e != ids_.end()) n.ending = e->second;
    }
    return n;
}

double ContextModel::background(uint32_t neighbour) const {
    long total = neighbour == Neighbour::kUnknown ? 0 : totals_[neighbour];
    return static_cast<double>(total + 1) / static_cast<double>(denominator_);
}

bool ContextModel::covers(const std::vector<ustr>& words) const {
    std::vector<ustr> distinct(words);
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    int known = 0;
    for (const ustr& w : distinct) known += words_.count(w) ? 1 : 0;
    return known >= 2;
}

std::optional<ustr> suffix_class(const ustr& token, const Config& config) {
    if (static_cast<int>(token.size()) < config.suffix_min_len || !str_isalpha(token)) return std::nullopt;
    return U"~" + token.substr(token.size() - config.suffix_len);
}

ContextPlan ContextModel::plan(const std::vector<ustr>& candidates) const {
    ContextPlan plan;
    std::vector<const ustr*> sorted;
    for (const ustr& w : candidates) sorted.push_back(&w);
    std::sort(sorted.begin(), sorted.end(), [](const ustr* a, const ustr* b) { return *a < *b; });
    sorted.erase(std::unique(sorted.begin(), sorted.end(), [](const ustr* a, const ustr* b) { return *a == *b; }),
                 sorted.end());
    for (const ustr* word : sorted) {
        auto it = words_.find(*word);
        if (it == words_.end()) continue;
        if (it->second.has_n) plan.entries.emplace_back(&it->first, &it->second);
        else plan.unseen.push_back(&it->first);
    }
    plan.against = !plan.unseen.empty();
    for (const auto& [word, e] : plan.entries) plan.against = plan.against && e->n >= config_.unseen_against_n;
    if (plan.against) plan.names = plan.unseen;
    for (const auto& [word, e] : plan.entries) plan.names.push_back(word);
    return plan;
}

std::vector<std::pair<ustr, double>> ContextModel::score(const std::vector<ustr>& candidates,
                                                         const Neighbours& nb) const {
    const ContextPlan p = plan(candidates);
    std::vector<double> scores;
    score(p, nb, scores);
    std::vector<std::pair<ustr, double>> out;
    for (size_t k = 0; k < scores.size(); ++k) out.emplace_back(*p.names[k], scores[k]);
    return out;
}

void ContextModel::score(const ContextPlan& plan, const Neighbours& nb, std::vector<double>& raw) const {
    const Config& C = config_;
    raw.clear();
    if (plan.names.size() < 2) return;
    const auto& entries = plan.entries;
    struct Slot { Pos pos; uint32_t neighbour; double weight, background; };
    Slot slots[4];  // at most one a position: its word, or failing that its ending
    size_t n_slots = 0;
    // ("L1", left1, W1), ("R1", right1, W1), ("L2", left2, W2), ("R2", right2, W2)
    const std::array<std::tuple<Pos, const Neighbour*, double>, 4> order{{
        {L1, &nb[1], C.w1}, {R1, &nb[2], C.w1}, {L2, &nb[0], C.w2}, {R2, &nb[3], C.w2}}};
    std::array<bool, 4> used{};
    for (const auto& [pos, neighbour, weight] : order) {
        if (!neighbour->present) continue;
        uint32_t n = neighbour->id;
        bool seen_beside = !C.skip_unseen;
        if (!seen_beside && n != Neighbour::kUnknown)
            for (const auto& [word, e] : entries)
                if (e->seen[pos].has(n)) { seen_beside = true; break; }
        if (!seen_beside) continue;
        slots[n_slots++] = Slot{pos, n, weight, background(n)};
        used[pos] = true;
    }
    if (C.w_suffix != 0.0) {
        for (const auto& [pos, neighbour, weight] : order) {
            if (used[pos] || !neighbour->present || neighbour->ending == Neighbour::kUnknown) continue;
            Pos where = static_cast<Pos>(pos + 4);
            bool any = false;
            for (const auto& [word, e] : entries)
                if (e->seen[where].has(neighbour->ending)) { any = true; break; }
            if (any) slots[n_slots++] = Slot{where, neighbour->ending, C.w_suffix * weight, background(neighbour->ending)};
        }
    }
    // context._class_slots: a neighbour no member was seen beside stands for its word class
    struct ClassSlot { Pos pos; const WordClass* cls; double weight; };
    ClassSlot class_slots[4];  // (a position without a word slot)
    size_t n_class_slots = 0;
    if (C.w_class != 0.0) {
        for (const auto& [pos, neighbour, weight] : order) {
            if (used[pos] || !neighbour->present || neighbour->word_class == Neighbour::kUnknown) continue;
            const WordClass& cls = classes_[neighbour->word_class];
            bool any = false;
            for (const auto& [word, e] : entries)
                for (uint32_t m : cls.members) any = any || e->seen[pos].has(m);
            if (any) class_slots[n_class_slots++] = ClassSlot{pos, &cls, C.w_class * weight};
        }
    }
    if (plan.against) raw.assign(plan.unseen.size(), 0.0);
    const double ln10 = std::log(10.0);
    for (const auto& [word, e] : entries) {
        // a slot's Witten-Bell smoothed evidence, given how often the member saw what it counts
        auto evidence = [&](Pos pos, long count, double weight, double background) {
            long t = e->T[pos];
            double k = C.beta * static_cast<double>(t ? t : 1);
            double p = (static_cast<double>(count) + k * background) / (static_cast<double>(e->n) + k);
            return weight * std::log(p / background);
        };
        auto seen = [&](Pos pos, uint32_t neighbour) -> long { return e->seen[pos].get(neighbour); };
        double total = 0.0;
        for (size_t i = 0; i < n_slots; ++i) {
            const Slot& s = slots[i];
            total += evidence(s.pos, s.neighbour != Neighbour::kUnknown ? seen(s.pos, s.neighbour) : 0, s.weight,
                              s.background);
        }
        for (size_t i = 0; i < n_class_slots; ++i) {
            const ClassSlot& s = class_slots[i];
            long count = 0;
            for (uint32_t m : s.cls->members) count += seen(s.pos, m);
            total += evidence(s.pos, count, s.weight, s.cls->background);
        }
        raw.push_back(total / ln10);
    }
    double sum = 0.0;
    for (double s : raw) sum += s;
    double mean = sum / static_cast<double>(raw.size());
    for (double& s : raw) s = std::max(-C.max_bonus, std::min(C.max_bonus, C.context_weight * (s - mean)));
}

}  // namespace svfix
