"""The child process and its wire format: what comes back is data, validated, and a
misbehaving child costs only its own call."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from autograder.sandbox import errors, wire
from autograder.sandbox.worker import Limits, Sandbox


@pytest.fixture
def sandbox(tmp_path, start):
    def make(source: str, limits: Limits | None = None) -> Sandbox:
        (tmp_path / "activations.py").write_text(source)
        return Sandbox(tmp_path, limits or Limits(call_seconds=3), warm=start)

    boxes = []
    yield lambda source, limits=None: boxes.append(make(source, limits)) or boxes[-1]
    for box in boxes:
        box.close()


def test_wire_round_trip():
    value = (np.arange(6.0).reshape(2, 3), np.float32(1.5), 3, "s", None, [True, {"a": np.int64(2)}],
             {1: "x"}, float("inf"))
    tree, blobs = wire.encode(value)
    back = wire.decode(tree, blobs)
    assert type(back) is tuple and np.array_equal(back[0], value[0]) and back[0].dtype == np.float64
    assert type(back[1]) is np.float32 and back[1] == 1.5
    assert back[2:5] == (3, "s", None) and back[5][1]["a"] == 2 and back[6] == {1: "x"} and back[7] == np.inf


def test_wire_describes_what_it_cannot_send():
    class Weird:
        pass

    tree, blobs = wire.encode([np.matrix([[1.0]]), np.array([object()]), Weird()])
    back = wire.decode(tree, blobs)
    assert all(isinstance(x, wire.Opaque) for x in back)
    assert back[0].type_name == "numpy.matrix"


def test_wire_refuses_pickles_and_oversized_frames():
    import io
    import pickle
    import struct

    evil = io.BytesIO()
    np.save(evil, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError):
        wire.decode({"__ndarray__": 0}, [evil.getvalue()])
    with pytest.raises(wire.WireError):
        wire.decode({"__ndarray__": 0}, [pickle.dumps([1, 2])])
    frame = io.BytesIO(struct.pack(">I", wire.MAX_HEADER_BYTES + 1))
    with pytest.raises(wire.WireError):
        wire.read_frame(frame)
    frame = io.BytesIO(wire.pack({"x": 1}, [b"0" * 100]))
    with pytest.raises(wire.WireError):
        wire.read_frame(frame, max_bytes=10)


def test_values_come_back_as_plain_arrays(sandbox):
    box = sandbox("import numpy as np\ndef f(z):\n    return np.asarray(z) * 2\n")
    call = box.call("activations", "f", np.array([1.0, 2.0]), return_args=True)
    assert type(call.value) is np.ndarray and call.value.tolist() == [2.0, 4.0]
    assert call.args_after[0].tolist() == [1.0, 2.0]


def test_subclasses_and_objects_are_described_not_rebuilt(sandbox):
    box = sandbox("import numpy as np\nclass A:\n    def __eq__(self, o):\n        return True\n"
                  "def m(z):\n    return np.matrix([[1.0]])\ndef a(z):\n    return A()\n")
    assert isinstance(box.call("activations", "m", 1.0).value, wire.Opaque)
    assert box.call("activations", "a", 1.0).value.type_name.endswith(".A")


def test_exceptions_timeouts_and_crashes_each_cost_one_call(sandbox):
    box = sandbox("import os, time\ndef ok(z):\n    return z\ndef bad(z):\n    return 1 / 0\n"
                  "def slow(z):\n    while True:\n        pass\ndef die(z):\n    os._exit(3)\n"
                  "def leave(z):\n    raise SystemExit(0)\n")
    with pytest.raises(errors.StudentException, match="ZeroDivisionError.*line 5"):
        box.call("activations", "bad", 1.0)
    with pytest.raises(errors.CallTimeout):
        box.call("activations", "slow", 1.0, timeout=0.5)
    assert box.call("activations", "ok", 2.0).value == 2.0
    with pytest.raises(errors.ChildCrashed, match="exit status 3"):
        box.call("activations", "die", 1.0)
    with pytest.raises(errors.StudentException, match="SystemExit"):
        box.call("activations", "leave", 1.0)
    assert box.call("activations", "ok", 3.0).value == 3.0
    assert box.restarts == 2


def test_missing_pieces_and_import_errors(sandbox):
    box = sandbox("import numpy as np\nraise SystemExit('bye')\n")
    with pytest.raises(errors.ImportFailed, match="SystemExit"):
        box.call("activations", "sigmoid", 1.0)
    with pytest.raises(errors.MissingModule):
        box.call("mlp", "forward", 1.0)
    box = sandbox("relu = 3\n")
    with pytest.raises(errors.MissingFunction, match="not as a function"):
        box.call("activations", "relu", 1.0)


def test_printing_does_not_disturb_the_protocol(sandbox):
    box = sandbox("import sys\ndef f(z):\n    print('x' * 100000)\n    sys.stdout.flush()\n    return z + 1\n")
    assert box.call("activations", "f", 1.0).value == 2.0


def test_total_time_budget(sandbox):
    box = sandbox("def slow(z):\n    while True:\n        pass\n", Limits(call_seconds=0.4, total_seconds=0.6))
    with pytest.raises((errors.CallTimeout, errors.BudgetExhausted)):  # its CPU time, or the total, first
        box.call("activations", "slow", 1.0)
    with pytest.raises((errors.CallTimeout, errors.BudgetExhausted)):
        box.call("activations", "slow", 1.0)
    with pytest.raises(errors.BudgetExhausted):
        box.call("activations", "slow", 1.0)


def test_child_environment_is_clean(sandbox, monkeypatch):
    monkeypatch.setenv("CANVAS_API_TOKEN", "secret")
    box = sandbox("import os, sys\ndef env(z):\n    return sorted(os.environ)\n"
                  "def path(z):\n    return [sys.path[0], os.getcwd()]\n")
    assert "CANVAS_API_TOKEN" not in box.call("activations", "env", 0).value
    first_on_path, cwd = box.call("activations", "path", 0).value
    assert first_on_path == cwd


def test_a_child_that_stops_reading_cannot_hang_the_parent(sandbox):
    """After answering, the child's own thread holds the GIL for minutes (a regular expression
    that backtracks), so nothing reads the requests; the next one is larger than a pipe holds."""
    box = sandbox("import re, threading, time\n"
                  "def stall():\n"
                  "    time.sleep(0.2)\n"
                  "    re.match(r'(a+)+$', 'a' * 40 + 'b')\n"
                  "def arm(z):\n"
                  "    threading.Thread(target=stall, daemon=True).start()\n"
                  "    return z\n", Limits(call_seconds=2, wall_factor=1, wall_slack=0))
    assert box.call("activations", "arm", 1.0).value == 1.0
    time.sleep(0.5)
    with pytest.raises(errors.CallTimeout):
        box.call("activations", "arm", np.zeros(1 << 20))
    assert box.call("activations", "arm", 2.0).value == 2.0


@pytest.fixture
def busy_machine():
    """Every core kept busy, and one process more, for as long as the test runs. Each in a session
    of its own: Linux shares the processor between sessions first (autogroups), so hogs of one
    session would slow a sandboxed child, which has its own, hardly at all."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range((os.cpu_count() or 1) + 1)]
    yield
    for hog in hogs:
        hog.kill()
        hog.wait()


SPIN = ("import time\n"
        "def spin(seconds):\n"
        "    start = time.process_time()\n"
        "    while time.process_time() - start < seconds:  # pure Python, as a loop-written solution is\n"
        "        pass\n"
        "    return seconds\n"
        "def wait(z):\n"
        "    time.sleep(10 ** 6)\n")


def test_the_limit_is_cpu_time_which_a_busy_machine_does_not_stretch(sandbox, busy_machine):
    """0.6 s of computing meets a 1 s limit however long the loaded machine takes to do it (here
    about 1.2 s: a wall-clock limit of 1 s failed it); endless computing is stopped by its CPU time, long before the wall-clock backstop (15 s)."""
    box = sandbox(SPIN, Limits(call_seconds=1.0))
    for _ in range(3):
        assert box.call("activations", "spin", 0.6).value == 0.6
    with pytest.raises(errors.CallTimeout, match=r"spin did not return within 1 s of CPU time and was stopped: "
                                                 r"look for a loop that never ends"):
        box.call("activations", "spin", 1e6)
    assert box.call("activations", "spin", 0.1).value == 0.1


def test_code_that_waits_meets_the_wall_clock_backstop(sandbox):
    box = sandbox(SPIN, Limits(call_seconds=1.0, wall_factor=1, wall_slack=1))
    with pytest.raises(errors.CallTimeout, match=r"wait did not return within 2 s and was stopped\. Code that "
                                                 r"waits \(time\.sleep, input\(\), a lock, a process it started\)"):
        box.call("activations", "wait", 0)
    assert box.call("activations", "spin", 0.1).value == 0.1


def test_a_function_that_waited_out_the_backstop_is_not_waited_for_as_long_again(sandbox):
    box = sandbox(SPIN, Limits(call_seconds=1.0, wall_factor=3, wall_slack=1))
    with pytest.raises(errors.CallTimeout, match=r"within 4 s and was stopped"):
        box.call("activations", "wait", 0)
    with pytest.raises(errors.CallTimeout, match=r"within 2 s and was stopped"):  # its CPU limit plus the slack
        box.call("activations", "wait", 0)
    assert box.call("activations", "spin", 0.1).value == 0.1
