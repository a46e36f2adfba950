"""The NumPy fallback: correlation over more than three consecutive filtered axes, which the C
driver's [B, D, H, W, inner] view cannot express (readable, not fast: one shifted multiply-add
of the mode-extended input per tap)."""
import numpy as np

from convx.filters._args import _EPS, _NP_PAD, _check_origin


def correlate_numpy(xc, w, origins, mode, cval, skip_zero, y=None):
    """y = correlate(xc, w), w.ndim == xc.ndim, in xc's dtype; taps |w| <= eps skipped when
    skip_zero (as scipy)."""
    for o, k in zip(origins, w.shape):
        _check_origin(o, k)
    pads = [(k // 2 + o, k - 1 - (k // 2 + o)) for k, o in zip(w.shape, origins)]
    kw = {"constant_values": cval} if mode == "constant" else {}
    ext = np.pad(xc, pads, mode=_NP_PAD[mode], **kw)
    acc = np.zeros(xc.shape, dtype=xc.dtype)
    for tap in np.ndindex(*w.shape):
        wt = w[tap]
        if skip_zero and not abs(wt) > _EPS:
            continue
        acc += xc.dtype.type(wt) * ext[tuple(slice(t, t + n) for t, n in zip(tap, xc.shape))]
    if y is None:
        return acc
    y[...] = acc
    return y
