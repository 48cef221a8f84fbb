// The lexicon as a trie over code points, built at load from a sorted, front-coded word list.
//
// File format (written by svfix.lexicon.encode_words, read here):
//   "SVFIXWORDS1\n", the alphabet as UTF-8 and "\n", the key count as uint32 LE, then per key
//   in sorted order: one byte with the length it shares with the previous key, its remaining
//   letters as one byte each (index into the alphabet, from 1), and a 0 byte.
// Key ids are positions in that order; the zipf bytes and flag words are indexed by them.
//
// Children of a node are contiguous and sorted by symbol, so the candidate search extends a
// prefix by a letter with a bit test instead of a string lookup.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "bits.hpp"
#include "fuzzy.hpp"
#include "text.hpp"

namespace svfix {

// Flag bits, as in svfix.lexicon.Flag (and wordlists/build_lexicon.py).
enum : uint32_t {
    F_WORDFREQ = 1u << 0, F_HUNSPELL = 1u << 1, F_SAOL = 1u << 2, F_GIVEN_NAME = 1u << 3,
    F_SURNAME = 1u << 4, F_PLACE = 1u << 5, F_MUNICIPAL = 1u << 6, F_PROPER = 1u << 7,
    F_COMPOUND_FIRST = 1u << 8, F_COMPOUND_MIDDLE = 1u << 9, F_COMPOUND_LAST = 1u << 10,
    F_ONLY_IN_COMPOUND = 1u << 11, F_KOMMUN_OR_LAN = 1u << 12, F_SAOL_FORM = 1u << 13,
    F_ACRONYM = 1u << 14, F_ABBREVIATION = 1u << 15,
};
constexpr uint32_t F_CURATED = F_HUNSPELL | F_SAOL | F_MUNICIPAL | F_ABBREVIATION;
constexpr uint32_t F_NAMES = F_GIVEN_NAME | F_SURNAME | F_PLACE | F_KOMMUN_OR_LAN;
constexpr uint32_t F_STANDALONE = F_WORDFREQ | F_NAMES | F_SAOL | F_ABBREVIATION;

class Trie {
public:
    explicit Trie(const std::string& blob);

    static constexpr int32_t kRoot = 0;

    // The node reached from `node` by code point c, or -1.
    int32_t child(int32_t node, char32_t c) const {
        if (node < 0) return -1;
        uint8_t sym = symbol(c);
        if (!sym) return -1;
        if (node == kRoot) return root_[sym];  // every compound part starts here: a direct table
        const Node& at_node = nodes_[node];
        if (sym < 64) {  // every Latin-1 letter: one bit test, and the bits below count the place
            const uint64_t bit = uint64_t{1} << sym;
            if (!(at_node.low & bit)) return -1;
            return static_cast<int32_t>(at_node.first_child + count_bits(at_node.low & (bit - 1)));
        }
        // the rarer letters: their labels follow the masked ones, sorted
        const uint32_t masked = count_bits(at_node.low);
        const uint32_t first = at_node.first_child + masked;
        const uint8_t* labels = labels_.data() + first;
        const uint8_t* end = labels + (n_children_[node] - masked);
        const uint8_t* found = std::lower_bound(labels, end, sym);
        return found != end && *found == sym ? static_cast<int32_t>(first + (found - labels)) : -1;
    }
    int32_t walk(int32_t node, const ustr& s) const {
        for (char32_t c : s) {
            node = child(node, c);
            if (node < 0) return -1;
        }
        return node;
    }
    int32_t walk(int32_t node, const char32_t* s, size_t n) const {
        for (size_t i = 0; i < n; ++i) {
            node = child(node, s[i]);
            if (node < 0) return -1;
        }
        return node;
    }
    int32_t key_at(int32_t node) const { return node < 0 ? -1 : nodes_[node].key; }
    int32_t key_id(const ustr& s) const { return key_at(walk(kRoot, s)); }
    bool has_prefix(const ustr& s) const { return count_ > 0 && walk(kRoot, s) >= 0; }
    size_t size() const { return count_; }
    std::vector<ustr> all_keys() const;  // in id order
    // f(id, key) for every key, depth first (sorted order), one buffer for the spelling
    template <class F>
    void for_each_key(F f) const {
        struct Frame { int32_t node; size_t depth; };
        std::vector<Frame> stack{{kRoot, 0}};
        ustr prefix;
        while (!stack.empty()) {
            Frame at = stack.back();
            stack.pop_back();
            prefix.resize(at.depth);
            if (at.node != kRoot) prefix.push_back(alphabet_[labels_[at.node] - 1]);
            if (nodes_[at.node].key >= 0) f(nodes_[at.node].key, prefix);
            uint32_t first = nodes_[at.node].first_child;
            for (uint32_t k = n_children_[at.node]; k-- > 0;)
                stack.push_back({static_cast<int32_t>(first + k), prefix.size()});
        }
    }

private:
    uint8_t symbol(char32_t c) const {
        if (c < direct_.size()) return direct_[c];
        auto it = other_.find(c);
        return it == other_.end() ? 0 : it->second;
    }

    std::vector<uint8_t> direct_;                // code point -> symbol, below 0x400
    std::unordered_map<char32_t, uint8_t> other_;
    ustr alphabet_;
    // A node's children are contiguous and sorted by symbol: their labels in `labels_`, the
    // rest in one 16-byte record each. `low` has bit s set when a child is labelled s (s < 64:
    // the alphabet is in code point order, so that is every Latin-1 letter), which makes a step
    // one bit test and a popcount, and a step that finds nothing (most of the search's) no
    // scan at all.
    struct Node {
        uint64_t low;
        uint32_t first_child;
        int32_t key;  // -1: no word ends here
    };
    std::vector<uint8_t> labels_;
    std::vector<Node> nodes_;
    std::vector<uint8_t> n_children_;  // by node (the records stay 16 bytes)
    std::array<int32_t, 256> root_;  // the root's child by symbol, or -1
    size_t count_ = 0;
};

struct LexiconConstants {
    double name_floor_zipf = 2.5;
    double curated_floor_zipf = 2.0;
    double web_only_penalty = 1.5;
};

class Lexicon {
public:
    Lexicon(const std::string& words, std::string zipf, std::string flags, const std::string& english_words,
            std::string english_zipf);

    const Trie& trie() const { return trie_; }
    int32_t key_id(const ustr& w) const { return trie_.key_id(w); }
    double zipf_of(int32_t id) const { return id >= 0 ? static_cast<uint8_t>(zipf_[id]) / 10.0 : 0.0; }
    uint32_t flags_of(int32_t id) const {
        return id >= 0 ? static_cast<uint32_t>(static_cast<uint8_t>(flags_[2 * id]))
                             | (static_cast<uint32_t>(static_cast<uint8_t>(flags_[2 * id + 1])) << 8)
                       : 0u;
    }
    double zipf(const ustr& w) const { return zipf_of(key_id(w)); }
    uint32_t flags(const ustr& w) const { return flags_of(key_id(w)); }

    static bool stands_alone_flags(uint32_t f) { return !((f & F_ONLY_IN_COMPOUND) && !(f & F_STANDALONE)); }
    bool stands_alone_id(int32_t id) const { return id >= 0 && stands_alone_flags(flags_of(id)); }
    bool is_valid_id(int32_t id) const {
        if (id < 0) return false;
        uint32_t f = flags_of(id);
        if (!stands_alone_flags(f)) return false;
        return (f & (F_CURATED | F_NAMES)) || static_cast<uint8_t>(zipf_[id]) >= 30;
    }
    bool is_valid(const ustr& w) const { return is_valid_id(key_id(w)); }
    double prior_id(int32_t id) const;
    double prior(const ustr& w) const { return prior_id(key_id(w)); }
    double english_zipf(const ustr& w) const {
        int32_t id = english_.key_id(w);
        return id >= 0 ? static_cast<uint8_t>(english_zipf_[id]) / 10.0 : 0.0;
    }
    const Trie& english() const { return english_; }

    // How often written prose has each form (svfix.register), by id; `tokens` its size.
    void set_register(std::vector<uint32_t> counts, long tokens) {
        register_counts_ = std::move(counts);
        register_tokens_ = tokens;
    }
    long register_count(int32_t id) const {
        return id >= 0 && static_cast<size_t>(id) < register_counts_.size() ? register_counts_[id] : 0;
    }
    long register_tokens() const { return register_tokens_; }

    // The index of frequent words for fuzzy matches (native/fuzzy.hpp, 0.03 s to make), made
    // when a token first needs it and again if asked with other bounds (tuning does).
    std::shared_ptr<const FuzzyIndex> fuzzy(double min_zipf, double plain_min_zipf, long min_length) const;

    LexiconConstants constants;

private:
    Trie trie_;
    std::string zipf_, flags_;
    std::vector<uint32_t> register_counts_;
    long register_tokens_ = 0;
    Trie english_;
    std::string english_zipf_;
    mutable std::mutex fuzzy_made_;
    mutable std::shared_ptr<const FuzzyIndex> fuzzy_;
};

}  // namespace svfix
