"""Argument normalisation and validation shared by every public operation (every family).

Every user-facing ValueError/TypeError is raised here or in the public modules, and names the
argument, what was expected and what came (STYLE.md section 4). Nothing here copies data except
``as_compute_array``, which makes the C-contiguous, aligned, native-order array the C code reads
— a copy whenever the caller's array is not already exactly that, so caller arrays are never
modified — and the out= staging (``safe_target``/``deliver``).

Thread defaults live in convx/_threads.py, call plans and the glue invoker in convx/_plans.py.
"""
import math
import numbers
import operator

import numpy as np

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_NP_PAD_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def as_array(a, name):
    """np.asarray with a clear TypeError for dtypes convx cannot compute in."""
    try:
        arr = np.asarray(a)
    except Exception as e:  # ragged lists and the like
        raise TypeError(f"{name} must be an array-like of real numbers, got {type(a).__name__} "
                        f"that NumPy cannot convert ({e})") from None
    k = arr.dtype.kind
    if k == "c":
        raise TypeError(f"{name} must be real-valued; complex dtype {arr.dtype} is not supported")
    if k not in "biuf":
        raise TypeError(f"{name} must have a real numeric dtype (bool, integer or float), got "
                        f"dtype {arr.dtype}")
    return arr


def compute_dtype(*arrays):
    """The result/compute dtype: np.result_type, then float16 -> float32, int/bool -> float64.

    Pass the input and weight(s) only: bias and other auxiliary arrays are converted to the
    result dtype, they do not change it (as torch and convx.reference)."""
    dt = np.result_type(*[a.dtype for a in arrays if a is not None])
    if dt.kind in "biu":
        return np.dtype(np.float64)
    if dt == np.float16:
        return np.dtype(np.float32)
    if dt in (np.float32, np.float64):
        return np.dtype(dt.type)  # native byte order
    return np.dtype(np.float64)  # longdouble and friends are computed in float64


def as_compute_array(a, dtype):
    """C-contiguous, aligned, native byte order, given dtype; the caller's array itself if it
    already is. A valid NumPy array may start at any byte (np.frombuffer with an offset, a view
    of a uint8 buffer) and the C kernels dereference typed pointers, so misaligned ones are
    copied (NumPy's conversions keep them misaligned)."""
    a = np.asarray(a, dtype=dtype, order="C")   # unlike np.ascontiguousarray, keeps 0-d
    if not a.flags.aligned:
        a = a.copy()
    return a


def overlaps(out, operands):
    """Whether `out` may share memory with one of `operands` (None entries ignored).

    np.may_share_memory only compares memory bounds: cheap, and conservative (two interleaved
    views that never touch count as overlapping, which only costs a copy)."""
    for a in operands:
        if a is not None and np.may_share_memory(out, a):
            return True
    return False


def safe_target(y, out, *operands):
    """The array the C code writes: y (the caller's `out`, viewed in the batched shape) when it
    is safe, else a fresh array of y's shape and dtype that deliver() copies into `out`.

    Unsafe means `out` is misaligned for its dtype, or may share memory with an array the C
    code reads (input, weight, bias, offset, mask): drivers write parts of the output while
    still reading their operands, so an overlap gives silently wrong values."""
    if out is None or (out.flags.aligned and not overlaps(out, operands)):
        return y
    return np.empty(y.shape, dtype=y.dtype)


def deliver(out, y, unbatched):
    """The public result: y itself (unbatched view) without `out`; else `out`, holding y (copied
    when safe_target staged the result through a temporary)."""
    if out is None:
        return y[0] if unbatched else y
    if not np.may_share_memory(out, y):
        np.copyto(out, y.reshape(out.shape))
    return out


def _as_int(v, name):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an int or a tuple of ints, got {v!r} "
                        f"({type(v).__name__})")
    return operator.index(v)


MAX_INDEX = 2**62   # padded extents beyond this could overflow int64 index arithmetic in C
MAX_INT64 = 2**63 - 1


def int_tuple(value, n, name, minimum):
    """An int or length-n sequence of ints, each >= minimum, as a tuple of n ints."""
    if type(value) is int and minimum <= value <= MAX_INT64:   # the common case, without ABC checks
        return (value,) * n
    if isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, (bool, np.bool_)):
        vals = (operator.index(value),) * n
    elif isinstance(value, (tuple, list, np.ndarray)):
        vals = tuple(_as_int(v, name) for v in value)
        if len(vals) != n:
            raise ValueError(f"{name} must be a single int or a sequence of {n} ints to match the "
                             f"{n}-d convolution, got {name}={tuple(value)!r}")
    else:
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r} "
                        f"({type(value).__name__})")
    for v in vals:
        if v < minimum:
            what = "positive" if minimum == 1 else f">= {minimum}"
            raise ValueError(f"{name} must be {what} in every dimension, got {name}={value!r}")
        if v > MAX_INT64:
            raise ValueError(f"{name} must fit in a 64-bit integer in every dimension, got "
                             f"{name}={value!r}")
    return vals


def groups_int(groups):
    """groups as a positive int (bools and non-integers are a TypeError)."""
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (numbers.Integral, np.integer)):
        raise TypeError(f"groups must be a positive int, got {groups!r} ({type(groups).__name__})")
    groups = operator.index(groups)
    if groups < 1:
        raise ValueError(f"groups must be a positive int, got groups={groups}")
    return groups


def batched_input(x, nd, op):
    """(x as [N, C, *spatial], was_unbatched) for an nd-d op taking [C, *sp] or [N, C, *sp]."""
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"input must be {nd + 1}-D (unbatched) or {nd + 2}-D (batched) for {op}, "
                         f"got input of shape {x.shape}")
    return (x[None], True) if x.ndim == nd + 1 else (x, False)


def conv_padding(padding, nd, kernel, dilation, stride):
    """(front, back) padding tuples for int / tuple / 'valid' / 'same' (torch's split rule)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * nd, (0,) * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"padding='same' is not supported for strided convolutions "
                                 f"(stride={stride!r}); use stride 1 or numeric padding")
            total = [d * (k - 1) for k, d in zip(kernel, dilation)]
            lo = tuple(t // 2 for t in total)
            return lo, tuple(t - l for t, l in zip(total, lo))
        raise ValueError(f"padding must be an int, a tuple of ints, 'valid' or 'same', got "
                         f"padding={padding!r}")
    pad = int_tuple(padding, nd, "padding", 0)
    return pad, pad


def padding_mode(mode):
    if not isinstance(mode, str) or mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {PADDING_MODES}, got padding_mode={mode!r}")
    return mode


def check_pad_mode_sizes(spatial, lo, hi, mode):
    """torch's limits for the non-zero padding modes (checked before anything is allocated)."""
    if mode in ("zeros", "replicate"):
        return
    for ax, (l, h, size) in enumerate(zip(lo, hi, spatial)):
        if mode == "reflect" and (l >= size or h >= size):
            raise ValueError(f"padding_mode='reflect' needs padding < input size in every "
                             f"dimension, got padding ({l}, {h}) for spatial dimension {ax} of "
                             f"size {size}")
        if mode == "circular" and (l > size or h > size):
            raise ValueError(f"padding_mode='circular' needs padding <= input size in every "
                             f"dimension (wrapping around more than once), got padding ({l}, {h}) "
                             f"for spatial dimension {ax} of size {size}")


def pad_explicit(x, lo, hi, mode):
    """Pad the spatial axes of [N, C, *sp] with torch's nn.ConvNd padding_mode semantics."""
    check_pad_mode_sizes(x.shape[2:], lo, hi, mode)
    width = [(0, 0), (0, 0)] + list(zip(lo, hi))
    return np.pad(x, width, mode=_NP_PAD_MODE[mode])


def check_out(out, shape, dtype):
    """Validate a caller-provided output array (exact shape and dtype, C-contiguous, writable)."""
    if out is None:
        return None
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}")
    if out.shape != tuple(shape):
        raise ValueError(f"out must have shape {tuple(shape)}, got out.shape={out.shape}")
    if out.dtype != dtype:
        order = ("" if out.dtype.isnative else
                 " (non-native byte order: out is written in place, so it must be native)")
        raise ValueError(f"out must have dtype {np.dtype(dtype)} in native byte order (the result "
                         f"dtype), got out.dtype={out.dtype.str}{order}")
    if not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    if not out.flags.writeable:
        raise ValueError("out must be writeable, got a read-only array")
    return out


def check_result_size(shape, itemsize, culprit):
    """ValueError naming the argument(s) (`culprit`, e.g. "stride=(1099511627776, 1)") that make
    a result too large to index (an axis of 2**62 elements or more) or to address (more than
    2**63-1 bytes); NumPy would fail with a message naming none of them."""
    for ax, n in enumerate(shape[2:]):
        if n >= MAX_INDEX:
            raise ValueError(f"{culprit} makes the output {n} elements long in spatial "
                             f"dimension {ax}, too large to index (limit 2**62); reduce it")
    total = math.prod(shape)
    if total and total * itemsize > MAX_INT64:
        raise ValueError(f"{culprit} makes the output of shape {tuple(shape)} too large "
                         f"({total} elements of {itemsize} bytes, more than 2**63-1 bytes); "
                         f"reduce it")


def reference_result(r, dtype, shape, unbatched, out):
    """An oracle's result in the public dtype and shape, written into `out` when given."""
    r = np.asarray(r, dtype=dtype).reshape(shape)
    r = r[0] if unbatched else r
    if out is not None:
        out[...] = r
        return out
    return r


def trivial_result(y, out, unbatched, bias, dtype, c_in, c_out, nd):
    """The finished result when nothing needs computing — an empty output, or an empty reduction
    (C_in == 0: bias only) — else None. y is the batched [N, C_out, *sp] result array."""
    if y.size and c_in:
        return None
    if y.size:
        y[...] = 0 if bias is None else as_compute_array(bias, dtype).reshape((1, c_out) + (1,) * nd)
    return out if out is not None else (y[0] if unbatched else y)


def conv_operands(nd, op, input, weight, bias, groups, transposed):
    """The checks conv and conv_transpose make first, in one place (they used to drift): arrays
    and dtypes, ranks, groups, channel counts, kernel sizes and the bias shape.

    Returns (x as [N, C_in, *sp], w, b, unbatched, groups, C_out, kernel). The weight layout is
    [C_out, C_in/groups, *k], or [C_in, C_out/groups, *k] when `transposed`."""
    x = as_array(input, "input")
    w = as_array(weight, "weight")
    b = None if bias is None else as_array(bias, "bias")
    ks = ", ".join("k" * nd)
    layout = f"[C_in, C_out/groups, {ks}]" if transposed else f"[C_out, C_in/groups, {ks}]"
    if w.ndim != nd + 2:
        raise ValueError(f"weight must be {nd + 2}-D {layout} for {op}, got weight of shape "
                         f"{w.shape}")
    x, unbatched = batched_input(x, nd, op)
    groups = groups_int(groups)
    kernel = tuple(int(k) for k in w.shape[2:])
    C_in = x.shape[1]
    if transposed:
        C_out = w.shape[1] * groups
        if w.shape[0] % groups:
            raise ValueError(f"weight.shape[0] (C_in={w.shape[0]}) must be divisible by "
                             f"groups={groups}")
    else:
        C_out = w.shape[0]
        if C_out % groups:
            raise ValueError(f"weight.shape[0] (C_out={C_out}) must be divisible by "
                             f"groups={groups}")
    if any(k < 1 for k in kernel):
        raise ValueError(f"weight must have kernel sizes >= 1, got weight of shape {w.shape}")
    if transposed and C_in != w.shape[0]:
        raise ValueError(f"input has {C_in} channels but weight of shape {w.shape} expects "
                         f"C_in = weight.shape[0] = {w.shape[0]} (transposed weight layout "
                         f"{layout})")
    if not transposed and C_in != w.shape[1] * groups:
        raise ValueError(f"input has {C_in} channels but weight of shape {w.shape} with "
                         f"groups={groups} expects C_in = weight.shape[1]*groups = "
                         f"{w.shape[1] * groups}")
    if b is not None and b.shape != (C_out,):
        what = " (weight.shape[1]*groups)" if transposed else ""
        raise ValueError(f"bias must be 1-D with C_out={C_out} elements{what}, got bias of "
                         f"shape {b.shape}")
    return x, w, b, unbatched, groups, C_out, kernel


def algorithm_name(algorithm, allowed):
    if not isinstance(algorithm, str) or algorithm not in allowed:
        raise ValueError(f"algorithm must be one of {allowed}, got algorithm={algorithm!r}")
    return algorithm


# ---- channels-last (data_format="channels_last") ----------------------------------------------
# Channels-last arrays are [N, *spatial, C] (or unbatched [*spatial, C]). The checks run on a
# channels-first *view* of them (np.moveaxis, no copy), so every message and rule is the one of
# the channels-first call; the kernels then read the channels-last array itself.
DATA_FORMATS = ("channels_first", "channels_last")


def data_format(value):
    """True for "channels_last", False for "channels_first"; anything else is an error."""
    if value == "channels_first" and type(value) is str:
        return False
    if value == "channels_last" and type(value) is str:
        return True
    if not isinstance(value, str):
        raise TypeError(f"data_format must be 'channels_first' or 'channels_last', got "
                        f"{value!r} ({type(value).__name__})")
    raise ValueError(f"data_format must be 'channels_first' or 'channels_last', got "
                     f"data_format={value!r}")


def cf_view(a, nd, op, name="input"):
    """The channels-first view [N, C, *sp] / [C, *sp] of a channels-last array [N, *sp, C] /
    [*sp, C] (nd spatial axes)."""
    arr = as_array(a, name)
    if arr.ndim not in (nd + 1, nd + 2):
        sp = ", ".join("DHW"[3 - nd:])
        raise ValueError(f"{name} must be {nd + 1}-D (unbatched [{sp}, C]) or {nd + 2}-D "
                         f"(batched [N, {sp}, C]) channels-last for {op}, got {name} of shape "
                         f"{arr.shape}")
    return np.moveaxis(arr, -1, arr.ndim - nd - 1)


def cl_view(a):
    """The channels-last view [N, *sp, C] of a channels-first [N, C, *sp] array."""
    return np.moveaxis(a, 1, -1)


def cl_shape(shape):
    """[N, C, *sp] -> [N, *sp, C]."""
    return (shape[0], *shape[2:], shape[1])


def pad_explicit_cl(x, lo, hi, mode):
    """pad_explicit for a channels-last [N, *sp, C] array (C-contiguous result)."""
    check_pad_mode_sizes(x.shape[1:-1], lo, hi, mode)
    width = [(0, 0)] + list(zip(lo, hi)) + [(0, 0)]
    return np.ascontiguousarray(np.pad(x, width, mode=_NP_PAD_MODE[mode]))


def reference_result_layout(r, dtype, shape, unbatched, out, cl):
    """reference_result for an oracle result r of the channels-first `shape`, delivered
    channels-last when `cl`."""
    if cl:
        r = cl_view(np.asarray(r).reshape(shape))
        shape = cl_shape(shape)
    return reference_result(r, dtype, shape, unbatched, out)


def trivial_result_layout(y, out, unbatched, bias, dtype, c_in, c_out, nd, cl):
    """trivial_result for a result array y in its layout (channels-last when `cl`)."""
    if not cl:
        return trivial_result(y, out, unbatched, bias, dtype, c_in, c_out, nd)
    if trivial_result(np.moveaxis(y, -1, 1), out, unbatched, bias, dtype, c_in, c_out,
                      nd) is None:
        return None
    return deliver(out, y, unbatched)
