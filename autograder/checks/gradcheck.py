"""Numerical gradients for checking backpropagation, in float64.

`numerical_gradient` is the centered difference (f(x + h) - f(x - h)) / 2h taken
one element at a time, the check CS231n's assignments use. `relative_error` is
per tensor, with a floored denominator so that a tiny, exactly-zero gradient does
not blow up and a bug in a small tensor (a bias) is not hidden by a large one.
"""
from __future__ import annotations

from typing import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Gradient of f (which reads x) with respect to x; x is restored exactly."""
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        f_plus = f()
        x[index] = old - h
        f_minus = f()
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """max |a - b| / max(|a| + |b|, floor), elementwise, then the worst element."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor), initial=0.0))
