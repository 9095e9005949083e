// The one way collapsekit reports bad input, and the NaN policy shared by every measure.
//
// Every message has the form "collapsekit::<function>: <argument> <what was wrong>",
// so a user who sees it in a log knows which call, which argument and why.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace collapsekit {

// What a measure does when its input holds NaN (scipy's names and meanings):
//   raise     - throw std::invalid_argument (the default everywhere),
//   omit      - drop the NaN values (and, for paired inputs, their partners) and go on,
//   propagate - return NaN (or a result whose value is NaN).
enum class nan_policy { raise, omit, propagate };

inline const char* to_string(nan_policy p) noexcept {
    switch (p) {
        case nan_policy::raise:
            return "raise";
        case nan_policy::omit:
            return "omit";
        case nan_policy::propagate:
            return "propagate";
    }
    return "unknown";
}

namespace detail {

inline std::string message(std::string_view function, std::string_view what) {
    std::string m;
    m.reserve(13 + function.size() + 2 + what.size());
    m.append("collapsekit::").append(function).append(": ").append(what);
    return m;
}

// Formats a number for an error message; integers print without a decimal point.
template <class T>
std::string format_value(T v) {
    if constexpr (std::is_integral_v<T>) {
        return std::to_string(v);
    } else {
        if (std::isnan(v)) return "nan";
        if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", static_cast<double>(v));
        return buf;
    }
}

}  // namespace detail

// Throws std::invalid_argument("collapsekit::<function>: <what>").
[[noreturn]] inline void fail(std::string_view function, std::string_view what) {
    throw std::invalid_argument(detail::message(function, what));
}

// Throws std::domain_error, for a request outside a measure's mathematical domain
// (as opposed to malformed input).
[[noreturn]] inline void fail_domain(std::string_view function, std::string_view what) {
    throw std::domain_error(detail::message(function, what));
}

inline void require(bool condition, std::string_view function, std::string_view what) {
    if (!condition) fail(function, what);
}

inline void require_not_empty(std::string_view function, std::string_view arg, std::size_t n) {
    if (n == 0) fail(function, std::string(arg) + " is empty");
}

inline void require_same_length(std::string_view function, std::string_view a, std::size_t na, std::string_view b,
                                std::size_t nb) {
    if (na != nb) {
        fail(function, std::string(a) + " and " + std::string(b) + " differ in length (" + std::to_string(na) + " vs " +
                           std::to_string(nb) + ")");
    }
}

inline void require_finite(std::string_view function, std::string_view arg, double v) {
    if (!std::isfinite(v)) fail(function, std::string(arg) + " must be finite (got " + detail::format_value(v) + ")");
}

// v in [0, 1]; NaN is rejected.
inline void require_unit_interval(std::string_view function, std::string_view arg, double v) {
    if (!(v >= 0.0 && v <= 1.0)) {
        fail(function, std::string(arg) + " must lie in [0, 1] (got " + detail::format_value(v) + ")");
    }
}

// v > 0 and finite.
inline void require_positive(std::string_view function, std::string_view arg, double v) {
    if (!(v > 0.0) || !std::isfinite(v)) {
        fail(function, std::string(arg) + " must be positive and finite (got " + detail::format_value(v) + ")");
    }
}

// v >= 0 and finite.
inline void require_non_negative(std::string_view function, std::string_view arg, double v) {
    if (!(v >= 0.0) || !std::isfinite(v)) {
        fail(function, std::string(arg) + " must be non-negative and finite (got " + detail::format_value(v) + ")");
    }
}

// The n values at v sum to 1 within 1e-9 (shares that were normalised once already: a
// saved model's probabilities or weights, summed in index order).
inline void require_sum_one(std::string_view function, std::string_view arg, const double* v, std::size_t n) {
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) total += v[i];
    if (!(std::abs(total - 1.0) <= 1e-9)) {
        fail(function, std::string(arg) + " must sum to 1 within 1e-9 (sum is " + detail::format_value(total) + ")");
    }
}

// Parses scipy's spelling of a NaN policy; anything else is an error naming the choices.
inline nan_policy parse_nan_policy(std::string_view text, std::string_view function = "parse_nan_policy") {
    if (text == "raise") return nan_policy::raise;
    if (text == "omit") return nan_policy::omit;
    if (text == "propagate") return nan_policy::propagate;
    fail(function, "nan_policy must be 'raise', 'omit' or 'propagate' (got '" + std::string(text) + "')");
}

}  // namespace collapsekit
