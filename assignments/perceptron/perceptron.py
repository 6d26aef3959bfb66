"""Assignment 1: the perceptron.

Implement each function below, then run `autograder check` in this folder.
Conventions: X has shape (n_samples, n_features); one sample x is 1-D; labels are 0/1.
Functions must not modify their arguments in place.
"""
import numpy as np


def net_input(X, w, b):
    """The weighted sum z = X @ w + b.

    X of shape (n, d) gives shape (n,); a single sample x of shape (d,) gives a scalar.
    """
    raise NotImplementedError("net_input")


def step(z):
    """Heaviside step, elementwise: 1 where z >= 0, else 0 (note: step(0) == 1). Same shape as z."""
    raise NotImplementedError("step")


def predict(X, w, b):
    """Predicted labels (0 or 1): the step of the net input."""
    raise NotImplementedError("predict")


def perceptron_update(w, b, x, y, eta):
    """Rosenblatt's rule for ONE sample x with label y; returns (w_new, b_new).

    error = y - predict(x, w, b); w_new = w + eta * error * x; b_new = b + eta * error.
    """
    raise NotImplementedError("perceptron_update")


def train_perceptron(X, y, eta=0.1, epochs=10):
    """Train from w = zeros(n_features), b = 0.0; returns (w, b, errors).

    Each epoch visits the samples in the given order (no shuffling) and applies
    perceptron_update. errors[e] counts the samples of epoch e whose prediction was
    wrong BEFORE their update; len(errors) == epochs.
    """
    raise NotImplementedError("train_perceptron")
