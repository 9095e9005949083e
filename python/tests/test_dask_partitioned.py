"""collapsekit.dask on a real distributed.LocalCluster with 2 worker processes: every
object is pickled and the extension is imported in other processes."""

import math
import pickle
import threading

import numpy as np
import pytest

import collapsekit as ck

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")
ckd = pytest.importorskip("collapsekit.dask")

SPLITS = (2, 3, 8)


@pytest.fixture(scope="session")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", silence_logs=40
    )
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def random_chunks(rng, n, max_parts=7):
    """A random chunking of n values, sometimes with empty chunks."""
    k = int(rng.integers(1, max_parts + 1))
    cuts = np.sort(rng.integers(0, n + 1, size=k - 1))
    sizes = np.diff(np.concatenate([[0], cuts, [n]]))
    return tuple(int(s) for s in sizes)


def as_dask(x, rng):
    return da.from_array(x, chunks=(random_chunks(rng, len(x)),))


# ---------------------------------------------------------------- accumulator reductions


@pytest.mark.parametrize("split", SPLITS)
def test_histogram_equals_local_for_any_chunking(client, split):
    rng = np.random.default_rng(split)
    x = rng.normal(size=3000)
    x[::97] = 9.0  # overflow
    local = ck.Histogram.regular(40, -3, 3)
    local.fill(x)
    for _ in range(3):
        got = ckd.histogram(as_dask(x, rng), 40, range=(-3, 3), split_every=split).compute()
        assert got == local
    edges = np.array([-1.0, 0.0, 0.5, 2.0])
    local2 = ck.Histogram.with_edges(edges)
    local2.fill(x)
    assert ckd.histogram(as_dask(x, rng), edges, split_every=split).compute() == local2


def test_histogram_of_dataframe_column_and_2d_array(client):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(5)
    x = rng.normal(size=2000)
    frame = dd.from_pandas(pd.DataFrame({"v": x}), npartitions=5)
    local = ck.Histogram.regular(16, -2, 2)
    local.fill(x)
    assert ckd.histogram(frame["v"], local.empty_like(), split_every=3).compute() == local
    x2 = da.from_array(x.reshape(40, 50), chunks=(7, 13))
    assert ckd.histogram(x2, local.empty_like()).compute() == local
    with pytest.raises(TypeError, match="one column"):
        ckd.histogram(frame, local.empty_like())
    with pytest.raises(ValueError, match="split_every"):
        ckd.histogram(x2, local.empty_like(), split_every=1)


@pytest.mark.parametrize("split", SPLITS)
def test_entropy_and_count_divergences(client, split):
    rng = np.random.default_rng(11 + split)
    p = rng.zipf(1.5, size=2500) % 50
    q = rng.zipf(1.3, size=1700) % 60
    acc = ck.EntropyAccumulator()
    acc.add_observations(p)
    got = ckd.entropy(as_dask(p, rng), split_every=split).compute()
    assert got.value == acc.entropy().value
    assert ckd.category_counts(as_dask(p, rng), split_every=split).compute() == acc
    k = 60
    cp, cq = np.bincount(p, minlength=k), np.bincount(q, minlength=k)
    for name in ("js_divergence", "hellinger", "total_variation"):
        expect = getattr(ck, name + "_counts")(cp, cq)
        assert ckd.count_divergence(as_dask(p, rng), as_dask(q, rng), name, split_every=split).compute() == expect
    with pytest.raises(ValueError, match="measure"):
        ckd.count_divergence(p, q, "nope")


@pytest.mark.parametrize("split", SPLITS)
def test_ngrams_distinct_n_and_hyperloglog(client, split):
    rng = np.random.default_rng(3 + split)
    docs = [rng.integers(0, 40, size=int(rng.integers(0, 30))) for _ in range(120)]
    bag = db.from_sequence(docs, npartitions=int(rng.integers(1, 9)))
    local = ck.NgramCounts(docs, 2)
    assert ckd.ngram_counts(bag, 2, split_every=split).compute() == local
    assert ckd.distinct_n(bag, 2, split_every=split).compute() == ck.distinct_n(docs, 2)
    hll = ck.HyperLogLog(2, 12)
    hll.add(docs)
    assert ckd.distinct_count(bag, 2, 12, sketch=True, split_every=split).compute() == hll
    assert ckd.distinct_count(bag, 2, 12, split_every=split).compute().value == hll.cardinality().value


@pytest.mark.parametrize("split", SPLITS)
def test_tail_mass_equals_local(client, split):
    rng = np.random.default_rng(21 + split)
    ref = rng.normal(size=2000)
    gen = rng.standard_t(3, size=1500)
    for side in ("left", "right", "both"):
        expect = ck.tail_mass(ref, gen, 0.05, side)
        assert ckd.tail_mass(ref, as_dask(gen, rng), 0.05, side, split_every=split).compute() == expect
    gen_nan = gen.copy()
    gen_nan[7] = np.nan
    assert ckd.tail_mass(ref, as_dask(gen_nan, rng), nan_policy="omit").compute() == ck.tail_mass(
        ref, gen_nan, nan_policy="omit"
    )
    assert math.isnan(ckd.tail_mass(ref, as_dask(gen_nan, rng), nan_policy="propagate").compute())
    with pytest.raises(ValueError):
        ckd.tail_mass(ref, as_dask(gen_nan, rng)).compute()


# ---------------------------------------------------------------- exact CDF measures


def adversarial_pairs(rng):
    yield "normal", rng.normal(size=1500), rng.normal(0.2, 1.3, size=1100)
    yield "sorted shards", np.sort(rng.normal(size=1500)), np.sort(rng.normal(0.1, 1, size=900))
    ties_x = np.round(rng.normal(size=1200) * 3) / 3
    ties_y = np.round(rng.normal(0.3, 1, size=800) * 3) / 3
    yield "heavy ties", ties_x, ties_y
    yield "one value", np.full(300, 1.5), np.full(200, -0.5)
    yield "same sample", ties_x, ties_x.copy()
    yield "wide range", rng.normal(size=800) * 1e6, rng.exponential(size=700) * 1e-6


# Each split_every with a different gather limit (refine to the last pass, gather mid-way,
# gather at once), plus the slowest pairing again: every value of both, and 4 of the 9
# combinations (each costs several seconds of graph round trips).
@pytest.mark.parametrize("split, gather_limit", [(2, 0), (3, 300), (8, 1 << 20), (8, 0)])
def test_exact_cdf_measures_over_random_chunkings(client, split, gather_limit):
    rng = np.random.default_rng(split * 7 + gather_limit % 97)
    for name, x, y in adversarial_pairs(rng):
        u, v = as_dask(x, rng), as_dask(y, rng)
        exact = ck.wasserstein(x, y)
        w = ckd.wasserstein(u, v, split_every=split, gather_limit=gather_limit)
        assert w.exact, name
        assert w.passes <= 5
        assert w.value == pytest.approx(exact, rel=1e-12, abs=1e-300), name
        for lo, hi in w.history:  # certified at every pass
            assert lo <= exact * (1 + 1e-12) and hi >= exact * (1 - 1e-12), name
        k = ckd.ks_2samp(u, v, split_every=split, gather_limit=gather_limit)
        assert k.value == ck.ks_2samp(x, y).statistic, name
        for lo, hi in k.history:
            assert lo <= k.value <= hi
        q = [0.0, 0.01, 0.5, 0.75, 1.0]
        r = ckd.quantile(u, q, split_every=split, gather_limit=gather_limit)
        np.testing.assert_array_equal(r.value, ck.quantile(x, q))
        np.testing.assert_array_equal(r.value, np.quantile(x, q))
        assert ckd.quantile(u, 0.3, method="inverted_cdf", gather_limit=gather_limit).value == ck.quantile(
            x, 0.3, method="inverted_cdf"
        )


def test_energy_distance_exact_and_bounded(client):
    rng = np.random.default_rng(4)
    for name, x, y in adversarial_pairs(rng):
        e = ckd.energy_distance(as_dask(x, rng), as_dask(y, rng), gather_limit=200)
        exact = ck.energy_distance(x, y)
        assert e.exact and e.value == pytest.approx(exact, rel=1e-12, abs=1e-300), name
        for lo, hi in e.history:
            assert lo <= exact * (1 + 1e-12) and hi >= exact * (1 - 1e-12), name


def test_exactness_against_rational_arithmetic(client):
    from fractions import Fraction

    rng = np.random.default_rng(9)
    x = np.round(rng.normal(size=60), 3)
    y = np.round(rng.normal(0.5, 1, size=45), 3)
    pts = np.unique(np.concatenate([x, y]))
    total = Fraction(0)
    for a, b in zip(pts[:-1], pts[1:]):
        f = Fraction(int(np.sum(x <= a)), len(x)) - Fraction(int(np.sum(y <= a)), len(y))
        total += abs(f) * (Fraction(float(b)) - Fraction(float(a)))
    w = ckd.wasserstein(as_dask(x, rng), as_dask(y, rng), gather_limit=0)
    assert abs(Fraction(w.value) - total) <= Fraction(math.ulp(float(total)))


def test_tol_stops_early_with_certified_bounds(client):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=4000), rng.normal(0.05, 1, size=4000)
    exact = ck.wasserstein(x, y)
    w = ckd.wasserstein(as_dask(x, rng), as_dask(y, rng), tol=0.02, gather_limit=0)
    assert w.upper - w.lower <= 0.02
    assert w.lower <= exact <= w.upper
    assert w.passes == 1 and not w.exact


def test_nan_and_inf_policies(client):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=500), rng.normal(size=400)
    xn = x.copy()
    xn[10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ckd.wasserstein(as_dask(xn, rng), as_dask(y, rng))
    assert math.isnan(ckd.wasserstein(as_dask(xn, rng), as_dask(y, rng), nan_policy="propagate").value)
    omit = ckd.wasserstein(as_dask(xn, rng), as_dask(y, rng), nan_policy="omit")
    assert omit.value == pytest.approx(ck.wasserstein(xn, y, nan_policy="omit"), rel=1e-12)
    xi = x.copy()
    xi[3] = np.inf
    with pytest.raises(ValueError, match="finite"):
        ckd.ks_2samp(as_dask(xi, rng), as_dask(y, rng))
    with pytest.raises(ValueError, match="empty"):
        ckd.wasserstein(da.from_array(np.empty(0), chunks=1), as_dask(y, rng))
    with pytest.raises(ValueError, match="q"):
        ckd.quantile(as_dask(x, rng), 1.5)


# ---------------------------------------------------------------- simulate, pickling, sizeof


def test_simulate_on_cluster_equals_local(client):
    local = ck.simulate(ck.GaussianModel(), generations=3, samples=200, replicates=5, seed=42)
    remote = ckd.simulate(
        lambda: ck.GaussianModel(), generations=3, samples=200, replicates=5, seed=42, replicates_per_task=2
    )
    assert remote.equals(local)
    # Two lineages with a drift metric (rows of each lineage and of the pair), provenance too.
    kw = dict(generations=2, samples=100, replicates=5, seed=7, metrics=["variance", "w1"], lineages=2)
    local, local_prov = ck.simulate(ck.GaussianModel(), provenance=True, **kw)
    remote, remote_prov = ckd.simulate(lambda: ck.GaussianModel(), provenance=True, replicates_per_task=2, **kw)
    assert remote.equals(local) and remote_prov.equals(local_prov)
    assert len(set(local["lineage"])) == 3  # two lineages and their pair
    with pytest.raises(ValueError, match="replicates"):
        ckd.simulate(lambda: ck.GaussianModel(), replicates=0)
    with pytest.raises(TypeError, match="callable"):
        ckd.simulate(threading.Lock(), replicates=2)


def test_simulate_ships_models_and_policies_themselves(client):
    # Models and policies pickle their whole state (test_feedback_pickle.py): the worker
    # processes run the objects themselves, bit for bit as the local call.
    policy = ck.Policy.accumulate().human_floor(0.2, "per_sample").contamination(0.1).detector(0.9, 0.05)
    for model, kw in [
        (ck.CategoricalModel.zipf(50, 1.1, temperature=0.9), dict(metrics=["entropy", "support", "rare_survival"])),
        (ck.GaussianModel(0.5, 2.0, "unbiased"), dict(metrics=["variance", "w1"])),
        (ck.GaussianMixtureModel(3), dict(human=np.random.default_rng(3).normal(size=400), metrics=["mean", "spread", "w1"])),
    ]:
        args = dict(generations=3, samples=120, replicates=5, seed=11, **kw)
        remote = ckd.simulate(model, policy, replicates_per_task=2, **args)
        assert remote.equals(ck.simulate(model, policy, **args))


def test_cell_histogram_pickles_out_of_band_and_sizeof():
    from dask.sizeof import sizeof

    h = ck.CellHistogram(0, np.array([0], dtype=np.uint64))
    h.fill(np.random.default_rng(1).normal(size=1000), 0)
    buffers = []
    data = pickle.dumps(h, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1 and len(data) < 200
    assert pickle.loads(data, buffers=buffers) == h
    assert pickle.loads(pickle.dumps(h, protocol=4)) == h
    assert sizeof(h) >= h.cells * 40
    # The accumulators' sizes come from their shapes (never from serialising them), within
    # a small factor of the bytes they ship.
    for acc in accumulators() + [ck.Histogram.regular(10, 0, 1)]:
        shipped = len(acc.serialize())
        assert shipped / 2 <= sizeof(acc) <= 4 * shipped + 512, type(acc).__name__


def accumulators():
    rng = np.random.default_rng(8)
    h = ck.Histogram.regular(500, -4, 4)
    h.fill(rng.normal(size=5000))
    e = ck.EntropyAccumulator(300)
    e.add_observations(rng.integers(0, 300, size=4000))
    docs = [rng.integers(0, 50, size=40) for _ in range(30)]
    hll = ck.HyperLogLog(2, 12)
    hll.add(docs)
    return [h, e, ck.NgramCounts(docs, 2), hll]


@pytest.mark.parametrize("index", range(4))
def test_accumulators_pickle_out_of_band(index):
    """Under protocol 5 (Dask's transport) the state travels as one out-of-band buffer,
    the pickle itself stays small; older protocols and the bytes of serialize() still load."""
    acc = accumulators()[index]
    buffers = []
    data = pickle.dumps(acc, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1 and len(data) < 300, (type(acc).__name__, len(buffers), len(data))
    assert memoryview(buffers[0]).nbytes == len(acc.serialize())
    assert pickle.loads(data, buffers=buffers) == acc
    assert pickle.loads(pickle.dumps(acc, protocol=2)) == acc
    raw = acc.serialize()
    strided = np.zeros(2 * len(raw), dtype=np.uint8)
    strided[::2] = np.frombuffer(raw, dtype=np.uint8)
    reversed_view = np.frombuffer(raw, dtype=np.uint8)[::-1].copy()[::-1]  # negative stride
    for form in (raw, memoryview(raw), np.frombuffer(raw, dtype=np.uint8), strided[::2], reversed_view):
        assert type(acc).deserialize(form) == acc
    with pytest.raises(ValueError):
        type(acc).deserialize(raw[:-1])
    t = ck.TailCounter(-1.0, 1.0)
    t.fill(np.array([-2.0, 0.0, 3.0]))
    t2 = pickle.loads(pickle.dumps(t))
    assert (t2.below, t2.above, t2.total) == (1, 1, 3)


# ---------------------------------------------------------------- faults (last: it kills a worker)


def test_worker_killed_mid_computation_gives_the_same_answer(client):
    """A worker process killed (SIGKILL) while it runs fill tasks: the scheduler reruns its
    tasks, and the lost results they fed, elsewhere; the answer is the undisturbed one.
    (Fills and merges are pure and merges build new objects, so a rerun cannot count twice.)"""
    import os
    import signal
    import time

    rng = np.random.default_rng(12)
    x = rng.normal(size=24_000)
    expected = ck.Histogram.regular(40, -4, 4)
    expected.fill(x)

    def slow(block):  # a closure: pickled by value, so workers need not import this file
        time.sleep(0.25)
        return block

    data = da.from_array(x, chunks=1000).map_blocks(slow, dtype=np.float64)
    before = client.run(os.getpid)
    future = client.compute(ckd.histogram(data, 40, range=(-4, 4), split_every=3))
    deadline = time.monotonic() + 30
    victim = None
    while victim is None and time.monotonic() < deadline:
        busy = {w: tasks for w, tasks in client.processing().items() if tasks}
        if len(busy) == len(before):  # both workers are running fills
            victim = next(iter(busy))
        time.sleep(0.05)
    assert victim is not None, "the fills never ran on both workers"
    os.kill(before[victim], signal.SIGKILL)
    got = future.result(timeout=120)
    assert got == expected
    assert got.total == len(x)
    # The nanny restarted the killed worker (a new process); wait so later users get two.
    client.wait_for_workers(len(before), timeout=60)
    assert before[victim] not in client.run(os.getpid).values()
