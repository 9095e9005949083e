// Seeded bootstrap confidence intervals for any statistic of samples or of counts.
//
// Replicate b draws from its own stream rng::for_stream(seed, b), so the interval does
// not depend on evaluation order or on the thread count: every function here takes an
// optional leading ck::execution (core/parallel.hpp) and spreads the replicates (and the
// jackknife of a BCa interval) over that many threads with bit-identical results. With
// more than one thread the statistic is called from several threads at once, so it must
// be safe to call concurrently (pure functions of their arguments are).
//
// Intervals (bootstrap_options::method):
//   - percentile (the default): the (1 - level)/2 and (1 + level)/2 quantiles of the
//     replicate values, with linear interpolation between order statistics (numpy's
//     default "linear" method);
//   - bca: Efron's bias-corrected and accelerated interval (Efron 1987; Efron & Tibshirani
//     1993, ch. 14), as scipy.stats.bootstrap(method='BCa'): bias correction
//     z0 = Phi^-1(share of replicates below the estimate), acceleration from the jackknife,
//     a = sum U^3 / (6 (sum U^2)^(3/2)), U the jackknife values' deviations from their
//     mean, summed over every sample for two-sample statistics (scipy's multi-sample
//     form). Samples of at most jackknife_groups observations use the leave-one-out
//     jackknife; larger ones leave out each of jackknife_groups random groups in turn (the
//     delete-a-group jackknife, Efron & Tibshirani 1993, sec. 11.5), so the jackknife
//     costs at most jackknife_groups statistic calls per sample. When every replicate lies
//     on one side of the estimate z0 is infinite and the BCa bounds are NaN (scipy warns
//     and returns NaN there too).
// The standard error is the replicates' standard deviation (divisor B - 1). A replicate
// value that is NaN makes lower, upper and standard_error NaN; infinite replicate values
// are ordered like any other value.
//
// Resampling counts (bootstrap_counts): each replicate is a multinomial draw of
// N = sum(counts) observations from counts / N. It is drawn observation by observation
// (alias table, O(N)) when N <= 32 K, K the number of non-empty categories, and as K
// conditional binomials, c_k ~ Bin(N - drawn so far, c_k / counts not yet visited), O(K),
// above that; both are exact multinomial draws, and the rule depends on the counts only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <boost/random/binomial_distribution.hpp>

#include "core/errors.hpp"
#include "core/nan.hpp"
#include "core/numeric.hpp"
#include "core/parallel.hpp"
#include "core/random.hpp"
#include "core/view.hpp"

namespace collapsekit {

enum class interval_method { percentile, bca };

struct bootstrap_options {
    std::size_t replicates = 1000;  // B >= 2
    double level = 0.95;            // two-sided coverage, in (0, 1)
    std::uint64_t seed = 0;
    interval_method method = interval_method::percentile;
    // BCa only: the most jackknife values per sample (>= 2); see the module comment.
    std::size_t jackknife_groups = 1000;
};

struct interval_estimate {
    double estimate = 0;  // the statistic on the data
    double lower = 0;     // the interval, of the kind `method` says
    double upper = 0;
    double standard_error = 0;  // standard deviation of the replicates
    double level = 0;
    std::size_t replicates = 0;
    interval_method method = interval_method::percentile;
    double bias_correction = 0;  // BCa's z0 (0 for percentile intervals)
    double acceleration = 0;     // BCa's a (0 for percentile intervals)
};

namespace detail {

// The two-sample overloads take (a, b, stat, options); without this guard a one-sample
// call (x, stat, options) would match them too, with options as the "statistic".
template <class Statistic>
using not_options = std::enable_if_t<!std::is_same_v<std::decay_t<Statistic>, bootstrap_options> &&
                                         !std::is_same_v<std::decay_t<Statistic>, execution>,
                                     int>;

// The sequential overloads' first range must not be an execution (that call is the
// threaded one-sample form).
template <class Range>
using not_execution = std::enable_if_t<!std::is_same_v<std::decay_t<Range>, execution>, int>;

inline void check_bootstrap_options(const char* function, const bootstrap_options& opt) {
    require(opt.replicates >= 2, function,
            "replicates must be at least 2 (got " + std::to_string(opt.replicates) + ")");
    if (!(opt.level > 0.0 && opt.level < 1.0)) {
        fail(function, "level must lie in (0, 1) (got " + detail::format_value(opt.level) + ")");
    }
    if (opt.method == interval_method::bca) {
        require(opt.jackknife_groups >= 2, function,
                "jackknife_groups must be at least 2 (got " + std::to_string(opt.jackknife_groups) + ")");
    }
}

// Quantile q in [0, 1] of sorted values by linear interpolation (numpy's default).
inline double sorted_quantile(const std::vector<double>& sorted, double q) noexcept {
    const double pos = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    const double frac = pos - static_cast<double>(lo);
    if (frac == 0.0 || sorted[lo] == sorted[hi]) return sorted[lo];
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

// Jackknife values of one sample, with the multiplicity of each (1 for the
// leave-one-out and delete-a-group jackknife of observations; the count of the category
// for the leave-one-out jackknife of counts, where equal observations give equal values).
struct jackknife_values {
    std::vector<double> value;
    std::vector<double> multiplicity;  // empty: all 1
};

// BCa's acceleration from the jackknife values of every sample (scipy's multi-sample form).
inline double bca_acceleration(const std::vector<jackknife_values>& samples) {
    compensated_sum cubes, squares;
    for (const jackknife_values& j : samples) {
        compensated_sum total, weight;
        for (std::size_t i = 0; i < j.value.size(); ++i) {
            const double w = j.multiplicity.empty() ? 1.0 : j.multiplicity[i];
            total += w * j.value[i];
            weight += w;
        }
        const double mean = total.value() / weight.value();
        for (std::size_t i = 0; i < j.value.size(); ++i) {
            const double w = j.multiplicity.empty() ? 1.0 : j.multiplicity[i];
            const double u = mean - j.value[i];
            cubes += w * u * u * u;
            squares += w * u * u;
        }
    }
    const double ss = squares.value();
    if (!(ss > 0.0)) return 0.0;
    return cubes.value() / (6.0 * ss * std::sqrt(ss));
}

// The replicate values (in replicate order) and, for BCa, the jackknife, summarised into
// the interval `opt` asks for.
inline interval_estimate summarise_replicates(double estimate, std::vector<double>& values,
                                              const bootstrap_options& opt,
                                              const std::vector<jackknife_values>& jackknife = {}) {
    interval_estimate r;
    r.estimate = estimate;
    r.level = opt.level;
    r.replicates = values.size();
    r.method = opt.method;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool any_nan = std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); });
    if (any_nan || std::isnan(estimate)) {
        r.lower = r.upper = nan;
        r.standard_error = any_nan ? nan : r.standard_error;
        if (any_nan) return r;
    }
    compensated_sum s;
    for (double v : values) s += v;
    const double mean = s.value() / static_cast<double>(values.size());
    compensated_sum ss;
    for (double v : values) ss += (v - mean) * (v - mean);
    r.standard_error = std::sqrt(ss.value() / static_cast<double>(values.size() - 1));
    if (std::isnan(estimate)) return r;
    std::sort(values.begin(), values.end());
    double q_lo = (1.0 - opt.level) / 2.0;
    double q_hi = (1.0 + opt.level) / 2.0;
    if (opt.method == interval_method::bca) {
        const auto below =
            static_cast<std::size_t>(std::lower_bound(values.begin(), values.end(), estimate) - values.begin());
        const double share = static_cast<double>(below) / static_cast<double>(values.size());
        r.acceleration = bca_acceleration(jackknife);
        if (!(share > 0.0 && share < 1.0)) {
            r.bias_correction =
                share > 0.0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
            r.lower = r.upper = nan;
            return r;
        }
        const boost::math::normal_distribution<double> normal;
        const double z0 = boost::math::quantile(normal, share);
        r.bias_correction = z0;
        const double a = r.acceleration;
        auto adjusted = [&](double q) {
            const double z = z0 + boost::math::quantile(normal, q);
            return boost::math::cdf(normal, z0 + z / (1.0 - a * z));
        };
        q_lo = adjusted(q_lo);
        q_hi = adjusted(q_hi);
        if (!(q_lo >= 0.0 && q_lo <= 1.0 && q_hi >= 0.0 && q_hi <= 1.0)) {
            r.lower = r.upper = nan;
            return r;
        }
    }
    r.lower = sorted_quantile(values, q_lo);
    r.upper = sorted_quantile(values, q_hi);
    return r;
}

// Calls value_of(b, worker) for every replicate b on the execution's threads and
// returns the values in replicate order; `workers` is set first, so a caller can size
// per-worker scratch through make_scratch(workers).
template <class ValueOf>
std::vector<double> run_replicates(std::size_t replicates, std::size_t workers, ValueOf&& value_of) {
    std::vector<double> values(replicates);
    parallel_for_workers(workers, replicates,
                         [&](std::size_t b, std::size_t worker) { values[b] = value_of(b, worker); });
    return values;
}

// The jackknife groups of a sample of n observations: leave-one-out when n <= groups,
// else `groups` groups of n / groups (+1) observations of a seeded random permutation.
// member[i] is the group of observation i.
struct jackknife_plan {
    std::size_t groups = 0;
    std::vector<std::uint32_t> member;  // empty for leave-one-out (member i = i)
};

inline jackknife_plan plan_jackknife(std::size_t n, std::size_t groups, std::uint64_t seed, std::uint64_t sample) {
    jackknife_plan p;
    if (n <= groups) {
        p.groups = n;
        return p;
    }
    p.groups = groups;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    // A stream no replicate uses: replicates take streams 0 .. B - 1 < 2^63.
    rng g = rng::for_stream(seed, (std::uint64_t{1} << 63) + sample);
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[static_cast<std::size_t>(g.below(i))]);
    p.member.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
        p.member[order[k]] = static_cast<std::uint32_t>(static_cast<detail::uint128>(k) * groups / n);
    }
    return p;
}

// The jackknife of a sample x for a statistic of it: stat_without(group, x_without_group).
template <class T, class StatWithout>
jackknife_values jackknife_sample(const execution& ex, view<const T> x, const jackknife_plan& plan,
                                  StatWithout&& stat_without) {
    jackknife_values j;
    j.value.resize(plan.groups);
    const std::size_t workers = ex.workers(plan.groups);
    std::vector<std::vector<T>> scratch(workers);
    parallel_for_workers(workers, plan.groups, [&](std::size_t g, std::size_t worker) {
        std::vector<T>& buf = scratch[worker];
        buf.clear();
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::size_t group = plan.member.empty() ? i : plan.member[i];
            if (group != g) buf.push_back(x[i]);
        }
        j.value[g] = stat_without(as_view(buf));
    });
    return j;
}

template <class T>
void resample_into(view<const T> x, std::vector<T>& out, rng& g) {
    out.resize(x.size());
    for (auto& v : out) v = x[static_cast<std::size_t>(g.below(x.size()))];
}

// Checked whole counts as integers, with their total.
struct count_table {
    std::vector<std::uint64_t> counts;
    std::uint64_t total = 0;
    std::size_t nonzero = 0;
};

template <class T>
count_table whole_counts_table(const char* function, const char* arg, view<const T> counts) {
    require_not_empty(function, arg, counts.size());
    count_table t;
    t.counts.resize(counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
        // Integer counts are read exactly (a uint64 count near 2^64 rounds to 2^64 as a
        // double, and is still a valid count); floating ones must be whole and below 2^64.
        bool whole = true;
        if constexpr (std::is_floating_point_v<T>) {
            const double c = static_cast<double>(counts[i]);
            whole = c >= 0.0 && std::isfinite(c) && c == std::floor(c) && c < 0x1.0p64;
        } else if constexpr (std::is_signed_v<T>) {
            whole = counts[i] >= 0;
        }
        if (!whole) {
            fail(function, std::string(arg) + " must hold non-negative whole counts (" + arg + "[" + std::to_string(i) +
                               "] = " + detail::format_value(static_cast<double>(counts[i])) + ")");
        }
        t.counts[i] = static_cast<std::uint64_t>(counts[i]);
        // Resampling draws N observations, an exact integer: no double total serves here.
        require(t.total + t.counts[i] >= t.total, function,
                std::string(arg) + " must have a total below 2^64 (resampling draws that many observations)");
        t.total += t.counts[i];
        t.nonzero += t.counts[i] > 0;
    }
    require(t.total > 0, function, std::string(arg) + " must not be all zero");
    return t;
}

// Multinomial resampling of a count table (see the module comment for the two methods).
class multinomial_resampler {
public:
    explicit multinomial_resampler(const count_table& t) : table_(&t) {
        by_observation_ = t.total <= 32 * static_cast<std::uint64_t>(t.nonzero);
        if (by_observation_) {
            std::vector<double> w(t.counts.size());
            for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<double>(t.counts[i]);
            alias_ = categorical_distribution(w);
        }
    }

    template <class T>
    void operator()(std::vector<T>& out, rng& g) const {
        const count_table& t = *table_;
        out.assign(t.counts.size(), T(0));
        if (by_observation_) {
            for (std::uint64_t i = 0; i < t.total; ++i) out[alias_(g)] += T(1);
            return;
        }
        std::uint64_t left = t.total;       // observations still to place
        std::uint64_t unvisited = t.total;  // counts of the categories not visited yet
        for (std::size_t k = 0; k < t.counts.size() && left > 0; ++k) {
            const std::uint64_t c = t.counts[k];
            if (c == 0) continue;
            std::uint64_t x = left;
            if (c < unvisited) {
                boost::random::binomial_distribution<std::int64_t, double> bin(
                    static_cast<std::int64_t>(left), static_cast<double>(c) / static_cast<double>(unvisited));
                x = static_cast<std::uint64_t>(bin(g));
            }
            out[k] = static_cast<T>(x);
            left -= x;
            unvisited -= c;
        }
    }

private:
    const count_table* table_;
    bool by_observation_ = false;
    categorical_distribution alias_;
};

// The leave-one-out jackknife of a statistic of counts: one value per non-empty category
// (the counts with one observation of it removed), weighted by its count.
template <class T, class Stat>
jackknife_values jackknife_counts(const char* function, const execution& ex, view<const T> counts, const count_table& t,
                                  std::size_t max_values, Stat&& stat) {
    if (t.nonzero > max_values) {
        fail(function, "a BCa interval of counts calls the statistic once per non-empty category (" +
                           std::to_string(t.nonzero) + " here, above jackknife_groups = " + std::to_string(max_values) +
                           "): raise jackknife_groups or use the percentile interval");
    }
    std::vector<std::size_t> present;
    for (std::size_t k = 0; k < t.counts.size(); ++k) {
        if (t.counts[k] > 0) present.push_back(k);
    }
    jackknife_values j;
    j.value.resize(present.size());
    j.multiplicity.resize(present.size());
    const std::size_t workers = ex.workers(present.size());
    std::vector<std::vector<T>> scratch(workers);
    parallel_for_workers(workers, present.size(), [&](std::size_t i, std::size_t worker) {
        std::vector<T>& buf = scratch[worker];
        buf.assign(counts.begin(), counts.end());
        buf[present[i]] = static_cast<T>(t.counts[present[i]] - 1);
        j.value[i] = stat(as_view(buf));
        j.multiplicity[i] = static_cast<double>(t.counts[present[i]]);
    });
    return j;
}

// nan_policy for a sample of the sample bootstraps: raise throws (naming arg and the
// first NaN's index); omit points x at `kept`, x without its NaN values (a sample of NaN
// only is then an error); propagate returns true: the whole result is NaN, and the
// statistic is never called.
template <class T>
bool screen_sample(const char* fn, const char* arg, view<const T>& x, std::vector<T>& kept, nan_policy nan) {
    require_not_empty(fn, arg, x.size());
    const nan_action a = screen_nans(fn, arg, x, nan);
    if (a == nan_action::propagate) return true;
    if (a == nan_action::omit) {
        kept = without_nans(x);
        require(!kept.empty(), fn, std::string(arg) + " holds no value but NaN");
        x = view<const T>(kept.data(), kept.size());
    }
    return false;
}

// The result under nan_policy::propagate: every value NaN, the options as asked.
inline interval_estimate nan_interval(const bootstrap_options& opt) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    interval_estimate r;
    r.estimate = r.lower = r.upper = r.standard_error = nan;
    r.level = opt.level;
    r.replicates = opt.replicates;
    r.method = opt.method;
    return r;
}

}  // namespace detail

// Bootstrap of stat(view<const T>) over one sample resampled with replacement, on the
// threads `ex` allows (see the module comment). NaN values in the sample follow `nan`:
// raise (the default) throws, omit resamples the sample without them (the statistic never
// sees a NaN), propagate returns estimate, interval and standard error all NaN without
// calling the statistic. Errors (std::invalid_argument): an empty sample (or one of NaN
// only under omit), a NaN under raise, replicates < 2, a level outside (0, 1),
// jackknife_groups < 2 for BCa.
template <class Range, class Statistic>
interval_estimate bootstrap(const execution& ex, const Range& sample, Statistic&& stat,
                            const bootstrap_options& opt = {}, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "bootstrap";
    detail::check_bootstrap_options(fn, opt);
    using T = range_value_t<Range>;
    view<const T> x = as_view(sample);
    std::vector<T> kept;
    if (detail::screen_sample(fn, "sample", x, kept, nan)) return detail::nan_interval(opt);
    const double estimate = static_cast<double>(stat(x));
    const std::size_t workers = ex.workers(opt.replicates);
    std::vector<std::vector<T>> scratch(workers);
    std::vector<double> values = detail::run_replicates(opt.replicates, workers, [&](std::size_t b, std::size_t w) {
        rng g = rng::for_stream(opt.seed, b);
        detail::resample_into(x, scratch[w], g);
        return static_cast<double>(stat(as_view(scratch[w])));
    });
    std::vector<detail::jackknife_values> jack;
    if (opt.method == interval_method::bca && x.size() > 1) {
        const auto plan = detail::plan_jackknife(x.size(), opt.jackknife_groups, opt.seed, 0);
        jack.push_back(
            detail::jackknife_sample(ex, x, plan, [&](view<const T> rest) { return static_cast<double>(stat(rest)); }));
    }
    return detail::summarise_replicates(estimate, values, opt, jack);
}

template <class Range, class Statistic>
interval_estimate bootstrap(const Range& sample, Statistic&& stat, const bootstrap_options& opt = {},
                            nan_policy nan = nan_policy::raise) {
    return bootstrap(sequential, sample, stat, opt, nan);
}

// Bootstrap of stat(view<const T>, view<const U>) over two samples, each resampled
// with replacement independently (the two-sample bootstrap for divergences). NaN
// values and errors as the one-sample form, for either sample (omit drops each sample's
// own NaN values: the samples are not paired).
template <class RangeA, class RangeB, class Statistic, detail::not_options<Statistic> = 0>
interval_estimate bootstrap(const execution& ex, const RangeA& a, const RangeB& b, Statistic&& stat,
                            const bootstrap_options& opt = {}, nan_policy nan = nan_policy::raise) {
    constexpr const char* fn = "bootstrap";
    detail::check_bootstrap_options(fn, opt);
    using TA = range_value_t<RangeA>;
    using TB = range_value_t<RangeB>;
    view<const TA> x = as_view(a);
    view<const TB> y = as_view(b);
    std::vector<TA> kept_x;
    std::vector<TB> kept_y;
    const bool nan_x = detail::screen_sample(fn, "first sample", x, kept_x, nan);
    const bool nan_y = detail::screen_sample(fn, "second sample", y, kept_y, nan);
    if (nan_x || nan_y) return detail::nan_interval(opt);
    const double estimate = static_cast<double>(stat(x, y));
    const std::size_t workers = ex.workers(opt.replicates);
    std::vector<std::vector<TA>> bx(workers);
    std::vector<std::vector<TB>> by(workers);
    std::vector<double> values = detail::run_replicates(opt.replicates, workers, [&](std::size_t r, std::size_t w) {
        rng g = rng::for_stream(opt.seed, r);
        detail::resample_into(x, bx[w], g);
        detail::resample_into(y, by[w], g);
        return static_cast<double>(stat(as_view(bx[w]), as_view(by[w])));
    });
    std::vector<detail::jackknife_values> jack;
    if (opt.method == interval_method::bca) {
        if (x.size() > 1) {
            const auto plan = detail::plan_jackknife(x.size(), opt.jackknife_groups, opt.seed, 0);
            jack.push_back(detail::jackknife_sample(
                ex, x, plan, [&](view<const TA> rest) { return static_cast<double>(stat(rest, y)); }));
        }
        if (y.size() > 1) {
            const auto plan = detail::plan_jackknife(y.size(), opt.jackknife_groups, opt.seed, 1);
            jack.push_back(detail::jackknife_sample(
                ex, y, plan, [&](view<const TB> rest) { return static_cast<double>(stat(x, rest)); }));
        }
    }
    return detail::summarise_replicates(estimate, values, opt, jack);
}

template <class RangeA, class RangeB, class Statistic, detail::not_options<Statistic> = 0,
          detail::not_execution<RangeA> = 0>
interval_estimate bootstrap(const RangeA& a, const RangeB& b, Statistic&& stat, const bootstrap_options& opt = {},
                            nan_policy nan = nan_policy::raise) {
    return bootstrap(sequential, a, b, stat, opt, nan);
}

// Bootstrap of stat(view<const T>) over category counts: each replicate is a
// multinomial draw of N = sum(counts) observations with probabilities counts / N
// (the same as resampling the underlying observations, without touching them; see the
// module comment for the cost). Counts must be whole numbers with a total below 2^64.
// BCa intervals use the leave-one-out jackknife of the observations, one statistic call
// per non-empty category; more non-empty categories than jackknife_groups is an error.
template <class Range, class Statistic>
interval_estimate bootstrap_counts(const execution& ex, const Range& counts, Statistic&& stat,
                                   const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap_counts";
    detail::check_bootstrap_options(fn, opt);
    const auto c = as_view(counts);
    using T = range_value_t<Range>;
    const detail::count_table table = detail::whole_counts_table(fn, "counts", c);
    const detail::multinomial_resampler resample(table);
    const double estimate = static_cast<double>(stat(c));
    const std::size_t workers = ex.workers(opt.replicates);
    std::vector<std::vector<T>> scratch(workers);
    std::vector<double> values = detail::run_replicates(opt.replicates, workers, [&](std::size_t b, std::size_t w) {
        rng g = rng::for_stream(opt.seed, b);
        resample(scratch[w], g);
        return static_cast<double>(stat(as_view(scratch[w])));
    });
    std::vector<detail::jackknife_values> jack;
    if (opt.method == interval_method::bca && table.total > 1) {
        jack.push_back(detail::jackknife_counts(fn, ex, c, table, opt.jackknife_groups,
                                                [&](view<const T> v) { return static_cast<double>(stat(v)); }));
    }
    return detail::summarise_replicates(estimate, values, opt, jack);
}

template <class Range, class Statistic>
interval_estimate bootstrap_counts(const Range& counts, Statistic&& stat, const bootstrap_options& opt = {}) {
    return bootstrap_counts(sequential, counts, stat, opt);
}

// Two count vectors (e.g. reference and generated histograms on the same bins), each
// resampled as a multinomial independently; stat(view<const T>, view<const U>).
template <class RangeA, class RangeB, class Statistic, detail::not_options<Statistic> = 0>
interval_estimate bootstrap_counts(const execution& ex, const RangeA& a, const RangeB& b, Statistic&& stat,
                                   const bootstrap_options& opt = {}) {
    constexpr const char* fn = "bootstrap_counts";
    detail::check_bootstrap_options(fn, opt);
    const auto ca = as_view(a);
    const auto cb = as_view(b);
    using TA = range_value_t<RangeA>;
    using TB = range_value_t<RangeB>;
    const detail::count_table ta = detail::whole_counts_table(fn, "first counts", ca);
    const detail::count_table tb = detail::whole_counts_table(fn, "second counts", cb);
    const detail::multinomial_resampler ra(ta), rb(tb);
    const double estimate = static_cast<double>(stat(ca, cb));
    const std::size_t workers = ex.workers(opt.replicates);
    std::vector<std::vector<TA>> sa(workers);
    std::vector<std::vector<TB>> sb(workers);
    std::vector<double> values = detail::run_replicates(opt.replicates, workers, [&](std::size_t r, std::size_t w) {
        rng g = rng::for_stream(opt.seed, r);
        ra(sa[w], g);
        rb(sb[w], g);
        return static_cast<double>(stat(as_view(sa[w]), as_view(sb[w])));
    });
    std::vector<detail::jackknife_values> jack;
    if (opt.method == interval_method::bca) {
        if (ta.total > 1) {
            jack.push_back(detail::jackknife_counts(fn, ex, ca, ta, opt.jackknife_groups, [&](view<const TA> v) {
                return static_cast<double>(stat(v, cb));
            }));
        }
        if (tb.total > 1) {
            jack.push_back(detail::jackknife_counts(fn, ex, cb, tb, opt.jackknife_groups, [&](view<const TB> v) {
                return static_cast<double>(stat(ca, v));
            }));
        }
    }
    return detail::summarise_replicates(estimate, values, opt, jack);
}

template <class RangeA, class RangeB, class Statistic, detail::not_options<Statistic> = 0,
          detail::not_execution<RangeA> = 0>
interval_estimate bootstrap_counts(const RangeA& a, const RangeB& b, Statistic&& stat,
                                   const bootstrap_options& opt = {}) {
    return bootstrap_counts(sequential, a, b, stat, opt);
}

}  // namespace collapsekit
