// Bindings of histogram.hpp: numpy.histogram's calling convention, and the mergeable,
// picklable Histogram accumulator.
#include <collapsekit/histogram.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common.hpp"

namespace ckpy {

namespace {

using hist = ck::histogram;

void fill(hist& h, const py::object& x, const py::object& weights, ck::nan_policy policy, const ck::execution& ex) {
    if (weights.is_none()) {
        with_numbers(x, "Histogram.fill", "x", [&](auto v) { nogil([&] { h.fill(ex, v, policy); }); });
        return;
    }
    auto w = contiguous<double>(weights, "Histogram.fill", "weights");
    require_ndim(w, 1, "Histogram.fill", "weights");
    with_float_pair(x, "x", w, "weights", "Histogram.fill", [&](auto v, auto) {
        nogil([&] { h.fill(ex, v, view_of(w), policy); });
        return 0;
    });
}

hist::flow flow_of(bool include_flow) { return include_flow ? hist::flow::include : hist::flow::exclude; }

}  // namespace

void bind_histogram(py::module_& m) {
    py::class_<hist> cls(m, "Histogram",
                         "A fixed binning with 64-bit counts, under/overflow and NaN kept apart, optional\n"
                         "weights. Mergeable (h += other, h + other, merge) and picklable through the C++\n"
                         "byte format, so shards filled in other processes combine exactly.\n\n"
                         "Bin i is [edges[i], edges[i+1]) except the last, which is closed (numpy's rule).");
    cls.def_static(
           "regular",
           [](std::int64_t bins, double lo, double hi) {
               return hist::regular(size_arg(bins, 1, "Histogram.regular", "bins"), lo, hi);
           },
           py::arg("bins"), py::arg("lo"), py::arg("hi"),
           "bins equal bins over [lo, hi] (numpy.histogram(x, bins, range=(lo, hi))). ValueError for\n"
           "bins < 1 or above 2^32, non-finite lo or hi, lo >= hi, or bins / (hi - lo) not finite.")
        .def_static(
            "with_edges",
            [](const py::object& edges) {
                auto e = contiguous<double>(edges, "Histogram.with_edges", "edges");
                require_ndim(e, 1, "Histogram.with_edges", "edges");
                return hist::with_edges(std::vector<double>(e.data(), e.data() + e.size()));
            },
            py::arg("edges"), "Bins between consecutive, non-decreasing finite edges (numpy.histogram(x, edges)).")
        .def_static(
            "integer", [](std::int64_t k) { return hist::integer(size_arg(k, 1, "Histogram.integer", "k")); },
            py::arg("k"),
            "Categories 0..k-1 (numpy.bincount(x, minlength=k)); negatives underflow, >= k overflow.\n"
            "ValueError for k < 1 or above 2^32.")
        .def_static(
            "from_quantiles",
            [](const py::object& reference, std::size_t bins, const std::string& nan_policy) {
                const auto policy = nan_policy_of(nan_policy, "histogram::from_quantiles");
                return with_numbers(reference, "Histogram.from_quantiles", "reference", [&](auto v) {
                    return nogil([&] { return hist::from_quantiles(v, bins, policy); });
                });
            },
            py::arg("reference"), py::arg("bins"), py::arg("nan_policy") = "raise",
            "Edges at the reference's quantiles: numpy.unique(numpy.quantile(reference,\n"
            "numpy.linspace(0, 1, bins + 1))). Reuse them for other samples with empty_like().")
        .def(
            "fill",
            [](hist& h, const py::object& x, const py::object& weights, const std::string& nan_policy,
               std::int64_t threads) -> hist& {
                fill(h, x, weights, nan_policy_of(nan_policy, "histogram::fill"),
                     execution_of(threads, "Histogram.fill"));
                return h;
            },
            py::arg("x"), py::arg("weights") = py::none(), py::arg("nan_policy") = "raise", py::arg("threads") = 0,
            py::return_value_policy::reference_internal,
            "Adds the values of x (any numeric dtype, binned as doubles), optionally weighted.\n"
            "nan_policy: 'raise' (nothing added), 'omit' (counted in nan_count), 'propagate'\n"
            "(as omit, and probabilities/density/quantile become NaN). threads: 0 (the default)\n"
            "uses every core for inputs big enough to pay (one below that); n >= 1 at most n. Counts\n"
            "and weight sums are bit-identical for every threads value. Returns self.")
        .def_property_readonly("bins", &hist::bins)
        .def_property_readonly("lo", &hist::lo)
        .def_property_readonly("hi", &hist::hi)
        .def_property_readonly("edges", [](const hist& h) { return to_numpy(h.edges()); })
        .def_property_readonly(
            "counts", [](const hist& h) { return to_numpy(h.counts()); },
            "In-range entries per bin (uint64 array, a copy).")
        .def_property_readonly("underflow", &hist::underflow)
        .def_property_readonly("overflow", &hist::overflow)
        .def_property_readonly("nan_count", &hist::nan_count)
        .def_property_readonly("total", &hist::total)
        .def_property_readonly("nan_propagated", &hist::nan_propagated)
        .def_property_readonly("weighted", &hist::weighted)
        .def_property_readonly("sum_weights", [](const hist& h) { return to_numpy(h.sum_weights()); })
        .def_property_readonly("sum_weights_squared", [](const hist& h) { return to_numpy(h.sum_weights_squared()); })
        .def(
            "probabilities",
            [](const hist& h, bool include_flow) { return to_numpy(h.probabilities(flow_of(include_flow))); },
            py::arg("include_flow") = false,
            "Mass per bin over the in-range total (or, with include_flow, over everything not NaN).")
        .def(
            "density", [](const hist& h, bool include_flow) { return to_numpy(h.density(flow_of(include_flow))); },
            py::arg("include_flow") = false, "numpy.histogram(..., density=True).")
        .def("quantile", &hist::quantile, py::arg("q"),
             "q-quantile of the in-range mass, spread uniformly within each bin.")
        .def(
            "quantiles",
            [](const hist& h, const py::object& qs) {
                auto q = contiguous<double>(qs, "Histogram.quantiles", "q");
                return to_numpy(h.quantiles(view_of(q)));
            },
            py::arg("q"))
        .def("same_binning", &hist::same_binning, py::arg("other"))
        .def("empty_like", &hist::empty_like, "The same binning, every count zero.")
        .def("reset", &hist::reset)
        .def("__repr__", [](const hist& h) {
            return "Histogram(bins=" + std::to_string(h.bins()) + ", lo=" + std::to_string(h.lo()) +
                   ", hi=" + std::to_string(h.hi()) + ", total=" + std::to_string(h.total()) + ")";
        });
    def_accumulator(cls);

    m.def(
        "histogram",
        [](const py::object& a, const py::object& bins, const py::object& range, const py::object& weights,
           bool density, const std::string& nan_policy, std::int64_t threads) {
            const auto policy = nan_policy_of(nan_policy, "histogram");
            const auto ex = execution_of(threads, "histogram");
            hist h = [&] {
                if (!py::isinstance<py::int_>(bins)) {
                    auto e = contiguous<double>(bins, "histogram", "bins");
                    require_ndim(e, 1, "histogram", "bins");
                    return hist::with_edges(std::vector<double>(e.data(), e.data() + e.size()));
                }
                const auto n = bins.cast<std::size_t>();
                if (!range.is_none()) {
                    const auto r = range.cast<std::pair<double, double>>();
                    return hist::regular(n, r.first, r.second);
                }
                const auto lohi = with_numbers(a, "histogram", "a", [&](auto v) {
                    return nogil([&] { return ck::numpy_histogram_range(ex, v, policy); });
                });
                return hist::regular(n, lohi.first, lohi.second);
            }();
            fill(h, a, weights, policy, ex);
            py::object values;
            if (density) {
                values = to_numpy(h.density());
            } else if (!weights.is_none()) {
                values = to_numpy(h.sum_weights());
            } else {
                const auto& c = h.counts();
                values = to_numpy(std::vector<std::int64_t>(c.begin(), c.end()));
            }
            return py::make_tuple(values, to_numpy(h.edges()));
        },
        py::arg("a"), py::arg("bins") = 10, py::arg("range") = py::none(), py::arg("weights") = py::none(),
        py::arg("density") = false, py::arg("nan_policy") = "raise", py::arg("threads") = 0,
        "numpy.histogram(a, bins, range, weights, density) -> (hist, bin_edges), same counts\n"
        "and edges for float64 data. bins is a count (equal bins over range, by default the\n"
        "data's min and max) or a sequence of edges. Counts are int64; with weights, the sum\n"
        "of weights per bin (float64); with density, numpy's density. Values outside the\n"
        "range are dropped (use Histogram to keep under/overflow). NaN follow nan_policy\n"
        "('raise' by default; numpy would raise too when the range is autodetected). threads: 0\n"
        "(the default) uses every core for inputs big enough to pay (one below that); n >= 1 at\n"
        "most n; the result is bit-identical for every threads value.");
}

}  // namespace ckpy
