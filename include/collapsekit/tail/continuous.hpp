// How much of a reference sample's tails survives in a generated sample.
//
// Reference R (n values), generated G (m values), alpha in (0, 0.5]. With the
// reference's thresholds t_lo = Q_R(alpha) and t_hi = Q_R(1 - alpha) (tail/quantile.hpp):
//   left mass  = #{g in G : g < t_lo} / m        (strict: a value on the threshold is not beyond it)
//   right mass = #{g in G : g > t_hi} / m
//   both       = left mass + right mass
//   retention  = mass / alpha  (left, right),   (left + right) / (2 alpha)  (both)
// Retention is 1 when G has the reference's tails, 0 when they are gone, above 1 when
// G's tails are heavier. The inequality is strict so that a G cut at R's 1 - alpha
// quantile (values <= t_hi) keeps no right tail at that alpha.
//
// A whole retention curve takes one partial selection of R (the order statistics the
// thresholds need) and one pass over G that sends each value beyond the innermost
// threshold to its bucket by binary search; G is neither copied nor sorted.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../core/errors.hpp"
#include "../core/nan.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"
#include "quantile.hpp"

namespace collapsekit {

namespace detail {

inline constexpr double tail_nan = std::numeric_limits<double>::quiet_NaN();

// #{j : t[j] <= v} and #{j : t[j] < v} for sorted t[0..n), without data-dependent
// branches (the values that reach them arrive in random order).
inline std::size_t count_at_most(const double* t, std::size_t n, double v) noexcept {
    const double* base = t;
    while (n > 1) {
        const std::size_t half = n / 2;
        base = base[half - 1] <= v ? base + half : base;
        n -= half;
    }
    return static_cast<std::size_t>(base - t) + (n == 1 && *base <= v ? 1u : 0u);
}
inline std::size_t count_below(const double* t, std::size_t n, double v) noexcept {
    const double* base = t;
    while (n > 1) {
        const std::size_t half = n / 2;
        base = base[half - 1] < v ? base + half : base;
        n -= half;
    }
    return static_cast<std::size_t>(base - t) + (n == 1 && *base < v ? 1u : 0u);
}

// below[i] = total weight of the g < lower[i]; above[i] = total weight of the g > upper[i].
// lower and upper are sorted and unique, and max(lower) <= min(upper) (alpha <= 0.5), so
// a value can be beyond thresholds on one side only. NaN compares false everywhere and
// is never counted.
template <class T, class Acc, class WeightOf>
void tally_beyond(view<const T> g, WeightOf weight_of, const std::vector<double>& lower,
                  const std::vector<double>& upper, std::vector<Acc>& below, std::vector<Acc>& above) {
    std::vector<Acc> lh(lower.size() + 1, Acc(0)), uh(upper.size() + 1, Acc(0));
    const double lmax = lower.empty() ? -std::numeric_limits<double>::infinity() : lower.back();
    const double umin = upper.empty() ? std::numeric_limits<double>::infinity() : upper.front();
    const double* lb = lower.data();
    const double* ub = upper.data();
    const std::size_t nlow = lower.size(), nup = upper.size();
    for (std::size_t i = 0; i < g.size(); ++i) {
        const auto v = static_cast<double>(g[i]);
        if (v < lmax) {
            lh[count_at_most(lb, nlow, v)] += weight_of(i);
        } else if (v > umin) {
            uh[count_below(ub, nup, v)] += weight_of(i);
        }
    }
    // g < lower[i] exactly when fewer than i + 1 thresholds are <= g: a prefix sum.
    below.assign(lower.size(), Acc(0));
    Acc run(0);
    for (std::size_t i = 0; i < lower.size(); ++i) below[i] = run += lh[i];
    // g > upper[i] exactly when more than i thresholds are < g: a suffix sum.
    above.assign(upper.size(), Acc(0));
    run = Acc(0);
    for (std::size_t i = upper.size(); i-- > 0;) above[i] = run += uh[i + 1];
}

inline std::vector<double> sorted_unique(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

inline std::size_t index_of(const std::vector<double>& sorted, double v) {
    return static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
}

template <class A>
std::vector<double> checked_alphas(const char* function, const A& alphas) {
    const auto a = as_view(alphas);
    require_not_empty(function, "alphas", a.size());
    std::vector<double> out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        out[i] = static_cast<double>(a[i]);
        check_tail_alpha(function, out[i]);
    }
    return out;
}

// From per-alpha thresholds and a tally function, the tail masses per alpha.
template <class Tally>
std::vector<double> masses_from_thresholds(const std::vector<double>& alphas, const std::vector<double>& lo,
                                           const std::vector<double>& hi, tail_side side, double total, Tally tally) {
    std::vector<double> lower, upper;
    if (side != tail_side::right) lower = sorted_unique(lo);
    if (side != tail_side::left) upper = sorted_unique(hi);
    std::vector<double> below, above;
    tally(lower, upper, below, above);
    std::vector<double> mass(alphas.size());
    for (std::size_t a = 0; a < alphas.size(); ++a) {
        double m = 0.0;
        if (side != tail_side::right) m += below[index_of(lower, lo[a])] / total;
        if (side != tail_side::left) m += above[index_of(upper, hi[a])] / total;
        mass[a] = m;
    }
    return mass;
}

template <class R, class G>
std::vector<double> tail_masses(const char* fn, const R& reference, const G& generated, std::vector<double> alphas,
                                tail_side side, nan_policy nan, quantile_method method) {
    check_tail_side(fn, side);
    const auto g = as_view(generated);
    std::vector<double> qs;
    qs.reserve(2 * alphas.size());
    for (double a : alphas) {
        qs.push_back(a);
        qs.push_back(1.0 - a);
    }
    std::vector<double> q;
    const bool r_ok = sample_quantiles(fn, "reference", as_view(reference), nan, qs, method, q);
    require_not_empty(fn, "generated", g.size());
    const nan_action g_action = screen_nans(fn, "generated", g, nan);
    if (!r_ok || g_action == nan_action::propagate) return std::vector<double>(alphas.size(), tail_nan);
    const std::size_t m = g.size() - (g_action == nan_action::omit ? count_nans(g) : 0);
    if (m == 0) fail(fn, "generated has no values left after omitting NaN");

    std::vector<double> lo(alphas.size()), hi(alphas.size());
    for (std::size_t a = 0; a < alphas.size(); ++a) {
        lo[a] = q[2 * a];
        hi[a] = q[2 * a + 1];
    }
    auto tally = [&](const std::vector<double>& lower, const std::vector<double>& upper, std::vector<double>& below,
                     std::vector<double>& above) {
        std::vector<std::uint64_t> b, u;
        tally_beyond<range_value_t<G>, std::uint64_t>(
            g, [](std::size_t) { return std::uint64_t{1}; }, lower, upper, b, u);
        below.assign(b.begin(), b.end());
        above.assign(u.begin(), u.end());
    };
    return masses_from_thresholds(alphas, lo, hi, side, static_cast<double>(m), tally);
}

template <class R, class RW, class G, class GW>
std::vector<double> weighted_tail_masses(const char* fn, const R& reference, const RW& reference_weights,
                                         const G& generated, const GW& generated_weights, std::vector<double> alphas,
                                         tail_side side, nan_policy nan) {
    check_tail_side(fn, side);
    const auto g = as_view(generated);
    const auto gw = as_view(generated_weights);
    weighted_cdf cdf;
    const bool r_ok = build_weighted_cdf(fn, "reference", "reference_weights", as_view(reference),
                                         as_view(reference_weights), nan, cdf);
    require_not_empty(fn, "generated", g.size());
    require_same_length(fn, "generated", g.size(), "generated_weights", gw.size());
    check_weights(fn, "generated_weights", gw);
    const nan_action g_action = screen_nans(fn, "generated", g, nan);
    if (!r_ok || g_action == nan_action::propagate) return std::vector<double>(alphas.size(), tail_nan);
    compensated_sum total;
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (!is_nan_value(g[i])) total += static_cast<double>(gw[i]);
    }
    if (!(total.value() > 0.0)) fail(fn, "generated_weights must not sum to zero (over the non-NaN values)");

    std::vector<double> lo(alphas.size()), hi(alphas.size());
    for (std::size_t a = 0; a < alphas.size(); ++a) {
        lo[a] = cdf.quantile(alphas[a]);
        hi[a] = cdf.quantile(1.0 - alphas[a]);
    }
    auto tally = [&](const std::vector<double>& lower, const std::vector<double>& upper, std::vector<double>& below,
                     std::vector<double>& above) {
        tally_beyond<range_value_t<G>, double>(
            g, [&](std::size_t i) { return static_cast<double>(gw[i]); }, lower, upper, below, above);
    };
    return masses_from_thresholds(alphas, lo, hi, side, total.value(), tally);
}

inline std::vector<double> masses_to_retention(std::vector<double> mass, const std::vector<double>& alphas,
                                               tail_side side) {
    for (std::size_t a = 0; a < mass.size(); ++a) {
        mass[a] /= (side == tail_side::both ? 2.0 * alphas[a] : alphas[a]);
    }
    return mass;
}

}  // namespace detail

// Share of G beyond the reference's alpha quantile (left), 1 - alpha quantile (right), or
// both (their sum): a probability in [0, 1]. See the top of this file for the definition;
// thresholds use `method` (numpy's linear by default).
// Errors (std::invalid_argument): alpha outside (0, 0.5]; empty reference or generated;
// NaN under nan_policy::raise; an infinite reference value. G may hold +-inf (they lie
// beyond every threshold). nan_policy::omit drops NaN from both samples;
// nan_policy::propagate returns NaN if either holds one.
template <class R, class G>
double tail_mass(const R& reference, const G& generated, double alpha, tail_side side,
                 nan_policy nan = nan_policy::raise, quantile_method method = quantile_method::linear) {
    constexpr const char* fn = "tail_mass";
    detail::check_tail_alpha(fn, alpha);
    return detail::tail_masses(fn, reference, generated, {alpha}, side, nan, method)[0];
}

// tail_mass / alpha (left, right) or tail_mass / (2 alpha) (both): 1 = the reference's
// tail fully kept, 0 = gone. Same arguments and errors as tail_mass.
template <class R, class G>
double tail_retention(const R& reference, const G& generated, double alpha, tail_side side,
                      nan_policy nan = nan_policy::raise, quantile_method method = quantile_method::linear) {
    constexpr const char* fn = "tail_retention";
    detail::check_tail_alpha(fn, alpha);
    const std::vector<double> alphas{alpha};
    return detail::masses_to_retention(detail::tail_masses(fn, reference, generated, alphas, side, nan, method), alphas,
                                       side)[0];
}

// tail_mass for every alpha in `alphas` (any order, repeats allowed), in that order,
// from one selection pass over R and one pass over G.
template <class R, class G, class A>
std::vector<double> tail_mass_curve(const R& reference, const G& generated, const A& alphas, tail_side side,
                                    nan_policy nan = nan_policy::raise,
                                    quantile_method method = quantile_method::linear) {
    constexpr const char* fn = "tail_mass_curve";
    return detail::tail_masses(fn, reference, generated, detail::checked_alphas(fn, alphas), side, nan, method);
}

// tail_retention for every alpha in `alphas`, in that order (the retention curve).
template <class R, class G, class A>
std::vector<double> retention_curve(const R& reference, const G& generated, const A& alphas, tail_side side,
                                    nan_policy nan = nan_policy::raise,
                                    quantile_method method = quantile_method::linear) {
    constexpr const char* fn = "retention_curve";
    const std::vector<double> a = detail::checked_alphas(fn, alphas);
    return detail::masses_to_retention(detail::tail_masses(fn, reference, generated, a, side, nan, method), a, side);
}

// Weighted samples: thresholds are weighted inverted_cdf quantiles of R (the smallest
// value whose cumulative weight reaches alpha W_R, resp. (1 - alpha) W_R) and the mass
// is the share of G's weight strictly beyond them. With whole-number weights this equals
// the unweighted measure on the repeated sample under quantile_method::inverted_cdf.
// Weights: same length as their sample, finite, >= 0, positive total (else
// std::invalid_argument); a value omitted for NaN drops its weight.
template <class R, class RW, class G, class GW>
double weighted_tail_mass(const R& reference, const RW& reference_weights, const G& generated,
                          const GW& generated_weights, double alpha, tail_side side,
                          nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_tail_mass";
    detail::check_tail_alpha(fn, alpha);
    return detail::weighted_tail_masses(fn, reference, reference_weights, generated, generated_weights, {alpha}, side,
                                        nan)[0];
}

template <class R, class RW, class G, class GW>
double weighted_tail_retention(const R& reference, const RW& reference_weights, const G& generated,
                               const GW& generated_weights, double alpha, tail_side side,
                               nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_tail_retention";
    detail::check_tail_alpha(fn, alpha);
    const std::vector<double> alphas{alpha};
    return detail::masses_to_retention(
        detail::weighted_tail_masses(fn, reference, reference_weights, generated, generated_weights, alphas, side, nan),
        alphas, side)[0];
}

// weighted_tail_mass for every alpha in `alphas`, in that order.
template <class R, class RW, class G, class GW, class A>
std::vector<double> weighted_tail_mass_curve(const R& reference, const RW& reference_weights, const G& generated,
                                             const GW& generated_weights, const A& alphas, tail_side side,
                                             nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_tail_mass_curve";
    return detail::weighted_tail_masses(fn, reference, reference_weights, generated, generated_weights,
                                        detail::checked_alphas(fn, alphas), side, nan);
}

// weighted_tail_retention for every alpha in `alphas`, in that order.
template <class R, class RW, class G, class GW, class A>
std::vector<double> weighted_retention_curve(const R& reference, const RW& reference_weights, const G& generated,
                                             const GW& generated_weights, const A& alphas, tail_side side,
                                             nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_retention_curve";
    const std::vector<double> a = detail::checked_alphas(fn, alphas);
    return detail::masses_to_retention(
        detail::weighted_tail_masses(fn, reference, reference_weights, generated, generated_weights, a, side, nan), a,
        side);
}

// The alphas a retention curve usually spans: `count` values log-spaced from `largest`
// down to `smallest` (both included), e.g. log_spaced_alphas(1e-1, 1e-4, 20).
inline std::vector<double> log_spaced_alphas(double largest, double smallest, std::size_t count) {
    constexpr const char* fn = "log_spaced_alphas";
    detail::check_tail_alpha(fn, largest);
    detail::check_tail_alpha(fn, smallest);
    require(smallest <= largest, fn, "smallest must not exceed largest");
    require(count >= 1, fn, "count must be at least 1");
    std::vector<double> a(count);
    const double l0 = std::log(largest), l1 = std::log(smallest);
    for (std::size_t i = 0; i < count; ++i) {
        const double t = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
        a[i] = std::exp(l0 + t * (l1 - l0));
    }
    a[0] = largest;
    a[count - 1] = count == 1 ? largest : smallest;
    return a;
}

}  // namespace collapsekit
