"""What the benchmarks share: a generated class, and a command runner that measures it.

A class is made of three kinds of students, in turn:

- correct: the reference solutions;
- buggy: the reference with one mutant of tests/test_mutants.py (real student mistakes,
  every assignment in turn);
- hostile: the reference with a relu that misbehaves in a bounded way (exits the
  process, floods the output, leaves a process running, raises SystemExit), so that
  no tool hangs and the time measured is the tools', not a student's sleep.

Each student can be written in our format (a folder of .py files) or as the notebooks
of the otter and nbgrader exports, filled in with the same code.

`measure` runs a command and samples /proc every 50 ms for the peak resident memory
(VmHWM) of each process it starts, grouped by role.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
BIN = Path(sys.executable).parent

RELU = "def relu(z):\n    return np.maximum(0.0, z)\n"
HOSTILE = {
    "exits the process when called": "def relu(z):\n    import os\n    os._exit(1)\n",
    "floods its output": "def relu(z):\n    print('x' * (1 << 22))\n    return np.maximum(0.0, z)\n",
    "leaves a process running": "def relu(z):\n    import subprocess\n    if not hasattr(relu, 'started'):\n"
                                "        relu.started = subprocess.Popen(['sleep', '30'])\n"
                                "    return np.maximum(0.0, z)\n",
    "raises SystemExit": "def relu(z):\n    raise SystemExit(0)\n",
}


@dataclass(frozen=True)
class Student:
    id: str
    kind: str  # correct, buggy or hostile
    label: str  # which mistake or attack
    edits: dict = field(default_factory=dict)  # assignment -> [(old, new), ...] on the reference


def mutants(notebook_parts: bool = False) -> list:
    """The mutants of the test suite (in notebooks only those whose snippets each lie in one part)."""
    from test_mutants import MUTANTS

    if not notebook_parts:
        return list(MUTANTS)
    from autograder.release.notebooks import answer_code
    from autograder.release.source import read
    from conftest import COURSE

    course = COURSE
    solutions = {}
    for mutant in MUTANTS:
        if mutant.module not in solutions:
            lesson = read(course, mutant.module)
            solutions[mutant.module] = [answer_code(p, "solution") for p in lesson.parts if p.functions]
    return [m for m in MUTANTS if all(any(old in s for s in solutions[m.module]) for old, _ in m.replacements)]


def plan(count: int, notebook_parts: bool = False) -> list[Student]:
    """`count` students, correct, buggy and hostile in turn."""
    bugs = mutants(notebook_parts)
    attacks = list(HOSTILE.items())
    students = []
    for i in range(count):
        kind = ("correct", "buggy", "hostile")[i % 3]
        if kind == "correct":
            students.append(Student(f"s{i:03d}", kind, "reference"))
        elif kind == "buggy":
            bug = bugs[(i // 3 * 7) % len(bugs)]  # a stride through the list: every assignment comes up
            students.append(Student(f"s{i:03d}", kind, bug.id, {bug.module: list(bug.replacements)}))
        else:
            name, relu = attacks[(i // 3) % len(attacks)]
            students.append(Student(f"s{i:03d}", kind, name, {"activations": [(RELU, relu)]}))
    return students


def write_py(student: Student, folder: Path) -> Path:
    """Our format: a folder of the five modules."""
    from conftest import build_submission, patched_source

    return build_submission(folder, {f"{module}.py": patched_source(module, edits)
                                     for module, edits in student.edits.items()})


def fill_notebook(template: Path, assignment: str, student: Student, out: Path) -> Path:
    """A released notebook (otter's student copy or nbgrader's release) with each answer cell
    holding the reference code of its part, edited as the student's mistakes say."""
    import nbformat

    from conftest import COURSE, filled_in

    notebook = filled_in(nbformat.read(str(template), as_version=4), assignment, COURSE,
                         student.edits.get(assignment, []))
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(out))
    return out


# -- measuring ------------------------------------------------------------------------
ROLES = [  # (role, pattern on the command line); the first match names a process
    ("sandbox child", None),  # any process of a sandbox uid
    ("fork server", re.compile(r"forkserver\.py")),
    ("sandbox launcher", re.compile(r"launcher\.py|^unshare")),
    ("grading worker", re.compile(r"multiprocessing")),
    ("autograder command", re.compile(r"bin/autograder|autograder\.cli|-m autograder")),
    ("jupyter kernel", re.compile(r"ipykernel")),
    ("otter", re.compile(r"bin/otter")),
    ("nbgrader", re.compile(r"bin/nbgrader")),
    ("python script", re.compile(r"python")),
]


def role_of(cmdline: str, uid: int) -> str:
    from autograder.sandbox import isolation

    if isolation.UID_BASE <= uid < isolation.UID_BASE + isolation.UID_SLOTS:
        return "sandbox child"
    for role, pattern in ROLES[1:]:
        if pattern.search(cmdline):
            return role
    return "other"


@dataclass
class Run:
    seconds: float
    returncode: int
    peak_kb: dict[str, int]  # role -> the largest VmHWM of a process in that role
    worker_kb: dict[str, int] = field(default_factory=dict)  # "rss"/"pss" -> the largest sum over one worker's tree


def _parents() -> dict[int, int]:
    """pid -> ppid of every process, from /proc/PID/stat (one small read each)."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as handle:
                    found[int(entry.name)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return found


def _processes(pids: set[int]) -> dict[int, tuple[int, int, int, int, str]]:
    """pid -> (ppid, uid, VmHWM in kB, VmRSS in kB, command line), for these processes."""
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        hwm = int(fields.get("VmHWM", "0 kB").split()[0])
        rss = int(fields.get("VmRSS", "0 kB").split()[0])
        found[pid] = (int(fields["PPid"]), int(fields["Uid"].split()[0]), hwm, rss, cmdline)
    return found


def _pss(pid: int) -> int:
    """The proportional set size in kB: a page shared by n processes counts 1/n in each, so a sum is honest."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return next((int(line.split()[1]) for line in handle if line.startswith("Pss:")), 0)
    except OSError:
        return 0


def _descendants(parents: dict[int, int], roots: set[int]) -> set[int]:
    family = set(roots)
    for _ in range(12):  # a level at a time
        family |= {pid for pid, ppid in parents.items() if ppid in family}
    return family


def measure(argv: list[str], cwd: Path | None = None, env: dict | None = None) -> Run:
    """Runs argv to its end: wall seconds, the peak memory of each role among its processes, and
    the peak memory of one grading worker's tree (worker, fork server, launcher and child together;
    where no worker runs, the command's tree), as summed VmRSS (which counts shared pages in every
    process) and summed PSS (which shares them out)."""
    peaks: dict[int, tuple[str, int]] = {}
    worker = {"rss": 0, "pss": 0}
    done = threading.Event()

    def sample(root: int) -> None:
        rounds = 0
        while not done.is_set():
            parents = _parents()
            table = _processes(_descendants(parents, {root}))
            for pid, (_, uid, hwm, _rss, cmdline) in table.items():
                if hwm > peaks.get(pid, ("", 0))[1]:
                    peaks[pid] = (role_of(cmdline, uid), hwm)
            workers = [pid for pid, row in table.items() if role_of(row[4], row[1]) == "grading worker"]
            for tree in [_descendants(parents, {w}) for w in workers] or [set(table)]:
                tree &= table.keys()
                worker["rss"] = max(worker["rss"], sum(table[pid][3] for pid in tree))
                if rounds % 5 == 0:  # walking a large process's page tables costs milliseconds
                    worker["pss"] = max(worker["pss"], sum(_pss(pid) for pid in tree))
            rounds += 1
            done.wait(0.1)

    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    by_role: dict[str, int] = {}
    for role, hwm in peaks.values():
        by_role[role] = max(by_role.get(role, 0), hwm)
    return Run(seconds, code, by_role, worker)


def megabytes(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"
