"""How a filter runs: the C driver's [B, D, H, W, inner] view of an n-D problem, 1-D passes
(two neighbouring ones fused into one sweep), fused n-D passes for composite filters, and the
output handling shared by every public filter (_finish)."""
import functools
import math

import numpy as np

from convx import _args as A
from convx._workspace import scratch
from convx.filters._args import (_EPS, _check_origin, _check_output, _compute_dtype,
                                 _direct_target, _store)
from convx.filters._fallback import correlate_numpy

# 2-D rank-1 kernels with at least this many taps run as two 1-D passes (measured: at 5x5 the
# single pass and the two passes cost about the same on a 4096x4096 float32 image).
_SEPARABLE_MIN_TAPS = 30
# Composite filters fuse their per-axis passes into one n-D pass up to this many taps; above,
# the one-sweep separable pass wins (5x5 Gaussian on 4096^2 float32, one thread: fused 12.8 ms,
# sweep 12.0 ms, cv2.sepFilter2D 11.4 ms).
_FUSE_MAX_TAPS = 16


def _layout(shape, kshape):
    """Map an n-D problem to the C driver's [B, D, H, W, inner] view, or None.

    Leading axes without taps become the batch; trailing ones are interleaved into each pixel
    (few samples, e.g. colour) or become the row itself when long enough to vectorise.
    """
    active = [a for a, k in enumerate(kshape) if k > 1]
    if not active:
        return None
    first, last = active[0], active[-1]
    span = last - first + 1
    B = math.prod(shape[:first])
    inner = math.prod(shape[last + 1:])
    sp = list(shape[first:last + 1])
    kk = list(kshape[first:last + 1])
    if inner >= 16 and span <= 2:
        dims = [1] * (2 - span) + sp + [inner]
        ks = [1] * (2 - span) + kk + [1]
        return B, dims, 1, ks, (first, last), "row"
    if span <= 3:
        dims = [1] * (3 - span) + sp
        ks = [1] * (3 - span) + kk
        return B, dims, inner, ks, (first, last), "inner"
    return None


def _correlate_nd(xc, w, origins, mode, cval, skip_zero, workers, y=None):
    """y = correlate(xc, w) with w.ndim == xc.ndim; xc C-contiguous in the compute dtype."""
    from convx import _filters
    dtype = xc.dtype
    shape = xc.shape
    kshape = w.shape
    for o, k in zip(origins, kshape):
        _check_origin(o, k)
    if y is None:
        y = np.empty(shape, dtype=dtype)
    if xc.size == 0:
        return y
    if skip_zero:
        w = np.where(np.abs(w) > _EPS, w, 0.0)
    lay = _layout(shape, kshape)
    if lay is None:  # a 1-tap kernel: a scaling
        s = float(w.reshape(-1)[0])
        if skip_zero and s == 0.0:
            y[...] = 0
        else:
            np.multiply(xc, dtype.type(s), out=y)
        return y
    B, dims, inner, ks, (first, last), kind = lay
    lo_sp = [k // 2 + o for k, o in zip(kshape[first:last + 1], origins[first:last + 1])]
    if kind == "row":
        lo = [0] * (2 - len(lo_sp)) + lo_sp + [0]
    else:
        lo = [0] * (3 - len(lo_sp)) + lo_sp
    wc = np.ascontiguousarray(w.reshape(ks), dtype=dtype)
    x5 = xc.reshape([B] + dims + [inner])
    y5 = y.reshape(x5.shape)
    _filters._filter(x5, wc, y5, tuple(lo), _filters.MODES[mode], cval, skip_zero, workers)
    return y



def _correlate_general(xc, w, origins, mode, cval, skip_zero, workers, y=None):
    """_correlate_nd for any rank: more than three filtered axes in a row are done in NumPy."""
    if _layout(xc.shape, w.shape) is not None or all(k == 1 for k in w.shape):
        return _correlate_nd(xc, w, origins, mode, cval, skip_zero, workers, y)
    return correlate_numpy(xc, w, origins, mode, cval, skip_zero, y)


def _rank1(w2):
    """(column, row) with outer(column, row) == w2 up to rounding, or None."""
    if not np.all(np.isfinite(w2)):
        return None
    i, j = np.unravel_index(np.argmax(np.abs(w2)), w2.shape)
    piv = w2[i, j]
    if piv == 0:
        return None
    col, row = w2[:, j], w2[i, :] / piv
    rec = np.outer(col, row)
    if not np.array_equal(rec == 0, w2 == 0):
        return None
    if not np.allclose(rec, w2, rtol=1e-12, atol=1e-14 * abs(piv)):
        return None
    return col, row


def _sep_pair(cur, p1, p2, cval, workers, y=None):
    """Passes along axes a and a+1 in one C sweep (column filter, then row filter)."""
    from convx import _filters
    (a, w1, o1, m1), (_, w2, o2, m2) = p1, p2
    k1, k2 = len(w1), len(w2)
    _check_origin(o1, k1)
    _check_origin(o2, k2)
    shape = cur.shape
    dtype = cur.dtype
    if y is None:
        y = np.empty(shape, dtype=dtype)
    if cur.size == 0:
        return y
    B = math.prod(shape[:a])
    inner = math.prod(shape[a + 2:])
    x5 = cur.reshape(B, 1, shape[a], shape[a + 1], inner)
    _filters._filter_sep(x5, np.ascontiguousarray(w1, dtype=dtype),
                         np.ascontiguousarray(w2, dtype=dtype), y.reshape(x5.shape),
                         (0, k1 // 2 + o1, k2 // 2 + o2), _filters.MODES[m1],
                         _filters.MODES[m2], cval, workers)
    return y


def _passes(xc, passes, cval, workers, y=None):
    """Run 1-D passes [(axis, weights, origin, mode)] one after another (scipy's order).

    Two consecutive passes along neighbouring axes (a, then a + 1) run as one sweep with the
    same result, without writing the intermediate image.
    """
    cur = xc
    n = len(passes)
    i = 0
    mids = 0   # intermediates written so far: they alternate between two per-thread buffers

    def target(last):
        # the result goes to y (or a fresh array the caller keeps); intermediates to scratch
        nonlocal mids
        if last:
            return y
        mids += 1
        return scratch(f"filter_mid{mids % 2}", xc.shape, xc.dtype)

    while i < n:
        axis, wts, origin, mode = passes[i]
        if i + 1 < n and passes[i + 1][0] == axis + 1:
            dst = target(i + 2 == n)
            cur = _sep_pair(cur, passes[i], passes[i + 1], cval, workers, dst)
            i += 2
            continue
        shape = [1] * xc.ndim
        shape[axis] = len(wts)
        origins = [0] * xc.ndim
        origins[axis] = origin
        dst = target(i == n - 1)
        cur = _correlate_nd(cur, np.asarray(wts, dtype=np.float64).reshape(shape), origins, mode,
                            cval, False, workers, dst)
        i += 1
    return cur


def _finish(x, compute, output, workers_name=None):
    """Allocate/cast: run compute(xc, y_or_None) -> result in the compute dtype, store it."""
    dtype = _compute_dtype(x)
    out = _check_output(output, x.shape)
    xc = A.as_compute_array(x, dtype)
    target = _direct_target(out, x.shape, dtype, xc)
    res = compute(xc, target)
    return _store(res, out)



def _fusable(passes, cval, shape):
    """Whether per-axis passes may run as one n-D pass with the outer-product kernel."""
    modes = {m for _, _, _, m in passes}
    if len(modes) != 1 or (modes == {"constant"} and cval != 0.0):
        return False
    axes = [a for a, _, _, _ in passes]
    if len(set(axes)) != len(axes):
        return False
    taps = math.prod(len(w) for _, w, _, _ in passes)
    if taps > _FUSE_MAX_TAPS:
        return False
    return _layout(shape, [dict((a, len(w)) for a, w, _, _ in passes).get(i, 1)
                           for i in range(len(shape))]) is not None


def _run_passes(xc, passes, cval, workers, y):
    """Separable filter: fused n-D pass when exact and cheap, else 1-D passes in order."""
    if not passes:
        if y is None:
            return xc.copy()
        y[...] = xc
        return y
    if len(passes) > 1 and _fusable(passes, cval, xc.shape):
        k = np.ones([1] * xc.ndim)
        origins = [0] * xc.ndim
        for a, w, o, _ in passes:
            shape = [1] * xc.ndim
            shape[a] = len(w)
            k = k * np.asarray(w, dtype=np.float64).reshape(shape)
            origins[a] = o
        return _correlate_nd(xc, k, origins, passes[0][3], cval, False, workers, y)
    return _passes(xc, passes, cval, workers, y)


@functools.lru_cache(maxsize=64)
def _edge_kernel(ndim, axis, smooth):
    """The combined 3^ndim kernel of an edge filter: [-1, 0, 1] along axis, smooth elsewhere
    (read-only, cached: building it cost several us per call on small images)."""
    k = np.ones([1] * ndim)
    for a in range(ndim):
        shape = [1] * ndim
        shape[a] = 3
        k = k * np.asarray([-1.0, 0.0, 1.0] if a == axis else smooth).reshape(shape)
    k.flags.writeable = False
    return k
