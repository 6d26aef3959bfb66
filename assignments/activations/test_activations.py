"""Public tests for the activation functions: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import Case, check_own_derivative, check_pure, expect_array, expect_no_warnings, expect_value

z = np.array([-1.0, 0.0, 2.0])


def test_sigmoid_at_zero(student):
    """sigmoid(0) is 0.5"""
    expect_value(student.activations.sigmoid(0.0), 0.5, name="sigmoid(0.0)")


def test_relu_and_its_gradient(student):
    """relu and relu_grad on [-1, 0, 2]"""
    expect_array(student.activations.relu(z), np.array([0.0, 0.0, 2.0]), name="relu([-1, 0, 2])",
                 hints={"this is |z|: negative z must give 0 (relu(z) = max(0, z)).": np.abs(z)})
    expect_array(student.activations.relu_grad(z), np.array([0.0, 0.0, 1.0]), name="relu_grad([-1, 0, 2])",
                 hints={"the derivative at z == 0 must be 0 (use z > 0, not z >= 0).": [0.0, 1.0, 1.0],
                        "this is relu(z) itself, not its derivative (1 where z > 0, else 0).": [0.0, 0.0, 2.0]})


def test_tanh_grad_at_zero(student):
    """tanh_grad(0) is 1"""
    expect_value(student.activations.tanh_grad(0.0), 1.0, name="tanh_grad(0.0)")


def test_softmax_rows_sum_to_one(student):
    """softmax of equal logits is uniform, one distribution per row"""
    expect_array(student.activations.softmax(np.zeros((2, 4))), np.full((2, 4), 0.25), name="softmax(zeros((2, 4)))",
                 hints={"softmax is taken down the columns (axis 0); take it along the last axis, each row: "
                        "axis=-1, keepdims=True.": np.full((2, 4), 0.5),
                        "the exponentials are divided by the sum over the whole array, not over each row: "
                        "axis=-1, keepdims=True.": np.full((2, 4), 0.125)})


def test_sigmoid_no_overflow(student):
    """sigmoid(-1000) is 0 without an overflow warning"""
    call = student.activations.sigmoid.call(np.array([-1000.0]))
    expect_array(call.value, np.array([0.0]), name="sigmoid([-1000])",
                 hints={"the sign of the exponent is flipped: sigmoid(z) = 1 / (1 + exp(-z)), which is near 0 for "
                        "large negative z.": [1.0]})
    expect_no_warnings(call.warnings, name="sigmoid([-1000])",
                       diagnosis="exp(-z) overflows for large negative z: use exp(-|z|) in both branches.")


def test_sigmoid_of_a_positive_number(student):
    """sigmoid(2) is 1 / (1 + exp(-2)), about 0.8808"""
    expect_value(student.activations.sigmoid(2.0), 1.0 / (1.0 + np.exp(-2.0)), name="sigmoid(2.0)",
                 hints={"this is sigmoid(-2): the branch for z >= 0 has the sign of its exponent flipped; it is "
                        "1 / (1 + exp(-z)).": 1.0 / (1.0 + np.exp(2.0))})


def test_derivatives_match_your_own_functions(student):
    """sigmoid_grad and tanh_grad are the derivatives of your sigmoid and tanh"""
    zs = np.linspace(-3.0, 3.0, 7)
    check_own_derivative(student.activations.sigmoid, student.activations.sigmoid_grad, zs, hints=lambda z, s: {
        "this is sigmoid(z) itself, not its derivative sigmoid(z) * (1 - sigmoid(z)).": s,
        "the derivative was applied to z instead of to sigmoid(z): use s = sigmoid(z), then s * (1 - s).":
            z * (1 - z)})
    check_own_derivative(student.activations.tanh, student.activations.tanh_grad, zs, hints=lambda z, t: {
        "this is tanh(z) itself, not its derivative 1 - tanh(z)**2.": t,
        "the derivative was applied to z instead of to tanh(z): 1 - tanh(z)**2.": 1 - z ** 2,
        "the square is missing: the derivative is 1 - tanh(z)**2.": 1 - t})


def test_tanh_and_softmax_are_stable(student):
    """tanh(+-1000) and softmax of logits far apart give no overflow warning"""
    causes = {"tanh": "an exponential overflows for large |z|: use np.tanh, or build on your stable sigmoid.",
              "softmax": "the exponentials overflow, or all vanish in a row: subtract each row's maximum first "
                         "(axis=-1, keepdims=True), so that the largest exponent is exp(0) = 1."}
    for name, value, inputs in (("tanh", np.array([-1000.0, 1000.0]), "[-1000, 1000]"),
                                ("softmax", np.array([[1000.0, 0.0], [-1000.0, -1000.0]]),
                                 "[[1000, 0], [-1000, -1000]]")):
        call = getattr(student.activations, name).call(value)
        expect_no_warnings(call.warnings, name=f"{name}({inputs})", diagnosis=causes[name])


def test_inputs_are_left_unchanged(student):
    """no activation changes the array it is given"""
    for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "softmax"):
        check_pure(getattr(student.activations, name), [Case(np.array([[-1.0, 0.5, 2.0]]))], names=["z"])
