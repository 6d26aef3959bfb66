"""Correct, in another style: float32 arithmetic throughout (float32 results), windows from
sliding_window_view contracted with tensordot, pooling by argmax and np.add.at."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def conv_forward(x, w, b, stride=1, pad=0):
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(w, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    HH, WW = w.shape[2:]
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(x_padded, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))   # (N, H_out, W_out, F)
    out = out.transpose(0, 3, 1, 2) + b[:, np.newaxis, np.newaxis]
    return out.astype(np.float32), (x, w, stride, pad)


def conv_backward(dout, cache):
    x, w, stride, pad = cache
    dout = np.asarray(dout, dtype=np.float32)
    H, W = x.shape[2:]
    HH, WW = w.shape[2:]
    H_out, W_out = dout.shape[2:]
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(x_padded, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]
    dw = np.tensordot(dout, windows, axes=([0, 2, 3], [0, 2, 3]))  # (F, C, HH, WW)
    db = dout.sum(axis=(0, 2, 3), dtype=np.float32)
    dwindows = np.tensordot(dout, w, axes=([1], [0]))              # (N, H_out, W_out, C, HH, WW)
    dx_padded = np.zeros(x_padded.shape, dtype=np.float32)
    for i in range(HH):
        for j in range(WW):
            dx_padded[:, :, i:i + stride * H_out:stride, j:j + stride * W_out:stride] += \
                dwindows[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dx_padded[:, :, pad:pad + H, pad:pad + W], dw.astype(np.float32), db


def max_pool_forward(x, size=2, stride=2):
    x = np.asarray(x, dtype=np.float32)
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    return windows.max(axis=(4, 5)), (x, size, stride)


def max_pool_backward(dout, cache):
    x, size, stride = cache
    N, C, H_out, W_out = dout.shape
    windows = sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    best = windows.reshape(N, C, H_out, W_out, size * size).argmax(axis=-1)
    di, dj = np.divmod(best, size)
    rows = stride * np.arange(H_out).reshape(1, 1, -1, 1) + di
    cols = stride * np.arange(W_out).reshape(1, 1, 1, -1) + dj
    n = np.arange(N).reshape(-1, 1, 1, 1)
    c = np.arange(C).reshape(1, -1, 1, 1)
    dx = np.zeros(x.shape, dtype=np.float32)
    np.add.at(dx, (n, c, rows, cols), np.asarray(dout, dtype=np.float32))
    return dx
