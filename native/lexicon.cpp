#include "lexicon.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace svfix {

namespace {
const char kMagic[] = "SVFIXWORDS1\n";
}  // namespace

Trie::Trie(const std::string& blob) : direct_(0x400, 0) {
    size_t magic = std::strlen(kMagic);
    if (blob.size() < magic + 5 || blob.compare(0, magic, kMagic) != 0)
        throw std::runtime_error("not an svfix word list (bad magic)");
    size_t pos = magic;
    size_t eol = blob.find('\n', pos);
    if (eol == std::string::npos) throw std::runtime_error("svfix word list: no alphabet");
    alphabet_ = from_utf8(blob.substr(pos, eol - pos));
    if (alphabet_.size() > 255) throw std::runtime_error("svfix word list: alphabet too large");
    for (size_t k = 0; k < alphabet_.size(); ++k) {
        char32_t c = alphabet_[k];
        uint8_t sym = static_cast<uint8_t>(k + 1);
        if (c < direct_.size()) direct_[c] = sym; else other_[c] = sym;
    }
    pos = eol + 1;
    if (pos + 4 > blob.size()) throw std::runtime_error("svfix word list: truncated");
    uint32_t count = 0;
    for (int b = 0; b < 4; ++b) count |= static_cast<uint32_t>(static_cast<uint8_t>(blob[pos + b])) << (8 * b);
    pos += 4;
    count_ = count;

    // Pass 1: nodes in depth-first order (the order sorted keys create them), with their
    // parent, label and key; count each node's children. (Written by index: no more nodes
    // than letters, so the arrays are sized once.)
    size_t upper = blob.size() - pos + 1;
    std::vector<uint32_t> parent(upper);
    std::vector<uint8_t> label(upper);
    std::vector<int32_t> key(upper, -1);
    std::vector<uint16_t> children(upper, 0);
    size_t made = 1;  // the root
    std::vector<uint32_t> path{0};  // path[d] = node at depth d for the previous key
    path.reserve(256);
    const char* data = blob.data();
    const size_t end = blob.size();
    const size_t alphabet = alphabet_.size();
    for (uint32_t id = 0; id < count; ++id) {
        if (pos >= end) throw std::runtime_error("svfix word list: truncated entries");
        uint32_t shared = static_cast<uint8_t>(data[pos++]);
        if (shared + 1 > path.size()) throw std::runtime_error("svfix word list: bad prefix length");
        path.resize(shared + 1);
        while (true) {
            if (pos >= end) throw std::runtime_error("svfix word list: truncated key");
            uint8_t sym = static_cast<uint8_t>(data[pos++]);
            if (sym == 0) break;
            if (sym > alphabet) throw std::runtime_error("svfix word list: bad symbol");
            uint32_t node = static_cast<uint32_t>(made++);
            parent[node] = path.back();
            label[node] = sym;
            ++children[path.back()];
            path.push_back(node);
        }
        key[path.back()] = static_cast<int32_t>(id);
    }
    // Pass 2: give every node a block for its children, in depth-first order; place each node
    // in its parent's block. Only the blocks of the nodes on the current path are being written,
    // so both passes run through memory in order.
    size_t n = made;
    labels_.assign(n, 0);
    nodes_.assign(n, Node{0, 0, -1});
    n_children_.assign(n, 0);
    std::vector<uint32_t> block(n), placed(n, 0), at(n);
    uint32_t next_free = 1;  // the root is at 0
    for (size_t i = 0; i < n; ++i) {
        if (children[i] > 255) throw std::runtime_error("svfix word list: too many children");
        block[i] = next_free;
        next_free += children[i];
    }
    at[0] = 0;
    for (size_t i = 1; i < n; ++i) at[i] = block[parent[i]] + placed[parent[i]]++;
    for (size_t i = 0; i < n; ++i) {
        uint32_t to = at[i];
        labels_[to] = label[i];
        nodes_[to].first_child = block[i];
        nodes_[to].key = key[i];
        n_children_[to] = static_cast<uint8_t>(children[i]);
        if (i != 0 && label[i] < 64) nodes_[at[parent[i]]].low |= uint64_t{1} << label[i];
    }
    root_.fill(-1);
    for (uint32_t k = 0; k < n_children_[kRoot]; ++k)
        root_[labels_[nodes_[kRoot].first_child + k]] = static_cast<int32_t>(nodes_[kRoot].first_child + k);
}

std::vector<ustr> Trie::all_keys() const {
    std::vector<ustr> out(count_);
    for_each_key([&](int32_t id, const ustr& key) { out[id] = key; });
    return out;
}

Lexicon::Lexicon(const std::string& words, std::string zipf, std::string flags, const std::string& english_words,
                 std::string english_zipf)
    : trie_(words), zipf_(std::move(zipf)), flags_(std::move(flags)), english_(english_words),
      english_zipf_(std::move(english_zipf)) {
    if (zipf_.size() != trie_.size() || flags_.size() != 2 * trie_.size())
        throw std::runtime_error("svfix lexicon: the zipf and flag arrays do not match the word list");
    if (english_zipf_.size() != english_.size())
        throw std::runtime_error("svfix lexicon: the English zipf array does not match its word list");
}

std::shared_ptr<const FuzzyIndex> Lexicon::fuzzy(double min_zipf, double plain_min_zipf, long min_length) const {
    std::lock_guard<std::mutex> lock(fuzzy_made_);
    if (!fuzzy_ || fuzzy_->min_zipf() != min_zipf || fuzzy_->plain_min_zipf() != plain_min_zipf
        || fuzzy_->min_length() != min_length)
        fuzzy_ = std::make_shared<const FuzzyIndex>(*this, min_zipf, plain_min_zipf, min_length);
    return fuzzy_;
}

double Lexicon::prior_id(int32_t id) const {
    if (id < 0) return -std::numeric_limits<double>::infinity();
    double z = static_cast<uint8_t>(zipf_[id]) / 10.0;
    uint32_t f = flags_of(id);
    if (!stands_alone_flags(f)) return -std::numeric_limits<double>::infinity();
    if (f & F_NAMES) z = std::max(z, constants.name_floor_zipf);
    if (f & F_CURATED) return std::max(z, constants.curated_floor_zipf);
    if (f & F_NAMES) return z;
    return z - constants.web_only_penalty;
}

}  // namespace svfix
