// A 1-D Gaussian kernel density estimate as a generative model: sampling picks a
// training point uniformly and adds N(0, h^2) noise. Each generation therefore adds h^2
// of variance while resampling loses some: a model whose collapse is slower and whose
// tails are smoothed, the opposite failure of a truncated sampler.
#pragma once

#include <algorithm>
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

// Bandwidth rules (scipy.stats.gaussian_kde's, in 1-D, with s the unbiased sample
// standard deviation and n the number of points):
//   scott:     h = s * n^(-1/5)
//   silverman: h = s * (3 n / 4)^(-1/5)
//   fixed:     h given by the user.
enum class bandwidth_rule { scott, silverman, fixed };

inline const char* to_string(bandwidth_rule b) noexcept {
    return b == bandwidth_rule::scott ? "scott" : b == bandwidth_rule::silverman ? "silverman" : "fixed";
}

class kde {
public:
    using sample_type = double;

    // fixed_bandwidth is used (and must be positive) only with bandwidth_rule::fixed.
    explicit kde(bandwidth_rule rule = bandwidth_rule::silverman, double fixed_bandwidth = 0.0) : rule_(rule) {
        if (rule == bandwidth_rule::fixed) {
            require_positive("kde", "fixed_bandwidth", fixed_bandwidth);
            h_ = fixed_bandwidth;
        }
    }

    // Keeps a copy of the data and sets the bandwidth. Needs finite data: at least 1
    // value with a fixed bandwidth, at least 2 with a positive spread for a rule; else
    // throws std::invalid_argument.
    void fit(view<const double> x, rng& /*unused*/) {
        constexpr const char* fn = "kde::fit";
        const std::size_t n = x.size();
        if (n < (rule_ == bandwidth_rule::fixed ? 1u : 2u)) {
            fail(fn, "a bandwidth rule needs at least 2 samples (got " + std::to_string(n) + ")");
        }
        double s = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(x[i])) fail(fn, "data must be finite");
            s += x[i];
        }
        if (rule_ != bandwidth_rule::fixed) {
            const double mean = s / static_cast<double>(n);
            double ss = 0.0;
            for (double v : x) ss += (v - mean) * (v - mean);
            const double sd = std::sqrt(ss / static_cast<double>(n - 1));
            if (!(sd > 0.0)) fail(fn, "the data have zero spread: a bandwidth rule gives h = 0");
            const double nn = static_cast<double>(n);
            h_ = sd * std::pow(rule_ == bandwidth_rule::scott ? nn : 0.75 * nn, -0.2);
        }
        data_.assign(x.begin(), x.end());
    }
    template <class Range>
    void fit(const Range& x, rng& g) {
        fit(view<const double>(as_view(x)), g);
    }

    // Appends n draws. Throws if the model was never fitted (it has no points).
    void sample(std::size_t n, rng& g, std::vector<double>& out) const {
        require(!data_.empty(), "kde::sample", "the model has not been fitted");
        normal_distribution z;
        collapsekit::detail::reserve_for_append(out, n);
        for (std::size_t i = 0; i < n; ++i) {
            const double c = data_[static_cast<std::size_t>(g.below(data_.size()))];
            out.push_back(c + h_ * z.standard(g));
        }
    }

    double bandwidth() const noexcept { return h_; }
    bandwidth_rule rule() const noexcept { return rule_; }
    const std::vector<double>& points() const noexcept { return data_; }

private:
    bandwidth_rule rule_;
    double h_ = 0.0;
    std::vector<double> data_;
};

}  // namespace feedback
}  // namespace collapsekit
