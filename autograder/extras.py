"""What the package needs beyond its core, and the one message for a missing part.

`pip install autograder` brings what a student needs to check their work: numpy,
pytest, nbformat, rich, jinja2 (the notebook's HTML feedback) and tomli before Python
3.11; with them `autograder grade` grades numpy assignments too. Everything else is
an extra, named here as in pyproject.toml's [project.optional-dependencies]
(tests/test_install.py checks that the two agree), and imported only where it is used:

    grade     PyYAML, for Gradescope's submission_metadata.yml in a download
    keras     TensorFlow, Keras and scikit-learn: assignments in Keras
    nbgrader  nbgrader, for `grade --gradebook` and `nbgrader generate_assignment`
    otter     otter-grader, for `otter assign` and `otter run` on an export
    lms       requests and PyJWT[crypto], for `autograder publish`
    plots     matplotlib, for the figures of the feedback pages and notebook checks (without
              it a page simply has none)
    queue     Celery and redis-py, for `autograder worker` and `grade --broker` (a grading cluster)
    all       every one of them: what an instructor needs

A command that needs a missing extra stops with one line naming it (`need`), and a
course's `requires` are checked the same way before anything runs (`missing`).
"""
from __future__ import annotations

import importlib
import importlib.util
import re
from types import ModuleType
from typing import Sequence

# extra -> {module the code imports: the distribution pip installs for it}
EXTRAS: dict[str, dict[str, str]] = {
    "grade": {"yaml": "PyYAML"},
    "keras": {"tensorflow": "tensorflow", "keras": "keras", "sklearn": "scikit-learn"},
    "nbgrader": {"nbgrader": "nbgrader"},
    "otter": {"otter": "otter-grader"},
    "lms": {"requests": "requests", "jwt": "PyJWT", "cryptography": "cryptography"},
    "plots": {"matplotlib": "matplotlib"},
    "queue": {"celery": "celery", "redis": "redis"},
}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class MissingExtra(Exception):
    """A command needs a package that one of autograder's extras installs, and it is not installed."""


def install_command(extras: Sequence[str], others: Sequence[str] = ()) -> str:
    """`pip install 'autograder[a,b]' 'other'`, for these extras and other requirements."""
    parts = ([f"'autograder[{','.join(extras)}]'"] if extras else []) + [f"'{r}'" for r in others]
    return "pip install " + " ".join(parts)


def extra_of(module: str) -> str:
    return next(extra for extra, modules in EXTRAS.items() if module in modules)


def need(module: str, what: str, purpose: str = "") -> ModuleType:
    """Imports `module` for `what` ("autograder publish canvas"), or raises MissingExtra:
    "autograder publish canvas needs requests: pip install 'autograder[lms]'"."""
    extra = extra_of(module)
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        absent = isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] == module
        said = [purpose] if purpose else []
        if not absent:  # a broken install: the reason is worth a look before reinstalling
            said.append(f"it is installed, but importing it failed: {exc}")
        why = f" ({'; '.join(said)})" if said else ""
        raise MissingExtra(f"{what} needs {EXTRAS[extra][module]}{why}: {install_command([extra])}") from None


def available(module: str) -> bool:
    """Whether `module` could be imported here (found, not imported)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    """The distribution a pip requirement names: "scikit-learn>=1.3" -> "scikit-learn"."""
    match = _NAME.match(requirement.strip())
    return match.group(0) if match else requirement.strip()


def installed(requirement: str) -> bool:
    """Whether a requirement of a course ("tensorflow", "scikit-learn>=1.3") is met here: by its
    distribution, or by the module of that name (tensorflow-cpu provides `tensorflow`).
    Versions are not compared."""
    import importlib.metadata  # here: a twentieth of a second, for courses that state requirements

    name = requirement_name(requirement)
    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        pass
    except (OSError, ValueError):  # unreadable metadata: ask for the module instead
        pass
    modules = [m for provided in EXTRAS.values() for m, dist in provided.items() if _canonical(dist) == _canonical(name)]
    return any(available(m) for m in modules or [re.sub(r"[-.]", "_", name)])


def extra_for(requirement: str) -> str | None:
    """The extra of autograder that installs this requirement, if one does."""
    name = _canonical(requirement_name(requirement))
    for extra, provided in EXTRAS.items():
        if any(name in (_canonical(module), _canonical(dist)) for module, dist in provided.items()):
            return extra
    return None


def how_to_install(requirements: Sequence[str]) -> str:
    """The pip command that installs these requirements: through autograder's extras where one has them."""
    extras = list(dict.fromkeys(e for e in map(extra_for, requirements) if e))
    return install_command(extras, [r for r in requirements if extra_for(r) is None])


def missing(requirements: Sequence[str]) -> list[str]:
    """Those of these requirements that are not installed here."""
    return [r for r in requirements if not installed(r)]
