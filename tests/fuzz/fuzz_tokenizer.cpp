// libFuzzer target: every reader of text, on any bytes.
//   ngram/tokenizer.hpp  tokenizer::split / encode / encode_documents, vocabulary (grown,
//                        size-limited, frozen), split_documents (lines, paragraphs, whole);
//   feedback/text.hpp    tokenize_sentences, detokenize;
//   examples/text_input.hpp (the text examples' corpus reader, tested in tests/ too):
//                        jsonl_field, document_reader fed in chunks, detokenize.
// Each must return or throw its documented std::invalid_argument / input_error, and the
// properties their comments promise must hold (checked below).
#include <collapsekit/feedback/text.hpp>
#include <collapsekit/ngram/tokenizer.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../../examples/text_input.hpp"
#include "fuzz_support.hpp"

namespace ck = collapsekit;
namespace ex = collapsekit_examples;

namespace {

bool blank(std::string_view s) {
    for (char c : s) {
        if (!(c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n')) return false;
    }
    return true;
}

void check_tokenizer(std::string_view text, bool lowercase, std::size_t max_size, bool freeze_after) {
    const ck::tokenizer tok(ck::tokenizer_options{lowercase});
    const std::vector<std::string> pieces = tok.split(text);
    std::string joined;
    for (const std::string& p : pieces) {
        COLLAPSEKIT_FUZZ_CHECK(!p.empty(), "split() gave an empty piece");
        const auto c0 = static_cast<unsigned char>(p[0]);
        if (ck::ascii::is_word_byte(c0)) {
            for (char c : p) COLLAPSEKIT_FUZZ_CHECK(ck::ascii::is_word_byte(static_cast<unsigned char>(c)), "word");
            if (lowercase) {
                for (char c : p) COLLAPSEKIT_FUZZ_CHECK(!ck::ascii::is_upper(static_cast<unsigned char>(c)), "case");
            }
        } else {
            COLLAPSEKIT_FUZZ_CHECK(p.size() == 1 && c0 > 0x20 && c0 < 0x7F, "punctuation is one printable byte");
        }
        if (!joined.empty()) joined.push_back(' ');
        joined += p;
    }
    // A vocabulary that may grow holds every piece, so decode(encode(text)) is the pieces
    // joined by single spaces.
    ck::vocabulary grow;
    const std::vector<std::uint32_t> ids = tok.encode(text, grow);
    COLLAPSEKIT_FUZZ_CHECK(ids.size() == pieces.size(), "encode() and split() disagree");
    COLLAPSEKIT_FUZZ_CHECK(grow.decode(ids) == joined, "decode(encode(text)) is not the pieces joined by spaces");
    for (std::uint32_t id : ids) COLLAPSEKIT_FUZZ_CHECK(id < grow.size(), "an id outside the vocabulary");
    // A size-limited or frozen vocabulary writes the words it cannot hold as bytes.
    ck::vocabulary limited(max_size);
    if (freeze_after) {
        (void)tok.encode(text.substr(0, text.size() / 2), limited);
        limited.freeze();
    }
    const std::vector<std::uint32_t> lids = tok.encode(text, limited);
    COLLAPSEKIT_FUZZ_CHECK(max_size == 0 || limited.size() <= max_size, "the vocabulary outgrew its limit");
    for (std::uint32_t id : lids) COLLAPSEKIT_FUZZ_CHECK(id < limited.size(), "an id outside the vocabulary");
    (void)limited.decode(lids);
    (void)ex::detokenize(lids, limited);
    // Documents: never blank; lines hold no newline.
    for (auto how : {ck::document_split::lines, ck::document_split::paragraphs, ck::document_split::whole}) {
        const std::vector<std::string> docs = ck::split_documents(text, how);
        for (const std::string& d : docs) {
            COLLAPSEKIT_FUZZ_CHECK(!blank(d), "a blank document");
            if (how == ck::document_split::lines) COLLAPSEKIT_FUZZ_CHECK(d.find('\n') == std::string::npos, "line");
        }
        const ck::corpus c = tok.encode_documents(docs, grow);
        COLLAPSEKIT_FUZZ_CHECK(c.documents() == docs.size(), "encode_documents() lost a document");
    }
}

void check_sentences(std::string_view text) {
    ck::feedback::tokenized_text t;
    try {
        t = ck::feedback::tokenize_sentences(text);
    } catch (const std::invalid_argument& e) {
        COLLAPSEKIT_FUZZ_CHECK(std::string(e.what()) == "collapsekit::tokenize_sentences: text holds no token",
                               "tokenize_sentences threw an unexpected error");
        return;
    }
    std::size_t tokens = 0;
    std::vector<std::size_t> freq(t.words.size(), 0);
    for (const auto& doc : t.documents) {
        COLLAPSEKIT_FUZZ_CHECK(!doc.empty(), "an empty sentence");
        tokens += doc.size();
        for (std::uint32_t id : doc) {
            COLLAPSEKIT_FUZZ_CHECK(id < t.words.size(), "an id outside the words");
            ++freq[id];
        }
        (void)ck::feedback::detokenize(doc, t.words);
    }
    COLLAPSEKIT_FUZZ_CHECK(tokens == t.tokens, "tokens is not the number of tokens");
    for (std::size_t i = 1; i < freq.size(); ++i) {
        COLLAPSEKIT_FUZZ_CHECK(freq[i - 1] >= freq[i], "ids are not by decreasing frequency");
    }
}

// The examples' reader: the same documents whatever the chunking; only input_error escapes.
void check_reader(std::string_view text, bool jsonl, bool paragraphs, std::size_t chunk, const std::string& field) {
    ex::input_options opt;
    opt.format = jsonl ? ex::input_format::jsonl : ex::input_format::text;
    opt.unit = paragraphs ? ex::document_unit::paragraphs : ex::document_unit::lines;
    opt.field = field;
    auto read = [&](std::size_t piece, std::vector<std::pair<std::string, std::size_t>>& out) -> std::string {
        ex::document_reader r("fuzz", opt);
        auto emit = [&](std::string_view d, std::size_t line) {
            COLLAPSEKIT_FUZZ_CHECK(line >= 1, "a document on line 0");
            out.emplace_back(std::string(d), line);
        };
        try {
            for (std::size_t at = 0; at < text.size(); at += piece) r.feed(text.substr(at, piece), emit);
            r.finish(emit);
        } catch (const ex::input_error& e) {
            const std::string m = e.what();
            COLLAPSEKIT_FUZZ_CHECK(m.rfind("fuzz:", 0) == 0, "an input_error without its position");
            return m;
        }
        return "";
    };
    std::vector<std::pair<std::string, std::size_t>> whole, cut;
    const std::string e1 = read(text.size() + 1, whole);
    const std::string e2 = read(chunk, cut);
    // Which of two bad lines is reported first may depend on the chunks (a NUL byte is
    // looked for chunk by chunk), but not whether the input is refused.
    COLLAPSEKIT_FUZZ_CHECK(e1.empty() == e2.empty(), "refusal depends on how the bytes were chunked");
    if (e1.empty()) COLLAPSEKIT_FUZZ_CHECK(whole == cut, "the documents depend on how the bytes were chunked");
    try {
        (void)ex::jsonl_field(text, field);
    } catch (const std::invalid_argument&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const bool lowercase = in.ConsumeBool();
    const bool freeze = in.ConsumeBool();
    const bool jsonl = in.ConsumeBool();
    const bool paragraphs = in.ConsumeBool();
    const std::size_t sizes[] = {0, 257, 260, 300};
    const std::size_t max_size = sizes[in.ConsumeIntegralInRange<std::size_t>(0, 3)];
    const std::size_t chunk = in.ConsumeIntegralInRange<std::size_t>(1, 16);
    const std::string field = in.ConsumeBool() ? "text" : in.ConsumeRandomLengthString(8);
    const std::string text = in.ConsumeRemainingBytesAsString();
    check_tokenizer(text, lowercase, max_size, freeze);
    check_sentences(text);
    check_reader(text, jsonl, paragraphs, chunk, field);
    return 0;
}
