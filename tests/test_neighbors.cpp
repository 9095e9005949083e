#include <collapsekit/core/random.hpp>
#include <collapsekit/entropy/continuous.hpp>
#include <collapsekit/knn_divergence.hpp>
#include <collapsekit/neighbors.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;

namespace {

using collapsekit_test::gaussian_points;

// The obvious O(n^2 log n) answer: sort all distances to the other points.
std::vector<double> naive_kth(const std::vector<double>& q, const std::vector<double>& p, std::size_t dim,
                              std::size_t k, bool same_set) {
    const std::size_t nq = q.size() / dim, np = p.size() / dim;
    std::vector<double> out(nq);
    for (std::size_t i = 0; i < nq; ++i) {
        std::vector<double> d;
        for (std::size_t j = 0; j < np; ++j) {
            if (same_set && i == j) continue;
            d.push_back(ck::detail::squared_distance(&q[i * dim], &p[j * dim], dim));
        }
        std::sort(d.begin(), d.end());
        out[i] = std::sqrt(d[k - 1]);
    }
    return out;
}

}  // namespace

TEST_CASE("k-d tree, brute force and the naive sort agree exactly") {
    for (std::size_t dim : {1u, 2u, 3u, 5u, 8u, 12u}) {
        for (std::size_t n : {2u, 10u, 65u, 700u}) {
            const auto x = gaussian_points(n, dim, 100 + dim * 7 + n);
            for (std::size_t k : {1u, 3u}) {
                if (k >= n) continue;
                const auto expect = naive_kth(x, x, dim, k, true);
                CHECK(ck::detail::knn_tree(x.data(), n, x.data(), n, dim, k, true) == expect);
                CHECK(ck::detail::knn_brute(x.data(), n, x.data(), n, dim, k, true) == expect);
                CHECK(ck::kth_neighbor_distances(x, dim, k) == expect);
                const auto q = gaussian_points(37, dim, 999 + n);
                const auto expect_q = naive_kth(q, x, dim, k, false);
                CHECK(ck::detail::knn_tree(q.data(), 37, x.data(), n, dim, k, false) == expect_q);
                CHECK(ck::kth_neighbor_distances(q, x, dim, k) == expect_q);
            }
        }
    }
}

TEST_CASE("neighbour distances against scipy's cKDTree") {
    const collapsekit_test::fixture fx("entropy.txt");
    for (std::size_t dim : {1u, 3u, 8u}) {
        const std::string tag = "knn_d" + std::to_string(dim);
        const auto& pts = fx[tag + "_points"];
        const auto& expect = fx[tag + "_k2"];
        const auto got = ck::kth_neighbor_distances(pts, dim, 2);
        REQUIRE(got.size() == expect.size());
        for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(expect[i]).epsilon(1e-14));
    }
}

TEST_CASE("duplicates, ties and small inputs") {
    // Duplicated points are at distance 0 from each other; the point itself never counts.
    const std::vector<double> x{0, 0, 0, 1, 0, 5};  // 1-D: 0, 0, 0, 1, 0, 5
    CHECK(ck::kth_neighbor_distances(x, 1, 1) == std::vector<double>{0, 0, 0, 1, 0, 4});
    CHECK(ck::kth_neighbor_distances(x, 1, 3) == std::vector<double>{0, 0, 0, 1, 0, 5});
    const std::vector<double> same(200, 2.5);
    const auto d = ck::kth_neighbor_distances(same, 2, 5);
    CHECK(d.size() == 100);
    CHECK(std::all_of(d.begin(), d.end(), [](double v) { return v == 0.0; }));
    const std::vector<float> two{0.f, 0.f, 3.f, 4.f};
    CHECK(ck::kth_neighbor_distances(two, 2, 1) == std::vector<double>{5, 5});
    const std::vector<int> ints{0, 3, 7};
    CHECK(ck::kth_neighbor_distances(ints, 1, 2) == std::vector<double>{7, 4, 7});
    const std::vector<double> none;
    CHECK(ck::kth_neighbor_distances(none, x, 1, 1).empty());
}

TEST_CASE("neighbour distances reject bad input") {
    const std::vector<double> x{0, 1, 2, 3};
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { ck::kth_neighbor_distances(x, 3, 1); }) ==
          "collapsekit::kth_neighbor_distances: points has 4 values, not a multiple of dim (3)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { ck::kth_neighbor_distances(x, 1, 4); }) ==
          "collapsekit::kth_neighbor_distances: k must be less than the number of points (k = 4, n = 4)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { ck::kth_neighbor_distances(x, x, 1, 5); }) ==
          "collapsekit::kth_neighbor_distances: k must not exceed the number of points (k = 5, n = 4)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { ck::kth_neighbor_distances(x, 0, 1); }) ==
          "collapsekit::kth_neighbor_distances: dim must be at least 1");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { ck::kth_neighbor_distances(x, 1, 0); }) ==
          "collapsekit::kth_neighbor_distances: k must be at least 1");
    const std::vector<double> bad{0, std::nan(""), 2};
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { ck::kth_neighbor_distances(bad, 1, 1); }) ==
          "collapsekit::kth_neighbor_distances: points must be finite (points[1] = nan)");
    const std::vector<double> inf{0, 1, HUGE_VAL};
    CHECK_THROWS_AS(ck::kth_neighbor_distances(x, inf, 1, 1), std::invalid_argument);
    const std::vector<double> empty;
    CHECK_THROWS_AS(ck::kth_neighbor_distances(empty, 1, 1), std::invalid_argument);
}

namespace {
std::vector<double> scaled(std::vector<double> v, int e) {
    for (double& x : v) x = std::ldexp(x, e);
    return v;
}
}  // namespace

TEST_CASE("neighbour distances over the whole double range: huge and subnormal samples") {
    // The bad-input matrix's finding: samples near 1.7e308 gave +inf (squared differences
    // overflow) and subnormal samples 0 (they underflow). The references are brute force on
    // the same points rescaled into the normal range, scaled back.
    for (std::size_t dim : {1u, 2u, 3u}) {
        for (std::size_t n : {20u, 300u}) {  // brute force and k-d tree
            CAPTURE(dim);
            CAPTURE(n);
            const auto x = gaussian_points(n, dim, 7 * n + dim);  // |x| well below 8
            const auto q = gaussian_points(15, dim, 3 * n + dim);
            const auto base = ck::kth_neighbor_distances(x, dim, 2);
            const auto base_q = ck::kth_neighbor_distances(q, x, dim, 2);
            // Powers of two up to the top of the range: exact, so the distances scale bit for bit
            // (max |x| 2^1020 is near DBL_MAX / 8; its squares are past 2^2040).
            for (int e : {-1000, -500, 500, 1018, 1020}) {
                CAPTURE(e);
                CHECK(ck::kth_neighbor_distances(scaled(x, e), dim, 2) == scaled(base, e));
                CHECK(ck::kth_neighbor_distances(scaled(q, e), scaled(x, e), dim, 2) == scaled(base_q, e));
            }
            // Near 1.7e308 by a factor that is no power of two: every distance finite and as the
            // reference (rounding of the scaled points only).
            double largest = 0;
            for (double v : x) largest = std::max(largest, std::abs(v));
            std::vector<double> huge = x;
            for (double& v : huge) v = v / largest * 1.7e308;
            const auto got = ck::kth_neighbor_distances(huge, dim, 2);
            const auto ref = naive_kth(scaled(huge, -1000), scaled(huge, -1000), dim, 2, true);
            for (std::size_t i = 0; i < n; ++i) {
                REQUIRE(std::isfinite(got[i]));
                CHECK(got[i] == doctest::Approx(std::ldexp(ref[i], 1000)).epsilon(1e-15));
            }
            // Subnormal samples (about 1e-310, some 44 significant bits): the reference is brute
            // force on the same (rounded) points scaled up exactly.
            const auto tiny = scaled(x, -1033);
            const auto got_tiny = ck::kth_neighbor_distances(tiny, dim, 2);
            const auto ref_tiny = naive_kth(scaled(tiny, 1033), scaled(tiny, 1033), dim, 2, true);
            for (std::size_t i = 0; i < n; ++i) {
                CHECK(got_tiny[i] > 0.0);
                // The distance itself is subnormal: rounded to a multiple of 2^-1074.
                CHECK(std::abs(std::ldexp(got_tiny[i], 1033) - ref_tiny[i]) <= 0x1p-40);
            }
        }
    }
    // The users: the k-NN KL estimate is scale-free, the Kozachenko-Leonenko entropy moves by
    // dim log 2^e (the scaling law of differential entropy).
    const auto x = gaussian_points(200, 2, 11), y = gaussian_points(150, 2, 12);
    const double kl = ck::kl_divergence_knn(x, y, 2);
    const double h = ck::kozachenko_leonenko_entropy(x, 2).value;
    for (int e : {-1040, 1020}) {
        CAPTURE(e);
        CHECK(ck::kl_divergence_knn(scaled(x, e), scaled(y, e), 2) == doctest::Approx(kl).epsilon(1e-6));
        CHECK(ck::kozachenko_leonenko_entropy(scaled(x, e), 2).value ==
              doctest::Approx(h + 2.0 * e * std::log(2.0)).epsilon(1e-9));
    }
}
