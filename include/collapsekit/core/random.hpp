// A portable, seedable random number generator and the samplers collapsekit needs.
//
// std::normal_distribution and friends are implementation-defined, so the same seed
// gives different numbers under libstdc++, libc++ and MSVC. Everything here is
// specified to the bit:
//  - rng is xoshiro256** (Blackman & Vigna, 2018), seeded through splitmix64;
//  - uniform doubles take the top 53 bits; bounded integers use Lemire's unbiased
//    multiply-shift rejection;
//  - samplers use only IEEE-exact operations (+ - * / sqrt) plus std::log / std::exp /
//    std::pow, so their output is identical wherever those agree (every glibc build we
//    test) and the compiler does not fuse multiply-adds (our builds pass
//    -ffp-contract=off; pass it too if you need bit-identical streams across
//    instruction sets).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "view.hpp"

namespace collapsekit {

namespace detail {
// 64 x 64 -> 128-bit products; __extension__ keeps -Wpedantic quiet about the type.
__extension__ typedef unsigned __int128 uint128;
}  // namespace detail

// splitmix64 (Steele, Lea & Flood 2014): a bijective mixer used to expand seeds.
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Mixes a seed and a stream number into one well-spread 64-bit seed.
constexpr std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) noexcept {
    std::uint64_t s = seed;
    std::uint64_t a = splitmix64(s);
    std::uint64_t t = stream ^ 0x6a09e667f3bcc909ULL;
    std::uint64_t b = splitmix64(t);
    std::uint64_t c = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
    return splitmix64(c);
}

// xoshiro256**: 256-bit state, period 2^256 - 1, passes BigCrush. Satisfies
// UniformRandomBitGenerator, so it also drives standard algorithms.
class rng {
public:
    using result_type = std::uint64_t;

    explicit rng(std::uint64_t seed = 0x5eed5eed5eed5eedULL) noexcept { reseed(seed); }

    // The generator for independent stream `stream` under `seed`: replicate r of a
    // study uses rng::for_stream(seed, r), so its numbers do not depend on which
    // thread runs it or in which order.
    static rng for_stream(std::uint64_t seed, std::uint64_t stream) noexcept { return rng(mix_seed(seed, stream)); }

    void reseed(std::uint64_t seed) noexcept {
        std::uint64_t sm = seed;
        for (auto& w : s_) w = splitmix64(sm);
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    result_type operator()() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform on [0, 1), multiples of 2^-53.
    double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

    // Uniform on (0, 1): never 0, so safe under log.
    double uniform_open() noexcept { return (static_cast<double>((*this)() >> 11) + 0.5) * 0x1.0p-53; }

    // Uniform integer in [0, n), unbiased (Lemire 2019). n = 0 returns 0.
    std::uint64_t below(std::uint64_t n) noexcept {
        if (n == 0) return 0;
        detail::uint128 m = static_cast<detail::uint128>((*this)()) * n;
        auto low = static_cast<std::uint64_t>(m);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                m = static_cast<detail::uint128>((*this)()) * n;
                low = static_cast<std::uint64_t>(m);
            }
        }
        return static_cast<std::uint64_t>(m >> 64);
    }

    // Advances the state by 2^128 draws: 2^128 non-overlapping subsequences.
    void jump() noexcept {
        constexpr std::uint64_t kJump[] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL, 0xa9582618e03fc9aaULL,
                                           0x39abdc4529b1661cULL};
        std::uint64_t t[4] = {0, 0, 0, 0};
        for (std::uint64_t word : kJump) {
            for (int b = 0; b < 64; ++b) {
                if (word & (std::uint64_t{1} << b)) {
                    for (int i = 0; i < 4; ++i) t[i] ^= s_[i];
                }
                (*this)();
            }
        }
        for (int i = 0; i < 4; ++i) s_[i] = t[i];
    }

    friend bool operator==(const rng& a, const rng& b) noexcept {
        return a.s_[0] == b.s_[0] && a.s_[1] == b.s_[1] && a.s_[2] == b.s_[2] && a.s_[3] == b.s_[3];
    }
    friend bool operator!=(const rng& a, const rng& b) noexcept { return !(a == b); }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

// Uniform on [lo, hi).
class uniform_distribution {
public:
    uniform_distribution(double lo, double hi) : lo_(lo), width_(hi - lo) {
        require(
            std::isfinite(lo) && std::isfinite(hi) && lo < hi && std::isfinite(width_), "uniform_distribution",
            "needs finite lo < hi (got lo = " + detail::format_value(lo) + ", hi = " + detail::format_value(hi) + ")");
    }
    double operator()(rng& g) const noexcept { return lo_ + width_ * g.uniform(); }

private:
    double lo_, width_;
};

// Normal(mean, sd) by Marsaglia's polar method. The second variate of each pair is
// kept for the next call, so a distribution object is not shared between threads.
class normal_distribution {
public:
    explicit normal_distribution(double mean = 0.0, double sd = 1.0) : mean_(mean), sd_(sd) {
        require_finite("normal_distribution", "mean", mean);
        require_non_negative("normal_distribution", "sd", sd);
    }
    double mean() const noexcept { return mean_; }
    double sd() const noexcept { return sd_; }

    double operator()(rng& g) noexcept { return mean_ + sd_ * standard(g); }

    // A standard normal variate.
    double standard(rng& g) noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u, v, s;
        do {
            u = 2.0 * g.uniform() - 1.0;
            v = 2.0 * g.uniform() - 1.0;
            const double uu = u * u;
            const double vv = v * v;
            s = uu + vv;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * f;
        has_spare_ = true;
        return u * f;
    }
    void reset() noexcept { has_spare_ = false; }

private:
    double mean_, sd_;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

// Exponential with the given rate (mean 1 / rate), by inversion.
class exponential_distribution {
public:
    explicit exponential_distribution(double rate = 1.0) : rate_(rate) {
        require_positive("exponential_distribution", "rate", rate);
    }
    double operator()(rng& g) const noexcept { return -std::log(g.uniform_open()) / rate_; }

private:
    double rate_;
};

// Pareto (type I) with scale x_m > 0 and tail index alpha > 0: P(X > x) = (x_m / x)^alpha.
class pareto_distribution {
public:
    pareto_distribution(double scale, double alpha) : scale_(scale), inv_alpha_(0.0) {
        require_positive("pareto_distribution", "scale", scale);
        require_positive("pareto_distribution", "alpha", alpha);
        inv_alpha_ = 1.0 / alpha;
    }
    double operator()(rng& g) const noexcept { return scale_ * std::pow(g.uniform_open(), -inv_alpha_); }

private:
    double scale_, inv_alpha_;
};

// True with probability p.
class bernoulli_distribution {
public:
    explicit bernoulli_distribution(double p) : p_(p) { require_unit_interval("bernoulli_distribution", "p", p); }
    bool operator()(rng& g) const noexcept { return g.uniform() < p_; }

private:
    double p_;
};

// Index k in [0, K) with probability w_k / sum(w), by Walker's alias method (Vose's
// stable construction): O(K) set-up, O(1) per draw, one 64-bit draw per sample.
class categorical_distribution {
public:
    categorical_distribution() = default;

    template <class Range>
    explicit categorical_distribution(const Range& weights) {
        build(as_view(weights));
    }

    std::size_t size() const noexcept { return prob_.size(); }
    // The normalised probabilities the table was built from.
    const std::vector<double>& probabilities() const noexcept { return p_; }

    std::size_t operator()(rng& g) const noexcept {
        const std::uint64_t r = g();
        // High bits choose the column, the low 53 bits the coin, so one draw serves both.
        const auto col = static_cast<std::size_t>((static_cast<detail::uint128>(r) * prob_.size()) >> 64);
        const double coin = static_cast<double>(r & ((std::uint64_t{1} << 53) - 1)) * 0x1.0p-53;
        return coin < prob_[col] ? col : alias_[col];
    }

private:
    template <class T>
    void build(view<const T> w) {
        constexpr const char* fn = "categorical_distribution";
        require_not_empty(fn, "weights", w.size());
        double total = 0.0;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const double x = static_cast<double>(w[i]);
            if (!(x >= 0.0) || !std::isfinite(x)) {
                fail(fn, "weights must be non-negative and finite (weights[" + std::to_string(i) +
                             "] = " + detail::format_value(x) + ")");
            }
            total += x;
        }
        require(total > 0.0 && std::isfinite(total), fn, "weights must have a positive, finite sum");
        const std::size_t k = w.size();
        p_.resize(k);
        prob_.assign(k, 0.0);
        alias_.assign(k, 0);
        std::vector<double> scaled(k);
        std::vector<std::size_t> small, large;
        small.reserve(k);
        large.reserve(k);
        for (std::size_t i = 0; i < k; ++i) {
            p_[i] = static_cast<double>(w[i]) / total;
            scaled[i] = p_[i] * static_cast<double>(k);
            (scaled[i] < 1.0 ? small : large).push_back(i);
        }
        while (!small.empty() && !large.empty()) {
            const std::size_t s = small.back();
            small.pop_back();
            const std::size_t l = large.back();
            prob_[s] = scaled[s];
            alias_[s] = l;
            scaled[l] = (scaled[l] + scaled[s]) - 1.0;
            if (scaled[l] < 1.0) {
                large.pop_back();
                small.push_back(l);
            }
        }
        // Leftovers are 1 up to rounding.
        for (std::size_t i : large) prob_[i] = 1.0, alias_[i] = i;
        for (std::size_t i : small) prob_[i] = 1.0, alias_[i] = i;
    }

    std::vector<double> p_;
    std::vector<double> prob_;
    std::vector<std::size_t> alias_;
};

// Bounded Zipf: value k in {1, ..., K} with probability proportional to k^-s (s >= 0).
class zipf_distribution {
public:
    zipf_distribution(std::size_t k, double s) : s_(s) {
        require(k >= 1, "zipf_distribution", "K must be at least 1");
        require_non_negative("zipf_distribution", "s", s);
        std::vector<double> w(k);
        for (std::size_t i = 0; i < k; ++i) w[i] = std::pow(static_cast<double>(i + 1), -s);
        table_ = categorical_distribution(w);
    }
    std::size_t size() const noexcept { return table_.size(); }
    double exponent() const noexcept { return s_; }
    // P(value = k + 1) for k in [0, K).
    const std::vector<double>& probabilities() const noexcept { return table_.probabilities(); }
    std::size_t operator()(rng& g) const noexcept { return table_(g) + 1; }

private:
    double s_;
    categorical_distribution table_;
};

// Fisher-Yates shuffle driven by rng (std::shuffle's output is implementation-defined).
template <class RandomIt>
void shuffle(RandomIt first, RandomIt last, rng& g) noexcept {
    const auto n = static_cast<std::uint64_t>(last - first);
    for (std::uint64_t i = n; i > 1; --i) {
        const std::uint64_t j = g.below(i);
        using std::swap;
        swap(first[static_cast<std::ptrdiff_t>(i - 1)], first[static_cast<std::ptrdiff_t>(j)]);
    }
}

}  // namespace collapsekit
