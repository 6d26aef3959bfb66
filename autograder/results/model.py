"""Small typed records for grading results (one per test, assignment, submission).

Graders produce these and nothing else; the terminal table, results.jsonl,
gradebook.csv and the feedback pages are all rendered from them, so they can
never disagree with each other.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("passed", "failed", "error")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


@dataclass
class TestResult:
    name: str
    score: float
    max_score: float
    status: str
    visibility: str = "visible"
    feedback: str = ""
    nodeid: str = ""
    seconds: float = 0.0

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
                "status": self.status, "visibility": self.visibility, "feedback": self.feedback}


@dataclass
class AssignmentResult:
    name: str
    tests: list[TestResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def passed(self) -> int:
        return sum(t.status == "passed" for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        return {"score": self.score, "max_score": self.max_score, "tests": [t.to_dict() for t in self.tests]}


@dataclass
class SubmissionResult:
    submission: str
    assignments: dict[str, AssignmentResult] = field(default_factory=dict)
    source: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(a.score for a in self.assignments.values()), 6)

    @property
    def max_score(self) -> float:
        return round(sum(a.max_score for a in self.assignments.values()), 6)

    @property
    def tests(self) -> list[TestResult]:
        return [t for a in self.assignments.values() for t in a.tests]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of CONTRACT.md (plus a few extra fields it allows)."""
        return {
            "submission": self.submission,
            "score": self.score,
            "max_score": self.max_score,
            "assignments": {name: a.to_dict() for name, a in self.assignments.items()},
            "notes": list(self.notes),
            "execution_time": round(self.seconds, 3),
        }
