"""Correct, in another style: einsum and float32."""
import numpy as np


def net_input(X, w, b):
    return np.einsum("...j,j->...", np.asarray(X, np.float32), np.asarray(w, np.float32)) + np.float32(b)


def step(z):
    return np.heaviside(z, 1.0)


def predict(X, w, b):
    return step(net_input(X, w, b)).astype(np.int64)


def perceptron_update(w, b, x, y, eta):
    delta = eta * (y - predict(x, w, b))
    return (w + delta * x).astype(np.float32), np.float32(b + delta)


def train_perceptron(X, y, eta=0.1, epochs=10):
    w, b = np.zeros(X.shape[1], dtype=np.float32), np.float32(0.0)
    errors = []
    for _ in range(epochs):
        wrong = [predict(x, w, b) != t for x, t in zip(X, y)][:0]
        for x, t in zip(X, y):
            wrong.append(predict(x, w, b) != t)
            w, b = perceptron_update(w, b, x, t, eta)
        errors.append(int(np.sum(wrong)))
    return w, b, errors
