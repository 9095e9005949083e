// An n-gram Markov language model over token ids, with backoff and the sampling controls
// of controls.hpp: the smallest model that writes text, and that loses rare words and
// rare phrases when trained on its own output.
//
// A sample is one document (a std::vector<std::uint32_t> of ids below the vocabulary
// size). Documents are padded with (order - 1) begin-of-document markers and closed by an
// end-of-document marker, so the model learns how documents start and how long they are.
//
// How it keeps up with corpora of millions of tokens (the feedback loop refits it every
// generation):
//  - fit packs every position into one integer key, the context read backwards (the
//    previous token in the top bits, then the one before, ...) followed by the next
//    token, and radix-sorts the keys once (sort.hpp). The contexts of every length are
//    then nested runs of the sorted keys: the keys sharing their top c tokens are the
//    occurrences of one context of length c. One sequential pass counts the next tokens
//    of every context of every length: by runs for the longest contexts, whose next
//    tokens arrive sorted, and through a per-token marker array for the shorter ones.
//  - The controls (temperature, top-k, top-p) are applied once per context at fit time,
//    and each context's kept distribution becomes an alias table (Walker's method, Vose's
//    construction, in integers): a draw costs one 64-bit random number and one table
//    read, whatever the number of outcomes. A context with one outcome draws nothing.
//  - Sampling finds a context of one token in a dense array and a longer one by one probe
//    of a flat hash table (ngram/flat_hash.hpp) keyed by the packed context, built once
//    per fit. It runs several documents side by side, so that the cache misses of their
//    lookups overlap instead of queueing.
//
// Determinism: the same seed gives the same documents on every platform and for every
// thread count (weights become integers through single IEEE operations, which no
// compiler fuses or reorders; everything after is integer arithmetic; the documents are
// drawn in fixed chunks with one random stream each). The documents drawn for a seed
// differ from those of the model before issue 16, which searched cumulative sums one
// document at a time: the distribution of every next token is the same (to 2^-41 of an
// alias slot), the random numbers are spent differently.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "../../core/errors.hpp"
#include "../../core/parallel.hpp"
#include "../../core/random.hpp"
#include "../../core/view.hpp"
#include "../../ngram/flat_hash.hpp"
#include "../../sort.hpp"
#include "controls.hpp"

namespace collapsekit {
namespace feedback {

// order: n in 1..4 (contexts of n - 1 tokens);
// smoothing: alpha >= 0 added to the count of every vocabulary id and of the end marker
//   in the unigram (empty-context) distribution, so that with alpha > 0 every word can
//   still be written;
// controls: temperature, top-k, top-p, applied to each context's next-token distribution;
// max_length: a sampled document that has not ended after this many tokens is cut there;
// threads: threads for fit's sort and for sample (0: every core; see core/parallel.hpp).
//   The model and the documents drawn are the same for every count. One thread by default:
//   the feedback driver already runs replicates side by side.
struct ngram_lm_options {
    std::size_t order = 3;
    double smoothing = 0.0;
    sampling_controls controls{};
    std::size_t max_length = 256;
    std::size_t threads = 1;
};

namespace detail {

// One slot of an alias table: the slot, chosen uniformly, gives `own` with probability
// threshold / 2^64 and `other` otherwise.
struct alias_slot {
    std::uint64_t threshold;
    std::uint32_t own;
    std::uint32_t other;
};

// Working arrays of append_alias_table, grown to the largest table built.
struct alias_scratch {
    std::vector<std::uint64_t> q;
    std::vector<std::uint32_t> small, large;
    void reserve(std::size_t k) {
        if (q.size() < k) {
            q.resize(k);
            small.resize(k);
            large.resize(k);
        }
    }
};

// Writes to out[0, k) the alias table of k >= 2 outcomes tokens[i] with weights w[i] >= 0
// (positive sum). The weights are first rounded to integers that sum to exactly k * 2^m
// (each slot holds 2^m), with 2^m as large as k allows (m >= 41): probabilities are kept
// to about 2^-m of a slot, and Vose's pairing, done in integers, leaves no rounding residue
// and gives the same table on every machine. (core/random.hpp's categorical_distribution
// holds three heap vectors per table: too much for millions of contexts.)
template <class W>
void append_alias_table(const std::uint32_t* tokens, const W* w, std::size_t k, alias_scratch& s, alias_slot* out) {
    s.reserve(k);
    std::uint64_t* q = s.q.data();
    std::uint32_t* small = s.small.data();
    std::uint32_t* large = s.large.data();
    unsigned width = 1;
    while ((std::uint64_t{1} << width) <= k) ++width;  // k < 2^width <= 2^22
    const unsigned m = 63 - width;
    const std::uint64_t cap = std::uint64_t{1} << m;
    const std::uint64_t total = static_cast<std::uint64_t>(k) << m;
    const double target = static_cast<double>(total);  // exact: k has at most 22 bits
    double sum = 0.0, largest = 0.0;
    for (std::size_t i = 0; i < k; ++i) {
        sum += static_cast<double>(w[i]);
        largest = std::max(largest, static_cast<double>(w[i]));
    }
    double scale = target / sum, norm = 1.0;
    if (!std::isfinite(sum) || !std::isfinite(scale)) {
        // Weights near the ends of the double range (never counts): scale by the largest first.
        norm = largest;
        double rel = 0.0;
        for (std::size_t i = 0; i < k; ++i) rel += static_cast<double>(w[i]) / norm;
        scale = target / rel;
    }
    std::uint64_t assigned = 0, biggest = 0;
    std::size_t big = 0;
    for (std::size_t i = 0; i < k; ++i) {
        const double x = norm == 1.0 ? static_cast<double>(w[i]) * scale : static_cast<double>(w[i]) / norm * scale;
        const std::uint64_t qi = x >= target ? total : x > 0.0 ? static_cast<std::uint64_t>(x) : 0;
        q[i] = qi;
        assigned += qi;
        // The running maximum in a register: reading q[big] back made each step wait for
        // the previous one's load.
        if (qi > biggest) {
            biggest = qi;
            big = i;
        }
    }
    // The rounding error (a few units in 2^m per outcome) goes to the most probable outcome.
    if (assigned > total) {
        q[big] -= assigned - total;
    } else {
        q[big] += total - assigned;
    }
    std::size_t ns = 0, nl = 0;
    for (std::size_t i = 0; i < k; ++i) {
        // Both lists written, one advanced: no branch to mispredict on random weights.
        const bool is_small = q[i] < cap;
        small[ns] = large[nl] = static_cast<std::uint32_t>(i);
        ns += is_small ? 1 : 0;
        nl += is_small ? 0 : 1;
    }
    // Each step fills one slot and keeps sum(q) = (slots left) * cap, so when the small
    // list runs out every large one holds exactly cap.
    while (ns > 0 && nl > 0) {
        const std::uint32_t a = small[--ns];
        const std::uint32_t b = large[nl - 1];
        out[a] = {q[a] << (64 - m), tokens[a], tokens[b]};
        q[b] -= cap - q[a];
        if (q[b] < cap) {
            --nl;
            small[ns++] = b;
        }
    }
    while (ns > 0) {
        const std::uint32_t a = small[--ns];
        out[a] = {~std::uint64_t{0}, tokens[a], tokens[a]};
    }
    while (nl > 0) {
        const std::uint32_t b = large[--nl];
        out[b] = {~std::uint64_t{0}, tokens[b], tokens[b]};
    }
}

}  // namespace detail

// Backoff rule: the next token is drawn from the longest context (the last n - 1, then
// n - 2, ... tokens, begin markers included) that occurred in the training data, using
// that context's counts (maximum likelihood, "stupid" backoff without discounting);
// the empty context always exists after a fit.
class ngram_lm {
public:
    using sample_type = std::vector<std::uint32_t>;

    // Ids are 0..vocabulary-1, with vocabulary at most 2^20 - 2 (two ids are reserved for
    // the markers, and contexts are packed at most 20 bits per token).
    explicit ngram_lm(std::size_t vocabulary, ngram_lm_options options = {}) : v_(vocabulary), opt_(options) {
        constexpr const char* fn = "ngram_lm";
        require(vocabulary >= 1 && vocabulary <= (std::size_t{1} << 20) - 2, fn,
                "vocabulary must lie in 1..2^20 - 2 (got " + std::to_string(vocabulary) + ")");
        require(opt_.order >= 1 && opt_.order <= 4, fn,
                "order must lie in 1..4 (got " + std::to_string(opt_.order) + ")");
        require_non_negative(fn, "smoothing", opt_.smoothing);
        require(opt_.max_length >= 1, fn, "max_length must be at least 1");
        opt_.controls.validate(fn);
        while ((std::uint64_t{1} << bits_) <= v_ + 1) ++bits_;  // the end marker v + 1 is the largest id
    }

    // Counts every context of length 0..order-1 and its next tokens. Throws
    // std::invalid_argument for an id >= vocabulary, when there is nothing to fit (no
    // documents and no smoothing), or for 2^32 - 1 or more tokens and end markers in all.
    void fit(view<const std::vector<std::uint32_t>> docs, rng& /*unused*/) {
        constexpr const char* fn = "ngram_lm::fit";
        if (docs.empty() && opt_.smoothing == 0.0) fail(fn, "no documents to fit and no smoothing");
        std::size_t total = 0;
        for (std::size_t d = 0; d < docs.size(); ++d) total += docs[d].size() + 1;
        require(
            total <= max_positions, fn,
            "the documents hold " + std::to_string(total) + " tokens and end markers; at most 2^32 - 2 are supported");
        if (wide()) {
            fit_sorted<key128>(docs, total);
        } else {
            fit_sorted<std::uint64_t>(docs, total);
        }
        fitted_ = true;
    }

    // Appends n documents, each started from begin markers and ended by a drawn end
    // marker or by max_length. Throws if the model was never fitted.
    void sample(std::size_t n, rng& g, std::vector<std::vector<std::uint32_t>>& out) const {
        require(fitted_, "ngram_lm::sample", "the model has not been fitted");
        if (wide()) {
            sample_documents<key128>(n, g, out);
        } else {
            sample_documents<std::uint64_t>(n, g, out);
        }
    }

    std::size_t vocabulary() const noexcept { return v_; }
    const ngram_lm_options& options() const noexcept { return opt_; }
    // Number of distinct contexts of length c seen in training (c < order).
    std::size_t contexts(std::size_t c) const noexcept { return c < opt_.order ? contexts_[c] : 0; }
    // Number of vocabulary ids the model can still write (positive probability in the
    // empty context after the sampling controls), a direct measure of lost words.
    std::size_t live_vocabulary() const noexcept { return fitted_ ? live_ : 0; }

    // The distribution the next token is drawn from after `prefix` (the document so far,
    // padded on the left with begin markers), after backoff and the controls, as read back
    // from the sampling tables: (token, probability) pairs by increasing token, the end
    // marker written as vocabulary(). Throws if the model was never fitted or for an id
    // >= vocabulary in prefix.
    std::vector<std::pair<std::uint32_t, double>> next_distribution(view<const std::uint32_t> prefix) const {
        constexpr const char* fn = "ngram_lm::next_distribution";
        require(fitted_, fn, "the model has not been fitted");
        for (std::size_t i = 0; i < prefix.size(); ++i) {
            require(prefix[i] < v_, fn,
                    "prefix[" + std::to_string(i) + "] = " + std::to_string(prefix[i]) +
                        " is not below the vocabulary size " + std::to_string(v_));
        }
        const std::uint64_t d = wide() ? descriptor_after<key128>(prefix) : descriptor_after<std::uint64_t>(prefix);
        const auto eos = static_cast<std::uint32_t>(v_ + 1);
        std::vector<std::pair<std::uint32_t, double>> out;
        const std::uint64_t k = d & count_mask, at = d >> count_bits;
        if (k == 1) {
            out.emplace_back(static_cast<std::uint32_t>(at), 1.0);
        } else {
            for (std::uint64_t j = 0; j < k; ++j) {
                const detail::alias_slot& s = slots_[static_cast<std::size_t>(at + j)];
                const double own =
                    s.threshold == ~std::uint64_t{0} ? 1.0 : static_cast<double>(s.threshold) * 0x1.0p-64;
                out.emplace_back(s.own, own / static_cast<double>(k));
                out.emplace_back(s.other, (1.0 - own) / static_cast<double>(k));
            }
            std::sort(out.begin(), out.end());
            std::size_t w = 0;
            for (std::size_t i = 0; i < out.size(); ++i) {
                if (w > 0 && out[w - 1].first == out[i].first) {
                    out[w - 1].second += out[i].second;
                } else {
                    out[w++] = out[i];
                }
            }
            out.resize(w);
            out.erase(std::remove_if(out.begin(), out.end(), [](const auto& e) { return !(e.second > 0.0); }),
                      out.end());
        }
        for (auto& e : out) {
            if (e.first == eos) e.first = static_cast<std::uint32_t>(v_);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

private:
    template <class K>
    std::uint64_t descriptor_after(view<const std::uint32_t> prefix) const noexcept {
        const std::size_t top = opt_.order - 1;
        const K mask = low_bits<K>(static_cast<unsigned>(top * bits_));
        K hist = begin_key<K>(top);
        for (std::size_t i = 0; i < prefix.size(); ++i) hist = static_cast<K>(((hist << bits_) | K{prefix[i]}) & mask);
        return find_context<K>(hist, collapsekit::detail::hash_key(hist));
    }

    using key128 = collapsekit::detail::uint128;

    // Counts and positions are 32-bit.
    static constexpr std::size_t max_positions = (std::size_t{1} << 32) - 2;
    // A context's descriptor: (payload << count_bits) | k for its k >= 1 outcomes, where
    // the payload is the token itself when k = 1 and the offset of its alias table
    // otherwise (below 2^35: at most order * 2^32 slots); 0 means no context. In the
    // lookup tables the top 8 bits hold the stamp of the fit that stored it (see refill).
    static constexpr unsigned count_bits = 21;
    static constexpr std::uint64_t count_mask = (std::uint64_t{1} << count_bits) - 1;
    static constexpr unsigned stamp_shift = 56;
    // Documents sampled side by side: enough cache misses in flight to cover the memory's
    // latency.
    static constexpr std::size_t lanes = 64;
    // Documents per random-number stream in sample (part of the output's definition).
    static constexpr std::size_t sample_chunk = 4096;

    // Big arrays live in whole 2 MiB pages (detail::allocate_big): the first fit faults in
    // 512 times fewer pages.
    template <class T>
    using big_vector = std::vector<T, collapsekit::detail::table_allocator<T>>;

    // Working memory of fit, kept from one fit to the next: the feedback loop refits every
    // generation, and on these machines faulting in fresh pages costs about as much as
    // the counting. A copy of the model starts without it.
    struct fit_memory {
        big_vector<double> keys;  // 64-bit keys, held as the bit patterns of doubles for sort.hpp
        collapsekit::detail::sort_scratch<double> scratch;
        big_vector<key128> wide_keys;
        std::vector<std::uint32_t> unigrams;  // counts by token
        std::vector<std::uint64_t> marks;     // by token: (block stamp << 32) | index in tokens
        std::uint32_t stamp = 0;
        std::vector<std::uint32_t> next, counts;  // one context's next tokens, as counted
        std::vector<std::uint32_t> tokens;        // and as ranked or weighted for the controls
        std::vector<double> weights;
        std::vector<std::pair<double, std::uint32_t>> ranked;
        // Contexts of c = 2 and 3 tokens: (packed context, descriptor), by c - 2.
        std::array<big_vector<std::pair<std::uint64_t, std::uint64_t>>, 2> found64;
        std::array<big_vector<std::pair<key128, std::uint64_t>>, 2> found128;
        detail::alias_scratch alias;

        fit_memory() = default;
        fit_memory(const fit_memory&) {}
        fit_memory& operator=(const fit_memory&) { return *this; }
    };

    // 128-bit keys when order tokens do not fit 63 bits (the 64-bit keys are sorted as
    // non-negative doubles).
    bool wide() const noexcept { return opt_.order * bits_ > 63; }

    template <class K>
    static K low_bits(unsigned n) noexcept {
        return n >= sizeof(K) * 8 ? ~K{0} : static_cast<K>((K{1} << n) - 1);
    }
    // c begin markers, packed.
    template <class K>
    K begin_key(std::size_t c) const noexcept {
        K k = 0;
        for (std::size_t i = 0; i < c; ++i) k = static_cast<K>((k << bits_) | K{v_});
        return k;
    }

    template <class K>
    big_vector<std::pair<K, std::uint64_t>>& found(std::size_t c) noexcept {
        if constexpr (sizeof(K) == 8) {
            return mem_.found64.at(c - 2);
        } else {
            return mem_.found128.at(c - 2);
        }
    }

    template <class K>
    std::vector<collapsekit::detail::flat_map<K, std::uint64_t>>& maps() noexcept {
        if constexpr (sizeof(K) == 8) {
            return maps64_;
        } else {
            return maps128_;
        }
    }
    template <class K>
    const std::vector<collapsekit::detail::flat_map<K, std::uint64_t>>& maps() const noexcept {
        if constexpr (sizeof(K) == 8) {
            return maps64_;
        } else {
            return maps128_;
        }
    }

    // Checks the ids and writes one key per position (tokens and end markers): the
    // previous order - 1 tokens, the latest in the top bits, then the next token. The
    // documents are read once; the model changes only after every id has been checked.
    template <class K>
    void fit_sorted(view<const std::vector<std::uint32_t>> docs, std::size_t total) {
        constexpr const char* fn = "ngram_lm::fit";
        fit_memory& m = mem_;
        const unsigned b = bits_;
        const std::size_t top = opt_.order - 1;
        const auto eos = static_cast<std::uint32_t>(v_ + 1);
        const unsigned newest = top >= 1 ? static_cast<unsigned>((top - 1) * b) : 0;
        const K start = begin_key<K>(top);
        m.unigrams.assign(v_ + 2, 0);
        unsigned char* out;
        if constexpr (sizeof(K) == 8) {
            m.keys.resize(total);
            out = reinterpret_cast<unsigned char*>(m.keys.data());
        } else {
            m.wide_keys.resize(total);
            out = reinterpret_cast<unsigned char*>(m.wide_keys.data());
        }
        std::size_t pos = 0;
        for (std::size_t d = 0; d < docs.size(); ++d) {
            const std::uint32_t* doc = docs[d].data();
            const std::size_t len = docs[d].size();
            std::uint32_t high = 0;
            for (std::size_t i = 0; i < len; ++i) high = std::max(high, doc[i]);
            if (high >= v_) {
                std::size_t i = 0;
                while (doc[i] < v_) ++i;
                fail(fn, "docs[" + std::to_string(d) + "][" + std::to_string(i) + "] = " + std::to_string(doc[i]) +
                             " is not below the vocabulary size " + std::to_string(v_));
            }
            K context = start;
            for (std::size_t i = 0; i <= len; ++i, ++pos) {
                const std::uint32_t y = i < len ? doc[i] : eos;
                const K key = static_cast<K>((context << b) | K{y});
                std::memcpy(out + pos * sizeof(K), &key, sizeof(K));
                ++m.unigrams[y];
                if (top > 0) context = static_cast<K>((K{y} << newest) | (context >> b));
            }
        }

        fitted_ = false;
        slots_used_ = 0;
        contexts_.fill(0);
        dense_.clear();
        fit_unigrams();
        if (top == 0) return;
        const unsigned char* sorted;
        if constexpr (sizeof(K) == 8) {
            sorted = reinterpret_cast<const unsigned char*>(m.keys.data());
            if (total >= collapsekit::detail::radix_sort_threshold) {
                // Keys stay below 2^63 (see wide()): the radix passes, which look at bits only,
                // order them as non-negative doubles, which is the keys' order.
                sorted = reinterpret_cast<const unsigned char*>(collapsekit::detail::sort_items_with(
                    execution{opt_.threads}, view<double>(m.keys.data(), total), m.scratch));
            } else if (total > 1) {
                // sort_items_with compares small inputs as doubles, and most keys are
                // subnormal, which a flush-to-zero mode (-ffast-math) would equate.
                std::vector<std::uint64_t> k(total);
                std::memcpy(k.data(), m.keys.data(), total * sizeof(K));
                std::sort(k.begin(), k.end());
                std::memcpy(m.keys.data(), k.data(), total * sizeof(K));
            }
        } else {
            std::sort(m.wide_keys.begin(), m.wide_keys.end());
            sorted = reinterpret_cast<const unsigned char*>(m.wide_keys.data());
        }
        dense_.assign(v_ + 1, 0);  // by the previous token, v_ for the begin marker
        if (m.marks.size() != v_ + 2) m.marks.assign(v_ + 2, 0);
        m.next.resize(v_ + 2);
        m.counts.resize(v_ + 2);
        // Room for every table and context the counts can produce, reserved once: growing by
        // doubling would fault in fresh pages for each copy. Pages never touched cost nothing.
        slots_.reserve(total * top + v_ + 2);
        for (std::size_t c = 2; c <= top; ++c) {
            found<K>(c).clear();
            found<K>(c).reserve(total);
        }
        scan_level<K>(sorted, 1, 0, total);
        auto& ms = maps<K>();
        ms.resize(top - 1);
        if (++stamp_ == 256) {
            // Stamps 1..255 have all been used: clear them once in 255 fits.
            for (auto& map : ms) map.for_each_mutable([](const K&, std::uint64_t& d) { d = 0; });
            stamp_ = 1;
        }
        for (std::size_t c = 2; c <= top; ++c) {
            contexts_[c] = found<K>(c).size();
            refill(ms[c - 2], found<K>(c));
        }
    }

    template <class K>
    static K key_at(const unsigned char* keys, std::size_t i) noexcept {
        K k;
        std::memcpy(&k, keys + i * sizeof(K), sizeof(K));
        return k;
    }

    // The sorted keys [b0, e0) share their top c - 1 context tokens; each run sharing the
    // top c is one context of length c. Its next tokens are counted (by runs at the
    // longest length, where they come sorted; through marks otherwise), its descriptor
    // stored, and its keys split one length further.
    template <class K>
    void scan_level(const unsigned char* keys, std::size_t c, std::size_t b0, std::size_t e0) {
        fit_memory& m = mem_;
        const std::size_t top = opt_.order - 1;
        const unsigned b = bits_;
        const auto shift = static_cast<unsigned>(b * (top + 1 - c));
        const auto field = static_cast<std::uint32_t>(low_bits<std::uint64_t>(b));
        std::size_t i = b0;
        while (i < e0) {
            const K id = static_cast<K>(key_at<K>(keys, i) >> shift);
            std::uint32_t* next = m.next.data();
            std::uint32_t* counts = m.counts.data();
            std::size_t k = 0;
            std::size_t j = i;
            if (c == top) {
                // The next tokens come sorted: count runs.
                std::uint32_t last = ~std::uint32_t{0};
                for (; j < e0; ++j) {
                    const K key = key_at<K>(keys, j);
                    if (static_cast<K>(key >> shift) != id) break;
                    const auto y = static_cast<std::uint32_t>(key) & field;
                    if (y == last) {
                        ++counts[k - 1];
                    } else {
                        next[k] = last = y;
                        counts[k++] = 1;
                    }
                }
            } else {
                if (++m.stamp == 0) {
                    std::fill(m.marks.begin(), m.marks.end(), 0);
                    m.stamp = 1;
                }
                const std::uint64_t s = std::uint64_t{m.stamp} << 32;
                std::uint64_t* marks = m.marks.data();
                for (; j < e0; ++j) {
                    const K key = key_at<K>(keys, j);
                    if (static_cast<K>(key >> shift) != id) break;
                    const auto y = static_cast<std::uint32_t>(key) & field;
                    const std::uint64_t mk = marks[y];
                    if ((mk >> 32) == m.stamp) {
                        ++counts[mk & 0xFFFFFFFF];
                    } else {
                        marks[y] = s | k;
                        next[k] = y;
                        counts[k++] = 1;
                    }
                }
            }
            const std::uint64_t desc = add_context(next, counts, k).descriptor;
            if (c == 1) {
                dense_[static_cast<std::size_t>(id)] = desc;
                ++contexts_[1];
            } else {
                // The context's tokens, latest first in id; the sampler packs them oldest first.
                K packed = 0;
                for (std::size_t t = 0; t < c; ++t) packed = static_cast<K>((packed << b) | ((id >> (t * b)) & field));
                found<K>(c).emplace_back(packed, desc);
            }
            if (c < top) scan_level<K>(keys, c + 1, i, j);
            i = j;
        }
    }

    // Fills the lookup table of the contexts of one length, a block at a time with the
    // slots prefetched. The previous fit's table is reused (a fresh table costs its pages
    // again on every fit): its entries carry an older stamp and read as absent, with no
    // pass to remove them. It starts afresh when the stale contexts would outnumber the
    // live ones.
    template <class K>
    void refill(collapsekit::detail::flat_map<K, std::uint64_t>& map,
                const big_vector<std::pair<K, std::uint64_t>>& found) {
        if (map.size() == 0 || map.size() > 2 * found.size()) {
            map = collapsekit::detail::flat_map<K, std::uint64_t>(found.size());
        }
        const std::uint64_t stamp = stamp_ << stamp_shift;
        constexpr std::size_t block = 32;
        std::uint64_t h[block];
        for (std::size_t s = 0; s < found.size(); s += block) {
            const std::size_t len = std::min(block, found.size() - s);
            for (std::size_t j = 0; j < len; ++j) {
                h[j] = collapsekit::detail::hash_key(found[s + j].first);
                map.prefetch(h[j]);
            }
            for (std::size_t j = 0; j < len; ++j) {
                map.at_hashed(found[s + j].first, h[j]) = found[s + j].second | stamp;
            }
        }
    }

    // The empty context: token counts (plus smoothing) over every position.
    void fit_unigrams() {
        fit_memory& m = mem_;
        m.tokens.clear();
        m.weights.clear();
        const double alpha = opt_.smoothing;
        for (std::size_t t = 0; t < v_ + 2; ++t) {
            if (t == v_) continue;  // the begin marker is never written
            const double c = static_cast<double>(m.unigrams[t]) + alpha;
            if (c > 0.0) {
                m.tokens.push_back(static_cast<std::uint32_t>(t));
                m.weights.push_back(c);
            }
        }
        const kept k = add_context(m.tokens.data(), m.weights.data(), m.tokens.size());
        root_ = k.descriptor;
        live_ = 0;
        for (std::size_t i = 0; i < k.count; ++i) live_ += k.tokens[i] < v_ ? 1 : 0;
        contexts_[0] = 1;
    }

    struct kept {
        std::uint64_t descriptor;
        const std::uint32_t* tokens;  // the outcomes kept by the controls
        std::size_t count;
    };

    // The descriptor of a context with k >= 1 outcomes (weights > 0, any order), after
    // the controls; its alias table is appended to slots_.
    template <class W>
    kept add_context(const std::uint32_t* tokens, const W* w, std::size_t k) {
        if (!opt_.controls.is_identity() && k > 1) {
            // The order the controls expect: most probable first, ties to the lower id.
            fit_memory& m = mem_;
            m.ranked.clear();
            for (std::size_t i = 0; i < k; ++i) m.ranked.emplace_back(static_cast<double>(w[i]), tokens[i]);
            std::sort(m.ranked.begin(), m.ranked.end(), [](const auto& a, const auto& b) {
                return a.first > b.first || (a.first == b.first && a.second < b.second);
            });
            m.weights.resize(k);
            m.tokens.resize(k);
            for (std::size_t i = 0; i < k; ++i) {
                m.weights[i] = m.ranked[i].first;
                m.tokens[i] = m.ranked[i].second;
            }
            const std::size_t keep = std::max<std::size_t>(1, detail::apply_controls_sorted(m.weights, opt_.controls));
            return {descriptor(m.tokens.data(), m.weights.data(), keep), m.tokens.data(), keep};
        }
        return {descriptor(tokens, w, k), tokens, k};
    }

    template <class W>
    std::uint64_t descriptor(const std::uint32_t* tokens, const W* w, std::size_t k) {
        if (k == 1) return (std::uint64_t{tokens[0]} << count_bits) | 1;
        const std::size_t at = slots_used_;
        // Grown by hand and never shrunk: a resize per context would cost a call each.
        if (slots_.size() < at + k) slots_.resize(std::max(at + k, 2 * slots_.size()));
        detail::append_alias_table(tokens, w, k, mem_.alias, slots_.data() + at);
        slots_used_ = at + k;
        return (static_cast<std::uint64_t>(at) << count_bits) | k;
    }

    // The descriptor of the longest seen context of `hist` (the last order - 1 tokens),
    // whose hash h the caller computed when order >= 3.
    template <class K>
    std::uint64_t find_context(K hist, std::uint64_t h) const noexcept {
        const auto& ms = maps<K>();
        const std::size_t top = opt_.order - 1;
        std::uint64_t d = 0;
        auto current = [this](const std::uint64_t* p) {
            return p != nullptr && (*p >> stamp_shift) == stamp_ ? *p & low_bits<std::uint64_t>(stamp_shift) : 0;
        };
        if (top >= 2) {
            d = current(ms[top - 2].find_hashed(hist, h));
            for (std::size_t c = top - 1; d == 0 && c >= 2; --c) {
                d = current(ms[c - 2].find(static_cast<K>(hist & low_bits<K>(unsigned(c * bits_)))));
            }
        }
        if (d == 0 && top >= 1) d = dense_[static_cast<std::size_t>(hist & low_bits<K>(bits_))];
        return d == 0 ? root_ : d;
    }

    // The documents are cut into chunks of sample_chunk, chunk i drawn with
    // rng::for_stream(s, i) for one number s taken from g: the documents depend on the
    // seed only, whatever the number of threads that share the chunks.
    template <class K>
    void sample_documents(std::size_t n, rng& g, std::vector<std::vector<std::uint32_t>>& out) const {
        const std::size_t base = out.size();
        out.resize(base + n);
        const std::uint64_t s = g();
        collapsekit::detail::parallel_for(
            execution{opt_.threads}, collapsekit::detail::chunk_count(n, sample_chunk), [&](std::size_t i) {
                rng r = rng::for_stream(s, i);
                const std::size_t first = i * sample_chunk;
                sample_range<K>(std::min(sample_chunk, n - first), r, out.data() + base + first);
            });
    }

    // Writes n documents to out[0, n). They go to `lanes` lanes in turn; each round every
    // lane looks up its context (all hashes first, with prefetches, then all probes),
    // draws, and appends one token. Lanes draw their random numbers in lane order.
    template <class K>
    void sample_range(std::size_t n, rng& g, std::vector<std::uint32_t>* out) const {
        struct lane {
            K hist = 0;
            std::uint64_t h = 0;
            std::uint64_t coin = 0;
            std::size_t slot = 0;  // npos: the token is known
            std::uint32_t token = 0;
            std::size_t doc = 0;
            std::vector<std::uint32_t> text;
        };
        constexpr std::size_t npos = ~std::size_t{0};
        const std::size_t top = opt_.order - 1;
        const auto& ms = maps<K>();
        const K hist_mask = low_bits<K>(static_cast<unsigned>(top * bits_));
        const K start = begin_key<K>(top);
        const auto eos = static_cast<std::uint32_t>(v_ + 1);
        std::vector<lane> ln(std::min(n, lanes));
        std::size_t next_doc = 0, active = ln.size();
        for (auto& l : ln) {
            l.hist = start;
            l.doc = next_doc++;
            l.text.reserve(std::min<std::size_t>(opt_.max_length, 256));
        }
        const detail::alias_slot* slots = slots_.data();
        while (active > 0) {
            if (top >= 2) {
                for (std::size_t i = 0; i < active; ++i) {
                    ln[i].h = collapsekit::detail::hash_key(ln[i].hist);
                    ms[top - 2].prefetch(ln[i].h);
                }
            }
            for (std::size_t i = 0; i < active; ++i) {
                lane& l = ln[i];
                const std::uint64_t d = find_context<K>(l.hist, l.h);
                const std::uint64_t k = d & count_mask;
                if (k == 1) {
                    l.slot = npos;
                    l.token = static_cast<std::uint32_t>(d >> count_bits);
                } else {
                    // One 64-bit number serves both choices: the high word of r * k is a
                    // uniform slot, the low word a uniform coin within it.
                    const auto r = static_cast<collapsekit::detail::uint128>(g()) * k;
                    l.slot = static_cast<std::size_t>((d >> count_bits) + static_cast<std::uint64_t>(r >> 64));
                    l.coin = static_cast<std::uint64_t>(r);
                    collapsekit::detail::prefetch_for_write(slots + l.slot);
                }
            }
            for (std::size_t i = 0; i < active;) {
                lane& l = ln[i];
                std::uint32_t y = l.token;
                if (l.slot != npos) y = l.coin < slots[l.slot].threshold ? slots[l.slot].own : slots[l.slot].other;
                bool done = y == eos;
                if (!done) {
                    l.text.push_back(y);
                    l.hist = static_cast<K>(((l.hist << bits_) | K{y}) & hist_mask);
                    done = l.text.size() >= opt_.max_length;
                }
                if (!done) {
                    ++i;
                    continue;
                }
                out[l.doc].assign(l.text.begin(), l.text.end());
                l.text.clear();
                l.hist = start;
                if (next_doc < n) {
                    l.doc = next_doc++;
                    ++i;
                } else if (i != --active) {
                    std::swap(l, ln[active]);  // the last lane takes this place and is served next
                }
            }
        }
    }

    std::size_t v_;
    ngram_lm_options opt_;
    unsigned bits_ = 1;  // bits per packed token
    bool fitted_ = false;
    std::uint64_t root_ = 0;  // the empty context
    std::size_t live_ = 0;
    std::array<std::size_t, 4> contexts_{};
    std::vector<std::uint64_t> dense_;  // contexts of one token, by token (v_: the begin marker)
    // Contexts of c >= 2 tokens: maps*_[c - 2], packed context -> descriptor; 128-bit keys
    // when wide().
    std::vector<collapsekit::detail::flat_map<std::uint64_t, std::uint64_t>> maps64_;
    std::vector<collapsekit::detail::flat_map<key128, std::uint64_t>> maps128_;
    big_vector<detail::alias_slot> slots_;  // the alias tables, back to back: [0, slots_used_)
    std::size_t slots_used_ = 0;
    std::uint64_t stamp_ = 0;  // of the last fit, 1..255, in the lookup tables' entries
    fit_memory mem_;
};

}  // namespace feedback
}  // namespace collapsekit
