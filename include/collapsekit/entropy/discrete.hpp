// Entropies and diversity indices of a probability vector.
//
// Inputs are non-negative finite weights; like scipy.stats.entropy, every function here
// normalises them by their sum first, so counts or unnormalised weights work too, and
// a vector summing to 1 is used as it is. Zero entries contribute nothing. Errors
// (std::invalid_argument): empty input, a negative or infinite entry, an all-zero
// vector, an invalid base or order; NaN entries follow `nan_policy` (raise: error;
// omit: dropped before normalising; propagate: the result is NaN).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/errors.hpp"
#include "../core/nan.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"
#include "../simd/entropy_kernels.hpp"

namespace collapsekit {

namespace detail {

// A checked probability vector (un-normalised weights and their sum), viewed without a
// copy when the input is double and holds no NaN.
struct probability_input {
    std::vector<double> storage;
    view<const double> p;
    double total = 0.0;
    bool is_nan = false;  // nan_policy::propagate met a NaN: the answer is NaN
};

template <class Range>
probability_input prepare_probabilities(const char* function, const Range& input, nan_policy policy) {
    using T = range_value_t<Range>;
    static_assert(std::is_arithmetic_v<T>, "probabilities must be arithmetic");
    const auto x = as_view(input);
    probability_input r;
    require_not_empty(function, "p", x.size());
    const nan_action action = screen_nans(function, "p", x, policy);
    if (action == nan_action::propagate) {
        r.is_nan = true;
        return r;
    }
    if constexpr (std::is_same_v<T, double>) {
        if (action == nan_action::none) {
            r.p = x;
        } else {
            r.storage = without_nans(x);
            r.p = as_view(r.storage);
        }
    } else {
        r.storage.reserve(x.size());
        for (const T& v : x) {
            if (!is_nan_value(v)) r.storage.push_back(static_cast<double>(v));
        }
        r.p = as_view(r.storage);
    }
    require_not_empty(function, "p (without NaN)", r.p.size());
    compensated_sum total;
    for (std::size_t i = 0; i < r.p.size(); ++i) {
        const double v = r.p[i];
        if (!(v >= 0.0) || !std::isfinite(v)) {
            fail(function,
                 "p must be non-negative and finite (p[" + std::to_string(i) + "] = " + detail::format_value(v) + ")");
        }
        total.add(v);
    }
    r.total = total.value();
    require(r.total > 0.0, function, "p must not be all zero");
    require(std::isfinite(r.total), function, "p must have a finite sum");
    return r;
}

// log sum_i (p_i / S)^alpha over the positive entries, scaled by the largest entry so
// that neither large nor small alpha overflows or underflows.
inline double log_power_sum(view<const double> p, double total, double alpha) {
    const double top = *std::max_element(p.begin(), p.end());
    compensated_sum s;
    for (double v : p) {
        if (v > 0.0) s.add(std::pow(v / top, alpha));
    }
    return std::log(s.value()) + alpha * std::log(top / total);
}

inline std::size_t positive_entries(view<const double> p) {
    return static_cast<std::size_t>(std::count_if(p.begin(), p.end(), [](double v) { return v > 0.0; }));
}

// Shannon entropy in nats from one kernel pass over weights: log S - (1/S) sum x log x,
// S = sum x. The two terms cancel when the entropy H is small next to log S, which costs
// about (|log S| + |T / S|) / H ulps of relative accuracy.
inline double shannon_from_sums(const simd::xlogx_sums& s) noexcept { return std::log(s.sum) - s.sum_xlogx / s.sum; }

// The entropy from a first kernel pass `s` over checked weights x (non-negative, finite,
// S > 0). When the pass lost more than 4 ulps to cancellation and S lies outside
// [1/2, 2), the weights are scaled on the fly by the power of two that brings S into
// [1/2, 1) (exact unless a weight underflows), which bounds |log S| by log 2; the entropy
// does not change. (Inside [1/2, 2) nothing is left to gain: the rest of the error comes
// from near-degenerate distributions, whose entropy is ill-conditioned in any formula
// that starts from normalised weights, scipy's included.)
inline double shannon_refined(view<const double> x, const simd::xlogx_sums& s) {
    const double h = shannon_from_sums(s);
    int e = 0;
    std::frexp(s.sum, &e);
    if (std::abs(std::log(s.sum)) + std::abs(s.sum_xlogx / s.sum) <= 4.0 * h || e == 0 || e == 1) return h;
    if (e >= -1021 && e <= 1022) return shannon_from_sums(simd::sum_xlogx(x.data(), x.size(), std::ldexp(1.0, -e)));
    // 2^-e itself would overflow or be subnormal: scale each weight instead (rare).
    std::vector<double> scaled(x.begin(), x.end());
    for (double& v : scaled) v = std::ldexp(v, -e);
    return shannon_from_sums(simd::sum_xlogx(scaled.data(), scaled.size()));
}

// Shannon entropy in nats of checked weights.
inline double shannon_nats(view<const double> p) { return shannon_refined(p, simd::sum_xlogx(p.data(), p.size())); }

inline void require_order(const char* function, const char* name, double order) {
    if (!(order >= 0.0)) {
        fail(function, std::string(name) + " must be non-negative (got " + detail::format_value(order) + ")");
    }
}

}  // namespace detail

// Shannon entropy H = -sum p log p of p / sum(p), in the unit of `base` (nats by
// default); scipy.stats.entropy(p, base=base). One SIMD pass for double input without
// NaN. Errors and NaN handling: module comment.
template <class Range>
double shannon_entropy(const Range& p, log_base base = nats, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "shannon_entropy";
    const double unit = base.nats_to_unit(fn);
    if constexpr (std::is_same_v<range_value_t<Range>, double>) {
        // Fast path: the kernel's answer is finite exactly when every entry is finite
        // and non-negative, so only a suspicious answer pays for the checking pass, and
        // an ill-conditioned one (see shannon_nats) for a second, scaled kernel pass.
        const auto x = as_view(p);
        if (!x.empty()) {
            const simd::xlogx_sums s = simd::sum_xlogx(x.data(), x.size());
            if (std::isfinite(s.sum_xlogx) && std::isfinite(s.sum) && s.sum > 0.0) {
                return detail::shannon_refined(x, s) * unit;
            }
        }
    }
    const detail::probability_input in = detail::prepare_probabilities(fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return detail::shannon_nats(in.p) * unit;
}

// Renyi entropy of order alpha >= 0 of p / sum(p), in the unit of `base`:
//   H_alpha = log(sum p^alpha) / (1 - alpha);
//   alpha = 0: log(number of non-zero entries) (Hartley); alpha = 1: Shannon (the limit);
//   alpha = 2: collision entropy -log sum p^2; alpha = +inf: min-entropy -log max p.
// Errors: alpha < 0 or NaN, and the module's input errors.
template <class Range>
double renyi_entropy(const Range& p, double alpha, log_base base = nats, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "renyi_entropy";
    const double unit = base.nats_to_unit(fn);
    detail::require_order(fn, "alpha", alpha);
    const detail::probability_input in = detail::prepare_probabilities(fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    double h;
    if (alpha == 0.0) {
        h = std::log(static_cast<double>(detail::positive_entries(in.p)));
    } else if (alpha == 1.0) {
        h = detail::shannon_nats(in.p);
    } else if (std::isinf(alpha)) {
        h = -std::log(*std::max_element(in.p.begin(), in.p.end()) / in.total);
    } else {
        h = detail::log_power_sum(in.p, in.total, alpha) / (1.0 - alpha);
    }
    return h * unit;
}

// Hill number (effective number of types) of order q >= 0: D_q = exp(H_q), H_q the Renyi
// entropy in nats. D_0 = richness, D_1 = exp(Shannon), D_2 = inverse Simpson,
// D_inf = 1 / max p. Unitless, so it takes no base. Errors as renyi_entropy.
template <class Range>
double hill_number(const Range& p, double q, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "hill_number";
    detail::require_order(fn, "q", q);
    const detail::probability_input in = detail::prepare_probabilities(fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    if (q == 0.0) return static_cast<double>(detail::positive_entries(in.p));
    if (q == 1.0) return std::exp(detail::shannon_nats(in.p));
    if (std::isinf(q)) return in.total / *std::max_element(in.p.begin(), in.p.end());
    return std::exp(detail::log_power_sum(in.p, in.total, q) / (1.0 - q));
}

// Tsallis entropy of order q >= 0 of p / sum(p):
//   S_q = k (1 - sum p^q) / (q - 1),   k = 1 / ln(base);
// Tsallis entropy is not a logarithm, so the base enters only as the constant k, chosen
// so that the limit q -> 1 is the Shannon entropy in that base (q = 1 returns exactly
// that); with the default (nats) k = 1, the usual definition. Errors as renyi_entropy.
template <class Range>
double tsallis_entropy(const Range& p, double q, log_base base = nats, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "tsallis_entropy";
    const double unit = base.nats_to_unit(fn);
    detail::require_order(fn, "q", q);
    const detail::probability_input in = detail::prepare_probabilities(fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    if (q == 1.0) return detail::shannon_nats(in.p) * unit;
    if (std::isinf(q)) return 0.0;  // sum p^q -> 0 and (q - 1) -> inf
    compensated_sum s;
    for (double v : in.p) {
        if (v > 0.0) s.add(std::pow(v / in.total, q));
    }
    return (1.0 - s.value()) / (q - 1.0) * unit;
}

// Gini-Simpson index 1 - sum p^2 of p / sum(p): the probability that two independent
// draws differ. A probability, not an information quantity: it takes no base (it equals
// the Tsallis entropy of order 2 with k = 1). Errors: the module's input errors.
template <class Range>
double gini_simpson(const Range& p, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "gini_simpson";
    const detail::probability_input in = detail::prepare_probabilities(fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    compensated_sum s;
    for (double v : in.p) {
        const double u = v / in.total;
        s.add(u * u);
    }
    return 1.0 - s.value();
}

}  // namespace collapsekit
