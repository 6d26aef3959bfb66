"""Fixtures for the project's own tests: submissions built from the reference solutions."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.grading.runner import grade
from autograder.results.model import SubmissionResult
from autograder.sandbox import isolation
from autograder.sandbox.warm import ForkServer
from autograder.submission.discover import Submission

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
COURSE = Course.load(ROOT)  # the bundled course, which these tests grade
ASSIGNMENTS = {name: a.functions for name, a in COURSE.assignments.items()}
# Grading through the CLI on a machine without full isolation (not root) needs the flag.
WEAK_SANDBOX = [] if isolation.detect().full else ["--allow-weak-sandbox"]


def patched_source(module: str, replacements: list[tuple[str, str]]) -> str:
    """The reference module with each `old` snippet replaced by `new` (each must be present)."""
    source = (SOLUTIONS / f"{module}.py").read_text()
    for old, new in replacements:
        assert old in source, f"{module}.py has no {old!r}: the mutation is stale"
        source = source.replace(old, new)
    return source


def build_submission(folder: Path, files: dict[str, str]) -> Path:
    """A submission folder holding the reference solutions, with `files` written over them."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in SOLUTIONS.glob("*.py"):
        shutil.copyfile(source, folder / source.name)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture(scope="session")
def course() -> Course:
    return COURSE


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--grading-seeds", default="0",
                     help="comma-separated grading seeds: every test that grades a submission runs once per seed "
                          "(the mutation and correct-variant suites must give the same outcome under each)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "grading_seed" in metafunc.fixturenames:
        seeds = [int(s) for s in metafunc.config.getoption("grading_seeds").split(",")]
        metafunc.parametrize("grading_seed", seeds, ids=[f"seed{s}" for s in seeds])


@pytest.fixture(scope="session")
def fork_server(course):
    """One warm fork server per test process, as a batch worker has (None where the machine
    cannot isolate fully: then every child starts cold)."""
    if not isolation.detect().full:
        yield None
        return
    with ForkServer(course.preload(course.names), hide=(course.root,)) as server:
        yield server


@pytest.fixture(params=["cold", "warm"])
def start(request):
    """How a test's sandboxes start their children: cold (a new interpreter each, as `check`
    does) or warm (forked by the fork server, as batch grading does)."""
    if request.param == "cold":
        return None
    if not isolation.detect().full:
        pytest.skip(f"warm starts need namespaces: {isolation.detect().describe()}")
    return request.getfixturevalue("fork_server")


@pytest.fixture
def grade_files(tmp_path, course, grading_seed, fork_server):
    """grade_files({"mlp.py": source}, ["mlp"]) grades a reference copy with those files replaced
    (warm, as a batch run does: the fork server's children are what instructors' grades come from)."""

    def run(files: dict[str, str], assignments: list[str], suite: str = "hidden") -> SubmissionResult:
        folder = build_submission(tmp_path / "submission", files)
        return grade(Submission.from_path(folder), course, assignments, suite=suite, seed=grading_seed,
                     warm=fork_server)

    return run


def eventually(condition, seconds: float = 3.0) -> bool:
    """Whether condition() becomes true within `seconds` (the kernel clears killed processes
    asynchronously)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def filled_in(notebook, assignment: str, course: Course, edits: list[tuple[str, str]] = ()):
    """A released notebook (ours, otter's student copy or nbgrader's release) with every answer
    cell replaced by the reference code of its part, with `edits` (old, new) applied to it."""
    from autograder.release.notebooks import answer_code  # nbformat: imported only by the tests that need it
    from autograder.release.source import read

    lesson = read(course, assignment)
    stubs = [answer_code(p) for p in lesson.parts if p.functions]
    solutions = [answer_code(p, "solution") for p in lesson.parts if p.functions]
    answer_cells = [c for c in notebook.cells if c.cell_type == "code" and (
        c.source in stubs or c.get("metadata", {}).get("nbgrader", {}).get("solution"))]
    assert len(answer_cells) == len(solutions), f"{len(answer_cells)} answer cells for {len(solutions)} parts"
    for cell, solution in zip(answer_cells, solutions):
        for old, new in edits:
            solution = solution.replace(old, new)
        cell.source = solution
    return notebook


def running(*words: str) -> list[int]:
    """Processes whose command line holds every one of words."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().decode(errors="replace")
        except OSError:
            continue
        if all(word in text for word in words):
            found.append(int(cmdline.parent.name))
    return found


def failed_tests(result: SubmissionResult) -> dict[str, str]:
    """Test function name -> feedback, for every test that did not pass."""
    return {t.nodeid.split("::")[-1]: t.feedback for t in result.tests if t.status != "passed"}


def tool(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Runs a tool installed beside this Python (nbgrader, otter) and insists that it succeeds."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([str(bin_dir / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def run_like_gradescope(root: Path, files: dict[str, str], user: dict) -> dict:
    """Runs an unpacked autograder zip (in root/source) as Gradescope does, on a submission of these
    files by this user, before the due date; returns its results.json."""
    import json

    (root / "submission").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    (root / "submission_metadata.json").write_text(json.dumps({
        "id": 5, "created_at": "2026-11-20T10:00:00.0-08:00", "assignment": {"due_date": "2026-11-21T00:00:00.0-08:00"},
        "users": [user]}))
    env = {**os.environ, "AUTOGRADER_GRADESCOPE_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads((root / "results" / "results.json").read_text())
