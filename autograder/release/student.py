"""What students get: `autograder release COURSE OUT`.

A student release is a course folder that can check but not grade: the manifest, each
assignment's lesson, stub, public tests and notebook, and the course's probe file (the
public tests may need it, and it holds no answers). No reference solution, hidden
grader, mutant, variant or data file goes in. `autograder check` and the notebooks'
checks find the release's own course.toml above the folder they run in, so a student
who installs the package checks against this course, not the bundled one.

Before anything is written, the public tests and notebooks are scanned for lines of the
reference bodies and of the hidden graders' data (release/source.py's rule, the one
`validate` applies): a release that would leak is refused.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from autograder.course import Course, CourseError
from autograder.release.source import leaks


def build(course: Course, out: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Writes the release of these assignments (all by default) into `out`; returns its files."""
    chosen = course.select(names)
    while True:  # an assignment's module may import another's (`uses`): that one goes in too
        needed = course.select([*chosen, *(course.by_module(m).name for n in chosen for m in course[n].uses)])
        if needed == chosen:
            break
        chosen = needed
    problems = course.problems(chosen, public=True)
    if problems:
        raise CourseError("the course cannot be released as it is:\n" + "\n".join(problems))
    files = [Path("course.toml")]
    for name in chosen:
        folder = course.folder(name).relative_to(course.root)
        files += [folder / course.lesson_file(name).name, folder / course.stub_file(name).name,
                  folder / course.public_test_file(name).name]
        if course.notebook_file(name).is_file():
            files.append(folder / course.notebook_file(name).name)
    if course.probes is not None:
        files.append(course.probes.relative_to(course.root))
    _refuse_leaks(course, chosen)
    if out.exists() and any(out.iterdir()):
        raise CourseError(f"{out} is not empty: release into a new folder")
    with tempfile.TemporaryDirectory(prefix=".release-", dir=out.parent if out.parent.exists() else None) as tmp:
        staging = Path(tmp) / "release"  # written and checked here first: a failed release leaves nothing
        course.copy_files(files, staging)
        if set(chosen) != set(course.names):
            _keep_only(staging / "course.toml", course, chosen)
        Course.load(staging)
        out.mkdir(parents=True, exist_ok=True)
        for relative in files:
            (out / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staging / relative, out / relative)
    return [out / f for f in files]


def _refuse_leaks(course: Course, names: list[str]) -> None:
    found = [f"{path.relative_to(course.root)}: {line}" for name in names
             for path, line in leaks(course, name)]  # the probe file among them: it ships too
    if found:
        raise CourseError("a student file repeats reference or hidden-grader code, so nothing was released:\n"
                          + "\n".join(found[:10]))


def _keep_only(manifest: Path, course: Course, names: list[str]) -> None:
    """A release of some assignments declares only those (their tables are cut from the text,
    keeping the author's comments on the rest)."""
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = [n for n in course.names if n not in names]
    keep, skipping = [], False
    for line in lines:
        header = line.strip()
        if header.startswith("["):
            table = header.strip("[]").strip()
            skipping = any(table == f"assignments.{n}" or table.startswith(f"assignments.{n}.") for n in dropped)
        if not skipping:
            keep.append(line)
    manifest.write_text("".join(keep), encoding="utf-8")
