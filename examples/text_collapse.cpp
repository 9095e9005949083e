// Model collapse on your own text: a plain-text file is the human corpus, an n-gram
// language model is trained on it, then generation after generation on its own output.
// Three lineages side by side: plain sampling, nucleus (top-p 0.9) sampling as deployed
// models use, and plain sampling with 10 % fresh human text in every training set.
//
//   text_collapse [file.txt] [--order N] [--generations G] [--samples M] [--replicates R]
//                 [--top-p P] [--seed S] [--csv out.csv]
// Without a file it uses a short built-in text (so CI can run it).
#include <collapsekit/feedback.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace ck = collapsekit;
namespace fb = collapsekit::feedback;
namespace fm = collapsekit::feedback::metrics;

int main(int argc, char** argv) {
    std::string path, csv;
    std::size_t order = 3, generations = 10, samples = 0, replicates = 4;
    double top_p = 0.9;
    std::uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "text_collapse: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--order") {
            order = std::strtoul(next(), nullptr, 10);
        } else if (a == "--generations") {
            generations = std::strtoul(next(), nullptr, 10);
        } else if (a == "--samples") {
            samples = std::strtoul(next(), nullptr, 10);
        } else if (a == "--replicates") {
            replicates = std::strtoul(next(), nullptr, 10);
        } else if (a == "--top-p") {
            top_p = std::strtod(next(), nullptr);
        } else if (a == "--seed") {
            seed = std::strtoull(next(), nullptr, 10);
        } else if (a == "--csv") {
            csv = next();
        } else if (a == "-h" || a == "--help") {
            std::printf(
                "usage: text_collapse [file.txt] [--order N] [--generations G] [--samples M] "
                "[--replicates R] [--top-p P] [--seed S] [--csv out.csv]\n");
            return 0;
        } else {
            path = a;
        }
    }

    try {
        std::string text;
        if (path.empty()) {
            text = std::string(fb::builtin_text());
        } else {
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "text_collapse: cannot open %s\n", path.c_str());
                return 1;
            }
            std::ostringstream ss;
            ss << in.rdbuf();
            text = ss.str();
        }
        const auto corpus = fb::tokenize_sentences(text);
        const std::size_t V = corpus.words.size();
        if (samples == 0) samples = corpus.documents.size() < 200 ? 200 : corpus.documents.size();
        std::printf("human corpus: %s, %zu sentences, %zu tokens, %zu distinct words\n",
                    path.empty() ? "built-in text" : path.c_str(), corpus.documents.size(), corpus.tokens, V);
        std::printf("model: %zu-gram with backoff; %zu sentences per generation, %zu generations, %zu replicates\n\n",
                    order, samples, generations, replicates);

        fb::ngram_lm_options plain;
        plain.order = order;
        plain.max_length = 128;
        fb::ngram_lm_options nucleus = plain;
        nucleus.controls.top_p = top_p;
        char nucleus_name[32];
        std::snprintf(nucleus_name, sizeof nucleus_name, "top-p %g", top_p);
        const std::vector<fb::lineage<fb::ngram_lm>> lineages{
            {"plain", fb::ngram_lm(V, plain), fb::policy::replace()},
            {nucleus_name, fb::ngram_lm(V, nucleus), fb::policy::replace()},
            {"10% human", fb::ngram_lm(V, plain), fb::policy::replace().human_floor(0.1)}};
        const std::vector<fb::metric<fb::ngram_lm>> metrics{fm::distinct(1), fm::distinct(2), fm::unigram_entropy(V),
                                                            fm::unigram_rare_survival(V), fm::unigram_kl(V)};
        fb::simulation_options o;
        o.generations = generations;
        o.samples = samples;
        o.replicates = replicates;
        o.seed = seed;
        o.reference_samples = 0;  // the whole corpus is the reference
        const auto r = fb::simulate(lineages, fb::human_data<fm::document>::from_samples(corpus.documents), metrics, o);

        std::map<std::tuple<std::string, std::size_t, std::string>, double> mean;
        for (const auto& s : r.metrics.summary()) mean[{s.lineage, s.generation, s.metric}] = s.mean;
        const char* cols[][2] = {{"distinct_1", "dist-1"},
                                 {"distinct_2", "dist-2"},
                                 {"entropy", "entropy"},
                                 {"rare_survival", "rare"},
                                 {"kl", "KL"}};
        std::printf(
            "dist-n = distinct n-grams / n-grams; entropy = word entropy (nats); rare = share of the words\n"
            "used once in the corpus still written; KL = KL(corpus || output) of word frequencies (nats)\n");
        for (const auto& l : lineages) {
            std::printf("\n%s\n%10s", l.name.c_str(), "generation");
            for (const auto& c : cols) std::printf("%9s", c[1]);
            std::printf("\n");
            for (std::size_t t = 0; t < generations; ++t) {
                std::printf("%10zu", t);
                for (const auto& c : cols) std::printf("%9.3f", mean.at({l.name, t, c[0]}));
                std::printf("\n");
            }
        }
        if (!csv.empty()) {
            std::ofstream out(csv);
            r.metrics.write_csv(out);
            std::printf("\nwrote %s\n", csv.c_str());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "text_collapse: %s\n", e.what());
        return 1;
    }
    return 0;
}
