"""Public tests for the MLP: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import (Case, CheckFailure, as_array, as_sequence, check_own_gradients, expect_array, expect_scalar,
                               expect_tuple, explained, mixed_widths)


def test_affine_forward(student):
    """affine_forward is X @ W + b"""
    X, W, b = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 2.0]]), np.array([0.0, 1.0, 0.0])
    expect_array(student.mlp.affine_forward(X, W, b), np.array([[2.0, 3.0, 3.0]]), name="affine_forward",
                 hints={"the bias b is missing: out = X @ W + b.": X @ W})


def test_init_params_shapes(student):
    """init_params([3, 4, 2]) has W1 (3, 4), b1 (4,), W2 (4, 2), b2 (2,)"""
    params = student.mlp.init_params([3, 4, 2])
    if type(params) is not dict or sorted(params) != ["W1", "W2", "b1", "b2"]:
        raise CheckFailure(f"init_params should return a dict with keys W1, b1, W2, b2; got {params!r:.80}")
    for key, shape in {"W1": (3, 4), "b1": (4,), "W2": (4, 2), "b2": (2,)}.items():
        as_array(params[key], name=key, shape=shape)


def test_loss_of_uniform_predictions(student):
    """cross_entropy_loss of uniform probabilities over 4 classes is log(4)"""
    probs = np.full((3, 4), 0.25)
    expect_scalar(student.mlp.cross_entropy_loss(probs, np.array([0, 1, 3])), np.log(4), name="cross_entropy_loss",
                  hints={3: "the loss is summed over the 3 samples; take the mean."})


def test_numerical_gradient_of_a_square(student):
    """numerical_gradient of sum(x**2) is 2x (checked in the sandbox with your function)"""
    x = np.array([1.0, -2.0, 0.5])
    out = student.probe("numerical_gradient", "mlp", "numerical_gradient", x=x, c=np.zeros(3))
    expect_array(out["grad"], x, name="numerical_gradient of 0.5 * sum(x**2)", rtol=1e-6,
                 hints={"this is the one-sided difference (f(x + h) - f(x)) / h, whose error is h / 2 here; take the "
                        "centered one, (f(x + h) - f(x - h)) / (2 h).": x + 0.5e-5})


def test_gradients_have_the_shapes_of_params(student):
    """loss_and_grads returns one gradient per parameter, with its shape"""
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2)}
    with explained(mixed_widths({"the input": 3, "layer 1's output": 4, "layer 2's output": 2})):
        loss, grads = expect_tuple(student.mlp.loss_and_grads(params, rng.normal(size=(5, 3)),
                                                              np.array([0, 1, 1, 0, 1])), 2, name="loss_and_grads")
    if type(grads) is not dict or sorted(grads) != sorted(params):
        raise CheckFailure("grads must be a dict with exactly the keys of params.")
    for key, value in params.items():
        try:
            as_array(grads[key], name=f"grads['{key}']", shape=value.shape)
        except CheckFailure as failure:
            if key.startswith("b") and np.shape(grads[key]) == (5,):  # one entry per sample, of the 5
                failure.diagnosis = ("the bias gradient is summed over the units (axis 1), which leaves one entry per "
                                     "sample; sum over the samples (axis 0), one entry per unit.")
            raise


def test_sgd_step_moves_against_the_gradient(student):
    """sgd_step returns p - lr * g for every key"""
    params, grads = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([0.5, 0.0])}, \
        {"W1": np.array([[2.0, 0.0]]), "b1": np.array([-1.0, 1.0])}
    new = student.mlp.sgd_step(params, grads, 0.5)
    if type(new) is not dict or sorted(new) != ["W1", "b1"]:
        raise CheckFailure(f"sgd_step should return a dict with the keys of params; got {new!r:.80}")
    expect_array(new["W1"], np.array([[0.0, -1.0]]), name="sgd_step(...)['W1']")
    expect_array(new["b1"], np.array([1.0, -0.5]), name="sgd_step(...)['b1']")


def small_network():
    """A [3, 4, 3] network and 5 samples, whose pre-activations all lie far from 0 (relu's kink)."""
    draw = np.random.default_rng(3)
    params = {"W1": draw.normal(size=(3, 4)), "b1": draw.normal(0, 0.1, size=4), "W2": draw.normal(size=(4, 3)),
              "b2": draw.normal(0, 0.1, size=3)}
    return params, draw.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])


def _loss_over_the_samples(student) -> str:
    """"mean" or "sum": how the student's cross_entropy_loss treats the samples, on the uniform
    example of test_loss_of_uniform_predictions ("" if it is neither)."""
    try:
        loss = float(student.mlp.cross_entropy_loss(np.full((3, 4), 0.25), np.array([0, 1, 3])))
    except Exception:  # noqa: BLE001 - the loss test says what is wrong with it
        return ""
    return "mean" if np.isclose(loss, np.log(4)) else "sum" if np.isclose(loss, 3 * np.log(4)) else ""


def where_it_goes_wrong(wrong, right):
    """The cause that the pattern of disagreeing tensors shows, in a two-layer network."""
    if set(wrong) == {"W1", "b1"}:
        return ("layer 2's gradients agree with your loss and layer 1's do not: the step back from layer 2 to layer 1, "
                "dZ1 = (dZ2 @ W2.T) * g'(Z1) with Z1 saved in the forward pass, does not match what your forward pass "
                "computes in layer 1 (check that step, and the activation your forward pass uses there).")
    return ""


def test_gradients_match_your_own_loss(student):
    """loss_and_grads' gradients are the derivatives of its own loss (relu and tanh, reg = 0.1)"""
    params, X, y = small_network()
    n, reg = X.shape[0], 0.1
    summed = {"mean": False, "sum": True}.get(_loss_over_the_samples(student))  # None: the loss test tells
    factors = {n: f"it is {n} times the derivative of your loss: the mean over the {n} samples is missing once.",
               1 / n: f"it is 1/{n} of the derivative of your loss: it is divided by the number of samples twice "
                      f"(a mean where a sum belongs?)."}
    if summed:  # the gradient may well be right: it is the loss that sums
        factors[1 / n] = (f"it is 1/{n} of the derivative of your loss, which sums over the samples where it should "
                          f"average (see the loss test): make the loss a mean, and the two will agree.")
    elif summed is None:
        factors[1 / n] = (f"it is 1/{n} of the derivative of your loss: either the gradient is divided by the number "
                          f"of samples twice, or the loss sums over the samples where it should average.")

    def penalty(key):  # the penalty's part of a gradient, as the usual mistakes get it wrong
        theta = params[key]
        if key.startswith("b"):
            return {"the biases get the L2 term's gradient, reg * b, though the penalty (and so your loss) has no "
                    "biases.": lambda numerical: numerical + reg * theta}
        return {"your weight gradients and your loss disagree by reg * W: either the gradients miss the L2 term's "
                "reg * W, or the loss's penalty lacks its 0.5 (it is 0.5 * reg * sum(W**2)).":
                lambda numerical: numerical - reg * theta,
                "your weight gradients exceed your loss's by reg * W: either the L2 term's gradient is doubled (the "
                "derivative of 0.5 * reg * sum(W**2) is reg * W), or the loss lacks the penalty that the gradients "
                "have.": lambda numerical: numerical + reg * theta}

    for activation in ("relu", "tanh"):
        check_own_gradients(student.mlp.loss_and_grads, Case(params, X, y, reg=reg, activation=activation), step=1e-2,
                            hints={key: {**factors, **penalty(key)} for key in params}, where=where_it_goes_wrong)


def test_the_penalty_is_on_the_weights_only(student):
    """with W2 = 0 the output is softmax(b2), so the loss is its cross-entropy plus 0.5 * reg * sum(W1**2)"""
    params, X, y = small_network()
    params["W2"] = np.zeros((4, 3))
    logits = params["b2"] - params["b2"].max()
    probs = np.exp(logits) / np.exp(logits).sum()
    expected = -np.mean(np.log(probs[y])) + 0.5 * 0.1 * np.sum(params["W1"] ** 2)
    loss, _ = expect_tuple(student.mlp.loss_and_grads(params, X, y, reg=0.1), 2, name="loss_and_grads")
    expect_scalar(loss, expected, name="the loss of loss_and_grads(params, X, y, reg=0.1)", inputs="W2 = 0",
                  hints={"the biases are penalised too: the L2 penalty is 0.5 * reg * sum of W_l**2 only.":
                         expected + 0.05 * sum(np.sum(params[k] ** 2) for k in ("b1", "b2")),
                         "the 0.5 of the penalty is missing: 0.5 * reg * sum of W_l**2.":
                         expected + 0.05 * np.sum(params["W1"] ** 2),
                         "the L2 penalty is missing from the loss: add 0.5 * reg * sum of W_l**2.":
                         expected - 0.05 * np.sum(params["W1"] ** 2)})


def test_init_params_draws_he_weights_from_the_seed(student):
    """init_params draws W from N(0, 2 / fan_in) with zero biases, the same for the same seed"""
    first = student.mlp.init_params([1000, 300], seed=0)
    if type(first) is not dict or sorted(first) != ["W1", "b1"]:
        raise CheckFailure(f"init_params([1000, 300]) should return a dict with keys W1, b1; got {first!r:.80}")
    W = as_array(first["W1"], name="W1", shape=(1000, 300))
    b = as_array(first["b1"], name="b1", shape=(300,))
    try:
        expect_array(b, np.zeros(300), name="b1")
    except CheckFailure as failure:
        if np.std(b) > 0:
            failure.diagnosis = "the biases are drawn at random; they start at zero: np.zeros(fan_out)."
        raise
    std = float(np.std(W))
    try:
        expect_scalar(std, np.sqrt(2 / 1000), name="the standard deviation of W1", rtol=0.02)
    except CheckFailure as failure:  # 300,000 draws: a standard deviation within 2% of the one they came from
        scales = {"this is Xavier's initialisation, std sqrt(1 / fan_in); He's is sqrt(2 / fan_in).": np.sqrt(1 / 1000),
                  "the scale is 2 / fan_in, the variance; the standard deviation is sqrt(2 / fan_in).": 2 / 1000,
                  "the weights are drawn with std 1: multiply by sqrt(2 / fan_in).": 1.0}
        failure.diagnosis = next((cause for cause, scale in scales.items() if abs(std / scale - 1) < 0.02), "")
        raise
    again = student.mlp.init_params([1000, 300], seed=0)
    if type(again) is not dict or "W1" not in again or not np.array_equal(np.asarray(again["W1"]), W):
        raise CheckFailure("init_params([1000, 300], seed=0) gave other weights the second time.",
                           diagnosis="the weights come from numpy's global random state; draw them from "
                                     "np.random.default_rng(seed).")


def test_training_lowers_the_loss(student):
    """train_mlp changes the parameters and lowers the loss on two well separated clusters"""
    rng = np.random.default_rng(5)
    y = np.arange(40) % 2
    X = rng.normal(size=(40, 2)) + 3.0 * np.stack([y, 1 - y], axis=1)
    params, losses = expect_tuple(student.mlp.train_mlp(X, y, [8], epochs=20, seed=0), 2, name="train_mlp")
    losses = as_sequence(losses, name="losses", length=20)
    if not losses[-1] < 0.9 * losses[0]:  # correct: 0.44 of it or less (seeds 0-4)
        start = student.mlp.init_params([2, 8, 2], seed=0)
        same = type(params) is dict and type(start) is dict and set(params) == set(start) and all(
            np.array_equal(np.asarray(params[k]), np.asarray(start[k])) for k in start)
        raise CheckFailure(f"After 20 epochs the loss is {losses[-1]:.3g}, from {losses[0]:.3g} in the first: on "
                           f"clusters this far apart it falls to under half.",
                           diagnosis="train_mlp returned the parameters it started from: keep the result of each "
                                     "step, params = sgd_step(params, grads, lr)." if same else "")
