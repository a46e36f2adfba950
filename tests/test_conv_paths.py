"""Each compute path behind algorithm="direct"/"im2col" against the oracle, on shapes chosen to
land on that path (randomised with hypothesis), and bit-identical across `workers`.

The C drivers pick a variant from the problem (csrc/conv.template.c, `convx_conv_f32`):
- depthwise 3x3 stride 1/2 register kernels (csrc/kernels/dwconv/, f32, AVX-512),
- the sliding-window kernel (few input channels per group, or few output channels),
- the indirect GEMM over a padded copy (dense, stride 1, rows >= 12 wide),
- the im2col-panel GEMM (dense, strided or narrow rows), per-thread or team super-tiles,
- OpenBLAS im2col, per-thread super-tiles (batches, many groups) or team super-tiles.
Small random shapes rarely reach the dense variants, so these tests build shapes that do.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from _helpers import assert_conv_close

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check(nd, x, w, b, workers=(1, 2), **kw):
    op = getattr(convx, f"conv{nd}d")
    ref = getattr(convx.reference, f"conv{nd}d")(x, w, b, **kw)
    k = int(np.prod(w.shape[1:]))
    results = []
    for algo in ("direct", "im2col"):
        for wk in workers:
            y = op(x, w, b, algorithm=algo, workers=wk, **kw)
            assert_conv_close(y, ref, x.dtype, k)
            results.append((algo, y))
    for algo in ("direct", "im2col"):
        ys = [y for a, y in results if a == algo]
        for y in ys[1:]:
            assert np.array_equal(y, ys[0]), f"{algo}: result depends on workers"


def _data(seed, xs, ws, dtype, bias):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype) if bias else None
    return x, w, b


@SETTINGS
@given(c=st.integers(1, 40), mult=st.integers(1, 2), h=st.integers(1, 40), wd=st.integers(1, 70),
       stride=st.sampled_from([1, 2]), pad=st.integers(0, 3), n=st.integers(1, 2),
       dtype=st.sampled_from([np.float32, np.float64]), bias=st.booleans())
def test_conv2d_depthwise_3x3_paths(c, mult, h, wd, stride, pad, n, dtype, bias):
    if h + 2 * pad < 3 or wd + 2 * pad < 3:
        return
    x, w, b = _data(1, (n, c, h, wd), (c * mult, 1, 3, 3), dtype, bias)
    _check(2, x, w, b, stride=stride, padding=pad, groups=c)


@SETTINGS
@given(cin=st.integers(8, 24), cout=st.integers(6, 40), groups=st.sampled_from([1, 2]),
       h=st.integers(1, 10), wd=st.integers(12, 60), k=st.integers(1, 4), dil=st.integers(1, 2),
       pad=st.integers(0, 3), dtype=st.sampled_from([np.float32, np.float64]),
       bias=st.booleans())
def test_conv2d_dense_stride1_indirect_gemm(cin, cout, groups, h, wd, k, dil, pad, dtype, bias):
    ext = dil * (k - 1) + 1
    if h + 2 * pad < ext or wd + 2 * pad < ext:
        return
    x, w, b = _data(2, (1, cin * groups, h, wd), (cout * groups, cin, k, k + 1), dtype, bias)
    if wd + 2 * pad < dil * k + 1:
        return
    _check(2, x, w, b, padding=pad, dilation=dil, groups=groups)


@SETTINGS
@given(cin=st.integers(8, 24), cout=st.integers(6, 40), h=st.integers(3, 30),
       wd=st.integers(3, 30), k=st.integers(1, 3), stride=st.integers(2, 3),
       pad=st.integers(0, 2), n=st.integers(1, 3), dtype=st.sampled_from([np.float32, np.float64]))
def test_conv2d_dense_strided_gemm_panels(cin, cout, h, wd, k, stride, pad, n, dtype):
    if h + 2 * pad < k or wd + 2 * pad < k:
        return
    x, w, b = _data(3, (n, cin, h, wd), (cout, cin, k, k), dtype, True)
    _check(2, x, w, b, stride=stride, padding=pad)


@SETTINGS
@given(cin=st.integers(8, 64), cout=st.integers(6, 80), hw=st.integers(1, 8),
       k=st.sampled_from([1, 3]), dtype=st.sampled_from([np.float32, np.float64]))
def test_conv2d_dense_small_image_team_mode(cin, cout, hw, k, dtype):
    # few output pixels and many channels: the team builds one shared im2col super-tile
    x, w, b = _data(4, (1, cin, hw, hw), (cout, cin, k, k), dtype, True)
    _check(2, x, w, b, padding=k // 2)


@SETTINGS
@given(groups=st.integers(2, 40), cig=st.integers(1, 9), cog=st.integers(1, 9),
       n=st.integers(1, 3), hw=st.integers(3, 12), dtype=st.sampled_from([np.float32, np.float64]))
def test_conv2d_many_groups_and_batches(groups, cig, cog, n, hw, dtype):
    # im2col runs whole super-tiles per thread here; direct runs sliding or GEMM per group
    x, w, b = _data(5, (n, cig * groups, hw, hw), (cog * groups, cig, 3, 3), dtype, True)
    _check(2, x, w, b, padding=1, groups=groups)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv3d_dense_stride1_indirect_gemm(dtype):
    x, w, b = _data(6, (1, 9, 5, 6, 20), (7, 9, 3, 2, 3), dtype, True)
    _check(3, x, w, b, padding=(1, 0, 2), dilation=(1, 2, 1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv1d_dense_paths(dtype):
    x, w, b = _data(7, (2, 16, 300), (24, 16, 5), dtype, True)
    _check(1, x, w, b, padding=2)
    _check(1, x, w, b, stride=3, dilation=2)


def test_conv2d_huge_stride_and_dilation_give_the_right_answer():
    # the drivers must not size buffers from parameters that do not matter (or barely do)
    x = np.arange(1.0, 6.0).reshape(1, 1, 1, 5)
    w = np.ones((1, 1, 1, 1))
    for algo in ("direct", "im2col", "auto"):
        for s in (2**32, 2**61, 2**63 - 1):
            assert convx.conv2d(x, w, stride=s, algorithm=algo).ravel().tolist() == [1.0]
        y = convx.conv2d(x, w, stride=(1, 2**61), padding=(0, 2**60), algorithm=algo)
        assert y.ravel().tolist() == [0.0, 0.0]
    xx = np.random.default_rng(8).standard_normal((1, 16, 3, 14))
    ww = np.random.default_rng(9).standard_normal((8, 16, 2, 2))
    for algo in ("direct", "im2col"):
        y = convx.conv2d(xx, ww, dilation=(1, 2**39), padding=(1, 2**39), stride=(1, 2**40),
                         algorithm=algo)
        # one output column: tap kw=0 lands in the zero padding, tap kw=1 on input column 0
        ref = convx.conv2d(xx[..., :1], ww[..., 1:2], padding=(1, 0), algorithm="reference")
        assert y.shape == (1, 8, 4, 1)
        assert_conv_close(y, ref, np.float64, 32)
