"""Takes the definitions out of a student's notebook, and nothing that would run work.

Only top-level imports, function and class definitions, and assignments whose value
calls nothing are kept: training loops, plots, shell escapes (`!pip`) and magics
(`%timeit`) never run. A cell that does not parse is skipped on its own.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

KEPT = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


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


def _keep(node: ast.stmt) -> bool:
    if isinstance(node, KEPT):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        return _calls_nothing(node.value)
    return False


def extract(path: Path) -> ExtractedCode:
    notebook = nbformat.read(str(path), as_version=4)
    pieces, functions, skipped = [], set(), []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        source = _without_magics(cell.source)
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            skipped.append(f"cell {number} has a syntax error (line {exc.lineno}: {exc.msg}) and was skipped")
            continue
        lines = source.splitlines()
        kept = []
        for node in tree.body:
            if _keep(node):
                start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
                kept.append("\n".join(lines[start - 1:node.end_lineno]))
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.add(node.name)
        if kept:
            pieces.append(f"# --- notebook cell {number} ---\n" + "\n\n".join(kept))
    return ExtractedCode("\n\n\n".join(pieces) + "\n", functions, skipped)
