"""Public tests for gradient descent: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import Case, check_pure, expect_array, expect_scalar, expect_sequence, expect_tuple

X = np.array([[1.0, 0.0], [0.0, 2.0]])
y = np.array([1.0, 2.0])
w0, b0 = np.zeros(2), 0.0


def test_cost_at_zero(student):
    """sse_cost at w = 0, b = 0 is 0.5 * (1 + 4) = 2.5"""
    expect_scalar(student.gradient_descent.sse_cost(w0, b0, X, y), 2.5, name="sse_cost(0, 0, X, y)",
                  hints={2: "the 1/2 in front of the sum is missing: J = 0.5 * sum((y - y_hat)**2).",
                         0.5: "the squared errors are averaged over the 2 samples; J sums them: 0.5 * sum(...)."})


def test_gradient_at_zero(student):
    """sse_gradient at w = 0, b = 0"""
    dw, db = expect_tuple(student.gradient_descent.sse_gradient(w0, b0, X, y), 2, name="sse_gradient")
    flipped = "the gradient has the wrong sign: dJ/dw = -X.T @ (y - y_hat) and dJ/db = -sum(y - y_hat)."
    expect_array(dw, np.array([-1.0, -4.0]), name="dw",
                 hints={0.5: "the gradient is averaged over the 2 samples; the gradient of the sum J sums them too.",
                        flipped: [1.0, 4.0]})
    expect_scalar(db, -3.0, name="db", hints={flipped: 3.0})


def test_one_step(student):
    """gradient_descent_step goes downhill"""
    w1, b1 = expect_tuple(student.gradient_descent.gradient_descent_step(w0, b0, np.array([-1.0, -4.0]), -3.0, 0.1),
                          2, name="gradient_descent_step")
    expect_array(w1, np.array([0.1, 0.4]), name="w_new")
    expect_scalar(b1, 0.3, name="b_new", hints={"the bias does not move: b_new = b - eta * db.": 0.0})


def test_costs_are_recorded_before_each_step(student):
    """train_adaline's first cost is the cost at zero weights"""
    _, _, costs = expect_tuple(student.gradient_descent.train_adaline(X, y, eta=0.1, epochs=3), 3, name="train_adaline")
    uphill = "the weights move up the gradient, so the cost grows: w = w - eta * dw."
    if _gradient_flipped(student):  # then the step may be right: the climb follows from the gradient
        uphill = ("the weights move up the gradient, so the cost grows: your sse_gradient has the wrong sign (see "
                  "its test), and a step against it goes uphill.")
    expect_sequence(costs, [2.5, 0.585, 0.1521], name="costs", rtol=1e-6, hints={
        "costs[e] must be the cost at the START of epoch e, before that epoch's update.": [0.585, 0.1521, 0.0494325],
        uphill: [2.5, 5.785, 13.4521],
        "the weights are updated after every sample; Adaline takes one full-batch step per epoch.":
            [2.5, 0.6373, 0.17843053],
        "the bias never moves: b = b - eta * db in every step.": [2.5, 1.125, 0.58725],
        "every cost is 0: either training starts from weights that already fit this data (it must start from "
        "w = 0, b = 0), or the costs are not computed with sse_cost.": [0.0, 0.0, 0.0]})


def _gradient_flipped(student) -> bool:
    try:
        dw, db = student.gradient_descent.sse_gradient(w0, b0, X, y)
        return bool(np.allclose(np.asarray(dw, dtype=float), [1.0, 4.0]) and np.isclose(float(db), 3.0))
    except Exception:  # noqa: BLE001 - test_gradient_at_zero says what is wrong with sse_gradient
        return False


def test_inputs_are_left_unchanged(student):
    """the gradient-descent functions do not change the arrays they are given"""
    dw = np.array([-1.0, -4.0])
    check_pure(student.gradient_descent.gradient_descent_step, [Case(w0, b0, dw, -3.0, 0.1)],
               names=["w", "b", "dw", "db", "eta"])
    for name in ("sse_cost", "sse_gradient"):
        check_pure(getattr(student.gradient_descent, name), [Case(w0, b0, X, y)], names=["w", "b", "X", "y"])
    check_pure(student.gradient_descent.train_adaline, [Case(X, y, eta=0.1, epochs=3)], names=["X", "y"])
