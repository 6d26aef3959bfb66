"""Correct, in another style: loops."""
import numpy as np


def sse_cost(w, b, X, y):
    return sum(0.5 * (y_i - (sum(x_ij * w_j for x_ij, w_j in zip(x_i, w)) + b)) ** 2 for x_i, y_i in zip(X, y))


def sse_gradient(w, b, X, y):
    dw, db = np.zeros(len(w)), 0.0
    for x_i, y_i in zip(X, y):
        err = y_i - (np.dot(x_i, w) + b)
        dw -= err * x_i
        db -= err
    return dw, db


def gradient_descent_step(w, b, dw, db, eta):
    delta_w = -eta * dw
    delta_b = -eta * db
    return w + delta_w, b + delta_b


def train_adaline(X, y, eta=0.01, epochs=50):
    w, b, costs = np.zeros(X.shape[1]), 0.0, []
    for epoch in range(epochs):
        costs.append(sse_cost(w, b, X, y))
        w, b = gradient_descent_step(w, b, *sse_gradient(w, b, X, y), eta)
    return w, b, costs
