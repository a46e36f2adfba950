from collections.abc import Sequence
from typing import Literal

import numpy.typing as npt

from convx._typing import Array, IntOrTuple

ALGORITHMS: tuple[str, ...]

def choose_algorithm(n_batch: int, c_out_per_group: int, kernel: Sequence[int],
                     in_spatial: Sequence[int]) -> str: ...
def conv_transpose1d(input: npt.ArrayLike, weight: npt.ArrayLike,
                     bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1, *,
                     algorithm: Literal["auto", "direct", "im2col", "reference"] = "auto",
                     workers: int | None = None, out: Array | None = None) -> Array: ...
def conv_transpose2d(input: npt.ArrayLike, weight: npt.ArrayLike,
                     bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1, *,
                     algorithm: Literal["auto", "direct", "im2col", "reference"] = "auto",
                     workers: int | None = None, out: Array | None = None) -> Array: ...
def conv_transpose3d(input: npt.ArrayLike, weight: npt.ArrayLike,
                     bias: npt.ArrayLike | None = None, stride: IntOrTuple = 1,
                     padding: IntOrTuple = 0, output_padding: IntOrTuple = 0, groups: int = 1,
                     dilation: IntOrTuple = 1, *,
                     algorithm: Literal["auto", "direct", "im2col", "reference"] = "auto",
                     workers: int | None = None, out: Array | None = None) -> Array: ...
