# Included once, by convx/_core.pyx (the one extension, the one copy of the C core):
# initialises the core at import from the environment (CONVX_ISA), registers the interrupt hook
# (csrc/interrupt.h) and maps C statuses.
import os as _os
import threading as _threading

cdef extern from "Python.h":
    ctypedef int PyGILState_STATE
    PyGILState_STATE PyGILState_Ensure() nogil
    void PyGILState_Release(PyGILState_STATE state) nogil
    int PyErr_CheckSignals() nogil   # only called with the GIL taken by PyGILState_Ensure
    void *PyErr_Occurred()
    unsigned long PyThread_get_thread_ident() nogil

# Python runs signal handlers in the main thread only, so only a call from that thread can be
# interrupted; other threads' calls never take the GIL in the hook. Updated in a forked child
# (the forking thread becomes its main thread).
cdef unsigned long _main_ident = _threading.main_thread().ident


def _after_fork_in_child():
    global _main_ident
    _main_ident = PyThread_get_thread_ident()


cdef int _interrupt_hook() noexcept nogil:
    """Called by a long C call from the thread that made it, about every 20 ms: run Python's
    signal handlers (the default SIGINT handler raises KeyboardInterrupt; a handler that returns
    lets the call go on) and report whether they left an exception, which _check then raises."""
    if PyThread_get_thread_ident() != _main_ident:
        return 0
    cdef PyGILState_STATE g = PyGILState_Ensure()
    cdef int raised = PyErr_CheckSignals() != 0
    PyGILState_Release(g)
    return raised


cdef int _init_runtime() except -1:
    cdef bytes req = _os.environ.get("CONVX_ISA", "").strip().lower().encode()
    cdef int st = convx_cpu_init(req)
    if st != CONVX_OK:
        raise ImportError(convx_cpu_error().decode())
    convx_threads_init()
    convx_set_interrupt_hook(_interrupt_hook)
    if hasattr(_os, "register_at_fork"):
        _os.register_at_fork(after_in_child=_after_fork_in_child)
    return 0


cdef int _check(int status) except -1:
    """Map a C status code to a Python exception (the Python layer validated first, so shape or
    argument codes here are bugs). An interrupted call re-raises what the signal handler raised
    (KeyboardInterrupt by default), which is still pending in this thread."""
    if status == CONVX_OK:
        return 0
    if status == CONVX_ERR_INTERRUPTED:
        if PyErr_Occurred() != NULL:
            return -1
        raise KeyboardInterrupt
    msg = convx_status_str(status).decode()
    if status == CONVX_ERR_NOMEM:
        raise MemoryError(f"convx: {msg}")
    if status in (CONVX_ERR_SHAPE, CONVX_ERR_ARG):
        raise ValueError(f"convx internal check failed: {msg}")
    raise RuntimeError(f"convx: {msg}")

_init_runtime()
