"""Correct, in another style: masked branches, sech^2, heaviside."""
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    out[~pos] = np.exp(z[~pos]) / (1 + np.exp(z[~pos]))
    return out if out.ndim else out[()]


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 / np.cosh(np.clip(z, -350, 350)) ** 2


def relu(z):
    return z * (np.asarray(z) > 0)


def relu_grad(z):
    return np.heaviside(z, 0.0)


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    if Z.ndim == 1:
        e = np.exp(Z - Z.max())
        return e / e.sum()
    e = np.exp(Z - Z.max(axis=-1)[..., None])
    return e / e.sum(axis=-1)[..., None]
