"""Hidden grader: the SSE cost and batch gradient descent, Adaline (10 points).

The gradient is checked against the reference and, when it is wrong, against
numerical derivatives of the correct cost and of the student's own sse_cost, so the
feedback can tell "your gradient is right for your cost, but the cost is wrong" from
"the cost is right and the gradient disagrees with it".
"""
import numpy as np
import pytest

from autograder.checks import (CheckFailure, as_number, how_far, describe, expect_array, expect_scalar, expect_sequence,
                               expect_tuple, expect_unchanged, measured)
from autograder.checks.diagnosis import nonzero_start, three_ways
from autograder.checks.gradcheck import check_gradients, local_evaluator

TOL = {"rtol": 1e-6, "atol": 1e-9}


def regression_data(rng, n=20, d=3):
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.5 + 0.1 * rng.normal(size=n)
    return X, y, rng.normal(size=d), float(rng.normal())


def cost_hints(n):
    return {2: "the 1/2 in front of the sum is missing: J = 0.5 * sum((y - y_hat)**2).",
            1 / n: f"the squared errors were averaged (divided by N = {n}); the SSE cost sums them.",
            2 / n: "this is the mean squared error; the SSE cost is 0.5 * sum((y - y_hat)**2)."}


def gradient_hints(n):
    return {2: "this is the gradient of sum((y - y_hat)**2) without the 1/2: a factor 2 too large.",
            1 / n: f"the gradient was divided by N = {n}; the SSE gradient is a sum, not a mean."}


@pytest.mark.points(1.5, visibility="visible")
def test_sse_cost(student, reference, make_rng):
    """sse_cost is 0.5 * sum((y - y_hat)**2)"""
    for key, n in [(30, 20), (31, 5), (32, 50)]:
        X, y, w, b = regression_data(make_rng(key), n=n)
        expect_scalar(student.gradient_descent.sse_cost(w, b, X, y), reference.sse_cost(w, b, X, y),
                      name="sse_cost(w, b, X, y)", inputs=describe("X", X), hints=cost_hints(n), **TOL)


def explain_gradient(student, reference, failure, X, y, w, b, grads, grading_seed):
    """Adds what the numerical checks of the correct and of the student's own cost say."""
    params = {"w": w, "b": b}
    cost = as_number(student.gradient_descent.sse_cost(w.copy(), b, X.copy(), y.copy()), name="sse_cost(w, b, X, y)")
    expected_cost = reference.sse_cost(w, b, X, y)
    cost_ok = bool(np.isclose(cost, expected_cost, **TOL))
    correct = check_gradients(local_evaluator(lambda p: reference.sse_cost(p["w"], p["b"], X, y), params), params,
                              grads, seed=grading_seed, localize=False)
    own = check_gradients(student.gradient_descent.sse_cost.evaluator([w, b, X, y], where={"w": (0, None),
                                                                                         "b": (1, None)}),
                          params, grads, seed=grading_seed, step=1e-4, noise_aware=True, localize=False)
    key = next((k for k in ("w", "b") if not correct[k].passed), "w")
    failure.explain(*three_ways(f"d{key}", "cost", cost_ok, correct[key], own[key], own_name="sse_cost",
                            how_wrong=how_far(float(cost), float(expected_cost)),
                            evaluations=correct.evaluations + own.evaluations))


@pytest.mark.points(3, visibility="hidden")
def test_sse_gradient(student, reference, make_rng, grading_seed):
    """sse_gradient returns the gradient (dw, db) of the SSE cost"""
    for key, n in [(33, 20), (34, 7), (35, 40)]:
        X, y, w, b = regression_data(make_rng(key), n=n)
        inputs = f"{describe('X', X)} (random)"
        got = expect_tuple(student.gradient_descent.sse_gradient(w.copy(), b, X.copy(), y.copy()), 2,
                           name="sse_gradient", parts="dw, db")
        dw, db = reference.sse_gradient(w, b, X, y)
        residual = y - (X @ w + b)
        try:
            expect_array(got[0], dw, name="dw", inputs=inputs, hints={
                **gradient_hints(n), "dw is missing the minus sign: dJ/dw = -X.T @ (y - y_hat).": X.T @ residual},
                **TOL)
            expect_scalar(got[1], db, name="db", inputs=inputs, hints={
                **gradient_hints(n), "db is missing the minus sign: dJ/db = -sum(y - y_hat).": np.sum(residual)},
                **TOL)
        except CheckFailure as failure:
            if type(got[0]) is np.ndarray and got[0].shape == dw.shape and failure.summary.startswith(("dw has wrong",
                                                                                                      "db is wrong")):
                grads = {"w": np.asarray(got[0], dtype=np.float64), "b": as_number(got[1], name="db")}
                explain_gradient(student, reference, failure, X, y, w, b, grads, grading_seed)
            raise


@pytest.mark.points(1.5, visibility="hidden")
def test_gradient_descent_step(student, reference, make_rng):
    """gradient_descent_step moves against the gradient by eta"""
    rng = make_rng(36)
    for d in (1, 4):
        w, dw, b, db, eta = rng.normal(size=d), rng.normal(size=d), 0.3, -1.2, 0.05
        got = expect_tuple(student.gradient_descent.gradient_descent_step(w.copy(), b, dw.copy(), db, eta), 2,
                           name="gradient_descent_step", parts="w_new, b_new")
        w_ref, b_ref = reference.gradient_descent_step(w, b, dw, db, eta)
        uphill = "the step goes up the gradient: delta_w = -eta * grad J(w), so w_new = w - eta * dw."
        expect_array(got[0], w_ref, name="w_new", inputs=f"{describe('w', w)}, eta = {eta}",
                     hints={uphill: w + eta * dw}, **TOL)
        expect_scalar(got[1], b_ref, name="b_new", inputs=f"b = {b}, db = {db}, eta = {eta}",
                      hints={uphill: b + eta * db, "the bias did not move: b_new = b - eta * db.": b}, **TOL)


def train_variant(X, y, eta, epochs, cost_after=False, uphill=False, per_sample=False):
    """The reference training loop with one of the usual mistakes switched on."""
    w, b, costs = np.zeros(X.shape[1]), 0.0, []
    sign = -1.0 if uphill else 1.0
    for _ in range(epochs):
        residual = y - (X @ w + b)
        if not cost_after:
            costs.append(0.5 * np.sum(residual ** 2))
        if per_sample:
            for x_i, y_i in zip(X, y):
                r = y_i - (x_i @ w + b)
                w, b = w + eta * r * x_i, b + eta * r
            continue
        w, b = w + sign * eta * X.T @ residual, b + sign * eta * residual.sum()
        if cost_after:
            costs.append(0.5 * np.sum((y - (X @ w + b)) ** 2))
    return w, b, costs


UPHILL = "the weights move up the gradient, so the cost grows: w = w + delta_w with delta_w = -eta * grad J(w)."
TRAINING_MISTAKES = {
    "costs[e] must be the cost at the START of epoch e, before that epoch's update.": {"cost_after": True},
    UPHILL: {"uphill": True},
    "the weights are updated after every sample (stochastic gradient descent); Adaline takes one full-batch step "
    "per epoch, with the gradient summed over all samples.": {"per_sample": True},
}


def uphill_because_of_the_gradient(student, reference, X, y) -> bool:
    """Whether the student's own sse_gradient has the wrong sign (at zero weights): then a run that
    climbs follows from the gradient, and its step, which may be right, is not to blame."""
    w = np.zeros(X.shape[1])
    try:
        dw, db = student.gradient_descent.sse_gradient(w, 0.0, X.copy(), y.copy())
        right_dw, right_db = reference.sse_gradient(w, 0.0, X, y)
        return bool(np.allclose(np.asarray(dw, dtype=float), -right_dw) and np.isclose(float(db), -right_db))
    except Exception:  # noqa: BLE001 - sse_gradient's own test says what is wrong with it
        return False


def training_causes(student, reference, X, y) -> dict[str, str]:
    """The training mistakes' causes as this student's run may be told them."""
    if not uphill_because_of_the_gradient(student, reference, X, y):
        return {cause: cause for cause in TRAINING_MISTAKES}
    return {cause: cause for cause in TRAINING_MISTAKES} | {UPHILL: (
        "the weights move up the gradient, so the cost grows: your sse_gradient returns the gradient with the wrong "
        "sign (dJ/dw = -X.T @ (y - y_hat)), and a step against it goes uphill.")}


@pytest.mark.points(3, visibility="hidden")
def test_train_adaline(student, reference, make_rng):
    """train_adaline reproduces the reference weights and cost curve"""
    for key, eta, epochs in [(37, 0.01, 50), (38, 0.02, 15), (39, 0.005, 5)]:
        X, y, _, _ = regression_data(make_rng(key))
        inputs = f"{X.shape[0]} samples, eta = {eta}, epochs = {epochs}"
        got = expect_tuple(student.gradient_descent.train_adaline(X.copy(), y.copy(), eta=eta, epochs=epochs), 3,
                           name="train_adaline", parts="w, b, costs")
        w_ref, b_ref, costs_ref = reference.train_adaline(X, y, eta=eta, epochs=epochs)
        said = training_causes(student, reference, X, y)
        variants = {said[cause]: train_variant(X, y, eta, epochs, **flags) for cause, flags in TRAINING_MISTAKES.items()}
        # 50 epochs of float32 arithmetic drift by ~1e-6: the tolerance is measured on this input
        tol = measured(reference.train_adaline, (X, y), {"eta": eta, "epochs": epochs},
                       mistakes=list(variants.values())).kwargs()
        try:
            expect_sequence(got[2], costs_ref, name="costs", inputs=inputs, **tol,
                            hints={cause: v[2] for cause, v in variants.items()})
            expect_array(got[0], w_ref, name="the trained w", inputs=inputs, **tol,
                         hints={cause: v[0] for cause, v in variants.items()})
            expect_scalar(got[1], b_ref, name="the trained b", inputs=inputs, **tol)
        except CheckFailure as failure:
            failure.diagnosis = failure.diagnosis or nonzero_start(student.gradient_descent.train_adaline, X, y)
            raise


@pytest.mark.points(0.5, visibility="hidden")
def test_train_adaline_defaults(student, reference, make_rng):
    """train_adaline uses eta = 0.01 and 50 epochs by default"""
    X, y, _, _ = regression_data(make_rng(40))
    got = expect_tuple(student.gradient_descent.train_adaline(X.copy(), y.copy()), 3, name="train_adaline(X, y)")
    expect_sequence(got[2], reference.train_adaline(X, y)[2], name="costs", inputs="the default eta and epochs",
                    **measured(lambda *a: reference.train_adaline(*a)[2], (X, y)).kwargs())


@pytest.mark.points(0.5, visibility="hidden")
def test_inputs_unchanged(student, make_rng):
    """the gradient-descent functions leave their input arrays unchanged"""
    X, y, w, b = regression_data(make_rng(41))
    dw = np.ones_like(w)
    for name, args, names in [("sse_gradient", (w, b, X, y), ["w", "b", "X", "y"]),
                              ("gradient_descent_step", (w, b, dw, 0.5, 0.1), ["w", "b", "dw", "db", "eta"]),
                              ("train_adaline", (X, y), ["X", "y"])]:
        call = getattr(student.gradient_descent, name).call(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        expect_unchanged(list(args), call.args_after, name=name, arg_names=names)
