// Summation kernels: a compensated sum (accurate to about one ulp of the result) and
// a plain multi-accumulator sum that reads memory as fast as one core can, which the
// benchmarks use as their memory-read reference. Each has a scalar twin.
#pragma once

#include <cmath>
#include <cstddef>

#include "../core/config.hpp"
#include "../core/numeric.hpp"
#include "compat.hpp"

COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

namespace collapsekit::simd {

// Neumaier-compensated sum of x[0..n), sequential.
inline double sum_compensated_scalar(const double* x, std::size_t n) noexcept {
    ::collapsekit::compensated_sum s;
    for (std::size_t i = 0; i < n; ++i) s.add(x[i]);
    return s.value();
}

// Sum of x[0..n) in T with four independent accumulators (no compensation).
template <class T>
inline T sum_plain_scalar(const T* x, std::size_t n) noexcept {
    T a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const std::size_t unrolled_end = n - n % 4;  // see sum_plain_simd on why bounds come first
    std::size_t i = 0;
    for (; i < unrolled_end; i += 4) {
        a0 += x[i];
        a1 += x[i + 1];
        a2 += x[i + 2];
        a3 += x[i + 3];
    }
    for (; i < n; ++i) a0 += x[i];
    return (a0 + a1) + (a2 + a3);
}

#if COLLAPSEKIT_HAS_SIMD

// One compensated step on every lane: s + x rounded into s, its exact rounding error
// added to c. Knuth's TwoSum gives the same error term as Neumaier's branch (both are
// exact in round-to-nearest), in 6 operations instead of a compare, two abs and a select.
// A lane that meets an infinity gets a NaN compensation, which the folds below drop.
template <class T>
inline void neumaier_step(batch<T>& s, batch<T>& c, const batch<T>& x) noexcept {
    const batch<T> t = s + x;
    c += ::collapsekit::two_sum_error(s, x, t);
    s = t;
}

// The lanes of two compensated accumulator pairs (s0, c0) and (s1, c1), added by the
// scalar compensated sum in a fixed order (s0's lanes, s1's, c0's, c1's), so the result
// does not depend on how the caller's loop was split. A lane that met an infinity has a
// NaN compensation: it is dropped, and the sum lanes carry the IEEE answer (inf, or NaN
// for inf - inf or a NaN input) on their own.
inline ::collapsekit::compensated_sum fold_compensated_lanes(const batch<double>& s0, const batch<double>& c0,
                                                             const batch<double>& s1,
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
    return total;  // not its value: the caller may go on adding (a scalar tail)
}

// Compensated sum with two interleaved sets of lane accumulators (for ILP); the lanes
// are combined at the end by the scalar compensated sum, in a fixed order.
inline double sum_compensated_simd(const double* x, std::size_t n) noexcept {
    constexpr std::size_t W = lanes<double>;
    batch<double> s0 = splat(0.0), c0 = splat(0.0), s1 = splat(0.0), c1 = splat(0.0);
    std::size_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
        neumaier_step(s0, c0, load(x + i));
        neumaier_step(s1, c1, load(x + i + W));
    }
    for (; i + W <= n; i += W) neumaier_step(s0, c0, load(x + i));
    ::collapsekit::compensated_sum total = fold_compensated_lanes(s0, c0, s1, c1);
    for (; i < n; ++i) total.add(x[i]);
    return total.value();
}

template <class T>
inline T sum_plain_simd(const T* x, std::size_t n) noexcept {
    constexpr std::size_t W = lanes<T>;
    batch<T> a0 = splat(T(0)), a1 = a0, a2 = a0, a3 = a0;
    // Loop bounds computed up front: GCC 12 misreads `i + 4 * W <= n` chains at SSE2
    // width as overflowing (-Waggressive-loop-optimizations).
    const std::size_t unrolled_end = n - n % (4 * W);
    const std::size_t vector_end = n - n % W;
    std::size_t i = 0;
    for (; i < unrolled_end; i += 4 * W) {
        a0 += load(x + i);
        a1 += load(x + i + W);
        a2 += load(x + i + 2 * W);
        a3 += load(x + i + 3 * W);
    }
    for (; i < vector_end; i += W) a0 += load(x + i);
    T total = reduce_sum((a0 + a1) + (a2 + a3));
    return total + sum_plain_scalar(x + vector_end, n - vector_end);
}

#endif  // COLLAPSEKIT_HAS_SIMD

// The dispatching entry points: SIMD unless COLLAPSEKIT_NO_SIMD or no xsimd.
inline double sum_compensated(const double* x, std::size_t n) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return sum_compensated_simd(x, n);
#else
    return sum_compensated_scalar(x, n);
#endif
}

template <class T>
inline T sum_plain(const T* x, std::size_t n) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return sum_plain_simd(x, n);
#else
    return sum_plain_scalar(x, n);
#endif
}

}  // namespace collapsekit::simd

COLLAPSEKIT_SIMD_DIAGNOSTICS_END
