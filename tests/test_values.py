"""The value checks: a fixed order of checks, stopping at the first failure, and feedback
that shows got-vs-expected only on visible tests."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailure, as_number, expect_array, expect_scalar
from autograder.sandbox.wire import Opaque

EXPECTED = np.array([0.5, 0.25, 0.125])


def failure(got, expected=EXPECTED, **kwargs) -> CheckFailure:
    with pytest.raises(CheckFailure) as info:
        expect_array(got, expected, name="f(z)", inputs="z of shape (3,)", **kwargs)
    return info.value


@pytest.mark.parametrize("got,says", [
    (None, "f(z) is None: is a `return` statement missing?"),
    (Opaque("numpy.matrix", "matrix([[1.]])"), "f(z) is a numpy.matrix object for z of shape (3,); expected a numpy array"),
    ([0.5, 0.25, 0.125], "f(z) is a list for z of shape (3,); expected a numpy array of shape (3,)"),
    (np.float64(0.5), "f(z) is a numpy.float64"),
    (np.zeros((3, 1)), "f(z) has 2 dimension(s) (shape (3, 1)) for z of shape (3,); expected 1 (shape (3,))"),
    (np.zeros(4), "f(z) has shape (4,) for z of shape (3,); expected (3,)"),
    (np.array(["a", "b", "c"]), "f(z) has dtype <U1 for z of shape (3,); expected numbers"),
    (np.array([0.5, np.inf, np.nan]), "f(z) is inf at index (1,) for z of shape (3,), where a finite number was "
                                      "expected (2 of 3 entries are not finite)"),
    (np.array([0.5, 0.25, 0.2]), "f(z) has wrong values for z of shape (3,): 1 of 3 entries differ, by up to "
                                 "0.075 (up to 60% of the right value); the first is at index (2,)"),
])
def test_checks_in_order_with_a_sentence_each(got, says):
    assert failure(got).summary.startswith(says), failure(got).summary


def test_a_column_never_matches_a_vector_and_the_cause_is_named():
    f = failure(EXPECTED.reshape(3, 1))
    assert f.diagnosis == "an extra or missing axis of length 1: check keepdims or a reshape."


def test_hidden_feedback_never_shows_expected_values():
    f = failure(np.array([0.5, 0.25, 0.2]))
    hidden, visible = f.feedback(visible=False), f.feedback(visible=True)
    assert "0.125" not in hidden and "expected 0.125" in visible and "got 0.2" in visible


def test_the_dtype_is_checked_only_when_asked_and_float32_is_compared_at_its_precision():
    assert failure(EXPECTED.astype(np.float32), dtype="float64").summary.endswith("the task asks for float64.")
    expect_array(EXPECTED.astype(np.float32) * np.float32(1 + 3e-7), EXPECTED, rtol=1e-9, name="f(z)")
    with pytest.raises(CheckFailure):
        expect_array(EXPECTED * (1 + 3e-7), EXPECTED, rtol=1e-9, name="f(z)")


def test_numbers_of_any_kind_are_numbers_but_arrays_are_not():
    for value in (0.5, np.float32(0.5), np.array(0.5), 1):
        assert as_number(value, name="loss") == float(value)
    with pytest.raises(CheckFailure, match="Return a single number, not an array of shape"):
        as_number(np.array([0.5]), name="loss")
    with pytest.raises(CheckFailure) as info:
        as_number(np.ones(3), name="loss")
    assert "is the final sum (or mean) missing?" in info.value.diagnosis
    with pytest.raises(CheckFailure) as info:
        expect_scalar(2.0, 1.0, name="cost", hints={2: "the 1/2 is missing."})
    assert info.value.diagnosis == "the result is 2 times the expected one: the 1/2 is missing."
