"""Grading on a cluster: a real redis-server on 127.0.0.1, real `autograder worker` processes,
and `autograder grade --broker`. The same class gives the same results files as the local
pool; a worker SIGKILLed mid-task, Redis restarted (or emptied) mid-batch and a poison
submission lose nothing and double nothing; a worker with another course refuses; nothing
a worker sends back is trusted; the password never shows and TLS is verified."""
from __future__ import annotations

import base64
import copy
import datetime
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.grading import cluster
from autograder.grading.runner import grade as grade_one
from autograder.submission.discover import Submission
from conftest import COURSE, SOLUTIONS, WEAK_SANDBOX, eventually, patched_source

REDIS = shutil.which("redis-server")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    REDIS is None and not os.environ.get("AUTOGRADER_TESTS_NEED_REDIS"),
    reason="needs redis-server (python3 dev.py setup installs it with apt where it can)")]

PASSWORD = "s3cret-broker-pw"
TWO = ["--assignment", "perceptron", "--assignment", "activations"]
REFERENCE = (SOLUTIONS / "activations.py").read_text()
RELU = "return np.maximum(0.0, z)"


def relu_doing(body: str) -> str:
    """activations.py whose relu runs `body` (indented) before its own return."""
    return REFERENCE.replace(f"    {RELU}", body + f"\n    {RELU}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, with a password and an append-only file, so that a
    restart keeps its data, as a production broker's does."""

    def __init__(self, folder: Path, tls: dict[str, Path] | None = None) -> None:
        self.folder, self.tls, self.port = folder, tls, free_port()
        self.process: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:  # without the password, as on a command line
        return f"{'rediss' if self.tls else 'redis'}://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if REDIS is None:
            pytest.fail("redis-server is not installed: python3 dev.py setup installs it (apt-get install redis-server)")
        args = [REDIS, "--bind", "127.0.0.1", "--dir", str(self.folder), "--appendonly", "yes", "--save", "",
                "--requirepass", PASSWORD]
        if self.tls:
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(self.tls["cert"]),
                     "--tls-key-file", str(self.tls["key"]), "--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        self.process = subprocess.Popen(args, stdout=open(self.folder / "redis.log", "ab"), stderr=subprocess.STDOUT)
        assert eventually(self.ready, seconds=20), (self.folder / "redis.log").read_text()[-2000:]

    def client(self):
        return cluster.connect(self.url.replace("://", f"://:{PASSWORD}@"))

    def ready(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis writes its append-only file and exits
            self.process.wait(30)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


ENV = {"AUTOGRADER_BROKER_PASSWORD": PASSWORD}


class Workers:
    """`autograder worker` processes, each in its own process group, with its log."""

    def __init__(self, folder: Path, url: str, env: dict | None = None) -> None:
        self.folder, self.url, self.env = folder, url, {**os.environ, **ENV, **(env or {})}
        self.started: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *extra: str, course: Path | None = None) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        command = [sys.executable, "-m", "autograder", "worker", "--broker", self.url, "--concurrency", "1",
                   "--name", f"{name}@test", "--course", str(course or COURSE.root), *WEAK_SANDBOX, *extra]
        process = subprocess.Popen(command, stdout=open(log, "ab"), stderr=subprocess.STDOUT, env=self.env,
                                   start_new_session=True)
        self.started[name] = process
        assert eventually(lambda: "ready." in self.log(name) or process.poll() is not None, seconds=120)
        assert process.poll() is None, self.log(name)
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name: str) -> None:
        os.killpg(self.started[name].pid, signal.SIGKILL)
        self.started[name].wait(30)

    def stop(self) -> None:
        for process in self.started.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)


@pytest.fixture
def workers(tmp_path, redis_server):
    group = Workers(tmp_path, redis_server.url)
    yield group
    group.stop()


def grade_command(subs: list[Path] | Path, out: Path, *extra: str) -> list[str]:
    paths = [str(p) for p in subs] if isinstance(subs, list) else [str(subs)]
    return [sys.executable, "-m", "autograder", "grade", *paths, "--out", str(out), *TWO, *extra]


def run(command: list[str], env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **ENV, **(env or {})})


def results(out: Path) -> dict[str, dict]:
    """results.jsonl by submission, each line read once (a second line of one submission fails)."""
    found: dict[str, dict] = {}
    for line in (out / "results.jsonl").read_text().splitlines():
        record = json.loads(line)
        assert record["submission"] not in found, f"{record['submission']} is in the log twice"
        found[record["submission"]] = record
    return found


def without_timing(records: dict[str, dict]) -> dict[str, dict]:
    return {key: {k: v for k, v in record.items() if k != "execution_time"} for key, record in records.items()}


def mixed_class(folder: Path) -> list[Path]:
    """Correct, buggy and hostile students, as a folder, a zip and a notebook."""
    perceptron = (SOLUTIONS / "perceptron.py").read_text()
    students = {
        "correct": {"activations.py": REFERENCE, "perceptron.py": perceptron},
        "buggy-relu": {"activations.py": patched_source("activations", [(RELU, "return np.maximum(0.0, -z)")]),
                       "perceptron.py": perceptron},
        "buggy-perceptron": {"perceptron.py": patched_source("perceptron", [("np.asarray(z) >= 0", "np.asarray(z) > 0")]),
                             "activations.py": REFERENCE},
        "exits": {"activations.py": relu_doing("    import os\n    os._exit(1)"), "perceptron.py": perceptron},
        "floods": {"activations.py": relu_doing("    print('x' * (1 << 22))")},
        "exits-at-import": {"activations.py": "import sys\nsys.exit(0)\n" + REFERENCE},
        "with-stub-and-link": {"activations.py": REFERENCE, "notes/extra.py": "x = 1\n"},
    }
    paths = []
    for name, files in students.items():
        for rel, text in files.items():
            (folder / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / name / rel).write_text(text)
        paths.append(folder / name)
    os.symlink("/etc/hostname", folder / "with-stub-and-link" / "perceptron.py")
    archive = folder / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("work/activations.py", REFERENCE)
        zf.writestr("../evil.py", "x = 1\n")
    shutil.copyfile(COURSE.root / "examples" / "submissions" / "dave.ipynb", folder / "dave.ipynb")
    return [*paths, archive, folder / "dave.ipynb"]


def test_a_mixed_class_gets_the_same_results_files_on_the_cluster_as_on_the_local_pool(tmp_path, workers):
    subs = mixed_class(tmp_path / "class")
    workers.start("one")
    workers.start("two")
    local, queued = tmp_path / "local", tmp_path / "queued"
    assert run(grade_command(subs, local, "--workers", "2", *WEAK_SANDBOX)).returncode == 0
    done = run(grade_command(subs, queued, "--broker", workers.url))
    assert done.returncode == 0, done.stderr[-3000:]
    assert without_timing(results(local)) == without_timing(results(queued))
    assert len(results(queued)) == len(subs)
    assert (local / "gradebook.csv").read_text() == (queued / "gradebook.csv").read_text()
    pages = sorted(p.name for p in (local / "feedback").iterdir())
    assert pages == sorted(p.name for p in (queued / "feedback").iterdir()) and len(pages) == 2 * len(subs)
    for page in pages:
        assert (local / "feedback" / page).read_bytes() == (queued / "feedback" / page).read_bytes(), page
    graded = results(queued)
    assert graded["correct"]["score"] == graded["correct"]["max_score"] == 20
    assert graded["buggy-relu"]["score"] < 20 and graded["exits"]["score"] < 20
    # The workers graded it, and the password shows nowhere.
    assert "graded correct" in workers.log("one") + workers.log("two")
    for text in (done.stdout, done.stderr, workers.log("one"), workers.log("two")):
        assert PASSWORD not in text
    # A rerun keeps what is graded, exactly as a local rerun does; --regrade grades it all again, the same.
    again = run(grade_command(subs, queued, "--broker", workers.url))
    assert again.returncode == 0 and f"{len(subs)} submission(s) already graded and unchanged" in again.stderr
    before = results(queued)
    regraded = run(grade_command(subs, queued, "--broker", workers.url, "--regrade"))
    assert regraded.returncode == 0 and "already graded" not in regraded.stderr
    assert without_timing(results(queued)) == without_timing(before)
    assert (workers.log("one") + workers.log("two")).count("graded correct\n") == 2  # graded again, not kept


def simple_class(folder: Path, count: int, slow: dict[str, float] | None = None) -> Path:
    """`count` activations submissions, alternately correct and buggy; those in `slow` sleep
    that many seconds when imported (so that a batch lasts long enough to be interrupted)."""
    slow = slow or {}
    for i in range(count):
        name = f"s{i}"
        text = REFERENCE if i % 2 == 0 else patched_source("activations", [(RELU, "return np.maximum(0.0, -z)")])
        if name in slow:
            text = f"import time\ntime.sleep({slow[name]})\n" + text
        (folder / name).mkdir(parents=True)
        (folder / name / "activations.py").write_text(text)
    return folder


def check_scores(records: dict[str, dict], count: int) -> None:
    assert sorted(records) == sorted(f"s{i}" for i in range(count))
    for i in range(count):
        record = records[f"s{i}"]
        assert record["complete"] is True, record["notes"]
        assert record["assignments"]["activations"]["score"] == (10 if i % 2 == 0 else
                                                                 record["assignments"]["activations"]["score"])
        assert i % 2 == 0 or record["assignments"]["activations"]["score"] < 10


def test_a_worker_killed_mid_task_has_its_task_graded_by_another_once(tmp_path, workers):
    subs = simple_class(tmp_path / "class", 6, slow={"s0": 20.0})  # long enough for the kill to land mid-task
    for name in ("one", "two"):
        workers.start(name, "--redeliver-after", "45")
    out = tmp_path / "grades"
    client = subprocess.Popen(grade_command(subs, out, "--broker", workers.url, "--timeout", "40"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
    assert eventually(lambda: any("grading s0" in workers.log(n) for n in ("one", "two")), seconds=120)
    victim, survivor = ("one", "two") if "grading s0" in workers.log("one") else ("two", "one")
    workers.kill(victim)  # the whole worker: its main process, pool process, grading worker and child
    _, err = client.communicate(timeout=300)
    assert client.returncode == 0, err[-3000:]
    records = results(out)
    check_scores(records, 6)
    assert "graded s0" not in workers.log(victim)
    assert "grading s0" in workers.log(survivor) and "attempt 2" in workers.log(survivor)


def restart(server: RedisServer) -> None:
    server.stop()
    time.sleep(2)
    server.start()  # same port, same data


def empty(server: RedisServer) -> None:
    server.client().flushall()  # as a Redis restarted without persistence: queue and keys are gone


@pytest.mark.parametrize("trouble", [restart, empty], ids=["restarted", "emptied"])
def test_redis_restarted_or_emptied_mid_batch_loses_nothing(tmp_path, workers, redis_server, trouble):
    count = 8
    subs = simple_class(tmp_path / "class", count, slow={f"s{i}": 1.0 for i in range(count)})
    workers.start("one", "--redeliver-after", "30")
    out = tmp_path / "grades"
    client = subprocess.Popen(grade_command(subs, out, "--broker", workers.url, "--timeout", "25"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
    log = out / "results.jsonl"
    assert eventually(lambda: log.exists() and len(log.read_text().splitlines()) >= 2, seconds=180)
    trouble(redis_server)
    _, err = client.communicate(timeout=300)
    assert client.returncode == 0, err[-3000:]
    assert "the broker restarted or lost data: sending the" in err  # what was still out went again
    check_scores(results(out), count)  # each once: results() fails on a second line of one
    assert workers.started["one"].poll() is None  # the worker reconnected and is still serving


POISON_GRADER = '''
import os, signal
import numpy as np
import pytest


@pytest.mark.points(10)
def test_relu(student):
    """relu of 7 is 7 (a grader whose process dies on some answers, taking its host process along)"""
    value = float(student.activations.relu(np.array([7.0]))[0])
    if value == -9.0:
        os.kill(os.getppid(), signal.SIGKILL)  # as the kernel's OOM killer would, choosing the pool process
        os.kill(os.getpid(), signal.SIGKILL)
    if value == -7.0:
        os.kill(os.getpid(), signal.SIGKILL)  # only the grading process
    assert value == 7.0
'''


def test_a_poison_submission_is_recorded_incomplete_after_bounded_attempts(tmp_path, workers):
    course = COURSE.copy_to(tmp_path / "course")
    (course / "graders" / "test_activations.py").write_text(POISON_GRADER)
    subs = tmp_path / "class"
    for name, body in (("poison", "return np.full_like(z, -9.0)"), ("crash", "return np.full_like(z, -7.0)"),
                       ("fine", RELU), ("wrong", "return z * 0")):
        (subs / name).mkdir(parents=True)
        (subs / name / "activations.py").write_text(REFERENCE.replace(RELU, body))
    workers.start("one", course=course)
    out = tmp_path / "grades"
    done = run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--course", str(course),
                "--broker", workers.url, "--assignment", "activations"])
    assert done.returncode == 4, done.stderr[-3000:]
    records = results(out)
    assert (records["fine"]["score"], records["wrong"]["score"]) == (10, 0)
    assert records["fine"]["complete"] and records["wrong"]["complete"]
    poison = records["poison"]
    assert poison["complete"] is False and poison["score"] == 0 and poison["max_score"] == 10
    assert f"started {cluster.MAX_ATTEMPTS} times" in poison["notes"][0]
    assert f"poison: its grading was started {cluster.MAX_ATTEMPTS} times" in done.stderr
    assert workers.log("one").count("grading poison") == cluster.MAX_ATTEMPTS  # the 4th start grades nothing
    assert workers.started["one"].poll() is None  # the worker itself lived on
    # A grading process that dies inside the worker costs its submission only, at once, as locally.
    crash = records["crash"]
    assert crash["complete"] is False and "killed by signal SIGKILL" in crash["notes"][0]
    assert workers.log("one").count("grading crash") == 1


def test_a_stopped_client_leaves_nothing_for_the_workers_to_grade(tmp_path, workers, redis_server):
    subs = simple_class(tmp_path / "class", 3)
    out = tmp_path / "grades"
    said = tmp_path / "client.err"
    client = subprocess.Popen(grade_command(subs, out, "--broker", workers.url), stdout=subprocess.DEVNULL,
                              stderr=open(said, "wb"), env={**os.environ, **ENV})
    redis = redis_server.client()
    queue = cluster.queue_name(COURSE)
    assert eventually(lambda: redis.llen(queue) == 3, seconds=120)  # no worker yet: the tasks wait, and it says so
    assert eventually(lambda: "no worker takes autograder." in " ".join(said.read_text().split()), seconds=60)
    client.send_signal(signal.SIGINT)  # the instructor's Ctrl-C
    client.wait(60)
    workers.start("late")
    assert eventually(lambda: workers.log("late").count("its batch has ended") == 3, seconds=120)
    assert "grading s" not in workers.log("late")



def test_a_worker_with_another_course_refuses_naming_both_versions(tmp_path, workers):
    theirs = COURSE.copy_to(tmp_path / "old-course")
    grader = theirs / "graders" / "test_activations.py"
    grader.write_text(grader.read_text() + "\n# an older version of the graders\n")
    workers.start("stale", course=theirs)
    subs = simple_class(tmp_path / "class", 2)
    out = tmp_path / "grades"
    done = run(grade_command(subs, out, "--broker", workers.url))
    assert done.returncode == 4, done.stderr[-3000:]
    ours = COURSE.digest("activations")
    old = cluster.Course.load(theirs).digest("activations")
    assert ours != old
    assert f"activations (worker {old}, client {ours})" in " ".join(done.stderr.split())
    records = results(out)
    assert f"worker {old}, client {ours}" in records["s0"]["notes"][0] + records["s1"]["notes"][0]
    # The other is refused too, or, with no worker left, not waited for.
    assert all(not r["complete"] and ("refused it" in r["notes"][0] or "no worker is left" in r["notes"][0])
               for r in records.values())
    assert eventually(lambda: "no longer takes tasks" in workers.log("stale"), seconds=30)


def test_a_worker_of_another_package_version_refuses():
    sent, ours = cluster.identity(COURSE, ["activations"]), cluster.identity(COURSE, COURSE.names)
    assert cluster.refusal(sent, ours) == ""
    why = cluster.refusal({**sent, "autograder": "0.0.1"}, ours)
    assert f"autograder {cluster.__version__}" in why and "the client 0.0.1" in why
    assert "course" in cluster.refusal({**sent, "course": "another"}, ours)
    # A helper of the graders or a data file that differs is caught too, not only the digested files.
    assert "in other files" in cluster.refusal({**sent, "files": "0" * 16}, ours)


# --- what comes back is checked ---------------------------------------------------------------

@pytest.fixture(scope="module")
def real_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("one") / "alice"
    folder.mkdir()
    (folder / "activations.py").write_text(patched_source("activations", [(RELU, "return np.maximum(0.0, -z)")]))
    result = grade_one(Submission.from_path(folder), COURSE, ["activations"])
    return result.to_dict(), cluster.Expected.of(COURSE, ["activations"])


def tampered(data: dict, change) -> dict:
    data = copy.deepcopy(data)
    change(data)
    return data


def first_test(data: dict) -> dict:
    return data["assignments"]["activations"]["tests"][0]


@pytest.mark.parametrize("change, words", [
    (lambda d: first_test(d).update(score=first_test(d)["max_score"] + 1), "a score of"),
    (lambda d: first_test(d).update(max_score=100, score=100), "not this course's"),
    (lambda d: first_test(d).update(score=math.nan), "finite"),
    (lambda d: first_test(d).update(score="10"), "finite"),
    (lambda d: first_test(d).update(name="a test of my own"), "not this course's"),
    (lambda d: d["assignments"]["activations"]["tests"].pop(), "not this course's"),
    (lambda d: d["assignments"]["activations"]["tests"].append(
        copy.deepcopy(d["assignments"]["activations"]["tests"][0])), "not this course's"),
    (lambda d: first_test(d).update(status="excellent"), "status"),
    (lambda d: first_test(d).update(feedback="x" * (cluster.MAX_TEXT + 1)), "feedback"),
    (lambda d: d["assignments"]["activations"].update(graders="0" * 16), "graders"),
    (lambda d: d["assignments"].update(mlp={"tests": []}), "assignments"),
    (lambda d: d.update(submission="bob"), "not 'alice'"),
    (lambda d: d.update(notes="all good"), "notes"),
    (lambda d: d.update(complete="yes"), "complete"),
    (lambda d: first_test(d).update(functions=[{"x": 1}]), "functions"),
    (lambda d: first_test(d).update(score=10 ** 400), "finite"),
    (lambda d: first_test(d).update(figures=["not a figure"]), "figures"),
    (lambda d: first_test(d).update(figures=[{"title": "t", "series": "x"}]), "does not read as a record"),
])
def test_a_result_that_is_not_this_courses_is_rejected(real_result, change, words):
    data, expected = real_result
    assert cluster.checked(data, "alice", expected).score == round(sum(
        t["score"] for t in data["assignments"]["activations"]["tests"]), 6)
    with pytest.raises(cluster.InvalidResult, match=words):
        cluster.checked(tampered(data, change), "alice", expected)


def kombu_tasks(client, queue: str) -> list[dict]:
    """The task messages waiting in a kombu Redis queue, decoded as a worker would."""
    found = []
    for raw in client.lrange(queue, 0, -1):
        message = json.loads(raw)
        args, _, _ = json.loads(base64.b64decode(message["body"]))
        found.append({"id": message["headers"]["id"], "payload": args[0]})
    return found


def test_a_forged_result_from_a_worker_never_reaches_the_log(tmp_path, redis_server, real_result):
    """Whoever can write to the broker plays a worker here: it takes the task and sends back a
    result with full marks that this course's tests cannot give."""
    subs = simple_class(tmp_path / "class", 1)
    os.rename(subs / "s0", subs / "alice")
    out = tmp_path / "grades"
    client = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs / "alice"), "--out", str(out),
                               "--assignment", "activations", "--broker", redis_server.url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV})
    redis = redis_server.client()
    queue = cluster.queue_name(COURSE)
    assert eventually(lambda: redis.llen(queue) > 0, seconds=120)
    task = kombu_tasks(redis, queue)[0]
    assert task["payload"]["submission"]["files"]["activations.py"]  # the student's file travels in the task
    forged = tampered(real_result[0], lambda d: first_test(d).update(score=1000, max_score=1000))
    redis.rpush(f"autograder:results:{task['payload']['batch']}",
                json.dumps({"task": "not-of-this-batch", "kind": "ok", "result": real_result[0]}),
                b"\xff not json",
                json.dumps({"task": task["id"], "kind": "ok", "worker": "mallory", "result": forged}))
    _, err = client.communicate(timeout=120)
    assert client.returncode == 4, err[-3000:]
    assert "the worker mallory sent back a result that is not valid" in err
    record = results(out)["alice"]
    assert record["complete"] is False and record["score"] == 0 and record["max_score"] == 10


# --- the task's files ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../evil.py", "/etc/passwd", "a/../../b.py", "", "a\\..\\b.py", "x\0.py"])
def test_a_task_cannot_write_outside_its_folder(tmp_path, name):
    packed = {"id": "mallory", "name": "mallory", "kind": "folder",
              "files": {name: base64.b64encode(b"x = 1\n").decode()}, "links": []}
    with pytest.raises(ValueError):
        cluster.unpack(packed, tmp_path / "into")
    assert not (tmp_path / "evil.py").exists()


def test_a_packed_submission_unpacks_to_what_staging_reads(tmp_path):
    folder = tmp_path / "bob"
    (folder / "deep" / "__pycache__").mkdir(parents=True)
    (folder / "deep" / "activations.py").write_text(REFERENCE)
    (folder / "deep" / "__pycache__" / "activations.cpython-311.pyc").write_bytes(b"\0" * 10)
    (folder / "data.csv").write_text("1,2\n" * 1000)
    (folder / "Lab.IPYNB").write_text("{}")
    os.symlink("/etc/hostname", folder / "perceptron.py")
    (folder / "helpers.py").write_text("# big\n" * 10000)
    packed = json.loads(json.dumps(cluster.pack(Submission.from_path(folder), set(COURSE.modules))))  # JSON travels
    assert sorted(packed["files"]) == ["Lab.IPYNB", "deep/activations.py", "helpers.py"]
    assert packed["links"] == ["perceptron.py"] and packed["files"]["helpers.py"] == ""  # staging reads its name only
    copy_of = cluster.unpack(packed, tmp_path / "worker")
    assert copy_of.id == "bob" and (copy_of.path / "deep" / "activations.py").read_text() == REFERENCE
    assert (copy_of.path / "perceptron.py").is_symlink()
    huge = tmp_path / "huge"
    huge.mkdir()
    (huge / "activations.py").write_bytes(b"#" * (cluster.MAX_FILES_BYTES + 1))
    with pytest.raises(cluster.BrokerError, match="larger than a task carries"):
        cluster.pack(Submission.from_path(huge))


# --- secrets and TLS -------------------------------------------------------------------------------

def test_the_broker_password_never_comes_from_the_command_line(tmp_path, monkeypatch):
    subs = simple_class(tmp_path / "class", 1)
    done = run(grade_command(subs, tmp_path / "grades", "--broker", f"redis://:{PASSWORD}@127.0.0.1:1/0"))
    assert done.returncode == 2 and "holds a password" in done.stderr
    worker = run([sys.executable, "-m", "autograder", "worker", "--broker", f"redis://u:{PASSWORD}@127.0.0.1:1/0"])
    assert worker.returncode == 2 and "holds a password" in worker.stderr
    monkeypatch.delenv("AUTOGRADER_BROKER_PASSWORD", raising=False)
    monkeypatch.setenv("AUTOGRADER_BROKER_URL", "redis://127.0.0.1:6379/2")
    assert cluster.broker_url(None) == "redis://127.0.0.1:6379/2"
    secret_file = tmp_path / "pw"
    secret_file.write_text("p@ss/word\n")
    monkeypatch.setenv("AUTOGRADER_BROKER_PASSWORD_FILE", str(secret_file))
    url = cluster.broker_url("redis://127.0.0.1:6379/0")
    assert url == "redis://:p%40ss%2Fword@127.0.0.1:6379/0" and "p@ss" not in cluster.shown(url)
    with pytest.raises(cluster.BrokerError, match="must be Redis"):
        cluster.broker_url("amqp://127.0.0.1//")


def test_a_wrong_password_is_one_clear_line(tmp_path, redis_server):
    subs = simple_class(tmp_path / "class", 1)
    done = run(grade_command(subs, tmp_path / "grades", "--broker", redis_server.url),
               env={"AUTOGRADER_BROKER_PASSWORD": "wrong"})
    assert done.returncode == 2 and "cannot reach the broker at redis://:***@127.0.0.1" in done.stderr
    assert "Traceback" not in done.stderr and "wrong" not in done.stderr.replace("wrong password", "")


def certificates(folder: Path) -> dict[str, Path]:
    """A CA and a certificate for 127.0.0.1 signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    import ipaddress

    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject: str, key, issuer_name, issuer_key, ca: bool):
        builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(issuer_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = certificate("test CA", ca_key, ca_name, ca_key, True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate("127.0.0.1", key, ca_name, ca_key, False)
    paths = {"ca": folder / "ca.crt", "cert": folder / "server.crt", "key": folder / "server.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    return paths


def test_a_cluster_over_tls_verifies_the_brokers_certificate(tmp_path, monkeypatch):
    tls = certificates(tmp_path / "certs")
    monkeypatch.setenv("AUTOGRADER_BROKER_CA", str(tls["ca"]))
    server = RedisServer(tmp_path / "redis", tls=tls)
    server.start()
    group = Workers(tmp_path, server.url, env={"AUTOGRADER_BROKER_CA": str(tls["ca"])})
    try:
        group.start("secure")
        subs = simple_class(tmp_path / "class", 2)
        done = run(grade_command(subs, tmp_path / "grades", "--broker", server.url),
                   env={"AUTOGRADER_BROKER_CA": str(tls["ca"])})
        assert done.returncode == 0, done.stderr[-3000:]
        check_scores(results(tmp_path / "grades"), 2)
        # Without the CA, the client does not trust the server and says so.
        env = {k: v for k, v in os.environ.items() if k != "AUTOGRADER_BROKER_CA"}
        refused = subprocess.run(grade_command(subs, tmp_path / "other", "--broker", server.url), capture_output=True,
                                 text=True, timeout=120, env={**env, **ENV})
        assert refused.returncode == 2 and "certificate verify failed" in refused.stderr
    finally:
        group.stop()
        server.stop()
