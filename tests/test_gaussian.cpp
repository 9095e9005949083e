#include <collapsekit/core/random.hpp>
#include <collapsekit/gaussian.hpp>
#include <collapsekit/knn_divergence.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;
using collapsekit_test::fixture;

TEST_CASE("Gaussian closed forms in one dimension") {
    // KL(N(0,1) || N(1,4)) = log 2 + (1 + 1) / 8 - 1/2.
    CHECK(ck::kl_gaussian(0, 1, 1, 2) == doctest::Approx(std::log(2.0) + 0.25 - 0.5).epsilon(1e-15));
    CHECK(ck::kl_gaussian(0, 1, 1, 2, ck::bits) ==
          doctest::Approx((std::log(2.0) + 0.25 - 0.5) / std::log(2.0)).epsilon(1e-15));
    CHECK(ck::kl_gaussian(3, 2, 3, 2) == 0.0);
    // Nearly equal scales keep their digits: (r^2 - 1)/2 - log r ~ d^2 for r = 1 + d.
    const double d = 1e-9;
    CHECK(ck::kl_gaussian(0, 1 + d, 0, 1) == doctest::Approx(d * d).epsilon(1e-6));
    CHECK(ck::wasserstein_gaussian(0, 1, 3, 5) == doctest::Approx(5.0).epsilon(1e-15));
    CHECK(ck::wasserstein_gaussian(1, 0, 1, 0) == 0.0);
    CHECK(collapsekit_test::error_message([] { ck::kl_gaussian(0, 0, 0, 1); }) ==
          "collapsekit::kl_gaussian: sigma1 must be positive and finite (got 0)");
    CHECK_THROWS_AS(ck::wasserstein_gaussian(0, -1, 0, 1), std::invalid_argument);
    CHECK_THROWS_AS(ck::kl_gaussian(NAN, 1, 0, 1), std::invalid_argument);
}

TEST_CASE("multivariate Gaussian KL and W2 match numpy / scipy.linalg") {
    const fixture f("divergence_gaussian.txt");
    for (int k : {1, 3, 6}) {
        const std::string c = "k" + std::to_string(k);
        CAPTURE(c);
        CHECK(ck::kl_gaussian_mv(f[c + "_m1"], f[c + "_s1"], f[c + "_m2"], f[c + "_s2"]) ==
              doctest::Approx(f.scalar(c + "_kl")).epsilon(1e-11));
        CHECK(ck::wasserstein_gaussian_mv(f[c + "_m1"], f[c + "_s1"], f[c + "_m2"], f[c + "_s2"]) ==
              doctest::Approx(f.scalar(c + "_w2")).epsilon(1e-10));
    }
    // One dimension agrees with the scalar forms; diagonal covariances add up coordinate-wise.
    const std::vector<double> m1{0.5}, s1{4.0}, m2{-1.0}, s2{0.25};
    CHECK(ck::kl_gaussian_mv(m1, s1, m2, s2) == doctest::Approx(ck::kl_gaussian(0.5, 2.0, -1.0, 0.5)).epsilon(1e-14));
    CHECK(ck::wasserstein_gaussian_mv(m1, s1, m2, s2) ==
          doctest::Approx(ck::wasserstein_gaussian(0.5, 2.0, -1.0, 0.5)).epsilon(1e-14));
    const std::vector<double> a{0, 0}, sa{1, 0, 0, 4}, b{1, 2}, sb{9, 0, 0, 1};
    CHECK(ck::kl_gaussian_mv(a, sa, b, sb) ==
          doctest::Approx(ck::kl_gaussian(0, 1, 1, 3) + ck::kl_gaussian(0, 2, 2, 1)).epsilon(1e-14));
    CHECK(ck::wasserstein_gaussian_mv(a, sa, b, sb) == doctest::Approx(std::sqrt(1 + 4 + 4 + 1)).epsilon(1e-14));
    // A degenerate (rank-1) covariance is fine for W2, not for KL.
    const std::vector<double> rank1{1, 1, 1, 1};
    CHECK(std::isfinite(ck::wasserstein_gaussian_mv(a, rank1, b, sb)));
    CHECK(collapsekit_test::error_message([&] { ck::kl_gaussian_mv(a, rank1, b, sb); }) ==
          "collapsekit::kl_gaussian_mv: cov1 must be positive definite");
    const std::vector<double> bad3{1, 0, 0};
    CHECK(collapsekit_test::error_message([&] { ck::kl_gaussian_mv(a, bad3, b, sb); }) ==
          "collapsekit::kl_gaussian_mv: cov1 must hold k * k = 4 entries for k = 2 (got 3)");
    const std::vector<double> neg{-1, 0, 0, 1};
    CHECK_THROWS_AS(ck::wasserstein_gaussian_mv(a, neg, b, sb), std::invalid_argument);
    const std::vector<double> c3{1, 2, 3};
    CHECK(collapsekit_test::error_message([&] { ck::kl_gaussian_mv(a, sa, c3, sb); }) ==
          "collapsekit::kl_gaussian_mv: mean1 and mean2 differ in length (2 vs 3)");
}

TEST_CASE("k-NN KL estimator converges to the Gaussian closed form") {
    // x ~ N(0, I_2), y ~ N((1, 0), I_2): KL = |mu|^2 / 2 = 0.5. Over 20 other seeds the
    // estimate with n = m = 2000, k = 5 averaged 0.459 (the finite-sample bias of k-NN
    // estimators) with standard deviation 0.033, so bias + 4 sd = 0.17 bounds one run.
    ck::rng g(12);
    ck::normal_distribution normal;
    const std::size_t n = 2000, dim = 2;
    std::vector<double> x(n * dim), y(n * dim);
    for (double& v : x) v = normal(g);
    for (std::size_t i = 0; i < n; ++i) y[2 * i] = 1.0 + normal(g), y[2 * i + 1] = normal(g);
    const double kl = ck::kl_divergence_knn(x, y, dim, 5);
    CHECK(std::abs(kl - 0.5) < 0.17);
    CHECK(ck::kl_divergence_knn(x, y, dim, 5, ck::bits) == doctest::Approx(kl / std::log(2.0)).epsilon(1e-14));
    CHECK(ck::measures::kl_divergence_knn{dim, 5}(x, y) == kl);
    const std::vector<double> dup{0, 0, 0, 0, 1, 1};
    CHECK_THROWS_AS(ck::kl_divergence_knn(dup, y, 2, 1), std::domain_error);
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence_knn(x, y, 2, n); }) ==
          "collapsekit::kl_divergence_knn: k must be below the number of x points (k = 2000, n = 2000)");
    CHECK_THROWS_AS(ck::kl_divergence_knn(x, y, 3, 1), std::invalid_argument);
}
