"""n-gram measures against plain-Python references; NgramCounts / HyperLogLog pickling."""

import collections
import multiprocessing as mp
import pickle

import numpy as np
import pytest

import collapsekit as ck


@pytest.fixture(scope="module")
def docs():
    rng = np.random.default_rng(12)
    return [np.minimum(rng.zipf(1.5, size=rng.integers(1, 30)), 300) for _ in range(400)]


def ref_ngrams(docs, n):
    c = collections.Counter()
    for d in docs:
        d = list(d)
        c.update(tuple(d[i : i + n]) for i in range(len(d) - n + 1))
    return c


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_distinct_n_matches_counter(docs, n):
    c = ref_ngrams(docs, n)
    corpus = ck.Corpus(docs)
    assert ck.distinct_n(corpus, n) == pytest.approx(len(c) / sum(c.values()), rel=1e-15)
    assert ck.distinct_n(docs, n) == ck.distinct_n(corpus, n)
    assert ck.distinct_ngrams(corpus, n) == len(c)
    t = ck.NgramCounts(corpus, n)
    assert (t.distinct, t.total) == (len(c), sum(c.values()))
    ids, counts = t.sorted()
    assert dict(zip(map(tuple, ids.tolist()), counts.tolist())) == dict(c)
    vals = np.array(list(c.values()))
    p = vals / vals.sum()
    assert ck.ngram_entropy(corpus, n).value == pytest.approx(-np.sum(p * np.log(p)), rel=1e-12)


def test_corpus_forms_and_errors(docs):
    corpus = ck.Corpus(docs)
    tokens = np.concatenate(docs)
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])])
    flat = ck.Corpus.from_arrays(tokens, offsets)
    assert ck.distinct_n(flat, 2) == ck.distinct_n(corpus, 2)
    assert len(corpus) == len(docs) and corpus.size == tokens.size
    assert pickle.loads(pickle.dumps(corpus)).size == corpus.size
    with pytest.raises(ValueError, match="collapsekit::distinct_n"):
        ck.distinct_n(corpus, 9)
    with pytest.raises(ValueError):
        ck.Corpus([np.array([-1, 2])])
    with pytest.raises(TypeError):
        ck.distinct_n(3, 2)


def test_novelty_self_bleu(docs):
    gen, ref = ck.Corpus(docs[:200]), ck.Corpus(docs[200:])
    r = ck.novelty(gen, ref, 2)
    g2, r2 = ref_ngrams(docs[:200], 2), ref_ngrams(docs[200:], 2)
    novel_types = sum(1 for k in g2 if k not in r2)
    novel_tokens = sum(v for k, v in g2.items() if k not in r2)
    assert r.types == pytest.approx(novel_types / len(g2), rel=1e-15)
    assert r.tokens == pytest.approx(novel_tokens / sum(g2.values()), rel=1e-15)
    sb = ck.self_bleu(gen)
    assert 0 <= sb <= 1
    per = ck.self_bleu_per_document(gen)
    assert per.shape == (200,) and sb == pytest.approx(per.mean(), rel=1e-12)
    assert ck.self_bleu_sampled(gen, 50, seed=1).n >= 1


def _count_shard(docs):
    return ck.NgramCounts(ck.Corpus(docs), 2)


def test_ngram_counts_and_hll_pickle_merge(docs):
    a = ck.NgramCounts(ck.Corpus(docs[:150]), 2)
    b = ck.NgramCounts(ck.Corpus(docs[150:]), 2)
    whole = ck.NgramCounts(ck.Corpus(docs), 2)
    assert pickle.loads(pickle.dumps(a)) == a
    assert a + b == whole
    a += b
    assert a == whole
    with mp.get_context("spawn").Pool(2) as pool:
        shards = pool.map(_count_shard, [docs[:100], docs[100:250], docs[250:]])
    merged = ck.NgramCounts(2)
    for s in shards:
        merged.merge(s)
    assert merged == whole
    h1, h2 = ck.HyperLogLog(2), ck.HyperLogLog(2)
    h1.add(ck.Corpus(docs[:200]))
    h2.add(ck.Corpus(docs[200:]))
    h = pickle.loads(pickle.dumps(h1)) + h2
    est = h.cardinality()
    assert est.value == pytest.approx(whole.distinct, rel=0.05)
    with pytest.raises(ValueError):
        h1 += ck.HyperLogLog(3)


def test_ngram_divergences_match_scipy(docs):
    import scipy.stats

    a, b = docs[:200], docs[200:]
    ca, cb = ref_ngrams(a, 2), ref_ngrams(b, 2)
    union = sorted(set(ca) | set(cb))
    va = np.array([ca.get(k, 0) for k in union], dtype=float)
    vb = np.array([cb.get(k, 0) for k in union], dtype=float)
    expect = scipy.stats.entropy(va + 0.5, vb + 0.5)
    assert ck.ngram_kl_divergence(a, b, 2, zero_support="jeffreys") == pytest.approx(expect, rel=1e-12)
    assert ck.ngram_kl_divergence(a, b, 2) == np.inf
    m = (va / va.sum() + vb / vb.sum()) / 2
    js = 0.5 * scipy.stats.entropy(va, m) + 0.5 * scipy.stats.entropy(vb, m)
    assert ck.ngram_js_divergence(a, b, 2, base=None) == pytest.approx(js, rel=1e-12)
    assert ck.ngram_entropy(a, 2, "miller_madow").value > ck.ngram_entropy(a, 2).value
