// Differential entropy of continuous samples: histogram plug-in, Vasicek m-spacings,
// and the Kozachenko-Leonenko k-nearest-neighbour estimator for 1-D and d-D samples.
//
// Values are in the unit of `base` (nats by default). A differential entropy can be
// negative, and it is -inf for a sample that looks like a point mass: tied values give
// zero spacings (Vasicek) or zero neighbour distances (k-NN), whose log is -inf. That
// is returned as it is (as scipy does for spacings), never hidden by jitter: a caller
// who wants another answer for ties should deduplicate or dither explicitly.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/nan.hpp"
#include "../core/numeric.hpp"
#include "../core/parallel.hpp"
#include "../core/view.hpp"
#include "../neighbors.hpp"
#include "counts.hpp"

namespace collapsekit {

namespace detail {

// The sample as doubles, NaN handled by policy (is_nan: propagate met a NaN), and every
// remaining value checked finite.
template <class Range>
std::vector<double> continuous_sample(const char* function, const char* arg, const Range& input, nan_policy policy,
                                      bool& is_nan) {
    const auto x = as_view(input);
    is_nan = screen_nans(function, arg, x, policy) == nan_action::propagate;
    std::vector<double> out;
    if (is_nan) return out;
    out.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (is_nan_value(x[i])) continue;
        const double v = static_cast<double>(x[i]);
        if (!std::isfinite(v)) {
            fail(function, std::string(arg) + " must be finite (" + arg + "[" + std::to_string(i) +
                               "] = " + detail::format_value(v) + ")");
        }
        out.push_back(v);
    }
    return out;
}

}  // namespace detail

// Histogram plug-in differential entropy from bin counts and bin edges:
//   H = -sum p_i log p_i + sum p_i log w_i,   p_i = c_i / N,  w_i = edges[i+1] - edges[i],
// i.e. the entropy of the density that is flat within each bin. edges has one more
// entry than counts and must be finite and strictly increasing (a ck::histogram's
// counts() and edges() fit). Counts: non-negative whole numbers, not all zero.
// Errors: std::invalid_argument for all of those and for an invalid base.
template <class Counts, class Edges>
double differential_entropy_histogram(const Counts& counts, const Edges& edges, log_base base = nats) {
    constexpr const char* fn = "differential_entropy_histogram";
    const double unit = base.nats_to_unit(fn);
    const auto c = as_view(counts);
    const auto e = as_view(edges);
    require_not_empty(fn, "counts", c.size());
    if (e.size() != c.size() + 1) {
        fail(fn, "edges must have one more entry than counts (" + std::to_string(e.size()) + " edges, " +
                     std::to_string(c.size()) + " counts)");
    }
    for (std::size_t i = 0; i < e.size(); ++i) {
        const double v = static_cast<double>(e[i]);
        require_finite(fn, "edges", v);
        if (i > 0 && !(v > static_cast<double>(e[i - 1]))) {
            fail(fn, "edges must be strictly increasing (edges[" + std::to_string(i) +
                         "] = " + detail::format_value(v) + ")");
        }
    }
    double total = 0.0;
    {
        compensated_sum t;
        for (std::size_t i = 0; i < c.size(); ++i) t.add(detail::checked_count(fn, c, i));
        total = t.value();
    }
    require(total > 0.0, fn, "counts must not be all zero");
    compensated_sum h;
    for (std::size_t i = 0; i < c.size(); ++i) {
        const double n = static_cast<double>(c[i]);
        if (n == 0.0) continue;
        const double p = n / total;
        const double width = static_cast<double>(e[i + 1]) - static_cast<double>(e[i]);
        h.add(p * std::log(width / p));
    }
    return h.value() * unit;
}

// Vasicek's m-spacing estimate (Vasicek 1976), as scipy.stats.differential_entropy(x,
// method='vasicek'):
//   H = (1/n) sum_i log(n / (2m) (x_(i+m) - x_(i-m))),
// x_(j) the order statistics with x_(j) = x_(1) for j < 1 and x_(n) for j > n.
// window_length m = 0 picks scipy's default floor(sqrt(n) + 0.5). Requires
// 2 <= 2m < n (after NaN removal). Ties within a window give -inf (module comment).
// Errors (std::invalid_argument): empty input, non-finite values, a bad window, an
// invalid base; NaN per nan_policy.
template <class Range>
double differential_entropy_vasicek(const Range& x, std::size_t window_length = 0, log_base base = nats,
                                    nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "differential_entropy_vasicek";
    const double unit = base.nats_to_unit(fn);
    bool is_nan = false;
    std::vector<double> v = detail::continuous_sample(fn, "x", x, policy, is_nan);
    if (is_nan) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t n = v.size();
    require_not_empty(fn, "x", n);
    const std::size_t m =
        window_length != 0 ? window_length : static_cast<std::size_t>(std::floor(std::sqrt(double(n)) + 0.5));
    if (!(m >= 1 && 2 * m < n)) {
        fail(fn, "window_length must be positive and less than half the sample size (window_length = " +
                     std::to_string(m) + ", n = " + std::to_string(n) + ")");
    }
    std::sort(v.begin(), v.end());
    const double scale = static_cast<double>(n) / (2.0 * static_cast<double>(m));
    compensated_sum s;
    for (std::size_t i = 0; i < n; ++i) {
        const double hi = v[std::min(i + m, n - 1)];
        const double lo = v[i >= m ? i - m : 0];
        s.add(std::log(scale * (hi - lo)));
    }
    return s.value() / static_cast<double>(n) * unit;
}

// Kozachenko-Leonenko k-nearest-neighbour estimate (Kozachenko & Leonenko 1987; in the
// form of Kraskov, Stoegbauer & Grassberger 2004, eq. 20) for n points in dim dimensions
// (row-major), Euclidean distances:
//   H = psi(n) - psi(k) + log V_d + (d/n) sum_i log eps_i,
// eps_i the distance from point i to its k-th nearest other point (exact, from
// ck::kth_neighbor_distances), V_d = pi^(d/2) / Gamma(d/2 + 1) the unit-ball volume.
// standard_error = sd(h_i) / sqrt(n) over the per-point terms h_i (whose mean is H): a
// plug-in figure that ignores the dependence between neighbouring terms. n = points.
// Duplicated points give -inf (module comment). Rows containing NaN follow nan_policy
// (omit drops the row). Errors (std::invalid_argument): dim = 0, a size that is not a
// multiple of dim, non-finite coordinates, k = 0 or k >= n, an invalid base.
// Threads: the execution overload runs the neighbour searches and the logs on up to ex's
// threads; the terms are summed in point order on the calling thread, so the result is
// the same, bit for bit, for every thread count.
template <class Range>
estimate kozachenko_leonenko_entropy(const execution& ex, const Range& points, std::size_t dim, std::size_t k = 1,
                                     log_base base = nats, nan_policy policy = nan_policy::raise) {
    constexpr const char* fn = "differential_entropy_knn";
    const double unit = base.nats_to_unit(fn);
    require(dim >= 1, fn, "dim must be at least 1");
    const auto raw = as_view(points);
    if (raw.size() % dim != 0) {
        fail(fn, "points has " + std::to_string(raw.size()) + " values, not a multiple of dim (" + std::to_string(dim) +
                     ")");
    }
    std::vector<double> x;
    const nan_action action = screen_nans(fn, "points", raw, policy);
    if (action == nan_action::propagate) return {};
    x.reserve(raw.size());
    for (std::size_t r = 0; r < raw.size() / dim; ++r) {
        bool has_nan = false;
        for (std::size_t j = 0; j < dim; ++j) has_nan = has_nan || is_nan_value(raw[r * dim + j]);
        if (has_nan) continue;
        for (std::size_t j = 0; j < dim; ++j) {
            const double v = static_cast<double>(raw[r * dim + j]);
            if (!std::isfinite(v)) {
                fail(fn, "points must be finite (points[" + std::to_string(r * dim + j) +
                             "] = " + detail::format_value(v) + ")");
            }
            x.push_back(v);
        }
    }
    const std::size_t n = x.size() / dim;
    require(k >= 1, fn, "k must be at least 1");
    if (k >= n) {
        fail(fn,
             "k must be less than the number of points (k = " + std::to_string(k) + ", n = " + std::to_string(n) + ")");
    }
    const double d = static_cast<double>(dim);
    // The per-point terms d log eps_i (in parallel; each is computed alone).
    std::vector<double> terms = kth_neighbor_distances(ex, x, dim, k);
    detail::parallel_for(
        ex, detail::chunk_count(n, reduction_chunk),
        [&](std::size_t c) {
            for (std::size_t i = c * reduction_chunk; i < std::min(n, (c + 1) * reduction_chunk); ++i) {
                terms[i] = d * std::log(terms[i]);
            }
        },
        2);
    const double log_unit_ball = 0.5 * d * std::log(3.14159265358979323846) - boost::math::lgamma(0.5 * d + 1.0);
    const double offset =
        boost::math::digamma(static_cast<double>(n)) - boost::math::digamma(static_cast<double>(k)) + log_unit_ball;
    compensated_sum s;
    for (double t : terms) s.add(t);
    const double mean = s.value() / static_cast<double>(n);
    estimate r;
    r.n = n;
    r.value = (offset + mean) * unit;
    if (!std::isfinite(mean)) return r;  // duplicates: -inf, no standard error
    compensated_sum ss;
    for (double t : terms) {
        const double dev = t - mean;
        ss.add(dev * dev);
    }
    r.standard_error = std::sqrt(ss.value() / static_cast<double>(n - 1) / static_cast<double>(n)) * unit;
    return r;
}

template <class Range>
estimate kozachenko_leonenko_entropy(const Range& points, std::size_t dim, std::size_t k = 1, log_base base = nats,
                                     nan_policy policy = nan_policy::raise) {
    return kozachenko_leonenko_entropy(sequential, points, dim, k, base, policy);
}

// The pinned short form: the Kozachenko-Leonenko value alone (see above).
template <class Range>
double differential_entropy_knn(const execution& ex, const Range& points, std::size_t dim, std::size_t k = 1,
                                log_base base = nats, nan_policy policy = nan_policy::raise) {
    return kozachenko_leonenko_entropy(ex, points, dim, k, base, policy).value;
}
template <class Range>
double differential_entropy_knn(const Range& points, std::size_t dim, std::size_t k = 1, log_base base = nats,
                                nan_policy policy = nan_policy::raise) {
    return kozachenko_leonenko_entropy(sequential, points, dim, k, base, policy).value;
}

}  // namespace collapsekit
