// The deterministic parallel loop (core/parallel.hpp) and the threaded bootstrap:
// results must not depend on the thread count, and the sort-once bootstrap of the CDF
// distances must agree with recomputing each replicate from scratch.
#include "parallel_check.hpp"
#include "test_support.hpp"

#include <collapsekit/bootstrap.hpp>
#include <collapsekit/bootstrap_cdf.hpp>
#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace collapsekit {
using ck_test::same_bits;
bool same_bits(const interval_estimate& a, const interval_estimate& b) {
    return same_bits(a.estimate, b.estimate) && same_bits(a.lower, b.lower) && same_bits(a.upper, b.upper) &&
           same_bits(a.standard_error, b.standard_error) && same_bits(a.bias_correction, b.bias_correction) &&
           same_bits(a.acceleration, b.acceleration) && a.replicates == b.replicates;
}
bool same_bits(const cdf_distance_intervals& a, const cdf_distance_intervals& b) {
    return same_bits(a.wasserstein, b.wasserstein) && same_bits(a.ks, b.ks) && same_bits(a.energy, b.energy);
}
}  // namespace collapsekit

namespace {

using collapsekit_test::mean_of;

std::vector<double> shifted_normal_sample(std::size_t n, double mean, double sd, std::uint64_t seed) {
    std::vector<double> x = collapsekit_test::gaussian_points(n, 1, seed);
    for (double& v : x) v = mean + sd * v;
    return x;
}

}  // namespace

TEST_CASE("execution: the thread count is an upper bound, 0 pays its way") {
    CHECK(ck::threads(4).workers(100) == 4);
    CHECK(ck::threads(4).workers(3) == 3);
    CHECK(ck::threads(1).workers(1'000'000) == 1);
    CHECK(ck::threads(4).workers(0) == 1);
    CHECK(ck::all_threads.workers(10, 100) == 1);  // too little work for a second thread
    CHECK(ck::all_threads.workers(1'000'000, 1) >= 1);
    CHECK(ck::sequential.threads == 1);
}

TEST_CASE("parallel_for runs every item once and reports the lowest failing item") {
    for (std::size_t t : ck_test::thread_counts) {
        CAPTURE(t);
        std::vector<std::atomic<int>> hits(1001);
        ck::detail::parallel_for(ck::threads(t), hits.size(), [&](std::size_t i) { ++hits[i]; });
        bool once = true;
        for (auto& h : hits) once = once && h.load() == 1;
        CHECK(once);
        try {
            ck::detail::parallel_for(ck::threads(t), 500, [](std::size_t i) {
                if (i % 97 == 40) throw std::runtime_error(std::to_string(i));
            });
            CHECK(false);
        } catch (const std::runtime_error& e) {
            CHECK(std::string(e.what()) == "40");
        }
    }
    ck::detail::parallel_for(ck::threads(3), 0, [](std::size_t) { CHECK(false); });
}

TEST_CASE("chunked_reduce: the same bits for every thread count and size") {
    for (std::size_t n : ck_test::awkward_sizes()) {
        CAPTURE(n);
        std::vector<double> x(n);
        ck::rng g(n);
        for (double& v : x) v = g.uniform() * 1e6 - 3e5;
        ck_test::check_thread_invariant([&](const ck::execution& ex) {
            return ck::detail::chunked_reduce<double>(
                ex, n, ck::reduction_chunk,
                [&](std::size_t b, std::size_t e) {
                    return ck::accurate_sum(ck::view<const double>(x.data() + b, e - b));
                },
                [](double a, double b) { return a + b; });
        });
    }
    CHECK(ck::detail::chunked_map<double>(ck::threads(4), 0, 16, [](std::size_t, std::size_t) { return 1.0; }).empty());
}

TEST_CASE("bootstrap: replicates spread over threads give the same interval") {
    const auto x = shifted_normal_sample(300, 1.0, 2.0, 5);
    const auto y = shifted_normal_sample(200, 1.5, 2.0, 6);
    const std::vector<std::uint64_t> counts{40, 0, 13, 7, 1, 250, 3};
    const std::vector<std::uint64_t> many{400000, 123456, 99, 7};  // binomial path (N > 32 K)
    auto share0 = [](ck::view<const std::uint64_t> c) {
        double t = 0;
        for (auto v : c) t += static_cast<double>(v);
        return static_cast<double>(c[0]) / t;
    };
    for (const auto method : {ck::interval_method::percentile, ck::interval_method::bca}) {
        CAPTURE(static_cast<int>(method));
        ck::bootstrap_options opt{203, 0.9, 17};
        opt.method = method;
        ck_test::check_thread_invariant([&](const ck::execution& ex) { return ck::bootstrap(ex, x, mean_of, opt); });
        ck_test::check_thread_invariant([&](const ck::execution& ex) {
            return ck::bootstrap(
                ex, x, y, [](ck::view<const double> a, ck::view<const double> b) { return mean_of(b) - mean_of(a); },
                opt);
        });
        ck_test::check_thread_invariant(
            [&](const ck::execution& ex) { return ck::bootstrap_counts(ex, counts, share0, opt); });
        ck_test::check_thread_invariant(
            [&](const ck::execution& ex) { return ck::bootstrap_counts(ex, many, share0, opt); });
        ck_test::check_thread_invariant([&](const ck::execution& ex) {
            return ck::bootstrap_counts(
                ex, counts, many,
                [&](ck::view<const std::uint64_t> a, ck::view<const std::uint64_t> b) { return share0(a) - share0(b); },
                opt);
        });
        ck_test::check_thread_invariant(
            [&](const ck::execution& ex) { return ck::bootstrap_cdf_distances(ex, x, y, opt); });
    }
    // The sequential overloads are the one-thread calls.
    CHECK(ck::same_bits(ck::bootstrap(x, mean_of, {50, 0.9, 3}),
                        ck::bootstrap(ck::threads(3), x, mean_of, {50, 0.9, 3})));
}

TEST_CASE("bootstrap_counts: both multinomial samplers have the multinomial's moments") {
    // N <= 32 K draws observations; N > 32 K draws conditional binomials.
    for (const std::uint64_t scale : {std::uint64_t{1}, std::uint64_t{1000}}) {
        CAPTURE(scale);
        const std::vector<std::uint64_t> counts{3 * scale, 1 * scale, 6 * scale};
        const double total = 10.0 * static_cast<double>(scale);
        auto share = [&](ck::view<const std::uint64_t> c) {
            CHECK(c[0] + c[1] + c[2] == 10 * scale);  // every replicate keeps N observations
            return static_cast<double>(c[2]) / total;
        };
        const auto r = ck::bootstrap_counts(ck::threads(2), counts, share, {4000, 0.95, 9});
        // SE of a multinomial share: sqrt(p (1 - p) / N); B = 4000 gives ~1.1 % MC error.
        CHECK(r.standard_error == doctest::Approx(std::sqrt(0.6 * 0.4 / total)).epsilon(0.05));
    }
}

TEST_CASE("BCa: the jackknife acceleration of the mean is skewness / (6 sqrt n)") {
    // Leave-one-out jackknife of the mean: U_i = (x_i - mean) / (n - 1), so
    // a = sum d^3 / (6 (sum d^2)^(3/2)) with d = x - mean (Efron & Tibshirani eq. 14.15).
    ck::rng g(3);
    std::vector<double> x(150);
    for (double& v : x) v = -std::log(g.uniform_open());  // exponential: skewed right
    const double m = mean_of(x);
    double s2 = 0, s3 = 0;
    for (double v : x) {
        s2 += (v - m) * (v - m);
        s3 += (v - m) * (v - m) * (v - m);
    }
    const double expected = s3 / (6.0 * std::pow(s2, 1.5));
    ck::bootstrap_options opt{4000, 0.95, 4};
    opt.method = ck::interval_method::bca;
    const auto bca = ck::bootstrap(ck::threads(2), x, mean_of, opt);
    CHECK(bca.acceleration == doctest::Approx(expected).epsilon(1e-9));
    CHECK(bca.acceleration > 0);
    const auto pct = ck::bootstrap(ck::threads(2), x, mean_of, {4000, 0.95, 4});
    // Same replicates: the same standard error; a right-skewed statistic moves BCa right.
    CHECK(bca.standard_error == pct.standard_error);
    CHECK(bca.upper > pct.upper);
    CHECK(bca.lower > pct.lower);
    CHECK(bca.method == ck::interval_method::bca);

    // Delete-a-group jackknife for samples above jackknife_groups: still close for the mean.
    opt.jackknife_groups = 50;
    const auto grouped = ck::bootstrap(x, mean_of, opt);
    CHECK(grouped.acceleration == doctest::Approx(expected).epsilon(0.35));

    // A constant sample: every replicate equals the estimate, z0 is infinite, BCa is NaN.
    const std::vector<double> flat(20, 2.0);
    ck::bootstrap_options o2{100, 0.9, 1};
    o2.method = ck::interval_method::bca;
    const auto r = ck::bootstrap(flat, mean_of, o2);
    CHECK(std::isnan(r.lower));
    CHECK(std::isnan(r.upper));
    CHECK(r.standard_error == 0.0);
    o2.jackknife_groups = 1;
    CHECK_THROWS_AS(ck::bootstrap(flat, mean_of, o2), std::invalid_argument);
}

TEST_CASE("BCa of counts uses the leave-one-out jackknife by category") {
    const std::vector<std::uint64_t> counts{30, 10, 60};
    // Share of category 2: leaving out one observation of category k gives
    // (60 - [k == 2]) / 99; by hand the acceleration of a proportion p from N observations
    // is (1 - 2p) / (6 sqrt(N p (1 - p))) to first order.
    auto share = [](ck::view<const std::uint64_t> c) {
        return static_cast<double>(c[2]) / static_cast<double>(c[0] + c[1] + c[2]);
    };
    ck::bootstrap_options opt{2000, 0.9, 8};
    opt.method = ck::interval_method::bca;
    const auto r = ck::bootstrap_counts(counts, share, opt);
    const double p = 0.6, n = 100;
    CHECK(r.acceleration == doctest::Approx((1 - 2 * p) / (6 * std::sqrt(n * p * (1 - p)))).epsilon(0.03));
    opt.jackknife_groups = 2;  // three non-empty categories
    CHECK_THROWS_WITH_AS(ck::bootstrap_counts(counts, share, opt), doctest::Contains("once per non-empty category"),
                         std::invalid_argument);
}

TEST_CASE("bootstrap_cdf_distances: the estimates are W1, KS and energy of the samples") {
    const auto u = shifted_normal_sample(1000, 0.0, 1.0, 1);
    auto v = shifted_normal_sample(700, 0.3, 1.5, 2);
    v[5] = u[17];  // a tie across the samples
    v[6] = v[7];   // and within one
    const auto r = ck::bootstrap_cdf_distances(u, v, {100, 0.95, 1});
    CHECK(r.wasserstein.estimate == doctest::Approx(ck::wasserstein(u, v)).epsilon(1e-12));
    CHECK(r.energy.estimate == doctest::Approx(ck::energy_distance(u, v)).epsilon(1e-12));
    CHECK(r.ks.estimate == doctest::Approx(ck::ks_2samp(u, v).statistic).epsilon(1e-14));
    for (const auto* i : {&r.wasserstein, &r.ks, &r.energy}) {
        CHECK(i->lower <= i->estimate + 0.05);
        CHECK(i->upper >= i->lower);
        CHECK(i->replicates == 100);
    }
}

TEST_CASE("bootstrap_cdf_distances: each replicate equals the distances of the expanded resample") {
    // The weighted pass against the sort-based measures on the resampled values themselves.
    auto u = shifted_normal_sample(257, 0.0, 1.0, 11);
    auto v = shifted_normal_sample(131, 0.5, 0.7, 12);
    for (std::size_t i = 0; i < 20; ++i) v[i] = u[i];    // ties across the samples
    for (std::size_t i = 30; i < 40; ++i) u[i] = u[29];  // a run of ties in one
    std::vector<double> su = u, sv = v;
    ck::sort_values(su);
    ck::sort_values(sv);
    const auto merged = ck::detail::merge_samples(su, sv);
    for (std::uint64_t r = 0; r < 25; ++r) {
        CAPTURE(r);
        ck::rng g = ck::rng::for_stream(99, r);
        std::vector<std::uint32_t> cu(su.size() + 1), cv(sv.size() + 1);  // + 1: cdf_distances_of reads ahead
        ck::detail::uniform_multinomial(cu.data(), su.size(), g);
        ck::detail::uniform_multinomial(cv.data(), sv.size(), g);
        std::vector<double> ru, rv;
        for (std::size_t i = 0; i < su.size(); ++i) ru.insert(ru.end(), cu[i], su[i]);
        for (std::size_t j = 0; j < sv.size(); ++j) rv.insert(rv.end(), cv[j], sv[j]);
        REQUIRE(ru.size() == su.size());
        REQUIRE(rv.size() == sv.size());
        const auto d = ck::detail::cdf_distances_of(merged, cu.data(), cv.data(), su.size(), sv.size());
        CHECK(d.wasserstein == doctest::Approx(ck::wasserstein(ru, rv)).epsilon(1e-12));
        CHECK(d.energy == doctest::Approx(ck::energy_distance(ru, rv)).epsilon(1e-12));
        CHECK(d.ks == doctest::Approx(ck::ks_2samp(ru, rv).statistic).epsilon(1e-14));
    }
}

TEST_CASE("uniform_multinomial draws size observations uniformly over the cells") {
    // 10000 cells (two full blocks of 4096 and a partial one), 400 draws of the vector:
    // every cell's count is Binomial(10000, 1e-4): mean 1, variance ~1, and each block's
    // share of the draws is its share of the cells.
    const std::size_t size = 10000, reps = 400;
    std::vector<std::uint32_t> c(size);
    std::vector<double> sum(size, 0), sum2(size, 0);
    double block_total[3] = {0, 0, 0};
    for (std::size_t r = 0; r < reps; ++r) {
        ck::rng g = ck::rng::for_stream(5, r);
        ck::detail::uniform_multinomial(c.data(), size, g);
        std::uint64_t total = 0;
        for (std::size_t i = 0; i < size; ++i) {
            total += c[i];
            sum[i] += c[i];
            sum2[i] += double(c[i]) * c[i];
            block_total[i / 4096] += c[i];
        }
        REQUIRE(total == size);
    }
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < size; ++i) {
        mean += sum[i] / reps;
        var += sum2[i] / reps - (sum[i] / reps) * (sum[i] / reps);
    }
    CHECK(mean / size == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(var / size == doctest::Approx(1.0 - 1e-4).epsilon(0.02));
    const double all = double(size) * reps;
    CHECK(block_total[0] / all == doctest::Approx(0.4096).epsilon(0.01));
    CHECK(block_total[2] / all == doctest::Approx(1808.0 / 10000).epsilon(0.01));
    std::uint32_t one = 7;
    ck::rng g(1);
    ck::detail::uniform_multinomial(&one, 1, g);
    CHECK(one == 1);
}

TEST_CASE("bootstrap_cdf_distances agrees with the resample-and-recompute bootstrap") {
    const auto u = shifted_normal_sample(400, 0.0, 1.0, 21);
    const auto v = shifted_normal_sample(300, 0.4, 1.2, 22);
    const ck::bootstrap_options opt{3000, 0.9, 5};
    const auto fast = ck::bootstrap_cdf_distances(ck::threads(2), u, v, opt);
    const auto naive = ck::bootstrap(
        ck::threads(2), u, v, [](ck::view<const double> a, ck::view<const double> b) { return ck::wasserstein(a, b); },
        opt);
    // Different streams, the same distribution: Monte Carlo error of an SE from B = 3000 is ~1.3 %.
    CHECK(fast.wasserstein.standard_error == doctest::Approx(naive.standard_error).epsilon(0.08));
    CHECK(fast.wasserstein.lower == doctest::Approx(naive.lower).epsilon(0.05));
    CHECK(fast.wasserstein.upper == doctest::Approx(naive.upper).epsilon(0.05));
}

TEST_CASE("bootstrap_cdf_distances: edge cases and errors") {
    const std::vector<double> one{1.0}, two{1.0, 3.0}, empty;
    const auto r = ck::bootstrap_cdf_distances(one, one, {20, 0.9, 0});
    CHECK(r.wasserstein.estimate == 0.0);
    CHECK(r.wasserstein.upper == 0.0);
    CHECK(r.ks.estimate == 0.0);
    const auto s = ck::bootstrap_cdf_distances(one, two, {50, 0.9, 0});
    CHECK(s.wasserstein.estimate == doctest::Approx(1.0));  // |1 - 1|/2 + |1 - 3|/2
    CHECK(s.ks.estimate == doctest::Approx(0.5));
    CHECK_THROWS_AS(ck::bootstrap_cdf_distances(empty, two), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ck::bootstrap_cdf_distances(two, std::vector<double>{1.0, std::nan("")}),
                         doctest::Contains("must hold finite values (v[1] = nan)"), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap_cdf_distances(two, std::vector<double>{HUGE_VAL}), std::invalid_argument);
    CHECK_THROWS_AS(ck::bootstrap_cdf_distances(two, two, {1, 0.9, 0}), std::invalid_argument);
    // Subnormal spacing and huge magnitudes stay finite.
    const std::vector<double> tiny{0.0, 5e-324, 1e-320}, huge{-1e300, 1e300};
    CHECK(std::isfinite(ck::bootstrap_cdf_distances(tiny, tiny, {20, 0.9, 0}).wasserstein.upper));
    CHECK(std::isfinite(ck::bootstrap_cdf_distances(huge, two, {20, 0.9, 0}).wasserstein.estimate));
}
