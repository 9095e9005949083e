"""The fixed findings of the bad-input matrix (docs/bad-input-matrix.md), through the bindings:
each test fails on the behaviour the matrix recorded before the fix."""

import math

import numpy as np
import pytest

import collapsekit as ck

# ---- float ids: whole values are ids, fractions / NaN / inf are errors, never truncated ----

BAD_IDS = [1.7, np.nan, np.inf, -np.inf, 5e-324]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_float_token_ids_are_refused_unless_whole(bad):
    with pytest.raises(ValueError, match=r"documents\[0\]\[1\] = .* is not a whole number"):
        ck.Corpus([np.array([1.0, bad, 3.0])])
    with pytest.raises(ValueError, match=r"is not a whole number"):
        ck.distinct_n([np.array([1.0, bad, 3.0])], 1)
    with pytest.raises(ValueError, match=r"ids\[1\] = .* is not a whole number"):
        ck.Corpus().add_document([2.0, bad])
    with pytest.raises(ValueError, match=r"ids\[1\] = .* is not a whole number"):
        ck.HyperLogLog(1).add_document([2.0, bad])
    with pytest.raises(ValueError, match=r"ids\[1\] = .* is not a whole number"):
        ck.NgramCounts([[1, 2]], 2).add_ngram([2.0, bad])
    acc = ck.EntropyAccumulator()
    with pytest.raises(ValueError, match=r"categories\[1\] = .* is not a whole number"):
        acc.add_observations([0.0, bad])
    assert acc.total == 0


def test_the_reported_truncation_is_gone_and_whole_floats_are_ids():
    with pytest.raises(ValueError, match=r"documents\[0\]\[0\] = 1\.7"):
        ck.Corpus([[1.7, 2.9]])
    c = ck.Corpus([np.array([1.0, 2.0, 3.0]), [4.0, 2.0]])
    assert c.tokens.tolist() == [1, 2, 3, 4, 2]
    assert ck.distinct_ngrams(c, 1) == ck.distinct_ngrams(ck.Corpus([[1, 2, 3], [4, 2]]), 1)
    acc = ck.EntropyAccumulator()
    acc.add_observations(np.array([0.0, 2.0, 2.0]))
    assert acc.counts.tolist() == [1, 0, 2]
    with pytest.raises(ValueError, match=r"offsets\[1\] = 1.5 is not a whole number"):
        ck.Corpus.from_arrays([1, 2, 3], [0.0, 1.5, 3.0])
    assert ck.Corpus.from_arrays([1, 2, 3], [0.0, 1.0, 3.0]).documents == 2


# ---- _counts messages name a and b ------------------------------------------------------


def test_counts_messages_name_the_python_arguments():
    with pytest.raises(ValueError, match=r"kl_divergence_counts: a is empty"):
        ck.kl_divergence_counts([], [])
    with pytest.raises(ValueError, match=r"a and b differ in length \(2 vs 1\)"):
        ck.js_divergence_counts([1, 2], [1])
    with pytest.raises(ValueError, match=r"b must hold non-negative finite counts \(b\[1\] = -1\)"):
        ck.hellinger_counts([1, 2], [1, -1])
    with pytest.raises(ValueError, match=r"kl_divergence: p is empty"):
        ck.kl_divergence([], [])


# ---- Histogram.regular / integer with a negative count --------------------------------------


def test_negative_bin_counts_are_a_value_error_naming_the_argument():
    with pytest.raises(ValueError, match=r"Histogram\.regular: bins must be at least 1 \(got -4\)"):
        ck.Histogram.regular(-4, -1.0, 1.0)
    with pytest.raises(ValueError, match=r"Histogram\.integer: k must be at least 1 \(got -2\)"):
        ck.Histogram.integer(-2)
    assert ck.Histogram.regular(4, -1.0, 1.0).fill([0.5]).total == 1


# ---- bootstrap nan_policy ---------------------------------------------------------------------


def test_bootstrap_nan_policy():
    x = np.array([1.0, np.nan, 3.0, 4.0, 10.0])
    clean = x[~np.isnan(x)]
    with pytest.raises(ValueError, match=r"NaN .*nan_policy='omit'"):
        ck.bootstrap((x,), np.mean, n_resamples=20)
    omitted = ck.bootstrap((x,), np.mean, n_resamples=20, nan_policy="omit")
    reference = ck.bootstrap((clean,), np.mean, n_resamples=20)
    assert omitted.estimate == 4.5
    assert (omitted.low, omitted.high) == (reference.low, reference.high)
    calls = []
    propagated = ck.bootstrap((x,), lambda s: calls.append(1) or 0.0, n_resamples=20, nan_policy="propagate")
    assert calls == []
    assert math.isnan(propagated.estimate) and math.isnan(propagated.low) and math.isnan(propagated.high)
    with pytest.raises(ValueError, match=r"nan_policy"):
        ck.bootstrap((clean,), np.mean, n_resamples=20, nan_policy="ignore")


# ---- empty corpora and MTLD's infinity --------------------------------------------------------


def test_distinct_ngrams_of_an_empty_corpus_raises_like_distinct_n():
    for f in (ck.distinct_ngrams, ck.distinct_n):
        with pytest.raises(ValueError, match=r"corpus is empty"):
            f([], 2)
    assert ck.distinct_ngrams([[1], [2]], 2) == 0  # documents, but none as long as n


def test_mtld_is_infinite_exactly_when_no_document_repeats_a_token():
    assert ck.mtld([[1, 2, 3], [3, 2, 1], [7]]) == math.inf
    finite = ck.mtld([[1, 2, 3], [3, 2, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 1]])
    assert finite == pytest.approx(16 / (0.1 / 0.28), rel=1e-12)


# ---- plug-in and the corrected estimators past a 2^64 total -----------------------------------


@pytest.mark.parametrize("estimator", ["plugin", "miller_madow", "grassberger", "chao_shen", "james_stein", "nsb"])
def test_count_estimators_take_uint64_totals_past_2_64(estimator):
    big = np.array([2**63, 2**62, 2**63], dtype=np.uint64)  # total 1.25 * 2^64
    small = np.array([2, 1, 2], dtype=np.uint64)
    got = ck.entropy_estimate(big, estimator).value
    assert math.isfinite(got)
    if estimator != "nsb":  # NSB's prior weighs the total
        assert got == pytest.approx(ck.entropy_estimate(small, "plugin").value, rel=1e-13)
    assert got == pytest.approx(ck.entropy_estimate(big.astype(np.float64), estimator).value, rel=1e-12)


# ---- distances over the whole double range ----------------------------------------------------


def _brute_kth(x, k):
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    return np.sort(d, axis=1)[:, k]  # column 0 is the point itself


@pytest.mark.parametrize("n", [20, 300])
def test_kth_neighbor_distances_of_huge_and_subnormal_points(n):
    x = np.random.default_rng(n).normal(size=(n, 2))
    base = ck.kth_neighbor_distances(x, k=2)
    np.testing.assert_allclose(base, _brute_kth(x, 2), rtol=1e-14)
    for e in (-1000, 1020):  # exact scaling: the same bits
        np.testing.assert_array_equal(ck.kth_neighbor_distances(np.ldexp(x, e), k=2), np.ldexp(base, e))
    huge = x / np.abs(x).max() * 1.7e308
    got = ck.kth_neighbor_distances(huge, k=2)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(np.ldexp(got, -1000), _brute_kth(np.ldexp(huge, -1000), 2), rtol=1e-14)
    tiny = x * 1e-310
    got = ck.kth_neighbor_distances(tiny, k=2)
    assert np.all(got > 0)
    np.testing.assert_allclose(np.ldexp(got, 1030), _brute_kth(np.ldexp(tiny, 1030), 2), rtol=1e-8)


def test_cdf_distances_and_energy_rows_near_dbl_max():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=40), rng.normal(size=30) + 0.5
    hu, hv = u / np.abs(u).max() * 1.7e308, v / np.abs(v).max() * 1.7e308
    r = ck.bootstrap_cdf_distances(hu, hv, n_resamples=20)
    assert r.wasserstein.estimate == pytest.approx(ck.wasserstein(hu, hv), rel=1e-12)
    assert r.energy.estimate == pytest.approx(ck.energy_distance(hu, hv), rel=1e-12)
    assert math.isfinite(r.wasserstein.high) and math.isfinite(r.energy.high)
    rows = ck.energy_rows_bootstrap(hu[:, None], hv[:, None], n_resamples=20)
    assert rows["estimate"] == pytest.approx(ck.energy_distance(hu, hv), rel=1e-12)
    tiny = ck.bootstrap_cdf_distances(u * 1e-310, v * 1e-310, n_resamples=20)
    assert tiny.wasserstein.estimate == pytest.approx(ck.wasserstein(u, v) * 1e-310, rel=1e-6)
