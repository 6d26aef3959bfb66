"""Teaching notebooks, generated from one readable source per assignment.

`assignments/<name>/lesson.md` is Markdown in which each fenced ```python block becomes
a code cell and everything between them a Markdown cell. The notebook beside it,
`<name>.ipynb`, is generated from it (`python -m autograder.release.notebooks`) and a
test fails when it is stale.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course import Course
from autograder.curriculum import ASSIGNMENTS

FENCE = re.compile(r"^```python\n(.*?)^```\n?", re.S | re.M)


def build(lesson: str) -> nbformat.NotebookNode:
    cells, position = [], 0
    for match in FENCE.finditer(lesson):
        text = lesson[position:match.start()].strip()
        if text:
            cells.append(new_markdown_cell(text))
        cells.append(new_code_cell(match.group(1).rstrip("\n")))
        position = match.end()
    if lesson[position:].strip():
        cells.append(new_markdown_cell(lesson[position:].strip()))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    for number, cell in enumerate(notebook.cells):  # stable ids keep regenerated files identical
        cell["id"] = f"cell-{number}"
    return notebook


def render(lesson_path: Path) -> str:
    return nbformat.writes(build(lesson_path.read_text(encoding="utf-8"))) + "\n"


def notebook_paths(course: Course) -> list[tuple[Path, Path]]:
    return [(course.assignments / name / "lesson.md", course.assignments / name / f"{name}.ipynb")
            for name in ASSIGNMENTS]


def main() -> int:
    for lesson, notebook in notebook_paths(Course.locate(need="assignments")):
        notebook.write_text(render(lesson), encoding="utf-8")
        print(f"wrote {notebook}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
