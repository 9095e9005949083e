// Every drift summary of two numeric samples (a reference R and another sample O) with
// two-sample bootstrap intervals from the same replicates, and permutation p-values of
// the CDF distances: what `collapsekit report` shows for one column of numbers.
//
// Why one pass: a report asks for a dozen statistics (moments, quantiles, KS, W1, energy,
// binned divergences, tail retention) on samples of millions of values with B = 1000
// replicates. Resampling and sorting per statistic and replicate would cost B * 12 sorts.
// As in bootstrap_cdf.hpp, each sample is sorted once and a replicate is a multinomial
// draw of per-observation counts (each sample resampled independently, from its own
// seeded stream rng::for_stream(seed, r)), followed by one pass per sample over the sorted
// values and one merged pass for the CDF distances. Every statistic below is a function of
// those counts, so all of them come from the same replicates and the intervals are
// bit-identical for any thread count.
//
// The statistics (names as in sample_drift_result::names; "ref", "other" = R, O):
//   ref_mean, other_mean, mean_diff (O - R), std_mean_diff ((O - R) / sd_R)
//   ref_sd, other_sd, sd_diff        sample standard deviations (n - 1 divisor)
//   variance_ratio                   var_O / var_R
//   ref_q<p>, other_q<p>, q<p>_diff  quantiles (numpy's linear method) for each p in
//                                    options.quantiles, <p> printed as in "q0.05"
//   ks, wasserstein, wasserstein_sd  KS statistic sup|F - G|, W1, W1 / sd_R
//   energy                           energy distance (scipy.stats.energy_distance)
//   kl, js, psi                      on `bins` reference-quantile bins (below)
//   ref_entropy, other_entropy, entropy_diff   Shannon entropy of those bin shares, nats
//   retention_left_<a>, retention_right_<a>    tail_retention(R, O, a, left/right) for
//                                    each a in options.tail_alphas (tail/continuous.hpp)
//
// Bins: the inner edges are R's quantiles j / bins (j = 1 .. bins - 1, linear method) of
// the reference as given (not re-derived per replicate, so the bins stay the same cells),
// duplicates dropped; a value x falls in bin #{edges <= x}, the outer bins are open.
// kl = KL(R || O) and psi on counts with additive smoothing `smoothing` (0.5, Jeffreys,
// by default: a bin O never reaches would make both infinite otherwise); js unsmoothed.
//
// Intervals: percentile intervals of the replicates, moved by the bootstrap's estimate of
// the bias unless bias_adjust is false (detail::drift_interval says why).
//
// Tail retention thresholds are the replicate reference's own quantiles, as
// tail_retention computes them, so the point estimates equal the library's functions.
//
// Permutation test (options.permutations > 0): the pooled sorted values are split into n
// and m at random (detail::random_split with rng::for_stream(seed ^ permutation_salt, p));
// p = (1 + #{T* >= T}) / (1 + P) for T = KS, W1, energy, the usual add-one estimate that
// is never 0.
//
// Progress: options.on_progress(done, total) after each of the replicates + permutations
// units (core/progress.hpp; throwing from it stops the call).
//
// Errors (std::invalid_argument): an empty sample or one of 2^31 or more values, a NaN or
// infinite value, replicates < 2, a level outside (0, 1), BCa intervals (not offered:
// their jackknife would need n + m passes), bins < 2, smoothing < 0 or not finite, a
// quantile outside [0, 1], a tail alpha outside (0, 0.5].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "bootstrap.hpp"
#include "bootstrap_cdf.hpp"
#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "divergence.hpp"
#include "entropy/counts.hpp"

namespace collapsekit {

struct sample_drift_options {
    bootstrap_options bootstrap;  // replicates, level, seed; percentile intervals only
    std::vector<double> quantiles{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
    std::size_t bins = 10;
    double smoothing = 0.5;
    std::vector<double> tail_alphas{0.01, 0.05};
    std::size_t permutations = 1000;  // 0: no permutation test
    bool bias_adjust = true;          // intervals moved by the bootstrap bias (detail::drift_interval)
    work_progress on_progress;        // after each replicate and permutation (core/progress.hpp)
};

struct sample_drift_result {
    std::vector<std::string> names;            // the statistics, in a fixed order
    std::vector<interval_estimate> intervals;  // one per name
    std::vector<double> edges;                 // inner bin edges (reference quantiles)
    std::vector<double> reference_bins;        // counts per bin of R and O
    std::vector<double> other_bins;
    std::size_t permutations = 0;
    double p_ks = std::numeric_limits<double>::quiet_NaN();
    double p_wasserstein = std::numeric_limits<double>::quiet_NaN();
    double p_energy = std::numeric_limits<double>::quiet_NaN();
};

namespace detail {

// A salt so the permutation streams differ from the bootstrap's under the same seed.
inline constexpr std::uint64_t permutation_salt = 0x7065726d75746531ull;

inline std::string drift_label(double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", p);
    return buf;
}

// Labels for a uniformly random split of `label.size()` positions into n ones and the rest
// zeros. Labels are first drawn independently, each 1 with probability about
// n / size (16-bit thresholds, four labels per random word, no dependency between
// positions: selection sampling's position-by-position update was the permutation test's
// bottleneck), then randomly chosen surplus labels are flipped until exactly n are 1.
// Every step treats the positions alike, so the result is exchangeable and its size is
// n: it is uniform over the n-subsets, exactly. The fix-up touches about sqrt(size)
// positions.
inline void random_split(std::vector<std::uint8_t>& label, std::uint64_t n, rng& g) {
    const std::size_t size = label.size();
    const double share = static_cast<double>(n) / static_cast<double>(size);
    const auto threshold = static_cast<std::uint64_t>(std::min(65535.0, std::max(1.0, std::round(share * 65536.0))));
    std::uint8_t* const out = label.data();
    std::uint64_t ones = 0;
    std::size_t k = 0;
    for (; k + 4 <= size; k += 4) {
        const std::uint64_t r = g();
        for (unsigned t = 0; t < 4; ++t) {
            const std::uint64_t one = ((r >> (16 * t)) & 0xffffu) < threshold ? 1u : 0u;
            out[k + t] = static_cast<std::uint8_t>(one);
            ones += one;
        }
    }
    for (; k < size; ++k) {
        const std::uint64_t one = (g() & 0xffffu) < threshold ? 1u : 0u;
        out[k] = static_cast<std::uint8_t>(one);
        ones += one;
    }
    // Flip uniformly chosen labels of the surplus kind (rejection: uniform among them).
    while (ones > n) {
        std::uint8_t& l = out[g.below(size)];
        if (l == 1) {
            l = 0;
            --ones;
        }
    }
    while (ones < n) {
        std::uint8_t& l = out[g.below(size)];
        if (l == 0) {
            l = 1;
            ++ones;
        }
    }
}

// One sample's summary for given per-observation counts: moments (centred on `shift`,
// the plain mean, so squares do not cancel), the values of requested order statistics
// (ranks ascending, 0-based) and the counts below requested indices (ascending).
struct drift_side {
    double mean = 0, var = 0;
    std::vector<double> order_value;  // per rank
    std::vector<double> count_below;  // per cut index: sum of counts at positions < cut
    std::vector<double> bin_count;    // per bin
};

inline void summarise_drift_side(const std::vector<double>& x, const std::uint32_t* c, std::uint64_t total,
                                 double shift, const std::vector<std::size_t>& bin_start,
                                 const std::vector<std::uint64_t>& ranks, const std::vector<std::size_t>& cuts,
                                 drift_side& out) {
    const std::size_t n = x.size();
    out.order_value.assign(ranks.size(), 0.0);
    out.count_below.assign(cuts.size(), 0.0);
    out.bin_count.assign(bin_start.size(), 0.0);
    compensated_sum s1, s2;
    std::uint64_t cum = 0;
    std::size_t next_rank = 0, next_cut = 0;
    const std::size_t bins = bin_start.size();
    constexpr std::size_t block = 1024;
    for (std::size_t b = 0; b < bins; ++b) {
        const std::size_t end = b + 1 < bins ? bin_start[b + 1] : n;
        std::uint64_t in_bin = 0;
        for (std::size_t begin = bin_start[b]; begin < end; begin += block) {
            const std::size_t stop = std::min(end, begin + block);
            double a1 = 0, a2 = 0;
            for (std::size_t i = begin; i < stop; ++i) {
                while (next_cut < cuts.size() && cuts[next_cut] == i) {
                    out.count_below[next_cut++] = static_cast<double>(cum);
                }
                const std::uint64_t ci = c[i];
                cum += ci;
                in_bin += ci;
                // Rare: the scan passes each requested rank once.
                while (next_rank < ranks.size() && ranks[next_rank] < cum) out.order_value[next_rank++] = x[i];
                const double d = x[i] - shift;
                const double w = static_cast<double>(ci);
                a1 += w * d;
                a2 += w * d * d;
            }
            s1 += a1;
            s2 += a2;
        }
        out.bin_count[b] = static_cast<double>(in_bin);
    }
    while (next_cut < cuts.size()) out.count_below[next_cut++] = static_cast<double>(cum);
    const double t = static_cast<double>(total);
    const double m1 = s1.value() / t;
    out.mean = shift + m1;
    out.var = total > 1 ? std::max(0.0, (s2.value() - t * m1 * m1) / (t - 1.0)) : 0.0;
}

// Linear-method quantile p of a sample of `total` values from its order statistics.
struct linear_rank {
    std::uint64_t lo = 0, hi = 0;
    double frac = 0;
};

inline linear_rank linear_rank_of(double p, std::uint64_t total) {
    const double pos = p * static_cast<double>(total - 1);
    linear_rank r;
    r.lo = static_cast<std::uint64_t>(std::floor(pos));
    r.hi = std::min<std::uint64_t>(r.lo + 1, total - 1);
    r.frac = pos - static_cast<double>(r.lo);
    return r;
}

// The percentile interval of replicates, optionally moved by the bootstrap's bias
// estimate (mean of the replicates - estimate): plug-in measures of rare categories or
// tails (KL, coverage, novelty, distances near 0) are biased, and a resample is biased
// again in the same direction, so the plain percentile interval can miss the estimate
// entirely. Subtracting the bias is the percentile interval of the bias-corrected
// replicates theta*_b - (mean theta* - theta) (Efron & Tibshirani 1993, sec. 10.6).
// The moved interval is clipped to the statistic's range [least, most] (a tail retention
// of 0 stays >= 0).
inline interval_estimate drift_interval(double estimate, std::vector<double>& values, const bootstrap_options& opt,
                                        bool bias_adjust, double least = -std::numeric_limits<double>::infinity(),
                                        double most = std::numeric_limits<double>::infinity()) {
    compensated_sum s;
    for (double v : values) s += v;
    const double bias = s.value() / static_cast<double>(values.size()) - estimate;
    interval_estimate r = summarise_replicates(estimate, values, opt);
    if (bias_adjust && std::isfinite(bias)) {
        r.lower = std::min(std::max(r.lower - bias, least), most);
        r.upper = std::min(std::max(r.upper - bias, least), most);
    }
    return r;
}

inline double interpolate_rank(double lo, double hi, double frac) {
    if (frac == 0.0 || lo == hi) return lo;
    return lo + frac * (hi - lo);
}

}  // namespace detail

// See the module comment. `ex` runs the replicates and permutations on its threads.
template <class R, class O>
sample_drift_result sample_drift_bootstrap(const execution& ex, const R& reference, const O& other,
                                           const sample_drift_options& opt = {}) {
    constexpr const char* fn = "sample_drift_bootstrap";
    detail::check_bootstrap_options(fn, opt.bootstrap);
    require(opt.bootstrap.method == interval_method::percentile, fn, "only percentile intervals are offered");
    require(opt.bins >= 2, fn, "bins must be at least 2 (got " + std::to_string(opt.bins) + ")");
    if (!(opt.smoothing >= 0.0) || !std::isfinite(opt.smoothing)) {
        fail(fn, "smoothing must be finite and >= 0 (got " + detail::format_value(opt.smoothing) + ")");
    }
    for (double q : opt.quantiles) {
        if (!(q >= 0.0 && q <= 1.0)) fail(fn, "quantiles must lie in [0, 1] (got " + detail::format_value(q) + ")");
    }
    for (double a : opt.tail_alphas) {
        if (!(a > 0.0 && a <= 0.5)) fail(fn, "tail alphas must lie in (0, 0.5] (got " + detail::format_value(a) + ")");
    }
    const auto rv = as_view(reference);
    const auto ov = as_view(other);
    constexpr std::size_t most = (std::size_t{1} << 31) - 1;
    require(rv.size() <= most && ov.size() <= most, fn, "each sample must hold fewer than 2^31 values");
    const std::vector<double> su = detail::finite_sorted_copy(ex, fn, "reference", rv);
    const std::vector<double> sv = detail::finite_sorted_copy(ex, fn, "other", ov);
    const std::uint64_t n = su.size(), m = sv.size();
    const detail::merged_samples merged = detail::merge_samples(su, sv);

    sample_drift_result out;
    // Bins from the reference as given.
    for (std::size_t j = 1; j < opt.bins; ++j) {
        const double e = detail::sorted_quantile(su, static_cast<double>(j) / static_cast<double>(opt.bins));
        if (out.edges.empty() || e > out.edges.back()) out.edges.push_back(e);
    }
    auto bin_starts = [&](const std::vector<double>& x) {
        std::vector<std::size_t> start{0};
        for (double e : out.edges) {
            start.push_back(static_cast<std::size_t>(std::lower_bound(x.begin(), x.end(), e) - x.begin()));
        }
        return start;
    };
    const std::vector<std::size_t> bins_u = bin_starts(su), bins_v = bin_starts(sv);

    // Order statistics each side needs: the quantiles; the reference also its tail thresholds.
    std::vector<double> probs_u = opt.quantiles, probs_v = opt.quantiles;
    for (double a : opt.tail_alphas) {
        probs_u.push_back(a);
        probs_u.push_back(1.0 - a);
    }
    auto ranks_of = [](const std::vector<double>& probs, std::uint64_t total) {
        std::vector<std::uint64_t> r;
        for (double p : probs) {
            const detail::linear_rank lr = detail::linear_rank_of(p, total);
            r.push_back(lr.lo);
            r.push_back(lr.hi);
        }
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
        return r;
    };
    const std::vector<std::uint64_t> ranks_u = ranks_of(probs_u, n), ranks_v = ranks_of(probs_v, m);
    auto quantile_of = [](const std::vector<std::uint64_t>& ranks, const detail::drift_side& s, double p,
                          std::uint64_t total) {
        const detail::linear_rank lr = detail::linear_rank_of(p, total);
        const auto at = [&](std::uint64_t k) {
            return s
                .order_value[static_cast<std::size_t>(std::lower_bound(ranks.begin(), ranks.end(), k) - ranks.begin())];
        };
        return detail::interpolate_rank(at(lr.lo), at(lr.hi), lr.frac);
    };
    double shift_u = 0, shift_v = 0;
    {
        compensated_sum a, b;
        for (double x : su) a += x;
        for (double x : sv) b += x;
        shift_u = a.value() / static_cast<double>(n);
        shift_v = b.value() / static_cast<double>(m);
    }

    // Names, in the order of the values below.
    std::vector<std::string>& names = out.names;
    for (const char* s :
         {"ref_mean", "other_mean", "mean_diff", "std_mean_diff", "ref_sd", "other_sd", "sd_diff", "variance_ratio"}) {
        names.emplace_back(s);
    }
    for (double q : opt.quantiles) {
        const std::string l = detail::drift_label(q);
        names.push_back("ref_q" + l);
        names.push_back("other_q" + l);
        names.push_back("q" + l + "_diff");
    }
    for (const char* s : {"ks", "wasserstein", "wasserstein_sd", "energy", "kl", "js", "psi", "ref_entropy",
                          "other_entropy", "entropy_diff"}) {
        names.emplace_back(s);
    }
    for (double a : opt.tail_alphas) {
        names.push_back("retention_left_" + detail::drift_label(a));
        names.push_back("retention_right_" + detail::drift_label(a));
    }
    const std::size_t k_stats = names.size();
    // Each statistic's range, for the bias-moved intervals: differences and locations are
    // unbounded, spreads, distances, divergences and retentions are >= 0, KS <= 1.
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<std::pair<double, double>> range(k_stats, {-inf, inf});
    for (std::size_t k = 0; k < k_stats; ++k) {
        const std::string& nm = names[k];
        const bool nonnegative = nm == "ref_sd" || nm == "other_sd" || nm == "variance_ratio" || nm == "ks" ||
                                 nm == "wasserstein" || nm == "wasserstein_sd" || nm == "energy" || nm == "kl" ||
                                 nm == "js" || nm == "psi" || nm == "ref_entropy" || nm == "other_entropy" ||
                                 nm.rfind("retention_", 0) == 0;
        if (nonnegative) range[k].first = 0.0;
        if (nm == "ks") range[k].second = 1.0;
    }
    const zero_support smooth = opt.smoothing > 0.0 ? zero_support::additive(opt.smoothing) : zero_support::none();

    // All statistics for counts cu (n + 1 readable) and cv (m + 1 readable).
    struct scratch {
        detail::drift_side u, v;
        std::vector<std::uint32_t> counts;
        std::vector<std::size_t> cuts;
    };
    auto statistics = [&](const std::uint32_t* cu, const std::uint32_t* cv, scratch& w, double* value) {
        detail::summarise_drift_side(su, cu, n, shift_u, bins_u, ranks_u, {}, w.u);
        // Tail thresholds of this reference, then where they fall in O.
        w.cuts.clear();
        for (double a : opt.tail_alphas) {
            const double tl = quantile_of(ranks_u, w.u, a, n);
            const double th = quantile_of(ranks_u, w.u, 1.0 - a, n);
            w.cuts.push_back(static_cast<std::size_t>(std::lower_bound(sv.begin(), sv.end(), tl) - sv.begin()));
            w.cuts.push_back(static_cast<std::size_t>(std::upper_bound(sv.begin(), sv.end(), th) - sv.begin()));
        }
        std::vector<std::size_t> sorted_cuts = w.cuts;
        std::sort(sorted_cuts.begin(), sorted_cuts.end());
        detail::summarise_drift_side(sv, cv, m, shift_v, bins_v, ranks_v, sorted_cuts, w.v);
        const detail::cdf_distances d = detail::cdf_distances_of(merged, cu, cv, n, m);
        const double sd_u = std::sqrt(w.u.var), sd_v = std::sqrt(w.v.var);
        std::size_t k = 0;
        value[k++] = w.u.mean;
        value[k++] = w.v.mean;
        value[k++] = w.v.mean - w.u.mean;
        value[k++] = (w.v.mean - w.u.mean) / sd_u;
        value[k++] = sd_u;
        value[k++] = sd_v;
        value[k++] = sd_v - sd_u;
        value[k++] = w.v.var / w.u.var;
        for (double q : opt.quantiles) {
            const double a = quantile_of(ranks_u, w.u, q, n);
            const double b = quantile_of(ranks_v, w.v, q, m);
            value[k++] = a;
            value[k++] = b;
            value[k++] = b - a;
        }
        value[k++] = d.ks;
        value[k++] = d.wasserstein;
        value[k++] = d.wasserstein / sd_u;
        value[k++] = d.energy;
        value[k++] = kl_divergence_counts(w.u.bin_count, w.v.bin_count, nats, smooth);
        value[k++] = js_divergence_counts(w.u.bin_count, w.v.bin_count, nats);
        value[k++] = psi_counts(w.u.bin_count, w.v.bin_count, nats, smooth);
        const double hu = shannon_entropy_counts(w.u.bin_count), hv = shannon_entropy_counts(w.v.bin_count);
        value[k++] = hu;
        value[k++] = hv;
        value[k++] = hv - hu;
        for (std::size_t j = 0; j < opt.tail_alphas.size(); ++j) {
            const double a = opt.tail_alphas[j];
            const auto below = [&](std::size_t cut) {
                return w.v.count_below[static_cast<std::size_t>(
                    std::lower_bound(sorted_cuts.begin(), sorted_cuts.end(), cut) - sorted_cuts.begin())];
            };
            const double left = below(w.cuts[2 * j]) / static_cast<double>(m);
            const double right = (static_cast<double>(m) - below(w.cuts[2 * j + 1])) / static_cast<double>(m);
            value[k++] = left / a;
            value[k++] = right / a;
        }
    };

    std::vector<double> estimate(k_stats);
    {
        scratch w;
        const std::vector<std::uint32_t> ones(std::max(n, m) + 1, 1u);
        statistics(ones.data(), ones.data(), w, estimate.data());
        out.reference_bins = w.u.bin_count;
        out.other_bins = w.v.bin_count;
    }

    const std::size_t replicates = opt.bootstrap.replicates;
    detail::progress_meter progress(opt.on_progress, replicates + opt.permutations);
    std::vector<double> table(replicates * k_stats);  // replicate-major
    const std::size_t workers = ex.workers(replicates);
    std::vector<scratch> scratches(workers);
    detail::parallel_for_workers(workers, replicates, [&](std::size_t r, std::size_t worker) {
        scratch& w = scratches[worker];
        w.counts.resize(n + m + 2);  // R's counts, a pad, O's counts, a pad (see cdf_distances_of)
        rng g = rng::for_stream(opt.bootstrap.seed, r);
        detail::uniform_multinomial(w.counts.data(), n, g);
        detail::uniform_multinomial(w.counts.data() + n + 1, m, g);
        statistics(w.counts.data(), w.counts.data() + n + 1, w, table.data() + r * k_stats);
        progress.advance();
    });
    std::vector<double> column(replicates);
    for (std::size_t k = 0; k < k_stats; ++k) {
        for (std::size_t r = 0; r < replicates; ++r) column[r] = table[r * k_stats + k];
        out.intervals.push_back(detail::drift_interval(estimate[k], column, opt.bootstrap, opt.bias_adjust,
                                                       range[k].first, range[k].second));
    }

    if (opt.permutations > 0) {
        const detail::cdf_distances observed = detail::cdf_distances_of(
            merged, std::vector<std::uint32_t>(n + 1, 1u).data(), std::vector<std::uint32_t>(m + 1, 1u).data(), n, m);
        const std::size_t perms = opt.permutations;
        std::vector<std::uint8_t> hit(perms * 3, 0);
        const std::size_t pw = ex.workers(perms);
        std::vector<detail::merged_samples> shuffled(pw);
        const std::vector<std::uint32_t> ones(std::max(n, m) + 1, 1u);
        detail::parallel_for_workers(pw, perms, [&](std::size_t p, std::size_t worker) {
            detail::merged_samples& s = shuffled[worker];
            if (s.gap.empty()) s = merged;
            rng g = rng::for_stream(opt.bootstrap.seed ^ detail::permutation_salt, p);
            detail::random_split(s.from_u, n, g);
            const detail::cdf_distances d = detail::cdf_distances_of(s, ones.data(), ones.data(), n, m);
            hit[3 * p + 0] = d.ks >= observed.ks;
            hit[3 * p + 1] = d.wasserstein >= observed.wasserstein;
            hit[3 * p + 2] = d.energy >= observed.energy;
            progress.advance();
        });
        std::size_t c[3] = {0, 0, 0};
        for (std::size_t p = 0; p < perms; ++p) {
            for (int t = 0; t < 3; ++t) c[t] += hit[3 * p + static_cast<std::size_t>(t)];
        }
        const double denominator = static_cast<double>(perms) + 1.0;
        out.permutations = perms;
        out.p_ks = (1.0 + static_cast<double>(c[0])) / denominator;
        out.p_wasserstein = (1.0 + static_cast<double>(c[1])) / denominator;
        out.p_energy = (1.0 + static_cast<double>(c[2])) / denominator;
    }
    return out;
}

template <class R, class O>
sample_drift_result sample_drift_bootstrap(const R& reference, const O& other, const sample_drift_options& opt = {}) {
    return sample_drift_bootstrap(sequential, reference, other, opt);
}

}  // namespace collapsekit
