"""The CONTRACT.md JSON: one object per submission, one per line."""
from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.results.model import SubmissionResult


def dumps(result: SubmissionResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False)


def append(path: Path, result: SubmissionResult) -> None:
    """Appends one line and flushes it to disk, so a killed run keeps what it finished."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(dumps(result) + "\n")
        out.flush()
        os.fsync(out.fileno())
