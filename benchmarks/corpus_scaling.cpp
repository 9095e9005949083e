// The flat-cost curves of the corpus paths (issue 16): ns per token
//  - of building a corpus of 1e7 tokens from 10^3, 10^4, 10^5 and 10^6 documents: with
//    corpus::from_documents (sized once from the documents' lengths), with add_document
//    one document at a time (geometric growth), and from int64 documents (the ids Python
//    hands over, range-checked and narrowed), beside a plain copy of the same tokens into
//    a fresh vector (the floor: every build writes fresh memory);
//  - of exact distinct-3 on a prebuilt corpus of 1e6, 1e7 and 3e7 tokens, and 1e8 when
//    COLLAPSEKIT_BENCH_1E8=1 is set (about 2 GB and a few minutes more): steady state
//    (repeated calls, as a loop over generations makes them), the first call (the
//    calling thread's workspace freed before every call), and on every core; beside it,
//    counting every trigram with its count (ngram_counts) at the same sizes.
// Tokens: Zipf(1) over 50 000 ids, as benchmarks/ngram.cpp; distinct-3 documents hold 1000
// tokens. After the table the program prints each curve with its worst ratio to the
// smallest size (issue 16 asks for at most 1.5x for building, 2x for distinct-3).
#include <collapsekit/build_info.hpp>
#include <collapsekit/core/random.hpp>
#include <collapsekit/ngram.hpp>

#include <benchmark/benchmark.h>

#include "rate_reporter.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ck = collapsekit;

namespace {

constexpr std::size_t kBuildTokens = 10'000'000;

// The first `tokens` Zipf ids of one fixed stream (generated once, extended on demand).
const std::vector<std::uint32_t>& zipf_tokens(std::size_t tokens) {
    static std::vector<std::uint32_t> t;
    static ck::rng g(42);
    static ck::zipf_distribution z(50'000, 1.0);
    if (t.size() < tokens) {
        const std::size_t old = t.size();
        t.resize(tokens);
        for (std::size_t i = old; i < tokens; ++i) t[i] = static_cast<std::uint32_t>(z(g) - 1);
    }
    return t;
}

// kBuildTokens tokens cut into `docs` documents of random lengths (mean kBuildTokens / docs,
// from half to one and a half of it), as vectors of T.
template <class T>
const std::vector<std::vector<T>>& documents(std::size_t docs) {
    static std::map<std::size_t, std::vector<std::vector<T>>> cache;
    auto& out = cache[docs];
    if (out.empty()) {
        const auto& t = zipf_tokens(kBuildTokens);
        ck::rng g(docs);
        const std::size_t mean = kBuildTokens / docs;
        std::vector<std::size_t> len(docs);
        std::size_t sum = 0;
        for (auto& l : len) sum += l = mean / 2 + static_cast<std::size_t>(g.below(mean + 1));
        // Cut at the rescaled running sums, so that the documents hold kBuildTokens in all.
        std::size_t at = 0, running = 0;
        out.resize(docs);
        for (std::size_t d = 0; d < docs; ++d) {
            running += len[d];
            const std::size_t end = running * kBuildTokens / sum;
            out[d].assign(t.begin() + static_cast<std::ptrdiff_t>(at), t.begin() + static_cast<std::ptrdiff_t>(end));
            at = end;
        }
    }
    return out;
}

void finish(benchmark::State& state, std::size_t tokens) {
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(tokens));
}

void BM_copy_tokens(benchmark::State& state) {
    const auto& t = zipf_tokens(kBuildTokens);
    for (auto _ : state) {
        std::vector<std::uint32_t> copy(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(kBuildTokens));
        benchmark::DoNotOptimize(copy.data());
    }
    finish(state, kBuildTokens);
}

void BM_from_documents(benchmark::State& state) {
    const auto& docs = documents<std::uint32_t>(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        ck::corpus c = ck::corpus::from_documents(docs);
        benchmark::DoNotOptimize(c);
    }
    finish(state, kBuildTokens);
}

void BM_add_document(benchmark::State& state) {
    const auto& docs = documents<std::uint32_t>(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        ck::corpus c;
        for (const auto& d : docs) c.add_document(d);
        benchmark::DoNotOptimize(c);
    }
    finish(state, kBuildTokens);
}

void BM_from_int64_documents(benchmark::State& state) {
    const auto& docs = documents<std::int64_t>(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        ck::corpus c = ck::corpus::from_documents(docs);
        benchmark::DoNotOptimize(c);
    }
    finish(state, kBuildTokens);
}

// A corpus of the first `tokens` Zipf ids in documents of 1000 tokens (the last shorter);
// one kept at a time, so that 1e8 tokens do not also hold the smaller ones.
const ck::corpus& prebuilt(std::size_t tokens) {
    static std::unique_ptr<ck::corpus> c;
    static std::size_t size = 0;
    if (!c || size != tokens) {
        c.reset();
        const auto& t = zipf_tokens(tokens);
        std::vector<std::size_t> offsets;
        for (std::size_t i = 0; i < tokens; i += 1000) offsets.push_back(i);
        offsets.push_back(tokens);
        c = std::make_unique<ck::corpus>(
            std::vector<std::uint32_t>(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(tokens)), std::move(offsets));
        size = tokens;
    }
    return *c;
}

void distinct3(benchmark::State& state, const ck::execution& ex, bool first_call) {
    const auto& c = prebuilt(static_cast<std::size_t>(state.range(0)));
    std::size_t distinct = 0;
    if (!first_call) distinct = ck::distinct_ngrams(ex, c, 3);  // the workspace grown to this size
    for (auto _ : state) {
        if (first_call) ck::release_ngram_workspace();
        distinct = ck::distinct_ngrams(ex, c, 3);
        benchmark::DoNotOptimize(distinct);
    }
    state.counters["distinct"] = static_cast<double>(distinct);
    finish(state, c.size());
}

// Counting every trigram with its count (the table an n-gram model is fitted from). The
// table is the result, so every call fills fresh memory; one call before the timed ones
// lets the allocator settle at this size, as in a loop over generations.
void BM_ngram_counts3(benchmark::State& state) {
    const auto& c = prebuilt(static_cast<std::size_t>(state.range(0)));
    std::size_t distinct = ck::ngram_counts(c, 3).distinct();
    for (auto _ : state) {
        const ck::ngram_counts t(c, 3);
        distinct = t.distinct();
        benchmark::DoNotOptimize(distinct);
    }
    state.counters["distinct"] = static_cast<double>(distinct);
    finish(state, c.size());
}

void BM_distinct3(benchmark::State& s) { distinct3(s, ck::sequential, false); }
void BM_distinct3_first(benchmark::State& s) { distinct3(s, ck::sequential, true); }
void BM_distinct3_all_threads(benchmark::State& s) { distinct3(s, ck::all_threads, false); }

std::vector<std::int64_t> distinct_sizes() {
    std::vector<std::int64_t> s{1'000'000, 10'000'000, 30'000'000};
    const char* big = std::getenv("COLLAPSEKIT_BENCH_1E8");
    if (big != nullptr && std::strcmp(big, "1") == 0) s.push_back(100'000'000);
    return s;
}

using bench_fn = void (*)(benchmark::State&);

// items/s of name/n, timed on the CPU or on the wall clock (UseRealTime).
double rate_of(const collapsekit_bench::rate_reporter& reporter, const std::string& name, std::int64_t n) {
    const std::string run = name + "/" + std::to_string(n);
    const double r = reporter.rate(run);
    return r > 0 ? r : reporter.rate(run + "/real_time");
}

// One line per benchmark: ns per token at each size and the worst ratio to the first size.
void print_curve(const collapsekit_bench::rate_reporter& reporter, const std::string& name,
                 const std::vector<std::int64_t>& sizes) {
    const double base = rate_of(reporter, name, sizes.front());
    if (base <= 0) return;
    std::printf("  %-26s", name.c_str());
    double worst = 0;
    for (std::int64_t n : sizes) {
        const double r = rate_of(reporter, name, n);
        std::printf(" %9.2f", r > 0 ? 1e9 / r : 0.0);
        if (r > 0) worst = std::max(worst, base / r);
    }
    std::printf("   %.2f\n", worst);
}

void print_header(const char* what, const std::vector<std::int64_t>& sizes) {
    std::printf("  %-26s", what);
    for (std::int64_t n : sizes) std::printf(" %9.0e", static_cast<double>(n));
    std::printf("   worst ratio\n");
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::int64_t> doc_counts{1'000, 10'000, 100'000, 1'000'000};
    const auto sizes = distinct_sizes();
    const std::vector<std::pair<std::string, bench_fn>> build{{"BM_from_documents", BM_from_documents},
                                                              {"BM_add_document", BM_add_document},
                                                              {"BM_from_int64_documents", BM_from_int64_documents}};
    const std::vector<std::pair<std::string, bench_fn>> distinct{{"BM_distinct3", BM_distinct3},
                                                                 {"BM_distinct3_first", BM_distinct3_first},
                                                                 {"BM_distinct3_all_threads", BM_distinct3_all_threads},
                                                                 {"BM_ngram_counts3", BM_ngram_counts3}};
    benchmark::RegisterBenchmark("BM_copy_tokens", BM_copy_tokens)->Unit(benchmark::kMillisecond);
    for (const auto& [name, fn] : build) {
        auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
        for (std::int64_t d : doc_counts) b->Arg(d);
        b->Unit(benchmark::kMillisecond);
    }
    for (const auto& [name, fn] : distinct) {
        auto* b = benchmark::RegisterBenchmark(name.c_str(), fn);
        for (std::int64_t n : sizes) b->Arg(n);
        b->Unit(benchmark::kMillisecond);
        // Threads: wall-clock time (the CPU time of the calling thread alone would flatter).
        if (name == "BM_distinct3_all_threads") b->UseRealTime();
    }
    benchmark::Initialize(&argc, argv);
    collapsekit_bench::rate_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);

    std::printf("\n%s, one thread unless named.\n", ck::build_info().c_str());
    const double copy = reporter.rate("BM_copy_tokens");
    std::printf("Building a corpus of 1e7 tokens: ns per token by number of documents (a plain copy: %.2f)\n",
                copy > 0 ? 1e9 / copy : 0.0);
    print_header("documents", doc_counts);
    for (const auto& b : build) print_curve(reporter, b.first, doc_counts);
    std::printf("Exact distinct-3 and trigram counts on a prebuilt corpus: ns per token by number of tokens\n");
    print_header("tokens", sizes);
    for (const auto& b : distinct) print_curve(reporter, b.first, sizes);
    return 0;
}
