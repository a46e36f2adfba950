"""Glue of one family, compiled into convx._core (see _conv_transpose.pxi there)."""
from convx._core import (  # noqa: F401
    _conv_transpose,
    _conv_transpose_cl,
    _ct_choose_algorithm as choose_algorithm,
    _ct_last_variant as last_variant,
    CT_AUTO,
    CT_FUSED,
    CT_TWO_PASS,
    CT_SUBPIXEL,
)
