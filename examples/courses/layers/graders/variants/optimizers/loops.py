"""Correct, in another style: explicit loops over the entries, a new config dict, lists returned."""
import numpy as np


def sgd_momentum(w, dw, config=None):
    old = {} if config is None else config
    config = dict(old)
    lr = config.get("learning_rate", 1e-2)
    mu = config.get("momentum", 0.9)
    velocity = config.get("velocity", np.zeros(w.shape))
    config["learning_rate"], config["momentum"] = lr, mu

    new_velocity = np.empty(w.shape)
    next_w = np.empty(w.shape)
    for index in np.ndindex(*w.shape):
        new_velocity[index] = mu * velocity[index] - lr * dw[index]
        next_w[index] = w[index] + new_velocity[index]
    config["velocity"] = new_velocity
    return [next_w, config]


def rmsprop(w, dw, config=None):
    config = dict(config or {})
    lr = config.get("learning_rate", 1e-2)
    decay = config.get("decay_rate", 0.99)
    eps = config.get("epsilon", 1e-8)
    cache = config.get("cache", np.zeros(w.shape))
    config.update(learning_rate=lr, decay_rate=decay, epsilon=eps)

    new_cache = np.empty(w.shape)
    next_w = np.empty(w.shape)
    for index in np.ndindex(*w.shape):
        g = float(dw[index])
        new_cache[index] = decay * cache[index] + (1 - decay) * g * g
        next_w[index] = w[index] - lr * g / (new_cache[index] ** 0.5 + eps)
    config["cache"] = new_cache
    return [next_w, config]


def adam(w, dw, config=None):
    config = dict(config or {})
    lr = config.get("learning_rate", 1e-3)
    beta1 = config.get("beta1", 0.9)
    beta2 = config.get("beta2", 0.999)
    eps = config.get("epsilon", 1e-8)
    m = config.get("m", np.zeros(w.shape))
    v = config.get("v", np.zeros(w.shape))
    t = int(config.get("t", 0)) + 1
    config.update(learning_rate=lr, beta1=beta1, beta2=beta2, epsilon=eps)

    new_m, new_v, next_w = np.empty(w.shape), np.empty(w.shape), np.empty(w.shape)
    for index in np.ndindex(*w.shape):
        g = float(dw[index])
        new_m[index] = beta1 * m[index] + (1 - beta1) * g
        new_v[index] = beta2 * v[index] + (1 - beta2) * g * g
        m_hat = new_m[index] / (1 - beta1 ** t)
        v_hat = new_v[index] / (1 - beta2 ** t)
        next_w[index] = w[index] - lr * m_hat / (v_hat ** 0.5 + eps)
    config["m"], config["v"], config["t"] = new_m, new_v, t
    return [next_w, config]
