"""convx.kernels: the named kernels, their values, axis convention and documented responses."""
import numpy as np
import pytest

import convx.filters as F
import convx.kernels as K

try:
    import scipy.ndimage as ndi
except ImportError:  # pragma: no cover
    ndi = None


def test_values():
    np.testing.assert_array_equal(K.sobel_x(), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(K.sobel_y(), K.sobel_x().T)
    np.testing.assert_array_equal(K.scharr_x(), [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])
    np.testing.assert_array_equal(K.scharr_y(), K.scharr_x().T)
    np.testing.assert_array_equal(K.prewitt_x(), [[-1, 0, 1]] * 3)
    np.testing.assert_array_equal(K.prewitt_y(), K.prewitt_x().T)
    np.testing.assert_array_equal(K.laplacian(), [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_array_equal(K.sharpen(), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    np.testing.assert_array_equal(K.emboss(), [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    np.testing.assert_array_equal(K.outline(), [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    np.testing.assert_array_equal(K.identity(), [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_allclose(K.box(4), np.full((4, 4), 1 / 16))


@pytest.mark.parametrize("name", sorted(K.NAMES))
def test_every_name_is_a_fresh_float_array(name):
    a = K.get(name)
    assert isinstance(a, np.ndarray) and a.dtype == np.float64 and a.ndim == 2
    a[...] = 99
    assert not np.all(K.get(name) == 99)
    total = K.get(name).sum()
    if name in ("gaussian", "box", "identity", "sharpen", "emboss"):
        assert total == pytest.approx(1.0)
    else:
        assert total == pytest.approx(0.0, abs=1e-12)


def test_gaussian():
    g = K.gaussian(7, 1.5)
    assert g.shape == (7, 7)
    assert g.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(g, g.T)
    np.testing.assert_allclose(g, g[::-1, ::-1])
    assert np.unravel_index(np.argmax(g), g.shape) == (3, 3)
    r = np.exp(-0.5 * (np.arange(-3, 4) / 1.5) ** 2)
    np.testing.assert_allclose(g, np.outer(r, r) / np.outer(r, r).sum())
    assert K.gaussian(4).shape == (4, 4)
    np.testing.assert_allclose(K.gaussian(4), K.gaussian(4)[::-1])


def test_axis_convention_sobel_detects_documented_edges():
    vertical_edge = np.zeros((7, 7))
    vertical_edge[:, 4:] = 1.0       # brighter to the right
    horizontal_edge = vertical_edge.T.copy()   # brighter below
    gx = F.correlate(vertical_edge, K.sobel_x())
    assert gx[3, 3] == 4 and gx[3, 4] == 4 and gx[3, 0] == 0
    assert np.all(F.correlate(vertical_edge, K.sobel_y()) == 0)
    gy = F.correlate(horizontal_edge, K.sobel_y())
    assert gy[3, 3] == 4 and gy[4, 3] == 4
    assert np.all(F.correlate(horizontal_edge, K.sobel_x()) == 0)
    assert np.all(F.correlate(vertical_edge, K.scharr_y()) == 0)
    assert F.correlate(vertical_edge, K.scharr_x())[3, 3] == 16


@pytest.mark.skipif(ndi is None, reason="scipy not installed")
def test_match_scipy_filters():
    x = np.random.default_rng(0).standard_normal((12, 13))
    np.testing.assert_allclose(F.correlate(x, K.sobel_x()), ndi.sobel(x, axis=1), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.sobel_y()), ndi.sobel(x, axis=0), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.prewitt_x()), ndi.prewitt(x, axis=1), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.prewitt_y()), ndi.prewitt(x, axis=0), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.laplacian()), ndi.laplace(x), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.box(3)), ndi.uniform_filter(x, 3), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.identity()), x)
    np.testing.assert_allclose(F.correlate(x, K.sharpen()), x - ndi.laplace(x), atol=1e-12)
    np.testing.assert_allclose(F.correlate(x, K.outline()),
                               9 * x - ndi.uniform_filter(x, 3) * 9, atol=1e-12)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: K.box(0), ValueError, "size"),
    (lambda: K.box(2.0), TypeError, "size"),
    (lambda: K.gaussian(3, 0.0), ValueError, "sigma"),
    (lambda: K.gaussian(3, "a"), TypeError, "sigma"),
    (lambda: K.get("sobel"), ValueError, "name"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
