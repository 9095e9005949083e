// Self-BLEU (Zhu et al. 2018, Texygen): how much each document of a corpus repeats
// the others. High self-BLEU means homogeneous, low-diversity generations.
//
// Definition (exactly what is computed). Documents with no tokens are left out, as
// hypotheses and as references. For each remaining document h (the hypothesis), the
// references are ALL OTHER remaining documents, and
//   BLEU(h) = BP * exp( sum_{k=1..N} (1/N) log p_k )           (uniform weights)
//   p_k     = m_k / d_k, m_k = sum over k-grams g of h of min(c_h(g), max_{r != h} c_r(g))
//             (clipped counts), d_k = max(1, |h| - k + 1)
//   BP      = 1 if |h| > r*, 0 if |h| = 0, else exp(1 - r* / |h|), with r* the reference
//             length closest to |h| (the shorter on a tie)
// as NLTK's sentence_bleu. If m_1 = 0, BLEU(h) = 0. Zero precisions p_k (k >= 2) are
// handled by the stated smoothing:
//   none    : BLEU(h) = 0 when any m_k = 0;
//   epsilon : p_k = epsilon / d_k when m_k = 0 (Chen & Cherry 2014 method 1; NLTK's
//             SmoothingFunction().method1, epsilon = 0.1, which Texygen uses; the default);
//   add_one : p_k = (m_k + 1) / (d_k + 1) for k >= 2 (Lin & Och 2004; NLTK method2).
// Self-BLEU is the mean of BLEU(h) over the hypotheses.
//
// Exact leave-one-out in O(tokens * N) rather than O(D^2): for every k-gram the table
// keeps its largest per-document count, the document holding it, and the second
// largest (over the other documents), so max_{r != h} c_r(g) is one lookup; reference
// lengths are sorted once, and the closest length other than h's own is found by
// binary search.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../core/errors.hpp"
#include "../core/estimate.hpp"
#include "../core/numeric.hpp"
#include "../core/random.hpp"
#include "corpus.hpp"
#include "flat_hash.hpp"
#include "keys.hpp"

namespace collapsekit {

enum class bleu_smoothing { none, epsilon, add_one };

struct self_bleu_options {
    std::size_t max_order = 4;                           // N: BLEU-N with weights 1/N, 1..8
    bleu_smoothing smoothing = bleu_smoothing::epsilon;  // see the header comment
    double epsilon = 0.1;                                // for bleu_smoothing::epsilon, > 0
};

namespace detail {

struct bleu_ngram_stat {
    std::uint32_t max1 = 0;  // largest count in one document
    std::uint32_t max2 = 0;  // largest count in any other document
    std::uint32_t arg1 = 0;  // the document holding max1
};

// Runs of equal keys of one document: (key, count) pairs via sorting (`keys` reused).
template <class Key, class F>
void for_each_document_count(const key_codec<Key>& codec, view<const std::uint32_t> doc, std::vector<Key>& keys,
                             F&& f) {
    keys.clear();
    codec.for_each(doc, [&](const Key& k) { keys.push_back(k); });
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 0; i < keys.size();) {
        std::size_t j = i + 1;
        while (j < keys.size() && keys[j] == keys[i]) ++j;
        f(keys[i], static_cast<std::uint32_t>(j - i));
        i = j;
    }
}

class self_bleu_engine {
public:
    self_bleu_engine(const char* fn, const corpus& c, const self_bleu_options& opt) : c_(c), opt_(opt) {
        check_ngram_order(fn, opt.max_order, "max_order");
        if (opt.smoothing == bleu_smoothing::epsilon) require_positive(fn, "epsilon", opt.epsilon);
        require(c.documents() != 0 && !c.empty(), fn, "corpus is empty");
        for (std::size_t d = 0; d < c.documents(); ++d) {
            if (c.document_length(d) > 0) hypotheses_.push_back(d);
        }
        require(hypotheses_.size() >= 2, fn,
                "corpus needs at least two non-empty documents (got " + std::to_string(hypotheses_.size()) + ")");
        require(c.size() < 0xFFFFFFFFull, fn, "documents longer than 2^32 - 1 tokens are not supported");
        lengths_.reserve(hypotheses_.size());
        for (std::size_t d : hypotheses_) lengths_.push_back(c.document_length(d));
        std::sort(lengths_.begin(), lengths_.end());
        const std::size_t docs = c.documents(), big_n = opt.max_order;
        matches_.assign(docs * big_n, 0);
        const unsigned bits = bits_for_max_id(c.max_id());
        for (std::size_t k = 1; k <= big_n; ++k) {
            with_key_codec(k, bits, [&](auto codec) {
                using Key = decltype(codec.pack(nullptr));
                flat_map<Key, bleu_ngram_stat> stats;
                std::vector<Key> keys;
                for (std::size_t d : hypotheses_) {
                    for_each_document_count(codec, c.document(d), keys, [&](const Key& g, std::uint32_t n) {
                        bleu_ngram_stat& s = stats[g];
                        if (n > s.max1) {
                            s.max2 = s.max1;
                            s.max1 = n;
                            s.arg1 = static_cast<std::uint32_t>(d);
                        } else if (n > s.max2) {
                            s.max2 = n;
                        }
                    });
                }
                for (std::size_t d : hypotheses_) {
                    std::uint64_t m = 0;
                    for_each_document_count(codec, c.document(d), keys, [&](const Key& g, std::uint32_t n) {
                        const bleu_ngram_stat& s = *stats.find(g);
                        const std::uint32_t others = s.arg1 == d ? s.max2 : s.max1;
                        m += std::min(n, others);
                    });
                    matches_[d * big_n + (k - 1)] = m;
                }
            });
        }
    }

    const std::vector<std::size_t>& hypotheses() const noexcept { return hypotheses_; }

    // BLEU of document d (non-empty) against all other non-empty documents.
    double bleu(std::size_t d) const {
        const std::size_t len = c_.document_length(d), big_n = opt_.max_order;
        if (matches_[d * big_n] == 0) return 0.0;
        compensated_sum log_p;
        for (std::size_t k = 1; k <= big_n; ++k) {
            const double m = static_cast<double>(matches_[d * big_n + (k - 1)]);
            const double den = len >= k ? static_cast<double>(len - k + 1) : 1.0;
            double p = m / den;
            if (m == 0) {
                if (opt_.smoothing == bleu_smoothing::none) return 0.0;
                if (opt_.smoothing == bleu_smoothing::epsilon) p = opt_.epsilon / den;
            }
            if (opt_.smoothing == bleu_smoothing::add_one && k >= 2) p = (m + 1.0) / (den + 1.0);
            log_p += std::log(p);
        }
        const double r = static_cast<double>(closest_reference_length(len));
        const double hyp = static_cast<double>(len);
        const double bp = hyp > r ? 1.0 : std::exp(1.0 - r / hyp);
        return bp * std::exp(log_p.value() / static_cast<double>(big_n));
    }

private:
    // The length among the other documents closest to len (the shorter on a tie).
    std::size_t closest_reference_length(std::size_t len) const {
        const auto lo = std::lower_bound(lengths_.begin(), lengths_.end(), len);
        const auto hi = std::upper_bound(lengths_.begin(), lengths_.end(), len);
        if (hi - lo >= 2) return len;  // another document has the same length
        // Exclude the document's own entry (*lo == len).
        const bool has_below = lo != lengths_.begin();
        const bool has_above = hi != lengths_.end();
        if (!has_above) return *(lo - 1);
        if (!has_below) return *hi;
        const std::size_t below = *(lo - 1), above = *hi;
        return (len - below) <= (above - len) ? below : above;
    }

    const corpus& c_;
    self_bleu_options opt_;
    std::vector<std::size_t> hypotheses_;
    std::vector<std::size_t> lengths_;
    std::vector<std::uint64_t> matches_;  // [document][order - 1]
};

}  // namespace detail

// BLEU of every document against all the others (the definition above); NaN for
// documents without tokens, which take no part. Throws std::invalid_argument for
// max_order outside 1..8, a non-positive epsilon, or fewer than two non-empty documents.
inline std::vector<double> self_bleu_per_document(const corpus& c, const self_bleu_options& options = {}) {
    detail::self_bleu_engine e("self_bleu_per_document", c, options);
    std::vector<double> out(c.documents(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t d : e.hypotheses()) out[d] = e.bleu(d);
    return out;
}

// Exact self-BLEU: the mean over non-empty documents of BLEU against all other
// documents, a number in [0, 1]. Errors as self_bleu_per_document.
inline double self_bleu(const corpus& c, const self_bleu_options& options = {}) {
    detail::self_bleu_engine e("self_bleu", c, options);
    compensated_sum s;
    for (std::size_t d : e.hypotheses()) s += e.bleu(d);
    return s.value() / static_cast<double>(e.hypotheses().size());
}

// BLEU of `sample_size` hypothesis documents drawn uniformly without replacement
// (seeded) from the non-empty documents, each scored exactly against all other
// documents, in the order drawn: the scores self_bleu_sampled averages, for callers that
// resample them (self_bleu_drift.hpp). Errors as self_bleu_sampled.
inline std::vector<double> self_bleu_sample_scores(const corpus& c, std::size_t sample_size, std::uint64_t seed,
                                                   const self_bleu_options& options = {},
                                                   std::size_t* hypotheses = nullptr) {
    constexpr const char* fn = "self_bleu_sampled";
    detail::self_bleu_engine e(fn, c, options);
    std::vector<std::size_t> docs = e.hypotheses();
    const std::size_t total = docs.size();
    if (sample_size < 2 || sample_size > total) {
        fail(fn, "sample_size must lie in 2.." + std::to_string(total) + " (got " + std::to_string(sample_size) + ")");
    }
    rng g(seed);
    for (std::size_t i = 0; i < sample_size; ++i) {  // partial Fisher-Yates
        const std::size_t j = i + static_cast<std::size_t>(g.below(total - i));
        std::swap(docs[i], docs[j]);
    }
    std::vector<double> b(sample_size);
    for (std::size_t i = 0; i < sample_size; ++i) b[i] = e.bleu(docs[i]);
    if (hypotheses != nullptr) *hypotheses = total;
    return b;
}

// Sampled self-BLEU: the mean of self_bleu_sample_scores.
// standard_error = s / sqrt(m) * sqrt(1 - m / D) (sample standard deviation s,
// finite-population correction over the D non-empty documents; 0 when m = D); n = m.
// Throws std::invalid_argument unless 2 <= sample_size <= number of non-empty
// documents, and as self_bleu otherwise.
inline estimate self_bleu_sampled(const corpus& c, std::size_t sample_size, std::uint64_t seed,
                                  const self_bleu_options& options = {}) {
    std::size_t total = 0;
    const std::vector<double> b = self_bleu_sample_scores(c, sample_size, seed, options, &total);
    compensated_sum s;
    for (double v : b) s += v;
    const double mean = s.value() / static_cast<double>(sample_size);
    compensated_sum ss;
    for (double v : b) ss += (v - mean) * (v - mean);
    const double m = static_cast<double>(sample_size);
    const double var = ss.value() / (m - 1.0);
    estimate r;
    r.value = mean;
    r.standard_error = std::sqrt(var / m * (1.0 - m / static_cast<double>(total)));
    r.n = sample_size;
    return r;
}

}  // namespace collapsekit
