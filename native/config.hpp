// The tunable constants, read from the Python modules that define them (one source of truth:
// `python -m training.calibrate --set rank.X=...` reaches the engine too).
#pragma once

#include <array>

namespace svfix {

struct Config {
    // candidates
    int min_part = 3, max_parts = 4, max_edits = 5, max_other_edits = 1, max_insertions = 1;
    double other_alone_min_log10 = -1.5;
    int max_nodes = 600, min_element = 2, max_dot_positions = 5, min_head = 5, min_tail = 6;
    double min_path_log10 = -4.5, min_dot_q = 0.01, min_tail_zipf = 3.0;
    // rank
    double apply_at = 0.5, apply_valid_at = 0.9, suggest_at = 0.2, unknown_prior = 0.25;
    double unseen_trigram_cost = 1.0, unknown_length_cost = 0.1;
    int unknown_free_length = 8;
    double unknown_with_digits_prior = -3.0, name_tail_bonus = 1.0, compound_base_cost = 1.0;
    double compound_cost = 0.5, compound_part_floor = 3.0, compound_head_floor = 2.0,
           compound_head_weight = 0.5;
    double listed_token_compound_cost = 1.0, proper_in_lowercase_cost = 2.0, listed_reading_margin = 1.0;
    double common_capitalised_cost = 1.0, inner_capital_cost = 2.0, document_weight = 0.1;
    double given_name_before_surname_bonus = 2.0;
    // document
    double clean_rate = 0.002, damaged_prior_rate = 0.8, damaged_prior_weight = 10.0, clean_share = 0.5;
    double letter_weight = 6.0;
    std::array<double, 3> expected_share{0.0134, 0.0180, 0.0131};  // å, ä, ö
    double shortfall_weight = 0.5, shortfall_tolerance = 0.5, min_rate = 1e-4, max_rate = 0.995;
    double fuzzy_min_ratio = 85.0, fuzzy_edit_log10 = -1.5, fuzzy_diacritic_log10 = -0.3;
    int fuzzy_min_length = 6;
    double fuzzy_lexicon_min_zipf = 2.5, fuzzy_lexicon_plain_min_zipf = 3.0, fuzzy_lexicon_edit_log10 = -3.0;
    double fuzzy_lexicon_max_edit_log10 = -1.5;
    int fuzzy_lexicon_min_length = 2;  // a lowercase token of letters; others from fuzzy_min_length
    double fuzzy_lexicon_two_edits_min_length = 5;  // such a token, two letters from its word (a double: --set)
    double fuzzy_lexicon_title_min_length = 5;  // a capitalised token of letters (a double: --set)
    double shape_prior = 20.0, shape_max_boost = 0.5, shape_max_log10_q = -0.6;
    double neutral_rate = 0.3;
    double noise_reference_rate = 0.05, noise_prior_rate = 0.005, noise_prior_weight = 50.0,
           noise_min_log10 = -2.0, noise_max_log10 = 1.0;
    // pipeline
    int english_neighbours = 2;
    double english_zipf = 3.0, context_margin = 0.01;
    int leave_out_share = 10;
    bool shape_adapts = true;
    double reading_explains_prior = 2.0, explained_fuzzy_min_log10 = -2.8;
    double shape_settled = 0.99, reach = 3.0;
    // context
    double w1 = 1.0, w2 = 0.5, beta = 1.0, context_weight = 1.0, max_bonus = 2.0, w_suffix = 0.5,
           w_class = 1.0;
    bool skip_unseen = true;
    // register (svfix.register)
    double register_weight = 0.5, register_pseudo = 0.25;
    int unseen_against_n = 20, suffix_min_len = 5, suffix_len = 3;
    // tokenize (transfer_case)
    long capitals_ending_max = 2, capitals_min = 3;
    // casing
    double mid_sentence_capital_cost = 2.0, frequent_word_capital_cost = 0.5, common_word_zipf = 3.75;
};

}  // namespace svfix
