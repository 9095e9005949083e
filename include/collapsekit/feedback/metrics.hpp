// Adaptors that turn the library's estimators into per-generation metrics for the driver,
// for the four kinds of samples the models write:
//   real values (gaussian, gaussian_mixture, kde),
//   points in d dimensions (multivariate_gaussian),
//   token ids over k categories (categorical),
//   documents of token ids over a vocabulary (ngram_lm).
// Each returns a sample_metric (usable with any model of that sample type); metric_by_name
// picks one by name at run time (the Python bindings use it). Drift metrics compare a
// generation's output x with another sample r: the human reference, the previous
// generation or another lineage (see metric.hpp).
//
// Every drift metric here can also bind r once (sample_metric::against): its reference
// side (a sorted copy, quantile bins, counts, moments, projections) is prepared once, and
// each later comparison costs what x alone costs. A bound metric returns what two(x, r)
// returns, bit for bit, and raises what two raises for x; a reference that two would
// reject makes against(r) throw (the driver then keeps calling two).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/numeric.hpp"
#include "../core/view.hpp"
#include "../divergence.hpp"
#include "../entropy.hpp"
#include "../gaussian.hpp"
#include "../histogram.hpp"
#include "../ngram.hpp"
#include "../sort.hpp"
#include "../tail.hpp"
#include "../wasserstein.hpp"
#include "metric.hpp"
#include "models/categorical.hpp"
#include "models/gaussian.hpp"
#include "models/ngram_lm.hpp"

namespace collapsekit {
namespace feedback {
namespace metrics {

using real_metric = sample_metric<double>;
using token_metric = sample_metric<std::uint32_t>;
using document = std::vector<std::uint32_t>;
using document_metric = sample_metric<document>;
using point = std::vector<double>;
using point_metric = sample_metric<point>;

namespace detail {

inline std::vector<std::uint64_t> token_counts(view<const std::uint32_t> x, std::size_t k, const char* fn) {
    std::vector<std::uint64_t> c(k, 0);
    for (std::uint32_t t : x) {
        if (t >= k)
            fail(fn, "token id " + std::to_string(t) + " is not below the number of categories " + std::to_string(k));
        ++c[t];
    }
    return c;
}

inline std::vector<std::uint64_t> document_counts(view<const document> x, std::size_t k, const char* fn) {
    std::vector<std::uint64_t> c(k, 0);
    for (const auto& d : x) {
        for (std::uint32_t t : d) {
            if (t >= k)
                fail(fn, "token id " + std::to_string(t) + " is not below the vocabulary size " + std::to_string(k));
            ++c[t];
        }
    }
    return c;
}

// KL(r || x) of counts with additive smoothing alpha on both (divergence.hpp's policy).
inline double kl_of_counts(const std::vector<std::uint64_t>& r, const std::vector<std::uint64_t>& x, double alpha,
                           log_base base) {
    return kl_divergence_counts(r, x, base, alpha > 0.0 ? zero_support::additive(alpha) : zero_support::none());
}

// What became of r's rare categories (under `rule`) in x: their mass retention, or the
// share of them still present (`survival`). NaN when no category of r is rare under the
// rule (e.g. r's smallest counts form one tied group larger than the share), or when x
// is empty.
inline double rare_of_counts(const std::vector<std::uint64_t>& r, const std::vector<std::uint64_t>& x,
                             const rare_categories& rule, bool survival) {
    bool any = false;
    for (auto v : x) any = any || v > 0;
    if (!any) return std::numeric_limits<double>::quiet_NaN();
    try {
        const auto out = rare_category_retention(r, x, rule);
        return survival ? out.survival_share : out.mass_retention;
    } catch (const std::domain_error&) {
        return std::numeric_limits<double>::quiet_NaN();
    }
}

// r's rare categories under a rule, found once: rare_category_retention selects them
// from r on every call (a sort of the categories, for bottom_mass).
struct rare_reference {
    std::vector<std::size_t> categories;  // ascending; none: every result is NaN
    double reference_mass = 0;            // as rare_category_retention's reference_mass
};

// The total of counts as rare_category_retention's compensated sum gives it: whole
// counts below 2^53 in total add up exactly in any order, so the integer total is that
// sum; past 2^53 the same compensated sum is taken.
inline double total_of_counts(const std::vector<std::uint64_t>& c, std::uint64_t total) {
    if (total < (std::uint64_t{1} << 53)) return static_cast<double>(total);
    compensated_sum s;
    for (auto v : c) s += static_cast<double>(v);
    return s.value();
}

// Throws, as rare_category_retention does, for reference counts that are empty or all zero.
inline std::shared_ptr<const rare_reference> rare_reference_of(const std::vector<std::uint64_t>& r,
                                                               const rare_categories& rule) {
    constexpr const char* fn = "rare_category_retention";
    require_not_empty(fn, "reference_counts", r.size());
    std::uint64_t total = 0;
    for (auto v : r) total += v;
    require(total > 0, fn, "reference_counts must not be all zero");
    const std::vector<double> rd(r.begin(), r.end());
    const double nr = total_of_counts(r, total);
    auto out = std::make_shared<rare_reference>();
    out->categories = rule.select(rd, nr);
    compensated_sum rm;
    for (std::size_t i : out->categories) rm += rd[i];
    out->reference_mass = rm.value() / nr;
    return out;
}

// rare_of_counts(r, x, rule, survival) with r's rare categories found beforehand.
inline double rare_of_counts(const rare_reference& r, const std::vector<std::uint64_t>& x, bool survival) {
    std::uint64_t total = 0;
    for (auto v : x) total += v;
    if (total == 0 || r.categories.empty()) return std::numeric_limits<double>::quiet_NaN();
    compensated_sum gm;
    std::size_t surviving = 0;
    for (std::size_t i : r.categories) {
        gm += static_cast<double>(x[i]);
        surviving += x[i] > 0 ? 1u : 0u;
    }
    if (survival) return static_cast<double>(surviving) / static_cast<double>(r.categories.size());
    const double generated_mass = gm.value() / total_of_counts(x, total);
    return generated_mass / r.reference_mass;
}

// against for the rare-category metrics: r counted and its rare categories found once.
template <class S, class Count>
std::function<typename sample_metric<S>::bound(view<const S>)> rare_against(Count count, rare_categories rule,
                                                                            bool survival) {
    return [count, rule, survival](view<const S> r) -> typename sample_metric<S>::bound {
        auto rr = rare_reference_of(count(r), rule);
        return
            [count, survival, rr = std::move(rr)](view<const S> x) { return rare_of_counts(*rr, count(x), survival); };
    };
}

// against for the count KL metrics: r counted once.
template <class S, class Count>
std::function<typename sample_metric<S>::bound(view<const S>)> counts_kl_against(Count count, double alpha,
                                                                                 log_base base) {
    return [count, alpha, base](view<const S> r) -> typename sample_metric<S>::bound {
        auto rc = std::make_shared<const std::vector<std::uint64_t>>(count(r));
        return [count, alpha, base, rc = std::move(rc)](view<const S> x) {
            return kl_of_counts(*rc, count(x), alpha, base);
        };
    };
}

// A drift metric whose value is compare(x, prepare(r)): two(x, r) prepares r on every call
// and against(r) once, so the bound metric agrees with two bit for bit by construction.
// With r bad, both two and against throw prepare's error (the driver then calls two).
template <class S, class Prepare, class Compare>
sample_metric<S> prepared_drift(std::string name, Prepare prepare, Compare compare) {
    using prepared = std::decay_t<decltype(prepare(view<const S>{}))>;
    return sample_metric<S>::drift(
        std::move(name), [prepare, compare](view<const S> x, view<const S> r) { return compare(x, prepare(r)); },
        [prepare, compare](view<const S> r) -> typename sample_metric<S>::bound {
            auto p = std::make_shared<const prepared>(prepare(r));
            return [compare, p = std::move(p)](view<const S> x) { return compare(x, *p); };
        });
}

// Share of x's tokens in categories r never uses: sum_{i : r_i = 0} x_i / sum_i x_i.
inline double novel_share(const std::vector<std::uint64_t>& r, const std::vector<std::uint64_t>& x, const char* fn) {
    std::uint64_t novel = 0, total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        total += x[i];
        novel += r[i] == 0 ? x[i] : 0;
    }
    require(total > 0, fn, "samples is empty");
    return static_cast<double>(novel) / static_cast<double>(total);
}

// The n-gram counts of a set of documents, which must hold at least one n-gram.
inline ngram_counts document_ngrams(view<const document> x, std::size_t n, const char* fn, const char* what) {
    const corpus c = corpus::from_documents(x);
    collapsekit::detail::require_ngrams(fn, c, n, what);
    return ngram_counts(c, n);
}

inline void check_metric_order(const char* fn, std::size_t n) {
    require(n >= 1 && n <= 4, fn, "n must lie in 1..4 (got " + std::to_string(n) + ")");
}

}  // namespace detail

// ---- real values -------------------------------------------------------------------

// "mean": the sample mean.
inline real_metric mean() {
    return real_metric::of_sample("mean", [](view<const double> x) {
        require_not_empty("metrics::mean", "samples", x.size());
        return accurate_sum(x) / static_cast<double>(x.size());
    });
}

// "spread": the sample standard deviation (divisor n - 1; NaN for one sample).
inline real_metric spread() {
    return real_metric::of_sample("spread", [](view<const double> x) {
        require_not_empty("metrics::spread", "samples", x.size());
        const double n = static_cast<double>(x.size());
        const double m = accurate_sum(x) / n;
        compensated_sum s;
        for (double v : x) s += (v - m) * (v - m);
        return std::sqrt(s.value() / (n - 1.0));
    });
}

// "w1": the 1-Wasserstein distance W1(x, r) (wasserstein.hpp), in the units of the data.
// Bound: r sorted once (sorted_reference).
inline real_metric w1() {
    return real_metric::drift(
        "w1", [](view<const double> x, view<const double> r) { return wasserstein(x, r, 1.0); },
        [](view<const double> r) -> real_metric::bound {
            // Shared, so that copies of the bound function do not copy the reference.
            auto ref = std::make_shared<const sorted_reference>(r);
            return [ref](view<const double> x) { return wasserstein(x, *ref, 1.0); };
        });
}

// "ks": the two-sample Kolmogorov-Smirnov statistic sup |F_x - F_r| (ks_statistic:
// ks_2samp's statistic without its p-value). Bound: r sorted once.
inline real_metric ks() {
    return real_metric::drift(
        "ks", [](view<const double> x, view<const double> r) { return ks_statistic(x, r); },
        [](view<const double> r) -> real_metric::bound {
            auto ref = std::make_shared<const sorted_reference>(r);
            return [ref](view<const double> x) { return ks_statistic(x, *ref); };
        });
}

// "kl": KL(r || x) in units of base between the counts of r and x in `bins` bins at r's
// quantiles (histogram::from_quantiles; values outside r's range are dropped from x),
// with additive smoothing alpha on both count vectors (0.5 = Jeffreys; 0 gives +inf as
// soon as x leaves a bin empty). Bound: r's bins and counts made once.
inline real_metric kl(std::size_t bins = 20, double alpha = 0.5, log_base base = nats) {
    require(bins >= 1, "metrics::kl", "bins must be at least 1");
    require_non_negative("metrics::kl", "alpha", alpha);
    return real_metric::drift(
        "kl",
        [bins, alpha, base](view<const double> x, view<const double> r) {
            histogram hr = histogram::from_quantiles(r, bins);
            histogram hx = hr.empty_like();
            hr.fill(r);
            hx.fill(x);
            return kl_divergence_counts(hr.counts(), hx.counts(), base,
                                        alpha > 0.0 ? zero_support::additive(alpha) : zero_support::none());
        },
        [bins, alpha, base](view<const double> r) -> real_metric::bound {
            // from_quantiles sorts its own copy with std::sort. Handed values the radix
            // sort has ordered, both sorts together take a quarter of the time (10 000
            // values: 0.16 ms rather than 0.62 ms). Same values: same edges and counts.
            std::vector<double> sorted(r.begin(), r.end());
            sort_values(sorted);
            histogram hr = histogram::from_quantiles(sorted, bins);
            histogram empty = hr.empty_like();
            hr.fill(sorted);
            // The empty binning each comparison copies and fills, and r's counts in it.
            auto ref =
                std::make_shared<const std::pair<histogram, std::vector<std::uint64_t>>>(std::move(empty), hr.counts());
            return [ref, alpha, base](view<const double> x) {
                histogram hx = ref->first;
                hx.fill(x);
                return kl_divergence_counts(ref->second, hx.counts(), base,
                                            alpha > 0.0 ? zero_support::additive(alpha) : zero_support::none());
            };
        });
}

// "tail_retention": the share of x beyond r's alpha and 1 - alpha quantiles, divided by
// 2 alpha (tail.hpp, both sides): 1 = tails kept, 0 = gone. Bound: r's two thresholds
// found once (tail_thresholds, the quantiles tail_retention uses).
inline real_metric tail_retention(double alpha = 0.05) {
    return real_metric::drift(
        "tail_retention",
        [alpha](view<const double> x, view<const double> r) {
            return collapsekit::tail_retention(r, x, alpha, tail_side::both);
        },
        [alpha](view<const double> r) -> real_metric::bound {
            const tail_threshold_pair q = tail_thresholds(r, alpha);
            return [alpha, lo = q.lower, hi = q.upper](view<const double> x) {
                // tail_retention's checks of x and its counting and rounding (tail/continuous.hpp):
                // strictly beyond, the lower threshold tested first, each side's share added to 0.
                constexpr const char* fn = "tail_retention";
                require_not_empty(fn, "generated", x.size());
                screen_nans(fn, "generated", x, nan_policy::raise);
                std::size_t below = 0, above = 0;
                for (double v : x) {
                    const bool b = v < lo;
                    below += b ? 1u : 0u;
                    above += !b && v > hi ? 1u : 0u;
                }
                const double total = static_cast<double>(x.size());
                double mass = 0.0;
                mass += static_cast<double>(below) / total;
                mass += static_cast<double>(above) / total;
                return mass / (2.0 * alpha);
            };
        });
}

// ---- token ids over k categories ---------------------------------------------------

// "entropy": the plug-in entropy of the token counts, in units of base.
inline token_metric entropy(std::size_t k, log_base base = nats) {
    return token_metric::of_sample("entropy", [k, base](view<const std::uint32_t> x) {
        return entropy_from_counts(detail::token_counts(x, k, "metrics::entropy"), entropy_estimator::plugin, base)
            .value;
    });
}

// "gini_simpson": 1 - sum p_i^2 of the token frequencies.
inline token_metric gini_simpson(std::size_t k) {
    return token_metric::of_sample("gini_simpson", [k](view<const std::uint32_t> x) {
        const auto c = detail::token_counts(x, k, "metrics::gini_simpson");
        require_not_empty("metrics::gini_simpson", "samples", x.size());
        std::vector<double> p(c.size());
        for (std::size_t i = 0; i < c.size(); ++i) p[i] = static_cast<double>(c[i]) / static_cast<double>(x.size());
        return collapsekit::gini_simpson(p);
    });
}

// "support": the number of distinct categories present.
inline token_metric support(std::size_t k) {
    return token_metric::of_sample("support", [k](view<const std::uint32_t> x) {
        double s = 0;
        for (auto c : detail::token_counts(x, k, "metrics::support")) s += c > 0 ? 1.0 : 0.0;
        return s;
    });
}

// "kl": KL(r || x) of the token counts with additive smoothing alpha. Bound: r counted once.
inline token_metric token_kl(std::size_t k, double alpha = 0.5, log_base base = nats) {
    require_non_negative("metrics::token_kl", "alpha", alpha);
    return token_metric::drift(
        "kl",
        [k, alpha, base](view<const std::uint32_t> x, view<const std::uint32_t> r) {
            return detail::kl_of_counts(detail::token_counts(r, k, "metrics::token_kl"),
                                        detail::token_counts(x, k, "metrics::token_kl"), alpha, base);
        },
        detail::counts_kl_against<std::uint32_t>(
            [k](view<const std::uint32_t> x) { return detail::token_counts(x, k, "metrics::token_kl"); }, alpha, base));
}

// "tail_retention": mass retention of r's rare categories in x (tail.hpp's
// rare_category_retention; by default the rarest categories holding at most 5 % of r's
// mass): sum of x's frequencies over them / sum of r's. NaN when no category is rare
// under the rule or x is empty (the table's summary skips NaN). Note: refitting a
// categorical MLE keeps this mass in expectation (the frequencies are a martingale) while
// the rare categories die out one by one: rare_survival shows that.
// Bound: r counted and its rare categories chosen once.
inline token_metric token_tail_retention(std::size_t k, rare_categories rule = rare_categories::bottom_mass(0.05)) {
    return token_metric::drift(
        "tail_retention",
        [k, rule](view<const std::uint32_t> x, view<const std::uint32_t> r) {
            return detail::rare_of_counts(detail::token_counts(r, k, "metrics::token_tail_retention"),
                                          detail::token_counts(x, k, "metrics::token_tail_retention"), rule, false);
        },
        detail::rare_against<std::uint32_t>(
            [k](view<const std::uint32_t> x) { return detail::token_counts(x, k, "metrics::token_tail_retention"); },
            rule, false));
}

// "rare_survival": the share of r's rare categories (under `rule`) present in x, in
// [0, 1]; NaN as for token_tail_retention. It depends on the size of x: compare with a
// fresh human sample of the same size. Bound as token_tail_retention.
inline token_metric token_rare_survival(std::size_t k, rare_categories rule = rare_categories::bottom_mass(0.05)) {
    return token_metric::drift(
        "rare_survival",
        [k, rule](view<const std::uint32_t> x, view<const std::uint32_t> r) {
            return detail::rare_of_counts(detail::token_counts(r, k, "metrics::token_rare_survival"),
                                          detail::token_counts(x, k, "metrics::token_rare_survival"), rule, true);
        },
        detail::rare_against<std::uint32_t>(
            [k](view<const std::uint32_t> x) { return detail::token_counts(x, k, "metrics::token_rare_survival"); },
            rule, true));
}

// "coverage": share of the categories present in r that x still uses (support_coverage,
// tail/discrete.hpp), in [0, 1]. Bound: r counted once.
inline token_metric token_coverage(std::size_t k) {
    constexpr const char* fn = "metrics::token_coverage";
    return detail::prepared_drift<std::uint32_t>(
        "coverage",
        [k](view<const std::uint32_t> r) {
            require_not_empty(fn, "reference", r.size());
            return detail::token_counts(r, k, fn);
        },
        [k](view<const std::uint32_t> x, const std::vector<std::uint64_t>& rc) {
            require_not_empty(fn, "samples", x.size());
            return support_coverage(rc, detail::token_counts(x, k, fn));
        });
}

// "novelty": share of x's tokens in categories that r never uses, in [0, 1] (a model that
// only reshuffles its training data writes none). Bound: r counted once.
inline token_metric token_novelty(std::size_t k) {
    constexpr const char* fn = "metrics::token_novelty";
    return detail::prepared_drift<std::uint32_t>(
        "novelty",
        [k](view<const std::uint32_t> r) {
            require_not_empty(fn, "reference", r.size());
            return detail::token_counts(r, k, fn);
        },
        [k](view<const std::uint32_t> x, const std::vector<std::uint64_t>& rc) {
            return detail::novel_share(rc, detail::token_counts(x, k, fn), fn);
        });
}

// ---- documents ---------------------------------------------------------------------

// "novelty_<n>": share of the output's n-gram occurrences that never occur in r (novelty
// in ngram/measures.hpp, by tokens), in [0, 1]; n in 1..4. Bound: r's n-grams counted once.
inline document_metric novelty(std::size_t n) {
    constexpr const char* fn = "metrics::novelty";
    detail::check_metric_order(fn, n);
    return detail::prepared_drift<document>(
        "novelty_" + std::to_string(n),
        [n](view<const document> r) { return detail::document_ngrams(r, n, fn, "reference"); },
        [n](view<const document> x, const ngram_counts& rc) {
            return collapsekit::novelty(detail::document_ngrams(x, n, fn, "samples"), rc).tokens;
        });
}

// "coverage_<n>": share of r's distinct n-grams that the output uses at least once
// (ngram_coverage in ngram/measures.hpp, by types), in [0, 1]; n in 1..4. Bound: r's
// n-grams counted once.
inline document_metric coverage(std::size_t n) {
    constexpr const char* fn = "metrics::coverage";
    detail::check_metric_order(fn, n);
    return detail::prepared_drift<document>(
        "coverage_" + std::to_string(n),
        [n](view<const document> r) { return detail::document_ngrams(r, n, fn, "reference"); },
        [n](view<const document> x, const ngram_counts& rc) {
            return ngram_coverage(detail::document_ngrams(x, n, fn, "samples"), rc).types;
        });
}

// "distinct_<n>": distinct-n of the documents pooled (ngram.hpp), in (0, 1].
inline document_metric distinct(std::size_t n) {
    return document_metric::of_sample("distinct_" + std::to_string(n),
                                      [n](view<const document> x) { return distinct_n(corpus::from_documents(x), n); });
}

// "entropy": plug-in entropy of the unigram (token) counts over the vocabulary.
inline document_metric unigram_entropy(std::size_t vocabulary, log_base base = nats) {
    return document_metric::of_sample("entropy", [vocabulary, base](view<const document> x) {
        return entropy_from_counts(detail::document_counts(x, vocabulary, "metrics::unigram_entropy"),
                                   entropy_estimator::plugin, base)
            .value;
    });
}

// "length": mean document length in tokens.
inline document_metric length() {
    return document_metric::of_sample("length", [](view<const document> x) {
        require_not_empty("metrics::length", "samples", x.size());
        double s = 0;
        for (const auto& d : x) s += static_cast<double>(d.size());
        return s / static_cast<double>(x.size());
    });
}

// "kl": KL(r || x) of the unigram counts with additive smoothing alpha. Bound: r counted once.
inline document_metric unigram_kl(std::size_t vocabulary, double alpha = 0.5, log_base base = nats) {
    require_non_negative("metrics::unigram_kl", "alpha", alpha);
    return document_metric::drift(
        "kl",
        [vocabulary, alpha, base](view<const document> x, view<const document> r) {
            return detail::kl_of_counts(detail::document_counts(r, vocabulary, "metrics::unigram_kl"),
                                        detail::document_counts(x, vocabulary, "metrics::unigram_kl"), alpha, base);
        },
        detail::counts_kl_against<document>(
            [vocabulary](view<const document> x) {
                return detail::document_counts(x, vocabulary, "metrics::unigram_kl");
            },
            alpha, base));
}

// "tail_retention": as token_tail_retention on the unigram (word) counts.
inline document_metric unigram_tail_retention(std::size_t vocabulary,
                                              rare_categories rule = rare_categories::bottom_mass(0.05)) {
    return document_metric::drift(
        "tail_retention",
        [vocabulary, rule](view<const document> x, view<const document> r) {
            return detail::rare_of_counts(detail::document_counts(r, vocabulary, "metrics::unigram_tail_retention"),
                                          detail::document_counts(x, vocabulary, "metrics::unigram_tail_retention"),
                                          rule, false);
        },
        detail::rare_against<document>(
            [vocabulary](view<const document> x) {
                return detail::document_counts(x, vocabulary, "metrics::unigram_tail_retention");
            },
            rule, false));
}

// "rare_survival": as token_rare_survival on the unigram (word) counts; by default the
// rare words are those that occur once in r (hapax legomena).
inline document_metric unigram_rare_survival(std::size_t vocabulary,
                                             rare_categories rule = rare_categories::at_most_count(1)) {
    return document_metric::drift(
        "rare_survival",
        [vocabulary, rule](view<const document> x, view<const document> r) {
            return detail::rare_of_counts(detail::document_counts(r, vocabulary, "metrics::unigram_rare_survival"),
                                          detail::document_counts(x, vocabulary, "metrics::unigram_rare_survival"),
                                          rule, true);
        },
        detail::rare_against<document>(
            [vocabulary](view<const document> x) {
                return detail::document_counts(x, vocabulary, "metrics::unigram_rare_survival");
            },
            rule, true));
}

// ---- points in d dimensions (multivariate_gaussian) -----------------------------------

namespace detail {

// Mean and covariance (row-major d x d, divided by n - `ddof`) of points of one length.
struct point_moments {
    std::vector<double> mean, cov;
};

inline point_moments moments_of(view<const point> x, double ddof, const char* fn) {
    if (x.size() < 2) fail(fn, "needs at least 2 points (got " + std::to_string(x.size()) + ")");
    const std::size_t d = x[0].size();
    require(d >= 1, fn, "points are empty");
    point_moments m{std::vector<double>(d, 0.0), std::vector<double>(d * d, 0.0)};
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (x[i].size() != d) {
            fail(fn, "point " + std::to_string(i) + " has " + std::to_string(x[i].size()) + " coordinates, expected " +
                         std::to_string(d));
        }
        for (std::size_t a = 0; a < d; ++a) m.mean[a] += x[i][a];
    }
    const double n = static_cast<double>(x.size());
    for (double& v : m.mean) v /= n;
    for (const point& p : x) {
        for (std::size_t a = 0; a < d; ++a) {
            for (std::size_t b = 0; b <= a; ++b) m.cov[a * d + b] += (p[a] - m.mean[a]) * (p[b] - m.mean[b]);
        }
    }
    for (std::size_t a = 0; a < d; ++a) {
        for (std::size_t b = 0; b <= a; ++b) m.cov[b * d + a] = m.cov[a * d + b] = m.cov[a * d + b] / (n - ddof);
    }
    return m;
}

// Points as one row-major array (what sliced_wasserstein reads).
inline std::vector<double> flatten(view<const point> x) {
    std::vector<double> out;
    out.reserve(x.size() * (x.size() > 0 ? x[0].size() : 0));
    for (const point& p : x) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace detail

// "spread": sqrt(tr S), S the unbiased sample covariance: the root mean squared distance
// from the mean, the d-dimensional analogue of the standard deviation (metric "spread" for
// real values). Needs at least 2 points of one length.
inline point_metric total_spread() {
    return point_metric::of_sample("spread", [](view<const point> x) {
        const auto m = detail::moments_of(x, 1.0, "metrics::total_spread");
        double t = 0.0;
        for (std::size_t a = 0; a < m.mean.size(); ++a) t += m.cov[a * m.mean.size() + a];
        return std::sqrt(t);
    });
}

// "w2": W2 between the Gaussian fits (mean, maximum-likelihood covariance) of x and r, in
// closed form (wasserstein_gaussian_mv): drift of the first two moments only.
// Bound: r's moments computed once.
inline point_metric gaussian_w2() {
    return point_metric::drift(
        "w2",
        [](view<const point> x, view<const point> r) {
            const auto a = detail::moments_of(x, 0.0, "metrics::gaussian_w2");
            const auto b = detail::moments_of(r, 0.0, "metrics::gaussian_w2");
            return wasserstein_gaussian_mv(a.mean, a.cov, b.mean, b.cov);
        },
        [](view<const point> r) -> point_metric::bound {
            auto b = std::make_shared<const detail::point_moments>(detail::moments_of(r, 0.0, "metrics::gaussian_w2"));
            return [b](view<const point> x) {
                const auto a = detail::moments_of(x, 0.0, "metrics::gaussian_w2");
                return wasserstein_gaussian_mv(a.mean, a.cov, b->mean, b->cov);
            };
        });
}

// "kl": KL(r || x) in units of base between the Gaussian fits (maximum-likelihood
// covariances, which must be positive definite: more points than dimensions, not collinear).
// Bound: r's moments computed once.
inline point_metric gaussian_kl(log_base base = nats) {
    return point_metric::drift(
        "kl",
        [base](view<const point> x, view<const point> r) {
            const auto a = detail::moments_of(x, 0.0, "metrics::gaussian_kl");
            const auto b = detail::moments_of(r, 0.0, "metrics::gaussian_kl");
            return kl_gaussian_mv(b.mean, b.cov, a.mean, a.cov, base);
        },
        [base](view<const point> r) -> point_metric::bound {
            auto b = std::make_shared<const detail::point_moments>(detail::moments_of(r, 0.0, "metrics::gaussian_kl"));
            return [b, base](view<const point> x) {
                const auto a = detail::moments_of(x, 0.0, "metrics::gaussian_kl");
                return kl_gaussian_mv(b->mean, b->cov, a.mean, a.cov, base);
            };
        });
}

// "sliced_w2": the sliced 2-Wasserstein distance between x and r (sliced_wasserstein,
// `projections` directions from `seed`, the same for every generation so the series is
// not noisier than it needs to be); sees the whole distribution, not only two moments.
// Bound: r projected on every direction and sorted once (sliced_reference), unless that
// would take more than 2^23 doubles (64 MiB: 50 directions of about 168 000 points), in which
// case only its flattened copy is kept.
inline point_metric sliced_w2(std::size_t projections = 50, std::uint64_t seed = 0) {
    return point_metric::drift(
        "sliced_w2",
        [projections, seed](view<const point> x, view<const point> r) {
            require(!x.empty() && !r.empty(), "metrics::sliced_w2", "samples are empty");
            const std::size_t d = r[0].size();
            return sliced_wasserstein(detail::flatten(x), detail::flatten(r), d, sliced_options{projections, 2.0, seed})
                .value;
        },
        [projections, seed](view<const point> r) -> point_metric::bound {
            require(!r.empty(), "metrics::sliced_w2", "samples are empty");
            const std::size_t d = r[0].size();
            const sliced_options opt{projections, 2.0, seed};
            auto flat = std::make_shared<const std::vector<double>>(detail::flatten(r));
            if (projections > (std::size_t{1} << 23) / r.size()) {
                return [flat, d, opt](view<const point> x) {
                    require(!x.empty(), "metrics::sliced_w2", "samples are empty");
                    return sliced_wasserstein(detail::flatten(x), *flat, d, opt).value;
                };
            }
            auto ref = std::make_shared<const sliced_reference>(*flat, d, opt);
            return [ref](view<const point> x) {
                require(!x.empty(), "metrics::sliced_w2", "samples are empty");
                return sliced_wasserstein(detail::flatten(x), *ref).value;
            };
        });
}

// ---- by name -----------------------------------------------------------------------

// The metric called `name` for Model, with default parameters, sized from `prototype`
// (categories of a categorical, vocabulary of an ngram_lm). Names:
//   real values: mean, spread, w1, ks, kl, tail_retention; gaussian also variance (of
//     the fitted model);
//   multivariate_gaussian: spread, w2, kl, sliced_w2; total_variance and log_det (of the
//     fitted covariance);
//   categorical: entropy, gini_simpson, support, kl, tail_retention, rare_survival, coverage,
//     novelty; model_entropy and model_gini_simpson (of the fitted probabilities);
//   ngram_lm: distinct_1 .. distinct_4, novelty_1 .. novelty_4, coverage_1 .. coverage_4,
//     entropy, length, kl, tail_retention, rare_survival, live_vocabulary (of the fitted model).
// Throws std::invalid_argument for an unknown name, listing the known ones.
template <class Model>
metric<Model> metric_by_name(std::string_view name, const Model& prototype) {
    using S = typename Model::sample_type;
    const std::string n(name);
    auto unknown = [&](const char* known) {
        fail("metrics::metric_by_name", "unknown metric '" + n + "' (known: " + known + ")");
    };
    if constexpr (std::is_same_v<S, double>) {
        if constexpr (std::is_same_v<Model, gaussian>) {
            if (n == "variance") return metric<Model>::of_model(n, [](const gaussian& m) { return m.variance(); });
        }
        if (n == "mean") return mean();
        if (n == "spread") return spread();
        if (n == "w1") return w1();
        if (n == "ks") return ks();
        if (n == "kl") return kl();
        if (n == "tail_retention") return tail_retention();
        unknown("mean, spread, w1, ks, kl, tail_retention; variance for gaussian");
    } else if constexpr (std::is_same_v<Model, multivariate_gaussian>) {
        if (n == "total_variance") {
            return metric<Model>::of_model(n, [](const multivariate_gaussian& m) { return m.total_variance(); });
        }
        if (n == "log_det")
            return metric<Model>::of_model(n, [](const multivariate_gaussian& m) { return m.log_det(); });
        if (n == "spread") return total_spread();
        if (n == "w2") return gaussian_w2();
        if (n == "kl") return gaussian_kl();
        if (n == "sliced_w2") return sliced_w2();
        unknown("spread, w2, kl, sliced_w2, total_variance, log_det");
    } else if constexpr (std::is_same_v<Model, categorical>) {
        const std::size_t k = prototype.size();
        if (n == "entropy") return entropy(k);
        if (n == "gini_simpson") return gini_simpson(k);
        if (n == "support") return support(k);
        if (n == "kl") return token_kl(k);
        if (n == "tail_retention") return token_tail_retention(k);
        if (n == "rare_survival") return token_rare_survival(k);
        if (n == "coverage") return token_coverage(k);
        if (n == "novelty") return token_novelty(k);
        if (n == "model_entropy") {
            return metric<Model>::of_model(n, [](const categorical& m) { return shannon_entropy(m.probabilities()); });
        }
        if (n == "model_gini_simpson") {
            return metric<Model>::of_model(
                n, [](const categorical& m) { return collapsekit::gini_simpson(m.probabilities()); });
        }
        unknown(
            "entropy, gini_simpson, support, kl, tail_retention, rare_survival, coverage, novelty, model_entropy, "
            "model_gini_simpson");
    } else if constexpr (std::is_same_v<Model, ngram_lm>) {
        const std::size_t v = prototype.vocabulary();
        if (n.size() == 10 && n.compare(0, 9, "distinct_") == 0 && n[9] >= '1' && n[9] <= '4') {
            return distinct(static_cast<std::size_t>(n[9] - '0'));
        }
        if (n.size() == 9 && n.compare(0, 8, "novelty_") == 0 && n[8] >= '1' && n[8] <= '4') {
            return novelty(static_cast<std::size_t>(n[8] - '0'));
        }
        if (n.size() == 10 && n.compare(0, 9, "coverage_") == 0 && n[9] >= '1' && n[9] <= '4') {
            return coverage(static_cast<std::size_t>(n[9] - '0'));
        }
        if (n == "entropy") return unigram_entropy(v);
        if (n == "length") return length();
        if (n == "kl") return unigram_kl(v);
        if (n == "tail_retention") return unigram_tail_retention(v);
        if (n == "rare_survival") return unigram_rare_survival(v);
        if (n == "live_vocabulary") {
            return metric<Model>::of_model(n,
                                           [](const ngram_lm& m) { return static_cast<double>(m.live_vocabulary()); });
        }
        unknown(
            "distinct_1..distinct_4, novelty_1..novelty_4, coverage_1..coverage_4, entropy, length, kl, "
            "tail_retention, rare_survival, live_vocabulary");
    } else {
        unknown("none for this model's sample type");
    }
    return {};
}

// metric_by_name for each name, in order.
template <class Model>
std::vector<metric<Model>> metrics_by_name(const std::vector<std::string>& names, const Model& prototype) {
    std::vector<metric<Model>> out;
    out.reserve(names.size());
    for (const auto& n : names) out.push_back(metric_by_name(n, prototype));
    return out;
}

}  // namespace metrics
}  // namespace feedback
}  // namespace collapsekit
