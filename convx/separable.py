"""Separable convolutions: depthwise-separable (1-D/2-D/3-D) and spatially separable (2-D).

Each equals two ``convx.convNd`` calls (see the oracles in :mod:`convx.reference.separable`) but
never materialises the whole intermediate tensor:

* ``depthwise_separable_conv{1,2,3}d``: when the whole intermediate is at most
  ``_DW_TWO_CALL_BYTES`` (16 MiB) it is computed by convx's depthwise and pointwise kernels
  (the intermediate in a reused per-thread buffer, measured faster than the fused driver up to
  there); larger problems go through the fused C driver (csrc/separable.template.c), which cuts
  the output into (image, depth, row-block) tiles whose depthwise result fits ~256 KiB; each
  thread computes a whole tile (vectorised row kernels) and feeds it straight to a
  single-threaded GEMM for the pointwise stage, which writes the final output in place.
  There the depthwise bias is folded into the pointwise bias (``pw @ dw_bias + pw_bias``; equal
  up to rounding).
* ``spatially_separable_conv2d``: blocks of output rows, each a (kh x 1) conv2d on the input
  rows it needs followed by the (1 x kw) conv2d, with the block's intermediate bounded by
  ``_SPATIAL_BLOCK_BYTES`` (a single block, i.e. exactly the two calls, when it fits, with the
  intermediate in a reused per-thread buffer).

Padding and ``padding_mode`` are applied to the input first (for the depthwise stage, the only
one that pads), which is what the two-call form does.
"""
import math

import numpy as np

from convx import _args as A, _plans as P
from convx._threads import resolve_workers
from convx._workspace import aligned_empty as _aligned_empty, scratch as _scratch

__all__ = ["depthwise_separable_conv1d", "depthwise_separable_conv2d",
           "depthwise_separable_conv3d", "spatially_separable_conv2d"]

_NP_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
# Bound on one block's intermediate in spatially_separable_conv2d (bytes).
_SPATIAL_BLOCK_BYTES = 4 << 20
# Depthwise-separable: an intermediate up to this size runs as convx's depthwise then pointwise
# kernels through a reused per-thread buffer; larger ones go through the fused driver. Measured
# with 2 threads (fused driver vs the two stages): 1x32x16x56^2 3-D 3.9 vs 2.6 ms, 4x32x112^2
# 2.2 vs 1.8 ms, 1x64x224^2 4.9 vs 4.0 ms (12 MiB), 8x64x112^2 -> 128 13.4 vs 13.2 ms (24.5 MiB:
# even), so the fused driver only serves intermediates past 16 MiB (it bounds their memory).
_DW_TWO_CALL_BYTES = 16 << 20


def _target(out, shape, dtype, *operands):
    """The result array the two stages write: `out` (batched view) unless it is misaligned or
    may overlap a caller array either stage reads (checked on the caller's arrays, which is
    conservative: a converted copy would not alias), else a fresh 64-byte aligned array."""
    if out is None:
        return _aligned_empty(shape, dtype)
    y = out.reshape(shape)
    return y if A.safe_target(y, out, *operands) is y else _aligned_empty(shape, dtype)


_DW_PLANS = {}   # call plans (convx/_plans.py) of the depthwise-separable functions
_SS_PLANS = {}   # ... and of spatially_separable_conv2d


def _replay(plan, slot, x, w1, b1, w2, b2, workers):
    """A stored two-stage plan (result shape, intermediate shape, glue arguments of both
    convolutions): conv(x, w1) + b1 into the slot's scratch buffer, then conv(that, w2) + b2."""
    from convx import _conv
    shape, mid_shape, args1, args2 = plan
    nw = resolve_workers(workers)
    mid = _scratch(slot, mid_shape, x.dtype)
    y = _aligned_empty(args2[2], x.dtype)
    P.glue_call(_conv._conv, args1, x, w1, b1, mid, nw)
    P.glue_call(_conv._conv, args2, mid, w2, b2, y, nw)
    return y.reshape(shape)


def _pad(xc, lo, hi, mode):
    """Pad the spatial axes of [N, C, *sp] with the padding_mode (torch's rules)."""
    if not any(lo) and not any(hi):
        return xc
    if mode == "zeros":
        return np.pad(xc, [(0, 0), (0, 0)] + list(zip(lo, hi)))
    return A.pad_explicit(xc, lo, hi, mode)


def _out_sizes(spatial, kernel, lo, hi, stride, dilation, padding):
    out = []
    for ax in range(len(spatial)):
        ext = dilation[ax] * (kernel[ax] - 1) + 1
        padded = spatial[ax] + lo[ax] + hi[ax]
        if padded < ext:
            raise ValueError(f"kernel (dilated extent {ext}) is larger than the padded input "
                             f"({padded}) in spatial dimension {ax}: input {tuple(spatial)}, "
                             f"kernel {tuple(kernel)}, dilation {dilation}, padding {padding!r}")
        out.append((padded - ext) // stride[ax] + 1)
    return out


def _depthwise_separable_cl(nd, x, dw, pw, db, pb, stride, padding, dilation, mode, nworkers,
                            out, unbatched, shape, dtype):
    """The channels-last depthwise-separable convolution: both stages on the channels-last
    drivers (csrc/conv_cl.c), the intermediate [N, *out, C_in*m] channels-last too. x is the
    validated channels-first view of the batched input; shape the [N, *out, C_out] result."""
    from convx import conv
    convnd = getattr(conv, f"conv{nd}d")
    A.check_out(out, shape[1:] if unbatched else shape, dtype)
    y = _target(out, shape, dtype, x, dw, pw, db, pb)
    if y.size:
        C = x.shape[1]
        mid = convnd(A.as_compute_array(A.cl_view(x), dtype), A.as_compute_array(dw, dtype),
                     None if db is None else A.as_compute_array(db, dtype), stride, padding,
                     dilation, C, padding_mode=mode, data_format="channels_last",
                     workers=nworkers)
        convnd(mid, A.as_compute_array(pw, dtype),
               None if pb is None else A.as_compute_array(pb, dtype),
               data_format="channels_last", workers=nworkers, out=y)
    return A.deliver(out, y, unbatched)


def _depthwise_separable(nd, op, input, depthwise_weight, pointwise_weight, depthwise_bias,
                         pointwise_bias, stride, padding, dilation, padding_mode, workers, out,
                         data_format="channels_first"):
    from convx import _separable
    cl = A.data_format(data_format)
    key = None
    if out is None and not cl:
        arrays = (input, depthwise_weight, pointwise_weight, depthwise_bias, pointwise_bias)
        key = P.plan_key(arrays, (nd, stride, padding, dilation, padding_mode,
                                  _DW_TWO_CALL_BYTES))   # the route depends on it
        plan = P.plan_get(_DW_PLANS, key, arrays)
        if plan is not None:   # the two-stage path below, replayed
            return _replay(plan, "dw_mid", input, depthwise_weight, depthwise_bias,
                           pointwise_weight, pointwise_bias, workers)
    x = A.cf_view(input, nd, op) if cl else A.as_array(input, "input")
    dw = A.as_array(depthwise_weight, "depthwise_weight")
    pw = A.as_array(pointwise_weight, "pointwise_weight")
    db = None if depthwise_bias is None else A.as_array(depthwise_bias, "depthwise_bias")
    pb = None if pointwise_bias is None else A.as_array(pointwise_bias, "pointwise_bias")
    x, unbatched = A.batched_input(x, nd, op)
    N, C = x.shape[0], x.shape[1]
    ks = ", ".join("k" * nd)
    if dw.ndim != nd + 2 or dw.shape[1] != 1:
        raise ValueError(f"depthwise_weight must be {nd + 2}-D [C_in*m, 1, {ks}] for {op}, got "
                         f"depthwise_weight of shape {dw.shape}")
    Cm = dw.shape[0]
    if C < 1 or Cm < 1 or Cm % C:
        raise ValueError(f"depthwise_weight.shape[0] (C_in*m = {Cm}) must be a positive "
                         f"multiple of the input's {C} channels")
    kernel = tuple(int(k) for k in dw.shape[2:])
    if any(k < 1 for k in kernel):
        raise ValueError(f"depthwise_weight must have kernel sizes >= 1, got shape {dw.shape}")
    ones = ", ".join(["1"] * nd)
    if pw.ndim != nd + 2 or pw.shape[1] != Cm or any(k != 1 for k in pw.shape[2:]) \
            or pw.shape[0] < 1:
        raise ValueError(f"pointwise_weight must be [C_out, {Cm}, {ones}] for {op}, got "
                         f"pointwise_weight of shape {pw.shape}")
    Co = pw.shape[0]
    if db is not None and db.shape != (Cm,):
        raise ValueError(f"depthwise_bias must be 1-D with {Cm} elements, got shape {db.shape}")
    if pb is not None and pb.shape != (Co,):
        raise ValueError(f"pointwise_bias must be 1-D with {Co} elements, got shape {pb.shape}")
    stride = A.int_tuple(stride, nd, "stride", 1)
    dilation = A.int_tuple(dilation, nd, "dilation", 1)
    lo, hi = A.conv_padding(padding, nd, kernel, dilation, stride)
    mode = A.padding_mode(padding_mode)
    nworkers = resolve_workers(workers)
    spatial = x.shape[2:]
    if any(s == 0 for s in spatial) and N:
        raise ValueError(f"input spatial sizes must be >= 1, got input of shape {x.shape}")
    out_sp = _out_sizes(spatial, kernel, lo, hi, stride, dilation, padding)
    dtype = A.compute_dtype(x, dw, pw)
    # the padded input (fused path) and the intermediate are at most this large
    A.check_result_size((N, max(C, Cm, Co), *(s + l + h for s, l, h in zip(spatial, lo, hi))),
                        dtype.itemsize, f"padding={padding!r}")
    shape = (N, Co, *out_sp)
    if cl:
        return _depthwise_separable_cl(nd, x, dw, pw, db, pb, stride, padding, dilation, mode,
                                       nworkers, out, unbatched, A.cl_shape(shape), dtype)
    A.check_out(out, shape[1:] if unbatched else shape, dtype)
    size = math.prod(shape)
    mid_bytes = N * Cm * math.prod(out_sp) * dtype.itemsize
    if size and mid_bytes <= _DW_TWO_CALL_BYTES:
        # the whole intermediate is cache-sized: convx's own depthwise and pointwise kernels
        # beat the fused driver here (measured on the MobileNet blocks of the bench suite)
        # Arguments are validated above, so the two stages go straight to conv2d's glue
        # (convx._conv) with conv.py's algorithm choice, saving its second and third
        # validation (~9 us each, 5 % of a MobileNet block); padding modes other than zeros
        # keep the public call, which pads.
        from convx import conv
        xc = A.as_compute_array(x, dtype)
        dwc = A.as_compute_array(dw, dtype)
        dbc = None if db is None else A.as_compute_array(db, dtype)
        pwc = A.as_compute_array(pw, dtype)
        pbc = None if pb is None else A.as_compute_array(pb, dtype)
        mid = _scratch("dw_mid", (N, Cm, *out_sp), dtype)
        args1 = None
        if mode == "zeros":
            st = tuple(1 if o == 1 else s_ for o, s_ in zip(out_sp, stride))
            dl = tuple(1 if k == 1 else d for k, d in zip(kernel, dilation))
            args1 = P.conv_glue(xc, dwc, dbc, mid, st, lo, dl, C, nworkers)
        else:
            convnd = getattr(conv, f"conv{nd}d")
            convnd(xc, dwc, dbc, stride, padding, dilation, C, padding_mode=mode,
                   workers=nworkers, out=mid)
        y = _target(out, shape, dtype, x, dw, pw, db, pb)
        ones = (1,) * nd
        args2 = P.conv_glue(mid, pwc, pbc, y, ones, (0,) * nd, ones, 1, nworkers)
        if (args1 is not None and out is None and xc is input and dwc is depthwise_weight
                and dbc is depthwise_bias and pwc is pointwise_weight and pbc is pointwise_bias):
            P.plan_put(_DW_PLANS, key, (shape[1:] if unbatched else shape, mid.shape, args1,
                                        args2))
    else:
        y = _target(out, shape, dtype, x, dw, pw, db, pb)
    if size and mid_bytes > _DW_TWO_CALL_BYTES:
        xc = A.as_compute_array(x, dtype)
        xc = np.ascontiguousarray(_pad(xc, lo, hi, mode))
        pw2 = A.as_compute_array(pw.reshape(Co, Cm), dtype)
        bias = None
        if db is not None or pb is not None:
            b = np.zeros(Co)
            if db is not None:
                b += pw.reshape(Co, Cm).astype(np.float64) @ db.astype(np.float64)
            if pb is not None:
                b += pb.astype(np.float64)
            bias = b.astype(dtype)
        lead = (1,) * (3 - nd)
        dw2 = A.as_compute_array(dw.reshape(Cm, -1), dtype)
        x5 = xc.reshape(xc.shape[:2] + lead + xc.shape[2:])
        y5 = y.reshape(y.shape[:2] + lead + y.shape[2:])
        _separable._dwsep(x5, dw2, lead + kernel, pw2, bias, y5, lead + stride, lead + dilation,
                          Cm // C, nworkers)
    return A.deliver(out, y, unbatched)


_DW_DOC = """Depthwise-separable {nd}-D convolution: a depthwise conv then a 1x1 pointwise conv.

    Equal to ``conv{nd}d(conv{nd}d(input, depthwise_weight, depthwise_bias, stride, padding,
    dilation, groups=C_in, padding_mode=padding_mode), pointwise_weight, pointwise_bias)`` (the
    MobileNet / Xception block without the activation in between), computed in one call whose
    intermediate is bounded by a cache-sized block of output rows.

    Parameters
    ----------
    input : array_like, shape [N, C_in, {sp}] or unbatched [C_in, {sp}]
        The signal: a batch of N images with C_in channels (or one, without the batch axis).
    depthwise_weight : array_like, shape [C_in*m, 1, {k}]
        The depthwise filters. Channel multiplier ``m``: output channel ``j`` of the depthwise
        stage reads input channel ``j // m``.
    pointwise_weight : array_like, shape [C_out, C_in*m, {ones}]
        The 1x1 filters that mix the depthwise stage's channels.
    depthwise_bias : array_like, shape [C_in*m], optional
        Added to the depthwise stage's output (before the pointwise stage). Default: none.
    pointwise_bias : array_like, shape [C_out], optional
        Added to the result. Default: none.
    stride, dilation : int or tuple of {nd} ints
        Of the depthwise stage (the pointwise stage has stride and dilation 1).
    padding : int, tuple of {nd} ints, 'valid' or 'same'
        Of the depthwise stage, as in :func:`convx.conv{nd}d`.
    padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
        How the depthwise stage's padding is filled (torch ``nn.Conv{nd}d`` meaning).
    data_format : {{'channels_first', 'channels_last'}}
        Layout of ``input`` and of the result: [N, C, {sp}] (default) or channels-last
        [N, {sp}, C]. Channels-last runs both stages on the channels-last drivers (the
        intermediate is channels-last too); the weights keep torch's layout.
    workers : int, optional
        Threads (None: :func:`convx.get_num_threads`, -1: all cores); results are bit-identical
        for any value.
    out : ndarray, optional
        C-contiguous, writeable array of the exact result shape and dtype to write into.

    Returns
    -------
    y : ndarray, shape [N, C_out, {osp}]
        The result (unbatched input gives an unbatched result; ``out`` if it was given); dtype
        ``np.result_type(input, depthwise_weight, pointwise_weight)`` with float16 -> float32
        and integer/bool -> float64.

    Raises
    ------
    TypeError
        An argument of the wrong type: complex, object or string arrays, a non-integer
        ``stride``, an ``out`` that is not an ndarray.
    ValueError
        Inconsistent or invalid values: wrong ranks or channel counts, a kernel larger than the
        padded input, 'same' with a stride, an unknown ``padding_mode``, an ``out`` of the
        wrong shape or dtype. The message names the argument, what was expected and what came.
    MemoryError
        The result or the workspace cannot be allocated.

    See Also
    --------
    convx.reference.depthwise_separable_conv{nd}d : The NumPy oracle it is tested against.
    convx.conv{nd}d : Each of the two stages.

    Examples
    --------
    >>> import numpy as np, convx
    >>> x = np.ones({xshape}, np.float32)
    >>> y = convx.depthwise_separable_conv{nd}d(x, np.ones({dshape}, np.float32),
    ...                                        np.ones({pshape}, np.float32), padding=1)
    >>> y.shape
    {oshape}
    >>> ref = convx.conv{nd}d(convx.conv{nd}d(x, np.ones({dshape}, np.float32), padding=1,
    ...                                     groups=2), np.ones({pshape}, np.float32))
    >>> bool(np.allclose(y, ref))
    True
"""


def depthwise_separable_conv1d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1, *,
                               padding_mode="zeros", data_format="channels_first", workers=None,
                               out=None):
    return _depthwise_separable(1, "depthwise_separable_conv1d", input, depthwise_weight,
                                pointwise_weight, depthwise_bias, pointwise_bias, stride,
                                padding, dilation, padding_mode, workers, out, data_format)


def depthwise_separable_conv2d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1, *,
                               padding_mode="zeros", data_format="channels_first", workers=None,
                               out=None):
    return _depthwise_separable(2, "depthwise_separable_conv2d", input, depthwise_weight,
                                pointwise_weight, depthwise_bias, pointwise_bias, stride,
                                padding, dilation, padding_mode, workers, out, data_format)


def depthwise_separable_conv3d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1, *,
                               padding_mode="zeros", data_format="channels_first", workers=None,
                               out=None):
    return _depthwise_separable(3, "depthwise_separable_conv3d", input, depthwise_weight,
                                pointwise_weight, depthwise_bias, pointwise_bias, stride,
                                padding, dilation, padding_mode, workers, out, data_format)


depthwise_separable_conv1d.__doc__ = _DW_DOC.format(
    nd=1, sp="L", k="kL", ones="1", osp="L_out", xshape="(2, 8)", dshape="(2, 1, 3)",
    pshape="(4, 2, 1)", oshape="(4, 8)")
depthwise_separable_conv2d.__doc__ = _DW_DOC.format(
    nd=2, sp="H, W", k="kH, kW", ones="1, 1", osp="H_out, W_out", xshape="(1, 2, 8, 8)",
    dshape="(2, 1, 3, 3)", pshape="(4, 2, 1, 1)", oshape="(1, 4, 8, 8)")
depthwise_separable_conv3d.__doc__ = _DW_DOC.format(
    nd=3, sp="D, H, W", k="kD, kH, kW", ones="1, 1, 1", osp="D_out, H_out, W_out",
    xshape="(1, 2, 4, 4, 4)", dshape="(2, 1, 3, 3, 3)", pshape="(4, 2, 1, 1, 1)",
    oshape="(1, 4, 4, 4, 4)")


def _spatially_separable_cl(x, cw, rw, b, stride, lo, hi, dilation, groups, mode, nworkers, out,
                            unbatched, shape, dtype):
    """The channels-last spatially separable convolution: the column then the row convolution
    on the channels-last drivers (csrc/conv_cl.c), the intermediate [N, OH, W, C_mid]
    channels-last. x is the validated channels-first view of the batched input."""
    from convx.conv import conv2d
    A.check_out(out, shape[1:] if unbatched else shape, dtype)
    y = _target(out, shape, dtype, x, cw, rw, b)
    if y.size:
        xc = A.as_compute_array(A.cl_view(x), dtype)
        if mode != "zeros" or lo != hi:   # asymmetric ('same') or non-zero padding: explicit
            xc = (A.pad_explicit_cl(xc, lo, hi, mode) if mode != "zeros" else
                  np.ascontiguousarray(np.pad(xc, [(0, 0)] + list(zip(lo, hi)) + [(0, 0)])))
            lo = hi = (0, 0)
        (sh, sw), (dh, dw) = stride, dilation
        mid = conv2d(xc, A.as_compute_array(cw, dtype), None, (sh, 1), (lo[0], 0), (dh, 1),
                     groups, data_format="channels_last", workers=nworkers)
        conv2d(mid, A.as_compute_array(rw, dtype),
               None if b is None else A.as_compute_array(b, dtype), (1, sw), (0, lo[1]),
               (1, dw), groups, data_format="channels_last", workers=nworkers, out=y)
    return A.deliver(out, y, unbatched)


def spatially_separable_conv2d(input, column_weight, row_weight, bias=None, stride=1, padding=0,
                               dilation=1, groups=1, *, padding_mode="zeros",
                               data_format="channels_first", workers=None, out=None):
    """Spatially separable 2-D convolution: a (kh x 1) conv, then a (1 x kw) conv.

    Equal to ``conv2d(conv2d(input, column_weight, stride=(sh, 1), padding=(ph, 0),
    dilation=(dh, 1), groups=groups), row_weight, bias, stride=(1, sw), padding=(0, pw),
    dilation=(1, dw), groups=groups)`` (the Inception-v3 7x1 + 1x7 factorisation); stride,
    padding and dilation are split per axis between the two stages and ``padding_mode`` pads H
    in the first and W in the second. Computed over blocks of output rows so the intermediate
    never exceeds a few MiB.

    Parameters
    ----------
    input : array_like, shape [N, C_in, H, W] or unbatched [C_in, H, W]
        The signal: a batch of N images with C_in channels (or one, without the batch axis).
    column_weight : array_like, shape [C_mid, C_in/groups, kh, 1]
        The first stage's filters: a column of ``kh`` taps each.
    row_weight : array_like, shape [C_out, C_mid/groups, 1, kw]
        The second stage's filters: a row of ``kw`` taps each.
    bias : array_like, shape [C_out], optional
        Added to the result. Default: none.
    stride, dilation : int or (int, int)
        (H, W) values: the H part applies to the first stage, the W part to the second.
    padding : int, (int, int), 'valid' or 'same'
        Of the equivalent ``kh x kw`` conv2d, split the same way.
    groups : int
        Used by both stages; C_in, C_mid and C_out must be divisible by it.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}
        How the padding is filled (torch ``nn.Conv2d`` meaning).
    data_format : {'channels_first', 'channels_last'}
        Layout of ``input`` and of the result: [N, C, H, W] (default) or channels-last
        [N, H, W, C]. Channels-last runs both convolutions on the channels-last drivers (the
        intermediate [N, H_out, W + padding, C_mid] is channels-last too).
    workers : int, optional
        Threads (None: :func:`convx.get_num_threads`, -1: all cores); results are bit-identical
        for any value.
    out : ndarray, optional
        C-contiguous, writeable array of the exact result shape and dtype to write into.

    Returns
    -------
    y : ndarray, shape [N, C_out, H_out, W_out]
        The shape of the full ``kh x kw`` conv2d (``out`` if it was given); dtype
        ``np.result_type(input, column_weight, row_weight)`` with float16 -> float32 and
        integer/bool -> float64.

    Raises
    ------
    TypeError
        An argument of the wrong type: complex, object or string arrays, a non-integer
        ``stride``, an ``out`` that is not an ndarray.
    ValueError
        Inconsistent or invalid values: wrong ranks or channel counts, a kernel larger than the
        padded input, 'same' with a stride, an unknown ``padding_mode``, an ``out`` of the
        wrong shape or dtype. The message names the argument, what was expected and what came.
    MemoryError
        The result or the workspace cannot be allocated.

    See Also
    --------
    convx.reference.spatially_separable_conv2d : The NumPy oracle it is tested against.
    convx.conv2d : Each of the two stages.
    convx.filters.correlate : Separable kernels on images (scipy.ndimage semantics).

    Examples
    --------
    >>> import numpy as np, convx
    >>> x = np.ones((1, 2, 9, 9), np.float32)
    >>> y = convx.spatially_separable_conv2d(x, np.ones((3, 2, 7, 1), np.float32),
    ...                                      np.ones((4, 3, 1, 7), np.float32), padding=3)
    >>> y.shape
    (1, 4, 9, 9)
    >>> bool(np.allclose(y, convx.reference.spatially_separable_conv2d(
    ...     x, np.ones((3, 2, 7, 1)), np.ones((4, 3, 1, 7)), padding=3)))
    True
    """
    from convx.conv import conv2d
    op = "spatially_separable_conv2d"
    cl = A.data_format(data_format)
    key = None
    if out is None and not cl:
        arrays = (input, column_weight, row_weight, bias)
        key = P.plan_key(arrays, (stride, padding, dilation, groups, padding_mode,
                                  _SPATIAL_BLOCK_BYTES))   # the route depends on it
        plan = P.plan_get(_SS_PLANS, key, arrays)
        if plan is not None:   # the one-block path below, replayed
            return _replay(plan, "ss_mid", input, column_weight, None, row_weight, bias,
                           workers)
    x = A.cf_view(input, 2, op) if cl else A.as_array(input, "input")
    cw = A.as_array(column_weight, "column_weight")
    rw = A.as_array(row_weight, "row_weight")
    b = None if bias is None else A.as_array(bias, "bias")
    x, unbatched = A.batched_input(x, 2, op)
    groups = A.groups_int(groups)
    N, C = x.shape[0], x.shape[1]
    if cw.ndim != 4 or cw.shape[3] != 1:
        raise ValueError(f"column_weight must be 4-D [C_mid, C_in/groups, kh, 1], got "
                         f"column_weight of shape {cw.shape}")
    if rw.ndim != 4 or rw.shape[2] != 1:
        raise ValueError(f"row_weight must be 4-D [C_out, C_mid/groups, 1, kw], got row_weight "
                         f"of shape {rw.shape}")
    Cmid, Co = cw.shape[0], rw.shape[0]
    if Cmid % groups or Co % groups or C != cw.shape[1] * groups or Cmid != rw.shape[1] * groups:
        raise ValueError(f"groups={groups} does not fit the channels: input has {C}, "
                         f"column_weight {cw.shape} and row_weight {rw.shape} need C_in = "
                         f"column_weight.shape[1]*groups and C_mid = row_weight.shape[1]*groups, "
                         f"both divisible by groups")
    kh, kw = int(cw.shape[2]), int(rw.shape[3])
    if kh < 1 or kw < 1:
        raise ValueError(f"kernel sizes must be >= 1, got kh={kh}, kw={kw}")
    if b is not None and b.shape != (Co,):
        raise ValueError(f"bias must be 1-D with C_out={Co} elements, got bias of shape {b.shape}")
    stride = A.int_tuple(stride, 2, "stride", 1)
    dilation = A.int_tuple(dilation, 2, "dilation", 1)
    lo, hi = A.conv_padding(padding, 2, (kh, kw), dilation, stride)
    mode = A.padding_mode(padding_mode)
    nworkers = resolve_workers(workers)
    if any(s == 0 for s in x.shape[2:]) and N:
        raise ValueError(f"input spatial sizes must be >= 1, got input of shape {x.shape}")
    OH, OW = _out_sizes(x.shape[2:], (kh, kw), lo, hi, stride, dilation, padding)
    dtype = A.compute_dtype(x, cw, rw)
    # the padded input and the intermediate are at most this large
    A.check_result_size((N, max(C, Cmid, Co), *(s + l + h for s, l, h in zip(x.shape[2:], lo,
                                                                              hi))),
                        dtype.itemsize, f"padding={padding!r}")
    shape = (N, Co, OH, OW)
    if cl:
        return _spatially_separable_cl(x, cw, rw, b, stride, lo, hi, dilation, groups, mode,
                                       nworkers, out, unbatched, A.cl_shape(shape), dtype)
    A.check_out(out, shape[1:] if unbatched else shape, dtype)
    y = _target(out, shape, dtype, x, cw, rw, b)
    if y.size:
        xc = A.as_compute_array(x, dtype)
        cwc = A.as_compute_array(cw, dtype)
        rwc = A.as_compute_array(rw, dtype)
        bc = None if b is None else A.as_compute_array(b, dtype)
        (sh, sw), (dh, dw) = stride, dilation
        W_mid = x.shape[3] + lo[1] + hi[1]          # stage 1 keeps the W-padded width
        row_bytes = N * Cmid * W_mid * dtype.itemsize
        bh = max(1, min(OH, _SPATIAL_BLOCK_BYTES // max(1, row_bytes)))
        if bh >= OH and mode == "zeros" and lo == hi:
            # one block: the two convs (zero padding inside the C driver), straight to conv2d's
            # glue since everything is validated (see convx._plans.conv_glue), intermediate reused
            OH1 = (x.shape[2] + lo[0] + hi[0] - dh * (kh - 1) - 1) // sh + 1
            mid = _scratch("ss_mid", (N, Cmid, OH1, x.shape[3]), dtype)
            st1, dl1 = (1 if OH1 == 1 else sh, 1), (1 if kh == 1 else dh, 1)
            st2, dl2 = (1, 1 if OW == 1 else sw), (1, 1 if kw == 1 else dw)
            args1 = P.conv_glue(xc, cwc, None, mid, st1, (lo[0], 0), dl1, groups, nworkers)
            args2 = P.conv_glue(mid, rwc, bc, y, st2, (0, lo[1]), dl2, groups, nworkers)
            if (out is None and xc is input and cwc is column_weight and rwc is row_weight
                    and bc is bias):
                P.plan_put(_SS_PLANS, key, (shape[1:] if unbatched else shape, mid.shape, args1,
                                            args2))
        else:
            xp = np.ascontiguousarray(_pad(xc, lo, hi, mode))
            tmp = None
            for oh0 in range(0, OH, bh):
                rows = min(bh, OH - oh0)
                r0 = oh0 * sh
                r1 = (oh0 + rows - 1) * sh + dh * (kh - 1) + 1
                mid = conv2d(xp[:, :, r0:r1], cwc, None, (sh, 1), 0, (dh, 1), groups,
                             workers=nworkers)
                if rows == OH:
                    conv2d(mid, rwc, bc, (1, sw), 0, (1, dw), groups, workers=nworkers, out=y)
                else:
                    if tmp is None or tmp.shape[2] != rows:
                        tmp = np.empty((N, Co, rows, OW), dtype=dtype)
                    conv2d(mid, rwc, bc, (1, sw), 0, (1, dw), groups, workers=nworkers,
                           out=tmp)
                    y[:, :, oh0:oh0 + rows] = tmp
    return A.deliver(out, y, unbatched)
