// Self-BLEU of two corpora (a reference R and another corpus O) with two-sample bootstrap
// intervals: what `collapsekit report` shows for the homogeneity of two text datasets.
//
// Each side's value is self_bleu_sampled(corpus, sample_size, seed, bleu) (ngram/
// self_bleu.hpp): the mean BLEU of sample_size hypothesis documents drawn without
// replacement, each scored exactly against all other documents of its corpus. The
// difference is O - R.
//
// Intervals: percentile bootstrap intervals over the sampled hypotheses' scores, each
// side's scores resampled independently with replacement (replicate r from
// rng::for_stream(seed, r), bootstrap.hpp's two-sample form), so the difference's interval
// carries the sampling of both sides' hypotheses. The references a hypothesis is scored
// against are the whole corpus and are not resampled: resampling documents would pair
// duplicates with themselves and score them 1. Without the finite-population correction
// of self_bleu_sampled's standard error, the interval is conservative when sample_size is
// a large share of the corpus (exact, of width 0, only in the correction's limit).
// Bit-identical for any thread count.
//
// Errors (std::invalid_argument): those of self_bleu_sampled for either corpus (sample
// size outside 2 .. non-empty documents, bad BLEU options), bootstrap option errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bootstrap.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/view.hpp"
#include "ngram/corpus.hpp"
#include "ngram/self_bleu.hpp"

namespace collapsekit {

struct self_bleu_drift_options {
    std::size_t sample_size = 200;  // hypotheses per corpus
    std::uint64_t seed = 0;         // the hypotheses' draw (bootstrap.seed seeds the replicates)
    self_bleu_options bleu;
    bootstrap_options bootstrap;
};

struct self_bleu_drift_result {
    interval_estimate reference, other, difference;  // difference = O - R
};

inline self_bleu_drift_result self_bleu_drift_bootstrap(const execution& ex, const corpus& reference,
                                                        const corpus& other, const self_bleu_drift_options& opt = {}) {
    detail::check_bootstrap_options("self_bleu_drift_bootstrap", opt.bootstrap);
    const std::vector<double> a = self_bleu_sample_scores(reference, opt.sample_size, opt.seed, opt.bleu);
    const std::vector<double> b = self_bleu_sample_scores(other, opt.sample_size, opt.seed, opt.bleu);
    const auto mean = [](view<const double> x) {
        compensated_sum s;
        for (std::size_t i = 0; i < x.size(); ++i) s += x[i];
        return s.value() / static_cast<double>(x.size());
    };
    self_bleu_drift_result out;
    out.reference = bootstrap(ex, a, mean, opt.bootstrap);
    out.other = bootstrap(ex, b, mean, opt.bootstrap);
    out.difference = bootstrap(
        ex, a, b, [&](view<const double> x, view<const double> y) { return mean(y) - mean(x); }, opt.bootstrap);
    return out;
}

inline self_bleu_drift_result self_bleu_drift_bootstrap(const corpus& reference, const corpus& other,
                                                        const self_bleu_drift_options& opt = {}) {
    return self_bleu_drift_bootstrap(sequential, reference, other, opt);
}

}  // namespace collapsekit
