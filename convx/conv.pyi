from collections.abc import Sequence
from typing import Literal

import numpy.typing as npt

from convx._typing import Algorithm, Array, DataFormat, IntOrTuple, Padding, PaddingMode

ALGORITHMS: tuple[str, ...]

def choose_algorithm(c_in_per_group: int, c_out_per_group: int, kernel: Sequence[int],
                     out_spatial: Sequence[int], isa: str | None = None
                     ) -> Literal["direct", "im2col"]: ...
def conv1d(input: npt.ArrayLike, weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
           stride: IntOrTuple = 1, padding: Padding = 0, dilation: IntOrTuple = 1,
           groups: int = 1, *, padding_mode: PaddingMode = "zeros",
           data_format: DataFormat = "channels_first", algorithm: Algorithm = "auto",
           workers: int | None = None, out: Array | None = None) -> Array: ...
def conv2d(input: npt.ArrayLike, weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
           stride: IntOrTuple = 1, padding: Padding = 0, dilation: IntOrTuple = 1,
           groups: int = 1, *, padding_mode: PaddingMode = "zeros",
           data_format: DataFormat = "channels_first", algorithm: Algorithm = "auto",
           workers: int | None = None, out: Array | None = None) -> Array: ...
def conv3d(input: npt.ArrayLike, weight: npt.ArrayLike, bias: npt.ArrayLike | None = None,
           stride: IntOrTuple = 1, padding: Padding = 0, dilation: IntOrTuple = 1,
           groups: int = 1, *, padding_mode: PaddingMode = "zeros",
           data_format: DataFormat = "channels_first", algorithm: Algorithm = "auto",
           workers: int | None = None, out: Array | None = None) -> Array: ...
