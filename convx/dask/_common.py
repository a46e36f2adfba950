"""What the chunked filters and convolutions share: chunk layouts that fit a halo, the thread
count of one task, and weights that travel once."""
import threading
import warnings

import numpy as np

try:
    import dask
    import dask.array as da
except ImportError as e:   # pragma: no cover - exercised by the no-dask test in a subprocess
    raise ImportError("convx.dask needs dask: pip install 'pyconvx[dask]' (dask[array] and "
                      "distributed)") from e

from convx._threads import get_num_threads, resolve_workers


class RechunkWarning(UserWarning):
    """A dask array was rechunked so that every chunk holds the halo its neighbours need.

    Raised as a warning (never an error) by :mod:`convx.dask` when ``rechunk=True`` (the
    default); with ``rechunk=False`` the same situation is a ``ValueError``.
    """


def as_dask(input, name="input"):
    """A dask array from a dask array or anything numpy.asarray accepts (one chunk)."""
    if isinstance(input, da.Array):
        return input
    return da.from_array(np.asarray(input), chunks=-1)


def check_workers(workers):
    """Validate ``workers`` now (at graph construction); None stays None (decided per task)."""
    if workers is None:
        return None
    return resolve_workers(workers)


def task_workers(workers):
    """convx threads for one task: ``workers`` if given, else the cores this process may use
    divided by the tasks it runs at once, so tasks x threads never oversubscribe.

    In a dask.distributed worker the tasks at once are the worker's threads (a worker started by
    a nanny also has OMP_NUM_THREADS=1, so convx.get_num_threads() is 1); with the local
    threaded scheduler they are its pool size; a task running in the main thread (the
    synchronous scheduler) runs alone and gets every thread.
    """
    if workers is not None:
        return workers
    tasks = None
    try:
        from distributed import get_worker
        w = get_worker()
        state = getattr(w, "state", None)
        tasks = getattr(state, "nthreads", None) or getattr(w, "nthreads", None)
    except (ImportError, ValueError, AttributeError):
        pass
    if tasks is None:
        if threading.current_thread() is threading.main_thread():
            tasks = 1
        else:
            from dask.system import CPU_COUNT
            tasks = dask.config.get("num_workers", None) or CPU_COUNT
    return max(1, get_num_threads() // max(1, int(tasks)))


def shared(array):
    """A weight array as one graph key: the scheduler sends it to each worker once and every
    task of the graph refers to it, instead of embedding a copy in each task."""
    if array is None:
        return None
    return dask.delayed(array, pure=True, traverse=False)


def merged_chunks(chunks, minimum, align=1, last_min=0):
    """``chunks`` of one axis merged so that each is >= ``minimum``, the last >= ``last_min``
    too, and every boundary is a multiple of ``align`` (boundaries are moved up to the next
    multiple). Unchanged when the layout already fits."""
    n = sum(chunks)
    last_min = max(minimum, last_min, 1)
    minimum = max(minimum, 1)
    bounds = []
    prev = pos = 0
    for c in chunks[:-1]:
        pos += c
        b = -(-pos // align) * align
        if b - prev >= minimum and n - b >= last_min:
            bounds.append(b)
            prev = b
    if n == 0:
        return (0,)
    return tuple(int(c) for c in np.diff([0, *bounds, n]))


def fit_chunks(x, needs, rechunk, what):
    """Rechunk ``x`` so each axis in ``needs`` ({axis: (minimum, align, last_min, why)})
    satisfies :func:`merged_chunks`; warn (RechunkWarning) or, with rechunk=False, raise."""
    new = list(x.chunks)
    changed = []
    for ax, (minimum, align, last_min, why) in needs.items():
        c = merged_chunks(x.chunks[ax], minimum, align, last_min)
        if c != x.chunks[ax]:
            new[ax] = c
            changed.append((ax, why))
    if not changed:
        return x
    detail = "; ".join(f"axis {ax} ({why}): chunks {_short(x.chunks[ax])} -> {_short(new[ax])}"
                       for ax, why in changed)
    if not rechunk:
        raise ValueError(f"{what}: the input's chunks are too small for the halo (or not aligned "
                         f"to the stride): {detail}. Rechunk the input, or pass rechunk=True to "
                         f"let convx.dask merge chunks")
    warnings.warn(f"{what}: rechunked the input so that every chunk holds its neighbours' "
                  f"halo: {detail}", RechunkWarning, stacklevel=3)
    return x.rechunk(tuple(new))


def _short(chunks):
    s = str(tuple(chunks))
    return s if len(s) <= 60 else s[:57] + "...)"
