#include "search.hpp"

#include <cmath>
#include <stdexcept>
#include <memory>
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
    if (config_.max_nodes > 20000 || config_.max_parts > static_cast<int>(Reading::kMaxParts) - 1
        || channel_.size() > 65535)
        throw std::runtime_error("svfix engine: MAX_NODES above 20000, MAX_PARTS above 5 or more than 65535 "
                                 "channel edits are not supported");
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

const std::vector<Search::Step>& Search::steps1(char32_t c) const {
    if (c < steps1_latin1_.size() && steps1_latin1_[c] != nullptr) return *steps1_latin1_[c];
    uint64_t key = (uint64_t{1} << 62) | c;
    auto it = steps_by_code_.find(key);
    if (it != steps_by_code_.end()) return *it->second;
    const std::vector<Step>& found = steps(ustr(1, c));  // (a map value: stays put)
    steps_by_code_.emplace(key, &found);
    if (c < steps1_latin1_.size()) steps1_latin1_[c] = &found;
    return found;
}

const std::vector<Search::Step>& Search::steps2(char32_t a, char32_t b) const {
    uint64_t key = (static_cast<uint64_t>(a) << 21) | b;
    auto it = steps_by_code_.find(key);
    if (it != steps_by_code_.end()) return *it->second;
    const std::vector<Step>& found = steps(ustr{a, b});
    steps_by_code_.emplace(key, &found);
    return found;
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
    // every choice of letters, spelled in one buffer (cut back after each choice), pruned where
    // no listed word begins so
    struct Filler {
        const Lexicon& lexicon;
        const std::vector<std::vector<std::pair<ustr, int>>>& slots;
        const std::vector<ustr>& gaps;
        std::vector<Reading> found;
        std::vector<int> edits;
        ustr spelled;
        void fill(size_t s) {
            const size_t at = spelled.size();
            for (const auto& [letter, edit] : slots[s]) {
                spelled.append(letter).append(gaps[s]);
                if (edit >= 0) edits.push_back(edit);
                if (s + 1 == slots.size()) {
                    int32_t key = edits.empty() ? -1 : lexicon.key_id(spelled);
                    if (!edits.empty() && lexicon.is_valid_id(key)) found.push_back(Reading::simple(spelled, edit_ids(edits), key));
                } else if (lexicon.trie().has_prefix(spelled)) {
                    fill(s + 1);
                }
                if (edit >= 0) edits.pop_back();
                spelled.resize(at);
            }
        }
    } filler{lexicon_, slots, gaps, {}, {}, lead};
    filler.fill(0);
    return std::move(filler.found);
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
                Reading named;
                named.word = lead + r.word;
                named.edits = r.edits;
                named.add_part(0, lead.size(), lexicon_.key_id(lead));
                for (size_t k = 0; k < r.n_parts; ++k) named.add_part(lead.size() + r.part_start[k], r.part_len[k], r.part_key[k]);
                named.key = lexicon_.key_id(named.word);
                named.unknown_head = true;
                r = std::move(named);
            }
            return found;
        }
    }
    return {};
}

namespace {

// The walk of `Search::readings`, without an allocation per node: the spelling built so far is
// one buffer (every compound part is a range of it, the current part always its tail), and the
// states already reached are an open-addressing table whose strings live in an arena.
class Walker {
public:
    Walker(const Search& search, const ustr& token, bool compounds, std::vector<Reading>& found)
        : S(search), L(search.lexicon()), T(search.lexicon().trie()), C(search.config()), token_(token),
          low_(lower(token)), n_(token.size()), compounds_(compounds), found_(found), scratch_(scratch()),
          steps_(scratch_.steps), offsets_(scratch_.offsets), built_(scratch_.built), hash_(scratch_.hash),
          parts_(scratch_.parts), edits_(scratch_.edits), inserted_(scratch_.inserted) {
        steps_.clear();
        offsets_.clear();
        built_.clear();
        hash_.clear();
        parts_.clear();
        edits_.clear();
        inserted_.clear();
        capital_ = !token.empty() && str_isupper(token.data(), 1);
        opens_ = capital_ ? (F_COMPOUND_FIRST | F_PLACE | F_KOMMUN_OR_LAN) : F_COMPOUND_FIRST;
        elements_ = capital_ ? &S.place_elements() : nullptr;
        // the confusions of token[i] and token[i:i+2], per position
        offsets_.push_back(0);
        for (size_t i = 0; i < n_; ++i) {
            for (const Search::Step& s : S.steps1(token[i])) steps_.push_back(&s);
            if (i + 2 <= n_)
                for (const Search::Step& s : S.steps2(token[i], token[i + 1])) steps_.push_back(&s);
            offsets_.push_back(steps_.size());
        }
        hash_.push_back(0xcbf29ce484222325ull);
        Scratch& scratch = scratch_;
        if (++scratch.stamp == 0) {  // wrapped: forget every old stamp
            for (Slot& slot : scratch.table) slot.stamp = 0;
            scratch.stamp = 1;
        }
        scratch.arena.clear();
    }

    void run() {
        budget_ = C.max_nodes;
        walk(0, 0, Trie::kRoot, 0.0, 0, false);
        if (!later_.empty()) budget_ = std::max(budget_, 0L) + C.max_nodes / 3;
        std::vector<Later> later = std::move(later_);
        for (Later& l : later) {
            built_ = l.built;
            hash_.resize(1);
            for (char32_t c : built_) hash_.push_back(mix(hash_.back(), c));
            parts_ = l.parts;
            edits_ = l.edits;
            inserted_ = l.inserted;
            walk(l.i, built_.size(), Trie::kRoot, l.cost, l.others, true);
        }
    }

private:
    struct Part { size_t start, len; int32_t key; };
    struct Later {
        size_t i;
        ustr built;
        std::vector<Part> parts;
        std::vector<int> edits;
        double cost;
        int others;
        std::vector<size_t> inserted;
    };
    struct Slot {  // 32 bytes: the table stays in the L2 cache
        uint64_t hash;
        double cost;
        uint32_t stamp;  // the token it belongs to (Scratch::stamp); older slots are free
        uint32_t at;     // the built string in the arena
        // A walk is at most 4/3 MAX_NODES deep and reads at most two letters a step, so these
        // fit in 16 bits (Search refuses a larger budget).
        uint16_t len, i, part_len;
        uint8_t n_parts, loose;
    };
    static constexpr size_t kSlots = 2048;  // more than twice the largest budget (800 states)
    // The table and arena of reached states, and the walk's buffers, kept for the next token
    // (one per thread; a walk never starts another): a search then allocates for what it finds.
    struct Scratch {
        std::vector<Slot> table = std::vector<Slot>(kSlots, Slot{});
        std::vector<char32_t> arena;
        uint32_t stamp = 0;
        std::vector<const Search::Step*> steps;
        std::vector<size_t> offsets;
        ustr built;
        std::vector<uint64_t> hash;
        std::vector<Part> parts;
        std::vector<int> edits;
        std::vector<size_t> inserted;
    };
    static Scratch& scratch() {
        thread_local Scratch s;
        return s;
    }

    static uint64_t mix(uint64_t h, char32_t c) { return (h ^ c) * 0x100000001b3ull; }

    uview part_view(size_t start) const { return uview(built_.data() + start, built_.size() - start); }
    uview range(const Part& p) const { return uview(built_.data() + p.start, p.len); }
    bool is_element(uview s) const { return elements_ != nullptr && elements_->count(s) > 0; }

    void push(const ustr& s) {
        for (char32_t c : s) {
            built_.push_back(c);
            hash_.push_back(mix(hash_.back(), c));
        }
    }
    void push(char32_t c) {
        built_.push_back(c);
        hash_.push_back(mix(hash_.back(), c));
    }
    void pop(size_t to) {
        built_.resize(to);
        hash_.resize(to + 1);
    }

    // Has this state been reached at no higher cost? Records it otherwise.
    bool seen(size_t i, size_t part_len, bool loose, double cost) {
        uint64_t h = hash_.back() ^ (i * 0x9E3779B97F4A7C15ull) ^ (part_len << 40) ^ (parts_.size() << 52)
                     ^ (loose ? 0x5bd1e995ull : 0);
        Scratch& scratch = scratch_;  // (asking for the thread's own on every state cost a call)
        std::vector<Slot>& table = scratch.table;
        size_t k = h & (kSlots - 1);
        while (table[k].stamp == scratch.stamp) {
            Slot& s = table[k];
            if (s.hash == h && s.i == i && s.part_len == part_len && s.n_parts == parts_.size() && s.loose == loose
                && s.len == built_.size()
                && std::equal(built_.begin(), built_.end(), scratch.arena.begin() + static_cast<long>(s.at))) {
                if (s.cost >= cost) return true;
                s.cost = cost;
                return false;
            }
            k = (k + 1) & (kSlots - 1);
        }
        Slot& s = table[k];
        s.hash = h;
        s.cost = cost;
        s.stamp = scratch.stamp;
        s.at = static_cast<uint32_t>(scratch.arena.size());
        s.len = static_cast<uint16_t>(built_.size());
        s.i = static_cast<uint16_t>(i);
        s.part_len = static_cast<uint16_t>(part_len);
        s.n_parts = static_cast<uint8_t>(parts_.size());
        s.loose = loose;
        scratch.arena.insert(scratch.arena.end(), built_.begin(), built_.end());
        return false;
    }

    std::pair<size_t, int> rank(size_t n_parts, const ustr& word, size_t n_edits) const {
        if (n_parts > 1) return {n_edits, 1};
        return {n_edits, L.is_valid(word) ? 0 : 2};
    }

    void finish(size_t part_start, int32_t part_key) {
        Reading r;
        for (const Part& p : parts_) r.add_part(p.start, p.len, p.key);
        r.add_part(part_start, built_.size() - part_start, part_key);
        r.edits = edit_ids(edits_);
        for (Reading& best : found_) {
            if (best.word != built_) continue;
            if (rank(r.n_parts, built_, r.edits.size()) < rank(best.n_parts, best.word, best.edits.size())) {
                r.word = std::move(best.word);
                r.key = best.key;
                best = std::move(r);
            }
            return;
        }
        r.word = built_;
        r.key = parts_.empty() ? part_key : L.key_id(r.word);
        found_.push_back(std::move(r));
    }

    bool may_end(uview part, int32_t part_key, bool loose) const {
        if (!(parts_.size() == 1 || (L.flags_of(parts_[0].key) & F_COMPOUND_FIRST) || is_element(range(parts_[1]))))
            return false;
        long len = static_cast<long>(part.size());
        if (is_element(part) && (len >= C.min_part || (parts_.size() == 1 && len >= C.min_element))) return true;
        return !loose && len >= C.min_part && (L.flags_of(part_key) & F_COMPOUND_LAST);
    }

    // candidates._inserted_at_edge: a letter the OCR is said to have dropped may not open or
    // close a compound part (the part from part_start to the end of built_).
    bool inserted_at_edge(size_t part_start) const {
        for (size_t at : inserted_)
            if (at == part_start || at + 1 == built_.size()) return true;
        return false;
    }

    void walk(size_t i, size_t part_start, int32_t node, double cost, int others, bool loose) {
        if (--budget_ < 0) return;
        const size_t part_len = built_.size() - part_start;
        if (seen(i, part_len, loose, cost)) return;
        const int32_t key = T.key_at(node);
        if (i == n_) {
            if (others) {
                bool believed = false;  // (a lost å/ä/ö beside it, or a slip the scans make often)
                for (int e : edits_) {
                    const Edit& edit = S.channel().edit(e);
                    believed |= edit.adaptive || edit.log10_q >= C.other_alone_min_log10;
                }
                if (!believed) return;
            }
            if (parts_.empty()) {
                if (L.stands_alone_id(key)) finish(part_start, key);
                if (static_cast<int>(inserted_.size()) < C.max_insertions
                    && static_cast<int>(edits_.size()) < C.max_edits) {
                    // an å/ä/ö the OCR dropped at the very end ("ocks" for "också")
                    const size_t here = built_.size();
                    for (const auto& [truth, q, edit] : S.dropped()) {
                        if (cost + q < C.min_path_log10) continue;
                        int32_t to = T.walk(node, truth);
                        if (to < 0 || !L.stands_alone_id(T.key_at(to))) continue;
                        push(truth);
                        edits_.push_back(edit);
                        finish(part_start, T.key_at(to));
                        edits_.pop_back();
                        pop(here);
                    }
                }
            } else if (may_end(part_view(part_start), key, loose) && !inserted_at_edge(part_start)) {
                finish(part_start, key);
            }
            return;
        }
        const size_t here = built_.size();
        if (compounds_ && static_cast<int>(parts_.size()) < C.max_parts - 1 && static_cast<long>(part_len) >= C.min_part
            && !inserted_at_edge(part_start)) {
            uint32_t flags = L.flags_of(key);
            if (loose) {
                if (is_element(part_view(part_start))) {
                    parts_.push_back(Part{part_start, part_len, key});
                    walk(i, here, Trie::kRoot, cost, others, false);
                    parts_.pop_back();
                }
            } else if (flags & (parts_.empty() ? opens_ : (F_COMPOUND_FIRST | F_COMPOUND_MIDDLE))) {
                parts_.push_back(Part{part_start, part_len, key});
                walk(i, here, Trie::kRoot, cost, others, false);
                char32_t last = built_[here - 1];
                if (part_len >= 2 && last == built_[here - 2] && !is_vowel(last))
                    // stopp + punkt is written "stoppunkt": the next part re-reads the consonant
                    walk(i, here - 1, T.child(Trie::kRoot, last), cost, others, false);
                parts_.pop_back();
            }
        }
        // the observed character read as itself
        const char32_t letter = low_[i];
        int32_t next = T.child(node, letter);
        if (next >= 0) {
            push(letter);
            walk(i + 1, part_start, next, cost, others, loose);
            pop(here);
        }
        if (static_cast<int>(edits_.size()) >= C.max_edits) return;
        // token[i:i+k] explained as a confusion of some truth
        for (size_t k = offsets_[i]; k < offsets_[i + 1]; ++k) {
            const Search::Step* s = steps_[k];
            if (!s->adaptive && others >= C.max_other_edits) continue;
            if (cost + s->q < C.min_path_log10) continue;
            int32_t to = T.walk(node, s->truth);
            if (to < 0) continue;
            push(s->truth);
            edits_.push_back(s->edit);
            walk(i + s->k, part_start, to, cost + s->q, others + (s->adaptive ? 0 : 1), loose);
            edits_.pop_back();
            pop(here);
        }
        // an å/ä/ö the OCR dropped altogether
        if (static_cast<int>(inserted_.size()) < C.max_insertions) {
            for (const auto& [truth, q, edit] : S.dropped()) {
                if (cost + q < C.min_path_log10) continue;
                int32_t to = T.walk(node, truth);
                if (to < 0) continue;
                push(truth);
                edits_.push_back(edit);
                inserted_.push_back(here);
                walk(i, part_start, to, cost + q, others, loose);
                inserted_.pop_back();
                edits_.pop_back();
                pop(here);
            }
        }
        if (elements_ != nullptr && parts_.empty() && compounds_ && static_cast<long>(part_len) >= C.min_part
            && !inserted_at_edge(part_start)) {
            ustr two = undotted(slice(low_, i, i + 2));
            if (S.heads().count(two)) {
                uint32_t f = L.flags_of(key);
                if ((f & F_SAOL) && !(f & opens_) && L.is_valid_id(key))
                    // a word opens a name when an element follows: searched after the ordinary readings
                    later_.push_back(Later{i, built_, {Part{part_start, part_len, key}}, edits_, cost, others, inserted_});
            }
        }
    }

    const Search& S;
    const Lexicon& L;
    const Trie& T;
    const Config& C;
    const ustr& token_;
    const ustr low_;
    const size_t n_;
    const bool compounds_;
    bool capital_;
    uint32_t opens_;
    const UstrSet* elements_;
    std::vector<Reading>& found_;
    Scratch& scratch_;
    std::vector<const Search::Step*>& steps_;
    std::vector<size_t>& offsets_;
    ustr& built_;
    std::vector<uint64_t>& hash_;  // hash_[k]: of built_[:k]
    std::vector<Part>& parts_;
    std::vector<int>& edits_;
    std::vector<size_t>& inserted_;  // where in built_ the letters the OCR dropped were put back
    long budget_ = 0;
    std::vector<Later> later_;
};

}  // namespace

std::vector<Reading> Search::readings(const ustr& token, bool compounds) const {
    std::vector<Reading> found;
    Walker(*this, token, compounds, found).run();
    return found;
}

}  // namespace svfix
