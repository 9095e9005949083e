// Threaded histogram fills, entropies and divergences (the execution overloads): the
// answer must be bit-identical for 1, 2, 3, 8 and all threads on sizes around the fixed
// chunk, equal to the plain (one-thread) API, and errors raised inside worker chunks must
// surface exactly as they do on one thread.
#include "parallel_check.hpp"
#include "test_support.hpp"

#include <collapsekit/core/random.hpp>
#include <collapsekit/divergence.hpp>
#include <collapsekit/entropy.hpp>
#include <collapsekit/histogram.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;
using ck_test::awkward_sizes;
using ck_test::check_thread_invariant;
using collapsekit_test::error_message;

namespace collapsekit {
using ck_test::same_bits;
}  // namespace collapsekit

namespace {

constexpr double quiet_nan = std::numeric_limits<double>::quiet_NaN();
const std::size_t chunk = ck::reduction_chunk;

// Positive weights with about one zero in ten, normalised to sum to 1.
std::vector<double> probabilities(std::size_t n, std::uint64_t seed, bool zeros = true) {
    ck::rng g(seed);
    std::vector<double> p(n);
    double total = 0;
    for (double& v : p) {
        v = zeros && g.uniform() < 0.1 ? 0.0 : g.uniform() + 1e-3;
        total += v;
    }
    if (total == 0) p[0] = total = 1.0;
    for (double& v : p) v /= total;
    return p;
}

std::vector<std::uint64_t> counts(std::size_t n, std::uint64_t seed, std::uint64_t top = 50) {
    ck::rng g(seed);
    std::vector<std::uint64_t> c(n);
    for (auto& v : c) v = static_cast<std::uint64_t>(g.uniform() * static_cast<double>(top));
    c[0] += 1;  // never all zero
    // A few counts past the c log c table.
    for (std::size_t i = 0; i < n; i += 997) c[i] += 5000 + i;
    return c;
}

template <class To, class From>
std::vector<To> convert(const std::vector<From>& x) {
    return std::vector<To>(x.begin(), x.end());
}

// The plain API's result must equal the threaded one's (any thread count: invariance is
// checked separately).
template <class T>
void check_equals_plain(const T& threaded, const T& plain) {
    CHECK(ck::same_bits(threaded, plain));
}

// The threaded call throws the same std::invalid_argument, word for word, as the plain one.
template <class Threaded, class Plain>
void check_same_error(Threaded&& threaded, Plain&& plain) {
    const std::string want = error_message<std::invalid_argument>(plain);
    CHECK(want != "no exception");
    CHECK(error_message<std::invalid_argument>(threaded) == want);
}

}  // namespace

TEST_CASE("entropy of probability vectors: same bits for every thread count") {
    for (std::size_t n : awkward_sizes()) {
        CAPTURE(n);
        const std::vector<double> p = probabilities(n, n + 1);
        std::vector<double> w = p;  // unnormalised weights, the scaled refinement path
        for (double& v : w) v *= 1e12;
        const std::vector<float> pf = convert<float>(p);
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy(ex, p); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy(ex, w, ck::bits); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy(ex, pf); });
        check_equals_plain(ck::shannon_entropy(ck::threads(3), p), ck::shannon_entropy(p));
        check_equals_plain(ck::shannon_entropy(ck::threads(3), w, ck::bits), ck::shannon_entropy(w, ck::bits));
        check_equals_plain(ck::shannon_entropy(ck::all_threads, pf), ck::shannon_entropy(pf));
        for (double a : {0.0, 0.5, 1.0, 2.0, std::numeric_limits<double>::infinity()}) {
            CAPTURE(a);
            check_thread_invariant([&](const ck::execution& ex) { return ck::renyi_entropy(ex, p, a); });
            check_thread_invariant([&](const ck::execution& ex) { return ck::hill_number(ex, p, a); });
            check_thread_invariant([&](const ck::execution& ex) { return ck::tsallis_entropy(ex, p, a, ck::bits); });
            check_equals_plain(ck::renyi_entropy(ck::threads(2), p, a), ck::renyi_entropy(p, a));
            check_equals_plain(ck::hill_number(ck::threads(2), p, a), ck::hill_number(p, a));
            check_equals_plain(ck::tsallis_entropy(ck::threads(2), p, a), ck::tsallis_entropy(p, a));
        }
        check_thread_invariant([&](const ck::execution& ex) { return ck::gini_simpson(ex, p); });
        check_equals_plain(ck::gini_simpson(ck::threads(8), pf), ck::gini_simpson(pf));
        // Agreement with the mathematics (chunking only moves the last bits).
        if (n > 1)
            CHECK(ck::shannon_entropy(ck::threads(2), p) == doctest::Approx(ck::shannon_entropy(w)).epsilon(1e-12));
    }
}

TEST_CASE("entropy of probability vectors: edge cases through the threaded overloads") {
    const std::size_t n = 5 * chunk + 3;
    std::vector<double> p = probabilities(n, 7);
    for (std::size_t t : ck_test::thread_counts) {
        CAPTURE(t);
        const ck::execution ex = ck::threads(t);
        const std::vector<double> empty;
        check_same_error([&] { ck::shannon_entropy(ex, empty); }, [&] { ck::shannon_entropy(empty); });
        // Two bad entries in different chunks: the first one is named, whatever ran first.
        std::vector<double> bad = p;
        bad[4 * chunk + 1] = -1.0;
        bad[chunk + 9] = std::numeric_limits<double>::infinity();
        const std::string expected = error_message<std::invalid_argument>([&] { ck::shannon_entropy(bad); });
        CHECK(expected.find("p[" + std::to_string(chunk + 9) + "]") != std::string::npos);
        CHECK(error_message<std::invalid_argument>([&] { ck::shannon_entropy(ex, bad); }) == expected);
        check_same_error([&] { ck::renyi_entropy(ex, bad, 2.0); }, [&] { ck::renyi_entropy(bad, 2.0); });
        check_same_error([&] { ck::gini_simpson(ex, bad); }, [&] { ck::gini_simpson(bad); });
        const std::vector<double> zeros(n, 0.0);
        check_same_error([&] { ck::shannon_entropy(ex, zeros); }, [&] { ck::shannon_entropy(zeros); });
        // NaN policies.
        std::vector<double> with_nan = p;
        with_nan[3 * chunk + 2] = quiet_nan;
        check_same_error([&] { ck::shannon_entropy(ex, with_nan); }, [&] { ck::shannon_entropy(with_nan); });
        CHECK(std::isnan(ck::shannon_entropy(ex, with_nan, ck::nats, ck::nan_policy::propagate)));
        CHECK(ck::same_bits(ck::shannon_entropy(ex, with_nan, ck::nats, ck::nan_policy::omit),
                            ck::shannon_entropy(with_nan, ck::nats, ck::nan_policy::omit)));
        CHECK(ck::same_bits(ck::renyi_entropy(ex, with_nan, 3.0, ck::nats, ck::nan_policy::omit),
                            ck::renyi_entropy(with_nan, 3.0, ck::nats, ck::nan_policy::omit)));
        // A single non-zero entry: entropy exactly 0.
        std::vector<double> one(n, 0.0);
        one[n - 1] = 1.0;
        CHECK(ck::shannon_entropy(ex, one) == 0.0);
        CHECK(ck::hill_number(ex, one, 0.0) == 1.0);
    }
}

TEST_CASE("entropy of counts: same bits for every thread count") {
    for (std::size_t n : awkward_sizes()) {
        CAPTURE(n);
        const std::vector<std::uint64_t> c = counts(n, 3 * n + 1);
        const std::vector<std::int64_t> ci = convert<std::int64_t>(c);
        const std::vector<double> cd = convert<double>(c);
        const std::vector<std::int32_t> c32 = convert<std::int32_t>(c);
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy_counts(ex, c); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy_counts(ex, ci, ck::bits); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy_counts(ex, cd); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::shannon_entropy_counts(ex, c32); });
        check_equals_plain(ck::shannon_entropy_counts(ck::threads(2), c), ck::shannon_entropy_counts(c));
        check_equals_plain(ck::shannon_entropy_counts(ck::threads(3), cd), ck::shannon_entropy_counts(cd));
        check_thread_invariant([&](const ck::execution& ex) { return ck::plugin_entropy(ex, c); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::plugin_entropy_stderr(ex, cd); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::miller_madow_entropy(ex, cd); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::grassberger_entropy(ex, c32); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::chao_shen_entropy(ex, c); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::james_stein_entropy(ex, c, ck::bits); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::james_stein_shrinkage(ex, ci); });
        check_equals_plain(ck::plugin_entropy(ck::threads(2), c), ck::plugin_entropy(c));
        check_equals_plain(ck::miller_madow_entropy(ck::threads(2), cd), ck::miller_madow_entropy(cd));
        check_equals_plain(ck::grassberger_entropy(ck::threads(2), c), ck::grassberger_entropy(c));
        check_equals_plain(ck::chao_shen_entropy(ck::threads(2), c), ck::chao_shen_entropy(c));
        check_equals_plain(ck::james_stein_entropy(ck::threads(2), c), ck::james_stein_entropy(c));
        check_equals_plain(ck::james_stein_shrinkage(ck::threads(2), c), ck::james_stein_shrinkage(c));
        // Every count type gives the same plug-in value to rounding.
        CHECK(ck::shannon_entropy_counts(ck::threads(2), c) ==
              doctest::Approx(ck::shannon_entropy_counts(ck::threads(2), cd)).epsilon(1e-12));
    }
}

TEST_CASE("entropy of counts: edge cases through the threaded overloads") {
    const std::size_t n = 6 * chunk + 11;
    const std::vector<double> c = convert<double>(counts(n, 5));
    for (std::size_t t : ck_test::thread_counts) {
        CAPTURE(t);
        const ck::execution ex = ck::threads(t);
        const std::vector<double> empty;
        check_same_error([&] { ck::plugin_entropy(ex, empty); }, [&] { ck::plugin_entropy(empty); });
        std::vector<double> bad = c;
        bad[5 * chunk] = 2.5;
        bad[2 * chunk + 1] = -3.0;
        const std::string expected = error_message<std::invalid_argument>([&] { ck::miller_madow_entropy(bad); });
        CHECK(expected.find("counts[" + std::to_string(2 * chunk + 1) + "]") != std::string::npos);
        CHECK(error_message<std::invalid_argument>([&] { ck::miller_madow_entropy(ex, bad); }) == expected);
        check_same_error([&] { ck::shannon_entropy_counts(ex, bad); }, [&] { ck::shannon_entropy_counts(bad); });
        std::vector<std::int64_t> neg = convert<std::int64_t>(counts(n, 5));
        neg[4 * chunk + 3] = -1;
        check_same_error([&] { ck::shannon_entropy_counts(ex, neg); }, [&] { ck::shannon_entropy_counts(neg); });
        const std::vector<std::uint64_t> zeros(n, 0);
        check_same_error([&] { ck::shannon_entropy_counts(ex, zeros); }, [&] { ck::shannon_entropy_counts(zeros); });
        std::vector<double> with_nan = c;
        with_nan[3 * chunk] = quiet_nan;
        check_same_error([&] { ck::chao_shen_entropy(ex, with_nan); }, [&] { ck::chao_shen_entropy(with_nan); });
        // One category holding everything: the direct (non-cancelling) plug-in path.
        std::vector<std::uint64_t> one(n, 0);
        one[n - 2] = 123456789;
        one[3] = 1;
        check_thread_invariant([&](const ck::execution& e) { return ck::shannon_entropy_counts(e, one); });
        CHECK(ck::plugin_entropy(ex, one).value > 0.0);
    }
}

namespace {

// Every two-vector measure, threaded, by name (probability and count forms).
#define CK_EACH_DIVERGENCE(X) \
    X(kl_divergence)          \
    X(cross_entropy)          \
    X(js_divergence)          \
    X(js_distance) X(hellinger) X(bhattacharyya) X(total_variation) X(chi_squared_pearson) X(chi_squared_neyman) X(psi)

template <class P, class Q>
void check_divergences(const P& p, const Q& q, ck::zero_support zs, ck::nan_policy nan, bool probabilities) {
#define CK_CHECK_ONE(name)                                                                                            \
    {                                                                                                                 \
        CAPTURE(#name);                                                                                               \
        if (probabilities) {                                                                                          \
            check_thread_invariant([&](const ck::execution& ex) { return ck::name(ex, p, q, ck::bits, zs, nan); });   \
            check_equals_plain(ck::name(ck::threads(2), p, q, ck::bits, zs, nan), ck::name(p, q, ck::bits, zs, nan)); \
        }                                                                                                             \
        check_thread_invariant(                                                                                       \
            [&](const ck::execution& ex) { return ck::name##_counts(ex, p, q, ck::nats, zs, nan); });                 \
        check_equals_plain(ck::name##_counts(ck::threads(3), p, q, ck::nats, zs, nan),                                \
                           ck::name##_counts(p, q, ck::nats, zs, nan));                                               \
    }
    CK_EACH_DIVERGENCE(CK_CHECK_ONE)
#undef CK_CHECK_ONE
    for (double a : {0.0, 0.5, 1.0, 2.0, std::numeric_limits<double>::infinity()}) {
        CAPTURE(a);
        if (probabilities) {
            check_thread_invariant(
                [&](const ck::execution& ex) { return ck::renyi_divergence(ex, p, q, a, ck::nats, zs, nan); });
            check_equals_plain(ck::renyi_divergence(ck::threads(2), p, q, a, ck::nats, zs, nan),
                               ck::renyi_divergence(p, q, a, ck::nats, zs, nan));
        }
        check_thread_invariant(
            [&](const ck::execution& ex) { return ck::renyi_divergence_counts(ex, p, q, a, ck::nats, zs, nan); });
    }
}

}  // namespace

TEST_CASE("divergences of probability vectors and counts: same bits for every thread count") {
    for (std::size_t n : awkward_sizes()) {
        CAPTURE(n);
        const std::vector<double> p = probabilities(n, 11 * n + 1);
        const std::vector<double> q = probabilities(n, 13 * n + 5, false);  // q > 0 everywhere
        check_divergences(p, q, ck::zero_support::none(), ck::nan_policy::raise, true);
        if (n > 2 * chunk) continue;  // the variants below on the smaller sizes only (time)
        // float probabilities (the float kernels).
        check_divergences(convert<float>(p), convert<float>(q), ck::zero_support::none(), ck::nan_policy::raise, true);
        // Counts with zeros on both sides, smoothed and skewed; integer counts.
        const std::vector<std::uint64_t> a = counts(n, 17 * n + 3), b = counts(n, 19 * n + 7);
        check_divergences(convert<double>(a), convert<double>(b), ck::zero_support::jeffreys(), ck::nan_policy::raise,
                          false);
        check_divergences(a, b, ck::zero_support::skew(0.99), ck::nan_policy::raise, false);
        check_divergences(convert<double>(a), convert<double>(b), ck::zero_support::none(), ck::nan_policy::raise,
                          false);
    }
}

TEST_CASE("n-way Jensen-Shannon: same bits for every thread count") {
    for (std::size_t n : awkward_sizes()) {
        CAPTURE(n);
        const std::vector<std::vector<double>> d = {probabilities(n, 1 + n), probabilities(n, 2 + n),
                                                    probabilities(n, 3 + n)};
        const std::vector<double> w = {0.2, 0.3, 0.5};
        check_thread_invariant([&](const ck::execution& ex) { return ck::js_divergence_n(ex, d, w); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::js_divergence_n(ex, d, ck::bits); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::js_divergence_n_counts(ex, d); });
        check_thread_invariant([&](const ck::execution& ex) { return ck::js_divergence_n_counts(ex, d, w); });
        check_equals_plain(ck::js_divergence_n(ck::threads(2), d, w), ck::js_divergence_n(d, w));
        check_equals_plain(ck::js_divergence_n_counts(ck::threads(3), d), ck::js_divergence_n_counts(d));
        // Two distributions with equal weights: the pairwise JSD, to rounding.
        const std::vector<std::vector<double>> two = {d[0], d[1]};
        CHECK(ck::js_divergence_n(ck::threads(2), two) ==
              doctest::Approx(ck::js_divergence(ck::threads(2), d[0], d[1])).epsilon(1e-9));
    }
}

TEST_CASE("divergences: edge cases through the threaded overloads") {
    const std::size_t n = 4 * chunk + 5;
    const std::vector<double> p = probabilities(n, 21);
    const std::vector<double> q = probabilities(n, 22, false);
    for (std::size_t t : ck_test::thread_counts) {
        CAPTURE(t);
        const ck::execution ex = ck::threads(t);
        const std::vector<double> empty;
        check_same_error([&] { ck::kl_divergence(ex, empty, empty); }, [&] { ck::kl_divergence(empty, empty); });
        const std::vector<double> shorter(n - 1, 1.0 / static_cast<double>(n - 1));
        check_same_error([&] { ck::js_divergence(ex, p, shorter); }, [&] { ck::js_divergence(p, shorter); });
        std::vector<double> bad = p;
        bad[3 * chunk + 1] = -0.5;
        check_same_error([&] { ck::kl_divergence(ex, bad, q); }, [&] { ck::kl_divergence(bad, q); });
        check_same_error([&] { ck::hellinger_counts(ex, bad, q); }, [&] { ck::hellinger_counts(bad, q); });
        // Zero support: q = 0 where p > 0 in a late chunk.
        std::vector<double> q0 = q;
        q0[3 * chunk + 7] = 0.0;
        for (std::size_t i = 0; i < n; ++i) q0[i] /= 1.0;
        CHECK(ck::kl_divergence_counts(ex, p, q0) == std::numeric_limits<double>::infinity());
        CHECK(ck::cross_entropy_counts(ex, p, q0) == std::numeric_limits<double>::infinity());
        CHECK(ck::renyi_divergence_counts(ex, p, q0, 2.0) == std::numeric_limits<double>::infinity());
        CHECK(std::isfinite(ck::js_divergence_counts(ex, p, q0)));
        CHECK(ck::same_bits(ck::kl_divergence_counts(ex, p, q0, ck::nats, ck::zero_support::jeffreys()),
                            ck::kl_divergence_counts(p, q0, ck::nats, ck::zero_support::jeffreys())));
        // NaN policies.
        std::vector<double> pn = p;
        pn[2 * chunk + 3] = quiet_nan;
        check_same_error([&] { ck::js_divergence_counts(ex, pn, q); }, [&] { ck::js_divergence_counts(pn, q); });
        CHECK(std::isnan(
            ck::kl_divergence_counts(ex, pn, q, ck::nats, ck::zero_support::none(), ck::nan_policy::propagate)));
        CHECK(
            ck::same_bits(ck::js_divergence_counts(ex, pn, q, ck::nats, ck::zero_support::none(), ck::nan_policy::omit),
                          ck::js_divergence_counts(pn, q, ck::nats, ck::zero_support::none(), ck::nan_policy::omit)));
        // Identical inputs: 0.
        CHECK(ck::kl_divergence(ex, p, p) == 0.0);
        CHECK(ck::total_variation(ex, p, p) == 0.0);
    }
}

namespace {

template <class X>
std::vector<std::uint8_t> filled(const ck::execution& ex, ck::histogram h, const X& x,
                                 ck::nan_policy nan = ck::nan_policy::raise) {
    h.fill(ex, x, nan);
    return h.serialize();
}
template <class X, class W>
std::vector<std::uint8_t> filled_weighted(const ck::execution& ex, ck::histogram h, const X& x, const W& w,
                                          ck::nan_policy nan = ck::nan_policy::raise) {
    h.fill(ex, x, w, nan);
    return h.serialize();
}

}  // namespace

TEST_CASE("histogram fills: same counts and weight sums for every thread count") {
    std::vector<ck::histogram> binnings = {ck::histogram::regular(100, -2.0, 2.0), ck::histogram::regular(7, -1.0, 3.0),
                                           ck::histogram::with_edges({-3.0, -1.0, -0.5, 0.0, 0.1, 2.0}),
                                           ck::histogram::integer(5), ck::histogram::regular(3000, -2.5, 2.5)};
    for (std::size_t n : awkward_sizes()) {
        CAPTURE(n);
        ck::rng g(n + 99);
        std::vector<double> x(n), w(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = 3.0 * (g.uniform() - 0.5) * 2.0;
            w[i] = g.uniform() * 10.0 - 1.0;
        }
        const std::vector<float> xf = convert<float>(x), wf = convert<float>(w);
        const std::vector<std::int32_t> xi = convert<std::int32_t>(x);
        for (const ck::histogram& h : binnings) {
            CAPTURE(h.bins());
            check_thread_invariant([&](const ck::execution& ex) { return filled(ex, h, x); });
            check_thread_invariant([&](const ck::execution& ex) { return filled(ex, h, xf); });
            check_thread_invariant([&](const ck::execution& ex) { return filled(ex, h, xi); });
            check_thread_invariant([&](const ck::execution& ex) { return filled_weighted(ex, h, x, w); });
            check_thread_invariant([&](const ck::execution& ex) { return filled_weighted(ex, h, xf, wf); });
            ck::histogram plain = h, plain_w = h;
            plain.fill(x);
            plain_w.fill(x, w);
            CHECK(filled(ck::threads(3), h, x) == plain.serialize());
            CHECK(filled_weighted(ck::threads(3), h, x, w) == plain_w.serialize());
        }
        check_thread_invariant([&](const ck::execution& ex) {
            const auto r = ck::numpy_histogram_range(ex, x);
            return std::vector<double>{r.first, r.second};
        });
        check_thread_invariant([&](const ck::execution& ex) {
            const auto r = ck::numpy_histogram_range(ex, xf);
            return std::vector<double>{r.first, r.second};
        });
    }
}

TEST_CASE("histogram fills: counts are exact, NaN policies and errors through the threaded overloads") {
    const std::size_t n = 5 * chunk + 77;
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i % 10);
    x[4 * chunk + 3] = quiet_nan;
    x[2 * chunk + 1] = quiet_nan;
    for (std::size_t t : ck_test::thread_counts) {
        CAPTURE(t);
        const ck::execution ex = ck::threads(t);
        ck::histogram h = ck::histogram::integer(10);
        const std::string expected = error_message<std::invalid_argument>([&] { h.fill(x); });
        CHECK(expected.find("index " + std::to_string(2 * chunk + 1)) != std::string::npos);
        CHECK(error_message<std::invalid_argument>([&] { h.fill(ex, x); }) == expected);
        CHECK(h.total() == 0);  // raise adds nothing
        h.fill(ex, x, ck::nan_policy::omit);
        CHECK(h.nan_count() == 2);
        CHECK(h.total() == n - 2);
        CHECK(!h.nan_propagated());
        ck::histogram hp = ck::histogram::integer(10);
        hp.fill(ex, x, ck::nan_policy::propagate);
        CHECK(hp.nan_propagated());
        const std::vector<double> w(n, 0.5);
        ck::histogram hw = ck::histogram::integer(10);
        check_same_error([&] { hw.fill(ex, x, w); }, [&] { hw.fill(x, w); });
        hw.fill(ex, x, w, ck::nan_policy::omit);
        double sum = 0;
        for (double s : hw.sum_weights()) sum += s;
        CHECK(sum == 0.5 * static_cast<double>(n - 2));
        const std::vector<double> shorter(n - 1, 1.0);
        check_same_error([&] { hw.fill(ex, x, shorter); }, [&] { hw.fill(x, shorter); });
        const std::vector<double> empty;
        ck::histogram he = ck::histogram::regular(4, 0.0, 1.0);
        he.fill(ex, empty);
        CHECK(he.total() == 0);
        CHECK(ck::numpy_histogram_range(ex, empty) == std::pair<double, double>(0.0, 1.0));
        check_same_error([&] { ck::numpy_histogram_range(ex, x); }, [&] { ck::numpy_histogram_range(x); });
        CHECK(ck::numpy_histogram_range(ex, x, ck::nan_policy::omit) == std::pair<double, double>(0.0, 9.0));
    }
}

TEST_CASE("divergences of binned samples: the threaded fills give the same bits") {
    for (std::size_t n : {std::size_t(1000), 3 * chunk + 17}) {
        ck::rng g(n);
        std::vector<double> r(n), s(n);
        for (std::size_t i = 0; i < n; ++i) {
            r[i] = g.uniform();
            s[i] = g.uniform() * 1.2;
        }
        check_thread_invariant([&](const ck::execution& ex) { return ck::js_divergence_samples(ex, r, s, 50); });
        check_thread_invariant([&](const ck::execution& ex) {
            return ck::kl_divergence_samples(ex, r, s, 50, ck::bits, ck::zero_support::jeffreys());
        });
        check_equals_plain(ck::js_divergence_samples(ck::threads(2), r, s, 50), ck::js_divergence_samples(r, s, 50));
    }
}
