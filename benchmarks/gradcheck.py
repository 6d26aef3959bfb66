"""Cost of the MLP grader's gradient check against a per-element check of every parameter.

Both run the way the grader runs them: the loss is the student's loss_and_grads (here the
reference solution, submitted as a student), evaluated in the sandbox, one round trip per
batch of points. The per-element check is the CS231n way: two loss evaluations for every
parameter. Ours: random-direction checks per tensor (with the noise estimate the grader
uses for a student's loss), per-element only on tensors that fail - none here.

    python benchmarks/gradcheck.py [--repeats 5]

Prints loss evaluations, median seconds and their ratios, measured in one run, interleaved.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "solutions"))

import mlp as reference  # noqa: E402

from autograder.checks.gradcheck import check_gradients, elementwise_gradient  # noqa: E402
from autograder.grading.student import Student  # noqa: E402
from autograder.sandbox.worker import Sandbox  # noqa: E402

SIZES = {"grader size [3, 4, 3]": [3, 4, 3], "larger [64, 32, 10]": [64, 32, 10]}


def problem(sizes: list[int], n: int = 8):
    rng = np.random.default_rng(0)
    params = reference.init_params(sizes, seed=0)
    params = {k: v + rng.normal(0, 0.1, size=v.shape) for k, v in params.items()}
    X, y = rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)
    return params, X, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for source in (ROOT / "solutions").glob("*.py"):
            shutil.copy(source, tmp)
        with Sandbox(Path(tmp)) as sandbox:
            student = Student(sandbox)
            print(f"{'network':24} {'parameters':>10} {'ours: evals':>12} {'per-element: evals':>19} "
                  f"{'ratio':>7} {'ours: s':>9} {'per-element: s':>15} {'ratio':>7}")
            for label, sizes in SIZES.items():
                params, X, y = problem(sizes)
                _, grads = reference.loss_and_grads(params, X, y, 0.01)
                evaluate = student.mlp.loss_and_grads.evaluator([params, X, y], {"reg": 0.01},
                                                                where={k: (0, k) for k in params}, pick=0)
                ours, full, ours_evals, full_evals = [], [], 0, 0
                for _ in range(args.repeats):  # interleaved, so drift hits both alike
                    start = time.perf_counter()
                    check = check_gradients(evaluate, params, grads, step=1e-3, noise_aware=True)
                    ours.append(time.perf_counter() - start)
                    assert check.passed
                    ours_evals = check.evaluations
                    start = time.perf_counter()
                    for key in params:
                        numerical = elementwise_gradient(evaluate, params, key)
                        assert np.allclose(numerical, grads[key], rtol=1e-4, atol=1e-7)
                    full.append(time.perf_counter() - start)
                    full_evals = 2 * sum(v.size for v in params.values())
                t_ours, t_full = statistics.median(ours), statistics.median(full)
                print(f"{label:24} {sum(v.size for v in params.values()):>10} {ours_evals:>12} {full_evals:>19} "
                      f"{full_evals / ours_evals:>6.0f}x {t_ours:>9.3f} {t_full:>15.3f} {t_full / t_ours:>6.0f}x")


if __name__ == "__main__":
    main()
