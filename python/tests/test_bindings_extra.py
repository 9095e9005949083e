"""Bindings added for issue 9's gaps: n-way JS, Gaussian closed forms, k-NN KL, shared-bin
divergences, pairwise matrices, weighted tails, rare categories, two-sample count
bootstrap, the multivariate Gaussian model and the tokenizer; checked against numpy /
scipy or independent pure-Python references."""

import math
import threading

import numpy as np
import pytest
import scipy.linalg
import scipy.spatial
import scipy.stats

import collapsekit as ck

# ---- n-way Jensen-Shannon ------------------------------------------------------------


def js_n_reference(dists, weights, base=None):
    dists = [np.asarray(d, dtype=float) for d in dists]
    m = sum(w * d for w, d in zip(weights, dists))
    h = lambda p: scipy.stats.entropy(p, base=base)  # noqa: E731
    return h(m) - sum(w * h(d) for w, d in zip(weights, dists))


@pytest.fixture(scope="module")
def dists():
    rng = np.random.default_rng(11)
    raw = rng.random((4, 50)) + 0.01
    return raw, raw / raw.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("base", [None, 2.0])
def test_js_divergence_n_matches_entropy_form(dists, base):
    raw, p = dists
    w = np.array([0.1, 0.2, 0.3, 0.4])
    expect = js_n_reference(p, w, base)
    assert ck.js_divergence_n(p, w, base=base) == pytest.approx(expect, rel=1e-10)
    assert ck.js_divergence_n(list(p), list(w), base=base) == pytest.approx(expect, rel=1e-10)
    assert ck.js_divergence_n_counts(raw, w, base=base) == pytest.approx(expect, rel=1e-10)
    eq = js_n_reference(p, [0.25] * 4, base)
    assert ck.js_divergence_n(p, base=base) == pytest.approx(eq, rel=1e-10)
    # integer counts (list of arrays of another dtype) are converted
    counts = (raw * 100).astype(np.int64)
    pc = counts / counts.sum(axis=1, keepdims=True)
    assert ck.js_divergence_n_counts(list(counts)) == pytest.approx(js_n_reference(pc, [0.25] * 4), rel=1e-10)


def test_js_divergence_n_two_equal_weights_is_js(dists):
    _, p = dists
    assert ck.js_divergence_n(p[:2]) == pytest.approx(ck.js_divergence(p[0], p[1]), rel=1e-12, abs=1e-15)


def test_js_divergence_n_float32_rows(dists):
    _, p = dists
    p32 = p.astype(np.float32)
    p32 /= p32.sum(axis=1, keepdims=True, dtype=np.float32)
    expect = js_n_reference(p32.astype(float), [0.25] * 4)
    assert ck.js_divergence_n(p32) == pytest.approx(expect, rel=1e-5)
    assert ck.js_divergence_n(list(p32)) == pytest.approx(expect, rel=1e-5)


def test_js_divergence_n_errors(dists):
    _, p = dists
    with pytest.raises(ValueError, match="js_divergence_n"):
        ck.js_divergence_n([])
    with pytest.raises(ValueError, match="weights"):
        ck.js_divergence_n(p, [0.5, 0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="differ in length|length"):
        ck.js_divergence_n([p[0], p[1][:10] / p[1][:10].sum()])
    with pytest.raises(ValueError):
        ck.js_divergence_n(p[0])  # 1-D: not a list of distributions
    with pytest.raises(TypeError):
        ck.js_divergence_n([np.array(["a", "b"])])
    assert math.isnan(ck.js_divergence_n([[0.5, np.nan, 0.5], [0.2, 0.3, 0.5]], nan_policy="propagate"))
    with pytest.raises(ValueError, match="after NaN removal"):
        ck.js_divergence_n([[0.5, np.nan, 0.5], [0.2, 0.3, 0.5]], nan_policy="omit")
    omitted = ck.js_divergence_n([[0.5, np.nan, 0.5], [0.2, np.nan, 0.8]], nan_policy="omit")
    assert omitted == pytest.approx(ck.js_divergence([0.5, 0.5], [0.2, 0.8]), rel=1e-12)


# ---- Gaussians -----------------------------------------------------------------------


def test_gaussian_closed_forms():
    mu1, s1, mu2, s2 = 0.3, 1.2, -0.5, 0.7
    kl = math.log(s2 / s1) + (s1**2 + (mu1 - mu2) ** 2) / (2 * s2**2) - 0.5
    assert ck.kl_gaussian(mu1, s1, mu2, s2) == pytest.approx(kl, rel=1e-13)
    assert ck.kl_gaussian(mu1, s1, mu2, s2, base=2) == pytest.approx(kl / math.log(2), rel=1e-13)
    assert ck.wasserstein_gaussian(mu1, s1, mu2, s2) == pytest.approx(math.hypot(mu1 - mu2, s1 - s2), rel=1e-15)
    assert ck.wasserstein_gaussian(1.0, 0.0, 1.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="kl_gaussian"):
        ck.kl_gaussian(0, 0, 0, 1)
    with pytest.raises(ValueError, match="wasserstein_gaussian"):
        ck.wasserstein_gaussian(math.inf, 1, 0, 1)


def random_spd(rng, k):
    a = rng.normal(size=(k, k))
    return a @ a.T + k * np.eye(k)


def test_gaussian_mv_against_numpy_scipy():
    rng = np.random.default_rng(3)
    k = 4
    m1, m2 = rng.normal(size=k), rng.normal(size=k)
    s1, s2 = random_spd(rng, k), random_spd(rng, k)
    inv2 = np.linalg.inv(s2)
    d = m2 - m1
    kl = 0.5 * (np.trace(inv2 @ s1) + d @ inv2 @ d - k + np.linalg.slogdet(s2)[1] - np.linalg.slogdet(s1)[1])
    assert ck.kl_gaussian_mv(m1, s1, m2, s2) == pytest.approx(kl, rel=1e-10)
    assert ck.kl_gaussian_mv(m1, s1.ravel(), m2, s2.ravel(), base=2) == pytest.approx(kl / math.log(2), rel=1e-10)
    r2 = scipy.linalg.sqrtm(s2).real
    w2 = np.sum((m1 - m2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(scipy.linalg.sqrtm(r2 @ s1 @ r2).real)
    assert ck.wasserstein_gaussian_mv(m1, s1, m2, s2) == pytest.approx(math.sqrt(w2), rel=1e-10)
    # 1-D agrees with the scalar forms
    assert ck.kl_gaussian_mv([0.3], [[1.44]], [-0.5], [[0.49]]) == pytest.approx(
        ck.kl_gaussian(0.3, 1.2, -0.5, 0.7), rel=1e-12
    )
    # lists and Fortran order are converted
    assert ck.wasserstein_gaussian_mv(list(m1), np.asfortranarray(s1), m2, s2.tolist()) == pytest.approx(
        math.sqrt(w2), rel=1e-10
    )


def test_gaussian_mv_errors():
    eye = np.eye(2)
    with pytest.raises(ValueError, match="positive definite"):
        ck.kl_gaussian_mv([0, 0], [[1, 0], [0, 0]], [0, 0], eye)
    with pytest.raises(ValueError, match="square"):
        ck.kl_gaussian_mv([0, 0], np.ones((2, 3)), [0, 0], eye)
    with pytest.raises(ValueError, match="mean"):
        ck.wasserstein_gaussian_mv([0, 0], eye, [0, 0, 0], np.eye(3))
    with pytest.raises(ValueError):
        ck.kl_gaussian_mv([0, 0], np.ones(3), [0, 0], eye)
    with pytest.raises(TypeError):
        ck.kl_gaussian_mv(["a", "b"], eye, [0, 0], eye)
    # degenerate (PSD) covariances are fine for W2
    assert ck.wasserstein_gaussian_mv([0, 0], np.zeros((2, 2)), [0, 0], np.zeros((2, 2))) == 0.0


# ---- k-NN KL -------------------------------------------------------------------------


def knn_kl_reference(x, y, k):
    n, d = x.shape
    m = y.shape[0]
    rho = scipy.spatial.cKDTree(x).query(x, k=k + 1)[0][:, k]
    nu = scipy.spatial.cKDTree(y).query(x, k=k)[0]
    nu = nu if k == 1 else nu[:, k - 1]
    return d / n * np.sum(np.log(nu / rho)) + math.log(m / (n - 1))


@pytest.mark.parametrize("k", [1, 3])
def test_kl_divergence_knn_matches_kdtree(k):
    rng = np.random.default_rng(8)
    x = rng.normal(size=(400, 2))
    y = rng.normal(loc=0.5, size=(300, 2))
    expect = knn_kl_reference(x, y, k)
    assert ck.kl_divergence_knn(x, y, k=k) == pytest.approx(expect, rel=1e-10)
    assert ck.kl_divergence_knn(x, y, k=k, base=2) == pytest.approx(expect / math.log(2), rel=1e-10)
    x1, y1 = x[:, 0].copy(), y[:, 0].copy()
    assert ck.kl_divergence_knn(x1, y1, k=k) == pytest.approx(knn_kl_reference(x1[:, None], y1[:, None], k), rel=1e-10)


def test_kl_divergence_knn_errors():
    x = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="dimension"):
        ck.kl_divergence_knn(x, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="k must"):
        ck.kl_divergence_knn(x, x + 0.5, k=5)
    with pytest.raises(ValueError, match="duplicates"):
        ck.kl_divergence_knn(np.zeros((4, 2)), x)
    with pytest.raises(ValueError):
        ck.kl_divergence_knn(np.zeros((0, 2)), x)


# ---- samples through shared bins ------------------------------------------------------


def test_bin_on_reference_and_sample_divergences():
    rng = np.random.default_rng(2)
    ref, gen = rng.normal(size=2000), rng.normal(scale=1.5, size=3000)
    rc, gc, edges = ck.bin_on_reference(ref, gen, 8)
    np.testing.assert_array_equal(edges, np.quantile(ref, np.linspace(0, 1, 9)))
    inner = lambda x: np.histogram(x, bins=edges)[0]  # noqa: E731
    np.testing.assert_array_equal(rc[1:-1], inner(ref))
    np.testing.assert_array_equal(gc[1:-1], inner(gen))
    assert rc[0] == rc[-1] == 0
    assert gc[0] == np.sum(gen < edges[0]) and gc[-1] == np.sum(gen > edges[-1])
    assert rc.sum() == ref.size and gc.sum() == gen.size
    assert ck.kl_divergence_samples(ref, gen, 8) == pytest.approx(scipy.stats.entropy(rc, gc), rel=1e-12)
    js = ck.js_divergence_counts(rc, gc, base=2)
    assert ck.js_divergence_samples(ref, gen, 8, base=2) == pytest.approx(js, rel=1e-12)
    assert ck.divergence_samples(ref, gen, 8, "hellinger") == pytest.approx(ck.hellinger_counts(rc, gc), rel=1e-12)
    assert ck.divergence_samples(ref, gen, 8, "total_variation_counts") == pytest.approx(
        ck.total_variation_counts(rc, gc), rel=1e-12
    )
    assert ck.divergence_samples(ref, gen, 8, "renyi_divergence", alpha=0.5) == pytest.approx(
        ck.renyi_divergence(rc, gc, 0.5, counts=True), rel=1e-12
    )
    with pytest.raises(ValueError, match="unknown measure"):
        ck.divergence_samples(ref, gen, 8, "wasserstein")
    with pytest.raises(ValueError):
        ck.kl_divergence_samples(np.array([]), gen)
    nan_gen = gen.copy()
    nan_gen[5] = np.nan
    assert math.isnan(ck.js_divergence_samples(ref, nan_gen, 8, nan_policy="propagate"))
    with pytest.raises(ValueError, match="NaN"):
        ck.js_divergence_samples(ref, nan_gen, 8)
    assert ck.js_divergence_samples(ref, nan_gen, 8, nan_policy="omit") == pytest.approx(
        ck.js_divergence_samples(ref, np.delete(gen, 5), 8), rel=1e-12
    )
    f32 = ck.js_divergence_samples(ref.astype(np.float32), gen.astype(np.float32), 8)
    assert f32 == pytest.approx(js * math.log(2), rel=1e-3)


def test_kl_samples_lost_tail_is_infinite():
    ref = np.linspace(-3, 3, 1000)
    clipped = np.clip(ref, -1, 1)
    assert ck.kl_divergence_samples(ref, clipped, 10) == math.inf
    assert math.isfinite(ck.kl_divergence_samples(ref, clipped, 10, zero_support="jeffreys"))


# ---- pairwise ------------------------------------------------------------------------


def test_pairwise_by_name_and_callable(dists):
    raw, p = dists
    m = ck.pairwise(p, "kl_divergence")
    assert m.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert m[i, j] == pytest.approx(scipy.stats.entropy(p[i], p[j]), rel=1e-12, abs=1e-15)
    js = ck.pairwise(list(raw), "js_divergence_counts", symmetric=True, base=2)
    np.testing.assert_array_equal(js, js.T)
    assert js[1, 3] == pytest.approx(scipy.spatial.distance.jensenshannon(raw[1], raw[3], 2) ** 2, rel=1e-10)
    rng = np.random.default_rng(1)
    samples = [rng.normal(size=n) for n in (100, 150, 200)]
    w = ck.pairwise(samples, "wasserstein", symmetric=True)
    assert w[0, 2] == pytest.approx(scipy.stats.wasserstein_distance(samples[0], samples[2]), rel=1e-12)
    w2 = ck.pairwise(samples, "wasserstein", p=2.0)
    assert w2[1, 0] == pytest.approx(ck.wasserstein(samples[1], samples[0], p=2.0), rel=1e-15)
    ks = ck.pairwise(samples, "ks_statistic")
    assert ks[0, 1] == pytest.approx(scipy.stats.ks_2samp(samples[0], samples[1]).statistic, rel=1e-12)
    e = ck.pairwise(samples, "energy_distance")
    assert e[2, 1] == pytest.approx(scipy.stats.energy_distance(samples[2], samples[1]), rel=1e-10)
    r = ck.pairwise(p, "renyi_divergence", alpha=0.5)
    assert r[0, 1] == pytest.approx(ck.renyi_divergence(p[0], p[1], 0.5), rel=1e-15)
    calls = []

    def f(a, b):
        calls.append(1)
        return float(np.mean(a) - np.mean(b))

    c = ck.pairwise(samples, f)
    assert len(calls) == 9
    assert c[0, 1] == pytest.approx(np.mean(samples[0]) - np.mean(samples[1]))
    c = ck.pairwise(samples, lambda a, b: 1.0, symmetric=True)
    assert c.sum() == 9
    assert ck.pairwise([], "hellinger").shape == (0, 0)
    pts = [rng.normal(size=(50, 2)) for _ in range(3)]
    knn = ck.pairwise(pts, "kl_divergence_knn", k=2)
    assert knn[0, 1] == pytest.approx(ck.kl_divergence_knn(pts[0], pts[1], k=2), rel=1e-15)


def test_pairwise_errors(dists):
    _, p = dists
    with pytest.raises(ValueError, match="unknown measure"):
        ck.pairwise(p, "nope")
    with pytest.raises(TypeError):
        ck.pairwise(p, 3)
    with pytest.raises(ValueError, match="differ in length"):
        ck.pairwise([p[0], p[1][:5]], "hellinger")

    def bad(a, b):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        ck.pairwise(p, bad)
    with pytest.raises(ValueError, match="dimension"):
        ck.pairwise([np.zeros((5, 2)), np.zeros((5, 3))], "kl_divergence_knn")


# ---- weighted tails, thresholds, rare categories ---------------------------------------


def weighted_quantile(x, w, q):
    order = np.argsort(x, kind="stable")
    xs, cw = x[order], np.cumsum(w[order])
    return xs[np.searchsorted(cw, q * cw[-1], side="left")]


def weighted_mass_reference(r, rw, g, gw, alpha, side):
    lo, hi = weighted_quantile(r, rw, alpha), weighted_quantile(r, rw, 1 - alpha)
    left = gw[g < lo].sum() / gw.sum()
    right = gw[g > hi].sum() / gw.sum()
    return {"left": left, "right": right, "both": left + right}[side]


@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_weighted_tails_against_reference(side):
    rng = np.random.default_rng(6)
    r, g = rng.normal(size=3000), rng.standard_t(4, size=2000)
    rw, gw = rng.random(3000), rng.random(2000)
    for alpha in (0.01, 0.1):
        expect = weighted_mass_reference(r, rw, g, gw, alpha, side)
        assert ck.weighted_tail_mass(r, rw, g, gw, alpha, side) == pytest.approx(expect, rel=1e-12)
        scale = 2 * alpha if side == "both" else alpha
        assert ck.weighted_tail_retention(r, rw, g, gw, alpha=alpha, side=side) == pytest.approx(
            expect / scale, rel=1e-12
        )
    alphas = [0.1, 0.01, 0.05]
    curve = ck.weighted_tail_mass_curve(r, rw, g, gw, alphas, side)
    np.testing.assert_allclose(curve, [weighted_mass_reference(r, rw, g, gw, a, side) for a in alphas], rtol=1e-12)
    ret = ck.weighted_retention_curve(r, rw, g, gw, alphas, side)
    scales = [2 * a if side == "both" else a for a in alphas]
    np.testing.assert_allclose(ret, np.array(curve) / scales, rtol=1e-12)


def test_weighted_tails_whole_weights_equal_repeated_sample():
    rng = np.random.default_rng(9)
    r, g = rng.normal(size=500), rng.normal(size=400)
    rw, gw = rng.integers(0, 4, size=500), rng.integers(1, 3, size=400)
    unweighted = ck.tail_mass(np.repeat(r, rw), np.repeat(g, gw), 0.05, "both", method="inverted_cdf")
    assert ck.weighted_tail_mass(r, rw, g, gw, 0.05) == pytest.approx(unweighted, rel=1e-12)
    lo, hi = ck.weighted_tail_thresholds(r, rw, 0.05)
    rep = np.repeat(r, rw)
    assert (lo, hi) == tuple(np.quantile(rep, [0.05, 0.95], method="inverted_cdf"))


def test_weighted_tail_errors():
    r = np.arange(10.0)
    with pytest.raises(ValueError, match="weighted_tail_mass"):
        ck.weighted_tail_mass(r, np.ones(9), r, np.ones(10))
    with pytest.raises(ValueError):
        ck.weighted_tail_mass(r, -np.ones(10), r, np.ones(10))
    with pytest.raises(ValueError):
        ck.weighted_tail_retention(r, np.zeros(10), r, np.ones(10))
    with pytest.raises(ValueError, match="alpha"):
        ck.weighted_retention_curve(r, np.ones(10), r, np.ones(10), [0.7])
    with pytest.raises(ValueError):
        ck.weighted_tail_mass(np.array([]), np.array([]), r, np.ones(10))
    with pytest.raises(TypeError):
        ck.weighted_tail_mass(r, np.array(["a"] * 10), r, np.ones(10))
    g = r.copy()
    g[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ck.weighted_tail_mass(r, np.ones(10), g, np.ones(10))
    assert math.isnan(ck.weighted_tail_mass(r, np.ones(10), g, np.ones(10), nan_policy="propagate"))
    omitted = ck.weighted_tail_mass(r, np.ones(10), g, np.ones(10), 0.2, nan_policy="omit")
    assert omitted == pytest.approx(ck.weighted_tail_mass(r, np.ones(10), np.delete(g, 3), np.ones(9), 0.2))


def test_tail_thresholds_match_numpy():
    rng = np.random.default_rng(4)
    x = rng.normal(size=1001)
    for method in ("linear", "inverted_cdf"):
        for alpha in (0.01, 0.05, 0.5):
            lo, hi = ck.tail_thresholds(x, alpha, method=method)
            assert (lo, hi) == tuple(np.quantile(x, [alpha, 1 - alpha], method=method))
    assert ck.tail_thresholds(x.astype(np.float32), 0.1) == pytest.approx(
        tuple(np.quantile(x.astype(np.float32).astype(float), [0.1, 0.9])), rel=1e-6
    )
    y = x.copy()
    y[0] = np.nan
    assert all(math.isnan(t) for t in ck.tail_thresholds(y, 0.1, nan_policy="propagate"))
    with pytest.raises(ValueError, match="alpha"):
        ck.tail_thresholds(x, 0.6)
    with pytest.raises(ValueError, match="infinite"):
        ck.tail_thresholds(np.array([1.0, np.inf]), 0.1)
    with pytest.raises(ValueError, match="method"):
        ck.tail_thresholds(x, 0.1, method="nearest")


def weighted_es_reference(x, w, alpha, side):
    if side == "left":
        return -weighted_es_reference(-x, w, alpha, "right")
    order = np.argsort(-x, kind="stable")
    xs, ws = x[order], w[order] / w.sum()
    need, total = alpha, 0.0
    for v, wi in zip(xs, ws):
        take = min(wi, need)
        total += take * v
        need -= take
        if need <= 0:
            break
    return total / alpha


@pytest.mark.parametrize("side", ["left", "right"])
def test_weighted_expected_shortfall(side):
    rng = np.random.default_rng(12)
    x, w = rng.normal(size=500), rng.random(500)
    expect = weighted_es_reference(x, w, 0.05, side)
    assert ck.weighted_expected_shortfall(x, w, 0.05, side) == pytest.approx(expect, rel=1e-10)
    assert ck.expected_shortfall(x, 0.05, side, weights=w) == pytest.approx(expect, rel=1e-10)
    ones = ck.expected_shortfall(x, 0.05, side, weights=np.ones(500))
    assert ones == pytest.approx(ck.expected_shortfall(x, 0.05, side), rel=1e-12)
    with pytest.raises(ValueError, match="weighted_expected_shortfall"):
        ck.weighted_expected_shortfall(x, w[:-1], 0.05, side)
    with pytest.raises(ValueError):
        ck.expected_shortfall(x, 0.05, "both", weights=w)


def test_rare_category_retention():
    r = np.array([10, 1, 1, 2, 0, 5, 1])
    g = np.array([12, 0, 3, 0, 4, 5, 0])
    res = ck.rare_category_retention(r, g, "at_most_count", 1)
    assert list(res.categories) == [1, 2, 6]
    assert (res.rare, res.surviving) == (3, 1)
    assert res.survival_share == pytest.approx(1 / 3)
    assert res.reference_mass == pytest.approx(3 / 20)
    assert res.generated_mass == pytest.approx(3 / 24)
    assert res.mass_retention == pytest.approx((3 / 24) / (3 / 20))
    freq = ck.rare_category_retention(r, g, "at_most_frequency", 0.1)
    assert list(freq.categories) == [1, 2, 3, 6]
    bottom = ck.rare_category_retention(r.astype(float), g.astype(float), "bottom_mass", 0.2)
    # budget 0.2 * 20 = 4: the three singletons (3) fit, adding the group of 2 (5) does not
    assert list(bottom.categories) == [1, 2, 6]
    assert "RareRetention" in repr(res)
    with pytest.raises(ValueError, match="rule"):
        ck.rare_category_retention(r, g, "rarest", 1)
    with pytest.raises(ValueError, match="no reference category is rare"):
        ck.rare_category_retention(r, g, "at_most_count", 0)
    with pytest.raises(ValueError, match="all zero"):
        ck.rare_category_retention(r, np.zeros(7), "at_most_count", 1)
    with pytest.raises(ValueError, match="differ|length"):
        ck.rare_category_retention(r, g[:3], "at_most_count", 1)
    with pytest.raises(ValueError, match="whole"):
        ck.rare_category_retention(r + 0.5, g, "at_most_count", 1)
    with pytest.raises(ValueError):
        ck.rare_category_retention(r, g, "at_most_frequency", 2.0)


# ---- two-sample count bootstrap ----------------------------------------------------------


def test_bootstrap_counts_pair():
    a = np.array([50, 30, 20])
    b = np.array([40, 40, 20])
    seen = []

    def stat(x, y):
        seen.append((x.sum(), y.sum()))
        return ck.js_divergence_counts(x, y)

    res = ck.bootstrap_counts((a, b), stat, n_resamples=50, seed=3)
    assert res.estimate == pytest.approx(ck.js_divergence_counts(a, b), rel=1e-15)
    assert res.n_resamples == 50
    assert all(s == (100, 100) for s in seen)
    assert res.low <= res.high
    again = ck.bootstrap_counts((list(a), list(b)), lambda x, y: ck.js_divergence_counts(x, y), n_resamples=50, seed=3)
    assert (again.low, again.high) == (res.low, res.high)
    # a tuple of numbers is still one count vector
    one = ck.bootstrap_counts((3, 5), lambda c: c[0] / c.sum(), n_resamples=20, seed=1)
    assert one.estimate == pytest.approx(3 / 8)
    with pytest.raises(ValueError):
        ck.bootstrap_counts((a, np.array([-1, 2, 3])), lambda x, y: 0.0, n_resamples=10)


# ---- multivariate Gaussian model -------------------------------------------------------


def test_multivariate_gaussian_model():
    mean, cov = np.array([1.0, -1.0]), np.array([[2.0, 0.5], [0.5, 1.0]])
    truth = ck.MultivariateGaussianModel(mean, cov)
    assert truth.dim == 2
    np.testing.assert_array_equal(truth.mean, mean)
    np.testing.assert_array_equal(truth.covariance, cov)
    assert truth.total_variance == pytest.approx(3.0)
    assert truth.log_det == pytest.approx(math.log(1.75), rel=1e-12)
    x = truth.sample(20000, seed=4)
    assert x.shape == (20000, 2)
    np.testing.assert_array_equal(x, truth.sample(20000, seed=4))
    m = ck.MultivariateGaussianModel(2)
    np.testing.assert_array_equal(m.covariance, np.eye(2))
    m.fit(x)
    np.testing.assert_allclose(m.mean, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(m.covariance, np.cov(x.T, bias=True), rtol=1e-10)
    u = ck.MultivariateGaussianModel(2, variance="unbiased")
    u.fit(x)
    np.testing.assert_allclose(u.covariance, np.cov(x.T), rtol=1e-10)
    with pytest.raises(ValueError, match="positive definite"):
        m.fit(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]))
    with pytest.raises(ValueError, match="values, expected"):
        m.fit(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="positive definite"):
        ck.MultivariateGaussianModel([0, 0], [[1, 2], [2, 1]])
    with pytest.raises(ValueError, match="cov"):
        ck.MultivariateGaussianModel([0, 0], np.eye(3))
    with pytest.raises(ValueError, match="dim"):
        ck.MultivariateGaussianModel(0)
    with pytest.raises(ValueError, match="variance"):
        ck.MultivariateGaussianModel(2, variance="median")


def test_multivariate_gaussian_simulate():
    model = ck.MultivariateGaussianModel(np.zeros(2), np.eye(2))
    table, prov = ck.simulate(model, generations=3, samples=50, replicates=2, seed=1, metrics=(), provenance=True)
    assert len(table) == 0
    assert len(prov) > 0
    names = ["total_variance", "log_det", "spread", "w2", "kl", "sliced_w2"]
    df = ck.simulate(model, generations=3, samples=50, replicates=2, seed=1, metrics=names)
    assert set(names) <= set(df["metric"])
    assert np.isfinite(df["value"]).all()
    # The fitted model's total variance shrinks under MLE refits (2 -> about 2 (49/50)^t).
    tv = df[df["metric"] == "total_variance"].groupby("generation")["value"].mean()
    assert 0.5 < tv.iloc[-1] < 2.0
    with pytest.raises(ValueError, match="unknown metric"):
        ck.simulate(model, generations=2, samples=50, metrics=["variance"])


# ---- tokenizer and vocabulary ----------------------------------------------------------


def split_reference(text, lowercase=False):
    out, word = [], ""
    for ch in text.encode("utf-8"):
        if chr(ch).isascii() and chr(ch).isalnum() or ch >= 0x80:
            word += chr(ch) if ch < 0x80 else bytes([ch]).decode("latin-1")
            continue
        if word:
            out.append(word)
            word = ""
        if 0x20 < ch < 0x7F:
            out.append(chr(ch))
    if word:
        out.append(word)
    out = [w.encode("latin-1").decode("utf-8") for w in out]
    return [w.lower() if lowercase else w for w in out]


def test_tokenizer_split_and_encode():
    text = "The cat sat.  The cat, the DOG!\tCafé déjà-vu\x01x"
    tok = ck.Tokenizer()
    assert tok.split(text) == split_reference(text)
    assert ck.Tokenizer(lowercase=True).split(text) == split_reference(text, lowercase=True)
    vocab = ck.Vocabulary()
    assert len(vocab) == vocab.size == ck.Vocabulary.byte_tokens == 256
    ids = tok.encode(text, vocab)
    assert ids.dtype == np.uint32
    pieces = split_reference(text)
    first = {}
    for p in pieces:
        first.setdefault(p, 256 + len(first))
    assert list(ids) == [first[p] for p in pieces]
    assert vocab.find("cat") == first["cat"] and vocab.find("zebra") == -1
    assert vocab.token(first["Café"]) == "Café"
    assert vocab.token(65) == "<0x41>"
    assert vocab.decode(ids) == " ".join(pieces)
    vocab.freeze()
    assert vocab.frozen and not vocab.can_grow
    ids2 = tok.encode("cat zebra", vocab)
    assert list(ids2) == [first["cat"]] + list(b"zebra")
    assert vocab.decode(ids2) == "cat zebra"
    with pytest.raises(ValueError, match="frozen or full"):
        vocab.add("zebra")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.token(10**6)
    with pytest.raises(ValueError):
        vocab.decode([-1])
    with pytest.raises(ValueError, match="max_size"):
        ck.Vocabulary(100)
    small = ck.Vocabulary(258)
    assert list(tok.encode("a b c", small)) == [256, 257, ord("c")]
    assert not small.can_grow
    with pytest.raises(ValueError, match="empty"):
        ck.Vocabulary().add("")
    assert "Vocabulary(size=" in repr(small)


def test_encode_documents_and_split_documents(tmp_path):
    text = "one two\n\n  \nthree one\nfour\n"
    assert ck.split_documents(text) == ["one two", "three one", "four"]
    assert ck.split_documents(text, "paragraphs") == ["one two", "three one\nfour"]
    assert ck.split_documents(text, "whole") == [text]
    assert ck.split_documents("  \n ", "whole") == []
    with pytest.raises(ValueError, match="how"):
        ck.split_documents(text, "sentences")
    vocab = ck.Vocabulary()
    corpus = ck.Tokenizer().encode_documents(["one two", "three one"], vocab)
    assert isinstance(corpus, ck.Corpus)
    assert corpus.documents == 2
    assert list(corpus.tokens) == [256, 257, 258, 256]
    assert ck.distinct_n(corpus, 1) == pytest.approx(3 / 4)
    path = tmp_path / "t.txt"
    path.write_text(text)
    v2 = ck.Vocabulary()
    c2 = ck.corpus_from_text_file(str(path), v2)
    assert c2.documents == 3 and list(c2.tokens) == [256, 257, 258, 256, 259]
    c3 = ck.corpus_from_text_file(str(path), ck.Vocabulary(), how="paragraphs", tokenizer=ck.Tokenizer(True))
    assert c3.documents == 2
    with pytest.raises(ValueError, match="cannot be opened"):
        ck.corpus_from_text_file(str(tmp_path / "missing.txt"), v2)


def test_decode_keeps_undecodable_bytes():
    vocab = ck.Vocabulary()
    s = vocab.decode([0xC3])  # half a UTF-8 sequence
    assert s.encode("utf-8", "surrogateescape") == b"\xc3"


def test_new_bindings_release_the_gil():
    # Two threads computing at once must both finish (a smoke test: the GIL is released
    # in the C++ call, so neither blocks the other indefinitely).
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(3000, 3)), rng.normal(size=(3000, 3))
    out = []
    threads = [threading.Thread(target=lambda: out.append(ck.kl_divergence_knn(x, y, k=2))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 2 and out[0] == out[1]


# ---- entropy extras ----------------------------------------------------------------------


def test_nsb_entropy_bins_and_james_stein_shrinkage():
    c = np.array([5, 3, 1, 1, 0, 2])
    same = ck.nsb_entropy(c)
    est = ck.entropy_estimate(c, "nsb")
    assert (same.value, same.standard_error, same.n) == (est.value, est.standard_error, est.n)
    assert ck.nsb_entropy(c, bins=6).value == same.value
    wider = ck.nsb_entropy(c, bins=50)
    assert wider.value != same.value and wider.n == 12
    assert ck.nsb_entropy(c, base=2).value == pytest.approx(same.value / math.log(2), rel=1e-12)
    assert ck.nsb_entropy(c.astype(np.uint8)).value == same.value
    with pytest.raises(ValueError, match="nsb_entropy"):
        ck.nsb_entropy(c, bins=3)
    with pytest.raises(ValueError):
        ck.nsb_entropy(np.array([], dtype=np.int64))
    # Hausser & Strimmer eq. 6 in plain numpy
    n = c.sum()
    u = c / n
    lam = (1 - np.sum(u**2)) / ((n - 1) * np.sum((1 / c.size - u) ** 2))
    assert ck.james_stein_shrinkage(c) == pytest.approx(min(1.0, max(0.0, lam)), rel=1e-12)
    assert ck.james_stein_shrinkage([4, 4, 4]) == 1.0
    with pytest.raises(ValueError):
        ck.james_stein_shrinkage([1, -1])


def test_kth_neighbor_distances_match_kdtree():
    rng = np.random.default_rng(21)
    pts, queries = rng.normal(size=(300, 3)), rng.normal(size=(40, 3))
    tree = scipy.spatial.cKDTree(pts)
    np.testing.assert_allclose(ck.kth_neighbor_distances(pts, k=2), tree.query(pts, k=3)[0][:, 2], rtol=1e-13)
    np.testing.assert_allclose(ck.kth_neighbor_distances(pts, queries, k=1), tree.query(queries, k=1)[0], rtol=1e-13)
    line = np.array([0.0, 1.0, 3.0, 7.0])
    np.testing.assert_array_equal(ck.kth_neighbor_distances(line), [1.0, 1.0, 2.0, 4.0])
    np.testing.assert_array_equal(ck.kth_neighbor_distances(np.zeros((3, 2))), [0.0, 0.0, 0.0])
    assert ck.kth_neighbor_distances(pts, np.zeros((0, 3))).shape == (0,)
    with pytest.raises(ValueError, match="k must"):
        ck.kth_neighbor_distances(line, k=4)
    with pytest.raises(ValueError, match="dimension"):
        ck.kth_neighbor_distances(pts, np.zeros((2, 2)))
    with pytest.raises(ValueError):
        ck.kth_neighbor_distances(np.array([[0.0, np.nan], [1.0, 1.0]]))
