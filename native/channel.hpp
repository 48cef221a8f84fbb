// The inverted confusion table (svfix.channel.Channel), with each edit numbered in the order
// Python lists them: `Channel.inverse` in dict order, each observed string's edits in order.
// Readings carry these numbers; the Python side maps them back to its Edit objects.
#pragma once

#include <unordered_map>
#include <vector>

#include "text.hpp"

namespace svfix {

struct Edit {
    ustr truth, observed;
    ustr truth_lower, observed_lower;
    double log10_q;
    bool adaptive;
};

class Channel {
public:
    void add(const ustr& truth, const ustr& observed, double log10_q, bool adaptive) {
        int id = static_cast<int>(edits_.size());
        edits_.push_back(Edit{truth, observed, lower(truth), lower(observed), log10_q, adaptive});
        inverse_[observed].push_back(id);
    }
    const std::vector<int>& explanations(const ustr& observed) const {
        auto it = inverse_.find(observed);
        return it == inverse_.end() ? empty_ : it->second;
    }
    const Edit& edit(int id) const { return edits_[id]; }
    size_t size() const { return edits_.size(); }
    const std::unordered_map<ustr, std::vector<int>>& inverse() const { return inverse_; }

private:
    std::vector<Edit> edits_;
    std::unordered_map<ustr, std::vector<int>> inverse_;
    std::vector<int> empty_;
};

}  // namespace svfix
