// The k-nearest-neighbour estimator of KL divergence between continuous distributions in
// d dimensions (Wang, Kulkarni & Verdu 2009, "Divergence estimation for multidimensional
// densities via k-nearest-neighbor distances", IEEE Trans. Inf. Theory 55(5)).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/view.hpp"
#include "neighbors.hpp"

namespace collapsekit {

// KL(P || Q) estimated from x ~ P (n points) and y ~ Q (m points), both row-major with dim
// coordinates per point:
//   D = (dim / n) sum_i log(nu_k(i) / rho_k(i)) + log(m / (n - 1)),
// rho_k(i) the distance from x_i to its k-th nearest other point of x, nu_k(i) its
// distance to the k-th nearest point of y (Euclidean, exact; ck::kth_neighbor_distances).
// In units of base. Consistent (asymptotically unbiased) as n, m -> infinity for fixed k;
// no closed-form standard error: use ck::bootstrap on the two samples for an interval.
// The estimate can be negative for close distributions.
// Throws std::invalid_argument for dim = 0, sizes not multiples of dim, non-finite values,
// k < 1, k >= n or k > m; std::domain_error when a distance is 0 (k or more duplicated
// points: the estimator assumes continuous data, so add a larger k or dequantise).
// Threads: the execution overload runs both neighbour searches and the logs on up to ex's
// threads and sums the terms in point order, so the result is the same, bit for bit, for
// every thread count.
template <class X, class Y>
double kl_divergence_knn(const execution& ex, const X& x, const Y& y, std::size_t dim, std::size_t k = 1,
                         log_base base = nats) {
    constexpr const char* fn = "kl_divergence_knn";
    const double unit = base.nats_to_unit(fn);
    const auto vx = as_view(x);
    const auto vy = as_view(y);
    require(dim >= 1, fn, "dim must be at least 1");
    require(vx.size() % dim == 0, fn, "x size is not a multiple of dim");
    require(vy.size() % dim == 0, fn, "y size is not a multiple of dim");
    const std::size_t n = vx.size() / dim, m = vy.size() / dim;
    require(k >= 1, fn, "k must be at least 1");
    if (k >= n)
        fail(fn,
             "k must be below the number of x points (k = " + std::to_string(k) + ", n = " + std::to_string(n) + ")");
    if (k > m)
        fail(fn,
             "k must not exceed the number of y points (k = " + std::to_string(k) + ", m = " + std::to_string(m) + ")");
    const std::vector<double> rho = kth_neighbor_distances(ex, x, dim, k);
    std::vector<double> nu = kth_neighbor_distances(ex, x, y, dim, k);
    for (std::size_t i = 0; i < n; ++i) {
        if (!(rho[i] > 0.0) || !(nu[i] > 0.0)) {
            fail_domain(fn, "a k-th neighbour distance is 0 (point " + std::to_string(i) +
                                " of x has k or more duplicates); the estimator needs continuous data");
        }
    }
    // The terms log(nu_i / rho_i) in parallel (each alone), summed in point order.
    detail::parallel_for(
        ex, detail::chunk_count(n, reduction_chunk),
        [&](std::size_t c) {
            for (std::size_t i = c * reduction_chunk; i < std::min(n, (c + 1) * reduction_chunk); ++i) {
                nu[i] = log_ratio(nu[i], rho[i]);  // no overflow of the ratio for any distances
            }
        },
        2);
    compensated_sum s;
    for (double t : nu) s += t;
    const double d = static_cast<double>(dim) * s.value() / static_cast<double>(n) +
                     std::log(static_cast<double>(m) / static_cast<double>(n - 1));
    return d * unit;
}
template <class X, class Y>
double kl_divergence_knn(const X& x, const Y& y, std::size_t dim, std::size_t k = 1, log_base base = nats) {
    return kl_divergence_knn(sequential, x, y, dim, k, base);
}

namespace measures {
// The k-NN KL estimator as a value type (points row-major with `dim` coordinates).
struct kl_divergence_knn {
    std::size_t dim = 1;
    std::size_t k = 1;
    log_base base = nats;
    template <class X, class Y>
    double operator()(const X& x, const Y& y) const {
        return ::collapsekit::kl_divergence_knn(x, y, dim, k, base);
    }
};
}  // namespace measures

}  // namespace collapsekit
