"""gradebook.csv: one row per submission, one column per assignment, then the total."""
from __future__ import annotations

import csv
from pathlib import Path

from autograder.results.model import SubmissionResult


def _number(value: float) -> str:
    return f"{value:g}"


def write(path: Path, results: list[SubmissionResult], assignments: list[str]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["submission", *assignments, "total", "max_score"])
        for result in results:
            writer.writerow([
                result.submission,
                *(_number(result.assignments[a].score) if a in result.assignments else "" for a in assignments),
                _number(result.score),
                _number(result.max_score),
            ])
