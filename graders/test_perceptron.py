"""Hidden grader: the perceptron (10 points).

Training runs use integer features and a learning rate that is a power of two, so
every weight is exact in floating point: a correct implementation reproduces the
reference bit for bit, whatever the order of its arithmetic, and no prediction on
the threshold z == 0 can fall differently by rounding.
"""
import numpy as np
import pytest

from autograder.checks import (CheckFailure, describe, expect_array, expect_scalar, expect_sequence, expect_tuple,
                               expect_unchanged, expect_value)
from autograder.checks.diagnosis import agreeing, either, nonzero_start, what_is_right

TOL = {"rtol": 1e-9, "atol": 1e-12}


def integer_data(rng, n=20, d=3):
    """Small binary problems with integer features (exact arithmetic) whose boundary needs a bias."""
    X = rng.integers(-4, 5, size=(n, d)).astype(float)
    w_true = rng.integers(1, 4, size=d) * rng.choice([-1, 1], size=d)
    y = (X @ w_true + rng.choice([-3, -2, 2, 3]) >= 0).astype(int)
    return X, y


def train_variant(X, y, eta, epochs, strict_threshold=False, flip=False, count_after=False, always_update=False,
                  no_eta=False, count_at_end=False, count_right=False):
    """The reference training loop with one of the usual mistakes switched on."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    eta = 1.0 if no_eta else eta
    sign = -1.0 if flip else 1.0
    for _ in range(epochs):
        mistakes = 0
        for x, target in zip(X, y):
            z = x @ w + b
            pred = int(z > 0) if strict_threshold else int(z >= 0)
            error = target - pred
            if always_update:
                error = 2 * target - 1
            mistakes += 0 if count_after else int((error == 0) if count_right else (error != 0))
            w, b = w + sign * eta * error * x, b + sign * eta * error
            if count_after:
                mistakes += int((int(x @ w + b >= 0)) != target)
        errors.append(int(np.sum((X @ w + b >= 0).astype(int) != y)) if count_at_end else mistakes)
    return w, b, errors


TRAINING_MISTAKES = {
    "the update moves the weights the wrong way: w_new = w + eta * (y - y_hat) * x.": {"flip": True},
    "step(0) is 0 in your code; the perceptron predicts 1 when z >= 0, including z == 0.": {"strict_threshold": True},
    "the weights change even on correct predictions: the update must be eta * (y - y_hat) * x, "
    "which is zero when the prediction is right.": {"always_update": True},
    "errors are counted after each update; count the samples whose prediction was wrong BEFORE "
    "their update.": {"count_after": True},
    "errors are counted over the whole data at the end of each epoch; count the mistakes made during the "
    "epoch, each sample's prediction BEFORE its update.": {"count_at_end": True},
    "errors counts the right predictions; it counts the samples whose prediction was wrong.": {"count_right": True},
    "the learning rate is not used: the update is w + (y - y_hat) * x whatever eta is; it must be "
    "w + eta * (y - y_hat) * x (and b + eta * (y - y_hat)).": {"no_eta": True},
}


def diagnose_training(student, got, X, y, eta, epochs):
    """The usual mistakes that explain all of w, b and errors, else a start away from zero."""
    variants = {cause: train_variant(X, y, eta, epochs, **flags) for cause, flags in TRAINING_MISTAKES.items()}
    return either(agreeing(variants, got)) or nonzero_start(student.perceptron.train_perceptron, X, y)


@pytest.mark.points(1, visibility="visible")
def test_net_input(student, reference, make_rng):
    """net_input computes X @ w + b for a batch and for one sample"""
    rng = make_rng(10)
    for n, d in [(5, 3), (1, 4), (20, 7)]:
        X, w, b = rng.normal(size=(n, d)), rng.normal(size=d), float(rng.normal())
        expect_array(student.perceptron.net_input(X, w, b), reference.net_input(X, w, b), name="net_input(X, w, b)",
                     inputs=f"{describe('X', X)}, b = {b:.3g}", rtol=1e-6, atol=1e-9,
                     hints={"the bias b is missing: z = X @ w + b.": X @ w})
    x, w = rng.normal(size=4), rng.normal(size=4)
    expect_scalar(student.perceptron.net_input(x, w, 0.5), reference.net_input(x, w, 0.5),
                  name="net_input(x, w, b)", inputs="a single sample x of shape (4,)", rtol=1e-6, atol=1e-9)


@pytest.mark.points(1.5, visibility="visible")
def test_step(student, reference, make_rng):
    """step is 1 where z >= 0 (including z == 0) and 0 elsewhere"""
    z = np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])
    expect_array(student.perceptron.step(z.copy()), reference.step(z), name="step(z)", inputs=describe("z", z),
                 hints={"step(0) must be 1: the threshold is z >= 0, not z > 0.": (z > 0).astype(float),
                        "step returns -1 for negative z; this perceptron's labels are 0 and 1.": np.where(z >= 0, 1, -1)})
    Z = make_rng(11).normal(size=(3, 4))
    expect_array(student.perceptron.step(Z.copy()), reference.step(Z), name="step(z)", inputs=describe("z", Z))
    for z0 in (0.0, -0.5):
        expect_value(student.perceptron.step(z0), float(reference.step(z0)), name=f"step({z0})")


@pytest.mark.points(1, visibility="hidden")
def test_predict(student, reference, make_rng):
    """predict gives 0/1 labels for a batch and for one sample"""
    rng = make_rng(12)
    X, w = rng.normal(size=(15, 3)), rng.normal(size=3)
    for b in (0.1, 1.5, -1.5):  # a large |b| flips many predictions: a forgotten bias shows
        expect_array(student.perceptron.predict(X, w, b), reference.predict(X, w, b), name="predict(X, w, b)",
                     inputs=f"{describe('X', X)}, b = {b}")
    X[0] = 0.0  # net input exactly b = 0 for this sample: predicted 1
    expect_array(student.perceptron.predict(X, w, 0.0), reference.predict(X, w, 0.0), name="predict(X, w, b)",
                 inputs="X whose first sample gives z == 0")
    expect_value(student.perceptron.predict(X[3], w, 0.1), float(reference.predict(X[3], w, 0.1)),
                 name="predict(x, w, b)", inputs="a single sample")


UPDATE_CASES = [  # (w, b, x, y, eta): wrong on a 1, wrong on a 0, right on a 1, right on a 0
    (np.array([0.5, -1.0]), 0.0, np.array([1.0, 2.0]), 1, 0.5),
    (np.array([1.0, 1.0]), 0.5, np.array([2.0, -1.0]), 0, 0.25),
    (np.array([1.0, 0.5]), 0.0, np.array([1.0, 1.0]), 1, 0.5),
    (np.array([-1.0, 0.0]), -0.5, np.array([2.0, 3.0]), 0, 1.0),
    (np.array([1.0, 1.0]), -2.5, np.array([1.0, 1.0]), 0, 0.5),  # right only because of the bias
]


@pytest.mark.points(2, visibility="hidden")
def test_perceptron_update(student, reference):
    """perceptron_update applies Rosenblatt's rule to one sample"""
    for w, b, x, y, eta in UPDATE_CASES:
        right = reference.predict(x, w, b) == y
        inputs = f"a sample the weights classify {'correctly' if right else 'wrongly'} (y = {y})"
        got = expect_tuple(student.perceptron.perceptron_update(w.copy(), b, x.copy(), y, eta), 2,
                           name="perceptron_update", parts="w_new, b_new")
        w_ref, b_ref = reference.perceptron_update(w, b, x, y, eta)
        error = y - reference.predict(x, w, b)
        hints = {"the update moves w the wrong way: w_new = w + eta * (y - y_hat) * x.": w - eta * error * x}
        if eta != 1:
            hints["the learning rate is missing: w_new = w + eta * (y - y_hat) * x."] = w + error * x
        if right:
            hints["w changed although the prediction was right: the error y - y_hat is 0 then."] = w + eta * (2 * y - 1) * x
        try:
            expect_array(got[0], w_ref, name="w_new", inputs=inputs, hints=hints, **TOL)
            expect_scalar(got[1], b_ref, name="b_new", inputs=inputs, hints={
                "b_new moved by the error without the learning rate: b_new = b + eta * (y - y_hat).": b + error,
                "the update moves b the wrong way: b_new = b + eta * (y - y_hat).": b - eta * error}, **TOL)
        except CheckFailure as failure:  # asked only now: a correct update never waits on predict
            failure.diagnosis = follows_from_predict(student, reference, got, w, b, x, y, eta) or failure.diagnosis
            raise


def follows_from_predict(student, reference, got, w, b, x, y, eta):
    """The cause when the update is right for the student's own prediction and only that
    prediction is wrong: then the bug is in predict (or what it builds on), not in the update."""
    try:
        y_hat = student.perceptron.predict(x.copy(), w.copy(), b)
        y_hat = float(np.asarray(y_hat, dtype=np.float64))
    except Exception:  # noqa: BLE001 - predict's own test reports what is wrong with it
        return ""
    if y_hat == float(reference.predict(x, w, b)) or not agreeing(
            {"": (w + eta * (y - y_hat) * x, b + eta * (y - y_hat))}, got):
        return ""
    return (f"your predict gives {y_hat:g} for this sample, which is wrong, and perceptron_update follows that "
            f"prediction correctly: fix predict (see its test) and this test should pass too.")


@pytest.mark.points(3, visibility="hidden")
def test_train_perceptron(student, reference, make_rng):
    """train_perceptron reproduces the reference weights and error counts"""
    for key, eta, epochs in [(20, 0.5, 6), (21, 1.0, 10), (22, 0.25, 3)]:
        X, y = integer_data(make_rng(key))
        inputs = f"{X.shape[0]} samples with {X.shape[1]} features, eta = {eta}, epochs = {epochs}"
        got = expect_tuple(student.perceptron.train_perceptron(X.copy(), y.copy(), eta=eta, epochs=epochs), 3,
                           name="train_perceptron", parts="w, b, errors")
        expected = reference.train_perceptron(X, y, eta=eta, epochs=epochs)
        explain_training(student, got, expected, X, y, eta, epochs, inputs)


def explain_training(student, got, expected, X, y, eta, epochs, inputs, tol=TOL):
    """Checks w, b and errors; a failure names the usual mistake that explains all three, or
    else says which of them are right."""
    w_ref, b_ref, errors_ref = expected
    try:
        expect_array(got[0], w_ref, name="the trained w", inputs=inputs, **tol)
        expect_scalar(got[1], b_ref, name="the trained b", inputs=inputs, **tol)
        expect_sequence(got[2], errors_ref, name="errors", inputs=inputs, hints={
            "errors holds a running total: count each epoch's mistakes from zero.": np.cumsum(errors_ref)})
    except CheckFailure as failure:  # a mistake that explains every output outranks a pattern in one
        failure.diagnosis = diagnose_training(student, got, X, y, eta, epochs) or failure.diagnosis
        if not failure.diagnosis:
            failure.known = what_is_right({"w": (got[0], w_ref), "b": (got[1], b_ref),
                                           "errors": (got[2], errors_ref)}, position="epoch", first=1, **tol)
        raise


@pytest.mark.points(0.5, visibility="hidden")
def test_train_perceptron_defaults(student, reference, make_rng):
    """train_perceptron uses eta = 0.1 and 10 epochs by default, starting from zero weights"""
    rng = make_rng(23)
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] - X[:, 1] + 0.5 > 0).astype(int)
    got = expect_tuple(student.perceptron.train_perceptron(X.copy(), y.copy()), 3, name="train_perceptron(X, y)")
    try:
        explain_training(student, got, reference.train_perceptron(X, y), X, y, 0.1, 10, "the default eta and epochs",
                         tol=DEFAULTS_TOL)
    except CheckFailure as failure:
        failure.diagnosis = wrong_defaults(student, reference, got, X, y) or failure.diagnosis
        raise


DEFAULTS_TOL = {"rtol": 1e-6, "atol": 1e-9}  # eta = 0.1 and real-valued X: not exact


def wrong_defaults(student, reference, got, X, y):
    """Names the defaults as the cause only when passing eta = 0.1 and epochs = 10 explicitly
    gives the right result (else the training itself is wrong, and its diagnosis stands); and
    names the defaults chosen when training with them gives every output that came back:
    w, b and errors (whose length is the number of epochs), so that a run that has converged
    cannot make another epoch count look right."""
    try:
        explicit = student.perceptron.train_perceptron(X.copy(), y.copy(), eta=0.1, epochs=10)
    except Exception:  # noqa: BLE001 - the default call's failure says what is wrong
        return ""
    if not agreeing({"": reference.train_perceptron(X, y)}, explicit, **DEFAULTS_TOL):
        return ""
    fits = [(eta, epochs) for eta in (0.01, 0.001, 0.5, 1.0, 0.1) for epochs in (10, 5, 20, 50, 100)
            if (eta, epochs) != (0.1, 10) and agreeing({"": reference.train_perceptron(X, y, eta=eta, epochs=epochs)},
                                                      got, **DEFAULTS_TOL)]
    asked = "the assignment asks for eta = 0.1 and epochs = 10."
    if not fits:
        return f"with eta = 0.1 and epochs = 10 passed explicitly your function is right, so its defaults are not: {asked}"
    return f"the defaults are {' or '.join(f'eta = {eta}, epochs = {epochs}' for eta, epochs in fits)}; {asked}"


@pytest.mark.points(1, visibility="hidden")
def test_inputs_unchanged(student, make_rng):
    """perceptron_update and train_perceptron leave their input arrays unchanged"""
    w, b, x, y, eta = UPDATE_CASES[0]
    call = student.perceptron.perceptron_update.call(w.copy(), b, x.copy(), y, eta)
    expect_unchanged([w, b, x], call.args_after, name="perceptron_update", arg_names=["w", "b", "x"])
    X, y = integer_data(make_rng(24))
    call = student.perceptron.train_perceptron.call(X.copy(), y.copy(), eta=0.5, epochs=2)
    expect_unchanged([X, y], call.args_after, name="train_perceptron", arg_names=["X", "y"])
