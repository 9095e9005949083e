// HyperLogLog: approximate number of distinct n-grams in fixed memory, mergeable.
//
// Flajolet, Fusy, Gandouet & Meunier (2007). Each n-gram is hashed to 64 bits
// (a hash of its ids alone, so sketches of different shards and vocabularies merge);
// the top p bits pick one of m = 2^p one-byte registers, which keeps the largest
// "position of the first 1 bit" among the remaining 64 - p bits. Relative standard
// error of the estimate: 1.04 / sqrt(m) (0.81 % for the default p = 14, 16 KiB).
//
// Estimators:
//  classic (default): E = alpha_m m^2 / sum_j 2^-M_j, alpha_m = 0.7213 / (1 + 1.079 / m);
//    small-range correction: when E <= 2.5 m and V > 0 registers are still zero, the
//    linear-counting estimate m ln(m / V) is returned instead. No large-range correction
//    is needed with a 64-bit hash.
//  ertl: Ertl's improved raw estimator (arXiv:1702.01284, 2017), one formula over the
//    register histogram, unbiased from 0 to far beyond 2^64 / m without switching.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/parallel.hpp"
#include "../core/view.hpp"
#include "corpus.hpp"
#include "keys.hpp"

namespace collapsekit {

enum class hll_estimator { classic, ertl };

namespace detail {

// The 64-bit hash of an n-gram: ids taken two at a time into 64-bit words, each
// absorbed with the mix64 finaliser; independent of any packing width.
template <std::size_t N>
inline std::uint64_t hash_ngram(const std::uint32_t* ids) noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL * (N + 1);
    std::size_t i = 0;
    for (; i + 1 < N; i += 2) h = mix64(h ^ ((std::uint64_t{ids[i]} << 32) | ids[i + 1]));
    if (i < N) h = mix64(h ^ ((std::uint64_t{ids[i]} << 32) | 0xFFFFFFFFull));
    return h;
}

// Calls f(std::integral_constant<std::size_t, n>{}) for n in 1..8, so loops over an
// n-gram's ids unroll.
template <class F>
decltype(auto) with_fixed_order(std::size_t n, F&& f) {
    switch (n) {
        case 1:
            return f(std::integral_constant<std::size_t, 1>{});
        case 2:
            return f(std::integral_constant<std::size_t, 2>{});
        case 3:
            return f(std::integral_constant<std::size_t, 3>{});
        case 4:
            return f(std::integral_constant<std::size_t, 4>{});
        case 5:
            return f(std::integral_constant<std::size_t, 5>{});
        case 6:
            return f(std::integral_constant<std::size_t, 6>{});
        case 7:
            return f(std::integral_constant<std::size_t, 7>{});
        default:
            return f(std::integral_constant<std::size_t, 8>{});
    }
}

inline std::uint64_t hash_ngram(const std::uint32_t* ids, std::size_t n) noexcept {
    return with_fixed_order(n, [&](auto order) { return hash_ngram<decltype(order)::value>(ids); });
}

inline int leading_zeros64(std::uint64_t x) noexcept {  // x != 0
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(x);
#else
    int r = 0;
    while (!(x & (std::uint64_t{1} << 63))) x <<= 1, ++r;
    return r;
#endif
}

}  // namespace detail

class hyperloglog {
public:
    static constexpr std::uint32_t format_version = 1;

    // A sketch for n-grams of order n (1..8) with 2^precision registers (4..18).
    // Throws std::invalid_argument otherwise.
    explicit hyperloglog(std::size_t n, unsigned precision = 14) : n_(n), p_(precision) {
        detail::check_ngram_order("hyperloglog", n);
        if (precision < 4 || precision > 18) {
            fail("hyperloglog", "precision must lie in 4..18 (got " + std::to_string(precision) + ")");
        }
        registers_.assign(std::size_t{1} << p_, 0);
    }

    std::size_t order() const noexcept { return n_; }
    unsigned precision() const noexcept { return p_; }
    std::size_t registers() const noexcept { return registers_.size(); }
    const std::vector<std::uint8_t>& register_values() const noexcept { return registers_; }
    // The relative standard error 1.04 / sqrt(m).
    double relative_standard_error() const noexcept { return 1.04 / std::sqrt(static_cast<double>(registers())); }

    // Records one 64-bit hash (for callers that hash items themselves).
    void add_hash(std::uint64_t h) noexcept { add_hash(h, registers_.data()); }

    // Records every n-gram of every document of c (never across a boundary).
    void add(const corpus& c) {
        for (std::size_t d = 0; d < c.documents(); ++d) add_ids(c.document(d));
    }
    // The same on up to ex's threads: each records a share of the n-gram positions in its
    // own registers, merged by maximum, which is exact, so the registers are the same
    // for every thread count.
    void add(const execution& ex, const corpus& c) {
        constexpr std::size_t chunk = std::size_t{1} << 18;  // n-gram positions per work item
        const std::size_t positions = c.size() < n_ ? 0 : c.size() - n_ + 1;
        const std::size_t chunks = detail::chunk_count(positions, chunk);
        const std::size_t workers = ex.workers(chunks, 2);
        if (workers <= 1) return add(c);
        std::vector<std::vector<std::uint8_t>> regs(workers, std::vector<std::uint8_t>(registers_.size(), 0));
        detail::parallel_for_workers(workers, chunks, [&](std::size_t i, std::size_t w) {
            detail::for_each_ngram_run(c, n_, i * chunk, std::min(positions, (i + 1) * chunk),
                                       [&](std::size_t first, std::size_t count) {
                                           add_run(c.tokens().data() + first, count, regs[w].data());
                                       });
        });
        for (const auto& r : regs) {
            for (std::size_t j = 0; j < registers_.size(); ++j) registers_[j] = std::max(registers_[j], r[j]);
        }
    }
    // Records every n-gram of one document of ids.
    void add_document(view<const std::uint32_t> ids) { add_ids(ids); }

    // Register-wise maximum: the sketch of the union. Throws std::invalid_argument
    // when the orders or precisions differ.
    hyperloglog& operator+=(const hyperloglog& other) {
        require(other.n_ == n_ && other.p_ == p_, "hyperloglog::operator+=",
                "sketches differ in order or precision (n " + std::to_string(n_) + " vs " + std::to_string(other.n_) +
                    ", p " + std::to_string(p_) + " vs " + std::to_string(other.p_) + ")");
        for (std::size_t j = 0; j < registers_.size(); ++j) {
            registers_[j] = std::max(registers_[j], other.registers_[j]);
        }
        return *this;
    }
    friend bool operator==(const hyperloglog& a, const hyperloglog& b) noexcept {
        return a.n_ == b.n_ && a.p_ == b.p_ && a.registers_ == b.registers_;
    }
    friend bool operator!=(const hyperloglog& a, const hyperloglog& b) noexcept { return !(a == b); }

    // The estimated number of distinct n-grams: value, standard_error = value * 1.04 /
    // sqrt(m) (the asymptotic relative error; linear counting is more precise than
    // that at small counts), n = m registers.
    estimate cardinality(hll_estimator e = hll_estimator::classic) const {
        const double m = static_cast<double>(registers());
        const int q = 64 - static_cast<int>(p_);
        std::vector<double> hist(static_cast<std::size_t>(q) + 2, 0.0);
        for (std::uint8_t r : registers_) hist[r] += 1.0;
        double value;
        if (e == hll_estimator::classic) {
            double inv = 0;
            for (int k = q + 1; k >= 0; --k) inv += hist[static_cast<std::size_t>(k)] * std::ldexp(1.0, -k);
            const double alpha = 0.7213 / (1.0 + 1.079 / m);
            value = alpha * m * m / inv;
            if (value <= 2.5 * m && hist[0] > 0) value = m * std::log(m / hist[0]);
        } else {
            double z = m * tau(1.0 - hist[static_cast<std::size_t>(q) + 1] / m);
            for (int k = q; k >= 1; --k) z = 0.5 * (z + hist[static_cast<std::size_t>(k)]);
            z += m * sigma(hist[0] / m);
            value = m * m / (2.0 * std::log(2.0) * z);
        }
        estimate r;
        r.value = value;
        r.standard_error = value * relative_standard_error();
        r.n = registers();
        return r;
    }

    // Bytes: "CKHL", u32 version, u32 n, u32 precision, then the 2^p registers.
    std::vector<std::uint8_t> serialize() const {
        std::vector<std::uint8_t> out;
        out.reserve(16 + registers_.size());
        for (std::uint32_t v : {0x4C484B43u /* "CKHL" */, format_version, static_cast<std::uint32_t>(n_),
                                static_cast<std::uint32_t>(p_)}) {
            for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        }
        out.insert(out.end(), registers_.begin(), registers_.end());
        return out;
    }

    // Reads serialize()'s bytes; throws std::invalid_argument on a wrong magic or
    // version, invalid order or precision, a wrong length, or a register above 65 - p.
    static hyperloglog deserialize(view<const std::uint8_t> bytes) {
        constexpr const char* fn = "hyperloglog::deserialize";
        require(bytes.size() >= 16, fn, "bytes are truncated");
        auto word = [&](std::size_t at) {
            std::uint32_t v = 0;
            for (std::size_t i = 0; i < 4; ++i) v |= std::uint32_t{bytes[at + i]} << (8 * i);
            return v;
        };
        require(word(0) == 0x4C484B43u, fn, "bytes do not start with the magic \"CKHL\"");
        require(word(4) == format_version, fn,
                "version " + std::to_string(word(4)) + " is not supported (this build reads version " +
                    std::to_string(format_version) + ")");
        const std::uint32_t n = word(8), p = word(12);
        detail::check_ngram_order(fn, n);
        require(p >= 4 && p <= 18, fn, "precision must lie in 4..18 (got " + std::to_string(p) + ")");
        // The length before the 2^p registers are allocated (p <= 18 bounds them, but no
        // allocation is sized from the bytes before the bytes are known to hold it).
        require(bytes.size() - 16 == std::size_t{1} << p, fn, "bytes are truncated or have trailing data");
        hyperloglog h(n, p);
        for (std::size_t j = 0; j < h.registers_.size(); ++j) {
            const std::uint8_t r = bytes[16 + j];
            // A rank is at most 65 - p (add_hash). The message is built only on failure:
            // the loop runs over every register.
            if (r > 65 - p) fail(fn, "register " + std::to_string(j) + " holds an impossible value");
            h.registers_[j] = r;
        }
        return h;
    }
    template <class Bytes>
    static hyperloglog deserialize(const Bytes& bytes) {
        return deserialize(view<const std::uint8_t>(as_view(bytes)));
    }

private:
    void add_hash(std::uint64_t h, std::uint8_t* regs) const noexcept {
        const std::size_t j = static_cast<std::size_t>(h >> (64 - p_));
        const std::uint64_t w = (h << p_) | (std::uint64_t{1} << (p_ - 1));
        const auto rank = static_cast<std::uint8_t>(detail::leading_zeros64(w) + 1);
        if (rank > regs[j]) regs[j] = rank;
    }
    // Records the `count` n-grams starting at ids[0], ..., ids[count - 1] into regs.
    void add_run(const std::uint32_t* ids, std::size_t count, std::uint8_t* regs) const noexcept {
        detail::with_fixed_order(n_, [&](auto order) {
            for (std::size_t i = 0; i < count; ++i) add_hash(detail::hash_ngram<decltype(order)::value>(ids + i), regs);
        });
    }
    template <std::size_t N>
    void add_fixed(view<const std::uint32_t> ids) noexcept {
        if (ids.size() < N) return;
        const std::size_t last = ids.size() - N;
        const std::uint32_t* p = ids.data();
        for (std::size_t i = 0; i <= last; ++i) add_hash(detail::hash_ngram<N>(p + i));
    }
    void add_ids(view<const std::uint32_t> ids) noexcept {
        detail::with_fixed_order(n_, [&](auto order) { add_fixed<decltype(order)::value>(ids); });
    }

    // Ertl's sigma(x) = x + sum_{k>=1} x^(2^k) 2^(k-1), for x in [0, 1].
    static double sigma(double x) noexcept {
        if (x == 1.0) return std::numeric_limits<double>::infinity();
        double y = 1.0, z = x, prev;
        do {
            x *= x;
            prev = z;
            z += x * y;
            y += y;
        } while (z != prev);
        return z;
    }
    // Ertl's tau(x) = (1/3) (1 - x - sum_{k>=1} (1 - x^(2^-k))^2 2^-k), for x in [0, 1].
    static double tau(double x) noexcept {
        if (x == 0.0 || x == 1.0) return 0.0;
        double y = 1.0, z = 1.0 - x, prev;
        do {
            x = std::sqrt(x);
            prev = z;
            y *= 0.5;
            z -= (1.0 - x) * (1.0 - x) * y;
        } while (z != prev);
        return z / 3.0;
    }

    std::size_t n_;
    unsigned p_;
    std::vector<std::uint8_t> registers_;
};

}  // namespace collapsekit
