// Discrete divergences and distances between two distributions on the same categories.
//
// Two input conventions, chosen by name:
//  - `f(p, q, ...)` takes probability vectors. Each must hold non-negative finite
//    entries summing to 1 within ck::probability_tolerance<T>() (1e-9 for double,
//    1e-5 for float); nothing is renormalised. scipy.stats.entropy renormalises
//    silently; use the _counts form for that behaviour.
//  - `f_counts(a, b, ...)` takes non-negative counts (any arithmetic type; weights need
//    not be whole numbers) and normalises each vector by its own total, after applying
//    the zero-support policy. The total is kept to about twice double precision and each
//    share correctly rounded, so proportional count vectors have bit-identical shares
//    (every divergence between them is exactly 0) and KL of counts is never negative;
//    a positive count keeps its place in the support even where its share lies below
//    the double range (the measures then read such shares from the counts).
// Zero support is an explicit ck::zero_support parameter (default none(): the
// mathematical answer, e.g. KL = +inf where p > 0 = q). Every information measure takes a
// ck::log_base (nats by default); hellinger, total_variation and the chi-squared
// measures are unitless and accept the base only for a uniform signature.
// NaN entries follow ck::nan_policy: raise (default), omit (drop position i from both
// vectors when p[i] or q[i] is NaN; the rest must still pass the checks above) or
// propagate (return NaN).
//
// Threads: every function of p and q (and of counts a and b) has an overload with a
// leading ck::execution (ck::threads(n), ck::all_threads; see core/parallel.hpp). The
// passes over the vectors run in fixed chunks of ck::reduction_chunk entries whose
// partial sums (compensated) are merged in chunk order, so the answer is bit-identical
// for every thread count; the overload without an execution is the one-thread case. The
// copies made where inputs must be converted, smoothed or cleaned of NaN run on the
// calling thread; the measure itself is threaded on every path.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "core/nan.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/view.hpp"
#include "histogram.hpp"
#include "simd/divergence_kernels.hpp"
#include "simd/entropy_kernels.hpp"
#include "simd/sum.hpp"

namespace collapsekit {

// |sum(p) - 1| allowed for a probability vector with elements of type T.
template <class T>
constexpr double probability_tolerance() noexcept {
    return sizeof(T) >= sizeof(double) ? 1e-9 : 1e-5;
}

// What a divergence does where one distribution has mass and the other has none.
//  none()          the mathematical answer (KL, cross-entropy, chi-squared, PSI, Renyi:
//                  +inf where the formula divides by or takes the log of a zero).
//  additive(alpha) add alpha > 0 to every entry of both vectors, then normalise each
//                  by its new total: (c_i + alpha) / (N + k alpha). On counts this is
//                  Lidstone smoothing (the posterior mean under a symmetric Dirichlet(alpha)
//                  prior); jeffreys() is alpha = 1/2, laplace() alpha = 1. On probability
//                  vectors alpha is in probability units: (p_i + alpha) / (1 + k alpha).
//  skew(alpha)     Lee's alpha-skew (Lee 1999, 2001): q is replaced by alpha q + (1 - alpha) p,
//                  0 < alpha < 1 (typically 0.99); p is kept. Finite wherever p is.
class zero_support {
public:
    enum class kind { none, additive, skew };

    static constexpr zero_support none() noexcept { return zero_support(kind::none, 0.0); }
    // Throws std::invalid_argument unless alpha is positive and finite.
    static zero_support additive(double alpha) {
        require_positive("zero_support::additive", "alpha", alpha);
        return zero_support(kind::additive, alpha);
    }
    static zero_support jeffreys() { return additive(0.5); }
    static zero_support laplace() { return additive(1.0); }
    // Throws std::invalid_argument unless 0 < alpha < 1.
    static zero_support skew(double alpha) {
        if (!(alpha > 0.0 && alpha < 1.0)) {
            fail("zero_support::skew", "alpha must lie in (0, 1) (got " + detail::format_value(alpha) + ")");
        }
        return zero_support(kind::skew, alpha);
    }

    constexpr zero_support() noexcept = default;
    constexpr kind type() const noexcept { return kind_; }
    constexpr double alpha() const noexcept { return alpha_; }
    constexpr bool is_none() const noexcept { return kind_ == kind::none; }

private:
    constexpr zero_support(kind k, double a) noexcept : kind_(k), alpha_(a) {}
    kind kind_ = kind::none;
    double alpha_ = 0.0;
};

namespace detail {

enum class input_kind { probabilities, counts };
enum class measure_id {
    kl,
    cross_entropy,
    js,
    js_distance,
    hellinger,
    bhattacharyya,
    total_variation,
    chi2_pearson,
    chi2_neyman,
    psi,
    renyi
};

// Whether a measure is an information quantity, in the unit of the base (the others are
// unitless and ignore it).
inline bool has_unit(measure_id m) noexcept {
    return m != measure_id::hellinger && m != measure_id::total_variation && m != measure_id::chi2_pearson &&
           m != measure_id::chi2_neyman;
}

// ---------------------------------------------------------------------------------------
// Normalising counts.
//
// A count vector a is normalised by its total A = sum a_i, taken as an unevaluated pair
// hi + lo (the compensated sum to about twice double precision), each share a_i / A
// correctly rounded (but in near-ties): so proportional count vectors (a = c b, whatever
// c) give bit-identical shares and their divergences are exactly 0, and a vector summing
// to a power of two normalises exactly. A positive count whose share falls below the
// normal range (a subnormal share, or one that underflows to 0) marks the pair as
// extreme: the measures whose value depends on such a share (KL, cross-entropy, PSI, the
// chi-squared divergences, Renyi, Bhattacharyya) then read it through logs computed from
// the counts and the exact totals (count_log_ratio), so that support, and the value, are
// those of the given counts.

// A checked total: the compensated sum (value hi, residual lo) and the smallest positive
// entry (+inf if none).
struct exact_total {
    double hi = 0, lo = 0;
    double min_positive = std::numeric_limits<double>::infinity();
};

// One chunk's share of an exact_total.
struct total_partial {
    compensated_sum sum;
    double min_positive = std::numeric_limits<double>::infinity();
};

inline exact_total merge_totals(const std::vector<total_partial>& parts) {
    compensated_sum total;
    exact_total r;
    if (parts.size() == 1) {
        total = parts[0].sum;
    } else {
        for (const total_partial& p : parts) total += p.sum;
    }
    for (const total_partial& p : parts) r.min_positive = std::min(r.min_positive, p.min_positive);
    r.hi = total.value();
    r.lo = total.residual();
    return r;
}

// The exact_total of one chunk of double counts, unchecked (the hot path: a NaN or infinite
// entry makes it non-finite and a negative one shows in the kernel's minimum): 32
// independent TwoSum chains, so that the additions do not wait on each other (the
// compiler turns them into a few vector accumulators).
inline total_partial total_chunk(const double* x, std::size_t n) noexcept {
    constexpr std::size_t lanes = 32;
    double s[lanes] = {}, c[lanes] = {};
    double low[lanes];
    for (double& v : low) v = std::numeric_limits<double>::infinity();
    const std::size_t blocks_end = n - n % lanes;  // bounds first: see simd::sum_plain_simd
    std::size_t i = 0;
    for (; i < blocks_end; i += lanes) {
        for (std::size_t k = 0; k < lanes; ++k) {
            const double v = x[i + k];
            const double t = s[k] + v;
            c[k] += two_sum_error(s[k], v, t);
            s[k] = t;
            low[k] = v > 0.0 && v < low[k] ? v : low[k];
        }
    }
    total_partial r;
    for (double v : s) r.sum.add(v);
    for (double v : c) r.sum.add(v);
    for (double v : low) r.min_positive = std::min(r.min_positive, v);
    for (; i < n; ++i) {
        r.sum.add(x[i]);
        if (x[i] > 0.0) r.min_positive = std::min(r.min_positive, x[i]);
    }
    return r;
}

inline exact_total fast_total(const execution& ex, const double* x, std::size_t n) {
    return merge_totals(chunked_map<total_partial>(
        ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) { return total_chunk(x + b, e - b); }));
}

// Divides entries by an exact total: x -> x / (hi + lo), correctly rounded but in
// near-ties. Entries and total are first scaled by powers of two (exact) so that hi lies
// in [1/2, 1); the quotient's residual x - q (hi + lo) is exact up to q lo (TwoProduct),
// and corrects the quotient. With lo = 0 the result is x / hi, the plain quotient.
class share_divisor {
public:
    explicit share_divisor(const exact_total& t) noexcept {
        double h = t.hi, l = t.lo;
        if (h < 0x1.0p-900) {  // a tiny total: lift it first, as 2^-e below could overflow
            pre_ = 0x1.0p600;
            h *= pre_;
            l *= pre_;
        }
        int e = 0;
        std::frexp(h, &e);
        scale_ = std::ldexp(1.0, -e);
        hi_ = h * scale_;
        lo_ = l * scale_;
        inv_ = 1.0 / hi_;
    }
    double operator()(double x) const noexcept { return share(x, pre_, scale_, hi_, lo_, inv_); }
    // out[i] = (*this)(x[i]) for i < n (out and x do not overlap): in blocks of eight with
    // the constants in registers, a loop compilers vectorise without alias checks.
    void fill(const double* __restrict x, double* __restrict out, std::size_t n) const noexcept {
        const double pre = pre_, scale = scale_, hi = hi_, lo = lo_, inv = inv_;
        const std::size_t blocks_end = n - n % 8;  // bounds first: see simd::sum_plain_simd
        std::size_t i = 0;
        for (; i < blocks_end; i += 8) {
            for (std::size_t k = 0; k < 8; ++k) out[i + k] = share(x[i + k], pre, scale, hi, lo, inv);
        }
        for (; i < n; ++i) out[i] = share(x[i], pre, scale, hi, lo, inv);
    }

private:
    // No division: q = x (1 / hi) is within an ulp or two of the quotient, x - q hi is exact
    // (Sterbenz, TwoProduct), and one correction step with that residual (lo entering it)
    // rounds the quotient correctly, as the FMA division algorithms do.
    static double share(double x, double pre, double scale, double hi, double lo, double inv) noexcept {
        const double xs = x * pre * scale;
        const double q = xs * inv;
        const double prod = q * hi;
        const double residual = (xs - prod) - two_product_error(q, hi, prod) - q * lo;
        return q + residual * inv;
    }

    double pre_ = 1.0, scale_ = 1.0, hi_ = 1.0, lo_ = 0.0, inv_ = 1.0;
};

// Whether the smallest positive entry's share is below the normal range (see above).
inline bool extreme_shares(const exact_total& t, const share_divisor& d) noexcept {
    return t.min_positive < std::numeric_limits<double>::infinity() &&
           d(t.min_positive) < std::numeric_limits<double>::min();
}

// log((x / X) / (y / Y)) for positive x, y and totals X, Y (x <= X, y <= Y), from x Y and
// y X as exact products (TwoProduct) of the totals' leading doubles: accurate where the
// shares themselves are not representable (below the double range), and within a few ulp
// of 1 where the ratio is close to 1. Each factor is brought to [2^249, 2^250) first, so
// that neither product over- or underflows.
inline double count_log_ratio(double x, const exact_total& xt, double y, const exact_total& yt) noexcept {
    constexpr int lift = 250;
    int ex = 0, ey = 0, exh = 0, eyh = 0;
    const double mx = std::ldexp(std::frexp(x, &ex), lift), my = std::ldexp(std::frexp(y, &ey), lift);
    const double mxh = std::ldexp(std::frexp(xt.hi, &exh), lift), myh = std::ldexp(std::frexp(yt.hi, &eyh), lift);
    // N = x Y and D = y X, as (hi, lo) pairs times 2^(exponent).
    const double nh = mx * myh, nl = two_product_error(mx, myh, nh);
    const double dh = my * mxh, dl = two_product_error(my, mxh, dh);
    const int e = (ex + eyh) - (ey + exh);
    constexpr double ln2 = 0.693147180559945309417232121458176568;
    if (e >= -2 && e <= 2) {
        const double nh2 = std::ldexp(nh, e), nl2 = std::ldexp(nl, e);
        if (nh2 >= dh / 2 && nh2 <= dh + dh) return std::log1p(((nh2 - dh) + (nl2 - dl)) / dh);
        return std::log(nh2 / dh) + (nl2 / nh2 - dl / dh);
    }
    return std::log(nh / dh) + static_cast<double>(e) * ln2 + (nl / nh - dl / dh);
}

// The log of a count's share, log(x / X), accurate for any magnitudes.
inline double count_log_share(double x, const exact_total& xt) noexcept {
    exact_total one;
    one.hi = 1.0;
    return count_log_ratio(x, xt, 1.0, one);
}

// ---------------------------------------------------------------------------------------
// Preparing the inputs.

// Two validated vectors in double: normalised (or smoothed) shares, or, where the caller
// asked for them (raw_counts), the counts themselves with their exact totals, which the
// measures normalise on the fly.
struct prepared_pair {
    view<const double> p, q;
    std::vector<double> pbuf, qbuf;
    bool is_nan = false;  // a NaN met under nan_policy::propagate
    bool raw = false;     // p and q are counts with totals tp, tq
    exact_total tp, tq;
};

// Checks that every entry is non-negative and finite and returns their compensated sum
// (and smallest positive entry), in fixed chunks merged in chunk order (a chunk throws at
// its first bad entry; the lowest chunk's error is the one reported, so the message names
// the first bad entry). hi is the value chunked_compensated would give.
template <class T>
exact_total checked_total(const execution& ex, const char* fn, const char* arg, view<const T> x, bool counts) {
    return merge_totals(chunked_map<total_partial>(ex, x.size(), reduction_chunk, [&](std::size_t b, std::size_t e) {
        total_partial r;
        for (std::size_t i = b; i < e; ++i) {
            const auto v = static_cast<double>(x[i]);
            if (!(v >= 0.0) || !std::isfinite(v)) {
                fail(fn, std::string(arg) +
                             (counts ? " must hold non-negative finite counts ("
                                     : " must hold non-negative finite probabilities (") +
                             arg + "[" + std::to_string(i) + "] = " + format_value(v) + ")");
            }
            r.sum.add(v);
            if (v > 0.0) r.min_positive = std::min(r.min_positive, v);
        }
        return r;
    }));
}

inline void check_sum_to_one(const char* fn, const char* arg, double sum, double tol) {
    if (!(std::abs(sum - 1.0) <= tol)) {
        fail(fn, std::string(arg) + " must sum to 1 within " + format_value(tol) + " (sum is " + format_value(sum) +
                     "); pass counts to the _counts form to normalise");
    }
}

inline void check_count_total(const char* fn, const char* arg, double total) {
    if (!(total > 0.0)) fail(fn, std::string(arg) + " counts sum to zero; nothing to normalise");
    if (!std::isfinite(total)) fail(fn, std::string(arg) + " counts sum to infinity");
}

// Copies x into a double vector, dropping the positions listed as dropped.
template <class T>
std::vector<double> to_double(view<const T> x, const std::vector<char>* drop) {
    std::vector<double> out;
    out.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (drop == nullptr || !(*drop)[i]) out.push_back(static_cast<double>(x[i]));
    }
    return out;
}

// Applies f to every entry of x in place, in chunks on the execution's threads.
template <class F>
void transform_chunked(const execution& ex, std::vector<double>& x, F&& f) {
    parallel_for(ex, chunk_count(x.size(), reduction_chunk), [&](std::size_t c) {
        const std::size_t e = std::min(x.size(), (c + 1) * reduction_chunk);
        for (std::size_t i = c * reduction_chunk; i < e; ++i) x[i] = f(x[i]);
    });
}

// Normalises one vector, whose checked total is `total`, in place under the policy:
// additive smoothing (x + alpha) / (total + k alpha) for either kind; counts by their
// exact total (share_divisor); probabilities are only checked.
inline void normalise(const execution& ex, const char* fn, const char* arg, std::vector<double>& x,
                      const exact_total& total, input_kind kind, double tol, const zero_support& zs) {
    if (kind == input_kind::probabilities) check_sum_to_one(fn, arg, total.hi, tol);
    if (zs.type() == zero_support::kind::additive) {
        const double add = zs.alpha();
        const double denom = total.hi + add * static_cast<double>(x.size());
        transform_chunked(ex, x, [add, denom](double v) { return (v + add) / denom; });
    } else if (kind == input_kind::counts) {
        check_count_total(fn, arg, total.hi);
        const share_divisor share(total);
        transform_chunked(ex, x, share);
    }
}

// Screens, validates and normalises (p, q) into double vectors. Double probability
// vectors that need no smoothing and hold no NaN to omit are checked in place, not copied.
// With raw_counts, counts under none() are left as counts (copies) with their totals.
template <class T, class U>
prepared_pair prepare(const execution& ex, const char* fn, view<const T> p, view<const U> q, input_kind kind,
                      const zero_support& zs, nan_policy nan, bool raw_counts = false) {
    // Messages name the arguments as the public functions do: p and q, or a and b for the
    // _counts forms.
    const bool counts = kind == input_kind::counts;
    const char* const name_p = counts ? "a" : "p";
    const char* const name_q = counts ? "b" : "q";
    require_same_length(fn, name_p, p.size(), name_q, q.size());
    require_not_empty(fn, name_p, p.size());
    prepared_pair r;
    const nan_action ap = screen_nans(fn, name_p, p, nan);
    const nan_action aq = screen_nans(fn, name_q, q, nan);
    if (ap == nan_action::propagate || aq == nan_action::propagate) {
        r.is_nan = true;
        return r;
    }
    const bool omit = ap == nan_action::omit || aq == nan_action::omit;
    if constexpr (std::is_same_v<T, double> && std::is_same_v<U, double>) {
        if (!omit && !counts && zs.is_none()) {
            const double tp = checked_total(ex, fn, "p", p, false).hi;
            const double tq = checked_total(ex, fn, "q", q, false).hi;
            check_sum_to_one(fn, "p", tp, probability_tolerance<T>());
            check_sum_to_one(fn, "q", tq, probability_tolerance<U>());
            r.p = p;
            r.q = q;
            return r;
        }
    }
    std::vector<char> drop;
    if (omit) {
        drop.assign(p.size(), 0);
        for (std::size_t i = 0; i < p.size(); ++i) drop[i] = is_nan_value(p[i]) || is_nan_value(q[i]);
    }
    r.pbuf = to_double(p, omit ? &drop : nullptr);
    r.qbuf = to_double(q, omit ? &drop : nullptr);
    require(!r.pbuf.empty(), fn, std::string(name_p) + " and " + name_q + " hold no position without NaN");
    r.tp = checked_total(ex, fn, name_p, view<const double>(r.pbuf.data(), r.pbuf.size()), counts);
    r.tq = checked_total(ex, fn, name_q, view<const double>(r.qbuf.data(), r.qbuf.size()), counts);
    if (counts && zs.is_none() && raw_counts) {
        check_count_total(fn, name_p, r.tp.hi);
        check_count_total(fn, name_q, r.tq.hi);
        r.raw = true;
    } else {
        normalise(ex, fn, name_p, r.pbuf, r.tp, kind, probability_tolerance<T>(), zs);
        normalise(ex, fn, name_q, r.qbuf, r.tq, kind, probability_tolerance<U>(), zs);
        if (zs.type() == zero_support::kind::skew) {
            const double a = zs.alpha();
            for (std::size_t i = 0; i < r.qbuf.size(); ++i) r.qbuf[i] = a * r.qbuf[i] + (1.0 - a) * r.pbuf[i];
        }
    }
    r.p = view<const double>(r.pbuf.data(), r.pbuf.size());
    r.q = view<const double>(r.qbuf.data(), r.qbuf.size());
    return r;
}

// ---------------------------------------------------------------------------------------
// The kernel measures (KL, JS, Hellinger, total variation).

inline bool kernel_measure(measure_id m) noexcept {
    return m == measure_id::kl || m == measure_id::js || m == measure_id::js_distance || m == measure_id::hellinger ||
           m == measure_id::total_variation;
}

template <class T>
simd::pair_pass run_kernel(measure_id m, const T* p, const T* q, std::size_t n) noexcept {
    switch (m) {
        case measure_id::kl:
            return simd::kl_sum(p, q, n);
        case measure_id::js:
        case measure_id::js_distance:
            return simd::js_sum(p, q, n);
        case measure_id::hellinger:
            return simd::hellinger_sum(p, q, n);
        default:
            return simd::tv_sum(p, q, n);
    }
}

// Merges kernel passes over consecutive pieces, in order: the values' partial sums with
// compensation, the plain sums added, the minimum and the p > 0 = q flag combined (both
// exact). One piece is that piece's pass.
inline simd::pair_pass merge_passes(const std::vector<simd::pair_pass>& parts) {
    if (parts.size() == 1) return parts[0];
    simd::pair_pass r;
    compensated_sum value;
    for (const simd::pair_pass& c : parts) {
        value.add(c.value);
        r.sum_p += c.sum_p;
        r.sum_q += c.sum_q;
        r.min = std::min(r.min, c.min);
        r.p_without_q = r.p_without_q || c.p_without_q;
    }
    r.value = value.value();
    return r;
}

// The kernel pass in fixed chunks, merged in chunk order.
template <class T>
simd::pair_pass run_kernel(const execution& ex, measure_id m, const T* p, const T* q, std::size_t n) {
    if (n <= reduction_chunk) return run_kernel(m, p, q, n);
    return merge_passes(chunked_map<simd::pair_pass>(
        ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) { return run_kernel(m, p + b, q + b, e - b); }));
}

// The kernel pass over the shares of two count vectors (share_divisor), computed block by
// block into a small buffer that stays in cache: no normalised copies of the vectors.
inline constexpr std::size_t share_block = 2048;

inline simd::pair_pass kernel_on_shares_chunk(measure_id m, const double* a, const double* b, std::size_t n,
                                              const share_divisor& da, const share_divisor& db) {
    alignas(64) double sp[share_block];
    alignas(64) double sq[share_block];
    std::vector<simd::pair_pass> parts;
    parts.reserve((n + share_block - 1) / share_block);
    for (std::size_t s = 0; s < n; s += share_block) {
        const std::size_t len = std::min(share_block, n - s);
        da.fill(a + s, sp, len);
        db.fill(b + s, sq, len);
        parts.push_back(run_kernel(m, sp, sq, len));
    }
    return merge_passes(parts);
}

inline simd::pair_pass run_kernel_on_shares(const execution& ex, measure_id m, const double* a, const double* b,
                                            std::size_t n, const share_divisor& da, const share_divisor& db) {
    if (n <= reduction_chunk) return kernel_on_shares_chunk(m, a, b, n, da, db);
    return merge_passes(chunked_map<simd::pair_pass>(ex, n, reduction_chunk, [&](std::size_t s, std::size_t e) {
        return kernel_on_shares_chunk(m, a + s, b + s, e - s, da, db);
    }));
}

// The measure from a kernel pass over valid inputs, in nats (or unitless). On normalised
// counts (`shares`) KL is >= 0 (Gibbs' inequality), so a sum rounded below 0 is returned
// as 0; probability vectors are taken as given (within their tolerance of summing to 1).
inline double finish_kernel(measure_id m, const simd::pair_pass& r, bool shares) noexcept {
    switch (m) {
        case measure_id::kl:
            if (r.p_without_q) return std::numeric_limits<double>::infinity();
            return shares ? std::max(0.0, r.value) : r.value;
        case measure_id::js:
        case measure_id::js_distance:
            // Each element's term is >= 0 in exact arithmetic; rounding can leave the sum a
            // few ulp below 0 when p ~ q, and that is clamped to 0.
            return std::max(0.0, 0.5 * r.value);
        case measure_id::hellinger:
            return std::sqrt(std::min(1.0, std::max(0.0, 0.5 * r.value)));
        default:
            return std::min(1.0, std::max(0.0, 0.5 * r.value));
    }
}

// ---------------------------------------------------------------------------------------
// The scalar measures, on either of two sources of (p_i, q_i).

// Probability vectors as given.
struct probability_source {
    view<const double> p, q;
    bool extended() const noexcept { return false; }
    double p_at(std::size_t i) const noexcept { return p[i]; }
    double q_at(std::size_t i) const noexcept { return q[i]; }
    bool p_pos(std::size_t i) const noexcept { return p[i] > 0.0; }
    bool q_pos(std::size_t i) const noexcept { return q[i] > 0.0; }
    double log_p(std::size_t i) const noexcept { return std::log(p[i]); }
    double log_q(std::size_t i) const noexcept { return std::log(q[i]); }
    double log_ratio(std::size_t i) const noexcept { return ::collapsekit::log_ratio(p[i], q[i]); }
};

// Counts, normalised on the fly (share_divisor). Where the pair is extreme (see above),
// positivity is read from the counts and the logs from count_log_ratio.
struct count_source {
    view<const double> a, b;
    exact_total ta, tb;
    share_divisor da, db;
    bool extreme;
    bool extended() const noexcept { return extreme; }
    double p_at(std::size_t i) const noexcept { return da(a[i]); }
    double q_at(std::size_t i) const noexcept { return db(b[i]); }
    bool p_pos(std::size_t i) const noexcept { return a[i] > 0.0; }
    bool q_pos(std::size_t i) const noexcept { return b[i] > 0.0; }
    double log_p(std::size_t i) const noexcept { return extreme ? count_log_share(a[i], ta) : std::log(p_at(i)); }
    double log_q(std::size_t i) const noexcept { return extreme ? count_log_share(b[i], tb) : std::log(q_at(i)); }
    double log_ratio(std::size_t i) const noexcept {
        return extreme ? count_log_ratio(a[i], ta, b[i], tb) : ::collapsekit::log_ratio(p_at(i), q_at(i));
    }
};

// A chunk's share of a scalar measure: its compensated sum of terms, or that it met a
// term that makes the measure +inf.
struct measure_partial {
    compensated_sum sum;
    bool infinite = false;
};

// sum_i term(i, infinite) over [0, n) in fixed chunks, merged in chunk order; +inf as soon
// as a term sets `infinite` (a chunk stops there).
template <class Term>
double sum_terms(const execution& ex, std::size_t n, Term&& term) {
    const std::vector<measure_partial> parts =
        chunked_map<measure_partial>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
            measure_partial r;
            for (std::size_t i = b; i < e && !r.infinite; ++i) r.sum.add(term(i, r.infinite));
            return r;
        });
    for (const measure_partial& c : parts) {
        if (c.infinite) return std::numeric_limits<double>::infinity();
    }
    if (parts.size() == 1) return parts[0].sum.value();
    compensated_sum total;
    for (const measure_partial& c : parts) total += c.sum;
    return total.value();
}

// sum_i x(i) - 1 exactly, rounded once at the end: the running sum is a list of
// non-overlapping doubles, smallest first, grown by TwoSum (Shewchuk's expansion
// arithmetic, zero components dropped), so no addend is lost however small it is next to
// the others. Sequential; for the rare calls that need an exact sum.
template <class X>
double exact_sum_minus_one(std::size_t n, X&& x) {
    std::vector<double> e{-1.0}, next;
    for (std::size_t i = 0; i < n; ++i) {
        double q = x(i);
        if (q == 0.0) continue;
        next.clear();
        for (double c : e) {
            const double sum = q + c;
            const double err = two_sum_error(q, c, sum);
            if (err != 0.0) next.push_back(err);
            q = sum;
        }
        if (q != 0.0 || next.empty()) next.push_back(q);
        e.swap(next);
    }
    double r = 0.0;
    for (double c : e) r += c;
    return r;
}

// The Bhattacharyya distance -log BC, BC = sum_i sqrt(p_i q_i). Where BC is small that is
// what is computed. Where BC is near 1 (nearly equal distributions, the usual case for
// drift) -log BC cancels; there BC - 1 = (sum p - 1)/2 + (sum q - 1)/2 - H2 / 2 exactly,
// H2 = sum (sqrt p - sqrt q)^2 with each difference taken as (p - q) / (sqrt p + sqrt q)
// (no cancellation), the sums of p and q compensated (and exact where the result is
// within the compensated sums' error): -log1p(BC - 1) keeps the digits (B(p, p) = 0
// exactly for p summing to 1 exactly, B ~ eps^2 / 8 for q a relative eps away).
struct bhattacharyya_partial {
    compensated_sum bc, h2, sp, sq;
};

template <class Source>
double bhattacharyya_nats(const execution& ex, const Source& s, std::size_t n) {
    const std::vector<bhattacharyya_partial> parts =
        chunked_map<bhattacharyya_partial>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
            bhattacharyya_partial r;
            for (std::size_t i = b; i < e; ++i) {
                const double p = s.p_at(i), q = s.q_at(i);
                r.sp.add(p);
                r.sq.add(q);
                if (!s.p_pos(i) && !s.q_pos(i)) continue;
                const double rp = std::sqrt(p), rq = std::sqrt(q);
                const double d = (p - q) / (rp + rq);
                if (rp + rq > 0.0) r.h2.add(d * d);
                if (s.p_pos(i) && s.q_pos(i)) {
                    const bool normal =
                        p >= std::numeric_limits<double>::min() && q >= std::numeric_limits<double>::min();
                    r.bc.add(normal || !s.extended() ? rp * rq : std::exp(0.5 * (s.log_p(i) + s.log_q(i))));
                }
            }
            return r;
        });
    bhattacharyya_partial t;
    for (const bhattacharyya_partial& c : parts) {
        t.bc += c.bc;
        t.h2 += c.h2;
        t.sp += c.sp;
        t.sq += c.sq;
    }
    const double bc = parts.size() == 1 ? parts[0].bc.value() : t.bc.value();
    if (!(bc >= 0.5)) return -std::log(bc);
    const compensated_sum& sp = parts.size() == 1 ? parts[0].sp : t.sp;
    const compensated_sum& sq = parts.size() == 1 ? parts[0].sq : t.sq;
    const double h2 = parts.size() == 1 ? parts[0].h2.value() : t.h2.value();
    // sum - 1 from the compensated total: (hi - 1) is exact (Sterbenz) for hi in [1/2, 2].
    double dev_p = (sp.value() - 1.0) + sp.residual();
    double dev_q = (sq.value() - 1.0) + sq.residual();
    double x = 0.5 * (dev_p + dev_q) - 0.5 * h2;
    // The compensated sums are good to about n eps^2 (sum p + sum q); a result within that
    // (equal or all but equal inputs, whose B is of that size or 0) takes the sums exactly.
    const double eps = std::numeric_limits<double>::epsilon();
    if (std::abs(x) <= 4.0 * static_cast<double>(n + 2) * eps * eps * (sp.value() + sq.value())) {
        dev_p = exact_sum_minus_one(n, [&](std::size_t i) { return s.p_at(i); });
        dev_q = exact_sum_minus_one(n, [&](std::size_t i) { return s.q_at(i); });
        x = 0.5 * (dev_p + dev_q) - 0.5 * h2;
    }
    return 0.0 - std::log1p(x);  // +0, not -0, for equal inputs
}

// One chunk of the Renyi sum sum_i p_i^alpha q_i^(1 - alpha) by log-sum-exp: the largest
// exponent and sum exp(l_i - top).
struct renyi_partial {
    double top = -std::numeric_limits<double>::infinity();
    compensated_sum sum;
    bool any = false;
    bool infinite = false;
};

// Orders beyond this are computed with the exponents divided by alpha (renyi_nats).
inline constexpr double renyi_huge_order = 0x1.0p64;

// The Renyi divergence in nats (alpha not 1):
//   alpha = inf: max_{p_i > 0} log(p_i / q_i);  alpha = 0: -log sum_{p_i > 0} q_i;
//   |alpha - 1| < 2^-10: log1p(sum_i p_i expm1((alpha - 1) log(p_i / q_i))) / (alpha - 1), the
//     form that tends to KL (the textbook one divides a rounding error by alpha - 1), or,
//     where that sum is below -1/2 (mass where q = 0), log of the sum of p_i (p_i/q_i)^(alpha-1);
//   alpha > 2^64: with u_i = log(p_i / q_i) + log(q_i) / alpha (the exponents l_i / alpha),
//     D = (alpha top + log sum exp(alpha (u_i - top))) / (alpha - 1), which cannot overflow
//     and tends to the alpha = inf value;
//   otherwise log sum exp(l_i) / (alpha - 1), l_i = alpha log p_i + (1 - alpha) log q_i.
template <class Source>
double renyi_nats(const execution& ex, const Source& s, std::size_t n, double alpha) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    if (alpha == inf) {
        const std::vector<double> parts =
            chunked_map<double>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
                double best = -inf;
                for (std::size_t i = b; i < e; ++i) {
                    if (s.p_pos(i)) best = std::max(best, s.q_pos(i) ? s.log_ratio(i) : inf);
                }
                return best;
            });
        return *std::max_element(parts.begin(), parts.end());
    }
    if (alpha == 0.0) {
        if (s.extended()) {
            // The shares of q may lie below the double range: sum them as logs.
            const std::vector<renyi_partial> parts =
                chunked_map<renyi_partial>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
                    renyi_partial r;
                    std::vector<double> l;
                    for (std::size_t i = b; i < e; ++i) {
                        if (s.p_pos(i) && s.q_pos(i)) l.push_back(s.log_q(i));
                    }
                    if (l.empty()) return r;
                    r.any = true;
                    r.top = *std::max_element(l.begin(), l.end());
                    for (double v : l) r.sum += std::exp(v - r.top);
                    return r;
                });
            double top = -inf;
            for (const renyi_partial& c : parts) {
                if (c.any) top = std::max(top, c.top);
            }
            if (top == -inf) return inf;
            compensated_sum total;
            for (const renyi_partial& c : parts) {
                if (c.any) total += c.sum.value() * std::exp(c.top - top);
            }
            return -(top + std::log(total.value()));
        }
        const double sum = sum_terms(ex, n, [&](std::size_t i, bool&) { return s.p_pos(i) ? s.q_at(i) : 0.0; });
        return -std::log(sum);
    }
    const double d = alpha - 1.0;
    if (std::abs(d) < 0x1.0p-10) {
        // sum_i p_i^alpha q_i^(1 - alpha) - 1 = sum_i p_i expm1(d log(p_i / q_i)) (sum p = 1);
        // q_i = 0 < p_i: the term is -p_i for alpha < 1 and makes the sum +inf above 1.
        const double u = sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
            if (!s.p_pos(i)) return 0.0;
            if (!s.q_pos(i)) {
                if (d > 0.0) infinite = true;
                return d > 0.0 ? 0.0 : -s.p_at(i);
            }
            return s.p_at(i) * std::expm1(d * s.log_ratio(i));
        });
        if (u > -0.5) return std::log1p(u) / d;
        // Most of p's mass lies where q = 0 (alpha < 1): the sum itself, 1 + u, is then
        // small and 1 + u would lose it; it is summed directly instead (no cancellation).
        const double sum = sum_terms(ex, n, [&](std::size_t i, bool&) {
            return s.p_pos(i) && s.q_pos(i) ? s.p_at(i) * std::exp(d * s.log_ratio(i)) : 0.0;
        });
        return std::log(sum) / d;
    }
    const bool huge = alpha > renyi_huge_order;
    // log sum_i p_i^alpha q_i^(1 - alpha), by log-sum-exp so that large alpha cannot overflow.
    const std::vector<renyi_partial> parts =
        chunked_map<renyi_partial>(ex, n, reduction_chunk, [&](std::size_t b, std::size_t e) {
            renyi_partial r;
            std::vector<double> l;
            l.reserve(e - b);
            for (std::size_t i = b; i < e; ++i) {
                if (!s.p_pos(i)) continue;
                if (!s.q_pos(i)) {
                    if (alpha > 1.0) {
                        r.infinite = true;
                        return r;
                    }
                    continue;  // p^alpha * 0^(1 - alpha) = 0 for alpha < 1
                }
                l.push_back(huge ? s.log_ratio(i) + s.log_q(i) / alpha
                                 : alpha * s.log_p(i) + (1.0 - alpha) * s.log_q(i));
            }
            if (l.empty()) return r;
            r.any = true;
            r.top = *std::max_element(l.begin(), l.end());
            for (double v : l) r.sum += huge ? std::exp(alpha * (v - r.top)) : std::exp(v - r.top);
            return r;
        });
    double top = -inf;
    for (const renyi_partial& c : parts) {
        if (c.infinite) return inf;
        if (c.any) top = std::max(top, c.top);
    }
    if (top == -inf) return inf;  // alpha < 1 and the supports do not meet
    double sum;
    if (parts.size() == 1) {
        sum = parts[0].sum.value();
    } else {
        compensated_sum total;
        for (const renyi_partial& c : parts) {
            if (c.any) total += c.sum.value() * (huge ? std::exp(alpha * (c.top - top)) : std::exp(c.top - top));
        }
        sum = total.value();
    }
    if (huge) return top * (alpha / (alpha - 1.0)) + std::log(sum) / (alpha - 1.0);
    return (top + std::log(sum)) / (alpha - 1.0);
}

// The measures without a SIMD kernel (and KL where the shares leave the double range), in
// nats (or unitless).
template <class Source>
double scalar_measure(const execution& ex, measure_id m, const Source& s, std::size_t n, double alpha) {
    switch (m) {
        case measure_id::kl:
            return std::max(0.0, sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                                if (!s.p_pos(i)) return 0.0;
                                if (!s.q_pos(i)) {
                                    infinite = true;
                                    return 0.0;
                                }
                                return s.p_at(i) * s.log_ratio(i);
                            }));
        case measure_id::cross_entropy:
            return sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                if (!s.p_pos(i)) return 0.0;
                if (!s.q_pos(i)) {
                    infinite = true;
                    return 0.0;
                }
                return -s.p_at(i) * s.log_q(i);
            });
        case measure_id::bhattacharyya:
            return bhattacharyya_nats(ex, s, n);
        case measure_id::chi2_pearson:
        case measure_id::chi2_neyman: {
            const bool pearson = m == measure_id::chi2_pearson;
            return sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                const double d = pearson ? s.q_at(i) : s.p_at(i);
                const double diff = s.p_at(i) - s.q_at(i);
                if (diff == 0.0) return 0.0;
                if (!(pearson ? s.q_pos(i) : s.p_pos(i))) {
                    infinite = true;
                    return 0.0;
                }
                if (s.extended() && !(d >= std::numeric_limits<double>::min())) {
                    // The denominator's share lies below the double range: divide as logs.
                    return std::exp(2.0 * std::log(std::abs(diff)) - (pearson ? s.log_q(i) : s.log_p(i)));
                }
                return diff * diff / d;
            });
        }
        case measure_id::psi: {
            const double v = sum_terms(ex, n, [&](std::size_t i, bool& infinite) {
                const double p = s.p_at(i), q = s.q_at(i);
                if (!s.p_pos(i) && !s.q_pos(i)) return 0.0;
                if (!s.p_pos(i) || !s.q_pos(i)) {
                    infinite = true;
                    return 0.0;
                }
                if (p == q) return 0.0;
                return (p - q) * s.log_ratio(i);
            });
            return v == std::numeric_limits<double>::infinity() ? v : std::max(0.0, v);
        }
        default:
            return renyi_nats(ex, s, n, alpha);
    }
}

// The measure, in nats or unitless, on prepared inputs.
inline double measure_on(const execution& ex, measure_id m, const prepared_pair& d, input_kind kind, double alpha) {
    const std::size_t n = d.p.size();
    if (d.raw) {
        count_source s{d.p, d.q, d.tp, d.tq, share_divisor(d.tp), share_divisor(d.tq), false};
        s.extreme = extreme_shares(d.tp, s.da) || extreme_shares(d.tq, s.db);
        if (kernel_measure(m) && !(m == measure_id::kl && s.extreme)) {
            return finish_kernel(m, run_kernel_on_shares(ex, m, d.p.data(), d.q.data(), n, s.da, s.db), true);
        }
        return scalar_measure(ex, m, s, n, alpha);
    }
    if (kernel_measure(m)) {
        return finish_kernel(m, run_kernel(ex, m, d.p.data(), d.q.data(), n), kind == input_kind::counts);
    }
    return scalar_measure(ex, m, probability_source{d.p, d.q}, n, alpha);
}

// The value returned to the caller: in the unit of the base where the measure has one
// (log_base::in_unit, the one conversion), and the Jensen-Shannon distance as the square
// root of the divergence in that unit.
inline double in_caller_unit(measure_id m, double value, double unit) noexcept {
    if (m == measure_id::js_distance) return std::sqrt(log_base::in_unit(value, unit));
    return has_unit(m) ? log_base::in_unit(value, unit) : value;
}

template <class T, class U>
double evaluate(const execution& ex, measure_id m, const char* fn, view<const T> p, view<const U> q, log_base base,
                const zero_support& zs, nan_policy nan, input_kind kind, double alpha = 1.0) {
    const double unit = base.nats_to_unit(fn);
    // Hot path: probability vectors of one floating type, no smoothing. One kernel pass
    // computes the measure and the facts that validate the inputs; only if they fail do
    // we take the slow path, which finds the offending entry (or handles NaN).
    if constexpr (std::is_same_v<T, U> && std::is_floating_point_v<T> && !std::is_same_v<T, long double>) {
        if (kind == input_kind::probabilities && zs.is_none() && kernel_measure(m) && p.size() == q.size() &&
            !p.empty()) {
            const simd::pair_pass r = run_kernel(ex, m, p.data(), q.data(), p.size());
            const double tol = probability_tolerance<T>();
            if (r.min >= 0.0 && std::abs(r.sum_p - 1.0) <= tol && std::abs(r.sum_q - 1.0) <= tol) {
                return in_caller_unit(m, finish_kernel(m, r, false), unit);
            }
        }
    }
    // Hot path for double counts, no smoothing: the exact totals A and B, then one kernel
    // pass over the shares p / A and q / B, computed block by block (no normalised
    // copies). A NaN or infinite entry makes a total non-finite, a negative one the pass's
    // minimum negative; either sends the call down the slow path for its error, as do
    // shares below the double range for KL (which then reads them from the counts).
    if constexpr (std::is_same_v<T, double> && std::is_same_v<U, double>) {
        if (kind == input_kind::counts && zs.is_none() && kernel_measure(m) && p.size() == q.size() && !p.empty()) {
            const exact_total ta = fast_total(ex, p.data(), p.size());
            const exact_total tb = fast_total(ex, q.data(), q.size());
            if (std::isfinite(ta.hi) && ta.hi > 0.0 && std::isfinite(tb.hi) && tb.hi > 0.0) {
                const share_divisor da(ta), db(tb);
                if (m != measure_id::kl || !(extreme_shares(ta, da) || extreme_shares(tb, db))) {
                    const simd::pair_pass r = run_kernel_on_shares(ex, m, p.data(), q.data(), p.size(), da, db);
                    if (r.min >= 0.0 && std::isfinite(r.value))
                        return in_caller_unit(m, finish_kernel(m, r, true), unit);
                }
            }
        }
    }
    const prepared_pair d = prepare(ex, fn, p, q, kind, zs, nan, true);
    if (d.is_nan) return std::numeric_limits<double>::quiet_NaN();
    return in_caller_unit(m, measure_on(ex, m, d, kind, alpha), unit);
}

}  // namespace detail

// Defines name(ex, p, q, base, zs, nan) on probability vectors and name_counts(ex, a, b,
// base, zs, nan) on counts, each with its one-thread overload without the execution.
#define COLLAPSEKIT_DIVERGENCE_FUNCTIONS(name, id)                                                                  \
    template <class P, class Q>                                                                                     \
    double name(const execution& ex, const P& p, const Q& q, log_base base = nats,                                  \
                zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {                       \
        return detail::evaluate(ex, detail::measure_id::id, #name, as_view(p), as_view(q), base, zs, nan,           \
                                detail::input_kind::probabilities);                                                 \
    }                                                                                                               \
    template <class P, class Q>                                                                                     \
    double name(const P& p, const Q& q, log_base base = nats, zero_support zs = zero_support::none(),               \
                nan_policy nan = nan_policy::raise) {                                                               \
        return name(sequential, p, q, base, zs, nan);                                                               \
    }                                                                                                               \
    template <class P, class Q>                                                                                     \
    double name##_counts(const execution& ex, const P& a, const Q& b, log_base base = nats,                         \
                         zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {              \
        return detail::evaluate(ex, detail::measure_id::id, #name "_counts", as_view(a), as_view(b), base, zs, nan, \
                                detail::input_kind::counts);                                                        \
    }                                                                                                               \
    template <class P, class Q>                                                                                     \
    double name##_counts(const P& a, const Q& b, log_base base = nats, zero_support zs = zero_support::none(),      \
                         nan_policy nan = nan_policy::raise) {                                                      \
        return name##_counts(sequential, a, b, base, zs, nan);                                                      \
    }

// Each function below: p and q of equal, non-zero length; see the top of this file for
// the input checks, zero-support and NaN policies. Errors: std::invalid_argument naming
// the function, the argument and the problem (e.g. "collapsekit::kl_divergence: p and q
// differ in length (3 vs 4)").

// Kullback-Leibler divergence KL(p || q) = sum_i p_i log(p_i / q_i), in units of base;
// 0 log(0/q) = 0; +inf where p_i > 0 = q_i (under none()).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(kl_divergence, kl)

// Cross-entropy H(p, q) = -sum_i p_i log q_i = H(p) + KL(p || q); +inf where p_i > 0 = q_i.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(cross_entropy, cross_entropy)

// Jensen-Shannon divergence JSD = KL(p || m)/2 + KL(q || m)/2 with m = (p + q)/2, in units
// of base; in [0, log 2]. Computed as sum p log(2p / (p + q)) so it is never NaN on tiny
// entries; a result rounded a few ulp below 0 is returned as 0.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(js_divergence, js)

// Jensen-Shannon distance sqrt(JSD in units of base): scipy.spatial.distance.jensenshannon
// (which, unlike this function, renormalises p and q; js_distance_counts does that).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(js_distance, js_distance)

// Hellinger distance H = sqrt(1/2 sum_i (sqrt p_i - sqrt q_i)^2) = sqrt(1 - BC), in [0, 1]
// (the convention with the 1/sqrt(2) factor; multiply by sqrt(2) for the other one).
// Unitless: base is accepted for a uniform signature and has no effect.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(hellinger, hellinger)

// Bhattacharyya distance -log BC with BC = sum_i sqrt(p_i q_i), in units of base; +inf for
// disjoint supports. Where BC >= 1/2 it is computed as -log1p(BC - 1) with
// BC - 1 = (sum p - 1)/2 + (sum q - 1)/2 - (1/2) sum (sqrt p_i - sqrt q_i)^2, free of
// cancellation, so B(p, p) = 0 exactly for p summing to 1 and nearly equal distributions
// keep their digits (B ~ eps^2 / 8 for q a relative eps away). Negative only where the
// given vectors sum to more than 1 (within their tolerance).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(bhattacharyya, bhattacharyya)

// Total variation distance 1/2 sum_i |p_i - q_i|, in [0, 1]. Unitless (base has no effect).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(total_variation, total_variation)

// Pearson chi-squared divergence sum_i (p_i - q_i)^2 / q_i; +inf where q_i = 0 != p_i.
// Unitless (base has no effect).
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(chi_squared_pearson, chi2_pearson)

// Neyman chi-squared divergence sum_i (p_i - q_i)^2 / p_i; +inf where p_i = 0 != q_i.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(chi_squared_neyman, chi2_neyman)

// Population stability index sum_i (p_i - q_i) log(p_i / q_i) = KL(p||q) + KL(q||p), in
// units of base; +inf where exactly one of p_i, q_i is 0.
COLLAPSEKIT_DIVERGENCE_FUNCTIONS(psi, psi)

#undef COLLAPSEKIT_DIVERGENCE_FUNCTIONS

namespace detail {
inline void check_renyi_order(const char* fn, double alpha) {
    if (std::isnan(alpha)) fail(fn, "alpha must not be NaN");
    if (alpha < 0.0) fail_domain(fn, "alpha must be >= 0 (got " + format_value(alpha) + ")");
}
}  // namespace detail

// Renyi divergence of order alpha >= 0: log(sum_i p_i^alpha q_i^(1-alpha)) / (alpha - 1), in
// units of base. alpha = 1 is KL; alpha = inf is log max_{p_i > 0} p_i / q_i; alpha = 0 is
// -log sum_{p_i > 0} q_i. +inf where alpha > 1 and p_i > 0 = q_i, or where the sum is 0.
// Orders within 2^-10 of 1 use log1p(sum_i p_i expm1((alpha - 1) log(p_i / q_i))) / (alpha - 1),
// which tends to KL (the textbook form divides a rounding error by alpha - 1 there), and
// orders past 2^64 a rescaled log-sum-exp that tends to the alpha = inf value.
// Throws std::domain_error for alpha < 0, std::invalid_argument for NaN alpha.
template <class P, class Q>
double renyi_divergence(const execution& ex, const P& p, const Q& q, double alpha, log_base base = nats,
                        zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    detail::check_renyi_order("renyi_divergence", alpha);
    if (alpha == 1.0) {
        return detail::evaluate(ex, detail::measure_id::kl, "renyi_divergence", as_view(p), as_view(q), base, zs, nan,
                                detail::input_kind::probabilities);
    }
    return detail::evaluate(ex, detail::measure_id::renyi, "renyi_divergence", as_view(p), as_view(q), base, zs, nan,
                            detail::input_kind::probabilities, alpha);
}
template <class P, class Q>
double renyi_divergence(const P& p, const Q& q, double alpha, log_base base = nats,
                        zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return renyi_divergence(sequential, p, q, alpha, base, zs, nan);
}
template <class P, class Q>
double renyi_divergence_counts(const execution& ex, const P& a, const Q& b, double alpha, log_base base = nats,
                               zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    detail::check_renyi_order("renyi_divergence_counts", alpha);
    const auto m = alpha == 1.0 ? detail::measure_id::kl : detail::measure_id::renyi;
    return detail::evaluate(ex, m, "renyi_divergence_counts", as_view(a), as_view(b), base, zs, nan,
                            detail::input_kind::counts, alpha);
}
template <class P, class Q>
double renyi_divergence_counts(const P& a, const Q& b, double alpha, log_base base = nats,
                               zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return renyi_divergence_counts(sequential, a, b, alpha, base, zs, nan);
}

namespace detail {

// sum_i w_i KL(P_i || M) with M = sum_i w_i P_i, each P_i prepared like p above.
template <class Dists, class Weights>
double js_n(const execution& ex, const char* fn, const Dists& dists, const Weights& weights, log_base base,
            const zero_support& zs, nan_policy nan, input_kind kind) {
    const double unit = base.nats_to_unit(fn);
    const auto w = as_view(weights);
    const std::size_t k = std::size(dists);
    require(k >= 1, fn, "needs at least one distribution");
    require_same_length(fn, "distributions", k, "weights", w.size());
    compensated_sum wsum;
    for (std::size_t i = 0; i < k; ++i) {
        const auto wi = static_cast<double>(w[i]);
        if (!(wi >= 0.0) || !std::isfinite(wi)) {
            fail(fn, "weights must be non-negative and finite (weights[" + std::to_string(i) +
                         "] = " + format_value(wi) + ")");
        }
        wsum += wi;
    }
    check_sum_to_one(fn, "weights", wsum.value(), 1e-9);
    // Each P_i as prepared (a view of the input itself where nothing needed changing).
    std::vector<prepared_pair> held;
    std::vector<view<const double>> ps;
    held.reserve(k);
    ps.reserve(k);
    std::size_t len = 0;
    for (const auto& d : dists) {
        const auto v = as_view(d);
        if (ps.empty()) len = v.size();
        require_same_length(fn, "distributions[0]", len, "distributions[" + std::to_string(ps.size()) + "]", v.size());
        // Reuse the pairwise preparation: a distribution against itself.
        prepared_pair pp =
            prepare(ex, fn, v, v, kind, zs.type() == zero_support::kind::skew ? zero_support::none() : zs, nan);
        if (pp.is_nan) return std::numeric_limits<double>::quiet_NaN();
        held.push_back(std::move(pp));  // moving keeps the buffer, so the view stays valid
        ps.push_back(held.back().p);
        require_same_length(fn, "distributions[0] after NaN removal", ps.front().size(),
                            "distributions[" + std::to_string(ps.size() - 1) + "]", ps.back().size());
    }
    // The mixture M = sum_i w_i P_i as mix + mix_err, the rounding errors of the products
    // (FMA) and of the sums (TwoSum) collected in mix_err. The terms use mix; since
    // log(p / M) = log(p / mix) - mix_err / mix to first order and sum_i w_i p_ij = M_j,
    // taking sum_j mix_err_j off the total restores what the rounding of M took away.
    // Between nearly equal distributions that rounding is as large as the divergence.
    // Threads: each position's mixture is computed alone (chunks of positions in
    // parallel), and every sum over positions runs in fixed chunks merged in chunk order.
    const std::size_t len_ok = ps.front().size();
    std::vector<double> mix(len_ok, 0.0), mix_err(len_ok, 0.0);
    parallel_for(ex, chunk_count(len_ok, reduction_chunk), [&](std::size_t c) {
        const std::size_t b = c * reduction_chunk, e = std::min(len_ok, b + reduction_chunk);
        for (std::size_t i = 0; i < k; ++i) {
            const double wi = static_cast<double>(w[i]);
            for (std::size_t j = b; j < e; ++j) {
                const double prod = wi * ps[i][j];
                const double sum = mix[j] + prod;
                mix_err[j] += std::fma(wi, ps[i][j], -prod) + two_sum_error(mix[j], prod, sum);
                mix[j] = sum;
            }
        }
    });
    // A term with p_ij > 0 sees M_j >= w_i p_ij > 0 in exact arithmetic, but a mixture
    // of subnormal entries can round to 0 (0.5 * 5e-324 does), which would make the term
    // +inf: there M_j is formed again from the entries times 2^600 (exact), and the log
    // capped at its bound log(1 / w_i) (the pairwise form avoids the same case by never
    // halving p + q). So every term stays in [0, w_i p_ij log(1 / w_i)] and the result in
    // [0, log k].
    const auto subnormal_mixture_log = [&](std::size_t i, std::size_t j) {
        constexpr double lift = 0x1.0p600;
        double m = 0;
        for (std::size_t l = 0; l < k; ++l) m += static_cast<double>(w[l]) * (ps[l][j] * lift);
        const double cap = -std::log(static_cast<double>(w[i]));
        const double x = ps[i][j] * lift;
        return m > 0.0 ? std::min(log_ratio(x, m), cap) : cap;
    };
    compensated_sum total;
    for (std::size_t i = 0; i < k; ++i) {
        const double wi = static_cast<double>(w[i]);
        if (wi == 0.0) continue;
        const view<const double> pi = ps[i];
        total += wi * sum_terms(ex, len_ok, [&](std::size_t j, bool&) {
                     if (pi[j] > 0.0 && mix[j] < std::numeric_limits<double>::min())
                         return pi[j] * subnormal_mixture_log(i, j);
                     return rel_entr(pi[j], mix[j]);
                 });
    }
    if (len_ok <= reduction_chunk) {
        for (double e : mix_err) total += -e;
    } else {
        total += sum_terms(ex, len_ok, [&](std::size_t j, bool&) { return -mix_err[j]; });
    }
    return log_base::in_unit(std::max(0.0, total.value()), unit);
}

// Weights 1/k for k distributions (none for k = 0, which js_n reports).
inline std::vector<double> equal_weights(std::size_t k) {
    return std::vector<double>(k, k ? 1.0 / static_cast<double>(k) : 0.0);
}

}  // namespace detail

// Weighted n-way Jensen-Shannon divergence of distributions P_1..P_k (a container of
// equal-length probability vectors) with weights w (non-negative, summing to 1 within
// 1e-9): H(sum_i w_i P_i) - sum_i w_i H(P_i), computed as sum_i w_i KL(P_i || M), which
// is >= 0 term by term; in units of base, in [0, log k]. skew() is not meaningful here
// and is treated as none(); additive() smooths each P_i. NaN omission must leave all
// vectors the same length.
// (Weights must be a range, so that js_divergence_n(dists, 2.0) means base 2, not weights.)
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>()))>
double js_divergence_n(const execution& ex, const Dists& dists, const Weights& weights, log_base base = nats,
                       zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return detail::js_n(ex, "js_divergence_n", dists, weights, base, zs, nan, detail::input_kind::probabilities);
}
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>())),
          class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n(const Dists& dists, const Weights& weights, log_base base = nats,
                       zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n(sequential, dists, weights, base, zs, nan);
}
// Equal weights 1/k.
template <class Dists>
double js_divergence_n(const execution& ex, const Dists& dists, log_base base = nats,
                       zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n(ex, dists, detail::equal_weights(std::size(dists)), base, zs, nan);
}
template <class Dists, class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n(const Dists& dists, log_base base = nats, zero_support zs = zero_support::none(),
                       nan_policy nan = nan_policy::raise) {
    return js_divergence_n(sequential, dists, base, zs, nan);
}
// The same on count vectors, each normalised by its own total.
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>()))>
double js_divergence_n_counts(const execution& ex, const Dists& dists, const Weights& weights, log_base base = nats,
                              zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return detail::js_n(ex, "js_divergence_n_counts", dists, weights, base, zs, nan, detail::input_kind::counts);
}
template <class Dists, class Weights, class = decltype(std::size(std::declval<const Weights&>())),
          class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n_counts(const Dists& dists, const Weights& weights, log_base base = nats,
                              zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n_counts(sequential, dists, weights, base, zs, nan);
}
template <class Dists>
double js_divergence_n_counts(const execution& ex, const Dists& dists, log_base base = nats,
                              zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_n_counts(ex, dists, detail::equal_weights(std::size(dists)), base, zs, nan);
}
template <class Dists, class = std::enable_if_t<!std::is_same_v<Dists, execution>>>
double js_divergence_n_counts(const Dists& dists, log_base base = nats, zero_support zs = zero_support::none(),
                              nan_policy nan = nan_policy::raise) {
    return js_divergence_n_counts(sequential, dists, base, zs, nan);
}

// The measures as small value types, so a list of them can be held and called
// uniformly (the pairwise matrix, the feedback driver):
//   ck::measures::kl_divergence m{ck::bits, ck::zero_support::jeffreys()};  m(p, q);
// Each holds base, zs and nan and calls the free function of the same name.
namespace measures {

#define COLLAPSEKIT_DIVERGENCE_OBJECT(name)                  \
    struct name {                                            \
        log_base base = nats;                                \
        zero_support zs = zero_support::none();              \
        nan_policy nan = nan_policy::raise;                  \
        template <class P, class Q>                          \
        double operator()(const P& p, const Q& q) const {    \
            return ::collapsekit::name(p, q, base, zs, nan); \
        }                                                    \
    };

COLLAPSEKIT_DIVERGENCE_OBJECT(kl_divergence)
COLLAPSEKIT_DIVERGENCE_OBJECT(kl_divergence_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(cross_entropy)
COLLAPSEKIT_DIVERGENCE_OBJECT(cross_entropy_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_divergence)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_divergence_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_distance)
COLLAPSEKIT_DIVERGENCE_OBJECT(js_distance_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(hellinger)
COLLAPSEKIT_DIVERGENCE_OBJECT(hellinger_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(bhattacharyya)
COLLAPSEKIT_DIVERGENCE_OBJECT(bhattacharyya_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(total_variation)
COLLAPSEKIT_DIVERGENCE_OBJECT(total_variation_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_pearson)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_pearson_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_neyman)
COLLAPSEKIT_DIVERGENCE_OBJECT(chi_squared_neyman_counts)
COLLAPSEKIT_DIVERGENCE_OBJECT(psi)
COLLAPSEKIT_DIVERGENCE_OBJECT(psi_counts)

#undef COLLAPSEKIT_DIVERGENCE_OBJECT

struct renyi_divergence {
    double alpha = 2.0;
    log_base base = nats;
    zero_support zs = zero_support::none();
    nan_policy nan = nan_policy::raise;
    template <class P, class Q>
    double operator()(const P& p, const Q& q) const {
        return ::collapsekit::renyi_divergence(p, q, alpha, base, zs, nan);
    }
};
struct renyi_divergence_counts {
    double alpha = 2.0;
    log_base base = nats;
    zero_support zs = zero_support::none();
    nan_policy nan = nan_policy::raise;
    template <class P, class Q>
    double operator()(const P& a, const Q& b) const {
        return ::collapsekit::renyi_divergence_counts(a, b, alpha, base, zs, nan);
    }
};

}  // namespace measures

// ---------------------------------------------------------------------------------------
// Divergences between continuous samples through shared bins.

// Counts of a reference and a generated sample on the same bins: the reference's quantile
// bins (ck::histogram::from_quantiles(reference, bins): numpy's quantile edges, ties
// merged, so there may be fewer than `bins`), plus one open bin below the reference's
// minimum and one above its maximum, so generated values outside the reference's range
// keep their mass instead of vanishing. reference[0] and reference.back() are those two
// outer bins (always 0 for the reference itself).
struct shared_bin_counts {
    std::vector<double> reference;
    std::vector<double> generated;
    std::vector<double> edges;  // the inner edges (bins + 1 of them)
};

// Bins both samples as described above. NaN follow `nan` (omit skips them; propagate is
// not meaningful for counts and is treated as raise here, see divergence_samples).
// (The execution threads the two fills; the quantile edges come from one sort.)
template <class R, class G>
shared_bin_counts bin_on_reference(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                                   nan_policy nan = nan_policy::raise) {
    const nan_policy fill_policy = nan == nan_policy::omit ? nan_policy::omit : nan_policy::raise;
    histogram href = histogram::from_quantiles(reference, bins, fill_policy);
    histogram hgen = href.empty_like();
    href.fill(ex, reference, fill_policy);
    hgen.fill(ex, generated, fill_policy);
    auto with_flows = [](const histogram& h) {
        std::vector<double> c;
        c.reserve(h.bins() + 2);
        c.push_back(static_cast<double>(h.underflow()));
        for (std::uint64_t v : h.counts()) c.push_back(static_cast<double>(v));
        c.push_back(static_cast<double>(h.overflow()));
        return c;
    };
    return {with_flows(href), with_flows(hgen), href.edges()};
}
template <class R, class G>
shared_bin_counts bin_on_reference(const R& reference, const G& generated, std::size_t bins,
                                   nan_policy nan = nan_policy::raise) {
    return bin_on_reference(sequential, reference, generated, bins, nan);
}

// measure(reference counts, generated counts) on the shared bins above, for any counts
// measure (e.g. ck::measures::js_divergence_counts{}); under nan_policy::propagate a NaN
// in either sample gives NaN.
// With an execution, the binning is threaded (the measure runs on the bins' counts).
template <class R, class G, class CountsMeasure>
double divergence_samples(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                          const CountsMeasure& measure, nan_policy nan = nan_policy::raise) {
    if (nan == nan_policy::propagate) {
        const auto r = as_view(reference);
        const auto g = as_view(generated);
        if (count_nans(r) + count_nans(g) > 0) return std::numeric_limits<double>::quiet_NaN();
    }
    const shared_bin_counts c = bin_on_reference(ex, reference, generated, bins, nan);
    return static_cast<double>(measure(c.reference, c.generated));
}
template <class R, class G, class CountsMeasure>
double divergence_samples(const R& reference, const G& generated, std::size_t bins, const CountsMeasure& measure,
                          nan_policy nan = nan_policy::raise) {
    return divergence_samples(sequential, reference, generated, bins, measure, nan);
}

// KL(reference || generated) on the reference's quantile bins (see bin_on_reference): +inf
// under none() when a bin holding reference mass receives no generated value (a lost
// mode or tail, the signature of collapse); smooth with zero_support::jeffreys() etc.
template <class R, class G>
double kl_divergence_samples(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                             log_base base = nats, zero_support zs = zero_support::none(),
                             nan_policy nan = nan_policy::raise) {
    return divergence_samples(ex, reference, generated, bins, measures::kl_divergence_counts{base, zs, nan}, nan);
}
template <class R, class G>
double kl_divergence_samples(const R& reference, const G& generated, std::size_t bins, log_base base = nats,
                             zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return kl_divergence_samples(sequential, reference, generated, bins, base, zs, nan);
}
// Jensen-Shannon divergence between the binned samples (finite without smoothing).
template <class R, class G>
double js_divergence_samples(const execution& ex, const R& reference, const G& generated, std::size_t bins,
                             log_base base = nats, zero_support zs = zero_support::none(),
                             nan_policy nan = nan_policy::raise) {
    return divergence_samples(ex, reference, generated, bins, measures::js_divergence_counts{base, zs, nan}, nan);
}
template <class R, class G>
double js_divergence_samples(const R& reference, const G& generated, std::size_t bins, log_base base = nats,
                             zero_support zs = zero_support::none(), nan_policy nan = nan_policy::raise) {
    return js_divergence_samples(sequential, reference, generated, bins, base, zs, nan);
}

}  // namespace collapsekit
