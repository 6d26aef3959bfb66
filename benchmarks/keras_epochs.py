"""How many epochs the Keras accuracy check needs: held-out accuracy per epoch count and seed.

Trains every Keras implementation the tests know - the reference, the correct variants
of tests/test_correct_variants.py and the mutants of tests/test_mutants.py - the way
the grader does (the `train_and_predict` probe: the student's own preprocess, build_model,
train_model and predict_classes, on the grader's split of the digits for each seed),
for each epoch count. A correct model must clear the pass mark for every seed and a
broken one (a mutant that fails the accuracy test) must stay below it, so the grader
uses the fewest epochs whose worst correct accuracy and best broken accuracy both lie
at least MARGIN from a pass mark between them (their midpoint).

    python benchmarks/keras_epochs.py [--seeds 20] [--epochs 2 3 4 5 6 8 10] [--jobs 2]

Each run is a process forked from one that has imported Keras (as in the grader).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", TF_NUM_INTRAOP_THREADS="1",
                  TF_NUM_INTEROP_THREADS="1", TF_ENABLE_ONEDNN_OPTS="0", TF_CPP_MIN_LOG_LEVEL="3")

MARGIN = 0.1


def load_grader():
    spec = importlib.util.spec_from_file_location("keras_grader", ROOT / "graders" / "test_keras_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cases() -> list[tuple[str, str, str]]:
    """(kind, name, source): kind is "correct", "broken" (must fail the accuracy test) or "other"."""
    from conftest import SOLUTIONS, patched_source
    from test_correct_variants import VARIANTS
    from test_mutants import MUTANTS

    found = [("correct", "reference", (SOLUTIONS / "keras_model.py").read_text())]
    found += [("correct", style, source) for module, style, source in VARIANTS if module == "keras_model"]
    for mutant in MUTANTS:
        if mutant.module != "keras_model":
            continue
        kind = "broken" if "test_trained_accuracy" in mutant.fails else "other"
        found.append((kind, mutant.id, patched_source(mutant.module, list(mutant.replacements))))
    return found


def train_once(source: str, seed: int, epochs: int, split) -> list[int] | str:
    """In a forked child: the probe's training run; the predicted labels, or the error's kind."""
    from autograder.sandbox import child, probes

    X_train, y_train, X_test, _ = split
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "keras_model.py").write_text(source)
        sys.path.insert(0, folder)
        session = child.Session(folder)
        try:
            steps = {step: ["keras_model", name] for step, name in (("preprocess", "preprocess"), ("build", "build_model"),
                                                                    ("train", "train_model"), ("predict", "predict_classes"))}
            out = probes.train_and_predict(session, X_train, y_train, X_test, seed=seed,
                                           train_kwargs={"epochs": epochs, "batch_size": 32}, **steps)
        except child._Failure as failure:
            return str(failure.error.get("type") or failure.error.get("kind"))
    predictions = out["predictions"]
    try:
        return [int(v) for v in predictions]
    except (TypeError, ValueError):
        return "not labels"


def run_all(jobs: list[tuple], parallel: int, grader) -> dict[tuple, float | None]:
    """Forks up to `parallel` runs at a time; each sends its labels back as JSON on a pipe."""
    import keras  # noqa: F401 - paid once, before forking, as the grader's sandbox does

    results: dict[tuple, float | None] = {}
    running: dict[int, tuple[tuple, int]] = {}
    pending = list(jobs)
    while pending or running:
        while pending and len(running) < parallel:
            job = pending.pop(0)
            _, _, source, seed, epochs = job
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                try:
                    answer = train_once(source, seed, epochs, grader.digits_split(seed))
                except BaseException as exc:  # noqa: BLE001 - reported as this run's outcome
                    answer = type(exc).__name__
                os.write(write, json.dumps(answer).encode())
                os._exit(0)
            os.close(write)
            running[pid] = (job, read)
        pid, _ = os.wait()
        job, read = running.pop(pid)
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        answer = json.loads(data) if data else "crashed"
        y_test = grader.digits_split(job[3])[3]
        key = (job[1], job[3], job[4])
        results[key] = (sum(int(a == b) for a, b in zip(answer, y_test)) / len(y_test)
                        if isinstance(answer, list) and len(answer) == len(y_test) else None)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--epochs", type=int, nargs="+", default=[2, 3, 4, 5, 6, 8, 10])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    grader = load_grader()
    found = cases()
    jobs = [(kind, name, source, seed, epochs) for kind, name, source in found
            for seed in range(args.seeds) for epochs in args.epochs]
    start = time.perf_counter()
    accuracy = run_all(jobs, args.jobs, grader)
    print(f"{len(jobs)} training runs in {time.perf_counter() - start:.0f} s; the grader trains "
          f"{grader.EPOCHS} epochs, pass mark {grader.PASS_ACCURACY:.2f}; held-out accuracy over seeds 0-{args.seeds - 1} (min / median / max; "
          "'error' = no labels came back)\n")
    header = f"{'kind':8} {'implementation':55}" + "".join(f"{e:>18}" for e in args.epochs)
    print(header)
    for kind, name, _ in found:
        cells = []
        for epochs in args.epochs:
            values = [accuracy[(name, s, epochs)] for s in range(args.seeds)]
            numbers = [v for v in values if v is not None]
            cells.append("error" if not numbers else
                         f"{min(numbers):.2f}/{statistics.median(numbers):.2f}/{max(numbers):.2f}"
                         + ("*" if len(numbers) < len(values) else ""))
        print(f"{kind:8} {name[:55]:55}" + "".join(f"{c:>18}" for c in cells))
    print("\n* some seeds gave no labels\n")
    for epochs in args.epochs:
        correct = [accuracy[(n, s, epochs)] for k, n, _ in found if k == "correct" for s in range(args.seeds)]
        broken = [accuracy[(n, s, epochs)] or 0.0 for k, n, _ in found if k == "broken" for s in range(args.seeds)]
        worst = min(v if v is not None else 0.0 for v in correct)
        best_broken = max(broken) if broken else 0.0
        mark = (worst + best_broken) / 2
        verdict = "decides" if worst - mark >= MARGIN else "does not decide"
        print(f"{epochs:>3} epochs: worst correct {worst:.3f}, best broken {best_broken:.3f}: a pass mark of "
              f"{mark:.2f} {verdict} with a margin of {MARGIN} each side"
              + (f" (the grader's: {grader.PASS_ACCURACY:.2f})" if epochs == grader.EPOCHS else ""))


if __name__ == "__main__":
    main()
