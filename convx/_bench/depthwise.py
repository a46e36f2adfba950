"""The ``depthwise`` suite: depthwise layers (``groups == C_in``) of published networks beyond
MobileNet v1's 3x3 (suite ``mobilenet_dw``): 5x5 and 7x7 kernels, small maps, dilation, a
channel multiplier, 1-D and batch > 1. Shapes from the networks' papers / torchvision model
definitions at 224x224 input (DeepLab v3: 513x513, output stride 16), batch 1 unless named.
"""
from convx._bench._core import conv_case, register_suite

# name, C_in, H(=W), kernel, stride, dilation, channel multiplier, batch
_LAYERS = [
    # MobileNet v2 (Sandler et al. 2018), inverted-residual depthwise 3x3
    ("mnv2_b1_dw", 32, 112, 3, 1, 1, 1, 1),
    ("mnv2_b2_dw_s2", 96, 112, 3, 2, 1, 1, 1),
    ("mnv2_b3_dw", 144, 56, 3, 1, 1, 1, 1),
    ("mnv2_b4_dw_s2", 144, 56, 3, 2, 1, 1, 1),
    ("mnv2_b5_dw", 192, 28, 3, 1, 1, 1, 1),
    ("mnv2_b8_dw", 384, 14, 3, 1, 1, 1, 1),
    ("mnv2_b14_dw_s2", 576, 14, 3, 2, 1, 1, 1),
    ("mnv2_b15_dw", 960, 7, 3, 1, 1, 1, 1),
    # MobileNet v3-Large (Howard et al. 2019): 5x5 blocks
    ("mnv3_b4_dw5_s2", 72, 56, 5, 2, 1, 1, 1),
    ("mnv3_b5_dw5", 120, 28, 5, 1, 1, 1, 1),
    ("mnv3_b13_dw5_s2", 672, 14, 5, 2, 1, 1, 1),
    ("mnv3_b14_dw5", 960, 7, 5, 1, 1, 1, 1),
    # EfficientNet-B0 (Tan & Le 2019): MBConv 3x3 and 5x5
    ("effb0_s4_dw5", 240, 28, 5, 1, 1, 1, 1),
    ("effb0_s5_dw3", 480, 14, 3, 1, 1, 1, 1),
    ("effb0_s6_dw5", 672, 14, 5, 1, 1, 1, 1),
    ("effb0_s7_dw5", 1152, 7, 5, 1, 1, 1, 1),
    ("effb0_s8_dw3", 1152, 7, 3, 1, 1, 1, 1),
    # ConvNeXt-T (Liu et al. 2022): 7x7 depthwise, one per stage
    ("convnext_t_s1_dw7", 96, 56, 7, 1, 1, 1, 1),
    ("convnext_t_s2_dw7", 192, 28, 7, 1, 1, 1, 1),
    ("convnext_t_s3_dw7", 384, 14, 7, 1, 1, 1, 1),
    ("convnext_t_s4_dw7", 768, 7, 7, 1, 1, 1, 1),
    # DeepLab v3 + MobileNet v2 backbone, output stride 16 (33x33 maps): dilated depthwise
    ("deeplab_mnv2_dw_d2", 576, 33, 3, 1, 2, 1, 1),
    ("deeplab_mnv2_dw_d4", 960, 33, 3, 1, 4, 1, 1),
    # batch 8 (serving) and a channel multiplier of 2 (Keras DepthwiseConv2D depth_multiplier)
    ("mnv2_b3_dw_b8", 144, 56, 3, 1, 1, 1, 8),
    ("effb0_s6_dw5_b8", 672, 14, 5, 1, 1, 1, 8),
    ("mult2_dw3", 64, 56, 3, 1, 1, 2, 1),
]

register_suite("depthwise", [
    conv_case(name, (n, c, hw, hw), c * mult, k, stride=s, padding=d * (k - 1) // 2,
              dilation=d, groups=c, quick=name == "effb0_s6_dw5", note=name)
    for name, c, hw, k, s, d, mult, n in _LAYERS
] + [
    conv_case("conformer_dw31_1d", (1, 256, 1000), 256, 31, padding=15, groups=256,
              note="Conformer conv module depthwise conv1d, k=31, 1000 frames"),
], "depthwise layers of MobileNet v2/v3, EfficientNet-B0, ConvNeXt-T, DeepLab v3, 1-D")
