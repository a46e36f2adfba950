"""Argument normalisation of convx.filters (scipy.ndimage's rules) and the output policy."""
import numbers
import operator

import numpy as np

from convx import _args as A

_MODES = {
    "reflect": "reflect", "grid-mirror": "reflect", "mirror": "mirror", "nearest": "nearest",
    "wrap": "wrap", "grid-wrap": "wrap", "constant": "constant", "grid-constant": "constant",
}
_EPS = np.finfo(np.float64).eps
_NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap",
           "constant": "constant"}   # np.pad's name of each mode


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
    # compare without byte order: a big-endian float32 input is float32 too (dtype('>f4') is
    # not equal to np.float32)
    native = x.dtype.newbyteorder("=")
    return np.dtype(np.float32) if native in (np.float16, np.float32) else np.dtype(np.float64)


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



def _check_origin(o, k, name="origin"):
    if not -(k // 2) <= o <= (k - 1) // 2:
        raise ValueError(f"{name} must satisfy -(k // 2) <= {name} <= (k - 1) // 2 for a kernel "
                         f"of k={k} taps, got {name}={o}")



def _real(v, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)):
        raise TypeError(f"{name} must be a real number, got {name}={v!r} ({type(v).__name__})")
    return float(v)



def _opt_int(v, name):
    return None if v is None else _int(v, name)
