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
//
// From 2 MiB of items on, the sort runs most significant digit first (see
// parallel_msd_sort): one pass splits the array into buckets by the top digit, and each
// bucket is finished by LSD passes while it sits in L2. That keeps the cost per element
// flat as n grows (an LSD sort of 1e8 doubles streams all 7 passes through memory) and
// is what runs on several threads: ck::sort_values(ck::threads(4), x). Every step is a
// stable sort, so the output is the same whatever the thread count.
//
// Big buffers come from a per-thread workspace that is kept between calls (fresh memory
// costs a page fault per 4 KiB on every call) and asks for transparent huge pages.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/big_buffer.hpp"
#include "core/parallel.hpp"
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

// SFINAE guard of the overloads without an execution: their first argument is data.
template <class T>
using not_execution_t = std::enable_if_t<!std::is_same_v<std::decay_t<T>, execution>>;

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

// The buffers the sorting measures of one thread reuse from call to call: the sorted
// copies of both samples and the sort's scratch.
struct sort_workspace {
    static constexpr int slots = 3;
    reusable_buffer buffer[slots];
    bool busy = false;
};

inline sort_workspace& thread_sort_workspace() {
    thread_local sort_workspace w;
    return w;
}

// The calling thread's workspace for the duration of one call; a private one (freed at
// the end) when the thread's is already in use further up the stack.
class workspace_lease {
public:
    workspace_lease() {
        sort_workspace& w = thread_sort_workspace();
        if (!w.busy) {
            w.busy = true;
            ws_ = &w;
        } else {
            own_ = std::make_unique<sort_workspace>();
            ws_ = own_.get();
        }
    }
    workspace_lease(const workspace_lease&) = delete;
    workspace_lease& operator=(const workspace_lease&) = delete;
    ~workspace_lease() {
        if (!own_) ws_->busy = false;
    }
    template <class T>
    T* get(int slot, std::size_t n) {
        return ws_->buffer[slot].template get<T>(n);
    }

private:
    sort_workspace* ws_ = nullptr;
    std::unique_ptr<sort_workspace> own_;
};

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
            data_ = owned_.get<T>(n);  // uninitialised: every slot is written before it is read
            size_ = n;
        }
        return data_;
    }

private:
    reusable_buffer owned_;
    T* data_ = nullptr;
    std::size_t size_ = 0;
};

// ---------------------------------------------------------------------------------------
// The cache-friendly, parallel path for large inputs: most significant digit first.
//
// One counting pass and one scatter pass over the whole array split it into buckets by
// the top digit of the keys (the 16-bit top digit as above when few of its values occur,
// else the top byte); each bucket is then sorted on its own while it sits in the cache:
// LSD passes (radix_sort_items) once it fits radix_bucket_bytes, another MSD byte above
// that. An LSD sort of 1e8 doubles makes 7 passes through memory; this makes 2, and the
// rest runs in L2, so the cost per element stays flat as n grows.
//
// Threads: the counting and scatter passes split the array into one contiguous block per
// thread, with per-block digit tables whose offsets run digit-major, block-minor, so the
// scatter is stable; the buckets are then sorted in parallel (the few much larger than
// their share, one after another, each with every thread). Every step is a stable sort
// of its range, and a stable sort's result is unique, so the output is the same, bit for
// bit and payload for payload, for any thread count.

// Buckets up to this size are sorted by LSD passes, ping-ponging with their scratch in L2.
inline constexpr std::size_t radix_bucket_bytes = std::size_t{1} << 19;
// Inputs below this many bytes take the plain LSD path (they fit the cache already).
inline constexpr std::size_t radix_msd_min_bytes = std::size_t{1} << 21;
// A thread sorts at least this many items.
inline constexpr std::size_t parallel_sort_min_items = std::size_t{1} << 16;

template <class Item>
inline auto item_key(const Item& it) noexcept {
    using K = typename radix_traits<sort_value_t<Item>>::key;
    K bits;
    std::memcpy(&bits, &sort_value(it), sizeof bits);
    return to_ordered_key(bits);
}

// Stable insertion sort by key, for the smallest buckets.
template <class Item>
void insertion_sort_items(Item* x, std::size_t n) {
    for (std::size_t i = 1; i < n; ++i) {
        const Item v = x[i];
        const auto k = item_key(v);
        std::size_t j = i;
        for (; j > 0 && item_key(x[j - 1]) > k; --j) x[j] = x[j - 1];
        x[j] = v;
    }
}

// Stable scatter of src[begin, end) on the digit (key >> shift) & mask, with the running
// offsets c (one per digit value).
template <class Item, class Counter>
void msd_scatter(const Item* src, Item* dst, std::size_t begin, std::size_t end, Counter* c, int shift,
                 std::uint64_t mask) {
    std::size_t j = begin;
    for (; j + 4 <= end; j += 4) {
        const auto k0 = item_key(src[j]), k1 = item_key(src[j + 1]), k2 = item_key(src[j + 2]),
                   k3 = item_key(src[j + 3]);
        const Item i0 = src[j], i1 = src[j + 1], i2 = src[j + 2], i3 = src[j + 3];
        dst[c[(k0 >> shift) & mask]++] = i0;
        dst[c[(k1 >> shift) & mask]++] = i1;
        dst[c[(k2 >> shift) & mask]++] = i2;
        dst[c[(k3 >> shift) & mask]++] = i3;
    }
    for (; j < end; ++j) dst[c[(item_key(src[j]) >> shift) & mask]++] = src[j];
}

// LSD passes over the bytes below `bits` of a bucket that fits the cache (fewer than 2^32
// items), ping-ponging between a and b; returns where the sorted items are. Only the bytes
// that vary are scattered.
template <class Item>
Item* lsd_sort_bucket(Item* a, Item* b, std::size_t n, int bits) {
    const int passes = bits / 8;
    std::uint32_t c[8][256];
    std::memset(c, 0, sizeof(std::uint32_t) * 256 * static_cast<std::size_t>(passes));
    for (std::size_t i = 0; i < n; ++i) {
        const auto k = item_key(a[i]);
        for (int p = 0; p < passes; ++p) ++c[p][(k >> (8 * p)) & 0xff];
    }
    Item* src = a;
    Item* dst = b;
    for (int p = 0; p < passes; ++p) {
        if (!radix_offsets(c[p], 256, n)) continue;
        msd_scatter(src, dst, 0, n, c[p], 8 * p, 0xff);
        std::swap(src, dst);
    }
    return src;
}

// Sorts src[0, n), whose keys agree on every bit from `bits` up, by the bits below;
// the result ends in src when result_in_src, else in other (n items of scratch).
template <class Item>
void msd_sort_bucket(Item* src, Item* other, std::size_t n, int bits, bool result_in_src) {
    const Item* result = src;
    if (n <= 32) {
        insertion_sort_items(src, n);
    } else if (n * sizeof(Item) <= radix_bucket_bytes) {
        result = lsd_sort_bucket(src, other, n, bits);
    } else if (bits <= 16) {  // a huge bucket of keys that differ in their last two bytes only
        result = n <= std::numeric_limits<std::uint32_t>::max() ? radix_sort_items<Item, std::uint32_t>(src, n, other)
                                                                : radix_sort_items<Item, std::size_t>(src, n, other);
    } else {
        const int shift = bits - 8;
        std::size_t c[256] = {};
        for (std::size_t i = 0; i < n; ++i) ++c[(item_key(src[i]) >> shift) & 0xff];
        std::size_t size[256];
        std::copy(c, c + 256, size);
        if (!radix_offsets(c, 256, n)) {
            msd_sort_bucket(src, other, n, shift, result_in_src);  // one digit holds every key
            return;
        }
        msd_scatter(src, other, 0, n, c, shift, 0xff);
        std::size_t start = 0;
        for (std::size_t d = 0; d < 256; ++d) {
            if (size[d] != 0) msd_sort_bucket(other + start, src + start, size[d], shift, !result_in_src);
            start += size[d];
        }
        return;
    }
    Item* const wanted = result_in_src ? src : other;
    if (result != wanted) std::memcpy(static_cast<void*>(wanted), static_cast<const void*>(result), n * sizeof(Item));
}

// The parallel MSD step on the top digit of a (keys agree from `bits` up), then the
// buckets; the result ends in a when result_in_a, else in b. top: this is the whole key,
// where the 16-bit top digit may be used.
template <class Item>
void parallel_msd_sort(std::size_t workers, Item* a, Item* b, std::size_t n, int bits, bool result_in_a, bool top) {
    if ((workers <= 1 && !top) || bits <= 16) {
        msd_sort_bucket(a, b, n, bits, result_in_a);
        return;
    }
    const execution ex = threads(workers);
    const bool try_wide = top && n >= radix_wide_top_min_n;
    const int width = try_wide ? 16 : 8;
    const std::size_t bins = std::size_t{1} << width;
    const std::size_t block = (n + workers - 1) / workers;
    const std::size_t blocks = (n + block - 1) / block;
    // The per-block digit tables live in a buffer the thread keeps (a fresh 256 KiB per
    // block would be faulted in on every call); the recursion below starts after the
    // scatter, when this level no longer needs them.
    thread_local reusable_buffer table_memory;
    std::size_t* table = table_memory.get<std::size_t>(blocks * bins);
    std::fill(table, table + blocks * bins, std::size_t{0});
    parallel_for(ex, blocks, [&](std::size_t t) {
        std::size_t* c = table + t * bins;
        const int shift = bits - width;
        const std::uint64_t mask = bins - 1;
        for (std::size_t i = t * block, e = std::min(n, i + block); i < e; ++i) ++c[(item_key(a[i]) >> shift) & mask];
    });
    std::size_t digit_bins = bins;
    int digit_width = width;
    if (try_wide) {
        std::size_t used = 0;
        for (std::size_t d = 0; d < bins; ++d) {
            std::size_t s = 0;
            for (std::size_t t = 0; t < blocks; ++t) s += table[t * bins + d];
            used += s != 0;
        }
        if (used > radix_wide_top_max_bins) {
            // Too many streams for one scatter: the top byte only, from the same counts.
            // In place: block t's byte table only overwrites the front of its own (or an
            // earlier, already converted) wide table.
            for (std::size_t t = 0; t < blocks; ++t) {
                std::size_t bytes[256] = {};
                for (std::size_t d = 0; d < bins; ++d) bytes[d >> 8] += table[t * bins + d];
                std::copy(bytes, bytes + 256, table + t * 256);
            }
            digit_bins = 256;
            digit_width = 8;
        }
    }
    const int shift = bits - digit_width;
    // Offsets digit-major, block-minor: a stable scatter.
    std::vector<std::size_t> size(digit_bins, 0);
    std::size_t offset = 0;
    bool one_digit = false;
    for (std::size_t d = 0; d < digit_bins; ++d) {
        for (std::size_t t = 0; t < blocks; ++t) {
            std::size_t& c = table[t * digit_bins + d];
            const std::size_t cnt = c;
            c = offset;
            offset += cnt;
            size[d] += cnt;
        }
        one_digit = one_digit || size[d] == n;
    }
    if (one_digit) {  // every key shares the digit: nothing to move
        parallel_msd_sort(workers, a, b, n, shift, result_in_a, false);
        return;
    }
    parallel_for(ex, blocks, [&](std::size_t t) {
        msd_scatter(a, b, t * block, std::min(n, t * block + block), table + t * digit_bins, shift, digit_bins - 1);
    });
    // The buckets, now in b: those far above their share one at a time with every thread,
    // the rest spread over the threads.
    struct bucket {
        std::size_t start, size;
    };
    std::vector<bucket> small;
    std::size_t start = 0;
    const std::size_t share = std::max(parallel_sort_min_items, n / (2 * workers));
    for (std::size_t d = 0; d < digit_bins; ++d) {
        if (size[d] > share && workers > 1) {
            parallel_msd_sort(workers, b + start, a + start, size[d], shift, !result_in_a, false);
        } else if (size[d] != 0) {
            small.push_back({start, size[d]});
        }
        start += size[d];
    }
    parallel_for(ex, small.size(), [&](std::size_t i) {
        const bucket& k = small[i];
        msd_sort_bucket(b + k.start, a + k.start, k.size, shift, !result_in_a);
    });
}

// Sorts items whose values hold no NaN (the caller has screened them) with the given
// scratch, on up to ex's threads; returns where the sorted items are: x, or the scratch
// when the radix sort of a small input ended there (saving the copy back to a caller
// that reads them once). Below the radix threshold, std::sort orders equal values (-0.0
// before +0.0 aside) in an unspecified order; the radix sorts keep their input order.
template <class Item>
Item* sort_items_with(const execution& ex, view<Item> x, sort_scratch<Item>& scratch) {
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
    if (n * sizeof(Item) < radix_msd_min_bytes) {
        if (n <= std::numeric_limits<std::uint32_t>::max()) {
            return radix_sort_items<Item, std::uint32_t>(x.data(), n, scratch.get(n));
        }
        return radix_sort_items<Item, std::size_t>(x.data(), n, scratch.get(n));
    }
    const std::size_t workers = ex.workers(n, parallel_sort_min_items);
    parallel_msd_sort(workers, x.data(), scratch.get(n), n, radix_traits<T>::bits, true, true);
    return x.data();
}

template <class Item>
Item* sort_items_with(view<Item> x, sort_scratch<Item>& scratch) {
    return sort_items_with(sequential, x, scratch);
}

// Sorts values that hold no NaN (the caller has screened them) with the given scratch.
template <class T>
void sort_numbers_with(const execution& ex, view<T> x, sort_scratch<T>& scratch) {
    const T* sorted = sort_items_with(ex, x, scratch);
    if (sorted != x.data()) std::memcpy(x.data(), sorted, x.size() * sizeof(T));
}
template <class T>
void sort_numbers_with(view<T> x, sort_scratch<T>& scratch) {
    sort_numbers_with(sequential, x, scratch);
}

// sort_values with the scratch supplied by the caller.
template <class T>
void sort_values_with(const execution& ex, view<T> x, sort_scratch<T>& scratch) {
    // NaN to the back first (stable, payloads kept), then sort the rest.
    auto is_number = [](T v) { return !std::isnan(v); };
    T* end = x.end();
    if (!std::all_of(x.begin(), x.end(), is_number)) end = std::stable_partition(x.begin(), x.end(), is_number);
    sort_numbers_with(ex, view<T>(x.data(), static_cast<std::size_t>(end - x.begin())), scratch);
}
template <class T>
void sort_values_with(view<T> x, sort_scratch<T>& scratch) {
    sort_values_with(sequential, x, scratch);
}

}  // namespace detail

// Sorts x ascending in place. For float and double: NaN values (any sign or payload,
// kept bit for bit) go last; finite values and infinities come out in the order
// std::sort with operator< gives, with -0.0 placed before +0.0 (which std::sort leaves
// in unspecified order). Other arithmetic types use std::sort.
// With an execution (ck::threads(n), ck::all_threads) large inputs are sorted on up to
// that many threads; the result is the same array whatever the count. The scratch
// buffer (x.size() values from 2048 values on) is the calling thread's reusable sort
// workspace, kept between calls (see release_sort_workspace).
template <class T>
void sort_values(const execution& ex, view<T> x) {
    static_assert(std::is_arithmetic_v<T> && !std::is_const_v<T>, "sort_values needs a mutable arithmetic range");
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        detail::workspace_lease lease;
        detail::sort_scratch<T> scratch(lease.get<T>(0, x.size()), x.size());
        detail::sort_values_with(ex, x, scratch);
    } else {
        std::sort(x.begin(), x.end());
    }
}
template <class T>
void sort_values(view<T> x) {
    sort_values(sequential, x);
}

// Convenience overloads for containers (std::vector<double>& etc.).
template <class Container, class = decltype(std::data(std::declval<Container&>())),
          class = std::enable_if_t<!detail::is_view<Container>::value>>
void sort_values(const execution& ex, Container& c) {
    using T = std::remove_pointer_t<decltype(std::data(c))>;
    sort_values(ex, view<T>(std::data(c), std::size(c)));
}
template <class Container, class = decltype(std::data(std::declval<Container&>())),
          class = std::enable_if_t<!detail::is_view<Container>::value>>
void sort_values(Container& c) {
    sort_values(sequential, c);
}

// Frees the calling thread's sort workspace: the buffers that sort_values and the
// sorting measures (wasserstein, ks_2samp, energy_distance, quantiles) keep between calls
// so that repeated calls do not fault in fresh memory. It holds about three times the
// largest sample sorted on the thread (about 2.4 GB after 1e8 vs 1e8 doubles) until the
// thread ends or this is called. Does nothing while the thread is inside such a call.
inline void release_sort_workspace() noexcept {
    detail::sort_workspace& w = detail::thread_sort_workspace();
    if (w.busy) return;
    for (auto& b : w.buffer) b.release();
}

}  // namespace collapsekit
