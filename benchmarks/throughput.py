"""Our throughput as the class grows, and what grading only the numpy assignments costs.

Writes `--count` students in our format (correct, buggy and hostile in turn; see
common.py) and times, each as a cold `autograder grade` command:

- the first 1, 10, 100, ... (`--counts`) of them, all five assignments, with each of
  `--workers` (1 and 2; 1 worker up to `--one-worker-max`, 100): the scaling curve, whose
  cost per extra submission should stay flat;
- the whole class, only the four numpy assignments (no TensorFlow anywhere), with the most workers;
- one numpy-only submission, one holding only `perceptron.py` (which must never wait for
  TensorFlow) and one full submission on their own (median of `--repeats`).

Per-submission figures are the wall time over the count, the cost per extra submission
against the run of 1, and the median of the `execution_time` the results record for each
submission (its grading in its worker, start-ups excluded). Memory: the peak of each kind
of process, and of one worker's tree (worker, fork server, launcher and child together).

    python benchmarks/throughput.py [--counts 1,10,100,300] [--workers 1,2] [--one-worker-max 100] [--repeats 5]
                                    [--work DIR]
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
from pathlib import Path

from common import BIN, measure, megabytes, plan, write_py

NUMPY_ONLY = ["perceptron", "activations", "gradient_descent", "mlp"]


def grade(paths: list[Path], out: Path, workers: int, assignments: list[str] | None = None):
    shutil.rmtree(out, ignore_errors=True)
    argv = [str(BIN / "autograder"), "grade", *map(str, paths), "--out", str(out), "--workers", str(workers)]
    for assignment in assignments or []:
        argv += ["--assignment", assignment]
    run = measure(argv)
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    return run, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1,10,100,300")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--one-worker-max", type=int, default=100, help="the largest count graded with 1 worker "
                        "(a class of 300 on one worker takes a quarter of an hour)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", default="/tmp/autograder-throughput")
    args = parser.parse_args()
    counts = sorted(int(c) for c in args.counts.split(","))
    workers = sorted(int(w) for w in args.workers.split(","))
    work = Path(args.work)
    shutil.rmtree(work / "class", ignore_errors=True)
    students = plan(counts[-1])
    folders = [write_py(student, work / "class" / student.id) for student in students]
    print(f"{len(folders)} students written to {work / 'class'}", flush=True)

    rows = []
    for count_of_workers in workers:
        first = None
        for count in counts:
            if count_of_workers == 1 and count > args.one_worker_max and count_of_workers != workers[-1]:
                continue
            run, results = grade(folders[:count], work / "out", count_of_workers)
            first = first if first is not None else run.seconds
            rows.append((f"{count} full submissions, --workers {count_of_workers}", run, count, results,
                         (run.seconds - first) / (count - 1) if count > 1 else None))
            print(f"{rows[-1][0]}: {run.seconds:.1f} s", flush=True)
    run, results = grade(folders, work / "out", workers[-1], NUMPY_ONLY)
    rows.append((f"{len(folders)} submissions, numpy assignments only, --workers {workers[-1]}", run, len(folders),
                 results, None))
    print(f"{rows[-1][0]}: {run.seconds:.1f} s", flush=True)
    alone = work / "perceptron-only" / "perceptron-only"  # what a student hands in before the other parts
    alone.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folders[0] / "perceptron.py", alone / "perceptron.py")
    for label, folder, assignments in (("one submission, numpy assignments only", folders[0], NUMPY_ONLY),
                                       ("one submission holding only perceptron.py, every assignment", alone, None),
                                       ("one full submission", folders[0], None)):
        runs = [grade([folder], work / "one", 1, assignments) for _ in range(args.repeats)]
        run, results = sorted(runs, key=lambda pair: pair[0].seconds)[len(runs) // 2]
        every = [r for _, group in runs for r in group]
        rows.append((f"{label} (median of {args.repeats})", run, 1, every, None))
        print(f"{rows[-1][0]}: {run.seconds:.2f} s", flush=True)

    print("\n| run | wall seconds | seconds per submission | per extra submission | grading time per submission "
          "(median) | graded | exit status |")
    print("|---|---|---|---|---|---|---|")
    for label, run, count, results, extra in rows:
        graded = sum(r.get("complete", True) for r in results)  # the rest could not be graded (exit status 4)
        each = statistics.median(r["execution_time"] for r in results)
        print(f"| {label} | {run.seconds:.1f} | {run.seconds / count:.3f} | "
              f"{'-' if extra is None else f'{extra:.3f}'} | {each:.3f} | {graded}/{len(results)} "
              f"| {run.returncode} |")
    print("\nPeak resident memory of one process, by kind (VmHWM, which counts shared pages), and of one "
          "worker's tree (worker, fork server and child together; summed RSS / summed PSS):\n")
    print("| run | process | peak |")
    print("|---|---|---|")
    for label, run, *_ in rows:
        for role, kb in sorted(run.peak_kb.items(), key=lambda item: -item[1]):
            print(f"| {label} | {role} | {megabytes(kb)} |")
        print(f"| {label} | one worker's tree | {megabytes(run.worker_kb['rss'])} RSS, "
              f"{megabytes(run.worker_kb['pss'])} PSS |")


if __name__ == "__main__":
    main()
