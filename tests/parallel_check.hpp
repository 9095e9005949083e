// Thread-count invariance checks shared by the test_parallel_*.cpp programs: a threaded
// function must give bit-identical results with 1, 2, 3 and 8 threads.
#pragma once

#include <collapsekit/core/estimate.hpp>
#include <collapsekit/core/parallel.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace ck_test {

// Sizes around the fixed reduction chunk (and tiny ones), where an off-by-one in the
// chunking would show; 3 c + 17 gives four chunks, more than 2 or 3 threads take in one
// round. (Kept small: the suite runs these under ASan and at -O1 too.)
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool under_sanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool under_sanitizer = true;
#else
inline constexpr bool under_sanitizer = false;
#endif
#else
inline constexpr bool under_sanitizer = false;
#endif

// Under the sanitizers (several times slower) the job is memory safety of the threaded
// paths, not invariance, which the optimised builds check in full: one and two chunks,
// and 3 and 8 threads (one more thread than chunks, and many more).
inline const std::vector<std::size_t> thread_counts =
    under_sanitizer ? std::vector<std::size_t>{3, 8} : std::vector<std::size_t>{1, 2, 3, 8};

inline std::vector<std::size_t> awkward_sizes() {
    const std::size_t c = collapsekit::reduction_chunk;
    if (under_sanitizer) return {1, 7, c - 1, c + 1};
    return {1, 2, 7, 1000, c - 1, c, c + 1, 3 * c + 17};
}

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
inline bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }
template <class T, std::enable_if_t<std::is_integral_v<T>, int> = 0>
bool same_bits(T a, T b) {
    return a == b;
}
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!same_bits(a[i], b[i])) return false;
    }
    return true;
}

}  // namespace ck_test

namespace collapsekit {
// The result struct most threaded measures share (found by argument-dependent lookup).
inline bool same_bits(const estimate& a, const estimate& b) {
    return ck_test::same_bits(a.value, b.value) && ck_test::same_bits(a.standard_error, b.standard_error) && a.n == b.n;
}
}  // namespace collapsekit

namespace ck_test {

// Compares with same_bits, found here or by argument-dependent lookup: for a struct of
// the library, define `bool same_bits(const S&, const S&)` in namespace collapsekit in
// the test file (or pass a comparator to check_thread_invariant).
struct bitwise_equal {
    template <class R>
    bool operator()(const R& a, const R& b) const {
        return same_bits(a, b);
    }
};

// f(execution) -> R; every thread count must give what one thread gives.
template <class F, class Equal = bitwise_equal>
void check_thread_invariant(F&& f, Equal equal = {}) {
    const auto reference = f(collapsekit::threads(1));
    for (std::size_t t : thread_counts) {
        CAPTURE(t);
        CHECK(equal(f(collapsekit::threads(t)), reference));
    }
    if (!under_sanitizer) CHECK(equal(f(collapsekit::all_threads), reference));
}

}  // namespace ck_test
