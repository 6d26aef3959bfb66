"""Root causes: a failed test that builds on a failing function says which one to fix first.

One broken building block fails every later test, each with its own evidence, and none
would point at the block. The manifest's `depends` says which functions build on which;
each test grades the functions its body names (plugin.tested_functions). A function is
failing when a test that grades it alone fails. A failed test whose functions build on
failing functions (directly or through others) is told to fix the deepest of them first:
a fact - that function fails its own test - and advice, never a claim that it is this
test's only cause. A test only mentions tests that a student can see whenever they can
see it, so a visible test never gives away a hidden one's outcome.

A function may build on another assignment's ("activations.relu": the MLP imports the
student's own activations module). That one is failing when its own assignment, graded
in the same run, has a failed test of it alone, and only where the student's module
really imports that module: a student who wrote their own relu builds on nothing else.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Collection, Mapping, Sequence

from autograder.checks.diagnosis import listed
from autograder.checks.values import NO_CAUSE
from autograder.results.model import AssignmentResult, TestResult

SHOWN = {"visible": 0, "after_due_date": 1, "after_published": 2, "hidden": 3}  # later rank: shown less often


def below(functions: Sequence[str], depends: Mapping[str, Sequence[str]], across: bool = False) -> set[str]:
    """Every function of the module that `functions` build on, directly or through others (with
    `across`, other modules' functions too, as "module.function")."""
    seen: set[str] = set()
    todo = list(functions)
    while todo:
        for other in depends.get(todo.pop(), ()):
            if ("." not in other or across) and other not in seen:
                seen.add(other)
                todo.append(other)
    return seen - set(functions)


Failing = Mapping[str, Sequence[TestResult]]  # function -> its own failed tests (tests of it alone)


def failing(result: AssignmentResult) -> dict[str, list[TestResult]]:
    """The failed tests of one function each, by function: what shows that a function fails."""
    found: dict[str, list[TestResult]] = {}
    for test in result.tests:
        if test.status != "passed" and len(test.functions) == 1:
            found.setdefault(test.functions[0], []).append(test)
    return found


def trace(result: AssignmentResult, depends: Mapping[str, Sequence[str]], order: Sequence[str],
          unwritten: Collection[str] = (), elsewhere: Mapping[str, Failing] | None = None) -> None:
    """Sets `follows` on each failed test that builds on failing functions and puts the advice
    first in its feedback; not on the `unwritten` tests (nodeids), whose own function is not
    implemented yet, which fixing another function cannot change. `elsewhere` maps each other
    module this module imports to its failing functions (`failing` of its assignment's result)."""
    own = failing(result)
    elsewhere = elsewhere or {}

    def tests_of(function: str) -> Sequence[TestResult]:
        module, _, name = function.rpartition(".")
        return elsewhere.get(module, {}).get(name, ()) if module else own.get(function, ())

    for test in result.tests:
        if test.status == "passed" or not test.functions or test.nodeid in unwritten:
            continue
        # A root's failure must be shown whenever this one is, and be its own: the same message
        # (no such file, an import error, the time used up) is one cause, not a chain.
        under = [f for f in below(test.functions, depends, across=True) if any(
            SHOWN[root.visibility] <= SHOWN[test.visibility] and root.feedback != test.feedback
            for root in tests_of(f))]
        roots = [f for f in under if not below([f], depends, across=True) & set(under)]
        if roots:
            test.follows = tuple(sorted(roots, key=lambda f: (order.index(f) if f in order else len(order), f)))
            builders = [f for f in test.functions if below([f], depends, across=True) & set(roots)]
            test.feedback = lead_with(advice(builders, test.follows), test.feedback)


def imports(path: Path, limit: int = 1 << 20) -> set[str]:
    """The top-level modules a student's file imports, read from its text (parsed, never run; a
    file that does not parse, or is too large to bother, imports nothing we can vouch for)."""
    try:
        if path.stat().st_size > limit:
            return set()
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def lead_with(advice: str, feedback: str) -> str:
    """The advice first, in the cause paragraph: in place of "no known cause", or before the cause."""
    if feedback.startswith(NO_CAUSE):
        rest = feedback[len(NO_CAUSE):]
        return advice + (rest if rest.startswith("\n") else " " + rest.lstrip())
    return f"{advice}\n{feedback}"


def advice(functions: Sequence[str], roots: Sequence[str]) -> str:
    one = len(roots) == 1
    return (f"Fix {listed(roots)} first: {listed(functions)} build{'s' if len(functions) == 1 else ''} on "
            f"{'it' if one else 'them'}, and {'its own test fails' if one else 'their own tests fail'}. "
            f"This test may pass once {'it is' if one else 'they are'} fixed.")
