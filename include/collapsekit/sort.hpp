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
#include <limits>
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

// Radix sort of non-NaN values of type T, in place. The first counting pass reads x and
// builds the keys on the fly; the last one writes the values back into x, so x is read
// and written once each besides the passes themselves.
// Counter is std::uint32_t below 2^32 values: half the table footprint keeps the scatter
// offsets in L1.
template <class T, class Counter>
void radix_sort_no_nan(T* x, std::size_t n) {
    using K = typename radix_traits<T>::key;
    constexpr int digit_bits = 11;
    constexpr std::size_t radix = std::size_t{1} << digit_bits;
    constexpr int passes = (radix_traits<T>::bits + digit_bits - 1) / digit_bits;
    auto key_at = [x](std::size_t i) {
        K bits;
        std::memcpy(&bits, x + i, sizeof bits);
        return to_ordered_key(bits);
    };
    std::vector<std::array<Counter, radix>> counts(passes);
    for (auto& c : counts) c.fill(0);
    for (std::size_t i = 0; i < n; ++i) {
        const K k = key_at(i);
        for (int p = 0; p < passes; ++p) ++counts[p][(k >> (p * digit_bits)) & (radix - 1)];
    }
    // Passes where every key has the same digit would only copy: skip them.
    int active[passes];
    int n_active = 0;
    const K first = key_at(0);
    for (int p = 0; p < passes; ++p) {
        if (counts[p][(first >> (p * digit_bits)) & (radix - 1)] != n) active[n_active++] = p;
    }
    if (n_active == 0) return;  // all keys equal
    for (int a = 0; a < n_active; ++a) {
        auto& c = counts[active[a]];
        Counter offset = 0;
        for (std::size_t d = 0; d < radix; ++d) {
            const Counter cnt = c[d];
            c[d] = offset;
            offset += cnt;
        }
    }
    std::vector<K> buf_a(n), buf_b(n_active > 2 ? n : 0);
    K* src = nullptr;
    K* dst = buf_a.data();
    for (int a = 0; a < n_active; ++a) {
        const int shift = active[a] * digit_bits;
        auto& c = counts[active[a]];
        const bool last = a + 1 == n_active && a > 0;
        if (a == 0) {
            for (std::size_t i = 0; i < n; ++i) {
                const K k = key_at(i);
                dst[c[(k >> shift) & (radix - 1)]++] = k;
            }
        } else if (last) {
            for (std::size_t i = 0; i < n; ++i) {
                const K k = src[i];
                const K bits = from_ordered_key(k);
                std::memcpy(x + c[(k >> shift) & (radix - 1)]++, &bits, sizeof bits);
            }
            return;
        } else {
            for (std::size_t i = 0; i < n; ++i) {
                const K k = src[i];
                dst[c[(k >> shift) & (radix - 1)]++] = k;
            }
        }
        src = dst;
        dst = src == buf_a.data() ? buf_b.data() : buf_a.data();
    }
    // A single active pass leaves the sorted keys in buf_a.
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
            if (n <= std::numeric_limits<std::uint32_t>::max()) {
                detail::radix_sort_no_nan<T, std::uint32_t>(x.data(), n);
            } else {
                detail::radix_sort_no_nan<T, std::size_t>(x.data(), n);
            }
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
