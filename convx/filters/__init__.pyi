from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from convx._typing import Axes, Modes, Output

__all__ = ["correlate", "convolve", "correlate1d", "convolve1d", "sobel", "prewitt", "laplace",
           "gaussian_filter", "gaussian_filter1d", "uniform_filter", "uniform_filter1d",
           "gaussian_gradient_magnitude"]

_Out = npt.NDArray[np.generic]
_Origin = int | Sequence[int]
_PerAxis = float | Sequence[float]

def correlate(input: npt.ArrayLike, weights: npt.ArrayLike, output: Output = None,
              mode: Modes = "reflect", cval: float = 0.0, origin: _Origin = 0, *,
              axes: Axes = None, workers: int | None = None) -> _Out: ...
def convolve(input: npt.ArrayLike, weights: npt.ArrayLike, output: Output = None,
             mode: Modes = "reflect", cval: float = 0.0, origin: _Origin = 0, *,
             axes: Axes = None, workers: int | None = None) -> _Out: ...
def correlate1d(input: npt.ArrayLike, weights: npt.ArrayLike, axis: int = -1,
                output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                origin: int = 0, *, workers: int | None = None) -> _Out: ...
def convolve1d(input: npt.ArrayLike, weights: npt.ArrayLike, axis: int = -1,
               output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
               origin: int = 0, *, workers: int | None = None) -> _Out: ...
def sobel(input: npt.ArrayLike, axis: int = -1, output: Output = None, mode: Modes = "reflect",
          cval: float = 0.0, *, workers: int | None = None) -> _Out: ...
def prewitt(input: npt.ArrayLike, axis: int = -1, output: Output = None, mode: Modes = "reflect",
            cval: float = 0.0, *, workers: int | None = None) -> _Out: ...
def laplace(input: npt.ArrayLike, output: Output = None, mode: Modes = "reflect",
            cval: float = 0.0, *, axes: Axes = None, workers: int | None = None) -> _Out: ...
def gaussian_filter1d(input: npt.ArrayLike, sigma: float, axis: int = -1, order: int = 0,
                      output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                      truncate: float = 4.0, *, radius: int | None = None,
                      workers: int | None = None) -> _Out: ...
def gaussian_filter(input: npt.ArrayLike, sigma: _PerAxis, order: int | Sequence[int] = 0,
                    output: Output = None, mode: Modes = "reflect", cval: float = 0.0,
                    truncate: float = 4.0, *, radius: int | Sequence[int] | None = None,
                    axes: Axes = None, workers: int | None = None) -> _Out: ...
def uniform_filter1d(input: npt.ArrayLike, size: int, axis: int = -1, output: Output = None,
                     mode: Modes = "reflect", cval: float = 0.0, origin: int = 0, *,
                     workers: int | None = None) -> _Out: ...
def uniform_filter(input: npt.ArrayLike, size: int | Sequence[int] = 3, output: Output = None,
                   mode: Modes = "reflect", cval: float = 0.0, origin: _Origin = 0, *,
                   axes: Axes = None, workers: int | None = None) -> _Out: ...
def gaussian_gradient_magnitude(input: npt.ArrayLike, sigma: _PerAxis, output: Output = None,
                                mode: Modes = "reflect", cval: float = 0.0, *, axes: Axes = None,
                                truncate: float = 4.0, radius: int | Sequence[int] | None = None,
                                workers: int | None = None) -> _Out: ...
