"""collapsekit: measuring distribution drift and model collapse from numpy.

Every function is a binding of the header-only C++17 library (``collapsekit._core``):
arrays are passed without a copy when they are C-contiguous float64, float32 or integer
arrays (anything else is converted), the GIL is released while computing, and errors
arrive as ``ValueError`` / ``TypeError`` carrying the C++ message.
"""

from . import _core
from ._core import *  # noqa: F401,F403
from ._core import (  # noqa: F401
    CategoricalModel,
    GaussianMixtureModel,
    GaussianModel,
    KDEModel,
    NgramLanguageModel,
    Policy,
    __version__,
    build_info,
    simd_arch,
)

_DEFAULT_METRICS = {
    GaussianModel: ("mean", "spread", "variance", "w1", "tail_retention"),
    GaussianMixtureModel: ("mean", "spread", "w1", "ks", "tail_retention"),
    KDEModel: ("mean", "spread", "w1", "ks", "tail_retention"),
    CategoricalModel: ("entropy", "support", "kl"),
    NgramLanguageModel: ("distinct_1", "distinct_2", "entropy"),
}


def _progress_reporter(progress, total):
    """(callback for _core._simulate or None, function to call when the run ends)."""
    if progress is None or progress is False:
        return None, lambda: None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return _plain_progress(total)
        bar = tqdm(total=total, desc="simulate", unit="gen")

        def update(done, total_now):
            if bar.total != total_now:
                bar.total = total_now
            bar.update(done - bar.n)

        return update, bar.close
    if callable(progress):
        return progress, lambda: None
    raise TypeError(
        "collapsekit.simulate: progress must be True, False or a callable progress(done, total) "
        f"(got {type(progress).__name__})"
    )


def _plain_progress(total):
    """Without tqdm: a line on stderr per tenth of the run."""
    import sys

    last = [-1]

    def update(done, total_now):
        tenth = 10 * done // max(total_now, 1)
        if tenth != last[0]:
            last[0] = tenth
            print(f"simulate: {done}/{total_now} generations", file=sys.stderr, flush=True)

    return update, lambda: None


def simulate(
    model,
    policy=None,
    generations=10,
    samples=1000,
    replicates=1,
    seed=0,
    metrics=None,
    *,
    human=None,
    lineages=1,
    initial_samples=0,
    reference_samples=0,
    threads=0,
    provenance=False,
    progress=False,
    first_replicate=0,
):
    """Run the generation-feedback loop (fit -> sample -> mix by policy -> refit).

    model: a GaussianModel, GaussianMixtureModel, KDEModel, MultivariateGaussianModel,
    CategoricalModel or NgramLanguageModel (its configuration; each replicate refits its
    own copy). The library names no metrics for MultivariateGaussianModel yet: pass
    metrics=() and provenance=True (or use its fit / sample directly).
    policy: a Policy (default Policy.replace(), the classic collapse loop).
    generations: model fits per lineage; samples: outputs per generation (an int, or a
    list with one size per generation); replicates: independent repetitions, replicate r
    of lineage l drawing from ck::rng::for_stream(seed, (l << 32) | r), so the table does
    not depend on threads. first_replicate: number of the first replicate (replicates
    first_replicate .. first_replicate + replicates - 1 run, each exactly as in one run of
    all of them): a run split into batches gives the same rows (collapsekit.dask.simulate).
    metrics: metric names (see README.md, "Python bindings"; e.g. 'variance', 'w1', 'tail_retention',
    'entropy', 'distinct_2'). Drift metrics also appear as '<name>_step' (against the
    previous generation) and, with several lineages, '<name>_between'.
    human: where fresh human data comes from: None (Gaussian and categorical models: the
    model as configured is the true distribution), a GaussianModel /
    MultivariateGaussianModel / CategoricalModel to sample from, an array of samples ((n, d)
    for the multivariate model), or for the n-gram model a Corpus / list of token-id arrays
    (required).

    progress: False (default) for none; True for a tqdm progress bar (tqdm.auto: a widget
    in notebooks, a text bar on stderr elsewhere; plain lines on stderr without tqdm); or
    a callable progress(done, total), where done counts completed generations summed over
    the replicates (total = generations x replicates) and rises by one each call. The
    callable runs on the calling thread; an exception it raises stops the run and
    propagates. Ctrl-C (KeyboardInterrupt) stops a run too, progress or not.

    Returns a tidy pandas DataFrame with columns lineage, replicate, generation, metric,
    value; with provenance=True, also the provenance table (lineage, replicate,
    generation, origin, share) as a second DataFrame.
    """
    import pandas as pd

    if policy is None:
        policy = Policy.replace()
    if metrics is None:
        metrics = _DEFAULT_METRICS.get(type(model), ())
    elif isinstance(metrics, str):
        metrics = (metrics,)
    if not isinstance(samples, int):
        samples = [int(s) for s in samples]
    callback, close = _progress_reporter(progress, int(generations) * int(replicates))
    try:
        table, prov = _core._simulate(
            model,
            policy,
            int(generations),
            samples,
            int(replicates),
            int(seed),
            list(metrics),
            human,
            int(lineages),
            int(initial_samples),
            int(reference_samples),
            int(threads),
            callback,
            int(first_replicate),
        )
    finally:
        close()
    frame = pd.DataFrame(table, columns=["lineage", "replicate", "generation", "metric", "value"])
    if provenance:
        return frame, pd.DataFrame(prov, columns=["lineage", "replicate", "generation", "origin", "share"])
    return frame


__all__ = sorted({name for name in dir(_core) if not name.startswith("_")} | {"simulate", "__version__"})
