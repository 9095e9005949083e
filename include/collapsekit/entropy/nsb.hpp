// The NSB entropy estimator (Nemenman, Shafee & Bialek 2002, "Entropy and inference,
// revisited"): the posterior mean and standard deviation of H under a mixture of
// symmetric Dirichlet(beta) priors whose mixing density makes the prior on H nearly
// flat: d prior / d beta proportional to d xi / d beta, where
//   xi(beta) = E[H | beta] a priori = psi(K beta + 1) - psi(beta + 1)   (nats).
//
// Given beta and counts n_i (N = sum n_i, a_i = n_i + beta, A = N + K beta):
//   likelihood   L(beta)  = Gamma(K beta) / Gamma(N + K beta) * prod_i Gamma(a_i) / Gamma(beta)
//   E[H | n, beta]   = psi(A + 1) - sum_i (a_i / A) psi(a_i + 1)
//   E[H^2 | n, beta] = (Wolpert & Wolf 1995; as in NSB and Archer, Park & Pillow 2013)
//       sum_{i != k} a_i a_k / (A (A+1)) [(psi(a_i+1) - psi(A+2))(psi(a_k+1) - psi(A+2)) - psi1(A+2)]
//     + sum_i a_i (a_i+1) / (A (A+1)) [(psi(a_i+2) - psi(A+2))^2 + psi1(a_i+2) - psi1(A+2)].
// The posterior over xi is proportional to L(beta(xi)) on (0, log K), because the prior
// is uniform in xi. The estimate is int E[H|beta] L dxi / int L dxi, and the posterior
// variance is int E[H^2|beta] L dxi / int L dxi - mean^2.
//
// Numerics (why it is fast enough for a 500-replicate bias study): categories with the
// same count share every term, so each evaluation costs O(distinct count values), not
// O(K). The mode of L is found on a grid in log beta (beta in [e^-25, e^25]) then by
// Brent's method; the interval where log L is within 30 of its maximum (density ratio
// e^-30 ~ 1e-13) is bracketed by bisection; that interval, mapped to xi, is split at
// the mode and integrated with 2 x 2 panels of 20-point Gauss-Legendre (Boost.Math),
// each node's beta found by Newton on xi(beta) inside a bisection bracket. Mass outside beta in
// [e^-25, e^25] (a xi-interval of width below 1e-10) is ignored.
//
// Large samples (N >= 2^32): log L is then a difference of terms of order N log N whose
// beta-dependent part is of order 1, so the terms that do not depend on beta
// (log Gamma(N), log Gamma(n_i)) are taken out analytically,
//   log L(beta) = log Gamma(K beta) - [log Gamma(N + K beta) - log Gamma(N)]
//               + sum_{n_i > 0} ([log Gamma(n_i + beta) - log Gamma(n_i)] - log Gamma(beta)) + const,
// each bracket a log-gamma ratio with a small increment (accurate for any N); and the
// variance, of order 1/N next to H^2, is summed as such instead of E[H^2] - E[H]^2:
//   Var[H | n, beta] A (A + 1) = sum_i a_i (psi(a_i+1) - psibar)^2 + sum_i a_i / (a_i + 1) - A / (A + 1)
//                              + sum_i g(a_i) - g(A),   g(a) = a (a+1) psi1(a+2) - a,
// psibar = sum_i (a_i / A) psi(a_i+1) (the expansion of the E[H^2] above, without its
// cancellation; g by its asymptotic series for large a), and the posterior variance is
// the posterior mean of Var[H | beta] plus the posterior variance of E[H | beta]. Below
// 2^32 the first form is used (its results are unchanged). Counts whose sum overflows a
// double (N > DBL_MAX) give the plug-in value and its delta-method standard error: the
// posterior is a point there, NSB and plug-in differing by O(K / N).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>
#include <boost/math/tools/minima.hpp>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"
#include "counts.hpp"

namespace collapsekit {

namespace detail {

// log Gamma(x + n) - log Gamma(x) for x > 0, n >= 0. For large x the difference of two
// huge lgamma values would cancel, so Stirling's series is differenced analytically.
inline double log_gamma_ratio(double x, double n) {
    if (n == 0.0) return 0.0;
    if (x < 1e6) return boost::math::lgamma(x + n) - boost::math::lgamma(x);
    return (x - 0.5) * std::log1p(n / x) + n * std::log(x + n) - n + (1.0 / (12.0 * (x + n)) - 1.0 / (12.0 * x));
}

// g(a) = a (a + 1) psi1(a + 2) - a, which tends to -1/2; for large a its asymptotic series
// in x = a + 2 (the direct form would cancel to eps a).
inline double nsb_trigamma_term(double a) {
    if (a < 1e4) return a * (a + 1.0) * boost::math::trigamma(a + 2.0) - a;
    const double r = 1.0 / (a + 2.0);
    return -0.5 + r * (2.0 / 3.0 + r * (0.5 + r * (0.3 + r * 0.1)));
}

// psi(x) - psi(y) for x, y > 0: where both are large, from the asymptotic series with the
// log of the ratio taken as such (the two digammas would cancel to eps log y).
inline double digamma_difference(double x, double y) {
    if (x >= 1e6 && y >= 1e6) {
        return log_ratio(x, y) - (0.5 / x - 0.5 / y) - (1.0 / (12.0 * x * x) - 1.0 / (12.0 * y * y));
    }
    return boost::math::digamma(x) - boost::math::digamma(y);
}

// Samples this large take the forms of the module comment for large N.
inline constexpr double nsb_large_sample = 4294967296.0;  // 2^32

class nsb_posterior {
public:
    // groups: (count value, number of categories with that count), zero counts included.
    nsb_posterior(std::vector<std::pair<double, double>> groups, double k, double n)
        : groups_(std::move(groups)), k_(k), n_(n), large_(n >= nsb_large_sample) {}

    // Whether moments() returns the variance (large samples) or E[H^2] as its second.
    bool large() const noexcept { return large_; }

    double log_likelihood(double beta) const {
        if (large_) {
            // The module comment's form without the constants log Gamma(N), log Gamma(n_i).
            double s = boost::math::lgamma(k_ * beta) - log_gamma_ratio(n_, k_ * beta);
            const double lg_beta = boost::math::lgamma(beta);
            for (const auto& g : groups_) {
                if (g.first > 0.0) s += g.second * (log_gamma_ratio(g.first, beta) - lg_beta);
            }
            return s;
        }
        double s = -log_gamma_ratio(k_ * beta, n_);
        for (const auto& g : groups_) s += g.second * log_gamma_ratio(beta, g.first);
        return s;
    }
    double xi(double beta) const { return boost::math::digamma(k_ * beta + 1.0) - boost::math::digamma(beta + 1.0); }
    double dxi_dbeta(double beta) const {
        return k_ * boost::math::trigamma(k_ * beta + 1.0) - boost::math::trigamma(beta + 1.0);
    }
    // E[H | n, beta] and E[H^2 | n, beta] in nats; for large samples E[H | n, beta] and
    // Var[H | n, beta] (module comment).
    std::pair<double, double> moments(double beta) const {
        using boost::math::digamma;
        using boost::math::trigamma;
        const double big_a = n_ + k_ * beta;
        if (large_) {
            // E[H | beta] = -sum_i (a_i / A) (psi(a_i+1) - psi(A+1)), and psi(a_i+1) - psibar
            // = (psi(a_i+1) - psi(A+1)) + E[H | beta], each difference taken as such.
            double mean = 0;
            for (const auto& g : groups_) {
                const double a = g.first + beta;
                mean -= g.second * (a / big_a) * digamma_difference(a + 1.0, big_a + 1.0);
            }
            double spread = 0, ratio = -1.0 + 1.0 / (big_a + 1.0), tri = -nsb_trigamma_term(big_a);
            for (const auto& g : groups_) {
                const double a = g.first + beta, m = g.second;
                const double d = digamma_difference(a + 1.0, big_a + 1.0) + mean;
                spread += m * a * d * d;
                ratio += m * (1.0 - 1.0 / (a + 1.0));
                tri += m * nsb_trigamma_term(a);
            }
            const double var = (spread + ratio + tri) / (big_a * (big_a + 1.0));
            return {mean, std::max(var, 0.0)};
        }
        const double psi_a2 = digamma(big_a + 2.0);
        const double t1 = trigamma(big_a + 2.0);
        double e1 = 0, su = 0, su2 = 0, sa2 = 0, diag = 0;
        for (const auto& g : groups_) {
            const double a = g.first + beta, m = g.second;
            const double psi_a1 = digamma(a + 1.0);
            e1 += m * (a / big_a) * psi_a1;
            const double u = a * (psi_a1 - psi_a2);
            su += m * u;
            su2 += m * u * u;
            sa2 += m * a * a;
            const double d2 = digamma(a + 2.0) - psi_a2;
            diag += m * a * (a + 1.0) * (d2 * d2 + trigamma(a + 2.0) - t1);
        }
        const double cross = (su * su - su2) - t1 * (big_a * big_a - sa2);
        return {digamma(big_a + 1.0) - e1, (cross + diag) / (big_a * (big_a + 1.0))};
    }

private:
    std::vector<std::pair<double, double>> groups_;
    double k_, n_;
    bool large_;
};

// t = log beta with xi(e^t) = target in [t_lo, t_hi] (xi increases with beta): Newton
// steps from `guess`, each kept inside a bisection bracket, so it always converges and
// never throws.
inline double solve_xi(const nsb_posterior& post, double target, double guess, double lo, double hi) {
    double t = std::min(std::max(guess, lo), hi);
    for (int it = 0; it < 100; ++it) {
        const double beta = std::exp(t);
        const double f = post.xi(beta) - target;
        if (f == 0.0) return t;
        (f < 0.0 ? lo : hi) = t;
        const double slope = beta * post.dxi_dbeta(beta);
        double next = t - f / slope;
        if (!(next > lo && next < hi) || !std::isfinite(next)) next = 0.5 * (lo + hi);
        if (std::abs(next - t) <= 1e-13 * (1.0 + std::abs(t)) || hi - lo <= 1e-13 * (1.0 + std::abs(t))) return next;
        t = next;
    }
    return t;
}

// Posterior mean and standard deviation of H in nats (module comment).
inline std::pair<double, double> nsb_integrate(const nsb_posterior& post) {
    constexpr double t_min = -25.0, t_max = 25.0, drop = 30.0;
    auto logl = [&](double t) { return post.log_likelihood(std::exp(t)); };
    // 1. the mode in t = log beta: grid, then Brent around the best grid point.
    double t_best = t_min, l_best = logl(t_min);
    for (double t = t_min + 0.5; t <= t_max; t += 0.5) {
        const double l = logl(t);
        if (l > l_best) l_best = l, t_best = t;
    }
    {
        const auto r = boost::math::tools::brent_find_minima(
            [&](double t) { return -logl(t); }, std::max(t_min, t_best - 0.5), std::min(t_max, t_best + 0.5), 40);
        if (-r.second > l_best) t_best = r.first, l_best = -r.second;
    }
    // 2. where log L falls `drop` below the mode, each side (or the end of the range).
    auto edge = [&](double direction) {
        double inside = t_best, t = t_best;
        for (;;) {
            t += direction * 0.5;
            if (direction < 0 ? t <= t_min : t >= t_max) {
                t = direction < 0 ? t_min : t_max;
                if (logl(t) > l_best - drop) return t;
                break;
            }
            if (logl(t) < l_best - drop) break;
            inside = t;
        }
        double outside = t;
        for (int it = 0; it < 40; ++it) {
            const double mid = 0.5 * (inside + outside);
            (logl(mid) < l_best - drop ? outside : inside) = mid;
        }
        return outside;
    };
    const double t_lo = edge(-1.0), t_hi = edge(1.0);
    const double xi_lo = post.xi(std::exp(t_lo)), xi_mode = post.xi(std::exp(t_best)), xi_hi = post.xi(std::exp(t_hi));
    // 3. Gauss-Legendre in xi on [xi_lo, xi_mode] and [xi_mode, xi_hi], two panels each.
    using rule = boost::math::quadrature::gauss<double, 20>;
    const auto& x = rule::abscissa();
    const auto& w = rule::weights();
    double z = 0, m1 = 0, m2 = 0;
    // Large samples: each node's weight, E[H | beta] and Var[H | beta], for the variance.
    std::vector<double> nodes;
    double t_guess = t_lo;
    const double cuts[5] = {xi_lo, 0.5 * (xi_lo + xi_mode), xi_mode, 0.5 * (xi_mode + xi_hi), xi_hi};
    for (int panel = 0; panel < 4; ++panel) {
        const double a = cuts[panel], b = cuts[panel + 1];
        if (!(b > a)) continue;
        const double half = 0.5 * (b - a), mid = 0.5 * (a + b);
        for (std::size_t j = 0; j < 2 * x.size(); ++j) {
            // Nodes in increasing order, so the previous root is a good Newton start.
            const std::size_t h = x.size();
            const double node = j < h ? -x[h - 1 - j] : x[j - h];
            const double weight = j < h ? w[h - 1 - j] : w[j - h];
            const double target = mid + half * node;
            const double t = detail::solve_xi(post, target, t_guess, t_lo, t_hi);
            t_guess = t;
            const double beta = std::exp(t);
            const double f = std::exp(post.log_likelihood(beta) - l_best) * weight * half;
            const auto mom = post.moments(beta);
            z += f;
            m1 += f * mom.first;
            m2 += f * mom.second;
            if (post.large()) nodes.insert(nodes.end(), {f, mom.first, mom.second});
        }
    }
    if (!(z > 0.0)) {
        // The whole posterior sits within one node spacing of the mode.
        const auto mom = post.moments(std::exp(t_best));
        if (post.large()) return {mom.first, std::sqrt(mom.second)};
        return {mom.first, std::sqrt(std::max(mom.second - mom.first * mom.first, 0.0))};
    }
    const double mean = m1 / z;
    if (post.large()) {
        double var = 0;
        for (std::size_t i = 0; i < nodes.size(); i += 3) {
            const double d = nodes[i + 1] - mean;
            var += nodes[i] * (nodes[i + 2] + d * d);
        }
        return {mean, std::sqrt(var / z)};
    }
    return {mean, std::sqrt(std::max(m2 / z - mean * mean, 0.0))};
}

}  // namespace detail

// NSB entropy estimate (module comment): value = posterior mean of H, standard_error =
// posterior standard deviation, n = N; in the unit of `base`.
// K, the number of possible categories, is `bins` when given (it must be at least the
// length of the vector: the extra categories are unobserved), else the length of the
// vector. K matters: NSB's prior lives on the K-simplex. K = 1 gives 0 with sd 0.
// Errors (std::invalid_argument): empty, all-zero, negative, non-whole or non-finite
// counts; bins smaller than the vector; an invalid base. Large N: module comment (the sum
// of the counts past DBL_MAX gives the plug-in value and standard error; n saturates).
template <class Range>
estimate nsb_entropy(const Range& counts, log_base base = nats, std::size_t bins = 0) {
    constexpr const char* fn = "nsb_entropy";
    const double unit = base.nats_to_unit(fn);
    const auto c = as_view(counts);
    const detail::count_summary s = detail::summarise_counts(fn, c);
    if (bins == 0) bins = c.size();
    if (bins < c.size()) {
        fail(fn, "bins must be at least the number of counts (" + std::to_string(bins) + " < " +
                     std::to_string(c.size()) + ")");
    }
    if (bins == 1) return {0.0, 0.0, detail::sample_size(s.total / s.scale)};
    if (s.scale != 1.0) {
        // N past the double range: the posterior is a point at the plug-in value.
        const double h = detail::plugin_from_sums(sequential, c, s.total, s.sum_clogc, s.scale);
        return {log_base::in_unit(h, unit),
                log_base::in_unit(detail::plugin_stderr_nats(sequential, c, s.total, h, s.scale), unit),
                detail::sample_size(s.total / s.scale)};
    }
    std::map<double, double> by_count;
    for (std::size_t i = 0; i < c.size(); ++i) by_count[static_cast<double>(c[i])] += 1.0;
    by_count[0.0] += static_cast<double>(bins - c.size());
    std::vector<std::pair<double, double>> groups(by_count.begin(), by_count.end());
    const detail::nsb_posterior post(std::move(groups), static_cast<double>(bins), s.total);
    const auto r = detail::nsb_integrate(post);
    return {log_base::in_unit(r.first, unit), log_base::in_unit(r.second, unit), detail::sample_size(s.total)};
}

}  // namespace collapsekit
