"""Shared Hypothesis settings, strategies and tolerances for the test_properties_*.py suites.

This module holds no tests; each test_properties_* module puts its own directory on sys.path
and imports it, so that works under pytest's default and 'importlib' import modes alike.

Profiles (chosen by the HYPOTHESIS_PROFILE environment variable, read at import):
  ci   (default)  derandomized (the same examples on every run and machine), no example
                  database written anywhere, no deadline; each test's example count is
                  the base count written at its @settings, sized so that every
                  test_properties_*.py together stays under ~40 s on a 2-core machine.
  long            20x the examples, randomized (a fresh campaign each run; a failure
                  prints the @reproduce_failure blob to replay it), still no database.
                  Run:  HYPOTHESIS_PROFILE=long python3 -m pytest python/tests/test_properties_*.py
The profiles are applied through examples(n) at each test, not with settings.load_profile,
so loading this module never changes Hypothesis' global defaults for other test modules.
"""

import math
import os

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, print_blob=True, suppress_health_check=_HEALTH
)
settings.register_profile(
    "long", deadline=None, derandomize=False, database=None, print_blob=True, suppress_health_check=_HEALTH
)
PROFILE_NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE_NAME not in ("ci", "long"):
    PROFILE_NAME = "ci"
PROFILE = settings.get_profile(PROFILE_NAME)
FACTOR = 20 if PROFILE_NAME == "long" else 1


def examples(n):
    """@examples(n): the profile's settings with n examples (20 n under the long profile)."""
    return settings(parent=PROFILE, max_examples=n * FACTOR)


EPS = np.finfo(np.float64).eps  # 2^-52
EPS32 = float(np.finfo(np.float32).eps)  # 2^-23
TINY = np.finfo(np.float64).tiny  # smallest normal, 2.2e-308
SUBNORMAL_MIN = 5e-324

# ---------------------------------------------------------------------------------------
# Memory layouts. The bindings read C-contiguous float64/float32/int64 in place and
# convert everything else once; each property draws a layout so that every path is hit.
# A strided view is cut from a buffer whose skipped slots hold a poison value (NaN for
# floats, -1 / max for integers): a binding that read the buffer as contiguous would see it.
LAYOUTS = ("contiguous", "reversed", "strided", "list")


def poison_for(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.nan
    if dtype.kind == "b":
        return True
    if dtype.kind == "u":
        return np.iinfo(dtype).max
    return -1


def with_layout(values, layout):
    """The same values (1-D numpy array) as a contiguous array, a negative-stride view, a
    step-2 view of a poisoned buffer, or a Python list."""
    values = np.asarray(values)
    if layout == "contiguous":
        return np.ascontiguousarray(values)
    if layout == "reversed":
        out = values[::-1].copy()[::-1]
        assert values.size <= 1 or out.strides[0] < 0
        return out
    if layout == "strided":
        buf = np.empty(2 * values.size + 1, dtype=values.dtype)
        buf[:] = poison_for(values.dtype)
        buf[1::2] = values
        out = buf[1::2]
        assert values.size <= 1 or not out.flags.c_contiguous
        return out
    if layout == "list":
        return values.tolist()
    raise AssertionError(layout)


layouts = st.sampled_from(LAYOUTS)

# ---------------------------------------------------------------------------------------
# Values.


def finite_floats(min_value=None, max_value=None, width=64, allow_subnormal=None):
    if width == 32:  # bounds must be float32 values
        min_value = None if min_value is None else float(np.float32(min_value))
        max_value = None if max_value is None else float(np.float32(max_value))
    return st.floats(
        min_value=min_value,
        max_value=max_value,
        allow_nan=False,
        allow_infinity=False,
        allow_subnormal=allow_subnormal,
        width=width,
    )


def nonneg_weights(max_value=1e300, width=64):
    """Non-negative finite weights: zeros, subnormals, tiny, ordinary and huge values (the
    cap keeps a sum of up to 1e5 of them below DBL_MAX; overflowing sums are tested apart)."""
    if width == 32:
        max_value = min(max_value, 1e30)
    return st.one_of(
        st.just(0.0),
        finite_floats(0.0, max_value, width=width),
        finite_floats(0.5, 2.0, width=width),
        st.sampled_from(
            sorted({float(np.float32(v)) if width == 32 else v
                    for v in (SUBNORMAL_MIN, TINY, 1e-300, 1e-30, 1.0, 3.0, 1e30, 1e300) if v <= max_value})
        ),
    )


def has_positive_entry(a):
    return bool(np.any(a > 0))


def weight_vectors(min_size=1, max_size=40, width=64, max_value=1e300):
    """1-D arrays of non-negative weights (float64 or float32) with at least one positive entry."""
    dtype = np.float64 if width == 64 else np.float32
    return hnp.arrays(
        dtype,
        st.integers(min_size, max_size),
        elements=nonneg_weights(max_value=max_value, width=width),
    ).filter(has_positive_entry)


def count_vectors(min_size=1, max_size=40, max_count=10**6, dtype=np.int64):
    """Whole non-negative counts with at least one positive entry, of an integer dtype."""
    hi = min(max_count, np.iinfo(dtype).max)
    return hnp.arrays(dtype, st.integers(min_size, max_size), elements=st.integers(0, hi)).filter(
        lambda a: np.any(a > 0)
    )


def samples(min_size=1, max_size=40, width=64, magnitude=1e150, allow_subnormal=None):
    """1-D samples of finite floats in [-magnitude, magnitude]: duplicates (Hypothesis fills
    arrays with repeated values), zeros of both signs, subnormals, tiny and huge values."""
    dtype = np.float64 if width == 64 else np.float32
    if width == 32:
        magnitude = min(magnitude, 1e30)
    return hnp.arrays(
        dtype,
        st.integers(min_size, max_size),
        elements=finite_floats(-magnitude, magnitude, width=width, allow_subnormal=allow_subnormal),
    )


def moderate_samples(min_size=1, max_size=40, width=64):
    """Samples of moderate magnitude (|x| <= 1e6, or 0), with ties: where a comparison with
    scipy is about the measure and not about overflow in either implementation."""
    dtype = np.float64 if width == 64 else np.float32
    return hnp.arrays(
        dtype,
        st.integers(min_size, max_size),
        elements=st.one_of(
            st.integers(-20, 20).map(float),
            finite_floats(-1e6, 1e6, width=width, allow_subnormal=False),
        ),
    )


def normalisable(w):
    """True when every non-zero weight divided by the total is a normal double (no entry
    underflows to a subnormal or to 0 when a _counts form normalises on the fly; that case
    has its own test)."""
    w = np.asarray(w, dtype=np.float64)
    s = float(np.sum(w))
    nz = w[w > 0]
    return np.isfinite(s) and s > 0 and bool(np.all(nz / s >= TINY))


def normalised(w):
    return w / w.sum()


def sums_to_one(p):
    return bool(np.all(np.isfinite(p))) and abs(math.fsum(p) - 1.0) < 1e-12


def probability_vectors(min_size=1, max_size=40):
    """float64 probability vectors (summing to 1 well within the 1e-9 tolerance): weights
    normalised, with exact zeros kept."""
    return weight_vectors(min_size, max_size, max_value=1e6).map(normalised).filter(sums_to_one)


def same_length_pair(strategy_factory, min_size=1, max_size=40):
    """Two arrays of one common drawn length from strategy_factory(n, n)."""
    return st.integers(min_size, max_size).flatmap(lambda n: st.tuples(strategy_factory(n, n), strategy_factory(n, n)))


# ---------------------------------------------------------------------------------------
# Comparison helpers.


def close(actual, expected, rtol=1e-12, atol=0.0):
    """Equal as IEEE values where either is not finite (inf == inf, NaN == NaN), otherwise
    |a - e| <= atol + rtol |e|."""
    a, e = float(actual), float(expected)
    if math.isnan(e) or math.isnan(a):
        return math.isnan(e) and math.isnan(a)
    if math.isinf(e) or math.isinf(a):
        return a == e
    return abs(a - e) <= atol + rtol * abs(e)


def assert_close(actual, expected, rtol=1e-12, atol=0.0, what=""):
    assert close(actual, expected, rtol, atol), (
        f"{what}: got {actual!r}, expected {expected!r} (rtol {rtol}, atol {atol})")


def bits_equal(a, b):
    """Bit-for-bit equality of two floats (NaN payloads aside): what threads= promises."""
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return np.float64(a).tobytes() == np.float64(b).tobytes()
