// Histogram fill: 1e7 normal doubles into 256 regular bins, the same as floats, and 1e7
// doubles that all fall into one bin. Each is measured for ours (SIMD), ours (scalar
// twin), Boost.Histogram 1.74 (regular axis, filled from the vector) and the memory-read
// reference ck::simd::sum_plain over the same array; the ratios the issue asks for are
// printed after the run.
#include <collapsekit/core/random.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/simd/histogram_fill.hpp>
#include <collapsekit/simd/sum.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <boost/histogram.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace ck = collapsekit;
namespace bh = boost::histogram;

namespace {

constexpr std::size_t n_values = 10'000'000;
constexpr std::size_t n_bins = 256;
constexpr double lo = -4.0, hi = 4.0;

template <class T>
const std::vector<T>& normal_data() {
    static const std::vector<T> x = [] {
        ck::rng g(42);
        ck::normal_distribution d(0.0, 1.0);
        std::vector<T> v(n_values);
        for (T& e : v) e = static_cast<T>(d(g));
        return v;
    }();
    return x;
}

const std::vector<double>& one_bin_data() {
    static const std::vector<double> x(n_values, 0.123);
    return x;
}

template <class T>
const std::vector<T>& data(int which) {
    if constexpr (std::is_same_v<T, double>) {
        if (which == 2) return one_bin_data();
    }
    return normal_data<T>();
}

template <class T>
void finish(benchmark::State& state, const std::string& name) {
    const auto items = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n_values);
    state.SetItemsProcessed(items);
    state.SetBytesProcessed(items * static_cast<std::int64_t>(sizeof(T)));
    (void)name;
}

template <class T>
void BM_ours_simd(benchmark::State& state) {
    const auto& x = data<T>(static_cast<int>(state.range(0)));
    auto h = ck::histogram::regular(n_bins, lo, hi);
    for (auto _ : state) {
        h.fill(x);
        std::uint64_t c = h.counts()[n_bins / 2];
        benchmark::DoNotOptimize(c);
    }
    finish<T>(state, "ours_simd");
}

template <class T>
void BM_ours_scalar(benchmark::State& state) {
    const auto& x = data<T>(static_cast<int>(state.range(0)));
    const auto h = ck::histogram::regular(n_bins, lo, hi);
    const ck::simd::regular_binning b{n_bins, lo, hi, n_bins / (hi - lo), (hi - lo) / n_bins, h.edges().data()};
    std::vector<std::uint64_t> slots(n_bins + ck::simd::histogram_extra_slots, 0);
    for (auto _ : state) {
        ck::simd::histogram_count_scalar(x.data(), x.size(), b, slots.data());
        benchmark::DoNotOptimize(slots.data());
        benchmark::ClobberMemory();
    }
    finish<T>(state, "ours_scalar");
}

template <class T>
void BM_boost(benchmark::State& state) {
    const auto& x = data<T>(static_cast<int>(state.range(0)));
    auto h = bh::make_histogram(bh::axis::regular<double>(n_bins, lo, hi));
    for (auto _ : state) {
        h.fill(x);
        double c = h.at(static_cast<int>(n_bins / 2));
        benchmark::DoNotOptimize(c);
    }
    finish<T>(state, "boost");
}

template <class T>
void BM_memory(benchmark::State& state) {
    const auto& x = data<T>(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        T s = ck::simd::sum_plain(x.data(), x.size());
        benchmark::DoNotOptimize(s);
    }
    finish<T>(state, "memory");
}

}  // namespace

// Argument: 0 = normal doubles (or floats), 2 = every double in one bin.
BENCHMARK_TEMPLATE(BM_ours_simd, double)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ours_scalar, double)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_boost, double)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_memory, double)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ours_simd, float)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_ours_scalar, float)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_boost, float)->Arg(0)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_memory, float)->Arg(0)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    std::printf("\nSIMD: %s. Items/s ratios (targets: ours/memory >= 0.6, ours/Boost >= 5, one-bin/normal >= 1/1.5):\n",
                ck::simd_enabled ? "on" : "off");
    for (const char* t : {"double", "float"}) {
        const std::string s = t;
        const double ours = reporter.rate("BM_ours_simd<" + s + ">/0");
        const double mem = reporter.rate("BM_memory<" + s + ">/0");
        const double boost = reporter.rate("BM_boost<" + s + ">/0");
        const double scalar = reporter.rate("BM_ours_scalar<" + s + ">/0");
        if (ours == 0.0) continue;
        std::printf("  %-6s normal : ours/memory %.2f  ours/Boost %.1f  ours/scalar %.2f\n", t,
                    mem > 0 ? ours / mem : 0.0, boost > 0 ? ours / boost : 0.0, scalar > 0 ? ours / scalar : 0.0);
    }
    const double normal = reporter.rate("BM_ours_simd<double>/0");
    const double one = reporter.rate("BM_ours_simd<double>/2");
    if (normal > 0 && one > 0) {
        std::printf("  double one-bin : one-bin/normal %.2f (slowdown %.2fx)\n", one / normal, normal / one);
    }
    return 0;
}
