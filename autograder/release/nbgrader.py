"""An nbgrader course made from the single source of every assignment.

    autograder export nbgrader COURSE_DIR

writes `nbgrader_config.py`, `source/<assignment>/<assignment>.ipynb` and a copy of
the graders in `autograder_course/` (outside `source/`, so never released). In each
source notebook:

- every function to implement is a solution cell: the stub's signature and docstring,
  then the reference body between `### BEGIN SOLUTION` and `### END SOLUTION`;
- every question is an autograded test cell worth the points of its hidden tests. The
  students' copy shows `grader.check(...)` (the public tests, as feedback); between
  `### BEGIN HIDDEN TESTS` and `### END HIDDEN TESTS`, nbgrader's autograde version ends
  with `grader.score(...)`, whose value nbgrader takes as the cell's partial credit.
  So `nbgrader autograde` gives the scores `autograder grade` gives.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course import Course
from autograder.release.notebooks import CHECKER, finish
from autograder.release.source import Lesson, Part, read

COURSE_COPY = "autograder_course"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"

CONFIG = '''\
"""nbgrader configuration written by `autograder export nbgrader`."""
import os

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_assignments = {assignments!r}
c.ClearSolutions.code_stub = {{"python": {code_stub!r}}}
c.Execute.timeout = 900
# The hidden test cells call autograder's graders: those of the course copied beside this file.
os.environ.setdefault("AUTOGRADER_COURSE", os.path.join(os.path.dirname(os.path.abspath(__file__)), {copy!r}))
'''


def metadata(cell_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
             points: float | None = None) -> dict:
    """nbgrader's cell metadata (schema 3)."""
    data = {"grade": grade, "grade_id": cell_id, "locked": locked, "schema_version": 3, "solution": solution,
            "task": False}
    if points is not None:
        data["points"] = points
    return {"nbgrader": data}


def solution_cell_source(part: Part) -> str:
    """Each function: the stub's signature and docstring, then the reference body as the solution."""
    return "\n\n\n".join(f"{f.header}\n{f.indent}### BEGIN SOLUTION\n{f.solution_body}\n{f.indent}### END SOLUTION"
                          for f in part.functions)


def source_notebook(lesson: Lesson) -> nbformat.NotebookNode:
    cells, setup_done = [], False
    for part in lesson.parts:
        if part.kind == "markdown":
            cells.append(new_markdown_cell(part.text))
        elif part.kind == "code":
            if setup_done:
                cells.append(new_code_cell(part.text))
            else:  # the setup cell is locked: the checks below need it
                setup_done = True
                cells.append(new_code_cell(f"{part.text}\n{CHECKER.format(assignment=lesson.assignment)}",
                                           metadata=metadata("setup", locked=True)))
        elif part.kind in ("implement", "reuse"):
            name = part.question.id if part.kind == "implement" else f"reuse_{part.text}"
            cells.append(new_code_cell(solution_cell_source(part), metadata=metadata(name, solution=True)))
            if part.kind == "implement":
                q = part.question
                cells.append(new_code_cell(
                    f'grader.check("{q.id}")\n### BEGIN HIDDEN TESTS\ngrader.score("{q.id}")\n### END HIDDEN TESTS',
                    metadata=metadata(f"test_{q.id}", grade=True, locked=True, points=q.points)))
        elif part.kind == "check":
            cells.append(new_code_cell("grader.check_all()"))
    return finish(new_notebook(cells=cells))


def export(course: Course, out: Path, course_id: str | None = None) -> list[Path]:
    """Writes the nbgrader course (its id: the manifest's course name unless given); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for assignment in course.names:
        path = out / "source" / assignment / f"{assignment}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_notebook(read(course, assignment)), str(path))
        written.append(path)
    copy = course.copy_to(out / COURSE_COPY, skip=["*.ipynb"])
    config = out / "nbgrader_config.py"
    config.write_text(CONFIG.format(course_id=course_id or course.name, code_stub=CODE_STUB, copy=COURSE_COPY,
                                    assignments=[{"name": a} for a in course.names]), encoding="utf-8")
    return [config, *written, copy]
