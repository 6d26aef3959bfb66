"""Public tests for the perceptron: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import Case, CheckFailure, check_pure, expect_array, expect_scalar, expect_sequence, expect_tuple

X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 0.0]])
w = np.array([0.5, -1.0])


def test_net_input(student):
    """net_input(X, w, b) = X @ w + b"""
    expect_array(student.perceptron.net_input(X, w, 0.5), np.array([-1.0, -0.5, 0.5]), name="net_input(X, w, 0.5)")


def test_step_at_zero(student):
    """step(0) is 1"""
    expect_array(student.perceptron.step(np.array([-1.0, 0.0, 2.0])), np.array([0, 1, 1]), name="step([-1, 0, 2])")


def test_update_on_a_mistake(student):
    """perceptron_update moves w towards a misclassified positive sample"""
    w_new, b_new = expect_tuple(student.perceptron.perceptron_update(w, 0.0, X[0], 1, 0.1), 2,
                                name="perceptron_update")
    expect_array(w_new, np.array([0.6, -0.8]), name="w_new")
    expect_scalar(b_new, 0.1, name="b_new")


def test_training_on_and(student):
    """train_perceptron learns logical AND"""
    X_and = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y_and = np.array([0, 0, 0, 1])
    w_out, b_out, errors = expect_tuple(student.perceptron.train_perceptron(X_and, y_and, eta=1.0, epochs=6), 3,
                                        name="train_perceptron")
    expect_sequence(errors, [2, 3, 3, 2, 1, 0], name="errors")
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
