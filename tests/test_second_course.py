"""The second course, examples/courses/layers: written through the documented API alone, and
everything the bundled course goes through works for it too - validate, grade, check, the
notebooks and their checks, release, and the nbgrader, otter and Gradescope exports, run
for real.
"""
from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import autograder.checks
from autograder.authoring.inputs import mutants, variants
from autograder.authoring.validate import validate
from autograder.course import Course
from autograder.grading.questions import questions
from autograder.grading.runner import grade
from autograder.release.notebooks import answer_code, render
from autograder.release.source import leaked_lines, read
from autograder.release.student import build
from autograder.submission.discover import Submission
from conftest import ROOT, WEAK_SANDBOX, filled_in, run_like_gradescope, tool

LAYERS = ROOT / "examples" / "courses" / "layers"
COURSE = Course.load(LAYERS)
BIN = Path(sys.executable).parent
# A known mistake of each kind: the run's scores and messages must show it.
DB_AVERAGED = ("db = dout.sum(axis=(0, 2, 3))", "db = dout.sum(axis=(0, 2, 3)) / N")
KERNEL_FLIPPED = ("patch, w[:, :, i, j])", "patch, w[:, :, HH - 1 - i, WW - 1 - j])")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("AUTOGRADER_COURSE", None)
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=900)



def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import of a file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", [alias.name for alias in node.names]))
    return found


def test_it_is_written_with_the_documented_api_only():
    """Of the engine, its graders and public tests import autograder.checks' public names, nothing else."""
    files = [*(LAYERS / "graders").glob("test_*.py"), *(LAYERS / "assignments").glob("*/test_*.py")]
    assert len(files) == 2 * len(COURSE.names)
    for path in files:
        for module, names in imports(path):
            assert module == "autograder.checks" or not module.startswith("autograder"), f"{path}: imports {module}"
            if module == "autograder.checks":
                assert set(names) <= set(autograder.checks.__all__), f"{path}: {set(names) - set(autograder.checks.__all__)}"


def test_it_has_new_kinds_of_exercise_each_complete():
    assert COURSE.names == ["conv", "optimizers", "normalization", "cnn"]
    assert COURSE["cnn"].preload and COURSE["cnn"].requires == ("tensorflow",)  # TensorFlow only where declared
    assert not any(COURSE[n].preload for n in ("conv", "optimizers", "normalization"))
    for name in COURSE.names:
        spec = COURSE[name]
        assert len(mutants(COURSE, name)) >= 5 and len(variants(COURSE, name)) >= 3, name
        assert all(m.fails is not None and m.message and m.lost for m in mutants(COURSE, name)), name
        lesson = read(COURSE, name)
        assert tuple(f.name for part in lesson.parts for f in part.functions) == tuple(spec.functions)
        stub = COURSE.stub_file(name).read_text(encoding="utf-8")
        assert stub.count("raise NotImplementedError") == len(spec.functions)
        assert spec.points == 10


def test_it_validates():
    report = validate(COURSE, seeds=[0, 1])
    assert report.ok, [(a.name, c.what, c.detail) for a in report.assignments for c in a.checks if not c.ok]
    assert [a.name for a in report.assignments] == COURSE.names


def test_grade_and_check_from_the_command_line(tmp_path):
    graded = cli("grade", str(LAYERS / "solutions"), "--course", str(LAYERS), "--out", str(tmp_path / "g"),
                 "--json", *WEAK_SANDBOX, cwd=tmp_path)
    assert graded.returncode == 0, graded.stderr[-2000:]
    result = json.loads(graded.stdout)
    assert result["score"] == result["max_score"] == 10 * len(COURSE.names)
    assert [a["title"] for a in result["assignments"].values()] == [COURSE[n].title for n in COURSE.names]

    student = tmp_path / "student"  # a student's folder inside a copy of the course: found from there
    course = COURSE.copy_to(tmp_path / "course")
    folder = course / "assignments" / "conv"
    reference = (LAYERS / "solutions" / "conv.py").read_text(encoding="utf-8")
    assert KERNEL_FLIPPED[0] in reference
    (folder / "conv.py").write_text(reference.replace(*KERNEL_FLIPPED), encoding="utf-8")
    checked = cli("check", str(folder), cwd=tmp_path)
    assert checked.returncode == 1 and "✗ conv_forward" in checked.stdout, checked.stdout
    (folder / "conv.py").write_text(reference, encoding="utf-8")
    checked = cli("check", str(folder), cwd=tmp_path)
    assert checked.returncode == 0 and "public tests passed" in checked.stdout, checked.stdout
    student.mkdir()
    (student / "conv.py").write_text(reference.replace(*DB_AVERAGED), encoding="utf-8")
    wrong = grade(Submission("s", student), COURSE, ["conv"]).assignments["conv"]
    failed = [t for t in wrong.tests if t.status != "passed"]
    assert wrong.score == 7 and "db was averaged over the samples" in failed[0].feedback


@pytest.mark.parametrize("name", COURSE.names)
def test_its_notebooks_are_current_and_their_checks_pass_with_the_reference(name, tmp_path):
    path = COURSE.assignments_dir / name / f"{name}.ipynb"
    assert path.read_text(encoding="utf-8") == render(COURSE, name), f"{path} is stale"
    lesson = read(COURSE, name)
    notebook = nbformat.read(path, as_version=4)
    assert leaked_lines("\n".join(c.source for c in notebook.cells), COURSE, lesson) == []
    answers = {answer_code(part): answer_code(part, "solution") for part in lesson.parts if part.functions}
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source in answers:
            cell.source = answers[cell.source]
    folder = COURSE.copy_to(tmp_path / "course") / "assignments" / name  # the checks find the course above
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
                   ).execute()
    shown = ["".join(o["data"]["text/plain"]) for c in notebook.cells if c.cell_type == "code"
             and c.source.startswith("grader.check") for o in c.outputs if o.output_type == "execute_result"]
    assert len(shown) == len(lesson.questions) + 1
    for text in shown:
        passed, total = re.search(r": (\d+) of (\d+) passed", text).groups()
        assert passed == total and "✗" not in text, text  # (a question may have no public test of its own)


def test_its_release_checks_and_holds_no_answers(tmp_path):
    out = tmp_path / "release"
    relative = {p.relative_to(out).as_posix() for p in build(COURSE, out)}
    assert "course.toml" in relative and not any(p.startswith(("solutions/", "graders/")) for p in relative)
    done = out / "assignments" / "optimizers" / "mine"
    done.mkdir()
    shutil.copyfile(LAYERS / "solutions" / "optimizers.py", done / "optimizers.py")
    checked = cli("check", str(done), cwd=tmp_path)
    assert checked.returncode == 0 and "public tests passed" in checked.stdout, checked.stdout + checked.stderr
    stub = cli("check", str(out / "assignments" / "normalization"), cwd=tmp_path)
    assert stub.returncode == 1 and " 0 of " in stub.stdout


def our_question_scores(path: Path, assignment: str) -> dict[str, float]:
    from autograder.export.nbgrader_gradebook import question_scores

    result = grade(Submission.from_path(path), COURSE, [assignment])
    return question_scores(result, assignment, questions(COURSE, assignment))


def test_nbgrader_export_generates_and_autogrades_like_us(tmp_path):
    out = tmp_path / "nbgrader"
    done = cli("export", "nbgrader", str(out), "--course", str(LAYERS), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (out / "source").iterdir()} >= set(COURSE.names)
    tool("nbgrader", "generate_assignment", "conv", "--force", cwd=out)
    release = nbformat.read(str(out / "release" / "conv" / "conv.ipynb"), as_version=4)
    for student, edits in (("alice", []), ("bob", [DB_AVERAGED])):
        path = out / "submitted" / student / "conv" / "conv.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(filled_in(nbformat.from_dict(release), "conv", COURSE, edits), str(path))
    tool("nbgrader", "autograde", "conv", "--create", cwd=out)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gradebook:
        for student in ("alice", "bob"):
            submission = gradebook.find_submission("conv", student)
            theirs = {g.name.removeprefix("test_"): g.score for nb in submission.notebooks for g in nb.grades}
            assert theirs == our_question_scores(out / "submitted" / student / "conv" / "conv.ipynb", "conv")
            assert sum(theirs.values()) == (10 if student == "alice" else 7)


def test_otter_export_assigns_and_runs_like_us(tmp_path):
    out = tmp_path / "otter"
    done = cli("export", "otter", str(out), "--course", str(LAYERS), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = out / "optimizers"
    tool("otter", "assign", "optimizers.ipynb", "dist", cwd=folder)
    student = folder / "dist" / "student" / "optimizers.ipynb"
    (archive,) = (folder / "dist" / "autograder").glob("*.zip")
    given = [p.relative_to(student.parent).as_posix() for p in student.parent.rglob("*") if p.is_file()]
    assert "course.toml" in given and not [p for p in given if p.startswith(("solutions/", "graders/"))]
    with zipfile.ZipFile(archive) as zf:  # the course's answers reach the autograder alone
        assert {"files/solutions/optimizers.py", "files/graders/test_optimizers.py"} <= set(zf.namelist())
    path = tmp_path / "alice.ipynb"
    nbformat.write(filled_in(nbformat.read(str(student), as_version=4), "optimizers", COURSE), str(path))
    (tmp_path / "alice").mkdir()
    tool("otter", "run", "-a", str(archive), "-o", str(tmp_path / "alice"), str(path), cwd=tmp_path)
    results = json.loads((tmp_path / "alice" / "results.json").read_text())
    theirs = {t["name"]: t["score"] for t in results["tests"] if t["name"] != "Public Tests"}
    assert theirs == our_question_scores(path, "optimizers") and sum(theirs.values()) == 10


def test_gradescope_zip_of_the_second_course_runs_like_on_gradescope(tmp_path):
    bundle = tmp_path / "autograder.zip"
    done = cli("gradescope", "build", str(bundle), "--course", str(LAYERS), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        assert "course/graders/test_conv.py" in zf.namelist()
        zf.extractall(root / "source")
    reference = (LAYERS / "solutions" / "conv.py").read_text(encoding="utf-8")
    results = run_like_gradescope(root, {"conv.py": reference.replace(*DB_AVERAGED), "normalization.py": (
        LAYERS / "solutions" / "normalization.py").read_text(encoding="utf-8")},
        {"email": "ann@uni.edu", "id": 3, "name": "Ann A", "sid": "S-1"})
    by_tag = {}
    for t in results["tests"]:
        by_tag.setdefault(t["tags"][0], []).append(t)
    assert set(by_tag) == set(COURSE.names)
    assert sum(t["score"] for t in by_tag["conv"]) == 7 and sum(t["score"] for t in by_tag["normalization"]) == 10
    assert sum(t["score"] for t in by_tag["optimizers"]) == sum(t["score"] for t in by_tag["cnn"]) == 0  # not sent
    assert results["score"] == 17
