"""`autograder grade` against `otter run` and `nbgrader autograde` on the same class, in one run.

Builds the same students (correct, buggy and hostile in turn; see common.py) in our
format and, through `autograder export otter|nbgrader`, as the notebooks of those
tools, then times each tool as its instructors run it:

- ours: `autograder grade FOLDERS... --workers W` (a cold command: every start-up cost counts);
- otter: `otter run -a AUTOGRADER.zip NOTEBOOK` for each student's notebook of each assignment
  (otter's batch command, `otter grade`, needs Docker);
- nbgrader: `nbgrader autograde ASSIGNMENT --create` for each assignment, in a fresh copy
  of the course;
- plain: a script that imports TensorFlow and trains the Keras assignment's model
  (plain_keras.py), the floor for one cold submission.

One full submission is timed `--repeats` times, the tools in a rotating order; then the
batch of `--batch` students once per tool (`--otter-batch` and `--nbgrader-batch` take
the first students only, to bound a run: otter runs one process per notebook, nbgrader
one kernel per notebook, so their time per submission hardly depends on the batch).
Reports medians, ratios to ours and the peak resident memory of each kind of process.

    python benchmarks/compare.py [--batch 30] [--otter-batch N] [--nbgrader-batch N] [--repeats 3] [--work DIR]

Setting up (otter assign runs every notebook) takes a few minutes and is not timed.
"""
from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
from pathlib import Path

from common import BIN, ROOT, Run, Student, fill_notebook, measure, megabytes, plan, write_py
from conftest import ASSIGNMENTS



def run_checked(argv: list[str], cwd: Path | None = None) -> None:
    import subprocess

    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                          env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(Path.home())})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


class Setup:
    """The exported tools' assignments, and every student in every format."""

    def __init__(self, work: Path, students: list[Student]) -> None:
        self.work = work
        self.students = students
        autograder = str(BIN / "autograder")
        otter_root, nbgrader_root = work / "otter", work / "nbgrader"
        if not (otter_root / "done").exists():
            shutil.rmtree(otter_root, ignore_errors=True)
            run_checked([autograder, "export", "otter", str(otter_root)])
            for assignment in ASSIGNMENTS:
                print(f"otter assign {assignment} ...", flush=True)
                run_checked([str(BIN / "otter"), "assign", f"{assignment}.ipynb", "dist"], cwd=otter_root / assignment)
            (otter_root / "done").touch()
        if not (nbgrader_root / "done").exists():
            shutil.rmtree(nbgrader_root, ignore_errors=True)
            run_checked([autograder, "export", "nbgrader", str(nbgrader_root)])
            for assignment in ASSIGNMENTS:
                run_checked([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=nbgrader_root)
            (nbgrader_root / "done").touch()
        self.otter_zip = {a: next((otter_root / a / "dist" / "autograder").glob("*.zip")) for a in ASSIGNMENTS}
        self.nbgrader_course = nbgrader_root
        shutil.rmtree(work / "class", ignore_errors=True)
        for student in students:
            write_py(student, work / "class" / "ours" / student.id)
            for assignment in ASSIGNMENTS:
                fill_notebook(otter_root / assignment / "dist" / "student" / f"{assignment}.ipynb", assignment,
                              student, work / "class" / "otter" / student.id / f"{assignment}.ipynb")
                fill_notebook(nbgrader_root / "release" / assignment / f"{assignment}.ipynb", assignment, student,
                              work / "class" / "nbgrader" / student.id / assignment / f"{assignment}.ipynb")

    def ours(self, students: list[Student], workers: int, label: str) -> Run:
        out = self.work / "out" / label
        shutil.rmtree(out, ignore_errors=True)
        folders = [str(self.work / "class" / "ours" / s.id) for s in students]
        return measure([str(BIN / "autograder"), "grade", *folders, "--out", str(out), "--workers", str(workers)])

    def otter(self, students: list[Student], label: str) -> Run:
        runs = []
        for student in students:
            for assignment in ASSIGNMENTS:
                out = self.work / "out" / label / student.id / assignment
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                notebook = self.work / "class" / "otter" / student.id / f"{assignment}.ipynb"
                runs.append(measure([str(BIN / "otter"), "run", "-a", str(self.otter_zip[assignment]), "-o", str(out),
                                     str(notebook)], cwd=out))
        return combine(runs)

    def nbgrader(self, students: list[Student], label: str) -> Run:
        course = self.work / "out" / label
        shutil.rmtree(course, ignore_errors=True)
        shutil.copytree(self.nbgrader_course, course, ignore=shutil.ignore_patterns("autograded",
                                                                                       "submitted", "feedback"))
        for student in students:
            shutil.copytree(self.work / "class" / "nbgrader" / student.id, course / "submitted" / student.id)
        return combine([measure([str(BIN / "nbgrader"), "autograde", assignment, "--create"], cwd=course)
                        for assignment in ASSIGNMENTS])

    def plain(self) -> Run:
        return measure([sys.executable, str(ROOT / "benchmarks" / "plain_keras.py")])


def combine(runs: list[Run]) -> Run:
    """Commands run one after another: their seconds add up, their peaks do not."""
    peaks: dict[str, int] = {}
    for run in runs:
        for role, kb in run.peak_kb.items():
            peaks[role] = max(peaks.get(role, 0), kb)
    return Run(sum(r.seconds for r in runs), max(r.returncode for r in runs), peaks)


def machine() -> str:
    import os

    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Linux {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=30)
    parser.add_argument("--otter-batch", type=int, default=None, help="students otter grades in the batch "
                        "(default: --batch)")
    parser.add_argument("--nbgrader-batch", type=int, default=None, help="students nbgrader grades in the batch "
                        "(default: --batch)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", default="/tmp/autograder-benchmark")
    args = parser.parse_args()
    work = Path(args.work)
    students = plan(args.batch, notebook_parts=True)
    print(f"Setting up {len(students)} students in {work} ...", flush=True)
    setup = Setup(work, students)
    one = students[:1]  # a correct student

    single: dict[str, list[Run]] = {"ours": [], "otter": [], "nbgrader": [], "plain": []}
    tools = {"ours": lambda r: setup.ours(one, 1, f"ours-1-{r}"), "otter": lambda r: setup.otter(one, f"otter-1-{r}"),
             "nbgrader": lambda r: setup.nbgrader(one, f"nbgrader-1-{r}"), "plain": lambda r: setup.plain()}
    names = list(tools)
    for repeat in range(args.repeats):
        order = names[repeat % len(names):] + names[:repeat % len(names)]
        for name in order:
            single[name].append(tools[name](repeat))
            print(f"one submission, {name}: {single[name][-1].seconds:.1f} s", flush=True)

    otter_students = students[:args.otter_batch or args.batch]
    nbgrader_students = students[:args.nbgrader_batch or args.batch]
    batch = {}
    for name, job in (("ours --workers 2", lambda: setup.ours(students, 2, "ours-batch-2")),
                      ("otter", lambda: setup.otter(otter_students, "otter-batch")),
                      ("nbgrader", lambda: setup.nbgrader(nbgrader_students, "nbgrader-batch")),
                      ("ours --workers 1", lambda: setup.ours(students, 1, "ours-batch-1"))):
        batch[name] = job()
        print(f"batch, {name}: {batch[name].seconds:.1f} s", flush=True)
    report(args, single, batch, {"otter": len(otter_students), "nbgrader": len(nbgrader_students)}, len(students))


def report(args, single: dict[str, list[Run]], batch: dict[str, Run], counts: dict[str, int], count: int) -> None:
    print(f"\nMachine: {machine()}\n")
    ours = statistics.median(r.seconds for r in single["ours"])
    print(f"One full submission (a correct one; median of {args.repeats}, interleaved):\n")
    print("| tool | seconds | ratio to ours | exit status |")
    print("|---|---|---|---|")
    for name, runs in single.items():
        median = statistics.median(r.seconds for r in runs)
        print(f"| {name} | {median:.1f} | {median / ours:.2f} | {max(r.returncode for r in runs)} |")
    per = {name: run.seconds / counts.get(name, count) for name, run in batch.items()}
    print(f"\nA batch of {count} full submissions (correct, buggy and hostile in turn; otter: the first "
          f"{counts['otter']}, nbgrader: the first {counts['nbgrader']}):\n")
    print("| tool | seconds | seconds per submission | ratio to ours --workers 2 | exit status |")
    print("|---|---|---|---|---|")
    for name, run in batch.items():
        print(f"| {name} | {run.seconds:.1f} | {per[name]:.2f} | {per[name] / per['ours --workers 2']:.2f} "
              f"| {run.returncode} |")
    print("\nPeak resident memory of one process, by kind (VmHWM, which counts shared pages):\n")
    runs = {f"{k}, one submission": max(v, key=lambda r: r.seconds) for k, v in single.items()}
    runs.update({f"{k}, batch": v for k, v in batch.items()})
    print("| run | " + " | ".join(["process", "peak"]) + " |")
    print("|---|---|---|")
    for label, run in runs.items():
        for role, kb in sorted(run.peak_kb.items(), key=lambda item: -item[1]):
            print(f"| {label} | {role} | {megabytes(kb)} |")
    faster = min(("otter", "nbgrader"), key=lambda n: per[n])
    print(f"\nThroughput, ours (--workers 2) over the faster of otter and nbgrader ({faster}): "
          f"{per[faster] / per['ours --workers 2']:.1f}x; with --workers 1: {per[faster] / per['ours --workers 1']:.1f}x")
    print(f"One cold submission, ours over the plain script: "
          f"{ours / statistics.median(r.seconds for r in single['plain']):.2f}x")
    (Path(args.work) / "compare.json").write_text(json.dumps({
        "machine": machine(), "single": {k: [vars(r) for r in v] for k, v in single.items()},
        "batch": {k: vars(v) for k, v in batch.items()}, "count": count, "counts": counts}, indent=1))


if __name__ == "__main__":
    main()
