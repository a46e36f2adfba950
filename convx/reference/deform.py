"""Reference deform_conv2d: torchvision.ops.deform_conv2d semantics (docs/deform_conv2d.md).

For every kernel tap the input is sampled bilinearly at the regular conv grid
position plus the learned offset (zero outside the image), multiplied by the
mask, and contracted with that tap's weights. Offset groups and weight groups
are independent partitions of the input channels.
"""
import numpy as np

from ._util import _ntuple, _result_dtype

__all__ = ["deform_conv2d"]


def _bilinear_zero(plane, y, x):
    """Sample plane [N, C, H, W] at per-(n, position) points y, x [N, P] -> [N, C, P].

    torchvision's rule: 0 when y <= -1, y >= H, x <= -1 or x >= W; otherwise the
    four-corner bilinear sum where corners outside the image contribute 0 (no
    clamping, no renormalisation).
    """
    n, c, h, w = plane.shape
    flat = plane.reshape(n, c, h * w)
    inside = (y > -1) & (y < h) & (x > -1) & (x < w)
    # Points outside (or NaN) read as 0; park them at 0 so the int cast stays defined.
    y = np.where(inside, y, 0.0)
    x = np.where(inside, x, 0.0)
    y0 = np.floor(y)
    x0 = np.floor(x)
    ly = y - y0
    lx = x - x0
    hy = 1.0 - ly
    hx = 1.0 - lx
    y0 = y0.astype(np.int64)
    x0 = x0.astype(np.int64)
    y1 = y0 + 1
    x1 = x0 + 1
    out = np.zeros((n, c, y.shape[1]))
    for yy, xx, wgt in ((y0, x0, hy * hx), (y0, x1, hy * lx),
                        (y1, x0, ly * hx), (y1, x1, ly * lx)):
        ok = inside & (yy >= 0) & (yy <= h - 1) & (xx >= 0) & (xx <= w - 1)
        idx = np.where(ok, yy * w + xx, 0)
        vals = np.take_along_axis(flat, np.broadcast_to(idx[:, None, :], (n, c, idx.shape[1])),
                                  axis=2)
        out += np.where(ok, wgt, 0.0)[:, None, :] * vals
    return out


def _trunc_div(a, b):
    """C++ integer division (truncates toward zero), which torchvision's CPU kernel uses."""
    q = abs(a) // b
    return q if a >= 0 else -q


def deform_conv2d(input, offset, weight, bias=None, stride=1, padding=0, dilation=1,
                  mask=None):
    """Reference deformable 2-D convolution (DCNv1, or DCNv2 when ``mask`` is given).

    Parameters
    ----------
    input : array_like
        ``[N, C_in, H, W]`` (4-D only).
    offset : array_like
        ``[N, 2*OG*kh*kw, H_out, W_out]``; per offset group, channels are
        interleaved ``dy_0, dx_0, dy_1, dx_1, ...`` over taps ``t = i*kw + j``.
        ``OG = offset.shape[1] // (2*kh*kw)`` is inferred.
    weight : array_like
        ``[C_out, C_in/G, kh, kw]``; ``G = C_in // weight.shape[1]`` is inferred.
    bias : array_like, optional
        ``[C_out]``.
    stride, padding, dilation : int or (int, int)
    mask : array_like, optional
        ``[N, OG*kh*kw, H_out, W_out]``, multiplies each sampled value as is.

    Returns
    -------
    ndarray
        ``[N, C_out, H_out, W_out]``; ``H_out = (H + 2*ph - (dh*(kh-1)+1)) / sh + 1``
        with C++ truncating division, as torchvision. dtype
        ``np.result_type(input, weight)`` with float16 -> float32, int/bool -> float64;
        offset, mask and bias do not take part in the dtype choice.
    """
    input = np.asarray(input)
    weight = np.asarray(weight)
    offset = np.asarray(offset)
    dtype = _result_dtype(input, weight)
    if input.ndim != 4 or weight.ndim != 4 or offset.ndim != 4:
        raise ValueError("input, offset and weight must be 4-D")
    sh, sw = _ntuple(stride, 2, "stride")
    ph, pw = _ntuple(padding, 2, "padding")
    dh, dw = _ntuple(dilation, 2, "dilation")
    n, c_in, h, w = input.shape
    c_out, c_in_g, kh, kw = weight.shape
    taps = kh * kw
    if c_in_g == 0 or c_in % c_in_g:
        raise ValueError(f"weight shape {weight.shape} does not divide {c_in} input channels")
    groups = c_in // c_in_g
    off_groups = offset.shape[1] // (2 * taps)
    if off_groups == 0 or offset.shape[1] != 2 * taps * off_groups or c_in % off_groups:
        raise ValueError(f"offset.shape[1]={offset.shape[1]} must be a non-zero multiple of "
                         f"2*kh*kw={2 * taps} whose group count divides {c_in}")
    if c_out % groups:
        raise ValueError(f"C_out={c_out} must be divisible by groups={groups}")
    oh = _trunc_div(h + 2 * ph - (dh * (kh - 1) + 1), sh) + 1
    ow = _trunc_div(w + 2 * pw - (dw * (kw - 1) + 1), sw) + 1
    if oh <= 0 or ow <= 0:
        raise ValueError(f"output size too small: {oh} x {ow}")
    if offset.shape[0] != n or offset.shape[2:] != (oh, ow):
        raise ValueError(f"offset shape {offset.shape} does not match [N={n}, ., {oh}, {ow}]")
    if mask is not None:
        mask = np.asarray(mask, dtype=np.float64)
        if mask.shape != (n, off_groups * taps, oh, ow):
            raise ValueError(f"mask shape {mask.shape} must be "
                             f"{(n, off_groups * taps, oh, ow)}")
    p = oh * ow
    x = input.astype(np.float64)
    off = offset.astype(np.float64).reshape(n, off_groups, taps, 2, p)
    msk = None if mask is None else mask.reshape(n, off_groups, taps, p)
    wg = weight.astype(np.float64).reshape(groups, c_out // groups, c_in_g, taps)
    c_per_og = c_in // off_groups
    base_y = (np.arange(oh) * sh - ph).repeat(ow)
    base_x = np.tile(np.arange(ow) * sw - pw, oh)
    acc = np.zeros((n, groups, c_out // groups, p))
    for i in range(kh):
        for j in range(kw):
            t = i * kw + j
            cols = np.empty((n, c_in, p))
            for g in range(off_groups):
                y = base_y + i * dh + off[:, g, t, 0]
                xx = base_x + j * dw + off[:, g, t, 1]
                chans = slice(g * c_per_og, (g + 1) * c_per_og)
                cols[:, chans] = _bilinear_zero(x[:, chans], y, xx)
                if msk is not None:
                    cols[:, chans] *= msk[:, g, t][:, None, :]
            acc += np.matmul(wg[..., t], cols.reshape(n, groups, c_in_g, p))
    out = acc.reshape(n, c_out, oh, ow)
    if bias is not None:
        out += np.asarray(bias, dtype=np.float64).reshape(c_out, 1, 1)
    return out.astype(dtype)
