"""Feedback pages for students: one HTML page and one plain-text file per submission.

Rendered with jinja2 (HTML autoescaped) from the result record, so the page shows
exactly what results.jsonl holds and never more: hidden tests carry no expected values.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.text import Text

from autograder.render import figures
from autograder.render.terminal import print_feedback, shared_feedback, start_with
from autograder.results.model import SubmissionResult

# Templates are named *.html.j2: autoescape must match that, or student text would be raw HTML.
environment = Environment(loader=PackageLoader("autograder.render", "templates"),
                   autoescape=select_autoescape(["html", "html.j2"]), trim_blocks=True, lstrip_blocks=True)
environment.filters["svg"] = figures.svg


def safe_filename(submission_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", submission_id).strip("._") or "submission"


def html(result: SubmissionResult) -> str:
    return environment.get_template("feedback.html.j2").render(
        result=result, shared=shared_feedback, start_with=start_with)


def text(result: SubmissionResult) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, color_system=None, emoji=False, highlight=False, force_jupyter=False)
    console.print(Text(f"Feedback for {result.submission}: {result.score:g}/{result.max_score:g}\n"))
    print_feedback(console, result)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())  # no padding of wrapped lines


def write(folder: Path, result: SubmissionResult) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / safe_filename(result.submission)
    paths = [stem.with_suffix(".html"), stem.with_suffix(".txt")]
    paths[0].write_text(html(result), encoding="utf-8")
    paths[1].write_text(text(result), encoding="utf-8")
    return paths
