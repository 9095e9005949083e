// Byte classes shared by the two text front ends (ngram/tokenizer.hpp and
// feedback/text.hpp): both split words on bytes, without a locale, so that the same text
// gives the same words on every machine, and both keep UTF-8 sequences (bytes >= 0x80)
// inside words rather than splitting multi-byte letters.
#pragma once

namespace collapsekit::ascii {

constexpr bool is_upper(unsigned char c) noexcept { return c >= 'A' && c <= 'Z'; }

// ASCII letters and digits, and every byte of a UTF-8 multi-byte sequence.
constexpr bool is_word_byte(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || is_upper(c) || (c >= 'a' && c <= 'z') || c >= 0x80;
}

// ASCII upper case to lower case; every other byte unchanged.
constexpr char to_lower(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return is_upper(u) ? static_cast<char>(u - 'A' + 'a') : c;
}

}  // namespace collapsekit::ascii
