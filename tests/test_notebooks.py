"""The student notebooks: generated from one source, with a check after every function."""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.release.notebooks import answer_code, render
from autograder.release.source import leaked_lines, read
from conftest import ASSIGNMENTS, ROOT

SUMMARY = re.compile(r": (\d+) of (\d+) passed")


def test_notebooks_are_generated_from_their_single_source(course):
    for name in ASSIGNMENTS:
        path = course.assignments_dir / name / f"{name}.ipynb"
        assert path.read_text(encoding="utf-8") == render(course, name), (
            f"{path} is stale: run `python -m autograder.release.notebooks`")


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_student_notebook_shows_no_solution(name, course):
    lesson = read(course, name)
    text = (course.assignments_dir / name / f"{name}.ipynb").read_text(encoding="utf-8")
    notebook = "\n".join(cell.source for cell in nbformat.reads(text, as_version=4).cells)
    assert leaked_lines(notebook, course, lesson) == []


def test_the_leak_scan_finds_a_pasted_reference(course):
    lesson = read(course, "mlp")
    pasted = (ROOT / "solutions" / "mlp.py").read_text()
    assert "dZ[np.arange(n), y] -= 1.0" in leaked_lines(pasted, course, lesson)


def every_question_has_a_cell(notebook, lesson) -> None:
    checks = [c.source for c in notebook.cells if c.cell_type == "code" and c.source.startswith("grader.check(")]
    assert checks == [f'grader.check("{q.id}")' for q in lesson.questions]


def run(notebook, folder: Path) -> list[tuple[str, str, str]]:
    """Executes a notebook; (check cell, its text, its HTML) for every check cell."""
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    found = []
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check"):
            data = next(o["data"] for o in cell.outputs if o.output_type == "execute_result")
            found.append((cell.source, "".join(data["text/plain"]), "".join(data["text/html"])))
    return found


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_notebook_with_the_reference_pasted_in_passes_every_check(name, course, tmp_path, monkeypatch):
    lesson = read(course, name)
    notebook = nbformat.read(course.assignments_dir / name / f"{name}.ipynb", as_version=4)
    every_question_has_a_cell(notebook, lesson)
    answers = {answer_code(part): answer_code(part, "solution") for part in lesson.parts if part.functions}
    pasted = 0
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source in answers:
            cell.source, pasted = answers[cell.source], pasted + 1
    assert pasted == len(answers)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    checks = run(notebook, tmp_path)
    assert len(checks) == len(lesson.questions) + 1  # one per question, and the final check_all
    for source, text, page in checks:
        passed, total = SUMMARY.search(text).groups()
        assert passed == total != "0", (source, text)
        assert "✓" in page and "✗" not in page, source


def test_a_check_names_what_is_wrong_in_the_notebook(course, tmp_path):
    """A bug in one function shows in its own check, with the feedback; the others pass."""
    lesson = read(course, "activations")
    notebook = nbformat.read(course.assignments_dir / "activations" / "activations.ipynb", as_version=4)
    answers = {answer_code(part): answer_code(part, "solution") for part in lesson.parts if part.functions}
    for cell in notebook.cells:
        if cell.source in answers:
            cell.source = answers[cell.source].replace("(np.asarray(z) > 0)", "(np.asarray(z) >= 0)")
    notebook.cells = [c for c in notebook.cells if c.cell_type == "markdown" or "grader" in c.source
                      or "def " in c.source or "import" in c.source]
    checks = dict((source, text) for source, text, _ in run(notebook, tmp_path))
    assert re.search(r"(\d+) of \1 passed", checks['grader.check("sigmoid")'])
    relu = checks['grader.check("relu")']
    assert "0 of 1 passed" in relu and "relu_grad" in relu and "expected" in relu.lower(), relu


def test_checks_outside_a_notebook_read_the_files_of_the_folder(tmp_path, monkeypatch, course):
    """In a terminal (no IPython), a check grades the assignment's file in the current folder,
    prints as plain text, and score() gives the points `autograder grade` gives."""
    from autograder.jupyter import Checker

    source = (ROOT / "solutions" / "activations.py").read_text()
    (tmp_path / "activations.py").write_text(source.replace("(np.asarray(z) > 0)", "(np.asarray(z) >= 0)"))
    monkeypatch.chdir(tmp_path)
    grader = Checker("activations")
    assert grader.check("sigmoid").passed
    report = grader.check("relu_grad")  # any function of a question names it
    assert not report.passed
    assert str(report).startswith("relu, relu_grad: public tests: 0 of 1 passed")
    assert "At index (1,): got 1, expected 0." in str(report)
    assert "<pre" in report._repr_html_() and "&lt;" not in report.title
    assert (grader.score("sigmoid"), grader.score("relu"), grader.score("softmax")) == (2.0, 0.5, 3.5)
    with pytest.raises(AssertionError, match="relu_grad"):
        grader.require("relu")
    with pytest.raises(AssertionError, match="the derivative at z == 0 must be 0"):
        grader.require_test("relu", "test_relu_grad")
    grader.require_test("relu", "test_relu")
