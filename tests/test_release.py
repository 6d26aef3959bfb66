"""`autograder release`: what students get checks against its own course and holds no answers."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from autograder.course import Course, CourseError
from autograder.release.student import build
from autograder.scaffold import new_course
from conftest import COURSE, SOLUTIONS


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, text=True, cwd=cwd)


def test_a_release_of_the_bundled_course_checks_but_cannot_grade(tmp_path):
    out = tmp_path / "release"
    written = build(COURSE, out)
    relative = {p.relative_to(out).as_posix() for p in written}
    assert "course.toml" in relative and "graders/probes.py" in relative
    assert not any(p.startswith("solutions/") or p.startswith("graders/test_") or "mutants" in p or "variants" in p
                   for p in relative)
    assert {f"assignments/{n}/test_{n}.py" for n in COURSE.names} <= relative
    done = out / "assignments" / "mlp" / "done"
    done.mkdir()
    for module in ("mlp", "activations"):
        shutil.copyfile(SOLUTIONS / f"{module}.py", done / f"{module}.py")
    passed = run("check", str(done), cwd=tmp_path)  # the course is found above the folder: the release's own
    assert passed.returncode == 0 and "public tests passed" in passed.stdout, passed.stdout + passed.stderr
    stub = run("check", str(out / "assignments" / "perceptron"), cwd=tmp_path)
    assert stub.returncode == 1 and re.search(r"0 of \d+ public tests passed", stub.stdout)
    refused = run("grade", str(done), "--allow-weak-sandbox", "--out", str(tmp_path / "g"), cwd=out)
    assert refused.returncode == 3 and "solutions/mlp.py: missing" in refused.stderr


def test_a_release_of_some_assignments_declares_only_those(tmp_path):
    course = tmp_path / "course"
    new_course(course)
    subprocess.run([sys.executable, "-m", "autograder", "new", "assignment", "second", "--functions", "f"],
                   cwd=course, check=True, capture_output=True)
    out = tmp_path / "release"
    made = run("release", str(course), str(out), "--assignment", "second", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert Course.load(out).names == ["second"]
    assert "# The course manifest" in (out / "course.toml").read_text()  # the author's comments stay


def test_a_release_that_would_leak_is_refused(tmp_path):
    course = tmp_path / "course"
    new_course(course)
    name = Course.load(course).names[0]
    reference = (course / "solutions" / f"{name}.py").read_text()
    body = next(line.strip() for line in reference.splitlines() if "return" in line and "factor" in line)
    public = course / "assignments" / name / f"test_{name}.py"
    public.write_text(public.read_text() + f"\n\ndef _peek(x, factor):\n    {body}\n")
    with pytest.raises(CourseError, match="repeats reference or hidden-grader code"):
        build(Course.load(course), tmp_path / "release")
    assert not (tmp_path / "release").exists()


def test_releasing_one_assignment_brings_the_modules_it_uses(tmp_path):
    out = tmp_path / "release"
    build(COURSE, out, ["mlp"])  # mlp.py may import the student's activations.py
    assert Course.load(out).names == ["activations", "mlp"]
    assert not (out / "assignments" / "perceptron").exists()


def test_a_broken_probe_file_costs_the_tests_that_need_it_and_says_whom_to_tell(tmp_path):
    from autograder.grading.runner import grade
    from autograder.submission.discover import Submission

    course = COURSE.copy_to(tmp_path / "course")
    (course / "graders" / "probes.py").write_text("import numpy as np\nraise RuntimeError('broken on purpose')\n")
    result = grade(Submission("ref", course / "solutions"), Course.load(course), ["mlp"])
    failed = [t for t in result.assignments["mlp"].tests if t.status != "passed"]
    assert [t.function for t in failed] == ["test_numerical_gradient"]
    assert "broken on purpose" in failed[0].feedback and "tell your instructor" in failed[0].feedback
