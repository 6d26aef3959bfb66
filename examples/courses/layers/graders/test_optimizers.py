"""Hidden grader: Optimizers with state (10 points).

Each rule runs a few steps, the config it returns passed back in, as a training loop does:
once from a config with hyperparameters and state of its own (t = 5, a positive cache...),
once from None. Every step is compared with the reference's step from the same w, dw and
config (deep-copied: the reference updates it in place), so errors do not pile up and a
float32 solution is held to one step's rounding. Hints name the known mistakes by the value
they give; w and dw must be left unchanged (the config may be updated).
"""
import copy

import numpy as np
import pytest

from autograder.checks import Case, check_pure, compare, measured


def run(rule, reference_rule, w, grads, config, hints, start):
    """Steps `rule` over `grads` from (w, config), checking each step against the reference."""
    for k, dw in enumerate(grads, start=1):
        got = rule(w.copy(), dw.copy(), copy.deepcopy(config))
        expected = reference_rule(w.copy(), dw.copy(), copy.deepcopy(config))
        c = {} if config is None else config
        w, config = compare(got, expected, name=rule.name, returns=["next_w", "config"],
                            inputs=f"{rule.name}, step {k} of {len(grads)}, from {start}", hints=hints(w, dw, c),
                            tolerance=measured(reference_rule, (w, dw, config), expected=expected))


def momentum_hints(w, dw, c):
    lr, mu, v = c.get("learning_rate", 1e-2), c.get("momentum", 0.9), c.get("velocity", np.zeros_like(w))
    stepped = {"the velocity adds the gradient: v = momentum * v - learning_rate * dw (minus: downhill).":
               w + mu * v + lr * dw}
    stale = {}
    if np.any(v != 0):
        stepped["w moved by the old velocity: update v first, then next_w = w + the new v."] = w + v
        stale = {"the new velocity was not stored in config['velocity']: the next step would start from the "
                 "old one.": v}
    return {"next_w": stepped, "config": {"velocity": stale}}


def rmsprop_hints(w, dw, c):
    lr, d, eps = c.get("learning_rate", 1e-2), c.get("decay_rate", 0.99), c.get("epsilon", 1e-8)
    old = c.get("cache", np.zeros_like(w))
    cache = d * old + (1 - d) * dw ** 2

    def step(cache):
        return w - lr * dw / (np.sqrt(cache) + eps)

    out = {"the step divides by the cache itself: divide by sqrt(cache) + epsilon.": w - lr * dw / (cache + eps),
           "the weights of the average are swapped: cache = decay_rate * cache + (1 - decay_rate) * dw**2.":
           step((1 - d) * old + d * dw ** 2)}
    if np.any(old != 0):
        out["the cache passed in was ignored (reset to zeros): use config.setdefault('cache', ...)."] = \
            step((1 - d) * dw ** 2)
    if not np.isclose(d, 0.99):
        out["the decay_rate passed in was replaced by the default 0.99: use config.setdefault."] = \
            step(0.99 * old + 0.01 * dw ** 2)
    return {"next_w": out}


def adam_hints(w, dw, c):
    lr, b1, b2, eps = (c.get(k, d) for k, d in [("learning_rate", 1e-3), ("beta1", 0.9), ("beta2", 0.999),
                                                 ("epsilon", 1e-8)])
    m0, v0, t0 = c.get("m", np.zeros_like(w)), c.get("v", np.zeros_like(w)), c.get("t", 0)
    t, m, v = t0 + 1, b1 * m0 + (1 - b1) * dw, b2 * v0 + (1 - b2) * dw ** 2

    def step(m_hat, v_hat):
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)

    out = {"no bias correction: divide m by 1 - beta1**t and v by 1 - beta2**t.": step(m, v),
           "v was bias-corrected with beta1: v_hat = v / (1 - beta2**t).": step(m / (1 - b1 ** t), v / (1 - b1 ** t)),
           "the weights of m's average are swapped: m = beta1 * m + (1 - beta1) * dw.":
           step(((1 - b1) * m0 + b1 * dw) / (1 - b1 ** t), v / (1 - b2 ** t)),
           "epsilon went under the square root: sqrt(v_hat) + epsilon, not sqrt(v_hat + epsilon).":
           w - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t) + eps)}
    if t0 > 0:
        out["the bias correction used t before its increment: t = t + 1 comes first (the first step has t = 1)."] = \
            step(m / (1 - b1 ** t0), v / (1 - b2 ** t0))
    return {"next_w": out, "config": {"t": {"t was not incremented and stored: config['t'] must be t + 1.": t0}}}


def draw(rng, shape, n, scale=1.0):
    return rng.normal(size=shape), [scale * rng.normal(size=shape) for _ in range(n)]


@pytest.mark.points(2, visibility="visible")
def test_sgd_momentum_over_three_steps(student, reference, make_rng):
    """sgd_momentum carries its velocity over three steps, from a config of its own and from None"""
    rng = make_rng(1)
    w, grads = draw(rng, (3, 4), 3)
    config = {"learning_rate": 0.05, "momentum": 0.7, "velocity": 0.1 * rng.normal(size=(3, 4))}
    run(student.optimizers.sgd_momentum, reference.sgd_momentum, w, grads, config, momentum_hints,
        "learning_rate 0.05, momentum 0.7 and a velocity, w of shape (3, 4)")
    w, grads = draw(rng, (5,), 3)
    run(student.optimizers.sgd_momentum, reference.sgd_momentum, w, grads, None, momentum_hints,
        "config None, w of shape (5,)")


@pytest.mark.points(2, visibility="hidden")
def test_rmsprop_over_three_steps(student, reference, make_rng):
    """rmsprop carries its cache over three steps, from a config of its own and from None"""
    rng = make_rng(2)
    w, grads = draw(rng, (3, 4), 3)
    config = {"learning_rate": 0.02, "decay_rate": 0.6, "epsilon": 1e-6, "cache": rng.uniform(0.1, 1, size=(3, 4))}
    run(student.optimizers.rmsprop, reference.rmsprop, w, grads, config, rmsprop_hints,
        "learning_rate 0.02, decay_rate 0.6, epsilon 1e-6 and a cache, w of shape (3, 4)")
    w, grads = draw(rng, (2, 3, 2), 3)
    run(student.optimizers.rmsprop, reference.rmsprop, w, grads, None, rmsprop_hints,
        "config None, w of shape (2, 3, 2)")


@pytest.mark.points(3, visibility="hidden")
def test_adam_over_three_steps(student, reference, make_rng):
    """adam carries m, v and t over three steps, from t = 5 with state of its own and from None"""
    rng = make_rng(3)
    w, grads = draw(rng, (3, 4), 3)
    config = {"learning_rate": 0.05, "beta1": 0.9, "beta2": 0.6, "epsilon": 1e-7, "t": 5,
              "m": 0.1 * rng.normal(size=(3, 4)), "v": rng.uniform(0.1, 1, size=(3, 4))}
    run(student.optimizers.adam, reference.adam, w, grads, config, adam_hints,
        "learning_rate 0.05, beta1 0.9, beta2 0.6, epsilon 1e-7, t 5 and m, v, w of shape (3, 4)")
    w, grads = draw(rng, (6,), 3)
    run(student.optimizers.adam, reference.adam, w, grads, None, adam_hints, "config None, w of shape (6,)")


@pytest.mark.points(2, visibility="hidden")
def test_rmsprop_and_adam_with_tiny_and_zero_gradients(student, reference, make_rng):
    """rmsprop and adam add epsilon to the square root, with gradients of about 1e-5 and zeros"""
    rng = make_rng(4)
    for rule, reference_rule, hints in [(student.optimizers.rmsprop, reference.rmsprop, rmsprop_hints),
                                        (student.optimizers.adam, reference.adam, adam_hints)]:
        w, grads = draw(rng, (4, 3), 2, scale=1e-5)
        grads[0][0], grads[1][:, 1] = 0.0, 0.0
        run(rule, reference_rule, w, grads, None, hints, "config None, gradients of about 1e-5 with zero entries")


@pytest.mark.points(1, visibility="visible")
def test_rules_leave_w_and_dw_unchanged(student, make_rng):
    """sgd_momentum, rmsprop and adam leave w and dw unchanged"""
    rng = make_rng(5)
    cases = [Case(rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), Case(rng.normal(size=5), rng.normal(size=5))]
    for rule in (student.optimizers.sgd_momentum, student.optimizers.rmsprop, student.optimizers.adam):
        check_pure(rule, cases, names=["w", "dw"])  # config=None: a config may be updated, w and dw not
