// Categorical (unigram) model over K outcomes 0..K-1, with additive smoothing and the
// sampling controls of controls.hpp.
//
// Fitted without smoothing on M samples, its Gini-Simpson index shrinks in expectation
// by (1 - 1/M) per generation, and an outcome that is not sampled once is gone for good:
// the discrete picture of collapse.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../../core/append.hpp"
#include "../../core/errors.hpp"
#include "../../core/random.hpp"
#include "../../core/view.hpp"
#include "controls.hpp"

namespace collapsekit {
namespace feedback {

class categorical {
public:
    using sample_type = std::uint32_t;

    // Uniform over k outcomes until fitted. `smoothing` (alpha >= 0) is added to every
    // count when fitting: p_i = (c_i + alpha) / (n + k alpha).
    explicit categorical(std::size_t k, double smoothing = 0.0, sampling_controls controls = {})
        : categorical(std::vector<double>(k, 1.0), smoothing, controls) {}

    // Starts from the given weights (normalised; non-negative, positive sum), e.g. the
    // human distribution.
    categorical(std::vector<double> weights, double smoothing, sampling_controls controls = {})
        : alpha_(smoothing), controls_(controls) {
        constexpr const char* fn = "categorical";
        require(!weights.empty() && weights.size() < (std::size_t{1} << 32), fn,
                "needs between 1 and 2^32 - 1 outcomes");
        require_non_negative(fn, "smoothing", smoothing);
        controls.validate(fn);
        set_probabilities(std::move(weights), fn);
    }

    // A model whose fitted probabilities are exactly `probabilities` (as probabilities()
    // returned them): the constructor would divide them by their rounded sum again and
    // move some by an ulp, so a saved model is restored here, bit for bit. Throws
    // std::invalid_argument as the constructor does, and unless they sum to 1 within 1e-9.
    static categorical with_probabilities(std::vector<double> probabilities, double smoothing,
                                          sampling_controls controls = {}) {
        categorical c(probabilities, smoothing, controls);
        require_sum_one("categorical::with_probabilities", "probabilities", probabilities.data(), probabilities.size());
        c.p_ = std::move(probabilities);
        c.table_ = categorical_distribution(detail::apply_controls(c.p_, c.controls_));
        return c;
    }

    // Zipf's law over k outcomes: p_i proportional to (i + 1)^-s.
    static categorical zipf(std::size_t k, double s, double smoothing = 0.0, sampling_controls controls = {}) {
        require(k >= 1, "categorical::zipf", "k must be at least 1");
        require_non_negative("categorical::zipf", "s", s);
        std::vector<double> w(k);
        for (std::size_t i = 0; i < k; ++i) w[i] = std::pow(static_cast<double>(i + 1), -s);
        return categorical(std::move(w), smoothing, controls);
    }

    // Counts the data (ids must be < k) and sets p_i = (c_i + alpha) / (n + k alpha).
    // Throws std::invalid_argument for an id >= k, or when there is nothing to fit
    // (no data and alpha = 0).
    void fit(view<const std::uint32_t> x, rng& /*unused*/) {
        constexpr const char* fn = "categorical::fit";
        const std::size_t k = p_.size();
        std::vector<double> w(k, alpha_);
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (x[i] >= k) {
                fail(fn, "data[" + std::to_string(i) + "] = " + std::to_string(x[i]) +
                             " is not below k = " + std::to_string(k));
            }
            w[x[i]] += 1.0;
        }
        if (x.empty() && alpha_ == 0.0) fail(fn, "no data to fit and no smoothing");
        set_probabilities(std::move(w), fn);
    }
    template <class Range>
    void fit(const Range& x, rng& g) {
        fit(view<const std::uint32_t>(as_view(x)), g);
    }

    // Appends n outcomes drawn from sampling_probabilities().
    void sample(std::size_t n, rng& g, std::vector<std::uint32_t>& out) const {
        collapsekit::detail::reserve_for_append(out, n);
        for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<std::uint32_t>(table_(g)));
    }

    std::size_t size() const noexcept { return p_.size(); }
    double smoothing() const noexcept { return alpha_; }
    const sampling_controls& controls() const noexcept { return controls_; }
    // The fitted probabilities (before the sampling controls).
    const std::vector<double>& probabilities() const noexcept { return p_; }
    // The probabilities samples are drawn from (after temperature, top-k, top-p).
    const std::vector<double>& sampling_probabilities() const noexcept { return table_.probabilities(); }

private:
    void set_probabilities(std::vector<double> w, const char* fn) {
        double total = 0.0;
        for (double v : w) {
            if (!(v >= 0.0) || !std::isfinite(v)) fail(fn, "weights must be non-negative and finite");
            total += v;
        }
        require(total > 0.0 && std::isfinite(total), fn, "weights must have a positive, finite sum");
        for (double& v : w) v /= total;
        p_ = std::move(w);
        table_ = categorical_distribution(detail::apply_controls(p_, controls_));
    }

    double alpha_;
    sampling_controls controls_;
    std::vector<double> p_;
    categorical_distribution table_;
};

}  // namespace feedback
}  // namespace collapsekit
