"""The docs/contract.md JSON: one object per submission, one per line (results/log.py writes the file)."""
from __future__ import annotations

import json

from autograder.results.model import SubmissionResult


def dumps(result: SubmissionResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False)
