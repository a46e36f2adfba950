"""Forward convolutions conv1d / conv2d / conv3d with torch.nn.functional semantics.

Layers: this module validates and normalises every argument (via convx._args), applies the
dtype policy, makes inputs C-contiguous, allocates the output, picks the algorithm, then calls
the Cython glue convx._conv, which calls the C entry point in csrc/conv.template.c.
"""
import math

import numpy as np

from convx import _args as A, _plans as P
from convx._threads import resolve_workers

ALGORITHMS = ("auto", "direct", "im2col", "reference")


def choose_algorithm(c_in_per_group, c_out_per_group, kernel, out_spatial, isa=None):
    """The ``algorithm="auto"`` rule (measured with ``python -m convx bench``, see README).

    With AVX2 or AVX-512 kernels a cost model picks the variant with the least predicted time
    (csrc/conv.c, ``convx_conv_select``; coefficients per ISA fitted on measured times of every
    variant over ~270 real layers): usually one of the direct path's kernels, OpenBLAS's
    im2col+GEMM ("im2col") where it is predicted faster, e.g. AVX2 pointwise layers on small
    maps. With only the scalar baseline ISA, OpenBLAS's im2col+GEMM is faster for dense
    convolutions (at least 8 input and 4 output channels per group) and the direct path for the
    rest. Output volumes beyond BLAS's 32-bit dimension limit always go direct.

    Parameters
    ----------
    c_in_per_group, c_out_per_group : int
        Input and output channels per group (C_in/groups, C_out/groups).
    kernel : sequence of int
        Kernel size per spatial axis.
    out_spatial : sequence of int
        Output size per spatial axis.
    isa : {'scalar', 'avx2', 'avx512'}, optional
        The ISA to decide for; default the active one (``convx.show_config()``).

    Returns
    -------
    algorithm : {'direct', 'im2col'}
        What ``algorithm="auto"`` runs for this shape.

    See Also
    --------
    convx.conv2d : Its ``algorithm`` argument.

    Notes
    -----
    It raises nothing and does not validate its arguments: convx calls it with validated shapes.

    Examples
    --------
    >>> from convx.conv import choose_algorithm
    >>> choose_algorithm(64, 64, (3, 3), (56, 56), isa="avx512")
    'direct'
    >>> choose_algorithm(64, 64, (3, 3), (56, 56), isa="scalar")
    'im2col'
    >>> choose_algorithm(1, 1, (3, 3), (56, 56), isa="scalar")      # depthwise
    'direct'
    >>> choose_algorithm(2048, 512, (1, 1), (7, 7), isa="avx2")     # pointwise on a 7x7 map
    'im2col'
    """
    from convx import _conv
    return _conv.choose_algorithm(c_in_per_group, c_out_per_group, tuple(kernel),
                                  tuple(out_spatial), isa)


_PLANS = {}   # call plans (convx/_plans.py): key -> (result shape, glue arguments)


def _convnd(nd, op, input, weight, bias, stride, padding, dilation, groups, padding_mode,
            algorithm, workers, out, data_format="channels_first"):
    from convx import _conv
    cl = A.data_format(data_format)
    glue = _conv._conv_cl if cl else _conv._conv
    key = None
    if out is None:
        arrays = (input, weight, bias)
        key = P.plan_key(arrays, (nd, stride, padding, dilation, groups, padding_mode, algorithm,
                                  data_format))
        y = P.plan_run(_PLANS, key, arrays, glue, workers)
        if y is not None:
            return y
    x, w, b, unbatched, groups, C_out, kernel = A.conv_operands(
        nd, op, A.cf_view(input, nd, op) if cl else input, weight, bias, groups,
        transposed=False)
    N, C_in = x.shape[0], x.shape[1]
    stride = A.int_tuple(stride, nd, "stride", 1)
    dilation = A.int_tuple(dilation, nd, "dilation", 1)
    lo, hi = A.conv_padding(padding, nd, kernel, dilation, stride)
    mode = A.padding_mode(padding_mode)
    algorithm = A.algorithm_name(algorithm, ALGORITHMS)
    nworkers = resolve_workers(workers)
    spatial = x.shape[2:]
    if mode != "zeros":
        A.check_pad_mode_sizes(spatial, lo, hi, mode)
    if any(s == 0 for s in spatial) and N and C_in:
        raise ValueError(f"input spatial sizes must be >= 1 (only a zero batch is allowed to be "
                         f"empty), got input of shape {x.shape}")
    out_sp = []
    for ax in range(nd):
        ext = dilation[ax] * (kernel[ax] - 1) + 1
        padded = spatial[ax] + lo[ax] + hi[ax]
        if padded < ext:
            raise ValueError(f"kernel (dilated extent {ext}) is larger than the padded input "
                             f"({padded}) in spatial dimension {ax}: input {tuple(spatial)}, "
                             f"kernel {kernel}, dilation {dilation}, padding {padding!r}")
        if padded >= A.MAX_INDEX:
            raise ValueError(f"padding={padding!r} makes the padded input too large to index "
                             f"(spatial dimension {ax}: {padded} elements, limit 2**62)")
        out_sp.append((padded - ext) // stride[ax] + 1)
    # a stride with a single output, or a dilation of a 1-wide kernel, has no effect: drop it so
    # the C drivers never size buffers or offsets from a meaningless huge value
    stride = tuple(1 if o == 1 else s_ for o, s_ in zip(out_sp, stride))
    dilation = tuple(1 if k == 1 else d for k, d in zip(kernel, dilation))
    dtype = A.compute_dtype(x, w)
    shape = (N, C_out, *out_sp)
    A.check_result_size(shape, dtype.itemsize, f"padding={padding!r}")
    yshape = A.cl_shape(shape) if cl else shape     # the result's layout
    A.check_out(out, yshape[1:] if unbatched else yshape, dtype)

    if algorithm == "reference":
        from convx import reference
        r = getattr(reference, op)(x, w, b, stride, padding if isinstance(padding, str) else lo,
                                   dilation, groups, padding_mode=mode)
        return A.reference_result_layout(r, dtype, shape, unbatched, out, cl)

    y = np.empty(yshape, dtype=dtype) if out is None else out.reshape(yshape)
    done = A.trivial_result_layout(y, out, unbatched, b, dtype, C_in, C_out, nd, cl)
    if done is not None:
        return done

    xc = A.as_compute_array(A.cl_view(x) if cl else x, dtype)
    if mode != "zeros" and (any(lo) or any(hi)):
        xc = (A.pad_explicit_cl(xc, lo, hi, mode) if cl else
              np.ascontiguousarray(A.pad_explicit(xc, lo, hi, mode)))
        lo = hi = (0,) * nd
    wc = A.as_compute_array(w, dtype)
    bc = None if b is None else A.as_compute_array(b, dtype)

    if algorithm == "im2col" and math.prod(out_sp) >= 2**31 - 1:
        raise ValueError(f"algorithm='im2col' cannot handle more than 2**31-1 output pixels per "
                         f"channel (BLAS uses 32-bit sizes), got output spatial size {tuple(out_sp)}; "
                         f"use algorithm='direct' or 'auto'")
    y = A.safe_target(y, out, xc, wc, bc)
    args = P.conv_glue_args(xc.shape, wc.shape, y.shape, stride, lo, dilation, groups, algorithm,
                            cl)
    P.glue_call(glue, args, xc, wc, bc, y, nworkers)
    if out is None and xc is input and wc is weight and bc is bias:
        P.plan_put(_PLANS, key, (y.shape[1:] if unbatched else y.shape, args))
    return A.deliver(out, y, unbatched)


_DOC = """{nd}-D convolution (cross-correlation), with the semantics of ``torch.nn.functional.{op}``.

    ``y[n, o, p] = bias[o] + sum over c, t of input[n, g*C_in/groups + c, p*stride - padding
    + t*dilation] * weight[o, c, t]``, where ``g`` is the group of output channel ``o``.

    Parameters
    ----------
    input : array_like, shape [N, C_in, {sp}] or unbatched [C_in, {sp}]
        The signal: a batch of N images with C_in channels (or one, without the batch axis).
    weight : array_like, shape [C_out, C_in/groups, {k}]
        The filters (PyTorch's layout): one [C_in/groups, {k}] kernel per output channel.
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel. Default: no bias.
    stride, dilation : int or tuple of {nd} ints, >= 1
        Step between output positions, and spacing between kernel taps, per spatial axis.
    padding : int, tuple of {nd} ints, 'valid' or 'same'
        Implicit padding on both sides of each spatial axis ('valid' = 0). 'same' needs stride
        1 and keeps the input size; an odd total padding puts the extra element at the end, as
        torch does.
    groups : int
        Input and output channels are split into ``groups`` blocks; groups == C_in is depthwise.
        C_in and C_out must be divisible by it.
    padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
        How the padding is filled (the meaning of torch's ``nn.Conv{nd}d``).
    data_format : {{'channels_first', 'channels_last'}}
        Layout of ``input`` and of the result: [N, C, {sp}] (default) or channels-last
        [N, {sp}, C] (unbatched: [{sp}, C]), as images from OpenCV, Pillow or TensorFlow come.
        Channels-last is computed natively (csrc/conv_cl.c: depthwise kernels vectorised over
        channels, GEMMs over pixels), never by transposing; the weights keep torch's layout.
        ``algorithm`` then only tells 'im2col' (GEMM for everything) and 'reference' from the
        rest. Non-contiguous views are copied to contiguous channels-last first.
    algorithm : {{'auto', 'direct', 'im2col', 'reference'}}
        'direct': convx's micro-kernels; 'im2col': a tiled im2col and OpenBLAS GEMM; 'auto'
        applies :func:`convx.conv.choose_algorithm`; 'reference' runs the NumPy oracle.
    workers : int, optional
        Threads for this call; None uses :func:`convx.get_num_threads`, -1 all cores. The result
        does not depend on it (bit-identical for any value).
    out : ndarray, optional
        C-contiguous, writeable array of the exact result shape and dtype to write into; it may
        not overlap the operands.

    Returns
    -------
    y : ndarray, shape [N, C_out, {osp}]
        The convolution (unbatched input gives an unbatched result; channels-last input a
        channels-last [N, {osp}, C_out] result); ``out`` if it was given.
        Its dtype is ``np.result_type(input, weight)`` with float16 -> float32 and
        integer/bool -> float64.

    Raises
    ------
    TypeError
        An argument of the wrong type: complex, object or string arrays, a non-integer
        ``stride``, an ``out`` that is not an ndarray.
    ValueError
        Inconsistent or invalid values: wrong ranks, channel counts that do not match
        ``groups``, a kernel larger than the padded input, 'same' with a stride, an unknown
        ``padding_mode`` or ``algorithm``, an ``out`` of the wrong shape or dtype. The message
        names the argument, what was expected and what came.
    MemoryError
        The result or the workspace cannot be allocated.

    See Also
    --------
    convx.reference.{op} : The NumPy oracle this function is tested against.
    convx.conv_transpose{nd}d : The transposed (adjoint) operation.
    convx.depthwise_separable_conv{nd}d : A depthwise then a pointwise convolution in one call.

    Examples
    --------
    >>> import numpy as np, convx
    >>> x = np.ones({xshape}, dtype=np.float32)
    >>> w = np.ones({wshape}, dtype=np.float32)
    >>> y = convx.{op}(x, w, padding=1)
    >>> y.shape, y.dtype
    ({oshape}, dtype('float32'))
    >>> float(y.max())                  # an interior output sums 2 channels x all taps of ones
    {center}
    >>> bool(np.allclose(y, convx.reference.{op}(x, w, padding=1)))
    True
    """


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros", data_format="channels_first", algorithm="auto", workers=None,
           out=None):
    return _convnd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups,
                   padding_mode, algorithm, workers, out, data_format)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros", data_format="channels_first", algorithm="auto", workers=None,
           out=None):
    return _convnd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups,
                   padding_mode, algorithm, workers, out, data_format)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros", data_format="channels_first", algorithm="auto", workers=None,
           out=None):
    return _convnd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups,
                   padding_mode, algorithm, workers, out, data_format)


conv1d.__doc__ = _DOC.format(nd=1, op="conv1d", sp="L", k="k", osp="L_out", center="6.0",
                             xshape="(1, 2, 5)", wshape="(4, 2, 3)", oshape="(1, 4, 5)")
conv2d.__doc__ = _DOC.format(nd=2, op="conv2d", sp="H, W", k="kH, kW", osp="H_out, W_out",
                             xshape="(1, 2, 5, 5)", wshape="(4, 2, 3, 3)", oshape="(1, 4, 5, 5)",
                             center="18.0")
conv3d.__doc__ = _DOC.format(nd=3, op="conv3d", sp="D, H, W", k="kD, kH, kW",
                             osp="D_out, H_out, W_out", xshape="(1, 2, 5, 5, 5)",
                             wshape="(4, 2, 3, 3, 3)", oshape="(1, 4, 5, 5, 5)", center="54.0")
