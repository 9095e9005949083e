// A mergeable table of n-gram counts for one order n, with versioned serialisation.
//
// Shards of a corpus counted on different machines combine exactly: counting A, then
// B, or A and B separately followed by +=, gives equal tables (and equal bytes from
// serialize(), which writes entries in sorted order).
//
// Threads: add(ex, corpus) and the (ex, corpus, n) constructor count on up to ex's
// threads. A table sized for many n-grams is split into up to 4096 parts by the top bits
// of the key's hash (at most 2^16 keys per part, so that each part's table stays in
// cache while it is filled); threads pack and hash fixed chunks of the corpus, then fill the
// parts, each part from the chunks in corpus order, so every part receives its n-grams
// in the same order as on one thread, and the table (counts, and the order of for_each
// and count_values) is the same for 1 or 64 threads. (One key per n-gram of scratch.)
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "../core/errors.hpp"
#include "../core/parallel.hpp"
#include "../core/view.hpp"
#include "corpus.hpp"
#include "flat_hash.hpp"
#include "hyperloglog.hpp"
#include "keys.hpp"

namespace collapsekit {

class ngram_counts {
public:
    // The serialisation format version written by serialize() and read by deserialize().
    static constexpr std::uint32_t format_version = 1;

    // An empty table for n-grams of order n (1..max_ngram_order; else std::invalid_argument).
    explicit ngram_counts(std::size_t n) : n_(n), table_(std::in_place_index<0>) {
        detail::check_ngram_order("ngram_counts", n);
    }

    // The counts of every n-gram of c, never across document boundaries.
    ngram_counts(const corpus& c, std::size_t n) : ngram_counts(n) { add(c); }
    // The same, counted on up to ex's threads (the same table for every count).
    ngram_counts(const execution& ex, const corpus& c, std::size_t n) : ngram_counts(n) { add(ex, c); }

    std::size_t order() const noexcept { return n_; }
    // Number of n-gram occurrences counted (tokens).
    std::uint64_t total() const noexcept { return total_; }
    // Number of distinct n-grams (types).
    std::size_t distinct() const noexcept {
        return std::visit([](const auto& t) { return t.size(); }, table_);
    }
    bool empty() const noexcept { return total_ == 0; }
    // Bits per id of the current packing (grows with the largest id seen).
    unsigned bits_per_id() const noexcept { return bits_; }

    // Counts every n-gram of every document of c (documents shorter than n add nothing),
    // on up to ex's threads; the result does not depend on their number.
    void add(const execution& ex, const corpus& c) {
        widen_to(detail::bits_for_max_id(c.max_id()));
        const std::size_t total = c.ngram_total(n_);
        std::visit(
            [&](auto& t) {
                using Key = typename table_key<std::decay_t<decltype(t)>>::type;
                // A large corpus: size the table once from a HyperLogLog estimate (a few per
                // cent of the counting time) instead of rehashing a growing table many times.
                std::size_t expect = 0;
                if (total > (std::size_t{1} << 18)) {
                    hyperloglog sketch(n_, 12);
                    sketch.add(ex, c);
                    expect = t.size() + static_cast<std::size_t>(1.1 * sketch.cardinality().value);
                    t.split_for(expect);
                }
                // A large corpus into a split table: keys scattered by part first, then each
                // part filled alone, in a table that stays in cache (on one thread too).
                if (t.parts() > 1 && total > (std::size_t{1} << 18)) {
                    return add_partitioned(ex.workers(total, std::size_t{1} << 18), t, c, expect);
                }
                if (expect != 0) t.reserve(expect, 0, 1);
                const detail::key_codec<Key> codec(n_, bits_);
                constexpr std::size_t chunk = 1024;
                std::vector<Key> buf;
                buf.reserve(chunk);
                for (std::size_t d = 0; d < c.documents(); ++d) {
                    codec.for_each(c.document(d), [&](const Key& k) {
                        buf.push_back(k);
                        if (buf.size() == chunk) {
                            t.add_many(buf.data(), buf.size(), std::uint64_t{1});
                            buf.clear();
                        }
                    });
                }
                t.add_many(buf.data(), buf.size(), std::uint64_t{1});
            },
            table_);
        total_ += total;
    }
    void add(const corpus& c) { add(sequential, c); }

    // Counts the n-grams of one document (a contiguous range of ids below 2^32).
    template <class Range>
    void add_document(const Range& ids) {
        corpus c;
        c.add_document(ids);
        add(c);
    }

    // Adds `count` occurrences of the n-gram `ids` (exactly n ids). Throws
    // std::invalid_argument for a wrong number of ids, an id outside [0, 2^32), or a total
    // that would pass 2^64 - 1 (nothing is added then).
    template <class Range>
    void add_ngram(const Range& ids, std::uint64_t count = 1) {
        const auto v = as_view(ids);
        constexpr const char* fn = "ngram_counts::add_ngram";
        require(v.size() == n_, fn,
                "ids must hold n = " + std::to_string(n_) + " ids (got " + std::to_string(v.size()) + ")");
        require(total_ + count >= total_, fn, "counts overflow 64 bits");
        using T = range_value_t<Range>;
        if constexpr (std::is_signed_v<T> || sizeof(T) > 4) {
            const std::size_t bad = detail::first_id_out_of_range(v.data(), v.size());
            if (bad != v.size()) {
                fail(fn,
                     "ids must lie in [0, 2^32) (ids[" + std::to_string(bad) + "] = " + std::to_string(v[bad]) + ")");
            }
        }
        // Zero occurrences add nothing: an entry with count 0 would make distinct() count
        // an n-gram never seen, and bytes that deserialize() refuses.
        if (count == 0) return;
        std::uint32_t ids32[max_ngram_order];
        std::uint32_t max_id = 0;
        for (std::size_t i = 0; i < n_; ++i) {
            ids32[i] = static_cast<std::uint32_t>(v[i]);
            max_id = std::max(max_id, ids32[i]);
        }
        add_ids(ids32, max_id, count);
    }

    // The count of the n-gram `ids` (0 when absent or when ids.size() != n).
    template <class Range>
    std::uint64_t count(const Range& ids) const {
        const auto v = as_view(ids);
        if (v.size() != n_) return 0;
        std::uint32_t ids32[max_ngram_order];
        for (std::size_t i = 0; i < n_; ++i) {
            if (static_cast<std::uint64_t>(v[i]) >> bits_ != 0) return 0;  // wider than any id seen
            ids32[i] = static_cast<std::uint32_t>(v[i]);
        }
        return std::visit(
            [&](const auto& t) -> std::uint64_t {
                using Key = typename table_key<std::decay_t<decltype(t)>>::type;
                const auto* p = t.find(detail::key_codec<Key>(n_, bits_).pack(ids32));
                return p ? *p : 0;
            },
            table_);
    }

    // f(view<const std::uint32_t> ids, std::uint64_t count) for every distinct n-gram,
    // in unspecified order.
    template <class F>
    void for_each(F&& f) const {
        std::visit(
            [&](const auto& t) {
                using Key = typename table_key<std::decay_t<decltype(t)>>::type;
                detail::key_codec<Key> codec(n_, bits_);
                std::uint32_t ids[max_ngram_order];
                t.for_each([&](const Key& k, std::uint64_t c) {
                    codec.unpack(k, ids);
                    f(view<const std::uint32_t>(ids, n_), c);
                });
            },
            table_);
    }

    // The counts of the distinct n-grams, in the table's order: unspecified, and it
    // differs between equal tables built differently (counted, merged, deserialised).
    // Floating-point sums over it would differ in the last bits between equal tables:
    // sum over count_histogram() or counts_ascending() instead.
    std::vector<std::uint64_t> count_values() const {
        std::vector<std::uint64_t> out;
        out.reserve(distinct());
        std::visit([&](const auto& t) { t.for_each([&](const auto&, std::uint64_t c) { out.push_back(c); }); }, table_);
        return out;
    }

    // One (count value, how many distinct n-grams have it) entry per count value present,
    // ascending by count: the frequency-of-frequencies profile, which depends on the table's
    // contents only (equal tables give equal histograms, however they were built), and is
    // usually far shorter than the table. O(distinct + L log L) for L distinct n-grams with
    // counts of 1024 or more (small counts are tallied directly, the rest sorted).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> count_histogram() const {
        constexpr std::uint64_t dense = 1024;
        std::vector<std::uint64_t> small(static_cast<std::size_t>(std::min<std::uint64_t>(dense, total_ + 1)), 0);
        std::vector<std::uint64_t> large;
        std::visit(
            [&](const auto& t) {
                t.for_each([&](const auto&, std::uint64_t c) {
                    if (c < small.size()) {
                        ++small[static_cast<std::size_t>(c)];
                    } else {
                        large.push_back(c);
                    }
                });
            },
            table_);
        std::sort(large.begin(), large.end());
        std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
        for (std::size_t c = 0; c < small.size(); ++c) {
            if (small[c] != 0) out.emplace_back(c, small[c]);
        }
        for (std::size_t k = 0; k < large.size();) {
            std::size_t e = k;
            while (e < large.size() && large[e] == large[k]) ++e;
            out.emplace_back(large[k], e - k);
            k = e;
        }
        return out;
    }

    // count_values() in ascending order (count_histogram() expanded): the same vector for
    // equal tables, so that sums over it (the entropy estimators') are the same bits.
    std::vector<std::uint64_t> counts_ascending() const {
        std::vector<std::uint64_t> out;
        out.reserve(distinct());
        for (const auto& [c, k] : count_histogram()) out.insert(out.end(), static_cast<std::size_t>(k), c);
        return out;
    }

    // Every distinct n-gram with its count, sorted lexicographically by ids:
    // ids of entry i are [i * n, (i + 1) * n) of `ids`.
    struct sorted_entries {
        std::vector<std::uint32_t> ids;
        std::vector<std::uint64_t> counts;
    };
    sorted_entries sorted() const {
        sorted_entries e;
        std::visit(
            [&](const auto& t) {
                using Key = typename table_key<std::decay_t<decltype(t)>>::type;
                // Keys pack the ids first-id-highest in fixed widths (or hold them in
                // order), so key order is the ids' lexicographic order: sorting the
                // (key, count) pairs directly is 5x faster than comparing id sequences.
                std::vector<std::pair<Key, std::uint64_t>> entries;
                entries.reserve(distinct());
                t.for_each([&](const Key& k, std::uint64_t c) { entries.emplace_back(k, c); });
                if constexpr (std::is_same_v<Key, std::uint64_t>) {
                    detail::radix_sort_by_key(entries, static_cast<unsigned>(n_) * bits_);
                } else {
                    std::sort(entries.begin(), entries.end(),
                              [](const auto& x, const auto& y) { return x.first < y.first; });
                }
                const detail::key_codec<Key> codec(n_, bits_);
                e.ids.resize(entries.size() * n_);
                e.counts.resize(entries.size());
                for (std::size_t i = 0; i < entries.size(); ++i) {
                    codec.unpack(entries[i].first, e.ids.data() + i * n_);
                    e.counts[i] = entries[i].second;
                }
            },
            table_);
        return e;
    }

    // Adds every count of `other`. Throws std::invalid_argument (the table unchanged) when
    // the orders differ or the total would pass 2^64 - 1 (no count can then wrap either,
    // and deserialize() rejects such tables).
    ngram_counts& operator+=(const ngram_counts& other) {
        require(other.n_ == n_, "ngram_counts::operator+=",
                "orders differ (" + std::to_string(n_) + " vs " + std::to_string(other.n_) + ")");
        require(total_ + other.total_ >= total_, "ngram_counts::operator+=", "counts overflow 64 bits");
        widen_to(other.bits_);
        other.for_each([&](view<const std::uint32_t> ids, std::uint64_t c) { add_packed_fit(ids.data(), c); });
        total_ += other.total_;
        return *this;
    }

    // Same order, same n-grams with the same counts (packing width does not matter).
    friend bool operator==(const ngram_counts& a, const ngram_counts& b) {
        if (a.n_ != b.n_ || a.total_ != b.total_ || a.distinct() != b.distinct()) return false;
        bool same = true;
        a.for_each([&](view<const std::uint32_t> ids, std::uint64_t c) { same = same && b.count(ids) == c; });
        return same;
    }
    friend bool operator!=(const ngram_counts& a, const ngram_counts& b) { return !(a == b); }

    // Bytes, little-endian: "CKNG", u32 version, u32 n, u64 total, u64 distinct, then
    // each distinct n-gram in lexicographic order as n u32 ids and a u64 count.
    std::vector<std::uint8_t> serialize() const {
        const auto e = sorted();
        std::vector<std::uint8_t> out(28 + e.counts.size() * (4 * n_ + 8));
        std::uint8_t* w = out.data();
        put(w, 0x474E4B43u, 4);  // "CKNG"
        put(w, format_version, 4);
        put(w, n_, 4);
        put(w, total_, 8);
        put(w, e.counts.size(), 8);
        for (std::size_t i = 0; i < e.counts.size(); ++i) {
            for (std::size_t j = 0; j < n_; ++j) put(w, e.ids[i * n_ + j], 4);
            put(w, e.counts[i], 8);
        }
        return out;
    }

    // Reads serialize()'s bytes. Throws std::invalid_argument on a wrong magic, an
    // unknown version, truncated or trailing bytes, an invalid order, zero counts,
    // entries out of order or duplicated, or a total that disagrees with the counts.
    static ngram_counts deserialize(view<const std::uint8_t> bytes) {
        constexpr const char* fn = "ngram_counts::deserialize";
        std::size_t pos = 0;
        auto need = [&](std::size_t k) {
            if (bytes.size() - pos < k) fail(fn, "bytes are truncated");
        };
        need(4);
        require(bytes[0] == 'C' && bytes[1] == 'K' && bytes[2] == 'N' && bytes[3] == 'G', fn,
                "bytes do not start with the magic \"CKNG\"");
        pos = 4;
        need(24);
        const auto version = static_cast<std::uint32_t>(get(bytes, pos, 4));
        require(version == format_version, fn,
                "version " + std::to_string(version) + " is not supported (this build reads version " +
                    std::to_string(format_version) + ")");
        const auto n = static_cast<std::size_t>(get(bytes, pos, 4));
        detail::check_ngram_order(fn, n);
        const std::uint64_t total = get(bytes, pos, 8);
        const std::uint64_t distinct = get(bytes, pos, 8);
        const std::size_t entry = 4 * n + 8;
        // distinct comes from the bytes: it is checked against the bytes that are there
        // (dividing, so nothing overflows) before the table grows by one entry each, so a
        // forged count fails here rather than filling memory.
        require(distinct <= (bytes.size() - pos) / entry && (bytes.size() - pos) == distinct * entry, fn,
                "bytes are truncated or have trailing data");
        ngram_counts t(n);
        // The widest id first, so that the table takes its key width and size once
        // (distinct is bounded by the bytes present) instead of growing entry by entry.
        std::uint32_t widest = 0;
        for (std::size_t e = pos; e < bytes.size(); e += entry) {
            for (std::size_t j = 0; j < n; ++j) {
                std::size_t at = e + 4 * j;
                widest = std::max(widest, static_cast<std::uint32_t>(get(bytes, at, 4)));
            }
        }
        t.widen_to(detail::bits_for_max_id(widest));
        std::visit([&](auto& table) { table.reserve(static_cast<std::size_t>(distinct)); }, t.table_);
        std::uint64_t sum = 0;
        std::uint32_t prev[max_ngram_order] = {};
        std::uint32_t ids[max_ngram_order];
        for (std::uint64_t i = 0; i < distinct; ++i) {
            std::uint32_t max_id = 0;
            for (std::size_t j = 0; j < n; ++j) {
                ids[j] = static_cast<std::uint32_t>(get(bytes, pos, 4));
                max_id = std::max(max_id, ids[j]);
            }
            const std::uint64_t c = get(bytes, pos, 8);
            // Messages are built only on failure: this loop runs once per entry.
            if (c == 0) fail(fn, "entry " + std::to_string(i) + " has a zero count");
            if (i != 0 && !std::lexicographical_compare(prev, prev + n, ids, ids + n)) {
                fail(fn, "entries are not in strictly increasing order at entry " + std::to_string(i));
            }
            std::copy(ids, ids + n, prev);
            require(sum + c >= sum, fn, "counts overflow 64 bits");
            sum += c;
            t.add_ids(ids, max_id, c);
        }
        require(sum == total, fn,
                "total " + std::to_string(total) + " disagrees with the sum of counts " + std::to_string(sum));
        return t;
    }
    template <class Bytes>
    static ngram_counts deserialize(const Bytes& bytes) {
        return deserialize(view<const std::uint8_t>(as_view(bytes)));
    }

private:
    using table64 = detail::partitioned_counts<std::uint64_t>;
    using table128 = detail::partitioned_counts<detail::uint128>;
    using table_seq = detail::partitioned_counts<detail::ngram_key_seq>;
    template <class T>
    struct table_key;
    template <class K>
    struct table_key<detail::partitioned_counts<K>> {
        using type = K;
    };

    // Writes v's low `bytes` bytes little-endian at w and advances w.
    static void put(std::uint8_t*& w, std::uint64_t v, int bytes) {
        for (int i = 0; i < bytes; ++i) *w++ = static_cast<std::uint8_t>(v >> (8 * i));
    }
    static std::uint64_t get(view<const std::uint8_t> b, std::size_t& pos, int bytes) {
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v |= std::uint64_t{b[pos + static_cast<std::size_t>(i)]} << (8 * i);
        pos += static_cast<std::size_t>(bytes);
        return v;
    }

    void add_ids(const std::uint32_t* ids, std::uint32_t max_id, std::uint64_t c) {
        widen_to(detail::bits_for_max_id(max_id));
        add_packed_fit(ids, c);
        total_ += c;
    }
    // Adds c to the n-gram ids, whose ids fit in bits_ (the caller widened first).
    void add_packed_fit(const std::uint32_t* ids, std::uint64_t c) {
        std::visit(
            [&](auto& t) {
                using Key = typename table_key<std::decay_t<decltype(t)>>::type;
                t[detail::key_codec<Key>(n_, bits_).pack(ids)] += c;
            },
            table_);
    }

    // add() for a large corpus and a table split in parts, on `workers` threads (1 too):
    // (1) fixed chunks of n-gram positions are packed, hashed and sorted by part (stably)
    // in parallel; (2) the parts are filled in parallel, each from the chunks in order, in
    // a table small enough to stay in cache. Every part receives its n-grams in corpus
    // order, as when adding them one by one, so the table is the same for any number of
    // workers. A chunk holds at least 2^8 keys per part on average (the chunk length
    // depends on the number of parts, never on the workers), so that part p's keys of one
    // chunk are read as one run.
    template <class Table>
    void add_partitioned(std::size_t workers, Table& t, const corpus& c, std::size_t expect) {
        using Key = typename table_key<Table>::type;
        const std::size_t parts = t.parts();
        const std::size_t chunk = std::max(std::size_t{1} << 16, parts << 8);  // n-gram positions per chunk
        const std::size_t positions = c.size() - n_ + 1, chunks = detail::chunk_count(positions, chunk);
        detail::big_array<Key> keys(positions);
        std::vector<std::size_t> bounds(chunks * (parts + 1));  // chunk i, part p: [b[p], b[p + 1])
        const detail::key_codec<Key> codec(n_, bits_);
        const std::uint32_t* tokens = c.tokens().data();
        const std::size_t chunk_workers = std::min(workers, chunks);
        std::vector<std::vector<Key>> local_keys(chunk_workers);
        std::vector<std::vector<std::uint32_t>> local_parts(chunk_workers);
        detail::parallel_for_workers(chunk_workers, chunks, [&](std::size_t i, std::size_t w) {
            std::vector<Key>& lk = local_keys[w];
            std::vector<std::uint32_t>& lp = local_parts[w];
            lk.clear();
            lp.clear();
            detail::for_each_ngram_run(c, n_, i * chunk, std::min(positions, (i + 1) * chunk),
                                       [&](std::size_t first, std::size_t count) {
                                           Key k = codec.pack(tokens + first);
                                           for (std::size_t j = 0;;) {
                                               lk.push_back(k);
                                               lp.push_back(static_cast<std::uint32_t>(t.part_of(detail::hash_key(k))));
                                               if (++j == count) break;
                                               k = codec.roll(k, tokens[first + j + n_ - 1]);
                                           }
                                       });
            std::size_t* b = bounds.data() + i * (parts + 1);
            for (std::uint32_t p : lp) ++b[p + 1];
            for (std::size_t p = 0; p < parts; ++p) b[p + 1] += b[p];
            std::vector<std::size_t> next(b, b + parts);
            Key* out = keys.data() + i * chunk;
            for (std::size_t j = 0; j < lk.size(); ++j) out[next[lp[j]]++] = lk[j];
        });
        detail::parallel_for_workers(std::min(workers, parts), parts, [&](std::size_t p, std::size_t) {
            if (expect != 0) t.reserve(expect, p, parts);
            for (std::size_t i = 0; i < chunks; ++i) {
                const std::size_t* b = bounds.data() + i * (parts + 1);
                t.add_many(keys.data() + i * chunk + b[p], b[p + 1] - b[p], std::uint64_t{1});
            }
        });
    }

    // Re-packs every key when ids wider than the current packing arrive.
    void widen_to(unsigned bits) {
        if (bits <= bits_) return;
        const unsigned old_bits = bits_;
        variant_t fresh = make_table(detail::choose_key_kind(n_, bits));
        std::visit(
            [&](const auto& old_table, auto& new_table) {
                using OldKey = typename table_key<std::decay_t<decltype(old_table)>>::type;
                using NewKey = typename table_key<std::decay_t<decltype(new_table)>>::type;
                detail::key_codec<OldKey> from(n_, old_bits);
                detail::key_codec<NewKey> to(n_, bits);
                new_table.reserve(old_table.size());
                std::uint32_t ids[max_ngram_order];
                old_table.for_each([&](const OldKey& k, std::uint64_t c) {
                    from.unpack(k, ids);
                    new_table[to.pack(ids)] += c;
                });
            },
            table_, fresh);
        table_.swap(fresh);
        bits_ = bits;
    }
    using variant_t = std::variant<table64, table128, table_seq>;
    static variant_t make_table(detail::key_kind kind) {
        switch (kind) {
            case detail::key_kind::word64:
                return variant_t(std::in_place_index<0>);
            case detail::key_kind::word128:
                return variant_t(std::in_place_index<1>);
            default:
                return variant_t(std::in_place_index<2>);
        }
    }

    std::size_t n_;
    unsigned bits_ = 1;
    std::uint64_t total_ = 0;
    variant_t table_;
};

}  // namespace collapsekit
