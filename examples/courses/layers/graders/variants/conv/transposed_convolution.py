"""Correct, in another algebra: windows built with as_strided; the backward pass as
convolutions of the dilated upstream gradient (dw: correlate the padded input with it; dx: a
"full" correlation with the flipped kernel, i.e. a transposed convolution); pooling keeps the
flat index of each window's maximum and routes the gradient with np.bincount."""
import numpy as np
from numpy.lib.stride_tricks import as_strided


def windows_of(a, kh, kw, step=1):
    """A read-only (N, C, out_h, out_w, kh, kw) view of the kh x kw windows of a, every `step`."""
    N, C, H, W = a.shape
    a = np.ascontiguousarray(a)
    s0, s1, s2, s3 = a.strides
    shape = (N, C, (H - kh) // step + 1, (W - kw) // step + 1, kh, kw)
    return as_strided(a, shape=shape, strides=(s0, s1, s2 * step, s3 * step, s2, s3), writeable=False)


def conv_forward(x, w, b, stride=1, pad=0):
    HH, WW = w.shape[2:]
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.einsum("nchwij,fcij->nfhw", windows_of(x_padded, HH, WW, stride), w, optimize=True)
    return out + b.reshape(1, -1, 1, 1), (x, w, stride, pad)


def conv_backward(dout, cache):
    x, w, stride, pad = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape
    db = dout.sum(axis=(0, 2, 3))
    # the upstream gradient with stride - 1 zeros between its entries: a stride-1 problem
    dilated = np.zeros((N, F, (H_out - 1) * stride + 1, (W_out - 1) * stride + 1))
    dilated[:, :, ::stride, ::stride] = dout
    Hd, Wd = dilated.shape[2:]
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    # dw[f, c, i, j] = sum over n, u, v of x_padded[n, c, u + i, v + j] * dilated[n, f, u, v]
    dw = np.einsum("ncijuv,nfuv->fcij", windows_of(x_padded[:, :, :Hd + HH - 1, :Wd + WW - 1], Hd, Wd),
                   dilated, optimize=True)
    # dx_padded[n, c, r, t] = sum over f, u, v of dilated[n, f, u, v] * w[f, c, r - u, t - v]
    full = np.pad(dilated, ((0, 0), (0, 0), (HH - 1, HH - 1), (WW - 1, WW - 1)))
    dx_reached = np.einsum("nfrtij,fcij->ncrt", windows_of(full, HH, WW), w[:, :, ::-1, ::-1], optimize=True)
    dx_padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    dx_padded[:, :, :Hd + HH - 1, :Wd + WW - 1] = dx_reached
    return dx_padded[:, :, pad:pad + H, pad:pad + W], dw, db


def max_pool_forward(x, size=2, stride=2):
    N, C, H, W = x.shape
    win = windows_of(x, size, size, stride)
    H_out, W_out = win.shape[2:4]
    flat = win.reshape(N, C, H_out, W_out, size * size)
    best = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    rows = stride * np.arange(H_out)[:, None] + best // size
    cols = stride * np.arange(W_out)[None, :] + best % size
    n, c = np.arange(N)[:, None, None, None], np.arange(C)[None, :, None, None]
    where = np.ravel_multi_index((n, c, rows, cols), x.shape)
    return out, (x.shape, where)


def max_pool_backward(dout, cache):
    shape, where = cache
    total = int(np.prod(shape))
    dx = np.bincount(where.ravel(), weights=np.ravel(dout), minlength=total)
    return dx.reshape(shape)
