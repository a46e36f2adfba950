"""Gaussian kernels as scipy.ndimage builds them, and the per-axis passes of a Gaussian filter."""
import functools

import numpy as np

from convx.filters._args import _axes, _int, _modes, _opt_int, _real, _seq

def _gaussian_kernel1d(sigma, order, radius):
    """scipy.ndimage's kernel: normalised exp(-x^2 / 2 sigma^2) times a polynomial for order > 0."""
    exponent_range = np.arange(order + 1)
    sigma2 = sigma * sigma
    xs = np.arange(-radius, radius + 1)
    phi_x = np.exp(-0.5 / sigma2 * xs ** 2)
    phi_x = phi_x / phi_x.sum()
    if order == 0:
        return phi_x
    q = np.zeros(order + 1)
    q[0] = 1
    D = np.diag(exponent_range[1:], 1)
    P = np.diag(np.ones(order) / -sigma2, -1)
    Q_deriv = D + P
    for _ in range(order):
        q = Q_deriv.dot(q)
    q = (xs[:, None] ** exponent_range).dot(q)
    return q * phi_x




@functools.lru_cache(maxsize=256)
def _gauss_weights(sigma, order, truncate, radius):
    """The 1-D correlation weights (read-only, cached: rebuilding them cost ~8 us per call)."""
    if sigma < 0 or not np.isfinite(sigma):
        raise ValueError(f"sigma must be finite and >= 0, got sigma={sigma}")
    if order < 0:
        raise ValueError(f"order must be >= 0, got order={order}")
    lw = int(truncate * sigma + 0.5) if radius is None else radius
    if lw < 0:
        raise ValueError(f"radius must be a non-negative int, got radius={lw}")
    w = _gaussian_kernel1d(sigma, order, lw)[::-1].copy()
    w.flags.writeable = False
    return w




def _gaussian_passes(ndim, sigma, order, mode, truncate, radius, axes):
    axes = _axes(axes, ndim)
    n = len(axes)
    sigmas = _seq(sigma, n, "sigma", _real)
    orders = _seq(order, n, "order", _int)
    modes = _modes(mode, n)
    radii = _seq(radius, n, "radius", lambda v, nm: _opt_int(v, nm))
    truncate = _real(truncate, "truncate")
    passes = []
    for a, s, o, m, r in zip(axes, sigmas, orders, modes, radii):
        if s > 1e-15:
            passes.append((a, _gauss_weights(s, o, truncate, r), 0, m))
        elif s < 0:
            raise ValueError(f"sigma must be >= 0, got sigma={sigma!r}")
    return passes
