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
    with pytest.raises(ValueError, match="collapsekit.distinct_n: n must lie in 1..8"):
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


CORPUS_FUNCTIONS = [
    lambda c: ck.distinct_n(c, 2),
    lambda c: ck.distinct_n(c, 2, average="document"),
    lambda c: ck.distinct_ngrams(c, 3),
    lambda c: ck.type_token_ratio(c),
    lambda c: ck.repetition_rate(c, 2),
    lambda c: ck.mattr(c, 5),
    lambda c: ck.mtld(c),
    lambda c: ck.zipf_exponent(c).value,
    lambda c: ck.ngram_entropy(c, 2).value,
    lambda c: ck.NgramCounts(c, 2).serialize(),
    lambda c: ck.novelty(c, [[1, 2, 3]], 2).tokens,
    lambda c: ck.ngram_kl_divergence(c, c, 2),
]


@pytest.mark.parametrize("f", CORPUS_FUNCTIONS)
def test_one_token_array_is_one_document(f):
    tokens = np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4])
    expected = f(ck.Corpus([tokens]))
    assert f(tokens) == expected
    assert f(tokens.tolist()) == expected
    assert f(tokens.astype(np.uint32)) == expected
    assert f(tuple(int(t) for t in tokens)) == expected


def test_one_document_forms():
    tokens = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.uint32)
    c = ck.Corpus(tokens)
    assert (len(c), c.size) == (1, 8)
    assert ck.distinct_ngrams(tokens, 2) == 7
    h = ck.HyperLogLog(2)
    h.add(tokens)
    assert h.cardinality().value == pytest.approx(7, abs=0.5)
    # A 2-D array is one document per row; an empty list an empty corpus.
    rows = np.arange(12).reshape(3, 4)
    assert len(ck.Corpus(rows)) == 3 and ck.distinct_ngrams(rows, 2) == 9
    assert len(ck.Corpus([])) == 0
    with pytest.raises(ValueError, match=r"collapsekit.distinct_n: an array corpus must be 1-dimensional"):
        ck.distinct_n(np.array(5), 1)
    with pytest.raises(ValueError, match=r"collapsekit.Corpus: an array corpus .* \(got 3 dimensions\)"):
        ck.Corpus(np.zeros((2, 2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match=r"collapsekit.distinct_n: documents\[1\] must be 1-dimensional"):
        ck.distinct_n([np.arange(3), np.zeros((2, 2), dtype=np.int64)], 1)


@pytest.mark.parametrize(
    "dtype", [np.int64, np.uint64, np.int32, np.uint32, np.int16, np.uint16, np.int8, np.uint8, np.bool_]
)
def test_documents_of_every_integer_dtype(dtype, docs):
    small = [np.asarray(d % 100, dtype=dtype) if dtype is not np.bool_ else d % 2 == 1 for d in docs[:50]]
    as_int64 = [np.asarray(d, dtype=np.int64) for d in small]
    c = ck.Corpus(small)
    ref = ck.Corpus(as_int64)
    assert np.array_equal(c.tokens, ref.tokens) and np.array_equal(c.offsets, ref.offsets)
    # Strided and Fortran-ordered views are converted, with the same ids.
    strided = [np.asarray(d, dtype=np.int64).repeat(2)[::2] for d in small]
    assert np.array_equal(ck.Corpus(strided).tokens, ref.tokens)


def test_token_ids_out_of_range():
    with pytest.raises(ValueError, match=r"documents\[0\]\[0\] = -1"):
        ck.Corpus([np.array([-1, 2])])
    with pytest.raises(ValueError, match=r"ids\[2\] = 4294967296"):
        ck.Corpus().add_document(np.array([1, 2, 2**32], dtype=np.uint64))
    with pytest.raises(ValueError, match=r"ids\[0\] = -5"):
        ck.HyperLogLog(1).add_document([-5])
    with pytest.raises(ValueError, match=r"tokens\[1\] = -2"):
        ck.Corpus.from_arrays(np.array([1, -2]), [0, 2])
    assert ck.Corpus.from_arrays(np.array([7, 2**32 - 1], dtype=np.uint32), [0, 1, 2]).max_id == 2**32 - 1


def test_corpus_from_many_documents_is_linear():
    # 2e5 documents: a quadratic build (a reallocation per document) copies ~1e11 ids.
    import time

    docs = list(np.random.default_rng(3).integers(0, 1000, size=(200_000, 5)))
    start = time.perf_counter()
    c = ck.Corpus(docs)
    elapsed = time.perf_counter() - start
    assert (len(c), c.size) == (200_000, 1_000_000)
    assert elapsed < 10.0
    # A generator works too (read once).
    assert len(ck.Corpus(d for d in docs[:10])) == 10


def test_distinct_counts_do_not_depend_on_the_kept_workspace():
    # Past 1 MiB of hashes distinct counting reuses a per-thread workspace; freeing it
    # between calls changes the cost of the next call, never its answer.
    tokens = np.random.default_rng(8).integers(0, 60_000, size=400_000)
    first = ck.distinct_ngrams(tokens, 3, threads=1)
    assert ck.distinct_ngrams(tokens, 3, threads=1) == first
    ck.release_ngram_workspace()
    assert ck.distinct_ngrams(tokens, 3, threads=2) == first
    assert first == len(set(zip(tokens[:-2].tolist(), tokens[1:-1].tolist(), tokens[2:].tolist())))
