"""What an instructor downloads from an LMS, turned into one Submission per student.

`expand` takes each path given to `autograder grade` and recognises:
- Gradescope's "Download submissions": `submission_metadata.yml` beside one folder per
  submission (`submission_123456/`), which names the submitters and the time;
- Canvas's "Download submissions": loose files named
  `lastnamefirstname[_late]_<user id>_<submission id>_<file name>`, several per
  student; Canvas adds `-1`, `-2` to a file name a student uploaded before;
- a folder of submissions (student folders, zips, notebooks side by side);
- one submission (a folder, a zip or a notebook), as docs/contract.md describes.
Either download may also be given as its zip. Zips are unpacked with the same checks
as a submission's zip (no `..`, no links, capped sizes) into `scratch`.
"""
from __future__ import annotations

import functools
import re
import shutil
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Collection

from autograder import extras
from autograder.results.model import Identity
from autograder.submission.discover import IGNORED_DIRS, Submission, SubmissionError, extract_zip

GRADESCOPE_METADATA = "submission_metadata.yml"
CANVAS_NAME = re.compile(r"^(?P<name>[a-z0-9-]+?)(?P<late>_late)?_(?P<user>\d+)_(?P<sub>\d+)_(?P<file>.+)$",
                         re.IGNORECASE)
NEEDS_YAML = ("autograder grade", f"to read Gradescope's {GRADESCOPE_METADATA}")  # PyYAML: autograder[grade]
CANVAS_COPY = re.compile(r"^(?P<stem>.+?)-\d+$")  # layers-1.py: Canvas's name for a re-upload


@functools.cache
def _lenient_loader() -> type:
    """Gradescope writes Ruby-tagged YAML (`!ruby/object:...`): a loader that reads the tagged
    nodes as plain data. PyYAML (autograder[grade]) is imported only for such a download."""
    yaml = extras.need("yaml", *NEEDS_YAML)

    class LenientLoader(yaml.SafeLoader):
        pass

    def untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    LenientLoader.add_multi_constructor("!", untagged)
    return LenientLoader


def _children(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith(".") and p.name not in IGNORED_DIRS)


def _module_file(name: str, modules: Collection[str]) -> str | None:
    """The course's module a file name stands for (`<module>.py`, `<module>.ipynb`), if any."""
    path = Path(name)
    return path.stem if path.suffix.lower() in (".py", ".ipynb") and path.stem in modules else None


def _names_inside(path: Path) -> list[str]:
    """The file names a folder or zip holds, at any depth."""
    if path.is_dir():
        return [p.name for p in path.rglob("*") if p.is_file()]
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return [Path(n).name for n in zf.namelist()]
    return [path.name]


def _unpack(archive: Path, scratch: Path) -> tuple[Path, list[str]]:
    target = scratch / f"{archive.stem}-unpacked"
    n = 1
    while target.exists():
        n += 1
        target = scratch / f"{archive.stem}-unpacked-{n}"
    target.mkdir(parents=True)
    notes = extract_zip(archive, target)
    # A download zipped with its folder: look inside the one folder.
    inner = _children(target)
    if len(inner) == 1 and inner[0].is_dir():
        return inner[0], notes
    return target, notes


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if value else ""


def gradescope(folder: Path) -> list[Submission]:
    yaml = extras.need("yaml", *NEEDS_YAML)
    metadata = yaml.load((folder / GRADESCOPE_METADATA).read_text(encoding="utf-8"), Loader=_lenient_loader()) or {}
    submissions = []
    for key, record in metadata.items():
        path = folder / str(key)
        if not path.is_dir() or not isinstance(record, dict):
            continue
        students = tuple(
            Identity(id=str(s.get(":sid") or s.get(":email") or s.get(":name") or key), name=str(s.get(":name") or ""),
                     email=str(s.get(":email") or ""))
            for s in record.get(":submitters") or [] if isinstance(s, dict))
        submissions.append(Submission(id=students[0].id if students else str(key), path=path, students=students,
                                      submitted_at=_iso(record.get(":created_at"))))
    return submissions


def _is_canvas(names: list[str], modules: Collection[str]) -> bool:
    matching = [n for n in names if CANVAS_NAME.match(n)]
    return bool(matching) and len(matching) * 2 > len(names) and not any(_module_file(n, modules) for n in names)


def canvas(folder: Path, scratch: Path, modules: Collection[str]) -> list[Submission]:
    """One folder per Canvas user, holding that user's files under their own names."""
    groups: dict[tuple[str, str], list[tuple[Path, str]]] = defaultdict(list)
    late: set[tuple[str, str]] = set()
    for path in _children(folder):
        match = CANVAS_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        key = (match["name"].lower(), match["user"])
        groups[key].append((path, match["file"]))
        if match["late"]:
            late.add(key)
    submissions = []
    for (name, user), files in sorted(groups.items()):
        target = scratch / "canvas" / f"{name}_{user}"
        target.mkdir(parents=True, exist_ok=True)
        for path, original in files:
            stem, suffix = Path(original).stem, Path(original).suffix
            copy = CANVAS_COPY.match(stem)
            if copy and copy["stem"] in modules:
                stem = copy["stem"]
            if suffix.lower() == ".zip":
                extract_zip(path, target / stem)
            else:
                shutil.copyfile(path, target / f"{stem}{suffix}")
        submissions.append(Submission(id=name, path=target, students=(Identity(id=user, canvas_id=user),),
                                      flagged_late=(name, user) in late))
    return submissions


def _is_folder_of_submissions(folder: Path, modules: Collection[str]) -> bool:
    """No assignment file of its own, and at least two entries that each look like a whole submission."""
    children = _children(folder)
    if any(c.is_file() and _module_file(c.name, modules) for c in children):
        return False
    held = [{m for n in _names_inside(c) if (m := _module_file(n, modules))} for c in children
            if c.is_dir() or c.suffix.lower() in (".zip", ".ipynb")]
    notebooks = [c for c in children if c.suffix.lower() == ".ipynb"]
    found = [m for m in held if m] + [{"notebook"} for _ in notebooks]
    if len(found) < 2:
        return False
    seen: set[str] = set()
    for mods in found:  # two entries with the same module are two students, not one
        if mods & seen:
            return True
        seen |= mods
    return False


def expand(path: str | Path, scratch: Path, modules: Collection[str]) -> tuple[list[Submission], list[str]]:
    """The submissions a path holds, and notes about what was skipped while unpacking;
    `modules` are the course's module names, by which a student's files are recognised."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"{path} does not exist")
    notes: list[str] = []
    folder = path
    if path.is_file() and path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        names = _names_inside(path)
        if GRADESCOPE_METADATA in names or _is_canvas(names, modules):
            folder, notes = _unpack(path, scratch)
        else:
            return [Submission.from_path(path)], notes
    if folder.is_dir():
        if (folder / GRADESCOPE_METADATA).is_file():
            return gradescope(folder), notes
        if _is_canvas([c.name for c in _children(folder) if c.is_file()], modules):
            return canvas(folder, scratch, modules), notes
        if _is_folder_of_submissions(folder, modules):
            return [Submission.from_path(c) for c in _children(folder)
                    if c.is_dir() or c.suffix.lower() in (".zip", ".ipynb")], notes
    return [Submission.from_path(folder)], notes
