"""Checks inside a notebook: `grader.check("conv_forward")` after each function a student writes.

    from autograder.jupyter import Checker
    grader = Checker("convolutions")
    ...
    grader.check("conv_forward")     # the public tests of that question, as rich feedback

The student's code is what the notebook has run so far (IPython's input history), or,
outside IPython, the assignment's files in the current folder. It is staged exactly
as `autograder grade` stages a submitted notebook and runs in the same sandboxed child
process: the kernel only sends inputs and compares the plain values that come back.

Two more entry points serve the notebook tools an instructor may already use:
`Checker.score(question)` returns the points of a question's hidden tests (the value
of an nbgrader test cell), and `Checker.require(question)` / `Checker.require_test(...)`
raise AssertionError with the feedback (the body of an otter test case). Those run
the hidden graders in the kernel, which also ran the student's cells: nbgrader and
otter grade that way, and `autograder grade` on the notebook file is the safe way.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from autograder.course import Course, CourseError
from autograder.grading.runner import grade
from autograder.grading.questions import Question, question
from autograder.render.notebook import CheckReport
from autograder.results.model import AssignmentResult, SubmissionResult
from autograder.submission.discover import Submission
from autograder.submission.notebook import write_code_cells

_cache: dict[tuple, SubmissionResult] = {}


def executed_cells() -> list[str] | None:
    """The cells this IPython kernel has run, in order (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "history_manager", None) is None:
        return None
    return list(shell.history_manager.input_hist_raw[1:])  # [k - 1] is In[k]: messages name "cell k"


class Checker:
    """The checks of one assignment, for the notebook it is imported in."""

    def __init__(self, assignment: str, course: str | os.PathLike | None = None) -> None:
        self.folder = Path.cwd()
        self._course = course
        self.assignment = self.course().select([assignment])[0]

    def course(self) -> Course:
        """The notebook's course: --course as given, else the nearest course.toml above the notebook's
        folder (a student release holds one), else the bundled course."""
        return Course.locate(self._course, near=self.folder)

    # -- for students -------------------------------------------------------------
    def check(self, question_id: str) -> CheckReport:
        """The public tests of one question (named by any of its functions)."""
        course = self.course()
        q = question(course, self.assignment, question_id, with_hidden=False)
        result = self._run(course, "public", [t.function for t in q.public])
        return CheckReport(f"{q.title}: public tests", result, self.assignment, "public")

    def check_all(self) -> CheckReport:
        """Every public test of the assignment."""
        course = self.course()
        result = self._run(course, "public", None)
        return CheckReport(f"{course[self.assignment].title}: all public tests", result, self.assignment, "public")

    # -- for nbgrader and otter ------------------------------------------------------
    def score(self, question_id: str) -> float:
        """The points the hidden tests of one question give (what `autograder grade` gives)."""
        return self._hidden(question_id).assignments[self.assignment].score

    def require(self, question_id: str) -> None:
        """Raises AssertionError with the feedback when a public test of the question fails."""
        report = self.check(question_id)
        if not report.passed:
            raise AssertionError("\n" + str(report))

    def require_test(self, question_id: str, test_function: str) -> None:
        """Raises AssertionError with the feedback when one hidden test fails."""
        result = self._hidden(question_id)
        ran = [t for t in result.assignments[self.assignment].tests if t.function == test_function]
        if not ran:
            raise AssertionError(f"{test_function} did not run: {'; '.join(result.notes) or 'no result'}")
        for test in ran:
            if test.status != "passed":
                raise AssertionError(f"{test.name}: {test.feedback}")

    def _hidden(self, question_id: str) -> SubmissionResult:
        course = self.course()
        problems = course.problems([self.assignment])
        if problems:  # a student's release has no graders
            raise CourseError("the hidden tests cannot run here: " + "; ".join(problems))
        q: Question = question(course, self.assignment, question_id)
        return self._run(course, "hidden", [t.function for t in q.hidden])

    # -- running -------------------------------------------------------------------
    def _run(self, course: Course, suite: str, tests: list[str] | None) -> SubmissionResult:
        """Grades what the notebook holds now; the same code gets the cached result."""
        unmet = course.unmet_requirements([self.assignment])
        if unmet:  # said before anything runs: "... needs tensorflow, which is not installed here: pip install ..."
            raise CourseError(unmet[self.assignment])
        with tempfile.TemporaryDirectory(prefix="autograder-check-") as tmp:
            folder = Path(tmp) / "notebook"
            self._write_submission(folder, course)
            digest = hashlib.sha256()
            for path in sorted(folder.iterdir()):
                digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
            key = (str(course.root), suite, self.assignment, tuple(tests) if tests is not None else None,
                   digest.hexdigest())
            if key not in _cache:
                if tests == []:
                    _cache[key] = _empty(self.assignment, course)
                else:
                    _cache[key] = grade(Submission("notebook", folder), course, [self.assignment],
                                        suite=suite, tests=tests)
        return _cache[key]

    def _write_submission(self, folder: Path, course: Course) -> None:
        """The student's files as a submission: the cells run so far (as a notebook) beside
        the assignment's .py files of the current folder; staging grades whichever
        implements more, exactly as for a submitted notebook."""
        folder.mkdir()
        for module in course.modules:
            for suffix in (".py", ".ipynb"):
                source = self.folder / f"{module}{suffix}"
                if source.is_file() and not source.is_symlink():
                    shutil.copyfile(source, folder / source.name)
        cells = executed_cells()
        if cells is not None:
            write_code_cells(folder / f"{course[self.assignment].module}.ipynb", cells)


def _empty(assignment: str, course: Course) -> SubmissionResult:
    result = SubmissionResult(submission="notebook")
    result.assignments[assignment] = AssignmentResult(assignment, title=course[assignment].title)
    return result

