"""The FFT path of correlate/convolve: large non-separable 2-D kernels through numpy.fft."""
import numpy as np

from convx.filters._args import _NP_PAD

# Non-separable 2-D kernels with at least this many taps per worker thread go through numpy.fft
# (single-threaded). Measured on a 1024x1024 float32 image, one thread (Zen 4, AVX-512):
# direct 31x31 8.9 ms vs FFT 15.7 ms; 63x63 32.5 ms vs 18.4 ms; 127x127 132 ms vs 19-23 ms:
# the crossover is near 45x45 (~2000 taps) per thread.
_FFT_MIN_TAPS_PER_WORKER = 2000


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
    """Correlation with a 2-D kernel over axes ``active`` by FFT of the mode-extended input.

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
