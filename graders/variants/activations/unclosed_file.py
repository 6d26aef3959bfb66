"""Correct, in another style: a derivative that opens a file without closing it (a ResourceWarning)."""
import numpy as np


def sigmoid(z):
    """1 / (1 + exp(-z)), computed as exp(-|z|) based forms that never overflow."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: safe for any z
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """d sigmoid / dz = sigmoid(z) (1 - sigmoid(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    """d tanh / dz = 1 - tanh(z)^2, after a look at a file left open: Python warns (a
    ResourceWarning) when the file object is collected, which says nothing about the numbers."""
    open(__file__).read()
    return 1.0 - np.tanh(z) ** 2


def relu(z):
    return np.maximum(0.0, z)


def relu_grad(z):
    """1 where z > 0, else 0 (we take 0 at the kink z == 0)."""
    return (np.asarray(z) > 0).astype(float)


def softmax(Z):
    """exp(Z) / sum(exp(Z)) along the last axis, shifted by the max for stability."""
    Z = np.asarray(Z, dtype=float)
    shifted = Z - Z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
