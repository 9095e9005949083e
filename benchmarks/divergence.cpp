// KL and JS on 1e7-element probability vectors (ours, a scalar libm loop, the memory-read
// reference) and exact W1 on 1e6 vs 1e6 doubles (ours: radix sort + one merge pass,
// against std::sort + the same merge), unweighted and weighted. Prints the ratios the
// issue asks for at the end.
#include <collapsekit/core/random.hpp>
#include <collapsekit/divergence.hpp>
#include <collapsekit/simd/sum.hpp>
#include <collapsekit/sort.hpp>
#include <collapsekit/wasserstein.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ck = collapsekit;

namespace {

constexpr std::size_t kDense = 10'000'000;
constexpr std::size_t kSamples = 1'000'000;

std::vector<double> probability(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<double> x(n);
    for (double& v : x) v = g.uniform_open();
    const double s = ck::accurate_sum(ck::as_view(x));
    for (double& v : x) v /= s;
    return x;
}

const std::vector<double>& P() {
    static const std::vector<double> p = probability(kDense, 1);
    return p;
}
const std::vector<double>& Q() {
    static const std::vector<double> q = probability(kDense, 2);
    return q;
}

std::vector<double> normal_sample(std::size_t n, double mean, double sd, std::uint64_t seed) {
    ck::rng g(seed);
    ck::normal_distribution d(mean, sd);
    std::vector<double> x(n);
    for (double& v : x) v = d(g);
    return x;
}

void BM_kl_ours(benchmark::State& state) {
    const auto& p = P();
    const auto& q = Q();
    for (auto _ : state) {
        double v = ck::kl_divergence(p, q);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kDense));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kDense * 16));
}

void BM_kl_scalar_libm(benchmark::State& state) {
    const auto& p = P();
    const auto& q = Q();
    for (auto _ : state) {
        double s = 0;
        for (std::size_t i = 0; i < kDense; ++i) {
            if (p[i] > 0) s += p[i] * std::log(p[i] / q[i]);
        }
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kDense));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kDense * 16));
}

void BM_js_ours(benchmark::State& state) {
    const auto& p = P();
    const auto& q = Q();
    for (auto _ : state) {
        double v = ck::js_divergence(p, q);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kDense));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kDense * 16));
}

void BM_js_scalar_libm(benchmark::State& state) {
    const auto& p = P();
    const auto& q = Q();
    for (auto _ : state) {
        double s = 0;
        for (std::size_t i = 0; i < kDense; ++i) {
            const double m = p[i] + q[i];
            if (p[i] > 0) s += p[i] * std::log(2 * p[i] / m);
            if (q[i] > 0) s += q[i] * std::log(2 * q[i] / m);
        }
        s *= 0.5;
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kDense));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kDense * 16));
}

void BM_memory_reference(benchmark::State& state) {
    const auto& p = P();
    for (auto _ : state) {
        double s = ck::simd::sum_plain(p.data(), p.size());
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kDense));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kDense * 8));
}

const std::vector<double>& U() {
    static const std::vector<double> u = normal_sample(kSamples, 0.0, 1.0, 3);
    return u;
}
const std::vector<double>& V() {
    static const std::vector<double> v = normal_sample(kSamples, 0.3, 1.4, 4);
    return v;
}

void BM_w1_ours(benchmark::State& state) {
    const auto& u = U();
    const auto& v = V();
    for (auto _ : state) {
        double w = ck::wasserstein(u, v);
        benchmark::DoNotOptimize(w);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * kSamples));
}

// The baseline: copy, std::sort each sample, then the same one-pass quantile merge.
void BM_w1_std_sort_merge(benchmark::State& state) {
    const auto& u0 = U();
    const auto& v0 = V();
    for (auto _ : state) {
        std::vector<double> u(u0), v(v0);
        std::sort(u.begin(), u.end());
        std::sort(v.begin(), v.end());
        const std::size_t n = u.size(), m = v.size();
        std::size_t i = 0, j = 0;
        std::uint64_t t = 0, a = m, b = n;
        double acc = 0;
        while (i < n && j < m) {
            const std::uint64_t next = std::min(a, b);
            acc += static_cast<double>(next - t) * std::abs(u[i] - v[j]);
            t = next;
            if (a == next) ++i, a += m;
            if (b == next) ++j, b += n;
        }
        double w = acc / (static_cast<double>(n) * static_cast<double>(m));
        benchmark::DoNotOptimize(w);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * kSamples));
}

const std::vector<double>& uniform_weights(std::uint64_t seed) {
    static std::map<std::uint64_t, std::vector<double>> w;
    auto& x = w[seed];
    if (x.empty()) {
        ck::rng g(seed);
        x.resize(kSamples);
        for (double& v : x) v = g.uniform();
    }
    return x;
}

void BM_w1_weighted_ours(benchmark::State& state) {
    const auto& u = U();
    const auto& v = V();
    const auto& uw = uniform_weights(5);
    const auto& vw = uniform_weights(6);
    for (auto _ : state) {
        double w = ck::wasserstein(u, v, uw, vw);
        benchmark::DoNotOptimize(w);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * kSamples));
}

// The weighted baseline: (value, weight) pairs sorted with std::sort, as the library did
// before, cumulative weight fractions, then the merge of the quantile functions.
void BM_w1_weighted_std_sort_merge(benchmark::State& state) {
    const auto& u0 = U();
    const auto& v0 = V();
    const auto& uw = uniform_weights(5);
    const auto& vw = uniform_weights(6);
    auto sorted = [](const std::vector<double>& x, const std::vector<double>& w, std::vector<double>& xs,
                     std::vector<double>& c) {
        std::vector<std::pair<double, double>> xw(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) xw[i] = {x[i], w[i]};
        std::sort(xw.begin(), xw.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
        xs.resize(x.size());
        c.resize(x.size());
        double s = 0;
        for (std::size_t i = 0; i < xw.size(); ++i) xs[i] = xw[i].first, c[i] = s += xw[i].second;
        for (double& f : c) f /= s;
        c.back() = 1.0;
    };
    for (auto _ : state) {
        std::vector<double> u, cu, v, cv;
        sorted(u0, uw, u, cu);
        sorted(v0, vw, v, cv);
        std::size_t i = 0, j = 0;
        double t = 0, acc = 0;
        while (i < u.size() && j < v.size()) {
            const double next = std::min(cu[i], cv[j]);
            acc += (next - t) * std::abs(u[i] - v[j]);
            t = next;
            if (cu[i] == next) ++i;
            if (cv[j] == next) ++j;
        }
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 2 * kSamples));
}

// Both sorts work on a buffer allocated once: a fresh copy per iteration measured page
// faults, whose number depended on what glibc's heap kept from the benchmarks before.
void BM_sort_values(benchmark::State& state) {
    const auto& u0 = U();
    std::vector<double> u(u0.size());
    for (auto _ : state) {
        std::copy(u0.begin(), u0.end(), u.begin());
        ck::sort_values(u);
        benchmark::DoNotOptimize(u.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}

void BM_std_sort(benchmark::State& state) {
    const auto& u0 = U();
    std::vector<double> u(u0.size());
    for (auto _ : state) {
        std::copy(u0.begin(), u0.end(), u.begin());
        std::sort(u.begin(), u.end());
        benchmark::DoNotOptimize(u.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kSamples));
}

// Keeps items/s per benchmark so the ratios can be printed after the run.
}  // namespace

BENCHMARK(BM_memory_reference)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kl_ours)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kl_scalar_libm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_js_ours)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_js_scalar_libm)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_w1_ours)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_w1_std_sort_merge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_w1_weighted_ours)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_w1_weighted_std_sort_merge)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sort_values)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_std_sort)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    auto ratio = [&](const char* a, const char* b) {
        const double ra = reporter.rate(a), rb = reporter.rate(b);
        return ra > 0 && rb > 0 ? ra / rb : -1.0;
    };
#if COLLAPSEKIT_HAS_SIMD
    std::printf("\nSIMD: %s\n", ck::simd::arch_name());
#else
    std::printf("\nSIMD: off (scalar twins)\n");
#endif
    std::printf("KL  ours / scalar libm loop     : %.2fx (target >= 4)\n", ratio("BM_kl_ours", "BM_kl_scalar_libm"));
    std::printf("KL  ours / memory reference     : %.2fx (target >= 0.5)\n",
                ratio("BM_kl_ours", "BM_memory_reference"));
    std::printf("JS  ours / scalar libm loop     : %.2fx (target >= 4)\n", ratio("BM_js_ours", "BM_js_scalar_libm"));
    std::printf("JS  ours / memory reference     : %.2fx (target >= 0.5)\n",
                ratio("BM_js_ours", "BM_memory_reference"));
    std::printf("W1  ours / std::sort + merge    : %.2fx (target >= 3)\n", ratio("BM_w1_ours", "BM_w1_std_sort_merge"));
    std::printf("W1w ours / std::sort pairs+merge: %.2fx (weighted, 1e6 vs 1e6)\n",
                ratio("BM_w1_weighted_ours", "BM_w1_weighted_std_sort_merge"));
    std::printf("sort_values / std::sort (1e6)   : %.2fx\n", ratio("BM_sort_values", "BM_std_sort"));
    benchmark::Shutdown();
    return 0;
}
