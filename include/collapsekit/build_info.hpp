// What this translation unit's collapsekit was compiled with: the version, the SIMD
// instruction set its kernels use, and the compiler. The SIMD level is fixed at compile
// time by the user's flags (-march=...), so the same source gives different kernels on
// different builds; bug reports and benchmark figures should quote this line.
#pragma once

#include <string>

#include "core/config.hpp"
#include "simd/compat.hpp"

namespace collapsekit {

// The instruction set the kernels were compiled for: "avx512bw", "fma3<avx2>", "sse2", ...
// as xsimd names it, or "scalar" under COLLAPSEKIT_NO_SIMD (or without xsimd).
inline const char* simd_arch_name() noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return simd::arch_name();
#else
    return "scalar";
#endif
}

// Doubles per SIMD batch (8 with AVX-512, 4 with AVX2, 2 with SSE2, 1 for scalar).
inline constexpr unsigned simd_double_lanes() noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return static_cast<unsigned>(simd::lanes<double>);
#else
    return 1;
#endif
}

// The compiler and its version, as the preprocessor reports them.
inline std::string compiler_name() {
#if defined(__clang__)
    return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
    return "GCC " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
           std::to_string(__GNUC_PATCHLEVEL__);
#elif defined(_MSC_VER)
    return "MSVC " + std::to_string(_MSC_VER);
#else
    return "unknown compiler";
#endif
}

// One line for logs and --version output, e.g.
// "collapsekit 0.1.0, SIMD avx512bw (8 doubles per batch), GCC 12.2.0".
inline std::string build_info() {
    return std::string("collapsekit ") + version.string + ", SIMD " + simd_arch_name() + " (" +
           std::to_string(simd_double_lanes()) + (simd_double_lanes() == 1 ? " double" : " doubles") + " per batch), " +
           compiler_name();
}

}  // namespace collapsekit
