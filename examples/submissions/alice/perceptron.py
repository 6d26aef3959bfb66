"""Alice's work: the perceptron (forward propagation and Rosenblatt's rule)."""
import numpy as np


def net_input(X, w, b):
    # np.dot handles both a matrix of samples and a single sample
    return np.dot(X, w) + b


def step(z):
    return (np.asarray(z) >= 0).astype(int)


def predict(X, w, b):
    return step(net_input(X, w, b))


def perceptron_update(w, b, x, y, eta):
    update = eta * (y - predict(x, w, b))
    return w + update * x, b + update


def train_perceptron(X, y, eta=0.1, epochs=10):
    n_samples, n_features = X.shape
    w, b = np.zeros(n_features), 0.0
    errors = []
    for epoch in range(epochs):
        wrong = 0
        for i in range(n_samples):
            if predict(X[i], w, b) != y[i]:
                wrong += 1
            w, b = perceptron_update(w, b, X[i], y[i], eta)
        errors.append(wrong)
    return w, b, errors
