"""The Gradescope autograder: the zip an instructor uploads, and what runs inside it.

`build` writes the zip Gradescope asks for: `setup.sh` and `run_autograder` at its
root, this package's source (installed by setup.sh with pip, with the extras that bring what
the course's manifest `requires`) and the course (its
manifest, graders, reference solutions, assignments and data). On Gradescope, setup.sh runs once when the image is
built; `run_autograder` runs once per submission, as root, in `/autograder`, with the
student's files in `/autograder/submission`, and must leave
`/autograder/results/results.json`.

`run` is what `run_autograder` calls. It grades the submission with the same graders
and sandbox as `autograder grade` and renders results.json from the same result
record. Gradescope's container usually refuses new namespaces, so the sandbox falls back
to its own uid, which is why setup.sh makes the course unreadable to other users. The
root folder can be moved (`AUTOGRADER_GRADESCOPE_ROOT`), to try it all outside Gradescope.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import stat
import zipfile
from pathlib import Path

from autograder import extras
from autograder.course import CACHES, Course, CourseError
from autograder.grading.runner import GraderError, grade
from autograder.render.gradescope import results_json
from autograder.results.model import AssignmentResult, Identity, SubmissionResult
from autograder.sandbox import isolation
from autograder.submission.discover import Submission

PACKAGE = Path(__file__).resolve().parent.parent
SKIPPED = CACHES | {"bundled"}  # the package's own copy of the bundled course: the zip holds the course once

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
cd /autograder/source
apt-get update -qq && apt-get install -y -qq python3 python3-pip python3-venv util-linux >/dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet {install}
# The sandbox runs student code as another, unprivileged user: keep the graders and the
# reference solutions out of its reach.
chmod -R go-rwx /autograder/source
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in /autograder.
set -uo pipefail
ROOT="${AUTOGRADER_GRADESCOPE_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
exec "$PYTHON" -m autograder gradescope run --root "$ROOT" --course "$ROOT/source/course"
"""


def _add_tree(archive: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in SKIPPED or part.endswith(".egg-info") for part in rel.parts) or not path.is_file():
            continue
        archive.write(path, f"{prefix}/{rel.as_posix()}")


def _add_script(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    archive.writestr(info, text)


def install_arguments(course: Course) -> str:
    """What setup.sh gives pip: the package with the extras that bring what the course's manifest
    `requires` (autograder[keras] for TensorFlow), and any other requirement as it is written."""
    wanted = list(dict.fromkeys([*course.requires, *(r for a in course.assignments.values() for r in a.requires)]))
    chosen = list(dict.fromkeys(e for e in map(extras.extra_for, wanted) if e))
    package = f"./package[{','.join(chosen)}]" if chosen else "./package"
    return " ".join(shlex.quote(arg) for arg in [package, *(r for r in wanted if extras.extra_for(r) is None)])


def project_files() -> dict[str, str]:
    """What pip needs beside the package's source to install it on Gradescope: the checkout's own
    pyproject.toml, setup.py and README.md where there is one (a development install), else a
    pyproject.toml written from the installed distribution's metadata (a wheel has no project files)."""
    project = PACKAGE.parent
    names = ("pyproject.toml", "setup.py", "README.md")
    if all((project / name).is_file() for name in names) and (project / "autograder").resolve() == PACKAGE:
        return {name: (project / name).read_text(encoding="utf-8") for name in names}
    from importlib import metadata

    dist = metadata.distribution("autograder")
    core, optional = split_requirements(dist.requires or [])
    scripts = {e.name: e.value for e in dist.entry_points if e.group == "console_scripts"}
    plugins = {e.name: e.value for e in dist.entry_points if e.group == "pytest11"}

    def listed(items: list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    text = "\n".join([
        "[build-system]", 'requires = ["setuptools>=68", "wheel"]', 'build-backend = "setuptools.build_meta"', "",
        "[project]", 'name = "autograder"', f"version = {json.dumps(dist.version)}",
        f"requires-python = {json.dumps(dist.metadata.get('Requires-Python') or '>=3.10')}",
        f"dependencies = {listed(core)}", "", "[project.optional-dependencies]",
        *(f"{name} = {listed(items)}" for name, items in optional.items()), "", "[project.scripts]",
        *(f"{name} = {json.dumps(value)}" for name, value in scripts.items()), "", "[project.entry-points.pytest11]",
        *(f"{name} = {json.dumps(value)}" for name, value in plugins.items()), "",
        "[tool.setuptools.packages.find]", 'include = ["autograder*"]', "", "[tool.setuptools.package-data]",
        'autograder = ["render/templates/*", "sandbox/*.py"]', ""])
    return {"pyproject.toml": text}


def split_requirements(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """A distribution's Requires-Dist lines as pyproject's dependencies and optional-dependencies:
    in "keras>=3.0; extra == 'keras'" the extra is part of the marker, and what else the marker
    says (a platform) stays."""
    core: list[str] = []
    optional: dict[str, list[str]] = {}
    for line in lines:
        requirement, _, marker = (part.strip() for part in line.partition(";"))
        extra = re.search(r"""extra\s*==\s*["']([^"']+)["']""", marker)
        if extra is None:
            core.append(line)
            continue
        rest = re.sub(r"""\s*\band\s+extra\s*==\s*["'][^"']+["']|extra\s*==\s*["'][^"']+["']\s*(\band\b)?\s*""", "",
                      marker).strip()
        rest = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest
        optional.setdefault(extra.group(1), []).append(f"{requirement}; {rest}" if rest else requirement)
    return core, optional


def build(course: Course, out: Path) -> list[str]:
    """Writes the autograder zip; returns its entries."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add_script(archive, "setup.sh", SETUP_SH.replace("{install}", install_arguments(course)))
        _add_script(archive, "run_autograder", RUN_AUTOGRADER)
        for name, text in project_files().items():
            archive.writestr(f"package/{name}", text)
        _add_tree(archive, PACKAGE, "package/autograder")
        for relative in course.files():
            archive.write(course.root / relative, f"course/{relative.as_posix()}")
        return archive.namelist()


def _metadata(root: Path) -> dict:
    try:
        return json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run(root: Path, course_dir: str | os.PathLike | None = None) -> SubmissionResult:
    """Grades `root/submission` with the course in `course_dir` and writes `root/results/results.json`,
    which says so when the course or its graders cannot run: the student is never left without one."""
    meta = _metadata(root)
    students = [Identity(id=str(u.get("sid") or u.get("email") or u.get("id") or ""), name=str(u.get("name") or ""),
                         email=str(u.get("email") or "")) for u in meta.get("users", []) if isinstance(u, dict)]
    submission = Submission(id=students[0].id if students else "submission", path=root / "submission",
                            students=tuple(students), submitted_at=str(meta.get("created_at") or ""))
    course = None
    try:
        course = Course.locate(course_dir)
        problems = course.grading_problems()
        if problems:
            raise CourseError("; ".join(problems))
        # One submission per container, so a weaker level is accepted (said in Gradescope's stdout, for staff).
        isolation.require(True, warn=print, protect=(course.root,))
        result = grade(submission, course)
    except (GraderError, CourseError) as exc:  # the student still gets a results.json that says what happened
        result = SubmissionResult(submission=submission.id, complete=False,
                                  notes=[f"The autograder could not run: {exc}. Please tell the course staff."])
        result.assignments = {a: AssignmentResult(a, title=course[a].title) for a in course.names} if course else {}
    result.students = students
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    temporary = results / f".results.json.{os.getpid()}"
    temporary.write_text(json.dumps(results_json(result), indent=1, allow_nan=False), encoding="utf-8")
    os.replace(temporary, results / "results.json")
    return result

