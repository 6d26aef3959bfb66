"""Correct, in another style: everything computed in float32 and returned as float32
arrays (the dropout uniforms are still drawn as rng.random(x.shape), in float64: a float32
draw gives other numbers)."""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=np.float32)
    gamma = np.asarray(gamma, dtype=np.float32)
    beta = np.asarray(beta, dtype=np.float32)
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    std = np.sqrt(var + np.float32(eps))
    x_hat = (x - mu) / std
    out = gamma * x_hat + beta
    return out, (x_hat, gamma, std)


def batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    dout = np.asarray(dout, dtype=np.float32)
    n = np.float32(dout.shape[0])
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    g = dout * gamma
    dx = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / std
    return dx.astype(np.float32), dgamma.astype(np.float32), dbeta.astype(np.float32)


def dropout_forward(x, p, seed):
    u = np.random.default_rng(seed).random(x.shape)
    mask = np.where(u >= p, np.float32(1.0) / np.float32(1.0 - p), np.float32(0.0)).astype(np.float32)
    out = np.asarray(x, dtype=np.float32) * mask
    return out, mask


def dropout_backward(dout, mask):
    return (np.asarray(dout, dtype=np.float32) * np.asarray(mask, dtype=np.float32)).astype(np.float32)
