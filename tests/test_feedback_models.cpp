// The feedback models (Gaussian fits, GMM, KDE, n-gram LM) and the text helpers,
// against numpy / scipy references (tests/fixtures/make_feedback_fixtures.py) and
// simulation.
#include <collapsekit/feedback.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "test_support.hpp"

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;
using collapsekit_test::error_message;

namespace {

const collapsekit_test::fixture& fx() {
    static const collapsekit_test::fixture f("feedback.txt");
    return f;
}

double var_of(const std::vector<double>& x) {
    double m = 0;
    for (double v : x) m += v;
    m /= double(x.size());
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return s / double(x.size());
}

}  // namespace

TEST_CASE("Gaussian fits match numpy") {
    ck::rng g(1);
    const auto& x = fx()["data"];
    fb::gaussian mle, unb(0, 1, fb::variance_estimator::unbiased);
    mle.fit(x, g);
    unb.fit(x, g);
    CHECK(mle.mean() == doctest::Approx(fx().scalar("mean")).epsilon(1e-14));
    CHECK(mle.variance() == doctest::Approx(fx().scalar("var_mle")).epsilon(1e-13));
    CHECK(unb.variance() == doctest::Approx(fx().scalar("var_unbiased")).epsilon(1e-13));

    const auto& flat = fx()["mv_data"];
    std::vector<std::vector<double>> rows;
    for (std::size_t i = 0; i < flat.size(); i += 3) rows.push_back({flat[i], flat[i + 1], flat[i + 2]});
    fb::multivariate_gaussian mv(3), mvu(3, fb::variance_estimator::unbiased);
    mv.fit(ck::as_view(rows), g);
    mvu.fit(ck::as_view(rows), g);
    for (std::size_t j = 0; j < 3; ++j) CHECK(mv.mean()[j] == doctest::Approx(fx()["mv_mean"][j]).epsilon(1e-12));
    for (std::size_t j = 0; j < 9; ++j) {
        CHECK(mv.covariance()[j] == doctest::Approx(fx()["mv_cov_mle"][j]).epsilon(1e-12));
        CHECK(mvu.covariance()[j] == doctest::Approx(fx()["mv_cov_unbiased"][j]).epsilon(1e-12));
    }
    CHECK(mv.log_det() == doctest::Approx(fx().scalar("mv_logdet_mle")).epsilon(1e-12));
    std::vector<std::vector<double>> ragged{{1, 2, 3}, {1, 2}};
    CHECK(error_message([&] { mv.fit(ck::as_view(ragged), g); }) ==
          "collapsekit::multivariate_gaussian::fit: data[1] has 2 values, expected 3");
}

TEST_CASE("KDE bandwidths match scipy; sampling adds h^2 of variance") {
    ck::rng g(2);
    const auto& x = fx()["data"];
    fb::kde scott(fb::bandwidth_rule::scott), silverman(fb::bandwidth_rule::silverman);
    scott.fit(x, g);
    silverman.fit(x, g);
    CHECK(scott.bandwidth() == doctest::Approx(fx().scalar("bandwidth_scott")).epsilon(1e-13));
    CHECK(silverman.bandwidth() == doctest::Approx(fx().scalar("bandwidth_silverman")).epsilon(1e-13));
    std::vector<double> y;
    silverman.sample(200000, g, y);
    const double h = silverman.bandwidth();
    const double expected = fx().scalar("var_mle") + h * h;
    // Var of the sample variance ~ 2 s^4 / n (plus kurtosis): 1 % is > 5 standard errors.
    CHECK(var_of(y) == doctest::Approx(expected).epsilon(0.02));
    fb::kde fixed(fb::bandwidth_rule::fixed, 0.5);
    fixed.fit(std::vector<double>{3.0}, g);
    CHECK(fixed.bandwidth() == 0.5);
    CHECK(error_message([&] {
              scott.fit(std::vector<double>{2.0, 2.0, 2.0}, g);
          }) == "collapsekit::kde::fit: the data have zero spread: a bandwidth rule gives h = 0");
    CHECK(error_message([] { fb::kde(fb::bandwidth_rule::fixed, 0.0); }) ==
          "collapsekit::kde: fixed_bandwidth must be positive and finite (got 0)");
    CHECK(error_message([&] {
              std::vector<double> out;
              fb::kde().sample(1, g, out);
          }) == "collapsekit::kde::sample: the model has not been fitted");
}

TEST_CASE("Gaussian mixture: EM recovers separated components") {
    fb::gaussian_mixture truth({0.3, 0.7}, {-4.0, 3.0}, {1.0, 0.25});
    ck::rng g(3);
    std::vector<double> x;
    truth.sample(20000, g, x);
    fb::gaussian_mixture m(2);
    m.fit(x, g);
    const std::size_t lo = m.means()[0] < m.means()[1] ? 0 : 1, hi = 1 - lo;
    CHECK(m.weights()[lo] == doctest::Approx(0.3).epsilon(0.05));
    CHECK(m.means()[lo] == doctest::Approx(-4.0).epsilon(0.02));
    CHECK(m.means()[hi] == doctest::Approx(3.0).epsilon(0.01));
    CHECK(m.variances()[lo] == doctest::Approx(1.0).epsilon(0.06));
    CHECK(m.variances()[hi] == doctest::Approx(0.25).epsilon(0.06));
    CHECK(m.variance() == doctest::Approx(var_of(x)).epsilon(1e-6));  // EM preserves the second moment
    // The same data and stream give the same fit.
    ck::rng g1(9), g2(9);
    fb::gaussian_mixture a(3), b(3);
    a.fit(x, g1);
    b.fit(x, g2);
    CHECK(a.means() == b.means());
    CHECK(error_message([&] {
              fb::gaussian_mixture(3).fit(std::vector<double>{1.0, 2.0}, g);
          }) == "collapsekit::gaussian_mixture::fit: needs at least max(2, components) = 3 samples (got 2)");
    CHECK(error_message([&] {
              fb::gaussian_mixture(2).fit(std::vector<double>{1.0, 1.0, 1.0}, g);
          }) == "collapsekit::gaussian_mixture::fit: the data have zero variance: a mixture cannot be fitted");
    CHECK_THROWS_AS(fb::gaussian_mixture({1.0}, {0.0}, {0.0}), std::invalid_argument);
    CHECK_THROWS_AS(fb::gaussian_mixture({1.0, 2.0}, {0.0}, {1.0}), std::invalid_argument);
}

TEST_CASE("text: tokenize and detokenize") {
    const auto t = fb::tokenize_sentences("Hello, world.  Hello AGAIN!\n\nno end");
    CHECK(t.words == std::vector<std::string>{"hello", ",", "world", ".", "again", "!", "no", "end"});
    REQUIRE(t.documents.size() == 3);
    CHECK(t.documents[0] == std::vector<std::uint32_t>{0, 1, 2, 3});
    CHECK(t.documents[1] == std::vector<std::uint32_t>{0, 4, 5});
    CHECK(t.documents[2] == std::vector<std::uint32_t>{6, 7});
    CHECK(t.tokens == 9);
    CHECK(fb::detokenize(t.documents[0], t.words) == "hello, world.");
    CHECK(error_message([] { (void)fb::tokenize_sentences(" -- \n "); }) ==
          "collapsekit::tokenize_sentences: text holds no token");
    CHECK_THROWS_AS((void)fb::detokenize({99}, t.words), std::invalid_argument);
    const auto b = fb::tokenize_sentences(fb::builtin_text());
    CHECK(b.documents.size() > 30);
    CHECK(b.words[0] == "the");
}

TEST_CASE("n-gram LM: writes only seen n-grams, truncation loses words") {
    const auto text = fb::tokenize_sentences(fb::builtin_text());
    const std::size_t V = text.words.size();
    ck::rng g(5);
    fb::ngram_lm lm(V);
    lm.fit(ck::as_view(text.documents), g);
    std::set<std::vector<std::uint32_t>> trigrams;
    auto padded = [&](const std::vector<std::uint32_t>& d) {
        std::vector<std::uint32_t> p{std::uint32_t(V), std::uint32_t(V)};
        p.insert(p.end(), d.begin(), d.end());
        p.push_back(std::uint32_t(V + 1));
        return p;
    };
    for (const auto& d : text.documents) {
        const auto p = padded(d);
        for (std::size_t i = 0; i + 3 <= p.size(); ++i) trigrams.insert({p[i], p[i + 1], p[i + 2]});
    }
    std::vector<std::vector<std::uint32_t>> out;
    lm.sample(300, g, out);
    REQUIRE(out.size() == 300);
    std::size_t checked = 0;
    for (const auto& d : out) {
        CHECK(d.size() <= 256);
        const auto p = padded(d);
        // A document cut at max_length has no end marker; others end with one.
        for (std::size_t i = 0; i + 3 <= p.size() - (d.size() == 256 ? 1 : 0); ++i) {
            CHECK(trigrams.count({p[i], p[i + 1], p[i + 2]}) == 1);
            ++checked;
        }
    }
    CHECK(checked > 1000);
    CHECK(lm.live_vocabulary() == V);

    // Greedy decoding (top-k = 1) writes the same document every time.
    fb::ngram_lm_options greedy;
    greedy.controls.top_k = 1;
    fb::ngram_lm lm1(V, greedy);
    lm1.fit(ck::as_view(text.documents), g);
    out.clear();
    lm1.sample(5, g, out);
    for (const auto& d : out) CHECK(d == out[0]);
    CHECK(lm1.live_vocabulary() == 1);

    // Nucleus sampling under replace loses words generation after generation.
    fb::ngram_lm_options nucleus;
    nucleus.controls.top_p = 0.8;
    // One lineage's count can rise for a generation (a word outside the unigram nucleus is
    // written through a longer context and gains weight); the mean over replicates falls
    // every generation, within 4 standard errors.
    fb::simulation_options o;
    o.generations = 6;
    o.samples = 200;
    o.replicates = 16;
    o.seed = 11;
    std::vector<fb::metric<fb::ngram_lm>> metrics{fb::metric<fb::ngram_lm>::of_model(
        "live_vocabulary", [](const fb::ngram_lm& m) { return double(m.live_vocabulary()); })};
    const auto r = fb::simulate(fb::ngram_lm(V, nucleus), fb::policy::replace(),
                                fb::human_data<std::vector<std::uint32_t>>::from_samples(text.documents), metrics, o);
    const auto s = r.metrics.summary();
    REQUIRE(s.size() == 6);
    CHECK(s.back().mean < 0.5 * s.front().mean);
    for (std::size_t t = 1; t < s.size(); ++t) {
        CHECK(s[t].mean <= s[t - 1].mean + 4 * std::hypot(s[t].standard_error, s[t - 1].standard_error));
    }

    // Smoothing keeps every word writable.
    fb::ngram_lm_options smooth;
    smooth.smoothing = 0.1;
    fb::ngram_lm lms(V, smooth);
    lms.fit(ck::as_view(std::vector<std::vector<std::uint32_t>>{{0, 1}}), g);
    CHECK(lms.live_vocabulary() == V);

    CHECK(error_message([&] {
              lm.fit(ck::as_view(std::vector<std::vector<std::uint32_t>>{{0, std::uint32_t(V)}}), g);
          }) == "collapsekit::ngram_lm::fit: docs[0][1] = " + std::to_string(V) + " is not below the vocabulary size " +
                    std::to_string(V));
    CHECK(error_message([&] { lm.fit(ck::as_view(std::vector<std::vector<std::uint32_t>>{}), g); }) ==
          "collapsekit::ngram_lm::fit: no documents to fit and no smoothing");
    fb::ngram_lm_options bad;
    bad.order = 5;
    CHECK(error_message([&] { fb::ngram_lm(10, bad); }) == "collapsekit::ngram_lm: order must lie in 1..4 (got 5)");
    CHECK_THROWS_AS(fb::ngram_lm(0), std::invalid_argument);
    CHECK(error_message([&] {
              std::vector<std::vector<std::uint32_t>> o2;
              fb::ngram_lm(10).sample(1, g, o2);
          }) == "collapsekit::ngram_lm::sample: the model has not been fitted");
}

TEST_CASE("GMM and KDE lineages run in the driver; KDE spreads, GMM shrinks") {
    fb::simulation_options o;
    o.generations = 20;
    o.samples = 50;
    o.replicates = 100;
    o.seed = 17;
    const auto human = fb::human_data<double>::from_model(fb::gaussian_mixture({0.5, 0.5}, {-2.0, 2.0}, {0.5, 0.5}));
    auto spread = fb::sample_metric<double>::of_sample(
        "var", [](ck::view<const double> x) { return var_of(std::vector<double>(x.begin(), x.end())); });
    const auto rk = fb::simulate(fb::kde(), fb::policy::replace(), human, std::vector<fb::metric<fb::kde>>{spread}, o);
    const auto rg = fb::simulate(fb::gaussian_mixture(2), fb::policy::replace(), human,
                                 std::vector<fb::metric<fb::gaussian_mixture>>{spread}, o);
    double kde_last = 0, gmm_last = 0;
    for (const auto& s : rk.metrics.summary()) {
        if (s.generation == 19) kde_last = s.mean;
    }
    for (const auto& s : rg.metrics.summary()) {
        if (s.generation == 19) gmm_last = s.mean;
    }
    // Truth: variance 4.5. KDE adds h^2 each generation; an MLE mixture loses (M-1)/M.
    CHECK(kde_last > 4.5);
    CHECK(gmm_last < 4.5);
}

TEST_CASE("tokenize_sentences keeps apostrophes inside words and lower-cases ASCII only") {
    const auto t = fb::tokenize_sentences("Don't STOP Caf\xc3\x89");
    REQUIRE(t.documents.size() == 1);
    CHECK(t.words.size() == 3);
    for (const char* w : {"don't", "stop", "caf\xc3\x89"}) {
        CHECK(std::find(t.words.begin(), t.words.end(), w) != t.words.end());
    }
}

// Issue 16: asked for their samples a few at a time into one growing vector (as the
// accumulate policy and a human pool drawn generation after generation do), the models
// grow it geometrically. An exact reserve(size + n) per call reallocated on every call:
// 4096 calls cost 4096 reallocations and copies of everything before.
namespace {
template <class Model, class Sample>
std::size_t reallocations_appending(const Model& model, std::vector<Sample>& out) {
    ck::rng g(16);
    std::size_t moves = 0;
    for (int call = 0; call < 4096; ++call) {
        const auto* before = out.data();
        const std::size_t capacity = out.capacity();
        model.sample(3, g, out);
        if (out.data() != before && capacity != 0) ++moves;
    }
    return moves;
}
}  // namespace

TEST_CASE("models append their samples with geometric growth") {
    ck::rng g(1);
    std::vector<double> d;
    CHECK(reallocations_appending(fb::gaussian(0.0, 1.0), d) <= 16);
    CHECK(d.size() == 3 * 4096);

    std::vector<double> pts{-2.0, -1.0, 0.5, 1.0, 2.5, 3.0};
    fb::gaussian_mixture mix(2);
    mix.fit(ck::as_view(pts), g);
    std::vector<double> m;
    CHECK(reallocations_appending(mix, m) <= 16);

    fb::kde k;
    k.fit(ck::as_view(pts), g);
    std::vector<double> kd;
    CHECK(reallocations_appending(k, kd) <= 16);

    fb::categorical cat(4);
    const std::vector<std::uint32_t> labels{0, 1, 1, 2, 3, 3, 3};
    cat.fit(ck::as_view(labels), g);
    std::vector<std::uint32_t> c;
    CHECK(reallocations_appending(cat, c) <= 16);

    fb::multivariate_gaussian mv(2);
    const std::vector<std::vector<double>> rows{{0.0, 1.0}, {1.0, 0.5}, {2.0, 2.5}, {-1.0, 0.0}};
    mv.fit(ck::as_view(rows), g);
    std::vector<std::vector<double>> r;
    CHECK(reallocations_appending(mv, r) <= 16);

    auto pool = fb::human_data<double>::from_samples({1.0, 2.0, 3.0});
    std::vector<double> h;
    std::size_t moves = 0;
    for (int call = 0; call < 4096; ++call) {
        const auto* before = h.data();
        const std::size_t capacity = h.capacity();
        pool.draw(3, g, h);
        if (h.data() != before && capacity != 0) ++moves;
    }
    CHECK(moves <= 16);
    CHECK(h.size() == 3 * 4096);
}

TEST_CASE("restoring factories take a saved model's parameters as they are") {
    // Normalising probabilities again moves some by an ulp (six shares of 1/6 do not sum
    // to 1 exactly): the constructors do, the factories must not.
    const fb::categorical c(std::vector<double>(6, 1.0), 0.5, fb::sampling_controls{});
    std::vector<double> again = c.probabilities();
    double total = 0.0;
    for (double v : again) total += v;
    for (double& v : again) v /= total;
    REQUIRE(again != c.probabilities());  // the constructor's route drifts
    const auto rc = fb::categorical::with_probabilities(c.probabilities(), 0.5);
    CHECK(rc.probabilities() == c.probabilities());
    CHECK(rc.sampling_probabilities() == c.sampling_probabilities());
    CHECK(rc.smoothing() == 0.5);
    CHECK_THROWS_AS(fb::categorical::with_probabilities({0.5, 0.7}, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(fb::categorical::with_probabilities({0.5, -0.5, 1.0}, 0.0), std::invalid_argument);

    const fb::gaussian_mixture g(std::vector<double>(6, 1.0), std::vector<double>(6, 0.0), std::vector<double>(6, 1.0));
    const auto rg = fb::gaussian_mixture::with_parameters(g.weights(), g.means(), g.variances(), g.options());
    CHECK(rg.weights() == g.weights());
    CHECK_THROWS_AS(fb::gaussian_mixture::with_parameters({0.5, 0.6}, {0.0, 0.0}, {1.0, 1.0}), std::invalid_argument);

    // A variance that is no double's square: sqrt(2)^2 != 2, so no sd reaches it.
    REQUIRE(std::sqrt(2.0) * std::sqrt(2.0) != 2.0);
    const auto rv = fb::gaussian::with_variance(1.5, 2.0, fb::variance_estimator::unbiased);
    CHECK(rv.variance() == 2.0);
    CHECK(rv.mean() == 1.5);
    CHECK(rv.estimator() == fb::variance_estimator::unbiased);
    CHECK_THROWS_AS(fb::gaussian::with_variance(0.0, -1.0), std::invalid_argument);
    CHECK_THROWS_AS(fb::gaussian::with_variance(NAN, 1.0), std::invalid_argument);
}
