"""Checks that compare what the student's code returned with what was expected.

Every check raises CheckFailure with a student-facing sentence: which function and
argument, what was wrong, and (where it can tell) the most likely cause.
"""
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
)

__all__ = [
    "CheckFailure",
    "as_array",
    "as_number",
    "as_sequence",
    "describe",
    "expect_array",
    "expect_close",
    "expect_no_warnings",
    "expect_scalar",
    "expect_sequence",
    "expect_tuple",
    "expect_unchanged",
    "expect_value",
]
