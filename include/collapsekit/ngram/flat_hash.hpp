// Open-addressing hash set and map for packed n-gram keys.
//
// Linear probing over a power-of-two array, at most half full, keys stored inline:
// one cache line per lookup in the common case, which is what makes counting distinct
// n-grams several times faster than std::unordered_set (a node per element). The one
// key that marks empty slots (detail::empty_key) is kept aside in its own field, so
// every key value is allowed. Batched insertion computes hashes ahead and prefetches
// their slots, hiding the cache misses of large tables.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "../core/big_buffer.hpp"
#include "../core/prefetch.hpp"
#include "keys.hpp"

namespace collapsekit {
namespace detail {

// Storage of the big tables: from 4 MiB on, 2 MiB aligned with transparent huge pages
// asked for (detail::allocate_big): a table of 10^7 n-grams is hundreds of MiB, whose
// fresh 4 KiB pages would otherwise cost about as much to fault in as the counting.
template <class T>
struct table_allocator {
    using value_type = T;
    table_allocator() = default;
    template <class U>
    table_allocator(const table_allocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return static_cast<T*>(allocate_big(n * sizeof(T))); }
    void deallocate(T* p, std::size_t) noexcept { std::free(p); }
    friend bool operator==(const table_allocator&, const table_allocator&) noexcept { return true; }
    friend bool operator!=(const table_allocator&, const table_allocator&) noexcept { return false; }
};

// An uninitialised array of n plain values in that storage.
template <class T>
class big_array {
public:
    explicit big_array(std::size_t n) : p_(static_cast<T*>(allocate_big(std::max<std::size_t>(1, n) * sizeof(T)))) {}
    big_array(const big_array&) = delete;
    big_array& operator=(const big_array&) = delete;
    ~big_array() { std::free(p_); }
    T* data() const noexcept { return p_; }

private:
    T* p_;
};

inline std::size_t table_capacity_for(std::size_t elements) noexcept {
    std::size_t cap = 16;
    while (cap < 2 * elements) cap *= 2;  // load factor at most 1/2
    return cap;
}

template <class Key>
class flat_set {
public:
    explicit flat_set(std::size_t expected = 0) { rehash(table_capacity_for(expected)); }

    std::size_t size() const noexcept { return size_ + (has_empty_key_ ? 1 : 0); }

    // True when k was not present before.
    bool insert(const Key& k) {
        if (k == empty_) return insert_empty_key();
        if (2 * (size_ + 1) > keys_.size()) rehash(2 * keys_.size());
        return insert_hashed(k, hash_key(k));
    }

    bool contains(const Key& k) const noexcept {
        if (k == empty_) return has_empty_key_;
        std::size_t i = hash_key(k) & mask_;
        while (!(keys_[i] == empty_)) {
            if (keys_[i] == k) return true;
            i = (i + 1) & mask_;
        }
        return false;
    }

    // Inserts count keys, hashing a block ahead and prefetching its slots.
    void insert_many(const Key* keys, std::size_t count) {
        constexpr std::size_t block = 32;
        std::uint64_t h[block];
        for (std::size_t start = 0; start < count; start += block) {
            const std::size_t m = count - start < block ? count - start : block;
            if (2 * (size_ + m) > keys_.size()) rehash(table_capacity_for(size_ + m));
            for (std::size_t j = 0; j < m; ++j) {
                h[j] = hash_key(keys[start + j]);
                prefetch_for_write(&keys_[h[j] & mask_]);
            }
            for (std::size_t j = 0; j < m; ++j) {
                const Key& k = keys[start + j];
                if (k == empty_) {
                    insert_empty_key();
                } else {
                    insert_hashed(k, h[j]);
                }
            }
        }
    }

    template <class F>
    void for_each(F&& f) const {
        if (has_empty_key_) f(empty_);
        for (const Key& k : keys_) {
            if (!(k == empty_)) f(k);
        }
    }

    void clear() {
        keys_.assign(16, empty_);
        mask_ = 15;
        size_ = 0;
        has_empty_key_ = false;
    }

private:
    bool insert_empty_key() noexcept {
        const bool fresh = !has_empty_key_;
        has_empty_key_ = true;
        return fresh;
    }
    bool insert_hashed(const Key& k, std::uint64_t h) {
        std::size_t i = h & mask_;
        while (!(keys_[i] == empty_)) {
            if (keys_[i] == k) return false;
            i = (i + 1) & mask_;
        }
        keys_[i] = k;
        ++size_;
        return true;
    }
    void rehash(std::size_t capacity) {
        std::vector<Key> old(capacity, empty_);
        old.swap(keys_);
        mask_ = capacity - 1;
        size_ = 0;
        for (const Key& k : old) {
            if (!(k == empty_)) insert_hashed(k, hash_key(k));
        }
    }

    Key empty_ = empty_key<Key>();
    std::vector<Key> keys_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;  // keys in the array (the empty key aside)
    bool has_empty_key_ = false;
};

template <class Key, class Value>
class flat_map {
public:
    explicit flat_map(std::size_t expected = 0) { rehash(table_capacity_for(expected)); }

    std::size_t size() const noexcept { return size_ + (has_empty_key_ ? 1 : 0); }

    // The value stored for k, value-initialised on first use.
    Value& operator[](const Key& k) { return get_hashed(k, hash_key(k)); }

    const Value* find(const Key& k) const noexcept { return find_hashed(k, hash_key(k)); }
    // The same with h = hash_key(k) computed by the caller.
    const Value* find_hashed(const Key& k, std::uint64_t h) const noexcept {
        if (k == empty_) return has_empty_key_ ? &empty_value_ : nullptr;
        std::size_t i = h & mask_;
        while (!(slots_[i].key == empty_)) {
            if (slots_[i].key == k) return &slots_[i].value;
            i = (i + 1) & mask_;
        }
        return nullptr;
    }

    // Adds `by` to the value of each of count keys (a counting pass), with prefetching.
    void add_many(const Key* keys, std::size_t count, const Value& by) {
        constexpr std::size_t block = 32;
        std::uint64_t h[block];
        for (std::size_t start = 0; start < count; start += block) {
            const std::size_t m = count - start < block ? count - start : block;
            if (2 * (size_ + m) > slots_.size()) rehash(table_capacity_for(size_ + m));
            for (std::size_t j = 0; j < m; ++j) {
                h[j] = hash_key(keys[start + j]);
                prefetch_for_write(&slots_[h[j] & mask_]);
            }
            for (std::size_t j = 0; j < m; ++j) get_hashed(keys[start + j], h[j]) += by;
        }
    }

    void reserve(std::size_t elements) {
        if (2 * elements > slots_.size()) rehash(table_capacity_for(elements));
    }

    // operator[] with h = hash_key(k) computed by the caller.
    Value& at_hashed(const Key& k, std::uint64_t h) { return get_hashed(k, h); }
    // Prefetches the home slot of hash h, for an at_hashed soon after.
    void prefetch(std::uint64_t h) const noexcept { prefetch_for_write(&slots_[h & mask_]); }

    // f(key, value) for every entry, in table order (not sorted).
    template <class F>
    void for_each(F&& f) const {
        if (has_empty_key_) f(empty_, empty_value_);
        for (const slot& s : slots_) {
            if (!(s.key == empty_)) f(s.key, s.value);
        }
    }
    template <class F>
    void for_each_mutable(F&& f) {
        if (has_empty_key_) f(empty_, empty_value_);
        for (slot& s : slots_) {
            if (!(s.key == empty_)) f(s.key, s.value);
        }
    }

private:
    struct slot {
        Key key;
        Value value;
    };

    Value& get_hashed(const Key& k, std::uint64_t h) {
        if (k == empty_) {
            has_empty_key_ = true;
            return empty_value_;
        }
        std::size_t i = h & mask_;
        while (!(slots_[i].key == empty_)) {
            if (slots_[i].key == k) return slots_[i].value;
            i = (i + 1) & mask_;
        }
        if (2 * (size_ + 1) > slots_.size()) {
            rehash(2 * slots_.size());
            return get_hashed(k, h);
        }
        slots_[i].key = k;
        slots_[i].value = Value{};
        ++size_;
        return slots_[i].value;
    }
    using slots_t = std::vector<slot, table_allocator<slot>>;
    void rehash(std::size_t capacity) {
        slots_t old(capacity, slot{empty_, Value{}});
        old.swap(slots_);
        mask_ = capacity - 1;
        size_ = 0;
        for (slot& s : old) {
            if (!(s.key == empty_)) get_hashed(s.key, hash_key(s.key)) = std::move(s.value);
        }
    }

    Key empty_ = empty_key<Key>();
    slots_t slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
    bool has_empty_key_ = false;
    Value empty_value_{};
};

}  // namespace detail
}  // namespace collapsekit

namespace collapsekit {
namespace detail {

// A map from keys to 64-bit counts split by the top 32 bits of hash_key into 1 to 4096
// independent flat_maps. A small table has one part; a table reserved for many keys has
// at least two, so that threads can fill disjoint parts at once (add_many with keys of
// one part each), and up to 2^16 - 2^12 keys per part: a pass that fills one part at a
// time works in a table that stays in cache (a single table of 10^7 keys misses the
// caches on every key), and each part's table is 2^17 slots, whole 2 MiB pages of
// allocate_big (faulting in 4 KiB pages cost more than the counting on our VMs), about
// half full (the number of parts need not be a power of two).
// Each part receives its keys in the same order whatever the number of threads: the
// layout, and so the order of for_each, never depends on the thread count. for_each runs
// part by part, each in table order.
template <class Key>
class partitioned_counts {
public:
    static constexpr std::size_t max_parts = 4096, keys_per_part = (std::size_t{1} << 16) - (std::size_t{1} << 12);
    // Tables reserved for at least this many keys are split.
    static constexpr std::size_t split_from = std::size_t{1} << 16;

    partitioned_counts() : parts_(1) {}

    std::size_t size() const noexcept {
        std::size_t s = 0;
        for (const auto& p : parts_) s += p.size();
        return s;
    }
    std::size_t parts() const noexcept { return parts_.size(); }

    std::uint64_t& operator[](const Key& k) {
        const std::uint64_t h = hash_key(k);
        return parts_[part_of(h)].at_hashed(k, h);
    }
    const std::uint64_t* find(const Key& k) const noexcept {
        const std::uint64_t h = hash_key(k);
        return parts_[part_of(h)].find_hashed(k, h);
    }

    // Room for `elements` keys in all (splits the table first when that is many).
    void reserve(std::size_t elements) {
        split_for(elements);
        reserve(elements, 0, 1);
    }
    // The two halves of reserve, for threads: split_for first (on one thread), then
    // reserve(elements, g, groups) for every g < groups (on any threads) makes room in the
    // parts that are g modulo groups, so that the cost of fresh memory is shared.
    void split_for(std::size_t elements) {
        if (elements < split_from) return;
        // At most keys_per_part keys per part on average, so that reserve's allowance for
        // the spread still fits 2^16 keys (2^17 slots).
        const std::size_t want = std::min(max_parts, std::max<std::size_t>(2, (elements - 1) / keys_per_part + 1));
        if (want > parts_.size()) split(want);
    }
    void reserve(std::size_t elements, std::size_t g, std::size_t groups) {
        const std::size_t per = elements / parts_.size();
        // Parts get a binomial share of the keys: leave four standard deviations.
        std::size_t sd = 1;
        while (sd * sd < per) ++sd;
        // A split table's parts start at 2^16 keys (see the class comment).
        const std::size_t least = parts_.size() == 1 ? 0 : std::size_t{1} << 16;
        for (std::size_t p = g; p < parts_.size(); p += groups) {
            parts_[p].reserve(std::max(parts_[p].size() + per + 4 * sd + 16, least));
        }
    }

    // Adds `by` to the count of every key of keys[0, count), hashing a block ahead and
    // prefetching its slots.
    void add_many(const Key* keys, std::size_t count, std::uint64_t by) {
        constexpr std::size_t block = 32;
        std::uint64_t h[block];
        for (std::size_t start = 0; start < count; start += block) {
            const std::size_t m = count - start < block ? count - start : block;
            for (std::size_t j = 0; j < m; ++j) {
                h[j] = hash_key(keys[start + j]);
                parts_[part_of(h[j])].prefetch(h[j]);
            }
            for (std::size_t j = 0; j < m; ++j) parts_[part_of(h[j])].at_hashed(keys[start + j], h[j]) += by;
        }
    }

    template <class F>
    void for_each(F&& f) const {
        for (const auto& p : parts_) p.for_each(f);
    }

    // The part of hash h: its top 32 bits scaled to the number of parts (flat_map takes the
    // low bits for the slot, so the two stay independent).
    std::size_t part_of(std::uint64_t h) const noexcept {
        return static_cast<std::size_t>(((h >> 32) * parts_.size()) >> 32);
    }

private:
    // Re-spreads every key over `parts` parts (more than now), in the order for_each visits
    // them, so the new layout depends only on the old one.
    void split(std::size_t parts) {
        std::vector<flat_map<Key, std::uint64_t>> old(parts);
        old.swap(parts_);
        for (const auto& p : old) p.for_each([&](const Key& k, std::uint64_t c) { (*this)[k] += c; });
    }

    std::vector<flat_map<Key, std::uint64_t>> parts_;
};

}  // namespace detail
}  // namespace collapsekit
