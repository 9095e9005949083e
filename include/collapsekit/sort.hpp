// Sorting floating-point samples fast enough for exact Wasserstein on millions of values.
//
// ck::sort_values orders float/double ascending with NaN last. Large inputs go through
// an LSD radix sort on the order-preserving bit pattern (Herf 2001, "Radix tricks"):
// flipping every bit of a negative number and only the sign bit of a non-negative one
// turns IEEE order into unsigned-integer order, so 11-bit digits sort 64-bit keys in at
// most 6 counting passes, each skipped when all keys share that digit. Small inputs use
// std::sort, which wins below a few thousand values.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/view.hpp"

namespace collapsekit {

namespace detail {

template <class T>
struct radix_traits;
template <>
struct radix_traits<double> {
    using key = std::uint64_t;
    static constexpr int bits = 64;
};
template <>
struct radix_traits<float> {
    using key = std::uint32_t;
    static constexpr int bits = 32;
};

template <class K>
inline K to_ordered_key(K bits) noexcept {
    constexpr K sign = K(1) << (sizeof(K) * 8 - 1);
    return (bits & sign) ? K(~bits) : K(bits | sign);
}
template <class K>
inline K from_ordered_key(K key) noexcept {
    constexpr K sign = K(1) << (sizeof(K) * 8 - 1);
    return (key & sign) ? K(key & ~sign) : K(~key);
}

template <class C>
struct is_view : std::false_type {};
template <class T>
struct is_view<view<T>> : std::true_type {};

// Below this many values std::sort is faster than clearing and scanning the digit tables.
inline constexpr std::size_t radix_sort_threshold = 2048;

// Radix sort of non-NaN values of type T, in place; `scratch` is reused across calls.
template <class T>
void radix_sort_no_nan(T* x, std::size_t n) {
    using K = typename radix_traits<T>::key;
    constexpr int digit_bits = 11;
    constexpr std::size_t radix = std::size_t{1} << digit_bits;
    constexpr int passes = (radix_traits<T>::bits + digit_bits - 1) / digit_bits;
    std::vector<K> a(n), b(n);
    std::vector<std::array<std::size_t, radix>> counts(passes);
    for (auto& c : counts) c.fill(0);
    for (std::size_t i = 0; i < n; ++i) {
        K bits;
        std::memcpy(&bits, x + i, sizeof bits);
        const K k = to_ordered_key(bits);
        a[i] = k;
        for (int p = 0; p < passes; ++p) ++counts[p][(k >> (p * digit_bits)) & (radix - 1)];
    }
    K* src = a.data();
    K* dst = b.data();
    for (int p = 0; p < passes; ++p) {
        auto& c = counts[p];
        // Every key has the same digit here: this pass would only copy.
        const K first_digit = (src[0] >> (p * digit_bits)) & (radix - 1);
        if (c[first_digit] == n) continue;
        std::size_t offset = 0;
        for (std::size_t d = 0; d < radix; ++d) {
            const std::size_t cnt = c[d];
            c[d] = offset;
            offset += cnt;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const K k = src[i];
            dst[c[(k >> (p * digit_bits)) & (radix - 1)]++] = k;
        }
        std::swap(src, dst);
    }
    for (std::size_t i = 0; i < n; ++i) {
        const K bits = from_ordered_key(src[i]);
        std::memcpy(x + i, &bits, sizeof bits);
    }
}

}  // namespace detail

// Sorts x ascending in place. For float and double: NaN values (any sign or payload,
// kept bit for bit) go last; finite values and infinities come out in the order
// std::sort with operator< gives, with -0.0 placed before +0.0 (which std::sort leaves
// in unspecified order). Other arithmetic types use std::sort.
// Allocates two buffers of x.size() keys for inputs of 2048 values or more.
template <class T>
void sort_values(view<T> x) {
    static_assert(std::is_arithmetic_v<T> && !std::is_const_v<T>, "sort_values needs a mutable arithmetic range");
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        // NaN to the back first (stable, payloads kept), then sort the rest.
        auto is_number = [](T v) { return !std::isnan(v); };
        T* end = x.end();
        if (!std::all_of(x.begin(), x.end(), is_number)) end = std::stable_partition(x.begin(), x.end(), is_number);
        const auto n = static_cast<std::size_t>(end - x.begin());
        if (n < detail::radix_sort_threshold) {
            // -0.0 before +0.0, as the radix path orders them.
            std::sort(x.begin(), end,
                      [](T a, T b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); });
        } else {
            detail::radix_sort_no_nan(x.data(), n);
        }
    } else {
        std::sort(x.begin(), x.end());
    }
}

// Convenience overload for containers (std::vector<double>& etc.).
template <class Container, class = decltype(std::data(std::declval<Container&>())),
          class = std::enable_if_t<!detail::is_view<Container>::value>>
void sort_values(Container& c) {
    using T = std::remove_pointer_t<decltype(std::data(c))>;
    sort_values(view<T>(std::data(c), std::size(c)));
}

}  // namespace collapsekit
