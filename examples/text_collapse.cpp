// Model collapse on your own text: a corpus is the human data, an n-gram language model is
// trained on it, then generation after generation on its own output. Three lineages side
// by side: plain sampling, nucleus (top-p 0.9) sampling as deployed models use, and plain
// sampling with 10 % fresh human text in every training set.
//
//   text_collapse corpus.txt                       one document per line
//   text_collapse book.txt --docs paragraphs       documents separated by blank lines
//   text_collapse crawl.jsonl.gz --field text      JSON Lines, gzip-compressed or not
//   text_collapse corpus.txt --csv m.csv --samples-out samples/
// Without a file it uses a short built-in text (so CI can run it). --help lists the
// options. Exit status 0 when done, 2 for bad usage or input (the message names the file
// and the line).
#include <collapsekit/feedback.hpp>
#include <collapsekit/ngram/tokenizer.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "progress.hpp"
#include "text_file.hpp"
#include "text_input.hpp"

namespace ck = collapsekit;
namespace ex = collapsekit_examples;
namespace fb = collapsekit::feedback;
namespace fm = collapsekit::feedback::metrics;
using document = fb::metrics::document;

namespace {

const char* const usage_text =
    "usage: text_collapse [FILE] [options]\n"
    "\n"
    "Trains an n-gram language model on a corpus, then generation after generation on its\n"
    "own output, in three lineages: plain sampling, nucleus (top-p) sampling, and plain\n"
    "sampling with 10% fresh human text in every training set. Prints, per generation,\n"
    "distinct-1/2, word entropy, rare-word survival and KL to the corpus.\n"
    "\n"
    "Input (FILE, or '-' for standard input; without FILE a short built-in text):\n"
    "  --format F          text or jsonl (default: jsonl when --field is given or the name\n"
    "                      ends in .jsonl or .ndjson, before any .gz; else text)\n"
    "  --docs D            text: 'lines' (default): every non-blank line is a document;\n"
    "                      'paragraphs': documents are separated by blank lines\n"
    "  --field NAME        jsonl: one JSON object per line, the text in string field NAME\n"
    "                      (default: text)\n"
    "  --sentences         cut every document into sentences after '.', '!' and '?'\n"
    "  --keep-case         keep upper case (default: ASCII letters are lower-cased)\n"
    "  Gzip-compressed input of either format is recognised by its content.\n"
    "\n"
    "Model and loop:\n"
    "  --order N           n-gram order, 1..4 (default 3)\n"
    "  --generations G     model fits per lineage (default 10)\n"
    "  --samples M         documents written per generation (default: as many as the\n"
    "                      corpus has, at least 200)\n"
    "  --max-length L      a written document is cut after L tokens (default: the longest\n"
    "                      corpus document)\n"
    "  --replicates R      independent repetitions (default 4)\n"
    "  --top-p P           the nucleus lineage's top-p, in (0, 1] (default 0.9)\n"
    "  --seed S            (default 1); the same seed gives the same tables\n"
    "  --threads T         worker threads (default: one per core); results do not depend on it\n"
    "\n"
    "Output (tables on stdout, progress on stderr):\n"
    "  --csv FILE          every replicate's metrics: lineage,replicate,generation,metric,value\n"
    "  --summary-csv FILE  the printed tables: lineage,generation,metric,mean,standard_error,n\n"
    "  --samples-out DIR   DIR/human.txt and DIR/<lineage>.txt: documents written at each\n"
    "                      generation by replicate 0, as text, to read the collapse\n"
    "  --show N            documents per generation in --samples-out (default 5)\n"
    "  --corpus-out DIR    DIR/human.txt (the corpus) and DIR/<lineage>_gen<t>.txt: every\n"
    "                      document replicate 0 wrote at generation t, one per line, as\n"
    "                      input for `collapsekit report` (e.g. human.txt vs plain_gen9.txt)\n"
    "  --quiet             no progress on stderr\n"
    "\n"
    "Exit status: 0 done, 2 bad usage or input.\n";

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::size_t parse_count(const std::string& option, const char* s) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s, &end, 10);
    if (*s == '\0' || *s == '-' || *end != '\0' || errno == ERANGE) {
        throw usage_error(option + " needs a non-negative whole number (got '" + s + "')");
    }
    return static_cast<std::size_t>(v);
}

double parse_real(const std::string& option, const char* s) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (*s == '\0' || *end != '\0') throw usage_error(option + " needs a number (got '" + s + "')");
    return v;
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "top-p 0.9" -> "top-p_0.9", "10% human" -> "10_human": a file name for each lineage.
std::string file_stem(const std::string& name) {
    std::string out;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const char k = std::isalnum(u) || c == '-' || c == '.' ? c : '_';
        if (k != '_' || out.empty() || out.back() != '_') out.push_back(k);
    }
    return out;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    return out + "\"";
}

std::ofstream open_output(const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw usage_error("cannot write " + path);
    return out;
}

// The n-gram model, also keeping the first documents it writes after each fit (the
// driver's output for that generation; later calls in a generation, for contaminated
// human slots, are not recorded). Used for one replicate on one thread only.
class recording_lm {
public:
    using sample_type = fb::ngram_lm::sample_type;

    recording_lm(fb::ngram_lm lm, std::size_t keep, std::shared_ptr<std::vector<std::vector<document>>> sink)
        : lm_(std::move(lm)), keep_(keep), sink_(std::move(sink)) {}

    void fit(ck::view<const document> docs, ck::rng& g) {
        lm_.fit(docs, g);
        record_next_ = true;
    }
    void sample(std::size_t n, ck::rng& g, std::vector<document>& out) const {
        const std::size_t first = out.size();
        lm_.sample(n, g, out);
        if (!record_next_) return;
        record_next_ = false;
        const std::size_t k = std::min(keep_, out.size() - first);
        sink_->emplace_back(out.begin() + static_cast<std::ptrdiff_t>(first),
                            out.begin() + static_cast<std::ptrdiff_t>(first + k));
    }

private:
    fb::ngram_lm lm_;
    std::size_t keep_;
    std::shared_ptr<std::vector<std::vector<document>>> sink_;
    mutable bool record_next_ = false;
};

struct settings {
    std::string path;  // empty: the built-in text
    ex::input_options input;
    bool format_given = false, field_given = false, sentences = false, keep_case = false, quiet = false;
    std::size_t order = 3, generations = 10, samples = 0, max_length = 0, replicates = 4, threads = 0, show = 5;
    double top_p = 0.9;
    std::uint64_t seed = 1;
    std::string csv, summary_csv, samples_out, corpus_out;
};

settings parse_arguments(int argc, char** argv) {
    settings s;
    bool have_path = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc) throw usage_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        } else if (a == "--format") {
            const std::string f = value();
            if (f != "text" && f != "jsonl") throw usage_error("--format must be text or jsonl (got '" + f + "')");
            s.input.format = f == "text" ? ex::input_format::text : ex::input_format::jsonl;
            s.format_given = true;
        } else if (a == "--docs") {
            const std::string d = value();
            if (d != "lines" && d != "paragraphs") {
                throw usage_error("--docs must be lines or paragraphs (got '" + d + "')");
            }
            s.input.unit = d == "lines" ? ex::document_unit::lines : ex::document_unit::paragraphs;
        } else if (a == "--field") {
            s.input.field = value();
            s.field_given = true;
        } else if (a == "--sentences") {
            s.sentences = true;
        } else if (a == "--keep-case") {
            s.keep_case = true;
        } else if (a == "--order") {
            s.order = parse_count(a, value());
        } else if (a == "--generations") {
            s.generations = parse_count(a, value());
        } else if (a == "--samples") {
            s.samples = parse_count(a, value());
            if (s.samples == 0) throw usage_error("--samples must be at least 1");
        } else if (a == "--max-length") {
            s.max_length = parse_count(a, value());
            if (s.max_length == 0) throw usage_error("--max-length must be at least 1");
        } else if (a == "--replicates") {
            s.replicates = parse_count(a, value());
        } else if (a == "--top-p") {
            s.top_p = parse_real(a, value());
        } else if (a == "--seed") {
            s.seed = parse_count(a, value());
        } else if (a == "--threads") {
            s.threads = parse_count(a, value());
        } else if (a == "--csv") {
            s.csv = value();
        } else if (a == "--summary-csv") {
            s.summary_csv = value();
        } else if (a == "--samples-out") {
            s.samples_out = value();
        } else if (a == "--corpus-out") {
            s.corpus_out = value();
        } else if (a == "--show") {
            s.show = parse_count(a, value());
        } else if (a == "--quiet" || a == "-q") {
            s.quiet = true;
        } else if (a.size() > 1 && a[0] == '-') {
            throw usage_error("unknown option " + a + " (--help lists them)");
        } else if (have_path) {
            throw usage_error("one input file only (got '" + s.path + "' and '" + a + "')");
        } else {
            s.path = a;
            have_path = true;
        }
    }
    if (!s.format_given) {
        std::string name = s.path;
        if (ends_with(name, ".gz")) name.resize(name.size() - 3);
        if (s.field_given || ends_with(name, ".jsonl") || ends_with(name, ".ndjson")) {
            s.input.format = ex::input_format::jsonl;
        }
    }
    if (s.field_given && s.input.format != ex::input_format::jsonl) {
        throw usage_error("--field applies to JSONL input only (--format text was given)");
    }
    return s;
}

struct human_corpus {
    std::vector<document> documents;
    ck::vocabulary vocab{(std::size_t{1} << 20) - 2};  // the n-gram model's id limit
    std::size_t tokens = 0, longest = 0;
};

// Reads and tokenises the corpus: one pass, the text of a document dropped once it is ids.
human_corpus read_corpus(const settings& s) {
    human_corpus c;
    ck::tokenizer_options to;
    to.lowercase = !s.keep_case;
    const ck::tokenizer tok(to);
    std::int64_t stops[3] = {-1, -1, -1};
    auto add = [&](std::string_view text, std::size_t) {
        document ids = tok.encode(text, c.vocab);
        if (s.sentences) {
            // Ids are found after encoding, since each stop is a word the text brought in.
            const char* marks[] = {".", "!", "?"};
            for (int k = 0; k < 3; ++k) {
                if (stops[k] < 0) stops[k] = c.vocab.find(marks[k]);
            }
            std::size_t from = 0;
            for (std::size_t i = 0; i < ids.size(); ++i) {
                const auto id = static_cast<std::int64_t>(ids[i]);
                if (id == stops[0] || id == stops[1] || id == stops[2] || i + 1 == ids.size()) {
                    c.documents.emplace_back(ids.begin() + static_cast<std::ptrdiff_t>(from),
                                             ids.begin() + static_cast<std::ptrdiff_t>(i + 1));
                    from = i + 1;
                    c.tokens += c.documents.back().size();
                    c.longest = std::max(c.longest, c.documents.back().size());
                }
            }
            return;
        }
        if (ids.empty()) return;
        c.tokens += ids.size();
        c.longest = std::max(c.longest, ids.size());
        c.documents.push_back(std::move(ids));
    };
    const std::string source = s.path.empty() ? "built-in text" : s.path == "-" ? "<stdin>" : s.path;
    ex::document_reader reader(source, s.input);
    if (s.path.empty()) {
        reader.feed(fb::builtin_text(), add);
    } else {
        ex::read_file(
            s.path, [&](std::string_view chunk) { reader.feed(chunk, add); }, [&] { return reader.lines(); });
    }
    reader.finish(add);
    if (c.documents.empty()) {
        throw ex::input_error(source + ": no documents (" +
                              (s.input.format == ex::input_format::jsonl
                                   ? "no line has a non-blank '" + s.input.field + "'"
                                   : std::string("the text is empty or blank")) +
                              ")");
    }
    return c;
}

std::string make_directory(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) throw usage_error("cannot create directory " + path + " (" + ec.message() + ")");
    return path + "/";
}

// The first `keep` documents each lineage wrote at each generation of replicate 0, by
// lineage then generation. Replicate 0 of a one-replicate run with the same seed is
// replicate 0 of the main run (each replicate has its own random stream), so these are
// documents behind the tables' numbers; running only it costs 1/replicates of the run.
std::vector<std::vector<std::vector<document>>> record_replicate_0(
    const human_corpus& c, const std::vector<fb::lineage<fb::ngram_lm>>& lineages, const fb::simulation_options& main,
    std::size_t keep) {
    std::vector<std::shared_ptr<std::vector<std::vector<document>>>> sinks;
    std::vector<fb::lineage<recording_lm>> recorded;
    for (const auto& l : lineages) {
        sinks.push_back(std::make_shared<std::vector<std::vector<document>>>());
        recorded.push_back({l.name, recording_lm(l.model, keep, sinks.back()), l.policy});
    }
    fb::simulation_options o = main;
    o.replicates = 1;
    o.threads = 1;
    o.provenance = false;
    o.on_progress = nullptr;
    fb::simulate(recorded, fb::human_data<document>::from_samples(c.documents), {}, o);
    std::vector<std::vector<std::vector<document>>> out;
    for (auto& sink : sinks) out.push_back(std::move(*sink));
    return out;
}

void write_samples(const settings& s, const human_corpus& c, const std::vector<fb::lineage<fb::ngram_lm>>& lineages,
                   const std::vector<std::vector<std::vector<document>>>& written) {
    const std::string dir = make_directory(s.samples_out);
    {
        std::ofstream out = open_output(dir + "human.txt");
        out << "Human corpus: " << s.show << " documents drawn at random (seed " << s.seed << ")\n\n";
        ck::rng g(s.seed);
        for (std::size_t k = 0; k < s.show; ++k) {
            out << ex::detokenize(c.documents[static_cast<std::size_t>(g.below(c.documents.size()))], c.vocab) << "\n";
        }
    }
    for (std::size_t l = 0; l < lineages.size(); ++l) {
        std::ofstream out = open_output(dir + file_stem(lineages[l].name) + ".txt");
        out << "Lineage '" << lineages[l].name << "', replicate 0: the first " << s.show
            << " documents written at each generation\n";
        const auto& gens = written[l];
        for (std::size_t t = 0; t < gens.size(); ++t) {
            out << "\n== generation " << t << " ==\n";
            const std::size_t n = std::min(s.show, gens[t].size());
            for (std::size_t k = 0; k < n; ++k) out << ex::detokenize(gens[t][k], c.vocab) << "\n";
        }
        if (!out) throw usage_error("cannot write " + dir + file_stem(lineages[l].name) + ".txt");
    }
}

// Whole corpora, one document per line, for tools that compare two corpora.
void write_corpora(const settings& s, const human_corpus& c, const std::vector<fb::lineage<fb::ngram_lm>>& lineages,
                   const std::vector<std::vector<std::vector<document>>>& written) {
    const std::string dir = make_directory(s.corpus_out);
    auto write = [&](const std::string& name, const std::vector<document>& docs) {
        std::ofstream out = open_output(dir + name);
        for (const auto& d : docs) out << ex::detokenize(d, c.vocab) << "\n";
        if (!out) throw usage_error("cannot write " + dir + name);
    };
    write("human.txt", c.documents);
    for (std::size_t l = 0; l < lineages.size(); ++l) {
        for (std::size_t t = 0; t < written[l].size(); ++t) {
            write(file_stem(lineages[l].name) + "_gen" + std::to_string(t) + ".txt", written[l][t]);
        }
    }
}

int run(const settings& s) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    const human_corpus c = read_corpus(s);
    const std::size_t V = c.vocab.size();
    const double read_seconds = std::chrono::duration<double>(clock::now() - t0).count();
    const std::size_t samples = s.samples ? s.samples : std::max<std::size_t>(200, c.documents.size());
    const std::size_t max_length = s.max_length ? s.max_length : std::max<std::size_t>(1, c.longest);

    std::string unit;
    if (s.input.format == ex::input_format::jsonl) {
        unit = "JSONL field '" + s.input.field + "'";
    } else {
        unit = s.input.unit == ex::document_unit::lines ? "one per line" : "separated by blank lines";
    }
    if (s.sentences) unit += ", cut into sentences";
    std::printf("human corpus: %s, %zu documents (%s), %zu tokens, %zu distinct words and marks\n",
                s.path.empty()  ? "built-in text"
                : s.path == "-" ? "<stdin>"
                                : s.path.c_str(),
                c.documents.size(), unit.c_str(), c.tokens, V - ck::vocabulary::byte_tokens);
    std::printf(
        "model: %zu-gram with backoff; %zu documents of at most %zu tokens per generation, %zu generations, %zu "
        "replicates\n\n",
        s.order, samples, max_length, s.generations, s.replicates);

    fb::ngram_lm_options plain;
    plain.order = s.order;
    plain.max_length = max_length;
    fb::ngram_lm_options nucleus = plain;
    nucleus.controls.top_p = s.top_p;
    char nucleus_name[32];
    std::snprintf(nucleus_name, sizeof nucleus_name, "top-p %g", s.top_p);
    const std::vector<fb::lineage<fb::ngram_lm>> lineages{
        {"plain", fb::ngram_lm(V, plain), fb::policy::replace()},
        {nucleus_name, fb::ngram_lm(V, nucleus), fb::policy::replace()},
        {"10% human", fb::ngram_lm(V, plain), fb::policy::replace().human_floor(0.1)}};
    const std::vector<fb::metric<fb::ngram_lm>> metrics{fm::distinct(1), fm::distinct(2), fm::unigram_entropy(V),
                                                        fm::unigram_rare_survival(V), fm::unigram_kl(V)};
    fb::simulation_options o;
    o.generations = s.generations;
    o.samples = samples;
    o.replicates = s.replicates;
    o.seed = s.seed;
    o.threads = s.threads;
    o.reference_samples = 0;  // the whole corpus is the reference

    const auto mode = ex::progress_mode_for(s.quiet);
    if (mode != ex::progress_mode::quiet) {
        std::fprintf(stderr, "text_collapse: read %zu documents in %s\n", c.documents.size(),
                     ex::duration_text(read_seconds).c_str());
    }
    // All three lineages advance together in each replicate, so progress counts them as one.
    ex::progress_printer progress("3 lineages x " + std::to_string(s.replicates) + " replicates", mode);
    o.on_progress = progress.callback();
    progress.start(s.generations * s.replicates);
    const auto r = fb::simulate(lineages, fb::human_data<document>::from_samples(c.documents), metrics, o);

    const auto summary = r.metrics.summary();
    std::map<std::tuple<std::string, std::size_t, std::string>, double> mean;
    for (const auto& row : summary) mean[{row.lineage, row.generation, row.metric}] = row.mean;
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
        for (const auto& col : cols) std::printf("%9s", col[1]);
        std::printf("\n");
        for (std::size_t t = 0; t < s.generations; ++t) {
            std::printf("%10zu", t);
            for (const auto& col : cols) std::printf("%9.3f", mean.at({l.name, t, col[0]}));
            std::printf("\n");
        }
    }
    if (!s.csv.empty()) {
        std::ofstream out = open_output(s.csv);
        r.metrics.write_csv(out);
        if (!out) throw usage_error("cannot write " + s.csv);
        std::printf("\nwrote %s\n", s.csv.c_str());
    }
    if (!s.summary_csv.empty()) {
        std::ofstream out = open_output(s.summary_csv);
        out << "lineage,generation,metric,mean,standard_error,n\n";
        char num[64];
        for (const auto& row : summary) {
            out << csv_field(row.lineage) << ',' << row.generation << ',' << csv_field(row.metric);
            for (double v : {row.mean, row.standard_error}) {
                std::snprintf(num, sizeof num, "%.17g", v);
                out << ',' << (std::isnan(v) ? "" : num);  // no standard error from one replicate
            }
            out << ',' << row.n << '\n';
        }
        if (!out) throw usage_error("cannot write " + s.summary_csv);
        std::printf("%swrote %s\n", s.csv.empty() ? "\n" : "", s.summary_csv.c_str());
    }
    if (!s.samples_out.empty() || !s.corpus_out.empty()) {
        const std::size_t keep = s.corpus_out.empty() ? s.show : std::numeric_limits<std::size_t>::max();
        const auto written = record_replicate_0(c, lineages, o, keep);
        if (!s.samples_out.empty()) {
            write_samples(s, c, lineages, written);
            std::printf("wrote %s/human.txt and one file per lineage\n", s.samples_out.c_str());
        }
        if (!s.corpus_out.empty()) {
            write_corpora(s, c, lineages, written);
            std::printf("wrote %s/human.txt and <lineage>_gen<t>.txt for each lineage and generation\n",
                        s.corpus_out.c_str());
        }
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_arguments(argc, argv));
    } catch (const std::exception& e) {
        // Usage and input errors, and the library's own checks of the options (e.g. an
        // order above 4): a message, never a core dump or a trace.
        std::fprintf(stderr, "text_collapse: %s\n", e.what());
    }
    return 2;
}
