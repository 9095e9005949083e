// Vectorised natural log: right for subnormal inputs, and fast for double lanes.
//
// xsimd::log returns wrong values below the smallest normal number (8.1 and later), and
// divergences meet such values (q = 5e-324 is a legal probability); it is also slow on
// AVX2 and SSE2, and the entropy and divergence loops are log-bound. Double lanes go
// through our own log (below); float lanes through xsimd::log, with subnormal lanes
// scaled up by 2^k first and k ln 2 subtracted afterwards.
#pragma once

#include "compat.hpp"

#if COLLAPSEKIT_HAS_SIMD

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

namespace collapsekit::simd {

namespace detail {

// P(z) of log m = 2 s + s z P(z) (z = s^2, |s| <= 0.1716; see log_normal_lanes) for K
// batches, by Horner's rule with the K chains stepped together: fewer multiplies than
// Estrin's scheme (the FMA pipes are the bottleneck), and the interleaving hides the
// longer chain. The coefficients interpolate P at the Chebyshev nodes of [0, 0.1716^2]
// (scripts/log_coefficients.py).
template <std::size_t K>
COLLAPSEKIT_ALWAYS_INLINE void atanh_series(const batch<double> (&z)[K], batch<double> (&p)[K]) noexcept {
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
        p[j] = xsimd::fma(z[j], splat(0x1.2b584aae78a57p-3), splat(0x1.39fe606542ddep-3));
    });
    auto horner_step = [&](double c) COLLAPSEKIT_INLINE_LAMBDA {
        unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA { p[j] = xsimd::fma(z[j], p[j], splat(c)); });
    };
    horner_step(0x1.7462b4ab2ef6bp-3);
    horner_step(0x1.c71c62e5800a1p-3);
    horner_step(0x1.2492492df148dp-2);
    horner_step(0x1.99999999952e2p-2);
    horner_step(0x1.5555555555558p-1);
}

// ln 2 in two parts; ln2_hi has trailing zero bits, so k ln2_hi is exact for |k| < 2^11.
inline constexpr double ln2_hi = 0x1.62e42fee00000p-1;
inline constexpr double ln2_lo = 0x1.a39ef35793c76p-33;

// Natural log of K batches of lanes that are positive, normal and finite, within 1 ulp
// (0.78 ulp the largest error tests/test_simd_log.cpp finds on 6e5 inputs, against logl).
// x = 2^k m with m in [sqrt(1/2), sqrt(2)); with f = m - 1, s = f / (2 + f) (|s| <= 0.1716) and z = s^2,
//   log m = 2 atanh(s) = 2 s + s z P(z),   P(z) = 2/3 + 2 z/5 + 2 z^2/7 + ...,
// arranged as in fdlibm's e_log.c (the formula, not its constants): the exact f leads and
// the rounding errors sit in the smaller correction terms. P is replaced by the degree-6
// polynomial that interpolates it at the Chebyshev nodes of [0, 0.1716^2]; its
// truncation error is below 2^-57 relative to log m (scripts/log_coefficients.py computes
// the coefficients and that bound). k ln 2 is added in two parts; ln2_hi has trailing zero
// bits, so k ln2_hi is exact.
//
// The K batches go through each step together: one log is a long dependency chain (the
// division alone takes 13 cycles), and compilers emit one batch's chain after the other,
// which fills the scheduler with waiting instructions; stepping K chains side by side keeps
// the FP pipes busy (about 1.3x the throughput of K = 1 on Zen 3 with K = 4). Lanes
// outside the normal range give finite garbage (0 gives -1023 ln 2 and -0 gives 1025 ln 2,
// which x log x turns into 0), +inf gives 1024 ln 2 and NaN stays NaN.
template <std::size_t K>
COLLAPSEKIT_ALWAYS_INLINE void log_normal_lanes(const batch<double> (&x)[K], batch<double> (&out)[K]) noexcept {
    using u64 = std::uint64_t;
    constexpr u64 sqrt_half_bits = 0x3fe6a09e667f3bcdULL;
    batch<double> k[K], f[K], s[K];
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
        // Adding bits(1.0) - bits(sqrt(1/2)) moves the exponent boundary to sqrt(1/2): the
        // exponent field of u is k + 1023 (in 1..2047 for normal x, no carry into the sign),
        // and its mantissa field plus bits(sqrt(1/2)) is m.
        const batch<u64> u = bit_cast<u64>(x[j]) + splat<u64>(0x3ff0000000000000ULL - sqrt_half_bits);
        const batch<u64> m_bits = (u & splat<u64>(0x000fffffffffffffULL)) + splat<u64>(sqrt_half_bits);
        // k as a double without an int64 -> double conversion: (2^52 + field) - (2^52 + 1023).
        k[j] = bit_cast<double>((u >> 52) | splat<u64>(0x4330000000000000ULL)) - splat(4503599627370496.0 + 1023.0);
        f[j] = bit_cast<double>(m_bits) - splat(1.0);  // exact (Sterbenz)
    });
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA { s[j] = f[j] / (splat(2.0) + f[j]); });
    batch<double> z[K], p[K];
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA { z[j] = s[j] * s[j]; });
    atanh_series<K>(z, p);
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
        // log m = f - (hfsq - s (hfsq + z P)) with hfsq = f^2 / 2: the exact f leads, so the
        // rounding errors sit in the smaller correction terms.
        const batch<double> hfsq = splat(0.5) * f[j] * f[j];
        const batch<double> tail = xsimd::fma(s[j], xsimd::fma(z[j], p[j], hfsq), k[j] * splat(ln2_lo));
        out[j] = xsimd::fms(k[j], splat(ln2_hi), (hfsq - tail) - f[j]);
    });
}

// log(x / y) of K batches of lanes where x and y are positive normal numbers, without
// forming x / y: within 2 ulp of the log of the exact ratio (1.94 ulp the largest error
// tests/test_simd_log.cpp finds), also where x / y is close to 1, where the log of the
// rounded ratio loses all relative accuracy (KL between nearly equal distributions sums
// such terms), and where x / y would over- or underflow.
// x = 2^a mx and y = 2^b my with mx, my in [1, 2); w = mx / my is brought into
// [sqrt(1/2), sqrt(2)) by doubling my or mx (k = a - b, plus or minus 1), and
//   log w = 2 atanh(s) = 2 s + s z P(z),  s = (mx - my) / (mx + my),  z = s^2,
// where mx - my is exact (Sterbenz): one division, as for a log alone, against two for
// log(x / y). Other lanes give finite garbage or NaN.
template <std::size_t K>
COLLAPSEKIT_ALWAYS_INLINE void log_ratio_normal_lanes(const batch<double> (&x)[K], const batch<double> (&y)[K],
                                                      batch<double> (&out)[K]) noexcept {
    using u64 = std::uint64_t;
    batch<double> k[K], s[K];
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
        const batch<u64> bx = bit_cast<u64>(x[j]), by = bit_cast<u64>(y[j]);
        const batch<u64> mantissa = splat<u64>(0x000fffffffffffffULL), one = splat<u64>(0x3ff0000000000000ULL);
        batch<double> mx = bit_cast<double>((bx & mantissa) | one), my = bit_cast<double>((by & mantissa) | one);
        // (2^52 + a) - (2^52 + b): the exponent fields as doubles, their difference exact.
        const batch<u64> two52 = splat<u64>(0x4330000000000000ULL);
        const batch<double> kk = bit_cast<double>((bx >> 52) | two52) - bit_cast<double>((by >> 52) | two52);
        const batch<double> sqrt2 = splat(1.4142135623730951);
        const auto high = mx > sqrt2 * my;  // w > sqrt(2)
        const auto low = my > sqrt2 * mx;   // w < sqrt(1/2)
        my = xsimd::select(high, my + my, my);
        mx = xsimd::select(low, mx + mx, mx);
        k[j] = kk + xsimd::select(high, splat(1.0), xsimd::select(low, splat(-1.0), splat(0.0)));
        s[j] = (mx - my) / (mx + my);
    });
    batch<double> z[K], p[K];
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA { z[j] = s[j] * s[j]; });
    atanh_series<K>(z, p);
    unrolled<K>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
        const batch<double> t = xsimd::fma(s[j] * z[j], p[j], xsimd::fma(k[j], splat(ln2_lo), s[j] + s[j]));
        out[j] = xsimd::fma(k[j], splat(ln2_hi), t);
    });
}

COLLAPSEKIT_ALWAYS_INLINE batch<double> log_normal_lanes(const batch<double>& x) noexcept {
    const batch<double> in[1] = {x};
    batch<double> out[1];
    log_normal_lanes<1>(in, out);
    return out[0];
}

COLLAPSEKIT_ALWAYS_INLINE batch<double> log_ratio_normal_lanes(const batch<double>& x,
                                                               const batch<double>& y) noexcept {
    const batch<double> a[1] = {x}, b[1] = {y};
    batch<double> out[1];
    log_ratio_normal_lanes<1>(a, b, out);
    return out[0];
}

// The positive normal (finite) lanes: those log_normal_lanes and log_ratio_normal_lanes take.
inline batch_bool<double> normal_lanes(const batch<double>& x) noexcept {
    return (x >= splat(std::numeric_limits<double>::min())) & (x <= splat(std::numeric_limits<double>::max()));
}

// Lanes log_normal_lanes takes: the positive normal numbers, and 0 and -0 where the caller
// multiplies the log by x (x log x), since x times the finite garbage is then 0.
inline batch_bool<double> normal_or_zero_lanes(const batch<double>& x) noexcept {
    return normal_lanes(x) | (x == splat(0.0));
}

// The IEEE answers for lanes outside the positive normal range, patched into `l` (the
// fast log of x, or of x scaled by 2^54 where x is subnormal).
inline batch<double> log_special_lanes(const batch<double>& x) noexcept {
    constexpr double inf = std::numeric_limits<double>::infinity();
    const auto tiny = (x < splat(std::numeric_limits<double>::min())) & (x > splat(0.0));
    // 2^54 lifts every subnormal into the normal range.
    batch<double> l = log_normal_lanes(xsimd::select(tiny, x * splat(0x1.0p54), x));
    l = xsimd::select(tiny, l - splat(54 * 0.693147180559945309417232121458176568), l);
    l = xsimd::select(x == splat(inf), splat(inf), l);
    l = xsimd::select(x == splat(0.0), splat(-inf), l);
    return xsimd::select((x < splat(0.0)) | xsimd::isnan(x), splat(std::numeric_limits<double>::quiet_NaN()), l);
}

}  // namespace detail

// Natural log of every lane, with IEEE special values: log(+-0) = -inf, log(x < 0) = NaN,
// log(+inf) = +inf, NaN stays NaN; subnormal lanes are exact to the same accuracy as
// normal ones. Double lanes within 1 ulp; float lanes as xsimd::log, with subnormal lanes
// lifted by 2^25 first. (Widening floats to our double log was tried: within float
// rounding, but KL and JS of float32 vectors ran 2x slower under AVX-512.) GCC 12 compiles
// xsimd::log<float> out of line at AVX-512 width, with its intrinsics' warnings in xsimd's
// lines: simd/compat.hpp covers those when it is the first to include xsimd.
template <class T>
inline batch<T> log(const batch<T>& x) noexcept {
    static_assert(std::is_floating_point_v<T>, "simd::log needs float or double lanes");
    if constexpr (std::is_same_v<T, double>) {
        if (all(detail::normal_lanes(x))) return detail::log_normal_lanes(x);
        return detail::log_special_lanes(x);
    } else {
        // 2^25 lifts every float subnormal into the normal range.
        const auto tiny = (x < splat<T>(std::numeric_limits<T>::min())) & (x > splat<T>(T(0)));
        if (!any(tiny)) return xsimd::log(x);
        const batch<T> lifted = xsimd::select(tiny, x * splat<T>(T(0x1.0p25)), x);
        const batch<T> l = xsimd::log(lifted);
        return xsimd::select(tiny, l - splat<T>(T(25 * 0.693147180559945309417232121458176568)), l);
    }
}

}  // namespace collapsekit::simd

COLLAPSEKIT_SIMD_DIAGNOSTICS_END

#endif  // COLLAPSEKIT_HAS_SIMD
