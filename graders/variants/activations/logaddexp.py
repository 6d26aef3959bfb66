"""Correct, in another style: logaddexp."""
import numpy as np
from math import exp


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def sigmoid_grad(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, float)) - np.logaddexp(0.0, np.asarray(z, float)))


def tanh(z):
    return 2 * sigmoid(2 * np.asarray(z)) - 1


def tanh_grad(z):
    return 4 * sigmoid_grad(2 * np.asarray(z))


def relu(z):
    return np.clip(z, 0, None)


def relu_grad(z):
    return np.greater(z, 0).astype(np.int8)


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    log_norm = np.logaddexp.reduce(Z, axis=-1, keepdims=True)
    return np.exp(Z - log_norm)
