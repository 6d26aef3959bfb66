"""The pytest plugin that turns grader test outcomes into result records.

Graders are ordinary pytest modules. They declare points and Gradescope visibility
with markers, take the sandboxed submission as the `student` fixture and the
reference solutions as `reference`, and raise CheckFailure (or any assertion) when
the student's value is wrong. This plugin records one TestResult per test.

Loaded automatically (entry point `pytest11`), so an instructor can also run
`pytest graders/ --submission PATH` and see pytest's own report.
"""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Collection

import numpy as np
import pytest

from autograder.checks import figures
from autograder.checks.values import CheckFailure
from autograder.course import Course
from autograder.results.model import VISIBILITIES, AssignmentResult, TestResult
from autograder.sandbox.errors import MissingModule, SandboxFailed, StudentCodeProblem, StudentException

MARKERS = (
    "points(value, visibility=None): the points this test is worth (default 1)",
    "visibility(value): Gradescope visibility: visible, hidden, after_due_date or after_published",
    "assignment(name): the assignment this test grades (default: from the file name test_<name>.py)",
    "name(text): the test's name in results (default: the first line of its docstring)",
    "functions(*names): the course's functions this test grades (default: those its body names)",
)


GRADER_FAILED = "The grader could not finish this check"  # the grader's own bug, not the student's
_SHOWN = pytest.StashKey[list]()  # the figures a test showed while it ran


_NOT_REFERENCES: dict[str, Any] = {}  # module name -> the module object found not to be a course's reference


def load_reference(folder: Path, module: str) -> Any:
    """Imports a reference solution; solutions/ goes on sys.path so that one reference module
    can import another (as a student's module may import their own, where `uses` says so).

    Every test asks for it, so it looks at each module of sys.modules once, with string
    operations only (pathlib made this a tenth of a numpy submission's grading)."""
    folder_name = os.path.realpath(folder)
    if sys.path[:1] != [folder_name]:
        if folder_name in sys.path:
            sys.path.remove(folder_name)
        sys.path.insert(0, folder_name)  # first: another course's references of the same names come after it
    for name, loaded in list(sys.modules.items()):  # ... and their modules, once imported, are not reused
        if "." in name or _NOT_REFERENCES.get(name) is loaded:  # a reference is a top-level module
            continue  # (and TensorFlow brings thousands of others)
        where = getattr(loaded, "__file__", None)
        head, tail = os.path.split(where) if isinstance(where, str) else ("", "")
        if os.path.splitext(tail)[0] != name or os.path.basename(head) != "solutions":
            _NOT_REFERENCES[name] = loaded
        elif os.path.dirname(os.path.realpath(where)) != folder_name:
            del sys.modules[name]
    loaded = sys.modules.get(module)
    where = getattr(loaded, "__file__", None) or ""
    if loaded is not None and os.path.dirname(os.path.realpath(where)) != folder_name:
        del sys.modules[module]  # a module of that name from elsewhere (the standard library's, say)
    return importlib.import_module(module)


def test_metadata(item: pytest.Item) -> dict[str, Any]:
    """Points, visibility, assignment and display name of one grader test."""
    points_marker = item.get_closest_marker("points")
    points = float(points_marker.args[0]) if points_marker and points_marker.args else 1.0
    visibility = (points_marker.kwargs.get("visibility") if points_marker else None) or (
        item.get_closest_marker("visibility").args[0] if item.get_closest_marker("visibility") else "visible")
    if visibility not in VISIBILITIES:
        raise pytest.UsageError(f"{item.nodeid}: unknown visibility {visibility!r}")
    assignment_marker = item.get_closest_marker("assignment")
    if assignment_marker:
        assignment = assignment_marker.args[0]
    else:
        match = re.fullmatch(r"test_(\w+)\.py", item.path.name)
        assignment = match.group(1) if match else item.path.stem
    return {"points": points, "visibility": visibility, "assignment": assignment, "name": _display_name(item)}


def tested_functions(item: pytest.Item, functions: tuple[str, ...]) -> tuple[str, ...]:
    """The course's functions a test grades: its `functions` marker's, or else those of
    `functions` its own body names (`student.layers.conv_forward`, or the string "conv_forward")."""
    marker = item.get_closest_marker("functions")
    return tuple(marker.args) if marker else _named_functions(getattr(item, "function", None), functions)


@functools.lru_cache(maxsize=None)
def _named_functions(function: Any, functions: tuple[str, ...]) -> tuple[str, ...]:
    tree = _definition(function)
    if tree is None:
        return ()
    known = set(functions)
    named = set()
    for node in ast.walk(tree):  # student.<module>.<function>, not reference.<function>
        if (isinstance(node, ast.Attribute) and node.attr in known and isinstance(node.value, ast.Attribute)
                and isinstance(node.value.value, ast.Name) and node.value.value.id == "student"):
            named.add(node.attr)
        elif isinstance(node, ast.Constant) and node.value in known:
            named.add(node.value)
    return tuple(f for f in functions if f in named)


def _definition(function: Any) -> ast.AST | None:
    """The syntax tree of a test function's definition, found in its module's tree (parsed once
    per module: inspect.getsource tokenizes the file again for every test, a tenth of a second
    of a student's check)."""
    code = getattr(function, "__code__", None)
    try:
        info = os.stat(code.co_filename) if code is not None else None
    except OSError:
        info = None
    # Keyed by the file's stamp too: a kernel that lives on while an author edits reads the edit.
    tree = _module_tree(code.co_filename, info.st_mtime_ns, info.st_size) if info is not None else None
    if tree is not None:
        for node in ast.walk(tree):
            if (isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name
                    and code.co_firstlineno in {node.lineno, *(d.lineno for d in node.decorator_list)}):
                return node
    try:  # not where its code says (a generated test): its source as inspect finds it
        return ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None


@functools.lru_cache(maxsize=64)
def _module_tree(filename: str, mtime_ns: int, size: int) -> ast.Module | None:
    try:
        return ast.parse(Path(filename).read_bytes(), filename)
    except (OSError, SyntaxError, ValueError):
        return None


def _display_name(item: pytest.Item) -> str:
    marker = item.get_closest_marker("name")
    text = marker.args[0] if marker else ((getattr(item, "obj", None) and item.obj.__doc__) or "").strip()
    text = text.splitlines()[0].strip() if text else item.name
    params = getattr(getattr(item, "callspec", None), "params", None)
    if params:
        try:
            formatted = text.format(**params)
        except (KeyError, IndexError, ValueError):
            formatted = text
        if formatted == text:
            formatted = f"{text} [{item.callspec.id}]"
        text = formatted
    return text


def outcome_of(exc: BaseException | None, visible: bool) -> tuple[str, str]:
    """(status, feedback) for how a test ended; never shows hidden expected values."""
    if exc is None:
        return "passed", ""
    if isinstance(exc, CheckFailure):
        return "failed", exc.feedback(visible)
    if isinstance(exc, StudentCodeProblem):
        return exc.status, exc.message
    if isinstance(exc, pytest.skip.Exception):
        return "failed", f"Not run: {exc.msg}"
    if isinstance(exc, AssertionError):
        return "failed", str(exc) or "A check of this test failed."
    return "error", f"{GRADER_FAILED} ({type(exc).__name__}: {exc})."


class GradingSession:
    """Plugin object for one submission: provides the fixtures and records results."""

    def __init__(self, student: Any, course: Course | None = None, seed: int = 0,
                 missing: Collection[str] = ()) -> None:
        self._student = student
        self.course = course
        self.seed = seed
        self.missing = set(missing)  # assignments whose file the submission does not have (needs `course`)
        self.results: dict[str, AssignmentResult] = {}
        self.sandbox_failure = ""  # set when the sandbox itself broke: the run is not the student's to score
        self.unwritten: set[str] = set()  # tests whose own function raised NotImplementedError

    @pytest.fixture(scope="session")
    def student(self) -> Any:
        return self._student

    @pytest.fixture(scope="session")
    def grading_seed(self) -> int:
        """The run's seed (0 unless the instructor chose another): the same seed, the same inputs."""
        return self.seed

    @pytest.fixture(scope="session")
    def make_rng(self) -> Any:
        """make_rng(k): the random generator for the k-th input set of a grader, under the run's seed."""
        return lambda key: np.random.default_rng([self.seed, key])

    @pytest.fixture
    def reference(self, request: pytest.FixtureRequest) -> Any:
        """The reference solution module of the assignment the requesting test grades."""
        course = self.course or Course.locate(near=request.config.rootpath)
        return load_reference(course.solutions_dir, course[test_metadata(request.node)["assignment"]].module)

    def pytest_configure(self, config: pytest.Config) -> None:
        # This plugin writes the feedback and pytest's own report of a failure is never shown; in
        # its default style that report parses the source of every frame of the traceback (a
        # second for a submission that fails thirty tests), natively it only formats it.
        config.option.tbstyle = "native"

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """A test of an assignment whose file was not submitted fails before its fixtures and its
        body run (they would load data and models to end at the same missing import)."""
        name = test_metadata(item)["assignment"]
        if name in self.missing:
            raise MissingModule(self.course[name].module)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Any:
        with figures.recording() as shown:
            item.stash[_SHOWN] = shown
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        report = yield
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.record(item, call, report)
        return report

    def record(self, item: pytest.Item, call: pytest.CallInfo, report: Any) -> None:
        meta = test_metadata(item)
        exc = call.excinfo.value if call.excinfo is not None else None
        if isinstance(exc, SandboxFailed):
            self.sandbox_failure = str(exc)
        functions = tested_functions(item, self._functions_of(item, meta["assignment"]))
        if isinstance(exc, StudentException) and exc.exception_type == "NotImplementedError" \
                and exc.raised_in == exc.function and exc.function in functions:
            self.unwritten.add(item.nodeid)
        visible = meta["visibility"] == "visible"
        status, feedback = outcome_of(exc, visible)
        result = TestResult(
            name=meta["name"], score=meta["points"] if status == "passed" else 0.0, max_score=meta["points"],
            status=status, visibility=meta["visibility"], feedback=feedback, nodeid=item.nodeid,
            seconds=getattr(report, "duration", 0.0), functions=functions,
            cause=exc.diagnosis if isinstance(exc, CheckFailure) else exc.cause if isinstance(
                exc, StudentCodeProblem) else "",
            figures=figures.kept(item.stash.get(_SHOWN, []), visible) if status != "passed" else ())
        self.results.setdefault(meta["assignment"], AssignmentResult(meta["assignment"])).tests.append(result)

    def _functions_of(self, item: pytest.Item, name: str) -> tuple[str, ...]:
        """The functions of the assignment `name` a test grades (none for a test of no known assignment)."""
        course = self.course or Course.locate(near=item.config.rootpath)
        return course[name].functions if name in course.names else ()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder")
    group.addoption("--submission", default=None,
                    help="grade this submission (directory, .zip or notebook) with the graders collected")
    group.addoption("--allow-weak-sandbox", action="store_true",
                    help="grade even where student code cannot be fully isolated (see Security in the README)")
    group.addoption("--grading-seed", type=int, default=0,
                    help="seed for the graders' random inputs (default 0; the same seed gives the same scores)")


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    path = config.getoption("submission", None)
    if path and not config.pluginmanager.has_plugin("autograder-session"):
        _StandaloneSession(config, Path(path))


class _StandaloneSession:
    """`pytest --submission PATH`: stage the submission and open a sandbox for this run."""

    def __init__(self, config: pytest.Config, path: Path) -> None:
        from autograder.grading.runner import open_sandbox
        from autograder.grading.student import Student
        from autograder.sandbox import isolation
        from autograder.submission.discover import Submission, staged

        isolation.require(config.getoption("allow_weak_sandbox"), warn=lambda text: print(text, file=sys.stderr))
        course = Course.locate(near=config.rootpath)

        self._files = staged(Submission.from_path(path), course.modules)
        workdir, _ = self._files.__enter__()
        self.sandbox = open_sandbox(course, workdir)
        config.pluginmanager.register(GradingSession(Student(self.sandbox), course, config.getoption("grading_seed")),
                                      "autograder-session")
        config.add_cleanup(self.close)

    def close(self) -> None:
        self.sandbox.close()
        self._files.__exit__(None, None, None)

