"""Small typed records for grading results (one per test, assignment, submission).

Graders produce these and nothing else; the terminal table, results.jsonl, the
gradebooks, the feedback pages, Gradescope's results.json and the LMS score posts
are all rendered from them, so they can never disagree with each other. Records
round-trip through their JSON (`from_dict`), which is how a resumed batch reads
back what an earlier run graded.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

STATUSES = ("passed", "failed", "error")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
FIGURE_KINDS = ("lines", "bars", "matrix")
MAX_FIGURES, MAX_SERIES, MAX_POINTS = 4, 12, 500  # per test, per figure, per series: a record stays small


@dataclass(frozen=True)
class Series:
    """One line of a line plot, the bars of a bar chart, or one row of a matrix."""

    label: str
    values: tuple[float | None, ...]  # None where a value was not finite
    dashed: bool = False

    @classmethod
    def of(cls, label: str, values: Sequence[Any], dashed: bool = False) -> "Series":
        return cls(str(label), tuple(_plain_number(v) for v in values), bool(dashed))


def _plain_number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Figure:
    """A small plot, as plain numbers: the renderers draw it (render/figures.py), the record keeps
    only what it shows. `lines` plots each series against 1, 2, ...; `bars` gives one bar per
    label from the first series; `matrix` shows the series as rows, with `labels` naming the columns."""

    title: str
    series: tuple[Series, ...]
    kind: str = "lines"
    x_label: str = ""
    y_label: str = ""
    labels: tuple[str, ...] = ()
    log_y: bool = False
    line: float | None = None  # a horizontal reference line: a tolerance, a pass mark that may be shown

    def __post_init__(self) -> None:
        if self.kind not in FIGURE_KINDS:
            raise ValueError(f"unknown figure kind {self.kind!r}")
        if not 0 < len(self.series) <= MAX_SERIES or any(len(s.values) > MAX_POINTS for s in self.series):
            raise ValueError(f"a figure holds 1 to {MAX_SERIES} series of at most {MAX_POINTS} values")
        if self.kind != "lines" and any(len(s.values) != len(self.labels) for s in self.series):
            raise ValueError(f"every series of a {self.kind} figure has one value per label")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"title": self.title, "kind": self.kind,
                                "series": [{"label": s.label, "values": list(s.values), "dashed": s.dashed}
                                           for s in self.series]}
        data.update({k: v for k, v in (("x_label", self.x_label), ("y_label", self.y_label),
                                       ("labels", list(self.labels)), ("log_y", self.log_y),
                                       ("line", self.line)) if v})
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Figure":
        line = data.get("line")
        return cls(title=str(data["title"]), kind=str(data.get("kind", "lines")),
                   series=tuple(Series.of(s["label"], [math.nan if v is None else v for v in s["values"]],
                                          s.get("dashed", False)) for s in data["series"]),
                   x_label=str(data.get("x_label", "")), y_label=str(data.get("y_label", "")),
                   labels=tuple(map(str, data.get("labels", ()))), log_y=bool(data.get("log_y", False)),
                   line=None if line is None else _plain_number(line))


@dataclass
class TestResult:
    __test__ = False  # a record, not a test class for pytest to collect where tests import it

    name: str
    score: float
    max_score: float
    status: str
    visibility: str = "visible"
    feedback: str = ""
    nodeid: str = ""
    seconds: float = 0.0
    functions: tuple[str, ...] = ()  # the course's functions this test grades
    follows: tuple[str, ...] = ()  # failing functions it builds on, whose own tests fail: the root causes
    cause: str = ""  # the diagnosed cause of a failure, as the feedback states it ("" when none was found)
    figures: tuple[Figure, ...] = ()  # small plots beside the feedback; never of hidden expected values

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.visibility not in VISIBILITIES:
            raise ValueError(f"unknown visibility {self.visibility!r}")
        self.score = min(max(float(self.score), 0.0), float(self.max_score))

    @property
    def function(self) -> str:
        """The grader's test function (`file.py::test_x[case]` -> `test_x`)."""
        return self.nodeid.split("::")[-1].split("[")[0]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "status": self.status, "visibility": self.visibility, "feedback": self.feedback,
                "nodeid": self.nodeid, "functions": list(self.functions), "follows": list(self.follows),
                **({"cause": self.cause} if self.cause else {}),
                **({"figures": [f.to_dict() for f in self.figures]} if self.figures else {})}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TestResult":
        return cls(name=data["name"], score=data["score"], max_score=data["max_score"], status=data["status"],
                   visibility=data.get("visibility", "visible"), feedback=data.get("feedback", ""),
                   nodeid=data.get("nodeid", ""), functions=tuple(map(str, data.get("functions", ()))),
                   follows=tuple(map(str, data.get("follows", ()))), cause=str(data.get("cause", "")),
                   figures=tuple(Figure.from_dict(f) for f in data.get("figures", ())[:MAX_FIGURES]))


@dataclass
class AssignmentResult:
    name: str
    tests: list[TestResult] = field(default_factory=list)
    title: str = ""  # the course's name for it, so that every output can show it without the course
    graders: str = ""  # Course.digest of what graded it: a changed grader grades again on a rerun

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def passed(self) -> int:
        return sum(t.status == "passed" for t in self.tests)

    @property
    def roots(self) -> list[str]:
        """The failing functions that other failed tests build on, in test order: where to start."""
        found: list[str] = []
        for test in self.tests:
            found += [f for f in test.follows if f not in found]
        return found

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"score": self.score, "max_score": self.max_score,
                                "tests": [t.to_dict() for t in self.tests]}
        if self.title:
            data["title"] = self.title
        if self.graders:
            data["graders"] = self.graders
        return data

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> "AssignmentResult":
        return cls(name, [TestResult.from_dict(t) for t in data.get("tests", [])], title=data.get("title", ""),
                   graders=data.get("graders", ""))


@dataclass(frozen=True)
class Identity:
    """Who a submission belongs to, with every id an LMS may key its grades on."""

    id: str  # the institution's student id where known (SIS id), else the best id there is
    name: str = ""
    email: str = ""
    canvas_id: str = ""  # Canvas's numeric user id
    sis_login_id: str = ""
    section: str = ""
    lti_user_id: str = ""  # the platform's `sub` for this user (LTI Assignment and Grade Services)

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Identity":
        return cls(**{k: str(data.get(k, "")) for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Late:
    """A late submission and what it costs: `penalty` is the fraction of the score taken off."""

    days: int
    penalty: float
    submitted_at: str = ""  # ISO 8601, when known
    due: str = ""
    reason: str = ""

    @property
    def note(self) -> str:
        """The sentence a student reads in the feedback."""
        if self.penalty >= 1.0:
            return f"Late: {self.reason}; past the last day for late work, so no credit is given."
        return f"Late: {self.reason} ({self.days} day(s)); the score is reduced by {self.penalty * 100:g}%."

    def to_dict(self) -> dict[str, Any]:
        return {"days": self.days, "penalty": self.penalty, "submitted_at": self.submitted_at, "due": self.due,
                "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Late":
        return cls(days=int(data["days"]), penalty=float(data["penalty"]), submitted_at=data.get("submitted_at", ""),
                   due=data.get("due", ""), reason=data.get("reason", ""))


@dataclass
class SubmissionResult:
    submission: str
    assignments: dict[str, AssignmentResult] = field(default_factory=dict)
    source: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    students: list[Identity] = field(default_factory=list)  # several for a group submission
    late: Late | None = None
    fingerprint: str = ""  # of the submitted files: a changed submission is graded again
    complete: bool = True  # False when grading did not finish (a crashed or hung worker)

    @property
    def messages(self) -> list[str]:
        """What the student is told besides the tests: the notes, then the late penalty (worked
        out from `late`, so that a rerun with another due date never keeps a stale one)."""
        return [*self.notes, self.late.note] if self.late else list(self.notes)

    @property
    def factor(self) -> float:
        """What is kept of every score after the late penalty."""
        return 1.0 - self.late.penalty if self.late else 1.0

    @property
    def raw_score(self) -> float:
        return round(sum(a.score for a in self.assignments.values()), 6)

    @property
    def score(self) -> float:
        """The grade: the tests' points less the late penalty."""
        return round(self.raw_score * self.factor, 6)

    def final_score(self, assignment: str) -> float:
        """One assignment's points less the late penalty (a per-assignment LMS column)."""
        return round(self.assignments[assignment].score * self.factor, 6)

    def points(self, assignments: list[str]) -> tuple[float, float]:
        """The points of those of `assignments` this result holds, less the late penalty, and their maximum."""
        present = [a for a in assignments if a in self.assignments]
        return (round(sum(self.final_score(a) for a in present), 6),
                round(sum(self.assignments[a].max_score for a in present), 6))

    @property
    def max_score(self) -> float:
        return round(sum(a.max_score for a in self.assignments.values()), 6)

    @property
    def tests(self) -> list[TestResult]:
        return [t for a in self.assignments.values() for t in a.tests]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of docs/contract.md (plus a few extra fields it allows)."""
        data: dict[str, Any] = {
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "assignments": {name: a.to_dict() for name, a in self.assignments.items()},
            "notes": self.messages,
            "execution_time": round(self.seconds, 3),
            "raw_score": self.raw_score,
            "students": [s.to_dict() for s in self.students],
            "fingerprint": self.fingerprint,
            "complete": self.complete,
        }
        if self.late:
            data["late"] = self.late.to_dict()
        return data

    def to_json(self) -> str:
        """One line of results.jsonl (and of `grade --json`): strict JSON, no NaN."""
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SubmissionResult":
        late = Late.from_dict(data["late"]) if data.get("late") else None
        derived = {late.note} if late else set()  # `messages` adds it again
        return cls(submission=data["submission"],
                   assignments={name: AssignmentResult.from_dict(name, a) for name, a in data["assignments"].items()},
                   seconds=float(data.get("execution_time", 0.0)),
                   notes=[n for n in data.get("notes", []) if n not in derived],
                   students=[Identity.from_dict(s) for s in data.get("students", [])],
                   late=late,
                   fingerprint=data.get("fingerprint", ""), complete=bool(data.get("complete", True)))


def held_assignments(results: list[SubmissionResult]) -> dict[str, str]:
    """Every assignment that any of these results holds, in the order they hold them, with its title."""
    found: dict[str, str] = {}
    for result in results:
        for name, assignment in result.assignments.items():
            if not found.get(name):
                found[name] = assignment.title
    return {name: title or name for name, title in found.items()}
