// Sorting floating-point samples fast enough for exact Wasserstein on millions of values.
//
// ck::sort_values orders float/double ascending with NaN last. Large inputs go through
// an LSD radix sort on the order-preserving bit pattern (Herf 2001, "Radix tricks"):
// flipping every bit of a negative number and only the sign bit of a non-negative one
// turns IEEE order into unsigned-integer order. Digits are 8 bits (8 passes for double,
// 4 for float): measured on Zen 3, 256 write streams per scatter pass stay in L1 and the
// TLB, where 11-bit digits (6 passes) ran each pass 2.5x slower and lost overall. From
// 65536 values on, the top 16 bits become one digit when few of their values occur (the
// sign and exponent of one distribution's sample), saving a pass. A pass is skipped when
// all keys share its digit. Small inputs use std::sort, which wins below a few thousand
// values. The same passes sort items that carry a payload beside their value (the
// (value, weight) pairs of weighted samples): only the key is counted and converted, the
// whole item moves.
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
#include <utility>
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

// A value with a payload that its sort carries along (the weight of a weighted sample).
// The radix passes move whole items, so the payload costs bandwidth but no second
// scatter stream: one stream per digit keeps the passes' 256 write streams in L1.
template <class T, class P>
struct keyed {
    T value;
    P payload;
};

// The value an item is sorted by: a bare value, or the value of a keyed item.
template <class T>
T& sort_value(T& x) noexcept {
    return x;
}
template <class T, class P>
T& sort_value(keyed<T, P>& x) noexcept {
    return x.value;
}
template <class T>
const T& sort_value(const T& x) noexcept {
    return x;
}
template <class T, class P>
const T& sort_value(const keyed<T, P>& x) noexcept {
    return x.value;
}
template <class Item>
using sort_value_t = std::remove_cv_t<std::remove_reference_t<decltype(sort_value(std::declval<const Item&>()))>>;

// One scatter pass on the Bits-bit digit at shift: items from src (holding the bit
// patterns of their values when FromValues) to their slots in dst (with the keys converted
// back to values when ToValues). Keys travel in T's storage through memcpy, so keys,
// doubles and floats share the buffers without aliasing questions. Four loads go ahead of
// the four stores: the compiler cannot prove that a store does not feed the next load, and
// serialising them doubled the pass time.
template <class Item, class K, int Bits, bool FromValues, bool ToValues, class Counter>
void radix_scatter(const Item* src, Item* dst, std::size_t n, Counter* c, int shift) {
    constexpr K mask = (K(1) << Bits) - 1;
    auto load = [src](std::size_t j) {
        K k;
        std::memcpy(&k, &sort_value(src[j]), sizeof k);
        if constexpr (FromValues) k = to_ordered_key(k);
        return k;
    };
    // The key is loaded apart from its item and written over the item's value: a bare
    // value is then stored from the key's register alone, and a keyed item that travelled
    // with its key in one struct was spilled to the stack by GCC.
    auto store = [dst, c, shift](K k, Item item) {
        K out = k;
        if constexpr (ToValues) out = from_ordered_key(k);
        std::memcpy(&sort_value(item), &out, sizeof out);
        dst[c[(k >> shift) & mask]++] = item;
    };
    const std::size_t n4 = n - n % 4;
    std::size_t j = 0;
    for (; j < n4; j += 4) {
        const K k0 = load(j), k1 = load(j + 1), k2 = load(j + 2), k3 = load(j + 3);
        const Item i0 = src[j], i1 = src[j + 1], i2 = src[j + 2], i3 = src[j + 3];
        store(k0, i0);
        store(k1, i1);
        store(k2, i2);
        store(k3, i3);
    }
    for (; j < n; ++j) store(load(j), src[j]);
}

template <class Item, class K, int Bits, class Counter>
void radix_scatter_pass(const Item* src, Item* dst, std::size_t n, Counter* c, int shift, bool first, bool last) {
    if (first && last) {
        radix_scatter<Item, K, Bits, true, true>(src, dst, n, c, shift);
    } else if (first) {
        radix_scatter<Item, K, Bits, true, false>(src, dst, n, c, shift);
    } else if (last) {
        radix_scatter<Item, K, Bits, false, true>(src, dst, n, c, shift);
    } else {
        radix_scatter<Item, K, Bits, false, false>(src, dst, n, c, shift);
    }
}

// From this many values on, the top 16 bits of the keys (sign, exponent and the leading
// mantissa bits) are also counted as one digit. Samples of one distribution use few of
// their 65536 values (about 550 for 1e6 normal doubles), and then one pass on them
// replaces the two top byte passes at the cost of one. When more than
// radix_wide_top_max_bins occur, the two byte passes are kept: a scatter into tens of
// thousands of streams is slower than two into 256.
inline constexpr std::size_t radix_wide_top_min_n = std::size_t{1} << 16;
inline constexpr std::size_t radix_wide_top_max_bins = 2048;

// The counting pass: byte histograms of the keys of the items x (all bytes, or all but the top two
// when Wide, which go to the 16-bit tables instead). Alternate elements use separate
// tables: digits shared by every key (the sign and exponent bytes of most samples) would
// otherwise chain each increment on the previous one.
template <bool Wide, class K, class Item, class Counter, std::size_t Passes>
void radix_count(const Item* x, std::size_t n, std::array<std::array<Counter, 256>, Passes>& even,
                 std::array<std::array<Counter, 256>, Passes>& odd, Counter* top_even, Counter* top_odd) {
    constexpr int byte_passes = Wide ? int(Passes) - 2 : int(Passes);
    constexpr int top_shift = int(sizeof(K)) * 8 - 16;
    auto key_at = [x](std::size_t i) {
        K bits;
        std::memcpy(&bits, &sort_value(x[i]), sizeof bits);
        return to_ordered_key(bits);
    };
    const std::size_t n2 = n - n % 2;
    std::size_t i = 0;
    for (; i < n2; i += 2) {
        const K k0 = key_at(i), k1 = key_at(i + 1);
        for (int p = 0; p < byte_passes; ++p) {
            ++even[p][(k0 >> (p * 8)) & 0xff];
            ++odd[p][(k1 >> (p * 8)) & 0xff];
        }
        if constexpr (Wide) {
            ++top_even[k0 >> top_shift];
            ++top_odd[k1 >> top_shift];
        }
    }
    for (; i < n; ++i) {
        const K k = key_at(i);
        for (int p = 0; p < byte_passes; ++p) ++even[p][(k >> (p * 8)) & 0xff];
        if constexpr (Wide) ++top_even[k >> top_shift];
    }
}

// Turns counts into starting offsets; false when one digit holds every key (the pass
// would only copy).
template <class Counter>
bool radix_offsets(Counter* c, std::size_t size, std::size_t n) {
    Counter offset = 0;
    for (std::size_t d = 0; d < size; ++d) {
        const Counter cnt = c[d];
        if (cnt == n) return false;
        c[d] = offset;
        offset += cnt;
    }
    return true;
}

// Radix sort of items whose values (of type T) hold no NaN, with scratch space for n
// items; returns where the sorted items are: x, or scratch when an odd number of passes
// was active. The counting pass reads x and converts keys on the fly; the first scatter
// pass converts again instead of storing keys, and the last one converts back, so no pass
// only converts. Passes ping-pong between x and scratch.
// Counter is std::uint32_t below 2^32 values: half the table footprint keeps the scatter
// offsets in L1.
template <class Item, class Counter>
Item* radix_sort_items(Item* x, std::size_t n, Item* scratch) {
    using T = sort_value_t<Item>;
    using K = typename radix_traits<T>::key;
    static_assert(sizeof(T) == sizeof(K), "keys are the values' bit patterns");
    constexpr int passes = radix_traits<T>::bits / 8;
    constexpr std::size_t top_bins = std::size_t{1} << 16;
    std::array<std::array<Counter, 256>, passes> counts{}, counts_odd{};
    std::vector<Counter> top;
    bool wide = n >= radix_wide_top_min_n;
    if (wide) {
        top.assign(2 * top_bins, 0);
        radix_count<true, K>(x, n, counts, counts_odd, top.data(), top.data() + top_bins);
        std::size_t used = 0;
        for (std::size_t d = 0; d < top_bins; ++d) {
            top[d] += top[top_bins + d];
            used += top[d] != 0;
        }
        wide = used <= radix_wide_top_max_bins;
        if (!wide) {
            // Too many distinct tops for one pass: the two top bytes' counts, from the same table.
            for (std::size_t d = 0; d < top_bins; ++d) {
                counts[passes - 2][d & 0xff] += top[d];
                counts[passes - 1][d >> 8] += top[d];
            }
        }
    } else {
        radix_count<false, K>(x, n, counts, counts_odd, static_cast<Counter*>(nullptr), static_cast<Counter*>(nullptr));
    }
    struct pass {
        Counter* offsets;
        int shift;
        bool wide;
    };
    pass plan[passes];
    int n_active = 0;
    const int byte_passes = wide ? passes - 2 : passes;
    for (int p = 0; p < byte_passes; ++p) {
        Counter* c = counts[p].data();
        for (std::size_t d = 0; d < 256; ++d) c[d] += counts_odd[p][d];
        if (radix_offsets(c, 256, n)) plan[n_active++] = pass{c, p * 8, false};
    }
    if (wide && radix_offsets(top.data(), top_bins, n)) plan[n_active++] = pass{top.data(), (passes - 2) * 8, true};
    Item* src = x;
    Item* dst = scratch;
    for (int a = 0; a < n_active; ++a) {  // none when all keys are equal
        const pass& ps = plan[a];
        if (ps.wide) {
            radix_scatter_pass<Item, K, 16>(src, dst, n, ps.offsets, ps.shift, a == 0, a + 1 == n_active);
        } else {
            radix_scatter_pass<Item, K, 8>(src, dst, n, ps.offsets, ps.shift, a == 0, a + 1 == n_active);
        }
        std::swap(src, dst);
    }
    return src;
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

// Sorts items whose values hold no NaN (the caller has screened them) with the given
// scratch; returns where the sorted items are: x, or the scratch when the radix sort
// ended there (saving the copy back to a caller that reads them once).
// Below the radix threshold, std::sort orders equal values (-0.0 before +0.0 aside) in
// an unspecified order; the radix sort keeps their input order.
template <class Item>
Item* sort_items_with(view<Item> x, sort_scratch<Item>& scratch) {
    using T = sort_value_t<Item>;
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "radix keys exist for float and double");
    const std::size_t n = x.size();
    if (n < radix_sort_threshold) {
        // -0.0 before +0.0, as the radix path orders them.
        std::sort(x.begin(), x.end(), [](const Item& l, const Item& r) {
            const T a = sort_value(l), b = sort_value(r);
            return a < b || (a == b && std::signbit(a) && !std::signbit(b));
        });
        return x.data();
    }
    if (n <= std::numeric_limits<std::uint32_t>::max()) {
        return radix_sort_items<Item, std::uint32_t>(x.data(), n, scratch.get(n));
    }
    return radix_sort_items<Item, std::size_t>(x.data(), n, scratch.get(n));
}

// Sorts values that hold no NaN (the caller has screened them) with the given scratch.
template <class T>
void sort_numbers_with(view<T> x, sort_scratch<T>& scratch) {
    const T* sorted = sort_items_with(x, scratch);
    if (sorted != x.data()) std::memcpy(x.data(), sorted, x.size() * sizeof(T));
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
