"""Everything in float32, the training loop included, with Python floats for b and the costs: a correct
Adaline whose 50 epochs drift from the float64 result by ~1e-6 (relative), more than a fixed rtol
of 1e-6 allows."""
import numpy as np


def sse_cost(w, b, X, y):
    r = np.asarray(y, np.float32) - (np.asarray(X, np.float32) @ np.asarray(w, np.float32) + np.float32(b))
    return float(np.float32(0.5) * np.sum(r * r))


def sse_gradient(w, b, X, y):
    X = np.asarray(X, np.float32)
    r = np.asarray(y, np.float32) - (X @ np.asarray(w, np.float32) + np.float32(b))
    return -(X.T @ r), float(-np.sum(r))


def gradient_descent_step(w, b, dw, db, eta):
    return np.asarray(w, np.float32) - np.float32(eta) * np.asarray(dw, np.float32), float(np.float32(b) - np.float32(eta) * np.float32(db))


def train_adaline(X, y, eta=0.01, epochs=50):
    X = np.asarray(X, np.float32); y = np.asarray(y, np.float32)
    w = np.zeros(X.shape[1], np.float32); b = np.float32(0.0)
    costs = []
    for _ in range(epochs):
        costs.append(sse_cost(w, b, X, y))
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
    return w, float(b), costs
