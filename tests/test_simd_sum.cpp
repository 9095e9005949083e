#include <collapsekit/core/random.hpp>
#include <collapsekit/simd/sum.hpp>

#include <doctest/doctest.h>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace ck = collapsekit;
namespace mp = boost::multiprecision;

namespace {

// Terms spread over 2^-20 .. 2^20 with both signs: the exact sum needs about 120 bits,
// well inside cpp_bin_float_50's 166, so the reference is exact.
std::vector<double> spread_terms(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<double> x(n);
    for (double& v : x) {
        const double mantissa = g.uniform() + 0.5;
        const int exponent = static_cast<int>(g.below(41)) - 20;
        v = std::ldexp(mantissa, exponent) * (g.below(4) == 0 ? -1.0 : 1.0);
    }
    return x;
}

double exact_sum(const std::vector<double>& x) {
    mp::cpp_bin_float_50 s = 0;
    for (double v : x) s += v;
    return static_cast<double>(s);
}

}  // namespace

TEST_CASE("compensated sum of 1e7 values agrees with a multiprecision reference to 1e-15") {
    const auto x = spread_terms(10'000'000, 2026);
    const double ref = exact_sum(x);
    const double simd = ck::simd::sum_compensated(x.data(), x.size());
    const double scalar = ck::simd::sum_compensated_scalar(x.data(), x.size());
    CHECK(std::abs(simd - ref) <= 1e-15 * std::abs(ref));
    CHECK(std::abs(scalar - ref) <= 1e-15 * std::abs(ref));
    // The plain sum is allowed to be worse; it only has to be in the right ballpark.
    CHECK(std::abs(ck::simd::sum_plain(x.data(), x.size()) - ref) <= 1e-9 * std::abs(ref));
}

TEST_CASE("SIMD and scalar sums agree on every length 0..257 and unaligned starts") {
    const auto base = spread_terms(257 + 8, 7);
    for (std::size_t offset = 0; offset < 4; ++offset) {
        for (std::size_t n = 0; n <= 257; ++n) {
            const double* p = base.data() + offset;
            std::vector<double> slice(p, p + n);
            const double ref = exact_sum(slice);
            const double simd = ck::simd::sum_compensated(p, n);
            const double scalar = ck::simd::sum_compensated_scalar(p, n);
            // Both are within one rounding of the exact sum, hence within 2 ulp of each other.
            const double tol = 2.0 * std::numeric_limits<double>::epsilon() * std::abs(ref) + 1e-300;
            CHECK(std::abs(simd - ref) <= tol);
            CHECK(std::abs(scalar - ref) <= tol);
            const double plain = ck::simd::sum_plain(p, n);
            const double plain_scalar = ck::simd::sum_plain_scalar(p, n);
            CHECK(std::abs(plain - plain_scalar) <= 1e-12 * (std::abs(ref) + 1e6));
        }
    }
}

TEST_CASE("sums handle special values like IEEE addition does") {
    const double inf = std::numeric_limits<double>::infinity();
    const double sub = std::numeric_limits<double>::denorm_min();
    for (std::size_t n : {1u, 7u, 8u, 17u, 64u, 65u}) {
        std::vector<double> x(n, sub);
        CHECK(ck::simd::sum_compensated(x.data(), n) == static_cast<double>(n) * sub);
        CHECK(ck::simd::sum_plain(x.data(), n) == static_cast<double>(n) * sub);
        std::vector<double> z(n, -0.0);
        CHECK(ck::simd::sum_compensated(z.data(), n) == 0.0);
        x[n / 2] = inf;
        CHECK(ck::simd::sum_compensated(x.data(), n) == inf);
        CHECK(ck::simd::sum_compensated_scalar(x.data(), n) == inf);
        CHECK(ck::simd::sum_plain(x.data(), n) == inf);
        CHECK(ck::simd::sum_plain_scalar(x.data(), n) == inf);
        if (n > 1) {
            x[0] = -inf;
            CHECK(std::isnan(ck::simd::sum_compensated(x.data(), n)));
            CHECK(std::isnan(ck::simd::sum_compensated_scalar(x.data(), n)));
        }
        x[n / 2] = std::nan("");
        CHECK(std::isnan(ck::simd::sum_compensated(x.data(), n)));
        CHECK(std::isnan(ck::simd::sum_compensated_scalar(x.data(), n)));
    }
    std::vector<float> f(100, 0.25f);
    CHECK(ck::simd::sum_plain(f.data(), f.size()) == 25.0f);
    CHECK(ck::simd::sum_compensated(nullptr, 0) == 0.0);
}
