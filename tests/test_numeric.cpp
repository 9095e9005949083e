#include <collapsekit/core/numeric.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace ck = collapsekit;

TEST_CASE("log_base converts nats to the requested unit and rejects bad bases") {
    CHECK(ck::nats.nats_to_unit("f") == 1.0);
    CHECK(ck::bits.nats_to_unit("f") == doctest::Approx(1.0 / std::log(2.0)).epsilon(1e-15));
    CHECK(ck::dits.nats_to_unit("f") == doctest::Approx(1.0 / std::log(10.0)).epsilon(1e-15));
    CHECK(ck::log_base(std::exp(1.0)).nats_to_unit("f") == doctest::Approx(1.0).epsilon(1e-15));
    const ck::log_base from_double = 3.0;
    CHECK(from_double.value() == 3.0);
    CHECK(ck::nats.is_natural());
    for (double bad : {1.0, 0.0, -2.0, std::numeric_limits<double>::infinity(), std::nan("")}) {
        CHECK_THROWS_AS(ck::log_base(bad).nats_to_unit("entropy"), std::invalid_argument);
    }
    try {
        ck::log_base(1.0).nats_to_unit("entropy");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) == "collapsekit::entropy: base must be positive, finite and not 1 (got 1)");
    }
}

TEST_CASE("compensated_sum recovers what naive summation loses") {
    ck::compensated_sum s;
    s += 1e16;
    for (int i = 0; i < 1000; ++i) s += 1.0;
    s += -1e16;
    CHECK(s.value() == 1000.0);

    // Neumaier's case that plain Kahan gets wrong: [1, 1e100, 1, -1e100] sums to 2.
    ck::compensated_sum t;
    for (double x : {1.0, 1e100, 1.0, -1e100}) t += x;
    CHECK(t.value() == 2.0);

    ck::compensated_sum a, b;
    a += 0.1;
    b += 0.2;
    a += b;
    CHECK(a.value() == doctest::Approx(0.3).epsilon(1e-16));
    CHECK(ck::compensated_sum().value() == 0.0);

    const std::vector<float> f{1.0f, 2.0f, 3.5f};
    CHECK(ck::accurate_sum(ck::as_view(f)) == 6.5);
    const std::vector<double> empty;
    CHECK(ck::accurate_sum(ck::as_view(empty)) == 0.0);
    const std::vector<double> inf{1.0, std::numeric_limits<double>::infinity()};
    CHECK(std::isinf(ck::accurate_sum(ck::as_view(inf))));
}

TEST_CASE("xlogy, xlogx and rel_entr follow scipy's limits") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(ck::xlogy(0.0, 0.0) == 0.0);
    CHECK(ck::xlogy(0.0, 5.0) == 0.0);
    CHECK(std::isnan(ck::xlogy(0.0, std::nan(""))));
    CHECK(ck::xlogy(2.0, std::exp(1.0)) == doctest::Approx(2.0).epsilon(1e-15));
    CHECK(ck::xlogx(0.0) == 0.0);
    CHECK(ck::xlogx(1.0) == 0.0);
    CHECK(std::isnan(ck::xlogx(-1.0)));

    CHECK(ck::rel_entr(0.0, 0.0) == 0.0);
    CHECK(ck::rel_entr(0.0, 1.0) == 0.0);
    CHECK(ck::rel_entr(1.0, 0.0) == inf);
    CHECK(ck::rel_entr(-1.0, 1.0) == inf);
    CHECK(ck::rel_entr(1.0, -1.0) == inf);
    CHECK(std::isnan(ck::rel_entr(std::nan(""), 1.0)));
    CHECK(ck::rel_entr(0.5, 0.25) == doctest::Approx(0.5 * std::log(2.0)).epsilon(1e-15));
    // Tiny arguments: the ratio is formed first, so nothing underflows to 0 * inf.
    CHECK(ck::rel_entr(5e-324, 5e-324) == 0.0);
    CHECK(ck::rel_entr(1e-300, 1e-310) == doctest::Approx(1e-300 * std::log(1e10)).epsilon(1e-12));
    // Ratio overflows: the log is split instead.
    CHECK(ck::rel_entr(1.0, 5e-324) == doctest::Approx(-std::log(5e-324)).epsilon(1e-15));
}

TEST_CASE("log_ratio is accurate where x / y is close to 1 and never over- or underflows") {
    // Within a factor 2 of each other: the exact difference carries the log.
    for (double eps : {1e-3, 1e-8, 1e-13, 0x1.0p-52}) {
        CAPTURE(eps);
        const double x = 0.3, y = 0.3 * (1.0 + eps);
        const long double exact = std::log1p((static_cast<long double>(x) - y) / static_cast<long double>(y));
        CHECK(static_cast<double>(std::abs((ck::log_ratio(x, y) - exact) / exact)) <= 4e-16);
        // The log of the rounded ratio is off by up to 1 ulp of 1, relative to a log of size eps.
    }
    CHECK(ck::log_ratio(0.7, 0.7) == 0.0);
    CHECK(ck::log_ratio(2.0, 1.0) == doctest::Approx(std::log(2.0)).epsilon(1e-16));
    // Ratios that would overflow or underflow, and subnormal arguments.
    CHECK(ck::log_ratio(1e300, 1e-300) == doctest::Approx(600 * std::log(10.0)).epsilon(1e-15));
    CHECK(ck::log_ratio(1e-300, 1e300) == doctest::Approx(-600 * std::log(10.0)).epsilon(1e-15));
    CHECK(ck::log_ratio(5e-324, 1.0) == doctest::Approx(std::log(5e-324)).epsilon(1e-15));
    CHECK(ck::log_ratio(5e-324, 5e-324) == 0.0);
    CHECK(ck::log_ratio(3 * 5e-324, 2 * 5e-324) == doctest::Approx(std::log(1.5)).epsilon(1e-15));
    CHECK(ck::log_ratio(0.75f, 0.5f) == doctest::Approx(std::log(1.5)).epsilon(1e-7));
}

TEST_CASE("two_sum_error is the exact rounding error of a sum") {
    CHECK(ck::two_sum_error(1.0, 0x1.0p-60, 1.0 + 0x1.0p-60) == 0x1.0p-60);
    CHECK(ck::two_sum_error(0x1.0p-60, 1.0, 1.0) == 0x1.0p-60);
    CHECK(ck::two_sum_error(0.1, 0.2, 0.1 + 0.2) ==
          static_cast<double>((static_cast<long double>(0.1) + 0.2) - static_cast<long double>(0.1 + 0.2)));
    CHECK(ck::two_sum_error(3.0, -3.0, 0.0) == 0.0);
}

TEST_CASE("first_not_whole finds the first value that is no whole number in range") {
    // The check the Python module applies to float token ids, category ids and offsets: 3.0
    // is taken as 3, while 1.7, NaN and inf are refused (numpy's cast would truncate them).
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const double lo = 0.0, hi = 0x1p32;
    const std::vector<double> whole{0.0, 3.0, 4294967295.0, -0.0};
    CHECK(ck::detail::first_not_whole(whole.data(), whole.size(), lo, hi) == whole.size());
    CHECK(ck::detail::first_not_whole(whole.data(), 0, lo, hi) == 0);
    const std::vector<std::vector<double>> bad{{1.0, 1.7},  {2.0, nan},    {2.0, inf},    {2.0, -inf},
                                               {2.0, -1.0}, {2.0, 0x1p32}, {2.0, 5e-324}, {2.0, 2.5, 0.5}};
    for (const auto& v : bad) {
        CAPTURE(v[1]);
        CHECK(ck::detail::first_not_whole(v.data(), v.size(), lo, hi) == 1);
    }
    // The signed range of int64: -2^63 is in, 2^63 is not.
    const std::vector<double> edges{-0x1p63, 0x1p63};
    CHECK(ck::detail::first_not_whole(edges.data(), edges.size(), -0x1p63, 0x1p63) == 1);
}
