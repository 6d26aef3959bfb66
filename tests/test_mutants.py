"""Buggy versions of the reference, each a real student mistake: each must lose exactly
the tests it should, with feedback that names the cause."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import failed_tests, patched_source


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str
    replacements: tuple[tuple[str, str], ...]
    fails: frozenset[str]
    says: str  # a fragment the feedback of the first failing test must contain


def M(id, module, replacements, fails, says):
    return Mutant(id, module, tuple(replacements), frozenset(fails), says)


MUTANTS = [
    # -- perceptron --------------------------------------------------------------------
    M("step threshold z > 0", "perceptron",
      [("np.asarray(z) >= 0, 1, 0", "np.asarray(z) > 0, 1, 0")],
      {"test_step", "test_predict", "test_train_perceptron", "test_train_perceptron_defaults"},
      "the threshold is z >= 0, not z > 0"),
    M("update in the wrong direction", "perceptron",
      [("w_new = w + eta * error * x", "w_new = w - eta * error * x"),
       ("b_new = b + eta * error", "b_new = b - eta * error")],
      {"test_perceptron_update", "test_train_perceptron", "test_train_perceptron_defaults"},
      "wrong way"),
    M("errors counted after the update", "perceptron",
      [("""            mistakes += int(predict(x_i, w, b) != y_i)
            w, b = perceptron_update(w, b, x_i, y_i, eta)""",
        """            w, b = perceptron_update(w, b, x_i, y_i, eta)
            mistakes += int(predict(x_i, w, b) != y_i)""")],
      {"test_train_perceptron", "test_train_perceptron_defaults"},
      "BEFORE their update"),
    M("bias forgotten in net_input", "perceptron",
      [("return X @ w + b", "return X @ w")],
      {"test_net_input", "test_predict", "test_perceptron_update", "test_train_perceptron",
       "test_train_perceptron_defaults"},
      "the bias b is missing"),
    M("update modifies w in place", "perceptron",
      [("    w_new = w + eta * error * x\n", "    w += eta * error * x\n    w_new = w\n")],
      {"test_inputs_unchanged"},
      "modified its argument `w` in place"),
    M("weights start random", "perceptron",
      [("    w = np.zeros(X.shape[1])", "    w = np.random.default_rng(1).normal(size=X.shape[1])")],
      {"test_train_perceptron", "test_train_perceptron_defaults"},
      "the trained w has wrong values"),
    # -- activations -------------------------------------------------------------------
    M("naive sigmoid overflows", "activations",
      [("""    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: safe for any z
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))""", "    return 1.0 / (1.0 + np.exp(-z))")],
      {"test_sigmoid_is_stable"},
      "overflow encountered in exp"),
    M("sigmoid_grad of the activation", "activations",
      [("    s = sigmoid(z)\n    return s * (1.0 - s)", "    return z * (1.0 - z)")],
      {"test_sigmoid_grad", "test_scalar_inputs"},
      "the derivative was applied to z instead of to sigmoid(z)"),
    M("relu_grad is 1 at zero", "activations",
      [("(np.asarray(z) > 0).astype(float)", "(np.asarray(z) >= 0).astype(float)")],
      {"test_relu_grad", "test_scalar_inputs"},
      "the derivative at z == 0 must be 0"),
    M("softmax over axis 0", "activations",
      [("shifted = Z - Z.max(axis=-1, keepdims=True)", "shifted = Z - Z.max(axis=0, keepdims=True)"),
       ("return e / e.sum(axis=-1, keepdims=True)", "return e / e.sum(axis=0, keepdims=True)")],
      {"test_softmax", "test_softmax_is_stable"},
      "not be taken along axis 0"),
    M("softmax without the max shift", "activations",
      [("shifted = Z - Z.max(axis=-1, keepdims=True)", "shifted = Z")],
      {"test_softmax_is_stable"},
      "Subtract each row's maximum"),
    M("tanh_grad of the activation", "activations",
      [("return 1.0 - np.tanh(z) ** 2", "return 1.0 - z ** 2")],
      {"test_tanh_grad", "test_scalar_inputs"},
      "applied to z instead of to tanh(z)"),
    M("relu modifies its input", "activations",
      [("def relu(z):\n    return np.maximum(0.0, z)", "def relu(z):\n    z[z < 0] = 0.0\n    return z")],
      {"test_scalar_inputs", "test_inputs_unchanged"},
      "relu raised TypeError"),
    # -- gradient descent --------------------------------------------------------------
    M("SSE without the 1/2", "gradient_descent",
      [("return float(0.5 * np.sum(residual ** 2))", "return float(np.sum(residual ** 2))")],
      {"test_sse_cost", "test_train_adaline", "test_train_adaline_defaults"},
      "the 1/2 in front of the sum is missing"),
    M("gradient sign flipped", "gradient_descent",
      [("    dw = -X.T @ residual\n    db = -np.sum(residual)", "    dw = X.T @ residual\n    db = np.sum(residual)")],
      {"test_sse_gradient", "test_train_adaline", "test_train_adaline_defaults"},
      "missing the minus sign"),
    M("gradient averaged over N", "gradient_descent",
      [("    dw = -X.T @ residual\n    db = -np.sum(residual)",
        "    dw = -X.T @ residual / len(y)\n    db = -np.mean(residual)")],
      {"test_sse_gradient", "test_train_adaline", "test_train_adaline_defaults"},
      "divided by N"),
    M("step goes uphill", "gradient_descent",
      [("return w - eta * dw, b - eta * db", "return w + eta * dw, b + eta * db")],
      {"test_gradient_descent_step", "test_train_adaline", "test_train_adaline_defaults"},
      "up the gradient"),
    M("cost recorded after the step", "gradient_descent",
      [("""        costs.append(sse_cost(w, b, X, y))
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)""", """        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
        costs.append(sse_cost(w, b, X, y))""")],
      {"test_train_adaline", "test_train_adaline_defaults"},
      "at the START of epoch e"),
    M("step modifies w in place", "gradient_descent",
      [("    return w - eta * dw, b - eta * db", "    w -= eta * dw\n    return w, b - eta * db")],
      {"test_inputs_unchanged"},
      "modified its argument `w` in place"),
    # -- mlp ---------------------------------------------------------------------------
    M("db averaged in affine_backward", "mlp",
      [("    db = dout.sum(axis=0)", "    db = dout.mean(axis=0)")],
      {"test_affine_backward", "test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss"},
      "db was averaged over the N = 4 samples"),
    M("dW transposed", "mlp",
      [("    dW = X.T @ dout", "    dW = dout.T @ X")],
      {"test_affine_backward", "test_loss_value", "test_gradients", "test_gradients_with_regularization",
       "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss", "test_train_mlp_learns",
       "test_inputs_unchanged"},
      "transposed"),
    M("regularization gradient missing", "mlp",
      [('grads[f"W{l}"] = dW + reg * params[f"W{l}"]', 'grads[f"W{l}"] = dW')],
      {"test_gradients_with_regularization", "test_gradients_match_own_loss"},
      "missing the regularization term"),
    M("activation derivative of the activation", "mlp",
      [("            _, Z_prev = cache[l - 2]\n            dZ = dA_prev * g_prime(Z_prev)",
        "            dZ = dA_prev * g_prime(A_prev)")],
      {"test_gradients_sigmoid_tanh"},
      "applied to the layer's output A = g(Z) instead of to its pre-activation Z"),
    M("one-sided numerical gradient", "mlp",
      [("""        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)""", """        x[i] = old
        f_minus = f()
        grad[i] = (f_plus - f_minus) / h""")],
      {"test_numerical_gradient"},
      "one-sided difference"),
    M("numerical gradient leaves x perturbed", "mlp",
      [("""        f_minus = f()
        x[i] = old
""", """        f_minus = f()
""")],
      {"test_numerical_gradient"},
      "did not restore x"),
    M("cross-entropy summed", "mlp",
      [("return float(-np.mean(np.log(probs[np.arange(n), y])))", "return float(-np.sum(np.log(probs[np.arange(n), y])))")],
      {"test_cross_entropy_loss", "test_loss_value", "test_gradients_match_own_loss"},
      "summed over the N = 5 samples"),
    M("Xavier instead of He initialisation", "mlp",
      [("np.sqrt(2.0 / fan_in)", "np.sqrt(1.0 / fan_in)")],
      {"test_init_params_scale_and_seed"},
      "He initialisation uses sqrt(2 / fan_in)"),
    # -- keras -------------------------------------------------------------------------
    M("relu output layer", "keras_model",
      [('Dense(num_classes, activation="softmax")', 'Dense(num_classes, activation="relu")')],
      {"test_default_architecture", "test_architecture_follows_arguments", "test_trained_accuracy"},
      "the output layer uses activation 'relu'"),
    M("categorical loss for integer labels", "keras_model",
      [('loss="sparse_categorical_crossentropy"', 'loss="categorical_crossentropy"')],
      {"test_compile_settings", "test_trained_accuracy"},
      "categorical_crossentropy expects one-hot labels"),
    M("no Flatten", "keras_model",
      [("model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])",
        "model = keras.Sequential([keras.Input(shape=input_shape)])")],
      {"test_default_architecture", "test_architecture_follows_arguments", "test_trained_accuracy"},
      "not Flatten"),
    M("hidden units fixed", "keras_model",
      [("    for units in hidden_units:", "    for units in (64,):")],
      {"test_architecture_follows_arguments"},
      "units"),
    M("predict_classes returns probabilities", "keras_model",
      [("return np.argmax(model.predict(X, verbose=0), axis=1)", "return model.predict(X, verbose=0)")],
      {"test_predict_classes", "test_trained_accuracy"},
      "the probabilities"),
    M("not compiled", "keras_model",
      [("""    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
""", "")],
      {"test_compile_settings", "test_trained_accuracy"},
      "not compiled"),
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_loses_what_it_should(mutant, grade_files):
    source = patched_source(mutant.module, list(mutant.replacements))
    result = grade_files({f"{mutant.module}.py": source}, [mutant.module])
    failed = failed_tests(result)
    assert set(failed) == mutant.fails, failed
    first = next(t for t in result.tests if t.status != "passed")
    assert mutant.says in first.feedback, first.feedback
    lost = result.max_score - result.score
    assert lost == pytest.approx(sum(t.max_score for t in result.tests if t.status != "passed"))


def test_at_least_five_mutants_per_assignment():
    from autograder.curriculum import ASSIGNMENTS

    for assignment in ASSIGNMENTS:
        assert sum(m.module == assignment for m in MUTANTS) >= 5, assignment
