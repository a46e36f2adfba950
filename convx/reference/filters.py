"""Reference scipy.ndimage-compatible correlate / convolve (n-D and 1-D).

Written from the definitions: extend the input per axis by the boundary mode,
then sum ``weights[t] * extended[i + t]`` over taps in float64. Conventions, all
checked against scipy 1.17 by experiment:

* Kernel centre and origin: along an axis with ``k`` taps and origin ``o`` the
  input is extended by ``k//2 + o`` before and ``k - 1 - (k//2 + o)`` after, i.e.
  ``out[i] = sum_j w[j] * in[i + j - k//2 - o]``. For even ``k`` the centre is
  tap ``k//2`` (the later of the two middle taps). Valid origins:
  ``-(k//2) <= o <= (k-1)//2``.
* ``convolve`` = ``correlate`` with the kernel flipped on every axis and origin
  ``-o``, minus 1 more on axes with an even number of taps.
* Modes (np.pad names in brackets): 'reflect' = 'grid-mirror', half-sample
  symmetric ``d c b a | a b c d | d c b a`` (symmetric); 'mirror', whole-sample
  ``d c b | a b c d | c b a`` (reflect); 'nearest' (edge); 'wrap' = 'grid-wrap'
  (wrap); 'constant' = 'grid-constant', filled with ``cval`` (constant). When the
  extension is longer than the input the rule repeats, as scipy does (np.pad
  does the same; a length-1 axis under 'mirror' repeats its one sample).
* The n-D ``correlate``/``convolve`` skip every weight with
  ``not abs(w) > DBL_EPSILON`` (scipy builds its footprint that way), so tiny and
  NaN weights are ignored and ``0 * inf`` never appears for them. The 1-D
  functions use every weight.
* ``axes``: ``weights`` has ``len(axes)`` dims, matched to the listed axes in
  *increasing* axis order, while a sequence ``origin`` is matched to ``axes`` in
  the order given -- unless ``axes`` names every axis, in which case ``origin[k]``
  belongs to axis ``k`` (scipy's behaviour, quirks included).
* Output dtype: ``output=None`` gives float32 for float16/float32 input and
  float64 for float64, integer and bool input (scipy would keep the input's
  integer dtype and truncate; scipy rejects float16). With ``output=`` a dtype or
  array, the float64 result is cast as scipy's C cast does: floats round, integers
  truncate toward zero (out-of-range values are platform-defined in both), and a
  bool output is True where the value truncated to uint8 is non-zero (scipy writes
  that byte into the bool array). An ``output`` array is filled and returned.
"""
import itertools

import numpy as np

__all__ = ["correlate", "convolve", "correlate1d", "convolve1d"]

_MODES = {
    "reflect": "symmetric",
    "grid-mirror": "symmetric",
    "mirror": "reflect",
    "nearest": "edge",
    "wrap": "wrap",
    "grid-wrap": "wrap",
    "constant": "constant",
    "grid-constant": "constant",
}


def _check_real(arr, name):
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {arr.dtype}")


def _extend(x, pads, mode, cval):
    """Extend x by pads [(before, after)] per axis with the scipy boundary mode."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {sorted(_MODES)}, got {mode!r}")
    if x.size == 0:
        return np.pad(x, pads, mode="constant")
    if _MODES[mode] == "constant":
        return np.pad(x, pads, mode="constant", constant_values=cval)
    return np.pad(x, pads, mode=_MODES[mode])


def _check_origin(origin, k):
    if not -(k // 2) <= origin <= (k - 1) // 2:
        raise ValueError(f"origin must satisfy -({k} // 2) <= origin <= ({k} - 1) // 2 "
                         f"for {k} taps, got {origin}")


def _correlate_f64(x, weights, origins, mode, cval, skip_tiny):
    """float64 correlation of x with an x.ndim-dimensional kernel."""
    pads = []
    for k, o in zip(weights.shape, origins):
        _check_origin(o, k)
        pads.append((k // 2 + o, k - 1 - (k // 2 + o)))
    ext = _extend(x.astype(np.float64), pads, mode, float(cval))
    out = np.zeros(x.shape)
    for tap in itertools.product(*(range(k) for k in weights.shape)):
        w = weights[tap]
        if skip_tiny and not abs(w) > np.finfo(np.float64).eps:
            continue
        out += w * ext[tuple(slice(t, t + n) for t, n in zip(tap, x.shape))]
    return out


def _store(result, input, output):
    """Apply the output dtype policy / scipy's cast into output (see module docstring)."""
    if output is None:
        dt = input.dtype
        target = np.float32 if dt in (np.float16, np.float32) else np.float64
        return result.astype(target)
    if isinstance(output, np.ndarray):
        if output.shape != result.shape:
            raise ValueError(f"output shape {output.shape} does not match {result.shape}")
        out = output
    else:
        out = np.empty(result.shape, dtype=np.dtype(output))
    _check_real(out, "output")
    with np.errstate(invalid="ignore", over="ignore"):
        if out.dtype == np.bool_:
            out[...] = result.astype(np.uint8) != 0
        else:
            np.copyto(out, result, casting="unsafe")
    return out


def _axes_tuple(axes, ndim):
    if axes is None:
        return tuple(range(ndim))
    if np.isscalar(axes):
        axes = (axes,)
    axes = tuple(int(a) for a in axes)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axes entry {a} is out of range for {ndim} dimensions")
    axes = tuple(a % ndim for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"axes must be unique, got {axes}")
    return axes


def _correlate_or_convolve(input, weights, output, mode, cval, origin, axes, flip):
    input = np.asarray(input)
    weights = np.asarray(weights)
    _check_real(input, "input")
    _check_real(weights, "weights")
    weights = weights.astype(np.float64)
    axes = _axes_tuple(axes, input.ndim)
    if weights.ndim != len(axes):
        raise ValueError(f"weights.ndim ({weights.ndim}) must match len(axes) ({len(axes)})")
    if 0 in weights.shape:
        raise ValueError(f"weights must not be empty, got shape {weights.shape}")
    origins = [int(o) for o in np.broadcast_to(origin, (len(axes),))]
    # As scipy: kernel dims go to the filtered axes in increasing order; origins
    # follow `axes` as given, except when every axis is filtered (then origin[k]
    # belongs to axis k whatever order `axes` lists them in).
    full_w = np.expand_dims(weights, tuple(a for a in range(input.ndim) if a not in axes))
    if len(axes) == input.ndim:
        full_o = origins
    else:
        full_o = [0] * input.ndim
        for o, a in zip(origins, axes):
            full_o[a] = o
    if flip:
        full_w = full_w[(slice(None, None, -1),) * input.ndim]
        full_o = [-o - (1 if k % 2 == 0 else 0) for o, k in zip(full_o, full_w.shape)]
    result = _correlate_f64(input, full_w, full_o, mode, cval, skip_tiny=True)
    return _store(result, input, output)


def _correlate1d(input, weights, axis, output, mode, cval, origin, flip):
    input = np.asarray(input)
    weights = np.asarray(weights)
    _check_real(input, "input")
    _check_real(weights, "weights")
    weights = weights.astype(np.float64)
    if weights.ndim != 1 or weights.shape[0] < 1:
        raise ValueError(f"weights must be a non-empty 1-D sequence, got shape {weights.shape}")
    if input.ndim == 0:
        raise ValueError("input must have at least one dimension")
    axis = int(axis)
    if not -input.ndim <= axis < input.ndim:
        raise ValueError(f"axis {axis} is out of range for {input.ndim} dimensions")
    axis %= input.ndim
    k = weights.shape[0]
    origin = int(origin)
    if flip:
        weights = weights[::-1]
        origin = -origin - (1 if k % 2 == 0 else 0)
    shape = [1] * input.ndim
    shape[axis] = k
    origins = [0] * input.ndim
    origins[axis] = origin
    result = _correlate_f64(input, weights.reshape(shape), origins, mode, cval,
                            skip_tiny=False)
    return _store(result, input, output)


_PARAMS = """
Parameters
----------
input : array_like
    Real input array (complex is a TypeError).
{weights}
output : array or dtype, optional
    Where / in which dtype to store the result (scipy's cast rules, see
    :mod:`convx.reference.filters`). Default: float32 for float16/float32 input,
    float64 otherwise.
mode : str
    Boundary extension, as scipy.ndimage: 'reflect', 'mirror', 'nearest', 'wrap',
    'constant', 'grid-mirror', 'grid-wrap' or 'grid-constant'.
cval : float
    Fill value for 'constant'.
{origin}

Returns
-------
ndarray
    Same shape as ``input`` (``output`` itself if it was an array).
"""

_ND_WEIGHTS = """weights : array_like
    Kernel with ``len(axes)`` dims (``input.ndim`` when ``axes`` is None)."""
_ND_ORIGIN = """origin : int or sequence of int
    Shift per filtered axis (in the order of ``axes`` if it is a proper subset,
    else in axis order).
axes : int or sequence of int, optional
    Axes to filter; kernel dims map to them in increasing axis order."""
_1D_WEIGHTS = """weights : array_like
    1-D kernel.
axis : int"""
_1D_ORIGIN = """origin : int"""


def correlate(input, weights, output=None, mode="reflect", cval=0.0, origin=0, axes=None):
    return _correlate_or_convolve(input, weights, output, mode, cval, origin, axes, flip=False)


def convolve(input, weights, output=None, mode="reflect", cval=0.0, origin=0, axes=None):
    return _correlate_or_convolve(input, weights, output, mode, cval, origin, axes, flip=True)


def correlate1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    return _correlate1d(input, weights, axis, output, mode, cval, origin, flip=False)


def convolve1d(input, weights, axis=-1, output=None, mode="reflect", cval=0.0, origin=0):
    return _correlate1d(input, weights, axis, output, mode, cval, origin, flip=True)


correlate.__doc__ = ("Reference n-D correlation, scipy.ndimage.correlate semantics.\n\n"
                     "``out[i] = sum_t w[t] * ext[i + t - k//2 - origin]``; weights with\n"
                     "``abs(w) <= DBL_EPSILON`` (or NaN) are skipped as scipy does.\n"
                     + _PARAMS.format(weights=_ND_WEIGHTS, origin=_ND_ORIGIN))
convolve.__doc__ = ("Reference n-D convolution, scipy.ndimage.convolve semantics.\n\n"
                    "``correlate`` with the kernel flipped and origin ``-origin`` (one less on\n"
                    "even-length axes).\n"
                    + _PARAMS.format(weights=_ND_WEIGHTS, origin=_ND_ORIGIN))
correlate1d.__doc__ = ("Reference 1-D correlation along ``axis``, scipy.ndimage.correlate1d "
                       "semantics.\n\nEvery weight is used (no epsilon skipping).\n"
                       + _PARAMS.format(weights=_1D_WEIGHTS, origin=_1D_ORIGIN))
convolve1d.__doc__ = ("Reference 1-D convolution along ``axis``, scipy.ndimage.convolve1d "
                      "semantics.\n\n``correlate1d`` with reversed weights and origin\n"
                      "``-origin`` (one less for an even number of taps).\n"
                      + _PARAMS.format(weights=_1D_WEIGHTS, origin=_1D_ORIGIN))
