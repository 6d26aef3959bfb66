"""The reference solutions themselves: the graders trust them, so they are checked
against the mathematics, not against themselves."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.gradcheck import elementwise_gradient, local_evaluator
from autograder.grading.plugin import load_reference
from conftest import SOLUTIONS

mlp = load_reference(SOLUTIONS, "mlp")
activations = load_reference(SOLUTIONS, "activations")


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [[4, 3], [4, 5, 3], [3, 6, 5, 2]])
def test_mlp_gradients_match_numerical_gradients(sizes, activation):
    rng = np.random.default_rng(0)
    params = mlp.init_params(sizes, seed=1)
    params = {k: v + rng.normal(0, 0.1, size=v.shape) for k, v in params.items()}
    X, y = rng.normal(size=(7, sizes[0])), rng.integers(0, sizes[-1], size=7)
    _, grads = mlp.loss_and_grads(params, X, y, reg=0.05, activation=activation)
    evaluate = local_evaluator(lambda p: mlp.loss_and_grads(p, X, y, reg=0.05, activation=activation)[0], params)
    for key in params:
        numeric = elementwise_gradient(evaluate, params, key)
        relative = np.abs(grads[key] - numeric) / np.maximum(np.abs(grads[key]) + np.abs(numeric), 1e-8)
        assert np.max(relative) < 1e-5, key


@pytest.mark.parametrize("name,derivative", [("sigmoid", "sigmoid_grad"), ("tanh", "tanh_grad")])
def test_activation_derivatives(name, derivative):
    z = np.linspace(-6, 6, 41)
    numeric = (getattr(activations, name)(z + 1e-6) - getattr(activations, name)(z - 1e-6)) / 2e-6
    assert np.allclose(getattr(activations, derivative)(z), numeric, atol=1e-8)


def test_stability_without_warnings():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact enough
        assert activations.sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]
        assert np.allclose(activations.softmax(np.array([[1e4, 0.0, -1e4]])), [[1.0, 0.0, 0.0]])


def test_numerical_gradient_restores_x():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    grad = mlp.numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert np.array_equal(x, before) and np.allclose(grad, 3 * before ** 2, atol=1e-6)
