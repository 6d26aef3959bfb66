"""Assignment 2: activation functions and their derivatives.

Every function works elementwise on arrays of any shape and on plain numbers, and
must be numerically stable: no overflow warning and no NaN for inputs as large as
|z| = 1e4. The *_grad functions are derivatives with respect to the input z.
"""
import numpy as np


def sigmoid(z):
    """1 / (1 + exp(-z)), computed so that exp never overflows."""
    raise NotImplementedError("sigmoid")


def sigmoid_grad(z):
    """sigmoid(z) * (1 - sigmoid(z))."""
    raise NotImplementedError("sigmoid_grad")


def tanh(z):
    """The hyperbolic tangent."""
    raise NotImplementedError("tanh")


def tanh_grad(z):
    """1 - tanh(z)**2."""
    raise NotImplementedError("tanh_grad")


def relu(z):
    """max(0, z)."""
    raise NotImplementedError("relu")


def relu_grad(z):
    """1 where z > 0, else 0 (we take 0 at z == 0)."""
    raise NotImplementedError("relu_grad")


def softmax(Z):
    """Probabilities along the LAST axis: a 1-D input gives one distribution, a 2-D
    input one per row. Each sums to 1. Stable for large logits."""
    raise NotImplementedError("softmax")
