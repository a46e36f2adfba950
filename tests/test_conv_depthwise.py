"""Variant "depthwise" (csrc/conv/depthwise.template.c + the dwconv kernels) against the oracle.

One input channel per group (any channel multiplier up to the table's depthwise_max_cog), 1-D
and 2-D windows: randomised with hypothesis over window (square 3/5/7 reach the fixed-window
kernels, anything else the generic one), stride, dilation, padding, multiplier, batch and map
sizes down to one pixel, both dtypes; real depthwise layers from tests/data/ and from the bench's
`depthwise` suite (published networks, convx/_bench/depthwise.py). Results must be bit-identical
for any `workers` and last_variant() must name "depthwise". The module runs on the active ISA;
test_each_isa reruns it in a subprocess under CONVX_ISA for every other ISA this CPU has.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import convx
from convx import _conv, _cpu
from _helpers import assert_conv_close

HERE = os.path.dirname(os.path.abspath(__file__))
ACTIVE = _cpu.active_isa()
HAS_DWCONV = ACTIVE in ("avx2", "avx512")   # the scalar table has no dwconv kernels
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _run(x, w, b, nd, workers=(1, 2), **kw):
    op = getattr(convx, f"conv{nd}d")
    ref = getattr(convx.reference, f"conv{nd}d")(x, w, b, **kw)
    ys = []
    for wk in workers:
        y = op(x, w, b, algorithm="direct", workers=wk, **kw)
        if HAS_DWCONV:
            assert _conv.last_variant() == "depthwise"
        assert_conv_close(y, ref, x.dtype, int(np.prod(w.shape[1:])))
        ys.append(y)
    for y in ys[1:]:
        assert np.array_equal(y, ys[0]), "result depends on workers"


@SETTINGS
@given(n=st.integers(1, 3), c=st.integers(1, 12), mult=st.integers(1, 4),
       oh=st.integers(1, 20), ow=st.integers(1, 40),
       kh=st.sampled_from([1, 2, 3, 5, 7, 9]), square=st.booleans(), kw=st.integers(1, 8),
       sh=st.integers(1, 3), sw=st.integers(1, 3), dh=st.integers(1, 3), dw=st.integers(1, 3),
       ph=st.integers(0, 4), pw=st.integers(0, 4), extra=st.integers(0, 2),
       dtype=st.sampled_from([np.float32, np.float64]), bias=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_depthwise_random(n, c, mult, oh, ow, kh, square, kw, sh, sw, dh, dw, ph, pw, extra,
                          dtype, bias, seed):
    if square:
        kw, sw, dw = kh, sh, dh
    ph, pw = min(ph, dh * (kh - 1)), min(pw, dw * (kw - 1))
    h = (oh - 1) * sh + dh * (kh - 1) + 1 - 2 * ph + min(extra, sh - 1)
    wd = (ow - 1) * sw + dw * (kw - 1) + 1 - 2 * pw + min(extra, sw - 1)
    if h < 1 or wd < 1:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, wd)).astype(dtype)
    w = rng.standard_normal((c * mult, 1, kh, kw)).astype(dtype)
    b = rng.standard_normal(c * mult).astype(dtype) if bias else None
    _run(x, w, b, 2, stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw), groups=c)


@pytest.mark.parametrize("hw", [1, 2, 7, 14])
@pytest.mark.parametrize("k", [3, 5, 7])
@pytest.mark.parametrize("stride", [1, 2])
def test_depthwise_small_maps(hw, k, stride, dtype):
    # 7x7 and 14x14 maps (and one pixel) at every fixed window, "same" padding: the flat
    # (rows spanning vectors) and row-by-row paths
    rng = np.random.default_rng(hw * 100 + k * 10 + stride)
    x = rng.standard_normal((2, 24, hw, hw)).astype(dtype)
    w = rng.standard_normal((24, 1, k, k)).astype(dtype)
    b = rng.standard_normal(24).astype(dtype)
    _run(x, w, b, 2, stride=stride, padding=k // 2, groups=24)


@pytest.mark.parametrize("k,pad", [(3, 1), (31, 15), (5, 0)])
def test_depthwise_conv1d(k, pad, dtype):
    rng = np.random.default_rng(k)
    x = rng.standard_normal((2, 16, 100)).astype(dtype)
    w = rng.standard_normal((32, 1, k)).astype(dtype)
    _run(x, w, None, 1, padding=pad, groups=16)


def _data_shapes():
    out = []
    with open(os.path.join(HERE, "data", "conv_shapes_sample.jsonl")) as f:
        for line in f:
            s = json.loads(line)
            if s["groups"] > 1 and s["groups"] == s["ic"]:
                out.append(pytest.param(s, id=s["name"]))
    return out


@pytest.mark.parametrize("s", _data_shapes())
def test_depthwise_real_shapes(s):
    """tests/data/conv_shapes_sample.jsonl (benchdnn's MobileNet and 1-D depthwise layers)."""
    rng = np.random.default_rng(7)
    nd = s["ndim"]
    x = rng.standard_normal((s["mb"], s["ic"], *s["in"])).astype(np.float32)
    w = rng.standard_normal((s["oc"], 1, *s["k"])).astype(np.float32)
    b = rng.standard_normal(s["oc"]).astype(np.float32)
    _run(x, w, b, nd, stride=tuple(s["stride"]), padding=tuple(s["pad"]),
         dilation=tuple(s["dilation"]), groups=s["groups"])


def _suite_cases():
    from convx._bench import SUITES
    return [pytest.param(c, id=c.name) for c in SUITES["depthwise"].cases]


@pytest.mark.slow
@pytest.mark.parametrize("case", _suite_cases())
def test_depthwise_published_networks(case):
    """The bench's depthwise suite (MobileNet v2/v3, EfficientNet-B0, ConvNeXt-T, DeepLab v3,
    Conformer): full-size layers, batch 1 (batch 8 cases at batch 2)."""
    rng = np.random.default_rng(8)
    shape = (min(case.input_shape[0], 2), *case.input_shape[1:])
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(case.weight_shape).astype(np.float32)
    _run(x, w, None, len(shape) - 2, workers=(1, 2), stride=case.stride, padding=case.padding,
         dilation=case.dilation, groups=case.groups)


def test_depthwise_large_multiplier_keeps_sliding():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((1, 4, 9, 9)).astype(np.float32)
    w = rng.standard_normal((4 * 16, 1, 3, 3)).astype(np.float32)
    y = convx.conv2d(x, w, padding=1, groups=4, algorithm="direct")
    # multipliers above depthwise_max_cog leave the depthwise variant; the cost model picks
    # among the others (sliding or indirect_gemm)
    assert _conv.last_variant() in ("sliding", "indirect_gemm", "shifted_gemm", "panel_gemm")
    from convx.reference import conv2d as ref_conv2d
    np.testing.assert_allclose(y, ref_conv2d(x, w, padding=1, groups=4), rtol=1e-4, atol=1e-4)


@pytest.mark.skipif(os.environ.get("CONVX_DW_CHILD") == "1", reason="already the child run")
@pytest.mark.parametrize("isa", ["avx2", "avx512"])
def test_each_isa(isa):
    """This module under CONVX_ISA=<isa> in a child process (the active ISA runs in-process)."""
    if isa == ACTIVE:
        pytest.skip("the active ISA runs this module in-process")
    if isa not in _cpu.supported_isas():
        pytest.skip(f"this CPU has no {isa}")
    env = dict(os.environ, CONVX_ISA=isa, CONVX_DW_CHILD="1")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                        "-m", "not slow", os.path.abspath(__file__)],
                       cwd=os.path.dirname(HERE), env=env, capture_output=True, text=True,
                       timeout=1200)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
