// The metric adaptors of feedback/metrics.hpp: each against the estimator it wraps or a
// hand-computed value, and selection by name.
#include <collapsekit/feedback.hpp>
#include <collapsekit/feedback/metrics.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;
namespace fm = collapsekit::feedback::metrics;

TEST_CASE("real-valued metrics wrap the library estimators") {
    const std::vector<double> x{1, 2, 3, 4}, r{0, 2, 4, 6, 8};
    CHECK(fm::mean().one(x) == 2.5);
    CHECK(fm::spread().one(x) == doctest::Approx(std::sqrt(5.0 / 3.0)).epsilon(1e-15));
    CHECK(fm::w1().two(x, r) == ck::wasserstein(x, r, 1.0));
    CHECK(fm::ks().two(x, r) == ck::ks_2samp(x, r).statistic);
    CHECK(fm::tail_retention(0.25).two(x, r) == ck::tail_retention(r, x, 0.25, ck::tail_side::both));
    CHECK(fm::kl(4).two(r, r) == doctest::Approx(0.0).epsilon(1e-15));
    CHECK(fm::kl(4).two(x, r) > 0.0);
    CHECK(fm::w1().kind == fb::metric_kind::drift);
    CHECK(fm::spread().kind == fb::metric_kind::of_sample);
}

TEST_CASE("token and document metrics") {
    const std::vector<std::uint32_t> t{0, 1, 2, 3, 0, 1, 2, 3};
    CHECK(fm::entropy(4).one(t) == doctest::Approx(std::log(4.0)).epsilon(1e-14));
    CHECK(fm::entropy(8, ck::bits).one(t) == doctest::Approx(2.0).epsilon(1e-14));
    CHECK(fm::gini_simpson(4).one(t) == doctest::Approx(0.75).epsilon(1e-14));
    CHECK(fm::support(6).one(t) == 4.0);
    CHECK(fm::token_kl(4).two(t, t) == doctest::Approx(0.0).epsilon(1e-15));
    const std::vector<std::uint32_t> head{0, 0, 0, 1};
    CHECK(std::isinf(fm::token_kl(4, 0.0).two(head, t)));
    CHECK(std::isfinite(fm::token_kl(4, 0.5).two(head, t)));
    // Reference: 0 x50, 1 x30, 2 x15, 3 x5; the bottom 5 % is category 3.
    std::vector<std::uint32_t> ref;
    for (std::uint32_t c = 0; c < 4; ++c) ref.insert(ref.end(), std::vector<std::uint32_t>{50, 30, 15, 5}[c], c);
    std::vector<std::uint32_t> gen(95, 0);
    gen.insert(gen.end(), 5, 3);  // 5 % again: fully retained
    CHECK(fm::token_tail_retention(4).two(gen, ref) == doctest::Approx(1.0).epsilon(1e-14));
    const std::vector<std::uint32_t> zeros(10, 0);
    CHECK(fm::token_tail_retention(4).two(zeros, ref) == 0.0);
    CHECK(fm::token_rare_survival(4).two(zeros, ref) == 0.0);
    CHECK(fm::token_rare_survival(4, ck::rare_categories::at_most_count(15)).two(gen, ref) == 0.5);  // 2 and 3; 3 kept
    // No rare category under the rule, or nothing generated: NaN, not an exception.
    CHECK(std::isnan(fm::token_tail_retention(4, ck::rare_categories::bottom_mass(0.01)).two(gen, ref)));
    const std::vector<std::uint32_t> none;
    CHECK(std::isnan(fm::token_tail_retention(4).two(none, ref)));
    CHECK_THROWS_WITH_AS(fm::entropy(3).one(t),
                         "collapsekit::metrics::entropy: token id 3 is not below the number of categories 3",
                         std::invalid_argument);

    const std::vector<std::vector<std::uint32_t>> docs{{0, 1, 2}, {0, 1, 3}};
    CHECK(fm::distinct(1).one(docs) == doctest::Approx(4.0 / 6.0).epsilon(1e-15));
    CHECK(fm::distinct(2).one(docs) == doctest::Approx(3.0 / 4.0).epsilon(1e-15));
    CHECK(fm::distinct(2).name == "distinct_2");
    CHECK(fm::length().one(docs) == 3.0);
    CHECK(fm::unigram_entropy(4).one(docs) ==
          doctest::Approx(-(2 * (1.0 / 3) * std::log(1.0 / 3) + 2 * (1.0 / 6) * std::log(1.0 / 6))).epsilon(1e-14));
    CHECK(fm::unigram_kl(4).two(docs, docs) == doctest::Approx(0.0).epsilon(1e-15));
}

TEST_CASE("metrics by name drive a simulation") {
    fb::simulation_options o;
    o.generations = 4;
    o.samples = 200;
    o.replicates = 2;
    o.seed = 4;
    const auto names = std::vector<std::string>{"variance", "mean", "spread", "w1", "ks", "kl", "tail_retention"};
    const auto ms = fm::metrics_by_name(names, fb::gaussian());
    const auto r =
        fb::simulate(fb::gaussian(), fb::policy::replace(), fb::human_data<double>::from_model(fb::gaussian()), ms, o);
    // 3 one-value metrics + 4 drift metrics with their _step twins.
    CHECK(r.metrics.size() == 2 * 4 * (3 + 2 * 4));
    for (const auto& row : r.metrics.rows()) CHECK(std::isfinite(row.value));

    const auto cm = fm::metrics_by_name(
        {"entropy", "gini_simpson", "support", "kl", "tail_retention", "model_entropy", "model_gini_simpson"},
        fb::categorical(50));
    CHECK(cm.size() == 7);
    CHECK(cm[5].kind == fb::metric_kind::of_model);
    const auto text = fb::tokenize_sentences(fb::builtin_text());
    const auto nm = fm::metrics_by_name(
        {"distinct_1", "distinct_4", "entropy", "length", "kl", "tail_retention", "live_vocabulary"},
        fb::ngram_lm(text.words.size()));
    CHECK(nm[1].name == "distinct_4");
    CHECK_THROWS_WITH_AS(
        fm::metric_by_name("nope", fb::kde()),
        "collapsekit::metrics::metric_by_name: unknown metric 'nope' (known: mean, spread, w1, ks, kl, "
        "tail_retention; variance for gaussian)",
        std::invalid_argument);
    CHECK_THROWS_AS(fm::metric_by_name("distinct_5", fb::ngram_lm(10)), std::invalid_argument);
}

TEST_CASE("point metrics (multivariate_gaussian) wrap the closed forms and the sliced distance") {
    using pts = std::vector<fm::point>;
    const pts x{{0.0, 0.0}, {2.0, 0.0}, {0.0, 2.0}, {2.0, 2.0}};
    // Unbiased covariance diag(4/3, 4/3): spread = sqrt(8/3).
    CHECK(fm::total_spread().one(x) == doctest::Approx(std::sqrt(8.0 / 3.0)).epsilon(1e-15));
    const pts y{{1.0, 1.0}, {3.0, 1.0}, {1.0, 3.0}, {3.0, 3.0}};
    // Same covariance, means (1, 1) and (2, 2): W2 = |dm| = sqrt(2); KL = |dm|^2 / (2 sigma^2) with
    // the maximum-likelihood sigma^2 = 1.
    CHECK(fm::gaussian_w2().two(y, x) == doctest::Approx(std::sqrt(2.0)).epsilon(1e-12));
    CHECK(fm::gaussian_kl().two(y, x) == doctest::Approx(1.0).epsilon(1e-12));
    CHECK(fm::gaussian_kl(ck::bits).two(y, x) == doctest::Approx(1.0 / std::log(2.0)).epsilon(1e-12));
    const std::vector<double> fx{0, 0, 2, 0, 0, 2, 2, 2}, fy{1, 1, 3, 1, 1, 3, 3, 3};
    CHECK(fm::sliced_w2(20, 7).two(y, x) == ck::sliced_wasserstein(fy, fx, 2, {20, 2.0, 7}).value);
    CHECK(fm::sliced_w2().two(x, x) == 0.0);
    const pts one{{1.0, 2.0}}, ragged{{1.0, 2.0}, {1.0}};
    CHECK_THROWS_WITH_AS(fm::total_spread().one(one),
                         "collapsekit::metrics::total_spread: needs at least 2 points (got 1)", std::invalid_argument);
    CHECK_THROWS_WITH_AS(fm::gaussian_w2().two(ragged, x),
                         "collapsekit::metrics::gaussian_w2: point 1 has 1 coordinates, expected 2",
                         std::invalid_argument);

    // By name, in a run: MLE refits shrink the total variance by (n - 1)/n per generation in
    // expectation (generation t is the (t + 1)-th fit), and the fitted model's metrics track it.
    fb::simulation_options o;
    o.generations = 5;
    o.samples = 50;
    o.replicates = 40;
    o.seed = 12;
    const fb::multivariate_gaussian start(3);
    const auto ms = fm::metrics_by_name({"total_variance", "log_det", "spread", "w2", "kl", "sliced_w2"}, start);
    CHECK(ms[0].kind == fb::metric_kind::of_model);
    const auto r = fb::simulate(start, fb::policy::replace(), fb::human_data<fm::point>::from_model(start), ms, o);
    double sum = 0, sum2 = 0;
    int count = 0;
    for (const auto& row : r.metrics.rows()) {
        CHECK(std::isfinite(row.value));
        if (row.metric == "total_variance" && row.generation == 4) {
            sum += row.value;
            sum2 += row.value * row.value;
            ++count;
        }
    }
    REQUIRE(count == 40);
    const double mean = sum / count, se = std::sqrt((sum2 / count - mean * mean) / (count - 1));
    const double expected = 3.0 * std::pow(49.0 / 50.0, 5);
    CHECK(std::abs(mean - expected) <= 4.5 * se);
    CHECK_THROWS_WITH_AS(fm::metric_by_name("mean", start),
                         "collapsekit::metrics::metric_by_name: unknown metric 'mean' (known: spread, w2, kl, "
                         "sliced_w2, total_variance, log_det)",
                         std::invalid_argument);
}
