#include <collapsekit/core/random.hpp>
#include <collapsekit/sort.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace ck = collapsekit;

namespace {

template <class T>
std::vector<T> mixed_values(std::size_t n, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<T> x(n);
    const T specials[] = {T(0),
                          -T(0),
                          std::numeric_limits<T>::infinity(),
                          -std::numeric_limits<T>::infinity(),
                          std::numeric_limits<T>::denorm_min(),
                          -std::numeric_limits<T>::denorm_min(),
                          std::numeric_limits<T>::max(),
                          std::numeric_limits<T>::lowest(),
                          std::numeric_limits<T>::quiet_NaN(),
                          -std::numeric_limits<T>::quiet_NaN()};
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t r = g.below(20);
        if (r < 2) {
            x[i] = specials[g.below(10)];
        } else if (r < 10) {
            x[i] = static_cast<T>((g.uniform() - 0.5) * std::pow(10.0, static_cast<double>(g.below(40)) - 20));
        } else {
            x[i] = static_cast<T>(g.below(7)) - T(3);  // many ties
        }
    }
    return x;
}

template <class T>
void check_against_std_sort(std::size_t n, std::uint64_t seed) {
    CAPTURE(n);
    std::vector<T> x = mixed_values<T>(n, seed);
    std::vector<T> want;
    std::size_t nans = 0;
    for (T v : x) {
        if (std::isnan(v)) {
            ++nans;
        } else {
            want.push_back(v);
        }
    }
    std::sort(want.begin(), want.end());
    ck::sort_values(x);
    REQUIRE(x.size() == want.size() + nans);
    bool same = true;
    for (std::size_t i = 0; i < want.size(); ++i) {
        // Equal as values (+0 and -0 compare equal; radix puts -0 first).
        same = same && x[i] == want[i];
        if (i > 0 && x[i] == T(0) && x[i - 1] == T(0)) same = same && !(std::signbit(x[i]) && !std::signbit(x[i - 1]));
    }
    CHECK(same);
    bool nan_tail = true;
    for (std::size_t i = want.size(); i < x.size(); ++i) nan_tail = nan_tail && std::isnan(x[i]);
    CHECK(nan_tail);
}

}  // namespace

TEST_CASE("sort_values orders like std::sort with NaN last, below and above the radix threshold") {
    for (std::size_t n : {0, 1, 2, 17, 2047, 2048, 5000, 100000}) {
        check_against_std_sort<double>(n, 7 + n);
        check_against_std_sort<float>(n, 8 + n);
    }
}

TEST_CASE("sort_values keeps NaN payloads and works on views and other types") {
    std::vector<double> x(3000);
    ck::rng g(2);
    for (double& v : x) v = g.uniform();
    std::uint64_t payload = 0x7ff8000000001234ULL;
    double special;
    std::memcpy(&special, &payload, sizeof special);
    x[10] = special;
    ck::sort_values(ck::view<double>(x.data(), x.size()));
    CHECK(std::is_sorted(x.begin(), x.end() - 1));
    std::uint64_t back;
    std::memcpy(&back, &x.back(), sizeof back);
    CHECK(back == payload);
    // Uniform keys share their sign and exponent bits: those passes are skipped.
    std::vector<double> same(5000, 1.5);
    ck::sort_values(same);
    CHECK(std::all_of(same.begin(), same.end(), [](double v) { return v == 1.5; }));
    std::vector<int> ints{3, -1, 2};
    ck::sort_values(ints);
    CHECK(ints == std::vector<int>{-1, 2, 3});
}

namespace {

// Infinities, extremes and signed zeros, drawn from by the special-value tests.
const double extreme_values[] = {std::numeric_limits<double>::infinity(),
                                 -std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::max(),
                                 std::numeric_limits<double>::lowest(),
                                 std::numeric_limits<double>::min(),
                                 -std::numeric_limits<double>::min(),
                                 0.0,
                                 -0.0};

// Checks sort_values against std::sort (with -0 before +0) on non-NaN input.
template <class T>
void check_same_as_ordered_std_sort(std::vector<T> x) {
    CAPTURE(x.size());
    std::vector<T> want = x;
    std::sort(want.begin(), want.end(),
              [](T a, T b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); });
    ck::sort_values(x);
    bool same = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
        same = same && std::memcmp(&x[i], &want[i], sizeof(T)) == 0;
    }
    CHECK(same);
}

}  // namespace

TEST_CASE("sort_values radix path: every number of active digit passes, tails of the unrolled loops") {
    // Values sharing most bytes of their bit patterns: the passes of those digits are
    // skipped, leaving 1, 2, 3 or all passes active (odd counts end in the scratch buffer
    // and are copied back).
    for (std::size_t n : {2048, 2049, 2050, 2051, 2052, 4099}) {
        ck::rng g(n);
        std::vector<double> one_pass(n), two_passes(n), three_passes(n), signed_ints(n), all_passes(n);
        std::vector<float> f_one(n), f_all(n);
        for (std::size_t i = 0; i < n; ++i) {
            one_pass[i] = 1.0 + std::ldexp(static_cast<double>(g.below(256)), -12);     // mantissa byte 5
            two_passes[i] = 1.0 + std::ldexp(static_cast<double>(g.below(4096)), -12);  // bytes 5, 6
            three_passes[i] = static_cast<double>(g.below(1 << 12));                    // bytes 5, 6, 7
            signed_ints[i] = static_cast<double>(g.below(1 << 12)) - 2048.0;            // negatives flip the zero bytes
            all_passes[i] = g.uniform() - 0.5;
            f_one[i] = 1.0f + std::ldexp(static_cast<float>(g.below(256)), -15);  // float byte 1
            f_all[i] = static_cast<float>(g.uniform() - 0.5);
        }
        check_same_as_ordered_std_sort(one_pass);
        check_same_as_ordered_std_sort(two_passes);
        check_same_as_ordered_std_sort(three_passes);
        check_same_as_ordered_std_sort(signed_ints);
        check_same_as_ordered_std_sort(all_passes);
        check_same_as_ordered_std_sort(f_one);
        check_same_as_ordered_std_sort(f_all);
    }
}

TEST_CASE("sort_values radix path: adversarial layouts and special values") {
    const std::size_t n = 5003;
    std::vector<double> base(n);
    ck::rng g(11);
    for (double& v : base) v = (g.uniform() - 0.5) * 1e3;
    std::vector<double> sorted = base;
    std::sort(sorted.begin(), sorted.end());
    check_same_as_ordered_std_sort(sorted);
    std::vector<double> reversed(sorted.rbegin(), sorted.rend());
    check_same_as_ordered_std_sort(reversed);
    // All equal but one, at either end.
    std::vector<double> nearly_equal(n, -2.5);
    nearly_equal.front() = 7.0;
    check_same_as_ordered_std_sort(nearly_equal);
    nearly_equal.front() = -2.5;
    nearly_equal.back() = -1e300;
    check_same_as_ordered_std_sort(nearly_equal);
    // Signed zeros only, subnormals only, infinities with extremes.
    std::vector<double> zeros(n), subnormals(n), extremes(n);
    for (std::size_t i = 0; i < n; ++i) {
        zeros[i] = g.below(2) ? 0.0 : -0.0;
        subnormals[i] = static_cast<double>(g.below(1000) + 1) * std::numeric_limits<double>::denorm_min() *
                        (g.below(2) ? 1.0 : -1.0);
        extremes[i] = extreme_values[g.below(8)];
    }
    check_same_as_ordered_std_sort(zeros);
    check_same_as_ordered_std_sort(subnormals);
    check_same_as_ordered_std_sort(extremes);
}

TEST_CASE("sort_values_with reuses one scratch buffer across sizes") {
    ck::detail::sort_scratch<double> scratch;
    ck::rng g(5);
    for (std::size_t n : {3000, 10000, 2500, 10001}) {
        std::vector<double> x(n);
        for (double& v : x) v = g.uniform() * 2.0 - 1.0;
        std::vector<double> want = x;
        std::sort(want.begin(), want.end());
        ck::detail::sort_values_with(ck::view<double>(x.data(), x.size()), scratch);
        CHECK(x == want);
    }
}

namespace {

// n positive doubles whose top 16 bits take exactly `tops` distinct values (each used),
// the other 48 bits random: the radix sort's 16-bit top digit is used up to
// radix_wide_top_max_bins distinct tops and replaced by two byte passes above.
std::vector<double> with_distinct_tops(std::size_t n, std::size_t tops, std::uint64_t seed) {
    ck::rng g(seed);
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t top = 0x3000 + (i * 7919) % tops;  // tops <= 20000: finite, positive
        const std::uint64_t bits = (top << 48) | (g() >> 16);
        std::memcpy(&x[i], &bits, sizeof bits);
    }
    return x;
}

}  // namespace

TEST_CASE("sort_values radix path: the 16-bit top digit and its fallback to two byte passes") {
    const std::size_t max_bins = ck::detail::radix_wide_top_max_bins;
    for (std::size_t n : {ck::detail::radix_wide_top_min_n - 1, ck::detail::radix_wide_top_min_n,
                          ck::detail::radix_wide_top_min_n + 3, std::size_t{200001}}) {
        CAPTURE(n);
        for (std::size_t tops : {std::size_t{1}, std::size_t{2}, max_bins, max_bins + 1, std::size_t{20000}}) {
            CAPTURE(tops);
            check_same_as_ordered_std_sort(with_distinct_tops(n, tops, n + tops));
        }
        ck::rng g(n);
        ck::normal_distribution z;
        std::vector<double> normal(n), wide_range(n), mixed(n);
        std::vector<float> f_normal(n), f_wide(n);
        for (std::size_t i = 0; i < n; ++i) {
            normal[i] = z(g);
            wide_range[i] = std::ldexp(g.uniform() - 0.5, static_cast<int>(g.below(1200)) - 600);
            mixed[i] = g.below(3) == 0 ? -0.0 : (g.below(2) ? 0.0 : z(g) * 1e-310);  // zeros and subnormals
            f_normal[i] = static_cast<float>(z(g));
            f_wide[i] = std::ldexp(static_cast<float>(g.uniform() - 0.5), static_cast<int>(g.below(250)) - 125);
        }
        check_same_as_ordered_std_sort(normal);
        check_same_as_ordered_std_sort(wide_range);
        check_same_as_ordered_std_sort(mixed);
        check_same_as_ordered_std_sort(f_normal);
        check_same_as_ordered_std_sort(f_wide);
        std::vector<double> sorted = normal;
        std::sort(sorted.begin(), sorted.end());
        check_same_as_ordered_std_sort(sorted);
        check_same_as_ordered_std_sort(std::vector<double>(sorted.rbegin(), sorted.rend()));
    }
}

namespace {

bool in_radix_order(double a, double b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); }
bool in_radix_order(float a, float b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); }

// Sorts (value, original index) items with sort_items_with and checks them against
// std::stable_sort in the radix order (-0 before +0): the same values bit for bit, each
// payload still beside its value, and, from the radix threshold on, the same payloads in
// the same order (the radix sort is stable). Below it std::sort leaves the order of equal
// values unspecified, so only the payloads of each run of equal values are compared as sets.
template <class T, class P>
void check_payload_sort(const std::vector<T>& values) {
    using item = ck::detail::keyed<T, P>;
    const std::size_t n = values.size();
    CAPTURE(n);
    std::vector<item> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = item{values[i], static_cast<P>(i)};
    std::vector<item> want = x;
    std::stable_sort(want.begin(), want.end(),
                     [](const item& a, const item& b) { return in_radix_order(a.value, b.value); });
    ck::detail::sort_scratch<item> scratch;
    const item* got = ck::detail::sort_items_with(ck::view<item>(x.data(), n), scratch);
    bool same_values = true, follows = true;
    std::vector<P> seen;
    for (std::size_t i = 0; i < n; ++i) {
        same_values = same_values && std::memcmp(&got[i].value, &want[i].value, sizeof(T)) == 0;
        const auto k = static_cast<std::size_t>(got[i].payload);
        follows = follows && k < n && std::memcmp(&values[k], &got[i].value, sizeof(T)) == 0;
        seen.push_back(got[i].payload);
    }
    CHECK(same_values);
    CHECK(follows);
    std::sort(seen.begin(), seen.end());
    bool permutation = true;
    for (std::size_t i = 0; i < n; ++i) permutation = permutation && seen[i] == static_cast<P>(i);
    CHECK(permutation);
    bool same_payloads = true;
    for (std::size_t lo = 0; lo < n;) {
        std::size_t hi = lo + 1;
        while (hi < n && std::memcmp(&want[hi].value, &want[lo].value, sizeof(T)) == 0) ++hi;
        std::vector<P> a, b;
        for (std::size_t i = lo; i < hi; ++i) a.push_back(got[i].payload), b.push_back(want[i].payload);
        if (n < ck::detail::radix_sort_threshold) {
            std::sort(a.begin(), a.end());
            std::sort(b.begin(), b.end());
        }
        same_payloads = same_payloads && a == b;
        lo = hi;
    }
    CHECK(same_payloads);
}

template <class T>
std::vector<T> without_nan(std::vector<T> x) {
    x.erase(std::remove_if(x.begin(), x.end(), [](T v) { return std::isnan(v); }), x.end());
    return x;
}

}  // namespace

TEST_CASE("sort_items_with moves each payload with its value, below and above the radix threshold") {
    const std::size_t t = ck::detail::radix_sort_threshold;
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{17}, t - 1, t, t + 1, t + 2,
                          t + 3, ck::detail::radix_wide_top_min_n + 1, std::size_t{100000}}) {
        // Mixed specials (±0, ±inf, ±denorm_min, ±max), magnitudes from 1e-20 to 1e20, many ties.
        check_payload_sort<double, double>(without_nan(mixed_values<double>(n + 40, 3 * n + 1)));
        check_payload_sort<float, std::uint32_t>(without_nan(mixed_values<float>(n + 40, 3 * n + 2)));
        ck::rng g(n);
        ck::normal_distribution z;
        std::vector<double> normal(n);
        for (double& v : normal) v = z(g);
        check_payload_sort<double, double>(normal);
    }
}

TEST_CASE("sort_items_with: adversarial layouts, special values and every number of active passes") {
    for (std::size_t n : {std::size_t{2047}, std::size_t{5003}, ck::detail::radix_wide_top_min_n + 5}) {
        CAPTURE(n);
        ck::rng g(n + 1);
        std::vector<double> sorted(n), equal(n, -2.5), zeros(n), subnormals(n), extremes(n), one_pass(n), two_passes(n);
        for (std::size_t i = 0; i < n; ++i) {
            sorted[i] = (g.uniform() - 0.5) * 1e3;
            zeros[i] = g.below(2) ? 0.0 : -0.0;
            subnormals[i] = static_cast<double>(g.below(1000) + 1) * std::numeric_limits<double>::denorm_min() *
                            (g.below(2) ? 1.0 : -1.0);
            extremes[i] = extreme_values[g.below(8)];
            one_pass[i] = 1.0 + std::ldexp(static_cast<double>(g.below(256)), -12);     // ends in the scratch
            two_passes[i] = 1.0 + std::ldexp(static_cast<double>(g.below(4096)), -12);  // ends in place
        }
        std::sort(sorted.begin(), sorted.end());
        check_payload_sort<double, double>(sorted);
        check_payload_sort<double, double>(std::vector<double>(sorted.rbegin(), sorted.rend()));
        check_payload_sort<double, double>(equal);  // no active pass
        equal.back() = 1e300;
        check_payload_sort<double, double>(equal);
        check_payload_sort<double, double>(zeros);
        check_payload_sort<double, double>(subnormals);
        check_payload_sort<double, double>(extremes);
        check_payload_sort<double, double>(one_pass);
        check_payload_sort<double, double>(two_passes);
    }
}

TEST_CASE("sort_items_with returns where the sorted items are; sort_numbers_with copies them back") {
    const std::size_t n = 3000;
    ck::rng g(9);
    std::vector<double> one_pass(n);
    for (double& v : one_pass) v = 1.0 + std::ldexp(static_cast<double>(g.below(256)), -12);
    std::vector<double> x = one_pass;
    ck::detail::sort_scratch<double> scratch;
    const double* got = ck::detail::sort_items_with(ck::view<double>(x.data(), n), scratch);
    CHECK(got != x.data());  // one pass: the result is in the scratch
    std::vector<double> want = one_pass;
    std::sort(want.begin(), want.end());
    CHECK(std::equal(want.begin(), want.end(), got));
    x = one_pass;
    ck::detail::sort_numbers_with(ck::view<double>(x.data(), n), scratch);
    CHECK(x == want);
}
