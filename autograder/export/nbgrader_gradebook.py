"""Our scores in nbgrader's gradebook, written through nbgrader's own API.

    autograder grade SUBMISSIONS --gradebook sqlite:///PATH/gradebook.db

Each assignment is an nbgrader assignment with one notebook of the same name, and
each question (`autograder.grading.questions`) one autograded cell `test_<question>` worth the
points of its hidden tests: the cells `autograder export nbgrader` makes, so grades
from `autograder grade` and from `nbgrader autograde` land in the same places. Missing
assignments, cells and students are created; an instructor's manual scores are kept.
`nbgrader export` and formgrader then show the scores.
"""
from __future__ import annotations

import contextlib
import os
import sysconfig
from typing import Iterator

from autograder import extras
from autograder.course import Course
from autograder.grading.questions import Question, questions
from autograder.results.model import SubmissionResult


def cell_name(question: Question) -> str:
    return f"test_{question.id}"


def question_scores(result: SubmissionResult, assignment: str, found: tuple[Question, ...]) -> dict[str, float]:
    """The points each question earned, from the result's tests (matched by test function)."""
    owner = {t.function: q for q in found for t in q.hidden}
    scores = {q.id: 0.0 for q in found}
    for test in result.assignments[assignment].tests:
        if test.function in owner:
            scores[owner[test.function].id] += test.score
    return scores


@contextlib.contextmanager
def _scripts_on_path() -> Iterator[None]:
    """nbgrader sets up a new gradebook by running `alembic` by name: it must be found even
    when this environment's scripts folder is not on PATH (a venv used without activating it)."""
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), before])
    try:
        yield
    finally:
        os.environ["PATH"] = before


NEEDS = "autograder grade --gradebook"  # nbgrader comes with autograder[nbgrader]


def require() -> None:
    """Raises MissingExtra before any grading when nbgrader is missing."""
    extras.need("nbgrader", NEEDS)


def write(url: str, results: list[SubmissionResult], assignments: list[str], course: Course) -> None:
    require()
    from nbgrader.api import Grade, Gradebook, MissingEntry, SubmittedNotebook

    structure = {a: questions(course, a) for a in assignments}
    with _scripts_on_path(), Gradebook(url) as gradebook:
        for assignment, found in structure.items():
            gradebook.update_or_create_assignment(assignment)
            gradebook.update_or_create_notebook(assignment, assignment)
            for q in found:
                gradebook.update_or_create_grade_cell(cell_name(q), assignment, assignment,
                                                      max_score=q.points, cell_type="code")
        for result in results:
            gradebook.update_or_create_student(result.submission)
            for assignment, found in structure.items():
                if assignment not in result.assignments:
                    continue
                submission = gradebook.update_or_create_submission(assignment, result.submission)
                notebook = next((nb for nb in submission.notebooks if nb.name == assignment), None)
                if notebook is None:  # a submission recorded before this notebook existed
                    notebook = SubmittedNotebook(notebook=gradebook.find_notebook(assignment, assignment),
                                                 assignment=submission)
                    gradebook.db.add(notebook)
                for question_id, score in question_scores(result, assignment, found).items():
                    name = cell_name(next(q for q in found if q.id == question_id))
                    try:
                        grade = gradebook.find_grade(name, assignment, assignment, result.submission)
                    except MissingEntry:  # a cell added after this submission was first recorded
                        cell = gradebook.find_grade_cell(name, assignment, assignment)
                        grade = Grade(cell_id=cell.id, notebook=notebook)
                        gradebook.db.add(grade)
                    grade.auto_score = score
                gradebook.db.commit()
