// Gaussian models for the feedback driver: 1-D (maximum-likelihood or unbiased variance)
// and multivariate (mean vector and covariance matrix, sampled through its Cholesky factor).
//
// The 1-D model with MLE variance is the textbook collapse case: fitted on M samples of
// the previous generation, E[sigma^2_t] = sigma^2_0 ((M - 1) / M)^t (Shumailov et al.,
// Nature 631, 2024), so the variance shrinks to zero.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "../../core/append.hpp"
#include "../../core/errors.hpp"
#include "../../core/random.hpp"
#include "../../core/view.hpp"

namespace collapsekit {
namespace feedback {

// mle: divide the sum of squared deviations by n (biased low by (n - 1) / n);
// unbiased: divide by n - 1.
enum class variance_estimator { mle, unbiased };

inline const char* to_string(variance_estimator v) noexcept {
    return v == variance_estimator::mle ? "mle" : "unbiased";
}

// 1-D normal N(mean, variance).
class gaussian {
public:
    using sample_type = double;

    // Starts as N(mean, sd^2) (so it can also serve as the human distribution).
    explicit gaussian(double mean = 0.0, double sd = 1.0, variance_estimator v = variance_estimator::mle)
        : mean_(mean), var_(sd * sd), estimator_(v) {
        require_finite("gaussian", "mean", mean);
        require_non_negative("gaussian", "sd", sd);
    }

    // N(mean, variance) with exactly this variance: a saved model's variance() restores
    // bit for bit here, where the constructor's sd^2 may not reach it for any sd.
    // Throws std::invalid_argument unless mean is finite and variance finite and >= 0.
    static gaussian with_variance(double mean, double variance, variance_estimator v = variance_estimator::mle) {
        constexpr const char* fn = "gaussian::with_variance";
        require_finite(fn, "mean", mean);
        require_finite(fn, "variance", variance);
        require_non_negative(fn, "variance", variance);
        gaussian g(mean, 0.0, v);
        g.var_ = variance;
        return g;
    }

    // Fits mean and variance. Needs at least 2 finite values; else throws
    // std::invalid_argument ("collapsekit::gaussian::fit: ...").
    void fit(view<const double> x, rng& /*unused: the fit is deterministic*/) {
        constexpr const char* fn = "gaussian::fit";
        if (x.size() < 2) {
            fail(fn, "a variance needs at least 2 samples (got " + std::to_string(x.size()) + ")");
        }
        double s = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (!std::isfinite(x[i]))
                fail(fn, "data must be finite (data[" + std::to_string(i) +
                             "] = " + collapsekit::detail::format_value(x[i]) + ")");
            s += x[i];
        }
        const double n = static_cast<double>(x.size());
        const double mean = s / n;
        double ss = 0.0;
        for (double v : x) ss += (v - mean) * (v - mean);
        mean_ = mean;
        var_ = ss / (estimator_ == variance_estimator::mle ? n : n - 1.0);
    }
    template <class Range>
    void fit(const Range& x, rng& g) {
        fit(view<const double>(as_view(x)), g);
    }

    // Appends n draws of N(mean, variance) to out.
    void sample(std::size_t n, rng& g, std::vector<double>& out) const {
        normal_distribution d(mean_, std::sqrt(var_));
        collapsekit::detail::reserve_for_append(out, n);
        for (std::size_t i = 0; i < n; ++i) out.push_back(d(g));
    }

    double mean() const noexcept { return mean_; }
    double variance() const noexcept { return var_; }
    double sd() const noexcept { return std::sqrt(var_); }
    variance_estimator estimator() const noexcept { return estimator_; }

private:
    double mean_;
    double var_;
    variance_estimator estimator_;
};

// d-dimensional normal N(mean, cov). A sample is a std::vector<double> of length d.
class multivariate_gaussian {
public:
    using sample_type = std::vector<double>;

    // Starts as N(0, I_d).
    explicit multivariate_gaussian(std::size_t dim, variance_estimator v = variance_estimator::mle)
        : dim_(dim), mean_(dim, 0.0), cov_(dim * dim, 0.0), chol_(dim * dim, 0.0), estimator_(v) {
        require(dim >= 1, "multivariate_gaussian", "dim must be at least 1");
        for (std::size_t i = 0; i < dim; ++i) cov_[i * dim + i] = chol_[i * dim + i] = 1.0;
    }
    // Starts as N(mean, cov), cov row-major d x d, symmetric positive definite.
    multivariate_gaussian(std::vector<double> mean, std::vector<double> cov,
                          variance_estimator v = variance_estimator::mle)
        : dim_(mean.size()), mean_(std::move(mean)), cov_(std::move(cov)), estimator_(v) {
        require(dim_ >= 1, "multivariate_gaussian", "mean is empty");
        if (cov_.size() != dim_ * dim_) {
            fail("multivariate_gaussian", "cov must hold d * d = " + std::to_string(dim_ * dim_) + " values (got " +
                                              std::to_string(cov_.size()) + ")");
        }
        factor("multivariate_gaussian");
    }

    // Fits mean and covariance (MLE divides by n, unbiased by n - 1). Needs at least 2
    // samples, every sample of length d and finite, and a positive definite covariance
    // (so at least d + 1 samples in general position); else throws std::invalid_argument.
    void fit(view<const std::vector<double>> x, rng& /*unused*/) {
        constexpr const char* fn = "multivariate_gaussian::fit";
        if (x.size() < 2) fail(fn, "a covariance needs at least 2 samples (got " + std::to_string(x.size()) + ")");
        std::vector<double> mean(dim_, 0.0);
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x[i].size() != dim_) {
                fail(fn, "data[" + std::to_string(i) + "] has " + std::to_string(x[i].size()) + " values, expected " +
                             std::to_string(dim_));
            }
            for (std::size_t j = 0; j < dim_; ++j) {
                if (!std::isfinite(x[i][j])) fail(fn, "data must be finite");
                mean[j] += x[i][j];
            }
        }
        const double n = static_cast<double>(x.size());
        for (double& m : mean) m /= n;
        std::vector<double> cov(dim_ * dim_, 0.0);
        for (const auto& row : x) {
            for (std::size_t a = 0; a < dim_; ++a) {
                const double da = row[a] - mean[a];
                for (std::size_t b = 0; b <= a; ++b) cov[a * dim_ + b] += da * (row[b] - mean[b]);
            }
        }
        const double div = estimator_ == variance_estimator::mle ? n : n - 1.0;
        for (std::size_t a = 0; a < dim_; ++a) {
            for (std::size_t b = 0; b <= a; ++b) cov[b * dim_ + a] = cov[a * dim_ + b] = cov[a * dim_ + b] / div;
        }
        mean_ = std::move(mean);
        cov_ = std::move(cov);
        factor(fn);
    }

    // Appends n draws: mean + L z with L the Cholesky factor of cov, z standard normal.
    void sample(std::size_t n, rng& g, std::vector<std::vector<double>>& out) const {
        normal_distribution d;
        std::vector<double> z(dim_);
        collapsekit::detail::reserve_for_append(out, n);
        for (std::size_t i = 0; i < n; ++i) {
            for (double& v : z) v = d.standard(g);
            std::vector<double> x(mean_);
            for (std::size_t a = 0; a < dim_; ++a) {
                double s = 0.0;
                for (std::size_t b = 0; b <= a; ++b) s += chol_[a * dim_ + b] * z[b];
                x[a] += s;
            }
            out.push_back(std::move(x));
        }
    }

    std::size_t dim() const noexcept { return dim_; }
    // How fit divides the sums of squares (mle: by n, unbiased: by n - 1); fixed at
    // construction. Read so that the Python bindings can pickle the model.
    variance_estimator estimator() const noexcept { return estimator_; }
    const std::vector<double>& mean() const noexcept { return mean_; }
    // Row-major d x d.
    const std::vector<double>& covariance() const noexcept { return cov_; }
    // Sum of the variances (trace of the covariance): the total spread.
    double total_variance() const noexcept {
        double s = 0.0;
        for (std::size_t i = 0; i < dim_; ++i) s += cov_[i * dim_ + i];
        return s;
    }
    // log det(cov), from the Cholesky factor: the generalised variance in log form.
    double log_det() const noexcept {
        double s = 0.0;
        for (std::size_t i = 0; i < dim_; ++i) s += 2.0 * std::log(chol_[i * dim_ + i]);
        return s;
    }

private:
    void factor(const char* fn) {
        chol_.assign(dim_ * dim_, 0.0);
        for (std::size_t j = 0; j < dim_; ++j) {
            double d = cov_[j * dim_ + j];
            for (std::size_t k = 0; k < j; ++k) d -= chol_[j * dim_ + k] * chol_[j * dim_ + k];
            if (!(d > 0.0) || !std::isfinite(d)) {
                fail(fn, "the covariance is not positive definite (too few or collinear samples)");
            }
            const double l = std::sqrt(d);
            chol_[j * dim_ + j] = l;
            for (std::size_t i = j + 1; i < dim_; ++i) {
                double s = cov_[i * dim_ + j];
                for (std::size_t k = 0; k < j; ++k) s -= chol_[i * dim_ + k] * chol_[j * dim_ + k];
                chol_[i * dim_ + j] = s / l;
            }
        }
    }

    std::size_t dim_;
    std::vector<double> mean_;
    std::vector<double> cov_;
    std::vector<double> chol_;
    variance_estimator estimator_;
};

}  // namespace feedback
}  // namespace collapsekit
