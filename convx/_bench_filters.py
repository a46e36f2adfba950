"""Benchmark families and suites for convx.filters and convx.separable.

Imported by convx._bench (which owns the runner and the case list machinery); registers:

- family ``filter`` and suite ``filters``: scipy.ndimage-style image filters, against
  ``scipy.ndimage`` and, when importable, OpenCV (``cv2.filter2D`` for dense kernels,
  ``cv2.sepFilter2D`` for separable ones, BORDER_REFLECT = scipy's 'reflect');
- families ``separable`` / ``spatial_separable`` and suite ``separable``: depthwise-separable
  blocks (MobileNet v1, a Conformer conv module, a 3-D block) and an Inception-style 7x1 + 1x7,
  against the two-call torch equivalent.

Case conventions (see convx._bench.Case): a filter case's ``input_shape`` is the image,
``extra`` the operation and ``weight_shape`` what ``macs()`` should count: the dense kernel for
``sobel`` and ``correlate``; for the separable filters (Gaussian, box) ``(taps per axis, number
of axes)``, i.e. the work of the 1-D passes, so GFLOP/s and "% peak" stay meaningful.
A separable case's ``weight_shape`` is the depthwise weight and ``extra["pointwise_out"]``
C_out; a spatial_separable case's ``weight_shape`` is the column weight [C_mid, C_in, kh, 1]
and ``extra`` holds ``kw`` and ``out`` (C_out).
"""
import contextlib
import math

import numpy as np

from convx import _bench as B

# --------------------------------------------------------------------------------------------
# filters
# --------------------------------------------------------------------------------------------


def _gauss1d(sigma, truncate):
    from convx.filters import _gaussian_kernel1d
    return _gaussian_kernel1d(sigma, 0, int(truncate * sigma + 0.5))[::-1]


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


def _filter_scipy(case, a, workers):
    import scipy
    import scipy.ndimage as ndi
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
                                     peers={"scipy": _filter_scipy, "cv2": _filter_cv2}))


def _fcase(name, shape, kshape, quick=False, note="", **extra):
    return B.Case("filter", name, tuple(shape), tuple(kshape), quick=quick, note=note,
                  extra=extra)


B.register_suite("filters", [
    _fcase("sobel_4096", (4096, 4096), (3, 3), op="sobel",
           note="scipy.ndimage.sobel(axis=-1) on a 4096x4096 image; cv2.filter2D(sobel_x)"),
    _fcase("gauss5x5_4096", (4096, 4096), (5, 2), op="gaussian", sigma=1.0, truncate=2.0,
           note="gaussian_filter(sigma=1, truncate=2): 5x5 Gaussian; cv2.sepFilter2D"),
    _fcase("box15_4096", (4096, 4096), (15, 2), op="uniform", size=15,
           note="uniform_filter(size=15); cv2.sepFilter2D(ones(15)/15)"),
    _fcase("rand31_1024", (1024, 1024), (31, 31), op="correlate",
           note="correlate with a random 31x31 kernel; cv2.filter2D"),
    _fcase("rgb_gauss_1080p", (1080, 1920, 3), (17, 2), op="gaussian", sigma=2.0,
           truncate=4.0, axes=(0, 1), quick=True,
           note="gaussian_filter(sigma=2, axes=(0, 1)) per channel of an RGB 1920x1080 image"),
    _fcase("gauss3d_128", (128, 128, 128), (13, 3), op="gaussian", sigma=1.5,
           truncate=4.0, note="3-D gaussian_filter(sigma=1.5) on a 128^3 volume"),
], "scipy.ndimage-style image filters vs scipy.ndimage and OpenCV")


# --------------------------------------------------------------------------------------------
# separable convolutions
# --------------------------------------------------------------------------------------------

def _sep_inputs(case, rng):
    dt = np.dtype(case.dtype)
    p = case.params
    x = rng.standard_normal(case.input_shape, dtype=dt)
    if case.family == "separable":
        nd = case.ndim
        k = case.weight_shape[2:]
        dw = (rng.standard_normal(case.weight_shape, dtype=dt) / math.sqrt(math.prod(k)))
        c_mid = case.weight_shape[0]
        pw = (rng.standard_normal((p["pointwise_out"], c_mid) + (1,) * nd, dtype=dt)
              / math.sqrt(c_mid))
        return {"input": x, "dw": dw.astype(dt), "pw": pw.astype(dt)}
    c_mid, c_in, kh = case.weight_shape[:3]
    cw = rng.standard_normal(case.weight_shape, dtype=dt) / math.sqrt(c_in * kh)
    rw = rng.standard_normal((p["out"], c_mid, 1, p["kw"]), dtype=dt) / math.sqrt(c_mid * p["kw"])
    return {"input": x, "cw": cw.astype(dt), "rw": rw.astype(dt)}


def _sep_kwargs(case):
    return dict(stride=case.stride, padding=case.padding, dilation=case.dilation)


def _sep_convx(case, a, algorithm, workers):
    from convx import separable
    if case.family == "separable":
        op = f"depthwise_separable_conv{case.ndim}d"
        return B.Call(getattr(separable, op), (a["input"], a["dw"], a["pw"]),
                      dict(_sep_kwargs(case), workers=workers),
                      info=f"convx.{op}(workers={workers})")
    return B.Call(separable.spatially_separable_conv2d, (a["input"], a["cw"], a["rw"]),
                  dict(padding=case.padding, workers=workers),
                  info=f"convx.spatially_separable_conv2d(workers={workers})")


def _sep_torch(case, a, workers):
    import torch
    import torch.nn.functional as TF
    t = {k: torch.from_numpy(v) for k, v in a.items()}
    if case.family == "separable":
        conv = getattr(TF, f"conv{case.ndim}d")
        c_in = case.input_shape[1]
        kw = _sep_kwargs(case)

        def two_calls(x, dw, pw):
            return conv(conv(x, dw, None, groups=c_in, **kw), pw)
        args = (t["input"], t["dw"], t["pw"])
    else:
        ph, pw_ = case.padding

        def two_calls(x, cw, rw):
            return TF.conv2d(TF.conv2d(x, cw, padding=(ph, 0)), rw, padding=(0, pw_))
        args = (t["input"], t["cw"], t["rw"])
    return B.Call(two_calls, args, {}, context=B._torch_context(workers),
                  info=f"torch {torch.__version__}: two F.conv calls, no_grad, {workers} threads")


def _sep2_convx(case, a, workers):
    """The two-call convx form (shows what fusing buys)."""
    import convx
    if case.family == "separable":
        conv = getattr(convx, f"conv{case.ndim}d")
        c_in = case.input_shape[1]
        kw = _sep_kwargs(case)

        def two_calls(x, dw, pw):
            return conv(conv(x, dw, None, groups=c_in, workers=workers, **kw), pw,
                        workers=workers)
        return B.Call(two_calls, (a["input"], a["dw"], a["pw"]), {},
                      info=f"convx two calls (depthwise, then 1x1), workers={workers}")
    ph, pw_ = case.padding

    def two_calls2(x, cw, rw):
        return convx.conv2d(convx.conv2d(x, cw, padding=(ph, 0), workers=workers), rw,
                            padding=(0, pw_), workers=workers)
    return B.Call(two_calls2, (a["input"], a["cw"], a["rw"]), {},
                  info=f"convx two conv2d calls, workers={workers}")


_SEP_FAMILY = B.Family(make_inputs=_sep_inputs, convx=_sep_convx,
                       peers={"torch": _sep_torch, "convx_2call": _sep2_convx})
B.register_family("separable", _SEP_FAMILY)
B.register_family("spatial_separable", _SEP_FAMILY)
B._UNCHECKED_PEERS.add("convx_2call")


def _dw_case(name, c_in, hw, k, stride, c_out, quick=False, note=""):
    nd = len(hw)
    pad = k // 2
    return B.Case("separable", name, (1, c_in, *hw), (c_in, 1) + (k,) * nd, stride=stride,
                  padding=pad, quick=quick, note=note, extra={"pointwise_out": c_out})


_MBV1 = "MobileNet v1 depthwise 3x3 + pointwise block (benchdnn mobilenet shapes), batch 1"
B.register_suite("separable", [
    _dw_case("mbv1_b2_32x112", 32, (112, 112), 3, 1, 64, note=_MBV1),
    _dw_case("mbv1_b3_64x112_s2", 64, (112, 112), 3, 2, 128, note=_MBV1),
    _dw_case("mbv1_b4_128x56", 128, (56, 56), 3, 1, 128, quick=True, note=_MBV1),
    _dw_case("mbv1_b6_256x28", 256, (28, 28), 3, 1, 256, note=_MBV1),
    _dw_case("mbv1_b8_512x14", 512, (14, 14), 3, 1, 512, note=_MBV1),
    _dw_case("mbv1_b14_1024x7", 1024, (7, 7), 3, 1, 1024, note=_MBV1),
    _dw_case("conformer_1d_k31", 256, (1000,), 31, 1, 256,
             note="Conformer conv module: depthwise conv1d k=31 + pointwise, 1000 frames"),
    _dw_case("dw3d_32x16x56", 32, (16, 56, 56), 3, 1, 64,
             note="3-D depthwise-separable block (X3D-like), 16 frames of 56x56"),
    B.Case("spatial_separable", "inception_7x1_1x7", (1, 128, 17, 17), (128, 128, 7, 1),
           padding=(3, 3), quick=True, extra={"kw": 7, "out": 192},
           note="Inception-v3 mixed_6 factorised 7x7: 7x1 (128->128) then 1x7 (128->192)"),
], "depthwise- and spatially separable convs vs the two-call torch form")
