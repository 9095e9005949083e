// Vectorised natural log that is right for subnormal inputs.
//
// xsimd::log returns wrong values below the smallest normal number (8.1 and later),
// and divergences meet such values (q = 5e-324 is a legal probability). Lanes below
// the normal range are scaled up by 2^k first, and k ln 2 is subtracted afterwards.
#pragma once

#include "compat.hpp"

#if COLLAPSEKIT_HAS_SIMD

#include <limits>
#include <type_traits>

namespace collapsekit::simd {

template <class T>
inline batch<T> log(const batch<T>& x) noexcept {
    static_assert(std::is_floating_point_v<T>, "simd::log needs float or double lanes");
    // 2^54 (double) or 2^25 (float) lifts every subnormal into the normal range.
    constexpr T scale = std::is_same_v<T, double> ? T(0x1.0p54) : T(0x1.0p25);
    constexpr T shift = std::is_same_v<T, double> ? T(54 * 0.693147180559945309417232121458176568)
                                                  : T(25 * 0.693147180559945309417232121458176568);
    const auto tiny = (x < splat<T>(std::numeric_limits<T>::min())) & (x > splat<T>(T(0)));
    if (!any(tiny)) return xsimd::log(x);
    const batch<T> lifted = xsimd::select(tiny, x * splat<T>(scale), x);
    const batch<T> l = xsimd::log(lifted);
    return xsimd::select(tiny, l - splat<T>(shift), l);
}

}  // namespace collapsekit::simd

#endif  // COLLAPSEKIT_HAS_SIMD
