// Sampling controls shared by the categorical and n-gram models: temperature, top-k and
// top-p (nucleus) truncation. Deployed language models sample this way, and truncation
// is how they lose their tails: every truncated generation removes the rare outcomes
// from the next generation's training data for good.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

#include "../../core/errors.hpp"

namespace collapsekit {
namespace feedback {

// Applied in this order (as common LM toolkits do): temperature, then top-k, then top-p.
//  temperature T > 0: p_i -> p_i^(1/T) / sum_j p_j^(1/T) (T < 1 sharpens, T > 1 flattens);
//  top_k (0 = off): keep the k most probable outcomes;
//  top_p in (0, 1] (1 = off): keep the smallest set of most probable outcomes whose
//    probability (after temperature and top-k) sums to at least top_p.
// Ties in probability are broken by the lower index first, so truncation is deterministic.
struct sampling_controls {
    double temperature = 1.0;
    std::size_t top_k = 0;
    double top_p = 1.0;

    bool is_identity() const noexcept { return temperature == 1.0 && top_k == 0 && top_p >= 1.0; }

    // Throws std::invalid_argument naming `function` for T not positive and finite or
    // top_p outside (0, 1].
    void validate(const char* function) const {
        require_positive(function, "temperature", temperature);
        if (!(top_p > 0.0 && top_p <= 1.0)) {
            fail(function, "top_p must lie in (0, 1] (got " + collapsekit::detail::format_value(top_p) + ")");
        }
    }
};

namespace detail {

// Transforms weights `w` (non-negative, ordered by decreasing weight, ties already in
// index order) in place by the controls; truncated entries become 0 and the kept prefix
// length is returned. The result is not normalised.
inline std::size_t apply_controls_sorted(std::vector<double>& w, const sampling_controls& c) {
    std::size_t keep = w.size();
    while (keep > 0 && !(w[keep - 1] > 0.0)) --keep;  // zero weights are never sampled
    if (keep == 0) return 0;
    if (c.temperature != 1.0) {
        // In the log domain relative to the largest weight, so that small T does not underflow
        // every weight to zero.
        const double lmax = std::log(w[0]);
        for (std::size_t i = 0; i < keep; ++i) w[i] = std::exp((std::log(w[i]) - lmax) / c.temperature);
    }
    if (c.top_k > 0 && c.top_k < keep) keep = c.top_k;
    if (c.top_p < 1.0) {
        double total = 0.0;
        for (std::size_t i = 0; i < keep; ++i) total += w[i];
        double cum = 0.0;
        std::size_t k = 0;
        while (k < keep) {
            cum += w[k];
            ++k;
            if (cum >= c.top_p * total) break;
        }
        keep = k;
    }
    for (std::size_t i = keep; i < w.size(); ++i) w[i] = 0.0;
    return keep;
}

// The same for weights in any order: returns the transformed weights in the input order.
inline std::vector<double> apply_controls(const std::vector<double>& w, const sampling_controls& c) {
    if (c.is_identity()) return w;
    std::vector<std::size_t> order(w.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return w[a] > w[b]; });
    std::vector<double> sorted(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) sorted[i] = w[order[i]];
    apply_controls_sorted(sorted, c);
    std::vector<double> out(w.size(), 0.0);
    for (std::size_t i = 0; i < w.size(); ++i) out[order[i]] = sorted[i];
    return out;
}

}  // namespace detail
}  // namespace feedback
}  // namespace collapsekit
