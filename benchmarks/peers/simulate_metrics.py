"""Cost of each built-in drift metric in Python ``simulate`` (issue 16's setting).

A Gaussian model, 100 samples per generation, the default 10 000-value human reference,
one thread, one metric at a time. Two figures per metric, per generation and replicate:
  - the run's CPU time with that metric alone (what issue 16 measured: variance 21 us,
    tail_retention 42, w1 111, kl 529, ks 5853 before the issue), and its ratio to the
    run with ``variance`` (the issue asks for at most 3x);
  - the metric's own share: that time minus the run with no metric, and its ratio to
    variance's share (the stricter view: variance itself costs about a microsecond).
A drift metric's cost includes its ``<name>_step`` comparison with the previous generation,
which the driver always reports beside it.

Run with the module on PYTHONPATH (or from the test venv):
    python3 benchmarks/peers/simulate_metrics.py [--generations 200] [--replicates 200]
Each figure is the best of --repeat runs (CPU time of this process).
"""

import argparse
import time

import collapsekit as ck


def cpu_seconds(metrics, generations, replicates, repeat):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        ck.simulate(ck.GaussianModel(), generations=generations, samples=100, replicates=replicates,
                    seed=1, metrics=metrics, threads=1)
        best = min(best, time.process_time() - t0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generations", type=int, default=200)
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    steps = a.generations * a.replicates
    base = cpu_seconds([], a.generations, a.replicates, a.repeat)
    total = {}
    for m in ["variance", "tail_retention", "w1", "kl", "ks"]:
        total[m] = cpu_seconds([m], a.generations, a.replicates, a.repeat) / steps * 1e6
    own = {m: t - base / steps * 1e6 for m, t in total.items()}
    print(f"collapsekit {ck.__version__}, SIMD {ck.simd_arch()}; Gaussian, 100 samples per generation, "
          f"10 000-value reference, one thread; {a.generations} generations x {a.replicates} replicates, "
          f"best of {a.repeat}")
    print(f"loop without metrics: {base / steps * 1e6:.2f} us per generation and replicate")
    print(f"{'metric':16} {'run us/gen':>11} {'x variance':>11} {'own us/gen':>11} {'x variance':>11}")
    for m in total:
        print(f"{m:16} {total[m]:11.2f} {total[m] / total['variance']:10.2f}x "
              f"{own[m]:11.2f} {own[m] / own['variance']:10.2f}x")
    print("target (issue 16): every built-in metric within 3x of variance")


if __name__ == "__main__":
    main()
