// What "any byte string gives a valid object or a clear exception" means, checked the same
// way by the libFuzzer targets (tests/fuzz/fuzz_deserialize_*.cpp) and by the doctest
// regression suite (tests/test_deserialize_forged.cpp), so that a reproducer the fuzzer
// finds and the test that keeps it fixed judge it alike.
//
// check_bytes<T>(bytes) deserialises; std::invalid_argument whose message names a
// collapsekit function is the expected refusal. An object that loads must hold its type's
// invariants, serialise back to exactly the same bytes, and survive the operations a user
// runs next (merging with itself, estimates), each giving a value in its documented range
// or a documented exception. The answer is "" when all is well, else what went wrong.
// Any other exception escapes to the caller (a crash for the fuzzer, an error for doctest).
#pragma once

#include <collapsekit/entropy.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/ngram.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace collapsekit_fuzz {

namespace ck = collapsekit;

// "" when the message is a clear collapsekit error ("collapsekit::<function>: <what>").
inline std::string check_message(const std::invalid_argument& e) {
    const std::string m = e.what();
    if (m.rfind("collapsekit::", 0) != 0 || m.find(": ") == std::string::npos) return "unclear error message: " + m;
    return "";
}

// Runs f(); a std::invalid_argument (or std::domain_error) with a clear message counts as a
// documented refusal and gives "", as does a normal return (then `ok` is set).
template <class F>
std::string documented_or_value(F&& f, bool& ok) {
    ok = false;
    try {
        f();
        ok = true;
    } catch (const std::invalid_argument& e) {
        return check_message(e);
    } catch (const std::domain_error& e) {
        const std::string m = e.what();
        if (m.rfind("collapsekit::", 0) != 0) return "unclear error message: " + m;
    }
    return "";
}

inline std::string check_loaded(const ck::histogram& h, const std::vector<std::uint8_t>& bytes) {
    if (h.serialize() != bytes) return "histogram: serialize() of the loaded object differs from the bytes";
    const std::size_t n = h.bins();
    const auto& e = h.edges();
    if (n == 0 || n > ck::histogram::max_bins) return "histogram: bins out of range";
    if (e.size() != n + 1 || h.counts().size() != n) return "histogram: edges or counts of the wrong size";
    for (std::size_t i = 0; i <= n; ++i) {
        if (!std::isfinite(e[i])) return "histogram: a non-finite edge";
        if (i > 0 && e[i] < e[i - 1]) return "histogram: edges out of order";
    }
    // (Equal as numbers: a regular binning's first edge is 0 * step + lo, +0 for lo = -0.)
    if (!(e.front() == h.lo() && e.back() == h.hi())) return "histogram: lo / hi are not the first / last edge";
    if (h.binning_kind() == ck::histogram::kind::regular && !(h.lo() < h.hi())) return "histogram: regular lo >= hi";
    if (h.binning_kind() == ck::histogram::kind::integer) {
        for (std::size_t i = 0; i <= n; ++i) {
            if (e[i] != static_cast<double>(i)) return "histogram: integer edges are not 0..k";
        }
    }
    if (h.weighted()) {
        if (h.sum_weights().size() != n || h.sum_weights_squared().size() != n) return "histogram: weight sums' size";
        for (std::size_t i = 0; i < n; ++i) {
            if (!(h.sum_weights_squared()[i] >= 0.0)) return "histogram: a negative or NaN squared-weight sum";
            if (h.counts()[i] == 0 && (h.sum_weights()[i] != 0.0 || h.sum_weights_squared()[i] != 0.0))
                return "histogram: weight in an empty bin";
        }
    } else if (!h.sum_weights().empty() || !h.sum_weights_squared().empty()) {
        return "histogram: weight sums without weights";
    }
    if (h.nan_propagated() && h.nan_count() == 0) return "histogram: NaN mark without NaN";

    // What a user does next: every call returns in range or refuses clearly.
    std::string bad;
    bool ok = false;
    for (auto f : {ck::histogram::flow::exclude, ck::histogram::flow::include}) {
        std::vector<double> p;
        bad = documented_or_value([&] { p = h.probabilities(f); }, ok);
        if (!bad.empty()) return bad;
        if (ok && p.size() != n) return "histogram: probabilities() of the wrong size";
        if (ok && h.nan_propagated()) {
            for (double v : p) {
                if (!std::isnan(v)) return "histogram: probabilities() not NaN after a propagated NaN";
            }
        }
        bad = documented_or_value([&] { p = h.density(f); }, ok);
        if (!bad.empty()) return bad;
    }
    double q = 0;
    bad = documented_or_value([&] { q = h.quantile(0.5); }, ok);
    if (!bad.empty()) return bad;
    if (ok && !std::isnan(q) && !(q >= h.lo() && q <= h.hi())) return "histogram: quantile outside [lo, hi]";
    if (ok && h.nan_propagated() && !std::isnan(q)) return "histogram: quantile not NaN after a propagated NaN";

    // Merging a shard with itself (or refusing for a count past 2^64) gives bytes that load.
    ck::histogram twice = h;
    bad = documented_or_value([&] { twice += h; }, ok);
    if (!bad.empty()) return bad;
    if (ok) {
        for (std::size_t i = 0; i < n; ++i) {
            if (twice.counts()[i] != 2 * h.counts()[i]) return "histogram: += of itself did not double a count";
        }
        const auto b2 = twice.serialize();
        if (ck::histogram::deserialize(b2).serialize() != b2) return "histogram: a merged histogram does not reload";
    } else if (twice.serialize() != bytes) {
        return "histogram: a refused += changed the histogram";
    }
    const auto empty = h.empty_like().serialize();
    if (ck::histogram::deserialize(empty).serialize() != empty) return "histogram: empty_like() does not reload";
    // A short fill (value by value when the histogram has many bins, else the kernels).
    ck::histogram filled = h;
    const double values[] = {h.lo(), h.hi(), 0.5 * (h.lo() + h.hi()),
                             -1e300, 1e300,  std::numeric_limits<double>::quiet_NaN()};
    bad = documented_or_value([&] { filled.fill(values, ck::nan_policy::omit); }, ok);
    if (!bad.empty()) return bad;
    const auto b3 = filled.serialize();
    if (ck::histogram::deserialize(b3).serialize() != b3) return "histogram: a filled histogram does not reload";
    return "";
}

inline std::string check_loaded(const ck::entropy_accumulator& a, const std::vector<std::uint8_t>& bytes) {
    if (a.serialize() != bytes) return "entropy_accumulator: serialize() of the loaded object differs from the bytes";
    std::uint64_t sum = 0;
    for (std::uint64_t c : a.counts()) {
        if (sum + c < sum) return "entropy_accumulator: counts sum past 2^64";
        sum += c;
    }
    if (sum != a.total()) return "entropy_accumulator: total() is not the sum of the counts";
    std::string bad;
    bool ok = false;
    double h = 0;
    bad = documented_or_value([&] { h = a.entropy().value; }, ok);
    if (!bad.empty()) return bad;
    // Empty counts must be refused; others may be too (a total the estimator cannot hold
    // in a double, 2^64 - 1 rounding up to 2^64), clearly.
    if (ok && a.total() == 0) return "entropy_accumulator: entropy() of no observations did not throw";
    // The plug-in entropy lies in [0, log K] (a few ulp of rounding allowed).
    if (ok && !(h >= 0.0 && h <= std::log(static_cast<double>(a.categories())) * (1 + 1e-12) + 1e-12))
        return "entropy_accumulator: plug-in entropy outside [0, log K]";
    ck::entropy_accumulator twice = a;
    bad = documented_or_value([&] { twice += a; }, ok);
    if (!bad.empty()) return bad;
    if (ok) {
        const auto b2 = twice.serialize();
        if (ck::entropy_accumulator::deserialize(b2) != twice) return "entropy_accumulator: a merge does not reload";
    } else if (twice != a || twice.total() != a.total()) {
        return "entropy_accumulator: a refused += changed the accumulator";
    }
    return "";
}

inline std::string check_loaded(const ck::ngram_counts& t, const std::vector<std::uint8_t>& bytes) {
    if (t.serialize() != bytes) return "ngram_counts: serialize() of the loaded object differs from the bytes";
    if (t.order() == 0 || t.order() > ck::max_ngram_order) return "ngram_counts: order out of range";
    std::uint64_t sum = 0;
    std::size_t entries = 0;
    std::string bad;
    t.for_each([&](ck::view<const std::uint32_t> ids, std::uint64_t c) {
        ++entries;
        sum += c;
        if (c == 0 && bad.empty()) bad = "ngram_counts: a zero count";
        if (ids.size() != t.order() && bad.empty()) bad = "ngram_counts: an entry of the wrong order";
        if (t.count(ids) != c && bad.empty()) bad = "ngram_counts: count() disagrees with for_each()";
    });
    if (!bad.empty()) return bad;
    if (entries != t.distinct() || sum != t.total()) return "ngram_counts: total or distinct disagree with the entries";
    bool ok = false;
    ck::ngram_counts twice = t;
    bad = documented_or_value([&] { twice += t; }, ok);
    if (!bad.empty()) return bad;
    if (ok) {
        const auto b2 = twice.serialize();
        if (ck::ngram_counts::deserialize(b2) != twice) return "ngram_counts: a merge does not reload";
    } else if (twice != t) {
        return "ngram_counts: a refused += changed the table";
    }
    return "";
}

inline std::string check_loaded(const ck::hyperloglog& h, const std::vector<std::uint8_t>& bytes) {
    if (h.serialize() != bytes) return "hyperloglog: serialize() of the loaded object differs from the bytes";
    if (h.precision() < 4 || h.precision() > 18 || h.registers() != (std::size_t{1} << h.precision()))
        return "hyperloglog: precision or register count out of range";
    for (std::uint8_t r : h.register_values()) {
        if (r > 65 - h.precision()) return "hyperloglog: impossible register";
    }
    for (auto e : {ck::hll_estimator::classic, ck::hll_estimator::ertl}) {
        const double v = h.cardinality(e).value;
        if (!(v >= 0.0) || std::isnan(v)) return "hyperloglog: cardinality negative or NaN";
    }
    ck::hyperloglog twice = h;
    twice += h;
    if (twice != h) return "hyperloglog: += of itself changed the registers";
    return "";
}

// Deserialises bytes as a T: "" for a clear refusal or a loaded object that passes
// check_loaded, else the problem.
template <class T>
std::string check_bytes(const std::vector<std::uint8_t>& bytes) {
    try {
        const T t = T::deserialize(bytes);
        return check_loaded(t, bytes);
    } catch (const std::invalid_argument& e) {
        return check_message(e);
    }
}

}  // namespace collapsekit_fuzz
