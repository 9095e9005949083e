"""simulate(): the tidy DataFrame, determinism, the Gaussian collapse law, errors."""

import numpy as np
import pandas as pd
import pytest

import collapsekit as ck


def test_gaussian_collapse_table_and_law():
    m = 50
    df = ck.simulate(ck.GaussianModel(0.0, 1.0), ck.Policy.replace(), generations=20, samples=m, replicates=200,
                     seed=3, metrics=["variance", "w1", "tail_retention"], threads=2)
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["lineage", "replicate", "generation", "metric", "value"]
    assert set(df.metric) >= {"variance", "w1", "tail_retention", "w1_step"}
    assert df.replicate.nunique() == 200 and df.generation.max() == 19
    var = df[df.metric == "variance"].groupby("generation").value.mean()
    # E[var_t] = ((M - 1) / M)^(t + 1) for the MLE refit (generation 0 is fitted on human data).
    t = np.arange(20)
    expect = ((m - 1) / m) ** (t + 1)
    sd = df[df.metric == "variance"].groupby("generation").value.std() / np.sqrt(200)
    assert np.all(np.abs(var.values - expect) < 5 * sd.values + 1e-12)


def test_deterministic_and_thread_independent():
    kw = dict(generations=4, samples=100, replicates=3, seed=11, metrics=["mean", "w1"])
    a = ck.simulate(ck.GaussianModel(), ck.Policy.replace(), threads=1, **kw)
    b = ck.simulate(ck.GaussianModel(), ck.Policy.replace(), threads=2, **kw)
    pd.testing.assert_frame_equal(a, b)
    c = ck.simulate(ck.GaussianModel(), ck.Policy.replace(), threads=1, **{**kw, "seed": 12})
    assert not np.array_equal(a.value.values, c.value.values)


def test_human_floor_keeps_variance():
    kw = dict(generations=15, samples=40, replicates=100, seed=1, metrics=["variance"], threads=2)
    plain = ck.simulate(ck.GaussianModel(), ck.Policy.replace(), **kw)
    floor = ck.simulate(ck.GaussianModel(), ck.Policy.replace().human_floor(0.3), **kw)
    last = lambda d: d[d.generation == 14].value.mean()  # noqa: E731
    assert last(floor) > last(plain)


def test_categorical_text_and_provenance():
    cat = ck.CategoricalModel.zipf(50, 1.1)
    df, prov = ck.simulate(cat, ck.Policy.accumulate(), generations=3, samples=200, replicates=2, seed=5,
                           provenance=True)
    assert {"entropy", "support", "kl", "kl_step"} <= set(df.metric)
    assert list(prov.columns) == ["lineage", "replicate", "generation", "origin", "share"]
    docs, words = ck.tokenize(ck.builtin_text())
    lm = ck.NgramLanguageModel(len(words), order=2, top_k=5)
    t = ck.simulate(lm, ck.Policy.replace(), generations=3, samples=len(docs), replicates=1, seed=2,
                    metrics=["distinct_2", "entropy"], human=docs)
    assert set(t.metric) >= {"distinct_2", "entropy"}
    assert ck.detokenize(docs[0], words)


def test_simulate_errors():
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        ck.simulate(ck.GaussianModel(), metrics=["nope"], generations=1, samples=10)
    with pytest.raises(ValueError, match="collapsekit.simulate: generations must be at least 1"):
        ck.simulate(ck.GaussianModel(), generations=0, samples=10)
    with pytest.raises(ValueError, match="needs human documents"):
        ck.simulate(ck.NgramLanguageModel(10), generations=1, samples=10)
    with pytest.raises(TypeError):
        ck.simulate("gaussian", generations=1, samples=10)
    with pytest.raises(ValueError):
        ck.Policy.replace().human_floor(1.5)


def test_novelty_and_coverage_metrics():
    # A bigram model writes only bigrams of its training documents: nothing novel at n = 2
    # against them, and its coverage of them falls as the loop forgets (replace policy).
    docs, words = ck.tokenize(ck.builtin_text())
    lm = ck.NgramLanguageModel(len(words), order=2)
    t = ck.simulate(lm, ck.Policy.replace(), generations=4, samples=len(docs), replicates=3, seed=4,
                    metrics=["novelty_2", "coverage_1", "coverage_2"], human=docs, threads=1)
    assert {"novelty_2", "coverage_1", "coverage_2", "coverage_2_step"} <= set(t.metric)
    assert (t[t.metric == "novelty_2"].value == 0).all()
    cov = t[t.metric == "coverage_1"].groupby("generation").value.mean()
    assert ((cov > 0) & (cov <= 1)).all() and cov.iloc[-1] < cov.iloc[0]
    # Categories: the MLE refit can only lose categories, never invent one.
    c = ck.simulate(ck.CategoricalModel.zipf(40, 1.2), ck.Policy.replace(), generations=6, samples=100,
                    replicates=4, seed=1, metrics=["coverage", "novelty"], threads=1)
    assert (c[c.metric == "novelty"].value == 0).all()
    cc = c[c.metric == "coverage"].groupby("generation").value.mean()
    assert cc.iloc[-1] < cc.iloc[0] <= 1
    with pytest.raises(ValueError, match="unknown metric 'novelty_9'"):
        ck.simulate(lm, generations=1, samples=5, metrics=["novelty_9"], human=docs)


def test_first_replicate_runs_a_batch_of_a_whole_run():
    whole = ck.simulate(ck.GaussianModel(), generations=2, samples=50, replicates=6, seed=3, metrics=["variance", "w1"],
                        lineages=2)
    part = ck.simulate(ck.GaussianModel(), generations=2, samples=50, replicates=2, seed=3, metrics=["variance", "w1"],
                       lineages=2, first_replicate=3)
    expect = whole[whole["replicate"].isin([3, 4])].reset_index(drop=True)
    assert part.equals(expect)
