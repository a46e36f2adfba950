"""Glue of one family, compiled into convx._core (see _conv_transpose.pxi there)."""
from convx._core import (  # noqa: F401
    _conv_transpose,
    CT_FUSED,
    CT_TWO_PASS,
)
