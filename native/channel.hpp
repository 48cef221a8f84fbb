// The inverted confusion table (svfix.channel.Channel), with each edit numbered in the order
// Python lists them: `Channel.inverse` in dict order, each observed string's edits in order.
// Readings carry these numbers; the Python side maps them back to its Edit objects.
#pragma once

#include <algorithm>
#include <stdexcept>
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

// A damage form: which å/ä/ö (lowercase) the page had and what the OCR wrote (lowercase).
// Forms are numbered in the order of their strings, so ordering by number is Python's sorted().
struct FormInfo {
    ustr truth, observed;
    int letter;  // 0, 1, 2 for å, ä, ö
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
    // Number the damage forms of the adaptive edits (call once, after the last `add`).
    void finish() {
        std::vector<std::pair<ustr, ustr>> seen;
        for (const Edit& e : edits_)
            if (e.adaptive) seen.emplace_back(e.truth_lower, e.observed_lower);
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        if (seen.size() > 256) throw std::runtime_error("svfix engine: more than 256 damage forms in the channel");
        static const ustr letters = U"\u00e5\u00e4\u00f6";
        for (const auto& [t, o] : seen) {
            size_t at = t.size() == 1 ? letters.find(t[0]) : ustr::npos;
            forms_.push_back(FormInfo{t, o, at == ustr::npos ? -1 : static_cast<int>(at)});
        }
        form_of_.assign(edits_.size(), -1);
        for (size_t id = 0; id < edits_.size(); ++id) {
            const Edit& e = edits_[id];
            if (!e.adaptive) continue;
            auto at = std::lower_bound(seen.begin(), seen.end(), std::make_pair(e.truth_lower, e.observed_lower));
            form_of_[id] = static_cast<int>(at - seen.begin());
        }
    }
    int form_of(int edit) const { return form_of_[edit]; }  // -1 for an edit that is not adaptive
    const FormInfo& form(int f) const { return forms_[f]; }
    size_t size() const { return edits_.size(); }
    const std::unordered_map<ustr, std::vector<int>>& inverse() const { return inverse_; }

private:
    std::vector<Edit> edits_;
    std::unordered_map<ustr, std::vector<int>> inverse_;
    std::vector<FormInfo> forms_;
    std::vector<int> form_of_;
    std::vector<int> empty_;
};

}  // namespace svfix
