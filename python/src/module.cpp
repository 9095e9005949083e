// The _core module: what the library is built with, the shared result types, the
// seeded bootstrap, and one call per area translation unit.
#include <collapsekit/bootstrap.hpp>
#include <collapsekit/bootstrap_cdf.hpp>
#include <collapsekit/build_info.hpp>
#include <collapsekit/core/config.hpp>
#include <collapsekit/core/estimate.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

#include "common.hpp"

namespace ckpy {

namespace {

std::string repr_number(double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
}

// The statistic is a Python callable: it runs with the GIL held and receives a fresh
// float64 array per replicate (the resampling itself is collapsekit's, seeded).
double call_statistic(const py::function& f, ck::view<const double> x) {
    py::array_t<double> a(static_cast<py::ssize_t>(x.size()), x.data());
    return f(a).cast<double>();
}

// A tuple of two 1-D array-likes (two count vectors), as opposed to one count vector
// written as a tuple of numbers.
bool is_pair_of_vectors(const py::object& obj) {
    if (!py::isinstance<py::tuple>(obj)) return false;
    const auto t = py::reinterpret_borrow<py::tuple>(obj);
    if (t.size() != 2) return false;
    for (const auto& item : t) {
        if (py::isinstance<py::array>(item)) {
            if (py::reinterpret_borrow<py::array>(item).ndim() != 1) return false;
        } else if (!py::isinstance<py::sequence>(item) || py::isinstance<py::str>(item)) {
            return false;
        }
    }
    return true;
}

const char* method_name(ck::interval_method m) { return m == ck::interval_method::bca ? "BCa" : "percentile"; }

}  // namespace

void bind_core(py::module_& m) {
    m.attr("__version__") = COLLAPSEKIT_VERSION_STRING;
    m.attr("version_info") =
        py::make_tuple(COLLAPSEKIT_VERSION_MAJOR, COLLAPSEKIT_VERSION_MINOR, COLLAPSEKIT_VERSION_PATCH);
    m.attr("simd_enabled") = ck::simd_enabled;
    m.def("simd_arch", &ck::simd_arch_name,
          "Name of the instruction set the compiled kernels use ('avx512bw', 'avx2', 'sse2', ...;\n"
          "'scalar' when the module was built with COLLAPSEKIT_NO_SIMD).");
    m.def("build_info", &ck::build_info,
          "One line saying what the extension was compiled with: version, SIMD instruction set and\n"
          "doubles per batch, compiler, e.g. 'collapsekit 0.1.0, SIMD avx512bw (8 doubles per batch),\n"
          "GCC 12.2.0'. Quote it in bug reports and next to benchmark figures.");

    py::class_<ck::estimate>(m, "Estimate",
                             "A point estimate with its standard error (NaN when the estimator has no\n"
                             "closed form; use bootstrap then) and the sample size it came from.\n"
                             "float(e) gives the value.")
        .def(py::init([](double value, double standard_error, std::size_t n) {
                 return ck::estimate{value, standard_error, n};
             }),
             py::arg("value"), py::arg("standard_error") = std::nan(""), py::arg("n") = 0)
        .def_readonly("value", &ck::estimate::value)
        .def_readonly("standard_error", &ck::estimate::standard_error)
        .def_readonly("n", &ck::estimate::n)
        .def("__float__", [](const ck::estimate& e) { return e.value; })
        .def("__repr__",
             [](const ck::estimate& e) {
                 return "Estimate(value=" + repr_number(e.value) + ", standard_error=" + repr_number(e.standard_error) +
                        ", n=" + std::to_string(e.n) + ")";
             })
        .def(py::pickle([](const ck::estimate& e) { return py::make_tuple(e.value, e.standard_error, e.n); },
                        [](const py::tuple& t) {
                            return ck::estimate{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<std::size_t>()};
                        }));

    py::class_<ck::interval_estimate>(m, "IntervalEstimate",
                                      "A bootstrap result: the statistic on the data, the interval (low, high) of\n"
                                      "the kind `method` names ('percentile' or 'BCa'), the replicates' standard\n"
                                      "deviation, the level and the number of resamples; for BCa also the bias\n"
                                      "correction z0 and the acceleration a (both 0 for percentile intervals).")
        .def_readonly("estimate", &ck::interval_estimate::estimate)
        .def_readonly("low", &ck::interval_estimate::lower)
        .def_readonly("high", &ck::interval_estimate::upper)
        .def_readonly("standard_error", &ck::interval_estimate::standard_error)
        .def_readonly("confidence_level", &ck::interval_estimate::level)
        .def_readonly("n_resamples", &ck::interval_estimate::replicates)
        .def_property_readonly("method", [](const ck::interval_estimate& r) { return method_name(r.method); })
        .def_readonly("bias_correction", &ck::interval_estimate::bias_correction)
        .def_readonly("acceleration", &ck::interval_estimate::acceleration)
        .def_property_readonly("confidence_interval",
                               [](const ck::interval_estimate& r) { return py::make_tuple(r.lower, r.upper); })
        .def("__repr__", [](const ck::interval_estimate& r) {
            return "IntervalEstimate(estimate=" + repr_number(r.estimate) + ", low=" + repr_number(r.lower) +
                   ", high=" + repr_number(r.upper) + ", standard_error=" + repr_number(r.standard_error) + ")";
        });

    m.def(
        "bootstrap",
        [](const py::tuple& data, const py::function& statistic, std::size_t n_resamples, double confidence_level,
           std::uint64_t seed, const std::string& method, std::size_t jackknife_groups, const std::string& nan_policy) {
            const auto opt =
                bootstrap_options_of("bootstrap", n_resamples, confidence_level, seed, method, jackknife_groups);
            const auto policy = nan_policy_of(nan_policy, "bootstrap");
            if (data.size() == 1) {
                auto x = contiguous<double>(data[0], "bootstrap", "data[0]");
                require_ndim(x, 1, "bootstrap", "data[0]");
                return ck::bootstrap(
                    view_of(x), [&](ck::view<const double> v) { return call_statistic(statistic, v); }, opt, policy);
            }
            if (data.size() == 2) {
                auto x = contiguous<double>(data[0], "bootstrap", "data[0]");
                auto y = contiguous<double>(data[1], "bootstrap", "data[1]");
                require_ndim(x, 1, "bootstrap", "data[0]");
                require_ndim(y, 1, "bootstrap", "data[1]");
                return ck::bootstrap(
                    view_of(x), view_of(y),
                    [&](ck::view<const double> a, ck::view<const double> b) {
                        py::array_t<double> aa(static_cast<py::ssize_t>(a.size()), a.data());
                        py::array_t<double> bb(static_cast<py::ssize_t>(b.size()), b.data());
                        return statistic(aa, bb).cast<double>();
                    },
                    opt, policy);
            }
            throw py::value_error("collapsekit.bootstrap: data must hold one or two samples (got " +
                                  std::to_string(data.size()) + ")");
        },
        py::arg("data"), py::arg("statistic"), py::arg("n_resamples") = 1000, py::arg("confidence_level") = 0.95,
        py::arg("seed") = 0, py::arg("method") = "percentile", py::arg("jackknife_groups") = 1000,
        py::arg("nan_policy") = "raise",
        "Seeded bootstrap, scipy.stats.bootstrap's calling convention.\n\n"
        "data is a tuple of one or two 1-D samples; statistic(sample) or statistic(x, y)\n"
        "returns a float. Replicate b resamples with ck::rng::for_stream(seed, b) (two samples\n"
        "are resampled independently), so results do not depend on order. method='percentile'\n"
        "(the default) gives the (1-level)/2 and (1+level)/2 quantiles of the replicates (numpy's\n"
        "linear method); method='BCa' the bias-corrected and accelerated interval, its\n"
        "acceleration from the leave-one-out jackknife (samples of at most jackknife_groups\n"
        "values) or the delete-a-group jackknife with jackknife_groups random groups. A Python\n"
        "statistic holds the GIL, so this runs on one thread; the compiled bootstraps\n"
        "(bootstrap_cdf_distances, bootstrap_entropy) take threads=.\n"
        "nan_policy: 'raise' (the default) raises ValueError for a NaN in a sample, 'omit' drops\n"
        "each sample's NaN values before resampling (the statistic never sees one), 'propagate'\n"
        "returns an estimate, interval and standard error of NaN without calling the statistic.\n"
        "Raises ValueError for an empty sample (or one of NaN only under 'omit'), n_resamples < 2,\n"
        "a level outside (0, 1) or an unknown method or nan_policy.");

    m.def(
        "bootstrap_counts",
        [](const py::object& counts, const py::function& statistic, std::size_t n_resamples, double confidence_level,
           std::uint64_t seed, const std::string& method, std::size_t jackknife_groups) {
            // A const lvalue: with an rvalue, the (counts, stat, options) and (a, b, stat)
            // overloads of ck::bootstrap_counts are ambiguous.
            const auto opt =
                bootstrap_options_of("bootstrap_counts", n_resamples, confidence_level, seed, method, jackknife_groups);
            if (is_pair_of_vectors(counts)) {
                const auto pair = py::reinterpret_borrow<py::tuple>(counts);
                auto a = vector_of<double>(pair[0], "bootstrap_counts", "counts[0]");
                auto b = vector_of<double>(pair[1], "bootstrap_counts", "counts[1]");
                const auto va = view_of(a);
                const auto vb = view_of(b);
                return ck::bootstrap_counts(
                    va, vb,
                    [&](ck::view<const double> x, ck::view<const double> y) {
                        py::array_t<double> xx(static_cast<py::ssize_t>(x.size()), x.data());
                        py::array_t<double> yy(static_cast<py::ssize_t>(y.size()), y.data());
                        return statistic(xx, yy).cast<double>();
                    },
                    opt);
            }
            auto c = contiguous<double>(counts, "bootstrap_counts", "counts");
            require_ndim(c, 1, "bootstrap_counts", "counts");
            return ck::bootstrap_counts(
                view_of(c), [&](ck::view<const double> v) { return call_statistic(statistic, v); }, opt);
        },
        py::arg("counts"), py::arg("statistic"), py::arg("n_resamples") = 1000, py::arg("confidence_level") = 0.95,
        py::arg("seed") = 0, py::arg("method") = "percentile", py::arg("jackknife_groups") = 1000,
        "Seeded bootstrap over category counts: each replicate is a multinomial draw of\n"
        "N = sum(counts) observations with probabilities counts / N, passed to statistic as a\n"
        "float64 count vector. Counts must be non-negative whole numbers, not all zero.\n"
        "counts may also be a tuple (a, b) of two 1-D count vectors (e.g. reference and generated\n"
        "histograms on the same bins): each is resampled as its own multinomial, independently,\n"
        "and statistic(a_star, b_star) is called with both. method='BCa' takes its acceleration from\n"
        "the leave-one-out jackknife, one statistic call per non-empty category (ValueError when\n"
        "there are more than jackknife_groups of them).");

    py::class_<ck::cdf_distance_intervals>(m, "CdfDistanceIntervals",
                                           "bootstrap_cdf_distances' result: one IntervalEstimate per distance,\n"
                                           "all from the same replicates.")
        .def_readonly("wasserstein", &ck::cdf_distance_intervals::wasserstein)
        .def_readonly("ks", &ck::cdf_distance_intervals::ks)
        .def_readonly("energy", &ck::cdf_distance_intervals::energy)
        .def("__repr__", [](const ck::cdf_distance_intervals& r) {
            return "CdfDistanceIntervals(wasserstein=" + repr_number(r.wasserstein.estimate) +
                   ", ks=" + repr_number(r.ks.estimate) + ", energy=" + repr_number(r.energy.estimate) + ")";
        });

    m.def(
        "bootstrap_cdf_distances",
        [](const py::object& u, const py::object& v, std::size_t n_resamples, double confidence_level,
           std::uint64_t seed, const std::string& method, std::size_t jackknife_groups, std::int64_t threads) {
            constexpr const char* fn = "bootstrap_cdf_distances";
            const auto opt = bootstrap_options_of(fn, n_resamples, confidence_level, seed, method, jackknife_groups);
            const auto ex = execution_of(threads, fn);
            auto a = contiguous<double>(u, fn, "u");
            auto b = contiguous<double>(v, fn, "v");
            require_ndim(a, 1, fn, "u");
            require_ndim(b, 1, fn, "v");
            return nogil([&] { return ck::bootstrap_cdf_distances(ex, view_of(a), view_of(b), opt); });
        },
        py::arg("u"), py::arg("v"), py::arg("n_resamples") = 1000, py::arg("confidence_level") = 0.95,
        py::arg("seed") = 0, py::arg("method") = "percentile", py::arg("jackknife_groups") = 1000,
        py::arg("threads") = 0,
        "Bootstrap intervals of W1 (wasserstein_distance), the two-sided KS statistic and the\n"
        "energy distance between samples u and v, each resampled independently, sorting each\n"
        "sample once: a replicate is a multinomial draw of per-value counts and one linear pass\n"
        "over the merged sorted values, not a resample, two sorts and a merge. Returns\n"
        "CdfDistanceIntervals (.wasserstein, .ks, .energy). threads=0 (the default) uses every\n"
        "core when the work pays; the result is bit-identical for any threads. method and\n"
        "jackknife_groups as bootstrap. ValueError for an empty sample, NaN or infinite values,\n"
        "n_resamples < 2, a level outside (0, 1).");
}

}  // namespace ckpy

PYBIND11_MODULE(_core, m) {
    m.doc() =
        "collapsekit's compiled core: distribution-drift and model-collapse measures over numpy\n"
        "arrays (zero-copy for C-contiguous float64/float32/integer arrays; the GIL is released\n"
        "while computing). Import it through the collapsekit package.";
    ckpy::translate_errors_to_python_spellings();
    ckpy::bind_core(m);
    ckpy::bind_histogram(m);
    ckpy::bind_entropy(m);
    ckpy::bind_divergence(m);
    ckpy::bind_tail(m);
    ckpy::bind_ngram(m);
    ckpy::bind_tokenizer(m);
    ckpy::bind_feedback(m);
    ckpy::bind_report(m);
    ckpy::bind_partitioned(m);
}
