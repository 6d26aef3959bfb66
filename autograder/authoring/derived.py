"""Correct variants that `validate` derives from the reference itself.

A correct implementation may compute in float32, return Python floats where the
reference returns numpy scalars (or the other way round), and so on; each such
variant must get full marks, or a student writing that way would lose points for
nothing. A variant is the reference module with a short epilogue that wraps each
graded function, so internal calls between the functions go through the wrappers too.
"""
from __future__ import annotations

from dataclasses import dataclass

# Shared by every epilogue: converters that walk tuples, lists and dicts.
_HELPERS = '''

import numpy as _np


def _walk(value, leaf):
    if isinstance(value, tuple):
        return tuple(_walk(v, leaf) for v in value)
    if isinstance(value, list):
        return [_walk(v, leaf) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, leaf) for k, v in value.items()}
    return leaf(value)


def _float32(value):
    if isinstance(value, _np.ndarray) and value.dtype.kind == "f":
        return value.astype(_np.float32)
    if isinstance(value, float):
        return _np.float32(value)
    return value


def _python(value):
    if isinstance(value, _np.generic) and value.dtype.kind in "biuf":
        return value.item()
    if isinstance(value, _np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return value.item()
    return value


def _numpy(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return _np.float64(value) if isinstance(value, float) else _np.int64(value)


class _Numpy32:
    """numpy, but arrays made without a dtype are float32: a float32 student's np.zeros(d)."""

    def __getattr__(self, name):
        return getattr(_np, name)

    def __dir__(self):
        return dir(_np)

    @staticmethod
    def _in32(make):
        def made(*args, dtype=None, **kwargs):
            return make(*args, dtype=_np.float32 if dtype in (None, float) else dtype, **kwargs)
        return made

    def __init__(self):
        for name in ("zeros", "ones", "empty", "full", "eye", "identity"):
            setattr(self, name, self._in32(getattr(_np, name)))


def _wrap(function, before, after):
    def wrapped(*args, **kwargs):
        if any(callable(a) for a in (*args, *kwargs.values())):  # a function that calls back: leave it be
            return function(*args, **kwargs)
        return _walk(function(*_walk(args, before), **_walk(kwargs, before)), after)

    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped
'''


@dataclass(frozen=True)
class Derivation:
    id: str
    description: str
    before: str  # the converter applied to the arguments
    after: str  # the converter applied to what comes back


DERIVATIONS = (
    Derivation("float32", "computes in float32: float arguments and the arrays it makes are float32", "_float32",
               "_float32"),
    Derivation("float32-python", "computes in float32 and returns Python numbers (float(np.float32(...)))",
               "_float32", "_python"),
    Derivation("python-scalars", "returns Python numbers instead of numpy scalars", "(lambda v: v)", "_python"),
    Derivation("numpy-scalars", "returns numpy scalars instead of Python numbers", "(lambda v: v)", "_numpy"),
)


def derive(reference: str, functions: tuple[str, ...], how: Derivation) -> str:
    """The reference module with every graded function wrapped as `how` says (in float32, the
    arrays it makes itself are float32 too, where it imports numpy as np)."""
    lines = [reference.rstrip("\n"), _HELPERS]
    if how.before == "_float32" and "import numpy as np" in reference:
        lines.append("np = _Numpy32()")
    for name in functions:
        lines.append(f"{name} = _wrap({name}, {how.before}, {how.after})")
    return "\n".join(lines) + "\n"
