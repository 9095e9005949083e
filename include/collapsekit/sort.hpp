// Sorting floating-point samples fast enough for exact Wasserstein on millions of values.
//
// ck::sort_values orders float/double ascending with NaN last. Large inputs go through
// an LSD radix sort on the order-preserving bit pattern (Herf 2001, "Radix tricks"):
// flipping every bit of a negative number and only the sign bit of a non-negative one
// turns IEEE order into unsigned-integer order. Digits are 8 bits (8 passes for double,
// 4 for float): measured on Zen 3, 256 write streams per scatter pass stay in L1 and the
// TLB, where 11-bit digits (6 passes) ran each pass 2.5x slower and lost overall. A pass
// is skipped when all keys share its digit. Small inputs use std::sort, which wins below
// a few thousand values.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
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

// Branch-free: the sign of a normal sample is a coin flip, and a branch on it mispredicts
// half the time in the passes that convert keys.
template <class K>
inline K to_ordered_key(K bits) noexcept {
    constexpr int top = sizeof(K) * 8 - 1;
    const K flip = K(K(0) - (bits >> top)) | K(K(1) << top);  // all bits if negative, else the sign
    return K(bits ^ flip);
}
template <class K>
inline K from_ordered_key(K key) noexcept {
    constexpr int top = sizeof(K) * 8 - 1;
    const K flip = K((key >> top) - K(1)) | K(K(1) << top);  // all bits if the sign is clear
    return K(key ^ flip);
}

template <class C>
struct is_view : std::false_type {};
template <class T>
struct is_view<view<T>> : std::true_type {};

// Below this many values std::sort is faster than clearing and scanning the digit tables.
inline constexpr std::size_t radix_sort_threshold = 2048;
inline constexpr int radix_digit_bits = 8;

// One scatter pass on the radix_digit_bits-bit digit at shift: keys from src (bit
// patterns of values when FromValues) to their slots in dst (converted back to values
// when ToValues). Keys travel in T's storage through memcpy, so keys, doubles and floats
// share the buffers without aliasing questions. Four loads go ahead of the four stores:
// the compiler cannot prove that a store does not feed the next load, and serialising
// them doubled the pass time.
template <class T, class K, bool FromValues, bool ToValues, class Counter>
void radix_scatter(const T* src, T* dst, std::size_t n, Counter* c, int shift) {
    constexpr K mask = (K(1) << radix_digit_bits) - 1;
    auto load = [src](std::size_t j) {
        K k;
        std::memcpy(&k, src + j, sizeof k);
        if constexpr (FromValues) k = to_ordered_key(k);
        return k;
    };
    auto store = [dst, c, shift](K k) {
        K out = k;
        if constexpr (ToValues) out = from_ordered_key(k);
        std::memcpy(dst + c[(k >> shift) & mask]++, &out, sizeof out);
    };
    const std::size_t n4 = n - n % 4;
    std::size_t j = 0;
    for (; j < n4; j += 4) {
        const K k0 = load(j), k1 = load(j + 1), k2 = load(j + 2), k3 = load(j + 3);
        store(k0);
        store(k1);
        store(k2);
        store(k3);
    }
    for (; j < n; ++j) store(load(j));
}

// Radix sort of non-NaN values of type T, in place, with scratch space for n values.
// The counting pass reads x and converts keys on the fly; the first scatter pass converts
// again instead of storing keys, and the last one converts back, so no pass only
// converts. Passes ping-pong between x and scratch; when an odd number of passes is
// active the result is copied back once.
// Counter is std::uint32_t below 2^32 values: half the table footprint keeps the scatter
// offsets in L1.
template <class T, class Counter>
void radix_sort_counted(T* x, std::size_t n, T* scratch) {
    using K = typename radix_traits<T>::key;
    static_assert(sizeof(T) == sizeof(K), "keys are the values' bit patterns");
    constexpr int digit_bits = radix_digit_bits;
    constexpr std::size_t radix = std::size_t{1} << digit_bits;
    constexpr K mask = radix - 1;
    constexpr int passes = radix_traits<T>::bits / digit_bits;
    auto key_at = [x](std::size_t i) {
        K bits;
        std::memcpy(&bits, x + i, sizeof bits);
        return to_ordered_key(bits);
    };
    // Two tables for alternate elements: digits shared by every key (the sign and exponent
    // bytes of most samples) would otherwise chain each increment on the previous one.
    std::array<std::array<Counter, radix>, passes> counts{}, counts_odd{};
    const std::size_t n2 = n - n % 2;
    std::size_t i = 0;
    for (; i < n2; i += 2) {
        const K k0 = key_at(i), k1 = key_at(i + 1);
        for (int p = 0; p < passes; ++p) {
            ++counts[p][(k0 >> (p * digit_bits)) & mask];
            ++counts_odd[p][(k1 >> (p * digit_bits)) & mask];
        }
    }
    for (; i < n; ++i) {
        const K k = key_at(i);
        for (int p = 0; p < passes; ++p) ++counts[p][(k >> (p * digit_bits)) & mask];
    }
    // Passes where every key has the same digit would only copy: skip them.
    int active[passes];
    int n_active = 0;
    const K first = key_at(0);
    for (int p = 0; p < passes; ++p) {
        auto& c = counts[p];
        for (std::size_t d = 0; d < radix; ++d) c[d] += counts_odd[p][d];
        if (c[(first >> (p * digit_bits)) & mask] == n) continue;
        active[n_active++] = p;
        Counter offset = 0;
        for (std::size_t d = 0; d < radix; ++d) {
            const Counter cnt = c[d];
            c[d] = offset;
            offset += cnt;
        }
    }
    if (n_active == 0) return;  // all keys equal
    T* src = x;
    T* dst = scratch;
    for (int a = 0; a < n_active; ++a) {
        Counter* c = counts[active[a]].data();
        const int shift = active[a] * digit_bits;
        const bool first_pass = a == 0, last_pass = a + 1 == n_active;
        if (first_pass && last_pass) {
            radix_scatter<T, K, true, true>(src, dst, n, c, shift);
        } else if (first_pass) {
            radix_scatter<T, K, true, false>(src, dst, n, c, shift);
        } else if (last_pass) {
            radix_scatter<T, K, false, true>(src, dst, n, c, shift);
        } else {
            radix_scatter<T, K, false, false>(src, dst, n, c, shift);
        }
        std::swap(src, dst);
    }
    if (src != x) std::memcpy(x, src, n * sizeof(T));
}

// Scratch space that callers sorting several samples in a row share, so that each sort
// does not allocate (and fault in) a fresh buffer of its own. It may start on memory the
// caller owns (at least size values); it allocates only when asked for more.
template <class T>
class sort_scratch {
public:
    sort_scratch() = default;
    sort_scratch(T* memory, std::size_t size) noexcept : data_(memory), size_(size) {}

    T* get(std::size_t n) {
        if (n > size_) {
            owned_.reset(new T[n]);  // uninitialised: every slot is written before it is read
            data_ = owned_.get();
            size_ = n;
        }
        return data_;
    }

private:
    std::unique_ptr<T[]> owned_;
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

// Sorts values that hold no NaN (the caller has screened them) with the given scratch.
template <class T>
void sort_numbers_with(view<T> x, sort_scratch<T>& scratch) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "radix keys exist for float and double");
    const std::size_t n = x.size();
    if (n < radix_sort_threshold) {
        // -0.0 before +0.0, as the radix path orders them.
        std::sort(x.begin(), x.end(),
                  [](T a, T b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); });
    } else if (n <= std::numeric_limits<std::uint32_t>::max()) {
        radix_sort_counted<T, std::uint32_t>(x.data(), n, scratch.get(n));
    } else {
        radix_sort_counted<T, std::size_t>(x.data(), n, scratch.get(n));
    }
}

// sort_values with the scratch supplied by the caller.
template <class T>
void sort_values_with(view<T> x, sort_scratch<T>& scratch) {
    // NaN to the back first (stable, payloads kept), then sort the rest.
    auto is_number = [](T v) { return !std::isnan(v); };
    T* end = x.end();
    if (!std::all_of(x.begin(), x.end(), is_number)) end = std::stable_partition(x.begin(), x.end(), is_number);
    sort_numbers_with(view<T>(x.data(), static_cast<std::size_t>(end - x.begin())), scratch);
}

}  // namespace detail

// Sorts x ascending in place. For float and double: NaN values (any sign or payload,
// kept bit for bit) go last; finite values and infinities come out in the order
// std::sort with operator< gives, with -0.0 placed before +0.0 (which std::sort leaves
// in unspecified order). Other arithmetic types use std::sort.
// Allocates one buffer of x.size() values for inputs of 2048 values or more.
template <class T>
void sort_values(view<T> x) {
    static_assert(std::is_arithmetic_v<T> && !std::is_const_v<T>, "sort_values needs a mutable arithmetic range");
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        detail::sort_scratch<T> scratch;
        detail::sort_values_with(x, scratch);
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
