"""The module itself: version, SIMD level, shared result types, bootstrap, conversions."""

import pickle
import re

import numpy as np
import pytest

import collapsekit as ck


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def test_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", ck.__version__)
    assert ck.version_info == tuple(int(x) for x in ck.__version__.split("."))


def test_simd_level_is_the_hosts():
    # Built with -march=native: never the silent SSE2 baseline on a machine that has more.
    arch = ck.simd_arch()
    assert ck.simd_enabled
    flags = cpu_flags()
    if "avx2" in flags:
        assert arch != "sse2"
        assert "avx2" in arch or "avx512" in arch
    if {"avx512f", "avx512bw"} <= flags:
        assert "avx512" in arch


def test_build_info_names_version_arch_and_lanes():
    info = ck.build_info()
    assert info.startswith(f"collapsekit {ck.__version__}, SIMD {ck.simd_arch()} (")
    lanes = int(re.search(r"\((\d+) doubles? per batch\)", info).group(1))
    # 64-byte batches under AVX-512, 32 under AVX2, 16 under SSE2.
    assert lanes == (8 if "avx512" in ck.simd_arch() else 4 if "avx" in ck.simd_arch() else 2)
    assert re.search(r"(GCC|clang) \d+", info)


def test_estimate_type():
    e = ck.Estimate(1.5, 0.25, 10)
    assert float(e) == 1.5 and e.standard_error == 0.25 and e.n == 10
    assert "Estimate(value=1.5" in repr(e)
    e2 = pickle.loads(pickle.dumps(e))
    assert (e2.value, e2.standard_error, e2.n) == (1.5, 0.25, 10)


def test_bootstrap_mean_interval_covers_and_is_seeded():
    x = np.random.default_rng(0).normal(size=400)
    r1 = ck.bootstrap((x,), np.mean, n_resamples=500, seed=7)
    r2 = ck.bootstrap((x,), np.mean, n_resamples=500, seed=7)
    assert r1.estimate == pytest.approx(x.mean(), rel=1e-15)
    assert (r1.low, r1.high, r1.standard_error) == (r2.low, r2.high, r2.standard_error)
    assert r1.low < x.mean() < r1.high
    # The bootstrap standard error of a mean is close to s / sqrt(n).
    assert r1.standard_error == pytest.approx(x.std(ddof=1) / np.sqrt(x.size), rel=0.15)
    assert r1.confidence_interval == (r1.low, r1.high)
    r3 = ck.bootstrap((x,), np.mean, n_resamples=500, seed=8)
    assert r3.low != r1.low


def test_bootstrap_two_samples_and_counts():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=200), rng.normal(0.5, size=300)
    r = ck.bootstrap((x, y), lambda a, b: b.mean() - a.mean(), n_resamples=300, seed=1)
    assert r.estimate == pytest.approx(y.mean() - x.mean(), rel=1e-12)
    assert r.low < r.estimate < r.high
    c = np.array([30, 50, 20])
    rc = ck.bootstrap_counts(c, lambda v: v[0] / v.sum(), n_resamples=400, seed=3)
    assert rc.estimate == pytest.approx(0.3, rel=1e-15)
    assert rc.standard_error == pytest.approx(np.sqrt(0.3 * 0.7 / 100), rel=0.2)


def test_bootstrap_errors_name_the_python_keywords():
    with pytest.raises(ValueError, match=r"collapsekit.bootstrap: sample is empty"):
        ck.bootstrap((np.array([]),), np.mean)
    with pytest.raises(ValueError, match=r"n_resamples must be at least 2 \(got 1\)"):
        ck.bootstrap((np.ones(3),), np.mean, n_resamples=1)
    with pytest.raises(ValueError, match=r"confidence_level must lie in \(0, 1\) \(got 1.5\)"):
        ck.bootstrap((np.ones(3),), np.mean, confidence_level=1.5)
    with pytest.raises(ValueError, match="one or two samples"):
        ck.bootstrap((np.ones(3), np.ones(3), np.ones(3)), np.mean)
    with pytest.raises(TypeError, match="must be a numeric array"):
        ck.bootstrap((np.array(["a", "b"]),), np.mean)
    with pytest.raises(ValueError, match="non-negative whole counts"):
        ck.bootstrap_counts(np.array([1.5, 2.0]), np.sum)


def test_keyword_choices_name_the_function_the_argument_and_the_choices():
    u, v = np.arange(5.0), np.arange(5.0) + 0.5
    docs = [np.array([1, 2, 3]), np.array([2, 3, 4])]
    cases = [
        (lambda: ck.split_documents("a", how="x"), "split_documents: how must be 'lines', 'paragraphs' or 'whole'"),
        (lambda: ck.ks_2samp(u, v, alternative="x"), "ks_2samp: alternative must be 'two-sided', 'less' or 'greater'"),
        (lambda: ck.ks_2samp(u, v, method="x"), "ks_2samp: method must be 'auto', 'exact' or 'asymp'"),
        (lambda: ck.Policy.replace().human_floor(0.3, rule="x"), "Policy: rule must be 'exact' or 'per_sample'"),
        (lambda: ck.GaussianModel(variance="x"), "GaussianModel: variance must be 'mle' or 'unbiased'"),
        (lambda: ck.distinct_n(docs, 2, average="x"), "distinct_n: average must be 'corpus' or 'document'"),
        (lambda: ck.self_bleu(docs, smoothing="x"), "self_bleu: smoothing must be 'none', 'epsilon' or 'add_one'"),
        (lambda: ck.HyperLogLog(2).cardinality("x"), "HyperLogLog.cardinality: estimator must be 'classic' or 'ertl'"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value) == "collapsekit." + message + " (got 'x')"
