"""A course: its manifest (`course.toml`) and the folders it names.

A course is data the engine reads; the engine itself knows no assignment. The
manifest lists the assignments in the order students meet them, and for each one
what the engine needs: the student's module, the title, the graded functions, the
heavy libraries a warm worker imports before forking, the data files, the per-call
time limit, and which functions build on which. The folders follow one layout:

    course.toml
    assignments/<name>/lesson.md, <module>.py (the stub), test_<name>.py (public tests)
    solutions/<module>.py          (the reference, never shown to students)
    graders/test_<name>.py         (the hidden graders)

`Course.load(root)` reads and checks the manifest and raises CourseError naming the
file, the line and what to change. `Course.locate()` finds the course a command
means: `--course DIR`, then $AUTOGRADER_COURSE, then the nearest folder above the
checked path that holds a course.toml, then the course bundled with this package.
"""
from __future__ import annotations

import ast
import fnmatch
import hashlib
import importlib.util
import keyword
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MANIFEST = "course.toml"
CACHES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Names a student module may not have: what graders and students import, the `student` fixture's own.
RESERVED_MODULES = {"numpy", "np", "pytest", "autograder", "conftest", "sandbox", "probe", "test"}
IDENTIFIER_PACKAGE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-\[\],<>=!~ ]*")  # a pip requirement
COURSE_FIELDS = {"name", "title", "probes", "requires"}
ASSIGNMENT_FIELDS = {"title", "module", "functions", "points", "preload", "data", "call_seconds", "depends",
                     "uses", "requires"}


class CourseError(Exception):
    """A course's files are wrong or missing: the message names the file (and line) and the fix."""


class CourseNotFound(CourseError):
    pass


@dataclass(frozen=True)
class Assignment:
    """One assignment as its manifest entry declares it."""

    name: str  # the folder under assignments/ and the grader's test_<name>.py
    module: str  # the student's module: <module>.py
    title: str
    functions: tuple[str, ...]  # the graded functions, in the order the lesson presents them
    points: float | None = None  # the total the graders must add up to (checked by validate)
    preload: tuple[str, ...] = ()  # imported once by warm workers before forking children
    data: tuple[str, ...] = ()  # files of the course (relative to its root) the graders read
    call_seconds: float | None = None  # CPU seconds per call of this module's functions
    depends: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # function -> functions it builds on
    uses: tuple[str, ...] = ()  # other assignments' modules this module may import
    requires: tuple[str, ...] = ()  # packages a student needs to check this assignment
    line: int = 0  # where the manifest declares it


@dataclass(frozen=True, eq=False)
class Course:
    """A loaded course; equal (and hashed) by its folder, so caches can key on it."""

    root: Path
    name: str
    title: str
    assignments: Mapping[str, Assignment]
    probes: Path | None = None  # grader code that runs beside the student's, inside the sandbox
    requires: tuple[str, ...] = ()
    # Read once per loaded course (a batch worker grades all its submissions with what it loaded):
    # the probe file's source and each assignment's digest.
    _read: dict = field(default_factory=dict, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Course) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    # -- what it holds -------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return list(self.assignments)

    def __getitem__(self, name: str) -> Assignment:
        try:
            return self.assignments[name]
        except KeyError:
            raise ValueError(f"unknown assignment {name!r}; {self.name} has {', '.join(self.assignments)}") from None

    @property
    def modules(self) -> dict[str, tuple[str, ...]]:
        """Each student module and the functions graded in it: what staging looks for."""
        return {a.module: a.functions for a in self.assignments.values()}

    def by_module(self, module: str) -> Assignment:
        """The assignment whose student module this is."""
        for spec in self.assignments.values():
            if spec.module == module:
                return spec
        raise ValueError(f"no assignment of {self.name} has the module {module!r}")

    def select(self, names: Iterable[str] | None) -> list[str]:
        """The assignments to work on, in course order; none named means all; an unknown name is an error."""
        names = list(names or [])
        if not names:
            return self.names
        unknown = [n for n in names if n not in self.assignments]
        if unknown:
            raise ValueError(f"unknown assignment {', '.join(unknown)}; {self.name} has "
                             f"{', '.join(self.assignments)}")
        return [n for n in self.assignments if n in names]

    def preload(self, names: Iterable[str]) -> tuple[str, ...]:
        """What a warm worker imports before forking children for these assignments: numpy, and
        the libraries their manifest entries declare (TensorFlow only where one asks for it)."""
        wanted = ["numpy"]
        for name in names:
            wanted += [m for m in self[name].preload if m not in wanted]
        return tuple(wanted)

    def call_seconds(self) -> dict[str, float]:
        """The per-call time limits the manifest sets, by student module."""
        return {a.module: a.call_seconds for a in self.assignments.values() if a.call_seconds}

    # -- where its files are -------------------------------------------------------
    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    @property
    def assignments_dir(self) -> Path:
        return self.root / "assignments"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    @property
    def graders_dir(self) -> Path:
        return self.root / "graders"

    def folder(self, name: str) -> Path:
        return self.assignments_dir / name

    def lesson_file(self, name: str) -> Path:
        return self.folder(name) / "lesson.md"

    def stub_file(self, name: str) -> Path:
        return self.folder(name) / f"{self[name].module}.py"

    def notebook_file(self, name: str) -> Path:
        return self.folder(name) / f"{name}.ipynb"

    def public_test_file(self, name: str) -> Path:
        return self.folder(name) / f"test_{name}.py"

    def reference_file(self, name: str) -> Path:
        return self.solutions_dir / f"{self[name].module}.py"

    def grader_file(self, name: str) -> Path:
        return self.graders_dir / f"test_{name}.py"

    def digest(self, name: str) -> str:
        """What an assignment's grades depend on, hashed: its manifest entry, grader, reference and
        the probe file. A rerun grades again what an earlier version of these graded."""
        if ("digest", name) not in self._read:
            spec = self[name]
            entry = repr({k: v for k, v in spec.__dict__.items() if k != "line"})
            digest = hashlib.sha256(entry.encode())
            for path in (self.grader_file(name), self.reference_file(name), self.probes):
                digest.update(b"\0" + (path.read_bytes() if path is not None and path.is_file() else b""))
            self._read["digest", name] = digest.hexdigest()[:16]
        return self._read["digest", name]

    @property
    def probe_source(self) -> str | None:
        """The probe file's text, as sent to each sandboxed child (None when the course has none)."""
        if "probes" not in self._read:
            self._read["probes"] = self.probes.read_text(encoding="utf-8") if self.probes else None
        return self._read["probes"]

    def files(self, folders: Iterable[str] = ("assignments", "solutions", "graders"),
              skip: Iterable[str] = ()) -> list[Path]:
        """The course's own files (the manifest, its data, its probe file and what `folders` hold),
        relative to its root, without caches; names matching a pattern of `skip` ("*.ipynb") are
        left out too."""
        found = [Path(MANIFEST)] + [Path(d) for a in self.assignments.values() for d in a.data
                                    if (self.root / d).exists()]
        if self.probes is not None:
            found.append(self.probes.relative_to(self.root))
        for folder in folders:
            for path in sorted((self.root / folder).rglob("*")):
                relative = path.relative_to(self.root)
                if path.is_file() and not any(part in CACHES or part.endswith(".egg-info") for part in relative.parts) \
                        and not any(fnmatch.fnmatch(path.name, pattern) for pattern in skip):
                    found.append(relative)
        expanded = []
        for relative in dict.fromkeys(found):
            path = self.root / relative
            expanded += [p.relative_to(self.root) for p in sorted(path.rglob("*")) if p.is_file()] if path.is_dir() \
                else [relative]
        return list(dict.fromkeys(expanded))

    def copy_to(self, target: Path, folders: Iterable[str] = ("assignments", "solutions", "graders"),
                skip: Iterable[str] = ()) -> Path:
        """A copy of the course (see `files`) in `target`, replacing what was there."""
        if target.exists():
            shutil.rmtree(target)
        self.copy_files(self.files(folders, skip), target)
        return target

    def copy_files(self, relatives: Iterable[str | os.PathLike], target: Path) -> None:
        """Copies these files of the course (paths relative to its root) into `target`, as laid out here."""
        for relative in relatives:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.root / relative, target / relative)

    def problems(self, names: Iterable[str] | None = None, public: bool = False) -> list[str]:
        """What would stop these assignments from being graded, each as `file:line: what to do`:
        a missing grader, a reference that lacks a declared function, a syntax error, an import
        that cannot be found here. Read without importing anything (graders are imported later,
        per submission). `public` checks the stubs and public tests too."""
        found = []
        for name in self.select(names):
            spec = self[name]
            files = [self.grader_file(name)] + ([self.stub_file(name), self.public_test_file(name)] if public else [])
            found += [f"{path}: missing (course.toml:{spec.line} declares {name})" for path in files
                      if not path.is_file()]
            found += [f"{self.root / relative}: missing (course.toml:{spec.line} lists it in {name}'s `data`)"
                      for relative in spec.data if not (self.root / relative).exists()]
            tree = _parsed(self.reference_file(name), found)
            if tree is not None:
                defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                lacking = [f for f in spec.functions if f not in defined]
                if lacking:
                    found.append(f"{self.reference_file(name)}: defines no {', '.join(lacking)}, which course.toml:"
                                 f"{spec.line} lists for {name}: write them, or remove them from `functions`")
            for path in files:
                if path.is_file() and path.suffix == ".py":
                    found += self._missing_imports(path, _parsed(path, found))
        if self.probes is not None:
            _parsed(self.probes, found)
        return found

    def grading_problems(self, names: Iterable[str] | None = None) -> list[str]:
        """What would stop these assignments from being graded on this machine: the course's own
        problems, then the packages they require that are not installed."""
        return self.problems(names) + list(self.unmet_requirements(names).values())

    def unmet_requirements(self, names: Iterable[str] | None = None) -> dict[str, str]:
        """The assignments among `names` whose `requires` (the course's and their own) are not all
        installed here, each with one sentence naming the packages and the pip command that
        installs them ("... needs tensorflow, which is not installed here: pip install ...")."""
        from autograder import extras

        course_missing = extras.missing(self.requires)
        found = {}
        for name in self.select(names):
            absent = course_missing + [r for r in extras.missing(self[name].requires) if r not in course_missing]
            if absent:
                verb = "is" if len(absent) == 1 else "are"
                found[name] = (f"{name} ({self[name].title}) needs {', '.join(absent)}, which {verb} not installed "
                               f"here: {extras.how_to_install(absent)}")
        return found

    def _missing_imports(self, path: Path, tree: ast.Module | None) -> list[str]:
        """Top-level imports of a grader or test file that nothing here provides."""
        found = []
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                local = (path.parent / f"{top}.py").is_file() or (path.parent / top).is_dir()
                if not local and importlib.util.find_spec(top) is None:
                    found.append(f"{path}:{node.lineno}: imports {top}, which is not installed here: install it "
                                 "(and declare it in the assignment's `requires`), or remove the import")
        return found

    # -- finding and reading one -----------------------------------------------------
    @classmethod
    def load(cls, root: str | os.PathLike) -> "Course":
        root = Path(root).resolve()
        path = root / MANIFEST
        if not path.is_file():
            raise CourseNotFound(f"{root} is not a course: it has no {MANIFEST} (`autograder new course DIR` "
                                 "makes one)")
        return _parse(root, path.read_text(encoding="utf-8"))

    @classmethod
    def locate(cls, explicit: str | os.PathLike | None = None, near: str | os.PathLike | None = None) -> "Course":
        """The course a command means. An explicit --course or $AUTOGRADER_COURSE must be a course;
        otherwise the nearest course.toml above `near`, then the bundled course."""
        given = explicit or os.environ.get("AUTOGRADER_COURSE")
        if given:
            return cls.load(given)
        found = nearest_course(near) if near is not None else None
        if found is not None:
            return cls.load(found)
        bundled = bundled_course()
        if bundled is None:
            raise CourseNotFound("no course was found: pass --course DIR or set AUTOGRADER_COURSE")
        return cls.load(bundled)


def nearest_course(near: str | os.PathLike) -> Path | None:
    """The nearest folder at or above `near` (a folder, or a file's folder) that holds a course.toml."""
    start = Path(near).resolve()
    for folder in [start, *start.parents] if start.is_dir() else start.parents:
        if (folder / MANIFEST).is_file():
            return folder
    return None


def taken_module(module: str) -> bool:
    """Whether a student module of this name would shadow what graders or students import (the
    standard library, RESERVED_MODULES) or an attribute of the `student` fixture."""
    return module in RESERVED_MODULES or module in sys.stdlib_module_names


def bundled_course() -> Path | None:
    """The course shipped with the package: inside it when installed from a wheel, or the
    checkout the package sits in when installed in development mode."""
    package = Path(__file__).resolve().parent
    for folder in (package / "bundled", package.parent):
        if (folder / MANIFEST).is_file():
            return folder
    return None


def _parsed(path: Path, problems: list[str]) -> ast.Module | None:
    """A Python file's syntax tree, or None with the reason added to `problems`."""
    if not path.is_file():
        problems.append(f"{path}: missing")
        return None
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        problems.append(f"{path}:{exc.lineno}: syntax error: {exc.msg}")
        return None


# -- parsing -----------------------------------------------------------------------
class _Text:
    """The manifest's text, to say on which line a field sits."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.split("\n")  # as TOML counts lines (not str.splitlines)

    def header_line(self, dotted: str) -> int:
        """The line of the table header `[a.b]` (0 if it is not written as a header)."""
        parts = r"\s*\.\s*".join(rf"[\"']?{re.escape(p)}[\"']?" for p in dotted.split("."))
        pattern = re.compile(rf"^\s*\[\s*{parts}\s*\]")
        return next((i + 1 for i, line in enumerate(self.lines) if pattern.match(line)), 0)

    def table_line(self, name: str) -> int:
        return self.header_line(f"assignments.{name}")

    def field_line(self, key: str, after: int = 0) -> int:
        """The first line at or after `after` that sets `key` (else `after`)."""
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        return next((i + 1 for i in range(max(after - 1, 0), len(self.lines)) if pattern.match(self.lines[i])), after)

    def error(self, line: int, message: str) -> CourseError:
        where = f"{self.path}:{line}" if line else str(self.path)
        return CourseError(f"{where}: {message}")


def _parse(root: Path, text: str) -> Course:
    source = _Text(root / MANIFEST, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise source.error(int(match.group(1)) if match else 0, f"not valid TOML: {exc}") from None
    course = data.get("course", {})
    if not isinstance(course, dict):
        raise source.error(source.field_line("course"), "`course` must be a table: [course]")
    at_course = source.header_line("course")
    unknown = sorted(set(course) - COURSE_FIELDS)
    if unknown:
        raise source.error(source.field_line(unknown[0], at_course), f"unknown field {unknown[0]!r} in [course]; the fields "
                           f"are {', '.join(sorted(COURSE_FIELDS))}")
    extra = sorted(set(data) - {"course", "assignments"})
    if extra:
        raise source.error(0, f"unknown table {extra[0]!r}; a manifest has [course] and [assignments.NAME] tables")
    entries = data.get("assignments")
    if not isinstance(entries, dict) or not entries:
        raise source.error(0, "no assignments: add one with `autograder new assignment NAME --functions f,g`, "
                           "or by hand as an [assignments.NAME] table")
    assignments: dict[str, Assignment] = {}
    modules: dict[str, str] = {}
    for name, entry in entries.items():
        spec = _assignment(source, name, entry)
        if spec.module in modules:
            raise source.error(source.field_line("module", spec.line), f"assignments {modules[spec.module]!r} and {name!r} both use the module "
                               f"{spec.module}.py; give each assignment its own `module`")
        modules[spec.module] = name
        assignments[name] = spec
    for spec in assignments.values():
        for used in spec.uses:
            if used not in modules or used == spec.module:
                raise source.error(source.field_line("uses", spec.line), f"{spec.name}: `uses` names {used!r}, "
                                   f"which is not another assignment's module ({', '.join(modules)})")
        for function, before in spec.depends.items():
            for other in (o for o in before if "." in o):
                module, name = other.split(".")
                if module not in spec.uses or name not in assignments[modules[module]].functions:
                    where = source.field_line(function, source.header_line(f"assignments.{spec.name}.depends")
                                              or spec.line)
                    raise source.error(where, f"{spec.name}: {function} depends on {other!r}, which is not a "
                                       "function of a module that `uses` names")
    probes = course.get("probes")
    if probes is not None:
        where = (root / probes).resolve() if isinstance(probes, str) else None
        if where is None or root not in where.parents or (root / "solutions") in where.parents or not where.is_file():
            raise source.error(source.field_line("probes", at_course), f"probes = {probes!r}: no such file in {root} "
                               "(it must lie in the course folder, outside solutions/: students' code can read it)")
    return Course(root=root, name=_text(source, course, "name", root.name, at_course),
                  title=_text(source, course, "title", root.name, at_course), assignments=assignments,
                  probes=(root / probes) if probes else None,
                  requires=_names(source, course, "requires", source.field_line("requires", at_course),
                                  IDENTIFIER_PACKAGE))


def _text(source: _Text, table: dict, key: str, default: str | None, line: int) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise source.error(source.field_line(key, line) if key in table else line,
                           f"`{key}` must be a non-empty string")
    return value


def _names(source: _Text, table: dict, key: str, line: int, pattern: re.Pattern = IDENTIFIER,
           owner: str = "") -> tuple[str, ...]:
    value = table.get(key, [])
    label = f"{owner}: " if owner else ""
    if not isinstance(value, list) or not all(isinstance(v, str) and pattern.fullmatch(v) for v in value):
        raise source.error(line, f"{label}`{key}` must be a list of names, such as {key} = [\"a\", \"b\"]")
    if len(set(value)) != len(value):
        repeated = sorted({v for v in value if value.count(v) > 1})
        raise source.error(line, f"{label}`{key}` lists {', '.join(repeated)} more than once")
    return tuple(value)


def _assignment(source: _Text, name: str, entry: Any) -> Assignment:
    line = source.table_line(name)
    if not IDENTIFIER.fullmatch(name):
        raise source.error(line, f"assignment name {name!r} must be a Python identifier (letters, digits, _)")
    if not isinstance(entry, dict):
        raise source.error(line, f"assignments.{name} must be a table: [assignments.{name}]")
    unknown = sorted(set(entry) - ASSIGNMENT_FIELDS)
    if unknown:
        raise source.error(source.field_line(unknown[0], line), f"{name}: unknown field {unknown[0]!r}; the fields "
                           f"are {', '.join(sorted(ASSIGNMENT_FIELDS))}")

    def at(key: str) -> int:
        return source.field_line(key, line)

    if "title" not in entry:
        raise source.error(line, f"{name}: `title` is missing (the name students see, such as title = "
                           "\"Convolutions\")")
    module = _text(source, entry, "module", name, line)
    if not IDENTIFIER.fullmatch(module) or keyword.iskeyword(module):
        raise source.error(at("module"), f"{name}: module {module!r} must be a Python identifier")
    if taken_module(module):
        raise source.error(at("module") if "module" in entry else line,
                           f"{name}: the module name {module!r} is taken (a module that graders or students import, "
                           "or an attribute of the `student` fixture): set `module` to another name")
    if "functions" not in entry:
        raise source.error(line, f"{name}: say which functions students implement: functions = [\"f\", \"g\"]")
    functions = _names(source, entry, "functions", at("functions"), owner=name)
    if not functions:
        raise source.error(at("functions"), f"{name}: `functions` is empty")
    points = entry.get("points")
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0):
        raise source.error(at("points"), f"{name}: `points` must be a positive number")
    call_seconds = entry.get("call_seconds")
    if call_seconds is not None and (isinstance(call_seconds, bool) or not isinstance(call_seconds, (int, float))
                                     or call_seconds <= 0):
        raise source.error(at("call_seconds"), f"{name}: `call_seconds` must be a positive number of seconds")
    data = entry.get("data", [])
    if not isinstance(data, list) or not all(isinstance(d, str) and d for d in data):
        raise source.error(at("data"), f"{name}: `data` must be a list of paths relative to the course folder")
    root = source.path.parent
    for relative in data:  # whether it exists is for the commands that grade (Course.problems)
        if root not in (root / relative).resolve().parents:
            raise source.error(at("data"), f"{name}: the data file {relative!r} is outside the course folder {root}")
    depends = entry.get("depends", {})
    if not isinstance(depends, dict):
        raise source.error(at("depends"), f"{name}: `depends` must be a table: function = [\"the functions it "
                           "builds on\"]")
    parsed: dict[str, tuple[str, ...]] = {}
    for function, before in depends.items():
        where = source.field_line(function, source.header_line(f"assignments.{name}.depends") or at("depends"))
        if function not in functions:
            raise source.error(where, f"{name}: depends names {function!r}, which is not one of its functions")
        names = _names(source, depends, function, where, re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_]\w*)?"),
                       owner=name)
        for other in names:
            if "." not in other and other not in functions:
                raise source.error(where, f"{name}: {function} depends on {other!r}, which is not one of its "
                                   "functions (write module.function for another assignment's)")
        parsed[function] = names
    return Assignment(name=name, module=module, title=_text(source, entry, "title", None, line), functions=functions,
                      points=float(points) if points is not None else None,
                      preload=_names(source, entry, "preload", at("preload"), re.compile(r"[\w.]+"), owner=name),
                      data=tuple(data), call_seconds=float(call_seconds) if call_seconds else None,
                      depends=parsed, uses=_names(source, entry, "uses", at("uses"), owner=name),
                      requires=_names(source, entry, "requires", at("requires"), IDENTIFIER_PACKAGE, owner=name),
                      line=line)
