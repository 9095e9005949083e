// A tokenised corpus: 32-bit token ids plus document boundaries.
//
// Every n-gram measure takes a corpus rather than a flat sequence, so that no n-gram
// ever spans two documents (the concatenation of "a b" and "c d" has no bigram "b c").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/errors.hpp"
#include "../core/view.hpp"

namespace collapsekit {

// The largest n-gram order any measure accepts.
inline constexpr std::size_t max_ngram_order = 8;

namespace detail {

// n must lie in 1..max_ngram_order.
inline void check_ngram_order(const char* function, std::size_t n, const char* arg = "n") {
    if (n == 0 || n > max_ngram_order) {
        fail(function, std::string(arg) + " must lie in 1.." + std::to_string(max_ngram_order) + " (got " +
                           std::to_string(n) + ")");
    }
}

// Number of bits needed to write every id in [0, max_id]; at least 1.
constexpr unsigned bits_for_max_id(std::uint32_t max_id) noexcept {
    unsigned b = 1;
    while (b < 32 && (max_id >> b) != 0) ++b;
    return b;
}

}  // namespace detail

// Token ids and document offsets in compressed-row form: document d holds
// tokens()[offsets()[d] .. offsets()[d + 1]). offsets() has documents() + 1 entries,
// starts at 0, never decreases and ends at tokens().size(). Empty documents are allowed.
class corpus {
public:
    // An empty corpus (no documents); add documents with add_document.
    corpus() : offsets_{0} {}

    // From ids and offsets as above. Throws std::invalid_argument when offsets is empty,
    // does not start at 0, decreases, or does not end at the number of tokens.
    corpus(std::vector<std::uint32_t> tokens, std::vector<std::size_t> offsets)
        : tokens_(std::move(tokens)), offsets_(std::move(offsets)) {
        constexpr const char* fn = "corpus";
        require(!offsets_.empty(), fn, "offsets is empty (it needs documents + 1 entries, starting at 0)");
        require(offsets_.front() == 0, fn, "offsets must start at 0 (got " + std::to_string(offsets_.front()) + ")");
        for (std::size_t i = 1; i < offsets_.size(); ++i) {
            if (offsets_[i] < offsets_[i - 1]) {
                fail(fn, "offsets must not decrease (offsets[" + std::to_string(i) +
                             "] = " + std::to_string(offsets_[i]) + " < offsets[" + std::to_string(i - 1) +
                             "] = " + std::to_string(offsets_[i - 1]) + ")");
            }
            if (offsets_[i] > tokens_.size()) {
                fail(fn, "offsets run past the end of the tokens (offsets[" + std::to_string(i) + "] = " +
                             std::to_string(offsets_[i]) + " > " + std::to_string(tokens_.size()) + " tokens)");
            }
        }
        require(offsets_.back() == tokens_.size(), fn,
                "offsets must end at the number of tokens (" + std::to_string(tokens_.size()) + "; got " +
                    std::to_string(offsets_.back()) + ")");
        for (std::uint32_t t : tokens_) max_id_ = std::max(max_id_, t);
    }

    // A corpus whose documents are the given sequences (any contiguous ranges of ids).
    template <class Documents>
    static corpus from_documents(const Documents& documents) {
        corpus c;
        for (const auto& d : documents) c.add_document(d);
        return c;
    }

    // Appends one document (a contiguous range of integer ids; they must fit in 32 bits).
    template <class Range>
    void add_document(const Range& ids) {
        const auto v = as_view(ids);
        using T = range_value_t<Range>;
        static_assert(std::is_integral_v<T>, "collapsekit::corpus: token ids must be integers");
        // Geometric growth: reserving exactly size() + n reallocated (and copied every
        // earlier token) on each call, which made building a corpus quadratic in its
        // number of documents.
        const std::size_t need = tokens_.size() + v.size();
        if (need > tokens_.capacity()) tokens_.reserve(std::max(need, 2 * tokens_.capacity()));
        for (std::size_t i = 0; i < v.size(); ++i) {
            if constexpr (std::is_signed_v<T> || sizeof(T) > 4) {
                if (v[i] < 0 || static_cast<std::uint64_t>(v[i]) > 0xFFFFFFFFull) {
                    fail("corpus::add_document",
                         "ids must lie in [0, 2^32) (ids[" + std::to_string(i) + "] = " + std::to_string(v[i]) + ")");
                }
            }
            const auto t = static_cast<std::uint32_t>(v[i]);
            max_id_ = std::max(max_id_, t);
            tokens_.push_back(t);
        }
        offsets_.push_back(tokens_.size());
    }

    std::size_t documents() const noexcept { return offsets_.size() - 1; }
    std::size_t size() const noexcept { return tokens_.size(); }  // number of tokens
    bool empty() const noexcept { return tokens_.empty(); }

    // The tokens of document d (d < documents(); unchecked).
    view<const std::uint32_t> document(std::size_t d) const noexcept {
        return view<const std::uint32_t>(tokens_.data() + offsets_[d], offsets_[d + 1] - offsets_[d]);
    }
    std::size_t document_length(std::size_t d) const noexcept { return offsets_[d + 1] - offsets_[d]; }

    const std::vector<std::uint32_t>& tokens() const noexcept { return tokens_; }
    const std::vector<std::size_t>& offsets() const noexcept { return offsets_; }

    // The largest id present (0 for a corpus without tokens).
    std::uint32_t max_id() const noexcept { return max_id_; }

    // Number of n-grams of order n: sum over documents of max(0, length - n + 1).
    std::size_t ngram_total(std::size_t n) const {
        detail::check_ngram_order("corpus::ngram_total", n);
        std::size_t t = 0;
        for (std::size_t d = 0; d < documents(); ++d) {
            const std::size_t len = document_length(d);
            if (len >= n) t += len - n + 1;
        }
        return t;
    }

private:
    std::vector<std::uint32_t> tokens_;
    std::vector<std::size_t> offsets_;
    std::uint32_t max_id_ = 0;
};

namespace detail {

// Every n-gram measure of one corpus: n in range, and at least one n-gram to measure.
inline std::size_t require_ngrams(const char* function, const corpus& c, std::size_t n, const char* arg = "corpus") {
    check_ngram_order(function, n);
    require(c.documents() != 0 && !c.empty(), function, std::string(arg) + " is empty");
    const std::size_t total = c.ngram_total(n);
    if (total == 0) {
        fail(function, std::string(arg) + " has no n-grams of order " + std::to_string(n) +
                           " (every document is shorter than n)");
    }
    return total;
}

}  // namespace detail

}  // namespace collapsekit
