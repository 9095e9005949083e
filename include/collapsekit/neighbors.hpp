// Exact k-nearest-neighbour distances (Euclidean) for point sets stored row-major.
//
// Used by the Kozachenko-Leonenko entropy estimator (entropy/continuous.hpp) and by the
// k-NN divergence estimators. The answers are exact and deterministic: a k-d tree for
// low dimensions and many points, brute force for high dimensions or few points; both
// compute the squared distance with the same loop (coordinates summed in index order)
// and prune only where that sum cannot beat the current k-th best, so the two paths
// return bit-identical distances. No random jitter is added: duplicated points give
// distance 0, and callers decide what that means.
//
// Threads: every overload takes an optional leading ck::execution (core/parallel.hpp).
// Each query's distance is computed on its own, so the result is the same, bit for bit,
// for any thread count.
//
// Cost: the tree keeps its points copied in leaf order (a leaf is one contiguous block),
// its nodes in a flat implicit array (16 bytes each, children of i at 2i+1 and 2i+2),
// and answers queries in leaf order (the points of the set in tree order; other queries
// sorted by the leaf they fall in), so consecutive queries touch the same leaves and the
// cost per point grows like log n rather than with cache misses. Far subtrees are pruned
// on the full distance from the query to the subtree's cell, not one axis.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
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

// Distances are computed on the points scaled by a power of two 2^e, the same for every
// point set of a call, that brings the largest |coordinate| M to just below
// 2^((1021 - ceil(log2 dim)) / 2 - 1) (detail::distance_scale_exponent, core/numeric.hpp): a
// squared distance is then at most 4 dim M'^2 < 2^1021 and never overflows, whatever the magnitude
// of the data (samples near DBL_MAX), and squares of small differences keep the most room
// above the normal range (subnormal samples are scaled up). The distances are scaled back
// by 2^-e; wherever the unscaled computation stayed in the normal range they are
// bit-identical to it. Returns e (0 for all-zero points).
inline int knn_scale_exponent(const std::vector<double>& a, const std::vector<double>& b, std::size_t dim) noexcept {
    return distance_scale_exponent(
        std::max(largest_magnitude(a.data(), a.size()), largest_magnitude(b.data(), b.size())), dim);
}
inline void scale_points(std::vector<double>& v, int e) noexcept { scale_by_power_of_two(v.data(), v.size(), e); }

// Queries per work item of the parallel searches: enough to amortise the hand-out, few
// enough to balance. Results do not depend on it.
inline constexpr std::size_t knn_query_block = 256;

// A k-d tree over row-major points: the cell of node i holds tree positions [begin, end)
// and splits at mid = begin + (end - begin) / 2 on its widest coordinate, at the median
// (the build is deterministic, so the tree, not just the answer, is the same on every run
// and for every thread count; answers are exact whatever the tree); cells of at most
// leaf_size points, or whose points are all equal, are leaves. The points are copied in
// tree order, so a leaf is one contiguous block.
class kd_tree {
public:
    kd_tree(const double* pts, std::size_t n, std::size_t dim, const execution& ex = sequential)
        : kd_tree(std::vector<double>(pts, pts + n * dim), dim, ex) {}
    // Takes the points (n * dim values) over, saving a copy.
    kd_tree(std::vector<double>&& pts, std::size_t dim, const execution& ex = sequential)
        : n_(pts.size() / dim), dim_(dim), pts_(std::move(pts)), index_(n_) {
        const std::size_t n = n_;
        for (std::size_t i = 0; i < n; ++i) index_[i] = i;
        std::size_t levels = 1;  // levels of the implicit array: cells at depth L hold at most ceil(n / 2^L)
        for (std::size_t size = n; size > leaf_size; size = size - size / 2) ++levels;
        nodes_.assign((std::size_t{1} << levels) - 1, node{});
        if (n == 0) return;
        // The top levels one level at a time, the cells of a level split in parallel, then
        // the subtrees below them in parallel. The tree is the same whatever the thread
        // count: only who builds which part varies.
        constexpr std::size_t top_depth = 6;
        std::vector<cell> level{cell{0, 0, n}};
        std::vector<scratch> scratches(std::max<std::size_t>(1, ex.workers(std::size_t{1} << top_depth)));
        for (std::size_t depth = 0; depth < top_depth && !level.empty(); ++depth) {
            std::vector<char> split(level.size(), 0);
            parallel_for_workers(std::min(scratches.size(), level.size()), level.size(),
                                 [&](std::size_t i, std::size_t w) { split[i] = split_node(level[i], scratches[w]); });
            std::vector<cell> below;
            for (std::size_t i = 0; i < level.size(); ++i) {
                if (split[i]) {
                    const cell& c = level[i];
                    const std::size_t mid = c.begin + (c.end - c.begin) / 2;
                    below.push_back(cell{2 * c.id + 1, c.begin, mid});
                    below.push_back(cell{2 * c.id + 2, mid, c.end});
                }
            }
            level.swap(below);
        }
        parallel_for_workers(std::min(scratches.size(), level.size()), level.size(),
                             [&](std::size_t i, std::size_t w) { build(level[i], scratches[w]); });
    }

    std::size_t size() const noexcept { return n_; }
    std::size_t dim() const noexcept { return dim_; }
    // The point at tree position pos, and its index in the input.
    const double* point(std::size_t pos) const noexcept { return pts_.data() + pos * dim_; }
    std::size_t original(std::size_t pos) const noexcept { return index_[pos]; }

    // Offers every point but the one at tree position `skip` (n: none) to best, nearest
    // cells first. `offsets` holds dim scratch doubles.
    void search(const double* q, std::size_t skip, k_best& best, double* offsets) const {
        std::fill(offsets, offsets + dim_, 0.0);
        visit(0, 0, n_, q, skip, best, offsets);
    }

    // The first tree position of the leaf whose cell q falls in (left on a tie).
    std::size_t leaf_begin(const double* q) const noexcept {
        std::size_t id = 0, begin = 0, end = n_;
        while (!nodes_[id].leaf()) {
            const std::size_t mid = begin + (end - begin) / 2;
            if (q[nodes_[id].axis] - nodes_[id].split <= 0.0) {
                end = mid, id = 2 * id + 1;
            } else {
                begin = mid, id = 2 * id + 2;
            }
        }
        return begin;
    }

private:
    static constexpr std::size_t leaf_size = 12;
    static constexpr std::uint32_t leaf_axis = 0xFFFFFFFFu;
    struct node {
        double split = 0.0;
        std::uint32_t axis = leaf_axis;
        bool leaf() const noexcept { return axis == leaf_axis; }
    };
    struct cell {
        std::size_t id, begin, end;
    };
    using scratch = std::vector<double>;  // the cell's coordinates on the split axis

    // Builds the subtree of c.
    void build(const cell& c, scratch& s) {
        if (!split_node(c, s)) return;
        const std::size_t mid = c.begin + (c.end - c.begin) / 2;
        build(cell{2 * c.id + 1, c.begin, mid}, s);
        build(cell{2 * c.id + 2, mid, c.end}, s);
    }

    // Splits the cell c at its median (its points are reordered so), unless it is a leaf;
    // true when it split.
    bool split_node(const cell& c, scratch& s) {
        const std::size_t begin = c.begin, end = c.end;
        if (end - begin <= leaf_size) return false;
        std::size_t axis = 0;
        double widest = -1.0;
        for (std::size_t j = 0; j < dim_; ++j) {
            double lo = pts_[begin * dim_ + j], hi = lo;
            for (std::size_t i = begin + 1; i < end; ++i) {
                const double v = pts_[i * dim_ + j];
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
            if (hi - lo > widest) widest = hi - lo, axis = j;
        }
        if (!(widest > 0.0)) return false;  // all points equal: keep them in one leaf
        const std::size_t m = end - begin, mid = begin + m / 2;
        // The median coordinate, then the rows partitioned around it in place (sequential
        // swaps): those below it first, then those equal to it up to mid.
        s.resize(m);
        for (std::size_t i = 0; i < m; ++i) s[i] = pts_[(begin + i) * dim_ + axis];
        const double split = select_kth(s.data(), m, m / 2);
        // Branch-free (Lomuto with an unconditional swap): [begin, next) stay below split.
        std::size_t next = begin;
        for (std::size_t i = begin; i < end; ++i) {
            const bool below = pts_[i * dim_ + axis] < split;
            swap_rows(i, next);
            next += below;
        }
        for (std::size_t i = next; i < end && next < mid; ++i) {
            if (pts_[i * dim_ + axis] == split) swap_rows(i, next++);
        }
        nodes_[c.id].split = split;
        nodes_[c.id].axis = static_cast<std::uint32_t>(axis);
        return true;
    }

    void swap_rows(std::size_t a, std::size_t b) noexcept {
        double* pa = pts_.data() + a * dim_;
        double* pb = pts_.data() + b * dim_;
        for (std::size_t j = 0; j < dim_; ++j) {
            const double t = pa[j];
            pa[j] = pb[j];
            pb[j] = t;
        }
        std::swap(index_[a], index_[b]);
    }

    // The k-th smallest of a[0, m) (k < m), a quickselect with branch-free partitions
    // (random coordinates make std::nth_element's comparisons mispredict half the time);
    // std::nth_element takes over if the partitions keep coming out lopsided.
    static double select_kth(double* a, std::size_t m, std::size_t k) {
        std::size_t lo = 0, hi = m;
        int budget = 8;
        for (std::size_t w = m; w > 1; w /= 2) budget += 2;
        while (hi - lo > 16) {
            if (budget-- == 0) break;
            const double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi - 1];
            const double pivot = std::max(std::min(x, y), std::min(std::max(x, y), z));
            std::size_t below = lo;  // [lo, below) < pivot
            for (std::size_t i = lo; i < hi; ++i) {
                const double v = a[i];
                a[i] = a[below];
                a[below] = v;
                below += v < pivot;
            }
            if (k < below) {
                hi = below;
                continue;
            }
            std::size_t equal = below;  // [below, equal) == pivot
            for (std::size_t i = below; i < hi; ++i) {
                const double v = a[i];
                a[i] = a[equal];
                a[equal] = v;
                equal += v == pivot;
            }
            if (k < equal) return pivot;
            lo = equal;
        }
        std::nth_element(a + lo, a + k, a + hi);
        return a[k];
    }

    // The lower bound of the squared distance from q to a cell, from the per-axis
    // distances to its sides, summed in index order like squared_distance: every term is
    // at most the matching term of any point of the cell (rounding is monotone), so the
    // bound never exceeds a point's computed distance and pruning drops no better point.
    double bound(const double* offsets) const noexcept {
        double s = 0.0;
        for (std::size_t j = 0; j < dim_; ++j) s += offsets[j] * offsets[j];
        return s;
    }

    void visit(std::size_t id, std::size_t begin, std::size_t end, const double* q, std::size_t skip, k_best& best,
               double* offsets) const {
        const node& nd = nodes_[id];
        if (nd.leaf()) {
            const double* p = pts_.data() + begin * dim_;
            for (std::size_t i = begin; i < end; ++i, p += dim_) {
                if (i != skip) best.offer(squared_distance(q, p, dim_));
            }
            return;
        }
        // Left holds coordinates <= split, right >= split.
        const std::size_t mid = begin + (end - begin) / 2;
        const double diff = q[nd.axis] - nd.split;
        if (diff <= 0.0) {
            visit(2 * id + 1, begin, mid, q, skip, best, offsets);
        } else {
            visit(2 * id + 2, mid, end, q, skip, best, offsets);
        }
        const double saved = offsets[nd.axis];
        offsets[nd.axis] = std::abs(diff);
        if (!best.full() || bound(offsets) < best.worst()) {
            if (diff <= 0.0) {
                visit(2 * id + 2, mid, end, q, skip, best, offsets);
            } else {
                visit(2 * id + 1, begin, mid, q, skip, best, offsets);
            }
        }
        offsets[nd.axis] = saved;
    }

    std::size_t n_, dim_;
    std::vector<double> pts_;
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

// Brute force in blocks of points so that a block of queries reuses it from cache; the
// blocks of queries run in parallel.
inline std::vector<double> knn_brute(const execution& ex, const double* q, std::size_t nq, const double* p,
                                     std::size_t np, std::size_t dim, std::size_t k, bool same_set) {
    std::vector<double> out(nq);
    constexpr std::size_t block = 64;
    // A query block costs about block * np distances; give a thread at least ~2^20 of them.
    const std::size_t min_blocks =
        std::max<std::size_t>(1, (std::size_t{1} << 20) / (block * std::max<std::size_t>(1, np * dim)));
    parallel_for(
        ex, chunk_count(nq, block),
        [&](std::size_t b) {
            const std::size_t q0 = b * block, q1 = std::min(nq, q0 + block);
            std::vector<k_best> best(q1 - q0, k_best(k));
            for (std::size_t p0 = 0; p0 < np; p0 += 1024) {
                const std::size_t p1 = std::min(np, p0 + 1024);
                for (std::size_t i = q0; i < q1; ++i) {
                    k_best& bi = best[i - q0];
                    const double* qi = q + i * dim;
                    for (std::size_t j = p0; j < p1; ++j) {
                        if (same_set && j == i) continue;
                        bi.offer(squared_distance(qi, p + j * dim, dim));
                    }
                }
            }
            for (std::size_t i = q0; i < q1; ++i) out[i] = std::sqrt(best[i - q0].worst());
        },
        min_blocks);
    return out;
}
inline std::vector<double> knn_brute(const double* q, std::size_t nq, const double* p, std::size_t np, std::size_t dim,
                                     std::size_t k, bool same_set) {
    return knn_brute(sequential, q, nq, p, np, dim, k, same_set);
}

// The k-d tree path over the points p (n x dim, taken over), for the nq queries q, or
// (same_set) for the points themselves, each skipping itself. Queries run in leaf order (see
// the module comment), in blocks of knn_query_block spread over the threads.
inline std::vector<double> knn_tree(const execution& ex, std::vector<double>&& p, std::size_t dim, std::size_t k,
                                    const double* q, std::size_t nq, bool same_set) {
    const kd_tree tree(std::move(p), dim, ex);
    const std::size_t np = tree.size();
    if (same_set) nq = np;
    const std::size_t blocks = chunk_count(nq, knn_query_block);
    // The k-th distance of the i-th query in processing order: tree position i (same
    // set), or the queries sorted by the leaf they fall in, ties by index.
    std::vector<double> found(nq);
    std::vector<std::pair<std::size_t, std::size_t>> order;  // (leaf begin, query)
    if (!same_set) {
        order.resize(nq);
        parallel_for(
            ex, blocks,
            [&](std::size_t b) {
                for (std::size_t i = b * knn_query_block; i < std::min(nq, (b + 1) * knn_query_block); ++i) {
                    order[i] = {tree.leaf_begin(q + i * dim), i};
                }
            },
            8);
        std::sort(order.begin(), order.end());
    }
    parallel_for(
        ex, blocks,
        [&](std::size_t b) {
            k_best best(k);
            std::vector<double> offsets(dim);
            for (std::size_t i = b * knn_query_block; i < std::min(nq, (b + 1) * knn_query_block); ++i) {
                best.clear();
                if (same_set) {
                    tree.search(tree.point(i), i, best, offsets.data());
                } else {
                    tree.search(q + order[i].second * dim, np, best, offsets.data());
                }
                found[i] = std::sqrt(best.worst());
            }
        },
        2);
    // Back to input order, in one tight pass (its cache misses overlap).
    std::vector<double> out(nq);
    for (std::size_t i = 0; i < nq; ++i) out[same_set ? tree.original(i) : order[i].second] = found[i];
    return out;
}
inline std::vector<double> knn_tree(const execution& ex, const double* q, std::size_t nq, const double* p,
                                    std::size_t np, std::size_t dim, std::size_t k, bool same_set) {
    return knn_tree(ex, std::vector<double>(p, p + np * dim), dim, k, q, nq, same_set);
}
inline std::vector<double> knn_tree(const double* q, std::size_t nq, const double* p, std::size_t np, std::size_t dim,
                                    std::size_t k, bool same_set) {
    return knn_tree(sequential, q, nq, p, np, dim, k, same_set);
}

}  // namespace detail

// For each point of `points` (row-major, n x dim), the Euclidean distance to its k-th
// nearest OTHER point of the same set (the point itself is excluded by index, so a
// duplicate of it counts, at distance 0). In the units of the coordinates.
// Preconditions: dim >= 1, points.size() a multiple of dim, all values finite,
// 1 <= k < n. Violations throw std::invalid_argument. Deterministic and exact; the
// execution overload searches on up to ex's threads, with the same result.
// Range: any finite points give finite distances, from subnormal samples to samples near
// DBL_MAX (the search runs on the points scaled by a power of two, see
// detail::knn_scale_exponent), and scaling the points by 2^j scales the distances by 2^j
// wherever both are normal. A distance below about M 2^-1010 (M the largest |coordinate|)
// is rounded, as its square leaves the normal range, and below about M 2^-1035 it is 0.
template <class Range>
std::vector<double> kth_neighbor_distances(const execution& ex, const Range& points, std::size_t dim, std::size_t k) {
    constexpr const char* fn = "kth_neighbor_distances";
    std::vector<double> p = detail::points_as_double(fn, "points", as_view(points), dim);
    const std::size_t n = p.size() / dim;
    require(k >= 1, fn, "k must be at least 1");
    if (k >= n) {
        fail(fn,
             "k must be less than the number of points (k = " + std::to_string(k) + ", n = " + std::to_string(n) + ")");
    }
    const int e = detail::knn_scale_exponent(p, p, dim);
    detail::scale_points(p, e);
    std::vector<double> out = detail::use_kd_tree(n, dim)
                                  ? detail::knn_tree(ex, std::move(p), dim, k, nullptr, n, true)
                                  : detail::knn_brute(ex, p.data(), n, p.data(), n, dim, k, true);
    detail::scale_points(out, -e);
    return out;
}
template <class Range>
std::vector<double> kth_neighbor_distances(const Range& points, std::size_t dim, std::size_t k) {
    return kth_neighbor_distances(sequential, points, dim, k);
}

// For each row of `queries` (row-major, m x dim), the Euclidean distance to its k-th
// nearest point of `points` (n x dim); a query equal to a point is at distance 0 from it.
// Preconditions: dim >= 1, both sizes multiples of dim, all values finite, 1 <= k <= n.
// Violations throw std::invalid_argument. An empty `queries` gives an empty result.
// Range: as above, M the largest |coordinate| of both sets.
template <class Queries, class Points>
std::vector<double> kth_neighbor_distances(const execution& ex, const Queries& queries, const Points& points,
                                           std::size_t dim, std::size_t k) {
    constexpr const char* fn = "kth_neighbor_distances";
    std::vector<double> q = detail::points_as_double(fn, "queries", as_view(queries), dim);
    std::vector<double> p = detail::points_as_double(fn, "points", as_view(points), dim);
    const std::size_t nq = q.size() / dim, np = p.size() / dim;
    require(k >= 1, fn, "k must be at least 1");
    if (k > np) {
        fail(fn,
             "k must not exceed the number of points (k = " + std::to_string(k) + ", n = " + std::to_string(np) + ")");
    }
    const int e = detail::knn_scale_exponent(q, p, dim);
    detail::scale_points(q, e);
    detail::scale_points(p, e);
    std::vector<double> out = detail::use_kd_tree(np, dim)
                                  ? detail::knn_tree(ex, std::move(p), dim, k, q.data(), nq, false)
                                  : detail::knn_brute(ex, q.data(), nq, p.data(), np, dim, k, false);
    detail::scale_points(out, -e);
    return out;
}
template <class Queries, class Points>
std::vector<double> kth_neighbor_distances(const Queries& queries, const Points& points, std::size_t dim,
                                           std::size_t k) {
    return kth_neighbor_distances(sequential, queries, points, dim, k);
}

}  // namespace collapsekit
