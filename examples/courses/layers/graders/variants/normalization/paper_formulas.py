"""Correct, in another style: the backward pass written as in Ioffe and Szegedy's paper
(dvar, then dmu, then dx from three terms), np.var / np.mean with keepdims, a dict cache
holding the centered input, and the dropout mask built as a float array of the input's
dtype."""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    xc = x - mu
    x_hat = xc / np.sqrt(var + eps)
    out = gamma.reshape(1, -1) * x_hat + beta.reshape(1, -1)
    return out, {"xc": xc, "var": var, "eps": eps, "gamma": gamma, "x_hat": x_hat}


def batchnorm_backward(dout, cache):
    xc, var, eps, gamma, x_hat = cache["xc"], cache["var"], cache["eps"], cache["gamma"], cache["x_hat"]
    m = dout.shape[0]
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * xc, axis=0, keepdims=True) * -0.5 * (var + eps) ** -1.5
    dmu = (np.sum(-dx_hat / np.sqrt(var + eps), axis=0, keepdims=True)
           + dvar * np.mean(-2.0 * xc, axis=0, keepdims=True))
    dx = dx_hat / np.sqrt(var + eps) + dvar * 2.0 * xc / m + dmu / m
    dgamma = np.sum(dout * x_hat, axis=0)
    dbeta = np.sum(dout, axis=0)
    return (dx, dgamma, dbeta)


def dropout_forward(x, p, seed):
    rng = np.random.default_rng(seed)
    keep = (rng.random(x.shape) >= p).astype(x.dtype)
    mask = keep / (1.0 - p)
    return (x * mask, mask)


def dropout_backward(dout, mask):
    dx = dout.copy()
    dx *= mask
    return dx
