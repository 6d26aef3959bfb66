"""Grading on any number of hosts: one Celery task per submission, over Redis.

`autograder worker --broker URL` on each grading host runs a Celery worker whose N
pool processes each hold today's warm grading worker (batch.GradingWorker: a trusted
grading process with its fork server; the sandbox is unchanged). `autograder grade ... --broker
URL` sends each submission's files as one task and takes the results back from a Redis
list as they finish, into the same loop, results log and exports as a local batch.

Nothing lost, nothing doubled:
- Tasks are acknowledged only once graded (late acknowledgement). A pool process that
  dies mid-task (SIGKILL, the OOM killer) has its task put back at once (rejection on
  worker loss); a whole worker or host that vanished has its tasks given to another
  worker after `redeliver_after` seconds, which must exceed the longest grading (a task
  that allows more is refused). A grading process that dies inside a pool process is
  caught there and reported, exactly as in a local batch.
- A task is counted each time a worker starts it; after MAX_ATTEMPTS starts whose worker
  was lost each time, it is recorded as incomplete, with the reason, and not tried again.
- The client keeps a batch key and a set of finished tasks in Redis: a worker skips a
  task whose batch has ended or whose result the client already holds (a redelivered
  duplicate), and the client keeps the first valid result of each submission. If Redis
  comes back without its data, the client sends again every task not yet finished.
- A worker whose package or course differs from the client's refuses the task, naming
  both versions, and stops taking tasks from the course's queue.

Only JSON crosses the broker (Celery's pickle is never accepted), and nothing a worker
sends back is trusted: `checked` validates each result against the course's own tests
before it reaches the log.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import math
import os
import socket
import ssl
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator
from urllib.parse import quote, urlsplit, urlunsplit

from autograder import __version__
from autograder.course import Course
from autograder.grading.batch import GradingWorker, Outcome
from autograder.publish.secrets import MissingSecret, secret
from autograder.results.model import STATUSES, VISIBILITIES, SubmissionResult
from autograder.submission.discover import MAX_ZIP_BYTES, MAX_ZIP_MEMBERS, Submission, walk

PROTOCOL = 1
TASK = "autograder.grade"
MAX_ATTEMPTS = 3  # starts of one task whose worker was lost each time, before it is recorded as incomplete
# A task carries what the local pool would read: a zip up to staging's own limits.
MAX_FILES_BYTES = MAX_ZIP_BYTES + (8 << 20)
MAX_FILES = MAX_ZIP_MEMBERS
MAX_RESULT_BYTES = 64 << 20  # one result as a worker sends it back
MAX_TEXT = 1_000_000  # characters of one feedback, note or title
MAX_NOTES = 10_000
WINDOW = 256  # tasks in the queue at once: a class of 50,000 never sits in Redis all at once
WINDOW_BYTES = 512 << 20  # and at most this much of their files (always at least one task)
KEEP_SECONDS = 24 * 3600  # how long the batch's keys outlive a client that vanished
BATCH_SECONDS = 600  # the batch key's lifetime, renewed by the client while it waits
RENEW_SECONDS = 5.0  # how often the client renews it, and so finds a broker that lost its data
STAGED_SUFFIXES = (".py", ".pth", ".ipynb")  # what staging reads in a folder (discover.stage)
DEFAULT_REDELIVER_AFTER = 3600.0

log = logging.getLogger("autograder.cluster")


class BrokerError(Exception):
    """The broker's address or secrets are unusable, or a task could not be sent."""


# -- the broker: its address, secrets and TLS ---------------------------------------------

def broker_url(given: str | None) -> str:
    """The broker's URL: `given` (never with a password in it: the command line is visible to
    every user of the machine), else AUTOGRADER_BROKER_URL or the file AUTOGRADER_BROKER_URL_FILE
    names; the password, if not in those, from AUTOGRADER_BROKER_PASSWORD(_FILE)."""
    if given:
        if urlsplit(given).password:
            raise BrokerError("the broker URL on the command line holds a password, which every user of this machine "
                              "can read in the process list: give the URL without it and the password in "
                              "AUTOGRADER_BROKER_PASSWORD (or a file named by AUTOGRADER_BROKER_PASSWORD_FILE), or "
                              "the whole URL in AUTOGRADER_BROKER_URL")
        url = given
    else:
        try:
            url = secret("AUTOGRADER_BROKER_URL", "broker URL")
        except MissingSecret as exc:
            raise BrokerError(f"{exc}, or pass --broker redis://HOST:6379/0") from None
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise BrokerError(f"the broker must be Redis (redis:// or rediss:// for TLS), not {parts.scheme or url!r}")
    if not parts.password:
        try:
            password = secret("AUTOGRADER_BROKER_PASSWORD", "broker password")
        except MissingSecret:
            return url
        url = _with_password(url, quote(password, safe=""))
    return url


def _with_password(url: str, password: str) -> str:
    """The URL with this password (already quoted as a URL needs) in place of its own."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(parts.username or '', safe='')}:{password}@{host}"))


def shown(url: str) -> str:
    """The URL as it may be printed: without its password."""
    return _with_password(url, "***") if urlsplit(url).password else url


def tls_options(url: str) -> dict[str, Any] | None:
    """For rediss://: verify the server's certificate, against AUTOGRADER_BROKER_CA (a CA file)
    if set, else the system's CAs; a client certificate from AUTOGRADER_BROKER_CERT/_KEY."""
    if urlsplit(url).scheme != "rediss":
        return None
    options: dict[str, Any] = {"ssl_cert_reqs": ssl.CERT_REQUIRED, "ssl_check_hostname": True}
    for name, key in (("AUTOGRADER_BROKER_CA", "ssl_ca_certs"), ("AUTOGRADER_BROKER_CERT", "ssl_certfile"),
                      ("AUTOGRADER_BROKER_KEY", "ssl_keyfile")):
        if os.environ.get(name):
            options[key] = os.environ[name]
    return options


def connect(url: str):
    """A Redis client for the batch's own keys (results, attempts), on the broker's database."""
    import redis

    tls = tls_options(url) or {}
    if tls:
        tls = {**tls, "ssl_cert_reqs": "required"}
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, health_check_interval=10,
                                retry_on_timeout=False, **tls)


def make_app(url: str, redeliver_after: float = DEFAULT_REDELIVER_AFTER):
    """The Celery application: JSON only, late acknowledgement, a task given to another worker
    when its own vanished, reconnection forever."""
    from celery import Celery

    app = Celery("autograder", broker=url, set_as_current=False)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_accept_content=["json"],
        task_ignore_result=True, result_backend=None,  # results come back on the batch's own list
        task_acks_late=True, task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a worker holds only the tasks it is grading
        broker_connection_retry=True, broker_connection_retry_on_startup=True, broker_connection_max_retries=None,
        broker_transport_options={
            "visibility_timeout": redeliver_after,  # a task unacknowledged this long goes to another worker
            "unacked_restore_interval": max(1, min(10, int(redeliver_after // 4))), "unacked_restore_throttle": 1,
            "socket_timeout": 30, "socket_connect_timeout": 10, "health_check_interval": 10,
        },
        broker_use_ssl=tls_options(url),
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_redirect_stdouts=False,
        task_send_sent_event=False, worker_send_task_events=False,
    )
    return app


def queue_name(course: Course) -> str:
    return f"autograder.{course.name}"


def _keys(batch: str) -> dict[str, str]:
    return {"batch": f"autograder:batch:{batch}", "results": f"autograder:results:{batch}",
            "taken": f"autograder:taken:{batch}", "done": f"autograder:done:{batch}"}


def _attempts_key(task: str) -> str:
    return f"autograder:attempts:{task}"


# -- what a task carries --------------------------------------------------------------------

def course_files(course: Course) -> str:
    """A digest of every file of the course that grading may read (manifest, data, probes,
    references and graders with their helpers), beyond each assignment's digest."""
    digest = hashlib.sha256()
    for relative in course.files(folders=("solutions", "graders")):
        digest.update(relative.as_posix().encode() + b"\0" + (course.root / relative).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def identity(course: Course, assignments: list[str]) -> dict[str, Any]:
    """What the grades depend on besides the files: the package, each grader's digest, the rest
    of the course's files."""
    return {"autograder": __version__, "course": course.name, "files": course_files(course),
            "graders": {name: course.digest(name) for name in assignments}}


def refusal(sent: dict[str, Any], ours: dict[str, Any]) -> str:
    """Why a worker whose `identity` is `ours` (of all its assignments) must not grade a task the
    client made with `sent`, or ""."""
    if sent.get("autograder") != ours["autograder"]:
        return (f"the worker runs autograder {ours['autograder']}, the client {sent.get('autograder')}: install "
                f"the same version on both")
    course = ours["course"]
    if sent.get("course") != course:
        return f"the worker has the course {course!r}, the client {sent.get('course')!r}"
    graders = sent.get("graders") if isinstance(sent.get("graders"), dict) else {}
    unknown = [name for name in graders if name not in ours["graders"]]
    if unknown:
        return f"the worker's course {course!r} has no assignment {', '.join(map(str, unknown))}"
    differ = [f"{name} (worker {ours['graders'][name]}, client {digest})" for name, digest in graders.items()
              if ours["graders"][name] != digest]
    if differ:
        return (f"the worker's course {course!r} differs from the client's in the graders of "
                f"{'; '.join(differ)}: copy the same course to the worker and restart it")
    if sent.get("files") != ours["files"]:
        return (f"the worker's course {course!r} differs from the client's in other files (worker "
                f"{ours['files']}, client {sent.get('files')}): copy the same course to the worker and restart it")
    return ""


def pack(submission: Submission, modules: set[str] | None = None) -> dict[str, Any]:
    """The files of a submission that staging reads (discover.stage), base64-encoded: a folder's
    .py, .pth and .ipynb files and its symbolic links (which staging reports, never follows), or
    the one file a zip, notebook or .py submission is. Of a folder's .py files named after none
    of `modules` and its .pth files, staging reads only the names: they travel empty."""
    root = submission.path
    files: dict[str, str] = {}
    links: list[str] = []
    size = 0
    if root.is_file():
        paths = [(root, root.name)]
    else:
        found, symlinks = walk(root)
        paths = [(path, path.relative_to(root).as_posix()) for path in found
                 if path.suffix in (".py", ".pth") or path.suffix.lower() == ".ipynb"]
        links = [link.relative_to(root).as_posix() for link in symlinks]
    if len(paths) + len(links) > MAX_FILES:
        raise BrokerError(f"the submission has {len(paths) + len(links)} files to grade, more than a task carries "
                          f"({MAX_FILES})")
    for path, rel in paths:
        named_only = modules is not None and path.suffix in (".py", ".pth") and path.stem not in modules
        data = b"" if named_only else path.read_bytes()
        size += len(data)
        if size > MAX_FILES_BYTES:
            raise BrokerError(f"the submission's files are larger than a task carries ({MAX_FILES_BYTES >> 20} MB)")
        files[rel] = base64.b64encode(data).decode("ascii")
    return {"id": submission.id, "name": root.name, "kind": "file" if root.is_file() else "folder",
            "files": files, "links": links}


def _safe_relative(text: Any) -> PurePosixPath:
    path = PurePosixPath(text) if isinstance(text, str) else None
    if path is None or not text or len(text) > 1000 or path.is_absolute() or any(
            part in ("", ".", "..") or "\\" in part or "\0" in part for part in path.parts):
        raise ValueError(f"a file name in the task is not a plain relative path: {str(text)[:100]!r}")
    return path


def unpack(packed: dict[str, Any], into: Path) -> Submission:
    """The submission a task carries, written under `into` as it was on the client. Every name
    and size is checked: anyone who can reach the broker can send a task."""
    name = packed.get("name")
    files, links = packed.get("files"), packed.get("links", [])
    if not (isinstance(name, str) and isinstance(files, dict) and isinstance(links, list)
            and isinstance(packed.get("id"), str) and 0 < len(packed["id"]) <= 300):
        raise ValueError("the task's submission is not of the expected form")
    if len(files) + len(links) > MAX_FILES:
        raise ValueError("the task holds too many files")
    _safe_relative(name)
    if len(PurePosixPath(name).parts) != 1:
        raise ValueError("the task's submission name is a path")
    root = into / name
    base = root.parent if packed.get("kind") == "file" else root
    if packed.get("kind") == "file" and (len(files) != 1 or links or name not in files):
        raise ValueError("a one-file submission holds exactly that file")
    base.mkdir(parents=True, exist_ok=True)
    size = 0
    for rel, encoded in files.items():
        target = base / _safe_relative(rel)
        if not isinstance(encoded, str):
            raise ValueError("a file's content is not text")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{rel}: not base64") from None
        size += len(data)
        if size > MAX_FILES_BYTES:
            raise ValueError("the task's files are too large")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel in links:
        target = base / _safe_relative(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.symlink("/nonexistent", target)  # staging only notes that it is a link
    return Submission(id=packed["id"], path=root)


# -- checking what a worker sends back ------------------------------------------------------

@dataclass(frozen=True)
class Expected:
    """What a valid result of one submission holds: each assignment's tests (name, points,
    visibility) and graders' digest, as this client's course says."""

    tests: dict[str, list[tuple[str, float, str]]]
    graders: dict[str, str]
    titles: dict[str, str]

    @classmethod
    def of(cls, course: Course, assignments: list[str]) -> "Expected":
        from autograder.grading.questions import collect

        tests = {name: sorted((t.name, float(t.points), t.visibility)
                              for t in collect(course.grader_file(name), course[name].functions, course.root))
                 for name in assignments}
        return cls(tests, {name: course.digest(name) for name in assignments},
                   {name: course[name].title for name in assignments})


class InvalidResult(ValueError):
    """A worker sent back something that is not a result of this submission under this course."""


def _text(value: Any, what: str, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidResult(f"{what} is not text of at most {limit} characters")
    return value


def _number(value: Any, what: str) -> float:
    try:
        if type(value) not in (int, float) or not math.isfinite(value):
            raise OverflowError
        return float(value)
    except OverflowError:
        raise InvalidResult(f"{what} is not a finite number") from None


def checked(data: Any, submission_id: str, expected: Expected) -> SubmissionResult:
    """The result record a worker sent, once every value in it has been checked: the submission
    it names, every assignment asked for and no other, each with exactly the course's tests at
    their points and visibility, scores within them, statuses known, text of bounded length, the
    graders' digests the client's own. Raises InvalidResult, naming the first thing wrong."""
    if not isinstance(data, dict):
        raise InvalidResult("the result is not a JSON object")
    if data.get("submission") != submission_id:
        raise InvalidResult(f"the result is of {str(data.get('submission'))[:100]!r}, not {submission_id!r}")
    assignments = data.get("assignments")
    if not isinstance(assignments, dict) or set(assignments) != set(expected.tests):
        raise InvalidResult(f"the result holds the assignments {sorted(map(str, assignments or {}))}, not "
                            f"{sorted(expected.tests)}")
    for name, part in assignments.items():
        if not isinstance(part, dict) or not isinstance(part.get("tests"), list):
            raise InvalidResult(f"{name}: no list of tests")
        if part.get("graders") != expected.graders[name]:
            raise InvalidResult(f"{name}: graded by graders {str(part.get('graders'))[:40]!r}, not this course's "
                                f"{expected.graders[name]}")
        if part.get("title", "") != expected.titles[name]:
            raise InvalidResult(f"{name}: the title is not the course's")
        found = []
        for test in part["tests"]:
            if not isinstance(test, dict):
                raise InvalidResult(f"{name}: a test is not an object")
            label = _text(test.get("name"), f"{name}: a test's name", 1000)
            points = _number(test.get("max_score"), f"{name}: {label}: max_score")
            score = _number(test.get("score"), f"{name}: {label}: score")
            if not 0 <= score <= points:
                raise InvalidResult(f"{name}: {label}: a score of {score:g} out of {points:g}")
            if test.get("status") not in STATUSES or test.get("visibility") not in VISIBILITIES:
                raise InvalidResult(f"{name}: {label}: unknown status or visibility")
            for key in ("feedback", "nodeid", "cause"):
                _text(test.get(key, ""), f"{name}: {label}: {key}")
            for key in ("functions", "follows"):
                values = test.get(key, [])
                if not isinstance(values, list) or len(values) > 100:
                    raise InvalidResult(f"{name}: {label}: {key} is not a short list")
                for value in values:
                    _text(value, f"{name}: {label}: {key}", 200)
            figures = test.get("figures", [])
            if not isinstance(figures, list) or not all(isinstance(f, dict) for f in figures):
                raise InvalidResult(f"{name}: {label}: figures is not a list of objects")
            found.append((label, points, test["visibility"]))
        if sorted(found) != expected.tests[name]:
            raise InvalidResult(f"{name}: the tests are not this course's ({len(found)} sent, "
                                f"{len(expected.tests[name])} in its graders, or other names or points)")
    notes = data.get("notes", [])
    if not isinstance(notes, list) or len(notes) > MAX_NOTES:
        raise InvalidResult("notes is not a short list")
    for note in notes:
        _text(note, "a note")
    _number(data.get("execution_time", 0.0), "execution_time")
    if type(data.get("complete", True)) is not bool:
        raise InvalidResult("complete is not true or false")
    try:
        result = SubmissionResult.from_dict({key: data[key] for key in
                                             ("submission", "assignments", "notes", "execution_time", "complete")
                                             if key in data})
    except Exception as exc:  # noqa: BLE001 - whatever else is wrong in it, it is not a record
        raise InvalidResult(f"the result does not read as a record: {type(exc).__name__}: {exc}") from None
    return result


# -- the grading host ---------------------------------------------------------------------

class _Slot:
    """A pool process's own warm grading worker, started on its first task."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self.worker: GradingWorker | None = None
        self.key: tuple[tuple[str, ...], int] | None = None

    def grade(self, submission: Submission, assignments: list[str], seed: int, deadline: float) -> Outcome:
        import multiprocessing

        if self.worker is not None and (self.key != (tuple(assignments), seed) or not self.worker.process.is_alive()):
            self.worker.kill()  # another kind of task, or it died while idle (the OOM killer)
            self.worker = None
        if self.worker is None:
            _allow_children()
            self.worker = GradingWorker(multiprocessing.get_context("spawn"), self.course, assignments, seed)
            self.key = (tuple(assignments), seed)
        try:
            outcome = self.worker.grade(submission, deadline)
        except BaseException:
            outcome = None
            raise
        finally:
            if outcome is None or outcome.result is None:  # dead, stuck or broken: the next task gets a fresh one
                self.worker.kill()
                self.worker = None
        return outcome


def _allow_children() -> None:
    """Lets a Celery (billiard) pool process start the grading worker with multiprocessing. It is
    daemonic, and multiprocessing refuses children to a daemonic process only so that none is left
    behind: this one is stopped with the pool process (worker_process_shutdown) and dies with it
    otherwise (PR_SET_PDEATHSIG). billiard's authentication key, which multiprocessing cannot pass
    on to a spawned child, is replaced by one of multiprocessing's own."""
    import multiprocessing.process

    config = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    config["daemon"] = False
    if type(config.get("authkey")) is not multiprocessing.process.AuthenticationString:
        config["authkey"] = multiprocessing.process.AuthenticationString(os.urandom(32))


class Host:
    """What `autograder worker` runs: the Celery worker and the task it serves."""

    def __init__(self, url: str, course: Course, redeliver_after: float = DEFAULT_REDELIVER_AFTER) -> None:
        self.course, self.redeliver_after = course, redeliver_after
        self.identity = identity(course, course.names)  # what a task's must match: read once, not per task
        self.app = make_app(url, redeliver_after)
        self.redis = connect(url)
        self._slot: tuple[int, _Slot] | None = None  # (the pool process's pid, its slot)
        self.refused = False
        host = self

        @self.app.task(name=TASK, bind=True)
        def grade(task, payload: dict) -> None:  # noqa: ANN001 - Celery's bound task
            host.serve(payload, str(task.request.id), str(task.request.hostname or socket.gethostname()))

    def slot(self) -> _Slot:
        """This pool process's slot (each forked pool process makes its own)."""
        if self._slot is None or self._slot[0] != os.getpid():
            self._slot = (os.getpid(), _Slot(self.course))
        return self._slot[1]

    def send(self, batch: str, message: dict[str, Any]) -> None:
        """Puts a message on the batch's result list, waiting out a Redis that is restarting
        (for up to `redeliver_after`; after that the task raises, stays unacknowledged and
        is graded again)."""
        import redis

        keys = _keys(batch)
        text = json.dumps(message, ensure_ascii=False, allow_nan=False)
        give_up = time.monotonic() + self.redeliver_after
        pause = 0.5
        while True:
            try:
                self.redis.pipeline().rpush(keys["results"], text).expire(keys["results"], KEEP_SECONDS).execute()
                return
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                if time.monotonic() > give_up:
                    raise
                log.warning("cannot reach the broker to send a result (%s); trying again", exc)
                time.sleep(pause)
                pause = min(pause * 2, 10.0)

    def serve(self, payload: dict, task: str, hostname: str) -> None:
        """One task, its outcome sent back; only a broker out of reach for good makes it raise (and
        the task, unacknowledged, is delivered again)."""
        import redis
        from celery.exceptions import Reject

        try:
            try:
                self._serve(payload, task, hostname)
            except redis.RedisError:
                raise
            except Exception as exc:  # noqa: BLE001 - a fault of ours, told to the client rather than retried
                log.exception("task %s failed", task)
                batch = payload.get("batch") if isinstance(payload, dict) else None
                if isinstance(batch, str) and batch.isalnum():
                    self.send(batch, {"task": task, "kind": "error", "worker": hostname,
                                      "error": f"the worker failed: {type(exc).__name__}: {exc}"})
        except redis.RedisError as exc:  # the broker out of reach for good: back to the queue, not dropped
            log.error("task %s goes back to the queue: %s", task, exc)
            raise Reject(str(exc), requeue=True) from None

    def _serve(self, payload: dict, task: str, hostname: str) -> None:
        """Checked, counted, graded in this pool process's slot."""
        batch = payload.get("batch") if isinstance(payload, dict) else None
        if not (isinstance(batch, str) and batch.isalnum() and len(batch) <= 64):
            log.error("task %s is not an autograder task; dropped", task)
            return
        keys = _keys(batch)

        def reply(kind: str, **fields: Any) -> None:
            self.send(batch, {"task": task, "kind": kind, "worker": hostname, **fields})

        if payload.get("protocol") != PROTOCOL:
            reply("refused", error=f"the worker speaks task protocol {PROTOCOL}, the client "
                                   f"{payload.get('protocol')}: install the same autograder on both")
            return
        if not self.redis.exists(keys["batch"]):
            log.info("task %s: its batch has ended (the client stopped); skipped", task)
            return
        if self.redis.sismember(keys["done"], task):
            log.info("task %s: already graded (a task delivered again); skipped", task)
            return
        attempts = self.redis.pipeline().incr(_attempts_key(task)).expire(_attempts_key(task), KEEP_SECONDS).execute()
        if attempts[0] > MAX_ATTEMPTS:
            reply("error", error=f"its grading was started {attempts[0] - 1} times and each time the worker grading "
                                 "it was lost (killed, or its host went down); it is not tried again")
            return
        why = refusal(payload.get("identity") or {}, self.identity)
        if why:
            self.refuse(why, hostname)
            reply("refused", error=f"the worker {hostname} refused it: {why}")
            return
        try:
            assignments = self.course.select(payload.get("assignments"))
            seed, deadline = int(payload.get("seed", 0)), float(payload.get("deadline", 0))
            if not 0 < deadline < math.inf:
                raise ValueError("no deadline")
        except (TypeError, ValueError) as exc:
            reply("error", error=f"the task is malformed: {exc}")
            return
        if deadline >= self.redeliver_after:
            reply("error", error=f"the client allows {deadline:g} s per submission, but this worker gives a task to "
                                 f"another after {self.redeliver_after:g} s, while it may still be grading: start the "
                                 "workers with a --redeliver-after above grade's --timeout")
            return
        with tempfile.TemporaryDirectory(prefix="autograder-task-") as tmp:
            try:
                submission = unpack(payload.get("submission") or {}, Path(tmp))
            except (ValueError, OSError) as exc:
                reply("error", error=f"the task's files could not be written: {exc}")
                return
            log.info("grading %s (task %s, attempt %d)", submission.id, task, attempts[0])
            outcome = self.slot().grade(submission, assignments, seed, deadline)
        if outcome.result is not None:
            reply("ok", result=outcome.result.to_dict())
        else:
            reply("error", error=outcome.error)
        log.info("graded %s%s", submission.id, "" if outcome.result is not None else f": {outcome.error[:200]}")

    def refuse(self, why: str, hostname: str) -> None:
        """A worker that cannot grade the client's tasks stops taking them (once)."""
        log.error("refusing the course's tasks: %s", why)
        if self.refused:  # in this pool process; another may cancel again, which does no harm
            return
        self.refused = True
        try:
            # Waits for the worker's answer, so that the client, told of the refusal next, finds it gone.
            self.app.control.cancel_consumer(queue_name(self.course), destination=[hostname], reply=True, timeout=10)
            log.error("this worker no longer takes tasks from %s; restart it once its course and package match",
                      queue_name(self.course))
        except Exception as exc:  # noqa: BLE001 - the refusal itself still goes back
            log.error("could not stop taking tasks: %s", exc)

    def stop(self) -> None:
        """Ends this pool process's grading worker (and its fork server) with it."""
        if self._slot is not None and self._slot[0] == os.getpid() and self._slot[1].worker is not None:
            self._slot[1].worker.stop()

    def run(self, concurrency: int, name: str | None = None) -> None:
        """The Celery worker, in this process, until it is stopped (SIGTERM, Ctrl-C)."""
        import warnings

        from celery.platforms import SecurityWarning
        from celery.signals import worker_process_shutdown

        # Celery warns a worker run as root; the sandbox needs root to run student code as
        # its own unprivileged user, and only JSON is accepted, never pickle.
        warnings.filterwarnings("ignore", category=SecurityWarning)
        worker_process_shutdown.connect(lambda **_: self.stop(), weak=False)
        hostname = name or f"autograder.{os.getpid()}@{socket.gethostname()}"
        self.app.worker_main(["worker", "--pool=prefork", f"--concurrency={concurrency}", "--loglevel=INFO",
                              f"--queues={queue_name(self.course)}", f"--hostname={hostname}",
                              "--without-gossip", "--without-mingle", "--without-heartbeat"])


# -- the client -----------------------------------------------------------------------------

def _reading(raw: bytes) -> dict[str, Any] | None:
    if len(raw) > MAX_RESULT_BYTES:
        return None
    try:
        message = json.loads(raw)
    except Exception:  # noqa: BLE001 - not JSON, or nested past the parser's depth
        return None
    return message if isinstance(message, dict) and isinstance(message.get("task"), str) else None


def grade_queued(submissions: list[Submission], course: Course, assignments: list[str], *, url: str,
                 seed: int = 0, deadline: float, warn: Callable[[str], None] = print,
                 window: int = WINDOW) -> Iterator[Outcome]:
    """Each submission's outcome as a worker finishes it (the interface of batch.grade_many)."""
    import redis
    from kombu.exceptions import OperationalError

    app, client = make_app(url), connect(url)
    batch = uuid.uuid4().hex
    keys = _keys(batch)
    expected = Expected.of(course, assignments)
    sent_identity = identity(course, assignments)
    waiting = deque(submissions)
    flying: dict[str, tuple[Submission, dict[str, Any]]] = {}  # task id -> (submission, payload)
    modules = set(course.modules)
    finished: set[str] = set()  # submission ids with an outcome
    number = 0

    def publish(task: str, payload: dict[str, Any]) -> None:
        app.send_task(TASK, args=[payload], task_id=task, queue=queue_name(course), retry=True,
                      retry_policy={"max_retries": None, "interval_start": 0.5, "interval_step": 1.0,
                                    "interval_max": 10.0})

    def server() -> str:
        return str(client.info("server").get("run_id", ""))

    def renew(known: str) -> bool:
        """Keeps the batch key alive; False if Redis restarted since `known` (its run id) or lost
        the key: what was sent in its last moments may be gone, even from an append-only file."""
        alive = client.expire(keys["batch"], BATCH_SECONDS)
        if not alive:
            client.set(keys["batch"], "1", ex=BATCH_SECONDS)
        return bool(alive) and server() == known

    def queued_bytes() -> int:
        return sum(len(text) for _, payload in flying.values() for text in payload["submission"]["files"].values())

    def top_up() -> Iterator[Outcome]:
        nonlocal number
        while waiting and len(flying) < window and (not flying or queued_bytes() < WINDOW_BYTES):
            submission = waiting.popleft()
            try:
                packed = pack(submission, modules)
            except (BrokerError, OSError) as exc:
                finished.add(submission.id)
                yield Outcome(submission, error=f"it could not be sent to the workers: {exc}")
                continue
            number += 1
            task = f"{batch}-{number}"
            payload = {"protocol": PROTOCOL, "batch": batch, "identity": sent_identity, "assignments": assignments,
                       "seed": seed, "deadline": deadline, "submission": packed}
            flying[task] = (submission, payload)
            publish(task, payload)

    def outcome_of(message: dict[str, Any]) -> Outcome | None:
        task = message["task"]
        if task not in flying:
            return None  # a duplicate of a finished task, or not of this batch
        submission, _ = flying[task]
        kind = message.get("kind")
        if kind == "ok":
            try:
                result = checked(message.get("result"), submission.id, expected)
            except Exception as exc:  # noqa: BLE001 - InvalidResult, or worse: never trusted
                return Outcome(submission, error=f"the worker {str(message.get('worker'))[:100]} sent back a result "
                                                 f"that is not valid: {exc}")
            return Outcome(submission, result)
        error = message.get("error")
        error = error[:2000] if isinstance(error, str) and error else "the worker gave no reason"
        if kind == "refused":
            warn(error)
        return Outcome(submission, error=error)

    def abandoned_after(message: dict[str, Any], outcome: Outcome) -> Iterator[Outcome]:
        """The outcome; after a refusal with no worker left, the rest too (it would wait for ever;
        a rerun retries them)."""
        yield outcome
        if message.get("kind") == "refused" and _listening(app, course) == []:
            why = f"no worker is left to grade it; the last one refused: {outcome.error}"
            for submission in [s for s, _ in flying.values()] + list(waiting):
                finished.add(submission.id)
                yield Outcome(submission, error=why)
            flying.clear()
            waiting.clear()

    try:
        client.set(keys["batch"], "1", ex=BATCH_SECONDS)
        known = server()
    except redis.RedisError as exc:
        raise BrokerError(f"cannot reach the broker at {shown(url)}: {exc}") from None
    # Asking the workers takes the reply timeout in full: asked aside, it delays nothing.
    threading.Thread(target=_warn_without_workers, args=(app, course, url, warn), daemon=True).start()
    try:
        yield from top_up()
        renewed, lost_at = time.monotonic(), None
        while flying:
            try:
                if time.monotonic() - renewed > RENEW_SECONDS or lost_at is not None:
                    if not renew(known):
                        # Redis restarted or lost its data: every task still out is sent again (a
                        # duplicate is skipped by the workers, or its second result ignored).
                        known = server()
                        warn(f"the broker restarted or lost data: sending the {len(flying)} unfinished "
                             f"submission(s) again")
                        for task, (_, payload) in list(flying.items()):
                            publish(task, payload)
                    if lost_at is not None:
                        warn("the broker is back")
                    renewed, lost_at = time.monotonic(), None
                    raws = client.lrange(keys["taken"], 0, -1)  # read again: a dropped reply may have lost one
                else:
                    # Moved, not popped: a result whose reply a dropped connection lost stays on `taken`.
                    raw = client.blmove(keys["results"], keys["taken"], 1, "LEFT", "RIGHT")
                    raws = [] if raw is None else [raw]
            except (redis.RedisError, OperationalError) as exc:
                if lost_at is None:
                    lost_at = time.monotonic()
                    warn(f"lost the broker at {shown(url)} ({exc}); waiting for it")
                time.sleep(1.0)
                continue
            for raw in raws:
                try:  # read now: off the list (the first copy of the same message)
                    client.lrem(keys["taken"], 1, raw)
                except redis.RedisError:
                    pass
                message = _reading(raw)
                if message is None:
                    warn("a message on the results list was not a result (too large or not JSON); ignored")
                    continue
                outcome = outcome_of(message)
                if outcome is None or outcome.submission.id in finished:
                    flying.pop(message["task"], None)
                    continue
                flying.pop(message["task"])
                finished.add(outcome.submission.id)
                try:  # lets a worker skip a duplicate of it: only a saving
                    client.pipeline().sadd(keys["done"], message["task"]).expire(keys["done"], KEEP_SECONDS).execute()
                except redis.RedisError:
                    pass
                yield from abandoned_after(message, outcome)
                yield from top_up()
    finally:
        try:  # workers skip whatever of this batch is still queued
            client.delete(keys["batch"], keys["taken"])
        except redis.RedisError:
            pass


def _listening(app, course: Course) -> list[str] | None:
    """The workers that take this course's tasks now, or None if they could not be asked."""
    try:
        replies = app.control.inspect(timeout=5.0).active_queues() or {}
    except Exception:  # noqa: BLE001 - the broker's control channel is only a courtesy here
        return None
    return [name for name, queues in replies.items() if any(q.get("name") == queue_name(course) for q in queues)]


def _warn_without_workers(app, course: Course, url: str, warn: Callable[[str], None]) -> None:
    """A batch sent where no worker listens waits for one: say so at once."""
    if _listening(app, course) == []:
        warn(f"no worker takes {queue_name(course)} tasks at {shown(url)} yet: the submissions wait until one "
             f"starts (autograder worker --broker ... on a grading host)")
