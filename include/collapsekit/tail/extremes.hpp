// How far the tails reach: extreme-quantile ratios and expected shortfall, G against R.
//
// Both comparisons are measured from the reference's median m = Q_R(1/2), so that they
// are free of location and scale: applying x -> a + b x (b > 0) to R and G together
// leaves them unchanged. 1 means G reaches as far as R, below 1 its tails are shorter.
//
// Expected shortfall (the conditional tail mean) of a sample of n values is the mean of
// its empirical quantile function over the tail (Acerbi & Tasche 2002, J. Bank. Finance
// 26, 1487-1503), which stays well defined when n alpha is not a whole number:
//   ES_right(alpha) = (1 / alpha) * integral_{1-alpha}^{1} Q(u) du
//                   = [sum of the k largest values + (n alpha - k) x_(n-k)] / (n alpha),  k = floor(n alpha)
// (x_(1) <= ... <= x_(n); Q the inverted_cdf step function), and ES_left mirrors it on
// the smallest values. With weights, the tail is the top alpha W of the total weight.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
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

inline void check_one_sided(const char* function, tail_side side) {
    if (side != tail_side::left && side != tail_side::right) {
        fail(function, "side must be tail_side::left or tail_side::right for a one-sample tail mean");
    }
}

// ES of finite values x (reordered), side left or right.
inline double tail_mean(std::vector<double>& x, double alpha, tail_side side) {
    const std::size_t n = x.size();
    const double na = static_cast<double>(n) * alpha;
    const auto k = static_cast<std::size_t>(std::floor(na));
    const double frac = na - static_cast<double>(k);
    compensated_sum s;
    if (side == tail_side::right) {
        const std::size_t pivot = n - 1 - k;
        std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(pivot), x.end());
        for (std::size_t i = pivot + 1; i < n; ++i) s += x[i];
        if (frac > 0.0) s += frac * x[pivot];
    } else {
        std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(k), x.end());
        for (std::size_t i = 0; i < k; ++i) s += x[i];
        if (frac > 0.0) s += frac * x[k];
    }
    return s.value() / na;
}

inline double weighted_tail_mean(const weighted_cdf& c, double alpha, tail_side side) {
    const double target = alpha * c.total;
    const std::size_t n = c.values.size();
    compensated_sum s;
    double taken = 0.0;
    for (std::size_t j = 0; j < n && taken < target; ++j) {
        const std::size_t i = side == tail_side::right ? n - 1 - j : j;
        const double w = std::min(c.weights[i], target - taken);
        s += w * c.values[i];
        taken += w;
    }
    return s.value() / target;
}

inline double anchored_ratio(const char* function, double g_far, double r_far, double anchor, tail_side side,
                             double g_near, double r_near) {
    double num, den;
    if (side == tail_side::right) {
        num = g_far - anchor;
        den = r_far - anchor;
    } else if (side == tail_side::left) {
        num = anchor - g_far;
        den = anchor - r_far;
    } else {
        num = g_far - g_near;
        den = r_far - r_near;
    }
    if (!(den > 0.0)) {
        fail_domain(function,
                    "the reference's tail does not extend beyond its median at this alpha (zero "
                    "denominator); the ratio is undefined");
    }
    return num / den;
}

// Checks alpha and side and copies both samples (finite, NaN per policy); false when
// the answer is NaN (propagate).
template <class R, class G>
bool two_sample_setup(const char* fn, const R& reference, const G& generated, double alpha, tail_side side,
                      nan_policy nan, std::vector<double>& r, std::vector<double>& g) {
    check_tail_alpha(fn, alpha);
    check_tail_side(fn, side);
    const bool r_ok = finite_copy(fn, "reference", as_view(reference), nan, r);
    const bool g_ok = finite_copy(fn, "generated", as_view(generated), nan, g);
    return r_ok && g_ok;
}

}  // namespace detail

// Expected shortfall of one sample: the mean of its upper (right) or lower (left) alpha
// tail, as defined at the top of this file; in the units of x.
// Errors: alpha outside (0, 0.5], side both, empty x, NaN under raise, infinite values.
// nan_policy::omit drops NaN; propagate returns NaN.
template <class X>
double expected_shortfall(const X& x, double alpha, tail_side side, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "expected_shortfall";
    detail::check_tail_alpha(fn, alpha);
    detail::check_one_sided(fn, side);
    std::vector<double> v;
    if (!detail::finite_copy(fn, "x", as_view(x), nan, v)) return std::numeric_limits<double>::quiet_NaN();
    return detail::tail_mean(v, alpha, side);
}

// The same with weights (finite, >= 0, positive total): the weight-average of the values
// in the extreme alpha share of the total weight, the boundary value taken in part.
template <class X, class W>
double weighted_expected_shortfall(const X& x, const W& weights, double alpha, tail_side side,
                                   nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_expected_shortfall";
    detail::check_tail_alpha(fn, alpha);
    detail::check_one_sided(fn, side);
    detail::weighted_cdf c;
    if (!detail::build_weighted_cdf(fn, "x", "weights", as_view(x), as_view(weights), nan, c)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    return detail::weighted_tail_mean(c, alpha, side);
}

// Expected-shortfall ratio of G to R, measured from the reference median m:
//   right: (ES_G,right - m) / (ES_R,right - m)
//   left:  (m - ES_G,left) / (m - ES_R,left)
//   both:  (ES_G,right - ES_G,left) / (ES_R,right - ES_R,left)
// m uses `method` (linear = numpy.median). Dimensionless; 1 = tails as heavy as R's.
// Errors: as expected_shortfall for each sample (side both allowed); std::domain_error
// when the denominator is not positive (R has no tail beyond its median).
template <class R, class G>
double expected_shortfall_ratio(const R& reference, const G& generated, double alpha, tail_side side,
                                nan_policy nan = nan_policy::raise, quantile_method method = quantile_method::linear) {
    constexpr const char* fn = "expected_shortfall_ratio";
    std::vector<double> r, g;
    if (!detail::two_sample_setup(fn, reference, generated, alpha, side, nan, r, g)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double m = detail::select_quantiles(r, {0.5}, method)[0];
    const tail_side far = side == tail_side::left ? tail_side::left : tail_side::right;
    const double r_far = detail::tail_mean(r, alpha, far);
    const double g_far = detail::tail_mean(g, alpha, far);
    double r_near = 0.0, g_near = 0.0;
    if (side == tail_side::both) {
        r_near = detail::tail_mean(r, alpha, tail_side::left);
        g_near = detail::tail_mean(g, alpha, tail_side::left);
    }
    return detail::anchored_ratio(fn, g_far, r_far, m, side, g_near, r_near);
}

// Extreme-quantile ratio of G to R, measured from the reference median m:
//   right: (Q_G(1 - alpha) - m) / (Q_R(1 - alpha) - m)
//   left:  (m - Q_G(alpha)) / (m - Q_R(alpha))
//   both:  (Q_G(1 - alpha) - Q_G(alpha)) / (Q_R(1 - alpha) - Q_R(alpha))
// Quantiles (and m) use `method`. Errors as expected_shortfall_ratio (G must be finite too).
template <class R, class G>
double extreme_quantile_ratio(const R& reference, const G& generated, double alpha, tail_side side,
                              nan_policy nan = nan_policy::raise, quantile_method method = quantile_method::linear) {
    constexpr const char* fn = "extreme_quantile_ratio";
    std::vector<double> r, g;
    if (!detail::two_sample_setup(fn, reference, generated, alpha, side, nan, r, g)) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const auto qr = detail::select_quantiles(r, {alpha, 0.5, 1.0 - alpha}, method);
    const auto qg = detail::select_quantiles(g, {alpha, 1.0 - alpha}, method);
    if (side == tail_side::left) return detail::anchored_ratio(fn, qg[0], qr[0], qr[1], side, 0.0, 0.0);
    return detail::anchored_ratio(fn, qg[1], qr[2], qr[1], side, qg[0], qr[0]);
}

}  // namespace collapsekit
