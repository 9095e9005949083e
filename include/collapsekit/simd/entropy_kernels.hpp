// Entropy kernels: sum x log x over doubles (probabilities, or counts held as doubles)
// and over uint64 counts, with a table of c log c for small counts so that most count
// vectors need no logarithm at all. Each kernel has a scalar twin.
//
// Both twins sum with Neumaier compensation (the SIMD one per lane, the lanes combined
// at the end), so they agree to a few ulp whatever the order of the terms; every term
// x log x of a probability has the same sign, so the relative error of the sum is that
// of its terms. A term that is itself subnormal (x below about 3e-311) is rounded to a
// multiple of the smallest subnormal, and the twins' logs may round it to neighbours: add
// one smallest subnormal per such term (a fuzzer found 92 of them 92 apart).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "../core/config.hpp"
#include "../core/numeric.hpp"
#include "../core/parallel.hpp"
#include "compat.hpp"
#include "log.hpp"
#include "sum.hpp"

COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

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

// sum y log y (0 log 0 = 0) and sum y over y = scale * x[i], both compensated, in one
// pass. Negative x makes sum_xlogx NaN, +inf makes it +inf, NaN propagates: a caller that
// gets a finite answer knows the input was non-negative and finite. Subnormal x are
// handled. `scale` (default 1, which changes nothing) lets a caller normalise on the fly:
// a power of two keeps every y exact unless it underflows.
struct xlogx_sums {
    double sum_xlogx = 0.0;
    double sum = 0.0;
};

inline xlogx_sums sum_xlogx_scalar(const double* x, std::size_t n, double scale = 1.0) noexcept {
    ::collapsekit::compensated_sum s, t;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = scale * x[i];
        s.add(y == 0.0 ? 0.0 : y * std::log(y));
        t.add(y);
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
// Lanes the fast x log x takes: +0 and -0 (the fast log is finite there, so the product is
// zero) and x >= the smallest normal, +inf included (its fast log is positive, so the
// product is +inf, the IEEE answer). Subnormal, negative and NaN lanes are not.
inline batch_bool<double> xlogx_fast_lanes(const batch<double>& x) noexcept {
    return (x >= splat(std::numeric_limits<double>::min())) | (x == splat(0.0));
}

// x log x per lane with 0 log 0 = 0, for any input (simd::log handles subnormal lanes).
inline batch<double> xlogx_lanes_general(const batch<double>& x) noexcept {
    const batch<double> zero = splat(0.0);
    return xsimd::select(x == zero, zero, x * ::collapsekit::simd::log(x));
}

inline batch<double> xlogx_lanes(const batch<double>& x) noexcept {
    if (all(xlogx_fast_lanes(x))) return x * log_normal_lanes(x);
    return xlogx_lanes_general(x);
}

// The sum of x log x over four batches, any of which may hold special lanes.
COLLAPSEKIT_NOINLINE inline batch<double> xlogx_four_general(const batch<double> (&v)[4]) noexcept {
    return (xlogx_lanes_general(v[0]) + xlogx_lanes_general(v[1])) +
           (xlogx_lanes_general(v[2]) + xlogx_lanes_general(v[3]));
}
}  // namespace detail

// Four batches are summed pairwise (same-sign terms: at most 2 roundings each, relative)
// before one compensated step, which keeps the compensation off the critical path; their
// logs are computed side by side (see detail::log_normal_lanes).
template <bool Scaled>
inline xlogx_sums sum_xlogx_simd_scaled(const double* x, std::size_t n, double scale) noexcept {
    constexpr std::size_t W = lanes<double>;
    batch<double> s0 = splat(0.0), c0 = s0, t0 = s0, d0 = s0;
    const batch<double> k = splat(scale);
    const std::size_t n4 = n - n % (4 * W), n1 = n - n % W;
    std::size_t i = 0;
    for (; i < n4; i += 4 * W) {
        auto at = [&](std::size_t j) { return Scaled ? k * load(x + j) : load(x + j); };
        const batch<double> v[4] = {at(i), at(i + W), at(i + 2 * W), at(i + 3 * W)};
        // One test for the four batches keeps the branch rare and predictable.
        batch<double> terms;
        if (all(detail::xlogx_fast_lanes(v[0]) & detail::xlogx_fast_lanes(v[1]) & detail::xlogx_fast_lanes(v[2]) &
                detail::xlogx_fast_lanes(v[3]))) {
            batch<double> l[4];
            detail::log_normal_lanes<4>(v, l);
            terms = (v[0] * l[0] + v[1] * l[1]) + (v[2] * l[2] + v[3] * l[3]);
        } else {
            terms = detail::xlogx_four_general(v);
        }
        neumaier_step(s0, c0, terms);
        neumaier_step(t0, d0, (v[0] + v[1]) + (v[2] + v[3]));
    }
    for (; i < n1; i += W) {
        const batch<double> a = Scaled ? k * load(x + i) : load(x + i);
        neumaier_step(s0, c0, detail::xlogx_lanes(a));
        neumaier_step(t0, d0, a);
    }
    const batch<double> z = splat(0.0);
    ::collapsekit::compensated_sum s = fold_compensated_lanes(s0, c0, z, z), t = fold_compensated_lanes(t0, d0, z, z);
    for (; i < n; ++i) {
        const double y = scale * x[i];
        s.add(y == 0.0 ? 0.0 : y * std::log(y));
        t.add(y);
    }
    return {s.value(), t.value()};
}

inline xlogx_sums sum_xlogx_simd(const double* x, std::size_t n, double scale = 1.0) noexcept {
    return scale == 1.0 ? sum_xlogx_simd_scaled<false>(x, n, scale) : sum_xlogx_simd_scaled<true>(x, n, scale);
}

// Counts below the table size are looked up in the table, four batches at a time with
// one branch; a batch holding a larger count computes c log c for its lanes with the
// fast log (counts below 2^52; beyond that, lane by lane). Only counts outside the table
// feed the double total, since table counts cannot overflow 2^64 in fewer than 2^52 elements.
inline clogc_sums sum_clogc_simd(const std::uint64_t* c, std::size_t n) noexcept {
    using i64 = std::int64_t;
    using u64 = std::uint64_t;
    constexpr std::size_t W = lanes<double>;
    static_assert(lanes<u64> == W, "uint64 and double batches must have the same width");
    const double* table = clogc_table();
    const batch<i64> limit = splat<i64>(static_cast<i64>(clogc_table_size));
    const batch<i64> izero = splat<i64>(0);
    const batch<i64> two52 = splat<i64>(i64{1} << 52);
    batch<double> s0 = splat(0.0), c0 = s0, big_d = s0;
    batch<i64> small_sum = izero, big_sum = izero;  // wrap-around sums, read back as uint64
    u64 small_tail = 0, big_tail = 0;
    double big_tail_d = 0.0;
    auto in_table = [&](const batch<i64>& v) { return (v < limit) & (v >= izero); };
    // Table entries of W counts already known to be inside the table, by scalar loads:
    // on AMD Zen a 4-lane gather costs more than four loads and the lane inserts.
    auto table_lookup = [table](const u64* at) {
        alignas(64) double t[W];
        for (std::size_t j = 0; j < W; ++j) t[j] = table[at[j]];
        return batch<double>::load_aligned(t);
    };
    auto in_log_range = [&](const batch<i64>& v) { return (v >= limit) & (v < two52); };
    // Exact int -> double for 0 <= v < 2^52: (2^52 + v) as bits, minus 2^52.
    auto exact_double = [](const batch<i64>& v) {
        return bit_cast<double>(v | splat<i64>(0x4330000000000000LL)) - splat(4503599627370496.0);
    };
    auto general_step = [&](std::size_t i) {
        const batch<i64> v = bit_cast<i64>(load(c + i));
        const auto small = in_table(v);
        if (all((v >= izero) & (v < two52))) {
            const batch<double> x = exact_double(v);
            // Gathers are slow on some CPUs (AMD): skip them for a batch of large counts.
            const batch<double> t =
                any(small) ? batch<double>::gather(table, xsimd::select(small, v, izero)) : splat(0.0);
            const auto small_d = x < splat(static_cast<double>(clogc_table_size));
            const batch<double> big = x * detail::log_normal_lanes(xsimd::select(small_d, splat(1.0), x));
            neumaier_step(s0, c0, xsimd::select(small_d, t, big));
            small_sum += xsimd::select(small, v, izero);
            big_sum += xsimd::select(small, izero, v);
            big_d += xsimd::select(small_d, splat(0.0), x);
        } else {
            alignas(64) double t[W];
            for (std::size_t j = 0; j < W; ++j) {
                const u64 x = c[i + j];
                t[j] = clogc(x);
                if (x < clogc_table_size) {
                    small_tail += x;
                } else {
                    big_tail += x;
                    big_tail_d += static_cast<double>(x);
                }
            }
            neumaier_step(s0, c0, load(static_cast<const double*>(t)));
        }
    };
    const std::size_t n4 = n - n % (4 * W), n1 = n - n % W;
    std::size_t i = 0;
    for (; i < n4; i += 4 * W) {
        const batch<i64> v0 = bit_cast<i64>(load(c + i)), v1 = bit_cast<i64>(load(c + i + W)),
                         v2 = bit_cast<i64>(load(c + i + 2 * W)), v3 = bit_cast<i64>(load(c + i + 3 * W));
        if (all(in_table(v0) & in_table(v1) & in_table(v2) & in_table(v3))) {
            small_sum += (v0 + v1) + (v2 + v3);
            neumaier_step(s0, c0,
                          (table_lookup(c + i) + table_lookup(c + i + W)) +
                              (table_lookup(c + i + 2 * W) + table_lookup(c + i + 3 * W)));
        } else if (all(in_log_range(v0) & in_log_range(v1) & in_log_range(v2) & in_log_range(v3))) {
            // Four batches of large counts: no gathers, no selects.
            const batch<double> x[4] = {exact_double(v0), exact_double(v1), exact_double(v2), exact_double(v3)};
            batch<double> l[4];
            detail::log_normal_lanes<4>(x, l);
            big_sum += (v0 + v1) + (v2 + v3);
            big_d += (x[0] + x[1]) + (x[2] + x[3]);
            neumaier_step(s0, c0, (x[0] * l[0] + x[1] * l[1]) + (x[2] * l[2] + x[3] * l[3]));
        } else {
            for (std::size_t j = 0; j < 4; ++j) general_step(i + j * W);
        }
    }
    for (; i < n1; i += W) general_step(i);
    for (; i < n; ++i) {
        const u64 x = c[i];
        if (x < clogc_table_size) {
            small_tail += x;
        } else {
            big_tail += x;
            big_tail_d += static_cast<double>(x);
        }
    }
    const batch<double> z = splat(0.0);
    ::collapsekit::compensated_sum total = fold_compensated_lanes(s0, c0, z, z);
    for (std::size_t j = n1; j < n; ++j) total.add(clogc(c[j]));
    // Table counts cannot wrap 2^64 in fewer than 2^52 elements, so their exact sum, plus
    // the large counts summed in double, tells whether the exact total wrapped.
    const u64 small_total = reduce_sum(bit_cast<u64>(small_sum)) + small_tail;
    clogc_sums r;
    r.sum_clogc = total.value();
    r.total = small_total + reduce_sum(bit_cast<u64>(big_sum)) + big_tail;
    r.total_double = static_cast<double>(small_total) + (reduce_sum(big_d) + big_tail_d);
    return r;
}

#endif  // COLLAPSEKIT_HAS_SIMD

// Dispatchers: SIMD unless COLLAPSEKIT_NO_SIMD or no xsimd.
inline xlogx_sums sum_xlogx(const double* x, std::size_t n, double scale = 1.0) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return sum_xlogx_simd(x, n, scale);
#else
    return sum_xlogx_scalar(x, n, scale);
#endif
}

inline clogc_sums sum_clogc(const std::uint64_t* c, std::size_t n) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return sum_clogc_simd(c, n);
#else
    return sum_clogc_scalar(c, n);
#endif
}

// Threaded forms: the input cut into fixed chunks of reduction_chunk elements, one kernel
// pass per chunk, the chunks' sums combined with compensation in chunk order. An input of
// one chunk gives exactly the one-pass answer; the result never depends on ex.threads.
inline xlogx_sums sum_xlogx(const execution& ex, const double* x, std::size_t n, double scale = 1.0) {
    if (n <= reduction_chunk) return sum_xlogx(x, n, scale);
    const auto parts = ::collapsekit::detail::chunked_map<xlogx_sums>(
        ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) { return sum_xlogx(x + b, e - b, scale); });
    ::collapsekit::compensated_sum s, t;
    for (const xlogx_sums& p : parts) {
        s.add(p.sum_xlogx);
        t.add(p.sum);
    }
    return {s.value(), t.value()};
}

inline clogc_sums sum_clogc(const execution& ex, const std::uint64_t* c, std::size_t n) {
    if (n <= reduction_chunk) return sum_clogc(c, n);
    const auto parts = ::collapsekit::detail::chunked_map<clogc_sums>(
        ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) { return sum_clogc(c + b, e - b); });
    ::collapsekit::compensated_sum s;
    clogc_sums r;
    for (const clogc_sums& p : parts) {
        s.add(p.sum_clogc);
        r.total += p.total;  // wraps as the one-pass total does; total_double shows it
        r.total_double += p.total_double;
    }
    r.sum_clogc = s.value();
    return r;
}

}  // namespace collapsekit::simd

namespace collapsekit::detail {

// A compensated sum of f(begin, end) -> compensated_sum over the fixed chunks of [0, n),
// the chunks' partial sums merged in chunk order (one chunk: its own value). The shared
// reduction of the threaded scalar passes in entropy/ and divergence.hpp.
template <class F>
double chunked_compensated(const execution& ex, std::size_t n, F&& f) {
    const std::vector<compensated_sum> parts = chunked_map<compensated_sum>(ex, n, reduction_chunk, f);
    if (parts.size() == 1) return parts[0].value();
    compensated_sum total;
    for (const compensated_sum& p : parts) total += p;
    return total.value();
}

// The largest of x[0..n) (n > 0), chunk by chunk (exact in any order).
inline double chunked_max(const execution& ex, const double* x, std::size_t n) {
    const std::vector<double> parts = chunked_map<double>(
        ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) { return *std::max_element(x + b, x + e); });
    return *std::max_element(parts.begin(), parts.end());
}

}  // namespace collapsekit::detail

COLLAPSEKIT_SIMD_DIAGNOSTICS_END
