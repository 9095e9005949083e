// Choosing a count-based entropy estimator at run time, as a value, and bootstrapping it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "../bootstrap.hpp"
#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "counts.hpp"
#include "nsb.hpp"

namespace collapsekit {

// The Shannon-entropy estimators that work from counts (see entropy/counts.hpp, nsb.hpp).
enum class entropy_estimator { plugin, miller_madow, grassberger, chao_shen, james_stein, nsb };

inline const char* to_string(entropy_estimator e) noexcept {
    switch (e) {
        case entropy_estimator::plugin:
            return "plugin";
        case entropy_estimator::miller_madow:
            return "miller_madow";
        case entropy_estimator::grassberger:
            return "grassberger";
        case entropy_estimator::chao_shen:
            return "chao_shen";
        case entropy_estimator::james_stein:
            return "james_stein";
        case entropy_estimator::nsb:
            return "nsb";
    }
    return "unknown";
}

// Parses the names to_string gives; anything else is an error listing them.
inline entropy_estimator parse_entropy_estimator(std::string_view name) {
    for (auto e : {entropy_estimator::plugin, entropy_estimator::miller_madow, entropy_estimator::grassberger,
                   entropy_estimator::chao_shen, entropy_estimator::james_stein, entropy_estimator::nsb}) {
        if (name == to_string(e)) return e;
    }
    fail("parse_entropy_estimator",
         "estimator must be one of plugin, miller_madow, grassberger, chao_shen, james_stein, nsb (got '" +
             std::string(name) + "')");
}

// Shannon entropy of counts by the chosen estimator, in the unit of `base`. NSB uses
// K = the length of the vector. Each estimator's own errors apply (they name it).
template <class Range>
estimate entropy_from_counts(const Range& counts, entropy_estimator e = entropy_estimator::plugin,
                             log_base base = nats) {
    switch (e) {
        case entropy_estimator::plugin:
            return plugin_entropy(counts, base);
        case entropy_estimator::miller_madow:
            return miller_madow_entropy(counts, base);
        case entropy_estimator::grassberger:
            return grassberger_entropy(counts, base);
        case entropy_estimator::chao_shen:
            return chao_shen_entropy(counts, base);
        case entropy_estimator::james_stein:
            return james_stein_entropy(counts, base);
        case entropy_estimator::nsb:
            return nsb_entropy(counts, base);
    }
    fail("entropy_from_counts", "estimator is not a valid entropy_estimator");
}

// A count-entropy estimator as a small value: count_entropy{entropy_estimator::nsb, ck::bits}(counts).
// Holds no state, so lists of them can be copied and called from many threads.
struct count_entropy {
    entropy_estimator estimator = entropy_estimator::plugin;
    log_base base = nats;

    template <class Range>
    estimate operator()(const Range& counts) const {
        return entropy_from_counts(counts, estimator, base);
    }
    const char* name() const noexcept { return to_string(estimator); }
};

// One function-object type per estimator, for code that fixes the estimator at compile time.
namespace estimators {
#define COLLAPSEKIT_COUNT_ESTIMATOR(type, function)      \
    struct type {                                        \
        log_base base = nats;                            \
        template <class Range>                           \
        estimate operator()(const Range& counts) const { \
            return function(counts, base);               \
        }                                                \
    };
COLLAPSEKIT_COUNT_ESTIMATOR(plugin, plugin_entropy)
COLLAPSEKIT_COUNT_ESTIMATOR(miller_madow, miller_madow_entropy)
COLLAPSEKIT_COUNT_ESTIMATOR(grassberger, grassberger_entropy)
COLLAPSEKIT_COUNT_ESTIMATOR(chao_shen, chao_shen_entropy)
COLLAPSEKIT_COUNT_ESTIMATOR(james_stein, james_stein_entropy)
#undef COLLAPSEKIT_COUNT_ESTIMATOR

// NSB with an explicit number of categories K (0: the length of the vector).
struct nsb {
    log_base base = nats;
    std::size_t bins = 0;
    template <class Range>
    estimate operator()(const Range& counts) const {
        return nsb_entropy(counts, base, bins);
    }
};
}  // namespace estimators

// Seeded bootstrap interval (percentile or BCa, options.method) of any count estimator
// (a count_entropy, an estimators:: object, or any callable on a view of counts
// returning estimate or double): each replicate redraws N observations from counts / N
// (ck::bootstrap_counts), on the threads `ex` allows, with the same interval for any
// thread count. The interval is around the estimator's value on the original counts;
// note that it inherits the estimator's bias. Errors: those of bootstrap_counts and the
// estimator.
template <class Range, class Estimator>
interval_estimate bootstrap_entropy(const execution& ex, const Range& counts, const Estimator& estimator,
                                    const bootstrap_options& options = {}) {
    using T = range_value_t<Range>;
    return bootstrap_counts(
        ex, counts, [&](view<const T> c) { return static_cast<double>(estimator(c)); }, options);
}

template <class Range, class Estimator, detail::not_execution<Range> = 0>
interval_estimate bootstrap_entropy(const Range& counts, const Estimator& estimator,
                                    const bootstrap_options& options = {}) {
    return bootstrap_entropy(sequential, counts, estimator, options);
}

// The same with the estimator named by the enum.
template <class Range>
interval_estimate bootstrap_entropy(const execution& ex, const Range& counts, entropy_estimator e,
                                    const bootstrap_options& options = {}, log_base base = nats) {
    return bootstrap_entropy(ex, counts, count_entropy{e, base}, options);
}

template <class Range, detail::not_execution<Range> = 0>
interval_estimate bootstrap_entropy(const Range& counts, entropy_estimator e, const bootstrap_options& options = {},
                                    log_base base = nats) {
    return bootstrap_entropy(sequential, counts, count_entropy{e, base}, options);
}

}  // namespace collapsekit
