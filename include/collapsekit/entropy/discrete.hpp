// Entropies and diversity indices of a probability vector.
//
// Inputs are non-negative finite weights; like scipy.stats.entropy, every function here
// normalises them by their sum first, so counts or unnormalised weights work too, and
// a vector summing to 1 is used as it is. Zero entries contribute nothing. Errors
// (std::invalid_argument): empty input, a negative or infinite entry, an all-zero
// vector, an invalid base or order; NaN entries follow `nan_policy` (raise: error;
// omit: dropped before normalising; propagate: the result is NaN).
//
// Threads: each function has an overload with a leading ck::execution (ck::threads(n),
// ck::all_threads; see core/parallel.hpp). The passes over p run in fixed chunks of
// ck::reduction_chunk entries whose compensated partial sums are merged in chunk order,
// so the answer is bit-identical for every thread count (the overload without an
// execution is the one-thread case). NaN screening and the copies made for non-double
// input or NaN omission run on the calling thread.
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
#include "../core/parallel.hpp"
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
probability_input prepare_probabilities(const execution& ex, const char* function, const Range& input,
                                        nan_policy policy) {
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
    // Chunks throw for their first bad entry; the lowest chunk's error is the one seen.
    const view<const double> pv = r.p;
    r.total = chunked_compensated(ex, pv.size(), [&](std::size_t b, std::size_t e) {
        compensated_sum total;
        for (std::size_t i = b; i < e; ++i) {
            const double v = pv[i];
            if (!(v >= 0.0) || !std::isfinite(v)) {
                fail(function, "p must be non-negative and finite (p[" + std::to_string(i) +
                                   "] = " + detail::format_value(v) + ")");
            }
            total.add(v);
        }
        return total;
    });
    require(r.total > 0.0, function, "p must not be all zero");
    require(std::isfinite(r.total), function, "p must have a finite sum");
    return r;
}

// log sum_i (p_i / S)^alpha over the positive entries, scaled by the largest entry so
// that neither large nor small alpha overflows or underflows, divided by 1 - alpha: the
// Renyi entropy in nats for alpha other than 0, 1 and inf.
//   = (log s + alpha log(top / S)) / (1 - alpha),  s = sum_i (p_i / top)^alpha,
// except where alpha log(top / S) overflows (alpha near DBL_MAX): there the two parts are
// divided separately, log s / (1 - alpha) - log(top / S) alpha / (alpha - 1), whose limit
// is the min-entropy -log(top / S).
inline double renyi_from_power_sum(const execution& ex, view<const double> p, double total, double alpha) {
    const double top = chunked_max(ex, p.data(), p.size());
    const double s = chunked_compensated(ex, p.size(), [&](std::size_t b, std::size_t e) {
        compensated_sum s;
        for (std::size_t i = b; i < e; ++i) {
            if (p[i] > 0.0) s.add(std::pow(p[i] / top, alpha));
        }
        return s;
    });
    const double log_top = std::log(top / total);
    const double scaled = alpha * log_top;
    if (std::isfinite(scaled)) return (std::log(s) + scaled) / (1.0 - alpha);
    return std::log(s) / (1.0 - alpha) - log_top * (alpha / (alpha - 1.0));
}

inline std::size_t positive_entries(const execution& ex, view<const double> p) {
    const std::vector<std::size_t> parts =
        chunked_map<std::size_t>(ex, p.size(), reduction_chunk, [&](std::size_t b, std::size_t e) {
            return static_cast<std::size_t>(
                std::count_if(p.begin() + b, p.begin() + e, [](double v) { return v > 0.0; }));
        });
    std::size_t n = 0;
    for (std::size_t c : parts) n += c;
    return n;
}

// sum_i f(p_i) over the positive entries, compensated, in fixed chunks.
template <class F>
double sum_over_positive(const execution& ex, view<const double> p, F&& f) {
    return chunked_compensated(ex, p.size(), [&](std::size_t b, std::size_t e) {
        compensated_sum s;
        for (std::size_t i = b; i < e; ++i) {
            if (p[i] > 0.0) s.add(f(p[i]));
        }
        return s;
    });
}

// Orders this close to 1 take the forms below: (1 - alpha) is then far smaller than the
// rounding of sum p^alpha next to 1, which the textbook formulas divide by it.
inline constexpr double near_one_order = 0x1.0p-10;
inline bool order_near_one(double alpha) noexcept { return std::abs(alpha - 1.0) < near_one_order; }

// sum_i p_i^alpha - 1 = sum_i p_i expm1((alpha - 1) log p_i) (p = x / S, summing to 1), for
// alpha within near_one_order of 1: each term is of order (alpha - 1) p log p and keeps
// its relative accuracy, so the Renyi and Tsallis entropies that divide it by (1 - alpha)
// reach their Shannon limit smoothly instead of dividing a rounding error.
inline double power_sum_minus_one(const execution& ex, view<const double> p, double total, double alpha) {
    const double d = alpha - 1.0;
    return sum_over_positive(ex, p, [&](double v) { return v / total * std::expm1(d * log_ratio(v, total)); });
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
// H >= 0 exactly, so a result below 0 is rounding and is returned as 0; and the entropy of
// a one-point distribution (one positive weight, any number of zeros) is exactly 0, which
// log S - T / S only approximates: a result within a few ulps of its cancelled terms is
// checked for that case (a counting pass, paid only there).
inline double shannon_refined(const execution& ex, view<const double> x, const simd::xlogx_sums& s) {
    const double h = shannon_from_sums(s);
    int e = 0;
    std::frexp(s.sum, &e);
    const double cancelled = std::abs(std::log(s.sum)) + std::abs(s.sum_xlogx / s.sum);
    if (cancelled <= 4.0 * h) return h;
    if (h <= 16.0 * std::numeric_limits<double>::epsilon() * cancelled && positive_entries(ex, x) == 1) return 0.0;
    if (e == 0 || e == 1) return std::max(0.0, h);
    if (e >= -1021 && e <= 1022) {
        return std::max(0.0, shannon_from_sums(simd::sum_xlogx(ex, x.data(), x.size(), std::ldexp(1.0, -e))));
    }
    // 2^-e itself would overflow or be subnormal: scale each weight instead (rare).
    std::vector<double> scaled(x.begin(), x.end());
    for (double& v : scaled) v = std::ldexp(v, -e);
    return std::max(0.0, shannon_from_sums(simd::sum_xlogx(ex, scaled.data(), scaled.size())));
}

// Shannon entropy in nats of checked weights.
inline double shannon_nats(const execution& ex, view<const double> p) {
    return shannon_refined(ex, p, simd::sum_xlogx(ex, p.data(), p.size()));
}

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
double shannon_entropy(const execution& ex, const Range& p, log_base base = nats,
                       nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "shannon_entropy";
    const double unit = base.nats_to_unit(fn);
    if constexpr (std::is_same_v<range_value_t<Range>, double>) {
        // Fast path: the kernel's answer is finite exactly when every entry is finite
        // and non-negative, so only a suspicious answer pays for the checking pass, and
        // an ill-conditioned one (see shannon_nats) for a second, scaled kernel pass.
        const auto x = as_view(p);
        if (!x.empty()) {
            const simd::xlogx_sums s = simd::sum_xlogx(ex, x.data(), x.size());
            if (std::isfinite(s.sum_xlogx) && std::isfinite(s.sum) && s.sum > 0.0) {
                return log_base::in_unit(detail::shannon_refined(ex, x, s), unit);
            }
        }
    }
    const detail::probability_input in = detail::prepare_probabilities(ex, fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return log_base::in_unit(detail::shannon_nats(ex, in.p), unit);
}
template <class Range>
double shannon_entropy(const Range& p, log_base base = nats, nan_policy policy = nan_policy::raise) {
    return shannon_entropy(sequential, p, base, policy);
}

// Renyi entropy of order alpha >= 0 of p / sum(p), in the unit of `base`:
//   H_alpha = log(sum p^alpha) / (1 - alpha);
//   alpha = 0: log(number of non-zero entries) (Hartley); alpha = 1: Shannon (the limit);
//   alpha = 2: collision entropy -log sum p^2; alpha = +inf: min-entropy -log max p.
// Orders within 2^-10 of 1 are computed as -log1p(sum p expm1((alpha - 1) log p)) / (alpha - 1),
// which tends to the Shannon entropy (the textbook form divides a rounding error by
// 1 - alpha there); orders near DBL_MAX tend to the min-entropy.
// Errors: alpha < 0 or NaN, and the module's input errors.
template <class Range>
double renyi_entropy(const execution& ex, const Range& p, double alpha, log_base base = nats,
                     nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "renyi_entropy";
    const double unit = base.nats_to_unit(fn);
    detail::require_order(fn, "alpha", alpha);
    const detail::probability_input in = detail::prepare_probabilities(ex, fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    double h;
    if (alpha == 0.0) {
        h = std::log(static_cast<double>(detail::positive_entries(ex, in.p)));
    } else if (alpha == 1.0) {
        h = detail::shannon_nats(ex, in.p);
    } else if (std::isinf(alpha)) {
        h = -std::log(detail::chunked_max(ex, in.p.data(), in.p.size()) / in.total);
    } else if (detail::order_near_one(alpha)) {
        h = -std::log1p(detail::power_sum_minus_one(ex, in.p, in.total, alpha)) / (alpha - 1.0);
    } else {
        h = detail::renyi_from_power_sum(ex, in.p, in.total, alpha);
    }
    return log_base::in_unit(h, unit);
}
template <class Range>
double renyi_entropy(const Range& p, double alpha, log_base base = nats, nan_policy policy = nan_policy::raise) {
    return renyi_entropy(sequential, p, alpha, base, policy);
}

// Hill number (effective number of types) of order q >= 0: D_q = exp(H_q), H_q the Renyi
// entropy in nats. D_0 = richness, D_1 = exp(Shannon), D_2 = inverse Simpson,
// D_inf = 1 / max p. Unitless, so it takes no base. Errors as renyi_entropy.
template <class Range>
double hill_number(const execution& ex, const Range& p, double q, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "hill_number";
    detail::require_order(fn, "q", q);
    const detail::probability_input in = detail::prepare_probabilities(ex, fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    if (q == 0.0) return static_cast<double>(detail::positive_entries(ex, in.p));
    if (q == 1.0) return std::exp(detail::shannon_nats(ex, in.p));
    if (std::isinf(q)) return in.total / detail::chunked_max(ex, in.p.data(), in.p.size());
    if (detail::order_near_one(q)) {
        return std::exp(-std::log1p(detail::power_sum_minus_one(ex, in.p, in.total, q)) / (q - 1.0));
    }
    return std::exp(detail::renyi_from_power_sum(ex, in.p, in.total, q));
}
template <class Range>
double hill_number(const Range& p, double q, nan_policy policy = nan_policy::raise) {
    return hill_number(sequential, p, q, policy);
}

// Tsallis entropy of order q >= 0 of p / sum(p):
//   S_q = k (1 - sum p^q) / (q - 1),   k = 1 / ln(base);
// Tsallis entropy is not a logarithm, so the base enters only as the constant k, chosen
// so that the limit q -> 1 is the Shannon entropy in that base (q = 1 returns exactly
// that); with the default (nats) k = 1, the usual definition. Orders within 2^-10 of 1
// use -sum p expm1((q - 1) log p) / (q - 1) for 1 - sum p^q, as renyi_entropy does.
// Errors as renyi_entropy.
template <class Range>
double tsallis_entropy(const execution& ex, const Range& p, double q, log_base base = nats,
                       nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "tsallis_entropy";
    const double unit = base.nats_to_unit(fn);
    detail::require_order(fn, "q", q);
    const detail::probability_input in = detail::prepare_probabilities(ex, fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    if (q == 1.0) return log_base::in_unit(detail::shannon_nats(ex, in.p), unit);
    if (std::isinf(q)) return 0.0;  // sum p^q -> 0 and (q - 1) -> inf
    const double total = in.total;
    if (detail::order_near_one(q)) {
        return log_base::in_unit(-detail::power_sum_minus_one(ex, in.p, total, q) / (q - 1.0), unit);
    }
    const double s = detail::sum_over_positive(ex, in.p, [&](double v) { return std::pow(v / total, q); });
    return log_base::in_unit((1.0 - s) / (q - 1.0), unit);
}
template <class Range>
double tsallis_entropy(const Range& p, double q, log_base base = nats, nan_policy policy = nan_policy::raise) {
    return tsallis_entropy(sequential, p, q, base, policy);
}

// Gini-Simpson index 1 - sum p^2 of p / sum(p): the probability that two independent
// draws differ. A probability, not an information quantity: it takes no base (it equals
// the Tsallis entropy of order 2 with k = 1). Errors: the module's input errors.
template <class Range>
double gini_simpson(const execution& ex, const Range& p, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "gini_simpson";
    const detail::probability_input in = detail::prepare_probabilities(ex, fn, p, policy);
    if (in.is_nan) return std::numeric_limits<double>::quiet_NaN();
    const double total = in.total;
    // Zero entries add 0 exactly, so summing over the positive ones changes nothing.
    const double s = detail::sum_over_positive(ex, in.p, [&](double v) {
        const double u = v / total;
        return u * u;
    });
    return 1.0 - s;
}
template <class Range>
double gini_simpson(const Range& p, nan_policy policy = nan_policy::raise) {
    return gini_simpson(sequential, p, policy);
}

}  // namespace collapsekit
