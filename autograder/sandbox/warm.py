"""The parent's side of a fork server: warm, fully walled-in children in milliseconds.

Starting a sandboxed child costs a new interpreter and its imports - about 3 s when
the student's code imports TensorFlow. A ForkServer (forkserver.py, running inside
the sandbox's namespaces on its private root) pays that once; each child after that
is forked from it, set up in new namespaces of its own, with its own files, /tmp,
uid and limits (see forkserver.py). The server starts in the background as soon as
the ForkServer is created, so its imports overlap the grader's own start-up.

Only a machine with full isolation (the "namespaces" level) gets warm children; at the
weaker levels, and whenever the server cannot be used, Sandbox starts cold children as
before, so a fork server can only make grading faster, never change its outcome.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from autograder.sandbox import isolation, wire
from autograder.sandbox.errors import ForkServerError
from autograder.sandbox.limits import Limits, child_environment
from autograder.sandbox.pipes import CappedOutput, DeadlineReader

SERVER_SCRIPT = "/opt/sandbox/forkserver.py"
REPLY_SECONDS = 30.0
MAX_REPLY_BYTES = 4096
MAX_STARTS = 3  # a server that keeps dying is given up for this process: children start cold


class ForkServer:
    """One fork server for one trusted process; thread-compatible, not thread-safe."""

    def __init__(self, modules: Sequence[str] = ("numpy",), hide: Sequence[str | Path] = (),
                 limits: Limits | None = None) -> None:
        self.modules = tuple(modules)
        self.hide = [str(p) for p in hide]
        self.limits = limits or Limits()
        self.starts = 0
        self.failure = ""
        self._proc: subprocess.Popen | None = None
        self._sock: socket.socket | None = None
        self._rundir: Path | None = None
        self._ready = False
        if isolation.detect().full:
            self.start()
        else:
            self.failure = "fork servers need full isolation: " + isolation.detect().describe()

    @property
    def usable(self) -> bool:
        return not self.failure

    def start(self) -> None:
        """Launches the server through launcher.py without waiting for its imports."""
        self.starts += 1
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._rundir = Path(tempfile.mkdtemp(prefix="autograder-forkserver-"))
        (self._rundir / "empty").mkdir()
        argv = [sys.executable, "-I", "-B", SERVER_SCRIPT, str(theirs.fileno()), ",".join(self.modules)]
        config = isolation.launch_config("namespaces", self._rundir, self._rundir / "empty", None, argv,
                                         child_environment(), {"RLIMIT_CORE": 0}, self.hide, 1 << 20, spares=True)
        config["students"] = list(range(isolation.UID_BASE, isolation.UID_BASE + isolation.UID_SLOTS))
        out_r, out_w = os.pipe()
        try:
            self._proc = subprocess.Popen(isolation.command("namespaces", config), cwd="/",
                                          env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"}, stdin=subprocess.DEVNULL,
                                          stdout=out_w, stderr=out_w, pass_fds=(theirs.fileno(),),
                                          start_new_session=True)
        except OSError as exc:
            os.close(out_r)
            ours.close()
            self._give_up(f"the fork server could not be started: {exc}")
            return
        finally:
            os.close(out_w)
            theirs.close()
        self._sock, self._ready = ours, False
        self._output = CappedOutput(out_r)

    def _give_up(self, reason: str) -> None:
        self.close()
        self.failure = reason

    def _reply(self, seconds: float) -> dict:
        assert self._sock is not None
        reader = DeadlineReader(self._sock.fileno(), time.monotonic() + seconds)
        try:
            reply, _ = wire.read_frame(reader, MAX_REPLY_BYTES)
        except (TimeoutError, EOFError, OSError, wire.WireError) as exc:
            raise ForkServerError(f"no answer from the fork server ({type(exc).__name__}): "
                                  f"{self._output.tail(300)}") from None
        return reply

    def _wait_ready(self) -> None:
        reply = self._reply(self.limits.import_seconds)
        if not reply.get("ok") or reply.get("threads") != 1:
            raise ForkServerError(str(reply.get("error") or f"the fork server has {reply.get('threads')} threads"))
        self._ready = True

    def ready(self) -> bool:
        """Whether a child can be forked now, without waiting for the server's imports (which a
        submission that needs none of them should not wait for)."""
        if self._ready:
            return True
        if not self.usable or self._sock is None or not select.select([self._sock], [], [], 0)[0]:
            return False
        try:
            self._wait_ready()
        except ForkServerError:  # the next spawn starts the server again (or gives up on it)
            self.close()
            return False
        return True

    def spawn(self, workdir: Path, uid: int, limits: Limits, fds: tuple[int, int, int, int]) -> None:
        """Forks a child for the files in `workdir`, run as `uid` under `limits`, serving on
        `fds` (requests read end, replies write end, output write end, status write end).

        Raises ForkServerError when no child was started; a dead server is restarted
        (a few times per process) and the request tried once more."""
        if not self.usable:
            raise ForkServerError(self.failure)
        files, blobs = _files(workdir)
        request = {"uid": uid, "gid": uid, "rlimits": limits.rlimits(own_uid=True), "env": child_environment(),
                   "disk_bytes": limits.disk_bytes, "disk_inodes": isolation.DISK_INODES, "files": files,
                   "spares": isolation.spare_binds()}
        for attempt in (1, 2):
            try:
                if self._proc is None:
                    self.start()
                    if not self.usable:
                        raise ForkServerError(self.failure)
                if not self._ready:
                    self._wait_ready()
                assert self._sock is not None
                self._sock.settimeout(REPLY_SECONDS)
                socket.send_fds(self._sock, [b"\0"], list(fds))
                self._sock.sendall(wire.pack(request, blobs))
                reply = self._reply(REPLY_SECONDS)
                if not reply.get("ok"):
                    raise ForkServerError(str(reply.get("error")))
                return
            except (ForkServerError, OSError) as exc:
                self.close()
                if attempt == 2 or self.starts >= MAX_STARTS:
                    self.failure = f"the fork server failed: {exc}"
                    raise ForkServerError(self.failure) from None

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        if self._rundir is not None:
            shutil.rmtree(self._rundir, ignore_errors=True)
            self._rundir = None

    def __enter__(self) -> "ForkServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _files(workdir: Path) -> tuple[list[list], list[bytes]]:
    """The staged files (regular files only, as launcher.copy_tree takes them) as wire blobs."""
    files, blobs = [], []
    for folder, _, names in os.walk(workdir):  # links are neither followed nor copied
        for name in sorted(names):
            path = Path(folder, name)
            if stat.S_ISREG(os.lstat(path).st_mode):
                files.append([path.relative_to(workdir).as_posix(), len(blobs)])
                blobs.append(path.read_bytes())
    return files, blobs
