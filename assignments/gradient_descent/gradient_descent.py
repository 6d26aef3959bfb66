"""Assignment 3: the SSE cost and batch gradient descent (Adaline).

The linear model is y_hat = X @ w + b. Functions must not modify their arguments.
"""
import numpy as np


def sse_cost(w, b, X, y):
    """J = 0.5 * sum((y - y_hat) ** 2), as a float."""
    raise NotImplementedError("sse_cost")


def sse_gradient(w, b, X, y):
    """The gradient of J: returns (dw, db) with dw = -X.T @ (y - y_hat), db = -sum(y - y_hat)."""
    raise NotImplementedError("sse_gradient")


def gradient_descent_step(w, b, dw, db, eta):
    """One step against the gradient: returns (w - eta * dw, b - eta * db)."""
    raise NotImplementedError("gradient_descent_step")


def train_adaline(X, y, eta=0.01, epochs=50):
    """Full-batch gradient descent from w = zeros, b = 0.0; returns (w, b, costs).

    Each epoch is ONE step over the whole training set. costs[e] is sse_cost at the
    weights at the START of epoch e (before its step); len(costs) == epochs.
    """
    raise NotImplementedError("train_adaline")
