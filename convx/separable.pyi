import numpy.typing as npt

from convx._typing import Array, DataFormat, IntOrTuple, Padding, PaddingMode

__all__ = ["depthwise_separable_conv1d", "depthwise_separable_conv2d",
           "depthwise_separable_conv3d", "spatially_separable_conv2d"]

def depthwise_separable_conv1d(input: npt.ArrayLike, depthwise_weight: npt.ArrayLike,
                               pointwise_weight: npt.ArrayLike,
                               depthwise_bias: npt.ArrayLike | None = None,
                               pointwise_bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                               padding: Padding = 0, dilation: IntOrTuple = 1, *,
                               padding_mode: PaddingMode = "zeros",
                               data_format: DataFormat = "channels_first", workers: int | None = None,
                               out: Array | None = None) -> Array: ...
def depthwise_separable_conv2d(input: npt.ArrayLike, depthwise_weight: npt.ArrayLike,
                               pointwise_weight: npt.ArrayLike,
                               depthwise_bias: npt.ArrayLike | None = None,
                               pointwise_bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                               padding: Padding = 0, dilation: IntOrTuple = 1, *,
                               padding_mode: PaddingMode = "zeros",
                               data_format: DataFormat = "channels_first", workers: int | None = None,
                               out: Array | None = None) -> Array: ...
def depthwise_separable_conv3d(input: npt.ArrayLike, depthwise_weight: npt.ArrayLike,
                               pointwise_weight: npt.ArrayLike,
                               depthwise_bias: npt.ArrayLike | None = None,
                               pointwise_bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                               padding: Padding = 0, dilation: IntOrTuple = 1, *,
                               padding_mode: PaddingMode = "zeros",
                               data_format: DataFormat = "channels_first", workers: int | None = None,
                               out: Array | None = None) -> Array: ...
def spatially_separable_conv2d(input: npt.ArrayLike, column_weight: npt.ArrayLike,
                               row_weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
                               stride: IntOrTuple = 1, padding: Padding = 0,
                               dilation: IntOrTuple = 1, groups: int = 1, *,
                               padding_mode: PaddingMode = "zeros",
                               data_format: DataFormat = "channels_first", workers: int | None = None,
                               out: Array | None = None) -> Array: ...
