// Lexical-diversity measures on token-id corpora: distinct-n, repetition rate, novelty,
// type-token ratio, MATTR, MTLD and the Zipf exponent.
//
// Every measure works per document: n-grams and windows never span a document
// boundary, and a document shorter than n (or than the window) contributes nothing.
// Definitions are stated above each function and in docs/ngram.md.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../core/big_buffer.hpp"
#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../core/parallel.hpp"
#include "corpus.hpp"
#include "counts.hpp"
#include "flat_hash.hpp"
#include "keys.hpp"

namespace collapsekit {

// How distinct_n averages: `corpus` pools every n-gram of every document (micro
// average); `document` averages the per-document ratios (macro average).
enum class distinct_average { corpus, document };

namespace detail {

// Inserts into set every n-gram key of c for which keep(key) holds, a chunk at a time.
template <class Key, class Keep>
void insert_keys(flat_set<Key>& set, const corpus& c, const key_codec<Key>& codec, Keep&& keep) {
    constexpr std::size_t chunk = 512;
    Key buf[chunk];
    std::size_t used = 0;
    for (std::size_t d = 0; d < c.documents(); ++d) {
        codec.for_each(c.document(d), [&](const Key& k) {
            if (!keep(k)) return;
            buf[used++] = k;
            if (used == chunk) {
                set.insert_many(buf, used);
                used = 0;
            }
        });
    }
    set.insert_many(buf, used);
}

// Calls f(codec, set) once, having inserted every n-gram key of c into set.
template <class F>
decltype(auto) with_distinct_set(const corpus& c, std::size_t n, unsigned bits, F&& f) {
    return with_key_codec(n, bits, [&](auto codec) -> decltype(auto) {
        using Key = decltype(codec.pack(nullptr));
        flat_set<Key> set;
        insert_keys(set, c, codec, [](const Key&) { return true; });
        return f(codec, set);
    });
}

// Calls f(key) for every n-gram starting at a position in [q0, q1) of c, in order, Word
// keys packed by pack_positions<Word, Mix> a block of positions at a time (vectorised
// across document boundaries, and read back from L1); positions whose n-gram crosses a
// boundary are skipped. q1 <= c.size() - n + 1.
template <class Word, bool Mix, class F>
void for_each_packed_range(const corpus& c, std::size_t n, unsigned bits, std::size_t q0, std::size_t q1, F&& f) {
    if (c.size() < n || q0 >= q1) return;
    constexpr std::size_t block = 2048;
    Word keys[block];
    const std::size_t docs = c.documents();
    const std::size_t* off = c.offsets().data();
    // The document holding q0: the last d with off[d] <= q0.
    std::size_t d =
        static_cast<std::size_t>(std::upper_bound(c.offsets().begin(), c.offsets().end(), q0) - c.offsets().begin()) -
        1;
    for (std::size_t p0 = q0; p0 < q1; p0 += block) {
        const std::size_t p1 = std::min(q1, p0 + block);
        pack_positions<Word, Mix>(n, c.tokens().data() + p0, p1 - p0, bits, keys);
        for (; d < docs; ++d) {
            if (off[d + 1] - off[d] < n) continue;       // no n-gram
            const std::size_t end = off[d + 1] - n + 1;  // past the document's last n-gram
            for (std::size_t i = std::max(off[d], p0); i < std::min(end, p1); ++i) f(keys[i - p0]);
            if (end > p1) break;  // the document goes on in the next block
        }
    }
}

// The same over every n-gram of c.
template <class Word, bool Mix, class F>
void for_each_packed(const corpus& c, std::size_t n, unsigned bits, F&& f) {
    if (c.size() >= n) for_each_packed_range<Word, Mix>(c, n, bits, 0, c.size() - n + 1, f);
}

inline unsigned popcount64(std::uint64_t w) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    return static_cast<unsigned>(__builtin_popcountll(w));
#else
    w = w - ((w >> 1) & 0x5555555555555555ULL);
    w = (w & 0x3333333333333333ULL) + ((w >> 2) & 0x3333333333333333ULL);
    w = (w + (w >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<unsigned>((w * 0x0101010101010101ULL) >> 56);
#endif
}

// Distinct n-grams whose keys fit in n * bits <= 26 bits, by marking every key in a
// map of all possible keys and counting the marks at the end: no load, compare or
// branch per n-gram (and no chain through memory when a frequent key repeats).
// Up to 2^20 keys the map holds a byte per key (plain stores), beyond that a bit
// (at most 8 MiB).
inline std::size_t count_distinct_dense(const corpus& c, std::size_t n, unsigned bits) {
    const std::size_t width = n * bits;
    auto each_key = [&](auto&& f) {
        if (n == 1) {  // every token is a unigram, whatever the documents
            for (std::uint32_t t : c.tokens()) f(t);
        } else {
            for_each_packed<std::uint32_t, false>(c, n, bits, f);
        }
    };
    std::size_t distinct = 0;
    if (width <= 20) {
        std::vector<unsigned char> seen(std::size_t{1} << width, 0);
        each_key([&seen](std::uint32_t k) { seen[k] = 1; });
        for (unsigned char s : seen) distinct += s;
    } else {
        std::vector<std::uint64_t> seen((std::size_t{1} << width) / 64, 0);
        each_key([&seen](std::uint32_t k) { seen[k >> 6] |= std::uint64_t{1} << (k & 63); });
        for (std::uint64_t w : seen) distinct += static_cast<std::size_t>(popcount64(w));
    }
    return distinct;
}

// The table size in which one leaf of m hashes is deduplicated: four slots per hash while
// that fits in L1 (few hashes meet another at home), two beyond.
template <class Word>
std::size_t leaf_table_size(std::size_t m) noexcept {
    std::size_t cap = 16;
    while (cap < 4 * m && cap * sizeof(Word) < 32768) cap *= 2;
    while (cap < 2 * m) cap *= 2;
    return cap;
}

// Distinct values among the m nonzero hashes p[0, m), in `table` (at least
// leaf_table_size(m) + m + 1 slots, overwritten) with `collided` (m slots) aside: a
// branch-free pass settles every hash whose home slot (its low bits) is empty or holds
// it; the few that met another hash there are probed linearly afterwards, running on
// past the end of the table instead of wrapping (by at most one slot per hash).
template <class Word>
std::size_t distinct_in_leaf(const Word* p, std::size_t m, Word* table, Word* collided) noexcept {
    const std::size_t cap = leaf_table_size<Word>(m), mask = cap - 1;
    std::fill(table, table + cap + m + 1, Word{0});
    std::size_t distinct = 0, late = 0;
    for (std::size_t j = 0; j < m; ++j) {
        const Word h = p[j];
        const std::size_t home = static_cast<std::size_t>(h) & mask;
        const Word cur = table[home];
        const bool empty = cur == 0;
        table[home] = empty ? h : cur;
        distinct += empty;
        collided[late] = h;
        late += !empty & (cur != h);
    }
    // A hash that met another at home was never stored at home, so it is looked for from
    // home + 1 on; slots only fill, so once stored it is always found.
    for (std::size_t j = 0; j < late; ++j) {
        const Word h = collided[j];
        std::size_t slot = (static_cast<std::size_t>(h) & mask) + 1;
        while (table[slot] != 0 && table[slot] != h) ++slot;
        distinct += table[slot] == 0;
        table[slot] = h;
    }
    return distinct;
}

// The `take` bits of h below its top `skip` bits (0 when take is 0).
template <class Word>
std::size_t hash_digit(Word h, unsigned skip, unsigned take) noexcept {
    constexpr unsigned word_bits = sizeof(Word) * 8;
    return take == 0 ? 0 : static_cast<std::size_t>(static_cast<Word>(h << skip) >> (word_bits - take));
}

// Distinct n-grams whose keys fit in one Word (uint32_t or uint64_t), exactly, for
// small inputs (count_distinct_partitioned is the path for large ones):
//  1. the keys of a block of positions, passed through mix_word, are computed over the
//     flat token array (vectorised); mix_word is a bijection, so distinct keys keep
//     distinct hashes and the hashes can be counted instead of the keys;
//  2. a direct-mapped filter of 2^14 slots drops a hash equal to the one last seen in its
//     slot (a repeat of something already kept: Zipf text repeats its frequent n-grams
//     over and over); the rest are kept and counted per bucket of their top bits.
//     Positions whose n-gram crosses a document boundary are skipped here;
//  3. the survivors are scattered into buckets of about 2^11 (2^10 for 64-bit words);
//  4. each bucket is deduplicated in L1 (distinct_in_leaf).
// The hash 0 marks empty slots, so it is counted aside. Memory: two Words per n-gram.
template <class Word>
std::size_t count_distinct_hashed(const corpus& c, std::size_t n, unsigned bits, std::size_t total) {
    constexpr unsigned bucket_log2 = sizeof(Word) == 4 ? 11 : 10, filter_log2 = 14;
    unsigned b = 0;  // log2 of the number of buckets
    while (b < 12 && (total >> (b + bucket_log2)) != 0) ++b;
    const std::size_t buckets = std::size_t{1} << b;
    auto bucket_of = [b](Word h) { return hash_digit(h, 0, b); };

    unsigned f_log2 = 4;
    while (f_log2 < filter_log2 && (std::size_t{1} << f_log2) < total) ++f_log2;
    std::vector<Word> filter(std::size_t{1} << f_log2, 0);  // 0 never passes for a repeat: see below
    const std::size_t filter_mask = filter.size() - 1;
    bool has_zero = false;
    std::vector<std::size_t> start(buckets + 1, 0);
    std::size_t* count = start.data() + 1;
    std::size_t kept = 0;
    // Left uninitialised: only the pages the survivors reach are ever touched.
    std::unique_ptr<Word[]> survivors(new Word[total]);
    for_each_packed<Word, true>(c, n, bits, [&](Word h) {
        Word& seen = filter[h & filter_mask];
        const bool fresh = (seen != h) & (h != 0);
        has_zero |= h == 0;
        seen = h;
        survivors[kept] = h;  // overwritten by the next one unless fresh
        kept += fresh;
        count[bucket_of(h)] += fresh;
    });
    for (std::size_t i = 0; i < buckets; ++i) start[i + 1] += start[i];
    std::unique_ptr<Word[]> part(new Word[kept]);
    {
        std::vector<std::size_t> next(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < kept; ++i) part[next[bucket_of(survivors[i])]++] = survivors[i];
    }
    survivors.reset();

    std::size_t largest = 0;
    for (std::size_t i = 0; i < buckets; ++i) largest = std::max(largest, start[i + 1] - start[i]);
    std::vector<Word> table(leaf_table_size<Word>(largest) + largest + 1);
    std::vector<Word> collided(largest);
    std::size_t distinct = has_zero ? 1 : 0;
    for (std::size_t i = 0; i < buckets; ++i) {
        distinct += distinct_in_leaf(part.get() + start[i], start[i + 1] - start[i], table.data(), collided.data());
    }
    return distinct;
}

// The share [begin, end) of `positions` of worker w of `workers`.
inline std::pair<std::size_t, std::size_t> worker_share(std::size_t positions, std::size_t w, std::size_t workers) {
    return {positions * w / workers, positions * (w + 1) / workers};
}

// The memory count_distinct_partitioned reuses from call to call on one thread: on 1e8
// n-grams its blocks take 800 MB, whose fresh pages would cost more to fault in (about
// 7 us per 4 KiB page on the VMs we measure on) than the counting itself.
struct distinct_workspace {
    reusable_buffer blocks;
    std::vector<std::unique_ptr<reusable_buffer>> scratch;  // one per worker

    reusable_buffer& worker_scratch(std::size_t w) { return *scratch[w]; }
    void reserve_workers(std::size_t workers) {
        while (scratch.size() < workers) scratch.push_back(std::make_unique<reusable_buffer>());
    }
    void release() noexcept {
        blocks.release();
        for (auto& s : scratch) s->release();
    }
};

inline distinct_workspace& thread_distinct_workspace() {
    thread_local distinct_workspace w;
    return w;
}

// Distinct n-grams whose keys fit in one Word, exactly, at a cost per n-gram that does not
// grow with the input (no table that outgrows the caches, no fresh memory per call):
//  1. each worker takes an equal share of the n-gram positions, packs and mixes their
//     keys as count_distinct_hashed does (mix_word is a bijection: distinct keys, distinct
//     hashes), drops repeats with a direct-mapped filter, and scatters the rest by the
//     top b1 <= 8 bits of the hash into 2^b1 partitions: each partition is a chain of
//     blocks of 1024 hashes taken from the worker's region of a reused buffer, so a
//     single pass over the corpus suffices and at most 256 write streams are open;
//  2. each partition (in parallel) is scattered by its next b2 hash bits into leaves of
//     about 2^11 hashes (2^10 for 64-bit words) in a scratch buffer that stays in cache,
//     and every leaf is deduplicated in L1 (distinct_in_leaf).
// Every distinct hash lands in exactly one leaf, so the leaves' counts add up to the
// exact answer for any number of workers. The hash 0 (the all-zero n-gram) marks empty
// slots and is counted aside. Memory: one Word per n-gram position plus 1024 Words per
// partition and worker, kept by the calling thread (release_ngram_workspace frees it).
template <class Word>
std::size_t count_distinct_partitioned(std::size_t workers, const corpus& c, std::size_t n, unsigned bits,
                                       std::size_t total) {
    constexpr unsigned leaf_log2 = sizeof(Word) == 4 ? 11 : 10, max_fanout_log2 = 8;
    constexpr std::size_t block = 1024, filter_size = std::size_t{1} << 14;
    unsigned b1 = 0;
    while (b1 < max_fanout_log2 && (total >> (b1 + leaf_log2)) != 0) ++b1;
    const std::size_t parts = std::size_t{1} << b1;
    const std::size_t positions = c.size() - n + 1;

    // Worker w's blocks: [first_block[w], first_block[w + 1]); it fills at most one block
    // per `block` fresh hashes plus one partly filled block per partition.
    std::vector<std::size_t> first_block(workers + 1, 0);
    for (std::size_t w = 0; w < workers; ++w) {
        const auto share = worker_share(positions, w, workers);
        first_block[w + 1] = first_block[w] + (share.second - share.first) / block + parts + 1;
    }
    distinct_workspace& ws = thread_distinct_workspace();
    ws.reserve_workers(workers);
    Word* const blocks = ws.blocks.get<Word>(first_block[workers] * block);
    // chain[w * parts + p]: the blocks of partition p filled by worker w, in order; every
    // one is full but the last, which holds fill[w * parts + p] hashes.
    std::vector<std::vector<std::uint32_t>> chain(workers * parts);
    std::vector<std::size_t> fill(workers * parts, 0);
    std::vector<unsigned char> zero(workers, 0);

    parallel_for_workers(workers, workers, [&](std::size_t w, std::size_t) {
        const auto share = worker_share(positions, w, workers);
        std::size_t next_block = first_block[w];
        std::vector<Word*> cur(parts);
        std::vector<std::size_t> used(parts, 0);
        for (std::size_t p = 0; p < parts; ++p) {
            chain[w * parts + p].push_back(static_cast<std::uint32_t>(next_block));
            cur[p] = blocks + next_block++ * block;
        }
        std::vector<Word> filter(filter_size, 0);  // 0 never passes for a repeat
        bool has_zero = false;
        for_each_packed_range<Word, true>(c, n, bits, share.first, share.second, [&](Word h) {
            Word& seen = filter[h & (filter_size - 1)];
            const bool fresh = (seen != h) & (h != 0);
            has_zero |= h == 0;
            seen = h;
            const std::size_t p = hash_digit(h, 0, b1);
            // Written whether fresh or not (no branch): a repeat is overwritten by the
            // next fresh hash, and `used` stays below `block` between calls.
            cur[p][used[p]] = h;
            used[p] += fresh;
            if (used[p] == block) {
                chain[w * parts + p].push_back(static_cast<std::uint32_t>(next_block));
                cur[p] = blocks + next_block++ * block;
                used[p] = 0;
            }
        });
        for (std::size_t p = 0; p < parts; ++p) fill[w * parts + p] = used[p];
        zero[w] = has_zero;
    });

    std::vector<std::size_t> distinct(workers, 0);
    parallel_for_workers(std::min(workers, parts), parts, [&](std::size_t p, std::size_t w) {
        // Calls f(first, count) for every run of hashes of partition p.
        auto each_run = [&](auto&& f) {
            for (std::size_t v = 0; v < workers; ++v) {
                const auto& ch = chain[v * parts + p];
                for (std::size_t k = 0; k < ch.size(); ++k) {
                    f(blocks + std::size_t{ch[k]} * block, k + 1 < ch.size() ? block : fill[v * parts + p]);
                }
            }
        };
        std::size_t m = 0;
        each_run([&](const Word*, std::size_t count) { m += count; });
        if (m == 0) return;
        unsigned b2 = 0;
        while (b1 + b2 < 24 && (m >> (b2 + leaf_log2)) != 0) ++b2;
        const std::size_t leaves = std::size_t{1} << b2;
        std::vector<std::size_t> start(leaves + 1, 0);
        if (b2 == 0) {
            start[1] = m;
        } else {
            each_run([&](const Word* h, std::size_t count) {
                for (std::size_t j = 0; j < count; ++j) ++start[hash_digit(h[j], b1, b2) + 1];
            });
            for (std::size_t i = 0; i < leaves; ++i) start[i + 1] += start[i];
        }
        std::size_t largest = 0;
        for (std::size_t i = 0; i < leaves; ++i) largest = std::max(largest, start[i + 1] - start[i]);
        // Scratch: the partition's hashes by leaf, then a leaf's table, then its collisions.
        Word* sorted = ws.worker_scratch(w).get<Word>(m + leaf_table_size<Word>(largest) + 2 * largest + 1);
        Word* table = sorted + m;
        Word* collided = table + leaf_table_size<Word>(largest) + largest + 1;
        if (b2 == 0) {
            std::size_t at = 0;
            each_run([&](const Word* h, std::size_t count) {
                std::copy(h, h + count, sorted + at);
                at += count;
            });
        } else {
            std::vector<std::size_t> next(start.begin(), start.end() - 1);
            each_run([&](const Word* h, std::size_t count) {
                for (std::size_t j = 0; j < count; ++j) sorted[next[hash_digit(h[j], b1, b2)]++] = h[j];
            });
        }
        for (std::size_t i = 0; i < leaves; ++i) {
            distinct[w] += distinct_in_leaf(sorted + start[i], start[i + 1] - start[i], table, collided);
        }
    });
    std::size_t sum = 0;
    for (std::size_t d : distinct) sum += d;
    for (unsigned char z : zero) {
        if (z != 0) return sum + 1;
    }
    return sum;
}

// Number of distinct n-grams of c, choosing the method by key width and size: a map of
// all keys when n * bits <= 26; up to 64 bits, count_distinct_hashed while its hashes
// take at most hashed_bytes (1 MiB: its buffers are allocated per call, which costs
// little while they are small), count_distinct_partitioned beyond (reused buffers, a
// cost per n-gram that does not grow with the corpus); wider keys go to a flat hash set.
// total is c.ngram_total(n), which the callers have at hand.
inline std::size_t count_distinct(const corpus& c, std::size_t n, unsigned bits, std::size_t total,
                                  std::size_t hashed_bytes = std::size_t{1} << 20) {
    if (total == 0) return 0;
    if (n * bits <= 26) return count_distinct_dense(c, n, bits);
    if (choose_key_kind(n, bits) == key_kind::word64) {
        const bool narrow = n * bits <= 32;
        const std::size_t word = narrow ? 4 : 8;
        if (total * word <= hashed_bytes) {
            return narrow ? count_distinct_hashed<std::uint32_t>(c, n, bits, total)
                          : count_distinct_hashed<std::uint64_t>(c, n, bits, total);
        }
        return narrow ? count_distinct_partitioned<std::uint32_t>(1, c, n, bits, total)
                      : count_distinct_partitioned<std::uint64_t>(1, c, n, bits, total);
    }
    return with_distinct_set(c, n, bits, [](const auto&, const auto& set) { return set.size(); });
}

// The threaded counterparts of count_distinct. The answer is an exact integer, so how
// the work is split cannot change it; each thread takes an equal share of the n-gram
// positions, `workers` >= 2.

// Keys of n * bits <= 26 bits: one bit map of all keys, cut into equal ranges of whole
// words, one per thread; each thread reads every n-gram and marks those of its range
// (branch-free: the others land in a word of its own), then counts its marks.
inline std::size_t count_distinct_dense(std::size_t workers, const corpus& c, std::size_t n, unsigned bits) {
    const std::size_t words = std::max<std::size_t>(1, (std::size_t{1} << (n * bits)) / 64);
    workers = std::min(workers, words);
    const std::size_t positions = c.size() - n + 1;
    std::vector<std::uint64_t> seen(words, 0);
    std::vector<std::size_t> distinct(workers, 0);
    parallel_for_workers(workers, workers, [&](std::size_t w, std::size_t) {
        const auto range = worker_share(words, w, workers);
        const std::uint32_t lo = static_cast<std::uint32_t>(range.first),
                            width = static_cast<std::uint32_t>(range.second - range.first);
        std::uint64_t elsewhere = 0;
        std::uint64_t* mine = seen.data() + range.first;
        for_each_packed_range<std::uint32_t, false>(c, n, bits, 0, positions, [&](std::uint32_t k) {
            const std::uint32_t word = (k >> 6) - lo;  // wraps around below lo
            std::uint64_t* target = word < width ? mine + word : &elsewhere;
            *target |= std::uint64_t{1} << (k & 63);
        });
        for (std::size_t i = 0; i < width; ++i) distinct[w] += popcount64(mine[i]);
    });
    std::size_t sum = 0;
    for (std::size_t d : distinct) sum += d;
    return sum;
}

// Wider keys: thread g keeps the keys whose hash is g modulo the threads in its own set.
inline std::size_t count_distinct_grouped(std::size_t workers, const corpus& c, std::size_t n, unsigned bits) {
    return with_key_codec(n, bits, [&](auto codec) {
        using Key = decltype(codec.pack(nullptr));
        std::vector<std::size_t> distinct(workers, 0);
        parallel_for_workers(workers, workers, [&](std::size_t g, std::size_t) {
            flat_set<Key> set;
            insert_keys(set, c, codec, [&](const Key& k) { return (hash_key(k) >> 32) % workers == g; });
            distinct[g] = set.size();
        });
        std::size_t sum = 0;
        for (std::size_t d : distinct) sum += d;
        return sum;
    });
}

// count_distinct on up to ex's threads (the same integer for every count).
inline std::size_t count_distinct(const execution& ex, const corpus& c, std::size_t n, unsigned bits,
                                  std::size_t total) {
    const std::size_t workers = ex.workers(total, std::size_t{1} << 17);
    if (workers <= 1 || total == 0) return count_distinct(c, n, bits, total);
    if (n * bits <= 26) return count_distinct_dense(workers, c, n, bits);
    if (choose_key_kind(n, bits) == key_kind::word64) {
        return n * bits <= 32 ? count_distinct_partitioned<std::uint32_t>(workers, c, n, bits, total)
                              : count_distinct_partitioned<std::uint64_t>(workers, c, n, bits, total);
    }
    return count_distinct_grouped(workers, c, n, bits);
}

// Number of distinct n-grams of one document, by sorting its keys (`scratch` is reused).
template <class Key>
std::size_t distinct_in_document(const key_codec<Key>& codec, view<const std::uint32_t> doc,
                                 std::vector<Key>& scratch) {
    scratch.clear();
    codec.for_each(doc, [&](const Key& k) { scratch.push_back(k); });
    std::sort(scratch.begin(), scratch.end());
    return static_cast<std::size_t>(std::unique(scratch.begin(), scratch.end()) - scratch.begin());
}

// The number of distinct n-grams of every document (0 for those shorter than n), in
// blocks of documents spread over ex's threads.
inline std::vector<std::size_t> distinct_per_document(const execution& ex, const corpus& c, std::size_t n,
                                                      unsigned bits) {
    std::vector<std::size_t> out(c.documents(), 0);
    constexpr std::size_t block = 256;  // documents per work item
    const std::size_t blocks = chunk_count(c.documents(), block);
    with_key_codec(n, bits, [&](auto codec) {
        using Key = decltype(codec.pack(nullptr));
        const std::size_t workers = ex.workers(c.size(), std::size_t{1} << 16);
        std::vector<std::vector<Key>> scratch(std::min(workers, std::max<std::size_t>(1, blocks)));
        parallel_for_workers(scratch.size(), blocks, [&](std::size_t b, std::size_t w) {
            for (std::size_t d = b * block; d < std::min(c.documents(), (b + 1) * block); ++d) {
                if (c.document_length(d) >= n) out[d] = distinct_in_document(codec, c.document(d), scratch[w]);
            }
        });
    });
    return out;
}

}  // namespace detail

// Frees the memory the calling thread keeps between calls for counting the distinct
// n-grams of large corpora (about one word per n-gram of the largest corpus counted so
// far; reusing it spares later calls the cost of faulting in fresh pages).
inline void release_ngram_workspace() noexcept { detail::thread_distinct_workspace().release(); }

// Number of distinct n-grams of order n in c (documents respected). Throws
// std::invalid_argument for n outside 1..8 or an empty corpus (no documents, or no tokens:
// "corpus is empty", as every n-gram measure says); a corpus whose documents are all
// shorter than n has no n-gram and gives 0 (a count, where the ratios such as distinct_n
// throw: they would divide by 0). The execution overload counts on up to ex's threads
// (an exact count: the same for every number).
inline std::size_t distinct_ngrams(const execution& ex, const corpus& c, std::size_t n) {
    constexpr const char* fn = "distinct_ngrams";
    detail::check_ngram_order(fn, n);
    require(c.documents() != 0 && !c.empty(), fn, "corpus is empty");
    return detail::count_distinct(ex, c, n, detail::bits_for_max_id(c.max_id()), c.ngram_total(n));
}
inline std::size_t distinct_ngrams(const corpus& c, std::size_t n) { return distinct_ngrams(sequential, c, n); }

// distinct-n (Li et al. 2016), a ratio in (0, 1]:
//   corpus   (default): number of distinct n-grams / number of n-grams, pooled over documents;
//   document: the mean over documents with at least n tokens of that ratio per document.
// Throws std::invalid_argument for n outside 1..8, an empty corpus, or a corpus
// without any n-gram of order n. The execution overload runs on up to ex's threads: the
// corpus average divides exact counts, and the document average computes each
// document's ratio alone and sums them in document order, so both are the same, bit
// for bit, for every thread count.
inline double distinct_n(const execution& ex, const corpus& c, std::size_t n,
                         distinct_average average = distinct_average::corpus) {
    constexpr const char* fn = "distinct_n";
    const std::size_t total = detail::require_ngrams(fn, c, n);
    const unsigned bits = detail::bits_for_max_id(c.max_id());
    if (average == distinct_average::corpus) {
        const std::size_t unique = detail::count_distinct(ex, c, n, bits, total);
        return static_cast<double>(unique) / static_cast<double>(total);
    }
    const std::vector<std::size_t> unique = detail::distinct_per_document(ex, c, n, bits);
    compensated_sum s;
    std::size_t docs = 0;
    for (std::size_t d = 0; d < c.documents(); ++d) {
        const std::size_t len = c.document_length(d);
        if (len < n) continue;
        s += static_cast<double>(unique[d]) / static_cast<double>(len - n + 1);
        ++docs;
    }
    return s.value() / static_cast<double>(docs);
}
inline double distinct_n(const corpus& c, std::size_t n, distinct_average average = distinct_average::corpus) {
    return distinct_n(sequential, c, n, average);
}

// Type-token ratio of the whole corpus: distinct tokens / tokens (= distinct_n(c, 1)).
inline double type_token_ratio(const corpus& c) {
    detail::require_ngrams("type_token_ratio", c, 1);
    return distinct_n(c, 1);
}

// Repetition rate: the share of n-gram occurrences that repeat an n-gram seen earlier
// in the same document, sum_d (total_d - distinct_d) / sum_d total_d, in [0, 1).
// (An n-gram that occurs in two documents once each is not a repetition.)
// Throws std::invalid_argument as distinct_n does. The execution overload runs on up to
// ex's threads (exact counts: the same result for every number).
inline double repetition_rate(const execution& ex, const corpus& c, std::size_t n) {
    const std::size_t total = detail::require_ngrams("repetition_rate", c, n);
    const std::vector<std::size_t> unique =
        detail::distinct_per_document(ex, c, n, detail::bits_for_max_id(c.max_id()));
    std::size_t repeated = 0;
    for (std::size_t d = 0; d < c.documents(); ++d) {
        const std::size_t len = c.document_length(d);
        if (len >= n) repeated += (len - n + 1) - unique[d];
    }
    return static_cast<double>(repeated) / static_cast<double>(total);
}
inline double repetition_rate(const corpus& c, std::size_t n) { return repetition_rate(sequential, c, n); }

// Novelty of generated text against a reference corpus, for one order n.
struct novelty_result {
    double tokens = 0;         // share of generated n-gram occurrences absent from the reference
    double types = 0;          // share of distinct generated n-grams absent from the reference
    std::size_t total = 0;     // generated n-gram occurrences
    std::size_t distinct = 0;  // distinct generated n-grams
};

// Novelty: which share of what was generated never occurs in the reference corpus
// (both counted per document, no n-gram spanning a boundary). tokens weighs each
// occurrence, types each distinct n-gram once. A reference without n-grams of order n
// makes everything novel (1, 1). Throws std::invalid_argument for n outside 1..8, an
// empty generated or reference corpus, or a generated corpus without n-grams.
inline novelty_result novelty(const corpus& generated, const corpus& reference, std::size_t n) {
    constexpr const char* fn = "novelty";
    const std::size_t total = detail::require_ngrams(fn, generated, n, "generated");
    require(reference.documents() != 0 && !reference.empty(), fn, "reference is empty");
    const unsigned bits = detail::bits_for_max_id(std::max(generated.max_id(), reference.max_id()));
    return detail::with_distinct_set(reference, n, bits, [&](const auto& codec, const auto& ref) {
        using Key = decltype(codec.pack(nullptr));
        detail::flat_set<Key> seen;
        std::size_t novel_tokens = 0, novel_types = 0;
        for (std::size_t d = 0; d < generated.documents(); ++d) {
            codec.for_each(generated.document(d), [&](const Key& k) {
                if (ref.contains(k)) return;
                ++novel_tokens;
                if (seen.insert(k)) ++novel_types;
            });
        }
        const std::size_t distinct = detail::count_distinct(generated, n, bits, total);
        novelty_result r;
        r.total = total;
        r.distinct = distinct;
        r.tokens = static_cast<double>(novel_tokens) / static_cast<double>(total);
        r.types = static_cast<double>(novel_types) / static_cast<double>(distinct);
        return r;
    });
}

// The same from count tables of equal order (generated must not be empty).
inline novelty_result novelty(const ngram_counts& generated, const ngram_counts& reference) {
    constexpr const char* fn = "novelty";
    require(generated.order() == reference.order(), fn,
            "generated and reference differ in order (" + std::to_string(generated.order()) + " vs " +
                std::to_string(reference.order()) + ")");
    require(!generated.empty(), fn, "generated is empty");
    std::uint64_t novel_tokens = 0;
    std::size_t novel_types = 0;
    generated.for_each([&](view<const std::uint32_t> ids, std::uint64_t c) {
        if (reference.count(ids) != 0) return;
        novel_tokens += c;
        ++novel_types;
    });
    novelty_result r;
    r.total = static_cast<std::size_t>(generated.total());
    r.distinct = generated.distinct();
    r.tokens = static_cast<double>(novel_tokens) / static_cast<double>(generated.total());
    r.types = static_cast<double>(novel_types) / static_cast<double>(generated.distinct());
    return r;
}

// Coverage of a reference corpus by generated text, for one order n: how much of what the
// reference says the generated text still says (the n-gram counterpart of
// support_coverage in tail/discrete.hpp; novelty is the opposite view).
struct coverage_result {
    double types = 0;                    // share of the reference's distinct n-grams the generated text uses
    double tokens = 0;                   // share of the reference's n-gram occurrences whose n-gram it uses
    std::size_t reference_total = 0;     // reference n-gram occurrences
    std::size_t reference_distinct = 0;  // distinct reference n-grams
};

// Coverage from count tables of equal order: one lookup in the reference per distinct
// generated n-gram, so a reference counted once serves any number of generations.
// Throws std::invalid_argument when the orders differ or either table is empty.
inline coverage_result ngram_coverage(const ngram_counts& generated, const ngram_counts& reference) {
    constexpr const char* fn = "ngram_coverage";
    require(generated.order() == reference.order(), fn,
            "generated and reference differ in order (" + std::to_string(generated.order()) + " vs " +
                std::to_string(reference.order()) + ")");
    require(!generated.empty(), fn, "generated is empty");
    require(!reference.empty(), fn, "reference is empty");
    std::size_t types = 0;
    std::uint64_t tokens = 0;
    generated.for_each([&](view<const std::uint32_t> ids, std::uint64_t) {
        const std::uint64_t c = reference.count(ids);
        types += c != 0 ? 1 : 0;
        tokens += c;
    });
    coverage_result r;
    r.reference_total = static_cast<std::size_t>(reference.total());
    r.reference_distinct = reference.distinct();
    r.types = static_cast<double>(types) / static_cast<double>(r.reference_distinct);
    r.tokens = static_cast<double>(tokens) / static_cast<double>(reference.total());
    return r;
}

// The same from corpora (n-grams counted per document, none spanning a boundary). Throws
// std::invalid_argument for n outside 1..8 or a corpus that is empty or has no n-grams of
// order n.
inline coverage_result ngram_coverage(const corpus& generated, const corpus& reference, std::size_t n) {
    constexpr const char* fn = "ngram_coverage";
    detail::require_ngrams(fn, generated, n, "generated");
    detail::require_ngrams(fn, reference, n, "reference");
    return ngram_coverage(ngram_counts(generated, n), ngram_counts(reference, n));
}

namespace detail {

// Per-id counters for windowed measures: a dense array when ids are few compared with
// the tokens, else a hash map.
class id_counter {
public:
    explicit id_counter(const corpus& c)
        : dense_(static_cast<std::uint64_t>(c.max_id()) < std::max<std::uint64_t>(1u << 20, 4 * c.size())) {
        if (dense_) counts_.assign(static_cast<std::size_t>(c.max_id()) + 1, 0);
    }
    // Increments id's count; returns the new count.
    std::uint32_t increment(std::uint32_t id) { return dense_ ? ++counts_[id] : ++sparse_[id]; }
    // Decrements id's count (which must be positive); returns the new count.
    std::uint32_t decrement(std::uint32_t id) { return dense_ ? --counts_[id] : --sparse_[id]; }
    void reset(view<const std::uint32_t> ids) {
        for (std::uint32_t id : ids) {
            if (dense_) {
                counts_[id] = 0;
            } else {
                sparse_[id] = 0;
            }
        }
    }

private:
    bool dense_;
    std::vector<std::uint32_t> counts_;
    flat_map<std::uint64_t, std::uint32_t> sparse_;
};

// MTLD factors of one pass over ids (forward order, or backward when `backward`).
inline double mtld_factors(view<const std::uint32_t> ids, double threshold, bool backward, id_counter& seen) {
    double factors = 0;
    std::size_t types = 0, tokens = 0, segment_start = 0;
    double ttr = 1.0;
    const std::size_t len = ids.size();
    for (std::size_t j = 0; j < len; ++j) {
        const std::size_t i = backward ? len - 1 - j : j;
        ++tokens;
        if (seen.increment(ids[i]) == 1) ++types;
        ttr = static_cast<double>(types) / static_cast<double>(tokens);
        if (ttr <= threshold) {
            factors += 1.0;
            // Clear the ids of the finished segment.
            const std::size_t lo = backward ? i : segment_start, hi = backward ? len - segment_start : j + 1;
            seen.reset(ids.subview(lo, hi - lo));
            segment_start = j + 1;
            types = tokens = 0;
            ttr = 1.0;
        }
    }
    if (tokens > 0) {
        factors += (1.0 - ttr) / (1.0 - threshold);
        const std::size_t lo = backward ? 0 : segment_start, hi = backward ? len - segment_start : len;
        seen.reset(ids.subview(lo, hi - lo));
    }
    return factors;
}

}  // namespace detail

// MATTR, the moving-average type-token ratio (Covington & McFall 2010): the mean, over
// every window of `window` consecutive tokens inside one document, of the window's
// distinct tokens / window. Windows never span documents; documents shorter than the
// window contribute nothing. Throws std::invalid_argument for window = 0, an empty
// corpus, or no document as long as the window.
inline double mattr(const corpus& c, std::size_t window = 50) {
    constexpr const char* fn = "mattr";
    require(window >= 1, fn, "window must be at least 1");
    require(c.documents() != 0 && !c.empty(), fn, "corpus is empty");
    detail::id_counter counts(c);
    std::uint64_t type_sum = 0, windows = 0;
    for (std::size_t d = 0; d < c.documents(); ++d) {
        const auto doc = c.document(d);
        if (doc.size() < window) continue;
        std::uint64_t types = 0;
        for (std::size_t i = 0; i < window; ++i) types += counts.increment(doc[i]) == 1;
        type_sum += types;
        for (std::size_t i = window; i < doc.size(); ++i) {
            types -= counts.decrement(doc[i - window]) == 0;
            types += counts.increment(doc[i]) == 1;
            type_sum += types;
        }
        windows += doc.size() - window + 1;
        counts.reset(doc.subview(doc.size() - window));
    }
    if (windows == 0) {
        fail(fn, "corpus has no document of at least window = " + std::to_string(window) + " tokens");
    }
    return static_cast<double>(type_sum) / (static_cast<double>(windows) * static_cast<double>(window));
}

// MTLD, the measure of textual lexical diversity (McCarthy & Jarvis 2010). A pass
// reads tokens in order, keeping the type-token ratio of the current segment; when
// it falls to `threshold` or below, one factor is counted and the segment restarts.
// What is left at the end of a document adds the partial factor
// (1 - TTR_rest) / (1 - threshold). Segments never span documents; the pass's value is
// (tokens of the corpus) / (factors summed over documents). MTLD is the mean of the
// forward pass and the backward pass (tokens in reverse order).
// +infinity exactly when no document repeats a token (every document's tokens are
// distinct, e.g. one-token documents): then every segment keeps TTR = 1, its partial
// factor is 0, and tokens / 0 factors has no finite value. McCarthy & Jarvis (2010) define
// no value for that case (their texts are long enough to fill factors), so none is
// invented here; one repeated token anywhere gives a finite MTLD (possibly large: the
// partial factor (1 - TTR) / (1 - threshold) can be small). Units: tokens per factor.
// Throws std::invalid_argument for threshold outside (0, 1) or an empty corpus.
inline double mtld(const corpus& c, double threshold = 0.72) {
    constexpr const char* fn = "mtld";
    if (!(threshold > 0.0 && threshold < 1.0)) {
        fail(fn, "threshold must lie in (0, 1) (got " + detail::format_value(threshold) + ")");
    }
    require(c.documents() != 0 && !c.empty(), fn, "corpus is empty");
    detail::id_counter seen(c);
    double forward = 0, backward = 0;
    for (std::size_t d = 0; d < c.documents(); ++d) {
        forward += detail::mtld_factors(c.document(d), threshold, false, seen);
        backward += detail::mtld_factors(c.document(d), threshold, true, seen);
    }
    const auto tokens = static_cast<double>(c.size());
    const double inf = std::numeric_limits<double>::infinity();
    const double f = forward > 0 ? tokens / forward : inf;
    const double b = backward > 0 ? tokens / backward : inf;
    return (f + b) / 2.0;
}

// The Zipf exponent s of the rank-frequency data of n-grams, by maximum likelihood.
// Model: the n-gram of frequency rank r (1 = most frequent) occurs with probability
// r^-s / H(V, s), r = 1..V, where V is the number of distinct n-grams observed and
// H(V, s) = sum_{r<=V} r^-s (a discrete power law truncated at V). With f_r the
// frequency of rank r and N = sum f_r, the likelihood equation is
//   sum_r r^-s log r / H(V, s) = (1/N) sum_r f_r log r,
// whose left side falls strictly with s, so the root is unique (s = 0 when every
// n-gram is equally frequent). standard_error = 1 / sqrt(N Var_s[log r]) (inverse
// Fisher information); n = N. Throws std::invalid_argument as distinct_n does, and
// std::domain_error when fewer than two distinct n-grams leave s unidentified.
inline estimate zipf_exponent(const corpus& c, std::size_t n = 1) {
    constexpr const char* fn = "zipf_exponent";
    detail::require_ngrams(fn, c, n);
    std::vector<std::uint64_t> f = ngram_counts(c, n).count_values();
    if (f.size() < 2) fail_domain(fn, "needs at least two distinct n-grams (got " + std::to_string(f.size()) + ")");
    std::sort(f.begin(), f.end(), [](std::uint64_t a, std::uint64_t b) { return a > b; });
    const std::size_t v = f.size();
    std::vector<double> log_rank(v);
    compensated_sum weighted, total;
    for (std::size_t r = 0; r < v; ++r) {
        log_rank[r] = std::log(static_cast<double>(r + 1));
        weighted += static_cast<double>(f[r]) * log_rank[r];
        total += static_cast<double>(f[r]);
    }
    const double target = weighted.value() / total.value();
    // Mean and variance of log r under the model with exponent s.
    auto moments = [&](double s, double& mean, double& var) {
        compensated_sum z, m1, m2;
        for (std::size_t r = 0; r < v; ++r) {
            const double w = std::exp(-s * log_rank[r]);
            z += w;
            m1 += w * log_rank[r];
            m2 += w * log_rank[r] * log_rank[r];
        }
        mean = m1.value() / z.value();
        var = std::max(0.0, m2.value() / z.value() - mean * mean);
    };
    double mean = 0, var = 0;
    moments(0.0, mean, var);
    double s = 0;
    if (mean > target) {
        double lo = 0, hi = 1;
        for (moments(hi, mean, var); mean > target; moments(hi, mean, var)) {
            lo = hi;
            hi *= 2;
        }
        s = (lo + hi) / 2;
        for (int it = 0; it < 200; ++it) {
            moments(s, mean, var);
            if (mean > target) {
                lo = s;
            } else {
                hi = s;
            }
            // Newton step (d mean / ds = -var), kept inside the bracket.
            double next = var > 0 ? s + (mean - target) / var : (lo + hi) / 2;
            if (!(next > lo && next < hi)) next = (lo + hi) / 2;
            if (std::abs(next - s) <= 1e-14 * (1 + s) || hi - lo <= 1e-14 * (1 + s)) {
                s = next;
                break;
            }
            s = next;
        }
        moments(s, mean, var);
    }
    estimate e;
    e.value = s;
    e.n = static_cast<std::size_t>(total.value());
    e.standard_error = var > 0 ? 1.0 / std::sqrt(total.value() * var) : std::numeric_limits<double>::infinity();
    return e;
}

}  // namespace collapsekit
