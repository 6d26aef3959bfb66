"""Hidden grader: a multi-layer perceptron and backpropagation (10 points).

Gradients are compared per tensor with the reference's analytic gradients (which
the project's own tests check against numerical ones), and, separately, with
numerical gradients of the student's OWN loss: a backward pass that is consistent
with a wrong forward pass is a different lesson from a backward pass that is wrong.
Inputs are drawn so that no ReLU pre-activation lies near its kink at zero.
"""
import numpy as np
import pytest

from autograder.checks import (CheckFailure, as_number, as_sequence, describe, expect_array, expect_scalar,
                               expect_tuple, expect_unchanged)
from autograder.checks.gradcheck import numerical_gradient

TOL = {"rtol": 1e-6, "atol": 1e-9}
GRAD_TOL = {"rtol": 1e-5, "atol": 1e-8}
KINK_MARGIN = 1e-3


def network(reference, sizes, n, seed, activation="relu", margin=KINK_MARGIN):
    """Params, X, y with every hidden pre-activation at least `margin` away from zero."""
    rng = np.random.default_rng(seed)
    while True:
        params = {}
        for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{l}"] = rng.normal(0, 1 / np.sqrt(a), size=(a, b))
            params[f"b{l}"] = rng.normal(0, 0.1, size=b)
        X = rng.normal(size=(n, sizes[0]))
        y = rng.integers(0, sizes[-1], size=n)
        _, cache = reference.forward(params, X, activation)
        if all(np.min(np.abs(Z)) > margin for _, Z in cache[:-1]):
            return params, X, y


def copy_params(params):
    return {k: v.copy() for k, v in params.items()}


def expect_params(got, like, *, name, inputs=""):
    """A dict with exactly the keys of `like`, each a plain array of the same shape."""
    if type(got) is not dict:
        raise CheckFailure(f"{name} is not a dict (got {type(got).__name__}); expected keys {sorted(like)}.")
    if set(got) != set(like):
        missing, extra = sorted(set(like) - set(got)), sorted(set(got) - set(like))
        raise CheckFailure(f"{name} has the wrong keys{f' for {inputs}' if inputs else ''}: "
                           f"{f'missing {missing}' if missing else ''}{' and ' if missing and extra else ''}"
                           f"{f'unexpected {extra}' if extra else ''}.")
    for key in like:
        value = got[key]
        if type(value) is not np.ndarray or value.shape != like[key].shape:
            what = f"shape {value.shape}" if type(value) is np.ndarray else type(value).__name__
            raise CheckFailure(f"{name}['{key}'] has {what}; expected shape {like[key].shape}.",
                               diagnosis="transposed: W_l has shape (fan_in, fan_out)." if
                               type(value) is np.ndarray and value.shape == like[key].shape[::-1] else "")


@pytest.mark.points(0.5, visibility="visible")
def test_init_params_shapes(student):
    """init_params gives W_l of shape (fan_in, fan_out) and zero biases b_l"""
    for sizes in ([4, 3], [5, 8, 3], [2, 6, 6, 4]):
        params = student.mlp.init_params(sizes, seed=0)
        like = {}
        for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            like[f"W{l}"], like[f"b{l}"] = np.zeros((a, b)), np.zeros(b)
        expect_params(params, like, name=f"init_params({sizes})")
        for l in range(1, len(sizes)):
            expect_array(params[f"b{l}"], like[f"b{l}"], name=f"b{l}", inputs=f"layer sizes {sizes}")


@pytest.mark.points(0.5, visibility="hidden")
def test_init_params_scale_and_seed(student):
    """init_params draws W_l with std sqrt(2 / fan_in), reproducibly from the seed"""
    sizes = [400, 200, 50]
    first = student.mlp.init_params(sizes, seed=3)
    expect_params(first, {"W1": np.zeros((400, 200)), "b1": np.zeros(200), "W2": np.zeros((200, 50)),
                          "b2": np.zeros(50)}, name=f"init_params({sizes})")
    for l, fan_in in ((1, 400), (2, 200)):
        W = first[f"W{l}"]
        std, target = float(np.std(W)), np.sqrt(2 / fan_in)
        if abs(std / target - 1) > 0.05 or abs(float(np.mean(W))) > 0.1 * target:
            hint = ""
            if np.isclose(std, np.sqrt(1 / fan_in), rtol=0.05):
                hint = "this is sqrt(1 / fan_in) (Xavier/LeCun); He initialisation uses sqrt(2 / fan_in)."
            elif np.isclose(std, 1.0, rtol=0.05):
                hint = "the weights were not scaled: multiply standard normal draws by sqrt(2 / fan_in)."
            raise CheckFailure(f"W{l} has standard deviation {std:.4g} for fan_in = {fan_in}; expected about "
                               f"sqrt(2 / fan_in) = {target:.4g}.", diagnosis=hint)
    again = student.mlp.init_params(sizes, seed=3)
    other = student.mlp.init_params(sizes, seed=4)
    if type(again) is dict and type(again.get("W1")) is np.ndarray and again["W1"].shape == first["W1"].shape:
        if not np.array_equal(again["W1"], first["W1"]):
            raise CheckFailure("init_params with the same seed gave different weights: draw them from "
                               "np.random.default_rng(seed), not from the global random state.")
    if type(other) is dict and type(other.get("W1")) is np.ndarray and np.array_equal(other["W1"], first["W1"]):
        raise CheckFailure("init_params gave the same weights for seeds 3 and 4: is the seed ignored?")


@pytest.mark.points(0.5, visibility="hidden")
def test_affine_forward(student, reference):
    """affine_forward computes X @ W + b"""
    rng = np.random.default_rng(50)
    for n, d, m in [(4, 3, 2), (1, 5, 5), (10, 2, 7)]:
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
        expect_array(student.mlp.affine_forward(X, W, b), reference.affine_forward(X, W, b),
                     name="affine_forward(X, W, b)", inputs=f"{describe('X', X)} and W of shape {W.shape}", **TOL)


@pytest.mark.points(1, visibility="hidden")
def test_affine_backward(student, reference):
    """affine_backward returns dX, dW, db for out = X @ W + b"""
    rng = np.random.default_rng(51)
    for n, d, m in [(4, 3, 2), (6, 5, 5), (1, 2, 3)]:
        X, W, dout = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=(n, m))
        inputs = f"dout of shape {dout.shape}, X of shape {X.shape}, W of shape {W.shape}"
        got = expect_tuple(student.mlp.affine_backward(dout, X, W), 3, name="affine_backward", parts="dX, dW, db")
        dX, dW, db = reference.affine_backward(dout, X, W)
        expect_array(got[0], dX, name="dX", inputs=inputs, **TOL)
        expect_array(got[1], dW, name="dW", inputs=inputs, hints={n: f"dW was multiplied by N = {n}."}, **TOL)
        expect_array(got[2], db, name="db", inputs=inputs, hints={
            1 / n: f"db was averaged over the N = {n} samples; it is the sum over axis 0 (the mean is "
                   "already in dout)."}, **TOL)


@pytest.mark.points(1, visibility="hidden")
def test_forward(student, reference):
    """forward returns class probabilities of shape (n, C) for every activation"""
    for sizes, activation, seed in [([4, 5, 3], "relu", 52), ([3, 6, 4, 2], "tanh", 53), ([5, 4, 3], "sigmoid", 54),
                                    ([4, 3], "relu", 55)]:
        params, X, _ = network(reference, sizes, 6, seed, activation)
        inputs = f"layer sizes {sizes} with {activation}"
        got = expect_tuple(student.mlp.forward(copy_params(params), X.copy(), activation=activation), 2,
                           name="forward", parts="probs, cache")
        expected, _ = reference.forward(params, X, activation)
        expect_array(got[0], expected, name="probs", inputs=inputs, **TOL)


@pytest.mark.points(0.5, visibility="hidden")
def test_cross_entropy_loss(student, reference):
    """cross_entropy_loss is the mean of -log(probs[i, y[i]])"""
    rng = np.random.default_rng(56)
    for n, c in [(5, 3), (12, 4)]:
        logits = rng.normal(size=(n, c))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        y = rng.integers(0, c, size=n)
        expect_scalar(student.mlp.cross_entropy_loss(probs.copy(), y.copy()), reference.cross_entropy_loss(probs, y),
                      name="cross_entropy_loss(probs, y)", inputs=f"probs of shape {probs.shape}",
                      hints={n: f"the loss is summed over the N = {n} samples; take the mean."}, **TOL)


def gradient_hints(reference, params, X, y, reg, key, n):
    hints = {n: f"{key} is N = {n} times too large: the loss is a mean, so divide by N once.",
             1 / n: f"{key} is divided by N = {n} one time too many: did you average twice?"}
    if reg and key.startswith("W"):
        hints[f"{key} is missing the regularization term reg * {key}."] = \
            reference.loss_and_grads(params, X, y, 0.0)[1][key]
    return hints


def check_gradients(student, reference, sizes, activation, reg, seed, n=5):
    params, X, y = network(reference, sizes, n, seed, activation)
    inputs = f"layer sizes {sizes}, {activation}, reg = {reg}"
    got = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=reg,
                                                  activation=activation), 2, name="loss_and_grads", parts="loss, grads")
    loss, grads = reference.loss_and_grads(params, X, y, reg, activation)
    expect_params(got[1], grads, name="grads", inputs=inputs)
    # From the output layer down: the highest layer that is wrong is where to look.
    L = len(sizes) - 1
    for l in range(L, 0, -1):
        for key in (f"W{l}", f"b{l}"):
            try:
                expect_array(got[1][key], grads[key], name=f"grads['{key}']", inputs=inputs,
                             hints=gradient_hints(reference, params, X, y, reg, key, n), **GRAD_TOL)
            except CheckFailure as failure:
                if l < L:
                    failure.summary += (f" The layers above layer {l} are right, so look at how the gradient "
                                        f"passes back through layer {l + 1}'s activation into layer {l}.")
                raise
    return got[0], loss, params, X, y


@pytest.mark.points(0.5, visibility="hidden")
def test_loss_value(student, reference):
    """loss_and_grads returns the cross-entropy loss plus 0.5 * reg * sum of squared weights"""
    for reg in (0.0, 0.1):
        params, X, y = network(reference, [4, 5, 3], 6, 57)
        got = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=reg), 2,
                           name="loss_and_grads", parts="loss, grads")
        data_loss = reference.loss_and_grads(params, X, y, 0.0)[0]
        expect_scalar(got[0], reference.loss_and_grads(params, X, y, reg)[0], name="loss",
                      inputs=f"reg = {reg}", hints={
                          "the loss is missing the L2 term 0.5 * reg * sum(W**2)": data_loss}, **TOL)


@pytest.mark.points(1, visibility="hidden")
def test_gradients(student, reference):
    """loss_and_grads returns the right gradient for every parameter (ReLU, reg = 0)"""
    for sizes, seed in [([4, 5, 3], 58), ([3, 4, 4, 2], 59), ([5, 3], 60)]:
        check_gradients(student, reference, sizes, "relu", 0.0, seed)


@pytest.mark.points(0.5, visibility="hidden")
def test_gradients_with_regularization(student, reference):
    """loss_and_grads adds reg * W_l to the weight gradients (and nothing to the biases)"""
    check_gradients(student, reference, [4, 5, 3], "relu", 0.05, 61)


@pytest.mark.points(0.5, visibility="hidden")
def test_gradients_sigmoid_tanh(student, reference):
    """loss_and_grads backpropagates through sigmoid and tanh layers"""
    check_gradients(student, reference, [3, 4, 3], "sigmoid", 0.0, 62)
    check_gradients(student, reference, [3, 4, 3], "tanh", 0.0, 63)


@pytest.mark.points(0.5, visibility="hidden")
def test_gradients_match_own_loss(student, reference):
    """your gradients agree with numerical gradients of your own loss"""
    # The tolerance follows the precision of the student's loss, measured rather than
    # assumed: numerical gradients taken with h = 1e-5 and h = 1e-3 agree to ~1e-7 for a
    # float64 loss and to ~1e-3 for one computed in float32 (measured), so their
    # disagreement bounds the noise. Pre-activations stay 1e-2 away from ReLU's kink.
    params, X, y = network(reference, [3, 4, 3], 4, 64, margin=1e-2)
    loss_and_grads = student.mlp.loss_and_grads
    _, grads = expect_tuple(loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=0.01), 2,
                            name="loss_and_grads")
    expect_params(grads, params, name="grads")

    def own_loss():
        return as_number(expect_tuple(loss_and_grads(params, X, y, reg=0.01), 2, name="loss_and_grads")[0],
                         name="loss")

    for key in params:
        coarse = numerical_gradient(own_loss, params[key], h=1e-3)
        noise = float(np.max(np.abs(numerical_gradient(own_loss, params[key], h=1e-5) - coarse)))
        try:
            expect_array(np.asarray(grads[key], dtype=np.float64), coarse, name=f"grads['{key}']",
                         inputs="a numerical gradient of your own loss", rtol=1e-4, atol=max(1e-6, 10 * noise))
        except CheckFailure as failure:
            failure.summary = "Your backward pass disagrees with your own forward pass: " + failure.summary
            raise


@pytest.mark.points(1, visibility="hidden")
def test_numerical_gradient(student):
    """numerical_gradient takes centered differences and restores x"""
    rng = np.random.default_rng(65)
    for shape, h in [((3, 4), None), ((5,), 1e-4)]:
        x, c = rng.normal(size=shape), rng.normal(size=shape)
        out = student.probe("numerical_gradient", "mlp", "numerical_gradient", x=x.copy(), c=c, h=h)
        expected = c * np.cos(x) + x
        step = 1e-5 if h is None else h
        one_sided = (c * np.sin(x + step) + 0.5 * (x + step) ** 2 - c * np.sin(x) - 0.5 * x ** 2) / step
        inputs = f"f(x) = sum(c * sin(x)) + 0.5 * sum(x**2), x of shape {shape}" + ("" if h is None else f", h = {h}")
        expect_array(out["grad"], expected, name="numerical_gradient(f, x)", inputs=inputs, rtol=1e-6, atol=1e-7,
                     hints={"this is a one-sided difference (f(x + h) - f(x)) / h; use the centered difference "
                            "(f(x + h) - f(x - h)) / (2h), which is far more accurate.": one_sided})
        if type(out["x_after"]) is not np.ndarray or not np.array_equal(out["x_after"], x):
            raise CheckFailure("numerical_gradient did not restore x: after the call, x must hold its original "
                               "values (set x[i] back to its old value after the two evaluations).")


@pytest.mark.points(0.5, visibility="hidden")
def test_sgd_step(student, reference):
    """sgd_step returns new params p - lr * g for every key"""
    params, X, y = network(reference, [3, 4, 2], 4, 66)
    _, grads = reference.loss_and_grads(params, X, y)
    got = student.mlp.sgd_step(copy_params(params), copy_params(grads), 0.1)
    expected = reference.sgd_step(params, grads, 0.1)
    expect_params(got, expected, name="sgd_step(params, grads, lr)")
    for key in expected:
        expect_array(got[key], expected[key], name=f"the new {key}", inputs="lr = 0.1", hints={
            "the step goes up the gradient: use p - lr * g.": params[key] + 0.1 * grads[key]}, **TOL)


def blobs(seed, n, classes=3, d=4):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, size=(classes, d))
    y = rng.integers(0, classes, size=n)
    return centers[y] + rng.normal(size=(n, d)), y


PASS_ACCURACY = 0.9


@pytest.mark.points(1, visibility="hidden")
def test_train_mlp_learns(student, reference):
    """train_mlp learns to classify held-out data"""
    X, y = blobs(67, 300)
    X_test, y_test = blobs(67, 600)
    X_test, y_test = X_test[300:], y_test[300:]
    got = expect_tuple(student.mlp.train_mlp(X.copy(), y.copy(), [16], epochs=30, seed=0, timeout=120.0), 2,
                       name="train_mlp", parts="params, losses")
    expect_params(got[0], reference.init_params([4, 16, 3]), name="the trained params")
    losses = as_sequence(got[1], name="losses", length=30)
    probs, _ = reference.forward(got[0], X_test)
    accuracy = float(np.mean(np.argmax(probs, axis=1) == y_test))
    if not accuracy >= PASS_ACCURACY:
        trend = "the loss went down" if losses[-1] < losses[0] else "the loss did not go down"
        raise CheckFailure(f"After train_mlp, the network classifies {accuracy:.0%} of held-out samples correctly "
                           f"({trend}); a correct implementation reaches at least {PASS_ACCURACY:.0%}.")


@pytest.mark.points(0.5, visibility="hidden")
def test_inputs_unchanged(student, reference):
    """loss_and_grads and sgd_step leave params, grads and X unchanged"""
    params, X, y = network(reference, [3, 4, 2], 4, 68)
    call = student.mlp.loss_and_grads.call(copy_params(params), X.copy(), y.copy(), reg=0.1)
    expect_unchanged([params, X, y], call.args_after, name="loss_and_grads", arg_names=["params", "X", "y"])
    grads = reference.loss_and_grads(params, X, y)[1]
    call = student.mlp.sgd_step.call(copy_params(params), copy_params(grads), 0.1)
    expect_unchanged([params, grads], call.args_after, name="sgd_step", arg_names=["params", "grads"])
