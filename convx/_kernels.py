"""Glue of one family, compiled into convx._core (see _kernels.pxi there)."""
from convx._core import (  # noqa: F401
    registry,
    check_table_with,
    sliding,
    gemm,
    shifted_gemm,
    indirect_gemm,
    dwconv,
    dwconv_inplace,
    dwconv_cl,
    filter,
    filter2d,
    fftconv,
    im2col,
    pack,
    peak,
    transpose,
)
