"""Correct, in another style: layer lists, np.nditer, float32 inputs."""
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
