"""`autograder validate`: the graders are right before the first student sees them.

For each assignment of a course it grades, in the sandbox, exactly as `grade` does:

- the reference, under several grading seeds: full marks every time;
- the untouched stubs: no points, and no test that the grader itself failed to finish;
- every mutant the author lists (inputs.py): it loses points, the tests it names and
  the points it states, with the message it expects;
- every correct variant the author provides, and those derived from the reference
  (derived.py): full marks;
- the margins of the value checks: how much of its tolerance the closest correct
  version (reference, variant or derived) used, and how far past its tolerance the
  nearest mistake went (checks/tolerance.py records both while grading);
- the files students get besides the lesson and the stub (public tests, notebook, the
  probe file): no line of the reference's bodies and none of the hidden graders' lines
  that hold numbers (release/source.py's rule);

and it times each assignment. Every finding is a Check record; the CLI draws them.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from autograder.authoring.derived import DERIVATIONS, derive
from autograder.authoring.inputs import mutants, variants
from autograder.checks.tolerance import recording
from autograder.course import Course, CourseError
from autograder.grading.plugin import GRADER_FAILED
from autograder.release.source import leaks
from autograder.results.model import AssignmentResult
from autograder.sandbox import isolation
from autograder.sandbox.warm import ForkServer
from autograder.submission.discover import Submission



@dataclass
class Check:
    """One thing validate verified about an assignment."""

    what: str  # "reference, seed 1", "mutant scale-adds", ...
    ok: bool
    detail: str = ""


@dataclass
class AssignmentReport:
    name: str
    title: str
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0  # grading the reference once

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, what: str, ok: bool, detail: str = "") -> None:
        self.checks.append(Check(what, ok, detail))


@dataclass
class Report:
    course: Course
    assignments: list[AssignmentReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the course could not even be loaded for grading

    @property
    def ok(self) -> bool:
        return not self.problems and all(a.ok for a in self.assignments)


class _Grader:
    """Grades submissions made of the course's reference modules with some replaced, warm where it can."""

    def __init__(self, course: Course, names: list[str], scratch: Path, stack: ExitStack) -> None:
        self.course, self.scratch = course, scratch
        self.warm = stack.enter_context(ForkServer(course.preload(names), hide=(course.root,))) \
            if isolation.detect().full else None
        self.count = 0
        self.records: list[dict] = []  # the value checks of the last grading (tolerance.record)

    def __call__(self, name: str, files: dict[str, str], seed: int = 0,
                 base: bool = True) -> AssignmentResult:
        """Grades one assignment of a submission holding the references (if `base`) and `files`."""
        from autograder.grading.runner import grade  # pytest: imported only by the commands that grade

        self.count += 1
        folder = self.scratch / f"submission-{self.count}"
        folder.mkdir()
        if base:
            for reference in self.course.solutions_dir.glob("*.py"):
                shutil.copyfile(reference, folder / reference.name)
        for filename, text in files.items():
            (folder / filename).write_text(text, encoding="utf-8")
        with recording() as self.records:
            result = grade(Submission(folder.name, folder), self.course, [name], seed=seed, warm=self.warm)
        shutil.rmtree(folder, ignore_errors=True)
        return result.assignments[name]


NUMBER = re.compile(r"(?<![\w.])-?(\d+\.\d+|\d+)(e[+-]?\d+)?(?!\w|\.\d)")
SHOWN_DIGITS = 5  # a number printed with this many significant digits shows a value; error sizes use 3


def hidden_leaks(result: AssignmentResult, records: list[dict]) -> list[str]:
    """Expected values that a hidden test's feedback prints (to SHOWN_DIGITS significant digits
    or more): "test_x shows 1.21071". `records` are tolerance.recording()'s, made while grading."""
    expected: dict[str, set[float]] = {}
    for entry in records:
        expected.setdefault(entry["test"], set()).update(entry.get("expected", ()))
    found = []
    for test in result.tests:
        if test.visibility == "visible" or not test.feedback:
            continue
        values = expected.get(test.nodeid.rpartition("::")[2], set())
        for match in NUMBER.finditer(test.feedback):
            digits = len(match.group(1).replace(".", "").lstrip("0"))
            if digits < SHOWN_DIGITS:
                continue
            shown = float(match.group(0))
            if any(v != 0 and float(f"{abs(v):.{digits}g}") == abs(shown) for v in values):
                found.append(f"{test.function} shows {match.group(0)}")
    return found


def _lost(result: AssignmentResult) -> str:
    wrong = [t for t in result.tests if t.status != "passed"]
    return "; ".join(f"{t.function or t.name}: {t.feedback.splitlines()[0] if t.feedback else t.status}"
                     for t in wrong[:3]) + ("; ..." if len(wrong) > 3 else "")


def validate(course: Course, names: Iterable[str] | None = None, seeds: Iterable[int] = (0, 1, 2),
             progress: Callable[[str], None] = lambda text: None) -> Report:
    """Every check of this module, for the chosen assignments (all by default)."""
    chosen, seeds = course.select(names), list(seeds)
    if not seeds:
        raise ValueError("give at least one grading seed")
    report = Report(course, problems=course.problems(chosen, public=True))
    if report.problems:
        return report
    with tempfile.TemporaryDirectory(prefix="autograder-validate-") as tmp, ExitStack() as stack:
        grader = _Grader(course, chosen, Path(tmp), stack)
        for name in chosen:
            progress(name)
            report.assignments.append(_validate_one(course, name, list(seeds), grader))
    return report


# A correct version that used more than half its tolerance, or a mistake that came within twice
# its tolerance, is one rounding change away from a wrong verdict: validate says so.
CORRECT_MARGIN = 0.5
MISTAKE_MARGIN = 2.0


@dataclass
class Margins:
    """The closest calls of an assignment's value checks, gathered while validate grades it."""

    correct: tuple[float, str] = (0.0, "")          # the most of its tolerance a correct version used
    mistake: tuple[float, str] = (float("inf"), "")  # the least a failing mistake exceeded its tolerance by

    def saw_correct(self, records: list[dict], who: str) -> None:
        for r in records:
            if r["used"] > self.correct[0]:
                self.correct = (r["used"], f"{who}, {r['name']} in {r['test']}")

    def saw_mistake(self, records: list[dict], who: str) -> None:
        failed = [r for r in records if r["used"] > 1]
        if failed:
            decisive = max(failed, key=lambda r: r["used"])  # any one failing check is enough to lose
            if decisive["used"] < self.mistake[0]:
                self.mistake = (decisive["used"], f"{who}, {decisive['name']} in {decisive['test']}")

    def check(self) -> tuple[bool, str]:
        used, where = self.correct
        text = f"correct versions used at most {used:.2g} of a tolerance ({where or 'no value check'})"
        if self.mistake[1]:
            text += f"; the nearest mistake went {self.mistake[0]:.3g} times past it ({self.mistake[1]})"
        return used <= CORRECT_MARGIN and self.mistake[0] >= MISTAKE_MARGIN, text


def _validate_one(course: Course, name: str, seeds: list[int], grader: _Grader) -> AssignmentReport:
    spec = course[name]
    out = AssignmentReport(name, spec.title)
    margins = Margins()
    module = f"{spec.module}.py"
    reference = course.reference_file(name).read_text(encoding="utf-8")
    for seed in seeds:
        start = time.perf_counter()
        result = grader(name, {}, seed)
        margins.saw_correct(grader.records, f"reference, seed {seed}")
        out.seconds = out.seconds or time.perf_counter() - start
        full = result.score == result.max_score and result.max_score > 0
        out.add(f"reference, seed {seed}", full, f"{result.score:g}/{result.max_score:g}" +
                ("" if full else f": {_lost(result)}"))
    if spec.points is not None:
        out.add("points", result.max_score == spec.points,
                f"the graders give {result.max_score:g}, course.toml:{spec.line} says {spec.points:g}")
    stub = grader(name, {module: course.stub_file(name).read_text(encoding="utf-8")}, base=False)
    crashed = [t.function or t.name for t in stub.tests if t.feedback.startswith(GRADER_FAILED)]
    out.add("stub scores 0", stub.score == 0 and not crashed, f"{stub.score:g}/{stub.max_score:g}" +
            (f"; the grader itself failed in {', '.join(crashed)}" if crashed else ""))
    for mutant in mutants(course, name):
        try:
            source = mutant.source(reference)
        except CourseError as exc:
            out.add(f"mutant {mutant.id}", False, str(exc))
            continue
        result = grader(name, {module: source})
        margins.saw_mistake(grader.records, f"mutant {mutant.id}")
        failed = {t.function for t in result.tests if t.status != "passed"}
        lost = result.max_score - result.score
        unstable_lost = sum(t.max_score for t in result.tests if t.status != "passed" and t.function in mutant.unstable)
        first = next((t for t in result.tests if t.status != "passed"), None)
        problems = []
        if lost <= 0:
            problems.append("it gets full marks")
        if mutant.fails is not None and failed - mutant.unstable != mutant.fails:
            problems.append(f"fails {', '.join(sorted(failed)) or 'nothing'}, not {', '.join(sorted(mutant.fails))}")
        if mutant.message and (first is None or mutant.message not in first.feedback):
            problems.append(f"the first failure does not say {mutant.message!r}")
        problems += [f"{t.function} says {text!r}, a false cause" for text in mutant.never for t in result.tests
                     if text in t.feedback]
        problems += [f"{t.function} states a cause `causes` does not list: {t.cause!r}" for t in result.tests
                     if mutant.unlisted([t.cause])]
        problems += [f"hidden feedback leaks: {leak}" for leak in hidden_leaks(result, grader.records)]
        if mutant.lost is not None and abs(lost - unstable_lost - mutant.lost) > 1e-9:
            problems.append(f"it loses {lost:g} points, not {mutant.lost:g}")
        about = f" ({mutant.description})" if mutant.description else ""
        out.add(f"mutant {mutant.id}", not problems, ("; ".join(problems) or f"loses {lost:g}") + about)
    for variant in variants(course, name):
        result = grader(name, {module: variant.source})
        margins.saw_correct(grader.records, f"variant {variant.id}")
        full = result.score == result.max_score
        out.add(f"variant {variant.id}", full, f"{result.score:g}/{result.max_score:g}" +
                ("" if full else f": {_lost(result)}"))
    for how in (how for how in DERIVATIONS if how.applies(reference)):
        result = grader(name, {module: derive(reference, spec.functions, how)})
        margins.saw_correct(grader.records, f"derived {how.id}")
        full = result.score == result.max_score
        out.add(f"derived: {how.id}", full, how.description + ("" if full else f"; {_lost(result)}"))
    out.add("margins", *margins.check())
    out.add("no leaks", *_leaks(course, name))
    return out


def _leaks(course: Course, name: str) -> tuple[bool, str]:
    """Whether a student-facing file repeats a line of the reference's bodies or of the hidden grader."""
    found = [f"{path.name}: {line}" for path, line in leaks(course, name)]
    return not found, "; ".join(found[:3]) or "the public tests and the notebook show no reference or grader line"
