"""The parent's ends of a child's pipes: output drained into a capped buffer, and reads and
writes that give up at a deadline, so that a stopped or flooding child can never hang or
swamp the grader. Shared by cold children (worker.py) and the fork server (warm.py)."""
from __future__ import annotations

import os
import select
import threading
import time

OUTPUT_CAP = 64 * 1024


class CappedOutput:
    """Keeps the first OUTPUT_CAP bytes the child prints and counts the rest."""

    def __init__(self, fd: int) -> None:
        self.data = bytearray()
        self.total = 0
        self._thread = threading.Thread(target=self._drain, args=(fd,), daemon=True)
        self._thread.start()

    def _drain(self, fd: int) -> None:
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(1 << 20):
                self.total += len(chunk)
                room = OUTPUT_CAP - len(self.data)
                if room > 0:
                    self.data += chunk[:room]

    def finish(self, timeout: float) -> None:
        self._thread.join(timeout)

    def tail(self, chars: int = 500) -> str:
        return self.data.decode("utf-8", "replace")[-chars:]


class DeadlineReader:
    """A file-like read() over a pipe that gives up at a deadline."""

    def __init__(self, fd: int, deadline: float) -> None:
        self.fd, self.deadline = fd, deadline

    def read(self, n: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
            raise TimeoutError
        return os.read(self.fd, min(n, 1 << 20))


def write_before(fd: int, data: bytes, deadline: float) -> None:
    """Writes all of data to a non-blocking pipe, or raises TimeoutError at the deadline."""
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            raise TimeoutError
        try:
            view = view[os.write(fd, view[:1 << 20]):]
        except BlockingIOError:
            continue
