"""Correct, in another style: everything computed in float32, float32 arrays (and state) returned,
t kept as a numpy integer."""
import numpy as np

f32 = np.float32


def sgd_momentum(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    w32, dw32 = w.astype(f32), dw.astype(f32)
    velocity = np.asarray(config.get("velocity", np.zeros(w.shape)), dtype=f32)
    v = f32(config["momentum"]) * velocity - f32(config["learning_rate"]) * dw32
    config["velocity"] = v
    return w32 + v, config


def rmsprop(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    w32, dw32 = w.astype(f32), dw.astype(f32)
    cache = np.asarray(config.get("cache", np.zeros(w.shape)), dtype=f32)
    decay = f32(config["decay_rate"])
    cache = decay * cache + (f32(1) - decay) * np.square(dw32)
    next_w = w32 - f32(config["learning_rate"]) * dw32 / (np.sqrt(cache) + f32(config["epsilon"]))
    config["cache"] = cache
    return next_w, config


def adam(w, dw, config=None):
    if config is None:
        config = {}
    for key, default in (("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)):
        config.setdefault(key, default)
    w32, dw32 = w.astype(f32), dw.astype(f32)
    m = np.asarray(config.get("m", np.zeros(w.shape)), dtype=f32)
    v = np.asarray(config.get("v", np.zeros(w.shape)), dtype=f32)
    t = np.int64(config.get("t", 0)) + 1
    b1, b2 = f32(config["beta1"]), f32(config["beta2"])
    m = b1 * m + (f32(1) - b1) * dw32
    v = b2 * v + (f32(1) - b2) * dw32 * dw32
    m_hat = m / (f32(1) - b1 ** int(t))   # int(t): a numpy int64 power would promote to float64
    v_hat = v / (f32(1) - b2 ** int(t))
    next_w = w32 - f32(config["learning_rate"]) * m_hat / (np.sqrt(v_hat) + f32(config["epsilon"]))
    config["m"], config["v"], config["t"] = m, v, t
    return next_w, config
