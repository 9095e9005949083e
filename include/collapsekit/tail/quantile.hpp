// Empirical quantiles of a reference sample: the thresholds that define its tails.
//
// Every tail measure compares a generated sample G with the alpha and 1 - alpha
// quantiles of a reference sample R. Which empirical quantile that is matters at
// alpha = 1e-4, so it is a named, documented choice (quantile_method), computed
// exactly as numpy.quantile computes it, and the thresholds come from a partial
// selection of R (std::nth_element on the needed order statistics), never a full sort.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/nan.hpp"
#include "../core/view.hpp"
#include "../sort.hpp"

namespace collapsekit {

// Which tail of the reference a measure looks at: below its alpha quantile (left),
// above its 1 - alpha quantile (right), or both together.
enum class tail_side { left, right, both };

// The empirical quantile Q(q) of n sorted values x_(0) <= ... <= x_(n-1):
//   linear       (numpy's default, Hyndman & Fan type 7): h = (n - 1) q, j = floor(h),
//                Q = x_(j) + (h - j) (x_(j+1) - x_(j)); Q = x_(n-1) when h >= n - 1.
//   inverted_cdf (Hyndman & Fan type 1): Q = x_(i) for the smallest i with (i + 1) / n >= q,
//                the left-continuous inverse of the empirical CDF. Weighted samples use
//                this one (the smallest x_(i) whose cumulative weight reaches q * W),
//                which is what numpy >= 2.0 does with weights.
enum class quantile_method { linear, inverted_cdf };

inline const char* to_string(tail_side s) noexcept {
    switch (s) {
        case tail_side::left:
            return "left";
        case tail_side::right:
            return "right";
        case tail_side::both:
            return "both";
    }
    return "unknown";
}

inline const char* to_string(quantile_method m) noexcept {
    switch (m) {
        case quantile_method::linear:
            return "linear";
        case quantile_method::inverted_cdf:
            return "inverted_cdf";
    }
    return "unknown";
}

// The reference's thresholds for one alpha: lower = Q(alpha), upper = Q(1 - alpha).
struct tail_threshold_pair {
    double lower = std::numeric_limits<double>::quiet_NaN();
    double upper = std::numeric_limits<double>::quiet_NaN();
};

namespace detail {

inline void check_tail_alpha(const char* function, double alpha) {
    if (!(alpha > 0.0 && alpha <= 0.5)) {
        fail(function, "alpha must lie in (0, 0.5] (got " + format_value(alpha) + ")");
    }
}

inline void check_tail_side(const char* function, tail_side side) {
    if (side != tail_side::left && side != tail_side::right && side != tail_side::both) {
        fail(function, "side must be tail_side::left, right or both");
    }
}

// Where quantile q of n >= 1 sorted values lies: between order statistics lo and hi
// with interpolation weight gamma (gamma = 0: exactly x_(lo)). Mirrors numpy 1.24's
// arithmetic so that thresholds agree with numpy.quantile to the last bit.
struct quantile_position {
    std::size_t lo = 0;
    std::size_t hi = 0;
    double gamma = 0.0;
};

inline quantile_position locate_quantile(std::size_t n, double q, quantile_method method) noexcept {
    const double last = static_cast<double>(n - 1);
    if (method == quantile_method::inverted_cdf) {
        const double index = static_cast<double>(n) * q - 1.0;
        const double previous = std::floor(index);
        double pick = (index - previous == 0.0) ? previous : previous + 1.0;
        pick = std::min(std::max(pick, 0.0), last);
        const auto i = static_cast<std::size_t>(pick);
        return {i, i, 0.0};
    }
    const double h = last * q;
    if (h >= last) return {n - 1, n - 1, 0.0};
    if (!(h > 0.0)) return {0, 0, 0.0};
    const double j = std::floor(h);
    const auto lo = static_cast<std::size_t>(j);
    return {lo, lo + 1, h - j};
}

// numpy's _lerp: interpolates from the nearer end, so that gamma near 1 loses no bits.
inline double quantile_lerp(double a, double b, double gamma) noexcept {
    if (gamma == 0.0) return a;
    const double d = b - a;
    return gamma >= 0.5 ? b - d * (1.0 - gamma) : a + d * gamma;
}

// Puts the order statistics named by `targets` (sorted, unique, < x.size()) in place:
// afterwards x[k] is the k-th smallest value for every target k. Each step runs
// nth_element for the target nearest the middle of the current range, so a range shrinks
// by about half whatever the targets' layout: about 2n comparisons-worth of work when the
// targets sit in the two extremes (as tail thresholds do), O(n log #targets) at worst.
inline void select_order_statistics(double* x, std::size_t lo, std::size_t hi, const std::size_t* tb,
                                    const std::size_t* te) {
    while (tb != te) {
        const std::size_t middle = lo + (hi - lo) / 2;
        const std::size_t* pick = std::lower_bound(tb, te, middle);
        if (pick == te || (pick != tb && middle - *(pick - 1) < *pick - middle)) --pick;
        std::nth_element(x + lo, x + *pick, x + hi);
        // Recurse on the side with fewer targets, loop on the other: depth <= log2(#targets).
        if (pick - tb < te - pick - 1) {
            select_order_statistics(x, lo, *pick, tb, pick);
            lo = *pick + 1;
            tb = pick + 1;
        } else {
            select_order_statistics(x, *pick + 1, hi, pick + 1, te);
            hi = *pick;
            te = pick;
        }
    }
}

// The order-preserving 64-bit key of a double (the radix sort's): unsigned order of keys
// = numeric order of the values; -0.0 sorts just before +0.0.
inline std::uint64_t ordered_key(double v) noexcept {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return to_ordered_key(b);
}

// The values of the order statistics `targets` (sorted, unique, each < n) of the finite
// values x[0..n); x may be reordered. Large inputs take one level of radix selection: a
// histogram of 4096 buckets over the used range of ordered keys (a logarithmic scale, so
// heavy tails spread too), then nth_element only inside the buckets that hold a target.
// Three branch-light passes replace nth_element's mispredicted comparisons on random data.
inline std::vector<double> order_statistics(double* x, std::size_t n, const std::vector<std::size_t>& targets) {
    std::vector<double> out(targets.size());
    constexpr std::size_t radix_min = 8192, buckets = 4096;
    constexpr auto none = static_cast<std::uint32_t>(-1);
    if (targets.empty()) return out;
    if (n < radix_min) {
        select_order_statistics(x, 0, n, targets.data(), targets.data() + targets.size());
        for (std::size_t t = 0; t < targets.size(); ++t) out[t] = x[targets[t]];
        return out;
    }
    std::uint64_t kmin = ~std::uint64_t{0}, kmax = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t k = ordered_key(x[i]);
        kmin = std::min(kmin, k);
        kmax = std::max(kmax, k);
    }
    int shift = 0;
    while (((kmax - kmin) >> shift) >= buckets) ++shift;
    // start[b] = how many values lie in buckets before b.
    std::vector<std::size_t> start(buckets + 1, 0);
    for (std::size_t i = 0; i < n; ++i) ++start[((ordered_key(x[i]) - kmin) >> shift) + 1];
    for (std::size_t b = 0; b < buckets; ++b) start[b + 1] += start[b];
    std::vector<std::uint32_t> slot(buckets, none);
    std::vector<std::size_t> needed, bucket_of(targets.size());
    for (std::size_t t = 0; t < targets.size(); ++t) {
        const auto b =
            static_cast<std::size_t>(std::upper_bound(start.begin(), start.end(), targets[t]) - start.begin()) - 1;
        bucket_of[t] = b;
        if (slot[b] == none) {
            slot[b] = static_cast<std::uint32_t>(needed.size());
            needed.push_back(b);
        }
    }
    std::vector<std::size_t> offset(needed.size() + 1, 0);
    for (std::size_t j = 0; j < needed.size(); ++j) offset[j + 1] = offset[j] + start[needed[j] + 1] - start[needed[j]];
    std::vector<double> gathered(offset.back());
    std::vector<std::size_t> fill(offset.begin(), offset.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t s = slot[(ordered_key(x[i]) - kmin) >> shift];
        if (s != none) gathered[fill[s]++] = x[i];
    }
    // Targets are sorted, so those of one bucket are adjacent; select them in place.
    std::vector<std::size_t> local(targets.size());
    for (std::size_t t = 0; t < targets.size();) {
        const std::size_t b = bucket_of[t], s = slot[b];
        std::size_t e = t;
        while (e < targets.size() && bucket_of[e] == b) {
            local[e] = targets[e] - start[b] + offset[s];
            ++e;
        }
        select_order_statistics(gathered.data(), offset[s], offset[s + 1], local.data() + t, local.data() + e);
        for (std::size_t j = t; j < e; ++j) out[j] = gathered[local[j]];
        t = e;
    }
    return out;
}

// The value of order statistic k from order_statistics' answer for `targets`.
inline double statistic_at(const std::vector<std::size_t>& targets, const std::vector<double>& values,
                           std::size_t k) noexcept {
    return values[static_cast<std::size_t>(std::lower_bound(targets.begin(), targets.end(), k) - targets.begin())];
}

// A finite double copy of a sample, NaN handled per policy. Returns false when the
// policy is propagate and a NaN was found (the caller then answers NaN).
template <class T>
bool finite_copy(const char* function, const char* arg, view<const T> x, nan_policy policy, std::vector<double>& out) {
    require_not_empty(function, arg, x.size());
    const nan_action action = screen_nans(function, arg, x, policy);
    if (action == nan_action::propagate) return false;
    out.clear();
    out.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto v = static_cast<double>(x[i]);
        if (std::isnan(v)) continue;  // only reached under omit
        if (std::isinf(v)) {
            fail(function, std::string(arg) + " holds an infinite value (at index " + std::to_string(i) + ")");
        }
        out.push_back(v);
    }
    if (out.empty()) fail(function, std::string(arg) + " has no values left after omitting NaN");
    return true;
}

// Quantiles qs of the values in x (x is reordered). Each q in [0, 1].
inline std::vector<double> select_quantiles(std::vector<double>& x, const std::vector<double>& qs,
                                            quantile_method method) {
    const std::size_t n = x.size();
    std::vector<quantile_position> pos(qs.size());
    std::vector<std::size_t> targets;
    targets.reserve(2 * qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) {
        pos[i] = locate_quantile(n, qs[i], method);
        targets.push_back(pos[i].lo);
        targets.push_back(pos[i].hi);
    }
    std::sort(targets.begin(), targets.end());
    targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
    const std::vector<double> values = order_statistics(x.data(), n, targets);
    std::vector<double> out(qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) {
        out[i] = quantile_lerp(statistic_at(targets, values, pos[i].lo), statistic_at(targets, values, pos[i].hi),
                               pos[i].gamma);
    }
    return out;
}

// Extreme quantiles of a large sample without copying or selecting all of it. A strided
// sample of 4096 values brackets the innermost wanted quantiles with a wide margin
// (5 binomial standard deviations plus 2 / 4096); one pass then keeps only the values
// below the lower bracket and above the upper one, and the order statistics are selected
// there. The bracket is checked against the true counts, so the answer is exactly that of
// select_quantiles on the full sample; when the check fails (an adversarial order, or
// quantiles near the middle) the full path runs instead. Returns false when it did not
// apply (then nothing is known about x beyond what it saw): the caller takes the full path.
template <class T>
bool bracketed_quantiles(view<const T> x, const std::vector<double>& qs, quantile_method method,
                         std::vector<double>& out) {
    constexpr std::size_t sample_size = 4096;
    const std::size_t n = x.size();
    if (n < 16 * sample_size) return false;
    double q_low = 0.0, q_high = 1.0;  // innermost wanted quantile on each side
    for (double q : qs) {
        if (q <= 0.5) {
            q_low = std::max(q_low, q);
        } else {
            q_high = std::min(q_high, q);
        }
    }
    const auto margin = [](double q) { return 5.0 * std::sqrt(q * (1.0 - q) / sample_size) + 2.0 / sample_size; };
    const double lo_q = q_low + margin(q_low), hi_q = q_high - margin(q_high);
    if (!(lo_q < hi_q)) return false;
    std::vector<double> sample(sample_size);
    for (std::size_t i = 0; i < sample_size; ++i) {
        sample[i] = static_cast<double>(x[i * (n / sample_size)]);
        if (!std::isfinite(sample[i])) return false;
    }
    std::sort(sample.begin(), sample.end());
    const auto at = [&](double q) {
        return sample[std::min(sample_size - 1, static_cast<std::size_t>(q * sample_size))];
    };
    const double b_lo = at(lo_q), b_hi = at(hi_q);
    if (!(b_lo < b_hi)) return false;
    // Branch-free split: every value is written to both buffers and kept where it belongs
    // (the tails are a random ~10-25 % of the data, which a branch would mispredict).
    std::vector<double> low, high;
    std::size_t nl = 0, nh = 0;
    bool any_nan = false;
    constexpr std::size_t block = 4096;
    for (std::size_t start = 0; start < n; start += block) {
        const std::size_t end = std::min(n, start + block);
        if (low.size() < nl + block) low.resize(std::max(2 * low.size(), nl + block));
        if (high.size() < nh + block) high.resize(std::max(2 * high.size(), nh + block));
        double* lp = low.data();
        double* hp = high.data();
        for (std::size_t i = start; i < end; ++i) {
            const auto v = static_cast<double>(x[i]);
            lp[nl] = v;
            hp[nh] = v;
            nl += v < b_lo ? 1u : 0u;
            nh += v > b_hi ? 1u : 0u;
            any_nan |= v != v;
        }
    }
    if (any_nan) return false;  // the caller screens NaN and handles it per policy
    low.resize(nl);
    high.resize(nh);
    // Non-finite values sit at the ends: let the full path report them.
    if ((!low.empty() && std::isinf(*std::min_element(low.begin(), low.end()))) ||
        (!high.empty() && std::isinf(*std::max_element(high.begin(), high.end())))) {
        return false;
    }
    // The |low| smallest values of x are exactly `low`, the |high| largest exactly `high`.
    const std::size_t first_high = n - high.size();
    std::vector<quantile_position> pos(qs.size());
    std::vector<std::size_t> low_targets, high_targets;
    for (std::size_t i = 0; i < qs.size(); ++i) {
        pos[i] = locate_quantile(n, qs[i], method);
        for (std::size_t k : {pos[i].lo, pos[i].hi}) {
            if (k < low.size()) {
                low_targets.push_back(k);
            } else if (k >= first_high) {
                high_targets.push_back(k - first_high);
            } else {
                return false;  // outside the bracket: the sample was unrepresentative
            }
        }
    }
    for (auto* t : {&low_targets, &high_targets}) {
        std::sort(t->begin(), t->end());
        t->erase(std::unique(t->begin(), t->end()), t->end());
    }
    const std::vector<double> low_values = order_statistics(low.data(), low.size(), low_targets);
    const std::vector<double> high_values = order_statistics(high.data(), high.size(), high_targets);
    const auto value = [&](std::size_t k) {
        return k < low.size() ? statistic_at(low_targets, low_values, k)
                              : statistic_at(high_targets, high_values, k - first_high);
    };
    out.resize(qs.size());
    for (std::size_t i = 0; i < qs.size(); ++i) {
        out[i] = quantile_lerp(value(pos[i].lo), value(pos[i].hi), pos[i].gamma);
    }
    return true;
}

// Quantiles qs of a sample (NaN per policy, infinite values rejected); false under
// propagate with a NaN present. Large NaN-free samples take the bracketed path.
template <class T>
bool sample_quantiles(const char* function, const char* arg, view<const T> x, nan_policy policy,
                      const std::vector<double>& qs, quantile_method method, std::vector<double>& out) {
    require_not_empty(function, arg, x.size());
    if (bracketed_quantiles(x, qs, method, out)) return true;
    std::vector<double> copy;
    if (!finite_copy(function, arg, x, policy, copy)) return false;
    out = select_quantiles(copy, qs, method);
    return true;
}

// A weighted sample sorted by value, with the running weight: the weighted empirical
// CDF. Values are finite (NaN per policy, with their weights); weights finite and >= 0
// with a positive total.
struct weighted_cdf {
    std::vector<double> values;      // ascending
    std::vector<double> weights;     // the weight of values[i]
    std::vector<double> cumulative;  // cumulative[i] = w_(0) + ... + w_(i)
    double total = 0.0;

    // inverted_cdf quantile: the smallest value whose cumulative weight reaches q * total.
    double quantile(double q) const noexcept {
        const double target = q * total;
        auto it = std::lower_bound(cumulative.begin(), cumulative.end(), target);
        if (it == cumulative.end()) --it;
        return values[static_cast<std::size_t>(it - cumulative.begin())];
    }
};

template <class T>
void check_weights(const char* function, const char* arg, view<const T> w) {
    for (std::size_t i = 0; i < w.size(); ++i) {
        const auto v = static_cast<double>(w[i]);
        if (!(v >= 0.0) || !std::isfinite(v)) {
            fail(function, std::string(arg) + " must be non-negative and finite (" + arg + "[" + std::to_string(i) +
                               "] = " + format_value(v) + ")");
        }
    }
}

// Returns false under propagate with a NaN value present.
template <class T, class W>
bool build_weighted_cdf(const execution& ex, const char* function, const char* arg, const char* warg, view<const T> x,
                        view<const W> w, nan_policy policy, weighted_cdf& out) {
    require_not_empty(function, arg, x.size());
    require_same_length(function, arg, x.size(), warg, w.size());
    check_weights(function, warg, w);
    if (screen_nans(function, arg, x, policy) == nan_action::propagate) return false;
    // (value, weight) items through the radix sort, as the weighted Wasserstein samples,
    // in the thread's sort workspace (fresh memory is faulted in on every call).
    using item = keyed<double, double>;
    workspace_lease lease;
    item* const items = lease.get<item>(0, x.size());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto v = static_cast<double>(x[i]);
        if (std::isnan(v)) continue;
        if (std::isinf(v)) {
            fail(function, std::string(arg) + " holds an infinite value (at index " + std::to_string(i) + ")");
        }
        items[kept++] = item{v, static_cast<double>(w[i])};
    }
    if (kept == 0) fail(function, std::string(arg) + " has no values left after omitting NaN");
    sort_scratch<item> scratch(lease.get<item>(2, kept), kept);
    const item* sorted = sort_items_with(ex, view<item>(items, kept), scratch);
    out.values.resize(kept);
    out.weights.resize(kept);
    out.cumulative.resize(kept);
    double running = 0.0;
    for (std::size_t i = 0; i < kept; ++i) {
        out.values[i] = sorted[i].value;
        out.weights[i] = sorted[i].payload;
        running += sorted[i].payload;
        out.cumulative[i] = running;
    }
    out.total = running;
    if (!(running > 0.0)) fail(function, std::string(warg) + " must not sum to zero");
    return true;
}
template <class T, class W>
bool build_weighted_cdf(const char* function, const char* arg, const char* warg, view<const T> x, view<const W> w,
                        nan_policy policy, weighted_cdf& out) {
    return build_weighted_cdf(sequential, function, arg, warg, x, w, policy, out);
}

}  // namespace detail

// The reference's tail thresholds for one alpha in (0, 0.5]: lower = Q(alpha),
// upper = Q(1 - alpha), with Q the empirical quantile named by `method`.
// Errors: alpha outside (0, 0.5], empty reference, NaN (per nan), infinite values.
// Under nan_policy::propagate a NaN gives NaN thresholds.
template <class R>
tail_threshold_pair tail_thresholds(const R& reference, double alpha, quantile_method method = quantile_method::linear,
                                    nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "tail_thresholds";
    detail::check_tail_alpha(fn, alpha);
    std::vector<double> q;
    if (!detail::sample_quantiles(fn, "reference", as_view(reference), nan, {alpha, 1.0 - alpha}, method, q)) return {};
    return {q[0], q[1]};
}

// The same for a weighted reference (inverted_cdf: the smallest value whose cumulative
// weight reaches alpha W, resp. (1 - alpha) W). Weights: same length, finite, >= 0,
// positive total; a NaN value drops its weight under omit.
// A leading execution sorts the (value, weight) pairs on up to that many threads; the
// thresholds are the same for any count.
template <class R, class RW>
tail_threshold_pair weighted_tail_thresholds(const execution& ex, const R& reference, const RW& reference_weights,
                                             double alpha, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "weighted_tail_thresholds";
    detail::check_tail_alpha(fn, alpha);
    detail::weighted_cdf cdf;
    if (!detail::build_weighted_cdf(ex, fn, "reference", "reference_weights", as_view(reference),
                                    as_view(reference_weights), nan, cdf)) {
        return {};
    }
    return {cdf.quantile(alpha), cdf.quantile(1.0 - alpha)};
}
template <class R, class RW, class = detail::not_execution_t<R>>
tail_threshold_pair weighted_tail_thresholds(const R& reference, const RW& reference_weights, double alpha,
                                             nan_policy nan = nan_policy::raise) {
    return weighted_tail_thresholds(sequential, reference, reference_weights, alpha, nan);
}

// Empirical quantiles of a sample at every q of qs (each in [0, 1]), in the order given:
// numpy.quantile(x, qs, method=...) for 'linear' (the default) and 'inverted_cdf'. The
// order statistics are selected, not sorted: O(n + k log n) for k quantiles. Values
// follow the tail measures' rules: an infinite value or an empty sample is an error
// (std::invalid_argument), NaN per `nan` (propagate gives every quantile NaN; omit drops
// them). A q outside [0, 1] (or NaN) is an error.
template <class R>
std::vector<double> quantile(const R& x, const std::vector<double>& qs,
                             quantile_method method = quantile_method::linear, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "quantile";
    for (double q : qs) {
        if (!(q >= 0.0 && q <= 1.0)) fail(fn, "every q must lie in [0, 1] (got " + detail::format_value(q) + ")");
    }
    std::vector<double> out;
    if (!detail::sample_quantiles(fn, "x", as_view(x), nan, qs, method, out)) {
        return std::vector<double>(qs.size(), std::numeric_limits<double>::quiet_NaN());
    }
    return out;
}

}  // namespace collapsekit
