#include "model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace svfix {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
const char32_t kLetters[3] = {U'\u00e5', U'\u00e4', U'\u00f6'};  // å ä ö
double py_round1(double x) { return std::nearbyint(x * 10) / 10; }  // round(x * 10) / 10, half to even
}  // namespace

int letter_index(char32_t c) {
    for (int k = 0; k < 3; ++k) if (kLetters[k] == c) return k;
    return -1;
}

double quantise(double rate) { return std::pow(10.0, std::nearbyint(std::log10(rate) * 10) / 10); }

Profile make_profile(std::array<double, 3> rates, double noise, Shape shape) {
    Profile p;
    p.rates = rates;
    p.noise = noise;
    for (int k = 0; k < 3; ++k) p.log10_rates[k] = std::log10(rates[k]);
    p.shape = std::move(shape);
    return p;
}

double Profile::log10_rate(const ustr& truth) const {
    int k = truth.size() == 1 ? letter_index(lower_first(truth[0])) : -1;
    return k >= 0 ? log10_rates[k] : 0.0;  // adaptive edits always name å/ä/ö
}

double Profile::log10_shape(Form f) const {
    for (const auto& [form, boost] : shape)
        if (form == f) return boost;
    return 0.0;
}

void add_evidence(Evidence& evidence, const Reading& proof, long count, const Channel& channel) {
    if (proof.fuzzy) return;  // its one edit is no channel edit, and not adaptive
    for (int id : proof.edits) {
        const Edit& e = channel.edit(id);
        if (!e.adaptive) continue;
        Form form = channel.form_of(id);
        auto it = std::find_if(evidence.begin(), evidence.end(), [&](const EvidenceItem& item) { return item.form == form; });
        if (it == evidence.end()) {
            evidence.push_back(EvidenceItem{form, channel.form(form).letter, static_cast<double>(count), e.log10_q});
        } else {
            it->n += count;
            it->q = e.log10_q;
        }
    }
}

std::array<double, 3> lost_letters(const Evidence& evidence) {
    std::array<double, 3> lost{0.0, 0.0, 0.0};
    for (const EvidenceItem& item : evidence)
        if (item.letter >= 0) lost[item.letter] += item.n;
    return lost;
}

// document.noise_log10
double noise_log10(const Config& C, long unexplained, long tokens) {
    const double rate = (static_cast<double>(unexplained) + C.noise_prior_weight * C.noise_prior_rate)
                        / (static_cast<double>(tokens) + C.noise_prior_weight);
    const double ratio = std::log10(rate / C.noise_reference_rate);
    return std::min(C.noise_max_log10, std::max(C.noise_min_log10, std::nearbyint(ratio * 4) / 4));
}

Profile measure_profile(const Config& C, const Survivors& survived, const std::array<double, 3>& damaged_in,
                        long letters, double noise) {
    std::array<double, 3> damaged = damaged_in;
    for (int k = 0; k < 3; ++k) {
        double expected = (1.0 - C.shortfall_tolerance) * C.expected_share[k] * static_cast<double>(letters);
        double shortfall = expected - static_cast<double>(survived.n[k]) - damaged[k];
        if (shortfall > 0) damaged[k] = damaged[k] + C.shortfall_weight * shortfall;
    }
    long total_ok = survived.n[0] + survived.n[1] + survived.n[2];
    double total_bad = 0.0;
    for (int k = 0; k < 3; ++k) total_bad += damaged[k];
    double damaged_rate = (total_bad + C.damaged_prior_weight * C.damaged_prior_rate)
                          / (static_cast<double>(total_ok) + total_bad + C.damaged_prior_weight);
    double log_clean = std::log(C.clean_share) + total_bad * std::log(C.clean_rate)
                       + static_cast<double>(total_ok) * std::log1p(-C.clean_rate);
    double log_damaged = std::log1p(-C.clean_share) + total_bad * std::log(damaged_rate)
                         + static_cast<double>(total_ok) * std::log1p(-damaged_rate);
    double clean = 1.0 / (1.0 + std::exp(std::min(700.0, log_damaged - log_clean)));
    double pooled = clean * C.clean_rate + (1.0 - clean) * damaged_rate;
    std::array<double, 3> rates{};
    for (int k = 0; k < 3; ++k) {
        double ok = static_cast<double>(survived.n[k]), bad = damaged[k];
        double rate = (bad + C.letter_weight * pooled) / (ok + bad + C.letter_weight);
        rates[k] = quantise(std::min(C.max_rate, std::max(C.min_rate, rate)));
    }
    return make_profile(rates, noise);
}

Shape measure_shape(const Config& C, const Evidence& evidence) {
    std::array<double, 3> totals = lost_letters(evidence);
    Shape shape;
    for (const EvidenceItem& item : evidence) {
        double n = item.n, log10_q = item.q;
        if (log10_q >= C.shape_max_log10_q || n <= 0) continue;
        double q = std::pow(10.0, log10_q);
        double ratio = std::log10((n + C.shape_prior * q) / ((totals[item.letter] + C.shape_prior) * q));
        double boost = py_round1(std::min(C.shape_max_boost, ratio));
        if (boost > 0) shape.push_back({item.form, boost});
    }
    std::sort(shape.begin(), shape.end());
    return shape;
}

// --- the model --------------------------------------------------------------------------------

namespace {
uint64_t pack3(char32_t a, char32_t b, char32_t c) {
    return (static_cast<uint64_t>(a) << 42) | (static_cast<uint64_t>(b) << 21) | static_cast<uint64_t>(c);
}
}  // namespace

Model::Model(const Lexicon& lexicon, const Channel& channel, const Config& config, const Search& search,
             const UstrSet& trigrams)
    : lexicon_(lexicon), channel_(channel), config_(config), search_(search) {
    for (const ustr& t : trigrams)
        if (t.size() == 3) trigrams_.insert(pack3(t[0], t[1], t[2]));
    // the letters a damaged copy may show where the page had å/ä/ö (document._wild_table)
    for (char32_t c : U"\u00e5\u00e4\u00f6\u00c5\u00c4\u00d6") if (c) wild_[c] = true;
    for (const auto& [observed, ids] : channel_.inverse())
        for (int id : ids) {
            const Edit& e = channel_.edit(id);
            if (e.adaptive && e.observed.size() == 1 && e.observed_lower.size() == 1) wild_[e.observed_lower[0]] = true;
        }
}

char32_t Model::wild(char32_t c) const { return wild_.count(c) ? U'*' : c; }

ustr Model::wild_key(const ustr& w) const {
    ustr out(w);
    for (auto& c : out) c = wild(c);
    return out;
}

int Model::unseen_trigrams(const ustr& word) const {
    ustr padded = U"^" + lower(word) + U"$";
    int n = 0;
    for (size_t i = 0; i + 2 < padded.size(); ++i)
        if (!trigrams_.count(pack3(padded[i], padded[i + 1], padded[i + 2]))) ++n;
    return n;
}

double Model::unknown_prior(const ustr& token) const {
    const Config& C = config_;
    if (!str_isalpha(token)) return C.unknown_with_digits_prior;
    long over = std::max(0L, static_cast<long>(token.size()) - C.unknown_free_length);
    return C.unknown_prior - C.unseen_trigram_cost * unseen_trigrams(token)
           - C.unknown_length_cost * static_cast<double>(over);
}

double Model::lexical_prior(const Reading& r) const {
    const Config& C = config_;
    const int32_t key = key_of(r);
    double whole = lexicon_.prior_id(key);
    if (r.n_parts == 1) return whole + register_correction(whole, lexicon_.register_count(key));
    double lowest = 0.0, head = 0.0;
    for (size_t k = 0; k < r.n_parts; ++k) {
        // the head's floor is lower, unless it is a place-name element (rank.COMPOUND_HEAD_FLOOR)
        const bool is_head = k + 1 == r.n_parts;
        const double floor = is_head && !search_.place_elements().count(r.part(k)) ? C.compound_head_floor
                                                                                  : C.compound_part_floor;
        double z = std::max(lexicon_.zipf_of(part_key(r, k)), floor);
        lowest = k == 0 ? z : std::min(lowest, z);
        head = z;
    }
    double typical = C.compound_head_weight * head + (1 - C.compound_head_weight) * lowest;
    return std::max(whole, typical - C.compound_base_cost
                               - C.compound_cost * static_cast<double>(static_cast<long>(r.n_parts) - 2));
}

// register.correction: how far written prose moves a listed word's prior from wordfreq's
double Model::register_correction(double prior, long count) const {
    const Config& C = config_;
    const long tokens = lexicon_.register_tokens();
    if (C.register_weight == 0.0 || tokens <= 0 || !std::isfinite(prior)) return 0.0;
    const double web = std::pow(10.0, prior - 9);
    const double pseudo = C.register_pseudo * static_cast<double>(tokens);
    const double prose = (static_cast<double>(count) + pseudo * web) / (static_cast<double>(tokens) + pseudo);
    return C.register_weight * std::log10((prose + web) / (2 * web));
}

double Model::channel_log10(const Reading& r, const Profile& p, const ustr& low) const {
    if (r.fuzzy) return r.word != low ? (0.0 + r.fuzzy_q) + p.noise * r.fuzzy_letters : 0.0 + r.fuzzy_q;
    double total = 0.0;
    bool shaped = !p.shape.empty();
    for (int id : r.edits) {
        const Edit& e = channel_.edit(id);
        if (e.adaptive) {
            total += p.log10_rate(e.truth) + e.log10_q;
            if (shaped) total += p.log10_shape(channel_.form_of(id));
        } else {
            total += e.log10_q;
        }
    }
    return total;
}

bool Model::names_a_place(const Reading& r) const {
    if (r.n_parts < 2) return false;
    const ustr first(r.part(0));
    const uint32_t opens = F_PLACE | F_KOMMUN_OR_LAN;
    return (lexicon_.flags_of(part_key(r, 0)) & opens) || (lexicon_.flags(first + U"en") & opens)
           || (lexicon_.flags(first + U"n") & opens);
}

int Model::inner_capitals(const ustr& token) {
    int n = 0;
    for (size_t i = 1; i < token.size(); ++i)
        if (is_upper_c(token[i]) && is_lower_c(token[i - 1])) ++n;
    return n;
}

static double mix_document(double prior, const ustr& word, const Vocabulary* vocab, double weight) {
    if (vocab == nullptr || !vocab->total) return prior;
    long seen = vocab->count(word);
    if (!seen) return prior;
    double lexical = prior > -kInf ? std::pow(10.0, prior - 9) : 0.0;
    double mixed = (1 - weight) * lexical + weight * static_cast<double>(seen) / static_cast<double>(vocab->total);
    return std::log10(mixed) + 9;
}

std::vector<Scored> Model::score(const ustr& token, const std::vector<Reading>& readings, const Profile& profile,
                                 const Vocabulary* vocab, bool name_like, bool before_surname) const {
    const Config& C = config_;
    ustr low = lower(token);
    bool lowercase_token = !token.empty() && str_islower(token.data(), 1);
    bool token_is_listed = false;
    for (const Reading& r : readings) token_is_listed |= (r.word == low && r.n_parts == 1);
    std::vector<Scored> scored;
    scored.reserve(readings.size() + 1);
    bool has_identity = false;
    // rank.LISTED_READING_MARGIN: a compound no list has is no likelier than a listed word
    // that reads the same token
    bool any_listed = false;
    double best_listed = -kInf;
    for (const Reading& r : readings)
        if (r.n_parts == 1 && r.word != low && !r.unknown_head && lexicon_.is_valid(r.word)) {
            best_listed = std::max(best_listed, lexical_prior(r));
            any_listed = true;
        }
    const double compound_cap = best_listed - C.listed_reading_margin;
    for (const Reading& r : readings) {
        if (r.unknown_head) {
            scored.push_back(
                Scored{false, &r, unknown_prior(token) + C.name_tail_bonus, channel_log10(r, profile, low), 0.0});
            continue;
        }
        double prior = lexical_prior(r);
        if (any_listed && r.n_parts > 1) prior = std::min(prior, compound_cap);
        if (token_is_listed && r.n_parts > 1) prior -= C.listed_token_compound_cost;
        if (r.word != low) prior = mix_document(prior, r.word, vocab, C.document_weight);
        uint32_t flags = lexicon_.flags_of(key_of(r));
        if (lowercase_token && (flags & F_PROPER)) {
            prior -= C.proper_in_lowercase_cost;
        } else if (name_like && !lowercase_token && !(flags & F_NAMES) && !names_a_place(r)) {
            prior -= C.common_capitalised_cost;
        }
        if (before_surname && !lowercase_token && (flags & F_GIVEN_NAME)) prior += C.given_name_before_surname_bonus;
        has_identity |= r.word == low;
        scored.push_back(Scored{false, &r, prior, channel_log10(r, profile, low), 0.0});
    }
    if (!has_identity) scored.push_back(Scored{true, nullptr, unknown_prior(token), 0.0, 0.0});
    int capitals = C.inner_capital_cost != 0.0 ? inner_capitals(token) : 0;
    if (capitals) {
        for (Scored& s : scored) {
            int unexplained = capitals;
            if (s.reading != nullptr) {
                int explained = 0;
                if (!s.reading->fuzzy)
                    for (int id : s.reading->edits) {
                        const Edit& e = channel_.edit(id);
                        if (e.adaptive)
                            for (char32_t c : e.observed) explained += is_upper_c(c) ? 1 : 0;
                    }
                unexplained = std::max(0, capitals - explained);
            }
            s.channel = s.channel - C.inner_capital_cost * unexplained;
        }
    }
    std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) { return -a.total() < -b.total(); });
    return scored;
}

std::vector<double> Model::posteriors(const std::vector<Scored>& scored) {
    std::vector<double> out;
    if (scored.empty()) return out;
    double top = scored[0].total();
    out.reserve(scored.size());
    double z = 0.0;
    for (const Scored& s : scored) {
        out.push_back(std::pow(10.0, s.total() - top));
        z += out.back();
    }
    for (double& w : out) w = w / z;
    return out;
}

Reason Model::reason(const Scored& best, const Vocabulary* vocab, bool flipped) const {
    if (best.reading->fuzzy) return Reason::Fuzzy;
    if (flipped) return Reason::Context;
    if (vocab != nullptr && vocab->count(best.word())) return Reason::Document;
    if (best.reading->n_parts > 1) return Reason::Compound;
    if (lexicon_.flags_of(key_of(*best.reading)) & F_NAMES) return Reason::Name;
    return Reason::Confusion;
}

Decision Model::decide(const ustr& token, const std::vector<Scored>& scored, const Vocabulary* vocab) const {
    const Config& C = config_;
    ustr low = lower(token);
    Decision d;
    if (scored.empty()) return d;  // (None, 1.0, confusion, False)
    std::vector<double> probs = posteriors(scored);
    const Scored& best = scored[0];
    double confidence = probs[0];
    if (best.keep || best.word() == low) {
        if (scored.size() > 1) {
            const Scored& other = scored[1];
            if (!other.keep && other.word() != low && probs[1] >= C.suggest_at) {
                d.has_word = true;
                d.word = other.word();
                d.confidence = probs[1];
                d.reason = reason(other, vocab, false);
                return d;
            }
        }
        d.confidence = confidence;
        return d;
    }
    const Scored* without_context = &scored[0];
    for (const Scored& s : scored)
        if (s.prior + s.channel > without_context->prior + without_context->channel) without_context = &s;
    bool flipped = (without_context->keep || without_context->word() != best.word()) && best.context != 0.0;
    Reason why = reason(best, vocab, flipped);
    double keep = 0.0;
    bool token_is_word = false;
    for (size_t k = 0; k < scored.size(); ++k) {
        const Scored& s = scored[k];
        if (s.keep || s.word() == low) keep += probs[k];
        token_is_word |= (!s.keep && s.word() == low && s.reading->n_parts == 1);
    }
    token_is_word = token_is_word && !inner_capitals(token);
    d.has_word = true;
    d.word = best.word();
    d.confidence = confidence;
    d.reason = why;
    if (1.0 - keep >= (token_is_word ? C.apply_valid_at : C.apply_at)) {
        d.apply = true;
        return d;
    }
    if (confidence >= C.suggest_at) return d;
    return Decision{false, ustr(), 1 - confidence, Reason::Confusion, false};
}

Forms Model::within_reach(const std::vector<Scored>& scored) const {
    Forms forms;
    if (scored.empty()) return forms;
    double floor = scored[0].total() - config_.reach;
    for (const Scored& s : scored) {
        if (s.reading == nullptr || s.reading->fuzzy) {
            // a fuzzy reading's one edit is not adaptive: no form, no boost
            continue;
        }
        int adaptive = 0;
        for (int id : s.reading->edits) adaptive += channel_.edit(id).adaptive ? 1 : 0;
        if (s.total() + config_.shape_max_boost * adaptive >= floor)
            for (int id : s.reading->edits)
                if (channel_.edit(id).adaptive) forms.add(channel_.form_of(id));
    }
    return forms;
}

// --- the document's own spellings -----------------------------------------------------------

std::vector<Reading> Model::document_readings(const ustr& token, const ustr& low,
                                              const std::vector<size_t>& candidates, const Vocabulary& vocab) const {
    std::vector<Reading> found;
    for (size_t at : candidates) {
        const ustr& word = vocab.counts[at].first;
        if (word == low || word.size() != low.size()) continue;
        std::u16string edits;
        bool ok = true;
        size_t m = std::min({low.size(), word.size(), token.size()});
        for (size_t i = 0; i < m && ok; ++i) {
            char32_t seen = low[i], truth = word[i], shown = token[i];
            if (seen == truth) continue;
            int edit = -1;
            for (int id : channel_.explanations(ustr(1, shown))) {
                const ustr& t = channel_.edit(id).truth_lower;
                if (t.size() == 1 && t[0] == truth) { edit = id; break; }
            }
            if (edit < 0)
                for (int id : channel_.explanations(ustr(1, seen))) {
                    const ustr& t = channel_.edit(id).truth_lower;
                    if (t.size() == 1 && t[0] == truth) { edit = id; break; }
                }
            if (edit < 0) ok = false; else edits.push_back(static_cast<char16_t>(edit));
        }
        if (ok) {
            found.push_back(Reading::simple(word, std::move(edits), Reading::kUnasked));
            found.back().form = vocab.forms[at];
        }
    }
    return found;
}


IndelQuery::IndelQuery(const ustr& a) : a_(a) {
    if (a.size() > 64) return;
    for (size_t i = 0; i < a.size(); ++i) {
        const uint64_t bit = uint64_t{1} << i;
        if (a[i] < 256) {
            latin1_[a[i]] |= bit;
            continue;
        }
        auto it = std::find_if(other_.begin(), other_.end(), [&](const auto& m) { return m.first == a[i]; });
        if (it == other_.end()) other_.emplace_back(a[i], bit);
        else it->second |= bit;
    }
}

uint64_t IndelQuery::mask(char32_t c) const {
    if (c < 256) return latin1_[c];
    for (const auto& [ch, m] : other_)
        if (ch == c) return m;
    return 0;
}

size_t IndelQuery::distance(const ustr& b) const {
    // len(a) + len(b) - 2 * LCS(a, b); the LCS bit-parallel (Allison-Dix / Hyyrö) when `a`
    // fits in a machine word, which every word does
    const ustr& a = a_;
    if (a.empty() || b.empty()) return a.size() + b.size();
    if (a.size() <= 64) {
        uint64_t v = ~uint64_t{0};
        for (char32_t c : b) {
            uint64_t u = v & mask(c);
            v = (v + u) | (v - u);
        }
        uint64_t used = a.size() == 64 ? ~uint64_t{0} : ((uint64_t{1} << a.size()) - 1);
        size_t lcs = static_cast<size_t>(count_bits(~v & used));
        return a.size() + b.size() - 2 * lcs;
    }
    std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
        std::swap(prev, cur);
    }
    return a.size() + b.size() - 2 * prev[b.size()];
}

size_t indel(const ustr& a, const ustr& b) { return IndelQuery(a).distance(b); }

size_t levenshtein(uview a, uview b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

uint64_t letters_of(const ustr& s) {
    uint64_t set = 0;
    for (char32_t c : s) set |= uint64_t{1} << (c >= U'a' && c <= U'z' ? c - U'a' : 26 + c % 38);
    return set;
}

namespace {
void make_skeletons(Vocabulary& vocab) {
    if (vocab.skeletons_made) return;
    for (const auto& [word, n] : vocab.counts) {
        vocab.skeletons.push_back(skeleton(word));
        vocab.letter_sets.push_back(letters_of(vocab.skeletons.back()));
    }
    vocab.skeletons_made = true;
}
}  // namespace

std::vector<Reading> Model::fuzzy_document_readings(const ustr& token, Vocabulary& vocab) const {
    const Config& C = config_;
    ustr low = lower(token);
    if (static_cast<long>(low.size()) < C.fuzzy_min_length) return {};
    // the base's spellings, then the extension's: one list of choices, in that order
    Vocabulary* parts[2] = {vocab.base, &vocab};
    if (vocab.counts.empty() && (vocab.base == nullptr || vocab.base->counts.empty())) return {};
    ustr query = skeleton(low);
    // rapidfuzz.process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=C): the first
    // choice with the best score at or above the cutoff; a perfect score ends the search.
    const IndelQuery from_query(query);  // (the query's letters, once for every choice)
    const uint64_t query_letters = letters_of(query);
    double cutoff = C.fuzzy_min_ratio;
    const Vocabulary* best_in = nullptr;
    size_t best = 0;
    double best_score = 0.0;
    bool perfect = false;
    for (Vocabulary* part : parts) {
        if (part == nullptr || perfect) continue;
        make_skeletons(*part);
        for (size_t k = 0; k < part->skeletons.size(); ++k) {
            const ustr& choice = part->skeletons[k];
            size_t lensum = query.size() + choice.size();
            // the best ratio the lengths, then the letters, allow; below the cutoff this choice
            // cannot be taken
            size_t apart = query.size() > choice.size() ? query.size() - choice.size() : choice.size() - query.size();
            if (lensum && (1.0 - static_cast<double>(apart) / static_cast<double>(lensum)) * 100 < cutoff) continue;
            size_t unshared = static_cast<size_t>(count_bits(query_letters ^ part->letter_sets[k]));
            if (lensum && (1.0 - static_cast<double>(unshared) / static_cast<double>(lensum)) * 100 < cutoff) continue;
            double sim = 1.0 - (lensum ? static_cast<double>(from_query.distance(choice)) / static_cast<double>(lensum) : 0.0);
            double score = sim >= cutoff / 100 ? sim * 100 : 0.0;
            if (score >= cutoff && (best_in == nullptr || score > best_score)) {
                cutoff = score;
                best_in = part;
                best = k;
                best_score = score;
            }
            if (score == 100.0) {
                perfect = true;
                break;
            }
        }
    }
    if (best_in == nullptr) return {};
    const ustr& word = best_in->counts[best].first;
    long other = static_cast<long>(levenshtein(query, best_in->skeletons[best]));
    long dots = static_cast<long>(levenshtein(low, word)) - other;
    double cost = C.fuzzy_edit_log10 * static_cast<double>(other) + C.fuzzy_diacritic_log10 * static_cast<double>(std::max(0L, dots));
    Reading r = Reading::simple(word, std::u16string(), Reading::kUnasked);
    r.form = best_in->forms[best];
    r.fuzzy = true;
    r.fuzzy_q = cost;
    return {r};
}

}  // namespace svfix
