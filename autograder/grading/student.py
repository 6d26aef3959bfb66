"""What a grader test sees of the student: proxies that call into the sandbox.

`student.activations.sigmoid(z)` reads like a call to the student's function, but
sends z to the child process and returns the decoded, not yet validated, result.
`.call(...)` returns the whole CallResult (arguments after the call, warnings).
"""
from __future__ import annotations

from typing import Any

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


class StudentModule:
    def __init__(self, sandbox: Sandbox, name: str) -> None:
        self._sandbox, self._name = sandbox, name

    def __getattr__(self, function: str) -> StudentFunction:
        if function.startswith("__"):
            raise AttributeError(function)
        return StudentFunction(self._sandbox, self._name, function)


class Student:
    """The submission under test; attribute access names a module of the curriculum."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __getattr__(self, module: str) -> StudentModule:
        if module.startswith("__"):
            raise AttributeError(module)
        return StudentModule(self.sandbox, module)

    def probe(self, name: str, module: str, label: str, timeout: float | None = None, **params: Any) -> dict:
        return self.sandbox.probe(name, module, label, timeout=timeout, **params)
