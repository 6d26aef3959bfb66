"""Correct, in another style: einsum, flat numerical gradient, no shuffling."""
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
