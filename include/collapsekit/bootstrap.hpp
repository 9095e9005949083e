// Seeded bootstrap confidence intervals for any statistic of samples or of counts.
//
// Replicate b draws from its own stream rng::for_stream(seed, b), so the interval does
// not depend on evaluation order (or on threads, should a caller parallelise).
// Intervals are percentile intervals: the (1 - level)/2 and (1 + level)/2 quantiles of
// the replicate values, with linear interpolation between order statistics (numpy's
// default "linear" method). The standard error is the replicates' standard deviation
// (divisor B - 1). A replicate value that is NaN makes lower, upper and standard_error
// NaN; infinite replicate values are ordered like any other value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/random.hpp"
#include "core/view.hpp"

namespace collapsekit {

struct bootstrap_options {
    std::size_t replicates = 1000;  // B >= 2
    double level = 0.95;            // two-sided coverage, in (0, 1)
    std::uint64_t seed = 0;
};

struct interval_estimate {
    double estimate = 0;  // the statistic on the original data
    double lower = 0;     // percentile interval
    double upper = 0;
    double standard_error = 0;  // standard deviation of the replicates
    double level = 0;
    std::size_t replicates = 0;
};

namespace detail {

// The two-sample overloads take (a, b, stat, options); without this guard a one-sample
// call (x, stat, options) would match them too, with options as the "statistic".
template <class Statistic>
using not_options = std::enable_if_t<!std::is_same_v<std::decay_t<Statistic>, bootstrap_options>, int>;

inline void check_bootstrap_options(const char* function, const bootstrap_options& opt) {
    require(opt.replicates >= 2, function,
            "replicates must be at least 2 (got " + std::to_string(opt.replicates) + ")");
    if (!(opt.level > 0.0 && opt.level < 1.0)) {
        fail(function, "level must lie in (0, 1) (got " + detail::format_value(opt.level) + ")");
    }
}

// Quantile q in [0, 1] of sorted values by linear interpolation (numpy's default).
inline double sorted_quantile(const std::vector<double>& sorted, double q) noexcept {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    if (frac == 0.0 || sorted[lo] == sorted[hi]) return sorted[lo];
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

inline interval_estimate summarise_replicates(double estimate, std::vector<double>& values,
                                              const bootstrap_options& opt) {
    interval_estimate r;
    r.estimate = estimate;
    r.level = opt.level;
    r.replicates = values.size();
    const bool any_nan = std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
    if (any_nan) {
        r.lower = r.upper = r.standard_error = std::numeric_limits<double>::quiet_NaN();
        return r;
    }
    compensated_sum s;
    for (double v : values) s += v;
    const double mean = s.value() / static_cast<double>(values.size());
    compensated_sum ss;
    for (double v : values) ss += (v - mean) * (v - mean);
    r.standard_error = std::sqrt(ss.value() / static_cast<double>(values.size() - 1));
    std::sort(values.begin(), values.end());
    r.lower = sorted_quantile(values, (1.0 - opt.level) / 2.0);
    r.upper = sorted_quantile(values, (1.0 + opt.level) / 2.0);
    return r;
}

template <class T>
void resample_into(view<const T> x, std::vector<T>& out, rng& g) {
    out.resize(x.size());
    for (auto& v : out) v = x[static_cast<std::size_t>(g.below(x.size()))];
}

template <class T>
std::vector<double> counts_as_weights(const char* function, const char* arg, view<const T> counts) {
    require_not_empty(function, arg, counts.size());
    std::vector<double> w(counts.size());
    double total = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const double c = static_cast<double>(counts[i]);
        if (!(c >= 0.0) || !std::isfinite(c) || c != std::floor(c)) {
            fail(function, std::string(arg) + " must hold non-negative whole counts (" + arg + "[" + std::to_string(i) +
                               "] = " + detail::format_value(c) + ")");
        }
        w[i] = c;
        total += c;
    }
    require(total > 0, function, std::string(arg) + " must not be all zero");
    return w;
}

// Multinomial resample of counts: N = sum(counts) draws from counts / N.
template <class T>
void resample_counts_into(const categorical_distribution& table, std::uint64_t total, std::size_t k,
                          std::vector<T>& out, rng& g) {
    out.assign(k, T(0));
    for (std::uint64_t i = 0; i < total; ++i) out[table(g)] += T(1);
}

}  // namespace detail

// Bootstrap of stat(view<const T>) over one sample resampled with replacement.
template <class Range, class Statistic>
interval_estimate bootstrap(const Range& sample, Statistic&& stat, const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap";
    detail::check_bootstrap_options(fn, opt);
    const auto x = as_view(sample);
    require_not_empty(fn, "sample", x.size());
    using T = range_value_t<Range>;
    const double estimate = static_cast<double>(stat(x));
    std::vector<double> values(opt.replicates);
    std::vector<T> buf;
    for (std::size_t b = 0; b < opt.replicates; ++b) {
        rng g = rng::for_stream(opt.seed, b);
        detail::resample_into(x, buf, g);
        values[b] = static_cast<double>(stat(as_view(buf)));
    }
    return detail::summarise_replicates(estimate, values, opt);
}

// Bootstrap of stat(view<const T>, view<const U>) over two samples, each resampled
// with replacement independently (the two-sample bootstrap for divergences).
template <class RangeA, class RangeB, class Statistic, detail::not_options<Statistic> = 0>
interval_estimate bootstrap(const RangeA& a, const RangeB& b, Statistic&& stat, const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap";
    detail::check_bootstrap_options(fn, opt);
    const auto x = as_view(a);
    const auto y = as_view(b);
    require_not_empty(fn, "first sample", x.size());
    require_not_empty(fn, "second sample", y.size());
    const double estimate = static_cast<double>(stat(x, y));
    std::vector<double> values(opt.replicates);
    std::vector<range_value_t<RangeA>> bx;
    std::vector<range_value_t<RangeB>> by;
    for (std::size_t r = 0; r < opt.replicates; ++r) {
        rng g = rng::for_stream(opt.seed, r);
        detail::resample_into(x, bx, g);
        detail::resample_into(y, by, g);
        values[r] = static_cast<double>(stat(as_view(bx), as_view(by)));
    }
    return detail::summarise_replicates(estimate, values, opt);
}

// Bootstrap of stat(view<const T>) over category counts: each replicate is a
// multinomial draw of N = sum(counts) observations with probabilities counts / N
// (the same as resampling the underlying observations). Counts must be whole numbers.
template <class Range, class Statistic>
interval_estimate bootstrap_counts(const Range& counts, Statistic&& stat, const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap_counts";
    detail::check_bootstrap_options(fn, opt);
    const auto c = as_view(counts);
    using T = range_value_t<Range>;
    const std::vector<double> w = detail::counts_as_weights(fn, "counts", c);
    const categorical_distribution table(w);
    const auto total = static_cast<std::uint64_t>(accurate_sum(as_view(w)));
    const double estimate = static_cast<double>(stat(c));
    std::vector<double> values(opt.replicates);
    std::vector<T> buf;
    for (std::size_t b = 0; b < opt.replicates; ++b) {
        rng g = rng::for_stream(opt.seed, b);
        detail::resample_counts_into(table, total, c.size(), buf, g);
        values[b] = static_cast<double>(stat(as_view(buf)));
    }
    return detail::summarise_replicates(estimate, values, opt);
}

// Two count vectors (e.g. reference and generated histograms on the same bins), each
// resampled as a multinomial independently; stat(view<const T>, view<const U>).
template <class RangeA, class RangeB, class Statistic, detail::not_options<Statistic> = 0>
interval_estimate bootstrap_counts(const RangeA& a, const RangeB& b, Statistic&& stat,
                                   const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap_counts";
    detail::check_bootstrap_options(fn, opt);
    const auto ca = as_view(a);
    const auto cb = as_view(b);
    const std::vector<double> wa = detail::counts_as_weights(fn, "first counts", ca);
    const std::vector<double> wb = detail::counts_as_weights(fn, "second counts", cb);
    const categorical_distribution ta(wa), tb(wb);
    const auto na = static_cast<std::uint64_t>(accurate_sum(as_view(wa)));
    const auto nb = static_cast<std::uint64_t>(accurate_sum(as_view(wb)));
    const double estimate = static_cast<double>(stat(ca, cb));
    std::vector<double> values(opt.replicates);
    std::vector<range_value_t<RangeA>> ba;
    std::vector<range_value_t<RangeB>> bb;
    for (std::size_t r = 0; r < opt.replicates; ++r) {
        rng g = rng::for_stream(opt.seed, r);
        detail::resample_counts_into(ta, na, ca.size(), ba, g);
        detail::resample_counts_into(tb, nb, cb.size(), bb, g);
        values[r] = static_cast<double>(stat(as_view(ba), as_view(bb)));
    }
    return detail::summarise_replicates(estimate, values, opt);
}

}  // namespace collapsekit
