"""Entropy estimators against scipy; EntropyAccumulator pickling and merging."""

import pickle

import numpy as np
import pytest
import scipy.stats

import collapsekit as ck


@pytest.fixture(scope="module")
def counts():
    return np.random.default_rng(7).multinomial(2000, np.random.default_rng(8).dirichlet(np.ones(50)))


@pytest.mark.parametrize("base", [None, 2, 10, 3.5])
def test_entropy_matches_scipy(counts, base):
    assert ck.entropy(counts, base=base) == pytest.approx(scipy.stats.entropy(counts, base=base), rel=1e-12)
    p = counts / counts.sum()
    assert ck.entropy(p, base=base) == pytest.approx(scipy.stats.entropy(p, base=base), rel=1e-12)
    assert ck.entropy(p.astype(np.float32), base=base) == pytest.approx(
        scipy.stats.entropy(p.astype(np.float32).astype(np.float64), base=base), rel=1e-9)


def test_entropy_dtypes_and_edges(counts):
    ref = scipy.stats.entropy(counts)
    for dt in (np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint32, np.uint64, np.float32, np.float64):
        c = np.minimum(counts, 127).astype(dt)
        assert ck.entropy(c) == pytest.approx(scipy.stats.entropy(c.astype(np.float64)), rel=1e-6)
    assert ck.entropy(np.repeat(counts, 3)[::3]) == pytest.approx(ref, rel=1e-12)
    assert ck.entropy(list(counts)) == pytest.approx(ref, rel=1e-12)
    assert ck.entropy(np.array([5])) == 0.0
    assert ck.entropy(np.array([0, 0, 3])) == 0.0
    with pytest.raises(ValueError, match="collapsekit.shannon_entropy"):
        ck.entropy(np.array([]))
    with pytest.raises(ValueError, match="collapsekit.shannon_entropy"):
        ck.entropy(np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="NaN"):
        ck.entropy(np.array([1.0, np.nan]))
    assert ck.entropy(np.array([1.0, np.nan, 1.0]), nan_policy="omit") == pytest.approx(np.log(2), rel=1e-15)
    assert np.isnan(ck.entropy(np.array([1.0, np.nan]), nan_policy="propagate"))
    with pytest.raises(TypeError, match="numeric array"):
        ck.entropy(np.array([object(), object()]))
    with pytest.raises(ValueError, match="1-dimensional"):
        ck.entropy(np.ones((3, 3)))


def test_count_estimators(counts):
    n, m = counts.sum(), np.count_nonzero(counts)
    plug = ck.entropy_estimate(counts)
    assert plug.value == pytest.approx(scipy.stats.entropy(counts), rel=1e-12) and plug.n == n
    assert plug.standard_error > 0
    mm = ck.entropy_estimate(counts, "miller_madow")
    assert mm.value == pytest.approx(plug.value + (m - 1) / (2 * n), rel=1e-12)
    assert ck.entropy(counts, estimator="miller_madow") == mm.value
    for e in ("grassberger", "chao_shen", "james_stein", "nsb"):
        v = ck.entropy_estimate(counts, e, base=2)
        assert abs(v.value - plug.value / np.log(2)) < 0.2
    with pytest.raises(ValueError, match="estimator"):
        ck.entropy_estimate(counts, "magic")
    b = ck.bootstrap_entropy(counts, "plugin", n_resamples=200, seed=1)
    assert b.low < plug.value < b.high + 0.05


def test_other_entropies(counts):
    p = counts / counts.sum()
    assert ck.renyi_entropy(p, 2.0) == pytest.approx(-np.log(np.sum(p**2)), rel=1e-12)
    assert ck.renyi_entropy(p, 1.0) == pytest.approx(scipy.stats.entropy(p), rel=1e-12)
    assert ck.hill_number(p, 0) == pytest.approx(np.count_nonzero(p), rel=1e-12)
    assert ck.gini_simpson(p) == pytest.approx(1 - np.sum(p**2), rel=1e-12)
    assert ck.tsallis_entropy(p, 2.0) == pytest.approx(1 - np.sum(p**2), rel=1e-12)


def test_differential_entropy():
    x = np.random.default_rng(4).normal(size=2000)
    assert ck.differential_entropy(x) == pytest.approx(scipy.stats.differential_entropy(x, method="vasicek"),
                                                       rel=1e-12)
    assert ck.differential_entropy(x, window_length=10, base=2) == pytest.approx(
        scipy.stats.differential_entropy(x, window_length=10, base=2, method="vasicek"), rel=1e-12)
    truth = 0.5 * np.log(2 * np.pi * np.e)
    knn = ck.differential_entropy_knn(x, k=3)
    assert abs(knn.value - truth) < 5 * knn.standard_error + 0.02
    pts = np.random.default_rng(5).normal(size=(3000, 2))
    e2 = ck.differential_entropy(pts)
    assert e2 == pytest.approx(2 * truth, abs=0.1)
    c, edges = np.histogram(x, 30)
    w = np.diff(edges)
    pr = c / c.sum()
    nz = pr > 0
    expect = -np.sum(pr[nz] * np.log(pr[nz])) + np.sum(pr[nz] * np.log(w[nz]))
    assert ck.differential_entropy_histogram(c, edges) == pytest.approx(expect, rel=1e-12)
    with pytest.raises(ValueError, match="collapsekit.differential_entropy"):
        ck.differential_entropy(np.array([]))
    with pytest.raises(ValueError, match="method must be"):
        ck.differential_entropy(x, method="ebrahimi")


def test_accumulator_pickle_merge():
    a = ck.EntropyAccumulator(4)
    a.add_observations(np.array([0, 1, 1, 3]))
    b = ck.EntropyAccumulator()
    b.add_counts(np.array([1, 0, 2, 0, 5]))
    c = a + b
    np.testing.assert_array_equal(c.counts, [2, 2, 2, 1, 5])
    assert pickle.loads(pickle.dumps(c)) == c
    a += b
    assert a == c and a.total == 12
    assert a.entropy().value == pytest.approx(scipy.stats.entropy([2, 2, 2, 1, 5]), rel=1e-12)
    with pytest.raises(ValueError, match="non-negative"):
        a.add_observations(np.array([-1]))
