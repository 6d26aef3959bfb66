"""Checks that compare what the student's code returned with what was expected.

Every check raises CheckFailure with a student-facing sentence: which function and
argument, what was wrong, and (where it can tell) the most likely cause.
"""
from autograder.checks.exercises import (
    Case,
    check_derivative,
    check_function,
    check_layer,
    check_loss_and_grads,
    check_own_derivative,
    check_own_gradients,
    check_pure,
    compare,
    explained,
    mixed_widths,
    random_cases,
)
from autograder.checks.figures import curves, show
from autograder.checks.models import expect_compiled
from autograder.checks.tolerance import Tolerance, measured
from autograder.checks.values import (
    CheckFailure,
    as_array,
    as_number,
    as_sequence,
    describe,
    expect_array,
    expect_close,
    expect_no_warnings,
    expect_scalar,
    expect_sequence,
    expect_tuple,
    expect_unchanged,
    expect_value,
    floating_point_warnings,
    how_far,
)
from autograder.results.model import Figure, Series

__all__ = [
    "Case",
    "Figure",
    "Series",
    "Tolerance",
    "check_derivative",
    "check_function",
    "check_layer",
    "check_loss_and_grads",
    "check_own_derivative",
    "check_own_gradients",
    "check_pure",
    "compare",
    "explained",
    "mixed_widths",
    "curves",
    "show",
    "measured",
    "random_cases",
    "CheckFailure",
    "as_array",
    "as_number",
    "as_sequence",
    "describe",
    "expect_array",
    "expect_compiled",
    "expect_close",
    "expect_no_warnings",
    "expect_scalar",
    "expect_sequence",
    "expect_tuple",
    "expect_unchanged",
    "expect_value",
    "floating_point_warnings",
    "how_far",
]
