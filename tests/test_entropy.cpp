// Entropy of probability vectors and of counts, against tests/fixtures/entropy.txt
// (scipy.stats.entropy and independent Python versions of each estimator's formula).
#include <collapsekit/entropy.hpp>
#include <collapsekit/tail/discrete.hpp>

#include <collapsekit/core/random.hpp>

#include <doctest/doctest.h>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include "test_support.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;

namespace {

const collapsekit_test::fixture& entropy_fixture() {
    static const collapsekit_test::fixture fx("entropy.txt");
    return fx;
}

// The fixture script names orders as Python prints them: 0, 0.5, 1, 3.5, inf.
std::string order_name(double a) {
    if (std::isinf(a)) return "inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", a);
    return buf;
}

std::vector<std::uint64_t> as_u64(const std::vector<double>& v) {
    std::vector<std::uint64_t> out;
    for (double x : v) out.push_back(static_cast<std::uint64_t>(x));
    return out;
}

const char* const prob_names[] = {"p4", "dir50", "zeros", "unnorm", "onehot", "tiny", "dir1000"};
const char* const count_names[] = {"small", "singletons", "onebin", "zipf", "uniform40", "large", "huge", "twobins"};

}  // namespace

TEST_CASE("probability measures match scipy.stats.entropy and the reference formulas") {
    const auto& fx = entropy_fixture();
    for (const char* name : prob_names) {
        INFO(name);
        const std::string tag = std::string("prob_") + name;
        const auto& p = fx[tag];
        const double h = fx.scalar(tag + "_shannon");
        const double tol = 1e-12;
        // A vector whose entropy is exactly 0 is checked absolutely.
        if (h == 0.0) {
            CHECK(ck::shannon_entropy(p) == 0.0);
        } else {
            CHECK(ck::shannon_entropy(p) == doctest::Approx(h).epsilon(tol));
            CHECK(ck::shannon_entropy(p, ck::bits) == doctest::Approx(fx.scalar(tag + "_shannon_bits")).epsilon(tol));
            CHECK(ck::shannon_entropy(p, 2.0) == doctest::Approx(fx.scalar(tag + "_shannon_bits")).epsilon(tol));
        }
        for (double a : {0.0, 0.5, 1.0, 2.0, 3.5, HUGE_VAL}) {
            INFO("alpha = " << a);
            const std::string o = order_name(a);
            const double want = fx.scalar(tag + "_renyi_" + o);
            const double got = ck::renyi_entropy(p, a);
            if (want == 0.0) {
                CHECK(std::abs(got) <= 1e-15);
            } else {
                CHECK(got == doctest::Approx(want).epsilon(tol));
            }
            CHECK(ck::hill_number(p, a) == doctest::Approx(fx.scalar(tag + "_hill_" + o)).epsilon(tol));
        }
        for (double q : {0.0, 0.5, 1.0, 2.0, 3.0}) {
            INFO("q = " << q);
            const double want = fx.scalar(tag + "_tsallis_" + order_name(q));
            const double got = ck::tsallis_entropy(p, q);
            if (std::abs(want) < 1e-15) {
                CHECK(std::abs(got) <= 1e-15);
            } else {
                CHECK(got == doctest::Approx(want).epsilon(tol));
            }
        }
        const double g = fx.scalar(tag + "_gini");
        CHECK(ck::gini_simpson(p) == doctest::Approx(g).epsilon(tol));
        CHECK(ck::tsallis_entropy(p, 2.0) == doctest::Approx(g).epsilon(tol));
    }
}

TEST_CASE("Renyi limits, units and element types") {
    const std::vector<double> p{0.5, 0.25, 0.125, 0.125};
    const double h = ck::shannon_entropy(p);
    CHECK(h == doctest::Approx(1.75 * std::log(2.0)).epsilon(1e-15));
    CHECK(ck::shannon_entropy(p, ck::bits) == doctest::Approx(1.75).epsilon(1e-15));
    // alpha -> 1 approaches Shannon from both sides.
    CHECK(ck::renyi_entropy(p, 1.0 - 1e-7) == doctest::Approx(h).epsilon(1e-6));
    CHECK(ck::renyi_entropy(p, 1.0 + 1e-7) == doctest::Approx(h).epsilon(1e-6));
    CHECK(ck::renyi_entropy(p, 2.0, ck::bits) ==
          doctest::Approx(-std::log2(0.25 + 0.0625 + 2 * 0.015625)).epsilon(1e-15));
    CHECK(ck::renyi_entropy(p, HUGE_VAL, ck::bits) == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(ck::renyi_entropy(p, 0.0, ck::bits) == doctest::Approx(2.0).epsilon(1e-15));
    // Large orders neither overflow nor underflow.
    CHECK(ck::renyi_entropy(p, 1e6) == doctest::Approx(std::log(2.0) * 1e6 / (1e6 - 1)).epsilon(1e-12));
    CHECK(ck::hill_number(p, HUGE_VAL) == doctest::Approx(2.0).epsilon(1e-15));
    CHECK(ck::hill_number(p, 0.0) == 4.0);
    // Tsallis q -> 1 is Shannon, and the base is the constant k = 1 / ln b.
    CHECK(ck::tsallis_entropy(p, 1.0 + 1e-7) == doctest::Approx(h).epsilon(1e-6));
    CHECK(ck::tsallis_entropy(p, 1.0, ck::bits) == doctest::Approx(1.75).epsilon(1e-15));
    CHECK(ck::tsallis_entropy(p, 2.0, ck::bits) == doctest::Approx(ck::gini_simpson(p) / std::log(2.0)).epsilon(1e-15));
    // Other element types and unnormalised weights.
    const std::vector<float> pf{2.f, 1.f, 0.5f, 0.5f};
    CHECK(ck::shannon_entropy(pf) == doctest::Approx(h).epsilon(1e-15));
    const std::vector<int> pi{4, 2, 1, 1};
    CHECK(ck::shannon_entropy(pi) == doctest::Approx(h).epsilon(1e-15));
    const double arr[] = {1, 1};
    CHECK(ck::shannon_entropy(arr, ck::bits) == 1.0);
    CHECK(ck::shannon_entropy(ck::as_view(p.data(), 1)) == 0.0);
}

TEST_CASE("probability input: NaN policy, edge cases and errors") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> with_nan{0.5, nan, 0.5};
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy(with_nan); }) ==
          "collapsekit::shannon_entropy: p contains NaN (first at index 1); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(ck::shannon_entropy(with_nan, ck::bits, ck::nan_policy::omit) == 1.0);
    CHECK(std::isnan(ck::shannon_entropy(with_nan, ck::nats, ck::nan_policy::propagate)));
    CHECK(std::isnan(ck::renyi_entropy(with_nan, 2.0, ck::nats, ck::nan_policy::propagate)));
    CHECK(ck::gini_simpson(with_nan, ck::nan_policy::omit) == 0.5);
    CHECK(std::isnan(ck::hill_number(with_nan, 2.0, ck::nan_policy::propagate)));

    const std::vector<double> neg{0.5, -0.1, 0.6};
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy(neg); }) ==
          "collapsekit::shannon_entropy: p must be non-negative and finite (p[1] = -0.10000000000000001)");
    const std::vector<double> inf{0.5, HUGE_VAL};
    CHECK(collapsekit_test::error_message([&] { ck::renyi_entropy(inf, 2.0); }) ==
          "collapsekit::renyi_entropy: p must be non-negative and finite (p[1] = inf)");
    const std::vector<double> zeros{0.0, 0.0};
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy(zeros); }) ==
          "collapsekit::shannon_entropy: p must not be all zero");
    const std::vector<double> empty;
    CHECK(collapsekit_test::error_message([&] { ck::gini_simpson(empty); }) == "collapsekit::gini_simpson: p is empty");
    const std::vector<double> all_nan{nan, nan};
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy(all_nan, ck::nats, ck::nan_policy::omit); }) ==
          "collapsekit::shannon_entropy: p (without NaN) is empty");
    const std::vector<double> p{0.5, 0.5};
    CHECK(collapsekit_test::error_message([&] { ck::renyi_entropy(p, -1.0); }) ==
          "collapsekit::renyi_entropy: alpha must be non-negative (got -1)");
    CHECK_THROWS_AS(ck::renyi_entropy(p, nan), std::invalid_argument);
    CHECK_THROWS_AS(ck::tsallis_entropy(p, -0.5), std::invalid_argument);
    CHECK_THROWS_AS(ck::hill_number(p, -2.0), std::invalid_argument);
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy(p, 1.0); }) ==
          "collapsekit::shannon_entropy: base must be positive, finite and not 1 (got 1)");
    CHECK_THROWS_AS(ck::shannon_entropy(p, -2.0), std::invalid_argument);
    // Overflowing sums are refused rather than giving NaN.
    const std::vector<double> big{1e308, 1e308};
    CHECK_THROWS_AS(ck::shannon_entropy(big), std::invalid_argument);
    // Subnormal weights alone still normalise.
    const std::vector<double> sub{5e-324, 5e-324};
    CHECK(ck::shannon_entropy(sub, ck::bits) == doctest::Approx(1.0).epsilon(1e-15));
}

namespace {

// -sum (x/S) log(x/S) of the exact binary values x, in 50 digits.
double exact_entropy(const std::vector<double>& x) {
    using big = boost::multiprecision::cpp_bin_float_50;
    big total = 0, h = 0;
    for (double v : x) total += v;
    for (double v : x) {
        if (v > 0) h -= (big(v) / total) * log(big(v) / total);
    }
    return static_cast<double>(h);
}

}  // namespace

TEST_CASE("shannon_entropy of weights far from summing to 1, against a 50-digit reference") {
    ck::rng g(5);
    // Sums from 2^-1070 to 2^1000, large entropies (one pass is enough) and small ones
    // (the scaled second pass), subnormal weights (the element-wise scaling).
    for (double scale : {1e-320, 1e-300, 1e-30, 1e-3, 1.0, 1e3, 1e30, 1e300}) {
        std::vector<double> spread(1000);
        for (double& v : spread) v = (g.uniform() + 1e-3) * scale;
        std::vector<double> peaked{scale, scale * 1e-9, scale * 3e-10};
        std::vector<double> subnormal{5e-324, 1e-323, 2.5e-323};
        for (const auto* x : {&spread, &peaked, &subnormal}) {
            CAPTURE(scale);
            CAPTURE(x->size());
            const double want = exact_entropy(*x), got = ck::shannon_entropy(*x);
            // Relative accuracy ~ (1 + |log S'|) ulp / H with |log S'| <= log 2 after scaling:
            // the peaked vector's H ~ 2e-8 allows ~1e-8 relative, the others 1e-13.
            const double tol = want < 1e-6 ? 1e-7 : 1e-13;
            CHECK(std::abs(got - want) <= tol * want);
        }
    }
}

TEST_CASE("count estimators match independent reference implementations") {
    const auto& fx = entropy_fixture();
    for (const char* name : count_names) {
        INFO(name);
        const std::string tag = std::string("counts_") + name;
        const auto counts_d = fx[tag];
        const auto counts = as_u64(counts_d);
        std::vector<int> counts_i;
        if (std::string(name) != "huge") {
            for (double v : counts_d) counts_i.push_back(static_cast<int>(v));
        }
        auto check = [&](double got, double want) {
            if (want == 0.0) {
                CHECK(std::abs(got) <= 1e-15);
            } else {
                CHECK(got == doctest::Approx(want).epsilon(1e-12));
            }
        };
        const double plug = fx.scalar(tag + "_plugin");
        check(ck::plugin_entropy(counts).value, plug);
        check(ck::plugin_entropy(counts_d).value, plug);
        check(ck::shannon_entropy_counts(counts), plug);
        if (!counts_i.empty()) check(ck::plugin_entropy(counts_i).value, plug);
        check(ck::plugin_entropy(counts).standard_error, fx.scalar(tag + "_plugin_se"));
        check(ck::plugin_entropy_stderr(counts_d), fx.scalar(tag + "_plugin_se"));
        check(ck::miller_madow_entropy(counts).value, fx.scalar(tag + "_miller_madow"));
        check(ck::grassberger_entropy(counts).value, fx.scalar(tag + "_grassberger"));
        check(ck::chao_shen_entropy(counts).value, fx.scalar(tag + "_chao_shen"));
        check(ck::james_stein_entropy(counts).value, fx.scalar(tag + "_james_stein"));
        if (fx.has(tag + "_nsb")) {
            const auto& nsb = fx[tag + "_nsb"];
            const ck::estimate r = ck::nsb_entropy(counts);
            CHECK(r.value == doctest::Approx(nsb[0]).epsilon(1e-8));
            CHECK(r.standard_error == doctest::Approx(nsb[1]).epsilon(1e-6));
            CHECK(ck::nsb_entropy(counts_d, ck::bits).value == doctest::Approx(nsb[0] / std::log(2.0)).epsilon(1e-8));
        }
        // The dispatcher and the function objects give the same numbers.
        for (auto e :
             {ck::entropy_estimator::plugin, ck::entropy_estimator::miller_madow, ck::entropy_estimator::grassberger,
              ck::entropy_estimator::chao_shen, ck::entropy_estimator::james_stein}) {
            const ck::estimate a = ck::entropy_from_counts(counts, e, ck::bits);
            const ck::estimate b = ck::count_entropy{e, ck::bits}(counts);
            CHECK(a.value == b.value);
            CHECK(a.n == static_cast<std::size_t>(ck::accurate_sum(ck::as_view(counts_d))));
        }
    }
}

TEST_CASE("count estimators: worked cases by hand") {
    // Miller-Madow adds (m - 1) / (2N): m counts only the categories seen.
    const std::vector<std::uint64_t> c{2, 2, 0, 0};
    CHECK(ck::miller_madow_entropy(c).value == doctest::Approx(std::log(2.0) + 1.0 / 8.0).epsilon(1e-15));
    CHECK(ck::plugin_entropy(c).standard_error == 0.0);  // uniform over the seen categories
    // One category holding everything: every estimator but NSB and James-Stein says 0.
    const std::vector<std::uint64_t> one{0, 9, 0};
    CHECK(ck::plugin_entropy(one).value == 0.0);
    CHECK(ck::miller_madow_entropy(one).value == 0.0);
    CHECK(ck::chao_shen_entropy(one).value == 0.0);
    CHECK(std::abs(ck::grassberger_entropy(one).value) < 0.5);
    // James-Stein: lambda = 1 for N = 1 (the uniform target), and for data on target.
    const std::vector<int> single{0, 1, 0, 0};
    CHECK(ck::james_stein_shrinkage(single) == 1.0);
    CHECK(ck::james_stein_entropy(single).value == doctest::Approx(std::log(4.0)).epsilon(1e-15));
    const std::vector<int> flat{3, 3, 3};
    CHECK(ck::james_stein_shrinkage(flat) == 1.0);
    // K = 1: NSB knows there is no uncertainty.
    const std::vector<int> k1{5};
    CHECK(ck::nsb_entropy(k1).value == 0.0);
    CHECK(ck::nsb_entropy(k1).standard_error == 0.0);
    // Extra unobserved categories raise NSB's estimate.
    const std::vector<int> few{4, 3, 1};
    CHECK(ck::nsb_entropy(few, ck::nats, 50).value > ck::nsb_entropy(few).value);
    CHECK(ck::estimators::nsb{ck::nats, 50}(few).value == ck::nsb_entropy(few, ck::nats, 50).value);
    // Near-degenerate counts keep full relative accuracy (no log N - S/N cancellation).
    const std::vector<std::uint64_t> skew{1000000000000ULL, 1};
    const double p = 1.0 / 1000000000001.0;
    const double want = -(p * std::log(p) + (1 - p) * std::log1p(-p));
    CHECK(ck::shannon_entropy_counts(skew) == doctest::Approx(want).epsilon(1e-12));
    // The function objects are plain values.
    const ck::estimators::miller_madow mm{ck::bits};
    CHECK(mm(c).value == doctest::Approx((std::log(2.0) + 1.0 / 8.0) / std::log(2.0)).epsilon(1e-15));
    CHECK(ck::estimators::plugin{}(c).value == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(ck::estimators::grassberger{}(c).value == ck::grassberger_entropy(c).value);
    CHECK(ck::estimators::chao_shen{}(c).value == ck::chao_shen_entropy(c).value);
    CHECK(ck::estimators::james_stein{}(c).value == ck::james_stein_entropy(c).value);
    CHECK(ck::parse_entropy_estimator("chao_shen") == ck::entropy_estimator::chao_shen);
    CHECK(std::string(ck::count_entropy{ck::entropy_estimator::nsb}.name()) == "nsb");
}

TEST_CASE("int64 counts take the uint64 kernel; negative ones and huge totals the checked pass") {
    ck::rng g(9);
    for (std::size_t n : {std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{500}}) {
        CAPTURE(n);
        std::vector<std::int64_t> c(n);
        std::vector<std::uint64_t> u(n);
        for (std::size_t i = 0; i < n; ++i) {
            // Table counts, counts beyond the table, and zeros.
            c[i] = static_cast<std::int64_t>(i % 5 == 0 ? 0 : (i % 3 == 0 ? 1'000'000 + g.below(1000) : g.below(4096)));
            u[i] = static_cast<std::uint64_t>(c[i]);
        }
        if (n == 1) c[0] = u[0] = 7;
        CHECK(ck::shannon_entropy_counts(c) == ck::shannon_entropy_counts(u));
        // A negative count anywhere, including the scalar tail and inside a full batch group.
        for (std::size_t at : {std::size_t{0}, n / 2, n - 1}) {
            auto bad = c;
            bad[at] = -3;
            CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy_counts(bad); }) ==
                  "collapsekit::shannon_entropy_counts: counts must be non-negative whole numbers (counts[" +
                      std::to_string(at) + "] = -3)");
        }
    }
    // Non-negative int64 counts whose total passes 2^63 (but not 2^64) are still counts
    // (log N = 44 against H = 1.1: ~40 ulp of cancellation in log N - S/N).
    const std::vector<std::int64_t> big{std::int64_t{1} << 62, std::int64_t{1} << 62, std::int64_t{1} << 62};
    CHECK(ck::shannon_entropy_counts(big) == doctest::Approx(std::log(3.0)).epsilon(1e-13));
    const std::vector<std::int64_t> zeros{0, 0, 0};
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy_counts(zeros); }) ==
          "collapsekit::shannon_entropy_counts: counts must not be all zero");
}

TEST_CASE("count estimators reject bad counts") {
    const std::vector<int> neg{3, -1};
    CHECK(collapsekit_test::error_message([&] { ck::plugin_entropy(neg); }) ==
          "collapsekit::plugin_entropy: counts must be non-negative whole numbers (counts[1] = -1)");
    const std::vector<double> frac{1.5, 2};
    CHECK(collapsekit_test::error_message([&] { ck::grassberger_entropy(frac); }) ==
          "collapsekit::grassberger_entropy: counts must be non-negative whole numbers (counts[0] = 1.5)");
    const std::vector<double> nan{1, std::nan("")};
    CHECK(collapsekit_test::error_message([&] { ck::nsb_entropy(nan); }) ==
          "collapsekit::nsb_entropy: counts must be non-negative whole numbers (counts[1] = nan)");
    const std::vector<double> inf{1, HUGE_VAL};
    CHECK_THROWS_AS(ck::chao_shen_entropy(inf), std::invalid_argument);
    const std::vector<std::uint64_t> zeros{0, 0, 0};
    CHECK(collapsekit_test::error_message([&] { ck::entropy_from_counts(zeros); }) ==
          "collapsekit::plugin_entropy: counts must not be all zero");
    CHECK(collapsekit_test::error_message([&] { ck::shannon_entropy_counts(zeros); }) ==
          "collapsekit::shannon_entropy_counts: counts must not be all zero");
    const std::vector<std::uint64_t> empty;
    CHECK(collapsekit_test::error_message([&] { ck::miller_madow_entropy(empty); }) ==
          "collapsekit::miller_madow_entropy: counts is empty");
    CHECK(collapsekit_test::error_message([&] { ck::plugin_entropy(empty); }) ==
          "collapsekit::plugin_entropy: counts is empty");
    const std::vector<int> c{1, 2};
    CHECK(collapsekit_test::error_message([&] { ck::nsb_entropy(c, ck::nats, 1); }) ==
          "collapsekit::nsb_entropy: bins must be at least the number of counts (1 < 2)");
    CHECK_THROWS_AS(ck::james_stein_entropy(c, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(ck::parse_entropy_estimator("mle"), std::invalid_argument);
}

TEST_CASE("bootstrap intervals for any count estimator") {
    const std::vector<std::uint64_t> c{30, 12, 7, 3, 1, 1, 0, 0};
    const ck::bootstrap_options opt{400, 0.9, 42};
    const auto r = ck::bootstrap_entropy(c, ck::entropy_estimator::miller_madow, opt);
    CHECK(r.estimate == ck::miller_madow_entropy(c).value);
    CHECK(r.lower < r.estimate);
    CHECK(r.upper > r.estimate);
    // The bootstrap standard error agrees with the delta method to within its Monte Carlo noise
    // and the small-sample difference (N = 54).
    CHECK(r.standard_error == doctest::Approx(ck::plugin_entropy(c).standard_error).epsilon(0.3));
    // Same seed, same interval; any callable works, e.g. a function object or ck::bootstrap_counts itself.
    const auto again = ck::bootstrap_entropy(c, ck::estimators::miller_madow{}, opt);
    CHECK(again.lower == r.lower);
    CHECK(again.upper == r.upper);
    const auto direct = ck::bootstrap_counts(
        c, [](ck::view<const std::uint64_t> x) { return ck::chao_shen_entropy(x).value; }, opt);
    CHECK(direct.estimate == ck::chao_shen_entropy(c).value);
    const auto nsb = ck::bootstrap_entropy(c, ck::entropy_estimator::nsb, {50, 0.8, 1}, ck::bits);
    CHECK(nsb.estimate == ck::nsb_entropy(c, ck::bits).value);
}

TEST_CASE("entropy accumulator: incremental, mergeable, serialisable") {
    ck::entropy_accumulator a(4), b;
    const std::vector<int> obs{0, 1, 1, 2, 3, 3, 3};
    a.add_observations(obs);
    b.add(3, 2);
    b.add(5);
    const std::vector<std::uint64_t> more{1, 0, 2};
    b.add_counts(more);
    ck::entropy_accumulator merged = a + b;
    const std::vector<std::uint64_t> expect{2, 2, 3, 5, 0, 1};
    CHECK(merged.counts() == expect);
    CHECK(merged.total() == 13);
    CHECK(merged.entropy().value == ck::plugin_entropy(expect).value);
    CHECK(merged.entropy(ck::entropy_estimator::nsb, ck::bits).value == ck::nsb_entropy(expect, ck::bits).value);
    a += b;
    CHECK(a == merged);
    const auto bytes = merged.serialize();
    CHECK(ck::entropy_accumulator::deserialize(bytes) == merged);
    auto bad = bytes;
    bad.pop_back();
    CHECK(collapsekit_test::error_message([&] { ck::entropy_accumulator::deserialize(bad); }) ==
          "collapsekit::entropy_accumulator::deserialize: bytes have the wrong length for their category count");
    CHECK_THROWS_AS(ck::entropy_accumulator::deserialize({1, 2, 3}), std::invalid_argument);
    ck::entropy_accumulator empty;
    CHECK(collapsekit_test::error_message([&] { empty.entropy(); }) ==
          "collapsekit::entropy_accumulator::entropy: no observations yet");
    const std::vector<int> negative{1, -2};
    CHECK_THROWS_AS(empty.add_observations(negative), std::invalid_argument);
    CHECK_THROWS_AS(empty.add_counts(negative), std::invalid_argument);
    merged.clear();
    CHECK(merged.total() == 0);
}

// ---------------------------------------------------------------------------------------
// Property-test and fuzzing findings, each with its reproducer and an exact or closed-form
// reference.

TEST_CASE("one-point distributions have entropy exactly 0 (finding: -5.55e-17)") {
    // The reproducer, then other single weights with zeros around them.
    CHECK(ck::shannon_entropy(std::vector<double>{1.0000000031710769e-30}) == 0.0);
    for (double v : {1.0000000031710769e-30, 0.7, 3.0, 1e-300, 5e-324, 2.2250738585072014e-308, 1e300, 1.7e308}) {
        for (std::size_t before : {std::size_t{0}, std::size_t{2}}) {
            for (std::size_t after : {std::size_t{0}, std::size_t{3}}) {
                std::vector<double> x(before, 0.0);
                x.push_back(v);
                x.resize(before + 1 + after, 0.0);
                CAPTURE(v);
                CAPTURE(before);
                CAPTURE(after);
                CHECK(ck::shannon_entropy(x) == 0.0);
                CHECK(ck::shannon_entropy(x, ck::bits) == 0.0);
                CHECK(ck::renyi_entropy(x, 1.0) == 0.0);
                CHECK(ck::hill_number(x, 1.0) == 1.0);
            }
        }
    }
    // Nearly one-point: small but positive, never below 0 (50-digit reference).
    const std::vector<double> near{1.0, 1e-20};
    CHECK(ck::shannon_entropy(near) >= 0.0);
    CHECK(ck::shannon_entropy(near) == doctest::Approx(exact_entropy(near)).epsilon(1e-6));
}

TEST_CASE("Renyi, Hill and Tsallis near order 1 and at huge orders (finding: garbage, inf)") {
    const std::vector<double> w{0.5, 0.3, 0.2};
    const double h = exact_entropy(w);
    using big = boost::multiprecision::cpp_bin_float_50;
    // Orders 1 +- 1e-15: the Shannon limit, to the accuracy of the limit (H_a - H = O(a - 1)).
    for (double d : {1e-15, -1e-15, 1e-13, -1e-13}) {
        CAPTURE(d);
        CHECK(ck::renyi_entropy(w, 1.0 + d) == doctest::Approx(h).epsilon(1e-12));
        CHECK(ck::hill_number(w, 1.0 + d) == doctest::Approx(std::exp(h)).epsilon(1e-12));
        CHECK(ck::tsallis_entropy(w, 1.0 + d) == doctest::Approx(h).epsilon(1e-12));
    }
    // Orders within 2^-10 of 1 against the definitions in 50 digits.
    for (double a : {1.0 - 9e-4, 1.0 - 1e-6, 1.0 + 1e-9, 1.0 + 5e-4}) {
        CAPTURE(a);
        big s = 0;
        for (double v : w) s += pow(big(v), a);
        const double renyi = static_cast<double>(log(s) / (1 - big(a)));
        const double tsallis = static_cast<double>((1 - s) / (big(a) - 1));
        CHECK(ck::renyi_entropy(w, a) == doctest::Approx(renyi).epsilon(1e-12));
        CHECK(ck::tsallis_entropy(w, a) == doctest::Approx(tsallis).epsilon(1e-12));
    }
    // Huge orders: the min-entropy -log max p = log 2.
    for (double a : {1e20, 1e300, 1.7e308, std::numeric_limits<double>::max()}) {
        CAPTURE(a);
        CHECK(ck::renyi_entropy(w, a) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
        CHECK(ck::hill_number(w, a) == doctest::Approx(2.0).epsilon(1e-15));
    }
    // ... also where alpha log(max p) itself overflows (ten equal weights: log 10).
    const std::vector<double> flat(10, 0.1);
    CHECK(ck::renyi_entropy(flat, 1.7e308) == doctest::Approx(std::log(10.0)).epsilon(1e-15));
}

TEST_CASE("count estimators when the counts sum past DBL_MAX (finding: NaN)") {
    // The same shares as {2, 2, 1} / 5: every estimator's corrections vanish at this N.
    const std::vector<double> c{1e308, 1e308, 5e307};
    const double want = exact_entropy(std::vector<double>{2, 2, 1});
    for (auto e :
         {ck::entropy_estimator::plugin, ck::entropy_estimator::miller_madow, ck::entropy_estimator::grassberger,
          ck::entropy_estimator::chao_shen, ck::entropy_estimator::james_stein, ck::entropy_estimator::nsb}) {
        CAPTURE(ck::to_string(e));
        const ck::estimate r = ck::entropy_from_counts(c, e);
        CHECK(r.value == doctest::Approx(want).epsilon(1e-12));
        CHECK(std::isfinite(r.standard_error));
        CHECK(r.standard_error >= 0.0);
        CHECK(r.n == std::numeric_limits<std::size_t>::max());
    }
    CHECK(ck::shannon_entropy_counts(c) == doctest::Approx(want).epsilon(1e-13));
    CHECK(ck::james_stein_shrinkage(c) == 0.0);
    // A sum that stays finite while sum c log c overflows.
    const std::vector<double> d{1e306, 1.0};
    CHECK(ck::plugin_entropy(d).value == doctest::Approx(exact_entropy(d)).epsilon(1e-10));
    // Small counts beside counts near DBL_MAX (fuzz campaign finding: +inf). Scaled by 2^-k,
    // a count of 10 is far below 1 and N / c overflowed; each small share adds about
    // 2.8e-308 * 708 nats, so the entropy is log 2 to the last bit.
    std::vector<double> e(24, 10.0);
    e[12] = e[14] = std::numeric_limits<double>::max();
    e[17] = 1.0;
    for (auto est : {ck::entropy_estimator::plugin, ck::entropy_estimator::miller_madow,
                     ck::entropy_estimator::chao_shen, ck::entropy_estimator::james_stein}) {
        CAPTURE(ck::to_string(est));
        CHECK(ck::entropy_from_counts(e, est).value == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    }
}

TEST_CASE("NSB at totals above 8e16 (finding: NaN)") {
    // Reproducers: N = 1e25 gave NaN (the log-likelihood lost its beta dependence); from
    // about 1e13 the standard deviation was rounding noise. At these N the posterior is
    // the plug-in value +- the delta-method standard error sqrt((sum p log^2 p - H^2) / N).
    const double h = exact_entropy(std::vector<double>{5, 3, 2});
    const double m2 =
        0.5 * std::log(0.5) * std::log(0.5) + 0.3 * std::log(0.3) * std::log(0.3) + 0.2 * std::log(0.2) * std::log(0.2);
    for (double n : {1e13, 1e16, 8e16, 1e17, 1e20, 1e25, 1e30}) {
        CAPTURE(n);
        const std::vector<double> c{0.5 * n, 0.3 * n, 0.2 * n};
        const ck::estimate r = ck::nsb_entropy(c);
        CHECK(r.value == doctest::Approx(h).epsilon(1e-12));
        const double se = std::sqrt((m2 - h * h) / n);
        CHECK(std::abs(r.standard_error - se) <= 1e-2 * se + 1e-15);
    }
    // Past DBL_MAX: the plug-in value.
    const std::vector<double> huge{1e308, 1e308, 5e307};
    CHECK(ck::nsb_entropy(huge).value == ck::plugin_entropy(huge).value);
}

TEST_CASE("Good-Turing and Chao1 with totals of 2^64 and more (finding: undefined conversion)") {
    // A total of 1e20 (> 2^64): n saturates instead of converting out of range.
    const std::vector<double> c{1e20, 1, 1, 2};
    const ck::estimate gt = ck::good_turing_missing_mass(c);
    CHECK(gt.value == doctest::Approx(2.0 / (1e20 + 4.0)).epsilon(1e-15));
    CHECK(gt.n == std::numeric_limits<std::size_t>::max());
    const ck::estimate c1 = ck::chao1(c);
    // f1 = 2, f2 = 1, S_obs = 4, A = (N - 1) / N = 1 in double: S = 4 + 4 / 2.
    CHECK(c1.value == 6.0);
    CHECK(c1.n == std::numeric_limits<std::size_t>::max());
    // A total past DBL_MAX: M = 1 / N is subnormal, Chao1 takes A = 1.
    const std::vector<double> d{1e308, 1e308, 1, 2};
    const ck::estimate gt2 = ck::good_turing_missing_mass(d);
    CHECK(gt2.value == doctest::Approx(5e-309).epsilon(1e-10));  // 1 / (2e308 + 3)
    CHECK(gt2.value > 0.0);
    CHECK(ck::chao1(d).value == doctest::Approx(4.0 + 0.5).epsilon(1e-15));
    CHECK(ck::chao1(d).n == std::numeric_limits<std::size_t>::max());
}

TEST_CASE("entropy_accumulator: a failed add changes nothing") {
    // test_entropy_accumulator_failed_add_adds_nothing's reproducer: add_observations
    // counted the ids before the first bad one, then threw.
    ck::entropy_accumulator acc(3);
    CHECK_THROWS_WITH_AS(acc.add_observations(std::vector<std::int64_t>{0, -1}),
                         "collapsekit::entropy_accumulator::add_observations: categories must be non-negative "
                         "(categories[1] = -1)",
                         std::invalid_argument);
    CHECK(acc.counts() == std::vector<std::uint64_t>{0, 0, 0});
    CHECK(acc.total() == 0);
    // Bad ids anywhere, after earlier good adds: the bytes are those of before.
    acc.add_observations(std::vector<int>{2, 0, 2, 1});
    const auto before = acc.serialize();
    for (std::size_t at : {0u, 1u, 3u, 5u}) {
        CAPTURE(at);
        std::vector<std::int64_t> ids{0, 4, 7, 1, 2};  // 4 and 7 grow the table, when counted
        ids.insert(ids.begin() + static_cast<std::ptrdiff_t>(at), -(std::int64_t{1} << 40));
        CHECK_THROWS_AS(acc.add_observations(ids), std::invalid_argument);
        CHECK(acc.serialize() == before);
        CHECK(acc.categories() == 3);
    }
    // A total past 2^64 - 1: refused before anything is counted.
    ck::entropy_accumulator full(2);
    full.add(1, std::numeric_limits<std::uint64_t>::max() - 2);
    const auto full_before = full.serialize();
    CHECK_THROWS_WITH_AS(full.add_observations(std::vector<int>{0, 5, 0}),
                         "collapsekit::entropy_accumulator::add_observations: the total number of observations would "
                         "pass 2^64 - 1",
                         std::invalid_argument);
    CHECK(full.serialize() == full_before);
    full.add_observations(std::vector<int>{0, 3});  // exactly 2^64 - 1
    CHECK(full.total() == std::numeric_limits<std::uint64_t>::max());
    CHECK(full.counts() == std::vector<std::uint64_t>{1, std::numeric_limits<std::uint64_t>::max() - 2, 0, 1});
    // An id no table can reach (category + 1 wrapped to 0 at SIZE_MAX, and the table was
    // then written past its end): refused, nothing added, by add and add_observations.
    ck::entropy_accumulator huge(2);
    huge.add(0);
    const auto huge_before = huge.serialize();
    const std::size_t top = std::numeric_limits<std::size_t>::max();
    CHECK_THROWS_AS(huge.add_observations(std::vector<std::size_t>{1, top}), std::invalid_argument);
    CHECK_THROWS_AS(huge.add(top), std::invalid_argument);
    CHECK(huge.serialize() == huge_before);
    // A good add counts every id, and the same as one add per id.
    ck::entropy_accumulator one_by_one(3), batch(3);
    const std::vector<unsigned> ids{5, 0, 0, 2, 5, 5};
    for (unsigned i : ids) one_by_one.add(i);
    batch.add_observations(ids);
    CHECK(batch == one_by_one);
    CHECK(batch.total() == 6);
    CHECK(batch.counts() == std::vector<std::uint64_t>{2, 0, 1, 0, 0, 3});
    batch.add_observations(std::vector<int>{});
    CHECK(batch == one_by_one);
}

TEST_CASE("count estimators: integer totals past 2^64 are summed in double precision, by every estimator") {
    // The bad-input matrix's finding: plug-in refused uint64 counts whose total passes 2^64
    // ("counts sum past 2^64") while the corrected estimators took them. Now all take them,
    // as they take double counts past DBL_MAX; only the bootstrap, which draws N
    // observations, needs an integer total and says so.
    const std::uint64_t two63 = std::uint64_t{1} << 63, two62 = std::uint64_t{1} << 62;
    const std::vector<std::uint64_t> big{two63, two62, two63};  // total 1.25 * 2^64
    const std::vector<std::uint64_t> small{2, 1, 2};            // the same shares
    const double h = ck::plugin_entropy(small).value;
    const double n_big = 0x1.4p64;
    // (log N - S/N cancels about 44 of 45 nats: a few ulps of log N are 1e-14 of H.)
    CHECK(ck::plugin_entropy(big).value == doctest::Approx(h).epsilon(1e-13));
    CHECK(ck::shannon_entropy_counts(big) == doctest::Approx(h).epsilon(1e-13));
    CHECK(ck::plugin_entropy(big).n == static_cast<std::size_t>(-1));  // N saturates
    CHECK(ck::miller_madow_entropy(big).value == doctest::Approx(h + 2.0 / (2.0 * n_big)).epsilon(1e-13));
    CHECK(ck::chao_shen_entropy(big).value == doctest::Approx(h).epsilon(1e-13));
    CHECK(ck::james_stein_entropy(big).value == doctest::Approx(h).epsilon(1e-12));
    CHECK(ck::grassberger_entropy(big).value == doctest::Approx(h).epsilon(1e-13));
    // Against 50-digit arithmetic on the exact integers, for counts that are not a scaled
    // copy of small ones: H = log N - (1/N) sum c log c.
    using big_float = boost::multiprecision::cpp_bin_float_50;
    const std::vector<std::uint64_t> odd{~std::uint64_t{0}, 5, two63 + 12345, 7, 1};
    big_float total = 0, sum_clogc = 0;
    for (std::uint64_t c : odd) {
        const big_float x(c);
        total += x;
        sum_clogc += x * log(x);
    }
    const double reference = static_cast<double>(big_float(log(total) - sum_clogc / total));
    CHECK(ck::plugin_entropy(odd).value == doctest::Approx(reference).epsilon(1e-14));
    CHECK(ck::shannon_entropy_counts(odd) == doctest::Approx(reference).epsilon(1e-14));
    CHECK(ck::miller_madow_entropy(odd).value ==
          doctest::Approx(reference + 4.0 / (2.0 * static_cast<double>(total))).epsilon(1e-14));
    // The same counts as doubles give the same value (one rule for integer and double counts).
    const std::vector<double> odd_double(odd.begin(), odd.end());
    CHECK(ck::plugin_entropy(odd_double).value == doctest::Approx(ck::plugin_entropy(odd).value).epsilon(1e-15));
    CHECK(ck::nsb_entropy(odd).value == doctest::Approx(ck::nsb_entropy(odd_double).value).epsilon(1e-12));
    // The bootstrap redraws N observations: a total of 2^64 or more is its documented error
    // (not "must hold non-negative whole counts", which 2^64 - 1 is).
    CHECK(collapsekit_test::error_message([&] { ck::bootstrap_entropy(odd, ck::entropy_estimator::plugin); }) ==
          "collapsekit::bootstrap_counts: counts must have a total below 2^64 (resampling draws that many "
          "observations)");
    const std::vector<std::uint64_t> top{~std::uint64_t{0}};
    CHECK(std::isfinite(ck::bootstrap_entropy(top, ck::entropy_estimator::plugin, {20, 0.9, 1}).estimate));
}
