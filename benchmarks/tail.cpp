// Retention curve, 20 alphas from 1e-1 to 1e-4, 1e6 reference vs 1e6 generated values.
//
// Items = n + m values read per curve. Compared in the same process with:
//   - a naive baseline: for each alpha, copy and std::sort the reference, read its two
//     numpy-linear quantiles, count G beyond them (what a straightforward loop does);
//   - sort-once baselines: sort R and G once (std::sort, or ck::sort_values' radix sort),
//     then binary-search every threshold in sorted G;
//   - the memory-read reference ck::simd::sum_plain over the same 2e6 values.
// After the run the program prints the ratios of the curve to each of them.
#include <collapsekit/core/random.hpp>
#include <collapsekit/simd/sum.hpp>
#include <collapsekit/sort.hpp>
#include <collapsekit/tail.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace {

constexpr std::size_t kN = 1'000'000;

struct data_set {
    std::vector<double> r, g, both, alphas;
    data_set() : r(kN), g(kN) {
        ck::rng rng(7);
        ck::normal_distribution normal;
        for (double& v : r) v = normal(rng);
        for (double& v : g) v = 0.9 * normal(rng);
        both = r;
        both.insert(both.end(), g.begin(), g.end());
        alphas = ck::log_spaced_alphas(1e-1, 1e-4, 20);
    }
};

const data_set& data() {
    static const data_set d;
    return d;
}

// Process CPU time: the machine is shared, so wall time would charge other jobs to us.
double now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::map<std::string, double>& seconds_per_iteration() {
    static std::map<std::string, double> m;
    return m;
}

void record(benchmark::State& state, const std::string& name, double seconds) {
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(2 * kN));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(2 * kN * sizeof(double)));
    seconds_per_iteration()[name] = seconds / static_cast<double>(state.iterations());
}

// numpy 'linear' quantile of sorted values.
double sorted_linear_quantile(const std::vector<double>& s, double q) {
    const auto p = ck::detail::locate_quantile(s.size(), q, ck::quantile_method::linear);
    return ck::detail::quantile_lerp(s[p.lo], s[p.hi], p.gamma);
}

void BM_retention_curve(benchmark::State& state) {
    const auto& d = data();
    double total = 0;
    for (auto _ : state) {
        auto t0 = now();
        auto c = ck::retention_curve(d.r, d.g, d.alphas, ck::tail_side::both);
        total += now() - t0;
        benchmark::DoNotOptimize(c);
    }
    record(state, "retention_curve", total);
}

void BM_naive_sort_per_alpha(benchmark::State& state) {
    const auto& d = data();
    double total = 0;
    for (auto _ : state) {
        auto t0 = now();
        std::vector<double> out;
        for (double a : d.alphas) {
            std::vector<double> s(d.r);
            std::sort(s.begin(), s.end());
            const double lo = sorted_linear_quantile(s, a), hi = sorted_linear_quantile(s, 1 - a);
            std::size_t beyond = 0;
            for (double v : d.g) beyond += (v < lo || v > hi) ? 1u : 0u;
            out.push_back(static_cast<double>(beyond) / static_cast<double>(kN) / (2 * a));
        }
        total += now() - t0;
        benchmark::DoNotOptimize(out);
    }
    record(state, "naive_sort_per_alpha", total);
}

template <bool Radix>
void BM_sort_once(benchmark::State& state) {
    const auto& d = data();
    double total = 0;
    for (auto _ : state) {
        auto t0 = now();
        std::vector<double> r(d.r), g(d.g);
        if (Radix) {
            ck::sort_values(ck::view<double>(r));
            ck::sort_values(ck::view<double>(g));
        } else {
            std::sort(r.begin(), r.end());
            std::sort(g.begin(), g.end());
        }
        std::vector<double> out;
        for (double a : d.alphas) {
            const double lo = sorted_linear_quantile(r, a), hi = sorted_linear_quantile(r, 1 - a);
            const auto below = std::lower_bound(g.begin(), g.end(), lo) - g.begin();
            const auto above = g.end() - std::upper_bound(g.begin(), g.end(), hi);
            out.push_back(static_cast<double>(below + above) / static_cast<double>(kN) / (2 * a));
        }
        total += now() - t0;
        benchmark::DoNotOptimize(out);
    }
    record(state, Radix ? "sort_once_radix" : "sort_once_std", total);
}

void BM_sum_plain_reference(benchmark::State& state) {
    const auto& d = data();
    double total = 0;
    for (auto _ : state) {
        auto t0 = now();
        double s = ck::simd::sum_plain(d.both.data(), d.both.size());
        total += now() - t0;
        benchmark::DoNotOptimize(s);
    }
    record(state, "sum_plain", total);
}

}  // namespace

BENCHMARK(BM_retention_curve)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_naive_sort_per_alpha)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_sort_once, false)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_sort_once, true)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sum_plain_reference)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    const auto& t = seconds_per_iteration();
    const auto it = t.find("retention_curve");
    if (it == t.end()) return 0;
    const double curve = it->second;
    std::printf("\nretention curve, 20 alphas, 1e6 vs 1e6 (CPU time): %.2f ms = %.1f M values/s\n", curve * 1e3,
                2.0 * kN / curve / 1e6);
    for (const auto& [name, s] : t) {
        if (name == "retention_curve") continue;
        std::printf("  %-22s %8.2f ms  curve is %6.2fx %s\n", name.c_str(), s * 1e3, s > curve ? s / curve : curve / s,
                    s > curve ? "faster" : "slower");
    }
    return 0;
}
