// Bindings of feedback.hpp: the models, the data policies, the text helpers, and the
// driver's run-time entry point (models and metrics chosen by value and by name).
// collapsekit.simulate (in __init__.py) turns the columns returned here into a DataFrame.
#include <collapsekit/feedback.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "progress_relay.hpp"

namespace ckpy {

namespace {

namespace fb = ck::feedback;
using document = std::vector<std::uint32_t>;

fb::sampling_controls controls_of(double temperature, std::size_t top_k, double top_p) {
    fb::sampling_controls c;
    c.temperature = temperature;
    c.top_k = top_k;
    c.top_p = top_p;
    return c;
}

fb::split_rule split_of(const std::string& s, const char* where = "Policy", const char* arg = "rule") {
    return choice_of<fb::split_rule>(s, where, arg,
                                     {{"exact", fb::split_rule::exact}, {"per_sample", fb::split_rule::per_sample}});
}

fb::variance_estimator variance_of(const std::string& s, const char* where = "GaussianModel",
                                   const char* arg = "variance") {
    return choice_of<fb::variance_estimator>(
        s, where, arg, {{"mle", fb::variance_estimator::mle}, {"unbiased", fb::variance_estimator::unbiased}});
}

std::vector<double> reals_of(const py::object& x, const char* arg) {
    auto a = contiguous<double>(x, "simulate", arg);
    require_ndim(a, 1, "simulate", arg);
    return std::vector<double>(a.data(), a.data() + a.size());
}

std::vector<std::uint32_t> ids_of(const py::object& x, const char* arg) { return token_ids_of(x, "simulate", arg); }

std::vector<document> documents_of(const py::object& x) {
    if (py::isinstance<ck::corpus>(x)) {
        const auto& c = x.cast<const ck::corpus&>();
        std::vector<document> out;
        for (std::size_t d = 0; d < c.documents(); ++d) {
            const auto* b = c.tokens().data() + c.offsets()[d];
            out.emplace_back(b, b + c.document_length(d));
        }
        return out;
    }
    std::vector<document> out;
    for (const auto& d : x.cast<py::iterable>()) out.push_back(ids_of(py::reinterpret_borrow<py::object>(d), "human"));
    return out;
}

fb::sample_schedule schedule_of(const py::object& samples) {
    if (py::isinstance<py::int_>(samples)) return fb::sample_schedule(samples.cast<std::size_t>());
    return fb::sample_schedule::list(samples.cast<std::vector<std::size_t>>());
}

// Columns of a table, ready for pandas.DataFrame(dict).
py::dict columns_of(const fb::table& t, const char* value_name) {
    const auto& rows = t.rows();
    py::list lineage(rows.size()), metric(rows.size());
    std::vector<std::uint64_t> replicate(rows.size()), generation(rows.size());
    std::vector<double> value(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        lineage[i] = py::str(rows[i].lineage);
        metric[i] = py::str(rows[i].metric);
        replicate[i] = rows[i].replicate;
        generation[i] = rows[i].generation;
        value[i] = rows[i].value;
    }
    py::dict d;
    d["lineage"] = lineage;
    d["replicate"] = to_numpy(std::move(replicate));
    d["generation"] = to_numpy(std::move(generation));
    d[value_name == std::string("value") ? "metric" : "origin"] = metric;
    d[value_name] = to_numpy(std::move(value));
    return d;
}

struct run_options {
    std::size_t lineages;
    fb::simulation_options sim;
    std::vector<std::string> metrics;
    py::object progress;  // None, or progress(done, total)
};

// simulate runs on a thread of its own while the calling thread relays its progress and
// watches for Ctrl-C (progress_relay.hpp); either stops the workers at their next
// generation boundary.
template <class Model>
py::tuple run(const Model& model, const fb::policy& policy, const fb::human_data<typename Model::sample_type>& human,
              const run_options& o) {
    const auto metrics = fb::metrics::metrics_by_name(o.metrics, model);
    const fb::simulation_result r = relay_progress(o.progress, [&](const ck::work_progress& report) {
        fb::simulation_options sim = o.sim;
        sim.on_progress = [&report](const fb::progress& p) { report(p.done, p.total); };
        return fb::simulate(model, policy, human, metrics, sim, o.lineages);
    });
    return py::make_tuple(columns_of(r.metrics, "value"), columns_of(r.provenance, "share"));
}

// Human data for real-valued models: a GaussianModel / GaussianMixtureModel to sample
// from (the true distribution), or an array to resample.
// (n, d) points as the multivariate model's samples (one std::vector per row).
std::vector<std::vector<double>> rows_of(const py::object& x, const char* fn, const char* arg) {
    const auto a_points = points_of(x, fn, arg);
    const auto& a = a_points.first;
    const std::size_t dim = a_points.second;
    const std::size_t n = static_cast<std::size_t>(a.size()) / dim;
    std::vector<std::vector<double>> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i].assign(a.data() + i * dim, a.data() + (i + 1) * dim);
    return out;
}

py::array_t<double> matrix_of(const std::vector<double>& values, std::size_t rows, std::size_t cols) {
    py::array_t<double> out({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

py::array_t<double> points_array(const std::vector<std::vector<double>>& x, std::size_t dim) {
    py::array_t<double> out({static_cast<py::ssize_t>(x.size()), static_cast<py::ssize_t>(dim)});
    double* o = out.mutable_data();
    for (const auto& row : x) o = std::copy(row.begin(), row.end(), o);
    return out;
}

fb::human_data<std::vector<double>> vector_human(const py::object& human, const py::object& model) {
    const py::object& h = human.is_none() ? model : human;
    if (py::isinstance<fb::multivariate_gaussian>(h)) {
        return fb::human_data<std::vector<double>>::from_model(h.cast<fb::multivariate_gaussian>());
    }
    return fb::human_data<std::vector<double>>::from_samples(rows_of(h, "simulate", "human"));
}

fb::human_data<double> real_human(const py::object& human, const py::object& model) {
    const py::object& h = human.is_none() ? model : human;
    if (py::isinstance<fb::gaussian>(h)) return fb::human_data<double>::from_model(h.cast<fb::gaussian>());
    if (py::isinstance<fb::gaussian_mixture>(h) || py::isinstance<fb::kde>(h)) {
        throw py::value_error(
            "collapsekit::simulate: human data for a fitted-only model must be given (an array of samples or a "
            "GaussianModel)");
    }
    return fb::human_data<double>::from_samples(reals_of(h, "human"));
}

// ---- Pickling ------------------------------------------------------------------------
// The state of every class below is a tuple (state_version, field, ...) holding the
// object's whole current state, not only its constructor arguments, so that an unpickled
// object behaves bit for bit as the original (collapsekit.dask.simulate ships models and
// policies to worker processes this way). __setstate__ checks the tuple and raises
// ValueError "collapsekit.<Class>.__setstate__: ..." for one that no version wrote.
constexpr int state_version = 1;

// Builds a state: the version first, then the fields in order.
class state_writer {
public:
    state_writer() { fields_.append(state_version); }
    template <class T>
    state_writer& add(T&& value) {
        fields_.append(std::forward<T>(value));
        return *this;
    }
    state_writer& add_controls(const fb::sampling_controls& c) { return add(c.temperature).add(c.top_k).add(c.top_p); }
    py::tuple tuple() const { return py::tuple(fields_); }

private:
    py::list fields_;
};

// Reads a state's fields in order, each checked for its type; every complaint names the
// class and the field.
class state_reader {
public:
    state_reader(const py::object& state, const std::string& cls, std::size_t fields) : where_(cls + ".__setstate__") {
        if (!py::isinstance<py::tuple>(state)) fail("the state must be a tuple (got " + type_of(state) + ")");
        t_ = state.cast<py::tuple>();
        if (t_.size() != fields + 1) {
            fail("the state must be a tuple of " + std::to_string(fields + 1) + " items (got " +
                 std::to_string(t_.size()) + ")");
        }
        if (!is_int(t_[0]) || t_[0].cast<py::int_>().not_equal(py::int_(state_version))) {
            fail("unsupported state version " + std::string(py::repr(t_[0])) + " (this build reads version " +
                 std::to_string(state_version) + ")");
        }
    }

    // "<Class>.__setstate__", for choice_of and the like.
    const char* where() const noexcept { return where_.c_str(); }
    [[noreturn]] void fail(const std::string& what) const {
        throw py::value_error("collapsekit." + where_ + ": " + what);
    }

    double real(const char* name) {
        const py::object x = next();
        if (!is_int(x) && !py::isinstance<py::float_>(x)) wrong(name, "a real number", x);
        return x.cast<double>();
    }
    std::size_t count(const char* name) {
        const py::object x = next();
        if (!is_int(x) || x.cast<py::int_>() < py::int_(0)) wrong(name, "a non-negative integer", x);
        try {
            return x.cast<std::size_t>();
        } catch (const py::cast_error&) {
            fail(std::string(name) + " is too large (" + std::string(py::repr(x)) + ")");
        }
    }
    std::string text(const char* name) {
        const py::object x = next();
        if (!py::isinstance<py::str>(x)) wrong(name, "a str", x);
        return x.cast<std::string>();
    }
    template <class E>
    E choice(const char* name, std::initializer_list<std::pair<const char*, E>> choices) {
        const std::string value = text(name);
        return choice_of<E>(value, where(), name, choices);
    }
    // A float64 array of the given shape (rows only: a 1-D array), flattened row-major.
    std::vector<double> reals(const char* name, py::ssize_t rows = -1, py::ssize_t cols = -1) {
        const py::object x = next();
        const std::string want = rows < 0
                                     ? "a 1-D float64 array"
                                     : "a (" + std::to_string(rows) + ", " + std::to_string(cols) + ") float64 array";
        if (!py::isinstance<py::array>(x)) wrong(name, want, x);
        const auto a = x.cast<py::array>();
        const bool shape_ok = rows < 0 ? a.ndim() == 1 : a.ndim() == 2 && a.shape(0) == rows && a.shape(1) == cols;
        if (a.dtype().kind() != 'f' || a.itemsize() != 8 || !shape_ok) wrong(name, want, x);
        const auto c = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
        return std::vector<double>(c.data(), c.data() + c.size());
    }
    fb::sampling_controls controls() {
        fb::sampling_controls c;
        c.temperature = real("temperature");
        c.top_k = count("top_k");
        c.top_p = real("top_p");
        return c;
    }

    // Runs make(), turning the library's complaints about the values into this state's.
    template <class Make>
    auto build(Make&& make) const -> decltype(make()) {
        try {
            return make();
        } catch (const std::invalid_argument& e) {
            fail(std::string("invalid state (") + python_spelling(e.what()) + ")");
        } catch (const std::domain_error& e) {
            fail(std::string("invalid state (") + python_spelling(e.what()) + ")");
        } catch (const py::value_error& e) {
            fail(std::string("invalid state (") + e.what() + ")");
        }
    }

private:
    static bool is_int(const py::handle& x) { return py::isinstance<py::int_>(x) && !py::isinstance<py::bool_>(x); }
    static std::string type_of(const py::handle& x) {
        if (py::isinstance<py::array>(x)) {
            return std::string(py::str(x.attr("dtype"))) + " array of shape " + std::string(py::str(x.attr("shape")));
        }
        return py::str(py::type::of(x).attr("__name__"));
    }
    [[noreturn]] void wrong(const char* name, const std::string& want, const py::handle& x) const {
        fail(std::string(name) + " must be " + want + " (got " + type_of(x) + ")");
    }
    py::object next() { return t_[next_++]; }

    std::string where_;
    py::tuple t_;
    std::size_t next_ = 1;
};

// Wires pickling (and so copy.copy / copy.deepcopy) of the class bound as m.<name> to
// state_writer and state_reader: get(obj, writer) adds the fields, set(reader) rebuilds
// the object from them.
template <class T, class Get, class Set>
void def_state(py::module_& m, const std::string& name, std::size_t fields, Get get, Set set) {
    auto cls = py::reinterpret_borrow<py::class_<T>>(m.attr(name.c_str()));
    cls.def(py::pickle(
        [get](const T& x) -> py::object {
            state_writer w;
            get(x, w);
            return w.tuple();
        },
        [name, fields, set](const py::object& state) {
            state_reader r(state, name, fields);
            return set(r);
        }));
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

}  // namespace

void bind_feedback(py::module_& m) {
    py::class_<fb::policy>(m, "Policy",
                           "How each generation's training set is made. Start from Policy.replace() (train on\n"
                           "the last output only: the collapse loop) or Policy.accumulate() (keep all data),\n"
                           "then chain mitigations/hazards: .human_floor(0.1).detector(0.9, 0.05) ...")
        .def_static("replace", &fb::policy::replace)
        .def_static("accumulate", &fb::policy::accumulate)
        .def(
            "human_floor",
            [](const fb::policy& p, double share, const std::string& rule) {
                return p.human_floor(share, split_of(rule));
            },
            py::arg("share"), py::arg("rule") = "exact",
            "A fraction share of each new block's slots is fresh human data ('exact' count or\n"
            "'per_sample' Binomial).")
        .def("contamination", &fb::policy::contamination, py::arg("share"),
             "A share of the human slots is secretly filled with model output.")
        .def("detector", &fb::policy::detector, py::arg("tpr"), py::arg("fpr"),
             "A detector removes machine samples with probability tpr, human ones with fpr.")
        .def("watermark", &fb::policy::watermark, py::arg("detection_rate"))
        .def("curated", &fb::policy::curated, py::arg("n"), "Keep n human samples in every training set.")
        .def_property_readonly("human_fraction", &fb::policy::human_fraction)
        .def("__repr__", [](const fb::policy& p) { return "Policy(" + p.describe() + ")"; });
    // State: regime, human_fraction, split rule, contamination, detector tpr and fpr,
    // watermark detection rate, curated size.
    def_state<fb::policy>(
        m, "Policy", 8,
        [](const fb::policy& p, state_writer& w) {
            w.add(fb::to_string(p.regime()))
                .add(p.human_fraction())
                .add(fb::to_string(p.split()))
                .add(p.contamination_share())
                .add(p.detector_tpr())
                .add(p.detector_fpr())
                .add(p.watermark_detection())
                .add(p.curated_size());
        },
        [](state_reader& r) {
            const auto regime = r.choice<fb::data_regime>(
                "regime", {{"replace", fb::data_regime::replace}, {"accumulate", fb::data_regime::accumulate}});
            const double share = r.real("human_fraction");
            const auto rule = split_of(r.text("split"), r.where(), "split");
            const double contamination = r.real("contamination");
            const double tpr = r.real("tpr"), fpr = r.real("fpr");
            const double watermark = r.real("watermark");
            const std::size_t curated = r.count("curated");
            return r.build([&] {
                return fb::policy(regime)
                    .human_floor(share, rule)
                    .contamination(contamination)
                    .detector(tpr, fpr)
                    .watermark(watermark)
                    .curated(curated);
            });
        });

    py::class_<fb::gaussian>(m, "GaussianModel",
                             "1-D normal N(mean, sd^2), refitted each generation by maximum likelihood\n"
                             "(variance='mle': the textbook collapse, E[var_t] = var_0 ((M-1)/M)^t) or 'unbiased'.")
        .def(py::init([](double mean, double sd, const std::string& variance) {
                 return fb::gaussian(mean, sd, variance_of(variance));
             }),
             py::arg("mean") = 0.0, py::arg("sd") = 1.0, py::arg("variance") = "mle")
        .def_property_readonly("mean", &fb::gaussian::mean)
        .def_property_readonly("variance", &fb::gaussian::variance)
        .def_property_readonly("sd", &fb::gaussian::sd);
    // State: mean, variance (not sd: the model keeps sd^2), variance estimator.
    def_state<fb::gaussian>(
        m, "GaussianModel", 3,
        [](const fb::gaussian& g, state_writer& w) {
            w.add(g.mean()).add(g.variance()).add(fb::to_string(g.estimator()));
        },
        [](state_reader& r) {
            const double mean = r.real("mean"), variance = r.real("variance");
            const auto estimator = variance_of(r.text("estimator"), r.where(), "estimator");
            return r.build([&] { return fb::gaussian::with_variance(mean, variance, estimator); });
        });

    py::class_<fb::gaussian_mixture>(m, "GaussianMixtureModel", "1-D Gaussian mixture refitted by EM.")
        .def(py::init([](std::size_t components, std::size_t max_iterations, double tolerance, double variance_floor) {
                 fb::gmm_options o;
                 o.max_iterations = max_iterations;
                 o.tolerance = tolerance;
                 o.variance_floor = variance_floor;
                 return fb::gaussian_mixture(components, o);
             }),
             py::arg("components"), py::arg("max_iterations") = 200, py::arg("tolerance") = 1e-8,
             py::arg("variance_floor") = 1e-6);
    // State: weights, means, variances (1-D float64 arrays), max_iterations, tolerance,
    // variance_floor.
    def_state<fb::gaussian_mixture>(
        m, "GaussianMixtureModel", 6,
        [](const fb::gaussian_mixture& g, state_writer& w) {
            w.add(to_numpy(g.weights()))
                .add(to_numpy(g.means()))
                .add(to_numpy(g.variances()))
                .add(g.options().max_iterations)
                .add(g.options().tolerance)
                .add(g.options().variance_floor);
        },
        [](state_reader& r) {
            auto weights = r.reals("weights"), means = r.reals("means"), variances = r.reals("variances");
            fb::gmm_options o;
            o.max_iterations = r.count("max_iterations");
            o.tolerance = r.real("tolerance");
            o.variance_floor = r.real("variance_floor");
            return r.build([&] {
                return fb::gaussian_mixture::with_parameters(std::move(weights), std::move(means), std::move(variances),
                                                             o);
            });
        });

    py::class_<fb::kde>(m, "KDEModel",
                        "Gaussian KDE as a generative model; bandwidth 'silverman', 'scott' or a number.")
        .def(py::init([](const py::object& bandwidth) {
                 if (py::isinstance<py::str>(bandwidth)) {
                     const auto s = bandwidth.cast<std::string>();
                     if (s == "silverman") return fb::kde(fb::bandwidth_rule::silverman);
                     if (s == "scott") return fb::kde(fb::bandwidth_rule::scott);
                     throw py::value_error("collapsekit::KDEModel: bandwidth must be 'silverman', 'scott' or a number");
                 }
                 return fb::kde(fb::bandwidth_rule::fixed, bandwidth.cast<double>());
             }),
             py::arg("bandwidth") = "silverman");
    // State: bandwidth rule, bandwidth (0 for a rule before a fit), the fitted points.
    def_state<fb::kde>(
        m, "KDEModel", 3,
        [](const fb::kde& k, state_writer& w) {
            w.add(fb::to_string(k.rule())).add(k.bandwidth()).add(to_numpy(k.points()));
        },
        [](state_reader& r) {
            const auto rule = r.choice<fb::bandwidth_rule>("rule", {{"scott", fb::bandwidth_rule::scott},
                                                                    {"silverman", fb::bandwidth_rule::silverman},
                                                                    {"fixed", fb::bandwidth_rule::fixed}});
            const double bandwidth = r.real("bandwidth");
            const auto points = r.reals("points");
            auto k = r.build([&] {
                fb::kde out = rule == fb::bandwidth_rule::fixed ? fb::kde(rule, bandwidth) : fb::kde(rule);
                ck::rng unused;
                if (!points.empty()) out.fit(points, unused);
                return out;
            });
            if (!same_bits(k.bandwidth(), bandwidth)) r.fail("the bandwidth does not follow from the rule and points");
            return k;
        });

    py::class_<fb::categorical>(m, "CategoricalModel",
                                "Categorical model over k outcomes (uniform, or the given weights, or\n"
                                "CategoricalModel.zipf), additive smoothing, temperature / top_k / top_p sampling.")
        .def(py::init([](const py::object& k_or_weights, double smoothing, double temperature, std::size_t top_k,
                         double top_p) {
                 const auto c = controls_of(temperature, top_k, top_p);
                 if (py::isinstance<py::int_>(k_or_weights)) {
                     return fb::categorical(k_or_weights.cast<std::size_t>(), smoothing, c);
                 }
                 return fb::categorical(reals_of(k_or_weights, "weights"), smoothing, c);
             }),
             py::arg("k_or_weights"), py::arg("smoothing") = 0.0, py::arg("temperature") = 1.0, py::arg("top_k") = 0,
             py::arg("top_p") = 1.0)
        .def_static(
            "zipf",
            [](std::size_t k, double s, double smoothing, double temperature, std::size_t top_k, double top_p) {
                return fb::categorical::zipf(k, s, smoothing, controls_of(temperature, top_k, top_p));
            },
            py::arg("k"), py::arg("s") = 1.0, py::arg("smoothing") = 0.0, py::arg("temperature") = 1.0,
            py::arg("top_k") = 0, py::arg("top_p") = 1.0)
        .def_property_readonly("k", &fb::categorical::size)
        .def_property_readonly("probabilities", [](const fb::categorical& c) { return to_numpy(c.probabilities()); });
    // State: probabilities (1-D float64), smoothing, temperature, top_k, top_p.
    def_state<fb::categorical>(
        m, "CategoricalModel", 5,
        [](const fb::categorical& c, state_writer& w) {
            w.add(to_numpy(c.probabilities())).add(c.smoothing()).add_controls(c.controls());
        },
        [](state_reader& r) {
            auto p = r.reals("probabilities");
            const double smoothing = r.real("smoothing");
            const auto controls = r.controls();
            return r.build([&] { return fb::categorical::with_probabilities(std::move(p), smoothing, controls); });
        });

    py::class_<fb::multivariate_gaussian>(
        m, "MultivariateGaussianModel",
        "d-dimensional normal N(mean, cov), refitted each generation by maximum likelihood\n"
        "(variance='mle', divide by n) or 'unbiased' (n - 1); sampled as mean + L z through the\n"
        "Cholesky factor L of cov. MultivariateGaussianModel(dim) starts as N(0, I_d);\n"
        "MultivariateGaussianModel(mean, cov) as N(mean, cov) with cov a (d, d) array (or d*d values\n"
        "row-major), symmetric positive definite. ValueError for dim 0, sizes that do not match or a\n"
        "covariance that is not positive definite.")
        .def(py::init([](std::size_t dim, const std::string& variance) {
                 return fb::multivariate_gaussian(dim, variance_of(variance));
             }),
             py::arg("dim"), py::arg("variance") = "mle")
        .def(py::init([](const py::object& mean, const py::object& cov, const std::string& variance) {
                 auto mu = contiguous<double>(mean, "multivariate_gaussian", "mean");
                 require_ndim(mu, 1, "multivariate_gaussian", "mean");
                 auto c = contiguous<double>(cov, "multivariate_gaussian", "cov");
                 if (c.ndim() != 1) require_ndim(c, 2, "multivariate_gaussian", "cov");
                 return fb::multivariate_gaussian(std::vector<double>(mu.data(), mu.data() + mu.size()),
                                                  std::vector<double>(c.data(), c.data() + c.size()),
                                                  variance_of(variance));
             }),
             py::arg("mean"), py::arg("cov"), py::arg("variance") = "mle")
        .def_property_readonly("dim", &fb::multivariate_gaussian::dim)
        .def_property_readonly("mean", [](const fb::multivariate_gaussian& g) { return to_numpy(g.mean()); })
        .def_property_readonly(
            "covariance",
            [](const fb::multivariate_gaussian& g) { return matrix_of(g.covariance(), g.dim(), g.dim()); },
            "The (d, d) covariance.")
        .def_property_readonly("total_variance", &fb::multivariate_gaussian::total_variance,
                               "Trace of the covariance (the total spread).")
        .def_property_readonly("log_det", &fb::multivariate_gaussian::log_det,
                               "log det(cov) from the Cholesky factor (the generalised variance, in log form).")
        .def(
            "fit",
            [](fb::multivariate_gaussian& g, const py::object& x) {
                auto rows = rows_of(x, "multivariate_gaussian::fit", "x");
                ck::rng unused;
                nogil([&] { g.fit(ck::as_view(rows), unused); });
            },
            py::arg("x"),
            "Refits mean and covariance on x, an (n, d) array, in place. ValueError for fewer than 2\n"
            "samples, rows of another length, non-finite values or a covariance that is not positive\n"
            "definite (too few or collinear samples).")
        .def(
            "sample",
            [](const fb::multivariate_gaussian& g, std::size_t n, std::uint64_t seed) {
                std::vector<std::vector<double>> out;
                nogil([&] {
                    ck::rng r(seed);
                    g.sample(n, r, out);
                });
                return points_array(out, g.dim());
            },
            py::arg("n"), py::arg("seed") = 0, "n draws as an (n, d) float64 array, from ck::rng(seed).");
    // State: mean (d,), covariance (d, d) (as fit left them), variance estimator; the
    // Cholesky factor is computed again from the covariance, as fit computes it.
    def_state<fb::multivariate_gaussian>(
        m, "MultivariateGaussianModel", 3,
        [](const fb::multivariate_gaussian& g, state_writer& w) {
            w.add(to_numpy(g.mean()))
                .add(matrix_of(g.covariance(), g.dim(), g.dim()))
                .add(fb::to_string(g.estimator()));
        },
        [](state_reader& r) {
            auto mean = r.reals("mean");
            const auto d = static_cast<py::ssize_t>(mean.size());
            auto cov = r.reals("covariance", d, d);
            const auto estimator = variance_of(r.text("estimator"), r.where(), "estimator");
            return r.build([&] { return fb::multivariate_gaussian(std::move(mean), std::move(cov), estimator); });
        });

    py::class_<fb::ngram_lm>(m, "NgramLanguageModel",
                             "n-gram Markov language model over token ids with stupid backoff and sampling\n"
                             "controls; a sample is one document.")
        .def(py::init([](std::size_t vocabulary, std::size_t order, double smoothing, double temperature,
                         std::size_t top_k, double top_p, std::size_t max_length) {
                 fb::ngram_lm_options o;
                 o.order = order;
                 o.smoothing = smoothing;
                 o.controls = controls_of(temperature, top_k, top_p);
                 o.max_length = max_length;
                 return fb::ngram_lm(vocabulary, o);
             }),
             py::arg("vocabulary"), py::arg("order") = 3, py::arg("smoothing") = 0.0, py::arg("temperature") = 1.0,
             py::arg("top_k") = 0, py::arg("top_p") = 1.0, py::arg("max_length") = 256)
        .def_property_readonly("vocabulary", &fb::ngram_lm::vocabulary);
    // State: vocabulary, order, smoothing, temperature, top_k, top_p, max_length, threads.
    // Python cannot fit the model (simulate fits copies), so that is all of it.
    def_state<fb::ngram_lm>(
        m, "NgramLanguageModel", 8,
        [](const fb::ngram_lm& lm, state_writer& w) {
            if (lm.contexts(0) != 0) {
                throw py::value_error("collapsekit.NgramLanguageModel.__getstate__: a fitted model does not pickle");
            }
            const auto& o = lm.options();
            w.add(lm.vocabulary())
                .add(o.order)
                .add(o.smoothing)
                .add_controls(o.controls)
                .add(o.max_length)
                .add(o.threads);
        },
        [](state_reader& r) {
            const std::size_t vocabulary = r.count("vocabulary");
            fb::ngram_lm_options o;
            o.order = r.count("order");
            o.smoothing = r.real("smoothing");
            o.controls = r.controls();
            o.max_length = r.count("max_length");
            o.threads = r.count("threads");
            return r.build([&] { return fb::ngram_lm(vocabulary, o); });
        });

    m.def(
        "tokenize",
        [](const std::string& text) {
            auto t = fb::tokenize_sentences(text);
            py::list docs;
            for (auto& d : t.documents) docs.append(to_numpy(std::move(d)));
            return py::make_tuple(docs, t.words);
        },
        py::arg("text"), "Splits text into sentences of token ids (ids by decreasing frequency): (documents, words).");
    m.def(
        "builtin_text", [] { return std::string(fb::builtin_text()); },
        "A short original English text (about 600 words) for demos and tests.");
    m.def(
        "detokenize",
        [](const py::object& doc, const std::vector<std::string>& words) {
            return fb::detokenize(ids_of(doc, "doc"), words);
        },
        py::arg("doc"), py::arg("words"));

    m.def(
        "_simulate",
        [](const py::object& model, const fb::policy& policy, std::size_t generations, const py::object& samples,
           std::size_t replicates, std::uint64_t seed, const std::vector<std::string>& metrics, const py::object& human,
           std::size_t lineages, std::size_t initial_samples, std::size_t reference_samples, std::size_t threads,
           const py::object& progress, std::size_t first_replicate) {
            if (!progress.is_none() && !PyCallable_Check(progress.ptr())) {
                throw py::type_error("collapsekit.simulate: progress must be None or a callable progress(done, total)");
            }
            run_options o;
            o.lineages = lineages;
            o.progress = progress;
            o.metrics = metrics;
            o.sim.generations = generations;
            o.sim.samples = schedule_of(samples);
            o.sim.replicates = replicates;
            o.sim.first_replicate = first_replicate;
            o.sim.seed = seed;
            o.sim.initial_samples = initial_samples;
            o.sim.reference_samples = reference_samples;
            o.sim.threads = threads;
            if (py::isinstance<fb::gaussian>(model)) {
                return run(model.cast<fb::gaussian>(), policy, real_human(human, model), o);
            }
            if (py::isinstance<fb::gaussian_mixture>(model)) {
                return run(model.cast<fb::gaussian_mixture>(), policy, real_human(human, model), o);
            }
            if (py::isinstance<fb::kde>(model)) {
                return run(model.cast<fb::kde>(), policy, real_human(human, model), o);
            }
            if (py::isinstance<fb::multivariate_gaussian>(model)) {
                return run(model.cast<fb::multivariate_gaussian>(), policy, vector_human(human, model), o);
            }
            if (py::isinstance<fb::categorical>(model)) {
                const auto& c = model.cast<const fb::categorical&>();
                if (human.is_none()) return run(c, policy, fb::human_data<std::uint32_t>::from_model(c), o);
                if (py::isinstance<fb::categorical>(human)) {
                    return run(c, policy, fb::human_data<std::uint32_t>::from_model(human.cast<fb::categorical>()), o);
                }
                return run(c, policy, fb::human_data<std::uint32_t>::from_samples(ids_of(human, "human")), o);
            }
            if (py::isinstance<fb::ngram_lm>(model)) {
                if (human.is_none()) {
                    throw py::value_error(
                        "collapsekit::simulate: an NgramLanguageModel needs human documents (a Corpus or a list of "
                        "token-id arrays)");
                }
                return run(model.cast<fb::ngram_lm>(), policy,
                           fb::human_data<document>::from_samples(documents_of(human)), o);
            }
            throw py::type_error(
                "collapsekit.simulate: model must be a GaussianModel, GaussianMixtureModel, KDEModel, "
                "MultivariateGaussianModel, CategoricalModel or NgramLanguageModel");
        },
        py::arg("model"), py::arg("policy"), py::arg("generations"), py::arg("samples"), py::arg("replicates"),
        py::arg("seed"), py::arg("metrics"), py::arg("human"), py::arg("lineages"), py::arg("initial_samples"),
        py::arg("reference_samples"), py::arg("threads"), py::arg("progress") = py::none(),
        py::arg("first_replicate") = 0);
}

}  // namespace ckpy
