// One document in, its changes out: svfix/pipeline.py's analyse() and restore_reference(), with
// every per-word answer kept for the rest of the batch. The Python pipeline is the reference;
// tests/test_native.py holds the two to the same output.
//
// Every distinct word and separator the engine meets is interned once: its answers (is it
// suspicious, its readings, its evidence, is it English, is it an address anchor, does the
// separator end a sentence ...) are fields of its entry, so a document costs a table lookup
// per distinct word and array reads per occurrence. Decisions are cached by small integer
// keys (word, profile, shape, neighbours). When the tables grow past their bound, they are all
// forgotten together (ids are then reused), which keeps a long batch's memory bounded.
#pragma once

#include <Python.h>

#include <deque>
#include <forward_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "context.hpp"
#include "fuzzy.hpp"
#include "flat_map.hpp"
#include "intern.hpp"
#include "model.hpp"
#include "shared_readings.hpp"

namespace svfix {

// A contextual judgement's candidates as the context model knows them, resolved at its first
// occurrence: `bonus_at[i]` is where scored[i]'s word stands in `plan.names` (-1: unknown).
struct ContextCandidates {
    ContextPlan plan;
    std::vector<int> bonus_at;
};

struct Judged {
    Decision decision;
    std::shared_ptr<const std::vector<Reading>> readings;  // what `scored` points into
    std::vector<Scored> scored;                             // kept only when context decides
    bool contextual = false;
    Forms reach;
    mutable std::unique_ptr<const ContextCandidates> candidates;  // made when context first asks
};

struct Options {
    bool compounds = true, use_context = true, use_document = true;
    double apply_threshold = 0.5;
};

struct ChangeOut {
    size_t start, end;
    uint32_t word;            // the token, by word id (its text is the original)
    const ustr* original;     // the original, when it is not a whole token (a split word's half)
    const ustr* replacement;  // stable: held by the engine's tables or by the document's `owned`
    double confidence;
    Reason reason;
    bool applied;
};

struct Restored {
    ustr text;               // the document, as the changes' offsets count it
    std::vector<ChangeOut> changes;
    std::deque<ustr> owned;  // replacements made for this document alone
};

// A document fixed for the batch: the text with the applied changes, and every change as a
// line of the change log (svfix.batch._change_line, byte for byte).
struct Logged {
    ustr text;
    std::string log;
    long applied = 0, suggested = 0;
    long words = 0;  // len(input.split()): the batch counts words, and a pass here is cheaper
};

// A change's confidence as the change log writes it: repr(round(x, 4)).
std::string confidence_text(double x);

// The Python functions the engine asks about separators and short words: regular expressions
// whose answers it keeps per distinct string.
struct Callbacks {
    PyObject* ends_sentence = nullptr;     // context.ends_sentence(sep)
    PyObject* break_free = nullptr;        // casing._BREAK.search(sep) is None
    PyObject* plain_before = nullptr;      // tokenize._plain_before(sep)
    PyObject* plain_after = nullptr;       // tokenize._plain_after(sep)
    PyObject* line_end_hyphen = nullptr;   // pipeline._LINE_END_HYPHEN.fullmatch(sep) is not None
    PyObject* anchor = nullptr;            // tokenize._ANCHOR.fullmatch(word) is not None
    PyObject* www = nullptr;               // tokenize._WWW.fullmatch(word) is not None
    PyObject* address_chunk = nullptr;     // tokenize.is_address_chunk(chunk)
    PyObject* transfer_case = nullptr;     // tokenize.transfer_case(token, word), beyond Latin-1 (casing.hpp)
};

// Answers that are -1 until asked.
using Tri = int8_t;

// What a document asks of every word, kept apart from the rest so that a pass over a
// document's words reads 16 bytes each (4 words a cache line).
enum : uint8_t {
    W_ALPHA = 1, W_UPPER = 2, W_TITLE = 4, W_FIRST_UPPER = 8, W_FIRST_LOWER = 16, W_SWEDISH = 32, W_LOWER = 64
};
struct WordHot {
    uint32_t doc = 0, at = 0;  // where it stands in the document being restored (when doc matches)
    uint32_t len = 0;
    uint8_t bits = 0;          // W_*; W_SWEDISH: not ASCII and has å/ä/ö (a spelling the page shows)
    Tri look = -1;             // could it be damaged?
};

// Stable storage: entries never move, and finding one is a shift and a mask.
template <class T>
class Chunked {
public:
    T& operator[](size_t i) { return chunks_[i >> kShift][i & kMask]; }
    const T& operator[](size_t i) const { return chunks_[i >> kShift][i & kMask]; }
    size_t size() const { return size_; }
    T& emplace_back() {
        if ((size_ & kMask) == 0) chunks_.push_back(std::make_unique<T[]>(kMask + 1));
        size_t at = size_++;
        return chunks_[at >> kShift][at & kMask];
    }
    void clear() { chunks_.clear(); size_ = 0; }

private:
    static constexpr size_t kShift = 12, kMask = (size_t{1} << kShift) - 1;
    std::vector<std::unique_ptr<T[]>> chunks_;
    size_t size_ = 0;
};

// A restoration of a word as written on the page (Engine::restore_case), kept on the word: a
// table keyed by (word, restoration) cost a cache miss or two for each of a document's changes.
struct Cased {
    uint32_t form;  // the restoration in the form table
    bool mid;       // mid-sentence
    ustr text;
};

struct WordEntry {
    ustr word;
    ustr lowered;  // word.lower(), kept only when it differs from the word (most words are lowercase)
    const ustr& low() const { return lowered.empty() ? word : lowered; }
    bool alpha = false, upper = false, title = false, first_upper = false, first_lower = false;
    Tri english = -1, maybe_english = -1, anchor = -1, www = -1, domain = -1, valid_low = -1;
    Tri unlisted = -1;  // no listed word, with or without its dots (pipeline._noise)
    uint32_t token = UINT32_MAX;  // its neighbour class (svfix.context._token) in the form table
    uint32_t low_form = UINT32_MAX;   // `low` in the form table, once asked
    uint32_t wild_form = UINT32_MAX;  // `low` with every letter a damaged å/ä/ö may show as "*"
    // the shape it was last judged under, for the page shape and judged key it was made for
    uint32_t shape_page = UINT32_MAX, shape_for = 0;
    uint64_t shape_key = UINT64_MAX;
    std::shared_ptr<const std::vector<Reading>> readings[2];  // by `compounds`
    std::shared_ptr<const std::vector<Reading>> fuzzy;        // the lexicon's fuzzy match, once asked
    bool fuzzy_whole = false;  // `fuzzy` is the whole search's answer, not only one letter off
    // the reading the word proves (an index into `readings`), kNoProof or kUnasked
    static constexpr int16_t kNoProof = -1, kUnasked = -2;
    int16_t proof[2] = {kUnasked, kUnasked};
    // its decisions, by (profile, shape, options): a word meets few profiles in a batch; the
    // last one asked is also kept in the entry itself
    std::vector<std::pair<uint64_t, std::unique_ptr<Judged>>> judged;
    uint64_t last_key = UINT64_MAX;
    const Judged* last = nullptr;
    std::forward_list<Cased> cased;  // (a list: the batch log points into its texts)
};

struct SepEntry {
    ustr sep;
    Tri ends = -1, break_free = -1, before = -1, after = -1, hyphen = -1;
    bool has_at, has_newline, has_dash, blank, colon, space, space_or_newline;
};

struct DecisionKey {
    uint32_t word, profile, shape;
    uint8_t flags;
    bool operator==(const DecisionKey& o) const {
        return word == o.word && profile == o.profile && shape == o.shape && flags == o.flags;
    }
};
struct ContextKey {
    DecisionKey decision;
    uint32_t neighbours[4];
    bool operator==(const ContextKey& o) const {
        return decision == o.decision && neighbours[0] == o.neighbours[0] && neighbours[1] == o.neighbours[1]
               && neighbours[2] == o.neighbours[2] && neighbours[3] == o.neighbours[3];
    }
};
struct KeyHash {
    static size_t mix(size_t h, size_t v) { return (h ^ v) * 0x100000001b3ull + (h >> 29); }
    size_t operator()(const DecisionKey& k) const noexcept {
        return mix(mix(mix(mix(0xcbf29ce484222325ull, k.word), k.profile), k.shape), k.flags);
    }
    size_t operator()(const ContextKey& k) const noexcept {
        size_t h = (*this)(k.decision);
        for (uint32_t n : k.neighbours) h = mix(h, n);
        return h;
    }
};

// Context decisions by key, the decisions in a deque so that a reference to one stays good
// while others are added; asked for every occurrence context decides.
class ContextDecisions {
public:
    const Decision* find(const ContextKey& key) const {
        const uint32_t* at = index_.find(key);
        return at != nullptr ? &decisions_[*at] : nullptr;
    }
    const Decision& add(const ContextKey& key, Decision decision) {  // (the key is not there yet)
        index_.insert(key, static_cast<uint32_t>(decisions_.size()));
        decisions_.push_back(std::move(decision));
        return decisions_.back();
    }
    size_t size() const { return decisions_.size(); }
    void clear() {
        index_.clear();
        decisions_.clear();
    }

private:
    struct Spread {  // the key hash's low bits see only the low bits of its parts: mix them all in
        size_t operator()(const ContextKey& key) const {
            uint64_t h = KeyHash()(key);
            h ^= h >> 33;
            h *= 0xff51afd7ed558ccdull;
            return static_cast<size_t>(h ^ (h >> 33));
        }
    };
    FlatMap<ContextKey, uint32_t, Spread> index_;
    std::deque<Decision> decisions_;
};

class Engine {
public:
    Engine(std::shared_ptr<Lexicon> lexicon, Config config, Channel channel, LetterCosts letter_costs,
           UstrSet shadows, UstrSet elements,
           UstrSet trigrams, UstrSet top_level_domains, std::unique_ptr<ContextModel> context, Callbacks callbacks);
    ~Engine();

    Restored restore(PyObject* text, const Options& options);
    Logged fix_logged(PyObject* text, const Options& options, const std::string& file_json, size_t offset);
    const ustr& word_text(uint32_t id) { return words_[id].word; }
    const std::vector<Reading>& readings_of(const ustr& word, bool compounds);  // pipeline._readings
    const Config& config() const { return config_; }
    const Channel& channel() const { return channel_; }
    const Search& search() const { return search_; }
    ContextModel* context() { return context_.get(); }
    const Lexicon& lexicon() const { return *lexicon_; }
    void forget();  // every table and cache (what the bound does when reached)
    // Look searched tokens up in, and publish them to, a table shared with the processes this
    // one forks from now on (a batch's workers); `bytes` bounds it. See shared_readings.hpp.
    void share_readings(size_t bytes) { shared_ = std::make_unique<SharedReadings>(bytes); }
    void unshare_readings() { shared_.reset(); }
    const SharedReadings* shared_readings() const { return shared_.get(); }

    //: More distinct words than this and everything is forgotten at the next document.
    static constexpr size_t kMaxWords = 300000;
    //: Context decisions are mostly for one sentence each: fewer are kept than other answers.
    static constexpr size_t kMaxContextDecisions = 60000;

private:
    struct Doc;
    // the stages of restore(), in order
    void split(Doc& d);
    void find_suspicious(Doc& d);
    void find_sheltered(Doc& d);
    void measure(Doc& d, const Options& o);
    double noise(const Doc& d, const Options& o);
    bool plain_unlisted(uint32_t id, const std::vector<Reading>& found, bool name_like);
    bool only_rare(const std::vector<Reading>& found) const;
    void add_proved_spellings(Doc& d);
    void mark_before_surname(Doc& d, const Options& o);
    void decide_words(Doc& d, const Options& o);
    void restore_split_words(Doc& d, const Options& o, Restored& out);
    void restore_words(Doc& d, const Options& o, Restored& out);
    uint32_t word_id(uview w) { return word_id(w, hash_view(w)); }
    uint32_t word_id(uview w, uint64_t h);
    uint32_t sep_id(uview s);
    uint32_t form_id(uview s);
    const Neighbour& neighbour_of(uint32_t form);
    bool ask(PyObject* fn, const ustr& s);
    bool sep_answer(Tri& slot, PyObject* fn, const SepEntry& e) {
        if (slot < 0) slot = ask(fn, e.sep) ? 1 : 0;
        return slot == 1;
    }
    bool word_answer(Tri& slot, PyObject* fn, const WordEntry& e) {
        if (slot < 0) slot = ask(fn, e.word) ? 1 : 0;
        return slot == 1;
    }
    bool ends_sentence(uint32_t sep) { return sep_answer(seps_[sep].ends, callbacks_.ends_sentence, seps_[sep]); }
    bool starts_sentence(uint32_t sep) {
        const SepEntry& e = seps_[sep];
        return e.sep.empty() || ends_sentence(sep) || e.has_newline;
    }
    bool continues_sentence(uint32_t sep, const WordEntry* previous);
    bool needs_look(uint32_t id);
    const std::shared_ptr<const std::vector<Reading>>& readings(WordEntry& w, bool compounds);
    const std::shared_ptr<const std::vector<Reading>>& lexicon_fuzzy(WordEntry& w, bool one_edit = false);
    const Reading* evidence(WordEntry& w, bool compounds);
    Judged judge(const ustr& word, std::shared_ptr<const std::vector<Reading>> found, const Profile& profile,
                 const Vocabulary* vocab, bool name_like, const Options& o, bool before_surname = false);
    bool in_damaged_address(const Doc& d, size_t j);
    bool in_local_part(const Doc& d, size_t j) const;
    bool englishish(WordEntry& w);
    bool maybe_english(WordEntry& w);
    bool valid_lowercase(WordEntry& w);  // the word, lowercased, is a listed Swedish word
    uint32_t neighbour_token(uint32_t word);
    bool names_a_place(const ustr& word);
    ustr transfer_case(const ustr& token, const ustr& word);
    const ustr& restore_case(uint32_t token, const Decision& decision, bool mid_sentence);
    bool in_protected_span(const Doc& d, size_t j);
    uint32_t decision_form(const Decision& decision);
    // by rates, and noise when it matters (a fuzzy reading is among the word's: Profile.noise)
    uint32_t profile_id(const Profile& p, bool with_noise);
    uint32_t shape_id(const Shape& shape);

    std::shared_ptr<Lexicon> lexicon_;
    Config config_;
    Channel channel_;
    LetterCosts letter_costs_;  // what the fuzzy match to the lexicon charges (native/fuzzy.hpp)
    Search search_;
    Model model_;
    UstrSet shadows_;
    UstrSet tlds_;
    std::unique_ptr<ContextModel> context_;
    Callbacks callbacks_;
    std::unordered_map<char32_t, bool> confusable_;
    Profile neutral_;
    std::unique_ptr<SharedReadings> shared_;  // null unless a batch shares its searches
    std::vector<size_t> split_ends_;          // split()'s buffers, kept between documents
    std::vector<uint64_t> split_hashes_;

    // the interned words, separators and lowercase forms (neighbour classes, restorations)
    Chunked<WordEntry> words_;  // entries stay put while new words arrive
    std::vector<WordHot> hot_;  // by word id
    InternTable word_ids_;
    std::vector<SepEntry> seps_;
    InternTable sep_ids_;
    std::vector<int32_t> sep_by_char_;  // one-character separators, the common case
    std::vector<ustr> forms_;
    InternTable form_ids_;
    std::vector<uint32_t> form_doc_;  // by form id: the document whose own spellings hold it
    // by form id: the document whose proofs restore it, and its place in that document's
    // extension of its spellings (Engine::add_proved_spellings)
    std::vector<uint32_t> form_proved_, form_slot_;
    std::vector<Neighbour> form_neighbour_;  // by form id: what the context model knows of it
    std::vector<char> form_neighbour_made_;
    UMap<bool> chunks_;               // is this chunk around a glued word an address?
    std::vector<std::array<double, 4>> profiles_;  // rates and noise
    // by `compounds` and word: its own readings joined with the fuzzy match they let in (the
    // few words where the match adds a reading)
    std::unordered_map<uint32_t, std::shared_ptr<const std::vector<Reading>>> lex_matched_[2];
    std::vector<Shape> shapes_;
    std::unordered_map<std::string, uint32_t> shape_ids_;  // by the shape's bytes
    UMap<bool> places_;
    size_t judged_count_ = 0;  // decisions held on word entries
    ContextDecisions context_decisions_;
    size_t cased_count_ = 0;  // Cased entries on the words (bounded like the tables)
    std::unordered_map<std::string, ustr> transfer_;
    uint32_t doc_ = 0;  // the number of the document being restored
};

}  // namespace svfix
