// The vector log (simd/log.hpp) against long-double logl, which is ~2^-11 double ulp
// accurate and so serves as the exact reference for errors measured in double ulps.
#include <collapsekit/core/random.hpp>
#include <collapsekit/simd/log.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace ck = collapsekit;

#if COLLAPSEKIT_HAS_SIMD

namespace {

using dlim = std::numeric_limits<double>;
constexpr std::size_t W = ck::simd::lanes<double>;

// Error of `got` in units of the double ulp at the exact value.
double ulp_error(double got, double x) {
    const long double exact = std::log(static_cast<long double>(x));
    const double e = static_cast<double>(exact);
    const double ulp = std::nextafter(std::abs(e), dlim::infinity()) - std::abs(e);
    if (e == 0) return got == 0 ? 0.0 : dlim::infinity();
    return static_cast<double>(std::abs(static_cast<long double>(got) - exact) / ulp);
}

// log of every value of x, W lanes at a time, through simd::log.
std::vector<double> vector_log(const std::vector<double>& x) {
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i + W <= x.size(); i += W)
        ck::simd::store(out.data() + i, ck::simd::log(ck::simd::load(x.data() + i)));
    return out;
}

double bits_to_double(std::uint64_t b) {
    double d;
    std::memcpy(&d, &b, sizeof d);
    return d;
}

}  // namespace

TEST_CASE("simd::log is within 0.8 ulp over the whole normal range, and near 1") {
    ck::rng g(7);
    std::vector<double> x;
    // Bit patterns uniform over [smallest normal, largest finite]: every exponent equally.
    const std::uint64_t lo = 0x0010000000000000ULL, hi = 0x7fefffffffffffffULL;
    for (int i = 0; i < 400'000; ++i) x.push_back(bits_to_double(lo + g.below(hi - lo + 1)));
    // Near 1, where log x -> 0 and the relative error is hardest to keep.
    for (int i = 0; i < 200'000; ++i) x.push_back(1.0 + std::ldexp(g.uniform() - 0.5, -static_cast<int>(g.below(50))));
    // Both sides of sqrt(1/2) and sqrt(2), the edges of the reduced range.
    for (double edge : {std::sqrt(0.5), std::sqrt(2.0)}) {
        double v = edge;
        for (int i = 0; i < 64; ++i) v = std::nextafter(v, 0.0);
        for (int i = 0; i < 128; ++i, v = std::nextafter(v, 2.0)) x.push_back(v);
    }
    x.resize(x.size() - x.size() % W);
    const auto got = vector_log(x);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, ulp_error(got[i], x[i]));
    MESSAGE("largest error over " << x.size() << " inputs: " << worst << " ulp");
    // The documented bound is 1 ulp; this seeded set reaches 0.78, so a change to the
    // polynomial or to the order of the final additions that costs accuracy shows here.
    CHECK(worst <= 0.8);
}

TEST_CASE("simd::log: special values and subnormal lanes, as IEEE log") {
    const double nan = dlim::quiet_NaN(), inf = dlim::infinity();
    // One batch mixes normal and special lanes; every lane must still be right.
    const std::vector<double> specials = {0.0,
                                          -0.0,
                                          -1.0,
                                          inf,
                                          -inf,
                                          nan,
                                          dlim::denorm_min(),
                                          dlim::min() / 3,
                                          dlim::min(),
                                          dlim::max(),
                                          1.0,
                                          2.0,
                                          0.5,
                                          std::exp(1.0),
                                          1e-300,
                                          std::nextafter(dlim::min(), 0.0)};
    for (std::size_t rot = 0; rot < specials.size(); ++rot) {
        std::vector<double> x(specials.size());
        for (std::size_t i = 0; i < x.size(); ++i) x[i] = specials[(i + rot) % specials.size()];
        const auto got = vector_log(x);
        for (std::size_t i = 0; i < x.size(); ++i) {
            CAPTURE(x[i]);
            const double ref = std::log(x[i]);
            if (std::isnan(ref)) {
                CHECK(std::isnan(got[i]));
            } else if (std::isinf(ref)) {
                CHECK(got[i] == ref);
            } else {
                CHECK(ulp_error(got[i], x[i]) <= 0.8);
            }
        }
    }
    // log 1 = 0 exactly, and log 2^k = k ln 2 to the ulp.
    const auto ones = vector_log(std::vector<double>(W, 1.0));
    for (double v : ones) CHECK(v == 0.0);
    for (int e : {-1074, -1022, -1, 1, 1023}) {
        const auto l = vector_log(std::vector<double>(W, std::ldexp(1.0, e)));
        CHECK(ulp_error(l[0], std::ldexp(1.0, e)) <= 0.8);
    }
    // Every subnormal exponent.
    std::vector<double> sub;
    for (int e = -1074; e < -1022; ++e) sub.push_back(std::ldexp(1.25, e));
    sub.resize(sub.size() - sub.size() % W);
    const auto ls = vector_log(sub);
    for (std::size_t i = 0; i < sub.size(); ++i) {
        CAPTURE(sub[i]);
        CHECK(ulp_error(ls[i], sub[i]) <= 0.8);
    }
}

TEST_CASE("simd::log: K batches side by side give the same bits as one at a time") {
    ck::rng g(11);
    std::vector<double> x(4 * W);
    for (double& v : x) v = std::ldexp(g.uniform() + 0.5, static_cast<int>(g.below(200)) - 100);
    ck::simd::batch<double> in[4], out[4];
    for (std::size_t j = 0; j < 4; ++j) in[j] = ck::simd::load(x.data() + j * W);
    ck::simd::detail::log_normal_lanes<4>(in, out);
    for (std::size_t j = 0; j < 4; ++j) {
        alignas(64) double a[W], b[W];
        ck::simd::store(a, out[j]);
        ck::simd::store(b, ck::simd::detail::log_normal_lanes(in[j]));
        for (std::size_t l = 0; l < W; ++l) CHECK(std::memcmp(&a[l], &b[l], sizeof(double)) == 0);
    }
}

// log(x / y) of the exact ratio in long double: log1pl of the exact difference where x
// and y are within a factor 2 (the long-double quotient would carry 2^-64 of absolute
// error, too much where the log is tiny), logl of the quotient elsewhere.
long double exact_log_ratio(double x, double y) {
    if (x >= y / 2 && x <= 2 * y) {
        return std::log1p((static_cast<long double>(x) - static_cast<long double>(y)) / static_cast<long double>(y));
    }
    return std::log(static_cast<long double>(x) / static_cast<long double>(y));
}

TEST_CASE("log_ratio_normal_lanes is within 2 ulp of the log of the exact ratio, also near 1") {
    ck::rng g(23);
    std::vector<double> x, y;
    const std::uint64_t lo = 0x0010000000000000ULL, hi = 0x7fefffffffffffffULL;
    for (int i = 0; i < 600'000; ++i) {
        const double a = bits_to_double(lo + g.below(hi - lo + 1));
        double b = bits_to_double(lo + g.below(hi - lo + 1));
        switch (i % 4) {
            case 0:
                break;  // any two normal numbers: the ratio may over- or underflow
            case 1:
                b = a * (1.0 + std::ldexp(g.uniform() - 0.5, -static_cast<int>(g.below(52))));
                break;
            case 2:
                b = std::ldexp(a, static_cast<int>(g.below(9)) - 4) * (0.7 + 0.6 * g.uniform());
                break;
            default:
                b = std::nextafter(a, g.uniform() < 0.5 ? 0.0 : dlim::infinity());
                break;
        }
        if (!(b >= dlim::min() && b <= dlim::max())) continue;
        x.push_back(a);
        y.push_back(b);
    }
    double worst = 0;
    for (std::size_t i = 0; i + W <= x.size(); i += W) {
        alignas(64) double out[W];
        ck::simd::store(
            out, ck::simd::detail::log_ratio_normal_lanes(ck::simd::load(x.data() + i), ck::simd::load(y.data() + i)));
        for (std::size_t l = 0; l < W; ++l) {
            const long double exact = exact_log_ratio(x[i + l], y[i + l]);
            const double e = static_cast<double>(exact);
            if (e == 0) {
                CHECK(out[l] == 0.0);
                continue;
            }
            const double ulp = std::nextafter(std::abs(e), dlim::infinity()) - std::abs(e);
            const double err = static_cast<double>(std::abs(static_cast<long double>(out[l]) - exact) / ulp);
            if (err > worst) worst = err;
        }
    }
    MESSAGE("log_ratio_normal_lanes: worst error " << worst << " ulp");
    CHECK(worst <= 2.0);
    // x = y gives exactly 0; the batches side by side give the same bits as one at a time.
    CHECK(ck::simd::detail::log_ratio_normal_lanes(ck::simd::splat(0.3), ck::simd::splat(0.3)).get(0) == 0.0);
    ck::simd::batch<double> a[4], b[4], out[4];
    for (std::size_t j = 0; j < 4; ++j) {
        a[j] = ck::simd::load(x.data() + j * W);
        b[j] = ck::simd::load(y.data() + j * W);
    }
    ck::simd::detail::log_ratio_normal_lanes<4>(a, b, out);
    for (std::size_t j = 0; j < 4; ++j) {
        alignas(64) double u[W], v[W];
        ck::simd::store(u, out[j]);
        ck::simd::store(v, ck::simd::detail::log_ratio_normal_lanes(a[j], b[j]));
        for (std::size_t l = 0; l < W; ++l) CHECK(std::memcmp(&u[l], &v[l], sizeof(double)) == 0);
    }
}

TEST_CASE("simd::log on float lanes: every lane position, subnormals and special values, within 1 ulp of float") {
    constexpr std::size_t F = ck::simd::lanes<float>;
    constexpr float inf = std::numeric_limits<float>::infinity();
    std::vector<float> x;
    for (std::size_t i = 0; i < 4 * F + 3; ++i) {
        x.push_back(0.5f + static_cast<float>(i));                                          // normal
        x.push_back(std::numeric_limits<float>::denorm_min() * static_cast<float>(i + 1));  // subnormal
        x.push_back(std::ldexp(1.0f + 0x1.0p-23f * static_cast<float>(i), static_cast<int>(i) - 60));
    }
    for (float v : {0.0f, -0.0f, -1.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
                    std::numeric_limits<float>::min(), std::numeric_limits<float>::max(), 1.0f})
        x.push_back(v);
    while (x.size() % F != 0) x.push_back(2.0f);
    std::vector<float> out(x.size());
    for (std::size_t off = 0; off + F <= x.size(); off += F)
        ck::simd::store(out.data() + off, ck::simd::log(ck::simd::load(x.data() + off)));
    for (std::size_t i = 0; i < x.size(); ++i) {
        CAPTURE(x[i]);
        const float want = static_cast<float>(std::log(static_cast<double>(x[i])));  // correctly rounded but rarely
        if (std::isnan(want)) {
            CHECK(std::isnan(out[i]));
        } else if (std::isinf(want)) {
            CHECK(out[i] == want);
        } else {
            // want is the float nearest the true log (the double log rounded); xsimd's float
            // log may land on its neighbour, never further.
            CHECK(std::abs(static_cast<double>(out[i]) - static_cast<double>(want)) <=
                  std::abs(static_cast<double>(want)) * 0x1.0p-23);
        }
    }
}

#endif  // COLLAPSEKIT_HAS_SIMD (without SIMD there is no vector log to test)
