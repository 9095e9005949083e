// The metric adaptors of feedback/metrics.hpp: each against the estimator it wraps or a
// hand-computed value, and selection by name.
#include <collapsekit/feedback.hpp>
#include <collapsekit/feedback/metrics.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <limits>
#include <map>
#include <string>
#include <typeinfo>
#include <vector>

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;
namespace fm = collapsekit::feedback::metrics;

namespace {

// The same double bit for bit (any NaN matching any NaN): a bound metric must give
// exactly what two gives, not something close.
bool same_bits_bound(double a, double b) {
    if (std::isnan(a) && std::isnan(b)) return true;
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// What a call gave: its value, or its exception's type and message.
struct outcome_bound {
    double value = 0;
    std::string error;  // empty: no exception
};

template <class F>
outcome_bound outcome_of_bound(F&& f) {
    outcome_bound o;
    try {
        o.value = f();
    } catch (const std::exception& e) {
        o.error = std::string(typeid(e).name()) + ": " + e.what();
    }
    return o;
}

// m.against(r)(x) against m.two(x, r) for every x: the same bits or the same exception.
// A reference that against rejects must be one that two rejects for some x, and then
// the driver falls back to two; `expect_bound` says whether r is expected to bind.
// `relative`: the largest relative difference allowed (0: none, bit for bit).
template <class S>
void check_bound(const fb::sample_metric<S>& m, const std::vector<S>& r, const std::vector<std::vector<S>>& xs,
                 bool expect_bound = true, double relative = 0.0) {
    CAPTURE(m.name);
    REQUIRE(static_cast<bool>(m.against));
    const ck::view<const S> rv(r.data(), r.size());
    typename fb::sample_metric<S>::bound f;
    const auto bound = outcome_of_bound([&] {
        f = m.against(rv);
        return 0.0;
    });
    CHECK(bound.error.empty() == expect_bound);
    if (!bound.error.empty()) {
        CAPTURE(bound.error);
        CHECK(bound.error.find("std::bad") == std::string::npos);
        return;
    }
    for (std::size_t i = 0; i < xs.size(); ++i) {
        CAPTURE(i);
        const ck::view<const S> xv(xs[i].data(), xs[i].size());
        const auto a = outcome_of_bound([&] { return m.two(xv, rv); });
        const auto b = outcome_of_bound([&] { return f(xv); });
        CHECK(a.error == b.error);
        if (a.error.empty() && b.error.empty()) {
            CAPTURE(a.value);
            CAPTURE(b.value);
            CHECK((same_bits_bound(a.value, b.value) || std::abs(a.value - b.value) <= relative * std::abs(a.value)));
        }
    }
}

std::vector<double> normals_bound(std::size_t n, double mean, double sd, std::uint64_t seed) {
    ck::rng g(seed);
    ck::normal_distribution normal;
    std::vector<double> x(n);
    for (double& v : x) v = mean + sd * normal(g);
    return x;
}

}  // namespace

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

TEST_CASE("real-valued drift metrics bound to a reference give two's value bit for bit") {
    const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> r = normals_bound(10000, 0.0, 1.0, 1);
    std::vector<double> ties_r = normals_bound(3000, 0.0, 2.0, 2), ties_x = normals_bound(100, 0.3, 1.5, 3);
    for (double& v : ties_r) v = std::floor(v);
    for (double& v : ties_x) v = std::floor(v);
    const std::vector<std::vector<double>> xs{
        normals_bound(100, 0.1, 0.8, 4),    // a typical generation
        normals_bound(1, 0.0, 1.0, 5),      // one value
        normals_bound(20000, 0.0, 1.0, 6),  // larger than the reference
        ties_x,                             // many ties, with each other and with ties_r
        {-0.0, 0.0, 0.0, -0.0, 1.0},        // signed zeros
        {5.0, 6.0, 7.0},                    // beyond every reference value
        {-inf, 0.0, inf},                   // tail_retention counts them; the others raise
        {0.5, nan, 1.0},                    // NaN raises everywhere
        {},                                 // empty raises everywhere
    };
    const std::vector<fm::real_metric> ms{fm::w1(),
                                          fm::ks(),
                                          fm::kl(),
                                          fm::kl(4),
                                          fm::kl(7, 0.0),
                                          fm::kl(3, 0.5, ck::bits),
                                          fm::tail_retention(),
                                          fm::tail_retention(0.25),
                                          fm::tail_retention(0.5)};
    for (const auto& m : ms) {
        // W1 against a reference 8 times longer than x comes from its prefix sums
        // (ck::wasserstein with a sorted_reference): within a few ulps, not bit for bit.
        const double rel = m.name == "w1" ? 1e-14 : 0.0;
        check_bound(m, r, xs, true, rel);
        check_bound(m, ties_r, xs, true, rel);
        check_bound(m, std::vector<double>{0.25}, xs);                // one value
        check_bound(m, std::vector<double>{1.0, 1.0, 1.0, 1.0}, xs);  // all equal
        check_bound(m, std::vector<double>{0.0, -0.0, -1.0}, xs);
        check_bound(m, normals_bound(12000, 0.0, 1.0, 7), xs, true, rel);  // KS past its exact-method size
        // A reference two always rejects: against rejects it too (the driver then calls two).
        check_bound(m, std::vector<double>{}, xs, false);
        check_bound(m, std::vector<double>{0.0, nan}, xs, false);
        check_bound(m, std::vector<double>{0.0, inf}, xs, false);
    }
    // A parameter two rejects on every call makes against throw.
    check_bound(fm::tail_retention(0.75), r, xs, false);
    // ks is ks_2samp's statistic; the bound functions copy what they need (r may go away).
    const std::vector<double> x = xs[0];
    CHECK(fm::ks().two(x, r) == ck::ks_2samp(x, r).statistic);
    fm::real_metric::bound w;
    {
        const std::vector<double> tmp = r;
        w = fm::w1().against(tmp);
    }
    CHECK(w(x) == ck::wasserstein(x, ck::sorted_reference(r)));
}

TEST_CASE("token and document drift metrics bound to a reference give two's value bit for bit") {
    ck::rng g(11);
    std::vector<std::uint32_t> r, x, one{2}, all_zero(30, 0), bad{1, 6, 0};
    fb::categorical::zipf(6, 1.3).sample(500, g, r);
    fb::categorical::zipf(6, 2.0).sample(60, g, x);
    const std::vector<std::vector<std::uint32_t>> xs{x, one, all_zero, bad, {}};
    const std::vector<fm::token_metric> ms{fm::token_kl(6),
                                           fm::token_kl(6, 0.0),
                                           fm::token_kl(6, 0.5, ck::bits),
                                           fm::token_tail_retention(6),
                                           fm::token_tail_retention(6, ck::rare_categories::at_most_count(40)),
                                           fm::token_tail_retention(6, ck::rare_categories::bottom_mass(0.0001)),
                                           fm::token_rare_survival(6),
                                           fm::token_rare_survival(6, ck::rare_categories::at_most_frequency(0.2))};
    for (const auto& m : ms) {
        check_bound(m, r, xs);
        check_bound(m, std::vector<std::uint32_t>{5}, xs);
        check_bound(m, std::vector<std::uint32_t>{0, 6}, xs, false);  // an id out of range
    }
    // An empty reference: KL smooths it; the rare-category metrics have no mass to share
    // out (two raises unless x is empty too), so their against rejects it.
    check_bound(fm::token_kl(6), std::vector<std::uint32_t>{}, xs);
    check_bound(fm::token_tail_retention(6), std::vector<std::uint32_t>{}, xs, false);
    check_bound(fm::token_rare_survival(6), std::vector<std::uint32_t>{}, xs, false);

    const auto text = fb::tokenize_sentences(fb::builtin_text());
    const std::size_t v = text.words.size();
    const std::vector<fm::document>& docs = text.documents;
    const std::vector<fm::document> head(docs.begin(), docs.begin() + 30);
    const std::vector<std::vector<fm::document>> dxs{
        head, {docs[3]}, {fm::document{}}, {fm::document{0, static_cast<std::uint32_t>(v)}}, {}};
    const std::vector<fm::document_metric> dms{fm::unigram_kl(v), fm::unigram_tail_retention(v),
                                               fm::unigram_rare_survival(v),
                                               fm::unigram_rare_survival(v, ck::rare_categories::bottom_mass(0.1))};
    for (const auto& m : dms) {
        check_bound(m, docs, dxs);
        check_bound(m, head, dxs);
    }
}

TEST_CASE("point drift metrics bound to a reference give two's value bit for bit") {
    auto points = [](std::size_t n, std::size_t d, std::uint64_t seed, double scale) {
        const std::vector<double> flat = collapsekit_test::gaussian_points(n, d, seed);
        std::vector<fm::point> out(n);
        for (std::size_t i = 0; i < n; ++i) {
            out[i].assign(flat.begin() + static_cast<std::ptrdiff_t>(i * d),
                          flat.begin() + static_cast<std::ptrdiff_t>((i + 1) * d));
            for (double& c : out[i]) c *= scale;
        }
        return out;
    };
    const auto r = points(2000, 3, 21, 1.0);
    const std::vector<fm::point> ragged{{1.0, 2.0, 3.0}, {1.0}}, one{{0.5, 0.5, 0.5}},
        with_inf{{0.0, 0.0, 0.0}, {1.0, std::numeric_limits<double>::infinity(), 0.0}, {2.0, 1.0, 0.0}};
    const std::vector<std::vector<fm::point>> xs{
        points(80, 3, 22, 0.7), points(5, 3, 23, 2.0), ragged, one, with_inf, points(10, 2, 24, 1.0), {}};
    const std::vector<fm::point_metric> ms{fm::gaussian_w2(), fm::gaussian_kl(), fm::gaussian_kl(ck::bits),
                                           fm::sliced_w2(), fm::sliced_w2(20, 7)};
    for (const auto& m : ms) {
        check_bound(m, r, xs);
        check_bound(m, std::vector<fm::point>{}, xs, false);
        check_bound(m, ragged, xs, false);
    }
}

// Issue 16: novelty and coverage against the reference, by brute force over std::set and
// std::map of n-gram vectors (an implementation that shares nothing with the counters).
namespace {
using ngram_vec = std::vector<std::uint32_t>;
std::map<ngram_vec, std::size_t> brute_ngrams(const std::vector<fm::document>& docs, std::size_t n) {
    std::map<ngram_vec, std::size_t> m;
    for (const auto& d : docs) {
        for (std::size_t i = 0; i + n <= d.size(); ++i)
            ++m[ngram_vec(d.begin() + std::ptrdiff_t(i), d.begin() + std::ptrdiff_t(i + n))];
    }
    return m;
}
}  // namespace

TEST_CASE("novelty and coverage metrics: values, bound to a reference, by name") {
    ck::rng g(16);
    const auto text = fb::tokenize_sentences(fb::builtin_text());
    const std::size_t v = text.words.size();
    const std::vector<fm::document>& docs = text.documents;
    const std::vector<fm::document> head(docs.begin(), docs.begin() + 20);
    fb::ngram_lm lm(v);
    lm.fit(ck::as_view(head), g);
    std::vector<fm::document> out;
    lm.sample(40, g, out);
    for (std::size_t n = 1; n <= 4; ++n) {
        CAPTURE(n);
        const auto rm = brute_ngrams(docs, n), xm = brute_ngrams(out, n);
        std::size_t novel = 0, total = 0, covered = 0;
        for (const auto& [k, c] : xm) {
            total += c;
            if (rm.count(k) == 0) novel += c;
            if (rm.count(k) != 0) ++covered;
        }
        if (total == 0) continue;
        CHECK(fm::novelty(n).two(out, docs) == double(novel) / double(total));
        CHECK(fm::coverage(n).two(out, docs) == double(covered) / double(rm.size()));
        // The library function's two views.
        const auto cov = ck::ngram_coverage(ck::corpus::from_documents(out), ck::corpus::from_documents(docs), n);
        std::size_t mass = 0;
        for (const auto& [k, c] : rm) mass += xm.count(k) != 0 ? c : 0;
        CHECK(cov.types == double(covered) / double(rm.size()));
        CHECK(cov.tokens == double(mass) / double(cov.reference_total));
        CHECK(cov.reference_distinct == rm.size());
    }
    // The model writes only what its training documents hold: nothing novel at n = 1, 2
    // against those documents, and it covers the head of the corpus.
    CHECK(fm::novelty(1).two(out, head) == 0.0);
    CHECK(fm::novelty(2).two(out, head) == 0.0);
    CHECK(fm::coverage(1).two(head, head) == 1.0);
    CHECK(fm::novelty(3).name == "novelty_3");
    CHECK(fm::coverage(2).name == "coverage_2");
    CHECK_THROWS_WITH_AS(fm::novelty(5), "collapsekit::metrics::novelty: n must lie in 1..4 (got 5)",
                         std::invalid_argument);
    CHECK_THROWS_AS(fm::coverage(0), std::invalid_argument);
    const std::vector<fm::document> single_token(1, fm::document(1, 1));  // no bigram
    CHECK_THROWS_AS(fm::coverage(2).two(single_token, docs), std::invalid_argument);
    CHECK_THROWS_AS(ck::ngram_coverage(ck::ngram_counts(2), ck::ngram_counts(2)), std::invalid_argument);
    CHECK_THROWS_AS(ck::ngram_coverage(ck::ngram_counts(2), ck::ngram_counts(3)), std::invalid_argument);

    // Bound: the same bits or the same exception, for outputs with and without n-grams.
    const std::vector<std::vector<fm::document>> dxs{out, {docs[3]}, {fm::document{}}, {fm::document{0, 1}}, {}};
    for (std::size_t n = 1; n <= 3; ++n) {
        check_bound(fm::novelty(n), docs, dxs);
        check_bound(fm::coverage(n), docs, dxs);
        check_bound(fm::coverage(n), std::vector<fm::document>{fm::document{}}, dxs, false);  // no n-grams
    }

    // Categories: coverage of the present categories, novelty of the tokens.
    const std::vector<std::uint32_t> ref{0, 0, 1, 2, 2, 2};  // 3 absent
    const std::vector<std::uint32_t> gen{0, 3, 3, 1, 0, 0};  // 2 lost, 3 new
    CHECK(fm::token_coverage(4).two(gen, ref) == 2.0 / 3.0);
    CHECK(fm::token_novelty(4).two(gen, ref) == 2.0 / 6.0);
    CHECK(fm::token_novelty(4).two(ref, ref) == 0.0);
    std::vector<std::uint32_t> r, x;
    fb::categorical::zipf(6, 1.3).sample(300, g, r);
    fb::categorical::zipf(6, 2.0).sample(40, g, x);
    const std::vector<std::vector<std::uint32_t>> xs{x, {2}, std::vector<std::uint32_t>(9, 5), {1, 6, 0}, {}};
    check_bound(fm::token_coverage(6), r, xs);
    check_bound(fm::token_novelty(6), r, xs);
    check_bound(fm::token_coverage(6), std::vector<std::uint32_t>{}, xs, false);

    // By name, as Python asks for them.
    CHECK(fm::metric_by_name("novelty_2", lm).name == "novelty_2");
    CHECK(fm::metric_by_name("coverage_4", lm).name == "coverage_4");
    CHECK(fm::metric_by_name("coverage", fb::categorical(4)).name == "coverage");
    CHECK(fm::metric_by_name("novelty", fb::categorical(4)).name == "novelty");
    CHECK_THROWS_AS(fm::metric_by_name("novelty_5", lm), std::invalid_argument);
}
