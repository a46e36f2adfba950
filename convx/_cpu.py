"""Glue of one family, compiled into convx._core (see _cpu.pxi there)."""
from convx._core import (  # noqa: F401
    active_isa,
    compiled_isas,
    supported_isas,
    cpu_features,
    openmp_enabled,
    max_threads,
    blas_info,
    workspace_cap_bytes,
    measure_peak_gflops,
    kernels,
)
