"""Plans: validate, choose the variant and pack the weights once, then run many times.

``convx.plan_conv1d/2d/3d`` and ``convx.plan_conv_transpose1d/2d/3d`` return a :class:`ConvPlan`.
Layers: this module validates every argument (through the functional calls' own checks, run
on an empty batch, so the messages are the same), copies the weights and normalises the
geometry exactly as convx.conv / convx.conv_transpose do; the Cython glue (convx/_plan.pxi)
packs the weights (csrc/plan.h) and holds the lean call path; anything unusual (another layout
or rank, a non-contiguous input, an aliased ``out``) takes ``ConvPlan._slow_call`` here, which
names what differs from the plan or runs the functional call with the plan's weights.
"""
import math

import numpy as np

from convx import _args as A, _plans as P
from convx._core import _PlanCore
from convx._threads import resolve_workers

DATA_FORMATS = A.DATA_FORMATS
ALGORITHMS = ("auto", "direct", "im2col")
TRANSPOSE_ALGORITHMS = ("auto", "subpixel", "direct", "im2col")


def _data_format(data_format):
    """Validate data_format; True for channels-last."""
    if not isinstance(data_format, str) or data_format not in DATA_FORMATS:
        raise ValueError(f"data_format must be one of {DATA_FORMATS}, got "
                         f"data_format={data_format!r}")
    return data_format == "channels_last"


def _layout_args(data_format):
    """The functional calls' layout argument for a plan's data_format (none for the default)."""
    return {} if data_format == "channels_first" else {"data_format": data_format}


def _cf(tail, cl):
    """A channels-last shape tail (*spatial, C) as the channels-first (C, *spatial)."""
    return (tail[-1],) + tuple(tail[:-1]) if cl else tuple(tail)


def _input_shape(input_shape, nd, op, cl=False):
    if not isinstance(input_shape, (tuple, list)):
        raise TypeError(f"input_shape must be a tuple of {nd + 1} or {nd + 2} ints for {op}, got "
                        f"{input_shape!r} ({type(input_shape).__name__})")
    shape = tuple(A._as_int(s, "input_shape") for s in input_shape)
    if len(shape) not in (nd + 1, nd + 2):
        layout = "[N, *spatial, C_in]" if cl else "[N, C_in, *spatial]"
        raise ValueError(f"input_shape must have {nd + 2} entries {layout} (or {nd + 1} "
                         f"for unbatched inputs) for {op}, got input_shape={shape}")
    batched = len(shape) == nd + 2
    if any(s < 1 for s in shape[int(batched):]) or (batched and shape[0] < 0):
        raise ValueError(f"input_shape must have channel and spatial sizes >= 1 and a batch "
                         f">= 0, got input_shape={shape}")
    return shape, batched


class ConvPlan(_PlanCore):
    """A convolution planned once and run many times (made by ``convx.plan_conv*``).

    Calling it, ``plan(input, out=None)``, computes what the functional call with the plan's
    arguments computes, bit for bit. The batch size may differ from ``input_shape``'s on each
    call; any other difference is a ValueError naming it. The plan holds a private copy of the
    weights (and their packed form): later changes to the caller's arrays do not affect it. It
    is never modified by a call, so one plan may be called from several threads at once.

    Parameters
    ----------
    spec : dict
        Internal: what ``convx.plan_conv*`` validated. Make plans with those functions.

    Attributes
    ----------
    input_shape, output_shape : tuple of int
        The shapes planned for (the batch entry is the one given; calls may change it).
    dtype : numpy.dtype
        float32 or float64: the input dtype calls must have, and the result's.
    algorithm : str
        The variant chosen at plan time by convx's selection rule: 'sliding',
        'indirect_gemm', 'shifted_gemm', 'panel_gemm', 'blas_gemm' for convolutions; 'direct'
        or 'im2col' for transposed ones.
    workspace_nbytes : int
        Bytes the plan holds: its weight and bias copies and the packed weights.

    Returns
    -------
    y : ndarray
        (From calling the plan.) The result, as the functional call returns it; ``out`` if
        it was given.

    Raises
    ------
    ValueError
        (From calling the plan.) An input whose channels, spatial size, rank or dtype differ
        from the plan's, or an ``out`` of the wrong shape or dtype.
    TypeError
        (From calling the plan.) An input of a non-numeric dtype, an ``out`` that is not an
        ndarray.

    See Also
    --------
    convx.plan_conv2d : Makes a convolution plan.
    convx.plan_conv_transpose2d : Makes a transposed-convolution plan.

    Examples
    --------
    >>> import numpy as np, convx
    >>> w = np.ones((4, 2, 3, 3), dtype=np.float32)
    >>> plan = convx.plan_conv2d(w, padding=1, input_shape=(1, 2, 5, 5))
    >>> plan(np.ones((3, 2, 5, 5), np.float32)).shape
    (3, 4, 5, 5)
    """

    def __init__(self, spec):
        self.__dict__.update(spec)
        self._setup()

    def _setup(self):
        s = self
        x5, w5, y5, st5, pad5, dil5, groups, algo = s._glue
        self._core_setup(s._nd, int(s._transposed), s._wc.reshape(w5), s._bc, x5, y5, st5,
                         pad5, dil5, groups, algo, s._workers, int(s._fast))
        if s._cl:   # the channels-last drivers (csrc/conv_cl.c): which one runs
            cig = s._wc.shape[0] // groups if s._transposed else s._wc.shape[1]
            cog = s._wc.shape[1] if s._transposed else s._wc.shape[0] // groups
            self.algorithm = ("channels_last_depthwise" if cig == 1 and cog == 1 and
                              s._algorithm_arg != "im2col" else "channels_last_gemm")
        elif s._transposed:
            if s._algorithm_arg == "auto":
                from convx.conv_transpose import choose_algorithm
                a = s._args
                self.algorithm = choose_algorithm(
                    (max(1, x5[0]),) + tuple(s._in_tail), s._wc.shape, a["stride"],
                    a["padding"], a["output_padding"], a["groups"], a["dilation"])
            else:
                self.algorithm = s._algorithm_arg
        else:
            self.algorithm = self._select(max(1, x5[0]))
        self.workspace_nbytes = (s._wc.nbytes + (0 if s._bc is None else s._bc.nbytes)
                                 + self._packed_nbytes)

    def __repr__(self):
        return (f"ConvPlan({self._op}, input_shape={self.input_shape}, "
                f"output_shape={self.output_shape}, dtype={self.dtype.name}, "
                f"algorithm={self.algorithm!r}, workspace_nbytes={self.workspace_nbytes}, "
                + ", ".join(f"{k}={v!r}" for k, v in self._args.items() if k != "algorithm")
                + f", requested={self._algorithm_arg!r})")

    def _slow_call(self, x, out):
        """Every call the Cython fast path does not take: check it against the plan, then run
        the functional call with the plan's weights (same arguments, so the same result)."""
        nd = self._nd
        x = A.as_array(x, "input")
        if x.ndim not in (nd + 1, nd + 2):
            raise ValueError(f"input must be {nd + 2}-D [N, C_in, *spatial] (or {nd + 1}-D "
                             f"unbatched) for this {self._op} plan, got input of shape {x.shape}")
        tail = _cf(x.shape[-(nd + 1):], self._cl)
        want = _cf(self._in_tail, self._cl)
        if tail[0] != want[0]:
            raise ValueError(f"input has {tail[0]} channels, the plan was made for "
                             f"{want[0]} (input_shape={self.input_shape}, "
                             f"{'channels-last' if self._cl else 'channels-first'}); got input "
                             f"of shape {x.shape}")
        if tail[1:] != want[1:]:
            raise ValueError(f"input spatial size {tail[1:]} differs from the plan's "
                             f"{want[1:]} (input_shape={self.input_shape}); got input "
                             f"of shape {x.shape}")
        if x.dtype != self.dtype:
            raise ValueError(f"input dtype {x.dtype.str} differs from the plan's dtype "
                             f"{self.dtype.name} (native byte order); convert the input or make "
                             f"a plan with {x.dtype.name} weights")
        return self._functional(x, self._wc, self._bc, **self._args, workers=self._workers_arg,
                                out=out)


_COMMON_DOC = """
    Returns
    -------
    plan : ConvPlan
        Call it as ``plan(input, out=None)``; see :class:`convx.ConvPlan` for its attributes.

    Raises
    ------
    TypeError
        An argument of the wrong type (as the functional call), or a non-sequence
        ``input_shape``.
    ValueError
        What the functional call rejects for an input of ``input_shape``, an unknown
        ``data_format`` or ``algorithm``. Calls raise ValueError for an input whose channels,
        spatial size, rank or dtype differ from the plan's.
    MemoryError
        The packed weights cannot be allocated.
"""


def _plan_conv(nd, op, weight, bias, stride, padding, dilation, groups, input_shape,
               padding_mode, data_format, algorithm, workers):
    from convx import conv as C
    cl = _data_format(data_format)
    algorithm = A.algorithm_name(algorithm, ALGORITHMS)
    shape, batched = _input_shape(input_shape, nd, op, cl)
    w = A.as_array(weight, "weight")
    dtype = A.compute_dtype(w)
    # private copies in the compute dtype: the caller may change its arrays afterwards
    wc = np.array(w, dtype=dtype, order="C", copy=True)
    bc = None if bias is None else np.array(A.as_array(bias, "bias"), dtype=dtype, order="C",
                                            copy=True)
    tail = shape[-(nd + 1):]
    functional = getattr(C, op)
    args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                padding_mode=padding_mode, algorithm=algorithm, **_layout_args(data_format))
    # every check of the functional call, with its messages, on an empty batch
    y0 = functional(np.empty((0,) + tail, dtype), wc, bc, **args, workers=workers)
    resolve_workers(workers)
    out_tail = y0.shape[1:]
    cf_tail, cf_out = _cf(tail, cl), _cf(out_tail, cl)   # the glue's channels-first shapes
    kernel = wc.shape[2:]
    st = A.int_tuple(stride, nd, "stride", 1)
    dil = A.int_tuple(dilation, nd, "dilation", 1)
    lo, hi = A.conv_padding(padding, nd, kernel, dil, st)
    out_sp = cf_out[1:]
    st = tuple(1 if o == 1 else s_ for o, s_ in zip(out_sp, st))     # as convx.conv does
    dil = tuple(1 if k == 1 else d for k, d in zip(kernel, dil))
    # the compiled fast path reads channels-first only; channels-last calls run the functional
    # call (csrc/conv_cl.c packs per call)
    fast = (padding_mode == "zeros" or not (any(lo) or any(hi))) and not cl
    if algorithm == "im2col" and math.prod(out_sp) >= 2**31 - 1:
        raise ValueError(f"algorithm='im2col' cannot handle more than 2**31-1 output pixels per "
                         f"channel (BLAS uses 32-bit sizes), got output spatial size {out_sp}; "
                         f"use algorithm='direct' or 'auto'")
    N = shape[0] if batched else 1
    glue = P.conv_glue_args((N,) + cf_tail, wc.shape, (N,) + cf_out, st, lo, dil,
                            A.groups_int(groups), algorithm)
    spec = _spec(op, nd, False, functional, shape, batched, out_tail, dtype, wc, bc, glue,
                 workers, fast, args, algorithm, cl)
    return ConvPlan(spec)


def _spec(op, nd, transposed, functional, shape, batched, out_tail, dtype, wc, bc, glue,
          workers, fast, args, algorithm, cl):
    return dict(_cl=cl,
        _op=op, _nd=nd, _transposed=transposed, _functional=functional,
        input_shape=shape, output_shape=((shape[0],) if batched else ()) + tuple(out_tail),
        dtype=np.dtype(dtype), _wc=wc, _bc=bc, _glue=glue, _in_tail=shape[-(nd + 1):],
        _workers=None if workers is None else resolve_workers(workers), _workers_arg=workers,
        _fast=fast, _args=args, _algorithm_arg=algorithm)


def _plan_conv_transpose(nd, op, weight, bias, stride, padding, output_padding, groups,
                         dilation, input_shape, data_format, algorithm, workers):
    from convx import conv_transpose as CT
    from convx import _conv_transpose
    cl = _data_format(data_format)
    algorithm = A.algorithm_name(algorithm, TRANSPOSE_ALGORITHMS)
    shape, batched = _input_shape(input_shape, nd, op, cl)
    w = A.as_array(weight, "weight")
    dtype = A.compute_dtype(w)
    wc = np.array(w, dtype=dtype, order="C", copy=True)
    bc = None if bias is None else np.array(A.as_array(bias, "bias"), dtype=dtype, order="C",
                                            copy=True)
    tail = shape[-(nd + 1):]
    functional = getattr(CT, op)
    args = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                dilation=dilation, algorithm=algorithm, **_layout_args(data_format))
    y0 = functional(np.empty((0,) + tail, dtype), wc, bc, **args, workers=workers)
    out_tail = y0.shape[1:]
    cf_tail, cf_out = _cf(tail, cl), _cf(out_tail, cl)
    if any(o < 1 for o in cf_out[1:]):
        raise ValueError(f"output size {tuple(cf_out[1:])} has an axis < 1 for input_shape="
                         f"{shape}, kernel {wc.shape[2:]}, stride={stride!r}, padding="
                         f"{padding!r}, output_padding={output_padding!r}, dilation="
                         f"{dilation!r}; reduce padding")
    st = A.int_tuple(stride, nd, "stride", 1)
    dil = A.int_tuple(dilation, nd, "dilation", 1)
    pad = A.int_tuple(padding, nd, "padding", 0)
    algo = {"auto": 0, "direct": _conv_transpose.CT_FUSED, "subpixel": _conv_transpose.CT_SUBPIXEL,
            "im2col": _conv_transpose.CT_TWO_PASS}[algorithm]
    N = shape[0] if batched else 1
    glue = P.glue_args((N,) + cf_tail, wc.shape, (N,) + cf_out, st, pad, dil,
                       A.groups_int(groups), algo)
    spec = _spec(op, nd, True, functional, shape, batched, out_tail, dtype, wc, bc, glue,
                 workers, not cl, args, algorithm, cl)
    return ConvPlan(spec)


_DOC = """Plan a {nd}-D convolution once (checks, variant, packed weights); run it many times.

    The plan computes exactly what :func:`convx.{fn}` computes with the same arguments (bit
    for bit) on inputs of ``input_shape`` (any batch size). It copies ``weight`` and ``bias``
    and packs them once: later changes to the caller's arrays do not affect the plan.

    Parameters
    ----------
    weight : array_like, shape [C_out, C_in/groups, {k}]
        The filters (PyTorch's layout). Their dtype sets the plan's: float32 stays float32,
        float16 -> float32, float64 and integers -> float64.
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel.
    stride, padding, dilation, groups
        As for :func:`convx.{fn}`.
    input_shape : tuple of int
        [N, C_in, {sp}] (or unbatched [C_in, {sp}]; channels-last: [N, {sp}, C_in]): the
        inputs the plan will take. Calls may use any batch size N; everything else must match.
    padding_mode : {{'zeros', 'reflect', 'replicate', 'circular'}}
        As for :func:`convx.{fn}` (non-zero modes run through the functional call).
    data_format : {{'channels_first', 'channels_last'}}
        The input and result layout, as for :func:`convx.{fn}`. Channels-last plans run the
        channels-last drivers (their ``algorithm`` is 'channels_last_depthwise' or
        'channels_last_gemm'), which pack the weights on each call.
    algorithm : {{'auto', 'direct', 'im2col'}}
        As for :func:`convx.{fn}`; the plan's ``algorithm`` attribute reports the variant the
        selection rule picked for ``input_shape``.
    workers : int, optional
        Threads per call; None uses :func:`convx.get_num_threads` at call time.
{common}
    See Also
    --------
    convx.{fn} : The functional form (same arguments and result).
    convx.ConvPlan : The plan object.

    Examples
    --------
    >>> import numpy as np, convx
    >>> w = np.ones({wshape}, dtype=np.float32)
    >>> plan = convx.plan_{fn}(w, padding=1, input_shape={xshape})
    >>> plan.output_shape, plan.dtype
    ({oshape}, dtype('float32'))
    >>> x = np.ones({xshape}, dtype=np.float32)
    >>> bool(np.array_equal(plan(x), convx.{fn}(x, w, padding=1)))
    True
    """

_DOC_T = """Plan a {nd}-D transposed convolution once (checks, weight copy); run it many times.

    The plan computes exactly what :func:`convx.{fn}` computes with the same arguments (bit
    for bit) on inputs of ``input_shape`` (any batch size). It copies ``weight`` and ``bias``:
    later changes to the caller's arrays do not affect the plan.

    Parameters
    ----------
    weight : array_like, shape [C_in, C_out/groups, {k}]
        The filters (PyTorch's transposed layout).
    bias : array_like, shape [C_out], optional
        Added to every output position of each output channel.
    stride, padding, output_padding, groups, dilation
        As for :func:`convx.{fn}`.
    input_shape : tuple of int
        [N, C_in, {sp}] (or unbatched [C_in, {sp}]; channels-last: [N, {sp}, C_in]): the
        inputs the plan will take. Calls may use any batch size N; everything else must match.
    data_format : {{'channels_first', 'channels_last'}}
        The input and result layout, as for :func:`convx.{fn}`. Channels-last plans run the
        channels-last drivers (their ``algorithm`` is 'channels_last_depthwise' or
        'channels_last_gemm'), which pack the weights on each call.
    algorithm : {{'auto', 'direct', 'im2col'}}
        As for :func:`convx.{fn}`.
    workers : int, optional
        Threads per call; None uses :func:`convx.get_num_threads` at call time.
{common}
    See Also
    --------
    convx.{fn} : The functional form (same arguments and result).
    convx.ConvPlan : The plan object.

    Examples
    --------
    >>> import numpy as np, convx
    >>> w = np.ones({wshape}, dtype=np.float32)
    >>> plan = convx.plan_{fn}(w, stride=2, input_shape={xshape})
    >>> plan.output_shape
    {oshape}
    >>> x = np.ones({xshape}, dtype=np.float32)
    >>> bool(np.array_equal(plan(x), convx.{fn}(x, w, stride=2)))
    True
    """


def plan_conv1d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, input_shape,
                padding_mode="zeros", data_format="channels_first", algorithm="auto",
                workers=None):
    return _plan_conv(1, "conv1d", weight, bias, stride, padding, dilation, groups, input_shape,
                      padding_mode, data_format, algorithm, workers)


def plan_conv2d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, input_shape,
                padding_mode="zeros", data_format="channels_first", algorithm="auto",
                workers=None):
    return _plan_conv(2, "conv2d", weight, bias, stride, padding, dilation, groups, input_shape,
                      padding_mode, data_format, algorithm, workers)


def plan_conv3d(weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *, input_shape,
                padding_mode="zeros", data_format="channels_first", algorithm="auto",
                workers=None):
    return _plan_conv(3, "conv3d", weight, bias, stride, padding, dilation, groups, input_shape,
                      padding_mode, data_format, algorithm, workers)


def plan_conv_transpose1d(weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                          dilation=1, *, input_shape, data_format="channels_first",
                          algorithm="auto", workers=None):
    return _plan_conv_transpose(1, "conv_transpose1d", weight, bias, stride, padding,
                                output_padding, groups, dilation, input_shape, data_format,
                                algorithm, workers)


def plan_conv_transpose2d(weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                          dilation=1, *, input_shape, data_format="channels_first",
                          algorithm="auto", workers=None):
    return _plan_conv_transpose(2, "conv_transpose2d", weight, bias, stride, padding,
                                output_padding, groups, dilation, input_shape, data_format,
                                algorithm, workers)


def plan_conv_transpose3d(weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                          dilation=1, *, input_shape, data_format="channels_first",
                          algorithm="auto", workers=None):
    return _plan_conv_transpose(3, "conv_transpose3d", weight, bias, stride, padding,
                                output_padding, groups, dilation, input_shape, data_format,
                                algorithm, workers)


_C = dict(common=_COMMON_DOC)
plan_conv1d.__doc__ = _DOC.format(nd=1, fn="conv1d", k="k", sp="L", wshape="(4, 2, 3)",
                                  xshape="(1, 2, 5)", oshape="(1, 4, 5)", **_C)
plan_conv2d.__doc__ = _DOC.format(nd=2, fn="conv2d", k="kH, kW", sp="H, W",
                                  wshape="(4, 2, 3, 3)", xshape="(1, 2, 5, 5)",
                                  oshape="(1, 4, 5, 5)", **_C)
plan_conv3d.__doc__ = _DOC.format(nd=3, fn="conv3d", k="kD, kH, kW", sp="D, H, W",
                                  wshape="(4, 2, 3, 3, 3)", xshape="(1, 2, 5, 5, 5)",
                                  oshape="(1, 4, 5, 5, 5)", **_C)
plan_conv_transpose1d.__doc__ = _DOC_T.format(nd=1, fn="conv_transpose1d", k="k", sp="L",
                                              wshape="(2, 4, 3)", xshape="(1, 2, 5)",
                                              oshape="(1, 4, 11)", **_C)
plan_conv_transpose2d.__doc__ = _DOC_T.format(nd=2, fn="conv_transpose2d", k="kH, kW",
                                              sp="H, W", wshape="(2, 4, 3, 3)",
                                              xshape="(1, 2, 5, 5)", oshape="(1, 4, 11, 11)",
                                              **_C)
plan_conv_transpose3d.__doc__ = _DOC_T.format(nd=3, fn="conv_transpose3d", k="kD, kH, kW",
                                              sp="D, H, W", wshape="(2, 4, 3, 3, 3)",
                                              xshape="(1, 2, 5, 5, 5)",
                                              oshape="(1, 4, 11, 11, 11)", **_C)
