"""The student notebooks, generated from each assignment's single source.

For every `implement` directive of a lesson the notebook gets a cell with the stubs
of those functions and, after it, a check cell (`grader.check("sigmoid")`) that runs
that question's public tests on what the student wrote. `python -m
autograder.release.notebooks [COURSE]` rewrites `assignments/<name>/<name>.ipynb`, and a
test fails when one is stale.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course import Course
from autograder.release.source import Lesson, read

CHECKER = 'from autograder.jupyter import Checker\ngrader = Checker("{assignment}")'


def finish(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Kernel metadata and stable cell ids, so that a regenerated file is byte-identical."""
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    return notebook


def answer_code(part, body: str = "stub") -> str:
    """The functions of an `implement` or `reuse` part, as stubs or as the reference."""
    return "\n\n\n".join(getattr(f, body) for f in part.functions)


def student_notebook(lesson: Lesson, body: str = "stub") -> nbformat.NotebookNode:
    """The notebook students get; with body="solution", the same with the reference pasted in."""
    cells, setup_done = [], False
    for part in lesson.parts:
        if part.kind == "markdown":
            cells.append(new_markdown_cell(part.text))
        elif part.kind == "code":
            text = part.text if setup_done else f"{part.text}\n{CHECKER.format(assignment=lesson.assignment)}"
            setup_done = True
            cells.append(new_code_cell(text))
        elif part.kind in ("implement", "reuse"):
            cells.append(new_code_cell(answer_code(part, body)))
            if part.kind == "implement":
                cells.append(new_code_cell(f'grader.check("{part.question.id}")'))
        elif part.kind == "check":
            cells.append(new_code_cell("grader.check_all()"))
    return finish(new_notebook(cells=cells))


def render(course: Course, assignment: str) -> str:
    return nbformat.writes(student_notebook(read(course, assignment))) + "\n"


def write_all(course: Course) -> list[Path]:
    """Rewrites every assignment's notebook from its sources; returns the paths."""
    written = []
    for assignment in course.names:
        path = course.notebook_file(assignment)
        path.write_text(render(course, assignment), encoding="utf-8")
        written.append(path)
    return written


def main() -> int:
    course = Course.locate(sys.argv[1] if len(sys.argv) > 1 else None, near=".")
    for path in write_all(course):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
