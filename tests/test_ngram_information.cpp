#include <collapsekit/ngram.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "test_ngram_common.hpp"

namespace ck = collapsekit;

using ngram_test::fixture_corpus;
using ngram_test::make;

namespace {}  // namespace

TEST_CASE("n-gram entropy by hand, with every estimator") {
    // Bigrams 12 23 31 12 | 31 12: counts 3, 1, 2 over N = 6.
    const auto c = make({{1, 2, 3, 1, 2}, {3, 1, 2}});
    const double h = -(0.5 * std::log(0.5) + std::log(1.0 / 6) / 6 + std::log(1.0 / 3) / 3);
    CHECK(ck::ngram_entropy(c, 2).value == doctest::Approx(h).epsilon(1e-14));
    CHECK(ck::ngram_entropy(c, 2, ck::entropy_estimator::plugin, ck::bits).value ==
          doctest::Approx(h / std::log(2.0)).epsilon(1e-14));
    // Miller-Madow: + (K - 1) / (2 N).
    CHECK(ck::ngram_entropy(c, 2, ck::entropy_estimator::miller_madow).value ==
          doctest::Approx(h + 2.0 / 12).epsilon(1e-14));
    const std::vector<std::uint64_t> counts{3, 1, 2};
    for (auto e :
         {ck::entropy_estimator::plugin, ck::entropy_estimator::miller_madow, ck::entropy_estimator::grassberger,
          ck::entropy_estimator::chao_shen, ck::entropy_estimator::james_stein, ck::entropy_estimator::nsb}) {
        CAPTURE(ck::to_string(e));
        const auto got = ck::ngram_entropy(c, 2, e);
        const auto want = ck::entropy_from_counts(counts, e);
        CHECK(got.value == doctest::Approx(want.value).epsilon(1e-12));
        CHECK(ck::ngram_entropy(ck::ngram_counts(c, 2), e).value == doctest::Approx(want.value).epsilon(1e-12));
    }
    CHECK_THROWS_AS(ck::ngram_entropy(c, 9), std::invalid_argument);
    CHECK_THROWS_AS(ck::ngram_entropy(ck::corpus(), 1), std::invalid_argument);
    CHECK_THROWS_WITH_AS(ck::ngram_entropy(ck::ngram_counts(2)), "collapsekit::ngram_entropy: counts is empty",
                         std::invalid_argument);
}

TEST_CASE("n-gram KL and JS by hand, over the union of n-grams") {
    const auto p = make({{1, 2, 1}});  // unigrams 1: 2, 2: 1
    const auto q = make({{1, 3}});     // unigrams 1: 1, 3: 1
    const auto a = ck::align(ck::ngram_counts(p, 1), ck::ngram_counts(q, 1));
    CHECK(a.ids == std::vector<std::uint32_t>{1, 2, 3});
    CHECK(a.p == std::vector<std::uint64_t>{2, 1, 0});
    CHECK(a.q == std::vector<std::uint64_t>{1, 0, 1});
    CHECK(std::isinf(ck::ngram_kl_divergence(p, q, 1)));
    // additive(1): p = (3, 2, 1)/6, q = (2, 1, 2)/5.
    const double kl = 0.5 * std::log((3.0 / 6) / (2.0 / 5)) + (2.0 / 6) * std::log((2.0 / 6) / (1.0 / 5)) +
                      (1.0 / 6) * std::log((1.0 / 6) / (2.0 / 5));
    CHECK(ck::ngram_kl_divergence(p, q, 1, ck::zero_support::additive(1.0)) == doctest::Approx(kl).epsilon(1e-13));
    // JS without smoothing: p = (2/3, 1/3, 0), q = (1/2, 0, 1/2), m = (7/12, 1/6, 1/4).
    const double js = 0.5 * ((2.0 / 3) * std::log((2.0 / 3) / (7.0 / 12)) + (1.0 / 3) * std::log(2.0)) +
                      0.5 * (0.5 * std::log(0.5 / (7.0 / 12)) + 0.5 * std::log(2.0));
    CHECK(ck::ngram_js_divergence(p, q, 1) == doctest::Approx(js).epsilon(1e-13));
    CHECK(ck::ngram_js_divergence(p, p, 1) == 0.0);
    CHECK(ck::ngram_js_divergence(ck::ngram_counts(p, 1), ck::ngram_counts(q, 1)) ==
          doctest::Approx(js).epsilon(1e-13));
    CHECK_THROWS_WITH_AS(ck::ngram_kl_divergence(p, make({{1}}), 2),
                         "collapsekit::ngram_kl_divergence: q has no n-grams of order 2 (every document is shorter "
                         "than n)",
                         std::invalid_argument);
    CHECK_THROWS_AS(ck::align(ck::ngram_counts(p, 1), ck::ngram_counts(q, 2)), std::invalid_argument);
    CHECK_THROWS_AS(ck::ngram_js_divergence(ck::ngram_counts(1), ck::ngram_counts(q, 1)), std::invalid_argument);
}

TEST_CASE("n-gram entropy and divergences agree with the plain-Python reference") {
    collapsekit_test::fixture f("ngram.txt");
    const auto gen = fixture_corpus(f, "gen");
    const auto ref = fixture_corpus(f, "ref");
    for (std::size_t n : {1, 2}) {
        CAPTURE(n);
        const auto sn = std::to_string(n);
        CHECK(ck::ngram_entropy(gen, n).value == doctest::Approx(f.scalar("entropy_plugin_" + sn)).epsilon(1e-13));
        CHECK(std::isinf(ck::ngram_kl_divergence(gen, ref, n)));
        CHECK(std::isinf(f.scalar("kl_none_" + sn)));
        CHECK(ck::ngram_kl_divergence(gen, ref, n, ck::zero_support::additive(0.5)) ==
              doctest::Approx(f.scalar("kl_add05_" + sn)).epsilon(1e-12));
        CHECK(ck::ngram_js_divergence(gen, ref, n) == doctest::Approx(f.scalar("js_none_" + sn)).epsilon(1e-12));
        CHECK(ck::ngram_js_divergence(gen, ref, n, ck::zero_support::additive(0.5)) ==
              doctest::Approx(f.scalar("js_add05_" + sn)).epsilon(1e-12));
    }
}
