"""Property tests (Hypothesis) of the sample distances: Wasserstein W_p (plain and weighted),
energy distance, the two-sample Kolmogorov-Smirnov test.

Against references: scipy.stats.wasserstein_distance (W1, with u_weights/v_weights),
POT's ot.wasserstein_1d (which returns W_p^p), scipy.stats.energy_distance (with weights),
scipy.stats.ks_2samp (statistic, location, sign and p-values of the methods we offer).
Invariants: symmetry, identity (d(x, x) = 0, and 0 between samples of one distribution),
the triangle inequality (W_p, energy distance, KS statistic), the scaling laws
W_p(a x + b, a y + b) = |a| W_p(x, y), E(a x + b, a y + b) = sqrt|a| E(x, y), KS invariance
under increasing maps, integer weights = repeated values, layout/dtype invariance, thread
invariance, and the documented errors and NaN policies.

Profiles and example counts: see test_properties_common.py (HYPOTHESIS_PROFILE=long).
"""

import math
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import ot
import pytest
import scipy.special
import scipy.stats
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_properties_common import (  # noqa: E402
    EPS,
    assert_close,
    bits_equal,
    examples,
    finite_floats,
    layouts,
    moderate_samples,
    samples,
    with_layout,
)

import collapsekit as ck  # noqa: E402

ORDERS = st.sampled_from([1.0, 1.5, 2.0, 3.0, 7.25])


def two_samples(factory=samples, min_size=1, max_size=30, **kw):
    return st.tuples(factory(min_size, max_size, **kw), factory(min_size, max_size, **kw))


def positive_total(w):
    return w.sum() > 0


def weights_for(n):
    """Non-negative weights with a positive total: zeros, tiny and ordinary values, ties."""
    return hnp.arrays(
        np.float64,
        n,
        elements=st.one_of(st.just(0.0), st.integers(1, 5).map(float), finite_floats(1e-6, 1e6)),
    ).filter(positive_total)


def with_weights(pair_strategy):
    return pair_strategy.flatmap(
        lambda uv: st.tuples(st.just(uv[0]), st.just(uv[1]), weights_for(len(uv[0])), weights_for(len(uv[1])))
    )


def energy_rtol(n, m):
    """Relative tolerance of a squared energy distance (and of scipy's W1): the integrand
    |F - G| (or its square) is formed from the rounded fractions F = i/n and G = j/m, whose
    difference carries an absolute error of ~1 ulp while |F - G| can be as small as
    1/(n m): a relative error up to ~2 n m ulp per term (8.5 ulp seen for our energy
    distance at n = 5, m = 7; 63 ulp for scipy's W1 at n = 22, m = 25)."""
    return 4 * (n * m + n + m + 8) * EPS


def exact_w1(u, v):
    """W1 of two equally weighted samples in rational arithmetic: the merge of the two
    quantile functions over the breakpoints i/n, j/m (every double is a Fraction exactly)."""
    u = sorted(Fraction(float(x)) for x in u)
    v = sorted(Fraction(float(x)) for x in v)
    n, m = len(u), len(v)
    i = j = t = 0
    acc = Fraction(0)
    while i < n and j < m:
        a, b = (i + 1) * m, (j + 1) * n
        nxt = min(a, b)
        acc += (nxt - t) * abs(u[i] - v[j])
        t = nxt
        i += a == nxt
        j += b == nxt
    return float(acc / (n * m))


def spread(*arrays):
    """max - min over all values: the scale of an absolute error in the distances."""
    allv = np.concatenate([np.asarray(a, dtype=np.float64) for a in arrays])
    return float(allv.max() - allv.min())


# ---------------------------------------------------------------------------------------
# Against scipy / POT.


@examples(60)
@given(uv=two_samples(), layout=layouts, weighted=st.booleans(), data=st.data())
def test_w1_matches_scipy_wasserstein_distance(uv, layout, weighted, data):
    """wasserstein(u, v[, u_weights, v_weights]) with p = 1 is scipy.stats.wasserstein_distance.
    Unweighted, ours is the exact W1 (rational reference) to a few ulp: the breakpoints are
    integers, only |u_i - v_j|, the products and the (compensated, all terms >= 0) sum
    round. scipy integrates |F - G| over the gaps with F, G rounded fractions: energy_rtol.
    With weights both form rounded cumulative sums, and where F ~ G that is an absolute
    error of a few ulp per gap: (n + m) ulp of max - min."""
    u, v = uv
    n, m = len(u), len(v)
    if weighted:
        wu = data.draw(weights_for(n))
        wv = data.draw(weights_for(m))
        got = ck.wasserstein(with_layout(u, layout), with_layout(v, layout), with_layout(wu, layout),
                             with_layout(wv, layout))
        ref = scipy.stats.wasserstein_distance(u, v, wu, wv)
        atol = 4 * (n + m) * EPS * spread(u, v)
    else:
        got = ck.wasserstein(with_layout(u, layout), with_layout(v, layout))
        assert_close(got, exact_w1(u, v), rtol=16 * EPS, what="W1 vs exact")
        ref = scipy.stats.wasserstein_distance(u, v)
        atol = 0.0
    assert_close(got, ref, rtol=(n + m + 8) * EPS + energy_rtol(n, m), atol=atol, what="W1 vs scipy")
    assert got >= 0.0


@examples(60)
@given(uv=two_samples(moderate_samples), p=ORDERS, weighted=st.booleans(), data=st.data())
def test_wp_matches_pot(uv, p, weighted, data):
    """wasserstein(u, v, p=p) ** p is POT's ot.wasserstein_1d(u, v, p=p) (POT returns W_p^p
    and takes weights that sum to 1). Moderate magnitudes: |d|^p must not overflow in
    POT (ours: test_wp_scaling_over_the_whole_double_range). Tolerance: POT's quantile
    grid is a sorted union of rounded cumulative sums (a few ulp per breakpoint) times
    |d|^p: (n + m) ulp of (max - min)^p, plus rtol (n + m) ulp."""
    u, v = uv
    n, m = len(u), len(v)
    if weighted:
        wu = data.draw(weights_for(n))
        wv = data.draw(weights_for(m))
        got = ck.wasserstein(u, v, wu, wv, p=p)
        ref = ot.wasserstein_1d(u, v, wu / wu.sum(), wv / wv.sum(), p=p)
    else:
        got = ck.wasserstein(u, v, p=p)
        ref = ot.wasserstein_1d(u, v, p=p)
    s = spread(u, v)
    assert_close(got**p, ref, rtol=4 * (n + m + 8) * EPS, atol=4 * (n + m) * EPS * s**p)


@examples(30)
@given(
    n=st.integers(1, 30),
    data=st.data(),
    p=st.sampled_from([1.0, 2.0, 3.0, 7.25, math.inf]),
)
def test_wp_of_equal_sizes_pairs_sorted_values(n, data, p):
    """For two samples of equal size n the optimal plan pairs the sorted values:
    W_p = (mean |u_(i) - v_(i)|^p)^(1/p), W_inf = max |u_(i) - v_(i)| (exact for p = inf)."""
    u = data.draw(moderate_samples(n, n))
    v = data.draw(moderate_samples(n, n))
    d = np.abs(np.sort(u) - np.sort(v))
    got = ck.wasserstein(u, v, p=p)
    if math.isinf(p):
        assert got == d.max()
        return
    ref = float(np.mean(d**p)) ** (1 / p)
    assert_close(got, ref, rtol=4 * (n + 8) * EPS)


@examples(60)
@given(uv=two_samples(), weighted=st.booleans(), data=st.data())
def test_energy_distance_matches_scipy(uv, weighted, data):
    """energy_distance is scipy.stats.energy_distance: sqrt(2 int (F - G)^2). Compared on the
    square (sqrt halves relative errors but turns an absolute error e of a tiny
    integral into sqrt(e)); tolerances as for W1."""
    u, v = uv
    n, m = len(u), len(v)
    if weighted:
        wu = data.draw(weights_for(n))
        wv = data.draw(weights_for(m))
        got = ck.energy_distance(u, v, wu, wv)
        ref = scipy.stats.energy_distance(u, v, wu, wv)
        atol = 8 * (n + m) * EPS * spread(u, v)
    else:
        got = ck.energy_distance(u, v)
        ref = scipy.stats.energy_distance(u, v)
        atol = 0.0
    assert_close(got * got, ref * ref, rtol=energy_rtol(n, m), atol=atol)


def _scipy_ks(u, v, alternative, method):
    """scipy.stats.ks_2samp, or None when scipy's exact computation gave up (it then warns
    and switches to 'asymp' by itself, scipy PR #16525)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return scipy.stats.ks_2samp(u, v, alternative=alternative, method=method)
        except RuntimeWarning:
            return None


ALTERNATIVES = st.sampled_from(["two-sided", "less", "greater"])


def ecdf(x, t):
    return np.count_nonzero(np.asarray(x) <= t) / len(x)


def unique_argmax(u, v, alternative):
    """True when the KS statistic is reached at exactly one data value (and, two-sided, by
    one sign only): then the location and sign are unambiguous."""
    xs = np.unique(np.concatenate([u, v]))
    gaps = np.array([np.count_nonzero(u <= t) * len(v) - np.count_nonzero(v <= t) * len(u) for t in xs])
    cand = {"greater": gaps, "less": -gaps, "two-sided": np.abs(gaps)}[alternative]
    best = cand.max()
    if np.count_nonzero(cand == best) != 1:
        return False
    return alternative != "two-sided" or not (best in gaps and -best in gaps)


@examples(60)
@given(uv=two_samples(max_size=40), alternative=ALTERNATIVES, layout=layouts)
def test_ks_statistic_and_exact_pvalue_match_scipy(uv, alternative, layout):
    """ks_2samp(u, v, alternative, method='exact'): statistic, statistic_location,
    statistic_sign and the exact p-value as scipy.stats.ks_2samp (README: 'they match
    scipy to 1e-12'); method='auto' is 'exact' for max(n, m) <= 10000."""
    u, v = uv
    r = ck.ks_2samp(with_layout(u, layout), with_layout(v, layout), alternative=alternative, method="exact")
    s = _scipy_ks(u, v, alternative, "exact")
    # The statistic is a difference of two fractions i/n - j/m, rounded once or twice.
    assert_close(r.statistic, s.statistic if s is not None else r.statistic, rtol=4 * EPS, atol=4 * EPS)
    assert 0.0 <= r.statistic <= 1.0 and 0.0 <= r.pvalue <= 1.0
    assert r.method == "exact"
    auto = ck.ks_2samp(u, v, alternative=alternative)
    assert bits_equal(auto.statistic, r.statistic) and bits_equal(auto.pvalue, r.pvalue)
    # statistic_location is an x where the signed gap sign * (F_u - F_v) reaches the
    # statistic. Where it is reached at several x, scipy 1.10 returns the first in
    # data1-then-data2 input order (an argmin over the unsorted concatenation); ours may
    # return another of them: e.g. u = [0, 1], v = [0, -1] (D = 1/2 at x = -1 and x = 0),
    # scipy 0.0, ours -1.0. So: ours is checked by the definition, and equals scipy's
    # where the maximum is attained at one x only.
    if r.statistic > 0:
        gap = ecdf(u, r.statistic_location) - ecdf(v, r.statistic_location)
        assert_close(r.statistic_sign * gap, r.statistic, rtol=4 * EPS, atol=4 * EPS)
    if s is None:
        return
    if r.statistic > 0 and unique_argmax(u, v, alternative):
        assert r.statistic_location == s.statistic_location
        assert r.statistic_sign == s.statistic_sign
    assert_close(r.pvalue, s.pvalue, rtol=1e-12, atol=1e-15)


@examples(40)
@given(uv=two_samples(min_size=2, max_size=40), alternative=ALTERNATIVES)
def test_ks_asymptotic_pvalues(uv, alternative):
    """method='asymp': one-sided p-values are scipy's (Hodges' formula); the two-sided one is
    the limiting Kolmogorov distribution Q(sqrt(nm/(n+m)) D) = scipy.special.kolmogorov, a
    documented difference (README: scipy 1.10 uses kstwo.sf(D, round(nm/(n+m))))."""
    u, v = uv
    n, m = len(u), len(v)
    r = ck.ks_2samp(u, v, alternative=alternative, method="asymp")
    assert r.method == "asymp"
    if alternative == "two-sided":
        ref = float(scipy.special.kolmogorov(math.sqrt(n * m / (n + m)) * r.statistic))
    else:
        ref = scipy.stats.ks_2samp(u, v, alternative=alternative, method="asymp").pvalue
    assert_close(r.pvalue, min(max(ref, 0.0), 1.0), rtol=1e-12, atol=1e-15)


@examples(30)
@given(uv=two_samples(min_size=2, max_size=40), alternative=ALTERNATIVES, c=st.sampled_from([1.0, 0.5, 4.0]))
def test_weighted_ks_with_equal_weights_is_the_asymptotic_test(uv, alternative, c):
    """ks_2samp_weighted with equal weights (any power-of-two constant, so Kish's effective
    sizes (sum w)^2 / sum w^2 are exactly n and m) is ks_2samp(..., method='asymp'): the
    same statistic (the weighted one comes from cumulative fractions: 4 ulp) and p-value
    (its derivative in D is at most ~4 (nm/(n+m)) D p: rtol 1e-12)."""
    u, v = uv
    a = ck.ks_2samp_weighted(u, v, np.full(len(u), c), np.full(len(v), c), alternative=alternative)
    b = ck.ks_2samp(u, v, alternative=alternative, method="asymp")
    assert_close(a.statistic, b.statistic, rtol=4 * EPS, atol=4 * EPS)
    assert_close(a.pvalue, b.pvalue, rtol=1e-12, atol=1e-15)
    assert a.method == "asymp"


# ---------------------------------------------------------------------------------------
# Invariants.


@examples(40)
@given(uv=two_samples(), p=st.sampled_from([1.0, 2.0, 3.5, math.inf]))
def test_symmetry(uv, p):
    """W_p, the energy distance and the two-sided KS test are symmetric; swapping the samples
    swaps 'less' and 'greater' (same statistic and p-value). Within 4 ulp: the merge walks
    the two samples in a different role."""
    u, v = uv
    # Keep |d|^p finite: overflow is test_finite_samples_never_give_nan's subject.
    s = spread(u, v)
    assume(math.isfinite(s) and (s == 0 or math.log10(s) * min(p, 3.5) < 300))
    assert_close(ck.wasserstein(u, v, p=p), ck.wasserstein(v, u, p=p), rtol=4 * EPS)
    assert_close(ck.energy_distance(u, v) ** 2, ck.energy_distance(v, u) ** 2, rtol=energy_rtol(len(u), len(v)))
    a, b = ck.ks_2samp(u, v), ck.ks_2samp(v, u)
    assert_close(a.statistic, b.statistic, rtol=2 * EPS, atol=2 * EPS)
    assert_close(a.pvalue, b.pvalue, rtol=1e-12, atol=1e-15)
    g, l_ = ck.ks_2samp(u, v, alternative="greater"), ck.ks_2samp(v, u, alternative="less")
    assert_close(g.statistic, l_.statistic, rtol=2 * EPS, atol=2 * EPS)
    assert_close(g.pvalue, l_.pvalue, rtol=1e-12, atol=1e-15)


@examples(40)
@given(x=samples(1, 30), seed=st.integers(0, 2**32 - 1), k=st.integers(1, 3), p=ORDERS)
def test_identity_of_distributions(x, seed, k, p):
    """d(x, x) = 0 exactly, and so between x and any permutation of x repeated k times (the
    same empirical distribution: the quantile functions coincide segment by segment).
    KS: statistic 0, p-value 1."""
    y = np.tile(np.random.default_rng(seed).permutation(x), k)
    for a, b in ((x, x), (x, y), (y, x)):
        assert ck.wasserstein(a, b, p=p) == 0.0
        assert ck.wasserstein(a, b, p=math.inf) == 0.0
        assert ck.energy_distance(a, b) == 0.0
        r = ck.ks_2samp(a, b)
        assert r.statistic == 0.0 and r.pvalue == 1.0
    w = np.ones(len(x))
    assert ck.wasserstein(x, y, w, np.ones(len(y)), p=p) == 0.0
    assert ck.ks_2samp_weighted(x, x, w, 2 * w).statistic == 0.0


@examples(50)
@given(
    uvw=st.tuples(moderate_samples(1, 20), moderate_samples(1, 20), moderate_samples(1, 20)),
    p=st.sampled_from([1.0, 2.0, 3.5, math.inf]),
)
def test_triangle_inequality(uvw, p):
    """W_p (p >= 1, p = inf), the energy distance (the L2 distance of the CDFs, times sqrt 2)
    and the KS statistic (the sup distance of the CDFs) are metrics: d(u, w) <= d(u, v) +
    d(v, w), to a few ulp of the right side."""
    u, v, w = uvw
    for f in (lambda a, b: ck.wasserstein(a, b, p=p), ck.energy_distance, lambda a, b: ck.ks_2samp(a, b).statistic):
        duw, duv, dvw = f(u, w), f(u, v), f(v, w)
        assert duw <= (duv + dvw) * (1 + 16 * EPS) + 4 * EPS * (p == math.inf), (duw, duv, dvw)


@examples(50)
@given(
    uv=two_samples(moderate_samples),
    k=st.integers(-40, 40),
    sign=st.sampled_from([1.0, -1.0]),
    p=st.sampled_from([1.0, 2.0, 3.5, math.inf]),
)
def test_scaling_by_powers_of_two(uv, k, sign, p):
    """x -> a x with a = +-2^k is exact in binary, so W_p(a u, a v) = |a| W_p(u, v) to the
    rounding of pow (for a < 0 the merge also runs in reverse order: a few ulp), and
    E(a u, a v)^2 = |a| E(u, v)^2 to energy_rtol; KS is unchanged for a > 0 and, for a < 0,
    F and G are reflected: 'greater' and 'less' swap."""
    u, v = uv
    a = sign * 2.0**k
    au, av = u * a, v * a
    assert_close(ck.wasserstein(au, av, p=p), abs(a) * ck.wasserstein(u, v, p=p), rtol=8 * EPS)
    assert_close(ck.energy_distance(au, av) ** 2, abs(a) * ck.energy_distance(u, v) ** 2,
                 rtol=energy_rtol(len(u), len(v)))
    if sign > 0:
        assert ck.ks_2samp(au, av).statistic == ck.ks_2samp(u, v).statistic
    else:
        assert_close(ck.ks_2samp(au, av, alternative="greater").statistic,
                     ck.ks_2samp(u, v, alternative="less").statistic, rtol=2 * EPS, atol=2 * EPS)


@examples(50)
@given(
    uv=two_samples(moderate_samples),
    a=st.one_of(finite_floats(-1e3, -1e-3), finite_floats(1e-3, 1e3)),
    b=finite_floats(-1e6, 1e6),
    p=st.sampled_from([1.0, 2.0, 3.5]),
)
def test_affine_laws(uv, a, b, p):
    """W_p(a u + b, a v + b) = |a| W_p(u, v); E(a u + b, a v + b) = sqrt|a| E(u, v) (the
    CDFs are stretched by |a|). a u + b rounds each value by up to 1 ulp of |a x| + |b|,
    which moves W_p by at most 2 ulp of max(|a x| + |b|); E^2 by 4 such ulp times the
    largest CDF gap (<= 1)."""
    u, v = uv
    au, av = a * u + b, a * v + b
    scale = float(np.max(np.abs(a * np.concatenate([u, v])))) + abs(b)
    assert_close(ck.wasserstein(au, av, p=p), abs(a) * ck.wasserstein(u, v, p=p), rtol=1e-12,
                 atol=4 * EPS * scale)
    assert_close(ck.energy_distance(au, av) ** 2, abs(a) * ck.energy_distance(u, v) ** 2,
                 rtol=1e-12 + energy_rtol(len(u), len(v)), atol=8 * EPS * scale * (len(u) + len(v)))


@examples(40)
@given(
    uv=two_samples(moderate_samples, max_size=15),
    data=st.data(),
    p=st.sampled_from([1.0, 2.0, 3.0]),
)
def test_integer_weights_are_repeated_values(uv, data, p):
    """Weights are multiplicities: weighting u_i by an integer k_i is repeating it k_i times
    (W_p, energy distance; the weighted KS statistic equals ks_2samp's on the repeats)."""
    u, v = uv
    ku = np.array(data.draw(st.lists(st.integers(0, 4), min_size=len(u), max_size=len(u))))
    kv = np.array(data.draw(st.lists(st.integers(0, 4), min_size=len(v), max_size=len(v))))
    assume(ku.sum() > 0 and kv.sum() > 0)
    ru, rv = np.repeat(u, ku), np.repeat(v, kv)
    wu, wv = ku.astype(float), kv.astype(float)
    s = spread(u, v)
    n = len(ru) + len(rv)
    assert_close(ck.wasserstein(u, v, wu, wv, p=p), ck.wasserstein(ru, rv, p=p), rtol=4 * (n + 8) * EPS,
                 atol=4 * n * EPS * s)
    assert_close(ck.energy_distance(u, v, wu, wv) ** 2, ck.energy_distance(ru, rv) ** 2,
                 rtol=energy_rtol(len(ru), len(rv)), atol=8 * n * EPS * s)
    assert_close(ck.ks_2samp_weighted(u, v, wu, wv).statistic, ck.ks_2samp(ru, rv).statistic,
                 rtol=4 * n * EPS, atol=4 * n * EPS)


@examples(40)
@given(
    uv=two_samples(),
    layout=layouts,
    dtype=st.sampled_from(["f8", "f4", "i8", "i2"]),
)
def test_same_answer_for_every_layout_and_dtype(uv, layout, dtype):
    """The distances depend on the values only: a float32 or integer array gives the bits of
    the float64 array of the same values, in any memory layout."""
    u, v = uv
    dt = np.dtype(dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        if dt.kind == "f":
            u, v = u.astype(dt), v.astype(dt)
        else:
            info = np.iinfo(dt)
            u = np.clip(np.nan_to_num(np.round(u)), info.min, info.max).astype(dt)
            v = np.clip(np.nan_to_num(np.round(v)), info.min, info.max).astype(dt)
    assume(np.all(np.isfinite(u)) and np.all(np.isfinite(v)))
    u64, v64 = u.astype(np.float64), v.astype(np.float64)
    lu, lv = with_layout(u, layout), with_layout(v, layout)
    assert bits_equal(ck.wasserstein(lu, lv), ck.wasserstein(u64, v64))
    assert bits_equal(ck.wasserstein(lu, lv, p=2.0), ck.wasserstein(u64, v64, p=2.0))
    assert bits_equal(ck.energy_distance(lu, lv), ck.energy_distance(u64, v64))
    a, b = ck.ks_2samp(lu, lv), ck.ks_2samp(u64, v64)
    assert bits_equal(a.statistic, b.statistic) and bits_equal(a.pvalue, b.pvalue)


# ---------------------------------------------------------------------------------------
# Invalid input: what the README documents.


@examples(40)
@given(
    uv=two_samples(),
    nan_u=st.lists(st.integers(0, 29), max_size=3),
    nan_v=st.lists(st.integers(0, 29), min_size=1, max_size=3),
)
def test_nan_policies(uv, nan_u, nan_v):
    """nan_policy: 'raise' names the first NaN; 'omit' drops NaN values (the same bits as
    the samples without them; only NaN left is an error); 'propagate' returns NaN."""
    u, v = (a.copy() for a in uv)
    u[sorted({i % len(u) for i in nan_u})] = np.nan
    v[sorted({i % len(v) for i in nan_v})] = np.nan
    keep_u, keep_v = u[~np.isnan(u)], v[~np.isnan(v)]
    for name, f in (
        ("wasserstein", lambda a, b, **k: ck.wasserstein(a, b, **k)),
        ("energy_distance", lambda a, b, **k: ck.energy_distance(a, b, **k)),
        ("ks_2samp", lambda a, b, **k: ck.ks_2samp(a, b, **k).statistic),
    ):
        with pytest.raises(ValueError, match=rf"collapsekit\.{name}: .* contains NaN \(first at index \d+\)"):
            f(u, v)
        assert math.isnan(f(u, v, nan_policy="propagate"))
        if len(keep_u) and len(keep_v):
            assert bits_equal(f(u, v, nan_policy="omit"), f(keep_u, keep_v))
        else:
            with pytest.raises(ValueError):
                f(u, v, nan_policy="omit")


@examples(30)
@given(
    x=samples(1, 20),
    bad=st.sampled_from([math.inf, -math.inf]),
    where=st.integers(0, 20),
    which=st.sampled_from(["u", "v"]),
)
def test_infinite_values_and_empty_samples_are_errors(x, bad, where, which):
    """An infinite value is a ValueError naming the sample and index (the distance would be
    inf or undefined); an empty sample is a ValueError '... is empty'."""
    i = where % (len(x) + 1)
    y = np.insert(x, i, bad)
    args = (y, x) if which == "u" else (x, y)
    for name, f in (("wasserstein", ck.wasserstein), ("energy_distance", ck.energy_distance),
                    ("ks_2samp", ck.ks_2samp)):
        with pytest.raises(ValueError, match=rf"collapsekit\.{name}: {which} must hold finite values \({which}\[{i}\]"):
            f(*args)
        with pytest.raises(ValueError, match="is empty"):
            f(x, np.array([]))
        with pytest.raises(ValueError, match="is empty"):
            f(np.array([]), x)


@examples(30)
@given(
    uv=two_samples(max_size=10),
    p=st.one_of(finite_floats(-1e6, 0.999999), st.just(math.nan), st.just(-math.inf)),
)
def test_order_below_one_is_an_error(uv, p):
    """W_p needs p >= 1 (or inf): ValueError 'p must be at least 1'."""
    u, v = uv
    with pytest.raises(ValueError, match="p must be at least 1"):
        ck.wasserstein(u, v, p=p)


@examples(40)
@given(
    uv=two_samples(max_size=10),
    data=st.data(),
    problem=st.sampled_from(["length", "negative", "zero_total", "inf", "nan", "one_missing"]),
    f=st.sampled_from([ck.wasserstein, ck.energy_distance, ck.ks_2samp_weighted]),
)
def test_bad_weights_are_clear_errors(uv, data, problem, f):
    """Weights: of the sample's length, non-negative, finite, with a positive finite total;
    both or neither (ks_2samp_weighted needs both). Each violation is a ValueError."""
    u, v = uv
    wu = data.draw(weights_for(len(u)))
    wv = data.draw(weights_for(len(v)))
    name = f.__name__
    if problem == "length":
        bad = np.append(wv, 1.0)
        msg = rf"collapsekit\.{name}: v and v_weights differ in length \({len(v)} vs {len(v) + 1}\)"
    elif problem == "negative":
        bad = wv.copy()
        bad[0] = -1.0
        msg = r"v_weights must be non-negative and finite \(v_weights\[0\] = -1\)"
    elif problem == "zero_total":
        bad, msg = np.zeros(len(v)), "v_weights must have a positive, finite sum"
    elif problem == "inf":
        bad = wv.copy()
        bad[-1] = math.inf
        msg = r"v_weights must be non-negative and finite"
    elif problem == "nan":
        bad = wv.copy()
        bad[0] = math.nan
        msg = r"v_weights"
    else:
        if f is ck.ks_2samp_weighted:
            with pytest.raises(TypeError):
                f(u, v, wu)
            return
        with pytest.raises(ValueError, match="pass both u_weights and v_weights, or neither"):
            f(u, v, wu, None)
        return
    with pytest.raises(ValueError, match=msg):
        f(u, v, wu, bad)


# ---------------------------------------------------------------------------------------
# Threads: the sort and the merge run in chunks fixed by the data (README "Threads").

BIG = (1 << 16) + 4099


@examples(5)
@given(seed=st.integers(0, 2**32 - 1), ties=st.booleans(), weighted=st.booleans())
def test_bit_identical_for_threads(seed, ties, weighted):
    """threads=1 and threads=2 give the same bits for W_p, energy and KS on samples of a
    few chunks (with ties, -0.0 and +0.0, subnormals)."""
    rng = np.random.default_rng(seed)
    u = rng.normal(size=BIG)
    v = rng.standard_cauchy(size=BIG // 2 + 17)
    if ties:
        u = np.round(u * 4) / 4
        v = np.round(v)
    u[:5] = [0.0, -0.0, 5e-324, -5e-324, 1e300]
    wu = rng.random(len(u)) if weighted else None
    wv = rng.random(len(v)) if weighted else None
    for p in (1.0, 2.0, 3.0):
        assert bits_equal(ck.wasserstein(u, v, wu, wv, p=p, threads=1), ck.wasserstein(u, v, wu, wv, p=p, threads=2))
    assert bits_equal(ck.energy_distance(u, v, wu, wv, threads=1), ck.energy_distance(u, v, wu, wv, threads=2))
    a, b = ck.ks_2samp(u, v, threads=1), ck.ks_2samp(u, v, threads=2)
    assert bits_equal(a.statistic, b.statistic) and bits_equal(a.pvalue, b.pvalue)


# ---------------------------------------------------------------------------------------
# Found by these properties: wide-range samples.


@examples(30)
@given(uv=two_samples(samples, max_size=6, magnitude=1.7976931348623157e308), p=st.sampled_from([1.0, 2.0, 3.0]))
@example(uv=(np.array([1e308, -1e308]), np.array([2.0])), p=1.0)
def test_finite_samples_never_give_nan(uv, p):
    """Finite samples have a finite or +inf distance (never NaN), and W_p of finite values
    is at most the spread max - min, at least |mean(u) - mean(v)| for p = 1."""
    u, v = uv
    w = ck.wasserstein(u, v, p=p)
    e = ck.energy_distance(u, v)
    assert not math.isnan(w) and not math.isnan(e)
    with np.errstate(over="ignore"):
        s = float(np.max(np.concatenate([u, v]))) - float(np.min(np.concatenate([u, v])))
    assert w <= s * (1 + 1e-12)


@examples(30)
@given(
    uv=two_samples(moderate_samples, max_size=10),
    k=st.sampled_from([-1070, -1000, -700, -400, 400, 700, 1000]),
    p=st.sampled_from([2.0, 3.0, 7.25]),
)
@example(uv=(np.array([1.0]), np.array([0.0])), k=-700, p=2.0)
def test_wp_scaling_over_the_whole_double_range(uv, k, p):
    """W_p(2^k u, 2^k v) = 2^k W_p(u, v) whenever both sides are normal doubles: W_p is in
    the units of the samples, so no representable answer may be lost to |d|^p."""
    u, v = uv
    w = ck.wasserstein(u, v, p=p)
    with np.errstate(over="ignore", under="ignore"):
        su, sv = u * 2.0**k, v * 2.0**k
        expected = w * 2.0**k
    assume(np.all(np.isfinite(su)) and np.all(np.isfinite(sv)))
    assume(np.all(su / 2.0**k == u) and np.all(sv / 2.0**k == v))  # scaling exact
    assume(w > 0 and np.finfo(float).tiny <= expected < np.finfo(float).max / 4)
    assert_close(ck.wasserstein(su, sv, p=p), expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# Input classes every array entry point shares (README "Conventions", Python section).

ENTRY_POINTS = {
    "entropy": lambda a, b, **k: ck.entropy(a, **k),
    "entropy_qk": lambda a, b, **k: ck.entropy(a, b, **k),
    "kl_divergence": lambda a, b, **k: ck.kl_divergence(a, b, **k),
    "js_distance_counts": lambda a, b, **k: ck.js_distance_counts(a, b, **k),
    "wasserstein": lambda a, b, **k: ck.wasserstein(a, b, **k),
    "energy_distance": lambda a, b, **k: ck.energy_distance(a, b, **k),
    "ks_2samp": lambda a, b, **k: ck.ks_2samp(a, b, **k),
    "histogram": lambda a, b, **k: ck.histogram(a, 3, **k),
}


@examples(40)
@given(
    name=st.sampled_from(sorted(ENTRY_POINTS)),
    which=st.sampled_from(["first", "second"]),
    bad=st.sampled_from(["object", "str", "datetime", "2d", "3d", "complex"]),
    n=st.integers(1, 5),
)
def test_wrong_dtype_and_dimension(name, which, bad, n):
    """Non-numeric dtypes (object, strings, datetimes, and complex, whose imaginary part
    must not be dropped silently) raise TypeError naming the function and the argument;
    2-D or 3-D input where 1-D is expected raises ValueError '... must be 1-dimensional'."""
    good = np.full(n, 1.0 / n)
    if bad == "object":
        arg = np.array([object()] * n)
    elif bad == "str":
        arg = np.array(["a"] * n)
    elif bad == "datetime":
        arg = np.array(["2024-01-01"] * n, dtype="datetime64[D]")
    elif bad == "2d":
        arg = np.full((n, 2), 0.5 / n)
    elif bad == "3d":
        arg = np.full((1, n, 1), 1.0 / n)
    else:
        arg = np.full(n, 1.0 / n) + 0j
    if which == "second" and name in ("entropy", "histogram"):
        which = "first"
    args = (arg, good) if which == "first" else (good, arg)
    f = ENTRY_POINTS[name]
    if bad in ("2d", "3d"):
        with pytest.raises(ValueError, match=r"must be 1-dimensional \(got [23] dimensions\)"):
            f(*args)
    else:
        with pytest.raises(TypeError, match=r"collapsekit\.\w+: \w+ must be a numeric array \(got dtype"):
            f(*args)


@examples(20)
@given(name=st.sampled_from(sorted(ENTRY_POINTS)), threads=st.integers(-(2**40), -1))
def test_negative_threads_is_an_error(name, threads):
    """threads= must be 0 (every core that pays) or a positive count: ValueError otherwise."""
    x = np.array([0.25, 0.75])
    with pytest.raises(ValueError, match="threads must be 0"):
        ENTRY_POINTS[name](x, x, threads=threads)
