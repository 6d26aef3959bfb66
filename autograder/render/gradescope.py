"""Gradescope's results.json, rendered from one submission's result record.

The format is Gradescope's autograder specification: a top-level `score` (which
overrides the sum of the tests, so a late penalty shows), `execution_time` in seconds
as a number, `output` for the whole submission, `stdout_visibility`, and one entry per
test with `name`, `score`, `max_score`, `status` (Gradescope knows only "passed" and
"failed": an error is a failure), `output`, `output_format`, `visibility` and `tags`.
"""
from __future__ import annotations

from typing import Any

from autograder.results.model import SubmissionResult


def results_json(result: SubmissionResult) -> dict[str, Any]:
    tests = []
    for name, assignment in result.assignments.items():
        for test in assignment.tests:
            tests.append({
                "name": f"{assignment.label}: {test.name}",
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.status == "passed" else "failed",
                "output": test.feedback,
                "output_format": "text",
                "visibility": test.visibility,
                "tags": [name],
            })
    summary = [f"Score: {result.score:g} of {result.max_score:g}."]
    if result.late:
        summary.append(f"Before the late penalty: {result.raw_score:g}.")
    return {
        "score": result.score,
        "execution_time": round(result.seconds, 3),
        "output": "\n".join([" ".join(summary), *result.messages]),
        "output_format": "text",
        "stdout_visibility": "hidden",  # the grader's own log: for course staff only
        "visibility": "visible",
        "tests": tests,
        "extra_data": {"raw_score": result.raw_score, "complete": result.complete},
    }
