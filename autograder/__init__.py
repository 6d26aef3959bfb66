"""autograder: auto-graded deep-learning exercises with sandboxed student code."""

__version__ = "0.1.0"
