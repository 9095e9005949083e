// The result type of estimators that know their own uncertainty.
#pragma once

#include <cstddef>
#include <limits>

namespace collapsekit {

// A point estimate with its standard error and the sample size it came from.
// standard_error is NaN where the estimator has no closed-form uncertainty (use the
// bootstrap in bootstrap.hpp then). The member is not called `stderr`: that is a macro.
struct estimate {
    double value = std::numeric_limits<double>::quiet_NaN();
    double standard_error = std::numeric_limits<double>::quiet_NaN();
    std::size_t n = 0;

    // So an estimate can stand where a double is expected (e.g. in a metric table).
    explicit operator double() const noexcept { return value; }
};

}  // namespace collapsekit
