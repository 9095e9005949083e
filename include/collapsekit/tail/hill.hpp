// The Hill estimator of a right tail's index (Hill 1975, Ann. Statist. 3, 1163-1174).
//
// For a sample whose upper tail decays like P(X > x) ~ C x^(-alpha), with order statistics
// X_(1) <= ... <= X_(n) and the k largest values above the threshold X_(n-k):
//   alpha_hat = k / sum_{i=0}^{k-1} log(X_(n-i) / X_(n-k))
//   standard error = alpha_hat / sqrt(k)   (asymptotic, for exact Pareto tails)
// A smaller alpha_hat means a heavier tail; a collapsing model's tail index grows.
// The default k is floor(sqrt(n)) (clamped to [1, n - 1]): it grows with n while k / n -> 0,
// the two conditions for consistency; a stated rule, not an optimum (bias depends on how
// far the tail is from an exact power law, so pass k yourself when you know better).
// The left tail's index is the Hill estimate of -x.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/nan.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"
#include "quantile.hpp"

namespace collapsekit {

// A Hill estimate: value = alpha_hat, standard_error = alpha_hat / sqrt(k), n = sample
// size used (after omitting NaN), plus the k and threshold X_(n-k) it used.
struct hill_estimate : estimate {
    std::size_t k = 0;
    double threshold = std::numeric_limits<double>::quiet_NaN();
};

// The default number of upper order statistics: floor(sqrt(n)), clamped to [1, n - 1]
// (0 when n < 2, where no k is valid).
inline std::size_t hill_default_k(std::size_t n) noexcept {
    if (n < 2) return 0;
    auto k = static_cast<std::size_t>(std::floor(std::sqrt(static_cast<double>(n))));
    return std::min(std::max<std::size_t>(k, 1), n - 1);
}

namespace detail {

template <class X>
hill_estimate hill(const char* fn, const X& x, std::size_t k, bool default_k, nan_policy nan) {
    std::vector<double> v;
    hill_estimate e;
    if (!finite_copy(fn, "x", as_view(x), nan, v)) return e;
    const std::size_t n = v.size();
    if (n < 2) fail(fn, "x needs at least 2 values (got " + std::to_string(n) + ")");
    if (default_k) k = hill_default_k(n);
    if (k < 1 || k > n - 1) {
        fail(fn, "k must lie in [1, n - 1] = [1, " + std::to_string(n - 1) + "] (got " + std::to_string(k) + ")");
    }
    const std::size_t pivot = n - 1 - k;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(pivot), v.end());
    const double t = v[pivot];
    if (!(t > 0.0)) {
        fail_domain(fn, "the threshold X_(n-k) must be positive (got " + format_value(t) +
                            "); the Hill estimator needs a positive upper tail");
    }
    compensated_sum s;
    for (std::size_t i = pivot + 1; i < n; ++i) s += std::log(v[i] / t);
    if (!(s.value() > 0.0)) {
        fail_domain(fn, "the k largest values all equal the threshold; the tail index is unbounded");
    }
    const double kd = static_cast<double>(k);
    e.value = kd / s.value();
    e.standard_error = e.value / std::sqrt(kd);
    e.n = n;
    e.k = k;
    e.threshold = t;
    return e;
}

}  // namespace detail

// Hill tail index of the right tail of x with the default k = floor(sqrt(n)).
// Errors (std::invalid_argument): fewer than 2 values, NaN under raise, infinite values;
// std::domain_error when the threshold X_(n-k) is not positive or the k largest values
// all equal it. nan_policy::omit drops NaN; propagate returns NaN fields.
template <class X>
hill_estimate hill_tail_index(const X& x, nan_policy nan = nan_policy::raise) {
    return detail::hill("hill_tail_index", x, 0, true, nan);
}

// The same with an explicit k in [1, n - 1] (n after omitting NaN); other k throw.
template <class X>
hill_estimate hill_tail_index(const X& x, std::size_t k, nan_policy nan = nan_policy::raise) {
    return detail::hill("hill_tail_index", x, k, false, nan);
}

}  // namespace collapsekit
