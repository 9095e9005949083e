#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
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
            CHECK(ck::wasserstein(u, v, uw, vw, p) ==
                  ck::detail::wp_root(ck::detail::wasserstein_pp_weighted(ru.s.x, ru.s.c, rv.s.x, rv.s.c, p), p));
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
