// Smallest and largest value of an array in one pass, NaN set aside: what numpy.histogram
// needs to choose its range when none is given. A scalar twin gives the same answer.
#pragma once

#include <cstddef>
#include <limits>
#include <type_traits>

#include "../core/config.hpp"
#include "compat.hpp"

COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

namespace collapsekit::simd {

// min and max over the non-NaN values (+inf and -inf when there is none), and whether a
// NaN was seen. Infinities count as values. -0.0 and +0.0 compare equal, so which one is
// reported for a range ending at zero is unspecified.
struct min_max_result {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    bool has_nan = false;
};

template <class T>
min_max_result min_max_scalar(const T* x, std::size_t n) noexcept {
    min_max_result r;
    for (std::size_t i = 0; i < n; ++i) {
        const auto v = static_cast<double>(x[i]);
        if (v != v) {
            r.has_nan = true;
            continue;
        }
        r.min = v < r.min ? v : r.min;
        r.max = v > r.max ? v : r.max;
    }
    return r;
}

#if COLLAPSEKIT_HAS_SIMD

// float or double lanes. NaN lanes are replaced before the min / max (the instructions'
// NaN rules differ between architectures), and or-ed into a mask looked at once.
template <class T>
min_max_result min_max_simd(const T* x, std::size_t n) noexcept {
    static_assert(std::is_floating_point_v<T>, "min_max_simd takes float or double");
    constexpr std::size_t W = lanes<T>;
    constexpr T inf = std::numeric_limits<T>::infinity();
    batch<T> lo0 = splat(inf), lo1 = lo0, hi0 = splat(-inf), hi1 = hi0;
    batch_bool<T> nan = splat(T(0)) != splat(T(0));
    const std::size_t pairs_end = n - n % (2 * W);
    std::size_t i = 0;
    for (; i < pairs_end; i += 2 * W) {
        const batch<T> a = load(x + i), b = load(x + i + W);
        const auto na = xsimd::isnan(a), nb = xsimd::isnan(b);
        nan = nan | na | nb;
        lo0 = xsimd::min(lo0, xsimd::select(na, splat(inf), a));
        lo1 = xsimd::min(lo1, xsimd::select(nb, splat(inf), b));
        hi0 = xsimd::max(hi0, xsimd::select(na, splat(-inf), a));
        hi1 = xsimd::max(hi1, xsimd::select(nb, splat(-inf), b));
    }
    min_max_result r = min_max_scalar(x + i, n - i);
    r.has_nan = r.has_nan || any(nan);
    const double lo = static_cast<double>(reduce_min(xsimd::min(lo0, lo1)));
    const double hi = static_cast<double>(reduce_max(xsimd::max(hi0, hi1)));
    r.min = lo < r.min ? lo : r.min;
    r.max = hi > r.max ? hi : r.max;
    return r;
}

#endif  // COLLAPSEKIT_HAS_SIMD

// SIMD for float and double unless COLLAPSEKIT_NO_SIMD; other types use the scalar loop.
template <class T>
min_max_result min_max(const T* x, std::size_t n) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
        return min_max_simd(x, n);
    } else {
        return min_max_scalar(x, n);
    }
#else
    return min_max_scalar(x, n);
#endif
}

}  // namespace collapsekit::simd

COLLAPSEKIT_SIMD_DIAGNOSTICS_END
