"""results.jsonl as a log that a killed run cannot corrupt, and that a rerun resumes from.

Each finished submission is appended as one line, by one `write` on an `O_APPEND`
descriptor, then fsynced: a run killed at any moment (SIGKILL included) leaves every
line it finished, and at worst one unfinished last line. Reading drops such a line
(it has no newline, or does not parse), and the next append cuts it off first. The
latest line of a submission wins; at the end of a run the log is rewritten with one
line per submission, through a temporary file and an atomic rename, so a reader never
sees half of it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.results.model import SubmissionResult

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX (Windows): msvcrt's lock instead
    fcntl = None


class LogBusy(Exception):
    """Another run is writing this results folder."""


def _lock_now(fd: int) -> None:
    """Takes an exclusive lock on the open file `fd`, or raises BlockingIOError when another process holds it."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    import msvcrt  # pragma: no cover - Windows

    try:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        raise BlockingIOError from None


class ResultLog:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.skipped_lines = 0  # lines that could not be read back (told to the instructor)
        self._lock: int | None = None

    def __enter__(self) -> "ResultLog":
        """Holds the folder for one run: two runs appending to one log would interleave regrades."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_now(self._lock)
        except BlockingIOError:
            os.close(self._lock)
            self._lock = None
            raise LogBusy(f"another autograder run is writing {self.path}; wait for it or use another --out") from None
        self._cut_torn_tail()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _cut_torn_tail(self) -> None:
        """Drops an unfinished last line (a run killed mid-write), so the next line starts clean."""
        if not self.path.exists():
            return
        with open(self.path, "rb+") as log:
            data = log.read()
            if data and not data.endswith(b"\n"):
                log.truncate(data.rfind(b"\n") + 1)
                log.flush()
                os.fsync(log.fileno())

    def read(self) -> dict[str, SubmissionResult]:
        """The latest record of each submission (in the order first seen)."""
        self.skipped_lines = 0
        records: dict[str, SubmissionResult] = {}
        if not self.path.exists():
            return records
        lines = self.path.read_bytes().split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            if number == len(lines):  # no newline after it: a write that never finished
                self.skipped_lines += 1
                continue
            try:
                result = SubmissionResult.from_dict(json.loads(line))
            except (ValueError, KeyError, TypeError):
                self.skipped_lines += 1
                continue
            records[result.submission] = result
        return records

    def append(self, result: SubmissionResult) -> None:
        line = (result.to_json() + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            written = 0
            while written < len(line):  # one write in practice; a short write is finished, never split
                written += os.write(fd, line[written:])
            os.fsync(fd)
        finally:
            os.close(fd)

    def rewrite(self, results: list[SubmissionResult]) -> None:
        """Replaces the log by exactly these records, one line each, atomically."""
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with open(temporary, "w", encoding="utf-8") as out:
            for result in results:
                out.write(result.to_json() + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        if os.name != "posix":  # pragma: no cover - a folder cannot be opened, nor so fsynced, on Windows
            return
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
