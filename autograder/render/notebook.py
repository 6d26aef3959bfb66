"""A notebook check's report: HTML for the notebook, plain text for a terminal.

Both come from the same result record as every other output; public checks show
expected values (the public tests are the student's to read), hidden ones never.
"""
from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from autograder.render.feedback import environment
from autograder.render.terminal import print_tests
from autograder.results.model import SubmissionResult, TestResult


class CheckReport:
    """What one check found: shown as HTML in a notebook and as text in a terminal."""

    def __init__(self, title: str, result: SubmissionResult, assignment: str, suite: str) -> None:
        self.title, self.result, self.assignment, self.suite = title, result, assignment, suite

    @property
    def tests(self) -> list[TestResult]:
        return self.result.assignments[self.assignment].tests

    @property
    def passed(self) -> bool:
        return all(t.status == "passed" for t in self.tests)

    def _repr_html_(self) -> str:
        return html(self)

    def __str__(self) -> str:
        return text(self)

    __repr__ = __str__


def _passed(report: "CheckReport") -> int:
    return sum(t.status == "passed" for t in report.tests)


def html(report: "CheckReport") -> str:
    return environment.get_template("check.html.j2").render(
        report=report, tests=report.tests, passed=_passed(report), notes=report.result.notes)


def text(report: "CheckReport") -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None, emoji=False, highlight=False, force_jupyter=False)
    console.print(Text(f"{report.title}: {_passed(report)} of {len(report.tests)} passed"))
    if not report.tests:
        console.print(Text("  No public test checks this yet; the hidden tests will."))
    print_tests(console, report.tests)
    for note in report.result.notes:
        console.print(Text(f"Note: {note}"))
    return buffer.getvalue().rstrip("\n")
