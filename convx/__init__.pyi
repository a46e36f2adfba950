from typing import Any

from convx import filters as filters, kernels as kernels, reference as reference
from convx.conv import conv1d as conv1d, conv2d as conv2d, conv3d as conv3d
from convx.conv_transpose import (conv_transpose1d as conv_transpose1d,
                                  conv_transpose2d as conv_transpose2d,
                                  conv_transpose3d as conv_transpose3d)
from convx.deform import deform_conv2d as deform_conv2d
from convx.plan import (ConvPlan as ConvPlan, plan_conv1d as plan_conv1d,
                        plan_conv2d as plan_conv2d, plan_conv3d as plan_conv3d,
                        plan_conv_transpose1d as plan_conv_transpose1d,
                        plan_conv_transpose2d as plan_conv_transpose2d,
                        plan_conv_transpose3d as plan_conv_transpose3d)
from convx.separable import (depthwise_separable_conv1d as depthwise_separable_conv1d,
                             depthwise_separable_conv2d as depthwise_separable_conv2d,
                             depthwise_separable_conv3d as depthwise_separable_conv3d,
                             spatially_separable_conv2d as spatially_separable_conv2d)

__version__: str
__all__: list[str]

def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def get_config() -> dict[str, Any]: ...
def show_config() -> None: ...
