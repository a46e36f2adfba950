"""The ``separable`` and ``spatial_separable`` families: depthwise-separable blocks (MobileNet v1,
a Conformer conv module, a 3-D block) and an Inception-style 7x1 + 1x7, against the two-call
torch form and convx's own two calls.

A separable case's ``weight_shape`` is the depthwise weight and ``extra["pointwise_out"]``
C_out; a spatial_separable case's ``weight_shape`` is the column weight [C_mid, C_in, kh, 1]
and ``extra`` holds ``kw`` and ``out`` (C_out).
"""
import math

import numpy as np

from convx._bench import _core as B


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


def _sep_macs(case):
    """separable (depthwise then pointwise):
    ``N * C_mid * prod(out) * prod(k) + N * C_out * prod(out) * C_mid`` with
    ``C_mid = weight_shape[0]``; spatial_separable: the (kh x 1) conv C_in -> C_mid (H padded)
    plus the (1 x kw) conv C_mid -> C_out (W padded), stride 1, dilation 1, groups 1."""
    x, w = case.input_shape, case.weight_shape
    if case.family == "separable":
        out = B.conv_output_shape(x[2:], w[2:], case.stride, case.padding, case.dilation)
        c_mid, c_out = w[0], case.params["pointwise_out"]
        return x[0] * math.prod(out) * (c_mid * math.prod(w[2:]) + c_out * c_mid)
    c_mid, c_in, kh = w[0], w[1], w[2]
    kw, c_out = case.params["kw"], case.params["out"]
    oh = x[2] + 2 * case.padding[0] - kh + 1
    ow = x[3] + 2 * case.padding[1] - kw + 1
    return x[0] * oh * (c_mid * x[3] * c_in * kh + c_out * ow * c_mid * kw)


_SEP_FAMILY = B.Family(make_inputs=_sep_inputs, convx=_sep_convx,
                       peers={"torch": _sep_torch, "convx_2call": _sep2_convx}, macs=_sep_macs)
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
