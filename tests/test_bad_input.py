"""Bad input costs only the tests it affects, says why in one sentence, and never stops
the grading of the other functions or assignments."""
from __future__ import annotations

from autograder.grading.runner import grade
from autograder.sandbox.worker import Limits
from autograder.submission.discover import Submission
from conftest import SOLUTIONS, build_submission, failed_tests

BAD_ACTIVATIONS = (SOLUTIONS / "activations.py").read_text() + '''

def sigmoid(z):          # an infinite loop
    while True:
        pass


def relu(z):             # the wrong shape
    return np.maximum(0.0, z).reshape(-1)


def tanh(z):             # NaN
    return np.tanh(z) * np.nan


def softmax(Z, axis):    # a wrong signature
    return Z


def relu_grad(z):        # a list, not an array
    return [1.0]


def sigmoid_grad(z):     # an exception
    raise KeyError("oops")
'''


def test_each_kind_of_bad_input(tmp_path, course):
    folder = build_submission(tmp_path / "s", {"activations.py": BAD_ACTIVATIONS})
    result = grade(Submission.from_path(folder), course, ["activations", "perceptron"], limits=Limits(call_seconds=1))
    failed = failed_tests(result)
    assert set(failed) == {"test_sigmoid", "test_sigmoid_grad", "test_tanh", "test_relu", "test_relu_grad",
                           "test_softmax", "test_sigmoid_is_stable", "test_softmax_is_stable", "test_scalar_inputs",
                           "test_inputs_unchanged"}
    assert "did not return within 1 s" in failed["test_sigmoid"]
    assert "sigmoid_grad raised KeyError: 'oops' (at activations.py, line" in failed["test_sigmoid_grad"]
    assert "tanh(z) is nan at index (0,)" in failed["test_tanh"]
    assert "relu(z) has 1 dimension(s)" in failed["test_relu"] or "relu(z) has shape" in failed["test_relu"]
    assert "relu_grad(z) is a list for the edge cases" in failed["test_relu_grad"]
    assert "softmax raised TypeError" in failed["test_softmax"] and "axis" in failed["test_softmax"]
    statuses = {t.nodeid.split("::")[-1]: t.status for t in result.tests}
    assert statuses["test_sigmoid"] == "error" and statuses["test_tanh"] == "failed"
    passed = {t.nodeid.split("::")[-1] for t in result.tests if t.status == "passed"}
    assert "test_tanh_grad" in passed  # untouched functions still earn their points
    assert result.assignments["perceptron"].score == result.assignments["perceptron"].max_score
    own = {t.function: t.feedback.split("\n", 1)[1] if t.follows else t.feedback for t in result.tests}
    assert all("\n" not in own[t.function].split("Likely cause")[0].strip() for t in result.tests if t.status == "error")
    assert failed["test_sigmoid_grad"].startswith("Fix sigmoid first: sigmoid_grad builds on it")


def test_grading_never_imports_tensorflow_in_this_process(course):
    import sys

    result = grade(Submission.from_path(SOLUTIONS), course, ["keras_model"])
    assert result.score == result.max_score
    assert "tensorflow" not in sys.modules and "keras" not in sys.modules
