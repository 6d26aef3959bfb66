"""The outside contract of docs/contract.md: commands, exit codes, files, the JSON schema."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from autograder.cli import main
from conftest import ASSIGNMENTS, COURSE, ROOT, SOLUTIONS, WEAK_SANDBOX, build_submission

STATUSES = {"passed", "failed", "error"}
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def assert_contract_result(obj: dict, assignments=tuple(ASSIGNMENTS)) -> None:
    assert set(obj) >= {"submission", "score", "max_score", "assignments"}
    assert isinstance(obj["submission"], str)
    assert list(obj["assignments"]) == list(assignments)
    total = 0.0
    for name, assignment in obj["assignments"].items():
        assert set(assignment) >= {"score", "max_score", "tests"}
        assert assignment["max_score"] == pytest.approx(sum(t["max_score"] for t in assignment["tests"]))
        assert assignment["score"] == pytest.approx(sum(t["score"] for t in assignment["tests"]))
        for test in assignment["tests"]:
            assert set(test) >= {"name", "score", "max_score", "status", "visibility", "feedback"}
            assert test["status"] in STATUSES and test["visibility"] in VISIBILITIES
            assert 0 <= test["score"] <= test["max_score"]
            assert isinstance(test["name"], str) and test["name"]
        total += assignment["score"]
    assert obj["score"] == pytest.approx(total)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One grading run over the reference, the stubs and a broken submission, with --json."""
    tmp = tmp_path_factory.mktemp("cli")
    broken = tmp / "broken"
    broken.mkdir()
    (broken / "perceptron.py").write_text("def net_input(X, w, b):\n    return X @ w + b\n\ndef step(z:\n")
    (broken / "notes.txt").write_text("not code")
    stubs = tmp / "stubs"
    stubs.mkdir()
    for name in ASSIGNMENTS:
        (stubs / f"{name}.py").write_text((ROOT / "assignments" / name / f"{name}.py").read_text())
    out = tmp / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(SOLUTIONS), str(stubs), str(broken), "--out", str(out),
         "--json", "--workers", "2", *WEAK_SANDBOX], capture_output=True, text=True, timeout=600)
    return proc, out


def test_grade_exits_zero_and_prints_only_json(graded):
    proc, _ = graded
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        assert_contract_result(json.loads(line))
    assert "Grades" in proc.stderr  # the table goes to stderr with --json


def test_reference_gets_full_marks_and_stubs_zero(graded):
    proc, _ = graded
    results = {r["submission"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert results["solutions"]["score"] == results["solutions"]["max_score"] == 50
    assert results["stubs"]["score"] == 0
    stub_feedback = {t["feedback"] for a in results["stubs"]["assignments"].values() for t in a["tests"]}
    assert all("not implemented yet" in f for f in stub_feedback), stub_feedback


def test_broken_submission_costs_only_what_it_affects(graded):
    proc, _ = graded
    broken = next(r for r in map(json.loads, proc.stdout.splitlines()) if r["submission"] == "broken")
    perceptron = broken["assignments"]["perceptron"]["tests"]
    assert all(t["status"] == "error" and "SyntaxError" in t["feedback"] and "line 4" in t["feedback"]
               for t in perceptron)
    missing = broken["assignments"]["mlp"]["tests"]
    assert all(t["status"] == "failed" and "No mlp.py was found" in t["feedback"] for t in missing)


def test_files_written(graded):
    _, out = graded
    lines = (out / "results.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["submission"] for line in lines) == ["broken", "solutions", "stubs"]
    with open(out / "gradebook.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["submission"] for r in rows] == ["solutions", "stubs", "broken"]
    assert list(rows[0]) == ["submission", *ASSIGNMENTS, "total", "max_score"]
    assert rows[0]["total"] == "50" and rows[1]["total"] == "0"
    for name in ("solutions", "stubs", "broken"):
        page = (out / "feedback" / f"{name}.html").read_text()
        assert f"Feedback for {name}" in page
        assert (out / "feedback" / f"{name}.txt").exists()


def test_expected_values_shown_on_visible_tests_only(tmp_path, course):
    from autograder.grading.runner import grade
    from autograder.submission.discover import Submission
    from conftest import patched_source

    cost_without_half = patched_source("gradient_descent", [
        ("return float(0.5 * np.sum(residual ** 2))", "return float(np.sum(residual ** 2))")])
    folder = build_submission(tmp_path / "s", {"gradient_descent.py": cost_without_half})
    failed = [t for t in grade(Submission.from_path(folder), course, ["gradient_descent"]).tests
              if t.status == "failed"]
    visible = [t for t in failed if t.visibility == "visible"]
    hidden = [t for t in failed if t.visibility == "hidden"]
    assert visible and hidden
    assert all("Got " in t.feedback and "expected" in t.feedback for t in visible)
    assert not any("Got " in t.feedback or "At index" in t.feedback for t in hidden)
    assert all("Likely cause" in t.feedback for t in failed)


def test_assignment_option_grades_only_that_part(tmp_path, capsys):
    assert main(["grade", str(SOLUTIONS), "--assignment", "activations", "--out", str(tmp_path), "--json",
                 *WEAK_SANDBOX]) == 0
    result = json.loads(capsys.readouterr().out)
    assert_contract_result(result, assignments=("activations",))
    assert result["score"] == result["max_score"] == 10


def test_usage_errors_exit_two(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_grader_failure_exits_non_zero(tmp_path, capsys):
    course = COURSE.copy_to(tmp_path / "course")
    (course / "graders" / "test_activations.py").unlink()
    assert main(["grade", str(SOLUTIONS), "--course", str(course), "--out", str(tmp_path / "o"), *WEAK_SANDBOX]) == 3
    assert "test_activations.py: missing" in capsys.readouterr().err
    assert main(["grade", str(SOLUTIONS), "--course", str(tmp_path), "--out", str(tmp_path / "o"), *WEAK_SANDBOX]) == 2
    assert "is not a course: it has no course.toml" in capsys.readouterr().err


def test_check_passes_for_reference_and_fails_for_stub(tmp_path, capsys):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "activations.py").write_text((SOLUTIONS / "activations.py").read_text())
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"(\d+) of \1 public tests passed", out)
    assert main(["check", str(ROOT / "assignments" / "perceptron")]) == 1
    out = capsys.readouterr().out
    assert "net_input is not implemented yet" in out and re.search(r"0 of \d+ public tests passed", out)


def test_check_without_assignment_files(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 1
    assert "No assignment file" in capsys.readouterr().out


def test_check_imports_only_what_a_check_needs(tmp_path):
    """A student runs `check` after every edit: the instructors' parts (the batch pool, LMS
    clients, HTML pages, nbformat's schemas) stay unimported, also for a notebook beside the .py."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "activations.py").write_text((SOLUTIONS / "activations.py").read_text())
    (folder / "activations.ipynb").write_text((ROOT / "assignments" / "activations" / "activations.ipynb").read_text())
    script = ("import sys; from autograder.cli import main; code = main(['check', sys.argv[1]]); "
              "print(sorted(sys.modules), file=sys.stderr); sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    loaded = set(eval(proc.stderr.strip().splitlines()[-1]))  # noqa: S307 - our own process's list
    unneeded = {"autograder.grading.batch", "autograder.publish.canvas", "autograder.publish.lti",
                "autograder.render.feedback", "autograder.results.log", "autograder.export.gradescope",
                "autograder.release.source", "multiprocessing", "jinja2", "nbformat", "requests", "jwt",
                "rich.progress"}
    assert "pytest" in loaded and not loaded & unneeded, loaded & unneeded


def test_an_error_from_a_module_a_command_never_imported_is_still_reported(tmp_path, capsys):
    """main() maps errors to exit statuses without importing every module that defines one."""
    assert main(["report", "--results", str(tmp_path)]) == 2
    assert "results.jsonl does not exist" in capsys.readouterr().err
    (tmp_path / "roster.csv").write_text("x\n")
    assert main(["grade", str(SOLUTIONS), "--roster", str(tmp_path / "roster.csv"), "--out", str(tmp_path),
                 *WEAK_SANDBOX]) == 2  # a RosterError, from a module only `grade` imports
    assert "no id column" in capsys.readouterr().err


def test_python_dash_m_and_console_script_agree():
    proc = subprocess.run([sys.executable, "-m", "autograder", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("autograder ")


@pytest.mark.parametrize("submission,code", [(SOLUTIONS, 0), (ROOT / "assignments" / "activations", 1)])
def test_graders_run_under_plain_pytest(submission, code):
    """Instructors can run a grader with pytest itself and read pytest's report."""
    proc = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "graders" / "test_activations.py"),
                           "--submission", str(submission), "-q", "-p", "no:cacheprovider", *WEAK_SANDBOX],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == code, proc.stdout[-2000:]
    assert ("11 passed" if code == 0 else "11 failed") in proc.stdout
