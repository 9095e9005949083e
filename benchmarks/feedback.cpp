// The feedback driver end to end: a Gaussian model for 1000 generations of 10 000
// samples, and a trigram language model on a 1e6-token corpus for 10 generations
// (each generation writes as many documents as the corpus holds). Reports samples/s and
// wall time; the n-gram fit and sampling are also timed alone.
#include <collapsekit/feedback.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;

namespace {

using document = std::vector<std::uint32_t>;
constexpr std::size_t kVocabulary = 50000;

// 1e6 tokens: 50 000 documents of 20 tokens, words drawn from Zipf(1.05) over 50 000 ids
// (a web-text-like rank-frequency law; the contexts are sparse as in real text).
const std::vector<document>& corpus_1e6() {
    static const std::vector<document> docs = [] {
        ck::rng g(1);
        const auto zipf = fb::categorical::zipf(kVocabulary, 1.05);
        std::vector<document> d(50000);
        std::vector<std::uint32_t> t;
        for (auto& doc : d) {
            t.clear();
            zipf.sample(20, g, t);
            doc = t;
        }
        return d;
    }();
    return docs;
}

struct summary {
    double seconds = 0;
    double samples = 0;
    const char* unit = "";
};
std::map<std::string, summary> results;

void BM_gaussian_1000_generations_x_10000(benchmark::State& state) {
    fb::simulation_options o;
    o.generations = 1000;
    o.samples = 10000;
    o.replicates = 1;
    o.threads = 1;
    o.seed = 1;
    o.reference_samples = 1;
    o.provenance = false;
    const auto human = fb::human_data<double>::from_model(fb::gaussian());
    const std::vector<fb::metric<fb::gaussian>> metrics{
        fb::metric<fb::gaussian>::of_model("variance", [](const fb::gaussian& m) { return m.variance(); })};
    double seconds = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = fb::simulate(fb::gaussian(), fb::policy::replace(), human, metrics, o);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        benchmark::DoNotOptimize(r);
    }
    const double samples = 1000.0 * 10000.0;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * samples));
    state.counters["samples/s"] = benchmark::Counter(samples * double(state.iterations()), benchmark::Counter::kIsRate);
    results["gaussian: 1000 generations x 10 000 samples"] = {seconds, samples, "samples"};
}

void BM_ngram_10_generations_1e6_tokens(benchmark::State& state) {
    const auto& docs = corpus_1e6();
    fb::simulation_options o;
    o.generations = 10;
    o.samples = docs.size();
    o.replicates = 1;
    o.threads = 1;
    o.seed = 2;
    o.reference_samples = 1;
    o.provenance = false;
    const auto human = fb::human_data<document>::from_samples(docs);
    double tokens = 0;
    const std::vector<fb::metric<fb::ngram_lm>> metrics{
        fb::metric<fb::ngram_lm>::of_sample("tokens", [&tokens](ck::view<const document> x) {
            double n = 0;
            for (const auto& d : x) n += double(d.size());
            tokens += n;
            return n;
        })};
    double seconds = 0;
    for (auto _ : state) {
        tokens = 0;
        const auto t0 = std::chrono::steady_clock::now();
        auto r = fb::simulate(fb::ngram_lm(kVocabulary), fb::policy::replace(), human, metrics, o);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(double(state.iterations()) * tokens));
    state.counters["tokens/s"] = benchmark::Counter(tokens * double(state.iterations()), benchmark::Counter::kIsRate);
    results["n-gram (order 3): 10 generations on 1e6 tokens"] = {seconds, tokens, "tokens"};
}

void BM_ngram_fit_1e6_tokens(benchmark::State& state) {
    const auto& docs = corpus_1e6();
    ck::rng g(3);
    for (auto _ : state) {
        fb::ngram_lm lm(kVocabulary);
        lm.fit(ck::as_view(docs), g);
        benchmark::DoNotOptimize(lm);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 1000000);
}

void BM_ngram_sample_1e6_tokens(benchmark::State& state) {
    const auto& docs = corpus_1e6();
    ck::rng g(4);
    fb::ngram_lm lm(kVocabulary);
    lm.fit(ck::as_view(docs), g);
    std::vector<document> out;
    double tokens = 0;
    for (auto _ : state) {
        out.clear();
        lm.sample(docs.size(), g, out);
        for (const auto& d : out) tokens += double(d.size());
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(tokens));
}

}  // namespace

BENCHMARK(BM_gaussian_1000_generations_x_10000)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_ngram_10_generations_1e6_tokens)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_ngram_fit_1e6_tokens)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ngram_sample_1e6_tokens)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::printf("\nFeedback loop, one thread, last run of each:\n");
    for (const auto& [name, s] : results) {
        std::printf("  %-48s %8.3f s wall, %6.2f M %s/s\n", name.c_str(), s.seconds, s.samples / s.seconds / 1e6,
                    s.unit);
    }
    return 0;
}
