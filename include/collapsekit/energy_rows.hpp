// The energy distance between two samples of points in R^d (rows of two matrices), with a
// two-sample bootstrap interval: the multivariate row-wise companion of energy_distance.
//
// Definition (Szekely & Rizzo 2013), for the empirical distributions of X (n rows) and
// Y (m rows) and the Euclidean norm:
//   E = 2 mean_ij |x_i - y_j| - mean_ij |x_i - x_j| - mean_ij |y_i - y_j|   (V-statistic)
// and the value returned is sqrt(E), which in one dimension equals scipy's
// energy_distance (= sqrt(2 integral (F - G)^2)), so the units are those of the data.
//
// Why a row cap: the statistic needs every pair, O((n + m)^2 d). Above `max_rows` rows a
// sample is replaced by a seeded uniform subsample of max_rows rows (without
// replacement), and the value and interval are those of the subsamples; `used_rows` says
// how many rows entered. The three distance matrices are computed once; a bootstrap
// replicate draws multinomial counts on the rows of each sample independently (from
// rng::for_stream(seed, r)) and weights the matrices, sum c_i c_j D_ij, so a replicate
// costs O(n^2 + m^2 + nm) without recomputing a distance. The interval is the percentile
// interval moved by the bootstrap bias and kept >= 0 (sample_drift.hpp's drift_interval;
// the statistic is biased upwards near 0). Bit-identical for any thread count.
//
// Range: any finite rows give a finite value, from subnormal rows to rows near DBL_MAX
// (computed on the rows scaled by a power of two, see energy_rows_bootstrap), and scaling
// both samples by 4^j scales the value and interval by 2^j wherever both are normal.
//
// Inputs: row-major matrices x (n * dim values) and y (m * dim values), dim >= 1.
// Errors (std::invalid_argument): dim = 0, a size that is not a multiple of dim, an empty
// sample, a non-finite value, max_rows < 2, bootstrap option errors, BCa.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "bootstrap.hpp"
#include "bootstrap_cdf.hpp"
#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "sample_drift.hpp"

namespace collapsekit {

struct energy_rows_options {
    bootstrap_options bootstrap;  // percentile intervals only
    std::size_t max_rows = 1000;  // rows per sample above which a seeded subsample is used
    bool bias_adjust = true;      // interval moved by the bootstrap bias, as sample_drift's
};

struct energy_rows_result {
    interval_estimate energy;     // sqrt(E), units of the data
    std::size_t used_rows_x = 0;  // rows of x that entered (<= max_rows)
    std::size_t used_rows_y = 0;
};

namespace detail {

// The rows of a row-major matrix that enter: all, or a seeded uniform subsample.
inline std::vector<double> energy_rows_of(const char* fn, const char* arg, view<const double> a, std::size_t dim,
                                          std::size_t max_rows, std::uint64_t seed) {
    require(a.size() % dim == 0, fn,
            std::string(arg) + " holds " + std::to_string(a.size()) + " values, not a multiple of dim " +
                std::to_string(dim));
    const std::size_t rows = a.size() / dim;
    require(rows > 0, fn, std::string(arg) + " has no rows");
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!std::isfinite(a[i])) {
            fail(fn, std::string(arg) + " must hold finite values (" + arg + "[" + std::to_string(i) +
                         "] = " + format_value(a[i]) + ")");
        }
    }
    std::vector<std::size_t> pick(rows);
    for (std::size_t i = 0; i < rows; ++i) pick[i] = i;
    std::size_t keep = rows;
    if (rows > max_rows) {
        rng g(seed);
        for (std::size_t i = 0; i < max_rows; ++i) {  // partial Fisher-Yates
            std::swap(pick[i], pick[i + static_cast<std::size_t>(g.below(rows - i))]);
        }
        keep = max_rows;
        std::sort(pick.begin(), pick.begin() + static_cast<std::ptrdiff_t>(keep));
    }
    std::vector<double> out(keep * dim);
    for (std::size_t i = 0; i < keep; ++i) {
        for (std::size_t k = 0; k < dim; ++k) out[i * dim + k] = a[pick[i] * dim + k];
    }
    return out;
}

inline std::vector<double> energy_distances(const std::vector<double>& a, const std::vector<double>& b,
                                            std::size_t dim) {
    const std::size_t n = a.size() / dim, m = b.size() / dim;
    std::vector<double> d(n * m);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < m; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < dim; ++k) {
                const double t = a[i * dim + k] - b[j * dim + k];
                s += t * t;
            }
            d[i * m + j] = std::sqrt(s);
        }
    }
    return d;
}

// sum_ij ci cj D_ij over an n x m matrix, row sums compensated across rows.
inline double weighted_matrix_sum(const std::vector<double>& d, const std::uint32_t* ci, std::size_t n,
                                  const std::uint32_t* cj, std::size_t m) {
    compensated_sum total;
    for (std::size_t i = 0; i < n; ++i) {
        if (ci[i] == 0) continue;
        const double* row = d.data() + i * m;
        double s = 0;
        for (std::size_t j = 0; j < m; ++j) s += static_cast<double>(cj[j]) * row[j];
        total += static_cast<double>(ci[i]) * s;
    }
    return total.value();
}

}  // namespace detail

template <class X, class Y>
energy_rows_result energy_rows_bootstrap(const execution& ex, const X& x, const Y& y, std::size_t dim,
                                         const energy_rows_options& opt = {}) {
    constexpr const char* fn = "energy_rows_bootstrap";
    detail::check_bootstrap_options(fn, opt.bootstrap);
    require(opt.bootstrap.method == interval_method::percentile, fn, "only percentile intervals are offered");
    require(dim >= 1, fn, "dim must be at least 1");
    require(opt.max_rows >= 2, fn, "max_rows must be at least 2 (got " + std::to_string(opt.max_rows) + ")");
    constexpr std::uint64_t salt_x = 0x656e657267792d78ull, salt_y = 0x656e657267792d79ull;
    std::vector<double> a = detail::energy_rows_of(fn, "x", as_view(x), dim, opt.max_rows, opt.bootstrap.seed ^ salt_x);
    std::vector<double> b = detail::energy_rows_of(fn, "y", as_view(y), dim, opt.max_rows, opt.bootstrap.seed ^ salt_y);
    const std::size_t n = a.size() / dim, m = b.size() / dim;
    // The rows scaled by 2^e (e even, so that sqrt(E) scales back exactly by 2^(-e/2)):
    // no squared distance overflows for rows near DBL_MAX and subnormal rows are lifted into
    // the normal range (detail::distance_scale_exponent); bit-identical elsewhere.
    const int e = detail::distance_scale_exponent(std::max(detail::largest_magnitude(a.data(), a.size()),
                                                           detail::largest_magnitude(b.data(), b.size())),
                                                  dim) &
                  ~1;
    detail::scale_by_power_of_two(a.data(), a.size(), e);
    detail::scale_by_power_of_two(b.data(), b.size(), e);
    const std::vector<double> dxy = detail::energy_distances(a, b, dim);
    const std::vector<double> dxx = detail::energy_distances(a, a, dim);
    const std::vector<double> dyy = detail::energy_distances(b, b, dim);
    auto value = [&](const std::uint32_t* cx, const std::uint32_t* cy) {
        const double nn = static_cast<double>(n), mm = static_cast<double>(m);
        const double energy = 2.0 * detail::weighted_matrix_sum(dxy, cx, n, cy, m) / (nn * mm) -
                              detail::weighted_matrix_sum(dxx, cx, n, cx, n) / (nn * nn) -
                              detail::weighted_matrix_sum(dyy, cy, m, cy, m) / (mm * mm);
        // Rounding can leave E a few ulp below 0; E scales like the data, sqrt(E) by half.
        return std::ldexp(std::sqrt(std::max(0.0, energy)), -e / 2);
    };
    const std::vector<std::uint32_t> ones(std::max(n, m), 1u);
    const double estimate = value(ones.data(), ones.data());
    const std::size_t workers = ex.workers(opt.bootstrap.replicates);
    std::vector<std::vector<std::uint32_t>> counts(workers);
    std::vector<double> values =
        detail::run_replicates(opt.bootstrap.replicates, workers, [&](std::size_t r, std::size_t w) {
            std::vector<std::uint32_t>& c = counts[w];
            c.resize(n + m);
            rng g = rng::for_stream(opt.bootstrap.seed, r);
            detail::uniform_multinomial(c.data(), n, g);
            detail::uniform_multinomial(c.data() + n, m, g);
            return value(c.data(), c.data() + n);
        });
    energy_rows_result out;
    out.energy = detail::drift_interval(estimate, values, opt.bootstrap, opt.bias_adjust, 0.0,
                                        std::numeric_limits<double>::infinity());
    out.used_rows_x = n;
    out.used_rows_y = m;
    return out;
}

template <class X, class Y>
energy_rows_result energy_rows_bootstrap(const X& x, const Y& y, std::size_t dim, const energy_rows_options& opt = {}) {
    return energy_rows_bootstrap(sequential, x, y, dim, opt);
}

}  // namespace collapsekit
