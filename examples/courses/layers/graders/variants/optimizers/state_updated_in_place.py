"""Correct, in another style: the state arrays held in the config are updated in place (augmented
assignments and out=), and the new weights are built by copying w first, then stepping the copy."""
import numpy as np


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    if "velocity" not in config:
        config["velocity"] = np.zeros_like(w)
    v = config["velocity"]
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    next_w = w.copy()
    next_w += v
    return next_w, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if "cache" not in config:
        config["cache"] = np.zeros_like(w)
    cache = config["cache"]
    cache *= config["decay_rate"]
    cache += (1 - config["decay_rate"]) * dw * dw
    denominator = np.sqrt(cache)
    denominator += config["epsilon"]
    next_w = np.copy(w)
    next_w -= config["learning_rate"] * dw / denominator
    return next_w, config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    defaults = {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 0}
    for key, value in defaults.items():
        config.setdefault(key, value)
    for key in ("m", "v"):
        if key not in config:
            config[key] = np.zeros_like(w)
    m, v = config["m"], config["v"]
    config["t"] += 1
    t = config["t"]
    np.multiply(m, config["beta1"], out=m)
    m += (1 - config["beta1"]) * dw
    np.multiply(v, config["beta2"], out=v)
    v += (1 - config["beta2"]) * np.square(dw)
    denominator = np.sqrt(v / (1 - config["beta2"] ** t))
    denominator += config["epsilon"]
    next_w = w.copy()
    next_w -= config["learning_rate"] * (m / (1 - config["beta1"] ** t)) / denominator
    return next_w, config
