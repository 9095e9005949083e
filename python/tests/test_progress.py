"""simulate(progress=...): a callable, a tqdm bar, silence; errors and Ctrl-C stop the run."""

import signal
import threading
import time

import pandas as pd
import pytest

import collapsekit as ck

KW = dict(generations=6, samples=50, replicates=5, seed=4, metrics=["variance", "w1"])


@pytest.mark.parametrize("threads", [1, 2])
def test_progress_callable_counts_every_generation(threads):
    seen = []
    callers = set()
    df = ck.simulate(ck.GaussianModel(), threads=threads, progress=lambda d, t: (seen.append((d, t)),
                                                                               callers.add(threading.get_ident())),
                     **KW)
    total = KW["generations"] * KW["replicates"]
    assert seen == [(d, total) for d in range(1, total + 1)]
    # Called on the thread that called simulate, so it may touch anything a caller may.
    assert callers == {threading.get_ident()}
    # Progress changes nothing in the results.
    pd.testing.assert_frame_equal(df, ck.simulate(ck.GaussianModel(), threads=threads, **KW))


def test_progress_with_the_ngram_model_and_lineages():
    docs, words = ck.tokenize(ck.builtin_text())
    lm = ck.NgramLanguageModel(len(words), order=2)
    seen = []
    ck.simulate(lm, generations=3, samples=40, replicates=2, lineages=2, human=docs, threads=2,
                progress=lambda d, t: seen.append(d))
    assert seen == list(range(1, 7))


def test_progress_true_draws_a_tqdm_bar_without_a_terminal(capsys):
    pytest.importorskip("tqdm")
    df = ck.simulate(ck.GaussianModel(), progress=True, **KW)
    err = capsys.readouterr().err
    total = KW["generations"] * KW["replicates"]
    assert "simulate" in err and f"{total}/{total}" in err and "100%" in err
    assert len(df) > 0


def test_progress_false_is_silent(capsys):
    ck.simulate(ck.GaussianModel(), progress=False, **KW)
    ck.simulate(ck.GaussianModel(), **KW)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_progress_rejects_what_is_not_callable():
    with pytest.raises(TypeError, match="progress must be True, False or a callable"):
        ck.simulate(ck.GaussianModel(), progress="yes", **KW)


class Stop(Exception):
    pass


@pytest.mark.parametrize("threads", [1, 2])
def test_an_exception_in_progress_stops_the_run_and_propagates(threads):
    calls = []

    def progress(done, total):
        calls.append(done)
        if done == 3:
            raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        ck.simulate(ck.GaussianModel(), threads=threads, progress=progress, **KW)
    assert calls == [1, 2, 3]  # never called again once it raised
    # The module is usable afterwards.
    assert len(ck.simulate(ck.GaussianModel(), **KW)) > 0


def test_simulate_errors_still_raise_with_progress():
    with pytest.raises(ValueError, match="generations must be at least 1"):
        ck.simulate(ck.GaussianModel(), generations=0, samples=10, progress=lambda d, t: None)


class Interrupted(Exception):
    pass


@pytest.mark.parametrize("threads", [1, 2])
def test_a_signal_stops_a_long_run(threads):
    # SIGINT, as Ctrl-C sends it, with a handler of our own so that pytest's is untouched:
    # the run notices within a generation and the handler's exception propagates.
    def handler(signum, frame):
        raise Interrupted()

    old = signal.signal(signal.SIGINT, handler)
    timer = threading.Timer(0.3, signal.raise_signal, args=(signal.SIGINT,))
    try:
        start = time.monotonic()
        timer.start()
        with pytest.raises(Interrupted):
            # Many seconds of work if it were not stopped.
            ck.simulate(ck.GaussianModel(), generations=100000, samples=2000, replicates=4, threads=threads,
                        metrics=["variance"])
        assert time.monotonic() - start < 10
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, old)
