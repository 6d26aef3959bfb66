"""Figures a check shows beside its feedback: record them with `show`, the plugin keeps them.

A grader (or a public test) calls `show(Figure(...))` while it runs; the plugin collects
what a failed test showed into its TestResult, and the feedback pages draw it (a passed
test keeps none: pictures are there to explain a failure, and drawing costs). A figure that
shows expected values (`reveals=True`: the reference's curve, a hidden pass mark) is kept
on visible tests only, so hidden feedback pictures nothing but the student's own outputs.
Outside a graded test `show` does nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, Sequence

import numpy as np

from autograder.checks.gradcheck import GradientCheck
from autograder.results.model import MAX_FIGURES, MAX_POINTS, Figure, Series

Shown = tuple[Figure, bool, "Figure | None"]  # (figure, reveals, what a hidden test shows instead)
_shown: ContextVar[list[Shown] | None] = ContextVar("autograder_figures", default=None)


def show(figure: Figure | None, *, reveals: bool = False, instead: Figure | None = None) -> None:
    """Adds a figure to the feedback of the test that is running (the first MAX_FIGURES of them).
    One that `reveals` expected values is replaced by `instead` (if any) on a hidden test."""
    shown = _shown.get()
    if figure is not None and shown is not None and len(shown) < MAX_FIGURES:
        shown.append((figure, reveals, instead))


@contextmanager
def recording() -> Iterator[list[Shown]]:
    """Collects what `show` is given while the block runs."""
    shown: list[Shown] = []
    token = _shown.set(shown)
    try:
        yield shown
    finally:
        _shown.reset(token)


def kept(shown: Sequence[Shown], visible: bool) -> tuple[Figure, ...]:
    """The figures a test of this visibility may keep."""
    found = [figure if visible or not reveals else instead for figure, reveals, instead in shown]
    return tuple(figure for figure in found if figure is not None)


def curves(title: str, curves: dict[str, Sequence[Any]], *, x_label: str = "epoch", y_label: str = "",
           dashed: Sequence[str] = (), log_y: bool = False) -> Figure | None:
    """A line plot of named curves (each a sequence of numbers), or None where there is nothing to
    draw: a curve that is not a flat sequence of numbers, or longer than a figure holds."""
    series = []
    for label, values in curves.items():
        numbers = _numbers(values)
        if numbers is None:
            return None
        series.append(Series.of(label, numbers, dashed=label in dashed))
    if not series or not any(s.values for s in series):
        return None
    return Figure(title, tuple(series), x_label=x_label, y_label=y_label, log_y=log_y)


def _numbers(values: Any) -> list[float] | None:
    try:
        numbers = [float(v) for v in values]
    except (TypeError, ValueError, OverflowError):
        return None
    return numbers if len(numbers) <= MAX_POINTS else None


def gradient_errors(title: str, check: GradientCheck, keys: Sequence[str]) -> Figure:
    """One bar per tensor: how far its gradient is from the numerical derivative of the loss checked
    (the largest relative error along the random directions), red where the check failed."""
    keys = [k for k in keys if k in check.tensors][:MAX_POINTS]
    return Figure(title, (Series.of("agrees", [check[k].error if check[k].passed else np.nan for k in keys]),
                          Series.of("disagrees", [np.nan if check[k].passed else check[k].error for k in keys])),
                  kind="bars", labels=tuple(keys), y_label="relative error", log_y=True)
