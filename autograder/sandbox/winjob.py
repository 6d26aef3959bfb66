"""Windows: a cold child in a Job Object, the counterpart there of launcher.py's limits.

Windows has no fork, no process groups to kill and no rlimits, and its select() waits
on sockets only (pipes.py's ThreadChannel keeps the deadlines instead). What the
"none" level promises elsewhere - a clean environment and limits on memory, processes
and CPU time - comes here from a Job Object that the child joins before any student
code runs (the child only imports the student's modules when the first request comes);
closing or terminating the job kills the child and everything it started.
"""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from autograder.sandbox.limits import Limits, child_environment

JOB_OBJECT_LIMIT_PROCESS_TIME = 0x2
JOB_OBJECT_LIMIT_ACTIVE_PROCESS = 0x8
JOB_OBJECT_LIMIT_PROCESS_MEMORY = 0x100
JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION = 0x400  # no error dialog left waiting for a click
JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE = 0x2000  # the grader's death ends the child too
EXTENDED_LIMIT_INFORMATION = 9  # JOBOBJECTINFOCLASS.JobObjectExtendedLimitInformation
PROCESS_SET_QUOTA, PROCESS_TERMINATE = 0x0100, 0x0001
TICKS_PER_SECOND = 10_000_000  # job times are in 100 ns units
HANDLE = ctypes.c_void_p


class IoCounters(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint64) for name in (
        "ReadOperationCount", "WriteOperationCount", "OtherOperationCount",
        "ReadTransferCount", "WriteTransferCount", "OtherTransferCount")]


class BasicLimits(ctypes.Structure):
    _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                ("LimitFlags", ctypes.c_uint32), ("MinimumWorkingSetSize", ctypes.c_size_t),
                ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", ctypes.c_uint32),
                ("Affinity", ctypes.c_size_t), ("PriorityClass", ctypes.c_uint32),
                ("SchedulingClass", ctypes.c_uint32)]


class ExtendedLimits(ctypes.Structure):
    """JOBOBJECT_EXTENDED_LIMIT_INFORMATION (144 bytes on 64-bit Windows)."""

    _fields_ = [("BasicLimitInformation", BasicLimits), ("IoInfo", IoCounters),
                ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]


def limits_of(limits: Limits) -> ExtendedLimits:
    """The job's limits for a child: launcher.py's rlimits, as far as a job can express them."""
    info = ExtendedLimits()
    basic = info.BasicLimitInformation
    basic.LimitFlags = (JOB_OBJECT_LIMIT_PROCESS_TIME | JOB_OBJECT_LIMIT_ACTIVE_PROCESS
                        | JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
                        | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)
    basic.PerProcessUserTimeLimit = limits.cpu_seconds * TICKS_PER_SECOND
    basic.ActiveProcessLimit = limits.max_processes
    info.ProcessMemoryLimit = limits.memory_bytes
    return info


def environment(workdir: Path) -> dict[str, str]:
    """child_environment() with what Windows programs need to start (SYSTEMROOT: Python's
    random numbers come from the system's crypto library) and the child's folder for temp files."""
    folder = str(workdir)
    env = {key: value.replace("{workdir}", folder) for key, value in child_environment().items()}
    root = os.environ.get("SYSTEMROOT", r"C:\Windows")
    env.update(PATH=os.pathsep.join([os.path.join(root, "System32"), os.path.dirname(sys.executable)]),
               SYSTEMROOT=root, TEMP=folder, TMP=folder, USERPROFILE=folder)
    return env


class Job:
    """One child's Job Object."""

    def __init__(self, pid: int, limits: Limits) -> None:
        self._kernel32 = kernel32 = _kernel32()
        self.handle = kernel32.CreateJobObjectW(None, None)
        if not self.handle:
            raise ctypes.WinError(ctypes.get_last_error())
        info = limits_of(limits)
        process = kernel32.OpenProcess(PROCESS_SET_QUOTA | PROCESS_TERMINATE, False, pid)
        try:
            if not (process and kernel32.SetInformationJobObject(self.handle, EXTENDED_LIMIT_INFORMATION,
                                                                 ctypes.byref(info), ctypes.sizeof(info))
                    and kernel32.AssignProcessToJobObject(self.handle, process)):
                error = ctypes.WinError(ctypes.get_last_error())
                self.close()
                raise error
        finally:
            if process:
                kernel32.CloseHandle(process)

    def close(self) -> None:
        """Kills every process of the job (KILL_ON_JOB_CLOSE) and frees it."""
        if self.handle:
            self._kernel32.TerminateJobObject(self.handle, 1)
            self._kernel32.CloseHandle(self.handle)
            self.handle = None


def child_command(script: Path) -> list[str]:
    """The base interpreter, not a venv's python.exe: that one is a launcher that starts the base
    interpreter as a process of its own, which could begin before the job exists and would stay
    outside it. The venv's package folders follow as arguments, for the child to add to its path."""
    interpreter = getattr(sys, "_base_executable", None) or sys.executable
    folders = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    return [interpreter, "-I", "-B", str(script), *folders]


def start(argv: list[str], workdir: Path, limits: Limits, stdin: int, stdout: int,
          stderr: int) -> tuple[subprocess.Popen, Job]:
    """Starts a cold child in its folder, in a new process group, and puts it in a job."""
    proc = subprocess.Popen(argv, cwd=workdir, env=environment(workdir), stdin=stdin, stdout=stdout,
                            stderr=stderr, creationflags=subprocess.CREATE_NEW_PROCESS_GROUP
                            | subprocess.CREATE_NO_WINDOW)
    try:
        return proc, Job(proc.pid, limits)
    except OSError:
        proc.kill()
        proc.wait()
        raise


def _kernel32():
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32.CreateJobObjectW.restype = HANDLE
    kernel32.CreateJobObjectW.argtypes = [ctypes.c_void_p, ctypes.c_wchar_p]
    kernel32.OpenProcess.restype = HANDLE
    kernel32.OpenProcess.argtypes = [ctypes.c_uint32, ctypes.c_int, ctypes.c_uint32]
    kernel32.SetInformationJobObject.argtypes = [HANDLE, ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32]
    kernel32.AssignProcessToJobObject.argtypes = [HANDLE, HANDLE]
    kernel32.TerminateJobObject.argtypes = [HANDLE, ctypes.c_uint]
    kernel32.CloseHandle.argtypes = [HANDLE]
    return kernel32
