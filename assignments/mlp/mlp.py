"""Assignment 4: a multi-layer perceptron and backpropagation.

params is a dict {"W1", "b1", ..., "WL", "bL"}: W_l has shape (fan_in, fan_out) and
b_l shape (fan_out,). Hidden layers use `activation` ("relu", "sigmoid" or "tanh");
the output layer is softmax. You may import your own activations module:

    from activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad, softmax
"""
import numpy as np


def init_params(layer_sizes, seed=0):
    """Params for sizes [D, H1, ..., C]: W_l ~ normal with std sqrt(2 / fan_in), drawn from
    np.random.default_rng(seed); biases zero."""
    raise NotImplementedError("init_params")


def affine_forward(X, W, b):
    """X @ W + b."""
    raise NotImplementedError("affine_forward")


def affine_backward(dout, X, W):
    """Gradients of out = X @ W + b given dout = dL/dout: returns (dX, dW, db)."""
    raise NotImplementedError("affine_backward")


def forward(params, X, activation="relu"):
    """Returns (probs, cache): probs of shape (n, C); cache holds what backward needs."""
    raise NotImplementedError("forward")


def cross_entropy_loss(probs, y):
    """Mean over samples of -log(probs[i, y[i]])."""
    raise NotImplementedError("cross_entropy_loss")


def loss_and_grads(params, X, y, reg=0.0, activation="relu"):
    """Returns (loss, grads). loss = cross-entropy + 0.5 * reg * sum of sum(W_l ** 2)
    (weights only); grads has exactly the keys and shapes of params."""
    raise NotImplementedError("loss_and_grads")


def numerical_gradient(f, x, h=1e-5):
    """Centered-difference gradient of f() with respect to the array x.

    f takes NO arguments and reads x. Perturb x in place one element at a time:
    grad[i] = (f() at x[i] + h  -  f() at x[i] - h) / (2h), and restore x[i].
    x must hold its original values when you return.
    """
    raise NotImplementedError("numerical_gradient")


def sgd_step(params, grads, lr):
    """A NEW params dict with p - lr * g for every key."""
    raise NotImplementedError("sgd_step")


def train_mlp(X, y, hidden_sizes, lr=0.1, epochs=30, batch_size=32, reg=1e-4, activation="relu", seed=0):
    """Mini-batch SGD from init_params([D, *hidden_sizes, C], seed); returns (params, losses)
    where losses[e] is the mean training loss of epoch e."""
    raise NotImplementedError("train_mlp")
