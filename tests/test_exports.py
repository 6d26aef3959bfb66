"""nbgrader and otter-grader, run for real on what `autograder export` writes.

Each tool grades a correct and a buggy notebook; the scores, question by question,
must be those `autograder grade` gives for the same notebook file.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.cli import main
from autograder.export.nbgrader_gradebook import question_scores
from autograder.grading.runner import grade
from autograder.grading.questions import questions
from autograder.release.source import leaked_lines, read
from autograder.submission.discover import Submission
from conftest import ASSIGNMENTS, WEAK_SANDBOX, filled_in, tool

BUG = ("(np.asarray(z) > 0)", "(np.asarray(z) >= 0)")  # relu_grad(0) == 1: a classic
HIDDEN_TEST_MARKS = ("BEGIN HIDDEN TESTS", "grader.score(", "require_test(", "hidden: true")



def student_text(path: Path) -> str:
    return "\n".join(cell.source for cell in nbformat.read(str(path), as_version=4).cells)


def our_question_scores(path: Path, assignment: str, course) -> dict[str, float]:
    result = grade(Submission.from_path(path), course, [assignment])
    return question_scores(result, assignment, questions(course, assignment))


@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory, course):
    out = tmp_path_factory.mktemp("nbgrader") / "course"
    assert main(["export", "nbgrader", str(out)]) == 0
    return out


def test_nbgrader_source_notebooks_are_worth_what_we_grade(nbgrader_course, course):
    for assignment in ASSIGNMENTS:
        notebook = nbformat.read(str(nbgrader_course / "source" / assignment / f"{assignment}.ipynb"), as_version=4)
        cells = [c.metadata["nbgrader"] for c in notebook.cells if "nbgrader" in c.get("metadata", {})]
        graded = {c["grade_id"]: c["points"] for c in cells if c["grade"]}
        assert graded == {f"test_{q.id}": q.points for q in questions(course, assignment)}
        assert sum(graded.values()) == 10
        assert len({c["grade_id"] for c in cells}) == len(cells)


def test_nbgrader_generate_and_autograde_give_our_scores(nbgrader_course, course, tmp_path):
    for assignment in ASSIGNMENTS:  # every assignment goes through nbgrader's own checks
        tool("nbgrader", "generate_assignment", assignment, "--force", cwd=nbgrader_course)
        release = nbgrader_course / "release" / assignment / f"{assignment}.ipynb"
        text = student_text(release)
        assert leaked_lines(text, course, read(course, assignment)) == []
        assert not [mark for mark in HIDDEN_TEST_MARKS if mark in text]

    release = nbformat.read(str(nbgrader_course / "release" / "activations" / "activations.ipynb"), as_version=4)
    for student, bug in (("alice", None), ("bob", BUG)):
        path = nbgrader_course / "submitted" / student / "activations" / "activations.ipynb"
        path.parent.mkdir(parents=True)
        notebook = filled_in(nbformat.from_dict(release), "activations", course, [bug] if bug else [])
        nbformat.write(notebook, str(path))
    tool("nbgrader", "autograde", "activations", "--create", cwd=nbgrader_course)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{nbgrader_course / 'gradebook.db'}") as gradebook:
        for student in ("alice", "bob"):
            submission = gradebook.find_submission("activations", student)
            theirs = {g.name.removeprefix("test_"): g.score for nb in submission.notebooks for g in nb.grades}
            ours = our_question_scores(nbgrader_course / "submitted" / student / "activations" / "activations.ipynb",
                                       "activations", course)
            assert theirs == ours, student
    assert sum(ours.values()) == 8.5  # bob's relu_grad costs its own test and the scalar-input test


def test_grade_writes_into_an_nbgrader_gradebook(tmp_path, course, capsys):
    from conftest import build_submission

    good = build_submission(tmp_path / "alice", {})
    bad = build_submission(tmp_path / "bob", {"activations.py": (course.solutions_dir / "activations.py").read_text()
                                              .replace(*BUG)})
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    args = ["grade", str(good), str(bad), "--assignment", "activations", "--assignment", "perceptron",
            "--out", str(tmp_path / "grades"), "--gradebook", url, "--json", *WEAK_SANDBOX]
    assert main(args) == 0
    ours = {r["submission"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert main(args) == 0  # a second run updates the same grades
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        for student in ("alice", "bob"):
            for assignment in ("activations", "perceptron"):
                submission = gradebook.find_submission(assignment, student)
                assert submission.score == ours[student]["assignments"][assignment]["score"]
                assert submission.max_score == 10
    assert ours["bob"]["assignments"]["activations"]["score"] == 8.5

    # nbgrader's own export reads them (what formgrader shows comes from the same tables).
    (tmp_path / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.db_url = {url!r}\n")
    tool("nbgrader", "export", "--to", str(tmp_path / "export.csv"), cwd=tmp_path)
    rows = {(r["assignment"], r["student_id"]): float(r["score"]) for r in csv.DictReader(open(tmp_path / "export.csv"))}
    assert rows[("activations", "bob")] == 8.5 and rows[("perceptron", "alice")] == 10


@pytest.fixture(scope="module")
def otter_activations(tmp_path_factory):
    out = tmp_path_factory.mktemp("otter")
    assert main(["export", "otter", str(out)]) == 0
    folder = out / "activations"
    tool("otter", "assign", "activations.ipynb", "dist", cwd=folder)
    return folder / "dist"


def test_otter_assign_and_run_give_our_scores(otter_activations, course, tmp_path):
    student = otter_activations / "student" / "activations.ipynb"
    text = student_text(student)
    assert leaked_lines(text, course, read(course, "activations")) == []
    assert not [mark for mark in HIDDEN_TEST_MARKS if mark in text]
    (archive,) = (otter_activations / "autograder").glob("*.zip")
    for name, bug in (("alice", None), ("bob", BUG)):
        path = tmp_path / f"{name}.ipynb"
        notebook = filled_in(nbformat.read(str(student), as_version=4), "activations", course, [bug] if bug else [])
        nbformat.write(notebook, str(path))
        (tmp_path / name).mkdir()
        tool("otter", "run", "-a", str(archive), "-o", str(tmp_path / name), str(path), cwd=tmp_path)
        results = json.loads((tmp_path / name / "results.json").read_text())
        theirs = {t["name"]: t["score"] for t in results["tests"] if t["name"] != "Public Tests"}
        assert theirs == our_question_scores(path, "activations", course), name
    assert sum(theirs.values()) == 8.5


def test_otter_student_notebook_check_shows_our_feedback(otter_activations, course, tmp_path):
    notebook = filled_in(nbformat.read(str(otter_activations / "student" / "activations.ipynb"), as_version=4),
                         "activations", course, [BUG])
    notebook.cells = [c for c in notebook.cells if c.cell_type != "code" or "print(" not in c.source]
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(otter_activations / "student")}}).execute()
    shown = {c.source: "".join(o.get("data", {}).get("text/plain", "") for o in c.outputs)
             for c in notebook.cells if c.cell_type == "code" and c.source.startswith("grader.check(")}
    assert "All test cases passed" in shown['grader.check("sigmoid")']
    assert "relu_grad([-1, 0, 2]) has wrong values" in shown['grader.check("relu")']
