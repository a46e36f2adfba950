"""Reference conv_transpose1d/2d/3d: the textbook construction from a forward conv.

1. insert ``stride - 1`` zeros between neighbouring input samples;
2. pad each side by ``q = dilation*(k-1) - padding`` zeros (crop ``-q`` when
   ``q < 0``), and ``output_padding`` more at the far side;
3. flip the kernel spatially and swap its in/out axes within every group;
4. run the forward reference conv (stride 1, no padding, same dilation and groups).

This is the adjoint of conv: input position i and tap t land on output
i*stride - padding + t*dilation (torch_conv_semantics.md §2).
"""
import numpy as np

from ._util import _batched, _ntuple, _result_dtype
from .conv import _conv_f64

__all__ = ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


def _zero_insert_and_pad(x, stride, before, after):
    """Zero-stuff the spatial axes by stride, then pad (or crop, if negative) per side."""
    shape = x.shape[:2] + tuple((n - 1) * s + 1 if n else 0 for n, s in zip(x.shape[2:], stride))
    z = np.zeros(shape)
    z[(Ellipsis,) + tuple(slice(None, None, s) for s in stride)] = x
    z = np.pad(z, [(0, 0), (0, 0)] + [(max(b, 0), max(a, 0)) for b, a in zip(before, after)])
    crop = tuple(slice(max(-b, 0), z.shape[2 + i] - max(-a, 0))
                 for i, (b, a) in enumerate(zip(before, after)))
    return z[(Ellipsis,) + crop]


def _conv_transposend(nd, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    input = np.asarray(input)
    weight = np.asarray(weight)
    dtype = _result_dtype(input, weight)
    if weight.ndim != nd + 2:
        raise ValueError(f"weight must have {nd + 2} dimensions, got shape {weight.shape}")
    x, unbatched = _batched(input, nd)
    stride = _ntuple(stride, nd, "stride")
    padding = _ntuple(padding, nd, "padding")
    output_padding = _ntuple(output_padding, nd, "output_padding")
    dilation = _ntuple(dilation, nd, "dilation")
    c_in, c_out_g = weight.shape[:2]
    kernel = weight.shape[2:]
    if groups < 1 or c_in % groups or x.shape[1] != c_in:
        raise ValueError(f"groups={groups} does not fit input channels {x.shape[1]} and "
                         f"weight shape {weight.shape}")
    if any(s < 1 for s in stride) or any(d < 1 for d in dilation) or min(padding) < 0:
        raise ValueError("stride and dilation must be >= 1 and padding >= 0")
    for op, s, d in zip(output_padding, stride, dilation):
        if op < 0 or not (op < s or op < d):
            raise ValueError(f"output_padding must be >= 0 and smaller than stride or "
                             f"dilation, got {output_padding}")
    out_sp = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1
              for n, s, p, d, k, op in zip(x.shape[2:], stride, padding, dilation, kernel,
                                           output_padding)]
    if min(out_sp) < 1:
        raise ValueError(f"output size {tuple(out_sp)} is too small")
    q = [d * (k - 1) - p for d, k, p in zip(dilation, kernel, padding)]
    z = _zero_insert_and_pad(x.astype(np.float64), stride, q,
                             [qi + op for qi, op in zip(q, output_padding)])
    # [C_in, C_out/G, *k] -> [G, C_in/G, C_out/G, *k] -> [C_out, C_in/G, *k], flipped.
    c_in_g = c_in // groups
    w = weight.astype(np.float64).reshape(groups, c_in_g, c_out_g, *kernel)
    w = w.swapaxes(1, 2).reshape(groups * c_out_g, c_in_g, *kernel)
    w = w[(Ellipsis,) + (slice(None, None, -1),) * nd]
    out = _conv_f64(z, w, bias, (1,) * nd, ((0, 0),) * nd, dilation, groups)
    if unbatched:
        out = out[0]
    return out.astype(dtype)


_DOC = """Reference {nd}-D transposed convolution, as torch.nn.functional.conv_transpose{nd}d.

Built literally as zero-insertion, padding by ``dilation*(k-1) - padding`` (cropping
when negative), ``output_padding`` at the far end, and a forward conv with the
spatially flipped, in/out-swapped kernel.

Parameters
----------
input : array_like
    ``[N, C_in, {sp}]`` or unbatched ``[C_in, {sp}]``.
weight : array_like
    ``[C_in, C_out/groups, {k}]``.
bias : array_like, optional
    ``[C_out]``.
stride, padding, output_padding, dilation : int or tuple of {nd} ints
    Note that ``groups`` comes before ``dilation``, as in torch.
groups : int

Returns
-------
ndarray
    ``[N, C_out, {osp}]`` with ``out = (in-1)*stride - 2*padding + dilation*(k-1)
    + output_padding + 1`` per axis; dtype as for :func:`conv{nd}d`.
"""


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    return _conv_transposend(1, input, weight, bias, stride, padding, output_padding,
                             groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    return _conv_transposend(2, input, weight, bias, stride, padding, output_padding,
                             groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    return _conv_transposend(3, input, weight, bias, stride, padding, output_padding,
                             groups, dilation)


conv_transpose1d.__doc__ = _DOC.format(nd=1, sp="L", k="kL", osp="L_out")
conv_transpose2d.__doc__ = _DOC.format(nd=2, sp="H, W", k="kH, kW", osp="H_out, W_out")
conv_transpose3d.__doc__ = _DOC.format(nd=3, sp="D, H, W", k="kD, kH, kW",
                                       osp="D_out, H_out, W_out")
