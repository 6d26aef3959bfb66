"""A notebook check's report: HTML for the notebook, plain text for a terminal.

Both come from the same result record as every other output; public checks show
expected values (the public tests are the student's to read), hidden ones never.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from autograder.render.feedback import environment
from autograder.render.terminal import print_tests

if TYPE_CHECKING:
    from autograder.jupyter import CheckReport


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
