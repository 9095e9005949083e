"""Tail mass / retention against numpy quantiles; discrete coverage."""

import numpy as np
import pytest

import collapsekit as ck


@pytest.fixture(scope="module")
def rg():
    rng = np.random.default_rng(9)
    return rng.normal(size=5001), rng.normal(scale=0.7, size=4000)


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.2])
def test_tail_mass_matches_numpy_quantiles(rg, alpha):
    r, g = rg
    lo, hi = np.quantile(r, alpha), np.quantile(r, 1 - alpha)
    left, right = np.mean(g < lo), np.mean(g > hi)
    assert ck.tail_mass(r, g, alpha, "left") == pytest.approx(left, rel=1e-12, abs=1e-15)
    assert ck.tail_mass(r, g, alpha, "right") == pytest.approx(right, rel=1e-12, abs=1e-15)
    assert ck.tail_mass(r, g, alpha, "both") == pytest.approx(left + right, rel=1e-12, abs=1e-15)
    assert ck.tail_retention(r, g, alpha) == pytest.approx((left + right) / (2 * alpha), rel=1e-12, abs=1e-15)
    assert ck.tail_retention(r, r, alpha, "both") == pytest.approx(1.0, abs=2.0 / r.size / alpha)


def test_curves_and_errors(rg):
    r, g = rg
    alphas = ck.log_spaced_alphas(0.1, 1e-3, 5)
    assert alphas[0] == pytest.approx(0.1) and alphas[-1] == pytest.approx(1e-3)
    curve = ck.retention_curve(r, g, alphas)
    assert curve.shape == (5,)
    for a, c in zip(alphas, curve):
        assert c == pytest.approx(ck.tail_retention(r, g, a), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(ck.tail_mass_curve(r, g, alphas, "right"),
                               [ck.tail_mass(r, g, a, "right") for a in alphas], rtol=1e-12)
    with pytest.raises(ValueError, match="collapsekit.tail_mass"):
        ck.tail_mass(r, g, 0.7)
    with pytest.raises(ValueError, match="side must be"):
        ck.tail_mass(r, g, 0.1, "up")
    with pytest.raises(ValueError, match="collapsekit.tail_mass"):
        ck.tail_mass(np.array([]), g, 0.1)
    assert ck.tail_mass(r.astype(np.float32), g.astype(np.float32), 0.1) >= 0


def test_extremes_and_hill():
    rng = np.random.default_rng(2)
    x = rng.pareto(2.0, size=20000) + 1
    h = ck.hill_tail_index(x)
    assert h.value == pytest.approx(2.0, abs=5 * h.standard_error)
    assert h.k == int(np.sqrt(x.size))
    es = ck.expected_shortfall(x, 0.1, "right")
    assert es == pytest.approx(np.mean(np.sort(x)[-2000:]), rel=0.02)


def test_discrete_coverage():
    r = np.array([5, 3, 0, 1, 1, 0])
    g = np.array([7, 0, 2, 1, 0, 0])
    assert ck.support_coverage(r, g) == pytest.approx(2 / 4)
    assert ck.support_coverage_mass(r, g) == pytest.approx(6 / 10)
    assert ck.extinct_count(r, g) == 2
    np.testing.assert_array_equal(ck.extinct_categories(r, g), [1, 4])
    gt = ck.good_turing_missing_mass(r)
    assert gt.value == pytest.approx(2 / 10)
    assert ck.chao1(r).value >= 4
    with pytest.raises(ValueError, match="collapsekit.support_coverage"):
        ck.support_coverage(r, g[:3])
