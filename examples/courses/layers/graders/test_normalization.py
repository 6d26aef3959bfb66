"""Hidden grader: Batch normalization and dropout (10 points).

Batch normalization is checked on small batches (N = 3 to 8, where the biased and the
unbiased variance differ) with features of very different sizes, among them small-variance
ones (where eps inside or outside the square root shows) and large offsets; its backward
pass through check_layer, with gamma != 1. Dropout is checked against the contract's draw
(default_rng(seed)) for several p, and for reproducibility.
"""
import numpy as np
import pytest

from autograder.checks import CheckFailure, Case, as_array, check_function, check_layer, check_pure, expect_tuple


def batch(rng, n, scales, offsets):
    """A batch of n samples whose column d has standard deviation scales[d] and mean offsets[d]."""
    scales, offsets = np.asarray(scales, dtype=float), np.asarray(offsets, dtype=float)
    d = len(scales)
    return rng.normal(size=(n, d)) * scales + offsets, rng.normal(size=d), rng.normal(size=d)


def normalized(x, gamma, beta, eps=1e-5, axis=0, ddof=0, eps_on_std=False):
    mu, var = x.mean(axis=axis, keepdims=True), x.var(axis=axis, ddof=ddof, keepdims=True)
    std = np.sqrt(var) + eps if eps_on_std else np.sqrt(var + eps)
    return gamma * (x - mu) / std + beta


def forward_hints(x, gamma, beta, eps=1e-5):
    return {"out": {
        "the variance was divided by N - 1 (ddof=1): batch normalization uses the biased variance, divided by N.":
            normalized(x, gamma, beta, eps, ddof=1),
        "the mean and variance were taken over each sample's features (axis 1, layer normalization) instead of "
        "over the batch (axis 0).": normalized(x, gamma, beta, eps, axis=1),
        "eps was added to the standard deviation: it belongs inside the square root, sqrt(var + eps).":
            normalized(x, gamma, beta, eps, eps_on_std=True)}}


@pytest.mark.points(3, visibility="hidden")
def test_batchnorm_forward_normalizes_over_the_batch(student, reference, make_rng):
    """batchnorm_forward normalizes every feature over the batch, with the biased variance and eps inside the root"""
    rng = make_rng(1)
    cases = [Case(*batch(rng, 3, [1.0, 0.01, 5.0, 0.1], [0.0, 2.0, -40.0, 1.0])),
             Case(*batch(rng, 5, [0.01, 3.0], [5.0, 0.5])),
             Case(*batch(rng, 8, [1.0, 0.1, 20.0, 0.01, 2.0, 1.0], [1.0, -3.0, 100.0, 0.0, 0.0, 50.0])),
             Case(*batch(rng, 4, [0.2, 2.0, 0.05], [0.0, 1.0, -1.0]), 1e-2),
             Case(np.array([[2.0, 1.0], [2.0, -1.0], [2.0, 3.0]]), np.array([1.5, -0.5]), np.array([0.25, 1.0]))]

    def out_only(x, gamma, beta, eps=1e-5):  # the tolerance is measured on out, not on the reference's cache
        return reference.batchnorm_forward(x, gamma, beta, eps)[0], None

    check_function(student.normalization.batchnorm_forward, out_only, cases, returns=("out", None),
                   hints=forward_hints, pure=False)


def backward_hints(dout, x, gamma, beta):
    n, s, g = len(x), 1 / np.sqrt(x.var(axis=0) + 1e-5), dout * gamma
    xh = (x - x.mean(axis=0)) * s
    return {"x": {
        "the batch mean and variance were treated as constants (dx = dout * gamma / sqrt(var + eps)): both depend "
        "on x.": s * g,
        "dx misses the term that flows through the batch variance (- x_hat * sum(dx_hat * x_hat) / N).":
            s / n * (n * g - g.sum(axis=0)),
        "dx misses the term that flows through the batch mean (- sum(dx_hat) / N).":
            s / n * (n * g - xh * np.sum(g * xh, axis=0)),
        "the gradient was not multiplied by gamma on its way to x_hat (dx_hat = dout * gamma).":
            s / n * (n * dout - dout.sum(axis=0) - xh * np.sum(dout * xh, axis=0))},
        "beta": {"dbeta was averaged over the batch: it is the sum of dout over the samples.": dout.mean(axis=0)}}


@pytest.mark.points(3, visibility="hidden")
def test_batchnorm_backward_full_gradient(student, reference, make_rng, grading_seed):
    """batchnorm_backward gives dx through the batch mean and variance, dgamma and dbeta"""
    rng = make_rng(2)
    for k, (n, scales, offsets) in enumerate([(4, [1.0, 0.01, 3.0], [0.0, 1.0, -20.0]), (3, [0.5, 2.0], [2.0, 0.0]),
                                              (7, [1.0, 0.1, 1.0, 10.0, 0.5], [0.0, 0.0, 30.0, 0.0, -1.0])]):
        check_layer(student.normalization.batchnorm_forward, student.normalization.batchnorm_backward,
                    reference.batchnorm_forward, reference.batchnorm_backward, Case(*batch(rng, n, scales, offsets)),
                    seed=grading_seed + k, hints=backward_hints)


def dropout_hints(x, p, seed):
    if p == 0:
        return {}
    u, legacy = np.random.default_rng(seed).random(x.shape), np.random.RandomState(seed).random_sample(x.shape)
    keep, flipped, old = u >= p, u < p, legacy >= p
    causes = {"p was read as the probability of KEEPING a unit: p is the drop probability, keep where the uniform "
              "is >= p.": flipped / (1 - p),
              "the uniforms came from the legacy global generator (np.random.seed, np.random.rand): draw them with "
              "np.random.default_rng(seed).random(x.shape).": old / (1 - p),
              "the kept units were multiplied by 1 - p instead of divided by it.": keep * (1 - p)}
    return {"out": {**{c: x * m for c, m in causes.items()},
                    "the kept units were not divided by 1 - p (inverted dropout scales them by 1 / (1 - p)).":
                        x * keep},
            "mask": {**causes, "the mask holds 1 where a unit is kept, not 1 / (1 - p): return the scaled mask "
                               "keep / (1 - p), the one out was multiplied by.": keep * 1.0}}


@pytest.mark.points(2, visibility="hidden")
def test_dropout_forward_draws_from_the_seed(student, reference, make_rng):
    """dropout_forward drops with probability p from default_rng(seed), scales by 1 / (1 - p), and is reproducible"""
    rng = make_rng(3)
    cases = [Case(rng.normal(size=shape), p, int(rng.integers(2 ** 31))) for shape, p in
             [((6,), 0.5), ((4, 5), 0.25), ((2, 3, 4), 0.8), ((3, 4), 0.0), ((50,), 0.5)]]
    def mask(x, p, seed):
        got = expect_tuple(student.normalization.dropout_forward(x, p, seed), 2, name="dropout_forward(x, p, seed)",
                           parts="out, mask")
        return as_array(got[1], name="the mask of dropout_forward", shape=x.shape)

    for case in cases[:2]:  # the same call twice: the same mask
        if not np.array_equal(mask(*case.args), mask(*case.args)):
            raise CheckFailure("dropout_forward(x, p, seed) returned two different masks for the same x, p and seed.",
                               diagnosis="the generator is not seeded with the seed argument: draw the uniforms "
                                         "from rng = np.random.default_rng(seed).")
    check_function(student.normalization.dropout_forward, reference.dropout_forward, cases,
                   returns=("out", "mask"), hints=dropout_hints, pure=False)


@pytest.mark.points(1, visibility="visible")
def test_dropout_backward_scales_by_the_mask(student, reference, make_rng):
    """dropout_backward multiplies dout by the scaled mask"""
    rng = make_rng(4)
    cases = [Case(rng.normal(size=shape), reference.dropout_forward(np.ones(shape), p, int(rng.integers(2 ** 31)))[1])
             for shape, p in [((6,), 0.5), ((3, 4), 0.3), ((2, 3, 4), 0.75)]]
    check_function(student.normalization.dropout_backward, reference.dropout_backward, cases, pure=False,
                   hints=lambda dout, mask: {"the mask's 1 / (1 - p) scaling was left out of the backward pass.":
                                             dout * (mask > 0)})


@pytest.mark.points(1, visibility="visible")
def test_no_function_modifies_its_arguments(student, make_rng):
    """batchnorm_forward, batchnorm_backward, dropout_forward and dropout_backward leave their arguments unchanged"""
    rng = make_rng(5)
    x, gamma, beta = batch(rng, 4, [1.0, 2.0, 0.5], [3.0, -1.0, 0.0])
    dout, mask = rng.normal(size=(4, 3)), (rng.random((4, 3)) >= 0.5) / 0.5
    check_pure(student.normalization.batchnorm_forward, [Case(x, gamma, beta)], names=["x", "gamma", "beta"])
    _, cache = expect_tuple(student.normalization.batchnorm_forward(x, gamma, beta), 2,
                            name="batchnorm_forward(x, gamma, beta)", parts="out, cache")
    check_pure(student.normalization.batchnorm_backward, [Case(dout, cache)], names=["dout", "cache"])
    check_pure(student.normalization.dropout_forward, [Case(x, 0.5, 7)], names=["x", "p", "seed"])
    check_pure(student.normalization.dropout_backward, [Case(dout, mask)], names=["dout", "mask"])
