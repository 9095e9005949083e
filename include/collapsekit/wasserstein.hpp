// Distances between one-dimensional samples: exact Wasserstein W_p, energy distance and
// the two-sample Kolmogorov-Smirnov test; sliced Wasserstein for d-dimensional points.
//
// All of them compare empirical distributions (optionally weighted). Samples must hold
// finite values; NaN follows ck::nan_policy (raise by default; omit drops the value and,
// for weighted samples, its weight; propagate returns NaN). Samples are copied and sorted
// with ck::sort_values' radix sort (weighted ones as (value, weight) items), then walked
// once.
//
// Threads: each function has an overload with a leading ck::execution
// (ck::wasserstein(ck::threads(4), u, v)); the copy, the sort and (for W_p of unweighted
// samples) the merge walk run on up to that many threads, in chunks fixed by the input
// sizes, so the result is bit-identical for any thread count. The overloads without one
// use one thread. The sorted copies live in the calling thread's sort workspace, which
// later calls reuse (ck::release_sort_workspace frees it).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/estimate.hpp"
#include "core/nan.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/view.hpp"
#include "sort.hpp"

namespace collapsekit {

namespace detail {

// A sorted sample, in storage its caller owns.
struct sorted_sample {
    view<const double> x;    // the values, ascending
    view<const double> c;    // cumulative weight fractions (the last exactly 1); empty when unweighted
    double effective_n = 0;  // Kish's (sum w)^2 / sum w^2 when weighted, else the size
    bool is_nan = false;
};

[[noreturn]] inline void fail_not_finite(const char* fn, const char* arg, std::size_t i, double v) {
    fail(fn, std::string(arg) + " must hold finite values (" + arg + "[" + std::to_string(i) +
                 "] = " + format_value(v) + ")");
}

// Copies x[begin, end) (no NaN) to out[begin, end); throws for the first non-finite value.
template <class T>
void copy_finite(const char* fn, const char* arg, view<const T> x, std::size_t begin, std::size_t end, double* out) {
    bool finite = true;
    for (std::size_t i = begin; i < end; ++i) {
        const auto v = static_cast<double>(x[i]);
        out[i] = v;
        finite = finite && std::isfinite(v);
    }
    if (finite) return;
    for (std::size_t i = begin; i < end; ++i) {
        if (!std::isfinite(out[i])) fail_not_finite(fn, arg, i, out[i]);
    }
}

// Copies the non-NaN values of x (finite, else throws) to out (x.size() slots) and sorts
// them with the shared scratch on up to ex's threads; returns how many there are. Under
// nan_policy::propagate a NaN sets is_nan and nothing is copied. Without NaN the copy runs
// in fixed chunks on the threads too; the error a bad value raises names its index, the
// lowest one, whatever the thread count.
template <class T>
std::size_t sort_sample_into(const execution& ex, const char* fn, const char* arg, view<const T> x, nan_policy nan,
                             double* out, sort_scratch<double>& scratch, bool& is_nan) {
    require_not_empty(fn, arg, x.size());
    const nan_action action = screen_nans(fn, arg, x, nan);
    is_nan = action == nan_action::propagate;
    if (is_nan) return 0;
    std::size_t kept = 0;
    if (action == nan_action::none) {
        parallel_for(
            ex, chunk_count(x.size(), reduction_chunk),
            [&](std::size_t c) {
                const std::size_t b = c * reduction_chunk;
                copy_finite(fn, arg, x, b, std::min(x.size(), b + reduction_chunk), out);
            },
            8);
        kept = x.size();
    } else {
        for (std::size_t i = 0; i < x.size(); ++i) {
            const auto v = static_cast<double>(x[i]);
            if (std::isnan(v)) continue;
            if (!std::isfinite(v)) fail_not_finite(fn, arg, i, v);
            out[kept++] = v;
        }
    }
    require(kept > 0, fn, std::string(arg) + " holds only NaN");
    sort_numbers_with(ex, view<double>(out, kept), scratch);
    return kept;
}

// Two samples sorted for one call, in the calling thread's sort workspace (reused from
// call to call: a fresh block per call was faulted in every time, a fifth of the call at
// 1e6 values and most of it at 1e8).
struct sorted_pair {
    workspace_lease lease;
    sorted_sample u, v;
};

template <class U, class V>
void sort_samples(const execution& ex, const char* fn, view<const U> u, view<const V> v, nan_policy nan,
                  sorted_pair& s) {
    const std::size_t n0 = u.size(), m0 = v.size();
    double* const su = s.lease.get<double>(0, n0);
    double* const sv = s.lease.get<double>(1, m0);
    sort_scratch<double> scratch(s.lease.get<double>(2, std::max(n0, m0)), std::max(n0, m0));
    const std::size_t n = sort_sample_into(ex, fn, "u", u, nan, su, scratch, s.u.is_nan);
    const std::size_t m = sort_sample_into(ex, fn, "v", v, nan, sv, scratch, s.v.is_nan);
    s.u.x = view<const double>(su, n);
    s.v.x = view<const double>(sv, m);
    s.u.effective_n = static_cast<double>(n);
    s.v.effective_n = static_cast<double>(m);
}

using weighted_value = keyed<double, double>;

// Copies the values of x (finite, else throws) with their weights w (non-negative and
// finite, with a positive total) to items (x.size() slots), NaN values and their weights
// left out, and sorts them by value; then writes the values and after them the cumulative
// weight fractions (in the order and with the rounding of cumulative_fractions) to out,
// 2 x.size() doubles, or when out is null to the one of items and scratch that the sort
// left free.
template <class T, class W>
sorted_sample sort_weighted_sample(const execution& ex, const char* fn, const char* arg, const char* warg,
                                   view<const T> x, view<const W> w, nan_policy nan, weighted_value* items,
                                   sort_scratch<weighted_value>& scratch, double* out) {
    require_not_empty(fn, arg, x.size());
    require_same_length(fn, arg, x.size(), warg, w.size());
    sorted_sample s;
    if (screen_nans(fn, arg, x, nan) == nan_action::propagate) {
        s.is_nan = true;
        return s;
    }
    std::size_t kept = 0;
    double total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto v = static_cast<double>(x[i]);
        const auto wi = static_cast<double>(w[i]);
        if (!(wi >= 0.0) || !std::isfinite(wi)) {
            fail(fn, std::string(warg) + " must be non-negative and finite (" + warg + "[" + std::to_string(i) +
                         "] = " + format_value(wi) + ")");
        }
        if (std::isnan(v)) continue;
        if (!std::isfinite(v)) {
            fail(fn, std::string(arg) + " must hold finite values (" + arg + "[" + std::to_string(i) +
                         "] = " + format_value(v) + ")");
        }
        items[kept++] = weighted_value{v, wi};
        total += wi;
    }
    require(kept > 0, fn, std::string(arg) + " holds only NaN");
    require(total > 0.0 && std::isfinite(total), fn, std::string(warg) + " must have a positive, finite sum");
    const weighted_value* const sorted = sort_items_with(ex, view<weighted_value>(items, kept), scratch);
    if (out == nullptr) {
        // The free buffer's storage is reused for doubles: a fresh block would be faulted
        // in on every call, about a fifth of the call's time at 1e6 values.
        weighted_value* const other = sorted == items ? scratch.get(kept) : items;
        out = ::new (static_cast<void*>(other)) double[2 * kept];
    }
    double* const out_x = out;
    double* const out_c = out + kept;
    // Unpacking, the running sum and Kish's sums share one pass over the sorted items.
    compensated_sum sw, sw2;
    for (std::size_t i = 0; i < kept; ++i) {
        const double wi = sorted[i].payload;
        out_x[i] = sorted[i].value;
        sw += wi;
        sw2 += wi * wi;
        out_c[i] = sw.value();
    }
    const double sum = out_c[kept - 1];
    for (std::size_t i = 0; i < kept; ++i) out_c[i] /= sum;
    out_c[kept - 1] = 1.0;
    s.x = view<const double>(out_x, kept);
    s.c = view<const double>(out_c, kept);
    s.effective_n = sw.value() * sw.value() / sw2.value();
    return s;
}

// Two weighted samples sorted for one call, in the thread's sort workspace: slot 0 the
// items being sorted and the sort's scratch (then v), slot 1 u's values and cumulative
// fractions.
struct sorted_weighted_pair {
    workspace_lease lease;
    sorted_sample u, v;
};

template <class U, class V, class UW, class VW>
void sort_weighted_samples(const execution& ex, const char* fn, view<const U> u, view<const V> v, view<const UW> uw,
                           view<const VW> vw, nan_policy nan, sorted_weighted_pair& s) {
    const std::size_t n0 = u.size(), m0 = v.size(), most = std::max(n0, m0);
    weighted_value* const items = s.lease.get<weighted_value>(0, 2 * most);
    double* const block = s.lease.get<double>(1, 2 * n0);
    sort_scratch<weighted_value> scratch(items + most, most);
    s.u = sort_weighted_sample(ex, fn, "u", "u_weights", u, uw, nan, items, scratch, block);
    s.v = sort_weighted_sample(ex, fn, "v", "v_weights", v, vw, nan, items, scratch, nullptr);
}

// Cumulative weights divided by their total; the last is exactly 1.
inline std::vector<double> cumulative_fractions(const std::vector<double>& w) {
    std::vector<double> c(w.size());
    compensated_sum s;
    for (std::size_t i = 0; i < w.size(); ++i) {
        s += w[i];
        c[i] = s.value();
    }
    const double total = c.back();
    for (double& v : c) v /= total;
    c.back() = 1.0;
    return c;
}

inline void check_order(const char* fn, double p) {
    if (std::isnan(p) || p < 1.0) fail(fn, "p must be at least 1 (got " + format_value(p) + ")");
}

// |d|^p for the three common orders without calling pow.
struct power_of {
    double p;
    double operator()(double d) const noexcept {
        if (p == 1.0) return d;
        if (p == 2.0) return d * d;
        return std::pow(d, p);
    }
};

// |a - b|, the difference the W_p walks integrate.
struct plain_difference {
    double operator()(double a, double b) const noexcept { return std::abs(a - b); }
};

// |a - b| / scale, formed as |a half - b half| / scale: the difference of the rescaled
// walk (see wp_rescaled). half is 0.5 where a difference overflows, else 1; scale is the
// largest such difference, so that every |d|^p lies in [0, 1] whatever p and the
// magnitude of the samples.
struct scaled_difference {
    double half = 1.0;
    double scale = 1.0;
    double operator()(double a, double b) const noexcept { return std::abs(a * half - b * half) / scale; }
};

// W_p^p (or W_inf for p = inf) between equally weighted sorted samples, by merging their
// quantile functions: F^-1 and G^-1 are step functions with steps at i/n and j/m, so
// one pass over the merged breakpoints integrates |F^-1(t) - G^-1(t)|^p exactly.
// Breakpoints are compared as integers (i m vs j n) so no rounding can misorder them.
//
// The pass runs in fixed chunks that start at u's breakpoints t = i_c m, i_c = c n / K,
// K = min(n, ceil((n + m) / reduction_chunk)): the index of v at t is t / n, so a chunk
// starts without a search, no segment is split, and each chunk's compensated partial sum
// is added in chunk order. K depends on n and m only: the same value for any thread count.
// diff forms |u[i] - v[j]| (scaled_difference for the rescaled walk).
template <class Power, class Difference = plain_difference>
double wasserstein_pp_equal(const execution& ex, const double* u, std::size_t n, const double* v, std::size_t m,
                            Power pw, Difference diff = {}) {
    const bool sup = std::isinf(pw.p);
    const std::size_t chunks = std::min(n, chunk_count(n + m, reduction_chunk));
    struct partial {
        compensated_sum acc;
        double best = 0;
    };
    std::vector<partial> part(chunks);
    parallel_for(
        ex, chunks,
        [&](std::size_t c) {
            const std::size_t i_begin = c * n / chunks, i_end = (c + 1) * n / chunks;
            std::uint64_t t = static_cast<std::uint64_t>(i_begin) * m;
            std::size_t i = i_begin, j = static_cast<std::size_t>(t / n);
            std::uint64_t a = t + m, b = (static_cast<std::uint64_t>(j) + 1) * n;
            compensated_sum acc;
            double best = 0;
            while (i < i_end) {
                const std::uint64_t next = std::min(a, b);
                const double d = diff(u[i], v[j]);
                if (sup) {
                    best = std::max(best, d);
                } else {
                    acc += static_cast<double>(next - t) * pw(d);
                }
                t = next;
                if (a == next) ++i, a += m;
                if (b == next) ++j, b += n;
            }
            part[c] = partial{acc, best};
        },
        2);
    compensated_sum acc;
    double best = 0;
    for (const partial& p : part) {
        acc += p.acc;
        best = std::max(best, p.best);
    }
    if (sup) return best;
    return acc.value() / (static_cast<double>(n) * static_cast<double>(m));
}
template <class Power>
double wasserstein_pp_equal(const double* u, std::size_t n, const double* v, std::size_t m, Power pw) {
    return wasserstein_pp_equal(sequential, u, n, v, m, pw);
}

// The same with cumulative weight fractions cu, cv (each ending at exactly 1).
template <class Difference = plain_difference>
double wasserstein_pp_weighted(view<const double> u, view<const double> cu, view<const double> v, view<const double> cv,
                               double p, Difference diff = {}) {
    const bool sup = std::isinf(p);
    const power_of pw{p};
    std::size_t i = 0, j = 0;
    double t = 0;
    compensated_sum acc;
    double best = 0;
    while (i < u.size() && j < v.size()) {
        const double a = cu[i], b = cv[j];
        // Which sample steps is a coin flip: branching on it mispredicted half the time, and
        // comparing a with b (rather than each with min(a, b)) shortens the chain from one
        // step's loads to the next's. Fractions hold no NaN, so a <= b is a == min(a, b).
        const bool step_u = a <= b, step_v = b <= a;
        // Fractions are never NaN (callers normalise finite totals); were one NaN, neither
        // sample would step and the walk would never end.
        if (!step_u && !step_v) return std::numeric_limits<double>::quiet_NaN();
        const double next = step_u ? a : b;
        if (next > t) {
            const double d = diff(u[i], v[j]);
            if (sup) {
                best = std::max(best, d);
            } else {
                acc += (next - t) * pw(d);
            }
            t = next;
        }
        i += static_cast<std::size_t>(step_u);
        j += static_cast<std::size_t>(step_v);
    }
    return sup ? best : acc.value();
}

inline double wp_root(double pp, double p) {
    if (std::isinf(p)) return pp;
    if (p == 1.0) return pp;
    if (p == 2.0) return std::sqrt(pp);
    return std::pow(pp, 1.0 / p);
}

// Whether W_p^p (W_inf for p = inf) from a walk in double range can be trusted. A walk
// whose difference or running sum overflowed ends at inf or NaN (inf - inf in the
// compensated sums), although W_p itself may be representable (W_1([1e308, -1e308], [2])
// is 1e308). For p > 1, terms |d|^p below the normal range lose their digits (and those
// below 2^-1074 vanish) while W_p may be a normal number (W_2([1e-200], [0]) = 1e-200):
// each term is off by at most 2^-1075 absolutely, so a W_p^p of at least 2^-960 is still
// good to 2^-115 relative per term. For p = 1 the terms are exact in the subnormal range
// (integer multiples of 2^-1074), and W_inf is a rounded difference.
inline bool wp_in_range(double pp, double p) noexcept {
    return std::isinf(p) || (std::isfinite(pp) && (p == 1.0 || pp >= 0x1p-960));
}

// W_p where the walk in double range failed (!wp_in_range): walk(q, diff) is the walk of
// order q over the differences diff(a, b). A first walk (q = inf) finds the largest
// difference; where that overflows, it is found again from halved values (exact but for
// the last bit of subnormals, which cannot matter beside a difference past 2^1023). The
// second walk integrates (d / largest)^p, in [0, 1] for any p, and the root is scaled
// back. Division by the largest difference rather than by a power of two: no power of
// two keeps the largest term near 1 for every p (0.5^p underflows from p = 1075). The
// ratios do not change when both samples are scaled by 2^k (differences of subnormals
// are exact, so that holds for them too), so W_p(2^k u, 2^k v) = 2^k W_p(u, v) wherever
// both are normal. Only the overflow of the answer itself remains: +inf where W_p passes
// the double range.
template <class Walk>
double wp_rescaled(Walk&& walk, double p) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    double half = 1.0;
    double widest = walk(inf, scaled_difference{half, 1.0});
    if (std::isinf(widest)) {
        half = 0.5;
        widest = walk(inf, scaled_difference{half, 1.0});
    }
    if (!(widest > 0.0)) return widest;  // every difference 0 (or NaN fractions: NaN)
    const double pp = walk(p, scaled_difference{half, widest});
    return wp_root(pp, p) * widest / half;
}

// W_p between weighted sorted samples (values and cumulative fractions, each ending at
// exactly 1): the walk in double range, rescaled where that failed.
inline double wasserstein_weighted_sorted(view<const double> u, view<const double> cu, view<const double> v,
                                          view<const double> cv, double p) {
    const double pp = wasserstein_pp_weighted(u, cu, v, cv, p);
    if (wp_in_range(pp, p)) return wp_root(pp, p);
    return wp_rescaled([&](double q, scaled_difference diff) { return wasserstein_pp_weighted(u, cu, v, cv, q, diff); },
                       p);
}

inline double wasserstein_sorted(const execution& ex, const double* u, std::size_t n, const double* v, std::size_t m,
                                 double p) {
    // n m must fit the integer breakpoints; beyond 2^64 fall back to fractional weights.
    if (n <= std::numeric_limits<std::uint64_t>::max() / m) {
        const double pp = wasserstein_pp_equal(ex, u, n, v, m, power_of{p});
        if (wp_in_range(pp, p)) return wp_root(pp, p);
        return wp_rescaled(
            [&](double q, scaled_difference diff) { return wasserstein_pp_equal(ex, u, n, v, m, power_of{q}, diff); },
            p);
    }
    std::vector<double> cu(n), cv(m);
    for (std::size_t i = 0; i < n; ++i) cu[i] = static_cast<double>(i + 1) / static_cast<double>(n);
    for (std::size_t j = 0; j < m; ++j) cv[j] = static_cast<double>(j + 1) / static_cast<double>(m);
    return wasserstein_weighted_sorted(view<const double>(u, n), cu, view<const double>(v, m), cv, p);
}
inline double wasserstein_sorted(const double* u, std::size_t n, const double* v, std::size_t m, double p) {
    return wasserstein_sorted(sequential, u, n, v, m, p);
}

// The walks over the merged values of two sorted samples run in chunks of distinct
// values: chunk c holds the x with split[c] <= x < split[c + 1] (split[0] = -inf, the last
// bound +inf), the split values being the values at merged ranks c (n + m) / K, found by
// co-ranking (merge path). A chunk starts with i = #{a < split[c]}, j = #{b < split[c]}
// and walks exactly the steps the whole walk makes there, so no step is split; partial
// results are combined in chunk order. K = ceil((n + m) / reduction_chunk) and the splits
// depend on the data only: the same for any thread count.
inline std::vector<double> merge_splits(view<const double> a, view<const double> b) {
    const std::size_t n = a.size(), m = b.size();
    const std::size_t chunks = chunk_count(n + m, reduction_chunk);
    std::vector<double> split(chunks + 1);
    split[0] = -std::numeric_limits<double>::infinity();
    split[chunks] = std::numeric_limits<double>::infinity();
    for (std::size_t c = 1; c < chunks; ++c) {
        const std::size_t k = c * (n + m) / chunks;  // 0 < k < n + m
        // The i for which the first k merged values are a[0, i) and b[0, k - i) (a first on ties).
        std::size_t lo = k > m ? k - m : 0, hi = std::min(k, n);
        while (lo < hi) {
            const std::size_t i = lo + (hi - lo) / 2;
            if (a[i] <= b[k - i - 1]) {
                lo = i + 1;
            } else {
                hi = i;
            }
        }
        const std::size_t i = lo, j = k - lo;
        split[c] = i == n ? b[j] : (j == m ? a[i] : std::min(a[i], b[j]));
    }
    return split;
}

// Where a chunk of the merged walk starts: #{a < x}, #{b < x}.
inline std::pair<std::size_t, std::size_t> merge_start(view<const double> a, view<const double> b, double x) {
    return {static_cast<std::size_t>(std::lower_bound(a.begin(), a.end(), x) - a.begin()),
            static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), x) - b.begin())};
}

// The walk of cdf_integral over the merged sorted values, each segment [x, next) with
// the CDFs fa, fb there (counts / n, or cumulative weights / total, after all values
// equal to x, as scipy's searchsorted(side='right')) giving segment(fa, fb, x, next);
// the compensated sum of those, or their maximum when `largest`. In merge_splits'
// chunks, on up to ex's threads.
template <class Segment>
double cdf_walk(const execution& ex, const sorted_sample& a, const sorted_sample& b, Segment segment, bool largest) {
    const view<const double> ca = a.c, cb = b.c;
    const std::size_t n = a.x.size(), m = b.x.size();
    const std::vector<double> split = merge_splits(a.x, b.x);
    struct partial {
        compensated_sum acc;
        double best = 0;
    };
    const std::vector<partial> part = chunked_map<partial>(ex, split.size() - 1, 1, [&](std::size_t c, std::size_t) {
        auto [i, j] = c == 0 ? std::pair<std::size_t, std::size_t>{0, 0} : merge_start(a.x, b.x, split[c]);
        double x = c == 0 ? std::min(a.x[0], b.x[0]) : split[c];
        const double end = split[c + 1];
        partial r;
        while (x < end) {
            // Advance both samples past every value equal to x.
            while (i < n && a.x[i] <= x) ++i;
            while (j < m && b.x[j] <= x) ++j;
            if (i == n && j == m) break;
            const double next = std::min(i < n ? a.x[i] : b.x[j], j < m ? b.x[j] : a.x[i]);
            const double fa = i == 0 ? 0.0 : (ca.empty() ? static_cast<double>(i) / static_cast<double>(n) : ca[i - 1]);
            const double fb = j == 0 ? 0.0 : (cb.empty() ? static_cast<double>(j) / static_cast<double>(m) : cb[j - 1]);
            const double term = segment(fa, fb, x, next);
            if (largest) {
                r.best = std::max(r.best, term);
            } else {
                r.acc += term;
            }
            x = next;
        }
        return r;
    });
    compensated_sum acc;
    double best = 0;
    for (const partial& s : part) {
        acc += s.acc;
        best = std::max(best, s.best);
    }
    return largest ? best : acc.value();
}

// sum over the merged sorted values of |F(x) - G(x)|^p (x_next - x): scipy's _cdf_distance
// without the final root, in double range (see energy_sorted for samples beyond it).
inline double cdf_integral(const execution& ex, const sorted_sample& a, const sorted_sample& b, double p) {
    const power_of pw{p};
    return cdf_walk(
        ex, a, b, [pw](double fa, double fb, double x, double next) { return pw(std::abs(fa - fb)) * (next - x); },
        false);
}
inline double cdf_integral(const sorted_sample& a, const sorted_sample& b, double p) {
    return cdf_integral(sequential, a, b, p);
}

// The energy distance sqrt(2 integral (F - G)^2 dx) of two sorted samples. The integral
// in double range fails where a segment next - x overflows (samples beyond +-2^1023:
// inf - inf, NaN, in the sums) or its terms fall below the normal range (samples within
// about 1e-290 of one another), although the distance, a square root, is representable
// for every finite sample. There the integral is taken again in units of the widest
// segment on which F != G (found from halved values where that width overflows: exact
// but for the last bit of subnormals, negligible beside a width past 2^1023); segments
// with F = G add nothing, even where their width overflows. The root is scaled back by a
// power of two: widest / half = f 2^e with f in [0.5, 2) and e even keeps the root of
// 2^e exact. The integral in double range is kept wherever it is in [2^-960, 2^1020]
// (each underflowed term is off by at most 2^-1075 absolutely), so those results are
// unchanged.
inline double energy_sorted(const execution& ex, const sorted_sample& a, const sorted_sample& b) {
    const double integral = cdf_integral(ex, a, b, 2.0);
    if (integral >= 0x1p-960 && integral <= 0x1p1020) return std::sqrt(2.0 * integral);
    auto widest_segment = [&](double half) {
        return cdf_walk(
            ex, a, b,
            [half](double fa, double fb, double x, double next) { return fa != fb ? next * half - x * half : 0.0; },
            true);
    };
    double half = 1.0;
    double widest = widest_segment(half);
    if (std::isinf(widest)) {
        half = 0.5;
        widest = widest_segment(half);
    }
    if (!(widest > 0.0)) return widest;  // F = G everywhere: 0 (NaN fractions: NaN)
    const double scaled = cdf_walk(
        ex, a, b,
        [half, widest](double fa, double fb, double x, double next) {
            const double d = fa - fb;
            return fa != fb ? d * d * ((next * half - x * half) / widest) : 0.0;
        },
        false);
    // integral = scaled widest / half, widest / half = f 2^e.
    int e = 0;
    double f = std::frexp(widest, &e);  // f in [0.5, 1)
    if (half < 1.0) ++e;
    if (e % 2 != 0) f *= 2.0, --e;
    return std::ldexp(std::sqrt(2.0 * scaled * f), e / 2);
}
inline double energy_sorted(const sorted_sample& a, const sorted_sample& b) { return energy_sorted(sequential, a, b); }

}  // namespace detail

// Exact p-Wasserstein distance between the empirical distributions of u and v (each
// value weighs 1/n): W_p = (integral_0^1 |F^-1(t) - G^-1(t)|^p dt)^(1/p), for p >= 1
// (p = infinity gives max |F^-1 - G^-1|). Returns W_p itself, not W_p^p (POT's
// ot.wasserstein_1d returns W_p^p; scipy.stats.wasserstein_distance is p = 1). In the
// units of the samples. Throws std::invalid_argument for p < 1 or NaN, an empty sample or
// an infinite value. O((n + m)) after sorting each sample with ck::sort_values.
// Range: any finite samples give a finite W_p, or +inf where W_p itself passes the double
// range (never NaN), and W_p(2^k u, 2^k v) = 2^k W_p(u, v) wherever both are normal: where
// a difference, |d|^p or the sum over- or underflows, the walk is taken again in units of
// the largest difference (two more passes; see detail::wp_rescaled). Elsewhere the
// result is the plain walk's, unchanged.
//
// With a leading execution (ck::threads(n), ck::all_threads) the samples are copied and
// sorted on up to that many threads; the result is the same bit for bit for any count.
// The sorted copies live in the calling thread's sort workspace, reused by later calls
// (ck::release_sort_workspace frees it).
template <class U, class V>
double wasserstein(const execution& ex, const U& u, const V& v, double p = 1.0, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "wasserstein";
    detail::check_order(fn, p);
    detail::sorted_pair s;
    detail::sort_samples(ex, fn, as_view(u), as_view(v), nan, s);
    if (s.u.is_nan || s.v.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return detail::wasserstein_sorted(ex, s.u.x.data(), s.u.x.size(), s.v.x.data(), s.v.x.size(), p);
}
template <class U, class V, class = detail::not_execution_t<U>>
double wasserstein(const U& u, const V& v, double p = 1.0, nan_policy nan = nan_policy::raise) {
    return wasserstein(sequential, u, v, p, nan);
}

namespace detail {

// below[k] = #{b < q[k]} for sorted b[0..m) and any queries q[0..n): the same branch-free
// halving for every query, taken one level at a time over all the queries, so that their
// loads do not wait on one another. One search after another stalls on each level's load,
// and branching on the comparison mispredicts half the time on fresh data.
inline void count_below_each(const double* b, std::size_t m, const double* q, std::size_t n, std::size_t* below) {
    std::fill(below, below + n, std::size_t{0});
    std::size_t len = m;
    while (len > 1) {
        const std::size_t half = len / 2;
        for (std::size_t k = 0; k < n; ++k) below[k] += b[below[k] + half - 1] < q[k] ? half : 0;
        len -= half;
    }
    if (len == 1) {
        for (std::size_t k = 0; k < n; ++k) below[k] += b[below[k]] < q[k] ? 1 : 0;
    }
}

// A double-double: the value hi + lo.
struct double_double {
    double hi = 0, lo = 0;
};
inline double_double dd_two_sum(double a, double b) noexcept {
    const double s = a + b;
    return {s, two_sum_error(a, b, s)};
}
inline double_double dd_sub(double_double a, double_double b) noexcept {
    const double_double s = dd_two_sum(a.hi, -b.hi);
    return dd_two_sum(s.hi, s.lo + (a.lo - b.lo));
}
// c * u exactly (c a whole number below 2^53).
inline double_double dd_product(double c, double u) noexcept {
    const double p = c * u;
    return {p, std::fma(c, u, -p)};
}

struct sorted_reference_access;

}  // namespace detail

// A one-dimensional sample copied and sorted once, to be compared with many others
// through wasserstein(u, reference) and ks_statistic(u, reference). A feedback loop
// compares every generation's output with one fixed human reference: sorting the
// reference again for each comparison cost more than the comparison itself.
// The values follow wasserstein's rules for a sample: finite, NaN per `nan` (omit drops
// them; propagate makes every comparison with this reference NaN). Errors
// (std::invalid_argument, "collapsekit::sorted_reference: ..."): an empty reference, an
// infinite value, a NaN under nan_policy::raise, only NaN under omit.
// The object holds its own copy and never changes after construction, so one reference
// may serve any number of threads at once. A leading execution sorts on threads; the
// sorted values are the same for any count.
class sorted_reference {
public:
    template <class V>
    sorted_reference(const execution& ex, const V& reference, nan_policy nan = nan_policy::raise) {
        const auto r = as_view(reference);
        values_.resize(r.size());
        detail::sort_scratch<double> scratch;
        const std::size_t kept =
            detail::sort_sample_into(ex, "sorted_reference", "reference", r, nan, values_.data(), scratch, is_nan_);
        values_.resize(kept);
        // Prefix sums as hi + lo, for W1 by search (see detail::w1_searched): lo gathers the
        // exact rounding error of every addition to hi, unnormalised, which keeps the two
        // dependency chains one addition long each.
        sums_.resize(kept + 1);
        double hi = 0, lo = 0;
        for (std::size_t k = 0; k < kept; ++k) {
            const double s = hi + values_[k];
            lo += two_sum_error(hi, values_[k], s);
            hi = s;
            sums_[k + 1] = detail::double_double{hi, lo};
        }
        sums_finite_ = std::isfinite(hi) && std::isfinite(lo);
    }
    template <class V, class = detail::not_execution_t<V>>
    explicit sorted_reference(const V& reference, nan_policy nan = nan_policy::raise)
        : sorted_reference(sequential, reference, nan) {}

    // The values kept, ascending (empty when is_nan()).
    view<const double> values() const noexcept { return as_view(values_); }
    std::size_t size() const noexcept { return values_.size(); }
    // True when the reference held NaN under nan_policy::propagate.
    bool is_nan() const noexcept { return is_nan_; }

private:
    friend struct detail::sorted_reference_access;
    std::vector<double> values_;
    std::vector<detail::double_double> sums_;  // sums_[k] = values_[0] + ... + values_[k - 1]
    bool is_nan_ = false;
    bool sums_finite_ = true;
};

namespace detail {

// u copied (checked as wasserstein's first sample) and sorted in the calling thread's
// sort workspace, for a comparison with a sorted_reference.
struct sorted_one {
    workspace_lease lease;
    sorted_sample u;
};

template <class U>
void sort_one(const execution& ex, const char* fn, view<const U> u, nan_policy nan, sorted_one& s) {
    const std::size_t n0 = u.size();
    double* const su = s.lease.get<double>(0, n0);
    sort_scratch<double> scratch(s.lease.get<double>(2, n0), n0);
    const std::size_t n = sort_sample_into(ex, fn, "u", u, nan, su, scratch, s.u.is_nan);
    s.u.x = view<const double>(su, n);
    s.u.effective_n = static_cast<double>(n);
}

// W1 between sorted u (n values) and sorted v (m values, prefix sums `sums`), for m much
// larger than n, in O(n log m) rather than the merge's O(n + m): the merge adds one
// segment per breakpoint of either sample, m + n of them, which for 100 values against
// 10 000 cost 20 times the rest of the comparison.
// On the integer time line of wasserstein_pp_equal, u[i] holds over (i m, (i + 1) m] and
// v[j] over (j n, (j + 1) n]. Within u[i]'s span the first and last v steps may be cut;
// the steps between weigh n each, and their sum of |u[i] - v[j]| splits at
// k = #{v < u[i]} into k' u[i] - (sum of the v below) and (sum of the v above) - k'' u[i],
// taken from the prefix sums in double-double, so that the subtraction loses nothing.
// Every term is >= 0, so the result is within a few ulps of the exact W1, as the merge's
// is; the two agree to about 1e-15 relative, not bit for bit. NaN when something
// overflowed (the caller then merges).
inline double w1_searched(const double* u, std::size_t n, const double* v, std::size_t m, const double_double* sums) {
    std::vector<std::size_t> below(n);
    count_below_each(v, m, u, n, below.data());
    const auto dn = static_cast<double>(n);
    compensated_sum acc;
    for (std::size_t i = 0; i < n; ++i) {
        const double ui = u[i];
        const std::uint64_t t0 = static_cast<std::uint64_t>(i) * m, t1 = t0 + m;
        const auto ja = static_cast<std::size_t>(t0 / n), jb = static_cast<std::size_t>((t1 - 1) / n);
        if (ja == jb) {
            acc += static_cast<double>(m) * std::abs(ui - v[ja]);
            continue;
        }
        const double first = static_cast<double>((static_cast<std::uint64_t>(ja) + 1) * n - t0) * std::abs(ui - v[ja]);
        const double last = static_cast<double>(t1 - static_cast<std::uint64_t>(jb) * n) * std::abs(ui - v[jb]);
        const std::size_t k = std::min(std::max(below[i], ja + 1), jb);
        const double_double under =
            dd_sub(dd_product(static_cast<double>(k - ja - 1), ui), dd_sub(sums[k], sums[ja + 1]));
        const double_double over = dd_sub(dd_sub(sums[jb], sums[k]), dd_product(static_cast<double>(jb - k), ui));
        const double inner = dn * ((under.hi + over.hi) + (under.lo + over.lo));
        acc += first + last + inner;
    }
    const double w = acc.value() / (dn * static_cast<double>(m));
    return std::isfinite(w) ? w : std::numeric_limits<double>::quiet_NaN();
}

struct sorted_reference_access {
    static const std::vector<double_double>& sums(const sorted_reference& r) noexcept { return r.sums_; }
    static bool sums_finite(const sorted_reference& r) noexcept { return r.sums_finite_; }
};

}  // namespace detail

// wasserstein(u, v, p, nan) with v given once as a sorted_reference (built from v), with
// the same errors for u and p. Only u is copied and sorted, then merged with the
// reference: O(n log n + m) for n = |u|, m = |v|, rather than O(m log m) more for sorting
// v again; the value is wasserstein(u, v, p)'s bit for bit. For p = 1 and a reference at
// least 8 times longer than u, the reference's prefix sums replace the merge (O(n log m),
// see detail::w1_searched): the value is then within a few ulps of the exact W1 as
// wasserstein's is, and agrees with it to about 1e-15 relative, not bit for bit.
template <class U>
double wasserstein(const execution& ex, const U& u, const sorted_reference& v, double p = 1.0,
                   nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "wasserstein";
    detail::check_order(fn, p);
    detail::sorted_one s;
    detail::sort_one(ex, fn, as_view(u), nan, s);
    if (s.u.is_nan || v.is_nan()) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t n = s.u.x.size(), m = v.size();
    if (p == 1.0 && m / 8 >= n && detail::sorted_reference_access::sums_finite(v)) {
        const double w =
            detail::w1_searched(s.u.x.data(), n, v.values().data(), m, detail::sorted_reference_access::sums(v).data());
        if (!std::isnan(w)) return w;
    }
    return detail::wasserstein_sorted(ex, s.u.x.data(), n, v.values().data(), m, p);
}
template <class U, class = detail::not_execution_t<U>>
double wasserstein(const U& u, const sorted_reference& v, double p = 1.0, nan_policy nan = nan_policy::raise) {
    return wasserstein(sequential, u, v, p, nan);
}

// Weighted samples: value u[i] carries mass u_weights[i] / sum(u_weights) (weights
// non-negative, finite, positive total, same length as the values), as
// scipy.stats.wasserstein_distance(u, v, u_weights, v_weights) for p = 1. Range as the
// unweighted form.
template <class U, class V, class UW, class VW>
double wasserstein(const execution& ex, const U& u, const V& v, const UW& u_weights, const VW& v_weights,
                   double p = 1.0, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "wasserstein";
    detail::check_order(fn, p);
    detail::sorted_weighted_pair s;
    detail::sort_weighted_samples(ex, fn, as_view(u), as_view(v), as_view(u_weights), as_view(v_weights), nan, s);
    if (s.u.is_nan || s.v.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return detail::wasserstein_weighted_sorted(s.u.x, s.u.c, s.v.x, s.v.c, p);
}
template <class U, class V, class UW, class VW, class = detail::not_execution_t<U>>
double wasserstein(const U& u, const V& v, const UW& u_weights, const VW& v_weights, double p = 1.0,
                   nan_policy nan = nan_policy::raise) {
    return wasserstein(sequential, u, v, u_weights, v_weights, p, nan);
}

// W_p between two histograms on the same bins, each bin's mass sitting at positions[i]
// (e.g. the bin centres; non-decreasing): counts are normalised by their totals. Throws
// for lengths that differ, negative or non-finite counts, a zero total, or positions that
// decrease or are not finite. Range as wasserstein: finite positions give a finite W_p or
// +inf, never NaN.
template <class A, class B, class X>
double wasserstein_histogram(const A& u_counts, const B& v_counts, const X& positions, double p = 1.0) {
    constexpr const char* fn = "wasserstein_histogram";
    detail::check_order(fn, p);
    const auto a = as_view(u_counts);
    const auto b = as_view(v_counts);
    const auto x = as_view(positions);
    require_not_empty(fn, "u_counts", a.size());
    require_same_length(fn, "u_counts", a.size(), "v_counts", b.size());
    require_same_length(fn, "u_counts", a.size(), "positions", x.size());
    std::vector<double> xs(x.size()), wa(a.size()), wb(b.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        xs[i] = static_cast<double>(x[i]);
        require_finite(fn, "positions", xs[i]);
        if (i > 0 && xs[i] < xs[i - 1]) fail(fn, "positions must be non-decreasing");
        wa[i] = static_cast<double>(a[i]);
        wb[i] = static_cast<double>(b[i]);
        if (!(wa[i] >= 0.0) || !std::isfinite(wa[i])) fail(fn, "u_counts must be non-negative and finite");
        if (!(wb[i] >= 0.0) || !std::isfinite(wb[i])) fail(fn, "v_counts must be non-negative and finite");
    }
    // Only the shares matter: counts whose total overflows to inf (which made every
    // fraction NaN) are divided by their largest first.
    for (std::vector<double>* w : {&wa, &wb}) {
        const double total = accurate_sum(view<const double>(w->data(), w->size()));
        require(total > 0.0, fn, std::string(w == &wa ? "u_counts" : "v_counts") + " must not be all zero");
        if (!std::isfinite(total)) {
            const double largest = *std::max_element(w->begin(), w->end());
            for (double& c : *w) c /= largest;
        }
    }
    const std::vector<double> ca = detail::cumulative_fractions(wa), cb = detail::cumulative_fractions(wb);
    return detail::wasserstein_weighted_sorted(xs, ca, xs, cb, p);
}

// Energy distance between the empirical distributions of u and v, scipy's definition:
// sqrt(2) * (integral (F(x) - G(x))^2 dx)^(1/2) = (2 E|X-Y| - E|X-X'| - E|Y-Y'|)^(1/2).
// In the units of the samples. Errors as wasserstein. Any finite samples give a finite
// value (at most 2 sqrt(max |x|)), never NaN: samples whose spread overflows, or that lie
// within about 1e-290 of one another, are integrated again in units of their widest
// segment (see detail::energy_sorted); elsewhere the result is unchanged.
// A leading execution sorts on threads, as for wasserstein.
template <class U, class V>
double energy_distance(const execution& ex, const U& u, const V& v, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "energy_distance";
    detail::sorted_pair s;
    detail::sort_samples(ex, fn, as_view(u), as_view(v), nan, s);
    if (s.u.is_nan || s.v.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return detail::energy_sorted(ex, s.u, s.v);
}
template <class U, class V, class = detail::not_execution_t<U>>
double energy_distance(const U& u, const V& v, nan_policy nan = nan_policy::raise) {
    return energy_distance(sequential, u, v, nan);
}
// Weighted form (scipy's u_weights, v_weights).
template <class U, class V, class UW, class VW>
double energy_distance(const execution& ex, const U& u, const V& v, const UW& u_weights, const VW& v_weights,
                       nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "energy_distance";
    detail::sorted_weighted_pair s;
    detail::sort_weighted_samples(ex, fn, as_view(u), as_view(v), as_view(u_weights), as_view(v_weights), nan, s);
    if (s.u.is_nan || s.v.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return detail::energy_sorted(ex, s.u, s.v);
}
template <class U, class V, class UW, class VW, class = detail::not_execution_t<U>>
double energy_distance(const U& u, const V& v, const UW& u_weights, const VW& v_weights,
                       nan_policy nan = nan_policy::raise) {
    return energy_distance(sequential, u, v, u_weights, v_weights, nan);
}

// ---------------------------------------------------------------------------------------
// Two-sample Kolmogorov-Smirnov test.

enum class ks_alternative { two_sided, less, greater };
// automatic: exact when max(n, m) <= 10000, else asymptotic (scipy's method='auto').
enum class ks_method { automatic, exact, asymptotic };

struct ks_result {
    double statistic = std::numeric_limits<double>::quiet_NaN();
    double pvalue = std::numeric_limits<double>::quiet_NaN();
    double statistic_location = std::numeric_limits<double>::quiet_NaN();  // the x where it is reached
    int statistic_sign = 0;                   // +1 if F_u - F_v is largest there, -1 if F_v - F_u
    ks_method method = ks_method::automatic;  // the method that produced the p-value
};

namespace detail {

// P(D_{n,n} >= h/n), two-sided, by the alternating series of reflections
// 2 sum_k (-1)^(k+1) C(2n, n - kh) / C(2n, n) (Gnedenko-Korolyuk), nested Horner-like so
// no term is formed by subtracting large numbers.
inline double ks_prob_outside_square(std::int64_t n, std::int64_t h) {
    double prob = 0.0;
    for (std::int64_t k = n / h; k >= 0; --k) {
        double ratio = 1.0;
        for (std::int64_t j = 0; j < h; ++j) {
            ratio = static_cast<double>(n - k * h - j) * ratio / static_cast<double>(n + k * h + j + 1);
        }
        prob = ratio * (1.0 - prob);
    }
    return 2.0 * prob;
}

// 1 - P(a uniformly random lattice path from (0,0) to (n1,n2) stays inside the band), the
// band being |i n2 - j n1| < bound (two-sided) or i n2 - j n1 < bound (one-sided).
// The walk carries probabilities, not path counts, so nothing overflows.
inline double ks_prob_outside_band(std::int64_t n1, std::int64_t n2, std::int64_t bound, bool two_sided) {
    const std::int64_t total = n1 + n2;
    std::vector<double> row(static_cast<std::size_t>(n2 + 1), 0.0);
    auto inside = [&](std::int64_t i, std::int64_t j) {
        const std::int64_t d = i * n2 - j * n1;
        return two_sided ? (d < bound && -d < bound) : d < bound;
    };
    for (std::int64_t i = 0; i <= n1; ++i) {
        for (std::int64_t j = 0; j <= n2; ++j) {
            double v;
            if (i == 0 && j == 0) {
                v = 1.0;
            } else {
                v = 0.0;
                if (i > 0) {
                    v += row[static_cast<std::size_t>(j)] * static_cast<double>(n1 - (i - 1)) /
                         static_cast<double>(total - (i - 1) - j);
                }
                if (j > 0) {
                    v += row[static_cast<std::size_t>(j - 1)] * static_cast<double>(n2 - (j - 1)) /
                         static_cast<double>(total - i - (j - 1));
                }
            }
            row[static_cast<std::size_t>(j)] = inside(i, j) ? v : 0.0;
        }
    }
    return 1.0 - row[static_cast<std::size_t>(n2)];
}

// The limiting Kolmogorov distribution's survival function Q(z) = P(sup|B| > z).
inline double kolmogorov_sf(double z) {
    if (!(z > 0.0)) return 1.0;
    constexpr double pi = 3.141592653589793238462643383279502884;
    if (z < 1.0) {
        // 1 - sqrt(2 pi)/z sum_k exp(-(2k-1)^2 pi^2 / (8 z^2)): fast for small z.
        compensated_sum s;
        for (int k = 1; k <= 20; ++k) {
            const double t = (2.0 * k - 1.0) * pi / z;
            s += std::exp(-t * t / 8.0);
        }
        return 1.0 - std::sqrt(2.0 * pi) / z * s.value();
    }
    compensated_sum s;
    for (int k = 1; k <= 100; ++k) {
        const double t = std::exp(-2.0 * k * k * z * z);
        s += (k % 2 ? 2.0 : -2.0) * t;
        if (t < 1e-300) break;
    }
    return std::min(1.0, std::max(0.0, s.value()));
}

inline double ks_asymptotic(double d, double n1, double n2, ks_alternative alt) {
    const double m = std::max(n1, n2), n = std::min(n1, n2);
    const double en = m * n / (m + n);
    if (alt == ks_alternative::two_sided) return kolmogorov_sf(std::sqrt(en) * d);
    // Hodges (1958) eq. 5.3, as scipy.
    const double z = std::sqrt(en) * d;
    const double expt = -2.0 * z * z - 2.0 * z * (m + 2.0 * n) / std::sqrt(m * n * (m + n)) / 3.0;
    return std::exp(expt);
}

// The p-value method ks_2samp uses for equally weighted samples of sizes n and m:
// automatic is exact when max(n, m) <= 10000 (scipy's method='auto'); exact falls back to
// asymptotic when the lattice lcm(n, m) leaves int32 (scipy's limit).
inline ks_method ks_resolved_method(std::size_t n, std::size_t m, ks_method method) {
    if (method == ks_method::automatic) return std::max(n, m) <= 10000 ? ks_method::exact : ks_method::asymptotic;
    if (method == ks_method::exact && n > 0 && m > 0) {
        const auto n1 = static_cast<std::int64_t>(n), n2 = static_cast<std::int64_t>(m);
        const std::int64_t g = std::gcd(n1, n2);
        if (static_cast<double>(n1 / g) >= 2147483647.0 / static_cast<double>(n2 / g)) return ks_method::asymptotic;
    }
    return method;
}

// Whether the statistic is the largest F_v - F_u (i m - j n most negative) rather than the
// largest F_u - F_v, for the extremes max_int >= 0 >= min_int of i m - j n.
inline bool ks_uses_min(std::int64_t max_int, std::int64_t min_int, std::size_t n, std::size_t m, ks_alternative alt) {
    const double nm = static_cast<double>(n) * static_cast<double>(m);
    const double max_s = static_cast<double>(max_int) / nm;
    const double min_s = std::min(1.0, std::max(0.0, -static_cast<double>(min_int) / nm));
    return alt == ks_alternative::less || (alt == ks_alternative::two_sided && min_s > max_s);
}

// The statistic ks_2samp reports for equally weighted samples of sizes n, m (both > 0)
// whose i m - j n reaches the extremes max_int and min_int, under the resolved method:
// exact gives h / lcm(n, m) (h = D n m / gcd, an integer), asymptotic D / (n m).
inline double ks_statistic_of(std::int64_t max_int, std::int64_t min_int, std::size_t n, std::size_t m,
                              ks_alternative alt, ks_method resolved) {
    const bool use_min = ks_uses_min(max_int, min_int, n, m, alt);
    const double nm = static_cast<double>(n) * static_cast<double>(m);
    if (resolved != ks_method::exact) {
        return use_min ? std::min(1.0, std::max(0.0, -static_cast<double>(min_int) / nm))
                       : static_cast<double>(max_int) / nm;
    }
    const auto n1 = static_cast<std::int64_t>(n), n2 = static_cast<std::int64_t>(m);
    const std::int64_t g = std::gcd(n1, n2);
    const std::int64_t dint = use_min ? std::max<std::int64_t>(0, -min_int) : max_int;
    return static_cast<double>(dint / g) / (static_cast<double>(n1 / g) * static_cast<double>(n2));
}

// ks_2samp's p-value for those extremes under the resolved method, in [0, 1]: the exact
// lattice-path probability (O(n m) time) or the asymptotic formula of the statistic.
inline double ks_pvalue_of(std::int64_t max_int, std::int64_t min_int, std::size_t n, std::size_t m, ks_alternative alt,
                           ks_method resolved) {
    const auto n1 = static_cast<std::int64_t>(n), n2 = static_cast<std::int64_t>(m);
    if (resolved != ks_method::exact) {
        const double d = ks_statistic_of(max_int, min_int, n, m, alt, resolved);
        return std::min(1.0, std::max(0.0, ks_asymptotic(d, static_cast<double>(n), static_cast<double>(m), alt)));
    }
    const std::int64_t g = std::gcd(n1, n2);
    const std::int64_t dint = ks_uses_min(max_int, min_int, n, m, alt) ? std::max<std::int64_t>(0, -min_int) : max_int;
    const std::int64_t h = dint / g;  // statistic = h / lcm(n1, n2) exactly
    double prob;
    if (h == 0) {
        prob = 1.0;
    } else if (alt == ks_alternative::two_sided) {
        prob = n1 == n2 ? ks_prob_outside_square(n1, h) : ks_prob_outside_band(n1, n2, h * g, true);
    } else if (n1 == n2) {
        prob = 1.0;
        for (std::int64_t k = 0; k < h; ++k) prob *= static_cast<double>(n1 - k) / static_cast<double>(n1 + k + 1);
    } else {
        prob = ks_prob_outside_band(n1, n2, h * g, false);
    }
    return std::min(1.0, std::max(0.0, prob));
}

inline ks_result ks_from_sorted(const execution& ex, const sorted_sample& a, const sorted_sample& b, ks_alternative alt,
                                ks_method method) {
    const bool weighted = !a.c.empty() || !b.c.empty();
    const view<const double> ca = a.c, cb = b.c;
    const std::size_t n = a.x.size(), m = b.x.size();
    // Walk the merged values; the difference is evaluated after all values equal to x.
    // Each chunk of merge_splits keeps its extremes and where they are first reached; the
    // chunks are combined in order with strict comparisons, so the locations are the first
    // ones, as in one walk.
    struct extremes {
        std::int64_t max_int = std::numeric_limits<std::int64_t>::min(),
                     min_int = std::numeric_limits<std::int64_t>::max();
        double max_w = -2, min_w = 2, loc_max = 0, loc_min = 0;
    };
    const std::vector<double> split = merge_splits(a.x, b.x);
    const std::vector<extremes> part = chunked_map<extremes>(ex, split.size() - 1, 1, [&](std::size_t c, std::size_t) {
        auto [i, j] = c == 0 ? std::pair<std::size_t, std::size_t>{0, 0} : merge_start(a.x, b.x, split[c]);
        const double end = split[c + 1];
        extremes e;
        while (i < n || j < m) {
            const double x = (j == m || (i < n && a.x[i] <= b.x[j])) ? a.x[i] : b.x[j];
            if (!(x < end)) break;
            while (i < n && a.x[i] <= x) ++i;
            while (j < m && b.x[j] <= x) ++j;
            if (weighted) {
                const double fa = i == 0 ? 0.0 : (ca.empty() ? double(i) / double(n) : ca[i - 1]);
                const double fb = j == 0 ? 0.0 : (cb.empty() ? double(j) / double(m) : cb[j - 1]);
                const double dd = fa - fb;
                if (dd > e.max_w) e.max_w = dd, e.loc_max = x;
                if (dd < e.min_w) e.min_w = dd, e.loc_min = x;
            } else {
                const auto dd = static_cast<std::int64_t>(i) * static_cast<std::int64_t>(m) -
                                static_cast<std::int64_t>(j) * static_cast<std::int64_t>(n);
                if (dd > e.max_int) e.max_int = dd, e.loc_max = x;
                if (dd < e.min_int) e.min_int = dd, e.loc_min = x;
            }
        }
        return e;
    });
    extremes t;
    for (const extremes& e : part) {
        if (weighted) {
            if (e.max_w > t.max_w) t.max_w = e.max_w, t.loc_max = e.loc_max;
            if (e.min_w < t.min_w) t.min_w = e.min_w, t.loc_min = e.loc_min;
        } else {
            if (e.max_int > t.max_int) t.max_int = e.max_int, t.loc_max = e.loc_max;
            if (e.min_int < t.min_int) t.min_int = e.min_int, t.loc_min = e.loc_min;
        }
    }
    const std::int64_t max_int = t.max_int, min_int = t.min_int;
    const double max_w = t.max_w, min_w = t.min_w, loc_max = t.loc_max, loc_min = t.loc_min;
    const double nm = static_cast<double>(n) * static_cast<double>(m);
    const double max_s = weighted ? max_w : static_cast<double>(max_int) / nm;
    const double min_s = std::min(1.0, std::max(0.0, weighted ? -min_w : -static_cast<double>(min_int) / nm));
    ks_result r;
    bool use_min = alt == ks_alternative::less || (alt == ks_alternative::two_sided && min_s > max_s);
    r.statistic = use_min ? min_s : max_s;
    r.statistic_location = use_min ? loc_min : loc_max;
    r.statistic_sign = use_min ? -1 : 1;
    if (weighted) {
        // Kish's effective sample sizes (sum w)^2 / sum w^2 in the asymptotic formula.
        r.method = ks_method::asymptotic;
        r.pvalue = std::min(1.0, std::max(0.0, ks_asymptotic(r.statistic, a.effective_n, b.effective_n, alt)));
        return r;
    }
    r.method = ks_resolved_method(n, m, method);
    r.statistic = ks_statistic_of(max_int, min_int, n, m, alt, r.method);
    r.pvalue = ks_pvalue_of(max_int, min_int, n, m, alt, r.method);
    return r;
}
inline ks_result ks_from_sorted(const sorted_sample& a, const sorted_sample& b, ks_alternative alt, ks_method method) {
    return ks_from_sorted(sequential, a, b, alt, method);
}

}  // namespace detail

// Two-sample Kolmogorov-Smirnov test of H0: u and v come from the same continuous
// distribution, with scipy.stats.ks_2samp's conventions: the statistic is
// sup_x |F_u(x) - F_v(x)| (two_sided), sup_x (F_u - F_v) (greater) or sup_x (F_v - F_u)
// (less), F being the empirical CDFs (right-continuous).
// p-value: exact (lattice-path probability; matches scipy.stats.ks_2samp to ~1e-13) when
// method is exact, or automatic with max(n, m) <= 10000; asymptotic otherwise: one-sided
// Hodges' formula (as scipy), two-sided the limiting Kolmogorov distribution
// Q(sqrt(n m / (n + m)) D). scipy instead evaluates kstwo.sf(D, round(n m / (n + m))),
// which differs from the limit by O(1 / sqrt(n m / (n + m))) relative.
// A leading execution sorts on threads, as for wasserstein.
template <class U, class V>
ks_result ks_2samp(const execution& ex, const U& u, const V& v, ks_alternative alternative = ks_alternative::two_sided,
                   ks_method method = ks_method::automatic, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "ks_2samp";
    detail::sorted_pair s;
    detail::sort_samples(ex, fn, as_view(u), as_view(v), nan, s);
    if (s.u.is_nan || s.v.is_nan) return ks_result{};
    return detail::ks_from_sorted(ex, s.u, s.v, alternative, method);
}
template <class U, class V, class = detail::not_execution_t<U>>
ks_result ks_2samp(const U& u, const V& v, ks_alternative alternative = ks_alternative::two_sided,
                   ks_method method = ks_method::automatic, nan_policy nan = nan_policy::raise) {
    return ks_2samp(sequential, u, v, alternative, method, nan);
}

// Weighted variant: F_u, F_v are weighted empirical CDFs (weights normalised by their
// totals). The p-value is asymptotic, with Kish's effective sizes (sum w)^2 / sum w^2 in
// place of n and m (an approximation; exact for equal weights in the large-sample limit).
template <class U, class V, class UW, class VW>
ks_result ks_2samp_weighted(const execution& ex, const U& u, const V& v, const UW& u_weights, const VW& v_weights,
                            ks_alternative alternative = ks_alternative::two_sided,
                            nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "ks_2samp_weighted";
    detail::sorted_weighted_pair s;
    detail::sort_weighted_samples(ex, fn, as_view(u), as_view(v), as_view(u_weights), as_view(v_weights), nan, s);
    if (s.u.is_nan || s.v.is_nan) return ks_result{};
    return detail::ks_from_sorted(ex, s.u, s.v, alternative, ks_method::asymptotic);
}
template <class U, class V, class UW, class VW, class = detail::not_execution_t<U>>
ks_result ks_2samp_weighted(const U& u, const V& v, const UW& u_weights, const VW& v_weights,
                            ks_alternative alternative = ks_alternative::two_sided,
                            nan_policy nan = nan_policy::raise) {
    return ks_2samp_weighted(sequential, u, v, u_weights, v_weights, alternative, nan);
}

namespace detail {

// The first k in [from, m) with !before(v[k]), v sorted and before(v[from - 1]) true (or
// from = 0): galloping from `from`, then bisecting, so that a run of searches moving
// forward through v costs O(log distance) each rather than O(log m).
template <class Before>
std::size_t gallop(const double* v, std::size_t from, std::size_t m, Before before) {
    if (from >= m || !before(v[from])) return from;
    std::size_t lo = from, hi = m;  // before(v[lo]); the answer lies in (lo, hi]
    for (std::size_t step = 1;; step *= 2) {
        if (step >= m - lo) break;
        if (!before(v[lo + step])) {
            hi = lo + step;
            break;
        }
        lo += step;
    }
    ++lo;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (before(v[mid])) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// The extremes of D(t) = i(t) m - j(t) n, i(t) = #{a <= t}, j(t) = #{b <= t}, over the
// distinct values t of the merged sorted samples a (n values) and b (m values): what
// ks_from_sorted's walk finds, found by visiting a's distinct values only.
// Between two consecutive distinct values t' < t of a, i stays at #{a <= t'} while j
// grows, so D is largest at t' itself and smallest just before t, with j = #{b < t};
// before a's first value i = 0, and from a's last value on D >= 0. The walk's last value
// gives D = n m - m n = 0, so both extremes include 0.
// #{b < t} at each a value comes from count_below_each when b is much the longer
// (O(n log m)), else from one walk through b (O(n + m)); #{b <= t} differs from it only
// where b holds t itself.
inline void ks_extremes_visiting(view<const double> a, view<const double> b, std::int64_t& max_d, std::int64_t& min_d) {
    const std::size_t n = a.size(), m = b.size();
    const auto sn = static_cast<std::int64_t>(n), sm = static_cast<std::int64_t>(m);
    std::vector<std::size_t> below(n);
    if (m / 8 >= n) {
        count_below_each(b.data(), m, a.data(), n, below.data());
    } else {
        std::size_t j = 0;
        for (std::size_t i = 0; i < n; ++i) {
            while (j < m && b[j] < a[i]) ++j;
            below[i] = j;
        }
    }
    max_d = 0;
    min_d = 0;
    std::size_t i = 0;
    while (i < n) {
        const double t = a[i];
        const std::size_t j_below = below[i];
        min_d = std::min(min_d, static_cast<std::int64_t>(i) * sm - static_cast<std::int64_t>(j_below) * sn);
        while (i < n && a[i] <= t) ++i;
        const std::size_t j_at_most =
            j_below < m && b[j_below] <= t ? gallop(b.data(), j_below, m, [t](double y) { return y <= t; }) : j_below;
        max_d = std::max(max_d, static_cast<std::int64_t>(i) * sm - static_cast<std::int64_t>(j_at_most) * sn);
    }
}

// The statistic ks_from_sorted reports for equally weighted samples under
// ks_method::automatic, from the extremes of i m - j n.
inline double ks_statistic_of(std::int64_t max_int, std::int64_t min_int, std::size_t n, std::size_t m,
                              ks_alternative alt) {
    return ks_statistic_of(max_int, min_int, n, m, alt, ks_resolved_method(n, m, ks_method::automatic));
}

// The statistic of two sorted samples, visiting the distinct values of the smaller one.
// O(n log m) for m >= 8 n, else O(n + m) (n <= m).
inline double ks_statistic_sorted(view<const double> a, view<const double> b, ks_alternative alt) {
    std::int64_t max_d = 0, min_d = 0;
    if (a.size() <= b.size()) {
        ks_extremes_visiting(a, b, max_d, min_d);
    } else {
        // j n - i m is -D: its extremes swap.
        std::int64_t max_r = 0, min_r = 0;
        ks_extremes_visiting(b, a, max_r, min_r);
        max_d = -min_r;
        min_d = -max_r;
    }
    return ks_statistic_of(max_d, min_d, a.size(), b.size(), alt);
}

}  // namespace detail

// The two-sample Kolmogorov-Smirnov statistic alone: ks_2samp(u, v, alternative).statistic
// bit for bit (the same errors, NaN handling and rounding), without the p-value, whose
// exact form costs O(n m) (over 5 ms at 100 vs 10 000 values). After sorting both
// samples, only the distinct values of the smaller one (n values) are visited, the larger
// one (m) being searched: O(n log m) for m >= 8 n, else a walk, O(n + m). Errors name
// ks_statistic.
// A leading execution sorts on threads, as for wasserstein.
template <class U, class V>
double ks_statistic(const execution& ex, const U& u, const V& v, ks_alternative alternative = ks_alternative::two_sided,
                    nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "ks_statistic";
    detail::sorted_pair s;
    detail::sort_samples(ex, fn, as_view(u), as_view(v), nan, s);
    if (s.u.is_nan || s.v.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return detail::ks_statistic_sorted(s.u.x, s.v.x, alternative);
}
template <class U, class V, class = detail::not_execution_t<U>>
double ks_statistic(const U& u, const V& v, ks_alternative alternative = ks_alternative::two_sided,
                    nan_policy nan = nan_policy::raise) {
    return ks_statistic(sequential, u, v, alternative, nan);
}

// ks_statistic(u, v) with v given once as a sorted_reference: the same value bit for bit
// and the same errors for u. Only u is copied and sorted; the reference is searched at
// u's values: O(n log n + n log m) for m >= 8 n.
template <class U>
double ks_statistic(const execution& ex, const U& u, const sorted_reference& v,
                    ks_alternative alternative = ks_alternative::two_sided, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "ks_statistic";
    detail::sorted_one s;
    detail::sort_one(ex, fn, as_view(u), nan, s);
    if (s.u.is_nan || v.is_nan()) return std::numeric_limits<double>::quiet_NaN();
    return detail::ks_statistic_sorted(s.u.x, v.values(), alternative);
}
template <class U, class = detail::not_execution_t<U>>
double ks_statistic(const U& u, const sorted_reference& v, ks_alternative alternative = ks_alternative::two_sided,
                    nan_policy nan = nan_policy::raise) {
    return ks_statistic(sequential, u, v, alternative, nan);
}

// ---------------------------------------------------------------------------------------
// Sliced Wasserstein distance in d dimensions.

struct sliced_options {
    std::size_t projections = 100;  // L >= 2 random directions
    double p = 2.0;                 // order, >= 1 (finite)
    std::uint64_t seed = 0;
};

namespace detail {

// Direction l of sliced_wasserstein: a standard normal vector from
// rng::for_stream(seed, l), normalised (theta.size() is the dimension).
inline void sliced_direction(std::uint64_t seed, std::size_t l, std::vector<double>& theta) {
    rng g = rng::for_stream(seed, l);
    normal_distribution normal;
    double norm2 = 0;
    do {
        norm2 = 0;
        for (double& t : theta) t = normal(g), norm2 += t * t;
    } while (!(norm2 > 0.0));
    const double inv = 1.0 / std::sqrt(norm2);
    for (double& t : theta) t *= inv;
}

// out[i] = theta . x_i for the n row-major points of x. Shared by every caller, so that
// a projection is computed with the same operations (the same bits) wherever it is made.
template <class T>
void project_points(view<const T> x, std::size_t n, const std::vector<double>& theta, double* out) {
    const std::size_t dim = theta.size();
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::size_t k = 0; k < dim; ++k) s += theta[k] * static_cast<double>(x[i * dim + k]);
        out[i] = s;
    }
}

// The estimate from the per-direction W_p^p values, summed in direction order.
inline estimate sliced_estimate(const std::vector<double>& slices, double p) {
    compensated_sum s;
    for (double v : slices) s += v;
    const auto L = static_cast<double>(slices.size());
    const double mean = s.value() / L;
    compensated_sum ss;
    for (double v : slices) ss += (v - mean) * (v - mean);
    const double se_mean = std::sqrt(ss.value() / (L - 1.0) / L);
    estimate e;
    e.n = slices.size();
    e.value = wp_root(mean, p);
    e.standard_error = mean > 0.0 ? se_mean * e.value / (p * mean) : 0.0;
    return e;
}

}  // namespace detail

// SW_p(X, Y) = (E_theta W_p^p(theta.X, theta.Y))^(1/p), theta uniform on the unit sphere,
// estimated with L directions (direction l drawn from rng::for_stream(seed, l) as a
// normalised standard normal vector). x and y are row-major n x dim and m x dim points.
// Returns {value, standard_error, n = L}: the standard error of the mean of W_p^p over
// directions, carried to the root by the delta method (0 when every slice is 0).
// Throws for dim = 0, sizes not a multiple of dim, empty inputs, L < 2, p < 1 or infinite.
//
// With a leading execution the directions are spread over up to that many threads (each
// with its own buffers); slice l's value depends only on l, and the slices are summed in
// order, so the estimate is the same bit for bit for any thread count.
template <class X, class Y>
estimate sliced_wasserstein(const execution& ex, const X& x, const Y& y, std::size_t dim,
                            const sliced_options& opt = {}) {
    constexpr const char* fn = "sliced_wasserstein";
    const auto vx = as_view(x);
    const auto vy = as_view(y);
    require(dim >= 1, fn, "dim must be at least 1");
    require(vx.size() % dim == 0, fn, "x size is not a multiple of dim");
    require(vy.size() % dim == 0, fn, "y size is not a multiple of dim");
    require_not_empty(fn, "x", vx.size());
    require_not_empty(fn, "y", vy.size());
    require(opt.projections >= 2, fn, "projections must be at least 2");
    detail::check_order(fn, opt.p);
    require_finite(fn, "p", opt.p);
    for (std::size_t i = 0; i < vx.size(); ++i) require_finite(fn, "x", static_cast<double>(vx[i]));
    for (std::size_t i = 0; i < vy.size(); ++i) require_finite(fn, "y", static_cast<double>(vy[i]));
    const std::size_t n = vx.size() / dim, m = vy.size() / dim;
    std::vector<double> slices(opt.projections);
    // Lane k takes directions k, k + lanes, ...; a lane holds one direction's buffers.
    const std::size_t lanes = ex.workers(opt.projections, std::max<std::size_t>(1, 65536 / (n + m + 1)));
    detail::parallel_for(threads(lanes), lanes, [&](std::size_t lane) {
        std::vector<double> theta(dim), px(n), py(m);
        detail::sort_scratch<double> scratch;
        for (std::size_t l = lane; l < opt.projections; l += lanes) {
            detail::sliced_direction(opt.seed, l, theta);
            detail::project_points(vx, n, theta, px.data());
            detail::project_points(vy, m, theta, py.data());
            detail::sort_values_with(view<double>(px.data(), n), scratch);
            detail::sort_values_with(view<double>(py.data(), m), scratch);
            slices[l] = detail::wasserstein_pp_equal(px.data(), n, py.data(), m, detail::power_of{opt.p});
        }
    });
    return detail::sliced_estimate(slices, opt.p);
}
template <class X, class Y, class = detail::not_execution_t<X>>
estimate sliced_wasserstein(const X& x, const Y& y, std::size_t dim, const sliced_options& opt = {}) {
    return sliced_wasserstein(sequential, x, y, dim, opt);
}

// The second sample of sliced_wasserstein projected on every direction and sorted once,
// to compare many samples x with the same y: per comparison only x is projected and
// sorted. Holds projections x m doubles (m points), and the directions.
// Errors (std::invalid_argument, "collapsekit::sliced_reference: ..."): those of
// sliced_wasserstein that concern y, dim or the options. Immutable once built: one
// reference may serve many threads at once.
class sliced_reference {
public:
    template <class Y>
    sliced_reference(const Y& y, std::size_t dim, const sliced_options& opt = {}) : dim_(dim), opt_(opt) {
        constexpr const char* fn = "sliced_reference";
        const auto vy = as_view(y);
        require(dim >= 1, fn, "dim must be at least 1");
        require(vy.size() % dim == 0, fn, "y size is not a multiple of dim");
        require_not_empty(fn, "y", vy.size());
        require(opt.projections >= 2, fn, "projections must be at least 2");
        detail::check_order(fn, opt.p);
        require_finite(fn, "p", opt.p);
        for (std::size_t i = 0; i < vy.size(); ++i) require_finite(fn, "y", static_cast<double>(vy[i]));
        m_ = vy.size() / dim;
        theta_.resize(opt.projections * dim);
        sorted_.resize(opt.projections * m_);
        std::vector<double> theta(dim);
        detail::sort_scratch<double> scratch;
        for (std::size_t l = 0; l < opt.projections; ++l) {
            detail::sliced_direction(opt.seed, l, theta);
            std::copy(theta.begin(), theta.end(), theta_.begin() + static_cast<std::ptrdiff_t>(l * dim));
            double* const py = sorted_.data() + l * m_;
            detail::project_points(vy, m_, theta, py);
            detail::sort_values_with(view<double>(py, m_), scratch);
        }
    }

    std::size_t dim() const noexcept { return dim_; }
    std::size_t size() const noexcept { return m_; }  // points
    const sliced_options& options() const noexcept { return opt_; }
    // Direction l and y's sorted projections on it.
    std::vector<double> direction(std::size_t l) const {
        return std::vector<double>(theta_.begin() + static_cast<std::ptrdiff_t>(l * dim_),
                                   theta_.begin() + static_cast<std::ptrdiff_t>((l + 1) * dim_));
    }
    view<const double> sorted_projections(std::size_t l) const noexcept {
        return view<const double>(sorted_.data() + l * m_, m_);
    }

private:
    std::size_t dim_ = 0, m_ = 0;
    sliced_options opt_;
    std::vector<double> theta_, sorted_;
};

// sliced_wasserstein(x, y, dim, opt) with y, dim and opt given once as a
// sliced_reference: the same estimate bit for bit, and the same errors for x.
template <class X>
estimate sliced_wasserstein(const execution& ex, const X& x, const sliced_reference& y) {
    constexpr const char* fn = "sliced_wasserstein";
    const auto vx = as_view(x);
    const std::size_t dim = y.dim(), m = y.size();
    const sliced_options& opt = y.options();
    require(vx.size() % dim == 0, fn, "x size is not a multiple of dim");
    require_not_empty(fn, "x", vx.size());
    for (std::size_t i = 0; i < vx.size(); ++i) require_finite(fn, "x", static_cast<double>(vx[i]));
    const std::size_t n = vx.size() / dim;
    std::vector<double> slices(opt.projections);
    const std::size_t lanes = ex.workers(opt.projections, std::max<std::size_t>(1, 65536 / (n + m + 1)));
    detail::parallel_for(threads(lanes), lanes, [&](std::size_t lane) {
        std::vector<double> theta, px(n);
        detail::sort_scratch<double> scratch;
        for (std::size_t l = lane; l < opt.projections; l += lanes) {
            theta = y.direction(l);
            detail::project_points(vx, n, theta, px.data());
            detail::sort_values_with(view<double>(px.data(), n), scratch);
            slices[l] =
                detail::wasserstein_pp_equal(px.data(), n, y.sorted_projections(l).data(), m, detail::power_of{opt.p});
        }
    });
    return detail::sliced_estimate(slices, opt.p);
}
template <class X, class = detail::not_execution_t<X>>
estimate sliced_wasserstein(const X& x, const sliced_reference& y) {
    return sliced_wasserstein(sequential, x, y);
}

// The sample measures as small value types (see divergence.hpp's ck::measures).
namespace measures {
struct wasserstein {
    double p = 1.0;
    nan_policy nan = nan_policy::raise;
    template <class U, class V>
    double operator()(const U& u, const V& v) const {
        return ::collapsekit::wasserstein(u, v, p, nan);
    }
};
struct energy_distance {
    nan_policy nan = nan_policy::raise;
    template <class U, class V>
    double operator()(const U& u, const V& v) const {
        return ::collapsekit::energy_distance(u, v, nan);
    }
};
// The KS statistic (a distance in [0, 1]); the p-value is not a distance.
struct ks_statistic {
    nan_policy nan = nan_policy::raise;
    template <class U, class V>
    double operator()(const U& u, const V& v) const {
        return ::collapsekit::ks_2samp(u, v, ks_alternative::two_sided, ks_method::asymptotic, nan).statistic;
    }
};
}  // namespace measures

}  // namespace collapsekit
