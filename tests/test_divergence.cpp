#include <collapsekit/bootstrap.hpp>
#include <collapsekit/divergence.hpp>
#include <collapsekit/pairwise.hpp>
#include <collapsekit/simd/divergence_kernels.hpp>

#include <doctest/doctest.h>

#include <boost/multiprecision/cpp_bin_float.hpp>

#include "test_support.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ck = collapsekit;
using collapsekit_test::fixture;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

void check_close(double got, double want, double eps) {
    if (std::isinf(want)) {
        CHECK(got == want);
    } else {
        CHECK(got == doctest::Approx(want).epsilon(eps));
    }
}

}  // namespace

TEST_CASE("discrete divergences match scipy on probability vectors") {
    const fixture f("divergence.txt");
    for (int k = 0; k < 5; ++k) {
        const std::string c = "case" + std::to_string(k);
        CAPTURE(c);
        const auto& p = f[c + "_p"];
        const auto& q = f[c + "_q"];
        check_close(ck::kl_divergence(p, q), f.scalar(c + "_kl"), 1e-12);
        check_close(ck::kl_divergence(p, q), f.scalar(c + "_rel_entr_sum"), 1e-12);
        check_close(ck::kl_divergence(p, q, ck::bits), f.scalar(c + "_kl_bits"), 1e-12);
        check_close(ck::cross_entropy(p, q), f.scalar(c + "_ce"), 1e-12);
        check_close(ck::js_distance(p, q), f.scalar(c + "_js_distance"), 1e-12);
        check_close(ck::js_distance(p, q, 2.0), f.scalar(c + "_js_distance_bits"), 1e-12);
        const double jd = f.scalar(c + "_js_distance");
        check_close(ck::js_divergence(p, q), jd * jd, 1e-12);
        check_close(ck::hellinger(p, q), f.scalar(c + "_hellinger"), 1e-12);
        check_close(ck::bhattacharyya(p, q), f.scalar(c + "_bhattacharyya"), 1e-12);
        check_close(ck::total_variation(p, q), f.scalar(c + "_tv"), 1e-12);
        check_close(ck::chi_squared_pearson(p, q), f.scalar(c + "_chi2_pearson"), 1e-12);
        check_close(ck::psi(p, q), f.scalar(c + "_psi"), 1e-12);
        check_close(ck::renyi_divergence(p, q, 0.5), f.scalar(c + "_renyi_0.5"), 1e-12);
        check_close(ck::renyi_divergence(p, q, 2.0), f.scalar(c + "_renyi_2"), 1e-12);
        check_close(ck::renyi_divergence(p, q, 3.0), f.scalar(c + "_renyi_3"), 1e-12);
        check_close(ck::renyi_divergence(p, q, inf), f.scalar(c + "_renyi_inf"), 1e-12);
        check_close(ck::renyi_divergence(p, q, 1.0), f.scalar(c + "_kl"), 1e-12);
        // Function objects give the same numbers.
        CHECK(ck::measures::kl_divergence{ck::bits}(p, q) == ck::kl_divergence(p, q, ck::bits));
        CHECK(ck::measures::renyi_divergence{3.0}(p, q) == ck::renyi_divergence(p, q, 3.0));
    }
    check_close(ck::chi_squared_neyman(f["neyman_p"], f["neyman_q"]), f.scalar("neyman_value"), 1e-12);
}

TEST_CASE("count forms normalise, and smoothing is what it says") {
    const fixture f("divergence.txt");
    const auto& a = f["counts_a"];
    const auto& b = f["counts_b"];
    check_close(ck::kl_divergence_counts(a, b), f.scalar("counts_kl"), 1e-12);
    check_close(ck::kl_divergence_counts(b, a, ck::nats, ck::zero_support::jeffreys()),
                f.scalar("counts_kl_reverse_jeffreys"), 1e-12);
    check_close(ck::js_distance_counts(a, b), f.scalar("counts_js_distance"), 1e-12);
    check_close(ck::total_variation_counts(a, b, ck::nats, ck::zero_support::laplace()), f.scalar("counts_tv_laplace"),
                1e-12);
    // b has zeros where a does not.
    CHECK(ck::kl_divergence_counts(b, a) == inf);
    // Integer counts work as well as doubles.
    const std::vector<std::uint64_t> ia{1, 2, 3, 0}, ib{3, 2, 1, 1};
    const std::vector<double> pa{1 / 6.0, 2 / 6.0, 3 / 6.0, 0}, pb{3 / 7.0, 2 / 7.0, 1 / 7.0, 1 / 7.0};
    CHECK(ck::kl_divergence_counts(ia, ib) == doctest::Approx(ck::kl_divergence(pa, pb)).epsilon(1e-14));
    // Huge counts (near 2^64) normalise like small ones.
    const std::vector<std::uint64_t> huge{std::uint64_t{1} << 63, std::uint64_t{1} << 63}, small{3, 3};
    CHECK(ck::kl_divergence_counts(huge, small) == 0.0);
    CHECK(ck::js_divergence_counts(huge, small) == 0.0);
    // additive on counts: (c + alpha) / (N + k alpha).
    const std::vector<double> sa{1.5, 2.5, 3.5, 0.5}, sb{3.5, 2.5, 1.5, 1.5};
    std::vector<double> na(4), nb(4);
    for (int i = 0; i < 4; ++i) na[i] = sa[i] / 8.0, nb[i] = sb[i] / 9.0;
    CHECK(ck::kl_divergence_counts(ib, ia, ck::nats, ck::zero_support::jeffreys()) ==
          doctest::Approx(ck::kl_divergence(nb, na)).epsilon(1e-14));
    // additive on probabilities: (p + alpha) / (1 + k alpha).
    const std::vector<double> p{0.5, 0.5, 0.0}, q{0.0, 0.5, 0.5};
    const std::vector<double> ps{0.6 / 1.3, 0.6 / 1.3, 0.1 / 1.3}, qs{0.1 / 1.3, 0.6 / 1.3, 0.6 / 1.3};
    CHECK(ck::kl_divergence(p, q) == inf);
    CHECK(ck::kl_divergence(p, q, ck::nats, ck::zero_support::additive(0.1)) ==
          doctest::Approx(ck::kl_divergence(ps, qs)).epsilon(1e-14));
    // skew: q -> a q + (1 - a) p.
    const std::vector<double> qk{0.01 * 0.5, 0.99 * 0.5 + 0.01 * 0.5, 0.99 * 0.5};
    CHECK(ck::kl_divergence(p, q, ck::nats, ck::zero_support::skew(0.99)) ==
          doctest::Approx(ck::kl_divergence(p, qk)).epsilon(1e-14));
    CHECK(std::isfinite(ck::psi(p, q, ck::nats, ck::zero_support::jeffreys())));
}

TEST_CASE("zero-support limits under none()") {
    const std::vector<double> p{0.5, 0.5, 0.0}, q{0.0, 0.5, 0.5}, r{0.5, 0.5, 0.0};
    CHECK(ck::kl_divergence(p, q) == inf);
    CHECK(ck::cross_entropy(p, q) == inf);
    CHECK(ck::psi(p, q) == inf);
    CHECK(ck::chi_squared_pearson(p, q) == inf);
    CHECK(ck::chi_squared_neyman(p, q) == inf);
    CHECK(ck::renyi_divergence(p, q, 2.0) == inf);
    CHECK(ck::renyi_divergence(p, q, inf) == inf);
    CHECK(std::isfinite(ck::renyi_divergence(p, q, 0.5)));
    // alpha = 0: -log q(supp p) = -log 0.5.
    CHECK(ck::renyi_divergence(p, q, 0.0) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
    CHECK(ck::js_divergence(p, q) == doctest::Approx(0.5 * std::log(2.0)).epsilon(1e-15));
    CHECK(ck::total_variation(p, q) == doctest::Approx(0.5).epsilon(1e-15));
    CHECK(ck::kl_divergence(p, r) == 0.0);
    CHECK(ck::psi(p, r) == 0.0);
    // Disjoint supports: JS = log 2, Hellinger = 1, TV = 1, Bhattacharyya = inf.
    const std::vector<double> a{1, 0}, b{0, 1};
    CHECK(ck::js_divergence(a, b, ck::bits) == doctest::Approx(1.0).epsilon(1e-15));
    CHECK(ck::hellinger(a, b) == 1.0);
    CHECK(ck::total_variation(a, b) == 1.0);
    CHECK(ck::bhattacharyya(a, b) == inf);
    CHECK(ck::renyi_divergence(a, b, 0.5) == inf);
}

TEST_CASE("Jensen-Shannon is never NaN or negative on tiny entries") {
    const double tiny = std::numeric_limits<double>::denorm_min();
    const std::vector<double> p{0.0, 1.0}, q{tiny, 1.0};
    const double js = ck::js_divergence(p, q);
    CHECK(std::isfinite(js));
    CHECK(js >= 0.0);
    // Exact value: tiny log(2) / 2 ~ 1.7e-324, which rounds to 0 in double.
    CHECK(js == 0.0);
    CHECK(ck::js_distance(p, q) == 0.0);
    CHECK(ck::kl_divergence(q, p) == inf);
    // A pair whose exact answer is representable: p = [t, 1 - t] vs q = [0, 1].
    const double t = 1e-300;
    const std::vector<double> a{t, 1.0 - t}, b{0.0, 1.0};
    // JSD = t/2 log 2 + O(t^2): the 1 - t entries contribute -t/2 + O(t^2) each side... in
    // double 1 - t == 1, so the reference is the first term alone.
    CHECK(ck::js_divergence(a, b) == doctest::Approx(0.5 * t * std::log(2.0)).epsilon(1e-14));

    const float ft = std::numeric_limits<float>::denorm_min();
    const std::vector<float> fp{0.0f, 1.0f}, fq{ft, 1.0f};
    const double fjs = ck::js_divergence(fp, fq);
    CHECK(std::isfinite(fjs));
    CHECK(fjs >= 0.0);
    CHECK(fjs <= static_cast<double>(ft));
    // float32 vectors with many tiny entries agree with the same values in double (which
    // sum to 1 only within float rounding, hence the _counts form for the reference).
    std::vector<float> f1(64), f2(64);
    ck::rng g(3);
    float s1 = 0, s2 = 0;
    for (std::size_t i = 0; i < 64; ++i) {
        f1[i] = static_cast<float>(g.uniform()) * (i % 3 == 0 ? 1e-38f : 1.0f);
        f2[i] = static_cast<float>(g.uniform()) * (i % 5 == 0 ? 1e-40f : 1.0f);
    }
    for (float v : f1) s1 += v;
    for (float v : f2) s2 += v;
    for (float& v : f1) v /= s1;
    for (float& v : f2) v /= s2;
    const std::vector<double> d1(f1.begin(), f1.end()), d2(f2.begin(), f2.end());
    const double jf = ck::js_divergence(f1, f2);
    CHECK(std::isfinite(jf));
    CHECK(jf == doctest::Approx(ck::js_divergence_counts(d1, d2)).epsilon(1e-5));
    CHECK(ck::kl_divergence(f1, f2) == doctest::Approx(ck::kl_divergence_counts(d1, d2)).epsilon(1e-5));
    // Identical inputs give exactly 0, not a rounding residue below it.
    CHECK(ck::js_divergence_counts(d1, d1) == 0.0);
    CHECK(ck::js_divergence(f1, f1) == 0.0);
}

namespace {

// Sum of |term| in double, the scale the kernels' rounding is measured against.
template <class T, class Term>
double abs_scale(const std::vector<T>& p, const std::vector<T>& q, std::size_t off, std::size_t n, Term term) {
    double s = 0;
    for (std::size_t i = off; i < off + n; ++i)
        s += std::abs(term(static_cast<double>(p[i]), static_cast<double>(q[i])));
    return s;
}

// `specials`: zeros on either side, subnormals and equal entries throughout, which sends
// most groups of batches down the kernels' general lane code; without them, only zeros in
// p or in both, which the fast path (double) handles itself.
template <class T>
void compare_kernels(bool specials) {
    const double eps = std::numeric_limits<T>::epsilon();
    ck::rng g(11);
    std::vector<T> p(260), q(260);
    for (std::size_t i = 0; i < p.size(); ++i) {
        p[i] = static_cast<T>(g.uniform());
        q[i] = static_cast<T>(g.uniform());
        if (!specials) {
            if (i % 5 == 0) p[i] = 0;
            if (i % 7 == 0) p[i] = q[i] = 0;
            continue;
        }
        if (i % 17 == 0) p[i] = 0;
        if (i % 23 == 0) q[i] = 0;
        if (i % 29 == 0) p[i] = std::numeric_limits<T>::denorm_min();
        if (i % 31 == 0) q[i] = std::numeric_limits<T>::min() / 8;
        if (i % 13 == 0) q[i] = p[i];
    }
    auto kl = [](double a, double b) { return a > 0 && b > 0 ? a * std::log(a / b) : 0.0; };
    auto js = [](double a, double b) {
        return (a > 0 ? a * std::log(2 * a / (a + b)) : 0.0) + (b > 0 ? b * std::log(2 * b / (a + b)) : 0.0);
    };
    auto he = [](double a, double b) { return (std::sqrt(a) - std::sqrt(b)) * (std::sqrt(a) - std::sqrt(b)); };
    auto tv = [](double a, double b) { return std::abs(a - b); };
    for (std::size_t off : {std::size_t{0}, std::size_t{1}}) {
        for (std::size_t n = 0; n + off <= 258; ++n) {
            CAPTURE(n);
            CAPTURE(off);
            const T* a = p.data() + off;
            const T* b = q.data() + off;
#if COLLAPSEKIT_HAS_SIMD
            const auto k1 = ck::simd::kl_sum_simd(a, b, n), k0 = ck::simd::kl_sum_scalar(a, b, n);
            const auto j1 = ck::simd::js_sum_simd(a, b, n), j0 = ck::simd::js_sum_scalar(a, b, n);
            const auto h1 = ck::simd::hellinger_sum_simd(a, b, n), h0 = ck::simd::hellinger_sum_scalar(a, b, n);
            const auto t1 = ck::simd::tv_sum_simd(a, b, n), t0 = ck::simd::tv_sum_scalar(a, b, n);
#else
            const auto k1 = ck::simd::kl_sum(a, b, n), k0 = ck::simd::kl_sum_scalar(a, b, n);
            const auto j1 = ck::simd::js_sum(a, b, n), j0 = ck::simd::js_sum_scalar(a, b, n);
            const auto h1 = ck::simd::hellinger_sum(a, b, n), h0 = ck::simd::hellinger_sum_scalar(a, b, n);
            const auto t1 = ck::simd::tv_sum(a, b, n), t0 = ck::simd::tv_sum_scalar(a, b, n);
#endif
            // 4 ulp of sum |term| (plus the smallest subnormal, for sums of subnormal terms).
            const double tiny = static_cast<double>(std::numeric_limits<T>::denorm_min());
            CHECK(std::abs(k1.value - k0.value) <= 4 * eps * abs_scale(p, q, off, n, kl) + tiny);
            CHECK(std::abs(j1.value - j0.value) <= 4 * eps * abs_scale(p, q, off, n, js) + tiny);
            CHECK(std::abs(h1.value - h0.value) <= 4 * eps * abs_scale(p, q, off, n, he) + tiny);
            CHECK(std::abs(t1.value - t0.value) <= 4 * eps * abs_scale(p, q, off, n, tv) + tiny);
            CHECK(k1.p_without_q == k0.p_without_q);
            CHECK(k1.min == k0.min);
            // The input sums are plain (uncompensated) sums that only feed the 1e-9 / 1e-5
            // normalisation check: they agree to n ulp, the bound of plain summation.
            const double plain = static_cast<double>(n + 1) * eps;
            CHECK(std::abs(k1.sum_p - k0.sum_p) <= plain * (k0.sum_p + 1e-300));
            CHECK(std::abs(k1.sum_q - k0.sum_q) <= plain * (k0.sum_q + 1e-300));
        }
    }
}

}  // namespace

TEST_CASE("double counts are normalised on the fly: same answers and errors as normalised copies") {
    ck::rng g(21);
    for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{17}, std::size_t{1000}}) {
        CAPTURE(n);
        std::vector<double> a(n), b(n), pa(n), pb(n);
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = std::floor(1e6 * g.uniform());
            b[i] = std::floor(1e6 * g.uniform()) + 1.0;
            if (i % 7 == 3) a[i] = 0.0;
        }
        double ta = 0, tb = 0;
        for (std::size_t i = 0; i < n; ++i) ta += a[i], tb += b[i];
        if (ta == 0) continue;
        for (std::size_t i = 0; i < n; ++i) pa[i] = a[i] / ta, pb[i] = b[i] / tb;
        // The probability forms read the normalised copies; the counts forms p * (1/A):
        // one rounding apart per entry.
        CHECK(ck::kl_divergence_counts(a, b) == doctest::Approx(ck::kl_divergence(pa, pb)).epsilon(1e-13));
        CHECK(ck::js_divergence_counts(a, b) == doctest::Approx(ck::js_divergence(pa, pb)).epsilon(1e-13));
        CHECK(ck::js_distance_counts(a, b) == doctest::Approx(ck::js_distance(pa, pb)).epsilon(1e-13));
        CHECK(ck::hellinger_counts(a, b) == doctest::Approx(ck::hellinger(pa, pb)).epsilon(1e-13));
        CHECK(ck::total_variation_counts(a, b) == doctest::Approx(ck::total_variation(pa, pb)).epsilon(1e-13));
    }
    // A count of one side only: KL is +inf, the others finite.
    const std::vector<double> c1{3.0, 1.0, 0.0}, c2{1.0, 0.0, 2.0};
    CHECK(ck::kl_divergence_counts(c1, c2) == std::numeric_limits<double>::infinity());
    CHECK(std::isfinite(ck::js_divergence_counts(c1, c2)));
    // Bad counts take the slow path and get its messages.
    const std::vector<double> neg{-1.0, 2.0}, ones{1.0, 1.0}, zero{0.0, 0.0}, inf{HUGE_VAL, 1.0};
    CHECK(collapsekit_test::error_message([&] { ck::js_divergence_counts(neg, ones); }) ==
          "collapsekit::js_divergence_counts: a must hold non-negative finite counts (a[0] = -1)");
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence_counts(ones, zero); }) ==
          "collapsekit::kl_divergence_counts: b counts sum to zero; nothing to normalise");
    CHECK(collapsekit_test::error_message([&] { ck::hellinger_counts(ones, inf); }) ==
          "collapsekit::hellinger_counts: b must hold non-negative finite counts (b[0] = inf)");
    // The _counts forms name their arguments a and b (as declared), the others p and q.
    const std::vector<double> one{1.0}, none{}, nan_count{1.0, std::nan("")};
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence_counts(none, one); }) ==
          "collapsekit::kl_divergence_counts: a and b differ in length (0 vs 1)");
    CHECK(collapsekit_test::error_message([&] { ck::js_divergence_counts(none, none); }) ==
          "collapsekit::js_divergence_counts: a is empty");
    CHECK(collapsekit_test::error_message([&] {
              ck::hellinger_counts(ones, nan_count);
          }).rfind("collapsekit::hellinger_counts: b contains NaN (first at index 1)", 0) == 0);
    CHECK(collapsekit_test::error_message([&] { ck::renyi_divergence_counts(neg, ones, 2.0); }) ==
          "collapsekit::renyi_divergence_counts: a must hold non-negative finite counts (a[0] = -1)");
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence(none, none); }) ==
          "collapsekit::kl_divergence: p is empty");

    // Totals near the top of the double range still normalise.
    const std::vector<double> big{1e307, 3e307}, big2{2e307, 2e307};
    CHECK(ck::total_variation_counts(big, big2) == doctest::Approx(0.25).epsilon(1e-15));
}

TEST_CASE("SIMD kernels equal their scalar twins within 4 ulp on lengths 0..257") {
    for (bool specials : {true, false}) {
        CAPTURE(specials);
        compare_kernels<double>(specials);
        compare_kernels<float>(specials);
    }
}

TEST_CASE("weighted n-way Jensen-Shannon") {
    const fixture f("divergence.txt");
    const std::vector<std::vector<double>> ps{f["jsn_p0"], f["jsn_p1"], f["jsn_p2"]};
    check_close(ck::js_divergence_n(ps, f["jsn_w"]), f.scalar("jsn_value"), 1e-12);
    check_close(ck::js_divergence_n(ps), f.scalar("jsn_equal"), 1e-12);
    // Two distributions with weights 1/2 each: the pairwise JSD.
    const std::vector<std::vector<double>> two{f["jsn_p0"], f["jsn_p1"]};
    CHECK(ck::js_divergence_n(two, ck::bits) ==
          doctest::Approx(ck::js_divergence(two[0], two[1], ck::bits)).epsilon(1e-13));
    // Counts, normalised each by its own total.
    const std::vector<std::vector<int>> counts{{1, 2, 3}, {2, 4, 6}, {3, 0, 0}};
    const std::vector<std::vector<double>> probs{{1 / 6., 2 / 6., 3 / 6.}, {1 / 6., 2 / 6., 3 / 6.}, {1, 0, 0}};
    CHECK(ck::js_divergence_n_counts(counts) == doctest::Approx(ck::js_divergence_n(probs)).epsilon(1e-14));
    CHECK(ck::js_divergence_n(probs) <= std::log(3.0));
    // A bare number after the distributions is the base, not a weight vector.
    CHECK(ck::js_divergence_n(probs, 2.0) ==
          doctest::Approx(ck::js_divergence_n(probs) / std::log(2.0)).epsilon(1e-14));
    CHECK(ck::js_divergence_n_counts(counts, 2.0) ==
          doctest::Approx(ck::js_divergence_n_counts(counts, ck::bits)).epsilon(1e-15));
    const std::vector<double> bad_w{0.5, 0.6};
    CHECK(collapsekit_test::error_message([&] { ck::js_divergence_n(two, bad_w); }) ==
          "collapsekit::js_divergence_n: weights must sum to 1 within 1.0000000000000001e-09 (sum is "
          "1.1000000000000001); pass counts to the _counts form to normalise");
    const std::vector<double> w3{0.5, 0.5, 0.0};
    CHECK_THROWS_AS(ck::js_divergence_n(two, w3), std::invalid_argument);
}

TEST_CASE("bad input gives clear errors") {
    const std::vector<double> p{0.5, 0.5}, q3{0.2, 0.3, 0.5};
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence(p, q3); }) ==
          "collapsekit::kl_divergence: p and q differ in length (2 vs 3)");
    const std::vector<double> neg{1.5, -0.5};
    CHECK(collapsekit_test::error_message([&] { ck::js_divergence(neg, p); }) ==
          "collapsekit::js_divergence: p must hold non-negative finite probabilities (p[1] = -0.5)");
    const std::vector<double> unnorm{0.5, 0.6};
    CHECK(collapsekit_test::error_message([&] { ck::hellinger(p, unnorm); }) ==
          "collapsekit::hellinger: q must sum to 1 within 1.0000000000000001e-09 (sum is 1.1000000000000001); "
          "pass counts to the _counts form to normalise");
    const std::vector<double> empty;
    CHECK(collapsekit_test::error_message([&] { ck::total_variation(empty, empty); }) ==
          "collapsekit::total_variation: p is empty");
    const std::vector<double> nan_p{std::nan(""), 1.0};
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence(nan_p, p); }) ==
          "collapsekit::kl_divergence: p contains NaN (first at index 0); pass nan_policy::omit or "
          "nan_policy::propagate to allow it");
    CHECK(std::isnan(ck::kl_divergence(nan_p, p, ck::nats, ck::zero_support::none(), ck::nan_policy::propagate)));
    // omit drops position 0 from both; [1.0] vs [0.5] then fails the sum check of q.
    CHECK_THROWS_AS(ck::kl_divergence(nan_p, p, ck::nats, ck::zero_support::none(), ck::nan_policy::omit),
                    std::invalid_argument);
    const std::vector<double> c_nan{std::nan(""), 2.0, 2.0}, c{5.0, 1.0, 3.0};
    CHECK(ck::kl_divergence_counts(c_nan, c, ck::nats, ck::zero_support::none(), ck::nan_policy::omit) ==
          doctest::Approx(0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75)).epsilon(1e-14));
    const std::vector<double> inf_p{inf, 0.0};
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence(inf_p, p); }) ==
          "collapsekit::kl_divergence: p must hold non-negative finite probabilities (p[0] = inf)");
    const std::vector<int> zeros{0, 0};
    const std::vector<int> ones{1, 1};
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence_counts(zeros, ones); }) ==
          "collapsekit::kl_divergence_counts: a counts sum to zero; nothing to normalise");
    const std::vector<int> negc{-1, 2};
    CHECK(collapsekit_test::error_message([&] { ck::psi_counts(negc, ones); }) ==
          "collapsekit::psi_counts: a must hold non-negative finite counts (a[0] = -1)");
    CHECK(collapsekit_test::error_message([&] { ck::kl_divergence(p, p, 1.0); }) ==
          "collapsekit::kl_divergence: base must be positive, finite and not 1 (got 1)");
    CHECK_THROWS_AS(ck::renyi_divergence(p, p, -1.0), std::domain_error);
    CHECK_THROWS_AS(ck::renyi_divergence(p, p, std::nan("")), std::invalid_argument);
    CHECK(collapsekit_test::error_message([] { ck::zero_support::additive(0.0); }) ==
          "collapsekit::zero_support::additive: alpha must be positive and finite (got 0)");
    CHECK(collapsekit_test::error_message([] { ck::zero_support::skew(1.0); }) ==
          "collapsekit::zero_support::skew: alpha must lie in (0, 1) (got 1)");
    // Sums within the stated tolerance are accepted as they are.
    const std::vector<double> close{0.5, 0.5 + 5e-10};
    CHECK(ck::kl_divergence(close, p) == doctest::Approx(0.0).epsilon(1e-9));
    const std::vector<float> fclose{0.5f, 0.500004f}, fp{0.5f, 0.5f};
    CHECK(ck::kl_divergence(fclose, fp) == doctest::Approx(0.0).epsilon(1e-5));
}

TEST_CASE("bootstrap confidence interval for a divergence from counts") {
    // Reference and generated histograms on the same bins; the interval for KL with
    // Jeffreys smoothing comes from multinomial resampling of both count vectors.
    const std::vector<std::uint64_t> ref{400, 300, 200, 100}, gen{250, 250, 250, 250};
    const ck::measures::kl_divergence_counts kl{ck::nats, ck::zero_support::jeffreys()};
    const auto r = ck::bootstrap_counts(ref, gen, kl, {400, 0.9, 5});
    CHECK(r.estimate == kl(ref, gen));
    CHECK(r.lower < r.estimate);
    CHECK(r.upper > r.estimate);
    CHECK(r.standard_error > 0.0);
    // Delta-method scale: the SE of a plug-in KL with N = 1000 per side is of order
    // sqrt(Var_p[log p/q] / N) ~ 0.02 here; the bootstrap must land in that range.
    CHECK(r.standard_error > 0.005);
    CHECK(r.standard_error < 0.05);
    const auto again = ck::bootstrap_counts(ref, gen, kl, {400, 0.9, 5});
    CHECK(again.lower == r.lower);
    CHECK(again.upper == r.upper);
}

TEST_CASE("pairwise matrices of any measure") {
    const std::vector<std::vector<double>> gens{{0.5, 0.5, 0.0}, {0.4, 0.4, 0.2}, {0.1, 0.2, 0.7}};
    const auto kl = ck::pairwise(gens, ck::measures::kl_divergence{});
    REQUIRE(kl.n == 3);
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) CHECK(kl(i, j) == ck::kl_divergence(gens[i], gens[j]));
    }
    CHECK(kl(1, 0) == inf);
    CHECK(kl(0, 0) == 0.0);
    const auto js = ck::pairwise(gens, ck::measures::js_distance{ck::bits}, ck::pairwise_symmetry::mirror);
    CHECK(js(2, 0) == js(0, 2));
    CHECK(js(0, 2) == ck::js_distance(gens[0], gens[2], ck::bits));
    // Any callable works, e.g. a lambda over count vectors.
    const std::vector<std::vector<int>> counts{{1, 2}, {2, 1}};
    const auto tv = ck::pairwise(counts, [](const auto& a, const auto& b) { return ck::total_variation_counts(a, b); });
    CHECK(tv(0, 1) == doctest::Approx(1.0 / 3.0).epsilon(1e-15));
    const std::vector<std::vector<double>> none;
    CHECK(ck::pairwise(none, ck::measures::kl_divergence{}).values.empty());
    // Errors from the measure pass through.
    const std::vector<std::vector<double>> bad{{0.5, 0.5}, {0.5, 0.5, 0.0}};
    CHECK_THROWS_AS(ck::pairwise(bad, ck::measures::hellinger{}), std::invalid_argument);
}

TEST_CASE("divergences between continuous samples through the reference's quantile bins") {
    ck::rng g(21);
    ck::normal_distribution normal;
    std::vector<double> ref(20000), same(20000), narrow(20000);
    for (double& v : ref) v = normal(g);
    for (double& v : same) v = normal(g);
    for (double& v : narrow) v = 0.5 * normal(g);
    const auto c = ck::bin_on_reference(ref, narrow, 10);
    REQUIRE(c.reference.size() == 12);
    CHECK(c.reference.front() == 0.0);
    CHECK(c.reference.back() == 0.0);
    // Deciles of the reference: 2000 values in each inner bin.
    for (std::size_t i = 1; i <= 10; ++i) CHECK(c.reference[i] == doctest::Approx(2000).epsilon(0.001));
    // Same distribution: JS is the sampling noise, of order (bins - 1) / (8 N) ~ 1e-4.
    CHECK(ck::js_divergence_samples(ref, same, 10) < 1e-3);
    // A narrower generator loses the tails: a clear divergence.
    const double js_narrow = ck::js_divergence_samples(ref, narrow, 10);
    CHECK(js_narrow > 0.05);
    CHECK(ck::divergence_samples(ref, narrow, 10, ck::measures::js_divergence_counts{}) == js_narrow);
    CHECK(std::isfinite(ck::kl_divergence_samples(ref, narrow, 10, ck::nats, ck::zero_support::jeffreys())));
    // A generated value outside the reference's range lands in an outer bin.
    std::vector<double> wide{-100.0, 0.0, 100.0};
    const auto cw = ck::bin_on_reference(ref, wide, 4);
    CHECK(cw.generated.front() == 1.0);
    CHECK(cw.generated.back() == 1.0);
    CHECK(ck::kl_divergence_samples(wide, ref, 4) == inf);
    std::vector<double> with_nan{0.0, std::nan("")};
    CHECK(std::isnan(
        ck::kl_divergence_samples(ref, with_nan, 4, ck::nats, ck::zero_support::none(), ck::nan_policy::propagate)));
    CHECK_THROWS_AS(ck::kl_divergence_samples(ref, with_nan, 4), std::invalid_argument);
    // Bootstrap interval over the two samples (resampled independently).
    const auto r =
        ck::bootstrap(ref, narrow, [](auto a, auto b) { return ck::js_divergence_samples(a, b, 10); }, {50, 0.9, 1});
    CHECK(r.lower <= r.estimate);
    CHECK(r.upper >= r.estimate);
    CHECK(r.standard_error < 0.01);
}

TEST_CASE("KL and JS stay accurate between nearly equal distributions") {
    // q = p (1 + eps u): KL and JS are of order eps^2 while each term is of order eps, so
    // the log of the rounded ratio (1 ulp of 1 absolute, as in scipy's rel_entr) or the
    // rounding of p + q would swamp them. Reference: long double, with the exact
    // differences p - q carried through log1p.
    ck::rng g(31);
    const std::size_t n = 1003;  // not a multiple of the batch width: the tails run too
    for (double eps : {1e-3, 1e-6, 1e-9}) {
        CAPTURE(eps);
        std::vector<double> p(n), q(n);
        for (std::size_t i = 0; i < n; ++i) {
            p[i] = g.uniform() + 0.01;
            q[i] = p[i] * (1.0 + eps * (g.uniform() - 0.5));
        }
        // Normalised, so that KL has no first-order part left (up to the rounding of the sums).
        double sp = 0, sq = 0;
        for (std::size_t i = 0; i < n; ++i) sp += p[i], sq += q[i];
        for (std::size_t i = 0; i < n; ++i) p[i] /= sp, q[i] /= sq;
        long double kl = 0, js = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const long double a = p[i], b = q[i], m = a + b;  // exact in long double
            kl += a * std::log1p((a - b) / b);
            js += a * std::log1p((a - b) / m) + b * std::log1p((b - a) / m);
        }
        const auto rel = [](double got, long double exact) {
            return static_cast<double>(std::abs((static_cast<long double>(got) - exact) / exact));
        };
        // Each term carries about 2 ulp of its own size (eps p) and the sum is about eps^2:
        // a relative error of a few 1e-16 / eps.
        const double tol = 1e-14 / eps;
        const auto k0 = ck::simd::kl_sum_scalar(p.data(), q.data(), n);
        const auto k1 = ck::simd::kl_sum(p.data(), q.data(), n);
        const auto j0 = ck::simd::js_sum_scalar(p.data(), q.data(), n);
        const auto j1 = ck::simd::js_sum(p.data(), q.data(), n);
        MESSAGE("eps " << eps << ": KL rel. error " << rel(k1.value, kl) << " (scalar " << rel(k0.value, kl) << "), JS "
                       << rel(j1.value, js) << " (scalar " << rel(j0.value, js) << ")");
        CHECK(rel(k0.value, kl) <= tol);
        CHECK(rel(k1.value, kl) <= tol);
        CHECK(rel(j0.value, js) <= tol);
        CHECK(rel(j1.value, js) <= tol);
    }
}

TEST_CASE("n-way Jensen-Shannon stays accurate between nearly equal distributions") {
    // Three distributions a relative 1e-7 apart: the divergence is of order 1e-14 while
    // the rounding of the mixture alone is of order 1e-16 per entry.
    ck::rng g(37);
    const std::size_t n = 500;
    std::vector<std::vector<double>> d(3, std::vector<double>(n));
    const std::vector<double> w{0.5, 0.25, 0.25};
    for (std::size_t j = 0; j < n; ++j) {
        const double base = g.uniform() + 0.01;
        for (auto& v : d) v[j] = base * (1.0 + 1e-7 * (g.uniform() - 0.5));
    }
    for (auto& v : d) {
        double s = 0;
        for (double x : v) s += x;
        for (double& x : v) x /= s;
    }
    long double exact = 0;
    for (std::size_t j = 0; j < n; ++j) {
        long double m = 0;
        for (std::size_t i = 0; i < 3; ++i) m += static_cast<long double>(w[i]) * d[i][j];
        for (std::size_t i = 0; i < 3; ++i) {
            const long double p = d[i][j];
            exact += w[i] * p * std::log1p((p - m) / m);
        }
    }
    const double got = ck::js_divergence_n(d, w);
    MESSAGE("n-way JS " << got << ", exact " << static_cast<double>(exact));
    CHECK(static_cast<double>(std::abs((got - exact) / exact)) <= 1e-6);
    // Two distributions with equal weights: the n-way form and the pairwise kernel agree.
    const std::vector<std::vector<double>> two{d[0], d[1]};
    CHECK(ck::js_divergence_n(two, std::vector<double>{0.5, 0.5}) ==
          doctest::Approx(ck::js_divergence(d[0], d[1])).epsilon(1e-6));
}

// ---------------------------------------------------------------------------------------
// Property-test findings (python/tests/test_properties_divergence.py), each with its
// reproducer and a 50-digit or closed-form reference.

namespace {

using big50 = boost::multiprecision::cpp_bin_float_50;

// KL of the two count vectors normalised by their exact totals, in 50 digits (+inf where
// a > 0 = b).
// (cpp_bin_float_50 keeps about 166 bits: a total such as 2 + 3 * 5e-324 rounds to 2.)
big50 kl_counts_big(const std::vector<double>& a, const std::vector<double>& b) {
    big50 ta = 0, tb = 0, kl = 0;
    for (double v : a) ta += v;
    for (double v : b) tb += v;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] == 0) continue;
        if (b[i] == 0) return big50(inf);
        const big50 p = big50(a[i]) / ta, q = big50(b[i]) / tb;
        kl += p * log(p / q);
    }
    return kl;
}
double kl_counts_50(const std::vector<double>& a, const std::vector<double>& b) {
    return static_cast<double>(kl_counts_big(a, b));
}

// -log sum sqrt(p q) of the vectors as given, or normalised first (counts), in 50 digits.
double bhattacharyya_50(const std::vector<double>& a, const std::vector<double>& b, bool normalise) {
    big50 ta = 0, tb = 0, bc = 0;
    for (double v : a) ta += v;
    for (double v : b) tb += v;
    if (!normalise) ta = tb = 1;
    for (std::size_t i = 0; i < a.size(); ++i) bc += sqrt((big50(a[i]) / ta) * (big50(b[i]) / tb));
    return bc == 0 ? inf : static_cast<double>(-log(bc));
}

}  // namespace

TEST_CASE("counts keep their support and normalise exactly (finding: multiplying by 1/total)") {
    const double tiny = std::numeric_limits<double>::denorm_min();
    // A positive count keeps a positive share: KL = +inf exactly when the counts say so.
    const std::vector<double> a1{2, tiny}, b1{1, 0};
    CHECK(ck::kl_divergence_counts(a1, b1) == inf);
    CHECK(kl_counts_50(a1, b1) == inf);
    // ... and a share below the double range still enters with its value (exact 371.87).
    const std::vector<double> a2{1, 1}, b2{2, tiny};
    CHECK(ck::kl_divergence_counts(a2, b2) == doctest::Approx(kl_counts_50(a2, b2)).epsilon(1e-12));
    const std::vector<double> a3{0, tiny}, b3{2, tiny};
    CHECK(ck::bhattacharyya_counts(a3, b3) == doctest::Approx(bhattacharyya_50(a3, b3, true)).epsilon(1e-12));
    CHECK(bhattacharyya_50(a3, b3, true) == doctest::Approx(372.5666).epsilon(1e-6));
    // The other forms of such a pair: finite, and +inf only with the support.
    CHECK(ck::cross_entropy_counts(a2, b2) == doctest::Approx(std::log(2.0) + kl_counts_50(a2, b2)).epsilon(1e-12));
    CHECK(ck::psi_counts(a2, b2) == doctest::Approx(kl_counts_50(a2, b2) + kl_counts_50(b2, a2)).epsilon(1e-12));
    CHECK(ck::psi_counts(a1, b1) == inf);
    CHECK(std::isfinite(ck::js_divergence_counts(a1, b1)));
    // Integer and float counts take the slow path: the same answers.
    const std::vector<std::uint64_t> u1{3, 0}, u2{1, 1};
    CHECK(ck::kl_divergence_counts(u1, u2) == doctest::Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("proportional counts have KL exactly 0, and KL of counts is never negative (Gibbs)") {
    // The reproducer: 1e-300 * (1 / 1e-300) is not 1, and KL came out -1.1e-16.
    CHECK(ck::kl_divergence_counts(std::vector<double>{1e-300}, std::vector<double>{2.2250738585072014e-308}) == 0.0);
    // k equal counts: the exact share is 1/k for any value, so equal shares, KL = 0; k = 3
    // is the case where a / fl(3a) depends on a's last bits (a quarter of all doubles).
    ck::rng g(41);
    for (int k = 1; k <= 4; ++k) {
        for (int trial = 0; trial < 200; ++trial) {
            const double a = std::ldexp(1.0 + g.uniform(), static_cast<int>(g.below(2000)) - 1000);
            const double b = std::ldexp(1.0 + g.uniform(), static_cast<int>(g.below(2000)) - 1000);
            const std::vector<double> pa(static_cast<std::size_t>(k), a), pb(static_cast<std::size_t>(k), b);
            CAPTURE(a);
            CAPTURE(b);
            CHECK(ck::kl_divergence_counts(pa, pb) == 0.0);
            CHECK(ck::js_divergence_counts(pa, pb) == 0.0);
            CHECK(ck::psi_counts(pa, pb) == 0.0);
        }
    }
    // Proportional vectors (a = 3 b): identical shares.
    const std::vector<double> b{1, 2, 5, 7, 11}, a{3, 6, 15, 21, 33};
    CHECK(ck::kl_divergence_counts(a, b) == 0.0);
    CHECK(ck::hellinger_counts(a, b) == 0.0);
    // Nearly equal counts: never below 0.
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<double> p(7), q(7);
        for (std::size_t i = 0; i < p.size(); ++i) {
            p[i] = 1.0 + g.uniform();
            q[i] = p[i] * (1.0 + 1e-15 * (g.uniform() - 0.5));
        }
        CHECK(ck::kl_divergence_counts(p, q) >= 0.0);
    }
}

TEST_CASE("Bhattacharyya keeps its digits between nearly equal distributions (finding)") {
    // The reproducer: -log(sum sqrt(p q)) gave 1.1e-16 for equal vectors.
    const std::vector<double> p{0.25, 0.75};
    CHECK(ck::bhattacharyya(p, p) == 0.0);
    // 1000 entries a relative 1e-6 apart: B ~ eps^2 / 8 ~ 6e-14; 50-digit reference.
    ck::rng g(43);
    std::vector<double> x(1000), y(1000);
    double sx = 0, sy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = g.uniform() + 0.01;
        y[i] = x[i] * (1.0 + 1e-6 * (2.0 * g.uniform() - 1.0));
        sx += x[i];
    }
    for (double& v : x) v /= sx;
    for (double v : y) sy += v;
    for (double& v : y) v /= sy;
    const double want = bhattacharyya_50(x, y, false);
    CHECK(want > 1e-15);
    CHECK(want < 1e-12);
    CHECK(ck::bhattacharyya(x, y) == doctest::Approx(want).epsilon(1e-9));
    // Equal vectors that sum to 1 only within rounding: B(p, p) = -log sum p, here of the
    // size of the subnormal entry (a Hypothesis example: p = [1.625, DBL_MIN, 2, 2] / 5.625,
    // sum p - 1 = -3.96e-309), which the compensated sums alone lose; exact reference with
    // 2200-bit sums, compared in units of the smallest subnormal.
    {
        using wide = boost::multiprecision::number<
            boost::multiprecision::cpp_bin_float<2200, boost::multiprecision::digit_base_2>>;
        std::vector<double> e{1.625, std::numeric_limits<double>::min(), 2.0, 2.0};
        double t = 0;
        for (double v : e) t += v;
        for (double& v : e) v /= t;
        wide sum = 0;
        for (double v : e) sum += wide(v);
        const double want = static_cast<double>(ldexp(-(sum - 1), 1074));  // -log(1 + d) = -d here
        CHECK(want != 0.0);
        CHECK(std::ldexp(ck::bhattacharyya(e, e), 1074) == doctest::Approx(want).epsilon(1e-9));
        CHECK(ck::bhattacharyya(p, p) == 0.0);
    }
    // Far apart: -log BC as before; disjoint supports +inf.
    const std::vector<double> r{0.9, 0.1}, s{0.1, 0.9};
    CHECK(ck::bhattacharyya(r, s) == doctest::Approx(-std::log(2.0 * std::sqrt(0.09))).epsilon(1e-15));
    CHECK(ck::bhattacharyya(std::vector<double>{1, 0}, std::vector<double>{0, 1}) == inf);
}

TEST_CASE("infinite results change sign in a base below 1, as finite ones do (finding)") {
    const std::vector<double> p{0.5, 0.5}, q{1.0, 0.0}, r{0.25, 0.75};
    // Finite: the value in nats / ln 0.5, negative.
    const double finite = (0.5 * std::log(0.5 / 0.25) + 0.5 * std::log(0.5 / 0.75)) / std::log(0.5);
    CHECK(ck::kl_divergence(p, r, 0.5) == doctest::Approx(finite).epsilon(1e-15));
    CHECK(finite == doctest::Approx(-0.2075187496).epsilon(1e-9));
    CHECK(ck::kl_divergence(p, q, 0.5) == -inf);
    CHECK(ck::kl_divergence_counts(p, q, 0.5) == -inf);
    CHECK(ck::cross_entropy(p, q, 0.5) == -inf);
    CHECK(ck::psi(p, q, 0.5) == -inf);
    CHECK(ck::bhattacharyya(std::vector<double>{0, 1}, q, 0.5) == -inf);
    CHECK(ck::renyi_divergence(p, q, 2.0, 0.5) == -inf);
    CHECK(ck::renyi_divergence(p, q, inf, 0.5) == -inf);
    CHECK(ck::renyi_divergence(q, p, 0.5, 0.5) == doctest::Approx(-std::log(0.5) / std::log(0.5)).epsilon(1e-15));
    // Bases above 1 keep +inf.
    CHECK(ck::kl_divergence(p, q, 2.0) == inf);
}

TEST_CASE("n-way Jensen-Shannon with subnormal entries stays in [0, log k] (finding)") {
    const double tiny = std::numeric_limits<double>::denorm_min();
    // The reproducer: the mixture 0.5 * 5e-324 rounded to 0 and the result was +inf.
    const std::vector<std::vector<double>> d{{1.0, 0.0}, {1.0, tiny}};
    CHECK(ck::js_divergence_n(d) == 0.0);
    CHECK(ck::js_divergence_n_counts(d) == 0.0);
    CHECK(ck::js_divergence(d[0], d[1]) == 0.0);
    // The subnormal entry adds at most (1/k) t log k (~1e-324) to the divergence of the
    // same distributions without it (not exactly 0 for k = 3: the weights 1/3 sum to
    // 1 - 2^-54); every k, t and length of the property test.
    for (std::size_t k = 2; k <= 4; ++k) {
        for (double t : {tiny, 2 * tiny, 4 * tiny}) {
            for (std::size_t n = 2; n <= 5; ++n) {
                std::vector<std::vector<double>> ds(k, std::vector<double>(n, 0.0));
                for (auto& v : ds) v[0] = 1.0;
                const double without = ck::js_divergence_n(ds), without_c = ck::js_divergence_n_counts(ds);
                ds.back()[1] = t;
                const double got = ck::js_divergence_n(ds), got_c = ck::js_divergence_n_counts(ds);
                CHECK(got >= 0.0);
                CHECK(got <= std::log(static_cast<double>(k)));
                CHECK(std::abs(got - without) <= 4 * tiny);
                CHECK(got_c >= 0.0);
                CHECK(got_c <= std::log(static_cast<double>(k)));
                CHECK(std::abs(got_c - without_c) <= 4 * tiny);
            }
        }
    }
}

TEST_CASE("Renyi divergence near alpha = 1 and at huge alpha (finding)") {
    const std::vector<double> p{0.5, 0.3, 0.2}, q{0.2, 0.3, 0.5};
    // KL in 50 digits; the Renyi divergence of order 1 +- d is KL +- O(d).
    big50 kl = 0;
    for (std::size_t i = 0; i < p.size(); ++i) kl += big50(p[i]) * log(big50(p[i]) / big50(q[i]));
    for (double d : {1e-15, -1e-15, 1e-12, -1e-12}) {
        CAPTURE(d);
        CHECK(ck::renyi_divergence(p, q, 1.0 + d) == doctest::Approx(static_cast<double>(kl)).epsilon(1e-12));
        CHECK(ck::renyi_divergence_counts(p, q, 1.0 + d) == doctest::Approx(static_cast<double>(kl)).epsilon(1e-12));
    }
    // Orders within 2^-10 of 1 against the definition in 50 digits.
    for (double alpha : {1.0 - 1e-4, 1.0 + 1e-6, 1.0 + 9e-4}) {
        CAPTURE(alpha);
        big50 s = 0;
        for (std::size_t i = 0; i < p.size(); ++i) s += pow(big50(p[i]), alpha) * pow(big50(q[i]), 1 - big50(alpha));
        const double want = static_cast<double>(log(s) / (big50(alpha) - 1));
        CHECK(ck::renyi_divergence(p, q, alpha) == doctest::Approx(want).epsilon(1e-12));
    }
    // Huge orders: the alpha = inf value log max p / q (here log 2.5), not NaN or inf.
    for (double alpha : {1e20, 1e300, 1.7e308, std::numeric_limits<double>::max()}) {
        CAPTURE(alpha);
        CHECK(ck::renyi_divergence(p, q, alpha) == doctest::Approx(std::log(2.5)).epsilon(1e-15));
        CHECK(ck::renyi_divergence(q, p, alpha) == doctest::Approx(std::log(0.5 / 0.2)).epsilon(1e-15));
    }
    // Most of p's mass where q = 0, an order just below 1 (a Hypothesis example): the sum
    // p_0^alpha q_0^(1 - alpha) = p_0^alpha is small, D = alpha log(p_0) / (alpha - 1) ~ 6.9e16.
    {
        const double alpha = 1.0 - 1e-15;
        const std::vector<double> a{1.0, 1e30}, b{5e-324, 0.0};
        const big50 p0 = big50(1) / (big50(1) + big50(1e30));
        const double want = static_cast<double>(big50(alpha) * log(p0) / (big50(alpha) - 1));
        CHECK(ck::renyi_divergence_counts(a, b, alpha) == doctest::Approx(want).epsilon(1e-12));
    }
    // A zero of q where p > 0: +inf above 1, finite below (near 1 too).
    const std::vector<double> z{0.5, 0.5, 0.0};
    CHECK(ck::renyi_divergence(p, z, 1.0 + 1e-15) == inf);
    CHECK(std::isfinite(ck::renyi_divergence(z, p, 1.0 - 1e-15)));
}
