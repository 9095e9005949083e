// Continuous tail measures: tail mass / retention / curves, extreme-quantile and
// expected-shortfall ratios, the Hill estimator.
#include <collapsekit/bootstrap.hpp>
#include <collapsekit/core/random.hpp>
#include <collapsekit/tail.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;
using ck::tail_side;

namespace {

const double nan_v = std::numeric_limits<double>::quiet_NaN();
const double inf_v = std::numeric_limits<double>::infinity();

std::vector<double> normal_sample(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    ck::normal_distribution d;
    std::vector<double> x(n);
    for (double& v : x) v = d(g);
    return x;
}

const collapsekit_test::fixture& tail_fixture() {
    static const collapsekit_test::fixture f("tail.txt");
    return f;
}

}  // namespace

TEST_CASE("tail thresholds and masses match numpy.quantile and numpy comparisons") {
    const auto& f = tail_fixture();
    const auto& r = f["r"];
    const auto& g = f["g"];
    const auto& alphas = f["alphas"];
    for (auto method : {ck::quantile_method::linear, ck::quantile_method::inverted_cdf}) {
        const std::string m = ck::to_string(method);
        CAPTURE(m);
        const auto left = ck::tail_mass_curve(r, g, alphas, tail_side::left, ck::nan_policy::raise, method);
        const auto right = ck::tail_mass_curve(r, g, alphas, tail_side::right, ck::nan_policy::raise, method);
        const auto both = ck::retention_curve(r, g, alphas, tail_side::both, ck::nan_policy::raise, method);
        for (std::size_t i = 0; i < alphas.size(); ++i) {
            const double a = alphas[i];
            CAPTURE(a);
            const auto t = ck::tail_thresholds(r, a, method);
            CHECK(t.lower == doctest::Approx(f[m + "_lower"][i]).epsilon(1e-15));
            CHECK(t.upper == doctest::Approx(f[m + "_upper"][i]).epsilon(1e-15));
            // Masses are ratios of integer counts: exact.
            CHECK(left[i] == f[m + "_left_mass"][i]);
            CHECK(right[i] == f[m + "_right_mass"][i]);
            CHECK(ck::tail_mass(r, g, a, tail_side::right, ck::nan_policy::raise, method) == right[i]);
            CHECK(ck::tail_retention(r, g, a, tail_side::left, ck::nan_policy::raise, method) ==
                  doctest::Approx(left[i] / a).epsilon(1e-15));
            CHECK(both[i] == doctest::Approx((left[i] + right[i]) / (2 * a)).epsilon(1e-15));
            CHECK(ck::tail_mass(r, g, a, tail_side::both, ck::nan_policy::raise, method) ==
                  doctest::Approx(left[i] + right[i]).epsilon(1e-15));
        }
    }
}

TEST_CASE("weighted tail masses match a numpy weighted inverted-CDF computation") {
    const auto& f = tail_fixture();
    const auto &r = f["r"], &g = f["g"], &rw = f["rw"], &gw = f["gw"], &alphas = f["alphas"];
    const auto curve = ck::weighted_retention_curve(r, rw, g, gw, alphas, tail_side::right);
    const auto left_curve = ck::weighted_tail_mass_curve(r, rw, g, gw, alphas, tail_side::left);
    for (std::size_t i = 0; i < alphas.size(); ++i) {
        const double a = alphas[i];
        CAPTURE(a);
        const auto t = ck::weighted_tail_thresholds(r, rw, a);
        CHECK(t.lower == f["weighted_lower"][i]);
        CHECK(t.upper == f["weighted_upper"][i]);
        CHECK(ck::weighted_tail_mass(r, rw, g, gw, a, tail_side::left) ==
              doctest::Approx(f["weighted_left_mass"][i]).epsilon(1e-13));
        CHECK(curve[i] == doctest::Approx(f["weighted_right_mass"][i] / a).epsilon(1e-13));
        CHECK(left_curve[i] == doctest::Approx(f["weighted_left_mass"][i]).epsilon(1e-13));
        CHECK(ck::weighted_tail_retention(r, rw, g, gw, a, tail_side::both) ==
              doctest::Approx((f["weighted_left_mass"][i] + f["weighted_right_mass"][i]) / (2 * a)).epsilon(1e-13));
    }
}

TEST_CASE("whole-number weights equal the repeated sample under inverted_cdf") {
    const auto r = normal_sample(300, 5);
    const auto g = normal_sample(200, 6);
    std::vector<int> rw(r.size()), gw(g.size());
    std::vector<double> rr, gg;
    for (std::size_t i = 0; i < r.size(); ++i) {
        rw[i] = static_cast<int>(i % 4);  // zero weights included
        rr.insert(rr.end(), static_cast<std::size_t>(rw[i]), r[i]);
    }
    for (std::size_t i = 0; i < g.size(); ++i) {
        gw[i] = 1 + static_cast<int>(i % 3);
        gg.insert(gg.end(), static_cast<std::size_t>(gw[i]), g[i]);
    }
    for (double a : {0.5, 0.2, 0.05, 0.01, 0.001}) {
        CAPTURE(a);
        for (auto side : {tail_side::left, tail_side::right, tail_side::both}) {
            CHECK(ck::weighted_tail_mass(r, rw, g, gw, a, side) ==
                  doctest::Approx(
                      ck::tail_mass(rr, gg, a, side, ck::nan_policy::raise, ck::quantile_method::inverted_cdf))
                      .epsilon(1e-14));
        }
    }
}

TEST_CASE("retention curve: any order, repeats, one pass equals per-alpha calls") {
    const auto r = normal_sample(5000, 1);
    const auto g = normal_sample(4000, 2);
    const std::vector<double> alphas{0.01, 0.5, 0.001, 0.1, 0.01, 0.2};
    for (auto side : {tail_side::left, tail_side::right, tail_side::both}) {
        const auto c = ck::retention_curve(r, g, alphas, side);
        REQUIRE(c.size() == alphas.size());
        for (std::size_t i = 0; i < alphas.size(); ++i) CHECK(c[i] == ck::tail_retention(r, g, alphas[i], side));
    }
    const auto a = ck::log_spaced_alphas(1e-1, 1e-4, 20);
    REQUIRE(a.size() == 20);
    CHECK(a.front() == 1e-1);
    CHECK(a.back() == 1e-4);
    CHECK(a[10] == doctest::Approx(std::pow(10.0, -1.0 - 3.0 * 10.0 / 19.0)).epsilon(1e-12));
    CHECK(ck::log_spaced_alphas(0.2, 0.01, 1) == std::vector<double>{0.2});
}

TEST_CASE("large samples: the bracketed selection equals the full selection, whatever the layout") {
    const std::size_t n = 70000;
    const auto base = normal_sample(n, 51);
    std::vector<std::vector<double>> layouts;
    layouts.push_back(base);
    std::vector<double> sorted(base);
    std::sort(sorted.begin(), sorted.end());
    layouts.push_back(sorted);
    layouts.emplace_back(sorted.rbegin(), sorted.rend());
    // The strided sample sees only huge values: the bracket check must fail and fall back.
    std::vector<double> adversarial(base);
    for (std::size_t i = 0; i < n; i += n / 4096) adversarial[i] = 1e6 + static_cast<double>(i);
    layouts.push_back(adversarial);
    std::vector<double> ties(n);
    for (std::size_t i = 0; i < n; ++i) ties[i] = static_cast<double>(i % 7);
    layouts.push_back(ties);
    const std::vector<double> alphas{0.5, 0.2, 0.1, 0.01, 1e-3, 1e-4, 1e-5};
    for (std::size_t l = 0; l < layouts.size(); ++l) {
        CAPTURE(l);
        for (auto method : {ck::quantile_method::linear, ck::quantile_method::inverted_cdf}) {
            for (double a : alphas) {
                CAPTURE(a);
                std::vector<double> copy(layouts[l]);
                const auto full = ck::detail::select_quantiles(copy, {a, 1.0 - a}, method);
                const auto t = ck::tail_thresholds(layouts[l], a, method);
                CHECK(t.lower == full[0]);
                CHECK(t.upper == full[1]);
            }
        }
    }
    // Infinite and NaN values in a large reference are still reported (or omitted).
    std::vector<double> bad(base);
    bad[12345] = -inf_v;
    CHECK_THROWS_WITH((void)ck::tail_thresholds(bad, 0.01),
                      "collapsekit::tail_thresholds: reference holds an infinite value (at index 12345)");
    bad[12345] = nan_v;
    CHECK_THROWS_AS((void)ck::tail_thresholds(bad, 0.01), std::invalid_argument);
    std::vector<double> clean(base);
    clean.erase(clean.begin() + 12345);
    const auto omitted = ck::tail_thresholds(bad, 0.01, ck::quantile_method::linear, ck::nan_policy::omit);
    const auto expected = ck::tail_thresholds(clean, 0.01);
    CHECK(omitted.lower == expected.lower);
    CHECK(omitted.upper == expected.upper);
}

TEST_CASE("radix order-statistic selection equals sorting") {
    ck::rng g(17);
    ck::pareto_distribution pareto(1.0, 0.7);
    for (std::size_t n : {std::size_t{100}, std::size_t{8192}, std::size_t{30001}}) {
        for (int kind = 0; kind < 4; ++kind) {
            CAPTURE(n);
            CAPTURE(kind);
            std::vector<double> x(n);
            for (double& v : x) {
                if (kind == 0) v = g.uniform() - 0.5;
                if (kind == 1) v = (g.below(2) != 0 ? 1.0 : -1.0) * pareto(g);  // spans many binades
                if (kind == 2) v = 4.25;                                        // one value
                if (kind == 3) v = g.below(2) != 0 ? 0.0 : -0.0;                // signed zeros
            }
            std::vector<std::size_t> targets{0, 1, n / 3, n / 2, n - 2, n - 1};
            for (int i = 0; i < 20; ++i) targets.push_back(g.below(n));
            std::sort(targets.begin(), targets.end());
            targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
            std::vector<double> sorted(x);
            std::sort(sorted.begin(), sorted.end());
            const auto values = ck::detail::order_statistics(x.data(), n, targets);
            for (std::size_t t = 0; t < targets.size(); ++t) CHECK(values[t] == sorted[targets[t]]);
        }
    }
}

TEST_CASE("branch-free threshold counts agree with std::upper_bound / lower_bound") {
    ck::rng g(3);
    for (std::size_t n = 1; n <= 40; ++n) {
        std::vector<double> t(n);
        for (double& v : t) v = static_cast<double>(g.below(10));  // ties on purpose
        std::sort(t.begin(), t.end());
        for (double v = -1.0; v <= 11.0; v += 0.5) {
            CHECK(ck::detail::count_at_most(t.data(), n, v) ==
                  static_cast<std::size_t>(std::upper_bound(t.begin(), t.end(), v) - t.begin()));
            CHECK(ck::detail::count_below(t.data(), n, v) ==
                  static_cast<std::size_t>(std::lower_bound(t.begin(), t.end(), v) - t.begin()));
        }
    }
}

TEST_CASE("G = R clipped at R's 99th percentile: right retention 0 at alpha 0.01, about 1 at 0.1") {
    const std::size_t n = 100000, m = 100000;
    const auto r = normal_sample(n, 11);
    auto g = normal_sample(m, 12);
    const double q99 = ck::tail_thresholds(r, 0.01).upper;
    for (double& v : g) v = std::min(v, q99);
    // Strict inequality: nothing lies beyond the threshold the values were clipped to.
    CHECK(ck::tail_retention(r, g, 0.01, tail_side::right) == 0.0);
    // At alpha = 0.1 the clipped values still lie beyond R's 90th percentile. The sampling
    // error of the retention has two parts: G's binomial count, sqrt(p(1-p)/m)/alpha, and
    // R's threshold, about sqrt(p(1-p)/n)/alpha in probability units.
    const double se = std::sqrt(0.1 * 0.9 / m + 0.1 * 0.9 / n) / 0.1;
    CHECK(std::abs(ck::tail_retention(r, g, 0.1, tail_side::right) - 1.0) < 3 * se);
    // The left tail is untouched.
    CHECK(std::abs(ck::tail_retention(r, g, 0.01, tail_side::left) - 1.0) < 3 * std::sqrt(0.0099 * 2 / n) / 0.01);

    // A truncated (renormalised) G keeps (0.1 - 0.01) / 0.99 of its mass beyond q90.
    std::vector<double> t;
    for (double v : normal_sample(m, 13)) {
        if (v <= q99) t.push_back(v);
    }
    CHECK(ck::tail_retention(r, t, 0.01, tail_side::right) == 0.0);
    const double expected = 0.09 / 0.99 / 0.1;
    CHECK(std::abs(ck::tail_retention(r, t, 0.1, tail_side::right) - expected) < 3 * se);
}

TEST_CASE("G drawn like R retains its tails within sampling error at every alpha") {
    const auto r = normal_sample(200000, 21);
    const auto g = normal_sample(200000, 22);
    const auto alphas = ck::log_spaced_alphas(0.1, 1e-3, 7);
    const auto c = ck::retention_curve(r, g, alphas, tail_side::both);
    for (std::size_t i = 0; i < alphas.size(); ++i) {
        const double a = alphas[i];
        const double se = std::sqrt(2 * a * (1 - 2 * a) * 2 / 200000.0) / (2 * a);
        CHECK(std::abs(c[i] - 1.0) < 3 * se);
    }
}

TEST_CASE("tail measures: edge cases") {
    // One reference value: every quantile is that value.
    const std::vector<double> one{2.0};
    const std::vector<double> g{1.0, 2.0, 3.0, 4.0};
    CHECK(ck::tail_mass(one, g, 0.1, tail_side::left) == 0.25);
    CHECK(ck::tail_mass(one, g, 0.1, tail_side::right) == 0.5);
    CHECK(ck::tail_mass(one, g, 0.5, tail_side::both) == 0.75);
    // Infinite generated values lie beyond every threshold; the reference must be finite.
    const std::vector<double> gi{-inf_v, 0.5, inf_v, inf_v};
    const std::vector<double> r{0.0, 1.0};
    CHECK(ck::tail_mass(r, gi, 0.1, tail_side::left) == 0.25);
    CHECK(ck::tail_mass(r, gi, 0.1, tail_side::right) == 0.5);
    // Integer and float inputs.
    const std::vector<int> ri{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const std::vector<float> gf{0.5f, 9.5f, 10.0f};
    CHECK(ck::tail_thresholds(ri, 0.1).upper == doctest::Approx(9.1).epsilon(1e-15));
    CHECK(ck::tail_mass(ri, gf, 0.1, tail_side::right) == doctest::Approx(2.0 / 3.0).epsilon(1e-15));
    // Subnormal and zero values order like any other.
    const double d = std::numeric_limits<double>::denorm_min();
    const std::vector<double> rs{0.0, d, 2 * d, 3 * d, 4 * d};
    const std::vector<double> gs{-d, 0.0, 5 * d};
    CHECK(ck::tail_thresholds(rs, 0.25).lower == d);
    CHECK(ck::tail_mass(rs, gs, 0.25, tail_side::both) == 1.0);  // -d and 0 below d, 5d above 3d
    // All-equal samples: nothing is strictly beyond.
    const std::vector<double> same(10, 1.0);
    CHECK(ck::tail_retention(same, same, 0.1, tail_side::both) == 0.0);
}

TEST_CASE("tail measures: NaN policies") {
    std::vector<double> r{1, 2, nan_v, 3, 4, 5, 6, 7, 8, 9, 10};
    std::vector<double> g{0, nan_v, 5, 11};
    const std::vector<double> r_clean{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    const std::vector<double> g_clean{0, 5, 11};
    CHECK_THROWS_WITH((void)ck::tail_mass(r, g_clean, 0.1, tail_side::right),
                      "collapsekit::tail_mass: reference contains NaN (first at index 2); pass nan_policy::omit or "
                      "nan_policy::propagate to allow it");
    CHECK_THROWS_WITH(
        (void)ck::tail_retention(r_clean, g, 0.1, tail_side::right),
        "collapsekit::tail_retention: generated contains NaN (first at index 1); pass nan_policy::omit or "
        "nan_policy::propagate to allow it");
    for (auto side : {tail_side::left, tail_side::right, tail_side::both}) {
        CHECK(ck::tail_mass(r, g, 0.1, side, ck::nan_policy::omit) == ck::tail_mass(r_clean, g_clean, 0.1, side));
        CHECK(std::isnan(ck::tail_mass(r, g_clean, 0.1, side, ck::nan_policy::propagate)));
        CHECK(std::isnan(ck::tail_retention(r_clean, g, 0.1, side, ck::nan_policy::propagate)));
    }
    const auto c = ck::retention_curve(r, g, std::vector<double>{0.1, 0.2}, tail_side::left, ck::nan_policy::propagate);
    CHECK(std::isnan(c[0]));
    CHECK(std::isnan(c[1]));
    const std::vector<double> only_nan{nan_v, nan_v};
    CHECK_THROWS_WITH((void)ck::tail_mass(only_nan, g_clean, 0.1, tail_side::left, ck::nan_policy::omit),
                      "collapsekit::tail_mass: reference has no values left after omitting NaN");
    CHECK_THROWS_WITH((void)ck::tail_mass(r_clean, only_nan, 0.1, tail_side::left, ck::nan_policy::omit),
                      "collapsekit::tail_mass: generated has no values left after omitting NaN");
    // Weighted: a NaN value drops its weight under omit.
    const std::vector<double> rw(r.size(), 1.0), gw{1.0, 5.0, 1.0, 1.0};
    const std::vector<double> rw_clean(r_clean.size(), 1.0), gw_clean{1.0, 1.0, 1.0};
    CHECK(ck::weighted_tail_mass(r, rw, g, gw, 0.1, tail_side::both, ck::nan_policy::omit) ==
          ck::weighted_tail_mass(r_clean, rw_clean, g_clean, gw_clean, 0.1, tail_side::both));
    CHECK(std::isnan(ck::weighted_tail_mass(r, rw, g, gw, 0.1, tail_side::both, ck::nan_policy::propagate)));
}

TEST_CASE("tail measures: bad input") {
    const std::vector<double> r{1, 2, 3}, g{1, 2}, empty;
    for (double a : {0.0, -0.1, 0.5000001, 1.0, nan_v, inf_v}) {
        CHECK_THROWS_AS((void)ck::tail_mass(r, g, a, tail_side::left), std::invalid_argument);
        CHECK_THROWS_AS((void)ck::retention_curve(r, g, std::vector<double>{0.1, a}, tail_side::left),
                        std::invalid_argument);
        CHECK_THROWS_AS((void)ck::expected_shortfall(r, a, tail_side::left), std::invalid_argument);
    }
    CHECK_THROWS_WITH((void)ck::tail_retention(r, g, 0.7, tail_side::right),
                      "collapsekit::tail_retention: alpha must lie in (0, 0.5] (got 0.69999999999999996)");
    CHECK_THROWS_WITH((void)ck::tail_mass(empty, g, 0.1, tail_side::right),
                      "collapsekit::tail_mass: reference is empty");
    CHECK_THROWS_WITH((void)ck::tail_mass(r, empty, 0.1, tail_side::right),
                      "collapsekit::tail_mass: generated is empty");
    CHECK_THROWS_WITH((void)ck::retention_curve(r, g, empty, tail_side::right),
                      "collapsekit::retention_curve: alphas is empty");
    const std::vector<double> rinf{1, inf_v};
    CHECK_THROWS_WITH((void)ck::tail_mass(rinf, g, 0.1, tail_side::right),
                      "collapsekit::tail_mass: reference holds an infinite value (at index 1)");
    CHECK_THROWS_AS((void)ck::tail_mass(r, g, 0.1, static_cast<tail_side>(7)), std::invalid_argument);
    // Weights.
    const std::vector<double> w3{1, 1, 1}, w2{1, 1}, wneg{1, -1, 1}, wzero{0, 0, 0};
    CHECK_THROWS_WITH((void)ck::weighted_tail_mass(r, w2, g, w2, 0.1, tail_side::left),
                      "collapsekit::weighted_tail_mass: reference and reference_weights differ in length (3 vs 2)");
    CHECK_THROWS_WITH((void)ck::weighted_tail_mass(r, wneg, g, w2, 0.1, tail_side::left),
                      "collapsekit::weighted_tail_mass: reference_weights must be non-negative and finite "
                      "(reference_weights[1] = -1)");
    CHECK_THROWS_WITH((void)ck::weighted_tail_mass(r, wzero, g, w2, 0.1, tail_side::left),
                      "collapsekit::weighted_tail_mass: reference_weights must not sum to zero");
    CHECK_THROWS_AS((void)ck::weighted_tail_mass(r, w3, g, w3, 0.1, tail_side::left), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::log_spaced_alphas(0.01, 0.1, 5), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::log_spaced_alphas(0.1, 0.01, 0), std::invalid_argument);
}

TEST_CASE("expected shortfall and extreme-quantile ratios match the numpy reference") {
    const auto& f = tail_fixture();
    const auto &r = f["r"], &g = f["g"], &alphas = f["es_alphas"];
    for (std::size_t i = 0; i < alphas.size(); ++i) {
        const double a = alphas[i];
        CAPTURE(a);
        CHECK(ck::expected_shortfall(r, a, tail_side::right) == doctest::Approx(f["es_right_r"][i]).epsilon(1e-12));
        CHECK(ck::expected_shortfall(r, a, tail_side::left) == doctest::Approx(f["es_left_r"][i]).epsilon(1e-12));
        CHECK(ck::expected_shortfall(g, a, tail_side::right) == doctest::Approx(f["es_right_g"][i]).epsilon(1e-12));
        CHECK(ck::expected_shortfall(g, a, tail_side::left) == doctest::Approx(f["es_left_g"][i]).epsilon(1e-12));
        CHECK(ck::expected_shortfall_ratio(r, g, a, tail_side::right) ==
              doctest::Approx(f["es_ratio_right"][i]).epsilon(1e-11));
        CHECK(ck::expected_shortfall_ratio(r, g, a, tail_side::left) ==
              doctest::Approx(f["es_ratio_left"][i]).epsilon(1e-11));
        CHECK(ck::expected_shortfall_ratio(r, g, a, tail_side::both) ==
              doctest::Approx(f["es_ratio_both"][i]).epsilon(1e-11));
        if (a == 0.5) {
            // Q(1/2) is the median itself: the ratio is 0 / 0.
            CHECK_THROWS_AS((void)ck::extreme_quantile_ratio(r, g, a, tail_side::right), std::domain_error);
            continue;
        }
        CHECK(ck::extreme_quantile_ratio(r, g, a, tail_side::right) ==
              doctest::Approx(f["eq_ratio_right"][i]).epsilon(1e-12));
        CHECK(ck::extreme_quantile_ratio(r, g, a, tail_side::left) ==
              doctest::Approx(f["eq_ratio_left"][i]).epsilon(1e-12));
        CHECK(ck::extreme_quantile_ratio(r, g, a, tail_side::both) ==
              doctest::Approx(f["eq_ratio_both"][i]).epsilon(1e-12));
    }
    std::vector<double> copy(r);
    CHECK(ck::detail::select_quantiles(copy, {0.5}, ck::quantile_method::linear)[0] == f.scalar("median_r"));
}

TEST_CASE("expected shortfall: definitions, scale freedom, weights, errors") {
    const std::vector<double> x{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    // n alpha = 1.5: the largest value and half of the next, over 1.5.
    CHECK(ck::expected_shortfall(x, 0.15, tail_side::right) == doctest::Approx((10 + 0.5 * 9) / 1.5).epsilon(1e-15));
    CHECK(ck::expected_shortfall(x, 0.2, tail_side::left) == doctest::Approx(1.5).epsilon(1e-15));
    CHECK(ck::expected_shortfall(x, 0.01, tail_side::right) == doctest::Approx(10.0).epsilon(1e-15));
    // Equal weights give the unweighted value; a weight of 2 counts the value twice.
    const std::vector<double> w(10, 3.0);
    CHECK(ck::weighted_expected_shortfall(x, w, 0.15, tail_side::right) ==
          doctest::Approx((10 + 0.5 * 9) / 1.5).epsilon(1e-14));
    const std::vector<double> xs{1, 2, 3}, ws{1, 1, 2}, xr{1, 2, 3, 3};
    CHECK(ck::weighted_expected_shortfall(xs, ws, 0.375, tail_side::right) ==
          doctest::Approx(ck::expected_shortfall(xr, 0.375, tail_side::right)).epsilon(1e-15));
    // Ratios do not move under a common affine map.
    const auto r = normal_sample(2000, 31);
    auto g = normal_sample(1500, 32);
    for (double& v : g) v *= 0.7;
    std::vector<double> r2(r), g2(g);
    for (double& v : r2) v = 3 + 5 * v;
    for (double& v : g2) v = 3 + 5 * v;
    for (auto side : {tail_side::left, tail_side::right, tail_side::both}) {
        CHECK(ck::expected_shortfall_ratio(r2, g2, 0.05, side) ==
              doctest::Approx(ck::expected_shortfall_ratio(r, g, 0.05, side)).epsilon(1e-12));
        CHECK(ck::extreme_quantile_ratio(r2, g2, 0.05, side) ==
              doctest::Approx(ck::extreme_quantile_ratio(r, g, 0.05, side)).epsilon(1e-12));
        // A G narrowed by 0.7 around ~0 reaches about 0.7 as far.
        CHECK(ck::expected_shortfall_ratio(r, g, 0.05, side) == doctest::Approx(0.7).epsilon(0.1));
    }
    CHECK_THROWS_WITH(
        (void)ck::expected_shortfall(x, 0.1, tail_side::both),
        "collapsekit::expected_shortfall: side must be tail_side::left or tail_side::right for a one-sample tail "
        "mean");
    const std::vector<double> flat(20, 1.0);
    CHECK_THROWS_AS((void)ck::expected_shortfall_ratio(flat, x, 0.1, tail_side::right), std::domain_error);
    std::vector<double> xn(x);
    xn[3] = nan_v;
    CHECK(std::isnan(ck::expected_shortfall(xn, 0.1, tail_side::right, ck::nan_policy::propagate)));
    CHECK(ck::expected_shortfall(xn, 0.1, tail_side::right, ck::nan_policy::omit) == 10.0 * 0.9 / 0.9);
    CHECK_THROWS_AS((void)ck::expected_shortfall(xn, 0.1, tail_side::right), std::invalid_argument);
    CHECK(std::isnan(ck::extreme_quantile_ratio(x, xn, 0.1, tail_side::both, ck::nan_policy::propagate)));
}

TEST_CASE("Hill estimator matches the numpy reference") {
    const auto& f = tail_fixture();
    const auto& h = f["hill_x"];
    const auto& ks = f["hill_k"];
    for (std::size_t i = 0; i < ks.size(); ++i) {
        const auto k = static_cast<std::size_t>(ks[i]);
        CAPTURE(k);
        const auto e = ck::hill_tail_index(h, k);
        CHECK(e.value == doctest::Approx(f["hill_alpha"][i]).epsilon(1e-12));
        CHECK(e.threshold == f["hill_threshold"][i]);
        CHECK(e.standard_error == doctest::Approx(e.value / std::sqrt(double(k))).epsilon(1e-15));
        CHECK(e.k == k);
        CHECK(e.n == h.size());
    }
    const auto d = ck::hill_tail_index(h);
    CHECK(d.k == 44);
    CHECK(d.value == doctest::Approx(f.scalar("hill_default_alpha")).epsilon(1e-12));
}

TEST_CASE("Hill gives back a Pareto tail index within 3 standard errors") {
    for (double alpha : {0.8, 1.5, 2.5, 4.0}) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            ck::rng g(seed);
            ck::pareto_distribution pareto(2.0, alpha);
            std::vector<double> x(20000);
            for (double& v : x) v = pareto(g);
            for (std::size_t k : {std::size_t{0}, std::size_t{2000}}) {
                const auto e = k == 0 ? ck::hill_tail_index(x) : ck::hill_tail_index(x, k);
                CAPTURE(alpha);
                CAPTURE(seed);
                CAPTURE(e.k);
                CHECK(std::abs(e.value - alpha) < 3 * e.standard_error);
            }
        }
    }
    CHECK(ck::hill_default_k(20000) == 141);
    CHECK(ck::hill_default_k(2) == 1);
    CHECK(ck::hill_default_k(1) == 0);
}

TEST_CASE("Hill: edge cases and bad input") {
    const std::vector<double> x{1, 2, 4, 8};
    // k = 1: one log-spacing, log(8 / 4).
    CHECK(ck::hill_tail_index(x, 1).value == doctest::Approx(1 / std::log(2.0)).epsilon(1e-15));
    CHECK(ck::hill_tail_index(x, 3).value ==
          doctest::Approx(3 / (std::log(2.0) + std::log(4.0) + std::log(8.0))).epsilon(1e-15));
    CHECK_THROWS_WITH((void)ck::hill_tail_index(x, 4),
                      "collapsekit::hill_tail_index: k must lie in [1, n - 1] = [1, 3] (got 4)");
    CHECK_THROWS_WITH((void)ck::hill_tail_index(x, 0),
                      "collapsekit::hill_tail_index: k must lie in [1, n - 1] = [1, 3] (got 0)");
    const std::vector<double> one{3.0}, empty;
    CHECK_THROWS_WITH((void)ck::hill_tail_index(one),
                      "collapsekit::hill_tail_index: x needs at least 2 values (got 1)");
    CHECK_THROWS_WITH((void)ck::hill_tail_index(empty), "collapsekit::hill_tail_index: x is empty");
    const std::vector<double> neg{-3, -2, -1, 0, 5};
    CHECK_THROWS_WITH(
        (void)ck::hill_tail_index(neg, 1),
        "collapsekit::hill_tail_index: the threshold X_(n-k) must be positive (got 0); the Hill estimator needs "
        "a positive upper tail");
    CHECK_THROWS_AS((void)ck::hill_tail_index(neg, 2), std::domain_error);
    const std::vector<double> flat{1, 5, 5, 5};
    CHECK_THROWS_AS((void)ck::hill_tail_index(flat, 2), std::domain_error);
    std::vector<double> xn{1, 2, nan_v, 4, 8};
    CHECK(ck::hill_tail_index(xn, 1, ck::nan_policy::omit).value == ck::hill_tail_index(x, 1).value);
    CHECK(std::isnan(ck::hill_tail_index(xn, ck::nan_policy::propagate).value));
    CHECK_THROWS_AS((void)ck::hill_tail_index(xn), std::invalid_argument);
    const std::vector<float> xf{1.f, 2.f, 4.f, 8.f};
    CHECK(ck::hill_tail_index(xf, 1).value == doctest::Approx(1 / std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("bootstrap confidence interval of a tail retention") {
    const auto r = normal_sample(4000, 41);
    const auto g = normal_sample(4000, 42);
    auto retention = [](ck::view<const double> a, ck::view<const double> b) {
        return ck::tail_retention(a, b, 0.05, tail_side::right);
    };
    const auto ci = ck::bootstrap(r, g, retention, {400, 0.9, 7});
    CHECK(ci.estimate == ck::tail_retention(r, g, 0.05, tail_side::right));
    CHECK(ci.lower < ci.estimate);
    CHECK(ci.upper > ci.estimate);
    // Binomial part from G plus threshold part from R, as in the truncation test.
    const double se = std::sqrt(0.05 * 0.95 * 2 / 4000.0) / 0.05;
    CHECK(ci.standard_error == doctest::Approx(se).epsilon(0.25));
    CHECK(ci.lower < 1.0);
    CHECK(ci.upper > 1.0);
}

TEST_CASE("weighted thresholds on a large tied reference equal a stable-sort inverted CDF") {
    // Large enough for the radix sort (stable), with ties, signed zeros and zero weights.
    ck::rng g(41);
    ck::normal_distribution d(0.0, 1.0);
    const std::size_t n = 5000;
    std::vector<double> r(n), w(n);
    for (std::size_t i = 0; i < n; ++i) {
        r[i] = std::round(10.0 * d(g)) / 10.0;
        if (r[i] == 0.0 && i % 2) r[i] = -0.0;
        w[i] = i % 11 == 0 ? 0.0 : g.uniform();
    }
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r[a] < r[b]; });
    std::vector<double> cum(n);
    double running = 0.0;
    for (std::size_t i = 0; i < n; ++i) cum[i] = running += w[order[i]];
    for (double a : {0.001, 0.01, 0.05, 0.25, 0.5}) {
        CAPTURE(a);
        auto inverted = [&](double q) {
            const auto it = std::lower_bound(cum.begin(), cum.end(), q * running);
            return r[order[static_cast<std::size_t>(std::min<std::ptrdiff_t>(it - cum.begin(), n - 1))]];
        };
        const auto t = ck::weighted_tail_thresholds(r, w, a);
        CHECK(t.lower == inverted(a));
        CHECK(t.upper == inverted(1.0 - a));
    }
}

TEST_CASE("quantile: numpy's linear and inverted_cdf quantiles from a full sort; errors; NaN policies") {
    ck::rng g(77);
    for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{1000}, std::size_t{70001}}) {
        std::vector<double> x(n);
        for (double& v : x) v = static_cast<double>(g.below(50)) + 0.25 * static_cast<double>(g.below(4));  // ties
        std::vector<double> s = x;
        std::sort(s.begin(), s.end());
        const std::vector<double> qs{0.0, 1e-4, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0 - 1e-4, 1.0};
        const std::vector<double> lin = ck::quantile(x, qs);
        const std::vector<double> inv = ck::quantile(x, qs, ck::quantile_method::inverted_cdf);
        for (std::size_t k = 0; k < qs.size(); ++k) {
            // The definitions, written out on the sorted copy.
            const double h = static_cast<double>(n - 1) * qs[k];
            const auto j = static_cast<std::size_t>(std::floor(h));
            const double want = j + 1 < n ? s[j] + (h - static_cast<double>(j)) * (s[j + 1] - s[j]) : s[n - 1];
            CHECK(lin[k] == doctest::Approx(want).epsilon(1e-15));
            std::size_t i = 0;
            while (static_cast<double>(i + 1) < qs[k] * static_cast<double>(n)) ++i;
            CHECK(inv[k] == s[std::min(i, n - 1)]);
        }
    }
    CHECK_THROWS_AS(ck::quantile(std::vector<double>{}, {0.5}), std::invalid_argument);
    CHECK_THROWS_AS(ck::quantile(std::vector<double>{1.0}, {1.5}), std::invalid_argument);
    CHECK_THROWS_AS(ck::quantile(std::vector<double>{1.0}, {std::nan("")}), std::invalid_argument);
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(ck::quantile(std::vector<double>{1.0, inf}, {0.5}), std::invalid_argument);
    const std::vector<double> with_nan{3.0, std::nan(""), 1.0};
    CHECK_THROWS_AS(ck::quantile(with_nan, {0.5}), std::invalid_argument);
    CHECK(std::isnan(ck::quantile(with_nan, {0.5}, ck::quantile_method::linear, ck::nan_policy::propagate)[0]));
    CHECK(ck::quantile(with_nan, {0.5}, ck::quantile_method::linear, ck::nan_policy::omit)[0] == 2.0);
    CHECK(ck::quantile(std::vector<float>{1.0f, 2.0f}, {0.5})[0] == 1.5);
}
