"""Public tests for normalization: run them with `autograder check` in this folder.

Small worked examples whose expected values are written here or computed from a one-line
formula. Passing them does not prove a function right: the grader tries more inputs.
"""
import numpy as np

from autograder.checks import expect_array, expect_tuple, expect_unchanged

# A batch of N = 5 samples and D = 2 features. Column 0 has mean 1 and variance 4, column 1
# mean 3 and variance 4, so with eps = 0 the normalized batch x_hat is exact:
# [-0.5, -0.5, -0.5, -0.5, 2] and [0.5, 0.5, 0.5, 0.5, -2].
X = np.array([[0.0, 4.0], [0.0, 4.0], [0.0, 4.0], [0.0, 4.0], [5.0, -1.0]])
GAMMA = np.array([2.0, -1.0])
BETA = np.array([1.0, 0.5])


def test_batchnorm_forward_worked_example(student):
    """batchnorm_forward on a 5 x 2 batch with eps = 0"""
    out, _ = expect_tuple(student.normalization.batchnorm_forward(X, GAMMA, BETA, 0.0), 2,
                          name="batchnorm_forward(x, gamma, beta, eps=0.0)", parts="out, cache")
    # out = gamma * x_hat + beta
    expected = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [5.0, 2.5]])
    expect_array(out, expected, name="out of batchnorm_forward(x, gamma, beta, eps=0.0)",
                 inputs="the 5 x 2 batch of the lesson")


def test_batchnorm_forward_default_eps(student):
    """batchnorm_forward uses the biased variance and eps = 1e-5 by default, and leaves x as it was"""
    x = np.array([[1.0, 2.0], [3.0, 6.0]])  # means [2, 4], biased variances [1, 4]
    call = student.normalization.batchnorm_forward.call(x, np.ones(2), np.zeros(2))
    out, _ = expect_tuple(call.value, 2, name="batchnorm_forward(x, gamma, beta)", parts="out, cache")
    expected = np.array([[-1.0, -2.0], [1.0, 2.0]]) / np.sqrt(np.array([1.0, 4.0]) + 1e-5)
    expect_array(out, expected, name="batchnorm_forward(x, ones(2), zeros(2))", inputs="x = [[1, 2], [3, 6]]")
    expect_unchanged([x], call.args_after[:1], name="batchnorm_forward", arg_names=["x"])


def test_batchnorm_backward_worked_example(student):
    """batchnorm_backward on the 5 x 2 batch: the full gradient through the mean and variance"""
    _, cache = expect_tuple(student.normalization.batchnorm_forward(X, GAMMA, BETA, 0.0), 2,
                            name="batchnorm_forward(x, gamma, beta, eps=0.0)", parts="out, cache")
    dout = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0], [0.0, 0.0], [1.0, -1.0]])
    dx, dgamma, dbeta = expect_tuple(student.normalization.batchnorm_backward(dout, cache), 3,
                                     name="batchnorm_backward(dout, cache)", parts="dx, dgamma, dbeta")
    expect_array(dbeta, np.array([2.0, 1.0]), name="dbeta", inputs="the 5 x 2 batch of the lesson")
    expect_array(dgamma, np.array([1.5, 3.0]), name="dgamma", inputs="the 5 x 2 batch of the lesson")
    # Treating the mean and the variance as constants would give dout * gamma / 2 instead.
    expected_dx = np.array([[0.75, 0.25], [-0.25, -0.75], [-0.25, 0.25], [-0.25, 0.25], [0.0, 0.0]])
    expect_array(dx, expected_dx, name="dx", inputs="the 5 x 2 batch of the lesson",
                 hints={"the batch mean and variance were treated as constants (dx = dout * gamma / std).":
                        dout * GAMMA / 2.0})


def test_batchnorm_backward_centered_differences(student):
    """batchnorm_backward's dx matches centered differences of the forward formula"""
    rng = np.random.default_rng(0)
    x, gamma, beta, dout = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=3), rng.normal(size=(4, 3))

    def loss(x):  # sum(dout * out), with out written out in one line
        return np.sum(dout * (gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5) + beta))

    h, numerical = 1e-5, np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = h
        numerical[index] = (loss(x + step) - loss(x - step)) / (2 * h)
    _, cache = expect_tuple(student.normalization.batchnorm_forward(x, gamma, beta), 2,
                            name="batchnorm_forward(x, gamma, beta)", parts="out, cache")
    dx, _, _ = expect_tuple(student.normalization.batchnorm_backward(dout, cache), 3,
                            name="batchnorm_backward(dout, cache)", parts="dx, dgamma, dbeta")
    expect_array(dx, numerical, name="dx of batchnorm_backward", inputs="a random 4 x 3 batch (seed 0)",
                 rtol=1e-5, atol=1e-7)


def test_dropout_forward_seed_0(student):
    """dropout_forward with p = 0.5 and seed 0 draws its mask from default_rng(0)"""
    x = np.arange(1.0, 9.0).reshape(2, 4)
    keep = np.random.default_rng(0).random(x.shape) >= 0.5  # the draw the contract fixes
    out, mask = expect_tuple(student.normalization.dropout_forward(x, 0.5, 0), 2,
                             name="dropout_forward(x, 0.5, 0)", parts="out, mask")
    expect_array(mask, keep / 0.5, name="mask of dropout_forward(x, 0.5, 0)", inputs="x of shape (2, 4)",
                 hints={"the kept units were not divided by 1 - p (use inverted dropout).": keep * 1.0,
                        "p is the probability of DROPPING a unit: keep where the uniform is >= p.": ~keep / 0.5})
    expect_array(out, x * keep / 0.5, name="out of dropout_forward(x, 0.5, 0)", inputs="x of shape (2, 4)")


def test_dropout_forward_p_zero(student):
    """dropout_forward with p = 0 keeps every unit unchanged"""
    x = np.array([[1.5, -2.0, 0.25], [3.0, 0.0, -1.0]])
    out, mask = expect_tuple(student.normalization.dropout_forward(x, 0.0, 3), 2,
                             name="dropout_forward(x, 0.0, 3)", parts="out, mask")
    expect_array(out, x, name="out of dropout_forward(x, 0.0, 3)", inputs="x of shape (2, 3)")
    expect_array(mask, np.ones((2, 3)), name="mask of dropout_forward(x, 0.0, 3)", inputs="x of shape (2, 3)")


def test_dropout_backward_uses_the_scaled_mask(student):
    """dropout_backward multiplies dout by the mask, and leaves dout as it was"""
    dout = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    mask = np.array([[2.0, 0.0, 2.0], [0.0, 2.0, 2.0]])  # the mask of p = 0.5
    call = student.normalization.dropout_backward.call(dout, mask)
    expect_array(call.value, dout * mask, name="dropout_backward(dout, mask)", inputs="a 2 x 3 mask of p = 0.5",
                 hints={"the mask's 1 / (1 - p) scaling was left out of the backward pass.": dout * (mask > 0)})
    expect_unchanged([dout, mask], call.args_after, name="dropout_backward", arg_names=["dout", "mask"])
