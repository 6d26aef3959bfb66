"""Correct, in another style: explicit Python loops over every output entry, lists returned,
the caches as dicts."""
import numpy as np


def conv_forward(x, w, b, stride=1, pad=0):
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    x_padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    x_padded[:, :, pad:pad + H, pad:pad + W] = x
    H_out = (H + 2 * pad - HH) // stride + 1
    W_out = (W + 2 * pad - WW) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for p in range(H_out):
                for q in range(W_out):
                    top, left = p * stride, q * stride
                    window = x_padded[n, :, top:top + HH, left:left + WW]
                    out[n, f, p, q] = np.sum(window * w[f]) + b[f]
    return [out, {"x_padded": x_padded, "w": w, "stride": stride, "pad": pad, "H": H, "W": W}]


def conv_backward(dout, cache):
    x_padded, w, stride, pad = cache["x_padded"], cache["w"], cache["stride"], cache["pad"]
    N, F, H_out, W_out = dout.shape
    _, _, HH, WW = w.shape
    dx_padded = np.zeros_like(x_padded)
    dw = np.zeros(w.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for p in range(H_out):
                for q in range(W_out):
                    top, left = p * stride, q * stride
                    g = dout[n, f, p, q]
                    dw[f] += g * x_padded[n, :, top:top + HH, left:left + WW]
                    dx_padded[n, :, top:top + HH, left:left + WW] += g * w[f]
                    db[f] += g
    dx = dx_padded[:, :, pad:pad + cache["H"], pad:pad + cache["W"]].copy()
    return [dx, dw, db]


def max_pool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    H_out = (H - size) // stride + 1
    W_out = (W - size) // stride + 1
    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for p in range(H_out):
                for q in range(W_out):
                    top, left = p * stride, q * stride
                    out[n, c, p, q] = np.max(x[n, c, top:top + size, left:left + size])
    return [out, {"x": x, "size": size, "stride": stride}]


def max_pool_backward(dout, cache):
    x, size, stride = cache["x"], cache["size"], cache["stride"]
    N, C, H_out, W_out = dout.shape
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for p in range(H_out):
                for q in range(W_out):
                    top, left = p * stride, q * stride
                    window = x[n, c, top:top + size, left:left + size]
                    a, b = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, top + a, left + b] += dout[n, c, p, q]
    return dx
