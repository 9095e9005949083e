// What every binding translation unit shares: numpy array -> ck::view conversion,
// the GIL policy, and the parsing of scipy-style keyword values (nan_policy, base).
//
// The module computes nothing itself: each binding converts its arguments, releases
// the GIL and calls one collapsekit function.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <collapsekit/bootstrap.hpp>
#include <collapsekit/core/errors.hpp>
#include <collapsekit/core/estimate.hpp>
#include <collapsekit/core/numeric.hpp>
#include <collapsekit/core/parallel.hpp>
#include <collapsekit/core/view.hpp>

#include <cmath>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace ckpy {

namespace py = pybind11;
namespace ck = collapsekit;

// A C-contiguous array of exactly T: pybind11 matches it only when the dtype is T and
// the memory is C-contiguous (no forcecast), so holding one never implies a copy.
template <class T>
using carray = py::array_t<T, py::array::c_style>;

// An owned 1-D array that gives its buffer to numpy without a copy.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& v) {
    auto* heap = new std::vector<T>(std::move(v));
    py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>({static_cast<py::ssize_t>(heap->size())}, {static_cast<py::ssize_t>(sizeof(T))}, heap->data(),
                          owner);
}

template <class T>
py::array_t<T> to_numpy(const std::vector<T>& v) {
    return to_numpy(std::vector<T>(v));
}

// Raises TypeError for arrays that do not hold numbers (object, str, bytes, datetime...).
inline void require_numeric(const py::array& a, const char* function, const char* arg) {
    const char kind = a.dtype().kind();
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
        throw py::type_error(std::string("collapsekit.") + function + ": " + arg +
                             " must be a numeric array (got dtype " + std::string(py::str(a.dtype())) + ")");
    }
}

// Any array-like as a numpy array, numeric dtype checked (lists are converted).
inline py::array as_numeric_array(py::handle obj, const char* function, const char* arg) {
    py::array a = py::array::ensure(obj);
    if (!a) {
        PyErr_Clear();
        throw py::type_error(std::string("collapsekit.") + function + ": " + arg + " must be array-like");
    }
    require_numeric(a, function, arg);
    return a;
}

inline void require_ndim(const py::array& a, py::ssize_t ndim, const char* function, const char* arg) {
    if (a.ndim() != ndim) {
        throw py::value_error(std::string("collapsekit.") + function + ": " + arg + " must be " + std::to_string(ndim) +
                              "-dimensional (got " + std::to_string(a.ndim()) + " dimensions)");
    }
}

// A C-contiguous array of T, zero-copy when obj already is one, otherwise converted
// (other dtype, strided, Fortran order, list). The returned array owns or references
// the data; keep it alive while a view into it is used.
template <class T>
carray<T> contiguous(py::handle obj, const char* function, const char* arg) {
    if (py::isinstance<carray<T>>(obj)) return py::reinterpret_borrow<carray<T>>(obj);
    py::array a = as_numeric_array(obj, function, arg);
    auto converted = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
    if (!converted) throw py::error_already_set();
    return py::reinterpret_borrow<carray<T>>(converted);
}

// A 1-D C-contiguous array of T: the object itself when it already is one (zero-copy),
// otherwise a converted copy; anything but one dimension is a ValueError.
template <class T>
carray<T> vector_of(py::handle obj, const char* function, const char* arg) {
    auto a = contiguous<T>(obj, function, arg);
    require_ndim(a, 1, function, arg);
    return a;
}

// Whole numbers (token ids, category ids, offsets) as a C-contiguous array of the integer
// type T, from any numeric array-like: integer and bool dtypes convert as numpy casts them;
// a floating dtype converts only when every value is a whole number in T's range (3.0 is
// 3), else a ValueError names the argument and the index: a fraction, NaN or +-inf is never
// truncated (numpy's cast makes 1.7 into 1 and NaN into -2^63). The check is the library's
// (ck::detail::first_not_whole). One rule for every integer entry point of the module.
template <class T = std::int64_t>
carray<T> whole_numbers(py::handle obj, const char* function, const char* arg) {
    static_assert(std::is_integral_v<T>, "whole_numbers converts to an integer type");
    if (py::isinstance<carray<T>>(obj)) return py::reinterpret_borrow<carray<T>>(obj);
    py::array a = as_numeric_array(obj, function, arg);
    if (a.dtype().kind() == 'f') {
        auto f = contiguous<double>(a, function, arg);
        const auto n = static_cast<std::size_t>(f.size());
        constexpr int digits = std::numeric_limits<T>::digits;
        const double lo = std::is_signed_v<T> ? -std::ldexp(1.0, digits) : 0.0, hi = std::ldexp(1.0, digits);
        const std::size_t bad = ck::detail::first_not_whole(f.data(), n, lo, hi);
        if (bad != n) {
            const std::string range = std::string("[") + (std::is_signed_v<T> ? "-2^" + std::to_string(digits) : "0") +
                                      ", 2^" + std::to_string(digits) + ")";
            throw py::value_error(std::string("collapsekit.") + function + ": " + arg + "[" + std::to_string(bad) +
                                  "] = " + ck::detail::format_value(f.data()[bad]) + " is not a whole number in " +
                                  range + " (floats are taken only when whole, e.g. 3.0)");
        }
    }
    return contiguous<T>(a, function, arg);
}

// whole_numbers of exactly one dimension (as vector_of).
template <class T = std::int64_t>
carray<T> whole_vector(py::handle obj, const char* function, const char* arg) {
    auto a = whole_numbers<T>(obj, function, arg);
    require_ndim(a, 1, function, arg);
    return a;
}

template <class T>
ck::view<const T> view_of(const carray<T>& a) {
    return ck::view<const T>(a.data(), static_cast<std::size_t>(a.size()));
}

// The 1-D float inputs of a measure: float64 and float32 pass through without a copy;
// every other numeric dtype (and any strided array) is converted to float64.
// f is called with a ck::view<const double> or ck::view<const float>.
template <class F>
decltype(auto) with_floats(py::handle obj, const char* function, const char* arg, F&& f) {
    if (py::isinstance<carray<float>>(obj)) {
        auto a = vector_of<float>(obj, function, arg);
        return f(view_of(a));
    }
    auto a = vector_of<double>(obj, function, arg);
    return f(view_of(a));
}

// Two 1-D float inputs: zero-copy when both are float64 or both are float32,
// otherwise both are taken as float64 (so the measure is instantiated twice, not four times).
template <class F>
decltype(auto) with_float_pair(py::handle x, const char* ax, py::handle y, const char* ay, const char* function,
                               F&& f) {
    if (py::isinstance<carray<float>>(x) && py::isinstance<carray<float>>(y)) {
        auto a = vector_of<float>(x, function, ax);
        auto b = vector_of<float>(y, function, ay);
        return f(view_of(a), view_of(b));
    }
    auto a = vector_of<double>(x, function, ax);
    auto b = vector_of<double>(y, function, ay);
    return f(view_of(a), view_of(b));
}

// Counts: int64, uint64 and float64 pass through without a copy; other integer and bool
// dtypes become int64, other float dtypes float64 (fewer instantiations: the module
// compiles on small machines).
template <class F>
decltype(auto) with_counts(py::handle obj, const char* function, const char* arg, F&& f) {
    if (py::isinstance<carray<std::int64_t>>(obj)) {
        auto a = vector_of<std::int64_t>(obj, function, arg);
        return f(view_of(a));
    }
    if (py::isinstance<carray<std::uint64_t>>(obj)) {
        auto a = vector_of<std::uint64_t>(obj, function, arg);
        return f(view_of(a));
    }
    py::array raw = as_numeric_array(obj, function, arg);
    const char kind = raw.dtype().kind();
    if (kind == 'i' || kind == 'u' || kind == 'b') {
        auto a = vector_of<std::int64_t>(raw, function, arg);
        return f(view_of(a));
    }
    auto a = vector_of<double>(raw, function, arg);
    return f(view_of(a));
}

// Two count vectors: zero-copy when both are int64, both uint64 or both float64;
// otherwise both int64 when both are integer, else both float64. A uint64 side stays
// uint64 (counts of 2^63 and more are valid; int64 would wrap them negative): the pair is
// read as uint64 when the other side holds no negative value, else as float64 (so that
// the measure reports the negative count, not a wrapped one).
template <class F>
decltype(auto) with_count_pair(py::handle x, const char* ax, py::handle y, const char* ay, const char* function,
                               F&& f) {
    py::array ra = as_numeric_array(x, function, ax);
    py::array rb = as_numeric_array(y, function, ay);
    const auto integral = [](const py::array& a) {
        const char k = a.dtype().kind();
        return k == 'i' || k == 'u' || k == 'b';
    };
    const auto uint64 = [](const py::array& a) { return a.dtype().kind() == 'u' && a.dtype().itemsize() == 8; };
    const auto non_negative = [&](const py::array& a, const char* arg) {
        if (a.dtype().kind() != 'i') return true;
        auto v = vector_of<std::int64_t>(a, function, arg);
        for (py::ssize_t i = 0; i < v.size(); ++i) {
            if (v.data()[i] < 0) return false;
        }
        return true;
    };
    if (integral(ra) && integral(rb) && (uint64(ra) || uint64(rb))) {
        if (non_negative(ra, ax) && non_negative(rb, ay)) {
            auto a = vector_of<std::uint64_t>(ra, function, ax);
            auto b = vector_of<std::uint64_t>(rb, function, ay);
            return f(view_of(a), view_of(b));
        }
    } else if (integral(ra) && integral(rb)) {
        auto a = vector_of<std::int64_t>(ra, function, ax);
        auto b = vector_of<std::int64_t>(rb, function, ay);
        return f(view_of(a), view_of(b));
    }
    auto a = vector_of<double>(ra, function, ax);
    auto b = vector_of<double>(rb, function, ay);
    return f(view_of(a), view_of(b));
}

// Values of any numeric dtype (histogram fills, samples binned as doubles): float64,
// float32, int64 and int32 pass through without a copy; other integer and bool dtypes
// become int64, other float dtypes float64.
template <class F>
decltype(auto) with_numbers(py::handle obj, const char* function, const char* arg, F&& f) {
    if (py::isinstance<carray<std::int32_t>>(obj)) {
        auto a = vector_of<std::int32_t>(obj, function, arg);
        return f(view_of(a));
    }
    py::array raw = as_numeric_array(obj, function, arg);
    const char kind = raw.dtype().kind();
    if (kind == 'i' || kind == 'u' || kind == 'b') {
        auto a = vector_of<std::int64_t>(raw, function, arg);
        return f(view_of(a));
    }
    return with_floats(raw, function, arg, std::forward<F>(f));
}

// Points: a 2-D (n, dim) float64 array, C order, zero-copy when it already is one;
// a 1-D array is n points of dimension 1. Returns the array and its dim.
// (Callers unpack it with .first / .second, not a structured binding: clang 14 does not
// let a lambda capture structured bindings, and the result usually goes into nogil.)
inline std::pair<carray<double>, std::size_t> points_of(py::handle obj, const char* function, const char* arg) {
    auto a = contiguous<double>(obj, function, arg);
    if (a.ndim() == 1) return {a, 1};
    require_ndim(a, 2, function, arg);
    return {a, static_cast<std::size_t>(a.shape(1))};
}

// The enum value a keyword string names, from (name, value) choices; anything else is a
// ValueError "collapsekit.<where>: <arg> must be 'a', 'b' or 'c' (got 'x')".
template <class E>
E choice_of(const std::string& s, const char* where, const char* arg,
            std::initializer_list<std::pair<const char*, E>> choices) {
    std::string names;
    std::size_t i = 0;
    for (const auto& c : choices) {
        if (s == c.first) return c.second;
        names += (i == 0 ? "" : (i + 1 == choices.size() ? " or " : ", ")) + std::string("'") + c.first + "'";
        ++i;
    }
    throw py::value_error(std::string("collapsekit.") + where + ": " + arg + " must be " + names + " (got '" + s +
                          "')");
}

// scipy's nan_policy strings; anything else is a ValueError naming the choices.
inline ck::nan_policy nan_policy_of(const std::string& text, const char* function) {
    return ck::parse_nan_policy(text, function);
}

// scipy's base=: None means natural log (nats); otherwise a positive number other than 1
// (checked by the C++ function that uses it, which names itself in the message).
inline ck::log_base base_of(const std::optional<double>& base) {
    if (!base) return ck::nats;
    return ck::log_base(*base);
}

// Python's threads=: 0 (the default everywhere) means every core for inputs big enough to
// pay, 1 below that; n >= 1 is an upper bound. The same meaning as ck::threads(n) in C++,
// whose result does not depend on it (see collapsekit/core/parallel.hpp).
// The threads= paragraph every threaded binding's docstring ends with.
inline constexpr const char* threads_doc =
    "\n\nthreads: 0 (the default) uses every core for inputs big enough to pay (one below\n"
    "that); n >= 1 uses at most n. The result is bit-identical for every threads value.";

inline ck::execution execution_of(std::int64_t threads, const char* function) {
    if (threads < 0) {
        throw py::value_error(std::string("collapsekit.") + function +
                              ": threads must be 0 (all cores that pay) or a positive count (got " +
                              std::to_string(threads) + ")");
    }
    return ck::threads(static_cast<std::size_t>(threads));
}

// A count argument (bins, k) taken as a Python int of either sign, so that a negative one
// is a ValueError naming the argument ("bins must be at least 1 (got -4)") rather than
// pybind11's generic "incompatible function arguments"; values >= least go on to the C++
// function, which checks the rest.
inline std::size_t size_arg(std::int64_t value, std::int64_t least, const char* function, const char* arg) {
    if (value < least) {
        throw py::value_error(std::string("collapsekit.") + function + ": " + arg + " must be at least " +
                              std::to_string(least) + " (got " + std::to_string(value) + ")");
    }
    return static_cast<std::size_t>(value);
}

// The bootstrap keywords every bootstrap binding shares (scipy.stats.bootstrap's names):
// method is 'percentile' (the default here) or 'BCa' ('bca' too, as scipy lower-cases it).
inline ck::bootstrap_options bootstrap_options_of(const char* function, std::size_t n_resamples,
                                                  double confidence_level, std::uint64_t seed,
                                                  const std::string& method, std::size_t jackknife_groups) {
    // Checked here too, so that the messages name the Python keywords rather than the
    // C++ fields (replicates, level).
    if (n_resamples < 2) {
        throw py::value_error(std::string("collapsekit.") + function + ": n_resamples must be at least 2 (got " +
                              std::to_string(n_resamples) + ")");
    }
    if (!(confidence_level > 0.0 && confidence_level < 1.0)) {
        throw py::value_error(std::string("collapsekit.") + function + ": confidence_level must lie in (0, 1) (got " +
                              py::str(py::float_(confidence_level)).cast<std::string>() + ")");
    }
    ck::bootstrap_options o;
    o.replicates = n_resamples;
    o.level = confidence_level;
    o.seed = seed;
    o.method = choice_of<ck::interval_method>(method, function, "method",
                                              {{"percentile", ck::interval_method::percentile},
                                               {"BCa", ck::interval_method::bca},
                                               {"bca", ck::interval_method::bca}});
    o.jackknife_groups = jackknife_groups;
    return o;
}

// Token ids as uint32 from any integer array-like (converted through int64; float ids only
// when whole, see whole_numbers); an id outside [0, 2^32) is a ValueError naming the
// function, the argument and the index.
inline std::vector<std::uint32_t> token_ids_of(py::handle obj, const char* function, const char* arg) {
    auto a = whole_vector(obj, function, arg);
    std::vector<std::uint32_t> out(static_cast<std::size_t>(a.size()));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::int64_t v = a.data()[i];
        if (v < 0 || v > 0xFFFFFFFFll) {
            throw py::value_error(std::string("collapsekit.") + function + ": " + arg +
                                  " must hold token ids in [0, 2^32) (" + arg + "[" + std::to_string(i) +
                                  "] = " + std::to_string(v) + ")");
        }
        out[i] = static_cast<std::uint32_t>(v);
    }
    return out;
}

// Error messages in Python spellings. The C++ library names itself the C++ way
// ("collapsekit::corpus::add_document: ...", "pass nan_policy::omit"); a Python user
// calls collapsekit.Corpus.add_document and passes nan_policy='omit'. Every message that
// leaves the module is rewritten here, at the one point where C++ exceptions become
// Python ones, so that no message keeps a C++ spelling whichever layer raised it.
namespace detail {

// The Python name of a C++ class that appears as the qualifier of a function name.
inline const char* python_class_name(const std::string& cpp) {
    static const std::pair<const char*, const char*> names[] = {
        {"corpus", "Corpus"},
        {"ngram_counts", "NgramCounts"},
        {"hyperloglog", "HyperLogLog"},
        {"histogram", "Histogram"},
        {"entropy_accumulator", "EntropyAccumulator"},
        {"vocabulary", "Vocabulary"},
        {"tokenizer", "Tokenizer"},
        {"zero_support", "ZeroSupport"},
        {"gaussian", "GaussianModel"},
        {"multivariate_gaussian", "MultivariateGaussianModel"},
        {"gaussian_mixture", "GaussianMixtureModel"},
        {"kde", "KDEModel"},
        {"categorical", "CategoricalModel"},
        {"ngram_lm", "NgramLanguageModel"},
        {"policy", "Policy"},
    };
    for (const auto& n : names) {
        if (cpp == n.first) return n.second;
    }
    return nullptr;
}

// "corpus::add_document" -> "Corpus.add_document", "ngram_counts::operator+=" ->
// "NgramCounts.merge", "corpus" (a constructor) -> "Corpus"; segments may be joined by
// "::" or "." and come out joined by dots. A lone "histogram" stays: it names the
// Python function as well as the class.
inline std::string python_function_name(const std::string& cpp) {
    std::vector<std::string> parts;
    std::string part;
    for (std::size_t i = 0; i < cpp.size(); ++i) {
        if (cpp[i] == '.' || (cpp[i] == ':' && i + 1 < cpp.size() && cpp[i + 1] == ':')) {
            parts.push_back(part);
            part.clear();
            if (cpp[i] == ':') ++i;
        } else {
            part += cpp[i];
        }
    }
    parts.push_back(part);
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::string& p = parts[i];
        const bool last = i + 1 == parts.size();
        if (!last || (parts.size() == 1 && p != "histogram")) {
            if (const char* py_name = python_class_name(p)) p = py_name;
        }
        if (last && p == "operator+=") p = "merge";
        out += (i == 0 ? "" : ".") + p;
    }
    return out;
}

inline bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace detail

// The message of an exception raised through the module, in Python spellings:
//   collapsekit::<a>::<b>: -> collapsekit.<A>.<b>:  (C++ class names become Python's)
//   nan_policy::omit       -> nan_policy='omit'
//   tail_side::left (and the other enum values a message may name) -> 'left'
//   zero_support::skew elsewhere in the text -> ZeroSupport.skew
// Messages not from collapsekit are returned unchanged.
inline std::string python_spelling(const std::string& message) {
    if (message.compare(0, 11, "collapsekit") != 0) return message;
    std::string out;
    out.reserve(message.size());
    static const char* const enums[] = {"tail_side",      "interval_method",    "ks_method",
                                        "bleu_smoothing", "hll_estimator",      "distinct_average",
                                        "data_regime",    "zero_support::kind", "nan_policy"};
    std::size_t i = 0;
    while (i < message.size()) {
        // "collapsekit::" or "collapsekit." followed by a name, at the start of a word.
        const bool at_word = i == 0 || !detail::is_identifier_char(message[i - 1]);
        std::size_t begin = std::string::npos;
        if (at_word && message.compare(i, 13, "collapsekit::") == 0) {
            begin = i + 13;
        } else if (at_word && message.compare(i, 12, "collapsekit.") == 0) {
            begin = i + 12;
        }
        if (begin != std::string::npos && begin < message.size() && detail::is_identifier_char(message[begin])) {
            // The qualified function name: segments (identifiers, or operator+=) joined by
            // "::" or ".", up to the ": " that ends it.
            std::size_t end = begin;
            for (;;) {
                while (end < message.size() &&
                       (detail::is_identifier_char(message[end]) || message[end] == '+' || message[end] == '=')) {
                    ++end;
                }
                const std::size_t sep = message.compare(end, 2, "::") == 0  ? 2
                                        : message.compare(end, 1, ".") == 0 ? 1
                                                                            : 0;
                if (sep == 0 || end + sep >= message.size() || !detail::is_identifier_char(message[end + sep])) break;
                end += sep;
            }
            out += "collapsekit.";
            out += detail::python_function_name(message.substr(begin, end - begin));
            i = end;
            continue;
        }
        bool replaced = false;
        if (i == 0 || !detail::is_identifier_char(message[i - 1])) {
            for (const char* e : enums) {
                const std::string qualifier = std::string(e) + "::";
                if (message.compare(i, qualifier.size(), qualifier) != 0) continue;
                std::size_t end = i + qualifier.size();
                while (end < message.size() && detail::is_identifier_char(message[end])) ++end;
                const std::string value = message.substr(i + qualifier.size(), end - i - qualifier.size());
                if (value.empty()) continue;
                out += qualifier == "nan_policy::" ? "nan_policy='" + value + "'" : "'" + value + "'";
                i = end;
                replaced = true;
                break;
            }
            // A class member named in the text: zero_support::skew -> ZeroSupport.skew.
            std::size_t end = i;
            while (!replaced && end < message.size() && detail::is_identifier_char(message[end])) ++end;
            if (!replaced && end > i && message.compare(end, 2, "::") == 0 && end + 2 < message.size() &&
                detail::is_identifier_char(message[end + 2])) {
                if (const char* py_name = detail::python_class_name(message.substr(i, end - i))) {
                    out += py_name;
                    out += '.';
                    i = end + 2;
                    replaced = true;
                }
            }
        }
        if (!replaced) out += message[i++];
    }
    return out;
}

// Installs the translation of every exception the module's functions raise into its
// Python type (as pybind11 does by default) with the message in Python spellings. Local
// to this module: other extensions' exceptions keep their translation.
inline void translate_errors_to_python_spellings() {
    py::register_local_exception_translator([](std::exception_ptr p) {
        if (!p) return;
        try {
            std::rethrow_exception(p);
        } catch (const py::builtin_exception& e) {
            // ValueError, TypeError, IndexError... thrown by the bindings: keep the type.
            e.set_error();
            PyObject *type = nullptr, *value = nullptr, *trace = nullptr;
            PyErr_Fetch(&type, &value, &trace);
            PyErr_SetString(type, python_spelling(e.what()).c_str());
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(trace);
        } catch (const std::out_of_range& e) {
            PyErr_SetString(PyExc_IndexError, python_spelling(e.what()).c_str());
        } catch (const std::overflow_error& e) {
            PyErr_SetString(PyExc_OverflowError, python_spelling(e.what()).c_str());
        } catch (const std::invalid_argument& e) {
            PyErr_SetString(PyExc_ValueError, python_spelling(e.what()).c_str());
        } catch (const std::domain_error& e) {
            PyErr_SetString(PyExc_ValueError, python_spelling(e.what()).c_str());
        } catch (const std::length_error& e) {
            PyErr_SetString(PyExc_ValueError, python_spelling(e.what()).c_str());
        } catch (const std::range_error& e) {
            PyErr_SetString(PyExc_ValueError, python_spelling(e.what()).c_str());
        }
    });
}

// Runs f with the GIL released (the views it reads stay alive in the caller's frame).
template <class F>
decltype(auto) nogil(F&& f) {
    py::gil_scoped_release release;
    return f();
}

// The accumulator protocol shared by Histogram, EntropyAccumulator, NgramCounts and
// HyperLogLog: merge / += / + (the C++ operator+=), equality of the exact byte format,
// serialize / deserialize, and pickling through those bytes (multiprocessing, Dask).
template <class T>
py::bytes bytes_of(const T& x) {
    const std::vector<std::uint8_t> b = x.serialize();
    return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
}

// Any bytes-like (bytes, memoryview, PickleBuffer, numpy array) as a byte view. A view
// that is not C-contiguous (a strided or reversed slice) is read through a contiguous
// copy of its bytes in logical order: its pointer does not start a run of size bytes.
// function (e.g. "Histogram.deserialize") names the caller in the TypeError for objects
// that are not bytes-like.
template <class F>
decltype(auto) with_buffer(const py::object& data, const std::string& function, F&& f) {
    if (!PyObject_CheckBuffer(data.ptr())) {
        throw py::type_error("collapsekit." + function +
                             ": data must be a bytes-like object (bytes, memoryview, numpy uint8 array), got " +
                             std::string(py::str(py::type::of(data).attr("__name__"))));
    }
    const py::memoryview view(data);
    const py::buffer_info info = py::reinterpret_borrow<py::buffer>(view).request();
    py::ssize_t expected = info.itemsize;
    bool contiguous = true;
    for (py::ssize_t d = info.ndim; d-- > 0;) {
        if (info.shape[static_cast<std::size_t>(d)] > 1 && info.strides[static_cast<std::size_t>(d)] != expected)
            contiguous = false;
        expected *= info.shape[static_cast<std::size_t>(d)];
    }
    if (!contiguous) {
        const std::string copy = py::bytes(view.attr("tobytes")());
        return f(reinterpret_cast<const std::uint8_t*>(copy.data()), copy.size());
    }
    return f(static_cast<const std::uint8_t*>(info.ptr), static_cast<std::size_t>(info.size * info.itemsize));
}

// T::deserialize of any bytes-like object, without the GIL.
template <class T>
T from_buffer(const py::object& data, const std::string& function) {
    return with_buffer(data, function, [](const std::uint8_t* p, std::size_t n) {
        return nogil([&] { return T::deserialize(ck::view<const std::uint8_t>(p, n)); });
    });
}

// Pickle state: the byte format as a numpy uint8 array, which numpy pickles out of band
// under protocol 5 (a pickle.PickleBuffer, no copy; what Dask's transport uses) and as
// bytes under older protocols. Loading takes any bytes-like, so pickles written as bytes
// by earlier versions still load.
template <class T>
py::object pickle_state(const T& x) {
    return py::object(to_numpy(nogil([&] { return x.serialize(); })));
}

template <class T>
void def_accumulator(py::class_<T>& cls) {
    // Merges release the GIL: in Dask's threads (and ours) they run side by side.
    cls.def(
           "merge", [](T& a, const T& b) -> T& { return nogil([&]() -> T& { return a += b; }); }, py::arg("other"),
           py::return_value_policy::reference_internal,
           "Adds other in place (ValueError when the two are not compatible). Returns self.")
        .def(
            "__iadd__", [](T& a, const T& b) -> T& { return nogil([&]() -> T& { return a += b; }); },
            py::return_value_policy::reference_internal)
        .def("__add__",
             [](const T& a, const T& b) {
                 return nogil([&] {
                     T r = a;
                     r += b;
                     return r;
                 });
             })
        .def("__eq__", [](const T& a, const T& b) { return a.serialize() == b.serialize(); })
        .def("copy", [](const T& a) { return T(a); })
        .def("__copy__", [](const T& a) { return T(a); })
        .def(
            "__deepcopy__", [](const T& a, const py::dict&) { return T(a); }, py::arg("memo"))
        .def("serialize", &bytes_of<T>, "The library's versioned byte format (exact).");
    const std::string name = py::str(cls.attr("__name__"));
    cls.def_static(
           "deserialize", [name](const py::object& data) { return from_buffer<T>(data, name + ".deserialize"); },
           py::arg("data"),
           "Inverse of serialize(), from any bytes-like object (bytes, memoryview, numpy uint8 array,\n"
           "also strided). ValueError for bytes that serialize() did not write; TypeError for others.")
        .def(py::pickle(&pickle_state<T>,
                        [name](const py::object& state) { return from_buffer<T>(state, name + ".__setstate__"); }));
    cls.attr("__hash__") = py::none();
}

// One declaration per area; each lives in its own translation unit.
void bind_core(py::module_& m);
void bind_histogram(py::module_& m);
void bind_entropy(py::module_& m);
void bind_divergence(py::module_& m);
void bind_tail(py::module_& m);
void bind_ngram(py::module_& m);
void bind_feedback(py::module_& m);
void bind_tokenizer(py::module_& m);
void bind_report(py::module_& m);
void bind_partitioned(py::module_& m);

}  // namespace ckpy
