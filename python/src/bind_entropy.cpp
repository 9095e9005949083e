// Bindings of entropy.hpp: scipy.stats.entropy / differential_entropy conventions, the
// count estimators with standard errors, the picklable EntropyAccumulator, and the exact
// k-nearest-neighbour distances of neighbors.hpp that the k-NN estimators use.
#include <collapsekit/divergence.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/neighbors.hpp>

#include <string>
#include <type_traits>
#include <vector>

#include "common.hpp"

namespace ckpy {

namespace {

using acc = ck::entropy_accumulator;

ck::entropy_estimator estimator_of(const std::string& name) { return ck::parse_entropy_estimator(name); }

// ck::entropy_from_counts with an execution: the threaded estimators (NSB, an integral
// over a handful of sums, runs on one thread).
template <class Counts>
ck::estimate estimate_counts(const ck::execution& ex, const Counts& c, ck::entropy_estimator e, ck::log_base base) {
    switch (e) {
        case ck::entropy_estimator::plugin:
            return ck::plugin_entropy(ex, c, base);
        case ck::entropy_estimator::miller_madow:
            return ck::miller_madow_entropy(ex, c, base);
        case ck::entropy_estimator::grassberger:
            return ck::grassberger_entropy(ex, c, base);
        case ck::entropy_estimator::chao_shen:
            return ck::chao_shen_entropy(ex, c, base);
        case ck::entropy_estimator::james_stein:
            return ck::james_stein_entropy(ex, c, base);
        default:
            return ck::entropy_from_counts(c, e, base);
    }
}

}  // namespace

void bind_entropy(py::module_& m) {
    m.def(
        "entropy",
        [](const py::object& pk, const py::object& qk, std::optional<double> base,
           const std::optional<std::string>& estimator, const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "entropy");
            const auto ex = execution_of(threads, "entropy");
            if (!qk.is_none()) {
                if (estimator && *estimator != "plugin") {
                    throw py::value_error("collapsekit.entropy: estimator applies only without qk (got '" + *estimator +
                                          "')");
                }
                return with_count_pair(pk, "pk", qk, "qk", "entropy", [&](auto p, auto q) {
                    return nogil([&] {
                        return ck::kl_divergence_counts(ex, p, q, base_of(base), ck::zero_support::none(), policy);
                    });
                });
            }
            if (!estimator) {
                return with_counts(pk, "entropy", "pk", [&](auto p) {
                    using T = typename decltype(p)::value_type;
                    return nogil([&] {
                        // Integer input is counts: the count path (a c log c table) is the fast one.
                        if constexpr (std::is_integral_v<T>) {
                            return ck::shannon_entropy_counts(ex, p, base_of(base));
                        } else {
                            return ck::shannon_entropy(ex, p, base_of(base), policy);
                        }
                    });
                });
            }
            const auto e = estimator_of(*estimator);
            return with_counts(pk, "entropy", "pk", [&](auto p) {
                return nogil([&] { return estimate_counts(ex, p, e, base_of(base)).value; });
            });
        },
        py::arg("pk"), py::arg("qk") = py::none(), py::arg("base") = py::none(), py::kw_only(),
        py::arg("estimator") = py::none(), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        "scipy.stats.entropy(pk, qk=None, base=None): Shannon entropy -sum p log p of pk / sum(pk)\n"
        "(pk are probabilities, counts or weights: they are normalised), or with qk the\n"
        "relative entropy sum p log(p / q) of the normalised pk and qk (+inf where p > 0 = q).\n"
        "base=None is nats. estimator= ('plugin', 'miller_madow', 'grassberger', 'chao_shen',\n"
        "'james_stein', 'nsb') treats pk as counts of whole numbers and returns that\n"
        "estimator's value (entropy_estimate gives its standard error too). ValueError for\n"
        "empty, negative, infinite or all-zero input; NaN per nan_policy.\n"
        "threads: 0 (the default) uses every core for inputs big enough to pay (one below that);\n"
        "n >= 1 uses at most n (NSB runs on one). The result is bit-identical for every threads.");

    m.def(
        "entropy_estimate",
        [](const py::object& counts, const std::string& estimator, std::optional<double> base, std::int64_t threads) {
            const auto e = estimator_of(estimator);
            const auto ex = execution_of(threads, "entropy_estimate");
            return with_counts(counts, "entropy_estimate", "counts",
                               [&](auto c) { return nogil([&] { return estimate_counts(ex, c, e, base_of(base)); }); });
        },
        py::arg("counts"), py::arg("estimator") = "plugin", py::arg("base") = py::none(), py::arg("threads") = 0,
        "Shannon entropy of category counts (non-negative whole numbers) by the chosen estimator\n"
        "('plugin', 'miller_madow', 'grassberger', 'chao_shen', 'james_stein', 'nsb'), as an\n"
        "Estimate (value, delta-method standard error or NSB's posterior sd, n = total count).\n"
        "threads: 0 (the default) uses every core for inputs big enough to pay (one below that);\n"
        "n >= 1 uses at most n (NSB runs on one). The result is bit-identical for every threads.");

    m.def(
        "bootstrap_entropy",
        [](const py::object& counts, const std::string& estimator, std::size_t n_resamples, double confidence_level,
           std::uint64_t seed, std::optional<double> base, const std::string& method, std::size_t jackknife_groups,
           std::int64_t threads) {
            const auto e = estimator_of(estimator);
            const auto opt = bootstrap_options_of("bootstrap_entropy", n_resamples, confidence_level, seed, method,
                                                  jackknife_groups);
            const auto ex = execution_of(threads, "bootstrap_entropy");
            return with_counts(counts, "bootstrap_entropy", "counts", [&](auto c) {
                return nogil([&] { return ck::bootstrap_entropy(ex, c, e, opt, base_of(base)); });
            });
        },
        py::arg("counts"), py::arg("estimator") = "plugin", py::arg("n_resamples") = 1000,
        py::arg("confidence_level") = 0.95, py::arg("seed") = 0, py::arg("base") = py::none(),
        py::arg("method") = "percentile", py::arg("jackknife_groups") = 1000, py::arg("threads") = 0,
        "Seeded multinomial bootstrap interval of a count entropy estimator (IntervalEstimate).\n"
        "Each replicate redraws N = sum(counts) observations: observation by observation when\n"
        "N <= 32 x (non-empty categories), else as one conditional binomial per category, so a\n"
        "large N costs no more than its categories. threads=0 (the default) spreads the\n"
        "replicates over every core; the interval is bit-identical for any threads. method:\n"
        "'percentile' or 'BCa' (leave-one-out jackknife, one call per non-empty category;\n"
        "ValueError above jackknife_groups of them).");

    m.def(
        "renyi_entropy",
        [](const py::object& p, double alpha, std::optional<double> base, const std::string& nan_policy,
           std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "renyi_entropy");
            const auto ex = execution_of(threads, "renyi_entropy");
            return with_counts(p, "renyi_entropy", "p", [&](auto v) {
                return nogil([&] { return ck::renyi_entropy(ex, v, alpha, base_of(base), policy); });
            });
        },
        py::arg("p"), py::arg("alpha"), py::arg("base") = py::none(), py::arg("nan_policy") = "raise",
        py::arg("threads") = 0,
        (std::string("Renyi entropy log(sum p^alpha) / (1 - alpha) of p / sum(p); alpha = 0 Hartley, 1 Shannon,\n"
                     "2 collision, inf min-entropy. Orders within 2^-10 of 1 tend to Shannon, orders near\n"
                     "DBL_MAX to the min-entropy (no cancellation, no overflow).") +
         threads_doc)
            .c_str());
    m.def(
        "hill_number",
        [](const py::object& p, double q, const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "hill_number");
            const auto ex = execution_of(threads, "hill_number");
            return with_counts(p, "hill_number", "p",
                               [&](auto v) { return nogil([&] { return ck::hill_number(ex, v, q, policy); }); });
        },
        py::arg("p"), py::arg("q"), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Hill number (effective number of types) exp(H_q) of order q >= 0; unitless.") + threads_doc)
            .c_str());
    m.def(
        "tsallis_entropy",
        [](const py::object& p, double q, std::optional<double> base, const std::string& nan_policy,
           std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "tsallis_entropy");
            const auto ex = execution_of(threads, "tsallis_entropy");
            return with_counts(p, "tsallis_entropy", "p", [&](auto v) {
                return nogil([&] { return ck::tsallis_entropy(ex, v, q, base_of(base), policy); });
            });
        },
        py::arg("p"), py::arg("q"), py::arg("base") = py::none(), py::arg("nan_policy") = "raise",
        py::arg("threads") = 0,
        (std::string("Tsallis entropy k (1 - sum p^q) / (q - 1), k = 1 / ln(base).") + threads_doc).c_str());
    m.def(
        "gini_simpson",
        [](const py::object& p, const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "gini_simpson");
            const auto ex = execution_of(threads, "gini_simpson");
            return with_counts(p, "gini_simpson", "p",
                               [&](auto v) { return nogil([&] { return ck::gini_simpson(ex, v, policy); }); });
        },
        py::arg("p"), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Gini-Simpson index 1 - sum p^2 of p / sum(p).") + threads_doc).c_str());

    m.def(
        "differential_entropy",
        [](const py::object& values, std::optional<std::size_t> window_length, std::optional<double> base,
           const std::string& method, std::size_t k, const std::string& nan_policy) {
            const auto policy = nan_policy_of(nan_policy, "differential_entropy");
            const auto x_points = points_of(values, "differential_entropy", "values");
            const auto& x = x_points.first;
            const std::size_t dim = x_points.second;
            const bool one_d = x.ndim() == 1;
            if (method == "knn" || (method == "auto" && !one_d)) {
                return nogil([&, &x = x, dim = dim] {
                    return ck::differential_entropy_knn(view_of(x), dim, k, base_of(base), policy);
                });
            }
            if (method == "vasicek" || method == "auto") {
                if (!one_d) {
                    throw py::value_error("collapsekit.differential_entropy: method 'vasicek' needs 1-D values");
                }
                return nogil([&, &x = x] {
                    return ck::differential_entropy_vasicek(view_of(x), window_length.value_or(0), base_of(base),
                                                            policy);
                });
            }
            throw py::value_error("collapsekit.differential_entropy: method must be 'auto', 'vasicek' or 'knn' (got '" +
                                  method + "')");
        },
        py::arg("values"), py::kw_only(), py::arg("window_length") = py::none(), py::arg("base") = py::none(),
        py::arg("method") = "auto", py::arg("k") = 1, py::arg("nan_policy") = "raise",
        "Differential entropy of a continuous sample, in units of base (may be negative; -inf for\n"
        "tied values). 1-D values: Vasicek's m-spacing estimate, as\n"
        "scipy.stats.differential_entropy(values, method='vasicek') (window_length None: scipy's\n"
        "floor(sqrt(n) + 0.5)). 2-D (n, d) values or method='knn': Kozachenko-Leonenko with the\n"
        "k-th neighbour distance.");

    m.def(
        "differential_entropy_knn",
        [](const py::object& points, std::size_t k, std::optional<double> base, const std::string& nan_policy,
           std::int64_t threads) {
            const auto ex = execution_of(threads, "differential_entropy_knn");
            const auto policy = nan_policy_of(nan_policy, "differential_entropy_knn");
            const auto x_points = points_of(points, "differential_entropy_knn", "points");
            const auto& x = x_points.first;
            const std::size_t dim = x_points.second;
            return nogil([&, &x = x, dim = dim] {
                return ck::kozachenko_leonenko_entropy(ex, view_of(x), dim, k, base_of(base), policy);
            });
        },
        py::arg("points"), py::arg("k") = 1, py::arg("base") = py::none(), py::arg("nan_policy") = "raise",
        py::arg("threads") = 0,
        "Kozachenko-Leonenko k-NN differential entropy of (n, d) points (1-D: d = 1) as an Estimate:\n"
        "psi(n) - psi(k) + log V_d + (d/n) sum log eps_i. threads: 0 (default) searches on every core\n"
        "when the input is big enough to pay, n >= 1 on at most n; the result is the same, bit for\n"
        "bit, for every value.");

    m.def(
        "differential_entropy_histogram",
        [](const py::object& counts, const py::object& edges, std::optional<double> base) {
            auto e = contiguous<double>(edges, "differential_entropy_histogram", "edges");
            return with_counts(counts, "differential_entropy_histogram", "counts", [&](auto c) {
                return nogil([&] { return ck::differential_entropy_histogram(c, view_of(e), base_of(base)); });
            });
        },
        py::arg("counts"), py::arg("edges"), py::arg("base") = py::none(),
        "Histogram plug-in differential entropy -sum p log p + sum p log w (flat density within bins).");

    m.def(
        "nsb_entropy",
        [](const py::object& counts, std::optional<double> base, std::size_t bins) {
            return with_counts(counts, "nsb_entropy", "counts",
                               [&](auto c) { return nogil([&] { return ck::nsb_entropy(c, base_of(base), bins); }); });
        },
        py::arg("counts"), py::arg("base") = py::none(), py::arg("bins") = 0,
        "NSB (Nemenman-Shafee-Bialek) Shannon entropy of category counts as an Estimate: value =\n"
        "posterior mean of H, standard_error = posterior sd, n = N; in units of base. bins: K, the\n"
        "number of possible categories (0: len(counts); else at least len(counts), the extra ones\n"
        "unobserved); NSB's prior lives on the K-simplex, so K matters. Any total works: from 2^32\n"
        "on, the log-likelihood and the variance are summed without their cancellation; past\n"
        "DBL_MAX the plug-in value is returned (n saturates at 2^64 - 1). ValueError for empty,\n"
        "all-zero, negative, non-whole or non-finite counts, or bins < len(counts).");
    m.def(
        "james_stein_shrinkage",
        [](const py::object& counts, std::int64_t threads) {
            const auto ex = execution_of(threads, "james_stein_shrinkage");
            return with_counts(counts, "james_stein_shrinkage", "counts",
                               [&](auto c) { return nogil([&] { return ck::james_stein_shrinkage(ex, c); }); });
        },
        py::arg("counts"), py::arg("threads") = 0,
        (std::string("The James-Stein shrinkage intensity lambda in [0, 1] towards the uniform 1/K (Hausser &\n"
                     "Strimmer 2009, eq. 6): (1 - sum u^2) / ((N - 1) sum (1/K - u)^2), u = c / N, clipped; the\n"
                     "'james_stein' entropy estimator uses it. Errors as entropy_estimate.") +
         threads_doc)
            .c_str());
    m.def(
        "kth_neighbor_distances",
        [](const py::object& points, const py::object& queries, std::size_t k, std::int64_t threads) {
            constexpr const char* fn = "kth_neighbor_distances";
            const auto ex = execution_of(threads, fn);
            const auto p_points = points_of(points, fn, "points");
            const auto& p = p_points.first;
            const std::size_t dim = p_points.second;
            if (queries.is_none()) {
                return to_numpy(nogil([&] { return ck::kth_neighbor_distances(ex, view_of(p), dim, k); }));
            }
            const auto q_points = points_of(queries, fn, "queries");
            const auto& q = q_points.first;
            const std::size_t qdim = q_points.second;
            if (qdim != dim) {
                throw py::value_error("collapsekit.kth_neighbor_distances: queries and points differ in dimension (" +
                                      std::to_string(qdim) + " vs " + std::to_string(dim) + ")");
            }
            return to_numpy(nogil([&] { return ck::kth_neighbor_distances(ex, view_of(q), view_of(p), dim, k); }));
        },
        py::arg("points"), py::arg("queries") = py::none(), py::arg("k") = 1, py::arg("threads") = 0,
        "Exact Euclidean distance to the k-th nearest neighbour (k-d tree or brute force, both\n"
        "exact). points: (n, d) (1-D: n points in 1-D). queries=None: for each point, its k-th\n"
        "nearest OTHER point of the set (1 <= k < n; a duplicate counts, at distance 0), like\n"
        "scipy.spatial.cKDTree(points).query(points, k + 1)[0][:, k]; otherwise for each query\n"
        "row its k-th nearest point (1 <= k <= n), like cKDTree(points).query(queries, k). Returns\n"
        "a float64 array. ValueError for a bad k, non-finite values or differing dimensions.\n"
        "threads: 0 (default) searches on every core when the input is big enough to pay, n >= 1 on\n"
        "at most n; the distances never depend on it.");

    py::class_<acc> cls(m, "EntropyAccumulator",
                        "Category counts fed incrementally, mergeable (+=, +, merge) and picklable; estimate\n"
                        "the entropy at any time with any count estimator.");
    cls.def(py::init<std::size_t>(), py::arg("categories") = 0)
        .def(
            "add", [](acc& a, std::size_t category, std::uint64_t times) { a.add(category, times); },
            py::arg("category"), py::arg("times") = 1)
        .def(
            "add_observations",
            [](acc& a, const py::object& ids) {
                auto v = whole_vector(ids, "EntropyAccumulator.add_observations", "categories");
                nogil([&] { a.add_observations(view_of(v)); });
            },
            py::arg("categories"),
            "Each element (a non-negative integer id) is one observation. Float ids are taken only\n"
            "when whole (3.0 is 3): a fraction, NaN or inf is a ValueError and nothing is added.")
        .def(
            "add_counts",
            [](acc& a, const py::object& counts) {
                with_counts(counts, "EntropyAccumulator.add_counts", "counts", [&](auto c) {
                    nogil([&] { a.add_counts(c); });
                    return 0;
                });
            },
            py::arg("counts"))
        .def_property_readonly("counts", [](const acc& a) { return to_numpy(a.counts()); })
        .def_property_readonly("total", &acc::total)
        .def_property_readonly("categories", &acc::categories)
        .def("clear", &acc::clear)
        .def(
            "entropy",
            [](const acc& a, const std::string& estimator, std::optional<double> base) {
                return a.entropy(estimator_of(estimator), base_of(base));
            },
            py::arg("estimator") = "plugin", py::arg("base") = py::none());
    def_accumulator(cls);
}

}  // namespace ckpy
