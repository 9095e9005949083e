// A tokenised corpus: 32-bit token ids plus document boundaries.
//
// Every n-gram measure takes a corpus rather than a flat sequence, so that no n-gram
// ever spans two documents (the concatenation of "a b" and "c d" has no bigram "b c").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/big_buffer.hpp"
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

// The index of the first of ids[0, n) outside [0, 2^32), or n when all fit. The common
// case (all fit) is one branch-free pass: a negative id, sign-extended, sets high bits.
template <class T>
std::size_t first_id_out_of_range(const T* ids, std::size_t n) noexcept {
    using wide = std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>;
    std::uint64_t high = 0;
    for (std::size_t i = 0; i < n; ++i) high |= static_cast<std::uint64_t>(static_cast<wide>(ids[i]));
    if ((high >> 32) == 0) return n;
    for (std::size_t i = 0; i < n; ++i) {
        if ((static_cast<std::uint64_t>(static_cast<wide>(ids[i])) >> 32) != 0) return i;
    }
    return n;
}

// out[i] = ids[i] for i < n, narrowed to 32 bits. Documents are often a few tokens
// long, and a vectorised loop leaves those to its scalar tail, whose variable trip count
// is mispredicted document after document (1.7 ns per token for documents of 5 to 15
// tokens, against 0.8 for memcpy): ids already 32-bit are memcpy'd, others converted in
// blocks of 8 with one overlapping last block (1.0 ns).
template <class T>
void copy_ids(std::uint32_t* out, const T* ids, std::size_t n) noexcept {
    if constexpr (std::is_same_v<T, std::uint32_t>) {
        if (n != 0) std::memcpy(out, ids, n * sizeof(std::uint32_t));
    } else {
        constexpr std::size_t block = 8;
        if (n < block) {
            for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint32_t>(ids[i]);
            return;
        }
        auto copy_block = [&](std::size_t at) {
            for (std::size_t j = 0; j < block; ++j) out[at + j] = static_cast<std::uint32_t>(ids[at + j]);
        };
        std::size_t i = 0;
        for (; i + block <= n; i += block) copy_block(i);
        if (i != n) copy_block(n - block);
    }
}

// The largest of ids[0, n), or `top` if larger.
inline std::uint32_t max_id_of(const std::uint32_t* ids, std::size_t n, std::uint32_t top) noexcept {
    for (std::size_t i = 0; i < n; ++i) top = std::max(top, ids[i]);
    return top;
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
    // The documents are walked twice, to size the buffers once from their lengths.
    // Throws std::invalid_argument as add_document does.
    template <class Documents>
    static corpus from_documents(const Documents& documents) {
        corpus c;
        std::size_t tokens = 0, count = 0;
        for (const auto& d : documents) {
            tokens += as_view(d).size();
            ++count;
        }
        c.append_documents(documents, tokens, count);
        return c;
    }

    // Room for `tokens` tokens and `documents` documents in all, so that adding documents
    // whose total length is known up front copies each token once.
    void reserve(std::size_t tokens, std::size_t documents) {
        reserve_in(tokens_, tokens);
        reserve_in(offsets_, documents + 1);
    }

    // Appends one document (a contiguous range of integer ids; they must fit in 32 bits).
    // Throws std::invalid_argument naming the first id that does not, leaving the corpus
    // unchanged. Amortised O(ids.size()): the buffers grow geometrically.
    template <class Range>
    void add_document(const Range& ids) {
        const auto v = as_view(ids);
        using T = range_value_t<Range>;
        static_assert(std::is_integral_v<T> && sizeof(T) <= 8, "collapsekit::corpus: token ids must be integers");
        const std::size_t n = v.size(), old = tokens_.size();
        if constexpr (std::is_signed_v<T> || sizeof(T) > 4) {
            const std::size_t bad = detail::first_id_out_of_range(v.data(), n);
            if (bad != n) {
                fail("corpus::add_document",
                     "ids must lie in [0, 2^32) (ids[" + std::to_string(bad) + "] = " + std::to_string(v[bad]) + ")");
            }
        }
        if constexpr (std::is_same_v<std::remove_cv_t<T>, std::uint32_t>) {
            // A document of this corpus itself (c.add_document(c.document(0))) would dangle
            // once the buffer grows: copy it out first.
            const std::less<const std::uint32_t*> before;
            if (n != 0 && !before(v.data(), tokens_.data()) && before(v.data(), tokens_.data() + old)) {
                const std::vector<std::uint32_t> copy(v.begin(), v.end());
                return add_document(copy);
            }
        }
        // Geometric growth: reserving exactly size() + n reallocated (and copied every
        // earlier token) on each call, which made building a corpus quadratic in its
        // number of documents.
        grow(tokens_, old + n);
        grow(offsets_, offsets_.size() + 1);
        tokens_.resize(old + n);
        detail::copy_ids(tokens_.data() + old, v.data(), n);
        max_id_ = detail::max_id_of(tokens_.data() + old, n, max_id_);
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
    // Appends documents holding `tokens` ids in all (`count` documents): both buffers sized
    // once, no growth check per document, one pass for the largest id (a million
    // documents of ten tokens cost about 1.4 times as much per token as a thousand of ten
    // thousand: benchmarks/corpus_scaling.cpp). Leaves the corpus unchanged if it throws.
    template <class Documents>
    void append_documents(const Documents& documents, std::size_t tokens, std::size_t count) {
        const std::size_t old_tokens = tokens_.size(), old_docs = offsets_.size();
        reserve_in(tokens_, old_tokens + tokens);
        reserve_in(offsets_, old_docs + count);
        tokens_.resize(old_tokens + tokens);
        std::uint32_t* out = tokens_.data();
        std::size_t at = old_tokens;
        for (const auto& d : documents) {
            const auto v = as_view(d);
            using T = std::remove_cv_t<std::remove_reference_t<decltype(v[0])>>;
            static_assert(std::is_integral_v<T> && sizeof(T) <= 8, "collapsekit::corpus: token ids must be integers");
            const std::size_t n = v.size();
            if constexpr (std::is_signed_v<T> || sizeof(T) > 4) {
                const std::size_t bad = detail::first_id_out_of_range(v.data(), n);
                if (bad != n) {
                    tokens_.resize(old_tokens);
                    offsets_.resize(old_docs);
                    fail("corpus::add_document", "ids must lie in [0, 2^32) (ids[" + std::to_string(bad) +
                                                     "] = " + std::to_string(v[bad]) + ")");
                }
            }
            detail::copy_ids(out + at, v.data(), n);
            at += n;
            offsets_.push_back(at);  // within the capacity reserved: no zero fill first
        }
        // One pass over all the new ids (vectorised) rather than one per document.
        max_id_ = detail::max_id_of(out + old_tokens, at - old_tokens, max_id_);
    }

    // v.reserve(n), with huge pages asked for on the new buffer before anything is copied
    // into it: on the VMs we measure on, faulting in 4 KiB pages cost more than copying the
    // tokens into them.
    template <class V>
    static void reserve_in(V& v, std::size_t n) {
        if (n <= v.capacity()) return;
        V fresh;
        fresh.reserve(n);
        detail::advise_huge_pages(fresh.data(), fresh.capacity() * sizeof(typename V::value_type));
        fresh.insert(fresh.end(), v.begin(), v.end());
        v.swap(fresh);
    }
    template <class V>
    static void grow(V& v, std::size_t need) {
        if (need > v.capacity()) reserve_in(v, std::max(need, 2 * v.capacity()));
    }

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
