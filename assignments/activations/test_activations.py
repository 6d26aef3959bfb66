"""Public tests for the activation functions: run them with `autograder check` in this folder."""
import numpy as np

from autograder.checks import expect_array, expect_no_warnings, expect_value

z = np.array([-1.0, 0.0, 2.0])


def test_sigmoid_at_zero(student):
    """sigmoid(0) is 0.5"""
    expect_value(student.activations.sigmoid(0.0), 0.5, name="sigmoid(0.0)")


def test_relu_and_its_gradient(student):
    """relu and relu_grad on [-1, 0, 2]"""
    expect_array(student.activations.relu(z), np.array([0.0, 0.0, 2.0]), name="relu([-1, 0, 2])")
    expect_array(student.activations.relu_grad(z), np.array([0.0, 0.0, 1.0]), name="relu_grad([-1, 0, 2])")


def test_tanh_grad_at_zero(student):
    """tanh_grad(0) is 1"""
    expect_value(student.activations.tanh_grad(0.0), 1.0, name="tanh_grad(0.0)")


def test_softmax_rows_sum_to_one(student):
    """softmax of equal logits is uniform, one distribution per row"""
    expect_array(student.activations.softmax(np.zeros((2, 4))), np.full((2, 4), 0.25), name="softmax(zeros((2, 4)))")


def test_sigmoid_no_overflow(student):
    """sigmoid(-1000) is 0 without an overflow warning"""
    call = student.activations.sigmoid.call(np.array([-1000.0]))
    expect_array(call.value, np.array([0.0]), name="sigmoid([-1000])")
    expect_no_warnings(call.warnings, name="sigmoid([-1000])",
                       diagnosis="exp(-z) overflows for large negative z: use exp(-|z|) in both branches.")
