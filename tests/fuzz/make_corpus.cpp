// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): valid
// serialised payloads of every kind each deserialiser reads, short texts for the readers,
// and fixed pseudo-random bytes for the structured targets (they decode any bytes).
// Regenerate with:  build/fuzz/tests/fuzz/collapsekit_fuzz_make_corpus tests/fuzz/corpus
// The output is deterministic (std::mt19937_64 is specified to the bit), so a rerun only
// changes files when a format or this generator changes.
#include <collapsekit/entropy.hpp>
#include <collapsekit/histogram.hpp>
#include <collapsekit/ngram.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace ck = collapsekit;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& dir, const std::string& name, const std::vector<std::uint8_t>& bytes) {
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}
void write(const fs::path& dir, const std::string& name, const std::string& text) {
    write(dir, name, std::vector<std::uint8_t>(text.begin(), text.end()));
}

void histograms(const fs::path& dir) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> x{-2.0, -0.5, 0.0, 0.25, 0.25, 0.9, 1.0, 3.0, nan};
    auto r = ck::histogram::regular(16, 0.0, 1.0);  // 184 bytes: the size issue 19 reports
    r.fill(std::vector<double>{0.1, 0.2, 0.2, 0.7, 1.5, -3.0});
    write(dir, "regular16", r.serialize());
    auto rp = ck::histogram::regular(3, -1.0, 1.0);
    rp.fill(x, ck::nan_policy::propagate);
    write(dir, "regular_nan_propagated", rp.serialize());
    auto e = ck::histogram::with_edges({-1.0, 0.0, 0.0, 1.0});
    e.fill(x, std::vector<double>{0.5, -1.0, 2.0, 1.0, 0.0, 3.0, 1.0, 1e300, 2.0}, ck::nan_policy::omit);
    write(dir, "edges_weighted", e.serialize());
    auto i = ck::histogram::integer(4);
    i.fill(std::vector<int>{0, 1, 1, 3, 7, -1});
    write(dir, "integer4", i.serialize());
    auto w = ck::histogram::integer(2);
    w.fill(std::vector<int>{0, 1}, std::vector<double>{0.25, 4.0});
    write(dir, "integer_weighted", w.serialize());
    write(dir, "one_bin", ck::histogram::regular(1, -1e-300, 1e-300).serialize());
}

void entropy(const fs::path& dir) {
    write(dir, "empty", ck::entropy_accumulator().serialize());
    ck::entropy_accumulator a(5);
    a.add(0, 7);
    a.add(3);
    a.add(4, std::uint64_t{1} << 40);
    write(dir, "five", a.serialize());
    ck::entropy_accumulator b;
    b.add(0, ~std::uint64_t{0});
    write(dir, "full", b.serialize());
}

void ngrams(const fs::path& dir) {
    for (std::size_t n = 1; n <= ck::max_ngram_order; ++n) {
        ck::ngram_counts t(n);
        t.add_document(std::vector<std::uint32_t>{1, 2, 1, 2, 3, 1, 2, 1, 2, 3});
        write(dir, "order" + std::to_string(n), t.serialize());
    }
    ck::ngram_counts wide(3);  // 32-bit ids: 96-bit keys, then id sequences for longer orders
    wide.add_document(std::vector<std::uint32_t>{0xFFFFFFFFu, 0, 0x80000000u, 7, 0xFFFFFFFFu});
    write(dir, "wide_ids", wide.serialize());
    write(dir, "empty", ck::ngram_counts(2).serialize());
}

void sketches(const fs::path& dir) {
    const std::vector<std::uint32_t> ids{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3};
    for (unsigned p : {4u, 6u, 10u}) {
        ck::hyperloglog h(2, p);
        h.add_document(ck::as_view(ids));
        write(dir, "p" + std::to_string(p), h.serialize());
    }
}

void texts(const fs::path& dir) {
    write(dir, "prose",
          std::string("\x01\x00\x00\x00\x05\x00\x01", 7) +
              "The harbour town woke before the sun. The baker's wife argued!\n\n"
              "Dogs slept; gulls stole what they could.\r\nCaf\xC3\xA9 na\xC3\xAFve -- ok?\n");
    write(dir, "jsonl",
          std::string("\x01\x01\x01\x00\x01\x03\x01", 7) +
              "{\"id\": 1, \"text\": \"A line with \\\"quotes\\\" and \\u00e9\\ud83d\\ude00.\", \"x\": [1, {\"a\": "
              "null}]}\n"
              "\n{\"text\": \"second\\nline\"}\n{\"text\": 3}\n");
    write(dir, "paragraphs", std::string("\x00\x01\x00\x01\x02\x02\x00", 7) + "one\ntwo\n\n\n three \n\tfour\n");
}

// Fixed pseudo-random seeds for targets that decode any bytes into arguments.
void random_seeds(const fs::path& dir, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    for (int k = 0; k < 8; ++k) {
        std::vector<std::uint8_t> b(static_cast<std::size_t>(64 << (k % 4)));
        for (auto& v : b) v = static_cast<std::uint8_t>(g() >> 56);
        write(dir, "seed" + std::to_string(k), b);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <corpus directory, e.g. tests/fuzz/corpus>\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    histograms(root / "fuzz_deserialize_histogram");
    entropy(root / "fuzz_deserialize_entropy");
    ngrams(root / "fuzz_deserialize_ngram_counts");
    sketches(root / "fuzz_deserialize_hyperloglog");
    texts(root / "fuzz_tokenizer");
    random_seeds(root / "fuzz_vector_measures", 1);
    random_seeds(root / "fuzz_simd_vs_scalar", 2);
    return 0;
}
