"""Draws a result's figures as small inline SVG, with matplotlib where it is installed.

The record holds plain numbers (results.model.Figure); this is the only place that turns
them into pictures, for the feedback pages and the notebook checks alike. Without
matplotlib (a student's core install) a page simply has no pictures. The SVG is made
deterministic (fixed ids, no date), so the same result renders the same page.
"""
from __future__ import annotations

import functools
import io
import re

from markupsafe import Markup

from autograder.results.model import Figure

_COLORS = ("#0969da", "#cf222e", "#1a7f37", "#8250df", "#9a6700", "#57606a")


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def svg(figure: Figure) -> Markup:
    """The figure as an inline <svg> element ("" without matplotlib)."""
    return Markup(_draw(figure)) if available() else Markup("")


@functools.lru_cache(maxsize=256)
def _draw(figure: Figure) -> str:
    import matplotlib
    from matplotlib.figure import Figure as Canvas  # no pyplot: no global state, no display

    with matplotlib.rc_context({"svg.hashsalt": "autograder", "svg.fonttype": "none", "font.size": 8,
                                "axes.spines.top": False, "axes.spines.right": False}):
        # fixed margins: a layout engine would draw every figure twice to measure it
        canvas = Canvas(figsize=(4.8, 2.8) if figure.kind != "matrix" else (3.6, 3.4))
        canvas.subplots_adjust(left=0.14, right=0.97, bottom=0.16 if figure.kind != "matrix" else 0.13, top=0.9)
        axes = canvas.add_subplot()
        {"lines": _lines, "bars": _bars, "matrix": _matrix}[figure.kind](axes, figure)
        axes.set_title(figure.title, fontsize=9)
        axes.set_xlabel(figure.x_label)
        axes.set_ylabel(figure.y_label)
        buffer = io.StringIO()
        canvas.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]  # inline: no XML declaration or doctype
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _values(series) -> list[float]:
    return [float("nan") if v is None else v for v in series.values]


def _lines(axes, figure: Figure) -> None:
    from matplotlib.ticker import MaxNLocator

    for i, series in enumerate(figure.series):
        values = _values(series)
        axes.plot(range(1, len(values) + 1), values, label=series.label, color=_COLORS[i % len(_COLORS)],
                  linestyle="--" if series.dashed else "-", marker="o" if len(values) <= 20 else None, markersize=3)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _finish(axes, figure)
    if len(figure.series) > 1:
        axes.legend(frameon=False)


def _bars(axes, figure: Figure) -> None:
    """Each series is one color of bars over the labels (None where that series has no bar)."""
    for i, series in enumerate(figure.series):
        values = [float("nan") if v is None else max(v, 1e-17) if figure.log_y else v for v in series.values]
        axes.bar(figure.labels, values, label=series.label, color=_COLORS[i % len(_COLORS)])
    _finish(axes, figure)
    if len(figure.series) > 1:
        axes.legend(frameon=False)


def _finish(axes, figure: Figure) -> None:
    if figure.log_y:
        axes.set_yscale("log")
    if figure.line is not None:
        axes.axhline(figure.line, color="#57606a", linestyle=":", linewidth=1)


def _matrix(axes, figure: Figure) -> None:
    rows = [_values(s) for s in figure.series]
    axes.imshow(rows, cmap="Blues", vmin=0)
    axes.set_xticks(range(len(figure.labels)), figure.labels)
    axes.set_yticks(range(len(rows)), [s.label for s in figure.series])
    top = max((v for row in rows for v in row if v == v), default=0.0)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value == value and value:
                axes.text(j, i, f"{value:.0%}" if top <= 1 else f"{value:g}", ha="center", va="center",
                          fontsize=6, color="white" if value > top / 2 else "black")
