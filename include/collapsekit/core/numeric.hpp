// Logarithm bases, compensated summation and the x*log(y) family with their limits.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

#include "errors.hpp"
#include "view.hpp"

namespace collapsekit {

// The unit of an information measure, as the base of its logarithm.
//
// Natural log (nats) is the default everywhere. A double converts implicitly, so a
// caller writes ck::entropy(p, 2.0) or ck::entropy(p, ck::bits). The base must be
// positive, finite and not 1; that is checked by the measure that receives it, so
// the error names that measure.
class log_base {
public:
    constexpr log_base() noexcept = default;
    constexpr log_base(double base) noexcept : base_(base), natural_(false) {}  // NOLINT: implicit by design

    // The base; e for the default (natural) unit.
    constexpr double value() const noexcept { return natural_ ? 2.718281828459045235360287 : base_; }
    constexpr bool is_natural() const noexcept { return natural_; }

    // 1 / ln(base): multiply a value in nats by this to express it in this base.
    // Throws std::invalid_argument naming `function` for an invalid base.
    double nats_to_unit(std::string_view function) const {
        if (is_natural()) return 1.0;
        if (!(base_ > 0.0) || !std::isfinite(base_) || base_ == 1.0) {
            fail(function, "base must be positive, finite and not 1 (got " + detail::format_value(base_) + ")");
        }
        return 1.0 / std::log(base_);
    }

    // A value in nats expressed in the unit whose factor nats_to_unit gave. Every
    // information measure converts through this one function, so that all of them agree
    // on the edge cases: in a base below 1 the factor is negative and every value changes
    // sign, +inf nats (KL where p > 0 = q, say) included, which becomes -inf (as in scipy).
    static constexpr double in_unit(double nats, double unit) noexcept { return nats * unit; }

private:
    double base_ = 0.0;
    bool natural_ = true;  // e is kept apart so the default unit costs no log and no division
};

inline constexpr log_base nats{};
inline constexpr log_base bits{2.0};
inline constexpr log_base dits{10.0};

// The rounding error of s = a + b: a + b - s exactly, in round-to-nearest (Knuth's
// TwoSum, six operations, no branch). T is float, double or a SIMD batch of them.
template <class T>
inline T two_sum_error(const T& a, const T& b, const T& s) noexcept {
    const T b_part = s - a;
    const T a_part = s - b_part;
    return (a - a_part) + (b - b_part);
}

// Neumaier's improved Kahan summation: error bounded by about 2 ulp of the result
// plus n * eps^2 * sum|x|, independent of the order of magnitude of the terms.
class compensated_sum {
public:
    constexpr compensated_sum() noexcept = default;
    constexpr explicit compensated_sum(double initial) noexcept : sum_(initial) {}

    constexpr void add(double x) noexcept {
        const double t = sum_ + x;
        if (std::abs(sum_) >= std::abs(x)) {
            comp_ += (sum_ - t) + x;
        } else {
            comp_ += (x - t) + sum_;
        }
        sum_ = t;
    }
    constexpr compensated_sum& operator+=(double x) noexcept {
        add(x);
        return *this;
    }
    constexpr compensated_sum& operator+=(const compensated_sum& other) noexcept {
        add(other.sum_);
        add(other.comp_);
        return *this;
    }
    // An infinite running sum leaves a NaN compensation (inf - inf); IEEE addition
    // would give the infinity, so that is what is returned.
    constexpr double value() const noexcept { return std::isfinite(sum_) ? sum_ + comp_ : sum_; }
    // What value() rounds away: value() + residual() is the compensated sum to about twice
    // double precision (an exact total, where the sum of a few terms is wanted exactly,
    // e.g. to normalise by it). 0 for a non-finite sum.
    double residual() const noexcept {
        if (!std::isfinite(sum_) || !std::isfinite(comp_)) return 0.0;
        const double hi = sum_ + comp_;
        return two_sum_error(sum_, comp_, hi);
    }

private:
    double sum_ = 0.0;
    double comp_ = 0.0;
};

// The rounding error of p = a * b: a * b - p exactly (barring under- and overflow), by a
// fused multiply-add where the target has a fast one, else by Dekker's splitting.
inline double two_product_error(double a, double b, double p) noexcept {
#if defined(FP_FAST_FMA)
    return std::fma(a, b, -p);
#else
    constexpr double split = 134217729.0;  // 2^27 + 1
    const double ta = split * a, tb = split * b;
    const double ah = ta - (ta - a), bh = tb - (tb - b);
    const double al = a - ah, bl = b - bh;
    return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
}

namespace detail {

// The k for which 2^k largest lies in [2^(target - 1), 2^target) (0 for largest = 0), and
// tools to apply it: measures that square or integrate differences of samples run on the
// samples scaled by such a power of two, so that nothing overflows near DBL_MAX and
// subnormal samples are lifted into the normal range. Scaling by 2^k is exact (but for
// values that land below the normal range), and so are differences, products with
// integers, sums and square roots of the scaled values wherever the unscaled ones stayed
// in the normal range: there the results are bit-identical once scaled back.
inline int scale_exponent(double largest, int target) noexcept {
    if (!(largest > 0.0)) return 0;
    int e = 0;
    (void)std::frexp(largest, &e);  // largest in [2^(e - 1), 2^e)
    return target - e;
}
// The scale_exponent for Euclidean distances in dim dimensions between points whose
// largest |coordinate| is `largest`: the scaled largest stays below
// 2^((1021 - ceil(log2 dim)) / 2 - 1), so a squared distance (at most 4 dim largest^2) stays
// below 2^1021, and the squares of small differences keep the most room above the normal
// range.
inline int distance_scale_exponent(double largest, std::size_t dim) noexcept {
    int log2_dim = 0;
    while (log2_dim < 63 && (std::size_t{1} << log2_dim) < dim) ++log2_dim;
    return scale_exponent(largest, (1021 - log2_dim) / 2 - 1);
}
inline double largest_magnitude(const double* v, std::size_t n) noexcept {
    double m = 0.0;
    for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::abs(v[i]));
    return m;
}
inline void scale_by_power_of_two(double* v, std::size_t n, int e) noexcept {
    if (e == 0) return;
    for (std::size_t i = 0; i < n; ++i) v[i] = std::ldexp(v[i], e);
}

// The index of the first of v[0, n) that is not a whole number in [lo, hi) (a fraction,
// NaN or +-inf, or a value out of range), or n when every value is one. Integer
// arguments (token ids, category ids, offsets) that arrive as floating-point values are
// taken only so: 3.0 is 3, while 1.7 is refused rather than truncated to 1 (a cast would
// do that silently, and make NaN into an arbitrary integer).
inline std::size_t first_not_whole(const double* v, std::size_t n, double lo, double hi) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        const double x = v[i];
        if (!(x >= lo && x < hi) || x != std::floor(x)) return i;
    }
    return n;
}
// A total as ck::estimate::n: totals past SIZE_MAX (double counts, or counts whose sum
// overflows to +inf) saturate there, since converting them would be undefined.
inline std::size_t sample_size(double total) noexcept {
    constexpr double limit = 18446744073709549568.0;  // largest double below 2^64
    if (!(total >= 0.0)) return 0;
    return total >= limit ? static_cast<std::size_t>(-1) : static_cast<std::size_t>(total);
}
}  // namespace detail

// x log y with the limit 0 log y = 0 for y >= 0 (scipy.special.xlogy, except that
// x = 0 with y = NaN gives NaN there too).
inline double xlogy(double x, double y) noexcept {
    if (x == 0.0 && !std::isnan(y)) return 0.0;
    return x * std::log(y);
}

// x log x with 0 log 0 = 0 (the entropy integrand); negative x gives NaN.
inline double xlogx(double x) noexcept { return x == 0.0 ? 0.0 : x * std::log(x); }

// log(x / y) for positive finite x and y (float or double), within about 2 ulp of the
// log of the exact ratio. Near x = y the log of the rounded ratio would only be accurate
// to 1 ulp of 1 (absolute), which is no relative accuracy at all when the log is tiny,
// as in KL between nearly equal distributions; there x - y is exact (Sterbenz) and
// log1p((x - y) / y) keeps the relative accuracy. A ratio that would over- or underflow
// (or come out subnormal) is split into log x - log y.
template <class T>
inline T log_ratio(T x, T y) noexcept {
    if (x >= y / 2 && x <= y + y) return std::log1p((x - y) / y);
    const T r = x / y;
    if (r >= std::numeric_limits<T>::min() && r <= std::numeric_limits<T>::max()) return std::log(r);
    return std::log(x) - std::log(y);
}

// The elementwise relative entropy x log(x / y), as scipy.special.rel_entr:
//   x > 0, y > 0: x log(x/y);  x = 0, y >= 0: 0;  otherwise +inf; NaN in, NaN out.
// The log is log_ratio's, accurate also where x / y is close to 1 (scipy's x log(x / y)
// is not there).
inline double rel_entr(double x, double y) noexcept {
    if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
    if (x > 0.0 && y > 0.0) {
        if (std::isinf(x) || std::isinf(y)) return x * (std::log(x) - std::log(y));
        return x * log_ratio(x, y);
    }
    if (x == 0.0 && y >= 0.0) return 0.0;
    return std::numeric_limits<double>::infinity();
}

// Sum of a range with compensated summation (order of the input is preserved).
template <class T>
double accurate_sum(view<const T> x) noexcept {
    compensated_sum s;
    for (const T& v : x) s.add(static_cast<double>(v));
    return s.value();
}

}  // namespace collapsekit
