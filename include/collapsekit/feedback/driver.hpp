// The generation-feedback driver: fit -> sample -> mix -> refit, generation after
// generation, with metrics recorded each generation.
//
// Generation 0 fits the model on human data; generation t >= 1 fits it on the training
// set the policy built from generation t - 1's output. Each generation's model then
// writes samples(t) samples (its "output"), on which the metrics are evaluated: against
// the fixed human reference (cumulative drift), against the previous generation's output
// (step drift; for generation 0, against its human training data) and between lineages.
//
// Determinism: replicate r of lineage l draws every random number from
// rng::for_stream(seed, (l << 32) | r) and the human reference from
// rng::for_stream(seed, 2^64 - 1), so the table is the same whatever the thread count
// or scheduling.
//
// A Model is any copyable type with
//   using sample_type = ...;
//   void fit(view<const sample_type> data, rng& g);   // throws std::invalid_argument if it cannot
//   void sample(std::size_t n, rng& g, std::vector<sample_type>& out) const;   // appends n samples
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../core/append.hpp"
#include "../core/errors.hpp"
#include "../core/random.hpp"
#include "../core/view.hpp"
#include "metric.hpp"
#include "policy.hpp"
#include "provenance.hpp"
#include "table.hpp"

namespace collapsekit {
namespace feedback {

// How many samples each generation's model writes (which is also, before filtering, the
// size of the next training set). Converts implicitly from a constant.
class sample_schedule {
public:
    sample_schedule(std::size_t n)  // NOLINT: implicit by design, `options.samples = 1000`
        : fn_([n](std::size_t) { return n; }) {}

    static sample_schedule constant(std::size_t n) { return sample_schedule(n); }
    // sizes[t] for generation t; generations past the end use the last entry.
    static sample_schedule list(std::vector<std::size_t> sizes) {
        require(!sizes.empty(), "sample_schedule::list", "sizes is empty");
        return sample_schedule(std::function<std::size_t(std::size_t)>(
            [s = std::move(sizes)](std::size_t t) { return t < s.size() ? s[t] : s.back(); }));
    }
    // floor(n0 * factor^t + 0.5).
    static sample_schedule geometric(std::size_t n0, double factor) {
        require_positive("sample_schedule::geometric", "factor", factor);
        return sample_schedule(std::function<std::size_t(std::size_t)>([n0, factor](std::size_t t) {
            return static_cast<std::size_t>(std::floor(static_cast<double>(n0) * std::pow(factor, double(t)) + 0.5));
        }));
    }
    static sample_schedule custom(std::function<std::size_t(std::size_t)> f) {
        require(static_cast<bool>(f), "sample_schedule::custom", "function is empty");
        return sample_schedule(std::move(f));
    }

    std::size_t operator()(std::size_t generation) const { return fn_(generation); }

private:
    explicit sample_schedule(std::function<std::size_t(std::size_t)> f) : fn_(std::move(f)) {}
    std::function<std::size_t(std::size_t)> fn_;
};

// Where fresh human data comes from: a sampler (e.g. the true distribution) or a finite
// pool drawn from with replacement (e.g. a text corpus). Copies share the pool.
template <class Sample>
class human_data {
public:
    using draw_fn = std::function<void(std::size_t, rng&, std::vector<Sample>&)>;

    // f(n, g, out) appends n fresh human samples to out.
    static human_data from_sampler(draw_fn f) {
        require(static_cast<bool>(f), "human_data::from_sampler", "function is empty");
        human_data h;
        h.draw_ = std::move(f);
        return h;
    }
    // The human distribution is `model` (used only to sample, never fitted).
    template <class Model>
    static human_data from_model(Model model) {
        return from_sampler(
            [m = std::move(model)](std::size_t n, rng& g, std::vector<Sample>& out) { m.sample(n, g, out); });
    }
    // Fresh human data is drawn uniformly with replacement from `pool`. Throws if empty.
    static human_data from_samples(std::vector<Sample> pool) {
        require_not_empty("human_data::from_samples", "human data", pool.size());
        human_data h;
        h.pool_ = std::make_shared<const std::vector<Sample>>(std::move(pool));
        h.draw_ = [p = h.pool_](std::size_t n, rng& g, std::vector<Sample>& out) {
            collapsekit::detail::reserve_for_append(out, n);
            for (std::size_t i = 0; i < n; ++i) out.push_back((*p)[static_cast<std::size_t>(g.below(p->size()))]);
        };
        return h;
    }

    void draw(std::size_t n, rng& g, std::vector<Sample>& out) const {
        require(static_cast<bool>(draw_), "human_data::draw", "human data is empty (no sampler and no samples)");
        draw_(n, g, out);
    }
    bool has_pool() const noexcept { return static_cast<bool>(pool_); }
    // The finite pool (empty if this source is a sampler).
    const std::vector<Sample>& pool() const noexcept {
        static const std::vector<Sample> none;
        return pool_ ? *pool_ : none;
    }
    explicit operator bool() const noexcept { return static_cast<bool>(draw_); }

private:
    draw_fn draw_;
    std::shared_ptr<const std::vector<Sample>> pool_;
};

// One lineage: a model (its configuration; each replicate refits its own copy), a policy
// and a name used in the table's lineage column.
template <class Model>
struct lineage {
    std::string name;
    Model model;
    feedback::policy policy;
};

struct progress {
    std::size_t done = 0;   // generations completed, summed over replicates
    std::size_t total = 0;  // generations x replicates
    // The step this call reports: replicate `replicate` (0-based) has completed
    // `generation` of its `generations` generations, for all of its `lineages` lineages
    // at once (the lineages of a replicate advance together). Replicates run side by side
    // on worker threads, so successive calls may name different replicates.
    std::size_t replicate = 0;
    std::size_t generation = 0;
    std::size_t generations = 0;
    std::size_t replicates = 0;
    std::size_t lineages = 0;
};

struct simulation_options {
    std::size_t generations = 10;       // model fits per lineage, >= 1
    sample_schedule samples = 1000;     // outputs per generation, each >= 1
    std::size_t initial_samples = 0;    // human samples generation 0 fits on; 0: samples(0)
    std::size_t reference_samples = 0;  // human reference size; 0: the whole pool if the human
                                        // data is a pool, else 10 000 draws
    std::size_t replicates = 1;         // independent repetitions, >= 1
    // The number of the first replicate: replicates first_replicate .. first_replicate +
    // replicates - 1 run, each exactly as in a run of all of them (its own streams, its
    // number in the table), so that a run can be split into batches (collapsekit.dask).
    std::size_t first_replicate = 0;
    std::uint64_t seed = 0;
    std::size_t threads = 0;  // worker threads; 0: std::thread::hardware_concurrency()
    bool provenance = true;   // record each training set's origin mix
    // Called after every completed generation of a replicate, from worker threads but
    // never concurrently (calls are serialised), with `done` increasing by one each call.
    std::function<void(const progress&)> on_progress;
};

struct simulation_result {
    table metrics;     // lineage, replicate, generation, metric, value
    table provenance;  // lineage, replicate, generation, origin label ("human", "curated", "gen g"), share
};

namespace detail {

inline std::uint64_t lineage_stream(std::size_t l, std::size_t r) noexcept {
    return (static_cast<std::uint64_t>(l) << 32) | static_cast<std::uint64_t>(r);
}

template <class Model>
struct lineage_state {
    using S = typename Model::sample_type;
    Model model;
    rng g;
    training_set<S> train;
    training_set<S> curated;
    std::vector<S> output;
    std::vector<S> previous;
};

}  // namespace detail

// Runs the feedback loop for every lineage and replicate; returns the metric and
// provenance tables, rows ordered by lineage (then the lineage pairs "a|b"), replicate,
// generation, metric.
//
// Errors (std::invalid_argument, message "collapsekit::simulate: ..."): no lineages,
// zero generations or replicates, a schedule giving 0 samples, empty human data, more
// than 2^31 lineages or 2^32 replicates, an empty training set (everything filtered
// out), or a model that cannot be fitted (the message names lineage, replicate and
// generation, then the model's own reason). Exceptions thrown by metrics propagate
// unchanged. When several replicates fail, the lowest replicate's error is thrown.
//
// Drift metrics that can bind the human reference (metric::against, metric.hpp) bind it
// once per run; the table is the same as with two(x, ref) in every generation.
template <class Model>
simulation_result simulate(const std::vector<lineage<Model>>& lineages,
                           const human_data<typename Model::sample_type>& human,
                           const std::vector<metric<Model>>& metrics, const simulation_options& options) {
    using S = typename Model::sample_type;
    constexpr const char* fn = "simulate";
    require(!lineages.empty(), fn, "lineages is empty");
    require(lineages.size() < (std::size_t{1} << 31), fn, "lineages must be fewer than 2^31");
    require(options.generations >= 1, fn, "generations must be at least 1 (got 0)");
    require(options.replicates >= 1, fn, "replicates must be at least 1 (got 0)");
    require(static_cast<std::uint64_t>(options.replicates) <= (std::uint64_t{1} << 32), fn,
            "replicates must be at most 2^32");
    require(static_cast<std::uint64_t>(options.first_replicate) <=
                (std::uint64_t{1} << 32) - static_cast<std::uint64_t>(options.replicates),
            fn, "first_replicate + replicates must be at most 2^32");
    require(static_cast<bool>(human), fn, "human data is empty");
    std::vector<std::size_t> m(options.generations);
    for (std::size_t t = 0; t < options.generations; ++t) {
        m[t] = options.samples(t);
        if (m[t] == 0)
            fail(fn, "samples must be at least 1 (the schedule gives 0 at generation " + std::to_string(t) + ")");
    }
    const std::size_t initial = options.initial_samples ? options.initial_samples : m[0];
    for (const auto& mt : metrics) require(!mt.name.empty(), fn, "a metric has an empty name");

    // The human reference, shared by every lineage and replicate.
    std::vector<S> reference;
    if (options.reference_samples == 0 && human.has_pool()) {
        reference = human.pool();
    } else {
        rng rg = rng::for_stream(options.seed, ~std::uint64_t{0});
        human.draw(options.reference_samples ? options.reference_samples : 10000, rg, reference);
    }
    const view<const S> ref = as_view(reference);

    const std::size_t L = lineages.size();
    const std::size_t pairs = L * (L - 1) / 2;
    bool any_drift = false;
    for (const auto& mt : metrics) any_drift = any_drift || mt.kind == metric_kind::drift;

    // The reference side of each drift metric that can bind it (metric::against: a
    // sorted copy, quantile bins, counts), prepared once for the run and then shared,
    // read-only, by every replicate, lineage and generation. A metric whose preparation
    // fails keeps calling two(x, ref), which then raises what it always did, where it
    // always did (possibly never, e.g. after a model error in an earlier generation).
    std::vector<typename metric<Model>::bound> versus_reference(metrics.size());
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        if (metrics[i].kind != metric_kind::drift || !metrics[i].against) continue;
        try {
            versus_reference[i] = metrics[i].against(ref);
        } catch (const std::exception&) {
            versus_reference[i] = nullptr;
        }
    }

    // Rows of replicate r for lineage slot k (lineages, then pairs) go to out[r][k].
    std::vector<std::vector<table>> out_metrics(options.replicates, std::vector<table>(L + pairs));
    std::vector<std::vector<table>> out_prov(options.replicates, std::vector<table>(L));
    std::vector<std::exception_ptr> errors(options.replicates);

    std::mutex progress_mutex;
    progress prog;
    prog.total = options.replicates * options.generations;
    prog.generations = options.generations;
    prog.replicates = options.replicates;
    prog.lineages = L;
    // Replicates after the first failed one are skipped; earlier ones still run, so the
    // error reported is the lowest replicate's whatever the scheduling.
    std::atomic<std::size_t> first_failed{options.replicates};

    // Slot `slot` of this run is replicate number first_replicate + slot.
    auto run_replicate = [&](std::size_t slot) {
        const std::size_t r = options.first_replicate + slot;
        std::vector<detail::lineage_state<Model>> st;
        st.reserve(L);
        for (std::size_t l = 0; l < L; ++l) {
            st.push_back(
                {lineages[l].model, rng::for_stream(options.seed, detail::lineage_stream(l, r)), {}, {}, {}, {}});
            auto& s = st.back();
            const policy& p = lineages[l].policy;
            if (p.curated_size() > 0) {
                human.draw(p.curated_size(), s.g, s.curated.values);
                s.curated.origins.assign(s.curated.values.size(), curated_origin);
            }
            s.train.append(s.curated);
            human.draw(initial, s.g, s.train.values);
            s.train.origins.resize(s.train.values.size(), human_origin);
            if (any_drift) s.previous = s.train.values;
        }
        for (std::size_t t = 0; t < options.generations; ++t) {
            for (std::size_t l = 0; l < L; ++l) {
                auto& s = st[l];
                const std::string& name = lineages[l].name;
                if (options.provenance) {
                    for (const auto& o : origin_mix(as_view(s.train.origins))) {
                        out_prov[slot][l].add(name, r, t, origin_label(o.origin), o.share);
                    }
                }
                if (s.train.empty()) {
                    fail(fn, "lineage '" + name + "', replicate " + std::to_string(r) + ", generation " +
                                 std::to_string(t) + ": the training set is empty (every sample was filtered out)");
                }
                try {
                    s.model.fit(as_view(s.train.values), s.g);
                } catch (const std::invalid_argument& e) {
                    fail(fn, "lineage '" + name + "', replicate " + std::to_string(r) + ", generation " +
                                 std::to_string(t) + ": the model could not be fitted (" + e.what() + ")");
                }
                s.output.clear();
                s.model.sample(m[t], s.g, s.output);
                const view<const S> out = as_view(s.output);
                for (std::size_t i = 0; i < metrics.size(); ++i) {
                    const auto& mt = metrics[i];
                    switch (mt.kind) {
                        case metric_kind::of_model:
                            out_metrics[slot][l].add(name, r, t, mt.name, mt.model_fn(s.model));
                            break;
                        case metric_kind::of_sample:
                            out_metrics[slot][l].add(name, r, t, mt.name, mt.one(out));
                            break;
                        case metric_kind::drift:
                            out_metrics[slot][l].add(name, r, t, mt.name,
                                                     versus_reference[i] ? versus_reference[i](out) : mt.two(out, ref));
                            out_metrics[slot][l].add(name, r, t, mt.name + "_step", mt.two(out, as_view(s.previous)));
                            break;
                    }
                }
            }
            if (any_drift && pairs > 0) {
                std::size_t k = L;
                for (std::size_t a = 0; a < L; ++a) {
                    for (std::size_t b = a + 1; b < L; ++b, ++k) {
                        const std::string pname = lineages[a].name + "|" + lineages[b].name;
                        for (const auto& mt : metrics) {
                            if (mt.kind != metric_kind::drift) continue;
                            out_metrics[slot][k].add(pname, r, t, mt.name + "_between",
                                                     mt.two(as_view(st[a].output), as_view(st[b].output)));
                        }
                    }
                }
            }
            if (t + 1 < options.generations) {
                for (std::size_t l = 0; l < L; ++l) {
                    auto& s = st[l];
                    if (any_drift) s.previous = s.output;
                    const Model& model = s.model;
                    build_training_set(
                        lineages[l].policy, static_cast<origin_t>(t), s.output,
                        [&](std::size_t n, rng& g, std::vector<S>& o) { human.draw(n, g, o); },
                        [&](std::size_t n, rng& g, std::vector<S>& o) { model.sample(n, g, o); }, s.curated, s.g,
                        s.train);
                }
            }
            if (options.on_progress) {
                std::lock_guard<std::mutex> lock(progress_mutex);
                ++prog.done;
                prog.replicate = r;
                prog.generation = t + 1;
                options.on_progress(prog);
            }
        }
    };

    std::size_t threads =
        options.threads ? options.threads : std::max<std::size_t>(1, std::thread::hardware_concurrency());
    threads = std::min(threads, options.replicates);
    std::atomic<std::size_t> next{0};
    auto worker = [&]() {
        for (;;) {
            const std::size_t r = next.fetch_add(1);
            if (r >= first_failed.load()) return;
            try {
                run_replicate(r);
            } catch (...) {
                errors[r] = std::current_exception();
                std::size_t seen = first_failed.load();
                while (r < seen && !first_failed.compare_exchange_weak(seen, r)) {
                }
            }
        }
    };
    if (threads <= 1) {
        worker();
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (std::size_t i = 0; i < threads; ++i) pool.emplace_back(worker);
        for (auto& th : pool) th.join();
    }
    for (auto& e : errors) {
        if (e) std::rethrow_exception(e);
    }

    simulation_result result;
    for (std::size_t k = 0; k < L + pairs; ++k) {
        for (std::size_t r = 0; r < options.replicates; ++r) result.metrics.append(out_metrics[r][k]);
    }
    for (std::size_t k = 0; k < L; ++k) {
        for (std::size_t r = 0; r < options.replicates; ++r) result.provenance.append(out_prov[r][k]);
    }
    return result;
}

// One model and one policy, `lineages` independent copies named "0", "1", ...
template <class Model>
simulation_result simulate(const Model& model, const policy& p, const human_data<typename Model::sample_type>& human,
                           const std::vector<metric<Model>>& metrics, const simulation_options& options,
                           std::size_t lineages = 1) {
    require(lineages >= 1, "simulate", "lineages must be at least 1 (got 0)");
    std::vector<lineage<Model>> ls;
    for (std::size_t l = 0; l < lineages; ++l) ls.push_back({std::to_string(l), model, p});
    return simulate(ls, human, metrics, options);
}

}  // namespace feedback
}  // namespace collapsekit
