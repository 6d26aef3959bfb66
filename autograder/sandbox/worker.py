"""The parent side of the sandbox: one child process per submission.

The child is started lazily, reused across calls, and replaced after a crash or a
timeout; each start gets a fresh copy of the staged files. isolation.py chooses how
the child is walled in and launcher.py builds the walls (on Windows, winjob.py's Job
Object). Requests and replies travel on two private pipes, the child's stdin and
stdout, which it takes for itself before any student code runs; what the student
prints goes to a third pipe that is drained into a capped buffer, so nothing printed
can be mistaken for a reply or fill memory.
"""
from __future__ import annotations

import math
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.sandbox import errors, isolation, pipes, winjob, wire
from autograder.sandbox.limits import Limits, child_environment
from autograder.sandbox.pipes import CappedOutput

if TYPE_CHECKING:
    from autograder.sandbox.warm import ForkServer

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no larger pipes there
    fcntl = None

CHILD_SCRIPT = Path(__file__).with_name("child.py")
CPU_EXCEEDED = 124  # child.CPU_EXCEEDED: a request used up its CPU time
WINDOWS = os.name == "nt"


@dataclass
class CallResult:
    value: Any
    args_after: tuple = ()
    kwargs_after: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _ForkedChild:
    """A child forked by a fork server (warm.py): what Sandbox needs of a Popen. Its keeper
    writes the child's exit status (negative: killed by that signal) to a pipe of ours."""

    def __init__(self, status_fd: int, uid: int) -> None:
        self._status_fd, self.uid = status_fd, uid
        self._code: int | None = None
        self._done = False

    def kill(self) -> None:
        isolation.reap(self.uid)  # the child and everything it started: all of them run as its uid

    def wait(self, timeout: float | None = None) -> int | None:
        if not self._done:
            if not select.select([self._status_fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired("sandboxed child", timeout or 0)
            text = os.read(self._status_fd, 64).decode("ascii", "replace").strip()
            os.close(self._status_fd)
            self._done = True
            # Nothing came: the server and its keepers were killed, and the child with them.
            self._code = int(text) if text.lstrip("-").isdigit() else -signal.SIGKILL
        return self._code

    def forget(self) -> None:
        """Stops waiting for a status that will not come (a stuck keeper)."""
        if not self._done:
            os.close(self._status_fd)
            self._done = True


class Sandbox:
    """Runs one submission's code in a child process and brings back plain data."""

    def __init__(self, workdir: Path, limits: Limits | None = None, hide: tuple[str | Path, ...] = (),
                 warm: "ForkServer | None" = None, probes: str | None = None,
                 call_seconds: dict[str, float] | None = None) -> None:
        """`workdir` holds the staged files; `hide` lists folders (the course) that must stay
        invisible even if they lie inside the Python installation the child sees. With `warm`,
        children are forked by that fork server when it can (see warm.py), else started cold.
        `probes` is the source of the course's own probes (see probes.py); `call_seconds` the
        per-call time limit of each module whose course sets one (else limits.call_seconds)."""
        self.workdir = Path(workdir).resolve()
        self.limits = limits or Limits()
        self.probes = probes
        self.call_seconds = dict(call_seconds or {})
        self._probes_sent = False
        self.hide = [str(p) for p in hide]
        self.warm = warm
        self.seconds_used = 0.0
        self.restarts = 0
        self.isolation = isolation.detect()
        self._proc: subprocess.Popen | _ForkedChild | None = None
        self._slot: isolation.UidSlot | None = None
        self._rundir: Path | None = None
        self._job: winjob.Job | None = None
        self._waited: set[str] = set()  # the labels of calls that met the wall-clock backstop
        self._imported: set[str] = set()

    # -- lifecycle -------------------------------------------------------------
    def _launch_command(self) -> list[str]:
        level = self.isolation.level
        self._rundir = Path(tempfile.mkdtemp(prefix="autograder-run-"))
        self._slot = isolation.UidSlot().acquire() if level != "none" else None
        uid = self._slot.uid if self._slot else None
        script = "/opt/sandbox/child.py" if level == "namespaces" else str(CHILD_SCRIPT)
        config = isolation.launch_config(
            level, self._rundir, self.workdir, uid, [sys.executable, "-I", "-B", script],
            child_environment(), self.limits.rlimits(own_uid=uid is not None), self.hide, self.limits.disk_bytes)
        return isolation.command(level, config)

    def _start_cold(self, req_r: int, resp_w: int, out_w: int) -> subprocess.Popen:
        """The child's stdin and stdout are the request and reply pipes; stderr is its output."""
        if WINDOWS:  # no launcher (execve would start a new process), a job instead of rlimits
            proc, self._job = winjob.start(winjob.child_command(CHILD_SCRIPT), self.workdir, self.limits,
                                           req_r, resp_w, out_w)
            return proc
        return subprocess.Popen(self._launch_command(), cwd="/", env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
                                stdin=req_r, stdout=resp_w, stderr=out_w, start_new_session=True)

    def _start(self) -> None:
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        try:  # a larger pipe: a child that floods its output is drained in fewer, larger reads
            fcntl.fcntl(out_w, fcntl.F_SETPIPE_SZ, 1 << 20)
        except (AttributeError, OSError):  # not Linux, or a system cap on pipe sizes
            pass
        try:
            self._proc = self._fork_warm(req_r, resp_w, out_w) or self._start_cold(req_r, resp_w, out_w)
        except BaseException:
            self._release()
            for fd in (out_r, req_w, resp_r):
                os.close(fd)
            raise
        finally:
            for fd in (req_r, resp_w, out_w):
                os.close(fd)
        self._channel = pipes.channel(req_w, resp_r)
        self._output = CappedOutput(out_r)
        self._imported = set()
        self._probes_sent = False

    def _fork_warm(self, req_r: int, resp_w: int, out_w: int) -> _ForkedChild | None:
        """A child from the fork server, or None when there is none to use (then it starts cold)."""
        if (self.warm is None or not self.warm.usable or self.isolation.level != "namespaces"
                or not set(self.hide) <= set(self.warm.hide)):  # a server hides what it was built to hide
            return None
        status_r, status_w = os.pipe()
        self._slot = isolation.UidSlot().acquire()
        try:
            self.warm.spawn(self.workdir, self._slot.uid, self.limits, (req_r, resp_w, out_w, status_w))
        except errors.ForkServerError:
            os.close(status_r)
            self._release()
            return None
        finally:
            os.close(status_w)
        return _ForkedChild(status_r, self._slot.uid)

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if isinstance(proc, _ForkedChild):
            proc.kill()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # its keeper is stuck: the uid is reaped below all the same
                proc.forget()
        else:
            self._kill_cold(proc)
        self._channel.close()
        self._release()

    def _kill_cold(self, proc: subprocess.Popen) -> None:
        """The child and everything it started: its process group, or on Windows its job."""
        if self._job is not None:
            self._job.close()
            self._job = None
        else:
            if self._slot is not None and self._slot.uid is not None:
                # The child first, while its parent (unshare, with namespaces) lives to reap it: killed
                # together, the child is left to the machine's init, and until that reaps it (over a
                # second on some machines) its zombie holds the uid slot.
                isolation.reap(self._slot.uid)
                try:
                    proc.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.kill()
        proc.wait()

    def _release(self) -> None:
        """Frees the uid (killing anything of it still running) and the run folder."""
        if self._slot is not None:
            self._slot.release()
            self._slot = None
        if self._rundir is not None:
            shutil.rmtree(self._rundir, ignore_errors=True)
            self._rundir = None

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> "Sandbox":
        """Starts the child now rather than at the first call, so that its start-up (a new
        interpreter and numpy, when cold) runs while the caller sets up its tests."""
        if self._proc is None:
            self._start()
        return self

    @property
    def output(self) -> str:
        """What the child printed (capped), for messages about crashes."""
        return self._output.tail() if self._proc is not None else ""

    # -- requests --------------------------------------------------------------
    def _exchange(self, request: dict, blobs: list[bytes], label: str, timeout: float) -> tuple[dict, list[bytes]]:
        """Sends one request, allowed `timeout` seconds of CPU time, and waits for its reply (at
        most the wall-clock backstop, and never past the submission's total time); on any
        failure the child is replaced."""
        remaining_budget = self.limits.total_seconds - self.seconds_used
        if remaining_budget <= 0:
            raise errors.BudgetExhausted(self.limits.total_seconds)
        # A function that has waited out the backstop once is given its CPU limit plus the slack
        # after that, so that one that hangs cannot spend the submission's time call after call.
        backstop = timeout + self.limits.wall_slack if label in self._waited else self.limits.backstop(timeout)
        wall = min(backstop, remaining_budget)
        if self._proc is None:
            self._start()
        start = time.monotonic()
        try:
            self._channel.send(wire.pack(dict(request, cpu_seconds=timeout), blobs), start + wall)
            reply = wire.read_frame(self._channel.reader(start + wall), self.limits.max_reply_bytes)
        except TimeoutError:
            self._restart()
            if wall < backstop:
                raise errors.BudgetExhausted(self.limits.total_seconds) from None
            self._waited.add(label)
            raise errors.CallTimeout(label, timeout, wall=wall) from None
        except (EOFError, BrokenPipeError, OSError):
            code = self._exit_code()
            output = self._output.tail()
            self._restart()
            if code == isolation.SETUP_FAILED:
                raise errors.SandboxFailed(output) from None
            if code == CPU_EXCEEDED:
                raise errors.CallTimeout(label, timeout) from None
            raise errors.ChildCrashed(label, self._exit_detail(code)) from None
        except wire.WireError as exc:
            self._restart()
            raise errors.BadReply(label, str(exc)) from None
        finally:
            self.seconds_used += time.monotonic() - start
        return reply

    def _restart(self) -> None:
        self._stop()
        self.restarts += 1

    def _exit_code(self) -> int | None:
        """The child's exit status (None if it is still running), once its last output is in."""
        assert self._proc is not None
        try:
            code = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None
        self._output.finish(timeout=1)
        return code

    @staticmethod
    def _exit_detail(code: int | None) -> str:
        if code is None:
            return "it stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            hint = " - out of memory?" if name == "SIGKILL" else ""
            return f"killed by {name}{hint}"
        return f"exit status {code}: did the code call sys.exit() or os._exit()?"

    def _raise_for(self, error: Any, module: str, function: str) -> None:
        """Turns the child's error record (untrusted JSON) into the matching exception."""
        error = wire.clean_tree(error) if type(error) is dict else {}
        kind = error.get("kind")
        if kind == "missing_module":
            raise errors.MissingModule(module)
        if kind == "missing_function":
            raise errors.MissingFunction(module, function, error.get("found"))
        if kind == "import_error":
            raise errors.ImportFailed(module, error)
        if kind in ("probe_error", "course_probes"):
            raise errors.ProbeFailed(function, error)
        raise errors.StudentException(str(error.get("function") or function), error)

    def import_module(self, module: str) -> None:
        """Imports a student module on its own, with the longer import time limit."""
        if module in self._imported and self._proc is not None:
            return
        reply, _ = self._exchange({"op": "import", "module": module}, [], f"the import of {module}.py",
                                  self.limits.import_seconds)
        if not reply.get("ok"):
            self._raise_for(reply.get("error"), module, "")
        self._imported.add(module)

    def call(self, module: str, function: str, *args: Any, timeout: float | None = None,
             return_args: bool = False, **kwargs: Any) -> CallResult:
        """Calls module.function(*args, **kwargs) in the child and decodes what it returned."""
        self.import_module(module)
        (args_tree, kwargs_tree), blobs = _encode_pair(args, kwargs)
        reply, reply_blobs = self._exchange(
            {"op": "call", "module": module, "function": function, "args": args_tree,
             "kwargs": kwargs_tree, "return_args": return_args},
            blobs, function, timeout or self.call_seconds.get(module, self.limits.call_seconds))
        if not reply.get("ok"):
            self._raise_for(reply.get("error"), module, function)
        out = self._decode(reply, reply_blobs, function)
        notes = reply.get("warnings")
        return CallResult(value=out.get("value"), args_after=out.get("args_after", ()),
                          kwargs_after=out.get("kwargs_after", {}),
                          warnings=[wire.clean_text(str(w), 300) for w in notes[:10]] if type(notes) is list else [],
                          seconds=_seconds(reply.get("seconds")))

    def probe(self, name: str, module: str, label: str, timeout: float | None = None, **params: Any) -> Any:
        """Runs a probe (probes.py's, or the course's own) beside the student's module."""
        self.import_module(module)
        tree, blobs = wire.encode(params)
        request = {"op": "probe", "name": name, "params": tree}
        if self.probes is not None and not self._probes_sent:
            request["source"] = self.probes
        reply, reply_blobs = self._exchange(request, blobs, label,
                                            timeout or self.call_seconds.get(module, self.limits.call_seconds))
        self._probes_sent = self._probes_sent or "source" in request  # the child keeps it until it ends
        if not reply.get("ok"):
            self._raise_for(reply.get("error"), module, label)
        return self._decode(reply, reply_blobs, label)

    @staticmethod
    def _decode(reply: dict, blobs: list[bytes], label: str) -> Any:
        try:
            out = wire.decode(reply.get("result"), blobs)
        except (wire.WireError, RecursionError) as exc:
            raise errors.BadReply(label, str(exc)) from None
        if not isinstance(out, dict):
            raise errors.BadReply(label, "the reply is not a record")
        return out


def _seconds(value: Any) -> float:
    return float(value) if type(value) in (int, float) and math.isfinite(value) and value >= 0 else 0.0


def _encode_pair(args: tuple, kwargs: dict) -> tuple[tuple[Any, Any], list[bytes]]:
    """Encodes args and kwargs together, so that both refer to one list of blobs."""
    tree, blobs = wire.encode((tuple(args), dict(kwargs)))
    args_tree, kwargs_tree = tree["__tuple__"]
    return (args_tree, kwargs_tree), blobs
