// Discrete divergences and distances between two distributions on the same categories.
//
// Two input conventions, chosen by name:
//  - `f(p, q, ...)` takes probability vectors. Each must hold non-negative finite
//    entries summing to 1 within ck::probability_tolerance<T>() (1e-9 for double,
//    1e-5 for float); nothing is renormalised. scipy.stats.entropy renormalises
//    silently; use the _counts form for that behaviour.
//  - `f_counts(a, b, ...)` takes non-negative counts (any arithmetic type; weights need
//    not be whole numbers) and normalises each vector by its own total, after applying
//    the zero-support policy.
// Zero support is an explicit ck::zero_support parameter (default none(): the
// mathematical answer, e.g. KL = +inf where p > 0 = q). Every information measure takes a
// ck::log_base (nats by default); hellinger, total_variation and the chi-squared
// measures are unitless and accept the base only for a uniform signature.
// NaN entries follow ck::nan_policy: raise (default), omit (drop position i from both
// vectors when p[i] or q[i] is NaN; the rest must still pass the checks above) or
// propagate (return NaN).
//
// Threads: every function of p and q (and of counts a and b) has an overload with a
// leading ck::execution (ck::threads(n), ck::all_threads; see core/parallel.hpp). The
// passes over the vectors run in fixed chunks of ck::reduction_chunk entries whose
// partial sums (compensated) are merged in chunk order, so the answer is bit-identical
// for every thread count; the overload without an execution is the one-thread case. The
// copies made where inputs must be converted, smoothed or cleaned of NaN run on the
// calling thread; the measure itself is threaded on every path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/nan.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/view.hpp"
#include "histogram.hpp"
#include "simd/divergence_kernels.hpp"
#include "simd/entropy_kernels.hpp"
#include "simd/sum.hpp"

namespace collapsekit {

// |sum(p) - 1| allowed for a probability vector with elements of type T.
template <class T>
constexpr double probability_tolerance() noexcept {
    return sizeof(T) >= sizeof(double) ? 1e-9 : 1e-5;
}

// What a divergence does where one distribution has mass and the other has none.
//  none()          the mathematical answer (KL, cross-entropy, chi-squared, PSI, Renyi:
//                  +inf where the formula divides by or takes the log of a zero).
//  additive(alpha) add alpha > 0 to every entry of both vectors, then normalise each
//                  by its new total: (c_i + alpha) / (N + k alpha). On counts this is
//                  Lidstone smoothing (the posterior mean under a symmetric Dirichlet(alpha)
//                  prior); jeffreys() is alpha = 1/2, laplace() alpha = 1. On probability
//                  vectors alpha is in probability units: (p_i + alpha) / (1 + k alpha).
//  skew(alpha)     Lee's alpha-skew (Lee 1999, 2001): q is replaced by alpha q + (1 - alpha) p,
//                  0 < alpha < 1 (typically 0.99); p is kept. Finite wherever p is.
class zero_support {
public:
    enum class kind { none, additive, skew };

    static constexpr zero_support none() noexcept { return zero_support(kind::none, 0.0); }
    // Throws std::invalid_argument unless alpha is positive and finite.
    static zero_support additive(double alpha) {
        require_positive("zero_support::additive", "alpha", alpha);
        return zero_support(kind::additive, alpha);
    }
    static zero_support jeffreys() { return additive(0.5); }
    static zero_support laplace() { return additive(1.0); }
    // Throws std::invalid_argument unless 0 < alpha < 1.
    static zero_support skew(double alpha) {
        if (!(alpha > 0.0 && alpha < 1.0)) {
            fail("zero_support::skew", "alpha must lie in (0, 1) (got " + detail::format_value(alpha) + ")");
        }
        return zero_support(kind::skew, alpha);
    }

    constexpr zero_support() noexcept = default;
    constexpr kind type() const noexcept { return kind_; }
    constexpr double alpha() const noexcept { return alpha_; }
    constexpr bool is_none() const noexcept { return kind_ == kind::none; }

private:
    constexpr zero_support(kind k, double a) noexcept : kind_(k), alpha_(a) {}
    kind kind_ = kind::none;
    double alpha_ = 0.0;
};

namespace detail {

enum class input_kind { probabilities, counts };
enum class measure_id {
    kl,
    cross_entropy,
    js,
    js_distance,
    hellinger,
    bhattacharyya,
    total_variation,
    chi2_pearson,
    chi2_neyman,
    psi,
    renyi
};

// Two validated (and, where asked, normalised or smoothed) vectors in double.
struct prepared_pair {
    view<const double> p, q;
    std::vector<double> pbuf, qbuf;
    bool is_nan = false;  // a NaN met under nan_policy::propagate
};

// Checks that every entry is non-negative and finite and returns their compensated sum,
// in fixed chunks merged in chunk order (a chunk throws at its first bad entry; the
// lowest chunk's error is the one reported, so the message names the first bad entry).
template <class T>
double checked_total(const execution& ex, const char* fn, const char* arg, view<const T> x, bool counts) {
    return chunked_compensated(ex, x.size(), [&](std::size_t b, std::size_t e) {
        compensated_sum s;
        for (std::size_t i = b; i < e; ++i) {
            const auto v = static_cast<double>(x[i]);
            if (!(v >= 0.0) || !std::isfinite(v)) {
                fail(fn, std::string(arg) +
                             (counts ? " must hold non-negative finite counts ("
                                     : " must hold non-negative finite probabilities (") +
                             arg + "[" + std::to_string(i) + "] = " + format_value(v) + ")");
            }
            s.add(v);
        }
        return s;
    });
}

inline void check_sum_to_one(const char* fn, const char* arg, double sum, double tol) {
    if (!(std::abs(sum - 1.0) <= tol)) {
        fail(fn, std::string(arg) + " must sum to 1 within " + format_value(tol) + " (sum is " + format_value(sum) +
                     "); pass counts to the _counts form to normalise");
    }
}

// Copies x into a double vector, dropping the positions listed as dropped.
template <class T>
std::vector<double> to_double(view<const T> x, const std::vector<char>* drop) {
    std::vector<double> out;
    out.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (drop == nullptr || !(*drop)[i]) out.push_back(static_cast<double>(x[i]));
    }
    return out;
}

// Normalises one vector, whose checked total is `total`, in place under the policy
// (probabilities or counts); each entry alone, in chunks on the execution's threads.
inline void normalise(const execution& ex, const char* fn, const char* arg, std::vector<double>& x, double total,
                      input_kind kind, double tol, const zero_support& zs) {
    if (kind == input_kind::probabilities) check_sum_to_one(fn, arg, total, tol);
    double add = 0.0, denom = 1.0;
    if (zs.type() == zero_support::kind::additive) {
        add = zs.alpha();
        denom = total + add * static_cast<double>(x.size());
    } else if (kind == input_kind::counts) {
        if (!(total > 0.0)) fail(fn, std::string(arg) + " counts sum to zero; nothing to normalise");
        if (!std::isfinite(total)) fail(fn, std::string(arg) + " counts sum to infinity");
        denom = total;
    } else {
        return;
    }
    parallel_for(ex, chunk_count(x.size(), reduction_chunk), [&](std::size_t c) {
        const std::size_t e = std::min(x.size(), (c + 1) * reduction_chunk);
        if (add != 0.0) {
            for (std::size_t i = c * reduction_chunk; i < e; ++i) x[i] = (x[i] + add) / denom;
        } else {
            for (std::size_t i = c * reduction_chunk; i < e; ++i) x[i] /= denom;
        }
    });
}

// Screens, validates and normalises (p, q) into double vectors. Double probability
// vectors that need no smoothing and hold no NaN to omit are checked in place, not copied.
template <class T, class U>
prepared_pair prepare(const execution& ex, const char* fn, view<const T> p, view<const U> q, input_kind kind,
                      const zero_support& zs, nan_policy nan) {
    require_same_length(fn, "p", p.size(), "q", q.size());
    require_not_empty(fn, "p", p.size());
    prepared_pair r;
    const nan_action ap = screen_nans(fn, "p", p, nan);
    const nan_action aq = screen_nans(fn, "q", q, nan);
    if (ap == nan_action::propagate || aq == nan_action::propagate) {
        r.is_nan = true;
        return r;
    }
    const bool omit = ap == nan_action::omit || aq == nan_action::omit;
    const bool counts = kind == input_kind::counts;
    if constexpr (std::is_same_v<T, double> && std::is_same_v<U, double>) {
        if (!omit && !counts && zs.is_none()) {
            const double tp = checked_total(ex, fn, "p", p, false);
            const double tq = checked_total(ex, fn, "q", q, false);
            check_sum_to_one(fn, "p", tp, probability_tolerance<T>());
            check_sum_to_one(fn, "q", tq, probability_tolerance<U>());
            r.p = p;
            r.q = q;
            return r;
        }
    }
    std::vector<char> drop;
    if (omit) {
        drop.assign(p.size(), 0);
        for (std::size_t i = 0; i < p.size(); ++i) drop[i] = is_nan_value(p[i]) || is_nan_value(q[i]);
    }
    r.pbuf = to_double(p, omit ? &drop : nullptr);
    r.qbuf = to_double(q, omit ? &drop : nullptr);
    require(!r.pbuf.empty(), fn, "p and q hold no position without NaN");
    const double tp = checked_total(ex, fn, "p", view<const double>(r.pbuf.data(), r.pbuf.size()), counts);
    const double tq = checked_total(ex, fn, "q", view<const double>(r.qbuf.data(), r.qbuf.size()), counts);
    normalise(ex, fn, "p", r.pbuf, tp, kind, probability_tolerance<T>(), zs);
    normalise(ex, fn, "q", r.qbuf, tq, kind, probability_tolerance<U>(), zs);
    if (zs.type() == zero_support::kind::skew) {
        const double a = zs.alpha();
        for (std::size_t i = 0; i < r.qbuf.size(); ++i) r.qbuf[i] = a * r.qbuf[i] + (1.0 - a) * r.pbuf[i];
    }
    r.p = view<const double>(r.pbuf.data(), r.pbuf.size());
    r.q = view<const double>(r.qbuf.data(), r.qbuf.size());
    return r;
}

inline bool kernel_measure(measure_id m) noexcept {
    return m == measure_id::kl || m == measure_id::js || m == measure_id::js_distance || m == measure_id::hellinger ||
           m == measure_id::total_variation;
}

template <class T>
simd::pair_pass run_kernel(measure_id m, const T* p, const T* q, std::size_t n, T scale_p = T(1),
                           T scale_q = T(1)) noexcept {
    switch (m) {
        case measure_id::kl:
            return simd::kl_sum(p, q, n, scale_p, scale_q);
        case measure_id::js:
        case measure_id::js_distance:
            return simd::js_sum(p, q, n, scale_p, scale_q);
        case measure_id::hellinger:
            return simd::hellinger_sum(p, q, n, scale_p, scale_q);
        default:
            return simd::tv_sum(p, q, n, scale_p, scale_q);
    }
}

// The kernel pass in fixed chunks, merged in chunk order: the value's partial sums with
// compensation, the plain sums added, the minimum and the p > 0 = q flag combined (both
// exact). One chunk is the one-pass answer.
template <class T>
simd::pair_pass run_kernel(const execution& ex, measure_id m, const T* p, const T* q, std::size_t n, T scale_p = T(1),
                           T scale_q = T(1)) {
    if (n <= reduction_chunk) return run_kernel(m, p, q, n, scale_p, scale_q);
    const std::vector<simd::pair_pass> parts = chunked_map<simd::pair_pass>(
        ex, n, reduction_chunk,
        [&](std::size_t b, std::size_t e) { return run_kernel(m, p + b, q + b, e - b, scale_p, scale_q); });
    simd::pair_pass r;
    compensated_sum value;
    for (const simd::pair_pass& c : parts) {
        value.add(c.value);
        r.sum_p += c.sum_p;
        r.sum_q += c.sum_q;
        r.min = std::min(r.min, c.min);
        r.p_without_q = r.p_without_q || c.p_without_q;
    }
    r.value = value.value();
    return r;
}

// sum_compensated over fixed chunks, the partials merged in chunk order.
inline double chunked_sum(const execution& ex, const double* x, std::size_t n) {
    if (n <= reduction_chunk) return simd::sum_compensated(x, n);
    return chunked_compensated(
        ex, n, [&](std::size_t b, std::size_t e) { return compensated_sum(simd::sum_compensated(x + b, e - b)); });
}

// The measure from a kernel pass over valid inputs.
inline double finish_kernel(measure_id m, const simd::pair_pass& r, double unit) noexcept {
    switch (m) {
        case measure_id::kl:
            return r.p_without_q ? std::numeric_limits<double>::infinity() : r.value * unit;
        case measure_id::js:
            // Each element's term is >= 0 in exact arithmetic; rounding can leave the sum a
            // few ulp below 0 when p ~ q, and that is clamped to 0.
            return std::max(0.0, 0.5 * r.value) * unit;
        case measure_id::js_distance:
            return std::sqrt(std::max(0.0, 0.5 * r.value) * unit);
        case measure_id::hellinger:
            return std::sqrt(std::min(1.0, std::max(0.0, 0.5 * r.value)));
        default:
            return std::min(1.0, std::max(0.0, 0.5 * r.value));
    }
}

// A chunk's share of a scalar measure: its compensated sum of terms, or that it met a
// term that makes the measure +inf.
struct measure_partial {
    compensated_sum sum;
    bool infinite = false;
};

// sum_i term(i, infinite) over [0, n) in fixed chunks, merged in chunk order; +inf as soon
// as a term sets `infinite` (a chunk stops there).
template <class Term>
double sum_terms(const execution& ex, std::size_t n, Term&& term) {
    const std::vector<measure_partial> parts =
        chunked_map<measure_partial>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
            measure_partial r;
            for (std::size_t i = b; i < e && !r.infinite; ++i) r.sum.add(term(i, r.infinite));
            return r;
        });
    for (const measure_partial& c : parts) {
        if (c.infinite) return std::numeric_limits<double>::infinity();
    }
    if (parts.size() == 1) return parts[0].sum.value();
    compensated_sum total;
    for (const measure_partial& c : parts) total += c.sum;
    return total.value();
}

// One chunk of the Renyi sum sum_i p_i^alpha q_i^(1 - alpha) by log-sum-exp: the largest
// exponent and sum exp(l_i - top).
struct renyi_partial {
    double top = -std::numeric_limits<double>::infinity();
    compensated_sum sum;
    bool any = false;
    bool infinite = false;
};

inline double renyi(const execution& ex, view<const double> p, view<const double> q, double alpha, double unit) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const std::size_t n = p.size();
    if (alpha == inf) {
        const std::vector<double> parts =
            chunked_map<double>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
                double best = -inf;
                for (std::size_t i = b; i < e; ++i) {
                    if (p[i] > 0.0) best = std::max(best, q[i] > 0.0 ? ::collapsekit::log_ratio(p[i], q[i]) : inf);
                }
                return best;
            });
        return *std::max_element(parts.begin(), parts.end()) * unit;
    }
    if (alpha == 0.0) {
        const double s = sum_terms(ex, n, [&](std::size_t i, bool&) { return p[i] > 0.0 ? q[i] : 0.0; });
        return -std::log(s) * unit;
    }
    // log sum_i p_i^alpha q_i^(1 - alpha), by log-sum-exp so that large alpha cannot overflow.
    const std::vector<renyi_partial> parts =
        chunked_map<renyi_partial>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
            renyi_partial r;
            std::vector<double> l;
            l.reserve(e - b);
            for (std::size_t i = b; i < e; ++i) {
                if (!(p[i] > 0.0)) continue;
                if (!(q[i] > 0.0)) {
                    if (alpha > 1.0) {
                        r.infinite = true;
                        return r;
                    }
                    continue;  // p^alpha * 0^(1 - alpha) = 0 for alpha < 1
                }
                l.push_back(alpha * std::log(p[i]) + (1.0 - alpha) * std::log(q[i]));
            }
            if (l.empty()) return r;
            r.any = true;
            r.top = *std::max_element(l.begin(), l.end());
            for (double v : l) r.sum += std::exp(v - r.top);
            return r;
        });
    double top = -inf;
    for (const renyi_partial& c : parts) {
        if (c.infinite) return inf;
        if (c.any) top = std::max(top, c.top);
    }
    if (top == -inf) return inf;  // alpha < 1 and the supports do not meet
    double s;
    if (parts.size() == 1) {
        s = parts[0].sum.value();
    } else {
        compensated_sum total;
        for (const renyi_partial& c : parts) {
            if (c.any) total += c.sum.value() * std::exp(c.top - top);
        }
        s = total.value();
    }
    return (top + std::log(s)) / (alpha - 1.0) * unit;
}

// Measures with no SIMD kernel, on validated double vectors.
inline double scalar_measure(const execution& ex, measure_id m, view<const double> p, view<const double> q, double unit,
                             double alpha) {
    const std::size_t n = p.size();
    switch (m) {
        case measure_id::cross_entropy: {
            const double v = sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                if (!(p[i] > 0.0)) return 0.0;
                if (!(q[i] > 0.0)) {
                    infinite = true;
                    return 0.0;
                }
                return -p[i] * std::log(q[i]);
            });
            return v == std::numeric_limits<double>::infinity() ? v : v * unit;
        }
        case measure_id::bhattacharyya: {
            const double bc = sum_terms(ex, n, [&](std::size_t i, bool&) { return std::sqrt(p[i]) * std::sqrt(q[i]); });
            // The coefficient is <= 1 exactly; rounding above 1 is clamped so the distance is >= 0.
            return -std::log(std::min(1.0, bc)) * unit;
        }
        case measure_id::chi2_pearson:
        case measure_id::chi2_neyman: {
            const bool pearson = m == measure_id::chi2_pearson;
            return sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                const double d = pearson ? q[i] : p[i];
                const double diff = p[i] - q[i];
                if (diff == 0.0) return 0.0;
                if (!(d > 0.0)) {
                    infinite = true;
                    return 0.0;
                }
                return diff * diff / d;
            });
        }
        case measure_id::psi: {
            const double v = sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                if (p[i] == q[i]) return 0.0;
                if (!(p[i] > 0.0) || !(q[i] > 0.0)) {
                    infinite = true;
                    return 0.0;
                }
                return (p[i] - q[i]) * log_ratio(p[i], q[i]);
            });
            return v == std::numeric_limits<double>::infinity() ? v : std::max(0.0, v) * unit;
        }
        default:
            return renyi(ex, p, q, alpha, unit);
    }
}

template <class T, class U>
double evaluate(const execution& ex, measure_id m, const char* fn, view<const T> p, view<const U> q, log_base base,
                const zero_support& zs, nan_policy nan, input_kind kind, double alpha = 1.0) {
    const double unit = base.nats_to_unit(fn);
    // Hot path: probability vectors of one floating type, no smoothing. One kernel pass
    // computes the measure and the facts that validate the inputs; only if they fail do
    // we take the slow path, which finds the offending entry (or handles NaN).
    if constexpr (std::is_same_v<T, U> && std::is_floating_point_v<T> && !std::is_same_v<T, long double>) {
        if (kind == input_kind::probabilities && zs.is_none() && kernel_measure(m) && p.size() == q.size() &&
            !p.empty()) {
            const simd::pair_pass r = run_kernel(ex, m, p.data(), q.data(), p.size());
            const double tol = probability_tolerance<T>();
            if (r.min >= 0.0 && std::abs(r.sum_p - 1.0) <= tol && std::abs(r.sum_q - 1.0) <= tol) {
                return finish_kernel(m, r, unit);
            }
        }
    }
    // Hot path for double counts, no smoothing: the compensated totals A and B, then one
    // kernel pass that reads p / A and q / B (as products with 1/A and 1/B) instead of
    // normalised copies. A NaN or infinite entry makes a total non-finite, a negative one
    // the pass's minimum negative; either sends the call down the slow path for its error.
    if constexpr (std::is_same_v<T, double> && std::is_same_v<U, double>) {
        if (kind == input_kind::counts && zs.is_none() && kernel_measure(m) && p.size() == q.size() && !p.empty()) {
            const double scale_p = 1.0 / chunked_sum(ex, p.data(), p.size());
            const double scale_q = 1.0 / chunked_sum(ex, q.data(), q.size());
            if (std::isfinite(scale_p) && scale_p > 0.0 && std::isfinite(scale_q) && scale_q > 0.0) {
                const simd::pair_pass r = run_kernel(ex, m, p.data(), q.data(), p.size(), scale_p, scale_q);
                if (r.min >= 0.0 && std::isfinite(r.value)) return finish_kernel(m, r, unit);
            }
        }
    }
    const prepared_pair d = prepare(ex, fn, p, q, kind, zs, nan);
    if (d.is_nan) return std::numeric_limits<double>::quiet_NaN();
    if (kernel_measure(m)) return finish_kernel(m, run_kernel(ex, m, d.p.data(), d.q.data(), d.p.size()), unit);
    return scalar_measure(ex, m, d.p, d.q, unit, alpha);
}

}  // namespace detail

// Defines name(ex, p, q, base, zs, nan) on probability vectors and name_counts(ex, a, b,
// base, zs, nan) on counts, each with its one-thread overload without the execution.
#define COLLAPSEKIT_DIVERGENCE_FUNCTIONS(name, id)                                                                  \
    template <class P, class Q>                                                                                     \
    double name(const execution& ex, const P& p, const Q& q, log_base base = nats,                                  \
                zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {                       \
        return detail::evaluate(ex, detail::measure_id::id, #name, as_view(p), as_view(q), base, zs, nan,           \
                                detail::input_kind::probabilities);                                                 \
    }                                                                                                               \
    template <class P, class Q>                                                                                     \
    double name(const P& p, const Q& q, log_base base = nats, zero_support zs = zero_support::none(),               \
                nan_policy nan = nan_policy::raise) {                                                               \
        return name(sequential, p, q, base, zs, nan);                                                               \
    }                                                                                                               \
    template <class P, class Q>                                                                                     \
    double name##_counts(const execution& ex, const P& a, const Q& b, log_base base = nats,                         \
                         zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {              \
        return detail::evaluate(ex, detail::measure_id::id, #name "_counts", as_view(a), as_view(b), base, zs, nan, \
                                detail::input_kind::counts);                                                        \
    }                                                                                                               \
    template <class P, class Q>                                                                                     \
    double name##_counts(const P& a, const Q& b, log_base base = nats, zero_support zs = zero_support::none(),      \
                         nan_policy nan = nan_policy::raise) {                                                      \
        return name##_counts(sequential, a, b, base, zs, nan);                                                      \
    }

// Each function below: p and q of equal, non-zero length; see the top of this file for
// the input checks, zero-support and NaN policies. Errors: std::invalid_argument naming
// the function, the argument and the problem (e.g. "collapsekit::kl_divergence: p and q
// differ in length (3 vs 4)").

// Kullback-Leibler divergence KL(p || q) = sum_i p_i log(p_i / q_i), in units of base;
// 0 log(0/q) = 0; +inf where p_i > 0 = q_i (under none()).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(kl_divergence, kl)

// Cross-entropy H(p, q) = -sum_i p_i log q_i = H(p) + KL(p || q); +inf where p_i > 0 = q_i.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(cross_entropy, cross_entropy)

// Jensen-Shannon divergence JSD = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2, in units
// of base; in [0, log 2]. Computed as sum p log(2p / (p + q)) so it is never NaN on tiny
// entries; a result rounded a few ulp below 0 is returned as 0.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(js_divergence, js)

// Jensen-Shannon distance sqrt(JSD in units of base): scipy.spatial.distance.jensenshannon
// (which, unlike this function, renormalises p and q; js_distance_counts does that).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(js_distance, js_distance)

// Hellinger distance H = sqrt(1/2 sum_i (sqrt p_i - sqrt q_i)^2) = sqrt(1 - BC), in [0, 1]
// (the convention with the 1/sqrt(2) factor; multiply by sqrt(2) for the other one).
// Unitless: base is accepted for a uniform signature and has no effect.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(hellinger, hellinger)

// Bhattacharyya distance -log BC with BC = sum_i sqrt(p_i q_i), in units of base; +inf for
// disjoint supports.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(bhattacharyya, bhattacharyya)

// Total variation distance 1/2 sum_i |p_i - q_i|, in [0, 1]. Unitless (base has no effect).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(total_variation, total_variation)

// Pearson chi-squared divergence sum_i (p_i - q_i)^2 / q_i; +inf where q_i = 0 != p_i.
// Unitless (base has no effect).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(chi_squared_pearson, chi2_pearson)

// Neyman chi-squared divergence sum_i (p_i - q_i)^2 / p_i; +inf where p_i = 0 != q_i.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(chi_squared_neyman, chi2_neyman)

// Population stability index sum_i (p_i - q_i) log(p_i / q_i) = KL(p||q) + KL(q||p), in
// units of base; +inf where exactly one of p_i, q_i is 0.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(psi, psi)

#undef COLLAPSEKIT_DIVERGENCE_FUNCTIONS

namespace detail {
inline void check_renyi_order(const char* fn, double alpha) {
    if (std::isnan(alpha)) fail(fn, "alpha must not be NaN");
    if (alpha < 0.0) fail_domain(fn, "alpha must be >= 0 (got " + format_value(alpha) + ")");
}
}  // namespace detail

// Renyi divergence of order alpha >= 0: log(sum_i p_i^alpha q_i^(1-alpha)) / (alpha - 1), in
// units of base. alpha = 1 is KL; alpha = inf is log max_{p_i > 0} p_i / q_i; alpha = 0 is
// -log sum_{p_i > 0} q_i. +inf where alpha > 1 and p_i > 0 = q_i, or where the sum is 0.
// Throws std::domain_error for alpha < 0, std::invalid_argument for NaN alpha.
template <class P, class Q>
double renyi_divergence(const execution& ex, const P& p, const Q& q, double alpha, log_base base = nats,
                        zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    detail::check_renyi_order("renyi_divergence", alpha);
    if (alpha == 1.0) {
        return detail::evaluate(ex, detail::measure_id::kl, "renyi_divergence", as_view(p), as_view(q), base, zs, nan,
                                detail::input_kind::probabilities);
    }
    return detail::evaluate(ex, detail::measure_id::renyi, "renyi_divergence", as_view(p), as_view(q), base, zs, nan,
                            detail::input_kind::probabilities, alpha);
}
template <class P, class Q>
double renyi_divergence(const P& p, const Q& q, double alpha, log_base base = nats,
                        zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return renyi_divergence(sequential, p, q, alpha, base, zs, nan);
}
template <class P, class Q>
double renyi_divergence_counts(const execution& ex, const P& a, const Q& b, double alpha, log_base base = nats,
                               zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    detail::check_renyi_order("renyi_divergence_counts", alpha);
    const auto m = alpha == 1.0 ? detail::measure_id::kl : detail::measure_id::renyi;
    return detail::evaluate(ex, m, "renyi_divergence_counts", as_view(a), as_view(b), base, zs, nan,
                            detail::input_kind::counts, alpha);
}
template <class P, class Q>
double renyi_divergence_counts(const P& a, const Q& b, double alpha, log_base base = nats,
                               zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return renyi_divergence_counts(sequential, a, b, alpha, base, zs, nan);
}

namespace detail {

// sum_i w_i KL(P_i || M) with M = sum_i w_i P_i, each P_i prepared like p above.
template <class Dists, class Weights>
double js_n(const execution& ex, const char* fn, const Dists& dists, const Weights& weights, log_base base,
            const zero_support& zs, nan_policy nan, input_kind kind) {
    const double unit = base.nats_to_unit(fn);
    const auto w = as_view(weights);
    const std::size_t k = std::size(dists);
    require(k >= 1, fn, "needs at least one distribution");
    require_same_length(fn, "distributions", k, "weights", w.size());
    compensated_sum wsum;
    for (std::size_t i = 0; i < k; ++i) {
        const auto wi = static_cast<double>(w[i]);
        if (!(wi >= 0.0) || !std::isfinite(wi)) {
            fail(fn, "weights must be non-negative and finite (weights[" + std::to_string(i) +
                         "] = " + format_value(wi) + ")");
        }
        wsum += wi;
    }
    check_sum_to_one(fn, "weights", wsum.value(), 1e-9);
    // Each P_i as prepared (a view of the input itself where nothing needed changing).
    std::vector<prepared_pair> held;
    std::vector<view<const double>> ps;
    held.reserve(k);
    ps.reserve(k);
    std::size_t len = 0;
    for (const auto& d : dists) {
        const auto v = as_view(d);
        if (ps.empty()) len = v.size();
        require_same_length(fn, "distributions[0]", len, "distributions[" + std::to_string(ps.size()) + "]", v.size());
        // Reuse the pairwise preparation: a distribution against itself.
        prepared_pair pp =
            prepare(ex, fn, v, v, kind, zs.type() == zero_support::kind::skew ? zero_support::none() : zs, nan);
        if (pp.is_nan) return std::numeric_limits<double>::quiet_NaN();
        held.push_back(std::move(pp));  // moving keeps the buffer, so the view stays valid
        ps.push_back(held.back().p);
        require_same_length(fn, "distributions[0] after NaN removal", ps.front().size(),
                            "distributions[" + std::to_string(ps.size() - 1) + "]", ps.back().size());
    }
    // The mixture M = sum_i w_i P_i as mix + mix_err, the rounding errors of the products
    // (FMA) and of the sums (TwoSum) collected in mix_err. The terms use mix; since
    // log(p / M) = log(p / mix) - mix_err / mix to first order and sum_i w_i p_ij = M_j,
    // taking sum_j mix_err_j off the total restores what the rounding of M took away.
    // Between nearly equal distributions that rounding is as large as the divergence.
    // Threads: each position's mixture is computed alone (chunks of positions in
    // parallel), and every sum over positions runs in fixed chunks merged in chunk order.
    const std::size_t len_ok = ps.front().size();
    std::vector<double> mix(len_ok, 0.0), mix_err(len_ok, 0.0);
    parallel_for(ex, chunk_count(len_ok, reduction_chunk), [&](std::size_t c) {
        const std::size_t b = c * reduction_chunk, e = std::min(len_ok, b + reduction_chunk);
        for (std::size_t i = 0; i < k; ++i) {
            const double wi = static_cast<double>(w[i]);
            for (std::size_t j = b; j < e; ++j) {
                const double prod = wi * ps[i][j];
                const double sum = mix[j] + prod;
                mix_err[j] += std::fma(wi, ps[i][j], -prod) + two_sum_error(mix[j], prod, sum);
                mix[j] = sum;
            }
        }
    });
    compensated_sum total;
    for (std::size_t i = 0; i < k; ++i) {
        const double wi = static_cast<double>(w[i]);
        if (wi == 0.0) continue;
        const view<const double> pi = ps[i];
        total += wi * sum_terms(ex, len_ok, [&](std::size_t j, bool&) { return rel_entr(pi[j], mix[j]); });
    }
    if (len_ok <= reduction_chunk) {
        for (double e : mix_err) total += -e;
    } else {
        total += sum_terms(ex, len_ok, [&](std::size_t j, bool&) { return -mix_err[j]; });
    }
    return std::max(0.0, total.value()) * unit;
}

// Weights 1/k for k distributions (none for k = 0, which js_n reports).
inline std::vector<double> equal_weights(std::size_t k) {
    return std::vector<double>(k, k ? 1.0 / static_cast<double>(k) : 0.0);
}

}  // namespace detail

// Weighted n-way Jensen-Shannon divergence of distributions P_1..P_k (a container of
// equal-length probability vectors) with weights w (non-negative, summing to 1 within
// 1e-9): H(sum_i w_i P_i) - sum_i w_i H(P_i), computed as sum_i w_i KL(P_i || M), which
// is >= 0 term by term; in units of base, in [0, log k]. skew() is not meaningful here
// and is treated as none(); additive() smooths each P_i. NaN omission must leave all
// vectors the same length.
// (Weights must be a range, so that js_divergence_n(dists, 2.0) means base 2, not weights.)
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>()))>
double js_divergence_n(const execution& ex, const Dists& dists, const Weights& weights, log_base base = nats,
                       zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return detail::js_n(ex, "js_divergence_n", dists, weights, base, zs, nan, detail::input_kind::probabilities);
}
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>())),
          class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n(const Dists& dists, const Weights& weights, log_base base = nats,
                       zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n(sequential, dists, weights, base, zs, nan);
}
// Equal weights 1/k.
template <class Dists>
double js_divergence_n(const execution& ex, const Dists& dists, log_base base = nats,
                       zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n(ex, dists, detail::equal_weights(std::size(dists)), base, zs, nan);
}
template <class Dists, class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n(const Dists& dists, log_base base = nats, zero_support zs = zero_support::none(),
                       nan_policy nan = nan_policy::raise) {
    return js_divergence_n(sequential, dists, base, zs, nan);
}
// The same on count vectors, each normalised by its own total.
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>()))>
double js_divergence_n_counts(const execution& ex, const Dists& dists, const Weights& weights, log_base base = nats,
                              zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return detail::js_n(ex, "js_divergence_n_counts", dists, weights, base, zs, nan, detail::input_kind::counts);
}
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>())),
          class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n_counts(const Dists& dists, const Weights& weights, log_base base = nats,
                              zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n_counts(sequential, dists, weights, base, zs, nan);
}
template <class Dists>
double js_divergence_n_counts(const execution& ex, const Dists& dists, log_base base = nats,
                              zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n_counts(ex, dists, detail::equal_weights(std::size(dists)), base, zs, nan);
}
template <class Dists, class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n_counts(const Dists& dists, log_base base = nats, zero_support zs = zero_support::none(),
                              nan_policy nan = nan_policy::raise) {
    return js_divergence_n_counts(sequential, dists, base, zs, nan);
}

// The measures as small value types, so a list of them can be held and called
// uniformly (the pairwise matrix, the feedback driver):
//   ck::measures::kl_divergence m{ck::bits, ck::zero_support::jeffreys()};  m(p, q);
// Each holds base, zs and nan and calls the free function of the same name.
namespace measures {

#define COLLAPSEKIT_DIVERGENCE_OBJECT(name)                  \
    struct name {                                            \
        log_base base = nats;                                \
        zero_support zs = zero_support::none();              \
        nan_policy nan = nan_policy::raise;                  \
        template <class P, class Q>                          \
        double operator()(const P& p, const Q& q) const {    \
            return ::collapsekit::name(p, q, base, zs, nan); \
        }                                                    \
    };

COLLAPSEKIT_DIVERGENCE_OBJECT(kl_divergence)
COLLAPSEKIT_DIVERGENCE_OBJECT(kl_divergence_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(cross_entropy)
COLLAPSEKIT_DIVERGENCE_OBJECT(cross_entropy_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_divergence)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_divergence_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_distance)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_distance_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(hellinger)
COLLAPSEKIT_DIVERGENCE_OBJECT(hellinger_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(bhattacharyya)
COLLAPSEKIT_DIVERGENCE_OBJECT(bhattacharyya_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(total_variation)
COLLAPSEKIT_DIVERGENCE_OBJECT(total_variation_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_pearson)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_pearson_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_neyman)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_neyman_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(psi)
COLLAPSEKIT_DIVERGENCE_OBJECT(psi_counts)

#undef COLLAPSEKIT_DIVERGENCE_OBJECT

struct renyi_divergence {
    double alpha = 2.0;
    log_base base = nats;
    zero_support zs = zero_support::none();
    nan_policy nan = nan_policy::raise;
    template <class P, class Q>
    double operator()(const P& p, const Q& q) const {
        return ::collapsekit::renyi_divergence(p, q, alpha, base, zs, nan);
    }
};
struct renyi_divergence_counts {
    double alpha = 2.0;
    log_base base = nats;
    zero_support zs = zero_support::none();
    nan_policy nan = nan_policy::raise;
    template <class P, class Q>
    double operator()(const P& a, const Q& b) const {
        return ::collapsekit::renyi_divergence_counts(a, b, alpha, base, zs, nan);
    }
};

}  // namespace measures

// ---------------------------------------------------------------------------------------
// Divergences between continuous samples through shared bins.

// Counts of a reference and a generated sample on the same bins: the reference's quantile
// bins (ck::histogram::from_quantiles(reference, bins): numpy's quantile edges, ties
// merged, so there may be fewer than `bins`), plus one open bin below the reference's
// minimum and one above its maximum, so generated values outside the reference's range
// keep their mass instead of vanishing. reference[0] and reference.back() are those two
// outer bins (always 0 for the reference itself).
struct shared_bin_counts {
    std::vector<double> reference;
    std::vector<double> generated;
    std::vector<double> edges;  // the inner edges (bins + 1 of them)
};

// Bins both samples as described above. NaN follow `nan` (omit skips them; propagate is
// not meaningful for counts and is treated as raise here, see divergence_samples).
// (The execution threads the two fills; the quantile edges come from one sort.)
template <class R, class G>
shared_bin_counts bin_on_reference(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                                   nan_policy nan = nan_policy::raise) {
    const nan_policy fill_policy = nan == nan_policy::omit ? nan_policy::omit : nan_policy::raise;
    histogram href = histogram::from_quantiles(reference, bins, fill_policy);
    histogram hgen = href.empty_like();
    href.fill(ex, reference, fill_policy);
    hgen.fill(ex, generated, fill_policy);
    auto with_flows = [](const histogram& h) {
        std::vector<double> c;
        c.reserve(h.bins() + 2);
        c.push_back(static_cast<double>(h.underflow()));
        for (std::uint64_t v : h.counts()) c.push_back(static_cast<double>(v));
        c.push_back(static_cast<double>(h.overflow()));
        return c;
    };
    return {with_flows(href), with_flows(hgen), href.edges()};
}
template <class R, class G>
shared_bin_counts bin_on_reference(const R& reference, const G& generated, std::size_t bins,
                                   nan_policy nan = nan_policy::raise) {
    return bin_on_reference(sequential, reference, generated, bins, nan);
}

// measure(reference counts, generated counts) on the shared bins above, for any counts
// measure (e.g. ck::measures::js_divergence_counts{}); under nan_policy::propagate a NaN
// in either sample gives NaN.
// With an execution, the binning is threaded (the measure runs on the bins' counts).
template <class R, class G, class CountsMeasure>
double divergence_samples(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                          const CountsMeasure& measure, nan_policy nan = nan_policy::raise) {
    if (nan == nan_policy::propagate) {
        const auto r = as_view(reference);
        const auto g = as_view(generated);
        if (count_nans(r) + count_nans(g) > 0) return std::numeric_limits<double>::quiet_NaN();
    }
    const shared_bin_counts c = bin_on_reference(ex, reference, generated, bins, nan);
    return static_cast<double>(measure(c.reference, c.generated));
}
template <class R, class G, class CountsMeasure>
double divergence_samples(const R& reference, const G& generated, std::size_t bins, const CountsMeasure& measure,
                          nan_policy nan = nan_policy::raise) {
    return divergence_samples(sequential, reference, generated, bins, measure, nan);
}

// KL(reference || generated) on the reference's quantile bins (see bin_on_reference): +inf
// under none() when a bin holding reference mass receives no generated value (a lost
// mode or tail, the signature of collapse); smooth with zero_support::jeffreys() etc.
template <class R, class G>
double kl_divergence_samples(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                             log_base base = nats, zero_support zs = zero_support::none(),
                             nan_policy nan = nan_policy::raise) {
    return divergence_samples(ex, reference, generated, bins, measures::kl_divergence_counts{base, zs, nan}, nan);
}
template <class R, class G>
double kl_divergence_samples(const R& reference, const G& generated, std::size_t bins, log_base base = nats,
                             zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return kl_divergence_samples(sequential, reference, generated, bins, base, zs, nan);
}
// Jensen-Shannon divergence between the binned samples (finite without smoothing).
template <class R, class G>
double js_divergence_samples(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                             log_base base = nats, zero_support zs = zero_support::none(),
                             nan_policy nan = nan_policy::raise) {
    return divergence_samples(ex, reference, generated, bins, measures::js_divergence_counts{base, zs, nan}, nan);
}
template <class R, class G>
double js_divergence_samples(const R& reference, const G& generated, std::size_t bins, log_base base = nats,
                             zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_samples(sequential, reference, generated, bins, base, zs, nan);
}

}  // namespace collapsekit
