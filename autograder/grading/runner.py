"""Grades one submission: stage its files, open its sandbox, run the graders under pytest.

pytest runs in this (trusted) process with its terminal output switched off; only
the GradingSession plugin's records come out. Student code runs in the sandbox's
child process, one per submission, for all of that submission's tests; batch workers
fork those children from a warm fork server (sandbox/warm.py).
"""
from __future__ import annotations

import contextlib
import io
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.course import Course
from autograder.grading import roots
from autograder.grading.student import Student
from autograder.results.model import AssignmentResult, SubmissionResult
from autograder.sandbox.warm import ForkServer
from autograder.sandbox.worker import Limits, Sandbox
from autograder.submission.discover import Submission, staged

if TYPE_CHECKING:
    import pytest

# pytest and the grading plugin are imported where they run, once a submission's child is
# started: the child's start-up (a new interpreter and numpy) then overlaps their import, which
# is most of the wait of a student's check.

# Only pytest's own plugins and ours: a plugin that happens to be installed (pytest-randomly
# reorders and reseeds tests) must not change a verdict, and finding and importing them all
# costs a tenth of a second on every check. Of pytest's own, those for options no grading run
# passes are left out too; the fixtures a grader may use (tmp_path, monkeypatch, capsys,
# caplog) stay.
UNUSED_PLUGINS = ["terminal", "cacheprovider", "stepwise", "doctest", "junitxml", "pastebin", "setuponly",
                  "setupplan", "debugging", "faulthandler", "unraisableexception", "threadexception"]
PYTEST_ARGS = [
    "--disable-plugin-autoload", "-p", "autograder.grading.plugin",
    *(arg for name in UNUSED_PLUGINS for arg in ("-p", f"no:{name}")),
    "--import-mode=importlib", "--assert=plain", "-W", "ignore",
]


class GraderError(Exception):
    """The graders themselves could not run (not the student's fault)."""


def test_files(course: Course, assignments: list[str], suite: str) -> list[Path]:
    files = [course.grader_file(a) if suite == "hidden" else course.public_test_file(a) for a in assignments]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise GraderError(f"missing test file(s): {', '.join(missing)}")
    return files


def open_sandbox(course: Course, workdir: Path, limits: Limits | None = None,
                 warm: ForkServer | None = None) -> Sandbox:
    """The sandbox for one submission of this course: the course hidden from it, its probes
    and per-call limits given to it."""
    return Sandbox(workdir, limits, hide=(course.root,), warm=warm, probes=course.probe_source,
                   call_seconds=course.call_seconds())


# The file stamp (mtime, size) of each grader module as it was when last let through.
_STAMPS: dict[str, tuple[int, int]] = {}


def file_stamp(path: Path) -> tuple[int, int]:
    """What tells an edited file from the one read before: its modification time and size."""
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def forget_other_courses(files: list[Path], rootdir: Path) -> None:
    """pytest's importlib mode names a test module by its path under the rootdir
    (`graders.test_x`) and reuses a module of that name already imported. Another course's
    file of the same name, imported earlier by this process, must not stand in for this one,
    nor may this file as it was before an edit (a notebook's kernel lives on while an author
    edits); this course's own modules, unchanged, stay loaded (see `prepare`)."""
    for path in files:
        try:
            name = ".".join(path.resolve().relative_to(rootdir.resolve()).with_suffix("").parts)
        except ValueError:
            continue
        module = sys.modules.get(name)
        where = getattr(module, "__file__", None)
        stamp = file_stamp(path) if path.exists() else (0, 0)
        if module is not None and (not where or Path(where).resolve() != path.resolve()
                                   or _STAMPS.get(name) != stamp):
            del sys.modules[name]
        _STAMPS[name] = stamp


class _Modules:
    """Catches the modules a collection imported."""

    def __init__(self) -> None:
        self.found: dict[str, object] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            module = getattr(item, "module", None)
            if module is not None:
                self.found[module.__name__] = module


def prepare(course: Course, assignments: list[str], seed: int = 0) -> None:
    """Readies the graders of these assignments, while a worker's fork server is still importing:
    imports the grader modules (every submission's collection then finds them loaded) and calls
    each module's `prepare(seed)`, if it has one, to load its data."""
    files = test_files(course, assignments, "hidden")
    forget_other_courses(files, course.root)
    import pytest

    modules = _Modules()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main([*PYTEST_ARGS, "--collect-only", f"--rootdir={course.root}", *map(str, files)], plugins=[modules])
    for module in modules.found.values():
        hook = getattr(module, "prepare", None)
        if callable(hook):
            hook(seed)


def warm_for(warm: ForkServer | None, course: Course, held: list[str]) -> ForkServer | None:
    """The fork server a submission holding these assignments forks from, or None to start cold:
    while the server is still importing what only other assignments need (TensorFlow), a cold
    child is ready sooner than waiting for it."""
    if warm is not None and not warm.ready() and set(course.preload(held)) <= {"numpy"}:
        return None
    return warm


_PREPARED: set[tuple[str, str, int]] = set()  # (course root, assignment, seed) whose graders were prepared


def _prepare_once(course: Course, assignments: list[str], seed: int) -> None:
    todo = [name for name in assignments if (str(course.root), name, seed) not in _PREPARED]
    if not todo:
        return
    _PREPARED.update((str(course.root), name, seed) for name in todo)
    try:
        prepare(course, todo, seed)
    except Exception:  # noqa: BLE001 - a grader that cannot load its data says so when it grades
        pass


def grade(submission: Submission, course: Course, assignments: list[str] | None = None, *,
          suite: str = "hidden", limits: Limits | None = None, seed: int = 0,
          tests: list[str] | None = None, warm: ForkServer | None = None,
          prepare_graders: bool = False) -> SubmissionResult:
    """All tests of the chosen assignments for one submission, as one result record.

    `tests` narrows the run to these test functions (one question of a notebook, say);
    `warm` forks the submission's sandboxed child from that server instead of starting it cold;
    `prepare_graders` (a batch worker) calls `prepare` for each assignment the submission holds,
    the first time one does. An assignment whose file the submission lacks is not run: each of
    its tests fails as not submitted, and nothing of it (its data, TensorFlow) is waited for."""
    assignments = course.select(assignments)
    files = test_files(course, assignments, suite)
    forget_other_courses(files, course.root)
    selected = [f"{file}::{name}" for file in files for name in tests] if tests is not None else list(map(str, files))
    start = time.perf_counter()
    result = SubmissionResult(submission=submission.id, source=str(submission.path))
    with staged(submission, course.modules) as (workdir, found):
        result.notes.extend(found.notes)
        # Read before any student code runs (which could rewrite its own files).
        imported = {name: roots.imports(workdir / f"{course[name].module}.py") for name in assignments}
        held = [name for name in assignments if course[name].module in found.modules]
        if prepare_graders:
            _prepare_once(course, held, seed)
        with open_sandbox(course, workdir, limits, warm_for(warm, course, held)) as sandbox:
            if held:
                sandbox.start()  # its start-up overlaps pytest's import and its collection of the graders
            import pytest

            from autograder.grading.plugin import GradingSession

            session = GradingSession(Student(sandbox), course, seed, missing=set(assignments) - set(held))
            args = [*PYTEST_ARGS, f"--rootdir={course.root}", *selected]
            with contextlib.redirect_stdout(io.StringIO()) as out:
                code = pytest.main(args, plugins=[session])
    if session.sandbox_failure:
        raise GraderError(session.sandbox_failure)
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderError(f"pytest could not run the graders (exit code {int(code)}): {out.getvalue()[-2000:]}")
    for name in assignments:
        result.assignments[name] = session.results.get(name, AssignmentResult(name))
    # What fails in each module before any advice is added: another module's root is its own test.
    failing = {course[name].module: {f: [replace(t) for t in tests] for f, tests in
                                     roots.failing(result.assignments[name]).items()} for name in assignments}
    for name in assignments:
        elsewhere = {m: failing[m] for m in course[name].uses if m in failing and m in imported[name]}
        roots.trace(result.assignments[name], course[name].depends, course[name].functions, session.unwritten,
                    elsewhere)
        result.assignments[name].title = course[name].title
        result.assignments[name].graders = course.digest(name)
    result.seconds = time.perf_counter() - start
    return result
