"""Correct, in another style: defaults merged into a NEW dict ({**defaults, **config}; the caller's
dict is never touched), one shared exponential-moving-average helper, np.power and np.reciprocal."""
import numpy as np

SGD_DEFAULTS = {"learning_rate": 1e-2, "momentum": 0.9}
RMSPROP_DEFAULTS = {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}
ADAM_DEFAULTS = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0}


def _with_defaults(defaults, config, w, *state):
    merged = {**defaults, **(config or {})}
    for key in state:
        if key not in merged:
            merged[key] = np.zeros(np.shape(w), dtype=float)
    return merged


def _ema(average, x, beta):
    """beta * average + (1 - beta) * x"""
    return np.multiply(beta, average) + np.multiply(1.0 - beta, x)


def sgd_momentum(w, dw, config=None):
    c = _with_defaults(SGD_DEFAULTS, config, w, "velocity")
    velocity = np.subtract(c["momentum"] * c["velocity"], c["learning_rate"] * dw)
    return w + velocity, {**c, "velocity": velocity}


def rmsprop(w, dw, config=None):
    c = _with_defaults(RMSPROP_DEFAULTS, config, w, "cache")
    cache = _ema(c["cache"], np.power(dw, 2), c["decay_rate"])
    scale = np.reciprocal(np.power(cache, 0.5) + c["epsilon"])
    return w - c["learning_rate"] * dw * scale, {**c, "cache": cache}


def adam(w, dw, config=None):
    c = _with_defaults(ADAM_DEFAULTS, config, w, "m", "v")
    t = c["t"] + 1
    m = _ema(c["m"], dw, c["beta1"])
    v = _ema(c["v"], np.power(dw, 2), c["beta2"])
    m_hat = m / (1.0 - np.power(c["beta1"], t))
    v_hat = v / (1.0 - np.power(c["beta2"], t))
    next_w = w - c["learning_rate"] * m_hat * np.reciprocal(np.sqrt(v_hat) + c["epsilon"])
    return next_w, {**c, "m": m, "v": v, "t": t}
