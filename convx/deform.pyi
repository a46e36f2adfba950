import numpy.typing as npt

from convx._typing import Array, DataFormat, IntOrTuple

__all__ = ["deform_conv2d"]

def deform_conv2d(input: npt.ArrayLike, offset: npt.ArrayLike, weight: npt.ArrayLike,
                  bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                  padding: IntOrTuple = 0, dilation: IntOrTuple = 1,
                  mask: npt.ArrayLike | None = None, *,
                  data_format: DataFormat = "channels_first", workers: int | None = None,
                  out: Array | None = None) -> Array: ...
