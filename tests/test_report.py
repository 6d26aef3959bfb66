"""`autograder report`: the class report an instructor reads before the next lecture, built from
results.jsonl alone."""
from __future__ import annotations

import io
import json

from rich.console import Console

from autograder import cli
from autograder.render import report
from autograder.results.model import AssignmentResult, SubmissionResult, TestResult

BIAS = "the bias gradient was summed over the wrong axis: db sums over the samples (axis 0), one entry per unit."


def result_of(name: str, status: str, cause: str = "", follows: tuple[str, ...] = ()) -> TestResult:
    return TestResult(name, 1.0 if status == "passed" else 0.0, 1.0, status, nodeid=f"graders/test_mlp.py::{name}",
                      feedback=f"Likely cause: {cause}" if cause else "", cause=cause, follows=follows)


def submission(name: str, *tests: TestResult) -> SubmissionResult:
    return SubmissionResult(name, {"mlp": AssignmentResult("mlp", list(tests), title="Backpropagation")})


CLASS = [
    submission("ann", result_of("test_forward", "passed"), result_of("test_gradients", "passed")),
    submission("ben", result_of("test_forward", "passed"),
               result_of("test_gradients", "failed", "b2 is divided by N = 4 one time too many: did you average twice?")),
    submission("cat", result_of("test_forward", "passed"),
               result_of("test_gradients", "failed", "b1 is divided by N = 5 one time too many: did you average twice?")),
    submission("dan", result_of("test_forward", "failed", BIAS), result_of("test_gradients", "error", "", ("forward",))),
    submission("eve", result_of("test_forward", "failed", "no mlp.py was submitted"),
               result_of("test_gradients", "failed", "no mlp.py was submitted")),
]


def test_rates_and_causes_count_the_submissions_that_hold_the_assignment():
    (mlp,) = report.build(CLASS).assignments
    assert mlp.submitted == 4 and mlp.scores == [2.0, 1.0, 1.0, 0.0]  # eve handed nothing in
    rates = {t.name: (t.passed, t.graded, t.unexplained) for t in mlp.tests}
    assert rates == {"test_forward": (3, 4, 0), "test_gradients": (1, 4, 1)}
    # the same mistake on other inputs, in another layer, counts once per submission
    top = mlp.causes[0]
    assert (top.submissions, top.share, top.tests) == (2, 0.5, ["test_gradients"])
    assert "one time too many" in top.text
    assert [(c.text, c.submissions) for c in mlp.causes[1:]] == [(BIAS, 1)]
    assert [(r.text, r.share) for r in mlp.roots] == [("forward", 0.25)]
    assert mlp.histogram == [1, 0, 0, 0, 0, 2, 0, 0, 0, 1]


def test_the_page_and_the_terminal_say_the_same(tmp_path):
    built = report.build(CLASS)
    page = report.html(built)
    assert "50% (2)" in page and "one time too many" in page and "Backpropagation" in page
    assert "<svg" in page  # the score distribution
    buffer = io.StringIO()
    report.print_report(Console(file=buffer, width=160), built)
    text = buffer.getvalue()
    assert "Backpropagation: the most frequent causes (4 submitted)" in text and "50%" in text


def test_the_command_reads_results_jsonl_and_writes_the_page(tmp_path, capsys):
    folder = tmp_path / "grades"
    folder.mkdir()
    (folder / "results.jsonl").write_text("".join(r.to_json() + "\n" for r in CLASS))
    assert cli.main(["report", "--results", str(folder), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "one time too many" in out and BIAS[:30] not in out  # --top 1: the most frequent only
    page = (folder / "report.html").read_text()
    assert page.count("one time too many") == 1 and "test_gradients" in page


def test_a_report_of_a_real_run_names_the_causes_its_feedback_states(tmp_path, grade_files):
    from conftest import patched_source
    source = patched_source("mlp", [("            dZ = dA_prev * g_prime(Z_prev)", "            dZ = dA_prev")])
    result = grade_files({"mlp.py": source}, ["mlp"])
    (mlp,) = report.build([result]).assignments
    stated = {t.cause for t in result.tests if t.cause}
    assert stated and {c.text for c in mlp.causes} == stated
    assert json.loads(result.to_json())["assignments"]["mlp"]["tests"]  # what the command reads back
