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
