from collections.abc import Sequence
from typing import Literal

import numpy.typing as npt

from convx._typing import Array, DataFormat, IntOrTuple

ALGORITHMS: tuple[str, ...]

def choose_algorithm(input_shape: Sequence[int], weight_shape: Sequence[int],
                     stride: IntOrTuple = 1, padding: IntOrTuple = 0,
                     output_padding: IntOrTuple = 0, groups: int = 1, dilation: IntOrTuple = 1,
                     isa: str | None = None) -> str: ...
def last_variant() -> str: ...
def conv_transpose1d(input: npt.ArrayLike, weight: npt.ArrayLike,
                     bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1, *, data_format: DataFormat = "channels_first",
                     algorithm: Literal["auto", "subpixel", "direct", "im2col",
                                        "reference"] = "auto",
                     workers: int | None = None, out: Array | None = None) -> Array: ...
def conv_transpose2d(input: npt.ArrayLike, weight: npt.ArrayLike,
                     bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1, *, data_format: DataFormat = "channels_first",
                     algorithm: Literal["auto", "subpixel", "direct", "im2col",
                                        "reference"] = "auto",
                     workers: int | None = None, out: Array | None = None) -> Array: ...
def conv_transpose3d(input: npt.ArrayLike, weight: npt.ArrayLike,
                     bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1, *, data_format: DataFormat = "channels_first",
                     algorithm: Literal["auto", "subpixel", "direct", "im2col",
                                        "reference"] = "auto",
                     workers: int | None = None, out: Array | None = None) -> Array: ...
