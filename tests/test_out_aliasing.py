"""out= that shares memory with an operand, and misaligned caller arrays (issue 9).

Every public function with ``out=`` (``output=`` for the filters) must give exactly the result of
the same call with ``out=None`` whenever ``out`` overlaps an array it reads (input, weight, bias,
offset, mask): ``out`` is the input itself, a shifted view of the same buffer (before and after,
partial overlaps), or overlaps a weight/bias/offset/mask. Arrays the caller passed that do not
overlap ``out`` must come back unchanged. Misaligned operands (a NumPy array may start at any
byte) must be copied before C reads them, and a misaligned ``out`` is written through a
temporary: results are compared bitwise with the aligned call.
"""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import convx
import convx.filters as F
from convx import _args as A, _plans as P
from convx import separable as S

RNG_SEED = 9009


def _conv(nd):
    f = getattr(convx, f"conv{nd}d")
    sp = (7,) * nd

    def make(rng, dt):
        return {"input": rng.standard_normal((2, 3) + sp).astype(dt),
                "weight": rng.standard_normal((3, 3) + (3,) * nd).astype(dt),
                "bias": rng.standard_normal(3).astype(dt)}
    return make, lambda input, weight, bias, out=None, **kw: f(input, weight, bias, padding=1,
                                                               out=out, **kw)


def _conv_transpose(nd):
    f = getattr(convx, f"conv_transpose{nd}d")
    sp = (6,) * nd

    def make(rng, dt):
        return {"input": rng.standard_normal((2, 3) + sp).astype(dt),
                "weight": rng.standard_normal((3, 3) + (3,) * nd).astype(dt),
                "bias": rng.standard_normal(3).astype(dt)}
    return make, lambda input, weight, bias, out=None, **kw: f(input, weight, bias, padding=1,
                                                               out=out, **kw)


def _deform():
    def make(rng, dt):
        return {"input": rng.standard_normal((2, 3, 7, 7)).astype(dt),
                "offset": (2 * rng.standard_normal((2, 18, 7, 7))).astype(dt),
                "weight": rng.standard_normal((3, 3, 3, 3)).astype(dt),
                "bias": rng.standard_normal(3).astype(dt),
                "mask": rng.random((2, 9, 7, 7)).astype(dt)}

    def call(input, offset, weight, bias, mask, out=None):
        return convx.deform_conv2d(input, offset, weight, bias, padding=1, mask=mask, out=out)
    return make, call


def _dwsep(nd, mode="zeros"):
    f = getattr(convx, f"depthwise_separable_conv{nd}d")
    sp = (7,) * nd

    def make(rng, dt):
        return {"input": rng.standard_normal((2, 3) + sp).astype(dt),
                "depthwise_weight": rng.standard_normal((6, 1) + (3,) * nd).astype(dt),
                "pointwise_weight": rng.standard_normal((3, 6) + (1,) * nd).astype(dt),
                "depthwise_bias": rng.standard_normal(6).astype(dt),
                "pointwise_bias": rng.standard_normal(3).astype(dt)}

    def call(input, depthwise_weight, pointwise_weight, depthwise_bias, pointwise_bias,
             out=None):
        return f(input, depthwise_weight, pointwise_weight, depthwise_bias, pointwise_bias,
                 padding=1, padding_mode=mode, out=out)
    return make, call


def _spatial(mode="zeros"):
    def make(rng, dt):
        return {"input": rng.standard_normal((2, 3, 9, 9)).astype(dt),
                "column_weight": rng.standard_normal((4, 3, 3, 1)).astype(dt),
                "row_weight": rng.standard_normal((3, 4, 1, 3)).astype(dt),
                "bias": rng.standard_normal(3).astype(dt)}

    def call(input, column_weight, row_weight, bias, out=None):
        return convx.spatially_separable_conv2d(input, column_weight, row_weight, bias,
                                                padding=1, padding_mode=mode, out=out)
    return make, call


def _filter(name, *args, weights=None, **kw):
    f = getattr(F, name)

    def make(rng, dt):
        ops = {"input": rng.standard_normal((9, 11)).astype(dt)}
        if weights is not None:
            ops["weights"] = np.asarray(weights(rng), dtype=dt)
        return ops

    def call(input, weights=None, out=None):
        if weights is None:
            return f(input, *args, output=out, **kw)
        return f(input, weights, *args, output=out, **kw)
    return make, call


FUNCTIONS = {
    "conv1d": _conv(1), "conv2d": _conv(2), "conv3d": _conv(3),
    "conv_transpose1d": _conv_transpose(1), "conv_transpose2d": _conv_transpose(2),
    "conv_transpose3d": _conv_transpose(3),
    "deform_conv2d": _deform(),
    "depthwise_separable_conv1d": _dwsep(1), "depthwise_separable_conv2d": _dwsep(2),
    "depthwise_separable_conv3d": _dwsep(3),
    "depthwise_separable_conv2d-reflect": _dwsep(2, "reflect"),
    "spatially_separable_conv2d": _spatial(),
    "spatially_separable_conv2d-reflect": _spatial("reflect"),
    "correlate": _filter("correlate", weights=lambda r: r.standard_normal((3, 3))),
    "correlate-fft": _filter("correlate", weights=lambda r: r.standard_normal((7, 9)),
                             workers=1),
    "convolve": _filter("convolve", weights=lambda r: r.standard_normal((3, 4))),
    "correlate1d": _filter("correlate1d", weights=lambda r: r.standard_normal(5), axis=0),
    "convolve1d": _filter("convolve1d", weights=lambda r: r.standard_normal(4)),
    "sobel": _filter("sobel"), "prewitt": _filter("prewitt", 0),
    "laplace": _filter("laplace"),
    "laplace-modes": _filter("laplace", mode=["reflect", "wrap"]),
    "gaussian_filter": _filter("gaussian_filter", 1.5),
    "gaussian_filter-constant": _filter("gaussian_filter", 0.8, mode="constant", cval=2.0),
    "gaussian_filter1d": _filter("gaussian_filter1d", 1.0),
    "uniform_filter": _filter("uniform_filter", 3),
    "uniform_filter1d": _filter("uniform_filter1d", 4, 0),
    "gaussian_gradient_magnitude": _filter("gaussian_gradient_magnitude", 1.0),
}
NAMES = sorted(FUNCTIONS)


def _setup(name, dt, seed=RNG_SEED):
    make, call = FUNCTIONS[name]
    ops = make(np.random.default_rng(seed), dt)
    expected = call(**{k: v.copy() for k, v in ops.items()})
    return ops, call, expected


def _view(buf, offset, shape):
    return buf[offset:offset + math.prod(shape)].reshape(shape)


def _run_shared(name, dt, operand, shift):
    """out placed `shift` elements after `operand` in one buffer; compare with out=None."""
    ops, call, expected = _setup(name, dt)
    a = ops[operand]
    base = max(0, -shift)
    size = max(base + a.size, base + shift + expected.size)
    buf = np.full(size, np.nan, dtype=dt)
    out = _view(buf, base + shift, expected.shape)
    opv = _view(buf, base, a.shape)
    opv[...] = a
    others = {k: v.copy() for k, v in ops.items() if k != operand}
    res = call(**others, **{operand: opv}, out=out)
    assert res is out
    np.testing.assert_array_equal(out, expected, err_msg=f"{name}: out overlapping {operand} "
                                                         f"shifted by {shift}")
    for k, v in others.items():
        np.testing.assert_array_equal(v, ops[k], err_msg=f"{name} modified {k}")


def _shifts(n_op, n_out):
    return sorted({0, 1, -1, 3, -5, n_out // 2, -(n_op // 2), n_op - 1, -(n_out - 1)})


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", NAMES)
def test_out_is_the_input(name, dt):
    ops, call, expected = _setup(name, dt)
    x = ops["input"]
    if x.shape != expected.shape:
        pytest.skip("result shape differs from the input's")
    xa = x.copy()
    others = {k: v.copy() for k, v in ops.items() if k != "input"}
    res = call(input=xa, **others, out=xa)
    assert res is xa
    np.testing.assert_array_equal(xa, expected)
    for k, v in others.items():
        np.testing.assert_array_equal(v, ops[k])


@pytest.mark.parametrize("name", NAMES)
def test_out_shifted_over_every_operand(name):
    dt = np.float32
    ops, _, expected = _setup(name, dt)
    for operand, a in ops.items():
        for shift in _shifts(a.size, expected.size):
            _run_shared(name, dt, operand, shift)


@pytest.mark.parametrize("name", ["conv2d", "conv_transpose2d", "deform_conv2d",
                                  "depthwise_separable_conv2d", "spatially_separable_conv2d",
                                  "correlate", "gaussian_filter"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_out_overlap_random(name, data):
    dt = np.float32
    ops, _, expected = _setup(name, dt)
    operand = data.draw(st.sampled_from(sorted(ops)))
    n = ops[operand].size
    shift = data.draw(st.integers(-expected.size, n))
    _run_shared(name, dt, operand, shift)


@pytest.mark.parametrize("name", ["depthwise_separable_conv2d", "depthwise_separable_conv3d",
                                  "spatially_separable_conv2d"])
def test_out_overlap_on_the_blocked_separable_paths(name, monkeypatch):
    # the fused depthwise-separable driver, and several row blocks in spatially_separable
    monkeypatch.setattr(S, "_DW_TWO_CALL_BYTES", 0)
    monkeypatch.setattr(S, "_SPATIAL_BLOCK_BYTES", 1)
    ops, _, expected = _setup(name, np.float32)
    for operand, a in ops.items():
        for shift in _shifts(a.size, expected.size):
            _run_shared(name, np.float32, operand, shift)


@pytest.mark.parametrize("algorithm", ["direct", "im2col", "reference"])
@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
def test_out_overlap_every_algorithm(op, algorithm):
    make, call = FUNCTIONS[op]
    ops = make(np.random.default_rng(3), np.float64)
    expected = call(**{k: v.copy() for k, v in ops.items()}, algorithm=algorithm)
    x = ops["input"].copy()
    if x.shape == expected.shape:
        res = call(x, ops["weight"], ops["bias"], out=x, algorithm=algorithm)
        assert res is x
        np.testing.assert_array_equal(x, expected)
    buf = np.zeros(ops["input"].size + expected.size, np.float64)
    xin = _view(buf, expected.size // 3, ops["input"].shape)
    xin[...] = ops["input"]
    out = _view(buf, 0, expected.shape)
    call(xin, ops["weight"], ops["bias"], out=out, algorithm=algorithm)
    np.testing.assert_array_equal(out, expected)


def test_unbatched_out_overlapping_input():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 8, 8)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 3)).astype(np.float32)
    expected = convx.conv2d(x, w, padding=1)
    xa = x.copy()
    assert convx.conv2d(xa, w, padding=1, out=xa) is xa
    np.testing.assert_array_equal(xa, expected)


def test_filter_output_of_another_dtype_overlapping_input():
    # output of a different dtype never goes to C directly; the cast copy must still be right
    rng = np.random.default_rng(5)
    buf = np.zeros(200, np.float64)
    x = buf[:99].reshape(9, 11)
    x[...] = rng.standard_normal((9, 11))
    expected = F.gaussian_filter(x.copy(), 1.0).astype(np.float32)
    out = buf[50:150].view(np.float32)[:99].reshape(9, 11)
    F.gaussian_filter(x, 1.0, output=out)
    np.testing.assert_array_equal(out, expected)


def test_the_issue_examples():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 4, 12, 12)).astype(np.float32)
    w = rng.standard_normal((4, 4, 3, 3)).astype(np.float32)
    expected = convx.conv2d(x, w, padding=1)
    xa = x.copy()
    convx.conv2d(xa, w, padding=1, out=xa)
    np.testing.assert_array_equal(xa, expected)
    buf = rng.standard_normal(1152).astype(np.float32)
    xin = buf[:576].reshape(1, 4, 12, 12)
    expected = convx.conv2d(xin.copy(), w, padding=1)
    convx.conv2d(xin, w, padding=1, out=buf[100:676].reshape(1, 4, 12, 12))
    np.testing.assert_array_equal(buf[100:676].reshape(1, 4, 12, 12), expected)


# ---- misaligned caller arrays ----

def misaligned(a):
    """A copy of `a` whose data starts one byte past an aligned address."""
    raw = np.zeros(a.nbytes + a.itemsize + 1, dtype=np.uint8)
    start = (-raw.ctypes.data) % a.itemsize + 1
    v = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    v[...] = a
    assert not v.flags.aligned and v.flags.c_contiguous
    return v


@pytest.mark.parametrize("dt", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", NAMES)
def test_misaligned_operands(name, dt):
    ops, call, expected = _setup(name, dt)
    for operand in ops:
        bad = misaligned(ops[operand])
        args = {k: (bad if k == operand else v.copy()) for k, v in ops.items()}
        np.testing.assert_array_equal(call(**args), expected,
                                      err_msg=f"{name}: misaligned {operand}")
        for k, v in args.items():
            np.testing.assert_array_equal(v, ops[k], err_msg=f"{name} modified {k}")
    # all of them misaligned at once, and a misaligned out
    args = {k: misaligned(v) for k, v in ops.items()}
    out = misaligned(np.zeros(expected.shape, dt))
    assert call(**args, out=out) is out
    np.testing.assert_array_equal(out, expected)
    # ... and out misaligned while it is also the (misaligned) input
    if ops["input"].shape == expected.shape:
        xa = misaligned(ops["input"])
        others = {k: v for k, v in ops.items() if k != "input"}
        assert call(input=xa, **others, out=xa) is xa
        np.testing.assert_array_equal(xa, expected)


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d", "depthwise_separable_conv2d",
                                "spatially_separable_conv2d"])
def test_misaligned_after_a_call_plan(op):
    # an aligned call stores a call plan; a misaligned array of the same shape and dtype must
    # not replay it (the replay checks alignment, not only contiguity)
    ops, call, expected = _setup(op, np.float32)
    call(**ops)
    for operand in ops:
        args = dict(ops, **{operand: misaligned(ops[operand])})
        np.testing.assert_array_equal(call(**args), expected)


def test_plan_get_rejects_misaligned_and_non_contiguous():
    x = np.zeros((2, 3), np.float32)
    key = P.plan_key((x,), (1,))
    plans = {key: "plan"}
    assert P.plan_get(plans, key, (x,)) == "plan"
    assert P.plan_get(plans, key, (misaligned(x),)) is None
    assert P.plan_get(plans, key, (np.zeros((3, 2), np.float32).T,)) is None


def test_as_compute_array_is_aligned_and_keeps_the_callers_array():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert A.as_compute_array(x, np.dtype(np.float32)) is x
    m = misaligned(x)
    c = A.as_compute_array(m, np.dtype(np.float32))
    assert c.flags.aligned and c.flags.c_contiguous and c is not m
    np.testing.assert_array_equal(c, x)
    assert A.as_compute_array(np.array(3.0), np.dtype(np.float64)).shape == ()
