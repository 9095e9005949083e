// The metric type of the feedback driver: a named function evaluated once per generation.
//
// Three kinds, because collapse is measured three ways:
//  - of_model:  a function of the fitted model (e.g. its variance, the Gini-Simpson index
//               of its probabilities): exact, no sampling noise of its own;
//  - of_sample: a function of the generation's output (e.g. spread, distinct-n);
//  - drift:     a two-sample measure d(output, other) (e.g. W1, KL). The driver reports it
//               against the human reference ("<name>"), against the previous generation's
//               output ("<name>_step") and between lineages ("<name>_between").
// Metrics are type-erased (std::function) so that they can be chosen at run time, e.g.
// by name from Python; see metrics.hpp for adaptors of the library's estimators.
//
// A drift metric may also say how to bind its second sample once (`against`): the human
// reference is the same for a whole run, and sorting, binning or counting it again for
// every generation, replicate and lineage cost more than the comparison itself.
// against(r) does that work once and returns x -> two(x, r). Its contract:
//  - against(r)(x) returns what two(x, r) returns, bit for bit, and throws what two(x, r)
//    throws, for every x for which two's checks of r pass;
//  - against(r) may throw when r itself is bad; callers then use two (the driver does),
//    so that the error surfaces, if at all, where and as two raises it;
//  - the returned function owns what it needs (it does not refer to r afterwards) and
//    may be called from several threads at once.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "../core/errors.hpp"
#include "../core/view.hpp"

namespace collapsekit {
namespace feedback {

enum class metric_kind { of_model, of_sample, drift };

// A metric over samples only: usable with every model whose sample_type is Sample.
template <class Sample>
struct sample_metric {
    using samples = view<const Sample>;
    using bound = std::function<double(samples)>;  // x -> two(x, r) for one bound r
    std::string name;
    metric_kind kind = metric_kind::of_sample;
    std::function<double(samples)> one;           // of_sample
    std::function<double(samples, samples)> two;  // drift: (output, other)
    std::function<bound(samples)> against;        // drift, optional: binds `other` once (see above)

    static sample_metric of_sample(std::string name, std::function<double(samples)> f) {
        require(!name.empty(), "sample_metric::of_sample", "name is empty");
        require(static_cast<bool>(f), "sample_metric::of_sample", "function is empty");
        sample_metric m;
        m.name = std::move(name);
        m.kind = metric_kind::of_sample;
        m.one = std::move(f);
        return m;
    }
    // `against`, when given, must agree with f as described at the top of this file.
    static sample_metric drift(std::string name, std::function<double(samples, samples)> f,
                               std::function<bound(samples)> against = {}) {
        require(!name.empty(), "sample_metric::drift", "name is empty");
        require(static_cast<bool>(f), "sample_metric::drift", "function is empty");
        sample_metric m;
        m.name = std::move(name);
        m.kind = metric_kind::drift;
        m.two = std::move(f);
        m.against = std::move(against);
        return m;
    }
};

// A metric for the driver over Model; built from a sample_metric (implicitly) or from a
// function of the fitted model.
template <class Model>
struct metric {
    using sample_type = typename Model::sample_type;
    using samples = view<const sample_type>;
    using bound = typename sample_metric<sample_type>::bound;
    std::string name;
    metric_kind kind = metric_kind::of_sample;
    std::function<double(const Model&)> model_fn;
    std::function<double(samples)> one;
    std::function<double(samples, samples)> two;
    std::function<bound(samples)> against;

    metric() = default;
    metric(sample_metric<sample_type> m)  // NOLINT: implicit by design, so lists mix both kinds
        : name(std::move(m.name)),
          kind(m.kind),
          one(std::move(m.one)),
          two(std::move(m.two)),
          against(std::move(m.against)) {}

    static metric of_model(std::string name, std::function<double(const Model&)> f) {
        require(!name.empty(), "metric::of_model", "name is empty");
        require(static_cast<bool>(f), "metric::of_model", "function is empty");
        metric m;
        m.name = std::move(name);
        m.kind = metric_kind::of_model;
        m.model_fn = std::move(f);
        return m;
    }
    static metric of_sample(std::string name, std::function<double(samples)> f) {
        return metric(sample_metric<sample_type>::of_sample(std::move(name), std::move(f)));
    }
    static metric drift(std::string name, std::function<double(samples, samples)> f,
                        std::function<bound(samples)> against = {}) {
        return metric(sample_metric<sample_type>::drift(std::move(name), std::move(f), std::move(against)));
    }
};

}  // namespace feedback
}  // namespace collapsekit
