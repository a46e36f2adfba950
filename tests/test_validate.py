"""Argument validation of conv1d / conv2d / conv3d.

Every bad argument raises ValueError (bad value) or TypeError (bad type) whose
message names the argument (CONTRACT.md, "Errors"), before any work is done; an
output too large to allocate raises MemoryError or ValueError, never crashes.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from _helpers import assert_conv_close, conv_op, reduction_length, reference_op, subprocess_env


def _problem(ndim, cin=4, cout=6, groups=2, size=8, k=3, n=2):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((n, cin) + (size,) * ndim).astype(np.float32)
    w = rng.standard_normal((cout, cin // groups) + (k,) * ndim).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    return dict(input=x, weight=w, bias=b, groups=groups)


def _call(ndim, **args):
    args = dict(args)
    x, w = args.pop("input"), args.pop("weight")
    return conv_op(ndim)(x, w, **args)


def _x(ndim, shape_fn):
    """An input built from the base problem's input by shape_fn(shape)."""
    return np.zeros(shape_fn((2, 4) + (8,) * ndim), np.float32)


# Each case: (id, ndims it applies to, changes to the base problem, exception(s), match)
# A change value may be a callable of ndim.
V, T = ValueError, TypeError
CASES = [
    # input / weight rank
    ("input_rank_low", (1, 2, 3), dict(input=lambda nd: _x(nd, lambda s: s[2:])), V, "input"),
    ("input_rank_high", (1, 2, 3), dict(input=lambda nd: _x(nd, lambda s: (1,) + s)), V, "input"),
    ("input_scalar", (1, 2, 3), dict(input=np.float32(1.0)), V, "input"),
    ("weight_rank_low", (1, 2, 3),
     dict(weight=lambda nd: np.zeros((6, 2) + (3,) * (nd - 1), np.float32)), V, "weight"),
    ("weight_rank_high", (1, 2, 3),
     dict(weight=lambda nd: np.zeros((6, 2) + (3,) * (nd + 1), np.float32)), V, "weight"),
    ("input_zero_spatial", (1, 2, 3),
     dict(input=lambda nd: _x(nd, lambda s: s[:2] + (0,) + s[3:]), padding=2), V, "input"),
    # channels and groups
    ("channels_mismatch", (1, 2, 3), dict(input=lambda nd: _x(nd, lambda s: (2, 6) + s[2:])),
     V, "input|weight"),
    ("channels_mismatch_groups1", (1, 2, 3), dict(groups=1), V, "input|weight|groups"),
    ("groups_zero", (1, 2, 3), dict(groups=0), V, "groups"),
    ("groups_negative", (1, 2, 3), dict(groups=-2), V, "groups"),
    ("groups_float", (1, 2, 3), dict(groups=2.0), T, "groups"),
    ("groups_str", (1, 2, 3), dict(groups="2"), T, "groups"),
    ("groups_none", (1, 2, 3), dict(groups=None), T, "groups"),
    # C_out = 6 is not a multiple of groups = 4 (C_in = 8 = 2 * 4 fits)
    ("groups_not_dividing_cout", (1, 2, 3),
     dict(input=lambda nd: _x(nd, lambda s: (2, 8) + s[2:]), groups=4), V, "groups"),
    # C_in = 6 is not a multiple of groups = 4 (weight [8, 1, ...]: C_out fits)
    ("groups_not_dividing_cin", (1, 2, 3),
     dict(input=lambda nd: _x(nd, lambda s: (2, 6) + s[2:]),
          weight=lambda nd: np.zeros((8, 1) + (3,) * nd, np.float32), groups=4), V, "groups"),
    # stride / dilation
    ("stride_zero", (1, 2, 3), dict(stride=0), V, "stride"),
    ("stride_negative", (1, 2, 3), dict(stride=-1), V, "stride"),
    ("stride_tuple_zero", (2, 3), dict(stride=lambda nd: (1,) * (nd - 1) + (0,)), V, "stride"),
    ("stride_tuple_short", (2, 3), dict(stride=lambda nd: (1,) * (nd - 1)), V, "stride"),
    ("stride_tuple_long", (1, 2, 3), dict(stride=lambda nd: (1,) * (nd + 1)), V, "stride"),
    ("stride_float", (1, 2, 3), dict(stride=1.5), T, "stride"),
    ("stride_float_in_tuple", (2, 3), dict(stride=lambda nd: (1,) * (nd - 1) + (1.0,)), T, "stride"),
    ("stride_str", (1, 2, 3), dict(stride="1"), T, "stride"),
    ("stride_none", (1, 2, 3), dict(stride=None), T, "stride"),
    ("dilation_zero", (1, 2, 3), dict(dilation=0), V, "dilation"),
    ("dilation_negative", (1, 2, 3), dict(dilation=-2), V, "dilation"),
    ("dilation_tuple_zero", (2, 3), dict(dilation=lambda nd: (0,) + (1,) * (nd - 1)), V, "dilation"),
    ("dilation_tuple_short", (2, 3), dict(dilation=lambda nd: (2,) * (nd - 1)), V, "dilation"),
    ("dilation_tuple_long", (1, 2, 3), dict(dilation=lambda nd: (1,) * (nd + 1)), V, "dilation"),
    ("dilation_float", (1, 2, 3), dict(dilation=2.0), T, "dilation"),
    ("dilation_str", (1, 2, 3), dict(dilation="2"), T, "dilation"),
    # padding
    ("padding_negative", (1, 2, 3), dict(padding=-1), V, "padding"),
    ("padding_tuple_negative", (2, 3), dict(padding=lambda nd: (1,) * (nd - 1) + (-1,)), V, "padding"),
    ("padding_tuple_short", (2, 3), dict(padding=lambda nd: (1,) * (nd - 1)), V, "padding"),
    ("padding_tuple_long", (1, 2, 3), dict(padding=lambda nd: (1,) * (nd + 1)), V, "padding"),
    ("padding_float", (1, 2, 3), dict(padding=1.5), T, "padding"),
    ("padding_none", (1, 2, 3), dict(padding=None), T, "padding"),
    ("padding_unknown_string", (1, 2, 3), dict(padding="full"), V, "padding"),
    ("padding_string_case", (1, 2, 3), dict(padding="SAME"), V, "padding"),
    ("same_with_stride", (1, 2, 3), dict(padding="same", stride=2), V, "padding|stride"),
    ("same_with_tuple_stride", (2, 3),
     dict(padding="same", stride=lambda nd: (1,) * (nd - 1) + (2,)), V, "padding|stride"),
    # padding_mode
    ("padding_mode_unknown", (1, 2, 3), dict(padding_mode="mirror", padding=1), V, "padding_mode"),
    ("padding_mode_case", (1, 2, 3), dict(padding_mode="Reflect", padding=1), V, "padding_mode"),
    ("padding_mode_none", (1, 2, 3), dict(padding_mode=None), (V, T), "padding_mode"),
    ("padding_mode_int", (1, 2, 3), dict(padding_mode=0), (V, T), "padding_mode"),
    ("reflect_pad_eq_size", (1, 2, 3), dict(padding=8, padding_mode="reflect"), V, "padding"),
    ("reflect_pad_gt_size", (2, 3),
     dict(padding=lambda nd: (1,) * (nd - 1) + (9,), padding_mode="reflect"), V, "padding"),
    ("reflect_same_pad_eq_size", (1, 2, 3),
     dict(input=lambda nd: _x(nd, lambda s: s[:2] + (3,) * nd),
          weight=lambda nd: np.zeros((6, 2) + (7,) * nd, np.float32),
          padding="same", padding_mode="reflect"), V, "padding"),
    ("circular_pad_gt_size", (1, 2, 3), dict(padding=9, padding_mode="circular"), V, "padding"),
    # the pad-size check comes before any allocation for the padded input or output
    ("reflect_pad_huge", (1, 2, 3), dict(padding=2**40, padding_mode="reflect"), V, "padding"),
    ("circular_pad_huge", (1, 2, 3), dict(padding=2**40, padding_mode="circular"), V, "padding"),
    ("circular_pad_gt_size_tuple", (2, 3),
     dict(padding=lambda nd: (9,) + (1,) * (nd - 1), padding_mode="circular"), V, "padding"),
    # kernel does not fit the padded input (torch: "Kernel size can't be greater than
    # actual input size"); which argument is named is the library's choice
    ("kernel_gt_input", (1, 2, 3), dict(weight=lambda nd: np.zeros((6, 2) + (9,) * nd, np.float32)),
     V, "input|weight|kernel"),
    ("kernel_gt_padded_input", (1, 2, 3),
     dict(weight=lambda nd: np.zeros((6, 2) + (11,) * nd, np.float32), padding=1),
     V, "input|weight|kernel|padding"),
    ("dilated_kernel_gt_input", (1, 2, 3), dict(dilation=4), V, "input|weight|kernel|dilation"),
    # bias
    ("bias_short", (1, 2, 3), dict(bias=np.zeros(5, np.float32)), V, "bias"),
    ("bias_long", (1, 2, 3), dict(bias=np.zeros(7, np.float32)), V, "bias"),
    ("bias_2d", (1, 2, 3), dict(bias=np.zeros((6, 1), np.float32)), V, "bias"),
    ("bias_scalar", (1, 2, 3), dict(bias=np.float32(1.0)), V, "bias"),
    ("bias_str", (1, 2, 3), dict(bias="bias"), T, "bias"),
    # algorithm / workers
    ("algorithm_unknown", (1, 2, 3), dict(algorithm="fft"), V, "algorithm"),
    ("algorithm_case", (1, 2, 3), dict(algorithm="Direct"), V, "algorithm"),
    ("algorithm_none", (1, 2, 3), dict(algorithm=None), (V, T), "algorithm"),
    ("algorithm_int", (1, 2, 3), dict(algorithm=1), (V, T), "algorithm"),
    ("workers_zero", (1, 2, 3), dict(workers=0), V, "workers"),
    ("workers_minus2", (1, 2, 3), dict(workers=-2), V, "workers"),
    ("workers_float", (1, 2, 3), dict(workers=1.5), T, "workers"),
    ("workers_str", (1, 2, 3), dict(workers="x"), T, "workers"),
    # input / weight not numeric
    ("input_none", (1, 2, 3), dict(input=None), T, "input"),
    ("weight_none", (1, 2, 3), dict(weight=None), T, "weight"),
    ("input_ragged", (1,), dict(input=[[[1.0, 2.0], [3.0]]]), (V, T), "input"),
]


def _params(ndim):
    return [pytest.param(changes, exc, match, id=name)
            for name, ndims, changes, exc, match in CASES if ndim in ndims]


def _run_case(ndim, changes, exc, match):
    args = _problem(ndim)
    for key, val in changes.items():
        args[key] = val(ndim) if callable(val) else val
    with pytest.raises(exc, match=match):
        _call(ndim, **args)


@pytest.mark.parametrize("changes, exc, match", _params(1))
def test_conv1d_rejects(changes, exc, match):
    _run_case(1, changes, exc, match)


@pytest.mark.parametrize("changes, exc, match", _params(2))
def test_conv2d_rejects(changes, exc, match):
    _run_case(2, changes, exc, match)


@pytest.mark.parametrize("changes, exc, match", _params(3))
def test_conv3d_rejects(changes, exc, match):
    _run_case(3, changes, exc, match)


# The limits themselves are accepted (and correct): reflect pad = size-1, circular pad = size,
# kernel = padded input, stride/dilation/padding as NumPy integers, workers -1 / None / n.
ACCEPTED = [
    ("reflect_pad_size_minus_1", dict(padding=7, padding_mode="reflect")),
    ("circular_pad_eq_size", dict(padding=8, padding_mode="circular")),
    ("replicate_pad_gt_size", dict(padding=9, padding_mode="replicate")),
    ("kernel_eq_padded_input", dict(padding=1, weight=np.random.default_rng(6).standard_normal(
        (6, 2, 10, 10, 10)).astype(np.float32))),
    ("workers_minus1", dict(workers=-1)),
    ("workers_none", dict(workers=None)),
    ("workers_3", dict(workers=3)),
    ("numpy_ints", dict(stride=np.int64(2), padding=np.int32(1), dilation=np.uint8(1),
                        groups=np.int16(2), workers=np.int64(1))),
    ("list_params", dict(stride=[1, 2, 1], padding=[1, 0, 2], dilation=[1, 1, 2])),
]


@pytest.mark.parametrize("changes", [pytest.param(c, id=n) for n, c in ACCEPTED])
def test_conv3d_accepts_limits(changes):
    args = _problem(3)
    args.update(changes)
    got = _call(3, **args)
    ref_args = {key: val for key, val in args.items() if key not in ("input", "weight", "workers")}
    for key in ("stride", "padding", "dilation"):
        if isinstance(ref_args.get(key), list):
            ref_args[key] = tuple(ref_args[key])
    ref_args = {key: (int(val) if isinstance(val, np.integer) else val)
                for key, val in ref_args.items()}
    expected = reference_op(3)(args["input"], args["weight"], **ref_args)
    assert_conv_close(got, expected, np.float32, reduction_length(args["weight"].shape))


# --------------------------------------------------------------------------------------
# Outputs that cannot be allocated. Inputs are stride-0 broadcast views (no memory used);
# every size below is far beyond RAM + address space, so allocation fails at once.

HUGE_CASES = ["conv1d_huge_input", "conv1d_huge_cout", "conv2d_huge_padding",
              "conv3d_huge_padding", "conv1d_padding_overflows_int64", "conv2d_huge_spatial_view"]


def _huge_cases():
    one = np.ones((), np.float32)
    return {
        # 2**40-element input view (and output)
        "conv1d_huge_input": (1, np.broadcast_to(one, (2**20, 1, 2**20)),
                              np.ones((1, 1, 1), np.float32), {}),
        # 2**42 output channels
        "conv1d_huge_cout": (1, np.ones((1, 1, 4), np.float32),
                             np.broadcast_to(one, (2**42, 1, 1)), {}),
        # padding makes the output 2**64+ elements: size arithmetic must not wrap
        "conv2d_huge_padding": (2, np.ones((1, 1, 1, 1), np.float32),
                                np.ones((1, 1, 1, 1), np.float32), dict(padding=2**31)),
        "conv3d_huge_padding": (3, np.ones((1, 1, 1, 1, 1), np.float32),
                                np.ones((1, 1, 1, 1, 1), np.float32), dict(padding=2**22)),
        # in + 2*pad overflows int64
        "conv1d_padding_overflows_int64": (1, np.ones((1, 1, 1), np.float32),
                                           np.ones((1, 1, 1), np.float32), dict(padding=2**62)),
        "conv2d_huge_spatial_view": (2, np.broadcast_to(one, (1, 1, 2**30, 2**30)),
                                     np.ones((1, 1, 1, 1), np.float32), {}),
    }


@pytest.mark.parametrize("name", HUGE_CASES)
def test_conv_unallocatable_output_raises(name):
    ndim, x, w, kwargs = _huge_cases()[name]
    assert name.startswith(f"conv{ndim}d")
    with pytest.raises((MemoryError, ValueError)):
        conv_op(ndim)(x, w, **kwargs)


# Huge but meaningful integers: the answer is tiny and known, so the library must give it
# or refuse with a ValueError naming the argument -- never wrap around, report a bogus
# MemoryError or crash. Each case runs in a subprocess so a crash is a failure, not the
# end of the test run. x = [1, 2, 3, 4, 5], weight = [1.0].
HUGE_PARAMS = [
    # (kwargs, expected output, argument a ValueError must name)
    ("stride=2**32", [1.0], "stride"),
    ("stride=2**63 - 1", [1.0], "stride"),
    ("stride=2**64", [1.0], "stride"),
    ("dilation=2**64", [1.0, 2.0, 3.0, 4.0, 5.0], "dilation"),
    ("workers=2**40", [1.0, 2.0, 3.0, 4.0, 5.0], "workers"),
    # padded length 2**62 + 5; outputs at padded 0 and 2**62, both in the zero padding
    ("padding=2**61, stride=2**62", [0.0, 0.0], "padding|stride"),
]


@pytest.mark.parametrize("algorithm", ["direct", "im2col"])
@pytest.mark.parametrize("kwargs, expected, name", HUGE_PARAMS, ids=[c[0] for c in HUGE_PARAMS])
def test_conv1d_huge_parameters(kwargs, expected, name, algorithm):
    code = textwrap.dedent(f"""
        import re, numpy as np, convx
        x = np.arange(1.0, 6.0).reshape(1, 1, 5)
        try:
            y = convx.conv1d(x, np.ones((1, 1, 1)), {kwargs}, algorithm={algorithm!r})
        except ValueError as exc:
            print("ValueError", bool(re.search({name!r}, str(exc))))
        else:
            print("result", y.ravel().tolist())
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=subprocess_env())
    how = f"killed by signal {-proc.returncode}" if proc.returncode < 0 else f"exit {proc.returncode}"
    assert proc.returncode == 0, f"conv1d({kwargs}, algorithm={algorithm!r}): {how}\n{proc.stderr[-2000:]}"
    out = proc.stdout.split(None, 1)
    if out[0] == "ValueError":
        assert out[1].strip() == "True", f"ValueError does not name {name}"
    else:
        assert out[1].strip() == str(expected)


# ---- the bias never changes the result dtype (conv_transpose used to widen it) ----

def _bias_calls(xdt, bdt):
    import convx
    r = np.random.default_rng(11)

    def a(*shape, dt=xdt):
        return r.standard_normal(shape).astype(dt)
    yield "conv1d", lambda: convx.conv1d(a(1, 2, 6), a(3, 2, 3), a(3, dt=bdt))
    yield "conv2d", lambda: convx.conv2d(a(1, 2, 6, 6), a(3, 2, 3, 3), a(3, dt=bdt))
    yield "conv3d", lambda: convx.conv3d(a(1, 2, 4, 4, 4), a(3, 2, 3, 3, 3), a(3, dt=bdt))
    for nd in (1, 2, 3):
        yield f"conv_transpose{nd}d", lambda nd=nd: getattr(convx, f"conv_transpose{nd}d")(
            a(1, 2, *(4,) * nd), a(2, 3, *(3,) * nd), a(3, dt=bdt), stride=2)
    yield "conv_transpose2d-reference", lambda: convx.conv_transpose2d(
        a(1, 2, 4, 4), a(2, 3, 3, 3), a(3, dt=bdt), algorithm="reference")
    yield "deform_conv2d", lambda: convx.deform_conv2d(
        a(1, 2, 5, 5), a(1, 18, 3, 3), a(3, 2, 3, 3), a(3, dt=bdt), mask=a(1, 9, 3, 3, dt=bdt))
    for nd in (1, 2, 3):
        yield f"depthwise_separable_conv{nd}d", lambda nd=nd: getattr(
            convx, f"depthwise_separable_conv{nd}d")(
            a(1, 2, *(5,) * nd), a(4, 1, *(3,) * nd), a(3, 4, *(1,) * nd), a(4, dt=bdt),
            a(3, dt=bdt))
    yield "spatially_separable_conv2d", lambda: convx.spatially_separable_conv2d(
        a(1, 2, 6, 6), a(3, 2, 3, 1), a(4, 3, 1, 3), a(4, dt=bdt))


@pytest.mark.parametrize("xdt,bdt,want", [(np.float32, np.float64, np.float32),
                                          (np.float16, np.float64, np.float32),
                                          (np.float64, np.float32, np.float64),
                                          (np.float32, np.int64, np.float32)])
def test_bias_dtype_never_widens_the_result(xdt, bdt, want):
    for name, call in _bias_calls(xdt, bdt):
        assert call().dtype == want, name
