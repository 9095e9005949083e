// Metrics against the human reference in the feedback loop, at the size issue 16 measured
// through Python: a Gaussian, 100 samples per generation, the default 10 000-value human
// reference, one thread. Two views:
//  - loop/<metric>/<mode>: simulate with that one metric for 200 generations (items are
//    generations), so the cost includes the loop itself; `variance` (a metric of the fitted
//    model, no comparison) is that loop alone;
//  - call/<metric>/<mode>: one comparison of 100 values with the reference (items are
//    comparisons); step/<metric>: one comparison of 100 values with 100 others, what
//    <metric>_step (against the previous generation) costs every generation.
// mode: bound (the reference prepared once per run, metric::against, what simulate does
// now) or unbound (two(x, reference) every generation, what it did before). ks_2samp is
// the former ks metric, whose exact p-value was computed and dropped.
// At the end: microseconds per generation and per comparison, each loop's ratio to
// `variance` (issue 16's target: within 3x), from this one run.
#include <collapsekit/build_info.hpp>
#include <collapsekit/feedback.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rate_reporter.hpp"

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;

namespace {

using model_metric = fb::metric<fb::gaussian>;

constexpr std::size_t kGenerations = 200;
constexpr std::size_t kSamples = 100;
constexpr std::size_t kReference = 10000;

const std::vector<std::string> kLoopMetrics{"variance", "mean", "w1", "ks", "kl", "tail_retention", "ks_2samp"};
const std::vector<std::string> kDriftMetrics{"w1", "ks", "kl", "tail_retention", "ks_2samp"};

model_metric metric_named(const std::string& name, bool bound) {
    if (name == "ks_2samp") {
        return model_metric::drift(
            "ks", [](ck::view<const double> x, ck::view<const double> r) { return ck::ks_2samp(x, r).statistic; });
    }
    model_metric m = fb::metrics::metric_by_name(name, fb::gaussian());
    if (!bound) m.against = nullptr;
    return m;
}

void BM_loop(benchmark::State& state, const std::string& name, bool bound) {
    const std::vector<model_metric> metrics{metric_named(name, bound)};
    fb::simulation_options o;
    o.generations = kGenerations;
    o.samples = kSamples;
    o.reference_samples = kReference;
    o.replicates = 1;
    o.threads = 1;
    o.seed = 1;
    o.provenance = false;
    const auto human = fb::human_data<double>::from_model(fb::gaussian());
    for (auto _ : state) {
        auto r = fb::simulate(fb::gaussian(), fb::policy::replace(), human, metrics, o);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kGenerations));
}

std::vector<double> normals(std::size_t n, double mean, double sd, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<double> out;
    fb::gaussian(mean, sd).sample(n, g, out);
    return out;
}

// Samples of 100 values, a different one for each call in turn: with one sample over and
// over, the branch predictor learns the sort's and the search's branches, and the cost
// measured is half of what a fresh generation costs.
constexpr std::size_t kInputs = 64;
std::vector<std::vector<double>> inputs(double mean, double sd, std::uint64_t seed) {
    std::vector<std::vector<double>> xs(kInputs);
    for (std::size_t k = 0; k < kInputs; ++k) xs[k] = normals(kSamples, mean, sd, seed + k);
    return xs;
}

void BM_call(benchmark::State& state, const std::string& name, bool bound) {
    const model_metric m = metric_named(name, bound);
    const std::vector<double> r = normals(kReference, 0.0, 1.0, 2);
    const auto xs = inputs(0.1, 0.8, 1000);
    const auto rv = ck::as_view(r);
    std::size_t k = 0;
    if (bound && m.against) {
        const auto f = m.against(rv);
        for (auto _ : state) {
            double v = f(ck::as_view(xs[k++ % kInputs]));
            benchmark::DoNotOptimize(v);
        }
    } else {
        for (auto _ : state) {
            double v = m.two(ck::as_view(xs[k++ % kInputs]), rv);
            benchmark::DoNotOptimize(v);
        }
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

bool is_drift(const std::string& metric) { return metric != "variance" && metric != "mean"; }

// The modes a metric is run in: a metric of one sample has nothing to bind, and
// ks_2samp (the former ks) never bound anything.
std::vector<bool> modes_of(const std::string& metric) {
    if (!is_drift(metric)) return {true};
    if (metric == "ks_2samp") return {false};
    return {true, false};
}

void BM_step(benchmark::State& state, const std::string& name) {
    const model_metric m = metric_named(name, false);
    const auto xs = inputs(0.1, 0.8, 1000), previous = inputs(0.0, 1.0, 5000);
    std::size_t k = 0;
    for (auto _ : state) {
        double v = m.two(ck::as_view(xs[k % kInputs]), ck::as_view(previous[k % kInputs]));
        ++k;
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

std::string loop_name(const std::string& metric, bool bound) {
    if (!is_drift(metric)) return "loop/" + metric;
    return "loop/" + metric + (bound ? "/bound" : "/unbound");
}
std::string call_name(const std::string& metric, bool bound) {
    return "call/" + metric + (bound ? "/bound" : "/unbound");
}

}  // namespace

int main(int argc, char** argv) {
    for (const auto& name : kLoopMetrics) {
        for (bool bound : modes_of(name)) {
            benchmark::RegisterBenchmark(loop_name(name, bound).c_str(), [name, bound](benchmark::State& s) {
                BM_loop(s, name, bound);
            })->Unit(benchmark::kMillisecond);
        }
    }
    for (const auto& name : kDriftMetrics) {
        for (bool bound : modes_of(name)) {
            benchmark::RegisterBenchmark(call_name(name, bound).c_str(), [name, bound](benchmark::State& s) {
                BM_call(s, name, bound);
            })->Unit(benchmark::kMicrosecond);
        }
        benchmark::RegisterBenchmark(("step/" + name).c_str(), [name](benchmark::State& s) {
            BM_step(s, name);
        })->Unit(benchmark::kMicrosecond);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();

    const double variance = reporter.rate("loop/variance");
    if (variance <= 0) return 0;
    const double base_us = 1e6 / variance;
    std::printf("\n%s. Gaussian, %zu samples per generation, %zu-value reference, one thread.\n",
                ck::build_info().c_str(), kSamples, kReference);
    std::printf(
        "Per generation (the loop with this one metric; drift metrics also compare with the previous\n"
        "generation, <name>_step), per comparison with the reference and with the previous\n"
        "generation (100 vs 100, 'step'); ratio = loop / variance loop.\n");
    std::printf("  %-16s %-8s %12s %8s %16s %12s\n", "metric", "mode", "us/generation", "ratio", "us/comparison",
                "us/step");
    for (const auto& name : kLoopMetrics) {
        for (bool bound : modes_of(name)) {
            const double loop = reporter.rate(loop_name(name, bound));
            if (loop <= 0) continue;
            const double call = reporter.rate(call_name(name, bound));
            const double us = 1e6 / loop;
            const char* mode = !is_drift(name) ? "-" : (bound ? "bound" : "unbound");
            std::printf("  %-16s %-8s %12.2f %7.2fx", name.c_str(), mode, us, us / base_us);
            const double step = reporter.rate("step/" + name);
            if (call > 0) {
                std::printf(" %16.2f", 1e6 / call);
            } else {
                std::printf(" %16s", "-");
            }
            if (step > 0) {
                std::printf(" %12.2f\n", 1e6 / step);
            } else {
                std::printf(" %12s\n", "-");
            }
        }
    }
    std::printf("Target (issue 16): every built-in metric within 3x of variance.\n");
    return 0;
}
