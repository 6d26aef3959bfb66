"""The light student install: `pip install autograder` checks numpy assignments without any
extra, what needs an extra imports it only where it is used, and a command that needs a
missing one stops with one line naming it. Without the network: a missing package is
simulated in a subprocess (None in sys.modules, or a broken package first on PYTHONPATH)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import extras, scaffold
from autograder.course import Course
from autograder.export import gradescope
from autograder.results.log import ResultLog
from autograder.results import model
from conftest import ROOT, SOLUTIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
EXTRA_MODULES = sorted({m for modules in extras.EXTRAS.values() for m in modules})
POSIX_ONLY = ["fcntl", "pwd", "resource"]

# Runs autograder's command line in a fresh interpreter with some modules made unimportable
# (argv[1], comma-separated), then prints which of the extras' modules got imported.
RUNNER = """
import json, sys
blocked = [m for m in sys.argv[1].split(",") if m]
for name in blocked:
    sys.modules[name] = None
from autograder.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
extra = {extra}
loaded = sorted({{m.split(".")[0] for m, v in sys.modules.items() if v is not None}} & set(extra))
print("IMPORTED " + json.dumps(loaded), file=sys.stderr)
sys.exit(code)
""".format(extra=EXTRA_MODULES)


def autograder(*args: str, blocked=(), cwd: Path | None = None, env: dict | None = None):
    proc = subprocess.run([sys.executable, "-c", RUNNER, ",".join(blocked), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env={**os.environ, **(env or {})})
    imported = json.loads(re.search(r"IMPORTED (.*)", proc.stderr).group(1))
    return proc.returncode, proc.stdout, proc.stderr.split("IMPORTED")[0], imported


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", extras.requirement_name(requirement)).lower()


# --- the dependency layout ---------------------------------------------------------------

def test_pyproject_extras_are_those_the_code_names():
    optional = PYPROJECT["project"]["optional-dependencies"]
    for extra, provided in extras.EXTRAS.items():
        listed = {_name(r).removesuffix("-cpu") for r in optional[extra]}  # tensorflow-cpu on Linux x86_64
        named = {_name(d) for d in provided.values()} - {"cryptography"}  # which PyJWT[crypto] brings
        assert listed == named, extra
    assert "crypto" in next(r for r in optional["lms"] if _name(r) == "pyjwt")
    assert optional["all"] == [f"autograder[{','.join(extras.EXTRAS)}]"]
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert core == {"numpy", "tomli", "pytest", "rich", "jinja2", "nbformat"}
    assert not core & {_name(d) for provided in extras.EXTRAS.values() for d in provided.values()}


def test_the_development_set_up_installs_every_extra():
    assert '".[all,dev]"' in (ROOT / "dev.py").read_text()


def test_requirements_map_to_the_extras_that_install_them():
    assert extras.extra_for("tensorflow") == extras.extra_for("scikit-learn>=1.3") == "keras"
    assert extras.extra_for("PyYAML") == "grade" and extras.extra_for("otter-grader") == "otter"
    assert extras.extra_for("scipy") is None
    assert extras.how_to_install(["tensorflow", "keras", "scipy>=1"]) == "pip install 'autograder[keras]' 'scipy>=1'"
    assert extras.installed("numpy>=1") and extras.installed("tensorflow")  # tensorflow-cpu's module counts
    assert not extras.installed("surely-not-a-package-here")


def new_course(folder: Path, requires: str = "") -> Course:
    """The scaffold's one-assignment course, its assignment requiring `requires` (a TOML list's inside)."""
    scaffold.new_course(folder)
    course = Course.load(folder)
    if requires:
        manifest = folder / "course.toml"
        header = f"[assignments.{course.names[0]}]\n"
        manifest.write_text(manifest.read_text().replace(header, f"{header}requires = [{requires}]\n", 1))
    return Course.load(folder)


def test_gradescope_setup_installs_the_extras_the_course_requires(tmp_path):
    assert gradescope.install_arguments(Course.load(ROOT)) == "'./package[keras]'"  # keras_model requires tensorflow
    assert gradescope.install_arguments(new_course(tmp_path / "plain")) == "./package"
    course = new_course(tmp_path / "more", '"scikit-learn", "scipy>=1.10"')
    assert gradescope.install_arguments(course) == "'./package[keras]' 'scipy>=1.10'"


# --- what a student's install imports ------------------------------------------------------

def test_check_and_the_notebook_checker_import_no_extra(tmp_path):
    (tmp_path / "activations.py").write_text((SOLUTIONS / "activations.py").read_text())
    code, out, err, imported = autograder("check", str(tmp_path))
    assert code == 0, out + err
    assert re.search(r"(\d+) of \1 public tests passed", out)
    assert imported == []
    code, out, _, imported = autograder("check", "--help")
    assert code == 0 and "usage: autograder check" in out and imported == []
    probe = ("import sys; from autograder.jupyter import Checker; Checker('activations'); import autograder.cli; "
             f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({EXTRA_MODULES})))")
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                          check=True).stdout.strip() == "[]"


def test_check_runs_with_every_extra_missing(tmp_path):
    (tmp_path / "activations.py").write_text((SOLUTIONS / "activations.py").read_text())
    code, out, err, _ = autograder("check", str(tmp_path), blocked=EXTRA_MODULES)
    assert code == 0, out + err


def test_importing_the_package_needs_no_posix_only_module(tmp_path):
    """Windows has no fcntl, pwd or resource: the package imports and `check --help` runs."""
    code, out, err, _ = autograder("check", "--help", blocked=POSIX_ONLY)
    assert code == 0 and "usage: autograder check" in out, err
    modules = ["autograder.cli", "autograder.jupyter", "autograder.results.log", "autograder.sandbox.isolation",
               "autograder.sandbox.worker", "autograder.sandbox.winjob", "autograder.sandbox.launcher", "autograder.grading.batch"]
    probe = (f"import sys; sys.modules.update(dict.fromkeys({POSIX_ONLY})); "
             + "; ".join(f"import {m}" for m in modules))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# --- a missing extra: one line that names it ----------------------------------------------

def test_an_assignment_whose_requirement_is_missing_is_named_before_anything_runs(tmp_path):
    for module in ("activations", "keras_model"):
        (tmp_path / f"{module}.py").write_text((SOLUTIONS / f"{module}.py").read_text())
    code, out, err, imported = autograder("check", str(tmp_path), blocked=["tensorflow"])
    assert code == 1, out + err  # not every check could run
    first = out.splitlines()[0]
    assert first.startswith("Not checked: keras_model") and "needs tensorflow" in first
    assert first.endswith("pip install 'autograder[keras]'")
    assert re.search(r"(\d+) of \1 public tests passed", out)  # the other assignment is checked all the same
    assert "keras" not in imported
    code, _, err, _ = autograder("grade", str(tmp_path), "--out", str(tmp_path / "out"), "--allow-weak-sandbox",
                                 blocked=["tensorflow"])
    assert code == 3 and "keras_model (An image classifier in Keras) needs tensorflow" in err
    assert not (tmp_path / "out" / "results.jsonl").exists()


def test_a_course_requirement_not_installed(tmp_path):
    course = new_course(tmp_path / "c", '"numpy", "surely-not-a-package-here>=2"')
    unmet = course.unmet_requirements()
    assert list(unmet) == course.names
    assert unmet[course.names[0]].endswith("needs surely-not-a-package-here>=2, which is not installed here: "
                                           "pip install 'surely-not-a-package-here>=2'")
    assert new_course(tmp_path / "d", '"numpy>=1"').unmet_requirements() == {}


@pytest.fixture
def results(tmp_path) -> Path:
    """A results folder as `grade` writes it, for the commands that read one."""
    test = model.TestResult(name="t", score=1.0, max_score=1.0, status="passed")
    result = model.SubmissionResult(submission="ann", students=[model.Identity(id="S-1", lti_user_id="lti-ann")],
                                    assignments={"activations": model.AssignmentResult("activations", [test])})
    (tmp_path / "grades").mkdir()
    ResultLog(tmp_path / "grades" / "results.jsonl").rewrite([result])
    return tmp_path / "grades"


@pytest.mark.parametrize("blocked, args, message", [
    ("requests", ["publish", "canvas", "--assignment-id", "1", "--url", "https://canvas.example.edu",
                  "--course-id", "7"], "autograder publish canvas needs requests: pip install 'autograder[lms]'"),
    ("jwt", ["publish", "lti", "--lineitem", "https://lms.example.edu/li/1", "--token-url",
             "https://lms.example.edu/token", "--client-id", "c"],
     "autograder publish lti needs PyJWT: pip install 'autograder[lms]'"),
    ("nbgrader", ["grade", "SUBMISSION", "--gradebook", "sqlite:///gradebook.db"],
     "autograder grade --gradebook needs nbgrader: pip install 'autograder[nbgrader]'"),
])
def test_a_command_that_needs_a_missing_extra_names_it(results, blocked, args, message):
    args = [a.replace("SUBMISSION", str(SOLUTIONS)) for a in args]
    if args[0] == "publish":
        args += ["--results", str(results)]
    code, out, err, _ = autograder(*args, blocked=[blocked], cwd=results.parent,
                                   env={"CANVAS_TOKEN": "t", "LTI_PRIVATE_KEY": "k"})
    assert code == 2, out + err
    assert err.strip() == message
    assert not (results.parent / "gradebook.db").exists()


def test_a_dry_run_needs_no_extra(results):
    code, out, err, imported = autograder("publish", "canvas", "--results", str(results), "--assignment-id", "1",
                                          "--dry-run", blocked=["requests"])
    assert code == 0 and "would be posted" in out, err
    assert imported == []


def test_a_broken_install_of_an_extra_is_told_apart_from_a_missing_one(tmp_path):
    """A package first on PYTHONPATH whose import fails: the same line, with why it failed."""
    (tmp_path / "shadow" / "yaml").mkdir(parents=True)
    (tmp_path / "shadow" / "yaml" / "__init__.py").write_text("raise ImportError('a broken PyYAML')\n")
    download = tmp_path / "download"
    (download / "submission_1").mkdir(parents=True)
    (download / "submission_1" / "activations.py").write_text((SOLUTIONS / "activations.py").read_text())
    (download / "submission_metadata.yml").write_text("submission_1:\n  :submitters:\n  - :name: Ann\n")
    code, out, err, _ = autograder("grade", str(download), "--out", str(tmp_path / "out"), "--allow-weak-sandbox",
                                   env={"PYTHONPATH": str(tmp_path / "shadow")})
    assert code == 2, out + err
    assert err.strip().splitlines()[-1] == (
        "autograder grade needs PyYAML (to read Gradescope's submission_metadata.yml; it is installed, but "
        "importing it failed: a broken PyYAML): pip install 'autograder[grade]'")


def test_an_export_says_when_its_tool_is_missing(tmp_path):
    """Writing an export needs only nbformat; the tool's own next step needs its extra."""
    code, out, err, imported = autograder("export", "otter", str(tmp_path / "otter"), blocked=["otter"])
    assert code == 0, err
    assert "Note: that next step needs otter-grader, which is not installed here: pip install 'autograder[otter]'" \
        in out
    assert (tmp_path / "otter").is_dir() and imported == []
