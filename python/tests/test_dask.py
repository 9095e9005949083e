"""Accumulators as Dask results: shards filled in tasks, merged with +."""

import pickle

import numpy as np
import pytest

import collapsekit as ck

dask = pytest.importorskip("dask")


def _shard(seed):
    h = ck.Histogram.regular(32, -4, 4)
    h.fill(np.random.default_rng(seed).normal(size=5000))
    return pickle.loads(pickle.dumps(h))  # as if it had crossed a process boundary


def test_dask_tree_reduction_equals_one_fill():
    parts = [dask.delayed(_shard)(s) for s in range(6)]
    total = dask.delayed(sum)(parts[1:], parts[0])
    merged = total.compute(scheduler="threads")
    expect = ck.Histogram.regular(32, -4, 4)
    for s in range(6):
        expect.fill(np.random.default_rng(s).normal(size=5000))
    assert merged == expect
    counts = [dask.delayed(lambda d: ck.NgramCounts(ck.Corpus(d), 2))([np.arange(i, i + 10)]) for i in range(4)]
    table = dask.delayed(sum)(counts[1:], counts[0]).compute(scheduler="threads")
    assert table.total == 4 * 9
