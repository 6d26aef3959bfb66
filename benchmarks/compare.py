"""`autograder grade` against otter and nbgrader on the same class, in one run.

Builds the same students (correct, buggy and hostile in turn; see common.py) in our
format and as the notebooks of otter's and nbgrader's own assignments for our course
(native.py: plain asserts in test cells, the student's notebook executed by the tool,
nothing of ours inside), then times each tool as its instructors run it:

- ours: `autograder grade FOLDERS... --workers W` (a cold command: every start-up cost counts);
- otter: `otter run -a AUTOGRADER.zip NOTEBOOK` for each student's notebook of each assignment
  (otter's batch command, `otter grade`, needs Docker);
- nbgrader: `nbgrader autograde ASSIGNMENT --create` for each assignment, in a fresh copy
  of the course, all the students at once;
- plain: a script that imports TensorFlow and trains the Keras assignment's model
  (plain_keras.py), the floor for one cold submission;
- a separate row: otter and nbgrader on the notebooks of `autograder export otter|nbgrader`,
  whose hidden cells call our graders (what a course gets that keeps its tool and uses ours
  inside it), one submission, once (`--export-repeats 0` leaves them out).

One full submission is timed `--repeats` times, the tools in a rotating order; then the
batch of `--batch` students once per tool, in turn. Every tool grades all of them unless
`--otter-batch` or `--nbgrader-batch` cap it, which the report says next to the figure.
The cost per extra student is (batch - one) / (students - 1): what grading one more costs.
Reports medians, ratios to ours, how many students each tool gave full marks, the peak
resident memory of each kind of process and of one grading worker with its fork server
and child together.

    python benchmarks/compare.py [--batch 30] [--otter-batch N] [--nbgrader-batch N] [--repeats 3]
                                 [--export-repeats 1] [--work DIR]

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
from native import Native


def run_checked(argv: list[str], cwd: Path | None = None) -> None:
    import subprocess

    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True,
                          env={"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(Path.home())})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


class Setup:
    """The tools' assignments (native, and through our exports), and every student in every format."""

    def __init__(self, work: Path, students: list[Student], exports: bool) -> None:
        self.work = work
        self.students = students
        self.native = Native(work, run_checked)
        self.otter_zip = {"native": self.native.otter_zip}
        self.nbgrader_course = {"native": self.native.nbgrader_root}
        shutil.rmtree(work / "class", ignore_errors=True)
        for student in students:
            write_py(student, work / "class" / "ours" / student.id)
            self.native.write(student, work / "class")
        if exports:
            self._exports(students[:1])

    def _exports(self, students: list[Student]) -> None:
        work, autograder = self.work, str(BIN / "autograder")
        otter_root, nbgrader_root = work / "export-otter", work / "export-nbgrader"
        if not (otter_root / "done").exists():
            shutil.rmtree(otter_root, ignore_errors=True)
            run_checked([autograder, "export", "otter", str(otter_root)])
            for assignment in ASSIGNMENTS:
                print(f"otter assign {assignment} (export) ...", flush=True)
                run_checked([str(BIN / "otter"), "assign", f"{assignment}.ipynb", "dist"], cwd=otter_root / assignment)
            (otter_root / "done").touch()
        if not (nbgrader_root / "done").exists():
            shutil.rmtree(nbgrader_root, ignore_errors=True)
            run_checked([autograder, "export", "nbgrader", str(nbgrader_root)])
            for assignment in ASSIGNMENTS:
                run_checked([str(BIN / "nbgrader"), "generate_assignment", assignment, "--force"], cwd=nbgrader_root)
            (nbgrader_root / "done").touch()
        self.otter_zip["export"] = {a: next((otter_root / a / "dist" / "autograder").glob("*.zip")) for a in ASSIGNMENTS}
        self.nbgrader_course["export"] = nbgrader_root
        for student in students:
            for assignment in ASSIGNMENTS:
                fill_notebook(otter_root / assignment / "dist" / "student" / f"{assignment}.ipynb", assignment,
                              student, work / "class" / "export-otter" / student.id / f"{assignment}.ipynb")
                fill_notebook(nbgrader_root / "release" / assignment / f"{assignment}.ipynb", assignment, student,
                              work / "class" / "export-nbgrader" / student.id / assignment / f"{assignment}.ipynb")

    def ours(self, students: list[Student], workers: int, label: str) -> Run:
        out = self.work / "out" / label
        shutil.rmtree(out, ignore_errors=True)
        folders = [str(self.work / "class" / "ours" / s.id) for s in students]
        run = measure([str(BIN / "autograder"), "grade", *folders, "--out", str(out), "--workers", str(workers)])
        records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
        run.full_marks = sum(r["score"] == r["max_score"] for r in records)
        return run

    def otter(self, students: list[Student], label: str, flavour: str = "native") -> Run:
        runs, full = [], 0
        for student in students:
            scores = []
            for assignment in ASSIGNMENTS:
                out = self.work / "out" / label / student.id / assignment
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                notebook = self.work / "class" / f"{flavour}-otter" / student.id / f"{assignment}.ipynb"
                runs.append(measure([str(BIN / "otter"), "run", "-a", str(self.otter_zip[flavour][assignment]),
                                     "-o", str(out), str(notebook)], cwd=out))
                scores.append(otter_score(out / "results.json"))
            full += all(score == most for score, most in scores)
        run = combine(runs)
        run.full_marks = full
        return run

    def nbgrader(self, students: list[Student], label: str, flavour: str = "native") -> Run:
        course = self.work / "out" / label
        shutil.rmtree(course, ignore_errors=True)
        shutil.copytree(self.nbgrader_course[flavour], course,
                        ignore=shutil.ignore_patterns("autograded", "submitted", "feedback"))
        for student in students:
            shutil.copytree(self.work / "class" / f"{flavour}-nbgrader" / student.id, course / "submitted" / student.id)
        run = combine([measure([str(BIN / "nbgrader"), "autograde", assignment, "--create"], cwd=course)
                       for assignment in ASSIGNMENTS])
        run.full_marks = nbgrader_full_marks(course, [s.id for s in students])
        return run

    def plain(self) -> Run:
        return measure([sys.executable, str(ROOT / "benchmarks" / "plain_keras.py")])


def otter_score(results: Path) -> tuple[float, float]:
    """(score, most) of one `otter run`; a notebook otter could not grade scores (0, 1)."""
    try:
        tests = [t for t in json.loads(results.read_text())["tests"] if "max_score" in t]
    except (OSError, ValueError, KeyError):
        return 0.0, 1.0
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)


def nbgrader_full_marks(course: Path, ids: list[str]) -> int:
    """Students whose every assignment nbgrader's gradebook holds at full marks."""
    from nbgrader.api import Gradebook, MissingEntry

    full = 0
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ids:
            try:
                full += all(s.score == s.max_score for s in (gradebook.find_submission(a, student) for a in ASSIGNMENTS))
            except MissingEntry:
                pass
    return full


def combine(runs: list[Run]) -> Run:
    """Commands run one after another: their seconds add up, their peaks do not."""
    peaks: dict[str, int] = {}
    worker: dict[str, int] = {}
    for run in runs:
        for role, kb in run.peak_kb.items():
            peaks[role] = max(peaks.get(role, 0), kb)
        for key, kb in run.worker_kb.items():
            worker[key] = max(worker.get(key, 0), kb)
    return Run(sum(r.seconds for r in runs), max(r.returncode for r in runs), peaks, worker)


def machine() -> str:
    import os

    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Linux {platform.release()}, Python {platform.python_version()}"


def versions() -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in ("tensorflow-cpu", "keras", "otter-grader", "nbgrader")
                     if _installed(name))


def _installed(name: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(name)
    except PackageNotFoundError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=30)
    parser.add_argument("--otter-batch", type=int, default=None, help="students otter grades in the batch "
                        "(default: --batch)")
    parser.add_argument("--nbgrader-batch", type=int, default=None, help="students nbgrader grades in the batch "
                        "(default: --batch)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--export-repeats", type=int, default=1, help="runs of otter and nbgrader on our exports "
                        "(one submission; 0: none)")
    parser.add_argument("--work", default="/tmp/autograder-benchmark")
    args = parser.parse_args()
    work = Path(args.work)
    students = plan(args.batch, notebook_parts=True)
    print(f"Setting up {len(students)} students in {work} ...", flush=True)
    setup = Setup(work, students, exports=args.export_repeats > 0)
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
    exported: dict[str, list[Run]] = {"otter on our export": [], "nbgrader on our export": []}
    for repeat in range(args.export_repeats):
        exported["otter on our export"].append(setup.otter(one, f"export-otter-{repeat}", "export"))
        exported["nbgrader on our export"].append(setup.nbgrader(one, f"export-nbgrader-{repeat}", "export"))
        print(f"one submission, exports: {exported['otter on our export'][-1].seconds:.1f} s, "
              f"{exported['nbgrader on our export'][-1].seconds:.1f} s", flush=True)

    otter_students = students[:args.otter_batch or args.batch]
    nbgrader_students = students[:args.nbgrader_batch or args.batch]
    batch = {}
    for name, job in (("ours --workers 2", lambda: setup.ours(students, 2, "ours-batch-2")),
                      ("nbgrader", lambda: setup.nbgrader(nbgrader_students, "nbgrader-batch")),
                      ("otter", lambda: setup.otter(otter_students, "otter-batch")),
                      ("ours --workers 1", lambda: setup.ours(students, 1, "ours-batch-1"))):
        batch[name] = job()
        print(f"batch, {name}: {batch[name].seconds:.1f} s", flush=True)
    report(args, single, exported, batch, {"otter": len(otter_students), "nbgrader": len(nbgrader_students)},
           len(students))


def report(args, single: dict[str, list[Run]], exported: dict[str, list[Run]], batch: dict[str, Run],
           counts: dict[str, int], count: int) -> None:
    print(f"\nMachine: {machine()}; {versions()}\n")
    median = {name: statistics.median(r.seconds for r in runs) for name, runs in single.items() if runs}
    ours = median["ours"]
    print(f"One full submission (a correct one; median of {args.repeats}, the tools interleaved):\n")
    print("| tool | seconds | ratio to ours | full marks | exit status |")
    print("|---|---|---|---|---|")
    for name, runs in single.items():
        marks = f"{sum(getattr(r, 'full_marks', 0) for r in runs)}/{len(runs)}" if name != "plain" else "-"
        print(f"| {name} | {median[name]:.1f} | {median[name] / ours:.2f} | {marks} "
              f"| {max(r.returncode for r in runs)} |")
    for name, runs in exported.items():
        if runs:
            seconds = statistics.median(r.seconds for r in runs)
            print(f"| {name} (its hidden cells call our graders; {len(runs)} run) | {seconds:.1f} "
                  f"| {seconds / ours:.2f} | {sum(r.full_marks for r in runs)}/{len(runs)} "
                  f"| {max(r.returncode for r in runs)} |")
    first = {"ours --workers 2": ours, "ours --workers 1": ours, "otter": median["otter"],
             "nbgrader": median["nbgrader"]}
    n = {name: counts.get(name, count) for name in batch}
    extra = {name: (run.seconds - first[name]) / (n[name] - 1) if n[name] > 1 else float("nan")
             for name, run in batch.items()}
    correct = {name: sum(s.kind == "correct" for s in plan(n[name], notebook_parts=True)) for name in batch}
    print(f"\nA batch of {count} full submissions (correct, buggy and hostile in turn), each tool once; "
          f"otter graded the first {counts['otter']}, nbgrader the first {counts['nbgrader']}. Full marks: "
          f"the students a tool gave every point, of whom the correct ones are the first number in brackets:\n")
    print("| tool | students | seconds | per submission | per extra student | ratio to ours --workers 2 "
          "(per extra student) | full marks | exit status |")
    print("|---|---|---|---|---|---|---|---|")
    for name, run in batch.items():
        print(f"| {name} | {n[name]} | {run.seconds:.1f} | {run.seconds / n[name]:.2f} | {extra[name]:.2f} "
              f"| {extra[name] / extra['ours --workers 2']:.1f} | {run.full_marks} ({correct[name]} correct) "
              f"| {run.returncode} |")
    print("\nPeak resident memory of one process, by kind (VmHWM, which counts shared pages), and of one "
          "grading worker's tree (worker, fork server and child together; summed RSS / summed PSS):\n")
    runs = {f"{k}, one submission": max(v, key=lambda r: r.seconds) for k, v in {**single, **exported}.items() if v}
    runs.update({f"{k}, batch": v for k, v in batch.items()})
    print("| run | process | peak |")
    print("|---|---|---|")
    for label, run in runs.items():
        for role, kb in sorted(run.peak_kb.items(), key=lambda item: -item[1]):
            print(f"| {label} | {role} | {megabytes(kb)} |")
        if label.startswith("ours") and run.worker_kb:
            print(f"| {label} | one worker's tree | {megabytes(run.worker_kb['rss'])} RSS, "
                  f"{megabytes(run.worker_kb['pss'])} PSS |")
    print(f"\nThroughput per extra student, ours (--workers 2) over native nbgrader: "
          f"{extra['nbgrader'] / extra['ours --workers 2']:.1f}x, over native otter: "
          f"{extra['otter'] / extra['ours --workers 2']:.1f}x; with --workers 1: "
          f"{extra['nbgrader'] / extra['ours --workers 1']:.1f}x and {extra['otter'] / extra['ours --workers 1']:.1f}x")
    print(f"One cold submission, ours over the plain script: {ours / median['plain']:.2f}x")
    (Path(args.work) / "compare.json").write_text(json.dumps({
        "machine": machine(), "versions": versions(),
        "single": {k: [vars(r) for r in v] for k, v in {**single, **exported}.items()},
        "batch": {k: vars(v) for k, v in batch.items()}, "count": count, "counts": counts}, indent=1))


if __name__ == "__main__":
    main()
