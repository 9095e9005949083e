"""The compiled bootstraps: thread-count invariance, BCa against scipy, and the
sort-once CDF bootstrap against scipy's distances and the resample-and-recompute loop."""

import numpy as np
import pytest
import scipy.stats

import collapsekit as ck


def _same(a, b):
    return (a.estimate, a.low, a.high, a.standard_error, a.bias_correction, a.acceleration) == (
        b.estimate,
        b.low,
        b.high,
        b.standard_error,
        b.bias_correction,
        b.acceleration,
    )


@pytest.mark.parametrize("method", ["percentile", "BCa"])
def test_cdf_bootstrap_is_thread_invariant(method):
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=3001), rng.normal(0.2, 1.3, size=2017)
    ref = ck.bootstrap_cdf_distances(u, v, n_resamples=301, seed=4, method=method, threads=1)
    for t in (0, 2, 3, 8):
        r = ck.bootstrap_cdf_distances(u, v, n_resamples=301, seed=4, method=method, threads=t)
        for name in ("wasserstein", "ks", "energy"):
            assert _same(getattr(r, name), getattr(ref, name)), (t, name)
    assert ref.wasserstein.method == method


def test_cdf_bootstrap_estimates_are_scipys_distances():
    rng = np.random.default_rng(2)
    u, v = rng.exponential(size=800), rng.exponential(1.2, size=500)
    r = ck.bootstrap_cdf_distances(u, v, n_resamples=200)
    assert r.wasserstein.estimate == pytest.approx(scipy.stats.wasserstein_distance(u, v), rel=1e-12)
    assert r.energy.estimate == pytest.approx(scipy.stats.energy_distance(u, v), rel=1e-12)
    assert r.ks.estimate == pytest.approx(scipy.stats.ks_2samp(u, v).statistic, rel=1e-14)
    assert r.wasserstein.low <= r.wasserstein.estimate <= r.wasserstein.high


def test_cdf_bootstrap_matches_the_naive_bootstrap_distribution():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=300), rng.normal(0.5, 1.0, size=250)
    fast = ck.bootstrap_cdf_distances(u, v, n_resamples=4000, seed=1, confidence_level=0.9)
    naive = scipy.stats.bootstrap(
        (u, v),
        scipy.stats.wasserstein_distance,
        n_resamples=4000,
        method="percentile",
        confidence_level=0.9,
        vectorized=False,
        random_state=np.random.default_rng(7),
    )
    assert fast.wasserstein.standard_error == pytest.approx(naive.standard_error, rel=0.08)
    lo, hi = naive.confidence_interval
    assert fast.wasserstein.low == pytest.approx(lo, rel=0.05)
    assert fast.wasserstein.high == pytest.approx(hi, rel=0.05)


def test_bca_agrees_with_scipy():
    # A skewed statistic (the mean of an exponential sample): BCa moves the interval right
    # of the percentile one; both libraries' BCa bounds agree within Monte Carlo error.
    rng = np.random.default_rng(4)
    x = rng.exponential(size=60)
    ours = ck.bootstrap((x,), np.mean, n_resamples=20000, seed=3, method="BCa")
    theirs = scipy.stats.bootstrap(
        (x,), np.mean, n_resamples=20000, method="BCa", random_state=np.random.default_rng(5)
    )
    lo, hi = theirs.confidence_interval
    assert ours.low == pytest.approx(lo, rel=0.03)
    assert ours.high == pytest.approx(hi, rel=0.03)
    d = x - x.mean()
    assert ours.acceleration == pytest.approx((d**3).sum() / (6 * ((d**2).sum()) ** 1.5), rel=1e-9)
    pct = ck.bootstrap((x,), np.mean, n_resamples=20000, seed=3)
    assert ours.high > pct.high and ours.method == "BCa" and pct.method == "percentile"


def test_bootstrap_entropy_threads_and_bca():
    counts = np.array([5000, 3000, 1200, 500, 200, 70, 20, 9, 1, 0])
    ref = ck.bootstrap_entropy(counts, n_resamples=500, seed=2, threads=1)
    for t in (0, 2, 3, 8):
        assert _same(ck.bootstrap_entropy(counts, n_resamples=500, seed=2, threads=t), ref)
    bca = ck.bootstrap_entropy(counts, n_resamples=500, seed=2, method="BCa", threads=2)
    assert bca.method == "BCa" and np.isfinite(bca.low) and bca.low < bca.estimate < bca.high
    with pytest.raises(ValueError, match="threads must be 0"):
        ck.bootstrap_entropy(counts, threads=-1)
    with pytest.raises(ValueError, match="method must be"):
        ck.bootstrap_entropy(counts, method="basic")


def test_cdf_bootstrap_errors():
    with pytest.raises(ValueError, match="must not be empty|empty"):
        ck.bootstrap_cdf_distances([], [1.0])
    with pytest.raises(ValueError, match="finite"):
        ck.bootstrap_cdf_distances([1.0, np.nan], [1.0])
    with pytest.raises(ValueError, match="threads"):
        ck.bootstrap_cdf_distances([1.0], [2.0], threads=-2)
