"""Numpydoc docstrings of convx.dask's convolutions (one template per family)."""

_COMMON_TAIL = """    data_format : {{'channels_first', 'channels_last'}}
        As the in-memory function: channels-last inputs ``[N, *spatial, C]`` are chunked along
        the batch and spatial axes (the channels in one chunk), each task calls convx with
        ``data_format="channels_last"`` on its chunk, and the result is channels-last too.
    workers : int, optional
        convx threads per task. Default: the cores a worker may use divided by the tasks it runs
        at once (1 in a dask.distributed worker, whose nanny sets OMP_NUM_THREADS=1), so tasks x
        threads never oversubscribe; pass e.g. ``workers=4`` to a cluster of 1-thread workers
        on 4-core machines. The result does not depend on it.
    rechunk : bool
        Merge spatial chunks that are smaller than the halo (or whose boundaries are not
        multiples of the stride), and put the channels in one chunk, with a RechunkWarning;
        False raises a ValueError instead.

    Returns
    -------
    y : dask.array.Array
        Lazy result of the in-memory call's shape and dtype, chunked like the input along the
        batch axis and along the spatial axes (each output chunk is the part of the output its
        input chunk owns), the channels in one chunk.

    Raises
    ------
    TypeError
        An argument of the wrong type (the same checks as the in-memory function, made when
        the graph is built).
    ValueError
        Invalid or inconsistent values, as the in-memory function; chunks too small for the
        halo with ``rechunk=False``.
"""

_CONV = """Chunked :func:`convx.{op}` on a dask array (lazy; same arguments).

    Batch chunks run as independent tasks; spatial chunks receive the halo their outputs need
    from their neighbours (``dilation*(k-1) + 1 - stride`` samples), with chunk boundaries on
    multiples of the stride, so the result equals the in-memory call.

    Parameters
    ----------
    input : dask.array.Array or array_like, shape [N, C_in, {sp}] or [C_in, {sp}]
        The signal, chunked along the batch and/or spatial axes.
    weight : array_like, shape [C_out, C_in/groups, {k}]
        The filters; one key of the graph, sent to each worker once.
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel.
    stride, dilation : int or tuple of {nd} ints
        As :func:`convx.{op}`.
    padding : int, tuple of {nd} ints, 'valid' or 'same'
        As :func:`convx.{op}`.
    groups : int
        As :func:`convx.{op}`.
    padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
        As :func:`convx.{op}`; applied to the whole array, not to each chunk.
    algorithm : {{'auto', 'direct', 'im2col', 'reference'}}
        Passed to each task's call.
{tail}
    See Also
    --------
    convx.{op} : The in-memory convolution each task runs.
    convx.dask.filters : Chunked image filters.

    Examples
    --------
    >>> import numpy as np, dask.array as da, convx, convx.dask
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random({xshape}, dtype=np.float32)
    >>> w = rng.random({wshape}, dtype=np.float32)
    >>> y = convx.dask.{op}(da.from_array(x, chunks={chunks}), w, padding=1, stride=2)
    >>> bool(np.allclose(y.compute(), convx.{op}(x, w, padding=1, stride=2), atol=1e-5))
    True
"""

_TRANSPOSED = """Chunked :func:`convx.{op}` on a dask array (lazy; same arguments).

    Batch chunks run as independent tasks. Input chunk ``[b0, b1)`` owns outputs
    ``[b0*stride, b1*stride)`` (before ``padding`` is cropped) and receives the last
    ``(dilation*(k-1)) // stride`` inputs of its left neighbour as a halo, so the result equals
    the in-memory call.

    Parameters
    ----------
    input : dask.array.Array or array_like, shape [N, C_in, {sp}] or [C_in, {sp}]
        The signal, chunked along the batch and/or spatial axes.
    weight : array_like, shape [C_in, C_out/groups, {k}]
        The filters (PyTorch's transposed layout); one key of the graph.
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel.
    stride, padding, output_padding, dilation : int or tuple of {nd} ints
        As :func:`convx.{op}`.
    groups : int
        As :func:`convx.{op}`.
    algorithm : {{'auto', 'direct', 'col2im', 'reference'}}
        Passed to each task's call.
{tail}
    See Also
    --------
    convx.{op} : The in-memory transposed convolution each task runs.
    convx.dask.{fwd} : The forward convolution.

    Examples
    --------
    >>> import numpy as np, dask.array as da, convx, convx.dask
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random({xshape}, dtype=np.float32)
    >>> w = rng.random({wshape}, dtype=np.float32)
    >>> y = convx.dask.{op}(da.from_array(x, chunks={chunks}), w, stride=2, padding=1)
    >>> bool(np.allclose(y.compute(), convx.{op}(x, w, stride=2, padding=1), atol=1e-5))
    True
"""

_DWSEP = """Chunked :func:`convx.{op}` on a dask array (lazy; same arguments).

    The depthwise stage's halo and stride rules are those of :func:`convx.dask.{fwd}`; the
    pointwise stage needs none.

    Parameters
    ----------
    input : dask.array.Array or array_like, shape [N, C_in, {sp}] or [C_in, {sp}]
        The signal, chunked along the batch and/or spatial axes.
    depthwise_weight : array_like, shape [C_in*m, 1, {k}]
        Per-channel filters; one key of the graph.
    pointwise_weight : array_like, shape [C_out, C_in*m, {ones}]
        The 1x1 mixing weights; one key of the graph.
    depthwise_bias : array_like, shape [C_in*m], optional
        Bias of the depthwise stage.
    pointwise_bias : array_like, shape [C_out], optional
        Bias of the pointwise stage.
    stride, dilation : int or tuple of {nd} ints
        Of the depthwise stage, as :func:`convx.{op}`.
    padding : int, tuple of {nd} ints, 'valid' or 'same'
        As :func:`convx.{op}`.
    padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
        As :func:`convx.{op}`; applied to the whole array.
{tail}
    See Also
    --------
    convx.{op} : The in-memory operation each task runs.
    convx.dask.{fwd} : A dense chunked convolution.

    Examples
    --------
    >>> import numpy as np, dask.array as da, convx, convx.dask
    >>> rng = np.random.default_rng(0)
    >>> x = rng.random({xshape}, dtype=np.float32)
    >>> dw = rng.random({dshape}, dtype=np.float32)
    >>> pw = rng.random({pshape}, dtype=np.float32)
    >>> y = convx.dask.{op}(da.from_array(x, chunks={chunks}), dw, pw, padding=1)
    >>> bool(np.allclose(y.compute(), convx.{op}(x, dw, pw, padding=1), atol=1e-5))
    True
"""

_DIMS = {1: dict(sp="L", k="k", ones="1", c=3, xshape="(2, 3, 38)", chunks="(1, 3, 19)"),
         2: dict(sp="H, W", k="kH, kW", ones="1, 1", c=3, xshape="(2, 3, 30, 30)",
                 chunks="(1, 3, 15, 15)"),
         3: dict(sp="D, H, W", k="kD, kH, kW", ones="1, 1, 1", c=2, xshape="(1, 2, 14, 14, 14)",
                 chunks="(1, 2, 7, 14, 7)")}
_K3 = {1: "3", 2: "3, 3", 3: "3, 3, 3"}


def document(ns):
    """Fill the docstrings of the functions in namespace ``ns``."""
    for nd, d in _DIMS.items():
        k3 = _K3[nd]
        ns[f"conv{nd}d"].__doc__ = _CONV.format(
            op=f"conv{nd}d", nd=nd, tail=_COMMON_TAIL, wshape=f"(4, {d['c']}, {k3})",
            **d)
        ns[f"conv_transpose{nd}d"].__doc__ = _TRANSPOSED.format(
            op=f"conv_transpose{nd}d", fwd=f"conv{nd}d", nd=nd, tail=_COMMON_TAIL,
            wshape=f"({d['c']}, 4, {k3})", **d)
        ns[f"depthwise_separable_conv{nd}d"].__doc__ = _DWSEP.format(
            op=f"depthwise_separable_conv{nd}d", fwd=f"conv{nd}d", nd=nd, tail=_COMMON_TAIL,
            dshape=f"({d['c']}, 1, {k3})", pshape=f"(5, {d['c']}, {d['ones']})",
            **d)
