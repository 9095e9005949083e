// Summation kernels: the memory-read reference every other benchmark compares against.
#include <collapsekit/core/random.hpp>
#include <collapsekit/simd/sum.hpp>

#include <benchmark/benchmark.h>

#include <vector>

namespace ck = collapsekit;

namespace {
std::vector<double> data(std::size_t n) {
    ck::rng g(1);
    std::vector<double> x(n);
    for (double& v : x) v = g.uniform();
    return x;
}

void BM_sum_plain_simd(benchmark::State& state) {
    const auto x = data(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        double s = ck::simd::sum_plain(x.data(), x.size());
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.SetBytesProcessed(state.iterations() * state.range(0) * 8);
}
void BM_sum_compensated_simd(benchmark::State& state) {
    const auto x = data(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        double s = ck::simd::sum_compensated(x.data(), x.size());
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
void BM_sum_compensated_scalar(benchmark::State& state) {
    const auto x = data(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        double s = ck::simd::sum_compensated_scalar(x.data(), x.size());
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
}  // namespace

BENCHMARK(BM_sum_plain_simd)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sum_compensated_simd)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sum_compensated_scalar)->Arg(10'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
