"""Public tests for optimizers: run them with `autograder check` in this folder.

Each rule is called as rule(w, dw, config) and must return (next_w, config); the two-step tests
pass the config your function returned back into it, as a training loop does.
"""
import numpy as np

from autograder.checks import CheckFailure, expect_array, expect_scalar, expect_tuple, expect_unchanged

W = np.array([1.0, -2.0, 3.0])
DW = np.array([0.5, 1.0, -1.0])
DW2 = np.array([0.5, -1.0, 0.0])


def _step(result, name, keys):
    """Validates a (next_w, config) pair and that config holds `keys`; returns the pair."""
    next_w, config = expect_tuple(result, 2, name=name, parts="next_w, config")
    if type(config) is not dict:
        raise CheckFailure(f"{name}: the second value returned is a {type(config).__name__}; expected the "
                           f"config dict (with the hyperparameters and the updated state).")
    missing = [key for key in keys if key not in config]
    if missing:
        raise CheckFailure(f"{name}: the returned config has no {', '.join(repr(k) for k in missing)}. It must hold "
                           f"every hyperparameter (its default when none was given) and the updated state.")
    return (next_w, config)


def test_sgd_momentum_first_step_with_defaults(student):
    """sgd_momentum's first step with the default config"""
    call = student.optimizers.sgd_momentum.call(W.copy(), DW.copy())
    next_w, config = _step(call.value, "sgd_momentum(w, dw)", ["learning_rate", "momentum", "velocity"])
    expect_unchanged([W, DW], call.args_after, name="sgd_momentum", arg_names=["w", "dw"])
    expect_scalar(config["learning_rate"], 1e-2, name="config['learning_rate'] (the default)")
    expect_scalar(config["momentum"], 0.9, name="config['momentum'] (the default)")
    expect_array(config["velocity"], np.array([-0.005, -0.01, 0.01]), name="config['velocity'] after one step")
    expect_array(next_w, np.array([0.995, -2.01, 3.01]), name="next_w = w + v")


def test_sgd_momentum_two_steps_passing_the_config_back(student):
    """sgd_momentum keeps its velocity over two steps"""
    w1, config = _step(student.optimizers.sgd_momentum(W.copy(), DW.copy(), {"learning_rate": 0.1, "momentum": 0.9}),
                       "sgd_momentum (step 1)", ["velocity"])
    expect_array(w1, np.array([0.95, -2.1, 3.1]), name="next_w after step 1")
    w2, config = _step(student.optimizers.sgd_momentum(w1, DW2.copy(), config), "sgd_momentum (step 2)", ["velocity"])
    # v2 = 0.9 * v1 - 0.1 * dw2 = 0.9 * [-0.05, -0.1, 0.1] - 0.1 * [0.5, -1, 0]
    expect_array(config["velocity"], np.array([-0.095, 0.01, 0.09]), name="config['velocity'] after step 2")
    expect_array(w2, np.array([0.855, -2.09, 3.19]), name="next_w after step 2")


def test_rmsprop_first_step_with_defaults(student):
    """rmsprop's first step with the default config"""
    next_w, config = _step(student.optimizers.rmsprop(W.copy(), DW.copy()), "rmsprop(w, dw)",
                           ["learning_rate", "decay_rate", "epsilon", "cache"])
    expect_scalar(config["decay_rate"], 0.99, name="config['decay_rate'] (the default)")
    expect_array(config["cache"], 0.01 * DW ** 2, name="config['cache'] = 0.01 * dw**2 after one step")
    # sqrt(cache) = 0.1 |dw|, so the step is 0.01 * dw / (0.1 |dw| + 1e-8): almost exactly 0.1 * sign(dw)
    expected = W - 0.01 * DW / (0.1 * np.abs(DW) + 1e-8)
    expect_array(next_w, expected, name="next_w (about [0.9, -2.1, 3.1])")


def test_rmsprop_two_steps_passing_the_config_back(student):
    """rmsprop keeps its cache over two steps"""
    config = {"learning_rate": 0.1, "decay_rate": 0.75}
    w1, config = _step(student.optimizers.rmsprop(W.copy(), DW.copy(), config), "rmsprop (step 1)", ["cache"])
    # cache = 0.25 * dw**2, so sqrt(cache) = 0.5 |dw| and each weight moves by about 0.2
    expect_array(config["cache"], np.array([0.0625, 0.25, 0.25]), name="config['cache'] after step 1")
    expect_array(w1, W - 0.1 * DW / (0.5 * np.abs(DW) + 1e-8), name="next_w after step 1 (about [0.8, -2.2, 3.2])")
    w2, config = _step(student.optimizers.rmsprop(w1, DW2.copy(), config), "rmsprop (step 2)", ["cache"])
    cache2 = 0.75 * np.array([0.0625, 0.25, 0.25]) + 0.25 * DW2 ** 2   # = [0.109375, 0.4375, 0.1875]
    expect_array(config["cache"], cache2, name="config['cache'] after step 2")
    expect_array(w2, w1 - 0.1 * DW2 / (np.sqrt(cache2) + 1e-8), name="next_w after step 2")


def test_adam_first_step_with_defaults(student):
    """adam's first step with the default config"""
    next_w, config = _step(student.optimizers.adam(W.copy(), DW.copy()), "adam(w, dw)",
                           ["learning_rate", "beta1", "beta2", "epsilon", "m", "v", "t"])
    expect_scalar(config["t"], 1, name="config['t'] after one step")
    expect_array(config["m"], 0.1 * DW, name="config['m'] = 0.1 * dw (not bias-corrected)")
    expect_array(config["v"], 0.001 * DW ** 2, name="config['v'] = 0.001 * dw**2 (not bias-corrected)")
    # m_hat = dw and v_hat = dw**2, so the step is 1e-3 * dw / (|dw| + 1e-8)
    expect_array(next_w, W - 1e-3 * DW / (np.abs(DW) + 1e-8), name="next_w (about [0.999, -2.001, 3.001])")


def test_adam_two_steps_passing_the_config_back(student):
    """adam keeps m, v and t over two steps"""
    config = {"learning_rate": 0.1, "beta1": 0.8, "beta2": 0.9}
    w1, config = _step(student.optimizers.adam(W.copy(), DW.copy(), config), "adam (step 1)", ["m", "v", "t"])
    # the first step: m_hat = dw and v_hat = dw**2, whatever beta1 and beta2 are
    expect_array(w1, W - 0.1 * DW / (np.abs(DW) + 1e-8), name="next_w after step 1 (about [0.9, -2.1, 3.1])")
    w2, config = _step(student.optimizers.adam(w1, DW2.copy(), config), "adam (step 2)", ["m", "v", "t"])
    expect_scalar(config["t"], 2, name="config['t'] after two steps")
    m2 = 0.8 * (0.2 * DW) + 0.2 * DW2
    v2 = 0.9 * (0.1 * DW ** 2) + 0.1 * DW2 ** 2
    expect_array(config["m"], m2, name="config['m'] after step 2")
    expect_array(config["v"], v2, name="config['v'] after step 2")
    m_hat, v_hat = m2 / (1 - 0.8 ** 2), v2 / (1 - 0.9 ** 2)
    expect_array(w2, w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8), name="next_w after step 2")
