"""The self-contained HTML page: inline SVG plots (matplotlib, Agg/SVG backend) drawn from
fixed-size aggregates, the tables, and the inputs' description, through a Jinja2 template
shipped in collapsekit/report/templates. Nothing is fetched: no scripts, fonts or styles
from a network. The plots' sizes do not depend on the input's, so the page stays far below
1 MB; the SVGs are made deterministic (fixed hash salt, no date) so that a seed gives a
byte-identical page.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from typing import Dict, List

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

_REF = "#1f5fa8"
_OTHER = "#d0661b"


def _svg(fig) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "collapsekit", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
                    bbox_inches="tight")
    plt.close(fig)
    s = buf.getvalue()
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>", "", s, flags=re.S)
    # Inline SVG in HTML needs no namespace declarations, and the page must not name a URL.
    s = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", s)
    return s


def _fig(w=6.4, h=3.4):
    fig, ax = plt.subplots(figsize=(w, h))
    ax.grid(True, alpha=0.3)
    return fig, ax


def numbers_plots(name: str, agg: dict) -> List[Dict[str, str]]:
    out = []
    edges = agg["hist_edges"]
    fig, ax = _fig()
    for counts, colour, label in ((agg["hist_reference"], _REF, "reference"), (agg["hist_other"], _OTHER, "other")):
        total = max(sum(counts), 1)
        widths = [edges[i + 1] - edges[i] for i in range(len(counts))]
        dens = [c / total / w for c, w in zip(counts, widths)]
        ax.stairs(dens, edges, color=colour, label=label, fill=True, alpha=0.35)
    ax.set_title(f"{name}: histograms (density)")
    ax.legend()
    out.append({"title": "Overlaid histograms", "svg": _svg(fig)})

    fig, ax = _fig()
    grid = agg["grid"]
    ax.plot(agg["quantiles_reference"], grid, color=_REF, label="reference", drawstyle="steps-post")
    ax.plot(agg["quantiles_other"], grid, color=_OTHER, label="other", drawstyle="steps-post")
    x = agg["ks_location"]
    ax.axvline(x, color="k", linestyle=":", linewidth=1)
    ax.annotate(f"KS = {agg['ks_statistic']:.3g}", (x, 0.5), xytext=(5, 0), textcoords="offset points")
    ax.set_title(f"{name}: ECDFs and the KS point")
    ax.set_ylabel("F(x)")
    ax.legend()
    out.append({"title": "ECDF", "svg": _svg(fig)})

    fig, ax = _fig(4.2, 4.2)
    qr, qo = agg["quantiles_reference"][1:-1], agg["quantiles_other"][1:-1]
    ax.plot(qr, qo, ".", color=_OTHER, markersize=3)
    lo, hi = min(qr[0], qo[0]), max(qr[-1], qo[-1])
    ax.plot([lo, hi], [lo, hi], color="k", linewidth=0.8)
    ax.set_xlabel("reference quantile")
    ax.set_ylabel("other quantile")
    ax.set_title(f"{name}: QQ plot")
    out.append({"title": "QQ plot", "svg": _svg(fig)})

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    for ax, side in ((a1, "left"), (a2, "right")):
        ax.grid(True, alpha=0.3)
        xs = agg[f"tail_{side}_x"]
        for key, colour, label in (("reference", _REF, "reference"), ("other", _OTHER, "other")):
            ys = agg[f"tail_{side}_{key}"]
            pts = [(x, y) for x, y in zip(xs, ys) if y > 0]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], color=colour, label=label)
        ax.set_yscale("log")
        ax.set_title(f"{side} tail: share beyond x")
    a1.legend()
    out.append({"title": "Log-survival tails", "svg": _svg(fig)})
    return out


def forest_plot(section: dict) -> str:
    rows = [r for r in section["measures"] if r["threshold"] is not None and r["value"] is not None]
    if not rows:
        return ""
    fig, ax = plt.subplots(figsize=(7.2, 0.38 * len(rows) + 1.0))
    colours = {"ok": "#2b8a3e", "warn": "#c98a00", "drift": "#c92a2a", "info": "#555555"}
    lo_x, hi_x = -3.0, 4.0  # shown range; values beyond it sit on the edge as an arrow head

    def position(x, lo, width):
        if x is None or isinstance(x, str):
            return float("nan")
        return (x - lo) / width if width > 0 else (0.0 if x == lo else math.copysign(10.0, x - lo))

    for i, r in enumerate(rows):
        y = len(rows) - 1 - i
        lo, hi = r["threshold"]
        width = hi - lo
        colour = colours[r["status"]]
        ax.axhspan(y - 0.4, y + 0.4, color="#eeeeee", zorder=0)
        ax.plot([0, 1], [y, y], color="#9bbf9b", linewidth=6, solid_capstyle="butt", zorder=1)
        if r["low"] is not None and r["high"] is not None:
            a = min(max(position(r["low"], lo, width), lo_x), hi_x)
            b = min(max(position(r["high"], lo, width), lo_x), hi_x)
            ax.plot([a, b], [y, y], color=colour, linewidth=2, zorder=2)
        v = position(r["value"], lo, width)
        marker = ">" if v > hi_x else "<" if v < lo_x else "o"
        ax.plot([min(max(v, lo_x), hi_x)], [y], marker, color=colour, zorder=3)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["label"] for r in reversed(rows)], fontsize=8)
    ax.axvline(0, color="k", linewidth=0.6)
    ax.axvline(1, color="k", linewidth=0.6)
    ax.set_xlabel("position relative to the acceptable band (0 = low edge, 1 = high edge)")
    ax.set_xlim(lo_x - 0.1, hi_x + 0.1)
    ax.set_title(f"{section['name']}: intervals against thresholds (green band = acceptable)")
    return _svg(fig)


def text_plots(agg: dict) -> List[Dict[str, str]]:
    out = []
    fig, ax = _fig()
    for key, colour, label in (("zipf_reference", _REF, "reference"), ("zipf_other", _OTHER, "other")):
        ranks, freqs = agg[key]
        ax.plot(ranks, freqs, color=colour, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rank")
    ax.set_ylabel("relative frequency")
    ax.set_title("Zipf rank-frequency")
    ax.legend()
    out.append({"title": "Zipf rank-frequency", "svg": _svg(fig)})

    fig, axes = plt.subplots(1, 4, figsize=(10, 3.0), sharey=False)
    budgets = agg["budgets"]
    for k, ax in enumerate(axes):
        ax.grid(True, alpha=0.3)
        for key, colour in (("reference", _REF), ("other", _OTHER)):
            cells = agg["distinct"][key][k]
            est = [c["estimate"] for c in cells]
            lo = [c["low"] for c in cells]
            hi = [c["high"] for c in cells]
            ax.plot(budgets, est, color=colour, label=key, marker=".")
            if all(v is not None and not (isinstance(v, float) and math.isnan(v)) for v in lo + hi):
                ax.fill_between(budgets, lo, hi, color=colour, alpha=0.2)
        ax.set_xscale("log")
        ax.set_title(f"distinct-{k + 1}")
        ax.set_xlabel("token budget")
    axes[0].legend(fontsize=8)
    out.append({"title": "distinct-n against token budget (95% bands)", "svg": _svg(fig)})

    fig, axes = plt.subplots(2, 2, figsize=(9, 8.4))
    for ax, key, colour, title in ((axes[0][0], "over", _OTHER, "words over-represented in other"),
                                   (axes[0][1], "under", _REF, "words under-represented in other"),
                                   (axes[1][0], "over2", _OTHER, "bigrams over-represented in other"),
                                   (axes[1][1], "under2", _REF, "bigrams under-represented in other")):
        items = agg[key]
        words = [w if len(w) <= 24 else w[:23] + "~" for w, *_ in items][::-1]
        vals = [lr for _, lr, _, _ in items][::-1]
        ax.barh(range(len(vals)), vals, color=colour)
        ax.set_yticks(range(len(vals)))
        ax.set_yticklabels(words, fontsize=8)
        ax.set_xlabel("log(share in other / share in reference), add-0.5")
        ax.set_title(title)
    fig.tight_layout()
    out.append({"title": "Top over- and under-represented words and bigrams", "svg": _svg(fig)})
    return out


def render(report: dict, plots: dict) -> str:
    import jinja2

    from .render_text import fmt, fmt_p

    env = jinja2.Environment(loader=jinja2.PackageLoader("collapsekit.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]))
    env.filters["num"] = fmt
    env.filters["pval"] = fmt_p
    sections = []
    with warnings.catch_warnings():
        # degenerate inputs (a constant column, one document) draw empty axes: no notes on stderr
        warnings.simplefilter("ignore")
        for s in report["sections"]:
            figs = []
            if s["kind"] == "numbers":
                figs = numbers_plots(s["name"], plots[s["name"]])
            elif s["kind"] == "text":
                figs = text_plots(plots["text"])
            sections.append({"section": s, "figures": figs, "forest": forest_plot(s)})
    plt.close("all")
    return env.get_template("report.html.j2").render(report=report, sections=sections)
