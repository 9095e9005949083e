// Thread scaling of the histogram fills, entropies and divergences (issue 15): each path
// on 1e7-element inputs with threads = 1 and threads = 2 (the last argument), beside the
// memory-read reference run with the same thread counts, and the table of ratios from
// this one run (targets on a 2-core host: t2/t1 >= 1.7 for entropy, KL and JS; the
// histogram at >= 0.6 of the 2-thread memory read).
//
// Times are wall-clock (UseRealTime): a threaded call's CPU time on the calling thread
// says nothing about its speed. The reporter drops the "/real_time" suffix from the
// names so that the table finds "<name>/1" and "<name>/2".
#include "thread_scaling.hpp"

#include <collapsekit/divergence.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/histogram.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ck = collapsekit;
using collapsekit_bench::scaling_n;

// Inputs built once and shared by every benchmark.
struct inputs {
    std::vector<double> p, q, x, w;
    std::vector<float> xf;
    std::vector<std::uint64_t> counts;
    inputs() : p(scaling_n), q(scaling_n), x(scaling_n), w(scaling_n), xf(scaling_n), counts(scaling_n) {
        ck::rng g(15);
        double sp = 0, sq = 0;
        for (std::size_t i = 0; i < scaling_n; ++i) {
            p[i] = g.uniform() + 1e-3;
            q[i] = g.uniform() + 1e-3;
            sp += p[i];
            sq += q[i];
            x[i] = g.uniform() * 4.0 - 2.0;
            xf[i] = static_cast<float>(x[i]);
            w[i] = g.uniform();
            counts[i] = static_cast<std::uint64_t>(g.uniform() * 100.0);
        }
        for (std::size_t i = 0; i < scaling_n; ++i) {
            p[i] /= sp;
            q[i] /= sq;
        }
    }
};

const inputs& data() {
    static const inputs d;
    return d;
}

ck::execution threads_of(const benchmark::State& state) {
    return ck::threads(static_cast<std::size_t>(state.range(0)));
}

template <class F>
void run(benchmark::State& state, F&& f) {
    const ck::execution ex = threads_of(state);
    for (auto _ : state) {
        double v = f(ex);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(scaling_n));
}

void BM_shannon_entropy(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::shannon_entropy(ex, data().p); });
}
void BM_shannon_entropy_counts(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::shannon_entropy_counts(ex, data().counts); });
}
void BM_renyi_entropy_2(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::renyi_entropy(ex, data().p, 2.0); });
}
void BM_kl_divergence(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::kl_divergence(ex, data().p, data().q); });
}
void BM_kl_divergence_counts(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::kl_divergence_counts(ex, data().p, data().q); });
}
void BM_js_divergence(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::js_divergence(ex, data().p, data().q); });
}
void BM_hellinger(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::hellinger(ex, data().p, data().q); });
}
void BM_cross_entropy(benchmark::State& s) {
    run(s, [](const ck::execution& ex) { return ck::cross_entropy(ex, data().p, data().q); });
}

template <class X>
void histogram_fill(benchmark::State& state, const X& x, bool weighted) {
    const ck::execution ex = threads_of(state);
    ck::histogram h = ck::histogram::regular(100, -2.0, 2.0);
    for (auto _ : state) {
        h.reset();
        if (weighted) {
            h.fill(ex, x, data().w);
        } else {
            h.fill(ex, x);
        }
        std::uint64_t t = h.total();
        benchmark::DoNotOptimize(t);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(scaling_n));
}
void BM_histogram_double(benchmark::State& s) { histogram_fill(s, data().x, false); }
void BM_histogram_float(benchmark::State& s) { histogram_fill(s, data().xf, false); }
void BM_histogram_weighted(benchmark::State& s) { histogram_fill(s, data().x, true); }

// Every threaded path, registered with threads = 1 and 2 in main().
const std::vector<std::pair<std::string, void (*)(benchmark::State&)>> paths = {
    {"BM_shannon_entropy", BM_shannon_entropy},
    {"BM_shannon_entropy_counts", BM_shannon_entropy_counts},
    {"BM_renyi_entropy_2", BM_renyi_entropy_2},
    {"BM_kl_divergence", BM_kl_divergence},
    {"BM_kl_divergence_counts", BM_kl_divergence_counts},
    {"BM_js_divergence", BM_js_divergence},
    {"BM_hellinger", BM_hellinger},
    {"BM_cross_entropy", BM_cross_entropy},
    {"BM_histogram_double", BM_histogram_double},
    {"BM_histogram_float", BM_histogram_float},
    {"BM_histogram_weighted", BM_histogram_weighted}};

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    data();  // built (and its pages faulted in) before any timing
    std::vector<std::string> names;
    benchmark::RegisterBenchmark("BM_memory_read", collapsekit_bench::BM_memory_read)->Arg(1)->Arg(2)->UseRealTime();
    for (const auto& [name, fn] : paths) {
        benchmark::RegisterBenchmark(name.c_str(), fn)->Arg(1)->Arg(2)->UseRealTime();
        names.push_back(name);
    }
    collapsekit_bench::real_time_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    collapsekit_bench::print_scaling_table(reporter, names);
    return 0;
}
