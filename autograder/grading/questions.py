"""Questions: the steps of an assignment as a notebook presents them.

An assignment's lesson (`assignments/<name>/lesson.md`) says where each group of
functions is implemented, with a directive on a line of its own:

    <!-- implement: conv_forward, conv_backward -->

Each directive is one question, named after its first function. A test, public or
hidden, belongs to the question of the last function it grades: the functions named
by its `@pytest.mark.functions(...)` marker, or else those its body names
(`student.layers.conv_forward`, or the string "conv_forward"); a test that names none
grades the whole module and belongs to the last question. So a question's checks
can run as soon as its functions are written, and the notebook tools (the checks in
our notebooks, nbgrader's test cells, otter's test cases) all split an assignment
the same way, with the same points as `autograder grade`.
"""
from __future__ import annotations

import contextlib
import functools
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder.course import Course
from autograder.grading.plugin import MARKERS, test_metadata, tested_functions
from autograder.grading.runner import PYTEST_ARGS, file_stamp, forget_other_courses

DIRECTIVE = re.compile(r"^<!--\s*(implement|reuse|check):\s*(.*?)\s*-->[ \t]*$", re.M)


class QuestionError(Exception):
    """A lesson or a test file does not say clearly which question is which."""


@dataclass(frozen=True)
class TestInfo:
    """One grader or public test, as collected by pytest."""

    function: str  # the test function's name: `file::function` selects it
    name: str
    points: float
    visibility: str
    grades: tuple[str, ...]  # the course's functions it grades


@dataclass
class Question:
    assignment: str
    id: str
    functions: tuple[str, ...]
    hidden: list[TestInfo] = field(default_factory=list)
    public: list[TestInfo] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(t.points for t in self.hidden)

    @property
    def title(self) -> str:
        return ", ".join(self.functions)


def listed(names: str) -> tuple[str, ...]:
    """The names of a directive: "f, f_grad" -> ("f", "f_grad")."""
    return tuple(n.strip() for n in names.split(",") if n.strip())


def directives(lesson: str) -> list[tuple[str, tuple[str, ...]]]:
    """(kind, names) for each directive of a lesson, in order."""
    return [(kind, listed(names)) for kind, names in DIRECTIVE.findall(lesson)]


def function_groups(course: Course, assignment: str) -> list[tuple[str, ...]]:
    """The `implement` groups of an assignment's lesson, checked against its manifest entry."""
    lesson = course.lesson_file(assignment)
    groups = [names for kind, names in directives(lesson.read_text(encoding="utf-8")) if kind == "implement"]
    placed = [f for group in groups for f in group]
    expected = course[assignment].functions
    if sorted(placed) != sorted(expected):
        missing = sorted(set(expected) - set(placed))
        extra = sorted({f for f in placed if placed.count(f) > 1 or f not in expected})
        raise QuestionError(f"{lesson}: every function of {assignment} must be implemented exactly once "
                            f"(missing: {', '.join(missing) or 'none'}; unknown or repeated: {', '.join(extra) or 'none'})")
    return groups


class _Collector:
    def __init__(self) -> None:
        self.items: list[pytest.Item] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self.items = list(items)


def collect(path: Path, functions: tuple[str, ...], rootdir: Path) -> list[TestInfo]:
    """The tests of one file, with which of the assignment's `functions` each grades (collected, never run)."""
    forget_other_courses([path], rootdir)
    collector = _Collector()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = pytest.main([*PYTEST_ARGS, "--collect-only", f"--rootdir={rootdir}", str(path)], plugins=[collector])
    if code != pytest.ExitCode.OK:
        raise QuestionError(f"could not collect {path} (pytest exit code {int(code)}): {out.getvalue()[-1000:]}")
    tests = []
    for item in collector.items:
        meta = test_metadata(item)
        grades = tested_functions(item, functions)
        unknown = [f for f in grades if f not in functions]
        if unknown:
            raise QuestionError(f"{item.nodeid}: functions({', '.join(unknown)}) are not functions of {path.name}'s "
                                f"assignment ({', '.join(functions)})")
        tests.append(TestInfo(getattr(item, "originalname", item.name), meta["name"], meta["points"],
                              meta["visibility"], grades))
    return tests


def questions(course: Course, assignment: str, with_hidden: bool = True) -> tuple[Question, ...]:
    """The questions of an assignment in notebook order, each with its tests.

    `with_hidden=False` reads only the public tests (a student's machine has no graders).
    Read once per version of the test files: an edited file is read again.
    """
    stamps = tuple(file_stamp(path) if path.exists() else None for path in
                   (course.public_test_file(assignment), course.grader_file(assignment) if with_hidden else None)
                   if path is not None)
    return _questions(course, assignment, with_hidden, stamps)


@functools.lru_cache(maxsize=None)
def _questions(course: Course, assignment: str, with_hidden: bool, stamps: tuple) -> tuple[Question, ...]:
    groups = function_groups(course, assignment)
    found = [Question(assignment, group[0], group) for group in groups]
    where = {f: i for i, group in enumerate(groups) for f in group}

    def place(test: TestInfo) -> Question:
        return found[max((where[f] for f in test.grades), default=len(found) - 1)]

    functions = course[assignment].functions
    for test in collect(course.public_test_file(assignment), functions, course.root):
        place(test).public.append(test)
    if with_hidden:
        for test in collect(course.grader_file(assignment), functions, course.root):
            place(test).hidden.append(test)
    return tuple(found)


def question(course: Course, assignment: str, question_id: str, with_hidden: bool = True) -> Question:
    for q in questions(course, assignment, with_hidden):
        if q.id == question_id or question_id in q.functions:
            return q
    names = ", ".join(q.id for q in questions(course, assignment, with_hidden))
    raise QuestionError(f"{assignment} has no question {question_id!r}; its questions are {names}")
