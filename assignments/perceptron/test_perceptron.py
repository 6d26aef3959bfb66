"""Public tests for the perceptron: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import expect_array, expect_scalar, expect_sequence, expect_tuple

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
