"""collapsekit.histogram / Histogram against numpy; pickle, merge, multiprocessing."""

import copy
import multiprocessing as mp
import pickle

import numpy as np
import pytest

import collapsekit as ck


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(42).normal(size=50_001)


@pytest.mark.parametrize("bins", [1, 7, 50, 1000])
def test_counts_and_edges_equal_numpy(x, bins):
    c, e = ck.histogram(x, bins)
    c2, e2 = np.histogram(x, bins)
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_array_equal(e, e2)
    assert c.dtype == np.int64


def test_range_edges_weights_density(x):
    c, e = ck.histogram(x, 20, range=(-1.5, 2.0))
    c2, e2 = np.histogram(x, 20, range=(-1.5, 2.0))
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_array_equal(e, e2)
    edges = np.array([-4.0, -1.0, -0.2, 0.0, 0.3, 2.5, 4.0])
    np.testing.assert_array_equal(ck.histogram(x, edges)[0], np.histogram(x, edges)[0])
    w = np.random.default_rng(1).uniform(size=x.size)
    np.testing.assert_allclose(ck.histogram(x, 30, weights=w)[0], np.histogram(x, 30, weights=w)[0], rtol=1e-12)
    np.testing.assert_allclose(ck.histogram(x, 30, density=True)[0], np.histogram(x, 30, density=True)[0], rtol=1e-12)


def test_dtypes_and_strides_agree(x):
    ref = ck.histogram(x, 25, range=(-3, 3))[0]
    x32 = x.astype(np.float32)
    np.testing.assert_array_equal(ck.histogram(x32, 25, range=(-3, 3))[0],
                                  np.histogram(x32.astype(np.float64), 25, range=(-3, 3))[0])
    # Strided and Fortran-order inputs are converted, and give the same counts.
    strided = np.repeat(x, 2)[::2]
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(ck.histogram(strided, 25, range=(-3, 3))[0], ref)
    ints = np.random.default_rng(2).integers(-5, 5, size=1000)
    for dt in (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64):
        v = np.abs(ints).astype(dt)
        np.testing.assert_array_equal(ck.histogram(v, 6, range=(0, 6))[0], np.histogram(v, 6, range=(0, 6))[0])
    np.testing.assert_array_equal(ck.histogram([0.1, 0.2, 0.9], 2)[0], np.histogram([0.1, 0.2, 0.9], 2)[0])


def test_edge_cases():
    c, e = ck.histogram(np.array([]), 3)
    c2, e2 = np.histogram(np.array([]), 3)
    np.testing.assert_array_equal(c, c2)
    np.testing.assert_array_equal(e, e2)
    c, e = ck.histogram(np.array([2.0, 2.0]), 4)
    np.testing.assert_array_equal(e, np.histogram(np.array([2.0, 2.0]), 4)[1])
    with pytest.raises(ValueError, match="NaN"):
        ck.histogram(np.array([1.0, np.nan]), 3)
    c, _ = ck.histogram(np.array([1.0, np.nan, 2.0]), 2, nan_policy="omit")
    assert c.sum() == 2
    with pytest.raises(ValueError, match="nan_policy must be 'raise', 'omit' or 'propagate'"):
        ck.histogram(np.ones(3), 2, nan_policy="ignore")
    with pytest.raises(ValueError, match="not finite"):
        ck.histogram(np.array([1.0, np.inf]), 3)
    with pytest.raises(ValueError, match="collapsekit.Histogram.regular"):
        ck.histogram(np.ones(3), 0, range=(0, 1))
    with pytest.raises(TypeError, match="numeric array"):
        ck.histogram(np.array(["a"]), 2)
    with pytest.raises(ValueError, match="1-dimensional"):
        ck.histogram(np.ones((2, 2)), 2)


def test_accumulator_bincount_and_flow():
    h = ck.Histogram.integer(4)
    v = np.array([0, 1, 1, 3, 3, 3, -1, 7])
    h.fill(v)
    np.testing.assert_array_equal(h.counts, np.bincount(v[(v >= 0) & (v < 4)], minlength=4))
    assert (h.underflow, h.overflow, h.total) == (1, 1, 6)
    np.testing.assert_allclose(h.probabilities(), h.counts / 6, rtol=1e-15)
    np.testing.assert_allclose(h.probabilities(include_flow=True), h.counts / 8, rtol=1e-15)
    np.testing.assert_array_equal(h.edges, np.arange(5.0))


def test_quantile_bins_reused():
    rng = np.random.default_rng(3)
    ref, gen = rng.normal(size=2000), rng.normal(scale=0.5, size=3000)
    h = ck.Histogram.from_quantiles(ref, 10)
    np.testing.assert_allclose(h.edges, np.unique(np.quantile(ref, np.linspace(0, 1, 11))), rtol=1e-15)
    g = h.empty_like().fill(gen)
    assert g.same_binning(h) and g.total + g.underflow + g.overflow == gen.size


def _fill_shard(args):
    seed, n = args
    h = ck.Histogram.regular(64, -4, 4)
    h.fill(np.random.default_rng(seed).normal(size=n))
    return h


def test_pickle_merge_and_multiprocessing(x):
    h = ck.Histogram.regular(64, -4, 4).fill(x[:20000])
    h2 = pickle.loads(pickle.dumps(h))
    assert h2 == h and h2 is not h
    assert copy.deepcopy(h) == h
    rest = ck.Histogram.regular(64, -4, 4).fill(x[20000:])
    whole = ck.Histogram.regular(64, -4, 4).fill(x)
    assert (h + rest) == whole
    h.merge(rest)
    assert h == whole
    with pytest.raises(ValueError, match="different binnings"):
        h += ck.Histogram.regular(32, -4, 4)
    w = ck.Histogram.regular(8, 0, 1).fill(np.array([0.1, 0.5]), weights=np.array([2.0, 3.0]))
    w2 = pickle.loads(pickle.dumps(w))
    np.testing.assert_array_equal(w2.sum_weights, w.sum_weights)
    with mp.get_context("spawn").Pool(2) as pool:
        shards = pool.map(_fill_shard, [(s, 10000) for s in range(4)])
    merged = ck.Histogram.regular(64, -4, 4)
    for s in shards:
        merged += s
    expect = ck.Histogram.regular(64, -4, 4)
    for s in range(4):
        expect.fill(np.random.default_rng(s).normal(size=10000))
    assert merged == expect
