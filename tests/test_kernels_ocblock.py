"""The ocblock micro-kernels and the f32 transpose kernel, driven directly (convx/_kernels.pyx)
on edge cases of their own — every pixel count up to the tile, K = 1 and long reductions,
accumulate, with and without bias — against naive NumPy loops, for every ISA this CPU runs."""
import numpy as np
import pytest

from convx import _kernels
from _helpers import available_isas

ISAS = [isa for isa in available_isas() if isa != "scalar"]
DTYPES = [np.float32, np.float64]


def _tile(isa, dtype):
    tile = _kernels.ocblock_tile(isa, np.dtype(dtype).name)
    if tile is None:
        pytest.skip(f"no {isa} ocblock kernel")
    return tile


def _ocblock_ref(w, x, pix, koff, c0, bias, ocb):
    K = len(koff)
    wk = w[:K * ocb].reshape(K, ocb).astype(np.float64)
    xs = x.astype(np.float64)[pix[:, None] + koff[None, :]]          # [n, K]
    start = c0.reshape(len(pix), ocb) if c0 is not None else (
        np.zeros((len(pix), ocb)) if bias is None else np.tile(bias[:ocb], (len(pix), 1)))
    return start + xs @ wk


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("K", [1, 2, 17, 300])
def test_ocblock_every_pixel_count(isa, dtype, K):
    ocb, npx = _tile(isa, dtype)
    rng = np.random.default_rng(K)
    x = rng.standard_normal(4000).astype(dtype)
    w = rng.standard_normal(K * ocb).astype(dtype)
    bias = rng.standard_normal(ocb).astype(dtype)
    koff = rng.integers(0, 2000, K).astype(np.int64)
    for n in range(1, npx + 1):
        pix = rng.choice(2000, n, replace=False).astype(np.int64)   # any pixels, any order
        for b in (None, bias):
            c = np.full(n * ocb, np.nan, dtype)
            _kernels.ocblock(isa, w, x, pix, koff, c, False, b)
            ref = _ocblock_ref(w, x, pix, koff, None, b, ocb)
            tol = 1e-4 if dtype == np.float32 else 1e-12
            np.testing.assert_allclose(c.reshape(n, ocb), ref, rtol=tol, atol=tol * np.sqrt(K))
            # accumulate: sums continue from c (bias ignored)
            c0 = c.copy()
            _kernels.ocblock(isa, w, x, pix, koff, c, True, bias)
            ref2 = _ocblock_ref(w, x, pix, koff, c0.astype(np.float64), None, ocb)
            np.testing.assert_allclose(c.reshape(n, ocb), ref2, rtol=tol, atol=2 * tol * np.sqrt(K))


@pytest.mark.parametrize("isa", ISAS)
def test_ocblock_writes_only_its_tile(isa):
    ocb, npx = _tile(isa, np.float32)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(100).astype(np.float32)
    w = rng.standard_normal(3 * ocb).astype(np.float32)
    n = max(1, npx - 1)
    c = np.full((n + 1) * ocb, 7.0, np.float32)
    _kernels.ocblock(isa, w, x, np.arange(n, dtype=np.int64), np.array([0, 5, 9]), c, False, None)
    assert np.all(c[n * ocb:] == 7.0)


@pytest.mark.parametrize("isa", ISAS)
def test_ocblock_hook_rejects_out_of_bounds(isa):
    ocb, npx = _tile(isa, np.float32)
    x = np.zeros(10, np.float32)
    w = np.zeros(ocb, np.float32)
    c = np.zeros(ocb, np.float32)
    with pytest.raises(ValueError, match="inside x"):
        _kernels.ocblock(isa, w, x, np.array([9]), np.array([1]), c, False, None)
    with pytest.raises(ValueError, match="len\\(pix\\)"):
        _kernels.ocblock(isa, w, x, np.arange(npx + 1), np.array([0]), np.zeros((npx + 1) * ocb,
                         np.float32), False, None)


def _transpose_isas():
    out = []
    for isa in ISAS:
        try:
            _kernels.transpose(isa, 1, 1, np.zeros(1, np.float32), 1, np.zeros(1, np.float32), 1)
        except ValueError:
            continue
        out.append(isa)
    return out


@pytest.mark.parametrize("isa", _transpose_isas() or [pytest.param("none", marks=pytest.mark.skip(
    reason="no transpose kernel on this CPU"))])
@pytest.mark.parametrize("R", [1, 5, 16, 17, 33])
@pytest.mark.parametrize("C", [1, 7, 16, 31, 48])
def test_transpose_tails_and_strides(isa, R, C):
    rng = np.random.default_rng(R * 100 + C)
    lds, ldd = C + 3, R + 5
    src = rng.standard_normal(R * lds).astype(np.float32)
    dst = np.full(C * ldd, -1.0, np.float32)
    _kernels.transpose(isa, R, C, src, lds, dst, ldd)
    got = dst.reshape(C, ldd)
    np.testing.assert_array_equal(got[:, :R], src.reshape(R, lds)[:, :C].T)
    assert np.all(got[:, R:] == -1.0)   # nothing written past each destination row's R values
