"""conv*, conv_transpose* and depthwise_separable_conv* on dask arrays.

Batch chunks are independent tasks. Spatial chunks exchange halos (convx.dask._common.halo_map,
no halo across the array's edges):

* forward (conv, depthwise separable): the input is padded (``padding_mode``) as a dask array,
  then its chunk boundaries are moved to multiples of the stride; output sample ``o`` reads
  padded samples ``[o*s, o*s + ext)`` (``ext = dilation*(k-1) + 1``), so a chunk
  ``[b0, b1)`` plus ``ext - s`` samples of its right neighbour gives exactly outputs
  ``[b0/s, b1/s)`` with padding 0. Every chunk must hold that halo and the last one a whole
  kernel extent; others are merged (RechunkWarning) or refused (``rechunk=False``).
* transposed: computed in "full" coordinates (padding 0, ``F = i*s + t*d``) and cropped by
  ``padding`` at the end. Input chunk ``[b0, b1)`` owns outputs ``[b0*s, b1*s)``, which also
  receive the last ``(d*(k-1)) // s`` inputs of the left neighbour (its halo); a block runs
  convx.conv_transposeNd with an ``output_padding`` that completes its range when the kernel
  is shorter than the stride, and the last block with the caller's ``output_padding``.

When every spatial axis is one chunk, blocks run the in-memory call with the caller's padding
(no dask padding, no halo). Weights are single graph keys (convx.dask._common.shared).
"""
import functools

import numpy as np

import dask.array as da

import convx
from convx import _args as A
from convx.dask._common import (as_dask, check_workers, fit_chunks, halo_map, shared,
                                task_workers)

_PAD = {"zeros": ("constant", {"constant_values": 0}), "reflect": ("reflect", {}),
        "replicate": ("edge", {}), "circular": ("wrap", {})}


def _weights(a, name):
    if a is None:
        return None
    if isinstance(a, da.Array):
        a = a.compute()
    return np.asarray(a)


def _batched(input, nd, op):
    x = as_dask(input)
    A.batched_input(np.empty((0,) * x.ndim), nd, op)   # the rank check and its message
    if x.ndim == nd + 1:
        return x[None], True
    return x, False


def _one_channel_chunk(x, rechunk, op):
    return fit_chunks(x, {1: (x.shape[1], 1, 0, "the channel axis must be one chunk")},
                      rechunk, f"convx.dask.{op}")


def _apply(fn, xb, arrays, kw, workers):
    """fn on one block. The graph is built on channels-first views; with data_format
    "channels_last" the block goes to convx as the channels-last array it views (contiguous when
    the task's chunk is) and the result comes back as a channels-first view."""
    if kw.get("data_format") == "channels_last":
        y = fn(np.moveaxis(xb, 1, -1), *arrays, **kw, workers=task_workers(workers))
        return np.moveaxis(y, -1, 1)
    return fn(xb, *arrays, **kw, workers=task_workers(workers))


def _layout(input, data_format, nd, op):
    """(channels-first view of the input, whether it was channels-last)."""
    cl = A.data_format(data_format)
    if not cl:
        return input, False
    x = as_dask(input)
    if x.ndim not in (nd + 1, nd + 2):
        sp = ", ".join("DHW"[3 - nd:])
        raise ValueError(f"input must be {nd + 1}-D (unbatched [{sp}, C]) or {nd + 2}-D "
                         f"(batched [N, {sp}, C]) channels-last for {op}, got input of shape "
                         f"{x.shape}")
    return da.moveaxis(x, -1, x.ndim - nd - 1), True


def _back(y, cl, nd):
    """The result in the caller's layout (a channels-last view of the channels-first graph)."""
    return da.moveaxis(y, y.ndim - nd - 1, -1) if cl else y


def _fwd_block(xb, *arrays, op, kw, workers):
    return _apply(getattr(convx, op), xb, arrays, kw, workers)


def _fwd_padded(xb, sides, last, *arrays, op, kw, workers):
    # the chunk and its right halo hold exactly the padded input its outputs read
    return _apply(getattr(convx, op), xb, arrays, kw, workers)


def _forward(nd, op, input, arrays, kernel_of, stride, padding, dilation, padding_mode, kw,
             workers, rechunk, data_format="channels_first"):
    """conv{nd}d / depthwise_separable_conv{nd}d; arrays: the weight operands in call order,
    kernel_of: which of them gives the kernel size; kw: the other keyword arguments."""
    fn = getattr(convx, op)
    input, cl = _layout(input, data_format, nd, op)
    if cl:
        kw = dict(kw, data_format="channels_last")
    x, unbatched = _batched(input, nd, op)
    arrays = [_weights(a, "weight") for a in arrays]
    workers = check_workers(workers)
    stride_t = A.int_tuple(stride, nd, "stride", 1)
    dil_t = A.int_tuple(dilation, nd, "dilation", 1)
    w = arrays[kernel_of]
    kernel = tuple(w.shape[2:]) if w.ndim == nd + 2 else (1,) * nd
    lo, hi = A.conv_padding(padding, nd, kernel, dil_t, stride_t)
    mode = A.padding_mode(padding_mode)
    spatial = x.shape[2:]
    ext = [d * (k - 1) + 1 for k, d in zip(kernel, dil_t)]
    # the call on a small input of the same channels: the same argument errors, and the dtype
    probe_sp = [min(n, max(e, l + 1, h + 1) + s)
                for n, e, l, h, s in zip(spatial, ext, lo, hi, stride_t)]
    args = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode, **kw)
    probe = fn(np.zeros((1, x.shape[1], *probe_sp), dtype=x.dtype), *arrays,
               **{k: v for k, v in args.items() if k != "data_format"}, workers=1)
    dtype, c_out = probe.dtype, probe.shape[1]
    if mode != "zeros":
        A.check_pad_mode_sizes(spatial, lo, hi, mode)
    out_sp = []
    for ax in range(nd):
        padded = spatial[ax] + lo[ax] + hi[ax]
        if padded < ext[ax]:
            raise ValueError(f"kernel (dilated extent {ext[ax]}) is larger than the padded "
                             f"input ({padded}) in spatial dimension {ax}: input "
                             f"{tuple(spatial)}, kernel {kernel}, padding {padding!r}")
        out_sp.append((padded - ext[ax]) // stride_t[ax] + 1)
    x = _one_channel_chunk(x, rechunk, op)
    meta = np.empty((0,) * (nd + 2), dtype)
    keys = [shared(a) for a in arrays]

    if all(len(c) == 1 for c in x.chunks[2:]):      # batch chunks only: the call as given
        y = da.map_blocks(_fwd_block, x, *keys, dtype=dtype, meta=meta, op=op,
                          chunks=(x.chunks[0], (c_out,), *((o,) for o in out_sp)),
                          kw=args, workers=workers)
        return _back(y[0] if unbatched else y, cl, nd)

    if any(lo) or any(hi):
        how, opts = _PAD[mode]
        before = x.chunks
        x = da.pad(x, [(0, 0), (0, 0)] + list(zip(lo, hi)), mode=how, **opts)
        # the padding joins the edge chunks (da.pad adds chunks of its own; merging those is
        # not the caller's business, so it happens without a RechunkWarning)
        x = x.rechunk(before[:2] + tuple((c[0] + l, *c[1:-1], c[-1] + h) if len(c) > 1
                                         else (c[0] + l + h,)
                                         for c, l, h in zip(before[2:], lo, hi)))
    halo = [max(e - s, 0) for e, s in zip(ext, stride_t)]
    needs = {2 + ax: (halo[ax], stride_t[ax], ext[ax],
                      f"halo {halo[ax]}, stride {stride_t[ax]}, kernel extent {ext[ax]}")
             for ax in range(nd) if len(x.chunks[2 + ax]) > 1}
    x = fit_chunks(x, needs, rechunk, f"convx.dask.{op}")
    depth = {0: 0, 1: 0}
    out_chunks = [x.chunks[0], (c_out,)]
    for ax in range(nd):
        c = x.chunks[2 + ax]
        depth[2 + ax] = (0, halo[ax]) if len(c) > 1 and halo[ax] else 0
        starts = np.cumsum((0,) + c[:-1]) // stride_t[ax]
        out_chunks.append(tuple(int(v) for v in np.diff([*starts, out_sp[ax]])))
    block_args = dict(args, padding=0, padding_mode="zeros")
    fn = functools.partial(_fwd_padded, op=op, kw=block_args, workers=workers)
    y = halo_map(fn, x, [d if isinstance(d, tuple) else (0, 0) for d in depth.values()],
                 [False] * x.ndim, chunks=tuple(out_chunks), dtype=dtype, meta=meta, args=keys,
                 label=f"convx-{op}")
    return _back(y[0] if unbatched else y, cl, nd)


def _transposed_padded(xb, sides, last, w, b, *, op, stride, dilation, kernel, output_padding,
                       groups, algorithm, workers, out_len, layout):
    opad, crop = [], []
    for ax, (s, d, k) in enumerate(zip(stride, dilation, kernel)):
        D = d * (k - 1)
        # the last block ends with the caller's output_padding; the others need their range
        # filled up to the next block's first output even when the kernel is shorter than s
        opad.append(output_padding[ax] if last[2 + ax] else max(0, s - (D + 1)))
        n_in = xb.shape[2 + ax] - sides[2 + ax][0]
        n_out = out_len[ax] if last[2 + ax] else n_in * s
        off = sides[2 + ax][0] * s
        crop.append(slice(off, off + n_out))
    y = _apply(getattr(convx, op), xb, (w, b),
               dict(stride=stride, padding=0, output_padding=tuple(opad), groups=groups,
                    dilation=dilation, algorithm=algorithm, **layout), workers)
    return y[(slice(None), slice(None), *crop)]


def _transposed(nd, op, input, weight, bias, stride, padding, output_padding, groups,
                dilation, algorithm, workers, rechunk, data_format="channels_first"):
    fn = getattr(convx, op)
    input, cl = _layout(input, data_format, nd, op)
    layout = {"data_format": "channels_last"} if cl else {}
    x, unbatched = _batched(input, nd, op)
    w, b = _weights(weight, "weight"), _weights(bias, "bias")
    workers = check_workers(workers)
    stride_t = A.int_tuple(stride, nd, "stride", 1)
    dil_t = A.int_tuple(dilation, nd, "dilation", 1)
    if isinstance(padding, str):
        pad_t = None     # the probe raises convx's error
    else:
        pad_t = A.int_tuple(padding, nd, "padding", 0)
    opad_t = A.int_tuple(output_padding, nd, "output_padding", 0)
    kernel = tuple(w.shape[2:]) if w.ndim == nd + 2 else (1,) * nd
    spatial = x.shape[2:]
    D = [d * (k - 1) for k, d in zip(kernel, dil_t)]
    probe_sp = spatial if pad_t is None else [
        min(n, max(1, -(-(2 * p - e - op_) // s) + 1) + 1)
        for n, p, e, op_, s in zip(spatial, pad_t, D, opad_t, stride_t)]
    args = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups,
                dilation=dilation, algorithm=algorithm)
    probe = fn(np.zeros((1, x.shape[1], *probe_sp), dtype=x.dtype), w, b, **args, workers=1)
    dtype, c_out = probe.dtype, probe.shape[1]
    full = [(n - 1) * s + e + o + 1 for n, s, e, o in zip(spatial, stride_t, D, opad_t)]
    for ax in range(nd):
        if full[ax] - 2 * pad_t[ax] < 1:
            raise ValueError(f"output size {full[ax] - 2 * pad_t[ax]} < 1 in spatial dimension "
                             f"{ax}: input {tuple(spatial)}, kernel {kernel}, stride "
                             f"{stride_t}, padding {pad_t}; reduce padding")
    x = _one_channel_chunk(x, rechunk, op)
    meta = np.empty((0,) * (nd + 2), dtype)
    wk, bk = shared(w), shared(b)

    if all(len(c) == 1 for c in x.chunks[2:]):      # batch chunks only: the call as given
        out = [f - 2 * p for f, p in zip(full, pad_t)]
        y = da.map_blocks(_fwd_block, x, wk, bk, dtype=dtype, meta=meta, op=op,
                          chunks=(x.chunks[0], (c_out,), *((o,) for o in out)),
                          kw=dict(args, **layout), workers=workers)
        return _back(y[0] if unbatched else y, cl, nd)

    halo = [e // s for e, s in zip(D, stride_t)]
    needs = {2 + ax: (halo[ax], 1, 0, f"halo {halo[ax]} (dilated kernel // stride)")
             for ax in range(nd) if len(x.chunks[2 + ax]) > 1 and halo[ax]}
    x = fit_chunks(x, needs, rechunk, f"convx.dask.{op}")
    depth = {0: 0, 1: 0}
    out_chunks = [x.chunks[0], (c_out,)]
    for ax in range(nd):
        c = x.chunks[2 + ax]
        depth[2 + ax] = (halo[ax], 0) if len(c) > 1 and halo[ax] else 0
        oc = [n * stride_t[ax] for n in c]
        oc[-1] = full[ax] - (sum(c) - c[-1]) * stride_t[ax]
        out_chunks.append(tuple(oc))
    fn = functools.partial(_transposed_padded, op=op, stride=stride_t, dilation=dil_t,
                           kernel=kernel, output_padding=opad_t, groups=groups,
                           algorithm=algorithm, workers=workers, layout=layout,
                           out_len=[f - (n - c[-1]) * s for f, n, c, s in
                                    zip(full, spatial, x.chunks[2:], stride_t)])
    y = halo_map(fn, x, [d if isinstance(d, tuple) else (0, 0) for d in depth.values()],
                 [False] * x.ndim, chunks=tuple(out_chunks), dtype=dtype, meta=meta,
                 args=(wk, bk), label=f"convx-{op}")
    if any(pad_t):
        y = y[(slice(None), slice(None), *(slice(p, f - p) for p, f in zip(pad_t, full)))]
    return _back(y[0] if unbatched else y, cl, nd)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros", data_format="channels_first", algorithm="auto", workers=None,
           rechunk=True):
    return _forward(1, "conv1d", input, [weight, bias], 0, stride, padding, dilation,
                    padding_mode, dict(groups=groups, algorithm=algorithm), workers, rechunk,
                    data_format)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros", data_format="channels_first", algorithm="auto", workers=None,
           rechunk=True):
    return _forward(2, "conv2d", input, [weight, bias], 0, stride, padding, dilation,
                    padding_mode, dict(groups=groups, algorithm=algorithm), workers, rechunk,
                    data_format)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, *,
           padding_mode="zeros", data_format="channels_first", algorithm="auto", workers=None,
           rechunk=True):
    return _forward(3, "conv3d", input, [weight, bias], 0, stride, padding, dilation,
                    padding_mode, dict(groups=groups, algorithm=algorithm), workers, rechunk,
                    data_format)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, data_format="channels_first", algorithm="auto", workers=None,
                     rechunk=True):
    return _transposed(1, "conv_transpose1d", input, weight, bias, stride, padding,
                       output_padding, groups, dilation, algorithm, workers, rechunk, data_format)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, data_format="channels_first", algorithm="auto", workers=None,
                     rechunk=True):
    return _transposed(2, "conv_transpose2d", input, weight, bias, stride, padding,
                       output_padding, groups, dilation, algorithm, workers, rechunk, data_format)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1, *, data_format="channels_first", algorithm="auto", workers=None,
                     rechunk=True):
    return _transposed(3, "conv_transpose3d", input, weight, bias, stride, padding,
                       output_padding, groups, dilation, algorithm, workers, rechunk, data_format)


def depthwise_separable_conv1d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1, *,
                               padding_mode="zeros", data_format="channels_first",
                               workers=None, rechunk=True):
    return _forward(1, "depthwise_separable_conv1d", input,
                    [depthwise_weight, pointwise_weight, depthwise_bias, pointwise_bias], 0,
                    stride, padding, dilation, padding_mode, {}, workers, rechunk, data_format)


def depthwise_separable_conv2d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1, *,
                               padding_mode="zeros", data_format="channels_first",
                               workers=None, rechunk=True):
    return _forward(2, "depthwise_separable_conv2d", input,
                    [depthwise_weight, pointwise_weight, depthwise_bias, pointwise_bias], 0,
                    stride, padding, dilation, padding_mode, {}, workers, rechunk, data_format)


def depthwise_separable_conv3d(input, depthwise_weight, pointwise_weight, depthwise_bias=None,
                               pointwise_bias=None, stride=1, padding=0, dilation=1, *,
                               padding_mode="zeros", data_format="channels_first",
                               workers=None, rechunk=True):
    return _forward(3, "depthwise_separable_conv3d", input,
                    [depthwise_weight, pointwise_weight, depthwise_bias, pointwise_bias], 0,
                    stride, padding, dilation, padding_mode, {}, workers, rechunk, data_format)


from convx.dask._docs import document  # noqa: E402  (docstrings built from the templates)

document(globals())
