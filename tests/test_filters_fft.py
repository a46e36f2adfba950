"""The C FFT (overlap-save) path of convx.filters.correlate/convolve vs the NumPy oracle.

The driver (csrc/filters_fft.template.c) is called directly on random sizes (tiny, odd, larger
than a tile), kernel shapes up to half a tile, every mode and origin, both dtypes; then through
the public functions, where convx/filters/_fft.py's rules send large kernels to it. FFT results
equal the direct sum up to the transform's rounding, so tolerances scale with log2(N), the
kernel's absolute sum and the input's magnitude. Results must not depend on `workers`.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import convx.filters as F
import convx.filters._correlate as filters_correlate
import convx.filters._fft as filters_fft
import convx.reference as R
from convx import _filters
from _helpers import available_isas, subprocess_env

MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]


def fft_close(got, exp, w, x, dtype, logn):
    eps = np.finfo(dtype).eps
    atol = 8 * eps * logn * float(np.abs(w).sum()) * max(float(np.abs(x).max()), 1e-30)
    np.testing.assert_allclose(np.asarray(got, np.float64), exp, rtol=0, atol=atol)


def run_driver(x, w, origin, mode, cval, logn, workers=1):
    """correlate(x, w) over the last two axes of x [B, H, W] by the C driver."""
    y = np.empty_like(x)
    lo = (w.shape[0] // 2 + origin[0], w.shape[1] // 2 + origin[1])
    ok = _filters._filter_fft(x, np.ascontiguousarray(w, dtype=x.dtype), y, lo,
                              _filters.MODES[mode], cval, logn, workers)
    return y, ok


def oracle(x, w, origin, mode, cval):
    return np.stack([R.correlate(xb.astype(np.float64), w.astype(np.float64), mode=mode,
                                 cval=cval, origin=origin) for xb in x])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_driver_vs_oracle_fixed_cases(mode, dtype):
    rng = np.random.default_rng(21)
    # (B, H, W), (kH, kW), origin, logn: one tile, many tiles, ragged last tiles, kernels at
    # half a tile, 1-pixel and 1-row images, kernels longer than the image (extension repeats)
    for shape, ks, origin, logn in [((1, 1, 1), (3, 3), (0, 0), 5),
                                    ((2, 1, 37), (5, 16), (0, -8), 5),
                                    ((1, 9, 4), (16, 16), (7, -8), 5),
                                    ((3, 70, 45), (7, 4), (-3, 1), 5),
                                    ((1, 130, 129), (31, 31), (0, 15), 6),
                                    ((1, 100, 260), (2, 64), (-1, -32), 7)]:
        x = rng.standard_normal(shape).astype(dtype)
        w = rng.standard_normal(ks)
        got, ok = run_driver(x, w, origin, mode, 0.75, logn)
        assert ok
        fft_close(got, oracle(x, w, origin, mode, 0.75), w, x, dtype, logn)


def test_driver_bit_identical_for_any_workers():
    rng = np.random.default_rng(22)
    x = rng.standard_normal((2, 301, 257)).astype(np.float32)
    w = rng.standard_normal((21, 13))
    ref, _ = run_driver(x, w, (0, 0), "reflect", 0.0, 6, workers=1)
    for wk in (2, 3, 8):
        got, _ = run_driver(x, w, (0, 0), "reflect", 0.0, 6, workers=wk)
        assert np.array_equal(got, ref)


def test_driver_flags_non_finite_outputs():
    x = np.ones((1, 80, 80))
    x[0, 40, 7] = np.inf
    _, ok = run_driver(x, np.ones((5, 5)), (0, 0), "reflect", 0.0, 5)
    assert not ok


def test_driver_rejects_bad_tiles():
    x = np.ones((1, 40, 40), np.float32)
    for w, logn in [(np.ones((17, 3)), 5), (np.ones((3, 3)), 4), (np.ones((3, 3)), 13)]:
        with pytest.raises(ValueError):
            run_driver(x, w, (0, 0), "reflect", 0.0, logn)


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_hypothesis_driver_vs_oracle(data):
    logn = data.draw(st.sampled_from([5, 6, 7]), "logn")
    n = 1 << logn
    kh = data.draw(st.integers(1, n // 2), "kh")
    kw = data.draw(st.integers(1, n // 2), "kw")
    B = data.draw(st.integers(1, 2), "B")
    H = data.draw(st.integers(1, 3 * n), "H")
    W = data.draw(st.integers(1, 3 * n), "W")
    o1 = data.draw(st.integers(-(kh // 2), (kh - 1) // 2), "o1")
    o2 = data.draw(st.integers(-(kw // 2), (kw - 1) // 2), "o2")
    mode = data.draw(st.sampled_from(MODES), "mode")
    dtype = data.draw(st.sampled_from([np.float32, np.float64]), "dtype")
    workers = data.draw(st.integers(1, 3), "workers")
    seed = data.draw(st.integers(0, 2 ** 32 - 1), "seed")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, H, W)).astype(dtype)
    w = rng.standard_normal((kh, kw))
    got, ok = run_driver(x, w, (o1, o2), mode, -0.5, logn, workers)
    assert ok
    fft_close(got, oracle(x, w, (o1, o2), mode, -0.5), w, x, dtype, logn)
    if workers > 1:
        assert np.array_equal(got, run_driver(x, w, (o1, o2), mode, -0.5, logn, 1)[0])


def test_rules_pick_tiles_and_keep_small_problems_direct():
    assert filters_fft._c_plan("scalar", np.float32, (9, 9), 1 << 20) == 6
    assert filters_fft._c_plan("scalar", np.float64, (31, 31), 1 << 20) == 6
    for isa in ("avx2", "avx512", "scalar"):
        assert filters_fft._c_plan(isa, np.float32, (5, 5), 1 << 20) is None
        assert filters_fft._c_plan(isa, np.float32, (40, 40), 1 << 20) == 7
        assert filters_fft._c_plan(isa, np.float32, (31, 31), 64 * 64) is None
        assert filters_fft._c_plan(isa, np.float32, (15, 15), 1 << 20) == 6
    for isa in ("avx2", "avx512"):
        assert filters_fft._c_plan(isa, np.float32, (11, 11), 1 << 20) is None
        assert filters_fft._c_plan(isa, np.float32, (31, 31), 1 << 20) == 7
        assert filters_fft._c_plan(isa, np.float64, (100, 100), 1 << 20) == 8
        assert filters_fft._c_plan(isa, np.float64, (3, 300), 1 << 20) is None


@pytest.mark.parametrize("mode", MODES)
def test_public_functions_take_the_c_path(mode, monkeypatch):
    calls = []
    real = filters_correlate._correlate_fft_c

    def spy(*a, **k):
        calls.append(a[1].shape)
        return real(*a, **k)
    monkeypatch.setattr(filters_correlate, "_correlate_fft_c", spy)
    rng = np.random.default_rng(23)
    for shape, ks, origin in [((150, 131), (17, 19), (3, -2)), ((2, 129, 140), (31, 31), 0)]:
        for dt in (np.float32, np.float64):
            x = rng.standard_normal(shape).astype(dt)
            w = rng.standard_normal(ks)
            axes = None if len(shape) == 2 else (1, 2)
            for fn in ("correlate", "convolve"):
                n0 = len(calls)
                got = getattr(F, fn)(x, w, mode=mode, cval=0.25, origin=origin, axes=axes,
                                     workers=2)
                exp = getattr(R, fn)(x, w, mode=mode, cval=0.25, origin=origin, axes=axes)
                assert len(calls) == n0 + 1 and got.dtype == dt
                fft_close(got, exp, w, x, dt, 7)


def test_public_non_finite_input_falls_back_to_direct():
    rng = np.random.default_rng(24)
    x = rng.standard_normal((140, 150))
    x[30, 40] = np.inf
    x[100, 7] = np.nan
    w = rng.standard_normal((15, 15))
    got = F.correlate(x, w)
    exp = R.correlate(x, w)
    assert np.array_equal(np.isfinite(got), np.isfinite(exp))
    fin = np.isfinite(exp)
    np.testing.assert_allclose(got[fin], exp[fin], rtol=1e-9, atol=1e-9)


def test_public_fft_results_do_not_depend_on_workers():
    rng = np.random.default_rng(25)
    x = rng.standard_normal((333, 290)).astype(np.float32)
    w = rng.standard_normal((25, 25))
    ref = F.correlate(x, w, workers=1)
    for wk in (2, 3):
        assert np.array_equal(F.correlate(x, w, workers=wk), ref)


_CHILD = """
import numpy as np
import convx.filters as F, convx.reference as R
from convx import _cpu
from convx.filters import _fft
rng = np.random.default_rng(26)
for dt in (np.float32, np.float64):
    for shape, ks in [((130, 141), (13, 13)), ((200, 150), (40, 31)), ((129, 300), (64, 20))]:
        x = rng.standard_normal(shape).astype(dt)
        w = rng.standard_normal(ks)
        assert _fft._c_plan(_cpu.active_isa(), dt, ks, x.size) is not None
        for mode in ("reflect", "constant", "wrap"):
            got = F.correlate(x, w, mode=mode, cval=1.0)
            exp = R.correlate(x, w, mode=mode, cval=1.0)
            atol = 8 * np.finfo(dt).eps * 8 * np.abs(w).sum() * np.abs(x).max()
            np.testing.assert_allclose(got, exp, rtol=0, atol=atol)
print("ok", _cpu.active_isa())
"""


@pytest.mark.parametrize("isa_name", available_isas())
def test_c_path_on_every_isa(isa_name):
    r = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                       env=subprocess_env(CONVX_ISA=isa_name), cwd=os.path.dirname(__file__),
                       timeout=300)
    assert r.returncode == 0 and f"ok {isa_name}" in r.stdout, r.stderr[-2000:]
