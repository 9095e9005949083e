"""Property tests (Hypothesis) of the histogram bindings and the quantiles they expose.

Against numpy: numpy.histogram (counts and edges bit for bit, for a bin count with a range,
a bin count with numpy's automatic range, and explicit edges with repeats; the last bin
closed; weights and density to rounding), numpy.quantile (tail_thresholds, with the
'linear' and 'inverted_cdf' methods) and numpy.unique(numpy.quantile(...)) for
Histogram.from_quantiles. Documented differences are tested as documented: NaN follows
nan_policy (numpy drops NaN silently when a range is given), float32 data are binned as the
doubles they convert to, a range with lo == hi is an error (numpy widens it by 0.5).
Invariants: layout and dtype invariance, thread invariance, the Histogram's flows and NaN
count, its quantile function, and 'nothing is added' when a fill raises.

Merging, pickling and serialisation of Histogram are in test_properties_accumulators.py.
Profiles and example counts: see test_properties_common.py (HYPOTHESIS_PROFILE=long).
"""

import math
import os
import sys

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_properties_common import (  # noqa: E402
    EPS,
    assert_close,
    examples,
    finite_floats,
    layouts,
    with_layout,
)

import collapsekit as ck  # noqa: E402


def data_values(min_size=0, max_size=60, nan=True, inf=True):
    """float64 data: ordinary values, values on and near likely edges (small integers and
    halves), huge and tiny magnitudes, signed zeros, +-inf and NaN."""
    return hnp.arrays(
        np.float64,
        st.integers(min_size, max_size),
        elements=st.one_of(
            st.integers(-8, 8).map(float),
            st.integers(-16, 16).map(lambda k: k / 8),
            st.floats(allow_nan=nan, allow_infinity=inf),
        ),
    )


@st.composite
def ranges(draw):
    """(lo, hi) with lo < hi: unit-ish ranges, tiny widths far from 0, huge ranges."""
    kind = draw(st.sampled_from(["small", "any", "narrow"]))
    if kind == "small":
        lo = draw(st.integers(-8, 7)) / 2
        hi = lo + draw(st.integers(1, 16)) / 2
    elif kind == "narrow":
        lo = draw(finite_floats(-1e10, 1e10))
        hi = lo + abs(lo) * draw(st.sampled_from([1e-15, 1e-12, 1e-9])) + 1e-300
    else:
        a = draw(finite_floats(-1e300, 1e300))
        b = draw(finite_floats(-1e300, 1e300))
        lo, hi = min(a, b), max(a, b)
    assume(lo < hi)
    return lo, hi


def check_by_definition(counts, edges, x):
    """Counts against the bin definition on the returned edges: [e_i, e_i+1), the last bin
    closed, each finite value in [e_0, e_last] counted once (numpy's searchsorted rule; its
    fast path can differ from that by one bin within an ulp of an edge, hence the slack)."""
    f = x[~np.isnan(x)]
    inside = f[(f >= edges[0]) & (f <= edges[-1])]
    assert int(np.sum(counts)) == inside.size
    idx = np.minimum(np.searchsorted(edges, inside, side="right") - 1, len(counts) - 1)
    expected = np.bincount(idx, minlength=len(counts))
    assert np.abs(np.cumsum(expected) - np.cumsum(counts)).max(initial=0) <= inside.size


BINS = st.one_of(st.integers(1, 12), st.sampled_from([50, 257, 1000]))


def ck_or_none(f):
    """f() or None when it raises the documented ValueError for a binning numpy would
    accept with meaningless edges (bins / (hi - lo) not finite: README 'Errors')."""
    try:
        return f()
    except ValueError as e:
        assert "Histogram.regular" in str(e)
        return None


@examples(80)
@given(x=data_values(), bins=BINS, rng=ranges(), layout=layouts)
def test_regular_bins_with_range_equal_numpy(x, bins, rng, layout):
    """histogram(x, bins, range) has numpy.histogram's counts and edges bit for bit (the
    last bin closed, values on edges as numpy's fast path bins them). Values outside the
    range (and +-inf) are dropped, as in numpy; NaN follow nan_policy: 'omit' leaves them
    out, as numpy does silently."""
    out = ck_or_none(lambda: ck.histogram(with_layout(x, layout), bins, range=rng, nan_policy="omit"))
    if out is None:
        assert not math.isfinite(bins / (rng[1] - rng[0])) or rng[1] - rng[0] == 0
        return
    c, e = out
    with np.errstate(all="ignore"):
        try:
            c2, e2 = np.histogram(x[~np.isnan(x)], bins, range=rng)
        except IndexError:
            # numpy gh-23110 / gh-25053 (open): numpy's index correction runs off the edge
            # array for tiny or extreme ranges. Ours by the definition instead.
            check_by_definition(c, e, x)
            return
    np.testing.assert_array_equal(e, e2)
    np.testing.assert_array_equal(c, c2)
    assert c.dtype == np.int64
    # The last bin is closed: a value equal to hi is counted (in the last bin), one above
    # it is not; every other bin is half-open.
    assert c.sum() == np.count_nonzero((x >= rng[0]) & (x <= rng[1]))
    assert c[-1] >= np.count_nonzero(x == rng[1])
    if np.isnan(x).any():
        with pytest.raises(ValueError, match=r"contains NaN \(first at index %d\)" % np.flatnonzero(np.isnan(x))[0]):
            ck.histogram(with_layout(x, layout), bins, range=rng)


@examples(60)
@given(x=data_values(inf=False), bins=BINS, layout=layouts)
def test_automatic_range_equals_numpy(x, bins, layout):
    """Without range= the range is numpy's: min and max of the data, widened by 0.5 each way
    when they are equal, (0, 1) for no data; NaN per nan_policy ('omit': left out)."""
    finite = x[~np.isnan(x)]
    out = ck_or_none(lambda: ck.histogram(with_layout(x, layout), bins, nan_policy="omit"))
    with np.errstate(all="ignore"):
        try:
            c2, e2 = np.histogram(finite, bins)
        except ValueError:
            c2 = None
        except IndexError:
            # numpy gh-8627 (open): min == max >= 2^52 (or near 1e-317) widens the range by
            # +-0.5 into a width numpy's own index computation cannot use. Ours either
            # counts by the definition or refuses with the documented ValueError (lo + 0.5
            # rounds back to lo above 2^53).
            if out is not None:
                check_by_definition(out[0], out[1], x)
            return
    if out is None or c2 is None:
        # The data span more than a double can hold (max - min overflows): both refuse it.
        assert out is None and c2 is None
        return
    np.testing.assert_array_equal(out[1], e2)
    np.testing.assert_array_equal(out[0], c2)


@examples(30)
@given(x=data_values(min_size=1, nan=False), bins=st.integers(1, 20), sign=st.sampled_from([1.0, -1.0]))
def test_automatic_range_with_infinite_data_is_an_error(x, bins, sign):
    """An infinite value makes the automatic range infinite: ValueError (numpy raises
    ValueError too: 'autodetected range ... is not finite')."""
    y = np.append(x, sign * math.inf)
    with pytest.raises(ValueError, match="not finite"):
        ck.histogram(y, bins)
    with pytest.raises(ValueError):
        np.histogram(y, bins)


@st.composite
def edge_arrays(draw):
    """Sorted finite edges (2..12 of them), with repeated edges allowed (numpy accepts them:
    empty zero-width bins)."""
    vals = draw(st.lists(st.one_of(st.integers(-8, 8).map(float), finite_floats(-1e300, 1e300)),
                         min_size=2, max_size=12))
    return np.sort(np.array(vals, dtype=np.float64))


@examples(60)
@given(x=data_values(), edges=edge_arrays(), layout=layouts)
def test_explicit_edges_equal_numpy(x, edges, layout):
    """histogram(x, edges): [e_i, e_i+1) bins, the last closed; a value on a repeated edge
    goes to the later bin. Counts equal numpy.histogram(x, edges) exactly (NaN omitted)."""
    c, e = ck.histogram(with_layout(x, layout), with_layout(edges, layout), nan_policy="omit")
    c2, e2 = np.histogram(x[~np.isnan(x)], edges)
    np.testing.assert_array_equal(e, e2)
    np.testing.assert_array_equal(c, c2)
    assert c.sum() == np.count_nonzero((x >= edges[0]) & (x <= edges[-1]))


def out_of_order(v):
    return v != sorted(v)


@examples(30)
@given(
    edges=st.lists(finite_floats(-10, 10), min_size=2, max_size=8).filter(out_of_order),
)
def test_unsorted_edges_are_an_error(edges):
    """Edges out of order: ValueError naming the pair (numpy raises ValueError too)."""
    with pytest.raises(ValueError, match=r"edges must be sorted in non-decreasing order \(edges\[\d+\]"):
        ck.histogram(np.zeros(3), np.array(edges))


@examples(50)
@given(
    x=data_values(min_size=1, nan=False, inf=False),
    bins=st.integers(1, 30),
    dtype=st.sampled_from(["f4", "i1", "i2", "i4", "i8", "u1", "u4", "u8", "?"]),
    layout=layouts,
)
def test_dtypes_bin_as_the_doubles_they_convert_to(x, bins, dtype, layout):
    """float32, integer and bool data are binned as the doubles they convert to: the counts
    of numpy.histogram(x.astype(float64), ...) (README 'Input types'; numpy's own float32
    path computes in float32 and may differ near an edge, a documented difference)."""
    dt = np.dtype(dtype)
    with np.errstate(all="ignore"):
        if dt.kind == "f":
            v = x.astype(dt)
            assume(np.all(np.isfinite(v)))
        elif dt.kind == "b":
            v = x > 0
        else:
            info = np.iinfo(dt)
            v = np.clip(np.round(x), info.min, info.max).astype(dt)
    v64 = v.astype(np.float64)
    lo, hi = float(v64.min()) - 0.25, float(v64.max()) + 0.75
    got = ck_or_none(lambda: ck.histogram(with_layout(v, layout), bins, range=(lo, hi)))
    assume(got is not None)
    c2, e2 = np.histogram(v64, bins, range=(lo, hi))
    np.testing.assert_array_equal(got[0], c2)
    np.testing.assert_array_equal(got[1], e2)
    auto = ck.histogram(with_layout(v, layout), bins)
    c3, e3 = np.histogram(v64, bins)
    np.testing.assert_array_equal(auto[0], c3)
    np.testing.assert_array_equal(auto[1], e3)


@examples(50)
@given(
    xw=st.integers(0, 60).flatmap(lambda n: st.tuples(
        hnp.arrays(np.float64, n, elements=st.integers(-8, 8).map(lambda k: k / 4)),
        hnp.arrays(np.float64, n, elements=st.one_of(finite_floats(-1e6, 1e6), st.integers(0, 3).map(float))),
    )),
    bins=st.integers(1, 20),
)
def test_weights_and_density_match_numpy(xw, bins):
    """weights=: the sum of the weights per bin (numpy's bincount sums a bin's weights in
    input order; ours in input order per chunk): equal up to the rounding of a sum of that
    bin's weights, (count + 1) ulp of sum |w|. density=True: numpy's n / width / n.sum(), to
    rtol 1e-12; with no mass ours raises (numpy returns NaN with a warning; README:
    'Throws when the total is 0')."""
    x, w = xw
    rng = (-2.0, 2.0)
    c, e = ck.histogram(x, bins, range=rng, weights=w)
    c2, e2 = np.histogram(x, bins, range=rng, weights=w)
    np.testing.assert_array_equal(e, e2)
    counts = np.histogram(x, bins, range=rng)[0]
    absw = np.histogram(x, bins, range=rng, weights=np.abs(w))[0]
    for i in range(bins):
        assert_close(c[i], c2[i], rtol=0, atol=(counts[i] + 1) * EPS * absw[i], what=f"bin {i}")
    if counts.sum() == 0:
        with pytest.raises(ValueError, match="no mass"):
            ck.histogram(x, bins, range=rng, density=True)
    else:
        d = ck.histogram(x, bins, range=rng, density=True)[0]
        d2 = np.histogram(x, bins, range=rng, density=True)[0]
        np.testing.assert_allclose(d, d2, rtol=1e-12, atol=0)
        # A density integrates to 1 over [lo, hi].
        assert_close(float(np.sum(d * np.diff(e))), 1.0, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# The Histogram accumulator: flows, NaN, quantiles.


@st.composite
def binnings(draw):
    kind = draw(st.sampled_from(["regular", "edges", "integer"]))
    if kind == "regular":
        lo = draw(st.integers(-4, 3)) / 2
        return kind, ck.Histogram.regular(draw(st.integers(1, 20)), lo, lo + draw(st.integers(1, 8)) / 2)
    if kind == "edges":
        e = np.unique(np.array(draw(st.lists(st.integers(-8, 8).map(lambda k: k / 4), min_size=2, max_size=10))))
        assume(len(e) >= 2)
        return kind, ck.Histogram.with_edges(e)
    return kind, ck.Histogram.integer(draw(st.integers(1, 12)))


@examples(50)
@given(kh=binnings(), x=data_values(), layout=layouts)
def test_fill_keeps_every_value_somewhere(kh, x, layout):
    """A Histogram drops nothing silently: every value lands in a bin, the underflow, the
    overflow or the NaN count (nan_policy='omit'). The in-range counts are numpy's:
    regular(bins, lo, hi) = numpy.histogram(x, bins, (lo, hi)), with_edges(e) =
    numpy.histogram(x, e), integer(k) = numpy.bincount(floor(x)) over [0, k) (all its
    bins half-open, README)."""
    kind, h = kh
    h.fill(with_layout(x, layout), nan_policy="omit")
    nan = int(np.isnan(x).sum())
    assert h.nan_count == nan
    assert int(h.counts.sum()) + h.underflow + h.overflow + nan == x.size
    assert h.total == int(h.counts.sum())
    e = h.edges
    finite = x[~np.isnan(x)]
    assert h.underflow == int(np.sum(finite < e[0]))
    if kind == "regular":
        expected = np.histogram(finite, h.bins, range=(h.lo, h.hi))[0]
    elif kind == "edges":
        expected = np.histogram(finite, e)[0]
    else:
        inside = finite[(finite >= 0) & (finite < h.bins)]
        expected = np.bincount(np.floor(inside).astype(np.int64), minlength=h.bins)
    np.testing.assert_array_equal(h.counts, expected)


@examples(40)
@given(kh=binnings(), x=data_values(min_size=1, nan=False), nan_at=st.integers(0, 60), layout=layouts)
def test_a_fill_that_raises_adds_nothing(kh, x, nan_at, layout):
    """nan_policy='raise' names the first NaN and adds nothing (the histogram's bytes are
    unchanged); 'propagate' counts the NaN and makes probabilities/density/quantile NaN."""
    h = kh[1]
    h.fill(x[: len(x) // 2])
    before = h.serialize()
    y = np.insert(x, nan_at % (len(x) + 1), np.nan)
    with pytest.raises(ValueError, match=r"x contains NaN \(first at index %d\)" % (nan_at % (len(x) + 1))):
        h.fill(with_layout(y, layout))
    assert h.serialize() == before
    h.fill(with_layout(y, layout), nan_policy="propagate")
    assert h.nan_propagated and h.nan_count == 1
    if h.total > 0:
        assert np.all(np.isnan(h.probabilities()))
        assert math.isnan(h.quantile(0.5))


@examples(40)
@given(kh=binnings(), x=data_values(min_size=1, nan=False, inf=False), qs=st.lists(st.floats(0, 1), max_size=8))
def test_histogram_quantile_function(kh, x, qs):
    """Histogram.quantile(q): the in-range mass spread uniformly within each bin; the
    smallest x where that piecewise-linear CDF reaches q. So: non-decreasing in q, inside
    [lo, hi], q = 0 the left edge of the first non-empty bin, q = 1 the right edge of the
    last; probabilities() sums to 1 and CDF(quantile(q)) = q (to rounding)."""
    h = kh[1]
    h.fill(x)
    assume(h.total > 0)
    p = h.probabilities()
    assert_close(float(np.sum(p)), 1.0, rtol=0, atol=len(p) * EPS)
    e = h.edges
    nz = np.flatnonzero(h.counts)
    assert h.quantile(0.0) == e[nz[0]]
    assert h.quantile(1.0) == e[nz[-1] + 1]
    qs = sorted(qs)
    vals = h.quantiles(np.array(qs, dtype=np.float64)) if qs else np.array([])
    assert np.all(np.diff(vals) >= 0)
    assert np.all((vals >= e[0]) & (vals <= e[-1]))
    cum = np.concatenate([[0.0], np.cumsum(h.counts / h.total)])
    for q, v in zip(qs, vals):
        assert v == h.quantile(q)
        cdf = np.interp(v, e, cum)  # the piecewise-linear CDF
        assert_close(cdf, q, rtol=0, atol=64 * EPS * max(1.0, len(e)))


@examples(40)
@given(
    ref=hnp.arrays(np.float64, st.integers(1, 60), elements=st.one_of(st.integers(-5, 5).map(float),
                                                                         finite_floats(-1e300, 1e300))),
    bins=st.integers(1, 30),
    layout=layouts,
)
def test_from_quantiles_edges_are_numpys(ref, bins, layout):
    """Histogram.from_quantiles(ref, bins) has the edges
    numpy.unique(numpy.quantile(ref, numpy.linspace(0, 1, bins + 1))), bit for bit
    (README: numpy's 'linear' interpolation reproduced to the bit; ties merge bins)."""
    with np.errstate(all="ignore"):
        expected = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
    assume(np.all(np.isfinite(expected)))
    h = ck.Histogram.from_quantiles(with_layout(ref, layout), bins)
    if expected.size == 1:
        np.testing.assert_array_equal(h.edges, [expected[0], expected[0]])
    else:
        np.testing.assert_array_equal(h.edges, expected)


@examples(60)
@given(
    ref=hnp.arrays(np.float64, st.integers(1, 60), elements=st.one_of(st.integers(-5, 5).map(float),
                                                                         finite_floats(-1e300, 1e300))),
    alpha=st.one_of(st.sampled_from([0.5, 0.25, 0.05, 0.01, 1e-4]), st.floats(1e-6, 0.5)),
    method=st.sampled_from(["linear", "inverted_cdf"]),
    layout=layouts,
)
def test_tail_thresholds_are_numpy_quantiles(ref, alpha, method, layout):
    """tail_thresholds(ref, alpha, method) = numpy.quantile(ref, [alpha, 1 - alpha],
    method=method), bit for bit: 'inverted_cdf' picks order statistics, 'linear' is numpy's
    interpolation (its lerp with the 1 - t branch) reproduced exactly."""
    lo, hi = ck.tail_thresholds(with_layout(ref, layout), alpha, method=method)
    with np.errstate(all="ignore"):
        nlo, nhi = np.quantile(ref, [alpha, 1 - alpha], method=method)
    assume(np.isfinite(nlo) and np.isfinite(nhi))
    assert (lo, hi) == (nlo, nhi)
    assert lo <= hi


def outside_alpha_domain(a):
    return not (0 < a <= 0.5)


@examples(30)
@given(alpha=st.floats(allow_nan=True).filter(outside_alpha_domain))
def test_tail_thresholds_alpha_domain(alpha):
    """alpha must lie in (0, 0.5]: ValueError otherwise (NaN included)."""
    with pytest.raises(ValueError, match=r"alpha must lie in \(0, 0\.5\]"):
        ck.tail_thresholds(np.arange(10.0), alpha)


@examples(20)
@given(lo=finite_floats(-1e6, 1e6), bins=st.integers(1, 10))
def test_range_with_equal_ends_is_an_error(lo, bins):
    """range=(v, v): ValueError 'lo must be less than hi' (README 'Errors'). A documented
    difference: numpy widens such a range to (v - 0.5, v + 0.5)."""
    with pytest.raises(ValueError, match="lo must be less than hi"):
        ck.histogram(np.array([lo]), bins, range=(lo, lo))


# ---------------------------------------------------------------------------------------
# Threads.

BIG = (1 << 16) * 2 + 311


@examples(5)
@given(seed=st.integers(0, 2**32 - 1), bins=st.sampled_from([1, 7, 100, 5000]), weighted=st.booleans())
def test_fill_bit_identical_for_threads(seed, bins, weighted):
    """Counts, flows and weight sums are the same bits for threads=1 and 2 (README:
    weighted fills sum fixed chunks in input order, chunks added in order)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=BIG)
    x[rng.integers(0, BIG, 100)] = np.nan
    x[:4] = [np.inf, -np.inf, 0.0, -0.0]
    w = rng.normal(size=BIG) if weighted else None
    hs = []
    for t in (1, 2):
        h = ck.Histogram.regular(bins, -2.0, 2.0)
        h.fill(x, weights=w, nan_policy="omit", threads=t)
        hs.append(h)
    assert hs[0].serialize() == hs[1].serialize()
    # numpy's automatic range (a SIMD min/max pass) and the fill behind histogram().
    f = x[np.isfinite(x)]
    b = ck.histogram(f, bins, weights=None if w is None else w[np.isfinite(x)], threads=2)
    c = ck.histogram(f, bins, weights=None if w is None else w[np.isfinite(x)], threads=1)
    np.testing.assert_array_equal(b[0], c[0])
    np.testing.assert_array_equal(b[1], c[1])
