"""Hidden grader: activation functions and their derivatives (10 points).

Each function is compared with the reference on fixed edge cases and on seeded
random arrays of several shapes, then checked for stability at |z| = 1e4, for
scalar inputs, and for purity (the input array is left unchanged).
"""
import numpy as np
import pytest

from autograder.checks import (CheckFailure, as_array, describe, expect_array, expect_no_warnings, expect_unchanged,
                               expect_value)
from autograder.checks.diagnosis import three_ways
from autograder.checks.gradcheck import check_gradients, local_evaluator

# Values lie in [-1, 1] or are near 1 in size: an absolute 1e-6 is far below any wrong
# formula (off by > 1e-2) and above the rounding of a float64 result computed in float32.
TOL = {"rtol": 1e-5, "atol": 1e-6}
SHAPES = [(7,), (4, 5), (2, 3, 4)]
EDGES = np.array([-50.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 5.0, 50.0])


def random_inputs(rng):
    return [rng.normal(0.0, 3.0, size=shape) for shape in SHAPES]


def mistakes(reference, name, z):
    """What the usual wrong versions of `name` return, to name the cause when one matches."""
    s = reference.sigmoid(z)
    return {
        "sigmoid_grad": {
            "this is sigmoid(z) itself, not its derivative sigmoid(z) * (1 - sigmoid(z)).": s,
            "the derivative was applied to z instead of to sigmoid(z): use s * (1 - s) with s = sigmoid(z).":
                z * (1 - z),
        },
        "tanh_grad": {
            "the derivative was applied to z instead of to tanh(z): use 1 - tanh(z)**2.": 1 - z ** 2,
            "this is tanh(z) itself, not its derivative 1 - tanh(z)**2.": np.tanh(z),
            "the square is missing: the derivative of tanh is 1 - tanh(z)**2.": 1 - np.tanh(z),
        },
        "relu_grad": {
            "the derivative at z == 0 must be 0 (use z > 0, not z >= 0).": (z >= 0).astype(float),
            "this is relu(z) itself, not its derivative (1 where z > 0, else 0).": np.maximum(z, 0),
        },
        "relu": {
            "this is |z|: negative z must give 0, not -z (relu(z) = max(0, z)).": np.abs(z),
            "the sides are swapped: this is max(0, -z), which keeps the negative z; relu(z) = max(0, z).":
                np.maximum(-z, 0.0),
            "this is min(0, z), which keeps the negative z; relu(z) = max(0, z).": np.minimum(z, 0.0),
        },
        "sigmoid": {"the sign of the exponent is flipped: sigmoid(z) = 1 / (1 + exp(-z)).": 1 / (1 + np.exp(z))},
    }.get(name, {})


def check_function(student, reference, name, rng, grading_seed=0, visible=False):
    """`visible`: the test's feedback may show its inputs (the edge cases in full, so that an index
    into them means something; a hidden test says what they are like)."""
    fn, ref = getattr(student.activations, name), getattr(reference, name)
    edges = (f"the edge cases z = [{', '.join(f'{v:g}' for v in EDGES)}]" if visible else
             f"the edge cases ({EDGES.size} values from {EDGES[0]:g} to {EDGES[-1]:g} in increasing order, 0 and "
             f"+-0.001 among them)")
    for i, z in enumerate([EDGES, *random_inputs(rng)]):
        inputs = edges if i == 0 else f"{describe('z', z)} (random)"
        got = fn(z.copy())
        try:
            expect_array(got, ref(z), name=f"{name}(z)", inputs=inputs, hints=mistakes(reference, name, z), **TOL)
        except CheckFailure as failure:
            if name.endswith("_grad") and name != "relu_grad" and failure.summary.startswith(f"{name}(z) has wrong"):
                explain_derivative(student, reference, failure, name[:-len("_grad")], z, got, grading_seed)
            raise


def explain_derivative(student, reference, failure, name, z, derivative, grading_seed):
    """Is the wrong derivative that of the student's own (wrong) function, or not a derivative of it at all?"""
    # sum(c * g(z)) has gradient c * g'(z): one scalar loss checks every element's derivative.
    c = np.random.default_rng([grading_seed, 99]).uniform(0.5, 1.5, size=z.shape)
    grads = {"z": c * np.asarray(derivative, dtype=np.float64)}
    own_function = getattr(student.activations, name)
    own_values = as_array(own_function(z.copy()), name=f"{name}(z)", shape=z.shape)
    expected_values = getattr(reference, name)(z)
    function_ok = bool(np.allclose(own_values, expected_values, **TOL))
    evaluate = own_function.evaluator([z], where={"z": (0, None)},
                                      reduce=lambda v: float(np.sum(c * as_array(v, name=f"{name}(z)", shape=z.shape))))
    own = check_gradients(evaluate, {"z": z}, grads, seed=grading_seed, step=1e-4, noise_aware=True, localize=False)
    correct = check_gradients(local_evaluator(lambda p: float(np.sum(c * getattr(reference, name)(p["z"]))), {"z": z}),
                              {"z": z}, grads, seed=grading_seed, localize=False)
    worst = float(np.max(np.abs(own_values - expected_values)))
    failure.explain(*three_ways(f"{name}_grad", name, function_ok, correct["z"], own["z"], word="derivative",
                            how_wrong=f"off by up to {worst:.3g}"))


@pytest.mark.points(1, visibility="visible")
def test_sigmoid(student, reference, make_rng, grading_seed):
    """sigmoid matches 1 / (1 + exp(-z)) on edge cases and random arrays"""
    check_function(student, reference, "sigmoid", make_rng(1), grading_seed, visible=True)


@pytest.mark.points(1, visibility="hidden")
def test_sigmoid_grad(student, reference, make_rng, grading_seed):
    """sigmoid_grad is the derivative of sigmoid"""
    check_function(student, reference, "sigmoid_grad", make_rng(2), grading_seed)


@pytest.mark.points(0.5, visibility="hidden")
def test_tanh(student, reference, make_rng, grading_seed):
    """tanh matches np.tanh on edge cases and random arrays"""
    check_function(student, reference, "tanh", make_rng(3), grading_seed)


@pytest.mark.points(1, visibility="hidden")
def test_tanh_grad(student, reference, make_rng, grading_seed):
    """tanh_grad is the derivative of tanh"""
    check_function(student, reference, "tanh_grad", make_rng(4), grading_seed)


@pytest.mark.points(0.5, visibility="hidden")
def test_relu(student, reference, make_rng, grading_seed):
    """relu matches max(0, z)"""
    check_function(student, reference, "relu", make_rng(5), grading_seed)


@pytest.mark.points(1, visibility="hidden")
def test_relu_grad(student, reference, make_rng, grading_seed):
    """relu_grad is 1 where z > 0 and 0 elsewhere, including z == 0"""
    check_function(student, reference, "relu_grad", make_rng(6), grading_seed)


def softmax_mistakes(Z):
    e = np.exp(Z - Z.max())
    hints = {"softmax must not be taken along axis 0 (down the columns) but along the last axis (each row)":
             e / e.sum(axis=0, keepdims=True)} if Z.ndim == 2 else {}
    hints["the exponentials were divided by the sum over the whole array, not over each row: "
          "use axis=-1 with keepdims=True."] = e / e.sum()
    return hints


@pytest.mark.points(1.5, visibility="hidden")
def test_softmax(student, reference, make_rng):
    """softmax gives one distribution per row (and one for a 1-D input)"""
    rng = make_rng(7)
    cases = [np.array([1.0, 2.0, 3.0]), rng.normal(0, 2, size=(6,)), rng.normal(0, 2, size=(5, 4)),
             rng.normal(0, 2, size=(1, 3)), rng.normal(0, 2, size=(3, 1)), rng.normal(0, 2, size=(2, 3, 4))]
    for Z in cases:
        got = student.activations.softmax(Z.copy())
        try:
            expect_array(got, reference.softmax(Z), name="softmax(Z)", inputs=describe("Z", Z),
                         hints=softmax_mistakes(Z), **TOL)
        except CheckFailure as failure:
            failure.diagnosis = failure.diagnosis or normalisation_hint(got, Z)
            raise


def normalisation_hint(got, Z):
    """Which sums come to 1 tells along which axis the student normalised."""
    if type(got) is not np.ndarray or got.shape != Z.shape or Z.ndim < 2 or not np.all(np.isfinite(got)):
        return ""
    if np.allclose(got.sum(), 1.0) and not np.allclose(got.sum(axis=-1), 1.0):
        return ("the whole array sums to 1 instead of each row: divide by the sum over the last axis "
                "(axis=-1, keepdims=True).")
    if np.allclose(got.sum(axis=0), 1.0) and not np.allclose(got.sum(axis=-1), 1.0):
        return "each column sums to 1 instead of each row: take the sum (and the max) along the last axis, axis=-1."
    return ""


STABLE_SIGMOID = ("Use exp(-|z|), which never overflows: 1 / (1 + exp(-z)) for z >= 0 and exp(z) / (1 + exp(z)) "
                  "for z < 0.")
STABLE_EXP = "build on a stable function (np.tanh, or your stable sigmoid) instead of exp(z) and exp(-z)."
SOFTMAX_HINT = ("np.exp(Z) overflows for large logits. Subtract each row's maximum first: "
                "softmax(Z) = softmax(Z - max(Z)), and then the largest exponent is exp(0) = 1.")


def where_it_overflows(function, z):
    """Which signs of z make the student's function warn, each half called on its own: the
    evidence for which exponent overflows ("negative", "positive", "both" or "")."""
    sides = []
    for side, part in (("negative", z[z < 0]), ("positive", z[z > 0])):
        try:
            if function.call(part.copy()).warnings:
                sides.append(side)
        except Exception:  # noqa: BLE001 - the whole call's warnings are reported all the same
            return ""
    return {("negative",): "negative", ("positive",): "positive", ("negative", "positive"): "both"}.get(tuple(sides), "")


def stability_hint(name, side):
    """The cause of a warning for large |z|, from where it came."""
    if name in ("sigmoid", "sigmoid_grad"):
        if side == "negative":
            return f"np.exp(-z) overflows for large negative z. {STABLE_SIGMOID}"
        if side == "positive":
            return (f"an exponential overflows for large positive z, so somewhere exp(z) is taken where z >= 0 "
                    f"(a flipped sign?). {STABLE_SIGMOID}")
        return f"an exponential overflows for large |z|. {STABLE_SIGMOID}"
    where = {"negative": "large negative z", "positive": "large positive z"}.get(side, "large |z|")
    return f"an exponential overflows for {where}: {STABLE_EXP}"


@pytest.mark.points(1, visibility="visible")
def test_sigmoid_is_stable(student, reference):
    """sigmoid, tanh and their derivatives are stable for large |z|"""
    z = np.array([-1e4, -1000.0, -710.0, 710.0, 1000.0, 1e4])
    inputs = "z = [-1e4, -1000, -710, 710, 1000, 1e4]"
    for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad"):
        function = getattr(student.activations, name)
        call = function.call(z.copy())
        if call.warnings:
            expect_no_warnings(call.warnings, name=f"{name}(z)", inputs=inputs,
                               diagnosis=stability_hint(name, where_it_overflows(function, z)))
        expect_array(call.value, getattr(reference, name)(z), name=f"{name}(z)", inputs=inputs, **TOL)


@pytest.mark.points(1, visibility="visible")
def test_softmax_is_stable(student, reference):
    """softmax is stable for large logits"""
    Z = np.array([[1e4, 0.0, -1e4], [1000.0, 1000.0, 1000.0], [-1e4, -1e4, -1e4 + 1.0]])
    call = student.activations.softmax.call(Z.copy())
    inputs = "Z with entries up to |1e4|"
    expect_no_warnings(call.warnings, name="softmax(Z)", inputs=inputs, diagnosis=SOFTMAX_HINT)
    expect_array(call.value, reference.softmax(Z), name="softmax(Z)", inputs=inputs, **TOL)


FUNCTIONS = ["sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad"]


@pytest.mark.points(0.5, visibility="hidden")
def test_scalar_inputs(student, reference):
    """every activation also accepts a plain Python number"""
    for name in FUNCTIONS:
        for z in (-2.0, 0.0, 1.5):
            expect_value(getattr(student.activations, name)(z), float(getattr(reference, name)(z)),
                         name=f"{name}({z})", hints=mistakes(reference, name, np.float64(z)), **TOL)


@pytest.mark.points(1, visibility="hidden")
def test_inputs_unchanged(student, make_rng):
    """no activation modifies its input array in place"""
    rng = make_rng(8)
    for name in [*FUNCTIONS, "softmax"]:
        Z = rng.normal(0, 2, size=(4, 3))
        call = getattr(student.activations, name).call(Z.copy())
        expect_unchanged([Z], call.args_after, name=name, arg_names=["z"])
