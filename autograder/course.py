"""Where a course keeps its parts: student assignments, reference solutions, hidden graders.

The default course is the one this package ships beside (a checkout installed in
development mode); `--course DIR` or $AUTOGRADER_COURSE points elsewhere.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class CourseNotFound(Exception):
    pass


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def assignments(self) -> Path:
        return self.root / "assignments"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    @property
    def graders(self) -> Path:
        return self.root / "graders"

    def grader_file(self, assignment: str) -> Path:
        return self.graders / f"test_{assignment}.py"

    def public_test_file(self, assignment: str) -> Path:
        return self.assignments / assignment / f"test_{assignment}.py"

    @classmethod
    def locate(cls, explicit: str | os.PathLike | None = None, need: str = "graders") -> "Course":
        candidates = [explicit, os.environ.get("AUTOGRADER_COURSE"), Path(__file__).resolve().parent.parent]
        for candidate in candidates:
            if candidate and (Path(candidate) / need).is_dir():
                return cls(Path(candidate).resolve())
        raise CourseNotFound(
            f"no course with a {need}/ folder was found: pass --course DIR or set AUTOGRADER_COURSE")
