"""Benchmark cases and runner behind ``python -m convx bench`` and the asv suites.

One list drives everything (STYLE.md section 11): the suites below are the only
place benchmark problems are written down; ``convx/__main__.py`` times them and
``benchmarks/benchmarks/bench_*.py`` turn them into asv parameters.

Pieces, in file order:

- ``Case``: one problem (family, name, shapes, conv parameters, dtype).
- ``macs(case)``: the single definition of "work" for every family;
  GFLOP/s everywhere is ``2 * macs(case) / seconds``.
- ``numpy_conv``: the NumPy im2col baseline, a peer (not the oracle; that is
  ``convx.reference``).
- ``Family`` / ``FAMILIES``: per family, how to build seeded inputs and which
  callables to time (convx plus peers: NumPy, torch, scipy, cv2 ...).
- ``Suite`` / ``SUITES``: named lists of cases.
- ``time_call``: warm-up, then an adaptive number of repeats, median.
- ``run`` / ``main``: time suites, print the report, write JSON (and a PNG).

Extension points for other families (conv_transpose, deform_conv2d,
separable, filters): write the cases, call ``register_family`` once with an
input builder and contender builders, ``register_suite`` for each suite, and
add the family's branch to ``macs``. Nothing else in the runner, the CLI or
the asv glue needs to change.

This module imports no compiled convx code at import time, so the case list
can be read (and the asv module imported) on a broken or old build.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np

__all__ = [
    "Case", "Call", "Family", "Suite", "Timing", "FAMILIES", "SUITES",
    "conv_case", "register_family", "register_suite", "iter_cases", "get_case",
    "macs", "conv_output_shape", "numpy_conv", "make_inputs", "make_call",
    "resolve_workers", "time_call", "measure_peak", "run", "main",
]


# --------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One benchmark problem.

    Conventions per family (the fields ``macs`` and the family hooks read):

    - ``conv``: ``input_shape = (N, C_in, *spatial)``, ``weight_shape =
      (C_out, C_in // groups, *k)``; ``stride``/``padding``/``dilation`` are
      per-axis tuples (``padding`` may also be ``"same"``/``"valid"``).
    - ``conv_transpose``: ``weight_shape = (C_in, C_out // groups, *k)``;
      ``extra["output_padding"]`` is a per-axis tuple.
    - ``deform_conv2d``: conv2d fields; ``extra`` holds offset groups / mask.
    - ``separable``: ``weight_shape`` is the depthwise weight
      ``(C_in * mult, 1, *k)``; ``extra["pointwise_out"]`` is C_out.
    - ``filter``: ``input_shape`` is the image (any rank), ``weight_shape``
      the kernel (same rank or rank of the filtered axes); output has the
      input's shape.

    ``extra`` is for family-specific parameters; it is a tuple of pairs so the
    record stays hashable (read it with ``case.params``).
    """

    family: str
    name: str
    input_shape: tuple
    weight_shape: tuple
    stride: tuple = ()
    padding: Any = ()
    dilation: tuple = ()
    groups: int = 1
    bias: bool = False
    dtype: str = "float32"
    quick: bool = False          # part of the ``--quick`` smoke subset
    note: str = ""               # provenance, shown in ``--list`` and saved in JSON
    extra: tuple = ()

    def __post_init__(self):
        nd = max(len(self.input_shape) - 2, 0)
        set_ = object.__setattr__
        set_(self, "input_shape", tuple(int(s) for s in self.input_shape))
        set_(self, "weight_shape", tuple(int(s) for s in self.weight_shape))
        set_(self, "stride", _ntuple(self.stride or 1, nd))
        set_(self, "dilation", _ntuple(self.dilation or 1, nd))
        if not isinstance(self.padding, str):
            set_(self, "padding", _ntuple(self.padding or 0, nd))
        if isinstance(self.extra, Mapping):
            set_(self, "extra", tuple(sorted(self.extra.items())))

    @property
    def ndim(self) -> int:
        """Spatial rank (inputs in cases are always batched)."""
        return len(self.input_shape) - 2

    @property
    def params(self) -> dict:
        return dict(self.extra)

    def with_dtype(self, dtype) -> "Case":
        return dataclasses.replace(self, dtype=np.dtype(dtype).name)

    def describe(self) -> str:
        """Short shape text for tables and ``--list``."""
        x = "x".join(map(str, self.input_shape))
        w = "x".join(map(str, self.weight_shape))
        parts = [f"in {x}", f"w {w}"]
        if any(s != 1 for s in self.stride):
            parts.append("s" + ",".join(map(str, self.stride)))
        if isinstance(self.padding, str) or any(self.padding):
            pad = self.padding
            parts.append("p" + (pad if isinstance(pad, str) else ",".join(map(str, pad))))
        if any(d != 1 for d in self.dilation):
            parts.append("d" + ",".join(map(str, self.dilation)))
        if self.groups != 1:
            parts.append(f"g{self.groups}")
        return " ".join(parts)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["extra"] = self.params
        return d


def _ntuple(v, n: int) -> tuple:
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    t = tuple(int(i) for i in v)
    if len(t) == 1 and n > 1:
        t = t * n
    if len(t) != n:
        raise ValueError(f"expected an int or {n} values, got {v!r}")
    return t


def conv_case(name, input_shape, out_channels, kernel, stride=1, padding=0, dilation=1,
              groups=1, bias=False, quick=False, note="") -> Case:
    """A ``conv`` family case from torch.nn.ConvNd-style arguments."""
    nd = len(input_shape) - 2
    k = _ntuple(kernel, nd)
    c_in = input_shape[1]
    if c_in % groups or out_channels % groups:
        raise ValueError(f"case {name}: channels not divisible by groups")
    return Case("conv", name, tuple(input_shape), (out_channels, c_in // groups, *k),
                stride=stride, padding=padding, dilation=dilation, groups=groups,
                bias=bias, quick=quick, note=note)


def conv_output_shape(in_sp, k, stride, padding, dilation) -> tuple:
    """torch's output size per axis; ``padding`` may be ``"same"``/``"valid"``."""
    if padding == "same":
        return tuple(in_sp)
    if padding == "valid":
        padding = (0,) * len(in_sp)
    return tuple((i + 2 * p - d * (kk - 1) - 1) // s + 1
                 for i, kk, s, p, d in zip(in_sp, k, stride, padding, dilation))


# --------------------------------------------------------------------------
# Work per call
# --------------------------------------------------------------------------

def macs(case: Case) -> int:
    """Multiply-accumulates of one call of ``case``; FLOP = 2 * MACs.

    Dense counts: taps that land in the zero padding count (as in
    torch/fvcore and most papers); bias adds, padding copies and index
    arithmetic do not.

    - conv (1d/2d/3d, any groups, dilation, stride):
      ``N * C_out * prod(out_spatial) * (C_in / groups) * prod(k)``.
    - conv_transpose: the MACs of the conv it is the adjoint of,
      ``N * C_in * prod(in_spatial) * (C_out / groups) * prod(k)``.
    - deform_conv2d: the conv2d count on the same shapes (bilinear sampling
      and the mask multiply are not counted).
    - separable (depthwise then pointwise):
      ``N * C_mid * prod(out) * prod(k) + N * C_out * prod(out) * C_mid``
      with ``C_mid = weight_shape[0]``.
    - filter: ``prod(input_shape) * prod(weight_shape)`` (one dot product of
      the kernel's size per output element; output has the input's shape).
    """
    f = case.family
    x, w = case.input_shape, case.weight_shape
    if f in ("conv", "deform_conv2d"):
        out = conv_output_shape(x[2:], w[2:], case.stride, case.padding, case.dilation)
        return x[0] * w[0] * math.prod(out) * w[1] * math.prod(w[2:])
    if f == "conv_transpose":
        return x[0] * x[1] * math.prod(x[2:]) * w[1] * math.prod(w[2:])
    if f == "separable":
        out = conv_output_shape(x[2:], w[2:], case.stride, case.padding, case.dilation)
        c_mid, c_out = w[0], case.params["pointwise_out"]
        return x[0] * math.prod(out) * (c_mid * math.prod(w[2:]) + c_out * c_mid)
    if f == "filter":
        return math.prod(x) * math.prod(w)
    if f == "spatial_separable":
        # (kh x 1) conv C_in -> C_mid (H padded), then (1 x kw) C_mid -> C_out (W padded);
        # the cases use stride 1, dilation 1, groups 1
        c_mid, c_in, kh = w[0], w[1], w[2]
        kw, c_out = case.params["kw"], case.params["out"]
        oh = x[2] + 2 * case.padding[0] - kh + 1
        ow = x[3] + 2 * case.padding[1] - kw + 1
        return x[0] * oh * (c_mid * x[3] * c_in * kh + c_out * ow * c_mid * kw)
    raise KeyError(f"macs(): no formula for family {f!r}; add one here")


# --------------------------------------------------------------------------
# NumPy im2col baseline (a peer, not the oracle)
# --------------------------------------------------------------------------

_NP_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "edge",
                "circular": "wrap"}


def numpy_conv(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1,
               padding_mode="zeros", *, max_cols_bytes=64 << 20):
    """conv1d/2d/3d with torch semantics via im2col + matmul, in plain NumPy.

    What a careful NumPy user would write: pad once, take a strided window
    view, copy it to a column matrix ``[N, G, C_in/G * prod(k), P]`` and do
    one batched matmul against ``[G, C_out/G, C_in/G * prod(k)]`` (a matmul
    per group, looped in C). Output rows along the first spatial axis are
    processed in chunks so the column matrix stays under ``max_cols_bytes``
    (large 3-D/1-D cases would otherwise allocate hundreds of MB); the chunk
    buffer is reused. Computes in the input dtype (float32 stays float32).
    """
    x = np.asarray(input)
    w = np.asarray(weight)
    nd = w.ndim - 2
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    dt = np.result_type(x, w)
    if dt.kind in "biu":
        dt = np.dtype(np.float64)
    elif dt == np.float16:
        dt = np.dtype(np.float32)
    x = x.astype(dt, copy=False)
    w = w.astype(dt, copy=False)

    k = w.shape[2:]
    s = _ntuple(stride, nd)
    d = _ntuple(dilation, nd)
    if padding == "valid":
        pads = [(0, 0)] * nd
    elif padding == "same":
        # torch: total d*(k-1), the odd element goes to the end side
        pads = [(di * (ki - 1) // 2, di * (ki - 1) - di * (ki - 1) // 2) for ki, di in zip(k, d)]
    else:
        pads = [(p, p) for p in _ntuple(padding, nd)]
    if any(p for pair in pads for p in pair):
        mode = _NP_PAD_MODE[padding_mode]
        x = np.pad(x, [(0, 0), (0, 0), *pads], mode=mode)

    n, c = x.shape[:2]
    o, g = w.shape[0], groups
    cg, og = c // g, o // g
    span = tuple(di * (ki - 1) + 1 for ki, di in zip(k, d))
    win = np.lib.stride_tricks.sliding_window_view(x, span, axis=tuple(range(2, 2 + nd)))
    win = win[(slice(None),) * 2 + tuple(slice(None, None, si) for si in s)
              + tuple(slice(None, None, di) for di in d)]
    osp = win.shape[2:2 + nd]
    # [N, C, *o, *k] -> [N, G, Cg, *k, *o]: the copy below then reads rows of o
    win = win.reshape(n, g, cg, *osp, *k)
    win = win.transpose((0, 1, 2, *range(3 + nd, 3 + 2 * nd), *range(3, 3 + nd)))
    kk = cg * math.prod(k)
    wr = w.reshape(g, og, kk)

    out = np.empty((n, g, og, *osp), dt)
    rest = math.prod(osp[1:])
    row_bytes = n * g * kk * rest * dt.itemsize
    rows = max(1, min(osp[0], max_cols_bytes // max(row_bytes, 1)))
    buf = np.empty(n * g * kk * rows * rest, dt)
    lead = (slice(None),) * (3 + nd)
    for r0 in range(0, osp[0], rows):
        r1 = min(r0 + rows, osp[0])
        cols = buf[:n * g * kk * (r1 - r0) * rest].reshape(n, g, cg, *k, r1 - r0, *osp[1:])
        np.copyto(cols, win[lead + (slice(r0, r1),)])
        res = np.matmul(wr, cols.reshape(n, g, kk, (r1 - r0) * rest))
        out[:, :, :, r0:r1] = res.reshape(n, g, og, r1 - r0, *osp[1:])
    out = out.reshape(n, o, *osp)
    if bias is not None:
        out += np.asarray(bias, dt).reshape(o, *(1,) * nd)
    return out[0] if unbatched else out


# --------------------------------------------------------------------------
# Families: inputs and contenders
# --------------------------------------------------------------------------

@dataclass
class Call:
    """A timed callable: ``op(*args, **kwargs)`` inside ``context()``.

    Kept as parts (not a closure) so the asv ``time_*`` methods can call the
    op directly. ``context`` wraps a whole timing loop (torch.no_grad, BLAS
    thread limits), never a single call.
    """

    op: Callable
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    context: Callable[[], Any] = contextlib.nullcontext
    info: str = ""

    def __call__(self):
        return self.op(*self.args, **self.kwargs)


@dataclass(frozen=True)
class Family:
    """How to benchmark one family.

    make_inputs(case, rng) -> dict of arrays (seeded, ``case.dtype``).
    convx(case, arrays, algorithm, workers) -> Call of the convx op.
    peers: name -> builder(case, arrays, workers) -> Call; a builder raises
      ImportError when its library is missing (the peer is then skipped) and
      NotImplementedError when it cannot run this case.
    """

    make_inputs: Callable[[Case, np.random.Generator], dict]
    convx: Callable[[Case, dict, str, int], Call]
    peers: Mapping[str, Callable[[Case, dict, int], Call]]


FAMILIES: dict[str, Family] = {}


def register_family(name: str, family: Family) -> None:
    FAMILIES[name] = family


def _blas_threads(n: int):
    """Limit BLAS threads for the NumPy peer when threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=n, user_api="blas")


def _numpy_threads_info(n: int) -> str:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return "BLAS default thread count (threadpoolctl not installed, cannot limit)"
    return f"BLAS limited to {n} threads (threadpoolctl)"


def _torch_context(workers: int):
    """torch.no_grad() and torch.set_num_threads(workers), restored on exit."""
    import torch

    @contextlib.contextmanager
    def ctx():
        prev = torch.get_num_threads()
        torch.set_num_threads(workers)
        try:
            with torch.no_grad():
                yield
        finally:
            torch.set_num_threads(prev)
    return ctx


def _conv_inputs(case: Case, rng: np.random.Generator) -> dict:
    dt = np.dtype(case.dtype)
    fan_in = math.prod(case.weight_shape[1:])
    a = {"input": rng.standard_normal(case.input_shape, dtype=dt),
         "weight": (rng.standard_normal(case.weight_shape, dtype=dt)
                    * dt.type(1.0 / math.sqrt(fan_in)))}
    if case.bias:
        a["bias"] = rng.standard_normal(case.weight_shape[0], dtype=dt)
    return a


def _conv_kwargs(case: Case) -> dict:
    return dict(stride=case.stride, padding=case.padding, dilation=case.dilation,
                groups=case.groups)


def _conv_convx(case, a, algorithm, workers) -> Call:
    import convx
    op = getattr(convx, f"conv{case.ndim}d")
    return Call(op, (a["input"], a["weight"], a.get("bias")),
                dict(_conv_kwargs(case), algorithm=algorithm, workers=workers),
                info=f"convx.conv{case.ndim}d(algorithm={algorithm!r}, workers={workers})")


def _conv_numpy(case, a, workers) -> Call:
    return Call(numpy_conv, (a["input"], a["weight"], a.get("bias")), _conv_kwargs(case),
                context=lambda: _blas_threads(workers),
                info="NumPy sliding_window_view + matmul; " + _numpy_threads_info(workers))


def _conv_torch(case, a, workers) -> Call:
    import torch
    import torch.nn.functional as F
    b = a.get("bias")
    args = (torch.from_numpy(a["input"]), torch.from_numpy(a["weight"]),
            None if b is None else torch.from_numpy(b))
    return Call(getattr(F, f"conv{case.ndim}d"), args, _conv_kwargs(case),
                context=_torch_context(workers),
                info=f"torch {torch.__version__} F.conv{case.ndim}d, no_grad, {workers} threads")


register_family("conv", Family(make_inputs=_conv_inputs, convx=_conv_convx,
                               peers={"numpy": _conv_numpy, "torch": _conv_torch}))


def make_inputs(case: Case, seed: int = 0) -> dict:
    """Seeded inputs for ``case`` (same arrays for every contender)."""
    return FAMILIES[case.family].make_inputs(case, np.random.default_rng(seed))


def make_call(case: Case, arrays: dict, contender: str, workers: int,
              algorithm: str = "auto") -> Call:
    """The Call for ``contender`` ("convx" or a peer name) on ``case``."""
    fam = FAMILIES[case.family]
    if contender == "convx":
        return fam.convx(case, arrays, algorithm, workers)
    if contender not in fam.peers:
        raise NotImplementedError(f"no peer {contender!r} for family {case.family!r}")
    return fam.peers[contender](case, arrays, workers)


# --------------------------------------------------------------------------
# Suites
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    cases: tuple


SUITES: dict[str, Suite] = {}


def register_suite(name: str, cases: Sequence[Case], description: str = "") -> Suite:
    """Add (or replace) a suite. Names starting with "_" are hidden from "all"."""
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"suite {name}: duplicate case names")
    suite = Suite(name, description, tuple(cases))
    SUITES[name] = suite
    return suite


def iter_cases(suites: Sequence[str] | None = None, *, quick: bool = False,
               family: str | None = None) -> Iterator[tuple[str, Case]]:
    """(qualified id "suite/name", case) over the chosen suites, in order."""
    names = [s for s in SUITES if not s.startswith("_")] if not suites else list(suites)
    for sname in names:
        if sname not in SUITES:
            raise KeyError(f"unknown suite {sname!r}; known: {', '.join(SUITES)}")
        for case in SUITES[sname].cases:
            if (quick and not case.quick) or (family and case.family != family):
                continue
            yield f"{sname}/{case.name}", case


def get_case(case_id: str) -> Case:
    """Case by qualified id "suite/name"."""
    sname, _, cname = case_id.partition("/")
    for case in SUITES[sname].cases:
        if case.name == cname:
            return case
    raise KeyError(f"no case {cname!r} in suite {sname!r}")


_SHAPES = ("/work/shared/data/conv_shapes.jsonl (oneDNN benchdnn inputs, commit 515bfba6, "
           "Apache-2.0)")

# ResNet-50 v1: the 20 distinct conv layers of benchdnn `shapes_resnet_50`
# (net "resnet_50"), batch set to 1. Rows: name, C_in, C_out, H(=W), k, stride, pad.
# tests/test_bench.py checks these rows against the shapes file when it exists.
_RESNET50 = [
    ("conv1", 3, 64, 224, 7, 2, 3),
    ("res2a_branch1", 64, 256, 56, 1, 1, 0),
    ("res2a_branch2a", 64, 64, 56, 1, 1, 0),
    ("res2a_branch2b", 64, 64, 56, 3, 1, 1),
    ("res2b_branch2a", 256, 64, 56, 1, 1, 0),
    ("res3a_branch1", 256, 512, 56, 1, 2, 0),
    ("res3a_branch2a", 256, 128, 56, 1, 2, 0),
    ("res3a_branch2b", 128, 128, 28, 3, 1, 1),
    ("res3a_branch2c", 128, 512, 28, 1, 1, 0),
    ("res3b_branch2a", 512, 128, 28, 1, 1, 0),
    ("res4a_branch1", 512, 1024, 28, 1, 2, 0),
    ("res4a_branch2a", 512, 256, 28, 1, 2, 0),
    ("res4a_branch2b", 256, 256, 14, 3, 1, 1),
    ("res4a_branch2c", 256, 1024, 14, 1, 1, 0),
    ("res4b_branch2a", 1024, 256, 14, 1, 1, 0),
    ("res5a_branch1", 1024, 2048, 14, 1, 2, 0),
    ("res5a_branch2a", 1024, 512, 14, 1, 2, 0),
    ("res5a_branch2b", 512, 512, 7, 3, 1, 1),
    ("res5a_branch2c", 512, 2048, 7, 1, 1, 0),
    ("res5b_branch2a", 2048, 512, 7, 1, 1, 0),
]
_RESNET50_QUICK = {"res4a_branch2b"}

# MobileNet v1 depthwise 3x3 layers (net "mobilenet_dw", groups == C_in), batch 1.
# Rows: name ("/" of benchdnn names replaced by "_"), C, H(=W), stride.
_MOBILENET_DW = [
    ("conv2_1_dw", 32, 112, 1),
    ("conv2_2_dw", 64, 112, 2),
    ("conv3_1_dw", 128, 56, 1),
    ("conv3_2_dw", 128, 56, 2),
    ("conv4_1_dw", 256, 28, 1),
    ("conv4_2_dw", 256, 28, 2),
    ("conv5_1_dw", 512, 14, 1),
    ("conv5_6_dw", 512, 14, 2),
    ("conv6_dw", 1024, 7, 1),
]
_MOBILENET_DW_QUICK = {"conv5_1_dw"}

# MobileNet pointwise 1x1 layers (net "mobilenet", k = 1, groups 1), batch 1.
# Rows: name, C_in, C_out, H(=W).
_MOBILENET_PW = [
    ("conv2", 32, 64, 112),
    ("conv3", 64, 128, 56),
    ("conv4", 128, 128, 56),
    ("conv5", 128, 256, 28),
    ("conv6", 256, 256, 28),
    ("conv7", 256, 512, 14),
    ("conv8", 512, 512, 14),
    ("conv9", 512, 1024, 7),
    ("conv10", 1024, 1024, 7),
    ("conv11", 1024, 5, 1),
]
_MOBILENET_PW_QUICK = {"conv7"}

register_suite("resnet50", [
    conv_case(name, (1, ci, hw, hw), co, k, stride=s, padding=p,
              quick=name in _RESNET50_QUICK, note="resnet_50:" + name + "; " + _SHAPES)
    for name, ci, co, hw, k, s, p in _RESNET50
], "ResNet-50 v1 conv layers, batch 1")

register_suite("mobilenet_dw", [
    conv_case(name, (1, c, hw, hw), c, 3, stride=s, padding=1, groups=c,
              quick=name in _MOBILENET_DW_QUICK,
              note="mobilenet:" + name.replace("_dw", "/dw") + "; " + _SHAPES)
    for name, c, hw, s in _MOBILENET_DW
], "MobileNet v1 depthwise 3x3 layers, batch 1")

register_suite("mobilenet_pw", [
    conv_case(name, (1, ci, hw, hw), co, 1, quick=name in _MOBILENET_PW_QUICK,
              note="mobilenet:" + name + "; " + _SHAPES)
    for name, ci, co, hw in _MOBILENET_PW
], "MobileNet pointwise 1x1 layers, batch 1")

register_suite("misc", [
    conv_case("resnext_3x3_g32", (1, 256, 56, 56), 256, 3, padding=1, groups=32, bias=True,
              quick=True, note="ResNeXt-style grouped 3x3, 32 groups of 8 channels"),
    conv_case("dilated_3x3_d2", (1, 256, 28, 28), 256, 3, padding=2, dilation=2, bias=True,
              note="DeepLab-style dilated 3x3, dilation 2"),
    conv_case("conv1d_tcn_k3", (1, 256, 4000), 256, 3, padding=1, bias=True, quick=True,
              note="TCN / wav2vec-like conv1d, 4000 steps"),
    conv_case("conv1d_k9_b8", (8, 64, 16000), 64, 9, padding=4, bias=True,
              note="audio conv1d, batch 8, 16000 samples, k=9"),
    conv_case("c3d_conv2", (1, 64, 16, 56, 56), 128, 3, padding=1, bias=True,
              note="C3D conv2 (3x3x3, 16 frames of 56x56)"),
    conv_case("c3d_conv1", (1, 3, 16, 112, 112), 64, 3, padding=1, bias=True, quick=True,
              note="C3D conv1 (3x3x3 on RGB, 16 frames of 112x112)"),
    conv_case("res5_3x3_b8", (8, 512, 7, 7), 512, 3, padding=1,
              note="ResNet-50 res5a_branch2b at batch 8 (small images in a batch)"),
], "grouped, dilated, conv1d and conv3d, a batched small-image layer")


# ---- deform_conv2d (convx/deform.py) ----

def _deform_inputs(case: Case, rng: np.random.Generator) -> dict:
    a = _conv_inputs(case, rng)
    dt = np.dtype(case.dtype)
    n, (kh, kw) = case.input_shape[0], case.weight_shape[2:]
    og = case.params.get("offset_groups", 1)
    out = conv_output_shape(case.input_shape[2:], case.weight_shape[2:], case.stride,
                            case.padding, case.dilation)
    # offsets of about a pixel (trained DCN offsets are of this order), mask in [0, 1)
    a["offset"] = rng.standard_normal((n, 2 * og * kh * kw, *out), dtype=dt)
    if case.params.get("mask", True):
        a["mask"] = rng.random((n, og * kh * kw, *out), dtype=dt)
    return a


def _deform_kwargs(case: Case) -> dict:
    return dict(stride=case.stride, padding=case.padding, dilation=case.dilation)


def _deform_convx(case, a, algorithm, workers) -> Call:
    import convx
    return Call(convx.deform_conv2d, (a["input"], a["offset"], a["weight"], a.get("bias")),
                dict(_deform_kwargs(case), mask=a.get("mask"), workers=workers),
                info=f"convx.deform_conv2d(workers={workers})")


def _deform_torchvision(case, a, workers) -> Call:
    import torch
    import torchvision.ops
    t = {k: torch.from_numpy(v) for k, v in a.items()}
    return Call(torchvision.ops.deform_conv2d,
                (t["input"], t["offset"], t["weight"], t.get("bias")),
                dict(_deform_kwargs(case), mask=t.get("mask")), context=_torch_context(workers),
                info=f"torchvision {torchvision.__version__} ops.deform_conv2d (torch "
                     f"{torch.__version__}), no_grad, {workers} threads")


def _deform_conv2d_peer(case, a, workers) -> Call:
    import convx
    return Call(convx.conv2d, (a["input"], a["weight"], a.get("bias")),
                dict(_conv_kwargs(case), workers=workers),
                info=f"convx.conv2d on the same shapes (the cost of deformability), "
                     f"workers={workers}")


# peers timed for comparison only: they compute a different function, so never the reference
_UNCHECKED_PEERS = {"conv2d"}

register_family("deform_conv2d", Family(make_inputs=_deform_inputs, convx=_deform_convx,
                                        peers={"torch": _deform_torchvision,
                                               "conv2d": _deform_conv2d_peer}))

register_suite("deform", [
    Case("deform_conv2d", f"dcn_{stage}_{c}x{hw}_b{n}", (n, c, hw, hw), (c, c, 3, 3),
         stride=1, padding=1, quick=(n == 1 and stage == "res4"),
         extra={"offset_groups": 1, "mask": True},
         note=f"DCNv2 ResNet-50 {stage} 3x3 conv (offset groups 1, with mask); 'torch' is "
              f"torchvision.ops.deform_conv2d, 'conv2d' is convx.conv2d on the same shapes")
    for stage, c, hw in (("res3", 128, 28), ("res4", 256, 14), ("res5", 512, 7))
    for n in (1, 4)
], "DCN-ResNet-50 stage 3-5 deformable 3x3 layers (DCNv2), batch 1 and 4")

# Filters and separable convs: convx/_bench_filters.py registers their families and suites.
from convx import _bench_filters  # noqa: E402,F401

# Other families register their suites in the same way, e.g. in this file:
#   register_family("conv_transpose", Family(_ct_inputs, _ct_convx, {"torch": _ct_torch}))
#   register_suite("conv_transpose", [Case("conv_transpose", ...), ...], "...")


# --- conv_transpose: convx.conv_transpose{1,2,3}d vs torch.nn.functional.conv_transpose* ---

def ct_case(name, input_shape, out_channels, kernel, stride=1, padding=0, output_padding=0,
            dilation=1, groups=1, bias=False, quick=False, note="") -> Case:
    """A ``conv_transpose`` case from torch.nn.ConvTransposeNd-style arguments."""
    nd = len(input_shape) - 2
    c_in = input_shape[1]
    return Case("conv_transpose", name, tuple(input_shape),
                (c_in, out_channels // groups, *_ntuple(kernel, nd)), stride=stride,
                padding=padding, dilation=dilation, groups=groups, bias=bias, quick=quick,
                note=note, extra={"output_padding": _ntuple(output_padding, nd)})


def _ct_inputs(case: Case, rng: np.random.Generator) -> dict:
    dt = np.dtype(case.dtype)
    fan_in = case.weight_shape[0] * math.prod(case.weight_shape[2:]) // max(
        1, math.prod(case.stride))
    a = {"input": rng.standard_normal(case.input_shape, dtype=dt),
         "weight": (rng.standard_normal(case.weight_shape, dtype=dt)
                    * dt.type(1.0 / math.sqrt(max(fan_in, 1))))}
    if case.bias:
        a["bias"] = rng.standard_normal(case.weight_shape[1] * case.groups, dtype=dt)
    return a


def _ct_args(case: Case, a: dict) -> tuple:
    return (a["input"], a["weight"], a.get("bias"), case.stride, case.padding,
            case.params["output_padding"], case.groups, case.dilation)


def _ct_convx(case, a, algorithm, workers) -> Call:
    import convx
    op = getattr(convx, f"conv_transpose{case.ndim}d")
    return Call(op, _ct_args(case, a), dict(algorithm=algorithm, workers=workers),
                info=f"convx.conv_transpose{case.ndim}d(algorithm={algorithm!r}, "
                     f"workers={workers})")


def _ct_torch(case, a, workers) -> Call:
    import torch
    import torch.nn.functional as F
    x, w, b, *rest = _ct_args(case, a)
    args = (torch.from_numpy(x), torch.from_numpy(w), None if b is None else torch.from_numpy(b),
            *rest)
    return Call(getattr(F, f"conv_transpose{case.ndim}d"), args, {},
                context=_torch_context(workers),
                info=f"torch {torch.__version__} F.conv_transpose{case.ndim}d, no_grad, "
                     f"{workers} threads")


register_family("conv_transpose", Family(make_inputs=_ct_inputs, convx=_ct_convx,
                                         peers={"torch": _ct_torch}))

register_suite("conv_transpose", [
    ct_case("dcgan_g1_512to256", (1, 512, 4, 4), 256, 4, stride=2, padding=1,
            note="DCGAN generator (64x64), 4x4 s2 p1 up-conv 4x4 -> 8x8"),
    ct_case("dcgan_g2_256to128", (1, 256, 8, 8), 128, 4, stride=2, padding=1, quick=True,
            note="DCGAN generator, 8x8 -> 16x16"),
    ct_case("dcgan_g3_128to64", (1, 128, 16, 16), 64, 4, stride=2, padding=1,
            note="DCGAN generator, 16x16 -> 32x32"),
    ct_case("dcgan_g4_64to3", (1, 64, 32, 32), 3, 4, stride=2, padding=1,
            note="DCGAN generator output layer, 32x32 -> 64x64 RGB"),
    ct_case("unet_up1_1024to512", (1, 1024, 28, 28), 512, 2, stride=2, bias=True,
            note="U-Net 2x2 s2 up-conv, 28x28 -> 56x56"),
    ct_case("unet_up2_512to256", (1, 512, 52, 52), 256, 2, stride=2, bias=True,
            note="U-Net 2x2 s2 up-conv, 52x52 -> 104x104"),
    ct_case("unet_up3_256to128", (1, 256, 104, 104), 128, 2, stride=2, bias=True,
            note="U-Net 2x2 s2 up-conv, 104x104 -> 208x208"),
    ct_case("decoder_3x3_s2_op1", (1, 128, 56, 56), 64, 3, stride=2, padding=1,
            output_padding=1, bias=True, quick=True,
            note="segmentation decoder 3x3 s2 p1 output_padding 1, 56x56 -> 112x112"),
    ct_case("ct1d_k4_s2", (1, 256, 1000), 128, 4, stride=2, padding=1, bias=True,
            note="1-D upsampling (vocoder-style), k=4 s2 p1, 1000 -> 2000 steps"),
    ct_case("ct3d_k2_s2", (1, 64, 8, 28, 28), 32, 2, stride=2, bias=True,
            note="3-D U-Net 2x2x2 s2 up-conv, 8x28x28 -> 16x56x56"),
], "transposed convs: DCGAN generator, U-Net up-convs, decoder, 1-D and 3-D")


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------

@dataclass
class Timing:
    median: float                 # seconds per call
    samples: list                 # seconds per call, one per repeat
    number: int                   # calls per sample
    first: float                  # the warm-up call, seconds

    @property
    def spread(self) -> float:
        """Interquartile range / median: above ~0.2 the machine was busy."""
        if len(self.samples) < 4:
            return 0.0
        q = statistics.quantiles(self.samples, n=4)
        return (q[2] - q[0]) / self.median

    def to_dict(self) -> dict:
        return {"median_s": self.median, "min_s": min(self.samples), "spread": self.spread,
                "samples_s": self.samples, "number": self.number,
                "first_call_s": self.first, "repeats": len(self.samples)}


def time_call(fn: Callable[[], Any], target: float = 0.4, min_repeats: int = 5,
              max_repeats: int = 1000, min_sample: float = 1e-3,
              warmup: float = 0.1, max_warmup: float = 3.0) -> tuple[Timing, Any]:
    """Median seconds per call of ``fn`` and the first call's result.

    Warm-up: at least two calls and ``warmup`` seconds, longer while calls are
    still getting faster (one-time set-up spread over several calls), never
    past ``max_warmup`` seconds. This does more than fill caches and build
    plans: on a small machine the previous contender's idle thread pool
    (OpenBLAS, OpenMP) keeps spinning for ~0.1 s, and samples taken meanwhile
    can be 10-100x slow. The cost estimate is the best of the last three
    warm-up calls.

    Then ``repeats`` samples of ``number`` calls each: ``number`` makes a
    sample last >= ``min_sample`` (so perf_counter resolution does not
    matter), ``repeats`` makes the loop last about ``target`` seconds, clamped
    to [min_repeats, max_repeats]; past ``2.5 * target`` it stops after
    ``min_repeats`` samples (bounds a run on a loaded machine). The garbage
    collector is off while timing (as in timeit).
    """
    t_start = t0 = time.perf_counter()
    result = fn()
    now = time.perf_counter()
    first = now - t0
    times = [first]
    while now - t_start < max_warmup:
        improving = len(times) >= 2 and times[-1] < 0.8 * min(times[:-1])
        if now - t_start >= warmup and len(times) >= 2 and not improving:
            break
        t0 = time.perf_counter()
        fn()
        now = time.perf_counter()
        times.append(now - t0)
    est = max(min(times[-3:]), 1e-7)
    number = max(1, math.ceil(min_sample / est))
    repeats = int(min(max_repeats, max(min_repeats, round(target / (est * number)))))
    samples = []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    t_loop = time.perf_counter()
    try:
        for i in range(repeats):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            now = time.perf_counter()
            samples.append((now - t0) / number)
            if i + 1 >= min_repeats and now - t_loop > 2.5 * target:
                break  # calls got slower than the warm-up said (a busy machine): stop early
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timing(statistics.median(samples), samples, number, first), result


def resolve_workers(workers: int | None) -> int:
    """-1 or None -> os.cpu_count(); otherwise a positive int."""
    if workers is None or workers == -1:
        return os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be -1 or >= 1, got {workers}")
    return int(workers)


def _physical_cores(workers: int) -> int:
    """Distinct physical cores among the first ``workers`` usable CPUs (Linux sysfs).

    Falls back to ``workers`` where the topology cannot be read.
    """
    try:
        cpus = sorted(os.sched_getaffinity(0))[:workers]
        cores = set()
        for c in cpus:
            base = f"/sys/devices/system/cpu/cpu{c}/topology/"
            with open(base + "core_id") as f1, open(base + "physical_package_id") as f2:
                cores.add((f1.read().strip(), f2.read().strip()))
        return len(cores) if len(cpus) == workers else workers
    except (AttributeError, OSError):
        return workers


def measure_peak(workers: int, dtype: str = "float32") -> dict:
    """This machine's peak GFLOP/s on ``workers`` threads and how it was obtained.

    Probes ``workers`` threads and 1 thread. Independent FMA chains on separate
    physical cores scale linearly, so when the ``workers``-thread probe falls
    short of (single-thread peak x physical cores) another process held a core
    during the probe, and the linear figure is used instead (the all-core
    clock may be a little lower, which only makes "% peak" conservative).
    """
    try:
        from convx import _cpu
        isa = _cpu.active_isa()
        p_w = float(_cpu.measure_peak_gflops(workers, dtype))
        p_1 = float(_cpu.measure_peak_gflops(1, dtype)) if workers > 1 else p_w
    except (ImportError, AttributeError) as exc:
        # Fallback while the C probe is missing: a large BLAS GEMM is a lower
        # bound on the FMA peak, good enough to make "% peak" readable.
        n = 1536
        a = np.ones((n, n), dtype)
        b = np.ones((n, n), dtype)
        with _blas_threads(workers):
            t, _ = time_call(lambda: a @ b, target=0.3)
        return {"gflops": 2 * n ** 3 / t.median / 1e9, "source": "numpy-matmul",
                "method": (f"FALLBACK ({type(exc).__name__}: {exc}): NumPy/BLAS {dtype} "
                           f"{n}x{n} matmul, median; a lower bound of the FMA peak")}
    cores = _physical_cores(workers)
    linear = p_1 * cores
    how = (f"independent {isa} FMA chains, {dtype}, best of several ~0.2 s runs "
           f"(convx._cpu.measure_peak_gflops): {workers} thread(s) {p_w:.1f}")
    if workers > 1:
        how += f", 1 thread {p_1:.1f} x {cores} physical core(s) = {linear:.1f}"
    use_linear = workers > 1 and p_w < 0.9 * linear
    if use_linear:
        how += f"; using {linear:.1f} (the {workers}-thread probe was slowed by other load)"
    return {"gflops": linear if use_linear else p_w, "source": "convx._cpu.measure_peak_gflops",
            "gflops_workers": p_w, "gflops_1": p_1, "physical_cores": cores,
            "method": how}


# --------------------------------------------------------------------------
# Runner
# --------------------------------------------------------------------------

class _Progress:
    """Plain-text progress bar on stderr ("\\r" redraws on a tty, lines otherwise)."""

    def __init__(self, total: int, stream=None, enabled: bool = True, width: int = 24):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.t0 = time.perf_counter()
        self._shown = False

    def show(self, label: str) -> None:
        if not self.enabled:
            return
        frac = self.done / self.total if self.total else 1.0
        fill = int(round(frac * self.width))
        el = time.perf_counter() - self.t0
        eta = f" eta {el / frac - el:4.0f}s" if 0 < frac < 1 else ""
        line = (f"[{'#' * fill}{'.' * (self.width - fill)}] {self.done}/{self.total} "
                f"{el:5.0f}s{eta}  {label}")
        if self.tty:
            self.stream.write("\r" + line[:119].ljust(119))
            self._shown = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def advance(self) -> None:
        self.done += 1

    def clear(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\r" + " " * 119 + "\r")
            self.stream.flush()
            self._shown = False


NOISY_SPREAD = 0.25   # a row is marked "noisy" when a contender's IQR/median exceeds this


def _loadavg():
    try:
        return list(os.getloadavg())
    except (AttributeError, OSError):
        return None


def _geomean(values) -> float | None:
    v = [x for x in values if x is not None and x > 0 and math.isfinite(x)]
    return math.exp(sum(map(math.log, v)) / len(v)) if v else None


def _check(actual, expected, dtype) -> dict:
    """Largest error of convx vs a peer, relative to the peer's largest value."""
    a = np.asarray(actual, np.float64)
    e = np.asarray(expected, np.float64)
    if a.shape != e.shape:
        return {"ok": False, "reason": f"shape {a.shape} != {e.shape}"}
    scale = float(np.max(np.abs(e))) if e.size else 0.0
    err = float(np.max(np.abs(a - e))) if e.size else 0.0
    rel = err / scale if scale else err
    tol = 1e-3 if np.dtype(dtype) == np.float32 else 1e-9
    return {"ok": bool(rel <= tol), "max_abs_err": err, "rel_err": rel, "tol": tol}


def machine_info() -> dict:
    info = {
        "platform": platform.platform(), "machine": platform.machine(),
        "python": sys.version.split()[0], "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["affinity_cpus"] = len(os.sched_getaffinity(0))
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = {k: blas.get(k) for k in ("name", "version", "openblas configuration")}
    except Exception:  # older NumPy: no dict mode; not worth failing a benchmark over
        pass
    for mod in ("scipy", "torch", "cv2"):
        try:
            info[mod] = __import__(mod).__version__
        except ImportError:
            pass
    return info


def _convx_config() -> dict:
    try:
        import convx
        cfg = convx.get_config()
        return json.loads(json.dumps(cfg, default=str))
    except Exception as exc:  # the report must still be written on a partial build
        return {"error": f"{type(exc).__name__}: {exc}"}


def _fmt(v, spec, width, none="-"):
    return (format(v, spec) if v is not None else none).rjust(width)


def _peer_names(cases, use_torch: bool) -> list:
    names = []
    for _, case in cases:
        for p in FAMILIES[case.family].peers:
            if p not in names and (use_torch or p != "torch"):
                names.append(p)
    return names


def _w_ms(p) -> int:
    return max(11, len(p) + 4)


def _w_vs(p) -> int:
    return max(10, len(p) + 5)


def _header(peers) -> str:
    cols = f"{'case':<22}{'MFLOP':>9}{'convx ms':>11}{'GFLOP/s':>9}{'%peak':>7}"
    cols += "".join(f"{p + ' ms':>{_w_ms(p)}}" for p in peers)
    cols += "".join(f"{'vs ' + p:>{_w_vs(p)}}" for p in peers)
    return cols


def _row(rec, peers) -> str:
    cx = rec["results"].get("convx", {})
    ms = cx.get("median_s")
    line = (f"{rec['name'][:21]:<22}{rec['flop'] / 1e6:9.1f}"
            f"{_fmt(ms and ms * 1e3, '.3f', 11, cx.get('error') and 'ERROR' or '-')}"
            f"{_fmt(cx.get('gflops'), '.1f', 9)}{_fmt(cx.get('pct_peak'), '.1f', 7)}")
    for p in peers:
        r = rec["results"].get(p, {})
        v = r.get("median_s")
        line += _fmt(v and v * 1e3, ".3f", _w_ms(p),
                     "n/a" if r.get("skipped") else "ERROR" if r.get("error") else "-")
    for p in peers:
        g = rec["speedup"].get(p)
        line += _fmt(g, ".2f", _w_vs(p) - 1) + ("x" if g else " ")
    chk = rec.get("check")
    if chk and not chk.get("ok"):
        line += "  MISMATCH"
    if any(r.get("spread", 0) > NOISY_SPREAD for r in rec["results"].values()):
        line += "  noisy"
    return line


def run(suites: Sequence[str] | None = None, *, workers: int | None = -1,
        dtype: str = "float32", quick: bool = False, use_torch: bool = True,
        algorithm: str = "auto", target: float | None = None, min_repeats: int = 5,
        warmup: float = 0.1, out=None, progress: bool = True, show_config: bool = True) -> dict:
    """Time every case of ``suites`` (all public suites if empty); return the report dict.

    Prints the report to ``out`` (stdout by default) while it runs and the
    progress bar to stderr. ``target`` is the timing budget per contender and
    case in seconds (0.4, or 0.05 with ``quick``).
    """
    out = out if out is not None else sys.stdout
    workers = resolve_workers(workers)
    dtype = np.dtype(dtype).name
    target = target if target is not None else (0.05 if quick else 0.4)
    cases = list(iter_cases(suites, quick=quick))
    peers = _peer_names(cases, use_torch)
    started = datetime.datetime.now(datetime.timezone.utc)

    if show_config:
        try:
            import convx
            convx.show_config()
        except Exception as exc:
            print(f"convx.show_config() failed: {type(exc).__name__}: {exc}", file=out)
        out.flush()
    peak = measure_peak(workers, dtype)
    print(f"\npeak: {peak['gflops']:.1f} GFLOP/s -- {peak['method']}", file=out)
    print(f"workers={workers} dtype={dtype} algorithm={algorithm!r} "
          f"target={target:g} s/contender, median of >= {min_repeats} repeats after "
          f">= {warmup:g} s warm-up; "
          f"GFLOP/s = 2*MACs/median (see convx._bench.macs); 'vs X' = X time / convx time",
          file=out)
    print("peers: a suite's columns are its families' peers (legend at the end)", file=out)

    report = {
        "schema": 1,
        "created": started.isoformat(timespec="seconds"),
        "config": {"suites": list(dict.fromkeys(c.split("/")[0] for c, _ in cases)),
                   "workers": workers, "dtype": dtype, "quick": quick, "torch": use_torch,
                   "algorithm": algorithm, "target_s": target, "min_repeats": min_repeats,
                   "warmup_s": warmup, "seed": 0},
        "machine": machine_info(), "convx_config": _convx_config(), "peak": peak,
        "flop_definition": "2 * macs(case); " + " ".join(macs.__doc__.split()),
        "loadavg_start": _loadavg(), "cases": [], "summary": {},
    }
    load = report["loadavg_start"]
    if load and load[0] > 0.5:
        print(f"note: 1-min load average {load[0]:.2f} before starting; other processes "
              f"compete for the {os.cpu_count()} cores, expect noise (rows marked 'noisy' "
              f"have IQR/median > {NOISY_SPREAD})", file=out)

    case_peers = {cid: _peer_names([(cid, c)], use_torch) for cid, c in cases}
    legend = {}
    bar = _Progress(sum(1 + len(v) for v in case_peers.values()), enabled=progress)
    current_suite = suite_peers = None
    for i, (cid, case0) in enumerate(cases):
        sname = cid.split("/")[0]
        case = case0.with_dtype(dtype)
        if sname != current_suite:
            bar.clear()
            current_suite = sname
            s = SUITES[sname]
            in_suite = [(c, k) for c, k in cases if c.startswith(sname + "/")]
            suite_peers = _peer_names(in_suite, use_torch)
            print(f"\n== {sname}: {s.description} ({len(in_suite)} cases) ==", file=out)
            print(_header(suite_peers), file=out)
            out.flush()
        flop = 2 * macs(case)
        rec = {"suite": sname, "name": case.name, "id": cid, "case": case.to_dict(),
               "macs": flop // 2, "flop": flop, "results": {}, "speedup": {}}
        arrays = make_inputs(case, seed=0)
        outputs = {}
        for who in ["convx"] + case_peers[cid]:
            bar.show(f"{cid} {who}")
            r = rec["results"][who] = {}
            try:
                call = make_call(case, arrays, who, workers, algorithm)
                r["info"] = call.info
                legend.setdefault(case.family, {}).setdefault(who, call.info)
                with call.context():
                    timing, result = time_call(call, target=target, min_repeats=min_repeats,
                                               warmup=warmup)
                outputs[who] = result
                r.update(timing.to_dict())
                r["gflops"] = flop / timing.median / 1e9
                r["pct_peak"] = 100.0 * r["gflops"] / peak["gflops"] if peak["gflops"] else None
            except Exception as exc:  # record and go on: one failing contender must not stop a run
                r["error"] = f"{type(exc).__name__}: {exc}"
                if isinstance(exc, (ImportError, NotImplementedError)):
                    r["skipped"] = True  # library missing / peer cannot do this case: "n/a"
            bar.advance()
        t_cx = rec["results"]["convx"].get("median_s")
        for p in case_peers[cid]:
            t_p = rec["results"][p].get("median_s")
            rec["speedup"][p] = t_p / t_cx if t_cx and t_p else None
        ref = next((p for p in ("torch", *case_peers[cid])
                    if p in outputs and p not in _UNCHECKED_PEERS), None)
        if "convx" in outputs and ref:
            rec["check"] = dict(_check(outputs["convx"], outputs[ref], dtype), against=ref)
        del outputs, arrays
        report["cases"].append(rec)
        bar.clear()
        print(_row(rec, suite_peers), file=out)
        out.flush()
        if i + 1 == len(cases) or not cases[i + 1][0].startswith(sname + "/"):
            report["summary"][sname] = _summarize(
                [c for c in report["cases"] if c["suite"] == sname], suite_peers)
            print(_summary_row(report["summary"][sname], suite_peers), file=out)
            out.flush()
    bar.clear()
    report["summary"]["all"] = _summarize(report["cases"], peers)
    report["elapsed_s"] = time.perf_counter() - bar.t0
    report["loadavg_end"] = _loadavg()
    report["legend"] = legend
    print("\ncontenders (as first timed, per family):", file=out)
    for fam, whos in legend.items():
        print("\n".join(f"  {fam + ' ' + who:>26}: {info}" for who, info in whos.items()),
              file=out)
    gm = report["summary"]["all"]["geomean_speedup"]
    print(f"\nall {len(cases)} cases: " + ", ".join(
        f"geomean vs {p} " + (f"{gm[p]:.2f}x" if gm.get(p) else "n/a") for p in peers)
        + f"; {report['elapsed_s']:.0f} s", file=out)
    # A busy machine lowers the measured peak; measuring again at the end shows
    # whether the "% peak" column (computed from the first measurement) is shaky.
    peak_end = measure_peak(workers, dtype)["gflops"]
    report["peak"]["gflops_end"] = peak_end
    over = [r["id"] for r in report["cases"]
            if (r["results"]["convx"].get("pct_peak") or 0) > 100]
    if abs(peak_end - peak["gflops"]) > 0.1 * peak["gflops"] or over:
        print(f"\nwarning: peak measured {peak['gflops']:.1f} GFLOP/s at the start and "
              f"{peak_end:.1f} at the end" + (f"; {len(over)} case(s) above 100% of it" if over
                                            else "")
              + ": the machine's load changed, treat '% peak' as approximate", file=out)
    noisy = sum(any(r.get("spread", 0) > NOISY_SPREAD for r in c["results"].values())
                for c in report["cases"])
    if noisy:
        print(f"{noisy} of {len(report['cases'])} rows noisy (IQR/median > {NOISY_SPREAD}); "
              f"1-min load average at the end {report['loadavg_end'][0]:.2f}"
              if report["loadavg_end"] else f"{noisy} rows noisy", file=out)
    return report


def _summarize(recs, peers) -> dict:
    cx = [r["results"]["convx"] for r in recs]
    return {
        "n_cases": len(recs),
        "geomean_gflops": _geomean(r.get("gflops") for r in cx),
        "geomean_pct_peak": _geomean(r.get("pct_peak") for r in cx),
        "geomean_speedup": {p: _geomean(r["speedup"].get(p) for r in recs) for p in peers},
        "mismatches": [r["name"] for r in recs if r.get("check") and not r["check"]["ok"]],
    }


def _summary_row(s, peers) -> str:
    line = (f"{'geomean':<22}{'':9}{'':11}{_fmt(s['geomean_gflops'], '.1f', 9)}"
            f"{_fmt(s['geomean_pct_peak'], '.1f', 7)}" + " " * sum(map(_w_ms, peers)))
    for p in peers:
        g = s["geomean_speedup"].get(p)
        line += _fmt(g, ".2f", _w_vs(p) - 1) + ("x" if g else " ")
    return line


# --------------------------------------------------------------------------
# Saving
# --------------------------------------------------------------------------

def save_json(report: dict, path: str) -> None:
    with open(path, "w") as f:
        json.dump(report, f, indent=1, default=str)
        f.write("\n")


def save_png(report: dict, path: str) -> bool:
    """Speed-up bars per case (log scale); False when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    recs = report["cases"]
    peers = [p for p in dict.fromkeys(p for r in recs for p in r["speedup"])
             if any(r["speedup"].get(p) for r in recs)]
    if not recs or not peers:
        return False
    fig, ax = plt.subplots(figsize=(9, 0.12 * len(recs) * (1 + len(peers)) + 1.2))
    h = 0.8 / len(peers)
    ys = np.arange(len(recs))
    for i, p in enumerate(peers):
        vals = [r["speedup"].get(p) or 0.0 for r in recs]
        ax.barh(ys + (i - (len(peers) - 1) / 2) * h, vals, height=h, label=f"convx vs {p}")
    ax.set_yticks(ys, [r["id"] for r in recs], fontsize=7)
    ax.set_ylim(len(recs) - 0.5, -0.5)
    ax.set_xscale("log")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xlabel("speed-up (peer time / convx time), log scale")
    cfg = report["config"]
    ax.set_title(f"convx {cfg['dtype']}, workers={cfg['workers']}, "
                 f"{report['machine'].get('cpu_model', '')}", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def list_cases(suites=None, quick=False, out=None) -> None:
    out = out if out is not None else sys.stdout
    for cid, case in iter_cases(suites, quick=quick):
        print(f"{cid:<32} {case.family:<8} {2 * macs(case) / 1e9:8.3f} GFLOP  {case.describe()}",
              file=out)


def main(suites=None, *, workers=-1, dtype="float32", quick=False, json_path="convx-bench.json",
         png_path="convx-bench.png", use_torch=True, algorithm="auto", target=None,
         progress=True) -> dict:
    """Run, print, save JSON (and PNG when matplotlib is importable). Used by __main__."""
    report = run(suites, workers=workers, dtype=dtype, quick=quick, use_torch=use_torch,
                 algorithm=algorithm, target=target, progress=progress)
    if json_path:
        save_json(report, json_path)
        print(f"wrote {json_path}")
    if png_path:
        if save_png(report, png_path):
            print(f"wrote {png_path}")
        else:
            print("matplotlib not importable (or nothing to plot): no PNG chart")
    return report
