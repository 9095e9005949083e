// The report's engines: sample_drift_bootstrap, count_drift_bootstrap, budget_distinct.
#include <collapsekit/budget_distinct.hpp>
#include <collapsekit/count_drift.hpp>
#include <collapsekit/divergence.hpp>
#include <collapsekit/energy_rows.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/ngram.hpp>
#include <collapsekit/sample_drift.hpp>
#include <collapsekit/tail.hpp>
#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace ck = collapsekit;

namespace report_engine_test {

inline const ck::interval_estimate& stat_of(const ck::sample_drift_result& r, const std::string& name) {
    for (std::size_t k = 0; k < r.names.size(); ++k) {
        if (r.names[k] == name) return r.intervals[k];
    }
    FAIL("no statistic " << name);
    return r.intervals.front();
}

inline const ck::interval_estimate& count_stat_of(const ck::count_drift_result& r, const std::string& name) {
    for (std::size_t k = 0; k < r.names.size(); ++k) {
        if (r.names[k] == name) return r.intervals[k];
    }
    FAIL("no statistic " << name);
    return r.intervals.front();
}

inline std::vector<double> shifted(std::vector<double> x, double scale, double shift) {
    for (double& v : x) v = v * scale + shift;
    return x;
}

// Equal, or both NaN (a draw without any n-gram of an order makes its cell NaN).
inline bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace report_engine_test

TEST_CASE("sample_drift_bootstrap: estimates equal the library's functions") {
    using report_engine_test::stat_of;
    const std::vector<double> r = collapsekit_test::gaussian_points(3000, 1, 11);
    const std::vector<double> o = report_engine_test::shifted(collapsekit_test::gaussian_points(2000, 1, 12), 0.8, 0.3);
    ck::sample_drift_options opt;
    opt.bootstrap.replicates = 50;
    opt.permutations = 50;
    const ck::sample_drift_result d = ck::sample_drift_bootstrap(r, o, opt);
    CHECK(stat_of(d, "ks").estimate == doctest::Approx(ck::ks_2samp(r, o).statistic).epsilon(1e-12));
    CHECK(stat_of(d, "energy").estimate == doctest::Approx(ck::energy_distance(r, o)).epsilon(1e-10));
    CHECK(stat_of(d, "ref_mean").estimate == doctest::Approx(collapsekit_test::mean_of(ck::as_view(r))).epsilon(1e-12));
    for (double a : {0.01, 0.05}) {
        const std::string l = ck::detail::drift_label(a);
        CHECK(stat_of(d, "retention_left_" + l).estimate ==
              doctest::Approx(ck::tail_retention(r, o, a, ck::tail_side::left)).epsilon(1e-12));
        CHECK(stat_of(d, "retention_right_" + l).estimate ==
              doctest::Approx(ck::tail_retention(r, o, a, ck::tail_side::right)).epsilon(1e-12));
    }
    CHECK(stat_of(d, "kl").estimate ==
          doctest::Approx(
              ck::kl_divergence_counts(d.reference_bins, d.other_bins, ck::nats, ck::zero_support::additive(0.5)))
              .epsilon(1e-12));
    CHECK(d.edges.size() == 9);
    double total = 0;
    for (double c : d.reference_bins) total += c;
    CHECK(total == 3000);
    // A real shift: every interval of the mean difference lies below 0.5 and above 0.
    CHECK(stat_of(d, "mean_diff").lower > 0.1);
    CHECK(stat_of(d, "variance_ratio").upper < 1.0);
    CHECK(d.p_ks == doctest::Approx(1.0 / 51).epsilon(1e-12));
}

TEST_CASE("sample_drift_bootstrap: bit-identical for any thread count; identical samples give p = 1") {
    using report_engine_test::stat_of;
    const std::vector<double> r = collapsekit_test::gaussian_points(5000, 1, 3);
    const std::vector<double> o = collapsekit_test::gaussian_points(4000, 1, 4);
    ck::sample_drift_options opt;
    opt.bootstrap.replicates = 40;
    opt.permutations = 99;
    const auto a = ck::sample_drift_bootstrap(ck::sequential, r, o, opt);
    const auto b = ck::sample_drift_bootstrap(ck::threads(3), r, o, opt);
    REQUIRE(a.names == b.names);
    for (std::size_t k = 0; k < a.names.size(); ++k) {
        CHECK(a.intervals[k].lower == b.intervals[k].lower);
        CHECK(a.intervals[k].upper == b.intervals[k].upper);
    }
    CHECK(a.p_ks == b.p_ks);
    CHECK(a.p_energy == b.p_energy);
    // Identical samples: every split is at least as far apart, p = 1.
    const auto same = ck::sample_drift_bootstrap(ck::sequential, r, r, opt);
    CHECK(same.p_ks == 1.0);
    CHECK(same.p_wasserstein == 1.0);
    CHECK(stat_of(a, "ks").lower <= stat_of(a, "ks").estimate);
}

TEST_CASE("sample_drift_bootstrap: errors") {
    const std::vector<double> r{1, 2, 3}, empty;
    ck::sample_drift_options opt;
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              ck::sample_drift_bootstrap(r, empty, opt);
          }).find("sample_drift_bootstrap") != std::string::npos);
    const std::vector<double> bad{1, std::nan(""), 2};
    CHECK_THROWS_AS(ck::sample_drift_bootstrap(r, bad, opt), std::invalid_argument);
    opt.bins = 1;
    CHECK_THROWS_AS(ck::sample_drift_bootstrap(r, r, opt), std::invalid_argument);
    opt.bins = 10;
    opt.tail_alphas = {0.7};
    CHECK_THROWS_AS(ck::sample_drift_bootstrap(r, r, opt), std::invalid_argument);
}

TEST_CASE("count_drift_bootstrap: estimates equal the library's functions, thread invariance") {
    using report_engine_test::count_stat_of;
    const std::vector<double> r{50, 30, 10, 5, 2, 1, 1, 1, 0}, o{40, 35, 12, 0, 3, 0, 1, 0, 9};
    ck::count_drift_options opt;
    opt.bootstrap.replicates = 64;
    const auto a = ck::count_drift_bootstrap(ck::sequential, r, o, opt);
    const auto b = ck::count_drift_bootstrap(ck::threads(4), r, o, opt);
    CHECK(count_stat_of(a, "kl").estimate ==
          doctest::Approx(ck::kl_divergence_counts(r, o, ck::nats, ck::zero_support::additive(0.5))).epsilon(1e-12));
    CHECK(count_stat_of(a, "js").estimate == doctest::Approx(ck::js_divergence_counts(r, o)).epsilon(1e-12));
    CHECK(count_stat_of(a, "ref_entropy").estimate == doctest::Approx(ck::shannon_entropy_counts(r)).epsilon(1e-12));
    CHECK(count_stat_of(a, "coverage").estimate == doctest::Approx(ck::support_coverage_mass(r, o)).epsilon(1e-12));
    CHECK(count_stat_of(a, "novelty").estimate == doctest::Approx(9.0 / 100.0).epsilon(1e-12));
    CHECK(count_stat_of(a, "other_missing_mass").estimate ==
          doctest::Approx(ck::good_turing_missing_mass(o).value).epsilon(1e-12));
    const auto rare = ck::rare_category_retention(r, o, ck::rare_categories::at_most_count(2));
    CHECK(count_stat_of(a, "rare_survival").estimate == doctest::Approx(rare.survival_share).epsilon(1e-12));
    CHECK(count_stat_of(a, "rare_mass_retention").estimate == doctest::Approx(rare.mass_retention).epsilon(1e-12));
    for (std::size_t k = 0; k < a.names.size(); ++k) {
        CHECK(report_engine_test::same(a.intervals[k].lower, b.intervals[k].lower));
    }
    const std::vector<double> shorter{1, 2};
    CHECK_THROWS_AS(ck::count_drift_bootstrap(r, shorter, opt), std::invalid_argument);
}

TEST_CASE("budget_distinct: a budget of the whole corpus gives distinct_n; thread invariance") {
    // Three documents; at the full budget every draw holds every document.
    const std::vector<std::uint32_t> t{1, 2, 3, 1, 2, 1, 2, 3, 4, 5, 5};
    const std::vector<std::size_t> off{0, 3, 5, 11};
    const ck::corpus c(t, off);
    ck::budget_distinct_options opt;
    opt.budgets = {4, 11};
    opt.draws = 16;
    const auto a = ck::budget_distinct(ck::sequential, t, off, t, off, opt);
    const auto b = ck::budget_distinct(ck::threads(3), t, off, t, off, opt);
    for (std::size_t k = 0; k < 4; ++k) {
        CHECK(a.reference[k][1].estimate == doctest::Approx(ck::distinct_n(c, k + 1)).epsilon(1e-12));
        CHECK(a.reference[k][1].lower == a.reference[k][1].upper);
        CHECK(a.difference[k][1].estimate == doctest::Approx(0.0).epsilon(1e-12));
        CHECK(report_engine_test::same(a.reference[k][0].lower, b.reference[k][0].lower));
        CHECK(report_engine_test::same(a.difference[k][0].upper, b.difference[k][0].upper));
    }
    opt.budgets = {12};
    CHECK_THROWS_AS(ck::budget_distinct(t, off, t, off, opt), std::invalid_argument);
}

TEST_CASE("random_split: exactly n ones, uniform over the subsets") {
    // 5 positions, 2 ones: 10 subsets, each expected 2000 times in 20000 splits
    // (standard deviation about 42; the tolerance is five of them).
    std::vector<std::uint8_t> label(5);
    std::vector<int> seen(32, 0);
    for (std::uint64_t d = 0; d < 20000; ++d) {
        ck::rng g = ck::rng::for_stream(9, d);
        ck::detail::random_split(label, 2, g);
        int mask = 0, ones = 0;
        for (std::size_t k = 0; k < 5; ++k) {
            mask |= label[k] << k;
            ones += label[k];
        }
        REQUIRE(ones == 2);
        ++seen[static_cast<std::size_t>(mask)];
    }
    int subsets = 0;
    for (int c : seen) {
        if (c == 0) continue;
        ++subsets;
        CHECK(std::abs(c - 2000) < 210);
    }
    CHECK(subsets == 10);
}

TEST_CASE("energy_rows_bootstrap: one column equals energy_distance; subsamples; threads") {
    const std::vector<double> x = collapsekit_test::gaussian_points(300, 1, 21);
    const std::vector<double> y = report_engine_test::shifted(collapsekit_test::gaussian_points(200, 1, 22), 1.5, 0.4);
    ck::energy_rows_options opt;
    opt.bootstrap.replicates = 30;
    const auto one = ck::energy_rows_bootstrap(x, y, 1, opt);
    CHECK(one.energy.estimate == doctest::Approx(ck::energy_distance(x, y)).epsilon(1e-9));
    CHECK(one.energy.lower > 0.0);
    const std::vector<double> x2 = collapsekit_test::gaussian_points(500, 3, 23);
    const std::vector<double> y2 = collapsekit_test::gaussian_points(400, 3, 24);
    opt.max_rows = 100;
    const auto a = ck::energy_rows_bootstrap(ck::sequential, x2, y2, 3, opt);
    const auto b = ck::energy_rows_bootstrap(ck::threads(3), x2, y2, 3, opt);
    CHECK(a.used_rows_x == 100);
    CHECK(a.used_rows_y == 100);
    CHECK(a.energy.lower == b.energy.lower);
    CHECK(a.energy.upper == b.energy.upper);
    CHECK_THROWS_AS(ck::energy_rows_bootstrap(x2, y2, 7, opt), std::invalid_argument);
}
