"""The bad-input matrix: what every public array-taking function of collapsekit does with
each class of bad input, as data.

Rows are the public functions and constructors that take arrays, counts, samples,
documents or bytes; columns are input classes (empty, one element, NaN, ...). Each row
names an adapter ("kind") that turns a column into the row's arguments, or into None
where the class does not apply ("n/a"). outcome() runs one cell and describes what
happened in a few machine-independent words: the exception and its shortened message,
or the class of the value (0, nan, +inf, finite > 0, in [0, 1], ...), never the digits,
which differ in the last bits between AVX-512 and AVX2 builds.

scripts/bad_input_matrix.py writes docs/bad-input-matrix.md from render();
test_bad_input_matrix.py checks that file against render() and checks policies over
run_matrix() (the raw results, independently of the text). This module imports no pytest.

The C++ column of each row names the library function the binding calls: the bindings
only convert arguments (dtype, layout) and call it, so the C++ function behaves as the
row does except for the dtype and layout columns, which the binding handles.
"""

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

import collapsekit as ck

REGENERATE = "/usr/bin/python3 scripts/bad_input_matrix.py"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    meaning: str


COLUMNS = (
    Column("valid", "valid", "an ordinary input, for reference"),
    Column("empty", "empty", "zero elements (both vectors of a pair that must match in length; no documents)"),
    Column("one", "one element", "a single value, count, probability 1, or a one-token document"),
    Column("nan", "NaN", "one NaN among ordinary values (a float token id for documents)"),
    Column("+inf", "+inf", "one +inf among ordinary values"),
    Column("-inf", "-inf", "one -inf among ordinary values"),
    Column("negative", "negative", "negative values: every sample value, one probability or count, a token id"),
    Column("subnormal", "subnormal", "every value subnormal (about 1e-310; 5e-324 in a probability vector)"),
    Column("huge", "huge", "values near 1.7e308 (their differences overflow); uint64 counts near 2^64; "
           "token ids past 2^32"),
    Column("mismatched", "mismatched lengths", "the second array one element shorter (or of another "
           "dimension); where lengths may differ, the cell shows that the call is accepted"),
    Column("complex", "complex", "wrong dtype: complex128"),
    Column("str", "str", "wrong dtype: strings (numpy '<U' dtype)"),
    Column("bool", "bool", "wrong dtype: booleans where numbers are expected"),
    Column("strided", "non-contiguous", "the valid input as reversed, step-2 views of buffers whose "
           "skipped slots hold NaN (or -1); bytes: a step-2 view"),
    Column("forged", "forged bytes", "a valid payload whose size field is set to 0xff...ff"),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)

# ---------------------------------------------------------------------------------------
# Inputs. Every class is derived from one ordinary value of the kind, so that a cell
# differs from the valid cell in that one respect.

SAMPLE = np.array([0.3, -1.2, 2.5, 0.7, -0.4, 1.9, -2.2, 0.1, 1.1, -0.8])
OTHER_SAMPLE = np.array([0.5, -0.9, 1.4, 0.2, -2.6, 2.1, 0.8, -0.3, 3.3, 0.6])  # two values in the tails
P = np.array([0.1, 0.2, 0.3, 0.4])
Q = np.array([0.25, 0.25, 0.25, 0.25])
COUNTS = np.array([3, 1, 5, 1, 7, 2, 1, 1])
OTHER_COUNTS = np.array([2, 1, 4, 2, 6, 3, 2, 1])
SURVIVING_COUNTS = np.array([2, 0, 4, 0, 6, 3, 0, 1])  # three of COUNTS' categories gone
DOCUMENTS = [np.array([1, 2, 3, 1, 2, 4, 5]), np.array([2, 3, 4, 2, 3, 6]), np.array([7, 1, 2, 3, 8])]
OTHER_DOCUMENTS = [np.array([1, 2, 3, 9, 2, 4]), np.array([2, 3, 1, 2, 3, 5, 6])]


def _strided(values, poison=np.nan):
    """The same values as a reversed step-2 view of a buffer whose other slots hold poison:
    a binding that read the memory as contiguous would see the poison."""
    values = np.asarray(values)
    buf = np.full((2 * len(values) + 1,) + values.shape[1:], poison, dtype=values.dtype)
    buf[1::2] = values[::-1]
    view = buf[-2::-2]
    assert not view.flags.c_contiguous and np.array_equal(view, values)
    return view


def _with(values, index, x):
    out = np.array(values, dtype=np.float64)
    out[index] = x
    return out


def _wrong_dtype(values, key):
    values = np.asarray(values)
    if key == "complex":
        return values.astype(np.complex128)
    if key == "str":
        return values.astype(str)
    return values > 0


def _one_array(base, key):
    """One float array of the class `key`, from the ordinary array base (1-D or (n, d))."""
    base = np.asarray(base, dtype=np.float64)
    if key == "valid":
        return base
    if key == "empty":
        return np.empty((0,) + base.shape[1:])
    if key == "one":
        return base[:1]
    if key in ("nan", "+inf", "-inf"):
        return _with(base, 1, {"nan": np.nan, "+inf": np.inf, "-inf": -np.inf}[key])
    if key == "negative":
        return -np.abs(base) - 0.5
    if key == "subnormal":
        return base * 1e-310
    if key == "huge":
        return base / np.max(np.abs(base)) * 1.7e308
    if key in ("complex", "str", "bool"):
        return _wrong_dtype(base, key)
    if key == "strided":
        return _strided(base)
    return None


def sample_kind(base=SAMPLE):
    """One 1-D float argument."""
    def args(key):
        x = _one_array(base, key)
        return None if x is None else (x,)
    return args


def sample_pair_kind(first=SAMPLE, second=OTHER_SAMPLE):
    """Two samples whose lengths may differ: the class goes into the first, except
    mismatched lengths (the second one shorter) and non-contiguous (both)."""
    def args(key):
        if key == "mismatched":
            return (first, second[:-1])
        if key == "strided":
            return (_strided(first), _strided(second))
        x = _one_array(first, key)
        return None if x is None else (x, second)
    return args


def weighted_sample_kind(base=SAMPLE):
    """A sample and its weights (ones): the class goes into the values; mismatched lengths
    gives one weight too many."""
    def args(key):
        if key == "mismatched":
            return (base, np.ones(len(base) + 1))
        if key == "strided":
            return (_strided(base), _strided(np.ones(len(base))))
        x = _one_array(base, key)
        return None if x is None else (x, np.ones(len(x)))
    return args


def matched_pair_kind(first, second, counts=False):
    """Two vectors of one length (probabilities or counts): the class goes into the first;
    empty and one element apply to both (anything else is a length mismatch)."""
    def args(key):
        if key == "empty":
            dtype = np.int64 if counts else np.float64
            return (np.empty(0, dtype), np.empty(0, dtype))
        if key == "one":
            return (first[:1] if counts else np.array([1.0]), second[:1] if counts else np.array([1.0]))
        if key == "mismatched":
            return (first, second[:-1])
        if key == "strided":
            poison = -1 if counts else np.nan
            return (_strided(first, poison), _strided(second, poison))
        x = _one_vector(first, key, counts)
        return None if x is None else (x, second)
    return args


def _one_vector(base, key, counts):
    """A probability vector (counts=False) or count vector (counts=True) of the class."""
    base = np.asarray(base)
    if key == "valid":
        return base
    if key == "negative":
        out = np.array(base, dtype=np.float64 if not counts else np.int64)
        if counts:
            out[1] = -1
        else:  # still sums to 1
            out[0], out[1] = -0.1, out[1] + 0.2
        return out
    if key == "subnormal":
        if counts:
            return base * 1e-310
        return _subnormal_probabilities(len(base))
    if key == "huge":
        if counts:
            out = np.array(base, dtype=np.uint64)
            out[0], out[2] = 2**64 - 1, 2**63
            return out
        return base * 1e308
    return _one_array(base, key)


def _subnormal_probabilities(n):
    """n probabilities summing to 1, the last one subnormal."""
    out = np.full(n, 1.0 / (n - 1))
    out[-1] = 5e-324
    return out


def counts_kind(base=COUNTS):
    """One count (or weight) vector."""
    def args(key):
        if key == "mismatched":
            return None
        if key == "one":
            return (base[:1],)
        if key == "empty":
            return (np.empty(0, np.int64),)
        if key == "strided":
            return (_strided(base, -1),)
        x = _one_vector(base, key, counts=True)
        return None if x is None else (x,)
    return args


def points_pair_kind(first=None, second=None):
    """Two point sets (n, d) and (m, d): the class goes into the first; mismatched is a
    dimension mismatch."""
    first = np.column_stack([SAMPLE, OTHER_SAMPLE]) if first is None else first
    second = np.column_stack([OTHER_SAMPLE, SAMPLE[::-1]]) if second is None else second

    def args(key):
        if key == "mismatched":
            return (first, np.column_stack([second, second[:, :1]]))
        if key == "strided":
            return (_strided(first), _strided(second))
        x = _one_array(first, key)
        return None if x is None else (x, second)
    return args


def points_kind():
    base = np.column_stack([SAMPLE, OTHER_SAMPLE])

    def args(key):
        x = _one_array(base, key)
        return None if x is None or key == "mismatched" else (x,)
    return args


def _one_corpus(documents, key):
    """Documents of the class: the class goes into the first document."""
    if key == "valid":
        return list(documents)
    if key == "empty":
        return []
    if key == "one":
        return [np.array([7])]
    if key == "strided":
        return [_strided(d, -1) for d in documents]
    first = {
        "nan": lambda d: _with(d, 1, np.nan),
        "+inf": lambda d: _with(d, 1, np.inf),
        "-inf": lambda d: _with(d, 1, -np.inf),
        "negative": lambda d: np.where(np.arange(len(d)) == 1, -2, d),
        "subnormal": lambda d: _with(d, 1, 5e-324),
        "huge": lambda d: np.where(np.arange(len(d)) == 1, 2**32, d),
        "complex": lambda d: _wrong_dtype(d, "complex"),
        "str": lambda d: _wrong_dtype(d, "str"),
        "bool": lambda d: _wrong_dtype(d, "bool"),
    }.get(key)
    return None if first is None else [first(documents[0])] + list(documents[1:])


def documents_kind():
    def args(key):
        c = _one_corpus(DOCUMENTS, key)
        return None if c is None else (c,)
    return args


def documents_pair_kind():
    """Two corpora (their sizes are free): the class goes into the first."""
    def args(key):
        c = _one_corpus(DOCUMENTS, key)
        return None if c is None else (c, OTHER_DOCUMENTS)
    return args


def _forge(payload, offset, width):
    """payload with the little-endian size field at offset set to all ones."""
    b = bytearray(payload)
    b[offset:offset + width] = b"\xff" * width
    return bytes(b)


def bytes_kind(make, size_field):
    """Serialised bytes of an object make() builds; size_field = (offset, width) of the
    field forged to 0xff...ff."""
    def args(key):
        payload = make().serialize()
        raw = np.frombuffer(payload, np.uint8)
        if key == "valid":
            return (payload,)
        if key == "empty":
            return (b"",)
        if key == "one":
            return (payload[:1],)
        if key in ("complex", "bool"):  # bytes-like numpy arrays of the wrong dtype
            return (_wrong_dtype(raw, key),)
        if key == "str":
            return (payload.decode("latin-1"),)
        if key == "strided":
            # A step-2 view (not a reversed one: see the report on deserialising views).
            buf = np.full(2 * len(raw) + 1, 0xAA, np.uint8)
            buf[1::2] = raw
            return (buf[1::2],)
        if key == "forged":
            return (_forge(payload, *size_field),)
        return None
    return args


def scalars_kind(table):
    """Scalar arguments given column by column (a dict key -> args tuple)."""
    return table.get


# ---------------------------------------------------------------------------------------
# Rows.


@dataclass(frozen=True)
class Row:
    group: str
    name: str  # as called from Python, without the "ck." prefix
    cpp: str  # the C++ function the binding calls, without "collapsekit::"
    kind: Callable  # column key -> args tuple or None (n/a)
    call: Callable  # *args -> result
    function: object  # the bound Python callable (for its signature)
    arg: Optional[str] = None  # the parameter the input class goes into (None: the first)
    bounds: Optional[tuple] = None  # the documented range of a finite result
    empty: Optional[str] = None  # the documented result of an empty input, when it is no error

    def args(self, key):
        return self.kind(key)

    def parameter(self):
        """The parameter an error about the bad input should name."""
        if self.arg:
            return self.arg
        params = _parameters(self.function)
        return next(p for p in params if p != "self")

    def takes_nan_policy(self):
        return "nan_policy" in _parameters(self.function)


def _parameters(function):
    """Parameter names from a pybind11 docstring's signature lines, 'name(a: T, b: T = 1) -> R'
    (overloads are listed as '1. name(...)', '2. name(...)'), in order, without repeats."""
    names = []
    for line in (function.__doc__ or "").splitlines():
        signature = re.match(r"(?:\d+\. )?[\w.]+\((.*)\)(?: -> .*)?$", line)
        if signature:
            for m in re.finditer(r"(?:^|, )(\w+)(?=:|,|$)", signature.group(1)):
                if m.group(1) not in names:
                    names.append(m.group(1))
    return names


GROUPS = []
ROWS = []


def _added(accumulator, method, values):
    """The accumulator after accumulator.method(values) (add methods return None)."""
    getattr(accumulator, method)(values)
    return accumulator


def _group(title, about):
    GROUPS.append((title, about))
    return title


def _row(group, name, cpp, kind, call, function, **kw):
    ROWS.append(Row(group, name, cpp, kind, call, function, **kw))


UNIT = (0.0, 1.0)
# The pairwise divergences with their documented range (None: unbounded), in both the
# probability-vector and the _counts groups.
PAIR_DIVERGENCES = (("kl_divergence", None), ("cross_entropy", None), ("js_divergence", None),
                    ("js_distance", None), ("hellinger", UNIT), ("bhattacharyya", None),
                    ("total_variation", UNIT), ("chi_squared_pearson", None), ("chi_squared_neyman", None),
                    ("psi", None))
probs = matched_pair_kind(P, Q)
count_pair = matched_pair_kind(COUNTS, OTHER_COUNTS, counts=True)

g = _group("Discrete distributions: probability vectors",
           "`f(p, q)`: two probability vectors of one length, each summing to 1 within 1e-9 (the class "
           "goes into p).")
for name, bounds in PAIR_DIVERGENCES:
    _row(g, name, name, probs, getattr(ck, name), getattr(ck, name), bounds=bounds)
_row(g, "renyi_divergence", "renyi_divergence", probs, lambda p, q: ck.renyi_divergence(p, q, 2.0),
     ck.renyi_divergence)
_row(g, "js_divergence_n", "js_divergence_n", probs, lambda p, q: ck.js_divergence_n([p, q]), ck.js_divergence_n,
     arg="dists")

g = _group("Discrete distributions: counts",
           "`f_counts(a, b)`: two count (or weight) vectors of one length, each normalised by its total "
           "(the class goes into a).")
for name, bounds in PAIR_DIVERGENCES:
    fn = getattr(ck, name + "_counts")
    _row(g, name + "_counts", name + "_counts", count_pair, fn, fn, bounds=bounds)
_row(g, "renyi_divergence(counts=True)", "renyi_divergence_counts", count_pair,
     lambda a, b: ck.renyi_divergence(a, b, 2.0, counts=True), ck.renyi_divergence)
_row(g, "js_divergence_n_counts", "js_divergence_n_counts", count_pair,
     lambda a, b: ck.js_divergence_n_counts([a, b]), ck.js_divergence_n_counts, arg="dists")
_row(g, "entropy(pk, qk)", "kl_divergence_counts", count_pair, lambda a, b: ck.entropy(a, b), ck.entropy)
_row(g, "wasserstein_histogram", "wasserstein_histogram", count_pair,
     lambda a, b: ck.wasserstein_histogram(a, b, np.arange(len(b), dtype=float)), ck.wasserstein_histogram)

g = _group("Entropy of one distribution",
           "`f(p)`: one vector of non-negative weights (counts or probabilities), normalised by its sum.")
_row(g, "entropy", "shannon_entropy (float pk), shannon_entropy_counts (integer pk)", counts_kind(), ck.entropy,
     ck.entropy)
_row(g, "renyi_entropy", "renyi_entropy", counts_kind(), lambda p: ck.renyi_entropy(p, 2.0), ck.renyi_entropy)
_row(g, "hill_number", "hill_number", counts_kind(), lambda p: ck.hill_number(p, 2.0), ck.hill_number)
_row(g, "tsallis_entropy", "tsallis_entropy", counts_kind(), lambda p: ck.tsallis_entropy(p, 2.0),
     ck.tsallis_entropy)
_row(g, "gini_simpson", "gini_simpson", counts_kind(), ck.gini_simpson, ck.gini_simpson, bounds=UNIT)

g = _group("Entropy estimators and richness (counts)",
           "`f(counts)`: one vector of whole, non-negative category counts.")
for estimator, cpp in (("plugin", "plugin_entropy"), ("miller_madow", "miller_madow_entropy"),
                       ("grassberger", "grassberger_entropy"), ("chao_shen", "chao_shen_entropy"),
                       ("james_stein", "james_stein_entropy"), ("nsb", "entropy_from_counts (nsb)")):
    _row(g, f"entropy_estimate('{estimator}')", cpp, counts_kind(),
         lambda c, e=estimator: ck.entropy_estimate(c, e), ck.entropy_estimate)
_row(g, "nsb_entropy", "nsb_entropy", counts_kind(), ck.nsb_entropy, ck.nsb_entropy)
_row(g, "james_stein_shrinkage", "james_stein_shrinkage", counts_kind(), ck.james_stein_shrinkage,
     ck.james_stein_shrinkage, bounds=UNIT)
_row(g, "good_turing_missing_mass", "good_turing_missing_mass", counts_kind(), ck.good_turing_missing_mass,
     ck.good_turing_missing_mass, bounds=UNIT)
_row(g, "chao1", "chao1", counts_kind(), ck.chao1, ck.chao1)
_row(g, "bootstrap_entropy", "bootstrap_entropy", counts_kind(),
     lambda c: ck.bootstrap_entropy(c, n_resamples=20), ck.bootstrap_entropy)
_row(g, "differential_entropy_histogram", "differential_entropy_histogram", counts_kind(),
     lambda c: ck.differential_entropy_histogram(c, np.arange(len(c) + 1.0)), ck.differential_entropy_histogram)

g = _group("Category coverage (count pairs)",
           "`f(reference_counts, generated_counts)`: two count vectors of one length (the class goes into "
           "the reference).")
coverage = matched_pair_kind(COUNTS, SURVIVING_COUNTS, counts=True)
_row(g, "support_coverage", "support_coverage", coverage, ck.support_coverage, ck.support_coverage, bounds=UNIT)
_row(g, "support_coverage_mass", "support_coverage_mass", coverage, ck.support_coverage_mass,
     ck.support_coverage_mass, bounds=UNIT)
_row(g, "extinct_count", "extinct_count", coverage, ck.extinct_count, ck.extinct_count)
_row(g, "extinct_categories", "extinct_categories", coverage, ck.extinct_categories, ck.extinct_categories)
_row(g, "rare_category_retention", "rare_category_retention", coverage,
     lambda r, s: ck.rare_category_retention(r, s, "at_most_count", 2.0), ck.rare_category_retention)

g = _group("Sample distances (two samples)",
           "`f(x, y)`: two 1-D samples whose lengths may differ (the class goes into x).")
pair = sample_pair_kind()
_row(g, "wasserstein", "wasserstein", pair, ck.wasserstein, ck.wasserstein)
_row(g, "wasserstein(p=2)", "wasserstein", pair, lambda u, v: ck.wasserstein(u, v, p=2.0), ck.wasserstein)
_row(g, "energy_distance", "energy_distance", pair, ck.energy_distance, ck.energy_distance)
_row(g, "ks_2samp", "ks_2samp", pair, ck.ks_2samp, ck.ks_2samp)
_row(g, "ks_2samp_weighted", "ks_2samp_weighted", pair,
     lambda u, v: ck.ks_2samp_weighted(u, v, np.ones(len(u)), np.ones(len(v))), ck.ks_2samp_weighted)
_row(g, "kl_divergence_samples", "kl_divergence_samples", pair,
     lambda r, s: ck.kl_divergence_samples(r, s, bins=3), ck.kl_divergence_samples)
_row(g, "js_divergence_samples", "js_divergence_samples", pair,
     lambda r, s: ck.js_divergence_samples(r, s, bins=3), ck.js_divergence_samples)
_row(g, "divergence_samples", "divergence_samples", pair,
     lambda r, s: ck.divergence_samples(r, s, bins=3, measure="hellinger"), ck.divergence_samples)
_row(g, "bin_on_reference", "bin_on_reference", pair, lambda r, s: ck.bin_on_reference(r, s, bins=3),
     ck.bin_on_reference)
_row(g, "bootstrap_cdf_distances", "bootstrap_cdf_distances", pair,
     lambda u, v: ck.bootstrap_cdf_distances(u, v, n_resamples=20), ck.bootstrap_cdf_distances)

g = _group("Point sets (n, d)",
           "`f(X)` or `f(X, Y)`: (n, d) arrays of points (the class goes into X; mismatched: Y has another "
           "dimension).")
_row(g, "sliced_wasserstein", "sliced_wasserstein", points_pair_kind(),
     lambda x, y: ck.sliced_wasserstein(x, y, n_projections=8), ck.sliced_wasserstein)
_row(g, "kl_divergence_knn", "kl_divergence_knn", points_pair_kind(), ck.kl_divergence_knn, ck.kl_divergence_knn)
_row(g, "kth_neighbor_distances", "kth_neighbor_distances", points_kind(), ck.kth_neighbor_distances,
     ck.kth_neighbor_distances)
_row(g, "differential_entropy_knn", "kozachenko_leonenko_entropy", points_kind(), ck.differential_entropy_knn,
     ck.differential_entropy_knn)

g = _group("Tails (reference and generated samples)",
           "`f(reference, generated)`: two 1-D samples, alpha = 0.05 (the class goes into the reference).")
for name, side, bounds in (("tail_mass", "both", UNIT), ("tail_retention", "both", None),
                           ("expected_shortfall_ratio", "right", None), ("extreme_quantile_ratio", "right", None)):
    fn = getattr(ck, name)
    _row(g, name, name, pair, lambda r, s, fn=fn, side=side: fn(r, s, side=side), fn, bounds=bounds)
_row(g, "tail_mass_curve", "tail_mass_curve", pair, lambda r, s: ck.tail_mass_curve(r, s, [0.05, 0.2]),
     ck.tail_mass_curve, bounds=UNIT)
_row(g, "retention_curve", "retention_curve", pair, lambda r, s: ck.retention_curve(r, s, [0.05, 0.2]),
     ck.retention_curve)
_row(g, "weighted_tail_mass", "weighted_tail_mass", pair,
     lambda r, s: ck.weighted_tail_mass(r, np.ones(len(r)), s, np.ones(len(s))), ck.weighted_tail_mass,
     bounds=UNIT)

g = _group("One sample", "`f(x)`: one 1-D sample (with weights, all ones, where the function takes them).")
_row(g, "quantile", "quantile", sample_kind(), lambda a: ck.quantile(a, 0.5), ck.quantile)
_row(g, "tail_thresholds", "tail_thresholds", sample_kind(), ck.tail_thresholds, ck.tail_thresholds)
_row(g, "expected_shortfall", "expected_shortfall", sample_kind(), ck.expected_shortfall, ck.expected_shortfall)
_row(g, "hill_tail_index", "hill_tail_index", sample_kind(np.abs(SAMPLE) + 1.0), ck.hill_tail_index,
     ck.hill_tail_index)
_row(g, "differential_entropy", "differential_entropy_vasicek", sample_kind(), ck.differential_entropy,
     ck.differential_entropy)
_row(g, "weighted_expected_shortfall", "weighted_expected_shortfall", weighted_sample_kind(),
     ck.weighted_expected_shortfall, ck.weighted_expected_shortfall)
_row(g, "weighted_tail_thresholds", "weighted_tail_thresholds", weighted_sample_kind(),
     ck.weighted_tail_thresholds, ck.weighted_tail_thresholds)
_row(g, "bootstrap", "bootstrap", sample_kind(), lambda x: ck.bootstrap((x,), np.mean, n_resamples=20),
     ck.bootstrap, arg="data")

g = _group("Histograms", "`ck.histogram(a, bins=4)` and the `Histogram` accumulator.")
_row(g, "histogram", "numpy_histogram_range, histogram::fill", sample_kind(), lambda a: ck.histogram(a, 4),
     ck.histogram, empty="numpy.histogram's: zero counts, edges over [0, 1]")
_row(g, "Histogram.fill", "histogram::fill", sample_kind(), lambda x: ck.Histogram.regular(4, -1.0, 1.0).fill(x),
     ck.Histogram.fill, empty="adds nothing")
_row(g, "Histogram.fill(weights=)", "histogram::fill", weighted_sample_kind(),
     lambda x, w: ck.Histogram.regular(4, -1.0, 1.0).fill(x, w), ck.Histogram.fill, empty="adds nothing")
_row(g, "Histogram.with_edges", "histogram::with_edges", sample_kind(np.array([-2.0, -0.5, 0.0, 1.5, 3.0])),
     ck.Histogram.with_edges, ck.Histogram.with_edges)
_row(g, "Histogram.from_quantiles", "histogram::from_quantiles", sample_kind(),
     lambda x: ck.Histogram.from_quantiles(x, 4), ck.Histogram.from_quantiles, arg="reference")
_row(g, "Histogram.regular", "histogram::regular",
     scalars_kind({"valid": (4, -1.0, 1.0), "empty": (0, -1.0, 1.0), "one": (1, -1.0, 1.0),
                   "nan": (4, np.nan, 1.0), "+inf": (4, -1.0, np.inf), "-inf": (4, -np.inf, 1.0),
                   "negative": (-4, -1.0, 1.0), "subnormal": (4, 0.0, 5e-324), "huge": (4, -1.7e308, 1.7e308),
                   "complex": (4, -1.0 + 0j, 1.0), "str": ("4", -1.0, 1.0), "bool": (True, False, True)}),
     ck.Histogram.regular, ck.Histogram.regular)

g = _group("N-gram measures on documents",
           "`f(corpus)`: a list of 1-D token-id arrays, n = 2 (the class goes into the first document; "
           "two-corpus functions take a second, ordinary corpus).")
docs = documents_kind()
doc_pair = documents_pair_kind()


def _doc_row(name, cpp, kind, call, function, **kw):
    """A documents row: its errors name documents[i], the element of the corpus."""
    _row(g, name, cpp, kind, call, function, arg="documents", **kw)


_doc_row("distinct_n", "distinct_n", docs, lambda c: ck.distinct_n(c, 2), ck.distinct_n, bounds=UNIT)
_doc_row("distinct_ngrams", "distinct_ngrams", docs, lambda c: ck.distinct_ngrams(c, 2), ck.distinct_ngrams)
_doc_row("type_token_ratio", "type_token_ratio", docs, ck.type_token_ratio, ck.type_token_ratio, bounds=UNIT)
_doc_row("repetition_rate", "repetition_rate", docs, lambda c: ck.repetition_rate(c, 2), ck.repetition_rate,
         bounds=UNIT)
_doc_row("novelty", "novelty", doc_pair, lambda c, r: ck.novelty(c, r, 2), ck.novelty)
_doc_row("self_bleu", "self_bleu", docs, lambda c: ck.self_bleu(c, 2), ck.self_bleu, bounds=UNIT)
_doc_row("self_bleu_per_document", "self_bleu_per_document", docs, lambda c: ck.self_bleu_per_document(c, 2),
         ck.self_bleu_per_document, bounds=UNIT)
_doc_row("self_bleu_sampled", "self_bleu_sampled", docs, lambda c: ck.self_bleu_sampled(c, 2, max_order=2),
         ck.self_bleu_sampled)
_doc_row("mattr", "mattr", docs, lambda c: ck.mattr(c, 3), ck.mattr, bounds=UNIT)
_doc_row("mtld", "mtld", docs, ck.mtld, ck.mtld)
_doc_row("zipf_exponent", "zipf_exponent", docs, ck.zipf_exponent, ck.zipf_exponent)
_doc_row("ngram_entropy", "ngram_entropy", docs, lambda c: ck.ngram_entropy(c, 2), ck.ngram_entropy)
_doc_row("ngram_kl_divergence", "ngram_kl_divergence", doc_pair, lambda p, q: ck.ngram_kl_divergence(p, q, 2),
         ck.ngram_kl_divergence)
_doc_row("ngram_js_divergence", "ngram_js_divergence", doc_pair, lambda p, q: ck.ngram_js_divergence(p, q, 2),
         ck.ngram_js_divergence)
_doc_row("Corpus", "corpus", docs, ck.Corpus, ck.Corpus, empty="an empty corpus")
_doc_row("NgramCounts", "ngram_counts", docs, lambda c: ck.NgramCounts(c, 2), ck.NgramCounts,
         empty="an empty table")
_doc_row("HyperLogLog.add", "hyperloglog::add", docs, lambda c: _added(ck.HyperLogLog(2), "add", c),
         ck.HyperLogLog.add, empty="adds nothing")

g = _group("Accumulators", "Adding arrays to the mergeable accumulators.")
_row(g, "EntropyAccumulator.add_counts", "entropy_accumulator::add_counts", counts_kind(),
     lambda c: _added(ck.EntropyAccumulator(), "add_counts", c), ck.EntropyAccumulator.add_counts,
     empty="adds nothing")
_row(g, "EntropyAccumulator.add_observations", "entropy_accumulator::add_observations", counts_kind(),
     lambda c: _added(ck.EntropyAccumulator(), "add_observations", c), ck.EntropyAccumulator.add_observations,
     empty="adds nothing")
_row(g, "CellHistogram.fill", "partitioned::cell_histogram::fill", sample_kind(),
     lambda x: ck.CellHistogram(0, np.empty(0, np.uint64)).fill(x, 0), ck.CellHistogram.fill, empty="adds nothing")
_row(g, "TailCounter.fill", "partitioned::tail_counter::fill", sample_kind(),
     lambda x: ck.TailCounter(-1.0, 1.0).fill(x), ck.TailCounter.fill, arg="generated", empty="adds nothing")


def _histogram():
    return ck.Histogram.regular(3, 0.0, 1.0).fill([0.1, 0.5, 0.7])


def _entropy_accumulator():
    a = ck.EntropyAccumulator()
    a.add_counts([1, 2, 0, 4])
    return a


def _hyperloglog():
    h = ck.HyperLogLog(2, precision=4)
    h.add(DOCUMENTS)
    return h


def _cell_histogram():
    return ck.CellHistogram(0, np.empty(0, np.uint64)).fill(SAMPLE, 0)


g = _group("Deserialisers", "`T.deserialize(data)`: bytes written by `serialize()` (CellHistogram has no "
           "`deserialize`: its pickle calls `_cell_histogram_from_buffer`).")
_row(g, "Histogram.deserialize", "histogram::deserialize", bytes_kind(_histogram, (8, 8)),
     ck.Histogram.deserialize, ck.Histogram.deserialize)
_row(g, "EntropyAccumulator.deserialize", "entropy_accumulator::deserialize",
     bytes_kind(_entropy_accumulator, (4, 8)), ck.EntropyAccumulator.deserialize, ck.EntropyAccumulator.deserialize)
_row(g, "NgramCounts.deserialize", "ngram_counts::deserialize",
     bytes_kind(lambda: ck.NgramCounts(DOCUMENTS, 2), (20, 8)), ck.NgramCounts.deserialize,
     ck.NgramCounts.deserialize)
_row(g, "HyperLogLog.deserialize", "hyperloglog::deserialize", bytes_kind(_hyperloglog, (12, 4)),
     ck.HyperLogLog.deserialize, ck.HyperLogLog.deserialize)
_row(g, "_core._cell_histogram_from_buffer", "partitioned::cell_histogram::deserialize",
     bytes_kind(_cell_histogram, (16, 8)), ck._core._cell_histogram_from_buffer, ck._core._cell_histogram_from_buffer)

# ---------------------------------------------------------------------------------------
# Running a cell and describing its outcome.

NA = "n/a"
MESSAGE_LENGTH = 70


@dataclass
class Cell:
    row: Row
    column: str
    result: object = None  # the value returned, or the exception raised
    raised: bool = False
    applies: bool = True
    text: str = field(default=NA)


def run(call):
    """(True, exception) when call() raises, else (False, value). Any Exception is caught
    (a MemoryError or SystemError is a result the tests reject, not a crash of the script)."""
    with warnings.catch_warnings():
        # numpy warns when it casts NaN or inf to an integer id; the cell shows what follows.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return False, call()
        except Exception as e:  # noqa: BLE001 - every exception type is a possible cell
            return True, e


def short_message(message):
    """The message without its 'collapsekit.function: ' prefix, cut at MESSAGE_LENGTH."""
    text = re.sub(r"^collapsekit(\.\w+)*: ", "", " ".join(str(message).split()))
    return text if len(text) <= MESSAGE_LENGTH else text[:MESSAGE_LENGTH - 1].rstrip() + "…"


def number_class(x, bounds=None):
    """A float's class: 0, nan, +inf, -inf, or finite > 0 / < 0 (in [lo, hi] / outside
    [lo, hi] where the row documents a range). Never digits: they differ between builds."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if bounds is not None:
        lo, hi = bounds
        inside = lo <= x <= hi
        return f"{'in' if inside else 'outside'} [{lo:g}, {hi:g}]"
    return "finite > 0" if x > 0 else "finite < 0"


# Result and accumulator types: how each is described (first match wins).
RESULT_DESCRIPTIONS = [
    (ck.KSResult, lambda v, b: f"D {number_class(v.statistic, UNIT)}, p {number_class(v.pvalue, UNIT)}"),
    (ck.IntervalEstimate,
     lambda v, b: f"{number_class(v.estimate, b)}, CI {number_class(v.low)} .. {number_class(v.high)}"),
    (ck.CdfDistanceIntervals,
     lambda v, b: "W {}, KS {}, E {}".format(*(number_class(i.estimate) for i in (v.wasserstein, v.ks, v.energy)))),
    (ck.Estimate, lambda v, b: f"{number_class(v.value, b)} ± {number_class(v.standard_error)}"),
    (ck.RareRetention,
     lambda v, b: f"survival {number_class(v.survival_share, UNIT)}, mass {number_class(v.mass_retention)}"),
    (ck.NoveltyResult, lambda v, b: f"tokens {number_class(v.tokens, UNIT)}, types {number_class(v.types, UNIT)}"),
]
ACCUMULATOR_DESCRIPTIONS = [
    (ck.Histogram, lambda v: f"Histogram, total {v.total}, NaN {v.nan_count}"),
    (ck.EntropyAccumulator, lambda v: f"EntropyAccumulator, total {v.total}"),
    (ck.NgramCounts, lambda v: f"NgramCounts, total {v.total}"),
    (ck.CellHistogram, lambda v: f"CellHistogram, total {v.total(0)}"),
    (ck.TailCounter, lambda v: f"TailCounter, total {v.total}"),
    (ck.HyperLogLog, lambda v: "HyperLogLog"),
    (ck.Corpus, lambda v: f"Corpus, {v.documents} documents, {v.size} tokens"),
]


def describe(value, bounds=None):
    """A short, machine-independent description of a returned value."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return "0" if value == 0 else "int > 0" if value > 0 else "int < 0"
    if isinstance(value, (float, np.floating)):
        return number_class(value, bounds)
    for cls, text in RESULT_DESCRIPTIONS:
        if isinstance(value, cls):
            return text(value, bounds)
    if isinstance(value, tuple):
        return "(" + ", ".join(describe(v, bounds) for v in value) + ")"
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return "array[0]"
        classes = sorted({describe(v, bounds) for v in value.ravel()})
        return f"array[{value.size}] of " + " / ".join(classes)
    for cls, text in ACCUMULATOR_DESCRIPTIONS:
        if isinstance(value, cls):
            return text(value)
    return type(value).__name__


def outcome_text(raised, result, bounds=None):
    """'ValueError: <message>' for an exception, else the value's class."""
    if raised:
        return f"{type(result).__name__}: {short_message(result)}"
    return describe(result, bounds)


def outcome(call, bounds=None):
    """What call() does, in a few words: 'ValueError: <message>' or the value's class."""
    return outcome_text(*run(call), bounds)


def run_matrix():
    """Every cell of the matrix, run: a list of Cell in row, then column order."""
    cells = []
    for row in ROWS:
        for key in COLUMN_KEYS:
            args = row.args(key)
            if args is None:
                cells.append(Cell(row, key, applies=False))
                continue
            raised, result = run(lambda: row.call(*args))
            cells.append(Cell(row, key, result, raised, True, outcome_text(raised, result, row.bounds)))
    return cells


# ---------------------------------------------------------------------------------------
# The Markdown page.

INTRODUCTION = """\
# The bad-input matrix

What every public function of collapsekit that takes arrays, counts, samples, documents or
bytes does with each class of bad input. Rows name the Python function (`ck.name`, with
`import collapsekit as ck`) and the C++ function it binds (`collapsekit::name`). The Python
module only binds: it converts dtypes and memory layouts and calls the C++ function, so the
C++ function behaves as its row says except in the dtype and non-contiguous columns, which
the binding handles.

**Generated, and checked by the tests.** This file is written by
`scripts/bad_input_matrix.py` from the inputs and calls in `python/tests/bad_input_matrix.py`;
`python/tests/test_bad_input_matrix.py` fails when it differs from what the library does now,
and checks the error policies over every cell. After a change to the library, rebuild the
module and run, from the repository root:

```
PYTHONPATH=<build>/python {regenerate}
```

(`--check` compares instead of writing and exits 1 with a diff.)

**Columns** (each cell differs from the valid one in that respect only; an input class goes
into the first array argument unless the group says otherwise):

{columns}

**Cells**: `ValueError: ...` / `TypeError: ...` is the exception raised, its message without
the `collapsekit.function: ` prefix and cut at {length} characters. Otherwise the cell
classifies what was returned, never its digits (they differ in the last bits between AVX-512
and AVX2 builds): `0`, `nan`, `+inf`, `-inf`, `finite > 0`, `finite < 0`, `in [0, 1]` for a
function documented to return a value in [0, 1] (`outside [0, 1]` would be a bug), `v ± se` for
an `Estimate`, `array[n] of ...` for arrays, `D ..., p ...` for a KS result, and the type and
totals of a returned accumulator. **n/a**: the input class does not apply to that function (a
one-sample function has no second array to mismatch; only deserialisers read bytes); a column
that is n/a for a whole group is left out of its table.
"""


def _cell_markdown(text):
    return text.replace("|", "\\|").replace("*", "\\*")


def render(cells=None):
    """The whole Markdown page (introduction, then one table per group)."""
    cells = run_matrix() if cells is None else cells
    by_row = {}
    for cell in cells:
        by_row.setdefault(id(cell.row), {})[cell.column] = cell
    columns = "\n".join(f"- **{c.title}**: {c.meaning}." for c in COLUMNS)
    out = [INTRODUCTION.format(regenerate=REGENERATE, columns=columns, length=MESSAGE_LENGTH)]
    for title, about in GROUPS:
        rows = [r for r in ROWS if r.group == title]
        keys = [k for k in COLUMN_KEYS if any(by_row[id(r)][k].applies for r in rows)]
        out.append(f"## {title}\n\n{about}\n")
        out.append("| function | " + " | ".join(c.title for c in COLUMNS if c.key in keys) + " |")
        out.append("|---" * (len(keys) + 1) + "|")
        for r in rows:
            label = f"`ck.{r.name}`<br>`collapsekit::{r.cpp}`" if "," not in r.cpp else (
                f"`ck.{r.name}`<br>" + ", ".join(f"`collapsekit::{p.strip()}`" for p in r.cpp.split(",")))
            texts = [_cell_markdown(by_row[id(r)][k].text) for k in keys]
            out.append(f"| {label} | " + " | ".join(texts) + " |")
        out.append("")
    return "\n".join(out)
