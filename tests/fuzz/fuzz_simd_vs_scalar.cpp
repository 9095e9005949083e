// libFuzzer target: every SIMD kernel (include/collapsekit/simd/) against its scalar twin
// on arbitrary inputs: any bit pattern, any length up to a few blocks, unaligned starts.
// Where the inputs lie in a kernel's documented domain the two must agree within the
// tolerance its header documents and tests/test_simd_*.cpp, test_entropy_simd.cpp and
// test_divergence.cpp assert; everywhere the IEEE special-value rules and the "trace"
// rules the headers promise (a bad input shows in the sums or the minimum) must hold.
//   sum.hpp                 compensated: 2 ulp of the result plus Neumaier's n eps^2 sum|x|
//                           term; plain: n eps sum|x| (plain summation's bound)
//   min_max.hpp             identical
//   log.hpp                 double: each within 1 ulp of log, so 2 ulp apart; float: 1 ulp
//                           of the float nearest log(x); special values as IEEE
//   entropy_kernels.hpp     sum x log x on [0, 1] (scaled) and c log c: 4 ulp; totals exact
//   divergence_kernels.hpp  4 eps sum|term| + the smallest subnormal, on [0, 1] (scaled);
//                           for JS the sum of both parts' sizes (see js_ref)
//   histogram_fill.hpp      slots and counts identical, weighted sums bit for bit
#include <collapsekit/histogram.hpp>
#include <collapsekit/simd/divergence_kernels.hpp>
#include <collapsekit/simd/entropy_kernels.hpp>
#include <collapsekit/simd/histogram_fill.hpp>
#include <collapsekit/simd/log.hpp>
#include <collapsekit/simd/min_max.hpp>
#include <collapsekit/simd/sum.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "fuzz_support.hpp"

namespace ck = collapsekit;
namespace simd = collapsekit::simd;
using collapsekit_fuzz::consume_double;
using collapsekit_fuzz::context;
using collapsekit_fuzz::describe;
using collapsekit_fuzz::finding;

namespace {

// Long enough for several 4-batch groups and, for the divergence kernels (blocks of 256
// batches), a block boundary at AVX-512 width: a few distinct values tiled to length n.
constexpr std::size_t max_n = 2 * 256 * 8 + 40;

struct input {
    std::vector<double> store;  // n + offset values
    std::size_t offset = 0;
    std::size_t n = 0;
    const double* data() const { return store.data() + offset; }
};

input consume_input(FuzzedDataProvider& in) {
    input x;
    x.n = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::size_t>(0, 70)
                           : in.ConsumeIntegralInRange<std::size_t>(0, max_n);
    x.offset = in.ConsumeIntegralInRange<std::size_t>(0, 7);
    std::vector<double> distinct(in.ConsumeIntegralInRange<std::size_t>(1, 40));
    for (double& v : distinct) v = consume_double(in);
    x.store.resize(x.n + x.offset);
    for (std::size_t i = 0; i < x.store.size(); ++i) x.store[i] = distinct[i % distinct.size()];
    context() += "n = " + std::to_string(x.n) + ", offset = " + std::to_string(x.offset) + ", values tiled from " +
                 describe(distinct) + "; ";
    return x;
}

template <class T>
std::vector<T> converted(const input& x) {
    std::vector<T> out(x.store.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const double v = x.store[i];
        if constexpr (std::is_floating_point_v<T>) {
            // Out of T's range rounds to an infinity, as IEEE does (the cast itself is UB).
            const double big = static_cast<double>(std::numeric_limits<T>::max());
            out[i] =
                std::abs(v) <= big || std::isnan(v) ? static_cast<T>(v) : static_cast<T>(v > 0 ? HUGE_VAL : -HUGE_VAL);
        } else {
            // Integer lanes: a value of the type (in range, truncated), never a UB cast.
            const double limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
            out[i] = std::isfinite(v) && std::abs(v) < limit ? static_cast<T>(v) : T(0);
        }
    }
    return out;
}

// Distance in units in the last place between two doubles: the number of doubles between
// them, counted on the bit patterns mapped to an ordered unsigned line. (The difference is
// taken in integers: tests/test_entropy_simd.cpp converts each 64-bit pattern to a double
// first, which rounds to a multiple of 512 or 1024 and reads 1 ulp as 0 or 1024.)
double ulp_distance(double a, double b) {
    if (a == b) return 0.0;
    if (std::isnan(a) || std::isnan(b)) return HUGE_VAL;
    auto ordered = [](double v) {
        std::uint64_t u;
        std::memcpy(&u, &v, 8);
        return (u >> 63) != 0 ? ~u : u | (std::uint64_t{1} << 63);
    };
    const std::uint64_t ua = ordered(a), ub = ordered(b);
    return static_cast<double>(ua > ub ? ua - ub : ub - ua);
}

bool same_or_both_nan(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string show(double a, double b) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " (simd %.17g, scalar %.17g)", a, b);
    return buf;
}

#if COLLAPSEKIT_HAS_SIMD

void sums(const input& x) {
    const double* p = x.data();
    const std::size_t n = x.n;
    const double a = simd::sum_compensated_simd(p, n), b = simd::sum_compensated_scalar(p, n);
    bool nan = false, pos_inf = false, neg_inf = false;
    double abs_sum = 0, abs_finite = 0;
    for (std::size_t i = 0; i < n; ++i) {
        nan = nan || std::isnan(p[i]);
        pos_inf = pos_inf || p[i] == HUGE_VAL;
        neg_inf = neg_inf || p[i] == -HUGE_VAL;
        abs_sum += std::abs(p[i]);
        if (std::isfinite(p[i])) abs_finite += std::abs(p[i]);
    }
    const double eps = std::numeric_limits<double>::epsilon();
    if (nan || (pos_inf && neg_inf)) {
        if (!(std::isnan(a) && std::isnan(b))) finding("sum_compensated: NaN input, not NaN" + show(a, b));
    } else if ((pos_inf || neg_inf) && std::isfinite(abs_finite)) {
        // (Where the finite values alone can overflow, which infinity, or NaN, a partial sum
        // meets depends on the order of the additions: no one answer is promised.)
        const double want = pos_inf ? HUGE_VAL : -HUGE_VAL;
        if (!(a == want && b == want)) finding("sum_compensated: an infinite input, not that infinity" + show(a, b));
    } else if (std::isfinite(abs_sum)) {
        const double tol = 2 * eps * std::abs(b) + 4 * static_cast<double>(n) * eps * eps * abs_sum;
        if (!(std::abs(a - b) <= tol)) finding("sum_compensated: SIMD and scalar differ" + show(a, b));
    }
    if (std::isfinite(abs_sum)) {
        const double pa = simd::sum_plain_simd(p, n), pb = simd::sum_plain_scalar(p, n);
        if (!(std::abs(pa - pb) <= static_cast<double>(n + 1) * eps * abs_sum))
            finding("sum_plain<double>: SIMD and scalar differ" + show(pa, pb));
    }
    const std::vector<float> f = converted<float>(x);
    double fabs_sum = 0;
    for (std::size_t i = 0; i < n; ++i) fabs_sum += std::abs(static_cast<double>(f[x.offset + i]));
    if (fabs_sum <= std::numeric_limits<float>::max()) {
        const double fa = simd::sum_plain_simd(f.data() + x.offset, n),
                     fb = simd::sum_plain_scalar(f.data() + x.offset, n);
        if (!(std::abs(fa - fb) <= static_cast<double>(n + 1) * std::numeric_limits<float>::epsilon() * fabs_sum))
            finding("sum_plain<float>: SIMD and scalar differ" + show(fa, fb));
    }
}

template <class T>
void min_max_of(const input& x) {
    const std::vector<T> v = converted<T>(x);
    const simd::min_max_result a = simd::min_max(v.data() + x.offset, x.n);
    const simd::min_max_result b = simd::min_max_scalar(v.data() + x.offset, x.n);
    if (!(a.min == b.min && a.max == b.max && a.has_nan == b.has_nan))
        finding("min_max: SIMD and scalar differ" + show(a.min, b.min) + show(a.max, b.max));
}

void logs(const input& x) {
    constexpr std::size_t W = simd::lanes<double>;
    std::vector<double> v(x.data(), x.data() + x.n);
    v.resize((x.n + W - 1) / W * W, 1.0);
    for (std::size_t i = 0; i < v.size(); i += W) {
        alignas(64) double out[W];
        simd::store(out, simd::log(simd::load(v.data() + i)));
        for (std::size_t j = 0; j < W; ++j) {
            const double want = std::log(v[i + j]);
            if (std::isnan(want) || std::isinf(want)) {
                if (!same_or_both_nan(out[j], want)) finding("simd::log: a special value" + show(out[j], want));
            } else if (ulp_distance(out[j], want) > 2.0) {
                finding("simd::log: more than 2 ulp from std::log" + show(out[j], want));
            }
        }
    }
    constexpr std::size_t F = simd::lanes<float>;
    std::vector<float> f = converted<float>(x);
    f.resize((f.size() + F - 1) / F * F, 1.0f);
    for (std::size_t i = 0; i < f.size(); i += F) {
        alignas(64) float out[F];
        simd::store(out, simd::log(simd::load(f.data() + i)));
        for (std::size_t j = 0; j < F; ++j) {
            const float want = static_cast<float>(std::log(static_cast<double>(f[i + j])));
            if (std::isnan(want) || std::isinf(want)) {
                if (!same_or_both_nan(out[j], want)) finding("simd::log<float>: a special value" + show(out[j], want));
            } else if (!(std::abs(static_cast<double>(out[j]) - static_cast<double>(want)) <=
                         std::abs(static_cast<double>(want)) * 0x1.0p-23)) {
                finding("simd::log<float>: more than 1 ulp from the rounded log" + show(out[j], want));
            }
        }
    }
}

void xlogx(const input& x, double scale) {
    const simd::xlogx_sums a = simd::sum_xlogx_simd(x.data(), x.n, scale);
    const simd::xlogx_sums b = simd::sum_xlogx_scalar(x.data(), x.n, scale);
    bool in_unit = true, valid = true;
    std::size_t subnormal_terms = 0;
    for (std::size_t i = 0; i < x.n; ++i) {
        const double y = scale * x.data()[i];
        in_unit = in_unit && y >= 0.0 && y <= 1.0;
        valid = valid && y >= 0.0 && std::isfinite(y);
        const double t = std::abs(y * std::log(y));
        subnormal_terms += t > 0.0 && t < std::numeric_limits<double>::min() ? 1 : 0;
    }
    // The header's promise: a finite answer means every scaled input was non-negative and finite.
    for (const simd::xlogx_sums& r : {a, b}) {
        if (std::isfinite(r.sum_xlogx) && !valid) finding("sum_xlogx: finite for a negative, NaN or infinite input");
    }
    // 4 ulp, plus one smallest subnormal per subnormal term: such a product is rounded to a
    // multiple of it, and the twins' logs (each within 1 ulp) may round it to neighbours.
    const double floor = static_cast<double>(subnormal_terms) * std::numeric_limits<double>::denorm_min();
    auto close = [&](double u, double v) {
        return ulp_distance(u, v) <= 4.0 ||
               std::abs(u - v) <= floor + 4 * (std::nextafter(std::abs(v), HUGE_VAL) - std::abs(v));
    };
    if (in_unit && (!close(a.sum_xlogx, b.sum_xlogx) || ulp_distance(a.sum, b.sum) > 4.0))
        finding("sum_xlogx: SIMD and scalar differ by more than 4 ulp" + show(a.sum_xlogx, b.sum_xlogx));
}

void clogc(FuzzedDataProvider& in, const input& x) {
    std::vector<std::uint64_t> c(x.n + x.offset);
    std::vector<std::uint64_t> distinct(in.ConsumeIntegralInRange<std::size_t>(1, 16));
    for (auto& v : distinct) {
        switch (in.ConsumeIntegralInRange<int>(0, 3)) {
            case 0:
                v = in.ConsumeIntegralInRange<std::uint64_t>(0, 4200);  // the table and its edge
                break;
            case 1:
                v = in.ConsumeIntegralInRange<std::uint64_t>(0, std::uint64_t{1} << 53);
                break;
            default:
                v = in.ConsumeIntegral<std::uint64_t>();
        }
    }
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = distinct[i % distinct.size()];
    const std::uint64_t* p = c.data() + x.offset;
    const simd::clogc_sums a = simd::sum_clogc_simd(p, x.n), b = simd::sum_clogc_scalar(p, x.n);
    if (a.total != b.total) finding("sum_clogc: totals differ");
    if (ulp_distance(a.sum_clogc, b.sum_clogc) > 4.0)
        finding("sum_clogc: SIMD and scalar differ by more than 4 ulp" + show(a.sum_clogc, b.sum_clogc));
    // total_double is a plain sum of the counts: (n + 1) eps of it.
    if (!(std::abs(a.total_double - b.total_double) <=
          static_cast<double>(x.n + 1) * std::numeric_limits<double>::epsilon() * b.total_double))
        finding("sum_clogc: total_double differs" + show(a.total_double, b.total_double));
}

// The reference terms of tests/test_divergence.cpp, in double, for the tolerance's scale.
double kl_ref(double a, double b) { return a > 0 && b > 0 ? a * std::log(a / b) : 0.0; }
// A JS term is the sum of two parts of opposite signs that cancel (p log(2p/m) < 0 <
// q log(2q/m) for p < q), each carrying the error of its own log: the scale is the sum of
// the parts' sizes (up to 9x sum|term| on a fuzzer's input where p and q differ by 60 %).
double js_ref(double a, double b) {
    return std::abs(a > 0 ? a * std::log(2 * a / (a + b)) : 0.0) +
           std::abs(b > 0 ? b * std::log(2 * b / (a + b)) : 0.0);
}
double he_ref(double a, double b) { return (std::sqrt(a) - std::sqrt(b)) * (std::sqrt(a) - std::sqrt(b)); }
double tv_ref(double a, double b) { return std::abs(a - b); }

template <class T>
void divergence_kernels(const input& xp, const input& xq, double sp, double sq) {
    const std::vector<T> pv = converted<T>(xp), qv = converted<T>(xq);
    const std::size_t n = std::min(xp.n, xq.n);
    const T* p = pv.data() + xp.offset;
    const T* q = qv.data() + xq.offset;
    const T scale_p = static_cast<T>(sp), scale_q = static_cast<T>(sq);
    bool in_unit = true, clean = true;
    double s_kl = 0, s_js = 0, s_he = 0, s_tv = 0;
    std::size_t tiny_entries = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const T a = p[i] * scale_p, b = q[i] * scale_q;  // what the kernels read
        in_unit = in_unit && a >= T(0) && a <= T(1) && b >= T(0) && b <= T(1);
        clean = clean && a >= T(0) && b >= T(0) && std::isfinite(a) && std::isfinite(b);
        tiny_entries +=
            (a > T(0) && a < std::numeric_limits<T>::min()) || (b > T(0) && b < std::numeric_limits<T>::min());
        const double da = static_cast<double>(a), db = static_cast<double>(b);
        s_kl += std::abs(kl_ref(da, db));
        s_js += std::abs(js_ref(da, db));
        s_he += std::abs(he_ref(da, db));
        s_tv += std::abs(tv_ref(da, db));
    }
    const double eps = std::numeric_limits<T>::epsilon();
    // The smallest subnormal once, as the tests allow, and once more per entry with a
    // subnormal side: its terms may be subnormal, rounded to multiples of it (see xlogx).
    const double tiny =
        static_cast<double>(std::numeric_limits<T>::denorm_min()) * static_cast<double>(1 + tiny_entries);
    auto compare = [&](const char* name, const simd::pair_pass& a, const simd::pair_pass& b, double scale_sum) {
        // Outside the domain: a bad entry must leave its trace (a negative minimum or a
        // non-finite sum), which is what the callers check before trusting the value.
        for (const simd::pair_pass* r : {&a, &b}) {
            if (!clean && r->min >= 0.0 && std::isfinite(r->sum_p) && std::isfinite(r->sum_q))
                finding(std::string(name) + ": a negative, NaN or infinite entry left no trace");
        }
        if (!in_unit) return;
        if (!(std::abs(a.value - b.value) <= 4 * eps * scale_sum + tiny))
            finding(std::string(name) + ": SIMD and scalar differ by more than 4 eps sum|term|" +
                    show(a.value, b.value));
        if (a.min != b.min) finding(std::string(name) + ": minimum differs" + show(a.min, b.min));
        const double plain = static_cast<double>(n + 1) * eps;
        if (!(std::abs(a.sum_p - b.sum_p) <= plain * (b.sum_p + 1e-300)) ||
            !(std::abs(a.sum_q - b.sum_q) <= plain * (b.sum_q + 1e-300)))
            finding(std::string(name) + ": input sums differ");
    };
    const auto k1 = simd::kl_sum_simd(p, q, n, scale_p, scale_q), k0 = simd::kl_sum_scalar(p, q, n, scale_p, scale_q);
    compare("kl_sum", k1, k0, s_kl);
    if (in_unit && k1.p_without_q != k0.p_without_q) finding("kl_sum: p_without_q differs");
    compare("js_sum", simd::js_sum_simd(p, q, n, scale_p, scale_q), simd::js_sum_scalar(p, q, n, scale_p, scale_q),
            s_js);
    compare("hellinger_sum", simd::hellinger_sum_simd(p, q, n, scale_p, scale_q),
            simd::hellinger_sum_scalar(p, q, n, scale_p, scale_q), s_he);
    compare("tv_sum", simd::tv_sum_simd(p, q, n, scale_p, scale_q), simd::tv_sum_scalar(p, q, n, scale_p, scale_q),
            s_tv);
}

#endif  // COLLAPSEKIT_HAS_SIMD

// Slots and counts through the dispatchers (SIMD where it applies) against the scalar twins.
template <class T, class B>
void histogram_kernels(const B& b, const input& x, const input& w) {
    const std::vector<T> v = converted<T>(x);
    const T* p = v.data() + x.offset;
    const std::size_t n = x.n, ns = simd::histogram_slot_count(b);
    std::vector<std::uint64_t> s1(n), s0(n);
    simd::histogram_slots(p, n, b, s1.data());
    simd::histogram_slots_scalar(p, n, b, s0.data());
    if (s1 != s0) finding("histogram_slots: SIMD and scalar differ");
    std::vector<std::uint64_t> c1(ns, 0), c0(ns, 0);
    simd::histogram_count(p, n, b, c1.data());
    simd::histogram_count_scalar(p, n, b, c0.data());
    if (c1 != c0) finding("histogram_count: SIMD and scalar differ");
    std::vector<double> wv(n);
    for (std::size_t i = 0; i < n; ++i) wv[i] = w.store.empty() ? 1.0 : w.store[i % w.store.size()];
    std::vector<double> a1(ns, 0), a0(ns, 0), q1(ns, 0), q0(ns, 0);
    std::fill(c1.begin(), c1.end(), 0);
    std::fill(c0.begin(), c0.end(), 0);
    simd::histogram_count_weighted(p, wv.data(), n, b, c1.data(), a1.data(), q1.data());
    simd::histogram_count_weighted_scalar(p, wv.data(), n, b, c0.data(), a0.data(), q0.data());
    if (c1 != c0) finding("histogram_count_weighted: counts differ");
    for (std::size_t s = 0; s < ns; ++s) {
        if (!same_or_both_nan(a1[s], a0[s]) || !same_or_both_nan(q1[s], q0[s]))
            finding("histogram_count_weighted: weight sums differ (documented bit for bit)");
    }
}

template <class T>
void histogram_kernels_all(FuzzedDataProvider& in, const input& x, const input& w) {
    const std::size_t bins = in.ConsumeIntegralInRange<std::size_t>(1, 300);
    const double lo = consume_double(in), hi = consume_double(in);
    try {
        const ck::histogram h = ck::histogram::regular(bins, lo, hi);
        const simd::regular_binning b{bins,
                                      lo,
                                      hi,
                                      static_cast<double>(bins) / (hi - lo),
                                      (hi - lo) / static_cast<double>(bins),
                                      h.edges().data()};
        histogram_kernels<T>(b, x, w);
    } catch (const std::invalid_argument&) {
    }
    std::vector<double> edges(w.store.begin(),
                              w.store.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(w.store.size(), 64)));
    std::sort(edges.begin(), edges.end());
    try {
        const ck::histogram h = ck::histogram::with_edges(edges);
        histogram_kernels<T>(simd::edges_binning{h.bins(), h.edges().data()}, x, w);
    } catch (const std::invalid_argument&) {
    }
    histogram_kernels<T>(simd::integer_binning{bins}, x, w);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const int which = in.ConsumeIntegralInRange<int>(0, 5);
    const double scale_p = in.ConsumeBool() ? 1.0 : consume_double(in);
    const double scale_q = in.ConsumeBool() ? 1.0 : consume_double(in);
    context() = "kernel group " + std::to_string(which) + ", scales " + describe({scale_p, scale_q}) + "; ";
    const input x = consume_input(in);
    const input y = consume_input(in);
    switch (which) {
#if COLLAPSEKIT_HAS_SIMD
        case 0:
            sums(x);
            min_max_of<double>(x);
            min_max_of<float>(x);
            min_max_of<std::int32_t>(x);
            break;
        case 1:
            logs(x);
            break;
        case 2:
            xlogx(x, scale_p);
            clogc(in, x);
            break;
        case 3:
            divergence_kernels<double>(x, y, scale_p, scale_q);
            break;
        case 4:
            divergence_kernels<float>(x, y, scale_p, scale_q);
            break;
#endif
        default:
            histogram_kernels_all<double>(in, x, y);
            histogram_kernels_all<float>(in, x, y);
            histogram_kernels_all<std::int64_t>(in, x, y);
    }
    return 0;
}
