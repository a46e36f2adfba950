"""Thread defaults: the process-wide default for ``workers=None`` and the ``workers=``
argument of every public function (None: the default, -1: all cores, n >= 1: n threads).
"""
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


def get_num_threads():
    """The number of threads a call uses when its ``workers`` argument is None.

    Initially ``OMP_NUM_THREADS`` (its first entry) when set to a positive integer, otherwise
    every core; :func:`set_num_threads` changes it for the whole process.

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
    return _default_workers


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
    _default_workers = resolve_workers(n, name="n")


def resolve_workers(workers, name="workers"):
    """None -> global default, -1 -> all cores, n >= 1 -> n."""
    if workers is None:
        return get_num_threads()
    if type(workers) is int and 1 <= workers <= MAX_WORKERS:
        return workers
    if isinstance(workers, (bool, np.bool_)) or not isinstance(workers, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be None, -1 or a positive int, got {workers!r} "
                        f"({type(workers).__name__})")
    w = operator.index(workers)
    if w == -1:
        return all_cores()
    if w < 1 or w > MAX_WORKERS:
        raise ValueError(f"{name} must be None, -1 (all cores) or an int from 1 to {MAX_WORKERS}, "
                         f"got {name}={w}")
    return w
