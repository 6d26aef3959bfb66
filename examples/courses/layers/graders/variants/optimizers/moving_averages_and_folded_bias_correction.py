"""Correct, in another style: the moving averages written as interpolations (a += (1 - beta) * (x - a)),
and Adam's bias corrections folded into the step size and epsilon, as in the Adam paper's Sec. 2:
lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t) and eps_t = eps * sqrt(1 - beta2^t)."""
import numpy as np


def _state(config, key, w):
    value = config.get(key)
    return np.zeros_like(w) if value is None else value


def sgd_momentum(w, dw, config=None):
    config = config if config is not None else {}
    lr = config.setdefault("learning_rate", 1e-2)
    mu = config.setdefault("momentum", 0.9)
    step = -lr * dw
    v = step + mu * _state(config, "velocity", w)
    config["velocity"] = v
    return np.add(w, v), config


def rmsprop(w, dw, config=None):
    config = config if config is not None else {}
    lr = config.setdefault("learning_rate", 1e-2)
    rho = config.setdefault("decay_rate", 0.99)
    eps = config.setdefault("epsilon", 1e-8)
    cache = _state(config, "cache", w)
    cache = cache + (1 - rho) * (np.square(dw) - cache)
    config["cache"] = cache
    return w - np.divide(lr * dw, np.sqrt(cache) + eps), config


def adam(w, dw, config=None):
    config = config if config is not None else {}
    lr = config.setdefault("learning_rate", 1e-3)
    beta1 = config.setdefault("beta1", 0.9)
    beta2 = config.setdefault("beta2", 0.999)
    eps = config.setdefault("epsilon", 1e-8)
    m, v = _state(config, "m", w), _state(config, "v", w)
    t = config.get("t", 0) + 1

    m = m + (1 - beta1) * (dw - m)
    v = v + (1 - beta2) * (dw * dw - v)
    root = np.sqrt(1 - beta2 ** t)
    lr_t = lr * root / (1 - beta1 ** t)
    eps_t = eps * root
    next_w = w - lr_t * m / (np.sqrt(v) + eps_t)
    config.update(m=m, v=v, t=t)
    return next_w, config
