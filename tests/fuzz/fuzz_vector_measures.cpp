// libFuzzer target: the vector measures on arbitrary doubles and lengths. The bytes are
// decoded (fuzz_support.hpp) into a selector, vectors of doubles of every class (NaN,
// +-inf, subnormals, negatives, huge, probabilities, counts), lengths, orders, bases,
// zero-support and NaN policies; each call must give a value in its documented range, or
// NaN where the documentation says so (a NaN input under nan_policy::propagate), or a
// std::invalid_argument / std::domain_error with a clear message. Accumulators filled from
// the same values must serialise to bytes that load (deserialize_check.hpp).
#include <collapsekit/divergence.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/ngram.hpp>
#include <collapsekit/tail.hpp>
#include <collapsekit/wasserstein.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "deserialize_check.hpp"
#include "fuzz_support.hpp"

namespace ck = collapsekit;
using collapsekit_fuzz::consume_double;
using collapsekit_fuzz::consume_doubles;
using collapsekit_fuzz::context;
using collapsekit_fuzz::describe;
using collapsekit_fuzz::finding;

namespace {

constexpr std::size_t max_len = 48;
constexpr double inf = std::numeric_limits<double>::infinity();

// f() either returns (true) or throws a documented error with a clear message (false).
template <class F>
bool returns(F&& f) {
    try {
        f();
        return true;
    } catch (const std::invalid_argument& e) {
        const std::string problem = collapsekit_fuzz::check_message(e);
        if (!problem.empty()) finding(problem);
    } catch (const std::domain_error& e) {
        if (std::string(e.what()).rfind("collapsekit::", 0) != 0) finding(std::string("unclear: ") + e.what());
    }
    return false;
}

bool any_nan(const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

// The positive finite entries of c sum past DBL_MAX.
bool overflowing(const std::vector<double>& c) {
    double s = 0;
    for (double x : c) s += std::isfinite(x) && x > 0 ? x : 0.0;
    return std::isinf(s);
}

struct args {
    ck::nan_policy nan = ck::nan_policy::raise;
    ck::log_base base = ck::nats;
    double ln_base = 1.0;  // a value in units of base times ln(base) is in nats
};

args consume_args(FuzzedDataProvider& in) {
    args a;
    a.nan = static_cast<ck::nan_policy>(in.ConsumeIntegralInRange<int>(0, 2));
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
            break;
        case 1:
            a.base = ck::bits;
            a.ln_base = std::log(2.0);
            break;
        case 2:
            a.base = ck::dits;
            a.ln_base = std::log(10.0);
            break;
        default: {
            const double b = consume_double(in);
            a.base = ck::log_base(b);
            a.ln_base = std::log(b);  // only used when the call accepted the base
        }
    }
    return a;
}

// NaN is a documented answer only under nan_policy::propagate with a NaN in the input.
void check_nan_rule(double v, const args& a, bool input_nan, const char* what) {
    if (std::isnan(v) && !(a.nan == ck::nan_policy::propagate && input_nan)) {
        finding(std::string(what) + ": NaN without a NaN input under nan_policy::propagate");
    }
}

// v (in units of base) lies in [lo, hi] nats, up to `tol` nats.
void check_nats(double v, const args& a, double lo, double hi, double tol, const char* what) {
    if (std::isnan(v)) return;
    // Open finding (reported with issue 19, not fixed here: divergence.hpp): a base in
    // (0, 1) is accepted, finite values are multiplied by its negative unit 1 / ln(base),
    // but an infinite one is returned as +inf, e.g. kl_divergence({1, 0}, {0, 1}, 0.5).
    if (a.ln_base < 0 && std::isinf(v)) return;
    const double nats = std::isinf(v) ? (a.ln_base > 0 ? v : -v) : v * a.ln_base;
    if (!(nats >= lo - tol && nats <= hi + tol)) {
        finding(std::string(what) + ": " + std::to_string(nats) + " nats outside [" + std::to_string(lo) + ", " +
                std::to_string(hi) + "]");
    }
}

void discrete_entropies(FuzzedDataProvider& in) {
    const args a = consume_args(in);
    const double order = consume_double(in);
    const std::vector<double> p = consume_doubles(in, max_len);
    context() = "p = " + describe(p) + ", order = " + describe({order}) + ", base = " + describe({a.base.value()}) +
                ", nan = " + ck::to_string(a.nan);
    const bool nan_in = any_nan(p);
    std::size_t positive = 0;
    for (double x : p) positive += x > 0 ? 1 : 0;
    const double log_k = std::log(static_cast<double>(std::max<std::size_t>(positive, 1)));
    double v = 0;
    if (returns([&] { v = ck::shannon_entropy(p, a.base, a.nan); })) {
        check_nan_rule(v, a, nan_in, "shannon_entropy");
        check_nats(v, a, 0.0, log_k, 1e-9, "shannon_entropy");
    }
    // Open finding (reported with issue 19, not fixed here: entropy/discrete.hpp): for a
    // finite order so large that order * log(max p / sum p) overflows, log_power_sum is
    // -inf and the Renyi entropy +inf (Hill number too), not the min-entropy it tends to:
    // renyi_entropy({1, 1, 1}, 1.7976931348623157e308) = inf, not log 3. Let through.
    double top = 0, sum = 0;
    for (double x : p) {
        if (std::isfinite(x) && x > 0) top = std::max(top, x), sum += x;
    }
    const bool known_order = std::isfinite(order) && std::isinf(order * std::log(top / sum));
    if (returns([&] { v = ck::renyi_entropy(p, order, a.base, a.nan); }) && !(known_order && std::isinf(v))) {
        check_nan_rule(v, a, nan_in, "renyi_entropy");
        check_nats(v, a, 0.0, log_k, 1e-9, "renyi_entropy");
    }
    if (returns([&] { v = ck::hill_number(p, order, a.nan); }) && !(known_order && std::isinf(v))) {
        check_nan_rule(v, a, nan_in, "hill_number");
        if (!std::isnan(v) && !(v >= 1.0 - 1e-9 && v <= static_cast<double>(positive) * (1 + 1e-9)))
            finding("hill_number outside [1, K]");
    }
    if (returns([&] { v = ck::tsallis_entropy(p, order, a.base, a.nan); })) {
        check_nan_rule(v, a, nan_in, "tsallis_entropy");
    }
    if (returns([&] { v = ck::gini_simpson(p, a.nan); })) {
        check_nan_rule(v, a, nan_in, "gini_simpson");
        if (!std::isnan(v) && !(v >= -1e-12 && v <= 1.0)) finding("gini_simpson outside [0, 1]");
    }
}

template <class T>
void count_estimators_of(const std::vector<T>& c, const args& a) {
    context() =
        "counts = " + describe(std::vector<double>(c.begin(), c.end())) + ", base = " + describe({a.base.value()});
    std::size_t k = c.size();
    const double log_k = std::log(static_cast<double>(std::max<std::size_t>(k, 1)));
    for (auto e :
         {ck::entropy_estimator::plugin, ck::entropy_estimator::miller_madow, ck::entropy_estimator::grassberger,
          ck::entropy_estimator::chao_shen, ck::entropy_estimator::james_stein, ck::entropy_estimator::nsb}) {
        ck::estimate r;
        double total = 0;
        for (const T& x : c) total += static_cast<double>(x);
        // Open findings (reported with issue 19, not fixed here: entropy/nsb.hpp): NSB is
        // NaN for some totals above about 1e16, e.g. counts {1e18, 1e18, 1e18}, and throws
        // boost::math's std::overflow_error from lgamma for a total near DBL_MAX, e.g.
        // {2, 1.7976931348623157e308}. Let through so that fuzzing goes on.
        const bool known_nsb = e == ck::entropy_estimator::nsb && total >= 1e16;
        try {
            if (!returns([&] { r = ck::entropy_from_counts(c, e, a.base); })) continue;
        } catch (const std::overflow_error&) {
            if (known_nsb && total >= 1e300) continue;
            throw;
        }
        if (std::isnan(r.value)) {
            if (known_nsb) continue;
            // Open finding (reported with issue 19, not fixed here: entropy/counts.hpp): finite
            // counts whose double total overflows give NaN from the count estimators (where
            // shannon_entropy refuses "p must have a finite sum"): plugin_entropy({DBL_MAX, DBL_MAX}).
            if (std::isinf(total)) continue;
            finding(std::string("entropy_from_counts(") + ck::to_string(e) + ") is NaN");
        }
        // Plug-in, James-Stein and NSB (means of plug-in entropies) lie in [0, log K];
        // Miller-Madow and Chao-Shen add non-negative terms. Grassberger's is a
        // bias-corrected formula with no such bound: counts {20} give -0.000416 nats.
        if (e == ck::entropy_estimator::grassberger) continue;
        const bool bounded = e == ck::entropy_estimator::plugin || e == ck::entropy_estimator::james_stein ||
                             e == ck::entropy_estimator::nsb;
        check_nats(r.value, a, 0.0, bounded ? log_k : inf, 1e-9, ck::to_string(e));
    }
}

void count_entropies(FuzzedDataProvider& in) {
    const args a = consume_args(in);
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
        case 0:
            count_estimators_of(consume_doubles(in, max_len), a);
            break;
        case 1: {
            std::vector<std::uint64_t> c(in.ConsumeIntegralInRange<std::size_t>(0, max_len));
            for (auto& x : c)
                x = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint64_t>(0, 20)
                                     : in.ConsumeIntegral<std::uint64_t>();
            count_estimators_of(c, a);
            break;
        }
        default: {
            std::vector<std::int64_t> c(in.ConsumeIntegralInRange<std::size_t>(0, max_len));
            for (auto& x : c)
                x = in.ConsumeBool() ? in.ConsumeIntegralInRange<std::int64_t>(-2, 20)
                                     : in.ConsumeIntegral<std::int64_t>();
            count_estimators_of(c, a);
        }
    }
}

ck::zero_support consume_zero_support(FuzzedDataProvider& in) {
    const int kind = in.ConsumeIntegralInRange<int>(0, 4);
    const double alpha = consume_double(in);
    ck::zero_support zs = ck::zero_support::none();
    returns([&] {
        switch (kind) {
            case 0:
                break;
            case 1:
                zs = ck::zero_support::additive(alpha);
                break;
            case 2:
                zs = ck::zero_support::skew(alpha);
                break;
            case 3:
                zs = ck::zero_support::jeffreys();
                break;
            default:
                zs = ck::zero_support::laplace();
        }
    });
    return zs;
}

void divergences(FuzzedDataProvider& in) {
    const args a = consume_args(in);
    const ck::zero_support zs = consume_zero_support(in);
    const bool counts = in.ConsumeBool();
    const double alpha = consume_double(in);
    std::vector<double> p = consume_doubles(in, max_len);
    std::vector<double> q = in.ConsumeBool() ? consume_doubles(in, max_len) : p;
    if (in.ConsumeBool() && q.size() > p.size()) q.resize(p.size());
    const bool nan_in = any_nan(p) || any_nan(q);
    context() = "p = " + describe(p) + ", q = " + describe(q) + ", counts = " + std::to_string(counts) +
                ", zero support kind " + std::to_string(static_cast<int>(zs.type())) + " alpha " +
                describe({zs.alpha()}) + ", renyi alpha = " + describe({alpha}) +
                ", base = " + describe({a.base.value()}) + ", nan = " + ck::to_string(a.nan);
    const double ln2 = std::log(2.0);
    // Probability vectors may sum to 1 within 1e-9: ranges hold to about that.
    const double tol = 1e-7;
    double v = 0;
    // Open finding (reported with issue 19, not fixed here: divergence.hpp): counts whose
    // total overflows are refused ("p counts sum to infinity") without smoothing, but not
    // with zero_support::additive, which then normalises by an infinite total:
    // renyi_divergence_counts(p, p, inf, nats, jeffreys()) = -inf for p = {DBL_MAX,
    // DBL_MAX, 1}. Values are not range-checked there, so that fuzzing goes on.
    // (The same when alpha itself makes the smoothed total overflow, in either form:
    // additive(DBL_MAX).)
    std::vector<double> smoothed_p = p, smoothed_q = q;
    smoothed_p.push_back(zs.alpha() * static_cast<double>(p.size()));
    smoothed_q.push_back(zs.alpha() * static_cast<double>(q.size()));
    const bool known_total = zs.type() == ck::zero_support::kind::additive &&
                             (overflowing(smoothed_p) || overflowing(smoothed_q) || std::isinf(smoothed_p.back()));
    auto run = [&](const char* name, auto&& f, double lo, double hi, bool unitless) {
        if (!returns([&] { v = f(); }) || known_total) return;
        check_nan_rule(v, a, nan_in, name);
        if (unitless) {
            if (!std::isnan(v) && !(v >= lo - tol && v <= hi + tol)) finding(std::string(name) + " outside its range");
        } else {
            check_nats(v, a, lo, hi, tol, name);
        }
    };
#define CK_FUZZ_DIVERGENCE(name, lo, hi, unitless)                                                          \
    if (counts) {                                                                                           \
        run(                                                                                                \
            #name "_counts", [&] { return ck::name##_counts(p, q, a.base, zs, a.nan); }, lo, hi, unitless); \
    } else {                                                                                                \
        run(                                                                                                \
            #name, [&] { return ck::name(p, q, a.base, zs, a.nan); }, lo, hi, unitless);                    \
    }
    CK_FUZZ_DIVERGENCE(kl_divergence, 0.0, inf, false)
    CK_FUZZ_DIVERGENCE(cross_entropy, 0.0, inf, false)
    CK_FUZZ_DIVERGENCE(js_divergence, 0.0, ln2, false)
    CK_FUZZ_DIVERGENCE(hellinger, 0.0, 1.0, true)
    CK_FUZZ_DIVERGENCE(bhattacharyya, 0.0, inf, false)
    CK_FUZZ_DIVERGENCE(total_variation, 0.0, 1.0, true)
    CK_FUZZ_DIVERGENCE(chi_squared_pearson, 0.0, inf, true)
    CK_FUZZ_DIVERGENCE(chi_squared_neyman, 0.0, inf, true)
    CK_FUZZ_DIVERGENCE(psi, 0.0, inf, false)
#undef CK_FUZZ_DIVERGENCE
    // js_distance = sqrt(JSD in units of base): in [0, sqrt(ln 2 / ln base)].
    // Open finding (reported with issue 19, not fixed here: divergence.hpp): a base in
    // (0, 1) is accepted, the JSD in its units is negative and the distance NaN, e.g.
    // js_distance({1, 0}, {0, 1}, 0.5). Let through so that fuzzing goes on.
    if (returns([&] {
            v = counts ? ck::js_distance_counts(p, q, a.base, zs, a.nan) : ck::js_distance(p, q, a.base, zs, a.nan);
        }) &&
        !(std::isnan(v) && a.ln_base < 0) && !known_total) {
        check_nan_rule(v, a, nan_in, "js_distance");
        if (!std::isnan(v) && !(v >= 0.0 && v * v * a.ln_base <= ln2 + tol)) finding("js_distance outside its range");
    }
    // Open finding (reported with issue 19, not fixed here: divergence.hpp): at a finite
    // order near DBL_MAX the Renyi divergence overflows to inf or NaN, even of a
    // distribution with itself: renyi_divergence_counts({1, 1, 1}, {1, 1, 1}, DBL_MAX) =
    // inf, not 0 (1e300 gives 1e-300). Let through so that fuzzing goes on.
    const bool known_alpha = std::isfinite(alpha) && alpha >= 1e307;
    if (returns([&] {
            v = counts ? ck::renyi_divergence_counts(p, q, alpha, a.base, zs, a.nan)
                       : ck::renyi_divergence(p, q, alpha, a.base, zs, a.nan);
        }) &&
        !(known_alpha && !std::isfinite(v)) && !known_total) {
        check_nan_rule(v, a, nan_in, "renyi_divergence");
        check_nats(v, a, 0.0, inf, tol, "renyi_divergence");
    }
    // n-way JSD of p, q (and p again), equal or given weights: in [0, log 3].
    // Open finding (reported with issue 19, not fixed here: divergence.hpp): the n-way JSD
    // forms the mixture from w_i p_ij, which underflows to 0 for a subnormal p_ij, and then
    // KL(P_i || M) is +inf: js_divergence_n({{1, 5e-324}, {1, 0}}) = inf, not 0 (the
    // pairwise js_divergence avoids this by never halving). Let through, tiny entries only.
    auto has_tiny = [](const std::vector<double>& c) {
        double s = 0;
        for (double x : c) s += std::isfinite(x) && x > 0 ? x : 0.0;
        for (double x : c) {
            if (std::isfinite(x) && x > 0 && x / s < 1e-290) return true;
        }
        return false;
    };
    const bool known_mixture = has_tiny(p) || has_tiny(q);
    const std::vector<std::vector<double>> three{p, q, p};
    const std::vector<double> w{consume_double(in), consume_double(in), consume_double(in)};
    if (returns([&] {
            v = counts ? ck::js_divergence_n_counts(three, w, a.base, zs, a.nan)
                       : ck::js_divergence_n(three, w, a.base, zs, a.nan);
        }) &&
        !known_total && !(known_mixture && std::isinf(v))) {
        check_nan_rule(v, a, nan_in, "js_divergence_n");
        check_nats(v, a, 0.0, std::log(3.0), tol, "js_divergence_n");
    }
}

// Open finding (reported with issue 19, not fixed here: core/numeric.hpp): merging
// compensated sums (compensated_sum += compensated_sum) adds the other's compensation,
// NaN once its running sum overflowed, so W_p and the energy distance are NaN, not +inf,
// where their integrals overflow: wasserstein({-1e200}, {1e200}, 2),
// wasserstein({0}, {-1e308, 1e308}), energy_distance({-1.7e308}, {1.7e308}). Such inputs
// (the integrand's bound (max - min)^p times the n m segment weights overflows) are let
// through so that the fuzzer goes on looking for other findings; any other NaN is a finding.
bool known_integral_overflow(const std::vector<double>& u, const std::vector<double>& v, double order) {
    double lo = inf, hi = -inf;
    for (const auto* s : {&u, &v}) {
        for (double x : *s) {
            if (std::isnan(x)) continue;
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    }
    const double nm = static_cast<double>(u.size()) * static_cast<double>(v.size());
    return std::isinf(std::pow(hi - lo, std::isinf(order) ? 1.0 : std::max(order, 2.0)) * nm * 4.0);
}

void transport(FuzzedDataProvider& in) {
    const args a = consume_args(in);
    const double orders[] = {1.0, 2.0, 3.0, inf, 1.5, 0.5};
    double order = orders[in.ConsumeIntegralInRange<std::size_t>(0, 5)];
    if (in.ConsumeBool()) order = consume_double(in);
    const std::vector<double> u = consume_doubles(in, max_len);
    const std::vector<double> v = consume_doubles(in, max_len);
    const std::vector<double> uw = consume_doubles(in, max_len);
    const std::vector<double> vw = consume_doubles(in, max_len);
    const bool nan_in = any_nan(u) || any_nan(v);
    context() = "u = " + describe(u) + ", v = " + describe(v) + ", u_weights = " + describe(uw) +
                ", v_weights = " + describe(vw) + ", p = " + describe({order}) + ", nan = " + ck::to_string(a.nan);
    const bool wnan_in = nan_in || any_nan(uw) || any_nan(vw);
    double r = 0;
    auto non_negative = [&](const char* name, bool nan_input) {
        check_nan_rule(r, a, nan_input, name);
        if (!std::isnan(r) && !(r >= 0.0)) finding(std::string(name) + " is negative");
    };
    if (returns([&] { r = ck::wasserstein(u, v, order, a.nan); }) &&
        !(std::isnan(r) && known_integral_overflow(u, v, order))) {
        non_negative("wasserstein", nan_in);
        // The same through a sorted_reference: bit for bit (p != 1 or a short reference).
        double s = 0;
        if (returns([&] { s = ck::wasserstein(u, ck::sorted_reference(v, a.nan), order, a.nan); })) {
            if (!(s == r || (std::isnan(s) && std::isnan(r)) ||
                  (order == 1.0 && std::abs(s - r) <= 1e-12 * std::abs(r))))
                finding("wasserstein against a sorted_reference differs");
        }
    }
    if (!nan_in && returns([&] { r = ck::wasserstein(u, u, order, a.nan); }) && r != 0.0 &&
        !(std::isnan(r) && known_integral_overflow(u, u, order)))
        finding("wasserstein(u, u) is not 0");
    if (returns([&] { r = ck::wasserstein(u, v, uw, vw, order, a.nan); }) &&
        !(std::isnan(r) && known_integral_overflow(u, v, order)))
        non_negative("weighted wasserstein", wnan_in);
    if (returns([&] { r = ck::energy_distance(u, v, a.nan); }) &&
        !(std::isnan(r) && known_integral_overflow(u, v, 2.0)))
        non_negative("energy_distance", nan_in);
    if (!nan_in && returns([&] { r = ck::energy_distance(u, u, a.nan); }) && r != 0.0 &&
        !(std::isnan(r) && known_integral_overflow(u, u, 2.0)))
        finding("energy_distance(u, u) is not 0");
    if (returns([&] { r = ck::energy_distance(u, v, uw, vw, a.nan); }) &&
        !(std::isnan(r) && known_integral_overflow(u, v, 2.0)))
        non_negative("weighted energy_distance", wnan_in);
    // Open finding (reported with issue 19, not fixed here: wasserstein.hpp): counts whose
    // total overflows give NaN cumulative fractions, on which wasserstein_pp_weighted's
    // merge never advances: wasserstein_histogram({DBL_MAX, DBL_MAX, 1}, {1, 1, 1}, {0, 1, 2})
    // never returns. Not called there, so that fuzzing goes on.
    if (!overflowing(u) && !overflowing(v) && returns([&] { r = ck::wasserstein_histogram(u, v, uw, order); })) {
        if (!(r >= 0.0)) finding("wasserstein_histogram is negative or NaN");
    }
}

void kolmogorov_smirnov(FuzzedDataProvider& in) {
    const args a = consume_args(in);
    const auto alt = static_cast<ck::ks_alternative>(in.ConsumeIntegralInRange<int>(0, 2));
    const auto method = static_cast<ck::ks_method>(in.ConsumeIntegralInRange<int>(0, 2));
    const std::vector<double> u = consume_doubles(in, max_len);
    const std::vector<double> v = consume_doubles(in, max_len);
    const bool nan_in = any_nan(u) || any_nan(v);
    context() = "u = " + describe(u) + ", v = " + describe(v) + ", alternative " +
                std::to_string(static_cast<int>(alt)) + ", method " + std::to_string(static_cast<int>(method)) +
                ", nan = " + ck::to_string(a.nan);
    auto in_unit = [](double x) { return x >= 0.0 && x <= 1.0; };
    ck::ks_result r;
    if (returns([&] { r = ck::ks_2samp(u, v, alt, method, a.nan); })) {
        check_nan_rule(r.statistic, a, nan_in, "ks_2samp statistic");
        check_nan_rule(r.pvalue, a, nan_in, "ks_2samp pvalue");
        if (!std::isnan(r.statistic) && !(in_unit(r.statistic) && in_unit(r.pvalue)))
            finding("ks_2samp statistic or p-value outside [0, 1]");
        double s = 0;
        if (returns([&] { s = ck::ks_statistic(u, v, alt, a.nan); })) {
            // Documented: ks_2samp's statistic bit for bit (the automatic method's arithmetic).
            if (method == ck::ks_method::automatic && !(s == r.statistic || (std::isnan(s) && std::isnan(r.statistic))))
                finding("ks_statistic differs from ks_2samp(...).statistic");
            double t = 0;
            if (returns([&] { t = ck::ks_statistic(u, ck::sorted_reference(v, a.nan), alt, a.nan); }) &&
                !(t == s || (std::isnan(t) && std::isnan(s))))
                finding("ks_statistic against a sorted_reference differs");
        } else {
            finding("ks_statistic refused what ks_2samp took");
        }
    }
    const std::vector<double> uw = consume_doubles(in, max_len);
    const std::vector<double> vw = consume_doubles(in, max_len);
    if (returns([&] { r = ck::ks_2samp_weighted(u, v, uw, vw, alt, a.nan); })) {
        check_nan_rule(r.statistic, a, nan_in || any_nan(uw) || any_nan(vw), "ks_2samp_weighted");
        if (!std::isnan(r.statistic) && !(in_unit(r.statistic) && in_unit(r.pvalue)))
            finding("ks_2samp_weighted statistic or p-value outside [0, 1]");
    }
}

void tails(FuzzedDataProvider& in) {
    const args a = consume_args(in);
    const auto side = static_cast<ck::tail_side>(in.ConsumeIntegralInRange<int>(0, 2));
    const auto method = static_cast<ck::quantile_method>(in.ConsumeIntegralInRange<int>(0, 1));
    const double alpha = in.ConsumeBool() ? consume_double(in) : in.ConsumeIntegralInRange<int>(1, 50) / 100.0;
    const std::vector<double> r = consume_doubles(in, max_len);
    const std::vector<double> g = consume_doubles(in, max_len);
    const bool nan_in = any_nan(r) || any_nan(g);
    context() = "reference = " + describe(r) + ", generated = " + describe(g) + ", alpha = " + describe({alpha}) +
                ", side " + std::to_string(static_cast<int>(side)) + ", method " +
                std::to_string(static_cast<int>(method)) + ", nan = " + ck::to_string(a.nan);
    double v = 0;
    if (returns([&] { v = ck::tail_mass(r, g, alpha, side, a.nan, method); })) {
        check_nan_rule(v, a, nan_in, "tail_mass");
        if (!std::isnan(v) && !(v >= 0.0 && v <= 1.0)) finding("tail_mass outside [0, 1]");
    }
    if (returns([&] { v = ck::tail_retention(r, g, alpha, side, a.nan, method); })) {
        check_nan_rule(v, a, nan_in, "tail_retention");
        if (!std::isnan(v) && !(v >= 0.0)) finding("tail_retention negative");
    }
    std::vector<double> curve;
    const std::vector<double> alphas{alpha, 0.05, 0.5};
    if (returns([&] { curve = ck::tail_mass_curve(r, g, alphas, side, a.nan, method); }) && curve.size() != 3)
        finding("tail_mass_curve of the wrong length");
    returns([&] { curve = ck::retention_curve(r, g, alphas, side, a.nan, method); });
    returns([&] { v = ck::expected_shortfall(r, alpha, side, a.nan); });
    returns([&] { v = ck::expected_shortfall_ratio(r, g, alpha, side, a.nan, method); });
    returns([&] { v = ck::extreme_quantile_ratio(r, g, alpha, side, a.nan, method); });
    ck::hill_estimate h;
    returns([&] { h = ck::hill_tail_index(r, a.nan); });
    returns([&] { h = ck::hill_tail_index(r, in.ConsumeIntegralInRange<std::size_t>(0, max_len), a.nan); });
    // Counts.
    if (returns([&] { v = ck::support_coverage(r, g); }) && !(v >= 0.0 && v <= 1.0))
        finding("support_coverage outside [0, 1]");
    // Open finding (reported with issue 19, not fixed here: tail/discrete.hpp): finite
    // counts whose total overflows give NaN, not an error: support_coverage_mass({DBL_MAX,
    // DBL_MAX}, {1, 1}). Not range-checked there, so that fuzzing goes on.
    if (returns([&] { v = ck::support_coverage_mass(r, g); }) && !(v >= 0.0 && v <= 1.0) && !overflowing(r))
        finding("support_coverage_mass outside [0, 1]");
    std::vector<std::size_t> extinct;
    std::size_t n_extinct = 0;
    if (returns([&] { extinct = ck::extinct_categories(r, g); }) &&
        returns([&] { n_extinct = ck::extinct_count(r, g); }) && n_extinct != extinct.size())
        finding("extinct_count disagrees with extinct_categories");
    ck::estimate e;
    // Open finding (reported with issue 19, not fixed here: tail/discrete.hpp): both set
    // estimate::n = static_cast<std::size_t>(total), undefined behaviour for a total of
    // 2^64 or more (UBSan: "outside the range of representable values"), e.g.
    // good_turing_missing_mass({1e300, 1}). Skipped there, so that fuzzing goes on.
    double total = 0;
    for (double x : r) total += std::isfinite(x) && x > 0 ? x : 0.0;
    if (total >= 0x1.0p63) return;
    if (returns([&] { e = ck::good_turing_missing_mass(r); }) && !(e.value >= 0.0 && e.value <= 1.0))
        finding("good_turing_missing_mass outside [0, 1]");
    if (returns([&] { e = ck::chao1(r); })) {
        std::size_t observed = 0;
        for (double x : r) observed += x > 0 ? 1 : 0;
        if (!(e.value >= static_cast<double>(observed) * (1 - 1e-12))) finding("chao1 below the observed categories");
    }
    ck::rare_retention rr;
    returns([&] { rr = ck::rare_category_retention(r, g, ck::rare_categories::at_most_count(alpha)); });
}

void histograms(FuzzedDataProvider& in) {
    const auto policy = static_cast<ck::nan_policy>(in.ConsumeIntegralInRange<int>(0, 2));
    // A few thousand bins at most: the API allocates what it is asked for (up to 2^32).
    const std::size_t bins = in.ConsumeIntegralInRange<std::size_t>(0, 4096);
    const double lo = consume_double(in), hi = consume_double(in);
    const std::vector<double> x = consume_doubles(in, max_len);
    const std::vector<double> w = consume_doubles(in, max_len);
    context() = "bins = " + std::to_string(bins) + ", lo = " + describe({lo}) + ", hi = " + describe({hi}) +
                ", x = " + describe(x) + ", w = " + describe(w) + ", nan = " + ck::to_string(policy);
    ck::histogram h = ck::histogram::integer(1);
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
            if (!returns([&] { h = ck::histogram::regular(bins, lo, hi); })) return;
            break;
        case 1:
            if (!returns([&] { h = ck::histogram::with_edges(w); })) return;
            break;
        case 2:
            if (!returns([&] { h = ck::histogram::integer(bins); })) return;
            break;
        default:
            if (!returns([&] { h = ck::histogram::from_quantiles(w, bins, policy); })) return;
    }
    std::pair<double, double> range;
    if (returns([&] { range = ck::numpy_histogram_range(x, policy); })) {
        // Equal values v give (v - 0.5, v + 0.5), as numpy does, which is (v, v) once |v|
        // reaches 2^52 (noted with issue 19: the factories then refuse lo = hi, clearly).
        const bool equal_big = range.first == range.second && std::abs(range.first) >= 0x1.0p52;
        if (!(std::isfinite(range.first) && std::isfinite(range.second) && (range.first < range.second || equal_big)))
            finding("numpy_histogram_range gave a range the factories refuse");
    }
    const ck::histogram before = h;
    const bool weighted = in.ConsumeBool();
    const bool ok = weighted ? returns([&] { h.fill(x, w, policy); }) : returns([&] { h.fill(x, policy); });
    if (ok) {
        // Every value lands in exactly one place.
        const std::uint64_t entries = h.total() + h.underflow() + h.overflow() + h.nan_count();
        if (entries != x.size() + before.total()) finding("histogram::fill lost or added entries");
    } else if (h.serialize() != before.serialize()) {
        finding("a refused histogram::fill changed the histogram");
    }
    const std::string problem = collapsekit_fuzz::check_bytes<ck::histogram>(h.serialize());
    if (!problem.empty()) finding("a filled histogram: " + problem);
}

// The accumulators' other entry points, then their bytes through deserialize.
void accumulators(FuzzedDataProvider& in) {
    ck::entropy_accumulator acc(in.ConsumeIntegralInRange<std::size_t>(0, 8));
    ck::ngram_counts t(in.ConsumeIntegralInRange<std::size_t>(1, ck::max_ngram_order));
    ck::hyperloglog sketch(t.order(), in.ConsumeIntegralInRange<unsigned>(4, 8));
    for (int step = 0; step < 16 && in.remaining_bytes() > 0; ++step) {
        const std::uint64_t big =
            in.ConsumeBool() ? in.ConsumeIntegral<std::uint64_t>() : in.ConsumeIntegralInRange<std::uint64_t>(0, 3);
        std::vector<std::uint32_t> ids(t.order());
        for (auto& id : ids)
            id =
                in.ConsumeBool() ? in.ConsumeIntegralInRange<std::uint32_t>(0, 3) : in.ConsumeIntegral<std::uint32_t>();
        switch (in.ConsumeIntegralInRange<int>(0, 5)) {
            case 0:
                returns([&] { acc.add(in.ConsumeIntegralInRange<std::size_t>(0, 64), big); });
                break;
            case 1: {
                const std::vector<double> c = consume_doubles(in, 8);
                returns([&] { acc.add_counts(c); });
                break;
            }
            case 2:
                returns([&] { acc += acc; });
                break;
            case 3:
                returns([&] { t.add_ngram(ids, big); });
                break;
            case 4:
                returns([&] { t += t; });
                break;
            default:
                t.add_document(ids);
                sketch.add_document(ck::as_view(ids));
        }
    }
    std::string problem = collapsekit_fuzz::check_bytes<ck::entropy_accumulator>(acc.serialize());
    if (!problem.empty()) finding("an accumulator: " + problem);
    problem = collapsekit_fuzz::check_bytes<ck::ngram_counts>(t.serialize());
    if (!problem.empty()) finding("n-gram counts: " + problem);
    problem = collapsekit_fuzz::check_bytes<ck::hyperloglog>(sketch.serialize());
    if (!problem.empty()) finding("a sketch: " + problem);
}

}  // namespace

namespace {
void run_selected(FuzzedDataProvider& in);
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    context().clear();
    // returns() lets the documented exceptions through; any other is a finding, reported
    // with the decoded arguments.
    try {
        run_selected(in);
    } catch (const std::exception& e) {
        finding(std::string("an undocumented exception: ") + e.what());
    }
    return 0;
}

namespace {

void run_selected(FuzzedDataProvider& in) {
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
        case 0:
            discrete_entropies(in);
            break;
        case 1:
            count_entropies(in);
            break;
        case 2:
            divergences(in);
            break;
        case 3:
            transport(in);
            break;
        case 4:
            kolmogorov_smirnov(in);
            break;
        case 5:
            tails(in);
            break;
        case 6:
            histograms(in);
            break;
        default:
            accumulators(in);
    }
}

}  // namespace
