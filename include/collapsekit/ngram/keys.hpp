// Packing n-grams of 32-bit ids into keys that never collide.
//
// With b bits per id (enough for the largest id present), an n-gram is the n*b-bit
// number id_0 id_1 ... id_{n-1} (id_0 most significant). That map is injective, so two
// distinct n-grams never share a key and counting needs no equality check beyond the key:
//   n * b <= 64  -> one 64-bit word (the fast path: Zipf ids below 2^16 fit up to n = 4),
//   n * b <= 128 -> one 128-bit word,
//   otherwise    -> the ids themselves (ngram_key_seq), compared in full.
// Keys of the first two kinds roll along a document: key' = (key << b | next) & mask.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "corpus.hpp"

namespace collapsekit {
namespace detail {

// 128-bit arithmetic; __extension__ keeps -Wpedantic quiet about the type.
__extension__ typedef unsigned __int128 uint128;

// The full id sequence, for n-grams too wide for 128 bits; unused positions are 0.
struct ngram_key_seq {
    std::uint32_t ids[max_ngram_order];
    friend bool operator==(const ngram_key_seq& a, const ngram_key_seq& b) noexcept {
        return std::memcmp(a.ids, b.ids, sizeof a.ids) == 0;
    }
    friend bool operator!=(const ngram_key_seq& a, const ngram_key_seq& b) noexcept { return !(a == b); }
    friend bool operator<(const ngram_key_seq& a, const ngram_key_seq& b) noexcept {
        return std::lexicographical_compare(a.ids, a.ids + max_ngram_order, b.ids, b.ids + max_ngram_order);
    }
};

// A strong 64-bit finaliser (murmur3's fmix64 constants): every input bit reaches
// every output bit, so low bits can index a power-of-two table.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

// The 32-bit counterpart (murmur3's fmix32), also a bijection: for keys of at most 32
// bits it halves the memory the distinct counter moves.
constexpr std::uint32_t mix32(std::uint32_t x) noexcept {
    x ^= x >> 16;
    x *= 0x85ebca6bU;
    x ^= x >> 13;
    x *= 0xc2b2ae35U;
    x ^= x >> 16;
    return x;
}

// mix64 or mix32 by the width of the word.
constexpr std::uint64_t mix_word(std::uint64_t x) noexcept { return mix64(x); }
constexpr std::uint32_t mix_word(std::uint32_t x) noexcept { return mix32(x); }

inline std::uint64_t hash_key(std::uint64_t k) noexcept { return mix64(k); }
inline std::uint64_t hash_key(uint128 k) noexcept {
    return mix64(static_cast<std::uint64_t>(k) ^ mix64(static_cast<std::uint64_t>(k >> 64) + 0x9e3779b97f4a7c15ULL));
}
inline std::uint64_t hash_key(const ngram_key_seq& k) noexcept {
    std::uint64_t h = 0x243f6a8885a308d3ULL;
    for (std::size_t i = 0; i < max_ngram_order; i += 2) {
        h = mix64(h ^ ((std::uint64_t{k.ids[i]} << 32) | k.ids[i + 1]));
    }
    return h;
}

// The key that marks an empty slot in the hash tables; a real n-gram may equal it,
// so the tables keep that one key aside.
template <class Key>
Key empty_key() noexcept {
    if constexpr (std::is_same_v<Key, ngram_key_seq>) {
        ngram_key_seq k;
        std::memset(k.ids, 0xFF, sizeof k.ids);
        return k;
    } else {
        return ~Key{0};
    }
}

// Packs, rolls and unpacks keys of one type for one (n, bits) pair.
template <class Key>
class key_codec {
public:
    key_codec(std::size_t n, unsigned bits) noexcept : n_(n), bits_(bits) {
        if constexpr (!std::is_same_v<Key, ngram_key_seq>) {
            const unsigned width = static_cast<unsigned>(n) * bits;
            mask_ = width >= sizeof(Key) * 8 ? ~Key{0} : ((Key{1} << width) - 1);
        }
    }
    std::size_t order() const noexcept { return n_; }
    unsigned bits() const noexcept { return bits_; }

    Key pack(const std::uint32_t* ids) const noexcept {
        if constexpr (std::is_same_v<Key, ngram_key_seq>) {
            ngram_key_seq k{};
            for (std::size_t i = 0; i < n_; ++i) k.ids[i] = ids[i];
            return k;
        } else {
            Key k = 0;
            for (std::size_t i = 0; i < n_; ++i) k = (k << bits_) | Key{ids[i]};
            return k;
        }
    }
    // The key of the n-gram one position further on, whose last id is `next`.
    Key roll(const Key& k, std::uint32_t next) const noexcept {
        if constexpr (std::is_same_v<Key, ngram_key_seq>) {
            ngram_key_seq r{};
            for (std::size_t i = 0; i + 1 < n_; ++i) r.ids[i] = k.ids[i + 1];
            r.ids[n_ - 1] = next;
            return r;
        } else {
            return ((k << bits_) | Key{next}) & mask_;
        }
    }
    void unpack(const Key& k, std::uint32_t* out) const noexcept {
        if constexpr (std::is_same_v<Key, ngram_key_seq>) {
            for (std::size_t i = 0; i < n_; ++i) out[i] = k.ids[i];
        } else {
            const Key one_id = (Key{1} << bits_) - 1;
            for (std::size_t i = 0; i < n_; ++i) {
                out[n_ - 1 - i] = static_cast<std::uint32_t>((k >> (bits_ * i)) & one_id);
            }
        }
    }

    // Calls f(key) for every n-gram of one document, in order; nothing if it is shorter than n.
    template <class F>
    void for_each(view<const std::uint32_t> doc, F&& f) const {
        if (doc.size() < n_) return;
        Key k = pack(doc.data());
        f(k);
        for (std::size_t i = n_; i < doc.size(); ++i) {
            k = roll(k, doc[i]);
            f(k);
        }
    }

private:
    std::size_t n_;
    unsigned bits_;
    Key mask_{};
};

// out[i] = the packed key of the N ids starting at tokens[i] (passed through mix_word
// when Mix), for i < positions, ignoring document boundaries: the caller skips the
// positions whose n-gram crosses one. No loop-carried state (unlike key_codec::roll),
// so the compiler vectorises it; Word must hold N * bits bits.
template <class Word, std::size_t N, bool Mix>
void pack_positions(const std::uint32_t* tokens, std::size_t positions, unsigned bits, Word* out) noexcept {
    for (std::size_t i = 0; i < positions; ++i) {
        Word k = tokens[i];
        for (std::size_t j = 1; j < N; ++j) k = static_cast<Word>((k << bits) | tokens[i + j]);
        out[i] = Mix ? mix_word(k) : k;
    }
}

// The same for an order n known only at run time (First..max_ngram_order).
template <class Word, bool Mix, std::size_t First = 1>
void pack_positions(std::size_t n, const std::uint32_t* tokens, std::size_t positions, unsigned bits,
                    Word* out) noexcept {
    if constexpr (First < max_ngram_order) {
        if (n != First) return pack_positions<Word, Mix, First + 1>(n, tokens, positions, bits, out);
    }
    pack_positions<Word, First, Mix>(tokens, positions, bits, out);
}

// Calls f(first, count) for every run of n-gram start positions (indices into
// c.tokens()) in [p0, p1) whose n-grams lie inside one document, in increasing order:
// the n-grams at first, ..., first + count - 1. Splitting the positions of a corpus into
// ranges this way cuts it for threads without regard to document lengths.
template <class F>
void for_each_ngram_run(const corpus& c, std::size_t n, std::size_t p0, std::size_t p1, F&& f) {
    const auto& off = c.offsets();
    if (p0 >= p1 || p0 >= c.size()) return;
    // The document holding position p0: the last d with off[d] <= p0.
    std::size_t d = static_cast<std::size_t>(std::upper_bound(off.begin(), off.end(), p0) - off.begin()) - 1;
    for (; d < c.documents() && off[d] < p1; ++d) {
        if (off[d + 1] - off[d] < n) continue;
        const std::size_t b = std::max(off[d], p0), e = std::min(off[d + 1] - n + 1, p1);
        if (b < e) f(b, e - b);
    }
}

enum class key_kind { word64, word128, sequence };

constexpr key_kind choose_key_kind(std::size_t n, unsigned bits) noexcept {
    const std::size_t width = n * bits;
    return width <= 64 ? key_kind::word64 : width <= 128 ? key_kind::word128 : key_kind::sequence;
}

// Calls f(key_codec<K>(n, bits)) with the narrowest collision-free key type K.
template <class F>
decltype(auto) with_key_codec(std::size_t n, unsigned bits, F&& f) {
    switch (choose_key_kind(n, bits)) {
        case key_kind::word64:
            return f(key_codec<std::uint64_t>(n, bits));
        case key_kind::word128:
            return f(key_codec<uint128>(n, bits));
        default:
            return f(key_codec<ngram_key_seq>(n, bits));
    }
}

// Sorts (key, count) pairs by key, stably, for keys below 2^key_bits: LSD radix passes
// of 11 bits over the key's used bits (a 2-id key of 10-bit ids: 2 passes), where
// std::sort's comparisons took 3x as long on the million entries of a bigram table.
inline void radix_sort_by_key(std::vector<std::pair<std::uint64_t, std::uint64_t>>& items, unsigned key_bits) {
    constexpr unsigned digit = 11;
    constexpr std::size_t buckets = std::size_t{1} << digit;
    if (items.size() < 4096) {
        std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        return;
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> other(items.size());
    std::vector<std::size_t> start(buckets);
    for (unsigned shift = 0; shift < std::min(key_bits, 64u); shift += digit) {
        std::fill(start.begin(), start.end(), 0);
        for (const auto& it : items) ++start[(it.first >> shift) & (buckets - 1)];
        std::size_t at = 0;
        for (auto& b : start) {
            const std::size_t c = b;
            b = at;
            at += c;
        }
        for (const auto& it : items) other[start[(it.first >> shift) & (buckets - 1)]++] = it;
        items.swap(other);
    }
}

}  // namespace detail
}  // namespace collapsekit
