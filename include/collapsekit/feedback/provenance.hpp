// Provenance: where every training sample came from (human data, or the output of
// generation g), and the origin mix of a training set.
//
// Collapse studies need to know how much of what a model was trained on was written by
// people; with accumulation, contamination and filtering that share is not obvious, so the
// driver tracks it per sample instead of inferring it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/view.hpp"

namespace collapsekit {
namespace feedback {

// The origin of one training sample: a generation number g >= 0 (written by the model of
// generation g), human_origin (fresh human data) or curated_origin (the fixed curated
// human set kept in every training set).
using origin_t = std::int32_t;
inline constexpr origin_t human_origin = -1;
inline constexpr origin_t curated_origin = -2;

inline bool is_human(origin_t o) noexcept { return o < 0; }

// "human", "curated" or "gen <g>".
inline std::string origin_label(origin_t o) {
    if (o == human_origin) return "human";
    if (o == curated_origin) return "curated";
    return "gen " + std::to_string(o);
}

// One origin and the share of the training set it makes up.
struct origin_share {
    origin_t origin = human_origin;
    double share = 0.0;
    std::size_t count = 0;
};

// The origin mix of a set of samples: one entry per origin present, ordered curated,
// human, then generations ascending; the shares sum to 1 (up to rounding: each is
// count / total). An empty set gives an empty mix.
inline std::vector<origin_share> origin_mix(view<const origin_t> origins) {
    std::vector<std::pair<origin_t, std::size_t>> counts;
    // Generations are small, dense integers: count into a vector offset by 2.
    std::vector<std::size_t> dense;
    for (origin_t o : origins) {
        if (o < curated_origin) fail("origin_mix", "origins holds an invalid origin " + std::to_string(o));
        const auto k = static_cast<std::size_t>(o + 2);
        if (k >= dense.size()) dense.resize(k + 1, 0);
        ++dense[k];
    }
    std::vector<origin_share> mix;
    const double total = static_cast<double>(origins.size());
    for (std::size_t k = 0; k < dense.size(); ++k) {
        if (dense[k] == 0) continue;
        origin_share s;
        s.origin = static_cast<origin_t>(k) - 2;
        s.count = dense[k];
        s.share = static_cast<double>(dense[k]) / total;
        mix.push_back(s);
    }
    return mix;
}

// Share of samples whose origin is human (fresh or curated); NaN for an empty set.
inline double human_share(view<const origin_t> origins) {
    if (origins.empty()) return std::numeric_limits<double>::quiet_NaN();
    std::size_t h = 0;
    for (origin_t o : origins) h += is_human(o) ? 1 : 0;
    return static_cast<double>(h) / static_cast<double>(origins.size());
}

// A training set: the samples and, index by index, their origins.
template <class Sample>
struct training_set {
    std::vector<Sample> values;
    std::vector<origin_t> origins;

    std::size_t size() const noexcept { return values.size(); }
    bool empty() const noexcept { return values.empty(); }
    void clear() noexcept {
        values.clear();
        origins.clear();
    }
    void push_back(Sample v, origin_t o) {
        values.push_back(std::move(v));
        origins.push_back(o);
    }
    void append(const training_set& other) {
        values.insert(values.end(), other.values.begin(), other.values.end());
        origins.insert(origins.end(), other.origins.begin(), other.origins.end());
    }
};

}  // namespace feedback
}  // namespace collapsekit
