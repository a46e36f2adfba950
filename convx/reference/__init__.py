"""Pure-NumPy reference implementations (oracles) of every convx operation.

They are the specification the compiled code is tested against: the summation
formulas written out, accumulated in float64 and cast to the public result dtype
at the end. Readable over fast; they never import compiled convx modules.
"""
from .conv import conv1d, conv2d, conv3d
from .conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from .deform import deform_conv2d
from .filters import convolve, convolve1d, correlate, correlate1d
from .separable import (
    depthwise_separable_conv1d,
    depthwise_separable_conv2d,
    depthwise_separable_conv3d,
    spatially_separable_conv2d,
)

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "deform_conv2d",
    "depthwise_separable_conv1d",
    "depthwise_separable_conv2d",
    "depthwise_separable_conv3d",
    "spatially_separable_conv2d",
    "correlate",
    "convolve",
    "correlate1d",
    "convolve1d",
]

from . import _docs  # noqa: E402  (numpydoc Raises / See Also / Examples for every oracle)

_docs.complete(globals())
del _docs
