"""CPU feature detection, ISA choice and introspection (csrc/cpu.c, csrc/threads.c)."""


def active_isa():
    """Name of the ISA whose kernels this process runs ('scalar', 'avx2' or 'avx512')."""
    return convx_isa_name(convx_cpu_active_isa()).decode()


def compiled_isas():
    """ISAs this build of convx has kernels for."""
    return [convx_isa_name(i).decode() for i in range(CONVX_ISA_COUNT) if convx_cpu_isa_compiled(i)]


def supported_isas():
    """ISAs this CPU (and OS) can run."""
    return [convx_isa_name(i).decode() for i in range(CONVX_ISA_COUNT) if convx_cpu_isa_supported(i)]


def cpu_features():
    """The x86 features dispatch looks at, as {name: bool}."""
    return {convx_cpu_feature_name(i).decode(): bool(convx_cpu_feature_value(i))
            for i in range(convx_cpu_feature_count())}


def openmp_enabled():
    return bool(convx_openmp_enabled())


def max_threads():
    """Processors OpenMP can use (the default for workers=-1)."""
    return convx_max_threads()


def blas_info():
    """(core name, config string) of the OpenBLAS library convx calls."""
    return convx_blas_corename().decode(), convx_blas_config().decode()


def workspace_cap_bytes():
    return convx_ws_cap_bytes()


def measure_peak_gflops(workers=None, dtype="float32", seconds=0.2):
    """FMA throughput of the active ISA on `workers` threads, best of repeated runs, in GFLOP/s.

    Runs 12 independent FMA chains per thread (enough to cover FMA latency on current x86
    cores), so it measures the issue rate of the FMA pipes, not memory.
    """
    cdef int w = max_threads() if workers in (None, -1) else int(workers)
    cdef int f64 = 1 if str(dtype) in ("float64", "f64", "double") else 0
    cdef double s = seconds
    cdef double r
    with nogil:
        r = convx_measure_peak_gflops(w, f64, s)
    return r


def kernels():
    """The kernel registry: one dict per micro-kernel of every family and ISA (fields: see
    csrc/kernels/kernels.h)."""
    out = []
    cdef const convx_kernel_info *k
    for i in range(convx_kernel_count()):
        k = convx_kernel_get(i)
        out.append({"family": k.family.decode(), "name": k.name.decode(),
                    "dtype": k.dtype.decode(), "isa": convx_isa_name(k.isa).decode(),
                    "tile": k.tile.decode(), "slot": k.slot, "oc": k.oc, "px": k.px,
                    "rows": k.rows, "ksize": k.ksize, "stride": k.stride,
                    "compiled": k.fn != NULL})
    return out
