"""Every micro-kernel of the registry, driven directly through the private hook
(convx/_kernels.pxi) on edge shapes of its own — tile tails (1, tile-1, tile, tile+1, 2*tile+1),
K = 1 and long reductions, strided rows, accumulate / bias variants where the kernel has them —
against naive NumPy loops (float64 sums), for every ISA this CPU runs (others are skipped).

The parametrization comes from `_kernels.registry()`, so a kernel added to
csrc/kernels/generate.py is tested the day it is added; a new family without a test here fails
`test_every_family_has_a_test`. The hook sizes every buffer itself and checks guard cells around
each output, so these tests also catch a kernel writing outside its output (RuntimeError).
"""
import math

import numpy as np
import pytest

from convx import _kernels

REGISTRY = _kernels.registry()
FAMILIES = sorted({k["family"] for k in REGISTRY})


def entries(family):
    """pytest params, one per registry kernel of `family`, skipped if this CPU cannot run it."""
    out = []
    for k in REGISTRY:
        if k["family"] != family:
            continue
        marks = [] if k["runnable"] else [pytest.mark.skip(reason=f"{k['isa']} not runnable here")]
        out.append(pytest.param(k, id=k["name"], marks=marks))
    return out


def edges(tile, *extra):
    """1, tile-1, tile, tile+1, 2*tile+1 (and extra), the sizes that exercise tails."""
    return sorted({v for v in (1, tile - 1, tile, tile + 1, 2 * tile + 1, *extra) if v >= 1})


def assert_close(got, ref, dtype, k_terms, scale=1.0):
    eps = np.finfo(dtype).eps
    np.testing.assert_allclose(got, ref, rtol=16 * eps,
                               atol=16 * eps * max(1, k_terms) * scale)


def rnd(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


def test_every_family_has_a_test():
    tests = [name for name in globals() if name.startswith("test_")]
    untested = {f for f in FAMILIES if f"test_{f}" not in tests}   # family names hold "_"
    assert not untested, f"families without a kernel test: {untested}"


def test_registry_entries_are_consistent():
    names = [k["name"] for k in REGISTRY]
    assert len(names) == len(set(names))
    for k in REGISTRY:
        assert k["name"].startswith(f"convx_{'f32' if k['dtype'] == 'float32' else 'f64'}_")
        assert k["name"].endswith(f"__{k['isa']}")
        if k["tile"]:
            assert f"_{k['tile']}__" in k["name"]
        if k["family"] in ("sliding", "gemm", "shifted_gemm", "indirect_gemm"):
            assert k["tile"] == f"{k['oc']}x{k['px']}"     # channels x pixels
        if k["family"] in ("filter", "filter2d", "transpose"):
            assert k["tile"] == f"{k['rows']}x{k['px']}"   # rows x pixels (columns)
        if k["family"] == "dwconv_inplace":
            assert k["tile"] == f"{k['ksize']}x{k['ksize']}s{k['stride']}"
        if k["family"] == "dwconv":
            assert k["tile"] == (f"{k['ksize']}x{k['ksize']}s{k['stride']}" if k["ksize"]
                                 else "kxk")
    assert {k["family"] for k in REGISTRY} >= {"sliding", "dwconv", "gemm", "shifted_gemm",
                                                "indirect_gemm", "im2col", "pack", "peak",
                                                "transpose", "filter", "filter2d"}


def test_table_check_bites():
    """The import-time check rejects a dispatch table whose tile differs from the registry."""
    for isa in sorted({k["isa"] for k in REGISTRY if k["compiled"]}):
        assert _kernels.check_table_with(isa, "gemm_mr_f32", 0) != ""
        mr = next(k["oc"] for k in REGISTRY if k["family"] == "gemm" and k["isa"] == isa
                  and k["dtype"] == "float32")
        assert _kernels.check_table_with(isa, "gemm_mr_f32", mr) == ""
        msg = _kernels.check_table_with(isa, "gemm_nr_f64", 3)
        assert "gemm f64" in msg and "registry" in msg
        assert "sliding" in _kernels.check_table_with(isa, "sliding_ocb0", 5)


# ---- sliding ----------------------------------------------------------------------------------

@pytest.mark.parametrize("k", entries("sliding"))
def test_sliding(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(1)
    ocb, ow = k["oc"], k["px"]
    for m in sorted({1, max(1, ocb - 1), ocb}):
        for n in edges(ow, 3):
            for n_rows, n_c, taps in ((1, 1, [0]), (3, 2, [0, 2, 5]), (5, 1, [1, 3])):
                L = n + max(taps) + 2
                x = rnd(rng, (n_c, n_rows, L), dt)
                w = rnd(rng, (n_c, len(taps), m), dt)
                ref = np.einsum("ctj,ctro->jro", w.astype(np.float64),
                                np.stack([x[:, :, t:t + n] for t in taps], 1).astype(np.float64))
                y0 = rnd(rng, (m, n_rows, n), dt)
                got = _kernels.sliding(k["name"], x, w, taps, n, y=y0)
                assert_close(got, ref + y0, dt, n_c * len(taps))
                b = rnd(rng, m, dt)
                got = _kernels.sliding(k["name"], x, w, taps, n, bias=b)
                assert_close(got, ref + b[:, None, None], dt, n_c * len(taps))


# ---- gemm / shifted_gemm ---------------------------------------------------------------------

def _gemm_cases(k):
    mr, nr = k["oc"], k["px"]
    for m in edges(mr):
        if m > mr:
            continue
        for n in edges(nr, 3):
            if n > nr:
                continue
            for K in (1, 3, 17):
                yield m, n, K


@pytest.mark.parametrize("k", entries("gemm"))
def test_gemm(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(2)
    for m, n, K in _gemm_cases(k):
        A, B = rnd(rng, (m, K), dt), rnd(rng, (K, n), dt)
        ref = A.astype(np.float64) @ B.astype(np.float64)
        assert_close(_kernels.gemm(k["name"], A, B), ref, dt, K)
        b = rnd(rng, m, dt)
        assert_close(_kernels.gemm(k["name"], A, B, bias=b), ref + b[:, None], dt, K)
        C = rnd(rng, (m, n), dt)
        got = _kernels.gemm(k["name"], A, B, C=C, accumulate=True, bias=b)   # bias ignored
        assert_close(got, ref + C, dt, K)


@pytest.mark.parametrize("k", entries("shifted_gemm"))
def test_shifted_gemm(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(3)
    for m, n, K in _gemm_cases(k):
        A = rnd(rng, (m, K), dt)
        b = rnd(rng, 3 * n + 40, dt)
        boff = rng.integers(0, b.size - n + 1, K)       # any rows, any order, overlapping
        B = np.stack([b[o:o + n] for o in boff]).astype(np.float64)
        ref = A.astype(np.float64) @ B
        assert_close(_kernels.shifted_gemm(k["name"], A, b, boff, n), ref, dt, K)
        bias = rnd(rng, m, dt)
        assert_close(_kernels.shifted_gemm(k["name"], A, b, boff, n, bias=bias),
                     ref + bias[:, None], dt, K)
        C = rnd(rng, (m, n), dt)
        assert_close(_kernels.shifted_gemm(k["name"], A, b, boff, n, C=C, accumulate=True), ref + C,
                     dt, K)


# ---- indirect_gemm ---------------------------------------------------------------------------

@pytest.mark.parametrize("k", entries("indirect_gemm"))
@pytest.mark.parametrize("K", [1, 2, 17, 300])
def test_indirect_gemm(k, K):
    """Every pixel count up to the tile, any pixels in any order, with and without bias, and
    accumulate (sums continue from c; bias ignored)."""
    dt = np.dtype(k["dtype"])
    ocb, npx = k["oc"], k["px"]
    rng = np.random.default_rng(K)
    x = rnd(rng, 4000, dt)
    w = rnd(rng, (K, ocb), dt)
    bias = rnd(rng, ocb, dt)
    koff = rng.integers(0, 2000, K)
    for n in range(1, npx + 1):
        pix = rng.choice(2000, n, replace=False)
        ref = x.astype(np.float64)[pix[:, None] + koff[None, :]] @ w.astype(np.float64)
        assert_close(_kernels.indirect_gemm(k["name"], w, x, pix, koff), ref, dt, K)
        got = _kernels.indirect_gemm(k["name"], w, x, pix, koff, bias=bias)
        assert_close(got, ref + bias, dt, K)
        got2 = _kernels.indirect_gemm(k["name"], w, x, pix, koff, c=got, accumulate=True, bias=bias)
        assert_close(got2, ref + got.astype(np.float64), dt, 2 * K)


@pytest.mark.parametrize("k", entries("indirect_gemm"))
def test_indirect_gemm_hook_rejects_out_of_bounds(k):
    ocb, npx = k["oc"], k["px"]
    x = np.zeros(10, k["dtype"])
    w = np.zeros((1, ocb), k["dtype"])
    with pytest.raises(ValueError, match="inside x"):
        _kernels.indirect_gemm(k["name"], w, x, [9], [1])
    with pytest.raises(ValueError, match="len\\(pix\\)"):
        _kernels.indirect_gemm(k["name"], w, x, np.arange(npx + 1), [0])
    with pytest.raises(ValueError, match="c must have shape"):   # too small for accumulate
        _kernels.indirect_gemm(k["name"], w, x, [0, 1], [0], c=np.zeros((1, ocb)), accumulate=True)
    with pytest.raises(ValueError, match="bias"):
        _kernels.indirect_gemm(k["name"], w, x, [0], [0], bias=np.zeros(ocb - 1))


# ---- dwconv_cl (channels-last depthwise) ------------------------------------------------------

@pytest.mark.parametrize("k", entries("dwconv_cl"))
def test_dwconv_cl(k):
    """Pixel counts around the 4-pixel tile, channel counts around the vector block and the
    lane tail, any pixel pointers, tap offsets and weight rows, with and without bias, output
    rows wider than C."""
    dt = np.dtype(k["dtype"])
    oc = k["oc"]
    rng = np.random.default_rng(oc)
    lanes = {"avx512": oc // 4, "avx2": oc // 2, "scalar": oc // 2}[k["isa"]]
    for C in sorted({1, 2, lanes - 1, lanes, lanes + 1, oc - 1, oc, oc + 1, 2 * oc + lanes + 3}):
        if C < 1:
            continue
        for ntap in (1, 9, 25):
            x = rnd(rng, 3000 + C, dt)
            w = rnd(rng, (ntap + 1) * C, dt)
            toff = rng.integers(0, 1000, ntap)
            woff = rng.permutation(ntap + 1)[:ntap] * C
            bias = rnd(rng, C, dt)
            for n in (1, 3, 4, 5, 9):
                pix = rng.integers(0, 1500, n)
                ref = np.zeros((n, C))
                for t in range(ntap):
                    idx = pix[:, None] + toff[t] + np.arange(C)[None, :]
                    ref += x.astype(np.float64)[idx] * w.astype(np.float64)[woff[t]:woff[t] + C]
                got = _kernels.dwconv_cl(k["name"], x, pix, toff, woff, w, C, C)
                assert_close(got, ref, dt, ntap)
                got = _kernels.dwconv_cl(k["name"], x, pix, toff, woff, w, C, C + 3, bias=bias)
                assert_close(got, ref + bias, dt, ntap)


@pytest.mark.parametrize("k", entries("dwconv_cl_row"))
def test_dwconv_cl_row(k):
    """Pixel counts around the register tile (the one-pixel tail too), channel counts around
    the vector and its masked tail, 1 or 3 kernel rows, one or two output rows (the second
    reading the input rows shifted by one), with and without bias, wide output rows."""
    dt = np.dtype(k["dtype"])
    ks, s, px, lanes = k["ksize"], k["stride"], k["px"], k["oc"]
    rng = np.random.default_rng(ks * 10 + s)
    for C in sorted({1, 3, lanes - 1, lanes, lanes + 1, 2 * lanes + 5}):
        if C < 1:
            continue
        for nr in (1, 3):
            for nout in (1, 2):
                for n in sorted({1, px - 1, px, px + 1, 2 * px + 3} - {0}):
                    span = ((n - 1) * s + ks) * C
                    x = rnd(rng, 4 * span + 50, dt)
                    w = rnd(rng, (nr + 2) * ks * C, dt)
                    rows = rng.integers(0, 3 * span + 40, nr + nout - 1)
                    wrows = rng.permutation(nr + 2)[:nr] * ks * C
                    bias = rnd(rng, C, dt)
                    ref = np.zeros((nout, n, C))
                    for i in range(nout):
                        for r in range(nr):
                            for kw in range(ks):
                                idx = (rows[i + r] + (np.arange(n)[:, None] * s + kw) * C +
                                       np.arange(C))
                                ref[i] += (x.astype(np.float64)[idx] *
                                           w.astype(np.float64)[wrows[r] + kw * C:
                                                                wrows[r] + (kw + 1) * C])
                    got = _kernels.dwconv_cl_row(k["name"], x, rows, w, wrows, n, C, C,
                                                 nout=nout)
                    assert_close(got, ref, dt, nr * ks)
                    got = _kernels.dwconv_cl_row(k["name"], x, rows, w, wrows, n, C, C + 2,
                                                 bias=bias, nout=nout)
                    assert_close(got, ref + bias, dt, nr * ks)


@pytest.mark.parametrize("k", entries("dwconv_cl"))
def test_dwconv_cl_hook_rejects_out_of_bounds(k):
    x = np.zeros(10, k["dtype"])
    w = np.zeros(4, k["dtype"])
    with pytest.raises(ValueError, match="inside x"):
        _kernels.dwconv_cl(k["name"], x, [8], [0], [0], w, 3, 3)
    with pytest.raises(ValueError, match="inside w"):
        _kernels.dwconv_cl(k["name"], x, [0], [0], [2], w, 3, 3)
    with pytest.raises(ValueError, match="C <= ys"):
        _kernels.dwconv_cl(k["name"], x, [0], [0], [0], w, 3, 2)


# ---- dwconv ----------------------------------------------------------------------------------

def _dw_ref(x, coff, w, n_rows, n, s):
    kh, kw = w.shape
    y = np.zeros((n_rows, n))
    for r in range(n_rows):
        for a in range(kh):
            for b in range(kw):
                y[r] += w[a, b] * x[r * s + a, coff[b]:coff[b] + n]
    return y


@pytest.mark.parametrize("k", entries("dwconv"))
def test_dwconv(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(4)
    lanes = k["px"] // 4 if k["isa"] == "avx512" else k["px"] // 2   # NV per generate.py
    if k["ksize"]:
        windows = [(k["ksize"], k["ksize"], k["stride"])]
    else:
        windows = [(1, 1, 1), (3, 3, 1), (2, 5, 3), (1, 31, 1), (7, 7, 2), (9, 9, 1), (4, 1, 2)]
    for kh, kw, s in windows:
        w = rnd(rng, (kh, kw), dt)
        for n in edges(lanes, k["px"], k["px"] + 1, 2 * k["px"] + 1):
            for n_rows in (1, 2, 3, 4, 5, 7, 8, 9, 17):
                cols = n + 2 * kw + 3
                x = rnd(rng, ((n_rows - 1) * s + kh + 1, cols), dt)
                coff = rng.integers(0, cols - n + 1, kw)
                got = _kernels.dwconv(k["name"], x, coff, w, n_rows, n, s, 0.5)
                ref = _dw_ref(x.astype(np.float64), coff, w.astype(np.float64), n_rows, n, s)
                assert_close(got, ref + 0.5, dt, kh * kw, scale=4.0)
    if k["ksize"]:   # a fixed-window kernel refuses another window or stride
        with pytest.raises(ValueError, match="window"):
            _kernels.dwconv(k["name"], np.ones((9, 9)), [0] * 5, np.ones((5, 5)) if k["ksize"]
                            != 5 else np.ones((3, 3)), 1, 1, k["stride"])


# ---- dwconv_inplace --------------------------------------------------------------------------

def _dwi_ref(x, w, bias, row0, n_rows, n, pw, s):
    H, IW = x.shape
    xp = np.zeros((H + 4 * n_rows + 8, IW + 2 * n * s + 8))
    off_r, off_c = 2 * n_rows + 4, pw
    xp[off_r:off_r + H, off_c:off_c + IW] = x
    y = np.full((n_rows, n), float(bias))
    for r in range(n_rows):
        for kh in range(3):
            row = xp[off_r + row0 + r * s + kh]
            for kw in range(3):
                y[r] += w[kh, kw] * row[kw + s * np.arange(n)]
    return y


@pytest.mark.parametrize("k", entries("dwconv_inplace"))
def test_dwconv_inplace(k):
    dt = np.dtype(k["dtype"])
    s = k["stride"]
    rng = np.random.default_rng(4)
    w = rnd(rng, (3, 3), dt)
    for n in (1, 15, 16, 17, 33):
        for n_rows in (1, 3, 4, 5, 9):
            for pw, row0 in ((0, 0), (1, -1), (1, 2), (2, -2)):
                IW = max(1, (n - 1) * s + 3 - 2 * pw + (n % 3))
                x = rnd(rng, (n_rows * s + 3, IW), dt)
                got = _kernels.dwconv_inplace(k["name"], x, row0, n_rows, n, pw, w, 0.5)
                ref = _dwi_ref(x.astype(np.float64), w.astype(np.float64), 0.5, row0, n_rows, n,
                              pw, s)
                assert_close(got, ref, dt, 9, scale=4.0)


# ---- filter / filter2d -----------------------------------------------------------------------

@pytest.mark.parametrize("k", entries("filter"))
def test_filter(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(5)
    for n in edges(k["px"], 3 * k["px"] + 5, 3):
        for n_taps in (1, 3, 7):
            x = rnd(rng, n + 20, dt)
            offs = rng.integers(0, 21, n_taps)
            w = rnd(rng, n_taps, dt)
            ref = sum(w[t].astype(np.float64) * x[offs[t]:offs[t] + n] for t in range(n_taps))
            assert_close(_kernels.filter(k["name"], x, offs, w, n), ref, dt, n_taps, scale=4.0)


@pytest.mark.parametrize("k", entries("filter2d"))
def test_filter2d(k):
    dt = np.dtype(k["dtype"])
    rb = k["rows"]
    rng = np.random.default_rng(6)
    for n in edges(k["px"], 3):
        for kH, kW, ts in ((1, 1, 1), (3, 3, 1), (2, 5, 2), (5, 2, 3)):
            L = n + (kW - 1) * ts + 2
            x = rnd(rng, (rb + kH - 1, L), dt)
            w = rnd(rng, (kH, kW), dt)
            ref = np.zeros((rb, n))
            for i in range(kH):
                for t in range(kW):
                    ref += w[i, t] * x[i:i + rb, t * ts:t * ts + n].astype(np.float64)
            got = _kernels.filter2d(k["name"], x, w, ts, n)
            assert_close(got, ref, dt, kH * kW, scale=4.0)


def _bitrev(n):
    bits = n.bit_length() - 1
    return np.array([int(format(i, f"0{bits}b")[::-1], 2) for i in range(n)])


@pytest.mark.parametrize("k", entries("fftconv"))
def test_fftconv(k):
    """Forward: the transposed, bit-reversed 2-D spectrum; full: N^2 ifft2(fft2(x) K)."""
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(16)
    tol = 1e-4 if dt == np.float32 else 1e-11
    for n in (32, 64, 128, 256):
        br = _bitrev(n)
        re, im = rnd(rng, (n, n), dt), rnd(rng, (n, n), dt)
        F = np.fft.fft2(re.astype(np.float64) + 1j * im)
        got_r, got_i = _kernels.fftconv(k["name"], re, im)
        exp = F[br][:, br].T        # exp[i, j] = F[br[j], br[i]]
        scale = np.abs(exp).max()
        np.testing.assert_allclose(got_r, exp.real, atol=tol * scale, rtol=0)
        np.testing.assert_allclose(got_i, exp.imag, atol=tol * scale, rtol=0)
        kr, ki = rnd(rng, (n, n), dt), rnd(rng, (n, n), dt)
        knat = np.empty((n, n), complex)   # K in natural order [k0, k1]
        knat[br[:, None], br[None, :]] = (kr + 1j * ki.astype(np.float64)).T
        exp = np.fft.ifft2(F * knat) * n * n
        got_r, got_i = _kernels.fftconv(k["name"], re, im, kr, ki)
        scale = np.abs(exp).max()
        np.testing.assert_allclose(got_r, exp.real, atol=tol * scale, rtol=0)
        np.testing.assert_allclose(got_i, exp.imag, atol=tol * scale, rtol=0)


# ---- im2col / pack ---------------------------------------------------------------------------

def _im2col_ref(x, k, out, stride, pad, dil):
    C, D, H, W = x.shape
    rows = []
    for c in range(C):
        for kd in range(k[0]):
            for kh in range(k[1]):
                for kw in range(k[2]):
                    row = []
                    for od in range(out[0]):
                        for oh in range(out[1]):
                            for ow in range(out[2]):
                                i = (od * stride[0] - pad[0] + kd * dil[0],
                                     oh * stride[1] - pad[1] + kh * dil[1],
                                     ow * stride[2] - pad[2] + kw * dil[2])
                                inside = all(0 <= i[a] < (D, H, W)[a] for a in range(3))
                                row.append(x[c, i[0], i[1], i[2]] if inside else 0.0)
                    rows.append(row)
    return np.array(rows)


@pytest.mark.parametrize("k", entries("im2col"))
def test_im2col(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(7)
    cases = [  # in (D, H, W), C, k, stride, pad, dil
        ((1, 5, 7), 2, (1, 3, 3), (1, 1, 1), (0, 1, 1), (1, 1, 1)),
        ((1, 9, 8), 1, (1, 3, 2), (1, 2, 3), (0, 2, 1), (1, 2, 1)),
        ((3, 4, 5), 2, (2, 2, 3), (2, 1, 2), (1, 0, 2), (1, 1, 2)),
        ((1, 1, 1), 3, (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1)),
    ]
    for shape, C, kk, st, pd, dl in cases:
        out = tuple((shape[a] + 2 * pd[a] - dl[a] * (kk[a] - 1) - 1) // st[a] + 1
                    for a in range(3))
        x = rnd(rng, (C, *shape), dt)
        full = _im2col_ref(x.astype(np.float64), kk, out, st, pd, dl)
        R, P = full.shape
        for p0, np_ in ((0, P), (0, 1), (P - 1, 1), (P // 3, max(1, P // 2))):
            for r0, r1 in ((0, R), (R // 2, R), (0, 1)):
                got = _kernels.im2col(k["name"], x, kk, out, st, pd, dl, p0, np_, r0, r1)
                np.testing.assert_array_equal(got, full[r0:r1, p0:p0 + np_])


@pytest.mark.parametrize("k", entries("pack"))
def test_pack(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(8)
    for IW in (1, 5, 17, 40):
        for pw in (0, 2):
            for sw in (1, 2, 3):
                Wp = IW + 2 * pw
                for Wq in (math.ceil(Wp / sw), math.ceil(Wp / sw) + 1):
                    src = rnd(rng, (2, IW), dt)
                    got = _kernels.pack(k["name"], src, pw, Wp, sw, Wq)
                    padded = np.zeros((2, Wp), dt)
                    padded[:, pw:pw + IW] = src
                    c = np.arange(Wp)
                    np.testing.assert_array_equal(got[:, (c % sw) * Wq + c // sw], padded)


# ---- peak / transpose ------------------------------------------------------------------------

@pytest.mark.parametrize("k", entries("peak"))
def test_peak(k):
    dt = np.dtype(k["dtype"])
    for iters in (0, 1, 7):
        s, flops = _kernels.peak(k["name"], iters)
        assert flops > 0 and flops % 24 == 0          # 12 chains x 2 flops x lanes
        lanes = flops // 24
        a, b = dt.type(0.999999), dt.type(1e-7)
        c = np.arange(12, dtype=dt)
        for _ in range(iters):
            c = (c * a + b).astype(dt)
        total = c[0] * a + c[1] + sum(c[i] * a for i in range(2, 12))
        assert s == pytest.approx(lanes * float(total), rel=1e-5)


@pytest.mark.parametrize("k", entries("transpose"))
def test_transpose(k):
    dt = np.dtype(k["dtype"])
    rng = np.random.default_rng(9)
    for R in edges(k["rows"], 5, 33):
        for C in edges(k["px"], 7, 48):
            src = rnd(rng, (R, C), dt)
            np.testing.assert_array_equal(_kernels.transpose(k["name"], src), src.T)


# ---- the hook itself -------------------------------------------------------------------------

def test_hook_rejects_bad_calls():
    first = {k["family"]: k for k in REGISTRY if k["runnable"]}
    with pytest.raises(ValueError, match="no kernel named"):
        _kernels.gemm("convx_f32_gemm_ukernel_99x99__avx512", np.ones((1, 1)), np.ones((1, 1)))
    g = first["gemm"]
    with pytest.raises(ValueError, match="not sliding"):
        _kernels.sliding(g["name"], np.ones((1, 1, 4)), np.ones((1, 1, 1)), [0], 1)
    with pytest.raises(ValueError, match="n <= "):
        _kernels.gemm(g["name"], np.ones((1, 2)), np.ones((2, g["px"] + 1)))
    with pytest.raises(ValueError, match="m <= "):
        _kernels.gemm(g["name"], np.ones((g["oc"] + 1, 2)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="accumulate needs C"):
        _kernels.gemm(g["name"], np.ones((1, 2)), np.ones((2, 1)), accumulate=True)
    with pytest.raises(ValueError, match="inside b"):
        _kernels.shifted_gemm(first["shifted_gemm"]["name"], np.ones((1, 1)), np.ones(4), [3], 2)
    with pytest.raises(ValueError, match="inside the rows"):
        _kernels.sliding(first["sliding"]["name"], np.ones((1, 1, 4)), np.ones((1, 1, 1)), [2],
                         3)
    with pytest.raises(ValueError, match="inside x"):
        _kernels.filter(first["filter"]["name"], np.ones(4), [3], [1.0], 2)
    with pytest.raises(ValueError, match="rows"):
        _kernels.filter2d(first["filter2d"]["name"], np.ones((2, 8)), np.ones((3, 3)), 1, 2)
    with pytest.raises(ValueError, match="r1"):
        _kernels.im2col(first["im2col"]["name"], np.ones((1, 1, 2, 2)), (1, 1, 1), (1, 2, 2),
                        (1, 1, 1), (0, 0, 0), (1, 1, 1), 0, 4, 0, 2)
    with pytest.raises(ValueError, match="sw\\*Wq >= Wp"):
        _kernels.pack(first["pack"]["name"], np.ones((1, 4)), 0, 4, 2, 1)
    # free sizes whose products could wrap around int64 are refused before any allocation
    with pytest.raises(ValueError, match="Wq must be at most"):
        _kernels.pack(first["pack"]["name"], np.ones((1, 4)), 0, 4, 2, 2 ** 62)
    with pytest.raises(ValueError, match="tstride must be at most"):
        _kernels.filter2d(first["filter2d"]["name"], np.ones((4, 8)), np.ones((1, 3)),
                          2 ** 62, 2)
    with pytest.raises(ValueError, match="out must be"):
        _kernels.im2col(first["im2col"]["name"], np.ones((1, 1, 2, 2)), (1, 1, 1),
                        (2 ** 40, 2 ** 40, 2 ** 40), (1, 1, 1), (0, 0, 0), (1, 1, 1), 0, 4, 0, 1)
    if "dwconv" in first:
        with pytest.raises(ValueError, match="n_rows must be at most"):
            _kernels.dwconv(first["dwconv"]["name"], np.ones((3, 3)), [0, 0, 0],
                            np.ones((3, 3)), 2 ** 33, 1)


def test_unrunnable_kernels_raise():
    """A kernel of an ISA this CPU (or build) lacks is refused, never run."""
    for k in REGISTRY:
        if k["family"] == "peak" and not k["runnable"]:
            with pytest.raises(RuntimeError, match=k["isa"]):
                _kernels.peak(k["name"], 1)
            return
    pytest.skip("every listed kernel runs on this CPU")
