"""Turns what an instructor points at into submissions, and a submission into files.

A submission is a directory, a .zip of one, or a notebook (CONTRACT.md). Within it,
each curriculum module is found as `<module>.py` anywhere below (the shallowest
wins), or else in a notebook that defines the module's functions.
"""
from __future__ import annotations

import ast
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.curriculum import ASSIGNMENTS
from autograder.submission.notebook import extract

IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints", "__MACOSX", ".git"}
MAX_ZIP_BYTES = 200 << 20
MAX_ZIP_MEMBERS = 5000


class SubmissionError(Exception):
    """The path cannot be read as a submission at all."""


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path

    @classmethod
    def from_path(cls, path: str | Path) -> "Submission":
        path = Path(path)
        if not path.exists():
            raise SubmissionError(f"{path} does not exist")
        if not (path.is_dir() or path.suffix.lower() in (".zip", ".ipynb", ".py")):
            raise SubmissionError(f"{path} is not a directory, a .zip, a notebook or a .py file")
        return cls(id=path.stem if path.is_file() else path.resolve().name, path=path)


@dataclass
class StagedFiles:
    """Which file provided each module, and what the student should know about it."""

    modules: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _visible_files(root: Path, notes: list[str]) -> list[Path]:
    """Regular files, shallowest first; symbolic links are never followed (they could
    point at anything on the grading machine), and the student is told."""
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in IGNORED_DIRS or part.startswith(".") for part in rel.parts):
            continue
        if path.is_symlink():
            notes.append(f"{rel} is a symbolic link; links are not followed, so it was not graded.")
        elif path.is_file():
            files.append(path)
    return sorted(files, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def _defined_functions(path: Path) -> set[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
    except SyntaxError:
        return set()
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def extract_zip(archive: Path, dest: Path) -> list[str]:
    """Unpacks a zip refusing absolute paths, `..`, links and oversized contents; returns
    a note for each entry it refused."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise SubmissionError(f"{archive.name} is not a valid zip file") from None
    notes = []
    with zf:
        members = zf.infolist()
        if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise SubmissionError(f"{archive.name} is too large to grade")
        for member in members:
            name = Path(member.filename)
            mode = member.external_attr >> 16
            if name.is_absolute() or ".." in name.parts:
                notes.append(f"{archive.name}: {member.filename!r} points outside the submission and was skipped.")
                continue
            if stat.S_ISLNK(mode):
                notes.append(f"{archive.name}: {member.filename!r} is a symbolic link and was skipped.")
                continue
            target = dest / name
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return notes


def stage(submission: Submission, workdir: Path, scratch: Path) -> StagedFiles:
    """Writes one `<module>.py` per found module into workdir (and only those)."""
    staged = StagedFiles()
    root = submission.path
    if root.is_file() and root.suffix.lower() == ".zip":
        root = scratch / "unzipped"
        root.mkdir()
        staged.notes.extend(extract_zip(submission.path, root))
    files = [root] if root.is_file() else _visible_files(root, staged.notes)
    base = root.parent if root.is_file() else root
    python_files = {p.stem: p for p in reversed(files) if p.suffix == ".py"}  # shallowest wins
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb"]
    extracted = {}
    for module, functions in ASSIGNMENTS.items():
        source = python_files.get(module)
        if source is not None:
            shutil.copyfile(source, workdir / f"{module}.py")
            staged.modules[module] = str(source.relative_to(base))
            continue
        for notebook in sorted(notebooks, key=lambda p: p.stem != module):
            if notebook not in extracted:
                try:
                    extracted[notebook] = extract(notebook)
                except Exception as exc:  # noqa: BLE001 - an unreadable notebook is the student's problem
                    staged.notes.append(f"{notebook.name} could not be read as a notebook: {exc}")
                    extracted[notebook] = None
            code = extracted[notebook]
            if code is not None and (notebook.stem == module or code.functions & set(functions)):
                (workdir / f"{module}.py").write_text(code.source, encoding="utf-8")
                staged.modules[module] = str(notebook.relative_to(base))
                staged.notes.extend(f"{notebook.name}: {note}" for note in code.skipped)
                break
    # A lone .py file named after no module may still define one module's functions.
    if root.is_file() and root.suffix == ".py" and not staged.modules:
        found = _defined_functions(root)
        for module, functions in ASSIGNMENTS.items():
            if found & set(functions):
                shutil.copyfile(root, workdir / f"{module}.py")
                staged.modules[module] = root.name
    unused = sorted(str(p.relative_to(base)) for p in files if p.suffix in (".py", ".pth")
                    and not p.name.startswith("test_") and str(p.relative_to(base)) not in staged.modules.values())
    if unused and not root.is_file():
        staged.notes.append(f"Only the assignment files are graded, so these were not used: {', '.join(unused)}.")
    staged.notes = list(dict.fromkeys(staged.notes))
    return staged
