# Shared aliases for the convx stubs (type checkers only; there is no convx/_typing.py).
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Array: TypeAlias = npt.NDArray[np.floating]
IntOrTuple: TypeAlias = int | tuple[int, ...]
Padding: TypeAlias = int | tuple[int, ...] | Literal["valid", "same"]
PaddingMode: TypeAlias = Literal["zeros", "reflect", "replicate", "circular"]
DataFormat: TypeAlias = Literal["channels_first", "channels_last"]
Algorithm: TypeAlias = Literal["auto", "direct", "im2col", "reference"]
FilterMode: TypeAlias = Literal["reflect", "constant", "nearest", "mirror", "wrap",
                                "grid-constant", "grid-mirror", "grid-wrap"]
Modes: TypeAlias = FilterMode | tuple[FilterMode, ...] | list[FilterMode]
Axes: TypeAlias = int | tuple[int, ...] | list[int] | None
Output: TypeAlias = npt.NDArray[np.generic] | npt.DTypeLike | None
