"""correlate, convolve, correlate1d, convolve1d (scipy.ndimage semantics)."""
import numpy as np

from convx._threads import resolve_workers
from convx.filters._args import (_EPS, _axes, _axis, _check_origin, _cval, _input, _int,
                                 _mode, _seq, _weights)
from convx import _cpu
from convx.filters._fft import (_FFT_MIN_TAPS_PER_WORKER, _c_plan, _correlate_fft,
                                _correlate_fft_c)
from convx.filters._strategy import (_SEPARABLE_MIN_TAPS, _correlate_general, _finish,
                                     _passes, _rank1)

def _correlate_or_convolve(input, weights, output, mode, cval, origin, axes, workers, flip):
    x = _input(input)
    w = _weights(weights)
    mode = _mode(mode)
    cval = _cval(cval)
    nworkers = resolve_workers(workers)
    axes = _axes(axes, x.ndim)
    if w.ndim != len(axes):
        raise ValueError(f"weights must have one dimension per filtered axis ({len(axes)}, "
                         f"axes={axes}), got weights of shape {w.shape}")
    origins = _seq(origin, len(axes), "origin", _int)
    # kernel dims go to the filtered axes in increasing order; origins follow `axes` as given,
    # unless every axis is filtered (then origin[k] belongs to axis k) -- scipy's rules
    full_w = np.expand_dims(w, tuple(a for a in range(x.ndim) if a not in axes))
    if len(axes) == x.ndim:
        full_o = list(origins)
    else:
        full_o = [0] * x.ndim
        for o, a in zip(origins, axes):
            full_o[a] = o
    for o, k in zip(full_o, full_w.shape):
        _check_origin(o, k)
    if flip:
        full_w = full_w[(slice(None, None, -1),) * x.ndim]
        full_o = [-o - (1 if k % 2 == 0 else 0) for o, k in zip(full_o, full_w.shape)]

    def compute(xc, y):
        active = [a for a, k in enumerate(full_w.shape) if k > 1]
        if (len(active) == 2 and full_w.size >= _SEPARABLE_MIN_TAPS
                and (mode != "constant" or cval == 0.0)):
            w2 = full_w.reshape([full_w.shape[a] for a in active])
            sep = _rank1(np.where(np.abs(w2) > _EPS, w2, 0.0))
            if sep is not None:
                col, row = sep
                return _passes(xc, [(active[0], col, full_o[active[0]], mode),
                                    (active[1], row, full_o[active[1]], mode)], cval,
                               nworkers, y)
        if (len(active) == 2 and active[0] + 1 == active[1] == xc.ndim - 1
                and (mode != "constant" or np.isfinite(cval))):
            w2 = full_w.reshape([full_w.shape[a] for a in active])
            logn = _c_plan(_cpu.active_isa(), xc.dtype, w2.shape,
                           xc.shape[active[0]] * xc.shape[active[1]])
            if logn is not None:
                w2 = np.where(np.abs(w2) > _EPS, w2, 0.0)
                if np.all(np.isfinite(w2)):
                    res = _correlate_fft_c(xc, w2, active, full_o, mode, cval, logn, nworkers, y)
                    if res is not None:
                        return res
                    # an inf or NaN spread over its tiles: the direct path confines it
                return _correlate_general(xc, full_w, full_o, mode, cval, True, nworkers, y)
        if len(active) == 2 and full_w.size >= _FFT_MIN_TAPS_PER_WORKER * nworkers:
            w2 = full_w.reshape([full_w.shape[a] for a in active])
            w2 = np.where(np.abs(w2) > _EPS, w2, 0.0)
            if np.all(np.isfinite(w2)) and np.isfinite(cval) and np.all(np.isfinite(xc)):
                return _correlate_fft(xc, w2, active, full_o, mode, cval, y)
        return _correlate_general(xc, full_w, full_o, mode, cval, True, nworkers, y)

    return _finish(x, compute, output)


_COMMON = """
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : {'reflect', 'constant', 'nearest', 'mirror', 'wrap'}
        Boundary extension (scipy.ndimage meaning; 'grid-mirror', 'grid-wrap' and
        'grid-constant' are accepted aliases). 'reflect' is ``d c b a | a b c d | d c b a``,
        'mirror' is ``d c b | a b c d | c b a``, 'nearest' repeats the edge, 'wrap' is periodic,
        'constant' fills with ``cval``."""
_WORKERS = """
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it."""
_RAISES = """
    Raises
    ------
    TypeError
        An argument of the wrong type: a complex, object or string array, a non-integer
        ``axis``, ``origin`` or ``size``, an ``output`` that is neither an ndarray nor a dtype.
    ValueError
        Invalid values: an unknown ``mode``, an axis out of range, an ``origin`` outside the
        kernel, a kernel with the wrong number of dimensions, an ``output`` array of the wrong
        shape. The message names the argument, what was expected and what came.
    MemoryError
        The result or the workspace cannot be allocated."""


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
              workers=None):
    return _correlate_or_convolve(input, weights, output, mode, cval, origin, axes, workers,
                                  flip=False)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
             workers=None):
    return _correlate_or_convolve(input, weights, output, mode, cval, origin, axes, workers,
                                  flip=True)


_ND_DOC = """{what}, with the semantics of ``scipy.ndimage.{name}``.

    {formula}

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    weights : array_like
        Kernel with one dimension per filtered axis. Weights with ``abs(w) <= DBL_EPSILON``
        (and NaN) are skipped, as scipy does.{common}
    cval : float
        Fill value for ``mode='constant'``.
    origin : int or sequence of int
        Shift of the kernel centre per filtered axis; ``-(k // 2) <= origin <= (k - 1) // 2``.
    axes : int or sequence of int, optional
        Axes to filter (default all); kernel dims map to them in increasing axis order, e.g.
        ``axes=(0, 1)`` filters each channel of an ``[H, W, C]`` image.{workers}

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).
{raises}

    See Also
    --------
    convx.reference.{name} : The NumPy oracle this function is tested against.
    {other} : {other_what}
    convx.kernels : Named kernels to pass as ``weights``.

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.{name}(np.arange(5.0), [1.0, 2.0, 3.0])
    {example}
"""
correlate.__doc__ = _ND_DOC.format(
    what="n-D correlation", name="correlate", common=_COMMON, workers=_WORKERS, raises=_RAISES,
    other="convolve", other_what="The same with the kernel flipped.",
    formula="``out[i] = sum_t w[t] * ext[i + t - k // 2 - origin]`` per axis, ``ext`` the "
            "input extended by ``mode``.",
    example="array([ 3.,  8., 14., 20., 23.])")
convolve.__doc__ = _ND_DOC.format(
    what="n-D convolution", name="convolve", common=_COMMON, workers=_WORKERS, raises=_RAISES,
    other="correlate", other_what="The same without flipping the kernel.",
    formula="``correlate`` with the kernel flipped on every axis and origin ``-origin`` (one "
            "less on axes with an even number of taps).",
    example="array([ 1.,  4., 10., 16., 21.])")


# ---------------------------------------------------------------------------------------------
# correlate1d / convolve1d
# ---------------------------------------------------------------------------------------------

def _prep1d(input, weights, axis, mode, cval, origin, workers, flip):
    x = _input(input)
    w = _weights(weights)
    if w.ndim != 1:
        raise ValueError(f"weights must be a 1-D sequence, got weights of shape {w.shape}")
    axis = _axis(axis, x.ndim)
    mode = _mode(mode)
    cval = _cval(cval)
    origin = _int(origin, "origin")
    k = w.shape[0]
    _check_origin(origin, k)
    if flip:
        w = w[::-1]
        origin = -origin - (1 if k % 2 == 0 else 0)
    return x, w, axis, mode, cval, origin, resolve_workers(workers)


def _filter1d(input, weights, axis, output, mode, cval, origin, workers, flip):
    x, w, axis, mode, cval, origin, nw = _prep1d(input, weights, axis, mode, cval, origin,
                                                  workers, flip)
    return _finish(x, lambda xc, y: _passes(xc, [(axis, w, origin, mode)], cval, nw, y), output)


def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, *,
                workers=None):
    return _filter1d(input, weights, axis, output, mode, cval, origin, workers, flip=False)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, *,
               workers=None):
    return _filter1d(input, weights, axis, output, mode, cval, origin, workers, flip=True)


_1D_DOC = """1-D {what} along ``axis``, with the semantics of ``scipy.ndimage.{name}``.

    {formula} Every weight is used (no epsilon skipping, as scipy).

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    weights : array_like
        1-D kernel of ``k`` taps.
    axis : int
        The axis to filter along (negative counts from the end).{common}
    cval : float
        Fill value for ``mode='constant'``.
    origin : int
        Shift of the kernel centre, ``-(k // 2) <= origin <= (k - 1) // 2``.{workers}

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).
{raises}

    See Also
    --------
    convx.reference.{name} : The NumPy oracle this function is tested against.
    {other} : {other_what}

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.{name}(np.arange(5.0), [1.0, 2.0, 3.0])
    {example}
"""
correlate1d.__doc__ = _1D_DOC.format(
    what="correlation", name="correlate1d", common=_COMMON, workers=_WORKERS, raises=_RAISES,
    other="correlate", other_what="Several axes at once.",
    formula="``out[i] = sum_t w[t] * ext[i + t - k // 2 - origin]``.",
    example="array([ 3.,  8., 14., 20., 23.])")
convolve1d.__doc__ = _1D_DOC.format(
    what="convolution", name="convolve1d", common=_COMMON, workers=_WORKERS, raises=_RAISES,
    other="convolve", other_what="Several axes at once.",
    formula="``correlate1d`` with reversed weights and origin ``-origin`` (one less for an "
            "even number of taps).",
    example="array([ 1.,  4., 10., 16., 21.])")
