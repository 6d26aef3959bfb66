"""What runs student code on Windows, run here: the threaded channel, the cold child that
takes its stdin and stdout for the wire, the launch without launcher.py, the environment
and the Job Object's limits. Only the kernel32 calls themselves (the job) and the
creation flags need Windows; `as_on_windows` stands in for them with a process group."""
from __future__ import annotations

import ctypes
import os
import re
import signal
import subprocess
import threading
import time

import pytest
from conftest import SOLUTIONS
# The sandbox's own tests, collected again here with the `sandbox` fixture below.
from test_sandbox import (  # noqa: F401
    busy_machine,
    test_a_child_that_stops_reading_cannot_hang_the_parent, test_child_environment_is_clean,
    test_code_that_waits_meets_the_wall_clock_backstop, test_the_limit_is_cpu_time_which_a_busy_machine_does_not_stretch,
    test_exceptions_timeouts_and_crashes_each_cost_one_call, test_missing_pieces_and_import_errors,
    test_printing_does_not_disturb_the_protocol, test_subclasses_and_objects_are_described_not_rebuilt,
    test_total_time_budget, test_values_come_back_as_plain_arrays)

from autograder.sandbox import isolation, pipes, winjob, worker
from autograder.sandbox.limits import Limits


class _GroupJob:
    """A job's part that Linux can play: closing it kills everything the child started."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _start_here(argv, workdir, limits, stdin, stdout, stderr):
    proc = subprocess.Popen(argv, cwd=workdir, env=winjob.environment(workdir), stdin=stdin, stdout=stdout,
                            stderr=stderr, start_new_session=True)
    return proc, _GroupJob(proc)


@pytest.fixture
def as_on_windows(monkeypatch):
    monkeypatch.setattr(isolation, "POSIX", False)
    monkeypatch.setattr(pipes, "SELECT_ON_PIPES", False)
    monkeypatch.setattr(worker, "WINDOWS", True)
    monkeypatch.setattr(winjob, "start", _start_here)
    isolation.detect.cache_clear()
    yield
    monkeypatch.undo()
    isolation.detect.cache_clear()


@pytest.fixture
def sandbox(tmp_path, as_on_windows):
    boxes = []

    def make(source: str, limits: Limits | None = None) -> worker.Sandbox:
        (tmp_path / "activations.py").write_text(source)
        boxes.append(worker.Sandbox(tmp_path, limits or Limits(call_seconds=3)))
        return boxes[-1]

    yield make
    for box in boxes:
        box.close()


def test_the_level_is_none_and_says_why(as_on_windows):
    found = isolation.detect()
    assert found.level == "none" and "Job Object" in found.reason


def test_a_student_checks_an_assignment(tmp_path, as_on_windows, capsys):
    from autograder.cli import main

    (tmp_path / "activations.py").write_text((SOLUTIONS / "activations.py").read_text())
    assert main(["check", str(tmp_path)]) == 0
    out = " ".join(capsys.readouterr().out.split())  # as one line, however the terminal wraps it
    assert "Note: student code runs with resource limits and a clean environment only" in out
    assert "Windows has no Linux namespaces" in out and re.search(r"(\d+) of \1 public tests passed", out)


def test_the_child_runs_in_its_folder_with_a_windows_environment(sandbox, monkeypatch):
    monkeypatch.setenv("CANVAS_API_TOKEN", "secret")
    box = sandbox("import os\ndef env(z):\n    return dict(os.environ), os.getcwd()\n")
    env, cwd = box.call("activations", "env", 0).value
    assert os.path.realpath(cwd) == str(box.workdir)
    assert "CANVAS_API_TOKEN" not in env and env["TEMP"] == env["TMP"] == env["USERPROFILE"] == str(box.workdir)
    assert {"SYSTEMROOT", "PATH", "OMP_NUM_THREADS"} <= set(env)


def test_a_child_cannot_keep_the_wire_open_in_a_process_it_starts(sandbox):
    """The request and reply pipes are private descriptors: a grandchild inherits neither."""
    box = sandbox("import os\n"
                  "def inheritable(z):\n"
                  "    found = []\n"
                  "    for fd in map(int, os.listdir('/proc/self/fd')):\n"
                  "        try:\n"
                  "            found += [fd] if fd > 2 and os.get_inheritable(fd) else []\n"
                  "        except OSError:  # the listing's own descriptor, closed by now\n"
                  "            pass\n"
                  "    return found\n")
    assert box.call("activations", "inheritable", 0).value == []


# --- the channel, both kinds, with nothing but a pipe on the other side ------------------

@pytest.fixture(params=["select", "threads"])
def channel_pair(request):
    """A channel whose requests go to `requests_r` and whose replies come from `replies_w`."""
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    kind = pipes.SelectChannel if request.param == "select" else pipes.ThreadChannel
    chan = kind(requests_w, replies_r)
    yield chan, requests_r, replies_w
    for fd in (requests_r, replies_w):
        try:
            os.close(fd)
        except OSError:
            pass
    chan.close()


def test_a_send_nobody_reads_gives_up_at_its_deadline(channel_pair):
    chan, _, _ = channel_pair
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        chan.send(b"x" * (8 << 20), time.monotonic() + 0.3)  # far more than a pipe holds
    assert time.monotonic() - start < 10  # a backstop, not a timing verdict: without the deadline it hangs


def test_a_read_gives_up_at_its_deadline_and_sees_the_end(channel_pair):
    chan, _, replies_w = channel_pair
    with pytest.raises(TimeoutError):
        chan.reader(time.monotonic() + 0.2).read(4)
    os.write(replies_w, b"abc")
    os.close(replies_w)
    reader = chan.reader(time.monotonic() + 5)
    got = b""
    while chunk := reader.read(10):
        got += chunk
    assert got == b"abc"


def test_a_reply_larger_than_the_read_ahead_arrives_whole(channel_pair):
    chan, _, replies_w = channel_pair
    data = os.urandom(3 * pipes.ThreadChannel.BUFFER + 12345)
    writer = threading.Thread(target=lambda: (os.write(replies_w, data) and None, os.close(replies_w)))
    writer.start()
    from autograder.sandbox.wire import read_exact

    assert read_exact(chan.reader(time.monotonic() + 30), len(data)) == data
    writer.join()


# --- the Job Object's limits ---------------------------------------------------------------

@pytest.mark.skipif(ctypes.sizeof(ctypes.c_void_p) != 8, reason="the layout checked is 64-bit Windows'")
def test_the_job_limits_have_the_layout_windows_reads():
    assert ctypes.sizeof(winjob.BasicLimits) == 64 and ctypes.sizeof(winjob.IoCounters) == 48
    assert ctypes.sizeof(winjob.ExtendedLimits) == 144
    assert winjob.ExtendedLimits.ProcessMemoryLimit.offset == 112


def test_the_job_holds_the_sandbox_limits():
    limits = Limits()
    info = winjob.limits_of(limits)
    basic = info.BasicLimitInformation
    assert info.ProcessMemoryLimit == limits.memory_bytes and basic.ActiveProcessLimit == limits.max_processes
    assert basic.PerProcessUserTimeLimit == limits.cpu_seconds * 10_000_000
    for flag in (winjob.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, winjob.JOB_OBJECT_LIMIT_PROCESS_MEMORY,
                 winjob.JOB_OBJECT_LIMIT_ACTIVE_PROCESS, winjob.JOB_OBJECT_LIMIT_PROCESS_TIME):
        assert basic.LimitFlags & flag


def test_the_child_is_the_base_interpreter_with_the_environments_packages(sandbox):
    """A venv's python.exe on Windows is a launcher that starts the real interpreter outside the job."""
    import sys

    box = sandbox("import sys, numpy\ndef where(z):\n    return sys.executable, numpy.__file__\n")
    executable, numpy_file = box.call("activations", "where", 0).value
    assert os.path.realpath(executable) == os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    assert numpy_file.startswith(tuple(winjob.child_command(worker.CHILD_SCRIPT)[4:]))


def test_a_pump_waiting_for_room_stops_when_the_channel_closes():
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    os.set_blocking(replies_w, False)
    chan = pipes.ThreadChannel(requests_w, replies_r)
    written = 0
    deadline = time.monotonic() + 30
    while chan._pump.is_alive() and len(chan._buffer) < chan.BUFFER and time.monotonic() < deadline:
        try:
            written += os.write(replies_w, b"x" * 65536)
        except BlockingIOError:
            time.sleep(0.01)
    chan.close()
    chan._pump.join(5)
    assert not chan._pump.is_alive()
    for fd in (requests_r, replies_w):
        os.close(fd)
