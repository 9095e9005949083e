// The entropy kernels against their scalar twins: every length 0..257, unaligned starts,
// zeros, subnormals, counts on both sides of the table, and special values.
#include <collapsekit/core/random.hpp>
#include <collapsekit/simd/entropy_kernels.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace ck = collapsekit;

namespace {

// The IEEE bits of x mapped monotonically onto the integers: ordered as the doubles are,
// neighbouring doubles one apart, +0 and -0 both 0 (the sign-magnitude negatives are
// reflected below 0).
std::int64_t ordered_bits(double x) {
    std::int64_t i;
    std::memcpy(&i, &x, 8);
    return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
}

// The number of doubles between a and b, exactly (the count of ulps stepped), in integer
// arithmetic: a distance formed in doubles rounds once the bit patterns pass 2^53, so
// that distances below 2^11 ulp read as 0 for most doubles. Any two doubles, of either
// sign; NaN is as far as can be.
std::uint64_t ulp_distance(double a, double b) {
    if (a == b) return 0;
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<std::uint64_t>::max();
    const std::int64_t ia = ordered_bits(a), ib = ordered_bits(b);
    // The difference of two int64 is below 2^64: exact in unsigned arithmetic.
    return ia >= ib ? static_cast<std::uint64_t>(ia) - static_cast<std::uint64_t>(ib)
                    : static_cast<std::uint64_t>(ib) - static_cast<std::uint64_t>(ia);
}

// Probabilities with zeros, subnormals and tiny normals mixed in.
std::vector<double> mixed_probabilities(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<double> x(n);
    for (double& v : x) {
        switch (g.below(8)) {
            case 0:
                v = 0.0;
                break;
            case 1:
                v = std::ldexp(g.uniform() + 0.5, -1050);  // subnormal
                break;
            case 2:
                v = std::ldexp(g.uniform() + 0.5, -1000);
                break;
            default:
                v = g.uniform() / static_cast<double>(n + 1);
        }
    }
    return x;
}

std::vector<std::uint64_t> mixed_counts(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<std::uint64_t> c(n);
    for (auto& v : c) {
        switch (g.below(6)) {
            case 0:
                v = 0;
                break;
            case 1:
                v = 4095 + g.below(3);  // the table's edge
                break;
            case 2:
                v = g.below(std::uint64_t{1} << 40);
                break;
            default:
                v = g.below(200);
        }
    }
    return c;
}

}  // namespace

TEST_CASE("sum x log x: SIMD equals scalar within 4 ulp on lengths 0..257") {
    const auto base = mixed_probabilities(257 + 8, 11);
    for (std::size_t offset = 0; offset < 4; ++offset) {
        for (std::size_t n = 0; n <= 257; ++n) {
            const double* p = base.data() + offset;
            INFO("n = " << n << ", offset = " << offset);
            // scale 1 (the plain kernel), a power of two (exact scaling) and 0.3 (rounded).
            for (double scale : {1.0, 0x1.0p-40, 0.3}) {
                CAPTURE(scale);
                const auto a = ck::simd::sum_xlogx(p, n, scale);
                const auto b = ck::simd::sum_xlogx_scalar(p, n, scale);
                CHECK(ulp_distance(a.sum_xlogx, b.sum_xlogx) <= 4u);
                CHECK(ulp_distance(a.sum, b.sum) <= 4u);
            }
        }
    }
    // A power-of-two scale commutes with the sums: sum (s x) log (s x) = s (T + S log s).
    const auto plain = ck::simd::sum_xlogx(base.data(), 257);
    const auto scaled = ck::simd::sum_xlogx(base.data(), 257, 0.125);
    CHECK(scaled.sum == 0.125 * plain.sum);
    CHECK(scaled.sum_xlogx == doctest::Approx(0.125 * (plain.sum_xlogx + plain.sum * std::log(0.125))).epsilon(1e-14));
}

TEST_CASE("sum x log x: zeros, subnormals and special values") {
    // p = 0 contributes 0, not NaN.
    const std::vector<double> zeros(37, 0.0);
    CHECK(ck::simd::sum_xlogx(zeros.data(), zeros.size()).sum_xlogx == 0.0);
    // Subnormal lanes: x log x for x = 2^-1060 is exact to a few ulp, not garbage.
    std::vector<double> sub(19, std::ldexp(1.0, -1060));
    sub[3] = 0.5;
    const double want = 0.5 * std::log(0.5) + 18 * (std::ldexp(1.0, -1060) * (-1060 * std::log(2.0)));
    CHECK(ck::simd::sum_xlogx(sub.data(), sub.size()).sum_xlogx == doctest::Approx(want).epsilon(1e-15));
    const std::vector<double> lone{std::ldexp(1.0, -1060), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    const double tiny = ck::simd::sum_xlogx(lone.data(), lone.size()).sum_xlogx;
    CHECK(ulp_distance(tiny, ck::simd::sum_xlogx_scalar(lone.data(), lone.size()).sum_xlogx) <= 4u);
    CHECK(tiny < 0.0);
    // Negative entries give NaN, +inf gives +inf, NaN propagates: callers rely on that.
    for (std::size_t at : {0u, 5u, 16u, 20u}) {
        std::vector<double> x(21, 0.25);
        x[at] = -0.5;
        CHECK(std::isnan(ck::simd::sum_xlogx(x.data(), x.size()).sum_xlogx));
        CHECK(std::isnan(ck::simd::sum_xlogx_scalar(x.data(), x.size()).sum_xlogx));
        x[at] = HUGE_VAL;
        CHECK(ck::simd::sum_xlogx(x.data(), x.size()).sum_xlogx == HUGE_VAL);
        CHECK(ck::simd::sum_xlogx_scalar(x.data(), x.size()).sum_xlogx == HUGE_VAL);
        x[at] = std::numeric_limits<double>::quiet_NaN();
        CHECK(std::isnan(ck::simd::sum_xlogx(x.data(), x.size()).sum_xlogx));
    }
    // -0.0 counts as zero.
    std::vector<double> negzero(9, -0.0);
    negzero[4] = 1.0;
    CHECK(ck::simd::sum_xlogx(negzero.data(), negzero.size()).sum_xlogx == 0.0);
}

TEST_CASE("sum c log c: SIMD equals scalar on lengths 0..257, totals exact") {
    const auto base = mixed_counts(257 + 8, 5);
    for (std::size_t offset = 0; offset < 4; ++offset) {
        for (std::size_t n = 0; n <= 257; ++n) {
            const std::uint64_t* c = base.data() + offset;
            const auto a = ck::simd::sum_clogc(c, n);
            const auto b = ck::simd::sum_clogc_scalar(c, n);
            INFO("n = " << n << ", offset = " << offset);
            CHECK(ulp_distance(a.sum_clogc, b.sum_clogc) <= 4u);
            CHECK(a.total == b.total);
            CHECK(ulp_distance(a.total_double, b.total_double) <= 4u);
        }
    }
}

TEST_CASE("sum c log c: all counts above the table, and all inside it") {
    ck::rng g(9);
    std::vector<std::uint64_t> big(257 + 8), small(257 + 8);
    for (auto& v : big) v = 4096 + g.below(std::uint64_t{1} << 45);
    for (auto& v : small) v = g.below(4096);
    for (const auto* base : {&big, &small}) {
        for (std::size_t offset = 0; offset < 3; ++offset) {
            for (std::size_t n = 0; n <= 257; ++n) {
                const std::uint64_t* c = base->data() + offset;
                const auto a = ck::simd::sum_clogc(c, n);
                const auto b = ck::simd::sum_clogc_scalar(c, n);
                INFO("n = " << n << ", offset = " << offset);
                CHECK(ulp_distance(a.sum_clogc, b.sum_clogc) <= 4u);
                CHECK(a.total == b.total);
                CHECK(ulp_distance(a.total_double, b.total_double) <= 4u);
            }
        }
    }
}

TEST_CASE("sum c log c: the table, huge counts and overflow detection") {
    for (std::uint64_t c : {0ULL, 1ULL, 2ULL, 4095ULL, 4096ULL, 1ULL << 40, 1ULL << 62, (1ULL << 63) + 5}) {
        const double x = static_cast<double>(c);
        const double want = c == 0 ? 0.0 : x * std::log(x);
        CHECK(ck::simd::clogc(c) == want);
        std::vector<std::uint64_t> v(13, 0);
        v[7] = c;
        CHECK(ulp_distance(ck::simd::sum_clogc(v.data(), v.size()).sum_clogc, want) <= 1u);
    }
    // Totals past 2^64 wrap in the exact total, but the double twin shows it.
    const std::vector<std::uint64_t> big(16, 1ULL << 61);
    const auto r = ck::simd::sum_clogc(big.data(), big.size());
    CHECK(r.total_double == 0x1.0p65);
    CHECK(r.total == 0);
}

TEST_CASE("ulp_distance counts the doubles between two values exactly, at every magnitude") {
    // The tolerances above are in ulps; a distance formed in doubles read 1 ulp as 0 (or
    // 1024) for doubles beyond 2^-970 in magnitude, whose bit patterns pass 2^53.
    for (double x : {1.0, 1e-300, 0x1p-1060, 1e300, std::numeric_limits<double>::max() / 2, -3.5, -1e300}) {
        CAPTURE(x);
        const double up = std::nextafter(x, HUGE_VAL);
        CHECK(ulp_distance(x, up) == 1u);
        CHECK(ulp_distance(up, x) == 1u);
        CHECK(ulp_distance(x, std::nextafter(std::nextafter(up, HUGE_VAL), HUGE_VAL)) == 3u);
    }
    // Across zero: -min_subnormal, -0 = +0, +min_subnormal.
    const double sub = std::numeric_limits<double>::denorm_min();
    CHECK(ulp_distance(-sub, sub) == 2u);
    CHECK(ulp_distance(-0.0, 0.0) == 0u);
    CHECK(ulp_distance(-std::numeric_limits<double>::max(), std::numeric_limits<double>::max()) ==
          2 * static_cast<std::uint64_t>(ordered_bits(std::numeric_limits<double>::max())));
    CHECK(ulp_distance(1.0, std::numeric_limits<double>::quiet_NaN()) == std::numeric_limits<std::uint64_t>::max());
    // Monotone: ordered like the doubles.
    CHECK(ordered_bits(-1.0) < ordered_bits(-0x1p-1074));
    CHECK(ordered_bits(-0x1p-1074) < ordered_bits(0.0));
    CHECK(ordered_bits(0.0) < ordered_bits(0x1p-1074));
}
