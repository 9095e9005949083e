// Bindings of ngram.hpp: token-id corpora, n-gram diversity measures, and the picklable,
// mergeable NgramCounts table and HyperLogLog sketch.
#include <collapsekit/divergence.hpp>
#include <collapsekit/entropy/estimator.hpp>
#include <collapsekit/ngram.hpp>

#include <string>
#include <vector>

#include "common.hpp"

namespace ckpy {

ck::zero_support zero_support_of(const py::object& z);  // bind_divergence.cpp

namespace {

// The integer type of an array the corpus reads as it is (C-contiguous, aligned, native
// byte order, any integer width): 'u' or 'i' and the width in bytes, as 16 + size for
// unsigned and size for signed; 0 for any other array (it is converted first). Read from
// the array's flags and dtype fields: a document of ten tokens costs a few of these
// look-ups, not eight isinstance tests.
int direct_ids_code(const py::array& a) {
    constexpr int c_contiguous = 0x0001, aligned = 0x0100;  // NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_ALIGNED
    if ((a.flags() & (c_contiguous | aligned)) != (c_contiguous | aligned)) return 0;
    const py::dtype t = a.dtype();
    const char kind = t.kind(), order = t.byteorder();
    if ((kind != 'i' && kind != 'u') || (order != '=' && order != '|')) return 0;
    const auto size = static_cast<int>(t.itemsize());
    if (size != 1 && size != 2 && size != 4 && size != 8) return 0;
    return (kind == 'u' ? 16 : 0) + size;
}

// Calls f(view) on the ids of a 1-D array of direct_ids_code `code` (nonzero).
template <class F>
void with_ids(const py::array& a, int code, F&& f) {
    const void* p = a.data();
    const auto n = static_cast<std::size_t>(a.size());
    auto as = [&](auto tag) {
        using T = decltype(tag);
        f(ck::view<const T>(static_cast<const T*>(p), n));
    };
    switch (code) {
        case 16 + 4:
            return as(std::uint32_t{});
        case 8:
            return as(std::int64_t{});
        case 4:
            return as(std::int32_t{});
        case 16 + 8:
            return as(std::uint64_t{});
        case 16 + 2:
            return as(std::uint16_t{});
        case 2:
            return as(std::int16_t{});
        case 16 + 1:
            return as(std::uint8_t{});
        default:
            return as(std::int8_t{});
    }
}

// The name of argument `arg` (index < 0) or of its element `index`, for messages only.
std::string arg_name(const char* arg, std::ptrdiff_t index) {
    return index < 0 ? std::string(arg) : std::string(arg) + "[" + std::to_string(index) + "]";
}

// One document's ids as a 1-D array with its direct_ids_code: the object itself when the
// corpus can read it as it is, else a conversion to int64 (lists, strided arrays, other
// dtypes). Either way the corpus then copies each id once.
struct document_ids {
    py::array array;
    int code;
};

document_ids document_of(py::handle obj, const char* function, const char* arg, std::ptrdiff_t index = -1) {
    // (No default-constructed py::array on the way: that allocates an empty numpy array.)
    if (py::isinstance<py::array>(obj)) {
        auto a = py::reinterpret_borrow<py::array>(obj);
        const int code = direct_ids_code(a);
        if (code != 0) {
            if (a.ndim() != 1) require_ndim(a, 1, function, arg_name(arg, index).c_str());
            return {std::move(a), code};
        }
    }
    auto a = whole_numbers(obj, function, arg_name(arg, index).c_str());
    if (a.ndim() != 1) require_ndim(a, 1, function, arg_name(arg, index).c_str());
    return {std::move(a), 8};
}

// Appends the ids of d to c; an id outside [0, 2^32) is a ValueError naming the
// argument and the index.
void append_document(ck::corpus& c, const document_ids& d, const char* function, const char* arg,
                     std::ptrdiff_t index = -1) {
    with_ids(d.array, d.code, [&](auto ids) {
        const std::size_t bad = ck::detail::first_id_out_of_range(ids.data(), ids.size());
        if (bad != ids.size()) {
            const std::string name = arg_name(arg, index);
            throw py::value_error(std::string("collapsekit.") + function + ": " + name +
                                  " must hold token ids in [0, 2^32) (" + name + "[" + std::to_string(bad) +
                                  "] = " + std::to_string(ids[bad]) + ")");
        }
        c.add_document(ids);
    });
}

// True when obj is one document rather than a sequence of documents: a 1-D array, or a
// sequence whose first item is an integer (a list of ids).
bool is_one_document(py::handle obj) {
    if (py::isinstance<py::array>(obj)) return py::reinterpret_borrow<py::array>(obj).ndim() == 1;
    if (!py::isinstance<py::sequence>(obj) || py::isinstance<py::str>(obj) || py::isinstance<py::bytes>(obj)) {
        return false;
    }
    const auto seq = py::reinterpret_borrow<py::sequence>(obj);
    if (seq.size() == 0) return false;
    const py::object first = seq[0];
    return !py::isinstance<py::array>(first) && PyIndex_Check(first.ptr()) != 0;
}

// A corpus from Python: a sequence (or any iterable) of documents, each a 1-D array-like
// of integer ids; or, for convenience, one such array alone as a one-document corpus.
// The documents are read once to learn their lengths, so the corpus is sized once and
// every id is copied once (linear in the tokens, whatever the number of documents).
ck::corpus corpus_from_python(py::handle documents, const char* function) {
    ck::corpus c;
    if (is_one_document(documents)) {
        const document_ids d = document_of(documents, function, "corpus");
        c.reserve(static_cast<std::size_t>(d.array.size()), 1);
        append_document(c, d, function, "corpus");
        return c;
    }
    if (py::isinstance<py::array>(documents) && py::reinterpret_borrow<py::array>(documents).ndim() != 2) {
        throw py::value_error(std::string("collapsekit.") + function +
                              ": an array corpus must be 1-dimensional (one document) or 2-dimensional (one "
                              "document per row) (got " +
                              std::to_string(py::reinterpret_borrow<py::array>(documents).ndim()) + " dimensions)");
    }
    std::vector<document_ids> docs;
    const Py_ssize_t hint = PyObject_LengthHint(documents.ptr(), 0);
    if (hint < 0) throw py::error_already_set();
    docs.reserve(static_cast<std::size_t>(hint));
    std::size_t tokens = 0;
    for (const py::handle d : py::iter(documents)) {
        docs.push_back(document_of(d, function, "documents", static_cast<std::ptrdiff_t>(docs.size())));
        tokens += static_cast<std::size_t>(docs.back().array.size());
    }
    c.reserve(tokens, docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) {
        append_document(c, docs[i], function, "documents", static_cast<std::ptrdiff_t>(i));
    }
    return c;
}

// A Corpus argument, or anything corpus_from_python accepts.
struct corpus_arg {
    ck::corpus owned;
    const ck::corpus* ptr = nullptr;
    corpus_arg(const py::object& obj, const char* function) {
        if (py::isinstance<ck::corpus>(obj)) {
            ptr = &obj.cast<const ck::corpus&>();
        } else if (py::isinstance<py::array>(obj) ||
                   (py::isinstance<py::iterable>(obj) && !py::isinstance<py::str>(obj))) {
            owned = corpus_from_python(obj, function);
            ptr = &owned;
        } else {
            throw py::type_error(std::string("collapsekit.") + function +
                                 ": corpus must be a Corpus, a sequence of token-id arrays, or one 1-D token-id "
                                 "array (a single document)");
        }
    }
    const ck::corpus& get() const { return *ptr; }
};

ck::distinct_average average_of(const std::string& s) {
    return choice_of<ck::distinct_average>(
        s, "distinct_n", "average",
        {{"corpus", ck::distinct_average::corpus}, {"document", ck::distinct_average::document}});
}

ck::self_bleu_options bleu_options(std::size_t max_order, const std::string& smoothing, double epsilon) {
    ck::self_bleu_options o;
    o.max_order = max_order;
    o.epsilon = epsilon;
    o.smoothing = choice_of<ck::bleu_smoothing>(smoothing, "self_bleu", "smoothing",
                                                {{"none", ck::bleu_smoothing::none},
                                                 {"epsilon", ck::bleu_smoothing::epsilon},
                                                 {"add_one", ck::bleu_smoothing::add_one}});
    return o;
}

ck::hll_estimator hll_of(const std::string& s) {
    return choice_of<ck::hll_estimator>(s, "HyperLogLog.cardinality", "estimator",
                                        {{"classic", ck::hll_estimator::classic}, {"ertl", ck::hll_estimator::ertl}});
}

ck::estimate table_entropy(const ck::ngram_counts& t, const std::string& estimator, std::optional<double> base) {
    return ck::ngram_entropy(t, ck::parse_entropy_estimator(estimator), base_of(base));
}

}  // namespace

void bind_ngram(py::module_& m) {
    py::class_<ck::corpus>(m, "Corpus",
                           "Token ids (uint32) with document offsets; no n-gram spans two documents.\n"
                           "Corpus(documents) takes a sequence of integer id arrays (or one 1-D id array as a\n"
                           "single document); Corpus.from_arrays(tokens, offsets) the flat form (offsets start at\n"
                           "0 and end at len(tokens)). Building copies each id once: arrays of any integer dtype\n"
                           "are read as they are, lists are converted first. Float ids are taken only when whole\n"
                           "(3.0 is id 3): a fraction, NaN or inf is a ValueError, never truncated; so for every\n"
                           "function that takes documents or ids.")
        .def(py::init([](const py::object& documents) { return corpus_from_python(documents, "Corpus"); }),
             py::arg("documents"))
        .def(py::init<>())
        .def_static(
            "from_arrays",
            [](const py::object& tokens, const py::object& offsets) {
                constexpr const char* fn = "Corpus.from_arrays";
                const document_ids t = document_of(tokens, fn, "tokens");
                std::vector<std::uint32_t> tv;
                with_ids(t.array, t.code, [&](auto ids) {
                    const std::size_t bad = ck::detail::first_id_out_of_range(ids.data(), ids.size());
                    if (bad != ids.size()) {
                        throw py::value_error(std::string("collapsekit.") + fn +
                                              ": tokens must hold token ids in [0, 2^32) (tokens[" +
                                              std::to_string(bad) + "] = " + std::to_string(ids[bad]) + ")");
                    }
                    tv.assign(ids.begin(), ids.end());
                });
                auto o = whole_vector(offsets, fn, "offsets");
                std::vector<std::size_t> ov(static_cast<std::size_t>(o.size()));
                for (std::size_t i = 0; i < ov.size(); ++i) {
                    if (o.data()[i] < 0) {
                        throw py::value_error(std::string("collapsekit.") + fn + ": offsets must be non-negative");
                    }
                    ov[i] = static_cast<std::size_t>(o.data()[i]);
                }
                return ck::corpus(std::move(tv), std::move(ov));
            },
            py::arg("tokens"), py::arg("offsets"))
        .def(
            "add_document",
            [](ck::corpus& c, const py::object& ids) {
                constexpr const char* fn = "Corpus.add_document";
                append_document(c, document_of(ids, fn, "ids"), fn, "ids");
            },
            py::arg("ids"))
        .def_property_readonly("documents", &ck::corpus::documents)
        .def("__len__", &ck::corpus::documents)
        .def_property_readonly("size", &ck::corpus::size, "Number of tokens.")
        .def_property_readonly("max_id", &ck::corpus::max_id)
        .def_property_readonly("tokens", [](const ck::corpus& c) { return to_numpy(c.tokens()); })
        .def_property_readonly("offsets",
                               [](const ck::corpus& c) {
                                   const auto& o = c.offsets();
                                   return to_numpy(std::vector<std::uint64_t>(o.begin(), o.end()));
                               })
        .def("ngram_total", &ck::corpus::ngram_total, py::arg("n"))
        .def(py::pickle(
            [](const ck::corpus& c) {
                const auto& o = c.offsets();
                return py::make_tuple(to_numpy(c.tokens()), to_numpy(std::vector<std::uint64_t>(o.begin(), o.end())));
            },
            [](const py::tuple& t) {
                auto tok = contiguous<std::uint32_t>(t[0], "Corpus", "tokens");
                auto off = contiguous<std::uint64_t>(t[1], "Corpus", "offsets");
                return ck::corpus(std::vector<std::uint32_t>(tok.data(), tok.data() + tok.size()),
                                  std::vector<std::size_t>(off.data(), off.data() + off.size()));
            }));

    m.def(
        "distinct_n",
        [](const py::object& corpus, std::size_t n, const std::string& average, std::int64_t threads) {
            const auto ex = execution_of(threads, "distinct_n");
            corpus_arg c(corpus, "distinct_n");
            const auto avg = average_of(average);
            return nogil([&] { return ck::distinct_n(ex, c.get(), n, avg); });
        },
        py::arg("corpus"), py::arg("n"), py::arg("average") = "corpus", py::arg("threads") = 0,
        "distinct-n: distinct n-grams / n-gram occurrences, pooled over the corpus ('corpus')\n"
        "or averaged over documents ('document'). n in 1..8. ValueError for a corpus without n-grams.\n"
        "corpus, here and in every corpus function: a Corpus, a sequence of 1-D token-id arrays\n"
        "(one per document), or one 1-D token-id array (a single document).\n"
        "threads: 0 (default) uses every core when the corpus is big enough to pay, 1 below that;\n"
        "n >= 1 uses at most n. The result is the same, bit for bit, for every value.");
    m.def("release_ngram_workspace", &ck::release_ngram_workspace,
          "Frees the memory the calling thread keeps between calls for counting the distinct n-grams\n"
          "of large corpora (about 8 bytes per n-gram of the largest corpus counted so far; reusing\n"
          "it spares later calls the cost of fresh pages). Results never depend on it.");
    m.def(
        "distinct_ngrams",
        [](const py::object& corpus, std::size_t n, std::int64_t threads) {
            const auto ex = execution_of(threads, "distinct_ngrams");
            corpus_arg c(corpus, "distinct_ngrams");
            return nogil([&] { return ck::distinct_ngrams(ex, c.get(), n); });
        },
        py::arg("corpus"), py::arg("n"), py::arg("threads") = 0,
        "Number of distinct n-grams of the corpus (exact). ValueError for n outside 1..8 or an empty\n"
        "corpus (no documents or no tokens), as distinct_n; a corpus whose documents are all shorter\n"
        "than n gives 0 (distinct_n raises there: it would divide by 0). threads: as distinct_n (0 =\n"
        "all cores that pay; the count never depends on it).");
    m.def(
        "type_token_ratio",
        [](const py::object& corpus) {
            corpus_arg c(corpus, "type_token_ratio");
            return nogil([&] { return ck::type_token_ratio(c.get()); });
        },
        py::arg("corpus"), "Distinct tokens / tokens (= distinct_n(corpus, 1)).");
    m.def(
        "repetition_rate",
        [](const py::object& corpus, std::size_t n, std::int64_t threads) {
            const auto ex = execution_of(threads, "repetition_rate");
            corpus_arg c(corpus, "repetition_rate");
            return nogil([&] { return ck::repetition_rate(ex, c.get(), n); });
        },
        py::arg("corpus"), py::arg("n"), py::arg("threads") = 0,
        "Share of n-gram occurrences that repeat an earlier one. threads: as distinct_n.");

    py::class_<ck::novelty_result>(m, "NoveltyResult",
                                   "Share of generated n-gram occurrences (tokens) and of distinct generated\n"
                                   "n-grams (types) absent from the reference.")
        .def_readonly("tokens", &ck::novelty_result::tokens)
        .def_readonly("types", &ck::novelty_result::types)
        .def_readonly("total", &ck::novelty_result::total)
        .def_readonly("distinct", &ck::novelty_result::distinct)
        .def("__repr__", [](const ck::novelty_result& r) {
            return "NoveltyResult(tokens=" + std::to_string(r.tokens) + ", types=" + std::to_string(r.types) + ")";
        });
    m.def(
        "novelty",
        [](const py::object& generated, const py::object& reference, std::size_t n) {
            corpus_arg g(generated, "novelty");
            corpus_arg r(reference, "novelty");
            return nogil([&] { return ck::novelty(g.get(), r.get(), n); });
        },
        py::arg("generated"), py::arg("reference"), py::arg("n"),
        "Novelty of generated text against a reference corpus for n-grams of order n.");

    m.def(
        "self_bleu",
        [](const py::object& corpus, std::size_t max_order, const std::string& smoothing, double epsilon) {
            corpus_arg c(corpus, "self_bleu");
            const auto o = bleu_options(max_order, smoothing, epsilon);
            return nogil([&] { return ck::self_bleu(c.get(), o); });
        },
        py::arg("corpus"), py::arg("max_order") = 4, py::arg("smoothing") = "epsilon", py::arg("epsilon") = 0.1,
        "Self-BLEU: mean over documents of BLEU-N of each document against all others as references\n"
        "(weights 1/N); higher means less diverse. smoothing: 'none', 'epsilon', 'add_one'.");
    m.def(
        "self_bleu_per_document",
        [](const py::object& corpus, std::size_t max_order, const std::string& smoothing, double epsilon) {
            corpus_arg c(corpus, "self_bleu_per_document");
            const auto o = bleu_options(max_order, smoothing, epsilon);
            return to_numpy(nogil([&] { return ck::self_bleu_per_document(c.get(), o); }));
        },
        py::arg("corpus"), py::arg("max_order") = 4, py::arg("smoothing") = "epsilon", py::arg("epsilon") = 0.1);
    m.def(
        "self_bleu_sampled",
        [](const py::object& corpus, std::size_t sample_size, std::uint64_t seed, std::size_t max_order,
           const std::string& smoothing, double epsilon) {
            corpus_arg c(corpus, "self_bleu_sampled");
            const auto o = bleu_options(max_order, smoothing, epsilon);
            return nogil([&] { return ck::self_bleu_sampled(c.get(), sample_size, seed, o); });
        },
        py::arg("corpus"), py::arg("sample_size"), py::arg("seed") = 0, py::arg("max_order") = 4,
        py::arg("smoothing") = "epsilon", py::arg("epsilon") = 0.1,
        "Self-BLEU over a seeded sample of documents, as an Estimate.");
    m.def(
        "mattr",
        [](const py::object& corpus, std::size_t window) {
            corpus_arg c(corpus, "mattr");
            return nogil([&] { return ck::mattr(c.get(), window); });
        },
        py::arg("corpus"), py::arg("window") = 50, "Moving-average type-token ratio.");
    m.def(
        "mtld",
        [](const py::object& corpus, double threshold) {
            corpus_arg c(corpus, "mtld");
            return nogil([&] { return ck::mtld(c.get(), threshold); });
        },
        py::arg("corpus"), py::arg("threshold") = 0.72,
        "Measure of textual lexical diversity (McCarthy & Jarvis 2010), in tokens per factor: the\n"
        "mean of the forward and backward passes, segments never spanning documents. Returns\n"
        "float('inf') exactly when no document repeats a token (every segment keeps a type-token\n"
        "ratio of 1, so no factor is counted; the paper defines no value there); one repeated\n"
        "token anywhere gives a finite value. ValueError for threshold outside (0, 1) or an empty\n"
        "corpus.");
    m.def(
        "zipf_exponent",
        [](const py::object& corpus, std::size_t n) {
            corpus_arg c(corpus, "zipf_exponent");
            return nogil([&] { return ck::zipf_exponent(c.get(), n); });
        },
        py::arg("corpus"), py::arg("n") = 1, "Zipf exponent of the n-gram rank-frequency curve, as an Estimate.");

    py::class_<ck::ngram_counts> counts_cls(m, "NgramCounts",
                                            "Counts of n-grams of one order; mergeable (+=, +, merge) and picklable.");
    counts_cls.def(py::init<std::size_t>(), py::arg("n"))
        .def(py::init([](const py::object& corpus, std::size_t n, std::int64_t threads) {
                 const auto ex = execution_of(threads, "NgramCounts");
                 corpus_arg c(corpus, "NgramCounts");
                 return nogil([&] { return ck::ngram_counts(ex, c.get(), n); });
             }),
             py::arg("corpus"), py::arg("n"), py::arg("threads") = 0,
             "Counts the n-grams of corpus on up to `threads` threads (0: every core when the corpus\n"
             "is big enough to pay); the table, and the order of count_values(), never depend on it.")
        .def(
            "add",
            [](ck::ngram_counts& t, const py::object& corpus, std::int64_t threads) {
                const auto ex = execution_of(threads, "NgramCounts.add");
                corpus_arg c(corpus, "NgramCounts.add");
                nogil([&] { t.add(ex, c.get()); });
            },
            py::arg("corpus"), py::arg("threads") = 0,
            "Adds the n-gram counts of corpus (threads: as the constructor).")
        .def(
            "add_document",
            [](ck::ngram_counts& t, const py::object& ids) {
                constexpr const char* fn = "NgramCounts.add_document";
                ck::corpus c;
                append_document(c, document_of(ids, fn, "ids"), fn, "ids");
                t.add(c);
            },
            py::arg("ids"))
        .def(
            "add_ngram",
            [](ck::ngram_counts& t, const py::object& ids, std::uint64_t count) {
                auto v = whole_vector(ids, "NgramCounts.add_ngram", "ids");
                t.add_ngram(view_of(v), count);
            },
            py::arg("ids"), py::arg("count") = 1)
        .def_property_readonly("order", &ck::ngram_counts::order)
        .def_property_readonly("total", &ck::ngram_counts::total)
        .def_property_readonly("distinct", &ck::ngram_counts::distinct)
        .def("count_values", [](const ck::ngram_counts& t) { return to_numpy(t.count_values()); })
        .def(
            "sorted",
            [](const ck::ngram_counts& t) {
                auto e = t.sorted();
                auto ids = to_numpy(std::move(e.ids));
                ids = ids.reshape({static_cast<py::ssize_t>(t.distinct()), static_cast<py::ssize_t>(t.order())});
                return py::make_tuple(ids, to_numpy(std::move(e.counts)));
            },
            "(ids, counts): every distinct n-gram (rows of ids, lexicographic) with its count.")
        .def("entropy", &table_entropy, py::arg("estimator") = "plugin", py::arg("base") = py::none(),
             "Entropy of the n-gram distribution (count estimators as entropy_estimate).");
    def_accumulator(counts_cls);

    m.def(
        "ngram_entropy",
        [](const py::object& corpus, std::size_t n, const std::string& estimator, std::optional<double> base) {
            corpus_arg c(corpus, "ngram_entropy");
            const auto e = ck::parse_entropy_estimator(estimator);
            return nogil([&] { return ck::ngram_entropy(c.get(), n, e, base_of(base)); });
        },
        py::arg("corpus"), py::arg("n"), py::arg("estimator") = "plugin", py::arg("base") = py::none(),
        "Shannon entropy of the corpus's n-gram distribution by a count estimator ('plugin',\n"
        "'miller_madow', 'grassberger', 'chao_shen', 'james_stein', 'nsb'; K = distinct n-grams\n"
        "observed), as an Estimate.");
    for (const bool kl : {true, false}) {
        const char* name = kl ? "ngram_kl_divergence" : "ngram_js_divergence";
        m.def(
            name,
            [kl, name](const py::object& p, const py::object& q, std::size_t n, const py::object& zs,
                       std::optional<double> base) {
                corpus_arg a(p, name);
                corpus_arg b(q, name);
                const auto z = zero_support_of(zs);
                return nogil([&] {
                    return kl ? ck::ngram_kl_divergence(a.get(), b.get(), n, z, base_of(base))
                              : ck::ngram_js_divergence(a.get(), b.get(), n, z, base_of(base));
                });
            },
            py::arg("p"), py::arg("q"), py::arg("n"), py::arg("zero_support") = py::none(),
            py::arg("base") = py::none(),
            kl ? "KL divergence between the n-gram distributions of two corpora, over the union of their\n"
                 "n-grams (+inf under zero_support=None as soon as p has an n-gram q lacks)."
               : "Jensen-Shannon divergence between the n-gram distributions of two corpora (at most\n"
                 "log 2 nats).");
    }

    py::class_<ck::hyperloglog> hll_cls(
        m, "HyperLogLog",
        "HyperLogLog sketch of the distinct n-grams of order n (2^precision registers,\n"
        "relative standard error 1.04 / sqrt(2^precision)); mergeable and picklable.");
    hll_cls.def(py::init<std::size_t, unsigned>(), py::arg("n"), py::arg("precision") = 14)
        .def(
            "add",
            [](ck::hyperloglog& h, const py::object& corpus, std::int64_t threads) {
                const auto ex = execution_of(threads, "HyperLogLog.add");
                corpus_arg c(corpus, "HyperLogLog.add");
                nogil([&] { h.add(ex, c.get()); });
            },
            py::arg("corpus"), py::arg("threads") = 0,
            "Records every n-gram of corpus on up to `threads` threads (0: every core when the corpus\n"
            "is big enough to pay); the registers never depend on it.")
        .def(
            "add_document",
            [](ck::hyperloglog& h, const py::object& ids) {
                const auto v = token_ids_of(ids, "HyperLogLog.add_document", "ids");
                h.add_document(ck::view<const std::uint32_t>(v.data(), v.size()));
            },
            py::arg("ids"))
        .def_property_readonly("order", &ck::hyperloglog::order)
        .def_property_readonly("precision", &ck::hyperloglog::precision)
        .def_property_readonly("relative_standard_error", &ck::hyperloglog::relative_standard_error)
        .def(
            "cardinality",
            [](const ck::hyperloglog& h, const std::string& estimator) { return h.cardinality(hll_of(estimator)); },
            py::arg("estimator") = "classic", "Estimated number of distinct n-grams, as an Estimate.");
    def_accumulator(hll_cls);
}

}  // namespace ckpy
