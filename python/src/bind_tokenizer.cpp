// Bindings of ngram/tokenizer.hpp: the byte-fallback vocabulary, the whitespace /
// punctuation tokenizer, and text-to-Corpus helpers (Corpus itself is bound in
// bind_ngram.cpp; the type registry is shared across the module).
#include <collapsekit/ngram/tokenizer.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"

namespace ckpy {

namespace {

ck::document_split split_of(const std::string& how) {
    return choice_of<ck::document_split>(how, "split_documents", "how",
                                         {{"lines", ck::document_split::lines},
                                          {"paragraphs", ck::document_split::paragraphs},
                                          {"whole", ck::document_split::whole}});
}

// Text from the library's bytes: UTF-8, with undecodable bytes (a byte token on its own)
// kept as surrogate escapes so that text.encode('utf-8', 'surrogateescape') gives them back.
py::str text_of(const std::string& s) {
    PyObject* u = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogateescape");
    if (!u) throw py::error_already_set();
    return py::reinterpret_steal<py::str>(u);
}

const ck::tokenizer& tokenizer_of(const py::object& t, ck::tokenizer& fallback) {
    if (t.is_none()) return fallback;
    return t.cast<const ck::tokenizer&>();
}

}  // namespace

void bind_tokenizer(py::module_& m) {
    py::class_<ck::vocabulary>(
        m, "Vocabulary",
        "Token vocabulary with a byte-level fallback: ids 0..255 are the 256 single bytes\n"
        "(token text '<0xNN>'), words get ids from 256 up in order of first appearance.\n"
        "max_size = 0: no limit; otherwise words are added while len(vocab) < max_size\n"
        "(max_size must then be above 256, else ValueError). A word met when the vocabulary may\n"
        "not grow (frozen or full) is encoded as its bytes.")
        .def(py::init<std::size_t>(), py::arg("max_size") = 0)
        .def_readonly_static("byte_tokens", &ck::vocabulary::byte_tokens)
        .def("__len__", &ck::vocabulary::size)
        .def_property_readonly("size", &ck::vocabulary::size)
        .def_property_readonly("frozen", &ck::vocabulary::frozen)
        .def_property_readonly("can_grow", &ck::vocabulary::can_grow)
        .def("freeze", &ck::vocabulary::freeze, "No more words: unknown words are encoded as bytes from now on.")
        .def(
            "find", [](const ck::vocabulary& v, const std::string& word) { return v.find(word); }, py::arg("word"),
            "The id of word, or -1 when it is not in the vocabulary.")
        .def(
            "add", [](ck::vocabulary& v, const std::string& word) { return v.add(word); }, py::arg("word"),
            "The id of word, adding it when new. ValueError for an empty word or a vocabulary that may\n"
            "not grow.")
        .def(
            "token", [](const ck::vocabulary& v, std::uint32_t id) { return text_of(v.token(id)); }, py::arg("id"),
            "The text of token id: the word, or '<0xNN>' for a byte token. ValueError for an id not in\n"
            "the vocabulary.")
        .def(
            "decode",
            [](const ck::vocabulary& v, const py::object& ids) {
                const auto x = token_ids_of(ids, "vocabulary::decode", "ids");
                return text_of(nogil([&] { return v.decode(x); }));
            },
            py::arg("ids"),
            "Text from ids: tokens joined by single spaces, runs of byte tokens joined back into their\n"
            "bytes (bytes that are not UTF-8 come back as surrogate escapes). ValueError for an unknown id.")
        .def("__repr__", [](const ck::vocabulary& v) {
            return "Vocabulary(size=" + std::to_string(v.size()) + (v.frozen() ? ", frozen" : "") + ")";
        });

    py::class_<ck::tokenizer>(
        m, "Tokenizer",
        "A small, fully specified tokenizer: ASCII whitespace separates; a word is a maximal run of\n"
        "ASCII letters, digits and bytes >= 0x80 (UTF-8 letters stay inside words); every other\n"
        "printable ASCII character is a token of its own; control bytes are dropped. lowercase=True\n"
        "folds ASCII letters. For model tokenizers (BPE, SentencePiece), pass their ids to Corpus.")
        .def(py::init([](bool lowercase) {
                 ck::tokenizer_options o;
                 o.lowercase = lowercase;
                 return ck::tokenizer(o);
             }),
             py::arg("lowercase") = false)
        .def(
            "split",
            [](const ck::tokenizer& t, const std::string& text) {
                const auto pieces = nogil([&] { return t.split(text); });
                py::list out;
                for (const auto& p : pieces) out.append(text_of(p));
                return out;
            },
            py::arg("text"), "The pieces of text (words and punctuation), in order.")
        .def(
            "encode",
            [](const ck::tokenizer& t, const std::string& text, ck::vocabulary& vocab) {
                return to_numpy(nogil([&] { return t.encode(text, vocab); }));
            },
            py::arg("text"), py::arg("vocab"),
            "Token ids (uint32 array) of text: known words by id, new words added while vocab can grow,\n"
            "otherwise written as byte tokens. vocab is updated in place (not thread-safe: one\n"
            "Vocabulary per thread).")
        .def(
            "encode_documents",
            [](const ck::tokenizer& t, const std::vector<std::string>& texts, ck::vocabulary& vocab) {
                return nogil([&] { return t.encode_documents(texts, vocab); });
            },
            py::arg("texts"), py::arg("vocab"), "A Corpus with one document per text (vocab updated in place).");

    m.def(
        "split_documents",
        [](const std::string& text, const std::string& how) {
            const auto h = split_of(how);
            const auto docs = nogil([&] { return ck::split_documents(text, h); });
            py::list out;
            for (const auto& d : docs) out.append(text_of(d));
            return out;
        },
        py::arg("text"), py::arg("how") = "lines",
        "The documents of a text: how='lines' (each non-blank line), 'paragraphs' (blocks separated\n"
        "by blank lines) or 'whole' (the text itself); blank documents are dropped.");
    m.def(
        "corpus_from_text_file",
        [](const std::string& path, ck::vocabulary& vocab, const std::string& how, const py::object& tokenizer) {
            const auto h = split_of(how);
            ck::tokenizer plain;
            const ck::tokenizer& tok = tokenizer_of(tokenizer, plain);
            return nogil([&] { return ck::corpus_from_text_file(path, vocab, h, tok); });
        },
        py::arg("path"), py::arg("vocab"), py::arg("how") = "lines", py::arg("tokenizer") = py::none(),
        "Reads a plain-text file (bytes, no decoding) and tokenises it into a Corpus, documents as\n"
        "split_documents' how says; tokenizer None is Tokenizer(). vocab is updated in place.\n"
        "ValueError naming the path when the file cannot be opened.");
}

}  // namespace ckpy
