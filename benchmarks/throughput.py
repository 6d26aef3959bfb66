"""Our throughput on a large generated class, and what grading only the numpy assignments costs.

Writes `--count` students in our format (correct, buggy and hostile in turn; see
common.py) and times, each as a cold `autograder grade` command:

- the whole class, all five assignments, with `--workers` workers;
- the whole class, only the four numpy assignments (no TensorFlow anywhere);
- one numpy-only submission and one full submission on their own (median of `--repeats`).

Per-submission figures are the wall time over the count, and the median of the
`execution_time` the results record for each submission (its grading, start-ups excluded).

    python benchmarks/throughput.py [--count 300] [--workers 2] [--repeats 5] [--work DIR]
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
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--work", default="/tmp/autograder-throughput")
    args = parser.parse_args()
    work = Path(args.work)
    shutil.rmtree(work / "class", ignore_errors=True)
    students = plan(args.count)
    for student in students:
        write_py(student, work / "class" / student.id)
    print(f"{args.count} students written to {work / 'class'}", flush=True)

    rows = []
    for label, assignments in (("all five assignments", None), ("numpy assignments only", NUMPY_ONLY)):
        run, results = grade([work / "class"], work / "out", args.workers, assignments)
        graded = sum(r.get("complete", True) for r in results)  # the rest could not be graded (exit status 4)
        each = statistics.median(r["execution_time"] for r in results)
        rows.append((f"{args.count} submissions, {label}, --workers {args.workers}", run, args.count, graded, each))
        print(f"{rows[-1][0]}: {run.seconds:.1f} s", flush=True)
    for label, assignments in (("one submission, numpy assignments only", NUMPY_ONLY),
                               ("one full submission", None)):
        runs = [grade([work / "class" / students[0].id], work / "one", 1, assignments) for _ in range(args.repeats)]
        run = sorted(runs, key=lambda pair: pair[0].seconds)[len(runs) // 2][0]
        each = statistics.median(r["execution_time"] for _, results in runs for r in results)
        rows.append((f"{label} (median of {args.repeats})", run, 1, 1, each))
        print(f"{rows[-1][0]}: {run.seconds:.2f} s", flush=True)

    print("\n| run | wall seconds | seconds per submission | grading time per submission (median) "
          "| graded | exit status |")
    print("|---|---|---|---|---|---|")
    for label, run, count, graded, each in rows:
        print(f"| {label} | {run.seconds:.1f} | {run.seconds / count:.3f} | {each:.3f} | {graded} "
              f"| {run.returncode} |")
    print("\nPeak resident memory of one process, by kind (VmHWM, which counts shared pages):\n")
    print("| run | process | peak |")
    print("|---|---|---|")
    for label, run, *_ in rows:
        for role, kb in sorted(run.peak_kb.items(), key=lambda item: -item[1]):
            print(f"| {label} | {role} | {megabytes(kb)} |")


if __name__ == "__main__":
    main()
