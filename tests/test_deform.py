"""convx.deform_conv2d against the NumPy oracle convx.reference.deform_conv2d.

Layers (STYLE.md section 10): randomized agreement with the oracle (hypothesis), the identities
of issue #4 (zero offsets == conv2d, integer offsets == a shifted conv, samples exactly on the
borders), the API contract (every validation error names its argument, dtype policy, out=,
non-contiguous inputs, inputs never modified) and bit-identical results for any `workers`.
"""
import math

import numpy as np
import pytest

import convx
from convx.reference import deform_conv2d as ref_deform
from _helpers import assert_conv_close

try:
    from hypothesis import given, settings, HealthCheck
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    st = None


def _out(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def make_problem(seed, N, C_in, C_out, G, OG, k, stride=1, padding=0, dilation=1, hw=(6, 5),
                 dtype=np.float64, mask=True, bias=True, off_scale=2.0):
    """Seeded inputs for one deform_conv2d problem: (args tuple, kwargs dict)."""
    rng = np.random.default_rng(seed)
    kh, kw = k
    s = (stride, stride) if isinstance(stride, int) else stride
    p = (padding, padding) if isinstance(padding, int) else padding
    d = (dilation, dilation) if isinstance(dilation, int) else dilation
    OH, OW = _out(hw[0], kh, s[0], p[0], d[0]), _out(hw[1], kw, s[1], p[1], d[1])
    x = rng.standard_normal((N, C_in, *hw)).astype(dtype)
    off = (off_scale * rng.standard_normal((N, 2 * OG * kh * kw, OH, OW))).astype(dtype)
    w = rng.standard_normal((C_out, C_in // G, kh, kw)).astype(dtype)
    m = rng.standard_normal((N, OG * kh * kw, OH, OW)).astype(dtype) if mask else None
    b = rng.standard_normal(C_out).astype(dtype) if bias else None
    return (x, off, w, b), dict(stride=stride, padding=padding, dilation=dilation, mask=m)


def check_against_oracle(args, kw, dtype, **extra):
    x, off, w, b = args
    got = convx.deform_conv2d(x, off, w, b, **kw, **extra)
    want = ref_deform(x, off, w, b, **kw)
    assert_conv_close(got, want, dtype, k=math.prod(w.shape[1:]))
    return got


# ------------------------------------------------------------------------------------------
# oracle agreement
# ------------------------------------------------------------------------------------------

def test_torchvision_test_configuration(dtype):
    """torchvision's own TestDeformConv problem: C_in=6, G=2, OG=3 (groups straddle)."""
    for mask in (True, False):
        args, kw = make_problem(0, 33, 6, 2, 2, 3, (3, 2), stride=(2, 1), padding=(1, 0),
                                dilation=(2, 1), hw=(5, 4), dtype=dtype, mask=mask)
        out = check_against_oracle(args, kw, dtype)
        assert out.shape == (33, 2, 2, 3)


@pytest.mark.parametrize("N,C_in,C_out,G,OG,k,s,p,d,hw", [
    (1, 16, 32, 1, 1, (3, 3), 1, 1, 1, (9, 11)),      # dense, one NR block
    (2, 8, 24, 2, 4, (3, 3), 2, 1, 1, (17, 13)),      # grouped, stride 2
    (3, 12, 12, 3, 2, (1, 3), 1, (0, 2), (1, 2), (7, 7)),
    (1, 64, 64, 1, 1, (3, 3), 1, 1, 1, (7, 7)),        # team path (few pixel blocks)
    (8, 32, 16, 1, 2, (3, 3), 1, 1, 1, (12, 12)),      # per-thread blocks path
    (1, 4, 4, 4, 4, (2, 2), 1, 0, 1, (40, 3)),         # depthwise-like
])
def test_fixed_shapes(dtype, N, C_in, C_out, G, OG, k, s, p, d, hw):
    for mask, bias in ((True, True), (False, False)):
        args, kw = make_problem(1, N, C_in, C_out, G, OG, k, s, p, d, hw, dtype, mask, bias)
        check_against_oracle(args, kw, dtype)


if st is not None:

    @st.composite
    def deform_configs(draw):
        G = draw(st.integers(1, 3))
        OG = draw(st.integers(1, 3))
        C_in = G * OG // math.gcd(G, OG) * draw(st.integers(1, 2))
        C_out = G * draw(st.integers(1, 3))
        kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        s = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        p = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
        d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
        hw = tuple(max(1, d_ * (k_ - 1) + 1 - 2 * p_) + draw(st.integers(0, 6))
                   for k_, p_, d_ in zip((kh, kw), p, d))
        return dict(N=draw(st.integers(1, 3)), C_in=C_in, C_out=C_out, G=G, OG=OG, k=(kh, kw),
                    stride=s, padding=p, dilation=d, hw=hw,
                    dtype=draw(st.sampled_from([np.float32, np.float64])),
                    mask=draw(st.booleans()), bias=draw(st.booleans()),
                    off_scale=draw(st.sampled_from([0.0, 0.7, 3.0, 12.0])),
                    seed=draw(st.integers(0, 2**16)))

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(deform_configs())
    def test_matches_oracle_randomized(cfg):
        cfg = dict(cfg)
        seed, dtype = cfg.pop("seed"), cfg["dtype"]
        args, kw = make_problem(seed, **cfg)
        check_against_oracle(args, kw, dtype, workers=2)


# ------------------------------------------------------------------------------------------
# identities
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("G,s,p,d", [(1, 1, 1, 1), (2, 2, 0, 1), (4, (1, 2), (2, 1), (2, 1))])
def test_zero_offsets_equal_conv2d(dtype, G, s, p, d):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 8, 10, 9)).astype(dtype)
    w = rng.standard_normal((12, 8 // G, 3, 3)).astype(dtype)
    b = rng.standard_normal(12).astype(dtype)
    want = convx.conv2d(x, w, b, s, p, d, groups=G)
    OH, OW = want.shape[2:]
    off = np.zeros((2, 2 * 2 * 9, OH, OW), dtype)
    ones = np.ones((2, 2 * 9, OH, OW), dtype)
    for mask in (None, ones):
        got = convx.deform_conv2d(x, off, w, b, s, p, d, mask)
        assert_conv_close(got, want, dtype, k=8 // G * 9)


@pytest.mark.parametrize("dy,dx", [(1, 0), (0, -2), (-3, 2), (5, 7)])
def test_integer_offsets_equal_shifted_conv(dtype, dy, dx):
    """Offsets (dy, dx) on every tap == conv2d of the zero-extended input shifted by (dy, dx)."""
    rng = np.random.default_rng(3)
    N, C, H, W, k, s, p, d = 2, 5, 9, 8, 3, 2, 1, 1
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((6, C, k, k)).astype(dtype)
    OH, OW = _out(H, k, s, p, d), _out(W, k, s, p, d)
    off = np.zeros((N, 2 * k * k, OH, OW), dtype)
    off[:, 0::2] = dy
    off[:, 1::2] = dx
    M = 16  # zero margin larger than any shift plus padding
    xe = np.pad(x, ((0, 0), (0, 0), (M, M), (M, M)))
    shifted = xe[:, :, M - p + dy:, M - p + dx:]
    want = convx.conv2d(shifted, w, None, s)[:, :, :OH, :OW]
    got = convx.deform_conv2d(x, off, w, None, s, p, d)
    assert_conv_close(got, want, dtype, k=C * k * k)


def test_samples_exactly_on_borders(dtype):
    """1x1 identity kernel: the output is the sample itself, so the border rule is visible."""
    H, W = 3, 4
    x = (np.arange(H * W, dtype=dtype) + 1).reshape(1, 1, H, W)
    w = np.ones((1, 1, 1, 1), dtype)
    # output pixel (0, 0) samples at (dy, dx): y = dy, x = dx
    cases = [  # (y, x, expected value)
        (-1.0, 0.0, 0.0), (H, 0.0, 0.0), (0.0, -1.0, 0.0), (0.0, W, 0.0),   # exactly outside
        (H - 1.0, W - 1.0, x[0, 0, H - 1, W - 1]), (0.0, 0.0, x[0, 0, 0, 0]),  # exact pixels
        (-0.5, 0.0, 0.5 * x[0, 0, 0, 0]), (H - 0.5, 1.0, 0.5 * x[0, 0, H - 1, 1]),
        (1.0, -0.25, 0.75 * x[0, 0, 1, 0]), (1.0, W - 0.75, 0.75 * x[0, 0, 1, W - 1]),
        (-1.5, 1.0, 0.0), (H + 3.0, W + 3.0, 0.0), (1.5, 2.5, x[0, 0, 1:3, 2:4].mean()),
    ]
    for y, xx, want in cases:
        off = np.array([y, xx], dtype).reshape(1, 2, 1, 1)
        got = convx.deform_conv2d(x, off, w, stride=(H, W))
        ref = ref_deform(x, off, w, stride=(H, W))
        assert got.shape == (1, 1, 1, 1)
        np.testing.assert_allclose(got[0, 0, 0, 0], want, rtol=1e-6, err_msg=f"{(y, xx)}")
        np.testing.assert_allclose(ref[0, 0, 0, 0], want, rtol=1e-6, err_msg=f"{(y, xx)}")


def test_offsets_far_outside_give_bias_only(dtype):
    args, kw = make_problem(4, 2, 4, 6, 1, 2, (3, 3), 1, 1, 1, (5, 5), dtype)
    x, off, w, b = args
    off = np.full_like(off, 1e4)
    got = convx.deform_conv2d(x, off, w, b, **kw)
    np.testing.assert_array_equal(got, np.broadcast_to(b.reshape(1, -1, 1, 1), got.shape))


def test_mask_scales_linearly(dtype):
    args, kw = make_problem(5, 1, 4, 4, 1, 1, (3, 3), 1, 1, 1, (6, 6), dtype, bias=False)
    x, off, w, _ = args
    a = convx.deform_conv2d(x, off, w, **kw)
    kw2 = dict(kw, mask=kw["mask"] * 2)
    assert_conv_close(convx.deform_conv2d(x, off, w, **kw2), 2 * a, dtype, k=36)


# ------------------------------------------------------------------------------------------
# threads and purity
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("N,hw,C", [(1, (7, 7), 64), (6, (20, 17), 24), (1, (45, 40), 8)])
def test_workers_bit_identical(dtype, N, hw, C):
    args, kw = make_problem(6, N, C, 40, 2, 2, (3, 3), 1, 1, 1, hw, dtype)
    ref = convx.deform_conv2d(*args, **kw, workers=1)
    for w in (2, 3):
        np.testing.assert_array_equal(convx.deform_conv2d(*args, **kw, workers=w), ref)
    np.testing.assert_array_equal(convx.deform_conv2d(*args, **kw, workers=1), ref)


def test_concurrent_calls_from_threads():
    """The GIL is released around the C driver and the workspace pool is shared: concurrent
    calls from Python threads must each get their own correct result."""
    from concurrent.futures import ThreadPoolExecutor
    probs = [make_problem(20 + i, 2, 16, 16, 1, 2, (3, 3), 1, 1, 1, (9 + i, 8), np.float32)
             for i in range(6)]
    want = [convx.deform_conv2d(*a, **k, workers=1) for a, k in probs]
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda ak: convx.deform_conv2d(*ak[0], **ak[1], workers=2), probs * 3))
    for i, g in enumerate(got):
        np.testing.assert_array_equal(g, want[i % len(probs)])


def test_inputs_not_modified(dtype):
    args, kw = make_problem(7, 2, 6, 4, 2, 3, (3, 3), 1, 1, 1, (6, 6), dtype)
    copies = [a.copy() for a in args] + [kw["mask"].copy()]
    convx.deform_conv2d(*args, **kw)
    for before, after in zip(copies, list(args) + [kw["mask"]]):
        np.testing.assert_array_equal(before, after)


# ------------------------------------------------------------------------------------------
# API contract: dtypes, out=, layouts, empty problems
# ------------------------------------------------------------------------------------------

def test_dtype_policy():
    args, kw = make_problem(8, 1, 4, 4, 1, 1, (3, 3), 1, 1, 1, (5, 5), np.float64)
    x, off, w, b = args
    m = kw.pop("mask")
    f16 = convx.deform_conv2d(x.astype(np.float16), off, w.astype(np.float16), b, mask=m, **kw)
    assert f16.dtype == np.float32
    i = convx.deform_conv2d(np.round(x * 4).astype(np.int32), off, np.round(w).astype(np.int8),
                            b, mask=m, **kw)
    assert i.dtype == np.float64
    # offset / mask / bias do not take part in the dtype choice: converted to it
    f32 = convx.deform_conv2d(x.astype(np.float32), off, w.astype(np.float32), b, mask=m, **kw)
    assert f32.dtype == np.float32
    want = ref_deform(x.astype(np.float32), off.astype(np.float32), w.astype(np.float32),
                      b.astype(np.float32), mask=m.astype(np.float32), **kw)
    assert_conv_close(f32, want, np.float32, k=36)
    mixed = convx.deform_conv2d(x.astype(np.float32), off, w, b, mask=m, **kw)
    assert mixed.dtype == np.float64
    big = convx.deform_conv2d(x.astype(">f8"), off.astype(">f8"), w, b, mask=m, **kw)
    assert big.dtype == np.float64 and big.dtype.isnative
    assert_conv_close(big, ref_deform(x, off, w, b, mask=m, **kw), np.float64, k=36)


def test_out_argument(dtype):
    args, kw = make_problem(9, 2, 4, 6, 2, 1, (3, 3), 1, 1, 1, (5, 5), dtype)
    want = convx.deform_conv2d(*args, **kw)
    out = np.full(want.shape, np.nan, dtype)
    res = convx.deform_conv2d(*args, **kw, out=out)
    assert res is out
    np.testing.assert_array_equal(out, want)


def test_non_contiguous_inputs(dtype):
    args, kw = make_problem(10, 2, 6, 4, 2, 3, (3, 3), 1, 1, 1, (6, 7), dtype)
    x, off, w, b = args
    m = kw.pop("mask")
    want = convx.deform_conv2d(x, off, w, b, mask=m, **kw)
    xf = np.asfortranarray(x)
    offs = np.ascontiguousarray(np.swapaxes(off, 2, 3)).swapaxes(2, 3)
    ws = np.repeat(w, 2, axis=3)[..., ::2]
    ms = np.asfortranarray(m)
    bs = np.repeat(b, 2)[::2]
    got = convx.deform_conv2d(xf, offs, ws, bs, mask=ms, **kw)
    np.testing.assert_array_equal(got, want)


def test_lists_accepted():
    x = np.ones((1, 1, 3, 3)).tolist()
    off = np.zeros((1, 2, 3, 3)).tolist()
    got = convx.deform_conv2d(x, off, [[[[2.0]]]])
    np.testing.assert_array_equal(got, np.full((1, 1, 3, 3), 2.0))


def test_empty_batch_and_channels(dtype):
    x = np.zeros((0, 4, 5, 5), dtype)
    off = np.zeros((0, 18, 5, 5), dtype)
    w = np.ones((3, 4, 3, 3), dtype)
    got = convx.deform_conv2d(x, off, w, padding=1)
    assert got.shape == (0, 3, 5, 5) and got.dtype == dtype
    x = np.ones((1, 4, 5, 5), dtype)
    off = np.zeros((1, 18, 3, 3), dtype)
    got = convx.deform_conv2d(x, off, np.ones((0, 4, 3, 3), dtype))
    assert got.shape == (1, 0, 3, 3)


# ------------------------------------------------------------------------------------------
# validation: every error names its argument
# ------------------------------------------------------------------------------------------

def _ok():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 6, 5, 5))
    off = rng.standard_normal((2, 2 * 3 * 9, 5, 5))
    w = rng.standard_normal((4, 3, 3, 3))
    m = rng.standard_normal((2, 3 * 9, 5, 5))
    return dict(input=x, offset=off, weight=w, bias=np.zeros(4), padding=1, mask=m)


def _call(**changes):
    kw = _ok()
    kw.update(changes)
    return convx.deform_conv2d(**kw)


def test_valid_baseline_call():
    assert _call().shape == (2, 4, 5, 5)


@pytest.mark.parametrize("changes,exc,match", [
    (dict(input=np.zeros((6, 5, 5))), ValueError, "input"),
    (dict(input=np.zeros((2, 6, 5, 5, 1))), ValueError, "input"),
    (dict(weight=np.zeros((4, 3, 3))), ValueError, "weight"),
    (dict(offset=np.zeros((54, 5, 5))), ValueError, "offset"),
    (dict(mask=np.zeros((27, 5, 5))), ValueError, "mask"),
    (dict(weight=np.zeros((4, 4, 3, 3))), ValueError, "weight"),       # 4 does not divide 6
    (dict(weight=np.zeros((3, 3, 3, 3)), bias=None), ValueError, "weight"),  # C_out % G
    (dict(weight=np.zeros((4, 3, 0, 3))), ValueError, "weight"),
    (dict(input=np.zeros((2, 0, 5, 5)), weight=np.zeros((4, 0, 3, 3))), ValueError, "input"),
    (dict(offset=np.zeros((2, 17, 5, 5))), ValueError, "offset"),     # not a multiple of 18
    (dict(offset=np.zeros((2, 0, 5, 5))), ValueError, "offset"),
    (dict(offset=np.zeros((2, 72, 5, 5)), mask=None), ValueError, "offset"),  # OG=4 !| 6
    (dict(offset=np.zeros((3, 54, 5, 5))), ValueError, "offset"),     # batch
    (dict(offset=np.zeros((2, 54, 5, 4))), ValueError, "offset"),     # spatial
    (dict(mask=np.zeros((2, 9, 5, 5))), ValueError, "mask"),          # channels (OG*taps)
    (dict(mask=np.zeros((1, 27, 5, 5))), ValueError, "mask"),         # batch
    (dict(mask=np.zeros((2, 27, 4, 5))), ValueError, "mask"),         # spatial
    (dict(bias=np.zeros(5)), ValueError, "bias"),
    (dict(bias=np.zeros((4, 1))), ValueError, "bias"),
    (dict(stride=0), ValueError, "stride"),
    (dict(stride=(1, 1, 1)), ValueError, "stride"),
    (dict(stride=1.5), TypeError, "stride"),
    (dict(padding=-1), ValueError, "padding"),
    (dict(padding="same"), TypeError, "padding"),
    (dict(dilation=0), ValueError, "dilation"),
    (dict(dilation=(1, True)), TypeError, "dilation"),
    (dict(workers=0), ValueError, "workers"),
    (dict(workers=1.0), TypeError, "workers"),
    (dict(input=np.zeros((2, 6, 5, 5), complex)), TypeError, "input"),
    (dict(offset=np.zeros((2, 54, 5, 5), complex)), TypeError, "offset"),
    (dict(weight=np.array([["a"]])), TypeError, "weight"),
    (dict(mask=np.zeros((2, 27, 5, 5), object)), TypeError, "mask"),
    (dict(bias=np.zeros(4, complex)), TypeError, "bias"),
    (dict(input=np.zeros((2, 6, 1, 1)), padding=0), ValueError, "kernel"),
    (dict(input=np.zeros((2, 6, 0, 5))), ValueError, "input"),
    (dict(out=np.zeros((2, 4, 5, 4))), ValueError, "out"),
    (dict(out=np.zeros((2, 4, 5, 5), np.float32)), ValueError, "out"),
    (dict(out=np.zeros((2, 4, 5, 5)).T), ValueError, "out"),
    (dict(out=[0.0]), TypeError, "out"),
])
def test_validation_errors(changes, exc, match):
    with pytest.raises(exc, match=match):
        _call(**changes)


def test_kernel_larger_than_padded_input_message():
    with pytest.raises(ValueError, match="larger than the padded input"):
        _call(input=np.zeros((2, 6, 2, 5)), padding=0, offset=np.zeros((2, 54, 1, 3)),
              mask=None)


def test_huge_padding_is_a_value_error_naming_it():
    x = np.ones((1, 2, 3, 3), np.float32)
    w = np.ones((2, 2, 1, 1), np.float32)
    off = np.zeros((1, 2, 3, 3), np.float32)
    with pytest.raises(ValueError, match="^padding="):
        convx.deform_conv2d(x, off, w, padding=2**40)
    with pytest.raises(ValueError, match="dilation"):
        convx.deform_conv2d(x, np.zeros((1, 8, 3, 3), np.float32),
                            np.ones((2, 2, 2, 2), np.float32), dilation=2**40)
