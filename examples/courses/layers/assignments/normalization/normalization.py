"""Batch normalization and dropout.

Implement each function below, then run `autograder check` in this folder. Use numpy only,
vectorised over the batch, and never modify an argument in place: return new arrays.
"""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    """Training-mode batch normalization of a mini-batch.

    x: float array of shape (N, D), one sample per row; gamma, beta: float arrays of
    shape (D,); eps: a small positive number added to the variance.

    Per feature (column) d, over the N samples (axis 0):
        mu = mean of x[:, d],  var = biased variance of x[:, d] (divided by N, not N - 1),
        x_hat = (x - mu) / sqrt(var + eps),  out = gamma * x_hat + beta.

    Returns (out, cache) as a tuple or a list: out is a float array of shape (N, D) (any
    float dtype); cache is whatever batchnorm_backward needs. It is handed back unchanged
    to batchnorm_backward, so it must be plain data: numpy arrays and numbers, possibly in
    tuples, lists or dicts.
    """
    raise NotImplementedError("batchnorm_forward")


def batchnorm_backward(dout, cache):
    """Backward pass of batchnorm_forward.

    dout: float array of shape (N, D), the gradient of the loss with respect to out;
    cache: what batchnorm_forward returned beside out.

    Returns (dx, dgamma, dbeta) as a tuple or a list: the gradients of sum(dout * out)
    with respect to x (shape (N, D)), gamma (shape (D,)) and beta (shape (D,)), float
    arrays of any float dtype. dx is the full gradient, through the batch mean and the
    batch variance (both depend on x), not the one that treats them as constants.
    """
    raise NotImplementedError("batchnorm_backward")


def dropout_forward(x, p, seed):
    """Inverted dropout (training mode), with DROP probability p.

    x: float array of any shape; p: the probability of dropping a unit, 0 <= p < 1; seed:
    an integer. The random draw is part of the contract, so that results are reproducible:
        rng = np.random.default_rng(seed)
        keep = rng.random(x.shape) >= p      # one draw of x.shape uniforms in [0, 1)
        mask = keep / (1 - p)                # 1 / (1 - p) where kept, 0 where dropped
        out = x * mask

    Returns (out, mask) as a tuple or a list: two float arrays of the shape of x (any float
    dtype). With p = 0 nothing is dropped: out equals x and mask is all ones.
    """
    raise NotImplementedError("dropout_forward")


def dropout_backward(dout, mask):
    """Backward pass of dropout_forward: dx = dout * mask.

    dout: float array, the gradient of the loss with respect to out; mask: the mask that
    dropout_forward returned (same shape, already scaled by 1 / (1 - p)). Returns dx, a
    float array of that shape (any float dtype).
    """
    raise NotImplementedError("dropout_backward")
