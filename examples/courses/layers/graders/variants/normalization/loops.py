"""Correct, in another style: explicit Python loops over features and samples, a dict
cache, and dropout drawing one uniform at a time (in C order: the same numbers as one
rng.random(x.shape) call)."""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    n, d = x.shape
    out = np.zeros((n, d))
    x_hat = np.zeros((n, d))
    inv_std = np.zeros(d)
    for j in range(d):
        total = 0.0
        for i in range(n):
            total += x[i, j]
        mu = total / n
        sq = 0.0
        for i in range(n):
            sq += (x[i, j] - mu) ** 2
        var = sq / n
        inv_std[j] = 1.0 / (var + eps) ** 0.5
        for i in range(n):
            x_hat[i, j] = (x[i, j] - mu) * inv_std[j]
            out[i, j] = gamma[j] * x_hat[i, j] + beta[j]
    return out, {"x_hat": x_hat, "gamma": gamma, "inv_std": inv_std}


def batchnorm_backward(dout, cache):
    x_hat, gamma, inv_std = cache["x_hat"], cache["gamma"], cache["inv_std"]
    n, d = dout.shape
    dx = np.zeros((n, d))
    dgamma = np.zeros(d)
    dbeta = np.zeros(d)
    for j in range(d):
        s1 = 0.0  # sum of dx_hat over the batch
        s2 = 0.0  # sum of dx_hat * x_hat over the batch
        for i in range(n):
            dbeta[j] += dout[i, j]
            dgamma[j] += dout[i, j] * x_hat[i, j]
            g = dout[i, j] * gamma[j]
            s1 += g
            s2 += g * x_hat[i, j]
        for i in range(n):
            g = dout[i, j] * gamma[j]
            dx[i, j] = inv_std[j] * (g - s1 / n - x_hat[i, j] * s2 / n)
    return dx, dgamma, dbeta


def dropout_forward(x, p, seed):
    rng = np.random.default_rng(seed)
    mask = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        if rng.random() >= p:
            mask[index] = 1.0 / (1.0 - p)
    out = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        out[index] = x[index] * mask[index]
    return out, mask


def dropout_backward(dout, mask):
    dx = np.zeros(np.shape(dout))
    for index in np.ndindex(*dx.shape):
        dx[index] = dout[index] * mask[index]
    return dx
