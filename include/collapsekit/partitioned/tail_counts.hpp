// A mergeable count of values beyond fixed thresholds: tail_mass over partitioned data.
//
// Why: ck::tail_mass compares a generated sample with thresholds taken from a reference
// (its alpha and 1 - alpha quantiles). When the generated sample is split over
// processes, each partition counts its values strictly below the lower threshold and
// strictly above the upper one (ck::tail_mass's rule, detail::tally_beyond), the counts
// add, and the mass below / total + above / total is computed with the same arithmetic
// as ck::tail_mass, so the result is bit-identical for any partitioning.
//
// Units: counts are integers; the mass is a probability in [0, 1].
// NaN: raise throws std::invalid_argument, omit drops it, propagate makes mass() NaN.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../core/errors.hpp"
#include "../core/view.hpp"

namespace collapsekit {
namespace partitioned {

class tail_counter {
public:
    tail_counter() = default;
    // lower / upper: the thresholds (NaN = that side is not counted).
    tail_counter(double lower, double upper) : lower_(lower), upper_(upper) {}

    // A counter holding exactly these counts (unpickling); std::invalid_argument when
    // below + above exceeds total.
    static tail_counter restore(double lower, double upper, std::uint64_t below, std::uint64_t above,
                                std::uint64_t total, std::uint64_t nans) {
        if (below > total || above > total - below) fail("tail_counter::restore", "counts exceed the total");
        tail_counter t(lower, upper);
        t.below_ = below;
        t.above_ = above;
        t.total_ = total;
        t.nan_ = nans;
        return t;
    }

    double lower() const noexcept { return lower_; }
    double upper() const noexcept { return upper_; }
    std::uint64_t below() const noexcept { return below_; }
    std::uint64_t above() const noexcept { return above_; }
    std::uint64_t total() const noexcept { return total_; }
    std::uint64_t nan_count() const noexcept { return nan_; }

    template <class T>
    void fill(view<const T> g, nan_policy policy) {
        std::uint64_t b = 0, a = 0, t = 0, nn = 0;
        for (std::size_t i = 0; i < g.size(); ++i) {
            const double v = static_cast<double>(g[i]);
            if (std::isnan(v)) {
                if (policy == nan_policy::raise) {
                    fail("tail_mass",
                         "generated holds NaN at index " + std::to_string(i) + " (pass nan_policy::omit or propagate)");
                }
                ++nn;
                continue;
            }
            ++t;
            if (v < lower_) ++b;
            if (v > upper_) ++a;
        }
        below_ += b;
        above_ += a;
        total_ += t;
        nan_ += nn;
    }

    // Adds other's counts; the thresholds must be the same (std::invalid_argument).
    tail_counter& operator+=(const tail_counter& o) {
        const auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
        if (!same(lower_, o.lower_) || !same(upper_, o.upper_)) {
            fail("tail_counter::operator+=", "the two counters use different thresholds");
        }
        below_ += o.below_;
        above_ += o.above_;
        total_ += o.total_;
        nan_ += o.nan_;
        return *this;
    }

    // ck::tail_mass's value: below / total + above / total (sides with a NaN threshold
    // left out). propagate with a NaN seen gives NaN; no values is an error.
    double mass(nan_policy policy) const {
        if (policy == nan_policy::propagate && nan_ > 0) return std::numeric_limits<double>::quiet_NaN();
        if (total_ + nan_ == 0) fail("tail_mass", "generated is empty");
        if (total_ == 0) fail("tail_mass", "generated has no values left after omitting NaN");
        const double t = static_cast<double>(total_);
        double m = 0.0;
        if (!std::isnan(lower_)) m += static_cast<double>(below_) / t;
        if (!std::isnan(upper_)) m += static_cast<double>(above_) / t;
        return m;
    }

private:
    double lower_ = std::numeric_limits<double>::quiet_NaN();
    double upper_ = std::numeric_limits<double>::quiet_NaN();
    std::uint64_t below_ = 0, above_ = 0, total_ = 0, nan_ = 0;
};

}  // namespace partitioned
}  // namespace collapsekit
