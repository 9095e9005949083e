#include <collapsekit/bootstrap.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cmath>
#include <cstdint>
#include <vector>

namespace ck = collapsekit;

using collapsekit_test::mean_of;

TEST_CASE("bootstrap of the mean matches the textbook standard error") {
    ck::rng g(1);
    ck::normal_distribution normal(5.0, 2.0);
    std::vector<double> x(400);
    for (double& v : x) v = normal(g);
    const auto r = ck::bootstrap(x, mean_of, {2000, 0.9, 7});
    CHECK(r.estimate == doctest::Approx(mean_of(x)).epsilon(1e-15));
    // Bootstrap SE of the mean ~ s / sqrt(n) = 0.1; B = 2000 gives ~2 % Monte Carlo error.
    double ss = 0;
    for (double v : x) ss += (v - r.estimate) * (v - r.estimate);
    const double se = std::sqrt(ss / (x.size() - 1) / x.size());
    CHECK(r.standard_error == doctest::Approx(se).epsilon(0.08));
    CHECK(r.lower < r.estimate);
    CHECK(r.upper > r.estimate);
    // 90 % normal interval half-width is 1.645 se.
    CHECK((r.upper - r.lower) / 2 == doctest::Approx(1.645 * se).epsilon(0.1));
    CHECK(r.level == 0.9);
    CHECK(r.replicates == 2000);
    // Same seed, same interval; another seed, another.
    const auto again = ck::bootstrap(x, mean_of, {2000, 0.9, 7});
    CHECK(again.lower == r.lower);
    CHECK(again.upper == r.upper);
    CHECK(ck::bootstrap(x, mean_of, {2000, 0.9, 8}).lower != r.lower);
}

TEST_CASE("two-sample and count bootstraps") {
    const std::vector<double> a{1, 2, 3, 4, 5}, b{10, 20};
    auto diff = [](ck::view<const double> x, ck::view<const double> y) { return mean_of(y) - mean_of(x); };
    const auto r = ck::bootstrap(a, b, diff, {500, 0.95, 3});
    CHECK(r.estimate == 12.0);
    CHECK(r.lower >= 10.0 - 5.0);
    CHECK(r.upper <= 20.0 - 1.0);

    // Counts: the bootstrap of the share of category 0 has SE sqrt(p(1-p)/N).
    const std::vector<std::uint64_t> counts{300, 700};
    auto share = [](ck::view<const std::uint64_t> c) { return double(c[0]) / double(c[0] + c[1]); };
    const auto rc = ck::bootstrap_counts(counts, share, {2000, 0.95, 11});
    CHECK(rc.estimate == 0.3);
    CHECK(rc.standard_error == doctest::Approx(std::sqrt(0.3 * 0.7 / 1000)).epsilon(0.08));

    const std::vector<double> ca{5, 5}, cb{1, 9};
    auto gap = [](ck::view<const double> x, ck::view<const double> y) { return x[0] / 10 - y[0] / 10; };
    const auto r2 = ck::bootstrap_counts(ca, cb, gap, {300, 0.8, 1});
    CHECK(r2.estimate == doctest::Approx(0.4).epsilon(1e-15));
    CHECK(r2.lower < 0.4);
    CHECK(r2.upper > 0.4);
}

TEST_CASE("named options select the one-sample overloads") {
    const std::vector<double> x{1, 2, 3, 4};
    const std::vector<std::uint64_t> counts{3, 1};
    const ck::bootstrap_options opt{50, 0.9, 2};
    CHECK(ck::bootstrap(x, mean_of, opt).replicates == 50);
    auto first_share = [](ck::view<const std::uint64_t> c) { return double(c[0]) / double(c[0] + c[1]); };
    CHECK(ck::bootstrap_counts(counts, first_share, opt).estimate == 0.75);
    CHECK(ck::bootstrap_counts(counts, first_share, ck::bootstrap_options{20, 0.5, 1}).replicates == 20);
}

TEST_CASE("bootstrap edge cases and bad input") {
    const std::vector<double> one{3.0};
    const auto r = ck::bootstrap(one, mean_of, {10, 0.95, 0});
    CHECK(r.lower == 3.0);
    CHECK(r.upper == 3.0);
    CHECK(r.standard_error == 0.0);

    const std::vector<double> x{1, 2, 3};
    auto nan_stat = [](ck::view<const double>) { return std::nan(""); };
    CHECK(std::isnan(ck::bootstrap(x, nan_stat).lower));

    const std::vector<double> empty;
    CHECK_THROWS_AS(ck::bootstrap(empty, mean_of), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap(x, mean_of, {1, 0.95, 0}), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap(x, mean_of, {100, 1.0, 0}), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap(x, mean_of, {100, 0.0, 0}), std::invalid_argument);
    auto first = [](ck::view<const double> c) { return c[0]; };
    CHECK_THROWS_AS(ck::bootstrap_counts(std::vector<double>{1.5, 2}, first), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap_counts(std::vector<double>{-1, 2}, first), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap_counts(std::vector<double>{0, 0}, first), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap_counts(empty, first), std::invalid_argument);
    try {
        ck::bootstrap_counts(std::vector<double>{1, 2.5}, first);
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) ==
              "collapsekit::bootstrap_counts: counts must hold non-negative whole counts (counts[1] = 2.5)");
    }
}
