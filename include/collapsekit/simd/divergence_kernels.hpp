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
// float inputs are computed in float lanes (the blocks keep float accumulators short).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "../core/config.hpp"
#include "../core/numeric.hpp"
#include "compat.hpp"
#include "log.hpp"

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
    const T r = p / q;
    // The ratio over- or underflowed: split the log instead (costs one more log).
    if (r == std::numeric_limits<T>::infinity() || r == T(0)) return p * (std::log(p) - std::log(q));
    return p * std::log(r);
}

// p log(2p / (p + q)) + q log(2q / (p + q)): the mixture is never halved, so it cannot
// underflow to zero (0.5 * 5e-324 rounds to 0; 5e-324 + 1 does not), and each ratio lies
// in (0, 2] for probability inputs.
template <class T>
inline T js_term(T p, T q) noexcept {
    const T m = p + q;
    const T a = p > T(0) ? p * std::log((p + p) / m) : T(0);
    const T b = q > T(0) ? q * std::log((q + q) / m) : T(0);
    return a + b;
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
        const batch<T> r = p / q;
        batch<T> l = ::collapsekit::simd::log(r);
        const auto split = both & ((r == splat(std::numeric_limits<T>::infinity())) | (r == zero));
        if (any(split)) l = xsimd::select(split, ::collapsekit::simd::log(p) - ::collapsekit::simd::log(q), l);
        return xsimd::select(both, p * l, zero);
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
        const batch<T> a = p * ::collapsekit::simd::log((p + p) / m);
        const batch<T> b = q * ::collapsekit::simd::log((q + q) / m);
        return xsimd::select(p > zero, a, zero) + xsimd::select(q > zero, b, zero);
    }
#endif
};

struct hellinger_op {
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

struct tv_op {
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

template <class T, class Op>
pair_pass pair_scalar(const T* p, const T* q, std::size_t n, Op op) noexcept {
    pair_pass r;
    compensated_sum total;
    double sp = 0, sq = 0;
    double mn = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < n; ++i) {
        total.add(static_cast<double>(op.scalar(p[i], q[i], r.p_without_q)));
        sp += static_cast<double>(p[i]);
        sq += static_cast<double>(q[i]);
        mn = std::min(mn, static_cast<double>(std::min(p[i], q[i])));
    }
    r.value = total.value();
    r.sum_p = sp;
    r.sum_q = sq;
    r.min = mn;
    return r;
}

#if COLLAPSEKIT_HAS_SIMD

template <class T>
inline void neumaier_lanes(batch<T>& s, batch<T>& c, const batch<T>& x) noexcept {
    const batch<T> t = s + x;
    const auto s_bigger = xsimd::abs(s) >= xsimd::abs(x);
    c += xsimd::select(s_bigger, (s - t) + x, (x - t) + s);
    s = t;
}

template <class T, class Op>
pair_pass pair_simd(const T* p, const T* q, std::size_t n, Op op) noexcept {
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
        for (std::size_t i = start; i < stop; i += W) {
            const batch<T> bp = load(p + i);
            const batch<T> bq = load(q + i);
            neumaier_lanes(s, c, op.vector(bp, bq, flag));
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
    const pair_pass tail = pair_scalar(p + vector_end, q + vector_end, n - vector_end, op);
    total.add(tail.value);
    r.value = total.value();
    r.sum_p = sp + tail.sum_p;
    r.sum_q = sq + tail.sum_q;
    r.min = std::min(mn, tail.min);
    r.p_without_q = any(flag) || tail.p_without_q;
    return r;
}

#endif  // COLLAPSEKIT_HAS_SIMD

template <class T, class Op>
pair_pass pair_dispatch(const T* p, const T* q, std::size_t n, Op op) noexcept {
#if COLLAPSEKIT_HAS_SIMD
    return pair_simd(p, q, n, op);
#else
    return pair_scalar(p, q, n, op);
#endif
}

}  // namespace detail

// sum_i p_i log(p_i / q_i) over p_i > 0, q_i > 0 (terms with q_i = 0 < p_i are left out
// and reported in p_without_q). T is float or double.
template <class T>
pair_pass kl_sum_scalar(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_scalar(p, q, n, detail::kl_op{});
}
// sum_i [p_i log(2 p_i / (p_i + q_i)) + q_i log(2 q_i / (p_i + q_i))] (twice the JSD in nats).
template <class T>
pair_pass js_sum_scalar(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_scalar(p, q, n, detail::js_op{});
}
// sum_i (sqrt p_i - sqrt q_i)^2.
template <class T>
pair_pass hellinger_sum_scalar(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_scalar(p, q, n, detail::hellinger_op{});
}
// sum_i |p_i - q_i|.
template <class T>
pair_pass tv_sum_scalar(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_scalar(p, q, n, detail::tv_op{});
}

#if COLLAPSEKIT_HAS_SIMD
template <class T>
pair_pass kl_sum_simd(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_simd(p, q, n, detail::kl_op{});
}
template <class T>
pair_pass js_sum_simd(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_simd(p, q, n, detail::js_op{});
}
template <class T>
pair_pass hellinger_sum_simd(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_simd(p, q, n, detail::hellinger_op{});
}
template <class T>
pair_pass tv_sum_simd(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_simd(p, q, n, detail::tv_op{});
}
#endif

// Dispatchers: SIMD unless COLLAPSEKIT_NO_SIMD (or no xsimd).
template <class T>
pair_pass kl_sum(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_dispatch(p, q, n, detail::kl_op{});
}
template <class T>
pair_pass js_sum(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_dispatch(p, q, n, detail::js_op{});
}
template <class T>
pair_pass hellinger_sum(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_dispatch(p, q, n, detail::hellinger_op{});
}
template <class T>
pair_pass tv_sum(const T* p, const T* q, std::size_t n) noexcept {
    return detail::pair_dispatch(p, q, n, detail::tv_op{});
}

}  // namespace collapsekit::simd
