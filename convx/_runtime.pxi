# Included once, by convx/_core.pyx (the one extension, the one copy of the C core):
# initialises the core at import from the environment (CONVX_ISA) and maps C statuses.
import os as _os

cdef int _init_runtime() except -1:
    cdef bytes req = _os.environ.get("CONVX_ISA", "").strip().lower().encode()
    cdef int st = convx_cpu_init(req)
    if st != CONVX_OK:
        raise ImportError(convx_cpu_error().decode())
    convx_threads_init()
    return 0


cdef int _check(int status) except -1:
    """Map a C status code to a Python exception (the Python layer validated first, so shape or
    argument codes here are bugs)."""
    if status == CONVX_OK:
        return 0
    msg = convx_status_str(status).decode()
    if status == CONVX_ERR_NOMEM:
        raise MemoryError(f"convx: {msg}")
    if status in (CONVX_ERR_SHAPE, CONVX_ERR_ARG):
        raise ValueError(f"convx internal check failed: {msg}")
    raise RuntimeError(f"convx: {msg}")

_init_runtime()
