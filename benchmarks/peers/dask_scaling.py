"""collapsekit.dask against gathering + the single-process library, and against
dask.array.percentile (not run in CI).

    PYTHONPATH=build/<dir>/python /usr/bin/python3 benchmarks/peers/dask_scaling.py [--n 1e8] [--workers 2]

Data is generated per block inside the workers (seeded by block index), so nothing of
size n ever exists in the client. Prints, from one run:
  * exact W1 by bracket-and-refine (passes, seconds) vs gathering both samples and
    calling collapsekit.wasserstein (only when n is small enough to gather: --gather-max);
  * histogram (tree reduction) seconds and G values/s;
  * exact quantiles vs dask.array.percentile on sorted shards (dask#3115): the latter's
    error, in ranks and in value, against the exact answer;
  * peak memory per worker (RSS high-water mark).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e8, help="values per sample")
    ap.add_argument("--chunk", type=float, default=5e6, help="values per block")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--gather-max", type=float, default=2e7, help="largest n for the gather baseline")
    args = ap.parse_args()

    import dask
    import dask.array as da
    import distributed

    import collapsekit as ck
    import collapsekit.dask as ckd

    n, chunk = int(args.n), int(args.chunk)
    cluster = distributed.LocalCluster(
        n_workers=args.workers, processes=True, threads_per_worker=1, dashboard_address=":0", silence_logs=40
    )
    client = distributed.Client(cluster)
    print(f"collapsekit {ck.__version__} ({ck.build_info()}); dask {dask.__version__}; {args.workers} workers")

    def sample(shift: float, seed: int) -> "da.Array":
        blocks = -(-n // chunk)

        def make(block_id=None):
            b = block_id[0]
            size = min(chunk, n - b * chunk)
            return np.random.default_rng([seed, b]).normal(shift, 1.0, size)

        return da.map_blocks(make, chunks=((min(chunk, n - b * chunk) for b in range(blocks)),), dtype=np.float64)

    u, v = sample(0.0, 1), sample(0.02, 2)

    t = time.perf_counter()
    h = ckd.histogram(u, 1000, range=(-5, 5)).compute()
    th = time.perf_counter() - t
    print(f"histogram: {th:.2f} s, {n / th / 1e9:.3f} G values/s (generation included), total {h.total}")

    t = time.perf_counter()
    w = ckd.wasserstein(u, v, on_pass=lambda p, lo, hi: print(f"  W1 pass {p}: [{lo:.12g}, {hi:.12g}]"))
    tw = time.perf_counter() - t
    print(f"exact W1 (bracket-and-refine): {w.value!r} in {w.passes} passes, {tw:.2f} s")
    if n <= args.gather_max:
        t = time.perf_counter()
        x, y = dask.compute(u, v)
        local = ck.wasserstein(x, y)
        tg = time.perf_counter() - t
        print(f"gather + ck.wasserstein: {local!r}, {tg:.2f} s; ratio bracket/gather = {tw / tg:.2f}")
        print(f"  relative difference {abs(w.value - local) / local:.2e}")
    else:
        print("gather baseline skipped (n > --gather-max)")

    # dask#3115: percentile on sorted shards.
    m = min(n, 10_000_000)
    s = da.from_array(np.sort(np.random.default_rng(3).normal(size=m)), chunks=m // 20)
    qs = [1, 5, 25, 50, 75, 95, 99]
    t = time.perf_counter()
    approx = da.percentile(s, qs).compute()
    tp = time.perf_counter() - t
    t = time.perf_counter()
    exact = ckd.quantile(s, [q / 100 for q in qs])
    tq = time.perf_counter() - t
    ranks = np.searchsorted(np.sort(s.compute()), approx) / m - np.array(qs) / 100
    print(f"dask.array.percentile on sorted shards ({m} values): {tp:.2f} s; exact quantiles {tq:.2f} s "
          f"({exact.passes} passes)")
    print(f"  percentile value error max {np.max(np.abs(approx - exact.value)):.3g}, rank error max "
          f"{np.max(np.abs(ranks)):.3g}")

    mem = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print("peak RSS per worker (MiB):", {k: round(v / 1024) for k, v in mem.items()})
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
