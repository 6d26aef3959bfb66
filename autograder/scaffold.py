"""Course scaffolding: `autograder new course` and `autograder new assignment`.

A course is a handful of files that must agree with each other (the manifest, the
lesson's directives, the stub, the reference, the public tests and the hidden grader),
and a wrong first guess at that layout costs an author an afternoon. So the scaffold
writes files that already grade: a new course gets one small, complete example
assignment (with its known mistakes and correct variants, the inputs of `autograder
validate`), and a new assignment gets a skeleton whose reference, tests and grader
agree (each function is the identity until the author replaces it), so that every step
of editing starts from something that works. Everything written is checked by loading
it back the way `grade` does; when that fails, what was written is removed again.
"""
from __future__ import annotations

import json
import keyword
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from autograder.course import (IDENTIFIER, MANIFEST, Course, CourseError, CourseNotFound, bundled_course,
                               nearest_course, taken_module)

# Module names a student's module must not take: it would shadow what the graders and the
# sandbox import, or an attribute of the `student` fixture (`student.probe` is a method).
COURSE_FOLDERS = ("assignments", "solutions", "graders")


class ScaffoldRefused(CourseError, ValueError):
    """A scaffolding command that would overwrite or break something: nothing was written.
    A CourseError that is also a usage error (ValueError), so that the command exits 2."""


@dataclass
class Scaffolded:
    """What a scaffolding command made: the course as loaded back, and what to tell its author."""

    course: Course
    written: list[Path]
    summary: str
    notes: list[str] = field(default_factory=list)


# -- the example assignment of a new course ------------------------------------------
EXAMPLE = "rescaling"  # its name and module; nothing of the engine depends on it

EXAMPLE_LESSON = r'''# Rescaling arrays

Many methods work best when all their inputs are on the same scale. In this assignment you
write two small numpy functions that rescale an array.

**How to work:** write each function in the code cell under its description, then run the
check cell after it: it runs that function's public tests on what you wrote and says what is
wrong. (You may write the functions in `rescaling.py` instead: `autograder check` and the
grader read whichever of the two implements more of them.)

```python
import numpy as np
```

## 1. Multiplying by a factor

`scale(x, factor)` returns a new array of the same shape as `x`, holding every entry of `x`
multiplied by `factor`. It leaves `x` itself unchanged: no `x *= factor` on the argument.

<!-- implement: scale -->

```python
print(scale(np.array([1.0, 2.0, 3.0]), 2.0))   # expect [2. 4. 6.]
```

## 2. Standardizing

`normalize(x)` shifts and rescales `x` to mean 0 and standard deviation 1 over all of its
entries:

$$\hat x = \frac{x - \mu}{\sigma}, \qquad \mu = \operatorname{mean}(x), \qquad
\sigma = \sqrt{\operatorname{mean}\big((x - \mu)^2\big)}.$$

$\sigma$ is the population standard deviation (`x.std()`, which divides by $n$). A constant
array has $\sigma = 0$: return an array of zeros of the same shape then, rather than divide
by zero.

<!-- implement: normalize -->

```python
z = normalize(np.array([1.0, 2.0, 3.0, 4.0]))
print(z, z.mean(), z.std())                 # mean 0, standard deviation 1
print(normalize(np.array([5.0, 5.0])))      # expect [0. 0.]
```

## 3. Check your work

The public tests are a first check; the hidden tests try more shapes, integer, empty and
constant arrays, and make sure your functions do not modify their arguments.

<!-- check: all -->
'''

EXAMPLE_STUB = '''"""Rescaling arrays.

Implement each function below, then run `autograder check` in this folder.
Functions must return new arrays and leave their arguments unchanged.
"""
import numpy as np


def scale(x, factor):
    """Every entry of x multiplied by factor: a new array of x's shape (x itself is left unchanged)."""
    raise NotImplementedError("scale")


def normalize(x):
    """x shifted and rescaled to mean 0 and standard deviation 1 over all of its entries.

    The standard deviation is the population one (x.std(), which divides by n). A constant
    x (standard deviation 0) gives an array of zeros of x's shape.
    """
    raise NotImplementedError("normalize")
'''

EXAMPLE_PUBLIC_TESTS = '''"""Public tests for rescaling: run them with `autograder check` in this folder.

Students see these tests and their expected values: keep them few and simple. The hidden
grader (graders/test_rescaling.py) checks more inputs and edge cases.
"""
import numpy as np

from autograder.checks import expect_array


def test_scale(student):
    """scale multiplies every entry by the factor"""
    expect_array(student.rescaling.scale(np.array([1.0, -2.0, 3.0]), 2.0), np.array([2.0, -4.0, 6.0]),
                 name="scale([1, -2, 3], 2)")


def test_normalize(student):
    """normalize gives mean 0 and standard deviation 1"""
    x = np.array([1.0, 2.0, 3.0, 4.0])
    expect_array(student.rescaling.normalize(x), (x - 2.5) / np.sqrt(1.25), name="normalize([1, 2, 3, 4])")


def test_normalize_of_a_constant(student):
    """normalize of a constant array is all zeros"""
    expect_array(student.rescaling.normalize(np.array([5.0, 5.0])), np.zeros(2), name="normalize([5, 5])")
'''

EXAMPLE_REFERENCE = '''"""Reference solution: rescaling arrays (never shown to students)."""
import numpy as np


def scale(x, factor):
    """A product builds a new array, so the caller's x stays as it was (x *= factor would not)."""
    return x * factor


def normalize(x):
    """Standardize over all entries; a constant x has no spread to divide by, so it maps to zeros."""
    std = x.std()
    if std == 0:
        return np.zeros(x.shape)
    return (x - x.mean()) / std
'''

EXAMPLE_GRADER = '''"""Hidden grader: rescaling (10 points).

`check_function` calls the student's function (in the sandbox) and the reference
(`reference` is solutions/rescaling.py) on every case, and checks the result's exact
type, shape and dtype, its values within a tolerance measured from the reference on that
input, that the arguments were left unchanged and that numpy did not warn of an overflow.
`make_rng(k)` gives the k-th input set under the run's grading seed, so a seed always
gives the same inputs. `hints` map a known mistake to the value it would return, so that
the feedback names the likely cause without showing the expected values of a hidden test.

graders/mutants/rescaling.toml lists known mistakes and graders/variants/rescaling/ correct
solutions in other styles; `autograder validate` checks that every mistake loses points
and every variant gets full marks.
"""
import numpy as np
import pytest

from autograder.checks import Case, CheckFailure, check_function, random_cases

SHAPES = [(6,), (3, 4), (2, 3, 5), (1, 1)]


def scale_hints(x, factor):
    return {"the factor was added to each entry; scale multiplies each entry by it.": x + factor,
            "the factor was applied twice (x * factor ** 2).": x * factor ** 2}


def normalize_hints(x):
    x = x.astype(float)
    centered = x - x.mean()
    hints = {"x was not centered: subtract the mean before dividing by the standard deviation.": x / x.std(),
             "x was centered but not divided by its standard deviation.": centered,
             "this divides by the variance; divide by the standard deviation, its square root.": centered / x.var()}
    if x.size > 1:
        hints["this divides by the sample standard deviation (ddof=1); use the population one, x.std(), "
              "which divides by n."] = centered / x.std(ddof=1)
    return hints


@pytest.mark.points(3, visibility="visible")
def test_scale_matches_the_reference(student, reference, make_rng):
    """scale multiplies every entry by the factor, for arrays of several shapes"""
    cases = random_cases(make_rng(1), SHAPES, lambda rng, shape: (rng.normal(size=shape), float(rng.uniform(-3, 3))))
    check_function(student.rescaling.scale, reference.scale, cases, hints=scale_hints)


@pytest.mark.points(1, visibility="hidden")
def test_scale_edge_cases(student, reference):
    """scale handles factors 0, 1 and -1, an integer array and an empty array"""
    cases = [Case(np.array([1.5, -2.0, 4.0]), 0.0), Case(np.array([1.5, -2.0, 4.0]), 1.0),
             Case(np.array([2.0, -3.0]), -1.0), Case(np.array([[1, 2], [3, 4]]), 3), Case(np.zeros((0, 3)), 3.0)]
    check_function(student.rescaling.scale, reference.scale, cases, hints=scale_hints)


@pytest.mark.points(4, visibility="hidden")
def test_normalize_matches_the_reference(student, reference, make_rng):
    """normalize gives mean 0 and standard deviation 1 over all entries, for arrays of several shapes"""
    cases = random_cases(make_rng(2), [(6,), (3, 4), (2, 3, 5), (2, 1)],  # a mean well away from 0
                         lambda rng, shape: rng.uniform(2.0, 5.0) + rng.uniform(0.5, 2.0) * rng.normal(size=shape))
    check_function(student.rescaling.normalize, reference.normalize, [*cases, Case(np.array([[1, 2], [3, 6]]))],
                   hints=normalize_hints)


@pytest.mark.points(2, visibility="hidden")
def test_normalize_of_constant_arrays(student, reference):
    """normalize returns zeros for a constant array (standard deviation 0)"""
    cases = [Case(np.full(4, 2.5)), Case(np.full((2, 3), -4.0)), Case(np.array([7.0]))]  # exact sums: exact means
    try:
        check_function(student.rescaling.normalize, reference.normalize, cases)
    except CheckFailure as failure:
        failure.diagnosis = "a constant x has standard deviation 0: return zeros of x's shape instead of dividing by it."
        raise
'''

EXAMPLE_MUTANTS = r'''# Known student mistakes in rescaling, each a small patch of solutions/rescaling.py.
# `autograder validate` applies each one to a copy of the reference and grades it: it must
# lose points, exactly the tests in `fails` must fail, and the first failure's feedback must
# contain `message`. Add the mistakes you meet in students' work: each keeps the grader honest.

[[mutants]]
id = "scale-adds"
description = "adds the factor instead of multiplying by it"
replace = [["x * factor", "x + factor"]]   # (old, new) pairs; each old text must occur in the reference
fails = ["test_scale_matches_the_reference", "test_scale_edge_cases"]   # optional: exactly the tests that fail
message = "the factor was added"   # optional: text the first failing test's feedback holds
causes = ["the factor was added"]   # optional: every cause any test states holds one of these ([]: none may)

[[mutants]]
id = "scale-in-place"
description = "multiplies the argument in place (x *= factor), changing the caller's array"
replace = [["return x * factor", "x *= factor\n    return x"]]
fails = ["test_scale_matches_the_reference", "test_scale_edge_cases"]
message = "modified its argument `x` in place"

[[mutants]]
id = "normalize-not-centered"
description = "divides by the standard deviation without subtracting the mean"
replace = [["(x - x.mean()) / std", "x / std"]]
fails = ["test_normalize_matches_the_reference"]
message = "not centered"

[[mutants]]
id = "normalize-sample-std"
description = "uses the sample standard deviation (ddof=1) instead of the population one"
replace = [["std = x.std()", "std = x.std(ddof=1)"]]
fails = ["test_normalize_matches_the_reference", "test_normalize_of_constant_arrays"]   # [7.0] has no sample std
message = "ddof=1"

[[mutants]]
id = "normalize-variance"
description = "divides by the variance instead of the standard deviation"
replace = [["std = x.std()", "std = x.var()"]]
fails = ["test_normalize_matches_the_reference"]
message = "divides by the variance"

[[mutants]]
id = "normalize-divides-by-zero"
description = "forgets constant arrays, dividing by a standard deviation of 0"
replace = [["    if std == 0:\n        return np.zeros(x.shape)\n", ""]]
fails = ["test_normalize_of_constant_arrays"]
message = "standard deviation 0"
'''

EXAMPLE_VARIANTS = {
    "loops": '''"""A correct rescaling written with Python loops over the entries: it must get full marks."""
import numpy as np


def scale(x, factor):
    out = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        out[index] = x[index] * factor
    return out


def normalize(x):
    values = [float(v) for v in x.flat]
    mean = sum(values) / len(values)
    variance = sum((v - mean) ** 2 for v in values) / len(values)
    out = np.zeros(x.shape)
    if variance == 0:
        return out
    std = variance ** 0.5
    for index in np.ndindex(x.shape):
        out[index] = (x[index] - mean) / std
    return out
''',
    "float32": '''"""A correct rescaling computed in float32 throughout: it must get full marks (float32
results are compared at float32's precision)."""
import numpy as np


def scale(x, factor):
    return np.asarray(x, dtype=np.float32) * np.float32(factor)


def normalize(x):
    x = np.asarray(x, dtype=np.float32)
    std = x.std()
    if std == 0:
        return np.zeros(x.shape, dtype=np.float32)
    return (x - x.mean()) / std
''',
}


def _toml_string(text: str) -> str:
    """A TOML basic string: JSON's escapes are all valid TOML ones."""
    return json.dumps(text, ensure_ascii=False)


def _one_line(text: str, what: str) -> str:
    text = text.strip()
    if not text or "\n" in text or "\r" in text:
        raise ScaffoldRefused(f"{what} must be one non-empty line, got {text!r}")
    return text


def _docstring_text(text: str) -> str:
    """Text safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def example_manifest(name: str, title: str) -> str:
    return f"""# The course manifest: its assignments, in the order students meet them.
# Add one with `autograder new assignment NAME --functions f,g` run inside this folder;
# `autograder grade solutions --course .` should then give full marks.

[course]
name = {_toml_string(name)}
title = {_toml_string(title)}

[assignments.{EXAMPLE}]
title = "Rescaling arrays"
functions = ["scale", "normalize"]
points = 10   # what the hidden grader's tests add up to
"""


def example_files() -> dict[str, str]:
    """The example assignment's files, by path relative to the course folder."""
    files = {
        f"assignments/{EXAMPLE}/lesson.md": EXAMPLE_LESSON,
        f"assignments/{EXAMPLE}/{EXAMPLE}.py": EXAMPLE_STUB,
        f"assignments/{EXAMPLE}/test_{EXAMPLE}.py": EXAMPLE_PUBLIC_TESTS,
        f"solutions/{EXAMPLE}.py": EXAMPLE_REFERENCE,
        f"graders/test_{EXAMPLE}.py": EXAMPLE_GRADER,
        f"graders/mutants/{EXAMPLE}.toml": EXAMPLE_MUTANTS,
    }
    files.update({f"graders/variants/{EXAMPLE}/{variant}.py": text for variant, text in EXAMPLE_VARIANTS.items()})
    return files


# -- the skeleton of a new assignment -------------------------------------------------
def skeleton_files(name: str, module: str, title: str, functions: tuple[str, ...]) -> dict[str, str]:
    """A new assignment's files. Every function is the identity in the reference and the tests
    check exactly that, so the assignment grades (full marks for the reference) before its
    author has changed anything; each placeholder says what to replace."""
    doc_title = _docstring_text(title)
    sections = "\n".join(f"""## {number}. `{function}`

TODO: explain what `{function}` computes, with a small example cell after the directive.

<!-- implement: {function} -->
""" for number, function in enumerate(functions, start=1))
    lesson = f"""# {title}

TODO: say what this assignment teaches. Each `implement` line below becomes a code cell holding
the stub of its functions, followed by a check cell that runs their public tests. The first
python cell must import what the stub imports.

**How to work:** write each function in the code cell under its description, then run the
check cell after it. (You may write the functions in `{module}.py` instead and run
`autograder check` in this folder.)

```python
import numpy as np
```

{sections}
## {len(functions) + 1}. Check your work

<!-- check: all -->
"""
    stub = f'''"""{doc_title}.

Implement each function below, then run `autograder check` in this folder.
"""
import numpy as np
''' + "".join(f'''

def {function}(x):
    """TODO: what {function} computes (for now: x, unchanged)."""
    raise NotImplementedError("{function}")
''' for function in functions)
    reference = f'''"""Reference solution: {doc_title} (never shown to students).

TODO: replace each placeholder body (it returns x unchanged) with the real computation. The
stub's signatures must match these, and a reference may import only what the stub imports.
"""
import numpy as np
''' + "".join(f'''

def {function}(x):
    """TODO: the real {function}; this placeholder returns x unchanged."""
    return x  # TODO: replace
''' for function in functions)
    public = f'''"""Public tests for {name}: run them with `autograder check` in this folder.

TODO: replace each placeholder check (the function returns x unchanged) with a small example
of what the function really computes. Students see these tests and their expected values.
"""
import numpy as np

from autograder.checks import expect_array

X = np.array([1.0, -2.0, 3.0])
''' + "".join(f'''

def test_{function}(student):
    """{function} on a small example"""
    expect_array(student.{module}.{function}(X.copy()), X, name="{function}(x)")  # TODO: the real expected value
''' for function in functions)
    points = len(functions)
    grader = f'''"""Hidden grader: {doc_title} ({points} points), a skeleton to complete.

Each test checks one function against the reference (`reference` is solutions/{module}.py)
with `check_function`: on every case the result's type, shape and dtype, its values within
a tolerance measured from the reference, that the arguments are left unchanged and that numpy
did not warn of an overflow. `make_rng(k)` gives the k-th input set under the run's grading
seed. TODO: draw the arguments the real function takes, add edge cases (`Case(...)`), and pass
`hints` (a known mistake -> the value it would return) so that the feedback can name the
likely cause. Keep the points in step with `points` in course.toml.

Known mistakes go in graders/mutants/{name}.toml and correct solutions in other styles in
graders/variants/{name}/<variant>.py: `autograder validate` grades them.
"""
import pytest

from autograder.checks import check_function, random_cases

SHAPES = [(5,), (3, 4), (2, 3, 2)]
''' + "".join(f'''

@pytest.mark.points(1, visibility="{"visible" if number == 1 else "hidden"}")
def test_{function}_matches_the_reference(student, reference, make_rng):
    """{function} matches the reference on arrays of several shapes"""
    cases = random_cases(make_rng({number}), SHAPES)  # TODO: the arguments {function} takes
    check_function(student.{module}.{function}, reference.{function}, cases)
''' for number, function in enumerate(functions, start=1))
    mutants = f'''# Known student mistakes in {name}, each a small patch of solutions/{module}.py.
# `autograder validate` applies each one to a copy of the reference and grades it: it must
# lose points, exactly the tests in `fails` must fail, and the first failure's feedback must
# contain `message`. Correct solutions in other styles go in graders/variants/{name}/<variant>.py: each must
# get full marks. Uncomment and adapt, once the reference does the real work:
#
# [[mutants]]
# id = "{functions[0]}-sign"
# description = "returns -x instead of x"
# replace = [["return x", "return -x"]]   # (old, new) pairs; each old text must occur in the reference
# fails = ["test_{functions[0]}_matches_the_reference"]   # optional: exactly the grader tests that fail
# message = "sign"   # optional: text the first failing test's feedback holds
'''
    return {
        f"assignments/{name}/lesson.md": lesson,
        f"assignments/{name}/{module}.py": stub,
        f"assignments/{name}/test_{name}.py": public,
        f"solutions/{module}.py": reference,
        f"graders/test_{name}.py": grader,
        f"graders/mutants/{name}.toml": mutants,
    }


def _listing(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def manifest_entry(name: str, title: str, functions: tuple[str, ...], points: float) -> str:
    listed = ", ".join(_toml_string(f) for f in functions)
    return f"""[assignments.{name}]
title = {_toml_string(title)}
functions = [{listed}]
points = {points:g}   # what the hidden grader's tests add up to
"""


# -- writing, and undoing what was written --------------------------------------------
class _Writes:
    """The files a command writes, so that a failure leaves the course as it found it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.created: list[Path] = []
        self.folders: list[Path] = []
        self.restore: dict[Path, bytes] = {}

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        if path.exists():
            raise ScaffoldRefused(f"{path} already exists: nothing was written")
        missing = [p for p in [path.parent, *path.parent.parents] if not p.exists()]
        path.parent.mkdir(parents=True, exist_ok=True)
        self.folders += reversed(missing)
        path.write_text(text, encoding="utf-8")
        self.created.append(path)
        return path

    def append(self, path: Path, text: str) -> None:
        """Appends text to a file byte for byte: its comments, layout and line endings stay."""
        original = path.read_bytes()
        self.restore[path] = original
        newline = b"\r\n" if b"\r\n" in original else b"\n"
        body = text.encode("utf-8").replace(b"\n", newline)
        if original and not original.endswith(b"\n"):
            original += newline
        gap = b"" if not original or original.endswith(newline * 2) else newline
        path.write_bytes(original + gap + body)

    def undo(self) -> None:
        for path, original in self.restore.items():
            path.write_bytes(original)
        for path in reversed(self.created):
            path.unlink(missing_ok=True)
        for folder in reversed(self.folders):
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)


def _notebooks(course: Course, first: Iterable[str] = ()) -> tuple[list[Path], list[str]]:
    """Regenerates the course's notebooks. Those of `first` must succeed (a failure is an
    error); another assignment's failure is only reported, since its files are the author's."""
    from autograder.release import notebooks  # nbformat: a second to import, needed only here

    first = list(first)
    written, notes = [], []
    for name in [*first, *(n for n in course.names if n not in first)]:
        try:
            text = notebooks.render(course, name)
        except Exception as exc:  # whatever broke: reported, or re-raised for the new files
            if name in first:
                raise
            notes.append(f"the notebook of {name} was not regenerated: {exc}")
            continue
        path = course.notebook_file(name)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written, notes


# -- new course -----------------------------------------------------------------------
def _require_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ScaffoldRefused(f"{target} exists and is not a folder: choose a new folder for the course")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldRefused(f"{target} exists and is not empty: choose a new or empty folder (nothing was written)")


def source_course(source: str) -> Course:
    """The course `--from` names: a course folder, or the name of the course bundled with the package."""
    path = Path(source)
    if (path / MANIFEST).is_file():
        return Course.load(path)
    bundled = bundled_course()
    if bundled is not None:
        course = Course.load(bundled)
        if source == course.name:
            return course
    known = f" or the bundled course's name ({Course.load(bundled).name})" if bundled is not None else ""
    raise CourseNotFound(f"--from {source}: no such course; give a course folder (one holding {MANIFEST}){known}")


def new_course(target: str | os.PathLike, name: str | None = None, title: str | None = None,
               source: str | None = None) -> Scaffolded:
    """Writes a course in `target` (a new or empty folder): one example assignment that grades,
    or, with `source`, a copy of that course, file for file."""
    target = Path(target)
    _require_empty(target)
    if source is not None:
        if name is not None or title is not None:
            raise ScaffoldRefused("--name and --title apply to a new course; a copy keeps its manifest (edit its "
                                  "course.toml to rename it)")
        return _copy_course(source_course(source), target)
    name = _one_line(name if name is not None else target.resolve().name, "the course name")
    title = _one_line(title if title is not None else name, "the course title")
    existed = target.exists()
    writes = _Writes(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        writes.write(MANIFEST, example_manifest(name, title))
        for relative, text in example_files().items():
            writes.write(relative, text)
        course = Course.load(target)
        from autograder.release.notebooks import write_all  # nbformat: a second to import, needed only here

        notebooks = write_all(course)
    except BaseException:
        _clear(target, existed)
        raise
    relative = os.path.relpath(target)
    summary = (f"Wrote the course {name!r} in {target} with the example assignment {EXAMPLE!r} "
               f"({len(writes.created) + len(notebooks)} files). Try it: `autograder grade {relative}/solutions "
               f"--course {relative}`. Add your own assignments with `autograder new assignment NAME "
               f"--functions f,g`, run in the course folder.")
    return Scaffolded(course, writes.created + notebooks, summary)


def _clear(target: Path, existed: bool) -> None:
    """Removes what a failed `new course` wrote: the folder, or only its contents if it was there before."""
    if not target.is_dir():
        return
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    for path in target.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _copy_course(course: Course, target: Path) -> Scaffolded:
    """A file-for-file copy of `course` (its notebooks included: nothing is regenerated)."""
    resolved = target.resolve()
    if resolved == course.root or any(resolved.is_relative_to(course.root / f) for f in COURSE_FOLDERS):
        raise ScaffoldRefused(f"{target} is inside the course {course.root} itself: copy it somewhere else")
    existed = target.exists()
    try:
        course.copy_to(target)  # the manifest, data, probe file, assignments/, solutions/ and graders/
        copy = Course.load(target)
    except BaseException:
        _clear(target, existed)
        raise
    written = [p for p in sorted(target.rglob("*")) if p.is_file()]
    relative = os.path.relpath(target)
    summary = (f"Copied the course {course.name!r} ({len(copy.names)} assignments, {len(written)} files) from "
               f"{course.root} to {target}. Grade with --course {relative}.")
    return Scaffolded(copy, written, summary)


# -- new assignment -------------------------------------------------------------------
def _check_name(name: str, what: str) -> str:
    if not IDENTIFIER.fullmatch(name) or keyword.iskeyword(name):
        raise ScaffoldRefused(f"{what} {name!r} must be a Python identifier (letters, digits and _, not a keyword)")
    if name.startswith("_"):
        raise ScaffoldRefused(f"{what} {name!r} must not start with _ (the graders reach it as an attribute)")
    return name


def course_to_extend(explicit: str | os.PathLike | None = None, near: str | os.PathLike = ".") -> Course:
    """The course `new assignment` adds to: --course, $AUTOGRADER_COURSE, or the nearest
    course.toml above `near`. Never the bundled course by default: it is the package's own."""
    if not (explicit or os.environ.get("AUTOGRADER_COURSE")) and nearest_course(near) is None:
        raise CourseNotFound(f"no {MANIFEST} in {Path(near).resolve()} or above it: run this inside a course "
                             "folder, or pass --course DIR (`autograder new course DIR` makes one)")
    return Course.locate(explicit, near=near)


def new_assignment(name: str, functions: str | Iterable[str], title: str | None = None,
                   course: str | os.PathLike | None = None, near: str | os.PathLike = ".") -> Scaffolded:
    """Adds an assignment skeleton that grades to a course, registers it by appending an
    [assignments.NAME] table to course.toml (as text: the author's comments stay), and
    regenerates the notebooks."""
    if isinstance(functions, str):
        functions = functions.split(",")
    functions = tuple(f.strip() for f in functions if f.strip())
    _check_name(name, "the assignment name")
    if not functions:
        raise ScaffoldRefused("say which functions students implement: --functions f,g")
    for function in functions:
        _check_name(function, "the function name")
    repeated = sorted({f for f in functions if functions.count(f) > 1})
    if repeated:
        raise ScaffoldRefused(f"--functions lists {', '.join(repeated)} more than once")
    title = _one_line(title if title is not None else name.replace("_", " ").capitalize(), "the title")
    target = course_to_extend(course, near)
    if name in target.assignments:
        raise ScaffoldRefused(f"{target.name} already has an assignment {name!r} ({target.manifest}:"
                              f"{target[name].line}): choose another name")
    module = name
    if module in target.modules:
        raise ScaffoldRefused(f"the module {module}.py is already used by the assignment "
                              f"{target.by_module(module).name!r}: choose another name")
    if taken_module(module):
        raise ScaffoldRefused(f"the assignment name {name!r} is reserved: it names a module that graders or "
                              "students' code import, or an attribute of the `student` fixture; choose another")
    points = len(functions)
    files = skeleton_files(name, module, title, functions)
    taken = [str(target.root / relative) for relative in files if (target.root / relative).exists()]
    if target.folder(name).exists():
        taken.insert(0, str(target.folder(name)))
    if taken:
        raise ScaffoldRefused(f"{', '.join(taken)} already exist(s): choose another name, or remove them first")

    writes = _Writes(target.root)
    try:
        for relative, text in files.items():
            writes.write(relative, text)
        writes.append(target.manifest, manifest_entry(name, title, functions, points))
        try:
            loaded = Course.load(target.root)
        except CourseError as exc:  # the manifest declares its assignments in a way a new table cannot extend
            raise ScaffoldRefused(f"appending an [assignments.{name}] table to {target.manifest} breaks it ({exc}); "
                                  "nothing was written: add the assignment by hand") from None
        notebooks, notes = _notebooks(loaded, [name])
    except BaseException:
        writes.undo()
        raise
    summary = (f"Added the assignment {name!r} ({', '.join(functions)}; {points:g} points) to {target.manifest}, "
               f"and wrote {len(writes.created)} files and {len(notebooks)} notebook(s). Each function is a "
               f"placeholder (the identity) until you replace it: start with solutions/{module}.py, then "
               f"the lesson, the stub and the tests (the TODOs say where).")
    return Scaffolded(loaded, writes.created + notebooks, summary, notes)
