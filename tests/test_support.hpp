// Helpers shared by the test programs.
#pragma once

#include <exception>
#include <string>
#include <utility>

namespace collapsekit_test {

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
