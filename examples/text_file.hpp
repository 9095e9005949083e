// A file's bytes in chunks, decompressed when it is gzip, for the text examples.
//
// Built with zlib (COLLAPSEKIT_EXAMPLES_ZLIB=1, which the CMake and Meson builds set when
// they find it), gzip is recognised by its first bytes, not by the file name, so
// "corpus.txt" that is really compressed still reads, and concatenated gzip members (as
// `cat a.gz b.gz` makes) read as one stream. Without zlib a gzip file is refused with a
// message that says so. Kept apart from text_input.hpp so that the parsing there can be
// tested without linking zlib.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "text_input.hpp"

#ifndef COLLAPSEKIT_EXAMPLES_ZLIB
#define COLLAPSEKIT_EXAMPLES_ZLIB 0
#endif
#if COLLAPSEKIT_EXAMPLES_ZLIB
#include <zlib.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
#endif

namespace collapsekit_examples {

// Calls sink(std::string_view chunk) with the content of `path` ("-": standard input,
// named "<stdin>" in messages). line() tells how many lines the sink has taken, to place
// a read error. Throws input_error "<path>: ..." when the file cannot be opened, cannot
// be read, or its gzip data is corrupt or cut short.
template <class Sink, class Line>
void read_file(const std::string& path, Sink&& sink, Line&& line) {
    const std::string name = path == "-" ? "<stdin>" : path;
    // Data is read ahead in large chunks, so a read error is placed after the lines
    // already taken rather than on a line of its own.
    auto fail_after = [&](const std::string& what) {
        const std::size_t n = line();
        return input_error(name + ": " + what + (n ? ", after line " + std::to_string(n) : std::string()));
    };
    std::vector<char> buf(std::size_t{1} << 18);
#if COLLAPSEKIT_EXAMPLES_ZLIB
    errno = 0;
    gzFile f = nullptr;
    if (path == "-") {
#if defined(__unix__) || defined(__APPLE__)
        // A duplicate, so that closing the gzip reader leaves standard input open.
        f = gzdopen(dup(fileno(stdin)), "rb");
#else
        f = gzdopen(fileno(stdin), "rb");
#endif
    } else {
        f = gzopen(path.c_str(), "rb");
    }
    if (f == nullptr) {
        throw input_error(name + ": cannot be opened (" + (errno ? std::strerror(errno) : "out of memory") + ")");
    }
    gzbuffer(f, 1u << 17);
    auto error_text = [&] {
        int code = Z_OK;
        std::string msg = gzerror(f, &code);
        if (code == Z_ERRNO) return "cannot be read (" + std::string(std::strerror(errno)) + ")";
        if (code == Z_BUF_ERROR) return std::string("the gzip data is cut short");
        // zlib puts the path in front of its message; it is in ours already.
        if (msg.compare(0, path.size() + 2, path + ": ") == 0) msg.erase(0, path.size() + 2);
        return "corrupt gzip data (" + msg + ")";
    };
    for (;;) {
        const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
        if (n < 0) {
            const input_error e = fail_after(error_text());
            gzclose(f);
            throw e;
        }
        if (n == 0) break;
        try {
            sink(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        } catch (...) {
            gzclose(f);
            throw;
        }
    }
    // A stream cut short ends like a complete one; zlib says so only when asked.
    int code = Z_OK;
    gzerror(f, &code);
    const std::string what = code == Z_OK ? std::string() : error_text();
    const int closed = gzclose(f);
    if (!what.empty()) throw fail_after(what);
    if (closed == Z_BUF_ERROR) throw fail_after("the gzip data is cut short");
    if (closed != Z_OK) throw fail_after("cannot be read");
#else
    std::FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
    if (f == nullptr) throw input_error(name + ": cannot be opened (" + std::strerror(errno) + ")");
    bool first = true;
    for (;;) {
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), f);
        if (first && n >= 2 && static_cast<unsigned char>(buf[0]) == 0x1F &&
            static_cast<unsigned char>(buf[1]) == 0x8B) {
            if (f != stdin) std::fclose(f);
            throw input_error(name + ": is gzip-compressed, and this program was built without zlib " +
                              "(install zlib and rebuild, or decompress the file first)");
        }
        first = false;
        if (n > 0) {
            try {
                sink(std::string_view(buf.data(), n));
            } catch (...) {
                if (f != stdin) std::fclose(f);
                throw;
            }
        }
        if (n < buf.size()) break;
    }
    const bool failed = std::ferror(f) != 0;
    if (f != stdin) std::fclose(f);
    if (failed) throw fail_after("cannot be read");
#endif
}

}  // namespace collapsekit_examples
