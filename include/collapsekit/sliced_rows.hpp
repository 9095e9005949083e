// The sliced Wasserstein distance between two samples of points in R^d (rows of two
// matrices) with a two-sample bootstrap interval: what `collapsekit report` shows for the
// rows of 2-D inputs, beside energy_rows_bootstrap.
//
// The value is sliced_wasserstein(x, y, dim, options.sliced) (wasserstein.hpp) of the rows
// that enter, bit for bit: SW_p = (mean over L fixed random directions of W_p^p of the
// projections)^(1/p).
//
// Why a bootstrap rather than sliced_wasserstein's standard error: that error measures
// only the spread over directions, not the sampling of the rows, which is what a
// two-sample comparison must carry (two samples from one distribution have SW_p > 0,
// with a spread over the directions of the same order). A replicate resamples the rows of
// each sample independently (multinomial counts from rng::for_stream(seed, r)) and keeps
// the directions: each direction's projections are sorted once with the rows' order, a
// replicate gathers its counts into that order and integrates |F^-1 - G^-1|^p of the two
// weighted projections exactly on an integer time line (detail::wasserstein_pp_counts).
// A replicate costs O(L (n + m)), no projection and no sort. The interval is the
// percentile interval moved by the bootstrap bias and kept >= 0 (sample_drift.hpp's
// drift_interval; the distance is biased upwards near 0). Bit-identical for any thread
// count.
//
// Why a row cap: above `max_rows` rows a sample is replaced by a seeded uniform subsample
// (energy_rows.hpp's rule, with its own seed salt), and the value and interval are those
// of the subsamples; used_rows_x/y say how many rows entered. With the defaults (100
// directions, 10 000 rows, B = 1000) the bootstrap makes 2e9 steps, a few seconds.
//
// Inputs: row-major matrices x (n * dim values) and y (m * dim values), dim >= 1.
// Errors (std::invalid_argument): dim = 0, a size that is not a multiple of dim, an empty
// sample, a non-finite value, fewer than 2 directions, p < 1 or not finite, max_rows < 2 or
// >= 2^31, bootstrap option errors, BCa.
// Progress: options.on_progress(done, total) after each replicate (core/progress.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "bootstrap.hpp"
#include "bootstrap_cdf.hpp"
#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/progress.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "energy_rows.hpp"
#include "sample_drift.hpp"
#include "wasserstein.hpp"

namespace collapsekit {

struct sliced_rows_options {
    sliced_options sliced;         // directions (L, their seed) and the order p
    bootstrap_options bootstrap;   // replicates, level, seed; percentile intervals only
    std::size_t max_rows = 10000;  // rows per sample above which a seeded subsample is used
    bool bias_adjust = true;       // interval moved by the bootstrap bias, as sample_drift's
    work_progress on_progress;     // after each replicate
};

struct sliced_rows_result {
    interval_estimate distance;   // SW_p, units of the data
    std::size_t used_rows_x = 0;  // rows of x that entered (<= max_rows)
    std::size_t used_rows_y = 0;
};

namespace detail {

// W_p^p between sorted u (n values) weighted by counts cu (total cu_total) and sorted v
// (m values) weighted by cv (total cv_total): the integral over t in (0, 1] of
// |F^-1(t) - G^-1(t)|^p. On the integer time line t * cu_total * cv_total, u[i] holds over
// (A_(i-1) cv_total, A_i cv_total] for A_i the counts through i, and v[j] likewise, so the
// breakpoints are compared exactly; a value with count 0 holds over an empty span. The
// products stay below 2^62 for totals below 2^31.
template <class Power>
double wasserstein_pp_counts(const double* u, const std::uint32_t* cu, std::size_t n, std::uint64_t cu_total,
                             const double* v, const std::uint32_t* cv, std::size_t m, std::uint64_t cv_total,
                             Power pw) {
    std::size_t i = 0, j = 0;
    std::uint64_t a = cu[0], b = cv[0], t = 0;
    compensated_sum acc;
    while (i < n && j < m) {
        const std::uint64_t ta = a * cv_total, tb = b * cu_total;
        const std::uint64_t next = std::min(ta, tb);
        if (next > t) {
            acc += static_cast<double>(next - t) * pw(std::abs(u[i] - v[j]));
            t = next;
        }
        if (ta <= tb && ++i < n) a += cu[i];
        if (tb <= ta && ++j < m) b += cv[j];
    }
    return acc.value() / (static_cast<double>(cu_total) * static_cast<double>(cv_total));
}

// One sample's projections on every direction, each sorted, with the rows' order.
struct sorted_projections {
    std::size_t rows = 0;
    std::vector<double> value;         // [direction][rank]
    std::vector<std::uint32_t> order;  // [direction][rank] -> row
};

inline sorted_projections project_and_sort(const std::vector<double>& a, std::size_t dim, const sliced_options& opt) {
    sorted_projections s;
    s.rows = a.size() / dim;
    s.value.resize(opt.projections * s.rows);
    s.order.resize(opt.projections * s.rows);
    std::vector<double> theta(dim), projected(s.rows);
    for (std::size_t l = 0; l < opt.projections; ++l) {
        sliced_direction(opt.seed, l, theta);
        project_points(view<const double>(a.data(), a.size()), s.rows, theta, projected.data());
        std::uint32_t* order = s.order.data() + l * s.rows;
        std::iota(order, order + s.rows, std::uint32_t{0});
        // Equal projections may come in any order: they weigh the same in W_p.
        std::sort(order, order + s.rows, [&](std::uint32_t p, std::uint32_t q) { return projected[p] < projected[q]; });
        double* value = s.value.data() + l * s.rows;
        for (std::size_t k = 0; k < s.rows; ++k) value[k] = projected[order[k]];
    }
    return s;
}

}  // namespace detail

template <class X, class Y>
sliced_rows_result sliced_wasserstein_bootstrap(const execution& ex, const X& x, const Y& y, std::size_t dim,
                                                const sliced_rows_options& opt = {}) {
    constexpr const char* fn = "sliced_wasserstein_bootstrap";
    detail::check_bootstrap_options(fn, opt.bootstrap);
    require(opt.bootstrap.method == interval_method::percentile, fn, "only percentile intervals are offered");
    require(dim >= 1, fn, "dim must be at least 1");
    require(opt.sliced.projections >= 2, fn, "projections must be at least 2");
    detail::check_order(fn, opt.sliced.p);
    require_finite(fn, "p", opt.sliced.p);
    require(opt.max_rows >= 2 && opt.max_rows < (std::size_t{1} << 31), fn,
            "max_rows must lie in 2 .. 2^31 - 1 (got " + std::to_string(opt.max_rows) + ")");
    constexpr std::uint64_t salt_x = 0x736c696365642d78ull, salt_y = 0x736c696365642d79ull;
    const std::vector<double> a =
        detail::energy_rows_of(fn, "x", as_view(x), dim, opt.max_rows, opt.bootstrap.seed ^ salt_x);
    const std::vector<double> b =
        detail::energy_rows_of(fn, "y", as_view(y), dim, opt.max_rows, opt.bootstrap.seed ^ salt_y);
    const detail::sorted_projections px = detail::project_and_sort(a, dim, opt.sliced);
    const detail::sorted_projections py = detail::project_and_sort(b, dim, opt.sliced);
    const std::size_t n = px.rows, m = py.rows, directions = opt.sliced.projections;
    const detail::power_of pw{opt.sliced.p};

    std::vector<double> slices(directions);
    for (std::size_t l = 0; l < directions; ++l) {
        slices[l] = detail::wasserstein_pp_equal(px.value.data() + l * n, n, py.value.data() + l * m, m, pw);
    }
    const double estimate = detail::sliced_estimate(slices, opt.sliced.p).value;

    struct scratch {
        std::vector<std::uint32_t> counts, gathered;
    };
    const std::size_t replicates = opt.bootstrap.replicates;
    detail::progress_meter progress(opt.on_progress, replicates);
    const std::size_t workers = ex.workers(replicates);
    std::vector<scratch> scratches(workers);
    std::vector<double> values = detail::run_replicates(replicates, workers, [&](std::size_t r, std::size_t w) {
        scratch& s = scratches[w];
        s.counts.resize(n + m);
        s.gathered.resize(n + m);
        rng g = rng::for_stream(opt.bootstrap.seed, r);
        const std::uint32_t* cx = s.counts.data();
        const std::uint32_t* cy = s.counts.data() + n;
        detail::uniform_multinomial(s.counts.data(), n, g);
        detail::uniform_multinomial(s.counts.data() + n, m, g);
        compensated_sum sum;
        for (std::size_t l = 0; l < directions; ++l) {
            const std::uint32_t* ox = px.order.data() + l * n;
            const std::uint32_t* oy = py.order.data() + l * m;
            std::uint32_t* gx = s.gathered.data();
            std::uint32_t* gy = s.gathered.data() + n;
            for (std::size_t k = 0; k < n; ++k) gx[k] = cx[ox[k]];
            for (std::size_t k = 0; k < m; ++k) gy[k] = cy[oy[k]];
            sum +=
                detail::wasserstein_pp_counts(px.value.data() + l * n, gx, n, n, py.value.data() + l * m, gy, m, m, pw);
        }
        progress.advance();
        return detail::wp_root(sum.value() / static_cast<double>(directions), opt.sliced.p);
    });
    sliced_rows_result out;
    out.distance = detail::drift_interval(estimate, values, opt.bootstrap, opt.bias_adjust, 0.0,
                                          std::numeric_limits<double>::infinity());
    out.used_rows_x = n;
    out.used_rows_y = m;
    return out;
}

template <class X, class Y>
sliced_rows_result sliced_wasserstein_bootstrap(const X& x, const Y& y, std::size_t dim,
                                                const sliced_rows_options& opt = {}) {
    return sliced_wasserstein_bootstrap(sequential, x, y, dim, opt);
}

}  // namespace collapsekit
