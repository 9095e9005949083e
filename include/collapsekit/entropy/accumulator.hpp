// A mergeable entropy accumulator: category counts fed incrementally (one observation,
// a batch of category ids, or a whole count vector), merged across shards with +=,
// serialised to bytes, and estimated with any count estimator at any time.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"
#include "counts.hpp"
#include "estimator.hpp"

namespace collapsekit {

class entropy_accumulator {
public:
    // `categories` fixes K up front (NSB and James-Stein use it); categories seen later
    // still grow the table, so 0 is fine when K is not known.
    explicit entropy_accumulator(std::size_t categories = 0) : counts_(categories, 0) {}

    // One observation (or `times` of them) of category `category`.
    // Throws std::invalid_argument (nothing added) when the total would pass 2^64 - 1 or
    // the category is past the largest table a vector can hold; std::bad_alloc (nothing
    // added) when the table cannot grow to the category.
    void add(std::size_t category, std::uint64_t times = 1) {
        constexpr const char* fn = "entropy_accumulator::add";
        if (total_ + times < total_) overflow(fn);
        if (category >= counts_.size()) grow(fn, "category", category);
        counts_[category] += times;
        total_ += times;
    }

    // Every element of `categories` (non-negative integers) is one observation.
    // Throws std::invalid_argument for a negative id (naming the first), an id past the
    // largest table a vector can hold, or a total that would pass 2^64 - 1; std::bad_alloc
    // when the table cannot grow to the largest id. Every id is checked, and the table
    // grown, before anything is counted, so a call that throws adds nothing (as
    // add_counts; a caller that catches the error still holds a correct shard).
    template <class Range>
    void add_observations(const Range& categories) {
        constexpr const char* fn = "entropy_accumulator::add_observations";
        using T = range_value_t<Range>;
        static_assert(std::is_integral_v<T>, "category ids must be integers");
        const auto x = as_view(categories);
        std::size_t largest = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            if constexpr (std::is_signed_v<T>) {
                if (x[i] < 0) {
                    fail(fn, "categories must be non-negative (categories[" + std::to_string(i) +
                                 "] = " + std::to_string(x[i]) + ")");
                }
            }
            largest = std::max(largest, static_cast<std::size_t>(x[i]));
        }
        if (x.size() == 0) return;
        const auto added = static_cast<std::uint64_t>(x.size());
        if (total_ + added < total_) overflow(fn);
        if (largest >= counts_.size()) grow(fn, "categories", largest);
        for (std::size_t i = 0; i < x.size(); ++i) ++counts_[static_cast<std::size_t>(x[i])];
        total_ += added;
    }

    // Adds a count vector elementwise (counts[i] more observations of category i). Throws
    // std::invalid_argument (nothing added) for a count that is not a non-negative whole
    // number or when the total would pass 2^64 - 1.
    template <class Range>
    void add_counts(const Range& counts) {
        const auto c = as_view(counts);
        std::vector<std::uint64_t> checked(c.size());
        std::uint64_t total = total_;
        for (std::size_t i = 0; i < c.size(); ++i) {
            checked[i] = count_value("entropy_accumulator::add_counts", c, i);
            if (total + checked[i] < total) overflow("entropy_accumulator::add_counts");
            total += checked[i];
        }
        if (c.size() > counts_.size()) counts_.resize(c.size(), 0);
        for (std::size_t i = 0; i < c.size(); ++i) {
            counts_[i] += checked[i];
            total_ += checked[i];
        }
    }

    // Merging shards: counts add category by category (the longer table wins the size).
    entropy_accumulator& operator+=(const entropy_accumulator& other) {
        add_counts(other.counts_);
        return *this;
    }
    friend entropy_accumulator operator+(entropy_accumulator a, const entropy_accumulator& b) {
        a += b;
        return a;
    }
    bool operator==(const entropy_accumulator& o) const { return counts_ == o.counts_; }
    bool operator!=(const entropy_accumulator& o) const { return !(*this == o); }

    const std::vector<std::uint64_t>& counts() const noexcept { return counts_; }
    std::uint64_t total() const noexcept { return total_; }
    std::size_t categories() const noexcept { return counts_.size(); }
    void clear() noexcept {
        for (auto& c : counts_) c = 0;
        total_ = 0;
    }

    // The entropy of the counts so far by the chosen estimator (entropy_from_counts);
    // throws std::invalid_argument while nothing has been added.
    estimate entropy(entropy_estimator e = entropy_estimator::plugin, log_base base = nats) const {
        require(total_ > 0, "entropy_accumulator::entropy", "no observations yet");
        return entropy_from_counts(counts_, e, base);
    }

    // Bytes: "CKEA", then K and the K counts as little-endian 64-bit integers.
    std::vector<std::uint8_t> serialize() const {
        std::vector<std::uint8_t> out{'C', 'K', 'E', 'A'};
        out.reserve(4 + 8 * (counts_.size() + 1));
        put(out, counts_.size());
        for (std::uint64_t c : counts_) put(out, c);
        return out;
    }
    // Errors: std::invalid_argument for bytes that serialize() did not write: a wrong
    // header, a length other than 12 + 8 K (checked before the K counts are allocated, so
    // a forged K cannot ask for more memory than the bytes hold), or counts whose sum
    // passes 2^64 - 1 (no accumulator holds those: add() refuses to wrap, and total()
    // must stay exact).
    static entropy_accumulator deserialize(view<const std::uint8_t> bytes) {
        constexpr const char* fn = "entropy_accumulator::deserialize";
        require(bytes.size() >= 12 && bytes[0] == 'C' && bytes[1] == 'K' && bytes[2] == 'E' && bytes[3] == 'A', fn,
                "bytes do not start with an entropy_accumulator header");
        const std::uint64_t k = get(bytes, 4);
        // k <= (size - 12) / 8 first, so that 8 k cannot overflow.
        require(k <= (bytes.size() - 12) / 8 && bytes.size() == 12 + 8 * k, fn,
                "bytes have the wrong length for their category count");
        entropy_accumulator a(static_cast<std::size_t>(k));
        for (std::size_t i = 0; i < k; ++i) {
            a.counts_[i] = get(bytes, 12 + 8 * i);
            if (a.total_ + a.counts_[i] < a.total_) fail(fn, "counts sum past 2^64");
            a.total_ += a.counts_[i];
        }
        return a;
    }
    // Any contiguous bytes (a vector, also from a braced list; a string; a view).
    static entropy_accumulator deserialize(const std::vector<std::uint8_t>& bytes) {
        return deserialize(view<const std::uint8_t>(bytes));
    }
    template <class Bytes>
    static entropy_accumulator deserialize(const Bytes& bytes) {
        return deserialize(view<const std::uint8_t>(as_view(bytes)));
    }

private:
    // counts[i] as a uint64 after checked_count's checks. Integers are taken as they are
    // (through a double they would round above 2^53: a merge would lose counts, and a count
    // near 2^64 would round to 2^64, outside uint64); floating-point counts must be below 2^64.
    template <class T>
    static std::uint64_t count_value(const char* function, view<const T> c, std::size_t i) {
        const double v = detail::checked_count(function, c, i);
        if constexpr (std::is_integral_v<T>) {
            return static_cast<std::uint64_t>(c[i]);
        } else {
            if (!(v < 0x1.0p64)) {
                fail(function,
                     "counts must be below 2^64 (counts[" + std::to_string(i) + "] = " + detail::format_value(v) + ")");
            }
            return static_cast<std::uint64_t>(v);
        }
    }
    // Resizes the table to hold `category` (a vector's resize changes nothing when it
    // throws). category + 1 wraps at SIZE_MAX, so ids that large are refused first.
    void grow(const char* function, const char* arg, std::size_t category) {
        if (category >= counts_.max_size()) {
            fail(function, std::string(arg) + " must be below " + std::to_string(counts_.max_size()) + " (got " +
                               std::to_string(category) + ")");
        }
        counts_.resize(category + 1, 0);
    }
    [[noreturn]] static void overflow(const char* function) {
        fail(function, "the total number of observations would pass 2^64 - 1");
    }
    static void put(std::vector<std::uint8_t>& out, std::uint64_t v) {
        for (int b = 0; b < 8; ++b) out.push_back(static_cast<std::uint8_t>(v >> (8 * b)));
    }
    static std::uint64_t get(view<const std::uint8_t> in, std::size_t at) {
        std::uint64_t v = 0;
        for (int b = 0; b < 8; ++b) v |= std::uint64_t{in[at + static_cast<std::size_t>(b)]} << (8 * b);
        return v;
    }

    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
};

}  // namespace collapsekit
