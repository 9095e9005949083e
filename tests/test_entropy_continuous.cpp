// Differential entropy: Vasicek against scipy.stats.differential_entropy, k-NN against an
// independent Python version on cKDTree neighbours, and k-NN on Gaussian samples.
#include <collapsekit/core/random.hpp>
#include <collapsekit/entropy/continuous.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;

namespace {}  // namespace

TEST_CASE("Vasicek matches scipy.stats.differential_entropy(method='vasicek')") {
    const collapsekit_test::fixture fx("entropy.txt");
    for (const char* name : {"normal10", "normal57", "expo1000", "uniform300"}) {
        INFO(name);
        const std::string tag = std::string("vasicek_") + name;
        const auto& x = fx[tag];
        CHECK(ck::differential_entropy_vasicek(x) == doctest::Approx(fx.scalar(tag + "_default")).epsilon(1e-12));
        CHECK(ck::differential_entropy_vasicek(x, 3) == doctest::Approx(fx.scalar(tag + "_m3")).epsilon(1e-12));
        CHECK(ck::differential_entropy_vasicek(x, 0, ck::bits) ==
              doctest::Approx(fx.scalar(tag + "_bits")).epsilon(1e-12));
    }
}

TEST_CASE("Kozachenko-Leonenko matches the reference on exact neighbours") {
    const collapsekit_test::fixture fx("entropy.txt");
    for (std::size_t d : {1u, 3u, 8u}) {
        const std::string tag = "kl_d" + std::to_string(d);
        const auto& x = fx[tag + "_points"];
        for (std::size_t k : {1u, 2u, 4u}) {
            INFO("d = " << d << ", k = " << k);
            CHECK(ck::differential_entropy_knn(x, d, k) ==
                  doctest::Approx(fx.scalar(tag + "_k" + std::to_string(k))).epsilon(1e-12));
        }
    }
}

TEST_CASE("histogram plug-in with the bin-width term") {
    const collapsekit_test::fixture fx("entropy.txt");
    CHECK(ck::differential_entropy_histogram(fx["hist_counts"], fx["hist_edges"]) ==
          doctest::Approx(fx.scalar("hist_entropy")).epsilon(1e-12));
    // Uniform on [0, 4) in 8 equal bins: log 4 exactly, in bits 2.
    const std::vector<std::uint64_t> c(8, 5);
    std::vector<double> e;
    for (int i = 0; i <= 8; ++i) e.push_back(0.5 * i);
    CHECK(ck::differential_entropy_histogram(c, e, ck::bits) == doctest::Approx(2.0).epsilon(1e-15));
    const std::vector<double> short_edges{0, 1};
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_histogram(c, short_edges); }) ==
          "collapsekit::differential_entropy_histogram: edges must have one more entry than counts (2 edges, 8 "
          "counts)");
    std::vector<double> bad = e;
    bad[3] = bad[2];
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_histogram(c, bad); }) ==
          "collapsekit::differential_entropy_histogram: edges must be strictly increasing (edges[3] = 1)");
    const std::vector<int> zero(8, 0);
    CHECK_THROWS_AS(ck::differential_entropy_histogram(zero, e), std::invalid_argument);
}

TEST_CASE("k-NN recovers the Gaussian entropy 1/2 log(2 pi e sigma^2) per dimension") {
    // Within 3 standard errors in 1, 2, 5 and 8 dimensions, for several k.
    const double two_pi_e = 2.0 * 3.14159265358979323846 * std::exp(1.0);
    for (std::size_t d : {1u, 2u, 5u, 8u}) {
        for (std::size_t k : {1u, 3u}) {
            const double sigma = 1.7;
            const std::size_t n = 2000;
            ck::rng g(1000 + 10 * d + k);
            ck::normal_distribution normal(0.0, sigma);
            std::vector<double> x(n * d);
            for (double& v : x) v = normal(g);
            const ck::estimate r = ck::kozachenko_leonenko_entropy(x, d, k);
            const double truth = 0.5 * static_cast<double>(d) * std::log(two_pi_e * sigma * sigma);
            INFO("d = " << d << ", k = " << k << ", H = " << r.value << ", truth = " << truth
                        << ", se = " << r.standard_error);
            CHECK(r.n == n);
            CHECK(r.standard_error > 0.0);
            CHECK(std::abs(r.value - truth) <= 3.0 * r.standard_error);
        }
    }
    // And in 1-D, Vasicek as well (its bias is O(m/n); n = 20000 makes it small).
    ck::rng g(3);
    ck::normal_distribution normal(0.0, 0.5);
    std::vector<double> x(20000);
    for (double& v : x) v = normal(g);
    CHECK(ck::differential_entropy_vasicek(x) == doctest::Approx(0.5 * std::log(two_pi_e * 0.25)).epsilon(0.01));
}

TEST_CASE("continuous estimators: ties, NaN policy and bad input") {
    // Ties: a zero spacing or a zero neighbour distance gives -inf, as documented.
    const std::vector<double> tied{1, 2, 2, 2, 2, 2, 3, 4, 5};
    CHECK(ck::differential_entropy_vasicek(tied, 2) == -HUGE_VAL);
    const std::vector<double> dup{0, 0, 1, 2, 3.5};
    CHECK(ck::differential_entropy_knn(dup, 1, 1) == -HUGE_VAL);
    CHECK(std::isnan(ck::kozachenko_leonenko_entropy(dup, 1, 1).standard_error));
    CHECK(std::isfinite(ck::differential_entropy_knn(dup, 1, 2)));
    // NaN: raise, omit (the whole row), propagate.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<double> pts{0, 0, 1, 0.5, nan, 3, 2, 2, 0.25, 1.75, 3, 0.5};
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_knn(pts, 2); }) ==
          "collapsekit::differential_entropy_knn: points contains NaN (first at index 4); pass nan_policy::omit "
          "or nan_policy::propagate to allow it");
    std::vector<double> kept{0, 0, 1, 0.5, 2, 2, 0.25, 1.75, 3, 0.5};
    CHECK(ck::differential_entropy_knn(pts, 2, 1, ck::nats, ck::nan_policy::omit) ==
          ck::differential_entropy_knn(kept, 2, 1));
    CHECK(std::isnan(ck::differential_entropy_knn(pts, 2, 1, ck::nats, ck::nan_policy::propagate)));
    std::vector<double> v{0.3, 1.2, nan, 2.2, 0.1, 5.0, 3.3, 2.9};
    CHECK(std::isnan(ck::differential_entropy_vasicek(v, 0, ck::nats, ck::nan_policy::propagate)));
    std::vector<double> v_kept{0.3, 1.2, 2.2, 0.1, 5.0, 3.3, 2.9};
    CHECK(ck::differential_entropy_vasicek(v, 0, ck::nats, ck::nan_policy::omit) ==
          ck::differential_entropy_vasicek(v_kept));
    CHECK_THROWS_AS(ck::differential_entropy_vasicek(v), std::invalid_argument);
    // Bad input.
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_vasicek(v_kept, 4); }) ==
          "collapsekit::differential_entropy_vasicek: window_length must be positive and less than half the "
          "sample size (window_length = 4, n = 7)");
    const std::vector<double> two{1, 2};
    CHECK_THROWS_AS(ck::differential_entropy_vasicek(two), std::invalid_argument);
    const std::vector<double> empty;
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_vasicek(empty); }) ==
          "collapsekit::differential_entropy_vasicek: x is empty");
    const std::vector<double> inf{1, 2, HUGE_VAL, 4, 5, 6, 7};
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_vasicek(inf); }) ==
          "collapsekit::differential_entropy_vasicek: x must be finite (x[2] = inf)");
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_knn(inf, 1); }) ==
          "collapsekit::differential_entropy_knn: points must be finite (points[2] = inf)");
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_knn(kept, 2, 5); }) ==
          "collapsekit::differential_entropy_knn: k must be less than the number of points (k = 5, n = 5)");
    CHECK(collapsekit_test::error_message([&] { ck::differential_entropy_knn(kept, 3); }) ==
          "collapsekit::differential_entropy_knn: points has 10 values, not a multiple of dim (3)");
    CHECK_THROWS_AS(ck::differential_entropy_knn(kept, 0), std::invalid_argument);
    CHECK_THROWS_AS(ck::differential_entropy_knn(kept, 2, 0), std::invalid_argument);
    CHECK_THROWS_AS(ck::differential_entropy_knn(kept, 2, 1, 1.0), std::invalid_argument);
    // Float and integer inputs.
    const std::vector<float> f{0.f, 1.f, 3.f, 6.f, 10.f};
    const std::vector<double> fd{0, 1, 3, 6, 10};
    CHECK(ck::differential_entropy_knn(f, 1) == ck::differential_entropy_knn(fd, 1));
    const std::vector<int> ints{0, 1, 3, 6, 10};
    CHECK(ck::differential_entropy_vasicek(ints, 2) == ck::differential_entropy_vasicek(fd, 2));
}
