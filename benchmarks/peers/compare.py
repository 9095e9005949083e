#!/usr/bin/env python3
"""collapsekit's Python bindings against numpy / scipy / POT / collections.Counter.

One process, the same arrays for every contender; each timing is the best of --repeat
runs (after one warm-up call). collapsekit runs with its default threads=0 (every core
for inputs that pay), the peers as they come (one thread). Prints the table with speed-up
ratios (peer wall time / collapsekit wall time) and the targets, and writes the figures,
with the CPU times, as JSON. --threads N passes threads=N to every collapsekit call that
takes it (1: the one-thread comparison).

    /usr/bin/python3 benchmarks/peers/compare.py [--quick] [--json out.json]

Run it with the interpreter that has numpy, scipy and POT (Debian's /usr/bin/python3)
and collapsekit importable (e.g. .venv/bin/python after scripts/test_python.sh).
"""

import argparse
import collections
import json
import os
import platform
import sys
import time

import numpy as np
import scipy
import scipy.spatial.distance
import scipy.stats

import collapsekit as ck

try:
    import ot
except ImportError:  # POT is optional for the rest of the table
    ot = None


def best_time(f, repeat):
    """Best wall time and best CPU time (process_time) of repeat calls, after a warm-up.

    collapsekit may use several threads, so the ratios use wall time (the time a user
    waits); the CPU time is printed and written beside it."""
    f()  # warm-up (first-touch of pages, lazy imports)
    wall = cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        f()
        c1, w1 = time.process_time(), time.perf_counter()
        wall, cpu = min(wall, w1 - w0), min(cpu, c1 - c0)
    return wall, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats (a smoke test)")
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--json", default="peers.json", help="where to write the results (default: ./peers.json)")
    ap.add_argument("--threads", type=int, default=0, help="threads= for collapsekit (default 0: all that pay)")
    args = ap.parse_args()
    th = {"threads": args.threads}
    repeat = args.repeat or (2 if args.quick else 5)
    n_vec = 10**5 if args.quick else 10**7  # histogram, entropy, KL, JS
    n_w1 = 10**5 if args.quick else 10**6  # W1: n vs n samples
    n_tok = 10**5 if args.quick else 2 * 10**6  # distinct-n tokens

    rng = np.random.default_rng(2024)
    x = rng.normal(size=n_vec)
    pk = rng.random(n_vec) + 1e-3
    qk = rng.random(n_vec) + 1e-3
    p, q = pk / pk.sum(), qk / qk.sum()
    u, v = rng.normal(size=n_w1), rng.normal(0.3, 1.2, size=n_w1)
    doc_len = 20
    tokens = np.minimum(rng.zipf(1.3, size=n_tok), 50_000).astype(np.int64)
    docs = [tokens[i : i + doc_len] for i in range(0, n_tok, doc_len)]
    corpus = ck.Corpus(docs)
    docs_py = [d.tolist() for d in docs]

    def counter_distinct(n):
        c = collections.Counter()
        for d in docs_py:
            c.update(zip(*(d[i:] for i in range(n))))
        return len(c) / sum(c.values())

    rows = []

    def compare(name, target, ours, peer, peer_name, check=None):
        a, b = ours(), peer()
        if check is not None:
            check(a, b)
        (w_ours, c_ours), (w_peer, c_peer) = best_time(ours, repeat), best_time(peer, repeat)
        ratio = w_peer / w_ours
        rows.append(
            {
                "measure": name,
                "peer": peer_name,
                "collapsekit_s": c_ours,
                "peer_s": c_peer,
                "collapsekit_wall_s": w_ours,
                "peer_wall_s": w_peer,
                "speedup": ratio,
                "speedup_cpu": c_peer / c_ours,
                "target": target,
                "met": None if target is None else ratio >= target,
            }
        )

    def close(rel):
        def check(a, b):
            a, b = float(np.asarray(a).ravel()[0]) if np.ndim(a) else float(a), float(b)
            assert abs(a - b) <= rel * max(abs(b), 1e-300), (a, b)

        return check

    def same_hist(a, b):
        np.testing.assert_array_equal(a[0], b[0])

    compare(
        f"histogram 100 bins, range given, n={n_vec:.0e}",
        20,
        lambda: ck.histogram(x, 100, range=(-5.0, 5.0), **th),
        lambda: np.histogram(x, 100, range=(-5.0, 5.0)),
        "numpy.histogram",
        same_hist,
    )
    compare(
        f"histogram 100 bins, range from data, n={n_vec:.0e}",
        None,
        lambda: ck.histogram(x, 100, **th),
        lambda: np.histogram(x, 100),
        "numpy.histogram",
        same_hist,
    )
    counts = rng.multinomial(10 * n_vec, np.full(n_vec, 1.0 / n_vec))
    compare(
        f"entropy(p) (normalised input) n={n_vec:.0e}",
        15,
        lambda: ck.entropy(p, **th),
        lambda: scipy.stats.entropy(p),
        "scipy.stats.entropy",
        close(1e-9),
    )
    compare(
        f"entropy(counts) int64 counts n={n_vec:.0e}",
        15,
        lambda: ck.entropy(counts, **th),
        lambda: scipy.stats.entropy(counts),
        "scipy.stats.entropy",
        close(1e-9),
    )
    compare(
        f"entropy(pk) (unnormalised weights) n={n_vec:.0e}",
        15,
        lambda: ck.entropy(pk, **th),
        lambda: scipy.stats.entropy(pk),
        "scipy.stats.entropy",
        close(1e-9),
    )
    compare(
        f"KL: entropy(pk, qk) n={n_vec:.0e}",
        15,
        lambda: ck.entropy(pk, qk, **th),
        lambda: scipy.stats.entropy(pk, qk),
        "scipy.stats.entropy",
        close(1e-6),
    )
    compare(
        f"KL: kl_divergence(p, q) (normalised input) n={n_vec:.0e}",
        15,
        lambda: ck.kl_divergence(p, q, **th),
        lambda: scipy.stats.entropy(p, q),
        "scipy.stats.entropy",
        close(1e-6),
    )
    compare(
        f"JS distance n={n_vec:.0e}",
        15,
        lambda: ck.js_distance_counts(pk, qk, **th),
        lambda: scipy.spatial.distance.jensenshannon(pk, qk),
        "scipy.spatial.distance.jensenshannon",
        close(1e-6),
    )
    compare(
        f"W1 {n_w1:.0e} vs {n_w1:.0e}",
        10,
        lambda: ck.wasserstein(u, v, **th),
        lambda: scipy.stats.wasserstein_distance(u, v),
        "scipy.stats.wasserstein_distance",
        close(1e-9),
    )
    if ot is not None:
        compare(
            f"W1 {n_w1:.0e} vs {n_w1:.0e}",
            None,
            lambda: ck.wasserstein(u, v, **th),
            lambda: ot.wasserstein_1d(u, v, p=1),
            "ot.wasserstein_1d (POT)",
            close(1e-9),
        )
    compare(
        f"distinct-2, {n_tok:.0e} tokens in {len(docs)} documents",
        None,
        lambda: ck.distinct_n(corpus, 2, **th),
        lambda: counter_distinct(2),
        "collections.Counter",
        close(1e-12),
    )
    compare(
        f"distinct-3, {n_tok:.0e} Zipf tokens in {len(docs)} documents",
        50,
        lambda: ck.distinct_n(corpus, 3, **th),
        lambda: counter_distinct(3),
        "collections.Counter",
        close(1e-12),
    )

    width = max(len(r["measure"]) for r in rows)
    pw = max(len(r["peer"]) for r in rows)
    print(f"collapsekit {ck.__version__} (SIMD: {ck.simd_arch()}), numpy {np.__version__}, scipy {scipy.__version__}"
          + (f", POT {ot.__version__}" if ot is not None else "") + f", {os.cpu_count()} CPUs, best of {repeat}")
    print(f"collapsekit threads={args.threads} ({'all cores that pay' if args.threads == 0 else 'at most that many'});"
          " peers on one thread")
    print("times: best wall time (CPU time in brackets); speed-up = peer wall time / collapsekit wall time")
    print(f"{'measure':<{width}}  {'peer':<{pw}}  {'collapsekit':>22}  {'peer':>22}  {'speed-up':>9}  target")
    for r in rows:
        tgt = "" if r["target"] is None else f">= {r['target']}x " + ("met" if r["met"] else "MISSED")
        ours = f"{r['collapsekit_wall_s'] * 1e3:.3f} ({r['collapsekit_s'] * 1e3:.3f}) ms"
        peer = f"{r['peer_wall_s'] * 1e3:.3f} ({r['peer_s'] * 1e3:.3f}) ms"
        print(f"{r['measure']:<{width}}  {r['peer']:<{pw}}  {ours:>22}  {peer:>22}  {r['speedup']:8.1f}x  {tgt}")
    result = {
        "collapsekit": ck.__version__,
        "simd_arch": ck.simd_arch(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "pot": None if ot is None else ot.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeat": repeat,
        "threads": args.threads,
        "build_info": ck.build_info(),
        "quick": args.quick,
        "rows": rows,
    }
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
