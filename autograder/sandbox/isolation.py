"""How strongly this machine can isolate student code, and the pieces that do it.

Three levels, from strongest:

- ``namespaces`` (Linux, root, util-linux ``unshare``): new mount, PID, network, IPC
  and UTS namespaces, a private root file system, a separate unprivileged uid, no
  new privileges, resource limits (launcher.py does the work);
- ``uid`` (root without namespaces, as in an unprivileged container): the separate
  uid, no new privileges and the limits, but the host's file system stays visible
  wherever file permissions allow;
- ``none`` (not root, or not Linux): the limits and a clean environment only (on
  Windows the limits come from a Job Object, winjob.py).

Instructor grading demands ``namespaces`` unless weaker isolation is allowed
explicitly; a student's own `autograder check` takes what there is and says so.
"""
from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX only, and used only by root on Linux (the uid slots): importing this module works everywhere
    import fcntl
    import pwd
except ImportError:  # pragma: no cover - Windows
    fcntl = pwd = None

LAUNCHER = Path(__file__).with_name("launcher.py")
SANDBOX_CODE = Path(__file__).parent
SETUP_FAILED = 121  # launcher.SETUP_FAILED
UID_BASE = int(os.environ.get("AUTOGRADER_SANDBOX_UID_BASE", "64100"))
UID_SLOTS = 256
RELEASE_SECONDS = 30.0  # how long a released uid's processes may take to die before the slot is kept
_STUCK: list[int] = []  # lock files of uids whose processes would not die: never handed out again
SLOT_FOLDER = Path("/run/autograder-uids" if os.path.isdir("/run") else tempfile.gettempdir() + "/autograder-uids")
NAMESPACES = ["--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child"]
LEVELS = ("none", "uid", "namespaces")
DISK_INODES = 20_000  # files in each of a child's writable folders (with namespaces)
# What a child needs, tried as the child's user inside the namespaces: numpy's files readable (a
# Python under /root, mode 700, is not), /dev/null and the writable work folder. Opening numpy's
# __init__ rather than importing it (and -S: no site) keeps the trial to a tenth of a second.
TRIAL = ("import os, sys; open(sys.argv[1], 'rb').close(); os.close(os.open('/dev/null', os.O_WRONLY)); "
         "open('/submission/x', 'w').close()")
POSIX = os.name == "posix"


class WeakIsolation(Exception):
    """Instructor grading was asked for on a machine that cannot isolate student code."""


@dataclass(frozen=True)
class Isolation:
    level: str
    reason: str = ""

    @property
    def full(self) -> bool:
        return self.level == "namespaces"

    def describe(self) -> str:
        if self.full:
            return ("student code runs as its own unprivileged user in new mount, PID, network and IPC "
                    "namespaces, seeing only its own files and a read-only Python")
        what = {"uid": "as its own unprivileged user with resource limits, but it can read any file that "
                       "other users may read and it can reach the network",
                "none": "with resource limits and a clean environment only: it runs as you, can read your "
                        "files and can reach the network"}[self.level]
        return f"student code runs {what} ({self.reason})"


def _trial(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd="/", env={"PATH": "/usr/bin:/bin"})


_ASSUMED: list[Isolation] = []


def assume(found: Isolation) -> None:
    """Takes another process's finding for this one's (a batch worker, from the command that started it)."""
    _ASSUMED[:] = [found]


@functools.cache
def detect() -> Isolation:
    """The strongest level that works here (at most $AUTOGRADER_SANDBOX_LEVEL, for trying the
    fallbacks), found by setting one sandbox up for real."""
    if _ASSUMED:
        return _ASSUMED[0]
    cap = os.environ.get("AUTOGRADER_SANDBOX_LEVEL", "namespaces")
    if cap not in LEVELS:
        raise ValueError(f"AUTOGRADER_SANDBOX_LEVEL must be one of {', '.join(LEVELS)}, not {cap!r}")
    found = _strongest()
    if LEVELS.index(cap) < LEVELS.index(found.level):
        return Isolation(cap, f"AUTOGRADER_SANDBOX_LEVEL is {cap}")
    return found


def _strongest() -> Isolation:
    if not POSIX:
        return Isolation("none", "Windows has no Linux namespaces; a Job Object limits memory, processes "
                                 "and CPU time")
    if not sys.platform.startswith("linux"):
        return Isolation("none", f"{sys.platform} has no Linux namespaces")
    if os.geteuid() != 0:
        return Isolation("none", "not running as root, so no separate user and no namespaces")
    unshare = shutil.which("unshare", path="/usr/bin:/bin:/usr/sbin:/sbin")
    if unshare is None:
        return Isolation("uid", "util-linux's unshare is not installed")
    with tempfile.TemporaryDirectory(prefix="autograder-trial-") as tmp, UidSlot() as slot:
        (Path(tmp) / "work").mkdir()
        config = launch_config("namespaces", Path(tmp), Path(tmp) / "work", slot.uid,
                               [sys.executable, "-I", "-S", "-c", TRIAL, _numpy_file()], {}, {}, [], 1 << 20)
        try:
            done = _trial(command("namespaces", config))
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Isolation("uid", f"namespaces could not be set up: {exc}")
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return Isolation("uid", f"namespaces could not be set up: {detail}")
    return Isolation("namespaces")


def _numpy_file() -> str:
    spec = importlib.util.find_spec("numpy")  # found, not imported: the parent may not have imported it yet
    return spec.origin if spec and spec.origin else "/dev/null"


def require(allow_weak: bool, warn, protect: tuple[Path, ...] = ()) -> Isolation:
    """The isolation for instructor grading: full, or weaker only when allowed (and then said
    once, naming any of the `protect` folders, such as the course, that the child could read)."""
    found = detect()
    if found.full:
        return found
    if not allow_weak:
        raise WeakIsolation(
            f"This machine cannot sandbox student code fully: {found.describe()}. Grade as root on Linux "
            "(util-linux installed), or inside a container (see Security in the README), or pass "
            "--allow-weak-sandbox to accept this.")
    exposed = [str(p) for p in protect if found.level == "uid" and os.stat(p).st_mode & 0o005]
    fix = f" It could read {', '.join(exposed)}: run chmod -R o-rwx on them." if exposed else ""
    warn(f"Warning: {found.describe()}.{fix}")
    return found


@functools.cache
def python_binds() -> list[str]:
    """The read-only folders the child needs: the Python installation and its environment."""
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    outer = []
    for path in sorted(os.path.realpath(p) for p in paths):
        if path == "/usr" or path.startswith("/usr/") or any(path.startswith(o + "/") for o in outer):
            continue
        outer.append(path)
    # The original spellings too, when a symlink leads into the real folder.
    for path in paths:
        if path not in outer and os.path.realpath(path) != path and not path.startswith("/usr/"):
            outer.append(path)
    return outer


def launch_config(level: str, rundir: Path, workdir: Path, uid: int | None, argv: list[str],
                  env: dict[str, str], rlimits: dict[str, int], hide: list[str], disk_bytes: int,
                  spares: bool = False) -> dict:
    """What launcher.py needs; rundir/root is the mount point of the new root, and at level
    "uid" the child's copy of the files goes to rundir/submission. With `spares` (a fork
    server), the binds inside /tmp get a second mount point each, listed as [spare, path]."""
    (rundir / "root").mkdir(exist_ok=True)
    return {
        "level": level, "root": str(rundir / "root"), "workdir": str(workdir), "uid": uid, "gid": uid,
        "binds": python_binds(), "hide": [os.path.realpath(p) for p in hide], "code": str(SANDBOX_CODE),
        "disk_bytes": disk_bytes, "disk_inodes": DISK_INODES, "rlimits": rlimits, "argv": argv, "env": env,
        "spares": spare_binds() if spares else [],
    }


def spare_binds() -> list[list[str]]:
    """[spare, path] for each bind inside /tmp: a fork server's root mounts each such bind a
    second time at `spare`, and its children, which mount a fresh /tmp, bind it back from there."""
    in_tmp = [path for path in python_binds() if path == "/tmp" or path.startswith("/tmp/")]
    return [[f"/opt/python/{i}", path] for i, path in enumerate(in_tmp)]


def command(level: str, config: dict) -> list[str]:
    launcher = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(config)]
    return ["unshare", *NAMESPACES, "--", *launcher] if level == "namespaces" else launcher


class UidSlot:
    """An unprivileged uid that no other live sandbox holds (RLIMIT_NPROC counts per uid).

    Slots are claimed with a lock file each, so concurrent graders (several workers,
    several pytest processes) never share one; a crashed holder releases its lock.
    Uids that belong to a real account on this machine are skipped.
    """

    def __init__(self) -> None:
        self.uid: int | None = None
        self._lock: int | None = None

    def acquire(self) -> "UidSlot":
        if os.geteuid() != 0:
            return self
        SLOT_FOLDER.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(SLOT_FOLDER)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
            raise RuntimeError(f"{SLOT_FOLDER} must be a folder of root's that no one else can write to")
        for uid in range(UID_BASE, UID_BASE + UID_SLOTS):
            if _has_account(uid):
                continue
            fd = os.open(SLOT_FOLDER / str(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid, self._lock = uid, fd
            reap(uid)  # whatever a crashed earlier holder left running
            return self
        raise RuntimeError(f"all {UID_SLOTS} sandbox uids from {UID_BASE} are in use")

    def release(self) -> None:
        """Frees the uid once nothing of it runs any more: a dying process (a fork bomb's
        children, a process the kernel is still tearing down) would count against the next
        holder's RLIMIT_NPROC. A uid whose processes will not go stays locked by this process."""
        if self._lock is not None:
            if reap(self.uid, wait=RELEASE_SECONDS):
                os.close(self._lock)
            else:
                _STUCK.append(self._lock)
            self.uid = self._lock = None

    def __enter__(self) -> "UidSlot":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def reap(uid: int | None, wait: float = 0.0) -> bool:
    """Kills every process of a sandbox uid (kill(-1) as that user reaches exactly those).

    With `wait`, kills again until none is left (a fork can race a kill) or `wait` seconds
    have passed, and says whether the uid is empty.
    """
    if uid is None or os.geteuid() != 0:
        return True
    deadline = time.monotonic() + wait
    while True:
        _kill_all_of(uid)
        if not wait or not uid_processes(uid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def uid_processes(uid: int) -> list[int]:
    """Pids whose real uid is `uid`, zombies included (they still count against RLIMIT_NPROC)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        found.append(int(status.parent.name))
                    break
        except (OSError, ValueError):
            continue
    return found


def _kill_all_of(uid: int) -> None:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child exits at once
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
