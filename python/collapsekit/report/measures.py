"""The report's measures: calls into collapsekit._core and arranges the results as rows.

Every number in a row comes from the C++ library (sample_drift_bootstrap,
count_drift_bootstrap, unigram_permutation_test, budget_distinct, ks_2samp, self_bleu_drift_bootstrap,
sliced_wasserstein_bootstrap, energy_rows_bootstrap, histogram, quantile, tail_mass_curve);
this module only chooses arguments, names rows and applies the thresholds. The plot
aggregates (histograms, quantile grids, tail shares) come from the library too.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import numpy as np

from .. import _core

# Acceptable band [low, high] of each measure's value; None: shown, never flagged.
# A row is "warn" when its value lies outside the band and "drift" when its whole
# interval does (the interval clears the threshold), "ok" otherwise.
DEFAULT_THRESHOLDS: Dict[str, Optional[Tuple[float, float]]] = {
    # numbers
    "std_mean_diff": (-0.1, 0.1),  # (mean_O - mean_R) / sd_R
    "variance_ratio": (0.8, 1.25),  # var_O / var_R
    "ks": (0.0, 0.1),  # KS statistic
    "wasserstein_sd": (0.0, 0.1),  # W1 / sd_R (Evidently's normalised Wasserstein default)
    "kl": (0.0, 0.1),  # KL(R || O) on 10 reference-decile bins, nats
    "js": (0.0, 0.01),  # JS divergence on those bins, nats (= JS distance 0.1)
    "psi": (0.0, 0.1),  # population stability index on those bins (0.1: "minor shift")
    "entropy_diff": (-0.1, 0.1),  # entropy of O's bin shares minus R's, nats
    "retention": (0.5, 2.0),  # tail retention (O's share beyond R's alpha quantile / alpha)
    # text
    "unigram_kl": (0.0, 0.1),
    "unigram_js": (0.0, 0.05),
    "unigram_entropy_diff": (-0.2, 0.2),
    "distinct_diff": (-0.05, 0.05),  # distinct-n of O minus R at equal token budget
    "self_bleu_diff": (-0.05, 0.05),
    "novelty": (0.0, 0.05),
    "coverage": (0.9, 1.0),
    "missing_mass_diff": (-0.05, 0.05),
    "rare_survival": (0.5, 1.0),
    "doc_length_ks": (0.0, 0.1),
    "doc_length_wasserstein_sd": (0.0, 0.1),
}

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
TAIL_ALPHAS = (0.01, 0.05)
BINS = 10
ROWS_ENERGY_MAX = 1000  # rows per sample for the multivariate energy distance (O(rows^2) pairs)
ROWS_SLICED_MAX = 10000  # rows per sample for sliced W (a replicate costs O(projections x rows))
SLICED_PROJECTIONS = 100


def _f(x) -> Optional[float]:
    if x is None:
        return None
    x = float(x)
    return x


def status_of(value, low, high, band) -> str:
    if band is None:
        return "info"
    lo, hi = band
    if value is None or math.isnan(value):
        return "info"
    outside = value < lo or value > hi
    if not outside:
        return "ok"
    if low is not None and high is not None and not (math.isnan(low) or math.isnan(high)):
        if high < lo or low > hi:
            return "drift"
    return "warn"


def row(key, label, reference=None, other=None, interval=None, value=None, p_value=None, p_method=None,
        threshold_key=None, thresholds=None, note=None) -> dict:
    if interval is not None:
        value = interval["estimate"]
        low, high = interval["low"], interval["high"]
    else:
        low = high = None
    band = thresholds.get(threshold_key) if (thresholds is not None and threshold_key) else None
    return {
        "measure": key,
        "label": label,
        "reference": _f(reference),
        "other": _f(other),
        "value": _f(value),
        "low": _f(low),
        "high": _f(high),
        "p_value": _f(p_value),
        "p_method": p_method,
        "threshold": list(band) if band is not None else None,
        "status": status_of(_f(value), _f(low), _f(high), band),
        "note": note,
    }


def _label(p: float) -> str:
    return f"{p:g}"


# ---- numbers ----------------------------------------------------------------------


def numbers_column(ref: np.ndarray, other: np.ndarray, opts, thresholds, progress=None) -> Tuple[List[dict], dict]:
    """Rows for one numeric column and the aggregates its plots need; progress(done, total)
    after each bootstrap replicate and permutation."""
    d = _core.sample_drift_bootstrap(
        ref, other, n_resamples=opts.n_resamples, confidence_level=opts.level, seed=opts.seed,
        quantiles=list(QUANTILES), bins=BINS, smoothing=0.5, tail_alphas=list(TAIL_ALPHAS),
        permutations=opts.permutations, threads=opts.threads, progress=progress)
    s = d["statistics"]
    ks = _core.ks_2samp(ref, other, threads=opts.threads)
    perm = "permutation" if d["permutations"] else None
    rows = [
        row("n", "n", ref.size, other.size, value=other.size - ref.size),
        row("mean", "mean: (O - R) / sd_R", s["ref_mean"]["estimate"], s["other_mean"]["estimate"],
            s["std_mean_diff"], threshold_key="std_mean_diff", thresholds=thresholds),
        row("mean_diff", "mean: O - R", s["ref_mean"]["estimate"], s["other_mean"]["estimate"], s["mean_diff"]),
        row("sd_diff", "sd: O - R", s["ref_sd"]["estimate"], s["other_sd"]["estimate"], s["sd_diff"]),
        row("variance_ratio", "variance ratio O / R", None, None, s["variance_ratio"],
            threshold_key="variance_ratio", thresholds=thresholds),
    ]
    for q in QUANTILES:
        lab = _label(q)
        rows.append(row(f"q{lab}", f"quantile {lab}: O - R", s[f"ref_q{lab}"]["estimate"],
                        s[f"other_q{lab}"]["estimate"], s[f"q{lab}_diff"]))
    rows += [
        row("ks", "KS statistic", interval=s["ks"], p_value=d["p_ks"], p_method=perm,
            threshold_key="ks", thresholds=thresholds),
        row("ks_pvalue", f"KS p-value ({ks.method})", value=ks.pvalue, p_value=ks.pvalue, p_method=ks.method),
        row("wasserstein", "W1", interval=s["wasserstein"], p_value=d["p_wasserstein"], p_method=perm),
        row("wasserstein_sd", "W1 / sd_R", interval=s["wasserstein_sd"], p_value=d["p_wasserstein"],
            p_method=perm, threshold_key="wasserstein_sd", thresholds=thresholds),
        row("energy", "energy distance", interval=s["energy"], p_value=d["p_energy"], p_method=perm),
        row("kl", f"KL(R || O), {BINS} R-quantile bins", interval=s["kl"], threshold_key="kl",
            thresholds=thresholds),
        row("js", f"JS, {BINS} R-quantile bins", interval=s["js"], threshold_key="js", thresholds=thresholds),
        row("psi", f"PSI, {BINS} R-quantile bins", interval=s["psi"], threshold_key="psi", thresholds=thresholds),
        row("entropy", "entropy of bin shares (nats): O - R", s["ref_entropy"]["estimate"],
            s["other_entropy"]["estimate"], s["entropy_diff"], threshold_key="entropy_diff", thresholds=thresholds),
    ]
    for a in TAIL_ALPHAS:
        lab = _label(a)
        for side in ("left", "right"):
            rows.append(row(f"retention_{side}_{lab}", f"tail retention {side} {lab}",
                            interval=s[f"retention_{side}_{lab}"], threshold_key="retention",
                            thresholds=thresholds))
    plots = numbers_aggregates(ref, other, ks, opts.threads)
    plots["edges"] = d["edges"]
    plots["reference_bins"] = d["reference_bins"]
    plots["other_bins"] = d["other_bins"]
    return rows, plots


def numbers_aggregates(ref: np.ndarray, other: np.ndarray, ks, threads: int = 0) -> dict:
    """Fixed-size summaries for the plots (sizes independent of the input's), all from the
    library: histograms on common edges, quantile grids, tail shares."""
    lo_r, hi_r = _core.quantile(ref, [0.0, 1.0])
    lo_o, hi_o = _core.quantile(other, [0.0, 1.0])
    lo, hi = float(min(lo_r, lo_o)), float(max(hi_r, hi_o))
    if hi <= lo:
        hi = lo + 1.0
    hr, edges = _core.histogram(ref, bins=60, range=(lo, hi), threads=threads)
    ho, _ = _core.histogram(other, bins=60, range=(lo, hi), threads=threads)
    grid = np.linspace(0.0, 1.0, 401)
    qr = _core.quantile(ref, grid)
    qo = _core.quantile(other, grid)
    # log-survival tails: each sample's share beyond R's quantiles, spread over both tails
    # (alpha from 1/(2 max(n, m)), or 1e-6, up to 0.5)
    probs = np.logspace(math.log10(max(0.5 / max(ref.size, other.size), 1e-6)), math.log10(0.5), 60)
    right_t = _core.quantile(ref, 1.0 - probs)
    left_t = _core.quantile(ref, probs)

    def beyond(sample, side):
        return _core.tail_mass_curve(ref, sample, probs, side=side).tolist()

    return {
        "hist_edges": np.asarray(edges).tolist(),
        "hist_reference": np.asarray(hr).tolist(),
        "hist_other": np.asarray(ho).tolist(),
        "grid": grid.tolist(),
        "quantiles_reference": qr.tolist(),
        "quantiles_other": qo.tolist(),
        "ks_location": float(ks.statistic_location),
        "ks_statistic": float(ks.statistic),
        "tail_right_x": right_t.tolist(),
        "tail_right_reference": beyond(ref, "right"),
        "tail_right_other": beyond(other, "right"),
        "tail_left_x": left_t.tolist(),
        "tail_left_reference": beyond(ref, "left"),
        "tail_left_other": beyond(other, "left"),
    }


def rows_matrix(ref: np.ndarray, other: np.ndarray, opts, progress=None) -> List[dict]:
    """Rows of 2-D inputs compared as points: sliced W2 over random projections and the
    energy distance, each with a two-sample bootstrap interval over the rows."""
    sw = _core.sliced_wasserstein_bootstrap(ref, other, n_projections=SLICED_PROJECTIONS, p=2.0,
                                            n_resamples=opts.n_resamples, confidence_level=opts.level,
                                            seed=opts.seed, max_rows=ROWS_SLICED_MAX, threads=opts.threads,
                                            progress=progress)
    en = _core.energy_rows_bootstrap(ref, other, n_resamples=opts.n_resamples, confidence_level=opts.level,
                                     seed=opts.seed, max_rows=ROWS_ENERGY_MAX, threads=opts.threads)

    def used(r):
        sub = r["used_rows_x"] < ref.shape[0] or r["used_rows_y"] < other.shape[0]
        return " (seeded subsample)" if sub else "", \
            f"rows used: {r['used_rows_x']} and {r['used_rows_y']} (reference, other)"

    sw_sub, sw_note = used(sw)
    en_sub, en_note = used(en)
    return [
        row("sliced_wasserstein", f"sliced W2 on rows ({SLICED_PROJECTIONS} projections){sw_sub}",
            sw["used_rows_x"], sw["used_rows_y"], interval=sw, note=sw_note),
        row("energy_rows", f"energy distance on rows{en_sub}", en["used_rows_x"], en["used_rows_y"], interval=en,
            note=en_note),
    ]


# ---- text -------------------------------------------------------------------------


TEXT_STAGES = 5  # calls of text_measures' step(): one per stage below


def text_measures(ref_corpus, other_corpus, vocab_size: int, opts, thresholds,
                  step=lambda stage: None) -> Tuple[List[dict], dict]:
    """Rows for two tokenised corpora and the aggregates their plots need; step(stage) is
    called after each of the TEXT_STAGES stages (for a progress bar)."""
    rt = np.asarray(ref_corpus.tokens)
    ot = np.asarray(other_corpus.tokens)
    rc = word_counts(ref_corpus, vocab_size, opts)
    oc = word_counts(other_corpus, vocab_size, opts)
    s = _core.count_drift_bootstrap(rc, oc, n_resamples=opts.n_resamples, confidence_level=opts.level,
                                    seed=opts.seed, smoothing=0.5, rare_count=2.0, threads=opts.threads)
    perm_js, perm_method = None, None
    if opts.permutations > 0:
        pt = _core.unigram_permutation_test(rt, np.asarray(ref_corpus.offsets), ot, np.asarray(other_corpus.offsets),
                                            permutations=opts.permutations, seed=opts.seed, threads=opts.threads)
        perm_js, perm_method = pt["p_js"], "permutation of documents"
    rows = [
        row("documents", "documents", len(ref_corpus), len(other_corpus), value=len(other_corpus) - len(ref_corpus)),
        row("tokens", "tokens", rt.size, ot.size, value=ot.size - rt.size),
        row("vocabulary", "distinct words", int((rc > 0).sum()), int((oc > 0).sum()),
            value=int((oc > 0).sum()) - int((rc > 0).sum())),
        row("unigram_kl", "unigram KL(R || O), add-0.5", interval=s["kl"], threshold_key="unigram_kl",
            thresholds=thresholds),
        row("unigram_js", "unigram JS", interval=s["js"], p_value=perm_js, p_method=perm_method,
            threshold_key="unigram_js", thresholds=thresholds),
        row("unigram_entropy", "unigram entropy (nats): O - R", s["ref_entropy"]["estimate"],
            s["other_entropy"]["estimate"], s["entropy_diff"], threshold_key="unigram_entropy_diff",
            thresholds=thresholds),
    ]
    step("unigram bootstrap")
    # distinct-n at equal token budgets
    budget = max(1, min(rt.size, ot.size) // 2)
    budgets = sorted({max(1, budget // k) for k in (16, 8, 4, 2, 1)})
    draws = max(2, min(opts.n_resamples, opts.distinct_draws))
    bd = _core.budget_distinct(rt, np.asarray(ref_corpus.offsets), ot, np.asarray(other_corpus.offsets),
                               orders=[1, 2, 3, 4], budgets=budgets, draws=draws, confidence_level=opts.level,
                               seed=opts.seed, threads=opts.threads)
    last = len(budgets) - 1
    for k in range(4):
        rows.append(row(f"distinct_{k + 1}", f"distinct-{k + 1} at {budgets[last]} tokens: O - R",
                        bd["reference"][k][last]["estimate"], bd["other"][k][last]["estimate"],
                        bd["difference"][k][last], threshold_key="distinct_diff", thresholds=thresholds,
                        note=f"{draws} draws without replacement"))
    step("distinct-n at equal budgets")
    # self-BLEU, sampled
    sb = self_bleu_rows(ref_corpus, other_corpus, opts, thresholds)
    rows += sb
    step("self-BLEU")
    rows += [
        row("novelty", "novelty: O tokens of words unseen in R", interval=s["novelty"], threshold_key="novelty",
            thresholds=thresholds),
        row("coverage", "coverage: R tokens of words seen in O", interval=s["coverage"], threshold_key="coverage",
            thresholds=thresholds),
        row("missing_mass", "Good-Turing missing mass: O - R", s["ref_missing_mass"]["estimate"],
            s["other_missing_mass"]["estimate"], s["missing_mass_diff"], threshold_key="missing_mass_diff",
            thresholds=thresholds),
        row("rare_survival", "rare-word retention (R count <= 2 seen in O)", interval=s["rare_survival"],
            threshold_key="rare_survival", thresholds=thresholds),
        row("rare_mass_retention", "rare-word mass retention O / R", interval=s["rare_mass_retention"]),
    ]
    # document lengths
    lr = np.diff(np.asarray(ref_corpus.offsets)).astype(np.float64)
    lo = np.diff(np.asarray(other_corpus.offsets)).astype(np.float64)
    dl = _core.sample_drift_bootstrap(lr, lo, n_resamples=opts.n_resamples, confidence_level=opts.level,
                                      seed=opts.seed, permutations=opts.permutations, threads=opts.threads)
    ds = dl["statistics"]
    perm = "permutation" if dl["permutations"] else None
    rows += [
        row("doc_length_mean", "document length mean: O - R", ds["ref_mean"]["estimate"],
            ds["other_mean"]["estimate"], ds["mean_diff"]),
        row("doc_length_ks", "document length KS", interval=ds["ks"], p_value=dl["p_ks"], p_method=perm,
            threshold_key="doc_length_ks", thresholds=thresholds),
        row("doc_length_wasserstein", "document length W1", interval=ds["wasserstein"],
            p_value=dl["p_wasserstein"], p_method=perm),
        row("doc_length_wasserstein_sd", "document length W1 / sd_R", interval=ds["wasserstein_sd"],
            p_value=dl["p_wasserstein"], p_method=perm, threshold_key="doc_length_wasserstein_sd",
            thresholds=thresholds),
    ]
    step("document lengths")
    plots = text_aggregates(rc, oc, budgets, bd)
    plots["over2"], plots["under2"] = bigram_extremes(ref_corpus, other_corpus, opts)
    step("plot aggregates")
    return rows, plots


def word_counts(corpus, vocab_size: int, opts) -> np.ndarray:
    """Each word's count (the library's unigram counts), indexed by token id."""
    keys, counts = _core.NgramCounts(corpus, 1, threads=opts.threads).sorted()
    out = np.zeros(vocab_size)
    out[keys[:, 0]] = counts
    return out


def bigram_extremes(ref_corpus, other_corpus, opts, top: int = 15):
    """The bigrams most over- and under-represented in O (add-0.5 log share ratio), from
    NgramCounts of each side; only ranks for the plot."""
    ka, ca = _core.NgramCounts(ref_corpus, 2, threads=opts.threads).sorted()
    kb, cb = _core.NgramCounts(other_corpus, 2, threads=opts.threads).sorted()
    if ka.shape[0] == 0 or kb.shape[0] == 0:
        return [], []
    key_a = (ka[:, 0].astype(np.uint64) << np.uint64(32)) | ka[:, 1].astype(np.uint64)
    key_b = (kb[:, 0].astype(np.uint64) << np.uint64(32)) | kb[:, 1].astype(np.uint64)
    keys = np.union1d(key_a, key_b)
    ra = np.zeros(keys.size)
    rb = np.zeros(keys.size)
    ra[np.searchsorted(keys, key_a)] = ca
    rb[np.searchsorted(keys, key_b)] = cb
    p = (ra + 0.5) / (ra.sum() + 0.5 * keys.size)
    q = (rb + 0.5) / (rb.sum() + 0.5 * keys.size)
    lr = np.log(q / p)
    eligible = np.flatnonzero(ra + rb >= 5)
    if eligible.size == 0:
        eligible = np.arange(keys.size)
    over = eligible[np.lexsort((keys[eligible], -lr[eligible]))][:top]
    under = eligible[np.lexsort((keys[eligible], lr[eligible]))][:top]

    def item(i):
        k = int(keys[i])
        return ((k >> 32, k & 0xFFFFFFFF), float(lr[i]), float(ra[i]), float(rb[i]))

    return [item(i) for i in over], [item(i) for i in under]


def self_bleu_rows(ref_corpus, other_corpus, opts, thresholds) -> List[dict]:
    n_r, n_o = len(ref_corpus), len(other_corpus)
    size = min(opts.self_bleu_sample, n_r, n_o)
    if size < 2:
        return [row("self_bleu", "self-BLEU", note="needs at least 2 documents on each side")]
    try:
        d = _core.self_bleu_drift_bootstrap(ref_corpus, other_corpus, sample_size=size,
                                            n_resamples=opts.n_resamples, confidence_level=opts.level,
                                            seed=opts.seed, threads=opts.threads)
    except ValueError as e:  # fewer than `size` non-empty documents on a side
        return [row("self_bleu", "self-BLEU", note=str(e))]
    return [row("self_bleu", f"self-BLEU-4 ({size} sampled documents): O - R", d["reference"]["estimate"],
                d["other"]["estimate"], d["difference"], threshold_key="self_bleu_diff", thresholds=thresholds,
                note="interval: bootstrap over the sampled documents' BLEU scores")]


def text_aggregates(rc: np.ndarray, oc: np.ndarray, budgets, bd, top: int = 15) -> dict:
    def zipf(c):
        f = np.sort(c[c > 0])[::-1]
        ranks = np.unique(np.round(np.logspace(0, math.log10(f.size), 150)).astype(np.int64))
        return ranks.tolist(), (f[ranks - 1] / f.sum()).tolist()

    zr, zfr = zipf(rc)
    zo, zfo = zipf(oc)
    p = (rc + 0.5) / (rc.sum() + 0.5 * rc.size)
    q = (oc + 0.5) / (oc.sum() + 0.5 * oc.size)
    lr = np.log(q / p)
    eligible = np.flatnonzero(rc + oc >= 5)
    if eligible.size == 0:
        eligible = np.flatnonzero(rc + oc > 0)
    order = eligible[np.lexsort((eligible, -lr[eligible]))]
    over = order[:top].tolist()
    order_u = eligible[np.lexsort((eligible, lr[eligible]))]
    under = order_u[:top].tolist()
    return {
        "zipf_reference": [zr, zfr],
        "zipf_other": [zo, zfo],
        "budgets": list(budgets),
        "distinct": bd,
        "over": [(i, float(lr[i]), float(rc[i]), float(oc[i])) for i in over],
        "under": [(i, float(lr[i]), float(rc[i]), float(oc[i])) for i in under],
    }
