// Wrong code that a compiler once produced in this project, pinned here so that it cannot
// come back unnoticed at any SIMD width.
//
// GCC 12.2 on x86-64 with AVX-512 enabled (-march=x86-64-v4, -march=native on an AVX-512
// host) or with an AVX-512 tuning (-mtune=icelake-server) folds the copy of a 32- or
// 64-byte constant (a std::vector's initializer list, a memcpy of a constant array) into one
// 256- or 512-bit integer constant. Its back end then tests whether that constant is one
// 64-bit word repeated, looking only at the words the constant stores explicitly: the zero
// words at the top are implicit, so {2, 2, 0, 0} passes as "2 repeated" and is written as
// {2, 2, 2, 2}. The entropy of the counts {2, 2, 0, 0} came out as log 4 that way (issue
// 14). The test is ix86_convert_const_wide_int_to_broadcast (GCC's i386-expand.cc, new in
// GCC 12); later GCC sources also require the constant to hold all its words. Our CMake and
// Meson targets, the Python module and the exported CMake target compile with GCC 12 under
// -mmove-max=128 -mstore-max=128, which keeps such copies at 16 bytes (never a wide
// integer constant); these cases fail without it on every AVX-512 build.
#include <collapsekit/build_info.hpp>
#include <collapsekit/entropy.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace ck = collapsekit;

TEST_CASE("constant initializer lists keep their zero words (GCC 12 wide-constant broadcast)") {
    const std::vector<std::uint64_t> u4{2, 2, 0, 0};
    CHECK(u4 == std::vector<std::uint64_t>({2, 2, 0, 0}));
    CHECK(u4[2] == 0);
    CHECK(u4[3] == 0);

    const std::vector<std::uint64_t> u4b{1, 1, 1, 0};
    CHECK(u4b[3] == 0);

    const std::vector<double> d4{2.0, 2.0, 0.0, 0.0};
    CHECK(d4[2] == 0.0);
    CHECK(d4[3] == 0.0);

    const std::vector<std::uint32_t> w8{2, 2, 2, 2, 0, 0, 0, 0};
    for (std::size_t i = 4; i < 8; ++i) CHECK(w8[i] == 0);

    const std::vector<std::uint64_t> u8{2, 2, 2, 2, 0, 0, 0, 0};
    for (std::size_t i = 4; i < 8; ++i) CHECK(u8[i] == 0);
}

TEST_CASE("the entropy of {2, 2, 0, 0} is log 2 (the case that showed the GCC 12 bug)") {
    const std::vector<std::uint64_t> c{2, 2, 0, 0};
    CHECK(ck::plugin_entropy(c).value == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(ck::miller_madow_entropy(c).value == doctest::Approx(std::log(2.0) + 1.0 / 8.0).epsilon(1e-15));
}

TEST_CASE("build_info names the version, the SIMD level this TU was compiled for, and the compiler") {
    const std::string info = ck::build_info();
    CHECK(info.rfind(std::string("collapsekit ") + COLLAPSEKIT_VERSION_STRING + ", SIMD ", 0) == 0);
    CHECK(info.find(ck::simd_arch_name()) != std::string::npos);
    CHECK(info.find(ck::compiler_name()) != std::string::npos);
#if COLLAPSEKIT_HAS_SIMD
    CHECK(ck::simd_double_lanes() == ck::simd::lanes<double>);
    CHECK(std::strcmp(ck::simd_arch_name(), ck::simd::arch_name()) == 0);
#if defined(__AVX512F__) && defined(__AVX512BW__)
    CHECK(ck::simd_double_lanes() == 8);
    CHECK(std::string(ck::simd_arch_name()).find("avx512") == 0);
#elif defined(__AVX__)
    CHECK(ck::simd_double_lanes() == 4);
#else
    CHECK(ck::simd_double_lanes() == 2);
#endif
#else
    CHECK(ck::simd_double_lanes() == 1);
    CHECK(std::string(ck::simd_arch_name()) == "scalar");
    CHECK(info.find("(1 double per batch)") != std::string::npos);
#endif
#if defined(__clang__)
    CHECK(ck::compiler_name().rfind("clang ", 0) == 0);
#elif defined(__GNUC__)
    CHECK(ck::compiler_name() == "GCC " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                                     std::to_string(__GNUC_PATCHLEVEL__));
#endif
}
