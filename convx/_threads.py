"""Thread defaults: the process-wide default for ``workers=None`` and the ``workers=``
argument of every public function (None: the default, -1: all cores, n >= 1: n threads).

threadpoolctl (used by Dask, scikit-learn and joblib against oversubscription) limits an OpenMP
library by calling its ``omp_set_num_threads``, which lowers the calling thread's OpenMP ICV
*nthreads-var*. convx passes an explicit thread count to every parallel region, which overrides
that ICV, so ``None`` and ``-1`` are capped here by the ICV of the OpenMP runtime convx is linked
with whenever it is below its start-up value (``OMP_NUM_THREADS`` or every core): inside
``threadpool_limits(n)`` convx uses at most n threads and :func:`get_num_threads` says so. An
explicit ``workers=k`` is the caller's deliberate choice and is not capped. A limit at or
above the start-up value cannot be told from no limit (the ICV looks the same), so it only
matters after ``set_num_threads`` raised the default beyond the cores.
"""
import ctypes
import numbers
import operator
import os

import numpy as np

_default_workers = None
MAX_WORKERS = 4096


def _initial_workers():
    env = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return all_cores()


_all_cores = None


def all_cores():
    global _all_cores
    if _all_cores is None:
        from convx import _cpu
        _all_cores = max(1, _cpu.max_threads())
    return _all_cores


_omp_icv = None   # omp_get_max_threads of convx's OpenMP runtime (False: not reachable)
_start_icv = None  # the ICV's start-up value: OMP_NUM_THREADS's first entry, else every core
# what the OpenMP runtime saw when it loaded (just before this import): later changes to
# os.environ (dask.distributed's LocalCluster sets OMP_NUM_THREADS=1 in the parent process for
# its workers) do not change the runtime's start-up value
_OMP_ENV_AT_IMPORT = os.environ.get("OMP_NUM_THREADS", "")


def _omp_max_threads_fn():
    """omp_get_max_threads of the OpenMP runtime convx._core links, or None.

    dlsym on the extension's own handle searches its dependencies, so this finds the libgomp
    (or libomp) convx really uses even when a wheel vendors it under a hashed name. Not found
    (serial build, Windows' vcomp, an unusual loader): None, and nothing is capped.
    """
    global _omp_icv
    if _omp_icv is None:
        _omp_icv = False
        try:
            from convx import _core
            from convx import _cpu
            if _cpu.openmp_enabled():
                mode = getattr(os, "RTLD_NOLOAD", 0) | getattr(os, "RTLD_LOCAL", 0)
                fn = ctypes.CDLL(_core.__file__, mode=mode).omp_get_max_threads
                fn.restype = ctypes.c_int
                fn.argtypes = []
                _omp_icv = fn
        except (OSError, AttributeError, ImportError):
            pass
    return _omp_icv or None


def _openmp_limit():
    """The thread limit threadpoolctl (or anyone calling omp_set_num_threads) put on the calling
    thread, or None when there is none (the ICV is at or above its start-up value)."""
    global _start_icv
    fn = _omp_icv if _omp_icv is not None else _omp_max_threads_fn()
    if not fn:
        return None
    if _start_icv is None:
        env = _OMP_ENV_AT_IMPORT.split(",")[0].strip()
        _start_icv = int(env) if env.isdigit() and int(env) > 0 else all_cores()
    icv = fn()
    return icv if 1 <= icv < _start_icv else None


def get_num_threads():
    """The number of threads a call uses when its ``workers`` argument is None.

    Initially ``OMP_NUM_THREADS`` (its first entry) when set to a positive integer, otherwise
    every core; :func:`set_num_threads` changes it for the whole process. Inside
    ``threadpoolctl.threadpool_limits(n)`` (or after ``omp_set_num_threads(n)`` lowered the
    OpenMP runtime's thread count in the calling thread) it is at most ``n``.

    Returns
    -------
    n : int
        The default thread count, >= 1 (1 in a serial build without OpenMP).

    See Also
    --------
    set_num_threads : Change the default.
    show_config : The thread count and core count, with the rest of the configuration.

    Examples
    --------
    >>> import convx
    >>> convx.get_num_threads() >= 1
    True
    """
    global _default_workers
    if _default_workers is None:
        _default_workers = _initial_workers()
    limit = _openmp_limit()
    return _default_workers if limit is None else min(_default_workers, limit)


def set_num_threads(n):
    """Set the number of threads that calls with ``workers=None`` use, process-wide.

    Results do not depend on it: every operation is bit-identical for any thread count.

    Parameters
    ----------
    n : int
        A thread count from 1 to 4096, or -1 for every core.

    Raises
    ------
    TypeError
        ``n`` is not an integer (bools are refused too).
    ValueError
        ``n`` is 0, below -1, or above 4096.

    See Also
    --------
    get_num_threads : The current default.

    Examples
    --------
    >>> import convx
    >>> before = convx.get_num_threads()
    >>> convx.set_num_threads(1)
    >>> convx.get_num_threads()
    1
    >>> convx.set_num_threads(before)
    """
    global _default_workers
    _default_workers = resolve_workers(n, name="n", capped=False)


def resolve_workers(workers, name="workers", capped=True):
    """None -> global default, -1 -> all cores, n >= 1 -> n (None and -1 within an OpenMP
    thread limit such as threadpoolctl's)."""
    if workers is None:
        return get_num_threads()
    if type(workers) is int and 1 <= workers <= MAX_WORKERS:
        return workers
    if isinstance(workers, (bool, np.bool_)) or not isinstance(workers, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be None, -1 or a positive int, got {workers!r} "
                        f"({type(workers).__name__})")
    w = operator.index(workers)
    if w == -1:
        limit = _openmp_limit() if capped else None
        return all_cores() if limit is None else min(all_cores(), limit)
    if w < 1 or w > MAX_WORKERS:
        raise ValueError(f"{name} must be None, -1 (all cores) or an int from 1 to {MAX_WORKERS}, "
                         f"got {name}={w}")
    return w
