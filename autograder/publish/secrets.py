"""Secrets (API tokens, private keys) come from the environment or from files, never from
the command line, where any user of the machine can read them in the process list.
`NAME` holds the secret itself; `NAME_FILE` names a file that holds it. The sandbox
never sees either: its child starts with a clean environment.
"""
from __future__ import annotations

import os
from pathlib import Path


class MissingSecret(Exception):
    pass


def secret(name: str, what: str) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        return value
    file = os.environ.get(f"{name}_FILE", "").strip()
    if file:
        try:
            value = Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MissingSecret(f"cannot read {what} from {name}_FILE={file}: {exc.strerror}") from None
        if value:
            return value
    raise MissingSecret(f"no {what}: set {name}, or {name}_FILE to a file that holds it")
