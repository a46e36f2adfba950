"""Small helpers shared by the oracles: argument tuples, padding, dtype policy.

Kept deliberately tiny: the oracles only normalise what they need to compute,
the public API (``convx/_args.py``) owns the user-facing error messages.
"""
import numpy as np

__all__ = []

# torch padding_mode -> np.pad mode. torch 'reflect' does not repeat the edge
# sample, which is np.pad's 'reflect'; torch 'replicate' is np.pad's 'edge'.
_TORCH_PAD_MODES = {
    "zeros": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def _ntuple(value, n, name):
    """Broadcast an int (or a length-1 sequence, as torch does) to an n-tuple of ints."""
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise ValueError(f"{name} must be an int or a sequence of {n} ints, got {value!r}")
    return value


def _result_dtype(*arrays):
    """Public dtype policy: result_type, then float16 -> float32, int/bool -> float64."""
    dt = np.result_type(*arrays)
    if dt.kind in "biu":
        return np.dtype(np.float64)
    if dt.kind != "f":
        raise TypeError(f"input and weight must be real numeric arrays, got dtype {dt}")
    if dt == np.float16:
        return np.dtype(np.float32)
    return dt


def _conv_padding(padding, kernel, dilation, stride, n):
    """Per-axis (before, after) padding for a forward conv: int/tuple/'valid'/'same'.

    'same' uses torch's split: total dilation*(k-1), the odd element at the end.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            pads = []
            for k, d in zip(kernel, dilation):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
            return tuple(pads)
        raise ValueError(f"padding must be 'valid', 'same', an int or a tuple, got {padding!r}")
    p = _ntuple(padding, n, "padding")
    if any(v < 0 for v in p):
        raise ValueError(f"padding must be non-negative, got {p}")
    return tuple((v, v) for v in p)


def _pad_spatial(x, pads, padding_mode="zeros"):
    """Pad the trailing len(pads) axes of x with torch's padding_mode semantics.

    torch rejects reflect pads >= size and circular pads > size; so do we,
    rather than silently defining values torch does not.
    """
    if padding_mode not in _TORCH_PAD_MODES:
        raise ValueError(
            f"padding_mode must be one of {sorted(_TORCH_PAD_MODES)}, got {padding_mode!r}")
    nsp = len(pads)
    full = [(0, 0)] * (x.ndim - nsp) + [tuple(p) for p in pads]
    if padding_mode == "zeros" or x.size == 0 or all(p == (0, 0) for p in pads):
        return np.pad(x, full, mode="constant")
    for size, (lo, hi) in zip(x.shape[-nsp:], pads):
        if padding_mode == "reflect" and max(lo, hi) >= size:
            raise ValueError(f"padding_mode='reflect' needs padding < input size, "
                             f"got padding ({lo}, {hi}) for size {size}")
        if padding_mode == "circular" and max(lo, hi) > size:
            raise ValueError(f"padding_mode='circular' needs padding <= input size, "
                             f"got padding ({lo}, {hi}) for size {size}")
    return np.pad(x, full, mode=_TORCH_PAD_MODES[padding_mode])


def _batched(x, nd, name="input"):
    """Return (x with a batch axis, was_unbatched): accept [C, *sp] as torch does."""
    if x.ndim == nd + 1:
        return x[None], True
    if x.ndim != nd + 2:
        raise ValueError(f"{name} must have {nd + 1} (unbatched) or {nd + 2} (batched) "
                         f"dimensions, got shape {x.shape}")
    return x, False
