"""`autograder new`: a new course grades out of the box, so does a new assignment, and what is refused.

One module fixture makes a course and adds an assignment through the command line, then
grades every submission the tests need in one `autograder grade` run: the reference, the
stub, each known mistake of the example's mutants file and each correct variant.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.course import Course
from autograder.grading.questions import directives
from autograder.release.notebooks import render
from autograder.release.source import leaked_lines, read
from autograder.scaffold import EXAMPLE, ScaffoldRefused, new_assignment
from conftest import COURSE, ROOT, WEAK_SANDBOX

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

AUTHOR_COMMENT = "# Our course, spring term: keep this comment.\n"
SECOND = "window"  # the assignment the fixture adds with `new assignment`
SECOND_FUNCTIONS = ["smooth", "peak"]


def run(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command line as an author runs it, with no course chosen by the environment."""
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_COURSE"}
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


def mutants_of(course: Path) -> list[dict]:
    return tomllib.loads((course / "graders" / "mutants" / f"{EXAMPLE}.toml").read_text(encoding="utf-8"))["mutants"]


def patched(reference: str, replacements: list[list[str]]) -> str:
    for old, new in replacements:
        assert old in reference, f"the mutant's {old!r} is not in the reference"
        reference = reference.replace(old, new)
    return reference


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A course from `new course`, with an author's comments and a second assignment from
    `new assignment` run inside it, and the results of grading everything once."""
    tmp = tmp_path_factory.mktemp("scaffold")
    course = tmp / "intro"
    created = run("new", "course", str(course), "--title", "An introduction")
    assert created.returncode == 0, created.stderr
    manifest = course / "course.toml"
    manifest.write_text(AUTHOR_COMMENT + manifest.read_text(encoding="utf-8") + "# the last line, ours too\n",
                        encoding="utf-8")
    before = manifest.read_bytes()
    added = run("new", "assignment", SECOND, "--functions", ",".join(SECOND_FUNCTIONS), "--title", "Windows",
                cwd=course / "assignments")
    assert added.returncode == 0, added.stderr

    submissions = tmp / "submissions"
    reference = (course / "solutions" / f"{EXAMPLE}.py").read_text(encoding="utf-8")
    folders = [course / "solutions", course / "assignments" / EXAMPLE]
    for mutant in mutants_of(course):
        folder = submissions / f"mutant-{mutant['id']}"
        folder.mkdir(parents=True)
        (folder / f"{EXAMPLE}.py").write_text(patched(reference, mutant["replace"]), encoding="utf-8")
        folders.append(folder)
    for variant in sorted((course / "graders" / "variants" / EXAMPLE).glob("*.py")):
        folder = submissions / f"variant-{variant.stem}"
        folder.mkdir(parents=True)
        (folder / f"{EXAMPLE}.py").write_text(variant.read_text(encoding="utf-8"), encoding="utf-8")
        folders.append(folder)
    graded = run("grade", *map(str, folders), "--course", str(course), "--out", str(tmp / "grades"), "--json",
                 "--workers", "2", *WEAK_SANDBOX, timeout=600)
    assert graded.returncode == 0, graded.stderr
    results = {r["submission"]: r for r in map(json.loads, graded.stdout.splitlines())}
    return {"course": course, "results": results, "manifest_before": before, "tmp": tmp}


def failed(result: dict, assignment: str) -> dict[str, str]:
    """Grader test function -> feedback, for each test of `assignment` that did not pass."""
    return {t["nodeid"].split("::")[-1]: t["feedback"] for t in result["assignments"][assignment]["tests"]
            if t["status"] != "passed"}


# -- new course ------------------------------------------------------------------------
def test_a_new_course_has_the_layout_and_an_example_assignment(made):
    root = made["course"]
    course = Course.load(root)
    assert (course.name, course.title) == ("intro", "An introduction")
    assert course.names == [EXAMPLE, SECOND]
    for name in course.names:
        for path in (course.lesson_file(name), course.stub_file(name), course.public_test_file(name),
                     course.reference_file(name), course.grader_file(name), course.notebook_file(name),
                     root / "graders" / "mutants" / f"{name}.toml"):
            assert path.is_file(), path
        lesson = course.lesson_file(name).read_text(encoding="utf-8")
        assert lesson.index("```python\nimport numpy as np\n```") < lesson.index("<!-- implement:")
        found = directives(lesson)
        assert [names for kind, names in found if kind == "implement"] == [(f,) for f in course[name].functions]
        assert found[-1] == ("check", ("all",))
    assert len(list((root / "graders" / "variants" / EXAMPLE).glob("*.py"))) >= 2
    assert tomllib.loads((root / "graders" / "mutants" / f"{SECOND}.toml").read_text()) == {}  # comments only


def test_the_generated_notebooks_are_current_and_show_no_reference_line(made):
    course = Course.load(made["course"])
    for name in course.names:
        text = course.notebook_file(name).read_text(encoding="utf-8")
        assert text == render(course, name), f"{name}'s notebook is stale"
        cells = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        assert leaked_lines(cells, course, read(course, name)) == []


def test_the_reference_gets_full_marks(made):
    result = made["results"]["solutions"]
    assert result["assignments"][EXAMPLE]["score"] == result["assignments"][EXAMPLE]["max_score"] == 10
    assert result["score"] == result["max_score"]


def test_the_stub_gets_nothing_and_the_grader_never_breaks(made):
    result = made["results"][EXAMPLE]
    tests = result["assignments"][EXAMPLE]["tests"]
    assert tests and result["assignments"][EXAMPLE]["score"] == 0
    assert not [t for t in tests if t["feedback"].startswith("The grader could not finish")]
    assert all("not implemented yet" in t["feedback"] for t in tests), [t["feedback"] for t in tests]


def test_every_known_mistake_loses_points_where_its_entry_says(made):
    mutants = mutants_of(made["course"])
    assert len(mutants) >= 3 and len({m["id"] for m in mutants}) == len(mutants)
    for mutant in mutants:
        result = made["results"][f"mutant-{mutant['id']}"]
        assert result["assignments"][EXAMPLE]["score"] < result["assignments"][EXAMPLE]["max_score"], mutant["id"]
        failing = failed(result, EXAMPLE)  # in the grader's order
        assert not [f for f in failing.values() if f.startswith("The grader could not finish")], mutant["id"]
        if "fails" in mutant:  # exactly these tests fail, as `autograder validate` reads it
            assert set(failing) == set(mutant["fails"]), mutant["id"]
        first = next(iter(failing.values()))
        assert mutant.get("message", "") in first, f"{mutant['id']}: {first}"


def test_every_correct_variant_gets_full_marks(made):
    variants = [r for key, r in made["results"].items() if key.startswith("variant-")]
    assert len(variants) >= 2
    for result in variants:
        assert failed(result, EXAMPLE) == {}, result["submission"]


def test_check_fails_on_the_stub_and_passes_on_the_reference(made, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_COURSE", raising=False)
    root = made["course"]
    assert main(["check", str(root / "assignments" / EXAMPLE)]) == 1  # the course is found above the folder
    assert "0 of 3 public tests passed" in capsys.readouterr().out
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / f"{EXAMPLE}.py").write_text((root / "solutions" / f"{EXAMPLE}.py").read_text())
    assert main(["check", str(mine), "--course", str(root)]) == 0
    assert "3 of 3 public tests passed" in capsys.readouterr().out


# -- new assignment ----------------------------------------------------------------------
def test_a_new_assignment_grades_and_is_appended_to_the_manifest(made):
    root = made["course"]
    text = (root / "course.toml").read_bytes()
    before = made["manifest_before"]
    assert text.startswith(before) and text.startswith(AUTHOR_COMMENT.encode())  # appended, nothing rewritten
    added = tomllib.loads(text[len(before):].decode())
    assert added["assignments"][SECOND] == {"title": "Windows", "functions": SECOND_FUNCTIONS,
                                                "points": len(SECOND_FUNCTIONS)}
    result = made["results"]["solutions"]["assignments"][SECOND]
    assert result["score"] == result["max_score"] == len(SECOND_FUNCTIONS)
    stub = (root / "assignments" / SECOND / f"{SECOND}.py").read_text()
    assert stub.count("raise NotImplementedError") == len(SECOND_FUNCTIONS)


@pytest.mark.parametrize("args, message", [
    ([EXAMPLE, "--functions", "f"], "already has an assignment 'rescaling'"),
    (["2fast", "--functions", "f"], "must be a Python identifier"),
    (["my-name", "--functions", "f"], "must be a Python identifier"),
    (["class", "--functions", "f"], "must be a Python identifier"),
    (["fresh", "--functions", "f,not-one"], "the function name 'not-one' must be a Python identifier"),
    (["fresh", "--functions", "f,f"], "lists f more than once"),
    (["fresh", "--functions", ","], "say which functions"),
    (["math", "--functions", "f"], "the assignment name 'math' is reserved"),
    (["sandbox", "--functions", "f"], "the assignment name 'sandbox' is reserved"),
    (["_private", "--functions", "f"], "must not start with _"),
])
def test_new_assignment_refuses_bad_names_and_writes_nothing(made, args, message, capsys):
    root = made["course"]
    files = sorted(root.rglob("*"))
    manifest = (root / "course.toml").read_bytes()
    assert main(["new", "assignment", *args, "--course", str(root)]) == 2
    assert message in capsys.readouterr().err
    assert sorted(root.rglob("*")) == files and (root / "course.toml").read_bytes() == manifest


def test_new_assignment_refuses_a_module_another_assignment_uses(tmp_path, capsys):
    (tmp_path / "course.toml").write_text('[course]\nname = "c"\n\n[assignments.first]\ntitle = "One"\n'
                                          'module = "shared"\nfunctions = ["double"]\n')
    assert main(["new", "assignment", "shared", "--functions", "f", "--course", str(tmp_path)]) == 2
    assert "the module shared.py is already used by the assignment 'first'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.toml"]


def test_new_assignment_outside_a_course_leaves_the_bundled_course_alone(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_COURSE", raising=False)
    monkeypatch.chdir(tmp_path)
    manifest = (ROOT / "course.toml").read_bytes()
    assert main(["new", "assignment", "fresh", "--functions", "f"]) == 2
    assert "run this inside a course folder, or pass --course DIR" in capsys.readouterr().err
    assert (ROOT / "course.toml").read_bytes() == manifest and not (ROOT / "assignments" / "fresh").exists()


def test_a_manifest_a_table_cannot_extend_is_left_as_it_was(tmp_path):
    text = ('assignments = { first = { title = "One", functions = ["double"] } }\n\n'
            '[course]\nname = "inline"\n')
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(ScaffoldRefused, match="add the assignment by hand"):
        new_assignment("second", ["half"], course=tmp_path)
    assert (tmp_path / "course.toml").read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course.toml"]


# -- refusals and copies of new course ------------------------------------------------------
def test_new_course_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["new", "course", str(tmp_path)]) == 2
    assert "is not empty" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    assert main(["new", "course", str(tmp_path / "x"), "--from", str(tmp_path / "nowhere")]) == 2
    assert "no such course" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_a_copy_of_a_scaffolded_course_keeps_every_file(made, tmp_path):
    source = Course.load(made["course"])
    assert main(["new", "course", str(tmp_path / "copy"), "--from", str(source.root)]) == 0
    copy = Course.load(tmp_path / "copy")
    assert copy.names == source.names and copy.files() == source.files()
    assert (tmp_path / "copy" / "graders" / "mutants" / f"{EXAMPLE}.toml").is_file()
    assert all((copy.root / f).read_bytes() == (source.root / f).read_bytes() for f in source.files())


def test_a_copy_of_the_bundled_course_is_identical_and_grades(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_COURSE", raising=False)
    target = tmp_path / "mine"
    target.mkdir()  # an empty folder is fine
    assert main(["new", "course", str(target), "--from", COURSE.name]) == 0
    copy = Course.load(target)
    assert copy.names == COURSE.names and copy.files() == COURSE.files()
    assert all((target / f).read_bytes() == (ROOT / f).read_bytes() for f in COURSE.files())
    first = COURSE.names[0]
    graded = run("grade", str(ROOT / "solutions"), "--course", str(target), "--assignment", first, "--out",
                 str(tmp_path / "grades"), "--json", *WEAK_SANDBOX)
    assert graded.returncode == 0, graded.stderr
    result = json.loads(graded.stdout)
    assert result["score"] == result["max_score"] > 0
