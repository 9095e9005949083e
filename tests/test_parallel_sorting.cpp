// Thread-count invariance of the sorting paths: ck::sort_values, the sorting measures
// (wasserstein, energy_distance, ks_2samp, their weighted forms), sliced_wasserstein,
// pairwise matrices and the weighted tail thresholds. Each must give bit-identical results
// with 1, 2, 3 and 8 threads and all_threads, equal to the overload without an execution,
// and the sort must order values as std::sort does (NaN last, -0.0 before +0.0).
#include <collapsekit/core/random.hpp>
#include <collapsekit/pairwise.hpp>
#include <collapsekit/sort.hpp>
#include <collapsekit/tail/continuous.hpp>
#include <collapsekit/tail/quantile.hpp>
#include <collapsekit/wasserstein.hpp>

#include <doctest/doctest.h>

#include "parallel_check.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;

// same_bits for the result structs, where check_thread_invariant finds them (by
// argument-dependent lookup, in the namespaces of the types).
namespace collapsekit {
inline bool same_bits(const ks_result& a, const ks_result& b) {
    using ck_test::same_bits;
    return same_bits(a.statistic, b.statistic) && same_bits(a.pvalue, b.pvalue) &&
           same_bits(a.statistic_location, b.statistic_location) && a.statistic_sign == b.statistic_sign &&
           a.method == b.method;
}
inline bool same_bits(const pairwise_matrix& a, const pairwise_matrix& b) {
    return a.n == b.n && ck_test::same_bits(a.values, b.values);
}
inline bool same_bits(const tail_threshold_pair& a, const tail_threshold_pair& b) {
    using ck_test::same_bits;
    return same_bits(a.lower, b.lower) && same_bits(a.upper, b.upper);
}
namespace detail {
inline bool same_bits(const keyed<double, double>& a, const keyed<double, double>& b) {
    using ck_test::same_bits;
    return same_bits(a.value, b.value) && same_bits(a.payload, b.payload);
}
}  // namespace detail
}  // namespace collapsekit

using ck_test::check_thread_invariant;

template <class T>
bool same(const T& a, const T& b) {
    using ck_test::same_bits;
    return same_bits(a, b);
}

namespace {

// Sizes of the sorts: the fixed awkward sizes, plus sizes on both sides of the radix
// thresholds and large enough for the parallel most-significant-digit path.
std::vector<std::size_t> sort_sizes() {
    std::vector<std::size_t> s = ck_test::awkward_sizes();
    const std::size_t msd = ck::detail::radix_msd_min_bytes / sizeof(double);
    for (std::size_t n : {ck::detail::radix_sort_threshold - 1, ck::detail::radix_sort_threshold, msd - 1, msd + 11}) {
        s.push_back(n);
    }
    return s;
}

enum class shape { normal, ties, specials, narrow, one_heavy_bucket, sorted_desc };
constexpr shape shapes[] = {shape::normal,           shape::ties,       shape::specials, shape::narrow,
                            shape::one_heavy_bucket, shape::sorted_desc};

// Values of one shape; `nan` adds NaN values (both signs) at random places.
std::vector<double> values(std::size_t n, shape s, std::uint64_t seed, bool nan = false) {
    ck::rng g(seed);
    ck::normal_distribution z;
    constexpr double inf = std::numeric_limits<double>::infinity();
    const double specials[] = {
        0.0,   -0.0,  inf, -inf, std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min(),
        1e300, -1e300};
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        switch (s) {
            case shape::normal:
                x[i] = z(g);
                break;
            case shape::ties:
                x[i] = static_cast<double>(g.below(7)) - 3.0;
                break;
            case shape::specials:
                x[i] = g.below(4) == 0 ? specials[g.below(8)] : z(g) * 1e-3;
                break;
            case shape::narrow:  // one 16-bit top digit: the MSD step recurses without moving
                x[i] = 1.0 + g.uniform() * 1e-4;
                break;
            case shape::one_heavy_bucket:  // one bucket far above its share, the rest spread
                x[i] = g.below(10) < 9 ? 2.0 + g.uniform() * 1e-3 : z(g) * 100.0;
                break;
            case shape::sorted_desc:
                x[i] = -static_cast<double>(i) * 0.5;
                break;
        }
        if (nan && g.below(50) == 0) x[i] = g.below(2) ? std::nan("") : -std::nan("");
    }
    return x;
}

// std::sort's order with -0.0 before +0.0 and NaN (kept in input order) last.
std::vector<double> reference_sort(const std::vector<double>& x) {
    std::vector<double> numbers, nans;
    for (double v : x) (std::isnan(v) ? nans : numbers).push_back(v);
    std::sort(numbers.begin(), numbers.end(),
              [](double a, double b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); });
    numbers.insert(numbers.end(), nans.begin(), nans.end());
    return numbers;
}

}  // namespace

TEST_CASE("sort_values with threads: the same array for any count, in std::sort's order") {
    for (std::size_t n : sort_sizes()) {
        for (shape s : shapes) {
            for (bool nan : {false, true}) {
                CAPTURE(n);
                CAPTURE(static_cast<int>(s));
                CAPTURE(nan);
                const std::vector<double> x = values(n, s, n * 7 + static_cast<std::uint64_t>(s), nan);
                const std::vector<double> want = reference_sort(x);
                check_thread_invariant([&](const ck::execution& ex) {
                    std::vector<double> y = x;
                    ck::sort_values(ex, y);
                    return y;
                });
                std::vector<double> y = x;
                ck::sort_values(ck::threads(3), y);
                CHECK(same(y, want));
                std::vector<double> seq = x;
                ck::sort_values(seq);
                CHECK(same(seq, y));
            }
        }
    }
}

TEST_CASE("sort_values with threads: floats") {
    for (std::size_t n : {std::size_t{1000}, std::size_t{1} << 20}) {
        CAPTURE(n);
        ck::rng g(n);
        ck::normal_distribution z;
        std::vector<float> x(n);
        for (float& v : x) v = g.below(100) == 0 ? -0.0f : static_cast<float>(z(g));
        std::vector<float> want = x;
        std::sort(want.begin(), want.end(),
                  [](float a, float b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); });
        check_thread_invariant([&](const ck::execution& ex) {
            std::vector<float> y = x;
            ck::sort_values(ex, y);
            return y;
        });
        std::vector<float> y = x;
        ck::sort_values(ck::all_threads, y);
        CHECK(same(y, want));
    }
}

TEST_CASE("sort_items_with threads: payloads in stable order for any count") {
    using item = ck::detail::keyed<double, double>;
    for (std::size_t n : {std::size_t{5000}, (std::size_t{1} << 19) + 3}) {
        for (shape s : {shape::ties, shape::normal, shape::one_heavy_bucket}) {
            CAPTURE(n);
            CAPTURE(static_cast<int>(s));
            const std::vector<double> v = values(n, s, n + 1);
            std::vector<item> x(n);
            for (std::size_t i = 0; i < n; ++i) x[i] = item{v[i], static_cast<double>(i)};
            std::vector<item> want = x;
            std::stable_sort(want.begin(), want.end(), [](const item& a, const item& b) {
                return a.value < b.value || (a.value == b.value && std::signbit(a.value) && !std::signbit(b.value));
            });
            auto sorted = [&](const ck::execution& ex) {
                std::vector<item> y = x;
                ck::detail::sort_scratch<item> scratch;
                const item* got = ck::detail::sort_items_with(ex, ck::view<item>(y.data(), n), scratch);
                return std::vector<item>(got, got + n);
            };
            check_thread_invariant(sorted);
            CHECK(same(sorted(ck::threads(2)), want));
        }
    }
}

TEST_CASE("wasserstein, energy_distance and ks_2samp with threads: bit-identical for any count") {
    std::vector<std::size_t> sizes = ck_test::awkward_sizes();
    sizes.push_back(ck::detail::radix_msd_min_bytes / sizeof(double) + 5);  // the parallel MSD sort
    for (std::size_t n : sizes) {
        CAPTURE(n);
        const std::size_t m = n + n / 3 + 1;
        const std::vector<double> u = values(n, shape::normal, n);
        const std::vector<double> v = values(m, shape::specials, m + 1);
        std::vector<double> vf;  // finite values only
        for (double x : v) vf.push_back(std::isfinite(x) ? x : 0.5);
        const std::vector<double> w = values(m, shape::ties, m + 2);
        std::vector<double> uw(n), vw(m);
        ck::rng g(n + 3);
        for (double& x : uw) x = g.uniform();
        for (double& x : vw) x = static_cast<double>(g.below(4));
        vw[0] = 1.0;
        for (double p : {1.0, 2.0, 1.5, std::numeric_limits<double>::infinity()}) {
            CAPTURE(p);
            check_thread_invariant([&](const ck::execution& ex) { return ck::wasserstein(ex, u, vf, p); });
            CHECK(same(ck::wasserstein(ck::threads(2), u, vf, p), ck::wasserstein(u, vf, p)));
            check_thread_invariant([&](const ck::execution& ex) { return ck::wasserstein(ex, u, vf, uw, vw, p); });
            CHECK(same(ck::wasserstein(ck::threads(8), u, vf, uw, vw, p), ck::wasserstein(u, vf, uw, vw, p)));
        }
        check_thread_invariant([&](const ck::execution& ex) { return ck::energy_distance(ex, u, w); });
        CHECK(same(ck::energy_distance(ck::threads(3), u, w), ck::energy_distance(u, w)));
        check_thread_invariant([&](const ck::execution& ex) { return ck::energy_distance(ex, u, vf, uw, vw); });
        CHECK(same(ck::energy_distance(ck::all_threads, u, vf, uw, vw), ck::energy_distance(u, vf, uw, vw)));
        check_thread_invariant([&](const ck::execution& ex) { return ck::ks_2samp(ex, u, w); });
        CHECK(same(ck::ks_2samp(ck::threads(2), u, w), ck::ks_2samp(u, w)));
        check_thread_invariant([&](const ck::execution& ex) {
            return ck::ks_2samp(ex, u, vf, ck::ks_alternative::less, ck::ks_method::asymptotic);
        });
        check_thread_invariant([&](const ck::execution& ex) { return ck::ks_2samp_weighted(ex, u, vf, uw, vw); });
        CHECK(same(ck::ks_2samp_weighted(ck::threads(2), u, vf, uw, vw), ck::ks_2samp_weighted(u, vf, uw, vw)));
    }
}

TEST_CASE("sorting measures with threads: NaN policies and errors do not depend on the count") {
    const std::size_t n = (std::size_t{1} << 19) + 5;
    const std::vector<double> u = values(n, shape::normal, 1, true);
    const std::vector<double> v = values(n / 2, shape::ties, 2, true);
    check_thread_invariant(
        [&](const ck::execution& ex) { return ck::wasserstein(ex, u, v, 1.0, ck::nan_policy::omit); });
    check_thread_invariant(
        [&](const ck::execution& ex) { return ck::energy_distance(ex, u, v, ck::nan_policy::omit); });
    check_thread_invariant([&](const ck::execution& ex) {
        return ck::ks_2samp(ex, u, v, ck::ks_alternative::two_sided, ck::ks_method::automatic, ck::nan_policy::omit);
    });
    CHECK(std::isnan(ck::wasserstein(ck::threads(2), u, v, 1.0, ck::nan_policy::propagate)));
    CHECK_THROWS_AS(ck::wasserstein(ck::threads(2), u, v), std::invalid_argument);
    // Two infinite values far apart: every count names the first.
    std::vector<double> bad = values(n, shape::normal, 3);
    bad[n - 10] = std::numeric_limits<double>::infinity();
    bad[300000] = -std::numeric_limits<double>::infinity();
    const std::vector<double> good = values(1000, shape::normal, 4);
    std::string first;
    try {
        (void)ck::wasserstein(bad, good);
    } catch (const std::invalid_argument& e) {
        first = e.what();
    }
    CHECK(first.find("u[300000]") != std::string::npos);
    for (std::size_t t : {2, 3, 8}) {
        std::string got;
        try {
            (void)ck::wasserstein(ck::threads(t), bad, good);
        } catch (const std::invalid_argument& e) {
            got = e.what();
        }
        CHECK(got == first);
    }
}

TEST_CASE("sliced_wasserstein with threads: the same estimate for any count") {
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1000}, std::size_t{20000}}) {
        CAPTURE(n);
        const std::size_t dim = 3;
        const std::vector<double> x = values(n * dim, shape::normal, n);
        const std::vector<double> y = values((n + 5) * dim, shape::ties, n + 1);
        ck::sliced_options opt;
        opt.projections = 13;
        opt.seed = 9;
        check_thread_invariant([&](const ck::execution& ex) { return ck::sliced_wasserstein(ex, x, y, dim, opt); });
        CHECK(same(ck::sliced_wasserstein(ck::threads(3), x, y, dim, opt), ck::sliced_wasserstein(x, y, dim, opt)));
    }
}

TEST_CASE("pairwise with threads: the same matrix for any count, errors in row-major order") {
    std::vector<std::vector<double>> samples;
    for (std::size_t g = 0; g < 7; ++g) samples.push_back(values(1000 + 37 * g, shape::normal, g));
    for (auto sym : {ck::pairwise_symmetry::compute_all, ck::pairwise_symmetry::mirror}) {
        check_thread_invariant(
            [&](const ck::execution& ex) { return ck::pairwise(ex, samples, ck::measures::wasserstein{2.0}, sym); });
        CHECK(same(ck::pairwise(ck::threads(3), samples, ck::measures::ks_statistic{}, sym),
                   ck::pairwise(samples, ck::measures::ks_statistic{}, sym)));
    }
    const std::vector<std::vector<double>> none;
    CHECK(ck::pairwise(ck::threads(4), none, ck::measures::energy_distance{}).n == 0);
    auto throwing = [](const std::vector<double>& a, const std::vector<double>& b) -> double {
        if (a.size() + b.size() > 2100)
            throw std::runtime_error(std::to_string(a.size()) + "," + std::to_string(b.size()));
        return 0.0;
    };
    for (std::size_t t : {1, 2, 3, 8}) {
        CAPTURE(t);
        std::string what;
        try {
            (void)ck::pairwise(ck::threads(t), samples, throwing);
        } catch (const std::runtime_error& e) {
            what = e.what();
        }
        CHECK(what == "1000,1111");  // the first pair in row-major order that throws
    }
}

TEST_CASE("weighted tail thresholds with threads: the same for any count") {
    for (std::size_t n : {std::size_t{1000}, std::size_t{1} << 19}) {
        CAPTURE(n);
        const std::vector<double> r = values(n, shape::normal, n);
        std::vector<double> w(n);
        ck::rng g(n);
        for (double& x : w) x = g.uniform();
        check_thread_invariant([&](const ck::execution& ex) { return ck::weighted_tail_thresholds(ex, r, w, 0.01); });
        CHECK(same(ck::weighted_tail_thresholds(ck::threads(2), r, w, 0.01), ck::weighted_tail_thresholds(r, w, 0.01)));
    }
}
