// n-gram counting throughput: exact distinct-n (flat hash set of packed keys) against
// std::unordered_set of the same keys, HyperLogLog, and self-BLEU; the memory-read
// reference is ck::simd::sum_plain over as many doubles as there are tokens.
//
// Corpus: 1e7 tokens drawn from a Zipf law with exponent 1 over 50 000 ids, in
// documents of 1000 tokens. Targets (issue 7, one core, host arch): >= 20 M tokens/s
// exact, >= 100 M tokens/s HyperLogLog. A summary with the ratios to the targets is
// printed after the table.
#include <collapsekit/core/random.hpp>
#include <collapsekit/ngram.hpp>
#include <collapsekit/simd/sum.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace ck = collapsekit;

namespace {

constexpr std::size_t kTokens = 10'000'000;

const ck::corpus& zipf_corpus() {
    static const ck::corpus c = [] {
        ck::rng g(42);
        ck::zipf_distribution z(50'000, 1.0);
        std::vector<std::uint32_t> t(kTokens);
        for (auto& x : t) x = static_cast<std::uint32_t>(z(g) - 1);
        std::vector<std::size_t> offsets;
        for (std::size_t i = 0; i <= kTokens; i += 1000) offsets.push_back(i);
        return ck::corpus(std::move(t), std::move(offsets));
    }();
    return c;
}

// The corpus of issue 9's Python row (benchmarks/peers/compare.py): 1e6 Zipf(1.3) ids
// capped at 50 000 (numpy's unbounded law, approximated by 1e6 ranks), in documents of
// 20 tokens; short documents and a filter-friendly law, unlike zipf_corpus().
const ck::corpus& short_docs_corpus() {
    static const ck::corpus c = [] {
        ck::rng g(2024);
        ck::zipf_distribution z(1'000'000, 1.3);
        std::vector<std::uint32_t> t(1'000'000);
        for (auto& x : t) x = static_cast<std::uint32_t>(std::min<std::size_t>(z(g), 50'000));
        std::vector<std::size_t> offsets;
        for (std::size_t i = 0; i <= t.size(); i += 20) offsets.push_back(i);
        return ck::corpus(std::move(t), std::move(offsets));
    }();
    return c;
}

const ck::corpus& bleu_corpus() {
    static const ck::corpus c = [] {
        ck::rng g(7);
        ck::zipf_distribution z(50'000, 1.0);
        ck::corpus out;
        std::vector<std::uint32_t> doc(50);
        for (int d = 0; d < 1000; ++d) {
            for (auto& x : doc) x = static_cast<std::uint32_t>(z(g) - 1);
            out.add_document(doc);
        }
        return out;
    }();
    return c;
}

void BM_memory_read(benchmark::State& state) {
    std::vector<double> x(kTokens, 1.0);
    for (auto _ : state) {
        double s = ck::simd::sum_plain(x.data(), x.size());
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kTokens));
}

void BM_distinct_exact(benchmark::State& state) {
    const auto& c = zipf_corpus();
    const auto n = static_cast<std::size_t>(state.range(0));
    std::size_t distinct = 0;
    for (auto _ : state) {
        distinct = ck::distinct_ngrams(c, n);
        benchmark::DoNotOptimize(distinct);
    }
    state.counters["distinct"] = static_cast<double>(distinct);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_distinct_short_docs(benchmark::State& state) {
    const auto& c = short_docs_corpus();
    const auto n = static_cast<std::size_t>(state.range(0));
    double r = 0;
    for (auto _ : state) {
        r = ck::distinct_n(c, n);
        benchmark::DoNotOptimize(r);
    }
    state.counters["distinct_n"] = r;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

// The same packed 64-bit keys into std::unordered_set: the peer the flat table replaces.
void BM_distinct_unordered_set(benchmark::State& state) {
    const auto& c = zipf_corpus();
    const auto n = static_cast<std::size_t>(state.range(0));
    const ck::detail::key_codec<std::uint64_t> codec(n, ck::detail::bits_for_max_id(c.max_id()));
    std::size_t distinct = 0;
    for (auto _ : state) {
        std::unordered_set<std::uint64_t> set;
        for (std::size_t d = 0; d < c.documents(); ++d) {
            codec.for_each(c.document(d), [&](std::uint64_t k) { set.insert(k); });
        }
        distinct = set.size();
        benchmark::DoNotOptimize(distinct);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_hyperloglog(benchmark::State& state) {
    const auto& c = zipf_corpus();
    const auto n = static_cast<std::size_t>(state.range(0));
    double estimate = 0;
    for (auto _ : state) {
        ck::hyperloglog h(n);
        h.add(c);
        estimate = h.cardinality().value;
        benchmark::DoNotOptimize(estimate);
    }
    state.counters["estimate"] = estimate;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_ngram_counts(benchmark::State& state) {
    const auto& c = zipf_corpus();
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        ck::ngram_counts t(c, n);
        auto d = t.distinct();
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_self_bleu(benchmark::State& state) {
    const auto& c = bleu_corpus();
    double b = 0;
    for (auto _ : state) {
        b = ck::self_bleu(c);
        benchmark::DoNotOptimize(b);
    }
    state.counters["self_bleu"] = b;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.documents()));
}

void BM_self_bleu_sampled_100(benchmark::State& state) {
    const auto& c = bleu_corpus();
    double b = 0;
    for (auto _ : state) {
        b = ck::self_bleu_sampled(c, 100, 1).value;
        benchmark::DoNotOptimize(b);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.documents()));
}

// Collects items/s per benchmark name so the summary can print ratios.
}  // namespace

BENCHMARK(BM_memory_read)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_distinct_exact)->DenseRange(1, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_distinct_short_docs)->DenseRange(1, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ngram_counts)->DenseRange(1, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_hyperloglog)->DenseRange(1, 4)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_self_bleu)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_self_bleu_sampled_100)->Unit(benchmark::kMillisecond);
// Last: its millions of freed nodes would slow the allocations of whatever ran next.
BENCHMARK(BM_distinct_unordered_set)->DenseRange(1, 4)->Unit(benchmark::kMillisecond)->Iterations(1);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::rate_reporter reporter(
        benchmark::ConsoleReporter::OO_Tabular);  // plain tabular output (no colour codes)
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    auto get = [&](const std::string& name) { return reporter.rate(name); };
    std::printf("\nsummary (M tokens/s; target exact >= 20, HyperLogLog >= 100):\n");
    std::printf("%3s %12s %12s %12s %14s %12s\n", "n", "exact", "exact/20M", "hll", "hll/100M", "flat/unord");
    for (int n = 1; n <= 4; ++n) {
        const std::string sn = "/" + std::to_string(n);
        const double ex = get("BM_distinct_exact" + sn), hl = get("BM_hyperloglog" + sn);
        const double us = get("BM_distinct_unordered_set" + sn + "/iterations:1");
        std::printf("%3d %12.1f %12.2f %12.1f %14.2f %12.2f\n", n, ex / 1e6, ex / 20e6, hl / 1e6, hl / 100e6,
                    us > 0 ? ex / us : 0.0);
    }
    std::printf(
        "distinct_n on 1e6 Zipf(1.3) tokens in 20-token documents (issue 9's row; 50x the Python\n"
        "Counter needs >= 150 M tokens/s):");
    for (int n = 1; n <= 4; ++n) std::printf(" n=%d %.1f", n, get("BM_distinct_short_docs/" + std::to_string(n)) / 1e6);
    std::printf("\nmemory read (sum_plain, doubles): %.1f M/s\n", get("BM_memory_read") / 1e6);
    return 0;
}
