// The differences between xsimd 8.1 (Debian bookworm) and xsimd 9..14, and nothing else.
//
// Kernels name xsimd only through this header, so a version bump touches one file.
// The architecture is xsimd's default one, i.e. whatever the user's compiler flags
// enable (-march=native, -march=x86-64-v3, or plain SSE2 on x86-64).
#pragma once

#include "../core/config.hpp"

#if COLLAPSEKIT_HAS_SIMD

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

// xsimd's own lines are inside the region too: below -O2 (or with sanitizers) GCC keeps
// small xsimd functions such as operator>> out of line, and their inlined intrinsics then
// warn with no frame of ours in the chain. This covers them whenever collapsekit is the
// first to include xsimd; see COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN in core/config.hpp.
COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

#include <xsimd/xsimd.hpp>

#if !defined(XSIMD_VERSION_MAJOR) || XSIMD_VERSION_MAJOR < 8
#error "collapsekit needs xsimd 8.1 or newer (or define COLLAPSEKIT_NO_SIMD)"
#endif

namespace collapsekit::simd {

using arch = xsimd::default_arch;

template <class T>
using batch = xsimd::batch<T, arch>;

template <class T>
using batch_bool = xsimd::batch_bool<T, arch>;

template <class T>
inline constexpr std::size_t lanes = batch<T>::size;

// Name of the instruction set the kernels were compiled for ("avx512bw", "avx2", "sse2", ...).
inline const char* arch_name() noexcept { return arch::name(); }

// A batch with every lane equal to v. (In 8.1, batch<double>{v} is an initializer
// list that sets lane 0 only; the constructor from a scalar broadcasts in all versions.)
template <class T>
inline batch<T> splat(T v) noexcept {
    return batch<T>(v);
}

template <class T>
inline batch<T> load(const T* p) noexcept {
    return batch<T>::load_unaligned(p);
}

template <class T>
inline void store(T* p, const batch<T>& b) noexcept {
    b.store_unaligned(p);
}

// Horizontal sum: hadd in 8.x, reduce_add from 9.0 on.
template <class T>
inline T reduce_sum(const batch<T>& b) noexcept {
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::reduce_add(b);
#else
    return xsimd::hadd(b);
#endif
}

// Horizontal max / min (8.1 has no reduce_max / reduce_min).
template <class T>
inline T reduce_max(const batch<T>& b) noexcept {
    alignas(64) T tmp[lanes<T>];
    b.store_unaligned(tmp);
    T m = tmp[0];
    for (std::size_t i = 1; i < lanes<T>; ++i) m = tmp[i] > m ? tmp[i] : m;
    return m;
}
template <class T>
inline T reduce_min(const batch<T>& b) noexcept {
    alignas(64) T tmp[lanes<T>];
    b.store_unaligned(tmp);
    T m = tmp[0];
    for (std::size_t i = 1; i < lanes<T>; ++i) m = tmp[i] < m ? tmp[i] : m;
    return m;
}

// Reinterprets the bits of each lane as To (same lane width); the signature changed in 9.0.
template <class To, class From>
inline batch<To> bit_cast(const batch<From>& b) noexcept {
    static_assert(sizeof(To) == sizeof(From), "bit_cast needs lanes of the same width");
#if XSIMD_VERSION_MAJOR >= 9
    return xsimd::bitwise_cast<To>(b);
#else
    return xsimd::bitwise_cast<batch<To> >(b);
#endif
}

// Value conversion lane by lane (same lane width: double <-> int64, float <-> int32).
template <class To, class From>
inline batch<To> convert(const batch<From>& b) noexcept {
    return xsimd::batch_cast<To>(b);
}

namespace detail {
template <class F, std::size_t... I>
COLLAPSEKIT_ALWAYS_INLINE void unrolled_calls(F& f, std::index_sequence<I...>) noexcept {
    (f(std::integral_constant<std::size_t, I>{}), ...);
}
}  // namespace detail

// f(0), f(1), ..., f(K - 1) with compile-time indices: kernels that step K batches side by
// side rely on it, and a `for (j < K)` loop is only fully unrolled at -O3 (GCC 12 keeps
// it, and the batches' arrays in memory, at -O2: 1.35x slower entropy, 1.65x slower KL).
template <std::size_t K, class F>
COLLAPSEKIT_ALWAYS_INLINE void unrolled(F&& f) noexcept {
    detail::unrolled_calls(f, std::make_index_sequence<K>{});
}

template <class T>
inline bool any(const batch_bool<T>& m) noexcept {
    return xsimd::any(m);
}
template <class T>
inline bool all(const batch_bool<T>& m) noexcept {
    return xsimd::all(m);
}

}  // namespace collapsekit::simd

COLLAPSEKIT_SIMD_DIAGNOSTICS_END

#endif  // COLLAPSEKIT_HAS_SIMD
