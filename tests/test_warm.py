"""Warm starts: children forked by a fork server are as walled in, as fresh and as
correct as cold ones, and nothing one of them does reaches the next."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.runner import grade
from autograder.sandbox import errors, isolation
from autograder.sandbox.warm import ForkServer
from autograder.sandbox.worker import Limits, Sandbox, _ForkedChild
from autograder.submission.discover import Submission
from conftest import COURSE, ROOT, eventually, running

pytestmark = pytest.mark.skipif(not isolation.detect().full,
                                reason=f"warm starts need namespaces: {isolation.detect().describe()}")

POISON = '''
import os, sys, numpy as np

def poison(tag):
    """Leaves every trace a child can: files, a changed numpy, the environment, a daemon."""
    open("/tmp/left-behind", "w").write(tag)
    open("/submission/left-behind", "w").write(tag)
    np.sum = lambda *a, **k: 42
    os.environ["POISONED"] = tag
    if os.fork() == 0:
        os.setsid()
        os.execv("/bin/sleep", ["sleep", tag])
    return os.getuid()

def look():
    """What the next child finds."""
    return {"tmp": sorted(os.listdir("/tmp")), "files": sorted(os.listdir("/submission")),
            "sum": int(np.sum(np.array([1, 2]))), "env": os.environ.get("POISONED"), "pid": os.getpid(),
            "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "tensorflow": "tensorflow" in sys.modules, "cwd": os.getcwd()}

def fresh_imports():
    """Modules the fork server never imported: their files must be there (the Python
    installation, even one inside /tmp, which every warm child mounts afresh)."""
    import importlib, sys
    found = {}
    for name in ("jinja2", "xml.dom.minidom", "tensorflow.keras"):
        try:
            importlib.import_module(name)
            found[name] = "imported"
        except Exception as exc:
            found[name] = f"{type(exc).__name__}: {exc}"
    found["prefix"] = os.path.isdir(sys.prefix) and os.path.isdir(sys.base_prefix)
    return found

def die(how):
    if how == "_exit":
        os._exit(3)
    if how == "abort":
        os.abort()
    import ctypes
    return ctypes.string_at(0)  # a segmentation fault
'''


# A fresh /tmp holds nothing but the mount points of a Python installed inside /tmp.
PYTHON_IN_TMP = sorted({Path(p).parts[2] for p in isolation.python_binds() if p.startswith("/tmp/")})


@pytest.fixture
def box(tmp_path, fork_server):
    """box(name) opens a sandbox on spy files, its children forked by the session's server."""
    opened = []

    def make(name: str = "work", server: ForkServer | None = None) -> Sandbox:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "spy.py").write_text(POISON)
        opened.append(Sandbox(folder, Limits(call_seconds=10), warm=server or fork_server))
        return opened[-1]

    yield make
    for sandbox in opened:
        sandbox.close()


def test_a_child_leaves_nothing_for_the_next(box):
    first = box("first")
    tag = f"{os.getpid()}.625"
    assert first.call("spy", "poison", tag).value >= isolation.UID_BASE
    assert isinstance(first._proc, _ForkedChild)  # it really was forked
    assert eventually(lambda: running(tag))
    first.close()
    assert not running(tag)
    second = box("second")
    seen = second.call("spy", "look").value
    assert isinstance(second._proc, _ForkedChild)
    assert seen["files"] == ["spy.py"] and seen["tmp"] == PYTHON_IN_TMP
    assert seen["sum"] == 3 and seen["env"] is None
    assert seen["pid"] == 1 and seen["processes"] == [1]  # a PID namespace of its own
    assert seen["cwd"] == "/submission"


def test_a_child_imports_what_the_server_did_not(box):
    seen = box("imports").call("spy", "fresh_imports").value
    assert seen == {"jinja2": "imported", "xml.dom.minidom": "imported", "tensorflow.keras": "imported",
                    "prefix": True}


def test_two_live_children_have_their_own_uid_and_files(box):
    first, second = box("first"), box("second")
    tag = f"{os.getpid()}.875"
    uid = first.call("spy", "poison", tag).value
    seen = second.call("spy", "look").value
    assert seen["files"] == ["spy.py"] and seen["tmp"] == PYTHON_IN_TMP
    assert seen["sum"] == 3 and seen["processes"] == [1]
    assert second.call("spy", "poison", tag + "1").value != uid


@pytest.mark.parametrize("how,says", [("_exit", r"exit status 3: did the code call sys.exit\(\) or os._exit"),
                                      ("segfault", "killed by SIGSEGV"), ("abort", "killed by SIG")])
def test_a_crash_is_reported_and_costs_only_its_child(box, how, says):
    dying = box("dying")
    with pytest.raises(errors.ChildCrashed, match=says):
        dying.call("spy", "die", how)
    assert dying.call("spy", "look").value["sum"] == 3  # a fresh child took its place
    assert dying.restarts == 1


def test_a_dead_server_is_started_again(box):
    with ForkServer(("numpy",)) as server:
        before = box("before", server)
        assert before.call("spy", "look").value["sum"] == 3
        before.close()
        os.killpg(server._proc.pid, signal.SIGKILL)
        after = box("after", server)
        assert after.call("spy", "look").value["sum"] == 3
        assert isinstance(after._proc, _ForkedChild)
        after.close()
        assert server.starts == 2 and server.usable


def test_a_server_that_cannot_start_leaves_children_cold(box):
    with ForkServer(("numpy", "no_such_module_here")) as server:
        cold = box("cold", server)
        assert cold.call("spy", "look").value["sum"] == 3
        assert not isinstance(cold._proc, _ForkedChild)
        cold.close()
        assert not server.usable and "no_such_module_here" in server.failure


def test_only_the_keras_assignment_brings_tensorflow(box, fork_server):
    assert COURSE.preload(["perceptron", "activations", "gradient_descent", "mlp"]) == ("numpy",)
    assert "tensorflow" in COURSE.preload(["mlp", "keras_model"])
    with ForkServer(COURSE.preload(["activations"])) as numpy_only:
        assert box("numpy", numpy_only).call("spy", "look").value["tensorflow"] is False
    assert box("keras").call("spy", "look").value["tensorflow"] is True  # the session's server: all assignments


def test_a_server_built_to_hide_less_is_not_used(tmp_path, fork_server):
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "spy.py").write_text(POISON)
    with Sandbox(folder, Limits(call_seconds=10), hide=(tmp_path,), warm=fork_server) as sandbox:
        assert sandbox.call("spy", "look").value["sum"] == 3
        assert not isinstance(sandbox._proc, _ForkedChild)


def test_warm_and_cold_grade_alike(fork_server):
    """Bob's example (wrong answers in every assignment, Keras training included): the same
    scores and the same feedback, word for word, from a cold child and from a warm one."""
    bob = Submission.from_path(ROOT / "examples" / "submissions" / "bob")
    cold = grade(bob, COURSE).to_dict()
    warm = grade(bob, COURSE, warm=fork_server).to_dict()
    for record in (cold, warm):
        record.pop("execution_time")
    assert warm == cold and cold["score"] < cold["max_score"]
    assert np.isclose(cold["score"], 29.5)


def test_prepare_loads_the_graders_data_before_the_first_submission(course):
    """What a batch worker does while its fork server imports: the Keras grader's digits are loaded."""
    import sys

    from autograder.grading.runner import prepare

    prepare(course, ["keras_model", "mlp"], seed=3)
    (module,) = {id(m): m for m in list(sys.modules.values())
                 if getattr(m, "__file__", None) == str(course.grader_file("keras_model"))}.values()
    assert module.digits_split.cache_info().currsize >= 1
    hits = module.digits_split.cache_info().hits
    module.digits_split(3)
    assert module.digits_split.cache_info().hits == hits + 1  # already there: no second load
