"""Optimizers with state.

Implement each function below, then run `autograder check` in this folder.

Every update rule has the signature

    rule(w, dw, config=None) -> (next_w, config)

w and dw are float arrays of the same shape (the weights and the gradient of the loss at w);
config is a dict of hyperparameters and state. A missing config (None) or a missing key gets
its default, the state starting at zeros of w's shape (and t = 0), as config.setdefault does.
The returned config holds every hyperparameter and the updated state: the caller passes it
back for the next step. Never modify w or dw in place; you may update the config dict you
are given and return it, or return a new dict.

"Any float dtype": float64 for float64 inputs, or float32 if you compute in float32.
"""
import numpy as np


def sgd_momentum(w, dw, config=None):
    """Stochastic gradient descent with momentum.

    config keys (a missing one gets its default):
        learning_rate  float, default 1e-2
        momentum       float in [0, 1), default 0.9
        velocity       array of w's shape, default zeros: the running velocity v

    Update:  v = momentum * v - learning_rate * dw;   next_w = w + v.

    Returns (next_w, config) as a tuple (a list of the two is accepted too): next_w a new
    numpy array of w's shape (any float dtype), config a dict holding learning_rate, momentum
    and config["velocity"] = the new v (a numpy array of w's shape, any float dtype).
    w and dw are left unchanged.
    """
    raise NotImplementedError("sgd_momentum")


def rmsprop(w, dw, config=None):
    """RMSProp: a step per weight scaled by a running average of the squared gradient.

    config keys (a missing one gets its default):
        learning_rate  float, default 1e-2
        decay_rate     float in [0, 1), default 0.99
        epsilon        float, default 1e-8 (added to the square root, not under it)
        cache          array of w's shape, default zeros: the running average of dw**2

    Update:  cache = decay_rate * cache + (1 - decay_rate) * dw**2;
             next_w = w - learning_rate * dw / (sqrt(cache) + epsilon).

    Returns (next_w, config) as a tuple (a list of the two is accepted too): next_w a new
    numpy array of w's shape (any float dtype), config a dict holding learning_rate,
    decay_rate, epsilon and config["cache"] = the new cache (a numpy array of w's shape).
    w and dw are left unchanged.
    """
    raise NotImplementedError("rmsprop")


def adam(w, dw, config=None):
    """Adam: momentum (first moment m) and RMSProp (second moment v), both bias-corrected.

    config keys (a missing one gets its default):
        learning_rate  float, default 1e-3
        beta1          float in [0, 1), default 0.9
        beta2          float in [0, 1), default 0.999
        epsilon        float, default 1e-8 (added to the square root, not under it)
        m, v           arrays of w's shape, default zeros: the running moments
        t              int, default 0: the number of steps taken so far

    Update (t is incremented FIRST, so the first step uses t = 1):
        t = t + 1
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw**2
        m_hat = m / (1 - beta1**t);   v_hat = v / (1 - beta2**t)
        next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    Returns (next_w, config) as a tuple (a list of the two is accepted too): next_w a new
    numpy array of w's shape (any float dtype), config a dict holding the five
    hyperparameters, the new m and v (numpy arrays of w's shape; NOT the bias-corrected
    m_hat, v_hat) and the new t (a Python int or a numpy integer).
    w and dw are left unchanged.
    """
    raise NotImplementedError("adam")
