"""A convolution layer and max pooling.

Images are stored as (N, C, H, W): samples, channels, height, width. Implement each function
below, then run `autograder check` in this folder.
"""
import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    """Forward pass of a convolution layer (a cross-correlation, no kernel flip).

    x: inputs, shape (N, C, H, W); w: filters, shape (F, C, HH, WW); b: biases, shape (F,)
    (float arrays); stride >= 1 and pad >= 0: ints, with HH <= H + 2 * pad and WW <= W + 2 * pad.
    The input is zero-padded by `pad` on every side of H and W, then

        out[n, f, p, q] = b[f] + sum over c, i, j of
                          x_padded[n, c, p * stride + i, q * stride + j] * w[f, c, i, j]

    Returns (out, cache), a tuple (a list of the same two values is also accepted):
      out:   float array of shape (N, F, H_out, W_out) with
             H_out = 1 + (H + 2 * pad - HH) // stride and W_out = 1 + (W + 2 * pad - WW) // stride
             (rows or columns the last window does not reach are ignored); any float dtype.
      cache: whatever conv_backward needs, built from plain data only (numpy arrays, numbers,
             tuples, lists, dicts), since it is passed back to your conv_backward as it was.
    No argument is modified.
    """
    raise NotImplementedError("conv_forward")


def conv_backward(dout, cache):
    """Backward pass of conv_forward.

    dout: the upstream gradient dL/dout, shape (N, F, H_out, W_out); cache: what the same
    module's conv_forward returned. Returns (dx, dw, db), a tuple (or list), the gradients of
    L = sum(dout * out) with respect to x, w and b: float arrays of the shapes of x (N, C, H, W),
    w (F, C, HH, WW) and b (F,). Input pixels no window reaches get a zero gradient.
    No argument is modified.
    """
    raise NotImplementedError("conv_backward")


def max_pool_forward(x, size=2, stride=2):
    """Forward pass of max pooling over size x size windows, channel by channel.

    x: a float array of shape (N, C, H, W); size, stride: positive ints, size <= H and size <= W.

        out[n, c, p, q] = max over 0 <= i, j < size of x[n, c, p * stride + i, q * stride + j]

    Returns (out, cache), a tuple (a list of the same two values is also accepted):
      out:   float array of shape (N, C, 1 + (H - size) // stride, 1 + (W - size) // stride);
             any float dtype.
      cache: whatever max_pool_backward needs, plain data only (numpy arrays, numbers, tuples,
             lists, dicts).
    No argument is modified.
    """
    raise NotImplementedError("max_pool_forward")


def max_pool_backward(dout, cache):
    """Backward pass of max_pool_forward.

    dout: dL/dout, shape (N, C, H_out, W_out); cache: what the same module's max_pool_forward
    returned. Returns dx, a float array of the shape of x: each window's dout goes to the
    position of that window's maximum, everything else is 0. Where windows overlap
    (stride < size) one pixel can be the maximum of several windows, and their contributions
    add up. Ties (equal maxima in one window) are outside the contract. No argument is modified.
    """
    raise NotImplementedError("max_pool_backward")
