"""The sub-pixel transposed-convolution driver (csrc/conv_transpose_subpixel.template.c) and the
"auto" rule that picks it (convx_conv_transpose_select, csrc/conv_transpose.c).

Randomized configurations (hypothesis: stride 1-8, kernel 1-16, padding, output_padding,
dilation, groups incl. depthwise, 1-D/2-D/3-D, batch, f32/f64) against the NumPy oracle, real
transposed shapes (tests/data/deconv_shapes_sample.jsonl), the path each shape takes
(convx.conv_transpose.last_variant), bit-identical results for any `workers`, every ISA this
machine runs (subprocesses with CONVX_ISA), and the decline to GEMM + col2im past stride 64.
"""
import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from convx import reference
from convx.conv_transpose import choose_algorithm, last_variant
from _helpers import DATA_DIR, assert_conv_close, available_isas, subprocess_env

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
PHASE_VARIANTS = ("depthwise", "sliding", "indirect_gemm", "shifted_gemm", "panel_gemm", "blas_gemm")


def ct_op(nd):
    return getattr(convx, f"conv_transpose{nd}d")


def run(nd, x_shape, w_shape, dtype, algorithm="subpixel", seed=0, bias=True, workers=None,
        **kw):
    """(result, oracle, k) for one problem with standard-normal data."""
    groups = kw.get("groups", 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[1] * groups).astype(dtype) if bias else None
    args = (kw.get("stride", 1), kw.get("padding", 0), kw.get("output_padding", 0), groups,
            kw.get("dilation", 1))
    expected = getattr(reference, f"conv_transpose{nd}d")(x, w, b, *args)
    actual = ct_op(nd)(x, w, b, *args, algorithm=algorithm, workers=workers)
    return actual, expected, w_shape[0] // groups * math.prod(w_shape[2:])


def check(nd, x_shape, w_shape, dtype, algorithm="subpixel", **kw):
    actual, expected, k = run(nd, x_shape, w_shape, dtype, algorithm, **kw)
    assert_conv_close(actual, expected, dtype, k, err_msg=f"{x_shape} {w_shape} {kw}")
    return actual


def assert_subpixel_ran(bias_only_ok=False):
    """The sub-pixel driver ran, with a forward variant for its phase convolutions (just
    'subpixel' when every output position belongs to a phase without taps: bias only)."""
    name = last_variant()
    head, _, phase = name.partition(":")
    assert head == "subpixel" and (phase in PHASE_VARIANTS or bias_only_ok and not phase), name


# ---------------------------------------------------------------- hand-picked phase layouts
CASES = [
    # name, nd, x_shape, w_shape, kwargs
    ("dcgan_4x4_s2_p1", 2, (2, 8, 4, 5), (8, 6, 4, 4), dict(stride=2, padding=1)),
    ("unet_2x2_s2", 2, (1, 8, 5, 7), (8, 5, 2, 2), dict(stride=2)),
    ("decoder_3x3_s2_op1", 2, (1, 6, 5, 5), (6, 4, 3, 3), dict(stride=2, padding=1,
                                                             output_padding=1)),
    ("fcn_k16_s8_depthwise", 2, (1, 5, 4, 3), (5, 1, 16, 16), dict(stride=8, padding=4,
                                                                   groups=5)),
    ("fcn_k64_s32_depthwise", 2, (1, 3, 2, 3), (3, 1, 64, 64), dict(stride=32, padding=16,
                                                                    groups=3)),
    ("grouped_k4_s2", 2, (2, 8, 6, 6), (8, 3, 4, 4), dict(stride=2, padding=1, groups=4)),
    ("k1_s2_empty_phase", 2, (1, 4, 5, 5), (4, 3, 1, 1), dict(stride=2, output_padding=1)),
    ("k_lt_s_empty_phases", 1, (2, 3, 7), (3, 2, 2), dict(stride=5, output_padding=3)),
    ("pad_past_kernel_lead", 2, (1, 3, 7, 7), (3, 2, 2, 3), dict(stride=2, padding=3)),
    ("dilation_shares_factor", 1, (1, 3, 9), (3, 4, 5), dict(stride=4, dilation=2, padding=3,
                                                           output_padding=1)),
    ("dilation_coprime", 2, (1, 2, 5, 6), (2, 3, 3, 4), dict(stride=(3, 2), dilation=(2, 3),
                                                           padding=(2, 1))),
    ("stride1_is_a_forward_conv", 2, (2, 5, 6, 7), (5, 4, 3, 3), dict(padding=1)),
    ("stride1_pad_past_kernel", 1, (1, 3, 9), (3, 2, 2), dict(padding=2)),
    ("depthwise_multiplier", 1, (1, 3, 8), (3, 2, 5), dict(groups=3, stride=2, padding=2,
                                                          output_padding=1)),
    ("3d_unet_2x2x2", 3, (1, 4, 3, 4, 5), (4, 3, 2, 2, 2), dict(stride=2)),
    ("3d_per_axis", 3, (2, 4, 3, 4, 3), (4, 2, 3, 2, 4), dict(stride=(1, 2, 3), padding=(1, 0, 2),
                                                             output_padding=(0, 1, 2),
                                                             dilation=(1, 2, 1), groups=2)),
    ("1d_vocoder_k16_s8", 1, (2, 4, 9), (4, 3, 16), dict(stride=8, padding=4)),
]


# Big enough for the forward variants that need many pixels or channels (indirect_gemm,
# shifted_gemm, panel_gemm on 1x1): phase convolutions that read past the input's end must be
# given torch's geometry (back padding <= front padding), which the decoder layer at 56x56 once
# broke on indirect_gemm (found by the bench's cross-check against torch).
MEDIUM = [
    ("decoder_3x3_s2_op1", 2, (1, 16, 20, 20), (16, 32, 3, 3), dict(stride=2, padding=1,
                                                                   output_padding=1)),
    ("decoder_3x3_s2_p0", 2, (2, 16, 12, 13), (16, 12, 3, 3), dict(stride=2)),
    ("dcgan_4x4_s2_p1", 2, (2, 32, 8, 8), (32, 16, 4, 4), dict(stride=2, padding=1)),
    ("stride1_op1_dil2", 2, (1, 16, 14, 14), (16, 16, 3, 3), dict(padding=1, dilation=2,
                                                                 output_padding=1)),
    ("stride1_3x3_p0", 2, (1, 24, 12, 16), (24, 16, 3, 3), {}),
    ("unet_2x2_s2", 2, (1, 32, 14, 14), (32, 16, 2, 2), dict(stride=2)),
    ("1d_k4_s2", 1, (2, 32, 60), (32, 16, 4), dict(stride=2, padding=1)),
    ("3d_3x3x3_s2", 3, (1, 16, 4, 6, 6), (16, 16, 3, 3, 3), dict(stride=2, padding=1,
                                                                output_padding=1)),
]


@pytest.mark.parametrize("name,nd,xs,ws,kw", MEDIUM, ids=[c[0] for c in MEDIUM])
def test_subpixel_medium_shapes(name, nd, xs, ws, kw, dtype):
    check(nd, xs, ws, dtype, **kw)
    assert_subpixel_ran()


@pytest.mark.parametrize("name,nd,xs,ws,kw", CASES, ids=[c[0] for c in CASES])
def test_subpixel_cases(name, nd, xs, ws, kw, dtype):
    check(nd, xs, ws, dtype, **kw)
    assert_subpixel_ran()
    check(nd, xs, ws, dtype, bias=False, seed=1, **kw)


# ---------------------------------------------------------------- hypothesis
@st.composite
def wide_configs(draw, nd):
    groups = draw(st.integers(1, 4))
    depthwise = draw(st.booleans())
    cin = groups * (1 if depthwise else draw(st.integers(1, 3)))
    cog = 1 if depthwise else draw(st.integers(1, 3))
    kmax = {1: 16, 2: 10, 3: 5}[nd]
    k = [draw(st.integers(1, kmax)) for _ in range(nd)]
    s = [draw(st.integers(1, 8)) for _ in range(nd)]
    d = [draw(st.integers(1, 3)) for _ in range(nd)]
    op = [draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d)]
    sizes = [draw(st.integers(1, {1: 9, 2: 5, 3: 3}[nd])) for _ in range(nd)]
    pads = []
    for n_, k_, s_, d_, o_ in zip(sizes, k, s, d, op):
        full = (n_ - 1) * s_ + d_ * (k_ - 1) + o_ + 1
        pads.append(draw(st.integers(0, (full - 1) // 2)))
    return dict(x_shape=(draw(st.integers(1, 3)), cin, *sizes), w_shape=(cin, cog, *k),
                kw=dict(stride=tuple(s), padding=tuple(pads), output_padding=tuple(op),
                        groups=groups, dilation=tuple(d)),
                bias=draw(st.booleans()), seed=draw(st.integers(0, 2**32 - 1)))


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("algorithm", ["subpixel", "auto"])
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=120)
@given(data_=st.data())
def test_subpixel_hypothesis(nd, algorithm, data_):
    cfg = data_.draw(wide_configs(nd))
    dtype = data_.draw(st.sampled_from([np.float32, np.float64]))
    check(nd, cfg["x_shape"], cfg["w_shape"], dtype, algorithm, seed=cfg["seed"],
          bias=cfg["bias"], **cfg["kw"])
    if algorithm == "subpixel" and max(cfg["kw"]["stride"]) <= 64:
        assert_subpixel_ran(bias_only_ok=True)


# ---------------------------------------------------------------- real shapes
with open(os.path.join(DATA_DIR, "deconv_shapes_sample.jsonl")) as _f:
    _RECORDS = [json.loads(line) for line in _f if line.strip()]


@pytest.mark.parametrize("rec", _RECORDS, ids=[f"{r['net']}:{r['name']}" for r in _RECORDS])
def test_subpixel_real_shapes(rec, dtype):
    nd = rec["ndim"]
    kw = dict(stride=tuple(rec["stride"]), padding=tuple(rec["pad"]),
              output_padding=tuple(rec["output_padding"]), groups=rec["groups"],
              dilation=tuple(rec["dilation"]))
    y = check(nd, (rec["mb"], rec["ic"], *rec["in"]),
              (rec["ic"], rec["oc"] // rec["groups"], *rec["k"]), dtype, **kw)
    assert y.shape[2:] == tuple(rec["out"])
    assert_subpixel_ran()


# ---------------------------------------------------------------- paths and the auto rule
def test_last_variant_names_every_driver():
    x = np.ones((1, 4, 8, 8), np.float32)    # 64 input pixels >= 3*16 GEMM rows
    w = np.ones((4, 3, 4, 4), np.float32)
    ct_op(2)(x, w, stride=2, padding=1, algorithm="direct")
    assert last_variant() == "fused"
    ct_op(2)(np.ones((1, 4, 1, 1), np.float32), w, stride=2, algorithm="direct")
    assert last_variant() == "fused_t"      # 1 input pixel < 3*16 GEMM rows
    ct_op(2)(x, w, stride=2, padding=1, algorithm="im2col")
    assert last_variant() == "two_pass"
    ct_op(2)(x, w, stride=2, padding=1, algorithm="subpixel")
    assert_subpixel_ran()


def test_auto_follows_choose_algorithm():
    shapes = [((1, 512, 4, 4), (512, 256, 4, 4), dict(stride=2, padding=1)),
              ((1, 6, 8, 8), (6, 1, 16, 16), dict(stride=8, padding=4, groups=6)),
              ((2, 4, 9), (4, 3, 3), dict(stride=1, padding=1)),
              ((1, 2, 3, 3), (2, 2, 3, 3), dict(stride=70))]
    for xs, ws, kw in shapes:
        algo = choose_algorithm(xs, ws, **kw)
        assert algo in ("subpixel", "direct", "im2col")
        nd = len(xs) - 2
        ct_op(nd)(np.ones(xs, np.float32), np.ones(ws, np.float32), **kw)
        want = {"subpixel": "subpixel", "direct": "fused", "im2col": "two_pass"}[algo]
        got = last_variant().partition(":")[0]
        assert got == want or (algo == "direct" and got == "fused_t"), (xs, ws, kw, got)


def test_choose_algorithm_isa_argument():
    for isa in convx._cpu.compiled_isas():
        assert choose_algorithm((1, 8, 4, 4), (8, 4, 4, 4), stride=2, isa=isa) in (
            "subpixel", "direct", "im2col")
    with pytest.raises(ValueError, match="isa"):
        choose_algorithm((1, 8, 4, 4), (8, 4, 4, 4), stride=2, isa="neon")


@pytest.mark.parametrize("dtype_", [np.float32, np.float64])
def test_stride_past_the_tables_declines_to_gemm(dtype_):
    """Strides above 64 are beyond the phase tables: the GEMM + col2im rule runs instead,
    correctly, and last_variant says so (not a silent change of path)."""
    kw = dict(stride=(1, 70), padding=(0, 3))
    y = check(2, (1, 3, 2, 3), (3, 2, 2, 9), dtype_, algorithm="subpixel", **kw)
    assert y.shape[-1] == (3 - 1) * 70 - 6 + 9
    assert last_variant() in ("fused", "fused_t", "two_pass")


# ---------------------------------------------------------------- determinism
@pytest.mark.parametrize("shape", [
    ((2, 16, 7, 9), (16, 12, 4, 4), dict(stride=2, padding=1)),
    ((1, 12, 9, 8), (12, 1, 16, 16), dict(stride=8, padding=4, groups=12)),
    ((3, 8, 40), (8, 6, 7), dict(stride=3, padding=2, output_padding=1, dilation=2)),
    ((1, 6, 4, 9, 9), (6, 8, 2, 2, 2), dict(stride=2, groups=2)),
    ((2, 32, 12, 12), (32, 24, 3, 3), dict(stride=1, padding=1)),
], ids=["dcgan", "fcn_depthwise", "1d_dilated", "3d_grouped", "stride1"])
def test_subpixel_workers_bit_identical(shape):
    xs, ws, kw = shape
    nd = len(xs) - 2
    rng = np.random.default_rng(5)
    x = rng.standard_normal(xs).astype(np.float32)
    w = rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[1] * kw.get("groups", 1)).astype(np.float32)
    y1 = ct_op(nd)(x, w, b, **kw, algorithm="subpixel", workers=1)
    for n in (2, 3, 1):
        assert np.array_equal(y1, ct_op(nd)(x, w, b, **kw, algorithm="subpixel", workers=n)), n


def test_subpixel_inputs_untouched_and_out():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 4, 5, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(3)
    xc, wc, bc = x.copy(), w.copy(), b.copy()
    out = np.full((2, 3, 9, 12), np.nan)
    y = ct_op(2)(x, w, b, stride=2, padding=1, output_padding=(0, 1), algorithm="subpixel",
                 out=out)
    assert y is out and not np.isnan(out).any()
    assert np.array_equal(x, xc) and np.array_equal(w, wc) and np.array_equal(b, bc)
    expected = reference.conv_transpose2d(x, w, b, 2, 1, (0, 1))
    assert_conv_close(out, expected, np.float64, 4 * 9)


# ---------------------------------------------------------------- every ISA
_ISA_SCRIPT = """
import numpy as np, convx
from convx.conv_transpose import last_variant
assert convx._cpu.active_isa() == {isa!r}
rng = np.random.default_rng(11)
cases = [((1, 8, 4, 5), (8, 6, 4, 4), dict(stride=2, padding=1)),
         ((2, 6, 5, 4), (6, 1, 16, 16), dict(stride=8, padding=4, groups=6)),
         ((1, 24, 6, 6), (24, 16, 3, 3), dict(stride=2, padding=1, output_padding=1)),
         ((1, 16, 20, 20), (16, 16, 3, 3), dict(stride=2, padding=1, output_padding=1)),
         ((1, 16, 14, 14), (16, 16, 3, 3), dict(padding=1, dilation=2, output_padding=1)),
         ((2, 5, 17), (5, 4, 4), dict(stride=2, padding=1, dilation=2)),
         ((1, 4, 3, 4, 4), (4, 3, 2, 3, 2), dict(stride=(2, 1, 2), padding=(0, 1, 0)))]
for xs, ws, kw in cases:
    nd = len(xs) - 2
    for dt, tol in ((np.float32, 2e-4), (np.float64, 1e-11)):
        x = rng.standard_normal(xs).astype(dt)
        w = rng.standard_normal(ws).astype(dt)
        b = rng.standard_normal(ws[1] * kw.get("groups", 1)).astype(dt)
        y = getattr(convx, f"conv_transpose{{nd}}d")(x, w, b, algorithm="subpixel", **kw)
        assert last_variant().startswith("subpixel:"), last_variant()
        r = getattr(convx.reference, f"conv_transpose{{nd}}d")(x, w, b, **kw)
        err = np.abs(y - r).max() / (np.abs(r).max() + 1)
        assert y.dtype == dt and err < tol, (xs, ws, kw, dt, err)
print("ok")
"""


@pytest.mark.parametrize("isa_", available_isas())
def test_subpixel_every_isa(isa_):
    res = subprocess.run([sys.executable, "-c", textwrap.dedent(_ISA_SCRIPT.format(isa=isa_))],
                         capture_output=True, text=True, timeout=300, cwd=TESTS_DIR,
                         env=subprocess_env(CONVX_ISA=isa_))
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr[-2000:]
