"""The class report: what a graded class got wrong, for the next lecture.

Built from results.jsonl alone (the records every other output is rendered from):
per assignment the score distribution, per test its pass rate, and the causes the
graders diagnosed, counted once per submission ("31% of the submissions: the bias
gradient is summed over the wrong axis"), with the functions other failures followed
from. Rates are taken over the submissions that hold the assignment's files, so that
work not handed in does not read as a lesson not learned.
"""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autograder.checks.diagnosis import kind_of
from autograder.render.feedback import environment
from autograder.render.terminal import distribution_table
from autograder.results.model import Figure, Series, SubmissionResult, TestResult, held_assignments
from autograder.sandbox.errors import NOT_SUBMITTED

BINS = 10


@dataclass
class TestRate:
    """One test across the class."""

    name: str
    visibility: str
    max_score: float
    graded: int = 0
    passed: int = 0
    unexplained: int = 0  # failures whose feedback names no cause

    @property
    def rate(self) -> float:
        return self.passed / self.graded if self.graded else 0.0


@dataclass
class Count:
    """How many submissions share something (a cause, a root function), and where it showed."""

    text: str
    submissions: int
    share: float  # of the submissions that hold the assignment
    tests: list[str] = field(default_factory=list)


@dataclass
class AssignmentReport:
    name: str
    title: str
    submitted: int  # submissions that hold its files
    max_score: float
    scores: list[float]
    tests: list[TestRate]
    causes: list[Count]
    roots: list[Count]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores) if self.scores else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.scores) if self.scores else 0.0

    @property
    def histogram(self) -> list[int]:
        """How many scores fall in each tenth of the maximum (the last one includes full marks)."""
        counts = [0] * BINS
        for score in self.scores:
            counts[min(int(score / self.max_score * BINS), BINS - 1) if self.max_score else 0] += 1
        return counts

    @property
    def figure(self) -> Figure:
        labels = tuple(f"{10 * i}-{10 * (i + 1)}%" for i in range(BINS))
        return Figure(f"{self.title}: scores of {self.submitted} submission{'s' * (self.submitted != 1)}",
                      (Series.of("submissions", self.histogram),), kind="bars", labels=labels,
                      x_label="share of the points", y_label="submissions")


@dataclass
class ClassReport:
    results: list[SubmissionResult]
    assignments: list[AssignmentReport]

    @property
    def assignment_names(self) -> list[str]:
        return [a.name for a in self.assignments]


def not_submitted(tests: list[TestResult]) -> bool:
    return bool(tests) and all(NOT_SUBMITTED.fullmatch(t.cause) for t in tests)


def build(results: list[SubmissionResult], assignments: list[str] | None = None) -> ClassReport:
    """The class report of these results (for `assignments`, default every one they hold)."""
    titles = held_assignments(results)
    reports = []
    for name in assignments or list(titles):
        held = [r.assignments[name] for r in results if name in r.assignments
                and not not_submitted(r.assignments[name].tests)]
        rates: dict[str, TestRate] = {}
        causes: dict[str, tuple[set[int], list[str], Counter[str]]] = {}
        roots: Counter[str] = Counter()
        for i, assignment in enumerate(held):
            for test in assignment.tests:
                rate = rates.setdefault(test.function or test.name, TestRate(test.name, test.visibility,
                                                                              test.max_score))
                rate.graded += 1
                rate.passed += test.status == "passed"
                rate.unexplained += test.status != "passed" and not test.cause
                if test.status != "passed" and test.cause:
                    who, where, texts = causes.setdefault(kind_of(test.cause), (set(), [], Counter()))
                    who.add(i)
                    texts[test.cause] += 1
                    if rate.name not in where:
                        where.append(rate.name)
            roots.update(set(assignment.roots))
        count = len(held)
        reports.append(AssignmentReport(
            name=name, title=titles.get(name, name), submitted=count,
            max_score=max((a.max_score for a in held), default=0.0), scores=[a.score for a in held],
            tests=list(rates.values()),
            causes=sorted((Count(texts.most_common(1)[0][0], len(who), len(who) / count, where)
                           for who, where, texts in causes.values()), key=lambda c: (-c.submissions, c.text)),
            roots=sorted((Count(f, n, n / count) for f, n in roots.items()), key=lambda c: (-c.submissions, c.text))))
    return ClassReport(results, reports)


def html(report: ClassReport, top: int = 10) -> str:
    return environment.get_template("report.html.j2").render(report=report, top=top)


def write(path: Path, report: ClassReport, top: int = 10) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html(report, top), encoding="utf-8")
    return path


def print_report(console: Console, report: ClassReport, top: int = 10) -> None:
    """The same report in a terminal: the distribution, then per assignment its causes and hardest tests."""
    console.print(distribution_table(report.results, report.assignment_names))
    for assignment in report.assignments:
        if not assignment.submitted:
            continue
        table = Table(title=f"{escape(assignment.title)}: the most frequent causes ({assignment.submitted} "
                            f"submitted)", title_justify="left", pad_edge=False)
        table.add_column("share", justify="right")
        table.add_column("cause", overflow="fold", ratio=3)
        table.add_column("in", overflow="fold", ratio=2)
        for cause in assignment.causes[:top]:
            table.add_row(f"{cause.share:.0%}", escape(cause.text), escape("; ".join(cause.tests)))
        if assignment.causes:
            console.print(table)
        hardest = sorted(assignment.tests, key=lambda t: t.rate)[:top]
        rates = Table(title=f"{escape(assignment.title)}: pass rates, lowest first", title_justify="left",
                      pad_edge=False)
        for column, justify in (("passed", "right"), ("test", "left"), ("no cause found", "right")):
            rates.add_column(column, justify=justify, overflow="fold")
        for test in hardest:
            rates.add_row(f"{test.rate:.0%}", escape(test.name), str(test.unexplained) if test.unexplained else "")
        console.print(rates)
