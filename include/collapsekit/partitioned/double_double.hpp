// Double-double arithmetic (about 106 significant bits) for the exact finish of the
// partitioned measures.
//
// Why: a partitioned W1 adds up, per cell, products of value differences and integer
// CDF numerators as large as 2^80 (n * m). In double, each product and each addition
// rounds; carried in double-double the sum keeps about 2^-104 relative error, so the
// value rounded once at the end is within an ulp of the exact real number (unless the
// terms cancel catastrophically, which they cannot in W1 or energy: every term is >= 0).
// Algorithms: Dekker / Knuth two-sum and an fma two-product (Shewchuk 1997; the QD
// library's sloppy add and multiply are not used: this file adds exactly).
#pragma once

#include <cmath>
#include <cstdint>

namespace collapsekit {
namespace partitioned {

struct dd {
    double hi = 0.0;
    double lo = 0.0;
    double value() const noexcept { return hi + lo; }
};

inline dd two_sum(double a, double b) noexcept {
    const double s = a + b;
    const double bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
}

inline dd quick_two_sum(double a, double b) noexcept {
    const double s = a + b;
    return {s, b - (s - a)};
}

inline dd two_prod(double a, double b) noexcept {
    const double p = a * b;
    return {p, std::fma(a, b, -p)};
}

inline dd operator+(dd a, dd b) noexcept {
    dd s = two_sum(a.hi, b.hi);
    const dd t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = quick_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return quick_two_sum(s.hi, s.lo);
}

inline dd operator-(dd a) noexcept { return {-a.hi, -a.lo}; }
inline dd operator-(dd a, dd b) noexcept { return a + (-b); }

inline dd operator*(dd a, dd b) noexcept {
    dd p = two_prod(a.hi, b.hi);
    p.lo += a.hi * b.lo + a.lo * b.hi;
    return quick_two_sum(p.hi, p.lo);
}

inline dd operator/(dd a, dd b) noexcept {
    const double q1 = a.hi / b.hi;
    dd r = a - dd{q1, 0.0} * b;
    const double q2 = r.hi / b.hi;
    r = r - dd{q2, 0.0} * b;
    const double q3 = r.hi / b.hi;
    return quick_two_sum(q1, q2) + dd{q3, 0.0};
}

inline bool operator<(dd a, dd b) noexcept { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }

__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128_t;

// An integer below 2^106 in magnitude converts exactly.
inline dd to_dd(int128 v) noexcept {
    const double hi = static_cast<double>(v);
    const int128 rest = v - static_cast<int128>(hi);
    return quick_two_sum(hi, static_cast<double>(rest));
}
inline dd to_dd_unsigned(uint128_t v) noexcept {
    const double hi = static_cast<double>(v);
    const int128 rest = static_cast<int128>(v - static_cast<uint128_t>(hi));
    return quick_two_sum(hi, static_cast<double>(rest));
}

inline dd ldexp(dd a, int e) noexcept { return {std::ldexp(a.hi, e), std::ldexp(a.lo, e)}; }

inline dd abs(dd a) noexcept { return a.hi < 0 || (a.hi == 0 && a.lo < 0) ? -a : a; }

inline dd sqrt(dd a) noexcept {
    if (!(a.hi > 0)) return {0.0, 0.0};
    const double x = std::sqrt(a.hi);
    const dd x2 = two_prod(x, x);
    const double corr = ((a - x2).hi) / (2.0 * x);
    return quick_two_sum(x, corr);
}

}  // namespace partitioned
}  // namespace collapsekit
