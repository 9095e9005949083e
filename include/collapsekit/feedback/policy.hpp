// Data policies: how each generation's training set is made from the previous one.
//
// A policy is a small value built by chaining: start from a regime (replace or
// accumulate) and add mitigations or hazards, e.g.
//   policy::replace().human_floor(0.1).detector(0.9, 0.05)
// Every piece is optional and they compose in a fixed, documented order (see
// build_training_set below), so two policies with the same settings always mean the
// same experiment.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/random.hpp"
#include "provenance.hpp"

namespace collapsekit {
namespace feedback {

// replace: train only on the last generation's output (the classic collapse loop);
// accumulate: keep all data so far (the initial human data and every generation's
// output) and add the new output to it.
enum class data_regime { replace, accumulate };

// How a fraction f of n slots is turned into a count:
//   exact      - floor(f * n + 0.5) slots, the same every generation;
//   per_sample - each slot independently with probability f (a Binomial(n, f) count).
enum class split_rule { exact, per_sample };

inline const char* to_string(data_regime r) noexcept { return r == data_regime::replace ? "replace" : "accumulate"; }
inline const char* to_string(split_rule s) noexcept { return s == split_rule::exact ? "exact" : "per_sample"; }

class policy {
public:
    policy() = default;
    explicit policy(data_regime regime) : regime_(regime) {}

    static policy replace() { return policy(data_regime::replace); }
    static policy accumulate() { return policy(data_regime::accumulate); }

    // A fraction lambda in [0, 1] of each generation's new training data is fresh human
    // data instead of model output, split by `rule`.
    policy human_floor(double lambda, split_rule rule = split_rule::exact) const {
        require_unit_interval("policy::human_floor", "lambda", lambda);
        policy p = *this;
        p.human_fraction_ = lambda;
        p.split_ = rule;
        return p;
    }

    // A share in [0, 1] of what is taken as fresh human data is in fact machine-written,
    // as in web scrapes: those samples are drawn from the current generation's model and
    // carry its origin. Split by the same rule as the human floor. It has no effect
    // without a human floor (there is no fresh human data to contaminate).
    policy contamination(double share) const {
        require_unit_interval("policy::contamination", "share", share);
        policy p = *this;
        p.contamination_ = share;
        return p;
    }

    // An imperfect detector removes machine-written samples with probability tpr
    // (true-positive rate) and human samples with probability fpr (false-positive rate)
    // from each generation's new training data, sample by sample.
    policy detector(double tpr, double fpr) const {
        require_unit_interval("policy::detector", "tpr", tpr);
        require_unit_interval("policy::detector", "fpr", fpr);
        policy p = *this;
        p.tpr_ = tpr;
        p.fpr_ = fpr;
        return p;
    }

    // Every machine-written sample carries a watermark, found with probability
    // `detection_rate`; found samples are removed. Human data is never flagged. Applied
    // independently of (and after) the detector.
    policy watermark(double detection_rate) const {
        require_unit_interval("policy::watermark", "detection_rate", detection_rate);
        policy p = *this;
        p.watermark_ = detection_rate;
        return p;
    }

    // A fixed curated set of n human samples, drawn once per replicate before generation 0
    // and part of every generation's training set (never filtered, never replaced).
    policy curated(std::size_t n) const {
        policy p = *this;
        p.curated_ = n;
        return p;
    }

    data_regime regime() const noexcept { return regime_; }
    double human_fraction() const noexcept { return human_fraction_; }
    split_rule split() const noexcept { return split_; }
    double contamination_share() const noexcept { return contamination_; }
    double detector_tpr() const noexcept { return tpr_; }
    double detector_fpr() const noexcept { return fpr_; }
    double watermark_detection() const noexcept { return watermark_; }
    std::size_t curated_size() const noexcept { return curated_; }

    // A short human-readable summary, e.g. "replace + 10% human (exact) + detector(tpr 0.9, fpr 0.05)".
    std::string describe() const {
        std::string s = to_string(regime_);
        char buf[96];
        if (human_fraction_ > 0) {
            std::snprintf(buf, sizeof buf, " + %g%% human (%s)", 100.0 * human_fraction_, to_string(split_));
            s += buf;
        }
        if (contamination_ > 0) {
            std::snprintf(buf, sizeof buf, " + %g%% contamination", 100.0 * contamination_);
            s += buf;
        }
        if (tpr_ > 0 || fpr_ > 0) {
            std::snprintf(buf, sizeof buf, " + detector(tpr %g, fpr %g)", tpr_, fpr_);
            s += buf;
        }
        if (watermark_ > 0) {
            std::snprintf(buf, sizeof buf, " + watermark(%g)", watermark_);
            s += buf;
        }
        if (curated_ > 0) s += " + curated(" + std::to_string(curated_) + ")";
        return s;
    }

private:
    data_regime regime_ = data_regime::replace;
    double human_fraction_ = 0.0;
    split_rule split_ = split_rule::exact;
    double contamination_ = 0.0;
    double tpr_ = 0.0;
    double fpr_ = 0.0;
    double watermark_ = 0.0;
    std::size_t curated_ = 0;
};

namespace detail {

// The number of n slots that a fraction f takes under `rule`.
inline std::size_t split_count(std::size_t n, double f, split_rule rule, rng& g) {
    if (f <= 0.0 || n == 0) return 0;
    if (f >= 1.0) return n;
    if (rule == split_rule::exact) {
        const auto k = static_cast<std::size_t>(std::floor(f * static_cast<double>(n) + 0.5));
        return k > n ? n : k;
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) k += g.uniform() < f ? 1 : 0;
    return k;
}

}  // namespace detail

// Turns generation g's output into the training set of generation g + 1, in this order:
//  1. the new block is `output` (origin g) with a fraction human_fraction of its slots
//     given to fresh human data instead (split rule; the dropped outputs are the last
//     ones, which is the same in distribution since outputs are i.i.d.);
//  2. a share `contamination` of those human slots is filled with fresh samples of the
//     current model instead (origin g), by the same split rule;
//  3. the detector, then the watermark filter, remove samples of the block one by one;
//  4. replace: the training set becomes the curated set followed by the block;
//     accumulate: the block is appended to the training set (which already holds the
//     curated set once).
// `draw_human(n, g, out)` and `draw_machine(n, g, out)` append n samples to `out`.
// `curated` is the replicate's curated set. `output` is consumed (left empty).
template <class Sample, class DrawHuman, class DrawMachine>
void build_training_set(const policy& p, origin_t generation, std::vector<Sample>& output, const DrawHuman& draw_human,
                        const DrawMachine& draw_machine, const training_set<Sample>& curated, rng& g,
                        training_set<Sample>& train) {
    const std::size_t m = output.size();
    const std::size_t n_human_slots = detail::split_count(m, p.human_fraction(), p.split(), g);
    const std::size_t n_contaminated = detail::split_count(n_human_slots, p.contamination_share(), p.split(), g);
    const std::size_t n_human = n_human_slots - n_contaminated;

    training_set<Sample> block;
    block.values = std::move(output);
    output.clear();
    block.values.resize(m - n_human_slots);
    block.origins.assign(block.values.size(), generation);
    if (n_contaminated > 0) {
        draw_machine(n_contaminated, g, block.values);
        block.origins.resize(block.values.size(), generation);
    }
    if (n_human > 0) {
        draw_human(n_human, g, block.values);
        block.origins.resize(block.values.size(), human_origin);
    }

    const bool detect = p.detector_tpr() > 0.0 || p.detector_fpr() > 0.0;
    const bool mark = p.watermark_detection() > 0.0;
    if (detect || mark) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < block.values.size(); ++i) {
            const bool machine = !is_human(block.origins[i]);
            bool removed = false;
            if (detect) removed = g.uniform() < (machine ? p.detector_tpr() : p.detector_fpr());
            if (mark && machine && !removed) removed = g.uniform() < p.watermark_detection();
            if (!removed) {
                if (kept != i) {
                    block.values[kept] = std::move(block.values[i]);
                    block.origins[kept] = block.origins[i];
                }
                ++kept;
            }
        }
        block.values.resize(kept);
        block.origins.resize(kept);
    }

    if (p.regime() == data_regime::replace) {
        train.clear();
        train.append(curated);
    }
    train.values.insert(train.values.end(), std::make_move_iterator(block.values.begin()),
                        std::make_move_iterator(block.values.end()));
    train.origins.insert(train.origins.end(), block.origins.begin(), block.origins.end());
}

}  // namespace feedback
}  // namespace collapsekit
