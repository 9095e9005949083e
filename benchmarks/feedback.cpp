// The feedback driver end to end: a Gaussian model for 1000 generations of 10 000
// samples, and a trigram language model on a 1e6-token corpus for 10 generations
// (each generation writes as many documents as the corpus holds). Reports samples/s and
// wall time; the n-gram fit and sampling are also timed alone, at 1e4 to 1e7 tokens.
//
// Ratios printed at the end, all from this one run on the same tokens (issue 16):
//  - fit against exact distinct-n counting (ck::distinct_ngrams, n = 2 and 3) on a
//    prebuilt corpus of the same tokens: the fit counts three levels of n-grams, and
//    the issue asks for at least half the counting rate (or 40 M tokens/s);
//  - fit, sampling and the 10-generation loop against the model as it was before issue
//    16 (sorted (context, next) pairs, binary search per token), kept below as
//    sorted_ngram_lm, the in-process baseline.
#include <collapsekit/feedback.hpp>
#include <collapsekit/ngram.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;

namespace {

using document = std::vector<std::uint32_t>;
constexpr std::size_t kVocabulary = 50000;
constexpr std::size_t kDocTokens = 20;

// The n-gram model before issue 16, for the before/after ratios: every (context, next)
// pair of every level collected and std::sort-ed; sampling binary-searches the sorted
// contexts of each level, then the cumulative weights. Plain sampling only (no controls).
class sorted_ngram_lm {
public:
    using sample_type = std::vector<std::uint32_t>;
    explicit sorted_ngram_lm(std::size_t vocabulary, std::size_t order = 3) : v_(vocabulary), order_(order) {}

    void fit(ck::view<const document> docs, ck::rng&) {
        std::size_t total = 0;
        for (const auto& d : docs) total += d.size() + 1;
        const std::size_t n = order_;
        const auto bos = static_cast<std::uint32_t>(v_), eos = static_cast<std::uint32_t>(v_ + 1);
        std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> pairs(n);
        for (auto& p : pairs) p.reserve(total);
        std::uint32_t hist[3];
        for (const auto& doc : docs) {
            for (auto& h : hist) h = bos;
            for (std::size_t i = 0; i <= doc.size(); ++i) {
                const std::uint32_t y = i < doc.size() ? doc[i] : eos;
                for (std::size_t c = 0; c < n; ++c) pairs[c].emplace_back(pack(hist, c), y);
                hist[0] = hist[1];
                hist[1] = hist[2];
                hist[2] = y;
            }
        }
        levels_.assign(n, level{});
        std::vector<std::pair<std::uint32_t, double>> entries;
        for (std::size_t c = 0; c < n; ++c) {
            auto& p = pairs[c];
            std::sort(p.begin(), p.end());
            level& lv = levels_[c];
            lv.offsets.push_back(0);
            std::size_t i = 0;
            while (i < p.size()) {
                const std::uint64_t key = p[i].first;
                entries.clear();
                while (i < p.size() && p[i].first == key) {
                    const std::uint32_t y = p[i].second;
                    std::size_t cnt = 0;
                    while (i < p.size() && p[i].first == key && p[i].second == y) ++cnt, ++i;
                    entries.emplace_back(y, static_cast<double>(cnt));
                }
                std::stable_sort(entries.begin(), entries.end(),
                                 [](const auto& a, const auto& b) { return a.second > b.second; });
                double cum = 0.0;
                for (const auto& e : entries) {
                    cum += e.second;
                    lv.next.push_back(e.first);
                    lv.cum.push_back(cum);
                }
                lv.keys.push_back(key);
                lv.offsets.push_back(lv.next.size());
            }
        }
    }

    void sample(std::size_t n, ck::rng& g, std::vector<document>& out) const {
        const auto bos = static_cast<std::uint32_t>(v_), eos = static_cast<std::uint32_t>(v_ + 1);
        out.reserve(out.size() + n);
        for (std::size_t d = 0; d < n; ++d) {
            document doc;
            std::uint32_t hist[3] = {bos, bos, bos};
            while (doc.size() < 256) {
                std::uint32_t y = eos;
                for (std::size_t c = order_; c-- > 0;) {
                    const level& lv = levels_[c];
                    const std::uint64_t key = pack(hist, c);
                    const auto it = std::lower_bound(lv.keys.begin(), lv.keys.end(), key);
                    if (it == lv.keys.end() || *it != key) continue;
                    const auto k = static_cast<std::size_t>(it - lv.keys.begin());
                    const auto first = lv.cum.begin() + static_cast<std::ptrdiff_t>(lv.offsets[k]);
                    const auto last = lv.cum.begin() + static_cast<std::ptrdiff_t>(lv.offsets[k + 1]);
                    const double u = g.uniform() * *(last - 1);
                    auto pos = std::upper_bound(first, last, u);
                    if (pos == last) --pos;
                    y = lv.next[static_cast<std::size_t>(pos - lv.cum.begin())];
                    break;
                }
                if (y == eos) break;
                doc.push_back(y);
                hist[0] = hist[1];
                hist[1] = hist[2];
                hist[2] = y;
            }
            out.push_back(std::move(doc));
        }
    }

private:
    struct level {
        std::vector<std::uint64_t> keys;
        std::vector<std::size_t> offsets;
        std::vector<std::uint32_t> next;
        std::vector<double> cum;
    };
    static std::uint64_t pack(const std::uint32_t* hist, std::size_t c) noexcept {
        std::uint64_t key = 0;
        for (std::size_t j = 3 - c; j < 3; ++j) key = (key << 20) | hist[j];
        return key;
    }
    std::size_t v_, order_;
    std::vector<level> levels_;
};

// `docs` documents of 20 tokens, words drawn from Zipf(1.05) over 50 000 ids (a
// web-text-like rank-frequency law; the contexts are sparse as in real text). 50 000
// documents make the 1e6-token corpus of the loop.
const std::vector<document>& zipf_docs(std::size_t docs) {
    static std::map<std::size_t, std::vector<document>> cache;
    auto it = cache.find(docs);
    if (it != cache.end()) return it->second;
    ck::rng g(1);
    const auto zipf = fb::categorical::zipf(kVocabulary, 1.05);
    std::vector<document> d(docs);
    std::vector<std::uint32_t> t;
    for (auto& doc : d) {
        t.clear();
        zipf.sample(kDocTokens, g, t);
        doc = t;
    }
    return cache.emplace(docs, std::move(d)).first->second;
}
const std::vector<document>& corpus_1e6() { return zipf_docs(50000); }

// The same 1e6 tokens as a ck::corpus, built once (outside the timings).
const ck::corpus& corpus_1e6_flat() {
    static const ck::corpus c = [] {
        const auto& docs = corpus_1e6();
        std::vector<std::uint32_t> tokens;
        std::vector<std::size_t> offsets{0};
        for (const auto& d : docs) {
            tokens.insert(tokens.end(), d.begin(), d.end());
            offsets.push_back(tokens.size());
        }
        return ck::corpus(std::move(tokens), std::move(offsets));
    }();
    return c;
}

double tokens_in(const std::vector<document>& docs) {
    double n = 0;
    for (const auto& d : docs) n += double(d.size());
    return n;
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

// The loop: items are the tokens the 10 generations wrote.
template <class Model>
void ngram_loop(benchmark::State& state, const Model& model, const char* name) {
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
    const std::vector<fb::metric<Model>> metrics{
        fb::metric<Model>::of_sample("tokens", [&tokens](ck::view<const document> x) {
            double n = 0;
            for (const auto& d : x) n += double(d.size());
            tokens += n;
            return n;
        })};
    double seconds = 0, all = 0;
    for (auto _ : state) {
        tokens = 0;
        const auto t0 = std::chrono::steady_clock::now();
        auto r = fb::simulate(model, fb::policy::replace(), human, metrics, o);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        all += tokens;
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(all));
    results[name] = {seconds, tokens, "tokens"};
}

fb::ngram_lm_options with_threads(std::size_t threads) {
    fb::ngram_lm_options o;
    o.threads = threads;
    return o;
}

void BM_ngram_10_generations_1e6_tokens(benchmark::State& state) {
    ngram_loop(state, fb::ngram_lm(kVocabulary), "n-gram (order 3): 10 generations on 1e6 tokens");
}
// The model's own threads (sort and sampling) on both cores; the driver has one replicate.
void BM_ngram_10_generations_1e6_tokens_2_threads(benchmark::State& state) {
    ngram_loop(state, fb::ngram_lm(kVocabulary, with_threads(2)),
               "n-gram (order 3), model on 2 threads: 10 generations on 1e6 tokens");
}
void BM_ngram_10_generations_1e6_tokens_sorted(benchmark::State& state) {
    ngram_loop(state, sorted_ngram_lm(kVocabulary), "n-gram before issue 16: 10 generations on 1e6 tokens");
}

// Fit at 20 * range(0) tokens (items: the tokens, end markers aside) on range(1)
// threads. The model is refitted in place, as the loop does; the first fit (fresh memory)
// is timed apart.
void BM_ngram_fit(benchmark::State& state) {
    const auto& docs = zipf_docs(static_cast<std::size_t>(state.range(0)));
    ck::rng g(3);
    fb::ngram_lm lm(kVocabulary, with_threads(static_cast<std::size_t>(state.range(1))));
    const auto t0 = std::chrono::steady_clock::now();
    lm.fit(ck::as_view(docs), g);
    state.counters["first_fit_ms"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() * 1e3;
    for (auto _ : state) {
        lm.fit(ck::as_view(docs), g);
        benchmark::DoNotOptimize(lm);
    }
    const double n = tokens_in(docs);
    state.SetItemsProcessed(static_cast<std::int64_t>(double(state.iterations()) * n));
    // Seconds per 1e9 tokens: ns per token.
    state.counters["ns/token"] = benchmark::Counter(double(state.iterations()) * n * 1e-9,
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ngram_fit_sorted_1e6_tokens(benchmark::State& state) {
    const auto& docs = corpus_1e6();
    ck::rng g(3);
    for (auto _ : state) {
        sorted_ngram_lm lm(kVocabulary);
        lm.fit(ck::as_view(docs), g);
        benchmark::DoNotOptimize(lm);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(double(state.iterations()) * tokens_in(docs)));
}

// Sampling as many documents as the training corpus holds (items: the tokens written).
template <class Model>
void ngram_sample(benchmark::State& state, const std::vector<document>& docs, Model lm) {
    ck::rng g(4);
    lm.fit(ck::as_view(docs), g);
    std::vector<document> out;
    double tokens = 0;
    for (auto _ : state) {
        out.clear();
        lm.sample(docs.size(), g, out);
        tokens += tokens_in(out);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(tokens));
    state.counters["ns/token"] =
        benchmark::Counter(tokens * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
// Sampling at 20 * range(0) tokens on range(1) threads.
void BM_ngram_sample(benchmark::State& state) {
    ngram_sample(state, zipf_docs(static_cast<std::size_t>(state.range(0))),
                 fb::ngram_lm(kVocabulary, with_threads(static_cast<std::size_t>(state.range(1)))));
}
void BM_ngram_sample_sorted_1e6_tokens(benchmark::State& state) {
    ngram_sample(state, corpus_1e6(), sorted_ngram_lm(kVocabulary));
}

// The counting reference: exact distinct n-grams of the same tokens, prebuilt corpus.
void BM_distinct_ngrams_1e6_tokens(benchmark::State& state) {
    const auto& c = corpus_1e6_flat();
    const auto n = static_cast<std::size_t>(state.range(0));
    std::size_t d = 0;
    for (auto _ : state) {
        d = ck::distinct_ngrams(c, n);
        benchmark::DoNotOptimize(d);
    }
    state.counters["distinct"] = double(d);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

}  // namespace

BENCHMARK(BM_gaussian_1000_generations_x_10000)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_ngram_10_generations_1e6_tokens)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_ngram_10_generations_1e6_tokens_2_threads)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_ngram_10_generations_1e6_tokens_sorted)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_distinct_ngrams_1e6_tokens)->Arg(2)->Arg(3)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ngram_fit)
    ->ArgsProduct({{500, 5000, 50000, 500000}, {1}})
    ->Args({50000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ngram_fit_sorted_1e6_tokens)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ngram_sample)
    ->ArgsProduct({{500, 5000, 50000, 500000}, {1}})
    ->Args({50000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ngram_sample_sorted_1e6_tokens)->Unit(benchmark::kMillisecond)->UseRealTime();

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    collapsekit_bench::rate_reporter reporter(benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    std::printf("\nFeedback loop, one thread, last run of each:\n");
    for (const auto& [name, s] : results) {
        std::printf("  %-54s %8.3f s wall, %6.2f M %s/s\n", name.c_str(), s.seconds, s.samples / s.seconds / 1e6,
                    s.unit);
    }
    auto rate = [&](const std::string& name) { return reporter.rate(name) / 1e6; };
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    const double fit = rate("BM_ngram_fit/50000/1/real_time"), fit2 = rate("BM_ngram_fit/50000/2/real_time"),
                 fit_old = rate("BM_ngram_fit_sorted_1e6_tokens/real_time");
    const double d2 = rate("BM_distinct_ngrams_1e6_tokens/2/real_time"),
                 d3 = rate("BM_distinct_ngrams_1e6_tokens/3/real_time");
    const double smp = rate("BM_ngram_sample/50000/1/real_time"), smp2 = rate("BM_ngram_sample/50000/2/real_time"),
                 smp_old = rate("BM_ngram_sample_sorted_1e6_tokens/real_time");
    const double loop = rate("BM_ngram_10_generations_1e6_tokens/iterations:1/real_time"),
                 loop2 = rate("BM_ngram_10_generations_1e6_tokens_2_threads/iterations:1/real_time"),
                 loop_old = rate("BM_ngram_10_generations_1e6_tokens_sorted/iterations:1/real_time");
    std::printf("\nn-gram LM (order 3) on 1e6 Zipf tokens, M tokens/s, wall clock (issue 16 targets in brackets):\n");
    std::printf(
        "  fit     %7.1f  [>= 40, or >= 0.5 x distinct-n]  x distinct-2 %.2f  x distinct-3 %.2f  x before %.1f\n", fit,
        ratio(fit, d2), ratio(fit, d3), ratio(fit, fit_old));
    std::printf("          %7.1f  on 2 threads                    x distinct-3 %.2f  x before %.1f\n", fit2,
                ratio(fit2, d3), ratio(fit2, fit_old));
    std::printf("  sample  %7.1f  [>= 20]                          x before %.1f\n", smp, ratio(smp, smp_old));
    std::printf("          %7.1f  on 2 threads                    x before %.1f\n", smp2, ratio(smp2, smp_old));
    std::printf("  loop    %7.2f  [>= 20 x before]                 x before %.1f (this run's before: %.2f)\n", loop,
                ratio(loop, loop_old), loop_old);
    std::printf("          %7.2f  model on 2 threads              x before %.1f\n", loop2, ratio(loop2, loop_old));
    std::printf("  distinct-2 %.1f, distinct-3 %.1f (the counting reference, one thread, same tokens)\n", d2, d3);
    return 0;
}
