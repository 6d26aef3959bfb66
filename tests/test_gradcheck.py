"""The gradient-check engine: correct gradients pass, wrong ones fail in the right tensor."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from autograder.checks.gradcheck import Point, check_gradients, local_evaluator, moved
from autograder.grading.student import Student
from autograder.sandbox.worker import Sandbox
from conftest import SOLUTIONS, build_submission

sys.path.insert(0, str(SOLUTIONS))
import mlp as reference  # noqa: E402


def problem(sizes, seed, n=6, activation="relu", reg=0.0):
    rng = np.random.default_rng(seed)
    params = {}
    for l, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0, 1 / np.sqrt(a), size=(a, b))
        params[f"b{l}"] = rng.normal(0, 0.1, size=b)
    X, y = rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)
    _, grads = reference.loss_and_grads(params, X, y, reg, activation)
    evaluate = local_evaluator(lambda p: reference.loss_and_grads(p, X, y, reg, activation)[0], params)
    return params, grads, evaluate


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("seed", range(5))
def test_correct_gradients_pass_with_margin(activation, seed):
    params, grads, evaluate = problem([4, 6, 5, 3], seed, activation=activation, reg=0.1)
    check = check_gradients(evaluate, params, grads, seed=seed)
    assert check.passed, {k: t.error for k, t in check.tensors.items()}
    # Measured over 120 such problems: the worst correct error is 2.5e-7, 40 times below the tolerance.
    assert max(t.error for t in check.tensors.values()) < 1e-6
    assert check.evaluations == 2 * 2 * len(params)  # 2 directions x 2 sides per tensor, nothing localized


def test_a_bug_in_a_small_tensor_is_not_hidden_by_a_large_one():
    params, grads, evaluate = problem([30, 40, 3], 0)
    bad = dict(grads, b2=grads["b2"] * 1.003)  # 0.3% off in a 3-element bias next to 1200 weights
    pooled = np.linalg.norm(np.concatenate([(bad[k] - grads[k]).ravel() for k in grads])) / np.linalg.norm(
        np.concatenate([grads[k].ravel() for k in grads]))
    assert pooled < 1e-3  # one relative error pooled over all tensors would call this close enough
    check = check_gradients(evaluate, params, bad)
    assert check.failed == ["b2"]


def test_failing_tensors_are_localized_element_by_element():
    params, grads, evaluate = problem([4, 5, 3], 1)
    bad = dict(grads, W1=grads["W1"].copy())
    bad["W1"][2, 3] += 0.05
    check = check_gradients(evaluate, params, bad)
    assert check.failed == ["W1"]
    np.testing.assert_allclose(check["W1"].numerical, grads["W1"], rtol=1e-6, atol=1e-9)
    assert check["W2"].numerical is None
    assert check.evaluations == 2 * 2 * 4 + 2 * params["W1"].size


def test_sign_and_transposes_fail():
    params, grads, evaluate = problem([4, 4, 3], 2)
    assert check_gradients(evaluate, params, dict(grads, W2=-grads["W2"]), localize=False).failed == ["W2"]
    assert check_gradients(evaluate, params, dict(grads, W1=grads["W1"].T), localize=False).failed == ["W1"]


def test_a_float32_loss_needs_the_noise_estimate():
    params, grads, _ = problem([4, 5, 3], 3)
    X, y = np.random.default_rng(3).normal(size=(6, 4)), np.arange(6) % 3

    def loss32(p):
        p32 = {k: v.astype(np.float32) for k, v in p.items()}
        return float(reference.loss_and_grads(p32, X.astype(np.float32), y)[0])

    _, grads = reference.loss_and_grads(params, X, y)
    evaluate = local_evaluator(loss32, params)
    assert check_gradients(evaluate, params, grads, step=1e-3, noise_aware=True).passed
    assert not check_gradients(evaluate, params, grads, step=1e-5, localize=False).passed


def test_points_leave_params_untouched():
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.zeros(3)}
    before = {k: v.copy() for k, v in params.items()}
    out = moved(params, Point("W", 0.5, index=4))
    assert out["W"][1, 1] == 4.5 and out["b"] is not params["b"]
    out = moved(params, Point("b", -1.0, direction=np.array([1.0, 0.0, 0.0])))
    assert out["b"][0] == -1.0
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_student_losses_are_evaluated_in_the_sandbox(tmp_path):
    """The sandbox probe moves the same tensors by the same points as the local evaluator."""
    params, grads, evaluate = problem([4, 5, 3], 5, reg=0.05)
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    local = local_evaluator(lambda p: reference.loss_and_grads(p, X, y, 0.05)[0], params)
    points = [Point("W1", 1e-3, direction=np.ones((4, 5)) / np.sqrt(20)), Point("b2", -1e-3, index=1)]
    with Sandbox(build_submission(tmp_path / "sub", {})) as sandbox:
        remote = Student(sandbox).mlp.loss_and_grads.evaluator([params, X, y], {"reg": 0.05},
                                                               where={k: (0, k) for k in params}, pick=0)
        np.testing.assert_array_equal(remote(points), local(points))
        cost = Student(sandbox).gradient_descent.sse_cost.evaluator(
            [np.ones(4), 0.5, X, y.astype(float)], where={"w": (0, None), "b": (1, None)})
        shifted = cost([Point("b", 0.25, direction=np.array(1.0))])[0]
        assert shifted == pytest.approx(0.5 * np.sum((y - X @ np.ones(4) - 0.75) ** 2))
