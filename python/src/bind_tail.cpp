// Bindings of tail.hpp: tail mass and retention of generated samples against a
// reference, retention curves, extremes, the Hill index, and discrete coverage.
#include <collapsekit/tail.hpp>

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
        [](const py::object& x, double alpha, const std::string& side, const std::string& nan_policy) {
            const auto s = side_of(side);
            const auto policy = nan_policy_of(nan_policy, "expected_shortfall");
            return with_floats(x, "expected_shortfall", "x", [&](auto v) {
                return nogil([&] { return ck::expected_shortfall(v, alpha, s, policy); });
            });
        },
        py::arg("x"), py::arg("alpha") = 0.05, py::arg("side") = "right", py::arg("nan_policy") = "raise",
        "Mean of the sample's alpha tail (one side).");

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
}

}  // namespace ckpy
