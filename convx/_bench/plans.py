"""The ``plans`` suite: convx.plan_conv2d (planned once, outside the timing) against torch's
F.conv2d and convx's functional conv2d, on small-image layers at batch 1 (issue 14), plus the
tiny call (1x4x4x4, 1x1 weights, out= given) that measures a plan call's fixed cost."""
from __future__ import annotations

import numpy as np

from convx._bench import _core as B
from convx._bench.conv import _conv_inputs, _conv_kwargs, _conv_macs, _conv_torch


def _plan_convx(case, a, algorithm, workers) -> B.Call:
    import convx
    plan = getattr(convx, f"plan_conv{case.ndim}d")(
        a["weight"], a.get("bias"), **_conv_kwargs(case), input_shape=case.input_shape,
        algorithm=algorithm, workers=workers)
    kwargs = {}
    if case.params.get("out"):
        kwargs["out"] = np.empty(plan.output_shape, plan.dtype)
    return B.Call(plan, (a["input"],), kwargs,
                  info=f"convx.plan_conv{case.ndim}d(...)(input{', out=' if kwargs else ''}) "
                       f"(planned outside the timing, workers={workers})")


def _plan_functional(case, a, workers) -> B.Call:
    import convx
    return B.Call(getattr(convx, f"conv{case.ndim}d"), (a["input"], a["weight"], a.get("bias")),
                  dict(_conv_kwargs(case), workers=workers),
                  info=f"convx.conv{case.ndim}d (functional, workers={workers})")


B.register_family("conv_plan", B.Family(make_inputs=_conv_inputs, convx=_plan_convx,
                                        peers={"torch": _conv_torch,
                                               "convx_call": _plan_functional},
                                        macs=_conv_macs))


def _case(name, c_in, c_out, hw, k, stride=1, groups=1, bias=True, quick=False, note="",
          out=False):
    base = B.conv_case(name, (1, c_in, hw, hw), c_out, k, stride=stride, padding=k // 2,
                       groups=groups, bias=bias, quick=quick, note=note)
    return B.Case("conv_plan", name, base.input_shape, base.weight_shape, stride=base.stride,
                  padding=base.padding, groups=groups, bias=bias, quick=quick, note=note,
                  extra={"out": True} if out else {})


_R50 = "ResNet-50 v1 late layer (benchdnn resnet_50 shapes, tests/data/README.md)"
_MB2 = "MobileNetV2 late layer (torchvision mobilenet_v2 architecture)"
_EFF = "EfficientNet-B0 late layer (torchvision efficientnet_b0 architecture)"
B.register_suite("plans", [
    _case("r50_res4_3x3", 256, 256, 14, 3, quick=True, note=_R50 + ": res4a_branch2b"),
    _case("r50_res4_1x1", 1024, 256, 14, 1, note=_R50 + ": res4b_branch2a"),
    _case("r50_res5_3x3", 512, 512, 7, 3, quick=True, note=_R50 + ": res5a_branch2b"),
    _case("r50_res5_1x1_up", 512, 2048, 7, 1, note=_R50 + ": res5a_branch2c"),
    _case("r50_res5_1x1_dn", 2048, 512, 7, 1, note=_R50 + ": res5b_branch2a"),
    _case("mbv2_dw_576x14", 576, 576, 14, 3, groups=576, note=_MB2 + ": block 13 depthwise"),
    _case("mbv2_dw_960x7", 960, 960, 7, 3, groups=960, note=_MB2 + ": block 16 depthwise"),
    _case("mbv2_pw_160_960", 160, 960, 7, 1, note=_MB2 + ": block 16 expand"),
    _case("mbv2_pw_960_160", 960, 160, 7, 1, note=_MB2 + ": block 16 project"),
    _case("mbv2_head_320_1280", 320, 1280, 7, 1, note=_MB2 + ": last 1x1 conv"),
    _case("effb0_dw5_1152x7", 1152, 1152, 7, 5, groups=1152, note=_EFF + ": stage 7 dw 5x5"),
    _case("effb0_pw_1152_192", 1152, 192, 7, 1, note=_EFF + ": stage 7 project"),
    _case("head_1x1_1280_1000", 1280, 1000, 1, 1,
          note="classifier head as a 1x1 conv on a pooled 1x1 map (MobileNetV2 / NiN style)"),
    _case("head_1x1_512_1000", 512, 1000, 1, 1, note="ResNet-18/34 classifier as a 1x1 conv"),
    _case("tiny_1x4x4x4_out", 4, 4, 4, 1, bias=False, quick=True, out=True,
          note="a plan call's fixed cost: 1x4x4x4 input, 1x1 weights, out= given"),
], "plans (planned once) on small-image layers, batch 1, vs torch F.conv2d", target=0.3)
