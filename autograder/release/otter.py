"""An otter-grader assignment made from the single source of every assignment.

    autograder export otter DIR
    otter assign DIR/<assignment>/<assignment>.ipynb DIR/<assignment>/dist

writes one master notebook per assignment in `otter assign`'s format. Each question
holds the functions to implement (the reference between otter's solution markers,
the stub's `raise NotImplementedError` as the students' prompt) and exception-based
test cases that call our checks:

- one public case, worth 0 points, that runs the question's public tests: the
  students' `grader.check("sigmoid")` shows our feedback when it fails;
- one hidden case per hidden grader test, worth that test's points, so that
  `otter run` gives the scores `autograder grade` gives. The hidden tests of a
  question run once, in our sandbox; each case reads its own verdict.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from autograder.course import Course, bundled_course
from autograder.release.notebooks import finish
from autograder.release.source import Lesson, Part, read

CONFIG = """# ASSIGNMENT CONFIG
name: {name}
init_cell: true
check_all_cell: true
export_cell: false
run_tests: true
strip_solutions_from_all_cells: true
generate: true
tests:
  files: false
  ok_format: false{files}"""

CASE = '''""" # BEGIN TEST CONFIG
points: {points:g}
hidden: {hidden}
""" # END TEST CONFIG
def {function}(env):
    from autograder.jupyter import Checker
    Checker({assignment!r}).{call}'''


def solution_cell_source(part: Part) -> str:
    """Each function: the stub's body as the students' prompt, the reference's as the solution."""
    return "\n\n\n".join(
        f'{f.header}\n{f.indent}""" # BEGIN PROMPT\n{f.stub_body}\n{f.indent}""" # END PROMPT\n'
        f"{f.indent}# BEGIN SOLUTION NO PROMPT\n{f.solution_body}\n{f.indent}# END SOLUTION" for f in part.functions)


def question_cells(lesson: Lesson, part: Part) -> list:
    q = part.question
    cells = [
        new_raw_cell(f"# BEGIN QUESTION\nname: {q.id}\npoints: {json.dumps(q.points)}"),
        new_markdown_cell(f"Implement {', '.join(f'`{f}`' for f in q.functions)} in the cell below."),
        new_raw_cell("# BEGIN SOLUTION"),
        new_code_cell(solution_cell_source(part)),
        new_raw_cell("# END SOLUTION"),
        new_raw_cell("# BEGIN TESTS"),
        new_code_cell(CASE.format(points=0, hidden="false", function=f"public_{q.id}", assignment=lesson.assignment,
                                  call=f"require({q.id!r})")),
    ]
    for test in q.hidden:
        cells.append(new_code_cell(CASE.format(points=test.points, hidden="true", function=f"hidden_{test.function}",
                                               assignment=lesson.assignment,
                                               call=f"require_test({q.id!r}, {test.function!r})")))
    return [*cells, new_raw_cell("# END TESTS"), new_raw_cell("# END QUESTION")]


def master_notebook(lesson: Lesson, files: list[str] = (), autograder_files: list[str] = ()) -> nbformat.NotebookNode:
    listed = "".join(f"\n{key}:" + "".join(f"\n  - {json.dumps(f)}" for f in names)
                     for key, names in (("files", files), ("autograder_files", autograder_files)) if names)
    cells = [new_raw_cell(CONFIG.format(name=lesson.assignment, files=listed))]
    for part in lesson.parts:
        if part.kind == "markdown":
            cells.append(new_markdown_cell(part.text))
        elif part.kind == "code":
            cells.append(new_code_cell(part.text))
        elif part.kind == "implement":
            cells.extend(question_cells(lesson, part))
        elif part.kind == "reuse":  # pasted by students, not graded on its own
            cells.append(new_code_cell(solution_cell_source(part)))
    return finish(new_notebook(cells=cells))


def export(course: Course, out: Path) -> list[Path]:
    """Writes `<assignment>/<assignment>.ipynb` masters under `out`; returns them.

    The checks in the notebooks find their course as every notebook check does: the nearest
    course.toml above the notebook, else the bundled course. So a course other than the bundled
    one goes beside each master: what students may see (the manifest, the public files, the
    probe file) as otter's `files`, which reach the students' copy and the autograder alike, and
    the references, hidden graders and data as `autograder_files`, which reach only the autograder.
    """
    bundled = bundled_course()
    own = bundled is None or course.root.resolve() != bundled.resolve()
    public, private = _course_files(course) if own else ([], [])
    written = []
    for assignment in course.names:
        folder = out / assignment
        folder.mkdir(parents=True, exist_ok=True)
        course.copy_files([*public, *private], folder)
        path = folder / f"{assignment}.ipynb"
        nbformat.write(master_notebook(read(course, assignment), public, private), str(path))
        written.append(path)
    return written


def _course_files(course: Course) -> tuple[list[str], list[str]]:
    """The course's files as (what students may see, what only the autograder may), relative paths."""
    seen = {p.as_posix() for p in course.files(("assignments",), skip=("*.ipynb",))}
    everything = {p.as_posix() for p in course.files(("assignments", "solutions", "graders"), skip=("*.ipynb",))}
    hidden = {p for p in everything - seen if not p.startswith("graders/mutants/") and not p.startswith("graders/variants/")}
    return sorted(seen), sorted(hidden)
