// Drift summaries of two category-count vectors (word counts of a reference corpus R and
// of another corpus O over one shared vocabulary) with two-sample bootstrap intervals
// from the same replicates: the unigram part of `collapsekit report` for text.
//
// Why a dedicated routine: bootstrap_counts gives one interval per call, so a dozen
// statistics would draw a dozen sets of multinomials. Here each replicate draws R* and O*
// once (each a multinomial of its own total with its own shares, independently, from
// rng::for_stream(seed, r); the resampling unit is the token) and evaluates every
// statistic on them, so the intervals are consistent with each other and bit-identical
// for any thread count.
//
// Statistics (names as in count_drift_result::names; p = R / N_R, q = O / N_O):
//   kl               KL(p || q) in nats, additive smoothing `smoothing` on both count
//                    vectors (0.5, Jeffreys, by default; an unseen word makes it infinite otherwise)
//   js               Jensen-Shannon divergence in nats, unsmoothed, in [0, log 2]
//   ref_entropy, other_entropy, entropy_diff   plug-in Shannon entropy, nats
//   coverage         share of R's tokens whose word occurs in O (support_coverage_mass)
//   novelty          share of O's tokens whose word does not occur in R
//   ref_missing_mass, other_missing_mass, missing_mass_diff
//                    Good-Turing missing mass f1 / N of each (good_turing_missing_mass)
//   rare_survival    share of R's rare words (1 <= count <= rare_count) present in O
//   rare_mass_retention  O's share of those words over R's share (rare_category_retention)
// Intervals: percentile, moved by the bootstrap bias estimate unless bias_adjust is false
// (a resample loses about a third of the words seen once, which biases every statistic
// of rare words; see detail::drift_interval).
// A statistic that is undefined for a replicate (no rare word left in R*) is NaN there,
// and its interval is then NaN (summarise_replicates).
//
// Errors (std::invalid_argument): lengths differ, an empty or all-zero vector, counts that
// are negative or not whole, smoothing < 0 or not finite, rare_count < 1, bootstrap option
// errors, BCa (not offered).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "bootstrap.hpp"
#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "divergence.hpp"
#include "entropy/counts.hpp"
#include "sample_drift.hpp"

namespace collapsekit {

struct count_drift_options {
    bootstrap_options bootstrap;  // percentile intervals only
    double smoothing = 0.5;
    double rare_count = 2;    // a reference word is rare when 1 <= count <= rare_count
    bool bias_adjust = true;  // intervals moved by the bootstrap bias (sample_drift.hpp's drift_interval)
};

struct count_drift_result {
    std::vector<std::string> names;
    std::vector<interval_estimate> intervals;
};

namespace detail {

// Every count_drift statistic of counts r and o (equal lengths, both totals > 0).
inline void count_drift_statistics(const std::vector<double>& r, const std::vector<double>& o, zero_support smooth,
                                   double rare_count, double* value) {
    const std::size_t v = r.size();
    compensated_sum nr, no;
    for (std::size_t i = 0; i < v; ++i) {
        nr += r[i];
        no += o[i];
    }
    const double total_r = nr.value(), total_o = no.value();
    compensated_sum covered, novel;
    double f1r = 0, f1o = 0;
    std::size_t rare = 0, surviving = 0;
    compensated_sum rare_r, rare_o;
    for (std::size_t i = 0; i < v; ++i) {
        if (r[i] > 0 && o[i] > 0) covered += r[i];
        if (r[i] == 0) novel += o[i];
        f1r += r[i] == 1 ? 1.0 : 0.0;
        f1o += o[i] == 1 ? 1.0 : 0.0;
        if (r[i] >= 1 && r[i] <= rare_count) {
            ++rare;
            surviving += o[i] > 0 ? 1u : 0u;
            rare_r += r[i];
            rare_o += o[i];
        }
    }
    const double hr = shannon_entropy_counts(r, nats), ho = shannon_entropy_counts(o, nats);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::size_t k = 0;
    value[k++] = kl_divergence_counts(r, o, nats, smooth);
    value[k++] = js_divergence_counts(r, o, nats);
    value[k++] = hr;
    value[k++] = ho;
    value[k++] = ho - hr;
    value[k++] = covered.value() / total_r;
    value[k++] = novel.value() / total_o;
    value[k++] = f1r / total_r;
    value[k++] = f1o / total_o;
    value[k++] = f1o / total_o - f1r / total_r;
    value[k++] = rare > 0 ? static_cast<double>(surviving) / static_cast<double>(rare) : nan;
    value[k++] = rare > 0 ? (rare_o.value() / total_o) / (rare_r.value() / total_r) : nan;
}

}  // namespace detail

template <class RC, class OC>
count_drift_result count_drift_bootstrap(const execution& ex, const RC& reference_counts, const OC& other_counts,
                                         const count_drift_options& opt = {}) {
    constexpr const char* fn = "count_drift_bootstrap";
    detail::check_bootstrap_options(fn, opt.bootstrap);
    require(opt.bootstrap.method == interval_method::percentile, fn, "only percentile intervals are offered");
    if (!(opt.smoothing >= 0.0) || !std::isfinite(opt.smoothing)) {
        fail(fn, "smoothing must be finite and >= 0 (got " + detail::format_value(opt.smoothing) + ")");
    }
    if (!(opt.rare_count >= 1.0)) {
        fail(fn, "rare_count must be at least 1 (got " + detail::format_value(opt.rare_count) + ")");
    }
    const auto rv = as_view(reference_counts);
    const auto ov = as_view(other_counts);
    require(rv.size() == ov.size(), fn,
            "reference_counts and other_counts differ in length (" + std::to_string(rv.size()) + " vs " +
                std::to_string(ov.size()) + ")");
    const detail::count_table tr = detail::whole_counts_table(fn, "reference_counts", rv);
    const detail::count_table to = detail::whole_counts_table(fn, "other_counts", ov);
    const detail::multinomial_resampler draw_r(tr), draw_o(to);
    const zero_support smooth = opt.smoothing > 0.0 ? zero_support::additive(opt.smoothing) : zero_support::none();

    count_drift_result out;
    for (const char* s :
         {"kl", "js", "ref_entropy", "other_entropy", "entropy_diff", "coverage", "novelty", "ref_missing_mass",
          "other_missing_mass", "missing_mass_diff", "rare_survival", "rare_mass_retention"}) {
        out.names.emplace_back(s);
    }
    const std::size_t k_stats = out.names.size();
    // Ranges for the bias-moved intervals: divergences and entropies >= 0, shares in [0, 1],
    // differences unbounded, the mass retention >= 0.
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::pair<double, double>> range(k_stats, {0.0, inf});
    for (std::size_t k = 0; k < k_stats; ++k) {
        const std::string& nm = out.names[k];
        if (nm == "entropy_diff" || nm == "missing_mass_diff") range[k] = {-inf, inf};
        if (nm == "coverage" || nm == "novelty" || nm == "ref_missing_mass" || nm == "other_missing_mass" ||
            nm == "rare_survival") {
            range[k] = {0.0, 1.0};
        }
    }
    std::vector<double> estimate(k_stats);
    {
        std::vector<double> r(tr.counts.begin(), tr.counts.end()), o(to.counts.begin(), to.counts.end());
        detail::count_drift_statistics(r, o, smooth, opt.rare_count, estimate.data());
    }
    const std::size_t replicates = opt.bootstrap.replicates;
    std::vector<double> table(replicates * k_stats);
    const std::size_t workers = ex.workers(replicates);
    std::vector<std::vector<double>> sr(workers), so(workers);
    detail::parallel_for_workers(workers, replicates, [&](std::size_t b, std::size_t w) {
        rng g = rng::for_stream(opt.bootstrap.seed, b);
        draw_r(sr[w], g);
        draw_o(so[w], g);
        detail::count_drift_statistics(sr[w], so[w], smooth, opt.rare_count, table.data() + b * k_stats);
    });
    std::vector<double> column(replicates);
    for (std::size_t k = 0; k < k_stats; ++k) {
        for (std::size_t b = 0; b < replicates; ++b) column[b] = table[b * k_stats + k];
        out.intervals.push_back(detail::drift_interval(estimate[k], column, opt.bootstrap, opt.bias_adjust,
                                                       range[k].first, range[k].second));
    }
    return out;
}

template <class RC, class OC>
count_drift_result count_drift_bootstrap(const RC& reference_counts, const OC& other_counts,
                                         const count_drift_options& opt = {}) {
    return count_drift_bootstrap(sequential, reference_counts, other_counts, opt);
}

}  // namespace collapsekit
