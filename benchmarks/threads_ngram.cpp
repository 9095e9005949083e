// Thread scaling of the n-gram and k-nearest-neighbour paths (issue 15): each path with
// threads = 1 and threads = 2 (the last argument), beside the memory-read reference run
// with the same thread counts, and the table of ratios printed after the run.
//
// n-gram paths: 1e7 tokens drawn from a Zipf law (exponent 1) over 50 000 ids, in
// documents of 1000 tokens; trigrams. Items are tokens.
// k-NN paths: Kozachenko-Leonenko entropy of 2e5 standard normal points in 3-D and the
// k-NN KL divergence of 1e5 against 1e5 such points (k = 1). Items are points of x.
// The k-NN cost sweep (one thread, n = 1e4, 1e5, 1e6 points in 3-D) prints the cost per
// point at each size: it should grow no faster than log n.
//
// Times are wall-clock (UseRealTime); the reporter drops the "/real_time" suffix so that
// the table finds "<name>/1" and "<name>/2".
#include <collapsekit/core/random.hpp>
#include <collapsekit/entropy/continuous.hpp>
#include <collapsekit/knn_divergence.hpp>
#include <collapsekit/ngram.hpp>

#include <benchmark/benchmark.h>

#include "thread_scaling.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace ck = collapsekit;
using collapsekit_bench::BM_memory_read;
using collapsekit_bench::scaling_n;

namespace {

const ck::corpus& zipf_corpus() {
    static const ck::corpus c = [] {
        ck::rng g(42);
        ck::zipf_distribution z(50'000, 1.0);
        std::vector<std::uint32_t> t(scaling_n);
        for (auto& x : t) x = static_cast<std::uint32_t>(z(g) - 1);
        std::vector<std::size_t> offsets;
        for (std::size_t i = 0; i <= scaling_n; i += 1000) offsets.push_back(i);
        return ck::corpus(std::move(t), std::move(offsets));
    }();
    return c;
}

std::vector<double> normal_points(std::size_t n, std::size_t dim, std::uint64_t seed) {
    ck::rng g(seed);
    ck::normal_distribution d(0.0, 1.0);
    std::vector<double> x(n * dim);
    for (double& v : x) v = d(g);
    return x;
}

ck::execution threads_of(const benchmark::State& state, int arg) {
    return ck::threads(static_cast<std::size_t>(state.range(arg)));
}

void BM_ngram_counts(benchmark::State& state) {
    const ck::corpus& c = zipf_corpus();
    const auto ex = threads_of(state, 0);
    for (auto _ : state) {
        ck::ngram_counts t(ex, c, 3);
        benchmark::DoNotOptimize(t);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_distinct_n(benchmark::State& state) {
    const ck::corpus& c = zipf_corpus();
    const auto ex = threads_of(state, 0);
    for (auto _ : state) {
        double d = ck::distinct_n(ex, c, 3);
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_distinct_n_document(benchmark::State& state) {
    const ck::corpus& c = zipf_corpus();
    const auto ex = threads_of(state, 0);
    for (auto _ : state) {
        double d = ck::distinct_n(ex, c, 3, ck::distinct_average::document);
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_hyperloglog(benchmark::State& state) {
    const ck::corpus& c = zipf_corpus();
    const auto ex = threads_of(state, 0);
    for (auto _ : state) {
        ck::hyperloglog h(3);
        h.add(ex, c);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

void BM_knn_entropy(benchmark::State& state) {
    static const std::vector<double> x = normal_points(200'000, 3, 7);
    const auto ex = threads_of(state, 0);
    for (auto _ : state) {
        double h = ck::differential_entropy_knn(ex, x, 3);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * (x.size() / 3)));
}

void BM_knn_divergence(benchmark::State& state) {
    static const std::vector<double> x = normal_points(100'000, 3, 8);
    static const std::vector<double> y = normal_points(100'000, 3, 9);
    const auto ex = threads_of(state, 0);
    for (auto _ : state) {
        double d = ck::kl_divergence_knn(ex, x, y, 3);
        benchmark::DoNotOptimize(d);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * (x.size() / 3)));
}

// The cost sweep: range(0) points in 3-D, one thread.
void BM_knn_entropy_sweep(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::vector<double> x = normal_points(n, 3, 11);
    for (auto _ : state) {
        double h = ck::differential_entropy_knn(x, 3);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

BENCHMARK(BM_memory_read)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ngram_counts)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_distinct_n)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_distinct_n_document)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hyperloglog)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_knn_entropy)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_knn_divergence)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_knn_entropy_sweep)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::real_time_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    collapsekit_bench::print_scaling_table(reporter, {"BM_ngram_counts", "BM_distinct_n", "BM_distinct_n_document",
                                                      "BM_hyperloglog", "BM_knn_entropy", "BM_knn_divergence"});
    std::printf("\n  k-NN entropy, 3-D, one thread: ns per point\n");
    const double base = reporter.rate("BM_knn_entropy_sweep/10000");
    for (const char* n : {"10000", "100000", "1000000"}) {
        const double r = reporter.rate(std::string("BM_knn_entropy_sweep/") + n);
        if (r > 0) std::printf("  n = %-8s %8.0f ns   (x%.2f of n = 1e4)\n", n, 1e9 / r, base > 0 ? base / r : 0.0);
    }
    benchmark::Shutdown();
    return 0;
}
