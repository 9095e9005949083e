// Shared pieces of the thread-scaling benchmark programs (benchmarks/threads_*.cpp):
// the memory-read reference run with the same number of threads as the measure it is
// compared with, and the table of ratios each program prints from one run.
//
// Every threaded path is registered twice, with threads = 1 and threads = 2 as the
// benchmark's last argument, beside BM_memory_read/1 and /2. The table then gives, per
// path, the speed-up from 2 threads and the share of the memory read reached with 1 and
// with 2 threads (items are input elements; the memory read is 8-byte doubles).
#pragma once

#include "rate_reporter.hpp"

#include <collapsekit/build_info.hpp>
#include <collapsekit/core/parallel.hpp>
#include <collapsekit/core/random.hpp>
#include <collapsekit/simd/sum.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace collapsekit_bench {

namespace ck = collapsekit;

inline constexpr std::size_t scaling_n = 10'000'000;

// A threaded call is timed by the wall clock (UseRealTime: the calling thread's CPU time
// says nothing about it); this reporter files those runs under the names the table looks
// up, without Google Benchmark's "/real_time" suffix.
class real_time_reporter : public rate_reporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        std::vector<Run> renamed = runs;
        for (Run& r : renamed) r.run_name.time_type.clear();
        rate_reporter::ReportRuns(renamed);
    }
};

// The physical reference: a plain SIMD sum over 1e7 doubles, in fixed chunks spread over
// the benchmark's thread count.
inline void BM_memory_read(benchmark::State& state) {
    const auto threads = static_cast<std::size_t>(state.range(0));
    std::vector<double> x(scaling_n);
    ck::rng g(1);
    for (double& v : x) v = g.uniform();
    for (auto _ : state) {
        const auto parts = ck::detail::chunked_map<double>(
            ck::threads(threads), x.size(), std::size_t(1) << 18,
            [&](std::size_t b, std::size_t e) { return ck::simd::sum_plain(x.data() + b, e - b); });
        double s = 0;
        for (double p : parts) s += p;
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(scaling_n));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(scaling_n * sizeof(double)));
}

// Prints "path  t2/t1  ours/memory(1)  ours/memory(2)" for each benchmark base name,
// looked up as "<name>/1" and "<name>/2" (names as Google Benchmark prints them,
// without the thread suffix).
inline void print_scaling_table(const rate_reporter& r, const std::vector<std::string>& names) {
    const double m1 = r.rate("BM_memory_read/1");
    const double m2 = r.rate("BM_memory_read/2");
    std::printf("\n%s; %u hardware threads. Ratios from this run (items/s):\n", ck::build_info().c_str(),
                std::thread::hardware_concurrency());
    std::printf("  memory read: 2 threads / 1 thread %.2f\n", m1 > 0 ? m2 / m1 : 0.0);
    std::printf("  %-44s %8s %12s %12s\n", "path", "t2/t1", "vs mem (1)", "vs mem (2)");
    for (const std::string& n : names) {
        const double a = r.rate(n + "/1");
        const double b = r.rate(n + "/2");
        if (a <= 0 || b <= 0) continue;
        std::printf("  %-44s %8.2f %12.2f %12.2f\n", n.c_str(), b / a, m1 > 0 ? a / m1 : 0.0, m2 > 0 ? b / m2 : 0.0);
    }
}

}  // namespace collapsekit_bench
