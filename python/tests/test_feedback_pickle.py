"""Pickling of Policy and the feedback models: the state is the whole current state, so an
unpickled object (or a deep copy) runs simulate bit for bit as the original, under every
pickle protocol collapsekit.dask may use; malformed states are a ValueError naming the class."""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest

import collapsekit as ck

PROTOCOLS = [2, 5]


def round_trips(obj):
    """The object through pickle (protocols 2 and 5) and copy.deepcopy / copy.copy."""
    out = [pickle.loads(pickle.dumps(obj, protocol=p)) for p in PROTOCOLS]
    return out + [copy.deepcopy(obj), copy.copy(obj)]


def bits(x):
    """A float, array or state compared bit for bit (0.0 and -0.0 differ, NaN equals NaN)."""
    if isinstance(x, tuple):
        return tuple(bits(v) for v in x)
    if isinstance(x, np.ndarray):
        return (x.dtype.str, x.shape, x.tobytes())
    if isinstance(x, float):
        return np.float64(x).tobytes()
    return x


def assert_same_state(a, b):
    assert type(a) is type(b) and a is not b
    assert bits(a.__getstate__()) == bits(b.__getstate__())


def assert_same_frames(a, b):
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def with_state(obj, index, value):
    """A fresh object of obj's class whose state differs from obj's in field `index`."""
    state = list(obj.__getstate__())
    state[index] = value
    out = type(obj).__new__(type(obj))
    out.__setstate__(tuple(state))
    return out


HUMAN = np.random.default_rng(7).normal(1.0, 2.0, 400)
DOCS, WORDS = ck.tokenize(ck.builtin_text())

# model, simulate keywords (as python/tests/test_feedback.py calls them), a field index of
# the state and another value for it that must change the result.
CASES = {
    "gaussian": (lambda: ck.GaussianModel(0.5, 1.7, variance="unbiased"),
                 dict(metrics=["variance", "w1", "tail_retention"]), 2, 2.25),
    "mixture": (lambda: ck.GaussianMixtureModel(3, max_iterations=7, tolerance=1e-3, variance_floor=0.2),
                dict(metrics=["spread", "w1", "kl"], human=HUMAN), 4, 1),
    "kde_rule": (lambda: ck.KDEModel("scott"), dict(metrics=["spread", "w1", "kl"], human=HUMAN), 1, "silverman"),
    "kde_fixed": (lambda: ck.KDEModel(0.3), dict(metrics=["spread", "w1", "kl"], human=HUMAN), 2, 0.31),
    "categorical": (lambda: ck.CategoricalModel.zipf(60, 1.1, smoothing=0.25, temperature=0.9, top_k=40, top_p=0.97),
                    dict(metrics=["entropy", "support", "kl"]), 4, 20),
    "categorical_weights": (lambda: ck.CategoricalModel(np.random.default_rng(3).random(300) ** 3, top_p=0.9),
                            dict(metrics=["entropy", "kl"]), 3, 1.1),
    "ngram": (lambda: ck.NgramLanguageModel(len(WORDS), order=2, smoothing=0.5, temperature=1.2, top_k=9,
                                            top_p=0.95, max_length=30),
              dict(metrics=["distinct_2", "entropy"], human=DOCS), 7, 12),
    "multivariate": (None, dict(metrics=(), provenance=True), None, None),
}


def multivariate():
    g = ck.MultivariateGaussianModel(np.array([1.0, -2.0, 0.5]), np.array([[2.0, 0.3, 0.1], [0.3, 1.0, -0.2],
                                                                            [0.1, -0.2, 0.5]]), variance="unbiased")
    g.fit(np.random.default_rng(1).normal(size=(50, 3)) @ np.array([[1.0, 0.2, 0], [0, 0.7, 0.1], [0, 0, 1.3]]))
    return g


def make(name):
    return multivariate() if name == "multivariate" else CASES[name][0]()


def run(model, policy, **kw):
    base = dict(generations=4, samples=80, replicates=3, seed=19, threads=1)
    return ck.simulate(model, policy, **{**base, **kw})


POLICIES = {
    "exact": lambda: (ck.Policy.replace().human_floor(0.3, "exact").contamination(0.25).detector(0.8, 0.1)
                      .watermark(0.4).curated(12)),
    "per_sample": lambda: (ck.Policy.accumulate().human_floor(0.35, "per_sample").contamination(0.5)
                           .detector(0.7, 0.2).watermark(0.3).curated(7)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_model_round_trip_runs_bit_for_bit(name):
    model = make(name)
    kw = CASES[name][1]
    policy = POLICIES["exact"]()
    expect = run(model, policy, **kw)
    for other in round_trips(model):
        assert_same_state(model, other)
        assert_same_frames(run(other, policy, **kw), expect)
        assert_same_frames(run(model, pickle.loads(pickle.dumps(policy)), **kw), expect)


@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n][2] is not None))
def test_a_changed_state_field_changes_the_run(name):
    # The comparison above can fail: a state that differs in one field runs differently.
    model = make(name)
    _, kw, index, value = CASES[name]
    changed = with_state(model, index, value)
    assert bits(changed.__getstate__()) != bits(model.__getstate__())
    with pytest.raises(AssertionError):
        assert_same_frames(run(changed, ck.Policy.replace(), **kw), run(model, ck.Policy.replace(), **kw))


@pytest.mark.parametrize("rule", sorted(POLICIES))
def test_policy_with_every_mitigation_round_trips(rule):
    policy = POLICIES[rule]()
    model = ck.GaussianModel()
    expect = run(model, policy, metrics=["variance", "w1"], provenance=True)
    for other in round_trips(policy):
        assert_same_state(policy, other)
        assert repr(other) == repr(policy) and other.human_fraction == policy.human_fraction
        assert_same_frames(run(model, other, metrics=["variance", "w1"], provenance=True), expect)
    # Every field of the state matters: change any one and the run (or the policy) differs.
    for index, value in enumerate(["accumulate" if rule == "exact" else "replace", 0.1,
                                   "per_sample" if rule == "exact" else "exact", 0.05, 0.3, 0.0, 0.9, 3], start=1):
        changed = with_state(policy, index, value)
        assert bits(changed.__getstate__()) != bits(policy.__getstate__())
        with pytest.raises(AssertionError):
            assert_same_frames(run(model, changed, metrics=["variance", "w1"], provenance=True), expect)


def test_properties_survive_the_round_trip():
    g = ck.GaussianModel(-3.25, 0.1 + 0.2, "mle")  # 0.30000000000000004: sd^2 kept exactly
    c = ck.CategoricalModel.zipf(17, 1.3, top_k=5)
    m = multivariate()
    lm = ck.NgramLanguageModel(50, order=4, max_length=9)
    for x in round_trips(g):
        assert (x.mean, x.variance, x.sd) == (g.mean, g.variance, g.sd)
    for x in round_trips(c):
        assert x.k == c.k and np.array_equal(x.probabilities, c.probabilities)
    for x in round_trips(m):
        assert x.dim == m.dim and (x.total_variance, x.log_det) == (m.total_variance, m.log_det)
        assert np.array_equal(x.mean, m.mean) and np.array_equal(x.covariance, m.covariance)
        # The Cholesky factor, rebuilt from the covariance, draws the same points.
        assert np.array_equal(x.sample(100, seed=4), m.sample(100, seed=4))
    for x in round_trips(lm):
        assert x.vocabulary == lm.vocabulary
    for p in POLICIES.values():
        assert all(repr(x) == repr(p()) for x in round_trips(p()))


def test_state_is_versioned_and_complete():
    assert ck.Policy.replace().human_floor(0.1, "per_sample").curated(4).__getstate__() == (
        1, "replace", 0.1, "per_sample", 0.0, 0.0, 0.0, 0.0, 4)
    assert ck.GaussianModel(2.0, 3.0, "unbiased").__getstate__() == (1, 2.0, 9.0, "unbiased")
    assert ck.KDEModel(0.5).__getstate__()[:3] == (1, "fixed", 0.5)
    assert ck.NgramLanguageModel(10, order=2, top_k=3).__getstate__() == (1, 10, 2, 0.0, 1.0, 3, 1.0, 256, 1)
    state = multivariate().__getstate__()
    assert state[0] == 1 and state[1].shape == (3,) and state[2].shape == (3, 3) and state[3] == "unbiased"
    # fit changed the mean and covariance: the state holds the fitted ones, not the constructor's.
    assert state[1][0] != 1.0
    w = ck.GaussianMixtureModel(10).__getstate__()
    assert np.array_equal(w[1], np.full(10, 0.1)) and w[4:] == (200, 1e-8, 1e-6)


def test_normalised_probabilities_come_back_exactly():
    # The constructors normalise their weights, and normalising probabilities again moves some
    # of them by an ulp (ten weights of 0.1 sum to 0.9999999999999999): the state must not.
    rng = np.random.default_rng(11)
    for model in [ck.GaussianMixtureModel(10), ck.GaussianMixtureModel(7), ck.CategoricalModel(10),
                  ck.CategoricalModel.zipf(5000, 1.07), ck.CategoricalModel(rng.random(2000))]:
        p = model.__getstate__()[1]
        assert not np.array_equal(p / np.cumsum(p)[-1], p)  # the naive rebuild would drift
        for x in round_trips(model):
            assert_same_state(model, x)
    edge = ck.CategoricalModel(np.array([0.0, 3.0, 0.0, 1e-300, 7.0]))
    for x in round_trips(edge):
        assert_same_state(edge, x)


@pytest.mark.parametrize("model, state, message", [
    (ck.GaussianModel(), [], "the state must be a tuple (got list)"),
    (ck.GaussianModel(), (1, 0.0, 1.0), "the state must be a tuple of 4 items (got 3)"),
    (ck.GaussianModel(), (2, 0.0, 1.0, "mle"), "unsupported state version 2"),
    (ck.GaussianModel(), (True, 0.0, 1.0, "mle"), "unsupported state version True"),
    (ck.GaussianModel(), (1, "0", 1.0, "mle"), "mean must be a real number (got str)"),
    (ck.GaussianModel(), (1, 0.0, -1.0, "mle"), "with_variance: variance must be non-negative and finite (got -1)"),
    (ck.GaussianModel(), (1, 0.0, 1.0, "median"), "estimator must be 'mle' or 'unbiased' (got 'median')"),
    (ck.GaussianModel(), (1, float("nan"), 1.0, "mle"), "invalid state (collapsekit.GaussianModel.with_variance: mean must be finite"),
    (ck.Policy.replace(), (1, "replace", 1.5, "exact", 0.0, 0.0, 0.0, 0.0, 0),
     "invalid state (collapsekit.Policy.human_floor: lambda"),
    (ck.Policy.replace(), (1, "keep", 0.1, "exact", 0.0, 0.0, 0.0, 0.0, 0), "regime must be 'replace' or 'accumulate'"),
    (ck.Policy.replace(), (1, "replace", 0.1, "exact", 0.0, 0.0, 0.0, 0.0, -1), "curated must be a non-negative integer"),
    (ck.Policy.replace(), (1, "replace", 0.1, "exact", 0.0, 0.0, 0.0, 0.0, 2.0), "curated must be a non-negative integer"),
    (ck.CategoricalModel(3), (1, np.array([0.5, 0.7]), 0.0, 1.0, 0, 1.0),
     "with_probabilities: probabilities must sum to 1 within 1e-9 (sum is 1.2)"),
    (ck.GaussianMixtureModel(2), (1, np.array([0.5, 0.6]), np.zeros(2), np.ones(2), 10, 0.0, 0.0),
     "with_parameters: weights must sum to 1 within 1e-9 (sum is 1.1"),
    (ck.CategoricalModel(3), (1, [0.5, 0.5], 0.0, 1.0, 0, 1.0), "probabilities must be a 1-D float64 array (got list)"),
    (ck.CategoricalModel(3), (1, np.array([0.5, 0.5]), 0.0, 0.0, 0, 1.0), "invalid state (collapsekit.CategoricalModel:"),
    (ck.GaussianMixtureModel(2), (1, np.array([0.5, 0.5]), np.zeros(3), np.ones(2), 10, 0.0, 0.0),
     "invalid state (collapsekit.GaussianMixtureModel: weights and means differ in length"),
    (ck.GaussianMixtureModel(2), (1, np.array([0.5, 0.5]), np.zeros(2), np.ones(2, np.float32), 10, 0.0, 0.0),
     "variances must be a 1-D float64 array (got float32 array of shape (2,))"),
    (ck.KDEModel(), (1, "scott", 0.5, np.zeros(0)), "the bandwidth does not follow from the rule and points"),
    (ck.KDEModel(), (1, "fixed", 0.0, np.zeros(0)), "invalid state (collapsekit.KDEModel: fixed_bandwidth"),
    (ck.KDEModel(), (1, "scott", 0.0, np.zeros((2, 2))), "points must be a 1-D float64 array"),
    (ck.MultivariateGaussianModel(2), (1, np.zeros(2), np.eye(3), "mle"), "covariance must be a (2, 2) float64 array"),
    (ck.MultivariateGaussianModel(2), (1, np.zeros(2), -np.eye(2), "mle"), "is not positive definite"),
    (ck.NgramLanguageModel(5), (1, 5, 9, 0.0, 1.0, 0, 1.0, 256, 1), "invalid state (collapsekit.NgramLanguageModel: order"),
])
def test_malformed_state_is_a_value_error(model, state, message):
    name = type(model).__name__
    with pytest.raises(ValueError, match=f"^collapsekit.{name}.__setstate__: ") as e:
        with_state_raw(model, state)
    assert message in str(e.value)
    # A well-formed state of the same class loads (the checks are not too strict).
    with_state_raw(model, model.__getstate__())


def with_state_raw(model, state):
    out = type(model).__new__(type(model))
    out.__setstate__(state)
    return out


def test_many_random_probabilities_round_trip():
    # The state restores the probabilities as they are (CategoricalModel.with_probabilities
    # in C++), never through the normalising constructor: any size comes back bit for bit.
    c = ck.CategoricalModel(np.random.default_rng(0).random(100_000))
    for x in round_trips(c):
        assert_same_state(c, x)
