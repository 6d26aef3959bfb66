"""The same submission gets the same score and the same feedback every time it is graded."""
from __future__ import annotations

from autograder.grading.runner import grade
from autograder.submission.discover import Submission
from conftest import ROOT

BOB = ROOT / "examples" / "submissions" / "bob"  # one mistake in each of the five assignments


def outcome(result):
    return [(t.nodeid, t.status, t.score, t.feedback) for t in result.tests]


def test_same_seed_same_result_and_the_seed_changes_only_inputs(course):
    first = grade(Submission.from_path(BOB), course, seed=0)
    again = grade(Submission.from_path(BOB), course, seed=0)
    assert outcome(first) == outcome(again)
    other = grade(Submission.from_path(BOB), course, seed=1)
    # Another seed draws other inputs, so the numbers in the feedback differ, but bob's
    # mistakes cost him the same tests.
    assert [(n, s, p) for n, s, p, _ in outcome(other)] == [(n, s, p) for n, s, p, _ in outcome(first)]
    assert outcome(other) != outcome(first)
