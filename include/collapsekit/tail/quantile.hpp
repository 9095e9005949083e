// Empirical quantiles of a reference sample: the thresholds that define its tails.
//
// Every tail measure compares a generated sample G with the alpha and 1 - alpha
// quantiles of a reference sample R. Which empirical quantile that is matters at
// alpha = 1e-4, so it is a named, documented choice (quantile_method), computed
// exactly as numpy.quantile computes it, and the thresholds come from a partial
// selection of R (std::nth_element on the needed order statistics), never a full sort.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/nan.hpp"
#include "../core/view.hpp"

namespace collapsekit {

// Which tail of the reference a measure looks at: below its alpha quantile (left),
// above its 1 - alpha quantile (right), or both together.
enum class tail_side { left, right, both };

// The empirical quantile Q(q) of n sorted values x_(0) <= ... <= x_(n-1):
//   linear       (numpy's default, Hyndman & Fan type 7): h = (n - 1) q, j = floor(h),
//                Q = x_(j) + (h - j) (x_(j+1) - x_(j)); Q = x_(n-1) when h >= n - 1.
//   inverted_cdf (Hyndman & Fan type 1): Q = x_(i) for the smallest i with (i + 1) / n >= q,
//                the left-continuous inverse of the empirical CDF. Weighted samples use
//                this one (the smallest x_(i) whose cumulative weight reaches q * W),
//                which is what numpy >= 2.0 does with weights.
enum class quantile_method { linear, inverted_cdf };

inline const char* to_string(tail_side s) noexcept {
    switch (s) {
        case tail_side::left:
            return "left";
        case tail_side::right:
            return "right";
        case tail_side::both:
            return "both";
    }
    return "unknown";
}

inline const char* to_string(quantile_method m) noexcept {
    switch (m) {
        case quantile_method::linear:
            return "linear";
        case quantile_method::inverted_cdf:
            return "inverted_cdf";
    }
    return "unknown";
}

// The reference's thresholds for one alpha: lower = Q(alpha), upper = Q(1 - alpha).
struct tail_threshold_pair {
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
};

namespace detail {

inline void check_tail_alpha(const char* function, double alpha) {
    if (!(alpha > 0.0 && alpha <= 0.5)) {
        fail(function, "alpha must lie in (0, 0.5] (got " + format_value(alpha) + ")");
    }
}

inline void check_tail_side(const char* function, tail_side side) {
    if (side != tail_side::left && side != tail_side::right && side != tail_side::both) {
        fail(function, "side must be tail_side::left, right or both");
    }
}

// Where quantile q of n >= 1 sorted values lies: between order statistics lo and hi
// with interpolation weight gamma (gamma = 0: exactly x_(lo)). Mirrors numpy 1.24's
// arithmetic so that thresholds agree with numpy.quantile to the last bit.
struct quantile_position {
    std::size_t lo = 0;
    std::size_t hi = 0;
    double gamma = 0.0;
};

inline quantile_position locate_quantile(std::size_t n, double q, quantile_method method) noexcept {
    const double last = static_cast<double>(n - 1);
    if (method == quantile_method::inverted_cdf) {
        const double index = static_cast<double>(n) * q - 1.0;
        const double previous = std::floor(index);
        double pick = (index - previous == 0.0) ? previous : previous + 1.0;
        pick = std::min(std::max(pick, 0.0), last);
        const auto i = static_cast<std::size_t>(pick);
        return {i, i, 0.0};
    }
    const double h = last * q;
    if (h >= last) return {n - 1, n - 1, 0.0};
    if (!(h > 0.0)) return {0, 0, 0.0};
    const double j = std::floor(h);
    const auto lo = static_cast<std::size_t>(j);
    return {lo, lo + 1, h - j};
}

// numpy's _lerp: interpolates from the nearer end, so that gamma near 1 loses no bits.
inline double quantile_lerp(double a, double b, double gamma) noexcept {
    if (gamma == 0.0) return a;
    const double d = b - a;
    return gamma >= 0.5 ? b - d * (1.0 - gamma) : a + d * gamma;
}

// Puts the order statistics named by `targets` (sorted, unique, < x.size()) in place:
// afterwards x[k] is the k-th smallest value for every target k. Recursive nth_element
// on the middle target: O(n log(#targets)) at worst, about 2n when the targets sit in
// the extremes (as tail thresholds do).
inline void select_order_statistics(double* x, std::size_t lo, std::size_t hi, const std::size_t* tb,
                                    const std::size_t* te) {
    while (tb != te) {
        const std::size_t* mid = tb + (te - tb) / 2;
        std::nth_element(x + lo, x + *mid, x + hi);
        select_order_statistics(x, lo, *mid, tb, mid);
        lo = *mid + 1;
        tb = mid + 1;
    }
}

// A finite double copy of a sample, NaN handled per policy. Returns false when the
// policy is propagate and a NaN was found (the caller then answers NaN).
template <class T>
bool finite_copy(const char* function, const char* arg, view<const T> x, nan_policy policy, std::vector<double>& out) {
    require_not_empty(function, arg, x.size());
    const nan_action action = screen_nans(function, arg, x, policy);
    if (action == nan_action::propagate) return false;
    out.clear();
    out.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto v = static_cast<double>(x[i]);
        if (std::isnan(v)) continue;  // only reached under omit
        if (std::isinf(v)) {
            fail(function, std::string(arg) + " holds an infinite value (at index " + std::to_string(i) + ")");
        }
        out.push_back(v);
    }
    if (out.empty()) fail(function, std::string(arg) + " has no values left after omitting NaN");
    return true;
}

// Quantiles qs of the values in x (x is reordered). Each q in [0, 1].
inline std::vector<double> select_quantiles(std::vector<double>& x, const std::vector<double>& qs,
                                            quantile_method method) {
    const std::size_t n = x.size();
    std::vector<quantile_position> pos(qs.size());
    std::vector<std::size_t> targets;
    targets.reserve(2 * qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) {
        pos[i] = locate_quantile(n, qs[i], method);
        targets.push_back(pos[i].lo);
        if (pos[i].gamma != 0.0) targets.push_back(pos[i].hi);
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    select_order_statistics(x.data(), 0, n, targets.data(), targets.data() + targets.size());
    std::vector<double> out(qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) out[i] = quantile_lerp(x[pos[i].lo], x[pos[i].hi], pos[i].gamma);
    return out;
}

// A weighted sample sorted by value, with the running weight: the weighted empirical
// CDF. Values are finite (NaN per policy, with their weights); weights finite and >= 0
// with a positive total.
struct weighted_cdf {
    std::vector<double> values;      // ascending
    std::vector<double> weights;     // the weight of values[i]
    std::vector<double> cumulative;  // cumulative[i] = w_(0) + ... + w_(i)
    double total = 0.0;

    // inverted_cdf quantile: the smallest value whose cumulative weight reaches q * total.
    double quantile(double q) const noexcept {
        const double target = q * total;
        auto it = std::lower_bound(cumulative.begin(), cumulative.end(), target);
        if (it == cumulative.end()) --it;
        return values[static_cast<std::size_t>(it - cumulative.begin())];
    }
};

template <class T>
void check_weights(const char* function, const char* arg, view<const T> w) {
    for (std::size_t i = 0; i < w.size(); ++i) {
        const auto v = static_cast<double>(w[i]);
        if (!(v >= 0.0) || !std::isfinite(v)) {
            fail(function, std::string(arg) + " must be non-negative and finite (" + arg + "[" + std::to_string(i) +
                               "] = " + format_value(v) + ")");
        }
    }
}

// Returns false under propagate with a NaN value present.
template <class T, class W>
bool build_weighted_cdf(const char* function, const char* arg, const char* warg, view<const T> x, view<const W> w,
                        nan_policy policy, weighted_cdf& out) {
    require_not_empty(function, arg, x.size());
    require_same_length(function, arg, x.size(), warg, w.size());
    check_weights(function, warg, w);
    if (screen_nans(function, arg, x, policy) == nan_action::propagate) return false;
    std::vector<std::pair<double, double>> pairs;
    pairs.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto v = static_cast<double>(x[i]);
        if (std::isnan(v)) continue;
        if (std::isinf(v)) {
            fail(function, std::string(arg) + " holds an infinite value (at index " + std::to_string(i) + ")");
        }
        pairs.emplace_back(v, static_cast<double>(w[i]));
    }
    if (pairs.empty()) fail(function, std::string(arg) + " has no values left after omitting NaN");
    std::sort(pairs.begin(), pairs.end(),
              [](const std::pair<double, double>& a, const std::pair<double, double>& b) { return a.first < b.first; });
    out.values.resize(pairs.size());
    out.weights.resize(pairs.size());
    out.cumulative.resize(pairs.size());
    double running = 0.0;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        out.values[i] = pairs[i].first;
        out.weights[i] = pairs[i].second;
        running += pairs[i].second;
        out.cumulative[i] = running;
    }
    out.total = running;
    if (!(running > 0.0)) fail(function, std::string(warg) + " must not sum to zero");
    return true;
}

}  // namespace detail

// The reference's tail thresholds for one alpha in (0, 0.5]: lower = Q(alpha),
// upper = Q(1 - alpha), with Q the empirical quantile named by `method`.
// Errors: alpha outside (0, 0.5], empty reference, NaN (per nan), infinite values.
// Under nan_policy::propagate a NaN gives NaN thresholds.
template <class R>
tail_threshold_pair tail_thresholds(const R& reference, double alpha, quantile_method method = quantile_method::linear,
                                    nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "tail_thresholds";
    detail::check_tail_alpha(fn, alpha);
    std::vector<double> x;
    if (!detail::finite_copy(fn, "reference", as_view(reference), nan, x)) return {};
    const auto q = detail::select_quantiles(x, {alpha, 1.0 - alpha}, method);
    return {q[0], q[1]};
}

// The same for a weighted reference (inverted_cdf: the smallest value whose cumulative
// weight reaches alpha W, resp. (1 - alpha) W). Weights: same length, finite, >= 0,
// positive total; a NaN value drops its weight under omit.
template <class R, class RW>
tail_threshold_pair weighted_tail_thresholds(const R& reference, const RW& reference_weights, double alpha,
                                             nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_tail_thresholds";
    detail::check_tail_alpha(fn, alpha);
    detail::weighted_cdf cdf;
    if (!detail::build_weighted_cdf(fn, "reference", "reference_weights", as_view(reference),
                                    as_view(reference_weights), nan, cdf)) {
        return {};
    }
    return {cdf.quantile(alpha), cdf.quantile(1.0 - alpha)};
}

}  // namespace collapsekit
