"""Correct, in another style: float32 residuals."""
import numpy as np  # residuals rounded to float32


def sse_cost(w, b, X, y):
    r = (y - X @ w - b).astype(np.float32).astype(np.float64)
    return 0.5 * np.einsum("i,i->", r, r)


def sse_gradient(w, b, X, y):
    r = (y - X @ w - b).astype(np.float32).astype(np.float64)
    return -np.einsum("ij,i->j", X, r), -r.sum()


def gradient_descent_step(w, b, dw, db, eta):
    return np.subtract(w, eta * dw), b - eta * db


def train_adaline(X, y, eta=0.01, epochs=50):
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.empty(epochs)
    for e in range(epochs):
        costs[e] = sse_cost(w, b, X, y)
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
    return w, b, costs
