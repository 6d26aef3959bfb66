"""The authoring guide's walkthrough works as written: its bash blocks run in order."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
    assert result.score == 1 and "the factor was added instead of multiplied" in failed[0].feedback
