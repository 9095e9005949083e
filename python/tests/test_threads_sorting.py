"""threads= on the sorting measures: the same result (==, bit for bit) for every thread count.

Samples are large enough (3e5 values) for the parallel most-significant-digit sort to run
on several threads; NaN under 'omit', ties and -0.0/+0.0 are mixed in.
"""

import numpy as np
import pytest
import scipy.stats

import collapsekit as ck

COUNTS = [1, 2, 3, 8, 0]


@pytest.fixture(scope="module")
def samples():
    g = np.random.default_rng(15)
    u = g.standard_normal(300_001)
    v = np.round(g.standard_normal(200_003) * 4) / 4  # many ties
    v[::97] = -0.0
    v[::89] = 0.0
    uw = g.random(u.size)
    vw = g.integers(0, 4, v.size).astype(np.float64)
    vw[0] = 1.0
    return u, v, uw, vw


def same_for_all_counts(f):
    reference = f(1)
    for t in COUNTS:
        got = f(t)
        assert got == reference, (t, got, reference)
    return reference


@pytest.mark.parametrize("p", [1.0, 2.0, 1.5, np.inf])
def test_wasserstein_threads(samples, p):
    u, v, uw, vw = samples
    same_for_all_counts(lambda t: ck.wasserstein(u, v, p=p, threads=t))
    same_for_all_counts(lambda t: ck.wasserstein(u, v, uw, vw, p=p, threads=t))


def test_wasserstein_threads_matches_scipy(samples):
    u, v, _, _ = samples
    got = ck.wasserstein(u, v, threads=2)
    assert got == pytest.approx(scipy.stats.wasserstein_distance(u, v), rel=1e-9)


def test_energy_and_ks_threads(samples):
    u, v, uw, vw = samples
    same_for_all_counts(lambda t: ck.energy_distance(u, v, threads=t))
    same_for_all_counts(lambda t: ck.energy_distance(u, v, uw, vw, threads=t))
    r = same_for_all_counts(lambda t: tuple(ck.ks_2samp(u, v, threads=t)))
    assert r[0] == pytest.approx(scipy.stats.ks_2samp(u, v).statistic, abs=1e-15)
    same_for_all_counts(lambda t: tuple(ck.ks_2samp(u, v, alternative="greater", threads=t)))
    same_for_all_counts(lambda t: tuple(ck.ks_2samp_weighted(u, v, uw, vw, threads=t)))


def test_nan_omit_threads(samples):
    u, v, _, _ = samples
    u = u.copy()
    u[::1000] = np.nan
    same_for_all_counts(lambda t: ck.wasserstein(u, v, nan_policy="omit", threads=t))
    same_for_all_counts(lambda t: ck.energy_distance(u, v, nan_policy="omit", threads=t))
    assert np.isnan(ck.wasserstein(u, v, nan_policy="propagate", threads=2))


def test_float32_threads(samples):
    u, v, _, _ = samples
    same_for_all_counts(lambda t: ck.wasserstein(u.astype(np.float32), v.astype(np.float32), threads=t))


def test_sliced_pairwise_thresholds_threads(samples):
    u, v, uw, _ = samples
    g = np.random.default_rng(3)
    x = g.standard_normal((5000, 3))
    y = g.standard_normal((4000, 3)) * 1.1
    same_for_all_counts(
        lambda t: (lambda e: (e.value, e.standard_error))(ck.sliced_wasserstein(x, y, n_projections=20, threads=t))
    )
    items = [g.standard_normal(2000 + 10 * i) for i in range(6)]
    for measure in ["wasserstein", "ks_statistic", "energy_distance"]:
        ref = ck.pairwise(items, measure, threads=1)
        for t in COUNTS:
            assert np.array_equal(ck.pairwise(items, measure, threads=t), ref)
        assert np.array_equal(ck.pairwise(items, measure, symmetric=True, threads=3), ck.pairwise(items, measure, symmetric=True, threads=1))
    same_for_all_counts(lambda t: ck.weighted_tail_thresholds(u, uw, 0.01, threads=t))


def test_negative_threads_is_value_error(samples):
    u, v, uw, vw = samples
    u, v, uw, vw = u[:100], v[:100], uw[:100], vw[:100]
    calls = [
        lambda: ck.wasserstein(u, v, threads=-1),
        lambda: ck.wasserstein(u, v, uw, vw, threads=-1),
        lambda: ck.energy_distance(u, v, threads=-1),
        lambda: ck.ks_2samp(u, v, threads=-1),
        lambda: ck.ks_2samp_weighted(u, v, uw, vw, threads=-1),
        lambda: ck.sliced_wasserstein(u.reshape(50, 2), v.reshape(50, 2), threads=-1),
        lambda: ck.pairwise([u, v], "wasserstein", threads=-1),
        lambda: ck.weighted_tail_thresholds(u, uw, threads=-1),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="threads"):
            call()
