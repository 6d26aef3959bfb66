"""What a course author gives `validate` besides the graders: mutants and correct variants.

- `graders/mutants/<assignment>.toml`: known student mistakes, each a small patch of
  the reference module, as `[[mutants]]` tables:

      [[mutants]]
      id = "scale-adds"                       # unique within the assignment
      description = "adds the factor instead of multiplying by it"
      replace = [["x * factor", "x + factor"]]  # (old, new) pairs; each old text occurs in the reference
      fails = ["test_scale"]                  # optional: exactly the grader tests that must fail
      message = "factor"                      # optional: text the first failing test's feedback holds
      never = ["do not start from zero"]      # optional: false causes no test's feedback may state
      causes = ["factor", "is missing"]       # optional: every cause a test states (hidden or public)
                                              # holds one of these, numbers aside; [] where none may
      lost = 2.5                              # optional: exactly the points it must cost
      unstable = ["test_training"]            # optional: tests that may go either way

- `graders/variants/<assignment>/<name>.py`: a complete correct module written in
  another style (loops, float32, einsum...), which must get full marks.

Both live in graders/, so students never see them.
"""
from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from autograder.checks.diagnosis import kind_of
from autograder.course import Course, CourseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MUTANT_FIELDS = {"id", "description", "replace", "fails", "message", "never", "causes", "lost", "unstable"}


@dataclass(frozen=True)
class Mutant:
    """A known mistake: the reference with `replace` applied must lose points."""

    assignment: str
    id: str
    replace: tuple[tuple[str, str], ...]
    description: str = ""
    fails: frozenset[str] | None = None
    message: str = ""
    never: tuple[str, ...] = ()
    causes: tuple[str, ...] | None = None  # fragments: each stated cause holds one (None: not checked)
    lost: float | None = None
    unstable: frozenset[str] = field(default_factory=frozenset)
    line: int = 0

    def unlisted(self, causes: Iterable[str]) -> list[str]:
        """The stated causes that none of `causes` (the fragments) is part of: false causes, or
        true ones the author has not yet vouched for (nothing, where the mutant lists none)."""
        return [] if self.causes is None else unlisted(self.causes, causes)

    def source(self, reference: str) -> str:
        """The reference module with this mistake in it."""
        for old, new in self.replace:
            if old not in reference:
                raise CourseError(f"mutant {self.id!r} of {self.assignment}: the reference has no {old!r} "
                                  "(the mutant is stale: update its `replace`)")
            reference = reference.replace(old, new)
        return reference


@dataclass(frozen=True)
class Variant:
    """A correct implementation in another style: it must get full marks."""

    assignment: str
    id: str
    source: str

    @property
    def description(self) -> str:
        """The first line of the module's docstring (else its file name)."""
        try:
            doc = ast.get_docstring(ast.parse(self.source))
        except SyntaxError:
            doc = None
        return doc.splitlines()[0] if doc else self.id


def unlisted(fragments: Iterable[str], causes: Iterable[str]) -> list[str]:
    """The causes that hold none of the fragments, numbers aside: "divided by N = 4" vouches for
    "divided by N = 5" too (the same mistake on another input)."""
    kinds = [kind_of(fragment) for fragment in fragments]
    return [cause for cause in causes if cause and not any(kind in kind_of(cause) for kind in kinds)]


def mutants_file(course: Course, assignment: str) -> Path:
    return course.graders_dir / "mutants" / f"{assignment}.toml"


def mutants(course: Course, assignment: str) -> list[Mutant]:
    """The mutants an author lists for an assignment (none when there is no file)."""
    path = mutants_file(course, assignment)
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path}: not valid TOML: {exc}") from None
    starts = [i + 1 for i, line in enumerate(text.splitlines()) if re.match(r"^\s*\[\[\s*mutants\s*\]\]", line)]
    found: list[Mutant] = []
    for index, entry in enumerate(data.get("mutants", [])):
        line = starts[index] if index < len(starts) else 0
        where = f"{path}:{line}"
        unknown = sorted(set(entry) - MUTANT_FIELDS)
        if unknown:
            raise CourseError(f"{where}: unknown field {unknown[0]!r}; a mutant has {', '.join(sorted(MUTANT_FIELDS))}")
        replace = entry.get("replace")
        pairs_ok = isinstance(replace, list) and bool(replace) and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair) for pair in replace)
        if not entry.get("id") or not pairs_ok:
            raise CourseError(f"{where}: a mutant needs an `id` and `replace = [[\"old\", \"new\"], ...]`")
        if any(m.id == entry["id"] for m in found):
            raise CourseError(f"{where}: a second mutant with id {entry['id']!r}")
        fails, never = entry.get("fails"), entry.get("never", [])
        if not isinstance(never, list) or not all(isinstance(text, str) and text for text in never):
            raise CourseError(f"{where}: `never` must be a list of texts that no feedback may hold")
        causes = entry.get("causes")
        if causes is not None and (not isinstance(causes, list)
                                   or not all(isinstance(text, str) and text for text in causes)):
            raise CourseError(f"{where}: `causes` must be a list of texts, one of which every stated cause holds "
                              "([] where no test may state a cause)")
        found.append(Mutant(assignment, str(entry["id"]), tuple((old, new) for old, new in replace),
                            description=str(entry.get("description", "")),
                            fails=frozenset(fails) if fails is not None else None,
                            message=str(entry.get("message", "")), never=tuple(never),
                            causes=tuple(causes) if causes is not None else None,
                            lost=float(entry["lost"]) if "lost" in entry else None,
                            unstable=frozenset(entry.get("unstable", [])), line=line))
    return found


def variants(course: Course, assignment: str) -> list[Variant]:
    """The correct variants an author provides for an assignment."""
    folder = course.graders_dir / "variants" / assignment
    return [Variant(assignment, path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.py"))] if folder.is_dir() else []
