// Bindings of divergence.hpp (discrete divergences on probabilities and on counts, n-way
// JS, samples through shared bins), wasserstein.hpp (sample distances, KS test, sliced
// Wasserstein), gaussian.hpp (closed forms), knn_divergence.hpp and pairwise.hpp.
#include <collapsekit/divergence.hpp>
#include <collapsekit/gaussian.hpp>
#include <collapsekit/knn_divergence.hpp>
#include <collapsekit/pairwise.hpp>
#include <collapsekit/wasserstein.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

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

// The sorting measures: what threads= does there.
const std::string sort_threads_doc = std::string(threads_doc) +
                                     " The samples are copied and sorted on the threads;\n"
                                     "the sorted copies stay in a per-thread workspace that later calls reuse.";

const std::string pair_doc_tail =
    "\n\nbase: None (nats) or a positive number other than 1. zero_support: None (the\n"
    "mathematical answer, +inf where the formula divides by or takes the log of a zero),\n"
    "'jeffreys', 'laplace' or a ZeroSupport. nan_policy: 'raise', 'omit' (drop position i\n"
    "from both) or 'propagate'. ValueError for lengths that differ, empty or negative input." +
    std::string(threads_doc);

// Binds name(p, q, ...) on probability vectors (each must sum to 1; nothing is
// renormalised) and name_counts(a, b, ...) on counts (each normalised by its total).
template <class Prob, class Counts>
void bind_pair(py::module_& m, const char* name, const std::string& doc, Prob prob, Counts counts) {
    const std::string fn = name;
    m.def(
        name,
        [prob, fn](const py::object& p, const py::object& q, std::optional<double> base, const py::object& zs,
                   const std::string& nan_policy, std::int64_t threads) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, fn.c_str());
            const auto ex = execution_of(threads, fn.c_str());
            return with_float_pair(p, "p", q, "q", fn.c_str(), [&](auto a, auto b) {
                return nogil([&] { return prob(ex, a, b, base_of(base), z, policy); });
            });
        },
        py::arg("p"), py::arg("q"), py::arg("base") = py::none(), py::arg("zero_support") = py::none(),
        py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (doc +
         "\n\np and q are probability vectors (non-negative, each summing to 1 within 1e-9;\n"
         "not renormalised: use " +
         fn + "_counts for that)." + pair_doc_tail)
            .c_str());
    const std::string fc = fn + "_counts";
    m.def(
        fc.c_str(),
        [counts, fc](const py::object& a, const py::object& b, std::optional<double> base, const py::object& zs,
                     const std::string& nan_policy, std::int64_t threads) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, fc.c_str());
            const auto ex = execution_of(threads, fc.c_str());
            return with_count_pair(a, "a", b, "b", fc.c_str(), [&](auto x, auto y) {
                return nogil([&] { return counts(ex, x, y, base_of(base), z, policy); });
            });
        },
        py::arg("a"), py::arg("b"), py::arg("base") = py::none(), py::arg("zero_support") = py::none(),
        py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (doc +
         "\n\na and b are non-negative counts or weights (any numeric dtype), each normalised\n"
         "by its own total after the zero-support policy is applied (scipy's convention)." +
         pair_doc_tail)
            .c_str());
}

#define CKPY_PAIR(NAME, DOC)                                                                                \
    bind_pair(                                                                                              \
        m, #NAME, DOC,                                                                                      \
        [](const ck::execution& ex, auto p, auto q, ck::log_base b, ck::zero_support z, ck::nan_policy n) { \
            return ck::NAME(ex, p, q, b, z, n);                                                             \
        },                                                                                                  \
        [](const ck::execution& ex, auto p, auto q, ck::log_base b, ck::zero_support z, ck::nan_policy n) { \
            return ck::NAME##_counts(ex, p, q, b, z, n);                                                    \
        })

ck::ks_alternative alternative_of(const std::string& s) {
    return choice_of<ck::ks_alternative>(s, "ks_2samp", "alternative",
                                         {{"two-sided", ck::ks_alternative::two_sided},
                                          {"less", ck::ks_alternative::less},
                                          {"greater", ck::ks_alternative::greater}});
}

ck::ks_method method_of(const std::string& s) {
    return choice_of<ck::ks_method>(
        s, "ks_2samp", "method",
        {{"auto", ck::ks_method::automatic}, {"exact", ck::ks_method::exact}, {"asymp", ck::ks_method::asymptotic}});
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
        throw py::value_error(std::string("collapsekit.") + fn + ": pass both u_weights and v_weights, or neither");
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

using dview = ck::view<const double>;
using measure_fn = std::function<double(dview, dview)>;

// The value types of ck::measures by name (pairwise, divergence_samples); unknown names
// are a ValueError listing the known ones.
measure_fn measure_by_name(const std::string& name, ck::log_base base, const ck::zero_support& z, ck::nan_policy nan,
                           double alpha, double p, const char* fn) {
#define CKPY_MEASURE(NAME) \
    if (name == #NAME) return ck::measures::NAME{base, z, nan};
    CKPY_MEASURE(kl_divergence)
    CKPY_MEASURE(kl_divergence_counts)
    CKPY_MEASURE(cross_entropy)
    CKPY_MEASURE(cross_entropy_counts)
    CKPY_MEASURE(js_divergence)
    CKPY_MEASURE(js_divergence_counts)
    CKPY_MEASURE(js_distance)
    CKPY_MEASURE(js_distance_counts)
    CKPY_MEASURE(hellinger)
    CKPY_MEASURE(hellinger_counts)
    CKPY_MEASURE(bhattacharyya)
    CKPY_MEASURE(bhattacharyya_counts)
    CKPY_MEASURE(total_variation)
    CKPY_MEASURE(total_variation_counts)
    CKPY_MEASURE(chi_squared_pearson)
    CKPY_MEASURE(chi_squared_pearson_counts)
    CKPY_MEASURE(chi_squared_neyman)
    CKPY_MEASURE(chi_squared_neyman_counts)
    CKPY_MEASURE(psi)
    CKPY_MEASURE(psi_counts)
#undef CKPY_MEASURE
    if (name == "renyi_divergence") return ck::measures::renyi_divergence{alpha, base, z, nan};
    if (name == "renyi_divergence_counts") return ck::measures::renyi_divergence_counts{alpha, base, z, nan};
    if (name == "wasserstein") return ck::measures::wasserstein{p, nan};
    if (name == "energy_distance") return ck::measures::energy_distance{nan};
    if (name == "ks_statistic") return ck::measures::ks_statistic{nan};
    throw py::value_error(std::string("collapsekit.") + fn + ": unknown measure '" + name +
                          "' (known: kl_divergence, cross_entropy, js_divergence, js_distance, hellinger, "
                          "bhattacharyya, total_variation, chi_squared_pearson, chi_squared_neyman, psi, "
                          "renyi_divergence, each also with _counts; wasserstein, energy_distance, ks_statistic, "
                          "kl_divergence_knn)");
}

// True for a C-contiguous float32 array, or a non-empty sequence of them.
bool all_float32(const py::object& obj) {
    if (py::isinstance<py::array>(obj)) return py::isinstance<carray<float>>(obj);
    if (!py::isinstance<py::sequence>(obj) || py::isinstance<py::str>(obj)) return false;
    const auto seq = py::reinterpret_borrow<py::sequence>(obj);
    if (seq.size() == 0) return false;
    for (const auto& item : seq) {
        if (!py::isinstance<carray<float>>(item)) return false;
    }
    return true;
}

// A list of 1-D vectors: the rows of a 2-D array (zero-copy when it is C-contiguous T),
// or a sequence of 1-D arrays (each zero-copy when it is C-contiguous T). The arrays that
// hold the data are kept in `keep`, so the views stay valid while it lives.
template <class T>
std::vector<ck::view<const T>> rows_of(const py::object& obj, const char* fn, const char* arg,
                                       std::vector<carray<T>>& keep) {
    std::vector<ck::view<const T>> rows;
    if (py::isinstance<py::array>(obj)) {
        auto a = contiguous<T>(obj, fn, arg);
        require_ndim(a, 2, fn, arg);
        const auto n = static_cast<std::size_t>(a.shape(1));
        for (py::ssize_t i = 0; i < a.shape(0); ++i) rows.emplace_back(a.data() + static_cast<std::size_t>(i) * n, n);
        keep.push_back(std::move(a));
        return rows;
    }
    if (!py::isinstance<py::sequence>(obj) || py::isinstance<py::str>(obj)) {
        throw py::type_error(std::string("collapsekit.") + fn + ": " + arg +
                             " must be a 2-D array or a sequence of 1-D arrays");
    }
    const auto seq = py::reinterpret_borrow<py::sequence>(obj);
    keep.reserve(seq.size());
    std::size_t i = 0;
    for (const auto& item : seq) {
        const std::string name = std::string(arg) + "[" + std::to_string(i++) + "]";
        keep.push_back(vector_of<T>(item, fn, name.c_str()));
        rows.push_back(view_of(keep.back()));
    }
    return rows;
}

// f(rows) with float32 rows when every input is float32, float64 rows otherwise.
template <class F>
decltype(auto) with_rows(const py::object& obj, const char* fn, const char* arg, F&& f) {
    if (all_float32(obj)) {
        std::vector<carray<float>> keep;
        const auto rows = rows_of<float>(obj, fn, arg, keep);
        return f(rows);
    }
    std::vector<carray<double>> keep;
    const auto rows = rows_of<double>(obj, fn, arg, keep);
    return f(rows);
}

// An n x n row-major matrix as a 2-D numpy array (no copy of the values).
py::array_t<double> square_matrix(ck::pairwise_matrix&& m) {
    auto* heap = new std::vector<double>(std::move(m.values));
    py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<double>*>(p); });
    const auto n = static_cast<py::ssize_t>(m.n);
    return py::array_t<double>({n, n}, {n * static_cast<py::ssize_t>(sizeof(double)), py::ssize_t(sizeof(double))},
                               heap->data(), owner);
}

// A k x k covariance, row-major (2-D square, or k * k values flat); the C++ function
// checks k against the mean.
carray<double> covariance_of(const py::object& obj, const char* fn, const char* arg) {
    auto a = contiguous<double>(obj, fn, arg);
    if (a.ndim() == 2) {
        if (a.shape(0) != a.shape(1)) {
            throw py::value_error(std::string("collapsekit.") + fn + ": " + arg + " must be square (got " +
                                  std::to_string(a.shape(0)) + " x " + std::to_string(a.shape(1)) + ")");
        }
    } else {
        require_ndim(a, 1, fn, arg);
    }
    return a;
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

    CKPY_PAIR(kl_divergence,
              "Kullback-Leibler divergence KL(p || q) = sum p_i log(p_i / q_i), in units of base.\n"
              "log(p_i / q_i) comes from the exact difference where p_i and q_i are close, so nearly equal\n"
              "float64 distributions keep their digits (scipy's rel_entr does not).");
    CKPY_PAIR(cross_entropy, "Cross-entropy H(p, q) = -sum p_i log q_i = H(p) + KL(p || q), in units of base.");
    CKPY_PAIR(js_divergence,
              "Jensen-Shannon divergence KL(p||m)/2 + KL(q||m)/2, m = (p+q)/2; in [0, log 2].\n"
              "Accurate between nearly equal float64 distributions (the rounding of p + q is put back).");
    CKPY_PAIR(js_distance,
              "Jensen-Shannon distance sqrt(JSD), scipy.spatial.distance.jensenshannon (whose renormalising\n"
              "behaviour is js_distance_counts).");
    CKPY_PAIR(hellinger, "Hellinger distance sqrt(1/2 sum (sqrt p_i - sqrt q_i)^2), in [0, 1]; unitless.");
    CKPY_PAIR(bhattacharyya,
              "Bhattacharyya distance -log sum sqrt(p_i q_i), in units of base; +inf for disjoint supports.\n"
              "Near 0 it is computed without cancellation (-log1p of BC - 1 formed from the exact sums and\n"
              "(sqrt p_i - sqrt q_i)^2), so equal distributions give 0 and nearly equal ones keep their digits.");
    CKPY_PAIR(total_variation, "Total variation distance 1/2 sum |p_i - q_i|, in [0, 1]; unitless.");
    CKPY_PAIR(chi_squared_pearson, "Pearson chi-squared divergence sum (p_i - q_i)^2 / q_i; unitless.");
    CKPY_PAIR(chi_squared_neyman, "Neyman chi-squared divergence sum (p_i - q_i)^2 / p_i; unitless.");
    CKPY_PAIR(psi, "Population stability index sum (p_i - q_i) log(p_i / q_i) = KL(p||q) + KL(q||p).");

    m.def(
        "renyi_divergence",
        [](const py::object& p, const py::object& q, double alpha, std::optional<double> base, const py::object& zs,
           const std::string& nan_policy, bool counts, std::int64_t threads) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, "renyi_divergence");
            const auto ex = execution_of(threads, "renyi_divergence");
            if (counts) {
                return with_count_pair(p, "p", q, "q", "renyi_divergence_counts", [&](auto a, auto b) {
                    return nogil(
                        [&] { return ck::renyi_divergence_counts(ex, a, b, alpha, base_of(base), z, policy); });
                });
            }
            return with_float_pair(p, "p", q, "q", "renyi_divergence", [&](auto a, auto b) {
                return nogil([&] { return ck::renyi_divergence(ex, a, b, alpha, base_of(base), z, policy); });
            });
        },
        py::arg("p"), py::arg("q"), py::arg("alpha"), py::arg("base") = py::none(),
        py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise", py::arg("counts") = false,
        py::arg("threads") = 0,
        (std::string("Renyi divergence of order alpha >= 0: log(sum p_i^alpha q_i^(1-alpha)) / (alpha - 1);\n"
                     "alpha = 1 is KL, alpha = inf the log of max p_i / q_i; orders within 2^-10 of 1 tend\n"
                     "to KL and huge orders to the alpha = inf value without overflow. counts=True normalises\n"
                     "p and q as counts. ValueError for alpha < 0 or NaN.") +
         threads_doc)
            .c_str());

    m.def(
        "wasserstein",
        [](const py::object& u, const py::object& v, const py::object& uw, const py::object& vw, double p,
           const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "wasserstein");
            const auto ex = execution_of(threads, "wasserstein");
            return sample_pair(
                "wasserstein", u, v, uw, vw, [&](auto a, auto b) { return ck::wasserstein(ex, a, b, p, policy); },
                [&](auto a, auto b, auto wa, auto wb) { return ck::wasserstein(ex, a, b, wa, wb, p, policy); });
        },
        py::arg("u_values"), py::arg("v_values"), py::arg("u_weights") = py::none(), py::arg("v_weights") = py::none(),
        py::arg("p") = 1.0, py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Exact p-Wasserstein distance W_p between two 1-D empirical distributions (optionally\n"
                     "weighted), in the units of the samples: (int_0^1 |F^-1(t) - G^-1(t)|^p dt)^(1/p), p >= 1\n"
                     "(p = inf allowed). p = 1 is scipy.stats.wasserstein_distance; POT's ot.wasserstein_1d\n"
                     "returns W_p^p. ValueError for p < 1, an empty sample or an infinite value.") +
         sort_threads_doc)
            .c_str());

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
           const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "energy_distance");
            const auto ex = execution_of(threads, "energy_distance");
            return sample_pair(
                "energy_distance", u, v, uw, vw, [&](auto a, auto b) { return ck::energy_distance(ex, a, b, policy); },
                [&](auto a, auto b, auto wa, auto wb) { return ck::energy_distance(ex, a, b, wa, wb, policy); });
        },
        py::arg("u_values"), py::arg("v_values"), py::arg("u_weights") = py::none(), py::arg("v_weights") = py::none(),
        py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Energy distance, scipy.stats.energy_distance's definition: sqrt(2) * (int (F - G)^2 dx)^(1/2).") +
         sort_threads_doc)
            .c_str());

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
           const std::string& nan_policy, std::int64_t threads) {
            const auto alt = alternative_of(alternative);
            const auto meth = method_of(method);
            const auto policy = nan_policy_of(nan_policy, "ks_2samp");
            const auto ex = execution_of(threads, "ks_2samp");
            return with_float_pair(u, "data1", v, "data2", "ks_2samp", [&](auto a, auto b) {
                return nogil([&] { return ck::ks_2samp(ex, a, b, alt, meth, policy); });
            });
        },
        py::arg("data1"), py::arg("data2"), py::arg("alternative") = "two-sided", py::arg("method") = "auto",
        py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Two-sample Kolmogorov-Smirnov test, scipy.stats.ks_2samp's conventions: statistic\n"
                     "sup |F1 - F2| (two-sided), sup (F1 - F2) ('greater') or sup (F2 - F1) ('less'); exact\n"
                     "p-value when max(n, m) <= 10000 (method='auto'), else asymptotic.") +
         sort_threads_doc)
            .c_str());

    m.def(
        "ks_2samp_weighted",
        [](const py::object& u, const py::object& v, const py::object& uw, const py::object& vw,
           const std::string& alternative, const std::string& nan_policy, std::int64_t threads) {
            const auto alt = alternative_of(alternative);
            const auto policy = nan_policy_of(nan_policy, "ks_2samp_weighted");
            const auto ex = execution_of(threads, "ks_2samp_weighted");
            return sample_pair(
                "ks_2samp_weighted", u, v, uw, vw,
                [&](auto, auto) -> ck::ks_result {
                    throw std::invalid_argument("collapsekit.ks_2samp_weighted: u_weights and v_weights are required");
                },
                [&](auto a, auto b, auto wa, auto wb) { return ck::ks_2samp_weighted(ex, a, b, wa, wb, alt, policy); });
        },
        py::arg("u_values"), py::arg("v_values"), py::arg("u_weights"), py::arg("v_weights"),
        py::arg("alternative") = "two-sided", py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Weighted two-sample KS: weighted empirical CDFs; asymptotic p-value with Kish's\n"
                     "effective sample sizes.") +
         sort_threads_doc)
            .c_str());

    m.def(
        "sliced_wasserstein",
        [](const py::object& x, const py::object& y, std::size_t n_projections, double p, std::uint64_t seed,
           std::int64_t threads) {
            const auto ex = execution_of(threads, "sliced_wasserstein");
            const auto a_points = points_of(x, "sliced_wasserstein", "X_s");
            const auto& a = a_points.first;
            const std::size_t da = a_points.second;
            const auto b_points = points_of(y, "sliced_wasserstein", "X_t");
            const auto& b = b_points.first;
            const std::size_t db = b_points.second;
            if (da != db) {
                throw py::value_error("collapsekit.sliced_wasserstein: X_s and X_t differ in dimension (" +
                                      std::to_string(da) + " vs " + std::to_string(db) + ")");
            }
            ck::sliced_options opt;
            opt.projections = n_projections;
            opt.p = p;
            opt.seed = seed;
            return nogil([&] { return ck::sliced_wasserstein(ex, view_of(a), view_of(b), da, opt); });
        },
        py::arg("X_s"), py::arg("X_t"), py::arg("n_projections") = 100, py::arg("p") = 2.0, py::arg("seed") = 0,
        py::arg("threads") = 0,
        (std::string("Sliced Wasserstein SW_p = (E_theta W_p^p(theta.X, theta.Y))^(1/p) over n_projections random\n"
                     "directions (direction l from ck::rng::for_stream(seed, l)); X_s (n, d), X_t (m, d) arrays\n"
                     "(POT's ot.sliced_wasserstein_distance argument names). Returns an Estimate whose\n"
                     "standard_error is the Monte-Carlo error over directions (delta method).") +
         threads_doc + " The directions are spread over the threads.")
            .c_str());

    for (const bool counts : {false, true}) {
        const std::string fn = counts ? "js_divergence_n_counts" : "js_divergence_n";
        m.def(
            fn.c_str(),
            [counts, fn](const py::object& dists, const py::object& weights, std::optional<double> base,
                         const py::object& zs, const std::string& nan_policy, std::int64_t threads) {
                const auto z = zero_support_of(zs);
                const auto policy = nan_policy_of(nan_policy, fn.c_str());
                const char* f = fn.c_str();
                const auto ex = execution_of(threads, f);
                return with_rows(dists, f, "dists", [&](const auto& rows) {
                    if (weights.is_none()) {
                        return nogil([&] {
                            return counts ? ck::js_divergence_n_counts(ex, rows, base_of(base), z, policy)
                                          : ck::js_divergence_n(ex, rows, base_of(base), z, policy);
                        });
                    }
                    auto w = vector_of<double>(weights, f, "weights");
                    return nogil([&] {
                        return counts ? ck::js_divergence_n_counts(ex, rows, view_of(w), base_of(base), z, policy)
                                      : ck::js_divergence_n(ex, rows, view_of(w), base_of(base), z, policy);
                    });
                });
            },
            py::arg("dists"), py::arg("weights") = py::none(), py::arg("base") = py::none(),
            py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
            (std::string(
                 counts ? "js_divergence_n on count vectors, each normalised by its own total after the\n"
                          "zero-support policy (the weights are still the mixture weights, not the totals)."
                        : "Weighted n-way Jensen-Shannon divergence H(sum_i w_i P_i) - sum_i w_i H(P_i), computed as\n"
                          "sum_i w_i KL(P_i || M); in units of base, in [0, log k].\n\n"
                          "dists: k probability vectors of equal length (a 2-D (k, n) array, rows read in place,\n"
                          "or a sequence of 1-D arrays), each summing to 1 within 1e-9. weights: k non-negative\n"
                          "weights summing to 1 within 1e-9 (None: 1/k each). zero_support: additive policies\n"
                          "smooth each P_i; skew is treated as none. ValueError for no distributions, lengths that\n"
                          "differ, bad weights or entries. No scipy counterpart (k = 2 with equal weights is\n"
                          "js_divergence).") +
             threads_doc)
                .c_str());
    }

    m.def(
        "kl_gaussian",
        [](double mu1, double sigma1, double mu2, double sigma2, std::optional<double> base) {
            return ck::kl_gaussian(mu1, sigma1, mu2, sigma2, base_of(base));
        },
        py::arg("mu1"), py::arg("sigma1"), py::arg("mu2"), py::arg("sigma2"), py::arg("base") = py::none(),
        "KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = log(sigma2/sigma1) + (sigma1^2 + (mu1-mu2)^2)/(2 sigma2^2)\n"
        "- 1/2 in closed form (digits kept for sigma1 ~ sigma2), in units of base. ValueError unless the\n"
        "means are finite and the standard deviations positive and finite.");
    m.def(
        "wasserstein_gaussian",
        [](double mu1, double sigma1, double mu2, double sigma2) {
            return ck::wasserstein_gaussian(mu1, sigma1, mu2, sigma2);
        },
        py::arg("mu1"), py::arg("sigma1"), py::arg("mu2"), py::arg("sigma2"),
        "W_2(N(mu1, sigma1^2), N(mu2, sigma2^2)) = sqrt((mu1 - mu2)^2 + (sigma1 - sigma2)^2), in the units\n"
        "of the variable; sigma may be 0. ValueError for non-finite means or negative sigmas.");
    m.def(
        "kl_gaussian_mv",
        [](const py::object& mean1, const py::object& cov1, const py::object& mean2, const py::object& cov2,
           std::optional<double> base) {
            constexpr const char* fn = "kl_gaussian_mv";
            auto m1 = vector_of<double>(mean1, fn, "mean1");
            auto m2 = vector_of<double>(mean2, fn, "mean2");
            auto c1 = covariance_of(cov1, fn, "cov1");
            auto c2 = covariance_of(cov2, fn, "cov2");
            return nogil([&] {
                return ck::kl_gaussian_mv(view_of(m1), ck::view<const double>(c1.data(), std::size_t(c1.size())),
                                          view_of(m2), ck::view<const double>(c2.data(), std::size_t(c2.size())),
                                          base_of(base));
            });
        },
        py::arg("mean1"), py::arg("cov1"), py::arg("mean2"), py::arg("cov2"), py::arg("base") = py::none(),
        "KL(N(mean1, cov1) || N(mean2, cov2)) in k dimensions, through Cholesky factors:\n"
        "1/2 [tr(S2^-1 S1) + (m2 - m1)^T S2^-1 (m2 - m1) - k + log det S2 - log det S1], in units of base.\n"
        "Means: k values; covariances: (k, k) arrays (or k*k values row-major), only the lower\n"
        "triangle read. ValueError for sizes that do not match, non-finite entries or a covariance\n"
        "that is not positive definite.");
    m.def(
        "wasserstein_gaussian_mv",
        [](const py::object& mean1, const py::object& cov1, const py::object& mean2, const py::object& cov2) {
            constexpr const char* fn = "wasserstein_gaussian_mv";
            auto m1 = vector_of<double>(mean1, fn, "mean1");
            auto m2 = vector_of<double>(mean2, fn, "mean2");
            auto c1 = covariance_of(cov1, fn, "cov1");
            auto c2 = covariance_of(cov2, fn, "cov2");
            return nogil([&] {
                return ck::wasserstein_gaussian_mv(
                    view_of(m1), ck::view<const double>(c1.data(), std::size_t(c1.size())), view_of(m2),
                    ck::view<const double>(c2.data(), std::size_t(c2.size())));
            });
        },
        py::arg("mean1"), py::arg("cov1"), py::arg("mean2"), py::arg("cov2"),
        "W_2 between N(mean1, cov1) and N(mean2, cov2) (Dowson & Landau 1982):\n"
        "W_2^2 = |m1 - m2|^2 + tr S1 + tr S2 - 2 tr (S2^1/2 S1 S2^1/2)^1/2, via symmetric eigendecompositions,\n"
        "so positive semi-definite covariances are allowed. Same inputs as kl_gaussian_mv.");

    m.def(
        "kl_divergence_knn",
        [](const py::object& x, const py::object& y, std::size_t k, std::optional<double> base, std::int64_t threads) {
            constexpr const char* fn = "kl_divergence_knn";
            const auto ex = execution_of(threads, fn);
            const auto a_points = points_of(x, fn, "x");
            const auto& a = a_points.first;
            const std::size_t da = a_points.second;
            const auto b_points = points_of(y, fn, "y");
            const auto& b = b_points.first;
            const std::size_t db = b_points.second;
            if (da != db) {
                throw py::value_error("collapsekit.kl_divergence_knn: x and y differ in dimension (" +
                                      std::to_string(da) + " vs " + std::to_string(db) + ")");
            }
            return nogil([&] { return ck::kl_divergence_knn(ex, view_of(a), view_of(b), da, k, base_of(base)); });
        },
        py::arg("x"), py::arg("y"), py::arg("k") = 1, py::arg("base") = py::none(), py::arg("threads") = 0,
        "k-nearest-neighbour estimate of KL(P || Q) from x ~ P (n, d) and y ~ Q (m, d) (a 1-D array is\n"
        "n points in 1-D), Wang, Kulkarni & Verdu (2009): (d/n) sum_i log(nu_k(i)/rho_k(i)) + log(m/(n-1)),\n"
        "exact Euclidean distances; in units of base. May be negative for close distributions; no\n"
        "closed-form standard error (use bootstrap). ValueError for k < 1, k >= n, k > m or non-finite\n"
        "values; ValueError (domain) when a k-th neighbour distance is 0 (duplicated points).\n"
        "threads: 0 (default) searches on every core when the input is big enough to pay, n >= 1 on\n"
        "at most n; the result is the same, bit for bit, for every value.");

    m.def(
        "bin_on_reference",
        [](const py::object& reference, const py::object& generated, std::size_t bins, const std::string& nan_policy) {
            const auto policy = nan_policy_of(nan_policy, "bin_on_reference");
            auto c = with_float_pair(
                reference, "reference", generated, "generated", "bin_on_reference",
                [&](auto r, auto g) { return nogil([&] { return ck::bin_on_reference(r, g, bins, policy); }); });
            return py::make_tuple(to_numpy(std::move(c.reference)), to_numpy(std::move(c.generated)),
                                  to_numpy(std::move(c.edges)));
        },
        py::arg("reference"), py::arg("generated"), py::arg("bins") = 10, py::arg("nan_policy") = "raise",
        "Counts of both samples on the reference's quantile bins (numpy quantile edges, ties merged,\n"
        "so possibly fewer than bins) plus one open bin below the reference's minimum and one above\n"
        "its maximum. Returns (reference_counts, generated_counts, edges): float64 counts of length\n"
        "len(edges) + 1, the first and last being the two outer bins. nan_policy 'omit' skips NaN;\n"
        "'propagate' is treated as 'raise'.");

    const char* const samples_doc_tail =
        "\n\nreference, generated: 1-D samples (float64/float32 read in place). bins: the number of\n"
        "reference quantile bins (see bin_on_reference). base, zero_support as for the discrete\n"
        "measures; nan_policy 'raise', 'omit' or 'propagate' (NaN when either sample holds one).\n"
        "threads (kl_ and js_divergence_samples): 0 (the default) fills the two histograms on every\n"
        "core for samples big enough to pay; the result is bit-identical for every threads value.";
    m.def(
        "kl_divergence_samples",
        [](const py::object& reference, const py::object& generated, std::size_t bins, std::optional<double> base,
           const py::object& zs, const std::string& nan_policy, std::int64_t threads) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, "kl_divergence_samples");
            const auto ex = execution_of(threads, "kl_divergence_samples");
            return with_float_pair(
                reference, "reference", generated, "generated", "kl_divergence_samples", [&](auto r, auto g) {
                    return nogil([&] { return ck::kl_divergence_samples(ex, r, g, bins, base_of(base), z, policy); });
                });
        },
        py::arg("reference"), py::arg("generated"), py::arg("bins") = 10, py::arg("base") = py::none(),
        py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("KL(reference || generated) on the reference's quantile bins: +inf without smoothing\n"
                     "when a bin holding reference mass gets no generated value (a lost tail or mode).") +
         samples_doc_tail)
            .c_str());
    m.def(
        "js_divergence_samples",
        [](const py::object& reference, const py::object& generated, std::size_t bins, std::optional<double> base,
           const py::object& zs, const std::string& nan_policy, std::int64_t threads) {
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, "js_divergence_samples");
            const auto ex = execution_of(threads, "js_divergence_samples");
            return with_float_pair(
                reference, "reference", generated, "generated", "js_divergence_samples", [&](auto r, auto g) {
                    return nogil([&] { return ck::js_divergence_samples(ex, r, g, bins, base_of(base), z, policy); });
                });
        },
        py::arg("reference"), py::arg("generated"), py::arg("bins") = 10, py::arg("base") = py::none(),
        py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        (std::string("Jensen-Shannon divergence between the two samples binned on the reference's quantile\n"
                     "bins (finite without smoothing).") +
         samples_doc_tail)
            .c_str());
    m.def(
        "divergence_samples",
        [](const py::object& reference, const py::object& generated, std::size_t bins, const std::string& measure,
           std::optional<double> base, const py::object& zs, const std::string& nan_policy, double alpha) {
            constexpr const char* fn = "divergence_samples";
            const auto z = zero_support_of(zs);
            const auto policy = nan_policy_of(nan_policy, fn);
            const bool has_suffix = measure.size() > 7 && measure.compare(measure.size() - 7, 7, "_counts") == 0;
            const std::string counts_name = has_suffix ? measure : measure + "_counts";
            const auto f = measure_by_name(counts_name, base_of(base), z, policy, alpha, 1.0, fn);
            return with_float_pair(reference, "reference", generated, "generated", fn, [&](auto r, auto g) {
                return nogil([&] { return ck::divergence_samples(r, g, bins, f, policy); });
            });
        },
        py::arg("reference"), py::arg("generated"), py::arg("bins") = 10, py::arg("measure") = "js_divergence",
        py::arg("base") = py::none(), py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise",
        py::arg("alpha") = 2.0,
        (std::string("measure(reference counts, generated counts) on the reference's quantile bins, for any\n"
                     "discrete measure given by name ('kl_divergence', 'hellinger', 'total_variation',\n"
                     "'renyi_divergence' with alpha, ...; its _counts form is applied, '_counts' may be\n"
                     "written or not).") +
         samples_doc_tail)
            .c_str());

    m.def(
        "pairwise",
        [](const py::object& items, const py::object& measure, bool symmetric, std::optional<double> base,
           const py::object& zs, const std::string& nan_policy, double alpha, double p, std::size_t k,
           std::int64_t threads) {
            constexpr const char* fn = "pairwise";
            const auto ex = execution_of(threads, fn);
            const auto sym = symmetric ? ck::pairwise_symmetry::mirror : ck::pairwise_symmetry::compute_all;
            if (!py::isinstance<py::str>(measure)) {
                if (!PyCallable_Check(measure.ptr())) {
                    throw py::type_error("collapsekit.pairwise: measure must be a measure name or a callable");
                }
                // A Python measure runs with the GIL held, on the items as given.
                const auto seq = py::reinterpret_borrow<py::sequence>(items);
                std::vector<py::object> list(seq.begin(), seq.end());
                return square_matrix(ck::pairwise(
                    list, [&](const py::object& a, const py::object& b) { return measure(a, b).cast<double>(); }, sym));
            }
            const auto name = measure.cast<std::string>();
            const auto policy = nan_policy_of(nan_policy, fn);
            if (name == "kl_divergence_knn") {
                const auto seq = py::reinterpret_borrow<py::sequence>(items);
                std::vector<carray<double>> keep;
                std::vector<dview> sets;
                std::size_t dim = 0;
                std::size_t i = 0;
                for (const auto& item : seq) {
                    const std::string arg = "items[" + std::to_string(i++) + "]";
                    const auto a_points = points_of(item, fn, arg.c_str());
                    const auto& a = a_points.first;
                    const std::size_t d = a_points.second;
                    if (keep.empty()) dim = d;
                    if (d != dim) {
                        throw py::value_error("collapsekit.pairwise: " + arg + " has dimension " + std::to_string(d) +
                                              ", items[0] has " + std::to_string(dim));
                    }
                    keep.push_back(a);
                    sets.push_back(view_of(keep.back()));
                }
                const ck::measures::kl_divergence_knn f{dim, k, base_of(base)};
                return square_matrix(nogil([&] { return ck::pairwise(ex, sets, f, sym); }));
            }
            const auto f = measure_by_name(name, base_of(base), zero_support_of(zs), policy, alpha, p, fn);
            std::vector<carray<double>> keep;
            const auto rows = rows_of<double>(items, fn, "items", keep);
            return square_matrix(nogil([&] { return ck::pairwise(ex, rows, f, sym); }));
        },
        py::arg("items"), py::arg("measure"), py::arg("symmetric") = false, py::arg("base") = py::none(),
        py::arg("zero_support") = py::none(), py::arg("nan_policy") = "raise", py::arg("alpha") = 2.0,
        py::arg("p") = 1.0, py::arg("k") = 1, py::arg("threads") = 0,
        (std::string("The (n, n) matrix M[i, j] = measure(items[i], items[j]) (e.g. generation x generation drift).\n\n"
                     "items: a sequence of 1-D arrays (or a 2-D array, one item per row); for 'kl_divergence_knn'\n"
                     "a sequence of (n_i, d) point arrays. measure: a name, 'kl_divergence', 'js_divergence',\n"
                     "'hellinger', ... (probability vectors) or the same with '_counts' (count vectors),\n"
                     "'renyi_divergence[_counts]' (alpha=), 'wasserstein' (p=), 'energy_distance', 'ks_statistic',\n"
                     "'kl_divergence_knn' (k=); or a Python callable f(a, b) -> float, called with the items as\n"
                     "given (the GIL is then held). symmetric=True evaluates i <= j only and mirrors (for symmetric\n"
                     "measures: half the work). base, zero_support, nan_policy as for the discrete measures.\n"
                     "Errors of the measure propagate (ValueError). An empty list gives a (0, 0) matrix.\n"
                     "scipy counterpart: scipy.spatial.distance.cdist(X, X, metric).") +
         threads_doc +
         " The pairs are spread over the threads, each computed on one; a Python callable runs on\n"
         "one thread.")
            .c_str());
}

}  // namespace ckpy
