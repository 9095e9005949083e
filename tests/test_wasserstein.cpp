#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;
using collapsekit_test::fixture;

namespace {

// 2 E|X-Y| - E|X-X'| - E|Y-Y'| by brute force, the energy distance squared.
double energy_brute(const std::vector<double>& u, const std::vector<double>& v) {
    auto mean_abs = [](const std::vector<double>& a, const std::vector<double>& b) {
        double s = 0;
        for (double x : a)
            for (double y : b) s += std::abs(x - y);
        return s / (double(a.size()) * double(b.size()));
    };
    return std::sqrt(2 * mean_abs(u, v) - mean_abs(u, u) - mean_abs(v, v));
}

}  // namespace

TEST_CASE("Wasserstein and energy distance match scipy and POT") {
    const fixture f("wasserstein.txt");
    for (int k = 0; k < 4; ++k) {
        const std::string s = "s" + std::to_string(k);
        CAPTURE(s);
        const auto& u = f[s + "_u"];
        const auto& v = f[s + "_v"];
        const auto& uw = f[s + "_uw"];
        const auto& vw = f[s + "_vw"];
        CHECK(ck::wasserstein(u, v) == doctest::Approx(f.scalar(s + "_w1")).epsilon(1e-12));
        CHECK(ck::wasserstein(u, v, uw, vw) == doctest::Approx(f.scalar(s + "_w1_weighted")).epsilon(1e-12));
        CHECK(ck::energy_distance(u, v) == doctest::Approx(f.scalar(s + "_energy")).epsilon(1e-12));
        CHECK(ck::energy_distance(u, v, uw, vw) == doctest::Approx(f.scalar(s + "_energy_weighted")).epsilon(1e-12));
        CHECK(ck::energy_distance(u, v) == doctest::Approx(energy_brute(u, v)).epsilon(1e-10));
        // POT returns W_p^p; we return W_p.
        for (int p = 1; p <= 3; ++p) {
            CAPTURE(p);
            const double pot = f.scalar(s + "_pot_p" + std::to_string(p));
            const double potw = f.scalar(s + "_pot_p" + std::to_string(p) + "_weighted");
            CHECK(std::pow(ck::wasserstein(u, v, double(p)), p) == doctest::Approx(pot).epsilon(1e-12));
            CHECK(std::pow(ck::wasserstein(u, v, uw, vw, double(p)), p) == doctest::Approx(potw).epsilon(1e-12));
        }
        CHECK(ck::measures::wasserstein{2.0}(u, v) == ck::wasserstein(u, v, 2.0));
    }
    const auto& c = f["hist_centres"];
    CHECK(ck::wasserstein_histogram(f["hist_u"], f["hist_v"], c) ==
          doctest::Approx(f.scalar("hist_w1")).epsilon(1e-12));
    const double w2 = ck::wasserstein_histogram(f["hist_u"], f["hist_v"], c, 2.0);
    CHECK(w2 * w2 == doctest::Approx(f.scalar("hist_pot_p2")).epsilon(1e-12));
}

TEST_CASE("Wasserstein basics, p = infinity and equal weights") {
    const std::vector<double> u{0, 1, 3}, v{5, 6, 8};
    CHECK(ck::wasserstein(u, v) == 5.0);
    CHECK(ck::wasserstein(u, v, 2.0) == 5.0);
    CHECK(ck::wasserstein(u, v, std::numeric_limits<double>::infinity()) == 5.0);
    const std::vector<double> a{0.0, 1.0}, b{0.0, 3.0};
    // Quantile difference is 0 on [0, 1/2) and 2 on [1/2, 1).
    CHECK(ck::wasserstein(a, b) == 1.0);
    CHECK(ck::wasserstein(a, b, 2.0) == doctest::Approx(std::sqrt(2.0)).epsilon(1e-15));
    CHECK(ck::wasserstein(a, b, std::numeric_limits<double>::infinity()) == 2.0);
    const std::vector<double> one{2.5};
    CHECK(ck::wasserstein(one, one) == 0.0);
    // Equal weights give the unweighted answer; float and int samples are accepted.
    ck::rng g(4);
    ck::normal_distribution normal;
    std::vector<double> x(3000), y(4100);
    for (double& t : x) t = normal(g);
    for (double& t : y) t = 0.5 + 2.0 * normal(g);
    const std::vector<double> wx(x.size(), 2.0), wy(y.size(), 0.5);
    CHECK(ck::wasserstein(x, y, wx, wy, 3.0) == doctest::Approx(ck::wasserstein(x, y, 3.0)).epsilon(1e-12));
    const std::vector<float> xf(x.begin(), x.end());
    const std::vector<int> ints{1, 2, 3};
    CHECK(ck::wasserstein(xf, y) == doctest::Approx(ck::wasserstein(x, y)).epsilon(1e-6));
    CHECK(ck::wasserstein(ints, u) == doctest::Approx(ck::wasserstein(std::vector<double>{1, 2, 3}, u)).epsilon(1e-15));
    // Symmetry.
    CHECK(ck::wasserstein(x, y, 2.0) == doctest::Approx(ck::wasserstein(y, x, 2.0)).epsilon(1e-14));
}

TEST_CASE("Wasserstein and KS bad input") {
    const std::vector<double> u{1, 2}, empty, nan_u{1, std::nan("")}, inf_u{1, HUGE_VAL};
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(u, u, 0.5); }) ==
          "collapsekit::wasserstein: p must be at least 1 (got 0.5)");
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(empty, u); }) ==
          "collapsekit::wasserstein: u is empty");
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(u, nan_u); }) ==
          "collapsekit::wasserstein: v contains NaN (first at index 1); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(inf_u, u); }) ==
          "collapsekit::wasserstein: u must hold finite values (u[1] = inf)");
    CHECK(std::isnan(ck::wasserstein(u, nan_u, 1.0, ck::nan_policy::propagate)));
    CHECK(ck::wasserstein(u, nan_u, 1.0, ck::nan_policy::omit) == 0.5);
    const std::vector<double> w1{1.0};
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(u, u, w1, u); }) ==
          "collapsekit::wasserstein: u and u_weights differ in length (2 vs 1)");
    const std::vector<double> wneg{1.0, -1.0}, wzero{0.0, 0.0};
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(u, u, u, wneg); }) ==
          "collapsekit::wasserstein: v_weights must be non-negative and finite (v_weights[1] = -1)");
    CHECK(collapsekit_test::error_message([&] { ck::wasserstein(u, u, wzero, u); }) ==
          "collapsekit::wasserstein: u_weights must have a positive, finite sum");
    CHECK(collapsekit_test::error_message([&] { ck::ks_2samp(empty, u); }) == "collapsekit::ks_2samp: u is empty");
    CHECK(std::isnan(
        ck::ks_2samp(nan_u, u, ck::ks_alternative::two_sided, ck::ks_method::automatic, ck::nan_policy::propagate)
            .pvalue));
    const std::vector<double> dec{1.0, 0.0};
    CHECK_THROWS_AS(ck::wasserstein_histogram(u, u, dec), std::invalid_argument);
    CHECK_THROWS_AS(ck::energy_distance(empty, u), std::invalid_argument);
}

TEST_CASE("two-sample KS matches scipy") {
    const fixture f("wasserstein.txt");
    const char* alts[] = {"two_sided", "less", "greater"};
    const ck::ks_alternative kinds[] = {ck::ks_alternative::two_sided, ck::ks_alternative::less,
                                        ck::ks_alternative::greater};
    for (int k = 0; k < 4; ++k) {
        const std::string s = "s" + std::to_string(k);
        const auto& u = f[s + "_u"];
        const auto& v = f[s + "_v"];
        for (int a = 0; a < 3; ++a) {
            CAPTURE(s);
            CAPTURE(alts[a]);
            const auto& ex = f[s + "_ks_" + alts[a] + "_exact"];
            const auto r = ck::ks_2samp(u, v, kinds[a], ck::ks_method::exact);
            CHECK(r.method == ck::ks_method::exact);
            CHECK(r.statistic == doctest::Approx(ex[0]).epsilon(1e-14));
            CHECK(r.pvalue == doctest::Approx(ex[1]).epsilon(1e-12));
            const auto& as = f[s + "_ks_" + alts[a] + "_asymp"];
            const auto ra = ck::ks_2samp(u, v, kinds[a], ck::ks_method::asymptotic);
            CHECK(ra.statistic == doctest::Approx(as[0]).epsilon(1e-14));
            if (a != 0) CHECK(ra.pvalue == doctest::Approx(as[1]).epsilon(1e-12));  // Hodges, as scipy
        }
        // Two-sided asymptotic: the Kolmogorov limit (scipy uses the finite-n kstwo instead).
        const auto ra = ck::ks_2samp(u, v, ck::ks_alternative::two_sided, ck::ks_method::asymptotic);
        CHECK(ra.pvalue == doctest::Approx(f.scalar(s + "_ks_kolmogorov_limit")).epsilon(1e-12));
    }
    const auto& bu = f["ksbig_u"];
    const auto& bv = f["ksbig_v"];
    const auto r2 = ck::ks_2samp(bu, bv);
    CHECK(r2.method == ck::ks_method::exact);
    CHECK(r2.statistic == doctest::Approx(f["ksbig_two_sided"][0]).epsilon(1e-14));
    CHECK(r2.pvalue == doctest::Approx(f["ksbig_two_sided"][1]).epsilon(1e-12));
    const auto r1 = ck::ks_2samp(bu, bv, ck::ks_alternative::greater);
    CHECK(r1.pvalue == doctest::Approx(f["ksbig_greater"][1]).epsilon(1e-12));
    // Weighted with equal weights: the same statistic; the p-value is asymptotic.
    const std::vector<double> wu(bu.size(), 3.0), wv(bv.size(), 1.0);
    const auto rw = ck::ks_2samp_weighted(bu, bv, wu, wv);
    CHECK(rw.statistic == doctest::Approx(r2.statistic).epsilon(1e-14));
    CHECK(rw.method == ck::ks_method::asymptotic);
    CHECK(rw.pvalue ==
          doctest::Approx(ck::ks_2samp(bu, bv, ck::ks_alternative::two_sided, ck::ks_method::asymptotic).pvalue)
              .epsilon(1e-12));
    // Unequal weights move the statistic: weight 0 removes a point.
    const std::vector<double> u3{0.0, 1.0, 2.0}, v3{0.0, 1.0}, w3{1.0, 1.0, 0.0}, w2{1.0, 1.0};
    CHECK(ck::ks_2samp_weighted(u3, v3, w3, w2).statistic == 0.0);
}

TEST_CASE("sliced Wasserstein") {
    // In one dimension every direction is +-1, so SW_p = W_p with zero spread.
    const std::vector<double> u{0, 1, 3, 7}, v{2, 2, 9};
    const auto e1 = ck::sliced_wasserstein(u, v, 1, {16, 2.0, 3});
    CHECK(e1.value == doctest::Approx(ck::wasserstein(u, v, 2.0)).epsilon(1e-14));
    CHECK(e1.standard_error == doctest::Approx(0.0).epsilon(1e-14));
    CHECK(e1.n == 16);
    // A point cloud and its translate by mu: each slice is |theta . mu| exactly, and
    // E (theta . mu)^2 = |mu|^2 / d, so SW_2 -> |mu| / sqrt(d).
    const std::size_t d = 5, n = 400;
    ck::rng g(9);
    ck::normal_distribution normal;
    std::vector<double> x(n * d), y(n * d);
    const double mu[5] = {1.0, -2.0, 0.5, 0.0, 3.0};
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < d; ++k) {
            x[i * d + k] = normal(g);
            y[i * d + k] = x[i * d + k] + mu[k];
        }
    }
    const auto e = ck::sliced_wasserstein(x, y, d, {400, 2.0, 1});
    const double want = std::sqrt((1.0 + 4.0 + 0.25 + 9.0) / 5.0);
    CHECK(e.standard_error > 0.0);
    CHECK(std::abs(e.value - want) < 4.0 * e.standard_error);
    const auto same = ck::sliced_wasserstein(x, y, d, {400, 2.0, 1});
    CHECK(same.value == e.value);
    CHECK(ck::sliced_wasserstein(x, y, d, {400, 2.0, 2}).value != e.value);
    CHECK(ck::sliced_wasserstein(x, x, d, {10, 1.0, 0}).value == 0.0);
    CHECK(collapsekit_test::error_message([&] { ck::sliced_wasserstein(x, y, 3); }) ==
          "collapsekit::sliced_wasserstein: x size is not a multiple of dim");
    CHECK_THROWS_AS(ck::sliced_wasserstein(x, y, d, {1, 2.0, 0}), std::invalid_argument);
    CHECK_THROWS_AS(ck::sliced_wasserstein(x, y, d, {10, 0.5, 0}), std::invalid_argument);
}

TEST_CASE("Wasserstein, energy and KS on samples large enough for the radix sort equal a std::sort reference") {
    // The sort is exact, so every result must be bit for bit the one computed from
    // std::sort-ed copies. Sizes straddle the radix threshold (2048) and the unrolled
    // loops' tails; the second sample shares one scratch buffer with the first.
    for (std::size_t n : {2047, 2048, 2049, 2051, 6001}) {
        CAPTURE(n);
        const std::size_t m = n + 3;
        ck::rng g(n);
        ck::normal_distribution z;
        std::vector<double> u(n), v(m);
        for (double& x : u) x = z(g);
        for (double& x : v) x = 0.3 + 1.4 * z(g);
        v[5] = -0.0;
        v[6] = 0.0;
        std::vector<double> us = u, vs = v;
        std::sort(us.begin(), us.end());
        std::sort(vs.begin(), vs.end());
        ck::detail::sorted_sample su, sv;
        su.x = ck::as_view(us);
        sv.x = ck::as_view(vs);
        su.effective_n = static_cast<double>(n);
        sv.effective_n = static_cast<double>(m);
        for (double p : {1.0, 2.0, 3.0, std::numeric_limits<double>::infinity()}) {
            CAPTURE(p);
            CHECK(ck::wasserstein(u, v, p) == ck::detail::wasserstein_sorted(us.data(), n, vs.data(), m, p));
        }
        CHECK(ck::energy_distance(u, v) == std::sqrt(2.0 * ck::detail::cdf_integral(su, sv, 2.0)));
        const auto ks = ck::ks_2samp(u, v);
        const auto want = ck::detail::ks_from_sorted(su, sv, ck::ks_alternative::two_sided, ck::ks_method::automatic);
        CHECK(ks.statistic == want.statistic);
        CHECK(ks.pvalue == want.pvalue);
        // NaN dropped under omit; float samples go through the same path as doubles.
        std::vector<double> u_nan = u;
        u_nan.insert(u_nan.begin() + 3, std::numeric_limits<double>::quiet_NaN());
        CHECK(ck::wasserstein(u_nan, v, 1.0, ck::nan_policy::omit) == ck::wasserstein(u, v));
        const std::vector<float> uf(u.begin(), u.end()), vf(v.begin(), v.end());
        const std::vector<double> ufd(uf.begin(), uf.end()), vfd(vf.begin(), vf.end());
        CHECK(ck::wasserstein(uf, vf) == ck::wasserstein(ufd, vfd));
    }
}

namespace {

// The weighted reference: (value, weight) pairs sorted with std::sort, weights summed into
// cumulative fractions, Kish's sizes from the sorted weights.
struct weighted_reference {
    std::vector<double> x, c;
    ck::detail::sorted_sample s;
    weighted_reference(const std::vector<double>& v, const std::vector<double>& w) {
        std::vector<std::pair<double, double>> xw;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (!std::isnan(v[i])) xw.emplace_back(v[i], w[i]);
        }
        std::sort(xw.begin(), xw.end(), [](const auto& l, const auto& r) { return l.first < r.first; });
        std::vector<double> ws;
        ck::compensated_sum sw, sw2;
        for (const auto& p : xw)
            x.push_back(p.first), ws.push_back(p.second), sw += p.second, sw2 += p.second * p.second;
        c = ck::detail::cumulative_fractions(ws);
        s.x = ck::as_view(x);
        s.c = ck::as_view(c);
        s.effective_n = sw.value() * sw.value() / sw2.value();
    }
};

}  // namespace

TEST_CASE("weighted Wasserstein, energy and KS with the radix sort equal a std::sort-pairs reference") {
    // Distinct values (and ties with equal weights) make the result independent of the
    // order of equal values, so it must be the reference's bit for bit. Sizes straddle
    // the radix threshold and reach the 16-bit top digit; weights include zeros.
    for (std::size_t n : {5, 2047, 2048, 2049, 2051, 6001, 70001}) {
        CAPTURE(n);
        const std::size_t m = n + 3;
        ck::rng g(n);
        ck::normal_distribution z;
        std::vector<double> u(n), v(m), uw(n), vw(m);
        for (double& x : u) x = z(g);
        for (double& x : v) x = 0.3 + 1.4 * z(g) * 1e-3;
        for (double& w : uw) w = g.below(4) == 0 ? 0.0 : g.uniform();
        for (double& w : vw) w = g.below(4) == 0 ? 0.0 : g.uniform() * 1e10;
        uw[0] = 1.0;
        vw[0] = 1.0;
        v[m - 1] = -0.0;
        u[n / 2] = 1e300;
        v[1] = -1e-310;
        const weighted_reference ru(u, uw), rv(v, vw);
        for (double p : {1.0, 2.0, 3.0, std::numeric_limits<double>::infinity()}) {
            CAPTURE(p);
            // u[n / 2] = 1e300 makes W_p^p overflow for p = 2, 3 (W_p itself, about 1e298,
            // does not): both take the rescaled walk.
            CHECK(ck::wasserstein(u, v, uw, vw, p) ==
                  ck::detail::wasserstein_weighted_sorted(ru.s.x, ru.s.c, rv.s.x, rv.s.c, p));
            CHECK(std::isfinite(ck::wasserstein(u, v, uw, vw, p)));
        }
        CHECK(ck::energy_distance(u, v, uw, vw) == std::sqrt(2.0 * ck::detail::cdf_integral(ru.s, rv.s, 2.0)));
        for (auto alt : {ck::ks_alternative::two_sided, ck::ks_alternative::less, ck::ks_alternative::greater}) {
            const auto ks = ck::ks_2samp_weighted(u, v, uw, vw, alt);
            const auto want = ck::detail::ks_from_sorted(ru.s, rv.s, alt, ck::ks_method::asymptotic);
            CHECK(ks.statistic == want.statistic);
            CHECK(ks.pvalue == want.pvalue);
            CHECK(ks.statistic_location == want.statistic_location);
        }
        // Ties everywhere, equal weights: the same as the unweighted measures' inputs.
        std::vector<double> tu(n), tv(m);
        for (double& x : tu) x = static_cast<double>(g.below(9)) - 4.0;
        for (double& x : tv) x = static_cast<double>(g.below(7)) * 0.5 - 1.0;
        const std::vector<double> ones_u(n, 2.0), ones_v(m, 0.5);
        const weighted_reference tru(tu, ones_u), trv(tv, ones_v);
        CHECK(ck::wasserstein(tu, tv, ones_u, ones_v, 2.0) ==
              ck::detail::wasserstein_weighted_sorted(tru.s.x, tru.s.c, trv.s.x, trv.s.c, 2.0));
        // In double range the walk is unchanged: W_p is the root of its W_p^p.
        CHECK(ck::wasserstein(tu, tv, ones_u, ones_v, 2.0) ==
              ck::detail::wp_root(ck::detail::wasserstein_pp_weighted(tru.s.x, tru.s.c, trv.s.x, trv.s.c, 2.0), 2.0));
        CHECK(ck::energy_distance(tu, tv, ones_u, ones_v) ==
              std::sqrt(2.0 * ck::detail::cdf_integral(tru.s, trv.s, 2.0)));
        CHECK(
            ck::ks_2samp_weighted(tu, tv, ones_u, ones_v).pvalue ==
            ck::detail::ks_from_sorted(tru.s, trv.s, ck::ks_alternative::two_sided, ck::ks_method::asymptotic).pvalue);
        // NaN values are dropped with their weights under omit; propagate gives NaN.
        std::vector<double> u_nan = u, uw_nan = uw;
        u_nan.insert(u_nan.begin() + 3, std::numeric_limits<double>::quiet_NaN());
        uw_nan.insert(uw_nan.begin() + 3, 123.0);
        CHECK(ck::wasserstein(u_nan, v, uw_nan, vw, 1.0, ck::nan_policy::omit) == ck::wasserstein(u, v, uw, vw));
        CHECK(std::isnan(ck::wasserstein(u_nan, v, uw_nan, vw, 1.0, ck::nan_policy::propagate)));
        CHECK(std::isnan(
            ck::ks_2samp_weighted(u, u_nan, uw, uw_nan, ck::ks_alternative::two_sided, ck::nan_policy::propagate)
                .statistic));
    }
}

namespace {

// Bit-for-bit equality, any NaN matching any NaN.
bool same_bits_ref(double a, double b) {
    if (std::isnan(a) && std::isnan(b)) return true;
    return std::memcmp(&a, &b, sizeof a) == 0;
}

std::vector<double> normals_ref(std::size_t n, double shift, double scale, std::uint64_t seed, bool round) {
    std::vector<double> x = collapsekit_test::gaussian_points(n, 1, seed);
    for (double& v : x) v = round ? std::floor(shift + scale * v) : shift + scale * v;
    return x;
}

}  // namespace

TEST_CASE("ks_statistic and a sorted_reference give ks_2samp's statistic and wasserstein's value bit for bit") {
    const std::vector<std::pair<std::size_t, std::size_t>> sizes{{1, 1},       {1, 7},       {7, 1},       {100, 10000},
                                                                 {10000, 100}, {100, 12000}, {12000, 100}, {300, 300},
                                                                 {37, 1000},   {1000, 37},   {64, 64}};
    const ck::ks_alternative alts[] = {ck::ks_alternative::two_sided, ck::ks_alternative::less,
                                       ck::ks_alternative::greater};
    std::uint64_t seed = 100;
    for (const auto& size : sizes) {
        // Plain copies: doctest's CAPTURE cannot capture structured bindings in C++17.
        const std::size_t n = size.first, m = size.second;
        for (int kind = 0; kind < 3; ++kind) {
            // Continuous and shifted; heavy ties within and across the samples; identical samples.
            const bool round = kind == 1;
            const std::vector<double> u = normals_ref(n, kind == 0 ? 0.2 : 0.0, round ? 2.0 : 1.0, ++seed, round);
            const std::vector<double> v =
                kind == 2 && n == m ? u : normals_ref(m, 0.0, round ? 3.0 : 1.0, ++seed, round);
            CAPTURE(n);
            CAPTURE(m);
            CAPTURE(kind);
            const ck::sorted_reference sv(v);
            for (const auto alt : alts) {
                const double expected = ck::ks_2samp(u, v, alt).statistic;
                CHECK(same_bits_ref(ck::ks_statistic(u, v, alt), expected));
                CHECK(same_bits_ref(ck::ks_statistic(u, sv, alt), expected));
            }
            for (const double p : {1.0, 2.0, 3.0, std::numeric_limits<double>::infinity()}) {
                const double merged = ck::wasserstein(u, v, p), with_ref = ck::wasserstein(u, sv, p);
                CAPTURE(p);
                if (p == 1.0 && m / 8 >= n) {
                    // W1 from the reference's prefix sums: a few ulps from the merge.
                    CHECK(std::abs(with_ref - merged) <= 1e-14 * merged);
                } else {
                    CHECK(same_bits_ref(with_ref, merged));
                }
            }
            CHECK(same_bits_ref(ck::wasserstein(ck::threads(2), u, sv), ck::wasserstein(u, sv)));
            CHECK(same_bits_ref(ck::ks_statistic(ck::threads(2), u, sv), ck::ks_statistic(u, v)));
        }
    }
    // NaN and errors as ks_2samp and wasserstein, naming the function called.
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    const std::vector<double> u{0.5, nan, 2.0, 1.0}, v{0.0, 1.0, 3.0}, v_nan{0.0, nan, 1.0}, empty;
    CHECK(same_bits_ref(
        ck::ks_statistic(u, v, ck::ks_alternative::two_sided, ck::nan_policy::omit),
        ck::ks_2samp(u, v, ck::ks_alternative::two_sided, ck::ks_method::automatic, ck::nan_policy::omit).statistic));
    CHECK(std::isnan(ck::ks_statistic(u, v, ck::ks_alternative::two_sided, ck::nan_policy::propagate)));
    CHECK(std::isnan(ck::ks_statistic(v, ck::sorted_reference(v_nan, ck::nan_policy::propagate))));
    CHECK(std::isnan(ck::wasserstein(v, ck::sorted_reference(v_nan, ck::nan_policy::propagate))));
    CHECK(same_bits_ref(ck::wasserstein(v, ck::sorted_reference(v_nan, ck::nan_policy::omit)),
                        ck::wasserstein(v, std::vector<double>{0.0, 1.0})));
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::ks_statistic(empty, v); }) ==
          "collapsekit::ks_statistic: u is empty");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::ks_statistic(v, empty); }) ==
          "collapsekit::ks_statistic: v is empty");
    const ck::sorted_reference sv(v);
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::ks_statistic(empty, sv); }) ==
          "collapsekit::ks_statistic: u is empty");
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::wasserstein(empty, sv); }) ==
          collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::wasserstein(empty, v); }));
    const std::vector<double> u_inf{1.0, inf};
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::wasserstein(u_inf, sv); }) ==
          collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::wasserstein(u_inf, v); }));
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::wasserstein(v, sv, 0.5); }) ==
          collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::wasserstein(v, v, 0.5); }));
    CHECK(collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::sorted_reference{empty}; }) ==
          "collapsekit::sorted_reference: reference is empty");
    CHECK_THROWS_AS((void)ck::sorted_reference(v_nan), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::sorted_reference(u_inf), std::invalid_argument);
    CHECK(sv.size() == 3);
    CHECK(sv.values()[2] == 3.0);
}

TEST_CASE("W1 against a long sorted_reference stays within a few ulps of the merge, offsets and ties included") {
    std::uint64_t seed = 500;
    for (const double offset : {0.0, 1e6, -3e9}) {
        for (const double scale : {1.0, 1e-3}) {
            for (const bool round : {false, true}) {
                for (const auto& size : std::vector<std::pair<std::size_t, std::size_t>>{
                         {1, 8}, {1, 1000}, {3, 100}, {100, 10000}, {100, 800}, {99, 10007}, {250, 20000}}) {
                    const std::size_t n = size.first, m = size.second;
                    std::vector<double> u = normals_ref(n, 0.3, 1.0, ++seed, round),
                                        v = normals_ref(m, 0.0, 1.3, ++seed, round);
                    for (double& x : u) x = offset + scale * x;
                    for (double& x : v) x = offset + scale * x;
                    const double merged = ck::wasserstein(u, v), with_ref = ck::wasserstein(u, ck::sorted_reference(v));
                    CAPTURE(offset);
                    CAPTURE(scale);
                    CAPTURE(n);
                    CAPTURE(m);
                    CHECK(std::abs(with_ref - merged) <= 1e-14 * merged);
                }
            }
        }
    }
    // u inside one step of v, u equal to v's values, and u on both sides of every v.
    const std::vector<double> v{0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0};
    for (const std::vector<double>& u : {std::vector<double>{7.5}, std::vector<double>{3.0},
                                         std::vector<double>{-1.0, 20.0}, std::vector<double>{2.0}}) {
        CHECK(std::abs(ck::wasserstein(u, ck::sorted_reference(v)) - ck::wasserstein(u, v)) <=
              1e-15 * ck::wasserstein(u, v));
    }
}

TEST_CASE("a sliced_reference gives sliced_wasserstein's estimate bit for bit") {
    const std::vector<double> y = collapsekit_test::gaussian_points(700, 3, 5),
                              x = collapsekit_test::gaussian_points(90, 3, 6);
    for (const ck::sliced_options opt :
         {ck::sliced_options{}, ck::sliced_options{20, 1.0, 7}, ck::sliced_options{5, 3.5, 8}}) {
        const ck::sliced_reference ref(y, 3, opt);
        const auto a = ck::sliced_wasserstein(x, y, 3, opt);
        for (const auto& b : {ck::sliced_wasserstein(x, ref), ck::sliced_wasserstein(ck::threads(3), x, ref)}) {
            CHECK(same_bits_ref(a.value, b.value));
            CHECK(same_bits_ref(a.standard_error, b.standard_error));
            CHECK(a.n == b.n);
        }
    }
    const ck::sliced_reference ref(y, 3);
    const std::vector<double> bad_size{1.0, 2.0}, not_finite{0.0, 1.0, std::numeric_limits<double>::infinity()}, empty;
    for (const auto* bad : {&bad_size, &not_finite, &empty}) {
        CHECK(
            collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::sliced_wasserstein(*bad, ref); }) ==
            collapsekit_test::error_message<std::invalid_argument>([&] { (void)ck::sliced_wasserstein(*bad, y, 3); }));
    }
    CHECK_THROWS_AS((void)ck::sliced_reference(bad_size, 3), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::sliced_reference(y, 0), std::invalid_argument);
    CHECK_THROWS_AS((void)ck::sliced_reference(y, 3, ck::sliced_options{1, 2.0, 0}), std::invalid_argument);
}

TEST_CASE("wasserstein_histogram: counts whose total overflows keep their shares (no NaN, no hang)") {
    // Found by fuzz_vector_measures: the cumulative fractions became NaN and the merge
    // walk never advanced.
    const double big = std::numeric_limits<double>::max();
    const std::vector<double> x{0.0, 1.0, 2.0};
    const double w =
        ck::wasserstein_histogram(std::vector<double>{big, big, 1.0}, std::vector<double>{1.0, 1.0, 1.0}, x);
    // Shares (1/2, 1/2, ~0) against (1/3, 1/3, 1/3): W1 = integral of |F - G| = 1/6 + 1/3.
    CHECK(w == doctest::Approx(0.5).epsilon(1e-12));
    CHECK(ck::wasserstein_histogram(std::vector<double>{big, big}, std::vector<double>{1.0, 1.0},
                                    std::vector<double>{0.0, 1.0}) == 0.0);
}

namespace {

// W_p of equally weighted samples by brute force in long double: on the grid t = k / (n m)
// the quantile functions are u[k / m] and v[k / n] (sorted), so W_p^p is the mean of
// |u[k / m] - v[k / n]|^p over the n m cells. Independent of the merge walk; long double
// (x87: 15-bit exponent) holds the differences and powers of the whole double range.
long double wp_brute(std::vector<double> u, std::vector<double> v, double p) {
    std::sort(u.begin(), u.end());
    std::sort(v.begin(), v.end());
    const std::size_t n = u.size(), m = v.size();
    long double s = 0;
    for (std::size_t k = 0; k < n * m; ++k) {
        s += std::pow(std::fabs(static_cast<long double>(u[k / m]) - static_cast<long double>(v[k / n])),
                      static_cast<long double>(p));
    }
    return std::pow(s / static_cast<long double>(n * m), 1.0L / static_cast<long double>(p));
}

constexpr bool wide_long_double = std::numeric_limits<long double>::max_exponent > 2048;

std::vector<double> scaled(const std::vector<double>& x, int k) {
    std::vector<double> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::ldexp(x[i], k);
    return out;
}

}  // namespace

TEST_CASE("finite samples never give NaN: spreads and W_p^p that overflow an intermediate") {
    // The reproducers of test_finite_samples_never_give_nan: a difference, the running
    // sum or W_p^p overflowed, and inf - inf in a compensated sum gave NaN.
    using V = std::vector<double>;
    // (|1e308 - 2| + |-1e308 - 2|) / 2 = 1e308 exactly.
    CHECK(ck::wasserstein(V{1e308, -1e308}, V{2.0}) == 1e308);
    // 2e308 is past the double range: +inf is the right rounding.
    CHECK(ck::wasserstein(V{1e308}, V{-1e308}) == HUGE_VAL);
    // sqrt(2 * 3.4e308) = 2 sqrt(1.7e308), about 2.6e154.
    CHECK(ck::energy_distance(V{1.7e308}, V{-1.7e308}) == doctest::Approx(2.0 * std::sqrt(1.7e308)).epsilon(1e-15));
    // sqrt(((1e200)^2 + (1e200)^2) / 2) = 1e200.
    CHECK(ck::wasserstein(V{1e200, -1e200}, V{0.0}, 2.0) == 1e200);
    // More of the same shape, against the long-double brute force.
    const V u{1e300, -3e300, 2e300, 1.5e-300}, v{5e299, 0.0, -1.7e308};
    for (double p : {1.0, 2.0, 3.0, 7.25}) {
        CAPTURE(p);
        const double w = ck::wasserstein(u, v, p);
        CHECK(std::isfinite(w));
        if (wide_long_double) {
            CHECK(w == doctest::Approx(static_cast<double>(wp_brute(u, v, p))).epsilon(1e-14));
        }
        // Within the spread (2e300 + 1.7e308) and the same with one thread or several.
        CHECK(w <= 1.7e308 + 2e300);
        CHECK(ck::wasserstein(ck::threads(3), u, v, p) == w);
        // The sorted_reference form is bit for bit the plain one.
        CHECK(ck::wasserstein(u, ck::sorted_reference(v), p) == w);
    }
    // Samples at the edge of the range, whose differences overflow: halved first.
    const double big = std::numeric_limits<double>::max();
    CHECK(ck::wasserstein(V{big, -big}, V{0.0}, 2.0) == big);
    CHECK(ck::wasserstein(V{big}, V{big}, 2.0) == 0.0);
    CHECK(ck::wasserstein(V{big, big}, V{-big}, 3.0) == HUGE_VAL);
    CHECK(ck::wasserstein(V{big, -big}, V{-big, big}, 2.0) == 0.0);
    CHECK(ck::wasserstein(V{big}, V{-big}, std::numeric_limits<double>::infinity()) == HUGE_VAL);
    // Energy: E^2 = 2 integral (F - G)^2 = 2 * (1/4) * 2 big for u = {-big, big}, v = {0}.
    CHECK(ck::energy_distance(V{-big, big}, V{0.0}) == doctest::Approx(std::sqrt(big)).epsilon(1e-15));
    CHECK(ck::energy_distance(V{big}, V{big}) == 0.0);
    // Huge values whose differences do not overflow are not halved: the subnormal
    // difference that is the whole answer keeps every bit. W_2 = 1e-300 sqrt(1/3);
    // E^2 = 2 (1/3)^2 2^-1074.
    CHECK(ck::wasserstein(V{big, -big, 1e-300}, V{-big, 0.0, big}, 2.0) ==
          doctest::Approx(1e-300 * std::sqrt(1.0 / 3.0)).epsilon(1e-15));
    CHECK(ck::energy_distance(V{-1.7e308, 1.7e308, 0x1p-1074}, V{-1.7e308, 1.7e308, 0.0}) ==
          doctest::Approx(std::ldexp(std::sqrt(2.0 / 9.0), -537)).epsilon(1e-15));
}

TEST_CASE("W_p scales with the samples over the whole double range (|d|^p under- and overflow)") {
    using V = std::vector<double>;
    // The reproducers of test_wp_scaling_over_the_whole_double_range: |d|^p underflowed.
    CHECK(ck::wasserstein(V{5e-324}, V{0.0}, 2.0) == 5e-324);
    CHECK(ck::wasserstein(V{1e-200}, V{0.0}, 2.0) == 1e-200);
    CHECK(ck::wasserstein(V{1e-300}, V{0.0}, 3.0) == 1e-300);
    // W_p(2^k u, 2^k v) = 2^k W_p(u, v) wherever both are normal, and the long-double
    // brute force agrees at every scale.
    const V u{0.0, 1.0, 1.0, 3.5, -2.25, 7.0}, v{0.5, -1.0, 4.0, 4.0};
    for (double p : {2.0, 3.0, 7.25}) {
        const double w = ck::wasserstein(u, v, p);
        for (int k : {-1070, -1000, -700, -400, 0, 400, 700, 1000}) {
            CAPTURE(p);
            CAPTURE(k);
            const double want = std::ldexp(w, k);
            if (!(want >= std::numeric_limits<double>::min() && want < std::numeric_limits<double>::max() / 4)) {
                continue;
            }
            const V su = scaled(u, k), sv = scaled(v, k);
            const double got = ck::wasserstein(su, sv, p);
            CHECK(got == doctest::Approx(want).epsilon(1e-13));
            if (wide_long_double) {
                CHECK(got == doctest::Approx(static_cast<double>(wp_brute(su, sv, p))).epsilon(1e-14));
            }
        }
    }
    // p = 2 where the samples are exact at 2^-1070 (integers times 2^-1074): W_2 is then
    // subnormal-scale but its value is known, 2^-1074 sqrt(mean d^2).
    const V a{1.0, 3.0}, b{0.0, 0.0};
    const double w2 = ck::wasserstein(scaled(a, -1074), scaled(b, -1074), 2.0);
    CHECK(w2 == std::ldexp(std::sqrt(5.0), -1074));  // rounds to 2 * 2^-1074
    // Any order p: the largest difference dominates as p grows, and nothing under- or
    // overflows on the way (0.5^p underflows from p = 1075).
    CHECK(ck::wasserstein(V{1.0}, V{0.0}, 2000.0) == 1.0);
    CHECK(ck::wasserstein(V{0.0, 0.0}, V{0.0, 1e-300}, 2000.0) ==
          doctest::Approx(1e-300 * std::pow(0.5, 1.0 / 2000.0)).epsilon(1e-14));
    // Identical samples: 0 (the rescaled walk finds no difference to scale by).
    CHECK(ck::wasserstein(V{1e-310, 2.0}, V{2.0, 1e-310}, 3.0) == 0.0);
    // Energy distance of samples within 1e-300 of one another: E^2 = 2 x for u = {x},
    // v = {0}; x = 1e-320 is 2024 * 2^-1074, so E = sqrt(4048) 2^-537.
    CHECK(ck::energy_distance(V{1e-320}, V{0.0}) ==
          doctest::Approx(std::ldexp(std::sqrt(2.0 * std::ldexp(1e-320, 1074)), -537)).epsilon(1e-15));
    // E(2^k u, 2^k v) = 2^(k/2) E(u, v) for even k.
    const double e = ck::energy_distance(u, v);
    for (int k : {-1000, -600, 600, 1000}) {
        CAPTURE(k);
        CHECK(ck::energy_distance(scaled(u, k), scaled(v, k)) == doctest::Approx(std::ldexp(e, k / 2)).epsilon(1e-14));
    }
}

TEST_CASE("the rescaled walks: weighted samples, histograms, threads") {
    using V = std::vector<double>;
    const double big = std::numeric_limits<double>::max();
    // Weighted: the walk over cumulative fractions fails the same way.
    CHECK(ck::wasserstein(V{1e308, -1e308}, V{2.0}, V{1.0, 1.0}, V{1.0}) == 1e308);
    CHECK(ck::wasserstein(V{1e200, -1e200}, V{0.0}, V{3.0, 3.0}, V{0.5}, 2.0) == 1e200);
    CHECK(ck::wasserstein(V{1e-200, 0.0}, V{0.0}, V{1.0, 3.0}, V{1.0}, 2.0) ==
          doctest::Approx(1e-200 / 2.0).epsilon(1e-15));  // sqrt(1/4) 1e-200
    CHECK(ck::wasserstein(V{5e-324}, V{0.0}, V{2.0}, V{7.0}, 2.0) == 5e-324);
    CHECK(ck::energy_distance(V{1.7e308}, V{-1.7e308}, V{1.0}, V{2.0}) ==
          doctest::Approx(2.0 * std::sqrt(1.7e308)).epsilon(1e-15));
    // Integer weights weigh as repeated values.
    CHECK(ck::wasserstein(V{-1e300, 3e300}, V{big / 2}, V{2.0, 1.0}, V{1.0}, 3.0) ==
          doctest::Approx(ck::wasserstein(V{-1e300, -1e300, 3e300}, V{big / 2}, 3.0)).epsilon(1e-14));
    // Histogram: quantiles -big / 0 against 0 / big, |d| = big on both halves.
    for (double p : {1.0, 2.0, 3.0}) {
        CAPTURE(p);
        CHECK(ck::wasserstein_histogram(V{1.0, 1.0, 0.0}, V{0.0, 1.0, 1.0}, V{-big, 0.0, big}, p) == big);
        CHECK(ck::wasserstein_histogram(V{1.0, 1.0, 0.0}, V{0.0, 1.0, 1.0}, V{-1e-320, 0.0, 1e-320}, p) ==
              doctest::Approx(1e-320).epsilon(1e-3));  // 1e-320 is 2024 ulp of 2^-1074
    }
    // Several chunks of the merge walk: the rescaled walks are bit-identical for any
    // thread count, and finite.
    ck::rng g(17);
    ck::normal_distribution z;
    V u(150001), v(70003);
    for (double& x : u) x = std::max(-big, std::min(big, z(g) * 6e307));
    for (double& x : v) x = std::max(-big, std::min(big, 1e307 + z(g) * 4e307));
    for (double p : {1.0, 2.0, 3.0}) {
        CAPTURE(p);
        const double w1 = ck::wasserstein(ck::threads(1), u, v, p);
        CHECK(std::isfinite(w1));
        CHECK(ck::wasserstein(ck::threads(4), u, v, p) == w1);
        if (wide_long_double && p == 2.0) {
            // The brute force has n m cells; a subsample keeps it small.
            const V su(u.begin(), u.begin() + 300), sv(v.begin(), v.begin() + 200);
            CHECK(ck::wasserstein(su, sv, p) ==
                  doctest::Approx(static_cast<double>(wp_brute(su, sv, p))).epsilon(1e-13));
        }
    }
    const double e1 = ck::energy_distance(ck::threads(1), u, v);
    CHECK(std::isfinite(e1));
    CHECK(ck::energy_distance(ck::threads(4), u, v) == e1);
    // Energy against the brute force 2 E|X-Y| - E|X-X'| - E|Y-Y'| on values scaled into
    // range and back: E(2^-40 u, 2^-40 v) = 2^-20 E(u, v).
    const V su(u.begin(), u.begin() + 300), sv(v.begin(), v.begin() + 200);
    CHECK(ck::energy_distance(su, sv) ==
          doctest::Approx(0x1p20 * energy_brute(scaled(su, -40), scaled(sv, -40))).epsilon(1e-12));
    // In double range the walks are untouched: the same bits as before the rescaled
    // walks existed (the root of the plain walk's W_p^p, sqrt(2 cdf_integral)).
    V nu = scaled(V(u.begin(), u.begin() + 1000), -1000), nv = scaled(V(v.begin(), v.begin() + 999), -1000);
    const double e_plain = ck::energy_distance(nu, nv);
    std::sort(nu.begin(), nu.end());
    std::sort(nv.begin(), nv.end());
    for (double p : {1.0, 2.0, 3.0, 7.25}) {
        CAPTURE(p);
        const double pp =
            ck::detail::wasserstein_pp_equal(nu.data(), nu.size(), nv.data(), nv.size(), ck::detail::power_of{p});
        CHECK(ck::wasserstein(nu, nv, p) == ck::detail::wp_root(pp, p));
    }
    ck::detail::sorted_sample a, b;
    a.x = ck::as_view(nu);
    b.x = ck::as_view(nv);
    CHECK(e_plain == std::sqrt(2.0 * ck::detail::cdf_integral(a, b, 2.0)));
}
