"""collapsekit on Dask: measures of data spread over partitions and worker processes.

Two kinds of computation, both built on public Dask APIs only (``Array.to_delayed``,
``Bag.to_delayed``, ``Series.to_delayed``, ``dask.delayed``, ``dask.compute``), so Dask
upgrades do not break them; tested with Debian's dask / distributed 2022.12.

* Accumulator reductions (lazy: they return a ``dask.delayed.Delayed``; call
  ``.compute()``): one accumulator is filled per block, then the accumulators are merged
  by a tree of ``split_every``-way merges (in C++, without the GIL). The accumulators
  hold integer counts, so the result equals the single-process one exactly for any
  chunking and any ``split_every``: :func:`histogram`, :func:`category_counts`,
  :func:`entropy`, :func:`count_divergence`, :func:`ngram_counts`, :func:`distinct_n`,
  :func:`distinct_count` (HyperLogLog), :func:`tail_mass`.
* Exact CDF measures by bracket-and-refine (eager: they run a few passes over the data
  and return a :class:`BracketResult`): :func:`wasserstein`, :func:`ks_2samp`,
  :func:`energy_distance`, :func:`quantile`. Each pass merges integer cell histograms of
  the order-preserving 64-bit key and certifies ``lower <= exact <= upper``; undecided
  cells are refined up to 16 key bits a pass (fewer when 16 would make a pass's
  histogram exceed 2^18 cells), or gathered and finished by sorting once they hold few
  values.

And :func:`simulate`, which spreads the replicates of ``collapsekit.simulate`` over tasks
and returns the same DataFrame, bit for bit.

Inputs: a ``dask.array.Array`` (any shape; blocks are flattened in C order), a
``dask.dataframe.Series``, a ``dask.bag.Bag`` of numbers or (for n-grams) of 1-D
token-id arrays; numpy arrays and lists are accepted as one partition. The computations
run on Dask's current scheduler: a ``distributed.Client`` when one is active.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _core

try:
    import dask
    from dask.delayed import Delayed, delayed
except ImportError as _e:  # pragma: no cover - dask is an optional dependency
    raise ImportError("collapsekit.dask needs dask (Debian: python3-dask; pip: dask)") from _e

__all__ = [
    "BracketResult",
    "category_counts",
    "count_divergence",
    "distinct_count",
    "distinct_n",
    "energy_distance",
    "entropy",
    "histogram",
    "ks_2samp",
    "ngram_counts",
    "quantile",
    "simulate",
    "tail_mass",
    "wasserstein",
]

#: The oldest Dask these functions are documented and tested to work with.
MINIMUM_DASK = "2022.12.0"

_DEFAULT_SPLIT_EVERY = 8

# --------------------------------------------------------------------------------------
# Partitions and tree reductions (orchestration only)
# --------------------------------------------------------------------------------------


def _partitions(data: Any, name: str, function: str) -> List[Any]:
    """The partitions of data as a list of Delayed (or of one concrete object)."""
    try:
        import dask.array as da
    except ImportError:  # pragma: no cover
        da = None
    try:
        import dask.bag as db
    except ImportError:  # pragma: no cover
        db = None
    if da is not None and isinstance(data, da.Array):
        return list(data.to_delayed().ravel())
    if db is not None and isinstance(data, db.Bag):
        return list(data.to_delayed())
    try:
        import dask.dataframe as dd

        if isinstance(data, dd.Series):
            return list(data.to_delayed())
        if isinstance(data, dd.DataFrame):
            raise TypeError(
                f"collapsekit.dask.{function}: {name} must be one column (a dask Series), not a DataFrame"
            )
    except ImportError:  # pragma: no cover
        pass
    if isinstance(data, (np.ndarray, list, tuple)):
        return [data]
    raise TypeError(
        f"collapsekit.dask.{function}: {name} must be a dask Array, Bag or Series, or a numpy array "
        f"(got {type(data).__name__})"
    )


def _check_split_every(split_every: Optional[int], function: str) -> int:
    if split_every is None:
        return _DEFAULT_SPLIT_EVERY
    if isinstance(split_every, bool) or not isinstance(split_every, (int, np.integer)) or split_every < 2:
        raise ValueError(f"collapsekit.dask.{function}: split_every must be an integer >= 2 (got {split_every!r})")
    return int(split_every)


def _merge(parts: list) -> Any:
    return _core._merge_all(list(parts))


def _tree_reduce(parts: List[Any], split_every: int, name: str) -> Delayed:
    """Merges parts with a balanced tree of split_every-way merges, in partition order."""
    merge = delayed(_merge, pure=True)
    level = list(parts)
    depth = 0
    while len(level) > 1 or depth == 0:
        level = [
            merge(level[i : i + split_every], dask_key_name=f"{name}-merge-{depth}-{i // split_every}-{_token(level)}")
            for i in range(0, len(level), split_every)
        ]
        depth += 1
    return level[0]


def _fill_and_reduce(
    data: Any, name: str, function: str, fill: Callable[..., Any], args: tuple, split_every: Optional[int], key: str
) -> Delayed:
    """One fill(partition, *args) task per partition, merged by a split_every-way tree:
    the shape of every accumulator reduction (dask-histogram's, without its delayed(sum))."""
    split = _check_split_every(split_every, function)
    task = delayed(fill, pure=True)
    return _tree_reduce([task(p, *args) for p in _partitions(data, name, function)], split, key)


def _token(*args: Any) -> str:
    return dask.base.tokenize(*args)[:16]


def _flat(block: Any) -> np.ndarray:
    a = np.asarray(block)
    return a.ravel() if a.ndim != 1 else a


def _values(block: Any) -> np.ndarray:
    """A partition's values as a 1-D array (pandas Series, numpy block, list of numbers)."""
    if hasattr(block, "to_numpy"):
        block = block.to_numpy()
    return _flat(block)


# --------------------------------------------------------------------------------------
# Accumulator reductions
# --------------------------------------------------------------------------------------


def _fill_histogram(block: Any, template: Any, nan_policy: str) -> Any:
    h = template.empty_like()
    h.fill(_values(block), nan_policy=nan_policy, threads=1)
    return h


def histogram(
    x: Any,
    bins: Union[int, Sequence[float], Any] = 10,
    range: Optional[Tuple[float, float]] = None,
    *,
    nan_policy: str = "raise",
    split_every: Optional[int] = None,
) -> Delayed:
    """Histogram of partitioned values, lazily: ``.compute()`` gives a ``collapsekit.Histogram``.

    bins: an int (with ``range=(lo, hi)``: ``Histogram.regular(bins, lo, hi)``), a
    sequence of edges (``Histogram.with_edges``), or an empty ``Histogram`` whose binning
    is reused. Values are in the data's units; counts are exact integers, so the result
    equals ``template.fill(all values)`` for any chunking and split_every (bit for bit,
    ``==``). nan_policy as ``Histogram.fill``. ValueError for a missing range or bad
    split_every; TypeError for unsupported inputs.
    """
    fn = "histogram"
    _check_split_every(split_every, fn)  # before the binning's own errors
    if isinstance(bins, _core.Histogram):
        template = bins.empty_like()
    elif isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        if range is None:
            raise ValueError("collapsekit.dask.histogram: range=(lo, hi) is required with an integer bins")
        template = _core.Histogram.regular(int(bins), float(range[0]), float(range[1]))
    else:
        template = _core.Histogram.with_edges(np.asarray(bins, dtype=np.float64))
    spec = delayed(template, pure=True)  # one graph node, shared by every fill task
    return _fill_and_reduce(x, "x", fn, _fill_histogram, (spec, nan_policy), split_every, "ck-histogram")


def _fill_categories(block: Any, categories: int) -> Any:
    acc = _core.EntropyAccumulator(categories)
    acc.add_observations(np.asarray(_values(block), dtype=np.int64))
    return acc


def category_counts(x: Any, categories: int = 0, *, split_every: Optional[int] = None) -> Delayed:
    """Counts of non-negative integer category ids, lazily: ``.compute()`` gives an
    ``EntropyAccumulator`` (its ``counts`` has at least ``categories`` entries). Exact for
    any chunking. ValueError for negative ids (raised when computed)."""
    if categories < 0:
        raise ValueError(f"collapsekit.dask.category_counts: categories must be >= 0 (got {categories})")
    return _fill_and_reduce(x, "x", "category_counts", _fill_categories, (int(categories),), split_every, "ck-categories")


def _entropy_of(acc: Any, estimator: str, base: Optional[float]) -> Any:
    return acc.entropy(estimator, base)


def entropy(
    x: Any,
    estimator: str = "plugin",
    base: Optional[float] = None,
    *,
    split_every: Optional[int] = None,
) -> Delayed:
    """Entropy of partitioned category ids (nats by default; ``base=2`` for bits), lazily:
    ``.compute()`` gives the ``Estimate`` of ``EntropyAccumulator.entropy(estimator, base)``
    on the merged counts, identical to the single-process value."""
    return delayed(_entropy_of, pure=True)(category_counts(x, split_every=split_every), estimator, base)


def _divergence_of(name: str, p: Any, q: Any, kwargs: dict) -> float:
    k = max(p.categories, q.categories)
    a = _core.EntropyAccumulator(k)
    a += p
    b = _core.EntropyAccumulator(k)
    b += q
    return getattr(_core, name + "_counts")(a.counts, b.counts, **kwargs)


_COUNT_DIVERGENCES = (
    "kl_divergence",
    "js_divergence",
    "hellinger",
    "total_variation",
    "chi_squared_pearson",
    "psi",
)


def count_divergence(
    p: Any,
    q: Any,
    measure: str = "js_divergence",
    *,
    split_every: Optional[int] = None,
    **kwargs: Any,
) -> Delayed:
    """A count divergence between two partitioned samples of category ids, lazily:
    ``collapsekit.<measure>_counts(counts_p, counts_q, **kwargs)`` on the exact
    merged counts (both padded to the larger number of categories), e.g. measure
    'kl_divergence' (with zero_support=...), 'js_divergence', 'hellinger', 'psi',
    'total_variation'. kwargs (base, zero_support, ...) go to the measure.
    ValueError for an unknown measure."""
    if not isinstance(measure, str) or measure.startswith("_") or not hasattr(_core, measure + "_counts"):
        raise ValueError(
            f"collapsekit.dask.count_divergence: measure must name a collapsekit count divergence "
            f"such as {', '.join(repr(m) for m in _COUNT_DIVERGENCES)} (got {measure!r})"
        )
    cp = category_counts(p, split_every=split_every)
    cq = category_counts(q, split_every=split_every)
    return delayed(_divergence_of, pure=True)(measure, cp, cq, dict(kwargs))


def _documents(block: Any) -> list:
    return [np.asarray(d, dtype=np.int64) for d in block]


def _fill_ngrams(block: Any, n: int) -> Any:
    return _core.NgramCounts(_documents(block), n, threads=1)


def ngram_counts(docs: Any, n: int, *, split_every: Optional[int] = None) -> Delayed:
    """Exact n-gram counts of a bag (or list) of 1-D token-id arrays, lazily: ``.compute()``
    gives a ``collapsekit.NgramCounts`` equal (``==``) to ``NgramCounts(all documents, n)``.
    n in 1..8; ValueError otherwise (raised when computed)."""
    return _fill_and_reduce(docs, "docs", "ngram_counts", _fill_ngrams, (int(n),), split_every, "ck-ngrams")


def _distinct_ratio(t: Any) -> float:
    if t.total == 0:
        raise ValueError("collapsekit.dask.distinct_n: the corpus has no n-grams")
    return t.distinct / t.total


def distinct_n(docs: Any, n: int, *, split_every: Optional[int] = None) -> Delayed:
    """distinct-n (distinct n-grams / n-gram occurrences, pooled over the corpus), exact,
    lazily; equals ``collapsekit.distinct_n(all documents, n)``. ValueError for a corpus
    without n-grams."""
    return delayed(_distinct_ratio, pure=True)(ngram_counts(docs, n, split_every=split_every))


def _fill_hll(block: Any, n: int, precision: int) -> Any:
    h = _core.HyperLogLog(n, precision)
    h.add(_documents(block), threads=1)
    return h


def _cardinality(h: Any, estimator: str) -> Any:
    return h.cardinality(estimator)


def distinct_count(
    docs: Any,
    n: int,
    precision: int = 14,
    estimator: str = "classic",
    *,
    sketch: bool = False,
    split_every: Optional[int] = None,
) -> Delayed:
    """Estimated number of distinct n-grams (HyperLogLog, relative standard error
    1.04 / sqrt(2^precision)), lazily: an ``Estimate``, or with sketch=True the merged
    ``HyperLogLog``. The registers equal the single-process sketch's exactly."""
    merged = _fill_and_reduce(
        docs, "docs", "distinct_count", _fill_hll, (int(n), int(precision)), split_every, "ck-hll"
    )
    if sketch:
        return merged
    return delayed(_cardinality, pure=True)(merged, estimator)


def _fill_tail(block: Any, lower: float, upper: float, nan_policy: str) -> Any:
    t = _core.TailCounter(lower, upper)
    t.fill(_values(block), nan_policy)
    return t


def _mass(t: Any, nan_policy: str) -> float:
    return t.mass(nan_policy)


def tail_mass(
    reference: Any,
    generated: Any,
    alpha: float = 0.05,
    side: str = "both",
    method: str = "linear",
    nan_policy: str = "raise",
    *,
    split_every: Optional[int] = None,
) -> Delayed:
    """Share of the partitioned generated sample beyond the reference's tail thresholds
    (``collapsekit.tail_thresholds(reference, alpha, method)``), lazily; the same value,
    bit for bit, as ``collapsekit.tail_mass(reference, generated, alpha, side, ...)``.
    reference: an in-memory 1-D array (a dask array is computed first). side: 'left',
    'right' or 'both'. A probability in [0, 1]. ValueError for a bad alpha / side / empty
    sample; NaN per nan_policy."""
    fn = "tail_mass"
    _check_split_every(split_every, fn)
    if side not in ("left", "right", "both"):
        raise ValueError(f"collapsekit.dask.tail_mass: side must be 'left', 'right' or 'both' (got {side!r})")
    if hasattr(reference, "compute"):
        reference = reference.compute()
    lo, hi = _core.tail_thresholds(reference, alpha, method, nan_policy)
    if math.isnan(lo) or math.isnan(hi):  # the reference propagated NaN
        return delayed(float("nan"))
    nan = float("nan")
    lower = lo if side != "right" else nan
    upper = hi if side != "left" else nan
    merged = _fill_and_reduce(generated, "generated", fn, _fill_tail, (lower, upper, nan_policy), split_every, "ck-tail")
    return delayed(_mass, pure=True)(merged, nan_policy)


# --------------------------------------------------------------------------------------
# Exact CDF measures: bracket-and-refine
# --------------------------------------------------------------------------------------


@dataclass
class BracketResult:
    """A partitioned measure with its certificate.

    value: the measure (exact when ``exact``; else the midpoint of the bounds, as when
    ``tol`` stopped the refinement early); lower / upper: certified bounds,
    ``lower <= exact value <= upper``; passes: passes over the data (histogram passes
    plus the final gather, if any); exact: whether value is the exact one; history:
    ``(lower, upper)`` after each pass. For quantile with several q, value / lower /
    upper are arrays in q's order. pvalue: :func:`ks_2samp` only, once exact, the
    p-value ``collapsekit.ks_2samp`` gives for that statistic and those sample sizes;
    NaN otherwise.
    """

    value: Any
    lower: Any
    upper: Any
    passes: int
    exact: bool
    history: List[Tuple[Any, Any]] = field(default_factory=list)
    pvalue: float = float("nan")

    def __float__(self) -> float:
        return float(self.value)


def _fill_cells(block: Any, spec: Tuple[int, np.ndarray, int], sample: int, nan_policy: str) -> Any:
    h = _core.CellHistogram(*spec)
    h.fill(np.asarray(_values(block), dtype=np.float64), sample, nan_policy)
    return h


def _select(block: Any, ranges: Tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return _core.select_in_ranges(np.asarray(_values(block), dtype=np.float64), ranges[0], ranges[1])


def _concat(parts: list) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0)


def _run_bracket(
    planner: Any,
    samples: List[List[Any]],
    nan_policy: str,
    split_every: int,
    scalar: bool,
    on_pass: Optional[Callable[[int, Any, Any], None]],
) -> BracketResult:
    history: List[Tuple[Any, Any]] = []
    fill = delayed(_fill_cells, pure=True)
    select = delayed(_select, pure=True)
    concat = delayed(_concat, pure=True)
    while planner.step != "done":
        if planner.step == "refine":
            depth, prefixes, bits = planner.spec
            spec = delayed((int(depth), prefixes, int(bits)), pure=True)
            leaves = [fill(p, spec, s, nan_policy) for s, parts in enumerate(samples) for p in parts]
            (merged,) = dask.compute(_tree_reduce(leaves, split_every, "ck-cells"))
            planner.update(merged)
        else:
            ranges = delayed(planner.gather_ranges, pure=True)
            gathered = [concat([select(p, ranges) for p in parts]) for parts in samples]
            got = dask.compute(*gathered)
            x = got[0]
            y = got[1] if len(got) > 1 else np.empty(0)
            planner.finish(x, y)
        lo, hi = planner.lower, planner.upper
        history.append((float(lo[0]), float(hi[0])) if scalar else (lo.copy(), hi.copy()))
        if on_pass is not None:
            on_pass(planner.passes, history[-1][0], history[-1][1])
    value, lo, hi = planner.values, planner.lower, planner.upper
    if scalar:
        value, lo, hi = float(value[0]), float(lo[0]), float(hi[0])
    return BracketResult(value, lo, hi, int(planner.passes), bool(planner.exact), history, float(planner.ks_pvalue))


def _two_sample(
    measure: str,
    u: Any,
    v: Any,
    function: str,
    nan_policy: str,
    tol: float,
    gather_limit: int,
    split_every: Optional[int],
    on_pass: Optional[Callable[[int, Any, Any], None]],
    alternative: str = "two-sided",
) -> BracketResult:
    split = _check_split_every(split_every, function)
    if not (tol >= 0):
        raise ValueError(f"collapsekit.dask.{function}: tol must be >= 0 (got {tol!r})")
    if gather_limit < 0:
        raise ValueError(f"collapsekit.dask.{function}: gather_limit must be >= 0 (got {gather_limit!r})")
    planner = _core.Bracket(
        measure, alternative=alternative, nan_policy=nan_policy, gather_limit=int(gather_limit), tol=float(tol)
    )
    samples = [_partitions(u, "u_values", function), _partitions(v, "v_values", function)]
    return _run_bracket(planner, samples, nan_policy, split, True, on_pass)


def wasserstein(
    u_values: Any,
    v_values: Any,
    *,
    nan_policy: str = "raise",
    tol: float = 0.0,
    gather_limit: int = 1 << 20,
    split_every: Optional[int] = None,
    on_pass: Optional[Callable[[int, Any, Any], None]] = None,
) -> BracketResult:
    """Exact W1 (scipy.stats.wasserstein_distance; units of the samples) between two
    partitioned samples, without gathering them.

    Each pass merges cell histograms of both samples; cells where F - G keeps one sign
    are integrated exactly from their counts and exact significand sums, the others
    bound it. Refine passes take up to 16 key bits each (4 passes reach single values),
    fewer when 16 would make more than 2^18 cells; undecided cells holding at most
    gather_limit values are gathered and finished exactly. The exact value is within one
    ulp of the real W1 (double-double arithmetic, one final rounding); collapsekit.wasserstein
    sums rounded terms and agrees to about 1e-13 relative. tol > 0 stops as soon as
    upper - lower <= tol. on_pass(passes, lower, upper) is called after each pass.
    ValueError for an empty sample, +-inf, NaN under nan_policy='raise', bad tol /
    split_every; 'propagate' gives NaN, 'omit' drops NaN.
    """
    return _two_sample("wasserstein", u_values, v_values, "wasserstein", nan_policy, tol, gather_limit, split_every, on_pass)


def ks_2samp(
    data1: Any,
    data2: Any,
    alternative: str = "two-sided",
    *,
    nan_policy: str = "raise",
    tol: float = 0.0,
    gather_limit: int = 1 << 20,
    split_every: Optional[int] = None,
    on_pass: Optional[Callable[[int, Any, Any], None]] = None,
) -> BracketResult:
    """Exact two-sample KS statistic of partitioned samples: bit-identical to
    ``collapsekit.ks_2samp(data1, data2, alternative).statistic`` (the same integer
    extremes of i m - j n and the same final formula), and once exact its ``pvalue``,
    equal to ``collapsekit.ks_2samp``'s (exact when max(n, m) <= 10000, else asymptotic).
    Arguments and errors as :func:`wasserstein`; n * m must be below 2^63."""
    return _two_sample("ks", data1, data2, "ks_2samp", nan_policy, tol, gather_limit, split_every, on_pass, alternative)


def energy_distance(
    u_values: Any,
    v_values: Any,
    *,
    nan_policy: str = "raise",
    tol: float = 0.0,
    gather_limit: int = 1 << 20,
    split_every: Optional[int] = None,
    on_pass: Optional[Callable[[int, Any, Any], None]] = None,
) -> BracketResult:
    """Exact energy distance (scipy's: sqrt(2 * int (F - G)^2 dx), units of the samples).
    Only single-value cells are decided without their values, so unlike W1 this gathers
    the values of every multi-value cell eventually (bounds narrow each pass; use tol to
    stop early). Within one ulp of the real value. Arguments and errors as :func:`wasserstein`."""
    return _two_sample(
        "energy", u_values, v_values, "energy_distance", nan_policy, tol, gather_limit, split_every, on_pass
    )


def quantile(
    a: Any,
    q: Union[float, Sequence[float]],
    method: str = "linear",
    *,
    nan_policy: str = "raise",
    tol: float = 0.0,
    gather_limit: int = 1 << 20,
    split_every: Optional[int] = None,
    on_pass: Optional[Callable[[int, Any, Any], None]] = None,
) -> BracketResult:
    """Exact quantiles of a partitioned sample (radix selection on the order-preserving
    key): bit-identical to ``collapsekit.quantile(a, q, method)`` / numpy.quantile, with
    certified bounds after each pass (unlike dask.array.percentile, which is approximate
    and unbounded, dask#3115). method 'linear' or 'inverted_cdf'. value / lower / upper
    are floats for a scalar q, arrays otherwise. ValueError for a q outside [0, 1], an
    empty sample, +-inf; NaN per nan_policy."""
    fn = "quantile"
    split = _check_split_every(split_every, fn)
    scalar = np.ndim(q) == 0
    qs = np.atleast_1d(np.asarray(q, dtype=np.float64))
    planner = _core.Bracket(
        "quantile", q=qs, method=method, nan_policy=nan_policy, gather_limit=int(gather_limit), tol=float(tol)
    )
    return _run_bracket(planner, [_partitions(a, "a", fn)], nan_policy, split, scalar, on_pass)


# --------------------------------------------------------------------------------------
# Simulation replicates
# --------------------------------------------------------------------------------------


def _simulate_batch(first: int, last: int, args: tuple, kwargs: dict) -> Any:
    import collapsekit

    # Replicate r draws from rng::for_stream(seed, (l << 32) | r) whatever else runs, so
    # replicates first..last-1 run alone (first_replicate) give the rows of a whole run.
    model, policy, generations, samples, seed, metrics = args
    model = model() if callable(model) else model
    policy = policy() if callable(policy) else policy  # None: simulate's default
    out = collapsekit.simulate(model, policy, generations, samples, last - first, seed, metrics, threads=1,
                               first_replicate=first, **kwargs)
    return out if isinstance(out, tuple) else (out,)


def simulate(
    model: Any,
    policy: Any = None,
    generations: int = 10,
    samples: Any = 1000,
    replicates: int = 1,
    seed: int = 0,
    metrics: Optional[Sequence[str]] = None,
    *,
    replicates_per_task: int = 8,
    provenance: bool = False,
    **kwargs: Any,
) -> Any:
    """``collapsekit.simulate`` with its replicates spread over Dask tasks (batches of
    replicates_per_task), returning the same DataFrame, bit for bit, as the local call with
    the same seed (and, with provenance=True, the same provenance table). Other keywords
    (human, lineages, initial_samples, reference_samples) go to collapsekit.simulate.

    The task for replicates [a, b) runs exactly those (collapsekit.simulate's
    first_replicate); the rows are put back in the local order (lineage slot, then
    replicate).
    ValueError for replicates < 1 or replicates_per_task < 1.
    """
    import pandas as pd

    if replicates < 1:
        raise ValueError(f"collapsekit.dask.simulate: replicates must be at least 1 (got {replicates})")
    if replicates_per_task < 1:
        raise ValueError(
            f"collapsekit.dask.simulate: replicates_per_task must be at least 1 (got {replicates_per_task})"
        )
    if "threads" in kwargs or "progress" in kwargs:
        raise TypeError("collapsekit.dask.simulate: threads and progress are not supported on a cluster")
    import pickle

    for name, obj in (("model", model), ("policy", policy)):
        if obj is None or callable(obj):
            continue
        try:
            pickle.dumps(obj)
        except Exception:
            raise TypeError(
                f"collapsekit.dask.simulate: {name} must be picklable or a zero-argument callable that "
                f"builds it (e.g. lambda: ck.GaussianModel()); {type(obj).__name__} does not pickle"
            ) from None
    kw = dict(kwargs)
    kw["provenance"] = bool(provenance)
    args = (model, policy, int(generations), samples, int(seed), metrics)
    batch = delayed(_simulate_batch, pure=True)
    tasks = [
        batch(a, min(a + replicates_per_task, replicates), args, kw)
        for a in range(0, replicates, replicates_per_task)
    ]
    results = dask.compute(*tasks)
    frames = []
    for i in range(len(results[0])):
        # Locally the rows run lineage by lineage (then the lineage pairs), each over every
        # replicate; a batch holds that order for its replicates, so a stable sort by each
        # lineage's first appearance restores it.
        slot = {name: k for k, name in enumerate(pd.unique(results[0][i]["lineage"]))}
        frame = pd.concat([r[i] for r in results], ignore_index=True)
        order = frame["lineage"].map(slot).to_numpy()
        frames.append(frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True))
    return (frames[0], frames[1]) if provenance else frames[0]


# --------------------------------------------------------------------------------------
# dask.sizeof for our types (the scheduler's memory accounting)
# --------------------------------------------------------------------------------------


def _register_sizeof() -> None:
    from dask.sizeof import sizeof

    @sizeof.register(_core.CellHistogram)
    def _sizeof_cells(h: Any) -> int:
        return int(h.nbytes)

    @sizeof.register(_core.TailCounter)
    def _sizeof_tail(t: Any) -> int:
        return 64

    # From the sizes, never from serialize(): the scheduler asks for every task result,
    # and serialising a million-entry NgramCounts took twice as long as filling it.
    @sizeof.register(_core.NgramCounts)
    def _sizeof_ngrams(t: Any) -> int:
        return 64 + int(t.distinct) * (4 * int(t.order) + 8)

    @sizeof.register(_core.EntropyAccumulator)
    def _sizeof_entropy(a: Any) -> int:
        return 64 + 16 * int(a.categories)

    @sizeof.register(_core.HyperLogLog)
    def _sizeof_hll(h: Any) -> int:
        return 64 + (1 << int(h.precision))

    @sizeof.register(_core.Histogram)
    def _sizeof_histogram(h: Any) -> int:
        return 256 + 24 * (int(h.bins) + 2)


_register_sizeof()
