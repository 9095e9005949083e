// Bootstrap at scale: replicates per second of the sort-once CDF bootstrap and of the
// count bootstrap, against the naive loop a user would write (resample the observations,
// recompute the measure from scratch, one replicate after another on one thread).
// Items are replicates; the naive loops run fewer replicates per iteration (they take
// ~0.1 s each at 1e6), which does not change a per-replicate rate.
#include "rate_reporter.hpp"

#include <collapsekit/bootstrap.hpp>
#include <collapsekit/bootstrap_cdf.hpp>
#include <collapsekit/build_info.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/wasserstein.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <thread>
#include <vector>

namespace ck = collapsekit;

namespace {

constexpr std::size_t sample_n = 1'000'000;
constexpr std::size_t cdf_replicates = 1000;
constexpr std::size_t naive_replicates = 8;

const std::vector<double>& sample(int which) {
    static const auto make = [](std::uint64_t seed, double shift) {
        ck::rng g(seed);
        ck::normal_distribution d(shift, 1.0);
        std::vector<double> x(sample_n);
        for (double& v : x) v = d(g);
        return x;
    };
    static const std::vector<double> u = make(1, 0.0), v = make(2, 0.2);
    return which == 0 ? u : v;
}

// 1e6 observations over `categories` Zipf(1.1) categories, as counts and as the raw
// observations the naive loop resamples.
struct count_data {
    std::vector<std::uint64_t> counts;
    std::vector<std::uint32_t> observations;
};
const count_data& counts_of(std::size_t categories) {
    static std::vector<std::pair<std::size_t, count_data>> cache;
    for (auto& c : cache) {
        if (c.first == categories) return c.second;
    }
    ck::zipf_distribution z(categories, 1.1);
    ck::rng g(3);
    count_data d;
    d.counts.assign(categories, 0);
    d.observations.resize(sample_n);
    for (auto& o : d.observations) {
        o = static_cast<std::uint32_t>(z(g) - 1);
        ++d.counts[o];
    }
    cache.emplace_back(categories, std::move(d));
    return cache.back().second;
}

double entropy_of(ck::view<const std::uint64_t> c) { return ck::shannon_entropy(c); }

void BM_cdf_bootstrap(benchmark::State& state) {
    const auto threads = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        auto r = ck::bootstrap_cdf_distances(ck::threads(threads), sample(0), sample(1), {cdf_replicates, 0.95, 1});
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(cdf_replicates));
}

void BM_cdf_naive(benchmark::State& state) {
    std::vector<double> ru(sample_n), rv(sample_n);
    std::uint64_t replicate = 0;
    for (auto _ : state) {
        for (std::size_t b = 0; b < naive_replicates; ++b) {
            ck::rng g = ck::rng::for_stream(1, replicate++);
            for (auto& x : ru) x = sample(0)[static_cast<std::size_t>(g.below(sample_n))];
            for (auto& x : rv) x = sample(1)[static_cast<std::size_t>(g.below(sample_n))];
            double w = ck::wasserstein(ru, rv);
            benchmark::DoNotOptimize(w);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(naive_replicates));
}

void BM_counts_bootstrap(benchmark::State& state) {
    const auto& d = counts_of(static_cast<std::size_t>(state.range(0)));
    const auto threads = static_cast<std::size_t>(state.range(1));
    for (auto _ : state) {
        auto r = ck::bootstrap_counts(ck::threads(threads), d.counts, entropy_of, {cdf_replicates, 0.95, 1});
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(cdf_replicates));
}

void BM_counts_naive(benchmark::State& state) {
    const auto& d = counts_of(static_cast<std::size_t>(state.range(0)));
    std::vector<std::uint64_t> c(d.counts.size());
    std::uint64_t replicate = 0;
    for (auto _ : state) {
        for (std::size_t b = 0; b < naive_replicates; ++b) {
            ck::rng g = ck::rng::for_stream(1, replicate++);
            std::fill(c.begin(), c.end(), 0);
            for (std::size_t i = 0; i < sample_n; ++i) ++c[d.observations[static_cast<std::size_t>(g.below(sample_n))]];
            double h = ck::shannon_entropy(c);
            benchmark::DoNotOptimize(h);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(naive_replicates));
}

}  // namespace

BENCHMARK(BM_cdf_bootstrap)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_cdf_naive)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_counts_bootstrap)
    ->Args({1000, 1})
    ->Args({1000, 2})
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_counts_naive)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const double naive = reporter.rate("BM_cdf_naive/real_time");
    std::printf("\n%s; %u hardware threads. Replicates/s ratios from this run (target: bootstrap >= 20x naive):\n",
                ck::build_info().c_str(), std::thread::hardware_concurrency());
    for (int t : {1, 2}) {
        const double ours = reporter.rate("BM_cdf_bootstrap/" + std::to_string(t) + "/real_time");
        if (ours > 0 && naive > 0) {
            std::printf("  W1+KS+energy, 1e6 vs 1e6, B = 1000, %d thread(s): %.1fx the naive W1 loop\n", t,
                        ours / naive);
        }
    }
    for (int k : {1000, 100000}) {
        const double slow = reporter.rate("BM_counts_naive/" + std::to_string(k) + "/real_time");
        for (int t : {1, 2}) {
            const double ours =
                reporter.rate("BM_counts_bootstrap/" + std::to_string(k) + "/" + std::to_string(t) + "/real_time");
            if (ours > 0 && slow > 0) {
                std::printf("  entropy, 1e6 observations in %6d categories, %d thread(s): %.1fx the naive loop\n", k, t,
                            ours / slow);
            }
        }
    }
    benchmark::Shutdown();
    return 0;
}
