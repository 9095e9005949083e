#include <collapsekit/core/random.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/simd/histogram_fill.hpp>
#include <collapsekit/simd/min_max.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include "fixture.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace {

const collapsekit_test::fixture& histogram_fixture() {
    static const collapsekit_test::fixture f("histogram.txt");
    return f;
}

std::vector<std::uint64_t> as_counts(const std::vector<double>& v) {
    std::vector<std::uint64_t> c;
    for (double d : v) c.push_back(static_cast<std::uint64_t>(d));
    return c;
}

std::vector<float> as_floats(const std::vector<double>& v) {
    std::vector<float> f;
    for (double d : v) f.push_back(static_cast<float>(d));  // exact: the fixture holds float32 values
    return f;
}

std::string fill_error(ck::histogram& h, const std::vector<double>& x) {
    try {
        h.fill(x);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

// A mix of special values and values on / next to the edges of the binnings tested below.
std::vector<double> special_values() {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double sub = std::numeric_limits<double>::denorm_min();
    std::vector<double> v = {0.0, -0.0, inf, -inf, nan,  sub,    -sub,        1e-310, -1e-310,
                             1.0, -1.0, 0.5, 4.0,  -4.0, 7.0,    7.5,         1e300,  -1e300,
                             3.0, 2.0,  0.1, 0.7,  0.3,  0.0625, 6.999999999, 255.5};
    const auto reg = ck::histogram::regular(13, -0.3, 2.9);
    for (double e : reg.edges()) {
        v.push_back(e);
        v.push_back(std::nextafter(e, -inf));
        v.push_back(std::nextafter(e, inf));
    }
    return v;
}

// A data set mixing normal values and special values (so every chunk sees some of them).
std::vector<double> mixed_fill_values(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    ck::normal_distribution d(0.5, 2.0);
    const auto special = special_values();
    std::vector<double> x(n);
    for (double& v : x) v = g.below(4) == 0 ? special[g.below(special.size())] : d(g);
    return x;
}

// The binnings the kernel comparisons run over, with storage for their edges.
struct binnings {
    ck::histogram reg = ck::histogram::regular(13, -0.3, 2.9);
    ck::histogram reg_wide = ck::histogram::regular(256, -4.0, 4.0);
    ck::histogram far = ck::histogram::regular(50, 1.0e10, 1.0e10 + 1e-4);
    ck::histogram edg = ck::histogram::with_edges({-3.0, -1.0, -0.5, 0.0, 0.0, 0.1, 2.0, 7.0, 7.0});
    ck::histogram one_edge = ck::histogram::with_edges({0.5, 0.5});

    ck::simd::regular_binning regular(const ck::histogram& h) const {
        return {h.bins(),
                h.lo(),
                h.hi(),
                static_cast<double>(h.bins()) / (h.hi() - h.lo()),
                (h.hi() - h.lo()) / static_cast<double>(h.bins()),
                h.edges().data()};
    }
    ck::simd::edges_binning edges(const ck::histogram& h) const { return {h.bins(), h.edges().data()}; }
};

template <class T, class B>
void check_kernels_agree(const std::vector<T>& data, const B& b) {
    const std::size_t ns = ck::simd::histogram_slot_count(b);
    for (std::size_t offset = 0; offset < 4; ++offset) {
        for (std::size_t n = 0; n + offset <= data.size() && n <= 257; ++n) {
            const T* p = data.data() + offset;
            std::vector<std::uint64_t> s_simd(n + 1, 99), s_scalar(n + 1, 99);
            ck::simd::histogram_slots(p, n, b, s_simd.data());
            ck::simd::histogram_slots_scalar(p, n, b, s_scalar.data());
            REQUIRE(s_simd == s_scalar);
            std::vector<std::uint64_t> c_simd(ns, 1), c_scalar(ns, 1);
            ck::simd::histogram_count(p, n, b, c_simd.data());
            ck::simd::histogram_count_scalar(p, n, b, c_scalar.data());
            REQUIRE(c_simd == c_scalar);
            std::vector<double> w(n);
            for (std::size_t i = 0; i < n; ++i) w[i] = 0.25 * static_cast<double>(i % 7) - 0.5;
            std::vector<std::uint64_t> wc_simd(ns, 0), wc_scalar(ns, 0);
            std::vector<double> sw_simd(ns, 0), sw_scalar(ns, 0), sw2_simd(ns, 0), sw2_scalar(ns, 0);
            ck::simd::histogram_count_weighted(p, w.data(), n, b, wc_simd.data(), sw_simd.data(), sw2_simd.data());
            ck::simd::histogram_count_weighted_scalar(p, w.data(), n, b, wc_scalar.data(), sw_scalar.data(),
                                                      sw2_scalar.data());
            REQUIRE(wc_simd == wc_scalar);
            REQUIRE(sw_simd == sw_scalar);
            REQUIRE(sw2_simd == sw2_scalar);
        }
    }
}

}  // namespace

TEST_CASE("histogram: regular bins equal numpy.histogram, values on edges included") {
    const auto& f = histogram_fixture();
    for (const char* name : {"unit", "tenths", "negative", "odd", "offset", "tiny", "one", "many", "far"}) {
        CAPTURE(name);
        const std::string p = std::string("regular_") + name + "_";
        const auto& params = f[p + "params"];
        auto h = ck::histogram::regular(static_cast<std::size_t>(params[0]), params[1], params[2]);
        CHECK(h.edges() == f[p + "edges"]);  // numpy.linspace to the bit
        h.fill(f[p + "x"]);
        CHECK(h.counts() == as_counts(f[p + "counts"]));
        CHECK(h.underflow() == static_cast<std::uint64_t>(f[p + "flow"][0]));
        CHECK(h.overflow() == static_cast<std::uint64_t>(f[p + "flow"][1]));
        CHECK(h.nan_count() == 0);
        const auto density = h.density();
        const auto& ref_density = f[p + "density"];
        REQUIRE(density.size() == ref_density.size());
        for (std::size_t i = 0; i < density.size(); ++i) {
            CHECK(density[i] == doctest::Approx(ref_density[i]).epsilon(1e-12));
        }

        // float32 data: binned as their double values, which is what numpy does with a
        // float64 edge array (and on the data widened to float64).
        const auto x32 = as_floats(f[p + "x32"]);
        auto h32 = h.empty_like();
        h32.fill(x32);
        CHECK(h32.counts() == as_counts(f[p + "counts32"]));
        CHECK(h32.underflow() == static_cast<std::uint64_t>(f[p + "flow32"][0]));
        CHECK(h32.overflow() == static_cast<std::uint64_t>(f[p + "flow32"][1]));
        auto e32 = ck::histogram::with_edges(h.edges());
        e32.fill(x32);
        CHECK(e32.counts() == as_counts(f[p + "counts32_edges"]));

        // Weighted: numpy's per-bin sums of weights and of squared weights (numpy sums in
        // blocks, we sum in input order: equal to rounding).
        auto hw = h.empty_like();
        hw.fill(f[p + "x"], f[p + "weights"]);
        CHECK(hw.counts() == h.counts());
        const auto& sw = f[p + "sum_w"];
        const auto& sw2 = f[p + "sum_w2"];
        for (std::size_t i = 0; i < hw.bins(); ++i) {
            CHECK(hw.sum_weights()[i] == doctest::Approx(sw[i]).epsilon(1e-12));
            CHECK(hw.sum_weights_squared()[i] == doctest::Approx(sw2[i]).epsilon(1e-12));
        }

        // The SIMD kernel and its scalar twin agree on this binning's data.
        binnings bs;
        check_kernels_agree(f[p + "x"], bs.regular(h));
        check_kernels_agree(x32, bs.regular(h));
    }
}

TEST_CASE("histogram: sorted edges equal numpy.histogram, repeated edges included") {
    const auto& f = histogram_fixture();
    for (const char* name : {"sorted", "repeated", "point", "wide", "fine"}) {
        CAPTURE(name);
        const std::string p = std::string("edges_") + name + "_";
        auto h = ck::histogram::with_edges(f[p + "edges"]);
        h.fill(f[p + "x"]);
        CHECK(h.counts() == as_counts(f[p + "counts"]));
        CHECK(h.underflow() == static_cast<std::uint64_t>(f[p + "flow"][0]));
        CHECK(h.overflow() == static_cast<std::uint64_t>(f[p + "flow"][1]));
        auto h32 = h.empty_like();
        h32.fill(as_floats(f[p + "x32"]));
        CHECK(h32.counts() == as_counts(f[p + "counts32"]));
        CHECK(h32.underflow() == static_cast<std::uint64_t>(f[p + "flow32"][0]));
        CHECK(h32.overflow() == static_cast<std::uint64_t>(f[p + "flow32"][1]));
        binnings bs;
        check_kernels_agree(f[p + "x"], bs.edges(h));
    }
}

TEST_CASE("histogram: integer categories equal numpy.bincount") {
    const auto& f = histogram_fixture();
    for (int k : {1, 5, 300}) {
        CAPTURE(k);
        const std::string p = "integer_" + std::to_string(k) + "_";
        const auto& xd = f[p + "x"];
        std::vector<std::int64_t> x64(xd.begin(), xd.end());
        std::vector<int> x32(xd.begin(), xd.end());
        for (auto h : {ck::histogram::integer(static_cast<std::size_t>(k))}) {
            h.fill(x64);
            CHECK(h.counts() == as_counts(f[p + "counts"]));
            CHECK(h.underflow() == static_cast<std::uint64_t>(f[p + "flow"][0]));
            CHECK(h.overflow() == static_cast<std::uint64_t>(f[p + "flow"][1]));
            auto h2 = h.empty_like();
            h2.fill(x32);
            h2.fill(xd);  // integral doubles land in the same bins
            for (std::size_t i = 0; i < h.bins(); ++i) CHECK(h2.counts()[i] == 2 * h.counts()[i]);
            check_kernels_agree(x32, ck::simd::integer_binning{static_cast<std::size_t>(k)});
        }
    }
    auto h = ck::histogram::integer(3);
    CHECK(h.edges() == std::vector<double>{0.0, 1.0, 2.0, 3.0});
    h.fill(std::vector<double>{-0.0, 0.999, 1.0, 2.5, 2.9999999, 3.0, -1e-300, 1e300});
    CHECK(h.counts() == std::vector<std::uint64_t>{2, 1, 2});  // the last bin is half-open too
    CHECK(h.underflow() == 1);
    CHECK(h.overflow() == 2);
    auto u = ck::histogram::integer(4);
    u.fill(std::vector<std::uint64_t>{0, 3, 4, std::numeric_limits<std::uint64_t>::max()});
    u.fill(std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), 2});
    CHECK(u.counts() == std::vector<std::uint64_t>{1, 0, 1, 1});
    CHECK(u.underflow() == 1);
    CHECK(u.overflow() == 2);
}

TEST_CASE("histogram: quantile bins are numpy.unique(numpy.quantile(reference, linspace(0, 1, bins + 1)))") {
    const auto& f = histogram_fixture();
    for (const char* name : {"normal", "ties", "small", "constant", "lognormal"}) {
        CAPTURE(name);
        const std::string p = std::string("quantile_") + name + "_";
        const auto& ref = f[p + "ref"];
        for (int bins : {1, 4, 10, 64}) {
            CAPTURE(bins);
            const auto h = ck::histogram::from_quantiles(ref, static_cast<std::size_t>(bins));
            auto expect = f[p + std::to_string(bins) + "_edges"];
            if (expect.size() == 1) expect.push_back(expect[0]);  // all-equal reference: one bin [v, v]
            CHECK(h.edges() == expect);
        }
        // Bins of the reference reused for another sample.
        auto other = ck::histogram::from_quantiles(ref, 10).empty_like();
        other.fill(f[p + "x"]);
        CHECK(other.counts() == as_counts(f[p + "counts10"]));
    }
    // The reference itself spreads evenly over its own quantile bins.
    const auto& ref = f["quantile_normal_ref"];
    auto h = ck::histogram::from_quantiles(ref, 10);
    h.fill(ref);
    CHECK(h.total() == ref.size());
    // Interpolated edges sit a rounding error off the order statistics, so a sample point
    // on an edge may fall either side of it.
    for (std::uint64_t c : h.counts()) CHECK((c >= 99 && c <= 102));
    // NaN in the reference: raise by default, omit drops them; propagate is refused.
    std::vector<double> with_nan = {1.0, std::nan(""), 2.0, 3.0};
    CHECK(collapsekit_test::error_message<std::invalid_argument>(
              [&] { (void)ck::histogram::from_quantiles(with_nan, 2); }) ==
          "collapsekit::histogram::from_quantiles: reference contains NaN (first at index 1); pass "
          "nan_policy::omit or nan_policy::propagate to allow it");
    CHECK(ck::histogram::from_quantiles(with_nan, 2, ck::nan_policy::omit).edges() ==
          std::vector<double>{1.0, 2.0, 3.0});
    CHECK(collapsekit_test::error_message<std::invalid_argument>(
              [&] { (void)ck::histogram::from_quantiles(with_nan, 2, ck::nan_policy::propagate); }) ==
          "collapsekit::histogram::from_quantiles: nan_policy::propagate has no meaning for bin edges; use raise "
          "or omit");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              (void)ck::histogram::from_quantiles(std::vector<double>{}, 2);
          }) == "collapsekit::histogram::from_quantiles: reference is empty");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              (void)ck::histogram::from_quantiles(std::vector<double>{1.0, std::numeric_limits<double>::infinity()}, 2);
          }) == "collapsekit::histogram::from_quantiles: reference must be finite (got inf)");
    CHECK(ck::histogram::from_quantiles(std::vector<int>{5, 1, 3}, 2).edges() == std::vector<double>{1.0, 3.0, 5.0});
}

TEST_CASE("histogram: SIMD kernels equal their scalar twins on lengths 0..257, unaligned starts, special values") {
    binnings bs;
    const auto x = mixed_fill_values(300, 11);
    const auto special = special_values();
    std::vector<float> xf(x.begin(), x.end());
    std::vector<std::int32_t> xi;
    for (double v : x) xi.push_back(std::isfinite(v) && std::fabs(v) < 1e9 ? static_cast<std::int32_t>(v) : -7);
    for (const auto* h : {&bs.reg, &bs.reg_wide, &bs.far}) {
        check_kernels_agree(x, bs.regular(*h));
        check_kernels_agree(xf, bs.regular(*h));
        check_kernels_agree(xi, bs.regular(*h));
        check_kernels_agree(special, bs.regular(*h));
    }
    for (const auto* h : {&bs.edg, &bs.one_edge}) {
        check_kernels_agree(x, bs.edges(*h));
        check_kernels_agree(xf, bs.edges(*h));
        check_kernels_agree(special, bs.edges(*h));
    }
    for (std::size_t k : {1u, 3u, 8u}) {
        check_kernels_agree(x, ck::simd::integer_binning{k});
        check_kernels_agree(xi, ck::simd::integer_binning{k});
    }
}

TEST_CASE("histogram: special values land where numpy puts them, NaN apart") {
    const double inf = std::numeric_limits<double>::infinity();
    auto h = ck::histogram::regular(4, 0.0, 1.0);
    const double sub = std::numeric_limits<double>::denorm_min();
    h.fill(std::vector<double>{0.0, -0.0, sub, -sub, 0.25, 0.5, 1.0, std::nextafter(1.0, 2.0), inf, -inf,
                               std::nextafter(0.25, 0.0)},
           ck::nan_policy::raise);
    CHECK(h.counts() == std::vector<std::uint64_t>{4, 1, 1, 1});  // -0.0 == 0.0 is in range; 1.0 in the last bin
    CHECK(h.underflow() == 2);
    CHECK(h.overflow() == 2);
    CHECK(h.nan_count() == 0);
    auto e = ck::histogram::with_edges({0.0, 1.0, 1.0, 2.0});
    e.fill(std::vector<double>{1.0, 2.0, 0.0, std::nextafter(1.0, 0.0)});
    CHECK(e.counts() == std::vector<std::uint64_t>{2, 0, 2});  // a repeated edge's value goes to the later bin
}

TEST_CASE("histogram: all-in-one-bin data is counted exactly") {
    for (std::size_t n : {1u, 3u, 4u, 5u, 1000u, 100003u}) {
        auto h = ck::histogram::regular(256, -4.0, 4.0);
        h.fill(std::vector<double>(n, 0.123));
        h.fill(std::vector<float>(n, 4.0f));  // the closed last edge
        CHECK(h.counts()[131] == n);          // (0.123 + 4) * 32 = 131.9
        CHECK(h.counts()[255] == n);
        CHECK(h.total() == 2 * n);
        auto g = ck::histogram::regular(256, -4.0, 4.0);
        g.fill(std::vector<double>(n, -5.0));
        CHECK(g.underflow() == n);
        CHECK(g.total() == 0);
    }
}

TEST_CASE("histogram: NaN values follow nan_policy") {
    std::vector<double> x = {0.1, std::nan(""), 0.7, std::nan("")};
    auto h = ck::histogram::regular(2, 0.0, 1.0);
    CHECK(fill_error(h, x) ==
          "collapsekit::histogram::fill: x contains NaN (first at index 1); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(h.total() == 0);  // nothing was added
    CHECK(h.nan_count() == 0);
    h.fill(x, ck::nan_policy::omit);
    CHECK(h.counts() == std::vector<std::uint64_t>{1, 1});
    CHECK(h.nan_count() == 2);
    CHECK_FALSE(h.nan_propagated());
    CHECK(h.probabilities() == std::vector<double>{0.5, 0.5});
    h.fill(x, ck::nan_policy::propagate);
    CHECK(h.nan_count() == 4);
    CHECK(h.nan_propagated());
    for (double p : h.probabilities()) CHECK(std::isnan(p));
    for (double d : h.density()) CHECK(std::isnan(d));
    CHECK(std::isnan(h.quantile(0.5)));
    // A NaN weight counts like a NaN value.
    auto w = ck::histogram::regular(2, 0.0, 1.0);
    const std::vector<double> xs = {0.1, 0.7}, ws = {1.0, std::nan("")};
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { w.fill(xs, ws); }) ==
          "collapsekit::histogram::fill: weights contains NaN (first at index 1); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(w.total() == 0);
    w.fill(xs, ws, ck::nan_policy::omit);
    CHECK(w.counts() == std::vector<std::uint64_t>{1, 0});
    CHECK(w.nan_count() == 1);
    // Integer data never hold NaN.
    auto i = ck::histogram::integer(2);
    i.fill(std::vector<int>{0, 1, 1});
    CHECK(i.counts() == std::vector<std::uint64_t>{1, 2});
}

TEST_CASE("histogram: bad binnings and inputs name the problem") {
    const double inf = std::numeric_limits<double>::infinity();
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] { (void)ck::histogram::regular(0, 0.0, 1.0); }) ==
          "collapsekit::histogram::regular: bins must be at least 1 (got 0)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] { (void)ck::histogram::regular(3, 1.0, 1.0); }) ==
          "collapsekit::histogram::regular: lo must be less than hi (got lo = 1, hi = 1)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] { (void)ck::histogram::regular(3, 2.0, 1.0); }) ==
          "collapsekit::histogram::regular: lo must be less than hi (got lo = 2, hi = 1)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::histogram::regular(3, 0.0, inf); }) ==
          "collapsekit::histogram::regular: hi must be finite (got inf)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] {
              (void)ck::histogram::regular(3, std::nan(""), 1.0);
          }) == "collapsekit::histogram::regular: lo must be finite (got nan)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>(
              [] { (void)ck::histogram::regular(3, -1e308, 1e308); }) ==
          "collapsekit::histogram::regular: bins / (hi - lo) must be finite (got lo = -1e+308, hi = 1e+308, "
          "bins = 3)");
    CHECK_THROWS_AS((void)ck::histogram::regular(5, 0.0, 1e-310), std::invalid_argument);
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] { (void)ck::histogram::with_edges({1.0}); }) ==
          "collapsekit::histogram::with_edges: edges must hold at least 2 values (got 1)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] {
              (void)ck::histogram::with_edges({0.0, 2.0, 1.0});
          }) ==
          "collapsekit::histogram::with_edges: edges must be sorted in non-decreasing order (edges[2] = 1 < "
          "edges[1] = 2)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              (void)ck::histogram::with_edges({0.0, inf});
          }) == "collapsekit::histogram::with_edges: edges must be finite (edges[1] = inf)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] { (void)ck::histogram::integer(0); }) ==
          "collapsekit::histogram::integer: k must be at least 1 (got 0)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([] {
              (void)ck::histogram::from_quantiles(std::vector<double>{1.0}, 0);
          }) == "collapsekit::histogram::from_quantiles: bins must be at least 1 (got 0)");
    auto h = ck::histogram::regular(2, 0.0, 1.0);
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              h.fill(std::vector<double>{0.5, 0.6}, std::vector<double>{1.0});
          }) == "collapsekit::histogram::fill: x and weights differ in length (2 vs 1)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)h.quantile(1.5); }) ==
          "collapsekit::histogram::quantile: q must lie in [0, 1] (got 1.5)");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)h.probabilities(); }) ==
          "collapsekit::histogram::probabilities: histogram has no mass to normalise (total is 0)");
}

TEST_CASE("histogram: weights accumulate sums and squares; unweighted entries count with weight 1") {
    auto h = ck::histogram::regular(2, 0.0, 1.0);
    h.fill(std::vector<double>{0.1, 0.9});
    h.fill(std::vector<double>{0.2, 0.8, 1.5, -1.0}, std::vector<float>{2.0f, 0.5f, 3.0f, -1.0f});
    CHECK(h.weighted());
    CHECK(h.counts() == std::vector<std::uint64_t>{2, 2});
    CHECK(h.sum_weights() == std::vector<double>{3.0, 1.5});
    CHECK(h.sum_weights_squared() == std::vector<double>{5.0, 1.25});
    CHECK(h.overflow_weight() == 3.0);
    CHECK(h.underflow_weight() == -1.0);
    h.fill(std::vector<double>{0.3});
    CHECK(h.sum_weights() == std::vector<double>{4.0, 1.5});
    CHECK(h.probabilities()[0] == doctest::Approx(4.0 / 5.5).epsilon(1e-15));
    CHECK(h.probabilities(ck::histogram::flow::include)[0] == doctest::Approx(4.0 / 7.5).epsilon(1e-15));
}

TEST_CASE("histogram: probabilities, density and quantiles") {
    auto h = ck::histogram::with_edges({0.0, 1.0, 3.0, 4.0});
    h.fill(std::vector<double>{0.5, 1.5, 2.5, 2.0, 3.5, -1.0, 9.0, 9.0});
    CHECK(h.counts() == std::vector<std::uint64_t>{1, 3, 1});
    CHECK(h.probabilities() == std::vector<double>{0.2, 0.6, 0.2});
    const auto inc = h.probabilities(ck::histogram::flow::include);
    CHECK(inc[1] == doctest::Approx(3.0 / 8.0).epsilon(1e-15));
    CHECK(h.density() == std::vector<double>{1.0 / 1.0 / 5.0, 3.0 / 2.0 / 5.0, 1.0 / 1.0 / 5.0});
    CHECK(h.quantile(0.0) == 0.0);
    CHECK(h.quantile(1.0) == 4.0);
    CHECK(h.quantile(0.2) == 1.0);
    CHECK(h.quantile(0.5) == doctest::Approx(2.0).epsilon(1e-15));  // 1 + (2.5 - 1) / 3 * 2
    CHECK(h.quantiles(std::vector<double>{0.2, 0.8}) == std::vector<double>{1.0, 3.0});
    auto gap = ck::histogram::regular(4, 0.0, 4.0);
    gap.fill(std::vector<double>{0.5, 3.5});
    CHECK(gap.quantile(0.5) == 1.0);  // the smallest x at which the CDF reaches 1/2
    CHECK(gap.quantile(0.0) == 0.0);
    CHECK(gap.quantile(1.0) == 4.0);
}

TEST_CASE("histogram: += merges same binnings, rejects others; reset and empty_like") {
    const auto x = mixed_fill_values(5000, 3);
    auto whole = ck::histogram::regular(32, -2.0, 3.0);
    whole.fill(x, ck::nan_policy::omit);
    auto a = whole.empty_like();
    auto b = whole.empty_like();
    CHECK(a.total() == 0);
    CHECK(a.same_binning(whole));
    a.fill(ck::as_view(x.data(), 1234), ck::nan_policy::omit);
    b.fill(ck::as_view(x.data() + 1234, x.size() - 1234), ck::nan_policy::omit);
    a += b;
    CHECK(a.counts() == whole.counts());
    CHECK(a.underflow() == whole.underflow());
    CHECK(a.overflow() == whole.overflow());
    CHECK(a.nan_count() == whole.nan_count());

    auto other = ck::histogram::regular(32, -2.0, 3.5);
    CHECK_FALSE(other.same_binning(a));
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { a += other; }) ==
          "collapsekit::histogram::operator+=: histograms have different binnings (regular, 32 bins over [-2, 3] vs "
          "regular, 32 bins over [-2, 3.5])");
    auto same_edges = ck::histogram::with_edges(a.edges());
    CHECK_FALSE(same_edges.same_binning(a));  // another kind: numpy's two paths may differ on edge values

    auto w = whole.empty_like();
    w.fill(std::vector<double>{0.0}, std::vector<double>{2.5});
    auto plain = whole.empty_like();
    plain.fill(std::vector<double>{0.0, 0.0});
    plain += w;
    CHECK(plain.weighted());
    CHECK(plain.sum_weights()[12] == 4.5);  // (0 + 2) * 32 / 5 = 12.8
    CHECK(plain.counts()[12] == 3);

    a.reset();
    CHECK(a.total() == 0);
    CHECK(a.nan_count() == 0);
    CHECK(a.same_binning(whole));
}

TEST_CASE("histogram: serialisation round-trips exactly and rejects damaged bytes") {
    auto check_round_trip = [](const ck::histogram& h) {
        const auto bytes = h.serialize();
        const auto back = ck::histogram::deserialize(bytes);
        CHECK(back.same_binning(h));
        CHECK(back.binning_kind() == h.binning_kind());
        CHECK(back.counts() == h.counts());
        CHECK(back.underflow() == h.underflow());
        CHECK(back.overflow() == h.overflow());
        CHECK(back.nan_count() == h.nan_count());
        CHECK(back.weighted() == h.weighted());
        CHECK(back.sum_weights() == h.sum_weights());
        CHECK(back.sum_weights_squared() == h.sum_weights_squared());
        CHECK(back.underflow_weight() == h.underflow_weight());
        CHECK(back.nan_propagated() == h.nan_propagated());
        CHECK(back.serialize() == bytes);
    };
    const auto x = mixed_fill_values(3000, 5);
    auto r = ck::histogram::regular(17, -1.0, 2.0);
    r.fill(x, ck::nan_policy::propagate);
    check_round_trip(r);
    auto e = ck::histogram::with_edges({-1.0, 0.0, 0.0, 0.5, 9.0});
    std::vector<double> w(x.size(), 0.3);
    e.fill(x, w, ck::nan_policy::omit);
    check_round_trip(e);
    auto i = ck::histogram::integer(5);
    i.fill(std::vector<int>{0, 1, 2, 7, -1});
    check_round_trip(i);

    // Huge counts survive: shards merged on other machines combine exactly.
    const std::uint64_t big = (std::uint64_t(1) << 62) + 12345;
    auto s = ck::histogram::integer(2);
    s.fill(std::vector<int>{1});
    auto bytes = s.serialize();
    const std::size_t count1_at = bytes.size() - 8;
    for (int k = 0; k < 8; ++k)
        bytes[count1_at + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(big >> (8 * k));
    auto shard = ck::histogram::deserialize(bytes);
    CHECK(shard.counts()[1] == big);
    auto sum = shard;
    sum += shard;
    CHECK(sum.counts()[1] == 2 * big);
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              for (int k = 0; k < 3; ++k) sum += shard;
          }) == "collapsekit::histogram::operator+=: a count would overflow 64 bits");
    CHECK(sum.counts()[1] == 3 * big);  // the failing merge changed nothing

    const auto good = r.serialize();
    auto damaged = good;
    damaged[0] = 'X';
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::histogram::deserialize(damaged); }) ==
          "collapsekit::histogram::deserialize: bytes are not a serialized collapsekit histogram");
    damaged = good;
    damaged[4] = 9;
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::histogram::deserialize(damaged); }) ==
          "collapsekit::histogram::deserialize: bytes have format version 9; this build reads version 1");
    damaged = good;
    damaged.pop_back();
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::histogram::deserialize(damaged); }) ==
          "collapsekit::histogram::deserialize: bytes have the wrong length for 17 bins (159 bytes after the "
          "binning, expected 160)");
    damaged = good;
    damaged.push_back(0);
    CHECK_THROWS_AS((void)ck::histogram::deserialize(damaged), std::invalid_argument);
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] {
              (void)ck::histogram::deserialize(std::vector<std::uint8_t>(5, 0));
          }) == "collapsekit::histogram::deserialize: bytes are truncated (5 bytes)");
    auto bad_edges = e.serialize();
    bad_edges[47] = 0xff;  // the second edge's sign and exponent: a huge negative value, out of order

    CHECK_THROWS_AS((void)ck::histogram::deserialize(bad_edges), std::invalid_argument);
}

TEST_CASE("histogram: short fills into many bins (value by value) equal the kernels") {
    auto x = mixed_fill_values(200, 9);  // infinities, edge values
    x[7] = x[150] = std::nan("");
    auto h = ck::histogram::regular(4000, -3.0, 3.0);
    binnings bs;
    const auto b = bs.regular(h);
    std::vector<std::uint64_t> slots(4003, 0);
    ck::simd::histogram_count_scalar(x.data(), x.size(), b, slots.data());
    h.fill(x, ck::nan_policy::omit);
    CHECK(h.underflow() == slots[0]);
    CHECK(h.overflow() == slots[4001]);
    CHECK(h.nan_count() == slots[4002]);
    CHECK(h.nan_count() > 0);
    CHECK(std::vector<std::uint64_t>(slots.begin() + 1, slots.begin() + 4001) == h.counts());
    const auto before = h.counts();
    CHECK_FALSE(fill_error(h, x).empty());  // raise: nothing added
    CHECK(h.counts() == before);
    h.fill(x, ck::nan_policy::propagate);
    CHECK(h.nan_propagated());

    std::vector<double> w(x.size());
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.5 + static_cast<double>(i % 5);
    std::vector<std::uint64_t> wc(4003, 0);
    std::vector<double> sw(4003, 0.0), sw2(4003, 0.0);
    ck::simd::histogram_count_weighted_scalar(x.data(), w.data(), x.size(), b, wc.data(), sw.data(), sw2.data());
    auto hw = h.empty_like();
    hw.fill(x, w, ck::nan_policy::omit);
    CHECK(hw.weighted());
    CHECK(std::vector<double>(sw.begin() + 1, sw.begin() + 4001) == hw.sum_weights());
    CHECK(std::vector<double>(sw2.begin() + 1, sw2.begin() + 4001) == hw.sum_weights_squared());
    CHECK(hw.underflow_weight() == sw[0]);
    CHECK(hw.overflow_weight() == sw[4001]);
    CHECK(hw.nan_count() == wc[4002]);
    auto nan_w = w;
    nan_w[3] = std::nan("");
    auto hn = h.empty_like();
    CHECK(collapsekit_test::error_message<std::invalid_argument>(
              [&] { hn.fill(std::vector<double>(x.size(), 0.0), nan_w); }) ==
          "collapsekit::histogram::fill: weights contains NaN (first at index 3); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(hn.total() == 0);
}

TEST_CASE("histogram: long float fills (float-lane fast path) equal the scalar definition") {
    ck::rng g(77);
    ck::normal_distribution d(0.0, 1.5);
    for (const auto& h : {ck::histogram::regular(256, -4.0, 4.0), ck::histogram::regular(7, 0.1, 0.7),
                          ck::histogram::regular(1000, -2.5, 7.5), ck::histogram::regular(3, -1e30, 1e30)}) {
        CAPTURE(h.bins());
        std::vector<float> x(20011);
        for (float& v : x) {
            const std::uint64_t r = g.below(10);
            v = static_cast<float>(d(g));
            if (r == 0) v = static_cast<float>(h.edges()[g.below(h.bins() + 1)]);  // on an edge (as a float)
            if (r == 1) v = std::nextafter(static_cast<float>(h.edges()[g.below(h.bins() + 1)]), 1e38f);
        }
        x[5] = std::numeric_limits<float>::quiet_NaN();
        x[6] = std::numeric_limits<float>::infinity();
        x[7] = std::numeric_limits<float>::denorm_min();
        binnings bs;
        const auto b = bs.regular(h);
        std::vector<std::uint64_t> simd(h.bins() + 3, 0), scalar(h.bins() + 3, 0);
        ck::simd::histogram_count(x.data(), x.size(), b, simd.data());
        ck::simd::histogram_count_scalar(x.data(), x.size(), b, scalar.data());
        CHECK(simd == scalar);
        std::vector<float> one(50000, 0.123f);
        std::vector<std::uint64_t> one_simd(h.bins() + 3, 0), one_scalar(h.bins() + 3, 0);
        ck::simd::histogram_count(one.data(), one.size(), b, one_simd.data());
        ck::simd::histogram_count_scalar(one.data(), one.size(), b, one_scalar.data());
        CHECK(one_simd == one_scalar);
    }
}

// Long double fills run the fused count loop: whole batches take the FMA fast path
// (values out of range included, sent to under/overflow by its clamp), a few values on
// or next to edges, at the range ends, NaN and infinities send their batch to numpy's
// corrected path. Lengths straddle the two-batch step and the sub-histogram threshold.
TEST_CASE("histogram: long double fills (fused fast path, clamp to under/overflow) equal the scalar definition") {
    ck::rng g(78);
    const double inf = std::numeric_limits<double>::infinity();
    for (const auto& h : {ck::histogram::regular(256, -4.0, 4.0), ck::histogram::regular(7, 0.1, 0.7),
                          ck::histogram::regular(1000, -2.5, 7.5), ck::histogram::regular(3, -1e30, 1e30),
                          ck::histogram::regular(50, 1.0e10, 1.0e10 + 1e-4), ck::histogram::regular(1, 0.0, 1.0),
                          ck::histogram::regular(64, -1e-300, 1e-300), ck::histogram::regular(5, 1e300, 1.5e300)}) {
        CAPTURE(h.bins());
        const double lo = h.lo(), hi = h.hi();
        const double width = hi - lo;
        std::vector<double> x(20011);
        for (double& v : x) {
            const std::uint64_t r = g.below(64);
            v = lo + width * (4.0 * g.uniform() - 1.5);  // 3/8 of the values out of range
            if (r == 0) v = h.edges()[g.below(h.bins() + 1)];
            if (r == 1) v = std::nextafter(h.edges()[g.below(h.bins() + 1)], g.below(2) ? inf : -inf);
            if (r == 2) v = lo + width * 1e6 * (g.uniform() - 0.5);  // far out, still finite
            if (r == 3) v = g.below(2) ? -0.0 : std::numeric_limits<double>::denorm_min();
        }
        x[5] = std::numeric_limits<double>::quiet_NaN();
        x[6] = inf;
        x[7] = -inf;
        x[1001] = 1e308;
        x[1002] = -1e308;
        binnings bs;
        const auto b = bs.regular(h);
        const std::size_t ns = h.bins() + 3;
        for (std::size_t n : {x.size(), 2 * ns - 1, 2 * ns, 2 * ns + 1, 2 * ns + 7, std::size_t{4099}}) {
            CAPTURE(n);
            std::vector<std::uint64_t> simd(ns, 0), scalar(ns, 0);
            ck::simd::histogram_count(x.data(), n, b, simd.data());
            ck::simd::histogram_count_scalar(x.data(), n, b, scalar.data());
            CHECK(simd == scalar);
        }
        std::vector<std::uint64_t> s_simd(x.size()), s_scalar(x.size());
        ck::simd::histogram_slots(x.data(), x.size(), b, s_simd.data());
        ck::simd::histogram_slots_scalar(x.data(), x.size(), b, s_scalar.data());
        CHECK(s_simd == s_scalar);
        // Values all clear of the edges: every batch takes the fast path.
        std::vector<double> clear(4096);
        for (std::size_t i = 0; i < clear.size(); ++i) {
            const double pos = static_cast<double>(g.below(3 * h.bins() + 6)) - static_cast<double>(h.bins() + 3);
            clear[i] = lo + width * ((pos + 0.25 + 0.5 * g.uniform()) / static_cast<double>(h.bins()));
        }
        std::vector<std::uint64_t> c_simd(ns, 0), c_scalar(ns, 0);
        ck::simd::histogram_count(clear.data(), clear.size(), b, c_simd.data());
        ck::simd::histogram_count_scalar(clear.data(), clear.size(), b, c_scalar.data());
        CHECK(c_simd == c_scalar);
        CHECK(c_scalar[0] > 0);
        CHECK(c_scalar[h.bins() + 1] > 0);
    }
}

// The fused loop with the other kernels and with converted (float, integer) input.
TEST_CASE("histogram: long fills through the edges and integer kernels equal the scalar definition") {
    ck::rng g(79);
    ck::normal_distribution d(1.0, 3.0);
    std::vector<double> x(10007);
    for (double& v : x) v = g.below(20) == 0 ? std::floor(d(g)) : d(g);
    x[9] = std::numeric_limits<double>::quiet_NaN();
    std::vector<float> xf(x.begin(), x.end());
    std::vector<std::int32_t> xi;
    for (double v : x) xi.push_back(std::isnan(v) ? 3 : static_cast<std::int32_t>(std::floor(v)));
    const auto e = ck::histogram::with_edges({-3.0, -1.0, -0.5, 0.0, 0.0, 0.1, 2.0, 7.0, 7.0});
    binnings bs;
    const auto eb = bs.edges(e);
    const ck::simd::integer_binning ib{6};
    auto same = [](const auto& v, const auto& b) {
        std::vector<std::uint64_t> simd(ck::simd::histogram_slot_count(b), 0), scalar(simd.size(), 0);
        ck::simd::histogram_count(v.data(), v.size(), b, simd.data());
        ck::simd::histogram_count_scalar(v.data(), v.size(), b, scalar.data());
        return simd == scalar;
    };
    CHECK(same(x, eb));
    CHECK(same(xf, eb));
    CHECK(same(xi, eb));
    CHECK(same(x, ib));
    CHECK(same(xf, ib));
    CHECK(same(xi, ib));
    CHECK(same(xi, bs.regular(ck::histogram::regular(9, -4.0, 5.0))));
}

namespace {

template <class T>
void check_min_max_kernels() {
    const T nan = std::numeric_limits<T>::quiet_NaN(), inf = std::numeric_limits<T>::infinity();
    ck::rng g(83);
    std::vector<T> x(270);
    for (T& v : x) v = static_cast<T>(g.uniform() * 200.0 - 100.0);
    // Special values scattered through: NaN, ±inf, ±0, subnormals.
    std::vector<T> special = x;
    for (std::size_t i = 0; i < special.size(); i += 19) special[i] = nan;
    special[40] = -T(0);
    special[77] = std::numeric_limits<T>::denorm_min();
    special[150] = inf;
    special[201] = -inf;
    for (const auto* data : {&x, &special}) {
        for (std::size_t off : {std::size_t{0}, std::size_t{1}, std::size_t{3}}) {
            for (std::size_t n = 0; n + off <= 258; ++n) {
                CAPTURE(n);
                CAPTURE(off);
                const T* p = data->data() + off;
                const auto s = ck::simd::min_max_scalar(p, n);
                const auto v = ck::simd::min_max(p, n);
                CHECK(v.min == s.min);
                CHECK(v.max == s.max);
                CHECK(v.has_nan == s.has_nan);
                // The definition, once more by hand.
                double lo = inf, hi = -inf;
                bool has_nan = false;
                for (std::size_t i = 0; i < n; ++i) {
                    if (std::isnan(p[i])) {
                        has_nan = true;
                    } else {
                        lo = std::min(lo, static_cast<double>(p[i]));
                        hi = std::max(hi, static_cast<double>(p[i]));
                    }
                }
                CHECK(s.min == lo);
                CHECK(s.max == hi);
                CHECK(s.has_nan == has_nan);
            }
        }
    }
}

}  // namespace

TEST_CASE("min_max: SIMD equals scalar and the definition on lengths 0..257 with special values") {
    check_min_max_kernels<double>();
    check_min_max_kernels<float>();
    const std::vector<std::int64_t> ints{5, -3, 9};
    const auto r = ck::simd::min_max(ints.data(), ints.size());
    CHECK(r.min == -3.0);
    CHECK(r.max == 9.0);
}

TEST_CASE("numpy_histogram_range: numpy.histogram's automatic range") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    using range = std::pair<double, double>;
    CHECK(ck::numpy_histogram_range(std::vector<double>{3.0, -1.5, 2.0}) == range{-1.5, 3.0});
    // Equal min and max widen by 0.5 each way; no value gives (0, 1) (numpy's rules).
    CHECK(ck::numpy_histogram_range(std::vector<double>{2.0, 2.0}) == range{1.5, 2.5});
    CHECK(ck::numpy_histogram_range(std::vector<double>{}) == range{0.0, 1.0});
    CHECK(ck::numpy_histogram_range(std::vector<float>{0.5f, -0.25f}) == range{-0.25, 0.5});
    CHECK(ck::numpy_histogram_range(std::vector<int>{4, 1, 9}) == range{1.0, 9.0});
    const std::vector<double> with_nan{1.0, nan, 4.0};
    CHECK(ck::numpy_histogram_range(with_nan, ck::nan_policy::omit) == range{1.0, 4.0});
    CHECK(ck::numpy_histogram_range(with_nan, ck::nan_policy::propagate) == range{1.0, 4.0});
    CHECK(ck::numpy_histogram_range(std::vector<double>{nan, nan}, ck::nan_policy::omit) == range{0.0, 1.0});
    CHECK(collapsekit_test::error_message([&] { ck::numpy_histogram_range(with_nan); }) ==
          "collapsekit::numpy_histogram_range: x contains NaN (first at index 1); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(collapsekit_test::error_message([&] {
              ck::numpy_histogram_range(std::vector<double>{1.0, -HUGE_VAL});
          }) ==
          "collapsekit::numpy_histogram_range: the autodetected range is not finite (x contains -inf); give the "
          "range explicitly");
    CHECK_THROWS_AS(ck::numpy_histogram_range(std::vector<double>{HUGE_VAL, HUGE_VAL}), std::invalid_argument);
    // The range makes the same edges as numpy.histogram(x, 4): edges from the fixture check
    // of regular bins, here only that the data's extremes land in the first and last bin.
    const std::vector<double> x{-2.0, 0.1, 0.7, 5.0};
    const auto [lo, hi] = ck::numpy_histogram_range(x);
    auto h = ck::histogram::regular(4, lo, hi);
    h.fill(x);
    CHECK(h.counts() == std::vector<std::uint64_t>{1, 2, 0, 1});
}
