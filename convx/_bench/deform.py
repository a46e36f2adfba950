"""The ``deform_conv2d`` family: convx.deform_conv2d against torchvision (and convx.conv2d on
the same shapes, the cost of deformability), and the DCN-ResNet-50 suite."""
from __future__ import annotations

import numpy as np

from convx._bench._core import (_UNCHECKED_PEERS, Call, Case, Family, _torch_context,
                                conv_output_shape, register_family, register_suite)
from convx._bench.conv import _conv_inputs, _conv_kwargs, _conv_macs

def _deform_inputs(case: Case, rng: np.random.Generator) -> dict:
    a = _conv_inputs(case, rng)
    dt = np.dtype(case.dtype)
    n, (kh, kw) = case.input_shape[0], case.weight_shape[2:]
    og = case.params.get("offset_groups", 1)
    out = conv_output_shape(case.input_shape[2:], case.weight_shape[2:], case.stride,
                            case.padding, case.dilation)
    # offsets of about a pixel (trained DCN offsets are of this order), mask in [0, 1)
    a["offset"] = rng.standard_normal((n, 2 * og * kh * kw, *out), dtype=dt)
    if case.params.get("mask", True):
        a["mask"] = rng.random((n, og * kh * kw, *out), dtype=dt)
    return a


def _deform_kwargs(case: Case) -> dict:
    return dict(stride=case.stride, padding=case.padding, dilation=case.dilation)


def _deform_convx(case, a, algorithm, workers) -> Call:
    import convx
    return Call(convx.deform_conv2d, (a["input"], a["offset"], a["weight"], a.get("bias")),
                dict(_deform_kwargs(case), mask=a.get("mask"), workers=workers),
                info=f"convx.deform_conv2d(workers={workers})")


def _deform_torchvision(case, a, workers) -> Call:
    import torch
    import torchvision.ops
    t = {k: torch.from_numpy(v) for k, v in a.items()}
    return Call(torchvision.ops.deform_conv2d,
                (t["input"], t["offset"], t["weight"], t.get("bias")),
                dict(_deform_kwargs(case), mask=t.get("mask")), context=_torch_context(workers),
                info=f"torchvision {torchvision.__version__} ops.deform_conv2d (torch "
                     f"{torch.__version__}), no_grad, {workers} threads")


def _deform_conv2d_peer(case, a, workers) -> Call:
    import convx
    return Call(convx.conv2d, (a["input"], a["weight"], a.get("bias")),
                dict(_conv_kwargs(case), workers=workers),
                info=f"convx.conv2d on the same shapes (the cost of deformability), "
                     f"workers={workers}")


# timed for comparison only: it computes a different function, so never the reference
_UNCHECKED_PEERS.add("conv2d")

register_family("deform_conv2d", Family(make_inputs=_deform_inputs, convx=_deform_convx,
                                        peers={"torch": _deform_torchvision,
                                               "conv2d": _deform_conv2d_peer},
                                        macs=_conv_macs))

register_suite("deform", [
    Case("deform_conv2d", f"dcn_{stage}_{c}x{hw}_b{n}", (n, c, hw, hw), (c, c, 3, 3),
         stride=1, padding=1, quick=(n == 1 and stage == "res4"),
         extra={"offset_groups": 1, "mask": True},
         note=f"DCNv2 ResNet-50 {stage} 3x3 conv (offset groups 1, with mask); 'torch' is "
              f"torchvision.ops.deform_conv2d, 'conv2d' is convx.conv2d on the same shapes")
    for stage, c, hw in (("res3", 128, 28), ("res4", 256, 14), ("res5", 512, 7))
    for n in (1, 4)
], "DCN-ResNet-50 stage 3-5 deformable 3x3 layers (DCNv2), batch 1 and 4")
