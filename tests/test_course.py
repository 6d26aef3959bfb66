"""The course as data: the manifest, its errors, the engine that names no course, the bundled copy."""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from autograder.course import Course, CourseError, CourseNotFound
from conftest import COURSE, ROOT, WEAK_SANDBOX

PACKAGE = ROOT / "autograder"
# Names of the bundled course that are also ordinary words or library names: the engine may
# say them, but never as a string or an attribute (`student.x.step`, "relu") of its code.
COMMON_WORDS = {"step", "predict", "forward", "preprocess", "sigmoid", "tanh", "relu", "softmax", "activations",
                "digits"}
# ... except these, each for its stated reason.
ALLOWED_LITERALS = {
    ("sandbox/probes.py", "relu"), ("sandbox/probes.py", "sigmoid"), ("sandbox/probes.py", "tanh"),
    ("sandbox/probes.py", "softmax"),  # Keras's own activation identifiers, to name a layer's activation
    ("sandbox/probes.py", "step"), ("checks/gradcheck.py", "step"),  # a field of the gradient check's wire format
    ("cli.py", "step"),  # the `gradescope build|run` sub-command's argparse destination
}


def course_words() -> set[str]:
    words = {"load_digits"} | set(COURSE.names)
    for spec in COURSE.assignments.values():
        words |= {spec.module, *spec.functions}
    return words


def test_the_engine_names_no_assignment_function_or_data_set_of_the_bundled_course():
    distinct = course_words() - COMMON_WORDS
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE).as_posix()
        if not path.is_file() or path.suffix in (".pyc",) or relative.startswith("bundled/"):
            continue
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            found += [f"{relative}:{number}: {word}" for word in distinct
                      if re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", line)]
        if path.suffix == ".py":
            for node in ast.walk(ast.parse(text)):
                word = node.value if isinstance(node, ast.Constant) else getattr(node, "attr", None)
                if isinstance(node, (ast.Constant, ast.Attribute)) and word in COMMON_WORDS | course_words() \
                        and (relative, word) not in ALLOWED_LITERALS and not _library_attribute(node):
                    found.append(f"{relative}:{node.lineno}: {word!r}")
    assert not found, "the engine names the bundled course:\n" + "\n".join(found)


def _library_attribute(node: ast.AST) -> bool:
    """`np.tanh`, `model.predict`: a library's function, not the course's."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("np", "model")


def test_the_bundled_manifest_declares_what_the_engine_needs():
    assert COURSE.names == ["perceptron", "activations", "gradient_descent", "mlp", "keras_model"]
    assert COURSE["mlp"].uses == ("activations",)
    assert COURSE.preload(["perceptron", "mlp"]) == ("numpy",)
    assert COURSE.preload(COURSE.names) == ("numpy", "tensorflow", "keras")
    assert COURSE["perceptron"].depends["predict"] == ("net_input", "step")
    assert "activations.relu" in COURSE["mlp"].depends["forward"]  # another assignment's function
    assert COURSE.call_seconds() == {"keras_model": 120.0}
    assert COURSE.probes == ROOT / "graders" / "probes.py"
    with pytest.raises(ValueError, match="unknown assignment convolutions; deep-learning has perceptron"):
        COURSE.select(["convolutions"])
    assert COURSE.select(["mlp", "perceptron"]) == ["perceptron", "mlp"]


MINIMAL = """\
[course]
name = "tiny"
title = "A tiny course"

[assignments.first]
title = "The first one"
functions = ["double"]
"""


@pytest.mark.parametrize("text, where, message", [
    ("[course\nname = 1\n", 1, "not valid TOML"),
    (MINIMAL.replace('functions = ["double"]', 'functions = ["double", "double"]'), 7, "lists double more than once"),
    (MINIMAL.replace('functions = ["double"]\n', ""), 5, "say which functions students implement"),
    (MINIMAL.replace('title = "The first one"\n', ""), 5, "`title` is missing"),
    (MINIMAL + 'colour = "red"\n', 8, "unknown field 'colour'"),
    (MINIMAL + '\n[assignments.second]\ntitle = "Two"\nmodule = "first"\nfunctions = ["half"]\n', 11,
     "both use the module first.py"),
    (MINIMAL + 'data = ["../elsewhere.npz"]\n', 8, "the data file '../elsewhere.npz' is outside the course folder"),
    (MINIMAL + 'module = "random"\n', 8, "the module name 'random' is taken"),
    (MINIMAL + 'module = "class"\n', 8, "must be a Python identifier"),
    (MINIMAL + '\n[assignments.first.depends]\ntitle = ["double"]\n', 10, "depends names 'title'"),
    ('[assignments.first]\ntitle = "One"\nfunctions = ["f"]\nrequires = ["numpy"]\n\n[course]\nname = "x"\n'
     'requires = [3]\n', 8, "`requires` must be a list of names"),
    (MINIMAL.replace('[course]\n', '[course]\nprobes = "solutions/probes.py"\n'), 2, "outside solutions/"),
    (MINIMAL + 'points = -3\n', 8, "`points` must be a positive number"),
    (MINIMAL + '\n[assignments.first.depends]\nhalve = ["double"]\n', 10, "depends names 'halve'"),
    (MINIMAL + 'uses = ["nothing"]\n', 8, "`uses` names 'nothing'"),
    (MINIMAL + '\n[assignments.first.depends]\ndouble = ["other.half"]\n', 10,
     "double depends on 'other.half', which is not a function of a module that `uses` names"),
    (MINIMAL + 'uses = ["second"]\n\n[assignments.first.depends]\ndouble = ["second.third"]\n\n'
     '[assignments.second]\ntitle = "Two"\nfunctions = ["half"]\n', 11, "depends on 'second.third'"),
    ('[course]\nname = "x"\n', 0, "no assignments"),
])
def test_a_broken_manifest_is_refused_with_its_file_line_and_fix(tmp_path, text, where, message):
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(CourseError) as caught:
        Course.load(tmp_path)
    prefix = f"{tmp_path / 'course.toml'}:{where}: " if where else f"{tmp_path / 'course.toml'}: "
    assert str(caught.value).startswith(prefix), str(caught.value)
    assert message in str(caught.value)


def test_a_course_is_found_by_flag_environment_folder_or_the_bundled_default(tmp_path, monkeypatch):
    (tmp_path / "course.toml").write_text(MINIMAL)
    (tmp_path / "assignments" / "first").mkdir(parents=True)
    monkeypatch.delenv("AUTOGRADER_COURSE", raising=False)
    assert Course.locate(tmp_path).name == "tiny"
    assert Course.locate(near=tmp_path / "assignments" / "first").name == "tiny"
    assert Course.locate(near=tmp_path.parent).root == ROOT  # no course above: the bundled one
    monkeypatch.setenv("AUTOGRADER_COURSE", str(tmp_path))
    assert Course.locate(near=ROOT).name == "tiny"
    with pytest.raises(CourseNotFound, match="has no course.toml"):
        Course.locate(tmp_path / "assignments")  # an explicit course must be one: no silent fallback


def test_grade_refuses_a_broken_course_before_grading(tmp_path):
    broken = tmp_path / "course"
    shutil.copytree(ROOT / "graders", broken / "graders")
    (broken / "course.toml").write_text(MINIMAL.replace('functions = ["double"]', "functions = 3"))
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", str(ROOT / "examples" / "submissions" / "carol"),
                          "--course", str(broken), "--out", str(tmp_path / "grades"), *WEAK_SANDBOX],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    assert f"{broken / 'course.toml'}:7: first: `functions` must be a list of names" in out.stderr
    assert not (tmp_path / "grades" / "results.jsonl").exists()


@pytest.mark.slow
def test_a_plain_pip_install_carries_the_bundled_course(tmp_path):
    """A wheel (not an editable install) grades the bundled course from any folder."""
    source = tmp_path / "source"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path / "wheel"), str(source)], check=True, capture_output=True)
    # The wheel in a folder of its own, ahead of this environment's editable install on the path; the
    # dependencies (and the interpreter the sandbox binds) stay this environment's.
    target = tmp_path / "installed"
    wheel = next((tmp_path / "wheel").glob("*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    shutil.rmtree(source)
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("AUTOGRADER_COURSE", None)
    where = subprocess.run([sys.executable, "-c", "import autograder.course as c; print(c.bundled_course())"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=env).stdout.strip()
    assert where == str(target / "autograder" / "bundled")
    carol = tmp_path / "carol"
    shutil.copytree(ROOT / "examples" / "submissions" / "carol", carol)
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", str(carol), "--out", "grades", "--json",
                          "--assignment", "perceptron", *WEAK_SANDBOX],
                         capture_output=True, text=True, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["score"] == 10.0 and result["assignments"]["perceptron"]["title"] == "The perceptron"
    # Gradescope's zip from a wheel: no checkout to copy pyproject.toml from, so it is written from the metadata
    bundle = tmp_path / "autograder.zip"
    built = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "build", str(bundle)],
                           capture_output=True, text=True, cwd=tmp_path, env=env)
    assert built.returncode == 0, built.stderr
    import tomllib
    import zipfile

    with zipfile.ZipFile(bundle) as zf:
        project = tomllib.loads(zf.read("package/pyproject.toml").decode())
        assert "package/autograder/cli.py" in zf.namelist() and "course/graders/test_mlp.py" in zf.namelist()
    assert project["project"]["name"] == "autograder" and "numpy>=1.26" in project["project"]["dependencies"]
    assert "keras" in project["project"]["optional-dependencies"]
    assert project["project"]["entry-points"]["pytest11"] == {"autograder": "autograder.grading.plugin"}


def test_grade_names_each_file_that_breaks_the_course_and_grades_nothing(tmp_path):
    course = COURSE.copy_to(tmp_path / "course")
    reference = course / "solutions" / "perceptron.py"
    reference.write_text(reference.read_text().replace("def step(", "def heaviside("))
    grader = course / "graders" / "test_activations.py"
    grader.write_text("import numpy as np\nimport no_such_package_here\n" + grader.read_text())
    (course / "graders" / "test_mlp.py").write_text("def test_x(:\n    pass\n")
    out = subprocess.run([sys.executable, "-m", "autograder", "grade", str(ROOT / "examples" / "submissions" / "carol"),
                          "--course", str(course), "--out", str(tmp_path / "grades"), *WEAK_SANDBOX],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    line = COURSE["perceptron"].line
    assert f"{reference}: defines no step, which course.toml:{line} lists for perceptron" in out.stderr
    assert f"{grader}:2: imports no_such_package_here, which is not installed here" in out.stderr
    assert f"{course / 'graders' / 'test_mlp.py'}:1: syntax error" in out.stderr
    assert not (tmp_path / "grades" / "results.jsonl").exists()
    assert Course.load(course).problems(["gradient_descent", "keras_model"]) == []
    manifest = course / "course.toml"
    manifest.write_text(manifest.read_text().replace('title = "Activation functions"\n',
                                                     'title = "Activation functions"\ndata = ["data/z.npy"]\n'))
    missing = Course.load(course).problems(["activations"])
    assert any(p.startswith(f"{course / 'data' / 'z.npy'}: missing (course.toml:") for p in missing), missing


def test_two_courses_with_same_named_graders_are_graded_each_by_its_own(tmp_path):
    from autograder.grading.runner import grade
    from autograder.scaffold import new_course
    from autograder.submission.discover import Submission

    first = tmp_path / "first"
    new_course(first)
    second = Course.load(first).copy_to(tmp_path / "second")
    name = Course.load(first).names[0]
    grader = second / "graders" / f"test_{name}.py"
    grader.write_text(grader.read_text() + "\n\ndef test_always_fails():\n    assert False, 'the second course'\n")
    results = [grade(Submission("ref", course / "solutions"), Course.load(course), [name]).assignments[name]
               for course in (first, second, first)]
    assert [r.score == r.max_score for r in results] == [True, False, True]
    assert len(results[1].tests) == len(results[0].tests) + 1


def test_the_functions_a_test_grades_follow_an_edit_of_its_file(tmp_path):
    """Read from one parse of the grader module, kept while the file is unchanged: an author who
    edits a grader in a live kernel gets the edited test's functions, not the first version's."""
    import importlib.util

    from autograder.grading.plugin import _named_functions

    path = tmp_path / "test_edited.py"

    def load(body: str):
        path.write_text(f"def test_it(student):\n    {body}\n")
        spec = importlib.util.spec_from_file_location("test_edited", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.test_it

    assert _named_functions(load("student.activations.relu(1)"), ("relu", "sigmoid")) == ("relu",)
    assert _named_functions(load("student.activations.sigmoid(1) + 2"), ("relu", "sigmoid")) == ("sigmoid",)
