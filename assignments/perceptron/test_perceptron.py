"""Public tests for the perceptron: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import Case, CheckFailure, check_pure, expect_array, expect_scalar, expect_sequence, expect_tuple

X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])
w = np.array([0.5, -1.0])


def test_net_input(student):
    """net_input(X, w, b) = X @ w + b"""
    expect_array(student.perceptron.net_input(X, w, 0.5), np.array([-1.0, -0.5, 0.5]), name="net_input(X, w, 0.5)",
                 hints={"the bias b is missing: net_input is X @ w + b.": X @ w})


def test_step_at_zero(student):
    """step(0) is 1"""
    expect_array(student.perceptron.step(np.array([-1.0, 0.0, 2.0])), np.array([0, 1, 1]), name="step([-1, 0, 2])",
                 hints={"step(0) must be 1: the threshold is z >= 0, not z > 0.": [0, 0, 1],
                        "step gives -1 below the threshold; the perceptron's classes are 0 and 1.": [-1, 1, 1]})


def test_update_on_a_mistake(student):
    """perceptron_update moves w towards a misclassified positive sample"""
    w_new, b_new = expect_tuple(student.perceptron.perceptron_update(w, 0.0, X[0], 1, 0.1), 2,
                                name="perceptron_update")
    expect_array(w_new, np.array([0.6, -0.8]), name="w_new", hints={
        "the update moves w the wrong way: w_new = w + eta * (y - y_hat) * x.": [0.4, -1.2],
        "the learning rate is missing: w_new = w + eta * (y - y_hat) * x.": [1.5, 1.0]})
    expect_scalar(b_new, 0.1, name="b_new", hints={
        "the bias update is missing the learning rate: b_new = b + eta * (y - y_hat).": 1.0,
        "the bias moves the wrong way: b_new = b + eta * (y - y_hat).": -0.1})


def test_training_on_and(student):
    """train_perceptron learns logical AND"""
    X_and = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y_and = np.array([0, 0, 0, 1])
    w_out, b_out, errors = expect_tuple(student.perceptron.train_perceptron(X_and, y_and, eta=1.0, epochs=6), 3,
                                        name="train_perceptron")
    expect_sequence(errors, [2, 3, 3, 2, 1, 0], name="errors", hints={
        "errors is a running total; each entry counts the mistakes of its own epoch.": [2, 5, 8, 10, 11, 11],
        "errors counts the right predictions; it counts the samples whose prediction was wrong.": [2, 1, 1, 2, 3, 4],
        "errors are counted over the whole data at the end of each epoch; count the mistakes made during the epoch, "
        "each sample's prediction BEFORE its update.": [3, 2, 1, 2, 0, 0],
        "errors are counted after each update; count the samples whose prediction was wrong BEFORE their update.":
            [0, 0, 0, 0, 0, 0],
        "the weights change even on correct predictions: the update must be eta * (y - y_hat) * x, which is zero "
        "when the prediction is right.": [2, 1, 1, 1, 1, 1]})
    expect_array(student.perceptron.predict(X_and, w_out, b_out), y_and, name="predictions after training")


def test_defaults_and_inputs(student):
    """train_perceptron(X, y) trains with eta = 0.1 and 10 epochs, and no function changes its inputs"""
    X_or = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y_or = np.array([0, 1, 1, 1])
    asked = expect_tuple(student.perceptron.train_perceptron(X_or, y_or, eta=0.1, epochs=10), 3,
                         name="train_perceptron(X, y, eta=0.1, epochs=10)")
    defaults = expect_tuple(student.perceptron.train_perceptron(X_or, y_or), 3, name="train_perceptron(X, y)")
    for part, mine, theirs in zip(("w", "b", "errors"), defaults, asked):
        try:
            expect_array(np.asarray(mine, dtype=float), np.asarray(theirs, dtype=float),
                         name=f"{part} of train_perceptron(X, y)", inputs="the defaults")
        except CheckFailure as failure:
            failure.diagnosis = ("train_perceptron(X, y) differs from train_perceptron(X, y, eta=0.1, epochs=10): "
                                 "the defaults must be eta=0.1 and epochs=10.")
            raise
    check_pure(student.perceptron.perceptron_update, [Case(w, 0.0, X[0], 1, 0.1)], names=["w", "b", "x", "y", "eta"])
    check_pure(student.perceptron.train_perceptron, [Case(X_or, y_or)], names=["X", "y"])
