"""Turns what an instructor points at into submissions, and a submission into files.

A submission is a directory, a .zip of one, or a notebook (docs/contract.md). Within it,
each module of the course is found as `<module>.py` anywhere below (the shallowest
wins), or in a notebook that defines the module's functions. When both exist, the
one that implements more of the functions is graded (a stub left beside a finished
notebook must not cost the student), and the student is told.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping

from autograder.results.model import Identity
from autograder.submission.notebook import ExtractedCode, extract

IGNORED_DIRS = {"__pycache__", ".ipynb_checkpoints", "__MACOSX", ".git"}
MAX_ZIP_BYTES = 200 << 20
MAX_ZIP_MEMBERS = 5000


class SubmissionError(Exception):
    """The path cannot be read as a submission at all."""


@dataclass(frozen=True)
class Submission:
    """What to grade, and what is known of who handed it in and when (from an LMS download or a roster)."""

    id: str
    path: Path
    students: tuple[Identity, ...] = ()
    submitted_at: str = ""  # ISO 8601
    flagged_late: bool = False  # the LMS said late without saying when (Canvas's bulk download)

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


def _skipped(relative: Path) -> bool:
    """Caches and hidden folders beside the files: never staged, never part of the fingerprint."""
    return any(part in IGNORED_DIRS or part.startswith(".") for part in relative.parts)


def walk(root: Path) -> tuple[list[Path], list[Path]]:
    """A folder's regular files and its symbolic links, each in path order, without the caches
    and hidden folders that `_skipped` names: what staging, the fingerprint and a cluster's
    task see of a submission."""
    files, links = [], []
    for path in sorted(root.rglob("*")):
        if _skipped(path.relative_to(root)):
            continue
        if path.is_symlink():
            links.append(path)
        elif path.is_file():
            files.append(path)
    return files, links


def _visible_files(root: Path, notes: list[str]) -> list[Path]:
    """Regular files, shallowest first; symbolic links are never followed (they could
    point at anything on the grading machine), and the student is told."""
    files, links = walk(root)
    notes.extend(f"{link.relative_to(root)} is a symbolic link; links are not followed, so it was not graded."
                 for link in links)
    return sorted(files, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def fingerprint(submission: Submission) -> str:
    """A digest of the submitted bytes: a rerun regrades a submission only when it changed.
    Only what grading reads counts: not the caches and hidden folders that staging skips (a
    `__pycache__` that Python writes beside the files must not make a rerun grade them again)."""
    digest = hashlib.sha256()
    root = submission.path
    files = [root] if root.is_file() else walk(root)[0]
    for path in files:
        digest.update(str(path.relative_to(root if root.is_dir() else root.parent)).encode() + b"\0")
        with open(path, "rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _top_level_functions(source: str) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Each top-level function of `source` by name, the last definition winning ({} if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body that is only a docstring, `pass`, `...` or `raise NotImplementedError`."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body:
        return True
    if len(body) > 1:
        return False
    only = body[0]
    if isinstance(only, ast.Pass) or (isinstance(only, ast.Expr) and isinstance(only.value, ast.Constant)):
        return True
    if isinstance(only, ast.Raise) and only.exc is not None:
        raised = only.exc.func if isinstance(only.exc, ast.Call) else only.exc
        return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


def implemented(source: str) -> set[str]:
    """Top-level functions of `source` that are more than a stub (the last definition counts)."""
    return {name for name, node in _top_level_functions(source).items() if not _is_stub(node)}


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


def stage(submission: Submission, workdir: Path, scratch: Path, modules: Mapping[str, tuple[str, ...]]) -> StagedFiles:
    """Writes one `<module>.py` per found module of the course (`modules`: each module's graded
    functions) into workdir, and only those."""
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
    extracted: dict[Path, ExtractedCode | None] = {}
    considered: set[str] = set()  # files weighed against another version of the same module

    def notebook_code(notebook: Path) -> ExtractedCode | None:
        if notebook not in extracted:
            try:
                extracted[notebook] = extract(notebook, modules)
            except Exception as exc:  # noqa: BLE001 - an unreadable notebook is the student's problem
                staged.notes.append(f"{notebook.name} could not be read as a notebook: {exc}")
                extracted[notebook] = None
        return extracted[notebook]

    for module, functions in modules.items():
        candidates: list[tuple[Path, str, list[str]]] = []  # (file, source, notes)
        if module in python_files:
            py = python_files[module]
            candidates.append((py, py.read_text(encoding="utf-8", errors="replace"), []))
        for notebook in sorted(notebooks, key=lambda p: p.stem != module):
            code = notebook_code(notebook)
            if code is not None and (notebook.stem == module or code.functions & set(functions)):
                candidates.append((notebook, code.source, [f"{notebook.name}: {note}" for note in code.skipped]))
        if not candidates:
            continue
        # A stub left beside the real work must not win: grade the file that implements most.
        done = [len(implemented(source) & set(functions)) for _, source, _ in candidates]
        chosen = done.index(max(done))
        path, source, notes = candidates[chosen]
        if path.suffix == ".py":
            shutil.copyfile(path, workdir / f"{module}.py")  # byte for byte, whatever its encoding
        else:
            (workdir / f"{module}.py").write_text(source, encoding="utf-8")
        staged.modules[module] = str(path.relative_to(base))
        staged.notes.extend(notes)
        if len(candidates) > 1:
            others = ", ".join(f"{p.relative_to(base)} ({n} of {len(functions)})"
                               for (p, _, _), n in zip(candidates, done) if p != path)
            staged.notes.append(f"{module}: graded {path.relative_to(base)}, which implements {done[chosen]} of "
                                f"{len(functions)} functions; not graded: {others}.")
            considered.update(str(p.relative_to(base)) for p, _, _ in candidates)
    # A lone .py file named after no module may still define one module's functions.
    if root.is_file() and root.suffix == ".py" and not staged.modules:
        found = set(_top_level_functions(root.read_text(encoding="utf-8", errors="replace")))
        for module, functions in modules.items():
            if found & set(functions):
                shutil.copyfile(root, workdir / f"{module}.py")
                staged.modules[module] = root.name
    unused = sorted(str(p.relative_to(base)) for p in files if p.suffix in (".py", ".pth")
                    and not p.name.startswith("test_") and str(p.relative_to(base)) not in staged.modules.values()
                    and str(p.relative_to(base)) not in considered)
    if unused and not root.is_file():
        staged.notes.append(f"Only the assignment files are graded, so these were not used: {', '.join(unused)}.")
    staged.notes = list(dict.fromkeys(staged.notes))
    return staged


@contextlib.contextmanager
def staged(submission: Submission, modules: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[Path, StagedFiles]]:
    """A temporary folder holding the submission's staged modules (see `stage`), and what
    staging found; a submission that cannot be read is staged as nothing, with the reason
    as a note. The folder is removed on exit."""
    with tempfile.TemporaryDirectory(prefix="autograder-") as tmp:
        workdir, scratch = Path(tmp) / "work", Path(tmp) / "scratch"
        workdir.mkdir()
        scratch.mkdir()
        try:
            found = stage(submission, workdir, scratch, modules)
        except SubmissionError as exc:
            found = StagedFiles(notes=[str(exc)])
        yield workdir, found
