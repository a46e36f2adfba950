"""The FFT path of correlate/convolve for large non-separable 2-D kernels, and its rules.

Two implementations: the C overlap-save driver (csrc/filters_fft.template.c: N x N tiles, two
tiles per complex transform, OpenMP over tile pairs, the active ISA's `fftconv` kernel) for
images whose filtered axes are the last two (any leading batch axes), and numpy.fft of the
whole extended image (single-threaded) for the other layouts, e.g. an RGB image filtered over
axes (0, 1).

The rules below are the one place where the crossover and the tile size live, per (ISA,
dtype). Measured with the C driver vs the direct kernels, one thread, 1024x1024 image, square
kernels 5..63 and 3x31, machine shared with other jobs (AMD EPYC Zen 4, load ~12 on 2 cores;
medians of 5). Direct time / best FFT time:

    kernel     avx2 f32  avx512 f32  avx2 f64  avx512 f64
    7x7          0.52       0.21       0.56       0.71
    11x11        0.70       1.03       0.99       0.81
    13x13        3.05       1.36       1.25       1.06
    15x15        2.17       1.59       1.22       1.26
    21x21        2.25       3.59       2.38       2.48
    31x31        3.86       6.51       2.70       3.62
    3x31         0.83       0.56       0.53       0.76

so the FFT runs from 12x12 (f32) / 13x13 (f64) taps on. Tile size: N = 64 for kernels up to 16
(f32) taps per axis, 128 up to 64, 256 up to 128 (the best column of the same runs; N = 512
lost everywhere: a 512-row strip leaves L1). The scalar build (512x512 image, same load):
direct / FFT 1.04 (7x7), 1.51 (9x9), 1.93 (13x13), 10.4 (31x31, N = 64) in float32 and 0.99,
1.14, 2.61, 4.54 in float64, so it switches from 9x9 with N = 64 up to 32 taps per axis. Images
under 128 x 128 pixels stay direct (one partly used tile).
"""
import numpy as np

from convx.filters._args import _NP_PAD

# The numpy.fft path (other layouts): at least this many taps per worker thread, since it is
# single-threaded. Measured on a 1024x1024 float32 image (Zen 4, AVX-512): direct 31x31 8.9 ms
# vs FFT 15.7 ms; 63x63 32.5 ms vs 18.4 ms; 127x127 132 ms vs 19-23 ms.
_FFT_MIN_TAPS_PER_WORKER = 2000

# (isa, dtype) -> (minimum taps, [(largest kernel side, log2 tile)]) for the C driver
_C_RULES = {
    ("avx2", "float32"): (144, [(16, 6), (64, 7), (128, 8)]),
    ("avx512", "float32"): (144, [(16, 6), (64, 7), (128, 8)]),
    ("avx2", "float64"): (169, [(32, 6), (64, 7), (128, 8)]),
    ("avx512", "float64"): (169, [(16, 6), (64, 7), (128, 8)]),
    ("scalar", "float32"): (81, [(32, 6), (64, 7), (128, 8)]),
    ("scalar", "float64"): (81, [(32, 6), (64, 7), (128, 8)]),
}
_C_MIN_PIXELS = 128 * 128


def _c_plan(isa, dtype, kshape, image_pixels):
    """log2 of the C driver's tile for a kH x kW kernel, or None when the direct path is the
    measured faster one (or the kernel is too large for the driver's tiles)."""
    min_taps, sizes = _C_RULES.get((isa, np.dtype(dtype).name),
                                   _C_RULES[("avx2", np.dtype(dtype).name)])
    if kshape[0] * kshape[1] < min_taps or image_pixels < _C_MIN_PIXELS:
        return None
    for side, logn in sizes:
        if max(kshape) <= side:
            return logn
    return None


def _correlate_fft_c(xc, w2, active, origins, mode, cval, logn, workers, y=None):
    """Correlation over the last two axes by the C overlap-save driver; None if an output came
    out non-finite (the caller then runs the direct path)."""
    from convx import _filters
    a1, a2 = active
    H, W = xc.shape[a1], xc.shape[a2]
    B = xc.size // (H * W)
    out = np.empty(xc.shape, dtype=xc.dtype) if y is None else y
    lo = (w2.shape[0] // 2 + origins[a1], w2.shape[1] // 2 + origins[a2])
    ok = _filters._filter_fft(xc.reshape(B, H, W), np.ascontiguousarray(w2, dtype=xc.dtype),
                              out.reshape(B, H, W), lo, _filters.MODES[mode], cval, logn,
                              workers)
    return out if ok else None


def _fast_len(n):
    """Smallest 2^a 3^b 5^c >= n (pocketfft is fastest on those)."""
    while True:
        m = n
        for p in (2, 3, 5):
            while m % p == 0:
                m //= p
        if m == 1:
            return n
        n += 1


def _correlate_fft(xc, w2, active, origins, mode, cval, y=None):
    """Correlation with a 2-D kernel over axes ``active`` by numpy.fft of the mode-extended
    input (layouts the C driver does not take).

    The result equals the direct sum up to FFT rounding (relative ~1e-6 in float32). Callers
    make sure weights and input are finite (an inf would spread over the whole image).
    """
    a1, a2 = active
    ks = w2.shape
    pads = [(0, 0)] * xc.ndim
    for a, k in zip(active, ks):
        lo = k // 2 + origins[a]
        pads[a] = (lo, k - 1 - lo)
    kw = {"constant_values": cval} if mode == "constant" else {}
    ext = np.pad(xc, pads, mode=_NP_PAD[mode], **kw)
    shape = (_fast_len(ext.shape[a1]), _fast_len(ext.shape[a2]))
    X = np.fft.rfftn(ext, shape, axes=(a1, a2))
    K = np.fft.rfftn(w2[::-1, ::-1].astype(xc.dtype), shape, axes=(0, 1))
    kshape = [1] * xc.ndim
    kshape[a1], kshape[a2] = K.shape
    X *= K.reshape(kshape)
    full = np.fft.irfftn(X, shape, axes=(a1, a2))
    sl = [slice(None)] * xc.ndim
    sl[a1] = slice(ks[0] - 1, ks[0] - 1 + xc.shape[a1])
    sl[a2] = slice(ks[1] - 1, ks[1] - 1 + xc.shape[a2])
    res = full[tuple(sl)]
    if y is None:
        return np.ascontiguousarray(res, dtype=xc.dtype)
    y[...] = res
    return y
