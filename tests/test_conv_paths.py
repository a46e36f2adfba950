"""Each compute path behind algorithm="direct"/"im2col" against the oracle, on shapes chosen to
land on that path (randomised with hypothesis), and bit-identical across `workers`.

The C entry point picks a variant from the problem (convx_conv_select in csrc/conv.c; one
driver per variant in csrc/conv/):
- depthwise: one input channel per group on AVX2/AVX-512 (csrc/kernels/dwconv/; its own tests
  in test_conv_depthwise.py),
- sliding: the sliding-window kernel (few input channels per group, or few output channels),
- indirect_gemm: per-pixel input pointers, vectors over output channels (dense with a real
  window or a stride, >= 96 output pixels in the batch, output channels filling whole blocks;
  AVX2/AVX-512 only),
- shifted_gemm: GEMM over rows of a padded copy shifted per tap (dense, stride 1, rows >= 12
  wide),
- panel_gemm: im2col panels + convx's GEMM (dense, strided or narrow rows), per-thread or team
  super-tiles,
- blas_gemm (algorithm "im2col"): OpenBLAS on im2col super-tiles, per-thread (batches, many
  groups) or team super-tiles.
Small random shapes rarely reach the dense variants, so these tests build shapes that do.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import convx
from convx import _conv, _cpu
from _helpers import assert_conv_close, conv_op, subprocess_env

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


VARIANTS = {"sliding": 1, "indirect_gemm": 2, "shifted_gemm": 3, "panel_gemm": 4, "blas_gemm": 5}
ALGO_VARIANT = 16   # csrc/convx.h: CONVX_ALGO_VARIANT + CONVX_VARIANT_* forces one variant


def _tuple(v, nd):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


def _run_variant(nd, x, w, b, variant, workers, stride=1, padding=0, dilation=1, groups=1):
    """The convolution by one forced variant (panel_gemm if it declines), through the glue."""
    s, p, d = _tuple(stride, nd), _tuple(padding, nd), _tuple(dilation, nd)
    out = tuple((x.shape[2 + a] + 2 * p[a] - d[a] * (w.shape[2 + a] - 1) - 1) // s[a] + 1
                for a in range(nd))
    lead = (1,) * (3 - nd)
    y = np.empty((x.shape[0], w.shape[0]) + lead + out, x.dtype)
    _conv._conv(np.ascontiguousarray(x.reshape(x.shape[:2] + lead + x.shape[2:])),
                np.ascontiguousarray(w.reshape(w.shape[:2] + lead + w.shape[2:])), b, y,
                lead + s, (0,) * (3 - nd) + p, lead + d, groups,
                ALGO_VARIANT + VARIANTS[variant], workers)
    return y.reshape(y.shape[:2] + out)


def _check(nd, x, w, b, workers=(1, 2), expect=None, **kw):
    """Algorithms "direct", "auto" and "im2col" against the oracle for each `workers`; `expect`
    names a variant (csrc/convx.h, CONVX_VARIANT_*) that can take the shape: it is also run
    forced (the cost model of convx_conv_select may prefer another one for "direct")."""
    op = getattr(convx, f"conv{nd}d")
    ref = getattr(convx.reference, f"conv{nd}d")(x, w, b, **kw)
    k = int(np.prod(w.shape[1:]))
    results = []
    runs = [("direct", None), ("auto", None), ("im2col", None)]
    if expect is not None:
        runs.append(("forced", expect))
    for algo, variant in runs:
        for wk in workers:
            if variant is None:
                y = op(x, w, b, algorithm=algo, workers=wk, **kw)
            else:
                y = _run_variant(nd, x, w, b, variant, wk, **kw)
                assert _conv.last_variant() == variant
            if algo == "direct":
                assert _conv.last_variant() != "blas_gemm"
            if algo == "im2col":
                assert _conv.last_variant() == "blas_gemm"
            assert_conv_close(y, ref, x.dtype, k)
            results.append((algo, y))
    for algo, _ in runs:
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
def test_conv2d_dense_stride1_shifted_gemm(cin, cout, groups, h, wd, k, dil, pad, dtype, bias):
    ext = dil * (k - 1) + 1
    if h + 2 * pad < ext or wd + 2 * pad < ext:
        return
    x, w, b = _data(2, (1, cin * groups, h, wd), (cout * groups, cin, k, k + 1), dtype, bias)
    if wd + 2 * pad < dil * k + 1:
        return
    _check(2, x, w, b, expect="shifted_gemm", padding=pad, dilation=dil, groups=groups)


_HAS_INDIRECT_GEMM = _cpu.active_isa() != "scalar"


@SETTINGS
@given(cin=st.integers(8, 20), cout=st.sampled_from([32, 64, 80, 96]),
       groups=st.sampled_from([1, 2, 4]), n=st.integers(1, 4), oh=st.integers(2, 16),
       ow=st.integers(2, 24), kh=st.integers(1, 4),
       kw=st.integers(1, 4), stride=st.integers(1, 3), dil=st.integers(1, 2),
       pad=st.integers(0, 3), rest=st.integers(0, 2),
       dtype=st.sampled_from([np.float32, np.float64]), bias=st.booleans())
def test_conv2d_dense_indirect_gemm(cin, cout, groups, n, oh, ow, kh, kw, stride, dil, pad, rest,
                                    dtype, bias):
    # whole blocks of output channels (80: a half-empty last block in f32), a real window or a
    # stride, and >= 96 output pixels over the batch (pixel tiles run across image ends); 4
    # groups run whole (group, images) blocks per thread, fewer share each block across the team
    assume((kh * kw > 1 or stride > 1) and n * oh * ow >= 96)
    h = (oh - 1) * stride + dil * (kh - 1) + 1 - 2 * pad + min(rest, stride - 1)
    wd = (ow - 1) * stride + dil * (kw - 1) + 1 - 2 * pad + min(rest, stride - 1)
    assume(h >= 1 and wd >= 1)
    x, w, b = _data(10, (n, cin * groups, h, wd), (cout * groups, cin, kh, kw), dtype, bias)
    _check(2, x, w, b, expect="indirect_gemm" if _HAS_INDIRECT_GEMM else None, stride=stride,
           padding=pad, dilation=dil, groups=groups)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv1d_conv3d_indirect_gemm(dtype):
    expect = "indirect_gemm" if _HAS_INDIRECT_GEMM else None
    x, w, b = _data(11, (2, 12, 130), (64, 12, 5), dtype, True)
    _check(1, x, w, b, expect=expect, padding=2, dilation=3)
    x, w, b = _data(12, (1, 9, 5, 6, 9), (32, 9, 3, 2, 3), dtype, False)
    _check(3, x, w, b, expect=expect, padding=(1, 0, 2), stride=(1, 1, 2))


def test_conv2d_inception_factorised_7x7_reaches_indirect_gemm():
    # the shapes the kernel was built for: 7x1 and 1x7 on 17x17, 128 -> 128 -> 192 channels
    x, w, b = _data(13, (1, 128, 17, 17), (128, 128, 7, 1), np.float32, True)
    _check(2, x, w, b, expect="indirect_gemm" if _HAS_INDIRECT_GEMM else None, padding=(3, 0))
    x, w, b = _data(14, (1, 128, 17, 17), (192, 128, 1, 7), np.float32, False)
    _check(2, x, w, b, expect="indirect_gemm" if _HAS_INDIRECT_GEMM else None, padding=(0, 3))


@SETTINGS
@given(cin=st.integers(8, 24), cout=st.integers(6, 40), h=st.integers(3, 30),
       wd=st.integers(3, 30), k=st.integers(1, 3), stride=st.integers(2, 3),
       pad=st.integers(0, 2), n=st.integers(1, 3), dtype=st.sampled_from([np.float32, np.float64]))
def test_conv2d_dense_strided_panel_gemm(cin, cout, h, wd, k, stride, pad, n, dtype):
    if h + 2 * pad < k or wd + 2 * pad < k:
        return
    x, w, b = _data(3, (n, cin, h, wd), (cout, cin, k, k), dtype, True)
    _check(2, x, w, b, expect="panel_gemm", stride=stride, padding=pad)
    _check(2, x, w, b, expect="sliding", stride=stride, padding=pad)


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
def test_conv3d_dense_stride1_shifted_gemm(dtype):
    x, w, b = _data(6, (1, 9, 5, 6, 20), (7, 9, 3, 2, 3), dtype, True)
    _check(3, x, w, b, expect="shifted_gemm", padding=(1, 0, 2), dilation=(1, 2, 1))


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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_back_padding_only(variant, dtype):
    # padding="same" with an even kernel pads 0 in front and 1 behind (implied by the output
    # size): indirect_gemm used to read such inputs in place, past each row's end (wrong
    # results; reachable from 96 output pixels on, e.g. 20x20 below)
    if variant == "indirect_gemm" and not _HAS_INDIRECT_GEMM:
        pytest.skip("no indirect_gemm kernel on this ISA")
    for xs, ws in [((2, 3, 1, 6, 5), (2, 3, 1, 2, 2)), ((1, 16, 1, 20, 20), (32, 16, 1, 2, 2)),
                   ((1, 8, 4, 5, 6), (16, 8, 2, 2, 2)), ((2, 9, 1, 1, 40), (8, 9, 1, 1, 4))]:
        x, w, b = _data(25, xs, ws, dtype, True)
        ref = convx.reference.conv3d(x, w, b, padding="same")
        ys = []
        for wk in (1, 2):
            y = np.empty((xs[0], ws[0]) + xs[2:], dtype)
            _conv._conv(x, w, b, y, (1, 1, 1), (0, 0, 0) if ws[4] == 2 else (0, 0, 1), (1, 1, 1),
                        1, ALGO_VARIANT + VARIANTS[variant], wk)
            assert _conv.last_variant() == variant
            assert_conv_close(y, ref, dtype, int(np.prod(ws[1:])))
            ys.append(y)
        assert np.array_equal(ys[0], ys[1])


# ---- variants that decline a problem (CONVX_DECLINED) hand it to the next one ----------------
# Each shape below is cheap to compute but makes the variant forced first refuse it at setup
# (padding far wider than the input, or a padded copy over the 64 MiB workspace cap); the entry
# point then runs the im2col-panel GEMM, and last_variant() must say so.

def _declined(nd, x, w, b, ref, variant, **kw):
    for wk in (1, 2):
        y = _run_variant(nd, x, w, b, variant, wk, **kw)
        assert _conv.last_variant() == "panel_gemm"
        assert_conv_close(y, ref, x.dtype, int(np.prod(w.shape[1:])))
        y = conv_op(nd)(x, w, b, algorithm="direct", workers=wk, **kw)
        assert_conv_close(y, ref, x.dtype, int(np.prod(w.shape[1:])))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sliding_declines_padding_far_wider_than_the_input(dtype):
    # 3 input channels: the sliding kernel is picked, but its padded rows would be 10003 wide
    # for a 4-pixel row; output column 1 is the only one that sees the input (columns 0..2)
    x, w, b = _data(20, (2, 3, 5, 4), (8, 3, 3, 3), dtype, True)
    ref = np.broadcast_to(b[None, :, None, None], (2, 8, 3, 3)).copy()
    ref[..., 1] = convx.reference.conv2d(x[..., :3], w, b)[..., 0]
    _declined(2, x, w, b, ref, "sliding", padding=(0, 5000), stride=(1, 5000))


@pytest.mark.skipif(not _HAS_INDIRECT_GEMM, reason="the active ISA has no indirect_gemm kernel")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_indirect_gemm_declines_a_padded_image_over_the_workspace_cap(dtype):
    # dense, strided, 99 output pixels: indirect_gemm is picked (AVX2/AVX-512), but one padded
    # image would be 8 x 2003 x 2003 elements (> 64 MiB); only output pixel (1, 1) sees the input
    x, w, b = _data(21, (11, 8, 4, 4), (32, 8, 3, 3), dtype, True)
    ref = np.broadcast_to(b[None, :, None, None], (11, 32, 3, 3)).copy()
    ref[:, :, 1, 1] = convx.reference.conv2d(x[:, :, :3, :3], w, b)[:, :, 0, 0]
    _declined(2, x, w, b, ref, "indirect_gemm", padding=1000, stride=1000)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shifted_gemm_declines_a_padded_copy_over_the_workspace_cap(dtype):
    # dense, stride 1, rows 16 wide: the shifted GEMM is picked, but its padded copy would be
    # 8 x 2016 x 2016 x 16 elements; with dilation 1000 only the centre taps see the input
    x, w, b = _data(22, (1, 8, 16, 16, 16), (12, 8, 3, 3, 1), dtype, True)
    ref = convx.reference.conv3d(x, w[:, :, 1:2, 1:2, :], b)
    _declined(3, x, w, b, ref, "shifted_gemm", padding=(1000, 1000, 0), dilation=(1000, 1000, 1))


# ---- a reduction longer than the workspace cap allows in one panel --------------------------
# panel_gemm (the last variant, which never declines) holds K x NR im2col rows per panel; when
# that passes the 64 MiB cap it runs the reduction in chunks, each output's sum still in one
# thread in ascending k. Before, it raised MemoryError (zoo case 3d_conv_large_shape:1 under
# AVX-512, where NR = 32: K = 16 * 33^3 = 574992 rows x 32 x 4 bytes = 74 MB).

def _window_sum(x, w, b):
    """conv with a window as large as the input (one output pixel): a float64 dot product."""
    axes = list(range(1, x.ndim))
    y = np.tensordot(x.astype(np.float64), w.astype(np.float64), axes=(axes, axes))
    return (y + b)[(...,) + (None,) * (x.ndim - 2)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv3d_window_as_large_as_the_input_zoo_case(dtype):
    # benchdnn shapes_3d "g1_ic16oc1_id33kd33" (zoo case 3d_conv_large_shape:1, batch 2)
    x, w, b = _data(23, (2, 16, 33, 33, 33), (1, 16, 33, 33, 33), dtype, True)
    ref = _window_sum(x, w, b)
    ys = []
    for algo in ("auto", "direct", "im2col"):
        for wk in (1, 2):
            y = convx.conv3d(x, w, b, algorithm=algo, workers=wk)
            # the cost model's pick depends on the ISA's table (panel_gemm on AVX-512, sliding
            # on AVX2: one output channel); it must run, not raise MemoryError
            v = _conv.last_variant()
            assert v == "blas_gemm" if algo == "im2col" else v in ("panel_gemm", "sliding"), v
            assert_conv_close(y, ref.astype(dtype), dtype, 16 * 33**3)
            ys.append(y)
    assert np.array_equal(ys[0], ys[1]) and np.array_equal(ys[2], ys[3])


@pytest.mark.parametrize("isa", [i for i in _cpu.compiled_isas() if i in _cpu.supported_isas()])
def test_panel_gemm_chunks_a_reduction_over_the_workspace_cap(isa):
    # K = 16 * 41^3 = 1.1M rows: over the cap for every AVX2/AVX-512 tile (NR >= 16 floats);
    # batch 8: workers=1 runs per-job panels, workers=2 the team's shared super-tile, and the
    # two must agree bitwise
    code = """
        import numpy as np, convx
        from convx import _conv
        rng = np.random.default_rng(24)
        x = rng.standard_normal((8, 16, 41, 41, 41)).astype(np.float32)
        w = rng.standard_normal((3, 16, 41, 41, 41)).astype(np.float32)
        b = rng.standard_normal(3).astype(np.float32)
        ax = [1, 2, 3, 4]
        ref = np.tensordot(x.astype(np.float64), w.astype(np.float64), axes=(ax, ax)) + b
        def run(workers):   # panel_gemm forced (CONVX_ALGO_VARIANT + CONVX_VARIANT_PANEL_GEMM):
            y = np.empty((8, 3, 1, 1, 1), np.float32)   # on P = 1 the cost model picks sliding
            _conv._conv(x, w, b, y, (1, 1, 1), (0, 0, 0), (1, 1, 1), 1, 16 + 4, workers)
            assert _conv.last_variant() == "panel_gemm", _conv.last_variant()
            return y
        y1 = run(1)
        y2 = run(2)
        assert np.array_equal(y1, y2)
        err = np.abs(y1[:, :, 0, 0, 0] - ref).max()
        assert err < 4 * np.finfo(np.float32).eps * 16 * 41**3, err
        print("ok")
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=600, env=subprocess_env(CONVX_ISA=isa))
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


def test_argument_errors_in_c_raise_instead_of_falling_back():
    # the C entry point's own checks are errors, never "try another variant"
    x = np.zeros((1, 8, 1, 6, 6), np.float32)
    w = np.zeros((16, 8, 1, 3, 3), np.float32)
    y = np.zeros((1, 16, 1, 4, 4), np.float32)
    ones, zeros = (1, 1, 1), (0, 0, 0)
    with pytest.raises(ValueError, match="invalid argument"):
        _conv._conv(x, w, None, y, ones, zeros, ones, 1, 99, 1)           # unknown algorithm
    with pytest.raises(ValueError, match="invalid argument"):
        _conv._conv(x, w, None, y, ones, (0, -1, 0), ones, 1, _conv.ALGO_DIRECT, 1)


@pytest.mark.parametrize("isa", _cpu.compiled_isas())
def test_choose_algorithm_is_the_c_auto_rule(isa):
    # convx.conv.choose_algorithm asks csrc/conv.c's convx_conv_select (the rule conv2d's
    # algorithm="auto" runs). Scalar ISA: OpenBLAS im2col for >= 8 input and >= 4 output
    # channels per group and fewer than 2**31 - 1 output pixels. AVX2/AVX-512: the cost model,
    # which never sends BLAS-sized-out volumes or depthwise layers to BLAS
    from convx.conv import choose_algorithm
    for cin, cout, out in [(8, 4, (10, 10)), (7, 4, (10, 10)), (8, 3, (10, 10)),
                           (64, 64, (2**16, 2**15)), (64, 64, (2**16, 2**15 - 1)), (1, 1, (5,))]:
        dense = cin >= 8 and cout >= 4 and int(np.prod(out)) < 2**31 - 1
        got = choose_algorithm(cin, cout, (3,) * len(out), out, isa)
        if isa == "scalar":
            assert got == ("im2col" if dense else "direct")
        elif int(np.prod(out)) >= 2**31 - 1 or cin == 1:
            assert got == "direct"
    with pytest.raises(ValueError, match="isa"):
        choose_algorithm(8, 4, (3, 3), (10, 10), "sse9")


# ---- the cost model's picks (convx_conv_select, csrc/conv.c) ---------------------------------
# Layers where the measured margin of the pick over the next variant was >= 1.3x on that ISA
# (CPU time of one thread, Zen 5 capped with CONVX_ISA): DenseNet growth layers (128 -> 32,
# 3x3) and ResNeXt's grouped 3x3 on 7x7 go to indirect_gemm (they went to panel_gemm before,
# 1.5-2x slower); ResNeXt g32 on 56x56 (4 channels per group) to the sliding kernel; on AVX2
# pointwise 2048 -> 512 / 512 -> 2048 on 7x7 to OpenBLAS. Each runs in a child process per ISA.
_PICKS = {
    "avx2": [((1, 128, 7, 7), (32, 128, 3, 3), 1, 1, "indirect_gemm"),
             ((1, 128, 14, 14), (32, 128, 3, 3), 1, 1, "indirect_gemm"),
             ((1, 1024, 7, 7), (1024, 32, 3, 3), 1, 32, "indirect_gemm"),
             ((1, 128, 56, 56), (128, 4, 3, 3), 1, 32, "sliding"),
             ((1, 2048, 7, 7), (512, 2048, 1, 1), 0, 1, "blas_gemm"),
             ((1, 512, 7, 7), (2048, 512, 1, 1), 0, 1, "blas_gemm")],
    "avx512": [((1, 128, 7, 7), (32, 128, 3, 3), 1, 1, "indirect_gemm"),
               ((1, 128, 14, 14), (32, 128, 3, 3), 1, 1, "indirect_gemm"),
               ((1, 1024, 7, 7), (1024, 32, 3, 3), 1, 32, "indirect_gemm"),
               ((1, 128, 56, 56), (128, 4, 3, 3), 1, 32, "sliding")],
}


@pytest.mark.parametrize("isa", [i for i in _PICKS if i in _cpu.supported_isas()
                                 and i in _cpu.compiled_isas()])
def test_cost_model_picks(isa):
    code = f"""
        import numpy as np, convx
        from convx import _conv
        for xs, ws, pad, groups, want in {_PICKS[isa]!r}:
            x = np.ones(xs, np.float32)
            w = np.ones(ws, np.float32)
            convx.conv2d(x, w, padding=pad, groups=groups)
            assert _conv.last_variant() == want, (xs, ws, _conv.last_variant(), want)
            convx.conv2d(x, w, padding=pad, groups=groups, algorithm="direct")
            assert _conv.last_variant() != "blas_gemm"
        print("ok")
    """
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                       text=True, timeout=600, env=subprocess_env(CONVX_ISA=isa))
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr
