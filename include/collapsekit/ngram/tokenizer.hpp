// A small whitespace/punctuation tokenizer and vocabulary, so that examples and tests
// can measure real text. It is deliberately simple and fully specified; for model
// tokenizers (BPE, SentencePiece) pass their ids to ck::corpus directly.
//
// Splitting: ASCII whitespace separates; a word is a maximal run of ASCII letters,
// digits and bytes >= 0x80 (so UTF-8 letters stay inside words); every other printable
// ASCII character (punctuation) is a token of its own; other control bytes are dropped.
// Vocabulary: ids 0..255 are the 256 single bytes (the byte-level fallback); words get
// ids from 256 up in order of first appearance. A word not in the vocabulary when the
// vocabulary may not grow (frozen, or at its size limit) is written as its bytes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../core/ascii.hpp"
#include "../core/errors.hpp"
#include "../core/view.hpp"
#include "corpus.hpp"

namespace collapsekit {

class vocabulary {
public:
    // The number of byte tokens (ids 0..255) every vocabulary starts with.
    static constexpr std::uint32_t byte_tokens = 256;

    // A vocabulary of the byte tokens only; max_size = 0 means no limit, else words
    // are added only while size() < max_size (max_size must then be > 256).
    explicit vocabulary(std::size_t max_size = 0) : max_size_(max_size) {
        require(max_size == 0 || max_size > byte_tokens, "vocabulary",
                "max_size must be 0 (no limit) or above 256 (got " + std::to_string(max_size) + ")");
        static const char hex[] = "0123456789ABCDEF";
        for (unsigned b = 0; b < byte_tokens; ++b) {
            tokens_.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
        }
    }

    std::size_t size() const noexcept { return tokens_.size(); }
    bool frozen() const noexcept { return frozen_; }
    // After freeze(), unknown words are written as bytes and the vocabulary never grows.
    void freeze() noexcept { frozen_ = true; }
    bool can_grow() const noexcept { return !frozen_ && (max_size_ == 0 || tokens_.size() < max_size_); }

    // The id of a word, or -1 when it is not in the vocabulary.
    std::int64_t find(std::string_view word) const {
        auto it = index_.find(std::string(word));
        return it == index_.end() ? -1 : static_cast<std::int64_t>(it->second);
    }
    // The id of word, adding it when new. Throws std::invalid_argument for an empty
    // word or when the vocabulary may not grow.
    std::uint32_t add(std::string_view word) {
        require(!word.empty(), "vocabulary::add", "word is empty");
        const std::int64_t known = find(word);
        if (known >= 0) return static_cast<std::uint32_t>(known);
        require(can_grow(), "vocabulary::add", "vocabulary is frozen or full");
        require(tokens_.size() < 0xFFFFFFFFull, "vocabulary::add", "vocabulary has 2^32 - 1 entries");
        const auto id = static_cast<std::uint32_t>(tokens_.size());
        tokens_.emplace_back(word);
        index_.emplace(tokens_.back(), id);
        return id;
    }
    // The text of a token: the word, or "<0xNN>" for byte token NN. Throws
    // std::invalid_argument for an id not in the vocabulary.
    const std::string& token(std::uint32_t id) const {
        if (id >= tokens_.size()) {
            fail("vocabulary::token",
                 "id " + std::to_string(id) + " is not in the vocabulary (size " + std::to_string(size()) + ")");
        }
        return tokens_[id];
    }
    // Text from ids: tokens joined by single spaces, runs of byte tokens joined back
    // into their bytes (so a word written as bytes reads as the word).
    std::string decode(view<const std::uint32_t> ids) const {
        std::string out;
        bool prev_byte = false;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const bool is_byte = ids[i] < byte_tokens;
            if (i > 0 && !(is_byte && prev_byte)) out.push_back(' ');
            if (is_byte) {
                out.push_back(static_cast<char>(ids[i]));
            } else {
                out += token(ids[i]);
            }
            prev_byte = is_byte;
        }
        return out;
    }
    template <class Range>
    std::string decode(const Range& ids) const {
        return decode(view<const std::uint32_t>(as_view(ids)));
    }

private:
    std::size_t max_size_;
    bool frozen_ = false;
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, std::uint32_t> index_;
};

struct tokenizer_options {
    bool lowercase = false;  // fold ASCII letters to lower case before lookup
};

class tokenizer {
public:
    explicit tokenizer(tokenizer_options options = {}) : opt_(options) {}

    // The pieces of text (words and punctuation), in order, as described above.
    std::vector<std::string> split(std::string_view text) const {
        std::vector<std::string> out;
        std::size_t i = 0;
        while (i < text.size()) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (ascii::is_word_byte(c)) {
                std::size_t j = i;
                while (j < text.size() && ascii::is_word_byte(static_cast<unsigned char>(text[j]))) ++j;
                out.emplace_back(text.substr(i, j - i));
                if (opt_.lowercase) {
                    for (char& ch : out.back()) ch = ascii::to_lower(ch);
                }
                i = j;
            } else {
                if (c > 0x20 && c < 0x7F) out.emplace_back(1, static_cast<char>(c));  // punctuation
                ++i;  // whitespace and control bytes separate
            }
        }
        return out;
    }

    // Ids of text: known words by id, new words added while the vocabulary can grow,
    // otherwise written as byte tokens; punctuation is a word like any other.
    std::vector<std::uint32_t> encode(std::string_view text, vocabulary& vocab) const {
        std::vector<std::uint32_t> ids;
        for (const std::string& piece : split(text)) {
            const std::int64_t known = vocab.find(piece);
            if (known >= 0) {
                ids.push_back(static_cast<std::uint32_t>(known));
            } else if (vocab.can_grow()) {
                ids.push_back(vocab.add(piece));
            } else {
                for (char ch : piece) ids.push_back(static_cast<unsigned char>(ch));
            }
        }
        return ids;
    }

    // A corpus with one document per text.
    corpus encode_documents(const std::vector<std::string>& texts, vocabulary& vocab) const {
        corpus c;
        for (const std::string& t : texts) c.add_document(encode(t, vocab));
        return c;
    }

private:
    tokenizer_options opt_;
};

// The whole content of a file, as bytes. Throws std::invalid_argument naming the path
// when it cannot be opened.
inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("read_text_file", "path '" + path + "' cannot be opened");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// How a text is cut into documents.
enum class document_split {
    lines,       // each non-blank line is a document
    paragraphs,  // blocks separated by blank lines are documents
    whole        // the text is one document
};

// The documents of a text (blank documents are dropped).
inline std::vector<std::string> split_documents(std::string_view text, document_split how) {
    std::vector<std::string> docs;
    auto blank = [](std::string_view s) {
        for (char ch : s) {
            if (!(ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v' || ch == '\n')) return false;
        }
        return true;
    };
    if (how == document_split::whole) {
        if (!blank(text)) docs.emplace_back(text);
        return docs;
    }
    std::string current;
    std::size_t i = 0;
    while (i <= text.size()) {
        const std::size_t j = std::min(text.find('\n', i), text.size());
        const std::string_view line = text.substr(i, j - i);
        if (how == document_split::lines) {
            if (!blank(line)) docs.emplace_back(line);
        } else if (blank(line)) {
            if (!blank(current)) docs.push_back(current);
            current.clear();
        } else {
            if (!current.empty()) current.push_back('\n');
            current.append(line);
        }
        i = j + 1;
    }
    if (how == document_split::paragraphs && !blank(current)) docs.push_back(current);
    return docs;
}

// Reads a plain-text file and tokenises it into a corpus (documents as `how` says).
// Errors as read_text_file.
inline corpus corpus_from_text_file(const std::string& path, vocabulary& vocab,
                                    document_split how = document_split::lines, const tokenizer& tok = tokenizer()) {
    return tok.encode_documents(split_documents(read_text_file(path), how), vocab);
}

}  // namespace collapsekit
