"""The `collapsekit` command: `collapsekit report REFERENCE OTHER` and `collapsekit profile`.

Exit status: 0 no gate failed; 1 drift past --fail-on; 2 a usage or input error (one line
on stderr, never a traceback). Set COLLAPSEKIT_DEBUG=1 to see the traceback of an
unexpected error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Dict, List, Optional, Sequence, Tuple

EXIT_OK, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="collapsekit",
        description="Measure drift between two datasets (numbers or text) with bootstrap intervals.")
    sub = p.add_subparsers(dest="command", metavar="{report,profile}")
    sub.required = True

    def inputs(q):
        q.add_argument("--type", choices=("auto", "numbers", "text"), default="auto",
                       help="what the inputs hold (default: detected from the file)")
        q.add_argument("--column", action="append", default=[], metavar="NAME",
                       help="a .csv/.tsv column to compare (repeat or comma-separate; default: all numeric)")
        q.add_argument("--field", default="text", help="the .jsonl field holding the document (default: text)")
        q.add_argument("--lowercase", action="store_true", help="lower-case text before tokenising")

    r = sub.add_parser("report", help="compare OTHER with REFERENCE (a file, '-' or a .ckprofile)",
                       description="Compare OTHER with REFERENCE: every measure with a two-sample bootstrap "
                                   "interval, permutation p-values, a drift status per measure.")
    r.add_argument("reference")
    r.add_argument("other")
    inputs(r)
    r.add_argument("--seed", type=int, default=None, help="random seed (default 0); same seed, same output")
    r.add_argument("-B", "--resamples", type=int, default=None, help="bootstrap replicates (default 1000)")
    r.add_argument("--permutations", type=int, default=None,
                   help="permutations for the p-values (default 1000; 0: none)")
    r.add_argument("--level", type=float, default=None, help="interval coverage (default 0.95)")
    r.add_argument("--threads", type=int, default=None, help="threads (default 0: all cores); output does not depend on it")
    r.add_argument("--json", metavar="FILE", help="write the report as JSON ('-': standard output)")
    r.add_argument("--html", metavar="FILE", help="write a self-contained HTML page")
    r.add_argument("--config", metavar="FILE.toml", help="options and thresholds from a TOML file")
    r.add_argument("--threshold", action="append", default=[], metavar="NAME=BAND",
                   help="acceptable band of a measure: HIGH (low 0), LOW:HIGH, or 'none'")
    r.add_argument("--fail-on", choices=("warn", "drift"), default=None,
                   help="exit 1 when a measure reaches this status (default: never)")
    r.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    r.add_argument("--quiet", action="store_true", help="no table on standard output")
    r.add_argument("--progress", dest="progress", action="store_true", default=None, help="always show progress")
    r.add_argument("--no-progress", dest="progress", action="store_false", help="never show progress")
    r.add_argument("--distinct-draws", type=int, default=None, help="draws for distinct-n (default 200)")
    r.add_argument("--self-bleu-sample", type=int, default=None, help="documents sampled for self-BLEU (default 200)")

    pr = sub.add_parser("profile", help="save a reference's summaries for later reports",
                        description="Save what `report` needs of REFERENCE in a .ckprofile file.")
    pr.add_argument("reference")
    pr.add_argument("-o", "--output", required=True, metavar="FILE.ckprofile")
    inputs(pr)
    return p


def _columns(values: Sequence[str]) -> List[str]:
    out: List[str] = []
    for v in values:
        out += [c.strip() for c in v.split(",") if c.strip()]
    return out


def _band(name: str, value) -> Optional[Tuple[float, float]]:
    if value is None or value is False or (isinstance(value, str) and value.lower() == "none"):
        return None
    try:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError
            lo, hi = float(value[0]), float(value[1])
        elif isinstance(value, str) and ":" in value:
            a, b = value.split(":", 1)
            lo, hi = float(a), float(b)
        else:
            lo, hi = 0.0, float(value)
    except (TypeError, ValueError):
        raise UsageError(f"threshold {name}: {value!r} is not HIGH, LOW:HIGH, [LOW, HIGH] or none") from None
    if not (lo <= hi) or math.isnan(lo) or math.isnan(hi):
        raise UsageError(f"threshold {name}: low {lo} above high {hi}")
    return (lo, hi)


def _load_config(path: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        raise UsageError("--config needs Python 3.11 or later (tomllib)") from None

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML ({e})") from None


def _thresholds(config: dict, flags: Sequence[str]) -> Dict[str, Optional[Tuple[float, float]]]:
    from .report.measures import DEFAULT_THRESHOLDS

    th = dict(DEFAULT_THRESHOLDS)
    for name, value in (config.get("thresholds") or {}).items():
        if name not in th:
            raise UsageError(f"config: unknown threshold {name!r} (known: {', '.join(sorted(th))})")
        th[name] = _band(name, value)
    for f in flags:
        if "=" not in f:
            raise UsageError(f"--threshold {f!r}: expected NAME=BAND")
        name, value = f.split("=", 1)
        name = name.strip()
        if name not in th:
            raise UsageError(f"--threshold: unknown measure {name!r} (known: {', '.join(sorted(th))})")
        th[name] = _band(name, value.strip())
    return th


def _read(path: str, args, stdin_cache: dict):
    from .report.readers import read_dataset, finish_numbers

    data = None
    if path == "-":
        if "data" not in stdin_cache:
            stdin_cache["data"] = sys.stdin.buffer.read()
        data = stdin_cache["data"]
    ds = read_dataset(path, args.type, _columns(args.column), args.field, stdin_data=data)
    if ds.kind == "numbers":
        finish_numbers(ds)
    return ds


def _write_text(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except OSError as e:
        raise UsageError(f"{path}: cannot write ({e.strerror})") from None


def _report(args) -> int:
    from .report import render_text
    from .report.profile import is_profile, load_profile
    from .report.run import Options, build_report

    config = _load_config(args.config) if args.config else {}
    section = config.get("report") or {}
    known = {"seed", "resamples", "permutations", "level", "threads", "fail_on", "distinct_draws",
             "self_bleu_sample", "lowercase"}
    for k in section:
        if k not in known:
            raise UsageError(f"config: unknown option [report].{k} (known: {', '.join(sorted(known))})")

    def pick(flag, key, default):
        return flag if flag is not None else section.get(key, default)

    opts = Options(
        n_resamples=int(pick(args.resamples, "resamples", 1000)),
        permutations=int(pick(args.permutations, "permutations", 1000)),
        level=float(pick(args.level, "level", 0.95)),
        seed=int(pick(args.seed, "seed", 0)),
        threads=int(pick(args.threads, "threads", 0)),
        distinct_draws=int(pick(args.distinct_draws, "distinct_draws", 200)),
        self_bleu_sample=int(pick(args.self_bleu_sample, "self_bleu_sample", 200)),
        lowercase=bool(args.lowercase or section.get("lowercase", False)),
        progress=args.progress,
    )
    fail_on = pick(args.fail_on, "fail_on", None)
    if fail_on not in (None, "warn", "drift"):
        raise UsageError(f"config: fail_on must be 'warn' or 'drift' (got {fail_on!r})")
    if opts.n_resamples < 2:
        raise UsageError(f"--resamples must be at least 2 (got {opts.n_resamples})")
    if opts.permutations < 0:
        raise UsageError(f"--permutations must be >= 0 (got {opts.permutations})")
    if not (0.0 < opts.level < 1.0):
        raise UsageError(f"--level must lie in (0, 1) (got {opts.level})")
    if opts.seed < 0 or opts.threads < 0:
        raise UsageError("--seed and --threads must be >= 0")
    if opts.distinct_draws < 2 or opts.self_bleu_sample < 2:
        raise UsageError("--distinct-draws and --self-bleu-sample must be at least 2")
    if args.reference == "-" and args.other == "-":
        raise UsageError("only one input can be standard input ('-')")
    thresholds = _thresholds(config, args.threshold)

    cache: dict = {}
    if is_profile(args.reference):
        reference = load_profile(args.reference)
        if reference.kind == "text" and bool(reference.profile.get("lowercase")) != opts.lowercase:
            raise UsageError(f"{args.reference}: the profile was made "
                             f"{'with' if reference.profile.get('lowercase') else 'without'} --lowercase; "
                             "pass the same setting")
        if args.column and reference.kind == "numbers":
            keep = _columns(args.column)
            missing = [c for c in keep if c not in reference.columns]
            if missing:
                raise UsageError(f"{args.reference}: the profile has no column {missing[0]!r}")
            reference.columns = {c: reference.columns[c] for c in keep}
        from .report.readers import finish_numbers

        if reference.kind == "numbers":
            finish_numbers(reference)
    else:
        reference = _read(args.reference, args, cache)
    other = _read(args.other, args, cache)
    report, plots = build_report(reference, other, opts, thresholds)
    text_json = json.dumps(report, indent=2, allow_nan=False) + "\n"
    if args.json:
        _write_text(args.json, text_json)
    if args.html:
        from .report import render_html

        _write_text(args.html, render_html.render(report, plots))
    if not args.quiet and args.json != "-":
        render_text.write(report, sys.stdout, args.color)
    summary = report["summary"]
    if fail_on == "drift" and summary["drift"] > 0:
        return EXIT_DRIFT
    if fail_on == "warn" and (summary["drift"] > 0 or summary["warn"] > 0):
        return EXIT_DRIFT
    return EXIT_OK


def _profile(args) -> int:
    from .report.profile import save_profile

    ds = _read(args.reference, args, {})
    meta = save_profile(ds, args.output, args.lowercase)
    what = f"{len(meta['columns'])} column(s)" if ds.kind == "numbers" else f"{meta['documents']} documents"
    sys.stderr.write(f"collapsekit profile: wrote {args.output} ({ds.kind}, {what})\n")
    return EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # usage errors: argparse prints them and exits with 2
    from .report.readers import InputError

    try:
        return _report(args) if args.command == "report" else _profile(args)
    except (InputError, UsageError) as e:
        sys.stderr.write(f"collapsekit {args.command}: error: {e}\n")
        return EXIT_ERROR
    except (ValueError, TypeError) as e:  # the library's argument checks on the data read
        if os.environ.get("COLLAPSEKIT_DEBUG"):
            raise
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        sys.stderr.write(f"collapsekit {args.command}: error: {msg}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write(f"collapsekit {args.command}: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # never a traceback for the user; COLLAPSEKIT_DEBUG=1 shows it
        if os.environ.get("COLLAPSEKIT_DEBUG"):
            raise
        sys.stderr.write(f"collapsekit {args.command}: internal error: {type(e).__name__}: {e} "
                         "(set COLLAPSEKIT_DEBUG=1 for the traceback, and please report it)\n")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
