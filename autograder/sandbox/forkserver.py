"""A warm start for sandboxed children: imports once, forks a fresh walled-in child per submission.

Started by the parent through launcher.py like any child - inside new namespaces, on
the private read-only root - but it stays root there and runs only trusted code: it
imports Python's heavy modules (numpy, and TensorFlow with Keras when the assignments
need them) while it is still single-threaded, then waits on a Unix socket. For each
request it forks a "keeper" that

1. enters new mount, PID, network, IPC and UTS namespaces,
2. mounts a fresh /submission (the request's files, owned by the child's uid) and /tmp
   (binding again what the sandbox's root binds inside /tmp: a Python installed there),
3. forks the child proper: PID 1 of the new PID namespace, with its own /proc, which
   sets the resource limits, drops to its unprivileged uid with no new privileges, and
   serves the parent's calls (child.py's loop) on the pipes the request passed in,

and then waits for the child and writes its exit status to the request's status pipe.
So every child starts from the same clean, already-imported state and shares nothing
with another child but read-only memory; student code never runs in this process.

Run as ``python -I -B forkserver.py SOCKET_FD MODULES`` (MODULES: comma-separated).
"""
import importlib
import importlib.util
import os
import signal
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
PR_SET_PDEATHSIG = 1
FDS_PER_REQUEST = 4  # requests (read end), replies (write end), output, status (write end)


# child.py, under a private name that no student module can shadow; it loads the rest.
_spec = importlib.util.spec_from_file_location("_autograder_child", os.path.join(HERE, "child.py"))
child = sys.modules["_autograder_child"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(child)
launcher = child._load_private("_autograder_launcher", "launcher.py")
wire = child.wire


def thread_count() -> int:
    """Threads of this process: forking is only safe while there is one."""
    return len(os.listdir("/proc/self/task"))


def preload(modules: list[str]) -> None:
    for name in modules:
        importlib.import_module(name)
    child._load_private("_autograder_probes", "probes.py")


def write_files(root: str, files: list, blobs: list[bytes], uid: int, gid: int) -> None:
    """The request's files under root, owned by the child's uid (folders 700, files 600)."""
    for relative, index in files:
        parts = [p for p in str(relative).split("/") if p]
        if not parts or any(p in (".", "..") for p in parts):
            raise ValueError(f"bad file name {relative!r}")
        folder = root
        for part in parts[:-1]:
            folder = os.path.join(folder, part)
            if not os.path.isdir(folder):
                os.mkdir(folder, 0o700)
                os.chown(folder, uid, gid)
        path = os.path.join(folder, parts[-1])
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(blobs[index])
        os.chown(path, uid, gid)
    os.chown(root, uid, gid)


def keeper(request: dict, blobs: list[bytes], fds: list[int], server: socket.socket) -> None:
    """Sets up one child's walls, starts it, and reports how it ended. Never returns."""
    requests, replies, output, status = fds
    server.close()
    code = launcher.SETUP_FAILED
    try:
        libc = launcher._libc
        flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
        launcher._check(libc.unshare(flags), "unshare")
        launcher.mount(None, "/", None, launcher.MS_REC | launcher.MS_PRIVATE)
        uid, gid = request["uid"], request["gid"]
        disk, inodes = request["disk_bytes"], request["disk_inodes"]
        launcher.tmpfs("/tmp", disk, inodes, "1777")
        for spare, path in request.get("spares", []):  # a Python installed under /tmp, hidden by the new /tmp
            launcher.bind(spare, path)
        launcher.tmpfs("/submission", disk, inodes, "700")
        write_files("/submission", request["files"], blobs, uid, gid)
        pid = os.fork()
        if pid == 0:
            os.close(status)
            become_child(request, requests, replies, output)
        for fd in (requests, replies, output):  # the child's now: its output ends when it does
            os.close(fd)
        output = -1
        _, wait_status = os.waitpid(pid, 0)
        code = -os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else os.WEXITSTATUS(wait_status)
    except BaseException as exc:  # noqa: BLE001 - told to the parent as a set-up failure
        if output >= 0:
            os.write(output, f"sandbox set-up failed: {type(exc).__name__}: {exc}\n".encode())
    finally:
        try:
            os.write(status, f"{code}\n".encode())
        finally:
            os._exit(0)


def become_child(request: dict, requests: int, replies: int, output: int) -> None:
    """PID 1 of the new namespace: own /proc, limits, the student's uid, then child.py's loop."""
    try:
        launcher.mount("proc", "/proc", "proc", launcher.MS_NOSUID | launcher.MS_NODEV | launcher.MS_NOEXEC)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.close(output)
        launcher.limit_resources(request["rlimits"], strict=True)
        launcher.drop_privileges(request["uid"], request["gid"])
        launcher._check(launcher._libc.prctl(launcher.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        launcher._check(launcher._libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        os.chdir("/submission")
        os.environ.clear()
        os.environ.update({k: v.replace("{workdir}", "/submission") for k, v in request["env"].items()})
    except BaseException as exc:  # noqa: BLE001 - the keeper reports the exit status
        os.write(2, f"sandbox set-up failed: {type(exc).__name__}: {exc}\n".encode())
        os._exit(launcher.SETUP_FAILED)
    try:
        child.serve(requests, replies)
    finally:
        os._exit(0)


def serve(sock: socket.socket) -> None:
    """One request at a time: read it with its pipes, fork its keeper, answer with the keeper's pid."""
    stream = sock.makefile("rb", buffering=0)
    while True:
        try:
            _, fds, _, _ = socket.recv_fds(sock, 1, FDS_PER_REQUEST)
            request, blobs = wire.read_frame(stream)
        except (EOFError, OSError, wire.WireError):
            return
        if len(fds) != FDS_PER_REQUEST:
            for fd in fds:
                os.close(fd)
            wire.write_frame(sock.fileno(), {"ok": False, "error": "a request needs exactly four pipes"})
            continue
        threads = thread_count()
        if threads != 1:
            for fd in fds:
                os.close(fd)
            wire.write_frame(sock.fileno(), {"ok": False, "error": f"the fork server has {threads} threads"})
            continue
        pid = os.fork()
        if pid == 0:
            keeper(request, blobs, fds, sock)
        for fd in fds:
            os.close(fd)
        reap()
        wire.write_frame(sock.fileno(), {"ok": True, "keeper": pid})


def reap() -> None:
    """Collects keepers that have finished (their children's statuses went to the parent)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    modules = [m for m in sys.argv[2].split(",") if m]
    try:
        preload(modules)
    except BaseException as exc:  # noqa: BLE001 - the parent falls back to cold starts
        wire.write_frame(sock.fileno(), {"ok": False, "error": f"preloading failed: {type(exc).__name__}: {exc}"})
        return
    wire.write_frame(sock.fileno(), {"ok": True, "ready": modules, "threads": thread_count()})
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    serve(sock)


if __name__ == "__main__":
    main()
