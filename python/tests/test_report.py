"""`collapsekit report` / `collapsekit profile`: formats, errors and exit codes, the JSON
against direct library calls, byte-identical output across runs and thread counts, the
HTML page (size, self-containedness, plots), profiles, thresholds, colour."""

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import collapsekit as ck
from collapsekit import cli

FAST = ["-B", "40", "--permutations", "40", "--distinct-draws", "8", "--self-bleu-sample", "20"]
ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "report"


def run(args, capsys, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    rc = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return rc, out, err


def report_json(tmp_path, capsys, ref, other, *extra, monkeypatch=None, stdin=None):
    out = tmp_path / "r.json"
    rc, _, err = run(["report", ref, other, *FAST, "--json", out, "--quiet", *extra], capsys, stdin=stdin,
                     monkeypatch=monkeypatch)
    assert rc == 0, err
    return json.loads(out.read_text())


def rows(report, section=0):
    if isinstance(section, str):
        section = [s["name"] for s in report["sections"]].index(section)
    return {r["measure"]: r for r in report["sections"][section]["measures"]}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    g = np.random.default_rng(7)
    a = g.normal(size=1500)
    b = g.normal(0.3, 0.7, size=1200)
    np.save(d / "a.npy", a)
    np.save(d / "b.npy", b)
    np.save(d / "a2.npy", np.column_stack([a[:1000], a[500:1500]]))
    np.save(d / "b2.npy", np.column_stack([b[:800], b[400:1200]]))
    (d / "a.txt").write_text("\n".join(repr(float(x)) for x in a) + "\n")
    (d / "b.txt").write_text("\n".join(repr(float(x)) for x in b) + "\n")
    (d / "a.csv").write_text("id,x,name\n" + "".join(f"{i},{x!r},n{i}\n" for i, x in enumerate(a)))
    (d / "b.csv").write_text("id,x,name\n" + "".join(f"{i},{x!r},n{i}\n" for i, x in enumerate(b)))
    (d / "a.tsv").write_text("".join(f"{x!r}\t{2 * x!r}\n" for x in a))
    (d / "b.tsv").write_text("".join(f"{x!r}\t{2 * x!r}\n" for x in b))
    with gzip.open(d / "b.csv.gz", "wt") as f:
        f.write((d / "b.csv").read_text())
    words = [f"w{i}" for i in range(400)]

    def corpus(n, s, seed):
        r = np.random.default_rng(seed)
        p = 1 / np.arange(1, 401) ** s
        p /= p.sum()
        return [" ".join(words[i] for i in r.choice(400, size=int(r.integers(4, 15)), p=p)) for _ in range(n)]

    ta, tb = corpus(300, 1.0, 1), corpus(250, 1.4, 2)
    (d / "ta.txt").write_text("\n".join(ta) + "\n")
    (d / "tb.txt").write_text("\n".join(tb) + "\n")
    (d / "tb.jsonl").write_text("".join(json.dumps({"body": t, "id": i}) + "\n" for i, t in enumerate(tb)))
    with gzip.open(d / "tb.jsonl.gz", "wt") as f:
        f.write((d / "tb.jsonl").read_text())
    return {"dir": d, "a": a, "b": b, "ta": ta, "tb": tb}


# ---- formats --------------------------------------------------------------------


def test_npy_lines_csv_tsv_gzip_give_the_same_numbers(data, tmp_path, capsys):
    d = data["dir"]
    base = report_json(tmp_path, capsys, d / "a.npy", d / "b.npy")
    assert base["schema"] == "collapsekit.report/1"
    assert base["inputs"]["reference"]["format"] == "npy"
    assert base["inputs"]["reference"]["columns"] == {"value": 1500}
    for ref, other, extra, name in [(d / "a.txt", d / "b.txt", [], "value"), (d / "a.csv", d / "b.csv.gz", [], "x"),
                                    (d / "a.csv", d / "b.csv", ["--column", "x"], "x")]:
        rep = report_json(tmp_path, capsys, ref, other, *extra)
        assert rows(rep, name)["ks"]["value"] == rows(base)["ks"]["value"]
        assert rows(rep, name)["wasserstein"]["low"] == rows(base)["wasserstein"]["low"]
    csv = report_json(tmp_path, capsys, d / "a.csv", d / "b.csv.gz")
    # all numeric columns by default: id and x (name is text, left out)
    assert [s["name"] for s in csv["sections"]] == ["id", "x", "rows"]
    assert csv["inputs"]["other"]["format"] == "csv.gz"
    tsv = report_json(tmp_path, capsys, d / "a.tsv", d / "b.tsv")
    assert [s["name"] for s in tsv["sections"]] == ["column0", "column1", "rows"]
    assert rows(tsv)["ks"]["value"] == rows(base)["ks"]["value"]


def test_npy_2d_gives_columns_and_rows(data, tmp_path, capsys):
    d = data["dir"]
    rep = report_json(tmp_path, capsys, d / "a2.npy", d / "b2.npy")
    assert [s["name"] for s in rep["sections"]] == ["column0", "column1", "rows"]
    sw = rows(rep, 2)["sliced_wasserstein"]
    a = np.load(d / "a2.npy")
    b = np.load(d / "b2.npy")
    assert sw["value"] == ck.sliced_wasserstein(a, b, n_projections=100, p=2.0, seed=0).value
    direct = ck.sliced_wasserstein_bootstrap(a, b, n_resamples=40, seed=0)
    assert (sw["low"], sw["high"]) == (direct["low"], direct["high"])
    assert "interval: normal" not in (sw["note"] or "")
    en = rows(rep, 2)["energy_rows"]
    assert en["reference"] == 1000 and en["other"] == 800  # rows used (1000 at most)
    assert en["value"] == ck.energy_rows_bootstrap(a, b, n_resamples=40, seed=0)["estimate"]
    assert en["low"] <= en["value"] <= en["high"]


def test_text_and_jsonl_field_and_gzip_and_stdin(data, tmp_path, capsys, monkeypatch):
    d = data["dir"]
    plain = report_json(tmp_path, capsys, d / "ta.txt", d / "tb.txt")
    assert plain["type"] == "text"
    js = report_json(tmp_path, capsys, d / "ta.txt", d / "tb.jsonl.gz", "--field", "body")
    assert js["inputs"]["other"]["format"] == "jsonl.gz"
    assert js["sections"] == plain["sections"]
    st = report_json(tmp_path, capsys, d / "ta.txt", "-", monkeypatch=monkeypatch,
                     stdin=(d / "tb.txt").read_bytes())
    assert st["sections"] == plain["sections"]
    assert st["inputs"]["other"]["path"] == "-"


def test_numbers_on_stdin_and_type_override(data, tmp_path, capsys, monkeypatch):
    d = data["dir"]
    base = report_json(tmp_path, capsys, d / "a.txt", d / "b.txt")
    st = report_json(tmp_path, capsys, "-", d / "b.txt", monkeypatch=monkeypatch, stdin=(d / "a.txt").read_bytes())
    assert st["sections"] == base["sections"]
    as_text = report_json(tmp_path, capsys, d / "a.txt", d / "b.txt", "--type", "text")
    assert as_text["type"] == "text"


# ---- errors and exit codes ----------------------------------------------------------


def _err(args, capsys, tmp_path=None):
    rc, out, err = run(["report", *FAST, "--quiet", *args], capsys)
    assert rc == 2, (rc, err)
    assert "Traceback" not in err
    assert err.count("\n") == 1, err  # one line
    return err


def test_input_errors_name_file_and_line(data, tmp_path, capsys):
    d = data["dir"]
    bad = tmp_path / "bad.txt"
    bad.write_text("".join(f"{i}.5\n" for i in range(12)) + "abc\n" + "".join(f"{i}\n" for i in range(8)))
    assert f"{bad}:13: 'abc' is not a number" in _err([bad, d / "b.txt"], capsys)
    assert f"{bad}:13: 'abc' is not a number" in _err([d / "b.txt", bad], capsys)
    assert f"{tmp_path / 'nope.npy'}: no such file" in _err([tmp_path / "nope.npy", d / "b.npy"], capsys)
    csv = tmp_path / "bad.csv"
    csv.write_text("x,y\n1,2\n3,\n")
    assert f"{csv}:3: column 'y': an empty field" in _err([csv, d / "b.csv", "--column", "y"], capsys)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("x,y\n1,2\n3\n")
    assert f"{ragged}:3: 1 fields where the header has 2" in _err([ragged, d / "b.csv"], capsys)
    assert "no column 'zz'" in _err([d / "a.csv", d / "b.csv", "--column", "zz"], capsys)
    jl = tmp_path / "bad.jsonl"
    jl.write_text('{"text": "a b"}\n{"text": \n')
    assert f"{jl}:2: not valid JSON" in _err([d / "ta.txt", jl], capsys)
    jl.write_text('{"text": "a b"}\n{"body": "c"}\n')
    assert f"{jl}:2: no field 'text'" in _err([d / "ta.txt", jl], capsys)
    nan = tmp_path / "nan.npy"
    np.save(nan, np.array([1.0, np.nan, 2.0]))
    assert f"{nan}: index 1: nan is not a finite number" in _err([nan, d / "b.npy"], capsys)
    cube = tmp_path / "cube.npy"
    np.save(cube, np.zeros((2, 2, 2)))
    assert "1-D or 2-D" in _err([cube, d / "b.npy"], capsys)
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"hello\nwor\xe9ld\n")
    assert f"{latin}:2: not UTF-8" in _err([d / "ta.txt", latin], capsys)
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(gzip.compress(b"1\n2\n3\n")[:-6])
    assert "broken gzip" in _err([broken, d / "b.txt"], capsys)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    assert "empty" in _err([empty, d / "b.txt"], capsys)
    assert "holds text but the reference" in _err([d / "a.npy", d / "ta.txt"], capsys)
    assert "directory" in _err([tmp_path, d / "b.npy"], capsys)


def test_usage_errors_exit_2(data, tmp_path, capsys):
    d = data["dir"]
    with pytest.raises(SystemExit) as e:
        cli.main(["report", str(d / "a.npy")])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        cli.main(["report", str(d / "a.npy"), str(d / "b.npy"), "--fail-on", "sometimes"])
    assert e.value.code == 2
    capsys.readouterr()
    assert "--resamples must be at least 2" in _err([d / "a.npy", d / "b.npy", "-B", "1"], capsys)
    assert "only one input" in _err(["-", "-"], capsys)
    assert "unknown measure 'kss'" in _err([d / "a.npy", d / "b.npy", "--threshold", "kss=0.1"], capsys)
    assert "low 0.5 above high 0.1" in _err([d / "a.npy", d / "b.npy", "--threshold", "ks=0.5:0.1"], capsys)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[report]\nsed = 3\n")
    assert "unknown option [report].sed" in _err([d / "a.npy", d / "b.npy", "--config", cfg], capsys)
    cfg.write_text("[report\n")
    assert "not valid TOML" in _err([d / "a.npy", d / "b.npy", "--config", cfg], capsys)


def test_fail_on_gates(data, tmp_path, capsys):
    d = data["dir"]
    args = ["report", d / "a.npy", d / "b.npy", *FAST, "--quiet"]
    assert run(args, capsys)[0] == 0  # report-only by default
    assert run(args + ["--fail-on", "drift"], capsys)[0] == 1
    same = ["report", d / "a.npy", d / "a.npy", *FAST, "--quiet"]
    assert run(same + ["--fail-on", "warn"], capsys)[0] == 0


# ---- the JSON against the library -------------------------------------------------


def test_numbers_json_matches_library(data, tmp_path, capsys):
    d = data["dir"]
    a, b = data["a"], data["b"]
    rep = report_json(tmp_path, capsys, d / "a.npy", d / "b.npy")
    r = rows(rep)
    ks = ck.ks_2samp(a, b)
    assert r["ks"]["value"] == pytest.approx(ks.statistic, rel=1e-12)
    assert r["ks_pvalue"]["p_value"] == pytest.approx(ks.pvalue, rel=1e-12)
    assert r["wasserstein"]["value"] == pytest.approx(ck.wasserstein(a, b), rel=1e-10)
    assert r["wasserstein_sd"]["value"] == pytest.approx(ck.wasserstein(a, b) / np.std(a, ddof=1), rel=1e-10)
    assert r["energy"]["value"] == pytest.approx(ck.energy_distance(a, b), rel=1e-10)
    assert r["mean_diff"]["reference"] == pytest.approx(np.mean(a), rel=1e-12)
    assert r["sd_diff"]["other"] == pytest.approx(np.std(b, ddof=1), rel=1e-12)
    assert r["variance_ratio"]["value"] == pytest.approx(np.var(b, ddof=1) / np.var(a, ddof=1), rel=1e-12)
    for q in (0.01, 0.5, 0.99):
        assert r[f"q{q:g}"]["reference"] == pytest.approx(np.quantile(a, q), rel=1e-12)
        assert r[f"q{q:g}"]["other"] == pytest.approx(np.quantile(b, q), rel=1e-12)
    for alpha in (0.01, 0.05):
        for side in ("left", "right"):
            assert r[f"retention_{side}_{alpha:g}"]["value"] == pytest.approx(
                ck.tail_retention(a, b, alpha=alpha, side=side), rel=1e-12)
    # bins: R's deciles; KL with add-0.5 smoothing, JS unsmoothed, PSI smoothed
    edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
    ca = np.bincount(np.searchsorted(edges, a, side="right"), minlength=edges.size + 1)
    cb = np.bincount(np.searchsorted(edges, b, side="right"), minlength=edges.size + 1)
    assert r["kl"]["value"] == pytest.approx(ck.kl_divergence_counts(ca, cb, zero_support=ck.ZeroSupport.additive(0.5)),
                                             rel=1e-12)
    assert r["js"]["value"] == pytest.approx(ck.js_divergence_counts(ca, cb), rel=1e-12)
    assert r["psi"]["value"] == pytest.approx(ck.psi_counts(ca, cb, zero_support=ck.ZeroSupport.additive(0.5)),
                                              rel=1e-12)
    assert r["entropy"]["other"] == pytest.approx(ck.entropy(cb), rel=1e-12)
    # intervals and p-values as the engine gives them
    eng = ck.sample_drift_bootstrap(a, b, n_resamples=40, seed=0, permutations=40)
    assert r["ks"]["low"] == eng["statistics"]["ks"]["low"]
    assert r["ks"]["p_value"] == eng["p_ks"]
    assert r["ks"]["status"] == "drift" and r["ks"]["low"] > 0.1
    assert rep["thresholds"]["ks"] == [0.0, 0.1]


def test_text_json_matches_library(data, tmp_path, capsys):
    d = data["dir"]
    rep = report_json(tmp_path, capsys, d / "ta.txt", d / "tb.txt")
    r = rows(rep)
    vocab = ck.Vocabulary()
    tok = ck.Tokenizer()
    ca = tok.encode_documents(data["ta"], vocab)
    cb = tok.encode_documents(data["tb"], vocab)
    ra = np.bincount(ca.tokens, minlength=vocab.size)
    rb = np.bincount(cb.tokens, minlength=vocab.size)
    assert r["documents"]["reference"] == 300 and r["documents"]["other"] == 250
    assert r["tokens"]["reference"] == ca.size
    assert r["unigram_js"]["value"] == pytest.approx(ck.js_divergence_counts(ra, rb), rel=1e-12)
    pt = ck.unigram_permutation_test(ca.tokens, ca.offsets, cb.tokens, cb.offsets, permutations=40, seed=0)
    assert r["unigram_js"]["p_value"] == pt["p_js"] and r["unigram_js"]["p_method"] == "permutation of documents"
    assert pt["js"] == pytest.approx(r["unigram_js"]["value"], rel=1e-12)
    assert r["unigram_kl"]["value"] == pytest.approx(
        ck.kl_divergence_counts(ra, rb, zero_support=ck.ZeroSupport.additive(0.5)), rel=1e-12)
    assert r["unigram_entropy"]["reference"] == pytest.approx(ck.entropy(ra[ra > 0]), rel=1e-12)
    assert r["missing_mass"]["other"] == pytest.approx(ck.good_turing_missing_mass(rb).value, rel=1e-12)
    assert r["coverage"]["value"] == pytest.approx(ck.support_coverage_mass(ra, rb), rel=1e-12)
    rare = ck.rare_category_retention(ra, rb, "at_most_count", 2)
    assert r["rare_survival"]["value"] == pytest.approx(rare.survival_share, rel=1e-12)
    sb = ck.self_bleu_sampled(ca, sample_size=20, seed=0)
    assert r["self_bleu"]["reference"] == pytest.approx(sb.value, rel=1e-12)
    sbd = ck.self_bleu_drift_bootstrap(ca, cb, sample_size=20, n_resamples=40, seed=0)
    assert (r["self_bleu"]["low"], r["self_bleu"]["high"]) == (sbd["difference"]["low"], sbd["difference"]["high"])
    lengths = np.diff(np.asarray(ca.offsets)).astype(float), np.diff(np.asarray(cb.offsets)).astype(float)
    assert r["doc_length_ks"]["value"] == pytest.approx(ck.ks_2samp(*lengths).statistic, rel=1e-12)
    budget = min(ca.size, cb.size) // 2
    assert f"at {budget} tokens" in r["distinct_1"]["label"]
    assert r["distinct_1"]["low"] <= r["distinct_1"]["value"] <= r["distinct_1"]["high"]


# ---- determinism ------------------------------------------------------------------


def test_byte_identical_across_runs_and_threads(data, tmp_path, capsys):
    d = data["dir"]
    outs = []
    for threads in (1, 2, 1):
        j, h = tmp_path / f"r{threads}_{len(outs)}.json", tmp_path / f"r{threads}_{len(outs)}.html"
        rc, out, _ = run(["report", d / "a.npy", d / "b.npy", *FAST, "--seed", "5", "--threads", threads,
                          "--json", j, "--html", h], capsys)
        assert rc == 0
        outs.append((j.read_bytes(), h.read_bytes(), out))
    assert outs[0] == outs[1] == outs[2]
    rc, _, _ = run(["report", d / "a.npy", d / "b.npy", *FAST, "--seed", "6", "--json", tmp_path / "s6.json",
                    "--quiet"], capsys)
    assert (tmp_path / "s6.json").read_bytes() != outs[0][0]
    texts = []
    for threads in (1, 2):
        j = tmp_path / f"t{threads}.json"
        run(["report", d / "ta.txt", d / "tb.txt", *FAST, "--threads", threads, "--json", j, "--quiet"], capsys)
        texts.append(j.read_bytes())
    assert texts[0] == texts[1]


# ---- HTML -------------------------------------------------------------------------


def _check_page(page: str):
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert len(page.encode()) < 1_000_000


def test_html_is_small_self_contained_and_has_the_plots(tmp_path, capsys):
    g = np.random.default_rng(3)
    np.save(tmp_path / "big_a.npy", g.standard_t(5, size=300_000))
    np.save(tmp_path / "big_b.npy", g.standard_t(8, size=200_000))
    page = tmp_path / "p.html"
    rc, _, err = run(["report", tmp_path / "big_a.npy", tmp_path / "big_b.npy", "-B", "20", "--permutations", "0",
                      "--html", page, "--quiet"], capsys)
    assert rc == 0, err
    text = page.read_text()
    _check_page(text)
    for caption in ("Overlaid histograms", "ECDF", "QQ plot", "Log-survival tails", "Intervals against thresholds"):
        assert caption in text
    assert text.count("<svg") == 5


def test_html_for_text(data, tmp_path, capsys):
    d = data["dir"]
    page = tmp_path / "t.html"
    rc, _, _ = run(["report", d / "ta.txt", d / "tb.txt", *FAST, "--html", page, "--quiet"], capsys)
    assert rc == 0
    text = page.read_text()
    _check_page(text)
    for caption in ("Zipf rank-frequency", "distinct-n against token budget", "over- and under-represented"):
        assert caption in text
    assert text.count("<svg") == 4


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed: the headless rendering test needs it")
def test_html_renders_in_headless_chromium(data, tmp_path, capsys):
    d = data["dir"]
    page = tmp_path / "c.html"
    run(["report", d / "a.npy", d / "b.npy", *FAST, "--html", page, "--quiet"], capsys)
    shot = tmp_path / "shot.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-proxy-server",
                    "--proxy-server=127.0.0.1:9", f"--screenshot={shot}", "--window-size=1280,2000",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)
    assert img.std() > 0.05  # not blank
    # plots present: some pixels in the reference / other colours
    rgb = (img[..., :3] * 255).astype(int)
    assert ((abs(rgb[..., 0] - 0x1f) < 40) & (abs(rgb[..., 2] - 0xa8) < 40)).sum() > 200


# ---- thresholds, profiles, colour, entry points -------------------------------------


def test_thresholds_from_flags_and_toml(data, tmp_path, capsys):
    d = data["dir"]
    rep = report_json(tmp_path, capsys, d / "a.npy", d / "b.npy", "--threshold", "ks=0.9")
    assert rows(rep)["ks"]["status"] == "ok" and rows(rep)["ks"]["threshold"] == [0.0, 0.9]
    cfg = tmp_path / "c.toml"
    cfg.write_text('[report]\nseed = 3\nresamples = 30\n[thresholds]\nks = 0.95\nvariance_ratio = [0.1, 10]\n'
                   'psi = "none"\n')
    rep = report_json(tmp_path, capsys, d / "a.npy", d / "b.npy", "--config", cfg, "--threshold", "ks=0.5")
    r = rows(rep)
    assert rep["seed"] == 3
    assert r["ks"]["threshold"] == [0.0, 0.5]  # the flag wins
    assert r["variance_ratio"]["status"] == "ok"
    assert r["psi"]["status"] == "info" and r["psi"]["threshold"] is None


def test_profiles_give_the_same_numbers(data, tmp_path, capsys):
    d = data["dir"]
    for ref, other in [(d / "a.csv", d / "b.csv"), (d / "ta.txt", d / "tb.jsonl")]:
        prof = tmp_path / "ref.ckprofile"
        rc, _, err = run(["profile", ref, "-o", prof], capsys)
        assert rc == 0 and "wrote" in err
        extra = ["--field", "body"] if str(other).endswith("jsonl") else []
        raw = report_json(tmp_path, capsys, ref, other, *extra)
        via = report_json(tmp_path, capsys, prof, other, *extra)
        assert via["sections"] == raw["sections"]
        assert via["inputs"]["reference"]["sha256"] == raw["inputs"]["reference"]["sha256"]
        assert via["inputs"]["reference"]["profile"] is True
    bogus = tmp_path / "bogus.ckprofile"
    bogus.write_text("x")
    assert "not a collapsekit profile" in _err([bogus, d / "b.npy"], capsys)
    assert "can only be the reference" in _err([d / "a.npy", bogus], capsys)


def test_colour_only_when_asked_or_on_a_tty(data, capsys, monkeypatch):
    d = data["dir"]
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = run(["report", d / "a.npy", d / "b.npy", *FAST], capsys)
    assert "\x1b[" not in out and "drift" in out
    _, out, _ = run(["report", d / "a.npy", d / "b.npy", *FAST, "--color", "always"], capsys)
    assert "\x1b[1;31mdrift" in out
    from collapsekit.report.render_text import use_colour

    class Tty:
        def isatty(self):
            return True

    assert use_colour(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(Tty())


def test_progress_on_stderr(data, capsys):
    d = data["dir"]
    _, _, err = run(["report", d / "a.npy", d / "b.npy", *FAST, "--progress", "--quiet"], capsys)
    assert "collapsekit report" in err
    # Numbers: the bar counts bootstrap replicates and permutations (40 + 40 per column).
    assert "/80 " in err
    _, _, err = run(["report", d / "a.npy", d / "b.npy", *FAST, "--quiet"], capsys)
    assert err == ""
    # Text: a step per stage of the measures (tokenising, five stages, the rows); the bar
    # is drawn at the start and erased at the end (leave=False), too fast to redraw between.
    _, _, err = run(["report", d / "ta.txt", d / "tb.txt", *FAST, "--progress", "--quiet"], capsys)
    assert "0/7" in err


def test_python_m_entry_point_and_console_script(data, tmp_path):
    d = data["dir"]
    env = dict(os.environ, NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "collapsekit", "report", str(d / "a.npy"), str(d / "b.npy"), *FAST,
                        "--fail-on", "drift"], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 1 and "summary:" in p.stdout
    p = subprocess.run([sys.executable, "-m", "collapsekit", "report", str(tmp_path / "missing.npy"),
                        str(d / "b.npy")], capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "no such file" in p.stderr
    pyproject = (ROOT / "python" / "pyproject.toml").read_text()
    assert re.search(r'^collapsekit = "collapsekit\.cli:main"$', pyproject, re.M)


def test_committed_fixture_example(capsys, tmp_path):
    ref, other = FIXTURES / "generation0.txt", FIXTURES / "generation5.txt"
    rep = report_json(tmp_path, capsys, ref, other)
    r = rows(rep)
    assert rep["summary"]["status"] == "drift"
    assert r["mean"]["status"] == "drift" and r["ks"]["status"] == "drift"


def test_json_to_stdout_replaces_the_table(data, capsys):
    d = data["dir"]
    rc, out, err = run(["report", d / "a.npy", d / "b.npy", *FAST, "--json", "-"], capsys)
    assert rc == 0 and err == ""
    rep = json.loads(out)
    assert rep["inputs"]["other"]["sha256"] == __import__("hashlib").sha256((d / "b.npy").read_bytes()).hexdigest()
    assert rep["sections"][0]["bins"]["reference"] == [150.0] * 10


def test_profile_settings_must_match(data, tmp_path, capsys):
    d = data["dir"]
    prof = tmp_path / "t.ckprofile"
    assert run(["profile", d / "ta.txt", "-o", prof, "--lowercase"], capsys)[0] == 0
    assert "made with --lowercase" in _err([prof, d / "tb.txt"], capsys)
    assert report_json(tmp_path, capsys, prof, d / "tb.txt", "--lowercase")["type"] == "text"
    nprof = tmp_path / "n.ckprofile"
    assert run(["profile", d / "a.csv", "-o", nprof], capsys)[0] == 0
    via = report_json(tmp_path, capsys, nprof, d / "b.csv", "--column", "x")
    raw = report_json(tmp_path, capsys, d / "a.csv", d / "b.csv", "--column", "x")
    assert via["sections"] == raw["sections"]
    assert "no column 'zz'" in _err([nprof, d / "b.csv", "--column", "zz"], capsys)


# ---- the engines' bindings ----------------------------------------------------------


def test_sample_drift_progress_function_and_cancel():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=3000), rng.normal(size=2000)
    seen = []
    out = ck.sample_drift_bootstrap(a, b, n_resamples=30, permutations=20, threads=2,
                                    progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 50) for k in range(1, 51)]
    plain = ck.sample_drift_bootstrap(a, b, n_resamples=30, permutations=20, threads=1)
    assert out["statistics"]["ks"] == plain["statistics"]["ks"] and out["p_ks"] == plain["p_ks"]

    class Stop(Exception):
        pass

    def stop(done, total):
        if done == 5:
            raise Stop()

    with pytest.raises(Stop):
        ck.sample_drift_bootstrap(a, b, n_resamples=1000, permutations=0, progress=stop)


def test_sliced_and_self_bleu_bootstraps_and_their_errors():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(300, 3)), rng.normal(0.5, 1.0, size=(200, 3))
    r = ck.sliced_wasserstein_bootstrap(x, y, n_projections=20, n_resamples=50, seed=2)
    assert r["estimate"] == ck.sliced_wasserstein(x, y, n_projections=20, p=2.0, seed=2).value
    assert 0 < r["low"] < r["estimate"] < r["high"]
    assert r == ck.sliced_wasserstein_bootstrap(x, y, n_projections=20, n_resamples=50, seed=2, threads=1)
    with pytest.raises(ValueError, match="differ in columns"):
        ck.sliced_wasserstein_bootstrap(x, y[:, :2])
    with pytest.raises(ValueError, match="n_resamples must be at least 2"):
        ck.sliced_wasserstein_bootstrap(x, y, n_resamples=1)
    with pytest.raises(ValueError, match="max_rows"):
        ck.sliced_wasserstein_bootstrap(x, y, max_rows=1)
    vocab = ck.Vocabulary()
    tok = ck.Tokenizer()
    ca = tok.encode_documents([f"w{i} w{i + 1} w{i * 7}" for i in range(40)], vocab)
    cb = tok.encode_documents(["the same words again"] * 40, vocab)
    d = ck.self_bleu_drift_bootstrap(ca, cb, sample_size=20, n_resamples=100, seed=1)
    assert d["reference"]["estimate"] == ck.self_bleu_sampled(ca, sample_size=20, seed=1).value
    assert d["difference"]["low"] > 0.5
    with pytest.raises(ValueError, match="sample_size"):
        ck.self_bleu_drift_bootstrap(ca, cb, sample_size=41)


def test_quantile_is_numpy_quantile():
    rng = np.random.default_rng(5)
    x = rng.standard_t(3, size=100_001)
    q = np.linspace(0, 1, 101)
    assert np.array_equal(ck.quantile(x, q), np.quantile(x, q))
    assert np.array_equal(ck.quantile(x, q, method="inverted_cdf"), np.quantile(x, q, method="inverted_cdf"))
    assert ck.quantile([3.0, 1.0, 2.0], 0.25) == np.quantile([3.0, 1.0, 2.0], 0.25)
    assert ck.quantile(np.float32([1, 2]), [0.5])[0] == 1.5
    assert np.isnan(ck.quantile([1.0, np.nan], [0.5], nan_policy="propagate")[0])
    assert ck.quantile([1.0, np.nan, 3.0], 0.5, nan_policy="omit") == 2.0
    for bad, msg in [(([], 0.5), "empty"), (([1.0, np.inf], 0.5), "infinite"), (([1.0], 1.5), r"\[0, 1\]"),
                     (([1.0, np.nan], 0.5), "NaN")]:
        with pytest.raises(ValueError, match=msg):
            ck.quantile(*bad)
