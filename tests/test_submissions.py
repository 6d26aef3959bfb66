"""Finding a submission's files: folders, subfolders, zips, notebooks."""
from __future__ import annotations

import json
import zipfile

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.submission.discover import Submission, stage
from autograder.submission.notebook import extract
from conftest import COURSE, ROOT, SOLUTIONS


def staged(path, tmp_path):
    work, scratch = tmp_path / "work", tmp_path / "scratch"
    work.mkdir()
    scratch.mkdir()
    return stage(Submission.from_path(path), work, scratch, COURSE.modules), work


def test_files_in_subfolders_and_only_the_course_modules(tmp_path):
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
    code = extract(path, COURSE.modules)
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


def test_notebook_leaves_out_what_needs_work_that_did_not_run(tmp_path):
    nb = new_notebook(cells=[
        new_code_cell("import numpy as np\nimport matplotlib_that_is_not_here as plt\n"
                      "from autograder.jupyter import Checker\nimport otter\ngrader = Checker('keras_model')"),
        new_code_cell("digits = load_digits()\nimages, labels = digits.images, digits.target\nSCALE = 16.0\n"
                      "HALF = SCALE / 2\nPAIRS = {'a': (np.pi, SCALE)}\nsquare = lambda v: v * v"),
        new_code_cell("def preprocess(images):\n    return (images / SCALE).astype('float32')"),
        new_code_cell("grader.check('preprocess')"),
    ])
    nbformat.write(nb, tmp_path / "hw.ipynb")
    code = extract(tmp_path / "hw.ipynb", COURSE.modules)
    assert "digits" not in code.source and "autograder" not in code.source and "otter" not in code.source
    assert "grader" not in code.source
    for kept in ("SCALE = 16.0", "HALF = SCALE / 2", "PAIRS = {'a': (np.pi, SCALE)}", "square = lambda v: v * v"):
        assert kept in code.source
    namespace = {}
    exec(compile(code.source, "hw", "exec"), namespace)  # the missing plotting module costs nothing
    assert namespace["preprocess"](np.array([8.0])).tolist() == [0.5]


def test_a_stub_beside_the_notebook_does_not_win(tmp_path):
    sub = tmp_path / "carol"
    sub.mkdir()
    (sub / "activations.py").write_text((ROOT / "assignments" / "activations" / "activations.py").read_text())
    nbformat.write(new_notebook(cells=[new_code_cell((SOLUTIONS / "activations.py").read_text())]),
                   sub / "activations.ipynb")
    files, work = staged(sub, tmp_path)
    assert files.modules == {"activations": "activations.ipynb"}
    assert "def sigmoid(z):" in (work / "activations.py").read_text() and "NotImplementedError" not in (
        work / "activations.py").read_text()
    assert any("graded activations.ipynb, which implements 7 of 7" in n and "activations.py (0 of 7)" in n
               for n in files.notes), files.notes
    assert not any("were not used" in n for n in files.notes), files.notes


def test_a_cell_with_a_syntax_error_costs_only_its_functions(tmp_path, course):
    from autograder.grading.runner import grade

    source = (SOLUTIONS / "perceptron.py").read_text()
    head, rest = source.split("def perceptron_update", 1)
    broken = "def perceptron_update" + rest.replace("def train_perceptron", "def train_perceptron(:\n    pass\n\n\ndef _x", 1)
    nbformat.write(new_notebook(cells=[new_code_cell(head), new_code_cell(broken)]), tmp_path / "dave.ipynb")
    result = grade(Submission.from_path(tmp_path / "dave.ipynb"), course, ["perceptron"])
    scores = {t.name: t.status for t in result.tests}
    assert [name for name, status in scores.items() if status != "passed"] == [
        t.name for t in result.tests if "perceptron_update" in t.nodeid or "train_perceptron" in t.nodeid
        or "inputs_unchanged" in t.nodeid]
    assert any("cell 2 has a syntax error" in n for n in result.notes), result.notes


def test_a_buggy_notebook_and_the_same_py_get_the_same_feedback(tmp_path, course):
    from autograder.grading.runner import grade

    source = (SOLUTIONS / "gradient_descent.py").read_text().replace("w - eta * dw", "w + eta * dw")
    nbformat.write(new_notebook(cells=[new_code_cell(part) for part in source.split("\n\n\n")]),
                   tmp_path / "erin.ipynb")
    (tmp_path / "erin").mkdir()
    (tmp_path / "erin" / "gradient_descent.py").write_text(source)
    from_notebook = grade(Submission.from_path(tmp_path / "erin.ipynb"), course, ["gradient_descent"])
    from_py = grade(Submission.from_path(tmp_path / "erin"), course, ["gradient_descent"])
    assert 0 < from_notebook.score == from_py.score < from_py.max_score
    assert [t.to_dict() for t in from_notebook.tests] == [t.to_dict() for t in from_py.tests]


def test_notebooks_are_read_as_the_json_they_are_in_every_form(tmp_path):
    """Format 4 is read without nbformat; its on-disk list-of-lines sources, a format-3 notebook
    (through nbformat's converter) and a file that is no notebook at all are each handled."""
    from autograder.submission.notebook import NotebookError, code_cells, write_code_cells

    lines = tmp_path / "lines.ipynb"
    lines.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 2, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
         "source": ["def f(x):\n", "    return x\n"]}]}))
    assert code_cells(lines) == ["", "def f(x):\n    return x\n"]

    written = tmp_path / "written.ipynb"
    write_code_cells(written, ["x = 1", "def g():\n    return 2"])
    nbformat.validate(nbformat.read(written, as_version=4))  # what Jupyter itself accepts
    assert code_cells(written) == ["x = 1", "def g():\n    return 2"]

    old = tmp_path / "old.ipynb"
    nbformat.write(nbformat.v4.downgrade(nbformat.read(written, as_version=4)), old)
    assert json.loads(old.read_text())["nbformat"] == 3 and code_cells(old) == code_cells(written)

    for text, why in (("def f(): pass", "it is not JSON"), ("[1, 2]", "it is JSON but not a notebook"),
                      ('{"cells": 3}', "it is JSON but not a notebook")):
        bad = tmp_path / "bad.ipynb"
        bad.write_text(text)
        with pytest.raises(NotebookError, match=why):
            code_cells(bad)


def test_a_file_named_ipynb_that_is_not_a_notebook_is_said_in_plain_words(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "activations.ipynb").write_text("def sigmoid(z): return z\n")
    files, _ = staged(tmp_path / "sub", tmp_path)
    assert files.modules == {}
    assert any(n.startswith("activations.ipynb could not be read as a notebook: it is not JSON") for n in files.notes)
