// The feedback driver, policies, provenance and table, on the Gaussian and categorical
// models, checked against the closed-form decay laws of model collapse.
#include <collapsekit/feedback.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;
using collapsekit_test::error_message;

namespace {

double gini_simpson_of(const std::vector<double>& p) {
    double s = 0.0;
    for (double v : p) s += v * v;
    return 1.0 - s;
}

const fb::summary_row& find(const std::vector<fb::summary_row>& s, const std::string& lineage, std::size_t gen,
                            const std::string& metric) {
    for (const auto& r : s) {
        if (r.lineage == lineage && r.generation == gen && r.metric == metric) return r;
    }
    FAIL("no summary row for " << lineage << " / " << gen << " / " << metric);
    return s.front();
}

std::vector<fb::metric<fb::gaussian>> variance_metric() {
    return {fb::metric<fb::gaussian>::of_model("variance", [](const fb::gaussian& m) { return m.variance(); })};
}

// The metrics without their against: every comparison with the reference through two.
template <class Model>
std::vector<fb::metric<Model>> unbound_metrics(std::vector<fb::metric<Model>> ms) {
    for (auto& m : ms) m.against = nullptr;
    return ms;
}

// simulate with the metrics as given and unbound: the same tables, bit for bit but for
// W1 against the reference (a few ulps: see ck::wasserstein with a sorted_reference).
template <class Model>
void check_binding_changes_nothing(const Model& model, const fb::human_data<typename Model::sample_type>& human,
                                   const std::vector<fb::metric<Model>>& ms, const fb::simulation_options& o,
                                   std::size_t lineages) {
    std::size_t bindable = 0;
    for (const auto& m : ms) bindable += m.against ? 1u : 0u;
    CHECK(bindable > 0);
    const auto bound = fb::simulate(model, fb::policy::replace(), human, ms, o, lineages);
    const auto plain = fb::simulate(model, fb::policy::replace(), human, unbound_metrics(ms), o, lineages);
    REQUIRE(bound.metrics.size() == plain.metrics.size());
    CHECK(bound.metrics.size() > 0);
    for (std::size_t i = 0; i < bound.metrics.size(); ++i) {
        const auto& a = bound.metrics.rows()[i];
        const auto& b = plain.metrics.rows()[i];
        CAPTURE(a.metric);
        // W1 against the reference comes from its prefix sums once bound: a few ulps off
        // the merge (see ck::wasserstein with a sorted_reference). Everything else: equal.
        if (a.metric == "w1") {
            CHECK(a.lineage == b.lineage);
            CHECK(a.metric == b.metric);
            CHECK(std::abs(a.value - b.value) <= 1e-14 * std::abs(b.value));
        } else {
            CHECK(a == b);
        }
    }
}

}  // namespace

TEST_CASE("Gaussian, replace, MLE: E[sigma^2_t] = sigma^2 ((M - 1) / M)^(t + 1)") {
    // Generation 0 is fitted on M human samples, so the law holds with one extra factor
    // relative to the true variance (equivalently sigma^2_0 = E[variance of generation 0]).
    const std::size_t M = 10, T = 8;
    fb::simulation_options o;
    o.generations = T;
    o.samples = M;
    o.replicates = 3000;
    o.seed = 2024;
    const auto human = fb::human_data<double>::from_model(fb::gaussian(0.0, 2.0));
    const auto r = fb::simulate(fb::gaussian(), fb::policy::replace(), human, variance_metric(), o);
    const auto s = r.metrics.summary();
    for (std::size_t t = 0; t < T; ++t) {
        const auto& row = find(s, "0", t, "variance");
        const double expected = 4.0 * std::pow(double(M - 1) / double(M), double(t + 1));
        CHECK(row.n == 3000);
        // 4.5 standard errors: a false alarm has probability ~1e-5 per check.
        CHECK(std::abs(row.mean - expected) < 4.5 * row.standard_error);
    }
    // The decay is real: the last generation is well below the first.
    CHECK(find(s, "0", T - 1, "variance").mean < 0.6 * 4.0);
}

TEST_CASE("unbiased variance keeps E[sigma^2_t] = sigma^2") {
    fb::simulation_options o;
    o.generations = 6;
    o.samples = 8;
    o.replicates = 3000;
    o.seed = 5;
    const auto human = fb::human_data<double>::from_model(fb::gaussian(1.0, 1.0));
    const auto r = fb::simulate(fb::gaussian(0, 1, fb::variance_estimator::unbiased), fb::policy::replace(), human,
                                variance_metric(), o);
    const auto s = r.metrics.summary();
    for (std::size_t t = 0; t < 6; ++t) {
        const auto& row = find(s, "0", t, "variance");
        CHECK(std::abs(row.mean - 1.0) < 4.5 * row.standard_error);
    }
}

TEST_CASE("categorical, replace: E[GiniSimpson_t] = GS (1 - 1/M)^(t + 1)") {
    const std::size_t M = 40, T = 8, K = 12;
    const auto truth = fb::categorical::zipf(K, 1.0);
    const double gs0 = gini_simpson_of(truth.probabilities());
    fb::simulation_options o;
    o.generations = T;
    o.samples = M;
    o.replicates = 2000;
    o.seed = 77;
    std::vector<fb::metric<fb::categorical>> metrics{fb::metric<fb::categorical>::of_model(
        "gini_simpson", [](const fb::categorical& m) { return gini_simpson_of(m.probabilities()); })};
    const auto r = fb::simulate(fb::categorical(K), fb::policy::replace(),
                                fb::human_data<std::uint32_t>::from_model(truth), metrics, o);
    const auto s = r.metrics.summary();
    for (std::size_t t = 0; t < T; ++t) {
        const auto& row = find(s, "0", t, "gini_simpson");
        const double expected = gs0 * std::pow(1.0 - 1.0 / double(M), double(t + 1));
        CHECK(std::abs(row.mean - expected) < 4.5 * row.standard_error);
    }
}

TEST_CASE("accumulate decays more slowly than replace; a human floor keeps the variance up") {
    const std::size_t M = 10, T = 30;
    fb::simulation_options o;
    o.generations = T;
    o.samples = M;
    o.replicates = 300;
    o.seed = 9;
    const auto human = fb::human_data<double>::from_model(fb::gaussian(0.0, 1.0));
    std::vector<fb::lineage<fb::gaussian>> ls{{"replace", fb::gaussian(), fb::policy::replace()},
                                              {"accumulate", fb::gaussian(), fb::policy::accumulate()},
                                              {"floor", fb::gaussian(), fb::policy::replace().human_floor(0.3)}};
    const auto r = fb::simulate(ls, human, variance_metric(), o);
    const auto s = r.metrics.summary();
    const auto& rep = find(s, "replace", T - 1, "variance");
    const auto& acc = find(s, "accumulate", T - 1, "variance");
    const auto& flo = find(s, "floor", T - 1, "variance");
    const double gap = acc.mean - rep.mean;
    CHECK(gap > 5.0 * std::hypot(acc.standard_error, rep.standard_error));
    // Replace: E = 0.9^30 = 0.042. Accumulate stays near the truth (Gerstgrasser et al. 2024).
    CHECK(rep.mean < 0.1);
    CHECK(acc.mean > 0.6);
    // With 30 % fresh human data the variance settles well away from zero.
    CHECK(flo.mean > 0.4);
    CHECK(flo.mean - rep.mean > 5.0 * std::hypot(flo.standard_error, rep.standard_error));
}

TEST_CASE("a human floor keeps categorical diversity bounded away from zero") {
    const std::size_t M = 20, T = 60, K = 10;
    const auto truth = fb::categorical::zipf(K, 0.5);
    fb::simulation_options o;
    o.generations = T;
    o.samples = M;
    o.replicates = 200;
    o.seed = 31;
    std::vector<fb::metric<fb::categorical>> metrics{fb::metric<fb::categorical>::of_model(
        "gs", [](const fb::categorical& m) { return gini_simpson_of(m.probabilities()); })};
    std::vector<fb::lineage<fb::categorical>> ls{
        {"replace", fb::categorical(K), fb::policy::replace()},
        {"floor", fb::categorical(K), fb::policy::replace().human_floor(0.2, fb::split_rule::per_sample)}};
    const auto r = fb::simulate(ls, fb::human_data<std::uint32_t>::from_model(truth), metrics, o);
    const auto s = r.metrics.summary();
    const double gs0 = gini_simpson_of(truth.probabilities());
    CHECK(find(s, "replace", T - 1, "gs").mean < 0.3 * gs0);
    CHECK(find(s, "floor", T - 1, "gs").mean > 0.7 * gs0);
}

TEST_CASE("identical tables with 1 and 2 threads, and lineages side by side") {
    fb::simulation_options o;
    o.generations = 5;
    o.samples = fb::sample_schedule::list({50, 40, 30});
    o.replicates = 7;
    o.seed = 123;
    const auto human = fb::human_data<double>::from_model(fb::gaussian(0.0, 1.0));
    const auto pol =
        fb::policy::accumulate().human_floor(0.3, fb::split_rule::per_sample).contamination(0.5).detector(0.5, 0.1);
    std::vector<fb::metric<fb::gaussian>> metrics{
        fb::metric<fb::gaussian>::of_model("variance", [](const fb::gaussian& m) { return m.variance(); }),
        fb::metric<fb::gaussian>::of_sample("n", [](ck::view<const double> x) { return double(x.size()); }),
        fb::metric<fb::gaussian>::drift("mean_gap", [](ck::view<const double> x, ck::view<const double> y) {
            double a = 0, b = 0;
            for (double v : x) a += v;
            for (double v : y) b += v;
            return std::abs(a / double(x.size()) - b / double(y.size()));
        })};
    o.threads = 1;
    const auto one = fb::simulate(fb::gaussian(), pol, human, metrics, o, 3);
    o.threads = 2;
    const auto two = fb::simulate(fb::gaussian(), pol, human, metrics, o, 3);
    o.threads = 5;
    const auto five = fb::simulate(fb::gaussian(), pol, human, metrics, o, 3);
    CHECK(one.metrics == two.metrics);
    CHECK(one.provenance == two.provenance);
    CHECK(one.metrics == five.metrics);
    // 3 lineages x 7 replicates x 5 generations x (variance, n, mean_gap, mean_gap_step)
    // plus 3 pairs x 7 x 5 x mean_gap_between.
    CHECK(one.metrics.size() == 3 * 7 * 5 * 4 + 3 * 7 * 5);
    CHECK(one.metrics.values("0|2", "mean_gap_between", 3).size() == 5);
    // The schedule: 50, 40, 30, 30, 30 outputs.
    const auto n = one.metrics.values("1", "n", 4);
    CHECK(n == std::vector<double>{50, 40, 30, 30, 30});
    // Rows are ordered lineage, replicate, generation.
    CHECK(one.metrics.rows().front().lineage == "0");
    CHECK(one.metrics.rows().back().lineage == "1|2");
    // Another seed gives other numbers.
    o.seed = 124;
    CHECK(fb::simulate(fb::gaussian(), pol, human, metrics, o, 3).metrics != one.metrics);
}

TEST_CASE("provenance: shares sum to 1 and follow the policy") {
    fb::simulation_options o;
    o.generations = 6;
    o.samples = 90;
    o.replicates = 4;
    o.seed = 3;
    const auto human = fb::human_data<double>::from_model(fb::gaussian(0.0, 1.0));
    std::vector<fb::lineage<fb::gaussian>> ls{
        {"acc", fb::gaussian(),
         fb::policy::accumulate().human_floor(0.2, fb::split_rule::per_sample).detector(0.3, 0.1)},
        {"exact", fb::gaussian(), fb::policy::replace().human_floor(0.5).contamination(0.2).curated(10)},
        {"mark", fb::gaussian(), fb::policy::replace().watermark(0.5)}};
    const auto r = fb::simulate(ls, human, variance_metric(), o);
    std::map<std::tuple<std::string, std::size_t, std::size_t>, double> sums;
    for (const auto& row : r.provenance.rows()) sums[{row.lineage, row.replicate, row.generation}] += row.value;
    CHECK(sums.size() == 3 * 4 * 6);
    for (const auto& [k, v] : sums) CHECK(v == doctest::Approx(1.0).epsilon(1e-12));

    std::map<std::string, double> exact_mix;
    for (const auto& row : r.provenance.rows()) {
        if (row.lineage == "exact" && row.replicate == 2 && row.generation == 3) exact_mix[row.metric] = row.value;
    }
    // 10 curated + 90 new: 45 human slots, of which 9 contaminated by generation 2; 45 outputs of generation 2.
    CHECK(exact_mix.size() == 3);
    CHECK(exact_mix["curated"] == doctest::Approx(0.1).epsilon(1e-12));
    CHECK(exact_mix["human"] == doctest::Approx(0.36).epsilon(1e-12));
    CHECK(exact_mix["gen 2"] == doctest::Approx(0.54).epsilon(1e-12));
    // Generation 0 trains on human data only; accumulate keeps every origin.
    std::size_t acc_origins = 0;
    for (const auto& row : r.provenance.rows()) {
        if (row.lineage == "acc" && row.replicate == 0 && row.generation == 0) CHECK(row.metric == "human");
        if (row.lineage == "acc" && row.replicate == 0 && row.generation == 5) ++acc_origins;
    }
    CHECK(acc_origins == 6);  // human, gen 0..4
}

TEST_CASE("detector and watermark filtering shift the origin mix as expected") {
    // Replace with a 50 % exact human floor on 20 000 slots: 10 000 human, 10 000 machine.
    // A detector with tpr 0.5, fpr 0.2 keeps 8 000 human and 5 000 machine: human share 8/13.
    // A watermark found at rate 0.75 keeps 2 500 machine: human share 0.8.
    fb::simulation_options o;
    o.generations = 2;
    o.samples = 20000;
    o.replicates = 1;
    o.seed = 8;
    const auto human = fb::human_data<double>::from_model(fb::gaussian(0.0, 1.0));
    std::vector<fb::lineage<fb::gaussian>> ls{
        {"detector", fb::gaussian(), fb::policy::replace().human_floor(0.5).detector(0.5, 0.2)},
        {"watermark", fb::gaussian(), fb::policy::replace().human_floor(0.5).watermark(0.75)}};
    const auto r = fb::simulate(ls, human, variance_metric(), o);
    double det = 0, mark = 0;
    for (const auto& row : r.provenance.rows()) {
        if (row.generation != 1 || row.metric != "human") continue;
        (row.lineage == "detector" ? det : mark) = row.value;
    }
    // Binomial noise on ~13 000 kept samples: sd of the share ~ 0.005.
    CHECK(std::abs(det - 8.0 / 13.0) < 0.02);
    CHECK(std::abs(mark - 0.8) < 0.02);
}

TEST_CASE("sampling controls: temperature, top-k, top-p") {
    const std::vector<double> p{0.5, 0.2, 0.2, 0.1};
    fb::sampling_controls c;
    c.top_k = 2;
    auto w = fb::detail::apply_controls(p, c);
    CHECK(w == std::vector<double>{0.5, 0.2, 0.0, 0.0});  // the tie at 0.2 keeps the lower index
    c = {};
    c.top_p = 0.75;
    w = fb::detail::apply_controls(p, c);
    CHECK(w == std::vector<double>{0.5, 0.2, 0.2, 0.0});  // 0.5 + 0.2 = 0.7 < 0.75
    c = {};
    c.temperature = 0.5;
    w = fb::detail::apply_controls(p, c);
    CHECK(w[1] / w[0] == doctest::Approx(0.16).epsilon(1e-12));  // (0.2 / 0.5)^2
    c.temperature = 1e-3;                                        // no underflow to an all-zero table
    w = fb::detail::apply_controls(p, c);
    CHECK(w[0] == 1.0);

    // Top-k truncation under replace: at most k outcomes survive one generation.
    fb::sampling_controls k3;
    k3.top_k = 3;
    fb::simulation_options o;
    o.generations = 3;
    o.samples = 500;
    o.seed = 1;
    std::vector<fb::metric<fb::categorical>> support{
        fb::metric<fb::categorical>::of_model("support", [](const fb::categorical& m) {
            double s = 0;
            for (double v : m.probabilities()) s += v > 0 ? 1 : 0;
            return s;
        })};
    const auto r = fb::simulate(fb::categorical(50, 0.0, k3), fb::policy::replace(),
                                fb::human_data<std::uint32_t>::from_model(fb::categorical::zipf(50, 1.0)), support, o);
    const auto v = r.metrics.values("0", "support");
    CHECK(v[0] > 20);
    CHECK(v[1] <= 3);
    CHECK(v[2] <= 3);
}

TEST_CASE("multivariate Gaussian: fit, sample, shrink") {
    fb::multivariate_gaussian truth({1.0, -1.0}, {2.0, 0.5, 0.5, 1.0});
    ck::rng g(4);
    std::vector<std::vector<double>> x;
    truth.sample(20000, g, x);
    fb::multivariate_gaussian m(2);
    m.fit(ck::as_view(x), g);
    CHECK(m.mean()[0] == doctest::Approx(1.0).epsilon(0.03));
    CHECK(m.covariance()[1] == doctest::Approx(0.5).epsilon(0.06));
    CHECK(m.covariance()[2] == m.covariance()[1]);
    CHECK(m.total_variance() == doctest::Approx(3.0).epsilon(0.03));
    CHECK(m.log_det() == doctest::Approx(std::log(1.75)).epsilon(0.05));
    std::vector<std::vector<double>> collinear{{0, 0}, {1, 1}, {2, 2}};
    CHECK(error_message([&] { m.fit(ck::as_view(collinear), g); }) ==
          "collapsekit::multivariate_gaussian::fit: the covariance is not positive definite (too few or collinear "
          "samples)");
}

TEST_CASE("table: CSV, JSON and summary") {
    fb::table t;
    t.add("a", 0, 0, "m", 1.0);
    t.add("a", 1, 0, "m", 3.0);
    t.add("a", 0, 1, "m", std::numeric_limits<double>::quiet_NaN());
    t.add("b,\"x\"", 0, 0, "m", std::numeric_limits<double>::infinity());
    std::ostringstream csv, json;
    t.write_csv(csv);
    CHECK(csv.str() ==
          "lineage,replicate,generation,metric,value\na,0,0,m,1\na,1,0,m,3\na,0,1,m,nan\n\"b,\"\"x\"\"\",0,0,m,inf\n");
    t.write_json(json);
    CHECK(json.str() ==
          "[\n {\"lineage\": \"a\", \"replicate\": 0, \"generation\": 0, \"metric\": \"m\", \"value\": 1},\n"
          " {\"lineage\": \"a\", \"replicate\": 1, \"generation\": 0, \"metric\": \"m\", \"value\": 3},\n"
          " {\"lineage\": \"a\", \"replicate\": 0, \"generation\": 1, \"metric\": \"m\", \"value\": null},\n"
          " {\"lineage\": \"b,\\\"x\\\"\", \"replicate\": 0, \"generation\": 0, \"metric\": \"m\", \"value\": "
          "\"inf\"}\n]\n");
    const auto s = t.summary();
    REQUIRE(s.size() == 3);
    CHECK(s[0].mean == 2.0);
    CHECK(s[0].standard_error == doctest::Approx(1.0).epsilon(1e-15));  // sd sqrt(2) / sqrt(2)
    CHECK(s[0].n == 2);
    CHECK(s[1].n == 0);  // NaN left out
    CHECK(std::isnan(s[1].mean));
    CHECK(s[2].lineage == "b,\"x\"");
    CHECK(std::isnan(s[2].standard_error));
    std::ostringstream empty;
    fb::table().write_json(empty);
    CHECK(empty.str() == "[]\n");
    CHECK(error_message([&] { (void)t.values("zz", "m"); }) ==
          "collapsekit::table::values: no rows for lineage 'zz', metric 'm', replicate 0");
}

TEST_CASE("bad input gives clear errors") {
    const auto human = fb::human_data<double>::from_model(fb::gaussian());
    fb::simulation_options o;
    o.generations = 0;
    CHECK(error_message([&] { fb::simulate(fb::gaussian(), fb::policy::replace(), human, variance_metric(), o); }) ==
          "collapsekit::simulate: generations must be at least 1 (got 0)");
    o.generations = 3;
    o.replicates = 0;
    CHECK(error_message([&] { fb::simulate(fb::gaussian(), fb::policy::replace(), human, variance_metric(), o); }) ==
          "collapsekit::simulate: replicates must be at least 1 (got 0)");
    o.replicates = 2;
    o.samples = fb::sample_schedule::list({5, 0});
    CHECK(error_message([&] { fb::simulate(fb::gaussian(), fb::policy::replace(), human, variance_metric(), o); }) ==
          "collapsekit::simulate: samples must be at least 1 (the schedule gives 0 at generation 1)");
    // One sample per generation: a variance cannot be fitted.
    o.samples = 1;
    CHECK(error_message([&] { fb::simulate(fb::gaussian(), fb::policy::replace(), human, variance_metric(), o); }) ==
          "collapsekit::simulate: lineage '0', replicate 0, generation 0: the model could not be fitted "
          "(collapsekit::gaussian::fit: a variance needs at least 2 samples (got 1))");
    ck::rng g(1);
    fb::gaussian model;
    CHECK_THROWS_AS(model.fit(std::vector<double>{}, g), std::invalid_argument);
    CHECK(error_message([&] {
              model.fit(std::vector<double>{1.0, NAN}, g);
          }) == "collapsekit::gaussian::fit: data must be finite (data[1] = nan)");
    // A detector that removes every machine sample leaves nothing to train on.
    o.samples = 10;
    CHECK(error_message([&] {
              fb::simulate(fb::gaussian(), fb::policy::replace().detector(1.0, 0.0), human, variance_metric(), o);
          }) ==
          "collapsekit::simulate: lineage '0', replicate 0, generation 1: the training set is empty (every "
          "sample was filtered out)");
    // Rates and fractions outside [0, 1].
    CHECK(error_message([] { (void)fb::policy::replace().human_floor(1.5); }) ==
          "collapsekit::policy::human_floor: lambda must lie in [0, 1] (got 1.5)");
    CHECK(error_message([] { (void)fb::policy::replace().human_floor(-0.1); }) ==
          "collapsekit::policy::human_floor: lambda must lie in [0, 1] (got -0.10000000000000001)");
    CHECK_THROWS_AS((void)fb::policy::replace().contamination(NAN), std::invalid_argument);
    CHECK(error_message([] { (void)fb::policy::replace().detector(0.9, 2.0); }) ==
          "collapsekit::policy::detector: fpr must lie in [0, 1] (got 2)");
    CHECK_THROWS_AS((void)fb::policy::replace().watermark(1.01), std::invalid_argument);
    // Empty human data.
    CHECK(error_message([] { (void)fb::human_data<double>::from_samples({}); }) ==
          "collapsekit::human_data::from_samples: human data is empty");
    CHECK(error_message([&] {
              fb::simulate(fb::gaussian(), fb::policy::replace(), fb::human_data<double>(), variance_metric(), o);
          }) == "collapsekit::simulate: human data is empty");
    // Categorical: an id out of range, and nothing to fit.
    fb::categorical c(3);
    CHECK(error_message([&] {
              c.fit(std::vector<std::uint32_t>{0, 3}, g);
          }) == "collapsekit::categorical::fit: data[1] = 3 is not below k = 3");
    CHECK(error_message([&] { c.fit(std::vector<std::uint32_t>{}, g); }) ==
          "collapsekit::categorical::fit: no data to fit and no smoothing");
    fb::sampling_controls bad;
    bad.top_p = 0.0;
    CHECK(error_message([&] { fb::categorical(3, 0.0, bad); }) ==
          "collapsekit::categorical: top_p must lie in (0, 1] (got 0)");
    bad = {};
    bad.temperature = 0.0;
    CHECK_THROWS_AS(fb::categorical(3, 0.0, bad), std::invalid_argument);
    // A failing replicate: the lowest one's error is reported, with any thread count.
    fb::simulation_options o2;
    o2.generations = 2;
    o2.samples = 10;
    o2.replicates = 6;
    o2.threads = 2;
    std::vector<fb::metric<fb::gaussian>> throwing{
        fb::metric<fb::gaussian>::of_model("boom", [](const fb::gaussian& m) -> double {
            if (m.variance() < 10.0) throw std::runtime_error("metric failed");
            return 0.0;
        })};
    CHECK_THROWS_WITH_AS(fb::simulate(fb::gaussian(), fb::policy::replace(), human, throwing, o2), "metric failed",
                         std::runtime_error);
}

TEST_CASE("drift metrics bind the human reference once per run, and the table does not change") {
    fb::simulation_options o;
    o.generations = 4;
    o.samples = 100;
    o.replicates = 3;
    o.seed = 9;
    o.threads = 2;
    o.provenance = false;
    namespace fm = fb::metrics;

    // Gaussian, from a sampler (10 000 reference draws) and from a pool (the pool is the reference).
    const auto gm = fm::metrics_by_name({"variance", "w1", "ks", "kl", "tail_retention"}, fb::gaussian());
    check_binding_changes_nothing(fb::gaussian(), fb::human_data<double>::from_model(fb::gaussian(0.5, 2.0)), gm, o, 2);
    std::vector<double> pool;
    ck::rng g(3);
    fb::gaussian(0.0, 1.0).sample(3000, g, pool);
    for (double& v : pool) v = std::round(4.0 * v) / 4.0;  // ties
    check_binding_changes_nothing(fb::gaussian(), fb::human_data<double>::from_samples(pool), gm, o, 2);

    // Categorical, n-gram documents and d-dimensional points.
    const auto zipf = fb::categorical::zipf(40, 1.2);
    check_binding_changes_nothing(zipf, fb::human_data<std::uint32_t>::from_model(zipf),
                                  fm::metrics_by_name({"kl", "tail_retention", "rare_survival"}, zipf), o, 2);
    const auto text = fb::tokenize_sentences(fb::builtin_text());
    fb::simulation_options ot = o;
    ot.generations = 2;
    ot.samples = 60;
    ot.replicates = 2;
    const fb::ngram_lm lm(text.words.size());
    check_binding_changes_nothing(lm, fb::human_data<std::vector<std::uint32_t>>::from_samples(text.documents),
                                  fm::metrics_by_name({"kl", "tail_retention", "rare_survival"}, lm), ot, 1);
    const fb::multivariate_gaussian mv(2);
    fb::simulation_options op = o;
    op.reference_samples = 2000;
    check_binding_changes_nothing(mv, fb::human_data<fm::point>::from_model(mv),
                                  fm::metrics_by_name({"w2", "kl", "sliced_w2"}, mv), op, 2);

    // One preparation per run, whatever the replicates, lineages and generations; a
    // preparation that throws leaves the metric on two, with the same table.
    std::atomic<int> calls{0};
    const auto w1 = fm::w1();
    using M = fb::metric<fb::gaussian>;
    const std::vector<M> counted{M::drift("w1", w1.two, [&](ck::view<const double> r) {
        ++calls;
        return w1.against(r);
    })};
    const std::vector<M> failing{
        M::drift("w1", w1.two, [](ck::view<const double>) -> M::bound { throw std::runtime_error("cannot bind"); })};
    const auto human = fb::human_data<double>::from_model(fb::gaussian());
    const auto a = fb::simulate(fb::gaussian(), fb::policy::replace(), human, counted, o, 3);
    CHECK(calls.load() == 1);
    const auto b = fb::simulate(fb::gaussian(), fb::policy::replace(), human, failing, o, 3);
    const auto c = fb::simulate(fb::gaussian(), fb::policy::replace(), human, unbound_metrics(counted), o, 3);
    CHECK(b.metrics == c.metrics);
    CHECK(a.metrics.size() == b.metrics.size());
    CHECK(a.metrics.size() == 3 * 3 * 4 * 2 + 3 * 3 * 4);

    // A reference two rejects: the same error, raised where two raises it, bound or not.
    const auto nan_reference =
        fb::human_data<double>::from_sampler([](std::size_t n, ck::rng& r, std::vector<double>& out) {
            fb::gaussian().sample(n, r, out);
            if (n == 777) out.back() = std::numeric_limits<double>::quiet_NaN();
        });
    fb::simulation_options on = o;
    on.reference_samples = 777;
    const auto ks = fm::metrics_by_name({"ks", "w1"}, fb::gaussian());
    const std::string bound_error =
        error_message([&] { fb::simulate(fb::gaussian(), fb::policy::replace(), nan_reference, ks, on); });
    const std::string plain_error = error_message(
        [&] { fb::simulate(fb::gaussian(), fb::policy::replace(), nan_reference, unbound_metrics(ks), on); });
    CHECK(bound_error == plain_error);
    CHECK(bound_error.rfind("collapsekit::ks_statistic: v contains NaN (first at index 776)", 0) == 0);
}

TEST_CASE("progress: one serialised call per replicate and generation, naming both") {
    fb::simulation_options o;
    o.generations = 5;
    o.samples = 20;
    o.replicates = 4;
    o.threads = 3;
    o.seed = 16;
    std::vector<fb::progress> calls;
    std::atomic<int> inside{0};
    bool overlapped = false;
    o.on_progress = [&](const fb::progress& p) {
        overlapped = overlapped || inside.fetch_add(1) != 0;
        calls.push_back(p);
        inside.fetch_sub(1);
    };
    const std::vector<fb::lineage<fb::gaussian>> lineages{{"a", fb::gaussian(), fb::policy::replace()},
                                                          {"b", fb::gaussian(), fb::policy::accumulate()}};
    const auto human = fb::human_data<double>::from_model(fb::gaussian());
    fb::simulate(lineages, human, variance_metric(), o);
    CHECK_FALSE(overlapped);
    REQUIRE(calls.size() == 20);
    std::map<std::size_t, std::size_t> last_generation;  // by replicate
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const auto& p = calls[i];
        CHECK(p.done == i + 1);
        CHECK(p.total == 20);
        CHECK(p.generations == 5);
        CHECK(p.replicates == 4);
        CHECK(p.lineages == 2);
        REQUIRE(p.replicate < 4);
        // Each replicate reports its generations 1..5 in order.
        CHECK(p.generation == last_generation[p.replicate] + 1);
        last_generation[p.replicate] = p.generation;
    }
    for (std::size_t r = 0; r < 4; ++r) CHECK(last_generation[r] == 5);
}
