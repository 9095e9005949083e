// Mergeable histograms of 64-bit order-preserving keys, refined up to 16 bits a pass.
//
// Why: exact W1 / KS / quantiles on data split over many processes cannot sort the data
// in one place. Every double maps to the radix sort's order-preserving key
// (ordered_key, tail/quantile.hpp): unsigned order of keys = numeric order of values.
// A "cell" is the set of keys sharing their top `depth` bits. Pass 0 counts the values
// of each sample per 16-bit prefix (65536 cells: sign, exponent and 4 mantissa bits);
// each later pass takes a list of undecided cells of depth d and counts their values by
// the next `bits` bits (1..16; bracket.hpp picks fewer than 16 when many values are
// undecided, so that a pass's histogram stays small), so after at most 4 full passes
// every cell is a single key (a single value). This is radix selection spread over
// partitions: every partition fills a cell_histogram for the same refine_spec, the
// histograms merge by +=, and the merged one is exact integer data whatever the
// partitioning or merge order.
//
// Besides counts, a cell keeps the exact sum of its values' significands. All values of
// a cell of depth >= 12 share sign and exponent, so each is +-M * 2^s with one s per
// cell, and the sum of the M is an integer (128 bits: 2^64 values of 53 bits). That lets
// bracket.hpp integrate F - G over a cell exactly when F - G keeps one sign there, which
// decides most cells without refining them.
//
// Units: keys and counts are integers; values are doubles (float inputs are widened).
// Preconditions: values finite, or NaN handled by nan_policy; +-inf is rejected
// (std::invalid_argument), since W1 and the CDF measures are undefined with it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/view.hpp"
#include "../sort.hpp"
#include "../tail/quantile.hpp"

namespace collapsekit {
namespace partitioned {

__extension__ typedef unsigned __int128 uint128;

// The value of an order-preserving key (inverse of ordered_key).
inline double value_of_key(std::uint64_t key) noexcept {
    const std::uint64_t b = detail::from_ordered_key(key);
    double v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}

// The key a cell sorts a value by: ordered_key of v + 0.0, so that -0.0 and +0.0 share
// one key (the sort-based kernels compare values, where they are equal).
inline std::uint64_t cell_key(double v) noexcept { return detail::ordered_key(v + 0.0); }

// A key's top `depth` bits (depth 0..64); depth 0 gives 0 (one cell holds every key).
inline std::uint64_t prefix_of(std::uint64_t key, unsigned depth) noexcept {
    return depth == 0 ? 0 : key >> (64 - depth);
}

// The first and last key of the cell `prefix` of `depth` bits.
inline std::uint64_t cell_first_key(std::uint64_t prefix, unsigned depth) noexcept {
    return depth == 0 ? 0 : prefix << (64 - depth);
}
inline std::uint64_t cell_last_key(std::uint64_t prefix, unsigned depth) noexcept {
    if (depth == 0) return ~std::uint64_t{0};
    const std::uint64_t low = depth == 64 ? 0 : (~std::uint64_t{0} >> depth);
    return cell_first_key(prefix, depth) | low;
}

// |v| = significand * 2^scale for a finite double: the integer significand (with the
// implicit bit for normal numbers) and the exponent of its last bit. Values of one cell
// of depth >= 12 share scale and sign.
inline std::uint64_t significand_of(double v) noexcept {
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    const std::uint64_t frac = b & ((std::uint64_t{1} << 52) - 1);
    const std::uint64_t e = (b >> 52) & 0x7FF;
    return e == 0 ? frac : (frac | (std::uint64_t{1} << 52));
}
inline int scale_of_key(std::uint64_t key) noexcept {
    const std::uint64_t b = detail::from_ordered_key(key);
    const int e = static_cast<int>((b >> 52) & 0x7FF);
    return e == 0 ? -1074 : e - 1075;
}

// Which cells the next pass refines: every cell (prefix) of `depth` bits listed in
// `prefixes` (sorted, unique) is split by the next `bits` key bits. Pass 0 is depth 0
// with the single prefix 0 and 16 bits.
struct refine_spec {
    unsigned depth = 0;
    std::vector<std::uint64_t> prefixes{0};
    unsigned bits = 16;

    unsigned child_depth() const noexcept { return depth + bits; }

    bool operator==(const refine_spec& o) const { return depth == o.depth && bits == o.bits && prefixes == o.prefixes; }
    bool operator!=(const refine_spec& o) const { return !(*this == o); }

    // Throws std::invalid_argument unless bits is 1..16, depth + bits <= 64, depth is 0
    // (then bits is 16) or at least 16, and prefixes are sorted, unique and below 2^depth.
    void check(const char* function) const {
        if (bits < 1 || bits > 16) fail(function, "spec bits must be 1..16 (got " + std::to_string(bits) + ")");
        if (depth > 64 - bits) fail(function, "spec depth + bits must be at most 64");
        if (depth == 0 ? bits != 16 : depth < 16) fail(function, "spec depth must be 0 (with 16 bits) or at least 16");
        for (std::size_t i = 0; i < prefixes.size(); ++i) {
            if (depth == 0 ? prefixes[i] != 0 : (prefixes[i] >> depth) != 0) {
                fail(function, "spec prefixes must be below 2^depth");
            }
            if (i > 0 && !(prefixes[i - 1] < prefixes[i])) fail(function, "spec prefixes must be sorted and unique");
        }
    }
};

// One child cell of a pass: its prefix (depth + bits bits), per-sample counts and exact
// significand sums.
struct cell {
    std::uint64_t prefix = 0;
    std::uint64_t count[2] = {0, 0};
    uint128 sum[2] = {0, 0};
};

// The cells of one refine pass over up to two samples (sample 0 and 1), mergeable and
// serialisable. Empty cells are not stored; cells are sorted by prefix.
class cell_histogram {
public:
    cell_histogram() = default;
    explicit cell_histogram(refine_spec spec) : spec_(std::move(spec)) { spec_.check("cell_histogram"); }

    const refine_spec& spec() const noexcept { return spec_; }
    unsigned child_depth() const noexcept { return spec_.child_depth(); }
    const std::vector<cell>& cells() const noexcept { return cells_; }
    std::uint64_t nan_count(int sample) const noexcept { return nan_[sample & 1]; }
    // Values of `sample` counted (in refined cells), NaN excluded.
    std::uint64_t total(int sample) const noexcept {
        std::uint64_t t = 0;
        for (const auto& c : cells_) t += c.count[sample & 1];
        return t;
    }

    // Adds the values of x to sample `sample` (0 or 1). NaN: raise throws (nothing is
    // added), omit and propagate count it in nan_count (bracket turns propagate into a
    // NaN result). +-inf throws std::invalid_argument. Values outside the spec's cells
    // are skipped (they were decided in an earlier pass).
    template <class T>
    void fill(view<const T> x, int sample, nan_policy policy) {
        constexpr const char* fn = "cell_histogram::fill";
        if (sample != 0 && sample != 1) fail(fn, "sample must be 0 or 1 (got " + std::to_string(sample) + ")");
        std::uint64_t nans = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double v = static_cast<double>(x[i]);
            if (std::isnan(v)) {
                if (policy == nan_policy::raise) {
                    fail(fn, "x holds NaN at index " + std::to_string(i) + " (pass nan_policy::omit or propagate)");
                }
                ++nans;
            } else if (std::isinf(v)) {
                fail(fn, "x must be finite (x[" + std::to_string(i) + "] = " + detail::format_value(v) + ")");
            }
        }
        const unsigned d = spec_.depth, bits = spec_.bits;
        const unsigned shift = 64 - d - bits;  // key >> shift = child prefix
        const auto& pre = spec_.prefixes;
        const std::uint64_t children = std::uint64_t{1} << bits;
        // The index of a key's parent among the refined cells, or npos: the only parent at
        // depth 0; a table of the 2^d possible parents up to depth 16; a binary search of
        // the sorted parents deeper.
        constexpr std::uint32_t npos = ~std::uint32_t{0};
        std::vector<std::uint32_t> parent_index;
        if (d > 0 && d <= 16) {
            parent_index.assign(std::size_t{1} << d, npos);
            for (std::size_t i = 0; i < pre.size(); ++i) parent_index[pre[i]] = static_cast<std::uint32_t>(i);
        }
        auto parent_of = [&](std::uint64_t k) -> std::uint32_t {
            if (d == 0) return pre.empty() ? npos : 0;  // no prefixes: nothing is refined
            const std::uint64_t p = k >> (64 - d);
            if (d <= 16) return parent_index[p];
            const auto it = std::lower_bound(pre.begin(), pre.end(), p);
            return it != pre.end() && *it == p ? static_cast<std::uint32_t>(it - pre.begin()) : npos;
        };
        // Counts and significand sums per child cell, aggregated as the values stream by
        // (O(1) per value); only non-empty cells are kept.
        std::vector<cell> add;
        if (pre.size() <= dense_cells / children) {
            // Few enough children for a dense table (parent index, child bits): the
            // passes bracket.hpp plans, which keep the cells of a pass few.
            const std::size_t slots = pre.size() * children;
            std::vector<std::uint64_t> count(slots, 0);
            std::vector<uint128> sum(slots, 0);
            const std::uint64_t child_mask = children - 1;
            for (std::size_t i = 0; i < x.size(); ++i) {
                const double v = static_cast<double>(x[i]) + 0.0;
                if (std::isnan(v)) continue;
                const std::uint64_t k = cell_key(v);
                const std::uint32_t parent = parent_of(k);
                if (parent == npos) continue;
                const std::size_t c = parent * children + ((k >> shift) & child_mask);
                ++count[c];
                sum[c] += significand_of(v);
            }
            for (std::size_t c = 0; c < slots; ++c) {
                if (count[c] == 0) continue;
                add.emplace_back();
                add.back().prefix = (d == 0 ? 0 : pre[c / children] << bits) | (c % children);
                add.back().count[sample] = count[c];
                add.back().sum[sample] = sum[c];
            }
        } else {
            // The values in refined cells, radix-sorted: value order is key order, so
            // each child cell is one run (a hash table of the cells was 5x slower: a
            // cache miss per value once the cells outnumber the cache).
            std::vector<double> hits;
            hits.reserve(x.size());
            for (std::size_t i = 0; i < x.size(); ++i) {
                const double v = static_cast<double>(x[i]);
                if (!std::isnan(v) && parent_of(cell_key(v)) != npos) hits.push_back(v + 0.0);
            }
            detail::sort_scratch<double> scratch;  // freed on return, not kept per thread
            detail::sort_numbers_with(view<double>(hits.data(), hits.size()), scratch);
            std::size_t runs = 0;  // exact size first: the cells can outnumber the values / 2
            for (std::size_t i = 0; i < hits.size(); ++i) {
                runs += i == 0 || (cell_key(hits[i]) >> shift) != (cell_key(hits[i - 1]) >> shift);
            }
            add.reserve(runs);
            for (const double v : hits) {
                const std::uint64_t c = cell_key(v) >> shift;
                if (add.empty() || add.back().prefix != c) {
                    add.emplace_back();
                    add.back().prefix = c;
                }
                ++add.back().count[sample];
                add.back().sum[sample] += significand_of(v);
            }
        }
        merge_cells(std::move(add));
        nan_[sample] += nans;
    }

    // Adds other's cells; both must come from the same spec (std::invalid_argument).
    cell_histogram& operator+=(const cell_histogram& other) {
        if (spec_ != other.spec_) fail("cell_histogram::operator+=", "the two histograms refine different specs");
        merge_cells(other.cells_);
        nan_[0] += other.nan_[0];
        nan_[1] += other.nan_[1];
        return *this;
    }

    bool operator==(const cell_histogram& o) const {
        if (spec_ != o.spec_ || nan_[0] != o.nan_[0] || nan_[1] != o.nan_[1] || cells_.size() != o.cells_.size())
            return false;
        for (std::size_t i = 0; i < cells_.size(); ++i) {
            const cell &a = cells_[i], &b = o.cells_[i];
            if (a.prefix != b.prefix || a.count[0] != b.count[0] || a.count[1] != b.count[1] || a.sum[0] != b.sum[0] ||
                a.sum[1] != b.sum[1])
                return false;
        }
        return true;
    }

    // Little-endian bytes: magic "CKCH", version 2, depth, bits, #prefixes, prefixes, nan[2],
    // #cells, then per cell prefix, count[2], sum[2] (as lo, hi words).
    std::vector<std::uint8_t> serialize() const {
        std::vector<std::uint8_t> out;
        out.reserve(64 + 8 * spec_.prefixes.size() + 56 * cells_.size());
        put(out, magic);
        put(out, spec_.depth);
        put(out, spec_.bits);
        put(out, spec_.prefixes.size());
        for (auto p : spec_.prefixes) put(out, p);
        put(out, nan_[0]);
        put(out, nan_[1]);
        put(out, cells_.size());
        for (const auto& c : cells_) {
            put(out, c.prefix);
            put(out, c.count[0]);
            put(out, c.count[1]);
            for (int s = 0; s < 2; ++s) {
                put(out, static_cast<std::uint64_t>(c.sum[s]));
                put(out, static_cast<std::uint64_t>(c.sum[s] >> 64));
            }
        }
        return out;
    }

    // Inverse of serialize(); std::invalid_argument for bytes that are not one (wrong
    // magic, truncated, trailing bytes, unsorted cells, a bad spec).
    static cell_histogram deserialize(const std::uint8_t* p, std::size_t n) {
        constexpr const char* fn = "cell_histogram::deserialize";
        std::size_t pos = 0;
        auto get = [&]() {
            if (n - pos < 8) fail(fn, "bytes are truncated (" + std::to_string(n) + " bytes)");
            std::uint64_t v = 0;
            for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[pos + static_cast<std::size_t>(i)]} << (8 * i);
            pos += 8;
            return v;
        };
        if (get() != magic) fail(fn, "bytes are not a cell_histogram (bad magic or version)");
        cell_histogram h;
        const std::uint64_t depth = get();
        const std::uint64_t bits = get();
        if (depth > 63 || bits < 1 || bits > 16) fail(fn, "bad depth or bits");
        h.spec_.depth = static_cast<unsigned>(depth);
        h.spec_.bits = static_cast<unsigned>(bits);
        const std::uint64_t np = get();
        if (np > (n - pos) / 8) fail(fn, "bytes are truncated (" + std::to_string(n) + " bytes)");
        h.spec_.prefixes.resize(static_cast<std::size_t>(np));
        for (auto& q : h.spec_.prefixes) q = get();
        h.spec_.check(fn);
        h.nan_[0] = get();
        h.nan_[1] = get();
        const std::uint64_t nc = get();
        if (nc > (n - pos) / 56) fail(fn, "bytes are truncated (" + std::to_string(n) + " bytes)");
        h.cells_.resize(static_cast<std::size_t>(nc));
        for (std::size_t i = 0; i < h.cells_.size(); ++i) {
            cell& c = h.cells_[i];
            c.prefix = get();
            if (i > 0 && !(h.cells_[i - 1].prefix < c.prefix)) fail(fn, "cells are not sorted");
            c.count[0] = get();
            c.count[1] = get();
            for (int s = 0; s < 2; ++s) {
                const std::uint64_t lo = get(), hi = get();
                c.sum[s] = (uint128{hi} << 64) | lo;
            }
        }
        if (pos != n) fail(fn, "bytes have trailing data");
        return h;
    }

private:
    static constexpr std::uint64_t magic = 0x0000000248434b43ull;  // "CKCH", version 2
    // The most slots of fill's dense table (24 MB for the counts and sums); passes with
    // more possible children sort the values instead.
    static constexpr std::uint64_t dense_cells = std::uint64_t{1} << 20;

    static void put(std::vector<std::uint8_t>& out, std::uint64_t v) {
        for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }

    // Merge-join of two sorted cell lists (counts and sums add).
    void merge_cells(std::vector<cell>&& b) {
        if (cells_.empty()) {
            cells_ = std::move(b);
            return;
        }
        merge_cells(static_cast<const std::vector<cell>&>(b));
    }
    void merge_cells(const std::vector<cell>& b) {
        if (b.empty()) return;
        if (cells_.empty()) {
            cells_ = b;
            return;
        }
        std::vector<cell> out;
        out.reserve(cells_.size() + b.size());
        std::size_t i = 0, j = 0;
        while (i < cells_.size() || j < b.size()) {
            if (j == b.size() || (i < cells_.size() && cells_[i].prefix < b[j].prefix)) {
                out.push_back(cells_[i++]);
            } else if (i == cells_.size() || b[j].prefix < cells_[i].prefix) {
                out.push_back(b[j++]);
            } else {
                cell c = cells_[i++];
                const cell& d = b[j++];
                for (int s = 0; s < 2; ++s) {
                    c.count[s] += d.count[s];
                    c.sum[s] += d.sum[s];
                }
                out.push_back(c);
            }
        }
        cells_.swap(out);
    }

    refine_spec spec_;
    std::vector<cell> cells_;
    std::uint64_t nan_[2] = {0, 0};
};

// A closed range of keys [first, last] (the cells left to gather).
struct key_range {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

// The values of x (finite, NaN skipped) whose keys lie in one of `ranges` (sorted,
// disjoint), in input order: what a partition ships when the undecided cells are small
// enough to finish on gathered values.
template <class T>
std::vector<double> select_in_ranges(view<const T> x, const std::vector<key_range>& ranges) {
    std::vector<double> out;
    if (ranges.empty()) return out;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double v = static_cast<double>(x[i]);
        if (!std::isfinite(v)) continue;
        const std::uint64_t k = cell_key(v);
        auto it = std::upper_bound(ranges.begin(), ranges.end(), k,
                                   [](std::uint64_t key, const key_range& r) { return key < r.first; });
        if (it == ranges.begin()) continue;
        --it;
        if (k <= it->last) out.push_back(v);
    }
    return out;
}

}  // namespace partitioned
}  // namespace collapsekit
