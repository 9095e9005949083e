// Any measure between all pairs of a list of distributions: the generation x generation
// matrix that shows drift accumulating (row g, column h: measure(list[g], list[h])).
#pragma once

#include <cstddef>
#include <iterator>
#include <string>
#include <vector>

#include "core/errors.hpp"

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
template <class Items, class Measure>
pairwise_matrix pairwise(const Items& items, const Measure& measure,
                         pairwise_symmetry symmetry = pairwise_symmetry::compute_all) {
    const std::size_t n = static_cast<std::size_t>(std::distance(std::begin(items), std::end(items)));
    pairwise_matrix m;
    m.n = n;
    m.values.assign(n * n, 0.0);
    std::size_t i = 0;
    for (auto a = std::begin(items); a != std::end(items); ++a, ++i) {
        std::size_t j = 0;
        for (auto b = std::begin(items); b != std::end(items); ++b, ++j) {
            if (symmetry == pairwise_symmetry::mirror && j < i) {
                m.values[i * n + j] = m.values[j * n + i];
                continue;
            }
            m.values[i * n + j] = static_cast<double>(measure(*a, *b));
        }
    }
    return m;
}

}  // namespace collapsekit
