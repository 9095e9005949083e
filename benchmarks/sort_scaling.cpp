// The flat-cost curve of the sorting-based measures: ns per input element of
// ck::sort_values, wasserstein, ks_2samp and energy_distance (normal samples, u and v of
// n values each; an element is one value of either sample) at n = 1e5, 1e6, 1e7, 3e7,
// and 1e8 when COLLAPSEKIT_BENCH_1E8=1 is set (about 4 GB and a minute more), with the
// ratio of each cost to the cost at 1e6. Steady state: repeated calls on one thread, as a
// user's loop over generations makes them. The _first rows free the calling thread's sort
// workspace before every call, so they pay for fresh memory as a program's first call does.
#include <collapsekit/sort.hpp>
#include <collapsekit/wasserstein.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <collapsekit/build_info.hpp>
#include <collapsekit/core/random.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace {

const std::vector<double>& sample(std::size_t n, std::uint64_t seed) {
    static std::map<std::pair<std::size_t, std::uint64_t>, std::vector<double>> cache;
    auto& x = cache[{n, seed}];
    if (x.empty()) {
        ck::rng g(seed);
        ck::normal_distribution d(0.0, 1.0);
        x.resize(n);
        for (double& e : x) e = d(g);
    }
    return x;
}

void finish(benchmark::State& state, std::size_t elements) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(elements));
}

void BM_sort(benchmark::State& state) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& x = sample(n, 1);
    std::vector<double> y(n);
    for (auto _ : state) {
        std::memcpy(y.data(), x.data(), n * sizeof(double));
        ck::sort_values(y);
        benchmark::DoNotOptimize(y.data());
    }
    finish(state, n);
}

template <class F>
void two_sample(benchmark::State& state, F f, bool first_call) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const auto& u = sample(n, 1);
    const auto& v = sample(n, 2);
    for (auto _ : state) {
        if (first_call) ck::release_sort_workspace();
        double r = f(u, v);
        benchmark::DoNotOptimize(r);
    }
    finish(state, 2 * n);
}

void BM_wasserstein(benchmark::State& s) {
    two_sample(
        s, [](const auto& u, const auto& v) { return ck::wasserstein(u, v); }, false);
}
void BM_wasserstein_first(benchmark::State& s) {
    two_sample(
        s, [](const auto& u, const auto& v) { return ck::wasserstein(u, v); }, true);
}
void BM_ks_2samp(benchmark::State& s) {
    two_sample(
        s, [](const auto& u, const auto& v) { return ck::ks_2samp(u, v).statistic; }, false);
}
void BM_energy_distance(benchmark::State& s) {
    two_sample(
        s, [](const auto& u, const auto& v) { return ck::energy_distance(u, v); }, false);
}

std::vector<std::int64_t> sizes() {
    std::vector<std::int64_t> s{100'000, 1'000'000, 10'000'000, 30'000'000};
    const char* big = std::getenv("COLLAPSEKIT_BENCH_1E8");
    if (big != nullptr && std::strcmp(big, "1") == 0) s.push_back(100'000'000);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const auto ns = sizes();
    const std::vector<std::pair<std::string, void (*)(benchmark::State&)>> benches{
        {"BM_sort", BM_sort},
        {"BM_wasserstein", BM_wasserstein},
        {"BM_wasserstein_first", BM_wasserstein_first},
        {"BM_ks_2samp", BM_ks_2samp},
        {"BM_energy_distance", BM_energy_distance}};
    for (const auto& [name, fn] : benches) {
        auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
        for (std::int64_t n : ns) b->Arg(n);
        b->Unit(benchmark::kMillisecond);
    }
    benchmark::Initialize(&argc, argv);
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::printf("\n%s. ns per input element (both samples counted), one thread; ratio to n = 1e6:\n",
                ck::build_info().c_str());
    std::printf("  %-22s", "n");
    for (std::int64_t n : ns) std::printf(" %10.0e", static_cast<double>(n));
    std::printf("   worst ratio\n");
    for (const auto& [name, fn] : benches) {
        const double at_1e6 = reporter.rate(name + "/1000000");
        if (at_1e6 <= 0) continue;
        std::printf("  %-22s", name.c_str());
        double worst = 0;
        for (std::int64_t n : ns) {
            const double r = reporter.rate(name + "/" + std::to_string(n));
            std::printf(" %10.1f", r > 0 ? 1e9 / r : 0.0);
            if (r > 0) worst = std::max(worst, at_1e6 / r);
        }
        std::printf("   %.2f\n", worst);
    }
    return 0;
}
