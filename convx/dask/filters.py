"""``convx.filters`` on dask arrays: every filter, same arguments, lazy and chunked.

Each chunk is filtered by :mod:`convx.filters` with a halo of its neighbours' data, the halo as
deep as the kernel reaches (a Gaussian's truncated radius, a box's or kernel's extent with its
origin shift), then trimmed, so the result equals the in-memory filter on the whole array.
Array edges follow the mode: for 'reflect', 'mirror', 'nearest' and 'constant' the chunk at an
edge is filtered with the mode itself (no halo on that side), which is exact; for 'wrap' the
halo on an array edge is taken from the opposite edge (a periodic halo), so a wrapped
edge sees the other side of the *array*, not of its chunk (dask-image filters each chunk with
scipy's 'wrap', which wraps within the chunk). Axes in one chunk need no halo at all.

Chunks smaller than the halo are merged with a neighbour (a :class:`RechunkWarning` says which
axis and how) or, with ``rechunk=False``, refused with a ``ValueError``. Arguments are checked
when the graph is built: the filter runs once on a 1-element array of the input's dtype, which
raises the same errors as :mod:`convx.filters` and gives the result dtype.
"""
import functools
import inspect
import textwrap

import numpy as np

import dask.array as da

from convx import filters as _F
from convx.dask._common import (RechunkWarning, as_dask, check_workers, fit_chunks, halo_map,
                                shared, task_workers)
from convx.filters._args import _axes, _axis, _int, _modes, _mode, _opt_int, _real, _seq

__all__ = list(_F.__all__)

_HAS_WEIGHTS = ("correlate", "convolve", "correlate1d", "convolve1d")


def _reach(k, origin):
    # taps before and after the output sample, per scipy's origin rule
    return max(k // 2 + origin, k - 1 - k // 2 - origin)


def _halo_correlate(a, ndim):
    w = np.asarray(a["weights"])
    axes = _axes(a["axes"], ndim)
    origins = _seq(a["origin"], len(axes), "origin", _int)
    halo = [0] * ndim
    ks = dict(zip(sorted(axes), w.shape))   # kernel dims go to the filtered axes in order
    if len(axes) == ndim:
        by_axis = dict(enumerate(origins))
    else:
        by_axis = dict(zip(axes, origins))
    for ax in axes:
        halo[ax] = _reach(ks[ax], by_axis[ax])
    # convolve flips the kernel and negates the origin: the same reach, mirrored
    return halo, {ax: _mode(a["mode"]) for ax in axes}


def _halo_correlate1d(a, ndim):
    ax = _axis(a["axis"], ndim)
    halo = [0] * ndim
    halo[ax] = _reach(len(np.atleast_1d(a["weights"])), _int(a["origin"], "origin"))
    return halo, {ax: _mode(a["mode"])}


def _halo_edge(a, ndim):     # sobel, prewitt: 3 taps on every axis
    return [1] * ndim, dict(enumerate(_modes(a["mode"], ndim)))


def _halo_laplace(a, ndim):
    axes = _axes(a["axes"], ndim)
    return [1 if ax in axes else 0 for ax in range(ndim)], dict(zip(axes, _modes(a["mode"],
                                                                                 len(axes))))


def _radius(sigma, truncate, radius):
    return int(truncate * sigma + 0.5) if radius is None else radius


def _halo_gaussian1d(a, ndim):
    ax = _axis(a["axis"], ndim)
    halo = [0] * ndim
    halo[ax] = _radius(_real(a["sigma"], "sigma"), _real(a["truncate"], "truncate"),
                       _opt_int(a["radius"], "radius"))
    return halo, {ax: _mode(a["mode"])}


def _halo_gaussian(a, ndim, axes=None, modes=None):
    axes = _axes(a["axes"] if axes is None else axes, ndim)
    n = len(axes)
    sigmas = _seq(a["sigma"], n, "sigma", _real)
    radii = _seq(a["radius"], n, "radius", lambda v, nm: _opt_int(v, nm))
    modes = _modes(a["mode"], n) if modes is None else modes
    halo = [0] * ndim
    for ax, s, r in zip(axes, sigmas, radii):
        halo[ax] = _radius(s, _real(a["truncate"], "truncate"), r) if s > 1e-15 else 0
    return halo, dict(zip(axes, modes))


def _halo_uniform1d(a, ndim):
    ax = _axis(a["axis"], ndim)
    halo = [0] * ndim
    halo[ax] = _reach(_int(a["size"], "size"), _int(a["origin"], "origin"))
    return halo, {ax: _mode(a["mode"])}


def _halo_uniform(a, ndim):
    axes = _axes(a["axes"], ndim)
    n = len(axes)
    halo = [0] * ndim
    for ax, s, o in zip(axes, _seq(a["size"], n, "size", _int),
                        _seq(a["origin"], n, "origin", _int)):
        halo[ax] = _reach(s, o)
    return halo, dict(zip(axes, _modes(a["mode"], n)))


def _halo_ggm(a, ndim):
    # each derivative is a Gaussian over every axis of the input with that derivative's mode
    modes = _modes(a["mode"], len(_axes(a["axes"], ndim)))
    halo, _ = _halo_gaussian(a, ndim, axes=tuple(range(ndim)), modes=["reflect"] * ndim)
    if not modes:
        return halo, {}
    if len({m == "wrap" for m in modes}) > 1:
        return halo, None        # wrap for some derivatives only: see _ggm_mixed
    return halo, {ax: modes[0] for ax in range(ndim)}


_HALOS = {
    "correlate": _halo_correlate, "convolve": _halo_correlate,
    "correlate1d": _halo_correlate1d, "convolve1d": _halo_correlate1d,
    "sobel": _halo_edge, "prewitt": _halo_edge, "laplace": _halo_laplace,
    "gaussian_filter": _halo_gaussian, "gaussian_filter1d": _halo_gaussian1d,
    "uniform_filter": _halo_uniform, "uniform_filter1d": _halo_uniform1d,
    "gaussian_gradient_magnitude": _halo_ggm,
}


def _filter_padded(block, sides, last, weights=None, *, filt, kwargs, workers):
    # the chunk with its halo filtered as a whole, then the halo cut off again
    if weights is not None:
        kwargs = dict(kwargs, weights=weights)
    y = getattr(_F, filt)(block, **kwargs, workers=task_workers(workers))
    return y[tuple(slice(lo, n - hi) for n, (lo, hi) in zip(y.shape, sides))]


def _run(name, a, rechunk):
    x = as_dask(a["input"])
    ndim = x.ndim
    output = a["output"]
    if isinstance(output, np.ndarray):
        raise TypeError(f"output must be None or a dtype for convx.dask.filters.{name} (the "
                        f"result is a lazy dask array), got an ndarray")
    workers = check_workers(a["workers"])
    kwargs = {k: v for k, v in a.items() if k not in ("input", "workers", "weights")}
    weights = None
    if name in _HAS_WEIGHTS:
        weights = np.asarray(a["weights"].compute() if isinstance(a["weights"], da.Array)
                             else a["weights"])
    # the filter on one element: the same argument errors as convx.filters, and the dtype
    probe = np.zeros((1,) * ndim, dtype=x.dtype)
    extra = {} if weights is None else {"weights": weights}
    dtype = getattr(_F, name)(probe, **kwargs, **extra, workers=1).dtype
    if x.size == 0 or ndim == 0:
        return x.map_blocks(_plain_block, dtype=dtype, filt=name, kwargs=kwargs,
                            weights=weights, workers=workers,
                            meta=np.empty((0,) * ndim, dtype))
    halo, modes = _HALOS[name](a, ndim)
    if modes is None:
        return _ggm_mixed(x, a, rechunk)
    needs = {ax: (h, 1, 0, f"halo {h}") for ax, h in enumerate(halo)
             if h and len(x.chunks[ax]) > 1}
    x = fit_chunks(x, needs, rechunk, f"convx.dask.filters.{name}")
    depth = [h if len(x.chunks[ax]) > 1 else 0 for ax, h in enumerate(halo)]
    periodic = [bool(depth[ax]) and modes.get(ax) == "wrap" for ax in range(ndim)]
    if not any(depth):
        return da.map_blocks(_plain_block, x, shared(weights), dtype=dtype, filt=name,
                             kwargs=kwargs, meta=np.empty((0,) * ndim, dtype),
                             workers=workers)
    fn = functools.partial(_filter_padded, filt=name, kwargs=kwargs, workers=workers)
    return halo_map(fn, x, [(d, d) for d in depth], periodic, chunks=x.chunks, dtype=dtype,
                    meta=np.empty((0,) * ndim, dtype),
                    args=() if weights is None else (shared(weights),),
                    label=f"convx-{name}")


def _plain_block(block, weights=None, *, filt, kwargs, workers=None):
    if weights is not None:
        kwargs = dict(kwargs, weights=weights)
    return getattr(_F, filt)(block, **kwargs, workers=task_workers(workers))


def _ggm_mixed(x, a, rechunk):
    # some derivatives wrap and others do not, so no one halo layout serves all: sum the squared
    # derivatives, each a chunked gaussian_filter with its own mode, as convx.filters does
    ndim = x.ndim
    axes = _axes(a["axes"], ndim)
    modes = _modes(a["mode"], len(axes))
    acc = None
    for ax, m in zip(axes, modes):
        d = gaussian_filter(x, a["sigma"], order=[1 if j == ax else 0 for j in range(ndim)],
                            mode=m, cval=a["cval"], truncate=a["truncate"], radius=a["radius"],
                            workers=a["workers"], rechunk=rechunk)
        acc = d * d if acc is None else acc + d * d
    res = da.sqrt(acc)
    if a["output"] is None:
        return res
    from convx.filters._args import _store
    dt = np.dtype(a["output"])
    return res.map_blocks(_store, dt, dtype=dt)


def _make(name):
    base = getattr(_F, name)
    sig = inspect.signature(base)
    params = list(sig.parameters.values())
    params.append(inspect.Parameter("rechunk", inspect.Parameter.KEYWORD_ONLY, default=True))

    @functools.wraps(base)
    def wrapper(*args, rechunk=True, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return _run(name, dict(bound.arguments), rechunk)

    wrapper.__signature__ = sig.replace(parameters=params)
    wrapper.__module__ = __name__
    wrapper.__qualname__ = name
    wrapper.__doc__ = _doc(name, base.__doc__)
    del wrapper.__wrapped__
    return wrapper


def _doc(name, doc):
    """convx.filters' docstring for dask: lazy input/output, per-task workers, rechunk."""
    lines = doc.split("\n")
    summary = f"Chunked :func:`convx.filters.{name}` on a dask array (lazy; same arguments)."
    body = "\n".join(lines[1:])
    body = _replace_param(body, "input", "input : dask.array.Array or array_like",
                          "Real array of any rank, chunked any way (numpy input becomes one "
                          "chunk).")
    body = _replace_param(body, "output", "output : dtype, optional",
                          "dtype of the result (an ndarray is a TypeError: the result is lazy). "
                          "Default: float32 for float16/float32 input, float64 otherwise.")
    body = _replace_param(body, "workers", "workers : int, optional",
                          "convx threads per task. Default: the cores a worker may use divided "
                          "by the tasks it runs at once (1 in a dask.distributed worker with "
                          "OMP_NUM_THREADS=1, as nannies set it), so tasks x threads never "
                          "oversubscribe. The result does not depend on it.",
                          extra=[("rechunk : bool", "Merge chunks smaller than the halo with "
                                  "a neighbour (with a RechunkWarning); False raises a "
                                  "ValueError instead.")])
    body = body.replace("    Returns\n    -------\n    result : ndarray\n        The input's shape "
                        "(``output`` itself when it is an array).",
                        "    Returns\n    -------\n    result : dask.array.Array\n        The "
                        "input's shape and chunks (after any rechunking), lazy.")
    i = body.index("    See Also\n    --------\n") + len("    See Also\n    --------\n")
    body = body[:i] + (f"    convx.filters.{name} : The in-memory filter each chunk runs.\n")\
        + _strip_see_also(body[i:])
    i = body.index("    Examples\n    --------\n")
    body = body[:i] + _EXAMPLE.format(name=name, call=_EXAMPLE_CALLS[name])
    return summary + "\n" + body


def _replace_param(body, pname, header, text, extra=()):
    """Replace the numpydoc entry of ``pname`` (header line + indented description), then add
    the (header, text) entries of ``extra`` after it."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(f"    {pname} : "):
            j = i + 1
            while j < len(lines) and lines[j].startswith("        "):
                j += 1
            new = []
            for h, t in ((header, text), *extra):
                new.append(f"    {h}")
                new += textwrap.wrap(t, 96, initial_indent=" " * 8, subsequent_indent=" " * 8)
            return "\n".join(lines[:i] + new + lines[j:])
    raise AssertionError(f"no parameter {pname} in the docstring")


def _strip_see_also(rest):
    # keep convx.reference / convx.kernels links; local names refer to convx.filters
    out = []
    for line in rest.split("\n"):
        if line.startswith("    ") and not line.startswith("        ") and " : " in line:
            ref, _, what = line.strip().partition(" : ")
            if "." not in ref:
                line = f"    convx.dask.filters.{ref} : {what}"
        out.append(line)
    return "\n".join(out)


_EXAMPLE = """    Examples
    --------
    >>> import numpy as np, dask.array as da, convx.filters, convx.dask.filters
    >>> x = da.from_array(np.random.default_rng(0).random((60, 50)), chunks=(30, 25))
    >>> y = convx.dask.filters.{name}(x, {call})
    >>> bool(np.allclose(y.compute(), convx.filters.{name}(x.compute(), {call})))
    True
"""
_EXAMPLE_CALLS = {
    "correlate": "np.ones((5, 3)), mode='wrap'", "convolve": "np.ones((5, 3)), mode='wrap'",
    "correlate1d": "[1.0, 2.0, 1.0], axis=0", "convolve1d": "[1.0, 2.0, 1.0], axis=0",
    "sobel": "axis=0", "prewitt": "axis=1", "laplace": "mode='mirror'",
    "gaussian_filter": "3.0", "gaussian_filter1d": "3.0, axis=0",
    "uniform_filter": "7, mode='nearest'", "uniform_filter1d": "7, axis=1",
    "gaussian_gradient_magnitude": "2.0",
}

for _name in __all__:
    globals()[_name] = _make(_name)
del _name

__all__ += ["RechunkWarning"]
