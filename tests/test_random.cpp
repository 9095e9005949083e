#include <collapsekit/core/random.hpp>

#include <doctest/doctest.h>

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

namespace ck = collapsekit;

namespace {

// Upper 0.1 % point of chi-squared with df degrees of freedom: at a fixed seed a
// correct sampler fails this with probability 0.001, and the seed is pinned.
double chi2_critical(double df) {
    return boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), 0.001));
}

double chi2_statistic(const std::vector<double>& observed, const std::vector<double>& expected) {
    double s = 0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        const double d = observed[i] - expected[i];
        s += d * d / expected[i];
    }
    return s;
}

// Two-sided one-sample Kolmogorov-Smirnov statistic against a continuous CDF.
double ks_statistic(std::vector<double> x, const std::function<double(double)>& cdf) {
    std::sort(x.begin(), x.end());
    const double n = static_cast<double>(x.size());
    double d = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double f = cdf(x[i]);
        d = std::max({d, (static_cast<double>(i) + 1) / n - f, f - static_cast<double>(i) / n});
    }
    return d;
}

// Critical value of the KS statistic at level 0.001 (asymptotic, n large).
double ks_critical(std::size_t n) { return 1.9495 / std::sqrt(static_cast<double>(n)); }

}  // namespace

TEST_CASE("rng matches an independent implementation of xoshiro256** / splitmix64") {
    // Values from tests/fixtures/make_rng_fixture.py.
    ck::rng g0(0);
    for (std::uint64_t want : {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL,
                               0x6aa594f1262d2d2cULL, 0xbba5ad4a1f842e59ULL}) {
        CHECK(g0() == want);
    }
    ck::rng g42(42);
    for (std::uint64_t want : {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
                               0xecb8ad4703b360a1ULL, 0xfde6dc7fe2ec5e64ULL}) {
        CHECK(g42() == want);
    }
    ck::rng gmax(~std::uint64_t{0});
    CHECK(gmax() == 0x8f5520d52a7ead08ULL);
    ck::rng u(42);
    CHECK(u.uniform() == 0.08386297105988216);
    CHECK(u.uniform() == 0.3789802506626686);
    CHECK(u.uniform() == 0.6800434110281394);
}

TEST_CASE("same seed, same sequence; different seeds or streams, different sequences") {
    ck::rng a(7), b(7), c(8);
    std::vector<std::uint64_t> va(100), vb(100), vc(100);
    for (int i = 0; i < 100; ++i) va[i] = a(), vb[i] = b(), vc[i] = c();
    CHECK(va == vb);
    CHECK(va != vc);
    CHECK(ck::rng::for_stream(1, 0) == ck::rng::for_stream(1, 0));
    CHECK(ck::rng::for_stream(1, 0) != ck::rng::for_stream(1, 1));
    CHECK(ck::rng::for_stream(1, 0) != ck::rng::for_stream(2, 0));
    ck::rng j1(3), j2(3);
    j1.jump();
    CHECK(j1 != j2);
    j2.jump();
    CHECK(j1 == j2);
    a.reseed(7);
    CHECK(a() == va[0]);
}

TEST_CASE("pinned sampler outputs catch any change of behaviour") {
    ck::rng g(2024);
    ck::normal_distribution normal(1.0, 2.0);
    CHECK(normal(g) == 2.575540997491665);  // bit-exact: identical at every SIMD width
    CHECK(normal(g) == -0.46889769803176184);
    ck::zipf_distribution zipf(1000, 1.1);
    CHECK(zipf(g) == 1u);
    CHECK(g.below(1000) == 257u);
    ck::exponential_distribution expo(2.0);
    CHECK(expo(g) == 0.29278783003502745);
}

TEST_CASE("uniform samplers are in range and uniform") {
    ck::rng g(11);
    for (int i = 0; i < 100000; ++i) {
        const double u = g.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        const double o = g.uniform_open();
        REQUIRE(o > 0.0);
        REQUIRE(o < 1.0);
    }
    constexpr int bins = 100, n = 200000;
    std::vector<double> counts(bins, 0.0);
    ck::uniform_distribution uni(-3.0, 5.0);
    for (int i = 0; i < n; ++i) {
        const double x = uni(g);
        REQUIRE(x >= -3.0);
        REQUIRE(x < 5.0);
        counts[static_cast<std::size_t>((x + 3.0) / 8.0 * bins)] += 1;
    }
    CHECK(chi2_statistic(counts, std::vector<double>(bins, double(n) / bins)) < chi2_critical(bins - 1));

    // below(n): unbiased for a bound that is not a power of two.
    std::vector<double> small(7, 0.0);
    for (int i = 0; i < 70000; ++i) small[g.below(7)] += 1;
    CHECK(chi2_statistic(small, std::vector<double>(7, 10000.0)) < chi2_critical(6));
    CHECK(g.below(0) == 0);
    CHECK(g.below(1) == 0);
    CHECK_THROWS_AS(ck::uniform_distribution(1.0, 1.0), std::invalid_argument);
}

TEST_CASE("normal, exponential and Pareto samplers pass Kolmogorov-Smirnov at a fixed seed") {
    ck::rng g(12345);
    constexpr std::size_t n = 50000;
    std::vector<double> x(n);
    ck::normal_distribution normal(2.0, 3.0);
    for (double& v : x) v = normal(g);
    CHECK(ks_statistic(x, [](double v) { return 0.5 * std::erfc(-(v - 2.0) / (3.0 * std::sqrt(2.0))); }) <
          ks_critical(n));
    ck::exponential_distribution expo(0.5);
    for (double& v : x) v = expo(g);
    CHECK(ks_statistic(x, [](double v) { return 1.0 - std::exp(-0.5 * v); }) < ks_critical(n));
    ck::pareto_distribution pareto(1.5, 2.5);
    for (double& v : x) v = pareto(g);
    CHECK(ks_statistic(x, [](double v) { return 1.0 - std::pow(1.5 / v, 2.5); }) < ks_critical(n));

    ck::normal_distribution degenerate(4.0, 0.0);
    CHECK(degenerate(g) == 4.0);
    CHECK_THROWS_AS(ck::normal_distribution(0.0, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(ck::normal_distribution(std::nan(""), 1.0), std::invalid_argument);
    CHECK_THROWS_AS(ck::exponential_distribution(0.0), std::invalid_argument);
    CHECK_THROWS_AS(ck::pareto_distribution(1.0, 0.0), std::invalid_argument);
}

TEST_CASE("categorical and Zipf samplers pass chi-squared at a fixed seed") {
    ck::rng g(99);
    const std::vector<double> w{0.5, 0.0, 2.0, 1.0, 1e-3, 3.0};
    ck::categorical_distribution cat(w);
    const double total = std::accumulate(w.begin(), w.end(), 0.0);
    constexpr int n = 300000;
    std::vector<double> counts(w.size(), 0.0);
    for (int i = 0; i < n; ++i) counts[cat(g)] += 1;
    CHECK(counts[1] == 0.0);  // zero weight is never drawn
    std::vector<double> obs, expct;
    for (std::size_t k = 0; k < w.size(); ++k) {
        if (w[k] > 0) obs.push_back(counts[k]), expct.push_back(n * w[k] / total);
    }
    CHECK(chi2_statistic(obs, expct) < chi2_critical(double(obs.size()) - 1));

    const std::size_t K = 50;
    ck::zipf_distribution zipf(K, 1.2);
    std::vector<double> zc(K, 0.0);
    for (int i = 0; i < n; ++i) {
        const std::size_t v = zipf(g);
        REQUIRE(v >= 1);
        REQUIRE(v <= K);
        zc[v - 1] += 1;
    }
    double norm = 0;
    for (std::size_t k = 1; k <= K; ++k) norm += std::pow(double(k), -1.2);
    std::vector<double> ze(K);
    for (std::size_t k = 1; k <= K; ++k) ze[k - 1] = n * std::pow(double(k), -1.2) / norm;
    CHECK(chi2_statistic(zc, ze) < chi2_critical(K - 1));

    ck::categorical_distribution one(std::vector<double>{5.0});
    CHECK(one(g) == 0);
    CHECK_THROWS_AS(ck::categorical_distribution(std::vector<double>{}), std::invalid_argument);
    CHECK_THROWS_AS(ck::categorical_distribution(std::vector<double>{0.0, 0.0}), std::invalid_argument);
    CHECK_THROWS_AS(ck::categorical_distribution(std::vector<double>{1.0, -1.0}), std::invalid_argument);
    CHECK_THROWS_AS(ck::categorical_distribution(std::vector<double>{1.0, std::nan("")}), std::invalid_argument);
    CHECK_THROWS_AS(ck::zipf_distribution(0, 1.0), std::invalid_argument);
}

TEST_CASE("bernoulli and shuffle") {
    ck::rng g(5);
    ck::bernoulli_distribution coin(0.3);
    int heads = 0;
    for (int i = 0; i < 100000; ++i) heads += coin(g) ? 1 : 0;
    // Binomial(1e5, 0.3): sd = 145; 5 sd is a fixed-seed sanity bound.
    CHECK(std::abs(heads - 30000) < 725);
    CHECK_FALSE(ck::bernoulli_distribution(0.0)(g));
    CHECK(ck::bernoulli_distribution(1.0)(g));
    CHECK_THROWS_AS(ck::bernoulli_distribution(1.5), std::invalid_argument);

    std::vector<int> v(100);
    std::iota(v.begin(), v.end(), 0);
    auto w = v;
    ck::rng s1(1), s2(1);
    ck::shuffle(v.begin(), v.end(), s1);
    ck::shuffle(w.begin(), w.end(), s2);
    CHECK(v == w);
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (int i = 0; i < 100; ++i) CHECK(sorted[static_cast<std::size_t>(i)] == i);
    std::vector<int> none;
    ck::shuffle(none.begin(), none.end(), s1);  // empty is fine
}
