"""Public tests for the MLP: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import CheckFailure, as_array, expect_array, expect_scalar, expect_tuple


def test_affine_forward(student):
    """affine_forward is X @ W + b"""
    X, W, b = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 1.0, 2.0]]), np.array([0.0, 1.0, 0.0])
    expect_array(student.mlp.affine_forward(X, W, b), np.array([[2.0, 3.0, 3.0]]), name="affine_forward")


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
    expect_scalar(student.mlp.cross_entropy_loss(probs, np.array([0, 1, 3])), np.log(4), name="cross_entropy_loss")


def test_numerical_gradient_of_a_square(student):
    """numerical_gradient of sum(x**2) is 2x (checked in the sandbox with your function)"""
    x = np.array([1.0, -2.0, 0.5])
    out = student.probe("numerical_gradient", "mlp", "numerical_gradient", x=x, c=np.zeros(3))
    expect_array(out["grad"], x, name="numerical_gradient of 0.5 * sum(x**2)", rtol=1e-6)


def test_gradients_have_the_shapes_of_params(student):
    """loss_and_grads returns one gradient per parameter, with its shape"""
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(3, 4)), "b1": np.zeros(4), "W2": rng.normal(size=(4, 2)), "b2": np.zeros(2)}
    loss, grads = expect_tuple(student.mlp.loss_and_grads(params, rng.normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])),
                               2, name="loss_and_grads")
    if type(grads) is not dict or sorted(grads) != sorted(params):
        raise CheckFailure("grads must be a dict with exactly the keys of params.")
    for key, value in params.items():
        as_array(grads[key], name=f"grads['{key}']", shape=value.shape)


def test_sgd_step_moves_against_the_gradient(student):
    """sgd_step returns p - lr * g for every key"""
    params, grads = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([0.5, 0.0])}, \
        {"W1": np.array([[2.0, 0.0]]), "b1": np.array([-1.0, 1.0])}
    new = student.mlp.sgd_step(params, grads, 0.5)
    if type(new) is not dict or sorted(new) != ["W1", "b1"]:
        raise CheckFailure(f"sgd_step should return a dict with the keys of params; got {new!r:.80}")
    expect_array(new["W1"], np.array([[0.0, -1.0]]), name="sgd_step(...)['W1']")
    expect_array(new["b1"], np.array([1.0, -0.5]), name="sgd_step(...)['b1']")
