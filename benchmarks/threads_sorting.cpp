// Thread scaling of the sorting paths on 1e7-element inputs: ck::sort_values, wasserstein
// (plain and weighted), ks_2samp, energy_distance, sliced_wasserstein, pairwise
// (wasserstein between 8 samples, mirrored) and weighted_tail_thresholds, each with
// threads = 1 and 2 (the last benchmark argument), beside the memory read with the same
// thread counts. The table after the run gives, per path, the speed-up from 2 threads and
// the share of the memory read reached. Items are input values (both samples counted).
// Steady state: the sort workspace is reused from call to call, as in a user's loop.
#include <collapsekit/pairwise.hpp>
#include <collapsekit/sort.hpp>
#include <collapsekit/tail/quantile.hpp>
#include <collapsekit/wasserstein.hpp>

#include "thread_scaling.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace ck = collapsekit;
using collapsekit_bench::scaling_n;

namespace {

struct inputs {
    std::vector<double> u, v, uw, vw, points_x, points_y;
    std::vector<std::vector<double>> generations;
    inputs() {
        ck::rng g(15);
        ck::normal_distribution z;
        const std::size_t half = scaling_n / 2;
        u.resize(half);
        v.resize(half);
        uw.resize(half);
        vw.resize(half);
        for (std::size_t i = 0; i < half; ++i) {
            u[i] = z(g);
            v[i] = 0.1 + 1.1 * z(g);
            uw[i] = g.uniform();
            vw[i] = g.uniform();
        }
        points_x.resize(half);  // 5e5 points in 10 dimensions
        points_y.resize(half);
        for (std::size_t i = 0; i < half; ++i) points_x[i] = z(g), points_y[i] = 1.2 * z(g);
        for (std::size_t k = 0; k < 8; ++k) {
            generations.emplace_back(scaling_n / 8);
            for (double& x : generations.back()) x = (1.0 - 0.05 * static_cast<double>(k)) * z(g);
        }
    }
};

const inputs& data() {
    static const inputs in;
    return in;
}

ck::execution threads_of(const benchmark::State& state) {
    return ck::threads(static_cast<std::size_t>(state.range(0)));
}

void items(benchmark::State& state, std::size_t per_iteration) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(per_iteration));
}

void BM_sort_values(benchmark::State& state) {
    const auto ex = threads_of(state);
    std::vector<double> x(scaling_n);
    for (auto _ : state) {
        std::memcpy(x.data(), data().u.data(), data().u.size() * sizeof(double));
        std::memcpy(x.data() + data().u.size(), data().v.data(), data().v.size() * sizeof(double));
        ck::sort_values(ex, x);
        benchmark::DoNotOptimize(x.data());
    }
    items(state, scaling_n);
}

template <class F>
void two_sample(benchmark::State& state, F f) {
    const auto ex = threads_of(state);
    for (auto _ : state) {
        auto r = f(ex, data());
        benchmark::DoNotOptimize(r);
    }
    items(state, scaling_n);
}

void BM_wasserstein(benchmark::State& s) {
    two_sample(s, [](const ck::execution& ex, const inputs& d) { return ck::wasserstein(ex, d.u, d.v); });
}
void BM_wasserstein_weighted(benchmark::State& s) {
    two_sample(s, [](const ck::execution& ex, const inputs& d) { return ck::wasserstein(ex, d.u, d.v, d.uw, d.vw); });
}
void BM_ks_2samp(benchmark::State& s) {
    two_sample(s, [](const ck::execution& ex, const inputs& d) { return ck::ks_2samp(ex, d.u, d.v).statistic; });
}
void BM_energy_distance(benchmark::State& s) {
    two_sample(s, [](const ck::execution& ex, const inputs& d) { return ck::energy_distance(ex, d.u, d.v); });
}
void BM_weighted_tail_thresholds(benchmark::State& s) {
    two_sample(s, [](const ck::execution& ex, const inputs& d) {
        return ck::weighted_tail_thresholds(ex, d.u, d.uw, 0.01).lower;
    });
    s.SetItemsProcessed(static_cast<std::int64_t>(s.iterations()) * static_cast<std::int64_t>(scaling_n / 2));
}
void BM_sliced_wasserstein(benchmark::State& s) {
    ck::sliced_options opt;
    opt.projections = 8;
    two_sample(s, [&](const ck::execution& ex, const inputs& d) {
        return ck::sliced_wasserstein(ex, d.points_x, d.points_y, 10, opt).value;
    });
}
void BM_pairwise_wasserstein(benchmark::State& state) {
    const auto ex = threads_of(state);
    for (auto _ : state) {
        auto m = ck::pairwise(ex, data().generations, ck::measures::wasserstein{}, ck::pairwise_symmetry::mirror);
        benchmark::DoNotOptimize(m.values.data());
    }
    // 36 pairs (the diagonal included), each reading two samples of 1.25e6 values.
    items(state, 36 * 2 * (scaling_n / 8));
}

const std::vector<std::string> paths{
    "BM_sort_values",     "BM_wasserstein",        "BM_wasserstein_weighted", "BM_ks_2samp",
    "BM_energy_distance", "BM_sliced_wasserstein", "BM_pairwise_wasserstein", "BM_weighted_tail_thresholds"};

}  // namespace

using collapsekit_bench::BM_memory_read;
BENCHMARK(BM_memory_read)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_sort_values)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wasserstein)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wasserstein_weighted)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ks_2samp)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_energy_distance)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_sliced_wasserstein)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_pairwise_wasserstein)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_weighted_tail_thresholds)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    data();  // built (and its pages faulted in) before any timing
    collapsekit_bench::real_time_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    collapsekit_bench::print_scaling_table(reporter, paths);
    return 0;
}
