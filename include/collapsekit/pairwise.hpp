// Any measure between all pairs of a list of distributions: the generation x generation
// matrix that shows drift accumulating (row g, column h: measure(list[g], list[h])).
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/parallel.hpp"

namespace collapsekit {

// An n x n matrix of doubles, row-major.
struct pairwise_matrix {
    std::size_t n = 0;
    std::vector<double> values;  // values[i * n + j] = measure(items[i], items[j])

    double operator()(std::size_t i, std::size_t j) const { return values[i * n + j]; }
};

// compute_all evaluates every ordered pair (i, j), the diagonal included: right for
// asymmetric measures (KL) and estimators whose value on (x, x) is not exactly 0.
// mirror evaluates i <= j only and copies (i, j) to (j, i): for symmetric measures (JS,
// Hellinger, TV, Wasserstein, KS statistic), half the work.
enum class pairwise_symmetry { compute_all, mirror };

// measure(items[i], items[j]) for all pairs. items is any container of inputs the measure
// accepts (e.g. std::vector<std::vector<double>> of probability vectors, count vectors or
// samples); measure is any callable (double)(const Item&, const Item&), typically one of
// the value types in ck::measures. Errors thrown by the measure propagate unchanged; an
// empty list gives an empty matrix.
//
// With a leading execution (ck::threads(n), ck::all_threads) the pairs are spread over up
// to that many threads, each pair computed by one call of the measure (which must then be
// safe to call concurrently, as ck::measures are): every entry is the same number as in a
// one-thread run. When several pairs throw, the error of the first pair in row-major
// order is the one that propagates, as with one thread.
template <class Items, class Measure>
pairwise_matrix pairwise(const execution& ex, const Items& items, const Measure& measure,
                         pairwise_symmetry symmetry = pairwise_symmetry::compute_all) {
    std::vector<decltype(&*std::begin(items))> item;
    for (auto it = std::begin(items); it != std::end(items); ++it) item.push_back(&*it);
    const std::size_t n = item.size();
    pairwise_matrix m;
    m.n = n;
    m.values.assign(n * n, 0.0);
    const bool mirror = symmetry == pairwise_symmetry::mirror;
    // The pairs to compute, in row-major order.
    std::vector<std::pair<std::size_t, std::size_t>> pairs;
    pairs.reserve(mirror ? n * (n + 1) / 2 : n * n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = mirror ? i : 0; j < n; ++j) pairs.emplace_back(i, j);
    }
    detail::parallel_for(ex, pairs.size(), [&](std::size_t k) {
        const auto [i, j] = pairs[k];
        m.values[i * n + j] = static_cast<double>(measure(*item[i], *item[j]));
    });
    if (mirror) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < i; ++j) m.values[i * n + j] = m.values[j * n + i];
        }
    }
    return m;
}
template <class Items, class Measure, class = std::enable_if_t<!std::is_same_v<std::decay_t<Items>, execution>>>
pairwise_matrix pairwise(const Items& items, const Measure& measure,
                         pairwise_symmetry symmetry = pairwise_symmetry::compute_all) {
    return pairwise(sequential, items, measure, symmetry);
}

}  // namespace collapsekit
