// Thread-count invariance of the n-gram paths (counting, distinct-n, repetition rate,
// HyperLogLog) and the k-nearest-neighbour paths (distances, Kozachenko-Leonenko
// entropy, k-NN KL divergence): 1, 2, 3, 8 threads and all_threads give bit-identical
// results, equal to the sequential API's, on awkward corpora and point sets.
#include <collapsekit/core/parallel.hpp>
#include <collapsekit/core/random.hpp>
#include <collapsekit/entropy/continuous.hpp>
#include <collapsekit/knn_divergence.hpp>
#include <collapsekit/neighbors.hpp>
#include <collapsekit/ngram.hpp>

#include <doctest/doctest.h>

#include "parallel_check.hpp"
#include "test_support.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace collapsekit {
// same_bits for the structs compared below (found by argument-dependent lookup).
inline bool same_bits(const ngram_counts::sorted_entries& a, const ngram_counts::sorted_entries& b) {
    return ck_test::same_bits(a.ids, b.ids) && ck_test::same_bits(a.counts, b.counts);
}
}  // namespace collapsekit

using ck_test::same_bits;

namespace {

// Documents of the given lengths, ids drawn from a Zipf law over `vocabulary` ids and
// multiplied by `stride` (a large stride makes wide keys).
ck::corpus zipf_corpus(const std::vector<std::size_t>& lengths, std::size_t vocabulary, std::uint32_t stride,
                       std::uint64_t seed) {
    ck::rng g(seed);
    ck::zipf_distribution z(vocabulary, 1.1);
    ck::corpus c;
    std::vector<std::uint32_t> doc;
    for (std::size_t len : lengths) {
        doc.resize(len);
        for (auto& t : doc) t = static_cast<std::uint32_t>(z(g) - 1) * stride;
        c.add_document(doc);
    }
    return c;
}

struct named_corpus {
    std::string name;
    ck::corpus corpus;
};

// Empty documents, one-token documents, documents shorter than n, many short documents,
// single long documents around the chunk sizes, and ids that need wide keys.
std::vector<named_corpus> awkward_corpora() {
    std::vector<named_corpus> out;
    out.push_back({"empty documents and one token", zipf_corpus({0, 1, 0, 0, 2, 1, 0, 3}, 50, 1, 1)});
    {
        std::vector<std::size_t> lengths;
        ck::rng g(5);
        for (int d = 0; d < 6000; ++d) lengths.push_back(static_cast<std::size_t>(g() % 9));  // 0..8 tokens
        out.push_back({"many short documents", zipf_corpus(lengths, 2000, 1, 2)});
    }
    for (std::size_t len : ck_test::awkward_sizes()) {
        if (len > 70000) continue;
        out.push_back({"one document of " + std::to_string(len), zipf_corpus({len}, 5000, 1, 3 + len)});
    }
    {
        std::vector<std::size_t> lengths(150, 1000);  // 1.5e5 tokens: three 2^16 chunks
        lengths[17] = 0;
        lengths[100] = 3;
        out.push_back({"150 documents, big vocabulary", zipf_corpus(lengths, 200000, 1, 7)});
        out.push_back({"wide ids", zipf_corpus(lengths, 20000, 99991, 8)});
    }
    out.push_back({"tiny vocabulary", zipf_corpus(std::vector<std::size_t>(50, 2000), 3, 1, 9)});
    return out;
}

// A corpus of 6e5 tokens with ~1e5 distinct ids: past the size at which counting sizes
// its table from a sketch and splits it into parts.
const ck::corpus& large_corpus() {
    static const ck::corpus c = zipf_corpus(std::vector<std::size_t>(600, 1000), 100000, 1, 11);
    return c;
}

using collapsekit_test::gaussian_points;

}  // namespace

TEST_CASE("distinct n-grams, distinct-n and repetition rate do not depend on the thread count") {
    for (const auto& nc : awkward_corpora()) {
        const ck::corpus& c = nc.corpus;
        CAPTURE(nc.name);
        for (std::size_t n : {1u, 2u, 3u, 8u}) {
            CAPTURE(n);
            const std::size_t expect = ck::distinct_ngrams(c, n);
            ck_test::check_thread_invariant([&](const ck::execution& ex) { return ck::distinct_ngrams(ex, c, n); });
            CHECK(ck::distinct_ngrams(ck::threads(3), c, n) == expect);
            if (c.ngram_total(n) == 0) {
                CHECK_THROWS_AS(ck::distinct_n(ck::threads(2), c, n), std::invalid_argument);
                continue;
            }
            for (auto avg : {ck::distinct_average::corpus, ck::distinct_average::document}) {
                const double seq = ck::distinct_n(c, n, avg);
                ck_test::check_thread_invariant([&](const ck::execution& ex) { return ck::distinct_n(ex, c, n, avg); });
                CHECK(same_bits(ck::distinct_n(ck::threads(8), c, n, avg), seq));
            }
            const double rep = ck::repetition_rate(c, n);
            ck_test::check_thread_invariant([&](const ck::execution& ex) { return ck::repetition_rate(ex, c, n); });
            CHECK(same_bits(ck::repetition_rate(ck::threads(2), c, n), rep));
        }
    }
}

TEST_CASE("n-gram counting gives the same table, in the same order, for every thread count") {
    auto corpora = awkward_corpora();
    corpora.push_back({"large", large_corpus()});
    for (const auto& nc : corpora) {
        const ck::corpus& c = nc.corpus;
        CAPTURE(nc.name);
        for (std::size_t n : {1u, 3u}) {
            CAPTURE(n);
            const ck::ngram_counts seq(c, n);
            // count_values comes in table order: equal vectors mean equal layouts.
            ck_test::check_thread_invariant(
                [&](const ck::execution& ex) { return ck::ngram_counts(ex, c, n).count_values(); });
            ck_test::check_thread_invariant(
                [&](const ck::execution& ex) { return ck::ngram_counts(ex, c, n).sorted(); });
            const ck::ngram_counts par(ck::threads(3), c, n);
            CHECK(par == seq);
            CHECK(par.total() == c.ngram_total(n));
            CHECK(par.distinct() == ck::distinct_ngrams(c, n));
            CHECK(same_bits(par.count_values(), seq.count_values()));
            CHECK(par.serialize() == seq.serialize());
            // Adding to a table that already holds counts.
            ck::ngram_counts twice_seq(c, n), twice_par(ck::threads(2), c, n);
            twice_seq.add(c);
            twice_par.add(ck::threads(8), c);
            CHECK(same_bits(twice_par.count_values(), twice_seq.count_values()));
        }
    }
}

TEST_CASE("counting a large corpus in parallel matches a plain map") {
    const ck::corpus& c = large_corpus();
    for (std::size_t n : {3u}) {
        std::map<std::vector<std::uint32_t>, std::uint64_t> naive;
        for (std::size_t d = 0; d < c.documents(); ++d) {
            const auto doc = c.document(d);
            for (std::size_t i = 0; i + n <= doc.size(); ++i) ++naive[std::vector<std::uint32_t>(&doc[i], &doc[i] + n)];
        }
        const ck::ngram_counts t(ck::threads(2), c, n);
        REQUIRE(t.distinct() == naive.size());
        std::size_t wrong = 0;
        for (const auto& [ids, count] : naive) wrong += t.count(ids) != count;
        CHECK(wrong == 0);
        CHECK(ck::ngram_counts::deserialize(t.serialize()) == t);
    }
}

TEST_CASE("HyperLogLog registers do not depend on the thread count") {
    auto corpora = awkward_corpora();
    corpora.push_back({"large", large_corpus()});
    for (const auto& nc : corpora) {
        const ck::corpus& c = nc.corpus;
        CAPTURE(nc.name);
        for (std::size_t n : {1u, 4u}) {
            CAPTURE(n);
            ck::hyperloglog seq(n, 10);
            seq.add(c);
            ck_test::check_thread_invariant([&](const ck::execution& ex) {
                ck::hyperloglog h(n, 10);
                h.add(ex, c);
                return h.register_values();
            });
            ck::hyperloglog par(n, 10);
            par.add(ck::threads(3), c);
            CHECK(par == seq);
        }
    }
}

TEST_CASE("k-th neighbour distances do not depend on the thread count") {
    for (std::size_t dim : {1u, 3u, 12u}) {
        for (std::size_t n : {2u, 7u, 65u, 3000u}) {
            CAPTURE(dim);
            CAPTURE(n);
            const auto x = gaussian_points(n, dim, 10 * n + dim);
            for (std::size_t k : {1u, 4u}) {
                if (k >= n) continue;
                const auto seq = ck::kth_neighbor_distances(x, dim, k);
                ck_test::check_thread_invariant(
                    [&](const ck::execution& ex) { return ck::kth_neighbor_distances(ex, x, dim, k); });
                CHECK(same_bits(ck::kth_neighbor_distances(ck::threads(2), x, dim, k), seq));
                const auto q = gaussian_points(777, dim, 3 * n + dim);
                const auto seq_q = ck::kth_neighbor_distances(q, x, dim, k);
                ck_test::check_thread_invariant(
                    [&](const ck::execution& ex) { return ck::kth_neighbor_distances(ex, q, x, dim, k); });
                CHECK(same_bits(ck::kth_neighbor_distances(ck::threads(3), q, x, dim, k), seq_q));
            }
        }
    }
    // Duplicated points (distance 0) and an empty query set.
    std::vector<double> dup = gaussian_points(500, 2, 4);
    dup.insert(dup.end(), dup.begin(), dup.begin() + 200);
    ck_test::check_thread_invariant([&](const ck::execution& ex) { return ck::kth_neighbor_distances(ex, dup, 2, 1); });
    CHECK(ck::kth_neighbor_distances(ck::threads(4), std::vector<double>{}, dup, 2, 1).empty());
}

TEST_CASE("k-NN entropy and divergence do not depend on the thread count") {
    for (std::size_t dim : {1u, 3u, 8u}) {
        for (std::size_t n : {3u, 100u, 20000u}) {
            if (dim == 8 && n > 5000) continue;
            CAPTURE(dim);
            CAPTURE(n);
            const auto x = gaussian_points(n, dim, n + dim);
            const auto y = gaussian_points(n / 2 + 2, dim, 7 * n + dim);
            const std::size_t k = n > 3 ? 3 : 1;
            const ck::estimate seq = ck::kozachenko_leonenko_entropy(x, dim, k);
            ck_test::check_thread_invariant(
                [&](const ck::execution& ex) { return ck::kozachenko_leonenko_entropy(ex, x, dim, k); });
            CHECK(same_bits(ck::kozachenko_leonenko_entropy(ck::threads(2), x, dim, k), seq));
            CHECK(same_bits(ck::differential_entropy_knn(ck::threads(3), x, dim, k), seq.value));
            const double kl = ck::kl_divergence_knn(x, y, dim, k);
            ck_test::check_thread_invariant(
                [&](const ck::execution& ex) { return ck::kl_divergence_knn(ex, x, y, dim, k); });
            CHECK(same_bits(ck::kl_divergence_knn(ck::threads(8), x, y, dim, k), kl));
        }
    }
    // Errors are the same with threads.
    const std::vector<double> two = {0.0, 1.0};
    CHECK_THROWS_AS(ck::kozachenko_leonenko_entropy(ck::threads(2), two, 1, 2), std::invalid_argument);
    const std::vector<double> dup = {0.0, 0.0, 0.0, 1.0};
    CHECK_THROWS_AS(ck::kl_divergence_knn(ck::threads(2), dup, two, 1, 1), std::domain_error);
}
