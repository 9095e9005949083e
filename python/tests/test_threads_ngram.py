"""threads= on the n-gram and k-nearest-neighbour bindings: every thread count gives the
same answer (compared with ==, bit for bit), equal to the default; threads < 0 is a
ValueError."""

import numpy as np
import pytest

import collapsekit as ck

THREADS = [1, 2, 3, 8]


def zipf_docs(lengths, vocabulary, seed):
    rng = np.random.default_rng(seed)
    return [np.minimum(rng.zipf(1.3, size=n), vocabulary) for n in lengths]


@pytest.fixture(scope="module")
def corpora():
    rng = np.random.default_rng(3)
    return {
        "awkward": ck.Corpus(zipf_docs([0, 1, 0, 2, 1, 0, 3, 5], 50, 1)),
        "short documents": ck.Corpus(zipf_docs(rng.integers(0, 9, size=4000), 2000, 2)),
        "long document": ck.Corpus(zipf_docs([70000], 50000, 4)),
        "large": ck.Corpus(zipf_docs([1000] * 400, 100000, 5)),
    }


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_distinct_and_repetition(corpora, n):
    for name, c in corpora.items():
        if c.ngram_total(n) == 0:
            assert ck.distinct_ngrams(c, n, threads=2) == 0
            continue
        base = ck.distinct_ngrams(c, n)
        for t in THREADS:
            assert ck.distinct_ngrams(c, n, threads=t) == base, (name, t)
        for average in ["corpus", "document"]:
            ref = ck.distinct_n(c, n, average=average)
            assert all(ck.distinct_n(c, n, average=average, threads=t) == ref for t in THREADS), (name, average)
        ref = ck.repetition_rate(c, n)
        assert all(ck.repetition_rate(c, n, threads=t) == ref for t in THREADS), name


@pytest.mark.parametrize("n", [1, 3])
def test_ngram_counts_and_hyperloglog(corpora, n):
    for name, c in corpora.items():
        ref = ck.NgramCounts(c, n)
        values = ref.count_values()
        for t in THREADS:
            table = ck.NgramCounts(c, n, threads=t)
            assert table == ref, (name, t)
            # count_values() comes in table order: the same order for every thread count.
            assert np.array_equal(table.count_values(), values), (name, t)
            added = ck.NgramCounts(n)
            added.add(c, threads=t)
            assert added == ref
        h = ck.HyperLogLog(n, 12)
        h.add(c)
        for t in THREADS:
            g = ck.HyperLogLog(n, 12)
            g.add(c, threads=t)
            assert g == h, (name, t)


@pytest.mark.parametrize("dim,n", [(1, 7), (1, 5000), (3, 2), (3, 20000), (12, 800)])
def test_knn_paths(dim, n):
    rng = np.random.default_rng(dim * 1000 + n)
    x = rng.normal(size=(n, dim))
    y = rng.normal(size=(n // 2 + 2, dim))
    k = 1 if n < 5 else 3
    d = ck.kth_neighbor_distances(x, k=k)
    dq = ck.kth_neighbor_distances(x, queries=y, k=k)
    for t in THREADS:
        assert np.array_equal(ck.kth_neighbor_distances(x, k=k, threads=t), d)
        assert np.array_equal(ck.kth_neighbor_distances(x, queries=y, k=k, threads=t), dq)
    if n > 2:
        e = ck.differential_entropy_knn(x, k=k)
        kl = ck.kl_divergence_knn(x, y, k=k)
        for t in THREADS:
            f = ck.differential_entropy_knn(x, k=k, threads=t)
            assert (f.value, f.standard_error, f.n) == (e.value, e.standard_error, e.n)
            assert ck.kl_divergence_knn(x, y, k=k, threads=t) == kl


def test_negative_threads_is_a_value_error(corpora):
    c = corpora["awkward"]
    x = np.random.default_rng(1).normal(size=(50, 2))
    calls = [
        lambda: ck.distinct_n(c, 1, threads=-1),
        lambda: ck.distinct_ngrams(c, 1, threads=-1),
        lambda: ck.repetition_rate(c, 1, threads=-1),
        lambda: ck.NgramCounts(c, 2, threads=-1),
        lambda: ck.NgramCounts(2).add(c, threads=-1),
        lambda: ck.HyperLogLog(2).add(c, threads=-1),
        lambda: ck.kth_neighbor_distances(x, threads=-1),
        lambda: ck.differential_entropy_knn(x, threads=-1),
        lambda: ck.kl_divergence_knn(x, x + 0.5, threads=-1),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="threads"):
            call()
