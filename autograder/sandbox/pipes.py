"""The parent's ends of a child's pipes: output drained into a capped buffer, and reads and
writes that give up at a deadline, so that a stopped or flooding child can never hang or
swamp the grader. Shared by cold children (worker.py) and the fork server (warm.py).

A child's requests and replies travel on a Channel. Two kinds keep the deadlines, with one
interface, chosen in `channel()`: on POSIX, select() waits on the pipes themselves; on
Windows, where select() waits on sockets only, threads do the blocking and the deadlines
are kept by waiting on them.
"""
from __future__ import annotations

import os
import select
import threading
import time
from typing import Protocol

OUTPUT_CAP = 64 * 1024
SELECT_ON_PIPES = os.name == "posix"


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
    """A file-like read() over a pipe or socket that gives up at a deadline (POSIX)."""

    def __init__(self, fd: int, deadline: float) -> None:
        self.fd, self.deadline = fd, deadline

    def read(self, n: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
            raise TimeoutError
        return os.read(self.fd, min(n, 1 << 20))


def write_before(fd: int, data: bytes, deadline: float) -> None:
    """Writes all of data to a non-blocking pipe, or raises TimeoutError at the deadline (POSIX)."""
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            raise TimeoutError
        try:
            view = view[os.write(fd, view[:1 << 20]):]
        except BlockingIOError:
            continue


class Reader(Protocol):
    def read(self, n: int) -> bytes: ...


class Channel(Protocol):
    """The parent's ends of one child's request and reply pipes."""

    def send(self, data: bytes, deadline: float) -> None:
        """Writes all of data, or raises TimeoutError at the deadline."""

    def reader(self, deadline: float) -> Reader:
        """A file-like read() of the replies that raises TimeoutError at the deadline."""

    def close(self) -> None:
        """Closes the parent's ends (call it once the child is stopped)."""


def channel(requests: int, replies: int) -> Channel:
    """The channel that keeps deadlines on this system."""
    return SelectChannel(requests, replies) if SELECT_ON_PIPES else ThreadChannel(requests, replies)


class SelectChannel:
    """POSIX: select() on the pipes, the request pipe non-blocking."""

    def __init__(self, requests: int, replies: int) -> None:
        self.requests, self.replies = requests, replies
        os.set_blocking(requests, False)  # writes wait with a deadline: a stopped child must not hang us

    def send(self, data: bytes, deadline: float) -> None:
        write_before(self.requests, data, deadline)

    def reader(self, deadline: float) -> Reader:
        return DeadlineReader(self.replies, deadline)

    def close(self) -> None:
        _close(self.requests, self.replies)


class ThreadChannel:
    """Blocking pipes kept to deadlines by threads: one pumps replies into a bounded buffer
    for the life of the child, and each request is written by a thread of its own."""

    BUFFER = 1 << 20  # replies read ahead of the parent; a flooding child waits, it never fills memory

    def __init__(self, requests: int, replies: int) -> None:
        self.requests, self.replies = requests, replies
        self._buffer = bytearray()
        self._ended = self._closed = False
        self._writer: threading.Thread | None = None
        self._changed = threading.Condition()
        self._pump = threading.Thread(target=self._fill, daemon=True)
        self._pump.start()

    def _fill(self) -> None:
        try:
            while True:
                with self._changed:
                    self._changed.wait_for(lambda: len(self._buffer) < self.BUFFER or self._closed)
                    if self._closed:
                        return
                chunk = os.read(self.replies, 1 << 16)
                if not chunk:
                    return
                with self._changed:
                    self._buffer += chunk
                    self._changed.notify_all()
        except OSError:
            return
        finally:
            with self._changed:
                self._ended = True
                self._changed.notify_all()

    def _take(self, n: int, deadline: float) -> bytes:
        with self._changed:
            if not self._changed.wait_for(lambda: self._buffer or self._ended,
                                          timeout=max(0.0, deadline - time.monotonic())):
                raise TimeoutError
            chunk = bytes(self._buffer[:n])
            del self._buffer[:n]
            self._changed.notify_all()
            return chunk  # empty once the child's end is closed: the end of the stream

    def reader(self, deadline: float) -> Reader:
        return _ThreadReader(self, deadline)

    def send(self, data: bytes, deadline: float) -> None:
        failed: list[OSError] = []

        def write() -> None:
            view = memoryview(data)
            try:
                while view:
                    view = view[os.write(self.requests, view[:1 << 20]):]
            except OSError as exc:
                failed.append(exc)

        writer = self._writer = threading.Thread(target=write, daemon=True)
        writer.start()
        writer.join(max(0.0, deadline - time.monotonic()))
        if writer.is_alive():
            raise TimeoutError  # the writer ends when the child, stopped by the caller, closes its end
        if failed:
            raise failed[0]

    def close(self) -> None:
        with self._changed:  # a pump waiting for room in a full buffer stops
            self._closed = True
            self._changed.notify_all()
        # A thread still blocked in write() or read() keeps its descriptor: closing it under the
        # thread could hand the number to the next child's pipe, which would then get the rest of
        # this one's request. The child's ends close when it dies, and the threads end with that.
        for thread, fd in ((self._writer, self.requests), (self._pump, self.replies)):
            if thread is not None:
                thread.join(1.0)
            if thread is None or not thread.is_alive():
                _close(fd)


class _ThreadReader:
    def __init__(self, channel: ThreadChannel, deadline: float) -> None:
        self._channel, self._deadline = channel, deadline

    def read(self, n: int) -> bytes:
        return self._channel._take(n, self._deadline)


def _close(*fds: int) -> None:
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
