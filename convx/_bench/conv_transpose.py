"""The ``conv_transpose`` family: convx.conv_transpose{1,2,3}d against torch, and its suite
(DCGAN generator, U-Net up-convs, a decoder, FCN / depthwise / grouped upsampling, 1-D, 3-D)."""
from __future__ import annotations

import math

import numpy as np

from convx._bench._core import (Call, Case, Family, _ntuple, _torch_context, register_family,
                                register_suite)

def ct_case(name, input_shape, out_channels, kernel, stride=1, padding=0, output_padding=0,
            dilation=1, groups=1, bias=False, quick=False, note="") -> Case:
    """A ``conv_transpose`` case from torch.nn.ConvTransposeNd-style arguments."""
    nd = len(input_shape) - 2
    c_in = input_shape[1]
    return Case("conv_transpose", name, tuple(input_shape),
                (c_in, out_channels // groups, *_ntuple(kernel, nd)), stride=stride,
                padding=padding, dilation=dilation, groups=groups, bias=bias, quick=quick,
                note=note, extra={"output_padding": _ntuple(output_padding, nd)})


def _ct_macs(case: Case) -> int:
    """conv_transpose: the MACs of the conv it is the adjoint of,
    ``N * C_in * prod(in_spatial) * (C_out / groups) * prod(k)``."""
    x, w = case.input_shape, case.weight_shape
    return x[0] * x[1] * math.prod(x[2:]) * w[1] * math.prod(w[2:])


def _ct_inputs(case: Case, rng: np.random.Generator) -> dict:
    dt = np.dtype(case.dtype)
    fan_in = case.weight_shape[0] * math.prod(case.weight_shape[2:]) // max(
        1, math.prod(case.stride))
    a = {"input": rng.standard_normal(case.input_shape, dtype=dt),
         "weight": (rng.standard_normal(case.weight_shape, dtype=dt)
                    * dt.type(1.0 / math.sqrt(max(fan_in, 1))))}
    if case.bias:
        a["bias"] = rng.standard_normal(case.weight_shape[1] * case.groups, dtype=dt)
    return a


def _ct_args(case: Case, a: dict) -> tuple:
    return (a["input"], a["weight"], a.get("bias"), case.stride, case.padding,
            case.params["output_padding"], case.groups, case.dilation)


def _ct_convx(case, a, algorithm, workers) -> Call:
    import convx
    op = getattr(convx, f"conv_transpose{case.ndim}d")
    return Call(op, _ct_args(case, a), dict(algorithm=algorithm, workers=workers),
                info=f"convx.conv_transpose{case.ndim}d(algorithm={algorithm!r}, "
                     f"workers={workers})")


def _ct_torch(case, a, workers) -> Call:
    import torch
    import torch.nn.functional as F
    x, w, b, *rest = _ct_args(case, a)
    args = (torch.from_numpy(x), torch.from_numpy(w), None if b is None else torch.from_numpy(b),
            *rest)
    return Call(getattr(F, f"conv_transpose{case.ndim}d"), args, {},
                context=_torch_context(workers),
                info=f"torch {torch.__version__} F.conv_transpose{case.ndim}d, no_grad, "
                     f"{workers} threads")


register_family("conv_transpose", Family(make_inputs=_ct_inputs, convx=_ct_convx,
                                         peers={"torch": _ct_torch}, macs=_ct_macs))

register_suite("conv_transpose", [
    ct_case("dcgan_g1_512to256", (1, 512, 4, 4), 256, 4, stride=2, padding=1,
            note="DCGAN generator (64x64), 4x4 s2 p1 up-conv 4x4 -> 8x8"),
    ct_case("dcgan_g2_256to128", (1, 256, 8, 8), 128, 4, stride=2, padding=1, quick=True,
            note="DCGAN generator, 8x8 -> 16x16"),
    ct_case("dcgan_g3_128to64", (1, 128, 16, 16), 64, 4, stride=2, padding=1,
            note="DCGAN generator, 16x16 -> 32x32"),
    ct_case("dcgan_g4_64to3", (1, 64, 32, 32), 3, 4, stride=2, padding=1,
            note="DCGAN generator output layer, 32x32 -> 64x64 RGB"),
    ct_case("unet_up1_1024to512", (1, 1024, 28, 28), 512, 2, stride=2, bias=True,
            note="U-Net 2x2 s2 up-conv, 28x28 -> 56x56"),
    ct_case("unet_up2_512to256", (1, 512, 52, 52), 256, 2, stride=2, bias=True,
            note="U-Net 2x2 s2 up-conv, 52x52 -> 104x104"),
    ct_case("unet_up3_256to128", (1, 256, 104, 104), 128, 2, stride=2, bias=True,
            note="U-Net 2x2 s2 up-conv, 104x104 -> 208x208"),
    ct_case("decoder_3x3_s2_op1", (1, 128, 56, 56), 64, 3, stride=2, padding=1,
            output_padding=1, bias=True, quick=True,
            note="segmentation decoder 3x3 s2 p1 output_padding 1, 56x56 -> 112x112"),
    ct_case("ct1d_k4_s2", (1, 256, 1000), 128, 4, stride=2, padding=1, bias=True,
            note="1-D upsampling (vocoder-style), k=4 s2 p1, 1000 -> 2000 steps"),
    ct_case("ct3d_k2_s2", (1, 64, 8, 28, 28), 32, 2, stride=2, bias=True,
            note="3-D U-Net 2x2x2 s2 up-conv, 8x28x28 -> 16x56x56"),
    ct_case("fcn8s_up_k16_s8_g21", (1, 21, 64, 64), 21, 16, stride=8, padding=4, groups=21,
            note="FCN-8s learned upsampling, one group per class, 64x64 -> 512x512"),
    ct_case("fcn32s_up_k64_s32_g21", (1, 21, 16, 16), 21, 64, stride=32, padding=16,
            groups=21, note="FCN-32s learned upsampling, one group per class, 16x16 -> 512x512"),
    ct_case("dw_up_k4_s2", (1, 64, 56, 56), 64, 4, stride=2, padding=1, groups=64,
            note="depthwise 4x4 s2 up-conv (learned bilinear-style upsampling), 56 -> 112"),
    ct_case("grouped_k4_s2_g32", (1, 256, 28, 28), 128, 4, stride=2, padding=1, groups=32,
            note="grouped 4x4 s2 up-conv (32 groups), 28x28 -> 56x56"),
], "transposed convs: DCGAN generator, U-Net up-convs, decoder, FCN / depthwise / grouped "
   "upsampling, 1-D and 3-D")
