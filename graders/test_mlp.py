"""Hidden grader: a multi-layer perceptron and backpropagation (10 points).

The gradients of loss_and_grads are checked three ways, and the combination is the
feedback: against the reference's gradients (element by element, which names a
transposed or scaled tensor), against numerical gradients of the reference loss,
and against numerical gradients of the student's OWN loss (random-direction checks,
see autograder.checks.gradcheck). "Your backward pass is consistent with your
forward pass, but your forward pass is wrong" and "your loss is right but dW2
disagrees with it" are different lessons. Regularization is checked on its own
(the gradient at reg > 0 minus the gradient at reg = 0), so a data-gradient bug and
a missing regularization term each cost their own test.

Inputs are drawn so that no ReLU pre-activation lies near its kink at zero, and a
draw is kept only if the reference's gradients pass the same numerical check.
"""
import numpy as np
import pytest

from autograder.checks import (CheckFailure, as_number, how_far, as_sequence, describe, expect_array, expect_scalar,
                               expect_tuple, expect_unchanged, explained, mixed_widths)
from autograder.checks.diagnosis import three_ways
from autograder.checks.figures import gradient_errors, show
from autograder.checks.gradcheck import check_gradients, local_evaluator

TOL = {"rtol": 1e-6, "atol": 1e-9}
GRAD_TOL = {"rtol": 1e-5, "atol": 1e-8}
# Steps of the own-loss check move a pre-activation by at most ~1e-3 (unit directions,
# inputs of order 1): a margin ten times that keeps every point on one side of the kink.
KINK_MARGIN = 1e-2


def network(reference, sizes, n, rng, activation="relu", margin=KINK_MARGIN):
    """Params, X, y with every hidden pre-activation at least `margin` away from zero."""
    while True:
        params = {}
        for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{l}"] = rng.normal(0, 1 / np.sqrt(a), size=(a, b))
            params[f"b{l}"] = rng.normal(0, 0.1, size=b)
        X = rng.normal(size=(n, sizes[0]))
        y = rng.integers(0, sizes[-1], size=n)
        _, cache = reference.forward(params, X, activation)
        if any(np.min(np.abs(Z)) <= margin for _, Z in cache[:-1]):
            continue
        _, grads = reference.loss_and_grads(params, X, y, 0.0, activation)
        if check_gradients(reference_loss(reference, params, X, y, activation), params, grads, localize=False).passed:
            return params, X, y


def reference_loss(reference, params, X, y, activation):
    """The correct loss (reg = 0) as an Evaluator for the gradient check."""
    return local_evaluator(lambda p: reference.loss_and_grads(p, X, y, 0.0, activation)[0], params)


def own_loss(student, params, X, y, **kwargs):
    """The student's loss as an Evaluator: evaluated in the sandbox, validated here."""
    return student.mlp.loss_and_grads.evaluator([params, X, y], kwargs, where={k: (0, k) for k in params}, pick=0)


def mixed_layers(params):
    """For `explained`: the widths of this network's input and layer outputs, so that an elementwise
    operation between two layers' arrays (an index off by one in the backward pass) is named."""
    return mixed_widths({"the input": params["W1"].shape[0],
                         **{f"layer {l}'s output": params[f"W{l}"].shape[1] for l in range(1, len(params) // 2 + 1)}})


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
                               diagnosis=shape_diagnosis(key, value, like[key]))


BIAS_AXIS = "the bias gradient was summed over the wrong axis: db sums over the samples (axis 0), one entry per unit."


def shape_diagnosis(key, value, expected):
    if type(value) is not np.ndarray:
        return ""
    if value.shape == expected.shape[::-1] and value.ndim == 2:
        return "transposed: W_l has shape (fan_in, fan_out)."
    if key.startswith("b") and value.ndim == 1:
        return BIAS_AXIS
    return ""


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
            expect_array(params[f"b{l}"], like[f"b{l}"], name=f"b{l}", inputs=f"layer sizes {sizes}", hints={
                "the biases must start at zero (only the weights are drawn at random).": params[f"b{l}"]})


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
def test_affine_forward(student, reference, make_rng):
    """affine_forward computes X @ W + b"""
    rng = make_rng(50)
    for n, d, m in [(4, 3, 2), (1, 5, 5), (10, 2, 7)]:
        X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m)
        expect_array(student.mlp.affine_forward(X, W, b), reference.affine_forward(X, W, b),
                     name="affine_forward(X, W, b)", inputs=f"{describe('X', X)} and W of shape {W.shape}",
                     hints={"the bias b is missing: out = X @ W + b.": X @ W}, **TOL)


@pytest.mark.points(1, visibility="hidden")
def test_affine_backward(student, reference, make_rng):
    """affine_backward returns dX, dW, db for out = X @ W + b"""
    rng = make_rng(51)
    for n, d, m in [(4, 3, 2), (6, 5, 5), (1, 2, 3)]:
        X, W, dout = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=(n, m))
        inputs = f"dout of shape {dout.shape}, X of shape {X.shape}, W of shape {W.shape}"
        got = expect_tuple(student.mlp.affine_backward(dout, X, W), 3, name="affine_backward", parts="dX, dW, db")
        dX, dW, db = reference.affine_backward(dout, X, W)
        expect_array(got[0], dX, name="dX", inputs=inputs, **TOL)
        expect_array(got[1], dW, name="dW", inputs=inputs, hints={n: f"dW was multiplied by N = {n}."}, **TOL)
        try:
            expect_array(got[2], db, name="db", inputs=inputs, hints={
                1 / n: f"db was averaged over the N = {n} samples; it is the sum over axis 0 (the mean is "
                       "already in dout)."}, **TOL)
        except CheckFailure as failure:
            failure.diagnosis = failure.diagnosis or shape_diagnosis("b", got[2], db)
            raise


FORWARD_MISTAKES = {
    "output activation": "the hidden activation is applied to the output layer too, before softmax: the last layer "
                         "is softmax(Z_L) alone.",
    "softmax everywhere": "softmax is applied in every layer; the hidden layers use the activation g, and only the "
                          "output layer softmax.",
    "linear hidden": "the hidden layers have no activation: A_l = g(Z_l) in every layer but the last.",
    "relu always": "the activation argument is ignored: the hidden layers use relu whatever it says.",
}


def forward_with(reference, params, X, activation, mistake):
    """The probabilities forward returns when written with one of the usual mistakes."""
    g, L, A = getattr(reference, activation), len(params) // 2, X
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"] + params[f"b{l}"]
        if l == L or mistake == "softmax everywhere":
            A = reference.softmax(g(Z) if mistake == "output activation" and l == L else Z)
        else:
            A = {"linear hidden": Z, "relu always": reference.relu(Z)}.get(mistake, g(Z) if l < L else Z)
    return A


def layers_run(probs, sizes):
    """How many layers a forward pass ran, judged by its output width (None unless one layer alone has it)."""
    if type(probs) is not np.ndarray or probs.ndim != 2:
        return None
    widths = [l for l in range(1, len(sizes)) if sizes[l] == probs.shape[1]]
    return widths[0] if len(widths) == 1 else None


@pytest.mark.points(1, visibility="hidden")
def test_forward(student, reference, make_rng):
    """forward returns class probabilities of shape (n, C) for every activation"""
    for sizes, activation, seed in [([4, 5, 3], "relu", 52), ([3, 6, 4, 2], "tanh", 53), ([5, 4, 3], "sigmoid", 54),
                                    ([4, 3], "relu", 55)]:
        params, X, _ = network(reference, sizes, 6, make_rng(seed), activation)
        inputs = f"layer sizes {sizes} with {activation}"
        got = expect_tuple(student.mlp.forward(copy_params(params), X.copy(), activation=activation), 2,
                           name="forward", parts="probs, cache")
        expected, _ = reference.forward(params, X, activation)
        hints = {text: forward_with(reference, params, X, activation, mistake)
                 for mistake, text in FORWARD_MISTAKES.items()}
        try:
            expect_array(got[0], expected, name="probs", inputs=inputs, hints=hints, **TOL)
        except CheckFailure as failure:
            ran = layers_run(got[0], sizes)
            if ran is not None and ran < len(sizes) - 1 and not failure.diagnosis:
                failure.diagnosis = (f"probs is {sizes[ran]} wide, the width of layer {ran}'s output: the forward "
                                     f"pass stops after {ran} of the {len(sizes) - 1} layers. Loop over all "
                                     f"L = len(params) // 2 layers.")
            raise


@pytest.mark.points(0.5, visibility="hidden")
def test_cross_entropy_loss(student, reference, make_rng):
    """cross_entropy_loss is the mean of -log(probs[i, y[i]])"""
    rng = make_rng(56)
    for n, c in [(5, 3), (12, 4)]:
        logits = rng.normal(size=(n, c))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        y = rng.integers(0, c, size=n)
        expect_scalar(student.mlp.cross_entropy_loss(probs.copy(), y.copy()), reference.cross_entropy_loss(probs, y),
                      name="cross_entropy_loss(probs, y)", inputs=f"probs of shape {probs.shape}",
                      hints={n: f"the loss is summed over the N = {n} samples; take the mean."}, **TOL)


def backprop(reference, params, X, y, activation, mistake=None):
    """The data part of the gradient (reg = 0), as written with one of the usual mistakes."""
    g = getattr(reference, activation)  # the reference imports the activations by name
    g_prime = getattr(reference, f"{activation}_grad")
    probs, cache = reference.forward(params, X, activation)
    n, L = X.shape[0], len(params) // 2
    dZ = probs.copy()
    if mistake != "no one-hot":
        dZ[np.arange(n), y] -= 1.0
    dZ /= n
    grads = {}
    for l in range(L, 0, -1):
        A_prev, _ = cache[l - 1]
        grads[f"W{l}"] = A_prev.T @ dZ
        grads[f"b{l}"] = dZ.sum(axis=1) if mistake == "bias axis" else dZ.sum(axis=0)
        if l > 1:
            dA = dZ @ params[f"W{l}"].T
            Z_prev = cache[l - 2][1]
            dZ = {"derivative of A": lambda: dA * g_prime(A_prev), "g instead of g'": lambda: dA * g(Z_prev),
                  "no derivative": lambda: dA}.get(mistake, lambda: dA * g_prime(Z_prev))()
    return grads


BACKPROP_MISTAKES = {
    "derivative of A": "the activation's derivative was applied to the layer's output A = g(Z) instead of to its "
                       "pre-activation Z: use g'(Z), with Z saved in the forward pass.",
    "g instead of g'": "the activation itself was used where its derivative belongs (g(Z) in place of g'(Z)).",
    "no derivative": "the gradient passes back through the hidden activation without being multiplied by its "
                     "derivative g'(Z).",
    "no one-hot": "the output gradient is probs / N: subtract 1 at each sample's true class, dZ = (probs - Y) / N.",
    "bias axis": BIAS_AXIS,
}


def averaging_hints(key, n):
    return {n: f"{key} is N = {n} times too large: the loss is a mean, so divide by N once.",
            1 / n: f"{key} is divided by N = {n} one time too many: did you average twice?"}


def layer_of(key):
    return int(key[1:])


def check_gradients_three_ways(student, reference, params, X, y, activation, grading_seed, inputs):
    """Student's loss_and_grads at reg = 0 against the reference; raises with the combined lesson."""
    n, L = X.shape[0], len(params) // 2
    with explained(mixed_layers(params)):
        got = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=0.0,
                                                      activation=activation), 2, name="loss_and_grads",
                           parts="loss, grads")
    expected_loss, expected = reference.loss_and_grads(params, X, y, 0.0, activation)
    expect_params(got[1], expected, name="grads", inputs=inputs)
    grads = got[1]
    mistakes = {text: backprop(reference, params, X, y, activation, mistake)
                for mistake, text in BACKPROP_MISTAKES.items()}
    failures = {}
    for key in sorted(expected, key=lambda k: (-layer_of(k), k)):
        hints = {**averaging_hints(key, n), **{text: grads_with[key] for text, grads_with in mistakes.items()}}
        try:
            expect_array(grads[key], expected[key], name=f"grads['{key}']", inputs=inputs, hints=hints, **GRAD_TOL)
        except CheckFailure as failure:
            failures[key] = failure
    if not failures:
        return
    key, failure = next(iter(failures.items()))  # the highest layer that fails
    loss = as_number(got[0], name="loss")
    forward_ok = bool(np.isclose(loss, expected_loss, **TOL))
    grads64 = {k: np.asarray(v, dtype=np.float64) for k, v in grads.items()}
    correct = check_gradients(reference_loss(reference, params, X, y, activation), params, grads64, keys=[key],
                              seed=grading_seed, localize=False)
    own = check_gradients(own_loss(student, params, X, y, reg=0.0, activation=activation), params, grads64,
                          seed=grading_seed, step=1e-3, noise_aware=True, localize=False)
    show(gradient_errors(f"your gradients against numerical derivatives of your own loss ({inputs})", own,
                         sorted(expected, key=lambda k: (layer_of(k), k[0] == "b"))))
    wrong, right = sorted(failures), sorted(set(expected) - set(failures))
    layer = layer_of(key)
    where = (f"Wrong: {', '.join(wrong)}; right: {', '.join(right) or 'none'}. The highest layer that fails is layer "
             f"{layer}: an error in backpropagation at layer l shows in layer l and every layer below it, so look "
             + ("at the output layer first." if layer == L else f"at layer {layer} first (the layers above it are "
                                                                 f"right)."))
    explanation, figures = three_ways(f"grads['{key}']", "loss", forward_ok, correct[key], own[key],
                                      how_wrong=how_far(float(loss), float(expected_loss)),
                                      evaluations=correct.evaluations + own.evaluations)
    failure.explain(explanation, where, figures)
    raise failure


@pytest.mark.points(0.5, visibility="hidden")
def test_loss_value(student, reference, make_rng):
    """loss_and_grads returns the mean cross-entropy, plus 0.5 * reg * sum of squared weights"""
    params, X, y = network(reference, [4, 5, 3], 6, make_rng(57))
    with explained(mixed_layers(params)):
        loss0 = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=0.0), 2,
                             name="loss_and_grads", parts="loss, grads")[0]
    expect_scalar(loss0, reference.loss_and_grads(params, X, y, 0.0)[0], name="loss", inputs="reg = 0",
                  hints={6: "the loss is summed over the N = 6 samples; take the mean."}, **TOL)
    reg = 0.1
    loss1 = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=reg), 2,
                         name="loss_and_grads", parts="loss, grads")[0]
    weights = sum(np.sum(params[k] ** 2) for k in params if k.startswith("W"))
    biases = sum(np.sum(params[k] ** 2) for k in params if k.startswith("b"))
    expect_scalar(as_number(loss1, name="loss") - float(loss0), 0.5 * reg * weights,
                  name="the regularization part of the loss", inputs=f"the loss at reg = {reg} minus the loss at reg = 0",
                  hints={"the loss is missing the L2 term 0.5 * reg * sum(W**2).": 0.0,
                         "the L2 term is missing its 0.5: it is 0.5 * reg * sum(W**2).": reg * weights,
                         "the biases are penalized too: the L2 term sums the squared weights only.":
                             0.5 * reg * (weights + biases)}, **TOL)


@pytest.mark.points(1, visibility="hidden")
@pytest.mark.functions("loss_and_grads")
def test_gradients(student, reference, make_rng, grading_seed):
    """loss_and_grads returns the right gradient for every parameter (ReLU, reg = 0)"""
    for sizes, key in [([4, 5, 3], 58), ([3, 4, 4, 2], 59), ([5, 3], 60)]:
        params, X, y = network(reference, sizes, 5, make_rng(key))
        check_gradients_three_ways(student, reference, params, X, y, "relu", grading_seed,
                                   f"layer sizes {sizes}, relu, reg = 0")


@pytest.mark.points(0.5, visibility="hidden")
def test_gradients_with_regularization(student, reference, make_rng):
    """loss_and_grads adds reg * W_l to the weight gradients (and nothing to the biases)"""
    reg = 0.05
    params, X, y = network(reference, [4, 5, 3], 5, make_rng(61))
    at = {}
    for r in (0.0, reg):
        with explained(mixed_layers(params)):
            got = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=r), 2,
                               name="loss_and_grads", parts="loss, grads")
        expect_params(got[1], params, name="grads", inputs=f"reg = {r}")
        at[r] = got[1]
    n = X.shape[0]
    for key in sorted(params):
        W = params[key]
        expected = reg * W if key.startswith("W") else np.zeros_like(W)
        hints = {f"{key} is missing the regularization term reg * {key}.": np.zeros_like(W),
                 f"the regularization term is 2 * reg * {key}: the 0.5 of the penalty 0.5 * reg * sum(W**2) "
                 f"cancels the 2 of the square, so its gradient is reg * {key}.": 2 * reg * W,
                 f"the regularization term is reg * {key} / 2: the gradient of 0.5 * reg * sum(W**2) is reg * W.":
                     0.5 * reg * W,
                 f"the regularization term was divided by N = {n}: only the data loss is a mean.": reg * W / n}
        if key.startswith("b"):
            hints = {"the biases are regularized: the penalty, and so its gradient, covers the weights only.": reg * W}
        expect_array(at[reg][key] - at[0.0][key], expected, name=f"the regularization part of grads['{key}']",
                     inputs=f"grads at reg = {reg} minus grads at reg = 0", hints=hints, **GRAD_TOL)


@pytest.mark.points(0.5, visibility="hidden")
@pytest.mark.functions("loss_and_grads")
def test_gradients_sigmoid_tanh(student, reference, make_rng, grading_seed):
    """loss_and_grads backpropagates through sigmoid and tanh layers"""
    for activation, key in (("sigmoid", 62), ("tanh", 63)):
        params, X, y = network(reference, [3, 4, 3], 5, make_rng(key), activation)
        check_gradients_three_ways(student, reference, params, X, y, activation, grading_seed,
                                   f"layer sizes [3, 4, 3], {activation}, reg = 0")


@pytest.mark.points(0.5, visibility="hidden")
def test_gradients_match_own_loss(student, reference, make_rng, grading_seed):
    """your gradients agree with numerical gradients of your own loss"""
    # The student's loss may be computed in float32: the check measures the loss's own
    # rounding noise (two step sizes) and does not count differences within it.
    params, X, y = network(reference, [3, 4, 3], 4, make_rng(64))
    got = expect_tuple(student.mlp.loss_and_grads(copy_params(params), X.copy(), y.copy(), reg=0.01), 2,
                       name="loss_and_grads", parts="loss, grads")
    expect_params(got[1], params, name="grads")
    grads = {k: np.asarray(v, dtype=np.float64) for k, v in got[1].items()}
    check = check_gradients(own_loss(student, params, X, y, reg=0.01), params, grads, seed=grading_seed, step=1e-3,
                            noise_aware=True)
    for key in sorted(check.failed, key=lambda k: (-layer_of(k), k)):
        try:
            expect_array(grads[key], check[key].numerical, name=f"grads['{key}']",
                         inputs="a numerical gradient of your own loss", rtol=1e-3, atol=1e-6,
                         hints=averaging_hints(key, X.shape[0]))
        except CheckFailure as failure:
            failure.summary = "Your backward pass disagrees with your own forward pass: " + failure.summary
            failure.add(f"Failed the random-direction check: {', '.join(sorted(check.failed))} ({check.evaluations} "
                        f"loss evaluations, with the per-element check of the failing tensors).")
            failure.reveal = ""
            raise
        raise CheckFailure(f"Your backward pass disagrees with your own forward pass: grads['{key}'] fails the "
                           f"random-direction check (relative error {check[key].error:.2g}).")


@pytest.mark.points(1, visibility="hidden")
def test_numerical_gradient(student, make_rng):
    """numerical_gradient takes centered differences and restores x"""
    rng = make_rng(65)
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
def test_sgd_step(student, reference, make_rng):
    """sgd_step returns new params p - lr * g for every key"""
    params, X, y = network(reference, [3, 4, 2], 4, make_rng(66))
    _, grads = reference.loss_and_grads(params, X, y)
    got = student.mlp.sgd_step(copy_params(params), copy_params(grads), 0.1)
    expected = reference.sgd_step(params, grads, 0.1)
    expect_params(got, expected, name="sgd_step(params, grads, lr)")
    for key in expected:
        expect_array(got[key], expected[key], name=f"the new {key}", inputs="lr = 0.1", hints={
            "the step goes up the gradient: use p - lr * g.": params[key] + 0.1 * grads[key]}, **TOL)


def blobs(rng, n, classes=3, d=4):
    """Gaussian clusters 4 * sqrt(2) apart: any correct network separates them, whatever the seed."""
    centers = 4.0 * np.eye(classes, d) + rng.normal(size=d)
    y = rng.integers(0, classes, size=n)
    return centers[y] + rng.normal(size=(n, d)), y


PASS_ACCURACY = 0.9


@pytest.mark.points(1, visibility="hidden")
def test_train_mlp_learns(student, reference, make_rng, grading_seed):
    """train_mlp learns to classify held-out data"""
    X_all, y_all = blobs(make_rng(67), 600)
    X, y, X_test, y_test = X_all[:300], y_all[:300], X_all[300:], y_all[300:]
    got = expect_tuple(student.mlp.train_mlp(X.copy(), y.copy(), [16], epochs=30, seed=grading_seed,
                                             timeout=120.0), 2,
                       name="train_mlp", parts="params, losses")
    expect_params(got[0], reference.init_params([4, 16, 3]), name="the trained params")
    losses = as_sequence(got[1], name="losses", length=30)
    probs, _ = reference.forward(got[0], X_test)
    accuracy = float(np.mean(np.argmax(probs, axis=1) == y_test))
    if not accuracy >= PASS_ACCURACY:
        trend = "the loss went down" if losses[-1] < 0.9 * losses[0] else "the loss did not go down"
        start = student.mlp.init_params([4, 16, 3], seed=grading_seed)
        unchanged = type(start) is dict and set(start) == set(got[0]) and all(
            type(start[k]) is np.ndarray and np.array_equal(start[k], got[0][k]) for k in start)
        raise CheckFailure(f"After train_mlp, the network classifies {accuracy:.0%} of held-out samples correctly "
                           f"({trend}); a correct implementation separates these clusters almost perfectly.",
                           diagnosis="train_mlp returned the parameters it started from: keep the result of each "
                                     "step, params = sgd_step(params, grads, lr)." if unchanged else "")


@pytest.mark.points(0.5, visibility="hidden")
def test_inputs_unchanged(student, reference, make_rng):
    """loss_and_grads and sgd_step leave params, grads and X unchanged"""
    params, X, y = network(reference, [3, 4, 2], 4, make_rng(68))
    with explained(mixed_layers(params)):
        call = student.mlp.loss_and_grads.call(copy_params(params), X.copy(), y.copy(), reg=0.1)
    expect_unchanged([params, X, y], call.args_after, name="loss_and_grads", arg_names=["params", "X", "y"])
    grads = reference.loss_and_grads(params, X, y)[1]
    call = student.mlp.sgd_step.call(copy_params(params), copy_params(grads), 0.1)
    expect_unchanged([params, grads], call.args_after, name="sgd_step", arg_names=["params", "grads"])
