"""threads= on the histogram, entropy and divergence bindings: every thread count gives
exactly the same answer (compared with ==), threads=0 is the default, and a negative
count is a ValueError."""

import numpy as np
import pytest

import collapsekit as ck

CHUNK = 1 << 16
N = 5 * CHUNK + 123  # several fixed chunks, the last one short
THREADS = [1, 2, 3, 8]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(15)
    p = rng.random(N) + 1e-3
    p[rng.random(N) < 0.1] = 0.0
    p /= p.sum()
    q = rng.random(N) + 1e-3
    q /= q.sum()
    counts = rng.integers(0, 60, N).astype(np.uint64)
    counts[::997] += 5000
    x = rng.normal(size=N)
    w = rng.random(N)
    return {"p": p, "q": q, "counts": counts, "x": x, "w": w}


def same_for_all_threads(f):
    """f(threads) for each count equals f(1) (== on floats, arrays compared element-wise)."""
    ref = f(1)
    for t in THREADS + [0]:
        got = f(t)
        if isinstance(ref, tuple):
            for a, b in zip(got, ref):
                assert np.array_equal(a, b), t
        elif isinstance(ref, np.ndarray):
            assert np.array_equal(got, ref), t
        else:
            assert got == ref, t
    return ref


PAIR_MEASURES = [
    "kl_divergence",
    "cross_entropy",
    "js_divergence",
    "js_distance",
    "hellinger",
    "bhattacharyya",
    "total_variation",
    "chi_squared_pearson",
    "chi_squared_neyman",
    "psi",
]


@pytest.mark.parametrize("name", PAIR_MEASURES)
def test_divergences_same_for_every_thread_count(data, name):
    f = getattr(ck, name)
    fc = getattr(ck, name + "_counts")
    v = same_for_all_threads(lambda t: f(data["p"], data["q"], threads=t))
    assert v == f(data["p"], data["q"])  # the default is threads=0
    same_for_all_threads(lambda t: fc(data["counts"], data["counts"][::-1].copy(), zero_support="jeffreys", threads=t))
    same_for_all_threads(lambda t: fc(data["p"].astype(np.float32), data["q"], base=2, threads=t))
    with pytest.raises(ValueError, match="threads"):
        f(data["p"], data["q"], threads=-1)
    with pytest.raises(ValueError, match="threads"):
        fc(data["counts"], data["counts"], threads=-1)


def test_renyi_and_n_way_js(data):
    for alpha in [0.0, 0.5, 2.0, np.inf]:
        same_for_all_threads(lambda t: ck.renyi_divergence(data["p"], data["q"], alpha, threads=t))
        same_for_all_threads(lambda t: ck.renyi_divergence(data["counts"], data["q"], alpha, counts=True, threads=t))
    dists = np.stack([data["p"], data["q"], 0.5 * (data["p"] + data["q"])])
    same_for_all_threads(lambda t: ck.js_divergence_n(dists, threads=t))
    same_for_all_threads(lambda t: ck.js_divergence_n_counts(dists, [0.2, 0.3, 0.5], threads=t))
    with pytest.raises(ValueError, match="threads"):
        ck.renyi_divergence(data["p"], data["q"], 2.0, threads=-1)
    with pytest.raises(ValueError, match="threads"):
        ck.js_divergence_n(dists, threads=-1)


def test_divergences_of_samples(data):
    g = data["x"] * 1.1
    same_for_all_threads(lambda t: ck.kl_divergence_samples(data["x"], g, 20, zero_support="jeffreys", threads=t))
    same_for_all_threads(lambda t: ck.js_divergence_samples(data["x"], g, 20, threads=t))
    with pytest.raises(ValueError, match="threads"):
        ck.js_divergence_samples(data["x"], g, 20, threads=-1)


def test_entropies_same_for_every_thread_count(data):
    p, counts = data["p"], data["counts"]
    v = same_for_all_threads(lambda t: ck.entropy(p, threads=t))
    assert v == ck.entropy(p)
    same_for_all_threads(lambda t: ck.entropy(counts, threads=t))
    same_for_all_threads(lambda t: ck.entropy(p, data["q"], base=2, threads=t))
    for est in ["plugin", "miller_madow", "grassberger", "chao_shen", "james_stein"]:
        same_for_all_threads(lambda t: ck.entropy(counts, estimator=est, threads=t))
        e = same_for_all_threads(lambda t: tuple(np.array([v]) for v in _estimate(counts, est, t)))
        assert e[0][0] == ck.entropy(counts, estimator=est)
    for a in [0.0, 0.5, 2.0, np.inf]:
        same_for_all_threads(lambda t: ck.renyi_entropy(p, a, threads=t))
        same_for_all_threads(lambda t: ck.hill_number(p, a, threads=t))
        same_for_all_threads(lambda t: ck.tsallis_entropy(p, a, base=2, threads=t))
    same_for_all_threads(lambda t: ck.gini_simpson(p, threads=t))
    same_for_all_threads(lambda t: ck.james_stein_shrinkage(counts, threads=t))
    for f in [
        lambda t: ck.entropy(p, threads=t),
        lambda t: ck.entropy_estimate(counts, threads=t),
        lambda t: ck.renyi_entropy(p, 2.0, threads=t),
        lambda t: ck.hill_number(p, 2.0, threads=t),
        lambda t: ck.tsallis_entropy(p, 2.0, threads=t),
        lambda t: ck.gini_simpson(p, threads=t),
        lambda t: ck.james_stein_shrinkage(counts, threads=t),
    ]:
        with pytest.raises(ValueError, match="threads"):
            f(-1)


def _estimate(counts, estimator, threads):
    e = ck.entropy_estimate(counts, estimator, threads=threads)
    return e.value, e.standard_error, e.n


def test_entropy_errors_do_not_depend_on_threads(data):
    bad = data["p"].copy()
    bad[4 * CHUNK + 1] = -1.0
    bad[CHUNK + 9] = np.inf
    messages = set()
    for t in THREADS:
        with pytest.raises(ValueError) as e:
            ck.renyi_entropy(bad, 2.0, threads=t)
        messages.add(str(e.value))
    assert len(messages) == 1 and f"p[{CHUNK + 9}]" in messages.pop()
    nan = data["p"].copy()
    nan[3 * CHUNK] = np.nan
    for t in THREADS:
        with pytest.raises(ValueError):
            ck.entropy(nan, threads=t)
        assert np.isnan(ck.entropy(nan, nan_policy="propagate", threads=t))
        assert ck.entropy(nan, nan_policy="omit", threads=t) == ck.entropy(nan, nan_policy="omit", threads=1)


def test_histogram_same_for_every_thread_count(data):
    x, w = data["x"], data["w"]

    def fill(t, weights=None, dtype=np.float64):
        h = ck.Histogram.regular(100, -3.0, 3.0)
        h.fill(x.astype(dtype), weights, threads=t)
        sw = h.sum_weights if h.weighted else np.zeros(0)
        return h.counts, np.array([h.underflow, h.overflow, h.nan_count]), sw, h.sum_weights_squared

    same_for_all_threads(fill)
    same_for_all_threads(lambda t: fill(t, dtype=np.float32))
    same_for_all_threads(lambda t: fill(t, weights=w))
    counts = same_for_all_threads(lambda t: ck.histogram(x, 50, threads=t))
    ref = np.histogram(x, 50)
    assert np.array_equal(counts[0], ref[0]) and np.array_equal(counts[1], ref[1])
    same_for_all_threads(lambda t: ck.histogram(x, 50, weights=w, threads=t))
    with pytest.raises(ValueError, match="threads"):
        ck.Histogram.regular(10, 0, 1).fill(x, threads=-1)
    with pytest.raises(ValueError, match="threads"):
        ck.histogram(x, 10, threads=-1)
