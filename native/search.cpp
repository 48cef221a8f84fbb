#include "search.hpp"

#include <cmath>
#include <functional>
#include <tuple>

namespace svfix {

namespace {
const char32_t kQuick[] = U"aoAO\u00e96";  // aoAOé6
bool is_quick(char32_t c) {
    for (const char32_t* q = kQuick; *q; ++q) if (*q == c) return true;
    return false;
}
bool is_vowel(char32_t c) {
    static const ustr vowels = U"aeiouy\u00e5\u00e4\u00f6\u00e9";
    return contains(vowels, c);
}
}  // namespace

ustr undotted(const ustr& s) {
    ustr out(s);
    for (auto& c : out) {
        switch (c) {
            case U'\u00e5': case U'\u00e4': c = U'a'; break;
            case U'\u00f6': case U'\u00e9': case U'6': c = U'o'; break;
            default: break;
        }
    }
    return out;
}

Search::Search(const Lexicon& lexicon, const Channel& channel, const Config& config, UstrSet place_elements)
    : lexicon_(lexicon), channel_(channel), config_(config), elements_(std::move(place_elements)) {
    for (const ustr& e : elements_) heads_.insert(undotted(slice(e, 0, 2)));
    for (int id : channel_.explanations(ustr())) {
        const Edit& e = channel_.edit(id);
        if (e.adaptive) dropped_.emplace_back(e.truth_lower, e.log10_q, id);
    }
}

const std::vector<Search::Step>& Search::steps(const ustr& observed) const {
    auto it = steps_.find(observed);
    if (it != steps_.end()) return it->second;
    std::vector<Step> out;
    for (int id : channel_.explanations(observed)) {
        const Edit& e = channel_.edit(id);
        out.push_back(Step{static_cast<int>(observed.size()), e.truth_lower, e.log10_q, e.adaptive, id});
    }
    return steps_.emplace(observed, std::move(out)).first->second;
}

const std::vector<std::pair<ustr, int>>& Search::dot_options(char32_t c) const {
    auto it = dots_.find(c);
    if (it != dots_.end()) return it->second;
    std::vector<std::pair<ustr, int>> out;
    for (int id : channel_.explanations(ustr(1, c))) {
        const Edit& e = channel_.edit(id);
        if (e.adaptive && std::pow(10.0, e.log10_q) >= config_.min_dot_q) out.emplace_back(e.truth_lower, id);
    }
    return dots_.emplace(c, std::move(out)).first->second;
}

std::vector<Reading> Search::dot_readings(const ustr& token) const {
    std::vector<size_t> positions;
    for (size_t i = 0; i < token.size(); ++i) if (is_quick(token[i])) positions.push_back(i);
    if (positions.empty() || static_cast<int>(positions.size()) > config_.max_dot_positions) return {};
    ustr low = lower(token);
    // slots[s]: (letter, edit or -1); the first is the letter as it stands
    std::vector<std::vector<std::pair<ustr, int>>> slots;
    for (size_t i : positions) {
        std::vector<std::pair<ustr, int>> slot{{slice(low, i, i + 1), -1}};
        for (const auto& option : dot_options(token[i])) slot.push_back(option);
        slots.push_back(std::move(slot));
    }
    ustr lead = slice(low, 0, positions[0]);
    std::vector<ustr> gaps;
    for (size_t k = 0; k + 1 < positions.size(); ++k) gaps.push_back(slice(low, positions[k] + 1, positions[k + 1]));
    gaps.push_back(slice(low, positions.back() + 1, low.size()));
    size_t last = slots.size() - 1;
    std::vector<Reading> found;
    std::vector<int> edits;
    std::function<void(size_t, const ustr&)> fill = [&](size_t s, const ustr& head) {
        const ustr& gap = gaps[s];
        for (const auto& [letter, edit] : slots[s]) {
            ustr spelled = head + letter + gap;
            if (edit >= 0) edits.push_back(edit);
            if (s == last) {
                if (!edits.empty() && lexicon_.is_valid(spelled)) {
                    Reading r;
                    r.word = spelled;
                    r.parts = {spelled};
                    r.edits = edits;
                    found.push_back(std::move(r));
                }
            } else if (lexicon_.trie().has_prefix(spelled)) {
                fill(s + 1, spelled);
            }
            if (edit >= 0) edits.pop_back();
        }
    };
    fill(0, lead);
    return found;
}

std::vector<Reading> Search::name_tail_readings(const ustr& token) const {
    if (!(token.size() >= 1 && str_isupper(token.data(), 1) && str_islower(token.data() + 1, token.size() - 1)))
        return {};
    for (long k = config_.min_head; k < static_cast<long>(token.size()) - config_.min_tail + 1; ++k) {
        ustr head = token.substr(0, k), tail = token.substr(k);
        if (!str_isalpha(head)) return {};
        std::vector<Reading> found;
        for (Reading& r : dot_readings(tail))
            if (lexicon_.zipf(r.word) >= config_.min_tail_zipf) found.push_back(std::move(r));
        if (!found.empty()) {
            ustr lead = lower(head);
            for (Reading& r : found) {
                r.word = lead + r.word;
                r.parts.insert(r.parts.begin(), lead);
                r.unknown_head = true;
            }
            return found;
        }
    }
    return {};
}

namespace {

struct State {
    size_t i;
    ustr built;
    size_t part_len, n_parts;
    bool loose;
    bool operator==(const State& o) const {
        return i == o.i && part_len == o.part_len && n_parts == o.n_parts && loose == o.loose && built == o.built;
    }
};
struct StateHash {
    size_t operator()(const State& s) const noexcept {
        size_t h = std::hash<ustr>()(s.built);
        h ^= (s.i * 0x9E3779B97F4A7C15ull) + (s.part_len << 20) + (s.n_parts << 40) + (s.loose ? 0x5555 : 0);
        return h;
    }
};

struct Later {
    size_t i;
    ustr built, part;
    std::vector<ustr> parts;
    std::vector<int> edits;
    double cost;
    int others, inserts;
    bool loose;
};

}  // namespace

std::vector<Reading> Search::readings(const ustr& token, bool compounds) const {
    const Config& C = config_;
    const Trie& trie = lexicon_.trie();
    const size_t n = token.size();
    const ustr low = lower(token);
    const bool capital = !token.empty() && str_isupper(token.data(), 1);
    const uint32_t first_flag = F_COMPOUND_FIRST;
    const uint32_t place_opens = F_PLACE | F_KOMMUN_OR_LAN;
    const uint32_t opens = capital ? (first_flag | place_opens) : first_flag;
    static const UstrSet no_elements;
    const UstrSet& elements = capital ? elements_ : no_elements;
    const UstrSet& heads = capital ? heads_ : no_elements;

    std::vector<Reading> found;
    UMap<size_t> found_at;
    auto rank = [&](size_t n_parts, const ustr& word, size_t n_edits) {
        if (n_parts > 1) return std::make_pair(n_edits, 1);
        return std::make_pair(n_edits, lexicon_.is_valid(word) ? 0 : 2);
    };
    auto finish = [&](const ustr& word, const std::vector<ustr>& parts, const std::vector<int>& edits) {
        auto it = found_at.find(word);
        if (it == found_at.end()) {
            found_at.emplace(word, found.size());
            found.push_back(Reading{word, parts, edits});
            return;
        }
        Reading& best = found[it->second];
        if (rank(parts.size(), word, edits.size()) < rank(best.parts.size(), best.word, best.edits.size())) {
            best.parts = parts;
            best.edits = edits;
        }
    };

    // per position: the confusions of token[i] and token[i:i+2]
    std::vector<std::vector<const Step*>> confusions(n);
    for (size_t i = 0; i < n; ++i) {
        for (const Step& s : steps(token.substr(i, 1))) confusions[i].push_back(&s);
        if (i + 2 <= n)
            for (const Step& s : steps(token.substr(i, 2))) confusions[i].push_back(&s);
    }
    std::unordered_map<State, double, StateHash> seen;
    long budget = C.max_nodes;
    std::vector<Later> later;

    auto may_end = [&](const ustr& part, const std::vector<ustr>& parts, bool loose) {
        if (!(parts.size() == 1 || (lexicon_.flags(parts[0]) & first_flag) || elements.count(parts[1])))
            return false;
        if (elements.count(part)
            && (static_cast<int>(part.size()) >= C.min_part
                || (parts.size() == 1 && static_cast<int>(part.size()) >= C.min_element)))
            return true;
        return !loose && static_cast<int>(part.size()) >= C.min_part && (lexicon_.flags(part) & F_COMPOUND_LAST);
    };

    // walk(i, built, part (+ its trie node), parts, edits, cost, others, inserts, loose)
    std::function<void(size_t, const ustr&, const ustr&, int32_t, std::vector<ustr>&, std::vector<int>&, double, int,
                       int, bool)>
        walk = [&](size_t i, const ustr& built, const ustr& part, int32_t node, std::vector<ustr>& parts,
                   std::vector<int>& edits, double cost, int others, int inserts, bool loose) {
            if (--budget < 0) return;
            State state{i, built, part.size(), parts.size(), loose};
            auto it = seen.find(state);
            if (it != seen.end() ? it->second >= cost : -1e9 >= cost) return;
            seen[std::move(state)] = cost;
            if (i == n) {
                if (others) {
                    bool any_adaptive = false;
                    for (int e : edits) any_adaptive |= channel_.edit(e).adaptive;
                    if (!any_adaptive) return;
                }
                if (parts.empty()) {
                    if (lexicon_.stands_alone_id(trie.key_at(node))) finish(built, {part}, edits);
                } else if (may_end(part, parts, loose)) {
                    std::vector<ustr> all(parts);
                    all.push_back(part);
                    finish(built, all, edits);
                }
                return;
            }
            if (compounds && static_cast<int>(parts.size()) < C.max_parts - 1
                && static_cast<int>(part.size()) >= C.min_part) {
                uint32_t flags = lexicon_.flags_of(trie.key_at(node));
                if (loose) {
                    if (elements.count(part)) {
                        parts.push_back(part);
                        walk(i, built, ustr(), Trie::kRoot, parts, edits, cost, others, inserts, false);
                        parts.pop_back();
                    }
                } else if (flags & (parts.empty() ? opens : (F_COMPOUND_FIRST | F_COMPOUND_MIDDLE))) {
                    parts.push_back(part);
                    walk(i, built, ustr(), Trie::kRoot, parts, edits, cost, others, inserts, false);
                    size_t m = part.size();
                    if (m >= 2 && part[m - 1] == part[m - 2] && !is_vowel(part[m - 1])) {
                        ustr again(1, part[m - 1]);
                        walk(i, built, again, trie.child(Trie::kRoot, part[m - 1]), parts, edits, cost, others,
                             inserts, false);
                    }
                    parts.pop_back();
                }
            }
            // the observed character read as itself
            char32_t letter = low[i];
            int32_t next = trie.child(node, letter);
            if (next >= 0) walk(i + 1, built + letter, part + letter, next, parts, edits, cost, others, inserts, loose);
            if (static_cast<int>(edits.size()) >= C.max_edits) return;
            // token[i:i+k] explained as a confusion of some truth
            for (const Step* s : confusions[i]) {
                if (!s->adaptive && others >= C.max_other_edits) continue;
                if (cost + s->q < C.min_path_log10) continue;
                int32_t to = trie.walk(node, s->truth);
                if (to >= 0) {
                    edits.push_back(s->edit);
                    walk(i + s->k, built + s->truth, part + s->truth, to, parts, edits, cost + s->q,
                         others + (s->adaptive ? 0 : 1), inserts, loose);
                    edits.pop_back();
                }
            }
            // an å/ä/ö the OCR dropped altogether
            if (inserts < C.max_insertions) {
                for (const auto& [truth, q, edit] : dropped_) {
                    if (cost + q < C.min_path_log10) continue;
                    int32_t to = trie.walk(node, truth);
                    if (to >= 0) {
                        edits.push_back(edit);
                        walk(i, built + truth, part + truth, to, parts, edits, cost + q, others, inserts + 1, loose);
                        edits.pop_back();
                    }
                }
            }
            if (!elements.empty() && parts.empty() && compounds && static_cast<int>(part.size()) >= C.min_part
                && heads.count(undotted(slice(low, i, i + 2)))) {
                uint32_t f = lexicon_.flags_of(trie.key_at(node));
                if ((f & F_SAOL) && !(f & opens) && lexicon_.is_valid_id(trie.key_at(node)))
                    later.push_back(Later{i, built, ustr(), {part}, edits, cost, others, inserts, true});
            }
        };

    std::vector<ustr> parts;
    std::vector<int> edits;
    walk(0, ustr(), ustr(), Trie::kRoot, parts, edits, 0.0, 0, 0, false);
    if (!later.empty()) budget = std::max(budget, 0L) + C.max_nodes / 3;
    for (Later& l : later)
        walk(l.i, l.built, l.part, Trie::kRoot, l.parts, l.edits, l.cost, l.others, l.inserts, l.loose);
    return found;
}

}  // namespace svfix
