"""Finding a submission's files: folders, subfolders, zips, notebooks."""
from __future__ import annotations

import zipfile

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.submission.discover import Submission, stage
from autograder.submission.notebook import extract
from conftest import SOLUTIONS


def staged(path, tmp_path):
    work, scratch = tmp_path / "work", tmp_path / "scratch"
    work.mkdir()
    scratch.mkdir()
    return stage(Submission.from_path(path), work, scratch), work


def test_files_in_subfolders_and_only_curriculum_modules(tmp_path):
    sub = tmp_path / "alice"
    (sub / "hw" / "deep").mkdir(parents=True)
    (sub / "hw" / "perceptron.py").write_text("A = 1\n")
    (sub / "hw" / "deep" / "perceptron.py").write_text("A = 2\n")
    (sub / "numpy.py").write_text("raise SystemExit\n")
    files, work = staged(sub, tmp_path)
    assert files.modules == {"perceptron": "hw/perceptron.py"}
    assert sorted(p.name for p in work.iterdir()) == ["perceptron.py"]
    assert (work / "perceptron.py").read_text() == "A = 1\n"


def test_zip_skips_unsafe_members(tmp_path):
    archive = tmp_path / "bob.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("bob/activations.py", "X = 1\n")
        zf.writestr("../evil.py", "X = 2\n")
    files, work = staged(archive, tmp_path)
    assert Submission.from_path(archive).id == "bob"
    assert files.modules == {"activations": "bob/activations.py"}
    assert not (tmp_path / "evil.py").exists()


def test_notebook_keeps_definitions_and_skips_work(tmp_path):
    nb = new_notebook(cells=[
        new_code_cell("!pip install numpy\nimport numpy as np\nRATE = 0.1"),
        new_code_cell("def relu(z):\n    return np.maximum(0, z)\n\nprint(relu(3))\nmodel = train()"),
        new_code_cell("def broken(:\n    pass"),
        new_code_cell("%%timeit\nrelu(1)"),
    ])
    path = tmp_path / "hw.ipynb"
    nbformat.write(nb, path)
    code = extract(path)
    assert "import numpy as np" in code.source and "RATE = 0.1" in code.source and "def relu" in code.source
    assert "print(" not in code.source and "train()" not in code.source and "pip" not in code.source
    assert code.functions == {"relu"}
    assert code.skipped == ["cell 3 has a syntax error (line 1: invalid syntax) and was skipped"]


def test_notebook_and_py_give_identical_results(tmp_path, course):
    from autograder.grading.runner import grade

    source = (SOLUTIONS / "activations.py").read_text()
    nbformat.write(new_notebook(cells=[new_code_cell(source)]), tmp_path / "nb_student.ipynb")
    py = tmp_path / "py_student"
    py.mkdir()
    (py / "activations.py").write_text(source)
    from_notebook = grade(Submission.from_path(tmp_path / "nb_student.ipynb"), course, ["activations"])
    from_py = grade(Submission.from_path(py), course, ["activations"])
    assert from_notebook.score == from_py.score == 10
    assert [t.to_dict() for t in from_notebook.tests] == [t.to_dict() for t in from_py.tests]
