// Bindings of partitioned/*.hpp: the pieces collapsekit.dask orchestrates. Cell
// histograms and the bracket planner (exact W1 / KS / energy / quantiles by
// bracket-and-refine), the mergeable tail counter, and merges of lists of accumulators
// with the GIL released. Everything numerical happens in the headers.
#include <collapsekit/entropy/accumulator.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/ngram/counts.hpp>
#include <collapsekit/ngram/hyperloglog.hpp>
#include <collapsekit/partitioned/bracket.hpp>
#include <collapsekit/partitioned/key_cells.hpp>
#include <collapsekit/partitioned/tail_counts.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"

namespace ckpy {

namespace {

namespace part = ck::partitioned;

// Merges objects[1..] into a copy of objects[0], the merges running without the GIL.
template <class T>
py::object merge_list(const py::list& objects) {
    std::vector<const T*> items;
    items.reserve(objects.size());
    for (const auto& o : objects) items.push_back(&o.cast<const T&>());
    T out = *items[0];
    nogil([&] {
        for (std::size_t i = 1; i < items.size(); ++i) out += *items[i];
    });
    return py::cast(std::move(out));
}

part::refine_spec spec_of(unsigned depth, const py::object& prefixes, unsigned bits) {
    part::refine_spec s;
    s.depth = depth;
    s.bits = bits;
    auto p = vector_of<std::uint64_t>(prefixes, "CellHistogram", "prefixes");
    s.prefixes.assign(p.data(), p.data() + p.size());
    s.check("CellHistogram");
    return s;
}

std::string step_name(part::next_step s) {
    switch (s) {
        case part::next_step::refine:
            return "refine";
        case part::next_step::gather:
            return "gather";
        case part::next_step::done:
            return "done";
    }
    return "done";
}

}  // namespace

void bind_partitioned(py::module_& m) {
    py::class_<part::cell_histogram> ch(
        m, "CellHistogram",
        "Counts and exact significand sums of one or two samples per cell of the order-preserving\n"
        "64-bit key, for one refine pass (depth bits fixed, the next `bits` counted) of the cells\n"
        "`prefixes`. Mergeable (+=, merge) and picklable (protocol-5 buffers); collapsekit.dask\n"
        "fills one per partition and tree-reduces them.");
    ch.def(py::init([](unsigned depth, const py::object& prefixes, unsigned bits) {
               return part::cell_histogram(spec_of(depth, prefixes, bits));
           }),
           py::arg("depth"), py::arg("prefixes"), py::arg("bits") = 16,
           "depth: key bits already fixed, 0 (then bits is 16) or 16..63; prefixes: sorted unique\n"
           "uint64 cell prefixes below 2^depth; bits: 1..16 key bits counted, depth + bits <= 64.\n"
           "ValueError for anything else.")
        .def(
            "fill",
            [](part::cell_histogram& h, const py::object& x, int sample,
               const std::string& nan_policy) -> part::cell_histogram& {
                const auto policy = nan_policy_of(nan_policy, "cell_histogram::fill");
                with_floats(x, "CellHistogram.fill", "x", [&](auto v) {
                    nogil([&] { h.fill(v, sample, policy); });
                    return 0;
                });
                return h;
            },
            py::arg("x"), py::arg("sample"), py::arg("nan_policy") = "raise",
            py::return_value_policy::reference_internal,
            "Adds the values of x (1-D, numeric) to sample 0 or 1. ValueError for +-inf, NaN under\n"
            "nan_policy='raise', a sample other than 0 or 1. Returns self.")
        .def_property_readonly("depth", [](const part::cell_histogram& h) { return h.spec().depth; })
        .def_property_readonly("bits", [](const part::cell_histogram& h) { return h.spec().bits; })
        .def_property_readonly("prefixes", [](const part::cell_histogram& h) { return to_numpy(h.spec().prefixes); })
        .def_property_readonly("cells", [](const part::cell_histogram& h) { return h.cells().size(); })
        .def("total", &part::cell_histogram::total, py::arg("sample"))
        .def("nan_count", &part::cell_histogram::nan_count, py::arg("sample"))
        .def_property_readonly(
            "nbytes",
            [](const part::cell_histogram& h) {
                return sizeof(part::cell_histogram) + 8 * h.spec().prefixes.size() +
                       sizeof(part::cell) * h.cells().size();
            },
            "Approximate memory held (bytes), for dask.sizeof.")
        .def(
            "merge",
            [](part::cell_histogram& a, const part::cell_histogram& b) -> part::cell_histogram& {
                return nogil([&]() -> part::cell_histogram& { return a += b; });
            },
            py::arg("other"), py::return_value_policy::reference_internal)
        .def(
            "__iadd__",
            [](part::cell_histogram& a, const part::cell_histogram& b) -> part::cell_histogram& {
                return nogil([&]() -> part::cell_histogram& { return a += b; });
            },
            py::return_value_policy::reference_internal)
        .def("__eq__", [](const part::cell_histogram& a, const part::cell_histogram& b) { return a == b; })
        .def("serialize", [](const part::cell_histogram& h) { return bytes_of(h); })
        // The state is the byte format as a numpy uint8 array: numpy pickles it out of band
        // under protocol 5 (pickle.PickleBuffer, no copy) and as bytes under older ones.
        .def(py::pickle([](const part::cell_histogram& h) { return py::object(to_numpy(h.serialize())); },
                        [](const py::object& state) {
                            return with_buffer(state, "CellHistogram.__setstate__",
                                               [](const std::uint8_t* p, std::size_t n) {
                                                   return part::cell_histogram::deserialize(p, n);
                                               });
                        }));
    ch.attr("__hash__") = py::none();
    m.def(
        "_cell_histogram_from_buffer",
        [](const py::object& data) {
            return with_buffer(data, "_cell_histogram_from_buffer", [](const std::uint8_t* p, std::size_t n) {
                return nogil([&] { return part::cell_histogram::deserialize(p, n); });
            });
        },
        py::arg("data"), "CellHistogram from its bytes (any bytes-like object); used by pickle.");

    py::class_<part::tail_counter> tc(m, "TailCounter",
                                      "Counts of values strictly below `lower` and strictly above `upper` (NaN "
                                      "threshold:\nside not counted); mergeable and picklable. mass() is "
                                      "tail_mass's value.");
    tc.def(py::init<double, double>(), py::arg("lower"), py::arg("upper"))
        .def(
            "fill",
            [](part::tail_counter& t, const py::object& g, const std::string& nan_policy) -> part::tail_counter& {
                const auto policy = nan_policy_of(nan_policy, "tail_mass");
                with_numbers(g, "tail_mass", "generated", [&](auto v) {
                    nogil([&] { t.fill(v, policy); });
                    return 0;
                });
                return t;
            },
            py::arg("generated"), py::arg("nan_policy") = "raise", py::return_value_policy::reference_internal)
        .def(
            "mass",
            [](const part::tail_counter& t, const std::string& p) { return t.mass(nan_policy_of(p, "tail_mass")); },
            py::arg("nan_policy") = "raise",
            "below / total + above / total, as tail_mass; NaN under 'propagate' when NaN was seen.")
        .def_property_readonly("lower", &part::tail_counter::lower)
        .def_property_readonly("upper", &part::tail_counter::upper)
        .def_property_readonly("below", &part::tail_counter::below)
        .def_property_readonly("above", &part::tail_counter::above)
        .def_property_readonly("total", &part::tail_counter::total)
        .def_property_readonly("nan_count", &part::tail_counter::nan_count)
        .def(
            "merge", [](part::tail_counter& a, const part::tail_counter& b) -> part::tail_counter& { return a += b; },
            py::return_value_policy::reference_internal)
        .def(
            "__iadd__",
            [](part::tail_counter& a, const part::tail_counter& b) -> part::tail_counter& { return a += b; },
            py::return_value_policy::reference_internal)
        .def(py::pickle(
            [](const part::tail_counter& t) {
                return py::make_tuple(t.lower(), t.upper(), t.below(), t.above(), t.total(), t.nan_count());
            },
            [](const py::tuple& s) {
                if (s.size() != 6) throw py::value_error("collapsekit.TailCounter: bad pickle state");
                return part::tail_counter::restore(s[0].cast<double>(), s[1].cast<double>(), s[2].cast<std::uint64_t>(),
                                                   s[3].cast<std::uint64_t>(), s[4].cast<std::uint64_t>(),
                                                   s[5].cast<std::uint64_t>());
            }));

    m.def(
        "_merge_all",
        [](const py::list& objects) -> py::object {
            if (objects.size() == 0) throw py::value_error("collapsekit._merge_all: objects is empty");
            const py::handle first = objects[0];
            if (py::isinstance<ck::histogram>(first)) return merge_list<ck::histogram>(objects);
            if (py::isinstance<ck::entropy_accumulator>(first)) return merge_list<ck::entropy_accumulator>(objects);
            if (py::isinstance<ck::ngram_counts>(first)) return merge_list<ck::ngram_counts>(objects);
            if (py::isinstance<ck::hyperloglog>(first)) return merge_list<ck::hyperloglog>(objects);
            if (py::isinstance<part::cell_histogram>(first)) return merge_list<part::cell_histogram>(objects);
            if (py::isinstance<part::tail_counter>(first)) return merge_list<part::tail_counter>(objects);
            throw py::type_error("collapsekit._merge_all: objects must be collapsekit accumulators of one type");
        },
        py::arg("objects"),
        "Merges a non-empty list of accumulators of one type (Histogram, EntropyAccumulator,\n"
        "NgramCounts, HyperLogLog, CellHistogram, TailCounter) left to right into a new one,\n"
        "without the GIL. TypeError for other objects, ValueError (from merge) when they do not fit.");

    py::class_<part::bracket> br(
        m, "Bracket",
        "The bracket-and-refine planner of one partitioned measure: after each pass it holds the\n"
        "certified bounds [lower, upper] and says what the next pass is (step: 'refine' with\n"
        "spec, 'gather' with gather_ranges, or 'done').");
    br.def(py::init([](const std::string& measure, const py::object& qs, const std::string& method,
                       const std::string& alternative, const std::string& nan_policy, std::uint64_t gather_limit,
                       double tol, std::uint64_t max_cells) {
               part::bracket_options o;
               o.what = choice_of<part::measure>(measure, "Bracket", "measure",
                                                 {{"wasserstein", part::measure::wasserstein},
                                                  {"ks", part::measure::ks},
                                                  {"energy", part::measure::energy},
                                                  {"quantile", part::measure::quantile}});
               if (!qs.is_none()) {
                   auto q = vector_of<double>(qs, "Bracket", "q");
                   o.qs.assign(q.data(), q.data() + q.size());
               }
               o.method = choice_of<ck::quantile_method>(
                   method, "Bracket", "method",
                   {{"linear", ck::quantile_method::linear}, {"inverted_cdf", ck::quantile_method::inverted_cdf}});
               o.alternative = choice_of<ck::ks_alternative>(alternative, "Bracket", "alternative",
                                                             {{"two-sided", ck::ks_alternative::two_sided},
                                                              {"less", ck::ks_alternative::less},
                                                              {"greater", ck::ks_alternative::greater}});
               o.nan = nan_policy_of(nan_policy, "Bracket");
               o.gather_limit = gather_limit;
               o.tol = tol;
               o.max_cells = max_cells;
               return part::bracket(o);
           }),
           py::arg("measure"), py::arg("q") = py::none(), py::arg("method") = "linear",
           py::arg("alternative") = "two-sided", py::arg("nan_policy") = "raise", py::arg("gather_limit") = 1u << 20,
           py::arg("tol") = 0.0, py::arg("max_cells") = std::uint64_t{1} << 18)
        .def_property_readonly("step", [](const part::bracket& b) { return step_name(b.step()); })
        .def_property_readonly(
            "spec",
            [](const part::bracket& b) {
                return py::make_tuple(b.spec().depth, to_numpy(b.spec().prefixes), b.spec().bits);
            },
            "(depth, prefixes, bits) of the next refine pass: CellHistogram's arguments.")
        .def_property_readonly(
            "gather_ranges",
            [](const part::bracket& b) {
                std::vector<std::uint64_t> f, l;
                for (const auto& r : b.gather_ranges()) {
                    f.push_back(r.first);
                    l.push_back(r.last);
                }
                return py::make_tuple(to_numpy(std::move(f)), to_numpy(std::move(l)));
            },
            "(first keys, last keys) of the cells whose values the gather step needs.")
        .def(
            "update", [](part::bracket& b, const part::cell_histogram& h) { nogil([&] { b.update(h); }); },
            py::arg("histogram"))
        .def(
            "finish",
            [](part::bracket& b, const py::object& x, const py::object& y) {
                auto a = vector_of<double>(x, "Bracket.finish", "x");
                auto c = vector_of<double>(y, "Bracket.finish", "y");
                nogil([&] { b.finish(view_of(a), view_of(c)); });
            },
            py::arg("x"), py::arg("y"))
        .def_property_readonly("passes", &part::bracket::passes)
        .def_property_readonly("exact", &part::bracket::exact)
        .def_property_readonly("undecided_values", &part::bracket::undecided_values)
        .def_property_readonly(
            "ks_pvalue", [](const part::bracket& b) { return nogil([&] { return b.ks_pvalue(); }); },
            "KS only, once exact: collapsekit.ks_2samp's p-value for the statistic; NaN otherwise.")
        .def_property_readonly("values", [](const part::bracket& b) { return to_numpy(b.values()); })
        .def_property_readonly("lower", [](const part::bracket& b) { return to_numpy(b.lower()); })
        .def_property_readonly("upper", [](const part::bracket& b) { return to_numpy(b.upper()); })
        .def("n", &part::bracket::n, py::arg("sample"));

    m.def(
        "select_in_ranges",
        [](const py::object& x, const py::object& firsts, const py::object& lasts) {
            auto f = vector_of<std::uint64_t>(firsts, "select_in_ranges", "firsts");
            auto l = vector_of<std::uint64_t>(lasts, "select_in_ranges", "lasts");
            if (f.size() != l.size())
                throw py::value_error("collapsekit.select_in_ranges: firsts and lasts differ in length");
            std::vector<part::key_range> r(static_cast<std::size_t>(f.size()));
            for (std::size_t i = 0; i < r.size(); ++i) r[i] = {f.data()[i], l.data()[i]};
            return with_floats(x, "select_in_ranges", "x",
                               [&](auto v) { return to_numpy(nogil([&] { return part::select_in_ranges(v, r); })); });
        },
        py::arg("x"), py::arg("firsts"), py::arg("lasts"),
        "The finite values of x whose order-preserving keys lie in one of the key ranges\n"
        "[firsts[i], lasts[i]] (sorted, disjoint), as float64, in input order.");
}

}  // namespace ckpy
