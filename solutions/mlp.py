"""Reference solution: a multi-layer perceptron trained with backpropagation.

Layer l computes Z_l = A_{l-1} W_l + b_l, then A_l = g(Z_l) for hidden layers and
softmax(Z_L) at the output. The backward pass walks the same layers in reverse.
"""
import numpy as np

from activations import relu, relu_grad, sigmoid, sigmoid_grad, softmax, tanh, tanh_grad


def init_params(layer_sizes, seed=0):
    """He initialisation: W_l ~ N(0, 2 / fan_in), b_l = 0."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params


def affine_forward(X, W, b):
    return X @ W + b


def affine_backward(dout, X, W):
    """Gradients of out = X W + b with respect to X, W and b."""
    dX = dout @ W.T
    dW = X.T @ dout
    db = dout.sum(axis=0)
    return dX, dW, db


def forward(params, X, activation="relu"):
    """Returns the class probabilities and, per layer, the (input, pre-activation) pair."""
    g = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}[activation]
    L = len(params) // 2
    A = X
    cache = []
    for l in range(1, L + 1):
        Z = affine_forward(A, params[f"W{l}"], params[f"b{l}"])
        cache.append((A, Z))
        A = g(Z) if l < L else softmax(Z)
    return A, cache


def cross_entropy_loss(probs, y):
    """Mean of -log p(correct class)."""
    n = probs.shape[0]
    return float(-np.mean(np.log(probs[np.arange(n), y])))


def loss_and_grads(params, X, y, reg=0.0, activation="relu"):
    """Cross-entropy plus L2 penalty on weights, and the gradient of every parameter."""
    g_prime = {"relu": relu_grad, "sigmoid": sigmoid_grad, "tanh": tanh_grad}[activation]
    L = len(params) // 2
    probs, cache = forward(params, X, activation)
    n = X.shape[0]

    loss = cross_entropy_loss(probs, y)
    loss += 0.5 * reg * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))

    dZ = probs.copy()
    dZ[np.arange(n), y] -= 1.0
    dZ /= n  # gradient of the mean cross-entropy w.r.t. the output logits
    grads = {}
    for l in range(L, 0, -1):
        A_prev, _ = cache[l - 1]
        dA_prev, dW, db = affine_backward(dZ, A_prev, params[f"W{l}"])
        grads[f"W{l}"] = dW + reg * params[f"W{l}"]
        grads[f"b{l}"] = db
        if l > 1:
            _, Z_prev = cache[l - 2]
            dZ = dA_prev * g_prime(Z_prev)
    return loss, grads


def numerical_gradient(f, x, h=1e-5):
    """Centered differences, one element of x at a time; x is restored afterwards."""
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def sgd_step(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}


def train_mlp(X, y, hidden_sizes, lr=0.1, epochs=30, batch_size=32, reg=1e-4,
              activation="relu", seed=0):
    """Mini-batch SGD on shuffled batches; losses[e] is the mean batch loss of epoch e."""
    n_classes = int(np.max(y)) + 1
    params = init_params([X.shape[1], *hidden_sizes, n_classes], seed)
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        batch_losses = []
        for start in range(0, X.shape[0], batch_size):
            idx = order[start:start + batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx], reg, activation)
            params = sgd_step(params, grads, lr)
            batch_losses.append(loss)
        losses.append(float(np.mean(batch_losses)))
    return params, losses
