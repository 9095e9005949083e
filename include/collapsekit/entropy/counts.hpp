// Shannon entropy from category counts: the plug-in estimate and its bias corrections.
//
// Counts are non-negative whole numbers of any arithmetic type (uint64 counts take the
// SIMD path); zero counts are allowed (empty categories), an all-zero or empty vector is
// an error. Every estimator here takes N = sum of the counts as a double, so integer
// counts whose total passes 2^64 (where a uint64 total would wrap) are no error: they are
// summed in double precision, like double counts (whose total may pass DBL_MAX, below). A NaN count is an error too:
// counts cannot be missing, only zero. Results are in the unit of `base` (nats by default) and come as ck::estimate
// {value, standard_error, n = total count}.
//
// The standard error reported by the plug-in and its corrections (Miller-Madow,
// Grassberger, Chao-Shen, James-Stein) is the delta-method one,
//   se = sqrt((sum p (log p)^2 - H^2) / N),  p = c / N,
// which is the first-order standard error of all of them (they differ from the plug-in
// by O(1/N) terms). It is 0 when all mass is in one category, and it ignores the bias,
// so for small N prefer the bootstrap (ck::bootstrap_counts, see entropy/estimator.hpp)
// or NSB's posterior standard deviation.
//
// Threads: each function has an overload with a leading ck::execution (ck::threads(n),
// ck::all_threads; see core/parallel.hpp). Every pass over the counts runs in fixed
// chunks of ck::reduction_chunk categories whose compensated partial sums (and exact
// integer totals) are merged in chunk order: the answer is bit-identical for every
// thread count, and the overload without an execution is the one-thread case.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/math/special_functions/digamma.hpp>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../core/parallel.hpp"
#include "../core/view.hpp"
#include "../simd/entropy_kernels.hpp"

namespace collapsekit {

namespace detail {

// One count as a double, after checking it is a non-negative whole number.
template <class T>
double checked_count(const char* function, view<const T> c, std::size_t i) {
    static_assert(std::is_arithmetic_v<T>, "counts must be arithmetic");
    const T v = c[i];
    bool ok = true;
    if constexpr (std::is_floating_point_v<T>) {
        ok = v >= T(0) && std::isfinite(v) && v == std::floor(v);
    } else if constexpr (std::is_signed_v<T>) {
        ok = v >= T(0);
    }
    if (!ok) {
        fail(function, "counts must be non-negative whole numbers (counts[" + std::to_string(i) +
                           "] = " + detail::format_value(v) + ")");
    }
    return static_cast<double>(v);
}

// What every count estimator needs, from one checked pass.
// Counts are finite but their sum, or sum c log c, need not be (double counts near
// DBL_MAX): then total and sum_clogc are those of the counts times `scale`, a power of
// two 2^-k that brings both back into range (exact: positive counts are whole, so at
// least 1, and k is at most 76). The true N is total / scale, which may be +inf; the estimators use total and
// scale so that shares c / N = (c scale) / total stay exact. scale is 1 otherwise.
struct count_summary {
    double total = 0;            // N (times scale)
    double sum_clogc = 0;        // sum c log c (of the counts times scale)
    double scale = 1.0;          // see above
    std::size_t bins = 0;        // K, the length of the vector
    std::size_t nonzero = 0;     // m, categories seen
    std::size_t singletons = 0;  // f1
};

// One chunk's share of a count_summary, its sums not yet rounded.
struct count_partial {
    compensated_sum total, sum_clogc;
    std::size_t nonzero = 0, singletons = 0;
};

template <class T>
count_summary summarise_counts(const execution& ex, const char* function, view<const T> c) {
    require_not_empty(function, "counts", c.size());
    // A chunk throws at its first bad count; the lowest chunk's error is the one seen.
    const std::vector<count_partial> parts =
        chunked_map<count_partial>(ex, c.size(), reduction_chunk, [&](std::size_t b, std::size_t e) {
            count_partial r;
            for (std::size_t i = b; i < e; ++i) {
                const double v = checked_count(function, c, i);
                if (v == 0.0) continue;
                r.total.add(v);
                r.sum_clogc.add(v < static_cast<double>(simd::clogc_table_size)
                                    ? simd::clogc_table()[static_cast<std::size_t>(v)]
                                    : v * std::log(v));
                ++r.nonzero;
                if (v == 1.0) ++r.singletons;
            }
            return r;
        });
    // One chunk keeps its own rounding; more merge their partials in chunk order.
    auto merged = [&](compensated_sum count_partial::*m) {
        if (parts.size() == 1) return (parts[0].*m).value();
        compensated_sum t;
        for (const count_partial& p : parts) t += p.*m;
        return t.value();
    };
    count_summary s;
    s.bins = c.size();
    s.total = merged(&count_partial::total);
    s.sum_clogc = merged(&count_partial::sum_clogc);
    for (const count_partial& p : parts) {
        s.nonzero += p.nonzero;
        s.singletons += p.singletons;
    }
    require(s.total > 0.0, function, "counts must not be all zero");
    if (!std::isfinite(s.total) || !std::isfinite(s.sum_clogc)) {
        // Finite counts whose sums overflow: n counts of at most DBL_MAX sum to at most
        // n DBL_MAX, so 2^-(ceil(log2 n) + 1) brings the sum under DBL_MAX / 2, and 2^-10
        // more keeps c log c (log c < 710 < 2^10) in range.
        int k = 11;
        while (k < 76 && std::ldexp(1.0, k - 11) < static_cast<double>(c.size())) ++k;
        s.scale = std::ldexp(1.0, -k);
        const double scale = s.scale;
        const std::vector<count_partial> scaled =
            chunked_map<count_partial>(ex, c.size(), reduction_chunk, [&](std::size_t b, std::size_t e) {
                count_partial r;
                for (std::size_t i = b; i < e; ++i) {
                    const double v = static_cast<double>(c[i]) * scale;
                    if (v > 0.0) {
                        r.total.add(v);
                        r.sum_clogc.add(v * std::log(v));
                    }
                }
                return r;
            });
        compensated_sum total, sum_clogc;
        for (const count_partial& p : scaled) {
            total += p.total;
            sum_clogc += p.sum_clogc;
        }
        s.total = total.value();
        s.sum_clogc = sum_clogc.value();
    }
    return s;
}
template <class T>
count_summary summarise_counts(const char* function, view<const T> c) {
    return summarise_counts(sequential, function, c);
}

// N and sum c log c only (both times `scale`, see count_summary): the SIMD kernel for
// 64-bit integers whose total stays below 2^63 (signed) or 2^64 (unsigned; scale = 1), the
// checked scalar pass in double precision otherwise. Signed 64-bit counts (numpy's default) are read as uint64, the
// same bits for non-negative values; a negative one reads as >= 2^63 and so shows in the double total, and then (as for
// any total >= 2^63) the checked pass decides, and reports a negative count.
template <class T>
void total_and_clogc(const execution& ex, const char* function, view<const T> c, double& total, double& sum_clogc,
                     double& scale) {
    scale = 1.0;
    if constexpr (std::is_integral_v<T> && std::is_signed_v<T> && sizeof(T) == sizeof(std::uint64_t)) {
        if (!c.empty()) {
            // Accessing an object through its unsigned counterpart is allowed aliasing.
            const simd::clogc_sums r = simd::sum_clogc(ex, reinterpret_cast<const std::uint64_t*>(c.data()), c.size());
            if (r.total_double < 0x1.0p63 && r.total > 0) {
                total = static_cast<double>(r.total);
                sum_clogc = r.sum_clogc;
                return;
            }
        }
        const count_summary s = summarise_counts(ex, function, c);
        total = s.total;
        sum_clogc = s.sum_clogc;
        scale = s.scale;
    } else if constexpr (std::is_same_v<T, std::uint64_t>) {
        require_not_empty(function, "counts", c.size());
        const simd::clogc_sums r = simd::sum_clogc(ex, c.data(), c.size());
        // The exact total wraps past 2^64; its double twin shows when. Then the sums are
        // taken in double precision, as for double counts and as every corrected estimator
        // takes them (a total of 2^64 or more is no error: N is a double to them all).
        if (r.total_double < 0x1.0p64) {
            total = static_cast<double>(r.total);
            sum_clogc = r.sum_clogc;
            require(total > 0.0, function, "counts must not be all zero");
            return;
        }
        const count_summary s = summarise_counts(ex, function, c);
        total = s.total;
        sum_clogc = s.sum_clogc;
        scale = s.scale;
    } else {
        const count_summary s = summarise_counts(ex, function, c);
        total = s.total;
        sum_clogc = s.sum_clogc;
        scale = s.scale;
    }
}

// sum_i f(c_i) over the positive counts, compensated, in fixed chunks.
template <class T, class F>
double sum_over_counts(const execution& ex, view<const T> c, F&& f) {
    return chunked_compensated(ex, c.size(), [&](std::size_t b, std::size_t e) {
        compensated_sum s;
        for (std::size_t i = b; i < e; ++i) {
            const double v = static_cast<double>(c[i]);
            if (v > 0.0) s.add(f(v));
        }
        return s;
    });
}

// -sum p log p = sum (c/N) log(N/c) with positive terms: no cancellation, one log per
// category. Used when log N - S/N would cancel (one category holds almost everything).
// total is N times scale (count_summary); the counts are scaled to match.
template <class T>
double plugin_entropy_direct(const execution& ex, view<const T> c, double total, double scale) {
    return sum_over_counts(ex, c, [total, scale](double v) {
        const double x = v * scale;
        // total / x overflows when a small count sits beside counts near DBL_MAX (scaled
        // by 2^-k, it is far below 1): then the logs are taken apart, where nothing cancels.
        const double ratio = total / x;
        return x / total * (std::isfinite(ratio) ? std::log(ratio) : std::log(total) - std::log(x));
    });
}

// Plug-in entropy in nats from N and S = sum c log c (both times scale, which leaves
// log N - S / N unchanged): log N - S / N. When more than two decimal digits would
// cancel (H < log N / 100), it is recomputed term by term.
template <class T>
double plugin_from_sums(const execution& ex, view<const T> c, double total, double sum_clogc, double scale) {
    const double log_n = std::log(total);
    const double h = log_n - sum_clogc / total;
    if (h < 0.01 * log_n) return plugin_entropy_direct(ex, c, total, scale);
    return h;
}

// Delta-method standard error in nats: sqrt(sum p (log p + H)^2 / N), the same as
// sqrt((sum p (log p)^2 - H^2) / N) without its cancellation (total = N scale).
template <class T>
double plugin_stderr_nats(const execution& ex, view<const T> c, double total, double h, double scale) {
    const double v = sum_over_counts(ex, c, [total, h, scale](double x) {
        const double p = x * scale / total;
        const double d = std::log(p) + h;
        return p * d * d;
    });
    return std::sqrt(v * scale / total);
}

// Grassberger's G(n) = psi(n) + (1/2) (-1)^n (psi((n+1)/2) - psi(n/2)), n >= 1.
inline double grassberger_g(double n) {
    const double sign = std::fmod(n, 2.0) == 0.0 ? 1.0 : -1.0;
    return boost::math::digamma(n) +
           0.5 * sign * (boost::math::digamma((n + 1.0) / 2.0) - boost::math::digamma(n / 2.0));
}

}  // namespace detail

// Plug-in (maximum-likelihood) Shannon entropy of counts, value only: the fastest path
// (one pass; SIMD with a table of c log c for uint64 counts).
//   H = log N - (1/N) sum c log c,  N = sum c.
// Units: base (nats by default). Errors: empty, all-zero, negative, non-whole or
// non-finite counts, an invalid base (std::invalid_argument).
template <class Range>
double shannon_entropy_counts(const execution& ex, const Range& counts, log_base base = nats) {
    constexpr const char* fn = "shannon_entropy_counts";
    const double unit = base.nats_to_unit(fn);
    const auto c = as_view(counts);
    double total = 0, s = 0, scale = 1;
    detail::total_and_clogc(ex, fn, c, total, s, scale);
    return log_base::in_unit(detail::plugin_from_sums(ex, c, total, s, scale), unit);
}
template <class Range>
double shannon_entropy_counts(const Range& counts, log_base base = nats) {
    return shannon_entropy_counts(sequential, counts, base);
}

// Plug-in entropy with its delta-method standard error (module comment), in base units.
// Biased low by about (m - 1) / (2N) nats (m = categories seen). Finite counts whose sum
// overflows a double are scaled by a power of two first (the estimate is the same; n
// saturates at SIZE_MAX), here and in every corrected estimator below. Errors as above.
template <class Range>
estimate plugin_entropy(const execution& ex, const Range& counts, log_base base = nats) {
    constexpr const char* fn = "plugin_entropy";
    const double unit = base.nats_to_unit(fn);
    const auto c = as_view(counts);
    double total = 0, s = 0, scale = 1;
    detail::total_and_clogc(ex, fn, c, total, s, scale);
    const double h = detail::plugin_from_sums(ex, c, total, s, scale);
    return {log_base::in_unit(h, unit), log_base::in_unit(detail::plugin_stderr_nats(ex, c, total, h, scale), unit),
            detail::sample_size(total / scale)};
}
template <class Range>
estimate plugin_entropy(const Range& counts, log_base base = nats) {
    return plugin_entropy(sequential, counts, base);
}

// The delta-method standard error of the plug-in entropy alone, in base units.
template <class Range>
double plugin_entropy_stderr(const execution& ex, const Range& counts, log_base base = nats) {
    return plugin_entropy(ex, counts, base).standard_error;
}
template <class Range>
double plugin_entropy_stderr(const Range& counts, log_base base = nats) {
    return plugin_entropy(sequential, counts, base).standard_error;
}

namespace detail {
// The frame every correction shares: checks, the plug-in value and its standard error,
// and the correction's own value from correction(view, summary, plug-in in nats).
template <class Range, class Correction>
estimate corrected_entropy(const execution& ex, const char* function, const Range& counts, log_base base,
                           Correction&& correction) {
    const double unit = base.nats_to_unit(function);
    const auto c = as_view(counts);
    const count_summary s = summarise_counts(ex, function, c);
    const double h_plugin = plugin_from_sums(ex, c, s.total, s.sum_clogc, s.scale);
    const double h = correction(c, s, h_plugin);
    return {log_base::in_unit(h, unit), log_base::in_unit(plugin_stderr_nats(ex, c, s.total, h_plugin, s.scale), unit),
            sample_size(s.total / s.scale)};
}

// sum_i f(c_i) over every count, zeros included, compensated, in fixed chunks.
template <class T, class F>
double sum_over_all_counts(const execution& ex, view<const T> c, F&& f) {
    return chunked_compensated(ex, c.size(), [&](std::size_t b, std::size_t e) {
        compensated_sum s;
        for (std::size_t i = b; i < e; ++i) s.add(f(static_cast<double>(c[i])));
        return s;
    });
}
}  // namespace detail

// The sequential overload of each corrected estimator below.
#define COLLAPSEKIT_SEQUENTIAL_COUNTS_ESTIMATOR(name)          \
    template <class Range>                                     \
    estimate name(const Range& counts, log_base base = nats) { \
        return name(sequential, counts, base);                 \
    }

// Miller-Madow (Miller 1955): H_plugin + (m - 1) / (2N), m = number of non-zero counts
// (the categories seen, not the length of the vector). Units, errors and standard
// error as plugin_entropy.
template <class Range>
estimate miller_madow_entropy(const execution& ex, const Range& counts, log_base base = nats) {
    return detail::corrected_entropy(
        ex, "miller_madow_entropy", counts, base, [](auto, const detail::count_summary& s, double h_plugin) {
            return h_plugin + static_cast<double>(s.nonzero - 1) / (2.0 * s.total) * s.scale;
        });
}
COLLAPSEKIT_SEQUENTIAL_COUNTS_ESTIMATOR(miller_madow_entropy)

// Grassberger (2003, "Entropy estimates from insufficient samplings", eq. 35):
//   H = log N - (1/N) sum n_i G(n_i),  G(n) = psi(n) + (1/2)(-1)^n (psi((n+1)/2) - psi(n/2)).
// Units, errors and standard error as plugin_entropy.
template <class Range>
estimate grassberger_entropy(const execution& ex, const Range& counts, log_base base = nats) {
    return detail::corrected_entropy(
        ex, "grassberger_entropy", counts, base, [&ex](auto c, const detail::count_summary& s, double) {
            const double scale = s.scale;
            const double g =
                detail::sum_over_counts(ex, c, [scale](double n) { return n * scale * detail::grassberger_g(n); });
            return std::log(s.total) - std::log(scale) - g / s.total;
        });
}
COLLAPSEKIT_SEQUENTIAL_COUNTS_ESTIMATOR(grassberger_entropy)

// Chao & Shen (2003), coverage-adjusted Horvitz-Thompson estimator:
//   C = 1 - f1/N (f1 = singletons; f1 = N - 1 when every count is 1, so C > 0),
//   p_a = C c/N,  H = -sum p_a log p_a / (1 - (1 - p_a)^N).
// Units, errors and standard error as plugin_entropy.
template <class Range>
estimate chao_shen_entropy(const execution& ex, const Range& counts, log_base base = nats) {
    return detail::corrected_entropy(
        ex, "chao_shen_entropy", counts, base, [&ex](auto c, const detail::count_summary& s, double) {
            // N itself may be +inf (count_summary).
            const double n_total = s.total / s.scale;
            double f1 = static_cast<double>(s.singletons);
            if (f1 == n_total) f1 = n_total - 1.0;
            const double coverage = 1.0 - f1 / n_total;
            const double total = s.total, scale = s.scale;
            return detail::sum_over_counts(ex, c, [coverage, total, scale, n_total](double n) {
                const double pa = coverage * (n * scale) / total;
                // A share below the double range adds nothing.
                if (!(pa > 0.0)) return 0.0;
                // 1 - (1 - pa)^N without cancelling for small pa.
                const double inclusion = -std::expm1(n_total * std::log1p(-pa));
                return -pa * std::log(pa) / inclusion;
            });
        });
}
COLLAPSEKIT_SEQUENTIAL_COUNTS_ESTIMATOR(chao_shen_entropy)

namespace detail {
// Hausser & Strimmer's lambda from a checked summary (see james_stein_shrinkage).
template <class T>
double shrinkage_intensity(const execution& ex, view<const T> c, const count_summary& s) {
    const double n_total = s.total / s.scale;  // N, possibly +inf (count_summary)
    if (n_total <= 1.0) return 1.0;
    const double t = 1.0 / static_cast<double>(s.bins);
    const double total = s.total, scale = s.scale;
    const double su2 = sum_over_all_counts(ex, c, [total, scale](double x) {
        const double u = x * scale / total;
        return u * u;
    });
    const double sd2 = sum_over_all_counts(ex, c, [total, t, scale](double x) {
        const double u = x * scale / total;
        return (t - u) * (t - u);
    });
    if (sd2 == 0.0) return 1.0;
    const double den = (n_total - 1.0) * sd2;
    if (den == 0.0) return 1.0;
    const double lambda = (1.0 - su2) / den;
    return lambda < 0.0 ? 0.0 : (lambda > 1.0 ? 1.0 : lambda);
}
}  // namespace detail

// The James-Stein shrinkage intensity of Hausser & Strimmer (2009, eq. 6) towards the
// uniform target t = 1/K (K = length of the vector), u = c/N:
//   lambda = (1 - sum u^2) / ((N - 1) sum (t - u)^2), clipped to [0, 1];
// lambda = 1 when N = 1 or when u already equals the target. Errors: as plugin_entropy.
template <class Range>
double james_stein_shrinkage(const execution& ex, const Range& counts) {
    const auto c = as_view(counts);
    return detail::shrinkage_intensity(ex, c, detail::summarise_counts(ex, "james_stein_shrinkage", c));
}
template <class Range>
double james_stein_shrinkage(const Range& counts) {
    return james_stein_shrinkage(sequential, counts);
}

// James-Stein shrinkage entropy (Hausser & Strimmer 2009): the plug-in entropy of
// p = lambda/K + (1 - lambda) c/N with lambda from james_stein_shrinkage. Empty
// categories count: K is the length of the vector, so pass every possible category.
// Units, errors and standard error as plugin_entropy.
template <class Range>
estimate james_stein_entropy(const execution& ex, const Range& counts, log_base base = nats) {
    return detail::corrected_entropy(
        ex, "james_stein_entropy", counts, base, [&ex](auto c, const detail::count_summary& s, double) {
            const double lambda = detail::shrinkage_intensity(ex, c, s);
            const double t = lambda / static_cast<double>(s.bins);
            const double total = s.total, scale = s.scale;
            return detail::chunked_compensated(ex, c.size(), [&](std::size_t b, std::size_t e) {
                compensated_sum h;
                for (std::size_t i = b; i < e; ++i) {
                    const double p = t + (1.0 - lambda) * (static_cast<double>(c[i]) * scale) / total;
                    if (p > 0.0) h.add(-p * std::log(p));
                }
                return h;
            });
        });
}
COLLAPSEKIT_SEQUENTIAL_COUNTS_ESTIMATOR(james_stein_entropy)

#undef COLLAPSEKIT_SEQUENTIAL_COUNTS_ESTIMATOR

}  // namespace collapsekit
