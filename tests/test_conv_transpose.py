"""convx.conv_transpose1d/2d/3d against the NumPy oracle (convx.reference.conv_transpose*).

Hand-written stride/padding/output_padding/dilation/groups cases, hypothesis-generated small
problems, a sample of real deconvolution shapes (tests/data/deconv_shapes_sample.jsonl), the
adjoint identity <conv(x, w), y> == <x, conv_transpose(y, w)>, every validation error, thread
determinism and the API contract (dtype policy, out=, layouts, inputs untouched).
"""
import json
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from convx import reference
from _helpers import DATA_DIR, assert_conv_close

ALGOS = ("direct", "im2col", "subpixel", "auto", "reference")
FAST = ("direct", "im2col", "subpixel", "auto")


def ct_op(nd):
    return getattr(convx, f"conv_transpose{nd}d")


def ref_op(nd):
    return getattr(reference, f"conv_transpose{nd}d")


def data(seed, x_shape, w_shape, groups, dtype, bias=True):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[1] * groups).astype(dtype) if bias else None
    return x, w, b


def check(nd, x_shape, w_shape, dtype, algorithm, seed=0, bias=True, workers=None, **kw):
    groups = kw.get("groups", 1)
    x, w, b = data(seed, x_shape, w_shape, groups, dtype, bias)
    args = (kw.get("stride", 1), kw.get("padding", 0), kw.get("output_padding", 0), groups,
            kw.get("dilation", 1))
    expected = ref_op(nd)(x, w, b, *args)
    actual = ct_op(nd)(x, w, b, *args, algorithm=algorithm, workers=workers)
    assert_conv_close(actual, expected, dtype, w_shape[0] // groups * math.prod(w_shape[2:]),
                      err_msg=f"{x_shape} {w_shape} {kw} {algorithm}")
    return actual


# (name, x_shape, w_shape, kwargs) per dimensionality
CASES = {
    1: [
        ("plain", (2, 3, 7), (3, 4, 3), {}),
        ("s2_p1_op1", (2, 3, 6), (3, 2, 4), dict(stride=2, padding=1, output_padding=1)),
        ("s3_d2", (1, 4, 5), (4, 3, 3), dict(stride=3, dilation=2, padding=2)),
        ("op_ge_stride_lt_dil", (2, 2, 5), (2, 3, 3), dict(stride=1, dilation=3, output_padding=2)),
        ("k_lt_s", (1, 2, 6), (2, 2, 2), dict(stride=4, output_padding=3)),
        ("groups", (2, 6, 5), (6, 2, 3), dict(groups=3, stride=2, padding=1)),
        ("depthwise", (2, 4, 9), (4, 1, 3), dict(groups=4, stride=2)),
        ("depthwise_mult", (1, 3, 8), (3, 2, 5), dict(groups=3, stride=2, padding=2,
                                                        output_padding=1)),
        ("crop_everything_but_one", (1, 2, 2), (2, 2, 3), dict(stride=1, padding=1)),
        ("long_row", (1, 3, 2600), (3, 5, 4), dict(stride=2, padding=1)),
    ],
    2: [
        ("plain", (2, 3, 5, 6), (3, 4, 3, 3), {}),
        ("dcgan_like", (1, 8, 4, 4), (8, 6, 4, 4), dict(stride=2, padding=1)),
        ("unet_like", (2, 8, 5, 7), (8, 5, 2, 2), dict(stride=2)),
        ("decoder_s2_op1", (1, 6, 5, 5), (6, 4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
        ("per_axis", (2, 4, 5, 6), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 0),
                                                     output_padding=(1, 2), dilation=(1, 2))),
        ("op_ge_stride_lt_dil", (1, 3, 4, 5), (3, 2, 3, 3), dict(stride=(1, 2), dilation=(3, 2),
                                                                output_padding=(2, 1))),
        ("big_pad", (1, 3, 6, 6), (3, 2, 5, 5), dict(stride=2, padding=4)),
        ("groups", (2, 6, 4, 5), (6, 2, 3, 3), dict(groups=2, stride=2, padding=1,
                                                    output_padding=1)),
        ("depthwise", (1, 5, 6, 7), (5, 1, 3, 3), dict(groups=5, stride=2, padding=1)),
        ("depthwise_mult", (2, 4, 5, 5), (4, 3, 4, 4), dict(groups=4, stride=2, padding=1)),
        ("pointwise", (2, 16, 5, 5), (16, 12, 1, 1), {}),
        ("many_channels_few_pixels", (1, 96, 2, 3), (96, 40, 4, 4), dict(stride=2, padding=1)),
        ("few_channels_many_pixels", (1, 4, 40, 40), (4, 3, 4, 4), dict(stride=2, padding=1)),
    ],
    3: [
        ("plain", (1, 3, 4, 4, 5), (3, 4, 3, 3, 3), {}),
        ("unet3d_like", (2, 4, 3, 4, 5), (4, 3, 2, 2, 2), dict(stride=2)),
        ("per_axis", (1, 3, 3, 4, 4), (3, 2, 3, 2, 3), dict(stride=(1, 2, 3), padding=(1, 0, 2),
                                                          output_padding=(0, 1, 2),
                                                          dilation=(2, 1, 1))),
        ("groups", (2, 4, 3, 3, 3), (4, 3, 2, 3, 2), dict(groups=2, stride=2, padding=1,
                                                          output_padding=1)),
        ("depthwise", (1, 3, 3, 4, 5), (3, 1, 3, 3, 3), dict(groups=3, stride=(2, 1, 2))),
        ("many_channels_few_pixels", (1, 48, 2, 2, 2), (48, 20, 3, 3, 3), dict(stride=2)),
    ],
}


@pytest.mark.parametrize("algorithm", ALGOS)
@pytest.mark.parametrize("nd,name,xs,ws,kw", [(nd, *c) for nd in CASES for c in CASES[nd]],
                         ids=[f"{nd}d-{c[0]}" for nd in CASES for c in CASES[nd]])
def test_conv_transpose_cases(nd, name, xs, ws, kw, algorithm, dtype):
    check(nd, xs, ws, dtype, algorithm, **kw)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_unbatched(nd, dtype):
    xs, ws, kw = {1: ((3, 7), (3, 2, 3), dict(stride=2, padding=1, output_padding=1)),
                  2: ((3, 5, 4), (3, 2, 3, 3), dict(stride=2, padding=1)),
                  3: ((2, 3, 3, 4), (2, 2, 2, 2, 2), dict(stride=2))}[nd]
    x, w, b = data(1, xs, ws, 1, dtype)
    y = ct_op(nd)(x, w, b, **kw)
    assert y.ndim == nd + 1
    expected = ref_op(nd)(x[None], w, b, kw["stride"], kw.get("padding", 0),
                          kw.get("output_padding", 0))[0]
    assert_conv_close(y, expected, dtype, ws[0] * math.prod(ws[2:]))


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("algorithm", FAST)
def test_conv_transpose_empty(nd, algorithm, dtype):
    sp = (4,) * nd
    x = np.zeros((0, 3, *sp), dtype)
    w = np.ones((3, 2, *(3,) * nd), dtype)
    y = ct_op(nd)(x, w, stride=2, algorithm=algorithm)
    assert y.shape == (0, 2, *(9,) * nd) and y.dtype == dtype
    # zero input channels: bias only
    x = np.zeros((2, 0, *sp), dtype)
    w = np.ones((0, 2, *(3,) * nd), dtype)
    b = np.array([1.5, -2], dtype)
    y = ct_op(nd)(x, w, b, stride=2, algorithm=algorithm)
    assert y.shape == (2, 2, *(9,) * nd)
    assert np.all(y[:, 0] == 1.5) and np.all(y[:, 1] == -2)


# ---------------------------------------------------------------- hypothesis
@st.composite
def ct_configs(draw, nd):
    groups = draw(st.integers(1, 3))
    cin = groups * draw(st.integers(1, 3))
    cog = draw(st.integers(1, 3))
    k = [draw(st.integers(1, {1: 5, 2: 3, 3: 3}[nd])) for _ in range(nd)]
    s = [draw(st.integers(1, 3)) for _ in range(nd)]
    d = [draw(st.integers(1, 3)) for _ in range(nd)]
    op = [draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d)]
    sizes = [draw(st.integers(1, {1: 10, 2: 6, 3: 4}[nd])) for _ in range(nd)]
    pads = []
    for n_, k_, s_, d_, o_ in zip(sizes, k, s, d, op):
        full = (n_ - 1) * s_ + d_ * (k_ - 1) + o_ + 1
        pads.append(draw(st.integers(0, (full - 1) // 2)))
    return dict(x_shape=(draw(st.integers(1, 2)), cin, *sizes), w_shape=(cin, cog, *k),
                kw=dict(stride=tuple(s), padding=tuple(pads), output_padding=tuple(op),
                        groups=groups, dilation=tuple(d)),
                bias=draw(st.booleans()), seed=draw(st.integers(0, 2**32 - 1)))


_hyp = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("algorithm", ["direct", "im2col", "subpixel"])
@_hyp
@given(data_=st.data())
def test_conv_transpose_hypothesis(nd, algorithm, data_):
    cfg = data_.draw(ct_configs(nd))
    dtype = data_.draw(st.sampled_from([np.float32, np.float64]))
    check(nd, cfg["x_shape"], cfg["w_shape"], dtype, algorithm, seed=cfg["seed"],
          bias=cfg["bias"], **cfg["kw"])


# ---------------------------------------------------------------- real shapes
def _deconv_records():
    with open(os.path.join(DATA_DIR, "deconv_shapes_sample.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


_RECORDS = _deconv_records()


@pytest.mark.parametrize("algorithm", ["direct", "im2col"])
@pytest.mark.parametrize("rec", _RECORDS, ids=[f"{r['net']}:{r['name']}" for r in _RECORDS])
def test_conv_transpose_real_shapes(rec, algorithm, dtype):
    nd = rec["ndim"]
    y = check(nd, (rec["mb"], rec["ic"], *rec["in"]),
              (rec["ic"], rec["oc"] // rec["groups"], *rec["k"]), dtype, algorithm,
              stride=tuple(rec["stride"]), padding=tuple(rec["pad"]),
              output_padding=tuple(rec["output_padding"]), groups=rec["groups"],
              dilation=tuple(rec["dilation"]))
    assert y.shape[2:] == tuple(rec["out"])


# ---------------------------------------------------------------- adjoint identity
ADJOINT = [
    (1, (2, 4, 11), (6, 2, 3), dict(stride=2, padding=1, dilation=1, groups=2)),
    (1, (1, 3, 13), (4, 3, 4), dict(stride=3, padding=2, dilation=2, groups=1)),
    (2, (2, 4, 9, 8), (6, 2, 3, 3), dict(stride=2, padding=1, dilation=1, groups=2)),
    (2, (1, 3, 10, 9), (5, 3, 4, 2), dict(stride=(2, 3), padding=(1, 0), dilation=(2, 1),
                                          groups=1)),
    (2, (1, 4, 8, 8), (4, 1, 3, 3), dict(stride=2, padding=1, dilation=1, groups=4)),
    (3, (1, 4, 5, 6, 7), (6, 2, 3, 2, 3), dict(stride=(1, 2, 2), padding=(1, 0, 1),
                                               dilation=(1, 1, 2), groups=2)),
]


@pytest.mark.parametrize("algorithm", ["direct", "im2col", "subpixel"])
@pytest.mark.parametrize("nd,xs,ws,kw", ADJOINT)
def test_conv_transpose_is_adjoint_of_conv(nd, xs, ws, kw, algorithm):
    """<conv(x, w), y> == <x, conv_transpose(y, w)> with the conv weight [C_out, C_in/g, *k]
    used as the transposed weight [C_in', C_out'/g, *k] (C_in' = C_out), and output_padding
    chosen so the transposed output has x's shape."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(xs)
    w = rng.standard_normal(ws)
    y_conv = getattr(convx, f"conv{nd}d")(x, w, **kw)
    y = rng.standard_normal(y_conv.shape)
    s, p, d = (np.broadcast_to(kw[k], (nd,)) for k in ("stride", "padding", "dilation"))
    op = tuple(int(n - ((o - 1) * si - 2 * pi + di * (k - 1) + 1))
               for n, o, si, pi, di, k in zip(xs[2:], y.shape[2:], s, p, d, ws[2:]))
    xt = ct_op(nd)(y, w, None, kw["stride"], kw["padding"], op, kw["groups"], kw["dilation"],
                   algorithm=algorithm)
    assert xt.shape == x.shape
    lhs, rhs = np.vdot(y_conv, y), np.vdot(x, xt)
    assert abs(lhs - rhs) <= 1e-10 * (np.abs(y_conv).sum() * np.abs(y).max() + 1)


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("shape", [
    ((1, 64, 3, 3), (64, 40, 4, 4), dict(stride=2, padding=1)),      # few pixels: input-T GEMM
    ((2, 8, 20, 21), (8, 6, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((1, 4, 3000), (4, 5, 4), dict(stride=2, padding=1)),            # chunked long rows
    ((1, 6, 4, 9, 9), (6, 8, 2, 2, 2), dict(stride=2, groups=2)),
], ids=["few_pixels", "decoder", "long_1d", "grouped_3d"])
def test_conv_transpose_workers_bit_identical(shape):
    xs, ws, kw = shape
    nd = len(xs) - 2
    rng = np.random.default_rng(3)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[1] * kw.get("groups", 1)).astype(np.float32)
    ys = {}
    for algorithm in ("direct", "im2col"):
        y1 = ys[algorithm] = ct_op(nd)(x, w, b, **kw, algorithm=algorithm, workers=1)
        for n in (2, 3):
            yn = ct_op(nd)(x, w, b, **kw, algorithm=algorithm, workers=n)
            assert np.array_equal(y1, yn), (algorithm, n)
        assert np.array_equal(y1, ct_op(nd)(x, w, b, **kw, algorithm=algorithm, workers=1))
    # both drivers form each col element with the same micro-kernel dot product and add them
    # into an output element in the same order
    assert np.array_equal(ys["direct"], ys["im2col"])


# ---------------------------------------------------------------- API contract
@pytest.mark.parametrize("x_dt,w_dt,res", [
    (np.float32, np.float32, np.float32), (np.float64, np.float32, np.float64),
    (np.float16, np.float16, np.float32), (np.int32, np.int64, np.float64),
    (np.bool_, np.float32, np.float32), (np.int8, np.float32, np.float32),
])
def test_conv_transpose_dtype_policy(x_dt, w_dt, res):
    x = (np.arange(2 * 3 * 4 * 4) % 5).reshape(2, 3, 4, 4).astype(x_dt)
    w = (np.arange(3 * 2 * 3 * 3) % 3).reshape(3, 2, 3, 3).astype(w_dt)
    y = convx.conv_transpose2d(x, w, stride=2)
    assert y.dtype == res
    exp = reference.conv_transpose2d(x.astype(np.float64), w.astype(np.float64), None, 2)
    np.testing.assert_allclose(y, exp, rtol=1e-6)


@pytest.mark.parametrize("bad", [np.complex64, object, "U3"])
def test_conv_transpose_bad_dtype(bad):
    x = np.ones((1, 2, 3, 3))
    w = np.ones((2, 2, 2, 2))
    with pytest.raises(TypeError, match="input"):
        convx.conv_transpose2d(x.astype(bad), w)
    with pytest.raises(TypeError, match="weight"):
        convx.conv_transpose2d(x, w.astype(bad))


@pytest.mark.parametrize("layout", ["noncontig", "readonly", "bigendian", "list"])
@pytest.mark.parametrize("algorithm", ["direct", "im2col"])
def test_conv_transpose_input_layouts_untouched(layout, algorithm, dtype):
    rng = np.random.default_rng(5)
    base_x = rng.standard_normal((2, 6, 10, 12)).astype(dtype)
    x = base_x[:, ::2, :, ::2]
    w = rng.standard_normal((3, 2, 3, 3)).astype(dtype)
    b = rng.standard_normal(2).astype(dtype)
    expected = reference.conv_transpose2d(np.ascontiguousarray(x, np.float64),
                                          w.astype(np.float64), b.astype(np.float64), 2, 1, 1)
    if layout == "noncontig":
        xi, wi = x, np.ascontiguousarray(w.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
    elif layout == "readonly":
        xi, wi = np.ascontiguousarray(x), w.copy()
        xi.flags.writeable = False
        wi.flags.writeable = False
    elif layout == "bigendian":
        xi, wi = x.astype(x.dtype.newbyteorder(">")), w.astype(w.dtype.newbyteorder(">"))
    else:
        xi, wi = x.tolist(), w.tolist()
    snap = [np.array(a, copy=True) for a in (xi, wi, b)]
    y = convx.conv_transpose2d(xi, wi, b, 2, 1, 1, algorithm=algorithm)
    res = np.float64 if layout == "list" else dtype
    assert_conv_close(y, expected, res, 3 * 9)
    for before, after in zip(snap, (xi, wi, b)):
        assert np.array_equal(before, np.asarray(after))


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_out(nd, dtype):
    xs, ws = (1, 3, *(4,) * nd), (3, 2, *(3,) * nd)
    x, w, b = data(2, xs, ws, 1, dtype)
    out = np.full((1, 2, *(9,) * nd), np.nan, dtype)
    r = ct_op(nd)(x, w, b, 2, 0, 0, out=out)
    assert r is out
    assert_conv_close(out, ref_op(nd)(x, w, b, 2), dtype, 3 * 3**nd)
    out_u = np.empty((2, *(9,) * nd), dtype)
    assert ct_op(nd)(x[0], w, b, 2, out=out_u) is out_u
    np.testing.assert_array_equal(out_u, out[0])
    out_r = np.empty_like(out)
    assert ct_op(nd)(x, w, b, 2, algorithm="reference", out=out_r) is out_r


def _ok(**over):
    kw = dict(input=np.ones((1, 4, 5, 5), np.float32), weight=np.ones((4, 3, 3, 3), np.float32),
              bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)
    kw.update(over)
    return kw


ERRORS = [
    (ValueError, "weight", dict(weight=np.ones((4, 3, 3)))),
    (ValueError, "input", dict(input=np.ones((5, 5)))),
    (ValueError, "input", dict(input=np.ones((1, 3, 5, 5)))),            # C_in mismatch
    (ValueError, "input", dict(input=np.ones((1, 4, 0, 5)))),
    (ValueError, "groups", dict(groups=3)),                               # C_in % groups
    (ValueError, "groups", dict(groups=0)),
    (TypeError, "groups", dict(groups=1.5)),
    (TypeError, "groups", dict(groups=True)),
    (ValueError, "weight", dict(weight=np.ones((4, 3, 0, 3)))),
    (ValueError, "stride", dict(stride=0)),
    (ValueError, "stride", dict(stride=(1, 2, 3))),
    (TypeError, "stride", dict(stride="2")),
    (TypeError, "stride", dict(stride=1.0)),
    (ValueError, "padding", dict(padding=-1)),
    (ValueError, "padding", dict(padding="same")),
    (ValueError, "padding", dict(padding="valid")),
    (ValueError, "padding", dict(padding=(1,))),
    (ValueError, "dilation", dict(dilation=0)),
    (ValueError, "dilation", dict(dilation=(1, -1))),
    (ValueError, "output_padding", dict(output_padding=-1)),
    (ValueError, "output_padding", dict(output_padding=1)),               # >= stride 1, dil 1
    (ValueError, "output_padding", dict(stride=2, dilation=3, output_padding=3)),
    (ValueError, "output_padding", dict(stride=(2, 1), output_padding=(1, 1))),
    (TypeError, "output_padding", dict(output_padding=0.5)),
    (ValueError, "bias", dict(bias=np.ones(4))),
    (ValueError, "bias", dict(bias=np.ones((3, 1)))),
    (ValueError, "padding", dict(padding=4)),                             # output size < 1
]


@pytest.mark.parametrize("exc,name,over", ERRORS,
                         ids=[f"{e[1]}-{i}" for i, e in enumerate(ERRORS)])
def test_conv_transpose_errors(exc, name, over):
    kw = _ok(**over)
    with pytest.raises(exc, match=name):
        convx.conv_transpose2d(kw.pop("input"), kw.pop("weight"), **kw)


def test_conv_transpose_keyword_errors():
    x, w = np.ones((1, 2, 3, 3)), np.ones((2, 2, 2, 2))
    with pytest.raises(ValueError, match="algorithm"):
        convx.conv_transpose2d(x, w, algorithm="gemm")
    with pytest.raises(ValueError, match="workers"):
        convx.conv_transpose2d(x, w, workers=0)
    with pytest.raises(TypeError, match="workers"):
        convx.conv_transpose2d(x, w, workers=1.5)
    with pytest.raises(TypeError, match="out"):
        convx.conv_transpose2d(x, w, out=[0.0])
    with pytest.raises(ValueError, match="out"):
        convx.conv_transpose2d(x, w, out=np.empty((1, 2, 4, 5)))
    with pytest.raises(ValueError, match="out"):
        convx.conv_transpose2d(x, w, out=np.empty((1, 2, 4, 4), np.float32))
    with pytest.raises(ValueError, match="out"):
        convx.conv_transpose2d(x, w, out=np.empty((1, 2, 4, 8))[..., ::2])
    ro = np.empty((1, 2, 4, 4))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="out"):
        convx.conv_transpose2d(x, w, out=ro)
    with pytest.raises(TypeError):
        convx.conv_transpose2d(x, w, None, 1, 0, 0, 1, 1, "direct")  # algorithm is keyword-only


def test_conv_transpose_exported():
    for nd in (1, 2, 3):
        assert f"conv_transpose{nd}d" in convx.__all__
        assert ct_op(nd).__doc__ and "Examples" in ct_op(nd).__doc__


def test_conv_transpose_call_plan_reused_and_exact():
    import convx.conv_transpose as CT
    rng = np.random.default_rng(70)
    x = rng.standard_normal((2, 4, 5, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    kw = dict(stride=2, padding=(1, 0), output_padding=1, groups=2, dilation=(1, 2))
    first = convx.conv_transpose2d(x, w, b, **kw)
    assert len(CT._PLANS) >= 1
    again = convx.conv_transpose2d(x, w, b, **kw)
    assert np.array_equal(first, again) and not np.shares_memory(first, again)
    assert np.array_equal(convx.conv_transpose2d(np.asfortranarray(x), w, b, **kw), first)
    assert np.array_equal(convx.conv_transpose2d(x.astype(">f4"), w, b, **kw), first)
    with pytest.raises(TypeError):
        convx.conv_transpose2d(x, w, b, **{**kw, "stride": True})
    with pytest.raises(TypeError):
        convx.conv_transpose2d(x, w, b, **{**kw, "output_padding": 1.0})


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("name,value", [("stride", 2**40), ("dilation", 2**40),
                                        ("stride", 2**62), ("dilation", 2**61 + 3)])
def test_huge_geometry_is_a_value_error_naming_it(nd, name, value):
    # NumPy would say "array is too big" (or the index arithmetic would overflow); in 1-D an
    # output of 2**41 elements is addressable (a MemoryError, not tested), so go further there
    if nd == 1 and value == 2**40:
        value = 2**62
    op = getattr(convx, f"conv_transpose{nd}d")
    x = np.ones((1, 2) + (3,) * nd, np.float32)
    w = np.ones((2, 2) + (2,) * nd, np.float32)
    with pytest.raises(ValueError, match=rf"^{name}=\("):
        op(x, w, **{name: value})
    with pytest.raises(ValueError, match=rf"^{name}=\("):
        op(x, w, **{name: value}, output_padding=value - 1)


def test_huge_stride_with_one_input_pixel_is_fine():
    # (in - 1) * stride is 0: the stride never shows
    x = np.ones((1, 2, 1, 1), np.float32)
    w = np.ones((2, 3, 2, 2), np.float32)
    y = convx.conv_transpose2d(x, w, stride=2**40)
    np.testing.assert_array_equal(y, np.full((1, 3, 2, 2), 2.0, np.float32))
