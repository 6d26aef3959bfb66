"""Validation and comparison of returned values, in a fixed order.

For each value: returned at all, exact type (a plain ndarray or a number; no
subclasses or look-alikes), number of dimensions, exact shape (no broadcasting),
numeric dtype, finiteness, then the values themselves within a tolerance. The first
failure stops the check. A failure has a `summary` that is always safe to show,
and a `reveal` (got vs expected) that the plugin shows only on visible tests.
"""
from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np

from autograder.checks import figures
from autograder.checks.diagnosis import diagnose
from autograder.checks.tolerance import record, used_fraction
from autograder.sandbox.wire import Opaque

NUMERIC_KINDS = "biuf"
# A float32 result carries about 7 significant digits, and sums of many terms lose a few
# more: it is compared at that precision (measured: a correct float32 derivative of tanh is off by
# 1.1e-7 where the value is 2e-5; the mistakes the graders look for are off by > 1e-2).
LOW_PRECISION_RTOL = 1e-4
LOW_PRECISION_ATOL_SCALE = 1e-5


NO_CAUSE = "No known cause fits all of the evidence."


class CheckFailure(AssertionError):
    """A check that failed, with what may be shown to the student and what may not.

    Its feedback puts the cause first, in plain words - the diagnosis, or when none fits,
    what is known for sure (`known`: "w and b are right; only errors differs") - then, after
    a blank line, the evidence: the summary, and on visible tests what was expected."""

    def __init__(self, summary: str, reveal: str = "", diagnosis: str = "", known: str = "") -> None:
        super().__init__(summary)
        self.summary, self.reveal, self.diagnosis, self.known = summary, reveal, diagnosis, known

    def add(self, *lines: str) -> None:
        """Appends lines (empty ones are skipped) to the summary: what further checks found out."""
        self.summary = "\n".join([self.summary, *(line for line in lines if line)])

    def explain(self, known: str, *evidence: str) -> None:
        """Adds what further checks established (known: a sentence for the cause paragraph) and
        their figures (evidence lines)."""
        if known:
            self.known = f"{self.known} {known}".strip()
        self.add(*evidence)

    def feedback(self, visible: bool) -> str:
        if self.diagnosis:
            cause = f"Likely cause: {self.diagnosis}" + (f"\n{self.known}" if self.known else "")
        else:
            cause = f"{NO_CAUSE} What is known: {self.known}" if self.known else NO_CAUSE
        evidence = [self.summary, *([self.reveal] if visible and self.reveal else [])]
        return cause + "\n\n" + "\n".join(evidence)


def describe_type(value: Any) -> str:
    if isinstance(value, Opaque):
        return f"a {value.type_name} object"
    if value is None:
        return "None"
    if type(value) is np.ndarray:
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    cls = type(value)
    return f"a {cls.__qualname__ if cls.__module__ == 'builtins' else f'{cls.__module__}.{cls.__qualname__}'}"


def _fmt(x: Any) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{float(x):.6g}"
    return repr(x.item() if isinstance(x, np.generic) else x)


def _input_note(inputs: str) -> str:
    return f" for {inputs}" if inputs else ""


def _require_returned(got: Any, name: str) -> None:
    if got is None:
        raise CheckFailure(f"{name} is None: is a `return` statement missing?")


def as_array(got: Any, *, name: str, shape: tuple, inputs: str = "", dtype: str | None = None) -> np.ndarray:
    """Validates an array's type, dimensions, shape and dtype, without looking at its values."""
    _require_returned(got, name)
    if type(got) is not np.ndarray:
        reduced = is_number(got) and len(shape) >= 1
        raise CheckFailure(f"{name} is {describe_type(got)}{_input_note(inputs)}; expected a numpy array "
                           f"of shape {shape}.", diagnosis="a single number came back where an array was expected: "
                                                           "was a sum or mean taken over the whole array instead of "
                                                           "along one axis?" if reduced else "")
    _check_structure(got, np.empty(shape), name, inputs, dtype)
    return got


def expect_array(got: Any, expected: np.ndarray, *, name: str, inputs: str = "", rtol: float = 1e-6,
                 atol: float = 1e-8, dtype: str | None = None, hints: dict | None = None) -> np.ndarray:
    """Checks an array return value against the expected one; returns it as validated."""
    expected = np.asarray(expected)
    as_array(got, name=name, shape=expected.shape, inputs=inputs, dtype=dtype)
    rtol, atol = tolerance_for(got.dtype, expected, rtol, atol)
    _compare_values(got, expected, name, inputs, rtol, atol, hints)
    return got


def tolerance_for(dtype: np.dtype, expected: Any, rtol: float, atol: float) -> tuple[float, float]:
    """Widens a check's tolerance to what a low-precision (float32, float16) result can hold."""
    if dtype.kind == "f" and dtype.itemsize <= 4:
        scale = float(np.max(np.abs(expected), initial=0.0))
        return max(rtol, LOW_PRECISION_RTOL), max(atol, LOW_PRECISION_ATOL_SCALE * scale)
    return rtol, atol


def _check_structure(got: np.ndarray, expected: np.ndarray, name: str, inputs: str, dtype: str | None) -> None:
    if got.ndim != expected.ndim:
        raise CheckFailure(
            f"{name} has {got.ndim} dimension(s) (shape {got.shape}){_input_note(inputs)}; "
            f"expected {expected.ndim} (shape {expected.shape}).",
            diagnosis=_shape_hint(got.shape, expected.shape))
    if got.shape != expected.shape:
        raise CheckFailure(f"{name} has shape {got.shape}{_input_note(inputs)}; expected {expected.shape}.",
                           diagnosis=_shape_hint(got.shape, expected.shape))
    if got.dtype.kind not in NUMERIC_KINDS:
        raise CheckFailure(f"{name} has dtype {got.dtype}{_input_note(inputs)}; expected numbers.")
    if dtype is not None and got.dtype != np.dtype(dtype):
        raise CheckFailure(f"{name} has dtype {got.dtype}{_input_note(inputs)}; the task asks for {dtype}.",
                           diagnosis=f"the array is returned as {got.dtype}: convert it with "
                                     f".astype(np.{np.dtype(dtype).name}) before returning it.")


def _shape_hint(got: tuple, expected: tuple) -> str:
    if len(got) == 2 and got[::-1] == expected and got != expected:
        return "the result is transposed."
    if tuple(d for d in got if d != 1) == tuple(d for d in expected if d != 1):
        return "an extra or missing axis of length 1: check keepdims or a reshape."
    if len(got) == len(expected) - 1 and got == expected[1:]:
        return "the first axis (the samples) was summed or averaged away."
    if len(got) < len(expected):
        return "an axis was reduced that should have been kept: check the `axis` of a sum, mean or max."
    return ""


def _compare_values(got: np.ndarray, expected: np.ndarray, name: str, inputs: str, rtol: float, atol: float,
                    hints: dict | None) -> None:
    g = got.astype(np.float64)
    e = expected.astype(np.float64)
    bad_finite = ~np.isfinite(g) & np.isfinite(e)
    if bad_finite.any():
        index = tuple(int(i) for i in np.argwhere(bad_finite)[0])
        where = f" at index {index}" if g.ndim else ""
        cause = ("an overflow (exp of a large number) or a division by zero: rewrite the formula so that no "
                 "intermediate value can overflow." if np.isinf(g[index]) else
                 "an invalid operation such as 0/0, inf - inf or the log of a negative number, often after an "
                 "overflow upstream.")
        raise CheckFailure(
            f"{name} is {_fmt(g[index])}{where}{_input_note(inputs)}, where a finite number was expected "
            f"({int(bad_finite.sum())} of {g.size} entries are not finite).", diagnosis=cause)
    close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    record(name, used_fraction(g, e, rtol, atol), e)
    if close.all():
        return
    diff = np.abs(g - e)
    diff = np.where(np.isfinite(diff), diff, 0.0)
    diagnosis = diagnose(g, e, hints or {})
    if g.ndim == 0:
        raise CheckFailure(f"{name} is wrong{_input_note(inputs)}: {how_far(float(g), float(e), atol)}.",
                           reveal=f"Got {_fmt(g[()])}, expected {_fmt(e[()])}.", diagnosis=diagnosis)
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    wrong = ~close
    sized = wrong & (np.abs(e) > atol)  # a relative error means nothing where the right value is 0
    relative = f" (up to {_relative(float(np.max(diff[sized] / np.abs(e[sized]))))})" if sized.any() else ""
    summary = (f"{name} has wrong values{_input_note(inputs)}: {int(wrong.sum())} of {g.size} entries differ, by up "
               f"to {diff.max():.3g}{relative}; the first is at index {index}.")
    raise CheckFailure(summary, reveal=f"At index {index}: got {_fmt(g[index])}, expected {_fmt(e[index])}.",
                       diagnosis=diagnosis)


def how_far(got: float, expected: float, atol: float = 0.0) -> str:
    """How far a number is from the right one, in words that show neither ("off by 11 (100% of
    the right value)"); one definition of relative error, |got - expected| / |expected|, and
    none where the right value is 0."""
    diff = abs(got - expected)
    if abs(expected) <= atol or not np.isfinite(diff):
        return f"off by {diff:.3g}"
    sign = ", and of the wrong sign" if got * expected < 0 else ""
    return f"off by {diff:.3g} ({_relative(diff / abs(expected))}{sign})"


def _relative(rel: float) -> str:
    return f"{rel:.3g} times the size of the right value" if rel >= 10 else f"{100 * rel:.3g}% of the right value"


def is_number(value: Any) -> bool:
    """A Python number, a numpy scalar, or a 0-d array: what a scalar result may be."""
    if type(value) is np.ndarray:
        return value.ndim == 0 and value.dtype.kind in NUMERIC_KINDS
    if isinstance(value, np.generic):
        return value.dtype.kind in NUMERIC_KINDS
    return type(value) in (int, float, bool)


def as_number(got: Any, *, name: str, inputs: str = "") -> float:
    """Validates a single number (Python, numpy or 0-d array) and returns it as a float."""
    _require_returned(got, name)
    if not is_number(got):
        shape_note, diagnosis = "", ""
        if type(got) is np.ndarray and got.size == 1:
            shape_note = f" Return a single number, not an array of shape {got.shape}."
        elif type(got) is np.ndarray and got.dtype.kind in NUMERIC_KINDS:
            diagnosis = "an array came back where one number was expected: is the final sum (or mean) missing?"
        raise CheckFailure(f"{name} is {describe_type(got)}{_input_note(inputs)}; expected a single number."
                           + shape_note, diagnosis=diagnosis)
    return float(got)


def expect_scalar(got: Any, expected: float, *, name: str, inputs: str = "", rtol: float = 1e-6,
                  atol: float = 1e-8, hints: dict | None = None) -> float:
    """Checks a single number; Python, numpy and 0-d array numbers are all accepted."""
    value = as_number(got, name=name, inputs=inputs)
    rtol, atol = tolerance_for(np.asarray(got).dtype, expected, rtol, atol)
    _compare_values(np.asarray(value), np.asarray(expected, dtype=np.float64), name, inputs, rtol, atol, hints)
    return value


def expect_value(got: Any, expected: Any, **kwargs: Any) -> Any:
    """Dispatches on the expected value: a scalar input gives a number, an array an array."""
    if np.ndim(expected) == 0 and not isinstance(expected, np.ndarray):
        return expect_scalar(got, expected, **kwargs)
    if isinstance(expected, np.ndarray) and expected.ndim == 0:
        return expect_scalar(got, float(expected), **kwargs)
    return expect_array(got, expected, **kwargs)


def expect_close(value: float, expected: float, *, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """For numbers computed by the grader from a validated result (accuracy, counts...)."""
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        raise CheckFailure(f"{what}: got {_fmt(value)}.", reveal=f"Expected {_fmt(expected)}.")


def expect_tuple(got: Any, length: int, *, name: str, parts: str = "") -> tuple:
    """A function that returns several values must return a tuple (or list) of that many."""
    _require_returned(got, name)
    if type(got) not in (tuple, list) or len(got) != length:
        what = f"a {type(got).__name__} of length {len(got)}" if type(got) in (tuple, list) else describe_type(got)
        raise CheckFailure(f"{name} returned {what}; expected a tuple of {length} values{f' ({parts})' if parts else ''}.")
    return tuple(got)


def as_sequence(got: Any, *, name: str, length: int, inputs: str = "") -> np.ndarray:
    """Validates a per-epoch record (errors, costs): a list, tuple or 1-D array of `length` numbers."""
    _require_returned(got, name)
    if type(got) in (list, tuple):
        if not all(is_number(x) for x in got):
            raise CheckFailure(f"{name} should hold only numbers{_input_note(inputs)}.")
        got = np.array([float(x) for x in got], dtype=np.float64)
    elif type(got) is not np.ndarray:
        raise CheckFailure(f"{name} is {describe_type(got)}{_input_note(inputs)}; expected a list or 1-D array.")
    if got.ndim != 1 or len(got) != length:
        raise CheckFailure(f"{name} has shape {got.shape}{_input_note(inputs)}; expected {length} values "
                           f"(one per epoch).")
    if got.dtype.kind not in NUMERIC_KINDS:
        raise CheckFailure(f"{name} holds {got.dtype} values{_input_note(inputs)}; expected numbers.")
    return got.astype(np.float64)


def expect_sequence(got: Any, expected: Sequence[float], *, name: str, inputs: str = "", rtol: float = 1e-6,
                    atol: float = 1e-8, hints: dict | None = None) -> np.ndarray:
    """Checks a per-epoch record against the expected one."""
    expected = np.asarray(expected, dtype=np.float64)
    values = as_sequence(got, name=name, length=len(expected), inputs=inputs)
    try:
        _compare_values(values, expected, name, inputs, rtol, atol, hints)
    except CheckFailure:  # a picture of the two curves (a hidden test shows the student's alone)
        title = f"{name}{_input_note(inputs)}"
        figures.show(figures.curves(title, {"yours": values, "expected": expected}, y_label=name,
                                    dashed=["expected"]),
                     reveals=True, instead=figures.curves(title, {"yours": values}, y_label=name))
        raise
    return values


# What numpy's floating-point error handling says (np.errstate): the only warnings that mean
# a computation was numerically unstable. Any other warning (a ResourceWarning, a
# DeprecationWarning) says nothing about the numbers and costs nothing.
FLOATING_POINT_WARNINGS = re.compile(r"^RuntimeWarning: (overflow|invalid value|divide by zero|underflow) encountered")


def floating_point_warnings(warnings: Sequence[str]) -> list[str]:
    """The warnings of a call (as the sandbox reports them) that numpy raised for floating-point errors."""
    return [w for w in warnings if FLOATING_POINT_WARNINGS.match(w)]


def expect_no_warnings(warnings: Sequence[str], *, name: str, inputs: str = "", diagnosis: str = "") -> None:
    """Numerical stability: numpy must not have warned of a floating-point error (overflow, invalid
    value, divide by zero); other warnings do not count."""
    numeric = floating_point_warnings(warnings)
    if numeric:
        raise CheckFailure(f"{name} triggered a numpy warning{_input_note(inputs)}: {numeric[0]}.",
                           diagnosis=diagnosis)


def describe(name: str, value: Any) -> str:
    """A safe description of an input: its values when tiny, else its shape."""
    array = np.asarray(value)
    if array.ndim == 0:
        return f"{name} = {_fmt(array[()])}"
    if array.size <= 6:
        return f"{name} = {np.array2string(array, separator=', ', precision=4)}"
    return f"{name} of shape {array.shape}"


def expect_unchanged(before: Sequence[Any], after: Sequence[Any], *, name: str, arg_names: Sequence[str]) -> None:
    """Purity: the arguments the child received must be as they were after the call."""
    for arg_name, old, new in zip(arg_names, before, after):
        if isinstance(old, np.ndarray):
            same = type(new) is np.ndarray and new.shape == old.shape and np.array_equal(new, old, equal_nan=True)
        elif isinstance(old, dict):
            same = isinstance(new, dict) and old.keys() == new.keys() and all(
                type(new[k]) is np.ndarray and np.array_equal(new[k], v, equal_nan=True)
                for k, v in old.items() if isinstance(v, np.ndarray))
        else:
            continue
        if not same:
            raise CheckFailure(
                f"{name} modified its argument `{arg_name}` in place; functions must return new arrays and leave "
                f"their inputs unchanged.",
                diagnosis="an augmented assignment such as `x += ...` or `x[...] = ...` on an argument: work on "
                          "a copy (`x = x.copy()`) or build a new array instead.")
