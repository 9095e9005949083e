// Forged and damaged serialised accumulators (issue 19): any byte string must give a valid
// object or a clear std::invalid_argument, never a huge allocation from a forged size.
// Every deserialiser (histogram, entropy_accumulator, ngram_counts, hyperloglog) is fed
// every truncation of a valid payload, every single-byte change of a small one, and huge
// values in each length field; reproducers found by the fuzzers (tests/fuzz/) live here too.
// The judgement is tests/fuzz/deserialize_check.hpp's, shared with the fuzz targets.
#include <collapsekit/entropy.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/ngram.hpp>

#include <doctest/doctest.h>

#include "fuzz/deserialize_check.hpp"
#include "test_support.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;

// Named, not anonymous: the unity build compiles this file beside the others.
namespace deserialize_forged_test {

using bytes_t = std::vector<std::uint8_t>;

// Little-endian field writers, to forge a field in place.
void put_u64(bytes_t& b, std::size_t at, std::uint64_t v) {
    for (std::size_t k = 0; k < 8; ++k) b[at + k] = static_cast<std::uint8_t>(v >> (8 * k));
}
void put_u32(bytes_t& b, std::size_t at, std::uint32_t v) {
    for (std::size_t k = 0; k < 4; ++k) b[at + k] = static_cast<std::uint8_t>(v >> (8 * k));
}

// Small valid payloads of every kind each type has.
std::vector<bytes_t> histogram_payloads() {
    std::vector<bytes_t> out;
    const std::vector<double> x{-2.0, -0.5, 0.0, 0.25, 0.25, 0.9, 3.0};
    auto r = ck::histogram::regular(3, -1.0, 1.0);
    r.fill(x);
    out.push_back(r.serialize());
    auto e = ck::histogram::with_edges({-1.0, 0.0, 0.0, 1.0});
    const std::vector<double> w{0.5, -1.0, 2.0, 1.0, 0.0, 3.0, 1.0};
    e.fill(x, w);
    out.push_back(e.serialize());
    auto i = ck::histogram::integer(2);
    const std::vector<double> xi{0.0, 1.0, 1.0, -1.0, std::numeric_limits<double>::quiet_NaN()};
    i.fill(xi, ck::nan_policy::propagate);
    out.push_back(i.serialize());
    // lo = -0: the first edge is 0 * step + lo = +0 (a fuzzer find: a checker comparing
    // lo with the first edge bit for bit called this valid payload broken).
    auto z = ck::histogram::regular(2, -0.0, 1.0);
    z.fill(x);
    out.push_back(z.serialize());
    return out;
}
std::vector<bytes_t> entropy_payloads() {
    ck::entropy_accumulator a(3);
    a.add(0, 5);
    a.add(2);
    return {a.serialize(), ck::entropy_accumulator().serialize()};
}
std::vector<bytes_t> ngram_payloads() {
    ck::ngram_counts t(2);
    t.add_document(std::vector<std::uint32_t>{1, 2, 1, 2, 300});
    return {t.serialize(), ck::ngram_counts(1).serialize()};
}
std::vector<bytes_t> hyperloglog_payloads() {
    ck::hyperloglog h(2, 4);
    const std::vector<std::uint32_t> ids{1, 2, 3, 4, 5, 6, 7, 8, 9};
    h.add_document(ck::as_view(ids));
    return {h.serialize()};
}

// Every proper prefix (and one trailing byte more) is refused; the payload itself loads.
template <class T>
void check_truncations(const bytes_t& good) {
    CHECK(collapsekit_fuzz::check_bytes<T>(good) == "");
    CHECK_NOTHROW((void)T::deserialize(good));
    for (std::size_t n = 0; n < good.size(); ++n) {
        CAPTURE(n);
        const bytes_t cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK_THROWS_AS((void)T::deserialize(cut), std::invalid_argument);
    }
    bytes_t longer = good;
    longer.push_back(0);
    CHECK_THROWS_AS((void)T::deserialize(longer), std::invalid_argument);
}

// Every byte set to every other value: a clear refusal, or an object that holds its
// invariants and serialises back to the same bytes. Returns how many of them loaded.
template <class T>
std::size_t check_mutations(const bytes_t& good) {
    std::size_t loaded = 0;
    bytes_t b = good;
    for (std::size_t at = 0; at < good.size(); ++at) {
        for (unsigned v = 0; v < 256; ++v) {
            if (v == good[at]) continue;
            b[at] = static_cast<std::uint8_t>(v);
            const std::string problem = collapsekit_fuzz::check_bytes<T>(b);
            if (!problem.empty()) {
                CAPTURE(at);
                CAPTURE(v);
                CHECK(problem == "");
            }
            try {
                (void)T::deserialize(b);
                ++loaded;
            } catch (const std::invalid_argument&) {
            }
        }
        b[at] = good[at];
    }
    return loaded;
}

// The bytes are refused with std::invalid_argument, at once (no allocation sized by the
// forged field: that would take seconds or end in std::bad_alloc).
template <class T>
void check_refused_quickly(const bytes_t& b) {
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS((void)T::deserialize(b), std::invalid_argument);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(s < 1.0);
}

constexpr std::uint64_t forged_sizes[] = {std::uint64_t{1} << 32, (std::uint64_t{1} << 32) + 1, std::uint64_t{1} << 61,
                                          std::uint64_t{1} << 62, std::uint64_t{1} << 63,       ~std::uint64_t{0}};

TEST_CASE("forged: the 184-byte histogram with 0xff at offset 11 (the bin count) is refused at once") {
    // The report of issue 19: 16 regular bins serialise to 184 bytes; byte 11 is the top
    // byte of the low half of the bin count, so 0xff claims 16 + 255 * 2^24 bins (34 GB of
    // edges and counts) for a payload of 184 bytes.
    auto h = ck::histogram::regular(16, 0.0, 1.0);
    h.fill(std::vector<double>{0.1, 0.2, 0.2, 0.7, 1.5, -3.0});
    bytes_t b = h.serialize();
    REQUIRE(b.size() == 184);
    b[11] = 0xff;
    check_refused_quickly<ck::histogram>(b);
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::histogram::deserialize(b); }) ==
          "collapsekit::histogram::deserialize: bytes have the wrong length for 4278190096 bins (152 bytes after the "
          "binning, expected 34225520792)");
    // The same forged count in the other kinds: edges are checked before they are read.
    for (bytes_t k : {ck::histogram::integer(16).serialize(),
                      ck::histogram::with_edges(std::vector<double>(17, 1.0)).serialize()}) {
        k[11] = 0xff;
        check_refused_quickly<ck::histogram>(k);
    }
}

TEST_CASE("forged: huge values in every length field are refused at once") {
    for (const std::uint64_t v : forged_sizes) {
        CAPTURE(v);
        for (bytes_t b : histogram_payloads()) {
            put_u64(b, 8, v);  // bins
            check_refused_quickly<ck::histogram>(b);
        }
        for (bytes_t b : entropy_payloads()) {
            put_u64(b, 4, v);  // K (2^61: 8 K wraps to 0, so a 12-byte payload would look right)
            check_refused_quickly<ck::entropy_accumulator>(b);
        }
        for (bytes_t b : ngram_payloads()) {
            bytes_t d = b;
            put_u64(d, 20, v);  // distinct (2^62 with 12-byte entries wraps to 0 bytes)
            check_refused_quickly<ck::ngram_counts>(d);
            put_u64(b, 12, v);  // total
            check_refused_quickly<ck::ngram_counts>(b);
        }
    }
    // The 32-bit fields: n-gram orders and HLL precision.
    for (const std::uint32_t v : {0u, 9u, 19u, 63u, 64u, 1u << 31, ~0u}) {
        CAPTURE(v);
        for (bytes_t b : ngram_payloads()) {
            put_u32(b, 8, v);  // n
            check_refused_quickly<ck::ngram_counts>(b);
        }
        for (bytes_t b : hyperloglog_payloads()) {
            bytes_t n = b;
            put_u32(n, 8, v);  // n
            check_refused_quickly<ck::hyperloglog>(n);
            put_u32(b, 12, v);  // precision (2^p registers)
            check_refused_quickly<ck::hyperloglog>(b);
        }
    }
    // A bare 12-byte entropy header claiming 2^61 categories, and an empty n-gram table
    // claiming 2^62 entries: their byte counts wrap to exactly the bytes present.
    bytes_t ea = ck::entropy_accumulator().serialize();
    put_u64(ea, 4, std::uint64_t{1} << 61);
    check_refused_quickly<ck::entropy_accumulator>(ea);
    bytes_t ng = ck::ngram_counts(1).serialize();
    put_u64(ng, 20, std::uint64_t{1} << 62);
    check_refused_quickly<ck::ngram_counts>(ng);
}

TEST_CASE("forged: every truncation of a valid payload is refused") {
    for (const auto& b : histogram_payloads()) check_truncations<ck::histogram>(b);
    for (const auto& b : entropy_payloads()) check_truncations<ck::entropy_accumulator>(b);
    for (const auto& b : ngram_payloads()) check_truncations<ck::ngram_counts>(b);
    for (const auto& b : hyperloglog_payloads()) check_truncations<ck::hyperloglog>(b);
}

TEST_CASE("forged: every single-byte change loads as a valid object or is refused") {
    // Counts and weights are free fields, so some changes load (and must round-trip).
    for (const auto& b : histogram_payloads()) CHECK(check_mutations<ck::histogram>(b) > 0);
    for (const auto& b : entropy_payloads()) check_mutations<ck::entropy_accumulator>(b);
    for (const auto& b : ngram_payloads()) check_mutations<ck::ngram_counts>(b);
    for (const auto& b : hyperloglog_payloads()) CHECK(check_mutations<ck::hyperloglog>(b) > 0);
}

TEST_CASE("forged: fields serialize() never writes are refused with a clear message") {
    auto message = [](const bytes_t& b) {
        return collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::histogram::deserialize(b); });
    };
    const auto payloads = histogram_payloads();
    bytes_t b = payloads[0];
    b[7] = 1;
    CHECK(message(b) == "collapsekit::histogram::deserialize: bytes hold a non-zero reserved byte (offset 7)");
    // integer(2) ignores lo and hi when it rebuilds the binning: changed ones must not load.
    b = payloads[2];
    put_u64(b, 24, 0x4008000000000000ULL);  // hi = 3
    CHECK(message(b) ==
          "collapsekit::histogram::deserialize: lo and hi (0, 3) disagree with the binning's first and last edge (0, "
          "2)");
    // NaN marked as propagated without a NaN counted.
    b = payloads[0];
    b[6] = 2;
    CHECK(message(b) == "collapsekit::histogram::deserialize: bytes mark NaN as propagated but count no NaN");
    // A weighted bin: a negative squared-weight sum, and weight in an empty bin.
    b = payloads[1];
    const std::size_t w2_bin0 = b.size() - 3 * 8;
    put_u64(b, w2_bin0, 0xBFF0000000000000ULL);  // -1.0
    CHECK(message(b) ==
          "collapsekit::histogram::deserialize: the bin 0 has a negative or NaN sum of squared weights (-1)");
    // The edges histogram's bin 1 ([0, 0), zero width) is empty: give it a weight.
    b = payloads[1];
    const std::size_t w_bin1 = b.size() - 5 * 8;
    put_u64(b, w_bin1, 0x3FF0000000000000ULL);  // 1.0
    CHECK(message(b) ==
          "collapsekit::histogram::deserialize: the bin 1 has no entries but non-zero weight sums (1, 0)");
    // NaN edges, non-monotone edges and lo >= hi go to the factories, which name themselves.
    b = payloads[0];
    put_u64(b, 16, 0x7FF8000000000000ULL);  // lo = NaN
    CHECK_THROWS_AS((void)ck::histogram::deserialize(b), std::invalid_argument);
    b = payloads[0];
    put_u64(b, 24, 0xBFF0000000000000ULL);  // hi = -1 = lo
    CHECK(message(b) == "collapsekit::histogram::regular: lo must be less than hi (got lo = -1, hi = -1)");
    // Entropy counts whose sum passes 2^64; n-gram totals that disagree.
    ck::entropy_accumulator a(2);
    a.add(0, std::uint64_t{1} << 63);
    a.add(1, std::uint64_t{1} << 62);
    bytes_t eb = a.serialize();
    put_u64(eb, 20, std::uint64_t{1} << 63);
    CHECK(collapsekit_test::error_message([&] { (void)ck::entropy_accumulator::deserialize(eb); }) ==
          "collapsekit::entropy_accumulator::deserialize: counts sum past 2^64");
}

TEST_CASE("forged: reproducers the fuzzers found") {
    // fuzz_deserialize_entropy: one category counted 2^64 - 1 times loads; merging it with
    // itself passed the count through a double (2^64 - 1 rounds to 2^64, outside uint64:
    // undefined behaviour) and wrapped the total. Now the merge refuses, exactly.
    const bytes_t full{'C', 'K', 'E', 'A', 1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    CHECK(collapsekit_fuzz::check_bytes<ck::entropy_accumulator>(full) == "");
    // ... and merged counts above 2^53 lost their low bits on the way through the double.
    ck::entropy_accumulator a;
    a.add(0, (std::uint64_t{1} << 53) + 1);
    ck::entropy_accumulator b = a;
    b += a;
    CHECK(b.counts()[0] == (std::uint64_t{1} << 54) + 2);
    CHECK(b.total() == (std::uint64_t{1} << 54) + 2);
    const std::vector<double> too_big{0x1.0p64};
    CHECK(
        collapsekit_test::error_message([&] { b.add_counts(too_big); }) ==
        "collapsekit::entropy_accumulator::add_counts: counts must be below 2^64 (counts[0] = 1.8446744073709552e+19)");
    // fuzz_deserialize_histogram: a regular binning with lo = -0 (the first edge is +0).
    auto z = ck::histogram::regular(2, -0.0, 1.0);
    CHECK(collapsekit_fuzz::check_bytes<ck::histogram>(z.serialize()) == "");
}

TEST_CASE("forged: accumulators refuse to wrap 2^64, so every state they reach serialises to bytes that load") {
    ck::entropy_accumulator a;
    a.add(0, ~std::uint64_t{0});
    CHECK_THROWS_AS(a.add(1), std::invalid_argument);
    CHECK(a.categories() == 1);  // nothing added, not even the category
    CHECK_THROWS_AS(a += a, std::invalid_argument);
    CHECK(a.total() == ~std::uint64_t{0});
    CHECK(collapsekit_fuzz::check_bytes<ck::entropy_accumulator>(a.serialize()) == "");

    ck::ngram_counts t(2);
    const std::vector<std::uint32_t> ids{4, 5};
    t.add_ngram(ids, ~std::uint64_t{0});
    CHECK_THROWS_AS(t.add_ngram(ids), std::invalid_argument);
    CHECK_THROWS_AS(t += t, std::invalid_argument);
    CHECK(t.total() == ~std::uint64_t{0});
    CHECK(collapsekit_fuzz::check_bytes<ck::ngram_counts>(t.serialize()) == "");
    // Zero occurrences add no entry (one with count 0 would not load back).
    ck::ngram_counts z(2);
    z.add_ngram(ids, 0);
    CHECK(z.distinct() == 0);
    CHECK(collapsekit_fuzz::check_bytes<ck::ngram_counts>(z.serialize()) == "");
}

}  // namespace deserialize_forged_test
