from typing import Literal

import numpy as np
import numpy.typing as npt

from convx._typing import Array, IntOrTuple, Padding, PaddingMode

DATA_FORMATS: tuple[str, ...]
ALGORITHMS: tuple[str, ...]
DataFormat = Literal["channels_first", "channels_last"]
PlanAlgorithm = Literal["auto", "direct", "im2col"]

class ConvPlan:
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    dtype: np.dtype[np.floating]
    algorithm: str
    workspace_nbytes: int
    def __call__(self, x: npt.ArrayLike, out: Array | None = None) -> Array: ...

def plan_conv1d(weight: npt.ArrayLike, bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1, *,
                input_shape: tuple[int, ...], padding_mode: PaddingMode = "zeros",
                data_format: DataFormat = "channels_first", algorithm: PlanAlgorithm = "auto",
                workers: int | None = None) -> ConvPlan: ...
def plan_conv2d(weight: npt.ArrayLike, bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1, *,
                input_shape: tuple[int, ...], padding_mode: PaddingMode = "zeros",
                data_format: DataFormat = "channels_first", algorithm: PlanAlgorithm = "auto",
                workers: int | None = None) -> ConvPlan: ...
def plan_conv3d(weight: npt.ArrayLike, bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                padding: Padding = 0, dilation: IntOrTuple = 1, groups: int = 1, *,
                input_shape: tuple[int, ...], padding_mode: PaddingMode = "zeros",
                data_format: DataFormat = "channels_first", algorithm: PlanAlgorithm = "auto",
                workers: int | None = None) -> ConvPlan: ...
def plan_conv_transpose1d(weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
                          stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                          output_padding: IntOrTuple = 0, groups: int = 1,
                          dilation: IntOrTuple = 1, *, input_shape: tuple[int, ...],
                          data_format: DataFormat = "channels_first",
                          algorithm: PlanAlgorithm = "auto",
                          workers: int | None = None) -> ConvPlan: ...
def plan_conv_transpose2d(weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
                          stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                          output_padding: IntOrTuple = 0, groups: int = 1,
                          dilation: IntOrTuple = 1, *, input_shape: tuple[int, ...],
                          data_format: DataFormat = "channels_first",
                          algorithm: PlanAlgorithm = "auto",
                          workers: int | None = None) -> ConvPlan: ...
def plan_conv_transpose3d(weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
                          stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                          output_padding: IntOrTuple = 0, groups: int = 1,
                          dilation: IntOrTuple = 1, *, input_shape: tuple[int, ...],
                          data_format: DataFormat = "channels_first",
                          algorithm: PlanAlgorithm = "auto",
                          workers: int | None = None) -> ConvPlan: ...
