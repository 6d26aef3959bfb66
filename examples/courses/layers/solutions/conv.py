"""Reference solution: a convolution layer and max pooling (never shown to students).

Images are stored as (N, C, H, W): samples, channels, height, width. Both layers loop only
over the offsets (i, j) inside a kernel or pooling window, which are few: for one offset,
the strided slice x[:, :, i : i + stride * H_out : stride, j : j + stride * W_out : stride]
holds, at output position (p, q), the input pixel (p * stride + i, q * stride + j) that
meets kernel entry (i, j). Everything else is vectorised over samples, channels, filters
and output positions.
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
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out))
    for i in range(HH):
        for j in range(WW):
            patch = x_pad[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride]
            out += np.einsum("nchw,fc->nfhw", patch, w[:, :, i, j])
    out += b[None, :, None, None]
    cache = (x, w, b, stride, pad)
    return out, cache


def conv_backward(dout, cache):
    """Backward pass of conv_forward.

    dout: the upstream gradient dL/dout, shape (N, F, H_out, W_out); cache: what the same
    module's conv_forward returned. Returns (dx, dw, db), a tuple (or list), the gradients of
    L = sum(dout * out) with respect to x, w and b: float arrays of the shapes of x (N, C, H, W),
    w (F, C, HH, WW) and b (F,). Input pixels no window reaches get a zero gradient.
    No argument is modified.
    """
    x, w, b, stride, pad = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad, dtype=float)
    dw = np.zeros_like(w, dtype=float)
    for i in range(HH):
        for j in range(WW):
            rows = slice(i, i + stride * H_out, stride)
            cols = slice(j, j + stride * W_out, stride)
            dw[:, :, i, j] = np.einsum("nchw,nfhw->fc", x_pad[:, :, rows, cols], dout)
            dx_pad[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, i, j])
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    db = dout.sum(axis=(0, 2, 3))
    return dx, dw, db


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
    N, C, H, W = x.shape
    H_out = 1 + (H - size) // stride
    W_out = 1 + (W - size) // stride
    out = np.full((N, C, H_out, W_out), -np.inf, dtype=x.dtype)
    for i in range(size):
        for j in range(size):
            out = np.maximum(out, x[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride])
    cache = (x, out, size, stride)
    return out, cache


def max_pool_backward(dout, cache):
    """Backward pass of max_pool_forward.

    dout: dL/dout, shape (N, C, H_out, W_out); cache: what the same module's max_pool_forward
    returned. Returns dx, a float array of the shape of x: each window's dout goes to the
    position of that window's maximum, everything else is 0. Where windows overlap
    (stride < size) one pixel can be the maximum of several windows, and their contributions
    add up. Ties (equal maxima in one window) are outside the contract. No argument is modified.
    """
    x, out, size, stride = cache
    _, _, H_out, W_out = out.shape
    dx = np.zeros_like(x, dtype=float)
    for i in range(size):
        for j in range(size):
            rows = slice(i, i + stride * H_out, stride)
            cols = slice(j, j + stride * W_out, stride)
            is_max = x[:, :, rows, cols] == out
            dx[:, :, rows, cols] += dout * is_max
    return dx
