"""Deformable 2-D convolution (DCNv1 and modulated DCNv2) with torchvision semantics.

Layers: this module validates and normalises every argument (via convx._args), applies the
dtype policy, makes inputs C-contiguous, allocates the output, then calls the Cython glue
convx._deform, which calls the C driver in csrc/deform.template.c (deformable im2col into a
bounded tile + GEMM per weight group, OpenMP over the tile). Semantics:
docs/deform_conv2d.md.
"""
import numpy as np

from convx import _args as A
from convx._threads import resolve_workers

__all__ = ["deform_conv2d"]


def _shape_error(name, arr, expected, why):
    return ValueError(f"{name} must have shape {expected} ({why}), got {name} of shape "
                      f"{tuple(arr.shape)}")


def deform_conv2d(input, offset, weight, bias=None, stride=1, padding=0, dilation=1, mask=None,
                  *, data_format="channels_first", workers=None, out=None):
    """Deformable 2-D convolution, with the semantics of ``torchvision.ops.deform_conv2d``.

    Every kernel tap ``t = i*kw + j`` samples the input bilinearly at the regular convolution
    grid position plus a learned offset ``(dy, dx)`` (zero outside the image, torchvision's
    exact border rule), multiplied by the modulation ``mask`` when given (DCNv2), then the
    samples are contracted with the weights as in a grouped convolution.

    Parameters
    ----------
    input : array_like, shape [N, C_in, H, W]
        4-D only (no unbatched form, as torchvision).
    offset : array_like, shape [N, 2*offset_groups*kh*kw, H_out, W_out]
        Per offset group, channels are ``dy_0, dx_0, dy_1, dx_1, ...`` (height first);
        groups are stacked. ``offset_groups = offset.shape[1] // (2*kh*kw)`` is inferred and
        must divide C_in; input channel ``c`` uses offset group ``c // (C_in/offset_groups)``.
    weight : array_like, shape [C_out, C_in/groups, kh, kw]
        ``groups = C_in // weight.shape[1]`` is inferred and must divide C_out.
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel. Default: no bias.
    stride, padding, dilation : int or tuple of 2 ints
        stride, dilation >= 1; padding >= 0 (implicit zeros), as in :func:`convx.conv2d`
        (no 'same'/'valid').
    mask : array_like, shape [N, offset_groups*kh*kw, H_out, W_out], optional
        Multiplies each sampled value as it is (no sigmoid); None means all ones (DCNv1).
    data_format : {'channels_first', 'channels_last'}
        Layout of ``input``, ``offset``, ``mask`` and the result: channels-first as above
        (default) or channels-last [N, H, W, C_in], [N, H_out, W_out, 2*offset_groups*kh*kw],
        [N, H_out, W_out, offset_groups*kh*kw], [N, H_out, W_out, C_out] (same channel orders).
        Channels-last is read and written natively (the sampler reads whole pixels).
    workers : int, optional
        Threads for this call; None uses :func:`convx.get_num_threads`, -1 all cores. The result
        does not depend on it (bit-identical for any value).
    out : ndarray, optional
        C-contiguous, writeable array of the exact result shape and dtype to write into.

    Returns
    -------
    y : ndarray, shape [N, C_out, H_out, W_out]
        ``H_out = (H + 2*ph - dh*(kh-1) - 1) // sh + 1`` (likewise W_out); ``out`` if it was
        given. The dtype is ``np.result_type(input, weight)`` with float16 -> float32 and
        integer/bool -> float64; offset, mask and bias are converted to it.

    Raises
    ------
    TypeError
        An argument of the wrong type: complex, object or string arrays, a non-integer
        ``stride``, an ``out`` that is not an ndarray.
    ValueError
        Inconsistent shapes or invalid values: an input that is not 4-D, offset or mask
        shapes that do not match the output size and kernel, offset groups or groups that do
        not divide the channels, a kernel larger than the padded input, an ``out`` of the
        wrong shape or dtype. The message names the argument, what was expected and what came.
    MemoryError
        The result or the workspace cannot be allocated.

    See Also
    --------
    convx.reference.deform_conv2d : The NumPy oracle this function is tested against.
    convx.conv2d : The regular convolution (all offsets zero, no mask).

    Notes
    -----
    Out-of-image corners read as zero by being given weight 0, so a non-finite input pixel can
    turn a neighbouring out-of-image sample into NaN; results for finite inputs are exact.
    A kernel larger than the padded input is a ValueError (torchvision's C++ kernel rounds
    such an output size toward zero and runs).

    Examples
    --------
    >>> import numpy as np, convx
    >>> x = np.ones((1, 2, 5, 5), dtype=np.float32)
    >>> w = np.ones((4, 2, 3, 3), dtype=np.float32)
    >>> off = np.zeros((1, 2 * 3 * 3, 5, 5), dtype=np.float32)
    >>> y = convx.deform_conv2d(x, off, w, padding=1)
    >>> y.shape
    (1, 4, 5, 5)
    >>> bool(np.allclose(y, convx.conv2d(x, w, padding=1)))    # zero offsets: a plain conv
    True
    """
    from convx import _deform
    x = A.as_array(input, "input")
    o = A.as_array(offset, "offset")
    w = A.as_array(weight, "weight")
    b = None if bias is None else A.as_array(bias, "bias")
    m = None if mask is None else A.as_array(mask, "mask")
    cl = A.data_format(data_format)
    if cl:   # checked as channels-first views; computed on the channels-last arrays
        for name, a in (("input", x), ("offset", o), ("mask", m)):
            if a is not None and a.ndim != 4:
                raise ValueError(f"{name} must be 4-D channels-last [N, H, W, C] for "
                                 f"deform_conv2d, got {name} of shape {a.shape}")
        x, o = A.cf_view(x, 2, "deform_conv2d"), A.cf_view(o, 2, "deform_conv2d", "offset")
        m = None if m is None else A.cf_view(m, 2, "deform_conv2d", "mask")

    if x.ndim != 4:
        raise ValueError(f"input must be 4-D [N, C_in, H, W] for deform_conv2d, got input of "
                         f"shape {x.shape}")
    if w.ndim != 4:
        raise ValueError(f"weight must be 4-D [C_out, C_in/groups, kh, kw] for deform_conv2d, "
                         f"got weight of shape {w.shape}")
    if o.ndim != 4:
        raise ValueError(f"offset must be 4-D [N, 2*offset_groups*kh*kw, H_out, W_out], got "
                         f"offset of shape {o.shape}")
    if m is not None and m.ndim != 4:
        raise ValueError(f"mask must be 4-D [N, offset_groups*kh*kw, H_out, W_out], got mask "
                         f"of shape {m.shape}")
    N, C_in, H, W = x.shape
    C_out, Cig, kh, kw = w.shape
    if kh < 1 or kw < 1:
        raise ValueError(f"weight must have kernel sizes >= 1, got weight of shape {w.shape}")
    if C_in < 1:
        raise ValueError(f"input must have at least one channel, got input of shape {x.shape}")
    if Cig < 1 or C_in % Cig:
        raise ValueError(f"weight.shape[1] (C_in/groups={Cig}) must be >= 1 and divide the "
                         f"input's {C_in} channels (groups = C_in // weight.shape[1]), got "
                         f"weight of shape {w.shape} for input of shape {x.shape}")
    groups = C_in // Cig
    if C_out % groups:
        raise ValueError(f"weight.shape[0] (C_out={C_out}) must be divisible by the inferred "
                         f"groups={groups} (C_in={C_in} // weight.shape[1]={Cig})")
    taps = kh * kw
    if o.shape[1] < 2 * taps or o.shape[1] % (2 * taps):
        raise ValueError(f"offset.shape[1] must be a positive multiple of 2*kh*kw = {2 * taps} "
                         f"(2*offset_groups*kh*kw), got offset of shape {o.shape}")
    og = o.shape[1] // (2 * taps)
    if C_in % og:
        raise ValueError(f"offset: the inferred offset_groups={og} (offset.shape[1] // "
                         f"(2*kh*kw)) must divide C_in={C_in}, got offset of shape {o.shape}")
    stride = A.int_tuple(stride, 2, "stride", 1)
    dilation = A.int_tuple(dilation, 2, "dilation", 1)
    if isinstance(padding, str):
        raise TypeError(f"padding must be an int or a tuple of 2 ints for deform_conv2d, got "
                        f"padding={padding!r}")
    pad = A.int_tuple(padding, 2, "padding", 0)
    nworkers = resolve_workers(workers)
    if b is not None and b.shape != (C_out,):
        raise ValueError(f"bias must be 1-D with C_out={C_out} elements, got bias of shape "
                         f"{b.shape}")
    if (H == 0 or W == 0) and N and C_in:
        raise ValueError(f"input spatial sizes must be >= 1 (only a zero batch is allowed to be "
                         f"empty), got input of shape {x.shape}")
    if H * W > 2**31 - 1:
        raise ValueError(f"input planes of more than 2**31-1 pixels are not supported, got input "
                         f"of shape {x.shape}")
    out_sp = []
    for ax, size in enumerate((H, W)):
        ext = dilation[ax] * ((kh, kw)[ax] - 1) + 1
        padded = size + 2 * pad[ax]
        if padded < ext:
            raise ValueError(f"kernel (dilated extent {ext}) is larger than the padded input "
                             f"({padded}) in spatial dimension {ax}: input of shape {x.shape}, "
                             f"weight of shape {w.shape}, dilation {dilation}, padding {pad}")
        out_sp.append((padded - ext) // stride[ax] + 1)
    A.check_result_size((N, C_out, *out_sp), np.dtype(A.compute_dtype(x, w)).itemsize,
                        f"padding={pad!r}")
    OH, OW = out_sp
    want = (N, 2 * og * taps, OH, OW)
    if o.shape != want:
        raise _shape_error("offset", o, want, f"[N={N}, 2*offset_groups*kh*kw={2 * og * taps}, "
                           f"H_out={OH}, W_out={OW}]")
    if m is not None:
        want = (N, og * taps, OH, OW)
        if m.shape != want:
            raise _shape_error("mask", m, want, f"[N={N}, offset_groups*kh*kw={og * taps}, "
                               f"H_out={OH}, W_out={OW}] with offset_groups={og} inferred from "
                               f"offset")
    dtype = A.compute_dtype(x, w)
    shape = (N, OH, OW, C_out) if cl else (N, C_out, OH, OW)
    A.check_out(out, shape, dtype)

    y = np.empty(shape, dtype=dtype) if out is None else out
    if y.size == 0:
        return y
    lay = A.cl_view if cl else (lambda a: a)
    xc = A.as_compute_array(lay(x), dtype)
    oc = A.as_compute_array(lay(o), dtype)
    wc = A.as_compute_array(w, dtype)
    mc = None if m is None else A.as_compute_array(lay(m), dtype)
    bc = None if b is None else A.as_compute_array(b, dtype)
    y = A.safe_target(y, out, xc, oc, wc, mc, bc)
    _deform._deform_conv2d(xc, oc, mc, wc, bc, y, og, stride, pad, dilation, nworkers, cl)
    return A.deliver(out, y, False)
