"""What can go wrong when the parent asks the child to run student code.

Each error carries one readable sentence for the student. They are raised inside
the grader tests, which lets pytest's result collection mark the test `error`
(the student's code raised, timed out or crashed) or `failed` (a piece is missing).
"""
from __future__ import annotations

import re


class StudentCodeProblem(Exception):
    """Base class: the student's code could not produce a value for this check."""

    status = "error"
    cause = ""  # a likely cause the evidence supports, stated before the message

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_SUBMITTED = re.compile(r"no \S+\.py was submitted")  # MissingModule's cause: the file is not there


class MissingModule(StudentCodeProblem):
    status = "failed"

    def __init__(self, module: str) -> None:
        super().__init__(f"No {module}.py was found in the submission, so nothing that needs it can be graded.")
        self.module = module
        self.cause = f"no {module}.py was submitted"


class MissingFunction(StudentCodeProblem):
    status = "failed"

    def __init__(self, module: str, function: str, found: str | None = None) -> None:
        what = "does not define" if found is None else f"defines {function} as a {found}, not as"
        super().__init__(f"{module}.py {what} a function `{function}`.")
        self.module, self.function = module, function


def _where(frames: object) -> str:
    """Where the student's code failed: its last own frame (the record is the child's word)."""
    if type(frames) is not list or not frames or type(frames[-1]) is not dict:
        return ""
    last = frames[-1]
    code = f": `{last['code']}`" if last.get("code") else ""
    return f" (at {last.get('file')}, line {last.get('line')}{code})"


class ImportFailed(StudentCodeProblem):
    def __init__(self, module: str, error: dict) -> None:
        super().__init__(
            f"{module}.py could not be imported: {error.get('type')}: {error.get('message')}{_where(error.get('frames', []))}."
        )
        self.module = module
        self.cause = f"{module}.py could not be imported ({error.get('type')})"


def broadcast_shapes(message: str) -> list[tuple[int, ...]]:
    """The operands' shapes in numpy's "operands could not be broadcast together with shapes (5,4)
    (5,)" ([] for any other message)."""
    found = re.search(r"broadcast together with shapes ((?:\([\d,]*\)\s*)+)", message)
    return [tuple(int(d) for d in shape.split(",") if d) for shape in re.findall(r"\(([\d,]*)\)", found.group(1))] \
        if found else []


def _exception_cause(error: dict) -> str:
    """A likely cause for an exception, where its own message shows it ("" where it does not)."""
    kind, message = error.get("type"), str(error.get("message", ""))
    shapes = re.findall(r"\((\d+),\s*(\d+)\)", message)
    axis = re.fullmatch(r"axis (-?\d+) is out of bounds for array of dimension (\d+)", message.strip())
    if kind == "MemoryError":
        return ("your code ran out of memory (the sandbox allows far more than the assignment needs): look for "
                "an array built from the wrong sizes or a list that keeps growing.")
    if kind == "ValueError" and len(shapes) >= 2 and shapes[0] == shapes[1][::-1]:
        return "one of the two arrays is transposed (check which side of @ each one goes on)."
    operands = sorted(broadcast_shapes(message), key=len, reverse=True) if kind == "ValueError" else []
    if [len(shape) for shape in operands] == [2, 1]:
        (n, c), (k,) = operands
        if k == n != c:  # one value per row, against an (n, c) array: numpy lines up the LAST axes
            return (f"an array with one value per row, of shape ({n},), meets an array of shape ({n}, {c}); numpy "
                    f"lines up the last axes, so per-row values need shape ({n}, 1): keep the axis with "
                    f"keepdims=True in the sum or max that made them (or add it with [:, None]).")
    if kind in ("AxisError", "numpy.exceptions.AxisError") and axis:
        return (f"the code works along axis {axis.group(1)}, which an array of {axis.group(2)} dimension"
                f"{'' if axis.group(2) == '1' else 's'} does not have. axis=-1 (the last axis) names the same "
                f"axis of a 1-D and of a 2-D array.")
    return ""


class StudentException(StudentCodeProblem):
    def __init__(self, function: str, error: dict) -> None:
        frames = error.get("frames") if type(error.get("frames")) is list else []
        innermost = frames[-1].get("function") if frames and type(frames[-1]) is dict else None
        # where it was raised: another of the student's functions that this one calls, perhaps (a
        # library's NotImplementedError, raised outside the student's files, is not their stub)
        ours = error.get("raised_by_student") is True
        self.raised_in = innermost if ours and type(innermost) is str and innermost != "<module>" else function
        unwritten = error.get("type") == "NotImplementedError" and (ours or not frames)
        if error.get("type") == "NotImplementedError" and not unwritten:
            message = (f"{function} raised NotImplementedError in a library it calls{_where(frames)}: "
                       f"{error.get('message') or 'no message'}.")
        elif unwritten and self.raised_in != function:
            message = (f"{function} calls {self.raised_in}, which is not implemented yet (it raises "
                       f"NotImplementedError){_where(frames)}: write {self.raised_in} first.")
        elif unwritten:
            message = f"{function} is not implemented yet (it raises NotImplementedError)."
        else:
            message = f"{function} raised {error.get('type')}: {error.get('message')}{_where(error.get('frames', []))}."
        super().__init__(message)
        self.function = function
        self.exception_type = error.get("type")
        self.error_message = str(error.get("message", ""))
        if unwritten:
            self.cause = f"{self.raised_in} is not written yet"
        else:
            self.with_cause(_exception_cause(error))

    def with_cause(self, cause: str) -> None:
        """States a cause that the grader can tell from what it passed in (a network's layer widths)
        where the exception's own message showed none."""
        if cause and not self.cause:
            self.cause = cause
            self.message = f"Likely cause: {cause}\n\n{self.message}"
            self.args = (self.message,)


class CallTimeout(StudentCodeProblem):
    """A request used up its CPU time, or (with `wall`) met the wall-clock backstop."""

    def __init__(self, function: str, seconds: float, wall: float | None = None) -> None:
        if wall is None:
            text = (f"{function} did not return within {seconds:g} s of CPU time and was stopped: look for a loop "
                    f"that never ends or for work far larger than the inputs need.")
        else:
            text = (f"{function} did not return within {wall:g} s and was stopped. Code that waits (time.sleep, "
                    f"input(), a lock, a process it started) uses little CPU time, so it meets this limit instead "
                    f"of its {seconds:g} s of CPU time; a loop that never ends can too.")
        super().__init__(text)
        self.function = function


class ChildCrashed(StudentCodeProblem):
    def __init__(self, function: str, detail: str) -> None:
        super().__init__(f"The process running {function} ended abruptly ({detail}).")
        self.function = function


class BadReply(StudentCodeProblem):
    def __init__(self, function: str, detail: str) -> None:
        super().__init__(f"What {function} sent back could not be read as data: {detail}.")


class ProbeFailed(StudentCodeProblem):
    """Grader code in the sandbox could not examine what the student's code returned."""

    def __init__(self, function: str, error: dict) -> None:
        super().__init__(
            f"The grader could not examine what {function} returned ({error.get('type')}: {error.get('message')}). "
            "If your code follows the assignment, please tell your instructor."
        )


class SandboxFailed(Exception):
    """The sandbox itself could not be set up: the grader's problem, never the student's."""

    def __init__(self, output: str) -> None:
        super().__init__(f"the sandbox could not be set up: {output.strip()[-300:]}")


class BudgetExhausted(StudentCodeProblem):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The submission used up its total time of {seconds:g} s, so the remaining checks were not run."
        )


class ForkServerError(Exception):
    """The fork server could not start a child (the caller starts it cold instead)."""
