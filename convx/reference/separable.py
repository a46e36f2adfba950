"""Reference separable convolutions, composed from the forward reference conv.

Intermediate results stay in float64; only the final result is cast to the
public dtype, so these equal the two-stage float64 composition exactly.
"""
import numpy as np

from ._util import _batched, _conv_padding, _ntuple, _result_dtype
from .conv import _conv_f64

__all__ = [
    "depthwise_separable_conv1d",
    "depthwise_separable_conv2d",
    "depthwise_separable_conv3d",
    "spatially_separable_conv2d",
]


def _depthwise_separable(nd, input, depthwise_weight, pointwise_weight, depthwise_bias,
                         pointwise_bias, stride, padding, dilation, padding_mode):
    input = np.asarray(input)
    dw = np.asarray(depthwise_weight)
    pw = np.asarray(pointwise_weight)
    dtype = _result_dtype(input, dw, pw)
    x, unbatched = _batched(input, nd)
    c_in = x.shape[1]
    if dw.ndim != nd + 2 or dw.shape[1] != 1 or c_in == 0 or dw.shape[0] % c_in:
        raise ValueError(f"depthwise_weight must be [C_in*m, 1, *k] with C_in={c_in}, "
                         f"got shape {dw.shape}")
    if pw.ndim != nd + 2 or pw.shape[1] != dw.shape[0] or any(k != 1 for k in pw.shape[2:]):
        ones = ", ".join(["1"] * nd)
        raise ValueError(f"pointwise_weight must be [C_out, {dw.shape[0]}, {ones}], "
                         f"got shape {pw.shape}")
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    pads = _conv_padding(padding, dw.shape[2:], dilation, stride, nd)
    mid = _conv_f64(x.astype(np.float64), dw.astype(np.float64), depthwise_bias, stride, pads,
                    dilation, c_in, padding_mode)
    out = _conv_f64(mid, pw.astype(np.float64), pointwise_bias, (1,) * nd, ((0, 0),) * nd,
                    (1,) * nd, 1)
    if unbatched:
        out = out[0]
    return out.astype(dtype)


_DOC = """Reference depthwise-separable {nd}-D conv: depthwise conv, then a 1x1 pointwise conv.

``pointwise(depthwise(x))`` where depthwise is ``conv{nd}d(x, depthwise_weight,
depthwise_bias, stride, padding, dilation, groups=C_in, padding_mode)`` and pointwise
is ``conv{nd}d(., pointwise_weight, pointwise_bias)``; the intermediate stays float64.

Parameters
----------
input : array_like
    ``[N, C_in, {sp}]`` or unbatched ``[C_in, {sp}]``.
depthwise_weight : array_like
    ``[C_in*m, 1, {k}]`` (channel multiplier m).
pointwise_weight : array_like
    ``[C_out, C_in*m, {ones}]``.
depthwise_bias, pointwise_bias : array_like, optional
    ``[C_in*m]`` and ``[C_out]``.
stride, dilation : int or tuple of {nd} ints
padding : int, tuple, 'valid' or 'same'
padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
    Applies to the depthwise stage (the only one that pads).

Returns
-------
ndarray
    ``[N, C_out, {osp}]``; dtype ``np.result_type(input, depthwise_weight,
    pointwise_weight)`` with float16 -> float32, int/bool -> float64.
"""


def depthwise_separable_conv1d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1,
                               padding_mode="zeros"):
    return _depthwise_separable(1, input, depthwise_weight, pointwise_weight, depthwise_bias,
                                pointwise_bias, stride, padding, dilation, padding_mode)


def depthwise_separable_conv2d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1,
                               padding_mode="zeros"):
    return _depthwise_separable(2, input, depthwise_weight, pointwise_weight, depthwise_bias,
                                pointwise_bias, stride, padding, dilation, padding_mode)


def depthwise_separable_conv3d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1,
                               padding_mode="zeros"):
    return _depthwise_separable(3, input, depthwise_weight, pointwise_weight, depthwise_bias,
                                pointwise_bias, stride, padding, dilation, padding_mode)


depthwise_separable_conv1d.__doc__ = _DOC.format(nd=1, sp="L", k="kL", ones="1", osp="L_out")
depthwise_separable_conv2d.__doc__ = _DOC.format(nd=2, sp="H, W", k="kH, kW", ones="1, 1",
                                                 osp="H_out, W_out")
depthwise_separable_conv3d.__doc__ = _DOC.format(nd=3, sp="D, H, W", k="kD, kH, kW",
                                                 ones="1, 1, 1", osp="D_out, H_out, W_out")


def spatially_separable_conv2d(input, column_weight, row_weight, bias=None, stride=1, padding=0,
                               dilation=1, groups=1, padding_mode="zeros"):
    """Reference spatially separable 2-D conv: a (kh x 1) conv, then a (1 x kw) conv.

    Stage 1 is ``conv2d(x, column_weight, stride=(sh, 1), padding=(ph, 0),
    dilation=(dh, 1), groups)``, stage 2 is ``conv2d(., row_weight, bias,
    stride=(1, sw), padding=(0, pw), dilation=(1, dw), groups)``; the bias is added
    once, at the end, and the intermediate stays float64. With ``padding='same'``
    each axis is split as torch does (odd element at the end). ``padding_mode``
    pads H in stage 1 and W in stage 2, which equals padding the input first
    because a column filter commutes with any per-row extension along W.

    Parameters
    ----------
    input : array_like
        ``[N, C_in, H, W]`` or unbatched ``[C_in, H, W]``.
    column_weight : array_like
        ``[C_mid, C_in/groups, kh, 1]``.
    row_weight : array_like
        ``[C_out, C_mid/groups, 1, kw]``.
    bias : array_like, optional
        ``[C_out]``.
    stride, dilation : int or (int, int)
    padding : int, (int, int), 'valid' or 'same'
    groups : int
        Used by both stages.
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}

    Returns
    -------
    ndarray
        ``[N, C_out, H_out, W_out]``, the same shape as a full ``kh x kw`` conv2d;
        dtype ``np.result_type(input, column_weight, row_weight)`` with
        float16 -> float32, int/bool -> float64.
    """
    input = np.asarray(input)
    cw = np.asarray(column_weight)
    rw = np.asarray(row_weight)
    dtype = _result_dtype(input, cw, rw)
    x, unbatched = _batched(input, 2)
    if cw.ndim != 4 or cw.shape[3] != 1:
        raise ValueError(f"column_weight must be [C_mid, C_in/groups, kh, 1], got {cw.shape}")
    if rw.ndim != 4 or rw.shape[2] != 1:
        raise ValueError(f"row_weight must be [C_out, C_mid/groups, 1, kw], got {rw.shape}")
    sh, sw = _ntuple(stride, 2, "stride")
    dh, dw = _ntuple(dilation, 2, "dilation")
    kh, kw = cw.shape[2], rw.shape[3]
    (pads_h, pads_w) = _conv_padding(padding, (kh, kw), (dh, dw), (sh, sw), 2)
    mid = _conv_f64(x.astype(np.float64), cw.astype(np.float64), None, (sh, 1),
                    (pads_h, (0, 0)), (dh, 1), groups, padding_mode)
    out = _conv_f64(mid, rw.astype(np.float64), bias, (1, sw), ((0, 0), pads_w), (1, dw),
                    groups, padding_mode)
    if unbatched:
        out = out[0]
    return out.astype(dtype)
