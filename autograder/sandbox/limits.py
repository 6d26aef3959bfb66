"""What a sandboxed child is given: its time and resource limits and its environment."""
from __future__ import annotations

from dataclasses import dataclass

# What a batch worker may take beyond the sandbox's own per-submission limit (staging, pytest).
DEADLINE_MARGIN = 120.0


@dataclass
class Limits:
    """Time and resource limits for one submission's child.

    call_seconds and import_seconds are CPU time, which a loaded machine does not stretch
    (child.py's CpuWatch keeps them); each request also has a wall-clock backstop, far
    longer, for code that waits instead of computing. total_seconds is wall-clock time."""

    call_seconds: float = 20.0
    import_seconds: float = 60.0
    total_seconds: float = 900.0
    wall_factor: float = 5.0  # the backstop: wall_factor * the CPU limit + wall_slack seconds
    wall_slack: float = 10.0
    max_reply_bytes: int = 64 << 20
    max_file_bytes: int = 64 << 20
    max_open_files: int = 256
    disk_bytes: int = 128 << 20  # each of the child's writable folders (with namespaces)
    memory_bytes: int = 2 << 30  # RLIMIT_DATA: heap and private mappings (RLIMIT_AS breaks TensorFlow)
    max_processes: int = 256  # threads included; applies with a separate uid
    cpu_seconds: int = 1200

    def backstop(self, cpu_seconds: float) -> float:
        """The wall-clock time after which a request is stopped, whatever CPU time it used."""
        return cpu_seconds * self.wall_factor + self.wall_slack

    def rlimits(self, own_uid: bool) -> dict[str, int]:
        limits = {"RLIMIT_CORE": 0, "RLIMIT_FSIZE": self.max_file_bytes, "RLIMIT_NOFILE": self.max_open_files,
                  "RLIMIT_DATA": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds}
        if own_uid:  # RLIMIT_NPROC counts every process of the uid: only safe for a uid of our own
            limits["RLIMIT_NPROC"] = self.max_processes
        return limits


def child_environment() -> dict[str, str]:
    """A clean environment: nothing of the grader's (tokens, paths) reaches the child.

    The launcher puts the child's own folder in place of {workdir}.
    """
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": "{workdir}",
        "PWD": "{workdir}",
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_HOME": "{workdir}/.keras",
    }
