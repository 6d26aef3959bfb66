"""Builds the package with the bundled course inside it (`autograder/bundled/`).

The course lives at the repository's root (course.toml, assignments/, solutions/,
graders/), where its authors edit it; a wheel carries a copy, so that a plain
`pip install` grades, checks and validates it like a development install does.
An editable install reads the root itself, and a copy of the package without the
course (the Gradescope bundle's) builds without it.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
COURSE = ("course.toml", "assignments", "solutions", "graders")
CACHES = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache")


class BuildWithCourse(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False) or not (ROOT / "course.toml").is_file():
            return
        target = Path(self.build_lib) / "autograder" / "bundled"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for part in COURSE:
            source = ROOT / part
            if source.is_dir():
                shutil.copytree(source, target / part, ignore=CACHES)
            else:
                shutil.copyfile(source, target / part)


setup(cmdclass={"build_py": BuildWithCourse})
