// Which categories of a reference survive in generated data, and what is unseen.
//
// Inputs are category counts on the same categories (index i is one category in both):
// any integer or floating type holding whole, non-negative, finite values; std::invalid_argument
// otherwise, and when the two vectors differ in length. A category is "present" when its
// count is > 0 and "extinct" when it is present in the reference and absent in the
// generated counts. Good–Turing and Chao1 read the frequency-of-frequencies of one count
// vector: f1 = #{i : c_i = 1} (singletons), f2 = #{i : c_i = 2} (doubletons), N = sum c_i.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"

namespace collapsekit {

namespace detail {

// Counts as doubles, each checked to be a whole number >= 0 (NaN and inf rejected).
template <class T>
std::vector<double> checked_counts(const char* function, const char* arg, view<const T> c) {
    std::vector<double> out(c.size());
    for (std::size_t i = 0; i < c.size(); ++i) {
        const auto v = static_cast<double>(c[i]);
        if (!(v >= 0.0) || !std::isfinite(v) || v != std::floor(v)) {
            fail(function, std::string(arg) + " must hold non-negative whole counts (" + arg + "[" + std::to_string(i) +
                               "] = " + format_value(v) + ")");
        }
        out[i] = v;
    }
    return out;
}

template <class A, class B>
void checked_count_pair(const char* function, const A& reference, const B& generated, std::vector<double>& r,
                        std::vector<double>& g) {
    const auto rv = as_view(reference);
    const auto gv = as_view(generated);
    require_not_empty(function, "reference_counts", rv.size());
    require_same_length(function, "reference_counts", rv.size(), "generated_counts", gv.size());
    r = checked_counts(function, "reference_counts", rv);
    g = checked_counts(function, "generated_counts", gv);
}

// total is N, +inf when the (finite) counts sum past DBL_MAX; then scaled_total is N
// times scale (a power of two, exact for whole counts), else scaled_total = N, scale = 1.
struct frequency_counts {
    double f1 = 0, f2 = 0, observed = 0, total = 0;
    double scaled_total = 0, scale = 1.0;
};

template <class C>
frequency_counts frequencies_of(const char* function, const C& counts) {
    const auto cv = as_view(counts);
    require_not_empty(function, "counts", cv.size());
    const std::vector<double> c = checked_counts(function, "counts", cv);
    frequency_counts f;
    compensated_sum total;
    for (double v : c) {
        f.f1 += v == 1.0 ? 1.0 : 0.0;
        f.f2 += v == 2.0 ? 1.0 : 0.0;
        f.observed += v > 0.0 ? 1.0 : 0.0;
        total += v;
    }
    f.total = total.value();
    if (!(f.total > 0.0)) fail(function, "counts must not be all zero");
    f.scaled_total = f.total;
    if (std::isinf(f.total)) {
        // Every count is at most DBL_MAX, so 2^-64 brings any sum of fewer than 2^63 back.
        f.scale = 0x1.0p-64;
        compensated_sum scaled;
        for (double v : c) scaled += v * f.scale;
        f.scaled_total = scaled.value();
    }
    return f;
}

}  // namespace detail

// Share of the reference's present categories that are present in the generated counts:
//   #{i : r_i > 0 and g_i > 0} / #{i : r_i > 0}, in [0, 1].
// Errors: length mismatch, empty, negative / fractional / non-finite counts, or a
// reference with no present category.
template <class RC, class GC>
double support_coverage(const RC& reference_counts, const GC& generated_counts) {
    constexpr const char* fn = "support_coverage";
    std::vector<double> r, g;
    detail::checked_count_pair(fn, reference_counts, generated_counts, r, g);
    std::size_t present = 0, kept = 0;
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (r[i] > 0) {
            ++present;
            kept += g[i] > 0 ? 1u : 0u;
        }
    }
    require(present > 0, fn, "reference_counts must not be all zero");
    return static_cast<double>(kept) / static_cast<double>(present);
}

// The mass-weighted coverage: the share of reference observations that fall in
// categories still present in the generated counts,
//   sum_{i : g_i > 0} r_i / sum_i r_i, in [0, 1]. Same errors as support_coverage.
template <class RC, class GC>
double support_coverage_mass(const RC& reference_counts, const GC& generated_counts) {
    constexpr const char* fn = "support_coverage_mass";
    std::vector<double> r, g;
    detail::checked_count_pair(fn, reference_counts, generated_counts, r, g);
    compensated_sum kept, total;
    for (std::size_t i = 0; i < r.size(); ++i) {
        total += r[i];
        if (g[i] > 0) kept += r[i];
    }
    require(total.value() > 0, fn, "reference_counts must not be all zero");
    return kept.value() / total.value();
}

// Indices (ascending) of the extinct categories: r_i > 0 and g_i = 0.
// Errors: length mismatch, empty, bad counts (an all-zero reference gives an empty list).
template <class RC, class GC>
std::vector<std::size_t> extinct_categories(const RC& reference_counts, const GC& generated_counts) {
    std::vector<double> r, g;
    detail::checked_count_pair("extinct_categories", reference_counts, generated_counts, r, g);
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (r[i] > 0 && g[i] == 0) out.push_back(i);
    }
    return out;
}

// The number of extinct categories (the size of extinct_categories, without the list).
template <class RC, class GC>
std::size_t extinct_count(const RC& reference_counts, const GC& generated_counts) {
    std::vector<double> r, g;
    detail::checked_count_pair("extinct_count", reference_counts, generated_counts, r, g);
    std::size_t n = 0;
    for (std::size_t i = 0; i < r.size(); ++i) n += (r[i] > 0 && g[i] == 0) ? 1u : 0u;
    return n;
}

// Which reference categories count as rare (always among those with r_i > 0; N_R = sum r_i):
//   at_most_count(c):      r_i <= c;
//   at_most_frequency(f):  r_i / N_R <= f, i.e. r_i <= f N_R;
//   bottom_mass(s):        the categories with the smallest counts, taken in whole groups
//                          of equal count (so the choice does not depend on category order),
//                          smallest first, while their total stays <= s N_R.
class rare_categories {
public:
    enum class kind { count, frequency, bottom_mass };

    static rare_categories at_most_count(double c) {
        require_non_negative("rare_categories::at_most_count", "c", c);
        return rare_categories(kind::count, c);
    }
    static rare_categories at_most_frequency(double f) {
        require_unit_interval("rare_categories::at_most_frequency", "f", f);
        return rare_categories(kind::frequency, f);
    }
    static rare_categories bottom_mass(double share) {
        require_unit_interval("rare_categories::bottom_mass", "share", share);
        return rare_categories(kind::bottom_mass, share);
    }

    kind rule() const noexcept { return kind_; }
    double parameter() const noexcept { return value_; }

    // The rare indices (ascending) of the reference counts r (checked counts, total N).
    std::vector<std::size_t> select(const std::vector<double>& r, double total) const {
        std::vector<std::size_t> out;
        if (kind_ == kind::bottom_mass) {
            std::vector<std::size_t> order;
            for (std::size_t i = 0; i < r.size(); ++i) {
                if (r[i] > 0) order.push_back(i);
            }
            std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return r[a] < r[b]; });
            const double budget = value_ * total;
            double taken = 0;
            std::size_t i = 0;
            while (i < order.size()) {
                std::size_t j = i;
                double group = 0;
                while (j < order.size() && r[order[j]] == r[order[i]]) group += r[order[j++]];
                if (taken + group > budget) break;
                taken += group;
                i = j;
            }
            out.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(i));
            std::sort(out.begin(), out.end());
            return out;
        }
        const double limit = kind_ == kind::count ? value_ : value_ * total;
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (r[i] > 0 && r[i] <= limit) out.push_back(i);
        }
        return out;
    }

private:
    rare_categories(kind k, double v) : kind_(k), value_(v) {}
    kind kind_;
    double value_;
};

// What became of the reference's rare categories in the generated counts.
struct rare_retention {
    std::size_t rare = 0;                 // rare categories in the reference
    std::size_t surviving = 0;            // of those, present in the generated counts (g_i > 0)
    double survival_share = 0;            // surviving / rare
    double reference_mass = 0;            // sum_{rare} r_i / N_R
    double generated_mass = 0;            // sum_{rare} g_i / N_G
    double mass_retention = 0;            // generated_mass / reference_mass (1 = kept, 0 = gone)
    std::vector<std::size_t> categories;  // the rare indices, ascending
};

// Rare-category retention under `rule` (see rare_categories).
// Errors (std::invalid_argument): bad counts or lengths, an all-zero reference or
// generated vector; std::domain_error when no reference category is rare under the rule
// (the shares would be 0 / 0).
template <class RC, class GC>
rare_retention rare_category_retention(const RC& reference_counts, const GC& generated_counts,
                                       const rare_categories& rule) {
    constexpr const char* fn = "rare_category_retention";
    std::vector<double> r, g;
    detail::checked_count_pair(fn, reference_counts, generated_counts, r, g);
    const double nr = accurate_sum(as_view(r));
    const double ng = accurate_sum(as_view(g));
    require(nr > 0, fn, "reference_counts must not be all zero");
    require(ng > 0, fn, "generated_counts must not be all zero");
    rare_retention out;
    out.categories = rule.select(r, nr);
    if (out.categories.empty()) fail_domain(fn, "no reference category is rare under the given rule");
    compensated_sum rm, gm;
    for (std::size_t i : out.categories) {
        rm += r[i];
        gm += g[i];
        out.surviving += g[i] > 0 ? 1u : 0u;
    }
    out.rare = out.categories.size();
    out.survival_share = static_cast<double>(out.surviving) / static_cast<double>(out.rare);
    out.reference_mass = rm.value() / nr;
    out.generated_mass = gm.value() / ng;
    out.mass_retention = out.generated_mass / out.reference_mass;
    return out;
}

// Good–Turing estimate of the missing mass (the probability that the next observation
// is of a category not seen yet): M = f1 / N (Good 1953). standard_error =
// sqrt(f1 (1 - f1 / N) + 2 f2) / N, the standard deviation of M minus the true missing
// mass (Esty 1983, Ann. Statist. 11, 905-912). n = N (rounded to an integer; a total
// of 2^64 or more saturates at SIZE_MAX). Counts are finite but their sum may overflow a
// double: the formulas are then evaluated with N scaled by a power of two (M = f1 / N may
// be a subnormal number).
// Errors: empty, all-zero or bad counts.
template <class C>
estimate good_turing_missing_mass(const C& counts) {
    const auto f = detail::frequencies_of("good_turing_missing_mass", counts);
    estimate e;
    // x / N as (x / (N scale)) scale: the same quotient where N is finite (scale = 1).
    const auto per_total = [&f](double x) { return x / f.scaled_total * f.scale; };
    e.value = per_total(f.f1);
    e.standard_error = per_total(std::sqrt(std::max(0.0, f.f1 * (1.0 - f.f1 / f.total) + 2.0 * f.f2)));
    e.n = detail::sample_size(f.total);
    return e;
}

// Chao1 lower-bound estimate of the number of categories, seen and unseen
// (Chao 1984, Scand. J. Statist. 11, 265-270), in the finite-sample form of Chao et al.
// (2014, Ecol. Monogr. 84, 45-67), with A = (N - 1) / N and S_obs = #{i : c_i > 0}:
//   f2 > 0:  S = S_obs + A f1^2 / (2 f2)
//   f2 = 0:  S = S_obs + A f1 (f1 - 1) / 2          (bias-corrected form)
// standard_error = sqrt(var):
//   f2 > 0:  var = f2 [A/2 (f1/f2)^2 + A^2 (f1/f2)^3 + A^2/4 (f1/f2)^4]   (Chao 1987)
//   f2 = 0:  var = A f1 (f1 - 1)/2 + A^2 f1 (2 f1 - 1)^2 / 4 - A^2 f1^4 / (4 S)
// (0 when f1 = 0: every category has been seen twice or more). n = N, saturating at
// SIZE_MAX as in good_turing_missing_mass; a total that overflows a double (N = +inf)
// gives A = 1, its limit.
// Errors: empty, all-zero or bad counts.
template <class C>
estimate chao1(const C& counts) {
    const auto f = detail::frequencies_of("chao1", counts);
    const double a = std::isinf(f.total) ? 1.0 : (f.total - 1.0) / f.total;
    estimate e;
    e.n = detail::sample_size(f.total);
    if (f.f1 == 0.0) {
        e.value = f.observed;
        e.standard_error = 0.0;
        return e;
    }
    double var;
    if (f.f2 > 0.0) {
        const double r = f.f1 / f.f2;
        e.value = f.observed + a * f.f1 * f.f1 / (2.0 * f.f2);
        var = f.f2 * (a / 2.0 * r * r + a * a * r * r * r + a * a / 4.0 * r * r * r * r);
    } else {
        e.value = f.observed + a * f.f1 * (f.f1 - 1.0) / 2.0;
        var = a * f.f1 * (f.f1 - 1.0) / 2.0 + a * a * f.f1 * (2.0 * f.f1 - 1.0) * (2.0 * f.f1 - 1.0) / 4.0 -
              a * a * f.f1 * f.f1 * f.f1 * f.f1 / (4.0 * e.value);
    }
    e.standard_error = std::sqrt(std::max(0.0, var));
    return e;
}

}  // namespace collapsekit
