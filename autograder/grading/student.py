"""What a grader test sees of the student: proxies that call into the sandbox.

`student.layers.conv_forward(x, w)` reads like a call to the student's function, but
sends x and w to the child process and returns the decoded, not yet validated, result.
`.call(...)` returns the whole CallResult (arguments after the call, warnings).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from autograder.checks.gradcheck import Evaluator, Point
from autograder.checks.values import as_number
from autograder.sandbox.worker import CallResult, Sandbox


class StudentFunction:
    def __init__(self, sandbox: Sandbox, module: str, name: str) -> None:
        self._sandbox, self.module, self.name = sandbox, module, name

    def call(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> CallResult:
        return self._sandbox.call(self.module, self.name, *args, timeout=timeout, return_args=True, **kwargs)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._sandbox.call(self.module, self.name, *args, **kwargs).value

    def __repr__(self) -> str:
        return f"<student function {self.module}.{self.name}>"

    def probe(self, name: str, label: str, timeout: float | None = None, **params: Any) -> dict:
        """Runs a probe beside this function's module (the API's checks that need several calls in
        one round trip, check_layer's forward and backward say)."""
        return self._sandbox.probe(name, self.module, label, timeout=timeout, **params)

    def evaluator(self, args: Sequence[Any], kwargs: Mapping[str, Any] | None = None, *,
                  where: Mapping[str, tuple[int, str | None]], pick: int | None = None,
                  reduce: Callable[[Any], float] | None = None) -> Evaluator:
        """An Evaluator (see checks.gradcheck) for this function as a loss of the tensors in `where`.

        Each batch of points is one round trip to the sandbox; every value that comes back
        is validated here, by `reduce` if given, else as a single number.
        """
        reduce = reduce or (lambda value: as_number(value, name=f"the value of {self.name}"))

        def evaluate(points: Sequence[Point]) -> np.ndarray:
            out = self._sandbox.probe("losses_at", self.module, self.name, of=[self.module, self.name],
                                      args=list(args), kwargs=dict(kwargs or {}),
                                      where={k: list(v) for k, v in where.items()},
                                      points=[p.to_wire() for p in points], pick=pick)
            values = out.get("values") if type(out) is dict else None
            if type(values) is not list or len(values) != len(points):
                raise RuntimeError("the sandbox returned a malformed batch of loss values")
            return np.array([reduce(v) for v in values], dtype=np.float64)

        return evaluate


class StudentModule:
    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self._sandbox, self._name = sandbox, name

    def __getattr__(self, function: str) -> StudentFunction:
        if function.startswith("__"):
            raise AttributeError(function)
        return StudentFunction(self._sandbox, self._name, function)


class Student:
    """The submission under test; attribute access names a module of the course."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __getattr__(self, module: str) -> StudentModule:
        if module.startswith("__"):
            raise AttributeError(module)
        return StudentModule(self.sandbox, module)

    def probe(self, name: str, module: str, label: str, timeout: float | None = None, **params: Any) -> dict:
        return self.sandbox.probe(name, module, label, timeout=timeout, **params)
