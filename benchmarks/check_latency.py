"""How long a student waits for a check, against the cost of importing numpy in the same environment.

In a finished `activations` folder as a student has it (the released files, the notebook
beside the `.py`, the reference code in the `.py`), times, interleaved, `--repeats` times:

- `autograder check` (a cold command: Python's start, our imports, the sandbox, the public tests);
- `python -c "import numpy"`, the floor any Python tool that uses numpy pays.

Then, in one Python process as a notebook's kernel would hold it, `Checker("activations").check(q)`
for each question in turn, the file edited before each check (so no check is answered from
the cache of an unchanged file): the first check, and the median of the ones after it.

    python benchmarks/check_latency.py [--repeats 11] [--work DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import BIN, ROOT

NOTEBOOK_SESSION = r'''
import json, statistics, sys, time
from pathlib import Path
from autograder.jupyter import Checker

questions = sys.argv[1].split(",")
source = Path("activations.py")
original = source.read_text()
seconds = []
grader = None
for round_ in range(3):
    for index, q in enumerate(questions):
        source.write_text(original + f"\n# edit {round_}.{index}\n")
        start = time.perf_counter()
        grader = grader or Checker("activations")
        report = grader.check(q)
        seconds.append(time.perf_counter() - start)
        assert report.passed, str(report)
print(json.dumps(seconds))
'''


def environment() -> dict[str, str]:
    """A user's environment: bytecode is written and reused (a test run may have turned that off)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=environment(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--work", default="/tmp/autograder-check-latency")
    args = parser.parse_args()
    folder = Path(args.work) / "activations"
    shutil.rmtree(folder.parent, ignore_errors=True)
    shutil.copytree(ROOT / "assignments" / "activations", folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "solutions" / "activations.py", folder / "activations.py")
    python = str(BIN / "python")
    check = [str(BIN / "autograder"), "check"]
    numpy = [python, "-c", "import numpy"]
    for argv in (check, numpy):  # bytecode written, files in the page cache: as after a student's first run
        timed(argv, folder)
    runs: dict[str, list[float]] = {"autograder check": [], "python -c 'import numpy'": []}
    for repeat in range(args.repeats):
        pairs = [("autograder check", check), ("python -c 'import numpy'", numpy)]
        for label, argv in pairs if repeat % 2 == 0 else pairs[::-1]:
            runs[label].append(timed(argv, folder))
    done = subprocess.run([python, "-c", NOTEBOOK_SESSION, "sigmoid,tanh,relu,softmax"], cwd=folder,
                          env=environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the notebook checks failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    notebook = json.loads(done.stdout.strip().splitlines()[-1])

    check_median = statistics.median(runs["autograder check"])
    numpy_median = statistics.median(runs["python -c 'import numpy'"])
    print(f"\n{args.repeats} interleaved runs each, in {folder}:\n")
    print("| command | median seconds | fastest | slowest |")
    print("|---|---|---|---|")
    for label, seconds in runs.items():
        print(f"| `{label}` | {statistics.median(seconds):.2f} | {min(seconds):.2f} | {max(seconds):.2f} |")
    print(f"\n`autograder check` over `import numpy`: {check_median / numpy_median:.1f}x "
          f"(per run, fastest to slowest: {min(a / b for a, b in zip(runs['autograder check'], runs[list(runs)[1]])):.1f}x"
          f" to {max(a / b for a, b in zip(runs['autograder check'], runs[list(runs)[1]])):.1f}x)")
    print(f"A notebook's `grader.check(...)`, {len(notebook)} checks, the file edited before each: first "
          f"{notebook[0]:.2f} s, the ones after it median {statistics.median(notebook[1:]):.2f} s, "
          f"slowest {max(notebook[1:]):.2f} s")


if __name__ == "__main__":
    sys.exit(main())
