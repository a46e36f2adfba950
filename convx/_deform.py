"""Glue of one family, compiled into convx._core (see _deform.pxi there)."""
from convx._core import (  # noqa: F401
    _deform_conv2d,
)
