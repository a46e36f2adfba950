# The NumPy oracles: same argument order as the fast functions, no workers/algorithm/out.
import numpy as np
import numpy.typing as npt

from convx._typing import Axes, IntOrTuple, Modes, Output, Padding, PaddingMode

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "deform_conv2d", "depthwise_separable_conv1d",
           "depthwise_separable_conv2d", "depthwise_separable_conv3d",
           "spatially_separable_conv2d", "correlate", "convolve", "correlate1d", "convolve1d"]

_A = npt.ArrayLike
_R = npt.NDArray[np.floating]

def conv1d(input: _A, weight: _A, bias: _A | None = None, stride: IntOrTuple = 1,
           padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1,
           padding_mode: PaddingMode = "zeros") -> _R: ...
def conv2d(input: _A, weight: _A, bias: _A | None = None, stride: IntOrTuple = 1,
           padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1,
           padding_mode: PaddingMode = "zeros") -> _R: ...
def conv3d(input: _A, weight: _A, bias: _A | None = None, stride: IntOrTuple = 1,
           padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1,
           padding_mode: PaddingMode = "zeros") -> _R: ...
def conv_transpose1d(input: _A, weight: _A, bias: _A | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> _R: ...
def conv_transpose2d(input: _A, weight: _A, bias: _A | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> _R: ...
def conv_transpose3d(input: _A, weight: _A, bias: _A | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1) -> _R: ...
def deform_conv2d(input: _A, offset: _A, weight: _A, bias: _A | None = None,
                  stride: IntOrTuple = 1, padding: IntOrTuple = 0, dilation: IntOrTuple = 1,
                  mask: _A | None = None) -> _R: ...
def depthwise_separable_conv1d(input: _A, depthwise_weight: _A, pointwise_weight: _A,
                               depthwise_bias: _A | None = None, pointwise_bias: _A | None = None,
                               stride: IntOrTuple = 1, padding: Padding = 0,
                               dilation: IntOrTuple = 1,
                               padding_mode: PaddingMode = "zeros") -> _R: ...
def depthwise_separable_conv2d(input: _A, depthwise_weight: _A, pointwise_weight: _A,
                               depthwise_bias: _A | None = None, pointwise_bias: _A | None = None,
                               stride: IntOrTuple = 1, padding: Padding = 0,
                               dilation: IntOrTuple = 1,
                               padding_mode: PaddingMode = "zeros") -> _R: ...
def depthwise_separable_conv3d(input: _A, depthwise_weight: _A, pointwise_weight: _A,
                               depthwise_bias: _A | None = None, pointwise_bias: _A | None = None,
                               stride: IntOrTuple = 1, padding: Padding = 0,
                               dilation: IntOrTuple = 1,
                               padding_mode: PaddingMode = "zeros") -> _R: ...
def spatially_separable_conv2d(input: _A, column_weight: _A, row_weight: _A,
                               bias: _A | None = None, stride: IntOrTuple = 1,
                               padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1,
                               padding_mode: PaddingMode = "zeros") -> _R: ...
def correlate(input: _A, weights: _A, output: Output = None, mode: Modes = "reflect",
              cval: float = 0.0, origin: int | tuple[int, ...] = 0,
              axes: Axes = None) -> npt.NDArray[np.generic]: ...
def convolve(input: _A, weights: _A, output: Output = None, mode: Modes = "reflect",
             cval: float = 0.0, origin: int | tuple[int, ...] = 0,
             axes: Axes = None) -> npt.NDArray[np.generic]: ...
def correlate1d(input: _A, weights: _A, axis: int = -1, output: Output = None,
                mode: Modes = "reflect", cval: float = 0.0,
                origin: int = 0) -> npt.NDArray[np.generic]: ...
def convolve1d(input: _A, weights: _A, axis: int = -1, output: Output = None,
               mode: Modes = "reflect", cval: float = 0.0,
               origin: int = 0) -> npt.NDArray[np.generic]: ...
