"""Glue of one family, compiled into convx._core (see _conv_transpose.pxi there)."""
from convx._core import (  # noqa: F401
    _conv_transpose,
    ALGO_DIRECT,
    ALGO_IM2COL,
)
