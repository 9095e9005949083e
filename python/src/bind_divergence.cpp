// Bindings of divergence.hpp (discrete divergences on probabilities and on counts) and
// wasserstein.hpp (sample distances, KS test, sliced Wasserstein).
#include <collapsekit/divergence.hpp>
#include <collapsekit/wasserstein.hpp>

#include <cmath>
#include <string>

#include "common.hpp"

namespace ckpy {

// Shared with bind_ngram.cpp (the n-gram divergences take the same policy argument).
ck::zero_support zero_support_of(const py::object& z) {
    if (z.is_none()) return ck::zero_support::none();
    if (py::isinstance<ck::zero_support>(z)) return z.cast<ck::zero_support>();
    if (py::isinstance<py::str>(z)) {
        const auto s = z.cast<std::string>();
        if (s == "none") return ck::zero_support::none();
        if (s == "jeffreys") return ck::zero_support::jeffreys();
        if (s == "laplace") return ck::zero_support::laplace();
        throw py::value_error(
            "collapsekit: zero_support must be None, 'none', 'jeffreys', 'laplace' or a ZeroSupport (got '" + s + "')");
    }
    throw py::type_error("collapsekit: zero_support must be None, a string or a ZeroSupport");
}

namespace {

const char* const pair_doc_tail =
    "\n\nbase: None (nats) or a positive number other than 1. zero_support: None (the\n"
    "mathematical answer, +inf where the formula divides by or takes the log of a zero),\n"
    "'jeffreys', 'laplace' or a ZeroSupport. nan_policy: 'raise', 'omit' (drop position i\n"
    "from both) or 'propagate'. ValueError for lengths that differ, empty or negative input.";

// Binds name(p, q, ...) on probability vectors (each must sum to 1; nothing is
// renormalised) and name_counts(a, b, ...) on counts (each normalised by its total).
template <class Prob, class Counts>
void bind_pair(py::module_& m, const char* name, const std::string& doc, Prob prob, Counts counts) {
    const std::string fn = name;
    m.def(
        name,
        [prob, fn](const py::object& p, const py::object& q, std::optional<double> base, const py::object& zs,
                   const std::string& nan_policy) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, fn.c_str());
            return with_float_pair(p, "p", q, "q", fn.c_str(), [&](auto a, auto b) {
                return nogil([&] { return prob(a, b, base_of(base), z, policy); });
            });
        },
        py::arg("p"), py::arg("q"), py::arg("base") = py::none(), py::arg("zero_support") = py::none(),
        py::arg("nan_policy") = "raise",
        (doc +
         "\n\np and q are probability vectors (non-negative, each summing to 1 within 1e-9;\n"
         "not renormalised: use " +
         fn + "_counts for that)." + pair_doc_tail)
            .c_str());
    const std::string fc = fn + "_counts";
    m.def(
        fc.c_str(),
        [counts, fc](const py::object& a, const py::object& b, std::optional<double> base, const py::object& zs,
                     const std::string& nan_policy) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, fc.c_str());
            return with_count_pair(a, "a", b, "b", fc.c_str(), [&](auto x, auto y) {
                return nogil([&] { return counts(x, y, base_of(base), z, policy); });
            });
        },
        py::arg("a"), py::arg("b"), py::arg("base") = py::none(), py::arg("zero_support") = py::none(),
        py::arg("nan_policy") = "raise",
        (doc +
         "\n\na and b are non-negative counts or weights (any numeric dtype), each normalised\n"
         "by its own total after the zero-support policy is applied (scipy's convention)." +
         pair_doc_tail)
            .c_str());
}

#define CKPY_PAIR(NAME, DOC)                                                                                          \
    bind_pair(                                                                                                        \
        m, #NAME, DOC,                                                                                                \
        [](auto p, auto q, ck::log_base b, ck::zero_support z, ck::nan_policy n) { return ck::NAME(p, q, b, z, n); }, \
        [](auto p, auto q, ck::log_base b, ck::zero_support z, ck::nan_policy n) {                                    \
            return ck::NAME##_counts(p, q, b, z, n);                                                                  \
        })

ck::ks_alternative alternative_of(const std::string& s) {
    if (s == "two-sided") return ck::ks_alternative::two_sided;
    if (s == "less") return ck::ks_alternative::less;
    if (s == "greater") return ck::ks_alternative::greater;
    throw py::value_error("collapsekit::ks_2samp: alternative must be 'two-sided', 'less' or 'greater' (got '" + s +
                          "')");
}

ck::ks_method method_of(const std::string& s) {
    if (s == "auto") return ck::ks_method::automatic;
    if (s == "exact") return ck::ks_method::exact;
    if (s == "asymp") return ck::ks_method::asymptotic;
    throw py::value_error("collapsekit::ks_2samp: method must be 'auto', 'exact' or 'asymp' (got '" + s + "')");
}

const char* method_name(ck::ks_method m) {
    switch (m) {
        case ck::ks_method::exact:
            return "exact";
        case ck::ks_method::asymptotic:
            return "asymp";
        case ck::ks_method::automatic:
            break;
    }
    return "auto";
}

// Sample pair with optional weights: zero-copy values (float64 pair or float32 pair),
// weights as float64.
template <class Plain, class Weighted>
auto sample_pair(const char* fn, const py::object& u, const py::object& v, const py::object& uw, const py::object& vw,
                 Plain plain, Weighted weighted) {
    if (uw.is_none() != vw.is_none()) {
        throw py::value_error(std::string("collapsekit::") + fn + ": pass both u_weights and v_weights, or neither");
    }
    if (uw.is_none()) {
        return with_float_pair(u, "u_values", v, "v_values", fn,
                               [&](auto a, auto b) { return nogil([&] { return plain(a, b); }); });
    }
    auto wu = contiguous<double>(uw, fn, "u_weights");
    auto wv = contiguous<double>(vw, fn, "v_weights");
    require_ndim(wu, 1, fn, "u_weights");
    require_ndim(wv, 1, fn, "v_weights");
    return with_float_pair(u, "u_values", v, "v_values", fn, [&](auto a, auto b) {
        return nogil([&] { return weighted(a, b, view_of(wu), view_of(wv)); });
    });
}

}  // namespace

void bind_divergence(py::module_& m) {
    py::class_<ck::zero_support>(
        m, "ZeroSupport",
        "What a divergence does where one distribution has mass and the other none:\n"
        "none() the mathematical answer; additive(alpha) adds alpha to every entry of both\n"
        "vectors then normalises ((c_i + alpha) / (N + k alpha)); jeffreys() = additive(1/2),\n"
        "laplace() = additive(1); skew(alpha) replaces q by alpha q + (1 - alpha) p.")
        .def_static("none", &ck::zero_support::none)
        .def_static("additive", &ck::zero_support::additive, py::arg("alpha"))
        .def_static("jeffreys", &ck::zero_support::jeffreys)
        .def_static("laplace", &ck::zero_support::laplace)
        .def_static("skew", &ck::zero_support::skew, py::arg("alpha"))
        .def_property_readonly("kind",
                               [](const ck::zero_support& z) {
                                   switch (z.type()) {
                                       case ck::zero_support::kind::additive:
                                           return "additive";
                                       case ck::zero_support::kind::skew:
                                           return "skew";
                                       case ck::zero_support::kind::none:
                                           break;
                                   }
                                   return "none";
                               })
        .def_property_readonly("alpha", &ck::zero_support::alpha)
        .def("__repr__", [](const ck::zero_support& z) {
            return "ZeroSupport(kind=" + std::to_string(static_cast<int>(z.type())) +
                   ", alpha=" + std::to_string(z.alpha()) + ")";
        });

    CKPY_PAIR(kl_divergence, "Kullback-Leibler divergence KL(p || q) = sum p_i log(p_i / q_i), in units of base.");
    CKPY_PAIR(cross_entropy, "Cross-entropy H(p, q) = -sum p_i log q_i = H(p) + KL(p || q), in units of base.");
    CKPY_PAIR(js_divergence, "Jensen-Shannon divergence KL(p||m)/2 + KL(q||m)/2, m = (p+q)/2; in [0, log 2].");
    CKPY_PAIR(js_distance,
              "Jensen-Shannon distance sqrt(JSD), scipy.spatial.distance.jensenshannon (whose renormalising\n"
              "behaviour is js_distance_counts).");
    CKPY_PAIR(hellinger, "Hellinger distance sqrt(1/2 sum (sqrt p_i - sqrt q_i)^2), in [0, 1]; unitless.");
    CKPY_PAIR(bhattacharyya, "Bhattacharyya distance -log sum sqrt(p_i q_i), in units of base.");
    CKPY_PAIR(total_variation, "Total variation distance 1/2 sum |p_i - q_i|, in [0, 1]; unitless.");
    CKPY_PAIR(chi_squared_pearson, "Pearson chi-squared divergence sum (p_i - q_i)^2 / q_i; unitless.");
    CKPY_PAIR(chi_squared_neyman, "Neyman chi-squared divergence sum (p_i - q_i)^2 / p_i; unitless.");
    CKPY_PAIR(psi, "Population stability index sum (p_i - q_i) log(p_i / q_i) = KL(p||q) + KL(q||p).");

    m.def(
        "renyi_divergence",
        [](const py::object& p, const py::object& q, double alpha, std::optional<double> base, const py::object& zs,
           const std::string& nan_policy, bool counts) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, "renyi_divergence");
            if (counts) {
                return with_count_pair(p, "p", q, "q", "renyi_divergence_counts", [&](auto a, auto b) {
                    return nogil([&] { return ck::renyi_divergence_counts(a, b, alpha, base_of(base), z, policy); });
                });
            }
            return with_float_pair(p, "p", q, "q", "renyi_divergence", [&](auto a, auto b) {
                return nogil([&] { return ck::renyi_divergence(a, b, alpha, base_of(base), z, policy); });
            });
        },
        py::arg("p"), py::arg("q"), py::arg("alpha"), py::arg("base") = py::none(),
        py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise", py::arg("counts") = false,
        "Renyi divergence of order alpha >= 0: log(sum p_i^alpha q_i^(1-alpha)) / (alpha - 1);\n"
        "alpha = 1 is KL, alpha = inf the log of max p_i / q_i. counts=True normalises p and q as\n"
        "counts. ValueError for alpha < 0 or NaN.");

    m.def(
        "wasserstein",
        [](const py::object& u, const py::object& v, const py::object& uw, const py::object& vw, double p,
           const std::string& nan_policy) {
            const auto policy = nan_policy_of(nan_policy, "wasserstein");
            return sample_pair(
                "wasserstein", u, v, uw, vw, [&](auto a, auto b) { return ck::wasserstein(a, b, p, policy); },
                [&](auto a, auto b, auto wa, auto wb) { return ck::wasserstein(a, b, wa, wb, p, policy); });
        },
        py::arg("u_values"), py::arg("v_values"), py::arg("u_weights") = py::none(), py::arg("v_weights") = py::none(),
        py::arg("p") = 1.0, py::arg("nan_policy") = "raise",
        "Exact p-Wasserstein distance W_p between two 1-D empirical distributions (optionally\n"
        "weighted), in the units of the samples: (int_0^1 |F^-1(t) - G^-1(t)|^p dt)^(1/p), p >= 1\n"
        "(p = inf allowed). p = 1 is scipy.stats.wasserstein_distance; POT's ot.wasserstein_1d\n"
        "returns W_p^p. ValueError for p < 1, an empty sample or an infinite value.");

    m.def(
        "wasserstein_histogram",
        [](const py::object& a, const py::object& b, const py::object& positions, double p) {
            auto x = contiguous<double>(positions, "wasserstein_histogram", "positions");
            return with_count_pair(a, "u_counts", b, "v_counts", "wasserstein_histogram", [&](auto ca, auto cb) {
                return nogil([&] { return ck::wasserstein_histogram(ca, cb, view_of(x), p); });
            });
        },
        py::arg("u_counts"), py::arg("v_counts"), py::arg("positions"), py::arg("p") = 1.0,
        "W_p between two histograms on the same bins, bin i's mass sitting at positions[i]\n"
        "(non-decreasing, e.g. bin centres); counts are normalised by their totals.");

    m.def(
        "energy_distance",
        [](const py::object& u, const py::object& v, const py::object& uw, const py::object& vw,
           const std::string& nan_policy) {
            const auto policy = nan_policy_of(nan_policy, "energy_distance");
            return sample_pair(
                "energy_distance", u, v, uw, vw, [&](auto a, auto b) { return ck::energy_distance(a, b, policy); },
                [&](auto a, auto b, auto wa, auto wb) { return ck::energy_distance(a, b, wa, wb, policy); });
        },
        py::arg("u_values"), py::arg("v_values"), py::arg("u_weights") = py::none(), py::arg("v_weights") = py::none(),
        py::arg("nan_policy") = "raise",
        "Energy distance, scipy.stats.energy_distance's definition: sqrt(2) * (int (F - G)^2 dx)^(1/2).");

    py::class_<ck::ks_result>(m, "KSResult",
                              "ks_2samp's result: statistic, pvalue, statistic_location (the x where it is\n"
                              "reached), statistic_sign (+1: F_u - F_v largest) and the p-value method.\n"
                              "Unpacks as (statistic, pvalue) like scipy's KstestResult.")
        .def_readonly("statistic", &ck::ks_result::statistic)
        .def_readonly("pvalue", &ck::ks_result::pvalue)
        .def_readonly("statistic_location", &ck::ks_result::statistic_location)
        .def_readonly("statistic_sign", &ck::ks_result::statistic_sign)
        .def_property_readonly("method", [](const ck::ks_result& r) { return method_name(r.method); })
        .def("__len__", [](const ck::ks_result&) { return 2; })
        .def("__getitem__",
             [](const ck::ks_result& r, int i) {
                 if (i == 0 || i == -2) return r.statistic;
                 if (i == 1 || i == -1) return r.pvalue;
                 throw py::index_error("KSResult index out of range");
             })
        .def("__repr__", [](const ck::ks_result& r) {
            return "KSResult(statistic=" + std::to_string(r.statistic) + ", pvalue=" + std::to_string(r.pvalue) + ")";
        });

    m.def(
        "ks_2samp",
        [](const py::object& u, const py::object& v, const std::string& alternative, const std::string& method,
           const std::string& nan_policy) {
            const auto alt = alternative_of(alternative);
            const auto meth = method_of(method);
            const auto policy = nan_policy_of(nan_policy, "ks_2samp");
            return with_float_pair(u, "data1", v, "data2", "ks_2samp", [&](auto a, auto b) {
                return nogil([&] { return ck::ks_2samp(a, b, alt, meth, policy); });
            });
        },
        py::arg("data1"), py::arg("data2"), py::arg("alternative") = "two-sided", py::arg("method") = "auto",
        py::arg("nan_policy") = "raise",
        "Two-sample Kolmogorov-Smirnov test, scipy.stats.ks_2samp's conventions: statistic\n"
        "sup |F1 - F2| (two-sided), sup (F1 - F2) ('greater') or sup (F2 - F1) ('less'); exact\n"
        "p-value when max(n, m) <= 10000 (method='auto'), else asymptotic.");

    m.def(
        "ks_2samp_weighted",
        [](const py::object& u, const py::object& v, const py::object& uw, const py::object& vw,
           const std::string& alternative, const std::string& nan_policy) {
            const auto alt = alternative_of(alternative);
            const auto policy = nan_policy_of(nan_policy, "ks_2samp_weighted");
            return sample_pair(
                "ks_2samp_weighted", u, v, uw, vw,
                [&](auto, auto) -> ck::ks_result {
                    throw std::invalid_argument("collapsekit::ks_2samp_weighted: u_weights and v_weights are required");
                },
                [&](auto a, auto b, auto wa, auto wb) { return ck::ks_2samp_weighted(a, b, wa, wb, alt, policy); });
        },
        py::arg("u_values"), py::arg("v_values"), py::arg("u_weights"), py::arg("v_weights"),
        py::arg("alternative") = "two-sided", py::arg("nan_policy") = "raise",
        "Weighted two-sample KS: weighted empirical CDFs; asymptotic p-value with Kish's\n"
        "effective sample sizes.");

    m.def(
        "sliced_wasserstein",
        [](const py::object& x, const py::object& y, std::size_t n_projections, double p, std::uint64_t seed) {
            auto [a, da] = points_of(x, "sliced_wasserstein", "X_s");
            auto [b, db] = points_of(y, "sliced_wasserstein", "X_t");
            if (da != db) {
                throw py::value_error("collapsekit::sliced_wasserstein: X_s and X_t differ in dimension (" +
                                      std::to_string(da) + " vs " + std::to_string(db) + ")");
            }
            ck::sliced_options opt;
            opt.projections = n_projections;
            opt.p = p;
            opt.seed = seed;
            return nogil([&] { return ck::sliced_wasserstein(view_of(a), view_of(b), da, opt); });
        },
        py::arg("X_s"), py::arg("X_t"), py::arg("n_projections") = 100, py::arg("p") = 2.0, py::arg("seed") = 0,
        "Sliced Wasserstein SW_p = (E_theta W_p^p(theta.X, theta.Y))^(1/p) over n_projections random\n"
        "directions (direction l from ck::rng::for_stream(seed, l)); X_s (n, d), X_t (m, d) arrays\n"
        "(POT's ot.sliced_wasserstein_distance argument names). Returns an Estimate whose\n"
        "standard_error is the Monte-Carlo error over directions (delta method).");
}

}  // namespace ckpy
