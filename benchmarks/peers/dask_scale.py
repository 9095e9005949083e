"""collapsekit.dask at scale: 1 worker vs 2 workers, and against the single-process library.

    PYTHONPATH=build/<dir>/python /usr/bin/python3 benchmarks/peers/dask_scale.py \
        [--doubles 2e9] [--pair 5e8] [--tokens 1e9] [--fits 5e7] [--workers 1,2] [--json FILE]

Every sample is generated per block inside the workers (seeded by its block index), so
nothing of the full size exists anywhere: --doubles 2e9 is 16 GB of float64, more than a
worker's memory limit (--memory-limit, default 4 GB). For each worker count it times, on
a fresh LocalCluster of worker processes with one thread each:
  * histogram: collapsekit.dask.histogram of --doubles normal values, 1000 bins;
  * W1: exact collapsekit.dask.wasserstein between two samples of --pair values each
    (bracket-and-refine: several passes, each regenerating the blocks);
  * distinct-2: collapsekit.dask.distinct_n over --tokens uniform token ids (vocabulary
    1000) in documents of 1000 tokens;
and reports seconds, the speed-up of the largest worker count over one worker, and the
peak RSS of each worker. Then, on --fits values that fit in one process, the same three
measures by the single-process library (one thread, the data generated the same way and
held in memory) against the largest cluster. Block generation is part of every timing,
in the cluster and in the single process alike.

Not run by the test command (minutes on 2 cores); the figures are quoted in the README.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from typing import Any, Callable, Dict, List

import numpy as np

CHUNK = 10_000_000  # values per block (80 MB of float64)
DOC = 1000  # tokens per document
VOCAB = 1000


def normal_blocks(da: Any, n: int, shift: float, seed: int) -> Any:
    sizes = tuple(min(CHUNK, n - b) for b in range(0, n, CHUNK))

    def make(block_id=None):
        b = block_id[0]
        return np.random.default_rng([seed, b]).normal(shift, 1.0, sizes[b])

    return da.map_blocks(make, chunks=(sizes,), dtype=np.float64)


def token_documents(db: Any, n: int, seed: int) -> Any:
    per_part = CHUNK // DOC
    parts = -(-n // (per_part * DOC))

    def make(b: int) -> List[np.ndarray]:
        docs = min(per_part, (n - b * per_part * DOC) // DOC)
        ids = np.random.default_rng([seed, b]).integers(0, VOCAB, size=docs * DOC, dtype=np.int64)
        return list(ids.reshape(docs, DOC))

    return db.from_sequence(range(parts), npartitions=parts).map_partitions(lambda bs: [d for b in bs for d in make(b)])


def timed(f: Callable[[], Any]) -> tuple:
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def on_cluster(workers: int, memory_limit: str, args: argparse.Namespace) -> Dict[str, Any]:
    import dask.array as da
    import dask.bag as db
    import distributed

    import collapsekit.dask as ckd

    cluster = distributed.LocalCluster(
        n_workers=workers,
        processes=True,
        threads_per_worker=1,
        memory_limit=memory_limit,
        dashboard_address=":0",
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    try:
        n, pair, tokens = int(args.doubles), int(args.pair), int(args.tokens)
        out: Dict[str, Any] = {"workers": workers}
        th, h = timed(lambda: ckd.histogram(normal_blocks(da, n, 0.0, 1), 1000, range=(-10, 10)).compute())
        assert h.total == n
        out["histogram_s"] = th
        tw, w = timed(lambda: ckd.wasserstein(normal_blocks(da, pair, 0.0, 2), normal_blocks(da, pair, 0.02, 3)))
        assert w.exact
        out["w1_s"], out["w1"], out["w1_passes"] = tw, w.value, w.passes
        td, d = timed(lambda: ckd.distinct_n(token_documents(db, tokens, 4), 2).compute())
        out["distinct_s"], out["distinct_2"] = td, d
        rss = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        out["peak_rss_mib"] = sorted(round(v / 1024) for v in rss.values())
        return out
    finally:
        client.close()
        cluster.close()


def single_process(n: int) -> Dict[str, Any]:
    import collapsekit as ck

    out: Dict[str, Any] = {}

    def hist():
        h = ck.Histogram.regular(1000, -10, 10)
        for b in range(0, n, CHUNK):
            h.fill(np.random.default_rng([1, b // CHUNK]).normal(0.0, 1.0, min(CHUNK, n - b)), threads=1)
        return h

    out["histogram_s"] = timed(hist)[0]

    def w1():
        x = np.concatenate([np.random.default_rng([2, b // CHUNK]).normal(0.0, 1.0, min(CHUNK, n - b))
                            for b in range(0, n, CHUNK)])
        y = np.concatenate([np.random.default_rng([3, b // CHUNK]).normal(0.02, 1.0, min(CHUNK, n - b))
                            for b in range(0, n, CHUNK)])
        return ck.wasserstein(x, y)

    out["w1_s"], out["w1"] = timed(w1)

    def distinct():
        per_part = CHUNK // DOC
        docs = []
        for b in range(-(-n // (per_part * DOC))):
            k = min(per_part, (n - b * per_part * DOC) // DOC)
            ids = np.random.default_rng([4, b]).integers(0, VOCAB, size=k * DOC, dtype=np.int64)
            docs.extend(ids.reshape(k, DOC))
        return ck.distinct_n(docs, 2, threads=1)

    out["distinct_s"], out["distinct_2"] = timed(distinct)
    return out


def sorted_shard_quantiles(m: int) -> Dict[str, Any]:
    """dask.array.percentile vs collapsekit.dask.quantile on sorted shards (dask#3115)."""
    import dask
    import dask.array as da

    import collapsekit.dask as ckd

    values = np.sort(np.random.default_rng(5).normal(size=m))
    s = da.from_array(values, chunks=m // 20)
    qs = [1, 5, 25, 50, 75, 95, 99]
    with dask.config.set(scheduler="threads"):
        tp, approx = timed(lambda: da.percentile(s, qs).compute())
        tq, exact = timed(lambda: ckd.quantile(s, [q / 100 for q in qs]))
    assert np.array_equal(exact.value, np.quantile(values, [q / 100 for q in qs]))
    rank_error = float(np.max(np.abs(np.searchsorted(values, approx) / m - np.array(qs) / 100)))
    value_error = float(np.max(np.abs(approx - exact.value)))
    print(f"sorted shards, {m:.3g} values: dask.array.percentile {tp:.2f} s, max error {value_error:.3g} in value, "
          f"{rank_error:.3g} in rank; collapsekit.dask.quantile exact in {tq:.2f} s ({exact.passes} passes)")
    return {"n": m, "percentile_s": tp, "quantile_s": tq, "value_error": value_error, "rank_error": rank_error}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doubles", type=float, default=2e9, help="values in the histogram (default 2e9: 16 GB)")
    ap.add_argument("--pair", type=float, default=5e8, help="values in each W1 sample")
    ap.add_argument("--tokens", type=float, default=1e9, help="tokens for distinct-2")
    ap.add_argument("--fits", type=float, default=5e7, help="size for the single-process comparison")
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--memory-limit", default="4GB", help="per worker")
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()

    import dask

    import collapsekit as ck

    print(f"collapsekit {ck.__version__} (simd {ck.simd_arch()}); dask {dask.__version__}")
    counts = [int(w) for w in args.workers.split(",")]
    runs = []
    for w in counts:
        r = on_cluster(w, args.memory_limit, args)
        runs.append(r)
        print(
            f"{w} worker(s): histogram of {args.doubles:.3g} doubles {r['histogram_s']:.1f} s; exact W1 of "
            f"2 x {args.pair:.3g} {r['w1_s']:.1f} s ({r['w1_passes']} passes); distinct-2 of {args.tokens:.3g} "
            f"tokens {r['distinct_s']:.1f} s; peak RSS per worker {r['peak_rss_mib']} MiB",
            flush=True,
        )
    base, top = runs[0], runs[-1]
    for key, name in (("histogram_s", "histogram"), ("w1_s", "exact W1"), ("distinct_s", "distinct-2")):
        print(f"speed-up {top['workers']} workers / {base['workers']}: {name} {base[key] / top[key]:.2f}x")
    assert all(r["w1"] == base["w1"] and r["distinct_2"] == base["distinct_2"] for r in runs), "results differ"

    fits = int(args.fits)
    small = argparse.Namespace(doubles=fits, pair=fits, tokens=fits)
    cluster_small = on_cluster(counts[-1], args.memory_limit, small)
    local = single_process(fits)
    for key, name in (("histogram_s", "histogram"), ("w1_s", "W1"), ("distinct_s", "distinct-2")):
        print(
            f"{fits:.3g} values, single process {local[key]:.2f} s vs {counts[-1]} workers "
            f"{cluster_small[key]:.2f} s: ratio {local[key] / cluster_small[key]:.2f}x ({name})"
        )
    # Same data, same exact answers (W1 to the rounding of the two summation orders).
    assert cluster_small["distinct_2"] == local["distinct_2"]
    assert abs(cluster_small["w1"] - local["w1"]) <= 1e-9 * local["w1"]
    percentile = sorted_shard_quantiles(min(fits, 10_000_000))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"clusters": runs, "fits": {"n": fits, "cluster": cluster_small, "single": local},
                 "sorted_shards": percentile},
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
