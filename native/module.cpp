// The Python face of the engine (svfix._native). svfix/native.py loads the data and builds it.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <memory>
#include <string_view>
#include <unordered_map>

#include "casing.hpp"
#include "engine.hpp"

namespace py = pybind11;
using namespace svfix;

namespace {

std::string bytes_of(const py::bytes& b) { return std::string(b); }

UstrSet ustr_set(const py::iterable& items) {
    UstrSet out;
    for (py::handle h : items) out.insert(from_py(h.ptr()));
    return out;
}

// svfix.channel.Channel.letters and .letter_groups: (truth, observed, log10 P), each side one
// letter or empty, or a group of two letters; clamped to [floor, cap] (native/fuzzy.hpp)
LetterCosts letter_costs_of(const py::iterable& letters, double floor, double cap) {
    std::vector<std::tuple<char32_t, char32_t, double>> single;
    std::vector<LetterGroup> groups;
    for (py::handle h : letters) {
        py::tuple t = py::reinterpret_borrow<py::tuple>(h);
        const ustr truth = from_py(t[0].ptr()), observed = from_py(t[1].ptr());
        const double log10 = t[2].cast<double>();
        if (truth.size() > 2 || observed.size() > 2)
            throw std::runtime_error("svfix engine: a letter edit of more than two letters");
        if (truth.size() > 1 || observed.size() > 1) groups.push_back(LetterGroup{truth, observed, log10});
        else single.emplace_back(truth.empty() ? 0 : truth[0], observed.empty() ? 0 : observed[0], log10);
    }
    return LetterCosts(single, floor, cap, std::move(groups));
}

template <class T>
void read(const py::dict& d, const char* name, T& field) {
    if (!d.contains(name)) throw std::runtime_error(std::string("svfix engine: constant missing: ") + name);
    field = d[name].cast<T>();
}

Config config_of(const py::dict& d) {
    Config c;
    read(d, "MIN_PART", c.min_part); read(d, "MAX_PARTS", c.max_parts); read(d, "MAX_EDITS", c.max_edits);
    read(d, "MAX_OTHER_EDITS", c.max_other_edits); read(d, "MAX_INSERTIONS", c.max_insertions);
    read(d, "OTHER_ALONE_MIN_LOG10", c.other_alone_min_log10);
    read(d, "MAX_NODES", c.max_nodes); read(d, "MIN_ELEMENT", c.min_element);
    read(d, "MAX_DOT_POSITIONS", c.max_dot_positions); read(d, "MIN_HEAD", c.min_head); read(d, "MIN_TAIL", c.min_tail);
    read(d, "MIN_PATH_LOG10", c.min_path_log10); read(d, "MIN_DOT_Q", c.min_dot_q); read(d, "MIN_TAIL_ZIPF", c.min_tail_zipf);
    read(d, "APPLY_AT", c.apply_at); read(d, "APPLY_VALID_AT", c.apply_valid_at); read(d, "SUGGEST_AT", c.suggest_at);
    read(d, "UNKNOWN_PRIOR", c.unknown_prior); read(d, "UNSEEN_TRIGRAM_COST", c.unseen_trigram_cost);
    read(d, "UNKNOWN_LENGTH_COST", c.unknown_length_cost); read(d, "UNKNOWN_FREE_LENGTH", c.unknown_free_length);
    read(d, "UNKNOWN_WITH_DIGITS_PRIOR", c.unknown_with_digits_prior); read(d, "NAME_TAIL_BONUS", c.name_tail_bonus);
    read(d, "COMPOUND_BASE_COST", c.compound_base_cost); read(d, "COMPOUND_COST", c.compound_cost);
    read(d, "COMPOUND_PART_FLOOR", c.compound_part_floor); read(d, "COMPOUND_HEAD_FLOOR", c.compound_head_floor);
    read(d, "COMPOUND_HEAD_WEIGHT", c.compound_head_weight);
    read(d, "LISTED_TOKEN_COMPOUND_COST", c.listed_token_compound_cost);
    read(d, "LISTED_READING_MARGIN", c.listed_reading_margin);
    read(d, "PROPER_IN_LOWERCASE_COST", c.proper_in_lowercase_cost);
    read(d, "COMMON_CAPITALISED_COST", c.common_capitalised_cost); read(d, "INNER_CAPITAL_COST", c.inner_capital_cost);
    read(d, "GIVEN_NAME_BEFORE_SURNAME_BONUS", c.given_name_before_surname_bonus);
    read(d, "DOCUMENT_WEIGHT", c.document_weight);
    read(d, "CLEAN_RATE", c.clean_rate); read(d, "DAMAGED_PRIOR_RATE", c.damaged_prior_rate);
    read(d, "DAMAGED_PRIOR_WEIGHT", c.damaged_prior_weight); read(d, "CLEAN_SHARE", c.clean_share);
    read(d, "LETTER_WEIGHT", c.letter_weight); read(d, "EXPECTED_SHARE", c.expected_share);
    read(d, "SHORTFALL_WEIGHT", c.shortfall_weight); read(d, "SHORTFALL_TOLERANCE", c.shortfall_tolerance);
    read(d, "MIN_RATE", c.min_rate); read(d, "MAX_RATE", c.max_rate); read(d, "FUZZY_MIN_RATIO", c.fuzzy_min_ratio);
    read(d, "FUZZY_EDIT_LOG10", c.fuzzy_edit_log10); read(d, "FUZZY_DIACRITIC_LOG10", c.fuzzy_diacritic_log10);
    read(d, "FUZZY_MIN_LENGTH", c.fuzzy_min_length);
    read(d, "FUZZY_LEXICON_MIN_ZIPF", c.fuzzy_lexicon_min_zipf);
    read(d, "FUZZY_LEXICON_PLAIN_MIN_ZIPF", c.fuzzy_lexicon_plain_min_zipf);
    read(d, "FUZZY_LEXICON_EDIT_LOG10", c.fuzzy_lexicon_edit_log10);
    read(d, "FUZZY_LEXICON_MAX_EDIT_LOG10", c.fuzzy_lexicon_max_edit_log10);
    read(d, "FUZZY_LEXICON_MIN_LENGTH", c.fuzzy_lexicon_min_length);
    read(d, "FUZZY_LEXICON_TWO_EDITS_MIN_LENGTH", c.fuzzy_lexicon_two_edits_min_length);
    read(d, "FUZZY_LEXICON_TITLE_MIN_LENGTH", c.fuzzy_lexicon_title_min_length); read(d, "SHAPE_PRIOR", c.shape_prior);
    read(d, "SHAPE_MAX_BOOST", c.shape_max_boost); read(d, "SHAPE_MAX_LOG10_Q", c.shape_max_log10_q);
    read(d, "NEUTRAL_RATE", c.neutral_rate);
    read(d, "NOISE_REFERENCE_RATE", c.noise_reference_rate); read(d, "NOISE_PRIOR_RATE", c.noise_prior_rate);
    read(d, "NOISE_PRIOR_WEIGHT", c.noise_prior_weight); read(d, "NOISE_MIN_LOG10", c.noise_min_log10);
    read(d, "NOISE_MAX_LOG10", c.noise_max_log10); read(d, "READING_EXPLAINS_PRIOR", c.reading_explains_prior);
    read(d, "EXPLAINED_FUZZY_MIN_LOG10", c.explained_fuzzy_min_log10);
    read(d, "ENGLISH_NEIGHBOURS", c.english_neighbours); read(d, "ENGLISH_ZIPF", c.english_zipf);
    read(d, "CONTEXT_MARGIN", c.context_margin); read(d, "LEAVE_OUT_SHARE", c.leave_out_share);
    read(d, "SHAPE_ADAPTS", c.shape_adapts); read(d, "SHAPE_SETTLED", c.shape_settled); read(d, "REACH", c.reach);
    read(d, "W1", c.w1); read(d, "W2", c.w2); read(d, "BETA", c.beta); read(d, "WEIGHT", c.context_weight);
    read(d, "MAX_BONUS", c.max_bonus); read(d, "W_SUFFIX", c.w_suffix); read(d, "W_CLASS", c.w_class);
    read(d, "SKIP_UNSEEN", c.skip_unseen);
    read(d, "REGISTER_WEIGHT", c.register_weight); read(d, "REGISTER_PSEUDO", c.register_pseudo);
    read(d, "UNSEEN_AGAINST_N", c.unseen_against_n); read(d, "SUFFIX_MIN_LEN", c.suffix_min_len);
    read(d, "SUFFIX_LEN", c.suffix_len);
    read(d, "CAPITALS_ENDING_MAX", c.capitals_ending_max); read(d, "CAPITALS_MIN", c.capitals_min);
    read(d, "MID_SENTENCE_CAPITAL_COST", c.mid_sentence_capital_cost);
    read(d, "FREQUENT_WORD_CAPITAL_COST", c.frequent_word_capital_cost); read(d, "COMMON_WORD_ZIPF", c.common_word_zipf);
    return c;
}

// The context model from its Python form (svfix.context.ContextModel), read with CPython's dict
// API: 180,000 neighbour counts, on every start-up; and the closed word classes it backs off to
// (svfix.context.WORD_CLASSES).
std::unique_ptr<ContextModel> context_of(const py::object& model, const py::dict& word_classes,
                                         const Config& config) {
    if (model.is_none()) return nullptr;
    static const char* names[kPositions] = {"L1", "R1", "L2", "R2", "L1s", "R1s", "L2s", "R2s"};
    auto out = std::make_unique<ContextModel>(config, model.attr("background_denominator").cast<long>());
    PyObject* position_names[kPositions];
    for (int p = 0; p < kPositions; ++p) position_names[p] = PyUnicode_InternFromString(names[p]);
    PyObject* n_name = PyUnicode_InternFromString("n");
    PyObject* t_name = PyUnicode_InternFromString("T");
    auto as_long = [](PyObject* o) {
        long v = PyLong_AsLong(o);
        if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
        return v;
    };
    // json.load hands out one str object per distinct key, so most neighbours repeat by identity
    std::unordered_map<PyObject*, uint32_t> by_object;
    auto id_of = [&](PyObject* s) {
        auto [it, inserted] = by_object.emplace(s, 0);
        if (inserted) it->second = out->neighbour_id(from_py(s));
        return it->second;
    };
    py::dict words = model.attr("words");
    PyObject *word, *value;
    Py_ssize_t at = 0;
    while (PyDict_Next(words.ptr(), &at, &word, &value)) {
        if (!PyDict_Check(value)) throw std::runtime_error("svfix engine: a context entry is not a dict");
        ContextEntry e;
        if (PyObject* n = PyDict_GetItemWithError(value, n_name)) {
            e.has_n = PyObject_IsTrue(n) == 1;
            e.n = as_long(n);
        }
        PyObject* totals = PyDict_GetItemWithError(value, t_name);
        for (int p = 0; p < kPositions; ++p) {
            if (totals != nullptr && PyDict_Check(totals))
                if (PyObject* t = PyDict_GetItemWithError(totals, position_names[p])) e.T[p] = t == Py_None ? 0 : as_long(t);
            PyObject* seen = PyDict_GetItemWithError(value, position_names[p]);
            if (seen == nullptr || !PyDict_Check(seen)) continue;
            e.seen[p].reserve(static_cast<size_t>(PyDict_Size(seen)));
            PyObject *neighbour, *count;
            Py_ssize_t k = 0;
            while (PyDict_Next(seen, &k, &neighbour, &count)) e.seen[p].add(id_of(neighbour), as_long(count));
        }
        if (PyErr_Occurred()) throw py::error_already_set();
        out->add_word(from_py(word), std::move(e));
    }
    py::dict totals = model.attr("neighbour_totals");
    at = 0;
    while (PyDict_Next(totals.ptr(), &at, &word, &value)) out->add_total(id_of(word), as_long(value));
    for (const auto& [name, members] : word_classes) {
        std::vector<ustr> words;
        for (const auto& m : members) words.push_back(from_py(m.ptr()));
        out->add_class(words);
    }
    return out;
}

PyObject* callback(const py::dict& d, const char* name) {
    if (!d.contains(name)) throw std::runtime_error(std::string("svfix engine: callback missing: ") + name);
    return py::object(d[name]).ptr();
}

py::tuple reading_tuple(const Reading& r) {
    py::list parts, edits;
    for (size_t k = 0; k < r.n_parts; ++k) parts.append(py::reinterpret_steal<py::object>(to_py(ustr(r.part(k)))));
    for (char16_t e : r.edits) edits.append(static_cast<int>(e));
    return py::make_tuple(py::reinterpret_steal<py::object>(to_py(r.word)), py::tuple(parts), py::tuple(edits),
                          r.fuzzy, r.fuzzy_q, r.unknown_head);
}

py::list readings_list(const std::vector<Reading>& found) {
    py::list out;
    for (const Reading& r : found) out.append(reading_tuple(r));
    return out;
}

}  // namespace

#ifdef SVFIX_PHASES
extern double g_phase[16];
extern long g_count[8];
#endif
PYBIND11_MODULE(_native, m) {
#ifdef SVFIX_PHASES
    m.def("phases", []() { return std::vector<double>(g_phase, g_phase + 8); });
    m.def("counts", []() { return std::vector<long>(g_count, g_count + 5); });
#endif
    m.doc() = "svfix's engine: the restoration pipeline of svfix.pipeline, compiled (see native/).";
    m.def("confidence_text", &confidence_text, "A confidence as the change log writes it: repr(round(x, 4)).");
    m.def("transfer_case_latin1", &transfer_case_latin1,
          "tokenize.transfer_case in the engine, or None where it leaves the answer to Python.");
    m.def("indel", &indel, "The Indel distance of the engine's fuzzy match (rapidfuzz.distance.Indel's).");

    py::class_<LetterCosts>(m, "LetterCosts")
        .def(py::init(&letter_costs_of), py::arg("letters"), py::arg("floor"), py::arg("cap"),
             "What the fuzzy match charges for one letter edit (native/fuzzy.hpp): from "
             "svfix.channel.Channel.letters and .letter_groups, (truth, observed, log10 P), "
             "clamped to [floor, cap].");

    py::class_<Lexicon, std::shared_ptr<Lexicon>>(m, "Lexicon")
        .def(py::init([](const py::bytes& words, const py::bytes& zipf, const py::bytes& flags,
                         const py::bytes& english_words, const py::bytes& english_zipf) {
                 std::string w = bytes_of(words), z = bytes_of(zipf), f = bytes_of(flags),
                             ew = bytes_of(english_words), ez = bytes_of(english_zipf);
                 // building the tries touches no Python object: another thread may run meanwhile
                 // (native.Engine parses the context model while this builds)
                 py::gil_scoped_release free;
                 return std::make_shared<Lexicon>(w, std::move(z), std::move(f), ew, std::move(ez));
             }),
             py::arg("words"), py::arg("zipf"), py::arg("flags"), py::arg("english_words"), py::arg("english_zipf"))
        .def("key_id", [](const Lexicon& L, const std::u32string& w) { return L.key_id(w); },
             "Position of a lowercase form in the word list, or -1.")
        .def("has_prefix", [](const Lexicon& L, const std::u32string& w) { return L.trie().has_prefix(w); },
             "Does any listed form start with this?")
        .def("english_key_id", [](const Lexicon& L, const std::u32string& w) { return L.english().key_id(w); })
        .def("keys", [](const Lexicon& L) { return L.trie().all_keys(); }, "Every form, in id order.")
        .def("english_keys", [](const Lexicon& L) { return L.english().all_keys(); })
        .def("__len__", [](const Lexicon& L) { return L.trie().size(); })
        .def("fuzzy_match",
             [](const Lexicon& L, const std::u32string& lower, double min_zipf, double plain_min_zipf, long min_length,
                const LetterCosts& letters, double diacritic_log10, bool two_edits) {
                 py::list found;
                 for (const FuzzyMatch& m :
                      L.fuzzy(min_zipf, plain_min_zipf, min_length)->best(lower, letters, diacritic_log10, two_edits))
                     found.append(py::make_tuple(m.word, m.other, m.dots, m.cost));
                 return found;
             },
             py::arg("lower"), py::arg("min_zipf"), py::arg("plain_min_zipf"), py::arg("min_length"),
             py::arg("letters"), py::arg("diacritic_log10"), py::arg("two_edits") = false,
             "The frequent words closest to a lowercase token (native/fuzzy.hpp `best`): a list of "
             "(word, other edits, diacritic edits, log10 cost), best first, at most two.")
        .def("fuzzy_targets", [](const Lexicon& L, double min_zipf, double plain_min_zipf, long min_length,
                                 bool two_edits) {
            py::gil_scoped_release free;  // (as while the lexicon is built)
            std::shared_ptr<const FuzzyIndex> index = L.fuzzy(min_zipf, plain_min_zipf, min_length);
            if (two_edits) index->prepare_two_edits();
            return index->size();
        }, py::arg("min_zipf"), py::arg("plain_min_zipf"), py::arg("min_length"), py::arg("two_edits") = false,
        "How many words the fuzzy index holds under these bounds (building it, and with `two_edits` "
        "its two-edit keys, if not yet made).")
        .def("set_constants", [](Lexicon& L, double name_floor, double curated_floor, double web_only) {
            L.constants = LexiconConstants{name_floor, curated_floor, web_only};
        })
        .def("set_register", [](Lexicon& L, const py::bytes& text) {
            // svfix/data/register.txt as svfix.register.load_register reads it: "# tokens\tN",
            // then "word\tcount" lines; parsed here, so that the engine's start-up builds no dict
            const std::string owned = bytes_of(text);
            const std::string_view all = owned;
            py::gil_scoped_release free;  // (as while the lexicon is built)
            std::vector<uint32_t> by_id(L.trie().size(), 0);
            long tokens = 0;
            size_t at = 0;
            while (at < all.size()) {
                size_t end = all.find('\n', at);
                if (end == std::string_view::npos) end = all.size();
                std::string_view line = all.substr(at, end - at);
                at = end + 1;
                size_t tab = line.rfind('\t');
                if (line.empty() || tab == std::string_view::npos) continue;
                long count = std::strtol(std::string(line.substr(tab + 1)).c_str(), nullptr, 10);
                if (line.rfind("# tokens\t", 0) == 0) tokens = count;
                if (line[0] == '#') continue;
                int32_t id = L.key_id(from_utf8(std::string(line.substr(0, tab))));
                if (id >= 0) by_id[static_cast<size_t>(id)] = static_cast<uint32_t>(count);
            }
            L.set_register(std::move(by_id), tokens);
        }, py::arg("text"), "How often written prose has each form (svfix/data/register.txt's bytes).");

    py::class_<Engine>(m, "Engine")
        .def(py::init([](std::shared_ptr<Lexicon> lexicon, const py::dict& constants, const py::list& edits,
                         const py::iterable& letters, const py::iterable& shadows, const py::iterable& elements, const py::iterable& trigrams,
                         const py::iterable& tlds, const py::object& context, const py::dict& word_classes,
                         const py::dict& callbacks) {
                 Config config = config_of(constants);
                 Channel channel;
                 for (py::handle h : edits) {
                     py::tuple t = py::reinterpret_borrow<py::tuple>(h);
                     channel.add(from_py(t[0].ptr()), from_py(t[1].ptr()), t[2].cast<double>(), t[3].cast<bool>());
                 }
                 channel.finish();
                 Callbacks cb;
                 cb.ends_sentence = callback(callbacks, "ends_sentence");
                 cb.break_free = callback(callbacks, "break_free");
                 cb.plain_before = callback(callbacks, "plain_before");
                 cb.plain_after = callback(callbacks, "plain_after");
                 cb.line_end_hyphen = callback(callbacks, "line_end_hyphen");
                 cb.anchor = callback(callbacks, "anchor");
                 cb.www = callback(callbacks, "www");
                 cb.address_chunk = callback(callbacks, "address_chunk");
                 cb.transfer_case = callback(callbacks, "transfer_case");
                 auto model = context_of(context, word_classes, config);
                 LetterCosts letter_costs = letter_costs_of(letters, config.fuzzy_lexicon_edit_log10,
                                                            config.fuzzy_lexicon_max_edit_log10);
                 return std::make_unique<Engine>(std::move(lexicon), config, std::move(channel), std::move(letter_costs),
                                                 ustr_set(shadows),
                                                 ustr_set(elements), ustr_set(trigrams), ustr_set(tlds),
                                                 std::move(model), cb);
             }),
             py::arg("lexicon"), py::arg("constants"), py::arg("edits"), py::arg("letters"), py::arg("shadows"),
             py::arg("elements"),
             py::arg("trigrams"), py::arg("tlds"), py::arg("context"), py::arg("word_classes"), py::arg("callbacks"))
        .def("restore",
             [](Engine& e, const py::str& text, bool compounds, bool use_context, bool use_document, double threshold) {
                 Options o{compounds, use_context, use_document, threshold};
                 Restored restored = e.restore(text.ptr(), o);
                 py::list out;
                 for (const ChangeOut& c : restored.changes) {
                     const ustr& original = c.original != nullptr ? *c.original : e.word_text(c.word);
                     out.append(py::make_tuple(c.start, c.end, py::reinterpret_steal<py::object>(to_py(original)),
                                               py::reinterpret_steal<py::object>(to_py(*c.replacement)), c.confidence,
                                               static_cast<int>(c.reason), c.applied));
                 }
                 return out;
             },
             py::arg("text"), py::arg("compounds"), py::arg("use_context"), py::arg("use_document"),
             py::arg("apply_threshold"))
        .def("fix_logged",
             [](Engine& e, const py::str& text, bool compounds, bool use_context, bool use_document, double threshold,
                const std::string& file_json, size_t offset) {
                 Options o{compounds, use_context, use_document, threshold};
                 Logged logged = e.fix_logged(text.ptr(), o, file_json, offset);
                 return py::make_tuple(py::reinterpret_steal<py::object>(to_py(logged.text)),
                                       py::bytes(logged.log), logged.applied, logged.suggested, logged.words);
             },
             py::arg("text"), py::arg("compounds"), py::arg("use_context"), py::arg("use_document"),
             py::arg("apply_threshold"), py::arg("file_json"), py::arg("offset"))
        .def("share_readings", &Engine::share_readings, py::arg("bytes"),
             "Share searched tokens' readings with the processes forked from now on (a batch's workers).")
        .def("unshare_readings", &Engine::unshare_readings)
        .def("forget", &Engine::forget, "Forget every word's answers, as the engine does when its tables are full.")
        .def("shared_readings_stats",
             [](const Engine& e) -> py::object {
                 if (e.shared_readings() == nullptr) return py::none();
                 SharedReadings::Stats s = e.shared_readings()->stats();
                 py::dict out;
                 out["entries"] = s.entries;
                 out["hits"] = s.hits;
                 out["bytes_used"] = s.bytes_used;
                 out["bytes"] = s.bytes;
                 return out;
             })
        .def("readings", [](Engine& e, const std::u32string& w, bool compounds) { return readings_list(e.readings_of(w, compounds)); })
        .def("search", [](Engine& e, const std::u32string& w, bool compounds) { return readings_list(e.search().readings(w, compounds)); })
        .def("dot_readings", [](Engine& e, const std::u32string& w) { return readings_list(e.search().dot_readings(w)); })
        .def("name_tail_readings", [](Engine& e, const std::u32string& w) { return readings_list(e.search().name_tail_readings(w)); })
        .def("context_score",
             [](Engine& e, const std::vector<std::u32string>& candidates, const std::optional<std::u32string>& l2,
                const std::optional<std::u32string>& l1, const std::optional<std::u32string>& r1,
                const std::optional<std::u32string>& r2) {
                 py::dict out;
                 if (!e.context()) return out;
                 Neighbours nb;
                 const std::optional<std::u32string>* given[4] = {&l2, &l1, &r1, &r2};
                 for (int k = 0; k < 4; ++k)
                     if (given[k]->has_value()) nb[k] = e.context()->neighbour(**given[k]);
                 for (const auto& [w, s] : e.context()->score(candidates, nb))
                     out[py::reinterpret_steal<py::object>(to_py(w))] = s;
                 return out;
             });
}
