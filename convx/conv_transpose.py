"""Transposed convolutions conv_transpose1d / 2d / 3d with torch.nn.functional semantics.

Layers: this module validates and normalises every argument (via convx._args), applies the
dtype policy, makes inputs C-contiguous, allocates the output, picks the algorithm, then calls
the Cython glue convx._conv_transpose, which calls the C entry point in
csrc/conv_transpose.template.c: the sub-pixel driver (stride phases run as forward convolutions,
csrc/conv_transpose_subpixel.template.c) or GEMM + col2im (csrc/conv_transpose_gemm.template.c).
"""
import numpy as np

from convx import _args as A, _plans as P
from convx._threads import resolve_workers

ALGORITHMS = ("auto", "subpixel", "direct", "im2col", "reference")


def choose_algorithm(input_shape, weight_shape, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, isa=None):
    """What ``algorithm="auto"`` runs for a transposed convolution: the rule of
    ``convx_conv_transpose_select`` (csrc/conv_transpose.c, per-ISA thresholds measured with
    ``python -m convx bench --suite conv_transpose``; figures in the README).

    'subpixel' splits a stride-s transposed convolution into its s**d stride phases, each a
    small dense forward convolution (the phase's taps, flipped) run by convx's forward
    convolution variants, and writes their outputs interleaved: no col buffer, no scatter-add,
    no multiplication by taps that never reach an output. 'direct' (GEMM + col2im fused per
    block of output channels) and 'im2col' (a team GEMM, then a parallel col2im) remain for
    strides beyond the sub-pixel driver's tables (64).

    Parameters
    ----------
    input_shape : sequence of int
        ``[N, C_in, *spatial]`` (batched; 1 to 3 spatial axes).
    weight_shape : sequence of int
        ``[C_in, C_out/groups, *kernel]``.
    stride, padding, output_padding, dilation : int or sequence of int
        As for :func:`convx.conv_transpose2d`.
    groups : int
        As for :func:`convx.conv_transpose2d`.
    isa : {'scalar', 'avx2', 'avx512'}, optional
        The rule for this ISA's thresholds; None: the active ISA.

    Returns
    -------
    algorithm : {'subpixel', 'direct', 'im2col'}

    See Also
    --------
    convx.conv_transpose2d : Its ``algorithm`` argument.
    convx.conv_transpose.last_variant : The driver that actually ran.

    Notes
    -----
    Shapes are not validated beyond what the rule needs: convx calls it with validated ones.

    Examples
    --------
    >>> from convx.conv_transpose import choose_algorithm
    >>> choose_algorithm((1, 64, 32, 32), (64, 32, 2, 2), stride=2)   # U-Net up-conv
    'subpixel'
    >>> choose_algorithm((1, 512, 4, 4), (512, 256, 4, 4), stride=2, padding=1)   # weight-bound
    'direct'
    """
    from convx import _conv_transpose
    nd = len(input_shape) - 2
    def t(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd
    stride, padding, output_padding, dilation = map(t, (stride, padding, output_padding,
                                                        dilation))
    lead = (1,) * (3 - nd)
    out = lead + tuple((input_shape[2 + a] - 1) * stride[a] - 2 * padding[a] + dilation[a] *
                       (weight_shape[2 + a] - 1) + output_padding[a] + 1 for a in range(nd))
    return _conv_transpose.choose_algorithm(
        tuple(input_shape[:2]) + lead + tuple(input_shape[2:]),
        tuple(weight_shape[:2]) + lead + tuple(weight_shape[2:]), out, lead + stride,
        (0,) * (3 - nd) + padding, lead + dilation, groups, isa)


def last_variant():
    """The driver that ran this thread's last transposed convolution.

    Returns
    -------
    name : str
        'subpixel:<forward variant>' (e.g. 'subpixel:indirect_gemm': the forward-convolution
        variant that ran the largest phase convolution; just 'subpixel' when every output
        is in a phase without taps, i.e. bias only), 'fused' or 'fused_t' (algorithm
        'direct'), 'two_pass' ('im2col'), or 'none' before the first call in this thread.

    Examples
    --------
    >>> import numpy as np, convx
    >>> from convx.conv_transpose import last_variant
    >>> y = convx.conv_transpose2d(np.ones((1, 4, 8, 8)), np.ones((4, 2, 4, 4)), stride=2,
    ...                            algorithm="direct")
    >>> last_variant()
    'fused'
    """
    from convx import _conv_transpose
    return _conv_transpose.last_variant()


def _size_culprit(spatial, kernel, stride, dilation, opad):
    """The argument that contributes most to the output size (for a too-large-output error):
    per axis the output is (in - 1)*stride + dilation*(k - 1) + output_padding + 1 - 2*padding."""
    terms = []
    for ax in range(len(spatial)):
        terms += [((spatial[ax] - 1) * stride[ax], f"stride={stride!r}"),
                  (dilation[ax] * (kernel[ax] - 1), f"dilation={dilation!r}"),
                  (opad[ax], f"output_padding={opad!r}")]
    return max(terms, key=lambda t: t[0])[1]


_PLANS = {}   # call plans (convx/_plans.py): key -> (result shape, glue arguments)


def _conv_transposend(nd, op, input, weight, bias, stride, padding, output_padding, groups,
                      dilation, algorithm, workers, out, data_format="channels_first"):
    from convx import _conv_transpose, reference
    cl = A.data_format(data_format)
    glue = _conv_transpose._conv_transpose_cl if cl else _conv_transpose._conv_transpose
    key = None
    if out is None:   # a call plan (convx/_plans.py) from an earlier identical call
        arrays = (input, weight, bias)
        key = P.plan_key(arrays, (nd, stride, padding, output_padding, groups, dilation,
                                  algorithm, data_format))
        y = P.plan_run(_PLANS, key, arrays, glue, workers)
        if y is not None:
            return y
    x, w, b, unbatched, groups, C_out, kernel = A.conv_operands(
        nd, op, A.cf_view(input, nd, op) if cl else input, weight, bias, groups, transposed=True)
    N, C_in = x.shape[0], x.shape[1]
    stride = A.int_tuple(stride, nd, "stride", 1)
    dilation = A.int_tuple(dilation, nd, "dilation", 1)
    if isinstance(padding, str):
        raise ValueError(f"padding must be an int or a tuple of {nd} ints for {op} (no 'same' or "
                         f"'valid' for transposed convolutions), got padding={padding!r}")
    pad = A.int_tuple(padding, nd, "padding", 0)
    opad = A.int_tuple(output_padding, nd, "output_padding", 0)
    for ax in range(nd):
        if not (opad[ax] < stride[ax] or opad[ax] < dilation[ax]):
            raise ValueError(f"output_padding must be smaller than either stride or dilation in "
                             f"every dimension, got output_padding={opad}, stride={stride}, "
                             f"dilation={dilation}")
    algorithm = A.algorithm_name(algorithm, ALGORITHMS)
    nworkers = resolve_workers(workers)
    spatial = x.shape[2:]
    if any(s == 0 for s in spatial) and N and C_in:
        raise ValueError(f"input spatial sizes must be >= 1 (only a zero batch or zero channels "
                         f"are allowed to be empty), got input of shape {x.shape}")
    out_sp = []
    for ax in range(nd):
        o = ((spatial[ax] - 1) * stride[ax] - 2 * pad[ax] + dilation[ax] * (kernel[ax] - 1)
             + opad[ax] + 1)
        if o < 1 and N and C_in:
            raise ValueError(f"output size {o} < 1 in spatial dimension {ax}: input "
                             f"{tuple(spatial)}, kernel {kernel}, stride {stride}, padding "
                             f"{pad}, output_padding {opad}, dilation {dilation}; reduce padding")
        out_sp.append(max(o, 0))
    # the documented policy: result dtype from input and weight only, the bias is converted
    dtype = A.compute_dtype(x, w)
    shape = (N, C_out, *out_sp)
    A.check_result_size(shape, dtype.itemsize,
                        _size_culprit(spatial, kernel, stride, dilation, opad))
    yshape = A.cl_shape(shape) if cl else shape     # the result's layout
    A.check_out(out, yshape[1:] if unbatched else yshape, dtype)

    if algorithm == "reference":
        r = getattr(reference, op)(x, w, b, stride, pad, opad, groups, dilation)
        return A.reference_result_layout(r, dtype, shape, unbatched, out, cl)

    y = np.empty(yshape, dtype=dtype) if out is None else out.reshape(yshape)
    done = A.trivial_result_layout(y, out, unbatched, b, dtype, C_in, C_out, nd, cl)
    if done is not None:
        return done

    xc = A.as_compute_array(A.cl_view(x) if cl else x, dtype)
    wc = A.as_compute_array(w, dtype)
    bc = None if b is None else A.as_compute_array(b, dtype)
    y = A.safe_target(y, out, xc, wc, bc)
    algo = {"auto": _conv_transpose.CT_AUTO,              # convx_conv_transpose_select
            "subpixel": _conv_transpose.CT_SUBPIXEL,      # stride phases as forward convs
            "direct": _conv_transpose.CT_FUSED}.get(algorithm, _conv_transpose.CT_TWO_PASS)
    args = P.glue_args(xc.shape, wc.shape, y.shape, stride, pad, dilation, groups, algo, cl)
    P.glue_call(glue, args, xc, wc, bc, y, nworkers)
    if out is None and xc is input and wc is weight and bc is bias:
        P.plan_put(_PLANS, key, (y.shape[1:] if unbatched else y.shape, args))
    return A.deliver(out, y, unbatched)


_DOC = """{nd}-D transposed convolution, with the semantics of ``torch.nn.functional.{op}``.

    The adjoint of :func:`convx.conv{nd}d`: input position ``i`` and kernel tap ``t`` add
    ``input[i] * weight[t]`` to output position ``i*stride - padding + t*dilation``.

    Parameters
    ----------
    input : array_like, shape [N, C_in, {sp}] or unbatched [C_in, {sp}]
        The signal: a batch of N images with C_in channels (or one, without the batch axis).
    weight : array_like, shape [C_in, C_out/groups, {k}]
        The filters. Note the transposed layout (PyTorch's): input channels first.
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel. Default: no bias.
    stride, dilation : int or tuple of {nd} ints, >= 1
        Step between the output positions of consecutive inputs, and spacing between kernel
        taps, per spatial axis.
    padding : int or tuple of {nd} ints, >= 0
        Crops ``padding`` elements from both ends of the full transposed output along each
        axis (strings such as 'same' are not accepted, as in torch).
    output_padding : int or tuple of {nd} ints
        Extra size added at the end of each axis; must be smaller than stride or dilation.
    groups : int
        Input and output channels are split into ``groups`` blocks; C_in must be divisible by it.
    data_format : {{'channels_first', 'channels_last'}}
        Layout of ``input`` and of the result: [N, C, {sp}] (default) or channels-last
        [N, {sp}, C] (unbatched: [{sp}, C]). Channels-last is computed natively as stride-phase
        gathers (csrc/conv_cl.c): depthwise kernels vectorised over channels, GEMMs over
        pixels; the weights keep torch's layout, and ``algorithm`` only tells 'im2col' (GEMM
        for everything) and 'reference' from the rest.
    algorithm : {{'auto', 'subpixel', 'direct', 'im2col', 'reference'}}
        'subpixel': the stride-s convolution split into its s**d stride phases, each a dense
        forward convolution with the phase's (flipped) taps run by convx's forward variants,
        written interleaved (strides up to 64; beyond, the GEMM + col2im rule runs instead);
        'direct' (the fused driver): per-thread fused GEMM + col2im over blocks of output
        channels (no barriers; for small inputs the GEMM is transposed so the weights are read
        in place); 'im2col' (the two-pass driver): one team GEMM per tile of input rows, then a
        parallel col2im (both use convx's GEMM micro-kernel, not OpenBLAS); 'auto' applies
        :func:`convx.conv_transpose.choose_algorithm` (:func:`convx.conv_transpose.last_variant`
        names the driver that ran); 'reference' runs the NumPy oracle.
    workers : int, optional
        Threads for this call; None uses :func:`convx.get_num_threads`, -1 all cores. The result
        does not depend on it (bit-identical for any value).
    out : ndarray, optional
        C-contiguous, writeable array of the exact result shape and dtype to write into.

    Returns
    -------
    y : ndarray, shape [N, C_out, {osp}]
        The transposed convolution (unbatched input gives an unbatched result, channels-last
        input a channels-last one; ``out`` if it was given), with ``out = (in - 1)*stride - 2*padding + dilation*(k - 1) +
        output_padding + 1`` per axis. Its dtype is ``np.result_type(input, weight)`` with
        float16 -> float32 and integer/bool -> float64.

    Raises
    ------
    TypeError
        An argument of the wrong type: complex, object or string arrays, a string ``padding``,
        a non-integer ``stride``, an ``out`` that is not an ndarray.
    ValueError
        Inconsistent or invalid values: wrong ranks, channel counts that do not match
        ``groups``, negative padding, ``output_padding`` not smaller than stride or dilation,
        an empty result, an ``out`` of the wrong shape or dtype. The message names the
        argument, what was expected and what came.
    MemoryError
        The result or the workspace cannot be allocated.

    See Also
    --------
    convx.reference.{op} : The NumPy oracle this function is tested against.
    convx.conv{nd}d : The forward convolution, of which this is the adjoint.

    Examples
    --------
    >>> import numpy as np, convx
    >>> x = np.ones({xshape}, dtype=np.float32)
    >>> w = np.ones({wshape}, dtype=np.float32)
    >>> y = convx.{op}(x, w, stride=2, padding=1)
    >>> y.shape
    {oshape}
    >>> bool(np.allclose(y, convx.reference.{op}(x, w, stride=2, padding=1)))
    True
    """


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, data_format="channels_first", algorithm="auto", workers=None,
                     out=None):
    return _conv_transposend(1, "conv_transpose1d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation, algorithm, workers, out,
                             data_format)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, data_format="channels_first", algorithm="auto", workers=None,
                     out=None):
    return _conv_transposend(2, "conv_transpose2d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation, algorithm, workers, out,
                             data_format)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, data_format="channels_first", algorithm="auto", workers=None,
                     out=None):
    return _conv_transposend(3, "conv_transpose3d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation, algorithm, workers, out,
                             data_format)


conv_transpose1d.__doc__ = _DOC.format(nd=1, op="conv_transpose1d", sp="L", k="k", osp="L_out",
                                       xshape="(1, 2, 5)", wshape="(2, 4, 4)",
                                       oshape="(1, 4, 10)")
conv_transpose2d.__doc__ = _DOC.format(nd=2, op="conv_transpose2d", sp="H, W", k="kH, kW",
                                       osp="H_out, W_out", xshape="(1, 2, 5, 5)",
                                       wshape="(2, 4, 4, 4)", oshape="(1, 4, 10, 10)")
conv_transpose3d.__doc__ = _DOC.format(nd=3, op="conv_transpose3d", sp="D, H, W",
                                       k="kD, kH, kW", osp="D_out, H_out, W_out",
                                       xshape="(1, 2, 5, 5, 5)", wshape="(2, 4, 4, 4, 4)",
                                       oshape="(1, 4, 10, 10, 10)")
