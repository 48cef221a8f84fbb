// One document in, its changes out: svfix/pipeline.py's analyse() and restore(), with every
// per-word answer cached across the documents of a batch. The Python pipeline is the
// reference; tests/test_native.py holds the two to the same output.
#pragma once

#include <Python.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "context.hpp"
#include "model.hpp"

namespace svfix {

// A cache bounded at `limit` entries that forgets its older half when full (lexicon.remember).
template <class K, class V, class H = std::hash<K>, class E = std::equal_to<K>>
class Memo {
public:
    explicit Memo(size_t limit) : limit_(limit) {}
    template <class Q>
    const V* find(const Q& key) const {
        auto it = map_.find(key);
        return it == map_.end() ? nullptr : &it->second;
    }
    const V& put(const K& key, V value) {
        if (map_.size() > limit_) {
            size_t drop = order_.size() / 2;
            for (size_t k = 0; k < drop; ++k) {
                map_.erase(order_.front());
                order_.pop_front();
            }
        }
        auto [it, inserted] = map_.insert_or_assign(key, std::move(value));
        if (inserted) order_.push_back(key);
        return it->second;
    }
    size_t size() const { return map_.size(); }
    void clear() { map_.clear(); order_.clear(); }

private:
    size_t limit_;
    std::unordered_map<K, V, H, E> map_;
    std::deque<K> order_;
};
template <class V>
using UMemo = Memo<ustr, V, UstrHash, UstrEq>;

struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
};
struct StringEq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
};

struct Judged {
    Decision decision;
    std::shared_ptr<const std::vector<Reading>> readings;  // what `scored` points into
    std::vector<Scored> scored;                             // kept only when context decides
    bool contextual = false;
    Forms reach;
};

struct Options {
    bool compounds = true, use_context = true, use_document = true;
    double apply_threshold = 0.5;
};

struct ChangeOut {
    size_t start, end;
    ustr original, replacement;
    double confidence;
    Reason reason;
    bool applied;
};

// The Python functions the engine asks about separators and short words: regular expressions
// whose answers it caches per distinct string.
struct Callbacks {
    PyObject* ends_sentence = nullptr;     // context.ends_sentence(sep)
    PyObject* break_free = nullptr;        // casing._BREAK.search(sep) is None
    PyObject* plain_before = nullptr;      // tokenize._plain_before(sep)
    PyObject* plain_after = nullptr;       // tokenize._plain_after(sep)
    PyObject* line_end_hyphen = nullptr;   // pipeline._LINE_END_HYPHEN.fullmatch(sep) is not None
    PyObject* anchor = nullptr;            // tokenize._ANCHOR.fullmatch(word) is not None
    PyObject* www = nullptr;               // tokenize._WWW.fullmatch(word) is not None
    PyObject* in_protected_span = nullptr; // tokenize.in_protected_span(text, start, end, left, right)
    PyObject* transfer_case = nullptr;     // tokenize.transfer_case(token, word)
};

class Engine {
public:
    Engine(std::shared_ptr<Lexicon> lexicon, Config config, Channel channel, UstrSet shadows, UstrSet elements,
           UstrSet trigrams, UstrSet top_level_domains, std::unique_ptr<ContextModel> context, Callbacks callbacks);
    ~Engine();

    std::vector<ChangeOut> restore(PyObject* text, const Options& options);
    std::vector<Reading> readings_of(const ustr& word, bool compounds);  // pipeline._readings
    const Config& config() const { return config_; }
    const Channel& channel() const { return channel_; }
    const Model& model() const { return model_; }
    const Search& search() const { return search_; }
    ContextModel* context() { return context_.get(); }
    const Lexicon& lexicon() const { return *lexicon_; }
    size_t cached_entries() const;

private:
    struct Doc;
    bool ask(PyObject* fn, uview s, Memo<ustr, bool, UstrHash, UstrEq>& memo);
    bool ends_sentence(uview sep) { return ask(callbacks_.ends_sentence, sep, ends_memo_); }
    bool starts_sentence(uview sep) { return sep.empty() || ends_sentence(sep) || sep.find(U'\n') != uview::npos; }
    bool continues_sentence(uview sep, const uview* previous);
    ustr transfer_case(const ustr& token, const ustr& word);
    bool needs_look(uview word);
    const std::optional<Reading>& evidence(const ustr& word, bool compounds);
    Judged judge(const ustr& word, const std::vector<Reading>& found, const Profile& profile,
                 const Vocabulary* vocab, bool name_like, const Options& o);
    bool in_damaged_address(const Doc& d, size_t j);
    bool englishish(const ustr& word);
    bool maybe_english(uview word);
    ustr neighbour_token(uview w);
    bool names_a_place(const ustr& word);
    ustr restore_case(const ustr& token, const ustr& word, bool mid_sentence);

    std::shared_ptr<Lexicon> lexicon_;
    Config config_;
    Channel channel_;
    Search search_;
    Model model_;
    UstrSet shadows_;
    UstrSet tlds_;
    std::unique_ptr<ContextModel> context_;
    Callbacks callbacks_;
    std::unordered_map<char32_t, bool> confusable_;
    Profile neutral_;

    UMemo<bool> look_, ends_memo_, break_memo_, before_memo_, after_memo_, hyphen_memo_, anchor_memo_, www_memo_;
    UMemo<bool> english_memo_, maybe_english_memo_, place_memo_;
    UMemo<ustr> token_memo_;
    UMemo<std::vector<Reading>> readings_[2];
    UMemo<std::optional<Reading>> evidence_[2];
    Memo<std::string, Judged, StringHash, StringEq> decisions_;
    Memo<std::string, Decision, StringHash, StringEq> context_decisions_;
    Memo<std::string, ustr, StringHash, StringEq> case_memo_;
};

}  // namespace svfix
