"""Alice's work: the perceptron (forward propagation and Rosenblatt's rule)."""
import numpy as np


def net_input(X, w, b):
    """Weighted sum z = X w + b: one value per sample (a scalar for one sample)."""
    return X @ w + b


def step(z):
    """Heaviside step: 1 where z >= 0, else 0."""
    return np.where(np.asarray(z) >= 0, 1, 0)


def predict(X, w, b):
    """A neuron fires when its weighted input reaches the threshold."""
    return step(net_input(X, w, b))


def perceptron_update(w, b, x, y, eta):
    """Rosenblatt's rule for one sample: move the boundary only when it errs."""
    error = y - predict(x, w, b)
    w_new = w + eta * error * x
    b_new = b + eta * error
    return w_new, b_new


def train_perceptron(X, y, eta=0.1, epochs=10):
    """Online training from zero weights; errors[e] counts the mistakes of epoch e."""
    w = np.zeros(X.shape[1])
    b = 0.0
    errors = []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            mistakes += int(predict(x_i, w, b) != y_i)
            w, b = perceptron_update(w, b, x_i, y_i, eta)
        errors.append(mistakes)
    return w, b, errors
