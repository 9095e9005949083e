// Helpers shared by the test programs.
#pragma once

#include <collapsekit/core/random.hpp>
#include <collapsekit/core/view.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace collapsekit_test {

// The arithmetic mean (a statistic for the bootstrap tests).
inline double mean_of(collapsekit::view<const double> x) {
    double s = 0;
    for (double v : x) s += v;
    return s / static_cast<double>(x.size());
}

// n points of `dim` independent standard normal coordinates, row after row.
inline std::vector<double> gaussian_points(std::size_t n, std::size_t dim, std::uint64_t seed) {
    collapsekit::rng g(seed);
    collapsekit::normal_distribution normal;
    std::vector<double> x(n * dim);
    for (double& v : x) v = normal(g);
    return x;
}

// The message of the exception of type E (or derived) that f throws, or "no exception".
// Any other exception escapes, so doctest reports a wrong exception type as an error.
template <class E = std::exception, class F>
std::string error_message(F&& f) {
    try {
        std::forward<F>(f)();
    } catch (const E& e) {
        return e.what();
    }
    return "no exception";
}

}  // namespace collapsekit_test
