"""Glue of one family, compiled into convx._core (see _kernels.pxi there)."""
from convx._core import (  # noqa: F401
    registry,
    check_table_with,
    direct,
    gemm,
    igemm,
    ocblock,
    dwconv,
    filter,
    filter2d,
    im2col,
    pack,
    peak,
    transpose,
)
