#include "engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace svfix {

namespace {

constexpr size_t kMaxCache = 100000;

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

void put_bytes(std::string& key, const void* data, size_t n) { key.append(static_cast<const char*>(data), n); }

void put_ustr(std::string& key, uview s) {
    put_bytes(key, s.data(), s.size() * sizeof(char32_t));
    key.push_back('\0');
    key.push_back('\0');
    key.push_back('\0');
    key.push_back('\0');
}


bool dots_on_a_and_o(const ustr& token, const ustr& restored) {
    if (restored.size() != token.size()) return false;
    static const ustr dotted = U"\u00e5\u00e4\u00f6";
    for (size_t i = 0; i < token.size(); ++i) {
        char32_t a = token[i], b = restored[i];
        ustr al = lower(ustr(1, a));
        if (al.size() == 1 && al[0] == b) continue;
        if ((a == U'A' || a == U'O') && contains(dotted, b)) continue;
        return false;
    }
    return true;
}

bool is_acronym(uview token) { return token.size() > 1 && token.size() <= 4 && str_isupper(token.data(), token.size()); }

bool all_space(uview s) {
    for (char32_t c : s) if (!is_space(c)) return false;
    return true;
}

uview strip_space(uview s) {  // str.strip()
    size_t a = 0, b = s.size();
    while (a < b && is_space(s[a])) ++a;
    while (b > a && is_space(s[b - 1])) --b;
    return s.substr(a, b - a);
}

}  // namespace

struct Engine::Doc {
    PyObject* obj;
    ustr text;
    std::vector<uview> words, seps;  // seps[j] stands before words[j]; one more separator than words
    std::vector<size_t> starts;
};

Engine::Engine(std::shared_ptr<Lexicon> lexicon, Config config, Channel channel, UstrSet shadows, UstrSet elements,
               UstrSet trigrams, UstrSet top_level_domains, std::unique_ptr<ContextModel> context,
               Callbacks callbacks)
    : lexicon_(std::move(lexicon)),
      config_(std::move(config)),
      channel_(std::move(channel)),
      search_(*lexicon_, channel_, config_, std::move(elements)),
      model_(*lexicon_, channel_, config_, search_, std::move(trigrams)),
      shadows_(std::move(shadows)),
      tlds_(std::move(top_level_domains)),
      context_(std::move(context)),
      callbacks_(callbacks),
      look_(kMaxCache), ends_memo_(kMaxCache), break_memo_(kMaxCache), before_memo_(kMaxCache),
      after_memo_(kMaxCache), hyphen_memo_(kMaxCache), anchor_memo_(kMaxCache), www_memo_(kMaxCache),
      english_memo_(kMaxCache), maybe_english_memo_(kMaxCache), place_memo_(kMaxCache), token_memo_(kMaxCache),
      readings_{UMemo<std::vector<Reading>>(kMaxCache), UMemo<std::vector<Reading>>(kMaxCache)},
      evidence_{UMemo<std::optional<Reading>>(kMaxCache), UMemo<std::optional<Reading>>(kMaxCache)},
      decisions_(kMaxCache), context_decisions_(kMaxCache), case_memo_(kMaxCache) {
    for (const auto& [observed, ids] : channel_.inverse())
        for (char32_t c : observed)
            if (is_digit(c) || c == U'&') confusable_[c] = true;
    double neutral = quantise(config_.neutral_rate);
    neutral_ = make_profile({neutral, neutral, neutral});
    for (PyObject* fn : {callbacks_.ends_sentence, callbacks_.break_free, callbacks_.plain_before, callbacks_.plain_after,
                         callbacks_.line_end_hyphen, callbacks_.anchor, callbacks_.www, callbacks_.in_protected_span,
                         callbacks_.transfer_case})
        Py_XINCREF(fn);
}

Engine::~Engine() {
    for (PyObject* fn : {callbacks_.ends_sentence, callbacks_.break_free, callbacks_.plain_before, callbacks_.plain_after,
                         callbacks_.line_end_hyphen, callbacks_.anchor, callbacks_.www, callbacks_.in_protected_span,
                         callbacks_.transfer_case})
        Py_XDECREF(fn);
}

size_t Engine::cached_entries() const {
    return look_.size() + readings_[0].size() + readings_[1].size() + evidence_[0].size() + evidence_[1].size()
           + decisions_.size() + context_decisions_.size() + case_memo_.size();
}

bool Engine::ask(PyObject* fn, uview s, UMemo<bool>& memo) {
    if (const bool* known = memo.find(s)) return *known;
    PyRef arg(py_str(s));
    PyRef out(PyObject_CallOneArg(fn, arg.p));
    if (!out.p) python_failed();
    int truth = PyObject_IsTrue(out.p);
    if (truth < 0) python_failed();
    return memo.put(ustr(s), truth == 1);
}

bool Engine::continues_sentence(uview sep, const uview* previous) {
    if (previous == nullptr || previous->empty() || !is_lower_c(previous->back())) return false;
    return ask(callbacks_.break_free, sep, break_memo_);
}

ustr Engine::transfer_case(const ustr& token, const ustr& word) {
    std::string key;
    put_ustr(key, token);
    put_ustr(key, word);
    if (const ustr* known = case_memo_.find(key)) return *known;
    PyRef a(py_str(token)), b(py_str(word));
    PyRef out(PyObject_CallFunctionObjArgs(callbacks_.transfer_case, a.p, b.p, nullptr));
    if (!out.p) python_failed();
    return case_memo_.put(key, from_py(out.p));
}

bool Engine::needs_look(uview word) {
    if (const bool* known = look_.find(word)) return *known;
    size_t letters = 0;
    for (char32_t c : word) letters += is_alpha(c) ? 1 : 0;
    bool verdict;
    if (letters == 0) {
        verdict = false;
    } else if (letters < word.size()) {
        verdict = word.size() >= 2;
        for (char32_t c : word) verdict = verdict && (is_alpha(c) || confusable_.count(c));
    } else {
        ustr low = lower(ustr(word));
        verdict = !lexicon_->is_valid(low) || shadows_.count(low);
    }
    return look_.put(ustr(word), verdict);
}

std::vector<Reading> Engine::readings_of(const ustr& word, bool compounds) {
    auto& memo = readings_[compounds ? 1 : 0];
    if (const auto* known = memo.find(word)) return *known;
    std::vector<Reading> found;
    if (lexicon_->key_id(lower(word)) < 0) found = search_.dot_readings(word);
    if (found.empty()) found = search_.readings(word, compounds);
    if (found.empty() && compounds) found = search_.name_tail_readings(word);
    return memo.put(word, std::move(found));
}

const std::optional<Reading>& Engine::evidence(const ustr& word, bool compounds) {
    auto& memo = evidence_[compounds ? 1 : 0];
    if (const auto* known = memo.find(word)) return *known;
    std::vector<Reading> found = readings_of(word, compounds);
    ustr low = lower(word);
    std::optional<Reading> proof;
    bool as_it_stands = false;
    for (const Reading& r : found)
        as_it_stands |= (r.word == low && (r.parts.size() > 1 || lexicon_->is_valid(low)));
    if (!found.empty() && !is_acronym(word) && !as_it_stands) {
        std::vector<Scored> scored = model_.score(word, found, neutral_, nullptr, false);
        const Scored& best = scored[0];
        if (best.reading != nullptr && Model::posteriors(scored)[0] >= 0.5 && !best.reading->fuzzy) {
            bool adaptive = false;
            for (int id : best.reading->edits) adaptive |= channel_.edit(id).adaptive;
            if (adaptive) proof = *best.reading;
        }
    }
    return memo.put(word, std::move(proof));
}

Judged Engine::judge(const ustr& word, const std::vector<Reading>& found, const Profile& profile,
                     const Vocabulary* vocab, bool name_like, const Options& o) {
    Judged j;
    auto readings = std::make_shared<const std::vector<Reading>>(found);
    j.readings = readings;
    std::vector<Scored> scored = model_.score(word, *readings, profile, vocab, name_like);
    j.decision = model_.decide(word, scored, vocab);
    j.reach = model_.within_reach(scored);
    if (o.use_context && scored.size() > 1 && context_) {
        std::vector<double> probs = Model::posteriors(scored);
        std::vector<ustr> contenders;
        ustr low = lower(word);
        for (size_t k = 0; k < scored.size(); ++k)
            if (probs[k] >= config_.context_margin) contenders.push_back(scored[k].keep ? low : scored[k].word);
        if (contenders.size() > 1 && context_->covers(contenders)) {
            j.contextual = true;
            j.scored = std::move(scored);
        }
    }
    return j;
}

bool Engine::in_damaged_address(const Doc& d, size_t j) {
    uview before = d.seps[j], after = j + 1 < d.seps.size() ? d.seps[j + 1] : uview();
    if (before.find(U'@') != uview::npos || after.find(U'@') != uview::npos) return true;
    if (j > 0 && ask(callbacks_.www, d.words[j - 1], www_memo_)) {
        bool stripped_empty = true;  // before.strip(" .,:") == ""
        for (char32_t c : before) stripped_empty = stripped_empty && (c == U' ' || c == U'.' || c == U',' || c == U':');
        if (stripped_empty) return true;
    }
    if (j + 1 < d.words.size() && tlds_.count(lower(ustr(d.words[j + 1])))) {
        uview core = strip_space(after);
        bool joined = core == U"." || core == U":" || core == U"," || core == U"/";
        bool next_ok = j + 2 >= d.seps.size();
        if (!next_ok) {
            uview next = d.seps[j + 2];
            next_ok = next.empty() || next[0] == U'/' || next[0] == U' ' || next[0] == U'\n' || next[0] == U'.';
        }
        bool padded = after.size() != core.size();
        if (joined && next_ok && !(padded && str_istitle(ustr(d.words[j + 1])))) return true;
    }
    return false;
}

bool Engine::englishish(const ustr& word) {
    if (const bool* known = english_memo_.find(word)) return *known;
    ustr low = lower(word);
    double english = lexicon_->english_zipf(low);
    bool verdict = english >= config_.english_zipf
                   && (!lexicon_->is_valid(low) || english - 1.0 > lexicon_->prior(low));
    return english_memo_.put(word, verdict);
}

bool Engine::maybe_english(uview word) {
    if (const bool* known = maybe_english_memo_.find(word)) return *known;
    return maybe_english_memo_.put(ustr(word), lexicon_->english_zipf(lower(ustr(word))) >= 2.0);
}

ustr Engine::neighbour_token(uview w) {
    if (const ustr* known = token_memo_.find(w)) return *known;
    ustr word(w), token;
    bool digits = false;
    for (char32_t c : word) digits = digits || is_digit(c);
    if (digits) {
        bool year = word.size() == 4
                    && ((word[0] == U'1' && (word[1] == U'8' || word[1] == U'9')) || (word[0] == U'2' && word[1] == U'0'))
                    && is_decimal(word[2]) && is_decimal(word[3]);
        token = year ? U"<YEAR>" : U"<NUM>";
    } else {
        token = lower(word);
    }
    return token_memo_.put(word, token);
}

bool Engine::names_a_place(const ustr& word) {
    if (const bool* known = place_memo_.find(word)) return *known;
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
                verdict = elements.count(word.substr(k, j - k)) > 0;
        }
    }
    return place_memo_.put(word, verdict);
}

ustr Engine::restore_case(const ustr& token, const ustr& word, bool mid_sentence) {
    ustr cased = transfer_case(token, word);
    static const ustr diacritics = U"\u00e5\u00e4\u00f6";
    if (!mid_sentence || word.empty() || !contains(diacritics, word[0]) || token.size() < 2 || !is_upper_c(token[0])
        || !str_islower(token.data() + 1, token.size() - 1) || (lexicon_->flags(word) & (F_NAMES | F_PROPER))
        || names_a_place(word))
        return cased;
    auto log10_q = [&](char32_t observed, const ustr& truth) {
        for (int id : channel_.explanations(ustr(1, observed)))
            if (channel_.edit(id).truth == truth) return channel_.edit(id).log10_q;
        return ustr(1, observed) == truth ? 0.0 : -std::numeric_limits<double>::infinity();
    };
    double as_lower = log10_q(token[0], ustr(1, word[0]));
    double cost = config_.mid_sentence_capital_cost
                  + config_.frequent_word_capital_cost * std::max(0.0, lexicon_->zipf(word) - config_.common_word_zipf);
    double as_capital = log10_q(token[0], py_upper(ustr(1, word[0]))) - cost;
    return as_lower > as_capital ? word : cased;
}

namespace {

std::string decision_key(const ustr& word, const Profile& p, bool name_like, const Options& o, const Shape* shape) {
    std::string key;
    put_ustr(key, word);
    put_bytes(key, p.rates.data(), sizeof(double) * 3);
    key.push_back(static_cast<char>((name_like ? 1 : 0) | (o.compounds ? 2 : 0) | (o.use_context ? 4 : 0)));
    if (shape != nullptr)
        for (const auto& [form, boost] : *shape) {
            put_ustr(key, form.first);
            put_ustr(key, form.second);
            put_bytes(key, &boost, sizeof boost);
        }
    return key;
}

Shape shape_for(const Shape& shape, const Forms& forms) {
    Shape out;
    for (const auto& item : shape)
        if (std::binary_search(forms.begin(), forms.end(), item.first)) out.push_back(item);
    return out;
}

}  // namespace

std::vector<ChangeOut> Engine::restore(PyObject* text_obj, const Options& o) {
    const Config& C = config_;
    Doc d;
    d.obj = text_obj;
    d.text = from_py(text_obj);
    const ustr& text = d.text;
    const size_t n = text.size();
    // split: separators and words alternate (tokenize.WORD)
    {
        size_t i = 0, sep_start = 0;
        while (i < n) {
            if (!is_alnum(text[i])) { ++i; continue; }
            size_t s = i;
            while (i < n && is_alnum(text[i])) ++i;
            while (i < n && text[i] == U'&' && ring_letter(text[i - 1])) {
                ++i;
                while (i < n && is_alnum(text[i])) ++i;
            }
            d.seps.emplace_back(text.data() + sep_start, s - sep_start);
            d.words.emplace_back(text.data() + s, i - s);
            d.starts.push_back(s);
            sep_start = i;
        }
        d.seps.emplace_back(text.data() + sep_start, n - sep_start);
    }
    const auto& words = d.words;
    const auto& seps = d.seps;
    const size_t nw = words.size();

    // --- analyse ---------------------------------------------------------------------------
    std::vector<std::pair<uview, long>> counts;  // distinct words, first-seen order
    std::unordered_map<uview, size_t> count_at;
    count_at.reserve(nw);
    for (uview w : words) {
        auto [it, inserted] = count_at.emplace(w, counts.size());
        if (inserted) counts.emplace_back(w, 1); else ++counts[it->second].second;
    }
    std::vector<ustr> suspicious;
    std::unordered_map<uview, size_t> suspicious_at;
    for (const auto& [w, c] : counts)
        if (needs_look(w)) {
            suspicious_at.emplace(w, suspicious.size());
            suspicious.emplace_back(w);
        }
    std::vector<std::vector<size_t>> occurrences(suspicious.size());
    if (!suspicious.empty())
        for (size_t j = 0; j < nw; ++j) {
            auto it = suspicious_at.find(words[j]);
            if (it != suspicious_at.end()) occurrences[it->second].push_back(j);
        }
    // occurrences in an address (tokenize.sheltered_words)
    std::vector<char> sheltered(nw, 0);
    {
        auto glued_before = [&](uview sep) {
            return sep.find(U'@') != uview::npos || !ask(callbacks_.plain_before, sep, before_memo_);
        };
        auto glued_after = [&](uview sep) {
            return sep.find(U'@') != uview::npos || !ask(callbacks_.plain_after, sep, after_memo_);
        };
        auto anchor = [&](uview w) { return w.size() <= 6 && ask(callbacks_.anchor, w, anchor_memo_); };
        for (const auto& occ : occurrences)
            for (size_t j : occ) {
                if (!(glued_before(seps[j]) || glued_after(seps[j + 1]) || (j > 0 && anchor(words[j - 1]))
                      || (j + 1 < nw && anchor(words[j + 1]))))
                    continue;
                size_t start = d.starts[j], end = start + words[j].size();
                PyRef a(PyLong_FromSize_t(start)), b(PyLong_FromSize_t(end)), l(py_str(seps[j])), r(py_str(seps[j + 1]));
                PyRef out(PyObject_CallFunctionObjArgs(callbacks_.in_protected_span, text_obj, a.p, b.p, l.p, r.p, nullptr));
                if (!out.p) python_failed();
                int protected_span = PyObject_IsTrue(out.p);
                if (protected_span < 0) python_failed();
                if (protected_span || in_damaged_address(d, j)) sheltered[j] = 1;
            }
    }
    // a capitalised word mid-sentence may be a name
    std::vector<char> name_like(suspicious.size(), 1);
    for (size_t k = 0; k < suspicious.size(); ++k) {
        const ustr& w = suspicious[k];
        if (!(w.size() >= 1 && str_isupper(w.data(), 1))) continue;
        bool any = false;
        for (size_t j : occurrences[k]) any = any || !starts_sentence(seps[j]);
        name_like[k] = !str_isupper(w) && any;
    }
    Survivors survivors;
    for (char32_t c : text) {
        switch (c) {
            case U'\u00e5': case U'\u00c5': ++survivors.n[0]; break;
            case U'\u00e4': case U'\u00c4': ++survivors.n[1]; break;
            case U'\u00f6': case U'\u00d6': ++survivors.n[2]; break;
            default: break;
        }
    }
    std::optional<Vocabulary> vocab;
    if (o.use_document && (survivors.n[0] || survivors.n[1] || survivors.n[2])) {
        vocab.emplace();
        for (const auto& [w, c] : counts) {
            vocab->total += c;
            bool ascii = true, dotted = false;
            for (char32_t ch : w) {
                ascii = ascii && ch < 128;
                dotted = dotted || ch == U'\u00e5' || ch == U'\u00e4' || ch == U'\u00f6' || ch == U'\u00c5'
                         || ch == U'\u00c4' || ch == U'\u00d6';
            }
            if (ascii || !dotted) continue;
            ustr low = lower(ustr(w));
            auto [it, inserted] = vocab->index.emplace(low, vocab->counts.size());
            if (inserted) vocab->counts.emplace_back(low, c); else vocab->counts[it->second].second += c;
        }
        for (size_t k = 0; k < vocab->counts.size(); ++k)
            vocab->by_key[model_.wild_key(vocab->counts[k].first)].push_back(k);
    }
    std::vector<std::vector<Reading>> lexical(suspicious.size());
    for (size_t k = 0; k < suspicious.size(); ++k) lexical[k] = readings_of(suspicious[k], o.compounds);

    Profile profile = neutral_;
    std::vector<std::optional<Reading>> proofs(suspicious.size());
    std::vector<long> in_text(suspicious.size(), 0);
    Evidence shapes;
    std::array<double, 3> lost{0.0, 0.0, 0.0};
    double lost_total = 0.0;
    long letters = 0;
    if (o.use_document) {
        for (size_t k = 0; k < suspicious.size(); ++k) {
            const std::optional<Reading>& proof = evidence(suspicious[k], o.compounds);
            if (!proof) continue;
            long shown = 0;
            for (size_t j : occurrences[k]) shown += sheltered[j] ? 0 : 1;
            if (shown) {
                proofs[k] = proof;
                in_text[k] = shown;
            }
        }
        for (const auto& [w, c] : counts)
            if (str_isalpha(w.data(), w.size())) letters += static_cast<long>(w.size()) * c;
        for (size_t k = 0; k < suspicious.size(); ++k)
            if (proofs[k]) add_evidence(shapes, *proofs[k], in_text[k], channel_);
        lost = lost_letters(shapes);
        profile = measure_profile(C, survivors, lost, letters);
        if (C.shape_adapts) profile.shape = measure_shape(C, shapes);
        lost_total = lost[0] + lost[1] + lost[2];
    }

    struct Decided {
        bool present = false;
        Decision decision;
        const Judged* contextual = nullptr;  // points into `held`
        std::optional<std::string> key;     // the cross-document key, when shared
    };
    std::vector<Decided> decided(suspicious.size());
    std::deque<Judged> held;  // judged words whose scored readings context needs
    const Vocabulary* v = vocab ? &*vocab : nullptr;
    const bool spelled = v != nullptr && !v->counts.empty();
    for (size_t k = 0; k < suspicious.size(); ++k) {
        const ustr& word = suspicious[k];
        std::vector<Reading> found = lexical[k];
        if (spelled) {
            std::vector<Reading> shown = model_.document_readings(word, *v);
            if (!shown.empty()) {
                UstrSet known;
                for (const Reading& r : found) known.insert(r.word);
                for (Reading& r : shown)
                    if (!known.count(r.word)) found.push_back(std::move(r));
            }
            if (found.empty()) found = model_.fuzzy_document_readings(word, *vocab);
        }
        bool uses_document = false;
        if (spelled)
            for (const Reading& r : found) uses_document = uses_document || v->count(r.word) > 0;
        bool word_name_like = name_like[k];
        Profile word_profile = profile;
        if (proofs[k]) {
            const Reading& proof = *proofs[k];
            long adaptive = 0;
            for (int id : proof.edits) adaptive += channel_.edit(id).adaptive ? 1 : 0;
            if (!(static_cast<double>(in_text[k] * adaptive * C.leave_out_share) < lost_total)) {
                Evidence own;
                add_evidence(own, proof, in_text[k], channel_);
                std::array<double, 3> own_lost = lost_letters(own);
                std::array<double, 3> rest{lost[0] - own_lost[0], lost[1] - own_lost[1], lost[2] - own_lost[2]};
                Evidence rest_shapes;
                for (const auto& [form, value] : shapes) {
                    double mine = 0.0;
                    for (const auto& [f, val] : own)
                        if (f == form) mine = val.first;
                    rest_shapes.push_back({form, {value.first - mine, value.second}});
                }
                word_profile = measure_profile(C, survivors, rest, letters);
                if (C.shape_adapts) word_profile.shape = measure_shape(C, rest_shapes);
            }
        }
        Profile plain = make_profile(word_profile.rates);
        std::string key = decision_key(word, plain, word_name_like, o, nullptr);
        auto judged_under = [&](const std::string& key, const Profile& p) -> const Judged& {
            if (!uses_document) {
                if (const Judged* known = decisions_.find(key)) return *known;
                return decisions_.put(key, judge(word, found, p, v, word_name_like, o));
            }
            held.push_back(judge(word, found, p, v, word_name_like, o));
            return held.back();
        };
        const Judged* judged = &judged_under(key, plain);
        if (!word_profile.shape.empty() && judged->decision.confidence < C.shape_settled) {
            Shape shape = shape_for(word_profile.shape, judged->reach);
            if (!shape.empty()) {
                key = decision_key(word, plain, word_name_like, o, &shape);
                judged = &judged_under(key, make_profile(word_profile.rates, shape));
            }
        }
        Decided& out = decided[k];
        out.decision = judged->decision;
        if (judged->contextual) {
            if (!uses_document) {
                held.push_back(*judged);  // the cache may forget it while this document runs
                out.contextual = &held.back();
                out.key = key;
            } else {
                out.contextual = judged;
            }
        }
        out.present = out.decision.has_word || judged->contextual;
    }

    // --- restore -------------------------------------------------------------------------------
    std::vector<ChangeOut> changes;
    // words a line-end hyphen split ("atgar-\nder"), read as one
    std::vector<char> taken(nw, 0);
    for (size_t j = 0; j + 1 < nw; ++j) {
        uview sep = seps[j + 1];
        if (sep.find(U'\n') == uview::npos || sep.find(U'-') == uview::npos) continue;
        ustr head(words[j]), tail(words[j + 1]);
        if (!ask(callbacks_.line_end_hyphen, sep, hyphen_memo_) || !str_isalpha(head) || !str_isalpha(tail)) continue;
        if (!(str_islower(tail.data(), 1) || (str_isupper(head) && str_isupper(tail)))) continue;
        ustr joined = head + tail;
        if (lexicon_->is_valid(lower(joined))) continue;
        std::vector<Reading> found = readings_of(joined, o.compounds);
        std::vector<Scored> scored = model_.score(joined, found, profile, nullptr, false);
        Decision decision = model_.decide(joined, scored, nullptr);
        if (!decision.has_word || decision.word.size() != joined.size()) continue;
        ustr whole = transfer_case(joined, decision.word);
        bool applied = decision.apply && decision.confidence >= o.apply_threshold;
        taken[j] = taken[j + 1] = 1;
        const ustr parts_new[2] = {slice(whole, 0, head.size()), slice(whole, head.size(), whole.size())};
        const ustr* parts_old[2] = {&head, &tail};
        for (int h = 0; h < 2; ++h) {
            if (*parts_old[h] == parts_new[h]) continue;
            size_t start = d.starts[j + h];
            changes.push_back(ChangeOut{start, start + parts_old[h]->size(), *parts_old[h], parts_new[h],
                                        decision.confidence, decision.reason, applied});
        }
    }
    bool any_decision = false;
    for (const Decided& x : decided) any_decision = any_decision || x.present;
    if (any_decision) {
        // neighbours are read restored: "Det har ar" is scored as det [har] är
        std::unordered_map<uview, const ustr*> restored;
        for (size_t k = 0; k < suspicious.size(); ++k)
            if (decided[k].present && decided[k].decision.apply && decided[k].decision.has_word
                && !decided[k].decision.word.empty())
                restored.emplace(uview(suspicious[k]), &decided[k].decision.word);
        auto word_at = [&](size_t k) {
            auto it = restored.find(words[k]);
            return neighbour_token(it == restored.end() ? words[k] : uview(*it->second));
        };
        std::optional<std::unordered_map<uview, bool>> english;  // the document's English words
        auto english_evidence = [&]() {
            std::unordered_map<uview, bool> found;
            for (const auto& [w, c] : counts) {
                if (!str_isalpha(w.data(), w.size()) || !englishish(ustr(w))) continue;
                auto it = suspicious_at.find(w);
                if (it != suspicious_at.end()) {
                    const Decided& x = decided[it->second];
                    if (x.present && (x.decision.apply || x.contextual)) continue;
                }
                found.emplace(w, true);
            }
            return found;
        };
        auto previous = [&](size_t j) -> const uview* { return j ? &words[j - 1] : nullptr; };
        auto in_english_title = [&](size_t j, const std::unordered_map<uview, bool>& en) {
            if (!str_istitle(ustr(words[j]))) return false;
            if (j > 0 && seps[j] == U" " && str_istitle(ustr(words[j - 1])) && en.count(words[j - 1])) return true;
            return j + 1 < nw && (seps[j + 1] == U" " || seps[j + 1] == U"\n") && str_istitle(ustr(words[j + 1]))
                   && en.count(words[j + 1]) && continues_sentence(seps[j], previous(j));
        };
        auto in_english_run = [&](size_t j, const std::unordered_map<uview, bool>& en) {
            size_t lo = j, first = j >= 3 ? j - 3 : 0;
            while (lo > first && !ends_sentence(seps[lo])) --lo;
            size_t hi = j, last = std::min(nw - 1, j + 3);
            while (hi < last && !ends_sentence(seps[hi + 1])) ++hi;
            long hits = 0;
            for (size_t k = lo; k <= hi; ++k) hits += en.count(words[k]) ? 1 : 0;
            hits -= en.count(words[j]) ? 1 : 0;
            if (hits >= C.english_neighbours
                && ((lo < j && maybe_english(words[j - 1])) || (j < hi && maybe_english(words[j + 1]))))
                return true;
            return in_english_title(j, en);
        };
        auto context_decision = [&](size_t k, size_t j) -> Decision {
            const Decided& x = decided[k];
            const ustr& word = suspicious[k];
            Neighbours nb;
            if (j == 0 || ends_sentence(seps[j])) {
                nb[0] = nb[1] = ustr(U"<S>");
            } else {
                nb[1] = word_at(j - 1);
                nb[0] = (j == 1 || ends_sentence(seps[j - 1])) ? ustr(U"<S>") : word_at(j - 2);
            }
            if (j + 1 > nw - 1 || ends_sentence(seps[j + 1])) {
                nb[2] = nb[3] = ustr(U"</S>");
            } else {
                nb[2] = word_at(j + 1);
                nb[3] = (j + 1 >= nw - 1 || ends_sentence(seps[j + 2])) ? ustr(U"</S>") : word_at(j + 2);
            }
            std::string key;
            if (x.key) {
                key = *x.key;
                key.push_back('\x01');
                for (const auto& s : nb) put_ustr(key, *s);
                if (const Decision* known = context_decisions_.find(key)) return *known;
            }
            const Judged& base = *x.contextual;
            ustr low = lower(word);
            std::vector<ustr> candidates;
            for (const Scored& s : base.scored) candidates.push_back(s.keep ? low : s.word);
            std::vector<std::pair<ustr, double>> bonus = context_->score(candidates, nb);
            std::vector<Scored> rescored = base.scored;
            for (Scored& s : rescored) {
                const ustr& name = s.keep ? low : s.word;
                s.context = 0.0;
                for (const auto& [w, b] : bonus)
                    if (w == name) { s.context = b; break; }
            }
            std::stable_sort(rescored.begin(), rescored.end(),
                             [](const Scored& a, const Scored& b) { return -a.total() < -b.total(); });
            Decision decision = model_.decide(word, rescored, nullptr);
            if (x.key) context_decisions_.put(key, decision);
            return decision;
        };

        for (size_t k = 0; k < suspicious.size(); ++k) {
            const Decided& x = decided[k];
            if (!x.present) continue;
            const ustr& word = suspicious[k];
            const bool contextual = x.contextual != nullptr;
            ustr low = lower(word);
            if (!contextual && (!x.decision.has_word || x.decision.word == low)) continue;
            bool lost_dots_only = x.decision.apply && x.decision.has_word && !x.decision.word.empty()
                                  && !lexicon_->is_valid(low) && dots_on_a_and_o(word, x.decision.word);
            bool acronym = is_acronym(word) && !lost_dots_only;
            bool could_be_english = maybe_english(word);
            for (size_t j : occurrences[k]) {
                bool title = acronym && word.size() <= 3 && j + 1 < nw && !words[j + 1].empty()
                             && str_islower(words[j + 1].data(), 1) && !continues_sentence(seps[j], previous(j))
                             && all_space(seps[j + 1]);
                if (sheltered[j] || taken[j]) continue;
                if (acronym && !title) {
                    bool heading = false;
                    for (long q : {-2L, -1L, 1L, 2L}) {
                        long at = static_cast<long>(j) + q;
                        if (at < 0 || at >= static_cast<long>(nw)) continue;
                        uview w = words[at];
                        heading = heading || (w.size() >= 4 && str_isupper(w.data(), w.size()) && str_isalpha(w.data(), w.size()));
                    }
                    if (!heading) continue;
                }
                if (j > 0 && seps[j] == U":") {  // an ending after a colon: "C64:an", "SKR:s"
                    char32_t last = words[j - 1].back();
                    if (is_digit(last) || is_upper_c(last)) continue;
                }
                if (could_be_english) {
                    if (!english) english = english_evidence();
                    if (!english->empty() && in_english_run(j, *english)) continue;
                }
                Decision chosen = contextual ? context_decision(k, j) : x.decision;
                if (!chosen.has_word || chosen.word == low || (title && !dots_on_a_and_o(word, chosen.word))) continue;
                bool mid = continues_sentence(seps[j], previous(j));
                ustr written = title ? py_upper(slice(chosen.word, 0, 1)) + slice(chosen.word, 1, chosen.word.size())
                                     : restore_case(word, chosen.word, mid);
                size_t start = d.starts[j];
                changes.push_back(ChangeOut{start, start + word.size(), word, written, chosen.confidence, chosen.reason,
                                            chosen.apply && chosen.confidence >= o.apply_threshold});
            }
        }
    }
    std::stable_sort(changes.begin(), changes.end(), [](const ChangeOut& a, const ChangeOut& b) { return a.start < b.start; });
    return changes;
}

}  // namespace svfix
