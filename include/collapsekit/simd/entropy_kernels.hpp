// Entropy kernels: sum x log x over doubles (probabilities, or counts held as doubles)
// and over uint64 counts, with a table of c log c for small counts so that most count
// vectors need no logarithm at all. Each kernel has a scalar twin.
//
// Both twins sum with Neumaier compensation (the SIMD one per lane, the lanes combined
// at the end), so they agree to a few ulp whatever the order of the terms; every term
// x log x of a probability has the same sign, so the relative error of the sum is that
// of its terms.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "../core/config.hpp"
#include "../core/numeric.hpp"
#include "compat.hpp"
#include "log.hpp"
#include "sum.hpp"

namespace collapsekit::simd {

// Counts below this are looked up; 4096 doubles = 32 KiB, about one L1 cache.
inline constexpr std::uint64_t clogc_table_size = 4096;

// c log c for c in [0, clogc_table_size), with 0 log 0 = 0. Built once, thread-safely.
inline const double* clogc_table() noexcept {
    struct table {
        double v[clogc_table_size];
        table() noexcept {
            v[0] = 0.0;
            for (std::uint64_t c = 1; c < clogc_table_size; ++c) {
                const double x = static_cast<double>(c);
                v[c] = x * std::log(x);
            }
        }
    };
    static const table t;
    return t.v;
}

// c log c of one count, from the table or from std::log.
inline double clogc(std::uint64_t c) noexcept {
    if (c < clogc_table_size) return clogc_table()[c];
    const double x = static_cast<double>(c);
    return x * std::log(x);
}

// sum x[i] log x[i] (0 log 0 = 0) and sum x[i], both compensated, in one pass. Negative
// x makes sum_xlogx NaN, +inf makes it +inf, NaN propagates: a caller that gets a
// finite answer knows the input was non-negative and finite. Subnormal x are handled.
struct xlogx_sums {
    double sum_xlogx = 0.0;
    double sum = 0.0;
};

inline xlogx_sums sum_xlogx_scalar(const double* x, std::size_t n) noexcept {
    ::collapsekit::compensated_sum s, t;
    for (std::size_t i = 0; i < n; ++i) {
        s.add(x[i] == 0.0 ? 0.0 : x[i] * std::log(x[i]));
        t.add(x[i]);
    }
    return {s.value(), t.value()};
}

// Sum and total of uint64 counts: sum c log c (compensated) and sum c. `total_double`
// is the same total in double, which lets the caller detect that sum c overflowed 2^64.
struct clogc_sums {
    double sum_clogc = 0.0;
    std::uint64_t total = 0;
    double total_double = 0.0;
};

inline clogc_sums sum_clogc_scalar(const std::uint64_t* c, std::size_t n) noexcept {
    const double* table = clogc_table();
    ::collapsekit::compensated_sum s;
    clogc_sums r;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t v = c[i];
        s.add(v < clogc_table_size ? table[v] : clogc(v));
        r.total += v;
        r.total_double += static_cast<double>(v);
    }
    r.sum_clogc = s.value();
    return r;
}

#if COLLAPSEKIT_HAS_SIMD

namespace detail {
// Lanes of a Neumaier sum, folded in a fixed order (IEEE answer kept if a lane is infinite).
inline double fold_lanes(const batch<double>& s0, const batch<double>& c0, const batch<double>& s1,
                         const batch<double>& c1) noexcept {
    constexpr std::size_t W = lanes<double>;
    alignas(64) double out[4][W];
    store(out[0], s0);
    store(out[1], s1);
    store(out[2], c0);
    store(out[3], c1);
    ::collapsekit::compensated_sum total;
    for (int row = 0; row < 4; ++row) {
        for (double v : out[row]) {
            if (row < 2 || std::isfinite(v)) total.add(v);
        }
    }
    return total.value();
}

inline batch<double> xlogx_lanes(const batch<double>& x) noexcept {
    const batch<double> zero = splat(0.0);
    return xsimd::select(x == zero, zero, x * ::collapsekit::simd::log(x));
}
}  // namespace detail

inline xlogx_sums sum_xlogx_simd(const double* x, std::size_t n) noexcept {
    constexpr std::size_t W = lanes<double>;
    batch<double> s0 = splat(0.0), c0 = s0, s1 = s0, c1 = s0;
    batch<double> t0 = s0, d0 = s0, t1 = s0, d1 = s0;
    const std::size_t n2 = n - n % (2 * W), n1 = n - n % W;
    std::size_t i = 0;
    for (; i < n2; i += 2 * W) {
        const batch<double> a = load(x + i), b = load(x + i + W);
        neumaier_step(s0, c0, detail::xlogx_lanes(a));
        neumaier_step(s1, c1, detail::xlogx_lanes(b));
        neumaier_step(t0, d0, a);
        neumaier_step(t1, d1, b);
    }
    for (; i < n1; i += W) {
        const batch<double> a = load(x + i);
        neumaier_step(s0, c0, detail::xlogx_lanes(a));
        neumaier_step(t0, d0, a);
    }
    ::collapsekit::compensated_sum s(detail::fold_lanes(s0, c0, s1, c1)), t(detail::fold_lanes(t0, d0, t1, d1));
    for (; i < n; ++i) {
        s.add(x[i] == 0.0 ? 0.0 : x[i] * std::log(x[i]));
        t.add(x[i]);
    }
    return {s.value(), t.value()};
}

// Counts below the table size are gathered from the table; a batch with a larger count
// computes c log c for its lanes with simd::log (counts up to 2^63; beyond, per lane).
inline clogc_sums sum_clogc_simd(const std::uint64_t* c, std::size_t n) noexcept {
    constexpr std::size_t W = lanes<double>;
    static_assert(lanes<std::uint64_t> == W, "uint64 and double batches must have the same width");
    const double* table = clogc_table();
    const batch<std::int64_t> limit = splat<std::int64_t>(static_cast<std::int64_t>(clogc_table_size));
    const batch<std::int64_t> izero = splat<std::int64_t>(0);
    batch<double> s0 = splat(0.0), c0 = s0, s1 = s0, c1 = s0, dtot = s0;
    batch<std::uint64_t> utot = splat<std::uint64_t>(0);
    const std::size_t n1 = n - n % W;
    auto step = [&](std::size_t i, batch<double>& s, batch<double>& comp) {
        const batch<std::uint64_t> u = load(c + i);
        const batch<std::int64_t> v = bit_cast<std::int64_t>(u);
        const auto small = (v < limit) & (v >= izero);
        utot += u;
        if (all(small)) {
            const batch<double> t = batch<double>::gather(table, v);
            neumaier_step(s, comp, t);
            dtot += convert<double>(v);
        } else if (all(v >= izero)) {
            const batch<double> x = convert<double>(v);
            const batch<double> t = batch<double>::gather(table, xsimd::select(small, v, izero));
            const auto small_d = x < splat(static_cast<double>(clogc_table_size));
            neumaier_step(s, comp, xsimd::select(small_d, t, x * ::collapsekit::simd::log(x)));
            dtot += x;
        } else {
            alignas(64) double t[W], d[W];
            for (std::size_t j = 0; j < W; ++j) t[j] = clogc(c[i + j]), d[j] = static_cast<double>(c[i + j]);
            neumaier_step(s, comp, load(static_cast<const double*>(t)));
            dtot += load(static_cast<const double*>(d));
        }
    };
    std::size_t i = 0;
    for (; i + 2 * W <= n1; i += 2 * W) {
        step(i, s0, c0);
        step(i + W, s1, c1);
    }
    for (; i < n1; i += W) step(i, s0, c0);
    clogc_sums r;
    ::collapsekit::compensated_sum total(detail::fold_lanes(s0, c0, s1, c1));
    r.total = reduce_sum(utot);
    r.total_double = reduce_sum(dtot);
    for (; i < n; ++i) {
        total.add(clogc(c[i]));
        r.total += c[i];
        r.total_double += static_cast<double>(c[i]);
    }
    r.sum_clogc = total.value();
    return r;
}

#endif  // COLLAPSEKIT_HAS_SIMD

// Dispatchers: SIMD unless COLLAPSEKIT_NO_SIMD or no xsimd.
inline xlogx_sums sum_xlogx(const double* x, std::size_t n) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return sum_xlogx_simd(x, n);
#else
    return sum_xlogx_scalar(x, n);
#endif
}

inline clogc_sums sum_clogc(const std::uint64_t* c, std::size_t n) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return sum_clogc_simd(c, n);
#else
    return sum_clogc_scalar(c, n);
#endif
}

}  // namespace collapsekit::simd
