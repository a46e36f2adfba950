"""convx.filters vs the NumPy oracle (convx.reference.filters) and scipy.ndimage itself.

scipy is a test extra: the scipy comparisons skip without it, the oracle ones always run.
float64 results must match to a few ulps of the tap sum; float32 (which convx keeps in float32
and scipy computes in float64) to float32 rounding of the same sums.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import convx.filters as F
import convx.filters._correlate as filters_correlate  # where correlate reads its thresholds
import convx.reference as R
from _helpers import available_isas, subprocess_env

try:
    import scipy.ndimage as ndi
except ImportError:  # pragma: no cover - scipy is a test extra
    ndi = None

needs_scipy = pytest.mark.skipif(ndi is None, reason="scipy not installed")
MODES = ["reflect", "constant", "nearest", "mirror", "wrap"]
ALL_MODES = MODES + ["grid-mirror", "grid-wrap", "grid-constant"]


def close(actual, expected, dtype=np.float64, taps=9, scale=1.0):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(actual.astype(np.float64), expected.astype(np.float64),
                               rtol=8 * eps, atol=8 * eps * taps * scale, equal_nan=True)


# (input shape, kernel shape): 1-D, 2-D, 3-D, odd and even sizes, 1-pixel images, kernels
# larger than the image (the extension rule repeats), thin axes.
CASES = [
    ((9,), (3,)), ((7,), (4,)), ((1,), (5,)), ((3,), (8,)),
    ((9, 11), (3, 3)), ((8, 7), (4, 2)), ((1, 1), (3, 3)), ((2, 3), (7, 6)), ((1, 9), (5, 1)),
    ((5, 40), (3, 5)), ((33, 70), (5, 5)),
    ((4, 5, 6), (3, 3, 3)), ((3, 4, 5), (2, 5, 4)), ((1, 1, 1), (3, 3, 3)), ((2, 3, 2), (5, 5, 5)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape,kshape", CASES, ids=lambda v: "x".join(map(str, v)))
def test_correlate_convolve_vs_oracle(shape, kshape, mode):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    w = rng.standard_normal(kshape)
    origin = [(k - 1) // 2 for k in kshape]   # the largest allowed shift
    for fn in ("correlate", "convolve"):
        for o in (0, origin):
            got = getattr(F, fn)(x, w, mode=mode, cval=0.7, origin=o)
            exp = getattr(R, fn)(x, w, mode=mode, cval=0.7, origin=o)
            assert got.dtype == np.float64
            close(got, exp, taps=w.size)


@needs_scipy
@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("shape,kshape", CASES[::2], ids=lambda v: "x".join(map(str, v)))
def test_correlate_convolve_vs_scipy(shape, kshape, mode):
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    w = rng.standard_normal(kshape)
    neg = [-(k // 2) for k in kshape]
    for fn in ("correlate", "convolve"):
        for o in (0, neg):
            close(getattr(F, fn)(x, w, mode=mode, cval=-1.5, origin=o),
                  getattr(ndi, fn)(x, w, mode=mode, cval=-1.5, origin=o), taps=w.size)


@pytest.mark.parametrize("mode", MODES)
def test_correlate1d_convolve1d_every_axis(mode):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 1, 7, 3))
    for k in (1, 2, 6, 11):
        w = rng.standard_normal(k)
        for axis in (-4, 1, 3):
            for origin in {0, -(k // 2), (k - 1) // 2}:
                for fn in ("correlate1d", "convolve1d"):
                    got = getattr(F, fn)(x, w, axis=axis, mode=mode, cval=2.0, origin=origin)
                    exp = getattr(R, fn)(x, w, axis=axis, mode=mode, cval=2.0, origin=origin)
                    close(got, exp, taps=k)
                    if ndi is not None:
                        close(got, getattr(ndi, fn)(x, w, axis=axis, mode=mode, cval=2.0,
                                                    origin=origin), taps=k)


def test_correlate_large_image_layouts():
    """Row-wise, interleaved and batched layouts of the C driver, threads on and off."""
    rng = np.random.default_rng(4)
    for shape, w_shape, axes in [((64, 100), (5, 7), None), ((40, 30, 3), (3, 5), (0, 1)),
                                 ((6, 20, 24), (3, 3), (1, 2)), ((20, 50), (1, 9), None),
                                 ((50, 20), (9, 1), None), ((3, 20, 40), (5,), 1),
                                 ((10, 12, 64), (3, 3), (0, 1))]:
        x = rng.standard_normal(shape)
        w = rng.standard_normal(w_shape)
        exp = R.correlate(x, w, mode="mirror", axes=axes)
        got1 = F.correlate(x, w, mode="mirror", axes=axes, workers=1)
        got2 = F.correlate(x, w, mode="mirror", axes=axes, workers=2)
        close(got1, exp, taps=w.size)
        assert np.array_equal(got1, got2), "workers changed the result"


def test_axes_and_origin_rules_vs_oracle():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 7, 8))
    w = rng.standard_normal((3, 4))
    for axes in [(0, 2), (2, 0), (1, 2), (-1, 0)]:
        for origin in [0, (1, -1), (-1, 1), (1, 0)]:
            for fn in ("correlate", "convolve"):
                got = getattr(F, fn)(x, w, origin=origin, axes=axes, mode="wrap")
                exp = getattr(R, fn)(x, w, origin=origin, axes=axes, mode="wrap")
                close(got, exp, taps=w.size)
                if ndi is not None:
                    close(got, getattr(ndi, fn)(x, w, origin=origin, axes=axes, mode="wrap"),
                          taps=w.size)
    w3 = rng.standard_normal((3, 2, 3))
    for axes in [(2, 0, 1), (1, 2, 0)]:   # every axis named: origin[k] belongs to axis k
        got = F.correlate(x, w3, origin=(1, 0, -1), axes=axes)
        close(got, R.correlate(x, w3, origin=(1, 0, -1), axes=axes), taps=w3.size)


def test_four_filtered_axes_numpy_fallback():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 4, 5, 4))
    w = rng.standard_normal((2, 3, 2, 3))
    for mode in MODES:
        close(F.correlate(x, w, mode=mode, cval=1.0), R.correlate(x, w, mode=mode, cval=1.0),
              taps=w.size)


def test_tiny_and_nan_weights_are_skipped_in_nd_only():
    x = np.array([[1.0, np.inf, 2.0], [3.0, 4.0, np.nan], [5.0, 6.0, 7.0]])
    w = np.array([[1e-20, 0.0, 1.0], [0.0, 1.0, 0.0], [np.nan, 0.0, 2.0]])
    got = F.correlate(x, w, mode="nearest")
    close(got, R.correlate(x, w, mode="nearest"))
    if ndi is not None:
        close(got, ndi.correlate(x, w, mode="nearest"))
    x1 = np.array([1.0, np.inf, 2.0, 3.0])
    got1 = F.correlate1d(x1, [0.0, 1.0, 0.0])   # 1-D: every weight used, 0*inf = nan
    close(got1, R.correlate1d(x1, [0.0, 1.0, 0.0]))
    assert np.isnan(got1[0]) and np.isnan(got1[2])


@pytest.mark.parametrize("mode", MODES)
def test_rank1_kernels_run_separably_and_match(mode):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40, 37)).astype(np.float32)
    g = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
    for w in (np.outer(g, g), np.outer(g, [1.0, -2.0, 0.5, 1.0, 3.0]), np.ones((6, 6))):
        for cval in (0.0, 2.0):
            got = F.correlate(x, w, mode=mode, cval=cval)
            assert got.dtype == np.float32
            close(got, R.correlate(x.astype(np.float64), w, mode=mode, cval=cval),
                  np.float32, taps=w.size, scale=np.abs(w).max() * 3)


def test_dtypes_and_output_argument():
    rng = np.random.default_rng(8)
    xf = rng.standard_normal((9, 10))
    w = rng.integers(-3, 4, size=(3, 3)).astype(np.float64)
    for dt, res in [(np.float32, np.float32), (np.float16, np.float32), (np.float64, np.float64),
                    (np.int16, np.float64), (np.uint8, np.float64), (np.bool_, np.float64),
                    (np.int64, np.float64)]:
        x = (xf * 50).astype(dt) if dt != np.bool_ else xf > 0
        got = F.correlate(x, w)
        assert got.dtype == res, dt
        exp = R.correlate(x, w)
        assert exp.dtype == res
        close(got, exp, res, taps=9, scale=max(1.0, float(np.abs(x).max())))
    xi = rng.integers(-100, 100, size=(9, 10)).astype(np.int32)   # exact integer sums
    for out_dt in (np.int8, np.int16, np.uint16, np.int32, np.float32, np.float64, np.bool_):
        got = F.correlate(xi, w, output=out_dt, mode="wrap")
        exp = R.correlate(xi, w, output=out_dt, mode="wrap")
        assert got.dtype == out_dt
        np.testing.assert_array_equal(got, exp)
        if ndi is not None and out_dt != np.bool_:
            np.testing.assert_array_equal(got, ndi.correlate(xi, w, output=out_dt, mode="wrap"))
        arr = np.zeros(xi.shape, dtype=out_dt)
        assert F.correlate(xi, w, output=arr, mode="wrap") is arr
        np.testing.assert_array_equal(arr, exp)
    # output may be the input itself, or a non-contiguous view
    x = rng.standard_normal((8, 9))
    exp = R.correlate(x, w)
    xc = x.copy()
    assert F.correlate(xc, w, output=xc) is xc
    close(xc, exp, taps=9)
    big = np.zeros((8, 18))
    view = big[:, ::2]
    F.correlate(x, w, output=view)
    close(view, exp, taps=9)


def test_input_not_modified_and_noncontiguous():
    rng = np.random.default_rng(9)
    base = rng.standard_normal((20, 30))
    x = base[::2, ::3]
    keep = base.copy()
    close(F.correlate(x, np.ones((3, 3))), R.correlate(x, np.ones((3, 3))))
    close(F.gaussian_filter(x, 1.0), R.correlate1d(R.correlate1d(
        x, F._gaussian_kernel1d(1.0, 0, 4), axis=0), F._gaussian_kernel1d(1.0, 0, 4), axis=1))
    assert np.array_equal(base, keep)


def test_zero_size_and_scalar_kernel():
    x = np.zeros((0, 5))
    assert F.correlate(x, np.ones((3, 3))).shape == (0, 5)
    assert F.uniform_filter(np.zeros((4, 0)), 3).shape == (4, 0)
    y = np.arange(6.0).reshape(2, 3)
    close(F.correlate(y, [[2.0]]), 2 * y)
    close(F.correlate(y, [[1e-30]]), R.correlate(y, [[1e-30]]))   # skipped: zeros


def test_workers_bit_identical():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((300, 257)).astype(np.float32)
    w = rng.standard_normal((7, 9)).astype(np.float32)
    a = F.correlate(x, w, mode="reflect", workers=1)
    b = F.correlate(x, w, mode="reflect", workers=2)
    c = F.correlate(x, w, mode="reflect", workers=-1)
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert np.array_equal(F.gaussian_filter(x, 3.0, workers=1), F.gaussian_filter(x, 3.0, workers=2))


# ------------------------------------------------------------------------------------------
# composite filters vs scipy
# ------------------------------------------------------------------------------------------

@needs_scipy
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", [(17,), (1, 1), (12, 15), (5, 6, 7), (3, 1, 4, 5)])
def test_edge_filters_and_laplace_vs_scipy(shape, mode):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape)
    for cval in (0.0, 1.5):
        for axis in range(-1, len(shape)):
            close(F.sobel(x, axis, mode=mode, cval=cval),
                  ndi.sobel(x, axis, mode=mode, cval=cval), taps=16)
            close(F.prewitt(x, axis, mode=mode, cval=cval),
                  ndi.prewitt(x, axis, mode=mode, cval=cval), taps=16)
        close(F.laplace(x, mode=mode, cval=cval), ndi.laplace(x, mode=mode, cval=cval), taps=16)
    if len(shape) >= 2:
        close(F.laplace(x, mode=mode, axes=(0, -1)), ndi.laplace(x, mode=mode, axes=(0, -1)))


@needs_scipy
def test_edge_filters_float32_and_mode_sequences():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((30, 31)).astype(np.float32)
    for f in ("sobel", "prewitt"):
        got = getattr(F, f)(x, 0)
        assert got.dtype == np.float32
        close(got, getattr(ndi, f)(x, 0), np.float32, taps=16)
        close(getattr(F, f)(x, 1, mode=["wrap", "constant"], cval=2.0),
              getattr(ndi, f)(x, 1, mode=["wrap", "constant"], cval=2.0), np.float32, taps=16,
              scale=4)
    close(F.laplace(x, mode=["nearest", "mirror"]), ndi.laplace(x, mode=["nearest", "mirror"]),
          np.float32, taps=16)


@needs_scipy
@pytest.mark.parametrize("mode", MODES)
def test_gaussian_vs_scipy(mode):
    rng = np.random.default_rng(13)
    x = rng.standard_normal((23, 19))
    for kw in [dict(sigma=1.0), dict(sigma=0.5, truncate=2.0), dict(sigma=(2.0, 0.7)),
               dict(sigma=1.5, order=1), dict(sigma=(1.0, 2.0), order=(2, 1)),
               dict(sigma=3.0, radius=2), dict(sigma=(0.0, 1.2)), dict(sigma=0.0),
               dict(sigma=8.0)]:
        close(F.gaussian_filter(x, mode=mode, cval=0.5, **kw),
              ndi.gaussian_filter(x, mode=mode, cval=0.5, **kw), taps=60)
    x3 = rng.standard_normal((6, 7, 3)).astype(np.float32)
    got = F.gaussian_filter(x3, 1.2, mode=mode, axes=(0, 1))
    assert got.dtype == np.float32
    close(got, ndi.gaussian_filter(x3, 1.2, mode=mode, axes=(0, 1)), np.float32, taps=60)
    for axis in (0, 1):
        close(F.gaussian_filter1d(x, 1.3, axis, order=1, mode=mode),
              ndi.gaussian_filter1d(x, 1.3, axis, order=1, mode=mode), taps=20)
    close(F.gaussian_gradient_magnitude(x, 1.1, mode=mode),
          ndi.gaussian_gradient_magnitude(x, 1.1, mode=mode), taps=60)
    close(F.gaussian_gradient_magnitude(x, 1.1, mode=mode, axes=(1,)),
          ndi.gaussian_gradient_magnitude(x, 1.1, mode=mode, axes=(1,)), taps=60)


@needs_scipy
@pytest.mark.parametrize("mode", MODES)
def test_uniform_vs_scipy(mode):
    rng = np.random.default_rng(14)
    x = rng.standard_normal((13, 16, 3))
    for kw in [dict(size=3), dict(size=(4, 1, 1)), dict(size=5, origin=-2), dict(size=(2, 3, 1)),
               dict(size=1), dict(size=20)]:
        close(F.uniform_filter(x, mode=mode, cval=1.0, **kw),
              ndi.uniform_filter(x, mode=mode, cval=1.0, **kw), taps=30)
    close(F.uniform_filter(x, 3, mode=mode, axes=(0, 1)),
          ndi.uniform_filter(x, 3, mode=mode, axes=(0, 1)), taps=30)
    close(F.uniform_filter1d(x, 4, axis=1, mode=mode, origin=1),
          ndi.uniform_filter1d(x, 4, axis=1, mode=mode, origin=1), taps=30)


@needs_scipy
def test_composite_filters_integer_input_float64():
    x = (np.arange(60).reshape(6, 10) % 7).astype(np.uint8)
    for f, args in [("sobel", ()), ("laplace", ()), ("gaussian_filter", (1.0,)),
                    ("uniform_filter", (3,))]:
        got = getattr(F, f)(x, *args)
        assert got.dtype == np.float64
        close(got, getattr(ndi, f)(x.astype(np.float64), *args), taps=30, scale=7)


# ------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), mode="edge"), ValueError, "mode"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), origin=2), ValueError, "origin"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), origin=(0, 0, 0)), ValueError,
     "origin"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones(3)), ValueError, "weights"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((0, 3))), ValueError, "weights"),
    (lambda: F.correlate(np.ones((4, 4)) * 1j, np.ones((3, 3))), TypeError, "input"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)) * 1j), TypeError, "weights"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), axes=(0, 0)), ValueError, "axes"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones(3), axes=2), ValueError, "axes"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), output=np.ones((4, 5))),
     ValueError, "output"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), output=np.complex128), TypeError,
     "output"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), cval="x"), TypeError, "cval"),
    (lambda: F.correlate(np.ones((4, 4)), np.ones((3, 3)), workers=0), ValueError, "workers"),
    (lambda: F.correlate(np.float64(1.0), [1.0]), ValueError, "weights"),  # 0-d: no axes
    (lambda: F.correlate1d(np.ones((4, 4)), [1.0, 2.0], axis=2), ValueError, "axis"),
    (lambda: F.correlate1d(np.ones((4, 4)), [[1.0, 2.0]]), ValueError, "weights"),
    (lambda: F.convolve1d(np.ones(4), [1.0, 2.0, 3.0], origin=-2), ValueError, "origin"),
    (lambda: F.correlate1d(np.ones(4), [1.0], origin=1.5), TypeError, "origin"),
    (lambda: F.sobel(np.ones((4, 4)), axis=3), ValueError, "axis"),
    (lambda: F.sobel(np.ones((4, 4)), mode=["wrap"]), ValueError, "mode"),
    (lambda: F.gaussian_filter(np.ones((4, 4)), -1.0), ValueError, "sigma"),
    (lambda: F.gaussian_filter(np.ones((4, 4)), (1.0, 2.0, 3.0)), ValueError, "sigma"),
    (lambda: F.gaussian_filter(np.ones((4, 4)), 1.0, order=-1), ValueError, "order"),
    (lambda: F.gaussian_filter(np.ones((4, 4)), 1.0, radius=-1), ValueError, "radius"),
    (lambda: F.gaussian_filter(np.ones((4, 4)), "a"), TypeError, "sigma"),
    (lambda: F.uniform_filter(np.ones((4, 4)), 0), ValueError, "size"),
    (lambda: F.uniform_filter(np.ones((4, 4)), 3, origin=2), ValueError, "origin"),
    (lambda: F.uniform_filter1d(np.ones((4, 4)), 2.5), TypeError, "size"),
    (lambda: F.laplace(np.ones((4, 4)), axes=(0, 5)), ValueError, "axes"),
])
def test_validation_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------------------------------
# hypothesis: random shapes, kernels, modes and origins vs the oracle
# ------------------------------------------------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_hypothesis_correlate_vs_oracle(data):
    nd = data.draw(st.integers(1, 3))
    shape = tuple(data.draw(st.lists(st.integers(1, 9), min_size=nd, max_size=nd)))
    nax = data.draw(st.integers(1, nd))
    axes = tuple(sorted(data.draw(st.permutations(range(nd)))[:nax]))
    kshape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=nax, max_size=nax)))
    origin = tuple(data.draw(st.integers(-(k // 2), (k - 1) // 2)) for k in kshape)
    mode = data.draw(st.sampled_from(MODES))
    fn = data.draw(st.sampled_from(["correlate", "convolve"]))
    dt = data.draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    x = rng.standard_normal(shape).astype(dt)
    w = rng.standard_normal(kshape)
    got = getattr(F, fn)(x, w, mode=mode, cval=0.25, origin=origin, axes=axes)
    exp = getattr(R, fn)(x, w, mode=mode, cval=0.25, origin=origin, axes=axes)
    assert got.dtype == exp.dtype == dt
    close(got, exp, dt, taps=w.size, scale=2)


# ------------------------------------------------------------------------------------------
# every compiled ISA (the micro-kernel is chosen at import; run children with CONVX_ISA)
# ------------------------------------------------------------------------------------------

_CHILD = """
import numpy as np, convx.filters as F, convx.reference as R
rng = np.random.default_rng(0)
for dt in (np.float32, np.float64):
    for shape, k in [((37, 75), (5, 4)), ((3, 130), (1, 7)), ((70, 3), (3, 1)), ((2, 1), (3, 3)),
                     ((131, 45), (5, 4)), ((203, 70), (3, 9))]:   # 4-row filter2d + leftovers
        x = rng.standard_normal(shape).astype(dt); w = rng.standard_normal(k)
        for mode in ("reflect", "constant", "wrap"):
            got = F.correlate(x, w, mode=mode, cval=1.0)
            exp = R.correlate(x, w, mode=mode, cval=1.0)
            eps = np.finfo(dt).eps
            np.testing.assert_allclose(got, exp, rtol=8 * eps, atol=8 * eps * w.size * 3)
print("ok")
"""


@pytest.mark.parametrize("isa_name", available_isas())
def test_every_isa_in_subprocess(isa_name):
    r = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                       env=subprocess_env(CONVX_ISA=isa_name), cwd=os.path.dirname(__file__),
                       timeout=120)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr[-2000:]


@pytest.mark.parametrize("mode", MODES)
def test_fft_path_for_large_kernels(mode, monkeypatch):
    """Large non-separable kernels go through numpy.fft (forced here on small shapes)."""
    monkeypatch.setattr(filters_correlate, "_FFT_MIN_TAPS_PER_WORKER", 10)
    rng = np.random.default_rng(15)
    for shape, kshape, axes, origin in [((17, 23), (9, 6), None, 0),
                                        ((11, 13, 3), (5, 7), (0, 1), (1, -3)),
                                        ((2, 9, 8), (12, 3), (1, 2), (-6, 1))]:
        for dt in (np.float32, np.float64):
            x = rng.standard_normal(shape).astype(dt)
            w = rng.standard_normal(kshape)
            for fn in ("correlate", "convolve"):
                got = getattr(F, fn)(x, w, mode=mode, cval=0.5, origin=origin, axes=axes,
                                     workers=1)
                exp = getattr(R, fn)(x, w, mode=mode, cval=0.5, origin=origin, axes=axes)
                assert got.dtype == dt
                tol = 1e-5 if dt == np.float32 else 1e-12
                np.testing.assert_allclose(got, exp, rtol=tol, atol=tol * np.abs(exp).max())
    # non-finite input: the FFT would smear an inf over the whole image, so the direct path runs
    x = rng.standard_normal((15, 16))
    x[3, 4] = np.inf
    w = rng.standard_normal((5, 5))
    got = F.correlate(x, w, mode=mode, workers=1)
    exp = R.correlate(x, w, mode=mode)
    assert np.array_equal(np.isfinite(got), np.isfinite(exp))


@needs_scipy
def test_multipass_results_never_share_the_reused_intermediates():
    # 3-D Gaussian: one intermediate between the depth pass and the fused (H, W) pass lives in a
    # per-thread reused buffer; results must be fresh arrays, and concurrent calls independent
    from concurrent.futures import ThreadPoolExecutor
    rng = np.random.default_rng(50)
    vols = [rng.standard_normal((9, 10, 11)).astype(np.float32) for _ in range(4)]
    want = [F.gaussian_filter(v, 1.2, workers=1) for v in vols]
    a = F.gaussian_filter(vols[0], 1.2)
    b = F.gaussian_filter(vols[1], 1.2)
    assert not np.shares_memory(a, b)
    assert np.array_equal(a, want[0]) and np.array_equal(b, want[1])
    g = F.gaussian_gradient_magnitude(vols[2], 1.0)
    assert np.allclose(g, ndi.gaussian_gradient_magnitude(vols[2].astype(np.float64), 1.0),
                       rtol=1e-4, atol=1e-5)
    with ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda i: F.gaussian_filter(vols[i % 4], 1.2, workers=1), range(32)))
    for i, r in enumerate(got):
        assert np.array_equal(r, want[i % 4])


# ---- 0-d input and non-finite values (issue 9 item 5) ----

ZERO_D = [("gaussian_filter", (1.0,), {}), ("gaussian_filter", (1.0,), {"order": 1}),
          ("uniform_filter", (), {}), ("uniform_filter", (3,), {}), ("laplace", (), {}),
          ("gaussian_gradient_magnitude", (1.0,), {}),
          ("correlate", (np.array(2.0),), {}), ("convolve", (np.array(-0.5),), {}),
          ("correlate", (np.array(2.0),), {"mode": "constant", "cval": 7.0})]


@pytest.mark.parametrize("name,args,kw", ZERO_D)
@pytest.mark.parametrize("value", [3.0, -1.25, np.nan])
def test_zero_d_input_as_scipy(name, args, kw, value):
    x = np.array(value)
    got = getattr(F, name)(x, *args, **kw)
    assert got.shape == () and got.dtype == np.float64
    if ndi is not None:
        want = getattr(ndi, name)(x, *args, **kw)
        np.testing.assert_array_equal(got, want)
    # float32 stays float32, output= is filled and returned
    got32 = getattr(F, name)(x.astype(np.float32), *args, **kw)
    assert got32.shape == () and got32.dtype == np.float32
    out = np.zeros(())
    assert getattr(F, name)(x, *args, output=out, **kw) is out
    np.testing.assert_array_equal(out, got)


@pytest.mark.parametrize("name,args", [("sobel", ()), ("prewitt", ()), ("correlate1d", ([1.0],)),
                                       ("convolve1d", ([1.0, 2.0],)),
                                       ("gaussian_filter1d", (1.0,)),
                                       ("uniform_filter1d", (3,))])
def test_zero_d_input_with_an_axis_is_a_value_error(name, args):
    # scipy raises numpy's AxisError (a ValueError) for these: there is no axis -1
    with pytest.raises(ValueError, match="axis=-1 is out of range for an input of 0 dim"):
        getattr(F, name)(np.array(3.0), *args)
    if ndi is not None:
        with pytest.raises(ValueError):
            getattr(ndi, name)(np.array(3.0), *args)


def test_zero_d_correlate_needs_zero_d_weights():
    with pytest.raises(ValueError, match="weights must have one dimension per filtered axis"):
        F.correlate(np.array(3.0), [1.0, 2.0])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_uniform_filter_confines_non_finite_values_to_their_windows(bad):
    # documented difference: scipy's running sum carries a NaN/inf to the end of the line
    x = np.zeros(12)
    x[5] = bad
    for got in (F.uniform_filter1d(x, 3), F.uniform_filter(x, 3)):
        assert np.isnan(got[4:7]).all() if np.isnan(bad) else np.isinf(got[4:7]).all()
        np.testing.assert_array_equal(got[:4], 0.0)
        np.testing.assert_array_equal(got[7:], 0.0)
    if ndi is not None:   # the difference is real (if scipy changes, update the docstring)
        assert not np.isfinite(ndi.uniform_filter1d(x, 3)[7:]).any()
    img = np.zeros((6, 6), np.float32)
    img[2, 2] = bad
    got = F.uniform_filter(img, 3)
    assert not np.isfinite(got[1:4, 1:4]).any()
    mask = np.ones((6, 6), bool)
    mask[1:4, 1:4] = False
    np.testing.assert_array_equal(got[mask], 0.0)


@pytest.mark.parametrize("mode", MODES)
def test_row_segments_at_kernel_width(mode):
    """The direct driver reads row interiors in place and extends only the ends: rows one
    narrower than, as wide as and one wider than the kernel, extreme origins, interleaved
    samples (an [H, W, 3] image filtered over (0, 1)), dense and sparse kernels."""
    rng = np.random.default_rng(27)
    for dt in (np.float32, np.float64):
        for kw in (2, 5, 8):
            for W in (kw - 1, kw, kw + 1, 3 * kw + 2):
                for o in (-(kw // 2), 0, (kw - 1) // 2):
                    for shape, axes in (((9, W), None), ((6, W, 3), (0, 1))):
                        x = rng.standard_normal(shape).astype(dt)
                        w = rng.standard_normal((3, kw))
                        if kw == 5:
                            w[1, 2] = 0.0   # a skipped tap: the sparse kernel
                        got = F.correlate(x, w, mode=mode, cval=0.5, origin=(1, o) if
                                          axes else (0, o), axes=axes)
                        exp = R.correlate(x, w, mode=mode, cval=0.5, origin=(1, o) if
                                          axes else (0, o), axes=axes)
                        close(got, exp, dt, taps=w.size, scale=4.0)


# Box column sums: a separable pass pair whose column weights are all equal (>= 5 of them, e.g.
# uniform_filter's) runs as a running sum per band of rows in the C sweep. These cases reach it:
# several bands, images shorter than the window (the mode's extension repeats), every mode.
BOX_CASES = [((100, 37), 5, 0), ((100, 37), 15, 0), ((70, 50), (9, 3), (-4, 1)),
             ((40, 33), (7, 7), (3, -3)), ((6, 40), 15, 0), ((1, 9), 5, 0), ((257, 5), 31, 0)]


@needs_scipy
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_box_column_sums_match_scipy(mode, dtype):
    rng = np.random.default_rng(41)
    for shape, size, origin in BOX_CASES:
        x = rng.standard_normal(shape).astype(dtype)
        got = F.uniform_filter(x, size, mode=mode, cval=0.5, origin=origin)
        want = ndi.uniform_filter(x.astype(np.float64), size, mode=mode, cval=0.5, origin=origin)
        close(got, want, dtype, taps=40)
        # a 3-D stack filtered over its last two axes runs the same sweep per image
        stack = rng.standard_normal((3, *shape)).astype(dtype)
        close(F.uniform_filter(stack, size, mode=mode, axes=(1, 2)),
              ndi.uniform_filter(stack.astype(np.float64), size, mode=mode, axes=(1, 2)),
              dtype, taps=40)


def test_box_column_sums_cancel_large_values_exactly():
    # a running sum in the input's precision would lose the small values between the large ones
    x = np.zeros((120, 8), np.float32)
    x[::7] = 3e7
    x[3::7] = -3e7
    x[1::5] += 1.0
    want = R.correlate(x.astype(np.float64), np.full((9, 1), 1 / 9), mode="reflect")
    close(F.uniform_filter(x, (9, 1)), want, np.float32, taps=9, scale=3e7)
    close(F.uniform_filter(x, (9, 3)), R.correlate(x.astype(np.float64),
                                                  np.full((9, 3), 1 / 27), mode="reflect"),
          np.float32, taps=27, scale=3e7)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_box_column_sums_confine_non_finite_values(bad, dtype):
    # the running sum would carry inf - inf = NaN down the band: such rows are recomputed
    rng = np.random.default_rng(43)
    x = rng.standard_normal((90, 21)).astype(dtype)
    x[10, 4] = bad
    x[47, 0] = bad
    x[48:50, 20] = bad
    for size in (5, (15, 3), (9, 1)):
        got = F.uniform_filter(x, size, mode="nearest")
        k = np.ones(size if isinstance(size, tuple) else (size, size))
        want = R.correlate(x.astype(np.float64), k / k.size, mode="nearest")
        assert (np.isfinite(got) == np.isfinite(want)).all()
        assert (np.isnan(got) == np.isnan(want)).all()
        fin = np.isfinite(want)
        close(got[fin], want[fin], dtype, taps=50)


def test_box_column_sums_do_not_depend_on_workers():
    x = np.random.default_rng(44).standard_normal((300, 130)).astype(np.float32)
    one = F.uniform_filter(x, 15, workers=1)
    for w in (2, 3, 7):
        np.testing.assert_array_equal(F.uniform_filter(x, 15, workers=w), one)
