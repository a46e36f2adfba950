"""The ``filter`` family: convx.filters against scipy.ndimage and OpenCV (``cv2.filter2D`` for
dense kernels, ``cv2.sepFilter2D`` for separable ones, BORDER_REFLECT = scipy's 'reflect'), and
the filters suite.

A filter case's ``input_shape`` is the image, ``extra`` the operation and ``weight_shape`` what
the MAC count should count: the dense kernel for ``sobel`` and ``correlate``; for the separable
filters (Gaussian, box) ``(taps per axis, number of axes)``, i.e. the work of the 1-D passes, so
GFLOP/s and "% peak" stay meaningful.
"""
import contextlib
import math

import numpy as np

from convx._bench import _core as B

def _gauss1d(sigma, truncate):
    from convx.filters import _gaussian_kernel1d
    return _gaussian_kernel1d(sigma, 0, int(truncate * sigma + 0.5))[::-1]


def _filter_macs(case):
    """filter: ``prod(input_shape) * prod(weight_shape)`` (one dot product of the kernel's size
    per output element; output has the input's shape)."""
    return math.prod(case.input_shape) * math.prod(case.weight_shape)


def _filter_inputs(case, rng):
    dt = np.dtype(case.dtype)
    p = case.params
    a = {"input": rng.standard_normal(case.input_shape, dtype=dt)}
    if p["op"] == "correlate":
        a["weight"] = (rng.standard_normal(case.weight_shape) / math.prod(case.weight_shape)
                       ).astype(dt)
    return a


def _filter_kwargs(case):
    p = case.params
    if p["op"] == "gaussian":
        kw = {"sigma": p["sigma"], "truncate": p["truncate"]}
        if "axes" in p:
            kw["axes"] = p["axes"]
        return kw
    if p["op"] == "uniform":
        return {"size": p["size"]}
    return {}


_OPS = {"sobel": "sobel", "gaussian": "gaussian_filter", "uniform": "uniform_filter",
        "correlate": "correlate"}


def _filter_convx(case, a, algorithm, workers):
    from convx import filters
    op = _OPS[case.params["op"]]
    args = (a["input"], a["weight"]) if op == "correlate" else (a["input"],)
    return B.Call(getattr(filters, op), args, dict(_filter_kwargs(case), workers=workers),
                  info=f"convx.filters.{op}(workers={workers})")


# scipy.ndimage runs ~0.3-1 GMAC/s on one thread: above this many multiply-adds a call takes
# over ~10 s (a random 31x31 kernel on 2048^2 and 4096^2), so those cases time OpenCV only.
_SCIPY_MAX_MACS = 2.5e9


def _filter_scipy(case, a, workers):
    import scipy
    import scipy.ndimage as ndi
    if _filter_macs(case) > _SCIPY_MAX_MACS:
        raise NotImplementedError(f"scipy.ndimage would take over ~10 s a call here "
                                  f"({_filter_macs(case) / 1e9:.1f} GMAC, single-threaded)")
    op = _OPS[case.params["op"]]
    args = (a["input"], a["weight"]) if op == "correlate" else (a["input"],)
    return B.Call(getattr(ndi, op), args, _filter_kwargs(case),
                  info=f"scipy {scipy.__version__} ndimage.{op} (single-threaded)")


def _cv2_context(workers):
    import cv2

    @contextlib.contextmanager
    def ctx():
        prev = cv2.getNumThreads()
        cv2.setNumThreads(workers)
        try:
            yield
        finally:
            cv2.setNumThreads(prev)
    return ctx


def _filter_cv2(case, a, workers):
    import cv2
    p = case.params
    x = a["input"]
    if x.ndim != 2 and not (x.ndim == 3 and p.get("axes") == (0, 1) and x.shape[2] <= 4):
        raise NotImplementedError("cv2 filters 2-D images (with up to 4 channels) only")
    border = cv2.BORDER_REFLECT
    dt = x.dtype
    if p["op"] == "sobel":
        k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=dt)
        return B.Call(cv2.filter2D, (x, -1, k), {"borderType": border},
                      context=_cv2_context(workers),
                      info=f"cv2 {cv2.__version__} filter2D 3x3 (sobel_x), {workers} threads")
    if p["op"] in ("gaussian", "uniform"):
        if p["op"] == "gaussian":
            g = _gauss1d(p["sigma"], p["truncate"]).astype(dt)
        else:
            g = np.full(p["size"], 1.0 / p["size"], dtype=dt)
        return B.Call(cv2.sepFilter2D, (x, -1, g, g), {"borderType": border},
                      context=_cv2_context(workers),
                      info=f"cv2 {cv2.__version__} sepFilter2D {len(g)}+{len(g)}, "
                           f"{workers} threads")
    return B.Call(cv2.filter2D, (x, -1, a["weight"]), {"borderType": border},
                  context=_cv2_context(workers),
                  info=f"cv2 {cv2.__version__} filter2D {a['weight'].shape} (DFT for large "
                       f"kernels), {workers} threads")


B.register_family("filter", B.Family(make_inputs=_filter_inputs, convx=_filter_convx,
                                     peers={"scipy": _filter_scipy, "cv2": _filter_cv2},
                                     macs=_filter_macs))


def _fcase(name, shape, kshape, quick=False, note="", **extra):
    return B.Case("filter", name, tuple(shape), tuple(kshape), quick=quick, note=note,
                  extra=extra)


def issue_cases(sizes=(1024, 2048, 4096), quick_size=1024):
    """Issue 13's 2-D float32 cases per image size: Sobel, 5x5 Gaussian, 15x15 box and a random
    31x31 kernel, OpenCV the peer (also used by the zoo suite)."""
    out = []
    for size in sizes:
        out += [
            _fcase(f"sobel_{size}", (size, size), (3, 3), op="sobel", quick=size == quick_size,
                   note=f"scipy.ndimage.sobel(axis=-1) on {size}^2; cv2.filter2D(sobel_x)"),
            _fcase(f"gauss5x5_{size}", (size, size), (5, 2), op="gaussian", sigma=1.0,
                   truncate=2.0, note=f"gaussian_filter(sigma=1, truncate=2): 5x5 Gaussian on "
                                      f"{size}^2; cv2.sepFilter2D"),
            _fcase(f"box15_{size}", (size, size), (15, 2), op="uniform", size=15,
                   note=f"uniform_filter(size=15) on {size}^2; cv2.sepFilter2D(ones(15)/15)"),
            _fcase(f"rand31_{size}", (size, size), (31, 31), op="correlate",
                   note=f"correlate with a random 31x31 kernel on {size}^2; cv2.filter2D"),
        ]
    return out


B.register_suite("filters", issue_cases(quick_size=None) + [
    _fcase("rgb_gauss_1080p", (1080, 1920, 3), (17, 2), op="gaussian", sigma=2.0,
           truncate=4.0, axes=(0, 1), quick=True,
           note="gaussian_filter(sigma=2, axes=(0, 1)) per channel of an RGB 1920x1080 image"),
    _fcase("gauss3d_128", (128, 128, 128), (13, 3), op="gaussian", sigma=1.5,
           truncate=4.0, note="3-D gaussian_filter(sigma=1.5) on a 128^3 volume"),
], "scipy.ndimage-style image filters vs scipy.ndimage and OpenCV: issue 13's 2-D cases at "
   "1024^2-4096^2, an RGB and a 3-D Gaussian")
