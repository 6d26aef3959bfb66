"""Numerical gradient checking: cheap random-direction checks first, per-element only to localize.

A gradient g of a scalar loss f(theta) is checked one tensor at a time. For a few
random unit directions v in that tensor's space, the centered difference
(f(theta + h v) - f(theta - h v)) / 2h must match the analytic directional
derivative g . v (the "fast mode" of torch.autograd.gradcheck and jax's
check_grads). That costs 2 loss evaluations per direction, whatever the tensor's
size. Only a tensor that fails is then differentiated element by element, so that
the feedback can say where and how it is wrong.

The loss is reached through an Evaluator: a function that takes a list of Points
(which tensor to move, by how much, in which direction) and returns the loss at
each. The reference loss is evaluated in this process; a student's loss is
evaluated in the sandbox by one probe call per batch of points (see
autograder.sandbox.probes.losses_at), so this module never runs student code.

Errors are relative per tensor, with a floored denominator: a bug in a small
tensor (a bias) is not hidden by a large one, and a gradient that is zero does
not turn rounding noise into a huge relative error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

# Measured on the reference MLP (float64, h = 1e-5, tests/test_gradcheck.py): the
# directional derivatives agree with g . v to ~1e-10 absolute and ~1e-8 relative.
# A real bug is off by far more than 1e-5 relative; a float32 loss is handled by the
# noise estimate below, not by loosening these.
DEFAULT_STEP = 1e-5
DEFAULT_RTOL = 1e-5
DEFAULT_FLOOR = 1e-4


@dataclass(frozen=True)
class Point:
    """theta with one tensor moved: by step * direction, or by step at one flat index."""

    key: str
    step: float
    direction: np.ndarray | None = None
    index: int | None = None

    def to_wire(self) -> dict:
        return {"key": self.key, "step": self.step, "direction": self.direction, "index": self.index}


def moved(params: Mapping[str, np.ndarray], point: Point) -> dict[str, np.ndarray]:
    """A copy of params (as float64) with point's change applied; params is not touched."""
    out = {k: np.array(v, dtype=np.float64, copy=True) for k, v in params.items()}
    target = out[point.key]
    if point.direction is not None:
        target += point.step * point.direction
    else:
        target.reshape(-1)[point.index] += point.step
    return out


Evaluator = Callable[[Sequence[Point]], np.ndarray]


def local_evaluator(loss: Callable[[dict[str, np.ndarray]], float], params: Mapping[str, np.ndarray]) -> Evaluator:
    """An Evaluator for a trusted loss that runs in this process."""

    def evaluate(points: Sequence[Point]) -> np.ndarray:
        return np.array([float(loss(moved(params, p))) for p in points], dtype=np.float64)

    return evaluate


@dataclass
class TensorCheck:
    """The verdict on one tensor's gradient."""

    key: str
    errors: list[float]          # relative error along each random direction
    passed: bool
    numerical: np.ndarray | None = None  # per-element numerical gradient, when localized

    @property
    def error(self) -> float:
        return max(self.errors, default=0.0)


@dataclass
class GradientCheck:
    """The verdict on all tensors, with the number of loss evaluations it took."""

    tensors: dict[str, TensorCheck] = field(default_factory=dict)
    evaluations: int = 0

    @property
    def failed(self) -> list[str]:
        return [k for k, t in self.tensors.items() if not t.passed]

    @property
    def passed(self) -> bool:
        return not self.failed

    def __getitem__(self, key: str) -> TensorCheck:
        return self.tensors[key]


def unit_directions(shape: tuple, count: int, seed: int, key: str) -> list[np.ndarray]:
    """`count` random unit vectors for one tensor, the same for the same (seed, key)."""
    rng = np.random.default_rng([seed, *key.encode()])
    out = []
    for _ in range(count):
        v = rng.standard_normal(shape)
        out.append(v / np.linalg.norm(v))
    return out


def check_gradients(evaluate: Evaluator, params: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray], *,
                    keys: Sequence[str] | None = None, directions: int = 2, step: float = DEFAULT_STEP,
                    rtol: float = DEFAULT_RTOL, floor: float = DEFAULT_FLOOR, seed: int = 0,
                    localize: bool = True, noise_aware: bool = False) -> GradientCheck:
    """Checks grads[key] against numerical derivatives of the loss behind `evaluate`.

    With noise_aware, every directional derivative is also taken with a step ten times
    smaller; their disagreement measures how much the loss's own rounding (a loss
    computed in float32, say) moves the estimate, and differences within ten times that
    are not counted as errors. It costs twice the evaluations, so it is used for losses
    whose precision is unknown (a student's), not for the float64 reference.
    """
    keys = list(keys if keys is not None else grads)
    steps = (step, step / 10) if noise_aware else (step,)
    plan: list[tuple[str, np.ndarray]] = [(k, v) for k in keys
                                          for v in unit_directions(np.shape(params[k]), directions, seed, k)]
    points = [Point(k, sign * h, v) for k, v in plan for h in steps for sign in (1.0, -1.0)]
    values = np.asarray(evaluate(points), dtype=np.float64).reshape(len(plan), len(steps), 2)
    result = GradientCheck(evaluations=len(points))

    numeric = (values[:, :, 0] - values[:, :, 1]) / (2 * np.asarray(steps))
    for key in keys:
        rows = [i for i, (k, _) in enumerate(plan) if k == key]
        grad = np.asarray(grads[key], dtype=np.float64)
        errors, passed = [], True
        for i in rows:
            analytic = float(np.sum(grad * plan[i][1]))
            estimate = float(numeric[i, 0])
            noise = abs(float(numeric[i, 0] - numeric[i, 1])) if noise_aware else 0.0
            scale = max(abs(estimate), abs(analytic), floor)
            difference = abs(estimate - analytic)
            errors.append(difference / scale)
            passed &= bool(np.isfinite(difference)) and difference <= rtol * scale + 10 * noise
        result.tensors[key] = TensorCheck(key, errors, passed)

    if localize and result.failed:
        for key in result.failed:
            result.tensors[key].numerical = elementwise_gradient(evaluate, params, key, step)
            result.evaluations += 2 * int(np.size(params[key]))
    return result


def elementwise_gradient(evaluate: Evaluator, params: Mapping[str, np.ndarray], key: str,
                         step: float = DEFAULT_STEP) -> np.ndarray:
    """The centered difference for every element of one tensor (2 evaluations each)."""
    shape = np.shape(params[key])
    size = int(np.prod(shape, dtype=int))
    points = [Point(key, sign * step, index=i) for i in range(size) for sign in (1.0, -1.0)]
    values = np.asarray(evaluate(points), dtype=np.float64).reshape(size, 2)
    return ((values[:, 0] - values[:, 1]) / (2 * step)).reshape(shape)
