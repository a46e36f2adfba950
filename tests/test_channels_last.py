"""data_format="channels_last" (issue 14): every operation that takes it agrees with its
channels-first form (and the oracle) on randomized configurations (hypothesis) and on the real
network shapes of tests/data, for unbatched inputs and non-contiguous channels-last views; the
result is bit-identical for any `workers`; plans are bit-identical to the functional call;
inputs are never modified; bad layouts are clear errors.

Channels-last is computed by csrc/conv_cl.c (forward and transposed, depthwise kernels
vectorised over channels, GEMMs over pixels) and by deform's channels-last sampler; these tests
compare against the channels-first drivers, which are themselves tested against the oracle.
"""
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from _helpers import (DATA_DIR, assert_conv_close, load_conv_shapes_sample, record_id,
                      record_problem, reduction_length)

CL = "channels_last"


def to_cl(a):
    """[N, C, *sp] -> a C-contiguous [N, *sp, C] copy."""
    return np.ascontiguousarray(np.moveaxis(a, 1, -1))


def to_cf(a):
    return np.moveaxis(a, -1, 1)


def _data(seed, x_shape, w_shape, n_bias, dtype):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(n_bias).astype(dtype)
    return x, w, b


def _check_forward(nd, x, w, b, kw, algorithm, dtype):
    f = getattr(convx, f"conv{nd}d")
    ref = f(x, w, b, **kw)
    xl = to_cl(x)
    keep = xl.copy()
    got = f(xl, w, b, data_format=CL, algorithm=algorithm, **kw)
    np.testing.assert_array_equal(xl, keep)      # the caller's input is not modified
    assert got.flags.c_contiguous
    assert_conv_close(to_cf(got), ref, dtype, reduction_length(w.shape))
    got2 = f(xl, w, b, data_format=CL, algorithm=algorithm, workers=2, **kw)
    got1 = f(xl, w, b, data_format=CL, algorithm=algorithm, workers=1, **kw)
    np.testing.assert_array_equal(got1, got2)
    np.testing.assert_array_equal(got1, got)


@st.composite
def forward_configs(draw):
    nd = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["dense", "grouped", "depthwise", "depthwise_m2", "pointwise"]))
    g = {"dense": 1, "pointwise": 1, "grouped": draw(st.integers(2, 3))}.get(kind, 0)
    if kind.startswith("depthwise"):
        c = draw(st.integers(1, 40))
        g, cin, cout = c, c, c * (2 if kind == "depthwise_m2" else 1)
    else:
        cin = g * draw(st.integers(1, 6))
        cout = g * draw(st.integers(1, 7))
    k = tuple(1 if kind == "pointwise" else draw(st.integers(1, 4)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    p = tuple(draw(st.integers(0, 3)) for _ in range(nd))
    sp = tuple(max(draw(st.integers(1, 9 if nd < 3 else 6)), d[a] * (k[a] - 1) + 1 - 2 * p[a])
               for a in range(nd))
    return dict(nd=nd, N=draw(st.integers(1, 2)), cin=cin, cout=cout, g=g, k=k, s=s, d=d, p=p,
                sp=sp, mode=draw(st.sampled_from(["zeros", "zeros", "reflect", "circular"])),
                algorithm=draw(st.sampled_from(["auto", "im2col"])),
                seed=draw(st.integers(0, 2**16)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=forward_configs(), f64=st.booleans())
def test_conv_channels_last_hypothesis(cfg, f64):
    dtype = np.float64 if f64 else np.float32
    c = cfg
    if c["mode"] != "zeros" and any(p >= s_ for p, s_ in zip(c["p"], c["sp"])):
        c = dict(c, mode="zeros")     # reflect/circular padding must be smaller than the input
    x, w, b = _data(c["seed"], (c["N"], c["cin"], *c["sp"]),
                    (c["cout"], c["cin"] // c["g"], *c["k"]), c["cout"], dtype)
    kw = dict(stride=c["s"], padding=c["p"], dilation=c["d"], groups=c["g"],
              padding_mode=c["mode"])
    _check_forward(c["nd"], x, w, b, kw, c["algorithm"], dtype)


@st.composite
def transpose_configs(draw):
    nd = draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["dense", "grouped", "depthwise"]))
    if kind == "depthwise":
        c = draw(st.integers(1, 33))
        g, cin, cout = c, c, c
    else:
        g = 1 if kind == "dense" else draw(st.integers(2, 3))
        cin, cout = g * draw(st.integers(1, 5)), g * draw(st.integers(1, 5))
    k = tuple(draw(st.integers(1, 5)) for _ in range(nd))
    s = tuple(draw(st.integers(1, 4)) for _ in range(nd))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    sp = tuple(draw(st.integers(1, 6 if nd < 3 else 4)) for _ in range(nd))
    p = tuple(draw(st.integers(0, 2)) for _ in range(nd))
    op = tuple(draw(st.integers(0, max(s[a], d[a]) - 1)) for a in range(nd))
    return dict(nd=nd, N=draw(st.integers(1, 2)), cin=cin, cout=cout, g=g, k=k, s=s, d=d, p=p,
                op=op, sp=sp, algorithm=draw(st.sampled_from(["auto", "im2col"])),
                seed=draw(st.integers(0, 2**16)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cfg=transpose_configs(), f64=st.booleans())
def test_conv_transpose_channels_last_hypothesis(cfg, f64):
    dtype = np.float64 if f64 else np.float32
    c = cfg
    f = getattr(convx, f"conv_transpose{c['nd']}d")
    x, w, b = _data(c["seed"], (c["N"], c["cin"], *c["sp"]),
                    (c["cin"], c["cout"] // c["g"], *c["k"]), c["cout"], dtype)
    kw = dict(stride=c["s"], padding=c["p"], output_padding=c["op"], groups=c["g"],
              dilation=c["d"])
    try:
        ref = f(x, w, b, **kw)
    except ValueError:   # an empty output (padding too large): the same error channels-last
        with pytest.raises(ValueError):
            f(to_cl(x), w, b, data_format=CL, **kw)
        return
    xl = to_cl(x)
    got = f(xl, w, b, data_format=CL, algorithm=c["algorithm"], **kw)
    k = np.prod(c["k"]) * (c["cin"] // c["g"])
    assert_conv_close(to_cf(got), ref, dtype, k)
    np.testing.assert_array_equal(
        got, f(xl, w, b, data_format=CL, algorithm=c["algorithm"], workers=1, **kw))


# ---- real network shapes (tests/data, see its README) -------------------------------------

SAMPLE = load_conv_shapes_sample()


@pytest.mark.parametrize("index", [pytest.param(i, id=record_id(r)) for i, r in enumerate(SAMPLE)])
def test_conv_channels_last_real_shapes(index, dtype):
    rec = SAMPLE[index]
    x_shape, w_shape, kw = record_problem(rec)
    x, w, b = _data(3000 + index, x_shape, w_shape, w_shape[0], dtype)
    nd = rec["ndim"]
    expected = getattr(convx.reference, f"conv{nd}d")(x, w, b, **kw)
    got = getattr(convx, f"conv{nd}d")(to_cl(x), w, b, data_format=CL, **kw)
    assert got.shape == (rec["mb"], *rec["out"], rec["oc"])
    assert_conv_close(to_cf(got), expected, dtype, reduction_length(w_shape),
                      err_msg=record_id(rec))


with open(os.path.join(DATA_DIR, "deconv_shapes_sample.jsonl")) as _f:
    DECONV = [json.loads(line) for line in _f if line.strip()]


@pytest.mark.parametrize("index", [pytest.param(i, id=record_id(r)) for i, r in enumerate(DECONV)])
def test_conv_transpose_channels_last_real_shapes(index):
    rec = DECONV[index]
    nd, g = rec["ndim"], rec["groups"]
    x, w, b = _data(4000 + index, (rec["mb"], rec["ic"], *rec["in"]),
                    (rec["ic"], rec["oc"] // g, *rec["k"]), rec["oc"], np.float32)
    kw = dict(stride=tuple(rec["stride"]), padding=tuple(rec["pad"]),
              output_padding=tuple(rec["output_padding"]), groups=g,
              dilation=tuple(rec["dilation"]))
    f = getattr(convx, f"conv_transpose{nd}d")
    expected = f(x, w, b, **kw)
    got = f(to_cl(x), w, b, data_format=CL, **kw)
    assert_conv_close(to_cf(got), expected, np.float32, np.prod(rec["k"]) * rec["ic"] // g,
                      err_msg=record_id(rec))


# ---- layouts: unbatched, non-contiguous views, out= ----------------------------------------

def test_unbatched_and_views():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 8, 9, 10)).astype(np.float32)       # channels-first
    w = rng.standard_normal((6, 8, 3, 3)).astype(np.float32)
    ref = convx.conv2d(x, w, padding=1)
    view = np.moveaxis(x, 1, -1)              # channels-last view of channels-first memory
    assert not view.flags.c_contiguous
    np.testing.assert_allclose(to_cf(convx.conv2d(view, w, padding=1, data_format=CL)), ref,
                               rtol=1e-5, atol=1e-5)
    big = to_cl(rng.standard_normal((2, 16, 9, 20)).astype(np.float32))
    sub = big[:, :, ::2, ::2]                 # strided pixels and every other channel
    np.testing.assert_allclose(
        to_cf(convx.conv2d(sub, w, padding=1, data_format=CL)),
        convx.conv2d(np.ascontiguousarray(to_cf(sub)), w, padding=1), rtol=1e-5, atol=1e-5)
    one = convx.conv2d(to_cl(x)[0], w, padding=1, data_format=CL)
    assert one.shape == (9, 10, 6)
    np.testing.assert_array_equal(one, convx.conv2d(to_cl(x), w, padding=1, data_format=CL)[0])
    wt = rng.standard_normal((8, 3, 4, 4)).astype(np.float32)
    t1 = convx.conv_transpose2d(to_cl(x)[1], wt, stride=2, padding=1, data_format=CL)
    np.testing.assert_allclose(t1, np.moveaxis(convx.conv_transpose2d(x[1], wt, stride=2,
                                                                      padding=1), 0, -1),
                               rtol=1e-5, atol=1e-5)


def test_out_and_aliasing():
    rng = np.random.default_rng(6)
    x = to_cl(rng.standard_normal((1, 4, 7, 7)))
    w = rng.standard_normal((4, 1, 3, 3))
    ref = convx.conv2d(x, w, padding=1, groups=4, data_format=CL)
    out = np.empty((1, 7, 7, 4))
    assert convx.conv2d(x, w, padding=1, groups=4, data_format=CL, out=out) is out
    np.testing.assert_array_equal(out, ref)
    xx = x.copy()     # out aliasing the input: computed through a temporary
    convx.conv2d(xx, w, padding=1, groups=4, data_format=CL, out=xx)
    np.testing.assert_array_equal(xx, ref)
    with pytest.raises(ValueError, match=r"out must have shape \(1, 7, 7, 4\)"):
        convx.conv2d(x, w, padding=1, groups=4, data_format=CL, out=np.empty((1, 4, 7, 7)))


def test_empty_and_zero_channel_results():
    w = np.ones((3, 2, 3, 3), np.float32)
    y = convx.conv2d(np.ones((0, 5, 5, 2), np.float32), w, data_format=CL)
    assert y.shape == (0, 3, 3, 3)
    y = convx.conv_transpose2d(np.ones((0, 5, 5, 3), np.float32), np.ones((3, 2, 2, 2)),
                               stride=2, data_format=CL)
    assert y.shape == (0, 10, 10, 2)


def test_data_format_errors():
    x = np.ones((1, 5, 5, 2), np.float32)
    w = np.ones((3, 2, 3, 3), np.float32)
    with pytest.raises(ValueError, match="data_format must be 'channels_first' or "
                                         "'channels_last', got data_format='NHWC'"):
        convx.conv2d(x, w, data_format="NHWC")
    with pytest.raises(TypeError, match="data_format must be"):
        convx.conv2d(x, w, data_format=None)
    with pytest.raises(ValueError, match=r"4-D \(batched \[N, H, W, C\]\) channels-last"):
        convx.conv2d(np.ones((5, 2)), w, data_format=CL)
    with pytest.raises(ValueError, match="input has 5 channels"):   # C is the last axis
        convx.conv2d(np.ones((1, 2, 5, 5)), w, data_format=CL)
    with pytest.raises(ValueError, match="data_format must be"):
        convx.conv_transpose1d(np.ones((1, 5, 2)), np.ones((2, 2, 3)), data_format="NWC")
    with pytest.raises(ValueError, match="offset must be 4-D channels-last"):
        convx.deform_conv2d(x, np.ones((1, 18, 3)), w, data_format=CL)


# ---- separable, deformable ----------------------------------------------------------------

@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mode", ["zeros", "reflect"])
def test_depthwise_separable_channels_last(nd, mode, dtype):
    rng = np.random.default_rng(7 + nd)
    C, m, Co = 6, 2, 5
    x = rng.standard_normal((2, C) + (7,) * nd).astype(dtype)
    dw = rng.standard_normal((C * m, 1) + (3,) * nd).astype(dtype)
    pw = rng.standard_normal((Co, C * m) + (1,) * nd).astype(dtype)
    db, pb = rng.standard_normal(C * m).astype(dtype), rng.standard_normal(Co).astype(dtype)
    f = getattr(convx, f"depthwise_separable_conv{nd}d")
    ref = f(x, dw, pw, db, pb, stride=2, padding=1, padding_mode=mode)
    got = f(to_cl(x), dw, pw, db, pb, stride=2, padding=1, padding_mode=mode, data_format=CL)
    assert_conv_close(to_cf(got), ref, dtype, 9 * C * m, term_scale=3.0)
    np.testing.assert_array_equal(
        got[1], f(to_cl(x)[1], dw, pw, db, pb, stride=2, padding=1, padding_mode=mode,
                  data_format=CL))


@pytest.mark.parametrize("padding", [2, "same", (1, 3)])
@pytest.mark.parametrize("mode", ["zeros", "circular"])
def test_spatially_separable_channels_last(padding, mode, dtype):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 6, 10, 12)).astype(dtype)
    cw = rng.standard_normal((4, 3, 5, 1)).astype(dtype)
    rw = rng.standard_normal((8, 2, 1, 5)).astype(dtype)
    b = rng.standard_normal(8).astype(dtype)
    kw = dict(padding=padding, groups=2, padding_mode=mode)
    ref = convx.spatially_separable_conv2d(x, cw, rw, b, **kw)
    got = convx.spatially_separable_conv2d(to_cl(x), cw, rw, b, data_format=CL, **kw)
    assert_conv_close(to_cf(got), ref, dtype, 5 * 3 * 5 * 2, term_scale=3.0)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("case", [(2, 8, 9, 11, 6, 3, 2, 2, 1, 1, True),
                                  (1, 4, 6, 6, 8, 3, 1, 1, 2, 1, False),
                                  (3, 12, 5, 7, 12, 1, 3, 3, 1, 0, True),
                                  (1, 64, 20, 20, 64, 3, 1, 1, 1, 1, True)])
def test_deform_channels_last(case, workers, dtype):
    N, C, H, W, Co, k, og, g, s, pad, use_mask = case
    rng = np.random.default_rng(9)
    OH, OW = (H + 2 * pad - k) // s + 1, (W + 2 * pad - k) // s + 1
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    off = (2 * rng.standard_normal((N, 2 * og * k * k, OH, OW))).astype(dtype)
    mask = rng.random((N, og * k * k, OH, OW)).astype(dtype) if use_mask else None
    w = rng.standard_normal((Co, C // g, k, k)).astype(dtype)
    b = rng.standard_normal(Co).astype(dtype)
    ref = convx.deform_conv2d(x, off, w, b, stride=s, padding=pad, mask=mask)
    got = convx.deform_conv2d(to_cl(x), to_cl(off), w, b, stride=s, padding=pad,
                              mask=None if mask is None else to_cl(mask), data_format=CL,
                              workers=workers)
    assert got.shape == (N, OH, OW, Co)
    # the same samples and sums as channels-first, in the same order
    np.testing.assert_array_equal(to_cf(got), ref)


# ---- plans --------------------------------------------------------------------------------

@pytest.mark.parametrize("groups,cin,cout,k,stride", [(1, 8, 16, 3, 1), (8, 8, 8, 3, 2),
                                                      (1, 32, 64, 1, 1), (4, 8, 12, 5, 1)])
def test_plan_channels_last(groups, cin, cout, k, stride):
    rng = np.random.default_rng(10)
    w = rng.standard_normal((cout, cin // groups, k, k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    plan = convx.plan_conv2d(w, b, stride, k // 2, 1, groups, input_shape=(1, 9, 11, cin),
                             data_format=CL)
    assert plan.output_shape[-1] == cout
    assert plan.algorithm == ("channels_last_depthwise" if groups == cin == cout
                              else "channels_last_gemm")
    for n in (1, 3):
        x = rng.standard_normal((n, 9, 11, cin)).astype(np.float32)
        want = convx.conv2d(x, w, b, stride, k // 2, 1, groups, data_format=CL)
        np.testing.assert_array_equal(plan(x), want)
        np.testing.assert_array_equal(plan(x[0]), want[0])
    w[...] = 0   # the plan holds its own copy
    np.testing.assert_array_equal(plan(x), want)
    with pytest.raises(ValueError, match="input spatial size"):
        plan(np.ones((1, 9, 12, cin), np.float32))
    with pytest.raises(ValueError, match="dtype"):
        plan(np.ones((1, 9, 11, cin), np.float64))


def test_plan_transpose_channels_last():
    rng = np.random.default_rng(11)
    w = rng.standard_normal((6, 2, 4, 4)).astype(np.float32)
    plan = convx.plan_conv_transpose2d(w, None, 2, 1, 0, 3, input_shape=(2, 5, 5, 6),
                                       data_format=CL)
    x = rng.standard_normal((2, 5, 5, 6)).astype(np.float32)
    np.testing.assert_array_equal(plan(x), convx.conv_transpose2d(x, w, None, 2, 1, 0, 3,
                                                                  data_format=CL))


def test_call_plans_keep_layouts_apart():
    """The functional calls' plan cache keys on data_format: a square array used both ways
    (same shape, dtype and arguments) gets each layout's own result."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 4, 4, 4)).astype(np.float32)
    w = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    for _ in range(2):   # the second round replays the stored plans
        cf = convx.conv2d(x, w, padding=1)
        cl = convx.conv2d(x, w, padding=1, data_format=CL)
        np.testing.assert_allclose(cl, to_cl(convx.conv2d(to_cf(x).copy(), w, padding=1)),
                                   rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(cf, to_cf(convx.conv2d(to_cl(x), w, padding=1,
                                                          data_format=CL)), rtol=1e-5, atol=1e-5)


def test_plan_channels_last_threads():
    """One channels-last plan called from several threads at once: every result is the
    single-threaded one, bit for bit."""
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(13)
    w = rng.standard_normal((32, 1, 3, 3)).astype(np.float32)
    plan = convx.plan_conv2d(w, None, 1, 1, 1, 32, input_shape=(1, 20, 20, 32), data_format=CL)
    xs = [rng.standard_normal((1, 20, 20, 32)).astype(np.float32) for _ in range(8)]
    want = [plan(x) for x in xs]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(plan, xs * 3))
    for i, g in enumerate(got):
        np.testing.assert_array_equal(g, want[i % 8])
