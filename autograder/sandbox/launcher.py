"""Sets up the sandbox around one child, then becomes it.

Run by the parent as ``python -I -S launcher.py CONFIG_JSON``, in new mount, PID,
network, IPC and UTS namespaces when the machine allows them (``unshare``). It is
trusted code that runs as root until its last step, so it reads nothing the student
wrote except the staged files it copies, and imports only the standard library.

With namespaces (level "namespaces") it builds a new root file system on a tmpfs:
/usr and the Python installation bound read-only, the grader's sandbox code in
/opt/sandbox, a private /proc, /dev with four devices, a synthetic /etc, and two
small writable tmpfs: /submission (a fresh copy of the staged files) and /tmp.
It pivots into that root and detaches the old one, so nothing else of the host's
file system (solutions, hidden tests, other submissions, results) exists there.
At level "uid" the child's copy of the files is a folder of the run directory.
Then, at every level: resource limits, a separate unprivileged uid (when root),
no new privileges, a clean environment, and exec of the child. A fork server
(forkserver.py) is launched the same way with no uid: it stays root inside the
namespaces and walls in each child it forks itself.
"""
import ctypes
import json
import os
import platform
import shutil
import socket
import stat
import sys

try:
    import resource
except ImportError:  # pragma: no cover - not POSIX: limit_resources leaves the limits out (level "none")
    resource = None

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "arm64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
SETUP_FAILED = 121  # the exit status that tells the parent the sandbox, not the student, failed

try:
    _libc = ctypes.CDLL(None, use_errno=True)  # the running C library: mount, prctl, pivot_root (Linux only)
except (OSError, TypeError):  # pragma: no cover - Windows has no such handle
    _libc = None


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def bind(source: str, target: str, writable: bool = False, device: bool = False) -> None:
    """Binds source at target (made to match: a directory or a file), read-only unless asked;
    device files only work where asked for."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    mount(source, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if device else MS_NODEV) | (0 if writable else MS_RDONLY)
    mount(None, target, None, flags)


def tmpfs(target: str, size: int, inodes: int, mode: str, readonly: bool = False) -> None:
    os.makedirs(target, exist_ok=True)
    flags = MS_NOSUID | MS_NODEV | (MS_RDONLY if readonly else 0)
    mount("tmpfs", target, "tmpfs", flags, f"size={size},nr_inodes={inodes},mode={mode}")


def inside(root: str, path: str) -> str:
    return os.path.join(root, path.lstrip("/"))


def copy_tree(source: str, target: str, uid: int, gid: int) -> None:
    """Copies regular files and folders only (the parent staged them; links are never followed)."""
    for name in os.listdir(source):
        src, dst = os.path.join(source, name), os.path.join(target, name)
        info = os.lstat(src)
        if stat.S_ISDIR(info.st_mode):
            os.mkdir(dst, 0o700)
            copy_tree(src, dst, uid, gid)
        elif stat.S_ISREG(info.st_mode):
            shutil.copyfile(src, dst, follow_symlinks=False)
            os.chmod(dst, 0o600)
        else:
            continue
        os.lchown(dst, uid, gid)


def private_copy(source: str, target: str, uid: int, gid: int) -> None:
    """The child's own copy of the staged files, owned by its uid, made afresh for every child."""
    os.makedirs(target, mode=0o700, exist_ok=True)
    copy_tree(source, target, uid, gid)
    os.chown(target, uid, gid)


def write_etc(etc: str, uids: list[int]) -> None:
    """Just enough of /etc for the dynamic loader and for code that looks up its own user
    (each of `uids` is a "student", with a group of the same number)."""
    os.makedirs(etc, exist_ok=True)
    files = {
        "passwd": "root:x:0:0:root:/root:/bin/false\n" + "".join(
            f"student:x:{uid}:{uid}:student:/submission:/bin/false\n" for uid in uids),
        "group": "root:x:0:\n" + "".join(f"student:x:{uid}:\n" for uid in uids),
        "hosts": "127.0.0.1 localhost sandbox\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
    }
    for name, text in files.items():
        with open(os.path.join(etc, name), "w") as out:
            out.write(text)
    for name in ("ld.so.cache", "ld.so.conf", "localtime"):
        path = os.path.join("/etc", name)
        if os.path.isfile(path):
            shutil.copyfile(path, os.path.join(etc, name))
    if os.path.isdir("/etc/ld.so.conf.d"):
        shutil.copytree("/etc/ld.so.conf.d", os.path.join(etc, "ld.so.conf.d"), symlinks=True)


def build_root(config: dict) -> None:
    """The new root file system, entered with pivot_root; the host's root is detached."""
    root = config["root"]
    uid, gid = (config["uid"], config["gid"]) if config["uid"] is not None else (0, 0)  # 0: the fork server
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    tmpfs(root, 16 << 20, 4096, "755")
    bind("/usr", inside(root, "usr"))
    for name in ("bin", "lib", "lib32", "lib64", "sbin"):
        host = "/" + name
        if os.path.islink(host):
            os.symlink(os.readlink(host), inside(root, name))
        elif os.path.isdir(host):
            bind(host, inside(root, name))
    dev = inside(root, "dev")
    os.makedirs(dev)
    for name in ("null", "zero", "random", "urandom"):
        bind("/dev/" + name, os.path.join(dev, name), writable=True, device=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(dev, name))
    os.makedirs(inside(root, "proc"))
    mount("proc", inside(root, "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    write_etc(inside(root, "etc"), config.get("students") or [uid])
    disk, inodes = config["disk_bytes"], config["disk_inodes"]
    tmpfs(inside(root, "tmp"), disk, inodes, "1777")
    tmpfs(inside(root, "submission"), disk, inodes, "700")
    private_copy(config["workdir"], inside(root, "submission"), uid, gid)
    # After /tmp: a Python installed under /tmp (a checkout there) is bound inside the new /tmp.
    for source in config["binds"]:
        bind(source, inside(root, source))
    for path in config["hide"]:
        if any(path == s or path.startswith(s.rstrip("/") + "/") for s in config["binds"] + ["/usr"]):
            if os.path.isdir(inside(root, path)):
                tmpfs(inside(root, path), 4096, 16, "755", readonly=True)
    # A fork server's children each mount a fresh /tmp, which hides what is bound inside it:
    # they bind it again from these spare mount points (hidden folders included).
    for spare, path in config.get("spares", []):
        bind(inside(root, path), inside(root, spare))
    bind(config["code"], inside(root, "/opt/sandbox"))
    mount(None, root, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(root)
    number = PIVOT_ROOT.get(platform.machine())
    if number is None:
        os.chroot(".")
    else:
        # pivot_root(".", "."): the old root ends up stacked on the new one, then is detached.
        _check(_libc.syscall(number, b".", b"."), "pivot_root")
        _check(_libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    socket.sethostname("sandbox")


def limit_resources(limits: dict, strict: bool) -> None:
    """Hard limits: the child cannot raise them again. Off Linux (level "none") a limit the
    system does not support is left out rather than stopping a student's own check."""
    for name, value in limits.items():
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (AttributeError, ValueError, OSError):
            if strict:
                raise


def drop_privileges(uid: int, gid: int) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


def main() -> None:
    config = json.loads(sys.argv[1])
    try:
        if config["level"] == "namespaces":
            build_root(config)
            workdir = "/submission"
        elif config["level"] == "uid":  # beside the (unmounted) root folder, which its uid can pass through
            workdir = os.path.join(os.path.dirname(config["root"]), "submission")
            os.chmod(os.path.dirname(workdir), 0o711)
            private_copy(config["workdir"], workdir, config["uid"], config["gid"])
        else:
            workdir = config["workdir"]
        limit_resources(config["rlimits"], strict=config["level"] != "none")
        if config.get("uid") is not None and os.geteuid() == 0:
            drop_privileges(config["uid"], config["gid"])
        if sys.platform.startswith("linux"):
            _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        os.chdir(workdir)
        env = {k: v.replace("{workdir}", workdir) for k, v in config["env"].items()}
        os.execve(config["argv"][0], config["argv"], env)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as a set-up failure
        print(f"sandbox set-up failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        os._exit(SETUP_FAILED)


if __name__ == "__main__":
    main()
