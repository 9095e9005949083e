// Bootstrap intervals of the distances between two empirical CDFs (W1, the
// Kolmogorov-Smirnov statistic, the energy distance) that sort once, not once per
// replicate.
//
// All three are functionals of F - G over the merged sorted sample:
//   W1 = integral |F - G| dx,  KS = max |F - G|,  energy = sqrt(2 integral (F - G)^2 dx)
// (scipy.stats.wasserstein_distance, ks_2samp's statistic, energy_distance). A bootstrap
// replicate only changes how many copies of each observation there are, so after one
// merge of the sorted samples each replicate is a multinomial draw of per-observation
// counts followed by one linear pass. F - G is carried exactly, as the integer
// sum(c_u) * B - sum(c_v) * A over the observations passed (A, B the two totals), so
// steps, ties and the KS maximum are exact; only the integrals round (blocked sums with
// compensation between blocks).
//
// Cost per replicate: n + m uniform draws into cache-sized blocks of a count array
// (see uniform_multinomial) and one pass over n + m
// merged values, against a resample, two sorts and a merge for the naive loop; the
// replicates run on the threads `ex` allows, each from its own seeded stream, so the
// intervals are bit-identical for any thread count. BCa intervals (bootstrap_options)
// take their jackknife from the same pass with one observation, or one random group of
// observations, given count 0.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <boost/random/binomial_distribution.hpp>

#include "bootstrap.hpp"
#include "core/config.hpp"
#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "sort.hpp"

namespace collapsekit {

// The three intervals of bootstrap_cdf_distances, from the same replicates.
struct cdf_distance_intervals {
    interval_estimate wasserstein;  // W1, in the units of the samples
    interval_estimate ks;           // the two-sided KS statistic sup |F - G|, in [0, 1]
    interval_estimate energy;       // the energy distance, in the units of the samples
};

namespace detail {

// The two samples sorted and merged once. Counts stay in each sample's own sorted order
// (cu[i] copies of u's i-th smallest value), which the merged walk reads in sequence.
struct merged_samples {
    std::vector<double> gap;           // x[k + 1] - x[k] over the merged values; 0 after the last
    std::vector<std::uint8_t> from_u;  // 1 where merged value k is the next value of u
    int exponent = 0;                  // the values were scaled by 2^exponent (even)
};

// The samples' common scaling 2^e (e even): the largest |value| goes just below 2^880, so
// that no gap (at most 2^881), no sum of |F - G| a b gap (a b < 2^62) and no sum of
// (|F - G| a b)^2 gap (< 2^1005) overflows for samples near DBL_MAX, and subnormal samples
// are lifted into the normal range. Exact, and bit-identical to the unscaled pass wherever
// that stayed in the normal range (detail::scale_exponent); W1 scales back by 2^-e, the
// energy distance (a square root of a length) by 2^(-e/2), the KS statistic not at all.
inline int scale_samples(std::vector<double>& u, std::vector<double>& v) noexcept {
    const int e =
        scale_exponent(std::max(largest_magnitude(u.data(), u.size()), largest_magnitude(v.data(), v.size())), 880) &
        ~1;
    scale_by_power_of_two(u.data(), u.size(), e);
    scale_by_power_of_two(v.data(), v.size(), e);
    return e;
}

struct cdf_distances {
    double wasserstein = 0, ks = 0, energy = 0;
};

template <class T>
std::vector<double> finite_sorted_copy(const execution& ex, const char* fn, const char* arg, view<const T> x) {
    require_not_empty(fn, arg, x.size());
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        out[i] = static_cast<double>(x[i]);
        if (!std::isfinite(out[i])) {
            fail(fn, std::string(arg) + " must hold finite values (" + arg + "[" + std::to_string(i) +
                         "] = " + format_value(out[i]) + "); drop NaN first");
        }
    }
    sort_values(ex, out);
    return out;
}

inline merged_samples merge_samples(const std::vector<double>& u, const std::vector<double>& v) {
    const std::size_t n = u.size(), m = v.size(), total = n + m;
    merged_samples s;
    s.gap.resize(total);
    s.from_u.resize(total);
    std::size_t i = 0, j = 0;
    double previous = 0;
    for (std::size_t k = 0; k < total; ++k) {
        const bool take_u = j == m || (i < n && u[i] <= v[j]);
        const double x = take_u ? u[i++] : v[j++];
        s.from_u[k] = take_u ? 1 : 0;
        if (k > 0) s.gap[k - 1] = x - previous;
        previous = x;
    }
    s.gap[total - 1] = 0.0;
    return s;
}

// The three distances for per-observation counts (cu[i] copies of u's i-th smallest
// value, cv likewise), with totals total_u and total_v (both > 0, each below 2^31).
// cu and cv must each be readable one element past the sample's end: the walk over the
// merged values reads both streams and keeps one, as branches on the interleaving of two
// samples would mispredict about half the time.
COLLAPSEKIT_NOINLINE inline cdf_distances cdf_distances_of(const merged_samples& s, const std::uint32_t* cu,
                                                           const std::uint32_t* cv, std::uint64_t total_u,
                                                           std::uint64_t total_v) noexcept {
    const auto a = static_cast<std::int64_t>(total_u);
    const auto b = static_cast<std::int64_t>(total_v);
    const std::size_t size = s.gap.size();
    std::int64_t d = 0;  // (F - G) * a * b, exactly
    std::int64_t largest = 0;
    std::size_t i = 0, j = 0;
    // One merged value: advance F - G and return |F - G| * a * b where the CDFs take it.
    const std::uint8_t* const from = s.from_u.data();
    const double* const gaps = s.gap.data();
    auto step = [&](std::size_t k) COLLAPSEKIT_INLINE_LAMBDA {
        // Selects by masks: GCC turns the conditional form back into a branch.
        const std::size_t from_u = from[k];
        const std::int64_t take_u = -static_cast<std::int64_t>(from_u);  // all ones or zero
        const std::int64_t c =
            (static_cast<std::int64_t>(cu[i]) & take_u) | (static_cast<std::int64_t>(cv[j]) & ~take_u);
        i += from_u;
        j += 1 - from_u;
        d += c * ((b & take_u) | (-a & ~take_u));
        const std::int64_t magnitude = d < 0 ? -d : d;
        // Only where the next value differs is F - G a value the CDFs take (gap is 0
        // between equal values, so the integrals need no test).
        largest = std::max(largest, gaps[k] > 0.0 ? magnitude : std::int64_t{0});
        return static_cast<double>(magnitude);
    };
    // Four partial sums per integral: one chain of dependent additions would cost the
    // adder's latency (4 cycles) per value. Fixed lanes, fixed order: deterministic.
    compensated_sum w1, e2;
    constexpr std::size_t block = 1024;
    for (std::size_t begin = 0; begin < size; begin += block) {
        const std::size_t end = std::min(size, begin + block);
        double w1_lane[4] = {0, 0, 0, 0}, e2_lane[4] = {0, 0, 0, 0};
        std::size_t k = begin;
        for (; k + 4 <= end; k += 4) {
            for (std::size_t t = 0; t < 4; ++t) {
                const double f = step(k + t);
                const double fg = f * gaps[k + t];
                w1_lane[t] += fg;
                e2_lane[t] += f * fg;
            }
        }
        for (std::size_t t = 0; k < end; ++k, ++t) {
            const double f = step(k);
            const double fg = f * gaps[k];
            w1_lane[t] += fg;
            e2_lane[t] += f * fg;
        }
        w1 += (w1_lane[0] + w1_lane[1]) + (w1_lane[2] + w1_lane[3]);
        e2 += (e2_lane[0] + e2_lane[1]) + (e2_lane[2] + e2_lane[3]);
    }
    const double scale = static_cast<double>(a) * static_cast<double>(b);
    cdf_distances r;
    r.wasserstein = std::ldexp(w1.value() / scale, -s.exponent);
    r.ks = static_cast<double>(largest) / scale;
    r.energy = std::ldexp(std::sqrt(2.0 * e2.value()) / scale, -s.exponent / 2);
    return r;
}

// Counts of a uniform multinomial draw of `size` observations from `size` cells into
// count[0, size): first the totals of blocks of 2^12 cells (conditional binomials), then
// each block's draws, which land in a block that stays in the L1 cache, five 12-bit cell
// numbers from each 64-bit random word (exactly uniform, 2^12 dividing 2^64's chunks).
// The same distribution as `size` independent uniform cell numbers, at a fraction of the
// cost of scattering them over the whole array.
inline void uniform_multinomial(std::uint32_t* count, std::size_t size, rng& g) {
    constexpr unsigned block_bits = 12;
    constexpr std::size_t block = std::size_t{1} << block_bits;
    std::uint64_t left = size;
    for (std::size_t begin = 0; begin < size; begin += block) {
        const std::size_t cells = std::min(block, size - begin);
        std::fill(count + begin, count + begin + cells, 0u);  // zeroed here, it stays in L1 for the draws
        if (left == 0) continue;
        const std::size_t rest = size - begin;
        std::uint64_t draws = left;
        if (cells < rest) {
            boost::random::binomial_distribution<std::int64_t, double> bin(
                static_cast<std::int64_t>(left), static_cast<double>(cells) / static_cast<double>(rest));
            draws = static_cast<std::uint64_t>(bin(g));
        }
        left -= draws;
        std::uint32_t* const c = count + begin;
        if (cells == block) {
            for (; draws >= 5; draws -= 5) {
                std::uint64_t r = g();
                for (int t = 0; t < 5; ++t, r >>= block_bits) ++c[r & (block - 1)];
            }
        }
        for (; draws > 0; --draws) ++c[static_cast<std::size_t>(g.below(cells))];
    }
}

// Jackknife values of the three distances leaving out each group of one sample in turn
// (`slots`: that sample's merged positions).
inline void jackknife_cdf(const execution& ex, const merged_samples& s, bool of_u, const jackknife_plan& plan,
                          std::uint64_t n, std::uint64_t m, jackknife_values out[3]) {
    const std::size_t size = static_cast<std::size_t>(of_u ? n : m);
    // The members of each group, listed group by group.
    std::vector<std::size_t> first(plan.groups + 1, 0);
    std::vector<std::uint32_t> members(size);
    if (plan.member.empty()) {
        for (std::size_t g = 0; g <= plan.groups; ++g) first[g] = g;
        for (std::size_t i = 0; i < size; ++i) members[i] = static_cast<std::uint32_t>(i);
    } else {
        for (std::uint32_t g : plan.member) ++first[g + 1];
        for (std::size_t g = 0; g < plan.groups; ++g) first[g + 1] += first[g];
        std::vector<std::size_t> next(first.begin(), first.end() - 1);
        for (std::size_t i = 0; i < size; ++i) members[next[plan.member[i]]++] = static_cast<std::uint32_t>(i);
    }
    for (int q = 0; q < 3; ++q) out[q].value.assign(plan.groups, 0.0);
    const std::size_t workers = ex.workers(plan.groups, 4);
    const std::vector<std::uint32_t> ones(static_cast<std::size_t>(of_u ? m : n) + 1, 1u);
    std::vector<std::vector<std::uint32_t>> counts(workers);
    parallel_for_workers(workers, plan.groups, [&](std::size_t g, std::size_t worker) {
        std::vector<std::uint32_t>& c = counts[worker];
        if (c.empty()) c.assign(size + 1, 1u);  // + 1: see cdf_distances_of
        for (std::size_t k = first[g]; k < first[g + 1]; ++k) c[members[k]] = 0;
        const std::uint64_t left = first[g + 1] - first[g];
        const cdf_distances r = of_u ? cdf_distances_of(s, c.data(), ones.data(), n - left, m)
                                     : cdf_distances_of(s, ones.data(), c.data(), n, m - left);
        for (std::size_t k = first[g]; k < first[g + 1]; ++k) c[members[k]] = 1;
        out[0].value[g] = r.wasserstein;
        out[1].value[g] = r.ks;
        out[2].value[g] = r.energy;
    });
}

}  // namespace detail

// Bootstrap intervals of W1, the KS statistic and the energy distance between samples u
// and v, each resampled with replacement independently (the two-sample bootstrap), from
// one sort of each sample; see the module comment. The estimates are the distances of
// the samples themselves, computed by the same pass as the replicates (they equal
// ck::wasserstein(u, v), ks_2samp(u, v).statistic and energy_distance(u, v) up to
// rounding). Range: any finite samples give finite distances, from subnormal samples to
// samples near DBL_MAX (the pass runs on the samples scaled by a power of two, see
// detail::scale_samples), and scaling both by 4^j scales W1 by 4^j and the energy distance
// by 2^j wherever both are normal. Errors (std::invalid_argument): an empty sample, a NaN or infinite value
// (drop NaN first), a sample of 2^31 or more values, and bootstrap's option errors.
template <class U, class V>
cdf_distance_intervals bootstrap_cdf_distances(const execution& ex, const U& u, const V& v,
                                               const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap_cdf_distances";
    detail::check_bootstrap_options(fn, opt);
    const auto uv = as_view(u);
    const auto vv = as_view(v);
    constexpr std::size_t most = (std::size_t{1} << 31) - 1;
    require(uv.size() <= most && vv.size() <= most, fn, "each sample must hold fewer than 2^31 values");
    std::vector<double> su = detail::finite_sorted_copy(ex, fn, "u", uv);
    std::vector<double> sv = detail::finite_sorted_copy(ex, fn, "v", vv);
    const int exponent = detail::scale_samples(su, sv);
    detail::merged_samples s = detail::merge_samples(su, sv);
    s.exponent = exponent;
    const std::uint64_t n = su.size(), m = sv.size();

    std::vector<std::uint32_t> ones(std::max(n, m) + 1, 1u);
    const detail::cdf_distances estimate = detail::cdf_distances_of(s, ones.data(), ones.data(), n, m);
    ones = {};

    std::vector<double> values[3];
    for (auto& v3 : values) v3.resize(opt.replicates);
    const std::size_t workers = ex.workers(opt.replicates);
    std::vector<std::vector<std::uint32_t>> counts(workers);
    detail::parallel_for_workers(workers, opt.replicates, [&](std::size_t r, std::size_t worker) {
        std::vector<std::uint32_t>& c = counts[worker];
        c.resize(n + m + 2);  // u's counts, a pad, v's counts, a pad (see cdf_distances_of)
        rng g = rng::for_stream(opt.seed, r);
        detail::uniform_multinomial(c.data(), n, g);
        detail::uniform_multinomial(c.data() + n + 1, m, g);
        const detail::cdf_distances d = detail::cdf_distances_of(s, c.data(), c.data() + n + 1, n, m);
        values[0][r] = d.wasserstein;
        values[1][r] = d.ks;
        values[2][r] = d.energy;
    });

    std::vector<detail::jackknife_values> jack[3];
    if (opt.method == interval_method::bca) {
        for (int sample = 0; sample < 2; ++sample) {
            const bool of_u = sample == 0;
            const std::uint64_t size = of_u ? n : m;
            if (size < 2) continue;
            const detail::jackknife_plan plan = detail::plan_jackknife(
                static_cast<std::size_t>(size), opt.jackknife_groups, opt.seed, static_cast<std::uint64_t>(sample));
            detail::jackknife_values j[3];
            detail::jackknife_cdf(ex, s, of_u, plan, n, m, j);
            for (int q = 0; q < 3; ++q) jack[q].push_back(std::move(j[q]));
        }
    }
    cdf_distance_intervals out;
    out.wasserstein = detail::summarise_replicates(estimate.wasserstein, values[0], opt, jack[0]);
    out.ks = detail::summarise_replicates(estimate.ks, values[1], opt, jack[1]);
    out.energy = detail::summarise_replicates(estimate.energy, values[2], opt, jack[2]);
    return out;
}

template <class U, class V>
cdf_distance_intervals bootstrap_cdf_distances(const U& u, const V& v, const bootstrap_options& opt = {}) {
    return bootstrap_cdf_distances(sequential, u, v, opt);
}

}  // namespace collapsekit
