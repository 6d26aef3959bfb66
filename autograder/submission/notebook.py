"""Takes the definitions out of a student's notebook, and nothing that would run work.

Only top-level imports, function and class definitions, and assignments whose value
calls nothing and uses only names defined above (`TOL = 1e-6`, not `X = load()`)
are kept: training loops, plots, shell escapes (`!pip`) and magics (`%timeit`) never
run. A cell that does not parse is skipped on its own, so it costs only the functions
it defines. Imports of grading tools (this package, otter, nbgrader) are dropped: they
set up checks in the notebook and are not part of the answer. Any other import that
is not one of the course's modules is made optional, so that `import matplotlib` for a plot
cannot cost a grade where matplotlib is not installed.
"""
from __future__ import annotations

import ast
import builtins
import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection


DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
GRADING_TOOLS = {"autograder", "otter", "nbgrader"}


class NotebookError(ValueError):
    """A file named .ipynb that is not a notebook; the message says why, for the student."""


@dataclass
class ExtractedCode:
    source: str
    functions: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)


def _without_magics(source: str) -> str:
    """Blanks IPython-only lines (keeping line numbers): `%magic`, `!shell`, `%%cell`."""
    if source.lstrip().startswith("%%"):
        return ""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _calls_nothing(node: ast.AST) -> bool:
    return not any(isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(node))


def _top_modules(node: ast.Import | ast.ImportFrom) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[0] for alias in node.names}
    return {(node.module or "").split(".")[0]} if node.level == 0 else {""}


def _bound_names(node: ast.stmt) -> set[str]:
    """The names a kept statement defines at the top level."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    if isinstance(node, DEFINITIONS):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _uses_only(value: ast.AST, bound: set[str]) -> bool:
    """Whether `value` calls nothing and reads no name that is not defined yet."""
    if not _calls_nothing(value):
        return False
    local = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    local |= {a.arg for n in ast.walk(value) if isinstance(n, ast.Lambda) for a in ast.walk(n.args)
              if isinstance(a, ast.arg)}
    read = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read <= bound | local | set(dir(builtins))


def _kept_source(node: ast.stmt, text: str, bound: set[str], modules: Collection[str]) -> str | None:
    """The statement as it goes into the module, or None when it is left out."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        imported = _top_modules(node)
        if imported & GRADING_TOOLS:
            return None
        if imported <= set(modules):
            return text
        return f"try:\n{textwrap.indent(text, '    ')}\nexcept ImportError:  # optional outside the notebook\n    pass"
    if isinstance(node, DEFINITIONS):
        return text
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _uses_only(node.value, bound):
        return text
    return None


def extract_cells(sources: list[str], modules: Collection[str], label: str = "cell") -> ExtractedCode:
    """The definitions of a sequence of code cells, in order (a later definition wins, as it
    would when the cells run); imports of the course's `modules` stay as they are; `label`
    names a cell in messages ("cell 3")."""
    pieces, functions, skipped = [], set(), []
    bound: set[str] = set()
    for number, raw in enumerate(sources, start=1):
        if not raw.strip():
            continue
        source = _without_magics(raw)
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            skipped.append(f"{label} {number} has a syntax error (line {exc.lineno}: {exc.msg}) and was skipped")
            continue
        lines = source.splitlines()
        kept = []
        for node in tree.body:
            start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
            text = _kept_source(node, "\n".join(lines[start - 1:node.end_lineno]), bound, modules)
            if text is not None:
                kept.append(text)
                bound |= _bound_names(node)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.add(node.name)
        if kept:
            pieces.append(f"# --- notebook {label} {number} ---\n" + "\n\n".join(kept))
    return ExtractedCode("\n\n\n".join(pieces) + "\n", functions, skipped)


def code_cells(path: Path) -> list[str]:
    """The source of every cell of a notebook, with "" for the cells that are not code
    (so that cell numbers in messages match what the student sees).

    A notebook of format 4 (what Jupyter has written since 2015) is read as the JSON it is:
    taking the code out needs nothing more, and importing nbformat costs seconds (its schema
    validator), on every `autograder check`. Older formats go through nbformat's converters."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotebookError(f"it is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise NotebookError("it is JSON but not a notebook (no cells)")
    if isinstance(data.get("nbformat"), int) and data["nbformat"] < 4:
        import nbformat  # here: a second or more to import, for notebooks older than 2015

        return [cell.source if cell.cell_type == "code" else "" for cell in
                nbformat.read(str(path), as_version=4).cells]
    cells = data.get("cells")
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError("it is JSON but not a notebook (no cells)")
    return [_source(cell) if cell.get("cell_type") == "code" else "" for cell in cells]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):  # the form on disk: a list of lines, each with its newline
        source = "".join(part for part in source if isinstance(part, str))
    return source if isinstance(source, str) else ""


def write_code_cells(path: Path, cells: list[str]) -> None:
    """A notebook (format 4.5) of these code cells, as Jupyter would save it, without importing nbformat."""
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"cell-{number}", "metadata": {},
                           "outputs": [], "source": source} for number, source in enumerate(cells, start=1)],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")


def extract(path: Path, modules: Collection[str]) -> ExtractedCode:
    return extract_cells(code_cells(path), modules)
