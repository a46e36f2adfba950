"""Image filtering with ``scipy.ndimage`` semantics, compiled: ``convx.filters``.

Drop-in replacements for ``scipy.ndimage.correlate``, ``convolve``, ``correlate1d``,
``convolve1d``, ``sobel``, ``prewitt``, ``laplace``, ``gaussian_filter``, ``gaussian_filter1d``,
``uniform_filter``, ``uniform_filter1d`` and ``gaussian_gradient_magnitude``: same arguments,
same boundary modes (``reflect``, ``constant``, ``nearest``, ``mirror``, ``wrap`` and the
``grid-*`` aliases), same ``origin`` and ``axes`` rules (documented, with the experiments that
found them, in :mod:`convx.reference.filters`, the oracle these functions are tested against).

Differences from scipy, on purpose:

* dtypes: float32 input is computed and returned in float32 (scipy computes in float64 and
  rounds into a float32 output at the end of every 1-D pass, so the two agree to float32
  rounding); float64 stays float64; float16 is computed in float32 (scipy rejects it); integer
  and bool images are computed in float64 and returned as float64 unless ``output=`` asks for
  a dtype, which receives the result with scipy's C cast (floats round, integers truncate
  toward zero, bool is "truncated to uint8, non-zero"). scipy keeps an integer input's dtype
  and truncates after every 1-D pass; convx casts once, at the end.
* ``workers=`` (keyword only) sets the threads of one call (None: :func:`convx.get_num_threads`,
  -1: all cores); results are bit-identical for any value.
* Non-finite values in ``uniform_filter``/``uniform_filter1d`` stay inside the windows that
  contain them (scipy's running sum spreads a NaN or inf to the end of the line).
* Composite filters (``sobel``, ``prewitt``, ``laplace``, ``gaussian_filter``,
  ``uniform_filter``) are computed as one n-D pass with the combined kernel when that is exact
  (every mode but ``'constant'`` with a non-zero ``cval``, one mode for all axes) and cheap
  (few taps); otherwise as scipy does, one 1-D pass per axis. Both orders give the same result
  up to rounding.
* ``correlate``/``convolve`` with a 2-D rank-1 kernel of many taps (e.g. a Gaussian or box
  built with :mod:`convx.kernels`) run as two 1-D passes (same exactness conditions).

Large kernels: ``correlate``/``convolve`` with a non-separable 2-D kernel of at least
``_FFT_MIN_TAPS_PER_WORKER * workers`` taps (2000 per thread, about 45x45) and finite input
and weights use numpy.fft on the mode-extended image (equal up to FFT rounding). The crossover
was measured on a 1024x1024 float32 image, one thread, Zen 4: direct 31x31 8.9 ms vs FFT
15.7 ms, 63x63 32.5 vs 18.4 ms, 127x127 132 vs 19-23 ms. numpy.fft is single-threaded, hence
the threshold scales with ``workers``.

How it runs: the input is viewed as ``[batch, D, H, W, inner]`` (up to three filtered axes,
unfiltered leading axes as a batch, unfiltered trailing axes interleaved); the C driver
(csrc/filters.template.c) builds boundary-extended rows per thread and runs vectorised row
kernels (csrc/kernels/filter/) over OpenMP tasks of output rows.
"""
import functools
import math
import numbers
import operator

import numpy as np

from convx import _args as A
from convx._threads import resolve_workers
from convx._workspace import scratch

__all__ = [
    "correlate", "convolve", "correlate1d", "convolve1d", "sobel", "prewitt", "laplace",
    "gaussian_filter", "gaussian_filter1d", "uniform_filter", "uniform_filter1d",
    "gaussian_gradient_magnitude",
]

_MODES = {
    "reflect": "reflect", "grid-mirror": "reflect", "mirror": "mirror", "nearest": "nearest",
    "wrap": "wrap", "grid-wrap": "wrap", "constant": "constant", "grid-constant": "constant",
}
_EPS = np.finfo(np.float64).eps
# 2-D rank-1 kernels with at least this many taps run as two 1-D passes (measured: at 5x5 the
# single pass and the two passes cost about the same on a 4096x4096 float32 image).
_SEPARABLE_MIN_TAPS = 30
# Composite filters fuse their per-axis passes into one n-D pass up to this many taps; above,
# the one-sweep separable pass wins (5x5 Gaussian on 4096^2 float32, one thread: fused 12.8 ms,
# sweep 12.0 ms, cv2.sepFilter2D 11.4 ms).
_FUSE_MAX_TAPS = 16
# Non-separable 2-D kernels with at least this many taps per worker thread go through numpy.fft
# (single-threaded). Measured on a 1024x1024 float32 image, one thread (Zen 4, AVX-512):
# direct 31x31 8.9 ms vs FFT 15.7 ms; 63x63 32.5 ms vs 18.4 ms; 127x127 132 ms vs 19-23 ms:
# the crossover is near 45x45 (~2000 taps) per thread.
_FFT_MIN_TAPS_PER_WORKER = 2000
_NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap",
           "constant": "constant"}


# ---------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------

def _mode(mode, name="mode"):
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"{name} must be one of {sorted(_MODES)}, got {name}={mode!r}")
    return _MODES[mode]


def _modes(mode, n):
    """One mode or a sequence of n modes (scipy accepts both for the composite filters)."""
    if isinstance(mode, str):
        return [_mode(mode)] * n
    mode = list(mode)
    if len(mode) != n:
        raise ValueError(f"mode must be a string or a sequence of {n} strings (one per filtered "
                         f"axis), got mode={mode!r}")
    return [_mode(m) for m in mode]


def _cval(cval):
    if isinstance(cval, (bool, np.bool_)) or not isinstance(cval, (numbers.Real, np.number)):
        raise TypeError(f"cval must be a real number, got cval={cval!r} ({type(cval).__name__})")
    return float(cval)


def _int(v, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an int, got {name}={v!r} ({type(v).__name__})")
    return operator.index(v)


def _seq(value, n, name, conv):
    """scipy's _normalize_sequence: a scalar repeated n times or a sequence of exactly n."""
    if isinstance(value, (str, bytes)) or not np.iterable(value):
        return [conv(value, name)] * n
    vals = [conv(v, name) for v in value]
    if len(vals) != n:
        raise ValueError(f"{name} must be a single value or a sequence of {n} values (one per "
                         f"filtered axis), got {name}={value!r}")
    return vals


def _axis(axis, ndim, name="axis"):
    axis = _int(axis, name)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}={axis} is out of range for an input of {ndim} dimensions")
    return axis % ndim


def _axes(axes, ndim):
    if axes is None:
        return tuple(range(ndim))
    if isinstance(axes, (numbers.Integral, np.integer)) and not isinstance(axes, bool):
        axes = (axes,)
    if not np.iterable(axes):
        raise TypeError(f"axes must be None, an int or a sequence of ints, got axes={axes!r}")
    out = tuple(_axis(a, ndim, "axes") for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"axes must not repeat an axis, got axes={axes!r}")
    return out


def _input(input):
    # 0-d input is allowed, as scipy: no axis to filter (functions with an `axis` reject it;
    # correlate/convolve with 0-d weights scale it)
    return A.as_array(input, "input")


def _weights(weights, name="weights"):
    w = A.as_array(weights, name)
    if w.size == 0:
        raise ValueError(f"{name} must not be empty, got {name} of shape {w.shape}")
    return w.astype(np.float64)


def _compute_dtype(x):
    return np.dtype(np.float32) if x.dtype in (np.float16, np.float32) else np.dtype(np.float64)


def _check_output(output, shape):
    """None, a dtype, or an ndarray of the input's shape (filled and returned)."""
    if output is None:
        return None
    if isinstance(output, np.ndarray):
        if output.shape != tuple(shape):
            raise ValueError(f"output must have the input's shape {tuple(shape)}, got "
                             f"output.shape={output.shape}")
        if output.dtype.kind not in "biuf":
            raise TypeError(f"output must have a real numeric dtype, got output.dtype="
                            f"{output.dtype}")
        if not output.flags.writeable:
            raise ValueError("output must be writeable, got a read-only array")
        return output
    try:
        dt = np.dtype(output)
    except TypeError:
        raise TypeError(f"output must be None, a dtype or an ndarray, got output={output!r}") \
            from None
    if dt.kind not in "biuf":
        raise TypeError(f"output must name a real numeric dtype, got output={output!r}")
    return dt


def _store(result, output, input_for_alias=None):
    """Return result (compute dtype) as the public result: output policy and scipy's cast."""
    if output is None:
        return result
    out = output if isinstance(output, np.ndarray) else np.empty(result.shape, dtype=output)
    if out is result:
        return out
    with np.errstate(invalid="ignore", over="ignore"):
        if out.dtype == np.bool_:
            out[...] = result.astype(np.uint8) != 0
        else:
            np.copyto(out, result, casting="unsafe")
    return out


def _direct_target(output, shape, dtype, x):
    """An output ndarray the C code may write into directly, else None (the result is then
    computed into a fresh array and copied): it must be C-contiguous and aligned in the compute
    dtype and must not overlap the input, which every pass may still read (A.safe_target)."""
    if (isinstance(output, np.ndarray) and output.dtype == dtype and output.flags.c_contiguous
            and output.shape == tuple(shape) and A.safe_target(output, output, x) is output):
        return output
    return None


# ---------------------------------------------------------------------------------------------
# the core: correlation of a compute-dtype array with a full-rank kernel
# ---------------------------------------------------------------------------------------------

def _check_origin(o, k, name="origin"):
    if not -(k // 2) <= o <= (k - 1) // 2:
        raise ValueError(f"{name} must satisfy -(k // 2) <= {name} <= (k - 1) // 2 for a kernel "
                         f"of k={k} taps, got {name}={o}")


def _layout(shape, kshape):
    """Map an n-D problem to the C driver's [B, D, H, W, inner] view, or None.

    Leading axes without taps become the batch; trailing ones are interleaved into each pixel
    (few samples, e.g. colour) or become the row itself when long enough to vectorise.
    """
    active = [a for a, k in enumerate(kshape) if k > 1]
    if not active:
        return None
    first, last = active[0], active[-1]
    span = last - first + 1
    B = math.prod(shape[:first])
    inner = math.prod(shape[last + 1:])
    sp = list(shape[first:last + 1])
    kk = list(kshape[first:last + 1])
    if inner >= 16 and span <= 2:
        dims = [1] * (2 - span) + sp + [inner]
        ks = [1] * (2 - span) + kk + [1]
        return B, dims, 1, ks, (first, last), "row"
    if span <= 3:
        dims = [1] * (3 - span) + sp
        ks = [1] * (3 - span) + kk
        return B, dims, inner, ks, (first, last), "inner"
    return None


def _correlate_nd(xc, w, origins, mode, cval, skip_zero, workers, y=None):
    """y = correlate(xc, w) with w.ndim == xc.ndim; xc C-contiguous in the compute dtype."""
    from convx import _filters
    dtype = xc.dtype
    shape = xc.shape
    kshape = w.shape
    for o, k in zip(origins, kshape):
        _check_origin(o, k)
    if y is None:
        y = np.empty(shape, dtype=dtype)
    if xc.size == 0:
        return y
    if skip_zero:
        w = np.where(np.abs(w) > _EPS, w, 0.0)
    lay = _layout(shape, kshape)
    if lay is None:  # a 1-tap kernel: a scaling
        s = float(w.reshape(-1)[0])
        if skip_zero and s == 0.0:
            y[...] = 0
        else:
            np.multiply(xc, dtype.type(s), out=y)
        return y
    B, dims, inner, ks, (first, last), kind = lay
    lo_sp = [k // 2 + o for k, o in zip(kshape[first:last + 1], origins[first:last + 1])]
    if kind == "row":
        lo = [0] * (2 - len(lo_sp)) + lo_sp + [0]
    else:
        lo = [0] * (3 - len(lo_sp)) + lo_sp
    wc = np.ascontiguousarray(w.reshape(ks), dtype=dtype)
    x5 = xc.reshape([B] + dims + [inner])
    y5 = y.reshape(x5.shape)
    _filters._filter(x5, wc, y5, tuple(lo), _filters.MODES[mode], cval, skip_zero, workers)
    return y


def _correlate_general(xc, w, origins, mode, cval, skip_zero, workers, y=None):
    """_correlate_nd for any rank: more than three filtered axes in a row are done in NumPy."""
    if _layout(xc.shape, w.shape) is not None or all(k == 1 for k in w.shape):
        return _correlate_nd(xc, w, origins, mode, cval, skip_zero, workers, y)
    np_mode = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap",
               "constant": "constant"}[mode]
    for o, k in zip(origins, w.shape):
        _check_origin(o, k)
    pads = [(k // 2 + o, k - 1 - (k // 2 + o)) for k, o in zip(w.shape, origins)]
    kw = {"constant_values": cval} if mode == "constant" else {}
    ext = np.pad(xc, pads, mode=np_mode, **kw)
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


def _fast_len(n):
    """Smallest 2^a 3^b 5^c >= n (pocketfft is fastest on those)."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def _correlate_fft(xc, w2, active, origins, mode, cval, y=None):
    """Correlation with a 2-D kernel over axes ``active`` by FFT of the mode-extended input.

    The result equals the direct sum up to FFT rounding (relative ~1e-6 in float32). Callers
    make sure weights and input are finite (an inf would spread over the whole image).
    """
    a1, a2 = active
    ks = w2.shape
    pads = [(0, 0)] * xc.ndim
    for a, k in zip(active, ks):
        lo = k // 2 + origins[a]
        pads[a] = (lo, k - 1 - lo)
    kw = {"constant_values": cval} if mode == "constant" else {}
    ext = np.pad(xc, pads, mode=_NP_PAD[mode], **kw)
    shape = (_fast_len(ext.shape[a1]), _fast_len(ext.shape[a2]))
    X = np.fft.rfftn(ext, shape, axes=(a1, a2))
    K = np.fft.rfftn(w2[::-1, ::-1].astype(xc.dtype), shape, axes=(0, 1))
    kshape = [1] * xc.ndim
    kshape[a1], kshape[a2] = K.shape
    X *= K.reshape(kshape)
    full = np.fft.irfftn(X, shape, axes=(a1, a2))
    sl = [slice(None)] * xc.ndim
    sl[a1] = slice(ks[0] - 1, ks[0] - 1 + xc.shape[a1])
    sl[a2] = slice(ks[1] - 1, ks[1] - 1 + xc.shape[a2])
    res = full[tuple(sl)]
    if y is None:
        return np.ascontiguousarray(res, dtype=xc.dtype)
    y[...] = res
    return y


def _rank1(w2):
    """(column, row) with outer(column, row) == w2 up to rounding, or None."""
    if not np.all(np.isfinite(w2)):
        return None
    i, j = np.unravel_index(np.argmax(np.abs(w2)), w2.shape)
    piv = w2[i, j]
    if piv == 0:
        return None
    col, row = w2[:, j], w2[i, :] / piv
    rec = np.outer(col, row)
    if not np.array_equal(rec == 0, w2 == 0):
        return None
    if not np.allclose(rec, w2, rtol=1e-12, atol=1e-14 * abs(piv)):
        return None
    return col, row


def _sep_pair(cur, p1, p2, cval, workers, y=None):
    """Passes along axes a and a+1 in one C sweep (column filter, then row filter)."""
    from convx import _filters
    (a, w1, o1, m1), (_, w2, o2, m2) = p1, p2
    k1, k2 = len(w1), len(w2)
    _check_origin(o1, k1)
    _check_origin(o2, k2)
    shape = cur.shape
    dtype = cur.dtype
    if y is None:
        y = np.empty(shape, dtype=dtype)
    if cur.size == 0:
        return y
    B = math.prod(shape[:a])
    inner = math.prod(shape[a + 2:])
    x5 = cur.reshape(B, 1, shape[a], shape[a + 1], inner)
    _filters._filter_sep(x5, np.ascontiguousarray(w1, dtype=dtype),
                         np.ascontiguousarray(w2, dtype=dtype), y.reshape(x5.shape),
                         (0, k1 // 2 + o1, k2 // 2 + o2), _filters.MODES[m1],
                         _filters.MODES[m2], cval, workers)
    return y


def _passes(xc, passes, cval, workers, y=None):
    """Run 1-D passes [(axis, weights, origin, mode)] one after another (scipy's order).

    Two consecutive passes along neighbouring axes (a, then a + 1) run as one sweep with the
    same result, without writing the intermediate image.
    """
    cur = xc
    n = len(passes)
    i = 0
    mids = 0   # intermediates written so far: they alternate between two per-thread buffers

    def target(last):
        # the result goes to y (or a fresh array the caller keeps); intermediates to scratch
        nonlocal mids
        if last:
            return y
        mids += 1
        return scratch(f"filter_mid{mids % 2}", xc.shape, xc.dtype)

    while i < n:
        axis, wts, origin, mode = passes[i]
        if i + 1 < n and passes[i + 1][0] == axis + 1:
            dst = target(i + 2 == n)
            cur = _sep_pair(cur, passes[i], passes[i + 1], cval, workers, dst)
            i += 2
            continue
        shape = [1] * xc.ndim
        shape[axis] = len(wts)
        origins = [0] * xc.ndim
        origins[axis] = origin
        dst = target(i == n - 1)
        cur = _correlate_nd(cur, np.asarray(wts, dtype=np.float64).reshape(shape), origins, mode,
                            cval, False, workers, dst)
        i += 1
    return cur


def _finish(x, compute, output, workers_name=None):
    """Allocate/cast: run compute(xc, y_or_None) -> result in the compute dtype, store it."""
    dtype = _compute_dtype(x)
    out = _check_output(output, x.shape)
    xc = A.as_compute_array(x, dtype)
    target = _direct_target(out, x.shape, dtype, xc)
    res = compute(xc, target)
    return _store(res, out)


# ---------------------------------------------------------------------------------------------
# correlate / convolve
# ---------------------------------------------------------------------------------------------

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
    mode : {{'reflect', 'constant', 'nearest', 'mirror', 'wrap'}}
        Boundary extension (scipy.ndimage meaning; 'grid-mirror', 'grid-wrap' and
        'grid-constant' are accepted aliases). 'reflect' is ``d c b a | a b c d | d c b a``,
        'mirror' is ``d c b | a b c d | c b a``, 'nearest' repeats the edge, 'wrap' is periodic,
        'constant' fills with ``cval``."""
_WORKERS = """
    workers : int, optional
        Threads for this call (None: :func:`convx.get_num_threads`, -1: all cores). The result
        does not depend on it."""


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
    ndarray
        The input's shape (``output`` itself when it is an array).

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.{name}(np.arange(5.0), [1.0, 2.0, 3.0])
    {example}
"""
correlate.__doc__ = _ND_DOC.format(
    what="n-D correlation", name="correlate", common=_COMMON, workers=_WORKERS,
    formula="``out[i] = sum_t w[t] * ext[i + t - k // 2 - origin]`` per axis, ``ext`` the "
            "input extended by ``mode``.",
    example="array([ 3.,  8., 14., 20., 23.])")
convolve.__doc__ = _ND_DOC.format(
    what="n-D convolution", name="convolve", common=_COMMON, workers=_WORKERS,
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
    weights : array_like
        1-D kernel.
    axis : int{common}
    cval : float
    origin : int
        ``-(k // 2) <= origin <= (k - 1) // 2``.{workers}

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import numpy as np, convx.filters as F
    >>> F.{name}(np.arange(5.0), [1.0, 2.0, 3.0])
    {example}
"""
correlate1d.__doc__ = _1D_DOC.format(
    what="correlation", name="correlate1d", common=_COMMON, workers=_WORKERS,
    formula="``out[i] = sum_t w[t] * ext[i + t - k // 2 - origin]``.",
    example="array([ 3.,  8., 14., 20., 23.])")
convolve1d.__doc__ = _1D_DOC.format(
    what="convolution", name="convolve1d", common=_COMMON, workers=_WORKERS,
    formula="``correlate1d`` with reversed weights and origin ``-origin`` (one less for an "
            "even number of taps).",
    example="array([ 1.,  4., 10., 16., 21.])")


# ---------------------------------------------------------------------------------------------
# composite filters
# ---------------------------------------------------------------------------------------------

def _fusable(passes, cval, shape):
    """Whether per-axis passes may run as one n-D pass with the outer-product kernel."""
    modes = {m for _, _, _, m in passes}
    if len(modes) != 1 or (modes == {"constant"} and cval != 0.0):
        return False
    axes = [a for a, _, _, _ in passes]
    if len(set(axes)) != len(axes):
        return False
    taps = math.prod(len(w) for _, w, _, _ in passes)
    if taps > _FUSE_MAX_TAPS:
        return False
    return _layout(shape, [dict((a, len(w)) for a, w, _, _ in passes).get(i, 1)
                           for i in range(len(shape))]) is not None


def _run_passes(xc, passes, cval, workers, y):
    """Separable filter: fused n-D pass when exact and cheap, else 1-D passes in order."""
    if not passes:
        if y is None:
            return xc.copy()
        y[...] = xc
        return y
    if len(passes) > 1 and _fusable(passes, cval, xc.shape):
        k = np.ones([1] * xc.ndim)
        origins = [0] * xc.ndim
        for a, w, o, _ in passes:
            shape = [1] * xc.ndim
            shape[a] = len(w)
            k = k * np.asarray(w, dtype=np.float64).reshape(shape)
            origins[a] = o
        return _correlate_nd(xc, k, origins, passes[0][3], cval, False, workers, y)
    return _passes(xc, passes, cval, workers, y)


@functools.lru_cache(maxsize=64)
def _edge_kernel(ndim, axis, smooth):
    """The combined 3^ndim kernel of an edge filter: [-1, 0, 1] along axis, smooth elsewhere
    (read-only, cached: building it cost several us per call on small images)."""
    k = np.ones([1] * ndim)
    for a in range(ndim):
        shape = [1] * ndim
        shape[a] = 3
        k = k * np.asarray([-1.0, 0.0, 1.0] if a == axis else smooth).reshape(shape)
    k.flags.writeable = False
    return k


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
    axis : int
        The derivative's axis.{common}
    cval : float{workers}

    Returns
    -------
    ndarray

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
    output, mode, cval
        As :func:`correlate`; ``mode`` may be one string per axis.
    axes : int or sequence of int, optional
    workers : int, optional

    Returns
    -------
    ndarray

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


def _real(v, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)):
        raise TypeError(f"{name} must be a real number, got {name}={v!r} ({type(v).__name__})")
    return float(v)


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


def _opt_int(v, name):
    return None if v is None else _int(v, name)


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


def gaussian_filter1d(input, sigma, axis=-1, order=0, output=None, mode="reflect", cval=0.0,
                      truncate=4.0, *, radius=None, workers=None):
    """1-D Gaussian filter (or derivative of order ``order``), as ``scipy.ndimage``.

    The kernel has radius ``int(truncate * sigma + 0.5)`` (or ``radius``) and is normalised to
    sum 1 before the derivative polynomial is applied.

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
    sigma : float or sequence of float
        Standard deviation per filtered axis, in pixels.
    order : int or sequence of int
    output, mode, cval
        As :func:`correlate`.
    truncate : float
        Kernel radius in standard deviations: ``int(truncate * sigma + 0.5)``.
    radius : int or sequence of int, optional
        Overrides the radius.
    axes : int or sequence of int, optional
        E.g. ``axes=(0, 1)`` blurs each channel of an ``[H, W, 3]`` image.
    workers : int, optional

    Returns
    -------
    ndarray

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
