"""Buggy versions of the reference, each a real student mistake: each must lose exactly
the tests it should, with feedback that names the cause."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import ASSIGNMENTS, failed_tests, patched_source


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str
    replacements: tuple[tuple[str, str], ...]
    fails: frozenset[str]
    says: str  # a fragment the feedback of the first failing test must contain
    lost: float  # the points this mistake costs, of the assignment's 10
    # Tests whose outcome for this mistake depends on how a broken training run happens to go
    # under the grading seed: they may pass or fail, and cost their points only if they fail.
    unstable: frozenset[str] = frozenset()


def M(id, module, replacements, fails, says, lost, unstable=()):
    return Mutant(id, module, tuple(replacements), frozenset(fails), says, lost, frozenset(unstable))


MUTANTS = [
    # -- perceptron --------------------------------------------------------------------
    M("step threshold z > 0", "perceptron",
      [("np.asarray(z) >= 0, 1, 0", "np.asarray(z) > 0, 1, 0")],
      {"test_step", "test_predict", "test_train_perceptron", "test_train_perceptron_defaults"},
      "the threshold is z >= 0, not z > 0", 6),
    M("update in the wrong direction", "perceptron",
      [("w_new = w + eta * error * x", "w_new = w - eta * error * x"),
       ("b_new = b + eta * error", "b_new = b - eta * error")],
      {"test_perceptron_update", "test_train_perceptron", "test_train_perceptron_defaults"},
      "wrong way", 5.5),
    M("errors counted after the update", "perceptron",
      [("""            mistakes += int(predict(x_i, w, b) != y_i)
            w, b = perceptron_update(w, b, x_i, y_i, eta)""",
        """            w, b = perceptron_update(w, b, x_i, y_i, eta)
            mistakes += int(predict(x_i, w, b) != y_i)""")],
      {"test_train_perceptron", "test_train_perceptron_defaults"},
      "BEFORE their update", 3.5),
    M("bias forgotten in net_input", "perceptron",
      [("return X @ w + b", "return X @ w")],
      {"test_net_input", "test_predict", "test_perceptron_update", "test_train_perceptron",
       "test_train_perceptron_defaults"},
      "the bias b is missing", 7.5),
    M("update modifies w in place", "perceptron",
      [("    w_new = w + eta * error * x\n", "    w += eta * error * x\n    w_new = w\n")],
      {"test_inputs_unchanged"},
      "modified its argument `w` in place", 1),
    M("weights start random", "perceptron",
      [("    w = np.zeros(X.shape[1])", "    w = np.random.default_rng(1).normal(size=X.shape[1])")],
      {"test_train_perceptron", "test_train_perceptron_defaults"},
      "the trained w has wrong values", 3.5),
    M("update applied on correct predictions", "perceptron",
      [("    error = y - predict(x, w, b)\n", "    error = 2 * y - 1\n")],
      {"test_perceptron_update", "test_train_perceptron", "test_train_perceptron_defaults"},
      "w changed although the prediction was right", 5.5),
    M("bias update without eta", "perceptron",
      [("b_new = b + eta * error", "b_new = b + error")],
      {"test_perceptron_update", "test_train_perceptron", "test_train_perceptron_defaults"},
      "b_new moved by the error without the learning rate", 5.5),
    M("net_input sums over the whole batch", "perceptron",
      [("return X @ w + b", "return np.sum(X * w) + b")],
      {"test_net_input", "test_predict"},
      "a single number came back where an array was expected", 2),
    M("errors as a running total", "perceptron",
      [("""    for _ in range(epochs):
        mistakes = 0
""", """    mistakes = 0
    for _ in range(epochs):
""")],
      {"test_train_perceptron", "test_train_perceptron_defaults"},
      "running total", 3.5),
    M("step gives -1 for negative z", "perceptron",
      [("np.asarray(z) >= 0, 1, 0", "np.asarray(z) >= 0, 1, -1")],
      {"test_step", "test_predict", "test_perceptron_update", "test_train_perceptron",
       "test_train_perceptron_defaults"},
      "labels are 0 and 1", 8),
    M("wrong default learning rate", "perceptron",
      [("def train_perceptron(X, y, eta=0.1, epochs=10):", "def train_perceptron(X, y, eta=0.01, epochs=10):")],
      {"test_train_perceptron_defaults"},
      "the defaults are eta = 0.01, epochs = 10", 0.5),
    # -- activations -------------------------------------------------------------------
    M("naive sigmoid overflows", "activations",
      [("""    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: safe for any z
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))""", "    return 1.0 / (1.0 + np.exp(-z))")],
      {"test_sigmoid_is_stable"},
      "overflow encountered in exp", 1),
    M("sigmoid_grad of the activation", "activations",
      [("    s = sigmoid(z)\n    return s * (1.0 - s)", "    return z * (1.0 - z)")],
      {"test_sigmoid_grad", "test_sigmoid_is_stable", "test_scalar_inputs"},
      "the derivative was applied to z instead of to sigmoid(z)", 2.5),
    M("relu_grad is 1 at zero", "activations",
      [("(np.asarray(z) > 0).astype(float)", "(np.asarray(z) >= 0).astype(float)")],
      {"test_relu_grad", "test_scalar_inputs"},
      "the derivative at z == 0 must be 0", 1.5),
    M("softmax over axis 0", "activations",
      [("shifted = Z - Z.max(axis=-1, keepdims=True)", "shifted = Z - Z.max(axis=0, keepdims=True)"),
       ("return e / e.sum(axis=-1, keepdims=True)", "return e / e.sum(axis=0, keepdims=True)")],
      {"test_softmax", "test_softmax_is_stable"},
      "not be taken along axis 0", 2.5),
    M("softmax without the max shift", "activations",
      [("shifted = Z - Z.max(axis=-1, keepdims=True)", "shifted = Z")],
      {"test_softmax_is_stable"},
      "Subtract each row's maximum", 1),
    M("tanh_grad of the activation", "activations",
      [("return 1.0 - np.tanh(z) ** 2", "return 1.0 - z ** 2")],
      {"test_tanh_grad", "test_sigmoid_is_stable", "test_scalar_inputs"},
      "applied to z instead of to tanh(z)", 2.5),
    M("relu modifies its input", "activations",
      [("def relu(z):\n    return np.maximum(0.0, z)", "def relu(z):\n    z[z < 0] = 0.0\n    return z")],
      {"test_scalar_inputs", "test_inputs_unchanged"},
      "relu raised TypeError", 1.5),
    M("sigmoid with the sign of the exponent flipped", "activations",
      [("""    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1]: safe for any z
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))""", """    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))""")],
      {"test_sigmoid", "test_sigmoid_is_stable", "test_scalar_inputs"},
      "the sign of the exponent is flipped", 2.5),
    M("sigmoid in place of its derivative", "activations",
      [("    s = sigmoid(z)\n    return s * (1.0 - s)", "    return sigmoid(z)")],
      {"test_sigmoid_grad", "test_sigmoid_is_stable", "test_scalar_inputs"},
      "this is sigmoid(z) itself, not its derivative", 2.5),
    M("tanh_grad without the square", "activations",
      [("return 1.0 - np.tanh(z) ** 2", "return 1.0 - np.tanh(z)")],
      {"test_tanh_grad", "test_sigmoid_is_stable", "test_scalar_inputs"},
      "the square is missing", 2.5),
    M("relu in place of its derivative", "activations",
      [("(np.asarray(z) > 0).astype(float)", "np.maximum(0.0, z)")],
      {"test_relu_grad", "test_scalar_inputs"},
      "this is relu(z) itself", 1.5),
    M("softmax normalised over the whole array", "activations",
      [("return e / e.sum(axis=-1, keepdims=True)", "return e / e.sum()")],
      {"test_softmax", "test_softmax_is_stable"},
      "the whole array sums to 1 instead of each row", 2.5),
    M("softmax shifted by the global maximum", "activations",
      [("shifted = Z - Z.max(axis=-1, keepdims=True)", "shifted = Z - Z.max()")],
      {"test_softmax_is_stable"},
      "Subtract each row's maximum", 1),
    M("naive tanh overflows", "activations",
      [("def tanh(z):\n    return np.tanh(z)",
        "def tanh(z):\n    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))")],
      {"test_sigmoid_is_stable"},
      "an exponential overflows", 1),
    # -- gradient descent --------------------------------------------------------------
    M("SSE without the 1/2", "gradient_descent",
      [("return float(0.5 * np.sum(residual ** 2))", "return float(np.sum(residual ** 2))")],
      {"test_sse_cost", "test_train_adaline", "test_train_adaline_defaults"},
      "the 1/2 in front of the sum is missing", 5),
    M("gradient sign flipped", "gradient_descent",
      [("    dw = -X.T @ residual\n    db = -np.sum(residual)", "    dw = X.T @ residual\n    db = np.sum(residual)")],
      {"test_sse_gradient", "test_train_adaline", "test_train_adaline_defaults"},
      "missing the minus sign", 6.5),
    M("gradient averaged over N", "gradient_descent",
      [("    dw = -X.T @ residual\n    db = -np.sum(residual)",
        "    dw = -X.T @ residual / len(y)\n    db = -np.mean(residual)")],
      {"test_sse_gradient", "test_train_adaline", "test_train_adaline_defaults"},
      "divided by N", 6.5),
    M("step goes uphill", "gradient_descent",
      [("return w - eta * dw, b - eta * db", "return w + eta * dw, b + eta * db")],
      {"test_gradient_descent_step", "test_train_adaline", "test_train_adaline_defaults"},
      "up the gradient", 5),
    M("cost recorded after the step", "gradient_descent",
      [("""        costs.append(sse_cost(w, b, X, y))
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)""", """        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
        costs.append(sse_cost(w, b, X, y))""")],
      {"test_train_adaline", "test_train_adaline_defaults"},
      "at the START of epoch e", 3.5),
    M("step modifies w in place", "gradient_descent",
      [("    return w - eta * dw, b - eta * db", "    w -= eta * dw\n    return w, b - eta * db")],
      {"test_inputs_unchanged"},
      "modified its argument `w` in place", 0.5),
    M("cost averaged instead of summed", "gradient_descent",
      [("return float(0.5 * np.sum(residual ** 2))", "return float(0.5 * np.mean(residual ** 2))")],
      {"test_sse_cost", "test_train_adaline", "test_train_adaline_defaults"},
      "the squared errors were averaged", 5),
    M("cost without the 1/2, gradient to match", "gradient_descent",
      [("return float(0.5 * np.sum(residual ** 2))", "return float(np.sum(residual ** 2))"),
       ("    dw = -X.T @ residual\n    db = -np.sum(residual)",
        "    dw = -2 * X.T @ residual\n    db = -2 * np.sum(residual)")],
      {"test_sse_cost", "test_sse_gradient", "test_train_adaline", "test_train_adaline_defaults"},
      "the 1/2 in front of the sum is missing", 8),
    M("bias never moves", "gradient_descent",
      [("return w - eta * dw, b - eta * db", "return w - eta * dw, b")],
      {"test_gradient_descent_step", "test_train_adaline", "test_train_adaline_defaults"},
      "the bias did not move", 5),
    M("weights start at one", "gradient_descent",
      [("    w = np.zeros(X.shape[1])", "    w = np.ones(X.shape[1])")],
      {"test_train_adaline", "test_train_adaline_defaults"},
      "the weights do not start from zero", 3.5),
    M("training loop steps uphill", "gradient_descent",
      [("        w, b = gradient_descent_step(w, b, dw, db, eta)", "        w, b = gradient_descent_step(w, b, -dw, -db, eta)")],
      {"test_train_adaline", "test_train_adaline_defaults"},
      "the weights move up the gradient", 3.5),
    M("per-sample updates", "gradient_descent",
      [("""        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)""", """        for x_i, y_i in zip(X, y):
            dw, db = sse_gradient(w, b, x_i[None, :], np.array([y_i]))
            w, b = gradient_descent_step(w, b, dw, db, eta)""")],
      {"test_train_adaline", "test_train_adaline_defaults"},
      "stochastic gradient descent", 3.5),
    M("cost without the sum", "gradient_descent",
      [("return float(0.5 * np.sum(residual ** 2))", "return 0.5 * residual ** 2")],
      {"test_sse_cost", "test_train_adaline", "test_train_adaline_defaults"},
      "is the final sum (or mean) missing?", 5),
    # -- mlp ---------------------------------------------------------------------------
    M("db averaged in affine_backward", "mlp",
      [("    db = dout.sum(axis=0)", "    db = dout.mean(axis=0)")],
      {"test_affine_backward", "test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss"},
      "db was averaged over the N = 4 samples", 3),
    M("dW transposed", "mlp",
      [("    dW = X.T @ dout", "    dW = dout.T @ X")],
      {"test_affine_backward", "test_loss_value", "test_gradients", "test_gradients_with_regularization",
       "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss", "test_train_mlp_learns",
       "test_inputs_unchanged"},
      "the result is transposed", 5.5),
    M("regularization gradient missing", "mlp",
      [('grads[f"W{l}"] = dW + reg * params[f"W{l}"]', 'grads[f"W{l}"] = dW')],
      {"test_gradients_with_regularization", "test_gradients_match_own_loss"},
      "missing the regularization term", 1),
    M("activation derivative of the activation", "mlp",
      [("            _, Z_prev = cache[l - 2]\n            dZ = dA_prev * g_prime(Z_prev)",
        "            dZ = dA_prev * g_prime(A_prev)")],
      {"test_gradients_sigmoid_tanh"},
      "applied to the layer's output A = g(Z) instead of to its pre-activation Z", 0.5),
    M("one-sided numerical gradient", "mlp",
      [("""        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)""", """        x[i] = old
        f_minus = f()
        grad[i] = (f_plus - f_minus) / h""")],
      {"test_numerical_gradient"},
      "one-sided difference", 1),
    M("numerical gradient leaves x perturbed", "mlp",
      [("""        f_minus = f()
        x[i] = old
""", """        f_minus = f()
""")],
      {"test_numerical_gradient"},
      "did not restore x", 1),
    M("cross-entropy summed", "mlp",
      [("return float(-np.mean(np.log(probs[np.arange(n), y])))", "return float(-np.sum(np.log(probs[np.arange(n), y])))")],
      {"test_cross_entropy_loss", "test_loss_value", "test_gradients_match_own_loss"},
      "summed over the N = 5 samples", 1.5),
    M("Xavier instead of He initialisation", "mlp",
      [("np.sqrt(2.0 / fan_in)", "np.sqrt(1.0 / fan_in)")],
      {"test_init_params_scale_and_seed"},
      "He initialisation uses sqrt(2 / fan_in)", 0.5),
    M("bias gradient summed over the units", "mlp",
      [("    db = dout.sum(axis=0)", "    db = dout.sum(axis=1)")],
      {"test_affine_backward", "test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss",
       "test_gradients_with_regularization", "test_train_mlp_learns"},
      "db sums over the samples (axis 0)", 4.5),
    M("one-hot labels not subtracted", "mlp",
      [("    dZ[np.arange(n), y] -= 1.0\n", "")],
      {"test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss", "test_train_mlp_learns"},
      "subtract 1 at each sample's true class", 3),
    M("hidden derivative omitted", "mlp",
      [("            dZ = dA_prev * g_prime(Z_prev)", "            dZ = dA_prev")],
      {"test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss"},
      "without being multiplied by its derivative", 2),
    M("activation in place of its derivative", "mlp",
      [('    g_prime = {"relu": relu_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad}[activation]',
        '    g_prime = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}[activation]')],
      {"test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss"},
      "the activation itself was used where its derivative belongs", 2),
    M("output gradient not averaged", "mlp",
      [("    dZ /= n  # gradient of the mean cross-entropy w.r.t. the output logits\n", "")],
      {"test_gradients", "test_gradients_sigmoid_tanh", "test_gradients_match_own_loss"},
      "times too large: the loss is a mean", 2, unstable={"test_train_mlp_learns"}),
    M("regularization gradient doubled", "mlp",
      [('grads[f"W{l}"] = dW + reg * params[f"W{l}"]', 'grads[f"W{l}"] = dW + 2 * reg * params[f"W{l}"]')],
      {"test_gradients_with_regularization", "test_gradients_match_own_loss"},
      "the regularization term is 2 * reg", 1),
    M("biases regularized", "mlp",
      [('        grads[f"b{l}"] = db\n', '        grads[f"b{l}"] = db + reg * params[f"b{l}"]\n')],
      {"test_gradients_with_regularization", "test_gradients_match_own_loss"},
      "the biases are regularized", 1),
    M("L2 penalty without the 0.5", "mlp",
      [("loss += 0.5 * reg * sum(", "loss += reg * sum(")],
      {"test_loss_value", "test_gradients_match_own_loss"},
      "the L2 term is missing its 0.5", 1),
    M("L2 penalty missing from the loss", "mlp",
      [("    loss += 0.5 * reg * sum(np.sum(params[f\"W{l}\"] ** 2) for l in range(1, L + 1))\n", "")],
      {"test_loss_value", "test_gradients_match_own_loss"},
      "the loss is missing the L2 term", 1),
    M("biases initialised at random", "mlp",
      [("        params[f\"b{l}\"] = np.zeros(fan_out)", "        params[f\"b{l}\"] = rng.normal(0.0, 0.1, size=fan_out)")],
      {"test_init_params_shapes"},
      "the biases must start at zero", 0.5),
    M("weights from the global random state", "mlp",
      [("rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))",
        "np.random.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))")],
      {"test_init_params_scale_and_seed"},
      "not from the global random state", 0.5),
    M("affine_forward without the bias", "mlp",
      [("def affine_forward(X, W, b):\n    return X @ W + b", "def affine_forward(X, W, b):\n    return X @ W")],
      {"test_affine_forward", "test_forward", "test_loss_value", "test_gradients", "test_gradients_sigmoid_tanh",
       "test_gradients_match_own_loss"},
      "the bias b is missing", 4),
    M("SGD result discarded", "mlp",
      [("            params = sgd_step(params, grads, lr)", "            sgd_step(params, grads, lr)")],
      {"test_train_mlp_learns"},
      "train_mlp returned the parameters it started from", 1),
    # -- keras -------------------------------------------------------------------------
    M("relu output layer", "keras_model",
      [('Dense(num_classes, activation="softmax")', 'Dense(num_classes, activation="relu")')],
      {"test_default_architecture", "test_architecture_follows_arguments", "test_trained_accuracy"},
      "the output layer uses activation 'relu'", 6),
    M("categorical loss for integer labels", "keras_model",
      [('loss="sparse_categorical_crossentropy"', 'loss="categorical_crossentropy"')],
      {"test_compile_settings", "test_trained_accuracy"},
      "categorical_crossentropy expects one-hot labels", 4),
    M("no Flatten", "keras_model",
      [("model = keras.Sequential([keras.Input(shape=input_shape), keras.layers.Flatten()])",
        "model = keras.Sequential([keras.Input(shape=input_shape)])")],
      {"test_default_architecture", "test_architecture_follows_arguments", "test_trained_accuracy"},
      "not Flatten", 6),
    M("hidden units fixed", "keras_model",
      [("    for units in hidden_units:", "    for units in (64,):")],
      {"test_architecture_follows_arguments"},
      "expected 4: Flatten, one Dense per entry of hidden_units", 1.5),
    M("predict_classes returns probabilities", "keras_model",
      [("return np.argmax(model.predict(X, verbose=0), axis=1)", "return model.predict(X, verbose=0)")],
      {"test_predict_classes", "test_trained_accuracy"},
      "the probabilities", 3.5),
    M("not compiled", "keras_model",
      [("""    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
""", "")],
      {"test_compile_settings", "test_trained_accuracy"},
      "not compiled", 4),
    M("32 hidden units", "keras_model",
      [('model.add(keras.layers.Dense(units, activation="relu"))', 'model.add(keras.layers.Dense(32, activation="relu"))')],
      {"test_default_architecture", "test_architecture_follows_arguments"},
      "the units must come from the arguments", 3.5),
    M("learning rate ten times too large", "keras_model",
      [("Adam(learning_rate=1e-3)", "Adam(learning_rate=1e-2)")],
      {"test_compile_settings"},
      "Adam's learning rate is 0.01; expected 1e-3", 1.5),
    M("preprocess keeps float64", "keras_model",
      [('return (np.asarray(images) / 16.0).astype("float32")', "return np.asarray(images) / 16.0")],
      {"test_preprocess"},
      "the task asks for float32", 1.5),
    M("X and y shuffled separately", "keras_model",
      [("    return model.fit(X, y, epochs=epochs,",
        "    X, y = np.random.default_rng(0).permutation(X), np.random.default_rng(1).permutation(y)\n"
        "    return model.fit(X, y, epochs=epochs,")],
      {"test_trained_accuracy"},
      "your model classifies", 2.5),
    M("one epoch whatever is asked", "keras_model",
      [("model.fit(X, y, epochs=epochs,", "model.fit(X, y, epochs=1,")],
      {"test_trained_accuracy"},
      "your model classifies", 2.5),
    M("sigmoid hidden layers", "keras_model",
      [('model.add(keras.layers.Dense(units, activation="relu"))', 'model.add(keras.layers.Dense(units, activation="sigmoid"))')],
      {"test_default_architecture", "test_architecture_follows_arguments"},
      "hidden layer 1 uses activation 'sigmoid'", 3.5, unstable={"test_trained_accuracy"}),
]


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_loses_what_it_should(mutant, grade_files):
    source = patched_source(mutant.module, list(mutant.replacements))
    result = grade_files({f"{mutant.module}.py": source}, [mutant.module])
    failed = failed_tests(result)
    assert set(failed) - mutant.unstable == mutant.fails, failed
    first = next(t for t in result.tests if t.status != "passed")
    assert mutant.says in first.feedback, first.feedback
    unstable_lost = sum(t.max_score for t in result.tests if t.status != "passed" and t.nodeid.split("::")[-1] in
                        mutant.unstable)
    assert result.max_score - result.score == pytest.approx(mutant.lost + unstable_lost)


def test_at_least_sixty_mutants_and_five_per_assignment():
    
    assert len(MUTANTS) >= 60 and len({m.id for m in MUTANTS}) == len(MUTANTS)
    for assignment in ASSIGNMENTS:
        assert sum(m.module == assignment for m in MUTANTS) >= 5, assignment


def test_readme_states_the_counts_and_the_catch_rate():
    from conftest import ROOT
    from test_correct_variants import VARIANTS

    readme = (ROOT / "README.md").read_text()
    caught = sum(m.lost > 0 for m in MUTANTS)
    assert f"**{len(MUTANTS)} buggy implementations**" in readme
    assert f"**All {caught} lose points (catch rate {100 * caught // len(MUTANTS)}%)**" in readme
    assert f"**{len(VARIANTS)} correct implementations in other styles**" in readme
