#include <collapsekit/ngram.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "parallel_check.hpp"
#include "test_ngram_common.hpp"

namespace ck = collapsekit;
using docs_t = std::vector<std::vector<std::uint32_t>>;

using ngram_test::fixture_corpus;
using ngram_test::make;

namespace {

// Maps ids injectively onto wide 32-bit values, so the same corpus needs 32 bits per id.
ck::corpus widen_ids(const ck::corpus& c) {
    std::vector<std::uint32_t> t = c.tokens();
    for (auto& x : t) x = x * 2654435761u + 0x80000000u;  // odd multiplier: a bijection mod 2^32
    return ck::corpus(std::move(t), c.offsets());
}

// Distinct n-grams by brute force: every n-gram inside a document, sorted and deduplicated.
std::size_t distinct_by_sorting(const ck::corpus& c, std::size_t n) {
    std::vector<std::array<std::uint32_t, ck::max_ngram_order>> all;
    for (std::size_t d = 0; d < c.documents(); ++d) {
        const auto doc = c.document(d);
        for (std::size_t i = 0; i + n <= doc.size(); ++i) {
            std::array<std::uint32_t, ck::max_ngram_order> a{};
            for (std::size_t j = 0; j < n; ++j) a[j] = doc[i + j];
            all.push_back(a);
        }
    }
    std::sort(all.begin(), all.end());
    return static_cast<std::size_t>(std::unique(all.begin(), all.end()) - all.begin());
}

}  // namespace

TEST_CASE("corpus validates its offsets") {
    CHECK(collapsekit_test::error_message([] {
              ck::corpus({1, 2, 3}, {});
          }) == "collapsekit::corpus: offsets is empty (it needs documents + 1 entries, starting at 0)");
    CHECK(collapsekit_test::error_message([] {
              ck::corpus({1, 2, 3}, {1, 3});
          }) == "collapsekit::corpus: offsets must start at 0 (got 1)");
    CHECK(collapsekit_test::error_message([] {
              ck::corpus({1, 2, 3}, {0, 2, 1, 3});
          }) == "collapsekit::corpus: offsets must not decrease (offsets[2] = 1 < offsets[1] = 2)");
    CHECK(collapsekit_test::error_message([] {
              ck::corpus({1, 2, 3}, {0, 4});
          }) == "collapsekit::corpus: offsets run past the end of the tokens (offsets[1] = 4 > 3 tokens)");
    CHECK(collapsekit_test::error_message([] {
              ck::corpus({1, 2, 3}, {0, 2});
          }) == "collapsekit::corpus: offsets must end at the number of tokens (3; got 2)");
    CHECK(collapsekit_test::error_message([] {
              ck::corpus::from_documents(std::vector<std::vector<int>>{{1, -2}});
          }) == "collapsekit::corpus::add_document: ids must lie in [0, 2^32) (ids[1] = -2)");

    const ck::corpus c({4, 5, 6, 7, 8}, {0, 2, 2, 5});
    CHECK(c.documents() == 3);
    CHECK(c.size() == 5);
    CHECK(c.document_length(1) == 0);
    CHECK(c.document(2)[0] == 6);
    CHECK(c.max_id() == 8);
    CHECK(c.ngram_total(2) == 1 + 0 + 2);
    CHECK(ck::corpus().documents() == 0);
}

TEST_CASE("distinct-n by hand, never across document boundaries") {
    const auto c = make({{1, 2, 3, 1, 2}, {3, 1, 2}});
    // Bigrams: doc 0: 12 23 31 12; doc 1: 31 12. 6 bigrams, 3 distinct; "2 3" spanning
    // the boundary would be a 4th.
    CHECK(ck::distinct_n(c, 2) == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(ck::distinct_ngrams(c, 2) == 3);
    CHECK(ck::distinct_n(c, 2, ck::distinct_average::document) == doctest::Approx(0.875).epsilon(1e-15));
    CHECK(ck::distinct_n(c, 1) == doctest::Approx(3.0 / 8).epsilon(1e-15));
    CHECK(ck::type_token_ratio(c) == doctest::Approx(3.0 / 8).epsilon(1e-15));
    // The concatenation as one document has a bigram across the former boundary.
    const auto joined = make({{1, 2, 3, 1, 2, 3, 1, 2}});
    CHECK(ck::distinct_ngrams(joined, 2) == 3);
    CHECK(ck::distinct_n(joined, 2) == doctest::Approx(3.0 / 7).epsilon(1e-15));
    const auto apart = make({{1, 2}, {3, 4}});
    CHECK(ck::distinct_ngrams(apart, 2) == 2);  // no "2 3"

    // Documents shorter than n contribute nothing (also to the macro average).
    const auto shorts = make({{7}, {}, {1, 2, 1, 2}, {9, 9}});
    CHECK(ck::corpus(shorts).ngram_total(3) == 2);
    CHECK(ck::distinct_n(shorts, 3) == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(ck::distinct_n(shorts, 2, ck::distinct_average::document) ==
          doctest::Approx((2.0 / 3 + 1.0) / 2).epsilon(1e-15));
    CHECK(ck::distinct_n(make({{5}}), 1) == 1.0);
}

TEST_CASE("bad input to the measures") {
    const auto c = make({{1, 2, 3}});
    CHECK(collapsekit_test::error_message([&] { ck::distinct_n(c, 0); }) ==
          "collapsekit::distinct_n: n must lie in 1..8 (got 0)");
    CHECK(collapsekit_test::error_message([&] { ck::distinct_n(c, 9); }) ==
          "collapsekit::distinct_n: n must lie in 1..8 (got 9)");
    CHECK(collapsekit_test::error_message([&] { ck::distinct_n(ck::corpus(), 1); }) ==
          "collapsekit::distinct_n: corpus is empty");
    CHECK(collapsekit_test::error_message([&] {
              ck::distinct_n(make({{}, {}}), 1);
          }) == "collapsekit::distinct_n: corpus is empty");
    CHECK(collapsekit_test::error_message([&] { ck::distinct_n(c, 4); }) ==
          "collapsekit::distinct_n: corpus has no n-grams of order 4 (every document is shorter than n)");
    CHECK_THROWS_AS(ck::repetition_rate(c, 0), std::invalid_argument);
    CHECK_THROWS_AS(ck::ngram_counts(9), std::invalid_argument);
    CHECK_THROWS_AS(ck::hyperloglog(0), std::invalid_argument);
    CHECK_THROWS_AS(ck::hyperloglog(2, 3), std::invalid_argument);
    CHECK_THROWS_AS(ck::hyperloglog(2, 19), std::invalid_argument);
    CHECK(collapsekit_test::error_message([&] { ck::mattr(c, 0); }) == "collapsekit::mattr: window must be at least 1");
    CHECK(collapsekit_test::error_message([&] { ck::mattr(c, 4); }) ==
          "collapsekit::mattr: corpus has no document of at least window = 4 tokens");
    CHECK(collapsekit_test::error_message([&] { ck::mtld(c, 1.0); }) ==
          "collapsekit::mtld: threshold must lie in (0, 1) (got 1)");
    CHECK_THROWS_AS(ck::mtld(ck::corpus(), 0.72), std::invalid_argument);
    CHECK_THROWS_AS(ck::zipf_exponent(make({{4, 4, 4}})), std::domain_error);
    CHECK(collapsekit_test::error_message([&] { ck::novelty(c, ck::corpus(), 1); }) ==
          "collapsekit::novelty: reference is empty");
    CHECK(collapsekit_test::error_message([&] { ck::novelty(make({{1}}), c, 2); }) ==
          "collapsekit::novelty: generated has no n-grams of order 2 (every document is shorter than n)");
    CHECK(collapsekit_test::error_message([&] {
              ck::self_bleu(make({{1, 2}, {}}));
          }) == "collapsekit::self_bleu: corpus needs at least two non-empty documents (got 1)");
    ck::self_bleu_options o;
    o.max_order = 0;
    CHECK(collapsekit_test::error_message([&] {
              ck::self_bleu(make({{1, 2}, {3}}), o);
          }) == "collapsekit::self_bleu: max_order must lie in 1..8 (got 0)");
    o.max_order = 4;
    o.epsilon = 0;
    CHECK_THROWS_AS(ck::self_bleu(make({{1, 2}, {3}}), o), std::invalid_argument);
    CHECK(collapsekit_test::error_message([&] {
              ck::self_bleu_sampled(make({{1, 2}, {3}, {4}}), 4, 1);
          }) == "collapsekit::self_bleu_sampled: sample_size must lie in 2..3 (got 4)");
}

TEST_CASE("keys never collide: 64-bit, 128-bit and full-sequence packing agree") {
    collapsekit_test::fixture f("ngram.txt");
    const auto c = fixture_corpus(f, "gen");
    const auto wide = widen_ids(c);  // 32 bits per id: n = 2 fills 64 bits, n = 3..4 use 128, n >= 5 sequences
    for (std::size_t n = 1; n <= 8; ++n) {
        CAPTURE(n);
        CHECK(ck::distinct_ngrams(c, n) == static_cast<std::size_t>(f.scalar("unique_" + std::to_string(n))));
        CHECK(ck::distinct_ngrams(wide, n) == ck::distinct_ngrams(c, n));
        CHECK(ck::repetition_rate(wide, std::min<std::size_t>(n, 8)) == ck::repetition_rate(c, n));
        const ck::ngram_counts a(c, n), b(wide, n);
        CHECK(a.distinct() == b.distinct());
        CHECK(a.total() == b.total());
        CHECK(a.total() == static_cast<std::uint64_t>(f.scalar("total_" + std::to_string(n))));
    }
    // The key that marks empty slots is itself a valid n-gram (all ids 2^32 - 1).
    const std::uint32_t top = 0xFFFFFFFFu;
    for (std::size_t n : {1, 2, 3, 5, 8}) {
        CAPTURE(n);
        std::vector<std::uint32_t> doc(n + 1, top);
        doc[0] = 0;
        const auto e = make({doc, std::vector<std::uint32_t>(n, top)});
        CHECK(ck::distinct_ngrams(e, n) == 2);  // (0, top, ...) and (top, ..., top)
        const ck::ngram_counts t(e, n);
        CHECK(t.count(std::vector<std::uint32_t>(n, top)) == 2);
        CHECK(t.distinct() == 2);
    }
    // Prefix-like sequences that a careless packing would confuse.
    const auto p = make({{1, 0}, {0, 1}, {0, 0}, {1, 1}});
    CHECK(ck::distinct_ngrams(p, 2) == 4);
}

TEST_CASE("ngram_counts: lookups, merge equals counting the concatenation, serialisation") {
    const auto a = make({{1, 2, 3, 1, 2}, {3, 1, 2}});
    ck::ngram_counts t(a, 2);
    CHECK(t.order() == 2);
    CHECK(t.total() == 6);
    CHECK(t.distinct() == 3);
    CHECK(t.count(std::vector<int>{1, 2}) == 3);
    CHECK(t.count(std::vector<int>{3, 1}) == 2);
    CHECK(t.count(std::vector<int>{2, 3}) == 1);
    CHECK(t.count(std::vector<int>{3, 2}) == 0);
    CHECK(t.count(std::vector<int>{1}) == 0);
    CHECK(t.count(std::vector<std::uint32_t>{70000, 1}) == 0);
    const auto e = t.sorted();
    CHECK(e.ids == std::vector<std::uint32_t>{1, 2, 2, 3, 3, 1});
    CHECK(e.counts == std::vector<std::uint64_t>{3, 1, 2});

    // Shards with different id widths (forcing a re-packing) merge exactly.
    collapsekit_test::fixture f("ngram.txt");
    const auto gen = fixture_corpus(f, "gen");
    const auto ref = widen_ids(fixture_corpus(f, "ref"));
    for (std::size_t n : {1, 2, 3, 4, 6}) {
        CAPTURE(n);
        ck::corpus both = gen;
        for (std::size_t d = 0; d < ref.documents(); ++d) both.add_document(ref.document(d));
        ck::ngram_counts whole(both, n), left(gen, n), right(ref, n);
        left += right;
        CHECK(left == whole);
        CHECK(left.serialize() == whole.serialize());
        ck::ngram_counts other_way(ref, n);
        other_way += ck::ngram_counts(gen, n);
        CHECK(other_way == whole);
        const auto back = ck::ngram_counts::deserialize(whole.serialize());
        CHECK(back == whole);
        CHECK(back.total() == both.ngram_total(n));
        CHECK(whole.distinct() == ck::distinct_ngrams(both, n));
    }
    ck::ngram_counts g2(gen, 2);
    CHECK_THROWS_AS(g2 += ck::ngram_counts(gen, 3), std::invalid_argument);
    ck::ngram_counts manual(2);
    manual.add_ngram(std::vector<int>{1, 2}, 3);
    manual.add_document(std::vector<int>{2, 3, 1});
    manual.add_ngram(std::vector<int>{3, 1});
    CHECK(manual == t);
    CHECK(collapsekit_test::error_message([&] { manual.add_ngram(std::vector<int>{1}); }) ==
          "collapsekit::ngram_counts::add_ngram: ids must hold n = 2 ids (got 1)");

    // Corrupted bytes are refused with a reason.
    auto bytes = t.serialize();
    CHECK(bytes.size() == 28 + 3 * (2 * 4 + 8));
    auto bad = bytes;
    bad[0] = 'X';
    CHECK(collapsekit_test::error_message([&] { ck::ngram_counts::deserialize(bad); }) ==
          "collapsekit::ngram_counts::deserialize: bytes do not start with the magic \"CKNG\"");
    bad = bytes;
    bad[4] = 2;
    CHECK(collapsekit_test::error_message([&] { ck::ngram_counts::deserialize(bad); }) ==
          "collapsekit::ngram_counts::deserialize: version 2 is not supported (this build reads version 1)");
    bad = bytes;
    bad.pop_back();
    CHECK(collapsekit_test::error_message([&] { ck::ngram_counts::deserialize(bad); }) ==
          "collapsekit::ngram_counts::deserialize: bytes are truncated or have trailing data");
    bad = bytes;
    bad[8] = 0;
    CHECK_THROWS_AS(ck::ngram_counts::deserialize(bad), std::invalid_argument);
    bad = bytes;
    bad[12] = 7;  // total
    CHECK(collapsekit_test::error_message([&] { ck::ngram_counts::deserialize(bad); }) ==
          "collapsekit::ngram_counts::deserialize: total 7 disagrees with the sum of counts 6");
    bad = bytes;
    for (int i = 0; i < 8; ++i) bad[28 + 8 + i] = 0;  // first entry's count
    CHECK_THROWS_AS(ck::ngram_counts::deserialize(bad), std::invalid_argument);
    CHECK_THROWS_AS(ck::ngram_counts::deserialize(std::vector<std::uint8_t>{'C', 'K'}), std::invalid_argument);
    const ck::ngram_counts empty(3);
    CHECK(ck::ngram_counts::deserialize(empty.serialize()) == empty);
}

TEST_CASE("repetition rate, MATTR and MTLD by hand") {
    // doc 0 unigrams 1 2 1 1: two repeats; doc 1: 1 (not a repeat: other document).
    const auto c = make({{1, 2, 1, 1}, {1}});
    CHECK(ck::repetition_rate(c, 1) == doctest::Approx(2.0 / 5).epsilon(1e-15));
    CHECK(ck::repetition_rate(c, 2) == doctest::Approx(0.0).epsilon(1e-15));
    CHECK(ck::repetition_rate(make({{1, 2, 1, 2, 1}}), 2) == doctest::Approx(2.0 / 4).epsilon(1e-15));

    // Windows of 3 in [1 2 1 1 3]: {1,2,1}: 2, {2,1,1}: 2, {1,1,3}: 2; doc [4 5 6]: 3;
    // the 2-token document has no window.
    const auto m = make({{1, 2, 1, 1, 3}, {4, 5}, {4, 5, 6}});
    CHECK(ck::mattr(m, 3) == doctest::Approx((2 + 2 + 2 + 3) / (4.0 * 3)).epsilon(1e-15));
    CHECK(ck::mattr(m, 1) == 1.0);

    // MTLD forward on [1 2 3 1 2]: TTR 1 1 1 .75 .6 -> one factor at the 5th token; the
    // second document [3 1 2] is all distinct (partial factor 0): 8 tokens / 1 factor.
    CHECK(ck::mtld(make({{1, 2, 3, 1, 2}, {3, 1, 2}})) == doctest::Approx(8.0).epsilon(1e-15));
    // [1 1 2]: forward TTR 1, .5 -> factor; rest [2] TTR 1 -> 0; backward [2 1 1]: 1, 1,
    // 2/3 -> factor. Both passes 3 / 1.
    CHECK(ck::mtld(make({{1, 1, 2}})) == doctest::Approx(3.0).epsilon(1e-15));
    // Partial factor: [1 2 1] with threshold 0.5: TTR 1, 1, 2/3 never <= .5;
    // partial (1 - 2/3) / (1 - .5) = 2/3 both ways: MTLD = 3 / (2/3) = 4.5.
    CHECK(ck::mtld(make({{1, 2, 1}}), 0.5) == doctest::Approx(4.5).epsilon(1e-14));
    // All tokens distinct: no factor at all.
    CHECK(std::isinf(ck::mtld(make({{1, 2, 3}}))));
    // +inf exactly when no document repeats a token (documented): across documents a
    // token may recur ({1, 2} and {2, 1}), one-token documents never repeat.
    CHECK(ck::mtld(make({{1, 2}, {2, 1}, {7}})) == std::numeric_limits<double>::infinity());
    CHECK(ck::mtld(make({{7}}), 0.5) == std::numeric_limits<double>::infinity());
    // One repeat anywhere: finite. [1 2 ... 9 1] forward: TTR 9/10 > .72 at the end, partial
    // (1 - .9) / .28, backward the same; the other documents add tokens but no factor:
    // MTLD = 14 tokens / (.1 / .28) = 39.2.
    CHECK(ck::mtld(make({{1, 2}, {2, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 1}})) ==
          doctest::Approx(14.0 / (0.1 / 0.28)).epsilon(1e-12));
}

TEST_CASE("Zipf exponent by hand") {
    // Two types with frequencies f1 >= f2: the MLE solves 2^-s = f2 / f1.
    auto c = make({{1, 1, 1, 1, 1, 1, 1, 1, 2, 2}});
    const auto z = ck::zipf_exponent(c);
    CHECK(z.value == doctest::Approx(2.0).epsilon(1e-12));
    CHECK(z.n == 10);
    // Var[log r] under s = 2: Bernoulli(1/5) times log 2.
    const double var = 0.2 * 0.8 * std::log(2.0) * std::log(2.0);
    CHECK(z.standard_error == doctest::Approx(1 / std::sqrt(10 * var)).epsilon(1e-10));
    // Equal frequencies: s = 0.
    CHECK(ck::zipf_exponent(make({{1, 2, 3}, {3, 2, 1}})).value == 0.0);
    // Bigrams: "1 2" twice, "2 1" once: s = log2(2).
    CHECK(ck::zipf_exponent(make({{1, 2, 1, 2}}), 2).value == doctest::Approx(1.0).epsilon(1e-12));
}

TEST_CASE("novelty by hand") {
    const auto ref = make({{1, 2, 3}});
    const auto gen = make({{1, 2, 4, 1, 2}, {3, 3}});
    // Bigrams of gen: 12 24 41 12 | 33; in ref: 12 23. Absent: 24 41 33 (3 of 5 tokens,
    // 3 of 4 types).
    const auto r = ck::novelty(gen, ref, 2);
    CHECK(r.tokens == doctest::Approx(3.0 / 5).epsilon(1e-15));
    CHECK(r.types == doctest::Approx(3.0 / 4).epsilon(1e-15));
    CHECK(r.total == 5);
    CHECK(r.distinct == 4);
    const auto rc = ck::novelty(ck::ngram_counts(gen, 2), ck::ngram_counts(ref, 2));
    CHECK(rc.tokens == r.tokens);
    CHECK(rc.types == r.types);
    // A reference shorter than n makes everything novel; unigrams: only 4 is new.
    CHECK(ck::novelty(gen, make({{1}}), 2).tokens == 1.0);
    CHECK(ck::novelty(gen, ref, 1).tokens == doctest::Approx(1.0 / 7).epsilon(1e-15));
    CHECK(ck::novelty(gen, ref, 1).types == doctest::Approx(1.0 / 4).epsilon(1e-15));
    CHECK_THROWS_AS(ck::novelty(ck::ngram_counts(gen, 2), ck::ngram_counts(ref, 1)), std::invalid_argument);
}

TEST_CASE("self-BLEU by hand") {
    ck::self_bleu_options o;
    CHECK(ck::self_bleu(make({{1, 2, 3, 4}, {1, 2, 3, 4}}), o) == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(ck::self_bleu(make({{1, 2}, {3, 4}}), o) == 0.0);
    // BLEU-1: A = 1 2 3 4 matches 1 2 of B (p1 = 1/2, closest length 4, BP = 1); B likewise;
    // C = 7 8 matches nothing. Empty documents take no part.
    o.max_order = 1;
    const auto c = make({{1, 2, 3, 4}, {}, {1, 2, 5, 6}, {7, 8}});
    CHECK(ck::self_bleu(c, o) == doctest::Approx(1.0 / 3).epsilon(1e-15));
    const auto per = ck::self_bleu_per_document(c, o);
    CHECK(per[0] == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(std::isnan(per[1]));
    CHECK(per[3] == 0.0);
    // Clipping: hypothesis 1 1 1 1 against references 1 1 and 2 2 (closest length 2 < 4,
    // BP = 1): clipped unigram matches 2 (the max over references), p1 = 2/4.
    const auto clip = ck::self_bleu_per_document(make({{1, 1, 1, 1}, {1, 1}, {2, 2}}), o);
    CHECK(clip[0] == doctest::Approx(0.5).epsilon(1e-15));
    // Brevity: hypothesis 1 1 (length 2) against 1 1 1 1 and 2 2 2 2 2: p1 = 1, r* = 4,
    // BP = exp(1 - 4/2).
    const auto brief = ck::self_bleu_per_document(make({{1, 1}, {1, 1, 1, 1}, {2, 2, 2, 2, 2}}), o);
    CHECK(brief[0] == doctest::Approx(std::exp(-1.0)).epsilon(1e-14));
    // Closest reference length on a tie is the shorter: 1 1 1 against lengths 2 and 4.
    const auto tie = ck::self_bleu_per_document(make({{1, 1, 1}, {1, 1}, {1, 1, 1, 1}}), o);
    CHECK(tie[0] == 1.0);  // r* = 2 < 3: no penalty
    // BLEU-2 with smoothing: A = 1 2 3, B = 3 2 1: p1 = 1, no bigram matches.
    o.max_order = 2;
    const auto ab = make({{1, 2, 3}, {3, 2, 1}});
    o.smoothing = ck::bleu_smoothing::none;
    CHECK(ck::self_bleu(ab, o) == 0.0);
    o.smoothing = ck::bleu_smoothing::epsilon;
    CHECK(ck::self_bleu(ab, o) == doctest::Approx(std::sqrt(0.1 / 2)).epsilon(1e-14));
    o.smoothing = ck::bleu_smoothing::add_one;
    CHECK(ck::self_bleu(ab, o) == doctest::Approx(std::sqrt(1.0 / 3)).epsilon(1e-14));
}

TEST_CASE("self-BLEU: exact leave-one-out and the sampled estimate") {
    collapsekit_test::fixture f("ngram.txt");
    const auto c = fixture_corpus(f, "gen");
    const std::pair<const char*, ck::bleu_smoothing> kinds[] = {{"epsilon", ck::bleu_smoothing::epsilon},
                                                                {"none", ck::bleu_smoothing::none},
                                                                {"add_one", ck::bleu_smoothing::add_one}};
    for (const auto& kind : kinds) {
        for (std::size_t order : {1, 2, 4}) {
            CAPTURE(kind.first);
            CAPTURE(order);
            ck::self_bleu_options o;
            o.max_order = order;
            o.smoothing = kind.second;
            const auto& expect = f[std::string("self_bleu_") + kind.first + "_" + std::to_string(order)];
            const auto got = ck::self_bleu_per_document(c, o);
            REQUIRE(got.size() == expect.size());
            double sum = 0;
            std::size_t k = 0;
            for (std::size_t d = 0; d < got.size(); ++d) {
                CAPTURE(d);
                if (std::isnan(expect[d])) {
                    CHECK(std::isnan(got[d]));
                    continue;
                }
                CHECK(got[d] == doctest::Approx(expect[d]).epsilon(1e-12));
                sum += expect[d];
                ++k;
            }
            CHECK(ck::self_bleu(c, o) == doctest::Approx(sum / double(k)).epsilon(1e-12));
            // The same with wide ids (128-bit keys for order 3..4).
            CHECK(ck::self_bleu(widen_ids(c), o) == doctest::Approx(sum / double(k)).epsilon(1e-12));
        }
    }
    const double exact = ck::self_bleu(c);
    std::size_t docs = 0;  // non-empty documents of the fixture
    for (std::size_t d = 0; d < c.documents(); ++d) docs += c.document_length(d) > 0;
    const auto all = ck::self_bleu_sampled(c, docs, 5);
    CHECK(all.value == doctest::Approx(exact).epsilon(1e-12));
    CHECK(all.standard_error == 0.0);
    CHECK(all.n == docs);
    int within = 0;
    for (std::uint64_t seed = 0; seed < 40; ++seed) {
        const auto s = ck::self_bleu_sampled(c, 20, seed);
        CHECK(s.n == 20);
        CHECK(s.standard_error > 0);
        within += std::abs(s.value - exact) <= 2 * s.standard_error;
    }
    // About 95 % of 40 should fall within 2 standard errors; 30 is far in the tail.
    CHECK(within >= 30);
    CHECK(ck::self_bleu_sampled(c, 20, 7).value == ck::self_bleu_sampled(c, 20, 7).value);
}

TEST_CASE("agreement with the plain-Python reference on a Zipf corpus") {
    collapsekit_test::fixture f("ngram.txt");
    const auto c = fixture_corpus(f, "gen");
    const auto ref = fixture_corpus(f, "ref");
    for (std::size_t n = 1; n <= 8; ++n) {
        CAPTURE(n);
        CHECK(ck::distinct_n(c, n) == doctest::Approx(f.scalar("distinct_" + std::to_string(n))).epsilon(1e-15));
    }
    for (std::size_t n = 1; n <= 4; ++n) {
        CAPTURE(n);
        const auto sn = std::to_string(n);
        CHECK(ck::distinct_n(c, n, ck::distinct_average::document) ==
              doctest::Approx(f.scalar("distinct_doc_" + sn)).epsilon(1e-13));
        CHECK(ck::repetition_rate(c, n) == doctest::Approx(f.scalar("repetition_" + sn)).epsilon(1e-15));
    }
    CHECK(ck::type_token_ratio(c) == doctest::Approx(f.scalar("ttr")).epsilon(1e-15));
    for (std::size_t w : {1, 10, 25}) {
        CHECK(ck::mattr(c, w) == doctest::Approx(f.scalar("mattr_" + std::to_string(w))).epsilon(1e-14));
    }
    CHECK(ck::mtld(c) == doctest::Approx(f.scalar("mtld_072")).epsilon(1e-12));
    CHECK(ck::mtld(c, 0.5) == doctest::Approx(f.scalar("mtld_050")).epsilon(1e-12));
    CHECK(ck::mtld(c, 0.9) == doctest::Approx(f.scalar("mtld_090")).epsilon(1e-12));
    for (std::size_t n : {1, 2}) {
        const auto& z = f["zipf_" + std::to_string(n)];
        const auto got = ck::zipf_exponent(c, n);
        CHECK(got.value == doctest::Approx(z[0]).epsilon(1e-10));
        CHECK(got.standard_error == doctest::Approx(z[1]).epsilon(1e-8));
    }
    for (std::size_t n : {1, 2, 3}) {
        const auto& nv = f["novelty_" + std::to_string(n)];
        const auto got = ck::novelty(c, ref, n);
        CHECK(got.tokens == doctest::Approx(nv[0]).epsilon(1e-15));
        CHECK(got.types == doctest::Approx(nv[1]).epsilon(1e-15));
    }
}

TEST_CASE("HyperLogLog: error within 3 standard errors, merge, serialisation") {
    // Distinct random 64-bit items (their hashes), many seeds, several cardinalities
    // on both sides of the switch to linear counting (2.5 m = 10240 for p = 12).
    const unsigned p = 12;
    const double rse = 1.04 / std::sqrt(4096.0);
    for (const auto est : {ck::hll_estimator::classic, ck::hll_estimator::ertl}) {
        for (std::size_t card : {1000, 8000, 30000, 200000}) {
            CAPTURE(card);
            double sum_err = 0, sum_sq = 0;
            int beyond3 = 0;
            const int seeds = 24;
            for (int s = 0; s < seeds; ++s) {
                ck::hyperloglog h(1, p);
                ck::rng g(static_cast<std::uint64_t>(s) * 1000 + card);
                for (std::size_t i = 0; i < card; ++i) h.add_hash(ck::detail::mix64(g()));
                const double err = h.cardinality(est).value / static_cast<double>(card) - 1.0;
                sum_err += err;
                sum_sq += err * err;
                beyond3 += std::abs(err) > 3 * rse;
            }
            CHECK(beyond3 == 0);
            // No bias beyond 3 standard errors of the mean of `seeds` runs.
            CHECK(std::abs(sum_err / seeds) <= 3 * rse / std::sqrt(double(seeds)));
            // The spread is at most the stated standard error (with sampling slack).
            CHECK(std::sqrt(sum_sq / seeds) <= 1.4 * rse);
        }
    }
    CHECK(ck::hyperloglog(1).cardinality().value == 0.0);
    CHECK(ck::hyperloglog(1).cardinality(ck::hll_estimator::ertl).value == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(ck::hyperloglog(1).relative_standard_error() == doctest::Approx(0.008125).epsilon(1e-12));

    collapsekit_test::fixture f("ngram.txt");
    const auto gen = fixture_corpus(f, "gen");
    const auto ref = fixture_corpus(f, "ref");
    for (std::size_t n : {1, 2, 3, 5}) {
        CAPTURE(n);
        ck::corpus both = gen;
        for (std::size_t d = 0; d < ref.documents(); ++d) both.add_document(ref.document(d));
        ck::hyperloglog whole(n), left(n), right(n);
        whole.add(both);
        left.add(gen);
        right.add(ref);
        left += right;
        CHECK(left == whole);  // merge equals counting the concatenation, register for register
        // Small cardinalities: linear counting is far more precise than 0.81 %.
        const double exact = static_cast<double>(ck::distinct_ngrams(both, n));
        CHECK(std::abs(whole.cardinality().value - exact) <= 3 * whole.cardinality().standard_error);
        const auto back = ck::hyperloglog::deserialize(whole.serialize());
        CHECK(back == whole);
        // Sketches of wide-id corpora differ (other n-grams), but have the same count.
        ck::hyperloglog w(n);
        w.add(widen_ids(both));
        CHECK(std::abs(w.cardinality().value - exact) <= 3 * w.cardinality().standard_error);
    }
    ck::hyperloglog a(2), b(3), c(2, 10);
    CHECK_THROWS_AS(a += b, std::invalid_argument);
    CHECK_THROWS_AS(a += c, std::invalid_argument);
    auto bytes = a.serialize();
    CHECK(bytes.size() == 16 + 16384);
    bytes[20] = 60;
    CHECK(collapsekit_test::error_message([&] { ck::hyperloglog::deserialize(bytes); }) ==
          "collapsekit::hyperloglog::deserialize: register 4 holds an impossible value");
    bytes.pop_back();
    CHECK(collapsekit_test::error_message([&] { ck::hyperloglog::deserialize(bytes); }) ==
          "collapsekit::hyperloglog::deserialize: bytes are truncated or have trailing data");
    bytes[0] = 0;
    CHECK_THROWS_AS(ck::hyperloglog::deserialize(bytes), std::invalid_argument);
}

TEST_CASE("distinct counting: bitmap, hash-partitioned and flat set paths agree with the count table") {
    // 300 000 tokens over a million ids (20 bits): n = 1 takes the bitmap, n = 2..3 hash
    // partitioning (past the filtered counter's 1 MiB), n = 4 uses 128-bit keys in a flat set.
    ck::rng g(11);
    ck::corpus c;
    std::vector<std::uint32_t> doc;
    for (int d = 0; d < 600; ++d) {
        doc.resize(static_cast<std::size_t>(g.below(1000)));
        for (auto& x : doc) x = static_cast<std::uint32_t>(g.below(1u << 20));
        if (d % 7 == 0 && doc.size() > 10) doc[5] = doc[3], doc[6] = doc[4];  // some repeats
        c.add_document(doc);
    }
    // The all-zero n-gram packs to key 0, whose hash is 0: the value that marks empty slots.
    c.add_document(std::vector<std::uint32_t>(9, 0));
    for (std::size_t n = 1; n <= 4; ++n) {
        CAPTURE(n);
        const ck::ngram_counts t(c, n);
        CHECK(ck::distinct_ngrams(c, n) == t.distinct());
        CHECK(t.total() == c.ngram_total(n));
        CHECK(ck::distinct_n(c, n) == doctest::Approx(double(t.distinct()) / double(t.total())).epsilon(1e-15));
    }
    CHECK(ck::distinct_ngrams(c, 2) > 65536);
}

TEST_CASE("distinct counting: every key width and size, against sorting") {
    // Widths n * bits: <= 20 a byte per key, 21..26 a bit per key, 27..32 32-bit hashes,
    // 33..64 64-bit hashes, beyond that the flat set. Sizes run from one n-gram past the
    // points where the partitioned counter adds buckets (2^11 and 2^10 n-grams each).
    ck::rng g(5);
    struct shape {
        std::uint32_t max_id;
        std::size_t doc_len;
    };
    const shape shapes[] = {{3, 20},
                            {1000, 7},
                            {(1u << 13) - 1, 20},
                            {(1u << 16) - 1, 1},
                            {(1u << 16) - 1, 3},
                            {(1u << 20) + 5, 50},
                            {0xFFFFFFFFu, 9}};
    const std::size_t sizes[] = {1, 2, 31, 2047, 2049, 4097, 20000, 70001};
    for (const shape& sh : shapes) {
        for (std::size_t tokens : sizes) {
            // Zipf-like repeats: a few ids take most of the mass, the rest spread to max_id.
            ck::corpus c;
            std::vector<std::uint32_t> doc;
            std::size_t left = tokens;
            while (left > 0) {
                doc.resize(std::min<std::size_t>(left, 1 + static_cast<std::size_t>(g.below(2 * sh.doc_len))));
                left -= doc.size();
                for (auto& x : doc) {
                    x = g.below(4) == 0
                            ? static_cast<std::uint32_t>(g.below(std::uint64_t{sh.max_id} + 1))
                            : static_cast<std::uint32_t>(g.below(std::min<std::uint64_t>(sh.max_id, 6) + 1));
                }
                c.add_document(doc);
                if (g.below(5) == 0) c.add_document(std::vector<std::uint32_t>{});
            }
            c.add_document(std::vector<std::uint32_t>{sh.max_id});
            for (std::size_t n = 1; n <= 8; ++n) {
                CAPTURE(sh.max_id);
                CAPTURE(tokens);
                CAPTURE(n);
                CHECK(ck::distinct_ngrams(c, n) == distinct_by_sorting(c, n));
            }
        }
    }
}

TEST_CASE("distinct counting: adversarial corpora") {
    const std::uint32_t tops[] = {0, 1, 100, 0xFFFFu, 1u << 16, (1u << 20) + 1, 0xFFFFFFFFu};
    for (std::uint32_t top : tops) {
        for (std::size_t n = 1; n <= 8; ++n) {
            CAPTURE(top);
            CAPTURE(n);
            // One id over and over, in long and in short documents, with the largest id
            // once so that the key width is the one under test.
            auto c = make({std::vector<std::uint32_t>(5000, top / 2), {top}, std::vector<std::uint32_t>(n, top / 2)});
            CHECK(ck::distinct_ngrams(c, n) == distinct_by_sorting(c, n));
            // Sorted and reverse-sorted runs of the ids below 4096 (capped by top).
            std::vector<std::uint32_t> up;
            for (std::uint32_t i = 0; i < 4096 && i <= top; ++i) up.push_back(i);
            const std::vector<std::uint32_t> down(up.rbegin(), up.rend());
            c = make({up, down, up, {top}});
            CHECK(ck::distinct_ngrams(c, n) == distinct_by_sorting(c, n));
            // Every document shorter than n but one, the all-zero n-gram (key 0, hash 0).
            c = make({std::vector<std::uint32_t>(n - 1, 7),
                      {},
                      std::vector<std::uint32_t>(n, 0),
                      std::vector<std::uint32_t>(n - 1, top)});
            CHECK(ck::distinct_ngrams(c, n) == 1);
            // No n-gram at all: 0, or for n = 1 (no token at all) an empty corpus.
            c = make({std::vector<std::uint32_t>(n - 1, top), {}});
            if (n == 1) {
                CHECK_THROWS_AS(ck::distinct_ngrams(c, n), std::invalid_argument);
            } else {
                CHECK(ck::distinct_ngrams(c, n) == 0);
            }
            // A counter running through the ids: almost every n-gram distinct.
            std::vector<std::uint32_t> count_up;
            for (std::uint32_t i = 0; i < 30000; ++i)
                count_up.push_back(top == 0xFFFFFFFFu ? i * 7919u : i % (top + 1));
            c = make({count_up, {top}});
            CHECK(ck::distinct_ngrams(c, n) == distinct_by_sorting(c, n));
        }
    }
    // An empty corpus is an error, as for every n-gram measure (DESIGN.md: empty input
    // throws); documents without tokens make an empty corpus too.
    CHECK(collapsekit_test::error_message([] { ck::distinct_ngrams(ck::corpus(), 2); }) ==
          "collapsekit::distinct_ngrams: corpus is empty");
    CHECK(collapsekit_test::error_message([] {
              ck::distinct_ngrams(make({{}, {}}), 1);
          }) == "collapsekit::distinct_ngrams: corpus is empty");
    CHECK(collapsekit_test::error_message([] { ck::distinct_n(ck::corpus(), 2); }) ==
          "collapsekit::distinct_n: corpus is empty");
}

TEST_CASE("distinct counting: hashes that share their home slot and filter slot") {
    // Bigrams (a, 1) whose hashes agree in their low 12 bits (the filter slot and the
    // home slot of every table this small corpus gets), repeated in turn so that each
    // repeat passes the filter and all but the first meet another hash at home.
    for (unsigned bits : {16u, 17u}) {
        CAPTURE(bits);
        std::vector<std::vector<std::uint32_t>> by_slot(4096);
        std::vector<std::uint32_t> group;
        for (std::uint32_t a = 0; a < 65536 && group.empty(); ++a) {
            const std::uint64_t key = (std::uint64_t{a} << bits) | 1u;
            const std::uint64_t h =
                bits == 16 ? ck::detail::mix32(static_cast<std::uint32_t>(key)) : ck::detail::mix64(key);
            auto& ids = by_slot[h & 4095];
            ids.push_back(a);
            if (ids.size() == 4) group = ids;
        }
        REQUIRE(group.size() == 4);
        docs_t docs{{(1u << bits) - 1}};  // fixes the width at bits per id
        for (int round = 0; round < 5; ++round) {
            for (std::uint32_t a : group) docs.push_back({a, 1});
        }
        CHECK(ck::distinct_ngrams(make(docs), 2) == 4);
        docs.push_back({group[3], 1, group[2], 1, group[1], 1, group[0], 1});
        CHECK(ck::distinct_ngrams(make(docs), 2) == distinct_by_sorting(make(docs), 2));
    }
}

TEST_CASE("distinct counting: the filtered counter and the partitioned counter agree") {
    // Large inputs leave the filtered counter for hash partitioning; a
    // zero byte budget forces that path on a small corpus, a huge one the other.
    ck::rng g(3);
    for (std::uint32_t max_id : {1000u, (1u << 16) - 1, (1u << 20) + 3}) {
        ck::corpus c;
        std::vector<std::uint32_t> doc;
        for (int d = 0; d < 6000; ++d) {
            doc.resize(static_cast<std::size_t>(g.below(30)));
            for (auto& x : doc) x = static_cast<std::uint32_t>(g.below(g.below(3) == 0 ? max_id + 1 : 20));
            c.add_document(doc);
        }
        c.add_document(std::vector<std::uint32_t>{max_id});
        c.add_document(std::vector<std::uint32_t>(8, 0));  // the all-zero n-gram: hash 0
        const unsigned bits = ck::detail::bits_for_max_id(max_id);
        for (std::size_t n = 1; n <= 8; ++n) {
            CAPTURE(max_id);
            CAPTURE(n);
            const std::size_t expected = distinct_by_sorting(c, n);
            CHECK(ck::detail::count_distinct(c, n, bits, c.ngram_total(n), 0) == expected);
            CHECK(ck::detail::count_distinct(c, n, bits, c.ngram_total(n), std::size_t{1} << 40) == expected);
        }
    }
}

TEST_CASE("corpus building: every integer type, sizing once, errors leave the corpus unchanged") {
    const docs_t docs{{3, 1, 4}, {}, {1, 5, 9, 2, 6}, {5}};
    const ck::corpus by_add = [&] {
        ck::corpus c;
        for (const auto& d : docs) c.add_document(d);
        return c;
    }();
    const ck::corpus sized = ck::corpus::from_documents(docs);
    CHECK(sized.tokens() == by_add.tokens());
    CHECK(sized.offsets() == by_add.offsets());
    CHECK(sized.max_id() == 9);
    // The same ids from every integer type the Python bindings hand over as they are.
    CHECK(ck::corpus::from_documents(std::vector<std::vector<std::int64_t>>{{3, 1, 4}, {}, {1, 5, 9, 2, 6}, {5}})
              .tokens() == by_add.tokens());
    CHECK(ck::corpus::from_documents(std::vector<std::vector<std::uint8_t>>{{3, 1, 4}, {}, {1, 5, 9, 2, 6}, {5}})
              .tokens() == by_add.tokens());
    CHECK(ck::corpus::from_documents(std::vector<std::vector<std::int16_t>>{{3, 1, 4}, {}, {1, 5, 9, 2, 6}, {5}})
              .offsets() == by_add.offsets());
    ck::corpus wide;
    wide.add_document(std::vector<std::uint64_t>{0xFFFFFFFFull, 0});
    CHECK(wide.max_id() == 0xFFFFFFFFu);

    ck::corpus c = by_add;
    CHECK(collapsekit_test::error_message([&] {
              c.add_document(std::vector<std::uint64_t>{1, 2, 0x100000000ull});
          }) == "collapsekit::corpus::add_document: ids must lie in [0, 2^32) (ids[2] = 4294967296)");
    CHECK(collapsekit_test::error_message([&] {
              c.add_document(std::vector<std::int8_t>{1, -3});
          }) == "collapsekit::corpus::add_document: ids must lie in [0, 2^32) (ids[1] = -3)");
    CHECK(c.tokens() == by_add.tokens());
    CHECK(c.offsets() == by_add.offsets());

    // A document of the corpus itself, added while the buffer has to grow.
    ck::corpus self;
    self.add_document(std::vector<std::uint32_t>{7, 8, 9});
    for (int i = 0; i < 6; ++i) self.add_document(self.document(0));
    CHECK(self.documents() == 7);
    for (std::size_t d = 0; d < self.documents(); ++d) CHECK(self.document(d)[2] == 9);

    ck::corpus reserved;
    reserved.reserve(1000, 10);
    CHECK(reserved.tokens().capacity() >= 1000);
    CHECK(reserved.documents() == 0);
}

TEST_CASE("building a corpus is linear: a million one-token documents") {
    // Quadratic growth (a reallocation per document) would copy 5e11 ids here.
    ck::corpus c;
    const std::uint32_t one[1] = {3};
    for (int d = 0; d < 1000000; ++d) c.add_document(one);
    CHECK(c.documents() == 1000000);
    CHECK(c.size() == 1000000);
    CHECK(c.ngram_total(1) == 1000000);
}

TEST_CASE("distinct counting: the partitioned counter, one level and two, any number of workers") {
    // Sizes from one leaf to 2^8 partitions split again (over 2^18 n-grams with 64-bit
    // words); uniform ids make most n-grams distinct, a small vocabulary makes repeats that
    // the filter drops and block chains that fill slowly; the all-zero n-gram has hash 0.
    struct shape {
        std::uint32_t max_id;
        std::size_t tokens;
        std::uint32_t common;  // ids below this take three quarters of the mass
    };
    const shape shapes[] = {{(1u << 16) - 1, 3000, 50},      {(1u << 16) - 1, 70000, 1000},
                            {(1u << 16) - 1, 600000, 60000}, {(1u << 20) - 1, 400000, 100000},
                            {(1u << 12) - 1, 300000, 30},    {0xFFFFFFFFu, 50000, 5}};
    ck::rng g(17);
    for (const shape& sh : shapes) {
        ck::corpus c;
        std::vector<std::uint32_t> doc;
        std::size_t left = sh.tokens;
        while (left > 0) {
            doc.resize(std::min<std::size_t>(left, 1 + static_cast<std::size_t>(g.below(300))));
            left -= doc.size();
            for (auto& x : doc) {
                x = g.below(4) == 0 ? static_cast<std::uint32_t>(g.below(std::uint64_t{sh.max_id} + 1))
                                    : static_cast<std::uint32_t>(g.below(sh.common));
            }
            c.add_document(doc);
        }
        c.add_document(std::vector<std::uint32_t>(8, 0));
        c.add_document(std::vector<std::uint32_t>{sh.max_id});
        const unsigned bits = ck::detail::bits_for_max_id(sh.max_id);
        for (std::size_t n : {2u, 3u, 4u}) {
            if (ck::detail::choose_key_kind(n, bits) != ck::detail::key_kind::word64 || n * bits <= 26) continue;
            CAPTURE(sh.max_id);
            CAPTURE(sh.tokens);
            CAPTURE(n);
            // Sorting is the reference for the small shapes; for the large ones the filtered
            // counter, checked against sorting above (it is far cheaper under the sanitizers).
            const std::size_t total = c.ngram_total(n);
            const std::size_t expected = sh.tokens <= 70000
                                             ? distinct_by_sorting(c, n)
                                             : ck::detail::count_distinct(c, n, bits, total, std::size_t{1} << 40);
            for (std::size_t workers :
                 ck_test::under_sanitizer ? std::vector<std::size_t>{1, 3} : std::vector<std::size_t>{1, 2, 3}) {
                CAPTURE(workers);
                const std::size_t got =
                    n * bits <= 32 ? ck::detail::count_distinct_partitioned<std::uint32_t>(workers, c, n, bits, total)
                                   : ck::detail::count_distinct_partitioned<std::uint64_t>(workers, c, n, bits, total);
                CHECK(got == expected);
            }
            // Reused memory (the second call) and freed memory give the same count.
            CHECK(ck::detail::count_distinct(c, n, bits, total, 0) == expected);
            ck::release_ngram_workspace();
            CHECK(ck::detail::count_distinct(c, n, bits, total, 0) == expected);
        }
    }
}

TEST_CASE("split count tables: more parts for more keys, the same counts after every split") {
    ck::detail::partitioned_counts<std::uint64_t> t;
    CHECK(t.parts() == 1);
    for (std::uint64_t k = 0; k < 5000; ++k) t[k * 7919] += k % 3 + 1;
    t.split_for(1000);  // small: stays whole
    CHECK(t.parts() == 1);
    t.split_for(std::size_t{1} << 16);
    CHECK(t.parts() == 2);
    t.split_for(std::size_t{1} << 21);  // at most 2^16 - 2^12 keys per part
    CHECK(t.parts() == 35);
    t.split_for(std::size_t{1} << 16);  // never fewer parts
    CHECK(t.parts() == 35);
    t.split_for(std::size_t{1} << 40);
    CHECK(t.parts() == 4096);
    CHECK(t.size() == 5000);
    for (std::uint64_t k = 0; k < 5000; ++k) {
        const std::uint64_t* c = t.find(k * 7919);
        REQUIRE(c != nullptr);
        CHECK(*c == k % 3 + 1);
    }
    CHECK(t.find(1) == nullptr);
}

TEST_CASE("equal n-gram tables give bit-identical entropy with every estimator, however they were built") {
    // test_equal_ngram_tables_have_bit_identical_entropy's reproducer (_NGRAM_DOCS, n = 3):
    // the estimators summed the counts in the table's hash order, which differs between
    // a counted table and its deserialised copy (3.4094389950938457 vs 3.409438995093846).
    const auto docs = make({{0, 0, 0, 0, 0},
                            {0, 0, 1, 0, 0, 2, 0, 2, 2, 0, 0, 3},
                            {0, 0, 1, 1, 1, 0, 2, 1, 1, 1, 2, 0},
                            {0, 1, 3, 2, 0, 1, 4},
                            {1, 0, 1, 2, 2, 1, 0, 3, 0, 1, 0}});
    collapsekit_test::fixture f("ngram.txt");
    const auto gen = fixture_corpus(f, "gen");
    for (const ck::corpus* c : {&docs, &gen}) {
        for (std::size_t n : {1, 2, 3, 4}) {
            CAPTURE(n);
            const ck::ngram_counts t(*c, n);
            // The same table built four other ways: deserialised, documents counted in
            // reverse order, merged from single-document shards, counted on threads.
            const auto back = ck::ngram_counts::deserialize(t.serialize());
            ck::ngram_counts reversed(n), merged(n);
            for (std::size_t d = c->documents(); d-- > 0;) reversed.add_document(c->document(d));
            for (std::size_t d = 0; d < c->documents(); ++d) {
                ck::ngram_counts one(n);
                one.add_document(c->document(d));
                merged += one;
            }
            const ck::ngram_counts threaded(ck::threads(3), *c, n);
            REQUIRE(back == t);
            REQUIRE(reversed == t);
            REQUIRE(merged == t);
            REQUIRE(threaded == t);
            // The histogram of counts, against a std::map of the table's counts.
            std::map<std::uint64_t, std::uint64_t> profile;
            for (std::uint64_t v : t.count_values()) ++profile[v];
            const auto h = t.count_histogram();
            CHECK(std::vector<std::pair<std::uint64_t, std::uint64_t>>(profile.begin(), profile.end()) == h);
            std::vector<std::uint64_t> ascending = t.count_values();
            std::sort(ascending.begin(), ascending.end());
            CHECK(t.counts_ascending() == ascending);
            for (auto e : {ck::entropy_estimator::plugin, ck::entropy_estimator::miller_madow,
                           ck::entropy_estimator::grassberger, ck::entropy_estimator::chao_shen,
                           ck::entropy_estimator::james_stein, ck::entropy_estimator::nsb}) {
                CAPTURE(ck::to_string(e));
                const double h0 = ck::ngram_entropy(t, e).value;
                // The estimator on the sorted counts, bit for bit, whichever table.
                CHECK(h0 == ck::entropy_from_counts(ascending, e).value);
                for (const ck::ngram_counts* y : {&back, static_cast<const ck::ngram_counts*>(&reversed),
                                                  static_cast<const ck::ngram_counts*>(&merged), &threaded}) {
                    CHECK(ck::ngram_entropy(*y, e).value == h0);
                    CHECK(ck::ngram_entropy(*y, e).standard_error == ck::ngram_entropy(t, e).standard_error);
                }
            }
            // The plug-in value against long double: log N - (1 / N) sum c log c.
            long double s = 0, total = 0;
            for (std::uint64_t v : ascending) {
                const auto x = static_cast<long double>(v);
                s += x * std::log(x);
                total += x;
            }
            CHECK(ck::ngram_entropy(t).value ==
                  doctest::Approx(static_cast<double>(std::log(total) - s / total)).epsilon(1e-14));
        }
    }
    // Counts of 1024 and more are sorted rather than tallied; both kinds mixed.
    ck::ngram_counts big(1);
    big.add_ngram(std::vector<int>{1}, 5000);
    big.add_ngram(std::vector<int>{2}, 1023);
    big.add_ngram(std::vector<int>{3}, 1024);
    big.add_ngram(std::vector<int>{4}, 5000);
    big.add_ngram(std::vector<int>{5}, 1);
    CHECK(big.count_histogram() ==
          std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1, 1}, {1023, 1}, {1024, 1}, {5000, 2}});
    CHECK(big.counts_ascending() == std::vector<std::uint64_t>{1, 1023, 1024, 5000, 5000});
    CHECK(ck::ngram_counts(2).count_histogram().empty());
}

TEST_CASE("serialised n-gram tables are in id order: the radix sort of packed keys agrees with sorting the ids") {
    // A bigram table of about 60 000 entries (radix path) and a 5-gram one of 5 000 (std::sort
    // of 128-bit keys); serialize() writes them in lexicographic id order, which
    // deserialize() checks entry by entry, and sorted() agrees with sorting the n-grams.
    for (const std::size_t n : {std::size_t{2}, std::size_t{5}}) {
        docs_t docs(200, std::vector<std::uint32_t>(300));
        std::uint64_t x = 88172645463325252ull;
        for (auto& d : docs) {
            for (auto& t : d) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                t = static_cast<std::uint32_t>(x % (n == 2 ? 300 : 70000));
            }
        }
        const auto corpus = make(docs);
        ck::ngram_counts table(n);
        table.add(corpus);
        const auto e = table.sorted();
        std::vector<std::vector<std::uint32_t>> want;
        table.for_each(
            [&](ck::view<const std::uint32_t> ids, std::uint64_t) { want.emplace_back(ids.begin(), ids.end()); });
        std::sort(want.begin(), want.end());
        REQUIRE(e.counts.size() == want.size());
        CHECK(want.size() > (n == 2 ? 40000u : 4096u));
        for (std::size_t i = 0; i < want.size(); ++i) {
            REQUIRE(std::equal(want[i].begin(), want[i].end(), e.ids.begin() + static_cast<std::ptrdiff_t>(i * n)));
            CHECK(e.counts[i] == table.count(ck::view<const std::uint32_t>(want[i].data(), n)));
        }
        const auto bytes = table.serialize();
        CHECK(ck::ngram_counts::deserialize(bytes) == table);
    }
}
