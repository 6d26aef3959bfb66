"""Grading a whole class: LMS download layouts, the roster, late penalties, the resumable
results log, and a batch that survives a crashed or hung worker and a SIGKILL."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.grading.late import LatePolicy, parse_time
from autograder.results.log import ResultLog
from autograder.results.model import AssignmentResult, SubmissionResult, TestResult
from autograder.submission import layouts
from autograder.submission.discover import Submission
from autograder.submission.roster import Roster
from conftest import COURSE, SOLUTIONS, WEAK_SANDBOX, eventually, patched_source, running

REFERENCE = (SOLUTIONS / "activations.py").read_text()
BUGGY = patched_source("activations", [("return np.maximum(0.0, z)", "return np.maximum(0.0, -z)")])
ACTIVATIONS = ["--assignment", "activations"]


def canvas_download(folder: Path) -> Path:
    """What Canvas's "Download submissions" holds: loose files named after the student."""
    folder.mkdir(parents=True)
    (folder / "smithbob_101_9001_activations.py").write_text(REFERENCE)
    (folder / "smithbob_101_9001_notes.txt").write_text("my notes")
    (folder / "doejane_late_102_9002_activations-1.py").write_text(BUGGY)  # a re-upload, late
    with zipfile.ZipFile(folder / "leeann_103_9003_work.zip", "w") as zf:  # a student who zipped a folder
        zf.writestr("work/activations.py", REFERENCE)
    return folder


def roster(path: Path) -> Path:
    """Canvas's own gradebook export, used as the roster (with its "Points Possible" line)."""
    path.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Email\n"
                    "Points Possible,,,,,\n"
                    "\"Smith, Bob\",101,S-1,bsmith,Sec 1,bob@uni.edu\n"
                    "\"Doe, Jane\",102,S-2,jdoe,Sec 1,jane@uni.edu\n"
                    "\"Lee, Ann\",103,S-3,alee,Sec 2,ann@uni.edu\n")
    return path


def test_canvas_download_groups_files_per_student(tmp_path):
    found, _ = layouts.expand(canvas_download(tmp_path / "canvas"), tmp_path / "scratch", COURSE.modules)
    by_user = {s.students[0].canvas_id: s for s in found}
    assert set(by_user) == {"101", "102", "103"}
    assert (by_user["101"].path / "activations.py").read_text() == REFERENCE
    assert (by_user["101"].path / "notes.txt").exists()
    assert (by_user["102"].path / "activations.py").read_text() == BUGGY  # "-1" dropped
    assert (by_user["103"].path / "work" / "work" / "activations.py").exists()
    assert [s.flagged_late for s in found] == [True, False, False]  # doejane, leeann, smithbob


def test_canvas_download_as_zip(tmp_path):
    folder = canvas_download(tmp_path / "canvas")
    archive = tmp_path / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in folder.iterdir():
            zf.write(path, path.name)
    found, _ = layouts.expand(archive, tmp_path / "scratch", COURSE.modules)
    assert sorted(s.id for s in found) == ["doejane", "leeann", "smithbob"]


def test_gradescope_export(tmp_path):
    export = tmp_path / "assignment_77_export"
    for key in ("submission_1", "submission_2"):
        (export / key).mkdir(parents=True)
        (export / key / "activations.py").write_text(REFERENCE)
    (export / "submission_metadata.yml").write_text(
        "submission_1: !ruby/hash:ActiveSupport::HashWithIndifferentAccess\n"
        "  :submitters:\n  - :name: Bob Smith\n    :sid: S-1\n    :email: bob@uni.edu\n"
        "  :created_at: 2026-11-20 10:00:00.000000000 -08:00\n  :score: 0.0\n"
        "submission_2:\n  :submitters:\n  - :name: Jane Doe\n    :sid: S-2\n    :email: jane@uni.edu\n"
        "  - :name: Ann Lee\n    :sid: S-3\n    :email: ann@uni.edu\n"
        "  :created_at: 2026-11-22 09:30:00.000000000 -08:00\n")
    archive = tmp_path / "export.zip"
    shutil.make_archive(str(archive.with_suffix("")), "zip", tmp_path, export.name)
    for given in (export, archive):
        found, _ = layouts.expand(given, tmp_path / f"scratch-{given.suffix}", COURSE.modules)
        assert [s.id for s in found] == ["S-1", "S-2"]
        assert [w.name for w in found[1].students] == ["Jane Doe", "Ann Lee"]  # a group: both get the grade
        assert parse_time(found[0].submitted_at) == parse_time("2026-11-20T10:00:00-08:00")


def test_folder_of_submissions_and_single_submission(tmp_path):
    folder = tmp_path / "class"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "activations.py").write_text(REFERENCE)
    with zipfile.ZipFile(folder / "bob.zip", "w") as zf:
        zf.writestr("hw/activations.py", REFERENCE)
    (folder / "carol.ipynb").write_text("{}")
    found, _ = layouts.expand(folder, tmp_path / "scratch", COURSE.modules)
    assert [s.id for s in found] == ["alice", "bob", "carol"]
    # One student's folder with the work in two subfolders stays one submission.
    single = tmp_path / "dave"
    (single / "part1").mkdir(parents=True)
    (single / "part2").mkdir()
    (single / "part1" / "activations.py").write_text(REFERENCE)
    (single / "part2" / "mlp.py").write_text("")
    assert [s.id for s in layouts.expand(single, tmp_path / "s2", COURSE.modules)[0]] == ["dave"]


def test_roster_names_submissions(tmp_path):
    book = Roster.load(roster(tmp_path / "roster.csv"))
    found, _ = layouts.expand(canvas_download(tmp_path / "canvas"), tmp_path / "scratch", COURSE.modules)
    named = [book.identify(s) for s in found]
    assert [(s.id, known) for s, known in named] == [("S-2", True), ("S-3", True), ("S-1", True)]
    jane = named[0][0].students[0]
    assert (jane.name, jane.email, jane.canvas_id, jane.sis_login_id, jane.section) == \
        ("Doe, Jane", "jane@uni.edu", "102", "jdoe", "Sec 1")
    by_login, known = book.identify(Submission("jdoe", tmp_path))  # a folder named after the login
    assert known and by_login.id == "S-2"
    assert book.identify(Submission("stranger", tmp_path)) == (Submission("stranger", tmp_path), False)


def test_late_policy():
    policy = LatePolicy(due=parse_time("2026-11-20T23:59:00+00:00"), percent_per_day=10, last_day=3,
                        grace=timedelta(minutes=15))
    assert policy.assess("2026-11-20T23:00:00+00:00", False) is None
    assert policy.assess("2026-11-21T00:10:00+00:00", False) is None  # within the grace period
    one = policy.assess("2026-11-21T00:20:00+00:00", False)
    assert (one.days, one.penalty) == (1, pytest.approx(0.1))
    two = policy.assess("2026-11-22T10:00:00+00:00", False)  # 1.4 days: each started day counts
    assert (two.days, two.penalty) == (2, pytest.approx(0.2))
    assert policy.assess("2026-11-25T00:00:00+00:00", False).penalty == 1.0  # past the last day
    flagged = policy.assess("", True)
    assert flagged.days == 1 and "without its time" in flagged.reason
    assert policy.assess("", False) is None


def record(name: str, score: float) -> SubmissionResult:
    return SubmissionResult(name, {"activations": AssignmentResult("activations", [
        TestResult("t", score, 1.0, "passed" if score else "failed")])}, fingerprint="f")


def test_log_keeps_finished_lines_and_drops_a_torn_one(tmp_path):
    path = tmp_path / "results.jsonl"
    with ResultLog(path) as log:
        log.append(record("a", 1.0))
        log.append(record("b", 0.0))
    with open(path, "ab") as out:  # a run killed in the middle of writing a line
        out.write(b'{"submission": "c", "sco')
    assert list(ResultLog(path).read()) == ["a", "b"]
    with ResultLog(path) as log:  # the next run cuts the torn line off before appending
        log.append(record("a", 0.0))
        assert {k: r.score for k, r in log.read().items()} == {"a": 0.0, "b": 0.0}  # the latest line wins
        log.rewrite(list(log.read().values()))
    assert len(path.read_text().splitlines()) == 2
    with ResultLog(path), pytest.raises(Exception, match="another autograder run"):
        ResultLog(path).__enter__()


def lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def grade(*args: str) -> int:
    return main(["grade", *args, *ACTIVATIONS, *WEAK_SANDBOX])


def test_canvas_batch_with_roster_late_penalty_and_resume(tmp_path, capsys, monkeypatch):
    graded: list[list[str]] = []  # the ids each run hands to the grading pool

    def spy(todo, *args, **kwargs):
        graded.append(sorted(s.id for s in todo))
        return real_grade_many(todo, *args, **kwargs)

    import autograder.grading.batch as batch
    real_grade_many = batch.grade_many
    monkeypatch.setattr(batch, "grade_many", spy)  # cmd_grade imports it when it runs
    download = canvas_download(tmp_path / "canvas")
    out = tmp_path / "grades"
    options = ["--out", str(out), "--roster", str(roster(tmp_path / "roster.csv")), "--workers", "2",
               "--due", "2026-11-20T23:59:00+00:00", "--late-penalty", "25"]
    assert grade(str(download), *options, "--json") == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    first = {r["submission"]: r for r in lines(out)}
    assert {p["submission"] for p in printed} == set(first) == {"S-1", "S-2", "S-3"}
    assert first["S-1"]["score"] == first["S-1"]["max_score"] == 10
    jane = first["S-2"]  # the buggy relu, flagged late: 25% off what the tests gave
    assert jane["late"]["days"] == 1 and jane["score"] == pytest.approx(jane["raw_score"] * 0.75)
    assert jane["raw_score"] < 10 and any(n.startswith("Late: ") for n in jane["notes"])
    assert jane["students"][0] == {"id": "S-2", "name": "Doe, Jane", "email": "jane@uni.edu", "canvas_id": "102",
                                   "sis_login_id": "jdoe", "section": "Sec 1"}
    gradebook = (out / "gradebook.csv").read_text().splitlines()
    assert gradebook[0] == "submission,activations,total,max_score" and len(gradebook) == 4

    # Rerun: nothing changed, nothing is graded again.
    assert grade(str(download), *options) == 0
    assert "3 submission(s) already graded and unchanged" in capsys.readouterr().err
    assert {r["submission"]: r for r in lines(out)} == first
    assert graded[-1] == []

    # One student re-uploads: only that one is graded again.
    (download / "smithbob_101_9001_activations.py").write_text(BUGGY)
    assert grade(str(download), *options) == 0
    assert "2 submission(s) already graded" in capsys.readouterr().err
    second = {r["submission"]: r for r in lines(out)}
    assert second["S-1"]["score"] < 10 and second["S-1"]["fingerprint"] != first["S-1"]["fingerprint"]
    assert second["S-2"] == first["S-2"] and second["S-3"] == first["S-3"] and graded[-1] == ["S-1"]

    # --regrade grades everyone again; the log still holds one line per submission.
    assert grade(str(download), *options, "--regrade") == 0
    third = lines(out)
    assert graded == [["S-1", "S-2", "S-3"], [], ["S-1"], ["S-1", "S-2", "S-3"]]
    assert len(third) == 3 and "already graded" not in capsys.readouterr().err


def test_grading_one_assignment_keeps_the_others(tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copyfile(SOLUTIONS / "activations.py", folder / "activations.py")
    shutil.copyfile(SOLUTIONS / "perceptron.py", folder / "perceptron.py")
    out = tmp_path / "grades"
    assert main(["grade", str(folder), "--out", str(out), "--assignment", "perceptron", *WEAK_SANDBOX]) == 0
    assert grade(str(folder), "--out", str(out)) == 0
    [result] = lines(out)
    assert list(result["assignments"]) == ["perceptron", "activations"] and result["score"] == 20


def test_an_assignment_not_submitted_is_neither_run_nor_waited_for(tmp_path, monkeypatch):
    """perceptron.py alone: the other assignments' tests fail as not submitted without their
    fixtures or bodies running (the Keras grader's data and training), the child is asked about
    no other module, and a fork server still importing TensorFlow is not waited for."""
    from autograder.grading import runner
    from autograder.sandbox.worker import Sandbox

    asked: list[tuple] = []
    real_exchange = Sandbox._exchange

    def exchange(self, request, *args, **kwargs):
        asked.append((request["op"], request.get("module"), request.get("name")))
        return real_exchange(self, request, *args, **kwargs)

    class Importing:  # a fork server that has not finished its imports
        modules = COURSE.preload(COURSE.names)

        def ready(self) -> bool:
            return False

        def spawn(self, *args: object) -> None:
            raise AssertionError("the submission waited for the fork server")

    monkeypatch.setattr(Sandbox, "_exchange", exchange)
    folder = tmp_path / "alice"
    folder.mkdir()
    shutil.copyfile(SOLUTIONS / "perceptron.py", folder / "perceptron.py")
    result = runner.grade(Submission.from_path(folder), COURSE, COURSE.names, warm=Importing(), prepare_graders=True)
    assert result.assignments["perceptron"].score == result.assignments["perceptron"].max_score > 0
    for name in COURSE.names[1:]:
        module = COURSE[name].module
        tests = result.assignments[name].tests
        assert tests and result.assignments[name].max_score == 10
        assert {(t.status, t.feedback, t.cause) for t in tests} == {
            ("failed", f"No {module}.py was found in the submission, so nothing that needs it can be graded.",
             f"no {module}.py was submitted")}
    assert asked and {module for op, module, name in asked if op != "probe"} == {"perceptron"}
    assert all(name not in {"train_and_predict", "call_on_model"} for op, module, name in asked)
    # The rule itself: only a submission that needs nothing of the server's imports starts cold.
    assert runner.warm_for(Importing(), COURSE, ["perceptron", "mlp"]) is None
    assert isinstance(runner.warm_for(Importing(), COURSE, ["perceptron", "keras_model"]), Importing)


CRASHING_GRADER = '''
import os, signal, time
import numpy as np
import pytest


@pytest.mark.points(10)
def test_relu(student):
    """relu of 7 is 7 (a grader that crashes or hangs on some answers)"""
    value = float(student.activations.relu(np.array([7.0]))[0])
    if value == -7.0:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
    if value == -8.0:
        time.sleep(600)
    assert value == 7.0
'''


def relu_returning(value: float) -> str:
    return REFERENCE.replace("return np.maximum(0.0, z)", f"return np.full_like(z, {value})")


def test_a_crashed_or_hung_worker_costs_only_its_submission(tmp_path, capsys):
    course = COURSE.copy_to(tmp_path / "course")
    (course / "graders" / "test_activations.py").write_text(CRASHING_GRADER)
    subs = tmp_path / "subs"
    for name, value in (("crash", -7.0), ("hang", -8.0), ("fine", 7.0), ("wrong", 3.0)):
        (subs / name).mkdir(parents=True)
        (subs / name / "activations.py").write_text(relu_returning(value))
    out = tmp_path / "grades"
    args = [str(subs), "--out", str(out), "--course", str(course), "--workers", "2", "--timeout", "15"]
    assert grade(*args) == 4
    err = capsys.readouterr().err
    assert "crash: the grading process was killed by signal SIGKILL" in err
    assert "hang: grading took longer than 15 s and was stopped" in err
    results = {r["submission"]: r for r in lines(out)}
    assert (results["fine"]["score"], results["wrong"]["score"]) == (10, 0)
    for name in ("crash", "hang"):
        assert results[name]["complete"] is False and results[name]["max_score"] == 10
        tests = results[name]["assignments"]["activations"]["tests"]
        assert tests and all(t["status"] == "error" and "Grading did not finish" in t["feedback"] for t in tests)
    # The killed worker's fork server saw its socket close and ended, with all it had started
    # (its launcher's command line names the course it hides).
    assert eventually(lambda: not running(str(course), "forkserver.py"), seconds=10)
    # A rerun retries only what did not finish.
    assert grade(*args) == 4
    assert "2 submission(s) already graded and unchanged" in capsys.readouterr().err


def test_sigkill_loses_only_submissions_in_flight(tmp_path):
    subs = tmp_path / "subs"
    for i in range(8):
        (subs / f"s{i}").mkdir(parents=True)
        (subs / f"s{i}" / "activations.py").write_text(REFERENCE if i % 2 else BUGGY)
    out = tmp_path / "grades"
    command = [sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), *ACTIVATIONS,
               *WEAK_SANDBOX]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log = out / "results.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and (not log.exists() or len(log.read_bytes().splitlines()) < 2):
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    kept = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert 2 <= len(kept) < 8  # every line written is whole; the rest was still to come
    with open(log, "ab") as torn:  # and even a half-written line does no harm
        torn.write(b'{"submission": "s7", "score"')
    before = {r["submission"]: r["execution_time"] for r in kept}
    assert subprocess.run(command, capture_output=True, timeout=600).returncode == 0
    final = {r["submission"]: r for r in lines(out)}
    assert sorted(final) == [f"s{i}" for i in range(8)]
    assert all(final[name]["execution_time"] == seconds for name, seconds in before.items())  # not graded twice
    assert all(final[f"s{i}"]["score"] == (10 if i % 2 else final[f"s{i}"]["score"]) for i in range(8))


def test_a_fingerprint_counts_only_what_grading_reads(tmp_path):
    """Python's caches and hidden folders beside the files do not make a rerun grade them again."""
    from autograder.submission.discover import fingerprint

    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(patched_source("activations", []))
    before = fingerprint(Submission.from_path(folder))
    for cache in ("__pycache__/activations.cpython-311.pyc", ".ipynb_checkpoints/activations-checkpoint.py",
                  ".git/HEAD"):
        (folder / cache).parent.mkdir(exist_ok=True)
        (folder / cache).write_bytes(b"written by tools, not by the student")
    assert fingerprint(Submission.from_path(folder)) == before
    (folder / "activations.py").write_text(patched_source("activations", []) + "\n# edited\n")
    assert fingerprint(Submission.from_path(folder)) != before
    (folder / "helpers.py").write_text("X = 1\n")  # a new file the grading stages does count
    assert len({before, fingerprint(Submission.from_path(folder))}) == 2


def test_a_rerun_grades_again_what_a_changed_grader_graded(tmp_path, capsys):
    from autograder.scaffold import new_course

    course = tmp_path / "course"
    new_course(course)
    args = ["grade", str(course / "solutions"), "--course", str(course), "--out", str(tmp_path / "grades"),
            *WEAK_SANDBOX]
    assert main(args) == 0
    assert main(args) == 0
    assert "1 submission(s) already graded and unchanged: kept" in capsys.readouterr().err
    grader = next((course / "graders").glob("test_*.py"))
    grader.write_text(grader.read_text() + "\n# a fix to the grader\n")
    assert main(args) == 0
    assert "already graded" not in capsys.readouterr().err
