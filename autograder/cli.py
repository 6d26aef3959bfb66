"""The `autograder` command: `check` for students, `grade` for instructors."""
from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from autograder import __version__
from autograder.course import Course, CourseNotFound
from autograder.curriculum import ASSIGNMENTS, check_names
from autograder.grading.runner import GraderError, grade
from autograder.export import nbgrader_gradebook
from autograder.questions import QuestionError
from autograder.release.source import SourceError
from autograder.release import nbgrader, otter
from autograder.render import feedback, gradebook, jsonl, terminal
from autograder.results.model import SubmissionResult
from autograder.sandbox import isolation
from autograder.submission.discover import Submission, SubmissionError, stage

EXIT_USAGE = 2
EXIT_GRADER = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    parser.add_argument("--version", action="version", version=f"autograder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run the public tests on your work (for students)")
    check.add_argument("path", nargs="?", default=".", help="your assignment folder, notebook or zip (default: .)")
    check.add_argument("--assignment", action="append", choices=list(ASSIGNMENTS),
                       help="check only this assignment (repeatable)")
    check.add_argument("--course", help="the course folder (default: the one installed with autograder)")

    grade_cmd = commands.add_parser("grade", help="run the hidden graders on submissions (for instructors)")
    grade_cmd.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                           help="a submission: a directory, a .zip or a notebook")
    grade_cmd.add_argument("--out", default="grades", help="output folder (default: ./grades)")
    grade_cmd.add_argument("--assignment", action="append", choices=list(ASSIGNMENTS),
                           help="grade only this assignment (repeatable)")
    grade_cmd.add_argument("--workers", type=int, default=1, help="submissions graded in parallel (default: 1)")
    grade_cmd.add_argument("--seed", type=int, default=0,
                           help="seed for the graders' random inputs (default: 0; the same seed, the same scores)")
    grade_cmd.add_argument("--json", action="store_true",
                           help="also print each result as one JSON line on stdout (and nothing else there)")
    grade_cmd.add_argument("--course", help="the course folder (default: the one installed with autograder)")
    grade_cmd.add_argument("--allow-weak-sandbox", action="store_true",
                           help="grade even where student code cannot be fully isolated (see Security in the README)")
    grade_cmd.add_argument("--gradebook", metavar="URL",
                           help="also write the scores into this nbgrader gradebook (sqlite:///PATH/gradebook.db)")

    export = commands.add_parser("export", help="write the assignments for another grading tool")
    export.add_argument("tool", choices=["nbgrader", "otter"], help="the tool")
    export.add_argument("out", metavar="DIR", help="the folder to write (an nbgrader course folder, or otter's)")
    export.add_argument("--course", help="the course folder (default: the one installed with autograder)")
    return parser.parse_args(argv)


def unique_ids(submissions: list[Submission]) -> list[Submission]:
    """Two submissions may share a name (a/alice, b/alice): the later ones get a suffix."""
    seen: dict[str, int] = {}
    out = []
    for sub in submissions:
        n = seen.get(sub.id, 0)
        seen[sub.id] = n + 1
        out.append(sub if n == 0 else Submission(id=f"{sub.id}-{n + 1}", path=sub.path))
    return out


def _grade_one(submission: Submission, course: Course, assignments: list[str], seed: int) -> SubmissionResult:
    return grade(submission, course, assignments, seed=seed)


def grade_all(submissions: list[Submission], course: Course, assignments: list[str],
              workers: int, seed: int = 0) -> Iterator[SubmissionResult]:
    """Results as they finish; with several workers, each grades whole submissions."""
    if workers <= 1:
        for sub in submissions:
            yield grade(sub, course, assignments, seed=seed)
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_grade_one, sub, course, assignments, seed) for sub in submissions]
        for future in as_completed(futures):
            yield future.result()


def cmd_grade(args: argparse.Namespace) -> int:
    course = Course.locate(args.course)
    assignments = check_names(args.assignment)
    submissions = unique_ids([Submission.from_path(p) for p in args.submissions])
    console = Console(stderr=args.json)
    isolation.require(args.allow_weak_sandbox, protect=(course.root,),
                      warn=lambda text: Console(stderr=True).print(Text(text, style="yellow")))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results_path = out / "results.jsonl"
    results_path.write_text("")
    results: dict[str, SubmissionResult] = {}
    columns = (TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("grading", total=len(submissions))
        for result in grade_all(submissions, course, assignments, args.workers, args.seed):
            jsonl.append(results_path, result)
            feedback.write(out / "feedback", result)
            if args.json:
                print(jsonl.dumps(result), flush=True)
            results[result.submission] = result
            progress.advance(task)
    ordered = [results[s.id] for s in submissions]
    gradebook.write(out / "gradebook.csv", ordered, assignments)
    if args.gradebook:
        nbgrader_gradebook.write(args.gradebook, ordered, assignments, course)
        console.print(f"Wrote the scores into the nbgrader gradebook {args.gradebook}.")
    console.print(terminal.score_table(ordered, assignments))
    console.print(f"Wrote {results_path}, {out / 'gradebook.csv'} and {len(ordered)} feedback page(s) in "
                  f"{out / 'feedback'}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    course = Course.locate(args.course, need="assignments")
    submission = Submission.from_path(args.path)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "work").mkdir()
        (Path(tmp) / "scratch").mkdir()
        found = stage(submission, Path(tmp) / "work", Path(tmp) / "scratch").modules
    wanted = check_names(args.assignment) if args.assignment else [a for a in ASSIGNMENTS if a in found]
    console = Console(highlight=False)
    if not wanted:
        console.print(f"No assignment file ({', '.join(f'{a}.py' for a in ASSIGNMENTS)}) was found under "
                      f"{args.path}.", style="red")
        return 1
    sandbox = isolation.detect()
    if not sandbox.full:
        console.print(Text(f"Note: {sandbox.describe()}.", style="yellow"))
    result = grade(submission, course, wanted, suite="public")
    terminal.print_feedback(console, result)
    tests = result.tests
    passed = sum(t.status == "passed" for t in tests)
    style = "green" if passed == len(tests) else "red"
    console.print(f"{passed} of {len(tests)} public tests passed.", style=f"bold {style}")
    if passed == len(tests):
        console.print("The hidden tests check more (other inputs, shapes, edge cases and stability).", style="dim")
    return 0 if passed == len(tests) else 1


def cmd_export(args: argparse.Namespace) -> int:
    course = Course.locate(args.course)
    out = Path(args.out)
    if args.tool == "nbgrader":
        written = nbgrader.export(course, out)
        steps = f"cd {out} && nbgrader generate_assignment ASSIGNMENT, then nbgrader autograde ASSIGNMENT"
    else:
        written = otter.export(course, out)
        steps = f"otter assign {out}/ASSIGNMENT/ASSIGNMENT.ipynb {out}/ASSIGNMENT/dist"
    Console(highlight=False).print(f"Wrote {len(written)} files and folders under {out}. Next: {steps}.")
    return 0


COMMANDS = {"grade": cmd_grade, "check": cmd_check, "export": cmd_export}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (SubmissionError, CourseNotFound, ValueError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (GraderError, QuestionError, SourceError) as exc:
        print(f"autograder: the graders could not run: {exc}", file=sys.stderr)
        return EXIT_GRADER
    except isolation.WeakIsolation as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return EXIT_GRADER
