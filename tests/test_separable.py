"""convx.separable vs the oracle (convx.reference.separable) and vs two convx.convNd calls."""
import numpy as np
import pytest

import convx
import convx.reference as R
import convx.separable as S
from _helpers import assert_conv_close

DW = {1: S.depthwise_separable_conv1d, 2: S.depthwise_separable_conv2d,
      3: S.depthwise_separable_conv3d}
CONV = {1: convx.conv1d, 2: convx.conv2d, 3: convx.conv3d}


def _dw_data(rng, nd, N, C, m, Co, sp, k, dtype):
    x = rng.standard_normal((N, C) + (sp,) * nd).astype(dtype)
    dw = rng.standard_normal((C * m, 1) + (k,) * nd).astype(dtype)
    pw = rng.standard_normal((Co, C * m) + (1,) * nd).astype(dtype)
    db = rng.standard_normal(C * m).astype(dtype)
    pb = rng.standard_normal(Co).astype(dtype)
    return x, dw, pw, db, pb


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("case", [
    # N, C, m, Co, spatial, k, stride, padding, dilation
    (2, 3, 1, 5, 9, 3, 1, 1, 1),
    (1, 4, 2, 3, 11, 3, 2, 1, 1),
    (2, 2, 3, 4, 7, 2, 1, "same", 2),
    (1, 5, 1, 6, 8, 3, 3, 2, 1),
    (1, 1, 1, 1, 1, 1, 1, 0, 1),
    (1, 3, 1, 2, 6, 5, 1, "valid", 1),
])
@pytest.mark.parametrize("fused", [False, True], ids=["two-call", "fused"])
def test_depthwise_separable_vs_oracle_and_two_calls(nd, mode, case, dtype, fused, monkeypatch):
    if fused:   # force the fused C driver (normally only for intermediates > 4 MiB)
        monkeypatch.setattr(S, "_DW_TWO_CALL_BYTES", -1)
    N, C, m, Co, sp, k, s, p, d = case
    if mode != "zeros" and isinstance(p, int) and p >= sp:
        pytest.skip("reflect padding needs padding < size")
    rng = np.random.default_rng(20)
    x, dw, pw, db, pb = _dw_data(rng, nd, N, C, m, Co, sp, k, dtype)
    got = DW[nd](x, dw, pw, db, pb, s, p, d, padding_mode=mode)
    exp = getattr(R, f"depthwise_separable_conv{nd}d")(x, dw, pw, db, pb, s, p, d,
                                                       padding_mode=mode)
    kk = k ** nd * C * m
    assert_conv_close(got, exp, dtype, kk, term_scale=3.0)
    two = CONV[nd](CONV[nd](x, dw, db, s, p, d, groups=C, padding_mode=mode), pw, pb)
    assert_conv_close(got, two, dtype, kk, term_scale=3.0)


@pytest.mark.parametrize("fused", [False, True], ids=["two-call", "fused"])
def test_depthwise_separable_unbatched_out_workers(dtype, fused, monkeypatch):
    if fused:
        monkeypatch.setattr(S, "_DW_TWO_CALL_BYTES", -1)
    rng = np.random.default_rng(21)
    x, dw, pw, db, pb = _dw_data(rng, 2, 1, 8, 1, 16, 40, 3, dtype)
    exp = S.depthwise_separable_conv2d(x, dw, pw, db, pb, padding=1)
    got = S.depthwise_separable_conv2d(x[0], dw, pw, db, pb, padding=1)
    assert np.array_equal(got, exp[0])
    out = np.empty_like(exp)
    assert S.depthwise_separable_conv2d(x, dw, pw, db, pb, padding=1, out=out) is out
    assert np.array_equal(out, exp)
    for w in (1, 2, -1):
        assert np.array_equal(S.depthwise_separable_conv2d(x, dw, pw, db, pb, padding=1,
                                                          workers=w), exp)


def test_depthwise_separable_many_blocks(monkeypatch):
    """More output rows than one cache block: several blocks, each feeding the GEMM."""
    monkeypatch.setattr(S, "_DW_TWO_CALL_BYTES", -1)
    rng = np.random.default_rng(22)
    x, dw, pw, db, pb = _dw_data(rng, 2, 2, 64, 1, 8, 70, 3, np.float64)
    x = x[:, :, :, :]
    got = S.depthwise_separable_conv2d(x, dw, pw, None, pb, stride=(1, 2), padding=1)
    exp = R.depthwise_separable_conv2d(x, dw, pw, None, pb, stride=(1, 2), padding=1)
    assert_conv_close(got, exp, np.float64, 9 * 64, term_scale=3.0)


def test_depthwise_separable_dtypes():
    rng = np.random.default_rng(23)
    x = rng.integers(-3, 4, size=(1, 2, 6, 6))
    dw = rng.integers(-2, 3, size=(2, 1, 3, 3))
    pw = rng.integers(-2, 3, size=(3, 2, 1, 1))
    got = S.depthwise_separable_conv2d(x, dw, pw, padding=1)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, R.depthwise_separable_conv2d(x, dw, pw, padding=1))
    got16 = S.depthwise_separable_conv2d(x.astype(np.float16), dw.astype(np.float16),
                                         pw.astype(np.float16), padding=1)
    assert got16.dtype == np.float32


@pytest.mark.parametrize("case", [
    # C, Cmid, Co, H, W, kh, kw, stride, padding, dilation, groups, mode
    (4, 6, 8, 9, 10, 3, 5, 1, "same", 1, 2, "zeros"),
    (3, 4, 5, 12, 7, 7, 1, (2, 1), (3, 0), 1, 1, "reflect"),
    (2, 2, 2, 5, 5, 2, 3, 1, (1, 2), (1, 2), 1, "circular"),
    (2, 2, 2, 6, 6, 3, 3, 2, 1, 1, 1, "replicate"),
    (3, 3, 3, 8, 8, 7, 7, 1, 3, 1, 3, "zeros"),
    (3, 4, 5, 11, 13, 3, 5, (2, 2), 2, (1, 2), 1, "zeros"),
])
@pytest.mark.parametrize("block_bytes", [None, 1])
def test_spatially_separable_vs_oracle_and_two_calls(case, block_bytes, dtype, monkeypatch):
    C, Cm, Co, H, W, kh, kw, s, p, d, g, mode = case
    if block_bytes is not None:   # force one output row per block
        monkeypatch.setattr(S, "_SPATIAL_BLOCK_BYTES", block_bytes)
    rng = np.random.default_rng(24)
    x = rng.standard_normal((2, C, H, W)).astype(dtype)
    cw = rng.standard_normal((Cm, C // g, kh, 1)).astype(dtype)
    rw = rng.standard_normal((Co, Cm // g, 1, kw)).astype(dtype)
    b = rng.standard_normal(Co).astype(dtype)
    got = S.spatially_separable_conv2d(x, cw, rw, b, s, p, d, g, padding_mode=mode)
    exp = R.spatially_separable_conv2d(x, cw, rw, b, s, p, d, g, padding_mode=mode)
    kk = kh * C // g * kw * Cm // g
    assert_conv_close(got, exp, dtype, kk, term_scale=3.0)
    if isinstance(p, int) and mode == "zeros":
        sh, sw = (s, s) if isinstance(s, int) else s
        dh, dw = (d, d) if isinstance(d, int) else d
        mid = convx.conv2d(x, cw, None, (sh, 1), (p, 0), (dh, 1), g)
        two = convx.conv2d(mid, rw, b, (1, sw), (0, p), (1, dw), g)
        assert_conv_close(got, two, dtype, kk, term_scale=3.0)


def test_spatially_separable_unbatched_and_out():
    rng = np.random.default_rng(25)
    x = rng.standard_normal((3, 10, 11))
    cw = rng.standard_normal((4, 3, 5, 1))
    rw = rng.standard_normal((2, 4, 1, 3))
    exp = R.spatially_separable_conv2d(x, cw, rw, padding=(2, 1))
    out = np.empty(exp.shape)
    assert S.spatially_separable_conv2d(x, cw, rw, padding=(2, 1), out=out) is out
    assert_conv_close(out, exp, np.float64, 60, term_scale=3.0)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 3)),
                                          np.ones((3, 2, 1, 1))), ValueError, "depthwise_weight"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((3, 1, 3, 3)),
                                          np.ones((3, 3, 1, 1))), ValueError, "depthwise_weight"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 3, 3))), ValueError, "pointwise_weight"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), np.ones(3)), ValueError,
     "depthwise_bias"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), None, np.ones(2)), ValueError,
     "pointwise_bias"),
    (lambda: S.depthwise_separable_conv2d(np.ones((2, 5, 5, 1, 1)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1))), ValueError, "input"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), stride=0), ValueError, "stride"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), padding="full"), ValueError,
     "padding"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), padding_mode="edge"),
     ValueError, "padding_mode"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 2, 2)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1))), ValueError, "kernel"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), out=np.ones((1, 3, 5, 5))),
     ValueError, "out"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1)), workers=0), ValueError,
     "workers"),
    (lambda: S.depthwise_separable_conv2d(np.ones((1, 2, 5, 5)) * 1j, np.ones((2, 1, 3, 3)),
                                          np.ones((3, 2, 1, 1))), TypeError, "input"),
    (lambda: S.spatially_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 3)),
                                          np.ones((2, 2, 1, 3))), ValueError, "column_weight"),
    (lambda: S.spatially_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 1)),
                                          np.ones((2, 2, 3, 1))), ValueError, "row_weight"),
    (lambda: S.spatially_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 1)),
                                          np.ones((2, 2, 1, 3)), groups=2), ValueError,
     "groups"),
    (lambda: S.spatially_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 1)),
                                          np.ones((2, 2, 1, 3)), groups=1.0), TypeError,
     "groups"),
    (lambda: S.spatially_separable_conv2d(np.ones((1, 2, 5, 5)), np.ones((2, 2, 3, 1)),
                                          np.ones((2, 2, 1, 3)), bias=np.ones(3)), ValueError,
     "bias"),
])
def test_validation(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_hypothesis_depthwise_separable(data):
    nd = data.draw(st.integers(1, 3))
    fused = data.draw(st.booleans())
    C = data.draw(st.integers(1, 4))
    m = data.draw(st.integers(1, 3))
    Co = data.draw(st.integers(1, 5))
    k = data.draw(st.integers(1, 4))
    d = data.draw(st.integers(1, 2))
    s = data.draw(st.integers(1, 3))
    p = data.draw(st.integers(0, 2))
    sp = data.draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), 12))
    rng = np.random.default_rng(data.draw(st.integers(0, 999)))
    x, dw, pw, db, pb = _dw_data(rng, nd, 1, C, m, Co, sp, k, np.float64)
    old = S._DW_TWO_CALL_BYTES
    S._DW_TWO_CALL_BYTES = -1 if fused else old
    try:
        got = DW[nd](x, dw, pw, db, pb, s, p, d)
    finally:
        S._DW_TWO_CALL_BYTES = old
    exp = getattr(R, f"depthwise_separable_conv{nd}d")(x, dw, pw, db, pb, s, p, d)
    assert_conv_close(got, exp, np.float64, k ** nd * C * m, term_scale=3.0)


def test_call_plans_replay_the_same_result():
    # a second call with the same shapes and plain arguments replays the stored plan
    import convx.separable as S
    rng = np.random.default_rng(60)
    x = rng.standard_normal((2, 6, 9, 10)).astype(np.float32)
    dw = rng.standard_normal((12, 1, 3, 3)).astype(np.float32)
    pw = rng.standard_normal((5, 12, 1, 1)).astype(np.float32)
    db = rng.standard_normal(12).astype(np.float32)
    a = convx.depthwise_separable_conv2d(x, dw, pw, db, None, stride=2, padding=1)
    assert len(S._DW_PLANS) >= 1
    b = convx.depthwise_separable_conv2d(x, dw, pw, db, None, stride=2, padding=1)
    assert np.array_equal(a, b) and not np.shares_memory(a, b)
    xf = np.asfortranarray(x)
    assert np.array_equal(convx.depthwise_separable_conv2d(xf, dw, pw, db, None, stride=2,
                                                           padding=1), a)
    with pytest.raises(TypeError):
        convx.depthwise_separable_conv2d(x, dw, pw, db, None, stride=True, padding=1)
    cw = rng.standard_normal((8, 6, 5, 1)).astype(np.float32)
    rw = rng.standard_normal((4, 8, 1, 5)).astype(np.float32)
    bias = rng.standard_normal(4).astype(np.float32)
    c = convx.spatially_separable_conv2d(x, cw, rw, bias, padding=2)
    assert len(S._SS_PLANS) >= 1
    d = convx.spatially_separable_conv2d(x, cw, rw, bias, padding=2)
    assert np.array_equal(c, d) and not np.shares_memory(c, d)
    two = convx.conv2d(convx.conv2d(x, cw, padding=(2, 0)), rw, bias, padding=(0, 2))
    np.testing.assert_allclose(d, two, rtol=1e-5, atol=1e-5)
    with pytest.raises(TypeError):
        convx.spatially_separable_conv2d(x, cw, rw, bias, padding=2.0)


def test_huge_padding_is_a_value_error_naming_it():
    x = np.ones((1, 2, 3, 3), np.float32)
    dw = np.ones((2, 1, 1, 1), np.float32)
    pw = np.ones((3, 2, 1, 1), np.float32)
    with pytest.raises(ValueError, match="^padding="):
        convx.depthwise_separable_conv2d(x, dw, pw, padding=2**40)
    with pytest.raises(ValueError, match="^padding="):
        convx.spatially_separable_conv2d(x, np.ones((2, 2, 1, 1), np.float32),
                                         np.ones((3, 2, 1, 1), np.float32), padding=2**40)
