// A 1-D Gaussian mixture fitted by expectation-maximisation, for the feedback driver.
//
// Mixtures show a subtler collapse than one Gaussian: small components lose weight and
// vanish, modes merge, and the tails thin before the variance does.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../../core/append.hpp"
#include "../../core/errors.hpp"
#include "../../core/random.hpp"
#include "../../core/view.hpp"

namespace collapsekit {
namespace feedback {

// EM stops after max_iterations or when the mean log-likelihood changes by at most
// tolerance * (1 + |mean log-likelihood|). Component variances are kept at or above
// variance_floor times the data variance (a stated floor: without one, a component that
// sits on a single point has zero variance and infinite likelihood).
struct gmm_options {
    std::size_t max_iterations = 200;
    double tolerance = 1e-8;
    double variance_floor = 1e-6;
};

class gaussian_mixture {
public:
    using sample_type = double;

    // `components` equal standard normals until fitted.
    explicit gaussian_mixture(std::size_t components, gmm_options options = {})
        : gaussian_mixture(std::vector<double>(components, 1.0), std::vector<double>(components, 0.0),
                           std::vector<double>(components, 1.0), options) {}

    // Starts from the given weights (normalised), means and variances (e.g. the human
    // distribution). Throws for mismatched lengths, no component, negative weights or
    // non-positive variances.
    gaussian_mixture(std::vector<double> weights, std::vector<double> means, std::vector<double> variances,
                     gmm_options options = {})
        : w_(std::move(weights)), mu_(std::move(means)), var_(std::move(variances)), opt_(options) {
        constexpr const char* fn = "gaussian_mixture";
        require(!w_.empty(), fn, "needs at least one component");
        require_same_length(fn, "weights", w_.size(), "means", mu_.size());
        require_same_length(fn, "weights", w_.size(), "variances", var_.size());
        require(opt_.max_iterations >= 1, fn, "max_iterations must be at least 1");
        require_non_negative(fn, "tolerance", opt_.tolerance);
        require_non_negative(fn, "variance_floor", opt_.variance_floor);
        double total = 0.0;
        for (std::size_t k = 0; k < w_.size(); ++k) {
            require_non_negative(fn, "weights", w_[k]);
            require_finite(fn, "means", mu_[k]);
            require_positive(fn, "variances", var_[k]);
            total += w_[k];
        }
        require(total > 0.0, fn, "weights must have a positive sum");
        for (double& v : w_) v /= total;
    }

    // A mixture whose weights are exactly `weights` (as weights() returned them): the
    // constructor would normalise them again and move some by an ulp, so a saved model is
    // restored here, bit for bit. Throws std::invalid_argument as the constructor does,
    // and unless the weights sum to 1 within 1e-9.
    static gaussian_mixture with_parameters(std::vector<double> weights, std::vector<double> means,
                                            std::vector<double> variances, gmm_options options = {}) {
        gaussian_mixture g(weights, std::move(means), std::move(variances), options);
        require_sum_one("gaussian_mixture::with_parameters", "weights", weights.data(), weights.size());
        g.w_ = std::move(weights);
        return g;
    }

    // EM from a k-means++ start drawn with g (so a replicate's fits are reproducible).
    // Needs at least max(2, components) finite values with a positive variance; else
    // throws std::invalid_argument.
    void fit(view<const double> x, rng& g) {
        constexpr const char* fn = "gaussian_mixture::fit";
        const std::size_t K = w_.size(), n = x.size();
        if (n < 2 || n < K) {
            fail(fn, "needs at least max(2, components) = " + std::to_string(K < 2 ? 2 : K) + " samples (got " +
                         std::to_string(n) + ")");
        }
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(x[i])) fail(fn, "data must be finite");
            s += x[i];
        }
        const double mean = s / static_cast<double>(n);
        double ss = 0.0;
        for (double v : x) ss += (v - mean) * (v - mean);
        const double data_var = ss / static_cast<double>(n);
        if (!(data_var > 0.0)) fail(fn, "the data have zero variance: a mixture cannot be fitted");
        const double floor = opt_.variance_floor * data_var;

        // k-means++ seeding: each next centre is a data point drawn with probability
        // proportional to its squared distance to the nearest centre so far.
        std::vector<double> mu(K), var(K, data_var), w(K, 1.0 / static_cast<double>(K));
        std::vector<double> d2(n);
        mu[0] = x[static_cast<std::size_t>(g.below(n))];
        for (std::size_t k = 1; k < K; ++k) {
            double total = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                double best = (x[i] - mu[0]) * (x[i] - mu[0]);
                for (std::size_t j = 1; j < k; ++j) best = std::min(best, (x[i] - mu[j]) * (x[i] - mu[j]));
                d2[i] = best;
                total += best;
            }
            std::size_t pick = static_cast<std::size_t>(g.below(n));
            if (total > 0.0) {
                const double u = g.uniform() * total;
                double c = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    c += d2[i];
                    if (u < c) {
                        pick = i;
                        break;
                    }
                }
            }
            mu[k] = x[pick];
        }

        std::vector<double> lr(K), nk(K), sk(K), ssk(K), resp(n * K);
        double prev = -std::numeric_limits<double>::infinity();
        for (std::size_t it = 0; it < opt_.max_iterations; ++it) {
            // E step: responsibilities under the current parameters.
            std::fill(nk.begin(), nk.end(), 0.0);
            std::fill(sk.begin(), sk.end(), 0.0);
            std::fill(ssk.begin(), ssk.end(), 0.0);
            double ll = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                double mx = -std::numeric_limits<double>::infinity();
                for (std::size_t k = 0; k < K; ++k) mx = std::max(mx, lr[k] = resp_log(x[i], w[k], mu[k], var[k]));
                double z = 0.0;
                for (std::size_t k = 0; k < K; ++k) z += std::exp(lr[k] - mx);
                ll += mx + std::log(z);
                for (std::size_t k = 0; k < K; ++k) {
                    const double r = std::exp(lr[k] - mx) / z;
                    resp[i * K + k] = r;
                    nk[k] += r;
                    sk[k] += r * x[i];
                }
            }
            // M step; variances around the new means in a second pass (safer than
            // E[x^2] - E[x]^2). A component with no responsibility keeps its parameters
            // and gets weight 0.
            for (std::size_t k = 0; k < K; ++k) {
                if (nk[k] > 0.0) mu[k] = sk[k] / nk[k];
            }
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t k = 0; k < K; ++k) {
                    const double d = x[i] - mu[k];
                    ssk[k] += resp[i * K + k] * d * d;
                }
            }
            for (std::size_t k = 0; k < K; ++k) {
                w[k] = nk[k] / static_cast<double>(n);
                if (nk[k] > 0.0) var[k] = std::max(ssk[k] / nk[k], floor);
            }
            const double mean_ll = ll / static_cast<double>(n);
            if (std::abs(mean_ll - prev) <= opt_.tolerance * (1.0 + std::abs(mean_ll))) break;
            prev = mean_ll;
        }
        w_ = std::move(w);
        mu_ = std::move(mu);
        var_ = std::move(var);
    }
    template <class Range>
    void fit(const Range& x, rng& g) {
        fit(view<const double>(as_view(x)), g);
    }

    // Appends n draws: a component by weight, then a normal draw from it.
    void sample(std::size_t n, rng& g, std::vector<double>& out) const {
        const categorical_distribution pick(w_);
        normal_distribution z;
        collapsekit::detail::reserve_for_append(out, n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t k = pick(g);
            out.push_back(mu_[k] + std::sqrt(var_[k]) * z.standard(g));
        }
    }

    std::size_t components() const noexcept { return w_.size(); }
    // The EM settings given at construction (max_iterations: a count; tolerance: relative,
    // on the mean log-likelihood in nats; variance_floor: a fraction of the data variance).
    // Read so that the Python bindings can pickle the model.
    const gmm_options& options() const noexcept { return opt_; }
    const std::vector<double>& weights() const noexcept { return w_; }
    const std::vector<double>& means() const noexcept { return mu_; }
    const std::vector<double>& variances() const noexcept { return var_; }
    // Variance of the mixture: sum_k w_k (var_k + mu_k^2) - (sum_k w_k mu_k)^2.
    double variance() const noexcept {
        double m = 0.0, m2 = 0.0;
        for (std::size_t k = 0; k < w_.size(); ++k) {
            m += w_[k] * mu_[k];
            m2 += w_[k] * (var_[k] + mu_[k] * mu_[k]);
        }
        return m2 - m * m;
    }

private:
    static double resp_log(double x, double w, double mu, double var) noexcept {
        constexpr double log_2pi = 1.8378770664093454835606594728112;
        if (!(w > 0.0)) return -std::numeric_limits<double>::infinity();
        const double d = x - mu;
        return std::log(w) - 0.5 * (log_2pi + std::log(var)) - 0.5 * d * d / var;
    }

    std::vector<double> w_, mu_, var_;
    gmm_options opt_;
};

}  // namespace feedback
}  // namespace collapsekit
