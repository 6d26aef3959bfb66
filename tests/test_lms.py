"""Grades out to the LMS: the Gradescope autograder, Canvas's and Moodle's CSVs, and the
Canvas REST and LTI 1.3 AGS publishers, against HTTP servers on 127.0.0.1 that check
what the real platforms check and refuse what they refuse."""
from __future__ import annotations

import csv
import json
import stat
import subprocess
import threading
import zipfile
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from autograder.cli import main
from autograder.export import gradescope
from autograder.publish import http
from conftest import COURSE, SOLUTIONS, WEAK_SANDBOX, patched_source, run_like_gradescope

SCHEMA = json.loads((Path(__file__).parent / "data" / "gradescope_results.schema.json").read_text())
BUGGY = patched_source("activations", [("return np.maximum(0.0, z)", "return np.maximum(0.0, -z)")])
CANVAS_TOKEN = "canvas-token-for-tests"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """Three graded students (activations only): full marks, a bug, and a late one."""
    base = tmp_path_factory.mktemp("class")
    for name, source, in (("ann", None), ("bob", BUGGY), ("cat", None)):
        (base / "subs" / name).mkdir(parents=True)
        (base / "subs" / name / "activations.py").write_text(source or (SOLUTIONS / "activations.py").read_text())
    (base / "roster.csv").write_text(
        "name,student_id,canvas_id,email,lti_user_id,submitted_at\n"
        "Ann A,S-1,101,ann@uni.edu,lti-ann,2026-11-20T12:00:00+00:00\n"
        "Bob B,S-2,102,bob@uni.edu,lti-bob,2026-11-20T12:00:00+00:00\n"
        "Cat C,S-3,,cat@uni.edu,,2026-11-21T12:00:00+00:00\n")
    out = base / "grades"
    assert main(["grade", str(base / "subs"), "--out", str(out), "--assignment", "activations", "--roster",
                 str(base / "roster.csv"), "--due", "2026-11-21T00:00:00+00:00", *WEAK_SANDBOX]) == 0
    return out


def results_of(out: Path) -> dict[str, dict]:
    return {r["submission"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}


# --- Gradescope ------------------------------------------------------------------------

def test_gradescope_zip_runs_like_on_gradescope(tmp_path):
    bundle = tmp_path / "autograder.zip"
    assert main(["gradescope", "build", str(bundle)]) == 0
    root = tmp_path / "autograder"  # laid out as Gradescope's /autograder
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        zf.extractall(root / "source")
    assert {"setup.sh", "run_autograder", "package/pyproject.toml", "course/graders/test_activations.py",
            "course/solutions/activations.py", "package/autograder/cli.py"} <= set(names)
    assert all(modes[n] & stat.S_IXUSR for n in ("setup.sh", "run_autograder"))
    assert not any("__pycache__" in n for n in names)
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    results = run_like_gradescope(root, {"activations.py": BUGGY},
                                  {"email": "bob@uni.edu", "id": 7, "name": "Bob B", "sid": "S-2"})
    jsonschema.validate(results, SCHEMA)
    assert isinstance(results["execution_time"], (int, float)) and results["stdout_visibility"] == "hidden"
    tests = results["tests"]
    assert {t["tags"][0] for t in tests} == {"perceptron", "activations", "gradient_descent", "mlp", "keras_model"}
    activations = [t for t in tests if t["tags"] == ["activations"]]
    assert sum(t["max_score"] for t in activations) == 10
    relu = next(t for t in activations if t["name"] == "Activation functions: relu matches max(0, z)")
    assert relu["status"] == "failed" and relu["score"] == 0 and "relu" in relu["output"]
    assert results["score"] == pytest.approx(sum(t["score"] for t in tests)) == 9  # only the activations are there
    missing = next(t for t in tests if t["tags"] == ["mlp"])
    assert missing["status"] == "failed" and "mlp.py" in missing["output"]


def test_gradescope_results_when_the_graders_cannot_run(tmp_path):
    course = COURSE.copy_to(tmp_path / "course", folders=["solutions"])
    (tmp_path / "submission").mkdir()
    result = gradescope.run(tmp_path, course)  # a course without its graders
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(written, SCHEMA)
    assert written["score"] == 0 and "could not run" in written["output"] and not result.complete


# --- CSV gradebooks ----------------------------------------------------------------------

def test_canvas_and_moodle_csv(graded):
    assert main(["gradebook", "canvas", "--results", str(graded), "--canvas-ids", "activations=555"]) == 0
    rows = list(csv.reader((graded / "canvas.csv").open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Activation functions (555)"]
    body = {r[2]: r for r in rows[1:]}
    assert body["S-1"][:2] == ["Ann A", "101"] and body["S-1"][5] == "10"
    assert float(body["S-2"][5]) < 10
    assert body["S-3"][5] == "9"  # 10 points, one day late: 10% off
    assert main(["gradebook", "moodle", "--results", str(graded)]) == 0
    moodle = list(csv.DictReader((graded / "moodle.csv").open()))
    bob = next(r for r in moodle if r["Email address"] == "bob@uni.edu")
    assert bob["ID number"] == "S-2" and float(bob["Activation functions"]) < 10
    assert "2 test(s) not passed" in bob["Activation functions feedback"]
    assert "hidden test(s)" in bob["Activation functions feedback"]
    cat = next(r for r in moodle if r["Email address"] == "cat@uni.edu")
    assert "Late:" in cat["Activation functions feedback"]


# --- A Canvas-like server --------------------------------------------------------------

class Platform(ThreadingHTTPServer):
    """Answers on 127.0.0.1 as a platform would, and records what it accepted."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.accepted: dict = {}
        self.requests: list[str] = []
        self.fail_first: dict[str, int] = {}  # path -> answers to give before accepting ("403"/"500")
        self.tokens: set[str] = set()
        self.seen_jti: set[str] = set()
        self.public_key = None
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class CanvasHandler(BaseHTTPRequestHandler):
    USERS = {"101", "102", "sis_user_id:S-3"}

    def log_message(self, *args) -> None:
        pass

    def answer(self, code: int, body: dict | str) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:
        server: Platform = self.server  # type: ignore[assignment]
        server.requests.append(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.headers.get("Authorization") != f"Bearer {CANVAS_TOKEN}":
            return self.answer(401, {"errors": [{"message": "Invalid access token."}]})
        parts = [unquote(p) for p in urlsplit(self.path).path.split("/")]
        if parts[1:4] != ["api", "v1", "courses"] or parts[5] != "assignments" or parts[7] != "submissions":
            return self.answer(404, {"errors": [{"message": "The specified resource does not exist."}]})
        course, assignment, user = parts[4], parts[6], parts[8]
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self.answer(400, {"errors": [{"message": "unsupported content type"}]})
        form = parse_qs(body)
        if course != "77" or assignment != "555" or user not in self.USERS:
            return self.answer(404, {"errors": [{"message": "The specified resource does not exist."}]})
        pending = server.fail_first.get(user, [])
        if pending:
            kind = pending.pop(0)
            return self.answer(403, "403 Forbidden (Rate Limit Exceeded)") if kind == "403" else \
                self.answer(500, {"errors": [{"message": "Internal error"}]})
        grade = form.get("submission[posted_grade]", [""])[0]
        try:
            float(grade)
        except ValueError:
            return self.answer(400, {"errors": [{"message": "bad grade"}]})
        server.accepted[user] = (float(grade), form.get("comment[text_comment]", [""])[0])
        self.answer(200, {"id": 1, "user_id": user, "grade": grade, "score": float(grade)})


@pytest.fixture
def canvas_server():
    server = Platform(CanvasHandler)
    yield server
    server.close()


def test_publish_canvas(graded, canvas_server, monkeypatch, capsys):
    monkeypatch.setattr(http, "FIRST_WAIT", 0.01)
    canvas_server.fail_first = {"101": ["403", "500"]}  # throttled, then a server error: both retried
    monkeypatch.setenv("CANVAS_TOKEN", CANVAS_TOKEN)
    args = ["publish", "canvas", "--results", str(graded), "--url", canvas_server.url, "--course-id", "77",
            "--assignment-id", "555"]
    assert main(args) == 0
    results = results_of(graded)
    assert set(canvas_server.accepted) == {"101", "102", "sis_user_id:S-3"}  # Cat has no Canvas id: her SIS id
    assert canvas_server.accepted["101"][0] == results["S-1"]["score"] == 10
    assert canvas_server.accepted["102"][0] == results["S-2"]["score"]
    assert canvas_server.accepted["sis_user_id:S-3"][0] == 9
    assert "hidden test(s)" in canvas_server.accepted["102"][1] and "Late:" in canvas_server.accepted["sis_user_id:S-3"][1]
    assert "Posted 3 of 3" in capsys.readouterr().out


def test_publish_canvas_reports_refusals_and_dry_run_sends_nothing(graded, canvas_server, monkeypatch, tmp_path,
                                                                   capsys):
    args = ["publish", "canvas", "--results", str(graded), "--url", canvas_server.url, "--course-id", "77",
            "--assignment-id", "555"]
    monkeypatch.delenv("CANVAS_TOKEN", raising=False)
    assert main([*args, "--dry-run"]) == 0
    assert canvas_server.requests == [] and "3 grade(s) would be posted" in capsys.readouterr().out
    assert main(args) == 2  # no token: refused before anything is sent
    assert "CANVAS_TOKEN" in capsys.readouterr().err and canvas_server.requests == []
    token_file = tmp_path / "token"
    token_file.write_text("wrong-token\n")
    monkeypatch.setenv("CANVAS_TOKEN_FILE", str(token_file))
    assert main(args) == 4
    assert "Canvas answered 401" in capsys.readouterr().out and canvas_server.accepted == {}
    with pytest.raises(SystemExit):  # a token can never be given on the command line
        main([*args, "--token", CANVAS_TOKEN])


# --- An LTI 1.3 platform ----------------------------------------------------------------

def rsa_pem() -> tuple[str, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    return pem, key.public_key()


class LtiHandler(BaseHTTPRequestHandler):
    CLIENT_ID = "tool-123"
    USERS = {"lti-ann", "lti-bob"}

    log_message = CanvasHandler.log_message
    answer = CanvasHandler.answer

    def do_POST(self) -> None:
        server: Platform = self.server  # type: ignore[assignment]
        server.requests.append(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        path = urlsplit(self.path).path
        if path == "/token":
            return self.token(server, parse_qs(body.decode()))
        if path == "/lineitems/9/scores":
            return self.score(server, body)
        self.answer(404, {"error": "not found"})

    def token(self, server: Platform, form: dict) -> None:
        if form.get("grant_type") != ["client_credentials"] or form.get("client_assertion_type") != [
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]:
            return self.answer(400, {"error": "unsupported_grant_type"})
        try:
            claims = jwt.decode(form["client_assertion"][0], server.public_key, algorithms=["RS256"],
                                audience=f"{server.url}/token", issuer=self.CLIENT_ID,
                                options={"require": ["exp", "iat", "jti", "sub", "iss", "aud"]})
        except (jwt.PyJWTError, KeyError) as exc:
            return self.answer(401, {"error": "invalid_client", "error_description": str(exc)})
        if claims["sub"] != self.CLIENT_ID or claims["jti"] in server.seen_jti:
            return self.answer(401, {"error": "invalid_client"})
        server.seen_jti.add(claims["jti"])
        if SCORE_SCOPE not in form.get("scope", [""])[0].split():
            return self.answer(400, {"error": "invalid_scope"})
        token = f"access-{len(server.tokens)}"
        server.tokens.add(token)
        self.answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": SCORE_SCOPE})

    def score(self, server: Platform, body: bytes) -> None:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in server.tokens:
            return self.answer(401, {"error": "invalid_token"})
        if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
            return self.answer(415, {"error": "unsupported media type"})
        score = json.loads(body)
        required = {"userId", "scoreGiven", "scoreMaximum", "timestamp", "activityProgress", "gradingProgress"}
        if not required <= set(score) or score["userId"] not in self.USERS:
            return self.answer(400, {"error": "bad score"})
        if not (0 <= score["scoreGiven"] and score["scoreMaximum"] > 0) or \
                score["activityProgress"] not in ("Initialized", "Started", "InProgress", "Submitted", "Completed") or \
                score["gradingProgress"] not in ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"):
            return self.answer(400, {"error": "bad score"})
        if datetime.fromisoformat(score["timestamp"].replace("Z", "+00:00")).tzinfo is None:
            return self.answer(400, {"error": "timestamp needs a time zone"})
        server.accepted[score["userId"]] = score
        self.answer(200, {})


@pytest.fixture
def lti_platform():
    server = Platform(LtiHandler)
    pem, server.public_key = rsa_pem()
    yield server, pem
    server.close()


def test_publish_lti(graded, lti_platform, monkeypatch, tmp_path, capsys):
    server, pem = lti_platform
    key = tmp_path / "tool.pem"
    key.write_text(pem)
    monkeypatch.setenv("LTI_PRIVATE_KEY_FILE", str(key))
    args = ["publish", "lti", "--results", str(graded), "--lineitem", f"{server.url}/lineitems/9?type=1",
            "--token-url", f"{server.url}/token", "--client-id", LtiHandler.CLIENT_ID, "--key-id", "k1"]
    assert main(args) == 4  # Cat has no LTI user id: said, not posted
    out = capsys.readouterr().out
    assert "Cat C: no LTI user id" in out and "Posted 2 of 2" in out
    results = results_of(graded)
    ann, bob = server.accepted["lti-ann"], server.accepted["lti-bob"]
    assert (ann["scoreGiven"], ann["scoreMaximum"]) == (results["S-1"]["score"], 10)
    assert bob["scoreGiven"] == results["S-2"]["score"] < 10 and "not passed" in bob["comment"]
    assert (bob["activityProgress"], bob["gradingProgress"]) == ("Completed", "FullyGraded")


def test_publish_lti_with_the_wrong_key_is_refused(graded, lti_platform, monkeypatch, capsys):
    server, _ = lti_platform
    monkeypatch.setenv("LTI_PRIVATE_KEY", rsa_pem()[0])  # not the key the platform knows
    args = ["publish", "lti", "--results", str(graded), "--lineitem", f"{server.url}/lineitems/9",
            "--token-url", f"{server.url}/token", "--client-id", LtiHandler.CLIENT_ID]
    assert main(args) == 3
    assert "refused the token request (401)" in capsys.readouterr().err and server.accepted == {}


def test_the_platform_refuses_what_a_platform_refuses(lti_platform):
    """The test platform is strict: a wrong media type or a missing field is refused."""
    import requests

    server, pem = lti_platform
    from autograder.publish import lti

    session = requests.Session()
    token = lti.access_token(session, f"{server.url}/token", LtiHandler.CLIENT_ID, pem)
    url = f"{server.url}/lineitems/9/scores"
    good = {"userId": "lti-ann", "scoreGiven": 1, "scoreMaximum": 2, "timestamp": "2026-11-20T10:00:00+00:00",
            "activityProgress": "Completed", "gradingProgress": "FullyGraded"}
    auth = {"Authorization": f"Bearer {token}"}
    assert session.post(url, json=good, headers=auth).status_code == 415  # application/json is not the score type
    typed = {**auth, "Content-Type": "application/vnd.ims.lis.v1.score+json"}
    assert session.post(url, data=json.dumps({k: v for k, v in good.items() if k != "gradingProgress"}),
                        headers=typed).status_code == 400
    assert session.post(url, data=json.dumps(good), headers={**typed, "Authorization": "Bearer forged"}
                        ).status_code == 401
    assert session.post(url, data=json.dumps(good), headers=typed).status_code == 200


def test_secrets_never_reach_the_sandbox(tmp_path, monkeypatch):
    """A submission that reads its environment finds no token or key of the grader's."""
    monkeypatch.setenv("CANVAS_TOKEN", CANVAS_TOKEN)
    monkeypatch.setenv("LTI_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----secret")
    folder = tmp_path / "spy"
    folder.mkdir()
    (folder / "activations.py").write_text((SOLUTIONS / "activations.py").read_text().replace(
        "def relu(z):\n", "def relu(z):\n    import os\n    raise ValueError(repr(sorted(os.environ.items())))\n", 1))
    out = tmp_path / "grades"
    assert main(["grade", str(folder), "--out", str(out), "--assignment", "activations", *WEAK_SANDBOX]) == 0
    text = (out / "results.jsonl").read_text()
    assert "PATH" in text and CANVAS_TOKEN not in text and "BEGIN PRIVATE KEY" not in text


def test_retries_back_off_and_give_up(monkeypatch):
    """Throttling and server errors are retried with growing waits, then the last answer is returned."""
    import requests

    waits: list[float] = []

    class Answers(requests.Session):
        def __init__(self, codes):
            super().__init__()
            self.codes = list(codes)

        def request(self, method, url, **kwargs):
            response = requests.Response()
            response.status_code = self.codes.pop(0)
            response._content = b"429 Too Many Requests" if response.status_code == 429 else b"{}"
            response.headers["Retry-After"] = "3" if response.status_code == 429 else ""
            return response

    assert http.request(Answers([429, 502, 200]), "PUT", "http://x", sleep=waits.append).status_code == 200
    assert waits == [3.0, 6.0]  # Retry-After, then twice that
    waits.clear()
    assert http.request(Answers([503] * 10), "PUT", "http://x", sleep=waits.append).status_code == 503
    assert len(waits) == http.RETRIES
    assert http.request(Answers([404, 200]), "PUT", "http://x", sleep=waits.append).status_code == 404


def test_gradescope_reads_the_extras_of_an_installed_distribution():
    from autograder.export.gradescope import split_requirements

    core, optional = split_requirements([
        "numpy>=1.26", 'tomli>=1.1; python_version < "3.11"', 'keras>=3.0; extra == "keras"',
        'tensorflow-cpu>=2.16; (platform_system == "Linux" and platform_machine == "x86_64") and extra == "keras"',
        "autograder[grade,keras]; extra == 'all'"])
    assert core == ["numpy>=1.26", 'tomli>=1.1; python_version < "3.11"']
    assert optional == {"keras": ["keras>=3.0", 'tensorflow-cpu>=2.16; platform_system == "Linux" and '
                                                'platform_machine == "x86_64"'], "all": ["autograder[grade,keras]"]}
