// Bindings of tail.hpp: tail mass and retention of generated samples against a
// reference, retention curves, extremes, the Hill index, and discrete coverage.
#include <collapsekit/tail.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"

namespace ckpy {

namespace {

ck::tail_side side_of(const std::string& s) {
    if (s == "left") return ck::tail_side::left;
    if (s == "right") return ck::tail_side::right;
    if (s == "both") return ck::tail_side::both;
    throw py::value_error("collapsekit: side must be 'left', 'right' or 'both' (got '" + s + "')");
}

ck::quantile_method method_of(const std::string& s) {
    if (s == "linear") return ck::quantile_method::linear;
    if (s == "inverted_cdf") return ck::quantile_method::inverted_cdf;
    throw py::value_error("collapsekit: method must be 'linear' or 'inverted_cdf' (got '" + s + "')");
}

const char* const sample_args_doc =
    "\n\nreference, generated: 1-D samples (any numeric dtype; float64/float32 without a copy).\n"
    "alpha in (0, 0.5]; side 'left' (below R's alpha quantile), 'right' (above its 1 - alpha\n"
    "quantile) or 'both'; method: numpy's quantile method, 'linear' (default) or\n"
    "'inverted_cdf'. ValueError for empty samples, a bad alpha or an infinite reference value;\n"
    "NaN per nan_policy.";

// reference/generated pair + alpha + side + nan_policy + method, returning f(...).
template <class F>
void bind_two_sample(py::module_& m, const char* name, const std::string& doc, F f) {
    const std::string fn = name;
    m.def(
        name,
        [f, fn](const py::object& reference, const py::object& generated, double alpha, const std::string& side,
                const std::string& nan_policy, const std::string& method) {
            const auto s = side_of(side);
            const auto policy = nan_policy_of(nan_policy, fn.c_str());
            const auto meth = method_of(method);
            return with_float_pair(reference, "reference", generated, "generated", fn.c_str(), [&](auto r, auto g) {
                return nogil([&] { return f(r, g, alpha, s, policy, meth); });
            });
        },
        py::arg("reference"), py::arg("generated"), py::arg("alpha") = 0.05, py::arg("side") = "both",
        py::arg("nan_policy") = "raise", py::arg("method") = "linear", (doc + sample_args_doc).c_str());
}

template <class F>
void bind_count_pair(py::module_& m, const char* name, const char* doc, F f) {
    const std::string fn = name;
    m.def(
        name,
        [f, fn](const py::object& reference_counts, const py::object& generated_counts) {
            return with_count_pair(reference_counts, "reference_counts", generated_counts, "generated_counts",
                                   fn.c_str(), [&](auto r, auto g) { return nogil([&] { return f(r, g); }); });
        },
        py::arg("reference_counts"), py::arg("generated_counts"), doc);
}

ck::rare_categories rule_of(const std::string& rule, double value) {
    if (rule == "at_most_count") return ck::rare_categories::at_most_count(value);
    if (rule == "at_most_frequency") return ck::rare_categories::at_most_frequency(value);
    if (rule == "bottom_mass") return ck::rare_categories::bottom_mass(value);
    throw py::value_error(
        "collapsekit.rare_category_retention: rule must be 'at_most_count', 'at_most_frequency' or 'bottom_mass' "
        "(got '" +
        rule + "')");
}

carray<double> weights_of(const py::object& w, const char* fn, const char* arg) {
    return vector_of<double>(w, fn, arg);
}

const char* const weighted_args_doc =
    "\n\nreference, generated: 1-D samples (float64/float32 read in place); reference_weights,\n"
    "generated_weights: one finite, non-negative weight per value, positive total (float64).\n"
    "Thresholds are weighted inverted_cdf quantiles of the reference (numpy >= 2.0\n"
    "quantile(..., weights=w, method='inverted_cdf')); the mass is the share of generated weight\n"
    "strictly beyond them. With whole-number weights this equals the unweighted measure on the\n"
    "repeated sample with method='inverted_cdf'. ValueError for weights of another length,\n"
    "negative, non-finite or summing to 0, a bad alpha, empty samples; NaN per nan_policy (an\n"
    "omitted value drops its weight).";

// The weighted two-sample measures: (reference, reference_weights, generated,
// generated_weights, alpha, side, nan_policy).
template <class F>
void bind_weighted_two_sample(py::module_& m, const char* name, const std::string& doc, F f) {
    const std::string fn = name;
    m.def(
        name,
        [f, fn](const py::object& reference, const py::object& reference_weights, const py::object& generated,
                const py::object& generated_weights, double alpha, const std::string& side,
                const std::string& nan_policy) {
            const auto s = side_of(side);
            const auto policy = nan_policy_of(nan_policy, fn.c_str());
            auto rw = weights_of(reference_weights, fn.c_str(), "reference_weights");
            auto gw = weights_of(generated_weights, fn.c_str(), "generated_weights");
            return with_float_pair(reference, "reference", generated, "generated", fn.c_str(), [&](auto r, auto g) {
                return nogil([&] { return f(r, view_of(rw), g, view_of(gw), alpha, s, policy); });
            });
        },
        py::arg("reference"), py::arg("reference_weights"), py::arg("generated"), py::arg("generated_weights"),
        py::arg("alpha") = 0.05, py::arg("side") = "both", py::arg("nan_policy") = "raise",
        (doc + weighted_args_doc).c_str());
}

}  // namespace

void bind_tail(py::module_& m) {
    bind_two_sample(m, "tail_mass",
                    "Share of the generated sample beyond the reference's alpha quantile (left), 1 - alpha\n"
                    "quantile (right) or both (their sum): a probability in [0, 1].",
                    [](auto r, auto g, double a, ck::tail_side s, ck::nan_policy n, ck::quantile_method q) {
                        return ck::tail_mass(r, g, a, s, n, q);
                    });
    bind_two_sample(m, "tail_retention",
                    "tail_mass / alpha (one side) or / (2 alpha) (both): 1 = the reference's tail fully kept,\n"
                    "0 = gone.",
                    [](auto r, auto g, double a, ck::tail_side s, ck::nan_policy n, ck::quantile_method q) {
                        return ck::tail_retention(r, g, a, s, n, q);
                    });
    bind_two_sample(m, "expected_shortfall_ratio",
                    "Expected shortfall (mean beyond the alpha tail) of generated over reference, anchored\n"
                    "at the reference's median; one-sided (side 'left' or 'right').",
                    [](auto r, auto g, double a, ck::tail_side s, ck::nan_policy n, ck::quantile_method q) {
                        return ck::expected_shortfall_ratio(r, g, a, s, n, q);
                    });
    bind_two_sample(m, "extreme_quantile_ratio",
                    "The generated sample's extreme quantile over the reference's, anchored at the\n"
                    "reference's median; one-sided (side 'left' or 'right').",
                    [](auto r, auto g, double a, ck::tail_side s, ck::nan_policy n, ck::quantile_method q) {
                        return ck::extreme_quantile_ratio(r, g, a, s, n, q);
                    });

    const auto curve = [](const char* name, bool retention, const char* doc) {
        return std::make_tuple(name, retention, doc);
    };
    for (const auto& [name, retention, doc] :
         {curve("tail_mass_curve", false, "tail_mass for every alpha of alphas, in that order (one pass each)."),
          curve("retention_curve", true, "tail_retention for every alpha of alphas (the tail-retention curve).")}) {
        const bool ret = retention;
        const std::string fn = name;
        m.def(
            name,
            [ret, fn](const py::object& reference, const py::object& generated, const py::object& alphas,
                      const std::string& side, const std::string& nan_policy, const std::string& method) {
                const auto s = side_of(side);
                const auto policy = nan_policy_of(nan_policy, fn.c_str());
                const auto meth = method_of(method);
                auto a = contiguous<double>(alphas, fn.c_str(), "alphas");
                require_ndim(a, 1, fn.c_str(), "alphas");
                auto out =
                    with_float_pair(reference, "reference", generated, "generated", fn.c_str(), [&](auto r, auto g) {
                        return nogil([&] {
                            return ret ? ck::retention_curve(r, g, view_of(a), s, policy, meth)
                                       : ck::tail_mass_curve(r, g, view_of(a), s, policy, meth);
                        });
                    });
                return to_numpy(std::move(out));
            },
            py::arg("reference"), py::arg("generated"), py::arg("alphas"), py::arg("side") = "both",
            py::arg("nan_policy") = "raise", py::arg("method") = "linear", doc);
    }

    m.def(
        "log_spaced_alphas",
        [](double largest, double smallest, std::size_t count) {
            return to_numpy(ck::log_spaced_alphas(largest, smallest, count));
        },
        py::arg("largest") = 0.1, py::arg("smallest") = 1e-4, py::arg("count") = 20,
        "count alphas log-spaced from largest down to smallest (both included).");

    m.def(
        "expected_shortfall",
        [](const py::object& x, double alpha, const std::string& side, const std::string& nan_policy,
           const py::object& weights) {
            const auto s = side_of(side);
            if (!weights.is_none()) {
                const auto policy = nan_policy_of(nan_policy, "weighted_expected_shortfall");
                auto w = weights_of(weights, "weighted_expected_shortfall", "weights");
                return with_floats(x, "weighted_expected_shortfall", "x", [&](auto v) {
                    return nogil([&] { return ck::weighted_expected_shortfall(v, view_of(w), alpha, s, policy); });
                });
            }
            const auto policy = nan_policy_of(nan_policy, "expected_shortfall");
            return with_floats(x, "expected_shortfall", "x", [&](auto v) {
                return nogil([&] { return ck::expected_shortfall(v, alpha, s, policy); });
            });
        },
        py::arg("x"), py::arg("alpha") = 0.05, py::arg("side") = "right", py::arg("nan_policy") = "raise",
        py::arg("weights") = py::none(),
        "Mean of the sample's alpha tail (one side), in the units of x: (1/alpha) times the integral\n"
        "of the empirical quantile function over the tail (Acerbi & Tasche 2002). weights: None, or\n"
        "one finite non-negative weight per value (then weighted_expected_shortfall: the\n"
        "weight-average of the values in the extreme alpha share of the total weight).\n"
        "ValueError for side='both', a bad alpha, empty or infinite input; NaN per nan_policy.");
    m.def(
        "weighted_expected_shortfall",
        [](const py::object& x, const py::object& weights, double alpha, const std::string& side,
           const std::string& nan_policy) {
            const auto s = side_of(side);
            const auto policy = nan_policy_of(nan_policy, "weighted_expected_shortfall");
            auto w = weights_of(weights, "weighted_expected_shortfall", "weights");
            return with_floats(x, "weighted_expected_shortfall", "x", [&](auto v) {
                return nogil([&] { return ck::weighted_expected_shortfall(v, view_of(w), alpha, s, policy); });
            });
        },
        py::arg("x"), py::arg("weights"), py::arg("alpha") = 0.05, py::arg("side") = "right",
        py::arg("nan_policy") = "raise",
        "Expected shortfall of a weighted sample: the weight-average of the values in the extreme\n"
        "alpha share of the total weight, the boundary value taken in part; side 'left' or 'right'.\n"
        "Weights: finite, >= 0, positive total, one per value (else ValueError).");

    bind_weighted_two_sample(m, "weighted_tail_mass",
                             "Share of the generated weight beyond the weighted reference's alpha / 1 - alpha\n"
                             "quantiles (side 'left', 'right' or 'both'): a probability in [0, 1].",
                             [](auto r, auto rw, auto g, auto gw, double a, ck::tail_side s, ck::nan_policy n) {
                                 return ck::weighted_tail_mass(r, rw, g, gw, a, s, n);
                             });
    bind_weighted_two_sample(m, "weighted_tail_retention",
                             "weighted_tail_mass / alpha (one side) or / (2 alpha) (both): 1 = tail kept, 0 = gone.",
                             [](auto r, auto rw, auto g, auto gw, double a, ck::tail_side s, ck::nan_policy n) {
                                 return ck::weighted_tail_retention(r, rw, g, gw, a, s, n);
                             });
    for (const bool retention : {false, true}) {
        const std::string fn = retention ? "weighted_retention_curve" : "weighted_tail_mass_curve";
        m.def(
            fn.c_str(),
            [retention, fn](const py::object& reference, const py::object& reference_weights,
                            const py::object& generated, const py::object& generated_weights, const py::object& alphas,
                            const std::string& side, const std::string& nan_policy) {
                const char* f = fn.c_str();
                const auto s = side_of(side);
                const auto policy = nan_policy_of(nan_policy, f);
                auto a = vector_of<double>(alphas, f, "alphas");
                auto rw = weights_of(reference_weights, f, "reference_weights");
                auto gw = weights_of(generated_weights, f, "generated_weights");
                auto out = with_float_pair(reference, "reference", generated, "generated", f, [&](auto r, auto g) {
                    return nogil([&] {
                        return retention
                                   ? ck::weighted_retention_curve(r, view_of(rw), g, view_of(gw), view_of(a), s, policy)
                                   : ck::weighted_tail_mass_curve(r, view_of(rw), g, view_of(gw), view_of(a), s,
                                                                  policy);
                    });
                });
                return to_numpy(std::move(out));
            },
            py::arg("reference"), py::arg("reference_weights"), py::arg("generated"), py::arg("generated_weights"),
            py::arg("alphas"), py::arg("side") = "both", py::arg("nan_policy") = "raise",
            (std::string(retention ? "weighted_tail_retention" : "weighted_tail_mass") +
             " for every alpha of alphas, in that order (one float64 array)." + weighted_args_doc)
                .c_str());
    }

    m.def(
        "quantile",
        [](const py::object& a, const py::object& q, const std::string& method,
           const std::string& nan_policy) -> py::object {
            const auto meth = method_of(method);
            const auto policy = nan_policy_of(nan_policy, "quantile");
            const bool scalar = py::isinstance<py::float_>(q) || py::isinstance<py::int_>(q);
            std::vector<double> probs;
            if (scalar) {
                probs.push_back(q.cast<double>());
            } else {
                auto qs = vector_of<double>(q, "quantile", "q");
                probs.assign(qs.data(), qs.data() + qs.size());
            }
            const std::vector<double> out = with_floats(a, "quantile", "a", [&](auto x) {
                return nogil([&] { return ck::quantile(x, probs, meth, policy); });
            });
            if (scalar) return py::float_(out.at(0));
            return py::array_t<double>(static_cast<py::ssize_t>(out.size()), out.data());
        },
        py::arg("a"), py::arg("q"), py::arg("method") = "linear", py::arg("nan_policy") = "raise",
        "numpy.quantile(a, q, method=method) for a 1-D sample: a float for a scalar q, else a\n"
        "float64 array in q's order; method 'linear' (default) or 'inverted_cdf'. Order\n"
        "statistics are selected, not sorted. ValueError for an empty sample, an infinite value,\n"
        "a q outside [0, 1]; NaN per nan_policy ('propagate' gives NaN quantiles).");

    m.def(
        "tail_thresholds",
        [](const py::object& reference, double alpha, const std::string& method, const std::string& nan_policy) {
            const auto meth = method_of(method);
            const auto policy = nan_policy_of(nan_policy, "tail_thresholds");
            const auto t = with_floats(reference, "tail_thresholds", "reference", [&](auto r) {
                return nogil([&] { return ck::tail_thresholds(r, alpha, meth, policy); });
            });
            return py::make_tuple(t.lower, t.upper);
        },
        py::arg("reference"), py::arg("alpha") = 0.05, py::arg("method") = "linear", py::arg("nan_policy") = "raise",
        "The reference's tail thresholds (Q(alpha), Q(1 - alpha)) for alpha in (0, 0.5], Q numpy's\n"
        "quantile with method 'linear' (default) or 'inverted_cdf' (numpy.quantile(reference,\n"
        "[alpha, 1 - alpha], method=method)). ValueError for a bad alpha, an empty or infinite\n"
        "reference; NaN per nan_policy ('propagate' gives (nan, nan)).");
    m.def(
        "weighted_tail_thresholds",
        [](const py::object& reference, const py::object& reference_weights, double alpha,
           const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "weighted_tail_thresholds");
            const auto ex = execution_of(threads, "weighted_tail_thresholds");
            auto w = weights_of(reference_weights, "weighted_tail_thresholds", "reference_weights");
            const auto t = with_floats(reference, "weighted_tail_thresholds", "reference", [&](auto r) {
                return nogil([&] { return ck::weighted_tail_thresholds(ex, r, view_of(w), alpha, policy); });
            });
            return py::make_tuple(t.lower, t.upper);
        },
        py::arg("reference"), py::arg("reference_weights"), py::arg("alpha") = 0.05, py::arg("nan_policy") = "raise",
        py::arg("threads") = 0,
        "Weighted tail thresholds: the smallest values whose cumulative weight reaches alpha W and\n"
        "(1 - alpha) W (numpy >= 2.0 quantile(..., weights=w, method='inverted_cdf')).\n\n"
        "threads: 0 (the default) sorts on every core for inputs big enough to pay (one below\n"
        "that); n >= 1 uses at most n. The result is bit-identical for every threads value.");

    py::class_<ck::hill_estimate, ck::estimate>(
        m, "HillEstimate",
        "Hill tail index (value, standard_error, n) with k, the number of upper\n"
        "order statistics used, and the threshold x_(n-k).")
        .def_readonly("k", &ck::hill_estimate::k)
        .def_readonly("threshold", &ck::hill_estimate::threshold);
    m.def(
        "hill_tail_index",
        [](const py::object& x, std::optional<std::size_t> k, const std::string& nan_policy) {
            const auto policy = nan_policy_of(nan_policy, "hill_tail_index");
            return with_floats(x, "hill_tail_index", "x", [&](auto v) {
                return nogil([&] { return k ? ck::hill_tail_index(v, *k, policy) : ck::hill_tail_index(v, policy); });
            });
        },
        py::arg("x"), py::arg("k") = py::none(), py::arg("nan_policy") = "raise",
        "Hill estimator of the tail index from the k largest values (default floor(sqrt(n))).");

    bind_count_pair(m, "support_coverage",
                    "Share of the reference's present categories also present in the generated counts:\n"
                    "#{r_i > 0 and g_i > 0} / #{r_i > 0}.",
                    [](auto r, auto g) { return ck::support_coverage(r, g); });
    bind_count_pair(m, "support_coverage_mass",
                    "Share of reference observations in categories still present in the generated counts.",
                    [](auto r, auto g) { return ck::support_coverage_mass(r, g); });
    bind_count_pair(m, "extinct_count", "Number of categories present in the reference and absent from generated.",
                    [](auto r, auto g) { return ck::extinct_count(r, g); });
    m.def(
        "extinct_categories",
        [](const py::object& r, const py::object& g) {
            auto out =
                with_count_pair(r, "reference_counts", g, "generated_counts", "extinct_categories",
                                [&](auto a, auto b) { return nogil([&] { return ck::extinct_categories(a, b); }); });
            return to_numpy(std::vector<std::uint64_t>(out.begin(), out.end()));
        },
        py::arg("reference_counts"), py::arg("generated_counts"),
        "Indices of the categories present in the reference and absent from generated.");
    m.def(
        "good_turing_missing_mass",
        [](const py::object& counts) {
            return with_counts(counts, "good_turing_missing_mass", "counts",
                               [&](auto c) { return nogil([&] { return ck::good_turing_missing_mass(c); }); });
        },
        py::arg("counts"), "Good-Turing missing mass f1 / N as an Estimate (Esty's standard error).");
    m.def(
        "chao1",
        [](const py::object& counts) {
            return with_counts(counts, "chao1", "counts", [&](auto c) { return nogil([&] { return ck::chao1(c); }); });
        },
        py::arg("counts"), "Chao1 estimate of the number of categories, seen and unseen, as an Estimate.");

    py::class_<ck::rare_retention>(m, "RareRetention",
                                   "What became of the reference's rare categories: rare (how many),\n"
                                   "surviving (of those, present in generated), survival_share = surviving / rare,\n"
                                   "reference_mass and generated_mass (their shares of each total),\n"
                                   "mass_retention = generated_mass / reference_mass (1 = kept, 0 = gone) and\n"
                                   "categories (the rare indices, ascending).")
        .def_readonly("rare", &ck::rare_retention::rare)
        .def_readonly("surviving", &ck::rare_retention::surviving)
        .def_readonly("survival_share", &ck::rare_retention::survival_share)
        .def_readonly("reference_mass", &ck::rare_retention::reference_mass)
        .def_readonly("generated_mass", &ck::rare_retention::generated_mass)
        .def_readonly("mass_retention", &ck::rare_retention::mass_retention)
        .def_property_readonly(
            "categories",
            [](const ck::rare_retention& r) {
                return to_numpy(std::vector<std::uint64_t>(r.categories.begin(), r.categories.end()));
            })
        .def("__repr__", [](const ck::rare_retention& r) {
            return "RareRetention(rare=" + std::to_string(r.rare) + ", surviving=" + std::to_string(r.surviving) +
                   ", mass_retention=" + std::to_string(r.mass_retention) + ")";
        });
    m.def(
        "rare_category_retention",
        [](const py::object& r, const py::object& g, const std::string& rule, double value) {
            const auto how = rule_of(rule, value);
            return with_count_pair(
                r, "reference_counts", g, "generated_counts", "rare_category_retention",
                [&](auto a, auto b) { return nogil([&] { return ck::rare_category_retention(a, b, how); }); });
        },
        py::arg("reference_counts"), py::arg("generated_counts"), py::arg("rule"), py::arg("value"),
        "Retention of the reference's rare categories in the generated counts -> RareRetention.\n\n"
        "rule: 'at_most_count' (r_i <= value), 'at_most_frequency' (r_i / N_R <= value) or\n"
        "'bottom_mass' (the smallest-count categories, in whole groups of equal count, while their\n"
        "total stays <= value N_R); only categories with r_i > 0 are ever rare. Counts: whole,\n"
        "non-negative, same length. ValueError for bad counts, an all-zero vector, a bad rule or\n"
        "value, or when no category is rare under the rule.");
}

}  // namespace ckpy
