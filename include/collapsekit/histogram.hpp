// Histograms: fixed binnings (regular, sorted edges, integer categories, quantiles of a
// reference sample), 64-bit counts with underflow / overflow / NaN kept apart, optional
// weights, merge with +=, and a versioned byte format so shards combine exactly.
//
// Bin assignment is numpy.histogram's, values on edges included: bin i is
// [edges[i], edges[i+1]) except the last, which is closed. Regular bins use numpy's
// fast path (index from (x - lo) * bins / (hi - lo), then one correction step against
// numpy.linspace's edges), so counts equal numpy.histogram(x, bins, range=(lo, hi)) for
// double data. Every input is binned as the double it converts to, so float data count
// as numpy.histogram(x.astype(float64), ...) or numpy.histogram(x, bins=edges_float64).
// Values numpy drops (outside [first edge, last edge]) are counted in underflow() and
// overflow(); NaN values in nan_count().
//
// Threads: fill() and numpy_histogram_range() have overloads with a leading
// ck::execution (ck::threads(n), ck::all_threads; see core/parallel.hpp). Counts are
// whole numbers, exact however the input is split, so an unweighted fill gives each
// thread a contiguous share of fixed chunks to count into its own slots. Weighted fills
// sum doubles: their input is cut into fixed chunks of max(2^16, 64 (bins + 3)) values
// (a length set by the input and the binning only), each chunk sums its weights in input
// order, and the chunks' sums are added per bin in chunk order. Either way the histogram
// is bit-identical for every thread count; the overloads without an execution are the
// one-thread case. NaN screening (under raise) runs on the calling thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/nan.hpp"
#include "core/parallel.hpp"
#include "core/view.hpp"
#include "simd/histogram_fill.hpp"
#include "simd/min_max.hpp"

namespace collapsekit {

namespace detail {

// numpy.linspace(lo, hi, n + 1): edges[i] = i * step + lo, edges[n] = hi; when the step
// underflows to zero numpy computes (i / n) * (hi - lo) + lo instead.
inline std::vector<double> histogram_linspace(double lo, double hi, std::size_t n) {
    std::vector<double> e(n + 1);
    const double delta = hi - lo;
    const double div = static_cast<double>(n);
    const double step = delta / div;
    for (std::size_t i = 0; i < n; ++i) {
        const double y = static_cast<double>(i);
        e[i] = (step == 0.0 ? (y / div) * delta : y * step) + lo;
    }
    e[n] = hi;
    return e;
}

// numpy.quantile(sorted, q) with the default 'linear' method, to the last bit:
// virtual index (n - 1) q, numpy's _lerp (which interpolates from the upper neighbour
// when the fraction is at least 1/2).
inline double histogram_numpy_quantile(const std::vector<double>& sorted, double q) noexcept {
    const std::size_t n = sorted.size();
    const double v = static_cast<double>(n - 1) * q;
    if (v >= static_cast<double>(n - 1)) return sorted[n - 1];
    const double prev = std::floor(v);
    const auto i = static_cast<std::size_t>(prev);
    const double t = v - prev;
    const double a = sorted[i], b = sorted[i + 1];
    const double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

// Little-endian byte packing for serialize() / deserialize().
inline void histogram_put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
    for (int k = 0; k < 8; ++k) out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
}
inline void histogram_put_f64(std::vector<std::uint8_t>& out, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    histogram_put_u64(out, bits);
}

class histogram_reader {
public:
    histogram_reader(const std::uint8_t* p, std::size_t n) : p_(p), n_(n) {}
    std::uint64_t u64() {
        need(8);
        std::uint64_t v = 0;
        for (int k = 0; k < 8; ++k) v |= static_cast<std::uint64_t>(p_[pos_ + static_cast<std::size_t>(k)]) << (8 * k);
        pos_ += 8;
        return v;
    }
    double f64() {
        const std::uint64_t bits = u64();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    std::uint8_t u8() {
        need(1);
        return p_[pos_++];
    }
    void need(std::size_t k) const {
        if (n_ - pos_ < k) fail("histogram::deserialize", "bytes are truncated (" + std::to_string(n_) + " bytes)");
    }
    std::size_t remaining() const { return n_ - pos_; }

private:
    const std::uint8_t* p_;
    std::size_t n_;
    std::size_t pos_ = 0;
};

}  // namespace detail

class histogram {
public:
    enum class kind : std::uint8_t { regular = 0, edges = 1, integer = 2 };

    // What probabilities() and density() divide by: the in-range total only (exclude,
    // numpy's density convention: the bins sum to 1), or everything that was not NaN
    // (include: the bins sum to the in-range fraction, under/overflow being the rest).
    enum class flow { exclude, include };

    // Largest number of bins a histogram may have (slot indices stay exact in doubles
    // and in the kernels' 64-bit lanes, and the counts fit in memory).
    static constexpr std::size_t max_bins = std::size_t(1) << 32;

    // `bins` equal bins over [lo, hi] (numpy.histogram(x, bins, range=(lo, hi))); the
    // last bin includes hi. Throws std::invalid_argument when bins is 0 or above
    // max_bins, lo or hi is not finite, lo >= hi, or hi - lo or bins / (hi - lo)
    // overflows.
    static histogram regular(std::size_t bins, double lo, double hi) {
        constexpr const char* fn = "histogram::regular";
        check_bins(fn, "bins", bins);
        require_finite(fn, "lo", lo);
        require_finite(fn, "hi", hi);
        if (!(lo < hi)) {
            fail(fn, "lo must be less than hi (got lo = " + detail::format_value(lo) +
                         ", hi = " + detail::format_value(hi) + ")");
        }
        // numpy would compute garbage here: an infinite width, or a width so small that
        // bins / (hi - lo) overflows (0 * inf is NaN for x == lo).
        if (!std::isfinite(hi - lo) || !std::isfinite(static_cast<double>(bins) / (hi - lo))) {
            fail(fn, "bins / (hi - lo) must be finite (got lo = " + detail::format_value(lo) +
                         ", hi = " + detail::format_value(hi) + ", bins = " + std::to_string(bins) + ")");
        }
        histogram h(kind::regular, bins);
        h.lo_ = lo;
        h.hi_ = hi;
        h.norm_ = static_cast<double>(bins) / (hi - lo);
        h.step_ = (hi - lo) / static_cast<double>(bins);
        h.edges_ = detail::histogram_linspace(lo, hi, bins);
        return h;
    }

    // Bins between consecutive edges (numpy.histogram(x, bins=edges)): at least two
    // edges, finite, non-decreasing. Repeated edges are allowed as in numpy and make
    // empty zero-width bins (a value on a repeated edge goes to the later bin).
    static histogram with_edges(std::vector<double> edges) {
        constexpr const char* fn = "histogram::with_edges";
        if (edges.size() < 2) {
            fail(fn, "edges must hold at least 2 values (got " + std::to_string(edges.size()) + ")");
        }
        check_bins(fn, "edges.size() - 1", edges.size() - 1);
        for (std::size_t i = 0; i < edges.size(); ++i) {
            if (!std::isfinite(edges[i])) {
                fail(fn, "edges must be finite (edges[" + std::to_string(i) + "] = " + detail::format_value(edges[i]) +
                             ")");
            }
            if (i > 0 && edges[i] < edges[i - 1]) {
                fail(fn, "edges must be sorted in non-decreasing order (edges[" + std::to_string(i) +
                             "] = " + detail::format_value(edges[i]) + " < edges[" + std::to_string(i - 1) +
                             "] = " + detail::format_value(edges[i - 1]) + ")");
            }
        }
        histogram h(kind::edges, edges.size() - 1);
        h.lo_ = edges.front();
        h.hi_ = edges.back();
        h.edges_ = std::move(edges);
        return h;
    }

    // Categories 0..k-1, like numpy.bincount(x, minlength=k): an integer value v counts
    // in bin v; negative values count as underflow, values >= k as overflow. A
    // floating-point value v in [0, k) counts in bin floor(v) (all bins are half-open
    // [i, i + 1), the last one too). edges() is 0, 1, ..., k. Throws when k is 0 or
    // above max_bins.
    static histogram integer(std::size_t k) {
        check_bins("histogram::integer", "k", k);
        histogram h(kind::integer, k);
        h.lo_ = 0.0;
        h.hi_ = static_cast<double>(k);
        h.edges_.resize(k + 1);
        for (std::size_t i = 0; i <= k; ++i) h.edges_[i] = static_cast<double>(i);
        return h;
    }

    // Edges at the reference sample's quantiles, numpy's definition:
    //   edges = numpy.unique(numpy.quantile(reference, numpy.linspace(0, 1, bins + 1)))
    // (method 'linear'), so ties in the reference give fewer bins than asked for;
    // a reference whose values are all equal to v gives the single closed bin [v, v].
    // Bin other samples with the same edges through empty_like(). NaN in the reference
    // follow `policy` (omit drops them); infinite values and an empty reference (after
    // omitting NaN) throw std::invalid_argument, as does bins == 0.
    template <class Range>
    static histogram from_quantiles(const Range& reference, std::size_t bins, nan_policy policy = nan_policy::raise) {
        constexpr const char* fn = "histogram::from_quantiles";
        const auto r = as_view(reference);
        using T = std::remove_cv_t<typename decltype(r)::value_type>;
        static_assert(std::is_arithmetic_v<T>, "histogram::from_quantiles needs arithmetic values");
        check_bins(fn, "bins", bins);
        if (policy == nan_policy::propagate) {
            fail(fn, "nan_policy::propagate has no meaning for bin edges; use raise or omit");
        }
        screen_nans(fn, "reference", r, policy);
        std::vector<double> sorted;
        sorted.reserve(r.size());
        for (const T v : r) {
            if (is_nan_value(v)) continue;
            const double d = static_cast<double>(v);
            if (!std::isfinite(d)) fail(fn, "reference must be finite (got " + detail::format_value(d) + ")");
            sorted.push_back(d);
        }
        require_not_empty(fn, "reference", sorted.size());
        std::sort(sorted.begin(), sorted.end());
        std::vector<double> edges;
        edges.reserve(bins + 1);
        const double qstep = 1.0 / static_cast<double>(bins);  // numpy.linspace(0, 1, bins + 1)
        for (std::size_t i = 0; i <= bins; ++i) {
            const double q = i == bins ? 1.0 : static_cast<double>(i) * qstep + 0.0;
            const double e = detail::histogram_numpy_quantile(sorted, q);
            if (edges.empty() || e != edges.back()) edges.push_back(e);
        }
        if (edges.size() == 1) edges.push_back(edges.front());
        return with_edges(std::move(edges));
    }

    // Adds the values of x (any arithmetic type; each value binned as the double it
    // converts to). NaN values follow `policy`:
    //   raise (default) - std::invalid_argument naming the first NaN; nothing is added,
    //   omit            - counted in nan_count() and otherwise skipped,
    //   propagate       - as omit, and the histogram is marked (nan_propagated()) so that
    //                     probabilities(), density() and quantile() return NaN.
    template <class Range>
    void fill(const execution& ex, const Range& x, nan_policy policy = nan_policy::raise) {
        const auto v = as_view(x);
        using T = std::remove_cv_t<typename decltype(v)::value_type>;
        static_assert(std::is_arithmetic_v<T>, "histogram::fill needs arithmetic values");
        if (sparse(v.size())) {
            std::vector<std::uint64_t> s(v.size());
            visit_binning([&](const auto& b) { simd::histogram_slots(v.data(), v.size(), b, s.data()); });
            if (std::count(s.begin(), s.end(), bins_ + 2) != 0) screen_nan_fill(v, policy);
            for (std::size_t i = 0; i < s.size(); ++i) add_one(static_cast<std::size_t>(s[i]), 1.0, policy);
            return;
        }
        const std::size_t ns = bins_ + simd::histogram_extra_slots;
        std::vector<std::uint64_t> slots(ns, 0);
        // Each worker counts whole chunks, a contiguous run of them, into its own slots.
        const std::size_t chunk = fill_chunk();
        const std::size_t chunks = detail::chunk_count(v.size(), chunk);
        const std::size_t workers = ex.workers(chunks);
        if (workers <= 1) {
            visit_binning([&](const auto& b) { simd::histogram_count(v.data(), v.size(), b, slots.data()); });
        } else {
            std::vector<std::vector<std::uint64_t>> part(workers);
            detail::parallel_for(ex, workers, [&](std::size_t w) {
                const std::size_t begin = std::min(v.size(), w * chunks / workers * chunk);
                const std::size_t end = std::min(v.size(), (w + 1) * chunks / workers * chunk);
                part[w].assign(ns, 0);
                visit_binning(
                    [&](const auto& b) { simd::histogram_count(v.data() + begin, end - begin, b, part[w].data()); });
            });
            for (const auto& p : part) {
                for (std::size_t s = 0; s < ns; ++s) slots[s] += p[s];
            }
        }
        if (slots[bins_ + 2] != 0) screen_nan_fill(v, policy);
        commit(slots, nullptr, nullptr, policy);
    }
    template <class Range>
    void fill(const Range& x, nan_policy policy = nan_policy::raise) {
        fill(sequential, x, policy);
    }

    // Weighted fill: each value adds 1 to its bin's count, its weight to sum_weights()
    // and its squared weight to sum_weights_squared() (the variance estimate of the
    // bin's weight). A NaN weight is handled like a NaN value under `policy`. Throws
    // std::invalid_argument when the lengths differ.
    template <class Range, class Weights, class = std::enable_if_t<!std::is_same_v<Weights, nan_policy>>>
    void fill(const execution& ex, const Range& x, const Weights& weights, nan_policy policy = nan_policy::raise) {
        const auto v = as_view(x);
        const auto w = as_view(weights);
        using T = std::remove_cv_t<typename decltype(v)::value_type>;
        using W = std::remove_cv_t<typename decltype(w)::value_type>;
        static_assert(std::is_arithmetic_v<T> && std::is_arithmetic_v<W>, "histogram::fill needs arithmetic values");
        require_same_length("histogram::fill", "x", v.size(), "weights", w.size());
        if (sparse(v.size())) {
            std::vector<std::uint64_t> s(v.size());
            visit_binning([&](const auto& b) { simd::histogram_slots(v.data(), v.size(), b, s.data()); });
            bool any_nan = std::count(s.begin(), s.end(), bins_ + 2) != 0;
            for (std::size_t i = 0; i < s.size() && !any_nan; ++i) any_nan = is_nan_value(w[i]);
            if (any_nan) {
                screen_nan_fill(v, policy);
                screen_nans("histogram::fill", "weights", w, policy);
            }
            make_weighted();
            for (std::size_t i = 0; i < s.size(); ++i) {
                const double wi = static_cast<double>(w[i]);
                add_one(wi != wi ? bins_ + 2 : static_cast<std::size_t>(s[i]), wi, policy);
            }
            return;
        }
        const std::size_t ns = bins_ + simd::histogram_extra_slots;
        std::vector<std::uint64_t> slots(ns, 0);
        std::vector<double> sw(ns, 0.0), sw2(ns, 0.0);
        auto count = [&](std::size_t begin, std::size_t end, std::uint64_t* c, double* s, double* s2) {
            visit_binning([&](const auto& b) {
                simd::histogram_count_weighted(v.data() + begin, w.data() + begin, end - begin, b, c, s, s2);
            });
        };
        const std::size_t chunk = fill_chunk();
        const std::size_t chunks = detail::chunk_count(v.size(), chunk);
        if (chunks <= 1) {
            count(0, v.size(), slots.data(), sw.data(), sw2.data());
        } else {
            // Windows of chunks, each chunk into its own sums, added per slot in chunk order.
            // A window holds up to 64 chunks (fewer when their slots pass 2^18, 6 MiB), so
            // that threads rarely wait for each other at a window's end.
            const std::size_t fit = std::min<std::size_t>(64, std::max<std::size_t>(1, (std::size_t(1) << 18) / ns));
            const std::size_t window = std::min(chunks, std::max(ex.workers(chunks), fit));
            std::vector<std::uint64_t> pc(window * ns);
            std::vector<double> ps(window * ns), ps2(window * ns);
            for (std::size_t first = 0; first < chunks; first += window) {
                const std::size_t m = std::min(window, chunks - first);
                detail::parallel_for(ex, m, [&](std::size_t k) {
                    std::fill_n(pc.data() + k * ns, ns, std::uint64_t(0));
                    std::fill_n(ps.data() + k * ns, ns, 0.0);
                    std::fill_n(ps2.data() + k * ns, ns, 0.0);
                    const std::size_t begin = (first + k) * chunk;
                    count(begin, std::min(v.size(), begin + chunk), pc.data() + k * ns, ps.data() + k * ns,
                          ps2.data() + k * ns);
                });
                for (std::size_t k = 0; k < m; ++k) {
                    for (std::size_t s = 0; s < ns; ++s) {
                        slots[s] += pc[k * ns + s];
                        sw[s] += ps[k * ns + s];
                        sw2[s] += ps2[k * ns + s];
                    }
                }
            }
        }
        if (slots[bins_ + 2] != 0) {
            screen_nan_fill(v, policy);
            screen_nans("histogram::fill", "weights", w, policy);
        }
        commit(slots, &sw, &sw2, policy);
    }
    template <class Range, class Weights,
              class = std::enable_if_t<!std::is_same_v<Weights, nan_policy> && !std::is_same_v<Range, execution>>>
    void fill(const Range& x, const Weights& weights, nan_policy policy = nan_policy::raise) {
        fill(sequential, x, weights, policy);
    }

    // Number of in-range bins.
    std::size_t bins() const noexcept { return bins_; }
    kind binning_kind() const noexcept { return kind_; }
    // First and last edge.
    double lo() const noexcept { return lo_; }
    double hi() const noexcept { return hi_; }
    // bins() + 1 edges (for integer(k): 0..k). A reference to stored data: no copy.
    const std::vector<double>& edges() const noexcept { return edges_; }
    // Entries per in-range bin (weighted fills count entries here too).
    const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }
    std::uint64_t underflow() const noexcept { return underflow_; }
    std::uint64_t overflow() const noexcept { return overflow_; }
    std::uint64_t nan_count() const noexcept { return nan_; }
    // Sum of in-range counts.
    std::uint64_t total() const noexcept {
        std::uint64_t s = 0;
        for (std::uint64_t c : counts_) s += c;
        return s;
    }
    // True once a NaN was met under nan_policy::propagate (kept through += and bytes).
    bool nan_propagated() const noexcept { return nan_propagated_; }

    // True once a weighted fill happened (or a weighted histogram was merged in). From
    // then on unweighted fills count with weight 1 in the weight sums.
    bool weighted() const noexcept { return weighted_; }
    // Per in-range bin: sum of weights and sum of squared weights (empty when not weighted()).
    const std::vector<double>& sum_weights() const noexcept { return sum_w_; }
    const std::vector<double>& sum_weights_squared() const noexcept { return sum_w2_; }
    double underflow_weight() const noexcept { return flow_w_[0]; }
    double overflow_weight() const noexcept { return flow_w_[1]; }

    // Same kind and bit-identical edges: the condition for += and for comparing counts.
    bool same_binning(const histogram& other) const noexcept {
        if (kind_ != other.kind_ || bins_ != other.bins_) return false;
        return std::memcmp(edges_.data(), other.edges_.data(), edges_.size() * sizeof(double)) == 0;
    }

    // The same binning with every count zero (how quantile bins of a reference are reused).
    histogram empty_like() const {
        histogram h = *this;
        h.reset();
        return h;
    }

    // Zeroes every count, weight and the NaN mark; the binning stays.
    void reset() noexcept {
        std::fill(counts_.begin(), counts_.end(), 0);
        underflow_ = overflow_ = nan_ = 0;
        weighted_ = false;
        sum_w_.clear();
        sum_w2_.clear();
        flow_w_[0] = flow_w_[1] = flow_w2_[0] = flow_w2_[1] = 0.0;
        nan_propagated_ = false;
    }

    // Adds other's counts (and weights; an unweighted side counts with weight 1).
    // Throws std::invalid_argument when the binnings differ or a count would overflow
    // 64 bits; *this is unchanged then.
    histogram& operator+=(const histogram& other) {
        constexpr const char* fn = "histogram::operator+=";
        if (!same_binning(other)) {
            fail(fn, "histograms have different binnings (" + describe() + " vs " + other.describe() + ")");
        }
        auto add_ok = [](std::uint64_t a, std::uint64_t b) { return a + b >= a; };
        bool ok =
            add_ok(underflow_, other.underflow_) && add_ok(overflow_, other.overflow_) && add_ok(nan_, other.nan_);
        for (std::size_t i = 0; ok && i < bins_; ++i) ok = add_ok(counts_[i], other.counts_[i]);
        if (!ok) fail(fn, "a count would overflow 64 bits");
        if (other.weighted_ && !weighted_) make_weighted();
        for (std::size_t i = 0; i < bins_; ++i) {
            if (weighted_) {
                sum_w_[i] += other.weighted_ ? other.sum_w_[i] : static_cast<double>(other.counts_[i]);
                sum_w2_[i] += other.weighted_ ? other.sum_w2_[i] : static_cast<double>(other.counts_[i]);
            }
            counts_[i] += other.counts_[i];
        }
        if (weighted_) {
            flow_w_[0] += other.weighted_ ? other.flow_w_[0] : static_cast<double>(other.underflow_);
            flow_w_[1] += other.weighted_ ? other.flow_w_[1] : static_cast<double>(other.overflow_);
            flow_w2_[0] += other.weighted_ ? other.flow_w2_[0] : static_cast<double>(other.underflow_);
            flow_w2_[1] += other.weighted_ ? other.flow_w2_[1] : static_cast<double>(other.overflow_);
        }
        underflow_ += other.underflow_;
        overflow_ += other.overflow_;
        nan_ += other.nan_;
        nan_propagated_ = nan_propagated_ || other.nan_propagated_;
        return *this;
    }

    // Per in-range bin, count (or sum of weights when weighted()) divided by the total
    // chosen by `f` (see flow). All NaN when nan_propagated(). Throws
    // std::invalid_argument when that total is zero.
    std::vector<double> probabilities(flow f = flow::exclude) const {
        std::vector<double> p(bins_, std::numeric_limits<double>::quiet_NaN());
        if (nan_propagated_) return p;
        const double total = normaliser("histogram::probabilities", f);
        for (std::size_t i = 0; i < bins_; ++i) p[i] = mass(i) / total;
        return p;
    }

    // numpy.histogram(..., density=True): (mass_i / width_i) / total, so that the density
    // integrates to 1 over [lo, hi] (flow::exclude) or to the in-range fraction
    // (flow::include). A zero-width bin (repeated edge) gives inf or NaN, as in numpy.
    // All NaN when nan_propagated(); throws when the total is zero.
    std::vector<double> density(flow f = flow::exclude) const {
        std::vector<double> d(bins_, std::numeric_limits<double>::quiet_NaN());
        if (nan_propagated_) return d;
        const double total = normaliser("histogram::density", f);
        for (std::size_t i = 0; i < bins_; ++i) d[i] = mass(i) / (edges_[i + 1] - edges_[i]) / total;
        return d;
    }

    // The q-quantile (q in [0, 1]) of the in-range mass, taking it spread uniformly
    // within each bin: the smallest x at which the piecewise-linear CDF through the
    // edges reaches q. q = 0 gives the left edge of the first non-empty bin, q = 1 the
    // right edge of the last. NaN when nan_propagated(). Throws std::invalid_argument
    // for q outside [0, 1] and for a histogram with no in-range mass.
    double quantile(double q) const {
        constexpr const char* fn = "histogram::quantile";
        require_unit_interval(fn, "q", q);
        if (nan_propagated_) return std::numeric_limits<double>::quiet_NaN();
        const double total = normaliser(fn, flow::exclude);
        const double target = q * total;
        double before = 0.0;
        std::size_t last_nonempty = 0;
        for (std::size_t i = 0; i < bins_; ++i) {
            const double m = mass(i);
            if (m <= 0.0) continue;
            last_nonempty = i;
            if (before + m >= target) {
                const double frac = std::min(1.0, std::max(0.0, (target - before) / m));
                return edges_[i] + frac * (edges_[i + 1] - edges_[i]);
            }
            before += m;
        }
        return edges_[last_nonempty + 1];  // rounding left target just above the total
    }

    template <class Range>
    std::vector<double> quantiles(const Range& qs) const {
        std::vector<double> out;
        for (const auto q : as_view(qs)) out.push_back(quantile(static_cast<double>(q)));
        return out;
    }

    // Bytes (format version 1, little-endian) that deserialize() turns back into an
    // identical histogram on any platform: binning, counts, flows, NaN count, weights.
    std::vector<std::uint8_t> serialize() const {
        std::vector<std::uint8_t> out;
        out.reserve(64 + 8 * (edges_.size() + bins_ * (weighted_ ? 3 : 1)));
        for (char c : {'C', 'K', 'H', 'G'}) out.push_back(static_cast<std::uint8_t>(c));
        out.push_back(format_version);
        out.push_back(static_cast<std::uint8_t>(kind_));
        out.push_back(static_cast<std::uint8_t>((weighted_ ? 1 : 0) | (nan_propagated_ ? 2 : 0)));
        out.push_back(0);
        detail::histogram_put_u64(out, bins_);
        detail::histogram_put_f64(out, lo_);
        detail::histogram_put_f64(out, hi_);
        if (kind_ == kind::edges) {
            for (double e : edges_) detail::histogram_put_f64(out, e);
        }
        detail::histogram_put_u64(out, underflow_);
        detail::histogram_put_u64(out, overflow_);
        detail::histogram_put_u64(out, nan_);
        for (std::uint64_t c : counts_) detail::histogram_put_u64(out, c);
        if (weighted_) {
            for (double v : {flow_w_[0], flow_w_[1], flow_w2_[0], flow_w2_[1]}) detail::histogram_put_f64(out, v);
            for (double v : sum_w_) detail::histogram_put_f64(out, v);
            for (double v : sum_w2_) detail::histogram_put_f64(out, v);
        }
        return out;
    }

    // Inverse of serialize(). Throws std::invalid_argument for bytes that are not a
    // collapsekit histogram, a format version this build does not know, truncated or
    // trailing bytes, or a binning the factories reject; and for fields serialize() never
    // writes (a non-zero reserved byte, lo / hi that disagree with the binning, weight
    // sums that no fill can make, a NaN mark without NaN), so that any bytes that load
    // give a histogram whose invariants hold and which serialises back to the same bytes.
    // Nothing sized by the payload is allocated before the bytes are known to hold it.
    template <class Bytes>
    static histogram deserialize(const Bytes& bytes) {
        constexpr const char* fn = "histogram::deserialize";
        const auto b = as_view(bytes);
        using B = std::remove_cv_t<typename decltype(b)::value_type>;
        static_assert(sizeof(B) == 1 && std::is_integral_v<B>, "histogram::deserialize needs bytes");
        detail::histogram_reader in(reinterpret_cast<const std::uint8_t*>(b.data()), b.size());
        in.need(8);
        const char magic[4] = {static_cast<char>(in.u8()), static_cast<char>(in.u8()), static_cast<char>(in.u8()),
                               static_cast<char>(in.u8())};
        if (std::memcmp(magic, "CKHG", 4) != 0) fail(fn, "bytes are not a serialized collapsekit histogram");
        const std::uint8_t version = in.u8();
        if (version != format_version) {
            fail(fn, "bytes have format version " + std::to_string(version) + "; this build reads version " +
                         std::to_string(format_version));
        }
        const std::uint8_t k = in.u8();
        const std::uint8_t flags = in.u8();
        const std::uint8_t reserved = in.u8();
        if (k > 2 || flags > 3) fail(fn, "bytes hold an unknown binning kind or flags");
        if (reserved != 0) fail(fn, "bytes hold a non-zero reserved byte (offset 7)");
        const std::uint64_t bins = in.u64();
        const double lo = in.f64(), hi = in.f64();
        check_bins(fn, "bins", bins);
        // The bin count comes from the bytes: a forged one (one byte changed) would have the
        // factories below allocate up to 2^32 edges and counts, 64 GiB, for a payload of a
        // few hundred bytes. So the length is checked first; with bins <= 2^32 none of these
        // byte counts overflows 64 bits.
        const bool weighted = (flags & 1) != 0;
        const std::uint64_t edge_bytes = static_cast<kind>(k) == kind::edges ? 8 * (bins + 1) : 0;
        const std::uint64_t expect = 8 * (3 + bins * (weighted ? 3 : 1) + (weighted ? 4 : 0));
        if (in.remaining() < edge_bytes) {
            fail(fn, "bytes are truncated (" + std::to_string(b.size()) + " bytes, too few for the " +
                         std::to_string(bins + 1) + " edges of " + std::to_string(bins) + " bins)");
        }
        if (in.remaining() - edge_bytes != expect) {
            fail(fn, "bytes have the wrong length for " + std::to_string(bins) + " bins (" +
                         std::to_string(in.remaining() - edge_bytes) + " bytes after the binning, expected " +
                         std::to_string(expect) + ")");
        }
        histogram h = [&] {
            switch (static_cast<kind>(k)) {
                case kind::regular:
                    return regular(static_cast<std::size_t>(bins), lo, hi);
                case kind::integer:
                    return integer(static_cast<std::size_t>(bins));
                case kind::edges:
                    break;
            }
            std::vector<double> e(static_cast<std::size_t>(bins) + 1);
            for (double& v : e) v = in.f64();
            return with_edges(std::move(e));
        }();
        // serialize() writes the first and last edge as lo and hi; integer() and
        // with_edges() recompute them, so other values would not survive a round trip.
        if (!same_bits(h.lo_, lo) || !same_bits(h.hi_, hi)) {
            fail(fn, "lo and hi (" + detail::format_value(lo) + ", " + detail::format_value(hi) +
                         ") disagree with the binning's first and last edge (" + detail::format_value(h.lo_) + ", " +
                         detail::format_value(h.hi_) + ")");
        }
        h.underflow_ = in.u64();
        h.overflow_ = in.u64();
        h.nan_ = in.u64();
        for (std::uint64_t& c : h.counts_) c = in.u64();
        if (weighted) {
            h.make_weighted();
            h.flow_w_[0] = in.f64();
            h.flow_w_[1] = in.f64();
            h.flow_w2_[0] = in.f64();
            h.flow_w2_[1] = in.f64();
            for (double& v : h.sum_w_) v = in.f64();
            for (double& v : h.sum_w2_) v = in.f64();
            // A fill adds w to a slot's weight and w * w to its squared weight with every
            // entry it counts there (a merge adds whole slots): squared weights are >= 0 and
            // never NaN, and a slot without entries has both sums zero.
            auto check_slot = [&](const char* slot, std::uint64_t count, double w, double w2) {
                if (!(w2 >= 0.0)) {
                    fail(fn, std::string("the ") + slot + " has a negative or NaN sum of squared weights (" +
                                 detail::format_value(w2) + ")");
                }
                if (count == 0 && (w != 0.0 || w2 != 0.0)) {
                    fail(fn, std::string("the ") + slot + " has no entries but non-zero weight sums (" +
                                 detail::format_value(w) + ", " + detail::format_value(w2) + ")");
                }
            };
            check_slot("underflow", h.underflow_, h.flow_w_[0], h.flow_w2_[0]);
            check_slot("overflow", h.overflow_, h.flow_w_[1], h.flow_w2_[1]);
            for (std::size_t i = 0; i < h.bins_; ++i) {
                // The message is built only for a bad bin: the loop runs over every bin.
                if (!(h.sum_w2_[i] >= 0.0) || (h.counts_[i] == 0 && (h.sum_w_[i] != 0.0 || h.sum_w2_[i] != 0.0))) {
                    check_slot(("bin " + std::to_string(i)).c_str(), h.counts_[i], h.sum_w_[i], h.sum_w2_[i]);
                }
            }
        }
        h.nan_propagated_ = (flags & 2) != 0;
        // The NaN mark is set only while counting a NaN, so it never stands without one.
        if (h.nan_propagated_ && h.nan_ == 0) fail(fn, "bytes mark NaN as propagated but count no NaN");
        return h;
    }

    static constexpr std::uint8_t format_version = 1;

private:
    histogram(kind k, std::size_t bins) : kind_(k), bins_(bins), counts_(bins, 0) {}

    static void check_bins(const char* fn, const char* arg, std::uint64_t bins) {
        if (bins == 0) fail(fn, std::string(arg) + " must be at least 1 (got 0)");
        if (bins > max_bins) {
            fail(fn, std::string(arg) + " must be at most 2^32 (got " + std::to_string(bins) + ")");
        }
    }

    // Bit-for-bit equality (-0.0 differs from 0.0): what a byte-exact round trip needs.
    static bool same_bits(double a, double b) noexcept { return std::memcmp(&a, &b, sizeof a) == 0; }

    std::string describe() const {
        const char* names[] = {"regular", "edges", "integer"};
        return std::string(names[static_cast<int>(kind_)]) + ", " + std::to_string(bins_) + " bins over [" +
               detail::format_value(lo_) + ", " + detail::format_value(hi_) + "]";
    }

    template <class F>
    void visit_binning(F&& f) const {
        switch (kind_) {
            case kind::regular:
                f(simd::regular_binning{bins_, lo_, hi_, norm_, step_, edges_.data()});
                return;
            case kind::edges:
                f(simd::edges_binning{bins_, edges_.data()});
                return;
            case kind::integer:
                f(simd::integer_binning{bins_});
                return;
        }
    }

    template <class T>
    static void screen_nan_fill(view<const T> v, nan_policy policy) {
        screen_nans("histogram::fill", "x", v, policy);
    }

    // A fill much shorter than the number of bins adds value by value rather than
    // through an O(bins) scratch histogram.
    bool sparse(std::size_t n) const noexcept { return n < bins_ / 8; }

    // Values per chunk of a threaded fill: long enough that a chunk's own slots (zeroed,
    // then merged: 24 bytes a slot) cost little next to counting it. Fixed by the binning.
    std::size_t fill_chunk() const noexcept {
        return std::max(reduction_chunk, 64 * (bins_ + simd::histogram_extra_slots));
    }

    // One value in slot s (layout of simd/histogram_fill.hpp) with weight w; NaN
    // screening has already happened.
    void add_one(std::size_t s, double w, nan_policy policy) noexcept {
        if (s == bins_ + 2) {
            ++nan_;
            if (policy == nan_policy::propagate) nan_propagated_ = true;
            return;
        }
        if (s == 0) {
            ++underflow_;
        } else if (s == bins_ + 1) {
            ++overflow_;
        } else {
            ++counts_[s - 1];
        }
        if (!weighted_) return;
        const std::size_t k = s == 0 ? 0 : 1;
        if (s == 0 || s == bins_ + 1) {
            flow_w_[k] += w;
            flow_w2_[k] += w * w;
        } else {
            sum_w_[s - 1] += w;
            sum_w2_[s - 1] += w * w;
        }
    }

    void make_weighted() {
        if (weighted_) return;
        weighted_ = true;
        sum_w_.assign(bins_, 0.0);
        sum_w2_.assign(bins_, 0.0);
        for (std::size_t i = 0; i < bins_; ++i) sum_w_[i] = sum_w2_[i] = static_cast<double>(counts_[i]);
        flow_w_[0] = flow_w2_[0] = static_cast<double>(underflow_);
        flow_w_[1] = flow_w2_[1] = static_cast<double>(overflow_);
    }

    // Adds a fill's slot counts (and weight sums when given); runs only after NaN screening.
    void commit(const std::vector<std::uint64_t>& slots, const std::vector<double>* sw, const std::vector<double>* sw2,
                nan_policy policy) {
        if (sw != nullptr) make_weighted();
        for (std::size_t i = 0; i < bins_; ++i) counts_[i] += slots[i + 1];
        underflow_ += slots[0];
        overflow_ += slots[bins_ + 1];
        nan_ += slots[bins_ + 2];
        if (slots[bins_ + 2] != 0 && policy == nan_policy::propagate) nan_propagated_ = true;
        if (!weighted_) return;
        auto w = [&](std::size_t s) { return sw != nullptr ? (*sw)[s] : static_cast<double>(slots[s]); };
        auto w2 = [&](std::size_t s) { return sw2 != nullptr ? (*sw2)[s] : static_cast<double>(slots[s]); };
        for (std::size_t i = 0; i < bins_; ++i) {
            sum_w_[i] += w(i + 1);
            sum_w2_[i] += w2(i + 1);
        }
        flow_w_[0] += w(0);
        flow_w2_[0] += w2(0);
        flow_w_[1] += w(bins_ + 1);
        flow_w2_[1] += w2(bins_ + 1);
    }

    double mass(std::size_t i) const noexcept { return weighted_ ? sum_w_[i] : static_cast<double>(counts_[i]); }

    double normaliser(const char* fn, flow f) const {
        double total = 0.0;
        for (std::size_t i = 0; i < bins_; ++i) total += mass(i);
        if (f == flow::include) {
            total += weighted_ ? flow_w_[0] + flow_w_[1] : static_cast<double>(underflow_ + overflow_);
        }
        if (total == 0.0) fail(fn, "histogram has no mass to normalise (total is 0)");
        return total;
    }

    kind kind_;
    std::size_t bins_;
    double lo_ = 0.0, hi_ = 0.0, norm_ = 0.0, step_ = 0.0;
    std::vector<double> edges_;
    std::vector<std::uint64_t> counts_;
    std::uint64_t underflow_ = 0, overflow_ = 0, nan_ = 0;
    bool weighted_ = false;
    bool nan_propagated_ = false;
    std::vector<double> sum_w_, sum_w2_;
    double flow_w_[2] = {0.0, 0.0};   // underflow, overflow
    double flow_w2_[2] = {0.0, 0.0};  // their squared weights
};
// The [lo, hi] numpy.histogram(x, bins) uses when it is given no range: the smallest and
// largest value of x; (lo - 0.5, hi + 0.5) when they are equal; (0, 1) when x holds no
// value (empty, or only NaN under omit / propagate). One pass, SIMD for float and double.
// NaN follows `nan`: raise throws (naming the first NaN), omit and propagate leave NaN out
// of the range (a fill then drops or counts them). Errors (std::invalid_argument): an
// infinite value, since no finite edges hold it (numpy raises too).
template <class Range>
std::pair<double, double> numpy_histogram_range(const execution& ex, const Range& x,
                                                nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "numpy_histogram_range";
    const auto v = as_view(x);
    // Chunks' extremes and NaN flags combine exactly in any order.
    const auto parts = detail::chunked_map<simd::min_max_result>(
        ex, v.size(), reduction_chunk,
        [&](std::size_t b, std::size_t e) { return simd::min_max(v.data() + b, e - b); });
    simd::min_max_result r;
    for (const simd::min_max_result& p : parts) {
        r.min = std::min(r.min, p.min);
        r.max = std::max(r.max, p.max);
        r.has_nan = r.has_nan || p.has_nan;
    }
    if (r.has_nan && nan == nan_policy::raise) screen_nans(fn, "x", v, nan);  // throws, naming the index
    if (!(r.min <= r.max)) return {0.0, 1.0};
    if (std::isinf(r.min) || std::isinf(r.max)) {
        fail(fn, std::string("the autodetected range is not finite (x contains ") +
                     (std::isinf(r.max) ? "inf" : "-inf") + "); give the range explicitly");
    }
    if (r.min == r.max) return {r.min - 0.5, r.max + 0.5};
    return {r.min, r.max};
}
template <class Range>
std::pair<double, double> numpy_histogram_range(const Range& x, nan_policy nan = nan_policy::raise) {
    return numpy_histogram_range(sequential, x, nan);
}

}  // namespace collapsekit
