// Bindings of the report's engines: sample_drift_bootstrap (numbers), count_drift_bootstrap
// (word counts), budget_distinct (distinct-n at equal token budgets), the rows of 2-D
// inputs (energy_rows_bootstrap, sliced_wasserstein_bootstrap) and self_bleu_drift_bootstrap. Each returns a
// dict of plain Python values so that `collapsekit report` only formats them.
#include <collapsekit/budget_distinct.hpp>
#include <collapsekit/count_drift.hpp>
#include <collapsekit/energy_rows.hpp>
#include <collapsekit/sample_drift.hpp>
#include <collapsekit/self_bleu_drift.hpp>
#include <collapsekit/sliced_rows.hpp>
#include <collapsekit/unigram_permutation.hpp>

#include "common.hpp"
#include "progress_relay.hpp"

namespace ckpy {

namespace {

py::dict interval_dict(const ck::interval_estimate& e) {
    py::dict d;
    d["estimate"] = e.estimate;
    d["low"] = e.lower;
    d["high"] = e.upper;
    d["standard_error"] = e.standard_error;
    return d;
}

ck::bootstrap_options report_bootstrap_options(const char* fn, std::size_t n_resamples, double level,
                                               std::uint64_t seed) {
    return bootstrap_options_of(fn, n_resamples, level, seed, "percentile", 1000);
}

// The columns of two 2-D arrays of points (rows), which must agree.
std::size_t common_columns(const py::array_t<double>& a, const py::array_t<double>& b, const char* fn) {
    require_ndim(a, 2, fn, "x");
    require_ndim(b, 2, fn, "y");
    if (a.shape(1) != b.shape(1)) {
        throw py::value_error(std::string("collapsekit.") + fn + ": x and y differ in columns (" +
                              std::to_string(a.shape(1)) + " vs " + std::to_string(b.shape(1)) + ")");
    }
    return static_cast<std::size_t>(a.shape(1));
}

// A measure on the rows of two matrices: its interval and the rows that entered.
py::dict rows_dict(const ck::interval_estimate& e, std::size_t used_x, std::size_t used_y) {
    py::dict out = interval_dict(e);
    out["used_rows_x"] = used_x;
    out["used_rows_y"] = used_y;
    return out;
}

}  // namespace

void bind_report(py::module_& m) {
    m.def(
        "sample_drift_bootstrap",
        [](const py::object& reference, const py::object& other, std::size_t n_resamples, double confidence_level,
           std::uint64_t seed, std::vector<double> quantiles, std::size_t bins, double smoothing,
           std::vector<double> tail_alphas, std::size_t permutations, bool bias_adjust, std::int64_t threads,
           const py::object& progress) {
            constexpr const char* fn = "sample_drift_bootstrap";
            ck::sample_drift_options opt;
            opt.bootstrap = report_bootstrap_options(fn, n_resamples, confidence_level, seed);
            opt.quantiles = std::move(quantiles);
            opt.bins = bins;
            opt.smoothing = smoothing;
            opt.tail_alphas = std::move(tail_alphas);
            opt.permutations = permutations;
            opt.bias_adjust = bias_adjust;
            const auto ex = execution_of(threads, fn);
            auto a = vector_of<double>(reference, fn, "reference");
            auto b = vector_of<double>(other, fn, "other");
            const ck::sample_drift_result r = relay_progress(progress, [&](const ck::work_progress& report) {
                ck::sample_drift_options o = opt;
                o.on_progress = report;
                return ck::sample_drift_bootstrap(ex, view_of(a), view_of(b), o);
            });
            py::dict out, stats;
            for (std::size_t k = 0; k < r.names.size(); ++k) stats[py::str(r.names[k])] = interval_dict(r.intervals[k]);
            out["statistics"] = stats;
            out["edges"] = r.edges;
            out["reference_bins"] = r.reference_bins;
            out["other_bins"] = r.other_bins;
            out["permutations"] = r.permutations;
            out["p_ks"] = r.p_ks;
            out["p_wasserstein"] = r.p_wasserstein;
            out["p_energy"] = r.p_energy;
            return out;
        },
        py::arg("reference"), py::arg("other"), py::arg("n_resamples") = 1000, py::arg("confidence_level") = 0.95,
        py::arg("seed") = 0, py::arg("quantiles") = std::vector<double>{0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99},
        py::arg("bins") = 10, py::arg("smoothing") = 0.5, py::arg("tail_alphas") = std::vector<double>{0.01, 0.05},
        py::arg("permutations") = 1000, py::arg("bias_adjust") = true, py::arg("threads") = 0,
        py::arg("progress") = py::none(),
        "Every drift summary of two numeric samples with two-sample bootstrap percentile\n"
        "intervals from the same replicates (each sample resampled independently; moved by the\n"
        "bootstrap bias estimate unless bias_adjust=False), and\n"
        "permutation p-values of KS, W1 and energy (see include/collapsekit/sample_drift.hpp).\n"
        "Returns {'statistics': {name: {'estimate', 'low', 'high', 'standard_error'}}, 'edges',\n"
        "'reference_bins', 'other_bins', 'permutations', 'p_ks', 'p_wasserstein', 'p_energy'}.\n"
        "progress: None or progress(done, total), called from this thread after each of the\n"
        "n_resamples + permutations units (Ctrl-C and exceptions it raises stop the call).\n"
        "ValueError for empty samples, NaN or infinite values and bad options.");

    m.def(
        "count_drift_bootstrap",
        [](const py::object& reference_counts, const py::object& other_counts, std::size_t n_resamples,
           double confidence_level, std::uint64_t seed, double smoothing, double rare_count, bool bias_adjust,
           std::int64_t threads) {
            constexpr const char* fn = "count_drift_bootstrap";
            ck::count_drift_options opt;
            opt.bootstrap = report_bootstrap_options(fn, n_resamples, confidence_level, seed);
            opt.smoothing = smoothing;
            opt.rare_count = rare_count;
            opt.bias_adjust = bias_adjust;
            const auto ex = execution_of(threads, fn);
            auto a = vector_of<double>(reference_counts, fn, "reference_counts");
            auto b = vector_of<double>(other_counts, fn, "other_counts");
            const ck::count_drift_result r =
                nogil([&] { return ck::count_drift_bootstrap(ex, view_of(a), view_of(b), opt); });
            py::dict stats;
            for (std::size_t k = 0; k < r.names.size(); ++k) stats[py::str(r.names[k])] = interval_dict(r.intervals[k]);
            return stats;
        },
        py::arg("reference_counts"), py::arg("other_counts"), py::arg("n_resamples") = 1000,
        py::arg("confidence_level") = 0.95, py::arg("seed") = 0, py::arg("smoothing") = 0.5,
        py::arg("rare_count") = 2.0, py::arg("bias_adjust") = true, py::arg("threads") = 0,
        "Unigram drift summaries of two count vectors over one vocabulary (KL, JS, entropies,\n"
        "coverage, novelty, Good-Turing missing mass, rare-word survival) with two-sample\n"
        "bootstrap intervals from the same multinomial replicates (include/collapsekit/\n"
        "count_drift.hpp). Returns {name: {'estimate', 'low', 'high', 'standard_error'}}.");

    m.def(
        "energy_rows_bootstrap",
        [](const py::object& x, const py::object& y, std::size_t n_resamples, double confidence_level,
           std::uint64_t seed, std::size_t max_rows, bool bias_adjust, std::int64_t threads) {
            constexpr const char* fn = "energy_rows_bootstrap";
            ck::energy_rows_options opt;
            opt.bootstrap = report_bootstrap_options(fn, n_resamples, confidence_level, seed);
            opt.max_rows = max_rows;
            opt.bias_adjust = bias_adjust;
            const auto ex = execution_of(threads, fn);
            auto a = contiguous<double>(x, fn, "x");
            auto b = contiguous<double>(y, fn, "y");
            const std::size_t dim = common_columns(a, b, fn);
            const ck::energy_rows_result r =
                nogil([&] { return ck::energy_rows_bootstrap(ex, view_of(a), view_of(b), dim, opt); });
            return rows_dict(r.energy, r.used_rows_x, r.used_rows_y);
        },
        py::arg("x"), py::arg("y"), py::arg("n_resamples") = 1000, py::arg("confidence_level") = 0.95,
        py::arg("seed") = 0, py::arg("max_rows") = 1000, py::arg("bias_adjust") = true, py::arg("threads") = 0,
        "Energy distance sqrt(2 E|X-Y| - E|X-X'| - E|Y-Y'|) between the rows of two 2-D arrays\n"
        "(Euclidean), with a two-sample bootstrap interval; samples above max_rows rows are\n"
        "replaced by seeded subsamples (include/collapsekit/energy_rows.hpp). In one column it\n"
        "equals energy_distance. Returns {'estimate', 'low', 'high', 'standard_error',\n"
        "'used_rows_x', 'used_rows_y'}.");

    m.def(
        "sliced_wasserstein_bootstrap",
        [](const py::object& x, const py::object& y, std::size_t n_projections, double p, std::size_t n_resamples,
           double confidence_level, std::uint64_t seed, std::size_t max_rows, bool bias_adjust, std::int64_t threads,
           const py::object& progress) {
            constexpr const char* fn = "sliced_wasserstein_bootstrap";
            ck::sliced_rows_options opt;
            opt.sliced.projections = n_projections;
            opt.sliced.p = p;
            opt.sliced.seed = seed;
            opt.bootstrap = report_bootstrap_options(fn, n_resamples, confidence_level, seed);
            opt.max_rows = max_rows;
            opt.bias_adjust = bias_adjust;
            const auto ex = execution_of(threads, fn);
            auto a = contiguous<double>(x, fn, "x");
            auto b = contiguous<double>(y, fn, "y");
            const std::size_t dim = common_columns(a, b, fn);
            const ck::sliced_rows_result r = relay_progress(progress, [&](const ck::work_progress& report) {
                ck::sliced_rows_options o = opt;
                o.on_progress = report;
                return ck::sliced_wasserstein_bootstrap(ex, view_of(a), view_of(b), dim, o);
            });
            return rows_dict(r.distance, r.used_rows_x, r.used_rows_y);
        },
        py::arg("x"), py::arg("y"), py::arg("n_projections") = 100, py::arg("p") = 2.0, py::arg("n_resamples") = 1000,
        py::arg("confidence_level") = 0.95, py::arg("seed") = 0, py::arg("max_rows") = 10000,
        py::arg("bias_adjust") = true, py::arg("threads") = 0, py::arg("progress") = py::none(),
        "Sliced p-Wasserstein distance between the rows of two 2-D arrays (sliced_wasserstein with\n"
        "n_projections directions seeded by seed), with a two-sample bootstrap interval over the\n"
        "rows (directions fixed); samples above max_rows rows are replaced by seeded subsamples\n"
        "(include/collapsekit/sliced_rows.hpp). Returns {'estimate', 'low', 'high',\n"
        "'standard_error', 'used_rows_x', 'used_rows_y'}. progress as sample_drift_bootstrap's.");

    m.def(
        "self_bleu_drift_bootstrap",
        [](const ck::corpus& reference, const ck::corpus& other, std::size_t sample_size, std::size_t n_resamples,
           double confidence_level, std::uint64_t seed, std::int64_t threads) {
            constexpr const char* fn = "self_bleu_drift_bootstrap";
            ck::self_bleu_drift_options opt;
            opt.sample_size = sample_size;
            opt.seed = seed;
            opt.bootstrap = report_bootstrap_options(fn, n_resamples, confidence_level, seed);
            const auto ex = execution_of(threads, fn);
            const ck::self_bleu_drift_result r =
                nogil([&] { return ck::self_bleu_drift_bootstrap(ex, reference, other, opt); });
            py::dict out;
            out["reference"] = interval_dict(r.reference);
            out["other"] = interval_dict(r.other);
            out["difference"] = interval_dict(r.difference);
            return out;
        },
        py::arg("reference"), py::arg("other"), py::arg("sample_size") = 200, py::arg("n_resamples") = 1000,
        py::arg("confidence_level") = 0.95, py::arg("seed") = 0, py::arg("threads") = 0,
        "Sampled self-BLEU-4 of two Corpus objects (self_bleu_sampled with sample_size hypotheses\n"
        "each, seeded) and of their difference other - reference, with two-sample percentile\n"
        "bootstrap intervals over the hypotheses' scores (include/collapsekit/self_bleu_drift.hpp).\n"
        "Returns {'reference', 'other', 'difference'}, each {'estimate', 'low', 'high',\n"
        "'standard_error'}.");

    m.def(
        "unigram_permutation_test",
        [](const py::object& reference_tokens, const py::object& reference_offsets, const py::object& other_tokens,
           const py::object& other_offsets, std::size_t permutations, std::uint64_t seed, std::int64_t threads,
           const py::object& progress) {
            constexpr const char* fn = "unigram_permutation_test";
            const auto ex = execution_of(threads, fn);
            auto rt = whole_vector<std::uint32_t>(reference_tokens, fn, "reference_tokens");
            auto ro = whole_vector<std::uint64_t>(reference_offsets, fn, "reference_offsets");
            auto ot = whole_vector<std::uint32_t>(other_tokens, fn, "other_tokens");
            auto oo = whole_vector<std::uint64_t>(other_offsets, fn, "other_offsets");
            const ck::unigram_permutation_result r = relay_progress(progress, [&](const ck::work_progress& report) {
                return ck::unigram_permutation_test(ex, view_of(rt), view_of(ro), view_of(ot), view_of(oo),
                                                    permutations, seed, report);
            });
            py::dict out;
            out["js"] = r.js;
            out["p_js"] = r.p_js;
            out["permutations"] = r.permutations;
            return out;
        },
        py::arg("reference_tokens"), py::arg("reference_offsets"), py::arg("other_tokens"), py::arg("other_offsets"),
        py::arg("permutations") = 1000, py::arg("seed") = 0, py::arg("threads") = 0, py::arg("progress") = py::none(),
        "Permutation test of the unigram Jensen-Shannon divergence (nats) between two corpora\n"
        "(token ids + document offsets, Corpus.tokens/.offsets), permuting whole documents\n"
        "between them; p = (1 + #{T* >= T}) / (1 + permutations)\n"
        "(include/collapsekit/unigram_permutation.hpp). Returns {'js', 'p_js', 'permutations'}.\n"
        "progress as sample_drift_bootstrap's.");

    m.def(
        "budget_distinct",
        [](const py::object& reference_tokens, const py::object& reference_offsets, const py::object& other_tokens,
           const py::object& other_offsets, std::vector<std::size_t> orders, std::vector<std::uint64_t> budgets,
           std::size_t draws, double confidence_level, std::uint64_t seed, std::int64_t threads) {
            constexpr const char* fn = "budget_distinct";
            ck::budget_distinct_options opt;
            opt.orders = std::move(orders);
            opt.budgets = std::move(budgets);
            opt.draws = draws;
            opt.level = confidence_level;
            opt.seed = seed;
            const auto ex = execution_of(threads, fn);
            auto rt = whole_vector<std::uint32_t>(reference_tokens, fn, "reference_tokens");
            auto ro = whole_vector<std::uint64_t>(reference_offsets, fn, "reference_offsets");
            auto ot = whole_vector<std::uint32_t>(other_tokens, fn, "other_tokens");
            auto oo = whole_vector<std::uint64_t>(other_offsets, fn, "other_offsets");
            const ck::budget_distinct_result r =
                nogil([&] { return ck::budget_distinct(ex, view_of(rt), view_of(ro), view_of(ot), view_of(oo), opt); });
            auto table = [](const std::vector<std::vector<ck::interval_estimate>>& t) {
                py::list rows;
                for (const auto& row : t) {
                    py::list cells;
                    for (const auto& e : row) cells.append(interval_dict(e));
                    rows.append(cells);
                }
                return rows;
            };
            py::dict out;
            out["reference"] = table(r.reference);
            out["other"] = table(r.other);
            out["difference"] = table(r.difference);
            return out;
        },
        py::arg("reference_tokens"), py::arg("reference_offsets"), py::arg("other_tokens"), py::arg("other_offsets"),
        py::arg("orders") = std::vector<std::size_t>{1, 2, 3, 4}, py::arg("budgets"), py::arg("draws") = 200,
        py::arg("confidence_level") = 0.95, py::arg("seed") = 0, py::arg("threads") = 0,
        "distinct-n of two corpora (token ids + document offsets, Corpus.tokens/.offsets) at equal\n"
        "token budgets: documents drawn without replacement in seeded random orders; per order and\n"
        "budget the mean over the draws and percentile intervals of each side and of the\n"
        "difference (include/collapsekit/budget_distinct.hpp). Returns {'reference', 'other',\n"
        "'difference'}, each [order][budget] -> {'estimate', 'low', 'high', 'standard_error'}.");
}

}  // namespace ckpy
