// Shannon entropy of a 1e7-element probability vector and of 1e7 counts: ours (SIMD
// kernel and the public function), a plain scalar libm loop, and the memory-read
// reference (ck::simd::sum_plain over the same array). Prints the ratios after the run.
// Targets (host arch): ours >= 4x the scalar loop and >= 0.5x the memory reference.
#include <collapsekit/core/random.hpp>
#include <collapsekit/entropy/counts.hpp>
#include <collapsekit/entropy/discrete.hpp>
#include <collapsekit/simd/entropy_kernels.hpp>
#include <collapsekit/simd/sum.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace {

constexpr std::size_t n_items = 10'000'000;

const std::vector<double>& probabilities() {
    static const std::vector<double> p = [] {
        ck::rng g(1);
        std::vector<double> x(n_items);
        double s = 0;
        for (double& v : x) s += (v = g.uniform());
        for (double& v : x) v /= s;
        return x;
    }();
    return p;
}

// Arg 0: counts in [0, 1000) (histogram-like; all inside the c log c table).
// Arg 1: counts in [4096, 2^32) (none in the table: every count takes a log).
const std::vector<std::uint64_t>& counts(int kind) {
    static std::map<int, std::vector<std::uint64_t>> cache;
    auto& c = cache[kind];
    if (c.empty()) {
        ck::rng g(2 + static_cast<std::uint64_t>(kind));
        c.resize(n_items);
        for (auto& v : c) v = kind == 0 ? g.below(1000) : 4096 + g.below((std::uint64_t{1} << 32) - 4096);
    }
    return c;
}

void finish(benchmark::State& state, std::size_t bytes_per_item) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n_items));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(n_items * bytes_per_item));
}

void BM_prob_kernel(benchmark::State& state) {
    const auto& p = probabilities();
    for (auto _ : state) {
        ck::simd::xlogx_sums s = ck::simd::sum_xlogx(p.data(), p.size());
        benchmark::DoNotOptimize(s);
    }
    finish(state, 8);
}
void BM_prob_shannon_entropy(benchmark::State& state) {
    const auto& p = probabilities();
    for (auto _ : state) {
        double h = ck::shannon_entropy(p);
        benchmark::DoNotOptimize(h);
    }
    finish(state, 8);
}
void BM_prob_scalar_libm(benchmark::State& state) {
    const auto& p = probabilities();
    for (auto _ : state) {
        double h = 0;
        for (double v : p) {
            if (v > 0) h -= v * std::log(v);
        }
        benchmark::DoNotOptimize(h);
    }
    finish(state, 8);
}
void BM_prob_memory(benchmark::State& state) {
    const auto& p = probabilities();
    for (auto _ : state) {
        double s = ck::simd::sum_plain(p.data(), p.size());
        benchmark::DoNotOptimize(s);
    }
    finish(state, 8);
}

void BM_counts_shannon_entropy(benchmark::State& state) {
    const auto& c = counts(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        double h = ck::shannon_entropy_counts(c);
        benchmark::DoNotOptimize(h);
    }
    finish(state, 8);
}
void BM_counts_scalar_twin(benchmark::State& state) {
    const auto& c = counts(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        ck::simd::clogc_sums s = ck::simd::sum_clogc_scalar(c.data(), c.size());
        benchmark::DoNotOptimize(s);
    }
    finish(state, 8);
}
void BM_counts_scalar_libm(benchmark::State& state) {
    const auto& c = counts(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        double total = 0, s = 0;
        for (std::uint64_t v : c) {
            const double x = static_cast<double>(v);
            total += x;
            if (v > 0) s += x * std::log(x);
        }
        double h = std::log(total) - s / total;
        benchmark::DoNotOptimize(h);
    }
    finish(state, 8);
}
void BM_counts_memory(benchmark::State& state) {
    const auto& c = counts(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        std::uint64_t s = ck::simd::sum_plain(c.data(), c.size());
        benchmark::DoNotOptimize(s);
    }
    finish(state, 8);
}

void print_ratios(const char* what, double ours, double scalar, double memory) {
    std::printf("  %-34s %6.2f G/s   ours/scalar %5.2f (>= 4)   ours/memory %5.2f (>= 0.5)\n", what, ours / 1e9,
                scalar > 0 ? ours / scalar : 0.0, memory > 0 ? ours / memory : 0.0);
}

}  // namespace

BENCHMARK(BM_prob_kernel)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_prob_shannon_entropy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_prob_scalar_libm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_prob_memory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_counts_shannon_entropy)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_counts_scalar_twin)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_counts_scalar_libm)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_counts_memory)->Arg(0)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    std::printf("\nSIMD: %s (%s). Items/s, 1e7 elements:\n", ck::simd_enabled ? "on" : "off",
#if COLLAPSEKIT_HAS_SIMD
                ck::simd::arch_name()
#else
                "scalar"
#endif
    );
    const double p_scalar = reporter.rate("BM_prob_scalar_libm"), p_mem = reporter.rate("BM_prob_memory");
    print_ratios("p: sum_xlogx kernel", reporter.rate("BM_prob_kernel"), p_scalar, p_mem);
    print_ratios("p: shannon_entropy", reporter.rate("BM_prob_shannon_entropy"), p_scalar, p_mem);
    const double c_mem = reporter.rate("BM_counts_memory/0");
    print_ratios("counts < 1000: shannon_entropy_counts", reporter.rate("BM_counts_shannon_entropy/0"),
                 reporter.rate("BM_counts_scalar_libm/0"), c_mem);
    print_ratios("counts < 1000: scalar twin (table)", reporter.rate("BM_counts_scalar_twin/0"),
                 reporter.rate("BM_counts_scalar_libm/0"), c_mem);
    print_ratios("counts >= 4096: shannon_entropy_counts", reporter.rate("BM_counts_shannon_entropy/1"),
                 reporter.rate("BM_counts_scalar_libm/1"), c_mem);
    return 0;
}
