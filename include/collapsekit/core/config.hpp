// Version macros and the feature switches every other header reads.
#pragma once

#define COLLAPSEKIT_VERSION_MAJOR 0
#define COLLAPSEKIT_VERSION_MINOR 1
#define COLLAPSEKIT_VERSION_PATCH 0
#define COLLAPSEKIT_VERSION_STRING "0.1.0"
#define COLLAPSEKIT_VERSION \
    (COLLAPSEKIT_VERSION_MAJOR * 10000 + COLLAPSEKIT_VERSION_MINOR * 100 + COLLAPSEKIT_VERSION_PATCH)

// SIMD kernels are used when xsimd can be found and the user has not opted out.
// Defining COLLAPSEKIT_NO_SIMD forces every kernel onto its scalar twin, which is
// how the tests compare the two and how users rule SIMD out when chasing a bug.
#if !defined(COLLAPSEKIT_NO_SIMD) && defined(__has_include)
#if __has_include(<xsimd/xsimd.hpp>)
#define COLLAPSEKIT_HAS_SIMD 1
#endif
#endif
#ifndef COLLAPSEKIT_HAS_SIMD
#define COLLAPSEKIT_HAS_SIMD 0
#endif

// Keeps a rarely taken path out of a hot loop, so that its registers do not push the
// loop's accumulators onto the stack.
#if defined(__GNUC__) || defined(__clang__)
#define COLLAPSEKIT_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define COLLAPSEKIT_NOINLINE __declspec(noinline)
#else
#define COLLAPSEKIT_NOINLINE
#endif

// Forces a SIMD building block into its caller. GCC's inliner gives up on the larger
// blocks (the four-batch log is about 150 instructions) once a kernel calls them from two
// places, and the out-of-line call then passes every batch through memory and adds a
// vzeroupper: the entropy and divergence loops ran 1.4 to 1.6 times slower that way.
// COLLAPSEKIT_INLINE_LAMBDA does the same for a lambda, placed after its parameter list.
#if defined(__GNUC__) || defined(__clang__)
#define COLLAPSEKIT_ALWAYS_INLINE inline __attribute__((always_inline))
#define COLLAPSEKIT_INLINE_LAMBDA __attribute__((always_inline))
#elif defined(_MSC_VER)
#define COLLAPSEKIT_ALWAYS_INLINE __forceinline
#define COLLAPSEKIT_INLINE_LAMBDA
#else
#define COLLAPSEKIT_ALWAYS_INLINE inline
#define COLLAPSEKIT_INLINE_LAMBDA
#endif

// GCC 12's AVX-512 intrinsic headers make their "undefined" operands by self-initialisation
// (`__m512i __Y = __Y;`, GCC bug 105593). Once inlined into a kernel at -O2 or -O3 that is
// -Wmaybe-uninitialized or -Wuninitialized, which a consumer's -Werror turns into an error.
// GCC 12 applies diagnostic pragmas to every frame of an inlining chain, so these two
// warnings are silenced over the lines of the simd/ headers (and of xsimd, when
// simd/compat.hpp is the first to include it) and nowhere else: a consumer's own code, and
// ours outside simd/, keep them. Clang (which does not warn there) builds the
// same kernels with its -Wuninitialized on, so the suite still sees a real one.
#if defined(__GNUC__) && !defined(__clang__)
#define COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN                                               \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wuninitialized\"") \
        _Pragma("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
#define COLLAPSEKIT_SIMD_DIAGNOSTICS_END _Pragma("GCC diagnostic pop")
#else
#define COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN
#define COLLAPSEKIT_SIMD_DIAGNOSTICS_END
#endif

namespace collapsekit {

struct version_info {
    int major;
    int minor;
    int patch;
    const char* string;
};

inline constexpr version_info version{COLLAPSEKIT_VERSION_MAJOR, COLLAPSEKIT_VERSION_MINOR, COLLAPSEKIT_VERSION_PATCH,
                                      COLLAPSEKIT_VERSION_STRING};

// True when this translation unit runs the SIMD kernels rather than the scalar twins.
inline constexpr bool simd_enabled = COLLAPSEKIT_HAS_SIMD != 0;

}  // namespace collapsekit
