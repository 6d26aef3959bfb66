"""Figures beside the feedback: plain numbers in the record, drawn as SVG by the pages, kept
on failed tests only, and on hidden tests never of an expected value."""
from __future__ import annotations

import json
import math

import pytest

from autograder.checks import figures
from autograder.render import feedback
from autograder.render import figures as drawing
from autograder.render.notebook import CheckReport
from autograder.results.model import AssignmentResult, Figure, Series, SubmissionResult, TestResult
from conftest import patched_source

COSTS_AFTER_THE_STEP = patched_source("gradient_descent", [(
    """        costs.append(sse_cost(w, b, X, y))
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)""",
    """        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
        costs.append(sse_cost(w, b, X, y))""")])
HIDDEN_DERIVATIVE_OMITTED = patched_source("mlp", [("            dZ = dA_prev * g_prime(Z_prev)",
                                                     "            dZ = dA_prev")])
CURVE = figures.curves("costs", {"yours": [3.0, 2.0, 1.5], "expected": [3.0, 2.5, 2.0]}, y_label="cost",
                       dashed=["expected"])


def by_function(result: SubmissionResult) -> dict[str, TestResult]:
    return {t.function: t for t in result.tests}


def test_a_figure_round_trips_through_results_json_with_what_is_not_finite_as_null():
    curve = figures.curves("costs", {"yours": [1.0, math.inf, 0.5], "expected": [1, 0.7, 0.5]}, dashed=["expected"])
    test = TestResult("t", 0, 1, "failed", figures=(curve,), cause="the learning rate is missing")
    data = json.loads(json.dumps(test.to_dict(), allow_nan=False))
    assert data["figures"][0]["series"][0]["values"] == [1.0, None, 0.5]
    assert data["figures"][0]["series"][1]["dashed"] is True
    assert TestResult.from_dict(data) == test
    assert "figures" not in TestResult("t", 1, 1, "passed").to_dict()


def test_what_a_figure_may_hold_is_checked():
    with pytest.raises(ValueError, match="at most 500"):
        Figure("x", (Series.of("a", range(501)),))
    with pytest.raises(ValueError, match="unknown figure kind"):
        Figure("x", (Series.of("a", [1]),), kind="pie")
    with pytest.raises(ValueError, match="one value per label"):
        Figure("x", (Series.of("a", [1, 2]),), kind="bars", labels=("one",))
    # a student's curve that is no flat sequence of numbers draws nothing, and raises nothing
    assert figures.curves("x", {"yours": [[1, 2], [3, 4]]}) is None
    assert figures.curves("x", {"yours": [10 ** 400]}) is None
    assert figures.curves("x", {"yours": None}) is None


def test_a_hidden_test_keeps_only_pictures_of_the_students_own_outputs():
    mine = figures.curves("costs", {"yours": [3.0, 2.0, 1.5]})
    other = Figure("errors", (Series.of("agrees", [1e-9, 0.5]),), kind="bars", labels=("W1", "b1"))
    figures.show(CURVE)  # outside a test: nothing is recorded, nothing fails
    with figures.recording() as shown:
        figures.show(CURVE, reveals=True, instead=mine)
        figures.show(other)
        figures.show(CURVE, reveals=True)
        figures.show(None)
    assert figures.kept(shown, visible=True) == (CURVE, other, CURVE)
    assert figures.kept(shown, visible=False) == (mine, other)


def test_the_svg_is_the_same_every_time_and_absent_without_matplotlib(monkeypatch):
    first = drawing.svg(CURVE)
    drawing._draw.cache_clear()
    assert first.startswith("<svg") and first == drawing.svg(CURVE)
    assert "<metadata>" not in first and "<?xml" not in first  # inline, and no date in it
    for figure in (Figure("bars", (Series.of("agrees", [1e-9, math.nan]), Series.of("disagrees", [math.nan, 0.3])),
                          kind="bars", labels=("W1", "b1"), log_y=True),
                   Figure("matrix", (Series.of("0", [0.9, 0.1]), Series.of("1", [0.0, 1.0])), kind="matrix",
                          labels=("0", "1"))):
        assert drawing.svg(figure).startswith("<svg")
    monkeypatch.setattr(drawing, "available", lambda: False)
    assert drawing.svg(CURVE) == ""


def page_of(tests: list[TestResult]) -> str:
    return feedback.html(SubmissionResult("s", {"a": AssignmentResult("a", tests)}))


def test_pages_draw_the_figures_of_the_tests_that_hold_them():
    failed = TestResult("costs are right", 0, 1, "failed", feedback="Likely cause: x\n\ny", figures=(CURVE,))
    page = page_of([failed, TestResult("other", 1, 1, "passed")])
    assert page.count("<svg") == 1 and page.index("costs are right") < page.index("<svg")
    report = CheckReport("Checks", SubmissionResult("s", {"a": AssignmentResult("a", [failed])}), "a", "public")
    assert report._repr_html_().count("<svg") == 1


def test_a_hidden_sequence_check_pictures_the_students_curve_alone(grade_files):
    result = grade_files({"gradient_descent.py": COSTS_AFTER_THE_STEP}, ["gradient_descent"])
    tests = by_function(result)
    (curve,) = tests["test_train_adaline"].figures
    assert [s.label for s in curve.series] == ["yours"] and curve.kind == "lines"
    assert not [t for t in result.tests if t.status == "passed" and t.figures]
    assert "<svg" in feedback.html(result)


def test_a_public_sequence_check_pictures_both_curves(grade_files):
    result = grade_files({"gradient_descent.py": COSTS_AFTER_THE_STEP}, ["gradient_descent"], suite="public")
    (curve,) = by_function(result)["test_costs_are_recorded_before_each_step"].figures
    yours, expected = curve.series
    assert (yours.label, expected.label, expected.dashed) == ("yours", "expected", True)
    assert expected.values == (2.5, 0.585, 0.1521) and yours.values != expected.values


def test_a_gradient_failure_pictures_each_tensor_against_the_students_own_loss(grade_files):
    result = grade_files({"mlp.py": HIDDEN_DERIVATIVE_OMITTED}, ["mlp"])
    test = by_function(result)["test_gradients"]
    (bars,) = test.figures
    assert bars.kind == "bars" and bars.labels == ("W1", "b1", "W2", "b2") and bars.log_y
    agrees, disagrees = bars.series
    assert [k for k, v in zip(bars.labels, disagrees.values) if v is not None] == ["W1", "b1"]
    assert [k for k, v in zip(bars.labels, agrees.values) if v is not None] == ["W2", "b2"]


def test_the_record_states_the_cause_the_feedback_opens_with(grade_files):
    result = grade_files({"mlp.py": HIDDEN_DERIVATIVE_OMITTED}, ["mlp"])
    failed = [t for t in result.tests if t.status != "passed"]
    assert failed
    for test in failed:
        first = test.feedback.splitlines()[0]
        assert (first == f"Likely cause: {test.cause}") if test.cause else not first.startswith("Likely cause")
    assert any(t.cause for t in failed)
