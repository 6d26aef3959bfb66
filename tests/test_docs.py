"""The authoring guide's walkthrough works as written: its bash blocks run in order."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, WEAK_SANDBOX


def walkthrough() -> str:
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = text.split("## Walkthrough", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```bash\n(.*?)```", section, re.S))


def test_the_authoring_walkthrough_runs(tmp_path):
    script = walkthrough()
    assert "autograder new course" in script and "autograder validate" in script
    if WEAK_SANDBOX:  # grading and validating need the flag where the sandbox is weaker
        script = re.sub(r"autograder (grade|validate) ", r"autograder \1 --allow-weak-sandbox ", script)
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("AUTOGRADER_COURSE", None)
    out = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "ready." in out.stdout and "public tests passed" in out.stdout


def test_the_guides_grader_example_grades(tmp_path):
    """The grader shown in the guide, dropped into a new course, gives the reference full marks
    and costs a known mistake its points."""
    from autograder.course import Course
    from autograder.grading.runner import grade
    from autograder.scaffold import new_course
    from autograder.submission.discover import Submission

    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    example = re.findall(r"```python\n(.*?)```", text.split("## Graders", 1)[1], re.S)[0]
    new_course(tmp_path / "new")  # (which imports its grader: the example goes into a copy of it)
    course = Course.load(tmp_path / "new").copy_to(tmp_path / "course")
    name = Course.load(course).names[0]
    (course / "graders" / f"test_{name}.py").write_text(example)
    (course / "graders" / "mutants" / f"{name}.toml").unlink()
    right = grade(Submission("ref", course / "solutions"), Course.load(course), [name]).assignments[name]
    assert right.score == right.max_score == 3, [t.feedback for t in right.tests]
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    reference = (course / "solutions" / f"{name}.py").read_text()
    (wrong / f"{name}.py").write_text(reference.replace("return x * factor", "return x + factor"))
    result = grade(Submission("wrong", wrong), Course.load(course), [name]).assignments[name]
    failed = [t for t in result.tests if t.status != "passed"]
    assert result.score == 0 and "the factor was added instead of multiplied" in failed[0].feedback


def api_examples() -> list[tuple[str, str, str]]:
    """(course, assignment, grader source) of every example of the guide's API section."""
    text = (ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = text.split("## The authoring API", 1)[1].split("\n## ", 1)[0]
    out = []
    for block in re.findall(r"```python\n(.*?)```", section, re.S):
        match = re.match(r"# graders/test_(\w+)\.py of (.+)\n", block)
        assert match, f"an API example must say on its first line which course it grades:\n{block[:200]}"
        out.append((match.group(2), match.group(1), block))
    return out


def test_every_api_function_has_an_example():
    import autograder.checks as checks

    examples = "\n".join(source for _, _, source in api_examples())
    for name in ("check_function", "check_layer", "check_loss_and_grads", "check_derivative", "check_pure",
                 "check_own_derivative", "check_own_gradients",
                 "compare", "measured", "Case", "random_cases", "expect_array", "expect_unchanged"):
        assert hasattr(checks, name) and f"{name}(" in examples, name


@pytest.mark.parametrize("course_name, assignment, source", api_examples(),
                         ids=[f"{a}-{i}" for i, (_, a, _) in enumerate(api_examples())])
def test_an_api_example_grades_its_reference_to_full_marks(tmp_path, course_name, assignment, source):
    """Each example of the API section, as the whole grader of its assignment: the reference gets
    every point and the untouched stub none."""
    from autograder.course import Course, bundled_course
    from autograder.grading.runner import grade
    from autograder.scaffold import new_course
    from autograder.submission.discover import Submission

    if course_name == "a new course":
        new_course(tmp_path / "new")
        origin = tmp_path / "new"
    elif course_name == "the bundled course":
        origin = bundled_course()
    else:
        origin = ROOT / course_name
    course = Course.load(Course.load(origin).copy_to(tmp_path / "course"))
    (course.root / "graders" / f"test_{assignment}.py").write_text(source, encoding="utf-8")
    right = grade(Submission("ref", course.solutions_dir), course, [assignment]).assignments[assignment]
    assert right.score == right.max_score > 0, [t.feedback for t in right.tests if t.status != "passed"]
    stub = grade(Submission("stub", course.stub_file(assignment).parent), course, [assignment]).assignments[assignment]
    assert stub.score == 0, [t.name for t in stub.tests if t.status == "passed"]
