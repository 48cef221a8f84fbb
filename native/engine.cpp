#include "engine.hpp"

#include "casing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <span>
#include <stdexcept>
#ifdef SVFIX_PHASES  // time the stages of restore(): build with -DSVFIX_PHASES, read _native.phases()
#include <chrono>
double g_phase[16];
static inline double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
long g_count[8];  // judgements, searches, context scores, casings, documents
#define COUNT(k) (++g_count[k])
#define PHASE_START double t_prev = now_s(), t_now
#define PHASE(k) (t_now = now_s(), g_phase[k] += t_now - t_prev, t_prev = t_now)
#else
#define PHASE_START
#define PHASE(k)
#define COUNT(k)
#endif

namespace svfix {

namespace {

// pipeline._restores_no_listed_word: a compound, or the token as it stands
bool restores_no_listed_word(const Reading& r) { return r.n_parts > 1 || (r.edits.empty() && !r.fuzzy); }

// pipeline._only_compounds: no reading restores the token as one listed word (each is a
// compound, or the token as it stands), so the fuzzy match to the lexicon is asked too.
bool only_compounds(const std::vector<Reading>& found) {
    return std::all_of(found.begin(), found.end(), restores_no_listed_word);
}

constexpr uint8_t kPlain = W_ALPHA | W_LOWER;  // a token of lowercase letters

// pipeline._joined: `found`, then the readings of `more` that restore a word none of `found` does.
std::shared_ptr<const std::vector<Reading>> joined(const std::vector<Reading>& found, std::vector<Reading> more) {
    std::vector<Reading> all(found);
    UstrSet known;
    for (const Reading& r : all) known.insert(r.word);
    for (Reading& r : more)
        if (!known.count(r.word)) all.push_back(std::move(r));
    return std::make_shared<const std::vector<Reading>>(std::move(all));
}

constexpr size_t kMaxCached = 250000;  // decisions, context decisions, cases: then forget all
constexpr uint32_t kNone = UINT32_MAX;

struct PyRef {  // owns one reference
    PyObject* p;
    explicit PyRef(PyObject* o) : p(o) {}
    ~PyRef() { Py_XDECREF(p); }
    PyRef(const PyRef&) = delete;
    PyRef& operator=(const PyRef&) = delete;
};

[[noreturn]] void python_failed() { throw std::runtime_error("svfix engine: a Python callback failed"); }

PyObject* py_str(uview s) {
    PyObject* o = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s.data(), static_cast<Py_ssize_t>(s.size()));
    if (!o) python_failed();
    return o;
}

bool ring_letter(char32_t c) {  // [a-zåäö]: an "&" after one of these is OCR's å
    return (c >= U'a' && c <= U'z') || c == U'\u00e5' || c == U'\u00e4' || c == U'\u00f6';
}

bool dots_on_a_and_o(const ustr& token, const ustr& restored) {
    if (restored.size() != token.size()) return false;
    static const ustr dotted = U"\u00e5\u00e4\u00f6";
    for (size_t i = 0; i < token.size(); ++i) {
        char32_t a = token[i], b = restored[i];
        if (lowers_to(a, b)) continue;
        if ((a == U'A' || a == U'O') && contains(dotted, b)) continue;
        return false;
    }
    return true;
}

bool is_acronym(const WordEntry& w) { return w.word.size() > 1 && w.word.size() <= 4 && w.upper; }

uview strip_space(uview s) {  // str.strip()
    size_t a = 0, b = s.size();
    while (a < b && is_space(s[a])) ++a;
    while (b > a && is_space(s[b - 1])) --b;
    return s.substr(a, b - a);
}

Shape shape_for(const Shape& shape, const Forms& forms) {
    Shape out;
    for (const auto& item : shape)
        if (forms.has(item.first)) out.push_back(item);
    return out;
}

ustr neighbour_class(const ustr& word) {  // svfix.context._token
    bool digits = false;
    for (char32_t c : word) digits = digits || is_digit(c);
    if (!digits) return lower(word);
    bool year = word.size() == 4
                && ((word[0] == U'1' && (word[1] == U'8' || word[1] == U'9')) || (word[0] == U'2' && word[1] == U'0'))
                && is_decimal(word[2]) && is_decimal(word[3]);
    return year ? U"<YEAR>" : U"<NUM>";
}

}  // namespace

// One document, and what the engine learns of it (pipeline.Analysis and the locals of
// pipeline.analyse and restore_reference).
struct Engine::Doc {
    PyObject* obj;
    ustr text;
    uint32_t no = 0;             // its number: word entries stamped with it stand in it
    std::vector<uint32_t> w, s;  // word ids by occurrence; separator ids (s[j] stands before w[j])
    std::vector<size_t> starts;

    std::vector<std::pair<uint32_t, long>> counts;  // distinct words and their counts, first-seen order
    std::vector<uint32_t> suspicious;               // the distinct words that could be damaged
    std::vector<int32_t> suspicious_at;             // by distinct index: its place in `suspicious`, or -1
    // where each suspicious word stands: one array for the document, cut by `first` (a vector
    // per word cost an allocation for each of a document's few hundred suspicious words)
    struct Occurrences {
        std::vector<uint32_t> first{0};  // by suspicious word, and one past the last
        std::vector<uint32_t> at;
        std::span<const uint32_t> operator[](size_t k) const { return {at.data() + first[k], first[k + 1] - first[k]}; }
    } occurrences;
    std::vector<char> sheltered, taken;             // by occurrence: in an address; joined over a hyphen
    std::vector<char> name_like;                    // by suspicious word
    std::vector<char> before_surname;               // by suspicious word: written before a surname
    Survivors survivors;
    std::optional<Vocabulary> vocab;                // the page's own å/ä/ö spellings
    std::optional<Vocabulary> proved_vocab;         // the words its proofs restore that `vocab` lacks
    Vocabulary* fuzzy_vocab = nullptr;              // what the fuzzy match reaches: proved_vocab (on
                                                    // `vocab`) if there is one, else `vocab`
    Profile profile;
    std::vector<const Reading*> proofs;             // by suspicious word: what it proves, if it counts
    std::vector<long> in_text;
    Evidence shapes;
    std::array<double, 3> lost{0.0, 0.0, 0.0};
    double lost_total = 0.0;
    long letters = 0;

    struct Decided {
        bool present = false;
        const Decision* decision = nullptr;  // the judged decision (held by its word or by `held`)
        const Judged* contextual = nullptr;  // the judgement whose readings context decides between
        std::optional<DecisionKey> key;      // the cross-document key, when shared
    };
    std::vector<Decided> decided;                   // by suspicious word
    std::deque<Judged> held;                        // judgements no cache holds
    std::deque<Profile> held_profiles;

    int32_t suspicious_index(const std::vector<WordHot>& hot, uint32_t id) const { return suspicious_at[hot[id].at]; }
};

Engine::Engine(std::shared_ptr<Lexicon> lexicon, Config config, Channel channel, LetterCosts letter_costs,
               UstrSet shadows, UstrSet elements,
               UstrSet trigrams, UstrSet top_level_domains, std::unique_ptr<ContextModel> context,
               Callbacks callbacks)
    : lexicon_(std::move(lexicon)),
      config_(std::move(config)),
      channel_(std::move(channel)),
      letter_costs_(std::move(letter_costs)),
      search_(*lexicon_, channel_, config_, std::move(elements)),
      model_(*lexicon_, channel_, config_, search_, trigrams),
      shadows_(std::move(shadows)),
      tlds_(std::move(top_level_domains)),
      context_(std::move(context)),
      callbacks_(callbacks) {
    for (const auto& [observed, ids] : channel_.inverse())
        for (char32_t c : observed)
            if (is_digit(c) || c == U'&') confusable_[c] = true;
    double neutral = quantise(config_.neutral_rate);
    neutral_ = make_profile({neutral, neutral, neutral});
    for (PyObject* fn : {callbacks_.ends_sentence, callbacks_.break_free, callbacks_.plain_before, callbacks_.plain_after,
                         callbacks_.line_end_hyphen, callbacks_.anchor, callbacks_.www, callbacks_.address_chunk,
                         callbacks_.transfer_case})
        Py_XINCREF(fn);
    forget();
}

Engine::~Engine() {
    for (PyObject* fn : {callbacks_.ends_sentence, callbacks_.break_free, callbacks_.plain_before, callbacks_.plain_after,
                         callbacks_.line_end_hyphen, callbacks_.anchor, callbacks_.www, callbacks_.address_chunk,
                         callbacks_.transfer_case})
        Py_XDECREF(fn);
}

void Engine::forget() {
    words_.clear();
    hot_.clear();
    word_ids_.clear();
    seps_.clear();
    sep_ids_.clear();
    judged_count_ = 0;
    sep_by_char_.assign(0x3000, -1);
    forms_.clear();
    form_ids_.clear();
    form_doc_.clear();
    form_proved_.clear();
    form_slot_.clear();
    form_neighbour_.clear();
    form_neighbour_made_.clear();
    chunks_.clear();
    profiles_.clear();
    lex_matched_[0].clear();
    lex_matched_[1].clear();
    shapes_.clear();
    shape_ids_.clear();
    shapes_.push_back(Shape());  // id 0: no shape
    shape_ids_.emplace(std::string(), 0);
    places_.clear();
    context_decisions_.clear();
    cased_count_ = 0;
    transfer_.clear();
}

// --- interning ----------------------------------------------------------------------------------

uint32_t Engine::word_id(uview w, uint64_t h) {
    uint32_t found = word_ids_.find(w, h, [&](uint32_t id) { return uview(words_[id].word); });
    if (found != InternTable::kNone) return found;
    uint32_t id = static_cast<uint32_t>(words_.size());
    WordEntry& e = words_.emplace_back();
    e.word = ustr(w);
    ustr low = lower(e.word);
    if (low != e.word) e.lowered = std::move(low);
    e.alpha = str_isalpha(e.word);
    e.upper = str_isupper(e.word);
    e.title = str_istitle(e.word);
    e.first_upper = !w.empty() && is_upper_c(w[0]);
    e.first_lower = !w.empty() && is_lower_c(w[0]);
    WordHot& hot = hot_.emplace_back();
    hot.len = static_cast<uint32_t>(w.size());
    bool ascii = true, dotted = false;
    for (char32_t ch : w) {
        ascii = ascii && ch < 128;
        dotted = dotted || ch == U'\u00e5' || ch == U'\u00e4' || ch == U'\u00f6' || ch == U'\u00c5' || ch == U'\u00c4'
                 || ch == U'\u00d6';
    }
    hot.bits = (e.alpha ? W_ALPHA : 0) | (e.upper ? W_UPPER : 0) | (e.title ? W_TITLE : 0)
               | (e.first_upper ? W_FIRST_UPPER : 0) | (e.first_lower ? W_FIRST_LOWER : 0)
               | (!ascii && dotted ? W_SWEDISH : 0) | (str_islower(e.word) ? W_LOWER : 0);
    word_ids_.insert(w, h, id);
    return id;
}

uint32_t Engine::sep_id(uview s) {
    if (s.size() == 1 && s[0] < sep_by_char_.size() && sep_by_char_[s[0]] >= 0)
        return static_cast<uint32_t>(sep_by_char_[s[0]]);
    const uint64_t h = hash_view(s);
    uint32_t found = sep_ids_.find(s, h, [&](uint32_t id) { return uview(seps_[id].sep); });
    if (found != InternTable::kNone) return found;
    uint32_t id = static_cast<uint32_t>(seps_.size());
    SepEntry& e = seps_.emplace_back();
    e.sep = ustr(s);
    e.has_at = s.find(U'@') != uview::npos;
    e.has_newline = s.find(U'\n') != uview::npos;
    e.has_dash = s.find(U'-') != uview::npos;
    e.blank = true;
    for (char32_t c : s) e.blank = e.blank && is_space(c);  // separators[j].strip() == ""
    e.colon = s == U":";
    e.space = s == U" ";
    e.space_or_newline = s == U" " || s == U"\n";
    sep_ids_.insert(s, h, id);
    if (s.size() == 1 && s[0] < sep_by_char_.size()) sep_by_char_[s[0]] = static_cast<int32_t>(id);
    return id;
}

uint32_t Engine::form_id(uview s) {
    const uint64_t h = hash_view(s);
    uint32_t found = form_ids_.find(s, h, [&](uint32_t id) { return uview(forms_[id]); });
    if (found != InternTable::kNone) return found;
    uint32_t id = static_cast<uint32_t>(forms_.size());
    forms_.emplace_back(s);
    form_doc_.push_back(0);
    form_proved_.push_back(0);
    form_slot_.push_back(0);
    form_neighbour_.emplace_back();
    form_neighbour_made_.push_back(0);
    form_ids_.insert(s, h, id);
    return id;
}

const Neighbour& Engine::neighbour_of(uint32_t form) {
    if (!form_neighbour_made_[form]) {
        form_neighbour_[form] = context_->neighbour(forms_[form]);
        form_neighbour_made_[form] = 1;
    }
    return form_neighbour_[form];
}

uint32_t Engine::profile_id(const Profile& p, bool with_noise) {
    const std::array<double, 4> key{p.rates[0], p.rates[1], p.rates[2], with_noise ? p.noise : 0.0};
    for (size_t k = 0; k < profiles_.size(); ++k)
        if (std::memcmp(profiles_[k].data(), key.data(), sizeof key) == 0) return static_cast<uint32_t>(k);
    profiles_.push_back(key);
    return static_cast<uint32_t>(profiles_.size() - 1);
}

uint32_t Engine::shape_id(const Shape& shape) {
    std::string key;
    for (const auto& [form, boost] : shape) {
        key.append(reinterpret_cast<const char*>(&form), sizeof form);
        key.append(reinterpret_cast<const char*>(&boost), sizeof boost);
    }
    auto [it, inserted] = shape_ids_.emplace(std::move(key), static_cast<uint32_t>(shapes_.size()));
    if (inserted) shapes_.push_back(shape);
    return it->second;
}

// --- answers ------------------------------------------------------------------------------------

bool Engine::ask(PyObject* fn, const ustr& s) {
    PyRef arg(py_str(s));
    PyRef out(PyObject_CallOneArg(fn, arg.p));
    if (!out.p) python_failed();
    int truth = PyObject_IsTrue(out.p);
    if (truth < 0) python_failed();
    return truth == 1;
}

bool Engine::continues_sentence(uint32_t sep, const WordEntry* previous) {
    if (previous == nullptr || previous->word.empty() || !is_lower_c(previous->word.back())) return false;
    return sep_answer(seps_[sep].break_free, callbacks_.break_free, seps_[sep]);
}

ustr Engine::transfer_case(const ustr& token, const ustr& word) {
    if (std::optional<ustr> cased = transfer_case_latin1(token, word, config_.capitals_ending_max, config_.capitals_min))
        return *std::move(cased);
    std::string key(reinterpret_cast<const char*>(token.data()), token.size() * sizeof(char32_t));
    key.append(4, '\0');
    key.append(reinterpret_cast<const char*>(word.data()), word.size() * sizeof(char32_t));
    auto it = transfer_.find(key);
    if (it != transfer_.end()) return it->second;
    PyRef a(py_str(token)), b(py_str(word));
    PyRef out(PyObject_CallFunctionObjArgs(callbacks_.transfer_case, a.p, b.p, nullptr));
    if (!out.p) python_failed();
    return transfer_.emplace(std::move(key), from_py(out.p)).first->second;
}

bool Engine::needs_look(uint32_t id) {
    Tri& look = hot_[id].look;
    if (look >= 0) return look == 1;
    const WordEntry& w = words_[id];
    size_t letters = 0;
    for (char32_t c : w.word) letters += is_alpha(c) ? 1 : 0;
    bool verdict;
    if (letters == 0) {
        verdict = false;
    } else if (letters < w.word.size()) {
        verdict = w.word.size() >= 2;
        for (char32_t c : w.word) verdict = verdict && (is_alpha(c) || confusable_.count(c));
    } else {
        verdict = !lexicon_->is_valid(w.low()) || shadows_.count(w.low());
    }
    look = verdict ? 1 : 0;
    return verdict;
}

const std::shared_ptr<const std::vector<Reading>>& Engine::readings(WordEntry& w, bool compounds) {
    auto& slot = w.readings[compounds ? 1 : 0];
    if (slot) return slot;
    std::vector<Reading> found;
    if (shared_ == nullptr || !shared_->find(w.word, compounds, found)) {
        if (lexicon_->key_id(w.low()) < 0) {
            found = search_.dot_readings(w.word);
            w.unlisted = found.empty() ? 1 : 0;  // (no key is a listed word: pipeline._noise)
        }
        if (found.empty()) { COUNT(1); found = search_.readings(w.word, compounds); }
        if (found.empty() && compounds) found = search_.name_tail_readings(w.word);
        if (shared_ != nullptr) shared_->publish(w.word, compounds, found);
    }
    if (found.empty()) {  // (most tokens no reading explains share one empty list)
        static const auto none = std::make_shared<const std::vector<Reading>>();
        slot = none;
        return slot;
    }
    for (Reading& r : found) r.form = form_id(r.word);
    slot = std::make_shared<const std::vector<Reading>>(std::move(found));
    return slot;
}

// pipeline._plain_unlisted: a lowercase token of letters, or one capitalised only where it opens
// a sentence, that no list has (or a shadow), and no spelling the page itself shows with its dots
bool Engine::plain_unlisted(uint32_t id, const std::vector<Reading>& found, bool name_like) {
    WordEntry& w = words_[id];
    const bool opener = !name_like && w.alpha && w.title && !w.upper;  // "Entigt" (enligt)
    if ((hot_[id].bits & kPlain) != kPlain && !opener) return false;
    if (valid_lowercase(w) && !shadows_.count(w.low())) return false;
    return std::none_of(found.begin(), found.end(), [&](const Reading& r) { return r.fuzzy && r.word == w.low(); });
}

// pipeline._only_rare: the readings only make the token a rare word ("ach" read as the web
// form "öch"), so any fuzzy match to the lexicon is weighed beside them
bool Engine::only_rare(const std::vector<Reading>& found) const {
    const double explains = config_.reading_explains_prior;
    return std::all_of(found.begin(), found.end(), [&](const Reading& r) {
        return restores_no_listed_word(r) || lexicon_->prior(r.word) < explains;
    });
}

// document.fuzzy_lexicon_readings (pipeline._lexicon_fuzzy): kept on the word, like its readings.
// `one_edit`: only a match one letter off is wanted (it is the same as the whole search's when
// there is one), so the dearer search for two letters off is not run.
const std::shared_ptr<const std::vector<Reading>>& Engine::lexicon_fuzzy(WordEntry& w, bool one_edit) {
    if (w.fuzzy && (w.fuzzy_whole || one_edit)) return w.fuzzy;
    const Config& C = config_;
    std::vector<Reading> found;
    const bool plain = w.alpha && w.lowered.empty();  // lowercase letters only
    const bool title = w.alpha && !plain && w.title;   // capitalised: "Detia"
    const long length = static_cast<long>(w.low().size());
    const bool two_edits = plain && length >= C.fuzzy_lexicon_two_edits_min_length;
    const double min_length = plain ? C.fuzzy_lexicon_min_length
                              : title ? C.fuzzy_lexicon_title_min_length
                                      : C.fuzzy_min_length;
    if (length >= min_length) {
        for (const FuzzyMatch& m : lexicon_->fuzzy(C.fuzzy_lexicon_min_zipf, C.fuzzy_lexicon_plain_min_zipf,
                                                   C.fuzzy_lexicon_min_length)
                                       ->best(w.low(), letter_costs_, C.fuzzy_diacritic_log10, two_edits && !one_edit)) {
            Reading r = Reading::simple(m.word, std::u16string(), Reading::kUnasked);
            r.fuzzy = true;
            r.fuzzy_q = m.cost;
            r.fuzzy_letters = static_cast<uint8_t>(std::max(1L, m.other));
            r.form = form_id(r.word);
            found.push_back(std::move(r));
        }
    }
    // (a match one letter off is the whole search's answer too, and so is any for a token the
    // search for two letters off would not take)
    w.fuzzy_whole = !one_edit || !found.empty() || !two_edits;
    static const auto none = std::make_shared<const std::vector<Reading>>();  // (most words: no match)
    w.fuzzy = found.empty() ? none : std::make_shared<const std::vector<Reading>>(std::move(found));
    return w.fuzzy;
}

const std::vector<Reading>& Engine::readings_of(const ustr& word, bool compounds) {
    return *readings(words_[word_id(word)], compounds);
}

const Reading* Engine::evidence(WordEntry& w, bool compounds) {
    int16_t& slot = w.proof[compounds ? 1 : 0];
    const std::vector<Reading>& found = *readings(w, compounds);
    if (slot != WordEntry::kUnasked) return slot >= 0 ? &found[slot] : nullptr;
    slot = WordEntry::kNoProof;
    bool as_it_stands = false;
    for (const Reading& r : found)
        as_it_stands |= (r.word == w.low() && (r.n_parts > 1 || lexicon_->is_valid(w.low())));
    if (!found.empty() && !is_acronym(w) && !as_it_stands) {
        std::vector<Scored> scored = model_.score(w.word, found, neutral_, nullptr, false);
        const Scored& best = scored[0];
        if (best.reading != nullptr && Model::posteriors(scored)[0] >= 0.5 && !best.reading->fuzzy) {
            bool adaptive = false;
            for (int id : best.reading->edits) adaptive |= channel_.edit(id).adaptive;
            if (adaptive && best.reading - found.data() < 0x7fff) slot = static_cast<int16_t>(best.reading - found.data());
        }
    }
    return slot >= 0 ? &found[slot] : nullptr;
}

Judged Engine::judge(const ustr& word, std::shared_ptr<const std::vector<Reading>> found, const Profile& profile,
                     const Vocabulary* vocab, bool name_like, const Options& o, bool before_surname) {
    COUNT(0);
    Judged j;
    j.readings = std::move(found);  // shared, not copied: the scored readings point into it
    const std::vector<Reading>* readings = j.readings.get();
    std::vector<Scored> scored = model_.score(word, *readings, profile, vocab, name_like, before_surname);
    j.decision = model_.decide(word, scored, vocab);
    if (j.decision.has_word) j.decision.form = form_id(j.decision.word);
    j.reach = model_.within_reach(scored);
    if (o.use_context && scored.size() > 1 && context_) {
        std::vector<double> probs = Model::posteriors(scored);
        std::vector<ustr> contenders;
        ustr low = lower(word);
        for (size_t k = 0; k < scored.size(); ++k)
            if (probs[k] >= config_.context_margin) contenders.push_back(scored[k].keep ? low : scored[k].word());
        if (contenders.size() > 1 && context_->covers(contenders)) {
            j.contextual = true;
            j.scored = std::move(scored);
        }
    }
    return j;
}

bool Engine::in_protected_span(const Doc& d, size_t j) {
    // tokenize.in_protected_span: the plain-side test, then the chunk around the word
    SepEntry& left = seps_[d.s[j]];
    SepEntry& right = seps_[d.s[j + 1]];
    if (sep_answer(left.before, callbacks_.plain_before, left) && sep_answer(right.after, callbacks_.plain_after, right))
        return false;
    const ustr& text = d.text;
    size_t a = d.starts[j], b = a + words_[d.w[j]].word.size();
    while (a > 0 && !is_space(text[a - 1])) --a;
    while (b < text.size() && !is_space(text[b])) ++b;
    static const ustr leading = U"([{\"'\u00ab\u201c\u2018", trailing = U".,;:!?)]}\"'\u00bb\u201d\u2019";
    while (a < b && contains(leading, text[a])) ++a;      // .strip(_LEADING_PUNCT)
    while (b > a && contains(leading, text[b - 1])) --b;
    while (b > a && contains(trailing, text[b - 1])) --b;  // .rstrip(_TRAILING_PUNCT)
    uview chunk(text.data() + a, b - a);
    auto it = chunks_.find(chunk);
    if (it != chunks_.end()) return it->second;
    return chunks_.emplace(ustr(chunk), ask(callbacks_.address_chunk, ustr(chunk))).first->second;
}

// tokenize._in_local_part: word j is joined by ".", "-" or "_" to a word beside an "@"
// ("ake" in "ake.sjodin @soderhamn.se"), looking at most kLocalPartWords words away.
bool Engine::in_local_part(const Doc& d, size_t j) const {
    constexpr size_t kLocalPartWords = 4;
    auto joins = [&](size_t k) {
        const ustr& sep = seps_[d.s[k]].sep;
        return sep.size() == 1 && (sep[0] == U'.' || sep[0] == U'-' || sep[0] == U'_');
    };
    const size_t ns = d.s.size();
    size_t k = j + 1;
    while (k + 1 < ns && k - j < kLocalPartWords && joins(k)) ++k;
    if (k > j + 1 && k < ns && seps_[d.s[k]].has_at) return true;
    k = j;
    while (k > 0 && j - k < kLocalPartWords && joins(k)) --k;
    return k < j && seps_[d.s[k]].has_at;
}

bool Engine::in_damaged_address(const Doc& d, size_t j) {
    const SepEntry& before = seps_[d.s[j]];
    const SepEntry* after = j + 1 < d.s.size() ? &seps_[d.s[j + 1]] : nullptr;
    if (before.has_at || (after != nullptr && after->has_at) || in_local_part(d, j)) return true;
    if (j > 0) {
        WordEntry& previous = words_[d.w[j - 1]];
        if (word_answer(previous.www, callbacks_.www, previous)) {
            bool stripped_empty = true;  // before.strip(" .,:") == ""
            for (char32_t c : before.sep)
                stripped_empty = stripped_empty && (c == U' ' || c == U'.' || c == U',' || c == U':');
            if (stripped_empty) return true;
        }
    }
    if (j + 1 < d.w.size()) {
        WordEntry& next = words_[d.w[j + 1]];
        if (next.domain < 0) next.domain = tlds_.count(next.low()) ? 1 : 0;
        uview after_sep = after != nullptr ? uview(after->sep) : uview();
        if (next.domain == 1) {
            uview core = strip_space(after_sep);
            bool joined = core == U"." || core == U":" || core == U"," || core == U"/";
            bool next_ok = j + 2 >= d.s.size();
            if (!next_ok) {
                const ustr& n2 = seps_[d.s[j + 2]].sep;
                next_ok = n2.empty() || n2[0] == U'/' || n2[0] == U' ' || n2[0] == U'\n' || n2[0] == U'.';
            }
            bool padded = after_sep.size() != core.size();
            if (joined && next_ok && !(padded && next.title)) return true;
        }
    }
    return false;
}

bool Engine::englishish(WordEntry& w) {
    if (w.english >= 0) return w.english == 1;
    double english = lexicon_->english_zipf(w.low());
    bool verdict = english >= config_.english_zipf
                   && (!lexicon_->is_valid(w.low()) || english - 1.0 > lexicon_->prior(w.low()));
    w.english = verdict ? 1 : 0;
    return verdict;
}

bool Engine::valid_lowercase(WordEntry& w) {
    if (w.valid_low < 0) w.valid_low = lexicon_->is_valid(w.low()) ? 1 : 0;
    return w.valid_low == 1;
}

bool Engine::maybe_english(WordEntry& w) {
    if (w.maybe_english < 0) w.maybe_english = lexicon_->english_zipf(w.low()) >= 2.0 ? 1 : 0;
    return w.maybe_english == 1;
}

uint32_t Engine::neighbour_token(uint32_t word) {
    WordEntry& w = words_[word];
    if (w.token == kNone) {
        uint32_t form = form_id(neighbour_class(w.word));
        words_[word].token = form;  // (form_id does not move words_)
    }
    return words_[word].token;
}

bool Engine::names_a_place(const ustr& word) {
    auto it = places_.find(word);
    if (it != places_.end()) return it->second;
    const Lexicon& L = *lexicon_;
    const uint32_t place_opens = F_PLACE | F_KOMMUN_OR_LAN;
    const long n = static_cast<long>(word.size());
    bool verdict = false;
    for (long k = config_.min_part; k < n - config_.min_part + 1 && !verdict; ++k)
        verdict = (L.flags(word.substr(0, k)) & place_opens) && (L.flags(word.substr(k)) & F_COMPOUND_LAST);
    if (!verdict && L.key_id(word) < 0) {
        const UstrSet& elements = search_.place_elements();
        const uint32_t opens = F_COMPOUND_FIRST | place_opens;
        for (long k = config_.min_part; k < n - config_.min_element + 1 && !verdict; ++k) {
            uint32_t f = L.flags(word.substr(0, k));
            if (!(f & F_SAOL) || (f & opens)) continue;
            for (long j = k + config_.min_element; j < n + 1 && !verdict; ++j)
                verdict = elements.count(uview(word).substr(k, j - k)) > 0;
        }
    }
    places_.emplace(word, verdict);
    return verdict;
}

uint32_t Engine::decision_form(const Decision& decision) {
    return decision.form != kNone ? decision.form : form_id(decision.word);
}

const ustr& Engine::restore_case(uint32_t token_id, const Decision& decision, bool mid_sentence) {
    const ustr& word = decision.word;
    const uint32_t form = decision_form(decision);
    for (const Cased& c : words_[token_id].cased)
        if (c.form == form && c.mid == mid_sentence) return c.text;
    COUNT(3);
    const ustr& token = words_[token_id].word;
    ustr cased = transfer_case(token, word);
    static const ustr diacritics = U"\u00e5\u00e4\u00f6";
    ustr result = cased;
    if (!(!mid_sentence || word.empty() || !contains(diacritics, word[0]) || token.size() < 2 || !is_upper_c(token[0])
          || !str_islower(token.data() + 1, token.size() - 1) || (lexicon_->flags(word) & (F_NAMES | F_PROPER))
          || names_a_place(word))) {
        auto log10_q = [&](char32_t observed, const ustr& truth) {
            for (int id : channel_.explanations(ustr(1, observed)))
                if (channel_.edit(id).truth == truth) return channel_.edit(id).log10_q;
            return ustr(1, observed) == truth ? 0.0 : -std::numeric_limits<double>::infinity();
        };
        double as_lower = log10_q(token[0], ustr(1, word[0]));
        double cost = config_.mid_sentence_capital_cost
                      + config_.frequent_word_capital_cost * std::max(0.0, lexicon_->zipf(word) - config_.common_word_zipf);
        double as_capital = log10_q(token[0], py_upper(ustr(1, word[0]))) - cost;
        if (as_lower > as_capital) result = word;
    }
    ++cased_count_;
    return words_[token_id].cased.emplace_front(Cased{form, mid_sentence, std::move(result)}).text;
}

// --- one document ---------------------------------------------------------------------------------

Restored Engine::restore(PyObject* text_obj, const Options& o) {
    if (context_decisions_.size() > kMaxContextDecisions) context_decisions_.clear();
    if (words_.size() > kMaxWords || judged_count_ > kMaxCached || context_decisions_.size() > kMaxCached
        || cased_count_ > kMaxCached || transfer_.size() > kMaxCached || chunks_.size() > kMaxCached
        || seps_.size() > kMaxWords || forms_.size() > kMaxWords)
        forget();
    COUNT(4);
    PHASE_START;
    Doc d;
    d.obj = text_obj;
    d.no = ++doc_;
    split(d);
    PHASE(0);
    find_suspicious(d);
    PHASE(1);
    find_sheltered(d);
    PHASE(2);
    measure(d, o);
    PHASE(3);
    decide_words(d, o);
    PHASE(4);
    Restored out;
    restore_split_words(d, o, out);
    PHASE(5);
    restore_words(d, o, out);
    PHASE(6);
    std::stable_sort(out.changes.begin(), out.changes.end(),
                     [](const ChangeOut& a, const ChangeOut& b) { return a.start < b.start; });
    out.text = std::move(d.text);
    PHASE(7);
    return out;
}

// Separators and words alternate (tokenize.WORD); every one is interned. The words are found
// first and interned a few behind, so that each one's slot is already being loaded: most of
// a page's rarer words miss the cache otherwise.
void Engine::split(Doc& d) {
    d.text = from_py(d.obj);
    const ustr& text = d.text;
    const size_t n = text.size();
    size_t i = 0;
    std::vector<size_t>& ends = split_ends_;
    std::vector<uint64_t>& hashes = split_hashes_;
    ends.clear();
    hashes.clear();
    while (i < n) {
        if (!is_alnum(text[i])) { ++i; continue; }
        size_t s = i;
        while (i < n && is_alnum(text[i])) ++i;
        while (i < n && text[i] == U'&' && ring_letter(text[i - 1])) {
            ++i;
            while (i < n && is_alnum(text[i])) ++i;
        }
        d.starts.push_back(s);
        ends.push_back(i);
        hashes.push_back(hash_view(uview(text.data() + s, i - s)));
    }
    constexpr size_t kAhead = 16;
    for (size_t k = 0; k < std::min(kAhead, hashes.size()); ++k) word_ids_.prefetch(hashes[k]);
    size_t sep_start = 0;
    for (size_t k = 0; k < ends.size(); ++k) {
        if (k + kAhead < hashes.size()) word_ids_.prefetch(hashes[k + kAhead]);
        const size_t s = d.starts[k];
        d.s.push_back(sep_id(uview(text.data() + sep_start, s - sep_start)));
        d.w.push_back(word_id(uview(text.data() + s, ends[k] - s), hashes[k]));
        sep_start = ends[k];
    }
    d.s.push_back(sep_id(uview(text.data() + sep_start, n - sep_start)));
}

// The distinct words, those that could be damaged, and where those stand.
void Engine::find_suspicious(Doc& d) {
    for (uint32_t id : d.w) {
        WordHot& e = hot_[id];
        if (e.doc != d.no) {
            e.doc = d.no;
            e.at = static_cast<uint32_t>(d.counts.size());
            d.counts.emplace_back(id, 1);
        } else {
            ++d.counts[e.at].second;
        }
    }
    d.suspicious_at.assign(d.counts.size(), -1);
    for (size_t c = 0; c < d.counts.size(); ++c)
        if (needs_look(d.counts[c].first)) {
            d.suspicious_at[c] = static_cast<int32_t>(d.suspicious.size());
            d.suspicious.push_back(d.counts[c].first);
        }
    Doc::Occurrences& occ = d.occurrences;
    for (uint32_t id : d.suspicious) occ.first.push_back(occ.first.back() + static_cast<uint32_t>(d.counts[hot_[id].at].second));
    occ.at.resize(occ.first.back());
    if (!d.suspicious.empty()) {
        std::vector<uint32_t> next(occ.first.begin(), occ.first.end() - 1);  // each word's next free place
        for (size_t j = 0; j < d.w.size(); ++j) {
            int32_t k = d.suspicious_index(hot_, d.w[j]);
            if (k >= 0) occ.at[next[k]++] = static_cast<uint32_t>(j);
        }
    }
}

// The occurrences of suspicious words that stand in an address (tokenize.sheltered_words): only
// a word glued to its neighbour, or next to a "www" or a domain, gets the real tests.
void Engine::find_sheltered(Doc& d) {
    const size_t nw = d.w.size();
    d.sheltered.assign(nw, 0);
    auto glued_before = [&](size_t j) {
        SepEntry& e = seps_[d.s[j]];
        return e.has_at || !sep_answer(e.before, callbacks_.plain_before, e);
    };
    auto glued_after = [&](size_t j) {
        SepEntry& e = seps_[d.s[j]];
        return e.has_at || !sep_answer(e.after, callbacks_.plain_after, e);
    };
    auto anchor = [&](size_t j) {
        WordEntry& e = words_[d.w[j]];
        return e.word.size() <= 6 && word_answer(e.anchor, callbacks_.anchor, e);
    };
    for (size_t k = 0; k < d.suspicious.size(); ++k)
        for (size_t j : d.occurrences[k]) {
            if (!(glued_before(j) || glued_after(j + 1) || (j > 0 && anchor(j - 1)) || (j + 1 < nw && anchor(j + 1))))
                continue;
            if (in_protected_span(d, j) || in_damaged_address(d, j)) d.sheltered[j] = 1;
        }
}

// Which words may be names, the page's own spellings, the words' readings and proofs, and the
// page's damage profile.
void Engine::measure(Doc& d, const Options& o) {
    const Config& C = config_;
    const size_t ns = d.suspicious.size();
    // a capitalised word mid-sentence may be a name
    d.name_like.assign(ns, 1);
    for (size_t k = 0; k < ns; ++k) {
        const WordHot& w = hot_[d.suspicious[k]];
        if (!(w.bits & W_FIRST_UPPER)) continue;
        bool any = false;
        for (size_t j : d.occurrences[k]) any = any || !starts_sentence(d.s[j]);
        d.name_like[k] = !(w.bits & W_UPPER) && any;
    }
    for (char32_t c : d.text) {
        switch (c) {
            case U'\u00e5': case U'\u00c5': ++d.survivors.n[0]; break;
            case U'\u00e4': case U'\u00c4': ++d.survivors.n[1]; break;
            case U'\u00f6': case U'\u00d6': ++d.survivors.n[2]; break;
            default: break;
        }
    }
    if (o.use_document && (d.survivors.n[0] || d.survivors.n[1] || d.survivors.n[2])) {
        Vocabulary& vocab = d.vocab.emplace();
        for (const auto& [id, c] : d.counts) {
            vocab.total += c;
            if (!(hot_[id].bits & W_SWEDISH)) continue;
            WordEntry& w = words_[id];
            if (w.low_form == kNone) w.low_form = form_id(w.low());
            if (w.wild_form == kNone) w.wild_form = form_id(model_.wild_key(w.low()));
            auto [it, inserted] = vocab.index.emplace(w.low(), vocab.counts.size());
            if (inserted) {
                vocab.by_key[w.wild_form].push_back(vocab.counts.size());
                vocab.counts.emplace_back(w.low(), c);
                vocab.forms.push_back(w.low_form);
                form_doc_[w.low_form] = d.no;
            } else {
                vocab.counts[it->second].second += c;
            }
        }
    }
    for (uint32_t id : d.suspicious) readings(words_[id], o.compounds);  // (found now, used below)
    d.profile = neutral_;
    d.proofs.assign(ns, nullptr);
    d.in_text.assign(ns, 0);
    if (!o.use_document) return;
    for (size_t k = 0; k < ns; ++k) {
        const Reading* proof = evidence(words_[d.suspicious[k]], o.compounds);
        if (proof == nullptr) continue;
        long shown = 0;
        for (size_t j : d.occurrences[k]) shown += d.sheltered[j] ? 0 : 1;
        if (shown) {
            d.proofs[k] = proof;
            d.in_text[k] = shown;
        }
    }
    for (const auto& [id, c] : d.counts) {
        const WordHot& w = hot_[id];
        if (w.bits & W_ALPHA) d.letters += static_cast<long>(w.len) * c;
    }
    for (size_t k = 0; k < ns; ++k)
        if (d.proofs[k]) add_evidence(d.shapes, *d.proofs[k], d.in_text[k], channel_);
    d.lost = lost_letters(d.shapes);
    d.profile = measure_profile(C, d.survivors, d.lost, d.letters, noise(d, o));
    if (C.shape_adapts) d.profile.shape = measure_shape(C, d.shapes);
    d.lost_total = d.lost[0] + d.lost[1] + d.lost[2];
    add_proved_spellings(d);
}

// pipeline._noise: the page's general OCR noise, from its lowercase tokens of letters that are
// no word, no compound, and no word that only lost its dots
double Engine::noise(const Doc& d, const Options& o) {
    long tokens = 0, unexplained = 0;
    for (const auto& [id, c] : d.counts) {
        const WordHot& w = hot_[id];
        if ((w.bits & kPlain) == kPlain && w.len > 1) tokens += c;
    }
    for (size_t k = 0; k < d.suspicious.size(); ++k) {
        const uint32_t id = d.suspicious[k];
        const WordHot& hot = hot_[id];
        if ((hot.bits & kPlain) != kPlain || hot.len < 2) continue;
        WordEntry& w = words_[id];
        if (w.unlisted < 0) w.unlisted = !valid_lowercase(w) && search_.dot_readings(w.word).empty() ? 1 : 0;
        if (w.unlisted == 0) continue;
        const std::vector<Reading>& found = *readings(w, o.compounds);
        if (std::none_of(found.begin(), found.end(),
                         [](const Reading& r) { return r.n_parts > 1 && r.edits.empty() && !r.fuzzy; }))
            unexplained += static_cast<long>(d.occurrences[k].size());
    }
    return noise_log10(config_, unexplained, tokens);
}

// document.with_spellings of pipeline._proved_spellings: the page's å/ä/ö spellings for the
// fuzzy match, with the words its proofs restore (a scan that loses every dot has no spelling
// of its own to match "Radieamatirerna" to, but "Radioamatérerna" elsewhere on it proves
// "radioamatörerna"). The page's spellings are not copied: the extension names them as its base. A proved word too
// short to reach the match's ratio with any token long enough to be matched is left out,
// which changes no answer (the reference keeps it and never picks it).
void Engine::add_proved_spellings(Doc& d) {
    const Config& C = config_;
    d.fuzzy_vocab = d.vocab ? &*d.vocab : nullptr;
    Vocabulary* extended = nullptr;
    for (size_t k = 0; k < d.suspicious.size(); ++k) {
        const Reading* proof = d.proofs[k];
        if (proof == nullptr) continue;
        const ustr& word = proof->word;
        const double len = static_cast<double>(word.size());
        if (200.0 * len / (len + C.fuzzy_min_length) < C.fuzzy_min_ratio) continue;
        if (word.find_first_of(U"\u00e5\u00e4\u00f6") == ustr::npos) continue;
        if (form_doc_[proof->form] == d.no) continue;  // (one of the page's own spellings)
        if (extended == nullptr) {
            extended = &d.proved_vocab.emplace();
            extended->extension = true;
            extended->base = d.fuzzy_vocab;
            if (d.vocab) extended->total = d.vocab->total;
            else for (const auto& [id, c] : d.counts) extended->total += c;
        }
        if (form_proved_[proof->form] == d.no) {
            extended->counts[form_slot_[proof->form]].second += d.in_text[k];
            continue;
        }
        form_proved_[proof->form] = d.no;
        form_slot_[proof->form] = static_cast<uint32_t>(extended->counts.size());
        extended->forms.push_back(proof->form);
        extended->counts.emplace_back(word, d.in_text[k]);
    }
    if (extended != nullptr) d.fuzzy_vocab = extended;
}

// pipeline._before_surname: which capitalised suspicious words stand, somewhere on the page,
// just before a surname, after a space or a line break ("Par Jonsson"), the place of a given
// name. The next word counts as a surname when the lists say so, or when one of its own
// readings is one ("Sjogren").
void Engine::mark_before_surname(Doc& d, const Options& o) {
    d.before_surname.assign(d.suspicious.size(), 0);
    auto capitalised = [&](uint32_t id) { return (hot_[id].bits & W_FIRST_UPPER) && !(hot_[id].bits & W_UPPER); };
    auto may_be_surname = [&](uint32_t id) {
        if (!capitalised(id)) return false;
        WordEntry& w = words_[id];
        if (lexicon_->flags(w.low()) & F_SURNAME) return true;
        if (d.suspicious_index(hot_, id) < 0) return false;
        for (const Reading& r : *readings(w, o.compounds))
            if (lexicon_->flags(r.word) & F_SURNAME) return true;
        return false;
    };
    for (size_t k = 0; k < d.suspicious.size(); ++k) {
        if (!capitalised(d.suspicious[k])) continue;
        for (size_t j : d.occurrences[k])
            if (j + 1 < d.w.size() && seps_[d.s[j + 1]].space_or_newline && may_be_surname(d.w[j + 1])) {
                d.before_surname[k] = 1;
                break;
            }
    }
}

// Each suspicious word's decision (pipeline.analyse's loop): judged under the page's rates,
// and again under the part of the page's shape that touches its readings; shared across
// documents unless its readings include the page's own spellings.
void Engine::decide_words(Doc& d, const Options& o) {
    const Config& C = config_;
    const uint32_t page_profile = profile_id(d.profile, true);
    const uint32_t page_rates = profile_id(d.profile, false);  // for words no fuzzy reading reads
    const uint32_t page_shape_id = d.profile.shape.empty() ? 0 : shape_id(d.profile.shape);
    std::optional<Profile> page_plain;  // the page's rates without its shape, made when needed
    auto plain_profile = [&](const Profile& p) -> const Profile& {
        if (&p == &d.profile) {
            if (!page_plain) page_plain = make_profile(d.profile.rates, d.profile.noise);
            return *page_plain;
        }
        d.held_profiles.push_back(make_profile(p.rates, p.noise));
        return d.held_profiles.back();
    };
    d.decided.assign(d.suspicious.size(), Doc::Decided{});
    mark_before_surname(d, o);
    const Vocabulary* v = d.vocab ? &*d.vocab : nullptr;
    const bool spelled = v != nullptr && !v->counts.empty();
    const uint8_t option_flags = (o.compounds ? 2 : 0) | (o.use_context ? 4 : 0);
    for (size_t k = 0; k < d.suspicious.size(); ++k) {
        const uint32_t id = d.suspicious[k];
        const ustr& word = words_[id].word;
        const std::shared_ptr<const std::vector<Reading>>& lex = readings(words_[id], o.compounds);
        const std::vector<Reading>* found = lex.get();       // the word's own readings, or
        std::shared_ptr<const std::vector<Reading>> combined;  // those and the page's spellings
        if (spelled) {
            WordEntry& entry = words_[id];
            if (entry.wild_form == kNone) entry.wild_form = form_id(model_.wild_key(entry.low()));
            auto spellings = v->by_key.find(entry.wild_form);
            std::vector<Reading> shown;
            if (spellings != v->by_key.end()) shown = model_.document_readings(word, entry.low(), spellings->second, *v);
            if (!shown.empty()) {
                combined = joined(*lex, std::move(shown));
                found = combined.get();
            }
        }
        bool matched_page = false;  // read as a spelling of the page's own, or one it proves
        if (found->empty() && d.fuzzy_vocab != nullptr) {
            combined = std::make_shared<const std::vector<Reading>>(model_.fuzzy_document_readings(word, *d.fuzzy_vocab));
            found = combined.get();
            matched_page = !found->empty();
        }
        const Vocabulary* jv = matched_page ? d.fuzzy_vocab : v;  // the spellings the word is judged by
        // The fuzzy match to the lexicon joins the readings: one allocation per word, not per page,
        // when they are the word's own (the join is then the same on every page).
        auto join_match = [&](const std::vector<Reading>& matched, bool all) {
            std::vector<Reading> kept;
            for (const Reading& r : matched)
                if (all || r.fuzzy_q >= C.explained_fuzzy_min_log10) kept.push_back(r);
            const bool adds = std::any_of(kept.begin(), kept.end(), [&](const Reading& r) {
                return std::none_of(found->begin(), found->end(), [&](const Reading& f) { return f.word == r.word; });
            });
            if (!adds) return;  // (the join would be the readings as they are)
            if (found == lex.get()) {
                std::shared_ptr<const std::vector<Reading>>& once = lex_matched_[o.compounds ? 1 : 0][id];
                if (!once) once = joined(*found, std::move(kept));
                combined = once;
            } else {
                combined = joined(*found, std::move(kept));
            }
            found = combined.get();
        };
        const bool word_name_like = d.name_like[k];
        const bool word_before_surname = d.before_surname[k];
        // (a capitalised word no list has, mid-sentence or before a surname, is a name sooner than
        // a misread)
        const bool may_be_name = word_name_like || word_before_surname;
        const bool capitalised = words_[id].first_upper && !words_[id].upper;
        if (only_compounds(*found) && !(may_be_name && capitalised)) {
            const std::shared_ptr<const std::vector<Reading>>& matched = lexicon_fuzzy(words_[id]);
            if (found->empty()) {
                combined = matched;
                found = combined.get();
            } else {
                join_match(*matched, true);
            }
        } else if (plain_unlisted(id, *found, may_be_name)) {
            // (beside a common reading, only a match one letter off is weighed)
            const bool rare = only_rare(*found);
            join_match(*lexicon_fuzzy(words_[id], !rare), rare);
        }
        bool uses_document = matched_page;  // does a reading spell a word this page shows?
        if (spelled && !matched_page)
            for (const Reading& r : *found) uses_document = uses_document || form_doc_[r.form] == d.no;
        std::optional<Profile> own_profile;  // the page's profile less this word's own proof
        if (d.proofs[k]) {
            const Reading& proof = *d.proofs[k];
            long adaptive = 0;
            for (int e : proof.edits) adaptive += channel_.edit(e).adaptive ? 1 : 0;
            if (!(static_cast<double>(d.in_text[k] * adaptive * C.leave_out_share) < d.lost_total)) {
                Evidence own;
                add_evidence(own, proof, d.in_text[k], channel_);
                std::array<double, 3> own_lost = lost_letters(own);
                std::array<double, 3> rest{d.lost[0] - own_lost[0], d.lost[1] - own_lost[1], d.lost[2] - own_lost[2]};
                Evidence rest_shapes;
                for (const EvidenceItem& item : d.shapes) {
                    double mine = 0.0;
                    for (const EvidenceItem& o2 : own)
                        if (o2.form == item.form) mine = o2.n;
                    rest_shapes.push_back(EvidenceItem{item.form, item.letter, item.n - mine, item.q});
                }
                own_profile = measure_profile(C, d.survivors, rest, d.letters, d.profile.noise);
                if (C.shape_adapts) own_profile->shape = measure_shape(C, rest_shapes);
            }
        }
        const Profile& word_profile = own_profile ? *own_profile : d.profile;
        // The page's noise prices fuzzy readings only: words without one share decisions across it.
        const bool noise_matters = std::any_of(found->begin(), found->end(), [](const Reading& r) { return r.fuzzy; });
        const uint32_t profile = own_profile ? profile_id(word_profile, noise_matters)
                                 : noise_matters ? page_profile : page_rates;
        DecisionKey key{id, profile, 0,
                        static_cast<uint8_t>(option_flags | (word_name_like ? 1 : 0) | (word_before_surname ? 8 : 0))};
        auto judged_under = [&](const DecisionKey& key, const Profile& p) -> const Judged& {
            if (found->empty()) {
                // nothing reads the token otherwise: it is kept, whatever the page (one answer for all)
                static const Judged kept = [] {
                    Judged j;
                    j.decision.confidence = 1.0;
                    return j;
                }();
                return kept;
            }
            if (!uses_document) {
                WordEntry& entry = words_[id];
                const uint64_t packed = (static_cast<uint64_t>(key.profile) << 40) | (static_cast<uint64_t>(key.shape) << 8)
                                        | key.flags;
                if (entry.last_key == packed) return *entry.last;
                for (const auto& [k2, j2] : entry.judged)
                    if (k2 == packed) {
                        entry.last_key = packed;
                        entry.last = j2.get();
                        return *j2;
                    }
                ++judged_count_;
                entry.judged.emplace_back(packed, std::make_unique<Judged>(judge(word, combined ? combined : lex, p, jv,
                                                                                 word_name_like, o, word_before_surname)));
                entry.last_key = packed;
                entry.last = entry.judged.back().second.get();
                return *entry.last;
            }
            d.held.push_back(judge(word, combined ? combined : lex, p, jv, word_name_like, o, word_before_surname));
            return d.held.back();
        };
        const Judged* judged = &judged_under(key, word_profile.shape.empty() ? word_profile : plain_profile(word_profile));
        if (!word_profile.shape.empty() && judged->decision.confidence < C.shape_settled) {
            const uint32_t page_shape = own_profile ? shape_id(word_profile.shape) : page_shape_id;
            WordEntry& entry = words_[id];
            const uint64_t first_key = (static_cast<uint64_t>(key.profile) << 8) | key.flags;
            if (uses_document || entry.shape_page != page_shape || entry.shape_key != first_key) {
                uint32_t restricted = shape_id(shape_for(word_profile.shape, judged->reach));
                if (uses_document) {
                    key.shape = restricted;
                } else {
                    entry.shape_page = page_shape;
                    entry.shape_key = first_key;
                    entry.shape_for = restricted;
                }
            }
            if (!uses_document) key.shape = entry.shape_for;
            if (key.shape != 0)
                judged = &judged_under(key, make_profile(word_profile.rates, word_profile.noise, shapes_[key.shape]));
        }
        Doc::Decided& out = d.decided[k];
        out.decision = &judged->decision;
        if (judged->contextual) {
            out.contextual = judged;  // (a Judged stays put: its entry holds it by pointer)
            if (!uses_document) out.key = key;
        }
        out.present = out.decision->has_word || judged->contextual;
    }

}

// Words a line-end hyphen split ("atgar-\nder"), read as one and cut back at the hyphen
// (pipeline._split_word_changes).
void Engine::restore_split_words(Doc& d, const Options& o, Restored& out) {
    const size_t nw = d.w.size();
    d.taken.assign(nw, 0);
    for (size_t j = 0; j + 1 < nw; ++j) {
        SepEntry& sep = seps_[d.s[j + 1]];
        if (!sep.has_newline || !sep.has_dash || d.taken[j]) continue;  // (a word joins once)
        const WordEntry& head = words_[d.w[j]];
        const WordEntry& tail = words_[d.w[j + 1]];
        if (!sep_answer(sep.hyphen, callbacks_.line_end_hyphen, sep) || !head.alpha || !tail.alpha) continue;
        if (!(tail.first_lower || (head.upper && tail.upper))) continue;
        ustr joined = head.word + tail.word;
        if (lexicon_->is_valid(lower(joined))) continue;
        const std::vector<Reading>& found = readings_of(joined, o.compounds);
        std::vector<Scored> scored = model_.score(joined, found, d.profile, nullptr, false);
        Decision decision = model_.decide(joined, scored, nullptr);
        if (!decision.has_word || decision.word.size() != joined.size()) continue;
        const WordEntry& h = words_[d.w[j]];  // (readings_of may have grown the table)
        const WordEntry& t = words_[d.w[j + 1]];
        ustr whole = transfer_case(joined, decision.word);
        bool applied = decision.apply && decision.confidence >= o.apply_threshold;
        d.taken[j] = d.taken[j + 1] = 1;
        const ustr parts_new[2] = {slice(whole, 0, h.word.size()), slice(whole, h.word.size(), whole.size())};
        const ustr* parts_old[2] = {&h.word, &t.word};
        for (int half = 0; half < 2; ++half) {
            if (*parts_old[half] == parts_new[half]) continue;
            size_t start = d.starts[j + half];
            out.owned.push_back(parts_new[half]);
            out.changes.push_back(ChangeOut{start, start + parts_old[half]->size(), d.w[j + half], nullptr, &out.owned.back(),
                                        decision.confidence, decision.reason, applied});
        }
    }
}

// The changes of the suspicious words where they stand (pipeline.restore_reference's loop):
// never in an address, an acronym, an ending after a colon or a run of English; by context where
// the word's readings collapse onto each other; in the case the page most likely had.
void Engine::restore_words(Doc& d, const Options& o, Restored& out) {
    const Config& C = config_;
    const size_t nw = d.w.size();
    const std::vector<uint32_t>& suspicious = d.suspicious;
    const std::vector<int32_t>& suspicious_at = d.suspicious_at;
    const std::vector<std::pair<uint32_t, long>>& counts = d.counts;
    std::vector<Doc::Decided>& decided = d.decided;
    std::vector<ChangeOut>& changes = out.changes;
    std::deque<ustr>& owned = out.owned;
    auto W = [&](size_t j) -> WordEntry& { return words_[d.w[j]]; };
    auto S = [&](size_t j) -> SepEntry& { return seps_[d.s[j]]; };
    auto suspicious_index = [&](uint32_t id) { return d.suspicious_index(hot_, id); };
    bool any_decision = false;
    for (const Doc::Decided& x : decided) any_decision = any_decision || x.present;
    if (any_decision) {
        // neighbours are read restored: "Det har ar" is scored as det [har] är
        std::vector<uint32_t> restored(suspicious.size(), kNone);  // the restoration's neighbour class
        for (size_t k = 0; k < suspicious.size(); ++k)
            if (decided[k].present && decided[k].decision->apply && decided[k].decision->has_word
                && !decided[k].decision->word.empty())
                restored[k] = decided[k].decision->form != kNone && !has_digit(decided[k].decision->word)
                                  ? decided[k].decision->form  // a restoration is lowercase: its own class
                                  : form_id(neighbour_class(decided[k].decision->word));
        auto word_at = [&](size_t j) {
            int32_t k = suspicious_index(d.w[j]);
            return k >= 0 && restored[k] != kNone ? restored[k] : neighbour_token(d.w[j]);
        };
        std::vector<char> english;  // by distinct index: the document's English words
        bool english_made = false, any_english = false;
        auto make_english = [&]() {
            english.assign(counts.size(), 0);
            for (size_t c = 0; c < counts.size(); ++c) {
                if (!(hot_[counts[c].first].bits & W_ALPHA)) continue;
                WordEntry& w = words_[counts[c].first];
                if (!englishish(w)) continue;
                int32_t k = suspicious_at[c];
                if (k >= 0 && decided[k].present && (decided[k].decision->apply || decided[k].contextual)) continue;
                english[c] = 1;
                any_english = true;
            }
            english_made = true;
        };
        auto is_english = [&](size_t j) { return english[hot_[d.w[j]].at] != 0; };
        auto previous = [&](size_t j) -> const WordEntry* { return j ? &W(j - 1) : nullptr; };
        auto in_english_title = [&](size_t j) {
            if (!W(j).title) return false;
            if (j > 0 && S(j).space && W(j - 1).title && is_english(j - 1)) return true;
            return j + 1 < nw && S(j + 1).space_or_newline && W(j + 1).title && is_english(j + 1)
                   && continues_sentence(d.s[j], previous(j));
        };
        auto speaks_swedish = [&](WordEntry& w) {
            return w.alpha && !maybe_english(w) && valid_lowercase(w);
        };
        auto in_english_run = [&](size_t j) {
            size_t lo = j, first = j >= 3 ? j - 3 : 0;
            while (lo > first && !ends_sentence(d.s[lo])) --lo;
            size_t hi = j, last = std::min(nw - 1, j + 3);
            while (hi < last && !ends_sentence(d.s[hi + 1])) ++hi;
            long hits = 0;
            for (size_t q = lo; q <= hi; ++q) hits += is_english(q) ? 1 : 0;
            hits -= is_english(j) ? 1 : 0;
            if (hits >= C.english_neighbours
                && ((lo < j && maybe_english(W(j - 1))) || (j < hi && maybe_english(W(j + 1))))
                && !((lo < j && speaks_swedish(W(j - 1))) || (j < hi && speaks_swedish(W(j + 1)))))
                return true;
            return in_english_title(j);
        };
        const uint32_t sentence_start = form_id(U"<S>"), sentence_end = form_id(U"</S>");
        std::deque<Decision> made;  // context decisions no cache holds
        std::vector<double> bonus;  // (reused by every context decision)
        auto context_decision = [&](size_t k, size_t j) -> const Decision& {
            const Doc::Decided& x = decided[k];
            uint32_t nb[4];
            if (j == 0 || ends_sentence(d.s[j])) {
                nb[0] = nb[1] = sentence_start;
            } else {
                nb[1] = word_at(j - 1);
                nb[0] = (j == 1 || ends_sentence(d.s[j - 1])) ? sentence_start : word_at(j - 2);
            }
            if (j + 1 > nw - 1 || ends_sentence(d.s[j + 1])) {
                nb[2] = nb[3] = sentence_end;
            } else {
                nb[2] = word_at(j + 1);
                nb[3] = (j + 1 >= nw - 1 || ends_sentence(d.s[j + 2])) ? sentence_end : word_at(j + 2);
            }
            ContextKey key{};
            if (x.key) {
                key = ContextKey{*x.key, {nb[0], nb[1], nb[2], nb[3]}};
                if (const Decision* known = context_decisions_.find(key)) return *known;
            }
            const Judged& base = *x.contextual;
            const WordEntry& w = words_[suspicious[k]];
            if (!base.candidates) {
                auto made_now = std::make_unique<ContextCandidates>();
                std::vector<ustr> candidates;
                for (const Scored& s : base.scored) candidates.push_back(s.keep ? w.low() : s.word());
                made_now->plan = context_->plan(candidates);
                for (const ustr& name : candidates) {
                    int at = -1;
                    for (size_t b = 0; b < made_now->plan.names.size() && at < 0; ++b)
                        if (*made_now->plan.names[b] == name) at = static_cast<int>(b);
                    made_now->bonus_at.push_back(at);
                }
                base.candidates = std::move(made_now);
            }
            Neighbours neighbours{neighbour_of(nb[0]), neighbour_of(nb[1]), neighbour_of(nb[2]), neighbour_of(nb[3])};
            COUNT(2);
            context_->score(base.candidates->plan, neighbours, bonus);
            std::vector<Scored> rescored = base.scored;
            for (size_t i = 0; i < rescored.size(); ++i) {
                const int at = base.candidates->bonus_at[i];
                rescored[i].context = at >= 0 && !bonus.empty() ? bonus[static_cast<size_t>(at)] : 0.0;
            }
            std::stable_sort(rescored.begin(), rescored.end(),
                             [](const Scored& a, const Scored& b) { return -a.total() < -b.total(); });
            Decision decision = model_.decide(w.word, rescored, nullptr);
            if (decision.has_word) decision.form = form_id(decision.word);
            if (x.key) return context_decisions_.add(key, std::move(decision));
            made.push_back(std::move(decision));
            return made.back();
        };

        for (size_t k = 0; k < suspicious.size(); ++k) {
            const Doc::Decided& x = decided[k];
            if (!x.present) continue;
            const uint32_t id = suspicious[k];
            const bool contextual = x.contextual != nullptr;
            const Decision& decision = *x.decision;
            if (!contextual && (!decision.has_word || decision.word == words_[id].low())) continue;
            WordEntry& entry = words_[id];
            if (decision.reason == Reason::Compound && !contextual && englishish(entry)) continue;
            bool lost_dots_only = decision.apply && decision.has_word && !decision.word.empty()
                                  && !valid_lowercase(entry) && dots_on_a_and_o(entry.word, decision.word);
            bool acronym = is_acronym(words_[id]) && !lost_dots_only;
            bool could_be_english = maybe_english(words_[id]);
            const ustr* written_as[2] = {nullptr, nullptr};  // the decision's casing, by mid-sentence
            for (size_t j : d.occurrences[k]) {
                bool title = acronym && words_[id].word.size() <= 3 && j + 1 < nw
                             && (hot_[d.w[j + 1]].bits & W_FIRST_LOWER) && !continues_sentence(d.s[j], previous(j))
                             && S(j + 1).blank;
                if (d.sheltered[j] || d.taken[j]) continue;
                if (acronym && !title) {
                    bool heading = false;
                    for (long q : {-2L, -1L, 1L, 2L}) {
                        long at = static_cast<long>(j) + q;
                        if (at < 0 || at >= static_cast<long>(nw)) continue;
                        const WordEntry& e = words_[d.w[at]];
                        heading = heading || (e.word.size() >= 4 && e.upper && e.alpha);
                    }
                    if (!heading) continue;
                }
                if (j > 0 && S(j).colon) {  // an ending after a colon: "C64:an", "SKR:s"
                    char32_t last = W(j - 1).word.back();
                    if (is_digit(last) || is_upper_c(last)) continue;
                }
                if (could_be_english) {
                    if (!english_made) make_english();
                    if (any_english && in_english_run(j)) continue;
                }
                const Decision& chosen = contextual ? context_decision(k, j) : decision;
                const WordEntry& w = words_[id];
                if (!chosen.has_word || chosen.word == w.low() || (title && !dots_on_a_and_o(w.word, chosen.word))) continue;
                bool mid = continues_sentence(d.s[j], previous(j));
                const ustr* cased = nullptr;
                if (!title) {
                    if (contextual) {
                        cased = &restore_case(id, chosen, mid);
                    } else {
                        if (!written_as[mid]) written_as[mid] = &restore_case(id, chosen, mid);
                        cased = written_as[mid];
                    }
                }
                if (title) {
                    owned.push_back(py_upper(slice(chosen.word, 0, 1)) + slice(chosen.word, 1, chosen.word.size()));
                    cased = &owned.back();
                }
                size_t start = d.starts[j];
                changes.push_back(ChangeOut{start, start + w.word.size(), id, nullptr, cased, chosen.confidence,
                                            chosen.reason, chosen.apply && chosen.confidence >= o.apply_threshold});
            }
        }
    }
}

}  // namespace svfix

namespace svfix {

namespace {

// Writes `c` as UTF-8 at `p` (at most 6 bytes: a lone surrogate is a backslash escape, as
// .encode(errors="backslashreplace") writes it); returns the end.
char* put_utf8(char* p, char32_t c) {
    if (c < 0x80) {
        *p++ = static_cast<char>(c);
    } else if (c < 0x800) {
        *p++ = static_cast<char>(0xC0 | (c >> 6));
        *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c >= 0xD800 && c <= 0xDFFF) {
        p += std::snprintf(p, 7, "\\u%04x", static_cast<unsigned>(c));
    } else if (c < 0x10000) {
        *p++ = static_cast<char>(0xE0 | (c >> 12));
        *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        *p++ = static_cast<char>(0x80 | (c & 0x3F));
    } else {
        *p++ = static_cast<char>(0xF0 | (c >> 18));
        *p++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        *p++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        *p++ = static_cast<char>(0x80 | (c & 0x3F));
    }
    return p;
}

// json.encoder.encode_basestring (quotes, backslashes and control characters escaped; the rest
// as it is), then UTF-8 with lone surrogates backslash-escaped. Written into room made for the
// longest case (6 bytes a character), then cut to size: a change log is mostly short words.
void put_json_string(std::string& out, const ustr& s) {
    const size_t at = out.size();
    out.resize(at + 6 * s.size() + 2);
    char* const start = out.data() + at;
    char* p = start;
    *p++ = '"';
    for (char32_t c : s) {
        if (c >= 0x20 && c < 0x80 && c != U'"' && c != U'\\') {
            *p++ = static_cast<char>(c);
            continue;
        }
        switch (c) {
            case U'"': *p++ = '\\'; *p++ = '"'; break;
            case U'\\': *p++ = '\\'; *p++ = '\\'; break;
            case U'\n': *p++ = '\\'; *p++ = 'n'; break;
            case U'\r': *p++ = '\\'; *p++ = 'r'; break;
            case U'\t': *p++ = '\\'; *p++ = 't'; break;
            case U'\b': *p++ = '\\'; *p++ = 'b'; break;
            case U'\f': *p++ = '\\'; *p++ = 'f'; break;
            default:
                if (c < 0x20) p += std::snprintf(p, 7, "\\u%04x", static_cast<unsigned>(c));
                else p = put_utf8(p, c);
        }
    }
    *p++ = '"';
    out.resize(at + static_cast<size_t>(p - start));
}

// repr(round(x, 4)) for a finite x: printf's %.4f rounds the exact binary value half to even,
// as round() does, and the shortest repr of the result is that decimal without trailing zeros.
std::string format_confidence_printf(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", x);
    std::string s(buf);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (s.back() == '.') s += '0';
    return s;
}

// The same, without printf for 0 <= x < 10**9: x is m * 2**e exactly (m < 2**53, e < 0),
// so x * 10**4 is an exact 128-bit fraction, rounded half to even by its remainder. A change's
// confidence is written this way hundreds of thousands of times in a batch.
void put_confidence(std::string& out, double x) {
    int exp = 0;
    const double f = std::frexp(x, &exp);  // x = f * 2**exp, 0.5 <= f < 1
    const int e = exp - 53;
    if (std::signbit(x) || !(x < 1e9)) {  // (negative, -0.0, huge, NaN: printf)
        out += format_confidence_printf(x);
        return;
    }
    uint64_t q = 0;  // round(x * 10**4), half to even
    if (x != 0.0 && -e < 120) {
        const unsigned shift = static_cast<unsigned>(-e);
        const unsigned __int128 scaled = static_cast<unsigned __int128>(static_cast<uint64_t>(std::ldexp(f, 53))) * 10000u;
        const unsigned __int128 whole = scaled >> shift, rest = scaled - (whole << shift);
        const unsigned __int128 half = static_cast<unsigned __int128>(1) << (shift - 1);
        q = static_cast<uint64_t>(whole);
        if (rest > half || (rest == half && (q & 1))) ++q;
    }
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, q / 10000);
    out.append(buf, end);
    out += '.';
    unsigned frac = static_cast<unsigned>(q % 10000);
    char digits[4] = {static_cast<char>('0' + frac / 1000), static_cast<char>('0' + frac / 100 % 10),
                      static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10)};
    size_t keep = 4;
    while (keep > 1 && digits[keep - 1] == '0') --keep;
    out.append(digits, keep);
}

void put_number(std::string& out, size_t n) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, end);
}

const char* reason_name(Reason r) {
    switch (r) {
        case Reason::Confusion: return "confusion+lexicon";
        case Reason::Context: return "context";
        case Reason::Document: return "document evidence";
        case Reason::Compound: return "compound";
        case Reason::Name: return "name list";
        case Reason::Fuzzy: return "fuzzy match";
    }
    return "confusion+lexicon";
}

}  // namespace

std::string confidence_text(double x) {
    std::string out;
    put_confidence(out, x);
    return out;
}

Logged Engine::fix_logged(PyObject* text, const Options& options, const std::string& file_json, size_t offset) {
    Restored restored = restore(text, options);
    Logged out;
    const ustr& source = restored.text;
    bool in_word = false;  // str.split(): runs of non-whitespace, as Py_UNICODE_ISSPACE has it
    for (char32_t c : source) {
        const bool space = is_space(c);
        out.words += !space && !in_word;
        in_word = !space;
    }
    out.text.reserve(source.size() + 64);
    out.log.reserve(restored.changes.size() * (file_json.size() + 160));  // (a line is about that long)
    size_t at = 0;
    for (const ChangeOut& c : restored.changes) {
        const ustr& original = c.original != nullptr ? *c.original : words_[c.word].word;
        if (c.applied) {
            ++out.applied;
            out.text.append(source, at, c.start - at);
            out.text += *c.replacement;
            at = c.end;
        } else {
            ++out.suggested;
        }
        // batch._change_line
        out.log += "{\"file\": ";
        out.log += file_json;
        out.log += ", \"offset\": ";
        put_number(out.log, c.start + offset);
        out.log += ", \"end\": ";
        put_number(out.log, c.end + offset);
        out.log += ", \"old\": ";
        put_json_string(out.log, original);
        out.log += ", \"new\": ";
        put_json_string(out.log, *c.replacement);
        out.log += ", \"confidence\": ";
        put_confidence(out.log, c.confidence);
        out.log += ", \"reason\": \"";
        out.log += reason_name(c.reason);
        out.log += c.applied ? "\", \"applied\": true" : "\", \"applied\": false";
        out.log += ", \"step\": \"restore\"}\n";
    }
    out.text.append(source, at, ustr::npos);
    return out;
}

}  // namespace svfix
