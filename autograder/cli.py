"""The `autograder` command: `check` for students, `grade` for instructors."""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import sys
import tempfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from autograder import __version__, extras
from autograder.course import Course, CourseError
from autograder.results.model import SubmissionResult, held_assignments
from autograder.sandbox import isolation
from autograder.sandbox.limits import DEADLINE_MARGIN, Limits
from autograder.submission.discover import Submission, SubmissionError, staged

if TYPE_CHECKING:
    from rich.progress import Progress

    from autograder.grading.late import LatePolicy
    from autograder.results.log import ResultLog
    from autograder.submission.roster import Roster

# Each command imports what it alone needs when it runs: a student's `check` is run after every
# edit, and the instructors' parts (the batch pool, LMS clients, HTML pages) would add a fifth
# of a second to it.

EXIT_USAGE = 2
EXIT_GRADER = 3
EXIT_INCOMPLETE = 4  # some submissions could not be graded; a rerun retries them
SCORE_TABLE_ROWS = 40  # larger classes get the distribution only


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__)
    parser.add_argument("--version", action="version", version=f"autograder {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="run the public tests on your work (for students)")
    check.add_argument("path", nargs="?", default=".", help="your assignment folder, notebook or zip (default: .)")
    check.add_argument("--assignment", action="append", help="check only this assignment (repeatable)")
    check.add_argument("--course", help="the course folder (default: the nearest course.toml above this folder, else the bundled course)")

    grade_cmd = commands.add_parser("grade", help="run the hidden graders on submissions (for instructors)")
    grade_cmd.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                           help="a submission: a directory, a .zip or a notebook")
    grade_cmd.add_argument("--out", default="grades", help="output folder (default: ./grades)")
    grade_cmd.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    grade_cmd.add_argument("--workers", type=int, default=1, help="submissions graded in parallel (default: 1)")
    grade_cmd.add_argument("--seed", type=int, default=0,
                           help="seed for the graders' random inputs (default: 0; the same seed, the same scores)")
    grade_cmd.add_argument("--json", action="store_true",
                           help="also print each result as one JSON line on stdout (and nothing else there)")
    grade_cmd.add_argument("--course", help="the course folder (default: the nearest course.toml above this folder, else the bundled course)")
    grade_cmd.add_argument("--allow-weak-sandbox", action="store_true",
                           help="grade even where student code cannot be fully isolated (see Security in the README)")
    grade_cmd.add_argument("--regrade", action="store_true",
                           help="grade again submissions that results.jsonl already holds (default: keep them)")
    grade_cmd.add_argument("--roster", metavar="CSV", help="a class roster: student ids, names, emails (see README)")
    grade_cmd.add_argument("--due", metavar="TIME", help="due date, ISO 8601 (2026-11-20T23:59-05:00); late work "
                           "is penalised")
    grade_cmd.add_argument("--late-penalty", type=float, metavar="PERCENT",
                           help="percent taken off per day late, each started day counting (default: 10)")
    grade_cmd.add_argument("--late-days", type=int, metavar="DAYS",
                           help="no credit for work later than this many days (default: no limit)")
    grade_cmd.add_argument("--grace", type=float, metavar="MINUTES", help="minutes after the due date still on time")
    grade_cmd.add_argument("--timeout", type=float, default=Limits().total_seconds + DEADLINE_MARGIN,
                           metavar="SECONDS", help="a submission still being graded after this long is stopped and "
                           "reported (default: %(default)g)")
    grade_cmd.add_argument("--gradebook", metavar="URL",
                           help="also write the scores into this nbgrader gradebook (sqlite:///PATH/gradebook.db)")
    grade_cmd.add_argument("--broker", nargs="?", const="", metavar="URL",
                           help="grade on the workers of a cluster instead of this machine: their Redis, "
                           "redis://HOST:6379/0 or rediss:// for TLS, never with its password (from "
                           "$AUTOGRADER_BROKER_PASSWORD); alone, the URL is $AUTOGRADER_BROKER_URL")

    worker = commands.add_parser("worker", help="grade the tasks of `grade --broker` on this host (a grading cluster)")
    worker.add_argument("--broker", metavar="URL",
                        help="the cluster's Redis, redis://HOST:6379/0 or rediss:// (default: "
                        "$AUTOGRADER_BROKER_URL); the password from $AUTOGRADER_BROKER_PASSWORD")
    worker.add_argument("--concurrency", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at once, each by its own warm grading worker (default: the "
                        "number of CPUs, %(default)s; each needs up to 1 GB for a Keras assignment)")
    worker.add_argument("--course", help="the course folder (default: the nearest course.toml above this folder, else the bundled course)")
    worker.add_argument("--redeliver-after", type=float, default=3600.0, metavar="SECONDS",
                        help="a task whose worker vanished is given to another after this long; must exceed the "
                        "longest grading (default: %(default)g)")
    worker.add_argument("--name", help="this worker's name in the cluster (default: autograder.PID@HOST)")
    worker.add_argument("--allow-weak-sandbox", action="store_true",
                        help="grade even where student code cannot be fully isolated (see Security in the README)")

    export = commands.add_parser("export", help="write the assignments for another grading tool")
    export.add_argument("tool", choices=["nbgrader", "otter"], help="the tool")
    export.add_argument("out", metavar="DIR", help="the folder to write (an nbgrader course folder, or otter's)")
    export.add_argument("--course", help="the course folder (default: the nearest course.toml above this folder, else the bundled course)")
    book = commands.add_parser("gradebook", help="write an LMS's grade import CSV from the graded results")
    book.add_argument("lms", choices=["canvas", "moodle"])
    book.add_argument("--results", default="grades", metavar="DIR", help="the folder `grade` wrote (default: grades)")
    book.add_argument("--out", metavar="CSV", help="where to write (default: DIR/<lms>.csv)")
    book.add_argument("--canvas-ids", metavar="A=ID,...", default="",
                      help="Canvas assignment id of each assignment (NAME=101,...), for the column headers")

    report_cmd = commands.add_parser("report", help="write the class report: score distribution, pass rates and the "
                                                    "most frequent causes (for instructors)")
    report_cmd.add_argument("--results", default="grades", metavar="DIR",
                            help="the folder `grade` wrote (default: grades)")
    report_cmd.add_argument("--out", metavar="HTML", help="where to write the page (default: DIR/report.html)")
    report_cmd.add_argument("--assignment", action="append", help="report only this assignment (repeatable)")
    report_cmd.add_argument("--top", type=int, default=10, help="causes and tests listed per assignment (default: 10)")

    publish = commands.add_parser("publish", help="post grades and feedback to an LMS (secrets from the environment)")
    publish.add_argument("lms", choices=["canvas", "lti"])
    publish.add_argument("--results", default="grades", metavar="DIR", help="the folder `grade` wrote (default: grades)")
    publish.add_argument("--dry-run", action="store_true", help="show what would be posted, and post nothing")
    publish.add_argument("--assignment", action="append",
                         help="post only this assignment's points (repeatable; default: the total)")
    publish.add_argument("--url", help="Canvas: the instance, https://canvas.example.edu (or $CANVAS_URL)")
    publish.add_argument("--course-id", help="Canvas: the course id (or $CANVAS_COURSE_ID)")
    publish.add_argument("--assignment-id", help="Canvas: the assignment that gets the total (or the --assignment sum)")
    publish.add_argument("--canvas-ids", metavar="A=ID,...", default="",
                         help="Canvas: one Canvas assignment per assignment instead (NAME=101,...)")
    publish.add_argument("--lineitem", help="LTI: the line item URL the scores go to")
    publish.add_argument("--token-url", help="LTI: the platform's OAuth 2 token endpoint")
    publish.add_argument("--client-id", help="LTI: this tool's client id on the platform")
    publish.add_argument("--key-id", default="", help="LTI: the kid of the tool's key in its JWKS")
    publish.add_argument("--audience", default="", help="LTI: the token audience, if not the token URL")

    gradescope = commands.add_parser("gradescope", help="the Gradescope autograder: build its zip, or run inside it")
    steps = gradescope.add_subparsers(dest="step", required=True)
    build = steps.add_parser("build", help="write the autograder zip to upload to Gradescope")
    build.add_argument("out", metavar="OUT.zip")
    build.add_argument("--course", help="the course folder (default: the nearest course.toml above this folder, else the bundled course)")
    run = steps.add_parser("run", help="grade /autograder/submission into results.json (run_autograder calls this)")
    run.add_argument("--root", default="/autograder", help="Gradescope's folder (default: /autograder)")
    run.add_argument("--course", help="the course folder (default: the nearest course.toml above this folder, else the bundled course)")
    new_cmd = commands.add_parser("new", help="start a course, or add an assignment to one (for instructors)")
    new_kinds = new_cmd.add_subparsers(dest="kind", required=True)
    new_course = new_kinds.add_parser("course", allow_abbrev=False,
                                      help="write a course folder with an example assignment that grades")
    new_course.add_argument("dir", metavar="DIR", help="a new or empty folder")
    new_course.add_argument("--name", help="the course's name (default: the folder's name)")
    new_course.add_argument("--title", help="the course's title (default: its name)")
    new_course.add_argument("--from", dest="source", metavar="COURSE",
                            help="copy this course instead: a course folder, or the bundled course's name")
    new_assignment = new_kinds.add_parser("assignment", allow_abbrev=False,
                                          help="add an assignment skeleton that grades to a course")
    new_assignment.add_argument("name", metavar="NAME", help="the assignment, its folder and its module")
    new_assignment.add_argument("--functions", required=True, metavar="F,G", help="the functions students write")
    new_assignment.add_argument("--title", help="the title students see (default: from NAME)")
    new_assignment.add_argument("--course", metavar="DIR",
                                help="the course folder (default: the nearest course.toml above this folder)")
    release = commands.add_parser("release", help="write what students get: lessons, stubs, public tests and "
                                  "notebooks, without solutions or hidden graders")
    release.add_argument("paths", nargs="+", metavar="[COURSE] OUT",
                         help="the course (default: the nearest course.toml above this folder, else the bundled "
                         "course) and a new folder to write")
    release.add_argument("--assignment", action="append", help="release only this assignment (repeatable)")
    check_course = commands.add_parser("validate", help="check a course's graders before students see it "
                                       "(for course authors)")
    check_course.add_argument("course", nargs="?", metavar="COURSE",
                              help="the course folder (default: the nearest course.toml above this folder, else the "
                              "bundled course)")
    check_course.add_argument("--assignment", action="append", help="validate only this assignment (repeatable)")
    check_course.add_argument("--seeds", default="0,1,2", metavar="S,S,...",
                              help="grading seeds the reference must get full marks under (default: 0,1,2)")
    # No abbreviations: `--token SECRET` must be an error, never taken for --token-url.
    for sub in [parser, *commands.choices.values(), *steps.choices.values()]:
        sub.allow_abbrev = False
    return parser.parse_args(argv)


def unique_ids(submissions: list[Submission]) -> list[Submission]:
    """Two submissions may share a name (a/alice, b/alice): the later ones get a suffix."""
    seen: dict[str, int] = {}
    out = []
    for sub in submissions:
        n = seen.get(sub.id, 0)
        seen[sub.id] = n + 1
        out.append(sub if n == 0 else replace(sub, id=f"{sub.id}-{n + 1}"))
    return out


def collect(paths: list[str], scratch: Path, roster: Roster | None, console: Console,
            course: Course) -> list[Submission]:
    """Every submission under the given paths, named by the roster where there is one."""
    from autograder.submission import layouts

    submissions: list[Submission] = []
    for path in paths:
        found, notes = layouts.expand(path, scratch, course.modules)
        submissions.extend(found)
        for note in notes:
            console.print(Text(f"Note: {note}", style="yellow"))
    if roster:
        unknown = []
        for i, sub in enumerate(submissions):
            submissions[i], known = roster.identify(sub)
            if not known:
                unknown.append(sub.id)
        if unknown:
            console.print(Text(f"Not on the roster, so graded under their own names: {', '.join(unknown)}.",
                               style="yellow"))
    return unique_ids(submissions)


def graded_assignments(results: list[SubmissionResult], names: list[str] | None = None) -> list[str]:
    """The assignments these results hold, in the order they hold them; `names` picks some of
    them (an unknown name is an error)."""
    held = list(held_assignments(results))
    unknown = [n for n in names or [] if n not in held]
    if unknown:
        raise ValueError(f"unknown assignment {', '.join(unknown)}; the results hold {', '.join(held)}")
    return [a for a in held if a in names] if names else held


def late_policy(args: argparse.Namespace) -> LatePolicy | None:
    from autograder.grading.late import LatePolicy, parse_time

    if not args.due:
        for flag in ("late_penalty", "late_days", "grace"):
            if getattr(args, flag) is not None:
                raise ValueError(f"--{flag.replace('_', '-')} needs --due")
        return None
    return LatePolicy(due=parse_time(args.due), percent_per_day=10.0 if args.late_penalty is None else args.late_penalty,
                      last_day=args.late_days, grace=timedelta(minutes=args.grace or 0))


def with_context(result: SubmissionResult, submission: Submission, digest: str, policy: LatePolicy | None,
                 console: Console) -> SubmissionResult:
    """Who and when, from this run: the identity and late penalty follow the roster and due date given now."""
    result.submission = submission.id
    result.source = str(submission.path)
    result.students = list(submission.students)
    result.fingerprint = digest
    result.late = policy.assess(submission.submitted_at, submission.flagged_late) if policy else None
    if submission.flagged_late and not policy:
        console.print(Text(f"{submission.id}: the LMS marked it late; without --due no penalty is applied.",
                           style="yellow"))
    return result


def record(result: SubmissionResult, out: Path, print_json: bool, log: ResultLog | None = None) -> SubmissionResult:
    """Writes one submission's result where it belongs, the moment it is known."""
    from autograder.render import feedback

    if log is not None:
        log.append(result)
    feedback.write(out / "feedback", result)
    if print_json:
        print(result.to_json(), flush=True)
    return result


def progress_bar(console: Console) -> Progress:
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    return Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("[green]{task.fields[done]} done[/] [red]{task.fields[failed]} failed[/] "
                               "{task.fields[left]} left"),
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console, transient=True)


def require_gradable(course: Course, assignments: list[str]) -> None:
    """Refuses, before anything is graded, a course that cannot grade these assignments here."""
    problems = course.grading_problems(assignments)
    if problems:
        raise CourseError("the course cannot be graded as it is:\n" + "\n".join(problems))


def cmd_grade(args: argparse.Namespace) -> int:
    from autograder.export import nbgrader_gradebook
    from autograder.grading.batch import grade_many, merge, plan, unfinished
    from autograder.render import gradebook, terminal
    from autograder.results.log import ResultLog
    from autograder.submission.roster import Roster

    if args.gradebook:  # asked for before anything is graded
        nbgrader_gradebook.require()
    course = Course.locate(args.course, near=".")
    assignments = course.select(args.assignment)
    require_gradable(course, assignments)
    policy = late_policy(args)
    roster = Roster.load(args.roster) if args.roster else None
    console = Console(stderr=args.json)
    errors = Console(stderr=True)
    url = None
    if args.broker is not None:  # the workers' hosts check their own sandbox
        from autograder.grading.cluster import broker_url, shown

        extras.need("celery", "autograder grade --broker")
        url = broker_url(args.broker or None)
        errors.print(Text(f"Grading on the workers of {shown(url)}", style="dim"))
    else:
        isolation.require(args.allow_weak_sandbox, protect=(course.root,),
                          warn=lambda text: errors.print(Text(text, style="yellow")))
    errors.print(Text(f"Course: {course.title} ({course.root})", style="dim"))
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="autograder-batch-") as scratch, ResultLog(out / "results.jsonl") as log:
        submissions = collect(args.submissions, Path(scratch), roster, errors, course)
        if not submissions:
            raise SubmissionError("no submission was found under " + ", ".join(args.submissions))
        previous = log.read()
        if log.skipped_lines:
            errors.print(Text(f"{log.skipped_lines} unreadable line(s) of {log.path} (a run killed mid-write) "
                              "were dropped; those submissions are graded again.", style="yellow"))
        batch = plan(submissions, previous, course, assignments, args.regrade)
        todo, digests = batch.todo, batch.digests
        results: dict[str, SubmissionResult] = {}
        for sub in batch.kept:
            results[sub.id] = record(with_context(previous[sub.id], sub, digests[sub.id], policy, errors), out,
                                     args.json)
        if results:
            errors.print(f"{len(results)} submission(s) already graded and unchanged: kept (--regrade grades them "
                         "again).")
        failed: list[str] = []
        with progress_bar(errors) as progress:
            task = progress.add_task("grading", total=len(todo), done=0, failed=0, left=len(todo))
            if url is None:
                outcomes = grade_many(todo, course, assignments, workers=args.workers, seed=args.seed,
                                      deadline=args.timeout)
            else:
                from autograder.grading.cluster import grade_queued

                outcomes = grade_queued(todo, course, assignments, url=url, seed=args.seed, deadline=args.timeout,
                                        warn=lambda text: errors.print(Text(text, style="yellow")))
            for outcome in outcomes:
                sub = outcome.submission
                if outcome.result is None:
                    failed.append(sub.id)
                    errors.print(Text(f"{sub.id}: {outcome.error.splitlines()[0]}", style="red"))
                    result = with_context(unfinished(sub, course, assignments, outcome.error), sub, digests[sub.id],
                                          policy, errors)
                else:
                    result = merge(previous.get(sub.id),
                                   with_context(outcome.result, sub, digests[sub.id], policy, errors), course)
                results[sub.id] = record(result, out, args.json, log)
                finished = int(progress.tasks[0].completed) + 1
                progress.update(task, advance=1, done=finished - len(failed), failed=len(failed),
                                left=len(todo) - finished)
        ordered = [results[s.id] for s in submissions]
        named = {s.id for s in submissions}
        log.rewrite([*ordered, *(r for key, r in previous.items() if key not in named)])
    shown = graded_assignments(ordered)  # earlier runs' parts too
    gradebook.write(out / "gradebook.csv", ordered, shown)
    if args.gradebook:
        nbgrader_gradebook.write(args.gradebook, ordered, shown, course)
        console.print(f"Wrote the scores into the nbgrader gradebook {args.gradebook}.")
    if len(ordered) <= SCORE_TABLE_ROWS:
        console.print(terminal.score_table(ordered, shown))
    console.print(terminal.distribution_table(ordered, shown))
    if policy:
        late = [r for r in ordered if r.late]
        console.print(f"Late policy: {policy.describe()}. {len(late)} late submission(s).")
    console.print(f"Wrote {log.path}, {out / 'gradebook.csv'} and {len(ordered)} feedback page(s) in "
                  f"{out / 'feedback'}.")
    if failed:
        errors.print(Text(f"{len(failed)} submission(s) could not be graded: {', '.join(failed)}. They are recorded "
                          "with no points and marked incomplete; run the same command again to retry them.",
                          style="bold red"))
        return EXIT_INCOMPLETE
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """A grading host: the Celery worker that grades `grade --broker`'s tasks, until stopped."""
    import logging

    extras.need("celery", "autograder worker")
    from autograder.grading.cluster import Host, broker_url, queue_name, shown

    course = Course.locate(args.course, near=".")
    require_gradable(course, course.names)
    if args.concurrency < 1 or args.redeliver_after <= 0:
        raise ValueError("--concurrency and --redeliver-after must be positive")
    url = broker_url(args.broker)
    errors = Console(stderr=True)
    isolation.require(args.allow_weak_sandbox, protect=(course.root,),
                      warn=lambda text: errors.print(Text(text, style="yellow")))
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s %(levelname)s] %(message)s")
    graders = ", ".join(f"{name} {course.digest(name)}" for name in course.names)
    errors.print(Text(f"autograder {__version__}, course {course.name} ({course.root}; graders {graders}): taking "
                      f"{queue_name(course)} tasks from {shown(url)}, {args.concurrency} at a time", style="dim"))
    Host(url, course, redeliver_after=args.redeliver_after).run(args.concurrency, args.name)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with concurrent.futures.ThreadPoolExecutor(1) as background:
        # Finding the isolation starts a trial sandbox; it runs while this process reads the
        # submission and imports the graders' machinery (pytest, numpy).
        found = background.submit(isolation.detect)
        return check(args, found)


def check(args: argparse.Namespace, isolation_found: concurrent.futures.Future) -> int:
    from autograder.grading.runner import grade
    from autograder.render import terminal

    course = Course.locate(args.course, near=args.path)
    submission = Submission.from_path(args.path)
    with staged(submission, course.modules) as (_, files):
        found = files.modules
    wanted = course.select(args.assignment) if args.assignment else [
        a for a in course.names if course[a].module in found]
    console = Console(highlight=False)
    if not wanted:
        console.print(f"No assignment file ({', '.join(f'{m}.py' for m in course.modules)}) was found under "
                      f"{args.path}.", style="red")
        return 1
    unmet = course.unmet_requirements(wanted)  # said before anything runs; the other assignments are checked
    for sentence in unmet.values():
        console.print(Text(f"Not checked: {sentence}", style="red"), soft_wrap=True)  # the command, unbroken
    wanted = [a for a in wanted if a not in unmet]
    if not wanted:
        return 1
    sandbox = isolation_found.result()
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
    return 0 if passed == len(tests) and not unmet else 1


def cmd_export(args: argparse.Namespace) -> int:
    course = Course.locate(args.course, near=".")
    out = Path(args.out)
    from autograder.release import nbgrader, otter  # nbformat: a second to import, needed only here

    if args.tool == "nbgrader":
        written = nbgrader.export(course, out)
        steps = f"cd {out} && nbgrader generate_assignment ASSIGNMENT, then nbgrader autograde ASSIGNMENT"
    else:
        written = otter.export(course, out)
        steps = f"otter assign {out}/ASSIGNMENT/ASSIGNMENT.ipynb {out}/ASSIGNMENT/dist"
    console = Console(highlight=False)
    console.print(f"Wrote {len(written)} files and folders under {out}. Next: {steps}.")
    # Writing needs only nbformat; the next step needs the tool (its extra and its module have its name).
    if not extras.available(args.tool):
        console.print(Text(f"Note: that next step needs {extras.EXTRAS[args.tool][args.tool]}, which is not "
                           f"installed here: {extras.install_command([args.tool])}", style="yellow"), soft_wrap=True)
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    from autograder.export import gradescope

    if args.step == "build":
        entries = gradescope.build(Course.locate(args.course, near="."), Path(args.out))
        Console(highlight=False).print(f"Wrote {args.out} ({len(entries)} files). Upload it as the autograder of a "
                                       "Gradescope programming assignment (Ubuntu base image).")
        return 0
    result = gradescope.run(Path(args.root), args.course)
    print(f"Graded {result.submission}: {result.score:g}/{result.max_score:g}; wrote {args.root}/results/results.json")
    return 0


def load_results(folder: str) -> list[SubmissionResult]:
    from autograder.results.log import ResultLog

    log = ResultLog(Path(folder) / "results.jsonl")
    if not log.path.exists():
        raise ValueError(f"{log.path} does not exist: run `autograder grade ... --out {folder}` first")
    results = list(log.read().values())
    unfinished_ids = [r.submission for r in results if not r.complete]
    if unfinished_ids:
        Console(stderr=True).print(Text(f"Not finished grading (posted as recorded, 0 where unfinished): "
                                        f"{', '.join(unfinished_ids)}", style="yellow"))
    return results


def id_map(text: str, results: list[SubmissionResult]) -> dict[str, str]:
    """`first=101,second=102` -> {"first": "101", ...}, for assignments these results hold."""
    pairs = {k.strip(): v.strip() for k, v in (item.split("=", 1) for item in text.split(",") if "=" in item)}
    graded_assignments(results, list(pairs))
    return pairs


def cmd_gradebook(args: argparse.Namespace) -> int:
    from autograder.render import lms

    results = load_results(args.results)
    shown = graded_assignments(results)
    out = Path(args.out or Path(args.results) / f"{args.lms}.csv")
    if args.lms == "canvas":
        rows = lms.canvas_csv(out, results, shown, id_map(args.canvas_ids, results))
    else:
        rows = lms.moodle_csv(out, results, shown)
    Console(highlight=False).print(f"Wrote {out}: {rows} student row(s), {len(shown)} assignment column(s).")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from autograder.render import report as class_report

    results = load_results(args.results)
    report = class_report.build(results, graded_assignments(results, args.assignment))
    console = Console(highlight=False)
    class_report.print_report(console, report, args.top)
    out = class_report.write(Path(args.out or Path(args.results) / "report.html"), report, args.top)
    console.print(f"Wrote {out}.")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    results = load_results(args.results)
    parts = graded_assignments(results, args.assignment)
    console = Console(highlight=False)
    if args.lms == "canvas":
        return publish_canvas(args, results, parts, console)
    return publish_lti(args, results, parts, console)


def publish_canvas(args: argparse.Namespace, results: list[SubmissionResult], parts: list[str],
                   console: Console) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from autograder.publish import canvas
    from autograder.publish.secrets import secret

    per_part = id_map(args.canvas_ids, results)
    if per_part:
        targets = {cid: [a] for a, cid in per_part.items() if a in parts}
    elif args.assignment_id:
        targets = {args.assignment_id: parts}
    else:
        raise ValueError("say where the grades go: --assignment-id ID, or --canvas-ids NAME=ID,...")
    posts = canvas.plan(results, targets)
    if args.dry_run:
        for post in posts:
            console.print(f"{post.submission}: PUT {post.user or '(unknown user)'} in assignment {post.assignment_id}: "
                          f"{post.grade:g} - {post.comment.splitlines()[0]}")
        console.print(f"Dry run: {len(posts)} grade(s) would be posted; nothing was sent.")
        return 0
    url, course_id = canvas.instance(args.url, args.course_id)
    extras.need("requests", "autograder publish canvas")
    token = secret("CANVAS_TOKEN", "Canvas API token")
    with Progress(TextColumn("posting to Canvas"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("post", total=len(posts))
        outcomes = canvas.publish(url, course_id, token, posts, on_done=lambda o: progress.advance(task))
    failed = [o for o in outcomes if not o.ok]
    for o in failed:
        console.print(Text(f"{o.post.submission} ({o.post.user or 'unknown'}): {o.message}", style="red"))
    console.print(f"Posted {len(outcomes) - len(failed)} of {len(outcomes)} grade(s) to Canvas.")
    return EXIT_INCOMPLETE if failed else 0


def publish_lti(args: argparse.Namespace, results: list[SubmissionResult], parts: list[str],
                console: Console) -> int:
    from autograder.publish import lti
    from autograder.publish.secrets import secret

    scores, missing = lti.plan(results, parts)
    for who in missing:
        console.print(Text(f"{who}: no LTI user id (add an lti_user_id column to the roster); not posted.",
                           style="yellow"))
    if args.dry_run:
        for score in scores:
            console.print(f"{score.submission}: {score.student.lti_user_id} {score.given:g}/{score.maximum:g}")
        console.print(f"Dry run: {len(scores)} score(s) would be posted; nothing was sent.")
        return 0
    if not (args.lineitem and args.token_url and args.client_id):
        raise ValueError("give --lineitem, --token-url and --client-id")
    extras.need("requests", "autograder publish lti")
    extras.need("jwt", "autograder publish lti")
    extras.need("cryptography", "autograder publish lti", "for RS256 signatures")
    key = secret("LTI_PRIVATE_KEY", "LTI tool private key (PEM)")
    done = lti.publish_all(args.lineitem, args.token_url, args.client_id, key, scores, key_id=args.key_id,
                           audience=args.audience)
    failed = [(s, m) for s, ok, m in done if not ok]
    for score, message in failed:
        console.print(Text(f"{score.submission} ({score.student.lti_user_id}): {message}", style="red"))
    console.print(f"Posted {len(done) - len(failed)} of {len(done)} score(s) to the line item.")
    return EXIT_INCOMPLETE if failed or missing else 0


def cmd_new(args: argparse.Namespace) -> int:
    from autograder import scaffold  # nbformat and the graders' collection: needed only here

    if args.kind == "course":
        made = scaffold.new_course(Path(args.dir), name=args.name, title=args.title, source=args.source)
    else:
        made = scaffold.new_assignment(args.name, args.functions.split(","), title=args.title, course=args.course)
    console = Console(highlight=False)
    for note in made.notes:
        console.print(Text(f"Note: {note}", style="yellow"))
    console.print(made.summary)
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    if len(args.paths) > 2:
        raise ValueError("give at most a course folder and the folder to write: autograder release [COURSE] OUT")
    course = Course.locate(args.paths[0] if len(args.paths) == 2 else None, near=".")
    out = Path(args.paths[-1])
    from autograder.release import student  # nbformat and the lessons: needed only here

    written = student.build(course, out, args.assignment)
    Console(highlight=False).print(f"Wrote {len(written)} files of {escape(course.title)} under {out}: students run "
                                   f"`autograder check` in an assignment's folder, or the checks in its notebook.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from autograder.authoring.validate import validate  # pytest and the graders: needed only here
    from autograder.render import terminal

    course = Course.locate(args.course, near=".")
    unmet = course.unmet_requirements(args.assignment)
    if unmet:
        raise CourseError("\n".join(unmet.values()))
    console = Console(highlight=False)
    errors = Console(stderr=True)
    isolation.require(True, protect=(course.root,), warn=lambda text: errors.print(Text(text, style="yellow")))
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    with errors.status("validating") as status:
        report = validate(course, args.assignment, seeds, progress=lambda name: status.update(f"validating {name}"))
    for problem in report.problems:
        console.print(Text(problem, style="red"))
    for table in terminal.validation_tables(report):
        console.print(table)
    ready = sum(a.ok for a in report.assignments)
    console.print(f"{escape(course.title)}: {ready} of {len(report.assignments)} assignment(s) ready"
                  + ("." if report.ok else "; fix what is marked above, then validate again."),
                  style="bold green" if report.ok else "bold red")
    return 0 if report.ok else 1


COMMANDS = {"grade": cmd_grade, "worker": cmd_worker, "gradebook": cmd_gradebook, "report": cmd_report, "publish": cmd_publish, "check": cmd_check, "export": cmd_export, "gradescope": cmd_gradescope, "new": cmd_new, "release": cmd_release,
            "validate": cmd_validate}


# The errors a command reports to its user in one line (anything else is a bug, and keeps its
# traceback), by where they are defined: a module that was never imported raised none of them.
# (exit status, what the line says first, the errors), tried in this order.
REPORTED = [
    (EXIT_USAGE, "", ["autograder.submission.discover.SubmissionError", "autograder.course.CourseNotFound",
                      "autograder.submission.roster.RosterError", "autograder.results.log.LogBusy",
                      "autograder.publish.secrets.MissingSecret", "autograder.grading.cluster.BrokerError",
                      "builtins.ValueError"]),
    (EXIT_GRADER, "the graders could not run: ", ["autograder.grading.runner.GraderError",
                                                  "autograder.grading.questions.QuestionError",
                                                  "autograder.release.source.SourceError",
                                                  "autograder.course.CourseError"]),
    (EXIT_GRADER, "", ["autograder.publish.lti.LtiError", "autograder.sandbox.isolation.WeakIsolation"]),
]


def reported(exc: Exception) -> tuple[int, str] | None:
    """The exit status and the line for an error a command reports, or None for a bug."""
    if isinstance(exc, extras.MissingExtra):  # one line that names the extra to install
        return EXIT_USAGE, str(exc)
    for status, what, names in REPORTED:
        for name in names:
            module, _, cls = name.rpartition(".")
            loaded = sys.modules.get(module)
            if loaded is not None and isinstance(exc, getattr(loaded, cls)):
                return status, f"autograder: {what}{exc}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except Exception as exc:
        known = reported(exc)
        if known is None:
            raise
        print(known[1], file=sys.stderr)
        return known[0]
