"""The terminal table: measure, reference, other, value, interval, p-value, status."""

from __future__ import annotations

import os
from typing import IO, List, Optional

_COLOURS = {"ok": "\x1b[32m", "warn": "\x1b[33m", "drift": "\x1b[1;31m", "info": ""}
_RESET = "\x1b[0m"


def use_colour(stream: IO, mode: str = "auto") -> bool:
    """Colour only on a terminal, never when NO_COLOR is set (https://no-color.org), unless forced."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR", "") != "":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def fmt(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return f"{int(x):d}"
    return f"{x:.4g}"


def fmt_p(p) -> str:
    if p is None:
        return "-"
    return f"{p:.3g}"


def render(report: dict, colour: bool = False) -> str:
    lines: List[str] = []
    ref = report["inputs"]["reference"]
    oth = report["inputs"]["other"]
    level = int(round(report["confidence_level"] * 100))
    lines.append(f"collapsekit report  (schema {report['schema']}, seed {report['seed']}, "
                 f"B = {report['n_resamples']}, permutations = {report['permutations']})")
    lines.append(f"  reference: {ref['path']}  [{ref['type']}, {ref['format']}, sha256 {ref['sha256'][:12]}]")
    lines.append(f"  other:     {oth['path']}  [{oth['type']}, {oth['format']}, sha256 {oth['sha256'][:12]}]")
    header = ["measure", "reference", "other", "value", f"{level}% interval", "p", "status"]
    for section in report["sections"]:
        lines.append("")
        lines.append(f"[{section['name']}]")
        table = [header]
        for r in section["measures"]:
            interval = "-" if r["low"] is None and r["high"] is None else f"[{fmt(r['low'])}, {fmt(r['high'])}]"
            table.append([r["label"], fmt(r["reference"]), fmt(r["other"]), fmt(r["value"]), interval,
                          fmt_p(r["p_value"]), r["status"]])
        widths = [max(len(row[k]) for row in table) for k in range(len(header))]
        for i, row in enumerate(table):
            cells = [row[0].ljust(widths[0])] + [row[k].rjust(widths[k]) for k in range(1, len(header) - 1)]
            status = row[-1]
            if colour and i > 0 and _COLOURS.get(status):
                status = _COLOURS[status] + status + _RESET
            lines.append("  ".join(cells + [status]))
    s = report["summary"]
    lines.append("")
    lines.append(f"summary: {s['drift']} drift, {s['warn']} warn, {s['ok']} ok, {s['info']} info -> {s['status']}")
    return "\n".join(lines) + "\n"


def write(report: dict, stream: IO, mode: str = "auto", colour: Optional[bool] = None) -> None:
    if colour is None:
        colour = use_colour(stream, mode)
    stream.write(render(report, colour))
