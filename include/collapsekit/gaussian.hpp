// Closed forms between Gaussians: Kullback-Leibler divergence and 2-Wasserstein distance,
// in one dimension and in d dimensions (the small dense linear algebra they need lives in
// detail::). Useful as ground truth for the sample estimators and for Gaussian feedback
// models, whose fitted parameters drift generation after generation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/numeric.hpp"
#include "core/view.hpp"

namespace collapsekit {

namespace detail {

// Row-major k x k matrices in std::vector<double>.
struct dense {
    std::size_t k = 0;
    std::vector<double> a;
    double& operator()(std::size_t i, std::size_t j) { return a[i * k + j]; }
    double operator()(std::size_t i, std::size_t j) const { return a[i * k + j]; }
};

// Reads a covariance: only the lower triangle (i >= j) is read, mirrored to the upper
// one (as LAPACK's 'L' routines), so tiny asymmetries from the caller's arithmetic
// cannot matter. Entries must be finite.
template <class T>
dense read_covariance(const char* fn, const char* arg, view<const T> c, std::size_t k) {
    if (c.size() != k * k) {
        fail(fn, std::string(arg) + " must hold k * k = " + std::to_string(k * k) +
                     " entries for k = " + std::to_string(k) + " (got " + std::to_string(c.size()) + ")");
    }
    dense m{k, std::vector<double>(k * k)};
    for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j <= i; ++j) {
            const auto v = static_cast<double>(c[i * k + j]);
            require_finite(fn, arg, v);
            m(i, j) = m(j, i) = v;
        }
    }
    return m;
}

// Lower Cholesky factor L with A = L L^T; throws if A is not positive definite.
inline dense cholesky(const char* fn, const char* arg, const dense& a) {
    const std::size_t k = a.k;
    dense l{k, std::vector<double>(k * k, 0.0)};
    for (std::size_t j = 0; j < k; ++j) {
        double d = a(j, j);
        for (std::size_t p = 0; p < j; ++p) d -= l(j, p) * l(j, p);
        if (!(d > 0.0)) fail(fn, std::string(arg) + " must be positive definite");
        l(j, j) = std::sqrt(d);
        for (std::size_t i = j + 1; i < k; ++i) {
            double s = a(i, j);
            for (std::size_t p = 0; p < j; ++p) s -= l(i, p) * l(j, p);
            l(i, j) = s / l(j, j);
        }
    }
    return l;
}

// Solves L x = b in place (forward substitution).
inline void forward_solve(const dense& l, double* b) {
    for (std::size_t i = 0; i < l.k; ++i) {
        double s = b[i];
        for (std::size_t p = 0; p < i; ++p) s -= l(i, p) * b[p];
        b[i] = s / l(i, i);
    }
}

// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations
// (Golub & Van Loan, section 8.5); vectors are the columns of v. Accurate to a few ulp
// of the largest eigenvalue; k is small here (parameters of a fitted model).
inline void symmetric_eigen(dense a, std::vector<double>& values, dense& v) {
    const std::size_t k = a.k;
    v = dense{k, std::vector<double>(k * k, 0.0)};
    for (std::size_t i = 0; i < k; ++i) v(i, i) = 1.0;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (std::size_t i = 0; i < k; ++i)
            for (std::size_t j = i + 1; j < k; ++j) off += a(i, j) * a(i, j);
        if (off == 0.0) break;
        for (std::size_t p = 0; p < k; ++p) {
            for (std::size_t q = p + 1; q < k; ++q) {
                if (a(p, q) == 0.0) continue;
                const double theta = (a(q, q) - a(p, p)) / (2.0 * a(p, q));
                const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1.0));
                const double c = 1.0 / std::sqrt(t * t + 1.0), s = t * c;
                for (std::size_t r = 0; r < k; ++r) {
                    const double arp = a(r, p), arq = a(r, q);
                    a(r, p) = c * arp - s * arq;
                    a(r, q) = s * arp + c * arq;
                }
                for (std::size_t r = 0; r < k; ++r) {
                    const double apr = a(p, r), aqr = a(q, r);
                    a(p, r) = c * apr - s * aqr;
                    a(q, r) = s * apr + c * aqr;
                }
                for (std::size_t r = 0; r < k; ++r) {
                    const double vrp = v(r, p), vrq = v(r, q);
                    v(r, p) = c * vrp - s * vrq;
                    v(r, q) = s * vrp + c * vrq;
                }
            }
        }
    }
    values.resize(k);
    for (std::size_t i = 0; i < k; ++i) values[i] = a(i, i);
}

inline dense multiply(const dense& x, const dense& y) {
    const std::size_t k = x.k;
    dense r{k, std::vector<double>(k * k, 0.0)};
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t p = 0; p < k; ++p)
            for (std::size_t j = 0; j < k; ++j) r(i, j) += x(i, p) * y(p, j);
    return r;
}

inline void check_sigma(const char* fn, const char* arg, double s) {
    if (!(s > 0.0) || !std::isfinite(s)) {
        fail(fn, std::string(arg) + " must be positive and finite (got " + format_value(s) + ")");
    }
}

template <class M>
std::vector<double> read_mean(const char* fn, const char* arg, const M& mean) {
    const auto m = as_view(mean);
    require_not_empty(fn, arg, m.size());
    std::vector<double> out(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) {
        out[i] = static_cast<double>(m[i]);
        require_finite(fn, arg, out[i]);
    }
    return out;
}

}  // namespace detail

// KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) = log(sigma2 / sigma1) + (sigma1^2 + (mu1 -
// mu2)^2) / (2 sigma2^2) - 1/2, in units of base. Throws std::invalid_argument unless the
// means are finite and the standard deviations positive and finite.
inline double kl_gaussian(double mu1, double sigma1, double mu2, double sigma2, log_base base = nats) {
    constexpr const char* fn = "kl_gaussian";
    const double unit = base.nats_to_unit(fn);
    require_finite(fn, "mu1", mu1);
    require_finite(fn, "mu2", mu2);
    detail::check_sigma(fn, "sigma1", sigma1);
    detail::check_sigma(fn, "sigma2", sigma2);
    const double r = sigma1 / sigma2;
    const double z = (mu1 - mu2) / sigma2;
    // log(r) + (r^2 - 1)/2 loses digits for r ~ 1: use log1p / expm1-free forms.
    const double d = r - 1.0;
    const double scale_term = d * (1.0 + 0.5 * d) - std::log1p(d);  // (r^2 - 1)/2 - log r
    return (scale_term + 0.5 * z * z) * unit;
}

// W_2(N(mu1, sigma1^2), N(mu2, sigma2^2)) = sqrt((mu1 - mu2)^2 + (sigma1 - sigma2)^2), in the
// units of the variable. sigma may be 0 (a point mass); errors as kl_gaussian otherwise.
inline double wasserstein_gaussian(double mu1, double sigma1, double mu2, double sigma2) {
    constexpr const char* fn = "wasserstein_gaussian";
    require_finite(fn, "mu1", mu1);
    require_finite(fn, "mu2", mu2);
    require_non_negative(fn, "sigma1", sigma1);
    require_non_negative(fn, "sigma2", sigma2);
    return std::hypot(mu1 - mu2, sigma1 - sigma2);
}

// KL(N(m1, S1) || N(m2, S2)) in k dimensions:
//   1/2 [tr(S2^-1 S1) + (m2 - m1)^T S2^-1 (m2 - m1) - k + log det S2 - log det S1],
// in units of base, through Cholesky factors. Means are k values; covariances k * k values
// row-major, of which only the lower triangle is read. Throws std::invalid_argument for
// sizes that do not match, non-finite entries, or a covariance that is not positive definite.
template <class M1, class C1, class M2, class C2>
double kl_gaussian_mv(const M1& mean1, const C1& cov1, const M2& mean2, const C2& cov2, log_base base = nats) {
    constexpr const char* fn = "kl_gaussian_mv";
    const double unit = base.nats_to_unit(fn);
    const std::vector<double> m1 = detail::read_mean(fn, "mean1", mean1);
    const std::vector<double> m2 = detail::read_mean(fn, "mean2", mean2);
    require_same_length(fn, "mean1", m1.size(), "mean2", m2.size());
    const std::size_t k = m1.size();
    const detail::dense s1 = detail::read_covariance(fn, "cov1", as_view(cov1), k);
    const detail::dense s2 = detail::read_covariance(fn, "cov2", as_view(cov2), k);
    const detail::dense l1 = detail::cholesky(fn, "cov1", s1);
    const detail::dense l2 = detail::cholesky(fn, "cov2", s2);
    // tr(S2^-1 S1) = ||L2^-1 L1||_F^2, column by column.
    compensated_sum trace;
    std::vector<double> col(k);
    for (std::size_t j = 0; j < k; ++j) {
        for (std::size_t i = 0; i < k; ++i) col[i] = l1(i, j);
        detail::forward_solve(l2, col.data());
        for (double v : col) trace += v * v;
    }
    for (std::size_t i = 0; i < k; ++i) col[i] = m2[i] - m1[i];
    detail::forward_solve(l2, col.data());
    compensated_sum maha;
    for (double v : col) maha += v * v;
    compensated_sum logdet;
    for (std::size_t i = 0; i < k; ++i) logdet += 2.0 * (std::log(l2(i, i)) - std::log(l1(i, i)));
    const double kl = 0.5 * (trace.value() - static_cast<double>(k) + maha.value() + logdet.value());
    return std::max(0.0, kl) * unit;
}

// W_2(N(m1, S1), N(m2, S2)) in k dimensions (Dowson & Landau 1982; Olkin & Pukelsheim 1982):
//   W_2^2 = |m1 - m2|^2 + tr S1 + tr S2 - 2 tr (S2^1/2 S1 S2^1/2)^1/2,
// the matrix roots through symmetric eigendecompositions, so positive semi-definite
// covariances (degenerate Gaussians) are allowed. Negative eigenvalues from rounding are
// set to 0, and a squared distance rounded below 0 is returned as 0. Same input rules as
// kl_gaussian_mv, except that covariances need only be positive semi-definite (an
// eigenvalue below -1e-12 times the largest one throws).
template <class M1, class C1, class M2, class C2>
double wasserstein_gaussian_mv(const M1& mean1, const C1& cov1, const M2& mean2, const C2& cov2) {
    constexpr const char* fn = "wasserstein_gaussian_mv";
    const std::vector<double> m1 = detail::read_mean(fn, "mean1", mean1);
    const std::vector<double> m2 = detail::read_mean(fn, "mean2", mean2);
    require_same_length(fn, "mean1", m1.size(), "mean2", m2.size());
    const std::size_t k = m1.size();
    const detail::dense s1 = detail::read_covariance(fn, "cov1", as_view(cov1), k);
    const detail::dense s2 = detail::read_covariance(fn, "cov2", as_view(cov2), k);
    auto check_psd = [&](const char* arg, const std::vector<double>& ev) {
        double top = 0;
        for (double e : ev) top = std::max(top, std::abs(e));
        for (double e : ev) {
            if (e < -1e-12 * top) fail(fn, std::string(arg) + " must be positive semi-definite");
        }
    };
    std::vector<double> ev;
    detail::dense v;
    detail::symmetric_eigen(s1, ev, v);
    check_psd("cov1", ev);
    detail::symmetric_eigen(s2, ev, v);
    check_psd("cov2", ev);
    // root = V diag(sqrt(max(ev, 0))) V^T
    detail::dense root{k, std::vector<double>(k * k, 0.0)};
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < k; ++j)
            for (std::size_t p = 0; p < k; ++p) root(i, j) += v(i, p) * std::sqrt(std::max(0.0, ev[p])) * v(j, p);
    detail::dense inner = detail::multiply(detail::multiply(root, s1), root);
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = 0; j < i; ++j) inner(i, j) = inner(j, i) = 0.5 * (inner(i, j) + inner(j, i));
    detail::symmetric_eigen(inner, ev, v);
    compensated_sum w2;
    for (std::size_t i = 0; i < k; ++i) {
        const double d = m1[i] - m2[i];
        w2 += d * d;
        w2 += s1(i, i);
        w2 += s2(i, i);
        w2 += -2.0 * std::sqrt(std::max(0.0, ev[i]));
    }
    return std::sqrt(std::max(0.0, w2.value()));
}

}  // namespace collapsekit
