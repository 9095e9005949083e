// Applying nan_policy to an input range, the same way in every measure.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "errors.hpp"
#include "view.hpp"

namespace collapsekit {

// What the caller must do after screening an input for NaN.
enum class nan_action {
    none,       // no NaN present: use the input as it is
    omit,       // NaN present and the policy is omit: skip NaN values
    propagate,  // NaN present and the policy is propagate: the result is NaN
};

template <class T>
bool is_nan_value(T v) noexcept {
    if constexpr (std::is_floating_point_v<T>) {
        return std::isnan(v);
    } else {
        (void)v;
        return false;
    }
}

template <class T>
std::size_t count_nans(view<const T> x) noexcept {
    if constexpr (!std::is_floating_point_v<T>) {
        (void)x;
        return 0;
    } else {
        std::size_t n = 0;
        for (T v : x) n += std::isnan(v) ? 1u : 0u;
        return n;
    }
}

// Screens x under policy: throws (raise) naming the first NaN's index, or says what to do.
template <class T>
nan_action screen_nans(std::string_view function, std::string_view arg, view<const T> x, nan_policy policy) {
    if constexpr (!std::is_floating_point_v<T>) {
        (void)function, (void)arg, (void)x, (void)policy;
        return nan_action::none;
    } else {
        for (std::size_t i = 0; i < x.size(); ++i) {
            if (std::isnan(x[i])) {
                switch (policy) {
                    case nan_policy::raise:
                        fail(function, std::string(arg) + " contains NaN (first at index " + std::to_string(i) +
                                           "); pass nan_policy::omit or nan_policy::propagate to allow it");
                    case nan_policy::omit:
                        return nan_action::omit;
                    case nan_policy::propagate:
                        return nan_action::propagate;
                }
            }
        }
        return nan_action::none;
    }
}

// A copy of x without its NaN values (used under nan_action::omit, off the hot path).
template <class T>
std::vector<T> without_nans(view<const T> x) {
    std::vector<T> out;
    out.reserve(x.size());
    for (T v : x) {
        if (!is_nan_value(v)) out.push_back(v);
    }
    return out;
}

}  // namespace collapsekit
