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


def halo_map(fn, x, depth, periodic, *, chunks, dtype, meta, args=(), label="convx-halo"):
    """Blocks of ``x`` with halos from their neighbours, mapped by ``fn``, in two tasks per
    chunk instead of dask's overlap (a slicing task per neighbour piece and a concatenation per
    block: on a loaded 2-worker cluster those extra tasks cost more than the filtering).

    Per input chunk, one task cuts the strips its neighbours need (thin: depth-wide), and one
    task assembles the chunk with its neighbours' strips and calls
    ``fn(padded_block, sides, last, *args)``; ``sides`` is, per axis, the (before, after) halo
    the block received: ``depth[axis]`` on sides with a neighbour (across the array edge too on
    ``periodic`` axes), 0 on array edges of the other axes; ``last`` says per axis whether the
    block is the array's last. ``depth[axis]`` is a (before,
    after) pair; every chunk of an axis with a halo must be at least that deep. ``args`` are
    passed to every call (dask collections among them are computed once and shared).
    """
    import itertools

    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    nd = x.ndim
    nb = x.numblocks
    halo_axes = [a for a in range(nd) if nb[a] > 1 and any(depth[a])]
    dirs = [v for v in itertools.product((-1, 0, 1), repeat=len(halo_axes)) if any(v)]
    arg_keys, deps = [], [x]
    for a in args:
        if dask.is_dask_collection(a):
            deps.append(a)
            arg_keys.append(a.key if hasattr(a, "key") else a.__dask_keys__())
        else:
            arg_keys.append(a)
    token = tokenize(x.name, depth, periodic, fn, arg_keys, chunks, dtype)
    sname, oname = f"{label}-strips-{token}", f"{label}-{token}"

    def cut(v):
        # what a neighbour at offset v (receiver = neighbour - v) needs from this chunk
        sl = [slice(None)] * nd
        for a, s in zip(halo_axes, v):
            if s == -1:
                sl[a] = slice(-depth[a][0], None) if depth[a][0] else None
            elif s == 1:
                sl[a] = slice(0, depth[a][1]) if depth[a][1] else None
        return None if any(s is None for s in sl) else tuple(sl)

    cuts = {v: cut(v) for v in dirs}
    cuts = {v: c for v, c in cuts.items() if c is not None}
    layer = {}
    for idx in np.ndindex(*nb):
        if cuts:
            layer[(sname, *idx)] = (_cut_strips, (x.name, *idx), cuts)
        sides = [(0, 0)] * nd
        for a in halo_axes:
            lo = depth[a][0] if (idx[a] > 0 or periodic[a]) else 0
            hi = depth[a][1] if (idx[a] < nb[a] - 1 or periodic[a]) else 0
            sides[a] = (lo, hi)
        pieces = []
        for v in cuts:
            n = list(idx)
            ok = True
            for a, s in zip(halo_axes, v):
                if s == 0:
                    continue
                if (sides[a][0] if s == -1 else sides[a][1]) == 0:
                    ok = False
                    break
                n[a] = (idx[a] + s) % nb[a]
            if ok:
                pieces.append((v, (sname, *n)))
        last = tuple(i == n - 1 for i, n in zip(idx, nb))
        layer[(oname, *idx)] = (_assemble_and_call, (x.name, *idx), [p[0] for p in pieces],
                                [p[1] for p in pieces], tuple(sides), last, tuple(halo_axes),
                                fn, *arg_keys)
    graph = HighLevelGraph.from_collections(oname, layer, dependencies=deps)
    return da.Array(graph, oname, chunks=chunks, dtype=dtype, meta=meta)


def _cut_strips(chunk, cuts):
    return {v: chunk[sl] for v, sl in cuts.items()}


def _assemble_and_call(core, dirs, strips, sides, last, halo_axes, fn, *args):
    shape = [n + lo + hi for n, (lo, hi) in zip(core.shape, sides)]
    if any(lo or hi for lo, hi in sides):
        block = np.empty(shape, dtype=core.dtype)
        block[tuple(slice(lo, lo + n) for n, (lo, _) in zip(core.shape, sides))] = core
        for v, s in zip(dirs, strips):
            region = [slice(lo, lo + n) for n, (lo, _) in zip(core.shape, sides)]
            for a, d in zip(halo_axes, v):
                lo, hi = sides[a]
                if d == -1:
                    region[a] = slice(0, lo)
                elif d == 1:
                    region[a] = slice(lo + core.shape[a], lo + core.shape[a] + hi)
            block[tuple(region)] = s[v]
    else:
        block = core
    return fn(block, sides, last, *args)
