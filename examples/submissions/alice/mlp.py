"""Alice's work: a multi-layer perceptron trained with backpropagation."""
import numpy as np

import activations as act


def _hidden(name):
    """The hidden activation and its derivative, looked up by name."""
    if name == "relu":
        return act.relu, act.relu_grad
    if name == "sigmoid":
        return act.sigmoid, act.sigmoid_grad
    if name == "tanh":
        return act.tanh, act.tanh_grad
    raise ValueError(f"unknown activation {name!r}")


def init_params(layer_sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {}
    for i in range(1, len(layer_sizes)):
        fan_in, fan_out = layer_sizes[i - 1], layer_sizes[i]
        params["W%d" % i] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        params["b%d" % i] = np.zeros(fan_out)
    return params


def affine_forward(X, W, b):
    return np.dot(X, W) + b


def affine_backward(dout, X, W):
    return np.dot(dout, W.T), np.dot(X.T, dout), np.sum(dout, axis=0)


def forward(params, X, activation="relu"):
    g, _ = _hidden(activation)
    depth = len([k for k in params if k.startswith("W")])
    cache = {"A0": X}
    A = X
    for i in range(1, depth + 1):
        Z = affine_forward(A, params["W%d" % i], params["b%d" % i])
        cache["Z%d" % i] = Z
        A = act.softmax(Z) if i == depth else g(Z)
        cache["A%d" % i] = A
    return A, cache


def cross_entropy_loss(probs, y):
    picked = probs[np.arange(len(y)), y]
    return -np.sum(np.log(picked)) / len(y)


def loss_and_grads(params, X, y, reg=0.0, activation="relu"):
    _, g_prime = _hidden(activation)
    depth = len([k for k in params if k.startswith("W")])
    probs, cache = forward(params, X, activation)
    n = len(y)

    penalty = sum(np.sum(params["W%d" % i] * params["W%d" % i]) for i in range(1, depth + 1))
    loss = cross_entropy_loss(probs, y) + reg / 2 * penalty

    one_hot = np.zeros_like(probs)
    one_hot[np.arange(n), y] = 1
    delta = (probs - one_hot) / n
    grads = {}
    for i in range(depth, 0, -1):
        dA, dW, db = affine_backward(delta, cache["A%d" % (i - 1)], params["W%d" % i])
        grads["W%d" % i] = dW + reg * params["W%d" % i]
        grads["b%d" % i] = db
        if i > 1:
            delta = dA * g_prime(cache["Z%d" % (i - 1)])
    return loss, grads


def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(*x.shape):
        saved = float(x[index])
        x[index] = saved + h
        up = f()
        x[index] = saved - h
        down = f()
        x[index] = saved
        grad[index] = (up - down) / (2 * h)
    return grad


def sgd_step(params, grads, lr):
    new = {}
    for name, value in params.items():
        new[name] = value - lr * grads[name]
    return new


def train_mlp(X, y, hidden_sizes, lr=0.1, epochs=30, batch_size=32, reg=1e-4,
              activation="relu", seed=0):
    sizes = [X.shape[1]] + list(hidden_sizes) + [len(np.unique(y))]
    params = init_params(sizes, seed)
    shuffle = np.random.default_rng(seed + 1)
    losses = []
    for epoch in range(epochs):
        order = shuffle.permutation(len(X))
        total, batches = 0.0, 0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[batch], y[batch], reg, activation)
            params = sgd_step(params, grads, lr)
            total += loss
            batches += 1
        losses.append(total / batches)
    return params, losses
