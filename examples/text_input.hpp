// Reading a real corpus for the text examples: plain text with one document per line or
// documents separated by blank lines, or JSON Lines with the text in one field; and
// writing token ids back as readable text.
//
// The reader is fed bytes in chunks (from a plain or gzip file, see text_file.hpp, or
// from memory in the tests) and hands out whole documents with the line each starts on,
// so a corpus larger than memory as text is never held as text. Input it cannot read is
// reported as "<file>:<line>: <what>" (input_error), the form editors and compilers use.
//
// The JSON reader is small on purpose: it reads one object per line, returns one
// top-level string field and validates the rest of the line without building it.
#pragma once

#include <collapsekit/ngram/tokenizer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace collapsekit_examples {

enum class input_format { text, jsonl };
enum class document_unit {
    lines,      // every non-blank line is a document
    paragraphs  // runs of non-blank lines, separated by blank lines, are documents
};

struct input_options {
    input_format format = input_format::text;
    document_unit unit = document_unit::lines;  // plain text only
    std::string field = "text";                 // JSONL only
};

// Input that cannot be read; what() is "<file>:<line>: <what>".
class input_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {

inline bool is_json_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline bool is_blank(std::string_view s) noexcept {
    for (char c : s) {
        if (!(c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')) return false;
    }
    return true;
}

inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// One JSON text; errors are std::invalid_argument "column <c>: <what>".
class json_scanner {
public:
    explicit json_scanner(std::string_view s) : s_(s) {}

    // The string value of top-level key `field` of the object that must make up the whole
    // text. found is false when the object has no such key.
    std::string field_of_object(std::string_view field, bool& found) {
        found = false;
        std::string value;
        space();
        if (peek() != '{') fail(at_end() ? "the line ends before a JSON object" : "a JSONL line must be a JSON object");
        ++i_;
        space();
        if (peek() == '}') {
            ++i_;
        } else {
            for (;;) {
                space();
                if (peek() != '"') fail("expected a quoted key");
                const std::string key = string();
                space();
                expect(':');
                space();
                if (!found && key == field) {
                    if (peek() != '"') {
                        const std::size_t col = i_;
                        skip_value();
                        i_ = col;
                        fail("field '" + key + "' is " + kind_at(col) + ", not a string");
                    }
                    value = string();
                    found = true;
                } else {
                    skip_value();
                }
                space();
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                if (peek() == '}') {
                    ++i_;
                    break;
                }
                fail("expected ',' or '}' after a value");
            }
        }
        space();
        if (!at_end()) fail("unexpected text after the JSON object");
        return value;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::invalid_argument("column " + std::to_string(i_ + 1) + ": " + what);
    }
    bool at_end() const noexcept { return i_ >= s_.size(); }
    char peek() const noexcept { return at_end() ? '\0' : s_[i_]; }
    void space() noexcept {
        while (!at_end() && is_json_space(s_[i_])) ++i_;
    }
    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++i_;
    }
    std::string kind_at(std::size_t col) const {
        switch (col < s_.size() ? s_[col] : '\0') {
            case '{':
                return "an object";
            case '[':
                return "an array";
            case 't':
            case 'f':
                return "a boolean";
            case 'n':
                return "null";
            default:
                return "a number";
        }
    }

    unsigned hex4() {
        if (s_.size() - i_ < 4) fail("\\u needs four hex digits");
        unsigned v = 0;
        for (int k = 0; k < 4; ++k, ++i_) {
            const char c = s_[i_];
            v <<= 4;
            if (c >= '0' && c <= '9') {
                v |= static_cast<unsigned>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                v |= static_cast<unsigned>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                v |= static_cast<unsigned>(c - 'A' + 10);
            } else {
                fail("\\u needs four hex digits");
            }
        }
        return v;
    }

    // A quoted string at i_, unescaped (\uXXXX as UTF-8; a lone surrogate as U+FFFD, as
    // lenient JSON readers do, because web corpora hold such strings).
    std::string string() {
        std::string out;
        ++i_;  // the opening quote
        for (;;) {
            if (at_end()) fail("the line ends inside a string");
            const char c = s_[i_];
            if (c == '"') {
                ++i_;
                return out;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail("a control character inside a string (escape it)");
            if (c != '\\') {
                // Copy the run up to the next quote, backslash or control byte at once.
                std::size_t j = i_ + 1;
                while (j < s_.size() && s_[j] != '"' && s_[j] != '\\' && static_cast<unsigned char>(s_[j]) >= 0x20) {
                    ++j;
                }
                out.append(s_.data() + i_, j - i_);
                i_ = j;
                continue;
            }
            ++i_;
            if (at_end()) fail("the line ends inside a string");
            const char e = s_[i_++];
            switch (e) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00 && s_.size() - i_ >= 6 && s_[i_] == '\\' && s_[i_ + 1] == 'u') {
                        const std::size_t back = i_;
                        i_ += 2;
                        const std::uint32_t lo = hex4();
                        if (lo >= 0xDC00 && lo < 0xE000) {
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        } else {
                            i_ = back;  // not a pair: the next escape stands alone
                        }
                    }
                    if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
                    append_utf8(out, cp);
                    break;
                }
                default:
                    --i_;
                    fail(std::string("unknown escape '\\") + e + "'");
            }
        }
    }

    void literal(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) fail("expected a JSON value");
        i_ += word.size();
    }

    void number() {
        auto digits = [&] {
            const std::size_t from = i_;
            while (!at_end() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            if (i_ == from) fail("a malformed number");
        };
        if (peek() == '-') ++i_;
        if (peek() == '0') {
            ++i_;
        } else {
            digits();
        }
        if (peek() == '.') {
            ++i_;
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            ++i_;
            if (peek() == '+' || peek() == '-') ++i_;
            digits();
        }
    }

    // Skips one value of any kind. Iterative, with an explicit stack of open brackets, so
    // a deeply nested line cannot exhaust the call stack.
    void skip_value() {
        std::vector<char> open;
        for (;;) {
            space();
            const char c = peek();
            bool value_done = true;
            if (c == '{' || c == '[') {
                ++i_;
                space();
                if (peek() == (c == '{' ? '}' : ']')) {
                    ++i_;
                } else {
                    open.push_back(c == '{' ? '}' : ']');
                    if (c == '{') key();
                    value_done = false;
                }
            } else if (c == '"') {
                string();
            } else if (c == 't') {
                literal("true");
            } else if (c == 'f') {
                literal("false");
            } else if (c == 'n') {
                literal("null");
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                number();
            } else {
                fail(at_end() ? "the line ends before a value" : "expected a JSON value");
            }
            if (!value_done) continue;
            // After a value: close what ends here, then a comma starts the next value.
            for (;;) {
                if (open.empty()) return;
                space();
                if (peek() == open.back()) {
                    ++i_;
                    open.pop_back();
                    continue;
                }
                if (peek() != ',') fail(std::string("expected ',' or '") + open.back() + "'");
                ++i_;
                if (open.back() == '}') key();
                break;
            }
        }
    }

    void key() {
        space();
        if (peek() != '"') fail("expected a quoted key");
        string();
        space();
        expect(':');
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace detail

// The string value of `field` in the JSON object `line` (one line of a JSONL file).
// Throws std::invalid_argument "column <c>: <what>" when the line is not one JSON
// object, lacks the field, or the field is not a string.
inline std::string jsonl_field(std::string_view line, std::string_view field) {
    detail::json_scanner scan(line);
    bool found = false;
    std::string value = scan.field_of_object(field, found);
    if (!found) throw std::invalid_argument("the object has no field '" + std::string(field) + "'");
    return value;
}

// Cuts a stream of bytes into documents as `options` says. Feed it chunks of any size,
// then call finish(); emit(std::string_view document, std::size_t line) is called for
// every non-blank document, with the line it starts on (1-based).
class document_reader {
public:
    document_reader(std::string source, input_options options) : source_(std::move(source)), opt_(std::move(options)) {}

    template <class Emit>
    void feed(std::string_view bytes, Emit&& emit) {
        if (const void* nul = std::memchr(bytes.data(), '\0', bytes.size())) {
            const auto at = static_cast<std::size_t>(static_cast<const char*>(nul) - bytes.data());
            std::size_t line = line_ + 1;
            for (std::size_t k = 0; k < at; ++k) line += bytes[k] == '\n';
            throw input_error(where(line) + "a NUL byte: this is not a text or JSONL file");
        }
        while (!bytes.empty()) {
            const std::size_t nl = bytes.find('\n');
            if (nl == std::string_view::npos) {
                partial_.append(bytes.data(), bytes.size());
                return;
            }
            if (partial_.empty()) {
                line_done(bytes.substr(0, nl), emit);
            } else {
                partial_.append(bytes.data(), nl);
                line_done(partial_, emit);
                partial_.clear();
            }
            bytes.remove_prefix(nl + 1);
        }
    }

    // The last line may lack its newline; a paragraph may still be open.
    template <class Emit>
    void finish(Emit&& emit) {
        if (!partial_.empty()) {
            const std::string last = std::move(partial_);
            partial_.clear();
            line_done(last, emit);
        }
        if (!paragraph_.empty()) emit(std::string_view(paragraph_), paragraph_line_);
        paragraph_.clear();
    }

    std::size_t lines() const noexcept { return line_; }
    const std::string& source() const noexcept { return source_; }

private:
    std::string where(std::size_t line) const { return source_ + ":" + std::to_string(line) + ": "; }

    template <class Emit>
    void line_done(std::string_view line, Emit& emit) {
        ++line_;
        if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8 byte order mark
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (opt_.format == input_format::jsonl) {
            if (detail::is_blank(line)) return;
            std::string text;
            try {
                text = jsonl_field(line, opt_.field);
            } catch (const std::invalid_argument& e) {
                throw input_error(where(line_) + e.what());
            }
            if (!detail::is_blank(text)) emit(std::string_view(text), line_);
        } else if (opt_.unit == document_unit::lines) {
            if (!detail::is_blank(line)) emit(line, line_);
        } else if (detail::is_blank(line)) {
            if (!paragraph_.empty()) emit(std::string_view(paragraph_), paragraph_line_);
            paragraph_.clear();
        } else {
            if (paragraph_.empty()) {
                paragraph_line_ = line_;
            } else {
                paragraph_.push_back('\n');
            }
            paragraph_.append(line.data(), line.size());
        }
    }

    std::string source_;
    input_options opt_;
    std::size_t line_ = 0;  // complete lines seen
    std::string partial_;   // the line not ended yet
    std::string paragraph_;
    std::size_t paragraph_line_ = 0;
};

// Token ids back to text a person reads. The tokenizer splits punctuation off words, so
// joining its tokens with single spaces would read "the baker ' s wife , then"; this
// joins the common cases back: no space before closing punctuation, after an opening
// bracket, or around an apostrophe or a hyphen ("self-evident"; a spaced dash " - "
// comes out as "-", the rarer case in prose). Runs of byte tokens (words the vocabulary had no
// room for) are joined into their bytes. Throws std::invalid_argument for an id outside
// the vocabulary.
inline std::string detokenize(const std::vector<std::uint32_t>& ids, const collapsekit::vocabulary& vocab) {
    std::string out;
    std::string_view prev;  // the previous piece, empty at the start
    std::string bytes;
    auto put = [&](std::string_view piece) {
        auto one_of = [](std::string_view p, std::string_view set) {
            return p.size() == 1 && set.find(p[0]) != std::string_view::npos;
        };
        const bool closing = one_of(piece, ",.;:!?)]}%");
        const bool opening = one_of(prev, "([{");
        const bool joiner = piece == "'" || prev == "'" || piece == "-" || prev == "-";
        if (!prev.empty() && !closing && !opening && !joiner) out.push_back(' ');
        out.append(piece.data(), piece.size());
        prev = piece;
    };
    for (std::size_t k = 0; k < ids.size(); ++k) {
        if (ids[k] < collapsekit::vocabulary::byte_tokens) {
            bytes.push_back(static_cast<char>(ids[k]));
            if (k + 1 < ids.size() && ids[k + 1] < collapsekit::vocabulary::byte_tokens) continue;
            put(bytes);
            prev = "x";  // a word, whatever bytes it holds; `bytes` is about to be reused
            bytes.clear();
        } else {
            put(vocab.token(ids[k]));
        }
    }
    return out;
}

}  // namespace collapsekit_examples
