// Information measures of n-gram distributions: n-gram entropy with every count
// estimator of entropy.hpp, and KL / Jensen-Shannon divergence between the n-gram
// distributions of two corpora under an explicit zero-support policy (divergence.hpp).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../divergence.hpp"
#include "../entropy/estimator.hpp"
#include "corpus.hpp"
#include "counts.hpp"

namespace collapsekit {

// Shannon entropy of the n-gram distribution from its counts, by estimator e
// (ck::entropy_from_counts: plugin, miller_madow, grassberger, chao_shen, james_stein,
// nsb), in the unit of base. The counts are those of the distinct n-grams observed, so
// K (the number of categories, which NSB and James-Stein use) is the number of distinct
// observed n-grams. Throws std::invalid_argument for an empty table, and as the
// estimator does.
// The estimators see the counts in ascending order (ngram_counts::counts_ascending), not
// in the table's hash order, which depends on how the table was built (counted, merged,
// deserialised): equal tables give the same bits with every estimator.
inline estimate ngram_entropy(const ngram_counts& counts, entropy_estimator e = entropy_estimator::plugin,
                              log_base base = nats) {
    require(!counts.empty(), "ngram_entropy", "counts is empty");
    return entropy_from_counts(counts.counts_ascending(), e, base);
}

// The same from a corpus (documents respected). Throws std::invalid_argument for n
// outside 1..8, an empty corpus or one without n-grams of order n.
inline estimate ngram_entropy(const corpus& c, std::size_t n, entropy_estimator e = entropy_estimator::plugin,
                              log_base base = nats) {
    detail::require_ngrams("ngram_entropy", c, n);
    return ngram_entropy(ngram_counts(c, n), e, base);
}

// Two count tables laid side by side over the union of their n-grams (in lexicographic
// order of the ids): p[i] and q[i] count the same n-gram; either may be 0.
struct aligned_ngram_counts {
    std::vector<std::uint32_t> ids;  // entry i is ids[i * n, (i + 1) * n)
    std::vector<std::uint64_t> p;
    std::vector<std::uint64_t> q;
};

// Throws std::invalid_argument when the orders differ.
inline aligned_ngram_counts align(const ngram_counts& p, const ngram_counts& q) {
    require(p.order() == q.order(), "align",
            "p and q differ in order (" + std::to_string(p.order()) + " vs " + std::to_string(q.order()) + ")");
    const std::size_t n = p.order();
    const auto a = p.sorted(), b = q.sorted();
    aligned_ngram_counts out;
    std::size_t i = 0, j = 0;
    auto push = [&](const std::uint32_t* ids, std::uint64_t x, std::uint64_t y) {
        out.ids.insert(out.ids.end(), ids, ids + n);
        out.p.push_back(x);
        out.q.push_back(y);
    };
    while (i < a.counts.size() || j < b.counts.size()) {
        const std::uint32_t* x = i < a.counts.size() ? a.ids.data() + i * n : nullptr;
        const std::uint32_t* y = j < b.counts.size() ? b.ids.data() + j * n : nullptr;
        if (y == nullptr || (x != nullptr && std::lexicographical_compare(x, x + n, y, y + n))) {
            push(x, a.counts[i++], 0);
        } else if (x == nullptr || std::lexicographical_compare(y, y + n, x, x + n)) {
            push(y, 0, b.counts[j++]);
        } else {
            push(x, a.counts[i++], b.counts[j++]);
        }
    }
    return out;
}

namespace detail {
// measure(p_counts, q_counts) on the two corpora's n-gram counts over their union.
template <class Measure>
double ngram_divergence(const char* fn, const corpus& p, const corpus& q, std::size_t n, Measure&& measure) {
    require_ngrams(fn, p, n, "p");
    require_ngrams(fn, q, n, "q");
    const auto a = align(ngram_counts(p, n), ngram_counts(q, n));
    return measure(a.p, a.q);
}
template <class Measure>
double ngram_divergence(const char* fn, const ngram_counts& p, const ngram_counts& q, Measure&& measure) {
    require(!p.empty() && !q.empty(), fn, "p and q must not be empty");
    const auto a = align(p, q);
    return measure(a.p, a.q);
}
}  // namespace detail

// KL(P || Q) between the n-gram distributions of two corpora, from counts over the
// union of n-grams seen in either (ck::kl_divergence_counts): under zero_support::none()
// it is +inf as soon as p has an n-gram q lacks; additive(alpha) adds alpha to every
// n-gram of the union in both tables before normalising (n-grams seen in neither corpus
// are not part of the support). Unit: base. Throws std::invalid_argument for n outside
// 1..8 or a corpus that is empty or has no n-grams of order n.
inline double ngram_kl_divergence(const corpus& p, const corpus& q, std::size_t n,
                                  zero_support zs = zero_support::none(), log_base base = nats) {
    return detail::ngram_divergence("ngram_kl_divergence", p, q, n,
                                    [&](const auto& x, const auto& y) { return kl_divergence_counts(x, y, base, zs); });
}
inline double ngram_kl_divergence(const ngram_counts& p, const ngram_counts& q, zero_support zs = zero_support::none(),
                                  log_base base = nats) {
    return detail::ngram_divergence("ngram_kl_divergence", p, q,
                                    [&](const auto& x, const auto& y) { return kl_divergence_counts(x, y, base, zs); });
}

// Jensen-Shannon divergence between the n-gram distributions, as ngram_kl_divergence
// (ck::js_divergence_counts); finite under every policy, at most log 2 in nats.
inline double ngram_js_divergence(const corpus& p, const corpus& q, std::size_t n,
                                  zero_support zs = zero_support::none(), log_base base = nats) {
    return detail::ngram_divergence("ngram_js_divergence", p, q, n,
                                    [&](const auto& x, const auto& y) { return js_divergence_counts(x, y, base, zs); });
}
inline double ngram_js_divergence(const ngram_counts& p, const ngram_counts& q, zero_support zs = zero_support::none(),
                                  log_base base = nats) {
    return detail::ngram_divergence("ngram_js_divergence", p, q,
                                    [&](const auto& x, const auto& y) { return js_divergence_counts(x, y, base, zs); });
}

}  // namespace collapsekit
