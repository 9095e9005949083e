// collapsekit's main demo: model collapse in three models, and two ways to prevent it.
//
// Each model is trained on human data, then generation after generation on data written
// by its predecessor, under three policies side by side:
//   replace     - train only on the last generation's output,
//   accumulate  - keep all data so far and add the new output,
//   10% human   - replace, but 10 % of every training set is fresh human data.
// Runs in a few seconds with built-in data. Pass a directory to also write every table
// as CSV (tidy: lineage, replicate, generation, metric, value); progress goes to stderr
// unless --quiet:
//   collapse_demo [--quiet] [csv_dir]
#include <collapsekit/build_info.hpp>
#include <collapsekit/feedback.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "progress.hpp"

namespace ck = collapsekit;
namespace ex = collapsekit_examples;
namespace fb = collapsekit::feedback;
namespace fm = collapsekit::feedback::metrics;

namespace {

struct column {
    const char* metric;  // name in the table
    const char* label;   // header
};

constexpr const char* lineage_names[] = {"replace", "accumulate", "10% human"};

template <class Model>
std::vector<fb::lineage<Model>> three_policies(const Model& m) {
    return {{lineage_names[0], m, fb::policy::replace()},
            {lineage_names[1], m, fb::policy::accumulate()},
            {lineage_names[2], m, fb::policy::replace().human_floor(0.10)}};
}

std::vector<std::size_t> shown_generations(std::size_t g) {
    std::vector<std::size_t> out;
    for (std::size_t t : {0, 1, 2, 3, 5, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200}) {
        if (t < g) out.push_back(t);
    }
    if (out.back() != g - 1) out.push_back(g - 1);
    return out;
}

// One aligned table: a row per shown generation, a group of columns per lineage.
void print_table(const fb::simulation_result& r, std::size_t generations, const std::vector<column>& cols,
                 const std::map<std::string, double>& human) {
    std::map<std::tuple<std::string, std::size_t, std::string>, double> mean;
    for (const auto& s : r.metrics.summary()) mean[{s.lineage, s.generation, s.metric}] = s.mean;
    const int w = 9;
    const int group = static_cast<int>(cols.size()) * w;
    std::printf("%10s", "");
    for (const char* l : lineage_names) std::printf(" | %*s", -group, l);
    std::printf("\n%10s", "generation");
    for (std::size_t l = 0; l < 3; ++l) {
        std::printf(" |");
        for (const auto& c : cols) std::printf("%*s", w, c.label);
        std::printf(" ");
    }
    std::printf("\n%10s", "human");
    for (std::size_t l = 0; l < 3; ++l) {
        std::printf(" |");
        for (const auto& c : cols) std::printf("%*.3f", w, human.at(c.metric));
        std::printf(" ");
    }
    std::printf("\n");
    for (std::size_t t : shown_generations(generations)) {
        std::printf("%10zu", t);
        for (const char* l : lineage_names) {
            std::printf(" |");
            for (const auto& c : cols) std::printf("%*.3f", w, mean.at({l, t, c.metric}));
            std::printf(" ");
        }
        std::printf("\n");
    }
}

// The metrics evaluated on a fresh human sample of the same size, for scale.
template <class Model>
std::map<std::string, double> human_row(const std::vector<fb::metric<Model>>& ms,
                                        const fb::human_data<typename Model::sample_type>& human, std::size_t m,
                                        std::size_t ref_size) {
    ck::rng g(99);
    std::vector<typename Model::sample_type> x, ref;
    human.draw(m, g, x);
    if (human.has_pool()) {
        ref = human.pool();
    } else {
        human.draw(ref_size, g, ref);
    }
    std::map<std::string, double> out;
    for (const auto& mt : ms) {
        if (mt.kind == fb::metric_kind::of_sample) out[mt.name] = mt.one(ck::as_view(x));
        if (mt.kind == fb::metric_kind::drift) out[mt.name] = mt.two(ck::as_view(x), ck::as_view(ref));
    }
    return out;
}

void write_csv(const char* dir, const char* name, const fb::simulation_result& r) {
    if (dir == nullptr) return;
    std::ofstream metrics(std::string(dir) + "/" + name + ".csv"), prov(std::string(dir) + "/" + name + "_origin.csv");
    r.metrics.write_csv(metrics);
    r.provenance.write_csv(prov);
}

}  // namespace

int main(int argc, char** argv) {
    const char* csv_dir = nullptr;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--version" || a == "-V") {
            std::printf("%s\n", ck::build_info().c_str());
            return 0;
        }
        if (a == "--help" || a == "-h") {
            std::printf("usage: collapse_demo [--quiet] [--version] [csv_dir]\n");
            return 0;
        }
        if (a == "--quiet" || a == "-q") {
            quiet = true;
        } else if (a.size() > 1 && a[0] == '-') {
            std::fprintf(stderr, "collapse_demo: unknown option %s (usage: collapse_demo [--quiet] [csv_dir])\n",
                         a.c_str());
            return 2;
        } else if (csv_dir == nullptr) {
            csv_dir = argv[i];
        } else {
            std::fprintf(stderr, "collapse_demo: one csv_dir only\n");
            return 2;
        }
    }
    const auto mode = ex::progress_mode_for(quiet);
    const auto start = std::chrono::steady_clock::now();
    std::printf("%s\n", ck::build_info().c_str());
    std::printf("collapsekit %s: model collapse in three models, under three data policies\n", ck::version.string);
    std::printf("Values are means over the replicates; every policy starts from the same human distribution.\n");
    std::printf("Policies: replace = train on the last output only; accumulate = keep all data so far;\n");
    std::printf("          10%% human = replace, with 10%% fresh human data in every training set.\n");

    fb::simulation_options o;
    o.seed = 2024;
    o.replicates = 20;

    // 1. A Gaussian fitted by maximum likelihood.
    {
        const std::size_t M = 50;
        o.generations = 100;
        o.samples = M;
        o.reference_samples = 2000;
        ex::progress_printer progress("gaussian x " + std::to_string(o.replicates) + " replicates", mode);
        o.on_progress = progress.callback();
        const auto human = fb::human_data<double>::from_model(fb::gaussian(0.0, 1.0));
        const std::vector<fb::metric<fb::gaussian>> ms{fm::spread(), fm::tail_retention(0.05), fm::w1(), fm::kl(20)};
        const auto r = fb::simulate(three_policies(fb::gaussian()), human, ms, o);
        std::printf("\n1. Gaussian N(0, 1), refitted (MLE) on %zu samples per generation, %zu replicates\n", M,
                    o.replicates);
        std::printf(
            "   spread = standard deviation of the output; tail = output share beyond the human 5%% and 95%%\n"
            "   quantiles / 10%% (1 = both tails kept; as the spread shrinks the mean wanders off, so one tail\n"
            "   overfills while the other empties); W1 = Wasserstein-1 distance and KL = KL(human || output)\n"
            "   in nats on 20 human-quantile bins, both to the human reference\n");
        print_table(r, o.generations, {{"spread", "spread"}, {"tail_retention", "tail"}, {"w1", "W1"}, {"kl", "KL"}},
                    human_row(ms, human, M, 2000));
        write_csv(csv_dir, "gaussian", r);
    }

    // 2. A categorical (unigram) model of a Zipf vocabulary.
    {
        const std::size_t K = 1000, M = 5000;
        o.generations = 30;
        o.replicates = 10;
        o.samples = M;
        o.reference_samples = 20000;
        ex::progress_printer progress("categorical x " + std::to_string(o.replicates) + " replicates", mode);
        o.on_progress = progress.callback();
        const auto truth = fb::categorical::zipf(K, 1.1);
        const auto human = fb::human_data<std::uint32_t>::from_model(truth);
        const std::vector<fb::metric<fb::categorical>> ms{fm::entropy(K), fm::support(K), fm::token_rare_survival(K),
                                                          fm::token_kl(K)};
        const auto r = fb::simulate(three_policies(fb::categorical(K)), human, ms, o);
        std::printf(
            "\n2. Categorical: Zipf(s = 1.1) over %zu words, refitted on %zu samples per generation, %zu replicates\n",
            K, M, o.replicates);
        std::printf(
            "   entropy = plug-in entropy of the output, nats; words = distinct words written;\n"
            "   rare = share of the rarest human words (those making up 5%% of human text) still written;\n"
            "   KL = KL(human || output), nats, additive smoothing 0.5\n");
        print_table(r, o.generations,
                    {{"entropy", "entropy"}, {"support", "words"}, {"rare_survival", "rare"}, {"kl", "KL"}},
                    human_row(ms, human, M, 20000));
        write_csv(csv_dir, "categorical", r);
    }

    // 3. A trigram language model of a short built-in text.
    {
        const auto text = fb::tokenize_sentences(fb::builtin_text());
        const std::size_t V = text.words.size(), M = 200;
        o.generations = 20;
        o.replicates = 6;
        o.samples = M;
        o.reference_samples = 0;  // the whole text
        ex::progress_printer progress("n-gram text x " + std::to_string(o.replicates) + " replicates", mode);
        o.on_progress = progress.callback();
        const auto human = fb::human_data<fb::metrics::document>::from_samples(text.documents);
        const std::vector<fb::metric<fb::ngram_lm>> ms{fm::unigram_entropy(V), fm::distinct(2),
                                                       fm::unigram_rare_survival(V), fm::unigram_kl(V)};
        fb::ngram_lm_options lo;
        lo.max_length = 64;      // a sentence that has not ended by then is cut
        fb::ngram_lm lm(V, lo);  // order 3, plain sampling
        const auto r = fb::simulate(three_policies(lm), human, ms, o);
        std::printf(
            "\n3. Trigram language model of a %zu-sentence text (%zu words), %zu sentences per generation, %zu "
            "replicates\n",
            text.documents.size(), V, M, o.replicates);
        std::printf(
            "   entropy = word entropy, nats; distinct-2 = distinct bigrams / bigrams;\n"
            "   rare = share of the words used only once in the text that are still written;\n"
            "   KL = KL(text || output) of word frequencies, nats, additive smoothing 0.5\n");
        print_table(r, o.generations,
                    {{"entropy", "entropy"}, {"distinct_2", "dist-2"}, {"rare_survival", "rare"}, {"kl", "KL"}},
                    human_row(ms, human, M, 0));
        // What the text looks like: the loop by hand (fit, sample, refit) for replace.
        ck::rng g(7);
        fb::ngram_lm model = lm;
        std::vector<fb::metrics::document> data = text.documents, out;
        for (std::size_t t = 0; t < o.generations; ++t) {
            model.fit(ck::as_view(data), g);
            out.clear();
            model.sample(M, g, out);
            if (t == 0 || t + 1 == o.generations) {
                std::printf("   replace, generation %2zu writes: \"%s\"\n", t,
                            fb::detokenize(out[0], text.words).c_str());
            }
            data.swap(out);
        }
        write_csv(csv_dir, "text", r);
    }

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("\nDone in %.1f s.%s\n", seconds,
                csv_dir ? " Tables written as CSV." : " Pass a directory to write every table as CSV.");
    return 0;
}
