"""The one result model every output is rendered from."""
from autograder.results.model import AssignmentResult, SubmissionResult, TestResult

__all__ = ["AssignmentResult", "SubmissionResult", "TestResult"]
