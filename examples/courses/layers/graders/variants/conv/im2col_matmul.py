"""Correct, in another style: im2col with fancy indexing, one matrix product per layer, and
col2im with np.add.at; pooling through the same columns and argmax."""
import numpy as np


def im2col_indices(C, H, W, HH, WW, stride):
    """Index arrays (k, i, j), each broadcasting to (C * HH * WW, H_out * W_out)."""
    H_out = (H - HH) // stride + 1
    W_out = (W - WW) // stride + 1
    i0 = np.tile(np.repeat(np.arange(HH), WW), C)
    j0 = np.tile(np.arange(WW), HH * C)
    i1 = stride * np.repeat(np.arange(H_out), W_out)
    j1 = stride * np.tile(np.arange(W_out), H_out)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), HH * WW).reshape(-1, 1)
    return k, i, j, H_out, W_out


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_padded = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], mode="constant")
    k, i, j, H_out, W_out = im2col_indices(C, H + 2 * pad, W + 2 * pad, HH, WW, stride)
    cols = x_padded[:, k, i, j]                       # (N, C*HH*WW, H_out*W_out)
    out = w.reshape(F, -1) @ cols + b.reshape(-1, 1)  # (N, F, H_out*W_out)
    return out.reshape(N, F, H_out, W_out), (x.shape, w, stride, pad, cols)


def conv_backward(dout, cache):
    x_shape, w, stride, pad, cols = cache
    N, C, H, W = x_shape
    F, _, HH, WW = w.shape
    dout_flat = dout.reshape(N, F, -1)
    db = dout_flat.sum(axis=(0, 2))
    dw = np.sum(dout_flat @ cols.transpose(0, 2, 1), axis=0).reshape(w.shape)
    dcols = w.reshape(F, -1).T @ dout_flat            # (N, C*HH*WW, H_out*W_out)
    k, i, j, _, _ = im2col_indices(C, H + 2 * pad, W + 2 * pad, HH, WW, stride)
    dx_padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    np.add.at(dx_padded, (slice(None), k, i, j), dcols)
    return dx_padded[:, :, pad:pad + H, pad:pad + W], dw, db


def max_pool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    k, i, j, H_out, W_out = im2col_indices(1, H, W, size, size, stride)
    cols = x.reshape(N * C, 1, H, W)[:, k, i, j]      # (N*C, size*size, H_out*W_out)
    out = cols.max(axis=1).reshape(N, C, H_out, W_out)
    return out, (x.shape, size, stride, cols.argmax(axis=1))


def max_pool_backward(dout, cache):
    (N, C, H, W), size, stride, argmax = cache
    k, i, j, _, _ = im2col_indices(1, H, W, size, size, stride)
    dcols = np.zeros((N * C, size * size, argmax.shape[1]))
    np.put_along_axis(dcols, argmax[:, None, :], dout.reshape(N * C, 1, -1), axis=1)
    dx = np.zeros((N * C, 1, H, W))
    np.add.at(dx, (slice(None), k, i, j), dcols)
    return dx.reshape(N, C, H, W)
