"""The grading cluster against the local pool, on this machine, in one run.

Writes `--count` students (correct, buggy and hostile in turn; see common.py), starts a
redis-server of its own on 127.0.0.1, and for each count of processes in `--processes`
(1, 2, 4) grades the class twice, interleaved:

- local: `autograder grade --workers N` (cold: the pool's start-up counts);
- cluster: `autograder grade --broker URL` with N `autograder worker --concurrency 1`
  processes already started and idle (a grading host's workers are long-lived), each
  grading worker still started by its first task, as in the local pool.

The results of the two must be the same (timing aside): a run that differs stops the
benchmark. The queue's overhead per task is the cluster's wall time less the local pool's,
over the submissions; the cluster's own per-task time on the trusted side (packing, the
broker's round trips, checking the result) is the client's wall time less the workers'
grading, as each record's `execution_time` and the sum over the workers show.

    python benchmarks/cluster.py [--count 30] [--processes 1,2,4] [--assignment NAME ...] [--repeats 1] [--empty]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import BIN, measure, plan, write_py


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def records(out: Path) -> dict[str, dict]:
    found = {}
    for line in (out / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        found[record["submission"]] = {k: v for k, v in record.items() if k != "execution_time"}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--assignment", action="append", help="grade only these (default: all)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--empty", action="store_true",
                        help="submissions holding none of the course's files: every test fails as not submitted "
                        "without any grading, so what is left is each path's own cost per task")
    parser.add_argument("--work", default="/tmp/autograder-cluster-bench")
    args = parser.parse_args()
    processes = [int(n) for n in args.processes.split(",")]
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    if args.empty:
        folders = []
        for i in range(args.count):
            folders.append(work / "class" / f"e{i:03d}")
            folders[-1].mkdir(parents=True)
            (folders[-1] / "notes.txt").write_text("nothing handed in yet\n")
    else:
        folders = [write_py(s, work / "class" / s.id) for s in plan(args.count)]
    chosen = [arg for name in args.assignment or [] for arg in ("--assignment", name)]
    port = free_port()
    (work / "redis").mkdir()
    redis = subprocess.Popen(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                              "--dir", str(work / "redis")], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    time.sleep(1)
    rows = []
    try:
        for count in processes:
            started = []
            for i in range(count):
                log = open(work / f"worker-{count}-{i}.log", "wb")
                started.append(subprocess.Popen([str(BIN / "autograder"), "worker", "--broker", url, "--concurrency",
                                                 "1", "--name", f"bench{count}-{i}@local"], stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True))
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not all(
                    b"ready." in (work / f"worker-{count}-{i}.log").read_bytes() for i in range(count)):
                time.sleep(0.2)
            try:
                for repeat in range(args.repeats):
                    for kind in ("local", "cluster"):
                        out = work / f"out-{kind}-{count}-{repeat}"
                        extra = ["--workers", str(count)] if kind == "local" else ["--broker", url]
                        run = measure([str(BIN / "autograder"), "grade", *map(str, folders), "--out", str(out),
                                       *chosen, *extra])
                        graded = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
                        rows.append((count, kind, repeat, run.seconds, run.returncode,
                                     sum(r["execution_time"] for r in graded), out))
                        print(f"{kind}, {count} process(es): {run.seconds:.1f} s (exit {run.returncode})", flush=True)
                    local, queued = rows[-2][-1], rows[-1][-1]
                    if records(local) != records(queued):
                        sys.exit(f"the cluster's results differ from the local pool's ({local} and {queued})")
            finally:
                for process in started:
                    os.killpg(process.pid, signal.SIGTERM)
                for process in started:
                    try:
                        process.wait(60)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
    finally:
        redis.terminate()
        redis.wait(30)

    n = len(folders)
    print(f"\n{n} {'empty ' if args.empty else ''}submissions ({', '.join(args.assignment or ['every assignment'])}), "
          f"medians of {args.repeats}, "
          f"{os.cpu_count()} CPUs; results identical between the two in every run\n")
    print("| processes | local pool: wall s | cluster: wall s | cluster / local | queue overhead per task (ms) "
          "| grading per submission, summed over workers (s) |")
    print("|---|---|---|---|---|---|")
    for count in processes:
        local = statistics.median(r[3] for r in rows if r[0] == count and r[1] == "local")
        queued = statistics.median(r[3] for r in rows if r[0] == count and r[1] == "cluster")
        graded = statistics.median(r[5] for r in rows if r[0] == count and r[1] == "cluster") / n
        print(f"| {count} | {local:.1f} | {queued:.1f} | {queued / local:.2f} | {(queued - local) / n * 1000:+.0f} "
              f"| {graded:.2f} |")


if __name__ == "__main__":
    main()
