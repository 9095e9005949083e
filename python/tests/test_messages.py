"""Error messages raised through the bindings name things the way Python code spells them:
collapsekit.<function> (never collapsekit::<function>), Python class names, and keyword
values as they are passed (nan_policy='omit', not nan_policy::omit)."""

import numpy as np
import pytest

import collapsekit as ck

NAN = np.array([0.1, np.nan, 0.3])
GOOD = np.array([0.2, 0.5, 0.9])


def message_of(call, kind=ValueError):
    with pytest.raises(kind) as e:
        call()
    return str(e.value)


def test_nan_policy_is_spelt_as_the_keyword():
    m = message_of(lambda: ck.ks_2samp(NAN, GOOD))
    assert m.startswith("collapsekit.ks_2samp: ")
    assert "nan_policy='omit' or nan_policy='propagate'" in m
    assert "::" not in m


def test_function_names_use_dots():
    assert message_of(lambda: ck.wasserstein([], GOOD)).startswith("collapsekit.wasserstein")
    assert message_of(lambda: ck.entropy([0.5, -0.5])).startswith("collapsekit.shannon_entropy: p must be")
    assert message_of(lambda: ck.entropy([0.5, 0.5], base=1.0)).startswith("collapsekit.")
    assert message_of(lambda: ck.kl_divergence([0.5, 0.5], [1.0])) == (
        "collapsekit.kl_divergence: p and q differ in length (2 vs 1)"
    )


def test_class_members_use_python_class_names():
    m = message_of(lambda: ck.Histogram.regular(0, 0.0, 1.0))
    assert m.startswith("collapsekit.Histogram.regular: ")
    a, b = ck.NgramCounts(2), ck.NgramCounts(3)
    assert message_of(lambda: a.merge(b)) == "collapsekit.NgramCounts.merge: orders differ (2 vs 3)"
    m = message_of(lambda: ck.HyperLogLog(2, precision=3))
    assert m.startswith("collapsekit.HyperLogLog: precision")
    m = message_of(lambda: ck.Histogram.from_quantiles(GOOD, 2, nan_policy="propagate"))
    assert "nan_policy='propagate' has no meaning" in m and "::" not in m


def test_binding_messages_and_types_are_kept():
    # Raised by the bindings themselves (pybind11 exception types): the type survives.
    m = message_of(lambda: ck.distinct_n([[1, 2, 3]], 2, average="x"))
    assert m == "collapsekit.distinct_n: average must be 'corpus' or 'document' (got 'x')"
    m = message_of(lambda: ck.distinct_n(3, 2), TypeError)
    assert m.startswith("collapsekit.distinct_n: corpus must be")
    m = message_of(lambda: ck.entropy(np.array(["a", "b"])), TypeError)
    assert m.startswith("collapsekit.entropy: ")


def test_token_id_errors_name_the_document():
    m = message_of(lambda: ck.Corpus([np.array([1, 2]), np.array([3, -1])]))
    assert m == "collapsekit.Corpus: documents[1] must hold token ids in [0, 2^32) (documents[1][1] = -1)"
    m = message_of(lambda: ck.distinct_n(np.array([5, 2**32]), 1))
    assert m == "collapsekit.distinct_n: corpus must hold token ids in [0, 2^32) (corpus[1] = 4294967296)"
    c = ck.Corpus()
    m = message_of(lambda: c.add_document(np.array([-3], dtype=np.int8)))
    assert m == "collapsekit.Corpus.add_document: ids must hold token ids in [0, 2^32) (ids[0] = -3)"
    m = message_of(lambda: ck.NgramCounts(2).add_ngram([1, -1]))
    assert m.startswith("collapsekit.NgramCounts.add_ngram: ids must lie in [0, 2^32)")


def test_no_message_keeps_a_cpp_spelling():
    calls = [
        lambda: ck.ks_2samp(NAN, GOOD),
        lambda: ck.wasserstein(NAN, GOOD),
        lambda: ck.energy_distance(NAN, GOOD),
        lambda: ck.kl_divergence([0.5, 0.5], [0.5, np.nan]),
        lambda: ck.js_divergence([0.5, 0.5], [1.0]),
        lambda: ck.entropy([0.5, np.nan]),
        lambda: ck.tail_mass(NAN, GOOD),
        lambda: ck.tail_mass(GOOD, GOOD, alpha=0.9),
        lambda: ck.histogram(NAN, bins=3),
        lambda: ck.Histogram.regular(4, 1.0, 0.0),
        lambda: ck.ZeroSupport.additive(-1.0),
        lambda: ck.ZeroSupport.skew(2.0),
        lambda: ck.distinct_n([[1, 2]], 9),
        lambda: ck.distinct_n([[1]], 2),
        lambda: ck.NgramCounts.deserialize(b"nope"),
        lambda: ck.HyperLogLog.deserialize(b"nope"),
        lambda: ck.Corpus.from_arrays([1, 2], [0, 3]),
    ]
    for call in calls:
        with pytest.raises((ValueError, TypeError, IndexError)) as e:
            call()
        m = str(e.value)
        assert m.startswith("collapsekit"), m
        assert "::" not in m, m


def test_errors_from_python_callbacks_are_untouched():
    def statistic(x):
        raise KeyError("collapsekit::mine")

    with pytest.raises(KeyError, match="collapsekit::mine"):
        ck.bootstrap((GOOD,), statistic, n_resamples=10)
