"""What a person sees in the terminal: a score table for instructors, test-by-test
feedback for students."""
from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from autograder.checks.diagnosis import listed
from autograder.results.model import AssignmentResult, SubmissionResult, TestResult

if TYPE_CHECKING:
    from autograder.authoring.validate import Report

MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red"), "error": ("!", "yellow")}


def _score(score: float, max_score: float) -> Text:
    style = "green" if score == max_score else ("red" if score == 0 else "yellow")
    return Text(f"{score:g}/{max_score:g}", style=style)


def score_table(results: list[SubmissionResult], assignments: list[str]) -> Table:
    table = Table(title="Grades", title_justify="left", pad_edge=False)
    table.add_column("submission", style="bold", overflow="fold", min_width=10)
    for name in assignments:  # first_part -> two header lines, so the table fits 80 columns
        table.add_column(name.replace("_", "_\n"), justify="right")
    table.add_column("total", justify="right", style="bold")
    for result in results:
        cells = [_score(result.assignments[a].score, result.assignments[a].max_score) if a in result.assignments
                 else Text("-") for a in assignments]
        table.add_row(escape(result.submission), *cells, _score(result.score, result.max_score))
    return table


def shared_feedback(assignment: AssignmentResult) -> str:
    """The one message every test of an assignment failed with (a missing file...), or ""."""
    messages = {t.feedback for t in assignment.tests}
    if len(assignment.tests) > 1 and len(messages) == 1 and assignment.passed == 0:
        return messages.pop()
    return ""


def start_with(assignment: AssignmentResult) -> str:
    """The report's opening when failures build on failing functions: the few root causes."""
    roots = assignment.roots
    if not roots:
        return ""
    one = len(roots) == 1
    return (f"Start with {listed(roots)}: other failing tests build on {'it' if one else 'them'}, and "
            f"{'it fails its own test' if one else 'each fails its own test'}.")


def print_tests(console: Console, tests: list[TestResult], *, verbose_passes: bool = True) -> None:
    """Each test with its mark, and the feedback of those that did not pass."""
    for test in tests:
        mark, style = MARKS[test.status]
        if test.status == "passed" and not verbose_passes:
            continue
        console.print(Text.assemble(("  " + mark + " ", style), test.name))
        for line in test.feedback.splitlines():  # wrapped lines keep the indent
            style = "dim" if line.startswith(("At ", "Got ")) else ""
            console.print(Padding(Text(line, style=style), (0, 0, 0, 6), expand=False) if line else "")


def print_feedback(console: Console, result: SubmissionResult, *, verbose_passes: bool = True) -> None:
    """Each assignment, each test with a mark, and the feedback of those that did not pass."""
    for name, assignment in result.assignments.items():
        console.print(Text.assemble((f"{assignment.label} ", "bold"), (f"({name}) ", "dim"),
                                    _score(assignment.score, assignment.max_score)))
        if common := shared_feedback(assignment):
            console.print(Text(f"  {MARKS[assignment.tests[0].status][0]} all {len(assignment.tests)} tests: {common}",
                               style=MARKS[assignment.tests[0].status][1]))
            console.print()
            continue
        if opening := start_with(assignment):
            console.print(Padding(Text(opening, style="bold"), (0, 0, 0, 2), expand=False))
        print_tests(console, assignment.tests, verbose_passes=verbose_passes)
        console.print()
    for note in result.messages:
        console.print(Text(f"Note: {note}", style="yellow"))


BARS = " ▁▂▃▄▅▆▇█"


def histogram(fractions: list[float], bins: int = 10) -> str:
    """Scores as a one-line bar chart from 0% (left) to 100% (right)."""
    counts = [0] * bins
    for f in fractions:
        counts[min(int(f * bins), bins - 1)] += 1
    top = max(counts) or 1
    return "".join(BARS[math.ceil(c / top * (len(BARS) - 1))] for c in counts)


def distribution_table(results: list[SubmissionResult], assignments: list[str]) -> Table:
    """Per assignment (and the total): how the class scored, as numbers and as a histogram."""
    table = Table(title=f"Score distribution ({len(results)} submissions)", title_justify="left", pad_edge=False)
    table.add_column("assignment", no_wrap=True)
    for column in ("of", "mean", "median", "min", "max", "full", "zero"):
        table.add_column(column, justify="right")
    table.add_column("0-100%", no_wrap=True)
    rows = [(a, [(r.assignments[a].score, r.assignments[a].max_score) for r in results if a in r.assignments])
            for a in assignments]
    rows.append(("total", [(r.score, r.max_score) for r in results]))  # after late penalties
    for name, pairs in rows:
        if not pairs:
            continue
        scores = [s for s, _ in pairs]
        top = max(m for _, m in pairs)
        fractions = [s / m if m else 0.0 for s, m in pairs]
        table.add_row(name, f"{top:g}", f"{statistics.fmean(scores):.1f}", f"{statistics.median(scores):g}",
                      f"{min(scores):g}", f"{max(scores):g}", str(sum(f >= 1.0 for f in fractions)),
                      str(sum(s == 0 for s in scores)), histogram(fractions))
    return table


def validation_tables(report: "Report") -> list[Table]:
    """One table per assignment of `autograder validate`: each check, whether it held, and why."""
    tables = []
    for assignment in report.assignments:
        verdict = "[green]ready[/]" if assignment.ok else "[red]not ready[/]"
        table = Table(title=f"{escape(assignment.title)} ({assignment.name}): {verdict}, graded in "
                            f"{assignment.seconds:.1f} s", title_justify="left", pad_edge=False)
        table.add_column("", width=1)
        table.add_column("check", style="bold", overflow="fold", ratio=2)
        table.add_column("result", overflow="fold", ratio=3)
        for check in assignment.checks:
            mark, style = MARKS["passed" if check.ok else "failed"]
            table.add_row(Text(mark, style=style), escape(check.what), escape(check.detail))
        tables.append(table)
    return tables
