"""Correct, in another style: loops."""
import numpy as np


def net_input(X, w, b):
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        return sum(x_j * w_j for x_j, w_j in zip(X, w)) + b
    return np.array([sum(x_j * w_j for x_j, w_j in zip(row, w)) + b for row in X])


def step(z):
    z = np.asarray(z)
    out = np.zeros(z.shape, dtype=int)
    for index in np.ndindex(z.shape):
        out[index] = 1 if z[index] >= 0 else 0
    return out if out.ndim else int(out)


def predict(X, w, b):
    return step(net_input(X, w, b))


def perceptron_update(w, b, x, y, eta):
    error = y - predict(x, w, b)
    return np.array([w_j + eta * error * x_j for w_j, x_j in zip(w, x)]), b + eta * error


def train_perceptron(X, y, eta=0.1, epochs=10):
    w, b, errors = np.zeros(len(X[0])), 0.0, []
    for _ in range(epochs):
        count = 0
        for i in range(len(y)):
            if predict(X[i], w, b) != y[i]:
                count += 1
            w, b = perceptron_update(w, b, X[i], y[i], eta)
        errors.append(count)
    return w, b, np.array(errors)
