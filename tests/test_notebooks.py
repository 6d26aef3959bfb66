"""The teaching notebooks: generated from their lesson, and runnable top to bottom."""
from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.curriculum import ASSIGNMENTS
from autograder.release.notebooks import notebook_paths, render
from conftest import ROOT, SOLUTIONS


def test_notebooks_are_generated_from_their_lessons(course):
    for lesson, notebook in notebook_paths(course):
        assert notebook.read_text(encoding="utf-8") == render(lesson), (
            f"{notebook} is stale: run `python -m autograder.release.notebooks`")


@pytest.mark.parametrize("name", list(ASSIGNMENTS))
def test_notebook_runs_with_the_reference_solution(name, tmp_path, monkeypatch):
    folder = tmp_path / name
    shutil.copytree(ROOT / "assignments" / name, folder)
    shutil.copyfile(SOLUTIONS / f"{name}.py", folder / f"{name}.py")
    if name == "mlp":
        shutil.copyfile(SOLUTIONS / "activations.py", folder / "activations.py")
    # The `!autograder check` cell runs the console script of this environment.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    notebook = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    outputs = re.sub(r"\x1b\[[0-9;]*m", "", "".join(
        o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", [])))
    summary = re.search(r"(\d+) of (\d+) public tests passed", outputs)
    assert summary, outputs[-2000:]
    assert summary.group(1) == summary.group(2) != "0", outputs[-2000:]
