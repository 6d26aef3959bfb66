"""Grades many submissions on long-lived worker processes, and survives losing any of them.

A worker is a trusted process that runs the graders (`runner.grade`) for one submission
at a time; the student's code runs in the sandbox that each grade opens, a child forked
from the worker's fork server (sandbox/warm.py), which imported numpy and, for the Keras
assignment, TensorFlow once for all of the worker's submissions. A worker that
dies (a crash in a grader, the kernel's OOM killer) or is still busy after the
per-submission deadline is killed and replaced: its submission is reported as not
graded, and the batch goes on. Workers send results back as the result model's JSON
dicts, the same form the results log stores.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Iterator

from autograder.course import Course
from autograder.results.model import AssignmentResult, SubmissionResult, TestResult
from autograder.sandbox import isolation
from autograder.sandbox.limits import DEADLINE_MARGIN
from autograder.sandbox.warm import ForkServer
from autograder.submission.discover import Submission, fingerprint

PR_SET_PDEATHSIG = 1


@dataclass
class Outcome:
    """One submission's end: a result, or why grading did not finish."""

    submission: Submission
    result: SubmissionResult | None = None
    error: str = ""


def _serve(conn: Connection, course_root: str, assignments: list[str], seed: int, parent: int,
           found: isolation.Isolation) -> None:
    """A worker's loop: a submission in, its result (or the grader's error) out, until told to stop."""
    if hasattr(os, "setsid"):  # its own process group, so that killing it reaches whatever it started
        os.setsid()
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    isolation.assume(found)  # what the parent found moments ago, without setting up a trial sandbox again
    course = Course.load(course_root)
    # First, so that the server's imports (TensorFlow: seconds) overlap pytest's and the graders'
    # preparation (done for each assignment when a submission first holds it).
    with ForkServer(course.preload(assignments), hide=(course.root,)) as warm:
        from autograder.grading.runner import grade  # imported here: the parent needs none of pytest

        while True:
            submission = conn.recv()
            if submission is None:
                return
            try:
                conn.send(("ok", grade(submission, course, assignments, seed=seed, warm=warm,
                                       prepare_graders=True).to_dict()))
            except Exception as exc:  # noqa: BLE001 - reported for this submission; the batch goes on
                conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"))


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a killed `autograder grade` (Linux: PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError, TypeError):  # not Linux: the closed pipe ends the worker after its submission
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class GradingWorker:
    """A trusted grading process with its warm fork server, and the submission it is grading."""

    def __init__(self, context: multiprocessing.context.BaseContext, course: Course, assignments: list[str],
                 seed: int) -> None:
        self.conn, child_end = context.Pipe()
        self.process = context.Process(target=_serve, daemon=True,
                                       args=(child_end, str(course.root), assignments, seed, os.getpid(),
                                             isolation.detect()))
        self.process.start()
        child_end.close()
        self.job: Submission | None = None
        self.started = 0.0

    def give(self, submission: Submission) -> None:
        self.job, self.started = submission, time.monotonic()
        self.conn.send(submission)

    def outcome(self, ready: list, deadline: float) -> Outcome | None:
        """How its submission ended, given what `wait` found ready, or None while it is still
        being graded within `deadline` seconds."""
        assert self.job is not None
        if self.conn in ready:
            try:
                kind, payload = self.conn.recv()
            except (EOFError, OSError):
                kind, payload = "died", None
            if kind == "ok":
                return Outcome(self.job, SubmissionResult.from_dict(payload))
            if kind == "error":
                return Outcome(self.job, error=f"the graders failed: {payload}")
            return Outcome(self.job, error=_death(self))
        if self.process.sentinel in ready:
            return Outcome(self.job, error=_death(self))
        if time.monotonic() - self.started > deadline:
            return Outcome(self.job, error=f"grading took longer than {deadline:g} s and was stopped")
        return None

    def grade(self, submission: Submission, deadline: float) -> Outcome:
        """Grades one submission and waits for its outcome (a grading host's slot, cluster.py)."""
        self.give(submission)
        while True:
            left = self.started + deadline - time.monotonic()
            outcome = self.outcome(wait([self.conn, self.process.sentinel], timeout=max(0.0, left)), deadline)
            if outcome is not None:
                self.job = None
                return outcome

    def kill(self) -> None:
        for target in (lambda: os.killpg(self.process.pid, signal.SIGKILL), self.process.kill):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError, AttributeError):  # AttributeError: Windows
                pass
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.kill()


def grade_many(submissions: list[Submission], course: Course, assignments: list[str], *, workers: int = 1,
               seed: int = 0, deadline: float = 900.0 + DEADLINE_MARGIN) -> Iterator[Outcome]:
    """Each submission's outcome as it finishes. `deadline` is the seconds one submission may take."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no state of ours leaks in
    queue = list(reversed(submissions))
    pool = [GradingWorker(context, course, assignments, seed) for _ in range(max(1, min(workers, len(submissions))))]
    try:
        for worker in pool:
            if queue:
                worker.give(queue.pop())
        while any(w.job for w in pool):
            busy = [w for w in pool if w.job]
            waiting_for = min(w.started + deadline for w in busy) - time.monotonic()
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=max(0.0, waiting_for))
            for index, worker in enumerate(pool):
                if not worker.job:
                    continue
                outcome = worker.outcome(ready, deadline)
                if outcome is None:
                    continue
                if outcome.result is None:  # the worker is dead or stuck: a fresh one takes its place
                    worker.kill()
                    worker = pool[index] = GradingWorker(context, course, assignments, seed)
                worker.job = None
                if queue:
                    worker.give(queue.pop())
                yield outcome
    finally:
        for worker in pool:
            if worker.job:
                worker.kill()
            else:
                worker.stop()


def _death(worker: GradingWorker) -> str:
    worker.process.join(1)
    code = worker.process.exitcode
    if code is not None and code < 0:
        return f"the grading process was killed by signal {signal.Signals(-code).name}"
    return f"the grading process exited unexpectedly (exit code {code})"


@dataclass
class Plan:
    """A batch's resume decision: what to grade now, and which earlier results still stand."""

    todo: list[Submission]
    kept: list[Submission]
    digests: dict[str, str]  # submission id -> fingerprint of its files


def plan(submissions: list[Submission], previous: dict[str, SubmissionResult], course: Course,
         assignments: list[str], regrade: bool = False) -> Plan:
    """New, changed and unfinished submissions, and those graded by graders that have changed since,
    are graded; the rest keep their earlier result (unless `regrade`)."""
    digests = {sub.id: fingerprint(sub) for sub in submissions}
    graders = {a: course.digest(a) for a in assignments}
    todo = [s for s in submissions if regrade or not reusable(previous.get(s.id), digests[s.id], graders)]
    grading = {s.id for s in todo}
    return Plan(todo, [s for s in submissions if s.id not in grading], digests)


def reusable(previous: SubmissionResult | None, fingerprint: str, graders: dict[str, str]) -> bool:
    """An earlier run's record still stands: it finished, on these very files, covering these
    assignments (`graders`: each one's Course.digest), each graded by the graders of today."""
    return (previous is not None and previous.complete and previous.fingerprint == fingerprint
            and all(a in previous.assignments and previous.assignments[a].graders == digest
                    for a, digest in graders.items()))


def merge(previous: SubmissionResult | None, new: SubmissionResult, course: Course) -> SubmissionResult:
    """Grading some assignments again (`--assignment`) keeps the others from the earlier
    record of the same files; a changed submission keeps nothing of the old one."""
    if previous is None or previous.fingerprint != new.fingerprint or not previous.complete:
        return new
    order = [a for a in course.names if a in previous.assignments or a in new.assignments]
    new.assignments = {a: new.assignments.get(a) or previous.assignments[a] for a in order}
    return new


def unfinished(submission: Submission, course: Course, assignments: list[str], error: str) -> SubmissionResult:
    """The record of a submission whose grading did not finish: every test it would have
    had, with no points, marked as an error, so the totals keep their maximum."""
    from autograder.grading.questions import collect

    message = f"Grading did not finish: {error.splitlines()[0] if error else 'unknown cause'}. " \
              "This is not a verdict on the work; running `autograder grade` again retries it."
    result = SubmissionResult(submission=submission.id, source=str(submission.path),
                              students=list(submission.students), complete=False, notes=[message])
    for name in assignments:
        tests = [TestResult(name=t.name, score=0.0, max_score=t.points, status="error", visibility=t.visibility,
                            feedback=message, nodeid=f"{course.grader_file(name).name}::{t.function}")
                 for t in collect(course.grader_file(name), course[name].functions, course.root)]
        result.assignments[name] = AssignmentResult(name, tests, title=course[name].title)
    return result
