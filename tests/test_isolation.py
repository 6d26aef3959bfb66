"""The walls around the child, level by level: what it can see and do, what it cannot,
what is cleaned up after it, and how a machine that allows less is handled."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograder.grading.runner import GraderError, grade
from autograder.sandbox import errors, isolation, wire
from autograder.sandbox.pipes import OUTPUT_CAP
from autograder.sandbox.worker import Limits, Sandbox
from autograder.submission.discover import Submission
from conftest import COURSE, ROOT, SOLUTIONS, eventually, running

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="a separate uid needs root")
FULL = pytest.mark.skipif(not isolation.detect().full, reason=f"needs namespaces: {isolation.detect().describe()}")

SPY = '''
import os, resource, socket

def whoami():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "cwd": os.getcwd(),
            "nonewprivs": status["NoNewPrivs"].strip(), "capeff": status["CapEff"].strip(),
            "files": sorted(os.listdir(".")), "hostname": socket.gethostname(),
            "limits": {n: resource.getrlimit(getattr(resource, n))[0]
                       for n in ("RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_CORE")}}

def read(path):
    try:
        return open(path, "rb").read(100).decode(errors="replace")
    except OSError as exc:
        return type(exc).__name__

def write(path):
    try:
        open(path, "w").write("x")
        return "written"
    except OSError as exc:
        return type(exc).__name__

def daemon(seconds):
    """A grandchild in a session of its own, which a process-group kill would miss; it
    sleeps for an odd number of seconds, by which the test recognizes it."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", seconds])
        os._exit(0)
    return "started"

def flood(megabytes):
    import sys
    for _ in range(megabytes):
        sys.stdout.write("x" * (1 << 20))
    sys.stdout.flush()
    return "done"
'''


@pytest.fixture
def level(monkeypatch):
    """Runs a test's sandboxes at a chosen (weaker) level."""
    def choose(name: str) -> isolation.Isolation:
        monkeypatch.setenv("AUTOGRADER_SANDBOX_LEVEL", name)
        isolation.detect.cache_clear()
        return isolation.detect()

    yield choose
    monkeypatch.delenv("AUTOGRADER_SANDBOX_LEVEL", raising=False)
    isolation.detect.cache_clear()


@pytest.fixture
def spy(tmp_path, start):
    boxes = []

    def make(limits: Limits | None = None) -> Sandbox:
        work = tmp_path / f"work{len(boxes)}"
        work.mkdir()
        (work / "spy.py").write_text(SPY)
        boxes.append(Sandbox(work, limits or Limits(call_seconds=10), warm=start))
        return boxes[-1]

    yield make
    for box in boxes:
        box.close()


@FULL
def test_namespaces_show_the_child_only_its_own_files(spy):
    box = spy()
    me = box.call("spy", "whoami").value
    assert me["cwd"] == "/submission" and me["files"] == ["spy.py"] and me["hostname"] == "sandbox"
    assert isolation.UID_BASE <= me["uid"] < isolation.UID_BASE + isolation.UID_SLOTS and me["groups"] == []
    assert me["nonewprivs"] == "1" and me["capeff"] == "0000000000000000"
    assert me["limits"]["RLIMIT_NPROC"] == Limits().max_processes and me["limits"]["RLIMIT_CORE"] == 0
    for path in (ROOT / "solutions" / "activations.py", ROOT / "graders" / "test_mlp.py", box.workdir / "spy.py",
                 Path("/etc/shadow"), Path("/root/.bash_history")):
        assert box.call("spy", "read", str(path)).value in ("FileNotFoundError", "PermissionError"), path
    for path in ("/usr/evil", "/evil", "/opt/sandbox/child.py", "/etc/passwd"):
        assert box.call("spy", "write", path).value in ("OSError", "PermissionError"), path
    assert box.call("spy", "write", "/tmp/mine").value == "written"


@FULL
def test_the_course_stays_hidden_even_inside_the_python_installation(tmp_path):
    """A course installed under a folder the child sees (here: the venv) is masked out."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "spy.py").write_text(SPY)
    import jinja2
    import numpy

    course = Path(jinja2.__file__).parent  # stands in for a course installed in site-packages
    with Sandbox(work, Limits(call_seconds=10), hide=(course,)) as box:
        assert box.call("spy", "read", jinja2.__file__).value == "FileNotFoundError"
        assert box.call("spy", "read", numpy.__file__).value.startswith('"""')


@ROOT_ONLY
def test_each_live_sandbox_has_its_own_uid_and_leaves_nothing_running(spy):
    first, second = spy(), spy()
    uid1, uid2 = first.call("spy", "whoami").value["uid"], second.call("spy", "whoami").value["uid"]
    assert uid1 != uid2
    tag = f"{os.getpid()}.125"
    assert first.call("spy", "daemon", tag).value == "started"
    assert eventually(lambda: running(tag))
    first.close()
    assert not running(tag)  # gone before the uid is handed out again


@ROOT_ONLY
def test_a_uid_whose_processes_will_not_die_is_never_handed_out_again(monkeypatch):
    monkeypatch.setattr(isolation, "uid_processes", lambda uid: [12345])  # a process stuck in the kernel
    monkeypatch.setattr(isolation, "RELEASE_SECONDS", 0.1)
    stuck = isolation.UidSlot().acquire()
    uid = stuck.uid
    stuck.release()
    monkeypatch.undo()
    try:
        with isolation.UidSlot() as other:
            assert other.uid != uid
    finally:
        os.close(isolation._STUCK.pop())


@ROOT_ONLY
def test_uid_level_drops_privileges_and_reaps_escaped_processes(spy, level, tmp_path):
    assert level("uid").level == "uid"
    secret = tmp_path / "secret.txt"
    secret.write_text("the answers")
    secret.chmod(0o600)
    box = spy()
    me = box.call("spy", "whoami").value
    assert me["uid"] != 0 and me["nonewprivs"] == "1" and me["capeff"] == "0000000000000000"
    assert me["files"] == ["spy.py"] and me["cwd"] != str(box.workdir)  # its own copy of the files
    assert box.call("spy", "read", str(secret)).value == "PermissionError"
    assert box.call("spy", "write", str(box.workdir / "spy.py")).value == "PermissionError"
    tag = f"{os.getpid()}.375"
    assert box.call("spy", "daemon", tag).value == "started"
    assert eventually(lambda: running(tag))
    box.close()
    assert not running(tag)


def test_none_level_still_limits_resources_and_cleans_the_environment(spy, level, monkeypatch):
    assert level("none").level == "none"
    monkeypatch.setenv("CANVAS_API_TOKEN", "secret")
    box = spy(Limits(call_seconds=10, memory_bytes=1 << 30, max_file_bytes=1 << 20))
    me = box.call("spy", "whoami").value
    assert me["limits"]["RLIMIT_DATA"] == 1 << 30 and me["limits"]["RLIMIT_FSIZE"] == 1 << 20
    assert me["nonewprivs"] == "1"
    (box.workdir / "env.py").write_text("import os\ndef names():\n    return sorted(os.environ)\n")
    assert "CANVAS_API_TOKEN" not in box.call("env", "names").value


def test_levels_can_be_capped_but_never_raised(level):
    assert level("none").describe().startswith("student code runs with resource limits")
    os.environ["AUTOGRADER_SANDBOX_LEVEL"] = "sideways"
    isolation.detect.cache_clear()
    with pytest.raises(ValueError, match="must be one of"):
        isolation.detect()


def test_instructor_grading_requires_full_isolation_or_an_explicit_choice(level):
    weak = level("none")
    with pytest.raises(isolation.WeakIsolation, match="--allow-weak-sandbox"):
        isolation.require(False, warn=print)
    said = []
    assert isolation.require(True, warn=said.append) == weak
    assert said == [f"Warning: {weak.describe()}."]


def test_flooded_output_is_capped_in_the_parent(spy):
    box = spy()
    assert box.call("spy", "flood", 200).value == "done"
    assert eventually(lambda: box._output.total >= 200 << 20)  # the last chunks may still be in the pipe
    assert len(box._output.data) == OUTPUT_CAP


def test_a_broken_sandbox_is_the_graders_error_not_the_students(monkeypatch, tmp_path):
    """If the launcher cannot build the sandbox, grading stops instead of scoring zero."""
    if not isolation.detect().full:
        pytest.skip("needs namespaces")
    monkeypatch.setattr(isolation, "python_binds", lambda: [str(tmp_path / "no-such-folder")])
    with pytest.raises(GraderError, match="sandbox could not be set up"):
        grade(Submission.from_path(SOLUTIONS), COURSE, ["activations"])


def test_text_from_the_child_is_made_safe():
    nasty = "<b>\x1b[31mred\x00 \udcff" + "x" * 10_000
    clean = wire.clean_text(nasty)
    clean.encode("utf-8")
    assert "\x1b" not in clean and "\x00" not in clean and clean.startswith("<b>")
    assert len(clean) <= wire.TEXT_CHARS + 10
    record = wire.clean_tree({"type": "E\x1b", "frames": ["bad", {"file": 3}], "message": nasty})
    assert "\x1b" not in record["type"] and record["frames"][1] == {"file": 3}
    with pytest.raises(errors.StudentException, match="raised"):
        Sandbox._raise_for(object.__new__(Sandbox), {"kind": "exception", "type": "E", "frames": "junk"}, "m", "f")


@ROOT_ONLY
def test_the_trial_sandbox_proves_the_child_can_read_numpy(monkeypatch, tmp_path):
    """The trial opens numpy's files as the child's user inside the namespaces (cheaper than
    importing it): where the child could not, the machine is not called fully isolated, rather
    than every child failing later."""
    if isolation._strongest().level != "namespaces":
        pytest.skip(f"needs namespaces: {isolation.detect().describe()}")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    (private / "__init__.py").write_text("")
    monkeypatch.setattr(isolation, "_numpy_file", lambda: str(private / "__init__.py"))
    found = isolation._strongest()
    assert found.level == "uid" and found.reason.startswith("namespaces could not be set up:")
