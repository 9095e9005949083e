"""Builds the report (a plain dict, the JSON document) from two datasets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np

from .. import _core, __version__
from . import measures
from .readers import Dataset, InputError

SCHEMA = "collapsekit.report/1"


@dataclass
class Options:
    n_resamples: int = 1000
    permutations: int = 1000
    level: float = 0.95
    seed: int = 0
    threads: int = 0
    distinct_draws: int = 200
    self_bleu_sample: int = 200
    lowercase: bool = False
    progress: Optional[bool] = None  # None: only on a terminal


class _Progress:
    """A tqdm bar on stderr (by default only when stderr is a terminal), counted in units
    of work: bootstrap replicates and permutations for numbers, stages for text."""

    def __init__(self, total: int, enabled: Optional[bool]):
        import sys

        self.bar = None
        self.base = 0  # units finished before the running call
        if enabled is None:
            enabled = sys.stderr.isatty()
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, desc="collapsekit report", unit="step", file=sys.stderr, leave=False)

    def step(self, what: str, units: int = 1) -> None:
        """`units` more finished, named `what`."""
        self.base += units
        if self.bar is not None:
            self.bar.set_postfix_str(what, refresh=False)
            self.bar.update(self.base - self.bar.n)

    def within(self, what: str):
        """A progress(done, total) function for a library call whose units follow `base`."""
        if self.bar is None:
            return None
        self.bar.set_postfix_str(what, refresh=False)

        def report(done: int, total: int) -> None:
            self.bar.update(self.base + done - self.bar.n)

        return report

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def tokenize(ds: Dataset, vocab, opts: Options):
    """The dataset's documents as a Corpus over the shared vocabulary."""
    tok = _core.Tokenizer(lowercase=opts.lowercase)
    return tok.encode_documents(ds.documents, vocab)


def _clean(x):
    """JSON-safe values: NaN -> None, +-inf -> "inf" / "-inf" strings."""
    if isinstance(x, float):
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.floating,)):
        return _clean(float(x))
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def build_report(reference: Dataset, other: Dataset, opts: Options,
                 thresholds: Dict[str, Optional[Tuple[float, float]]]) -> Tuple[dict, dict]:
    """(report, plots): the JSON document and the aggregates the HTML page draws."""
    if reference.kind != other.kind:
        raise InputError(f"{other.path}: holds {other.kind} but the reference {reference.path} holds "
                         f"{reference.kind} (use --type to say what both are)")
    sections: List[dict] = []
    plots: Dict[str, dict] = {}
    if reference.kind == "numbers":
        names = _match_columns(reference, other)
        with_rows = reference.matrix is not None and other.matrix is not None and \
            reference.matrix.shape[1] == other.matrix.shape[1] and len(names) >= 2
        per_column = opts.n_resamples + opts.permutations
        progress = _Progress(len(names) * per_column + (opts.n_resamples if with_rows else 0), opts.progress)
        try:
            for rname, oname in names:
                rows, agg = measures.numbers_column(reference.columns[rname], other.columns[oname], opts, thresholds,
                                                    progress=progress.within(rname))
                title = rname if rname == oname else f"{rname} vs {oname}"
                sections.append({"name": title, "kind": "numbers", "measures": rows,
                                 "bins": {"inner_edges": agg["edges"], "reference": agg["reference_bins"],
                                          "other": agg["other_bins"],
                                          "rule": "R's quantiles j/10 (linear), duplicates dropped; "
                                                  "x falls in bin #{edges <= x}"}})
                plots[title] = agg
                progress.step(title, per_column)
            if with_rows:
                sections.append({"name": "rows", "kind": "rows",
                                 "measures": measures.rows_matrix(reference.matrix, other.matrix, opts,
                                                                  progress=progress.within("rows"))})
                progress.step("rows", opts.n_resamples)
        finally:
            progress.close()
    else:
        progress = _Progress(2 + measures.TEXT_STAGES, opts.progress)
        try:
            vocab = _core.Vocabulary()
            if reference.profile is not None:
                from .profile import corpus_from_profile

                ref_corpus = corpus_from_profile(reference.profile, vocab)
            else:
                ref_corpus = tokenize(reference, vocab, opts)
            other_corpus = tokenize(other, vocab, opts)
            progress.step("tokenized")
            if ref_corpus.size == 0 or other_corpus.size == 0:
                empty = reference if ref_corpus.size == 0 else other
                raise InputError(f"{empty.path}: no tokens in any document")
            rows, agg = measures.text_measures(ref_corpus, other_corpus, vocab.size, opts, thresholds,
                                               step=progress.step)
            progress.step("measured")
            agg["over"] = [(vocab.token(i), lr, r, o) for i, lr, r, o in agg["over"]]
            agg["under"] = [(vocab.token(i), lr, r, o) for i, lr, r, o in agg["under"]]
            for key in ("over2", "under2"):
                agg[key] = [(vocab.token(a) + " " + vocab.token(b), lr, r, o) for (a, b), lr, r, o in agg[key]]
            sections.append({"name": "text", "kind": "text", "measures": rows})
            plots["text"] = agg
        finally:
            progress.close()
    counts = {"ok": 0, "warn": 0, "drift": 0, "info": 0}
    for s in sections:
        for r in s["measures"]:
            counts[r["status"]] += 1
    overall = "drift" if counts["drift"] else "warn" if counts["warn"] else "ok"
    report = {
        "schema": SCHEMA,
        "collapsekit_version": __version__,
        "inputs": {"reference": reference.describe(), "other": other.describe()},
        "type": reference.kind,
        "seed": opts.seed,
        "n_resamples": opts.n_resamples,
        "permutations": opts.permutations,
        "confidence_level": opts.level,
        "interval_method": ("two-sample bootstrap (each sample resampled independently, seeded); percentile "
                            "interval moved by the bootstrap bias estimate and clipped to the measure's range; "
                            "distinct-n: documents drawn without replacement; rows marked in 'note' otherwise"),
        "thresholds": {k: (list(v) if v is not None else None) for k, v in sorted(thresholds.items())},
        "sections": sections,
        "summary": {**counts, "status": overall},
    }
    return _clean(report), plots


def _match_columns(reference: Dataset, other: Dataset) -> List[Tuple[str, str]]:
    rn, on = list(reference.columns), list(other.columns)
    if len(rn) == 1 and len(on) == 1:
        return [(rn[0], on[0])]
    missing = [c for c in rn if c not in other.columns]
    if missing:
        raise InputError(f"{other.path}: lacks the reference's column(s) {', '.join(missing)} "
                         f"(it has {', '.join(on)}); choose with --column")
    return [(c, c) for c in rn]
