// An n-gram Markov language model over token ids, with backoff and the sampling controls
// of controls.hpp: the smallest model that writes text, and that loses rare words and
// rare phrases when trained on its own output.
//
// A sample is one document (a std::vector<std::uint32_t> of ids below the vocabulary
// size). Documents are padded with (order - 1) begin-of-document markers and closed by an
// end-of-document marker, so the model learns how documents start and how long they are.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../../core/errors.hpp"
#include "../../core/random.hpp"
#include "../../core/view.hpp"
#include "controls.hpp"

namespace collapsekit {
namespace feedback {

// order: n in 1..4 (contexts of n - 1 tokens);
// smoothing: alpha >= 0 added to the count of every vocabulary id and of the end marker
//   in the unigram (empty-context) distribution, so that with alpha > 0 every word can
//   still be written;
// controls: temperature, top-k, top-p, applied to each context's next-token distribution;
// max_length: a sampled document that has not ended after this many tokens is cut there.
struct ngram_lm_options {
    std::size_t order = 3;
    double smoothing = 0.0;
    sampling_controls controls{};
    std::size_t max_length = 256;
};

// Backoff rule: the next token is drawn from the longest context (the last n - 1, then
// n - 2, ... tokens, begin markers included) that occurred in the training data, using
// that context's counts (maximum likelihood, "stupid" backoff without discounting);
// the empty context always exists after a fit.
class ngram_lm {
public:
    using sample_type = std::vector<std::uint32_t>;

    // Ids are 0..vocabulary-1, with vocabulary at most 2^20 - 2 (two ids are reserved for
    // the markers, and contexts are packed 20 bits per token).
    explicit ngram_lm(std::size_t vocabulary, ngram_lm_options options = {}) : v_(vocabulary), opt_(options) {
        constexpr const char* fn = "ngram_lm";
        require(vocabulary >= 1 && vocabulary <= (std::size_t{1} << 20) - 2, fn,
                "vocabulary must lie in 1..2^20 - 2 (got " + std::to_string(vocabulary) + ")");
        require(opt_.order >= 1 && opt_.order <= 4, fn,
                "order must lie in 1..4 (got " + std::to_string(opt_.order) + ")");
        require_non_negative(fn, "smoothing", opt_.smoothing);
        require(opt_.max_length >= 1, fn, "max_length must be at least 1");
        opt_.controls.validate(fn);
    }

    // Counts every context of length 0..order-1 and its next tokens. Throws
    // std::invalid_argument for an id >= vocabulary or when there is nothing to fit (no
    // documents and no smoothing).
    void fit(view<const std::vector<std::uint32_t>> docs, rng& /*unused*/) {
        constexpr const char* fn = "ngram_lm::fit";
        if (docs.empty() && opt_.smoothing == 0.0) fail(fn, "no documents to fit and no smoothing");
        std::size_t total = 0;
        for (std::size_t d = 0; d < docs.size(); ++d) {
            for (std::size_t i = 0; i < docs[d].size(); ++i) {
                if (docs[d][i] >= v_) {
                    fail(fn, "docs[" + std::to_string(d) + "][" + std::to_string(i) +
                                 "] = " + std::to_string(docs[d][i]) + " is not below the vocabulary size " +
                                 std::to_string(v_));
                }
            }
            total += docs[d].size() + 1;
        }
        const std::size_t n = opt_.order;
        const auto bos = static_cast<std::uint32_t>(v_), eos = static_cast<std::uint32_t>(v_ + 1);
        std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> pairs(n);
        for (auto& p : pairs) p.reserve(total);
        std::uint32_t hist[3];
        for (const auto& doc : docs) {
            for (auto& h : hist) h = bos;
            for (std::size_t i = 0; i <= doc.size(); ++i) {
                const std::uint32_t y = i < doc.size() ? doc[i] : eos;
                for (std::size_t c = 0; c < n; ++c) pairs[c].emplace_back(pack(hist, c), y);
                hist[0] = hist[1];
                hist[1] = hist[2];
                hist[2] = y;
            }
        }
        levels_.assign(n, level{});
        std::vector<std::pair<std::uint32_t, double>> entries;
        std::vector<double> w;
        for (std::size_t c = 0; c < n; ++c) {
            auto& p = pairs[c];
            std::sort(p.begin(), p.end());
            level& lv = levels_[c];
            lv.offsets.push_back(0);
            std::size_t i = 0;
            // The empty context with smoothing: every id and the end marker get alpha.
            if (c == 0 && opt_.smoothing > 0.0) {
                std::vector<double> counts(v_ + 2, opt_.smoothing);
                counts[bos] = 0.0;
                for (const auto& e : p) counts[e.second] += 1.0;
                entries.clear();
                for (std::uint32_t t = 0; t < counts.size(); ++t) {
                    if (counts[t] > 0.0) entries.emplace_back(t, counts[t]);
                }
                add_context(lv, 0, entries, w);
                continue;
            }
            while (i < p.size()) {
                const std::uint64_t key = p[i].first;
                entries.clear();
                while (i < p.size() && p[i].first == key) {
                    const std::uint32_t y = p[i].second;
                    std::size_t cnt = 0;
                    while (i < p.size() && p[i].first == key && p[i].second == y) ++cnt, ++i;
                    entries.emplace_back(y, static_cast<double>(cnt));
                }
                add_context(lv, key, entries, w);
            }
            std::vector<std::pair<std::uint64_t, std::uint32_t>>().swap(p);  // free early
        }
    }

    // Appends n documents, each started from begin markers and ended by a drawn end
    // marker or by max_length. Throws if the model was never fitted.
    void sample(std::size_t n, rng& g, std::vector<std::vector<std::uint32_t>>& out) const {
        require(!levels_.empty(), "ngram_lm::sample", "the model has not been fitted");
        const auto bos = static_cast<std::uint32_t>(v_), eos = static_cast<std::uint32_t>(v_ + 1);
        const std::size_t order = opt_.order;
        out.reserve(out.size() + n);
        for (std::size_t d = 0; d < n; ++d) {
            std::vector<std::uint32_t> doc;
            std::uint32_t hist[3] = {bos, bos, bos};
            while (doc.size() < opt_.max_length) {
                std::uint32_t y = eos;
                for (std::size_t c = order; c-- > 0;) {
                    const level& lv = levels_[c];
                    const std::uint64_t key = pack(hist, c);
                    const auto it = std::lower_bound(lv.keys.begin(), lv.keys.end(), key);
                    if (it == lv.keys.end() || *it != key) continue;
                    const auto k = static_cast<std::size_t>(it - lv.keys.begin());
                    const auto first = lv.cum.begin() + static_cast<std::ptrdiff_t>(lv.offsets[k]);
                    const auto last = lv.cum.begin() + static_cast<std::ptrdiff_t>(lv.offsets[k + 1]);
                    const double u = g.uniform() * *(last - 1);
                    auto pos = std::upper_bound(first, last, u);
                    if (pos == last) --pos;  // u < total always; guards rounding only
                    y = lv.next[static_cast<std::size_t>(pos - lv.cum.begin())];
                    break;
                }
                if (y == eos) break;
                doc.push_back(y);
                hist[0] = hist[1];
                hist[1] = hist[2];
                hist[2] = y;
            }
            out.push_back(std::move(doc));
        }
    }

    std::size_t vocabulary() const noexcept { return v_; }
    const ngram_lm_options& options() const noexcept { return opt_; }
    // Number of distinct contexts of length c seen in training (c < order).
    std::size_t contexts(std::size_t c) const noexcept { return c < levels_.size() ? levels_[c].keys.size() : 0; }
    // Number of vocabulary ids the model can still write (positive probability in the
    // empty context after the sampling controls), a direct measure of lost words.
    std::size_t live_vocabulary() const noexcept {
        if (levels_.empty()) return 0;
        std::size_t k = 0;
        for (std::uint32_t t : levels_[0].next) k += t < v_ ? 1 : 0;
        return k;
    }

private:
    struct level {
        std::vector<std::uint64_t> keys;   // sorted contexts
        std::vector<std::size_t> offsets;  // keys.size() + 1
        std::vector<std::uint32_t> next;   // kept next tokens, most probable first
        std::vector<double> cum;           // cumulative transformed weights per context
    };

    // The last c tokens of the history (hist[2] the most recent), 20 bits each.
    static std::uint64_t pack(const std::uint32_t* hist, std::size_t c) noexcept {
        std::uint64_t key = 0;
        for (std::size_t j = 3 - c; j < 3; ++j) key = (key << 20) | hist[j];
        return key;
    }

    void add_context(level& lv, std::uint64_t key, std::vector<std::pair<std::uint32_t, double>>& entries,
                     std::vector<double>& w) const {
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.second > b.second; });
        w.resize(entries.size());
        for (std::size_t j = 0; j < entries.size(); ++j) w[j] = entries[j].second;
        const std::size_t keep =
            opt_.controls.is_identity() ? w.size() : detail::apply_controls_sorted(w, opt_.controls);
        double c = 0.0;
        for (std::size_t j = 0; j < keep; ++j) {
            c += w[j];
            lv.next.push_back(entries[j].first);
            lv.cum.push_back(c);
        }
        lv.keys.push_back(key);
        lv.offsets.push_back(lv.next.size());
    }

    std::size_t v_;
    ngram_lm_options opt_;
    std::vector<level> levels_;
};

}  // namespace feedback
}  // namespace collapsekit
