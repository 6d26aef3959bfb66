"""Correct, in another style: clipped, float32, boolean relu_grad."""
import numpy as np


def sigmoid(z):
    z = np.clip(np.asarray(z, dtype=np.float32), -80, 80)
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s - s * s


def tanh(z):
    z = np.clip(np.asarray(z, dtype=np.float32), -20, 20)
    e = np.exp(-2 * z)
    return (1 - e) / (1 + e)


def tanh_grad(z):
    return 1 - tanh(z) ** 2


def relu(z):
    return np.where(np.asarray(z) > 0, z, 0.0)


def relu_grad(z):
    return np.asarray(z) > 0


def softmax(Z):
    Z = np.asarray(Z, dtype=np.float32)
    Z = Z - np.max(Z, axis=Z.ndim - 1, keepdims=True)
    return np.exp(Z) / np.sum(np.exp(Z), axis=Z.ndim - 1, keepdims=True)
