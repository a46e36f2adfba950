"""The ``channels_last`` suite (issue 14): convx.conv2d(..., data_format="channels_last") on
[N, H, W, C] arrays against torch's F.conv2d with channels_last input and weights (the layout
oneDNN computes natively), and against convx's own channels-first call on the same data
(channels-last should be no slower on pointwise and depthwise layers). Layers of published
networks at batch 1, float32, in three groups: depthwise, pointwise, dense."""
from __future__ import annotations

import numpy as np

from convx._bench import _core as B
from convx._bench._core import _torch_context
from convx._bench.conv import _conv_inputs, _conv_kwargs, _conv_macs


def _cl_inputs(case, rng):
    a = _conv_inputs(case, rng)
    a["input_cl"] = np.ascontiguousarray(np.moveaxis(a["input"], 1, -1))
    return a


def _cl_convx(case, a, algorithm, workers) -> B.Call:
    import convx
    return B.Call(getattr(convx, f"conv{case.ndim}d"), (a["input_cl"], a["weight"], a.get("bias")),
                  dict(_conv_kwargs(case), data_format="channels_last", algorithm=algorithm,
                       workers=workers),
                  info=f"convx.conv{case.ndim}d(data_format='channels_last', workers={workers})")


def _cl_torch(case, a, workers) -> B.Call:
    import torch
    import torch.nn.functional as F
    mf = torch.channels_last if case.ndim == 2 else torch.channels_last_3d
    # a channels-last tensor is the [N, H, W, C] buffer seen as NCHW with NHWC strides
    x = torch.from_numpy(a["input_cl"]).movedim(-1, 1)
    assert x.is_contiguous(memory_format=mf)
    w = torch.from_numpy(a["weight"]).contiguous(memory_format=mf)
    b = a.get("bias")
    return B.Call(getattr(F, f"conv{case.ndim}d"), (x, w, None if b is None else
                                                     torch.from_numpy(b)),
                  _conv_kwargs(case), context=_torch_context(workers),
                  info=f"torch {torch.__version__} F.conv{case.ndim}d, channels_last input and "
                       f"weights, no_grad, {workers} threads")


def _cf_convx(case, a, workers) -> B.Call:
    import convx
    return B.Call(getattr(convx, f"conv{case.ndim}d"), (a["input"], a["weight"], a.get("bias")),
                  dict(_conv_kwargs(case), workers=workers),
                  info=f"convx.conv{case.ndim}d (channels-first input, workers={workers})")


def _as_cf(who, y):
    """Results compared channels-first: convx's channels-last one seen as [N, C, *sp] (torch's
    channels_last tensor already has that logical shape)."""
    return np.moveaxis(np.asarray(y), -1, 1) if who == "convx" else np.asarray(y)


B.register_family("conv_cl", B.Family(make_inputs=_cl_inputs, convx=_cl_convx,
                                      peers={"torch": _cl_torch, "convx_cf": _cf_convx},
                                      macs=_conv_macs, check_view=_as_cf))


def _case(group, name, c_in, c_out, hw, k, stride=1, groups=1, quick=False, note=""):
    base = B.conv_case(f"{group}_{name}", (1, c_in, hw, hw), c_out, k, stride=stride,
                       padding=k // 2, groups=groups, bias=True, quick=quick, note=note)
    return B.Case("conv_cl", base.name, base.input_shape, base.weight_shape, stride=base.stride,
                  padding=base.padding, groups=groups, bias=True, quick=quick, note=note)


_MB2 = "MobileNetV2 (torchvision mobilenet_v2 architecture)"
_EFF = "EfficientNet-B0 (torchvision efficientnet_b0 architecture)"
_R50 = "ResNet-50 v1 (benchdnn resnet_50 shapes, tests/data/README.md)"
_VGG = "VGG-16 (torchvision vgg16 architecture)"
B.register_suite("channels_last", [
    # depthwise
    _case("dw", "mbv2_b1_32x112", 32, 32, 112, 3, groups=32, quick=True, note=_MB2 + " block 1"),
    _case("dw", "mbv2_b2_96x112_s2", 96, 96, 112, 3, 2, groups=96, note=_MB2 + " block 2"),
    _case("dw", "mbv2_144x56", 144, 144, 56, 3, groups=144, note=_MB2 + " block 3"),
    _case("dw", "mbv2_192x28", 192, 192, 28, 3, groups=192, note=_MB2 + " block 5"),
    _case("dw", "mbv2_384x14", 384, 384, 14, 3, groups=384, note=_MB2 + " block 8"),
    _case("dw", "mbv2_576x14", 576, 576, 14, 3, groups=576, note=_MB2 + " block 13"),
    _case("dw", "mbv2_960x7", 960, 960, 7, 3, groups=960, quick=True, note=_MB2 + " block 16"),
    _case("dw", "effb0_dw5_240x28", 240, 240, 28, 5, groups=240, note=_EFF + " stage 4"),
    _case("dw", "effb0_dw5_672x14", 672, 672, 14, 5, groups=672, note=_EFF + " stage 6"),
    _case("dw", "effb0_dw5_1152x7", 1152, 1152, 7, 5, groups=1152, note=_EFF + " stage 7"),
    # pointwise
    _case("pw", "mbv2_24_144x56", 24, 144, 56, 1, note=_MB2 + " block 3 expand"),
    _case("pw", "mbv2_144_24x56", 144, 24, 56, 1, note=_MB2 + " block 3 project"),
    _case("pw", "mbv2_64_384x14", 64, 384, 14, 1, note=_MB2 + " block 8 expand"),
    _case("pw", "mbv2_960_160x7", 960, 160, 7, 1, quick=True, note=_MB2 + " block 16 project"),
    _case("pw", "mbv2_320_1280x7", 320, 1280, 7, 1, note=_MB2 + " last 1x1"),
    _case("pw", "r50_64_256x56", 64, 256, 56, 1, note=_R50 + " res2a_branch2c"),
    _case("pw", "r50_256_64x56", 256, 64, 56, 1, note=_R50 + " res2b_branch2a"),
    _case("pw", "r50_1024_256x14", 1024, 256, 14, 1, note=_R50 + " res4b_branch2a"),
    _case("pw", "r50_2048_512x7", 2048, 512, 7, 1, note=_R50 + " res5b_branch2a"),
    # dense
    _case("dense", "mbv2_stem_3_32x224_s2", 3, 32, 224, 3, 2, note=_MB2 + " stem"),
    _case("dense", "r50_64x56", 64, 64, 56, 3, quick=True, note=_R50 + " res2a_branch2b"),
    _case("dense", "r50_128x28", 128, 128, 28, 3, note=_R50 + " res3a_branch2b"),
    _case("dense", "r50_256x14", 256, 256, 14, 3, note=_R50 + " res4a_branch2b"),
    _case("dense", "r50_512x7", 512, 512, 7, 3, note=_R50 + " res5a_branch2b"),
    _case("dense", "vgg_128x112", 128, 128, 112, 3, note=_VGG + " conv2_2"),
], "channels-last (NHWC) layers, batch 1, vs torch channels_last and convx channels-first",
   target=0.3)
