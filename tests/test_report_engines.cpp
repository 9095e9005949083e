// The report's engines: sample_drift_bootstrap, count_drift_bootstrap, budget_distinct.
#include <collapsekit/budget_distinct.hpp>
#include <collapsekit/count_drift.hpp>
#include <collapsekit/divergence.hpp>
#include <collapsekit/energy_rows.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/ngram.hpp>
#include <collapsekit/sample_drift.hpp>
#include <collapsekit/self_bleu_drift.hpp>
#include <collapsekit/sliced_rows.hpp>
#include <collapsekit/tail.hpp>
#include <collapsekit/unigram_permutation.hpp>
#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <bitset>
#include <cmath>
#include <cstdint>
#include <stdexcept>
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

TEST_CASE("wasserstein_pp_counts: counts weigh like repeated values") {
    // Independent reference: expand each value by its count and take the equal-weight W_p.
    const std::vector<double> u{-1.5, -0.25, 0.0, 0.75, 2.0};
    const std::vector<double> v{-2.0, 0.5, 1.0, 3.5};
    const std::vector<std::uint32_t> cu{2, 0, 3, 1, 4}, cv{1, 5, 0, 2};
    std::vector<double> eu, ev;
    for (std::size_t i = 0; i < u.size(); ++i) eu.insert(eu.end(), cu[i], u[i]);
    for (std::size_t j = 0; j < v.size(); ++j) ev.insert(ev.end(), cv[j], v[j]);
    for (double p : {1.0, 2.0, 3.0}) {
        const double got = ck::detail::wasserstein_pp_counts(u.data(), cu.data(), u.size(), eu.size(), v.data(),
                                                             cv.data(), v.size(), ev.size(), ck::detail::power_of{p});
        CHECK(got == doctest::Approx(std::pow(ck::wasserstein(eu, ev, p), p)).epsilon(1e-13));
    }
    // All ones: the equal-weight walk.
    const std::vector<std::uint32_t> ou(u.size(), 1u), ov(v.size(), 1u);
    const double ones = ck::detail::wasserstein_pp_counts(u.data(), ou.data(), u.size(), u.size(), v.data(), ov.data(),
                                                          v.size(), v.size(), ck::detail::power_of{2.0});
    CHECK(ones == doctest::Approx(std::pow(ck::wasserstein(u, v, 2.0), 2.0)).epsilon(1e-13));
}

TEST_CASE("sliced_wasserstein_bootstrap: the estimate is sliced_wasserstein's; interval, threads, errors") {
    const std::vector<double> x = collapsekit_test::gaussian_points(400, 3, 31);
    const std::vector<double> y = report_engine_test::shifted(collapsekit_test::gaussian_points(300, 3, 32), 0.5, 1.0);
    ck::sliced_rows_options opt;
    opt.sliced.projections = 20;
    opt.bootstrap.replicates = 40;
    std::size_t calls = 0, last = 0;
    opt.on_progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done == last + 1);
        CHECK(total == 40);
        last = done;
    };
    const auto a = ck::sliced_wasserstein_bootstrap(x, y, 3, opt);
    CHECK(calls == 40);
    CHECK(a.distance.estimate == ck::sliced_wasserstein(x, y, 3, opt.sliced).value);
    CHECK(a.used_rows_x == 400);
    CHECK(a.used_rows_y == 300);
    CHECK(a.distance.lower < a.distance.estimate);
    CHECK(a.distance.estimate < a.distance.upper);
    CHECK(a.distance.lower > 0.0);  // a shift of 0.5 per coordinate is clearly resolved
    opt.on_progress = nullptr;
    const auto b = ck::sliced_wasserstein_bootstrap(ck::threads(3), x, y, 3, opt);
    CHECK(a.distance.lower == b.distance.lower);
    CHECK(a.distance.upper == b.distance.upper);
    CHECK(a.distance.standard_error == b.distance.standard_error);
    // The bootstrap's spread against the spread over independent pairs of samples (the
    // quantity the interval stands for): within a factor that 40 pairs can resolve.
    std::vector<double> draws;
    for (std::uint64_t k = 0; k < 40; ++k) {
        const std::vector<double> xk = collapsekit_test::gaussian_points(400, 3, 1000 + k);
        const std::vector<double> yk =
            report_engine_test::shifted(collapsekit_test::gaussian_points(300, 3, 2000 + k), 0.5, 1.0);
        draws.push_back(ck::sliced_wasserstein(xk, yk, 3, opt.sliced).value);
    }
    double mean = 0, var = 0;
    for (double d : draws) mean += d / 40.0;
    for (double d : draws) var += (d - mean) * (d - mean) / 39.0;
    CHECK(a.distance.standard_error / std::sqrt(var) > 0.6);
    CHECK(a.distance.standard_error / std::sqrt(var) < 1.6);
    // Two samples of one distribution: a smaller distance, its interval below the shifted one's.
    const std::vector<double> z = collapsekit_test::gaussian_points(300, 3, 33);
    const auto same = ck::sliced_wasserstein_bootstrap(x, z, 3, opt);
    CHECK(same.distance.lower >= 0.0);
    CHECK(same.distance.upper < a.distance.lower);
    // Subsamples above max_rows.
    opt.max_rows = 50;
    const auto c = ck::sliced_wasserstein_bootstrap(x, y, 3, opt);
    CHECK(c.used_rows_x == 50);
    CHECK(c.used_rows_y == 50);
    CHECK_THROWS_AS(ck::sliced_wasserstein_bootstrap(x, y, 7, opt), std::invalid_argument);
    opt.max_rows = 1;
    CHECK_THROWS_AS(ck::sliced_wasserstein_bootstrap(x, y, 3, opt), std::invalid_argument);
    opt.max_rows = 100;
    opt.sliced.p = 0.5;
    CHECK_THROWS_AS(ck::sliced_wasserstein_bootstrap(x, y, 3, opt), std::invalid_argument);
    opt.sliced.p = 2.0;
    std::vector<double> bad = x;
    bad[5] = std::nan("");
    CHECK_THROWS_AS(ck::sliced_wasserstein_bootstrap(bad, y, 3, opt), std::invalid_argument);
    CHECK_THROWS_AS(ck::sliced_wasserstein_bootstrap(std::vector<double>{}, y, 3, opt), std::invalid_argument);
}

TEST_CASE("progress: every unit reported once, in order; a throwing function stops the call") {
    const std::vector<double> x = collapsekit_test::gaussian_points(2000, 1, 41);
    const std::vector<double> y = collapsekit_test::gaussian_points(1500, 1, 42);
    ck::sample_drift_options opt;
    opt.bootstrap.replicates = 30;
    opt.permutations = 20;
    for (std::size_t t : {1u, 3u}) {
        std::vector<std::size_t> seen;
        opt.on_progress = [&](std::size_t done, std::size_t total) {
            CHECK(total == 50);
            seen.push_back(done);
        };
        const auto r = ck::sample_drift_bootstrap(ck::threads(t), x, y, opt);
        REQUIRE(seen.size() == 50);
        for (std::size_t k = 0; k < seen.size(); ++k) CHECK(seen[k] == k + 1);
        // The results do not depend on the progress function.
        opt.on_progress = nullptr;
        const auto plain = ck::sample_drift_bootstrap(ck::threads(t), x, y, opt);
        CHECK(plain.intervals[0].lower == r.intervals[0].lower);
        CHECK(plain.p_ks == r.p_ks);
        opt.on_progress = [](std::size_t done, std::size_t) {
            if (done == 10) throw std::runtime_error("stop");
        };
        CHECK_THROWS_AS(ck::sample_drift_bootstrap(ck::threads(t), x, y, opt), std::runtime_error);
    }
}

TEST_CASE("self_bleu_drift_bootstrap: estimates are self_bleu_sampled's; interval; threads") {
    // A repetitive corpus (few distinct sentences) against a varied one.
    ck::vocabulary vocab;
    ck::tokenizer tok;
    std::vector<std::string> dull, varied;
    ck::rng g(5);
    for (int d = 0; d < 120; ++d) {
        dull.push_back("the model says the same thing again " + std::to_string(d % 3));
        std::string doc;
        for (int w = 0; w < 9; ++w) doc += "w" + std::to_string(g.below(2000)) + " ";
        varied.push_back(doc);
    }
    const ck::corpus r = tok.encode_documents(varied, vocab);
    const ck::corpus o = tok.encode_documents(dull, vocab);
    ck::self_bleu_drift_options opt;
    opt.sample_size = 50;
    opt.seed = 9;
    opt.bootstrap.replicates = 200;
    const auto a = ck::self_bleu_drift_bootstrap(r, o, opt);
    CHECK(a.reference.estimate == ck::self_bleu_sampled(r, 50, 9).value);
    CHECK(a.other.estimate == ck::self_bleu_sampled(o, 50, 9).value);
    CHECK(a.difference.estimate == a.other.estimate - a.reference.estimate);
    CHECK(a.difference.lower > 0.9);  // the repetitive corpus scores far higher
    CHECK(a.difference.lower <= a.difference.estimate);
    CHECK(a.difference.estimate <= a.difference.upper);
    // The bootstrap standard error of a mean is close to s / sqrt(m).
    const auto s = ck::self_bleu_sampled(r, 50, 9);
    const double fpc = std::sqrt(1.0 - 50.0 / 120.0);
    CHECK(a.reference.standard_error == doctest::Approx(s.standard_error / fpc).epsilon(0.2));
    const auto b = ck::self_bleu_drift_bootstrap(ck::threads(3), r, o, opt);
    CHECK(a.difference.lower == b.difference.lower);
    CHECK(a.difference.upper == b.difference.upper);
    opt.sample_size = 500;
    CHECK_THROWS_AS(ck::self_bleu_drift_bootstrap(r, o, opt), std::invalid_argument);
}

TEST_CASE("unigram_permutation_test: against every split of a small pooled corpus; threads; errors") {
    // Three documents each; R leans on word 1, O on word 2, with overlap.
    const std::vector<std::uint32_t> rt{1, 1, 2, 1, 3, 1, 1, 4};
    const std::vector<std::uint64_t> ro{0, 3, 5, 8};
    const std::vector<std::uint32_t> ot{2, 2, 1, 2, 5, 2, 3};
    const std::vector<std::uint64_t> oo{0, 3, 5, 7};
    // Independent reference: all C(6, 3) = 20 splits of the pooled documents, counted by brute force.
    std::vector<std::vector<std::uint32_t>> docs;
    for (std::size_t d = 0; d + 1 < ro.size(); ++d) docs.emplace_back(rt.begin() + ro[d], rt.begin() + ro[d + 1]);
    for (std::size_t d = 0; d + 1 < oo.size(); ++d) docs.emplace_back(ot.begin() + oo[d], ot.begin() + oo[d + 1]);
    auto js_of = [&](unsigned mask) {
        std::vector<double> a(6, 0.0), b(6, 0.0);
        for (unsigned d = 0; d < 6; ++d) {
            for (std::uint32_t w : docs[d]) ((mask >> d) & 1u ? b : a)[w] += 1.0;
        }
        return ck::js_divergence_counts(a, b, ck::nats);
    };
    const double observed = js_of(0b111000u);
    std::size_t reach = 0, splits = 0;
    for (unsigned mask = 0; mask < 64; ++mask) {
        if (std::bitset<6>(mask).count() != 3) continue;
        ++splits;
        reach += js_of(mask) >= observed ? 1u : 0u;
    }
    REQUIRE(splits == 20);
    const double exact = static_cast<double>(reach) / 20.0;
    const std::size_t perms = 4000;
    const auto r = ck::unigram_permutation_test(rt, ro, ot, oo, perms, 7);
    CHECK(r.js == observed);
    const double se = std::sqrt(exact * (1.0 - exact) / static_cast<double>(perms));
    CHECK(std::abs(r.p_js - exact) < 4.0 * se + 1.0 / static_cast<double>(perms));
    CHECK(r.permutations == perms);
    std::size_t calls = 0;
    const auto t =
        ck::unigram_permutation_test(ck::threads(3), rt, ro, ot, oo, perms, 7, [&](std::size_t, std::size_t total) {
            CHECK(total == perms);
            ++calls;
        });
    CHECK(t.p_js == r.p_js);
    CHECK(calls == perms);
    // Identical corpora: T = 0 is reached by every split, p = 1.
    const auto same = ck::unigram_permutation_test(rt, ro, rt, ro, 50, 1);
    CHECK(same.js == 0.0);
    CHECK(same.p_js == 1.0);
    CHECK_THROWS_AS(ck::unigram_permutation_test(rt, ro, ot, oo, 0, 1), std::invalid_argument);
    const std::vector<std::uint64_t> bad{0, 9};
    CHECK_THROWS_AS(ck::unigram_permutation_test(rt, bad, ot, oo, 10, 1), std::invalid_argument);
    const std::vector<std::uint32_t> none;
    const std::vector<std::uint64_t> empty_doc{0, 0};
    CHECK_THROWS_AS(ck::unigram_permutation_test(none, empty_doc, ot, oo, 10, 1), std::invalid_argument);
}

namespace {
std::vector<double> times_power_of_two(std::vector<double> v, int e) {
    for (double& x : v) x = std::ldexp(x, e);
    return v;
}
std::vector<double> near_dbl_max(std::vector<double> v) {
    double largest = 0;
    for (double x : v) largest = std::max(largest, std::abs(x));
    for (double& x : v) x = x / largest * 1.7e308;
    return v;
}
}  // namespace

TEST_CASE("bootstrap_cdf_distances and energy_rows_bootstrap over the whole double range") {
    // The bad-input matrix's finding: samples near 1.7e308 gave W1 and energy +inf (gaps
    // and squared distances overflowed), subnormal ones lost their digits. References:
    // exact power-of-two scaling laws, and ck::wasserstein / ck::energy_distance (which
    // handle the whole range) on the same samples.
    std::vector<double> u = collapsekit_test::gaussian_points(60, 1, 5);
    std::vector<double> v = collapsekit_test::gaussian_points(50, 1, 6);
    for (double& x : v) x += 0.5;
    ck::bootstrap_options opt{40, 0.9, 3};
    const auto base = ck::bootstrap_cdf_distances(u, v, opt);
    ck::energy_rows_options eopt;
    eopt.bootstrap = opt;
    const auto base_rows = ck::energy_rows_bootstrap(u, v, 2, eopt);  // 30 and 25 points in 2-D
    for (int e : {-600, 600, 1020}) {                                 // 2^1020 |u| reaches 2^1022: its gaps overflowed
        CAPTURE(e);
        const auto r = ck::bootstrap_cdf_distances(times_power_of_two(u, e), times_power_of_two(v, e), opt);
        CHECK(r.wasserstein.estimate == std::ldexp(base.wasserstein.estimate, e));
        CHECK(r.wasserstein.lower == std::ldexp(base.wasserstein.lower, e));
        CHECK(r.wasserstein.upper == std::ldexp(base.wasserstein.upper, e));
        CHECK(r.ks.estimate == base.ks.estimate);
        CHECK(r.ks.upper == base.ks.upper);
        CHECK(r.energy.estimate == std::ldexp(base.energy.estimate, e / 2));
        CHECK(r.energy.upper == std::ldexp(base.energy.upper, e / 2));
        const auto rows = ck::energy_rows_bootstrap(times_power_of_two(u, e), times_power_of_two(v, e), 2, eopt);
        CHECK(rows.energy.estimate == std::ldexp(base_rows.energy.estimate, e / 2));
        CHECK(rows.energy.lower == std::ldexp(base_rows.energy.lower, e / 2));
        CHECK(rows.energy.upper == std::ldexp(base_rows.energy.upper, e / 2));
    }
    // Subnormal samples (about 34 significant bits): the same to that precision.
    const auto tiny = ck::bootstrap_cdf_distances(times_power_of_two(u, -1040), times_power_of_two(v, -1040), opt);
    CHECK(std::ldexp(tiny.wasserstein.estimate, 1040) == doctest::Approx(base.wasserstein.estimate).epsilon(1e-8));
    CHECK(std::ldexp(tiny.energy.estimate, 520) == doctest::Approx(base.energy.estimate).epsilon(1e-8));
    const auto tiny_rows =
        ck::energy_rows_bootstrap(times_power_of_two(u, -1040), times_power_of_two(v, -1040), 2, eopt);
    CHECK(std::ldexp(tiny_rows.energy.estimate, 520) == doctest::Approx(base_rows.energy.estimate).epsilon(1e-8));
    // Near 1.7e308 by a factor that is no power of two: against the 1-D measures (the
    // energy distance of rows in 1-D is scipy's energy_distance).
    const auto hu = near_dbl_max(u), hv = near_dbl_max(v);
    const auto huge = ck::bootstrap_cdf_distances(hu, hv, opt);
    REQUIRE(std::isfinite(huge.wasserstein.estimate));
    REQUIRE(std::isfinite(huge.energy.upper));
    CHECK(huge.wasserstein.estimate == doctest::Approx(ck::wasserstein(hu, hv)).epsilon(1e-12));
    CHECK(huge.energy.estimate == doctest::Approx(ck::energy_distance(hu, hv)).epsilon(1e-12));
    const auto huge_rows = ck::energy_rows_bootstrap(hu, hv, 1, eopt);
    REQUIRE(std::isfinite(huge_rows.energy.upper));
    CHECK(huge_rows.energy.estimate == doctest::Approx(ck::energy_distance(hu, hv)).epsilon(1e-12));
}
