"""`autograder validate`: a course's graders are checked both ways before students see them."""
from __future__ import annotations

import subprocess
import sys

import pytest

from autograder.authoring.inputs import mutants
from autograder.authoring.validate import validate
from autograder.course import Course, CourseError
from autograder.scaffold import new_course
from conftest import COURSE


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A course as `autograder new course` writes it."""
    root = tmp_path_factory.mktemp("course") / "course"
    new_course(root)
    return root


def checks(report, assignment):
    return {c.what: c for c in next(a for a in report.assignments if a.name == assignment).checks}


def test_a_new_course_is_ready(fresh):
    course = Course.load(fresh)
    report = validate(course, seeds=[0, 1])
    assert report.ok, [(c.what, c.detail) for a in report.assignments for c in a.checks if not c.ok]
    found = checks(report, course.names[0])
    assert {"reference, seed 0", "reference, seed 1", "stub scores 0", "no leaks", "derived: float32",
            "derived: float32-python", "derived: python-scalars", "derived: numpy-scalars"} <= set(found)
    assert sum(what.startswith("mutant ") for what in found) == len(mutants(course, course.names[0])) >= 3
    assert sum(what.startswith("variant ") for what in found) >= 2


def test_validate_finds_a_wrong_grader_a_missed_mistake_a_stale_mutant_and_a_leak(fresh, tmp_path):
    course = Course.load(fresh).copy_to(tmp_path / "course", folders=["assignments", "solutions", "graders"])
    name = Course.load(course).names[0]
    grader = course / "graders" / f"test_{name}.py"
    # A grader that rejects correct float32 work: it insists on float64 results.
    text = grader.read_text()
    call = "check_function(student.rescaling.scale, reference.scale, cases, hints=scale_hints)"
    assert call in text
    grader.write_text(text.replace(call, call[:-1] + ', dtype="float64")', 1))
    listed = course / "graders" / "mutants" / f"{name}.toml"
    listed.write_text(listed.read_text() + '\n[[mutants]]\nid = "harmless"\nreplace = [["def scale", "def scale"]]\n'
                      '\n[[mutants]]\nid = "stale"\nreplace = [["no such text", "x"]]\n'
                      '\n[[mutants]]\nid = "unvouched"\nreplace = [["x * factor", "x + factor"]]\ncauses = []\n')
    reference = (course / "solutions" / f"{name}.py").read_text()
    body = next(line for line in reference.splitlines() if "factor" in line and "return" in line)
    public = course / "assignments" / name / f"test_{name}.py"
    public.write_text(public.read_text() + f"\n\ndef _peek(x, factor):\n    {body.strip()}\n")
    report = validate(Course.load(course), seeds=[0])
    found = checks(report, name)
    assert not report.ok
    assert not found["mutant harmless"].ok and "full marks" in found["mutant harmless"].detail
    assert not found["mutant stale"].ok and "the mutant is stale" in found["mutant stale"].detail
    assert not found["mutant unvouched"].ok and "states a cause `causes` does not list: 'the factor was added" in \
        found["mutant unvouched"].detail
    assert found["mutant scale-adds"].ok  # the same mistake, with the cause it states vouched for
    assert not found["no leaks"].ok and body.strip() in found["no leaks"].detail
    assert not found["derived: float32"].ok and "test_scale_matches_the_reference" in found["derived: float32"].detail
    assert not found["variant float32"].ok and found["variant loops"].ok
    assert found["reference, seed 0"].ok and found["stub scores 0"].ok


def test_validate_refuses_a_course_that_cannot_be_graded(fresh, tmp_path):
    course = Course.load(fresh).copy_to(tmp_path / "course")
    name = Course.load(course).names[0]
    (course / "graders" / f"test_{name}.py").unlink()
    report = validate(Course.load(course))
    assert not report.ok and report.assignments == []
    assert any(f"test_{name}.py: missing" in p for p in report.problems)
    (course / "graders" / "mutants" / f"{name}.toml").write_text('[[mutants]]\nreplace = "x"\n')
    with pytest.raises(CourseError, match=r"mutants/.*\.toml:1: a mutant needs an `id`"):
        mutants(Course.load(course), name)


def test_validate_on_the_command_line(fresh, tmp_path):
    ready = subprocess.run([sys.executable, "-m", "autograder", "validate", str(fresh), "--seeds", "0"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert "1 of 1 assignment(s) ready." in ready.stdout and "mutant scale-adds" in ready.stdout
    course = Course.load(fresh).copy_to(tmp_path / "broken")
    (course / "solutions" / "rescaling.py").write_text("def scale(x, factor):\n    return x\n")
    broken = subprocess.run([sys.executable, "-m", "autograder", "validate", "--seeds", "0"],
                            capture_output=True, text=True, cwd=course / "assignments")  # found from a subfolder
    assert broken.returncode == 1
    assert "defines no normalize" in broken.stdout


def test_the_bundled_course_is_ready():
    report = validate(COURSE, ["perceptron", "gradient_descent"], seeds=[0])
    assert report.ok, [(a.name, c.what, c.detail) for a in report.assignments for c in a.checks if not c.ok]


def test_margins_say_how_close_the_verdicts_came():
    from autograder.authoring.validate import Margins

    margins = Margins()
    margins.saw_correct([{"test": "test_a", "name": "f(x)", "used": 0.01}], "reference, seed 0")
    margins.saw_mistake([{"test": "test_a", "name": "f(x)", "used": 3e4}, {"test": "test_b", "name": "g(x)",
                                                                           "used": 0.2}], "mutant m1")
    ok, text = margins.check()
    assert ok and "0.01" in text and "3e+04 times past it (mutant m1, f(x) in test_a)" in text
    margins.saw_correct([{"test": "test_b", "name": "g(x)", "used": 0.7}], "variant float32")
    ok, text = margins.check()
    assert not ok and "at most 0.7 of a tolerance (variant float32, g(x) in test_b)" in text
    close = Margins()
    close.saw_mistake([{"test": "test_c", "name": "h(x)", "used": 1.5}], "mutant near")
    assert not close.check()[0]
