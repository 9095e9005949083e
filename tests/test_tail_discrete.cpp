// Discrete tail measures: coverage, extinction, rare-category retention, Good–Turing, Chao1.
#include <collapsekit/bootstrap.hpp>
#include <collapsekit/core/random.hpp>
#include <collapsekit/tail.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;

TEST_CASE("coverage and extinction on hand-made counts") {
    //                                 0  1  2  3  4   5  6  7
    const std::vector<int> reference{10, 0, 3, 1, 1, 50, 0, 2};
    const std::vector<int> generated{12, 4, 0, 0, 1, 70, 0, 0};
    // Present in the reference: 0, 2, 3, 4, 5, 7 (6); still present: 0, 4, 5 (3).
    CHECK(ck::support_coverage(reference, generated) == 0.5);
    // Reference mass on surviving categories: (10 + 1 + 50) / 67.
    CHECK(ck::support_coverage_mass(reference, generated) == doctest::Approx(61.0 / 67.0).epsilon(1e-15));
    CHECK(ck::extinct_categories(reference, generated) == std::vector<std::size_t>{2, 3, 7});
    CHECK(ck::extinct_count(reference, generated) == 3);
    // A category new in G (index 1) neither helps coverage nor counts as extinct.
    CHECK(ck::support_coverage(generated, generated) == 1.0);
    CHECK(ck::extinct_count(generated, generated) == 0);
    // Any arithmetic type with whole values.
    const std::vector<double> rd{10, 0, 3, 1, 1, 50, 0, 2};
    const std::vector<std::uint8_t> g8{12, 4, 0, 0, 1, 70, 0, 0};
    CHECK(ck::support_coverage(rd, g8) == 0.5);
    const std::vector<std::uint64_t> huge{std::uint64_t{1} << 60, 1}, none{0, 7};
    CHECK(ck::support_coverage(huge, none) == 0.5);
    CHECK(ck::support_coverage_mass(huge, none) == doctest::Approx(1.0 / 1152921504606846977.0).epsilon(1e-6));
    const std::vector<float> rf{1.f, 2.f}, gf{0.f, 2.f};
    CHECK(ck::extinct_categories(rf, gf) == std::vector<std::size_t>{0});
}

TEST_CASE("rare-category retention under the three rules") {
    //                                  0  1  2  3  4    5   6  7
    const std::vector<int> reference{1, 1, 2, 2, 4, 100, 90, 0};
    const std::vector<int> generated{0, 3, 0, 2, 1, 150, 44, 9};
    // N_R = 200, N_G = 209.
    SUBCASE("count threshold") {
        const auto r = ck::rare_category_retention(reference, generated, ck::rare_categories::at_most_count(2));
        CHECK(r.categories == std::vector<std::size_t>{0, 1, 2, 3});
        CHECK(r.rare == 4);
        CHECK(r.surviving == 2);
        CHECK(r.survival_share == 0.5);
        CHECK(r.reference_mass == doctest::Approx(6.0 / 200).epsilon(1e-15));
        CHECK(r.generated_mass == doctest::Approx(5.0 / 209).epsilon(1e-15));
        CHECK(r.mass_retention == doctest::Approx((5.0 / 209) / (6.0 / 200)).epsilon(1e-15));
    }
    SUBCASE("frequency threshold") {
        // r_i / 200 <= 0.02 means r_i <= 4.
        const auto r = ck::rare_category_retention(reference, generated, ck::rare_categories::at_most_frequency(0.02));
        CHECK(r.categories == std::vector<std::size_t>{0, 1, 2, 3, 4});
        CHECK(r.surviving == 3);
        CHECK(r.mass_retention == doctest::Approx((6.0 / 209) / (10.0 / 200)).epsilon(1e-15));
    }
    SUBCASE("bottom share of the mass, in whole tie groups") {
        // Groups by count: {1,1} = 2, {2,2} = 4, {4} = 4. Budget 0.03 * 200 = 6 takes the
        // first two groups (total 6); 0.025 * 200 = 5 takes only the singletons.
        auto r = ck::rare_category_retention(reference, generated, ck::rare_categories::bottom_mass(0.03));
        CHECK(r.categories == std::vector<std::size_t>{0, 1, 2, 3});
        r = ck::rare_category_retention(reference, generated, ck::rare_categories::bottom_mass(0.025));
        CHECK(r.categories == std::vector<std::size_t>{0, 1});
        CHECK(r.surviving == 1);
        CHECK(r.mass_retention == doctest::Approx((3.0 / 209) / (2.0 / 200)).epsilon(1e-15));
        r = ck::rare_category_retention(reference, generated, ck::rare_categories::bottom_mass(1.0));
        CHECK(r.rare == 7);
        CHECK(r.reference_mass == 1.0);
    }
    CHECK_THROWS_WITH((void)ck::rare_category_retention(reference, generated, ck::rare_categories::bottom_mass(0.005)),
                      "collapsekit::rare_category_retention: no reference category is rare under the given rule");
    CHECK_THROWS_AS((void)ck::rare_category_retention(reference, generated, ck::rare_categories::at_most_count(0.5)),
                    std::domain_error);
    const std::vector<int> zeros(8, 0);
    CHECK_THROWS_WITH((void)ck::rare_category_retention(reference, zeros, ck::rare_categories::at_most_count(2)),
                      "collapsekit::rare_category_retention: generated_counts must not be all zero");
    CHECK_THROWS_AS((void)ck::rare_categories::at_most_count(-1), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::rare_categories::at_most_frequency(1.5), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::rare_categories::bottom_mass(std::nan("")), std::invalid_argument);
    CHECK(ck::rare_categories::bottom_mass(0.1).rule() == ck::rare_categories::kind::bottom_mass);
    CHECK(ck::rare_categories::bottom_mass(0.1).parameter() == 0.1);
}

TEST_CASE("Good-Turing missing mass with a known number of singletons") {
    // Seven categories seen once, two seen twice, others more often: f1 = 7, f2 = 2.
    std::vector<int> sample;
    for (int c = 0; c < 7; ++c) sample.push_back(c);
    for (int c = 7; c < 9; ++c) sample.insert(sample.end(), 2, c);
    for (int c = 9; c < 12; ++c) sample.insert(sample.end(), 10, c);
    std::vector<int> counts(12, 0);
    for (int c : sample) ++counts[static_cast<std::size_t>(c)];
    const double n = static_cast<double>(sample.size());  // 7 + 4 + 30 = 41
    const auto e = ck::good_turing_missing_mass(counts);
    CHECK(e.value == doctest::Approx(7.0 / 41.0).epsilon(1e-15));
    CHECK(e.standard_error == doctest::Approx(std::sqrt(7 * (1 - 7 / n) + 2 * 2) / n).epsilon(1e-15));
    CHECK(e.n == 41);
    // No singletons: nothing is estimated to be missing.
    const std::vector<int> twice{2, 2, 3};
    CHECK(ck::good_turing_missing_mass(twice).value == 0.0);

    // Simulation: for a uniform population of K categories and N draws, the expected
    // missing mass is (1 - 1/K)^N; the Good–Turing estimate is unbiased up to O(1/N).
    const std::size_t k = 2000, draws = 3000;
    double sum = 0, sum_missing = 0;
    const int reps = 40;
    for (int rep = 0; rep < reps; ++rep) {
        ck::rng g = ck::rng::for_stream(99, static_cast<std::uint64_t>(rep));
        std::vector<std::uint32_t> c(k, 0);
        for (std::size_t i = 0; i < draws; ++i) ++c[g.below(k)];
        sum += ck::good_turing_missing_mass(c).value;
        std::size_t unseen = 0;
        for (auto v : c) unseen += v == 0 ? 1u : 0u;
        sum_missing += static_cast<double>(unseen) / static_cast<double>(k);
    }
    const double truth = std::pow(1.0 - 1.0 / static_cast<double>(k), static_cast<double>(draws));
    // Per-replicate SE about 0.008; mean of 40 -> about 0.0013.
    CHECK(std::abs(sum / reps - truth) < 3 * 0.008 / std::sqrt(double(reps)));
    CHECK(std::abs(sum_missing / reps - truth) < 0.01);
}

TEST_CASE("Good-Turing and Chao1 match the reference formulas") {
    const collapsekit_test::fixture f("tail.txt");
    const auto& counts = f["counts"];
    const auto gt = ck::good_turing_missing_mass(counts);
    CHECK(gt.value == doctest::Approx(f["good_turing"][0]).epsilon(1e-15));
    CHECK(gt.standard_error == doctest::Approx(f["good_turing"][1]).epsilon(1e-14));
    const auto c = ck::chao1(counts);
    CHECK(c.value == doctest::Approx(f["chao1"][0]).epsilon(1e-14));
    CHECK(c.standard_error == doctest::Approx(f["chao1"][1]).epsilon(1e-13));
    const auto c0 = ck::chao1(f["counts_no_f2"]);
    CHECK(c0.value == doctest::Approx(f["chao1_no_f2"][0]).epsilon(1e-14));
    CHECK(c0.standard_error == doctest::Approx(f["chao1_no_f2"][1]).epsilon(1e-13));
}

TEST_CASE("Chao1: hand values and limits") {
    // f1 = 2, f2 = 1, S_obs = 5, N = 1 + 1 + 2 + 3 + 5 = 12: 5 + (11/12) 2^2 / 2.
    const std::vector<int> c{1, 1, 2, 3, 5, 0};
    CHECK(ck::chao1(c).value == doctest::Approx(5 + 11.0 / 12.0 * 2).epsilon(1e-15));
    // No singletons: every category has been seen, S = S_obs with zero error.
    const std::vector<int> seen{2, 3, 4};
    CHECK(ck::chao1(seen).value == 3.0);
    CHECK(ck::chao1(seen).standard_error == 0.0);
    // One singleton and no doubleton: the bias-corrected term f1 (f1 - 1) / 2 is 0.
    const std::vector<int> single{1, 3};
    CHECK(ck::chao1(single).value == 2.0);
    // Simulation: a population of 300 equally likely categories, 600 draws; Chao1 is
    // a lower bound that is close for uniform populations.
    ck::rng g(5);
    std::vector<int> counts(300, 0);
    for (int i = 0; i < 600; ++i) ++counts[g.below(300)];
    const auto e = ck::chao1(counts);
    CHECK(std::abs(e.value - 300) < 3 * e.standard_error);
}

TEST_CASE("discrete measures: bad input") {
    const std::vector<int> a{1, 2, 3}, b{1, 2};
    CHECK_THROWS_WITH((void)ck::support_coverage(a, b),
                      "collapsekit::support_coverage: reference_counts and generated_counts differ in length (3 vs 2)");
    const std::vector<int> neg{1, -2, 3};
    CHECK_THROWS_WITH((void)ck::support_coverage(neg, a),
                      "collapsekit::support_coverage: reference_counts must hold non-negative whole counts "
                      "(reference_counts[1] = -2)");
    const std::vector<double> frac{1, 2.5, 3}, with_nan{1, std::nan(""), 3};
    CHECK_THROWS_WITH((void)ck::extinct_count(a, frac),
                      "collapsekit::extinct_count: generated_counts must hold non-negative whole counts "
                      "(generated_counts[1] = 2.5)");
    CHECK_THROWS_AS((void)ck::extinct_categories(with_nan, a), std::invalid_argument);
    const std::vector<double> with_inf{1, std::numeric_limits<double>::infinity(), 3};
    CHECK_THROWS_AS((void)ck::support_coverage_mass(with_inf, a), std::invalid_argument);
    const std::vector<int> empty, zeros{0, 0, 0};
    CHECK_THROWS_WITH((void)ck::support_coverage(empty, empty),
                      "collapsekit::support_coverage: reference_counts is empty");
    CHECK_THROWS_WITH((void)ck::support_coverage(zeros, a),
                      "collapsekit::support_coverage: reference_counts must not be all zero");
    CHECK_THROWS_AS((void)ck::support_coverage_mass(zeros, a), std::invalid_argument);
    CHECK(ck::extinct_categories(zeros, a).empty());
    CHECK_THROWS_WITH((void)ck::good_turing_missing_mass(zeros),
                      "collapsekit::good_turing_missing_mass: counts must not be all zero");
    CHECK_THROWS_WITH((void)ck::chao1(neg),
                      "collapsekit::chao1: counts must hold non-negative whole counts (counts[1] = -2)");
    CHECK_THROWS_AS((void)ck::chao1(empty), std::invalid_argument);
}

TEST_CASE("bootstrap interval for support coverage and missing mass") {
    const std::vector<std::uint32_t> reference{50, 30, 10, 5, 3, 1, 1};
    const std::vector<std::uint32_t> generated{60, 25, 12, 2, 1, 0, 0};
    auto coverage = [](ck::view<const std::uint32_t> r, ck::view<const std::uint32_t> g) {
        return ck::support_coverage(r, g);
    };
    const auto ci = ck::bootstrap_counts(reference, generated, coverage, {300, 0.9, 3});
    CHECK(ci.estimate == doctest::Approx(5.0 / 7.0).epsilon(1e-15));
    CHECK(ci.lower <= ci.estimate);
    CHECK(ci.upper <= 1.0);
    auto missing = [](ck::view<const std::uint32_t> c) { return ck::good_turing_missing_mass(c).value; };
    const auto mm = ck::bootstrap_counts(reference, missing, {300, 0.9, 4});
    CHECK(mm.estimate == doctest::Approx(2.0 / 100.0).epsilon(1e-15));
    CHECK(mm.upper > mm.lower);
}
