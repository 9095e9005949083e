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

TEST_CASE("bootstrap: nan_policy raise, omit and propagate") {
    // The bad-input matrix's finding: ck.bootstrap had no nan_policy, and a NaN went into
    // the statistic. Now: raise by default, omit resamples the sample without NaN,
    // propagate gives NaN everywhere without calling the statistic.
    const double nan = std::nan("");
    const std::vector<double> with_nan{1.0, nan, 3.0, 4.0, nan, 10.0}, clean{1.0, 3.0, 4.0, 10.0};
    const ck::bootstrap_options opt{200, 0.9, 7};
    std::size_t calls = 0;
    auto mean = [&calls](ck::view<const double> v) {
        ++calls;
        double s = 0;
        for (double x : v) s += x;
        return s / static_cast<double>(v.size());
    };
    CHECK(collapsekit_test::error_message([&] { ck::bootstrap(with_nan, mean, opt); }) ==
          "collapsekit::bootstrap: sample contains NaN (first at index 1); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(calls == 0);
    const auto omitted = ck::bootstrap(with_nan, mean, opt, ck::nan_policy::omit);
    const auto reference = ck::bootstrap(clean, mean, opt);
    CHECK(omitted.estimate == 4.5);
    CHECK(omitted.lower == reference.lower);
    CHECK(omitted.upper == reference.upper);
    CHECK(std::isfinite(omitted.standard_error));
    calls = 0;
    const auto propagated = ck::bootstrap(with_nan, mean, opt, ck::nan_policy::propagate);
    CHECK(calls == 0);
    CHECK(std::isnan(propagated.estimate));
    CHECK(std::isnan(propagated.lower));
    CHECK(std::isnan(propagated.upper));
    CHECK(std::isnan(propagated.standard_error));
    CHECK(propagated.replicates == 200);
    CHECK(propagated.level == 0.9);
    // Without NaN every policy gives the same interval.
    const auto clean_omit = ck::bootstrap(clean, mean, opt, ck::nan_policy::omit);
    CHECK(clean_omit.lower == reference.lower);
    CHECK(clean_omit.upper == reference.upper);
    // NaN only, under omit: nothing is left to resample.
    const std::vector<double> only_nan{nan, nan};
    CHECK(collapsekit_test::error_message([&] { ck::bootstrap(only_nan, mean, opt, ck::nan_policy::omit); }) ==
          "collapsekit::bootstrap: sample holds no value but NaN");
    // Two samples: each sample's own NaN, named.
    auto diff = [](ck::view<const double> a, ck::view<const double> b) { return a[0] - b[0]; };
    CHECK(collapsekit_test::error_message([&] {
              ck::bootstrap(clean, with_nan, diff, opt);
          }).rfind("collapsekit::bootstrap: second sample contains NaN (first at index 1)", 0) == 0);
    const auto two = ck::bootstrap(with_nan, clean, diff, opt, ck::nan_policy::omit);
    CHECK(two.estimate == 0.0);
    CHECK(std::isnan(ck::bootstrap(clean, with_nan, diff, opt, ck::nan_policy::propagate).upper));
}
