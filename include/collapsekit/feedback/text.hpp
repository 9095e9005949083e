// Plain text to token-id documents and back, for the n-gram language model examples,
// plus a short built-in text so that demos and tests run without data.
//
// Deliberately simple: ASCII letters are lower-cased, a word is a run of letters, digits,
// apostrophes or non-ASCII bytes (so UTF-8 words stay whole), ',' ';' ':' are tokens of
// their own, and '.', '!', '?' are tokens that also end a sentence. Each sentence is one
// document; a blank line ends one too.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/ascii.hpp"
#include "../core/errors.hpp"

namespace collapsekit {
namespace feedback {

struct tokenized_text {
    std::vector<std::vector<std::uint32_t>> documents;  // one per sentence
    std::vector<std::string> words;                     // id -> token; ids by decreasing frequency
    std::size_t tokens = 0;                             // total number of tokens
};

// Splits `text` into sentences of tokens (see the header comment). Ids are assigned by
// decreasing frequency, ties by first appearance, so id 0 is the most common token.
// Throws std::invalid_argument if the text holds no token.
inline tokenized_text tokenize_sentences(std::string_view text) {
    std::vector<std::vector<std::string>> sentences(1);
    std::string word;
    auto flush_word = [&] {
        if (!word.empty()) sentences.back().push_back(std::move(word));
        word.clear();
    };
    auto end_sentence = [&] {
        flush_word();
        if (!sentences.back().empty()) sentences.emplace_back();
    };
    int newlines = 0;
    for (char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\n') {
            if (++newlines >= 2) end_sentence();
        } else if (ch != '\r' && ch != ' ' && ch != '\t') {
            newlines = 0;
        }
        if (ascii::is_word_byte(u) || ch == '\'') {
            word.push_back(ascii::to_lower(ch));
        } else if (ch == ',' || ch == ';' || ch == ':') {
            flush_word();
            sentences.back().emplace_back(1, ch);
        } else if (ch == '.' || ch == '!' || ch == '?') {
            flush_word();
            sentences.back().emplace_back(1, ch);
            end_sentence();
        } else {
            flush_word();
        }
    }
    flush_word();
    if (sentences.back().empty()) sentences.pop_back();
    require(!sentences.empty(), "tokenize_sentences", "text holds no token");

    std::unordered_map<std::string, std::size_t> index;
    std::vector<std::pair<std::string, std::size_t>> counts;  // in first-appearance order
    for (const auto& s : sentences) {
        for (const auto& w : s) {
            auto it = index.emplace(w, counts.size());
            if (it.second) counts.emplace_back(w, 0);
            ++counts[it.first->second].second;
        }
    }
    std::vector<std::size_t> order(counts.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return counts[a].second > counts[b].second; });
    tokenized_text out;
    std::vector<std::uint32_t> id_of(counts.size());
    out.words.reserve(counts.size());
    for (std::size_t r = 0; r < order.size(); ++r) {
        id_of[order[r]] = static_cast<std::uint32_t>(r);
        out.words.push_back(counts[order[r]].first);
    }
    out.documents.reserve(sentences.size());
    for (const auto& s : sentences) {
        std::vector<std::uint32_t> doc;
        doc.reserve(s.size());
        for (const auto& w : s) doc.push_back(id_of[index[w]]);
        out.tokens += doc.size();
        out.documents.push_back(std::move(doc));
    }
    return out;
}

// Joins the tokens of `doc` with spaces, without a space before punctuation. Throws for
// an id outside `words`.
inline std::string detokenize(const std::vector<std::uint32_t>& doc, const std::vector<std::string>& words) {
    std::string s;
    for (std::uint32_t id : doc) {
        if (id >= words.size()) {
            fail("detokenize",
                 "id " + std::to_string(id) + " is not below the vocabulary size " + std::to_string(words.size()));
        }
        const std::string& w = words[id];
        const bool punct = w.size() == 1 && std::string_view(",;:.!?").find(w[0]) != std::string_view::npos;
        if (!s.empty() && !punct) s.push_back(' ');
        s += w;
    }
    return s;
}

// A short original English text (about 600 words) for demos and tests.
inline std::string_view builtin_text() noexcept {
    return "The harbour town woke before the sun. The fishermen walked down to the boats, and the bakers lit "
           "their ovens. The old keeper of the lighthouse climbed the stairs one last time, because the lamp "
           "had burned all night and the night was over. From the top of the tower he could see the whole "
           "town: the market, the church, the narrow streets and the long grey road that ran along the coast.\n\n"
           "In the market the first carts arrived with apples, cheese and bread. A girl sold flowers from a "
           "bucket, and a boy sold newspapers that nobody read. The baker's wife argued with the fish seller "
           "about the price of salt, as she did every morning, and every morning she lost. Dogs slept in the "
           "sun. Gulls stole what they could. The church bell rang seven times, then eight, then nine.\n\n"
           "By noon the wind turned. The sea grew dark and the boats came home early, heavy with fish and "
           "light with news. The fishermen said that a storm was coming from the north. The keeper said "
           "nothing; he had seen a hundred storms and he would see a hundred more. He went back to the tower, "
           "cleaned the glass, filled the lamp with oil and waited for the night.\n\n"
           "The storm arrived at dusk. Rain fell on the roofs and on the empty market. The streets became "
           "rivers, and the rivers ran down to the sea. In the houses people lit candles and told old "
           "stories: the story of the ship that sank with gold, the story of the whale that sang, the story "
           "of the keeper who never slept. Children listened and did not believe, and believed anyway.\n\n"
           "At midnight a small boat lost its way in the rain. The sailors could not see the coast, the "
           "rocks or the harbour. Then they saw the light. It turned slowly above the water, white and "
           "patient, and it showed them the way home. They rowed toward it, and the sea let them pass. When "
           "they reached the harbour, the whole town was waiting on the quay with blankets, soup and questions.\n\n"
           "In the morning the sky was clean and the sea was quiet. The market opened again. The baker's "
           "wife argued with the fish seller about the price of salt, and this time she won. The sailors "
           "climbed the stairs of the lighthouse to thank the keeper. They found him asleep in his chair, "
           "with the lamp still burning and a cup of cold tea on the table. They did not wake him. They "
           "left a loaf of bread, a basket of apples and a note that said: thank you for the light.\n\n"
           "Years later, when the lighthouse had an electric lamp and no keeper, the children of the town "
           "still told the story. Some said the keeper had been a sailor once. Some said he had never left "
           "the tower at all. Everyone agreed on one thing: on the night of the storm, the light did not go "
           "out. And when the wind turns and the sea grows dark, the old people of the harbour town still "
           "look up at the tower before they go to sleep.";
}

}  // namespace feedback
}  // namespace collapsekit
