#include <collapsekit/core/view.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace ck = collapsekit;

namespace {
double sum(ck::view<const double> v) {
    double s = 0;
    for (double x : v) s += x;
    return s;
}
}  // namespace

TEST_CASE("view binds to every contiguous container without copying") {
    std::vector<double> vec{1, 2, 3};
    const std::vector<double> cvec{4, 5};
    std::array<double, 2> arr{{6, 7}};
    double carr[3] = {8, 9, 10};

    CHECK(sum(vec) == 6);
    CHECK(sum(cvec) == 9);
    CHECK(sum(arr) == 13);
    CHECK(sum(carr) == 27);
    CHECK(sum(ck::view<const double>(carr + 1, 2)) == 19);

    ck::view<double> mutable_view(vec);
    mutable_view[0] = 100;
    CHECK(vec[0] == 100);
    CHECK(mutable_view.data() == vec.data());

    auto v = ck::as_view(cvec);
    static_assert(std::is_same_v<decltype(v), ck::view<const double>>);
    CHECK(v.data() == cvec.data());
    CHECK(v.size() == 2);
    CHECK(v.front() == 4);
    CHECK(v.back() == 5);

    std::vector<std::uint32_t> ids{1, 2};
    static_assert(std::is_same_v<ck::range_value_t<std::vector<std::uint32_t>>, std::uint32_t>);
    CHECK(ck::as_view(ids).size() == 2);
}

TEST_CASE("empty views and subviews stay inside their range") {
    ck::view<const double> empty;
    CHECK(empty.empty());
    CHECK(empty.size() == 0);
    CHECK(empty.begin() == empty.end());
    CHECK(sum(empty) == 0);

    const std::vector<double> x{1, 2, 3, 4, 5};
    auto v = ck::as_view(x);
    CHECK(sum(v.subview(1, 2)) == 5);
    CHECK(v.subview(3).size() == 2);
    CHECK(v.subview(10).empty());
    CHECK(v.subview(4, 100).size() == 1);

    // view<T> converts to view<const T>, never the other way.
    std::vector<double> y{1};
    ck::view<double> mv(y);
    ck::view<const double> cv = mv;
    CHECK(cv.data() == y.data());
    static_assert(!std::is_convertible_v<ck::view<const double>, ck::view<double>>);
    static_assert(!std::is_convertible_v<std::vector<float>&, ck::view<const double>>);
}
