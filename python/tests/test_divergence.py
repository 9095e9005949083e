"""Divergences, Wasserstein, energy distance, KS and sliced W against scipy / POT."""

import numpy as np
import pytest
import scipy.spatial.distance
import scipy.stats

import collapsekit as ck

try:
    import ot
except ImportError:
    ot = None


@pytest.fixture(scope="module")
def pq():
    rng = np.random.default_rng(5)
    a, b = rng.random(1000) + 0.01, rng.random(1000) + 0.01
    return a, b, a / a.sum(), b / b.sum()


@pytest.mark.parametrize("base", [None, 2.0, 10.0])
def test_kl_and_cross_entropy_match_scipy(pq, base):
    a, b, p, q = pq
    assert ck.kl_divergence(p, q, base=base) == pytest.approx(scipy.stats.entropy(p, q, base=base), rel=1e-12)
    assert ck.kl_divergence_counts(a, b, base=base) == pytest.approx(scipy.stats.entropy(a, b, base=base), rel=1e-12)
    assert ck.entropy(a, b, base=base) == pytest.approx(scipy.stats.entropy(a, b, base=base), rel=1e-12)
    h = scipy.stats.entropy(p, base=base) + scipy.stats.entropy(p, q, base=base)
    assert ck.cross_entropy(p, q, base=base) == pytest.approx(h, rel=1e-12)


def test_js_matches_scipy(pq):
    a, b, p, q = pq
    assert ck.js_distance(p, q) == pytest.approx(scipy.spatial.distance.jensenshannon(p, q), rel=1e-12)
    assert ck.js_distance_counts(a, b, base=2) == pytest.approx(
        scipy.spatial.distance.jensenshannon(a, b, base=2), rel=1e-12)
    assert ck.js_divergence(p, q) == pytest.approx(scipy.spatial.distance.jensenshannon(p, q) ** 2, rel=1e-12)


def test_other_measures_by_definition(pq):
    _, _, p, q = pq
    assert ck.hellinger(p, q) == pytest.approx(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)), rel=1e-12)
    assert ck.total_variation(p, q) == pytest.approx(0.5 * np.abs(p - q).sum(), rel=1e-12)
    assert ck.psi(p, q) == pytest.approx(np.sum((p - q) * np.log(p / q)), rel=1e-12)
    assert ck.bhattacharyya(p, q) == pytest.approx(-np.log(np.sum(np.sqrt(p * q))), rel=1e-12)
    assert ck.chi_squared_pearson(p, q) == pytest.approx(np.sum((p - q) ** 2 / q), rel=1e-12)
    assert ck.renyi_divergence(p, q, 2.0) == pytest.approx(np.log(np.sum(p**2 / q)), rel=1e-12)
    assert ck.renyi_divergence(p, q, 1.0) == pytest.approx(scipy.stats.entropy(p, q), rel=1e-12)


def test_zero_support_and_edge_cases():
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.0, 0.5])
    assert ck.kl_divergence(p, q) == np.inf
    assert scipy.stats.entropy(p, q) == np.inf
    a, b = np.array([3, 1, 0]), np.array([2, 0, 2])
    alpha = 0.5
    pa, qb = (a + alpha) / (a + alpha).sum(), (b + alpha) / (b + alpha).sum()
    expect = scipy.stats.entropy(pa, qb)
    assert ck.kl_divergence_counts(a, b, zero_support=ck.ZeroSupport.additive(0.5)) == pytest.approx(expect, rel=1e-12)
    assert ck.kl_divergence_counts(a, b, zero_support="jeffreys") == pytest.approx(expect, rel=1e-12)
    assert ck.kl_divergence(np.array([1.0]), np.array([1.0])) == 0.0
    with pytest.raises(ValueError, match=r"collapsekit.kl_divergence: p and q differ in length \(2 vs 3\)"):
        ck.kl_divergence(np.array([0.5, 0.5]), np.array([0.2, 0.3, 0.5]))
    with pytest.raises(ValueError, match="collapsekit.kl_divergence"):
        ck.kl_divergence(np.array([]), np.array([]))
    with pytest.raises(ValueError, match="collapsekit.kl_divergence"):
        ck.kl_divergence(np.array([0.2, 0.2]), np.array([0.5, 0.5]))  # does not sum to 1
    with pytest.raises(ValueError, match="NaN"):
        ck.kl_divergence(np.array([np.nan, 1.0]), np.array([0.5, 0.5]))
    assert np.isnan(ck.kl_divergence(np.array([np.nan, 1.0]), np.array([0.5, 0.5]), nan_policy="propagate"))
    with pytest.raises(ValueError, match="base must be positive"):
        ck.kl_divergence(np.array([1.0]), np.array([1.0]), base=1.0)
    with pytest.raises(TypeError):
        ck.kl_divergence(np.array(["x"]), np.array(["y"]))


def test_float32_and_strided_inputs_agree(pq):
    a, b, p, q = pq
    ref = ck.kl_divergence_counts(a, b)
    assert ck.kl_divergence_counts(a[::1].copy(order="C"), b) == ref
    assert ck.kl_divergence_counts(np.repeat(a, 2)[::2], np.repeat(b, 2)[::2]) == ref
    assert ck.kl_divergence_counts(a.astype(np.float32), b.astype(np.float32)) == pytest.approx(ref, rel=1e-5)
    ia, ib = (a * 100).astype(np.int64), (b * 100).astype(np.int32)
    assert ck.kl_divergence_counts(ia, ib) == pytest.approx(scipy.stats.entropy(ia, ib), rel=1e-12)
    assert ck.kl_divergence_counts(list(ia), list(ib)) == pytest.approx(scipy.stats.entropy(ia, ib), rel=1e-12)


@pytest.fixture(scope="module")
def uv():
    rng = np.random.default_rng(11)
    return rng.normal(size=3001), rng.standard_t(3, size=2000) + 0.2


def test_wasserstein_matches_scipy_and_pot(uv):
    u, v = uv
    assert ck.wasserstein(u, v) == pytest.approx(scipy.stats.wasserstein_distance(u, v), rel=1e-10)
    w1, w2 = np.random.default_rng(1).random(u.size), np.random.default_rng(2).random(v.size)
    assert ck.wasserstein(u, v, w1, w2) == pytest.approx(scipy.stats.wasserstein_distance(u, v, w1, w2), rel=1e-10)
    assert ck.energy_distance(u, v) == pytest.approx(scipy.stats.energy_distance(u, v), rel=1e-10)
    assert ck.energy_distance(u, v, w1, w2) == pytest.approx(scipy.stats.energy_distance(u, v, w1, w2), rel=1e-10)
    if ot is not None:
        for p in (1.0, 2.0, 3.0):
            assert ck.wasserstein(u, v, p=p) ** p == pytest.approx(ot.wasserstein_1d(u, v, p=p), rel=1e-9)
    assert ck.wasserstein(u.astype(np.float32), v.astype(np.float32)) == pytest.approx(
        scipy.stats.wasserstein_distance(u.astype(np.float32), v.astype(np.float32)), rel=1e-6)
    with pytest.raises(ValueError, match="collapsekit.wasserstein"):
        ck.wasserstein(u, np.array([]))
    with pytest.raises(ValueError, match="collapsekit.wasserstein"):
        ck.wasserstein(u, v, p=0.5)
    with pytest.raises(ValueError, match="both u_weights and v_weights"):
        ck.wasserstein(u, v, w1)


def test_ks_2samp_matches_scipy(uv):
    u, v = uv
    for alt in ("two-sided", "less", "greater"):
        r, s = ck.ks_2samp(u[:300], v[:200], alternative=alt), scipy.stats.ks_2samp(u[:300], v[:200], alternative=alt)
        assert r.statistic == pytest.approx(s.statistic, rel=1e-12)
        assert r.pvalue == pytest.approx(s.pvalue, rel=1e-8, abs=1e-14)
    stat, pval = ck.ks_2samp(u, v)
    assert stat == pytest.approx(scipy.stats.ks_2samp(u, v).statistic, rel=1e-12)
    with pytest.raises(ValueError, match="alternative must be"):
        ck.ks_2samp(u, v, alternative="both")


def test_sliced_wasserstein():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(500, 3)), rng.normal(size=(400, 3)) + np.array([1.0, 0.0, 0.0])
    e = ck.sliced_wasserstein(x, y, n_projections=200, p=2, seed=4)
    assert e == e or True
    e2 = ck.sliced_wasserstein(x, y, n_projections=200, p=2, seed=4)
    assert (e.value, e.n) == (e2.value, 200)
    assert 0 < e.value < 1.0 and e.standard_error > 0
    if ot is not None:
        ref = ot.sliced_wasserstein_distance(x, y, n_projections=2000, p=2, seed=0)
        assert e.value == pytest.approx(ref, abs=5 * e.standard_error + 0.05)
    # 1-D: every direction is +-1, so SW_p = W_p.
    u, v = rng.normal(size=300), rng.normal(size=200)
    assert ck.sliced_wasserstein(u, v, n_projections=4, p=1).value == pytest.approx(ck.wasserstein(u, v), rel=1e-9)
    with pytest.raises(ValueError, match="differ in dimension"):
        ck.sliced_wasserstein(x, y[:, :2])


def test_kl_and_js_accurate_between_nearly_equal_distributions():
    # eps = 1e-9 apart: KL and JS are of order 1e-19 while each term is of order 1e-9, so
    # the log of the rounded ratio (scipy's rel_entr) loses the answer; ours keeps it.
    rng = np.random.default_rng(5)
    p = rng.random(1000) + 0.01
    q = p * (1.0 + 1e-9 * (rng.random(1000) - 0.5))
    p, q = p / p.sum(), q / q.sum()
    pl, ql = p.astype(np.longdouble), q.astype(np.longdouble)
    ml = pl + ql  # exact in long double
    kl = float(np.sum(pl * np.log1p((pl - ql) / ql)))
    js = float(np.sum(pl * np.log1p((pl - ql) / ml) + ql * np.log1p((ql - pl) / ml))) / 2
    assert abs(ck.kl_divergence(p, q) - kl) <= 1e-6 * kl
    assert abs(ck.js_divergence(p, q) - js) <= 1e-6 * js
