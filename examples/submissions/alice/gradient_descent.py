"""Alice's work: the SSE cost and full-batch gradient descent (Adaline)."""
import numpy as np


def sse_cost(w, b, X, y):
    """J(w, b) = 1/2 sum (y - y_hat)^2 with y_hat = X w + b."""
    total = 0.0
    for x_i, y_i in zip(X, y):
        total += (y_i - (np.dot(x_i, w) + b)) ** 2
    return 0.5 * total


def sse_gradient(w, b, X, y):
    """dJ/dw = -X^T (y - y_hat), dJ/db = -sum(y - y_hat)."""
    residual = y - (X @ w + b)
    dw = -X.T @ residual
    db = -np.sum(residual)
    return dw, db


def gradient_descent_step(w, b, dw, db, eta):
    """w := w + delta_w with delta_w = -eta grad J(w)."""
    return w - eta * dw, b - eta * db


def train_adaline(X, y, eta=0.01, epochs=50):
    """One full-batch step per epoch; costs[e] is J at the start of epoch e."""
    w = np.zeros(X.shape[1])
    b = 0.0
    costs = []
    for _ in range(epochs):
        costs.append(sse_cost(w, b, X, y))
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
    return w, b, costs
