"""Where a grading worker's time goes, measured in one process that works as a batch worker does.

Grades `--count` generated students (correct, buggy and hostile in turn; see common.py)
one after another with one fork server, as `autograder grade` does in each worker, and
times from the trusted side:

- the fork server's start until it can fork (its imports: numpy, TensorFlow), and each
  grader's `prepare` (its data);
- each assignment and each test (pytest's own durations of setup, call and teardown: a
  fixture's work, the Keras training, counts in the first test that asks for it);
- the sandbox: every child start (a fork from the server, or a cold start), and every
  round trip to the child - its wall time, and the part the child spent in the student's
  function, so that the rest is our overhead (encoding, pipes, decoding, checks);
- the calls by function, so that the gradient checks' evaluations and Keras's training
  show as what they cost.

The figures are medians over the submissions (per submission) and totals (per call kind).
Nothing here is a verdict: run it, read it, cut the largest cost.

    python benchmarks/profile.py [--count 30] [--assignment NAME ...] [--work DIR]
"""
from __future__ import annotations

import argparse
import collections
import shutil
import statistics
import time
from pathlib import Path

from common import ROOT, plan, write_py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--assignment", action="append", help="grade only these (default: all)")
    parser.add_argument("--work", default="/tmp/autograder-profile")
    args = parser.parse_args()

    from autograder.course import Course
    from autograder.grading import runner
    from autograder.grading.plugin import GradingSession
    from autograder.sandbox import isolation
    from autograder.sandbox.warm import ForkServer
    from autograder.sandbox.worker import Sandbox
    from autograder.submission.discover import Submission

    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    students = plan(args.count)
    folders = [write_py(s, work / s.id) for s in students]
    course = Course.load(ROOT)
    names = course.select(args.assignment)
    print(f"isolation: {isolation.detect().describe()}")

    calls: list[tuple[str, str, float, float]] = []  # (kind, name, wall seconds, seconds in the child)
    starts: list[float] = []
    exchange, start_child = Sandbox._exchange, Sandbox._start

    def timed_exchange(self, request, blobs, label, timeout):
        began = time.perf_counter()
        reply = None
        try:
            reply = exchange(self, request, blobs, label, timeout)
            return reply
        finally:
            child = reply[0].get("seconds") if reply else None
            kind = request.get("op", "?")
            name = request.get("function") or request.get("name") or request.get("module") or "?"
            calls.append((kind, name, time.perf_counter() - began, float(child) if isinstance(child, (int, float))
                          else 0.0))

    def timed_start(self):
        began = time.perf_counter()
        try:
            return start_child(self)
        finally:
            starts.append(time.perf_counter() - began)

    Sandbox._exchange, Sandbox._start = timed_exchange, timed_start

    phases: dict[str, float] = collections.defaultdict(float)  # nodeid -> setup + call + teardown seconds

    def pytest_runtest_logreport(self, report) -> None:
        phases[report.nodeid] += report.duration

    GradingSession.pytest_runtest_logreport = pytest_runtest_logreport  # pluggy reads hooks off the object

    began = time.perf_counter()
    with ForkServer(course.preload(names), hide=(course.root,)) as server:
        prepared = time.perf_counter()
        runner.prepare(course, names, 0)
        runner._PREPARED.update((str(course.root), name, 0) for name in names)
        prepare_seconds = time.perf_counter() - prepared
        waited = time.perf_counter()
        while not server.ready():
            time.sleep(0.01)
        server_seconds = time.perf_counter() - began
        print(f"fork server ready {server_seconds:.2f} s after its start (of which {time.perf_counter() - waited:.2f} s "
              f"waited after the graders' prepare, {prepare_seconds:.2f} s)")

        per_submission, per_assignment = [], collections.defaultdict(list)
        per_test = collections.defaultdict(list)
        per_calls, per_starts, outside = [], [], []
        for folder in folders:
            calls.clear()
            starts.clear()
            phases.clear()
            result = runner.grade(Submission.from_path(folder), course, names, warm=server, prepare_graders=True)
            per_submission.append(result.seconds)
            outside.append(result.seconds - sum(phases.values()))
            for name, assignment in result.assignments.items():
                per_assignment[name].append(sum(phases[t.nodeid] for t in assignment.tests))
                for test in assignment.tests:
                    per_test[(name, test.function)].append(phases[test.nodeid])
            per_calls.append(list(calls))
            per_starts.append(list(starts))

    count = len(folders)
    print(f"\n{count} submissions, median {statistics.median(per_submission):.3f} s each "
          f"(total {sum(per_submission):.1f} s)\n")
    print("| assignment | median seconds per submission | share of the total |")
    print("|---|---|---|")
    total = sum(per_submission)
    for name, seconds in per_assignment.items():
        print(f"| {name} | {statistics.median(seconds):.3f} | {sum(seconds) / total:.0%} |")
    print(f"| outside the tests (pytest's start and collection, staging the files, tracing causes) "
          f"| {statistics.median(outside):.3f} | {sum(outside) / total:.0%} |")
    print("\nThe ten costliest tests (median over the submissions):\n")
    print("| test | median seconds | share of the total |")
    print("|---|---|---|")
    for (name, test), seconds in sorted(per_test.items(), key=lambda item: -sum(item[1]))[:10]:
        print(f"| {name}: {test} | {statistics.median(seconds):.3f} | {sum(seconds) / total:.0%} |")

    every_call = [c for group in per_calls for c in group]
    every_start = [s for group in per_starts for s in group]
    overhead = [wall - child for kind, _, wall, child in every_call if kind == "call"]
    print(f"\nSandbox: {statistics.median(len(g) for g in per_starts):.0f} child starts per submission "
          f"(median {statistics.median(every_start) * 1000:.1f} ms each, {sum(every_start) / total:.0%} of the total); "
          f"{statistics.median(len(g) for g in per_calls):.0f} round trips per submission "
          f"({sum(c[2] for c in every_call) / total:.0%} of the total); a call's overhead beyond the student's "
          f"function: median {statistics.median(overhead) * 1000:.2f} ms, "
          f"{sum(overhead) / total:.0%} of the total\n")
    print("| round trip | per submission (median) | seconds per submission (median) | of which in the student's code |")
    print("|---|---|---|---|")
    by_name = collections.defaultdict(lambda: [[] for _ in per_calls])
    for index, group in enumerate(per_calls):
        for kind, name, wall, child in group:
            by_name[(kind, name)][index].append((wall, child))
    rows = sorted(by_name.items(), key=lambda item: -sum(w for g in item[1] for w, _ in g))[:15]
    for (kind, name), groups in rows:
        print(f"| {kind} {name} | {statistics.median(len(g) for g in groups):.0f} "
              f"| {statistics.median(sum(w for w, _ in g) for g in groups):.3f} "
              f"| {statistics.median(sum(c for _, c in g) for g in groups):.3f} |")


if __name__ == "__main__":
    main()
