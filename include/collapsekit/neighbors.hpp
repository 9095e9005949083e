// Exact k-nearest-neighbour distances (Euclidean) for point sets stored row-major.
//
// Used by the Kozachenko-Leonenko entropy estimator (entropy/continuous.hpp) and by the
// k-NN divergence estimators. The answers are exact and deterministic: a k-d tree for
// low dimensions and many points, brute force for high dimensions or few points; both
// compute the squared distance with the same loop (coordinates summed in index order)
// and prune only where that sum cannot beat the current k-th best, so the two paths
// return bit-identical distances. No random jitter is added: duplicated points give
// distance 0, and callers decide what that means.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/view.hpp"

namespace collapsekit {

namespace detail {

// Squared Euclidean distance, coordinates in index order (the one definition both paths use).
inline double squared_distance(const double* a, const double* b, std::size_t dim) noexcept {
    double s = 0.0;
    for (std::size_t j = 0; j < dim; ++j) {
        const double d = a[j] - b[j];
        s += d * d;
    }
    return s;
}

// The k smallest values seen so far, as a max-heap; top() is the k-th best.
class k_best {
public:
    explicit k_best(std::size_t k) : k_(k) { heap_.reserve(k); }
    void clear() noexcept { heap_.clear(); }
    bool full() const noexcept { return heap_.size() == k_; }
    double worst() const noexcept { return heap_.front(); }
    void offer(double d) {
        if (heap_.size() < k_) {
            heap_.push_back(d);
            std::push_heap(heap_.begin(), heap_.end());
        } else if (d < heap_.front()) {
            std::pop_heap(heap_.begin(), heap_.end());
            heap_.back() = d;
            std::push_heap(heap_.begin(), heap_.end());
        }
    }

private:
    std::size_t k_;
    std::vector<double> heap_;
};

// Points converted to double once (inputs may be float or integers), row-major n x dim.
template <class T>
std::vector<double> points_as_double(const char* function, const char* arg, view<const T> x, std::size_t dim) {
    require(dim >= 1, function, "dim must be at least 1");
    if (x.size() % dim != 0) {
        fail(function, std::string(arg) + " has " + std::to_string(x.size()) + " values, not a multiple of dim (" +
                           std::to_string(dim) + ")");
    }
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double v = static_cast<double>(x[i]);
        if (!std::isfinite(v)) {
            fail(function, std::string(arg) + " must be finite (" + arg + "[" + std::to_string(i) +
                               "] = " + detail::format_value(v) + ")");
        }
        out[i] = v;
    }
    return out;
}

// A k-d tree over row-major points: leaves of up to leaf_size points, split at the
// median of the widest coordinate. Only point indices are permuted.
class kd_tree {
public:
    kd_tree(const double* pts, std::size_t n, std::size_t dim) : pts_(pts), dim_(dim), index_(n) {
        for (std::size_t i = 0; i < n; ++i) index_[i] = i;
        nodes_.reserve(2 * (n / leaf_size + 1));
        if (n > 0) build(0, n);
    }

    // Offers every point but `skip` (pass n to skip none) to best, nearest regions first.
    void search(const double* q, std::size_t skip, k_best& best) const { visit(0, q, skip, best); }

private:
    static constexpr std::size_t leaf_size = 12;
    struct node {
        std::size_t begin, end;  // index_ range
        std::size_t left = 0, right = 0;
        std::size_t axis = 0;
        double split = 0.0;
        bool leaf = true;
    };

    std::size_t build(std::size_t begin, std::size_t end) {
        const std::size_t id = nodes_.size();
        nodes_.push_back(node{begin, end});
        if (end - begin <= leaf_size) return id;
        std::size_t axis = 0;
        double widest = -1.0;
        for (std::size_t j = 0; j < dim_; ++j) {
            double lo = pts_[index_[begin] * dim_ + j], hi = lo;
            for (std::size_t i = begin + 1; i < end; ++i) {
                const double v = pts_[index_[i] * dim_ + j];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            if (hi - lo > widest) widest = hi - lo, axis = j;
        }
        if (!(widest > 0.0)) return id;  // all points equal: keep them in one leaf
        const std::size_t mid = begin + (end - begin) / 2;
        // Ties on the coordinate break by index so the tree (not just the answer) is deterministic.
        std::nth_element(index_.begin() + static_cast<std::ptrdiff_t>(begin),
                         index_.begin() + static_cast<std::ptrdiff_t>(mid),
                         index_.begin() + static_cast<std::ptrdiff_t>(end), [&](std::size_t a, std::size_t b) {
                             const double va = pts_[a * dim_ + axis], vb = pts_[b * dim_ + axis];
                             return va < vb || (va == vb && a < b);
                         });
        const double split = pts_[index_[mid] * dim_ + axis];
        const std::size_t l = build(begin, mid);
        const std::size_t r = build(mid, end);
        node& me = nodes_[id];
        me.left = l, me.right = r, me.axis = axis, me.split = split, me.leaf = false;
        return id;
    }

    void visit(std::size_t id, const double* q, std::size_t skip, k_best& best) const {
        const node& nd = nodes_[id];
        if (nd.leaf) {
            for (std::size_t i = nd.begin; i < nd.end; ++i) {
                const std::size_t p = index_[i];
                if (p != skip) best.offer(squared_distance(q, pts_ + p * dim_, dim_));
            }
            return;
        }
        // Left holds coordinates <= split, right >= split. A point on the far side is at
        // least |q - split| away along the axis, and the rounded sum of squares is monotone
        // in each term, so pruning on diff^2 >= worst never drops a strictly better point.
        const double diff = q[nd.axis] - nd.split;
        const std::size_t near = diff <= 0.0 ? nd.left : nd.right;
        const std::size_t far = diff <= 0.0 ? nd.right : nd.left;
        visit(near, q, skip, best);
        if (!best.full() || diff * diff < best.worst()) visit(far, q, skip, best);
    }

    const double* pts_;
    std::size_t dim_;
    std::vector<std::size_t> index_;
    std::vector<node> nodes_;
};

// k-d trees stop paying off once the dimension approaches log2(n).
inline bool use_kd_tree(std::size_t n, std::size_t dim) noexcept {
    if (n < 64) return false;
    std::size_t log2n = 0;
    while ((std::size_t{1} << (log2n + 1)) <= n) ++log2n;
    return dim <= 10 && 2 * dim <= log2n + 4;
}

// Brute force in blocks of points so that a block of queries reuses it from cache.
inline std::vector<double> knn_brute(const double* q, std::size_t nq, const double* p, std::size_t np, std::size_t dim,
                                     std::size_t k, bool same_set) {
    std::vector<double> out(nq);
    constexpr std::size_t block = 64;
    std::vector<k_best> best(std::min(nq, block), k_best(k));
    for (std::size_t q0 = 0; q0 < nq; q0 += block) {
        const std::size_t q1 = std::min(nq, q0 + block);
        for (std::size_t i = q0; i < q1; ++i) best[i - q0].clear();
        for (std::size_t p0 = 0; p0 < np; p0 += 1024) {
            const std::size_t p1 = std::min(np, p0 + 1024);
            for (std::size_t i = q0; i < q1; ++i) {
                k_best& b = best[i - q0];
                const double* qi = q + i * dim;
                for (std::size_t j = p0; j < p1; ++j) {
                    if (same_set && j == i) continue;
                    b.offer(squared_distance(qi, p + j * dim, dim));
                }
            }
        }
        for (std::size_t i = q0; i < q1; ++i) out[i] = std::sqrt(best[i - q0].worst());
    }
    return out;
}

inline std::vector<double> knn_tree(const double* q, std::size_t nq, const double* p, std::size_t np, std::size_t dim,
                                    std::size_t k, bool same_set) {
    const kd_tree tree(p, np, dim);
    std::vector<double> out(nq);
    k_best best(k);
    for (std::size_t i = 0; i < nq; ++i) {
        best.clear();
        tree.search(q + i * dim, same_set ? i : np, best);
        out[i] = std::sqrt(best.worst());
    }
    return out;
}

}  // namespace detail

// For each point of `points` (row-major, n x dim), the Euclidean distance to its k-th
// nearest OTHER point of the same set (the point itself is excluded by index, so a
// duplicate of it counts, at distance 0).
// Preconditions: dim >= 1, points.size() a multiple of dim, all values finite,
// 1 <= k < n. Violations throw std::invalid_argument. Deterministic and exact.
template <class Range>
std::vector<double> kth_neighbor_distances(const Range& points, std::size_t dim, std::size_t k) {
    constexpr const char* fn = "kth_neighbor_distances";
    const std::vector<double> p = detail::points_as_double(fn, "points", as_view(points), dim);
    const std::size_t n = p.size() / dim;
    require(k >= 1, fn, "k must be at least 1");
    if (k >= n) {
        fail(fn,
             "k must be less than the number of points (k = " + std::to_string(k) + ", n = " + std::to_string(n) + ")");
    }
    return detail::use_kd_tree(n, dim) ? detail::knn_tree(p.data(), n, p.data(), n, dim, k, true)
                                       : detail::knn_brute(p.data(), n, p.data(), n, dim, k, true);
}

// For each row of `queries` (row-major, m x dim), the Euclidean distance to its k-th
// nearest point of `points` (n x dim); a query equal to a point is at distance 0 from it.
// Preconditions: dim >= 1, both sizes multiples of dim, all values finite, 1 <= k <= n.
// Violations throw std::invalid_argument. An empty `queries` gives an empty result.
template <class Queries, class Points>
std::vector<double> kth_neighbor_distances(const Queries& queries, const Points& points, std::size_t dim,
                                           std::size_t k) {
    constexpr const char* fn = "kth_neighbor_distances";
    const std::vector<double> q = detail::points_as_double(fn, "queries", as_view(queries), dim);
    const std::vector<double> p = detail::points_as_double(fn, "points", as_view(points), dim);
    const std::size_t nq = q.size() / dim, np = p.size() / dim;
    require(k >= 1, fn, "k must be at least 1");
    if (k > np) {
        fail(fn,
             "k must not exceed the number of points (k = " + std::to_string(k) + ", n = " + std::to_string(np) + ")");
    }
    return detail::use_kd_tree(np, dim) ? detail::knn_tree(q.data(), nq, p.data(), np, dim, k, false)
                                        : detail::knn_brute(q.data(), nq, p.data(), np, dim, k, false);
}

}  // namespace collapsekit
