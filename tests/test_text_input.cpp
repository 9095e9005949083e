// The corpus readers of the text examples (examples/text_input.hpp): JSON Lines fields,
// documents by line and by paragraph, error positions, and text back from ids. The gzip
// side (examples/text_file.hpp) needs zlib and is tested by running text_collapse
// (examples/check_text_collapse.cmake).
#include "../examples/text_input.hpp"

#include <collapsekit/ngram/tokenizer.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ex = collapsekit_examples;

// Named, not anonymous: the unity build compiles this file beside the others.
namespace text_input_test {

struct read_document {
    std::string text;
    std::size_t line;
    bool operator==(const read_document& o) const { return text == o.text && line == o.line; }
};

// Every document of `bytes`, fed in pieces of `piece` bytes (0: all at once), so a line
// or a paragraph cut between two chunks is checked as well.
std::vector<read_document> read_all(std::string_view bytes, const ex::input_options& o, std::size_t piece = 0) {
    std::vector<read_document> docs;
    auto emit = [&](std::string_view text, std::size_t line) { docs.push_back({std::string(text), line}); };
    ex::document_reader r("in.txt", o);
    if (piece == 0) piece = bytes.size() + 1;
    for (std::size_t i = 0; i < bytes.size(); i += piece) r.feed(bytes.substr(i, piece), emit);
    r.finish(emit);
    return docs;
}

std::string error_of(std::string_view bytes, const ex::input_options& o) {
    try {
        read_all(bytes, o);
    } catch (const ex::input_error& e) {
        return e.what();
    }
    return "no error";
}

std::string json_error(std::string_view line, std::string_view field = "text") {
    try {
        ex::jsonl_field(line, field);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST_CASE("text_input: jsonl_field reads one string field and skips the rest") {
    CHECK(ex::jsonl_field(R"({"text": "hello"})", "text") == "hello");
    CHECK(ex::jsonl_field(R"(  {"id":1,"meta":{"a":[1,-2.5e+3,true,false,null,{},[]],"text":"inner"},"text":"outer"} )",
                          "text") == "outer");
    CHECK(ex::jsonl_field(R"({"body": "b", "text": "t"})", "body") == "b");
    // The first of duplicate keys.
    CHECK(ex::jsonl_field(R"({"text": "one", "text": "two"})", "text") == "one");
    // Escapes, \u as UTF-8, a surrogate pair as one 4-byte character, a lone surrogate as U+FFFD.
    CHECK(ex::jsonl_field(R"({"text": "a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00"})", "text") ==
          "a\"b\\c/d\n\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(ex::jsonl_field(R"({"text": "x\ud800y\udc00"})", "text") == "x\xEF\xBF\xBDy\xEF\xBF\xBD");
    CHECK(ex::jsonl_field(R"({"t\u0065xt": "escaped key"})", "text") == "escaped key");
    CHECK(ex::jsonl_field("{\"text\": \"caf\xC3\xA9\"}", "text") == "caf\xC3\xA9");
}

TEST_CASE("text_input: jsonl_field names the column of what is wrong") {
    CHECK(json_error(R"({"id": 1})") == "the object has no field 'text'");
    CHECK(json_error(R"({"text": 12})") == "column 10: field 'text' is a number, not a string");
    CHECK(json_error(R"({"text": null})") == "column 10: field 'text' is null, not a string");
    CHECK(json_error(R"({"text": ["a"]})") == "column 10: field 'text' is an array, not a string");
    CHECK(json_error(R"(["text"])") == "column 1: a JSONL line must be a JSON object");
    CHECK(json_error(R"({"text": "open)") == "column 15: the line ends inside a string");
    CHECK(json_error(R"({"text": "a"} x)") == "column 15: unexpected text after the JSON object");
    CHECK(json_error(R"({"text": "a" "b": 1})") == "column 14: expected ',' or '}' after a value");
    CHECK(json_error(R"({"text": "a\q"})") == "column 13: unknown escape '\\q'");
    CHECK(json_error(R"({"text": "a\u12"})") == "column 16: \\u needs four hex digits");
    CHECK(json_error("{\"text\": \"a\tb\"}") == "column 12: a control character inside a string (escape it)");
    CHECK(json_error(R"({"n": 01, "text": "a"})") == "column 8: expected ',' or '}' after a value");
    CHECK(json_error(R"({"n": 1., "text": "a"})") == "column 9: a malformed number");
    CHECK(json_error(R"({"n": tru, "text": "a"})") == "column 7: expected a JSON value");
    CHECK(json_error(R"({"n": [1 2], "text": "a"})") == "column 10: expected ',' or ']'");
    CHECK(json_error(R"({"n": {"a" 1}, "text": "a"})") == "column 12: expected ':'");
    CHECK(json_error(R"({text: "a"})") == "column 2: expected a quoted key");
    // Deep nesting is an error at the end of the line, not a stack overflow.
    CHECK(json_error("{\"n\": " + std::string(200000, '[')) == "column 200007: the line ends before a value");
}

TEST_CASE("text_input: documents by line, whatever the chunks") {
    ex::input_options o;
    const std::string text =
        "\xEF\xBB\xBF"
        "first line\r\n\n   \nsecond, line\nthird";
    const std::vector<read_document> expect{{"first line", 1}, {"second, line", 4}, {"third", 5}};
    for (std::size_t piece : {0, 1, 2, 3, 7}) {
        CAPTURE(piece);
        CHECK(read_all(text, o, piece) == expect);
    }
    CHECK(read_all("", o).empty());
    CHECK(read_all("\n \n\t\n", o).empty());
}

TEST_CASE("text_input: documents by paragraph") {
    ex::input_options o;
    o.unit = ex::document_unit::paragraphs;
    const std::string text = "\n\nOne a\none b\n\n\n  \nTwo\r\n\nThree a\nthree b";
    const std::vector<read_document> expect{{"One a\none b", 3}, {"Two", 8}, {"Three a\nthree b", 10}};
    for (std::size_t piece : {0, 1, 4}) {
        CAPTURE(piece);
        CHECK(read_all(text, o, piece) == expect);
    }
}

TEST_CASE("text_input: JSON Lines documents and errors with file and line") {
    ex::input_options o;
    o.format = ex::input_format::jsonl;
    const std::string text =
        "{\"text\": \"a b\"}\n\n{\"id\": 2, \"text\": \"c\"}\r\n{\"text\": \"  \"}\n{\"text\": \"d\"}";
    const std::vector<read_document> expect{{"a b", 1}, {"c", 3}, {"d", 5}};
    for (std::size_t piece : {0, 1, 5}) {
        CAPTURE(piece);
        CHECK(read_all(text, o, piece) == expect);
    }
    CHECK(error_of("{\"text\": \"a\"}\n{\"text\": 3}\n", o) ==
          "in.txt:2: column 10: field 'text' is a number, not a string");
    o.field = "body";
    CHECK(error_of("\n\n{\"text\": \"a\"}\n", o) == "in.txt:3: the object has no field 'body'");
}

TEST_CASE("text_input: a NUL byte is refused with its line") {
    ex::input_options o;
    CHECK(error_of(std::string("a\nb\nc\0d\n", 8), o) == "in.txt:3: a NUL byte: this is not a text or JSONL file");
}

TEST_CASE("text_input: detokenize joins punctuation back to words") {
    collapsekit::vocabulary v;
    collapsekit::tokenizer tok;
    auto ids = tok.encode("The baker's self-taught wife (of course) said: \"no, never!\" 50%.", v);
    CHECK(ex::detokenize(ids, v) == "The baker's self-taught wife (of course) said: \" no, never! \" 50%.");
    // A word the vocabulary could not hold is written as bytes and read back whole.
    ids = tok.encode("wife", v);
    ids.insert(ids.begin(), {'z', 'o', 'o'});
    ids.push_back('.');
    CHECK(ex::detokenize(ids, v) == "zoo wife.");
    CHECK(ex::detokenize({}, v).empty());
    CHECK_THROWS_AS(ex::detokenize({1u << 30}, v), std::invalid_argument);
}

}  // namespace text_input_test
