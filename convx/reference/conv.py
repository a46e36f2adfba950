"""Reference conv1d / conv2d / conv3d: torch.nn.functional semantics in plain NumPy.

out[n, o, y] = bias[o] + sum_{c in group(o)} sum_t w[o, c, t] * xpad[n, c, y*stride + t*dilation]

computed tap by tap in float64 (one matmul over the channels of every group per
tap), then cast to the public result dtype.
"""
import itertools

import numpy as np

from ._util import _batched, _conv_padding, _ntuple, _pad_spatial, _result_dtype

__all__ = ["conv1d", "conv2d", "conv3d"]


def _conv_f64(x, weight, bias, stride, pads, dilation, groups, padding_mode="zeros"):
    """Batched float64 conv core; pads is per-axis (before, after).

    x [N, C_in, *sp] and weight [C_out, C_in/groups, *k] must already be float64.
    Shared with conv_transpose / separable so they keep float64 between stages.
    """
    nd = weight.ndim - 2
    n, c_in = x.shape[:2]
    c_out, c_in_g = weight.shape[:2]
    kernel = weight.shape[2:]
    if groups < 1 or c_out % groups or c_in != c_in_g * groups:
        raise ValueError(f"groups={groups} does not fit input channels {c_in} and "
                         f"weight shape {weight.shape}")
    if any(s < 1 for s in stride) or any(d < 1 for d in dilation):
        raise ValueError(f"stride and dilation must be >= 1, got {stride}, {dilation}")
    xp = _pad_spatial(x, pads, padding_mode)
    out_sp = []
    for size, k, s, d in zip(xp.shape[2:], kernel, stride, dilation):
        if size < d * (k - 1) + 1:
            raise ValueError(f"padded input size {size} is smaller than the dilated "
                             f"kernel size {d * (k - 1) + 1}")
        out_sp.append((size - d * (k - 1) - 1) // s + 1)
    c_out_g = c_out // groups
    p = int(np.prod(out_sp))
    # [N, G, C_in/G, *padded] and [G, C_out/G, C_in/G, *k]: one matmul per tap
    # covers every group, batch item and output position.
    xg = xp.reshape(n, groups, c_in_g, *xp.shape[2:])
    wg = weight.reshape(groups, c_out_g, c_in_g, *kernel)
    acc = np.zeros((n, groups, c_out_g, p))
    for tap in itertools.product(*(range(k) for k in kernel)):
        window = tuple(slice(t * d, t * d + s * (o - 1) + 1, s)
                       for t, d, s, o in zip(tap, dilation, stride, out_sp))
        patch = xg[(Ellipsis,) + window].reshape(n, groups, c_in_g, p)
        acc += np.matmul(wg[(Ellipsis,) + tap], patch)
    out = acc.reshape(n, c_out, *out_sp)
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64).reshape((c_out,) + (1,) * nd)
    return out


def _convnd(nd, input, weight, bias, stride, padding, dilation, groups, padding_mode):
    input = np.asarray(input)
    weight = np.asarray(weight)
    dtype = _result_dtype(input, weight)
    if weight.ndim != nd + 2:
        raise ValueError(f"weight must have {nd + 2} dimensions, got shape {weight.shape}")
    x, unbatched = _batched(input, nd)
    stride = _ntuple(stride, nd, "stride")
    dilation = _ntuple(dilation, nd, "dilation")
    pads = _conv_padding(padding, weight.shape[2:], dilation, stride, nd)
    out = _conv_f64(x.astype(np.float64), weight.astype(np.float64), bias,
                    stride, pads, dilation, groups, padding_mode)
    if unbatched:
        out = out[0]
    return out.astype(dtype)


_DOC = """Reference {nd}-D convolution (cross-correlation), torch.nn.functional.conv{nd}d semantics.

Parameters
----------
input : array_like
    ``[N, C_in, {sp}]`` or unbatched ``[C_in, {sp}]``.
weight : array_like
    ``[C_out, C_in/groups, {k}]``.
bias : array_like, optional
    ``[C_out]``.
stride, dilation : int or tuple of {nd} ints
padding : int, tuple of {nd} ints, 'valid' or 'same'
    'same' (stride 1 only) splits ``dilation*(k-1)`` with the odd element at the end.
groups : int
padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
    How the input is padded, as in ``torch.nn.Conv{nd}d``.

Returns
-------
ndarray
    ``[N, C_out, {osp}]`` (unbatched: without N), dtype
    ``np.result_type(input, weight)`` with float16 -> float32 and int/bool -> float64;
    accumulated in float64.
"""


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros"):
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups, padding_mode)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros"):
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups, padding_mode)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
           padding_mode="zeros"):
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups, padding_mode)


conv1d.__doc__ = _DOC.format(nd=1, sp="L", k="kL", osp="L_out")
conv2d.__doc__ = _DOC.format(nd=2, sp="H, W", k="kH, kW", osp="H_out, W_out")
conv3d.__doc__ = _DOC.format(nd=3, sp="D, H, W", k="kD, kH, kW", osp="D_out, H_out, W_out")
