// distinct-n of two corpora compared at equal token budgets, with intervals.
//
// Why budgets: distinct-n (distinct n-grams / n-grams) falls as a corpus grows, so a
// larger corpus looks less diverse just for being larger. Comparing at the same number of
// tokens removes that bias. Why draws without replacement: a bootstrap resample with
// replacement repeats documents, and every repeat lowers distinct-n, so the replicates
// would sit below the estimate; drawing documents without replacement in a random order
// (a subsample) keeps each draw a real corpus of the budgeted size.
//
// A draw of one corpus: its documents in a uniformly random order (partial Fisher-Yates
// from rng::for_stream(seed ^ salt, draw), salts differing per corpus), read token by
// token until each budget is reached; the last document is cut at the budget, and only
// n-grams lying inside one document count. distinct-n at budget T is then
// #{distinct n-grams} / #{n-grams} among those T tokens. For each order and budget:
// the estimate is the mean over the draws, the interval is the percentile interval of
// the draws (level as in the options); for the difference (other - reference), of the
// per-draw differences (draw d of one corpus paired with draw d of the other, which are
// independent). Bit-identical for any thread count.
//
// Inputs: each corpus as token ids (any 32-bit values) and document offsets
// (offsets[0] = 0, non-decreasing, offsets.back() = number of tokens; corpus.hpp's layout).
// Errors (std::invalid_argument): bad offsets, an order outside 1..4, no budgets, budgets
// not strictly increasing or 0 or above either corpus' token count, draws < 2, a level
// outside (0, 1).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "bootstrap.hpp"
#include "core/errors.hpp"
#include "core/parallel.hpp"
#include "core/prefetch.hpp"
#include "core/random.hpp"
#include "core/view.hpp"

namespace collapsekit {

struct budget_distinct_options {
    std::vector<std::size_t> orders{1, 2, 3, 4};
    std::vector<std::uint64_t> budgets;  // token counts, strictly increasing
    std::size_t draws = 200;
    double level = 0.95;
    std::uint64_t seed = 0;
};

// Indexed [order index][budget index].
struct budget_distinct_result {
    std::vector<std::vector<interval_estimate>> reference, other, difference;
};

namespace detail {

// One corpus prepared for draws: per order, a dense id of the n-gram ending at each
// token position (positions too close to their document's start hold 0, never read),
// interleaved: id[p * orders + o]. A draw visits documents in a random order, so each
// document costs cache misses; one interleaved stream per document costs one, where an
// array per order cost one per order.
struct budget_corpus {
    std::vector<std::uint64_t> offsets;
    std::vector<std::uint32_t> id;        // [position][order]
    std::vector<std::uint32_t> distinct;  // per order: number of ids
    std::uint64_t tokens = 0;
};

template <class T, class U>
budget_corpus prepare_budget_corpus(const char* fn, const char* arg, view<const T> tokens, view<const U> offsets,
                                    const std::vector<std::size_t>& orders) {
    budget_corpus c;
    require(offsets.size() >= 2, fn, std::string(arg) + " must hold at least one document");
    c.offsets.resize(offsets.size());
    for (std::size_t i = 0; i < offsets.size(); ++i) c.offsets[i] = static_cast<std::uint64_t>(offsets[i]);
    require(c.offsets[0] == 0 && c.offsets.back() == tokens.size(), fn,
            std::string(arg) + " offsets must start at 0 and end at the number of tokens");
    for (std::size_t i = 1; i < c.offsets.size(); ++i) {
        require(c.offsets[i] >= c.offsets[i - 1], fn, std::string(arg) + " offsets must not decrease");
    }
    c.tokens = tokens.size();
    struct key {
        std::uint64_t hi, lo;
        std::uint32_t pos;
    };
    const std::size_t k = orders.size();
    c.id.assign(static_cast<std::size_t>(tokens.size()) * k, 0);
    for (std::size_t o = 0; o < k; ++o) {
        const std::size_t n = orders[o];
        std::vector<key> keys;
        keys.reserve(tokens.size());
        for (std::size_t d = 0; d + 1 < c.offsets.size(); ++d) {
            for (std::uint64_t p = c.offsets[d] + n - 1; p < c.offsets[d + 1]; ++p) {
                std::uint64_t w[4] = {0, 0, 0, 0};
                for (std::size_t t = 0; t < n; ++t) w[t] = static_cast<std::uint32_t>(tokens[p + 1 - n + t]);
                keys.push_back({(w[0] << 32) | w[1], (w[2] << 32) | w[3], static_cast<std::uint32_t>(p)});
            }
        }
        std::sort(keys.begin(), keys.end(), [](const key& a, const key& b) {
            return a.hi != b.hi ? a.hi < b.hi : a.lo != b.lo ? a.lo < b.lo : a.pos < b.pos;
        });
        std::uint32_t next = 0;
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (i > 0 && (keys[i].hi != keys[i - 1].hi || keys[i].lo != keys[i - 1].lo)) ++next;
            c.id[static_cast<std::size_t>(keys[i].pos) * k + o] = next;
        }
        c.distinct.push_back(keys.empty() ? 0 : next + 1);
    }
    return c;
}

// One draw: distinct-n per order and budget into out[order * budgets + budget].
// Seen n-grams are one bit each (cleared per draw): a million distinct n-grams take 128 KiB
// and stay in the L2 cache, where a 32-bit stamp per n-gram missed it on most lookups.
struct budget_scratch {
    std::vector<std::uint32_t> order;              // document permutation
    std::vector<std::vector<std::uint64_t>> seen;  // per order, one bit per n-gram id
};

inline void budget_draw(const budget_corpus& c, const std::vector<std::size_t>& orders,
                        const std::vector<std::uint64_t>& budgets, rng& g, budget_scratch& s, double* out) {
    const std::size_t docs = c.offsets.size() - 1, k = orders.size();
    s.order.resize(docs);
    for (std::size_t d = 0; d < docs; ++d) s.order[d] = static_cast<std::uint32_t>(d);
    s.seen.resize(k);
    for (std::size_t o = 0; o < k; ++o) s.seen[o].assign((c.distinct[o] + 63) / 64, 0);
    std::uint64_t distinct[4] = {0, 0, 0, 0}, grams[4] = {0, 0, 0, 0};
    std::uint64_t used = 0;
    std::size_t b = 0;
    // The Fisher-Yates shuffle runs `ahead` positions before the reading, so that the
    // offsets and then the ids of the documents about to be read are prefetched. The
    // random numbers are drawn in the same order as a shuffle step by step would draw
    // them, so the draw is the same.
    constexpr std::size_t ahead = 16;
    std::size_t shuffled = 0;
    const auto shuffle_to = [&](std::size_t upto) {
        for (upto = std::min(upto, docs); shuffled < upto; ++shuffled) {
            const std::size_t j = shuffled + static_cast<std::size_t>(g.below(docs - shuffled));
            std::swap(s.order[shuffled], s.order[j]);
            prefetch_for_read(&c.offsets[s.order[shuffled]]);
        }
    };
    shuffle_to(ahead);
    for (std::size_t i = 0; i < docs && b < budgets.size(); ++i) {
        shuffle_to(i + ahead + 1);
        if (i + ahead / 2 < docs) {
            prefetch_for_read(c.id.data() + static_cast<std::size_t>(c.offsets[s.order[i + ahead / 2]]) * k);
        }
        const std::uint64_t begin = c.offsets[s.order[i]], end = c.offsets[s.order[i] + 1];
        for (std::uint64_t p = begin; p < end && b < budgets.size(); ++p) {
            ++used;
            const std::uint64_t length = p - begin + 1;
            const std::uint32_t* ids = c.id.data() + static_cast<std::size_t>(p) * k;
            for (std::size_t o = 0; o < k; ++o) {
                if (length < orders[o]) continue;
                ++grams[o];
                const std::uint32_t id = ids[o];
                std::uint64_t& word = s.seen[o][id >> 6];
                const std::uint64_t bit = std::uint64_t{1} << (id & 63u);
                distinct[o] += (word & bit) == 0 ? 1u : 0u;
                word |= bit;
            }
            if (used == budgets[b]) {
                for (std::size_t o = 0; o < k; ++o) {
                    out[o * budgets.size() + b] = grams[o] > 0
                                                      ? static_cast<double>(distinct[o]) / static_cast<double>(grams[o])
                                                      : std::numeric_limits<double>::quiet_NaN();
                }
                ++b;
            }
        }
    }
}

inline interval_estimate summarise_draws(std::vector<double>& values, double level) {
    compensated_sum s;
    for (double v : values) s += v;
    bootstrap_options opt;
    opt.level = level;
    return summarise_replicates(s.value() / static_cast<double>(values.size()), values, opt);
}

}  // namespace detail

template <class TR, class UR, class TO, class UO>
budget_distinct_result budget_distinct(const execution& ex, const TR& reference_tokens, const UR& reference_offsets,
                                       const TO& other_tokens, const UO& other_offsets,
                                       const budget_distinct_options& opt) {
    constexpr const char* fn = "budget_distinct";
    require(!opt.orders.empty(), fn, "orders must not be empty");
    for (std::size_t n : opt.orders) {
        require(n >= 1 && n <= 4, fn, "orders must lie in 1..4 (got " + std::to_string(n) + ")");
    }
    require(opt.draws >= 2, fn, "draws must be at least 2 (got " + std::to_string(opt.draws) + ")");
    if (!(opt.level > 0.0 && opt.level < 1.0)) {
        fail(fn, "level must lie in (0, 1) (got " + detail::format_value(opt.level) + ")");
    }
    require(!opt.budgets.empty(), fn, "budgets must not be empty");
    const detail::budget_corpus r = detail::prepare_budget_corpus(fn, "reference", as_view(reference_tokens),
                                                                  as_view(reference_offsets), opt.orders);
    const detail::budget_corpus o =
        detail::prepare_budget_corpus(fn, "other", as_view(other_tokens), as_view(other_offsets), opt.orders);
    for (std::size_t b = 0; b < opt.budgets.size(); ++b) {
        const std::uint64_t t = opt.budgets[b];
        require(t > 0 && (b == 0 || t > opt.budgets[b - 1]), fn, "budgets must be positive and strictly increasing");
        require(t <= r.tokens && t <= o.tokens, fn,
                "budget " + std::to_string(t) + " exceeds a corpus' tokens (" + std::to_string(r.tokens) + ", " +
                    std::to_string(o.tokens) + ")");
    }
    const std::size_t cells = opt.orders.size() * opt.budgets.size();
    std::vector<double> tr(opt.draws * cells), to(opt.draws * cells);
    constexpr std::uint64_t salt_r = 0x6275646765742d72ull, salt_o = 0x6275646765742d6full;
    const std::size_t workers = ex.workers(opt.draws);
    std::vector<detail::budget_scratch> sr(workers), so(workers);
    detail::parallel_for_workers(workers, opt.draws, [&](std::size_t d, std::size_t w) {
        rng gr = rng::for_stream(opt.seed ^ salt_r, d);
        detail::budget_draw(r, opt.orders, opt.budgets, gr, sr[w], tr.data() + d * cells);
        rng go = rng::for_stream(opt.seed ^ salt_o, d);
        detail::budget_draw(o, opt.orders, opt.budgets, go, so[w], to.data() + d * cells);
    });
    budget_distinct_result out;
    std::vector<double> a(opt.draws), b(opt.draws), diff(opt.draws);
    for (std::size_t k = 0; k < opt.orders.size(); ++k) {
        out.reference.emplace_back();
        out.other.emplace_back();
        out.difference.emplace_back();
        for (std::size_t t = 0; t < opt.budgets.size(); ++t) {
            const std::size_t cell = k * opt.budgets.size() + t;
            for (std::size_t d = 0; d < opt.draws; ++d) {
                a[d] = tr[d * cells + cell];
                b[d] = to[d * cells + cell];
                diff[d] = b[d] - a[d];
            }
            out.reference.back().push_back(detail::summarise_draws(a, opt.level));
            out.other.back().push_back(detail::summarise_draws(b, opt.level));
            out.difference.back().push_back(detail::summarise_draws(diff, opt.level));
        }
    }
    return out;
}

template <class TR, class UR, class TO, class UO>
budget_distinct_result budget_distinct(const TR& reference_tokens, const UR& reference_offsets, const TO& other_tokens,
                                       const UO& other_offsets, const budget_distinct_options& opt) {
    return budget_distinct(sequential, reference_tokens, reference_offsets, other_tokens, other_offsets, opt);
}

}  // namespace collapsekit
