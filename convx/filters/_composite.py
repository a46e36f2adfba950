"""Composite filters: sobel, prewitt, laplace, Gaussian, uniform and gradient magnitude."""
import numpy as np

from convx._threads import resolve_workers
from convx.filters._args import (_axes, _axis, _check_origin, _cval, _input, _int, _mode,
                                 _modes, _opt_int, _real, _seq)
from convx.filters._correlate import _COMMON, _RAISES, _WORKERS
from convx.filters._gaussian import _gauss_weights, _gaussian_passes
from convx.filters._strategy import (_correlate_nd, _edge_kernel, _finish, _layout, _passes,
                                     _run_passes)

def _edge_filter(input, axis, output, mode, cval, workers, smooth):
    x = _input(input)
    axis = _axis(axis, x.ndim)
    modes = _modes(mode, x.ndim)
    cval = _cval(cval)
    nw = resolve_workers(workers)
    passes = [(axis, [-1.0, 0.0, 1.0], 0, modes[axis])]
    passes += [(a, smooth, 0, modes[a]) for a in range(x.ndim) if a != axis]

    def compute(xc, y):
        ms = set(modes)
        if x.ndim <= 3 and len(ms) == 1 and (ms != {"constant"} or cval == 0.0):
            # one pass with the combined 3^n kernel; its zero column is skipped
            k = _edge_kernel(x.ndim, axis, tuple(smooth))
            return _correlate_nd(xc, k, [0] * x.ndim, modes[0], cval, True, nw, y)
        return _passes(xc, passes, cval, nw, y)

    return _finish(x, compute, output)


def sobel(input, axis=-1, output=None, mode="reflect", cval=0.0, *, workers=None):
    return _edge_filter(input, axis, output, mode, cval, workers, [1.0, 2.0, 1.0])


def prewitt(input, axis=-1, output=None, mode="reflect", cval=0.0, *, workers=None):
    return _edge_filter(input, axis, output, mode, cval, workers, [1.0, 1.0, 1.0])


_EDGE_DOC = """{title}, with the semantics of ``scipy.ndimage.{name}``.

    The derivative ``[-1, 0, 1]`` (correlation: ``in[i+1] - in[i-1]``) along ``axis``, smoothed
    with ``{smooth}`` along every other axis. On a 2-D image ``axis=-1`` (the default) responds
    to vertical edges (intensity changing along a row), ``axis=0`` to horizontal edges.

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    axis : int
        The derivative's axis.{common}
    cval : float
        Fill value for ``mode='constant'``.{workers}

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.{name}(np.array([[0.0, 0.0, 1.0, 1.0]] * 3))
    {example}
"""
sobel.__doc__ = _EDGE_DOC.format(
    title="Sobel edge filter", name="sobel", smooth="[1, 2, 1]", common=_COMMON,
    workers=_WORKERS,
    example="array([[0., 4., 4., 0.],\n           [0., 4., 4., 0.],\n           [0., 4., 4., 0.]])")
prewitt.__doc__ = _EDGE_DOC.format(
    title="Prewitt edge filter", name="prewitt", smooth="[1, 1, 1]", common=_COMMON,
    workers=_WORKERS,
    example="array([[0., 3., 3., 0.],\n           [0., 3., 3., 0.],\n           [0., 3., 3., 0.]])")


def laplace(input, output=None, mode="reflect", cval=0.0, *, axes=None, workers=None):
    """Discrete Laplacian, with the semantics of ``scipy.ndimage.laplace``.

    The sum over ``axes`` of the second difference ``[1, -2, 1]`` along each axis (on a 2-D
    image: the 5-point cross ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]``). Responds to blobs,
    lines and corners (zero on linear ramps).

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : str or sequence of str
        Boundary extension, as :func:`correlate` ('reflect', 'constant', 'nearest', 'mirror',
        'wrap'); one per filtered axis when a sequence.
    cval : float
        Fill value for ``mode='constant'``.
    axes : int or sequence of int, optional
        The axes whose second differences are summed (default all).
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it.

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.laplace(np.array([0.0, 0.0, 1.0, 0.0, 0.0]))
    array([ 0.,  1., -2.,  1.,  0.])
    """
    x = _input(input)
    axes = _axes(axes, x.ndim)
    modes = _modes(mode, len(axes))
    cval = _cval(cval)
    nw = resolve_workers(workers)

    def compute(xc, y):
        if not axes:
            return _run_passes(xc, [], cval, nw, y)
        span = max(axes) - min(axes) + 1
        if len(set(modes)) == 1 and _layout(xc.shape, [3 if a in axes else 1
                                                      for a in range(x.ndim)]) is not None \
                and span <= 3:
            # the cross kernel: each tap lies on one axis, so one pass equals the sum of the
            # per-axis passes in every mode (constant too)
            k = np.zeros([3 if a in axes else 1 for a in range(x.ndim)])
            c = tuple(1 if a in axes else 0 for a in range(x.ndim))
            for a in axes:
                for off, v in ((-1, 1.0), (1, 1.0)):
                    idx = list(c)
                    idx[a] += off
                    k[tuple(idx)] += v
                k[c] -= 2.0
            return _correlate_nd(xc, k, [0] * x.ndim, modes[0], cval, True, nw, y)
        res = _passes(xc, [(axes[0], [1.0, -2.0, 1.0], 0, modes[0])], cval, nw)
        for a, m in zip(axes[1:], modes[1:]):
            res += _passes(xc, [(a, [1.0, -2.0, 1.0], 0, m)], cval, nw)
        if y is None:
            return res
        y[...] = res
        return y

    return _finish(x, compute, output)



def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0,
                      truncate=4.0, *, radius=None, workers=None):
    """1-D Gaussian filter (or derivative of order ``order``), as ``scipy.ndimage``.

    The kernel has radius ``int(truncate * sigma + 0.5)`` (or ``radius``) and is normalised to
    sum 1 before the derivative polynomial is applied.

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    sigma : float
        Standard deviation of the Gaussian, in samples (> 0).
    axis : int
        The axis to filter along.
    order : int
        0 smooths; 1, 2, ... convolve with that derivative of the Gaussian.
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : str
        Boundary extension, as :func:`correlate` ('reflect', 'constant', 'nearest', 'mirror',
        'wrap').
    cval : float
        Fill value for ``mode='constant'``.
    truncate : float
        Kernel radius in standard deviations: ``int(truncate * sigma + 0.5)``.
    radius : int, optional
        The kernel radius, overriding ``truncate``.
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it.

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.gaussian_filter1d(np.array([0.0, 0.0, 1.0, 0.0, 0.0]), 1.0).round(3)
    array([0.058, 0.242, 0.399, 0.242, 0.058])
    """
    x = _input(input)
    axis = _axis(axis, x.ndim)
    w = _gauss_weights(_real(sigma, "sigma"), _int(order, "order"), _real(truncate, "truncate"),
                       _opt_int(radius, "radius"))
    m = _mode(mode)
    cval = _cval(cval)
    nw = resolve_workers(workers)
    return _finish(x, lambda xc, y: _passes(xc, [(axis, w, 0, m)], cval, nw, y), output)


def gaussian_filter(input, sigma, order=0, output=None, mode="reflect", cval=0.0, truncate=4.0,
                    *, radius=None, axes=None, workers=None):
    """Gaussian filter, with the semantics of ``scipy.ndimage.gaussian_filter``.

    One 1-D Gaussian (``order`` > 0: its derivative) per axis in ``axes``; per-axis ``sigma``,
    ``order``, ``mode`` and ``radius`` may be sequences. Axes with ``sigma <= 1e-15`` are left
    alone. Blurs (order 0); order 1 along an axis is a smoothed derivative (edges across it).

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    sigma : float or sequence of float
        Standard deviation per filtered axis, in pixels.
    order : int or sequence of int
        0 smooths; 1, 2, ... apply that derivative of the Gaussian, per axis.
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : str or sequence of str
        Boundary extension, as :func:`correlate` ('reflect', 'constant', 'nearest', 'mirror',
        'wrap'); one per filtered axis when a sequence.
    cval : float
        Fill value for ``mode='constant'``.
    truncate : float
        Kernel radius in standard deviations: ``int(truncate * sigma + 0.5)``.
    radius : int or sequence of int, optional
        Overrides the radius.
    axes : int or sequence of int, optional
        The axes to filter (default all), e.g. ``axes=(0, 1)`` blurs each channel of an
        ``[H, W, 3]`` image.
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it.

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.gaussian_filter(np.eye(3), 1.0).round(3)
    array([[0.502, 0.329, 0.168],
           [0.329, 0.342, 0.329],
           [0.168, 0.329, 0.502]])
    """
    x = _input(input)
    passes = _gaussian_passes(x.ndim, sigma, order, mode, truncate, radius, axes)
    cval = _cval(cval)
    nw = resolve_workers(workers)
    return _finish(x, lambda xc, y: _run_passes(xc, passes, cval, nw, y), output)


def uniform_filter1d(input, size, axis=-1, output=None, mode="reflect", cval=0.0, origin=0, *,
                     workers=None):
    """1-D mean over ``size`` samples, as ``scipy.ndimage.uniform_filter1d``.

    A NaN or inf reaches only the outputs whose window contains it (scipy's running sum carries
    it to the end of the line; see :func:`uniform_filter`).

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    size : int
        Window length (>= 1).
    axis : int
        The axis to filter along.
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : str
        Boundary extension, as :func:`correlate` ('reflect', 'constant', 'nearest', 'mirror',
        'wrap').
    cval : float
        Fill value for ``mode='constant'``.
    origin : int
        Shift of the window centre, ``-(size // 2) <= origin <= (size - 1) // 2``.
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it.

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.uniform_filter1d(np.array([0.0, 3.0, 0.0, 3.0]), 3)
    array([1., 1., 2., 2.])
    """
    x = _input(input)
    size = _int(size, "size")
    if size < 1:
        raise ValueError(f"size must be >= 1, got size={size}")
    axis = _axis(axis, x.ndim)
    origin = _int(origin, "origin")
    _check_origin(origin, size)
    m = _mode(mode)
    cval = _cval(cval)
    nw = resolve_workers(workers)
    w = np.full(size, 1.0 / size)
    return _finish(x, lambda xc, y: _passes(xc, [(axis, w, origin, m)], cval, nw, y), output)


def uniform_filter(input, size=3, output=None, mode="reflect", cval=0.0, origin=0, *, axes=None,
                   workers=None):
    """Mean over a box of ``size`` samples per axis, as ``scipy.ndimage.uniform_filter``.

    ``size``, ``origin`` and ``mode`` may be per-axis sequences; axes of size 1 are skipped.
    Computed as correlations with ``1/size`` weights (scipy uses a running sum; the two agree
    to rounding for finite input).

    Non-finite input differs from scipy on purpose: here a NaN or inf only reaches the outputs
    whose window contains it (as ``correlate`` with a box kernel, and ``gaussian_filter``, in
    both libraries), while scipy's running sum carries it to the end of the line. With a NaN at
    index 5 of 12 zeros and ``size=3``, convx gives NaN at 4, 5, 6 and 0 elsewhere; scipy gives
    NaN at 4 to 11 (an inf gives inf at 4, 5, 6 here, and inf then NaN up to the end in scipy).
    The same holds for :func:`uniform_filter1d`.

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    size : int or sequence of int
        Window length per filtered axis (>= 1).
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : str or sequence of str
        Boundary extension, as :func:`correlate` ('reflect', 'constant', 'nearest', 'mirror',
        'wrap'); one per filtered axis when a sequence.
    cval : float
        Fill value for ``mode='constant'``.
    origin : int or sequence of int
        Shift of the window centre per filtered axis.
    axes : int or sequence of int, optional
        The axes to filter (default all).
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it.

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.uniform_filter(np.eye(3), 3).round(3)
    array([[0.556, 0.333, 0.111],
           [0.333, 0.333, 0.333],
           [0.111, 0.333, 0.556]])
    """
    x = _input(input)
    axes = _axes(axes, x.ndim)
    n = len(axes)
    sizes = _seq(size, n, "size", _int)
    origins = _seq(origin, n, "origin", _int)
    modes = _modes(mode, n)
    cval = _cval(cval)
    nw = resolve_workers(workers)
    passes = []
    for a, s, o, m in zip(axes, sizes, origins, modes):
        if s < 1:
            raise ValueError(f"size must be >= 1 on every axis, got size={size!r}")
        _check_origin(o, s)
        if s > 1:
            passes.append((a, np.full(s, 1.0 / s), o, m))
    return _finish(x, lambda xc, y: _run_passes(xc, passes, cval, nw, y), output)


def gaussian_gradient_magnitude(input, sigma, output=None, mode="reflect", cval=0.0, *,
                                axes=None, truncate=4.0, radius=None, workers=None):
    """Gradient magnitude with Gaussian derivatives, as ``scipy.ndimage``.

    ``sqrt(sum_a gaussian_filter(input, sigma, order=e_a)**2)`` over ``axes`` (``e_a`` is order
    1 on axis ``a``, 0 elsewhere; as in scipy each term smooths every axis of the input, so
    ``sigma`` and ``radius`` are per input axis). Responds to edges in any direction.

    Parameters
    ----------
    input : array_like
        Real array of any rank (complex is a TypeError).
    sigma : float or sequence of float
        Standard deviation of the Gaussian per input axis, in samples.
    output : ndarray or dtype, optional
        Array to fill (of the input's shape, any real dtype; returned) or dtype of the result.
        Default: float32 for float16/float32 input, float64 otherwise.
    mode : str or sequence of str
        Boundary extension, as :func:`correlate` ('reflect', 'constant', 'nearest', 'mirror',
        'wrap'); one per filtered axis when a sequence.
    cval : float
        Fill value for ``mode='constant'``.
    axes : int or sequence of int, optional
        The axes whose derivatives are summed (default all).
    truncate : float
        Kernel radius in standard deviations.
    radius : int or sequence of int, optional
        The kernel radius per input axis, overriding ``truncate``.
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it.

    Returns
    -------
    result : ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.gaussian_gradient_magnitude(np.array([0.0, 0.0, 1.0, 1.0]), 1.0).round(3)
    array([0.108, 0.363, 0.363, 0.108])
    """
    x = _input(input)
    axes = _axes(axes, x.ndim)
    modes = _modes(mode, len(axes))
    cval = _cval(cval)
    nw = resolve_workers(workers)
    # as scipy: each derivative is a gaussian_filter over *all* axes (sigma per input axis);
    # ``axes`` only selects which derivatives are summed
    pass_lists = []
    for i, a in enumerate(axes):
        orders = [1 if j == a else 0 for j in range(x.ndim)]
        pass_lists.append(_gaussian_passes(x.ndim, sigma, orders, modes[i], truncate, radius,
                                           None))

    def compute(xc, y):
        if not axes:
            return _run_passes(xc, [], cval, nw, y)
        acc = None
        for passes in pass_lists:
            d = _run_passes(xc, passes, cval, nw, None)
            np.multiply(d, d, out=d)
            acc = d if acc is None else np.add(acc, d, out=acc)
        np.sqrt(acc, out=acc)
        if y is None:
            return acc
        y[...] = acc
        return y

    return _finish(x, compute, output)


_SEE_ALSO = {
    sobel: ["convx.kernels.sobel_x : The 2-D kernel, for :func:`correlate`.",
            "prewitt : Unweighted smoothing."],
    prewitt: ["convx.kernels.prewitt_x : The 2-D kernel.", "sobel : Weighted smoothing."],
    laplace: ["convx.kernels.laplacian : The 2-D kernel.",
              "gaussian_gradient_magnitude : A smoothed edge strength."],
    gaussian_filter1d: ["gaussian_filter : Several axes at once."],
    gaussian_filter: ["convx.kernels.gaussian : A 2-D Gaussian kernel of a given size.",
                      "uniform_filter : A flat blur."],
    uniform_filter1d: ["uniform_filter : Several axes at once."],
    uniform_filter: ["convx.kernels.box : The 2-D kernel.", "gaussian_filter : A smooth blur."],
    gaussian_gradient_magnitude: ["gaussian_filter : With ``order=1``, one derivative.",
                                  "sobel : An unsmoothed derivative."],
}


def _complete(fn, see_also):
    # Raises (shared with correlate) and See Also, before the Examples section (numpydoc order)
    doc = fn.__doc__
    i = doc.index("    Examples\n")
    see = "\n".join("    " + line for line in see_also)
    fn.__doc__ = (doc[:i] + _RAISES.lstrip("\n") + "\n\n    See Also\n    --------\n" + see
                  + "\n\n" + doc[i:])


for _fn, _see in _SEE_ALSO.items():
    _complete(_fn, _see)
del _fn, _see
