// Helpers shared by the n-gram test programs.
#pragma once

#include <collapsekit/ngram/corpus.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace ngram_test {

// The corpus a fixture stores as `<name>_tokens` and `<name>_offsets`.
inline collapsekit::corpus fixture_corpus(const collapsekit_test::fixture& f, const std::string& name) {
    std::vector<std::uint32_t> tokens;
    for (double v : f[name + "_tokens"]) tokens.push_back(static_cast<std::uint32_t>(v));
    std::vector<std::size_t> offsets;
    for (double v : f[name + "_offsets"]) offsets.push_back(static_cast<std::size_t>(v));
    return collapsekit::corpus(std::move(tokens), std::move(offsets));
}

inline collapsekit::corpus make(const std::vector<std::vector<std::uint32_t>>& docs) {
    return collapsekit::corpus::from_documents(docs);
}

}  // namespace ngram_test
