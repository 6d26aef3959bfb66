"""This course's own probes: grader code that runs beside the student's, in the sandbox.

The engine sends this file to each submission's sandboxed child, where the graders'
`student.probe("numerical_gradient", ...)` calls run it. It holds no expected values:
the student can read it. What comes back is checked by the grader in its own process.
"""
import numpy as np


def numerical_gradient(session, x, c, h=None):
    """Differentiates f = sum(c * sin(x)) + 0.5 * sum(x**2), which reads x in place, with the
    student's numerical_gradient: a function of no arguments cannot cross the sandbox's wall."""
    func = session.function("mlp", "numerical_gradient")
    calls = 0

    def f():
        nonlocal calls
        calls += 1
        return float(np.sum(c * np.sin(x)) + 0.5 * np.sum(x ** 2))

    args = (f, x) if h is None else (f, x, h)
    grad, _ = session.call(func, args, {})
    return {"grad": grad, "x_after": x, "calls": calls}
