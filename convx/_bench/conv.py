"""The ``conv`` family: convx.conv{1,2,3}d against NumPy (im2col + matmul) and torch, and the
ResNet-50, MobileNet and misc suites."""
from __future__ import annotations

import math

import numpy as np

from convx._bench._core import (Call, Case, Family, _blas_threads, _ntuple,
                                _numpy_threads_info, _torch_context, conv_case,
                                conv_output_shape, register_family, register_suite)

_NP_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                "circular": "wrap"}


def numpy_conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros", *, max_cols_bytes=64 << 20):
    """conv1d/2d/3d with torch semantics via im2col + matmul, in plain NumPy.

    What a careful NumPy user would write: pad once, take a strided window
    view, copy it to a column matrix ``[N, G, C_in/G * prod(k), P]`` and do
    one batched matmul against ``[G, C_out/G, C_in/G * prod(k)]`` (a matmul
    per group, looped in C). Output rows along the first spatial axis are
    processed in chunks so the column matrix stays under ``max_cols_bytes``
    (large 3-D/1-D cases would otherwise allocate hundreds of MB); the chunk
    buffer is reused. Computes in the input dtype (float32 stays float32).
    """
    x = np.asarray(input)
    w = np.asarray(weight)
    nd = w.ndim - 2
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    dt = np.result_type(x, w)
    if dt.kind in "biu":
        dt = np.dtype(np.float64)
    elif dt == np.float16:
        dt = np.dtype(np.float32)
    x = x.astype(dt, copy=False)
    w = w.astype(dt, copy=False)

    k = w.shape[2:]
    s = _ntuple(stride, nd)
    d = _ntuple(dilation, nd)
    if padding == "valid":
        pads = [(0, 0)] * nd
    elif padding == "same":
        # torch: total d*(k-1), the odd element goes to the end side
        pads = [(di * (ki - 1) // 2, di * (ki - 1) - di * (ki - 1) // 2) for ki, di in zip(k, d)]
    else:
        pads = [(p, p) for p in _ntuple(padding, nd)]
    if any(p for pair in pads for p in pair):
        mode = _NP_PAD_MODE[padding_mode]
        x = np.pad(x, [(0, 0), (0, 0), *pads], mode=mode)

    n, c = x.shape[:2]
    o, g = w.shape[0], groups
    cg, og = c // g, o // g
    span = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    win = np.lib.stride_tricks.sliding_window_view(x, span, axis=tuple(range(2, 2 + nd)))
    win = win[(slice(None),) * 2 + tuple(slice(None, None, si) for si in s)
              + tuple(slice(None, None, di) for di in d)]
    osp = win.shape[2:2 + nd]
    # [N, C, *o, *k] -> [N, G, Cg, *k, *o]: the copy below then reads rows of o
    win = win.reshape(n, g, cg, *osp, *k)
    win = win.transpose((0, 1, 2, *range(3 + nd, 3 + 2 * nd), *range(3, 3 + nd)))
    kk = cg * math.prod(k)
    wr = w.reshape(g, og, kk)

    out = np.empty((n, g, og, *osp), dt)
    rest = math.prod(osp[1:])
    row_bytes = n * g * kk * rest * dt.itemsize
    rows = max(1, min(osp[0], max_cols_bytes // max(row_bytes, 1)))
    buf = np.empty(n * g * kk * rows * rest, dt)
    lead = (slice(None),) * (3 + nd)
    for r0 in range(0, osp[0], rows):
        r1 = min(r0 + rows, osp[0])
        cols = buf[:n * g * kk * (r1 - r0) * rest].reshape(n, g, cg, *k, r1 - r0, *osp[1:])
        np.copyto(cols, win[lead + (slice(r0, r1),)])
        res = np.matmul(wr, cols.reshape(n, g, kk, (r1 - r0) * rest))
        out[:, :, :, r0:r1] = res.reshape(n, g, og, r1 - r0, *osp[1:])
    out = out.reshape(n, o, *osp)
    if bias is not None:
        out += np.asarray(bias, dt).reshape(o, *(1,) * nd)
    return out[0] if unbatched else out


def _conv_macs(case: Case) -> int:
    """conv (1d/2d/3d, any groups, dilation, stride):
    ``N * C_out * prod(out_spatial) * (C_in / groups) * prod(k)``; deform_conv2d counts the same
    on its shapes (bilinear sampling and the mask multiply are not counted)."""
    x, w = case.input_shape, case.weight_shape
    out = conv_output_shape(x[2:], w[2:], case.stride, case.padding, case.dilation)
    return x[0] * w[0] * math.prod(out) * w[1] * math.prod(w[2:])


def _conv_inputs(case: Case, rng: np.random.Generator) -> dict:
    dt = np.dtype(case.dtype)
    fan_in = math.prod(case.weight_shape[1:])
    a = {"input": rng.standard_normal(case.input_shape, dtype=dt),
         "weight": (rng.standard_normal(case.weight_shape, dtype=dt)
                    * dt.type(1.0 / math.sqrt(fan_in)))}
    if case.bias:
        a["bias"] = rng.standard_normal(case.weight_shape[0], dtype=dt)
    return a


def _conv_kwargs(case: Case) -> dict:
    return dict(stride=case.stride, padding=case.padding, dilation=case.dilation,
                groups=case.groups)


def _conv_convx(case, a, algorithm, workers) -> Call:
    import convx
    op = getattr(convx, f"conv{case.ndim}d")
    return Call(op, (a["input"], a["weight"], a.get("bias")),
                dict(_conv_kwargs(case), algorithm=algorithm, workers=workers),
                info=f"convx.conv{case.ndim}d(algorithm={algorithm!r}, workers={workers})")


def _conv_numpy(case, a, workers) -> Call:
    return Call(numpy_conv, (a["input"], a["weight"], a.get("bias")), _conv_kwargs(case),
                context=lambda: _blas_threads(workers),
                info="NumPy sliding_window_view + matmul; " + _numpy_threads_info(workers))


def _conv_torch(case, a, workers) -> Call:
    import torch
    import torch.nn.functional as F
    b = a.get("bias")
    args = (torch.from_numpy(a["input"]), torch.from_numpy(a["weight"]),
            None if b is None else torch.from_numpy(b))
    return Call(getattr(F, f"conv{case.ndim}d"), args, _conv_kwargs(case),
                context=_torch_context(workers),
                info=f"torch {torch.__version__} F.conv{case.ndim}d, no_grad, {workers} threads")

register_family("conv", Family(make_inputs=_conv_inputs, convx=_conv_convx,
                               peers={"numpy": _conv_numpy, "torch": _conv_torch},
                               macs=_conv_macs))


_SHAPES = ("oneDNN benchdnn conv inputs, commit 515bfba6, Apache-2.0 (the shape set described in "
           "tests/data/README.md)")

# ResNet-50 v1: the 20 distinct conv layers of benchdnn `shapes_resnet_50`
# (net "resnet_50"), batch set to 1. Rows: name, C_in, C_out, H(=W), k, stride, pad.
# tests/test_bench.py checks these rows against the shape set when CONVX_CONV_SHAPES points at it.
_RESNET50 = [
    ("conv1", 3, 64, 224, 7, 2, 3),
    ("res2a_branch1", 64, 256, 56, 1, 1, 0),
    ("res2a_branch2a", 64, 64, 56, 1, 1, 0),
    ("res2a_branch2b", 64, 64, 56, 3, 1, 1),
    ("res2b_branch2a", 256, 64, 56, 1, 1, 0),
    ("res3a_branch1", 256, 512, 56, 1, 2, 0),
    ("res3a_branch2a", 256, 128, 56, 1, 2, 0),
    ("res3a_branch2b", 128, 128, 28, 3, 1, 1),
    ("res3a_branch2c", 128, 512, 28, 1, 1, 0),
    ("res3b_branch2a", 512, 128, 28, 1, 1, 0),
    ("res4a_branch1", 512, 1024, 28, 1, 2, 0),
    ("res4a_branch2a", 512, 256, 28, 1, 2, 0),
    ("res4a_branch2b", 256, 256, 14, 3, 1, 1),
    ("res4a_branch2c", 256, 1024, 14, 1, 1, 0),
    ("res4b_branch2a", 1024, 256, 14, 1, 1, 0),
    ("res5a_branch1", 1024, 2048, 14, 1, 2, 0),
    ("res5a_branch2a", 1024, 512, 14, 1, 2, 0),
    ("res5a_branch2b", 512, 512, 7, 3, 1, 1),
    ("res5a_branch2c", 512, 2048, 7, 1, 1, 0),
    ("res5b_branch2a", 2048, 512, 7, 1, 1, 0),
]
_RESNET50_QUICK = {"res4a_branch2b"}

# MobileNet v1 depthwise 3x3 layers (net "mobilenet_dw", groups == C_in), batch 1.
# Rows: name ("/" of benchdnn names replaced by "_"), C, H(=W), stride.
_MOBILENET_DW = [
    ("conv2_1_dw", 32, 112, 1),
    ("conv2_2_dw", 64, 112, 2),
    ("conv3_1_dw", 128, 56, 1),
    ("conv3_2_dw", 128, 56, 2),
    ("conv4_1_dw", 256, 28, 1),
    ("conv4_2_dw", 256, 28, 2),
    ("conv5_1_dw", 512, 14, 1),
    ("conv5_6_dw", 512, 14, 2),
    ("conv6_dw", 1024, 7, 1),
]
_MOBILENET_DW_QUICK = {"conv5_1_dw"}

# MobileNet pointwise 1x1 layers (net "mobilenet", k = 1, groups 1), batch 1.
# Rows: name, C_in, C_out, H(=W).
_MOBILENET_PW = [
    ("conv2", 32, 64, 112),
    ("conv3", 64, 128, 56),
    ("conv4", 128, 128, 56),
    ("conv5", 128, 256, 28),
    ("conv6", 256, 256, 28),
    ("conv7", 256, 512, 14),
    ("conv8", 512, 512, 14),
    ("conv9", 512, 1024, 7),
    ("conv10", 1024, 1024, 7),
    ("conv11", 1024, 5, 1),
]
_MOBILENET_PW_QUICK = {"conv7"}

register_suite("resnet50", [
    conv_case(name, (1, ci, hw, hw), co, k, stride=s, padding=p,
              quick=name in _RESNET50_QUICK, note="resnet_50:" + name + "; " + _SHAPES)
    for name, ci, co, hw, k, s, p in _RESNET50
], "ResNet-50 v1 conv layers, batch 1")

register_suite("mobilenet_dw", [
    conv_case(name, (1, c, hw, hw), c, 3, stride=s, padding=1, groups=c,
              quick=name in _MOBILENET_DW_QUICK,
              note="mobilenet:" + name.replace("_dw", "/dw") + "; " + _SHAPES)
    for name, c, hw, s in _MOBILENET_DW
], "MobileNet v1 depthwise 3x3 layers, batch 1")

register_suite("mobilenet_pw", [
    conv_case(name, (1, ci, hw, hw), co, 1, quick=name in _MOBILENET_PW_QUICK,
              note="mobilenet:" + name + "; " + _SHAPES)
    for name, ci, co, hw in _MOBILENET_PW
], "MobileNet pointwise 1x1 layers, batch 1")

register_suite("misc", [
    conv_case("resnext_3x3_g32", (1, 256, 56, 56), 256, 3, padding=1, groups=32, bias=True,
              quick=True, note="ResNeXt-style grouped 3x3, 32 groups of 8 channels"),
    conv_case("dilated_3x3_d2", (1, 256, 28, 28), 256, 3, padding=2, dilation=2, bias=True,
              note="DeepLab-style dilated 3x3, dilation 2"),
    conv_case("conv1d_tcn_k3", (1, 256, 4000), 256, 3, padding=1, bias=True, quick=True,
              note="TCN / wav2vec-like conv1d, 4000 steps"),
    conv_case("conv1d_k9_b8", (8, 64, 16000), 64, 9, padding=4, bias=True,
              note="audio conv1d, batch 8, 16000 samples, k=9"),
    conv_case("c3d_conv2", (1, 64, 16, 56, 56), 128, 3, padding=1, bias=True,
              note="C3D conv2 (3x3x3, 16 frames of 56x56)"),
    conv_case("c3d_conv1", (1, 3, 16, 112, 112), 64, 3, padding=1, bias=True, quick=True,
              note="C3D conv1 (3x3x3 on RGB, 16 frames of 112x112)"),
    conv_case("res5_3x3_b8", (8, 512, 7, 7), 512, 3, padding=1,
              note="ResNet-50 res5a_branch2b at batch 8 (small images in a batch)"),
], "grouped, dilated, conv1d and conv3d, a batched small-image layer")
