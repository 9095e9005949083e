// Bracket-and-refine: exact W1, KS, energy distance and quantiles of partitioned data
// from mergeable cell histograms (key_cells.hpp), with certified bounds after each pass.
//
// Why: the data is spread over processes and cannot be sorted in one place, and
// approximate sketches (dask.array.percentile, t-digest) carry no error bound. The
// measures here depend only on the two empirical CDFs F (sample 0, n values) and G
// (sample 1, m values). After a pass, the cells (key ranges) and their counts are known
// exactly, so F and G are known exactly at every cell boundary, and inside a cell each
// lies between its values at the cell's two ends. That brackets each measure:
//   W1 = int |F - G|: a cell where the ranges [F-, F+] and [G-, G+] do not overlap has
//        one sign of F - G, and its integral is exact from the cell's count and exact
//        significand sum; elsewhere int over the cell lies in [0, width * max|F - G|].
//   KS = the extremes of i m - j n after each distinct value (ck::ks_statistic_of's
//        integers): the cell ends are such points; a cell whose inside could exceed them
//        is undecided (a cell with one sample only is monotone and never is).
//   energy = sqrt(2 int (F - G)^2): only single-value cells are exact.
//   quantile q: the cells holding the needed order statistics (numpy's positions).
// Undecided cells are refined by the next 16 key bits (at most 4 passes reach single
// values, i.e. exactness; fewer bits a pass, down to 4, when 16 would create more than
// max_cells cells), or, once their values are few (gather_limit), gathered and finished
// by sorting, which is exact.
//
// Arithmetic: integers for counts and CDF numerators (128-bit), double-double for the
// integrals, one rounding at the end. W1 and energy are then within one ulp of the exact
// real value; quantiles and the KS statistic are bit-identical to ck::quantile and
// ck::ks_2samp's statistic (same order statistics / same integers, same final formula).
// Bounds are rounded outward, so lo <= exact <= hi always holds.
//
// Preconditions: n * m < 2^63 for KS (as ck::ks_2samp). Errors (std::invalid_argument):
// an empty sample, gathered values that disagree with the counts (data changed between
// passes: never a silently wrong number), a histogram for another spec.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../tail/quantile.hpp"
#include "../wasserstein.hpp"
#include "double_double.hpp"
#include "key_cells.hpp"

namespace collapsekit {
namespace partitioned {

enum class measure { wasserstein, ks, energy, quantile };

inline const char* to_string(measure m) noexcept {
    switch (m) {
        case measure::wasserstein:
            return "wasserstein";
        case measure::ks:
            return "ks";
        case measure::energy:
            return "energy";
        case measure::quantile:
            return "quantile";
    }
    return "unknown";
}

struct bracket_options {
    measure what = measure::wasserstein;
    std::vector<double> qs;                            // quantile: probabilities in [0, 1]
    quantile_method method = quantile_method::linear;  // quantile
    ks_alternative alternative = ks_alternative::two_sided;
    nan_policy nan = nan_policy::raise;
    // Undecided cells holding at most this many values (both samples) are gathered and
    // finished exactly instead of refined.
    std::uint64_t gather_limit = 1u << 20;
    // A refine pass splits each undecided cell by up to 16 key bits: fewer when the
    // cells it could create exceed this (each holds at least one value, so a cell of c
    // values has at most min(c, 2^bits) children), but never fewer than 4 bits. Bounds
    // what every partition ships and the merges handle: near-identical samples leave
    // most values undecided after pass 0, and 16 bits then made about one cell (56
    // bytes) per value.
    std::uint64_t max_cells = std::uint64_t{1} << 18;
    // Stop as soon as hi - lo <= tol (every quantile's); 0 means run to the exact value.
    double tol = 0.0;
};

// What the orchestrator does next.
enum class next_step { refine, gather, done };

class bracket {
public:
    explicit bracket(bracket_options o) : opt_(std::move(o)) {
        constexpr const char* fn = "bracket";
        if (opt_.what == measure::quantile) {
            require(!opt_.qs.empty(), fn, "qs must not be empty for quantiles");
            for (double q : opt_.qs) {
                if (!(q >= 0.0 && q <= 1.0))
                    fail(fn, "every q must lie in [0, 1] (got " + detail::format_value(q) + ")");
            }
        }
        if (!(opt_.tol >= 0.0)) fail(fn, "tol must be >= 0 (got " + detail::format_value(opt_.tol) + ")");
        require(opt_.max_cells > 0, fn, "max_cells must be positive");
        spec_.depth = 0;
        spec_.bits = 16;
        spec_.prefixes = {0};
    }

    next_step step() const noexcept { return step_; }
    // The cells the next refine pass splits (valid when step() == refine).
    const refine_spec& spec() const noexcept { return spec_; }
    // The key ranges whose values the gather step needs (valid when step() == gather).
    std::vector<key_range> gather_ranges() const {
        std::vector<key_range> r;
        for (const auto& c : cells_) {
            if (c.undecided) r.push_back({c.first, c.last});
        }
        return r;
    }
    std::size_t passes() const noexcept { return passes_; }
    bool exact() const noexcept { return exact_; }
    const std::vector<double>& values() const noexcept { return value_; }
    const std::vector<double>& lower() const noexcept { return lo_; }
    const std::vector<double>& upper() const noexcept { return hi_; }
    std::uint64_t n(int sample) const noexcept { return total_[sample & 1]; }
    // Values (both samples) in undecided cells.
    std::uint64_t undecided_values() const noexcept { return undecided_values_; }
    // KS only, once exact: ck::ks_2samp's p-value for the statistic (method automatic:
    // exact lattice-path probability when max(n, m) <= 10000, O(n m), else asymptotic).
    // NaN for the other measures and before the statistic is exact (tol stopped early).
    double ks_pvalue() const {
        if (opt_.what != measure::ks || !exact_ || std::isnan(value_[0]))
            return std::numeric_limits<double>::quiet_NaN();
        const auto n = static_cast<std::size_t>(total_[0]), m = static_cast<std::size_t>(total_[1]);
        return detail::ks_pvalue_of(ks_max_, ks_min_, n, m, opt_.alternative,
                                    detail::ks_resolved_method(n, m, ks_method::automatic));
    }

    // Absorbs the merged histogram of the pass spec() asked for.
    void update(const cell_histogram& h) {
        constexpr const char* fn = "bracket::update";
        require(step_ == next_step::refine, fn, "no refine pass was asked for");
        if (h.spec() != spec_) fail(fn, "the histogram refines another spec than the one asked for");
        ++passes_;
        const unsigned cd = h.child_depth();
        const auto& hc = h.cells();
        if (passes_ == 1) {
            nan_[0] = h.nan_count(0);
            nan_[1] = h.nan_count(1);
            total_[0] = h.total(0);
            total_[1] = h.total(1);
        }
        // Replace each refined cell by its children, keep the others.
        std::vector<known> next;
        next.reserve(cells_.size() + hc.size());
        std::size_t j = 0;
        auto push_children = [&](std::uint64_t parent, unsigned pd) {
            const std::uint64_t f = cell_first_key(parent, pd), l = cell_last_key(parent, pd);
            while (j < hc.size() && cell_first_key(hc[j].prefix, cd) <= l) {
                const cell& c = hc[j++];
                known k;
                k.first = cell_first_key(c.prefix, cd);
                k.last = cell_last_key(c.prefix, cd);
                if (k.first < f) fail(fn, "histogram cells are outside the refined cells");
                k.count[0] = c.count[0];
                k.count[1] = c.count[1];
                k.sum[0] = c.sum[0];
                k.sum[1] = c.sum[1];
                next.push_back(k);
            }
        };
        if (passes_ == 1) {
            push_children(0, 0);
        } else {
            for (const auto& c : cells_) {
                if (c.undecided) {
                    std::uint64_t parent_count[2] = {0, 0};
                    const std::size_t before = next.size();
                    push_children(prefix_of(c.first, spec_.depth), spec_.depth);
                    for (std::size_t i = before; i < next.size(); ++i) {
                        parent_count[0] += next[i].count[0];
                        parent_count[1] += next[i].count[1];
                    }
                    if (parent_count[0] != c.count[0] || parent_count[1] != c.count[1]) {
                        fail(fn,
                             "the pass counted other values than the previous one (the data changed between "
                             "passes, or a partition was lost)");
                    }
                } else {
                    next.push_back(c);
                }
            }
        }
        if (j != hc.size()) fail(fn, "histogram cells are outside the refined cells");
        cells_.swap(next);
        evaluate();
        plan(cd);
    }

    // Finishes from the gathered values of the undecided cells: x from sample 0, y from
    // sample 1 (any order; NaN and values outside the ranges are not allowed).
    template <class T, class U>
    void finish(view<const T> x, view<const U> y) {
        constexpr const char* fn = "bracket::finish";
        require(step_ == next_step::gather, fn, "no gather step was asked for");
        ++passes_;
        std::vector<std::uint64_t> kx(x.size()), ky(y.size());
        for (std::size_t i = 0; i < x.size(); ++i) kx[i] = cell_key(static_cast<double>(x[i]));
        for (std::size_t i = 0; i < y.size(); ++i) ky[i] = cell_key(static_cast<double>(y[i]));
        std::sort(kx.begin(), kx.end());
        std::sort(ky.begin(), ky.end());
        gathered_[0].swap(kx);
        gathered_[1].swap(ky);
        std::size_t pos[2] = {0, 0};
        for (auto& c : cells_) {
            if (!c.undecided) continue;
            for (int s = 0; s < 2; ++s) {
                const auto& g = gathered_[s];
                const std::size_t b = pos[s];
                while (pos[s] < g.size() && g[pos[s]] <= c.last) {
                    if (g[pos[s]] < c.first) fail(fn, "a gathered value lies outside the undecided cells");
                    ++pos[s];
                }
                c.gathered_begin[s] = b;
                c.gathered_end[s] = pos[s];
                if (pos[s] - b != c.count[s]) {
                    fail(fn,
                         "the gathered values disagree with the counts (the data changed between passes, or a "
                         "partition was lost)");
                }
            }
            c.undecided = false;
            c.resolved = true;
        }
        if (pos[0] != gathered_[0].size() || pos[1] != gathered_[1].size()) {
            fail(fn, "a gathered value lies outside the undecided cells");
        }
        evaluate();
        step_ = next_step::done;
    }

private:
    struct known {
        std::uint64_t first = 0, last = 0;
        std::uint64_t count[2] = {0, 0};
        uint128 sum[2] = {0, 0};
        bool undecided = false;
        bool resolved = false;  // finished from gathered values
        std::size_t gathered_begin[2] = {0, 0}, gathered_end[2] = {0, 0};
        bool single() const noexcept { return first == last; }
    };

    static double next_down(double v) { return std::nextafter(v, -std::numeric_limits<double>::infinity()); }
    static double next_up(double v) { return std::nextafter(v, std::numeric_limits<double>::infinity()); }

    void set_nan_result() {
        const std::size_t k = opt_.what == measure::quantile ? opt_.qs.size() : 1;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        value_.assign(k, nan);
        lo_.assign(k, nan);
        hi_.assign(k, nan);
        exact_ = true;
        undecided_values_ = 0;
        for (auto& c : cells_) c.undecided = false;
    }

    void plan(unsigned depth) {
        if (exact_ || step_ == next_step::done) {
            step_ = next_step::done;
            return;
        }
        bool within_tol = opt_.tol > 0.0;
        for (std::size_t i = 0; i < lo_.size() && within_tol; ++i) within_tol = hi_[i] - lo_[i] <= opt_.tol;
        if (within_tol) {
            step_ = next_step::done;
            return;
        }
        if (undecided_values_ <= opt_.gather_limit || depth >= 64) {
            step_ = next_step::gather;
            return;
        }
        step_ = next_step::refine;
        spec_.depth = depth;
        spec_.bits = pass_bits(depth);
        spec_.prefixes.clear();
        for (const auto& c : cells_) {
            if (c.undecided) spec_.prefixes.push_back(prefix_of(c.first, depth));
        }
    }

    // The most bits (at most 16 and 64 - depth, at least 4 where there are that many)
    // whose pass can create no more than max_cells cells.
    unsigned pass_bits(unsigned depth) const {
        const unsigned most = std::min(16u, 64 - depth), least = std::min(4u, most);
        for (unsigned b = most; b > least; --b) {
            const std::uint64_t children = std::uint64_t{1} << b;
            std::uint64_t cells = 0;
            for (const auto& c : cells_) {
                if (c.undecided) cells += std::min(children, c.count[0] + c.count[1]);
                if (cells > opt_.max_cells) break;
            }
            if (cells <= opt_.max_cells) return b;
        }
        return least;
    }

    // The exact integral of |F - G| (p = 1) or (F - G)^2 (p = 2) over a resolved cell's
    // region [e, e_next), times (n m)^p, from its gathered keys.
    dd resolved_integral(const known& c, int128 c0, int128 c1, double e, double e_next, int p) const {
        const auto n = static_cast<int128>(total_[0]), m = static_cast<int128>(total_[1]);
        std::size_t i = c.gathered_begin[0], j = c.gathered_begin[1];
        const std::size_t ie = c.gathered_end[0], je = c.gathered_end[1];
        const auto& gx = gathered_[0];
        const auto& gy = gathered_[1];
        dd acc;
        double t = e;
        int128 a0 = c0, a1 = c1;
        auto add = [&](double to) {
            const dd width = two_sum(to, -t);
            const int128 num = a0 * m - a1 * n;
            const dd d = to_dd(num < 0 ? -num : num);
            acc = acc + width * (p == 1 ? d : d * d);
        };
        while (i < ie || j < je) {
            const std::uint64_t k = (j == je || (i < ie && gx[i] <= gy[j])) ? gx[i] : gy[j];
            const double v = value_of_key(k);
            add(v);
            t = v;
            while (i < ie && gx[i] == k) ++i, ++a0;
            while (j < je && gy[j] == k) ++j, ++a1;
        }
        add(e_next);
        return acc;
    }

    void evaluate() {
        const std::size_t k = opt_.what == measure::quantile ? opt_.qs.size() : 1;
        value_.assign(k, 0.0);
        lo_.assign(k, 0.0);
        hi_.assign(k, 0.0);
        if (opt_.nan == nan_policy::propagate && (nan_[0] > 0 || nan_[1] > 0)) {
            set_nan_result();
            return;
        }
        const char* fn = to_string(opt_.what);
        require(total_[0] > 0, fn, opt_.what == measure::quantile ? "x is empty" : "u_values is empty");
        if (opt_.what != measure::quantile) require(total_[1] > 0, fn, "v_values is empty");
        switch (opt_.what) {
            case measure::wasserstein:
            case measure::energy:
                evaluate_integral(opt_.what == measure::wasserstein ? 1 : 2);
                break;
            case measure::ks:
                evaluate_ks();
                break;
            case measure::quantile:
                evaluate_quantiles();
                break;
        }
    }

    void evaluate_integral(int p) {
        const auto n = static_cast<int128>(total_[0]), m = static_cast<int128>(total_[1]);
        dd exact_sum, lo_sum, hi_sum;
        bool any = false;
        undecided_values_ = 0;
        int128 c0 = 0, c1 = 0;
        for (std::size_t i = 0; i < cells_.size(); ++i) {
            known& c = cells_[i];
            const double e = value_of_key(c.first);
            const double vhi = value_of_key(c.last);
            const double e_next = i + 1 < cells_.size() ? value_of_key(cells_[i + 1].first) : vhi;
            const int128 d0 = static_cast<int128>(c.count[0]), d1 = static_cast<int128>(c.count[1]);
            const int128 after = (c0 + d0) * m - (c1 + d1) * n;
            const dd a_after = to_dd(after < 0 ? -after : after);
            const dd after_p = p == 1 ? a_after : a_after * a_after;
            if (c.resolved) {
                exact_sum = exact_sum + resolved_integral(c, c0, c1, e, e_next, p);
            } else if (c.single()) {
                c.undecided = false;
                exact_sum = exact_sum + two_sum(e_next, -e) * after_p;
            } else {
                const bool f_above = c0 * m >= (c1 + d1) * n;  // F- >= G+
                const bool g_above = c1 * n >= (c0 + d0) * m;  // G- >= F+
                if (p == 1 && (f_above || g_above)) {
                    // One sign over the region: int (F - G) from counts and exact sums.
                    c.undecided = false;
                    const int sign = c.first >> 63 ? 1 : -1;  // key top bit set: value >= 0
                    const int scale = scale_of_key(c.first);
                    const dd s0 = ldexp(to_dd_unsigned(c.sum[0]), scale);
                    const dd s1 = ldexp(to_dd_unsigned(c.sum[1]), scale);
                    const dd sum0 = sign > 0 ? s0 : -s0, sum1 = sign > 0 ? s1 : -s1;
                    const dd width = two_sum(e_next, -e);
                    dd num = width * to_dd(c0 * m - c1 * n);
                    num = num + (two_prod(static_cast<double>(c.count[0]), e_next) - sum0) * to_dd(m);
                    num = num - (two_prod(static_cast<double>(c.count[1]), e_next) - sum1) * to_dd(n);
                    exact_sum = exact_sum + abs(num);
                } else {
                    c.undecided = true;
                    any = true;
                    undecided_values_ += c.count[0] + c.count[1];
                    const dd gap = two_sum(e_next, -vhi);
                    const dd spread = two_sum(vhi, -e);
                    const int128 up = std::max((c0 + d0) * m - c1 * n, (c1 + d1) * n - c0 * m);
                    int128 low = 0;
                    if (f_above) low = c0 * m - (c1 + d1) * n;
                    if (g_above) low = c1 * n - (c0 + d0) * m;
                    const dd u = to_dd(up), l = to_dd(low);
                    lo_sum = lo_sum + gap * after_p + spread * (p == 1 ? l : l * l);
                    hi_sum = hi_sum + gap * after_p + spread * (p == 1 ? u : u * u);
                }
            }
            c0 += d0;
            c1 += d1;
        }
        dd scale = to_dd(n * m);
        if (p == 2) scale = scale * scale;
        auto finish = [&](dd s) {
            dd v = s / scale;
            if (p == 2) v = sqrt(dd{2.0, 0.0} * v);
            return v;
        };
        const dd exact_v = finish(exact_sum);
        exact_ = !any;
        if (exact_) {
            value_[0] = lo_[0] = hi_[0] = exact_v.value();
        } else {
            const double l = finish(exact_sum + lo_sum).value(), h = finish(exact_sum + hi_sum).value();
            lo_[0] = std::max(0.0, next_down(l));
            hi_[0] = next_up(h);
            value_[0] = 0.5 * (lo_[0] + hi_[0]);
        }
    }

    void evaluate_ks() {
        const auto n = static_cast<int128>(total_[0]), m = static_cast<int128>(total_[1]);
        if (n * m >= (int128{1} << 63)) fail("ks", "n * m must be below 2^63");
        // Known extremes: the values after every cell (points ck::ks_2samp evaluates).
        int128 kmax = std::numeric_limits<std::int64_t>::min(), kmin = std::numeric_limits<std::int64_t>::max();
        int128 c0 = 0, c1 = 0;
        for (auto& c : cells_) {
            if (c.resolved) {
                std::size_t i = c.gathered_begin[0], j = c.gathered_begin[1];
                const std::size_t ie = c.gathered_end[0], je = c.gathered_end[1];
                const auto& gx = gathered_[0];
                const auto& gy = gathered_[1];
                int128 a0 = c0, a1 = c1;
                while (i < ie || j < je) {
                    const std::uint64_t k = (j == je || (i < ie && gx[i] <= gy[j])) ? gx[i] : gy[j];
                    while (i < ie && gx[i] == k) ++i, ++a0;
                    while (j < je && gy[j] == k) ++j, ++a1;
                    const int128 d = a0 * m - a1 * n;
                    kmax = std::max(kmax, d);
                    kmin = std::min(kmin, d);
                }
            }
            c0 += static_cast<int128>(c.count[0]);
            c1 += static_cast<int128>(c.count[1]);
            const int128 d = c0 * m - c1 * n;
            kmax = std::max(kmax, d);
            kmin = std::min(kmin, d);
        }
        int128 pmax = kmax, pmin = kmin;
        bool any = false;
        undecided_values_ = 0;
        c0 = c1 = 0;
        for (auto& c : cells_) {
            const int128 d0 = static_cast<int128>(c.count[0]), d1 = static_cast<int128>(c.count[1]);
            if (!c.resolved && !c.single() && d0 > 0 && d1 > 0) {
                const int128 up = (c0 + d0) * m - c1 * n, down = c0 * m - (c1 + d1) * n;
                c.undecided = up > kmax || down < kmin;
                if (c.undecided) {
                    any = true;
                    undecided_values_ += c.count[0] + c.count[1];
                    pmax = std::max(pmax, up);
                    pmin = std::min(pmin, down);
                }
            } else {
                c.undecided = false;
            }
            c0 += d0;
            c1 += d1;
        }
        const auto un = static_cast<std::size_t>(total_[0]), um = static_cast<std::size_t>(total_[1]);
        const double v = detail::ks_statistic_of(static_cast<std::int64_t>(kmax), static_cast<std::int64_t>(kmin), un,
                                                 um, opt_.alternative);
        exact_ = !any;
        if (exact_) {
            value_[0] = lo_[0] = hi_[0] = v;
            ks_max_ = static_cast<std::int64_t>(kmax);
            ks_min_ = static_cast<std::int64_t>(kmin);
        } else {
            const double h = detail::ks_statistic_of(static_cast<std::int64_t>(pmax), static_cast<std::int64_t>(pmin),
                                                     un, um, opt_.alternative);
            lo_[0] = v;
            hi_[0] = std::min(1.0, h);
            value_[0] = 0.5 * (lo_[0] + hi_[0]);
        }
    }

    // The cell holding order statistic r (0-based) of sample 0, and the count before it.
    std::pair<std::size_t, std::uint64_t> cell_of_rank(std::uint64_t r) const {
        std::uint64_t before = 0;
        for (std::size_t i = 0; i < cells_.size(); ++i) {
            if (r < before + cells_[i].count[0]) return {i, before};
            before += cells_[i].count[0];
        }
        return {cells_.size() - 1, before};
    }

    // (lowest, highest) possible value of order statistic r; equal once it is known.
    std::pair<double, double> rank_value(std::uint64_t r) const {
        const auto [i, before] = cell_of_rank(r);
        const known& c = cells_[i];
        if (c.resolved) {
            const double v = value_of_key(gathered_[0][c.gathered_begin[0] + static_cast<std::size_t>(r - before)]);
            return {v, v};
        }
        return {value_of_key(c.first), value_of_key(c.last)};
    }

    void evaluate_quantiles() {
        const std::uint64_t n = total_[0];
        for (auto& c : cells_) c.undecided = false;
        undecided_values_ = 0;
        bool any = false;
        for (std::size_t a = 0; a < opt_.qs.size(); ++a) {
            const detail::quantile_position pos =
                detail::locate_quantile(static_cast<std::size_t>(n), opt_.qs[a], opt_.method);
            for (std::uint64_t r : {std::uint64_t{pos.lo}, std::uint64_t{pos.hi}}) {
                const std::size_t i = cell_of_rank(r).first;
                known& c = cells_[i];
                if (!c.resolved && !c.single() && !c.undecided) {
                    c.undecided = true;
                    any = true;
                    undecided_values_ += c.count[0] + c.count[1];
                }
            }
            const auto a_range = rank_value(pos.lo), b_range = rank_value(pos.hi);
            const double l = detail::quantile_lerp(a_range.first, b_range.first, pos.gamma);
            const double h = detail::quantile_lerp(a_range.second, b_range.second, pos.gamma);
            if (a_range.first == a_range.second && b_range.first == b_range.second) {
                value_[a] = lo_[a] = hi_[a] = l;
            } else {
                lo_[a] = next_down(std::min(l, a_range.first));
                hi_[a] = next_up(std::max(h, b_range.second));
                value_[a] = 0.5 * (lo_[a] + hi_[a]);
            }
        }
        exact_ = !any;
    }

    bracket_options opt_;
    refine_spec spec_;
    next_step step_ = next_step::refine;
    std::vector<known> cells_;
    std::vector<std::uint64_t> gathered_[2];
    std::uint64_t total_[2] = {0, 0};
    std::uint64_t nan_[2] = {0, 0};
    std::size_t passes_ = 0;
    std::uint64_t undecided_values_ = 0;
    bool exact_ = false;
    std::vector<double> value_, lo_, hi_;
    std::int64_t ks_max_ = 0, ks_min_ = 0;  // KS: the exact extremes of i m - j n, once exact
};

}  // namespace partitioned
}  // namespace collapsekit
