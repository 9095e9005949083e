// A permutation test of unigram drift between two corpora, permuting documents: the
// p-value `collapsekit report` shows beside the unigram Jensen-Shannon divergence.
//
// Why documents: the tokens of one document are not independent (a topic repeats its
// words), so shuffling tokens between the corpora would make any two real corpora look
// different. Under the null hypothesis that R's and O's documents come from one
// distribution, the labels of the pooled documents are exchangeable: a permutation keeps
// every document whole and splits the pooled documents at random into Dr and Do
// (detail::random_split, from rng::for_stream(seed ^ salt, p)).
//
// Statistic: T = js_divergence_counts(R's word counts, O's word counts) in nats,
// unsmoothed, in [0, log 2] (the report's `unigram_js` row). p = (1 + #{T* >= T}) / (1 + P),
// the usual add-one estimate that is never 0. A permutation costs one pass over the
// tokens of the documents labelled O and one over the vocabulary. Bit-identical for any
// thread count.
//
// Inputs: each corpus as token ids and document offsets (corpus.hpp's layout; see
// budget_distinct.hpp). Errors (std::invalid_argument): bad offsets, a corpus without
// tokens, permutations = 0.
// Progress: on_progress(done, permutations) after each permutation (core/progress.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "budget_distinct.hpp"
#include "core/errors.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "divergence.hpp"
#include "sample_drift.hpp"

namespace collapsekit {

struct unigram_permutation_result {
    double js = std::numeric_limits<double>::quiet_NaN();    // observed statistic, nats
    double p_js = std::numeric_limits<double>::quiet_NaN();  // permutation p-value
    std::size_t permutations = 0;
};

template <class TR, class OR, class TO, class OO>
unigram_permutation_result unigram_permutation_test(const execution& ex, const TR& reference_tokens,
                                                    const OR& reference_offsets, const TO& other_tokens,
                                                    const OO& other_offsets, std::size_t permutations,
                                                    std::uint64_t seed, const work_progress& on_progress = {}) {
    constexpr const char* fn = "unigram_permutation_test";
    require(permutations >= 1, fn, "permutations must be at least 1");
    const auto rt = as_view(reference_tokens);
    const auto ro = as_view(reference_offsets);
    const auto ot = as_view(other_tokens);
    const auto oo = as_view(other_offsets);
    // Check each corpus' own layout, then pool them: R's documents first, then O's.
    const detail::budget_corpus r = detail::prepare_budget_corpus(fn, "reference", rt, ro, {});
    const detail::budget_corpus o = detail::prepare_budget_corpus(fn, "other", ot, oo, {});
    require(r.tokens > 0, fn, "the reference has no tokens");
    require(o.tokens > 0, fn, "the other corpus has no tokens");
    std::vector<std::uint32_t> tokens;
    tokens.reserve(static_cast<std::size_t>(r.tokens + o.tokens));
    for (std::size_t i = 0; i < rt.size(); ++i) tokens.push_back(static_cast<std::uint32_t>(rt[i]));
    for (std::size_t i = 0; i < ot.size(); ++i) tokens.push_back(static_cast<std::uint32_t>(ot[i]));
    std::vector<std::uint64_t> offsets = r.offsets;
    for (std::size_t d = 1; d < o.offsets.size(); ++d) offsets.push_back(r.tokens + o.offsets[d]);
    // Dense word ids over the pooled corpus (the order-1 ids of budget_distinct).
    const detail::budget_corpus pooled =
        detail::prepare_budget_corpus(fn, "pooled", view<const std::uint32_t>(tokens.data(), tokens.size()),
                                      view<const std::uint64_t>(offsets.data(), offsets.size()), {1});
    const std::vector<std::uint32_t>& word = pooled.id;  // one order: one id per position
    const std::size_t vocabulary = pooled.distinct[0];
    const std::size_t docs = offsets.size() - 1, docs_r = r.offsets.size() - 1;

    std::vector<double> total(vocabulary, 0.0);
    for (std::uint32_t w : word) total[w] += 1.0;
    // Word counts of the documents labelled 1 (O), and R's as the rest.
    auto split_counts = [&](const std::vector<std::uint8_t>& label, std::vector<double>& co, std::vector<double>& cr) {
        co.assign(vocabulary, 0.0);
        for (std::size_t d = 0; d < docs; ++d) {
            if (label[d] == 0) continue;
            for (std::uint64_t p = offsets[d]; p < offsets[d + 1]; ++p) co[word[static_cast<std::size_t>(p)]] += 1.0;
        }
        cr.resize(vocabulary);
        for (std::size_t w = 0; w < vocabulary; ++w) cr[w] = total[w] - co[w];
    };
    // A side left without tokens by a permutation has no distribution: T* = log 2 would be
    // an arbitrary choice, so such a split counts as reaching T (conservative).
    auto statistic = [&](const std::vector<double>& cr, const std::vector<double>& co) {
        bool any_r = false, any_o = false;
        for (std::size_t w = 0; w < vocabulary && !(any_r && any_o); ++w) {
            any_r = any_r || cr[w] > 0.0;
            any_o = any_o || co[w] > 0.0;
        }
        if (!any_r || !any_o) return std::numeric_limits<double>::infinity();
        return js_divergence_counts(cr, co, nats);
    };

    unigram_permutation_result out;
    {
        std::vector<std::uint8_t> label(docs, 0);
        for (std::size_t d = docs_r; d < docs; ++d) label[d] = 1;
        std::vector<double> co, cr;
        split_counts(label, co, cr);
        out.js = statistic(cr, co);
    }
    struct scratch {
        std::vector<std::uint8_t> label;
        std::vector<double> co, cr;
    };
    detail::progress_meter progress(on_progress, permutations);
    const std::size_t workers = ex.workers(permutations);
    std::vector<scratch> scratches(workers);
    std::vector<std::uint8_t> hit(permutations, 0);
    detail::parallel_for_workers(workers, permutations, [&](std::size_t p, std::size_t w) {
        scratch& s = scratches[w];
        s.label.resize(docs);
        rng g = rng::for_stream(seed ^ detail::permutation_salt, p);
        detail::random_split(s.label, docs - docs_r, g);
        split_counts(s.label, s.co, s.cr);
        hit[p] = statistic(s.cr, s.co) >= out.js ? 1 : 0;
        progress.advance();
    });
    std::size_t reached = 0;
    for (std::uint8_t h : hit) reached += h;
    out.permutations = permutations;
    out.p_js = (1.0 + static_cast<double>(reached)) / (1.0 + static_cast<double>(permutations));
    return out;
}

template <class TR, class OR, class TO, class OO>
unigram_permutation_result unigram_permutation_test(const TR& reference_tokens, const OR& reference_offsets,
                                                    const TO& other_tokens, const OO& other_offsets,
                                                    std::size_t permutations, std::uint64_t seed) {
    return unigram_permutation_test(sequential, reference_tokens, reference_offsets, other_tokens, other_offsets,
                                    permutations, seed);
}

}  // namespace collapsekit
