"""Property tests (Hypothesis) of the entropy and discrete-divergence bindings.

Against references: scipy.stats.entropy (with base, and with qk), scipy.special.rel_entr,
scipy.spatial.distance.jensenshannon, a 50-digit mpmath evaluation where scipy's own
rounding would hide ours. Invariants: permutation and scale invariance of entropy, KL(p, p)
= 0, symmetry and the triangle inequality of the metrics (JS distance, Hellinger, total
variation), documented ranges, the zero-support policies, the NaN policies and the
documented errors, layout/dtype invariance and thread invariance.

Profiles and example counts: see test_properties_common.py (HYPOTHESIS_PROFILE=long).
"""

import math
import os
import sys

import numpy as np
import pytest
import scipy.special
import scipy.stats
from hypothesis import assume, example, given
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_properties_common import (  # noqa: E402
    EPS,
    EPS32,
    assert_close,
    bits_equal,
    TINY,
    count_vectors,
    examples,
    finite_floats,
    layouts,
    normalisable,
    probability_vectors,
    weight_vectors,
    with_layout,
)

import collapsekit as ck  # noqa: E402

mpmath = pytest.importorskip("mpmath")

BASES = st.sampled_from([None, 2.0, 10.0, math.e, 0.5, 3.7])


def ln_base(base):
    """log of the base: the divisor that turns nats into that unit (negative for base < 1,
    which scipy and collapsekit both accept: every information measure changes sign)."""
    return 1.0 if base is None else math.log(base)


def unit(base):
    """|ln base|, the scale of an absolute tolerance in that unit."""
    return abs(ln_base(base))


# ---------------------------------------------------------------------------------------
# Exact references (50 significant digits; every double converts to mpf exactly).


def exact_entropy(x):
    with mpmath.workdps(50):
        xs = [mpmath.mpf(float(v)) for v in x]
        s = mpmath.fsum(xs)
        return float(-mpmath.fsum(v / s * mpmath.log(v / s) for v in xs if v > 0))


def normalised_pair(p, q):
    """p and q as mpmath probability vectors (call inside mpmath.workdps)."""
    ps = [mpmath.mpf(float(v)) for v in p]
    qs = [mpmath.mpf(float(v)) for v in q]
    sp, sq = mpmath.fsum(ps), mpmath.fsum(qs)
    return [a / sp for a in ps], [b / sq for b in qs]


def exact_kl(p, q):
    """KL of the normalised vectors (p > 0 = q gives inf)."""
    with mpmath.workdps(50):
        total = mpmath.mpf(0)
        for a, b in zip(*normalised_pair(p, q)):
            if a == 0:
                continue
            if b == 0:
                return math.inf
            total += a * mpmath.log(a / b)
        return float(total)


def exact_js(p, q):
    with mpmath.workdps(50):
        total = mpmath.mpf(0)
        for a, b in zip(*normalised_pair(p, q)):
            m = (a + b) / 2
            if a > 0:
                total += a * mpmath.log(a / m) / 2
            if b > 0:
                total += b * mpmath.log(b / m) / 2
        return float(total)


# ---------------------------------------------------------------------------------------
# Entropy.


@examples(60)
@given(w=st.one_of(weight_vectors(1, 30), weight_vectors(1, 30, width=32)), base=BASES, layout=layouts)
def test_entropy_matches_exact_value_and_scipy(w, base, layout):
    """ck.entropy(pk, base) is -sum p log p of pk / sum(pk) (scipy.stats.entropy's definition),
    for float64 and float32 weights in any layout, zeros, subnormals, tiny and huge entries."""
    got = ck.entropy(with_layout(w, layout), base=base)
    w64 = w.astype(np.float64)
    exact = exact_entropy(w64) / ln_base(base)
    # Ours against the 50-digit value: rtol 1e-12 of the result, plus an absolute allowance
    # of 16 ulp of (1 + H): H = log S - (sum x log x) / S cancels when H << 1 (README,
    # "Accuracy": the error is about (|log S| + |T/S|) ulps of the terms, and a second pass
    # rescales S into [1/2, 1) when that is large, leaving terms of order 1).
    assert_close(got, exact, rtol=1e-12, atol=16 * EPS * (1 + abs(exact)) / unit(base), what="entropy vs exact")
    # scipy normalises first (pk / sum(pk) rounds each p to 1/2 ulp), then sums
    # -p log p without compensation: its error is up to ~(n + 2) ulp of sum p (1 + |log p|).
    p = w64 / w64.sum()
    lp = np.zeros_like(p)
    lp[p > 0] = np.abs(np.log(p[p > 0]))
    scipy_tol = (len(p) + 4) * EPS * float(np.sum(p * (1 + lp))) / unit(base)
    ref = scipy.stats.entropy(w64, base=base)
    assert_close(got, ref, rtol=1e-12, atol=scipy_tol, what="entropy vs scipy")
    # H >= 0 (nats, or any base > 1): to the accuracy above; exactly: the one-point test below.
    assert got * math.copysign(1.0, ln_base(base)) >= -16 * EPS / unit(base)


# Regression test (a strict xfail until fixed): entropy of a one-point distribution (one
# positive weight) is not exactly 0 and can be negative, e.g.
# ck.entropy([1.0000000031710769e-30]) == -5.55e-17 (scipy.stats.entropy gives 0.0)
@examples(30)
@given(
    v=st.one_of(finite_floats(TINY, 1e300), st.floats(1e-30, 1e30).map(lambda x: float(np.float32(x)))),
    zeros_before=st.integers(0, 3),
    zeros_after=st.integers(0, 3),
)
@example(v=1.0000000031710769e-30, zeros_before=0, zeros_after=0)
def test_entropy_of_a_one_point_distribution_is_exactly_zero(v, zeros_before, zeros_after):
    """One positive weight is a distribution with all its mass in one place: H = 0 exactly
    (log S - (x log x)/S with S = x must not leave a rounding residue, and never below 0)."""
    x = np.concatenate([np.zeros(zeros_before), [v], np.zeros(zeros_after)])
    assert ck.entropy(x) == 0.0


@examples(40)
@given(w=weight_vectors(1, 30), layout=layouts, dtype=st.sampled_from(["f8", "f4", "i8", "i4", "u8", "u2"]))
def test_entropy_same_value_for_every_layout_and_lossless_dtype(w, layout, dtype):
    """The same numbers give the same bits whatever the memory layout, and whatever dtype
    holds them exactly (float32 and integers are read as the doubles they convert to;
    integer arrays take the counts path, which must agree with the float path to rounding)."""
    dt = np.dtype(dtype)
    if dt.kind == "f":
        with np.errstate(over="ignore"):
            v = w.astype(dt)
        assume(np.all(np.isfinite(v)) and np.any(v > 0))
    else:
        v = np.round(np.minimum(w, min(1e6, np.iinfo(dt).max))).astype(dt)
        assume(np.any(v > 0))
    base_value = ck.entropy(np.ascontiguousarray(v))
    assert bits_equal(ck.entropy(with_layout(v, layout)), base_value)
    # Integer input is counts (a c log c table path); the float path on the same values
    # must agree to rounding: both are within a few ulp of (1 + H) of the exact value.
    as_float = ck.entropy(v.astype(np.float64))
    assert_close(base_value, as_float, rtol=1e-13, atol=32 * EPS * (1 + abs(as_float)))


@examples(40)
@given(w=weight_vectors(1, 30), seed=st.integers(0, 2**32 - 1), k=st.integers(-60, 60))
def test_entropy_permutation_and_scale_invariance(w, seed, k):
    """H depends on the multiset of the normalised weights only: permuting the entries, or
    scaling them all by 2^k (exact in binary unless a weight over/underflows), changes
    nothing beyond rounding of the (compensated) sums."""
    h = ck.entropy(w)
    perm = np.random.default_rng(seed).permutation(len(w))
    assert_close(ck.entropy(w[perm]), h, rtol=1e-13, atol=16 * EPS)
    with np.errstate(over="ignore", under="ignore"):
        scaled = w * 2.0**k
    assume(np.all(np.isfinite(scaled)) and np.all((scaled > 0) == (w > 0)))
    assume(np.all((scaled == 0) | (np.abs(scaled) >= np.finfo(float).tiny)) or k >= 0)
    assume(np.all(scaled / 2.0**k == w))  # no weight lost bits to a subnormal
    with np.errstate(over="ignore"):
        assume(float(np.sum(scaled)) < 1e307)  # an overflowing sum is the documented ValueError
    assert_close(ck.entropy(scaled), h, rtol=1e-13, atol=16 * EPS)
    # Documented range: 0 <= H <= log(number of non-zero weights), to rounding (that H of a
    # one-point distribution may come out at -1 ulp is test_entropy_of_a_one_point_...).
    assert -16 * EPS <= h <= math.log(np.count_nonzero(w)) * (1 + 1e-14) + 16 * EPS


@examples(40)
@given(
    w=weight_vectors(1, 20),
    nan_at=st.lists(st.integers(0, 40), min_size=1, max_size=4),
    layout=layouts,
)
def test_entropy_nan_policies(w, nan_at, layout):
    """nan_policy (scipy's names): 'raise' names the first NaN's index, 'omit' is the entropy
    of the other entries (bit for bit), 'propagate' returns NaN."""
    x = w.copy()
    idx = sorted({i % (len(x) + 1) for i in nan_at})
    x = np.insert(x, [min(i, len(x)) for i in idx], np.nan)
    first = int(np.flatnonzero(np.isnan(x))[0])
    with pytest.raises(ValueError, match=rf"NaN \(first at index {first}\)"):
        ck.entropy(with_layout(x, layout))
    assert bits_equal(ck.entropy(with_layout(x, layout), nan_policy="omit"), ck.entropy(w))
    assert math.isnan(ck.entropy(with_layout(x, layout), nan_policy="propagate"))


@examples(40)
@given(
    w=weight_vectors(1, 20),
    bad=st.sampled_from([-1.0, -5e-324, -1e300, math.inf, -math.inf]),
    where=st.integers(0, 40),
)
def test_entropy_rejects_negative_and_infinite_entries(w, bad, where):
    """Negative or infinite weights are a ValueError naming the entry (never a value)."""
    i = where % (len(w) + 1)
    x = np.insert(w, i, bad)
    with pytest.raises(ValueError, match=r"non-negative and finite \(p\[%d\] = " % i):
        ck.entropy(x)


@examples(15)
@given(n=st.integers(1, 30), layout=layouts)
def test_entropy_rejects_empty_all_zero_and_overflowing_input(n, layout):
    """Documented errors: empty, all-zero, a sum that overflows (scipy returns NaN or a
    meaningless value there; DESIGN.md asks for a ValueError)."""
    with pytest.raises(ValueError, match="empty"):
        ck.entropy(with_layout(np.array([]), layout))
    with pytest.raises(ValueError, match="all zero"):
        ck.entropy(with_layout(np.zeros(n), layout))
    with pytest.raises(ValueError, match="finite sum"):
        ck.entropy(with_layout(np.full(n + 1, 1e308), layout))


@examples(15)
@given(base=st.sampled_from([0.0, 1.0, -2.0, math.inf, math.nan, -math.inf]))
def test_entropy_rejects_invalid_base(base):
    """base must be positive, finite and not 1 (ValueError naming it)."""
    with pytest.raises(ValueError, match="base must be positive"):
        ck.entropy([1.0, 2.0], base=base)
    with pytest.raises(ValueError, match="base must be positive"):
        ck.kl_divergence([0.5, 0.5], [0.5, 0.5], base=base)


@examples(40)
@given(c=count_vectors(1, 30, max_count=10**9), estimator=st.sampled_from(["plugin", None]))
def test_entropy_of_counts_is_plugin_estimate(c, estimator):
    """entropy(counts) (and estimator='plugin') is entropy_estimate(counts).value, the plug-in
    value (one implementation, bit for bit)."""
    est = ck.entropy_estimate(c)
    got = ck.entropy(c, estimator=estimator)
    assert bits_equal(got, est.value)
    assert est.n == int(c.sum())


@examples(30)
@given(w=weight_vectors(1, 20, max_value=1e6), alpha=st.sampled_from([0.0, 0.5, 2.0, 3.0, 10.0, math.inf]),
       base=st.sampled_from([None, 2.0]))
def test_renyi_hill_tsallis_gini_definitions(w, alpha, base):
    """README 'From a probability vector' (p = w / sum w): Renyi H_a = log(sum p^a)/(1 - a),
    a = 0 log #{p > 0}, a = inf -log max p; Hill D_a = exp(H_a in nats); Renyi -> Shannon
    at a = 1; Tsallis = (1 - sum p^q)/(q - 1) / ln(base); Gini-Simpson 1 - sum p^2.
    50-digit references; the weights are normalised on the fly (~1 ulp each), so the
    tolerance is a few ulp of log(n) + 1 absolute."""
    n_pos = int(np.count_nonzero(w))
    with mpmath.workdps(50):
        xs = [mpmath.mpf(float(v)) for v in w]
        s = mpmath.fsum(xs)
        ps = [x / s for x in xs if x > 0]
        if alpha == 0.0:
            ref = mpmath.log(n_pos)
        elif math.isinf(alpha):
            ref = -mpmath.log(max(ps))
        else:
            ref = mpmath.log(mpmath.fsum(p ** alpha for p in ps)) / (1 - alpha)
        gini = float(1 - mpmath.fsum(p * p for p in ps))
        tsallis = None if alpha in (0.0, 1.0) or math.isinf(alpha) else float(
            (1 - mpmath.fsum(p ** alpha for p in ps)) / (alpha - 1))
        ref_nats = float(ref)
    tol = 16 * EPS * (1 + math.log(len(w)) + abs(ref_nats))
    assert_close(ck.renyi_entropy(w, alpha, base=base), ref_nats / ln_base(base), rtol=1e-12, atol=tol)
    assert_close(ck.hill_number(w, alpha), math.exp(ref_nats), rtol=1e-12 + tol, atol=0)
    assert_close(ck.gini_simpson(w), gini, rtol=1e-12, atol=16 * EPS)
    if tsallis is not None:
        assert_close(ck.tsallis_entropy(w, alpha, base=base), tsallis / ln_base(base), rtol=1e-12,
                     atol=tol * (1 + alpha))
    # alpha = 1 is Shannon (the limit), in the same base.
    assert_close(ck.renyi_entropy(w, 1.0, base=base), ck.entropy(w, base=base), rtol=1e-13, atol=tol)


@examples(30)
@given(pq=st.integers(1, 20).flatmap(lambda n: st.tuples(probability_vectors(n, n), probability_vectors(n, n))))
def test_n_way_js_with_two_equal_weights_is_js(pq):
    """js_divergence_n([p, q]) (weights 1/2 each) is js_divergence(p, q), and it is
    symmetric in its arguments; both to rounding (4 ulp of log 2 absolute). Entries are 0
    or normal here; subnormal ones: test_n_way_js_with_subnormal_entries."""
    p, q = pq
    assume(np.all((p == 0) | (p >= 4 * TINY)) and np.all((q == 0) | (q >= 4 * TINY)))
    a = ck.js_divergence_n([p, q])
    assert_close(a, ck.js_divergence(p, q), rtol=1e-12, atol=8 * EPS)
    assert_close(a, ck.js_divergence_n(np.stack([q, p])), rtol=1e-12, atol=8 * EPS)
    assert 0.0 <= a <= math.log(2) * (1 + 4 * EPS)


# ---------------------------------------------------------------------------------------
# entropy(pk, qk) = KL of the normalised vectors (scipy.stats.entropy(pk, qk)).


def both_normalisable(ab):
    return normalisable(ab[0]) and normalisable(ab[1])


def _pair(width=64, min_size=1, max_size=25):
    """Two weight vectors of one length whose normalised entries stay normal doubles (the
    subnormal-after-normalisation case is test_counts_normalisation_keeps_the_support)."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(weight_vectors(n, n, width=width), weight_vectors(n, n, width=width))
    ).filter(both_normalisable)


@examples(60)
@given(pq=_pair(), base=BASES, layout=layouts)
def test_entropy_with_qk_matches_exact_and_scipy(pq, base, layout):
    """entropy(pk, qk, base) = sum p log(p / q) of the normalised vectors, +inf where p > 0 = q."""
    pk, qk = pq
    got = ck.entropy(with_layout(pk, layout), with_layout(qk, layout), base=base)
    exact = exact_kl(pk, qk) / ln_base(base)
    p, q = pk / pk.sum(), qk / qk.sum()
    if math.isinf(exact):
        # +inf in nats or a base > 1 (-inf in a base < 1: test_infinite_results_in_a_base_below_1)
        if ln_base(base) > 0:
            assert got == math.inf
            assert scipy.stats.entropy(pk, qk, base=base) == math.inf
        return
    # The _counts form scales each entry by 1/total on the fly: each p_i and q_i carries
    # ~1 ulp, which moves log(p_i / q_i) by ~2 ulp absolute: sum p_i (2 + |log ratio|) ulp.
    mask = p > 0
    lr = np.abs(np.log(p[mask] / q[mask]))
    scale = float(np.sum(p[mask] * (1 + lr)))
    assert_close(got, exact, rtol=1e-12, atol=8 * EPS * scale / unit(base), what="KL vs exact")
    # Gibbs' inequality (KL >= 0 in nats or any base > 1), to the accuracy above (exactly:
    # see test_kl_is_never_negative); scipy may return -1e-17 here (README).
    assert got * math.copysign(1.0, ln_base(base)) >= -8 * EPS * scale / unit(base)
    ref = scipy.stats.entropy(pk, qk, base=base)
    if math.isinf(ref):
        # scipy 1.10's rel_entr forms p/q before the log, which overflows for p/q > DBL_MAX
        # although the KL is finite (scipy gh-20710, fixed by scipy PR #20816 in 1.14).
        # Ours was checked against the exact value above.
        return
    # scipy also rounds the ratio p/q (1 ulp of 1 in the log) and sums without
    # compensation: (n + 4) ulp of that same scale.
    assert_close(got, ref, rtol=1e-12, atol=(len(p) + 4) * EPS * scale / unit(base), what="KL vs scipy")


@examples(40)
@given(
    pq=st.integers(1, 25).flatmap(lambda n: st.tuples(probability_vectors(n, n), probability_vectors(n, n))),
    base=BASES,
)
def test_kl_divergence_matches_rel_entr(pq, base):
    """kl_divergence(p, q) on probability vectors is sum(scipy.special.rel_entr(p, q)) (no
    renormalisation), to scipy's rounding: rel_entr rounds p/q before the log (~1 ulp of 1
    per term, i.e. sum p ulp) and the sum is uncompensated ((n + 2) ulp of sum |term|)."""
    p, q = pq
    got = ck.kl_divergence(p, q, base=base)
    exact = exact_kl(p, q) / ln_base(base)
    if math.isinf(exact) and ln_base(base) < 0:
        return  # the sign of an infinite result in a base < 1: its own test below
    assert_close(got, exact, rtol=1e-12, atol=8 * EPS / unit(base))
    terms = scipy.special.rel_entr(p, q)
    ref = float(np.sum(terms)) / ln_base(base)
    if math.isinf(ref) and math.isfinite(exact):
        return  # scipy gh-20710: p/q overflows in rel_entr (fixed in scipy 1.14); ours checked above
    tol = (len(p) + 4) * EPS * (float(np.sum(np.abs(terms))) + 1.0) / unit(base)
    assert_close(got, ref, rtol=1e-12, atol=tol)


@examples(40)
@given(p=probability_vectors(1, 30), a=count_vectors(1, 30), k=st.integers(-40, 40))
def test_divergences_of_a_distribution_with_itself_are_zero(p, a, k):
    """KL(p, p) = JS(p, p) = Hellinger = TV = chi^2 = PSI = 0 exactly: every term is
    p log(p/p) = p log1p(0) = 0. On counts, a and 2^k a normalise to the same bits (the
    totals scale exactly), so KL(a, 2^k a) = 0 exactly too."""
    for f in (
        ck.kl_divergence,
        ck.js_divergence,
        ck.js_distance,
        ck.hellinger,
        ck.total_variation,
        ck.chi_squared_pearson,
        ck.chi_squared_neyman,
        ck.psi,
    ):
        assert f(p, p) == 0.0, f.__name__
    assert ck.entropy(p, p) == 0.0
    b = a.astype(np.float64) * 2.0**k
    for f in (ck.kl_divergence_counts, ck.js_divergence_counts, ck.hellinger_counts, ck.total_variation_counts):
        assert f(a, b) == 0.0, f.__name__
        assert f(b, a) == 0.0, f.__name__


@examples(60)
@given(pq=_pair(max_size=25), base=st.sampled_from([None, 2.0, 10.0, 3.7]), layout=layouts)
def test_js_distance_matches_jensenshannon(pq, base, layout):
    """js_distance_counts(a, b, base) is scipy.spatial.distance.jensenshannon(a, b, base)
    (both renormalise). Compared on the divergence (the square): sqrt amplifies any
    absolute error e of a divergence D to e / (2 sqrt D)."""
    a, b = pq
    got = ck.js_distance_counts(with_layout(a, layout), with_layout(b, layout), base=base)
    assert 0.0 <= got
    exact = exact_js(a, b) / ln_base(base)
    # Each normalised entry carries ~1 ulp; the mixture and both logs add a few:
    # 8 ulp of (1 + log 2) absolute on the divergence, plus rtol 1e-12.
    assert_close(got * got, exact, rtol=1e-12, atol=8 * EPS * 2 / unit(base), what="JSD vs exact")
    with np.errstate(invalid="ignore"):  # scipy's sqrt of a negative: gh-20083, below
        ref = jensenshannon(a, b, base=base)
    if math.isnan(ref):
        # scipy bug gh-20083 (sqrt of a divergence rounded below 0, NaN; open) and gh-19436
        # (inf for subnormal entries): scipy has no value to compare with; ours is the
        # exact one (checked above).
        return
    if math.isinf(ref):
        return  # gh-19436: jensenshannon([0, 1], [5e-324, 1]) is inf; ours is checked above
    # scipy: unnormalised rel_entr terms, no compensation, the rounding of p + q
    # (README "Nearly equal distributions"): (n + 4) ulp of sum(p + q) (1 + |log|).
    n = len(a)
    assert_close(got * got, ref * ref, rtol=1e-12, atol=(n + 8) * EPS * 4 / unit(base), what="JSD vs scipy")


def _triple(min_size=1, max_size=20):
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(weight_vectors(n, n, max_value=1e6), weight_vectors(n, n, max_value=1e6),
                            weight_vectors(n, n, max_value=1e6))
    )


METRICS = [
    # (function on counts, unit-dependent): the three metrics among the discrete measures.
    ck.js_distance_counts,
    ck.hellinger_counts,
    ck.total_variation_counts,
]


@examples(60)
@given(abc=_triple())
def test_metric_symmetry_triangle_and_range(abc):
    """JS distance, Hellinger and total variation are metrics on distributions: symmetric,
    zero on equal arguments, and satisfying d(a, c) <= d(a, b) + d(b, c). Each is computed
    to a few ulp of its range, so the triangle gets 16 ulp of slack. Ranges (README):
    JS distance in [0, sqrt(log 2)] (nats), Hellinger and TV in [0, 1]."""
    a, b, c = abc
    for f in METRICS:
        dab, dba = f(a, b), f(b, a)
        assert_close(dab, dba, rtol=4 * EPS, atol=4 * EPS, what=f.__name__ + " symmetry")
        dbc, dac = f(b, c), f(a, c)
        assert dac <= dab + dbc + 16 * EPS, (f.__name__, dac, dab, dbc)
        assert 0.0 <= dab
    assert ck.js_distance_counts(a, b) <= math.sqrt(math.log(2)) * (1 + 2 * EPS)
    assert ck.js_distance_counts(a, b, base=2) <= 1.0 + 2 * EPS
    assert ck.js_divergence_counts(a, b) <= math.log(2) * (1 + 2 * EPS)
    assert ck.hellinger_counts(a, b) <= 1.0 + 2 * EPS
    assert ck.total_variation_counts(a, b) <= 1.0 + 2 * EPS


@examples(40)
@given(pq=_pair(max_size=25))
def test_discrete_measures_match_their_definitions(pq):
    """Each measure against its textbook formula in 50 digits (README "Discrete measures"):
    TV = 1/2 sum |p - q|, Hellinger = sqrt(1/2 sum (sqrt p - sqrt q)^2), Bhattacharyya =
    -log sum sqrt(pq), Pearson chi^2 = sum (p - q)^2 / q, Neyman = sum (p - q)^2 / p,
    PSI = KL(p||q) + KL(q||p), cross-entropy = H(p) + KL(p||q)."""
    a, b = pq
    with mpmath.workdps(50):
        ps = [mpmath.mpf(float(v)) for v in a]
        qs = [mpmath.mpf(float(v)) for v in b]
        sp, sq = mpmath.fsum(ps), mpmath.fsum(qs)
        ps = [v / sp for v in ps]
        qs = [v / sq for v in qs]
        tv = float(mpmath.fsum(abs(x - y) for x, y in zip(ps, qs)) / 2)
        hel = float(mpmath.sqrt(mpmath.fsum((mpmath.sqrt(x) - mpmath.sqrt(y)) ** 2 for x, y in zip(ps, qs)) / 2))
        bc = mpmath.fsum(mpmath.sqrt(x * y) for x, y in zip(ps, qs))
        bha = math.inf if bc == 0 else float(-mpmath.log(bc))
        pear = math.inf if any(y == 0 and x > 0 for x, y in zip(ps, qs)) else float(
            mpmath.fsum((x - y) ** 2 / y for x, y in zip(ps, qs) if y > 0))
        ney = math.inf if any(x == 0 and y > 0 for x, y in zip(ps, qs)) else float(
            mpmath.fsum((x - y) ** 2 / x for x, y in zip(ps, qs) if x > 0))
    # Normalising on the fly rounds each entry (~1 ulp): the unitless measures are good
    # to a few ulp of their scale (1 for TV and Hellinger; for chi^2, of sum p^2/q).
    assert_close(ck.total_variation_counts(a, b), tv, rtol=1e-12, atol=8 * EPS)
    # Hellinger = sqrt(H^2): an entry's rounding moves sqrt p - sqrt q by ~1 ulp, so H^2 by
    # ~(ulp)^2 near H = 0 and H itself by a few ulp absolute.
    assert_close(ck.hellinger_counts(a, b), hel, rtol=1e-12, atol=8 * EPS)
    assert_close(ck.bhattacharyya_counts(a, b), bha, rtol=1e-12, atol=8 * EPS)
    assert_close(ck.chi_squared_pearson_counts(a, b), pear, rtol=1e-11, atol=8 * EPS * (1 + pear))
    assert_close(ck.chi_squared_neyman_counts(a, b), ney, rtol=1e-11, atol=8 * EPS * (1 + ney))
    kl_ab, kl_ba = exact_kl(a, b), exact_kl(b, a)
    psi = ck.psi_counts(a, b)
    if math.isinf(kl_ab) or math.isinf(kl_ba):
        assert psi == math.inf
    else:
        assert_close(psi, kl_ab + kl_ba, rtol=1e-12, atol=16 * EPS * (1 + kl_ab + kl_ba))
    ce = ck.cross_entropy_counts(a, b)
    if math.isinf(kl_ab):
        assert ce == math.inf
    else:
        assert_close(ce, exact_entropy(a) + kl_ab, rtol=1e-12, atol=32 * EPS * (1 + ce))


@examples(40)
@given(pq=_pair(max_size=20), alpha=st.sampled_from([0.5, 1.0, 2.0, 0.01, 7.5]))
def test_additive_zero_support_is_adding_alpha(pq, alpha):
    """zero_support=additive(alpha) on counts is the none() answer on (c + alpha) (README
    table: add alpha to every entry of both vectors, then normalise); jeffreys = 0.5,
    laplace = 1. The result is finite however many zeros the counts hold."""
    a, b = pq
    a = np.round(np.minimum(a, 1e6))
    b = np.round(np.minimum(b, 1e6))
    assume(a.sum() > 0 and b.sum() > 0)
    got = ck.kl_divergence_counts(a, b, zero_support=ck.ZeroSupport.additive(alpha))
    ref = exact_kl(a + alpha, b + alpha)
    assert math.isfinite(got)
    assert_close(got, ref, rtol=1e-12, atol=16 * EPS * (1 + ref))
    for name, value in (("jeffreys", 0.5), ("laplace", 1.0)):
        assert bits_equal(
            ck.js_divergence_counts(a, b, zero_support=name),
            ck.js_divergence_counts(a, b, zero_support=ck.ZeroSupport.additive(value)),
        )


@examples(40)
@given(pq=_pair(max_size=20), alpha=st.floats(0.01, 0.99))
def test_skew_zero_support_is_kl_to_the_mixture(pq, alpha):
    """skew(alpha): KL(p || alpha q + (1 - alpha) p) (Lee 1999), finite wherever p is."""
    a, b = pq
    p, q = a / a.sum(), b / b.sum()
    got = ck.kl_divergence_counts(a, b, zero_support=ck.ZeroSupport.skew(alpha))
    with mpmath.workdps(50):
        ps = [mpmath.mpf(float(v)) for v in a]
        qs = [mpmath.mpf(float(v)) for v in b]
        sp, sq = mpmath.fsum(ps), mpmath.fsum(qs)
        al = mpmath.mpf(alpha)
        ref = float(mpmath.fsum(
            (x / sp) * mpmath.log((x / sp) / (al * y / sq + (1 - al) * x / sp)) for x, y in zip(ps, qs) if x > 0))
    assert math.isfinite(got)
    # The mixture is formed in double (one rounding per entry, ~2 ulp of each log).
    assert_close(got, ref, rtol=1e-12, atol=16 * EPS * (1 + abs(math.log(1 - alpha))))
    del p, q


@examples(40)
@given(
    pq=_pair(max_size=20),
    nan_a=st.lists(st.integers(0, 19), max_size=3),
    nan_b=st.lists(st.integers(0, 19), max_size=3),
    f=st.sampled_from([ck.kl_divergence_counts, ck.js_divergence_counts, ck.hellinger_counts,
                       ck.total_variation_counts, ck.chi_squared_pearson_counts, ck.psi_counts]),
)
def test_pair_nan_policies(pq, nan_a, nan_b, f):
    """Divergences' nan_policy: 'raise' names the first NaN; 'omit' drops position i from
    both vectors when either is NaN (the same bits as calling on the kept positions);
    'propagate' returns NaN."""
    a, b = (v.copy() for v in pq)
    n = len(a)
    ia = sorted({i % n for i in nan_a})
    ib = sorted({i % n for i in nan_b})
    assume(ia or ib)
    a[ia] = np.nan
    b[ib] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        f(a, b)
    assert math.isnan(f(a, b, nan_policy="propagate"))
    keep = ~(np.isnan(a) | np.isnan(b))
    if not keep.any() or a[keep].sum() == 0 or b[keep].sum() == 0:
        with pytest.raises(ValueError):
            f(a, b, nan_policy="omit")
        return
    # The same computation on the kept positions, to rounding (the omit path compacts the
    # vectors first; the normalisation may round differently): 16 ulp of the result's scale.
    ref = f(a[keep], b[keep])
    assert_close(f(a, b, nan_policy="omit"), ref, rtol=1e-12, atol=16 * EPS * (1 + abs(ref)))


@examples(40)
@given(
    n=st.integers(0, 12),
    m=st.integers(0, 12),
    f=st.sampled_from([ck.kl_divergence, ck.js_divergence, ck.js_distance, ck.hellinger, ck.total_variation,
                       ck.cross_entropy, ck.bhattacharyya, ck.chi_squared_pearson, ck.chi_squared_neyman, ck.psi]),
    counts=st.booleans(),
)
def test_pair_length_mismatch_and_empty_are_clear_errors(n, m, f, counts):
    """Lengths that differ: ValueError 'p and q differ in length (n vs m)' naming the
    function and its arguments (a and b for the _counts forms); empty input: ValueError
    '... is empty'."""
    assume(n != m or n == 0)
    g = getattr(ck, f.__name__ + "_counts") if counts else f
    first, second = ("a", "b") if counts else ("p", "q")
    p = np.full(n, 1.0 / n) if n else np.array([])
    q = np.full(m, 1.0 / m) if m else np.array([])
    if n != m:
        with pytest.raises(ValueError, match=rf"collapsekit\.{g.__name__}: {first} and {second} differ in length "
                           rf"\({n} vs {m}\)"):
            g(p, q)
    else:
        with pytest.raises(ValueError, match=rf"collapsekit\.{g.__name__}: {first} is empty"):
            g(p, q)


@examples(40)
@given(
    p=probability_vectors(2, 20),
    bad=st.sampled_from([-1e-3, -5e-324, math.inf, -math.inf]),
    i=st.integers(0, 19),
    off=st.sampled_from([1e-6, -1e-6, 0.5, 1e10]),
    f=st.sampled_from([ck.kl_divergence, ck.js_divergence, ck.hellinger, ck.total_variation, ck.psi]),
)
def test_probability_inputs_are_checked(p, bad, i, off, f):
    """Probability vectors must be non-negative, finite and sum to 1 within 1e-9 (nothing
    renormalised): a negative or infinite entry, or a sum off by more, is a ValueError."""
    i %= len(p)
    q = p.copy()
    q[i] = bad
    with pytest.raises(ValueError, match=r"non-negative|finite"):
        f(p, q)
    with pytest.raises(ValueError, match=r"non-negative|finite"):
        f(q, p)
    r = p.copy()
    r[i] = max(r[i] + off, 0.0)
    assume(abs(math.fsum(r) - 1.0) > 1e-8)
    with pytest.raises(ValueError, match="sum to 1"):
        f(p, r)


@examples(30)
@given(
    pq=st.integers(1, 25).flatmap(
        lambda n: st.tuples(weight_vectors(n, n, width=32, max_value=1e6),
                            weight_vectors(n, n, width=32, max_value=1e6))
    ),
)
def test_float32_inputs_keep_float_precision_and_ranges(pq):
    """float32 pairs are computed in float (README: 'Float inputs keep the textbook
    formulas'), so they agree with the float64 computation on the same values to float
    precision: the scale here is 2^-23 (EPS32) per term, (n + 4) of them."""
    a, b = pq
    tol = (len(a) + 8) * EPS32
    for name in ("js_divergence_counts", "total_variation_counts", "hellinger_counts"):
        f = getattr(ck, name)
        got32 = f(a, b)
        got64 = f(a.astype(np.float64), b.astype(np.float64))
        assert_close(got32, got64, rtol=tol, atol=tol, what=name)
        assert got32 >= 0.0
    # Documented range of the JS divergence [0, log 2]: float32 lanes may round log 2 up by
    # one float ulp (log(2) in float is 0.69314718246..., above the double 0.69314718056).
    assert ck.js_divergence_counts(a, b) <= math.log(2) * (1 + 2 * EPS32)


# ---------------------------------------------------------------------------------------
# Thread invariance (threads=1 vs 2): the chunks are 2^16 elements, so the inputs here
# are a few chunks long, built from a drawn seed and drawn special entries.

BIG = (1 << 16) * 2 + 777


@examples(6)
@given(seed=st.integers(0, 2**32 - 1), zeros=st.floats(0.0, 0.5), tiny=st.booleans())
def test_entropy_and_divergences_bit_identical_for_threads(seed, zeros, tiny):
    """threads=1 and threads=2 give the same bits (fixed chunks, chunk-order reduction)."""
    rng = np.random.default_rng(seed)
    a = rng.random(BIG)
    a[rng.random(BIG) < zeros] = 0.0
    if tiny:
        a[rng.integers(0, BIG, 50)] = 5e-324
    b = rng.random(BIG) + 1e-3
    a[0] = 1.0
    counts = rng.integers(0, 1000, BIG)
    for f, args in (
        (ck.entropy, (a,)),
        (ck.entropy, (counts,)),
        (ck.entropy, (a, b)),
        (ck.kl_divergence_counts, (a, b)),
        (ck.js_divergence_counts, (a, b)),
        (ck.js_distance_counts, (b, a)),
        (ck.hellinger_counts, (a, b)),
        (ck.renyi_entropy, (a, 2.0)),
    ):
        assert bits_equal(f(*args, threads=1), f(*args, threads=2)), f.__name__


# ---------------------------------------------------------------------------------------
# Counts of every integer dtype, including uint64 counts above 2^63 (2^64-range counts
# are what Histogram.counts and EntropyAccumulator.counts return).


@examples(30)
@given(
    c=count_vectors(1, 20, max_count=2**40, dtype=np.uint64),
    d=count_vectors(1, 20, max_count=2**40, dtype=np.uint64),
    dtype=st.sampled_from([np.uint8, np.int16, np.uint32, np.int64, np.uint64]),
)
def test_counts_of_integer_dtypes(c, d, dtype):
    """Any integer dtype is counts: the values are what matter, not the dtype."""
    n = min(len(c), len(d))
    c, d = c[:n], d[:n]
    assume(c.sum() > 0 and d.sum() > 0)
    hi = np.iinfo(dtype).max
    c2 = np.minimum(c, hi).astype(dtype)
    d2 = np.minimum(d, hi).astype(dtype)
    assume(c2.sum() > 0 and d2.sum() > 0)
    ref = ck.kl_divergence_counts(c2.astype(np.float64), d2.astype(np.float64))
    got = ck.kl_divergence_counts(c2, d2)
    assert_close(got, ref, rtol=1e-12, atol=16 * EPS * (1 + abs(ref)))
    assert_close(ck.entropy(c2), ck.entropy(c2.astype(np.float64)), rtol=1e-13, atol=32 * EPS)


# Regression test (a strict xfail until fixed): uint64 counts >= 2^63 in a pair (entropy(pk,
# qk), *_counts) are cast to int64 and reported as negative (with_count_pair converts every
# integer pair to int64)
@examples(10)
@given(extra=st.integers(0, 2**62), rest=st.lists(st.integers(0, 1000), min_size=1, max_size=5))
@example(extra=5, rest=[2, 3])
def test_uint64_counts_above_2_63_in_pairs(extra, rest):
    """A uint64 count above 2^63 is a valid count (a single-vector entropy accepts it);
    the pair forms must too, and agree with the float64 computation on the same counts."""
    big = np.array([2**63 + extra] + rest, dtype=np.uint64)
    other = np.array([1] + rest, dtype=np.uint64)
    assume(other.sum() > 0)
    ref = ck.kl_divergence_counts(big.astype(np.float64), other.astype(np.float64))
    got = ck.kl_divergence_counts(big, other)
    assert_close(got, ref, rtol=1e-12, atol=16 * EPS * (1 + abs(ref)))


# Regression test (a strict xfail until fixed): the _counts forms normalise by multiplying each
# entry by 1/total, so an entry whose share is below the subnormal range becomes 0 and the
# support changes: kl_divergence_counts([2, 5e-324], [1, 0]) is 0.0 (exact: +inf),
# kl_divergence_counts([1, 1], [2, 5e-324]) is inf (exact: 371.87), bhattacharyya_counts([0,
# 5e-324], [2, 5e-324]) is inf (exact: 372.57)
@examples(30)
@example(big=2.0, n_small=1, side="p", q_zero=True)
@given(
    big=st.floats(2.0, 1e300),
    n_small=st.integers(1, 3),
    side=st.sampled_from(["p", "q"]),
    q_zero=st.booleans(),
)
def test_counts_normalisation_keeps_the_support(big, n_small, side, q_zero):
    """Whether p_i > 0 = q_i (KL = +inf under zero_support=none) is a property of the given
    counts, not of their rounded shares: a positive count keeps a positive share. Exact KL
    from 50-digit arithmetic; the result must be inf exactly when the exact one is."""
    a = np.array([big] + [5e-324] * n_small)
    b = np.array([1.0] + ([0.0] if q_zero else [1.0]) * n_small)
    p, q = (a, b) if side == "p" else (b, a)
    exact = exact_kl(p, q)
    got = ck.kl_divergence_counts(p, q)
    if math.isinf(exact):
        assert got == math.inf
    else:
        assert_close(got, exact, rtol=1e-9)


# Regression test (a strict xfail until fixed): bhattacharyya = -log(sum sqrt(p q)) loses every
# digit for equal or nearly equal distributions: bhattacharyya([0.25, 0.75], [0.25, 0.75]) ==
# 1.1e-16 (exact 0); 1000 entries 1e-6 apart: 6.2506e-14 vs exact 6.2463e-14 (7e-4 relative);
# -log1p(-hellinger^2) keeps them
@examples(20)
@given(p=probability_vectors(2, 30), eps=st.sampled_from([0.0, 1e-9, 1e-6, 1e-4]), seed=st.integers(0, 2**32 - 1))
@example(p=np.array([0.25, 0.75]), eps=0.0, seed=0)
def test_bhattacharyya_of_nearly_equal_distributions(p, eps, seed):
    """The README's "Nearly equal distributions" case (drift between successive
    generations is small) for the Bhattacharyya distance: B(p, p) = 0 exactly and, for q a
    relative eps away, B ~ eps^2 / 8 to 1e-9 relative of a 50-digit reference."""
    rng = np.random.default_rng(seed)
    q = p * (1 + eps * rng.uniform(-1, 1, len(p)))
    q /= q.sum()
    got = ck.bhattacharyya(p, q)
    # The reference is the definition on the vectors as given (which sum to 1 only within
    # rounding), evaluated with enough digits to hold any sum of doubles exactly (2^-1074 to
    # 2^1024: about 650 digits). 50 digits were not enough: for p = normalised([1e-30, 0,
    # 5e-324]) = [1, 0, 4.9e-294], sum p = 1 + 4.9e-294 rounded to 1 and the reference said
    # B(p, p) = 0 where it is -4.9e-294.
    with mpmath.workdps(700):
        bc = mpmath.fsum(mpmath.sqrt(mpmath.mpf(float(x)) * mpmath.mpf(float(y))) for x, y in zip(p, q))
        ref = float(-mpmath.log(bc))
    if ref == 0.0:
        assert got == 0.0
    else:
        assert_close(got, ref, rtol=1e-9, atol=0.0)


# Regression test (a strict xfail until fixed): the _counts forms (and entropy(pk, qk)) multiply
# by 1/total instead of dividing, so a vector does not always normalise to exactly 1 and KL
# comes out negative: kl_divergence_counts([1e-300], [2.2250738585072014e-308]) == -1.1e-16 and
# entropy([1e-300], [2.2250738585072014e-308]) == -1.1e-16 (exact 0; scipy 0.0)
@examples(30)
@given(a=finite_floats(TINY, 1e300), b=finite_floats(TINY, 1e300), k=st.integers(1, 4))
@example(a=1e-300, b=2.2250738585072014e-308, k=1)
def test_kl_is_never_negative(a, b, k):
    """Gibbs' inequality: KL(P || Q) >= 0, with equality iff P = Q. Here P = Q = the one-point
    (or k-point uniform) distribution given by proportional counts a*1 and b*1: KL = 0."""
    pa, pb = np.full(k, a), np.full(k, b)
    assert ck.kl_divergence_counts(pa, pb) == 0.0
    assert ck.entropy(pa, pb) == 0.0


# Regression test (a strict xfail until fixed): in a base below 1 (accepted: 'a positive number
# other than 1') finite results change sign but infinite ones do not, except bhattacharyya's:
# kl_divergence([.5, .5], [1, 0], base=0.5) == +inf while kl_divergence([.5, .5], [.25, .75],
# base=0.5) == -0.2075 and scipy.stats.entropy gives -inf; bhattacharyya([0, 1], [1, 0],
# base=0.5) == -inf
@examples(10)
@given(base=st.floats(0.01, 0.99), n=st.integers(2, 6))
@example(base=0.5, n=2)
def test_infinite_results_in_a_base_below_1(base, n):
    """A measure in base b is the nats value / ln b; for b < 1 that is negative, and +inf
    nats must become -inf, as every finite value changes sign (and as scipy does)."""
    p = np.full(n, 1.0 / n)
    q = np.zeros(n)
    q[0] = 1.0
    finite = ck.kl_divergence(q, p, base=base)
    assert finite < 0
    for f in (ck.kl_divergence, ck.cross_entropy, ck.psi):
        assert f(p, q, base=base) == -math.inf, f.__name__
    assert ck.renyi_divergence(p, q, 2.0, base=base) == -math.inf
    # Bhattacharyya is infinite only for disjoint supports (p and q above overlap: B is
    # log(n) / 2 nats there, finite, so it changes sign as any finite value does).
    r = np.full(n, 1.0 / (n - 1))
    r[0] = 0.0
    assert ck.bhattacharyya(q, r, base=base) == -math.inf
    assert_close(ck.bhattacharyya(p, q, base=base), 0.5 * math.log(n) / math.log(base), rtol=1e-14)


# Regression test (a strict xfail until fixed): js_divergence_n forms the mixture M = sum w_i
# P_i in double; a subnormal entry's share underflows to 0 and KL(P_i || M) becomes +inf,
# outside the documented [0, log k]: ck.js_divergence_n([[1.0, 0.0], [1.0, 5e-324]]) == inf
# (ck.js_divergence gives 0.0; the pairwise form guards exactly this case), also
# js_divergence_n_counts
@examples(20)
@given(k=st.integers(2, 4), tiny=st.sampled_from([5e-324, 1e-323, 2e-323]), n=st.integers(2, 5))
@example(k=2, tiny=5e-324, n=2)
def test_n_way_js_with_subnormal_entries(k, tiny, n):
    """The n-way JS divergence stays in [0, log k] for any probability vectors, subnormal
    entries included (README: computed as sum w_i KL(P_i || M), non-negative term by term)."""
    dists = [np.eye(1, n, 0)[0] for _ in range(k)]
    dists[-1][1] = tiny  # still sums to 1 within 1e-9
    got = ck.js_divergence_n(dists)
    assert 0.0 <= got <= math.log(k)
    assert 0.0 <= ck.js_divergence_n_counts(dists) <= math.log(k)


# ---------------------------------------------------------------------------------------
# Fuzzing-campaign findings (no Hypothesis test caught them): huge counts and orders.


def _exact_entropy_and_m2(c):
    """(H, sum p log^2 p) of c / sum(c) in 50 digits."""
    with mpmath.workdps(50):
        xs = [mpmath.mpf(float(v)) for v in c]
        s = mpmath.fsum(xs)
        ps = [x / s for x in xs if x > 0]
        h = -mpmath.fsum(p * mpmath.log(p) for p in ps)
        m2 = mpmath.fsum(p * mpmath.log(p) ** 2 for p in ps)
        return float(h), float(m2)


@examples(20)
@given(w=weight_vectors(2, 8, max_value=1e6), scale=st.sampled_from([1e14, 8e16, 1e17, 1e20, 1e25, 1e50, 1e100]))
@example(w=np.array([0.5, 0.3, 0.2]), scale=1e25)
def test_nsb_at_huge_totals(w, scale):
    """NSB on counts with totals from 1e14 to 1e100 (ck.nsb_entropy([5e24, 3e24, 2e24]) was
    NaN, and from about 1e13 its standard error was rounding noise): the posterior is then
    the plug-in value (to O(K / N)) with the delta-method standard error
    sqrt((sum p log^2 p - H^2) / N)."""
    c = np.round(w / w.sum() * scale)
    assume(np.count_nonzero(c) >= 2 and np.all((c == 0) | (c >= 1e3)))
    h, m2 = _exact_entropy_and_m2(c)
    n = float(np.sum(c))
    r = ck.nsb_entropy(c)
    assert math.isfinite(r.value) and math.isfinite(r.standard_error)
    assert_close(r.value, h, rtol=1e-11, atol=64 * EPS * (1 + h) + len(c) / n, what="NSB value")
    # (Near-uniform counts have a delta-method error near 0; the posterior's own spread,
    # of order sqrt(K) / N, then dominates.)
    se = math.sqrt(max(m2 - h * h, 0.0) / n)
    assert_close(r.standard_error, se, rtol=1e-2, atol=4 * EPS * (1 + h) + 4 * len(c) / n, what="NSB sd")


@examples(20)
@given(w=weight_vectors(2, 10, max_value=1e6), k=st.integers(0, 3),
       estimator=st.sampled_from(["plugin", "miller_madow", "grassberger", "chao_shen", "james_stein", "nsb"]))
@example(w=np.array([2.0, 2.0, 1.0]), k=0, estimator="plugin")
def test_count_estimators_when_the_counts_sum_past_dblmax(w, k, estimator):
    """Finite counts whose sum overflows a double (ck.entropy_estimate([1e308, 1e308, 5e307])
    was NaN for the plug-in family): the estimate is computed on counts scaled by a power of
    two, so it is the entropy of the shares (every correction is O(K / N) = 0 here) and
    n saturates at 2^64 - 1."""
    c = np.floor(w / w.max() * 1.5e308 / 2.0**k)
    assume(np.count_nonzero(c) >= 2 and np.all((c == 0) | (c >= 1e290)))
    with np.errstate(over="ignore"):
        assume(not math.isfinite(float(np.sum(c))) or float(np.sum(c * np.log(np.maximum(c, 1)))) == math.inf)
    h, _ = _exact_entropy_and_m2(c)
    r = ck.entropy_estimate(c, estimator=estimator)
    # Grassberger's log N - sum n G(n) / N cancels about log N ~ 710 down to H: ~710 ulp.
    atol = 1024 * EPS if estimator == "grassberger" else 32 * EPS
    assert_close(r.value, h, rtol=1e-12, atol=atol, what=estimator)
    assert math.isfinite(r.standard_error) and r.standard_error >= 0.0
    assert r.n == 2**64 - 1


ORDERS_NEAR_1 = st.sampled_from([1 - 1e-15, 1 + 1e-15, 1 - 1e-12, 1 + 1e-12, 1 - 1e-9, 1 + 2.0**-11])
HUGE_ORDERS = st.sampled_from([1e20, 1e300, 1.7e308, float(np.finfo(float).max)])


@examples(30)
@given(w=weight_vectors(1, 15, max_value=1e6), alpha=st.one_of(ORDERS_NEAR_1, HUGE_ORDERS))
@example(w=np.array([0.5, 0.3, 0.2]), alpha=1 - 1e-15)
@example(w=np.full(10, 0.1), alpha=1.7e308)
def test_renyi_entropy_at_orders_near_1_and_huge(w, alpha):
    """Renyi entropy (and Hill number) of order 1 +- 1e-15 is the Shannon entropy to
    O(|alpha - 1|) (it was 1.11 for H = 1.03: log sum p^alpha cancelled to a rounding error
    divided by 1 - alpha), and of order near DBL_MAX the min-entropy (it was +inf).
    50-digit references of the definition (near 1) and of -log max p (huge)."""
    with mpmath.workdps(60):
        xs = [mpmath.mpf(float(v)) for v in w]
        s = mpmath.fsum(xs)
        ps = [x / s for x in xs if x > 0]
        if alpha > 2:
            ref = float(-mpmath.log(max(ps)))
        else:
            a = mpmath.mpf(alpha)
            ref = float(mpmath.log(mpmath.fsum(p ** a for p in ps)) / (1 - a))
    tol = 16 * EPS * (1 + math.log(len(w)))
    assert_close(ck.renyi_entropy(w, alpha), ref, rtol=1e-12, atol=tol)
    assert_close(ck.hill_number(w, alpha), math.exp(ref), rtol=1e-12 + tol, atol=0)


@examples(30)
@given(pq=_pair(max_size=10), alpha=st.one_of(ORDERS_NEAR_1, HUGE_ORDERS))
@example(pq=(np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])), alpha=1 + 1e-15)
def test_renyi_divergence_at_orders_near_1_and_huge(pq, alpha):
    """Renyi divergence of order 1 +- 1e-15 is KL to O(|alpha - 1|) (it was 0.2 or 1.0 for
    KL = 0.275), and of huge order log max p / q (NaN or inf before). On counts, so that
    the pair is normalised; 60-digit references."""
    a, b = pq
    with mpmath.workdps(60):
        xs = [mpmath.mpf(float(v)) for v in a]
        ys = [mpmath.mpf(float(v)) for v in b]
        sx, sy = mpmath.fsum(xs), mpmath.fsum(ys)
        pairs = [(x / sx, y / sy) for x, y in zip(xs, ys) if x > 0]
        common = [(x, y) for x, y in pairs if y > 0]
        if alpha > 1 and len(common) < len(pairs):
            ref = math.inf  # p > 0 = q
        elif alpha > 2:
            ref = float(max(mpmath.log(x / y) for x, y in pairs))
        else:
            al = mpmath.mpf(alpha)
            s = mpmath.fsum(x ** al * y ** (1 - al) for x, y in common)
            ref = math.inf if s == 0 else float(mpmath.log(s) / (al - 1))  # disjoint supports: +inf
        lr = max([abs(float(mpmath.log(x / y))) for x, y in common] + [0.0])
    got = ck.renyi_divergence(a, b, alpha, counts=True)
    if math.isinf(ref):
        assert got == math.inf
        return
    assert_close(got, ref, rtol=1e-12, atol=16 * EPS * (1 + lr))


@examples(20)
@given(w=weight_vectors(2, 10, max_value=1e6), exponent=st.sampled_from([20, 60, 300, 308]),
       singletons=st.integers(0, 3), doubletons=st.integers(0, 2))
@example(w=np.array([1.0]), exponent=20, singletons=2, doubletons=1)
def test_missing_mass_and_chao1_with_totals_past_2_64(w, exponent, singletons, doubletons):
    """Good-Turing and Chao1 on counts whose total is 2^64 or more (up to past DBL_MAX):
    the total was converted to an integer (undefined behaviour, UBSan); n now saturates at
    2^64 - 1 and the estimates are evaluated in floating point: M = f1 / N (a subnormal
    number past DBL_MAX), Chao1 = S_obs + f1^2 / (2 f2) (or f1 (f1 - 1) / 2) with A = 1."""
    big = np.floor(w / w.max() * 10.0**exponent)
    big = big[big > 2]
    assume(big.size > 0)
    c = np.concatenate([big, np.ones(singletons), np.full(doubletons, 2.0)])
    with mpmath.workdps(50):
        n = mpmath.fsum(mpmath.mpf(float(v)) for v in c)
        gt_ref = float(singletons / n)
    gt = ck.good_turing_missing_mass(c)
    assert gt.n == 2**64 - 1
    assert_close(gt.value, gt_ref, rtol=1e-12, atol=2 * 5e-324)
    assert math.isfinite(gt.standard_error) and gt.standard_error >= 0.0
    observed = c.size
    if singletons == 0:
        ref = observed
    elif doubletons > 0:
        ref = observed + singletons**2 / (2 * doubletons)
    else:
        ref = observed + singletons * (singletons - 1) / 2
    c1 = ck.chao1(c)
    assert c1.n == 2**64 - 1
    assert_close(c1.value, ref, rtol=1e-12)
    assert math.isfinite(c1.standard_error) and c1.standard_error >= 0.0
