#include <collapsekit/core/errors.hpp>
#include <collapsekit/core/nan.hpp>

#include <doctest/doctest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;

namespace {
std::string message_of(void (*f)()) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no exception";
}
}  // namespace

TEST_CASE("error messages name the function, the argument and the problem") {
    CHECK(message_of([] { ck::require_same_length("kl_divergence", "p", 3, "q", 4); }) ==
          "collapsekit::kl_divergence: p and q differ in length (3 vs 4)");
    CHECK(message_of([] { ck::require_not_empty("entropy", "counts", 0); }) == "collapsekit::entropy: counts is empty");
    CHECK(message_of([] { ck::require_unit_interval("human_floor", "lambda", 1.5); }) ==
          "collapsekit::human_floor: lambda must lie in [0, 1] (got 1.5)");
    CHECK(message_of([] { ck::require_positive("pareto", "alpha", -2.0); }) ==
          "collapsekit::pareto: alpha must be positive and finite (got -2)");
    CHECK(message_of([] { ck::require_finite("f", "x", std::numeric_limits<double>::infinity()); }) ==
          "collapsekit::f: x must be finite (got inf)");
    CHECK(message_of([] { ck::require_non_negative("f", "x", std::numeric_limits<double>::quiet_NaN()); }) ==
          "collapsekit::f: x must be non-negative and finite (got nan)");
    CHECK(message_of([] { ck::fail_domain("renyi", "alpha < 0"); }) == "collapsekit::renyi: alpha < 0");
}

TEST_CASE("the checks pass valid values and throw the right types") {
    CHECK_NOTHROW(ck::require_same_length("f", "a", 2, "b", 2));
    CHECK_NOTHROW(ck::require_unit_interval("f", "x", 0.0));
    CHECK_NOTHROW(ck::require_unit_interval("f", "x", 1.0));
    CHECK_NOTHROW(ck::require_non_negative("f", "x", 0.0));
    CHECK_THROWS_AS(ck::require_positive("f", "x", 0.0), std::invalid_argument);
    CHECK_THROWS_AS(ck::require_unit_interval("f", "x", std::numeric_limits<double>::quiet_NaN()),
                    std::invalid_argument);
    CHECK_THROWS_AS(ck::fail_domain("f", "x"), std::domain_error);
    CHECK_THROWS_AS(ck::require(false, "f", "x"), std::invalid_argument);
}

TEST_CASE("nan_policy parses scipy's names and rejects others") {
    CHECK(ck::parse_nan_policy("raise") == ck::nan_policy::raise);
    CHECK(ck::parse_nan_policy("omit") == ck::nan_policy::omit);
    CHECK(ck::parse_nan_policy("propagate") == ck::nan_policy::propagate);
    CHECK(std::string(ck::to_string(ck::nan_policy::omit)) == "omit");
    try {
        ck::parse_nan_policy("ignore", "entropy");
        FAIL("expected an exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()) ==
              "collapsekit::entropy: nan_policy must be 'raise', 'omit' or 'propagate' (got 'ignore')");
    }
}

TEST_CASE("screen_nans applies the policy") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> clean{1.0, 2.0, -0.0, std::numeric_limits<double>::infinity()};
    const std::vector<double> dirty{1.0, nan, 3.0, nan};
    const std::vector<double> empty;
    for (auto policy : {ck::nan_policy::raise, ck::nan_policy::omit, ck::nan_policy::propagate}) {
        CHECK(ck::screen_nans("f", "x", ck::as_view(clean), policy) == ck::nan_action::none);
        CHECK(ck::screen_nans("f", "x", ck::as_view(empty), policy) == ck::nan_action::none);
    }
    CHECK(ck::screen_nans("f", "x", ck::as_view(dirty), ck::nan_policy::omit) == ck::nan_action::omit);
    CHECK(ck::screen_nans("f", "x", ck::as_view(dirty), ck::nan_policy::propagate) == ck::nan_action::propagate);
    try {
        ck::screen_nans("wasserstein", "u", ck::as_view(dirty), ck::nan_policy::raise);
        FAIL("expected an exception");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).rfind("collapsekit::wasserstein: u contains NaN (first at index 1)", 0) == 0);
    }
    CHECK(ck::count_nans(ck::as_view(dirty)) == 2);
    CHECK(ck::without_nans(ck::as_view(dirty)) == std::vector<double>{1.0, 3.0});
    const std::vector<float> fdirty{std::numeric_limits<float>::quiet_NaN(), 1.0f};
    CHECK(ck::count_nans(ck::as_view(fdirty)) == 1);
    const std::vector<int> ints{1, 2, 3};
    CHECK(ck::screen_nans("f", "x", ck::as_view(ints), ck::nan_policy::raise) == ck::nan_action::none);
    CHECK(ck::count_nans(ck::as_view(ints)) == 0);
}
