"""Property tests (Hypothesis) of collapsekit.dask's bracket-and-refine measures.

After every pass the certified bounds must hold the reference value: scipy.stats'
wasserstein_distance, energy_distance and ks_2samp, numpy.quantile. At the end the bounds
meet (lower = upper = value) and the value is the reference's (KS statistic and quantiles
bit for bit, W1 and energy within the references' own rounding); the KS p-value is
collapsekit.ks_2samp's and scipy's.

Samples of any size and values (ties, both zeros, subnormals, wide ranges), random
chunkings with empty chunks, split_every 2, 3 and 8, gather limits from "refine to single
values" (0) to "gather at once". These run on Dask's synchronous scheduler: what is
checked is the arithmetic of the certificate, not the transport (test_dask_partitioned.py
runs the same functions on a two-process cluster).
"""

import os
import sys

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st

import collapsekit as ck

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_properties_common import examples, moderate_samples, samples  # noqa: E402

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
ckd = pytest.importorskip("collapsekit.dask")

# The references round; the certificate is for the exact real value. Slack for their
# rounding: relative 1e-12 (the W1 / energy sums are O(n) terms) plus an absolute floor.
REL = 1e-12


@pytest.fixture(autouse=True)
def synchronous_scheduler():
    with dask.config.set(scheduler="synchronous"):
        yield


@st.composite
def chunked(draw, values):
    """values as a dask array with a random chunking (empty chunks allowed)."""
    n = len(values)
    k = draw(st.integers(1, 6))
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=k - 1, max_size=k - 1)))
    sizes = np.diff(np.concatenate([[0], cuts, [n]])).astype(int)
    return da.from_array(values, chunks=(tuple(int(s) for s in sizes),))


settings_of_run = st.fixed_dictionaries(
    {"split_every": st.sampled_from([2, 3, 8]), "gather_limit": st.sampled_from([0, 3, 50, 1 << 20])}
)


def contains(lo, hi, ref, scale):
    slack = REL * scale + 1e-300
    return lo <= ref + slack and hi >= ref - slack


def check_passes(result, ref, scale):
    for lo, hi in result.history:
        assert contains(lo, hi, ref, scale), (lo, ref, hi)
    assert result.exact
    assert result.lower == result.upper == result.value


@examples(40)
@given(x=moderate_samples(1, 60), y=moderate_samples(1, 60), data=st.data(), run=settings_of_run)
def test_w1_bounds_hold_scipy_at_every_pass(x, y, data, run):
    ref = scipy.stats.wasserstein_distance(x, y)
    r = ckd.wasserstein(data.draw(chunked(x)), data.draw(chunked(y)), **run)
    scale = max(ref, float(np.max(np.abs(np.concatenate([x, y])))) * 1e-3)
    check_passes(r, ref, scale)
    assert abs(r.value - ref) <= REL * scale + 1e-300


@examples(40)
@given(x=samples(1, 60, magnitude=1e100), y=samples(1, 60, magnitude=1e100), data=st.data(), run=settings_of_run)
def test_ks_bounds_hold_scipy_at_every_pass_and_pvalue(x, y, data, run):
    ref = scipy.stats.ks_2samp(x, y)
    r = ckd.ks_2samp(data.draw(chunked(x)), data.draw(chunked(y)), **run)
    check_passes(r, ref.statistic, 1.0)
    local = ck.ks_2samp(x, y)
    assert r.value == local.statistic
    assert r.pvalue == local.pvalue
    assert r.pvalue == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-14)


@examples(30)
@given(x=moderate_samples(1, 40), y=moderate_samples(1, 40), data=st.data(), run=settings_of_run)
def test_energy_bounds_hold_scipy_at_every_pass(x, y, data, run):
    ref = scipy.stats.energy_distance(x, y)
    r = ckd.energy_distance(data.draw(chunked(x)), data.draw(chunked(y)), **run)
    # energy = sqrt(2 int (F - G)^2): the references' rounding of the integral is
    # relative to the values' spread, and the square root halves relative errors.
    scale = max(ref, np.sqrt(float(np.ptp(np.concatenate([x, y]))) * 1e-12))
    check_passes(r, ref, scale)


@examples(40)
@given(
    a=samples(1, 80, magnitude=1e300),
    q=st.lists(st.floats(0, 1), min_size=1, max_size=5),
    method=st.sampled_from(["linear", "inverted_cdf"]),
    data=st.data(),
    run=settings_of_run,
)
def test_quantile_bounds_hold_numpy_at_every_pass(a, q, method, data, run):
    ref = np.quantile(a, q, method=method)
    r = ckd.quantile(data.draw(chunked(a)), q, method=method, **run)
    for lo, hi in r.history:
        assert np.all(lo <= ref) and np.all(ref <= hi), (lo, ref, hi)
    assert r.exact
    np.testing.assert_array_equal(r.lower, r.upper)
    np.testing.assert_array_equal(r.value, ref)


def test_ks_pvalue_nan_until_exact():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=3000), rng.normal(0.1, 1, size=2000)
    with dask.config.set(scheduler="synchronous"):
        early = ckd.ks_2samp(da.from_array(x, chunks=500), da.from_array(y, chunks=700), tol=0.5, gather_limit=0)
        full = ckd.ks_2samp(da.from_array(x, chunks=500), da.from_array(y, chunks=700))
    assert not early.exact and np.isnan(early.pvalue)
    assert full.pvalue == ck.ks_2samp(x, y).pvalue
    assert np.isnan(ckd.wasserstein(da.from_array(x, chunks=500), da.from_array(y, chunks=700)).pvalue)
