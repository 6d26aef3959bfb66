"""Correct implementations written differently from the reference must get full marks."""
from __future__ import annotations

import pytest

from conftest import ROOT, failed_tests

ALICE = ROOT / "examples" / "submissions" / "alice"

PERCEPTRON_LOOPS = '''
import numpy as np


def net_input(X, w, b):
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        return sum(x_j * w_j for x_j, w_j in zip(X, w)) + b
    return np.array([sum(x_j * w_j for x_j, w_j in zip(row, w)) + b for row in X])


def step(z):
    z = np.asarray(z)
    out = np.zeros(z.shape, dtype=int)
    for index in np.ndindex(z.shape):
        out[index] = 1 if z[index] >= 0 else 0
    return out if out.ndim else int(out)


def predict(X, w, b):
    return step(net_input(X, w, b))


def perceptron_update(w, b, x, y, eta):
    error = y - predict(x, w, b)
    return np.array([w_j + eta * error * x_j for w_j, x_j in zip(w, x)]), b + eta * error


def train_perceptron(X, y, eta=0.1, epochs=10):
    w, b, errors = np.zeros(len(X[0])), 0.0, []
    for _ in range(epochs):
        count = 0
        for i in range(len(y)):
            if predict(X[i], w, b) != y[i]:
                count += 1
            w, b = perceptron_update(w, b, X[i], y[i], eta)
        errors.append(count)
    return w, b, np.array(errors)
'''

PERCEPTRON_EINSUM_FLOAT32 = '''
import numpy as np


def net_input(X, w, b):
    return np.einsum("...j,j->...", np.asarray(X, np.float32), np.asarray(w, np.float32)) + np.float32(b)


def step(z):
    return np.heaviside(z, 1.0)


def predict(X, w, b):
    return step(net_input(X, w, b)).astype(np.int64)


def perceptron_update(w, b, x, y, eta):
    delta = eta * (y - predict(x, w, b))
    return (w + delta * x).astype(np.float32), np.float32(b + delta)


def train_perceptron(X, y, eta=0.1, epochs=10):
    w, b = np.zeros(X.shape[1], dtype=np.float32), np.float32(0.0)
    errors = []
    for _ in range(epochs):
        wrong = [predict(x, w, b) != t for x, t in zip(X, y)][:0]
        for x, t in zip(X, y):
            wrong.append(predict(x, w, b) != t)
            w, b = perceptron_update(w, b, x, t, eta)
        errors.append(int(np.sum(wrong)))
    return w, b, errors
'''

PERCEPTRON_VECTOR_BOOL = '''
import numpy as np


def net_input(X, w, b):
    return np.dot(X, w) + b


def step(z):
    return (np.asarray(z) >= 0) * 1.0


def predict(X, w, b):
    return step(net_input(X, w, b))


def perceptron_update(w, b, x, y, eta):
    update = eta * (y - predict(x, w, b))
    return w + update * x, b + update


def train_perceptron(X, y, eta=0.1, epochs=10):
    w = np.zeros(X.shape[1])
    b = 0.0
    errors = np.zeros(epochs, dtype=int)
    for epoch in range(epochs):
        for x_i, target in zip(X, y):
            errors[epoch] += predict(x_i, w, b) != target
            w, b = perceptron_update(w, b, x_i, target, eta)
    return w, b, errors
'''

ACTIVATIONS_MASKED = '''
import numpy as np


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    out[~pos] = np.exp(z[~pos]) / (1 + np.exp(z[~pos]))
    return out if out.ndim else out[()]


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 / np.cosh(np.clip(z, -350, 350)) ** 2


def relu(z):
    return z * (np.asarray(z) > 0)


def relu_grad(z):
    return np.heaviside(z, 0.0)


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    if Z.ndim == 1:
        e = np.exp(Z - Z.max())
        return e / e.sum()
    e = np.exp(Z - Z.max(axis=-1)[..., None])
    return e / e.sum(axis=-1)[..., None]
'''

ACTIVATIONS_CLIPPED_FLOAT32 = '''
import numpy as np


def sigmoid(z):
    z = np.clip(np.asarray(z, dtype=np.float32), -80, 80)
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s - s * s


def tanh(z):
    z = np.clip(np.asarray(z, dtype=np.float32), -20, 20)
    e = np.exp(-2 * z)
    return (1 - e) / (1 + e)


def tanh_grad(z):
    return 1 - tanh(z) ** 2


def relu(z):
    return np.where(np.asarray(z) > 0, z, 0.0)


def relu_grad(z):
    return np.asarray(z) > 0


def softmax(Z):
    Z = np.asarray(Z, dtype=np.float32)
    Z = Z - np.max(Z, axis=Z.ndim - 1, keepdims=True)
    return np.exp(Z) / np.sum(np.exp(Z), axis=Z.ndim - 1, keepdims=True)
'''

ACTIVATIONS_LOGADDEXP = '''
import numpy as np
from math import exp


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def sigmoid_grad(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, float)) - np.logaddexp(0.0, np.asarray(z, float)))


def tanh(z):
    return 2 * sigmoid(2 * np.asarray(z)) - 1


def tanh_grad(z):
    return 4 * sigmoid_grad(2 * np.asarray(z))


def relu(z):
    return np.clip(z, 0, None)


def relu_grad(z):
    return np.greater(z, 0).astype(np.int8)


def softmax(Z):
    Z = np.asarray(Z, dtype=float)
    log_norm = np.logaddexp.reduce(Z, axis=-1, keepdims=True)
    return np.exp(Z - log_norm)
'''

GRADIENT_DESCENT_LOOPS = '''
import numpy as np


def sse_cost(w, b, X, y):
    return sum(0.5 * (y_i - (sum(x_ij * w_j for x_ij, w_j in zip(x_i, w)) + b)) ** 2 for x_i, y_i in zip(X, y))


def sse_gradient(w, b, X, y):
    dw, db = np.zeros(len(w)), 0.0
    for x_i, y_i in zip(X, y):
        err = y_i - (np.dot(x_i, w) + b)
        dw -= err * x_i
        db -= err
    return dw, db


def gradient_descent_step(w, b, dw, db, eta):
    delta_w = -eta * dw
    delta_b = -eta * db
    return w + delta_w, b + delta_b


def train_adaline(X, y, eta=0.01, epochs=50):
    w, b, costs = np.zeros(X.shape[1]), 0.0, []
    for epoch in range(epochs):
        costs.append(sse_cost(w, b, X, y))
        w, b = gradient_descent_step(w, b, *sse_gradient(w, b, X, y), eta)
    return w, b, costs
'''

GRADIENT_DESCENT_EINSUM = '''
import numpy as np


def sse_cost(w, b, X, y):
    r = y - np.einsum("ij,j->i", X, w) - b
    return 0.5 * np.einsum("i,i->", r, r)


def sse_gradient(w, b, X, y):
    r = y - np.einsum("ij,j->i", X, w) - b
    return -np.einsum("ij,i->j", X, r), -r.sum()


def gradient_descent_step(w, b, dw, db, eta):
    return np.subtract(w, eta * dw), b - eta * db


def train_adaline(X, y, eta=0.01, epochs=50):
    w, b = np.zeros(X.shape[1]), 0.0
    costs = np.empty(epochs)
    for e in range(epochs):
        costs[e] = sse_cost(w, b, X, y)
        dw, db = sse_gradient(w, b, X, y)
        w, b = gradient_descent_step(w, b, dw, db, eta)
    return w, b, costs
'''

GRADIENT_DESCENT_FLOAT32 = GRADIENT_DESCENT_EINSUM.replace(
    'r = y - np.einsum("ij,j->i", X, w) - b',
    'r = (y - X @ w - b).astype(np.float32).astype(np.float64)'
).replace("import numpy as np", "import numpy as np  # residuals rounded to float32")

MLP_EINSUM = '''
import numpy as np
import activations as act


def init_params(layer_sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[i - 1], layer_sizes[i]
        params["W" + str(i)] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)
        params["b" + str(i)] = np.zeros((fan_out,))
    return params


def affine_forward(X, W, b):
    return np.einsum("nd,dm->nm", X, W) + b


def affine_backward(dout, X, W):
    return np.einsum("nm,dm->nd", dout, W), np.einsum("nd,nm->dm", X, dout), np.einsum("nm->m", dout)


GRADS = {"relu": act.relu_grad, "sigmoid": act.sigmoid_grad, "tanh": act.tanh_grad}


def forward(params, X, activation="relu"):
    f = getattr(act, activation)
    L = len(params) // 2
    zs, hs = [], [X]
    for l in range(1, L + 1):
        z = affine_forward(hs[-1], params[f"W{l}"], params[f"b{l}"])
        zs.append(z)
        hs.append(f(z) if l < L else act.softmax(z))
    return hs[-1], {"zs": zs, "hs": hs}


def cross_entropy_loss(probs, y):
    return -np.log(probs[np.arange(len(y)), y]).sum() / len(y)


def loss_and_grads(params, X, y, reg=0.0, activation="relu"):
    probs, cache = forward(params, X, activation)
    L = len(params) // 2
    loss = cross_entropy_loss(probs, y) + 0.5 * reg * sum((params[f"W{l}"] ** 2).sum() for l in range(1, L + 1))
    onehot = np.eye(probs.shape[1])[y]
    delta = (probs - onehot) / len(y)
    grads = {}
    for l in reversed(range(1, L + 1)):
        dh, dW, db = affine_backward(delta, cache["hs"][l - 1], params[f"W{l}"])
        grads[f"W{l}"], grads[f"b{l}"] = dW + reg * params[f"W{l}"], db
        if l > 1:
            delta = dh * GRADS[activation](cache["zs"][l - 2])
    return loss, grads


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        up = f()
        flat[i] = keep - h
        down = f()
        flat[i] = keep
        g[i] = (up - down) / (2 * h)
    return grad


def sgd_step(params, grads, lr):
    new = dict(params)
    for k in new:
        new[k] = new[k] - lr * grads[k]
    return new


def train_mlp(X, y, hidden_sizes, lr=0.1, epochs=30, batch_size=32, reg=1e-4, activation="relu", seed=0):
    params = init_params([X.shape[1]] + list(hidden_sizes) + [int(y.max()) + 1], seed)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for start in range(0, len(X), batch_size):  # no shuffling: the data order is fine
            loss, grads = loss_and_grads(params, X[start:start + batch_size], y[start:start + batch_size], reg,
                                         activation)
            params = sgd_step(params, grads, lr)
            total += loss * len(X[start:start + batch_size])
        losses.append(total / len(X))
    return params, losses
'''

MLP_FLOAT32 = (MLP_EINSUM
               .replace('    return np.einsum("nd,dm->nm", X, W) + b',
                        '    return (np.einsum("nd,dm->nm", X, W) + b).astype(np.float32)')
               .replace("import activations as act", "import activations as act  # float32 activations"))

MLP_LAYER_LISTS = '''
import numpy as np
from activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad, softmax


def init_params(layer_sizes, seed=0):
    rng = np.random.default_rng(seed)
    return {name: value
            for l in range(1, len(layer_sizes))
            for name, value in ((f"W{l}", rng.normal(size=(layer_sizes[l - 1], layer_sizes[l]))
                                 * np.sqrt(2.0 / layer_sizes[l - 1])),
                                (f"b{l}", np.zeros(layer_sizes[l])))}


def affine_forward(X, W, b):
    return np.dot(X, W) + b


def affine_backward(dout, X, W):
    dX = np.dot(dout, W.T)
    dW = np.dot(X.T, dout)
    db = np.sum(dout, axis=0)
    return dX, dW, db


def forward(params, X, activation="relu"):
    g = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}[activation]
    n_layers = len(params) // 2
    inputs, pre = [], []
    A = np.asarray(X, dtype=np.float32).astype(np.float64)   # float32 inputs, float64 maths
    for l in range(1, n_layers + 1):
        inputs.append(A)
        Z = affine_forward(A, params["W%d" % l], params["b%d" % l])
        pre.append(Z)
        A = softmax(Z) if l == n_layers else g(Z)
    return A, (inputs, pre)


def cross_entropy_loss(probs, y):
    picked = np.array([probs[i, y[i]] for i in range(len(y))])
    return float(np.mean(-np.log(picked)))


def loss_and_grads(params, X, y, reg=0.0, activation="relu"):
    g_prime = {"relu": relu_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad}[activation]
    probs, (inputs, pre) = forward(params, X, activation)
    n_layers = len(params) // 2
    loss = cross_entropy_loss(probs, y)
    for l in range(1, n_layers + 1):
        loss += 0.5 * reg * np.sum(params["W%d" % l] * params["W%d" % l])
    d = probs.copy()
    for i in range(len(y)):
        d[i, y[i]] -= 1
    d = d / len(y)
    grads = {}
    for l in range(n_layers, 0, -1):
        dA, grads["W%d" % l], grads["b%d" % l] = affine_backward(d, inputs[l - 1], params["W%d" % l])
        grads["W%d" % l] = grads["W%d" % l] + reg * params["W%d" % l]
        if l > 1:
            d = dA * g_prime(pre[l - 2])
    return loss, grads


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def sgd_step(params, grads, lr):
    return {k: v - lr * grads[k] for k, v in params.items()}


def train_mlp(X, y, hidden_sizes, lr=0.1, epochs=30, batch_size=32, reg=1e-4, activation="relu", seed=0):
    rng = np.random.default_rng(seed + 1)
    params = init_params([X.shape[1], *hidden_sizes, len(np.unique(y))], seed)
    losses = []
    for _ in range(epochs):
        idx = rng.permutation(len(X))
        batches = [idx[i:i + batch_size] for i in range(0, len(X), batch_size)]
        epoch_losses = []
        for batch in batches:
            loss, grads = loss_and_grads(params, X[batch], y[batch], reg, activation)
            params = sgd_step(params, grads, lr)
            epoch_losses.append(loss)
        losses.append(np.mean(epoch_losses))
    return params, losses
'''

KERAS_TF_FUNCTIONS = '''
import numpy as np
import tensorflow as tf


def preprocess(images):
    return np.array(images, dtype=np.float32) * np.float32(1.0 / 16.0)


def build_model(input_shape=(8, 8), num_classes=10, hidden_units=(64,)):
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Input(shape=input_shape))
    model.add(tf.keras.layers.Flatten())
    for h in hidden_units:
        model.add(tf.keras.layers.Dense(units=h, activation=tf.nn.relu))
    model.add(tf.keras.layers.Dense(units=num_classes, activation=tf.nn.softmax))
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
                  loss=tf.keras.losses.sparse_categorical_crossentropy, metrics=["accuracy"])
    return model


def train_model(model, X, y, epochs=20, batch_size=32):
    return model.fit(x=X, y=y, batch_size=batch_size, epochs=epochs, verbose=0, validation_split=0.1)


def predict_classes(model, X):
    return tf.argmax(model.predict(X, verbose=0), axis=1).numpy()
'''

VARIANTS = [
    ("perceptron", "loops", PERCEPTRON_LOOPS),
    ("perceptron", "einsum and float32", PERCEPTRON_EINSUM_FLOAT32),
    ("perceptron", "np.dot, boolean step, error counts in an array", PERCEPTRON_VECTOR_BOOL),
    ("activations", "clipped, float32, boolean relu_grad", ACTIVATIONS_CLIPPED_FLOAT32),
    ("activations", "logaddexp", ACTIVATIONS_LOGADDEXP),
    ("activations", "masked branches, sech^2, heaviside", ACTIVATIONS_MASKED),
    ("gradient_descent", "loops", GRADIENT_DESCENT_LOOPS),
    ("gradient_descent", "einsum", GRADIENT_DESCENT_EINSUM),
    ("gradient_descent", "float32 residuals", GRADIENT_DESCENT_FLOAT32),
    ("mlp", "einsum, flat numerical gradient, no shuffling", MLP_EINSUM),
    ("mlp", "float32 layers", MLP_FLOAT32),
    ("mlp", "layer lists, np.nditer, float32 inputs", MLP_LAYER_LISTS),
    ("perceptron", "np.dot, astype(int), index loop (the alice example)", (ALICE / "perceptron.py").read_text()),
    ("activations", "sigmoid through tanh (the alice example)", (ALICE / "activations.py").read_text()),
    ("mlp", "if/elif activations, cache dict, np.ndindex (the alice example)", (ALICE / "mlp.py").read_text()),
    ("keras_model", "layer objects, loss object, model(X) (the alice example)", (ALICE / "keras_model.py").read_text()),
    ("keras_model", "tf.keras, tf.nn activations, loss function, tf.argmax", KERAS_TF_FUNCTIONS),
]


@pytest.mark.parametrize("module,style,source", VARIANTS, ids=[f"{m}: {s}" for m, s, _ in VARIANTS])
def test_correct_variant_gets_full_marks(module, style, source, grade_files):
    result = grade_files({f"{module}.py": source}, [module])
    assert failed_tests(result) == {}
    assert result.score == result.max_score > 0


def test_at_least_fifteen_variants():
    assert len(VARIANTS) >= 15


def test_reference_is_not_among_the_variants():
    """Each variant really differs from the reference (a copy would prove nothing)."""
    from conftest import SOLUTIONS

    for module, _, source in VARIANTS:
        assert source.strip() != (SOLUTIONS / f"{module}.py").read_text().strip()
