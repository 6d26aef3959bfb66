"""Tolerances measured from the reference, not guessed.

A correct implementation may differ from the reference by rounding: it computes in
float32, sums in another order, or returns a Python float built from float32
arithmetic. How far that can move a result depends on the function and its input
(a sum of many terms, a training loop of many steps, a cancellation), so a fixed
rtol is either too tight for some correct work or too loose for some mistakes.
`measured` runs the reference itself on the same input lowered to float32 and on the
input moved by a few float32 roundings (what another summation order does), takes the
largest distance it saw, and allows a hundred times that: a reference that keeps float64
accumulators (np.zeros) rounds less in its float32 run than a student who computes in
float32 throughout (measured: a float32 Adaline's 50 epochs come out up to 5 times
farther from the float64 result than the reference's own float32 run). The tolerance is then kept below
the distance of the nearest known mistake (the grader's hints), so a mistake never
passes because rounding was generous.

While validate grades (see `recording`), every value check also records how much of
its tolerance it used: that is how an author sees a margin before students do.
"""
from __future__ import annotations

import copy
import math
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

SAFETY = 100.0       # allowed: a hundred times the largest rounding the reference itself showed
RTOL = 1e-6          # the relative part, as the graders used before tolerances were measured
ATOL_FLOOR = 1e-12   # relative to the result's scale: below float64 rounding of a sum
PERTURBATIONS = 2    # runs on inputs moved by one float32 rounding, besides the float32 run
FLOAT32_EPS = float(np.finfo(np.float32).eps)


@dataclass(frozen=True)
class Tolerance:
    """What a value check allows: |got - expected| <= atol + rtol * |expected|, elementwise."""

    rtol: float = RTOL
    atol: float = 1e-8
    measured: float = 0.0            # the largest distance of the reference's own low-precision runs
    nearest_mistake: float = math.inf  # the smallest distance (beyond rtol) of a known mistake's value
    capped: bool = False             # the measured allowance was cut to stay below that mistake

    def kwargs(self) -> dict[str, float]:
        return {"rtol": self.rtol, "atol": self.atol}


def leaves(value: Any) -> list[np.ndarray]:
    """The numbers of a result (arrays, numbers, and those inside tuples, lists and dicts) as float arrays."""
    if isinstance(value, dict):
        return [leaf for key in sorted(value, key=str) for leaf in leaves(value[key])]
    if isinstance(value, (tuple, list)):
        return [leaf for item in value for leaf in leaves(item)]
    array = np.asarray(value) if isinstance(value, (np.ndarray, np.generic, int, float)) else None
    if array is None or array.dtype.kind not in "biuf":
        return []
    return [array.astype(np.float64)]


def distance(a: Any, b: Any) -> float:
    """The largest absolute difference between two results of one structure (inf if they differ in it);
    entries that are not finite in either are left out (a float32 overflow is not rounding)."""
    la, lb = leaves(a), leaves(b)
    if len(la) != len(lb) or any(x.shape != y.shape for x, y in zip(la, lb)):
        return math.inf
    worst = 0.0
    for x, y in zip(la, lb):
        finite = np.isfinite(x) & np.isfinite(y)
        if finite.any():
            worst = max(worst, float(np.max(np.abs(x[finite] - y[finite]))))
    return worst


def _map_floats(value: Any, change: Callable[[Any], Any]) -> Any:
    """value with every float array and float number replaced by change(it); the rest copied."""
    if isinstance(value, dict):
        return {k: _map_floats(v, change) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_map_floats(v, change) for v in value)
    if isinstance(value, list):
        return [_map_floats(v, change) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return change(value)
    if isinstance(value, (float, np.floating)):
        return change(value)
    return copy.deepcopy(value)


def lowered(value: Any) -> Any:
    """The input in float32: arrays as float32 arrays, numbers as float32 numbers."""
    return _map_floats(value, lambda x: x.astype(np.float32) if isinstance(x, np.ndarray) else np.float32(x))


def perturbed(value: Any, rng: np.random.Generator) -> Any:
    """The input with every float moved by one float32 rounding, up or down at random: how far
    another order of the same arithmetic can move the result."""
    def move(x: Any) -> Any:
        signs = rng.choice([-1.0, 1.0], size=np.shape(x))
        moved = np.asarray(x, dtype=np.float64) * (1.0 + FLOAT32_EPS * signs)
        return moved if isinstance(x, np.ndarray) else float(moved)

    return _map_floats(value, move)


def _scale(value: Any) -> float:
    return max((float(np.max(np.abs(x[np.isfinite(x)]), initial=0.0)) for x in leaves(value)), default=0.0)


def mistake_distance(mistake: Any, expected: Any, rtol: float = RTOL) -> float:
    """How far beyond rtol a known mistake's value lies from the expected one: an atol below this
    tells them apart."""
    lm, le = leaves(mistake), leaves(expected)
    if len(lm) != len(le) or any(x.shape != y.shape for x, y in zip(lm, le)):
        return math.inf  # told apart by its structure, whatever the tolerance
    worst = 0.0
    for m, e in zip(lm, le):
        finite = np.isfinite(m) & np.isfinite(e)
        if not finite.all():
            return math.inf
        worst = max(worst, float(np.max(np.abs(m - e) - rtol * np.abs(e), initial=0.0)))
    return worst


def low_precision_runs(reference: Callable[..., Any], args: Sequence[Any] = (),
                       kwargs: Mapping[str, Any] | None = None) -> list[Any]:
    """The reference's results on the input lowered to float32 and on the input moved by a float32
    rounding; a run the reference refuses (it rejects the dtype) is left out."""
    kwargs = dict(kwargs or {})
    rng = np.random.default_rng(0)
    inputs = [(lowered(list(args)), lowered(kwargs))]
    inputs += [(perturbed(list(args), rng), perturbed(kwargs, rng)) for _ in range(PERTURBATIONS)]
    out = []
    for run_args, run_kwargs in inputs:
        try:
            with np.errstate(all="ignore"):
                out.append(reference(*run_args, **run_kwargs))
        except Exception:  # noqa: BLE001 - a reference that does not take float32 input
            continue
    return out


def from_runs(expected: Any, runs: Sequence[Any], *, mistakes: Sequence[Any] = (), rtol: float = RTOL,
              safety: float = SAFETY) -> Tolerance:
    """The tolerance for `expected`, given the same result of low-precision runs (low_precision_runs)."""
    seen = 0.0
    for low in runs:
        far = distance(low, expected)
        seen = max(seen, far if math.isfinite(far) else 0.0)
    atol = max(safety * seen, ATOL_FLOOR * max(_scale(expected), 1.0))
    # A "mistake" that gives the right value on this input (a hint that coincides, as some do at
    # special inputs) distinguishes nothing; one within twice the rounding of the reference itself
    # cannot be told apart from correct work, which must never lose: neither caps the tolerance.
    distances = [d for d in (mistake_distance(m, expected, rtol) for m in mistakes) if d > 0]
    nearest = min(distances, default=math.inf)
    floor = max(2 * seen, ATOL_FLOOR * max(_scale(expected), 1.0))
    capped = nearest < math.inf and atol >= nearest / 2
    if capped:
        atol = max(nearest / 2, floor)
    return Tolerance(rtol, atol, seen, nearest, capped)


def measured(reference: Callable[..., Any], args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None, *,
             mistakes: Sequence[Any] = (), rtol: float = RTOL, safety: float = SAFETY,
             expected: Any = None) -> Tolerance:
    """The tolerance for comparing a result with reference(*args, **kwargs), measured on this input.

    `mistakes` are the values known mistakes would give (the hints' values): the allowance
    stays below half the nearest one's distance, though never below twice the rounding the
    reference itself showed. A reference that cannot run in float32 (it rejects the dtype)
    is measured on the perturbed inputs alone.
    """
    kwargs = dict(kwargs or {})
    if expected is None:
        expected = reference(*copy.deepcopy(list(args)), **copy.deepcopy(kwargs))
    return from_runs(expected, low_precision_runs(reference, args, kwargs), mistakes=mistakes, rtol=rtol,
                     safety=safety)


# -- margins, recorded while validate grades --------------------------------------------

_records: list[dict] | None = None


@contextmanager
def recording() -> Iterator[list[dict]]:
    """Collects one record per value check made inside the block: the test, the value's name,
    `used`, the largest |got - expected| / (atol + rtol |expected|) over its entries (above 1:
    failed), and (some of) the expected values."""
    global _records
    saved, _records = _records, []
    try:
        yield _records
    finally:
        _records = saved


EXPECTED_KEPT = 256  # expected values kept per record, for validate's scan of hidden feedback


def record(name: str, used: float, expected: np.ndarray | None = None) -> None:
    if _records is not None:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        values = () if expected is None else tuple(float(v) for v in np.ravel(expected)[:EXPECTED_KEPT]
                                                   if np.isfinite(v))
        _records.append({"test": test.rpartition("::")[2], "name": name, "used": used, "expected": values})


def used_fraction(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> float:
    """How much of its tolerance a comparison used (finite entries only)."""
    finite = np.isfinite(got) & np.isfinite(expected)
    if not finite.any():
        return 0.0
    allowed = atol + rtol * np.abs(expected[finite])
    return float(np.max(np.abs(got[finite] - expected[finite]) / np.maximum(allowed, 1e-300)))
