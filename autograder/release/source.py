"""One assignment's single source, read into the pieces every notebook is made of.

The source of an assignment is four files the course already keeps:
`assignments/<name>/lesson.md` (the text and the example cells, with the directives
of `autograder.grading.questions`), the stub `assignments/<name>/<name>.py`, the reference
`solutions/<name>.py`, and the tests. The student notebook, the nbgrader course and
the otter-grader assignment are all built from a `Lesson` read here, so none of them
is edited by hand.

Every function is cut into the part students see (its signature and docstring, from
the stub) and its body (the stub's `raise NotImplementedError`, or the reference's
code). A reference may use only what its stub imports, the modules a lesson reuses,
and its own functions: module-level helpers would have nowhere to go in a notebook.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Course
from autograder.grading.questions import DIRECTIVE, Question, listed, questions

FENCE = re.compile(r"^```python\n(.*?)^```\n?", re.S | re.M)


class SourceError(Exception):
    """The stub, the reference and the lesson of an assignment do not fit together."""


@dataclass(frozen=True)
class FunctionCode:
    name: str
    header: str  # decorators, signature and docstring, as the stub has them
    stub_body: str  # the stub's body after its docstring (indented)
    solution_body: str  # the reference's body after its docstring (indented)

    @property
    def indent(self) -> str:
        """The indentation of the body, for markers written inside it."""
        return re.match(r"\s*", self.solution_body.lstrip("\n")).group(0)

    @property
    def stub(self) -> str:
        return f"{self.header}\n{self.stub_body}"

    @property
    def solution(self) -> str:
        return f"{self.header}\n{self.solution_body}"


@dataclass
class ModuleCode:
    imports: list[str] = field(default_factory=list)
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, path: Path) -> "ModuleCode":
        text = path.read_text(encoding="utf-8")
        module = cls(lines=text.splitlines())
        for index, node in enumerate(ast.parse(text).body):
            if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # the module docstring
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module.imports.append(ast.get_source_segment(text, node))
            elif isinstance(node, ast.FunctionDef):
                module.functions[node.name] = node
            else:
                raise SourceError(f"{path}:{node.lineno}: only imports and functions may stand at the top level "
                                  "(a notebook has no place for other statements); move it into a function")
        return module

    def _body_start(self, node: ast.FunctionDef) -> int:
        """The 0-based line where the body after the docstring starts."""
        first = node.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            return first.end_lineno
        return first.lineno - 1

    def header(self, node: ast.FunctionDef) -> str:
        start = min([d.lineno for d in node.decorator_list] + [node.lineno]) - 1
        return "\n".join(self.lines[start:self._body_start(node)])

    def body(self, node: ast.FunctionDef) -> str:
        return "\n".join(self.lines[self._body_start(node):node.end_lineno]).rstrip()


@dataclass(frozen=True)
class Part:
    """One piece of a lesson, in order: markdown, example code, or a directive."""

    kind: str  # "markdown", "code", "implement", "reuse", "check"
    text: str = ""
    functions: tuple[FunctionCode, ...] = ()
    question: Question | None = None


@dataclass
class Lesson:
    assignment: str
    parts: list[Part]
    questions: tuple[Question, ...]
    stub_imports: list[str]

    @property
    def setup(self) -> str:
        """The first example cell: the imports every later cell relies on."""
        return next(p.text for p in self.parts if p.kind == "code")


def modules(course: Course, assignment: str) -> tuple[ModuleCode, ModuleCode]:
    """The stub and the reference of an assignment's module."""
    return ModuleCode.parse(course.stub_file(assignment)), ModuleCode.parse(course.reference_file(assignment))


def function_code(course: Course, assignment: str, stub: ModuleCode, solution: ModuleCode) -> dict[str, FunctionCode]:
    """Each graded function of an assignment: the stub's header and body, the reference's body."""
    code = {}
    module, functions = course[assignment].module, course[assignment].functions
    for name in functions:
        if name not in stub.functions or name not in solution.functions:
            raise SourceError(f"{module}.{name} must be defined in both the stub and the reference")
        s, r = stub.functions[name], solution.functions[name]
        if ast.dump(s.args) != ast.dump(r.args):
            raise SourceError(f"{module}.{name}: the stub and the reference have different signatures")
        code[name] = FunctionCode(name, stub.header(s), stub.body(s), solution.body(r))
    extra = sorted(set(solution.functions) - set(functions))
    if extra:
        raise SourceError(f"solutions/{module}.py defines {', '.join(extra)} beyond the manifest's functions: "
                          "a notebook has no cell for them; write them inside the functions that use them")
    return code


def read(course: Course, assignment: str, with_hidden: bool = True) -> Lesson:
    """The lesson of an assignment, with each directive resolved to code and questions."""
    text = course.lesson_file(assignment).read_text(encoding="utf-8")
    stub, solution = modules(course, assignment)
    own = function_code(course, assignment, stub, solution)
    by_id = {q.id: q for q in questions(course, assignment, with_hidden)}
    reused: set[str] = set()
    parts: list[Part] = []

    def markdown(chunk: str) -> None:
        if chunk.strip():
            parts.append(Part("markdown", chunk.strip()))

    position = 0
    marks = sorted([(m.start(), m.end(), "code", m) for m in FENCE.finditer(text)]
                   + [(m.start(), m.end(), "directive", m) for m in DIRECTIVE.finditer(text)], key=lambda x: x[0])
    for start, end, kind, match in marks:
        markdown(text[position:start])
        position = end
        if kind == "code":
            parts.append(Part("code", match.group(1).rstrip("\n")))
            continue
        what, names = match.group(1), listed(match.group(2))
        if what == "implement":
            parts.append(Part("implement", functions=tuple(own[n] for n in names), question=by_id[names[0]]))
        elif what == "reuse":
            for module in names:
                reused.add(module)
                other = course.by_module(module).name
                parts.append(Part("reuse", module, functions=tuple(
                    function_code(course, other, *modules(course, other)).values())))
        else:
            parts.append(Part("check", match.group(2).strip()))
    markdown(text[position:])

    lesson = Lesson(assignment, parts, tuple(by_id.values()), stub.imports)
    _check_imports(course[assignment].module, lesson, solution, reused)
    return lesson


def _check_imports(module: str, lesson: Lesson, solution: ModuleCode, reused: set[str]) -> None:
    """The setup cell must import what the stub imports, and the reference may import nothing
    else but the modules the lesson reuses (their functions are pasted into the notebook)."""
    setup = lesson.setup
    missing = [line for line in lesson.stub_imports if line not in setup]
    if missing:
        raise SourceError(f"the first code cell of {lesson.assignment}'s lesson must import what its stub does: "
                          f"{'; '.join(missing)}")
    for line in solution.imports:
        node = ast.parse(line).body[0]
        module = node.module if isinstance(node, ast.ImportFrom) else None
        if line not in lesson.stub_imports and module not in reused:
            raise SourceError(f"solutions/{module}.py imports `{line}`, which neither its stub nor a "
                              "`reuse` directive of its lesson provides")


def shown_lines(course: Course, assignment: str) -> set[str]:
    """The lines an assignment's lesson and stub show on purpose (stripped)."""
    return {line.strip() for path in (course.lesson_file(assignment), course.stub_file(assignment))
            for line in path.read_text(encoding="utf-8").splitlines()}


def leaked_lines(text: str, course: Course, lesson: Lesson) -> list[str]:
    """Lines of the reference bodies that `text` repeats (a student-facing file must show none).

    A line the stub or the lesson itself shows (`import numpy as np`, `return params`
    in an example) gives nothing away and is not counted."""
    secret = {line.strip() for part in lesson.parts for f in part.functions
              for line in f.solution_body.splitlines()} - shown_lines(course, lesson.assignment) - {""}
    return sorted({line.strip() for line in text.splitlines()} & secret)


LEAK_MIN_CHARS = 16  # shorter reference lines (`return x`, `import numpy as np`) give nothing away
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+|\d+e-?\d+|[2-9]|\d{2,})(?![\w])")


def student_files(course: Course, assignment: str) -> list[Path]:
    """What students see of an assignment besides its lesson and stub: public tests, notebook, and
    the course's probe file (sent to their sandbox and shipped in a release)."""
    files = [course.public_test_file(assignment), course.notebook_file(assignment), course.probes]
    return [p for p in files if p is not None and p.is_file()]


def secret_lines(course: Course, assignment: str) -> set[str]:
    """Lines no student file may repeat: the reference's bodies, and the hidden grader's lines
    that hold numbers (inputs, expected values, pass marks). What the lesson and the stub show
    on purpose, the code around the numbers (`if not info.get("compiled"):`) and calls of the
    student's code (a public test makes the same) give nothing away."""
    reference = course.reference_file(assignment).read_text(encoding="utf-8")
    secret = {line.strip() for line in reference.splitlines()
              if not line.strip().startswith(("def ", "import ", "from ", "#", '"""'))}
    secret |= {line.strip() for line in course.grader_file(assignment).read_text(encoding="utf-8").splitlines()
               if NUMBER.search(line) and "student." not in line and not line.strip().startswith(("#", "@pytest"))}
    return {line for line in secret - shown_lines(course, assignment) if len(line) >= LEAK_MIN_CHARS}


def leaks(course: Course, assignment: str) -> list[tuple[Path, str]]:
    """Each secret line (above) that one of the assignment's student files repeats, with the file;
    a notebook is read cell by cell."""
    secret = secret_lines(course, assignment)
    found = []
    for path in student_files(course, assignment):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(cell.get("source", "")) for cell in json.loads(text).get("cells", []))
        found += [(path, line) for line in sorted({line.strip() for line in text.splitlines()} & secret)]
    return found
