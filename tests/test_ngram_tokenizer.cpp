#include <collapsekit/core/ascii.hpp>
#include <collapsekit/ngram.hpp>

#include <doctest/doctest.h>

#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck = collapsekit;

TEST_CASE("tokenizer splits words and punctuation") {
    const ck::tokenizer tok;
    const auto p = tok.split("Hello, world!  It's\tcafé-time\n");
    CHECK(p == std::vector<std::string>{"Hello", ",", "world", "!", "It", "'", "s", "caf\xc3\xa9", "-", "time"});
    CHECK(tok.split("").empty());
    CHECK(tok.split(" \t\n").empty());
    ck::tokenizer_options lower;
    lower.lowercase = true;
    CHECK(ck::tokenizer(lower).split("The CAT") == std::vector<std::string>{"the", "cat"});
}

TEST_CASE("vocabulary ids, byte-level fallback and decoding") {
    ck::vocabulary v;
    CHECK(v.size() == 256);
    CHECK(v.token(65) == "<0x41>");
    const ck::tokenizer tok;
    const auto ids = tok.encode("the cat the", v);
    CHECK(ids == std::vector<std::uint32_t>{256, 257, 256});
    CHECK(v.size() == 258);
    CHECK(v.find("cat") == 257);
    CHECK(v.find("dog") == -1);
    v.freeze();
    CHECK_FALSE(v.can_grow());
    // Unknown words after freezing become bytes; decoding joins the bytes back.
    const auto more = tok.encode("the dog", v);
    CHECK(more == std::vector<std::uint32_t>{256, 'd', 'o', 'g'});
    CHECK(v.size() == 258);
    CHECK(v.decode(more) == "the dog");
    CHECK(v.decode(ids) == "the cat the");
    CHECK_THROWS_AS(v.add("dog"), std::invalid_argument);
    CHECK_THROWS_AS(v.token(1000), std::invalid_argument);
    CHECK_THROWS_AS(ck::vocabulary(100), std::invalid_argument);

    // A size limit: the third distinct word no longer fits.
    ck::vocabulary small(258);
    const auto s = tok.encode("a b c a", small);
    CHECK(s == std::vector<std::uint32_t>{256, 257, 'c', 256});
}

TEST_CASE("plain-text files become corpora without crossing documents") {
    const std::string path = std::string(COLLAPSEKIT_FIXTURE_DIR) + "/ngram_text.txt";
    const std::string text = ck::read_text_file(path);
    CHECK(ck::split_documents(text, ck::document_split::lines).size() == 3);
    CHECK(ck::split_documents(text, ck::document_split::paragraphs).size() == 2);
    CHECK(ck::split_documents(text, ck::document_split::whole).size() == 1);
    ck::vocabulary v;
    ck::tokenizer_options lower;
    lower.lowercase = true;
    const auto c = ck::corpus_from_text_file(path, v, ck::document_split::lines, ck::tokenizer(lower));
    CHECK(c.documents() == 3);
    // Line 1: the cat sat on the mat . the cat sat ! -> 11 tokens.
    CHECK(c.document_length(0) == 11);
    CHECK(v.decode(c.document(0)) == "the cat sat on the mat . the cat sat !");
    // "the cat sat" occurs in lines 1 and 3; "sat on the mat ." in both too.
    const ck::ngram_counts tri(c, 3);
    const std::vector<std::uint32_t> the_cat_sat{static_cast<std::uint32_t>(v.find("the")),
                                                 static_cast<std::uint32_t>(v.find("cat")),
                                                 static_cast<std::uint32_t>(v.find("sat"))};
    CHECK(tri.count(the_cat_sat) == 3);
    CHECK(ck::distinct_n(c, 1) > 0.0);
    CHECK_THROWS_WITH_AS(ck::read_text_file("/nonexistent/x.txt"),
                         "collapsekit::read_text_file: path '/nonexistent/x.txt' cannot be opened",
                         std::invalid_argument);
}

TEST_CASE("ascii byte classes agree with <cctype> in the C locale for every byte") {
    for (int c = 0; c < 256; ++c) {
        const auto u = static_cast<unsigned char>(c);
        const bool ascii_alnum = c < 0x80 && std::isalnum(c) != 0;
        CHECK(collapsekit::ascii::is_word_byte(u) == (ascii_alnum || c >= 0x80));
        const char expected = c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(u);
        CHECK(collapsekit::ascii::to_lower(static_cast<char>(u)) == expected);
    }
}
