"""The ``dask`` family and suite (``python -m convx bench --suite dask``): convx.dask on a
dask.distributed LocalCluster (2 worker processes, 1 thread each) against dask-image on the
same cluster and against single-process convx.

convx (the first column) is ``convx.dask`` on the cluster; the peers are ``dask-image``
(``dask_image.ndfilters``: scipy.ndimage per chunk, on the same cluster and the same persisted
input chunks) and ``convx-1proc`` (the in-memory convx call in this process, every core). A
timed cluster call builds the graph, runs it and waits for the result chunks to be in the
workers' memory (``persist`` + ``wait``), so the times include graph construction, scheduling
and the halo exchange, and neither side pays for moving the input or the result through this
process (both stay on the cluster, as in a real pipeline). Speed-ups are peer time / convx
time: ``vs dask-image`` >= 5 and ``vs convx-1proc`` >= 0.67 (at most 1.5x the in-memory time)
are the goals of issue 15.

The cluster starts on first use and stops at exit. Long first runs show Dask's progress bar
(distributed's text bar, on a terminal only). Nothing here is imported by ``import convx``, and
the suite is not part of a plain ``python -m convx bench`` (it needs dask, distributed and
minutes).
"""
import atexit
import logging
import math
import sys

import numpy as np

from convx._bench import _core as B
from convx._bench.filters import _filter_inputs, _filter_kwargs, _filter_macs

N_WORKERS = 2            # worker processes of the LocalCluster, one thread each
FILTER_CHUNK = 2048      # 8192^2 image in 4x4 chunks of 2048^2 (16 MB each)

_STATE = {}


def _client():
    """The suite's LocalCluster client (started once, closed at exit)."""
    if "client" not in _STATE:
        import os

        from distributed import Client, LocalCluster
        import dask
        # the workers time with this process's malloc settings (README: the MALLOC_* variables
        # for timing); a nanny would otherwise set MALLOC_TRIM_THRESHOLD_=65536, which makes
        # glibc map and fault in every large buffer afresh on each task. glibc reads them when
        # a process starts, so they go into the nanny's pre-spawn environment (its `env=`
        # argument is applied after the worker process started: too late for malloc)
        env = {k: v for k, v in os.environ.items()
               if k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")}
        pre = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {}, **env)
        environ = dict(os.environ)    # LocalCluster sets OMP_NUM_THREADS=1 etc. here too
        with dask.config.set({"distributed.nanny.pre-spawn-environ": pre}):
            cluster = LocalCluster(n_workers=N_WORKERS, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR, env=env)
        os.environ.clear()
        os.environ.update(environ)
        _STATE["cluster"], _STATE["client"] = cluster, Client(cluster)
        atexit.register(_close)
    return _STATE["client"]


def _close():
    client, cluster = _STATE.pop("client", None), _STATE.pop("cluster", None)
    if client is not None:
        client.close()
        cluster.close()


def _persisted(x, chunks):
    """The input as a dask array held by the cluster's workers (one copy per case, shared by
    the contenders: the same chunks on the same workers)."""
    key = (id(x), chunks)
    if _STATE.get("input_key") != key:
        import dask.array as da
        from distributed import wait
        _STATE.pop("input", None)
        import warnings
        _client()
        with warnings.catch_warnings():   # "large object in the graph": sent once, on purpose
            warnings.simplefilter("ignore", UserWarning)
            xd = da.from_array(x, chunks=chunks).persist()
            wait(xd)
        _STATE["input"], _STATE["input_key"] = xd, key
    return _STATE["input"]


def _on_cluster(build, label):
    """A Call that builds the graph, persists it and waits; Dask's progress bar on the first
    (warm-up) run when stdout is a terminal.

    ``build(x)`` makes the lazy result from the input ``x``. Graph keys are deterministic, so
    a run would find the previous run's result on the cluster and compute nothing: each run
    starts from a fresh alias of the persisted input (one identity task per chunk, which
    returns the chunk itself, for both contenders alike) and drops its result. The first run,
    the warm-up, also gathers the result for the runner's check against in-memory convx.
    """
    first = [True]

    def run():
        from distributed import progress, wait
        _STATE["run"] = _STATE.get("run", 0) + 1
        x = _STATE["input"].map_blocks(_same, name=f"input-alias-{_STATE['run']}")
        y = build(x).persist()
        if first[0] and sys.stdout.isatty():
            sys.stdout.write(f"  {label} (first run)\n")
            progress(y)
        wait(y)
        out = y.compute() if first[0] else None
        first[0] = False
        return out
    return run


def _same(block):
    return block


def _chunks(case):
    if case.params["op"] == "conv2d":
        return (case.params["batch_chunk"], *case.input_shape[1:])
    return (FILTER_CHUNK,) * len(case.input_shape)


def _inputs(case, rng):
    if case.params["op"] != "conv2d":
        return _filter_inputs(case, rng)
    dt = np.dtype(case.dtype)
    return {"input": rng.standard_normal(case.input_shape, dtype=dt),
            "weight": (rng.standard_normal(case.weight_shape) /
                       math.sqrt(math.prod(case.weight_shape[1:]))).astype(dt)}


def _macs(case):
    if case.params["op"] != "conv2d":
        return _filter_macs(case)
    n, _, h, w = case.input_shape
    return n * h * w * math.prod(case.weight_shape)


_FILTERS = {"gaussian": "gaussian_filter", "uniform": "uniform_filter",
            "correlate": "correlate"}


def _convx_dask(case, a, algorithm, workers):
    import convx.dask
    _persisted(a["input"], _chunks(case))
    op = case.params["op"]
    if op == "conv2d":
        p = case.params
        run = _on_cluster(lambda xd: convx.dask.conv2d(xd, a["weight"], padding=p["padding"],
                                                       algorithm=algorithm), "convx.dask")
        info = f"convx.dask.conv2d, batch chunks of {p['batch_chunk']}"
    else:
        fn = getattr(convx.dask.filters, _FILTERS[op])
        w = (a["weight"],) if op == "correlate" else ()
        run = _on_cluster(lambda xd: fn(xd, *w, **_filter_kwargs(case)), "convx.dask")
        info = f"convx.dask.filters.{_FILTERS[op]}, chunks {FILTER_CHUNK}^2"
    return B.Call(run, info=f"{info}; LocalCluster {N_WORKERS} processes x 1 thread, 1 convx "
                            f"thread per task")


def _dask_image(case, a, workers):
    import importlib.metadata
    import dask_image.ndfilters as ndf
    op = case.params["op"]
    if op == "conv2d":
        raise NotImplementedError("dask-image has no deep-learning convolution")
    _persisted(a["input"], _chunks(case))
    fn = getattr(ndf, _FILTERS[op])
    w = (a["weight"],) if op == "correlate" else ()
    run = _on_cluster(lambda xd: fn(xd, *w, **_filter_kwargs(case)), "dask-image")
    version = importlib.metadata.version("dask-image")
    return B.Call(run, info=f"dask-image {version} ndfilters.{_FILTERS[op]} (scipy.ndimage per "
                            f"chunk) on the same cluster and chunks")


def _convx_1proc(case, a, workers):
    import convx
    op = case.params["op"]
    if op == "conv2d":
        return B.Call(convx.conv2d, (a["input"], a["weight"]),
                      {"padding": case.params["padding"], "workers": workers},
                      info=f"convx.conv2d in this process, workers={workers}")
    fn = getattr(convx.filters, _FILTERS[op])
    args = (a["input"], a["weight"]) if op == "correlate" else (a["input"],)
    return B.Call(fn, args, dict(_filter_kwargs(case), workers=workers),
                  info=f"convx.filters.{_FILTERS[op]} in this process, workers={workers}")


B.register_family("dask", B.Family(make_inputs=_inputs, convx=_convx_dask,
                                   peers={"convx-1proc": _convx_1proc,
                                          "dask-image": _dask_image},
                                   macs=_macs))


def _case(name, shape, kshape, note, **extra):
    return B.Case("dask", name, tuple(shape), tuple(kshape), note=note, extra=extra)


B.register_suite("dask", [
    _case("gauss_s4_8192", (8192, 8192), (33, 2), op="gaussian", sigma=4.0, truncate=4.0,
          note="gaussian_filter(sigma=4) of an 8192x8192 float32 image in 2048^2 chunks"),
    _case("corr9x9_8192", (8192, 8192), (9, 9), op="correlate",
          note="correlate with a random 9x9 kernel, 8192x8192 in 2048^2 chunks"),
    _case("box15_8192", (8192, 8192), (15, 2), op="uniform", size=15,
          note="uniform_filter(size=15), 8192x8192 in 2048^2 chunks"),
    _case("conv2d_b32", (32, 32, 128, 128), (64, 32, 3, 3), op="conv2d", padding=1,
          batch_chunk=4,
          note="batched conv2d 32x32x128x128 -> 64 channels, 3x3, in batch chunks of 4"),
], "convx.dask on a 2-process LocalCluster vs dask-image (same cluster) and in-memory convx",
    target=1.0, in_all=False)
