"""The authoring API's numerics, without a sandbox: measured tolerances and comparisons.

(The calls that run student code - check_function, check_layer, check_loss_and_grads,
check_derivative - are graded end to end by the guide's examples in test_docs.py and by
the second course's mutants and variants in test_second_course.py.)
"""
from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from autograder.checks import CheckFailure, Tolerance, compare, floating_point_warnings, measured
from autograder.checks.tolerance import from_runs, lowered, mistake_distance, perturbed
from conftest import ROOT


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def adaline():
    sys.path.insert(0, str(ROOT / "solutions"))
    try:
        reference = load(ROOT / "solutions" / "gradient_descent.py", "_reference_gradient_descent")
    finally:
        sys.path.remove(str(ROOT / "solutions"))
    float32 = load(ROOT / "graders" / "variants" / "gradient_descent" / "float32_training_loop.py", "_f32_adaline")
    return reference, float32


def test_a_float32_training_loop_fails_a_fixed_rtol_and_passes_the_measured_one(adaline):
    """The case that measured tolerances were made for: 50 epochs in float32, costs returned as
    Python floats, drift past rtol 1e-6 (so the widening by returned dtype never applied)."""
    reference, float32 = adaline
    beyond_fixed = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(20, 3))
        y = X @ rng.normal(size=3) + 0.5 + 0.1 * rng.normal(size=20)
        expected, got = reference.train_adaline(X, y), float32.train_adaline(X, y)
        assert all(type(c) is float for c in got[2])
        costs, want = np.array(got[2]), np.array(expected[2])
        beyond_fixed += not np.allclose(costs, want, rtol=1e-6, atol=1e-8)
        tol = measured(reference.train_adaline, (X, y))
        assert np.allclose(costs, want, **tol.kwargs()) and np.allclose(got[0], expected[0], **tol.kwargs())
        assert 0 < tol.measured and tol.atol < 1e-3 * np.max(np.abs(want))  # measured, and still tight
    assert beyond_fixed >= 3  # the old tolerance rejected this correct work


def test_the_tolerance_stays_below_the_nearest_known_mistake():
    expected = np.array([1.0, 2.0, 3.0])
    runs = [expected + 1e-3]  # a reference that rounds a lot
    loose = from_runs(expected, runs)
    assert loose.atol == pytest.approx(0.1) and not loose.capped
    near_mistake = expected + np.array([0.0, 0.0, 0.04])
    capped = from_runs(expected, runs, mistakes=[near_mistake])
    assert capped.capped and capped.atol < 0.04 - 1e-6 * 3
    assert not np.allclose(near_mistake, expected, **capped.kwargs())
    # a hint that coincides with the right value on this input tells nothing apart: ignored
    assert from_runs(expected, runs, mistakes=[expected.copy()]).atol == loose.atol
    # never below twice the reference's own rounding: correct work is not sacrificed to a hint
    hopeless = from_runs(expected, runs, mistakes=[expected + 1e-4])
    assert hopeless.atol == pytest.approx(2e-3)
    assert mistake_distance((expected, 1.0), expected) == float("inf")  # told apart by its structure


def test_lowering_and_perturbing_touch_floats_only():
    args = [np.arange(3.0), np.arange(3), 2.5, 7, {"W": np.ones(2)}, "relu"]
    low = lowered(args)
    assert low[0].dtype == np.float32 and low[1].dtype == args[1].dtype and type(low[2]) is np.float32
    assert low[3] == 7 and low[4]["W"].dtype == np.float32 and low[5] == "relu"
    moved = perturbed(args, np.random.default_rng(0))
    assert np.all(moved[0][1:] != args[0][1:]) and np.array_equal(moved[1], args[1]) and moved[3] == 7
    assert np.allclose(moved[0], args[0], rtol=1e-6) and args[0][1] == 1.0  # a copy, moved by one rounding


def test_measured_on_a_reference_that_refuses_float32():
    def strict(x):
        if x.dtype != np.float64:
            raise TypeError("float64 only")
        return np.cumsum(x)

    tol = measured(strict, (np.linspace(0, 1, 50),))
    assert tol.measured > 0  # from the perturbed runs alone


def test_compare_structures():
    out, cache = np.array([1.0, 2.0]), {"x": np.array([5.0])}
    compare((out.copy(), "anything"), (out, cache), name="layer", returns=("out", None))
    with pytest.raises(CheckFailure, match=r"layer returned a list of length 1; expected a tuple of 2"):
        compare([out], (out, cache), name="layer", returns=("out", None))
    config = {"velocity": np.zeros(2), "learning_rate": 0.1}
    compare({**config, "extra": 1}, config, name="config")  # more keys are allowed
    with pytest.raises(CheckFailure, match=r"config lacks the key\(s\) 'velocity'"):
        compare({"learning_rate": 0.1}, config, name="config")
    with pytest.raises(CheckFailure, match=r"config\['learning_rate'\] is wrong"):
        compare({**config, "learning_rate": 0.2}, config, name="config")
    with pytest.raises(CheckFailure, match="out has wrong values") as failure:
        compare((out * 2, None), (out, cache), name="layer", returns=("out", None),
                hints={"out": {"doubled.": out * 2}})
    assert failure.value.diagnosis == "doubled."


def test_a_tuples_parts_get_their_own_tolerance():
    """A layer's cache (large, rounding a lot) must not loosen the tolerance of its output."""
    from autograder.checks.exercises import _measured_tree

    out = np.array([1.0, 2.0])
    runs = [(out + 1e-9, np.array([1e6 + 10.0]))]
    tree = _measured_tree((out, np.array([1e6])), runs, {}, ("out", None))
    assert tree[0].atol == pytest.approx(1e-7) and tree[1].atol == pytest.approx(1e3)
    with pytest.raises(CheckFailure):
        compare((out + 1e-3, np.array([1e6])), (out, np.array([1e6])), name="layer", returns=("out", None),
                tolerance=tree)


def test_only_floating_point_warnings_mean_instability():
    notes = ["ResourceWarning: unclosed file <_io.TextIOWrapper name='x'>",
             "DeprecationWarning: something old", "RuntimeWarning: overflow encountered in exp",
             "RuntimeWarning: invalid value encountered in divide", "UserWarning: overflow encountered soon"]
    assert floating_point_warnings(notes) == notes[2:4]


def test_an_author_may_override_the_tolerance():
    assert Tolerance(rtol=1e-3, atol=0.0).kwargs() == {"rtol": 1e-3, "atol": 0.0}
    compare(np.array([1.0005]), np.array([1.0]), name="f(x)", tolerance=Tolerance(rtol=1e-3, atol=0.0))
    with pytest.raises(CheckFailure):
        compare(np.array([1.0005]), np.array([1.0]), name="f(x)")


# -- the calls that run student code, on a small course made here -----------------------

LAYER = '''import numpy as np


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def loss_and_grads(params, X, y):
    r = X @ params["W1"] + params["b1"] - y
    return 0.5 * float(np.sum(r * r)), {"W1": X.T @ r, "b1": r.sum(axis=0)}
'''

GRADER = '''import numpy as np
import pytest

from autograder.checks import Case, check_layer, check_loss_and_grads


@pytest.mark.points(1)
def test_backward(student, reference, make_rng, grading_seed):
    """backward"""
    rng = make_rng(1)
    check_layer(student.affine.affine_forward, student.affine.affine_backward, reference.affine_forward,
                reference.affine_backward, Case(rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)),
                seed=grading_seed)


@pytest.mark.points(1)
def test_loss(student, reference, make_rng, grading_seed):
    """loss"""
    rng = make_rng(2)
    params = {"W1": rng.normal(size=(3, 2)), "b1": rng.normal(size=2)}
    check_loss_and_grads(student.affine.loss_and_grads, reference.loss_and_grads,
                         Case(params, rng.normal(size=(5, 3)), rng.normal(size=(5, 2))), seed=grading_seed)
'''


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    from autograder.course import Course
    from autograder.scaffold import new_assignment, new_course

    root = tmp_path_factory.mktemp("api") / "course"
    new_course(root)
    new_assignment("affine", ("affine_forward", "affine_backward", "loss_and_grads"), course=root)
    (root / "solutions" / "affine.py").write_text(LAYER)
    (root / "graders" / "test_affine.py").write_text(GRADER)
    return Course.load(root)


def graded(course, tmp_path, source):
    from autograder.grading.runner import grade
    from autograder.submission.discover import Submission

    folder = tmp_path / "student"
    folder.mkdir(exist_ok=True)
    (folder / "affine.py").write_text(source)
    result = grade(Submission("s", folder), course, ["affine"]).assignments["affine"]
    return {t.function: t for t in result.tests}


def test_a_float32_forward_with_a_wrong_gradient_is_told_its_forward_is_right(small_course, tmp_path):
    """The three-way wording calls the forward pass right by the rule the value checks use: a
    float32 forward pass is right."""
    source = LAYER.replace("return x @ w + b, (x, w)", "x, w = x.astype(np.float32), w.astype(np.float32)\n"
                           "    return x @ w + b.astype(np.float32), (x, w)").replace("x.T @ dout,", "2 * x.T @ dout,")
    tests = graded(small_course, tmp_path, source)
    feedback = tests["test_backward"].feedback
    assert tests["test_backward"].status == "failed"
    assert "Your forward pass is right, but dw disagrees" in feedback and "Both" not in feedback
    assert "constant factor of 2" in feedback


def test_a_gradient_consistent_with_a_wrong_forward_pass_blames_the_forward_pass(small_course, tmp_path):
    source = LAYER.replace("return x @ w + b, (x, w)", "return x @ (2 * w) + b, (x, 2 * w)")
    feedback = graded(small_course, tmp_path, source)["test_backward"].feedback
    assert "dx" in feedback and "consistent with your own forward pass, but the forward pass is wrong" in feedback


def test_a_wrong_layer_of_loss_and_grads_is_named_and_the_right_ones_too(small_course, tmp_path):
    tests = graded(small_course, tmp_path, LAYER.replace('"b1": r.sum(axis=0)', '"b1": r.mean(axis=0)'))
    feedback = tests["test_loss"].feedback
    assert "Wrong: db1; right: dW1." in feedback and "Your loss is right, but db1 disagrees" in feedback
    assert tests["test_backward"].status == "passed"
    assert all(t.status == "passed" for t in graded(small_course, tmp_path, LAYER).values())
