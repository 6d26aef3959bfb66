"""Correct, in another style: the step-by-step computational graph (one node per
elementary operation, backpropagated node by node), explicit means instead of np.var,
lists for every multi-value return and for the cache, and dropout drawn with
rng.uniform(size=x.shape) (exactly the numbers of rng.random(x.shape))."""
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    mu = np.sum(x, axis=0) / n              # node 1
    xmu = x - mu                            # node 2
    sq = xmu ** 2                           # node 3
    var = np.sum(sq, axis=0) / n            # node 4
    sqrtvar = np.sqrt(var + eps)            # node 5
    ivar = 1.0 / sqrtvar                    # node 6
    xhat = xmu * ivar                       # node 7
    gammax = gamma * xhat                   # node 8
    out = gammax + beta                     # node 9
    return [out, [xhat, gamma, xmu, ivar, sqrtvar, var, eps]]


def batchnorm_backward(dout, cache):
    xhat, gamma, xmu, ivar, sqrtvar, var, eps = cache
    n = dout.shape[0]
    dbeta = np.sum(dout, axis=0)            # node 9
    dgammax = dout
    dgamma = np.sum(dgammax * xhat, axis=0)  # node 8
    dxhat = dgammax * gamma
    divar = np.sum(dxhat * xmu, axis=0)     # node 7
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / sqrtvar ** 2 * divar  # node 6
    dvar = 0.5 / np.sqrt(var + eps) * dsqrtvar  # node 5
    dsq = np.ones_like(dout) * dvar / n     # node 4
    dxmu2 = 2 * xmu * dsq                   # node 3
    dx1 = dxmu1 + dxmu2                     # node 2
    dmu = -np.sum(dxmu1 + dxmu2, axis=0)
    dx2 = np.ones_like(dout) * dmu / n      # node 1
    return [dx1 + dx2, dgamma, dbeta]


def dropout_forward(x, p, seed):
    rng = np.random.default_rng(seed)
    u = rng.uniform(size=x.shape)
    mask = np.where(u < p, 0.0, 1.0 / (1.0 - p))
    return [x * mask, mask]


def dropout_backward(dout, mask):
    return np.multiply(dout, mask)
