"""Correct, in another style: np.dot, boolean step, error counts in an array."""
import numpy as np


def net_input(X, w, b):
    return np.dot(X, w) + b


def step(z):
    return (np.asarray(z) >= 0) * 1.0


def predict(X, w, b):
    return step(net_input(X, w, b))


def perceptron_update(w, b, x, y, eta):
    update = eta * (y - predict(x, w, b))
    return w + update * x, b + update


def train_perceptron(X, y, eta=0.1, epochs=10):
    w = np.zeros(X.shape[1])
    b = 0.0
    errors = np.zeros(epochs, dtype=int)
    for epoch in range(epochs):
        for x_i, target in zip(X, y):
            errors[epoch] += predict(x_i, w, b) != target
            w, b = perceptron_update(w, b, x_i, target, eta)
    return w, b, errors
