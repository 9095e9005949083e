// Dense kernels for the discrete divergences: KL, Jensen-Shannon, Hellinger, total variation.
//
// Each kernel walks p and q once and returns, besides the sum of its per-element terms,
// what the caller needs to validate the inputs without a second pass: the sums of p and
// of q, the smallest entry of either, and whether some p > 0 meets q = 0. A NaN or an
// infinity in the input shows up as a non-finite sum. The caller (divergence.hpp)
// checks those and only then trusts the value.
//
// Terms are summed with Neumaier compensation, lane by lane within blocks of 256
// batches, and the blocks' lanes are added in double with compensation in a fixed
// order, so the SIMD kernel and its scalar twin agree to a few ulp of sum |term| (the
// terms themselves differ only by the log implementations, each within about 1 ulp).
// A Jensen-Shannon term is two parts of opposite signs, p log(2p/m) and q log(2q/m), each
// with its own log's error, and they cancel: there the scale is the sum of the parts'
// sizes, not of the terms' (a fuzzer found 7.4 ulp of sum |term|, 0.9 ulp of the parts',
// between the twins at p, q = 0.51, 0.80; the SIMD log of a ratio is within 2 ulp, the
// scalar log1p within 1).
// float inputs are computed in float lanes (the blocks keep float accumulators short).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "../core/config.hpp"
#include "../core/numeric.hpp"
#include "compat.hpp"
#include "log.hpp"
#include "sum.hpp"

COLLAPSEKIT_SIMD_DIAGNOSTICS_BEGIN

namespace collapsekit::simd {

// What one pass over (p, q) found.
struct pair_pass {
    double value = 0;  // sum of the kernel's per-element terms
    double sum_p = 0;  // plain sums of the inputs (for the normalisation check)
    double sum_q = 0;
    double min = std::numeric_limits<double>::infinity();  // smallest entry of p or q (inf if n = 0)
    bool p_without_q = false;  // some p[i] > 0 with q[i] == 0 (KL's infinite case; set by KL only)
};

namespace detail {

// Per-element terms, scalar form. Inputs are assumed non-negative; anything else only
// has to leave a trace in the sums, which the caller checks.
template <class T>
inline T kl_term(T p, T q, bool& p_without_q) noexcept {
    if (!(p > T(0))) return T(0);
    if (!(q > T(0))) {
        p_without_q = p_without_q || q == T(0);
        return T(0);
    }
    if constexpr (std::is_same_v<T, double>) {
        // Accurate where p / q is close to 1, as the SIMD twin (simd::detail::log_ratio_normal_lanes).
        if (std::isinf(p) || std::isinf(q)) return p * (std::log(p) - std::log(q));
        return p * ::collapsekit::log_ratio(p, q);
    } else {
        const T r = p / q;
        // The ratio over- or underflowed: split the log instead (costs one more log).
        if (r == std::numeric_limits<T>::infinity() || r == T(0)) return p * (std::log(p) - std::log(q));
        return p * std::log(r);
    }
}

// p log(2p / (p + q)) + q log(2q / (p + q)): the mixture is never halved, so it cannot
// underflow to zero (0.5 * 5e-324 rounds to 0; 5e-324 + 1 does not), and each ratio lies
// in (0, 2] for probability inputs.
// For doubles the term stays accurate where p and q are close, where it is of second
// order, (p - q)^2 / (4 (p + q)), and both logs are tiny: the logs are log_ratio's, and
// the rounding of m = p + q is put back, p + q = m + e exactly (TwoSum), so that
// log(2p / (m + e)) = log(2p / m) - e / m to first order and the two terms together
// lose (p + q) e / m = e. Without that the rounding of m alone is as large as the term.
template <class T>
inline T js_term(T p, T q) noexcept {
    const T m = p + q;
    if constexpr (std::is_same_v<T, double>) {
        const T e = ::collapsekit::two_sum_error(p, q, m);
        const T a = p > T(0) ? p * ::collapsekit::log_ratio(p + p, m) : T(0);
        const T b = q > T(0) ? q * ::collapsekit::log_ratio(q + q, m) : T(0);
        return (a + b) - e;
    } else {
        const T a = p > T(0) ? p * std::log((p + p) / m) : T(0);
        const T b = q > T(0) ? q * std::log((q + q) / m) : T(0);
        return a + b;
    }
}

template <class T>
inline T hellinger_term(T p, T q) noexcept {
    const T d = std::sqrt(p) - std::sqrt(q);
    return d * d;
}

template <class T>
inline T tv_term(T p, T q) noexcept {
    return std::abs(p - q);
}

// fast4 for an op whose vector() is right on every lane: the sum of its four terms.
template <class Op>
struct vector_only_fast4 {
#if COLLAPSEKIT_HAS_SIMD
    COLLAPSEKIT_ALWAYS_INLINE bool fast4(const batch<double> (&p)[4], const batch<double> (&q)[4],
                                         batch<double>& sum) const noexcept {
        const Op& op = static_cast<const Op&>(*this);
        batch_bool<double> unused = splat(0.0) != splat(0.0);
        sum = (op.vector(p[0], q[0], unused) + op.vector(p[1], q[1], unused)) +
              (op.vector(p[2], q[2], unused) + op.vector(p[3], q[3], unused));
        return true;
    }
#endif
};

struct kl_op {
    template <class T>
    T scalar(T p, T q, bool& flag) const noexcept {
        return kl_term(p, q, flag);
    }
#if COLLAPSEKIT_HAS_SIMD
    template <class T>
    batch<T> vector(const batch<T>& p, const batch<T>& q, batch_bool<T>& flag) const noexcept {
        const batch<T> zero = splat(T(0));
        const auto pp = p > zero;
        const auto qp = q > zero;
        const auto both = pp & qp;
        flag = flag | (pp & (q == zero));
        batch<T> l;
        if constexpr (std::is_same_v<T, double>) {
            // As kl_term: the log of the exact ratio where p and q are normal, else split.
            l = log_ratio_normal_lanes(p, q);
            const auto split = both & !(normal_lanes(p) & normal_lanes(q));
            if (any(split)) {
                // A subnormal p or q (the other at most 2^960): both times 2^54 (exact) are
                // normal with the same ratio. Splitting into log p - log q there would cost
                // |log p| ulp (a fuzzer found 10 ulp of the sum at p = DBL_MIN, q = 1e-317).
                const batch<T> lift = splat(T(0x1.0p54)), cap = splat(T(0x1.0p960));
                const auto scaled = split & (p <= cap) & (q <= cap);
                l = xsimd::select(split, ::collapsekit::simd::log(p) - ::collapsekit::simd::log(q), l);
                if (any(scaled)) l = xsimd::select(scaled, log_ratio_normal_lanes(p * lift, q * lift), l);
            }
        } else {
            const batch<T> r = p / q;
            l = ::collapsekit::simd::log(r);
            const auto split = both & ((r == splat(std::numeric_limits<T>::infinity())) | (r == zero));
            if (any(split)) l = xsimd::select(split, ::collapsekit::simd::log(p) - ::collapsekit::simd::log(q), l);
        }
        return xsimd::select(both, p * l, zero);
    }

    // The sum of the terms of four double batches if every lane with p > 0 has p and q
    // positive normal numbers, their logs computed side by side; false leaves the batches
    // to vector(), which also sees the p > 0 = q lanes. Lanes with p = 0 need no test:
    // their log is finite (whatever q), so p log = 0. NaN, infinite or negative entries
    // need none either: they show in the sums or the minimum, and the caller then
    // discards the value (see the top of this file).
    COLLAPSEKIT_ALWAYS_INLINE bool fast4(const batch<double> (&p)[4], const batch<double> (&q)[4],
                                         batch<double>& sum) const noexcept {
        const batch<double> zero = splat(0.0), tiny = splat(std::numeric_limits<double>::min());
        batch_bool<double> bad = zero != zero;
        unrolled<4>([&](std::size_t j)
                        COLLAPSEKIT_INLINE_LAMBDA { bad = bad | ((p[j] > zero) & (xsimd::min(p[j], q[j]) < tiny)); });
        if (any(bad)) return false;
        batch<double> l[4];
        log_ratio_normal_lanes<4>(p, q, l);
        sum = (p[0] * l[0] + p[1] * l[1]) + (p[2] * l[2] + p[3] * l[3]);
        return true;
    }
#endif
};

struct js_op {
    template <class T>
    T scalar(T p, T q, bool&) const noexcept {
        return js_term(p, q);
    }
#if COLLAPSEKIT_HAS_SIMD
    template <class T>
    batch<T> vector(const batch<T>& p, const batch<T>& q, batch_bool<T>&) const noexcept {
        const batch<T> zero = splat(T(0));
        const batch<T> m = p + q;
        batch<T> a = p * ::collapsekit::simd::log((p + p) / m);
        batch<T> b = q * ::collapsekit::simd::log((q + q) / m);
        if constexpr (std::is_same_v<T, double>) {
            // As js_term where p, q and m are normal (elsewhere m is exact).
            const auto plain = normal_lanes(p + p) & normal_lanes(q + q) & normal_lanes(m);
            if (any(plain)) {
                const batch<T> e = ::collapsekit::two_sum_error(p, q, m);
                a = xsimd::select(plain, p * log_ratio_normal_lanes(p + p, m) - e, a);
                b = xsimd::select(plain, q * log_ratio_normal_lanes(q + q, m), b);
            }
        }
        return xsimd::select(p > zero, a, zero) + xsimd::select(q > zero, b, zero);
    }

    // As kl_op::fast4, for four batches whose p and q are each zero or normal (probability
    // entries: 2p and p + q do not overflow), with the rounding of p + q put back as in
    // js_term.
    COLLAPSEKIT_ALWAYS_INLINE bool fast4(const batch<double> (&p)[4], const batch<double> (&q)[4],
                                         batch<double>& sum) const noexcept {
        const batch<double> zero = splat(0.0), tiny = splat(std::numeric_limits<double>::min());
        batch_bool<double> bad = zero != zero;
        // p and q each zero or normal: then so are 2p, 2q and p + q. A zero p or q has a
        // finite log and drops out of its product.
        unrolled<4>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
            bad = bad | ((p[j] > zero) & (p[j] < tiny)) | ((q[j] > zero) & (q[j] < tiny));
        });
        if (any(bad)) return false;
        batch<double> p2[4], q2[4], m[4], la[4], lb[4];
        unrolled<4>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
            p2[j] = p[j] + p[j];
            q2[j] = q[j] + q[j];
            m[j] = p[j] + q[j];
        });
        log_ratio_normal_lanes<4>(p2, m, la);
        log_ratio_normal_lanes<4>(q2, m, lb);
        batch<double> t[4];
        unrolled<4>([&](std::size_t j) COLLAPSEKIT_INLINE_LAMBDA {
            t[j] = (p[j] * la[j] + q[j] * lb[j]) - ::collapsekit::two_sum_error(p[j], q[j], m[j]);
        });
        sum = (t[0] + t[1]) + (t[2] + t[3]);
        return true;
    }
#endif
};

struct hellinger_op : vector_only_fast4<hellinger_op> {
    template <class T>
    T scalar(T p, T q, bool&) const noexcept {
        return hellinger_term(p, q);
    }
#if COLLAPSEKIT_HAS_SIMD
    template <class T>
    batch<T> vector(const batch<T>& p, const batch<T>& q, batch_bool<T>&) const noexcept {
        const batch<T> d = xsimd::sqrt(p) - xsimd::sqrt(q);
        return d * d;
    }
#endif
};

struct tv_op : vector_only_fast4<tv_op> {
    template <class T>
    T scalar(T p, T q, bool&) const noexcept {
        return tv_term(p, q);
    }
#if COLLAPSEKIT_HAS_SIMD
    template <class T>
    batch<T> vector(const batch<T>& p, const batch<T>& q, batch_bool<T>&) const noexcept {
        return xsimd::abs(p - q);
    }
#endif
};

// The kernels read p[i] * scale_p and q[i] * scale_q (scale 1: p and q as they are), so
// that counts can be normalised on the fly; the sums and the minimum are of the scaled
// values.
template <class T, class Op>
pair_pass pair_scalar(const T* p, const T* q, std::size_t n, Op op, T scale_p = T(1), T scale_q = T(1)) noexcept {
    pair_pass r;
    compensated_sum total;
    double sp = 0, sq = 0;
    double mn = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        const T a = p[i] * scale_p, b = q[i] * scale_q;
        total.add(static_cast<double>(op.scalar(a, b, r.p_without_q)));
        sp += static_cast<double>(a);
        sq += static_cast<double>(b);
        mn = std::min(mn, static_cast<double>(std::min(a, b)));
    }
    r.value = total.value();
    r.sum_p = sp;
    r.sum_q = sq;
    r.min = mn;
    return r;
}

#if COLLAPSEKIT_HAS_SIMD

// The terms of four batches through the op's general lane code (special values, p > 0 = q).
template <class Op>
COLLAPSEKIT_NOINLINE batch<double> general_four(const Op& op, const batch<double> (&p)[4], const batch<double> (&q)[4],
                                                batch_bool<double>& flag) noexcept {
    return (op.vector(p[0], q[0], flag) + op.vector(p[1], q[1], flag)) +
           (op.vector(p[2], q[2], flag) + op.vector(p[3], q[3], flag));
}

template <bool Scaled, class T, class Op>
pair_pass pair_simd_scaled(const T* p, const T* q, std::size_t n, Op op, T scale_p, T scale_q) noexcept {
    constexpr std::size_t W = lanes<T>;
    constexpr std::size_t block = 256 * W;
    pair_pass r;
    compensated_sum total;
    double sp = 0, sq = 0;
    batch<T> vmin = splat(std::numeric_limits<T>::infinity());
    // Lanes where p > 0 = q, or-ed together and looked at once at the end.
    batch_bool<T> flag = splat(T(0)) != splat(T(0));
    const std::size_t vector_end = n - n % W;
    alignas(64) T lane_s[W];
    alignas(64) T lane_c[W];
    for (std::size_t start = 0; start < vector_end; start += block) {
        const std::size_t stop = std::min(vector_end, start + block);
        batch<T> s = splat(T(0)), c = s, ps = s, qs = s;
        const batch<T> kp = splat(scale_p), kq = splat(scale_q);
        auto load_p = [&](std::size_t at) { return Scaled ? kp * load(p + at) : load(p + at); };
        auto load_q = [&](std::size_t at) { return Scaled ? kq * load(q + at) : load(q + at); };
        std::size_t i = start;
        if constexpr (std::is_same_v<T, double>) {
            // Four batches at a time, so that their logs run side by side; their terms are
            // added pairwise before the compensated step (two roundings, relative to
            // sum |term|), which keeps the step off the critical path.
            for (; i + 4 * W <= stop; i += 4 * W) {
                const batch<T> bp[4] = {load_p(i), load_p(i + W), load_p(i + 2 * W), load_p(i + 3 * W)};
                const batch<T> bq[4] = {load_q(i), load_q(i + W), load_q(i + 2 * W), load_q(i + 3 * W)};
                batch<T> terms;
                if (!op.fast4(bp, bq, terms)) terms = general_four(op, bp, bq, flag);
                neumaier_step(s, c, terms);
                ps += (bp[0] + bp[1]) + (bp[2] + bp[3]);
                qs += (bq[0] + bq[1]) + (bq[2] + bq[3]);
                vmin = xsimd::min(vmin, xsimd::min(xsimd::min(xsimd::min(bp[0], bq[0]), xsimd::min(bp[1], bq[1])),
                                                   xsimd::min(xsimd::min(bp[2], bq[2]), xsimd::min(bp[3], bq[3]))));
            }
        }
        for (; i < stop; i += W) {
            const batch<T> bp = load_p(i);
            const batch<T> bq = load_q(i);
            neumaier_step(s, c, op.vector(bp, bq, flag));
            ps += bp;
            qs += bq;
            vmin = xsimd::min(vmin, xsimd::min(bp, bq));
        }
        store(lane_s, s);
        store(lane_c, c);
        for (std::size_t k = 0; k < W; ++k) {
            total.add(static_cast<double>(lane_s[k]));
            total.add(static_cast<double>(lane_c[k]));
        }
        sp += static_cast<double>(reduce_sum(ps));
        sq += static_cast<double>(reduce_sum(qs));
    }
    double mn = static_cast<double>(reduce_min(vmin));
    const pair_pass tail = pair_scalar(p + vector_end, q + vector_end, n - vector_end, op, scale_p, scale_q);
    total.add(tail.value);
    r.value = total.value();
    r.sum_p = sp + tail.sum_p;
    r.sum_q = sq + tail.sum_q;
    r.min = std::min(mn, tail.min);
    r.p_without_q = any(flag) || tail.p_without_q;
    return r;
}

template <class T, class Op>
pair_pass pair_simd(const T* p, const T* q, std::size_t n, Op op, T scale_p = T(1), T scale_q = T(1)) noexcept {
    if (scale_p == T(1) && scale_q == T(1)) return pair_simd_scaled<false>(p, q, n, op, scale_p, scale_q);
    return pair_simd_scaled<true>(p, q, n, op, scale_p, scale_q);
}

#endif  // COLLAPSEKIT_HAS_SIMD

template <class T, class Op>
pair_pass pair_dispatch(const T* p, const T* q, std::size_t n, Op op, T scale_p, T scale_q) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return pair_simd(p, q, n, op, scale_p, scale_q);
#else
    return pair_scalar(p, q, n, op, scale_p, scale_q);
#endif
}

}  // namespace detail

// sum_i p_i log(p_i / q_i) over p_i > 0, q_i > 0 (terms with q_i = 0 < p_i are left out
// and reported in p_without_q). T is float or double. Every kernel below reads
// p_i = p[i] * scale_p and q_i = q[i] * scale_q (default 1: as they are).
template <class T>
pair_pass kl_sum_scalar(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_scalar(p, q, n, detail::kl_op{}, scale_p, scale_q);
}
// sum_i [p_i log(2 p_i / (p_i + q_i)) + q_i log(2 q_i / (p_i + q_i))] (twice the JSD in nats).
template <class T>
pair_pass js_sum_scalar(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_scalar(p, q, n, detail::js_op{}, scale_p, scale_q);
}
// sum_i (sqrt p_i - sqrt q_i)^2.
template <class T>
pair_pass hellinger_sum_scalar(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_scalar(p, q, n, detail::hellinger_op{}, scale_p, scale_q);
}
// sum_i |p_i - q_i|.
template <class T>
pair_pass tv_sum_scalar(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_scalar(p, q, n, detail::tv_op{}, scale_p, scale_q);
}

#if COLLAPSEKIT_HAS_SIMD
template <class T>
pair_pass kl_sum_simd(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_simd(p, q, n, detail::kl_op{}, scale_p, scale_q);
}
template <class T>
pair_pass js_sum_simd(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_simd(p, q, n, detail::js_op{}, scale_p, scale_q);
}
template <class T>
pair_pass hellinger_sum_simd(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_simd(p, q, n, detail::hellinger_op{}, scale_p, scale_q);
}
template <class T>
pair_pass tv_sum_simd(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_simd(p, q, n, detail::tv_op{}, scale_p, scale_q);
}
#endif

// Dispatchers: SIMD unless COLLAPSEKIT_NO_SIMD (or no xsimd).
template <class T>
pair_pass kl_sum(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_dispatch(p, q, n, detail::kl_op{}, scale_p, scale_q);
}
template <class T>
pair_pass js_sum(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_dispatch(p, q, n, detail::js_op{}, scale_p, scale_q);
}
template <class T>
pair_pass hellinger_sum(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_dispatch(p, q, n, detail::hellinger_op{}, scale_p, scale_q);
}
template <class T>
pair_pass tv_sum(const T* p, const T* q, std::size_t n, T scale_p = T(1), T scale_q = T(1)) noexcept {
    return detail::pair_dispatch(p, q, n, detail::tv_op{}, scale_p, scale_q);
}

}  // namespace collapsekit::simd

COLLAPSEKIT_SIMD_DIAGNOSTICS_END
